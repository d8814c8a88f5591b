//! Signing in and out.

use crate::helpers::{expect_error, fresh_key, spawn_app, TestApp};
use billing_api::services::password::hash_token;
use billing_api::store::{SessionRecord, Write};
use billing_domain::{BillingAccess, Permission, Role};
use chrono::Duration;
use reqwest::StatusCode;

#[tokio::test]
async fn signing_in_sets_an_http_only_same_site_strict_cookie() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let res = app.client().sign_in(&owner.email, &owner.password).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("portal_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
}

#[tokio::test]
async fn the_session_names_the_user_account_role_and_permissions() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let cases = [
        (
            "owner",
            Role::Owner,
            BillingAccess::Manage,
            Permission::ALL.to_vec(),
        ),
        (
            "admin",
            Role::Admin,
            BillingAccess::Manage,
            vec![
                Permission::BillingRead,
                Permission::BillingManage,
                Permission::AccountCancel,
                Permission::MembersRead,
                Permission::AuditRead,
            ],
        ),
        (
            "billing_member",
            Role::Member,
            BillingAccess::Read,
            vec![Permission::BillingRead],
        ),
        ("member", Role::Member, BillingAccess::None, vec![]),
    ];
    for (label, role, access, permissions) in cases {
        let client = app.signed_in(&account, label).await;
        let session = client.session().await;
        assert_eq!(session.account.id, account.account_id, "{label}");
        assert_eq!(
            session.user.email,
            account.user(label).unwrap().email,
            "{label}"
        );
        assert_eq!(session.role, role, "{label}");
        assert_eq!(session.billing_access, access, "{label}");
        assert_eq!(session.permissions, permissions, "{label}");
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let client = app.client();
    let wrong_password = expect_error(
        client.sign_in(&owner.email, "not-it").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let unknown = expect_error(
        client.sign_in("nobody@example.test", &owner.password).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(wrong_password.error.code, "invalid_credentials");
    assert_eq!(wrong_password, unknown);
    assert_eq!(wrong_password.error.message, "Incorrect email or password.");
    // And no session was created.
    expect_error(
        client.get("/api/session").send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn email_is_matched_without_regard_to_case_or_spaces() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let shouted = format!("  {}  ", owner.email.to_uppercase());
    let client = app.client();
    assert_eq!(
        client.sign_in(&shouted, &owner.password).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let client = app.signed_in(&account, "owner").await;
    // Keep the raw cookie to replay it after signing out.
    let owner = account.user("owner").unwrap();
    let raw = app.client().sign_in(&owner.email, &owner.password).await;
    let cookie = raw.headers().get("set-cookie").unwrap().to_str().unwrap();
    let token = cookie.split(';').next().unwrap().to_string();

    let res = client.delete("/api/session").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let cleared = res.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    expect_error(
        client.get("/api/session").send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;

    // The other session still works until it, too, is signed out.
    let other = reqwest::Client::new();
    let url = format!("{}/api/session", app.address);
    let res = other
        .get(&url)
        .header("cookie", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = other
        .delete(&url)
        .header("cookie", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = other
        .get(&url)
        .header("cookie", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_forged_session_cookie_is_refused() {
    let app = spawn_app().await;
    let res = reqwest::Client::new()
        .get(format!("{}/api/billing/overview", app.address))
        .header("cookie", "portal_session=00ff00ff")
        .send()
        .await
        .unwrap();
    let body = expect_error(res, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body.error.code, "unauthenticated");
}

#[tokio::test]
async fn a_state_change_from_a_foreign_origin_is_refused() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = account.user("owner").unwrap();
    let client = app.client();
    let res = client
        .post("/api/session")
        .header("origin", "https://attacker.example")
        .json(&serde_json::json!({ "email": owner.email, "password": owner.password }))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, StatusCode::FORBIDDEN).await;
    assert_eq!(body.error.code, "foreign_origin");
    expect_error(
        client.get("/api/session").send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;

    // The portal's own origin is accepted.
    let own = app.address.clone();
    let res = client
        .post("/api/session")
        .header("origin", own)
        .json(&serde_json::json!({ "email": owner.email, "password": owner.password }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_demo_data_signs_in_each_role_with_the_demo_password() {
    let app = crate::helpers::spawn_app_with(billing_api::config::Mode::Dev, true).await;
    for (email, role) in [
        ("owner@acme.test", Role::Owner),
        ("admin@acme.test", Role::Admin),
        ("billing@acme.test", Role::Member),
        ("member@acme.test", Role::Member),
        ("owner@globex.test", Role::Owner),
    ] {
        let client = app
            .sign_in(email, billing_api::services::seed::DEMO_PASSWORD)
            .await;
        assert_eq!(client.session().await.role, role, "{email}");
    }
}

/// Stores a session of `user_id` ending `ends_in` from now under the token
/// `token`, as signing in would; its token hash.
async fn plant_session(app: &TestApp, token: &str, user_id: &str, ends_in: Duration) -> String {
    let now = app.state.clock.now();
    let hash = hash_token(token);
    app.state
        .store
        .insert_session(&SessionRecord {
            token_hash: hash.clone(),
            user_id: user_id.into(),
            created_at: now - Duration::hours(12),
            expires_at: now + ends_in,
            last_seen_at: now,
        })
        .await
        .unwrap();
    hash
}

#[tokio::test]
async fn an_expired_session_is_refused_on_reads_and_writes_and_forgotten() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let owner_id = owner.session().await.user.id;
    let member_id = app
        .signed_in(&account, "member")
        .await
        .session()
        .await
        .user
        .id;
    let http = reqwest::Client::new();
    let requests = [
        http.get(format!("{}/api/billing/overview", app.address)),
        http.get(format!("{}/api/session", app.address)),
        http.patch(format!("{}/api/members/{member_id}", app.address))
            .header("idempotency-key", fresh_key())
            .json(&serde_json::json!({ "billing_access": "read" })),
    ];
    for (n, request) in requests.into_iter().enumerate() {
        let token = format!("expired{n}");
        let hash = plant_session(&app, &token, &owner_id, Duration::seconds(-1)).await;
        let res = request
            .header("cookie", format!("portal_session={token}"))
            .send()
            .await
            .unwrap();
        let body = expect_error(res, StatusCode::UNAUTHORIZED).await;
        assert_eq!(body.error.code, "unauthenticated", "request {n}");
        assert!(
            app.state.store.session(&hash).await.unwrap().is_none(),
            "request {n}: the expired session is deleted"
        );
    }
    let member = app.signed_in(&account, "member").await;
    assert_eq!(
        member.session().await.billing_access,
        BillingAccess::None,
        "the refused write changed nothing"
    );

    // One that has not yet ended still signs in.
    plant_session(&app, "current", &owner_id, Duration::seconds(60)).await;
    let res = http
        .get(format!("{}/api/billing/overview", app.address))
        .header("cookie", "portal_session=current")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_session_of_a_deleted_account_is_refused() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let owner_id = owner.session().await.user.id;
    app.state
        .store
        .commit(vec![Write::DeleteAccountData {
            account_id: account.account_id.clone(),
            at: app.state.clock.now(),
        }])
        .await
        .unwrap();
    plant_session(&app, "after_deletion", &owner_id, Duration::hours(1)).await;
    for path in ["/api/billing/overview", "/api/session"] {
        let res = reqwest::Client::new()
            .get(format!("{}{path}", app.address))
            .header("cookie", "portal_session=after_deletion")
            .send()
            .await
            .unwrap();
        let body = expect_error(res, StatusCode::UNAUTHORIZED).await;
        assert_eq!(body.error.code, "unauthenticated", "{path}");
    }
}
