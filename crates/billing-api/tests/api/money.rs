//! Money truth (SPEC §11): the five cases where features met and the money
//! went wrong, each as it was found, and a store failure after a charge.

use crate::helpers::{spawn_app, Client, TestApp, DAY};
use billing_domain::invoice::InvoiceStatus;
use billing_domain::wire::{BillingOverview, CancelSession, TestAccount};
use billing_domain::SubscriptionStatus;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Advances to the end of the current period.
async fn to_period_end(app: &TestApp, account: &TestAccount, client: &Client) -> BillingOverview {
    let o = client.overview().await;
    app.advance(account, (o.current_period_end - o.as_of).num_seconds())
        .await;
    client.overview().await
}

async fn accept_discount(client: &Client) -> reqwest::Response {
    let res = client
        .post("/api/cancel-flow/sessions")
        .send()
        .await
        .unwrap();
    let s: CancelSession = res.json().await.unwrap();
    let res = client
        .patch(&format!("/api/cancel-flow/sessions/{}", s.id))
        .json(&json!({ "reason": "too_expensive" }))
        .send()
        .await
        .unwrap();
    let s: CancelSession = res.json().await.unwrap();
    let offered = s.offers.iter().any(|o| o.id == "discount_25_3");
    let res = client
        .post(&format!("/api/cancel-flow/sessions/{}/accept", s.id))
        .json(&json!({ "offer_id": "discount_25_3" }))
        .send()
        .await
        .unwrap();
    if !offered {
        assert_ne!(
            res.status(),
            StatusCode::OK,
            "an offer not shown was accepted"
        );
    }
    res
}

/// A fresh account moved from Business to Essentials ten days in, which
/// leaves a credit balance; returns it and its owner.
async fn downgraded_after_ten_days(app: &TestApp) -> (TestAccount, Client) {
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
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
    (account, owner)
}

async fn gateway_charges(app: &TestApp, account: &TestAccount) -> Vec<Value> {
    let (status, body) = app
        .client()
        .get_json(&format!(
            "/api/test/accounts/{}/gateway-charges",
            account.account_id
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    body["data"].as_array().unwrap().clone()
}

async fn ledger(client: &Client) -> Value {
    let (status, body) = client.get_json("/api/ledger").await;
    assert_eq!(status, StatusCode::OK);
    body
}

#[tokio::test]
async fn the_discount_shown_as_the_next_charge_is_what_the_renewal_bills_and_cannot_be_taken_twice()
{
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    assert_eq!(accept_discount(&owner).await.status(), StatusCode::OK);
    let shown = owner.overview().await;
    // 12 × $139 = $1,668 less 25%.
    assert_eq!(shown.next_charge.amount(), 125_100);
    let after = to_period_end(&app, &account, &owner).await;
    let renewal = &owner.invoices().await[0];
    assert_eq!(renewal.total, shown.next_charge);
    assert_eq!(after.discount.map(|d| d.months_left), Some(2));
    // A second run of the wizard neither shows nor grants the discount again.
    let res = accept_discount(&owner).await;
    assert_ne!(res.status(), StatusCode::OK);
    assert_eq!(
        owner.overview().await.discount.map(|d| d.months_left),
        Some(2)
    );
}

#[tokio::test]
async fn credit_from_a_downgrade_shows_in_the_next_charge() {
    let app = spawn_app().await;
    let (account, owner) = downgraded_after_ten_days(&app).await;
    let o = owner.overview().await;
    assert!(o.credit_balance.amount() > 0);
    // Essentials: 12 × $89 = $1,068, less the credit.
    assert_eq!(o.next_charge.amount(), 106_800 - o.credit_balance.amount());
    let l = ledger(&owner).await;
    assert_eq!(l["credit_balance"], json!(o.credit_balance));
    to_period_end(&app, &account, &owner).await;
    assert_eq!(owner.invoices().await[0].total, o.next_charge);
    assert_eq!(owner.overview().await.credit_balance.amount(), 0);
}

#[tokio::test]
async fn a_long_deactivation_is_not_billed_when_a_card_arrives() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    assert_eq!(
        owner.add_card("4000000000000341").await.status(),
        StatusCode::OK
    );
    to_period_end(&app, &account, &owner).await;
    app.advance(&account, 100 * DAY).await;
    assert_eq!(
        owner.overview().await.status,
        SubscriptionStatus::Deactivated
    );
    let shown = owner.overview().await;
    assert_eq!(shown.next_charge.amount(), 166_800);
    assert!(shown.next_bill.as_ref().is_some_and(|b| b.starts_now));
    let before = gateway_charges(&app, &account).await.len();
    assert_eq!(
        owner.add_card("4242424242424242").await.status(),
        StatusCode::OK
    );
    let o = owner.overview().await;
    assert_eq!(o.status, SubscriptionStatus::Active);
    // One charge for one new period starting now; the locked period is void.
    let charges = gateway_charges(&app, &account).await;
    let new: Vec<_> = charges[before..]
        .iter()
        .filter(|c| c["outcome"] == "succeeded")
        .collect();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["amount"], 166_800);
    assert_eq!(o.current_period_start, o.as_of);
    let invoices = owner.invoices().await;
    assert_eq!(invoices[0].status, InvoiceStatus::Paid);
    assert!(invoices.iter().any(|i| i.status == InvoiceStatus::Void));
    // And nothing more is billed for the missed months.
    app.advance(&account, DAY).await;
    assert_eq!(gateway_charges(&app, &account).await.len(), charges.len());
}

