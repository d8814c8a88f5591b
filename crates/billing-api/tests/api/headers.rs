//! The security and cache headers of API answers, pages and static files
//! (SPEC §14).

use crate::helpers::{spawn_app, spawn_app_configured, TestApp};
use reqwest::StatusCode;

/// An app serving a small built SPA: `index.html`, a content-hashed
/// stylesheet and the unhashed boot script.
async fn app_with_spa() -> (TestApp, tempfile::TempDir) {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!DOCTYPE html><html><head><script type=\"module\" src=\"/boot.js\"></script></head><body></body></html>",
    )
    .unwrap();
    std::fs::write(dist.path().join("main-0123456789abcdef.css"), "body{}").unwrap();
    std::fs::write(dist.path().join("boot.js"), "export {};").unwrap();
    let path = dist.path().to_path_buf();
    let app = spawn_app_configured(move |c| c.dist = Some(path), None).await;
    (app, dist)
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} header on {}", res.url()))
        .to_string()
}

fn assert_common(res: &reqwest::Response) {
    assert_eq!(
        header(res, "x-content-type-options"),
        "nosniff",
        "{}",
        res.url()
    );
    assert_eq!(
        header(res, "referrer-policy"),
        "no-referrer",
        "{}",
        res.url()
    );
    assert_eq!(header(res, "x-frame-options"), "DENY", "{}", res.url());
    assert!(
        header(res, "content-security-policy").contains("frame-ancestors 'none'"),
        "{}",
        res.url()
    );
}

#[tokio::test]
async fn every_api_answer_is_never_stored_and_cannot_be_framed_or_sniffed() {
    let app = spawn_app().await;
    let client = app.client();
    let answers = [
        client.get("/api/health").send().await.unwrap(),
        client.get("/api/catalog").send().await.unwrap(),
        client.get("/api/session").send().await.unwrap(),
        client.get("/api/no-such-route").send().await.unwrap(),
        client
            .post("/api/session")
            .json(&serde_json::json!({ "email": "x@example.test", "password": "y" }))
            .send()
            .await
            .unwrap(),
        client.put("/api/session").send().await.unwrap(),
    ];
    for res in &answers {
        assert_common(res);
        assert_eq!(header(res, "cache-control"), "no-store", "{}", res.url());
        // Nothing in a JSON answer may run or load anything.
        assert!(
            header(res, "content-security-policy").starts_with("default-src 'none'"),
            "{}",
            res.url()
        );
    }
    let statuses: Vec<StatusCode> = answers.iter().map(|r| r.status()).collect();
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::UNAUTHORIZED,
            StatusCode::NOT_FOUND,
            StatusCode::UNAUTHORIZED,
            StatusCode::METHOD_NOT_ALLOWED,
        ]
    );
}

#[tokio::test]
async fn pages_carry_a_policy_without_inline_script_and_are_revalidated() {
    let (app, _dist) = app_with_spa().await;
    let client = app.client();
    for path in ["/", "/index.html", "/sign-in", "/billing/invoices/in_123"] {
        let res = client.get(path).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(
            header(&res, "content-type").starts_with("text/html"),
            "{path}"
        );
        assert_common(&res);
        let csp = header(&res, "content-security-policy");
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("object-src 'none'"), "{path}: {csp}");
        assert!(csp.contains("base-uri 'none'"), "{path}: {csp}");
        assert_eq!(header(&res, "cache-control"), "no-cache", "{path}");
    }
}

#[tokio::test]
async fn hashed_files_are_cached_for_a_year_and_the_others_revalidated() {
    let (app, _dist) = app_with_spa().await;
    let client = app.client();
    let css = client
        .get("/main-0123456789abcdef.css")
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert_common(&css);
    assert_eq!(
        header(&css, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    let boot = client.get("/boot.js").send().await.unwrap();
    assert_eq!(boot.status(), StatusCode::OK);
    assert_eq!(header(&boot, "cache-control"), "no-cache");
    // A hashed name that is not there falls back to index.html, which must
    // not be cached under that name for a year.
    let missing = client
        .get("/main-fedcba9876543210.css")
        .send()
        .await
        .unwrap();
    assert!(header(&missing, "content-type").starts_with("text/html"));
    assert_eq!(header(&missing, "cache-control"), "no-cache");
}
