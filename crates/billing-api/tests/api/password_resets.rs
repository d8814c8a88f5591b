//! Password reset by e-mail (SPEC §14): a single-use link that expires, its
//! token stored hashed; the same answer for every address.

use crate::helpers::{expect_error, spawn_app, spawn_app_configured, Client, TestApp};
use crate::manual_clock::ManualClock;
use billing_api::clock::Clock;
use billing_api::services::password::hash_token;
use billing_domain::wire::{AuditLog, Email, PasswordResetLink, TestAccount};
use billing_domain::AuditAction;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const NEW: &str = "a brand new passphrase";

async fn ask_for_link(client: &Client, email: &str) -> reqwest::Response {
    client
        .post_raw("/api/password-resets")
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap()
}

async fn reset(client: &Client, token: &str, new_password: &str) -> reqwest::Response {
    client
        .post_raw(&format!("/api/password-resets/{token}"))
        .json(&json!({ "new_password": new_password }))
        .send()
        .await
        .unwrap()
}

async fn emails_of_kind(app: &TestApp, account: &TestAccount, kind: &str) -> Vec<Email> {
    app.emails(account)
        .await
        .into_iter()
        .filter(|e| e.kind == kind)
        .collect()
}

/// Waits for the account's `n`-th reset e-mail (they are sent after the answer).
async fn reset_emails(app: &TestApp, account: &TestAccount, n: usize) -> Vec<Email> {
    for _ in 0..100 {
        let emails = emails_of_kind(app, account, "password_reset").await;
        if emails.len() >= n {
            return emails;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("fewer than {n} password reset e-mails arrived");
}

/// The token in an e-mail's `/reset-password/<token>` link.
fn token_in(email: &Email) -> String {
    let at = email.body.find("/reset-password/").expect("a reset link") + 16;
    email.body[at..at + 64].to_string()
}

async fn link_for(app: &TestApp, account: &TestAccount, role: &str) -> (String, Email) {
    let user = account.user(role).unwrap();
    let res = ask_for_link(&app.client(), &user.email).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let email = reset_emails(app, account, 1).await.remove(0);
    (token_in(&email), email)
}

#[tokio::test]
async fn a_link_is_emailed_to_the_user_and_sets_a_new_password_once() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let signed_in = app.signed_in(&account, "owner").await;
    let admin = app.signed_in(&account, "admin").await;
    let (token, email) = link_for(&app, &account, "owner").await;
    assert_eq!(email.to, owner.email);
    assert_eq!(email.subject, "Reset your billing portal password");
    assert!(
        email
            .body
            .contains(&format!("{}/reset-password/{token}", app.address)),
        "{}",
        email.body
    );
    assert!(email.body.contains("within 60 minutes"), "{}", email.body);
    let client = app.client();
    let res = client
        .get(&format!("/api/password-resets/{token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let link: PasswordResetLink = res.json().await.unwrap();
    assert!(link.expires_at > chrono::Utc::now() + chrono::Duration::minutes(59));

    assert_eq!(
        reset(&client, &token, NEW).await.status(),
        StatusCode::NO_CONTENT
    );
    // Every session of the user ended; others' did not.
    let res = signed_in.get("/api/session").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        admin.get("/api/session").send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        client.sign_in(&owner.email, &owner.password).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let owner_client = app.sign_in(&owner.email, NEW).await;
    // Once only.
    let err = expect_error(
        reset(&client, &token, "another new passphrase").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        (err.error.code.as_str(), err.error.param.as_deref()),
        ("invalid_reset_link", Some("token"))
    );
    let res = client
        .get(&format!("/api/password-resets/{token}"))
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::BAD_REQUEST).await;
    // Audited, and the user is told.
    let log: AuditLog = owner_client
        .get("/api/audit-log")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log.data[0].action, AuditAction::UserPasswordReset);
    let notices = emails_of_kind(&app, &account, "password_changed").await;
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].to, owner.email);
    assert!(notices[0].body.contains("was reset from an e-mailed link"));
}

#[tokio::test]
async fn any_address_gets_the_same_answer_and_only_a_users_gets_an_email() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let client = app.client();
    let known = ask_for_link(&client, &owner.email.to_uppercase()).await;
    let unknown = ask_for_link(&client, "nobody@example.test").await;
    assert_eq!(known.status(), StatusCode::ACCEPTED);
    assert_eq!(unknown.status(), StatusCode::ACCEPTED);
    let (known, unknown) = (
        known.json::<serde_json::Value>().await.unwrap(),
        unknown.json::<serde_json::Value>().await.unwrap(),
    );
    assert_eq!(known, unknown);
    assert_eq!(known, json!({ "valid_minutes": 60 }));
    reset_emails(&app, &account, 1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let all = app.state.store.unsent_emails(1000).await.unwrap();
    assert!(all.iter().all(|e| e.to_email != "nobody@example.test"));
    assert_eq!(all.iter().filter(|e| e.kind == "password_reset").count(), 1);
}