#[tokio::test]
async fn a_full_refund_of_a_renewal_paid_partly_by_credit_returns_no_more_than_the_card_paid() {
    let app = spawn_app().await;
    let (account, owner) = downgraded_after_ten_days(&app).await;
    let credit = owner.overview().await.credit_balance.amount();
    to_period_end(&app, &account, &owner).await;
    app.advance(&account, DAY).await;
    let renewal = owner.invoices().await[0].clone();
    assert_eq!(renewal.credit_applied.amount(), credit);
    let (_, quote) = owner.get_json("/api/refunds").await;
    assert_eq!(quote["kind"], "full");
    assert_eq!(quote["to_card"]["amount"], renewal.total.amount());
    assert_eq!(quote["to_balance"]["amount"], credit);
    let res = owner
        .post("/api/refunds")
        .json(&json!({ "confirmation": "CONFIRM" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let charges = gateway_charges(&app, &account).await;
    let refunded: i64 = charges
        .iter()
        .filter(|c| c["refund_of"].is_string())
        .map(|c| -c["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(refunded, renewal.total.amount());
    assert_eq!(owner.overview().await.credit_balance.amount(), credit);
}

#[tokio::test]
async fn a_paid_pause_charge_returns_the_account_to_paused() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    owner.pause().await;
    assert_eq!(
        owner.add_card("4000000000000341").await.status(),
        StatusCode::OK
    );
    to_period_end(&app, &account, &owner).await;
    assert_eq!(owner.overview().await.status, SubscriptionStatus::PastDue);
    assert_eq!(
        owner.add_card("4242424242424242").await.status(),
        StatusCode::OK
    );
    assert_eq!(owner.overview().await.status, SubscriptionStatus::Paused);
    // Withdrawing a cancellation scheduled while paused keeps the pause too.
    let (_, flow) = owner.get_json("/api/cancel-flow").await;
    let ids: Vec<Value> = flow["consequences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    let res = owner
        .post("/api/subscription/cancel")
        .json(&json!({ "confirmation": "CONFIRM", "acknowledged": ids }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = owner
        .delete("/api/subscription/cancel")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(owner.overview().await.status, SubscriptionStatus::Paused);
}

#[tokio::test]
async fn a_store_failure_after_a_charge_is_finished_by_the_retry_without_a_second_charge() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    app.advance(&account, 10 * DAY).await;
    let o = owner.overview().await;
    let before = gateway_charges(&app, &account).await.len();
    app.state.faults.arm("after_charge");
    let key = crate::helpers::fresh_key();
    let send = || {
        owner
            .post_raw("/api/subscription/changes")
            .header("idempotency-key", &key)
            .header("if-match", format!("\"{}\"", o.version))
            .json(&json!({ "seats": 15 }))
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(owner.overview().await.seats.purchased, 12);
    // The same request again finishes the change; the card is charged once.
    let retry = send().await.unwrap();
    assert_eq!(retry.status(), StatusCode::OK);
    let body: Value = retry.json().await.unwrap();
    assert_eq!(body["overview"]["seats"]["purchased"], 15);
    let charges = gateway_charges(&app, &account).await;
    assert_eq!(charges.len(), before + 1);
    assert_eq!(
        charges.last().unwrap()["amount"],
        body["change"]["amount_due_today"]["amount"]
    );
    // Another request under that key is refused, never run.
    let other = owner
        .post_raw("/api/subscription/changes")
        .header("idempotency-key", &key)
        .json(&json!({ "seats": 20 }))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let l = ledger(&owner).await;
    let card: Vec<_> = l["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "card_charge")
        .collect();
    assert_eq!(card.len(), charges.len());
}

#[tokio::test]
async fn a_crash_between_charge_and_record_is_reconciled_by_the_scheduler() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    app.advance(&account, 10 * DAY).await;
    let o = owner.overview().await;
    app.state.faults.arm("after_charge");
    let res = owner
        .post("/api/subscription/changes")
        .header("if-match", format!("\"{}\"", o.version))
        .json(&json!({ "seats": 14 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    // The client never retries; the next scheduler run settles it.
    app.advance(&account, 60).await;
    let o = owner.overview().await;
    assert_eq!(o.seats.purchased, 14);
    let charges = gateway_charges(&app, &account).await;
    let succeeded = charges
        .iter()
        .filter(|c| c["outcome"] == "succeeded")
        .count();
    assert_eq!(succeeded, 2, "the first period and the change, once each");
}

#[tokio::test]
async fn a_withdrawal_holds_the_balance_until_the_billing_team_decides() {
    let app = spawn_app().await;
    let (_, owner) = downgraded_after_ten_days(&app).await;
    let credit = owner.overview().await.credit_balance.amount();
    assert!(credit > 0);

    let request = |client: &Client| {
        client
            .post("/api/balance/withdrawals")
            .json(&json!({ "note": "Wire it, please." }))
            .send()
    };
    let res = request(&owner).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let first: Value = res.json().await.unwrap();
    let o = owner.overview().await;
    assert_eq!(
        (o.credit_balance.amount(), o.credit_held.amount()),
        (0, credit)
    );
    // Held money pays no renewal: the next charge is the full price.
    assert_eq!(o.next_charge.amount(), 106_800);
    // Declined: it is available again, and deciding twice is refused.
    let decide = |id: String, decision: &'static str| {
        let client = app.client();
        async move {
            client
                .post(&format!("/api/test/withdrawals/{id}/decision"))
                .json(&json!({ "decision": decision }))
                .send()
                .await
                .unwrap()
        }
    };
    let id = first["id"].as_str().unwrap().to_string();
    assert_eq!(
        decide(id.clone(), "declined").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        decide(id.clone(), "paid").await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(decide(id, "maybe").await.status(), StatusCode::BAD_REQUEST);
    let o = owner.overview().await;
    assert_eq!(
        (o.credit_balance.amount(), o.credit_held.amount()),
        (credit, 0)
    );

    // Paid, as the CLI decides it: the held amount leaves for good.
    let res = request(&owner).await.unwrap();
    let second: Value = res.json().await.unwrap();
    let paid = billing_api::services::cancel::decide_withdrawal(
        &app.state,
        second["id"].as_str().unwrap(),
        true,
        "billing team (CLI)",
    )
    .await
    .unwrap();
    assert_eq!(paid.status, "paid");
    let o = owner.overview().await;
    assert_eq!((o.credit_balance.amount(), o.credit_held.amount()), (0, 0));
    let l = ledger(&owner).await;
    let kinds: Vec<&str> = l["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .filter(|k| k.starts_with("withdrawal"))
        .collect();
    assert_eq!(
        kinds,
        [
            "withdrawal_requested",
            "withdrawal_declined",
            "withdrawal_requested",
            "withdrawal_paid"
        ]
    );
    let (_, list) = owner.get_json("/api/balance/withdrawals").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    // Nothing left to withdraw.
    assert_eq!(
        request(&owner).await.unwrap().status(),
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn a_preview_shows_the_discount_its_renewal_takes() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    assert_eq!(accept_discount(&owner).await.status(), StatusCode::OK);
    let res = owner
        .post_raw("/api/subscription/preview")
        .json(&json!({ "seats": 13 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let preview: Value = res.json().await.unwrap();
    // 13 × $139 = $1,807 less 25%.
    assert_eq!(preview["next_renewal"]["price"]["amount"], 180_700);
    assert_eq!(preview["next_renewal"]["discount"]["amount"], 45_175);
    assert_eq!(preview["next_renewal"]["amount"]["amount"], 135_525);
}

/// Found by the model-based test: a paused account locked out because its
/// credit was held for a withdrawal gets that credit back when the
/// withdrawal is declined. A card saved then restarts the pause with a
/// month the credit pays in full, so the card (one that declines) is never
/// charged, and the account is paused again.
#[tokio::test]
async fn credit_back_from_a_declined_withdrawal_pays_the_recovery_of_a_paused_account() {
    let app = spawn_app().await;
    let (account, owner) = downgraded_after_ten_days(&app).await;
    let credit = owner.overview().await.credit_balance.amount();
    assert!(credit > 100, "the downgrade left credit");
    owner.pause().await;
    assert_eq!(
        owner.add_card("4000000000000341").await.status(),
        StatusCode::OK
    );
    let withdrawal = owner.withdraw("Wire it, please.").await;
    // The pause month's $1 finds no credit (it is held) and the card
    // declines: past due, then locked out.
    app.advance(&account, 60 * DAY).await;
    assert_eq!(
        owner.overview().await.status,
        SubscriptionStatus::Deactivated
    );
    let res = app
        .client()
        .post(&format!(
            "/api/test/withdrawals/{}/decision",
            withdrawal["id"].as_str().unwrap()
        ))
        .json(&json!({ "decision": "declined" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(owner.overview().await.credit_balance.amount(), credit);
    let charges_before = gateway_charges(&app, &account).await.len();

    assert_eq!(
        owner.add_card("4000000000000341").await.status(),
        StatusCode::OK
    );
    let o = owner.overview().await;
    assert_eq!(o.status, SubscriptionStatus::Paused);
    // The new pause month ($1) came out of the credit, not off the card.
    assert_eq!(o.credit_balance.amount(), credit - 100);
    assert_eq!(gateway_charges(&app, &account).await.len(), charges_before);
    let entries = ledger(&owner).await;
    let applied: Vec<i64> = entries["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "credit_applied")
        .map(|e| e["amount"]["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(applied.last(), Some(&100));
}
