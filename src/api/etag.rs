//! Versions as ETags: responses carry `ETag: "<version>"`, and changes must send it back in
//! `If-Match`, so that two editors can never overwrite each other's change unseen.

use std::future::{Ready, ready};

use actix_web::body::{BodySize, BoxBody, MessageBody, to_bytes};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{ETAG, HeaderValue, IF_MATCH, IF_NONE_MATCH};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, HttpResponse, HttpResponseBuilder};

use super::problem::ApiError;

/// The strong ETag of a version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// A response with the ETag of the record's version.
pub fn tagged(mut builder: HttpResponseBuilder, version: i32) -> HttpResponseBuilder {
    builder.insert_header((ETAG, etag(version)));
    builder
}

/// A JSON response with the ETag of the record's version.
pub fn tagged_json<T: serde::Serialize>(
    builder: HttpResponseBuilder,
    version: i32,
    body: &T,
) -> HttpResponse {
    tagged(builder, version).json(body)
}

/// Gives every successful GET of the API that is not streamed an `ETag` (the record's version
/// where it has one, a hash of the body otherwise) and answers `If-None-Match` with 304 when nothing changed, so
/// that a client polling a list pays for the body only when it changed.
pub async fn conditional_get(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let is_api_get = req.method() == Method::GET && req.path().starts_with("/api/v1/");
    let if_none_match = req
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let response = next.call(req).await?;
    if !is_api_get || response.status() != StatusCode::OK {
        return Ok(response.map_into_boxed_body());
    }
    // A streamed body (the report, the calendar) is sent as it is read, not held to be hashed:
    // it can be the whole log.
    if matches!(response.response().body().size(), BodySize::Stream) {
        return Ok(response.map_into_boxed_body());
    }
    // A body whose tag its handler made when it rendered it once for many requests (the
    // dashboard counts) is not hashed again at every request.
    let whole_body_tag = response
        .response()
        .extensions()
        .get::<WholeBodyTag>()
        .map(|WholeBodyTag(tag)| tag.clone());
    if let Some(tag) = whole_body_tag {
        if if_none_match
            .as_deref()
            .is_some_and(|header| matches_tag(header, &tag))
        {
            return Ok(ServiceResponse::new(
                response.into_parts().0,
                not_modified(tag),
            ));
        }
        return Ok(response.map_into_boxed_body());
    }
    let (request, response) = response.into_parts();
    let (mut head, body) = response.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.into().to_string()))?;
    // A record's body shows other records too (a case its points, a point its owners), so
    // the tag is its version and a hash of the body: If-Match reads the version, If-None-Match
    // the whole.
    let hash = super::pagination::fingerprint_bytes(&bytes);
    let tag = match head.headers().get(ETAG).and_then(|v| v.to_str().ok()) {
        Some(version) => format!("\"{}.{hash:016x}\"", version.trim_matches('"')),
        None => weak_tag(hash),
    };
    if let Ok(value) = HeaderValue::from_str(&tag) {
        head.headers_mut().insert(ETAG, value);
    }
    if if_none_match
        .as_deref()
        .is_some_and(|header| matches_tag(header, &tag))
    {
        return Ok(ServiceResponse::new(request, not_modified(tag)));
    }
    Ok(ServiceResponse::new(
        request,
        head.set_body(bytes).map_into_boxed_body(),
    ))
}

/// The weak tag of a body without a version: a hash of its bytes.
pub fn body_tag(bytes: &[u8]) -> String {
    weak_tag(super::pagination::fingerprint_bytes(bytes))
}

fn weak_tag(hash: u64) -> String {
    format!("W/\"{hash:016x}\"")
}

/// Marks a response whose `ETag` header its handler set to [`body_tag`] of the whole body.
#[derive(Clone)]
pub struct WholeBodyTag(pub String);

/// Whether an `If-None-Match` header names the tag (weakly compared, as RFC 9110 has it).
fn matches_tag(header: &str, tag: &str) -> bool {
    header.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.trim_start_matches("W/") == tag.trim_start_matches("W/")
    })
}

fn not_modified(tag: String) -> HttpResponse {
    let mut not_modified = HttpResponse::NotModified();
    not_modified.insert_header((ETAG, tag));
    not_modified.finish()
}

/// The version a change is made against, from `If-Match`; required.
pub struct IfMatch(pub i32);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req).and_then(|version| {
            version.map(IfMatch).ok_or_else(|| {
                ApiError::PreconditionRequired(
                    "send If-Match with the ETag of the record as you last read it".into(),
                )
            })
        }))
    }
}

/// The version a deletion is made against, from `If-Match`, when given.
pub struct OptionalIfMatch(pub Option<i32>);

impl FromRequest for OptionalIfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req).map(OptionalIfMatch))
    }
}

fn parse(req: &HttpRequest) -> Result<Option<i32>, ApiError> {
    let Some(value) = req.headers().get(IF_MATCH) else {
        return Ok(None);
    };
    let invalid = || {
        ApiError::BadRequest(
            "If-Match must be one ETag as returned by the API, such as \"3\"".into(),
        )
    };
    let text = value.to_str().map_err(|_| invalid())?.trim();
    if text.is_empty() {
        // An empty header names no version: as if none was sent.
        return Ok(None);
    }
    if text == "*" {
        return Err(ApiError::PreconditionRequired(
            "If-Match: * would overwrite any version; send the ETag of the record as you last read it".into(),
        ));
    }
    let tag = text.strip_prefix("W/").unwrap_or(text);
    // "3" from a change, or "3.<hash>" from a read: the version is what counts.
    let version = tag
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .ok_or_else(invalid)?
        .split('.')
        .next()
        .unwrap_or_default()
        .parse::<i32>()
        .map_err(|_| invalid())?;
    Ok(Some(version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn parsed(value: &str) -> Result<Option<i32>, String> {
        let req = TestRequest::default()
            .insert_header((IF_MATCH, value))
            .to_http_request();
        parse(&req).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_strong_and_weak_etags_and_refuses_others() {
        assert_eq!(parsed("\"3\""), Ok(Some(3)));
        assert_eq!(parsed("W/\"12\""), Ok(Some(12)));
        assert_eq!(parsed("\"4.00ff00ff00ff00ff\""), Ok(Some(4)));
        assert!(parsed("*").is_err());
        assert!(parsed("3").is_err());
        assert!(parsed("\"3\", \"4\"").is_err());
        assert_eq!(etag(7), "\"7\"");
    }
}
