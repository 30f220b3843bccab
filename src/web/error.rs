//! The one error type of the pages: every failure becomes a page in bokmål that says what went
//! wrong and what to do, never a JSON problem or a stack trace.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::{Chrome, section};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// 400: the request cannot be understood (a broken link, a form from elsewhere).
    #[error("{0}")]
    BadRequest(String),
    /// 403: signed in, but the role does not allow it; or a form without a valid CSRF token.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// 410: deleted; the history remains, at the link.
    #[error("{message}")]
    Gone {
        message: String,
        history: Option<String>,
    },
    #[error("{0}")]
    Conflict(String),
    /// Not signed in where that is needed: to the sign-in page, and back here afterwards.
    #[error("sign-in needed")]
    SignIn { next: String },
    /// A form sent after the session ended: nothing is saved, and the page shows what was
    /// typed, so that nothing is lost, with the way to sign in and back to the form.
    #[error("the session has ended; nothing was saved")]
    SessionEnded {
        next: String,
        typed: Vec<(&'static str, String)>,
    },
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(_) => WebError::NotFound(
                "Det du lette etter finnes ikke, eller du har ikke tilgang til det.".into(),
            ),
            StoreError::Gone(_) => WebError::Gone {
                message: "Dette er slettet. Historikken er tatt vare på.".into(),
                history: None,
            },
            StoreError::Conflict(message) | StoreError::Invalid(message) => {
                WebError::Conflict(message)
            }
            StoreError::VersionMismatch { .. } => WebError::Conflict(
                "Noen andre har endret dette i mellomtiden. Last siden på nytt.".into(),
            ),
            StoreError::Unavailable(_) | StoreError::ConnectionLost => {
                WebError::Unavailable("Databasen svarer ikke akkurat nå.".into())
            }
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl WebError {
    /// The store's error, where a deleted thing is told with the page's own words (410).
    pub fn from_store_deleted(error: StoreError, message: &str) -> Self {
        match error {
            StoreError::Gone(_) => WebError::Gone {
                message: message.to_owned(),
                history: None,
            },
            other => other.into(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    heading: &'a str,
    message: String,
    advice: &'a str,
    history: Option<String>,
    /// What was typed in a form that could not be saved, label by label.
    typed: &'a [(&'static str, String)],
    /// Where signing in leads back to, when the page asks for it.
    sign_in: Option<String>,
}

impl WebError {
    fn heading_and_advice(&self) -> (&'static str, &'static str) {
        match self {
            WebError::BadRequest(_) => (
                "Forespørselen kunne ikke forstås",
                "Gå tilbake og prøv igjen. Følger du en lenke, kan den være ufullstendig.",
            ),
            WebError::Forbidden(_) => (
                "Du har ikke tilgang til dette",
                "Be en administrator om en annen rolle hvis du trenger å gjøre dette.",
            ),
            WebError::NotFound(_) => (
                "Siden finnes ikke",
                "Sjekk adressen, eller finn det du leter etter i listen over vedtakspunkter.",
            ),
            WebError::Gone { .. } => (
                "Dette er slettet",
                "Historikken viser hvem som slettet det og når.",
            ),
            WebError::Conflict(_) => (
                "Endringen kunne ikke lagres",
                "Gå tilbake, last siden på nytt og prøv igjen.",
            ),
            WebError::SignIn { .. } => ("Du må logge inn", "Logg inn for å se denne siden."),
            WebError::SessionEnded { .. } => (
                "Du er ikke lenger logget inn",
                "Logg inn igjen og lagre på nytt. Det du skrev står under, så du kan kopiere det.",
            ),
            WebError::Unavailable(_) => (
                "Tjenesten er midlertidig utilgjengelig",
                "Prøv igjen om litt. Vedvarer feilen, kontakt den som drifter vedtaksloggen.",
            ),
            WebError::Internal(_) => (
                "Noe gikk galt hos oss",
                "Prøv igjen. Vedvarer feilen, kontakt den som drifter vedtaksloggen.",
            ),
        }
    }
}

/// The error page of an error.
pub fn page(error: &WebError) -> HttpResponse {
    if let WebError::SignIn { next } = error {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("neste", next)
            .finish();
        return super::see_other(&format!("/logg-inn?{query}"));
    }
    let status = error.status_code();
    let (heading, advice) = error.heading_and_advice();
    let message = match error {
        // The details of a bug are for the log, not the page.
        WebError::Internal(detail) => {
            log::error!("page failed: {detail}");
            "Siden kunne ikke vises på grunn av en feil i tjenesten.".to_owned()
        }
        WebError::Unavailable(detail) => {
            log::warn!("page unavailable: {detail}");
            detail.clone()
        }
        other => other.to_string(),
    };
    let history = match error {
        WebError::Gone { history, .. } => history.clone(),
        _ => None,
    };
    let (typed, sign_in): (&[(&'static str, String)], _) = match error {
        WebError::SessionEnded { next, typed } => {
            let query = form_urlencoded::Serializer::new(String::new())
                .append_pair("neste", next)
                .finish();
            (typed, Some(format!("/logg-inn?{query}")))
        }
        _ => (&[], None),
    };
    let page = ErrorPage {
        chrome: Chrome::anonymous(heading, section::NONE),
        heading,
        message,
        advice,
        history,
        typed,
        sign_in,
    };
    match page.render() {
        Ok(body) => super::html(status, body),
        Err(e) => {
            log::error!("the error page could not be rendered: {e}");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("Noe gikk galt.")
        }
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Gone { .. } => StatusCode::GONE,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::SignIn { .. } => StatusCode::SEE_OTHER,
            // Forbidden without a session; 401 would need an HTTP authentication scheme.
            WebError::SessionEnded { .. } => StatusCode::FORBIDDEN,
            WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        page(self)
    }
}
