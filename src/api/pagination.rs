//! Pages of a list: a `limit` with a maximum, an opaque cursor, and the total count.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problem::ApiError;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many items match the query in all pages; for decision points counted up to 1,000,
    /// and past that 1,000 with `total_exact` false.
    pub total: i64,
    /// False when `total` is a lower bound: more items match than were counted.
    pub total_exact: bool,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Where a page starts, decoded from a cursor, and how long it is. `K` is the sort key of the
/// last item of the previous page, as the store defines it.
#[derive(Debug, Clone)]
pub struct PageRequest<K> {
    pub after: Option<K>,
    pub limit: i64,
    query: u64,
}

#[derive(Serialize, Deserialize)]
struct CursorData<K> {
    /// The sort key of the last item before the page.
    k: K,
    /// A fingerprint of the query the cursor was made for.
    q: u64,
}

/// The length of a list asked for: `DEFAULT_LIMIT` when not given, at most `MAX_LIMIT`.
pub fn checked_limit(limit: Option<u32>) -> Result<i64, ApiError> {
    checked_limit_within(limit, DEFAULT_LIMIT, MAX_LIMIT)
}

/// The length of a list asked for: `default` when not given, at most `max`.
fn checked_limit_within(limit: Option<u32>, default: u32, max: u32) -> Result<i64, ApiError> {
    match limit {
        None => Ok(i64::from(default)),
        Some(0) => Err(ApiError::BadRequest("limit must be at least 1".into())),
        Some(l) if l > max => Err(ApiError::BadRequest(format!(
            "limit must be at most {max}, got {l}"
        ))),
        Some(l) => Ok(i64::from(l)),
    }
}

impl<K: Serialize + DeserializeOwned> PageRequest<K> {
    /// `query` is a description of the filter and order; a cursor made for one query is
    /// refused for another.
    pub fn new(limit: Option<u32>, cursor: Option<&str>, query: &str) -> Result<Self, ApiError> {
        Self::within(limit, (DEFAULT_LIMIT, MAX_LIMIT), cursor, query)
    }

    /// As [`Self::new`], for a list whose pages are longer: `limits` is the default and the
    /// largest `limit`.
    pub fn within(
        limit: Option<u32>,
        (default, max): (u32, u32),
        cursor: Option<&str>,
        query: &str,
    ) -> Result<Self, ApiError> {
        let limit = checked_limit_within(limit, default, max)?;
        let fingerprint = fingerprint(query);
        let after = match cursor.filter(|c| !c.is_empty()) {
            None => None,
            Some(cursor) => {
                let invalid =
                    || ApiError::BadRequest("cursor: not a cursor returned by this list".into());
                let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
                let data: CursorData<K> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
                if data.q != fingerprint {
                    return Err(ApiError::BadRequest(
                        "cursor: it belongs to a list with other filters or another order; start again without it"
                            .into(),
                    ));
                }
                Some(data.k)
            }
        };
        Ok(Self {
            after,
            limit,
            query: fingerprint,
        })
    }

    /// Wraps a page from the store, with a cursor when another page follows.
    /// The page to answer, its items turned into the API's form.
    pub fn page<S, T: From<S>>(&self, page: crate::store::Page<S, K>) -> Page<T> {
        let next_cursor = page.next.map(|k| self.cursor(k));
        Page {
            items: page.items.into_iter().map(T::from).collect(),
            total: page.total.value,
            total_exact: page.total.exact,
            next_cursor,
        }
    }
}

impl<K: Serialize> PageRequest<K> {
    /// The cursor of the page that follows the key `after`, for this query.
    pub fn cursor(&self, after: K) -> String {
        let data = CursorData {
            k: after,
            q: self.query,
        };
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&data).unwrap_or_default())
    }
}

/// Checks a request for changes since a time: a mirror must see every change of every record
/// it holds, and a view that hides some records (anonymous public reading) would leave it
/// stale. Filters may go with it: they narrow the changes to the records that match them now,
/// as the parameter's description tells.
pub fn check_mirror(visibility: crate::store::Visibility) -> Result<(), ApiError> {
    if visibility != crate::store::Visibility::All {
        return Err(ApiError::Unauthorized(
            "mirroring with updated_since needs a token".into(),
        ));
    }
    Ok(())
}

/// A page as a response, with a `Link` header to the next page when there is one.
pub fn respond<T: Serialize>(
    req: &actix_web::HttpRequest,
    page: Page<T>,
) -> actix_web::HttpResponse {
    let mut response = actix_web::HttpResponse::Ok();
    if let Some(cursor) = &page.next_cursor {
        response.insert_header(next_link(req, cursor));
    }
    response.json(page)
}

/// The address of the next page: this request's, with `cursor` in place of its own.
pub fn next_url(req: &actix_web::HttpRequest, cursor: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if name != "cursor" {
            query.append_pair(&name, &value);
        }
    }
    query.append_pair("cursor", cursor);
    format!("{}?{}", req.path(), query.finish())
}

/// The `Link` header to the next page.
pub fn next_link(
    req: &actix_web::HttpRequest,
    cursor: &str,
) -> (actix_web::http::header::HeaderName, String) {
    (
        actix_web::http::header::LINK,
        format!("<{}>; rel=\"next\"", next_url(req, cursor)),
    )
}

/// FNV-1a: stable across builds and platforms, unlike the standard library's hasher.
pub(crate) fn fingerprint(text: &str) -> u64 {
    fingerprint_bytes(text.as_bytes())
}

/// FNV-1a of bytes.
pub(crate) fn fingerprint_bytes(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .copied()
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Page as StorePage;

    fn store_page(next: Option<i64>) -> StorePage<i64, i64> {
        StorePage {
            items: vec![1, 2],
            total: crate::store::Count::exactly(5),
            next,
        }
    }

    #[test]
    fn cursor_carries_the_key_of_the_last_item() {
        let first = PageRequest::<i64>::new(Some(2), None, "q").unwrap();
        assert_eq!(first.after, None);
        let page: Page<i64> = first.page(store_page(Some(2)));
        let second = PageRequest::<i64>::new(Some(2), page.next_cursor.as_deref(), "q").unwrap();
        assert_eq!(second.after, Some(2));
        let last: Page<i64> = second.page(store_page(None));
        assert_eq!(last.next_cursor, None);
        let other_query = PageRequest::<i64>::new(Some(2), page.next_cursor.as_deref(), "other");
        assert!(
            other_query.is_err(),
            "a cursor for another query is refused"
        );
    }

    #[test]
    fn limit_and_cursor_are_checked() {
        assert!(PageRequest::<i64>::new(Some(0), None, "").is_err());
        assert!(PageRequest::<i64>::new(Some(MAX_LIMIT + 1), None, "").is_err());
        assert!(PageRequest::<i64>::new(None, Some("not base64!"), "").is_err());
        assert!(PageRequest::<String>::new(None, Some("eyJrIjoxLCJxIjoxfQ"), "").is_err());
        assert_eq!(
            PageRequest::<i64>::new(None, None, "").unwrap().limit,
            i64::from(DEFAULT_LIMIT)
        );
    }
}
