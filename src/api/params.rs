//! Query and path parameter types shared by the handlers.

use std::str::FromStr;

use serde::{Deserialize, Deserializer};

use super::problem::ApiError;
use crate::domain::ParseError;

/// A comma-separated list in a query string: `status=open,in_progress`.
#[derive(Debug, Clone)]
pub struct CommaList<T>(pub Vec<T>);

impl<T> Default for CommaList<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, T> Deserialize<'de> for CommaList<T>
where
    T: FromStr<Err = ParseError>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| part.parse().map_err(serde::de::Error::custom))
            .collect::<Result<Vec<T>, D::Error>>()
            .map(CommaList)
    }
}

/// Parses a path segment, answering 400 with the parser's message when it does not parse.
pub fn path<T: FromStr<Err = ParseError>>(segment: &str) -> Result<T, ApiError> {
    text_segment(segment)?.parse().map_err(ApiError::from)
}

/// A path segment taken as text, refused when it holds control characters.
pub fn text_segment(segment: &str) -> Result<&str, ApiError> {
    if super::json::has_control_character(segment) {
        return Err(ApiError::BadRequest(
            "the path must not contain control characters".into(),
        ));
    }
    Ok(segment)
}

/// Query parameters of type `T`; an invalid one is answered with 400 and its name.
pub struct QueryParams<T>(pub T);

impl<T: serde::de::DeserializeOwned> actix_web::FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(QueryParams))
    }
}

/// Parses a query string, naming the parameter that is wrong.
pub fn parse_query<T: serde::de::DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    if let Some(part) = query
        .split('&')
        .flat_map(|pair| pair.splitn(2, '='))
        .find(|part| std::str::from_utf8(&percent_decoded(part)).is_err())
    {
        return Err(ApiError::BadRequest(format!(
            "the query string is not UTF-8 where it reads '{part}'"
        )));
    }
    let pairs = form_urlencoded::parse(query.as_bytes());
    if let Some((name, _)) = pairs.clone().find(|(name, value)| {
        super::json::has_control_character(name) || super::json::has_control_character(value)
    }) {
        return Err(ApiError::BadRequest(format!(
            "{name}: query parameters must not contain control characters"
        )));
    }
    serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs)).map_err(|error| {
        let path = error.path().to_string();
        let message = error.into_inner().to_string();
        if path == "." {
            ApiError::BadRequest(format!("query: {message}"))
        } else {
            ApiError::BadRequest(format!("{path}: {message}"))
        }
    })
}

/// The bytes a part of a query string stands for. `form_urlencoded` puts U+FFFD where they are
/// not UTF-8, and a search would then look for that: the bytes are checked first.
fn percent_decoded(part: &str) -> Vec<u8> {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}
