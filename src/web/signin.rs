//! `/logg-inn` and `/logg-ut`: signing in with an address and a password, and out.

use std::net::IpAddr;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::session::{self, FORM_COOKIE, SESSION_COOKIE, SignInThrottle};
use super::{Chrome, Form, Visitor, WebError, local_path, section};
use crate::store::Store;
use crate::store::sessions;
use crate::store::users;

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage<'a> {
    chrome: Chrome,
    next: &'a str,
    email: &'a str,
    /// The error summary: a message and the id of the field it is about.
    error: Option<(&'static str, &'static str)>,
}

#[derive(serde::Deserialize)]
pub struct SignInQuery {
    neste: Option<String>,
}

/// `GET /logg-inn`: the form; who is signed in already goes on to where they were going.
pub async fn page(
    req: HttpRequest,
    visitor: Visitor,
    query: web::Query<SignInQuery>,
) -> Result<HttpResponse, WebError> {
    let next = local_path(query.neste.as_deref());
    if visitor.user.is_some() {
        return Ok(super::see_other(next));
    }
    show(&req, visitor, next, "", None, StatusCode::OK)
}

fn show(
    req: &HttpRequest,
    visitor: Visitor,
    next: &str,
    email: &str,
    error: Option<(&'static str, &'static str)>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    // The form's CSRF token lives in a cookie until there is a session to hold it.
    let new_token = match visitor.csrf_token() {
        Some(_) => None,
        None => Some(sessions::new_token()?),
    };
    let mut chrome = Chrome::new("Logg inn", section::NONE, &visitor);
    if let Some(token) = &new_token {
        chrome.csrf = token.clone();
    }
    let mut response = super::render(
        status,
        &SignInPage {
            chrome,
            next,
            email,
            error,
        },
    )?;
    if let Some(token) = new_token {
        response
            .add_cookie(&session::cookie(req, FORM_COOKIE, token))
            .map_err(|e| WebError::Internal(e.to_string()))?;
    }
    Ok(response)
}

/// The client a request came from, for slowing down guessing: the peer address (a header
/// could be forged by the guesser).
fn client(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|addr| match addr.ip() {
            // One IPv6 client holds a whole /64.
            IpAddr::V6(ip) => format!("{:x?}", &ip.segments()[..4]),
            ip => ip.to_string(),
        })
        .unwrap_or_default()
}

/// `POST /logg-inn`: checks the password; on success starts a session and goes on.
pub async fn submit(
    req: HttpRequest,
    visitor: Visitor,
    body: web::Bytes,
    store: web::Data<Store>,
    throttle: web::Data<SignInThrottle>,
) -> Result<HttpResponse, WebError> {
    let form = Form::parse(&body);
    visitor.check_csrf(form.get("csrf"))?;
    let next = local_path(form.get("neste")).to_owned();
    let email = form.get("epost").unwrap_or_default().trim().to_owned();
    let password = form.get("passord").unwrap_or_default().to_owned();
    let missing = if email.is_empty() {
        Some(("Skriv inn e-postadressen din.", "epost"))
    } else if password.is_empty() {
        Some(("Skriv inn passordet ditt.", "passord"))
    } else {
        None
    };
    if missing.is_some() {
        return show(
            &req,
            visitor,
            &next,
            &email,
            missing,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let email_key = format!("email:{}", email.to_lowercase());
    let keys = [email_key.clone(), format!("client:{}", client(&req))];
    let wait = throttle.delay(&keys);
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let checked = {
        let email = email.clone();
        store
            .run(move |conn| {
                let Some(user) = users::check_password(conn, &email, &password)? else {
                    return Ok(None);
                };
                sessions::start(conn, user.id).map(Some)
            })
            .await?
    };
    let Some(started) = checked else {
        throttle.failed(&keys);
        let error = Some((
            "E-postadressen eller passordet er feil. Sjekk at du har skrevet riktig.",
            "epost",
        ));
        return show(
            &req,
            visitor,
            &next,
            &email,
            error,
            StatusCode::UNAUTHORIZED,
        );
    };
    throttle.succeeded(&email_key);
    let mut response = super::see_other(&next);
    response
        .add_cookie(&session::cookie(&req, SESSION_COOKIE, started.secret))
        .and_then(|()| response.add_removal_cookie(&session::removal(&req, FORM_COOKIE)))
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(response)
}

/// `POST /logg-ut`: ends the session in the database and forgets the cookie.
pub async fn sign_out(
    req: HttpRequest,
    visitor: Visitor,
    body: web::Bytes,
    store: web::Data<Store>,
) -> Result<HttpResponse, WebError> {
    let form = Form::parse(&body);
    if visitor.user.is_some() {
        visitor.check_csrf(form.get("csrf"))?;
    }
    if let Some(secret) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()) {
        store.run(move |conn| sessions::end(conn, &secret)).await?;
    }
    let mut response = super::see_other("/logg-inn?utlogget=1");
    response
        .add_removal_cookie(&session::removal(&req, SESSION_COOKIE))
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(response)
}
