//! The JSON error format for every failure (SPEC §9).

use crate::helpers::{expect_error, spawn_app, spawn_app_with};
use billing_api::config::Mode;
use reqwest::StatusCode;

async fn post_session_raw(app: &crate::helpers::TestApp, body: &'static str) -> reqwest::Response {
    app.client()
        .post("/api/session")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn malformed_json_is_a_400_in_the_error_format() {
    let app = spawn_app().await;
    let body = expect_error(
        post_session_raw(&app, r#"{"email": "a@b.test", "#).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(body.error.kind, "invalid_request_error");
    assert_eq!(body.error.code, "malformed_json");
    assert!(!body.error.message.is_empty());
}

#[tokio::test]
async fn unknown_missing_and_mistyped_fields_are_400s_naming_the_field() {
    let app = spawn_app().await;
    let cases = [
        (
            r#"{"email":"a@b.test","password":"x","remember":true}"#,
            "unknown_field",
            "remember",
        ),
        (r#"{"email":"a@b.test"}"#, "missing_field", "password"),
        (r#"{"email":42,"password":"x"}"#, "invalid_value", "email"),
        (r#"{"email":"","password":"x"}"#, "required", "email"),
        (
            r#"{"email":"not-an-email","password":"x"}"#,
            "invalid_email",
            "email",
        ),
        (
            r#"{"email":"a@b.test","password":""}"#,
            "required",
            "password",
        ),
    ];
    for (raw, code, param) in cases {
        let body = expect_error(post_session_raw(&app, raw).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(body.error.code, code, "{raw}");
        assert_eq!(body.error.param.as_deref(), Some(param), "{raw}");
        assert!(
            body.error.message.contains(param),
            "{raw}: {}",
            body.error.message
        );
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused() {
    let app = spawn_app().await;
    let res = app
        .client()
        .post("/api/session")
        .header("content-type", "text/plain")
        .body("email=a")
        .send()
        .await
        .unwrap();
    let body = expect_error(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert_eq!(body.error.code, "unsupported_media_type");
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let app = spawn_app().await;
    let huge = format!(
        r#"{{"email":"a@b.test","password":"{}"}}"#,
        "x".repeat(200_000)
    );
    let res = app
        .client()
        .post("/api/session")
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::PAYLOAD_TOO_LARGE).await;
}

#[tokio::test]
async fn unknown_api_routes_and_methods_answer_json() {
    let app = spawn_app().await;
    let body = expect_error(
        app.client().get("/api/unknown").send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(body.error.code, "not_found");
    let res = app.client().put("/api/health").send().await.unwrap();
    expect_error(res, StatusCode::METHOD_NOT_ALLOWED).await;
}

#[tokio::test]
async fn a_method_no_route_takes_is_a_405_signed_in_too() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    for (method, path) in [
        (reqwest::Method::TRACE, "/api/health"),
        (reqwest::Method::TRACE, "/api/billing/overview"),
        (reqwest::Method::PUT, "/api/catalog"),
        (reqwest::Method::PUT, "/api/subscription/changes"),
    ] {
        let res = owner.request(method.clone(), path).send().await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn every_operation_documents_the_answers_of_keys_and_bodies() {
    let app = spawn_app().await;
    let (_, doc) = app.client().get_json("/api/openapi.json").await;
    let mut keyed = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let takes_key = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"));
            if takes_key {
                keyed += 1;
                for code in ["400", "409", "422"] {
                    assert!(responses.contains_key(code), "{method} {path}: {code}");
                }
            }
            if op.get("requestBody").is_some() {
                for code in ["413", "415"] {
                    assert!(responses.contains_key(code), "{method} {path}: {code}");
                }
            }
        }
    }
    assert!(keyed > 10, "only {keyed} operations take a key");
}

#[tokio::test]
async fn test_routes_exist_only_in_test_mode() {
    let test = spawn_app().await;
    assert_eq!(
        test.client()
            .post("/api/test/accounts")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::CREATED
    );
    let dev = spawn_app_with(Mode::Dev, false).await;
    expect_error(
        dev.client()
            .post("/api/test/accounts")
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    let (_, doc) = dev.client().get_json("/api/openapi.json").await;
    assert!(doc["paths"].get("/api/test/accounts").is_none());
}

#[tokio::test]
async fn health_and_the_openapi_document_describe_every_route() {
    let app = spawn_app().await;
    let (status, health) = app.client().get_json("/api/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["mode"], "test");
    let (status, doc) = app.client().get_json("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/session", "post"),
        ("/api/session", "get"),
        ("/api/session", "delete"),
        ("/api/billing/overview", "get"),
        ("/api/members", "get"),
        ("/api/members/{id}", "patch"),
        ("/api/account/billing-contacts", "get"),
        ("/api/health", "get"),
        ("/api/catalog", "get"),
        ("/api/openapi.json", "get"),
        ("/api/test/accounts", "post"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path}"
        );
    }
}
