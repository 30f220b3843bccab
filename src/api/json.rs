//! The JSON body extractor: reads at most [`MAX_BODY_BYTES`], and tells a client which field
//! was wrong and why, with 400 for JSON that cannot be read and 422 for values that are wrong.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use serde::de::DeserializeOwned;

use super::problem::ApiError;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A JSON request body of type `T`.
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json_type =
            req.mime_type().ok().flatten().is_some_and(|mime| {
                mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON)
            });
        let bytes = Bytes::from_request(req, payload);
        Box::pin(async move {
            if !json_type {
                return Err(ApiError::UnsupportedMediaType(
                    "the body must be JSON, sent with Content-Type: application/json".into(),
                ));
            }
            let bytes = bytes
                .await
                .map_err(|e| match e.as_error::<PayloadError>() {
                    Some(PayloadError::Overflow) => too_large(),
                    _ => ApiError::BadRequest(format!("the request body could not be read: {e}")),
                })?;
            parse(&bytes).map(JsonBody)
        })
    }
}

fn too_large() -> ApiError {
    ApiError::PayloadTooLarge(format!(
        "the request body is larger than {} bytes (1 MiB)",
        MAX_BODY_BYTES
    ))
}

/// Parses a JSON document into `T`, naming the path of a wrong value.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    use serde_json::error::Category;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest(
            "the request body is empty; a JSON object is expected".into(),
        ));
    }
    // Parsed in two steps: syntax first (400, a key given twice too, since which of the two
    // counts is a guess), then texts that no record holds: control characters, which
    // PostgreSQL cannot store, and texts over MAX_TEXT_CHARS; then the values (422).
    let Strict(document) = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    if let Some((path, why)) = refused_text_path(&document, String::new()) {
        return Err(ApiError::Unprocessable(format!("{path}: {why}")));
    }
    serde_path_to_error::deserialize(document).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let message = explain(&inner.to_string());
        match inner.classify() {
            Category::Data | Category::Syntax | Category::Eof | Category::Io if path != "." => {
                ApiError::Unprocessable(format!("{path}: {message}"))
            }
            _ => ApiError::Unprocessable(message),
        }
    })
}

/// Whether text holds a control character that has no place in a record.
pub fn has_control_character(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// The longest text a record holds, in characters: the longest narrative of a case in ASU's
/// documents is 7,000. A longer text is a mistake (or an attack) that no list or report should
/// have to carry.
pub const MAX_TEXT_CHARS: usize = 100_000;

/// Why a text has no place in a record, if it has none.
fn refused_text(text: &str) -> Option<String> {
    if has_control_character(text) {
        return Some(
            "text must not contain control characters other than tab and line breaks".into(),
        );
    }
    let chars = text.chars().count();
    (chars > MAX_TEXT_CHARS)
        .then(|| format!("text is {chars} characters long; at most {MAX_TEXT_CHARS} are kept"))
}

/// The path of the first string (or key) in a JSON document that no record may hold, and why.
fn refused_text_path(value: &serde_json::Value, path: String) -> Option<(String, String)> {
    use serde_json::Value;
    let here = || {
        if path.is_empty() {
            ".".to_owned()
        } else {
            path.clone()
        }
    };
    match value {
        Value::String(text) => refused_text(text).map(|why| (here(), why)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| refused_text_path(item, format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let field = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            match refused_text(key) {
                Some(why) => Some((field, why)),
                None => refused_text_path(item, field),
            }
        }),
        _ => None,
    }
}

/// A JSON document read with every key of an object at most once. serde_json keeps the last
/// of a repeated key without a word, so `{"status": "done", "status": "open"}` would be taken
/// as one of them, silently.
struct Strict(serde_json::Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(items.into())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if fields.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the key `{key}` is given twice"
                )));
            }
            let Strict(value) = map.next_value()?;
            fields.insert(key, value);
        }
        Ok(fields.into())
    }
}

/// serde_json appends the position to its messages; a client wants the field instead.
fn explain(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    };
    message.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::writes::decisions::NewDecision;

    fn detail(result: Result<NewDecision, ApiError>) -> (u16, String) {
        use actix_web::ResponseError;
        let error = result.expect_err("an error");
        (error.status_code().as_u16(), error.to_string())
    }

    #[test]
    fn malformed_json_is_400_and_wrong_values_are_422_with_the_field() {
        assert_eq!(detail(parse(b"{\"case_id\": ")).0, 400);
        assert_eq!(detail(parse(b"  ")).0, 400);
        let (status, message) = detail(parse(
            br#"{"case_id": "6b1d1b0f-0a11-4d6e-9d55-6f1c7c523b0e", "position": "2", "text": "x", "kind": "assignment", "deadline": "2024-02-31"}"#,
        ));
        assert_eq!(status, 422);
        assert!(
            message.starts_with("deadline: invalid date '2024-02-31': no such day"),
            "{message}"
        );
        let (status, message) = detail(parse(br#"{"position": "2"}"#));
        assert_eq!(status, 422);
        assert!(message.contains("missing field `text`"), "{message}");
        let (status, message) = detail(parse(br#"{"position": "2", "position": "3"}"#));
        assert_eq!(status, 400);
        assert!(
            message.contains("the key `position` is given twice"),
            "{message}"
        );
        let long = format!(r#"{{"position": "2", "text": "{}"}}"#, "x".repeat(100_001));
        let (status, message) = detail(parse(long.as_bytes()));
        assert_eq!(
            (status, message.as_str()),
            (
                422,
                "text: text is 100001 characters long; at most 100000 are kept"
            )
        );
        let (status, message) = detail(parse(
            br#"{"position": "2", "owners": [{"owner": "AU\u0000"}]}"#,
        ));
        assert_eq!(
            (status, message.as_str()),
            (
                422,
                "owners[0].owner: text must not contain control characters other than tab and line breaks"
            )
        );
    }
}
