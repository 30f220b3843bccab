//! Access control: who is calling, and what they may do.
//!
//! A middleware reads `Authorization: Bearer <token>` once per request and leaves the caller
//! in the request; the extractors [`Reader`], [`Editor`] and [`Admin`] then decide at once, so
//! that a caller without the right role is refused before its body is read.

use std::future::{Ready, ready};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, ResponseError, web};

use super::problem::ApiError;
use crate::domain::Role;
use crate::store::tokens::Caller;
use crate::store::{Store, Visibility};

/// How the service treats callers without a token.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccessSettings {
    /// Whether anyone may read what is public without a token.
    pub public_read: bool,
}

/// Authenticates the bearer token of a request, if it has one; a token that is unknown or
/// revoked is refused with 401 whatever the endpoint.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    // Operations and docs stay open, whatever token is sent to them.
    let path = req.path();
    if !path.starts_with("/api/v1/") || path == super::OPENAPI_PATH {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    match identify(&req).await {
        Ok(Some(caller)) => {
            req.extensions_mut().insert(caller);
        }
        Ok(None) => {}
        Err(error) => {
            let response = error.error_response();
            return Ok(req.into_response(response).map_into_right_body());
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// The caller a request's bearer token belongs to; `None` without a token.
async fn identify(req: &ServiceRequest) -> Result<Option<Caller>, ApiError> {
    let Some(header) = req.headers().get(actix_web::http::header::AUTHORIZATION) else {
        return match calendar_token(req) {
            // A URL ends up stored in calendar services: only a reader's token may be in one.
            Some(secret) => match lookup(req, secret).await? {
                caller if caller.role == crate::domain::Role::Reader => Ok(Some(caller)),
                _ => Err(ApiError::Unauthorized(
                    "a token in the URL of the calendar must be a reader's".into(),
                )),
            },
            None => Ok(None),
        };
    };
    let value = header.to_str().unwrap_or_default().trim();
    let secret = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized("the Authorization header must be 'Bearer <token>'".into())
        })?
        .to_owned();
    lookup(req, secret).await.map(Some)
}

/// The `access_token` query parameter of the calendar feed: calendar programs subscribe to a
/// URL and cannot send headers. It is accepted nowhere else, and the request log leaves query
/// strings out.
fn calendar_token(req: &ServiceRequest) -> Option<String> {
    if !req.path().ends_with("/calendar.ics") {
        return None;
    }
    form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(name, _)| name == "access_token")
        .map(|(_, value)| value.into_owned())
}

async fn lookup(req: &ServiceRequest, secret: String) -> Result<Caller, ApiError> {
    let store = req
        .app_data::<web::Data<Store>>()
        .cloned()
        .ok_or_else(|| ApiError::Unavailable("no store is configured".into()))?;
    store
        .authenticate(secret)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("the token is unknown or revoked".into()))
}

fn caller(req: &HttpRequest) -> Option<Caller> {
    req.extensions().get::<Caller>().cloned()
}

fn require(req: &HttpRequest, role: Role) -> Result<Caller, ApiError> {
    let caller = caller(req).ok_or_else(|| {
        ApiError::Unauthorized(format!("this needs a token with the {role} role"))
    })?;
    if caller.role.allows(role) {
        Ok(caller)
    } else {
        Err(ApiError::Forbidden(format!(
            "the token '{}' is a {}; this needs the {role} role",
            caller.name, caller.role
        )))
    }
}

/// A caller who may read: any token, or anyone when public reading is on (who then sees
/// only what is public).
pub struct Reader(pub Visibility);

impl FromRequest for Reader {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let public_read = req
            .app_data::<web::Data<AccessSettings>>()
            .is_some_and(|settings| settings.public_read);
        ready(match caller(req) {
            Some(_) => Ok(Reader(Visibility::All)),
            None if public_read => Ok(Reader(Visibility::PublicOnly)),
            None => Err(ApiError::Unauthorized(
                "reading the log needs a token; public reading is not switched on".into(),
            )),
        })
    }
}

/// A caller with the editor role (or admin); the name is who the history says made a change.
pub struct Editor(pub String);

impl FromRequest for Editor {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(require(req, Role::Editor).map(|caller| Editor(caller.name)))
    }
}

/// A caller with the admin role.
pub struct Admin(pub String);

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(require(req, Role::Admin).map(|caller| Admin(caller.name)))
    }
}

/// Any caller with a token, whatever its role; for the editorial parts of the API (proposals)
/// that are not for readers without one, even when public reading is on.
pub struct TokenHolder;

impl FromRequest for TokenHolder {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(require(req, Role::Reader).map(|_| TokenHolder))
    }
}
