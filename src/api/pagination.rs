//! Pages of a list: a `limit` with a maximum, an opaque cursor, and the total count.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problem::ApiError;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many items match the query in all pages.
    pub total: i64,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Where a page starts, decoded from a cursor, and how long it is.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub offset: i64,
    pub limit: i64,
    query: u64,
}

#[derive(Serialize, Deserialize)]
struct CursorData {
    /// The offset of the next item.
    o: i64,
    /// A fingerprint of the query the cursor was made for.
    q: u64,
}

impl PageRequest {
    /// `query` is a description of the filter and order; a cursor made for one query is
    /// refused for another.
    pub fn new(limit: Option<u32>, cursor: Option<&str>, query: &str) -> Result<Self, ApiError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(0) => return Err(ApiError::BadRequest("limit must be at least 1".into())),
            Some(l) if l > MAX_LIMIT => {
                return Err(ApiError::BadRequest(format!(
                    "limit must be at most {MAX_LIMIT}, got {l}"
                )));
            }
            Some(l) => l,
        };
        let fingerprint = fingerprint(query);
        let offset = match cursor.filter(|c| !c.is_empty()) {
            None => 0,
            Some(cursor) => {
                let invalid =
                    || ApiError::BadRequest("cursor: not a cursor returned by this list".into());
                let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
                let data: CursorData = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
                if data.q != fingerprint {
                    return Err(ApiError::BadRequest(
                        "cursor: it belongs to a list with other filters or another order; start again without it"
                            .into(),
                    ));
                }
                if data.o < 0 {
                    return Err(invalid());
                }
                data.o
            }
        };
        Ok(Self {
            offset,
            limit: i64::from(limit),
            query: fingerprint,
        })
    }

    /// Wraps the items of this page, with a cursor when more follow.
    pub fn page<T>(&self, items: Vec<T>, total: i64) -> Page<T> {
        let next = self.offset + items.len() as i64;
        let next_cursor = (!items.is_empty() && next < total).then(|| {
            let data = CursorData {
                o: next,
                q: self.query,
            };
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&data).unwrap_or_default())
        });
        Page {
            items,
            total,
            next_cursor,
        }
    }
}

/// FNV-1a: stable across builds and platforms, unlike the standard library's hasher.
fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_continues_where_the_page_ended() {
        let first = PageRequest::new(Some(2), None, "q").unwrap();
        let page = first.page(vec![1, 2], 5);
        let second = PageRequest::new(Some(2), page.next_cursor.as_deref(), "q").unwrap();
        assert_eq!(second.offset, 2);
        let last = PageRequest::new(Some(2), Some("eyJvIjo0LCJxIjowfQ"), "q");
        assert!(last.is_err(), "a cursor for another query is refused");
        assert!(second.page(vec![5], 5).next_cursor.is_some());
        let end = PageRequest::new(
            Some(2),
            second.page(vec![3, 4], 5).next_cursor.as_deref(),
            "q",
        )
        .unwrap();
        assert_eq!(end.page(vec![5], 5).next_cursor, None);
    }

    #[test]
    fn limit_and_cursor_are_checked() {
        assert!(PageRequest::new(Some(0), None, "").is_err());
        assert!(PageRequest::new(Some(MAX_LIMIT + 1), None, "").is_err());
        assert!(PageRequest::new(None, Some("not base64!"), "").is_err());
        assert_eq!(
            PageRequest::new(None, None, "").unwrap().limit,
            i64::from(DEFAULT_LIMIT)
        );
    }
}
