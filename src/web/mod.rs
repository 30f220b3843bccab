//! The pages: server-rendered HTML in bokmål, a second face on the same store, rules and
//! history as the API. One module per page; the templates in `templates/` carry the same
//! names and are compiled in (askama), so that a template error fails the build.
//!
//! Every page works without JavaScript: forms POST and answer with a 303 to the result. Pages
//! are sent with a Content Security Policy that allows no inline script or style.

pub mod assets;
mod case;
mod decision;
mod decisions;
mod error;
mod format;
mod importer;
mod meeting;
mod meetings;
mod overview;
mod owners;
mod proposals;
mod session;
mod signin;
mod tokens;
mod users;

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, VARY};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

pub use error::WebError;
pub use session::{SignInThrottle, Visitor};

/// Only our own stylesheets and images given as data (the icons inside Designsystemet's CSS);
/// no script at all, no inline style, forms only to ourselves, never inside a frame.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
    img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Registers the pages and the assets.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/assets/{hash}/{name}", web::get().to(assets::serve))
        .route("/", web::get().to(overview::page))
        .route("/vedtakspunkter", web::get().to(decisions::page))
        .route("/vedtakspunkter.csv", web::get().to(decisions::csv))
        // Before the point's route, whose {id} would take it.
        .route("/vedtakspunkter/utskrift", web::get().to(decisions::print))
        .route("/vedtakspunkter/{id}", web::get().to(decision::page))
        .route("/vedtakspunkter/{id}", web::post().to(decision::submit))
        .route("/moter", web::get().to(meetings::page))
        .route("/moter/{id}", web::get().to(meeting::page))
        .route("/moter/{id}/oppfolging", web::get().to(meeting::follow_up))
        .route("/saker/{id}", web::get().to(case::page))
        .route(
            "/saker/{id}/forslag/{proposal}",
            web::post().to(case::answer_proposal),
        )
        .route("/ansvarlige", web::get().to(owners::page))
        .route("/ansvarlige", web::post().to(owners::create))
        .route("/ansvarlige/stavemate", web::post().to(owners::add_alias))
        .route("/forslag", web::get().to(proposals::page))
        .route("/forslag/{proposal}", web::post().to(proposals::submit))
        .route("/brukere", web::get().to(users::page))
        .route("/brukere", web::post().to(users::create))
        .route("/brukere/{id}", web::post().to(users::change))
        .route("/api-nokler", web::get().to(tokens::page))
        .route("/api-nokler", web::post().to(tokens::create))
        .route("/api-nokler/{id}", web::post().to(tokens::revoke))
        .route("/importer", web::get().to(importer::page))
        .route("/importer", web::post().to(importer::upload))
        .route("/importer/{id}", web::post().to(importer::confirm))
        .route("/logg-inn", web::get().to(signin::page))
        .route("/logg-inn", web::post().to(signin::submit))
        .route("/logg-ut", web::post().to(signin::sign_out));
}

/// Whether a path belongs to the pages rather than the API (for the answer to an unknown path).
pub fn is_page_path(path: &str) -> bool {
    path != "/api" && !path.starts_with("/api/")
}

/// The answer to a path nothing serves: the 404 page.
pub async fn no_page(_req: HttpRequest) -> HttpResponse {
    error::page(&WebError::NotFound(
        "Adressen finnes ikke i vedtaksloggen.".into(),
    ))
}

/// The places of the navigation in the header, by the paths they lead to.
pub mod section {
    pub const OVERVIEW: &str = "/";
    pub const DECISIONS: &str = "/vedtakspunkter";
    pub const MEETINGS: &str = "/moter";
    pub const OWNERS: &str = "/ansvarlige";
    pub const PROPOSALS: &str = "/forslag";
    pub const IMPORT: &str = "/importer";
    pub const USERS: &str = "/brukere";
    pub const TOKENS: &str = "/api-nokler";
    pub const NONE: &str = "";
}

/// What the frame of every page needs: the title, the stylesheets, the navigation and who is
/// signed in.
pub struct Chrome {
    pub title: String,
    /// The person signed in: name and role.
    pub account: Option<(String, &'static str)>,
    /// Whether the person may change the log (the navigation shows Importer then).
    pub editor: bool,
    /// The CSRF token of the sign-out form.
    pub csrf: String,
    /// The path of the navigation link to mark as the current page.
    pub section: &'static str,
    pub stylesheets: &'static [String],
}

impl Chrome {
    pub fn new(title: impl Into<String>, section: &'static str, visitor: &Visitor) -> Self {
        Self {
            account: visitor
                .user
                .as_ref()
                .map(|user| (user.name.clone(), format::role(user.role))),
            csrf: visitor.csrf_token().unwrap_or_default().to_owned(),
            editor: visitor.can_edit(),
            ..Self::anonymous(title, section)
        }
    }

    /// The frame for a page shown to no one in particular (an error before we know who).
    pub fn anonymous(title: impl Into<String>, section: &'static str) -> Self {
        Self {
            account: None,
            editor: false,
            csrf: String::new(),
            title: title.into(),
            section,
            stylesheets: assets::stylesheets(),
        }
    }
}

/// Renders a page into a response with the headers every page has.
pub fn render(status: StatusCode, page: &impl Template) -> Result<HttpResponse, WebError> {
    let body = page
        .render()
        .map_err(|e| WebError::Internal(format!("the page could not be rendered: {e}")))?;
    Ok(html(status, body))
}

/// An HTML response with the security headers of the pages. Pages are personal (the name of
/// who is signed in, a CSRF token): they are not stored by caches.
pub fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "same-origin"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((VARY, "Cookie"))
        .body(body)
}

/// A printable report (a whole HTML page with its own inline `<style>`), sent with a policy
/// that allows that one style by its hash and nothing else: still no `unsafe-inline`.
pub fn printable(body: String) -> HttpResponse {
    use base64::Engine;
    use sha2::Digest;
    let style = body
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map_or("", |(style, _)| style);
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style));
    let policy = format!(
        "default-src 'none'; style-src 'sha256-{hash}'; form-action 'none'; \
         frame-ancestors 'none'; base-uri 'none'"
    );
    let mut response = html(StatusCode::OK, body);
    response.headers_mut().insert(
        actix_web::http::header::HeaderName::from_static("content-security-policy"),
        actix_web::http::header::HeaderValue::from_str(&policy)
            .expect("a hash in base64 is a valid header value"),
    );
    response
}

/// A 303 to another page: the answer to every form.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .insert_header((CACHE_CONTROL, "no-store"))
        .finish()
}

/// A field of a form that cannot be taken, for the error summary and the field itself: the
/// field (its id on the page) and why.
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            field,
            message: message.into(),
        }
    }
}

/// The first error of a list for a field, if any: what the templates show at the field.
pub fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

/// The fields of a submitted form (`application/x-www-form-urlencoded`).
pub struct Form(Vec<(String, String)>);

impl Form {
    pub fn parse(body: &[u8]) -> Self {
        Form(form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of a field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of a field that may repeat.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// A path to return to after a form: only a path of this site, never another host.
pub fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path
        }
        _ => "/",
    }
}
