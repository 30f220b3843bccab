//! Versions as ETags: responses carry `ETag: "<version>"`, and changes must send it back in
//! `If-Match`, so that two editors can never overwrite each other's change unseen.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::{ETAG, IF_MATCH};
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
    if text == "*" {
        return Err(ApiError::PreconditionRequired(
            "If-Match: * would overwrite any version; send the ETag of the record as you last read it".into(),
        ));
    }
    let tag = text.strip_prefix("W/").unwrap_or(text);
    let version = tag
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .ok_or_else(invalid)?
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
        assert!(parsed("*").is_err());
        assert!(parsed("3").is_err());
        assert!(parsed("\"3\", \"4\"").is_err());
        assert_eq!(etag(7), "\"7\"");
    }
}
