//! The built SPA as the API serves it: precompressed files with their
//! `Content-Encoding`, hashed files kept a year, `index.html` revalidated.

use crate::helpers::spawn_app_serving;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING};
use reqwest::StatusCode;

const HASHED: &str = "billing-portal-0123456789abcdef.js";

fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
    write("index.html", b"<!DOCTYPE html><title>portal</title>");
    write("index.html.br", b"brotli index");
    write(HASHED, b"console.log(1)");
    write(&format!("{HASHED}.br"), b"brotli js");
    write(&format!("{HASHED}.gz"), b"gzip js");
    dir
}

#[tokio::test]
async fn hashed_assets_are_kept_a_year_and_sent_precompressed() {
    let files = dist();
    let app = spawn_app_serving(files.path().to_path_buf()).await;
    let http = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();
    let get = |path: &str, encoding: &'static str| {
        http.get(format!("{}{path}", app.address))
            .header(ACCEPT_ENCODING, encoding)
            .send()
    };

    let js = get(&format!("/{HASHED}"), "br, gzip").await.unwrap();
    assert_eq!(js.status(), StatusCode::OK);
    assert_eq!(js.headers()[CONTENT_ENCODING], "br");
    assert_eq!(
        js.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(js.bytes().await.unwrap().as_ref(), b"brotli js");

    let js = get(&format!("/{HASHED}"), "gzip").await.unwrap();
    assert_eq!(js.headers()[CONTENT_ENCODING], "gzip");
    assert_eq!(js.bytes().await.unwrap().as_ref(), b"gzip js");

    let plain = get(&format!("/{HASHED}"), "identity").await.unwrap();
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"console.log(1)");

    // The page itself, and a deep link answered with it, are revalidated.
    for path in ["/", "/index.html", "/billing/subscription"] {
        let page = get(path, "br").await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert_eq!(page.headers()[CACHE_CONTROL], "no-cache", "{path}");
        assert_eq!(page.headers()[CONTENT_ENCODING], "br", "{path}");
    }
    // A missing hashed file is not cached for a year.
    let missing = get("/gone-fedcba9876543210.js", "br").await.unwrap();
    assert_ne!(
        missing.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
}
