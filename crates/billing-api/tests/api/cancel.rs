//! The cancel wizard, pause and resume, reactivation, deletion and refunds.

use crate::helpers::{expect_error, spawn_app, Client, TestApp, DAY};
use billing_domain::wire::{
    BillingOverview, CancelFlowView, CancelSession, OfferOutcome, TestAccount,
};
use billing_domain::{Interval, PlanId, SubscriptionStatus};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn flow(client: &Client) -> CancelFlowView {
    let res = client.get("/api/cancel-flow").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn acknowledged(client: &Client) -> Vec<String> {
    flow(client)
        .await
        .consequences
        .into_iter()
        .map(|c| c.id)
        .collect()
}

async fn cancel(client: &Client, confirmation: &str, session: Option<&str>) -> reqwest::Response {
    let ack = acknowledged(client).await;
    client
        .post("/api/subscription/cancel")
        .json(&json!({ "confirmation": confirmation, "acknowledged": ack, "session_id": session }))
        .send()
        .await
        .unwrap()
}

async fn start(client: &Client, reason: &str, text: Option<&str>) -> CancelSession {
    let res = client
        .post("/api/cancel-flow/sessions")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let s: CancelSession = res.json().await.unwrap();
    let res = client
        .patch(&format!("/api/cancel-flow/sessions/{}", s.id))
        .json(&json!({ "reason": reason, "text": text }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "reason {reason}");
    res.json().await.unwrap()
}

async fn to_period_end(app: &TestApp, account: &TestAccount, client: &Client) -> BillingOverview {
    let o = client.overview().await;
    app.advance(
        account,
        (o.current_period_end - app_now(app, account).await).num_seconds(),
    )
    .await;
    client.overview().await
}

async fn app_now(app: &TestApp, account: &TestAccount) -> chrono::DateTime<chrono::Utc> {
    app.state
        .store
        .account(&account.account_id)
        .await
        .unwrap()
        .unwrap()
        .clock_at
        .unwrap()
}

#[tokio::test]
async fn only_capital_confirm_cancels_and_resume_undoes_it() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let before = owner.overview().await;
    for typed in ["confirm", "Confirm", "CONFIRM ", ""] {
        let err = expect_error(cancel(&owner, typed, None).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(
            err.error.param.as_deref(),
            Some("confirmation"),
            "{typed:?}"
        );
    }
    assert_eq!(owner.overview().await, before, "nothing changed");
    // Every consequence must be acknowledged.
    let res = owner
        .post("/api/subscription/cancel")
        .json(&json!({ "confirmation": "CONFIRM", "acknowledged": ["access_ends"] }))
        .send()
        .await
        .unwrap();
    let err = expect_error(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(err.error.param.as_deref(), Some("acknowledged"));

    let res = cancel(&owner, "CONFIRM", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let o: BillingOverview = res.json().await.unwrap();
    assert_eq!(
        (o.status, o.cancel_at),
        (
            SubscriptionStatus::CancelScheduled,
            Some(before.current_period_end)
        )
    );
    assert_eq!(o.next_charge_date, None);
    assert_eq!(
        app.count_emails(&account, "cancellation_scheduled").await,
        1
    );

    let res = owner
        .delete("/api/subscription/cancel")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let o = owner.overview().await;
    assert_eq!((o.status, o.cancel_at), (SubscriptionStatus::Active, None));
}

#[tokio::test]
async fn the_consequences_are_dated_from_the_period_end() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let o = owner.overview().await;
    let f = flow(&owner).await;
    assert_eq!(f.reasons.len(), 7);
    assert!(!f.contract);
    assert_eq!(f.consequences[0].date, Some(o.current_period_end));
    assert_eq!(
        f.consequences[1].date,
        Some(o.current_period_end + chrono::Duration::days(60))
    );
    assert_eq!(f.pause_price.amount(), 100);
}

#[tokio::test]
async fn a_discount_offer_saves_the_customer_and_discounts_the_next_renewals() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    // "Something else" needs words.
    let run: CancelSession = owner
        .post("/api/cancel-flow/sessions")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = owner
        .patch(&format!("/api/cancel-flow/sessions/{}", run.id))
        .json(&json!({ "reason": "other" }))
        .send()
        .await
        .unwrap();
    let err = expect_error(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(err.error.param.as_deref(), Some("text"));

    let s = start(&owner, "too_expensive", None).await;
    let offers: Vec<&str> = s.offers.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(offers, ["discount_25_3", "downgrade_essentials", "pause"]);
    let res = owner
        .post(&format!("/api/cancel-flow/sessions/{}/accept", s.id))
        .json(&json!({ "offer_id": "discount_25_3" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let outcome: OfferOutcome = res.json().await.unwrap();
    assert_eq!(
        outcome
            .overview
            .discount
            .map(|d| (d.percent, d.months_left)),
        Some((25, 3))
    );
    // The run is finished; its offers can't be taken twice.
    let again = owner
        .post(&format!("/api/cancel-flow/sessions/{}/accept", s.id))
        .json(&json!({ "offer_id": "discount_25_3" }))
        .send()
        .await
        .unwrap();
    expect_error(again, StatusCode::CONFLICT).await;

    to_period_end(&app, &account, &owner).await;
    let renewal = &owner.invoices().await[0];
    // 12 × $139 = $1,668 less 25% = $1,251.
    assert_eq!(renewal.total.amount(), 125_100);
    assert!(renewal
        .lines
        .iter()
        .any(|l| l.description.contains("25% retention discount")));
    assert_eq!(
        owner.overview().await.discount.map(|d| d.months_left),
        Some(2)
    );

    let report = app
        .state
        .store
        .save_rate(
            chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
            chrono::Utc::now() + chrono::Duration::days(3650),
        )
        .await
        .unwrap();
    assert!(report
        .saves_by_offer
        .contains(&("discount_25_3".to_string(), 1)));
    assert_eq!(report.starts, 2);
}

#[tokio::test]
async fn pausing_bills_a_dollar_a_month_and_resuming_restarts_the_plan() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let s = start(&owner, "business_closing", None).await;
    let res = owner
        .post(&format!("/api/cancel-flow/sessions/{}/accept", s.id))
        .json(&json!({ "offer_id": "pause" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(owner.overview().await.status, SubscriptionStatus::Paused);
    assert_eq!(app.count_emails(&account, "paused").await, 1);

    let o = to_period_end(&app, &account, &owner).await;
    assert_eq!(o.status, SubscriptionStatus::Paused);
    assert_eq!(owner.invoices().await[0].total.amount(), 100);
    assert_eq!(o.next_charge.amount(), 100);

    // Half-way through the pause month, resume: the plan restarts now.
    app.advance(&account, 15 * DAY).await;
    let res = owner.post("/api/subscription/resume").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let o: BillingOverview = res.json().await.unwrap();
    assert_eq!(o.status, SubscriptionStatus::Active);
    let invoice = &owner.invoices().await[0];
    assert_eq!(invoice.lines[0].amount.amount(), 166_800);
    assert!(
        invoice.lines[1].amount.amount() < 0,
        "unused pause time credited"
    );
    assert_eq!(o.current_period_start, app_now(&app, &account).await);
}

#[tokio::test]
async fn after_the_period_ends_only_the_owner_keeps_billing_and_a_card_reactivates() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let admin = app.signed_in(&account, "admin").await;
    assert_eq!(
        cancel(&owner, "CONFIRM", None).await.status(),
        StatusCode::OK
    );
    let o = to_period_end(&app, &account, &owner).await;
    assert_eq!(o.status, SubscriptionStatus::Canceled);
    assert_eq!(
        o.data_deleted_at,
        Some(o.canceled_at.unwrap() + chrono::Duration::days(60))
    );
    assert_eq!(
        app.count_emails(&account, "cancellation_effective").await,
        1
    );
    assert_eq!(owner.invoices().await.len(), 1, "nothing renewed");
    let err = expect_error(
        admin.get("/api/billing/overview").send().await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(err.error.message.contains("Only the account owner"));
    assert_eq!(err.error.code, "subscription_ended");

    app.advance(&account, 20 * DAY).await;
    let res = owner.add_card("4242424242424242").await;
    assert_eq!(res.status(), StatusCode::OK);
    let o = owner.overview().await;
    assert_eq!(
        (o.status, o.canceled_at),
        (SubscriptionStatus::Active, None)
    );
    assert_eq!(o.current_period_start, app_now(&app, &account).await);
    assert_eq!(owner.invoices().await[0].total.amount(), 166_800);
    assert_eq!(
        admin
            .get("/api/billing/overview")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn sixty_days_after_cancellation_the_account_is_gone() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    assert_eq!(
        cancel(&owner, "CONFIRM", None).await.status(),
        StatusCode::OK
    );
    to_period_end(&app, &account, &owner).await;
    app.advance(&account, 61 * DAY).await;
    let user = account.user("owner").unwrap();
    let res = app.client().sign_in(&user.email, &user.password).await;
    let err = expect_error(res, StatusCode::FORBIDDEN).await;
    assert_eq!(err.error.code, "account_deleted");
    assert!(err.error.message.contains("deleted"));
    // The old session is gone too.
    expect_error(
        owner.get("/api/session").send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // Its cards no longer exist; its invoices stay for the vendor's records.
    assert!(!app
        .state
        .store
        .invoices(&account.account_id, 10, None)
        .await
        .unwrap()
        .is_empty());
    assert!(app
        .state
        .store
        .default_payment_method(&account.account_id)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_contract_plan_ends_at_customer_success() {
    let app = spawn_app().await;
    let account = app.test_account_on("premium").await;
    let owner = app.signed_in(&account, "owner").await;
    let overview = owner.overview().await;
    assert_eq!(
        (overview.plan, overview.interval, overview.contract),
        (PlanId::Premium, Interval::Year, true)
    );
    assert!(flow(&owner).await.contract);
    let err = expect_error(cancel(&owner, "CONFIRM", None).await, StatusCode::CONFLICT).await;
    assert_eq!(err.error.code, "contract_plan");
    let res = owner
        .post("/api/cancel-flow/meeting-requests")
        .json(&json!({ "note": "Our contract ends soon." }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let emails = app.emails(&account).await;
    let meeting = emails.iter().find(|e| e.kind == "meeting_request").unwrap();
    assert_eq!(meeting.to, "success@example.com");
    assert!(meeting.body.contains("Our contract ends soon."));
}

#[tokio::test]
async fn with_owner_only_cancel_an_admin_is_refused() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let admin = app.signed_in(&account, "admin").await;
    assert_eq!(
        admin.get("/api/cancel-flow").send().await.unwrap().status(),
        StatusCode::OK
    );
    owner
        .patch("/api/account/policy")
        .json(&json!({ "cancel_requires_owner": true }))
        .send()
        .await
        .unwrap();
    expect_error(
        admin.get("/api/cancel-flow").send().await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    let res = admin
        .post("/api/subscription/cancel")
        .json(&json!({ "confirmation": "CONFIRM", "acknowledged": [] }))
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::FORBIDDEN).await;
    assert_eq!(owner.overview().await.status, SubscriptionStatus::Active);
}

#[tokio::test]
async fn an_unused_plan_within_seven_days_is_refunded_in_full() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    app.advance(&account, 3 * DAY).await;
    let (status, quote) = owner.get_json("/api/refunds").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (quote["kind"].as_str(), quote["amount"]["amount"].as_i64()),
        (Some("full"), Some(166_800))
    );
    let err = expect_error(
        owner
            .post("/api/refunds")
            .json(&json!({ "confirmation": "confirm" }))
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(err.error.param.as_deref(), Some("confirmation"));
    let res = owner
        .post("/api/refunds")
        .json(&json!({ "confirmation": "CONFIRM" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["overview"]["status"], "canceled");
    assert_eq!(
        body["overview"]["credit_balance"]["amount"], 0,
        "a full refund goes to the card"
    );
}

#[tokio::test]
async fn a_used_plan_gets_the_unused_rest_as_credit_with_the_computation() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let member = app.signed_in(&account, "member").await;
    let res = member
        .post("/api/usage")
        .json(&json!({ "kind": "chats", "quantity": 3 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let bad = member
        .post("/api/usage")
        .json(&json!({ "kind": "chats", "quantity": 0 }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        expect_error(bad, StatusCode::BAD_REQUEST)
            .await
            .error
            .param
            .as_deref(),
        Some("quantity")
    );
    let o = owner.overview().await;
    app.advance(&account, 10 * DAY).await;
    let (_, quote) = owner.get_json("/api/refunds").await;
    assert_eq!(quote["kind"], "partial");
    let total = (o.current_period_end - o.current_period_start).num_seconds();
    let expected =
        (166_800i128 * (total - 10 * DAY) as i128 * 2 + total as i128) / (2 * total as i128);
    assert_eq!(quote["amount"]["amount"].as_i64(), Some(expected as i64));
    // Paid by card, the time used at list price, the refund.
    assert_eq!(quote["steps"].as_array().unwrap().len(), 3);
    let res = owner
        .post("/api/refunds")
        .json(&json!({ "confirmation": "CONFIRM" }))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["overview"]["credit_balance"]["amount"].as_i64(),
        Some(expected as i64)
    );

    // The balance can be withdrawn through the billing team.
    owner.withdraw("Please wire it.").await;
    let emails = app.emails(&account).await;
    assert!(emails
        .iter()
        .any(|e| e.kind == "balance_withdrawal" && e.to == "billing@example.com"));
    // Only the owner refunds or withdraws.
    let admin = app.signed_in(&account, "admin").await;
    expect_error(
        admin.get("/api/refunds").send().await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
}

#[tokio::test]
async fn the_save_rate_report_counts_starts_saves_and_reasons() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let saved = start(&owner, "not_using_enough", None).await;
    owner
        .post(&format!("/api/cancel-flow/sessions/{}/accept", saved.id))
        .json(&json!({ "offer_id": "meeting" }))
        .send()
        .await
        .unwrap();
    let lost = start(&owner, "switching_product", None).await;
    assert_eq!(
        cancel(&owner, "CONFIRM", Some(&lost.id)).await.status(),
        StatusCode::OK
    );
    let from = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
    let to = chrono::Utc::now() + chrono::Duration::days(3650);
    let r = app.state.store.save_rate(from, to).await.unwrap();
    assert_eq!(r.starts, 2);
    assert_eq!(r.meetings, 1);
    assert_eq!(r.saves_by_offer, [("meeting".to_string(), 1)]);
    assert_eq!(
        r.cancellations_by_reason,
        [("switching_product".to_string(), 1)]
    );
    let text = billing_api::report::render(&r, from, to);
    assert!(
        text.contains("Wizard starts:   2") && text.contains("switching_product"),
        "{text}"
    );
    let args: Vec<String> = ["--from", "2026-01-01", "--to", "2025-01-01"]
        .map(String::from)
        .to_vec();
    assert!(billing_api::report::parse_range(&args).is_err());
}
