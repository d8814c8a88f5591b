//! Sessions over their life (SPEC §14): the idle time-out and the absolute
//! lifetime, changing the password (which signs out every other session)
//! and signing out of the other sessions.

use crate::helpers::{expect_error, spawn_app, spawn_app_configured, Client, TestApp};
use crate::manual_clock::ManualClock;
use billing_api::clock::Clock;
use billing_domain::wire::{AuditLog, OtherSessionsEnded, TestAccount};
use billing_domain::AuditAction;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;

const MINUTE: i64 = 60;

async fn app_on(clock: &Arc<ManualClock>) -> TestApp {
    spawn_app_configured(|_| {}, Some(clock.clone() as Arc<dyn Clock>)).await
}

async fn status_of_session(client: &Client) -> StatusCode {
    client.get("/api/session").send().await.unwrap().status()
}

async fn change_password(client: &Client, current: &str, new: &str) -> reqwest::Response {
    client
        .post("/api/session/password")
        .json(&json!({ "current_password": current, "new_password": new }))
        .send()
        .await
        .unwrap()
}

async fn audit_actions(owner: &Client) -> Vec<(AuditAction, serde_json::Value)> {
    let res = owner.get("/api/audit-log").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let log: AuditLog = res.json().await.unwrap();
    log.data
        .into_iter()
        .map(|e| (e.action, e.details))
        .collect()
}

fn password_of(account: &TestAccount, role: &str) -> String {
    account.user(role).unwrap().password.clone()
}

