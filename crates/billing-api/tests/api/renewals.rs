//! Renewals, declines, grace, deactivation, freeze and recovery, driven by
//! each test account's own clock.

use crate::helpers::{expect_error, spawn_app, DAY};
use billing_domain::invoice::InvoiceStatus;
use billing_domain::SubscriptionStatus;
use chrono::Duration;
use reqwest::StatusCode;

#[tokio::test]
async fn a_test_account_starts_with_its_first_period_paid() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let invoices = owner.invoices().await;
    assert_eq!(invoices.len(), 1);
    assert_eq!(invoices[0].status, InvoiceStatus::Paid);
    assert_eq!(invoices[0].total.amount(), 166_800);
    assert_eq!(invoices[0].number, "INV-000001");
}

#[tokio::test]
async fn a_month_of_clock_time_renews_exactly_once() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let before = owner.overview().await;
    let period_days = (before.current_period_end - before.current_period_start).num_days();

    // Just short of the period end: nothing happens.
    let to_end = (before.current_period_end - before.current_period_start).num_seconds();
    app.advance(&account, to_end - 1).await;
    assert_eq!(owner.invoices().await.len(), 1);
    // The last second: one renewal, paid, e-mailed.
    app.advance(&account, 1).await;
    let after = owner.overview().await;
    assert_eq!(after.current_period_start, before.current_period_end);
    assert!((after.current_period_end - after.current_period_start).num_days() >= 28);
    assert_eq!(after.status, SubscriptionStatus::Active);
    let invoices = owner.invoices().await;
    assert_eq!(
        invoices.len(),
        2,
        "period of {period_days} days renews once"
    );
    let renewal = &invoices[0];
    assert_eq!(
        (renewal.status, renewal.total.amount()),
        (InvoiceStatus::Paid, 166_800)
    );
    assert_eq!(renewal.period_start, Some(before.current_period_end));
    assert_eq!(renewal.lines.len(), 1);
    assert_eq!(renewal.lines[0].quantity, 12);
    assert_eq!(app.count_emails(&account, "invoice_paid").await, 1);
    // Small steps for the rest of the month renew nothing more.
    for _ in 0..5 {
        app.advance(&account, DAY).await;
    }
    assert_eq!(owner.invoices().await.len(), 2);
    assert_eq!(app.count_emails(&account, "invoice_paid").await, 1);
}

#[tokio::test]
async fn a_long_jump_runs_every_renewal_in_order() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    // Just over three months: three renewals, each for its own period.
    app.advance(&account, 95 * DAY).await;
    let invoices = owner.invoices().await;
    assert_eq!(invoices.len(), 4);
    let mut starts: Vec<_> = invoices.iter().map(|i| i.period_start.unwrap()).collect();
    starts.reverse();
    for pair in starts.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            gap >= Duration::days(28) && gap <= Duration::days(31),
            "{gap:?}"
        );
    }
    assert!(invoices.iter().all(|i| i.status == InvoiceStatus::Paid));
}

#[tokio::test]
async fn a_declined_renewal_starts_three_days_of_grace_then_deactivates() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    // A card that saves but whose every charge is declined.
    let res = owner.add_card("4000 0000 0000 0341").await;
    assert_eq!(res.status(), StatusCode::OK);
    let start = owner.overview().await;
    let to_end = (start.current_period_end - start.current_period_start).num_seconds();
    app.advance(&account, to_end).await;

    let o = owner.overview().await;
    assert_eq!(o.status, SubscriptionStatus::PastDue);
    assert_eq!(
        o.grace_until,
        Some(start.current_period_end + Duration::days(3))
    );
    assert_eq!(o.grace_days_left, Some(3));
    assert_eq!(o.amount_due.amount(), 166_800);
    let open = &owner.invoices().await[0];
    assert_eq!(open.status, InvoiceStatus::Open);
    assert_eq!(open.last_error.as_deref(), Some("Your card was declined."));
    assert_eq!(app.count_emails(&account, "card_declined").await, 1);

    // Two days in: a warning that grace ends tomorrow, still past due.
    app.advance(&account, 2 * DAY).await;
    assert_eq!(app.count_emails(&account, "grace_ending").await, 1);
    assert_eq!(owner.overview().await.grace_days_left, Some(1));
    assert_eq!(owner.overview().await.status, SubscriptionStatus::PastDue);
    // The third day ends grace.
    app.advance(&account, DAY).await;
    assert_eq!(
        owner.overview().await.status,
        SubscriptionStatus::Deactivated
    );
    assert_eq!(app.count_emails(&account, "deactivated").await, 1);
    // Nothing more is billed while deactivated.
    app.advance(&account, 40 * DAY).await;
    assert_eq!(owner.invoices().await.len(), 2);
    assert_eq!(app.count_emails(&account, "card_declined").await, 1);
}

