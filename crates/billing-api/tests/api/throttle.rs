//! Sign-in throttling (SPEC §14): repeated wrong passwords for one e-mail
//! from one client get 429 with a growing `Retry-After`; a success resets
//! it; unknown e-mails are treated (and timed) as known ones; the real user
//! signing in from another client is not locked out.

use crate::helpers::{expect_error, spawn_app_configured, Client, TestApp};
use crate::manual_clock::ManualClock;
use billing_api::clock::Clock;
use reqwest::StatusCode;
use std::net::IpAddr;
use std::sync::Arc;

async fn app_on(clock: &Arc<ManualClock>, trust_forwarded_for: bool) -> TestApp {
    spawn_app_configured(
        |c| c.security.trust_forwarded_for = trust_forwarded_for,
        Some(clock.clone() as Arc<dyn Clock>),
    )
    .await
}

/// A client whose connections come from `ip` (any 127.x address is loopback).
fn client_from(app: &TestApp, ip: &str) -> Client {
    Client {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .local_address(ip.parse::<IpAddr>().unwrap())
            .build()
            .unwrap(),
        base: app.address.clone(),
    }
}

/// Signs in through a proxy that says the client is `forwarded_for`.
async fn sign_in_via(
    client: &Client,
    forwarded_for: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post("/api/session")
        .header("x-forwarded-for", format!("203.0.113.9, {forwarded_for}"))
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
}

