//! The vendor API (SPEC §13): behind the bearer key, never a customer's
//! session; entitlements through every state; invoices after deletion;
//! the billing team's withdrawal decisions.

use crate::helpers::{expect_error, spawn_app, spawn_app_configured, TestApp, DAY};
use billing_domain::wire::TestAccount;
use billing_domain::SubscriptionStatus;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub const KEY: &str = "vk_test_0123456789abcdef";

/// A test-mode app with the vendor API key configured.
pub async fn vendor_app() -> TestApp {
    spawn_app_configured(|c| c.vendor_api_key = Some(KEY.into()), None).await
}

/// GETs a vendor route with `key` as the bearer (none when `None`).
async fn vendor_get(app: &TestApp, path: &str, key: Option<&str>) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new().get(format!("{}{path}", app.address));
    if let Some(key) = key {
        req = req.bearer_auth(key);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn decide(app: &TestApp, id: &str, decision: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!(
            "{}/api/vendor/withdrawals/{id}/decision",
            app.address
        ))
        .bearer_auth(KEY)
        .json(&json!({ "decision": decision }))
        .send()
        .await
        .unwrap()
}

async fn entitlements(app: &TestApp, account: &TestAccount) -> Value {
    let path = format!("/api/vendor/accounts/{}/entitlements", account.account_id);
    let (status, body) = vendor_get(app, &path, Some(KEY)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn access(app: &TestApp, account: &TestAccount) -> (String, String) {
    let e = entitlements(app, account).await;
    (
        e["status"].as_str().unwrap().to_string(),
        e["access"].as_str().unwrap().to_string(),
    )
}

fn pair(status: &str, access: &str) -> (String, String) {
    (status.to_string(), access.to_string())
}

#[tokio::test]
async fn without_a_key_configured_every_vendor_route_is_not_found() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let path = format!("/api/vendor/accounts/{}/entitlements", account.account_id);
    for key in [None, Some(KEY)] {
        let (status, body) = vendor_get(&app, &path, key).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, _) = vendor_get(&app, "/api/vendor/withdrawals", key).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    assert_eq!(owner.get_json(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        decide(&app, "wd_x", "paid").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_wrong_or_missing_key_or_a_customer_session_gets_401() {
    let app = vendor_app().await;
    let account = app.test_account().await;
    let path = format!("/api/vendor/accounts/{}/entitlements", account.account_id);
    for key in [
        None,
        Some("vk_test_0123456789abcdeX"),
        Some(""),
        Some("Bearer"),
    ] {
        let (status, body) = vendor_get(&app, &path, key).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{key:?}: {body}");
        assert_eq!(body["error"]["code"], "invalid_api_key");
    }
    // Another scheme with the right key is not the bearer key.
    let res = reqwest::Client::new()
        .get(format!("{}{path}", app.address))
        .header("authorization", format!("Basic {KEY}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The owner's session cookie never reaches the vendor API.
    let owner = app.signed_in(&account, "owner").await;
    let (status, _) = owner.get_json(&path).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let res = owner
        .post("/api/vendor/withdrawals/wd_x/decision")
        .json(&json!({ "decision": "paid" }))
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::UNAUTHORIZED).await;
    // The right key works, and an unknown account is 404.
    assert_eq!(vendor_get(&app, &path, Some(KEY)).await.0, StatusCode::OK);
    let (status, _) = vendor_get(
        &app,
        "/api/vendor/accounts/acct_nope/entitlements",
        Some(KEY),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn entitlements_follow_the_account_through_every_state() {
    let app = vendor_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;

    let e = entitlements(&app, &account).await;
    let o = owner.overview().await;
    assert_eq!(e["account_id"], account.account_id.as_str());
    assert_eq!(
        (
            &e["access"],
            &e["status"],
            &e["plan"],
            &e["interval"],
            &e["seats"]
        ),
        (
            &json!("full"),
            &json!("active"),
            &json!("business"),
            &json!("month"),
            &json!(12)
        )
    );
    assert_eq!(e["add_ons"], json!([]));
    assert_eq!(
        e["period_end"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap(),
        o.current_period_end
    );

    // A declined renewal: past due, full access through the grace period.
    assert_eq!(
        owner.add_card("4000000000000341").await.status(),
        StatusCode::OK
    );
    let to_end = (o.current_period_end - o.current_period_start).num_seconds();
    app.advance(&account, to_end).await;
    assert_eq!(access(&app, &account).await, pair("past_due", "full"));
    // Grace ends: deactivated, billing only.
    app.advance(&account, 3 * DAY).await;
    assert_eq!(
        access(&app, &account).await,
        pair("deactivated", "billing_only")
    );
    // A working card reactivates.
    assert_eq!(
        owner.add_card("4242424242424242").await.status(),
        StatusCode::OK
    );
    assert_eq!(access(&app, &account).await, pair("active", "full"));
    // Paused: billing only.
    owner.pause().await;
    assert_eq!(access(&app, &account).await, pair("paused", "billing_only"));
    let res = owner.post("/api/subscription/resume").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Scheduled to cancel: full until the period ends.
    let (_, flow) = owner.get_json("/api/cancel-flow").await;
    let ack: Vec<Value> = flow["consequences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    let res = owner
        .post("/api/subscription/cancel")
        .json(&json!({ "confirmation": "CONFIRM", "acknowledged": ack }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        access(&app, &account).await,
        pair("cancel_scheduled", "full")
    );
    let o = owner.overview().await;
    let now = app
        .state
        .store
        .account(&account.account_id)
        .await
        .unwrap()
        .unwrap()
        .clock_at
        .unwrap();
    app.advance(&account, (o.current_period_end - now).num_seconds())
        .await;
    assert_eq!(
        access(&app, &account).await,
        pair("canceled", "billing_only")
    );
    // After the retention window the data is deleted: no access at all.
    app.advance(&account, 61 * DAY).await;
    assert_eq!(access(&app, &account).await, pair("deleted", "none"));
    assert_eq!(
        entitlements(&app, &account).await["status"],
        json!(SubscriptionStatus::Deleted)
    );
}

#[tokio::test]
async fn invoices_stay_listed_for_the_vendor_after_the_data_is_deleted() {
    let app = vendor_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let before = owner.invoices().await;
    assert!(!before.is_empty());
    let path = format!("/api/vendor/accounts/{}/invoices", account.account_id);
    let (status, listed) = vendor_get(&app, &path, Some(KEY)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["data"].as_array().unwrap().len(), before.len());
    assert_eq!(listed["data"][0]["id"], before[0].id.as_str());

    // Cancel at once and let the retention window pass.
    let (_, flow) = owner.get_json("/api/cancel-flow").await;
    let ack: Vec<Value> = flow["consequences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    let res = owner
        .post("/api/subscription/cancel")
        .json(&json!({ "confirmation": "CONFIRM", "acknowledged": ack }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    app.advance(&account, 100 * DAY).await;
    assert_eq!(access(&app, &account).await, pair("deleted", "none"));

    let (status, after) = vendor_get(&app, &path, Some(KEY)).await;
    assert_eq!(status, StatusCode::OK);
    let ids = |v: &Value| -> Vec<String> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect()
    };
    for id in ids(&listed) {
        assert!(ids(&after).contains(&id), "{id} was kept");
    }
    assert_eq!(
        after["data"][ids(&after).len() - 1]["total"],
        json!(before.last().unwrap().total)
    );
    // Paging is held to its limits here as for customers.
    let (status, body) = vendor_get(&app, &format!("{path}?limit=0"), Some(KEY)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["param"], "limit");
}

#[tokio::test]
async fn the_billing_team_decides_a_withdrawal_once_and_a_repeat_changes_nothing() {
    let app = vendor_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    // A downgrade ten days in leaves credit to withdraw.
    app.advance(&account, 10 * DAY).await;
    let o = owner.overview().await;
    let res = owner
        .post("/api/subscription/changes")
        .header("if-match", format!("\"{}\"", o.version))
        .json(&json!({ "plan": "essentials" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let credit = owner.overview().await.credit_balance.amount();
    assert!(credit > 0);
    let id = owner.withdraw("Wire it, please.").await["id"]
        .as_str()
        .unwrap()
        .to_string();

    let (status, waiting) =
        vendor_get(&app, "/api/vendor/withdrawals?status=requested", Some(KEY)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(waiting["data"][0]["id"], id.as_str());
    assert_eq!(waiting["data"][0]["amount"]["amount"], credit);
    let (status, body) = vendor_get(&app, "/api/vendor/withdrawals?status=lost", Some(KEY)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["param"], "status");

    // A bad decision is a 400 naming the field, and changes nothing.
    let err = expect_error(decide(&app, &id, "maybe").await, StatusCode::BAD_REQUEST).await;
    assert_eq!(err.error.param.as_deref(), Some("decision"));
    assert_eq!(owner.overview().await.credit_held.amount(), credit);

    let res = decide(&app, &id, "paid").await;
    assert_eq!(res.status(), StatusCode::OK);
    let decided: Value = res.json().await.unwrap();
    assert_eq!(decided["status"], "paid");
    // The same decision again: the same answer, no second ledger entry.
    let again: Value = decide(&app, &id, "paid").await.json().await.unwrap();
    assert_eq!(again["status"], "paid");
    assert_eq!(again["decided_at"], decided["decided_at"]);
    let paid_entries = app
        .state
        .store
        .ledger(&account.account_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == billing_domain::ledger::LedgerKind::WithdrawalPaid)
        .count();
    assert_eq!(paid_entries, 1);
    // The other decision on a decided request is a conflict.
    assert_eq!(
        decide(&app, &id, "declined").await.status(),
        StatusCode::CONFLICT
    );
    let o = owner.overview().await;
    assert_eq!((o.credit_balance.amount(), o.credit_held.amount()), (0, 0));
    // Audited, and no longer waiting.
    let (_, log) = owner.get_json("/api/audit-log").await;
    let paid: Vec<&Value> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "balance.withdrawal_paid")
        .collect();
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0]["details"]["decided_by"], "vendor_api");
    let (_, waiting) = vendor_get(&app, "/api/vendor/withdrawals", Some(KEY)).await;
    assert!(waiting["data"].as_array().unwrap().is_empty());
    assert_eq!(
        decide(&app, "wd_unknown", "paid").await.status(),
        StatusCode::NOT_FOUND
    );
}
