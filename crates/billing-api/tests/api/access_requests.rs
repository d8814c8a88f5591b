//! A member asks for billing access; the owner grants or declines.

use crate::helpers::{expect_error, spawn_app};
use billing_domain::wire::{AccessRequest, AccessRequestList, AccessRequestStatus};
use billing_domain::BillingAccess;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_member_asks_once_the_owner_grants_and_both_are_emailed() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let member = app.signed_in(&account, "member").await;
    let res = member
        .post("/api/access-requests")
        .json(&json!({ "note": "I reconcile invoices." }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let request: AccessRequest = res.json().await.unwrap();
    assert_eq!(
        (request.status, request.note.as_str()),
        (AccessRequestStatus::Open, "I reconcile invoices.")
    );

    // A second press says it is pending.
    let again = member
        .post("/api/access-requests")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let err = expect_error(again, StatusCode::CONFLICT).await;
    assert_eq!(err.error.code, "access_request_pending");
    let (_, mine) = member.get_json("/api/access-requests/mine").await;
    assert_eq!(mine["data"][0]["id"], request.id);

    let emails = app.emails(&account).await;
    let asked = emails
        .iter()
        .find(|e| e.kind == "billing_access_request")
        .expect("owner e-mailed");
    assert_eq!(asked.to, account.user("owner").unwrap().email);
    assert!(asked.body.contains("I reconcile invoices."));

    let owner = app.signed_in(&account, "owner").await;
    let list: AccessRequestList = owner
        .get("/api/access-requests")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.data.len(), 1);
    assert_eq!(list.data[0].user_name, "Max Member");
    let res = owner
        .post(&format!("/api/access-requests/{}/grant", request.id))
        .json(&json!({ "billing_access": "read" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let decided: AccessRequest = res.json().await.unwrap();
    assert_eq!(
        (decided.status, decided.granted),
        (AccessRequestStatus::Granted, Some(BillingAccess::Read))
    );
    // The member's very next request sees billing.
    assert_eq!(
        member
            .get("/api/billing/overview")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.count_emails(&account, "billing_access_granted").await,
        1
    );
    // Decided once only.
    let res = owner
        .post(&format!("/api/access-requests/{}/decline", request.id))
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::CONFLICT).await;
    // And the member may ask again later.
    let (_, mine) = member.get_json("/api/access-requests/mine").await;
    assert!(mine["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_declined_request_changes_nothing_but_tells_the_member() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let member = app.signed_in(&account, "member").await;
    let request: AccessRequest = member
        .post("/api/access-requests")
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let owner = app.signed_in(&account, "owner").await;
    let res = owner
        .post(&format!("/api/access-requests/{}/decline", request.id))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        member
            .get("/api/billing/overview")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.count_emails(&account, "billing_access_declined").await,
        1
    );
}

#[tokio::test]
async fn notes_are_limited_and_managers_need_not_ask() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let member = app.signed_in(&account, "member").await;
    let res = member
        .post("/api/access-requests")
        .json(&json!({ "note": "x".repeat(501) }))
        .send()
        .await
        .unwrap();
    let err = expect_error(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(err.error.param.as_deref(), Some("note"));
    let admin = app.signed_in(&account, "admin").await;
    let res = admin
        .post("/api/access-requests")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let err = expect_error(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(err.error.code, "already_has_access");
    // Granting `none` is not a grant.
    let request: AccessRequest = member
        .post("/api/access-requests")
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let owner = app.signed_in(&account, "owner").await;
    let res = owner
        .post(&format!("/api/access-requests/{}/grant", request.id))
        .json(&json!({ "billing_access": "none" }))
        .send()
        .await
        .unwrap();
    let err = expect_error(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(err.error.param.as_deref(), Some("billing_access"));
}
