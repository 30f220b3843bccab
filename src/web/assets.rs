//! The stylesheets, built into the binary and served under a URL that holds a hash of their
//! content, so that a browser may keep them for a year and still never uses a stale one.

use std::sync::OnceLock;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};

/// A file served as it is.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

/// In the order the pages link them: the theme's tokens, the components, then our layout.
const ASSETS: &[Asset] = &[
    Asset {
        name: "designsystemet-theme.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/designsystemet/theme-digdir-1.11.0.css"),
    },
    Asset {
        name: "designsystemet.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/designsystemet/designsystemet-css-1.22.0.css"),
    },
    Asset {
        name: "vedtakslogg.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/vedtakslogg.css"),
    },
];

/// The hash part of each asset's URL, computed once.
fn hashes() -> &'static [String] {
    static HASHES: OnceLock<Vec<String>> = OnceLock::new();
    HASHES.get_or_init(|| {
        ASSETS
            .iter()
            .map(|asset| crate::domain::sha256_hex(asset.bytes)[..16].to_owned())
            .collect()
    })
}

/// The URLs of the stylesheets, for the `<link>`s of every page.
pub fn stylesheets() -> &'static [String] {
    static URLS: OnceLock<Vec<String>> = OnceLock::new();
    URLS.get_or_init(|| {
        ASSETS
            .iter()
            .zip(hashes())
            .filter(|(asset, _)| asset.name.ends_with(".css"))
            .map(|(asset, hash)| format!("/assets/{hash}/{}", asset.name))
            .collect()
    })
}

/// `GET /assets/{hash}/{name}`: the asset, if the hash is that of the version built in. An old
/// hash is a 404 rather than today's file: a page cached with it asks again and gets new URLs.
pub async fn serve(path: web::Path<(String, String)>) -> HttpResponse {
    let (hash, name) = path.into_inner();
    let found = ASSETS
        .iter()
        .zip(hashes())
        .find(|(asset, current)| asset.name == name && **current == hash);
    match found {
        Some((asset, _)) => HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, asset.content_type))
            .insert_header((CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .body(asset.bytes),
        None => HttpResponse::NotFound()
            .insert_header((CONTENT_TYPE, "text/plain; charset=utf-8"))
            .body("Finnes ikke."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stylesheet_has_a_hashed_url() {
        let urls = stylesheets();
        assert_eq!(urls.len(), 3);
        for url in urls {
            let hash = url.split('/').nth(2).unwrap();
            assert_eq!(hash.len(), 16, "{url}");
            assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{url}");
        }
    }
}