fn retry_after(res: &reqwest::Response) -> u64 {
    res.headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Expects a 429 and returns its `Retry-After` after checking the body says the same.
async fn expect_throttled(res: reqwest::Response) -> u64 {
    let secs = retry_after(&res);
    let body = expect_error(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(body.error.code, "too_many_attempts");
    assert_eq!(body.error.kind, "rate_limit_error");
    assert_eq!(body.error.retry_after, Some(secs));
    assert!(
        body.error.message.starts_with("Too many sign-in attempts."),
        "{}",
        body.error.message
    );
    secs
}

#[tokio::test]
async fn wrong_passwords_from_one_client_wait_longer_each_time_until_a_success_resets_them() {
    let clock = ManualClock::new();
    let app = app_on(&clock, false).await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let client = app.client();
    for _ in 0..5 {
        let res = client.sign_in(&owner.email, "wrong password").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // Blocked now: even the right password waits.
    let res = client.sign_in(&owner.email, &owner.password).await;
    let body_secs = retry_after(&res);
    assert_eq!(body_secs, 1);
    let body = expect_error(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(
        body.error.message,
        "Too many sign-in attempts. For your security, try again in 1 second."
    );
    // Each wrong try after a wait doubles the next wait.
    for expected in [2u64, 4, 8, 16] {
        clock.advance(expected as i64 / 2);
        let res = client.sign_in(&owner.email, "wrong password").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let res = client.sign_in(&owner.email, "wrong password").await;
        assert_eq!(expect_throttled(res).await, expected);
    }
    clock.advance(15);
    assert_eq!(
        expect_throttled(client.sign_in(&owner.email, &owner.password).await).await,
        1
    );
    clock.advance(1);
    let res = client.sign_in(&owner.email, &owner.password).await;
    assert_eq!(res.status(), StatusCode::OK);
    // The success reset the count: five tries again before any wait.
    for _ in 0..5 {
        let res = client.sign_in(&owner.email, "wrong password").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    expect_throttled(client.sign_in(&owner.email, "wrong password").await).await;
}

#[tokio::test]
async fn forty_quick_guesses_get_five_tries_even_all_at_once() {
    let clock = ManualClock::new();
    let app = app_on(&clock, false).await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let client = app.client();
    let guesses = (0..40).map(|i| {
        let client = client.clone();
        let email = owner.email.clone();
        async move { client.sign_in(&email, &format!("guess {i}")).await.status() }
    });
    let statuses = futures::future::join_all(guesses).await;
    let tried = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(tried <= 5, "{tried} guesses were tried: {statuses:?}");
    assert_eq!(tried + refused, 40, "{statuses:?}");
    expect_throttled(client.sign_in(&owner.email, &owner.password).await).await;
}

#[tokio::test]
async fn the_real_user_signs_in_from_another_client_while_someone_guesses() {
    let clock = ManualClock::new();
    let app = app_on(&clock, false).await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let attacker = client_from(&app, "127.0.0.2");
    for _ in 0..5 {
        assert_eq!(
            attacker.sign_in(&owner.email, "guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    expect_throttled(attacker.sign_in(&owner.email, "guess").await).await;
    let owner_client = client_from(&app, "127.0.0.1");
    let res = owner_client.sign_in(&owner.email, &owner.password).await;
    assert_eq!(res.status(), StatusCode::OK);
    // The attacker's own wait is untouched by the owner's success.
    expect_throttled(attacker.sign_in(&owner.email, &owner.password).await).await;
}

#[tokio::test]
async fn a_forged_forwarded_for_header_is_ignored_unless_a_proxy_is_trusted() {
    let clock = ManualClock::new();
    let app = app_on(&clock, false).await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let client = app.client();
    for i in 0..5 {
        let res = sign_in_via(&client, &format!("198.51.100.{i}"), &owner.email, "guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = sign_in_via(&client, "198.51.100.77", &owner.email, "guess").await;
    expect_throttled(res).await;
}

#[tokio::test]
async fn guessing_spread_over_many_clients_hits_a_per_email_limit_that_spares_known_clients() {
    let clock = ManualClock::new();
    let app = app_on(&clock, true).await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let client = app.client();
    // The owner's usual address signs in once: it is known from now on.
    let res = sign_in_via(&client, "192.0.2.1", &owner.email, &owner.password).await;
    assert_eq!(res.status(), StatusCode::OK);
    for i in 0..20 {
        let res = sign_in_via(&client, &format!("10.0.0.{i}"), &owner.email, "guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "guess {i}");
    }
    // A new address now waits, however fresh.
    expect_throttled(sign_in_via(&client, "10.0.1.1", &owner.email, "guess").await).await;
    // The owner's known address does not.
    let res = sign_in_via(&client, "192.0.2.1", &owner.email, &owner.password).await;
    assert_eq!(res.status(), StatusCode::OK);
    // Other e-mails are not affected at all.
    let admin = account.user("admin").unwrap();
    let res = sign_in_via(&client, "10.0.1.1", &admin.email, &admin.password).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_email_is_throttled_exactly_as_a_known_one() {
    let clock = ManualClock::new();
    let app = app_on(&clock, false).await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let client = app.client();
    let mut answers = Vec::new();
    for email in [owner.email.as_str(), "nobody@example.test"] {
        let mut statuses = Vec::new();
        for _ in 0..6 {
            statuses.push(client.sign_in(email, "guess").await.status());
        }
        let last = client.sign_in(email, "guess").await;
        let secs = retry_after(&last);
        let body = expect_error(last, StatusCode::TOO_MANY_REQUESTS).await;
        answers.push((statuses, secs, body));
    }
    assert_eq!(answers[0], answers[1]);
}

#[tokio::test]
async fn an_unknown_email_takes_as_long_as_a_wrong_password() {
    // Dev mode: the demo users' passwords are hashed at the production cost.
    let app = crate::helpers::spawn_app_with(billing_api::config::Mode::Dev, true).await;
    let known = [
        "owner@acme.test",
        "admin@acme.test",
        "billing@acme.test",
        "member@acme.test",
        "owner@globex.test",
    ];
    let client = app.client();
    let time = |email: String| {
        let client = client.clone();
        async move {
            let began = std::time::Instant::now();
            let res = client.sign_in(&email, "not the password").await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
            began.elapsed()
        }
    };
    let (mut wrong, mut unknown) = (Vec::new(), Vec::new());
    for round in 0..2 {
        for (i, email) in known.iter().enumerate() {
            wrong.push(time(email.to_string()).await);
            unknown.push(time(format!("nobody{round}{i}@acme.test")).await);
        }
    }
    // The fastest of each: what a sign-in costs when nothing else runs.
    // Other tests share the processors, and a burst of theirs lengthens
    // some samples of either kind (the medians once differed threefold
    // while the model-based test ran beside this one).
    let fastest = |v: &[std::time::Duration]| v.iter().min().copied().unwrap();
    let (wrong, unknown) = (fastest(&wrong), fastest(&unknown));
    let ratio = unknown.as_secs_f64() / wrong.as_secs_f64();
    assert!(
        (0.5..2.0).contains(&ratio),
        "unknown e-mails took {unknown:?}, wrong passwords {wrong:?}"
    );
}