#[tokio::test]
async fn a_session_left_unused_for_thirty_minutes_ends() {
    let clock = ManualClock::new();
    let app = app_on(&clock).await;
    let account = app.test_account().await;
    let client = app.signed_in(&account, "owner").await;
    // Each use keeps it alive for another thirty minutes.
    for _ in 0..4 {
        clock.advance(29 * MINUTE);
        assert_eq!(status_of_session(&client).await, StatusCode::OK);
    }
    clock.advance(30 * MINUTE);
    let body = expect_error(
        client.get("/api/billing/overview").send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(body.error.code, "unauthenticated");
    // Gone for good, not just for now.
    clock.advance(-30 * MINUTE);
    assert_eq!(status_of_session(&client).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_busy_session_still_ends_twelve_hours_after_sign_in() {
    let clock = ManualClock::new();
    let app = app_on(&clock).await;
    let account = app.test_account().await;
    let client = app.signed_in(&account, "owner").await;
    for _ in 0..35 {
        clock.advance(20 * MINUTE);
        assert_eq!(status_of_session(&client).await, StatusCode::OK);
    }
    clock.advance(20 * MINUTE);
    assert_eq!(status_of_session(&client).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_lifetimes_come_from_the_configuration_and_the_cookie_says_the_absolute_one() {
    let clock = ManualClock::new();
    let app = spawn_app_configured(
        |c| {
            c.security.session_idle = chrono::Duration::minutes(5);
            c.security.session_lifetime = chrono::Duration::hours(1);
        },
        Some(clock.clone() as Arc<dyn Clock>),
    )
    .await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let client = app.client();
    let res = client.sign_in(&owner.email, &owner.password).await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("Max-Age=3600"), "{cookie}");
    clock.advance(4 * MINUTE);
    assert_eq!(status_of_session(&client).await, StatusCode::OK);
    clock.advance(5 * MINUTE);
    assert_eq!(status_of_session(&client).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn changing_the_password_signs_out_every_other_session_and_is_audited() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let here = app.signed_in(&account, "owner").await;
    let laptop = app.signed_in(&account, "owner").await;
    let phone = app.signed_in(&account, "owner").await;
    // Another user's session is not touched.
    let admin = app.signed_in(&account, "admin").await;
    let new = "a much longer passphrase";
    let res = change_password(&here, &owner.password, new).await;
    assert_eq!(res.status(), StatusCode::OK);
    let ended: OtherSessionsEnded = res.json().await.unwrap();
    assert_eq!(ended.sessions_ended, 2);
    assert_eq!(status_of_session(&here).await, StatusCode::OK);
    assert_eq!(status_of_session(&laptop).await, StatusCode::UNAUTHORIZED);
    assert_eq!(status_of_session(&phone).await, StatusCode::UNAUTHORIZED);
    assert_eq!(status_of_session(&admin).await, StatusCode::OK);
    // The old password no longer signs in; the new one does.
    let fresh = app.client();
    assert_eq!(
        fresh.sign_in(&owner.email, &owner.password).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        fresh.sign_in(&owner.email, new).await.status(),
        StatusCode::OK
    );
    let log = audit_actions(&here).await;
    assert_eq!(
        log[0],
        (
            AuditAction::UserPasswordChanged,
            json!({ "sessions_ended": 2 })
        )
    );
}

#[tokio::test]
async fn a_new_password_that_breaks_a_rule_changes_nothing() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let current = password_of(&account, "owner");
    let client = app.signed_in(&account, "owner").await;
    let other = app.signed_in(&account, "owner").await;
    let long = "x".repeat(129);
    let cases: [(serde_json::Value, &str, &str); 9] = [
        (
            json!({ "current_password": current, "new_password": "too short" }),
            "new_password",
            "too_short",
        ),
        (
            json!({ "current_password": current, "new_password": long }),
            "new_password",
            "too_long",
        ),
        (
            json!({ "current_password": current, "new_password": owner.email.to_uppercase() }),
            "new_password",
            "same_as_email",
        ),
        (
            json!({ "current_password": "not my password", "new_password": "a fine new passphrase" }),
            "current_password",
            "incorrect_password",
        ),
        (
            json!({ "current_password": "", "new_password": "a fine new passphrase" }),
            "current_password",
            "required",
        ),
        (
            json!({ "new_password": "a fine new passphrase" }),
            "current_password",
            "missing_field",
        ),
        (
            json!({ "current_password": current }),
            "new_password",
            "missing_field",
        ),
        (
            json!({ "current_password": current, "new_password": "a fine new passphrase", "confirm": "x" }),
            "confirm",
            "unknown_field",
        ),
        (
            json!({ "current_password": current, "new_password": 12 }),
            "new_password",
            "invalid_value",
        ),
    ];
    for (body, param, code) in cases {
        let res = client
            .post("/api/session/password")
            .json(&body)
            .send()
            .await
            .unwrap();
        let err = expect_error(res, StatusCode::BAD_REQUEST).await;
        assert_eq!(
            (err.error.param.as_deref(), err.error.code.as_str()),
            (Some(param), code),
            "{body}"
        );
    }
    // The current password as the new one: never the same.
    if current.chars().count() >= 12 {
        let err = expect_error(
            change_password(&client, &current, &current).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(err.error.code, "same_as_current");
    }
    let err = expect_error(
        change_password(&client, "a fine new passphrase", "a fine new passphrase").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(err.error.code, "same_as_current");
    assert_eq!(status_of_session(&other).await, StatusCode::OK);
    assert_eq!(
        app.client().sign_in(&owner.email, &current).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled_like_signing_in() {
    let clock = ManualClock::new();
    let app = app_on(&clock).await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let client = app.signed_in(&account, "owner").await;
    for _ in 0..5 {
        let res = change_password(&client, "a guess", "a fine new passphrase").await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    let res = change_password(&client, &owner.password, "a fine new passphrase").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()["retry-after"], "1");
    clock.advance(1);
    let res = change_password(&client, &owner.password, "a fine new passphrase").await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn changing_the_password_needs_a_session_and_an_idempotency_key() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let body =
        json!({ "current_password": owner.password, "new_password": "a fine new passphrase" });
    let res = app
        .client()
        .post("/api/session/password")
        .json(&body)
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::UNAUTHORIZED).await;
    let client = app.signed_in(&account, "owner").await;
    let res = client
        .post_raw("/api/session/password")
        .json(&body)
        .send()
        .await
        .unwrap();
    let err = expect_error(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(err.error.code, "missing_idempotency_key");
}

#[tokio::test]
async fn signing_out_of_other_sessions_keeps_this_one() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let here = app.signed_in(&account, "admin").await;
    let elsewhere = app.signed_in(&account, "admin").await;
    let owner = app.signed_in(&account, "owner").await;
    let res = here.delete("/api/session/others").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let ended: OtherSessionsEnded = res.json().await.unwrap();
    assert_eq!(ended.sessions_ended, 1);
    assert_eq!(status_of_session(&here).await, StatusCode::OK);
    assert_eq!(
        status_of_session(&elsewhere).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(status_of_session(&owner).await, StatusCode::OK);
    let res = here.delete("/api/session/others").send().await.unwrap();
    let again: OtherSessionsEnded = res.json().await.unwrap();
    assert_eq!(again.sessions_ended, 0);
    let log = audit_actions(&owner).await;
    assert_eq!(
        log[..2],
        [
            (
                AuditAction::UserSessionsEnded,
                json!({ "sessions_ended": 0 })
            ),
            (
                AuditAction::UserSessionsEnded,
                json!({ "sessions_ended": 1 })
            ),
        ]
    );
}
