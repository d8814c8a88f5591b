//! Manage Subscription: every preview equals the invoice that follows it.

use crate::helpers::{expect_error, fresh_key, spawn_app, Client, TestApp, DAY};
use billing_domain::wire::{BillingOverview, SubscriptionChangeResult, SubscriptionPreview};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn preview(client: &Client, body: &Value) -> SubscriptionPreview {
    let res = client
        .post("/api/subscription/preview")
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "preview {body}");
    res.json().await.unwrap()
}

async fn change(client: &Client, body: &Value, version: i64) -> reqwest::Response {
    client
        .post("/api/subscription/changes")
        .header("if-match", format!("\"{version}\""))
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Previews, then applies with the preview's proration date; checks the
/// invoice and balances equal the preview. Returns the preview.
async fn preview_then_apply(
    client: &Client,
    body: Value,
) -> (SubscriptionPreview, SubscriptionChangeResult) {
    let before = client.overview().await;
    let p = preview(client, &body).await;
    let mut with_date = body.clone();
    with_date["proration_date"] = json!(p.proration_date);
    let res = change(client, &with_date, before.version).await;
    assert_eq!(res.status(), StatusCode::OK, "{body}");
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let result: SubscriptionChangeResult = res.json().await.unwrap();
    assert_eq!(etag, format!("\"{}\"", result.overview.version));
    assert_eq!(
        result.change, p,
        "the change did exactly what the preview said"
    );
    assert_eq!(result.overview.credit_balance, p.credit_balance_after);
    if let Some(id) = &result.invoice_id {
        let (status, inv) = client.get_json(&format!("/api/invoices/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(inv["total"], json!(p.amount_due_today));
        assert_eq!(inv["credit_created"], json!(p.credit_created));
        assert_eq!(inv["lines"], json!(p.lines));
    }
    (p, result)
}

/// A fresh account whose clock is `days` into its first month.
async fn account_days_in(app: &TestApp, days: i64) -> (billing_domain::wire::TestAccount, Client) {
    let account = app.test_account().await;
    if days > 0 {
        app.advance(&account, days * DAY).await;
    }
    let owner = app.signed_in(&account, "owner").await;
    (account, owner)
}

fn prorated(amount: i64, o: &BillingOverview, elapsed_secs: i64) -> i64 {
    // Hand computation: amount × remaining / total, half away from zero.
    let total = (o.current_period_end - o.current_period_start).num_seconds();
    let remaining = total - elapsed_secs;
    let num = amount as i128 * remaining as i128;
    let q = num / total as i128;
    let r = num % total as i128;
    (if 2 * r.abs() >= total as i128 {
        q + num.signum()
    } else {
        q
    }) as i64
}

#[tokio::test]
async fn adding_three_seats_mid_month_charges_exactly_the_prorated_preview() {
    let app = spawn_app().await;
    let (_, owner) = account_days_in(&app, 10).await;
    let before = owner.overview().await;
    let (p, result) = preview_then_apply(&owner, json!({ "seats": 15 })).await;
    assert_eq!(
        p.amount_due_today.amount(),
        prorated(3 * 13_900, &before, 10 * DAY)
    );
    assert_eq!(result.overview.seats.purchased, 15);
    assert_eq!(p.next_renewal.amount.amount(), 15 * 13_900);
    assert_eq!(p.next_renewal.date, before.current_period_end);
    // The next renewal bills all 15 in full.
    app.advance(
        &crate::helpers::account_of(&owner).await,
        (before.current_period_end - before.current_period_start).num_seconds() - 10 * DAY,
    )
    .await;
    assert_eq!(owner.invoices().await[0].total.amount(), 15 * 13_900);
}

#[tokio::test]
async fn an_upgrade_charges_the_difference_and_a_downgrade_creates_credit_for_the_renewal() {
    let app = spawn_app().await;
    let (account, owner) = account_days_in(&app, 15).await;
    let o = owner.overview().await;
    // Business → Essentials half-way: credit (139 − 89) × 12 × remaining.
    let (down, _) = preview_then_apply(&owner, json!({ "plan": "essentials" })).await;
    let credit = prorated(12 * 13_900, &o, 15 * DAY) - prorated(12 * 8_900, &o, 15 * DAY);
    assert_eq!(down.amount_due_today.amount(), 0);
    assert_eq!(down.credit_created.amount(), credit);
    assert_eq!(owner.overview().await.credit_balance.amount(), credit);
    assert_eq!(down.next_renewal.amount.amount(), 12 * 8_900 - credit);

    // The credit pays part of the next invoice.
    let to_end = (o.current_period_end - o.current_period_start).num_seconds() - 15 * DAY;
    app.advance(&account, to_end).await;
    let renewal = &owner.invoices().await[0];
    assert_eq!(renewal.credit_applied.amount(), credit);
    assert_eq!(renewal.total.amount(), 12 * 8_900 - credit);
    assert_eq!(owner.overview().await.credit_balance.amount(), 0);

    // Back up to Business a day in: charged the prorated difference.
    app.advance(&account, DAY).await;
    let o2 = owner.overview().await;
    let (up, _) = preview_then_apply(&owner, json!({ "plan": "business" })).await;
    let expected = prorated(12 * 13_900, &o2, DAY) - prorated(12 * 8_900, &o2, DAY);
    assert_eq!(up.amount_due_today.amount(), expected);
    assert_eq!(up.lines.len(), 2);
}

#[tokio::test]
async fn switching_to_annual_starts_a_new_year_now() {
    let app = spawn_app().await;
    let (_, owner) = account_days_in(&app, 20).await;
    let o = owner.overview().await;
    let (p, result) = preview_then_apply(&owner, json!({ "interval": "year" })).await;
    assert!(p.restarts_period);
    let unused = prorated(166_800, &o, 20 * DAY);
    assert_eq!(p.amount_due_today.amount(), 12 * 11_900 * 12 - unused);
    assert_eq!(result.overview.interval.as_str(), "year");
    assert_eq!(result.overview.current_period_start, p.proration_date);
}

#[tokio::test]
async fn a_seat_reduction_is_pending_until_renewal_and_can_be_undone() {
    let app = spawn_app().await;
    let (account, owner) = account_days_in(&app, 5).await;
    let o = owner.overview().await;
    let (p, result) = preview_then_apply(&owner, json!({ "seats": 10 })).await;
    assert_eq!(
        (p.amount_due_today.amount(), p.credit_created.amount()),
        (0, 0)
    );
    assert!(result.invoice_id.is_none());
    let after = result.overview;
    assert_eq!((after.seats.purchased, after.pending.seats), (12, Some(10)));
    assert_eq!(after.pending_effective_at, Some(o.current_period_end));

    // Undo it.
    let res = owner
        .delete("/api/subscription/pending-changes/seats")
        .header("if-match", format!("\"{}\"", after.version))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(owner.overview().await.pending.seats, None);

    // Schedule it again and let it take effect at the renewal.
    preview_then_apply(&owner, json!({ "seats": 10 })).await;
    app.advance(
        &account,
        (o.current_period_end - o.current_period_start).num_seconds() - 5 * DAY,
    )
    .await;
    let renewed = owner.overview().await;
    assert_eq!((renewed.seats.purchased, renewed.pending.seats), (10, None));
    assert_eq!(owner.invoices().await[0].total.amount(), 10 * 13_900);
}

#[tokio::test]
async fn seats_below_active_users_are_refused_naming_them() {
    let app = spawn_app().await;
    let (_, owner) = account_days_in(&app, 1).await;
    let res = owner
        .post("/api/subscription/preview")
        .json(&json!({ "seats": 3 }))
        .send()
        .await
        .unwrap();
    let err = expect_error(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        (err.error.code.as_str(), err.error.param.as_deref()),
        ("seats_below_active_users", Some("seats"))
    );
    assert!(
        err.error.message.contains("4 people"),
        "{}",
        err.error.message
    );
    for name in ["Olivia Owner", "Adam Admin", "Bea Billing", "Max Member"] {
        assert!(err.error.message.contains(name), "{}", err.error.message);
    }
}

#[tokio::test]
async fn invalid_changes_are_400s_naming_the_field_and_change_nothing() {
    let app = spawn_app().await;
    let (_, owner) = account_days_in(&app, 1).await;
    let before = owner.overview().await;
    for (body, param) in [
        (json!({ "seats": 0 }), "seats"),
        (json!({ "seats": -1 }), "seats"),
        (json!({ "seats": "many" }), "seats"),
        (json!({ "plan": "platinum" }), "plan"),
        (json!({ "interval": "week" }), "interval"),
        (json!({ "add_ons": ["jetpack"] }), "add_ons[0]"),
        (json!({ "colour": "blue" }), "colour"),
        (
            json!({ "seats": 13, "proration_date": "2001-01-01T00:00:00Z" }),
            "proration_date",
        ),
    ] {
        let res = change(&owner, &body, before.version).await;
        let err = expect_error(res, StatusCode::BAD_REQUEST).await;
        assert_eq!(err.error.param.as_deref(), Some(param), "{body}");
    }
    assert_eq!(owner.overview().await, before);
    assert_eq!(owner.invoices().await.len(), 1);

    // Premium is sold annually only. The account is put on Premium as
    // Customer Success would (Premium is no self-serve purchase); asking for
    // it monthly is then refused on the interval.
    let premium = app.test_account_on("premium").await;
    let owner = app.signed_in(&premium, "owner").await;
    let before = owner.overview().await;
    let body = json!({ "plan": "premium", "interval": "month" });
    let err = expect_error(
        change(&owner, &body, before.version).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(err.error.param.as_deref(), Some("interval"), "{body}");
    assert_eq!(owner.overview().await, before);
    assert_eq!(owner.invoices().await.len(), 1);
}

#[tokio::test]
async fn a_declined_charge_changes_nothing_and_says_why() {
    let app = spawn_app().await;
    let (_, owner) = account_days_in(&app, 3).await;
    assert_eq!(
        owner.add_card("4000000000000341").await.status(),
        StatusCode::OK
    );
    let before = owner.overview().await;
    let err = expect_error(
        change(&owner, &json!({ "seats": 14 }), before.version).await,
        StatusCode::PAYMENT_REQUIRED,
    )
    .await;
    assert_eq!(err.error.message, "Your card was declined.");
    assert_eq!(owner.overview().await, before);
    assert_eq!(owner.invoices().await.len(), 1);
}

#[tokio::test]
async fn a_stale_version_gets_412_and_changes_nothing() {
    let app = spawn_app().await;
    let (_, owner) = account_days_in(&app, 3).await;
    let v = owner.overview().await.version;
    assert_eq!(
        change(&owner, &json!({ "seats": 13 }), v).await.status(),
        StatusCode::OK
    );
    let after = owner.overview().await;
    let err = expect_error(
        change(&owner, &json!({ "seats": 20 }), v).await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    assert_eq!(err.error.code, "version_mismatch");
    assert_eq!(owner.overview().await, after);
}

#[tokio::test]
async fn twenty_concurrent_changes_on_one_version_apply_exactly_once() {
    let app = spawn_app().await;
    let (_, owner) = account_days_in(&app, 7).await;
    let v = owner.overview().await.version;
    let mut set = tokio::task::JoinSet::new();
    for i in 0..20 {
        let owner = owner.clone();
        set.spawn(async move {
            change(&owner, &json!({ "seats": 13 + i }), v)
                .await
                .status()
        });
    }
    let statuses: Vec<StatusCode> = set.join_all().await;
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let stale = statuses
        .iter()
        .filter(|s| **s == StatusCode::PRECONDITION_FAILED)
        .count();
    assert_eq!((ok, stale), (1, 19), "{statuses:?}");
    assert_eq!(owner.invoices().await.len(), 2, "one change invoice");
    assert_eq!(owner.overview().await.version, v + 1);
}

#[tokio::test]
async fn a_repeated_key_replays_the_first_response_without_a_second_charge() {
    let app = spawn_app().await;
    let (_, owner) = account_days_in(&app, 2).await;
    let v = owner.overview().await.version;
    let key = fresh_key();
    let send = |body: Value| {
        owner
            .post_raw("/api/subscription/changes")
            .header("idempotency-key", &key)
            .header("if-match", format!("\"{v}\""))
            .json(&body)
            .send()
    };
    let first = send(json!({ "seats": 14 })).await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let first_body = first.text().await.unwrap();
    let again = send(json!({ "seats": 14 })).await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.text().await.unwrap(), first_body);
    assert_eq!(owner.invoices().await.len(), 2);
    assert_eq!(owner.overview().await.seats.purchased, 14);

    let other = send(json!({ "seats": 15 })).await.unwrap();
    let err = expect_error(other, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(err.error.code, "idempotency_key_reused");
    assert_eq!(owner.overview().await.seats.purchased, 14);
}

#[tokio::test]
async fn state_changes_without_a_key_are_refused() {
    let app = spawn_app().await;
    let (_, owner) = account_days_in(&app, 2).await;
    let res = owner
        .post_raw("/api/subscription/changes")
        .json(&json!({ "seats": 14 }))
        .send()
        .await
        .unwrap();
    let err = expect_error(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        (err.error.code.as_str(), err.error.param.as_deref()),
        ("missing_idempotency_key", Some("Idempotency-Key"))
    );
    assert_eq!(owner.overview().await.seats.purchased, 12);
    // Keys belong to their user: the same key from someone else is a new request.
    let key = fresh_key();
    let a = owner
        .patch_raw("/api/members/nobody")
        .header("idempotency-key", &key)
        .json(&json!({ "billing_access": "read" }));
    assert_eq!(a.send().await.unwrap().status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn billing_members_may_preview_but_not_change() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let reader = app.signed_in(&account, "billing_member").await;
    assert_eq!(
        reader
            .post("/api/subscription/preview")
            .json(&json!({ "seats": 13 }))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let v = reader.overview().await.version;
    expect_error(
        change(&reader, &json!({ "seats": 13 }), v).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let res = reader
        .delete("/api/subscription/pending-changes/seats")
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::FORBIDDEN).await;
    let member = app.signed_in(&account, "member").await;
    let res = member
        .post("/api/subscription/preview")
        .json(&json!({ "seats": 13 }))
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn every_change_is_in_the_audit_log_with_who_and_amounts() {
    let app = spawn_app().await;
    let (account, owner) = account_days_in(&app, 4).await;
    let (p, _) = preview_then_apply(&owner, json!({ "seats": 16 })).await;
    let (status, log) = owner.get_json("/api/audit-log?limit=5").await;
    assert_eq!(status, StatusCode::OK);
    let entry = &log["data"][0];
    assert_eq!(entry["action"], "subscription.changed");
    assert_eq!(entry["actor"]["name"], "Olivia Owner");
    assert_eq!(
        entry["details"]["amount_charged"],
        json!(p.amount_due_today)
    );
    assert_eq!(entry["details"]["to"]["seats"], 16);
    let admin = app.signed_in(&account, "admin").await;
    assert_eq!(admin.get_json("/api/audit-log").await.0, StatusCode::OK);
    for role in ["billing_member", "member"] {
        let c = app.signed_in(&account, role).await;
        assert_eq!(
            c.get_json("/api/audit-log").await.0,
            StatusCode::FORBIDDEN,
            "{role}"
        );
    }
}

#[tokio::test]
async fn the_audit_log_keeps_the_order_of_changes_made_in_the_same_second() {
    let app = spawn_app().await;
    let (_, owner) = account_days_in(&app, 1).await;
    // The test clock stands still: all three changes share one timestamp.
    for seats in [13, 14, 15] {
        let v = owner.overview().await.version;
        assert_eq!(
            change(&owner, &json!({ "seats": seats }), v).await.status(),
            StatusCode::OK
        );
    }
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(id) => format!("/api/audit-log?limit=1&starting_after={id}"),
            None => "/api/audit-log?limit=1".to_string(),
        };
        let (_, page) = owner.get_json(&path).await;
        let entry = &page["data"][0];
        if entry["action"] == "subscription.changed" {
            seen.push(entry["details"]["to"]["seats"].as_i64().unwrap());
        }
        after = entry["id"].as_str().map(str::to_string);
        if page["has_more"] != true {
            break;
        }
    }
    assert_eq!(
        seen,
        [15, 14, 13],
        "newest first, in the order they happened, no gaps"
    );
}

#[tokio::test]
async fn premium_is_not_bought_self_serve() {
    // A contract plan is bought through Customer Success (SPEC §2): neither
    // the preview nor the change sells it, at any interval, and nothing moves.
    let app = spawn_app().await;
    let (_, owner) = account_days_in(&app, 1).await;
    let before = owner.overview().await;
    for body in [
        json!({ "plan": "premium", "interval": "year" }),
        json!({ "plan": "premium" }),
    ] {
        let res = owner
            .post("/api/subscription/preview")
            .json(&body)
            .send()
            .await
            .unwrap();
        let err = expect_error(res, StatusCode::BAD_REQUEST).await;
        assert_eq!(err.error.code, "not_self_serve", "{body}");
        assert_eq!(err.error.param.as_deref(), Some("plan"), "{body}");
        let err = expect_error(
            change(&owner, &body, before.version).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(err.error.code, "not_self_serve", "{body}");
        assert!(
            err.error.message.contains("Customer Success"),
            "{}",
            err.error.message
        );
    }
    assert_eq!(owner.overview().await, before);
    assert_eq!(owner.invoices().await.len(), 1);
}