#[tokio::test]
async fn a_working_card_retries_at_once_and_reactivates() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    assert_eq!(
        owner.add_card("4000000000000341").await.status(),
        StatusCode::OK
    );
    let start = owner.overview().await;
    app.advance(
        &account,
        (start.current_period_end - start.current_period_start).num_seconds() + 4 * DAY,
    )
    .await;
    assert_eq!(
        owner.overview().await.status,
        SubscriptionStatus::Deactivated
    );

    // Another failing card: saved, retried, still declined, still deactivated.
    let res = owner.add_card("4000000000000341").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: billing_domain::wire::PaymentMethodResult = res.json().await.unwrap();
    assert_eq!(body.status, SubscriptionStatus::Deactivated);
    assert_eq!(body.retried[0].status, InvoiceStatus::Open);
    assert_eq!(
        body.retried[0].error.as_deref(),
        Some("Your card was declined.")
    );

    let res = owner.add_card("4242424242424242").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: billing_domain::wire::PaymentMethodResult = res.json().await.unwrap();
    assert_eq!(body.status, SubscriptionStatus::Active);
    assert_eq!(body.retried.len(), 1);
    assert_eq!(
        (body.retried[0].status, body.retried[0].amount.amount()),
        (InvoiceStatus::Paid, 166_800)
    );
    let o = owner.overview().await;
    assert_eq!(
        (o.status, o.amount_due.amount(), o.grace_until),
        (SubscriptionStatus::Active, 0, None)
    );
    assert_eq!(o.payment_method.unwrap().last4, "4242");
    assert_eq!(owner.invoices().await[0].status, InvoiceStatus::Paid);
    assert_eq!(app.count_emails(&account, "reactivated").await, 1);
    // The paid copy went to the owner.
    let emails = app.emails(&account).await;
    let paid: Vec<_> = emails.iter().filter(|e| e.kind == "invoice_paid").collect();
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0].to, account.user("owner").unwrap().email);
    assert!(paid[0].body.contains("$1,668.00"), "{}", paid[0].body);
}

#[tokio::test]
async fn a_period_ending_without_a_card_freezes_after_two_reminders() {
    let app = spawn_app().await;
    let account = app.test_account_without_card().await;
    let owner = app.signed_in(&account, "owner").await;
    let start = owner.overview().await;
    assert!(start.payment_method.is_none());
    let to_end = (start.current_period_end - start.current_period_start).num_seconds();

    app.advance(&account, to_end - 7 * DAY).await;
    assert_eq!(app.count_emails(&account, "freeze_reminder").await, 1);
    app.advance(&account, 6 * DAY).await;
    assert_eq!(app.count_emails(&account, "freeze_reminder").await, 2);
    app.advance(&account, DAY).await;
    let o = owner.overview().await;
    assert_eq!(o.status, SubscriptionStatus::Frozen);
    assert_eq!(o.amount_due.amount(), 166_800);
    assert_eq!(app.count_emails(&account, "frozen").await, 1);
    assert_eq!(app.count_emails(&account, "freeze_reminder").await, 2);

    let res = owner.add_card("5555 5555 5555 4444").await;
    let body: billing_domain::wire::PaymentMethodResult = res.json().await.unwrap();
    assert_eq!(body.status, SubscriptionStatus::Active);
    assert_eq!(body.payment_method.brand.as_str(), "mastercard");
    assert_eq!(owner.overview().await.amount_due.amount(), 0);
}

#[tokio::test]
async fn running_the_scheduler_twice_for_the_same_moment_bills_once() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let o = owner.overview().await;
    let end = o.current_period_end;
    let state = app.state.clone();
    let (a, b) = tokio::join!(
        billing_api::scheduler::run_due(&state, &account.account_id, end),
        billing_api::scheduler::run_due(&state, &account.account_id, end),
    );
    a.unwrap();
    b.unwrap();
    billing_api::scheduler::run_due(&state, &account.account_id, end)
        .await
        .unwrap();
    assert_eq!(owner.invoices().await.len(), 2);
    assert_eq!(app.count_emails(&account, "invoice_paid").await, 1);
}

#[tokio::test]
async fn the_clock_refuses_bad_advances_and_unknown_accounts() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let url = format!("/api/test/accounts/{}/clock", account.account_id);
    for bad in [0, -5, 10 * 366 * DAY] {
        let res = app
            .client()
            .post(&url)
            .json(&serde_json::json!({ "advance_seconds": bad }))
            .send()
            .await
            .unwrap();
        let body = expect_error(res, StatusCode::BAD_REQUEST).await;
        assert_eq!(
            body.error.param.as_deref(),
            Some("advance_seconds"),
            "{bad}"
        );
    }
    let res = app
        .client()
        .post("/api/test/accounts/acct_nope/clock")
        .json(&serde_json::json!({ "advance_seconds": 60 }))
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::NOT_FOUND).await;
}