#[tokio::test]
async fn the_address_must_look_like_one() {
    let app = spawn_app().await;
    let client = app.client();
    for (body, code) in [
        (json!({ "email": "" }), "required"),
        (json!({ "email": "not an address" }), "invalid_email"),
        (json!({}), "missing_field"),
        (json!({ "email": "a@b.test", "name": "x" }), "unknown_field"),
    ] {
        let res = client
            .post_raw("/api/password-resets")
            .json(&body)
            .send()
            .await
            .unwrap();
        let err = expect_error(res, StatusCode::BAD_REQUEST).await;
        assert_eq!(err.error.code, code, "{body}");
    }
}

#[tokio::test]
async fn the_token_is_stored_only_as_a_hash() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let (token, _) = link_for(&app, &account, "member").await;
    let store = &app.state.store;
    assert!(store.password_reset(&token).await.unwrap().is_none());
    let record = store
        .password_reset(&hash_token(&token))
        .await
        .unwrap()
        .expect("the link, by its hash");
    assert_eq!(
        record.expires_at - record.created_at,
        chrono::Duration::hours(1)
    );
}

#[tokio::test]
async fn a_link_stops_working_after_an_hour() {
    let clock = ManualClock::new();
    let app = spawn_app_configured(|_| {}, Some(clock.clone() as Arc<dyn Clock>)).await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let (token, _) = link_for(&app, &account, "owner").await;
    clock.advance(59 * 60);
    let client = app.client();
    let res = client
        .get(&format!("/api/password-resets/{token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    clock.advance(60);
    let err = expect_error(reset(&client, &token, NEW).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(err.error.code, "invalid_reset_link");
    assert_eq!(
        client.sign_in(&owner.email, &owner.password).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_refused_new_password_leaves_the_link_usable() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let (token, _) = link_for(&app, &account, "owner").await;
    let client = app.client();
    let long = "y".repeat(129);
    for (password, code) in [
        ("too short", "too_short"),
        (long.as_str(), "too_long"),
        (owner.email.as_str(), "same_as_email"),
    ] {
        let err = expect_error(
            reset(&client, &token, password).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(
            (err.error.code.as_str(), err.error.param.as_deref()),
            (code, Some("new_password"))
        );
    }
    if owner.password.chars().count() >= 12 {
        let err = expect_error(
            reset(&client, &token, &owner.password).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(err.error.code, "same_as_current");
    }
    for bogus in ["not-a-token", &"0".repeat(64)] {
        let err = expect_error(reset(&client, bogus, NEW).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(err.error.code, "invalid_reset_link");
    }
    assert_eq!(
        reset(&client, &token, NEW).await.status(),
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn a_newer_password_makes_every_earlier_link_useless() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let admin = account.user("admin").unwrap();
    let client = app.client();
    for _ in 0..2 {
        assert_eq!(
            ask_for_link(&client, &admin.email).await.status(),
            StatusCode::ACCEPTED
        );
    }
    let emails = reset_emails(&app, &account, 2).await;
    let (newer, older) = (token_in(&emails[0]), token_in(&emails[1]));
    assert_ne!(newer, older);
    assert_eq!(
        reset(&client, &newer, NEW).await.status(),
        StatusCode::NO_CONTENT
    );
    let err = expect_error(
        reset(&client, &older, "yet another passphrase").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(err.error.code, "invalid_reset_link");
}

#[tokio::test]
async fn asking_again_and_again_sends_three_emails_then_waits() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let member = account.user("member").unwrap();
    let client = app.client();
    for _ in 0..6 {
        let res = ask_for_link(&client, &member.email).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        // One at a time, as a person would.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    reset_emails(&app, &account, 3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        emails_of_kind(&app, &account, "password_reset").await.len(),
        3
    );
}

#[tokio::test]
async fn a_reset_ends_the_sign_in_wait_of_the_client_that_made_it() {
    let clock = ManualClock::new();
    let app = spawn_app_configured(|_| {}, Some(clock.clone() as Arc<dyn Clock>)).await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let client = app.client();
    for _ in 0..6 {
        client.sign_in(&owner.email, "forgotten").await;
    }
    let res = client.sign_in(&owner.email, "forgotten").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let (token, _) = link_for(&app, &account, "owner").await;
    assert_eq!(
        reset(&client, &token, NEW).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        client.sign_in(&owner.email, NEW).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_dev_mailbox_shows_a_reset_link_only_to_its_recipient() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    link_for(&app, &account, "owner").await;
    let mailbox = |client: Client| async move {
        let (status, body) = client.get_json("/api/dev/mailbox").await;
        assert_eq!(status, StatusCode::OK);
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "password_reset")
            .count()
    };
    assert_eq!(mailbox(app.signed_in(&account, "owner").await).await, 1);
    assert_eq!(mailbox(app.signed_in(&account, "admin").await).await, 0);
}
