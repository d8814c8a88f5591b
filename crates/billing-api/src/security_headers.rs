//! The headers every answer carries (SPEC §14): a Content-Security-Policy
//! without inline script that forbids framing, `nosniff`, a Referrer-Policy,
//! and cache rules: API answers are never stored, `index.html` is always
//! revalidated, and the SPA's content-hashed files are cached for a year.

use axum::extract::Request;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The policy of the SPA's pages. Scripts only from this origin (the boot
/// module and wasm-bindgen's glue; `'wasm-unsafe-eval'` lets them compile
/// the wasm), no inline script or style, nothing may frame the portal,
/// and forms and `<base>` cannot send users elsewhere.
pub const PAGE_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The policy of everything else (JSON, PDFs): nothing in it may run or load.
pub const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// What a year of caching looks like for a file whose name carries its hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Where the answer came from, for its cache rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `/api/...`: per-user data, never stored.
    Api,
    /// A static file whose name carries a content hash (`main-0123…cdef.css`).
    HashedAsset,
    /// Any other page or file of the SPA (`index.html` above all).
    Page,
}

fn kind(path: &str) -> Kind {
    if path == "/api" || path.starts_with("/api/") {
        Kind::Api
    } else if is_hashed(path) {
        Kind::HashedAsset
    } else {
        Kind::Page
    }
}

/// Whether the file name has Trunk's `-<16 hex digits>` content hash.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let Some((stem, _ext)) = name.split_once('.') else {
        return false;
    };
    // wasm-bindgen names the module `<crate>-<hash>_bg.wasm`.
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The middleware: sets the headers on every answer, the router's own
/// errors and the static files included. `hsts` adds
/// `Strict-Transport-Security` (production, served over TLS).
pub async fn security_headers(hsts: bool, req: Request, next: Next) -> Response {
    let kind = kind(req.uri().path());
    let mut response = next.run(req).await;
    let ok = response.status().is_success() || response.status().is_redirection();
    let headers = response.headers_mut();
    let html = is_html(headers);
    let policy = if html { PAGE_POLICY } else { API_POLICY };
    set(headers, CONTENT_SECURITY_POLICY, policy);
    set(headers, X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, X_FRAME_OPTIONS, "DENY");
    set(headers, REFERRER_POLICY, "no-referrer");
    set(
        headers,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if hsts {
        set(headers, STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
    let cache = match kind {
        Kind::Api => "no-store",
        // A missing hashed file falls back to index.html: never cache that.
        Kind::HashedAsset if ok && !html => IMMUTABLE,
        Kind::HashedAsset | Kind::Page => "no-cache",
    };
    set(headers, CACHE_CONTROL, cache);
    response
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"))
}

fn set(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    headers.insert(name, HeaderValue::from_static(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_trunk_hashed_names_count_as_hashed() {
        assert!(is_hashed("/main-24d940f03825f65b.css"));
        assert!(is_hashed("/billing-portal-1d88743de44254f8_bg.wasm"));
        assert!(is_hashed("/billing-portal-1d88743de44254f8.js"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/boot.js"));
        assert!(!is_hashed("/billing/invoices/in_123"));
        assert!(!is_hashed("/main-24d940f03825f65.css"));
    }

    #[test]
    fn the_api_and_the_pages_are_told_apart() {
        assert_eq!(kind("/api/session"), Kind::Api);
        assert_eq!(kind("/api"), Kind::Api);
        assert_eq!(kind("/apix"), Kind::Page);
        assert_eq!(kind("/billing"), Kind::Page);
        assert_eq!(kind("/"), Kind::Page);
    }
}
