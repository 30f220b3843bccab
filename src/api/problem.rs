//! The one error type of the HTTP layer. Every error a client sees is an RFC 9457
//! `application/problem+json` body, mapped here and nowhere else; causes of server errors are
//! logged, not sent.

use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::ParseError;
use crate::store::StoreError;

/// A problem detail (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "about:blank",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "number: invalid case number '37/2x': expected NN/YY such as 37/23 or 09/24"
}))]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The HTTP status phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What was wrong, naming the field or parameter where there is one.
    pub detail: String,
    /// On 412: the version the record is at now; read it again, and send this as `If-Match`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i32>,
}

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Errors of the HTTP layer, each with one status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request cannot be read: malformed JSON, a bad query parameter or path segment.
    #[error("{0}")]
    BadRequest(String),
    /// No token, or one that is unknown or revoked.
    #[error("{0}")]
    Unauthorized(String),
    /// A token whose role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// The record was deleted.
    #[error("{0}")]
    Gone(String),
    /// `If-Match` names a version that is no longer current.
    #[error("{detail}")]
    PreconditionFailed {
        detail: String,
        current_version: i32,
    },
    /// A change without `If-Match`.
    #[error("{0}")]
    PreconditionRequired(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Well-formed input whose values are wrong: an invalid case number, an unknown owner.
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(detail) => ApiError::NotFound(detail),
            StoreError::Conflict(detail) => ApiError::Conflict(detail),
            StoreError::Invalid(detail) => ApiError::Unprocessable(detail),
            StoreError::Unavailable(detail) => ApiError::Unavailable(detail),
            StoreError::ConnectionLost => {
                ApiError::Unavailable("the connection to the database was lost".into())
            }
            StoreError::Gone(detail) => ApiError::Gone(detail),
            StoreError::VersionMismatch { expected, current } => ApiError::PreconditionFailed {
                detail: format!(
                    "the record has changed since you read it: If-Match names version {expected}, but it is at version {current}; read it again"
                ),
                current_version: current,
            },
            other => ApiError::Internal(Box::new(other)),
        }
    }
}

impl From<ParseError> for ApiError {
    fn from(error: ParseError) -> Self {
        ApiError::BadRequest(error.0)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let detail = match self {
            ApiError::Internal(cause) => {
                log::error!("internal error: {}", error_chain(cause.as_ref()));
                "the server failed to handle the request; the error is logged".to_owned()
            }
            ApiError::Unavailable(cause) => {
                log::warn!("service unavailable: {cause}");
                "the database is not available; try again shortly".to_owned()
            }
            other => other.to_string(),
        };
        let current_version = match self {
            ApiError::PreconditionFailed {
                current_version, ..
            } => Some(*current_version),
            _ => None,
        };
        let mut response = problem_response_with(status, detail, current_version);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            // Busy or briefly away: a client may try again in a moment.
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from_static("2"),
            );
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                actix_web::http::header::WWW_AUTHENTICATE,
                actix_web::http::header::HeaderValue::from_static("Bearer realm=\"vedtakslogg\""),
            );
        }
        response
    }
}

/// A problem+json response with this status and detail.
pub fn problem_response(status: StatusCode, detail: String) -> HttpResponse {
    problem_response_with(status, detail, None)
}

fn problem_response_with(
    status: StatusCode,
    detail: String,
    current_version: Option<i32>,
) -> HttpResponse {
    let problem = Problem {
        problem_type: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail,
        current_version,
    };
    HttpResponse::build(status)
        .insert_header(ContentType(
            PROBLEM_JSON.parse().expect("a valid media type"),
        ))
        .json(problem)
}

fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// OpenAPI response types for the problems, so that each endpoint lists its errors in one word.
macro_rules! problem_responses {
    ($($name:ident = $status:literal, $description:literal;)+) => {
        $(
            #[derive(utoipa::IntoResponses)]
            #[response(status = $status, description = $description, content_type = "application/problem+json")]
            #[allow(dead_code)]
            pub struct $name(#[to_schema] Problem);
        )+
    };
}

problem_responses! {
    BadRequest = 400, "The request cannot be read: malformed JSON, or an invalid query parameter or path segment.";
    Unauthorized = 401, "No token, or a token that is unknown or revoked (or, for reads, public reading is off).";
    Forbidden = 403, "The token's role does not allow this: readers only read; only admins manage tokens.";
    NotFound = 404, "No such record.";
    Gone = 410, "The record was deleted; its history remains at its history endpoint.";
    PreconditionFailed = 412, "If-Match names a version that is no longer current: someone changed the record since you read it. `current_version` says where it is now; read it again before changing it.";
    PreconditionRequired = 428, "The change has no If-Match: send the ETag of the record as you last read it.";
    Conflict = 409, "The change collides with the data as it is: a duplicate, or a record still in use.";
    PayloadTooLarge = 413, "The body is larger than 1 MiB.";
    UnsupportedMediaType = 415, "The body is not sent as application/json.";
    Unprocessable = 422, "The JSON is well-formed but a value is invalid: a missing field, an unknown enum value, an impossible date, an invalid case number, an unknown owner.";
    Unavailable = 503, "The database cannot be reached.";
    DocumentTooLarge = 413, "The document is larger than 20 MiB.";
    UnsupportedDocumentType = 415, "The body is sent with a Content-Type other than text/plain, the .docx type, application/pdf or application/octet-stream.";
    NotAMeetingDocument = 422, "The file cannot be read as a notice or minutes: it is neither UTF-8 text nor a readable .docx or PDF, or it has no agenda with case numbers, or no meeting date, or it is far larger than a meeting document; or (on an import, not a preview) most of its cases that are not postponed came out without decision points, the sign of a misread document, and `force=true` was not given (the detail lists the warnings). Nothing was written.";
}

impl From<crate::import::ImportError> for ApiError {
    fn from(error: crate::import::ImportError) -> Self {
        ApiError::Unprocessable(error.to_string())
    }
}
