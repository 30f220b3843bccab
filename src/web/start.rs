//! `/`: the start page.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::{Chrome, WebError, section};

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    chrome: Chrome,
}

pub async fn page() -> Result<HttpResponse, WebError> {
    super::render(
        StatusCode::OK,
        &StartPage {
            chrome: Chrome::new("Oversikt", section::OVERVIEW),
        },
    )
}
