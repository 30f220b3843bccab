//! `/api/v1/tokens`: API tokens, managed by admins.

use actix_web::{HttpResponse, delete, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Admin;
use super::params::text_segment;
use super::problem::{
    ApiError, BadRequest, Conflict, NotFound, PayloadTooLarge, Problem, Unprocessable,
    UnsupportedMediaType,
};
use super::types::{IssuedToken, Token};
use super::{JsonBody, StoreData};
use crate::store::tokens::{self, NewToken};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list).service(create).service(revoke);
}

/// List tokens
///
/// Every token, newest first, with its name, role, when it was created and last used, and
/// whether it is revoked. Secrets are never shown again. Needs the admin role.
#[utoipa::path(tag = "tokens", responses((status = 200, description = "The tokens", body = Vec<Token>)))]
#[get("/tokens")]
async fn list(_admin: Admin, store: StoreData) -> Result<web::Json<Vec<Token>>, ApiError> {
    Ok(web::Json(
        store
            .run(tokens::list)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Create a token
///
/// The answer holds the token's secret, the only time it is shown: only a hash of it is
/// stored. Roles: `reader` (AU, integrations) reads; `editor` (the secretariat) also writes;
/// `admin` also manages tokens. The name is how the history names changes made with the
/// token, and is unique among active tokens. Needs the admin role.
#[utoipa::path(
    tag = "tokens",
    request_body(content = NewToken, example = json!({"name": "AU", "role": "reader"})),
    responses(
        (status = 201, description = "Created; the secret is shown this once", body = IssuedToken),
        BadRequest, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
    )
)]
#[post("/tokens")]
async fn create(
    Admin(actor): Admin,
    store: StoreData,
    body: JsonBody<NewToken>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let issued: IssuedToken = store
        .run(move |conn| tokens::create(conn, new, &actor))
        .await?
        .into();
    log::info!(
        "token '{}' ({}) created",
        issued.token.name,
        issued.token.role
    );
    Ok(HttpResponse::Created().json(issued))
}

/// Revoke a token
///
/// By id, or by the name of an active token. A revoked token is refused from then on; it
/// stays in the list. The token the request is made with cannot revoke itself (409): that
/// takes another admin's token, or `vedtakslogg token revoke`. Needs the admin role.
#[utoipa::path(
    tag = "tokens",
    params(("token" = String, Path, description = "The token's id, or the name of an active token", example = "AU")),
    responses(
        (status = 200, description = "Revoked", body = Token),
        BadRequest, NotFound,
        (status = 409, description = "The token is the one the request is made with", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/tokens/{token}")]
async fn revoke(
    Admin(caller): Admin,
    store: StoreData,
    key: web::Path<String>,
) -> Result<web::Json<Token>, ApiError> {
    let key = text_segment(&key)?.to_owned();
    let token = store
        .run(move |conn| tokens::revoke_for(conn, &key, &caller))
        .await?;
    store.forget_callers();
    log::info!("token '{}' revoked", token.name);
    Ok(web::Json(token.into()))
}
