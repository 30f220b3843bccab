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
    segment.parse().map_err(ApiError::from)
}
