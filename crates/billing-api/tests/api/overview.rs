//! Plans & Billing overview and who may read it.

use crate::helpers::{expect_error, spawn_app, spawn_app_with};
use billing_api::config::Mode;
use billing_api::services::seed::DEMO_PASSWORD;
use billing_domain::wire::{BillingContacts, BillingOverview};
use chrono::{DateTime, Datelike, Utc};
use reqwest::StatusCode;

#[tokio::test]
async fn the_owner_sees_the_demo_subscription_of_a_test_account() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let res = owner.get("/api/billing/overview").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let etag = res
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let o: BillingOverview = res.json().await.unwrap();
    assert_eq!(etag, format!("\"{}\"", o.version));
    assert_eq!(o.status.as_str(), "active");
    assert_eq!(o.plan.as_str(), "business");
    assert_eq!(o.plan_name, "Business");
    assert_eq!(o.interval.as_str(), "month");
    assert_eq!((o.seats.purchased, o.seats.used), (12, 4));
    // 12 seats × $139.00 = $1,668.00, in cents.
    assert_eq!(o.next_charge.amount(), 166_800);
    assert_eq!(o.next_charge.currency().code(), "USD");
    assert_eq!(o.credit_balance.amount(), 0);
    let card = o.payment_method.expect("a card");
    assert_eq!((card.brand.as_str(), card.last4.as_str()), ("visa", "4242"));
    // The first period starts at creation and lasts one calendar month.
    let start: DateTime<Utc> = o.current_period_start;
    let end = o.current_period_end;
    assert_eq!(o.next_charge_date, Some(end));
    let months = (end.year() - start.year()) * 12 + end.month() as i32 - start.month() as i32;
    assert_eq!(months, 1);
    assert!(end.day() <= start.day());
}

#[tokio::test]
async fn the_overview_is_json_with_money_as_minor_units() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let (status, body) = owner.get_json("/api/billing/overview").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["next_charge"],
        serde_json::json!({ "amount": 166800, "currency": "USD" })
    );
    assert_eq!(
        body["seats"],
        serde_json::json!({ "purchased": 12, "used": 4 })
    );
    assert_eq!(
        body["payment_method"],
        serde_json::json!({ "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2034 })
    );
    let start = body["current_period_start"].as_str().unwrap();
    assert!(
        DateTime::parse_from_rfc3339(start).is_ok() && start.ends_with('Z'),
        "{start}"
    );
}

#[tokio::test]
async fn the_demo_account_uses_nine_of_twelve_seats() {
    let app = spawn_app_with(Mode::Dev, true).await;
    let owner = app.sign_in("owner@acme.test", DEMO_PASSWORD).await;
    let o: BillingOverview = owner
        .get("/api/billing/overview")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (o.plan_name.as_str(), o.seats.purchased, o.seats.used),
        ("Business", 12, 9)
    );
    assert_eq!(o.payment_method.unwrap().last4, "4242");
    let other = app.sign_in("owner@globex.test", DEMO_PASSWORD).await;
    let g: BillingOverview = other
        .get("/api/billing/overview")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (g.plan_name.as_str(), g.seats.purchased, g.seats.used),
        ("Essentials", 5, 2)
    );
    // 5 seats × $79 × 12 + Support Bot $50 × 12.
    assert_eq!(g.next_charge.amount(), 5 * 7_900 * 12 + 5_000 * 12);
}

#[tokio::test]
async fn everyone_with_billing_read_sees_the_overview_and_a_member_is_refused() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    for role in ["owner", "admin", "billing_member"] {
        let client = app.signed_in(&account, role).await;
        let res = client.get("/api/billing/overview").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{role}");
    }
    let member = app.signed_in(&account, "member").await;
    let body = expect_error(
        member.get("/api/billing/overview").send().await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(body.error.code, "permission_denied");
    assert_eq!(body.error.kind, "permission_error");
}

#[tokio::test]
async fn signed_out_visitors_get_401_not_data() {
    let app = spawn_app().await;
    for path in [
        "/api/billing/overview",
        "/api/session",
        "/api/members",
        "/api/account/billing-contacts",
    ] {
        let res = app.client().get(path).send().await.unwrap();
        let body = expect_error(res, StatusCode::UNAUTHORIZED).await;
        assert_eq!(body.error.code, "unauthenticated", "{path}");
    }
}

#[tokio::test]
async fn a_member_without_access_learns_who_manages_billing() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let member = app.signed_in(&account, "member").await;
    let res = member
        .get("/api/account/billing-contacts")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let contacts: BillingContacts = res.json().await.unwrap();
    let emails: Vec<&str> = contacts.data.iter().map(|c| c.email.as_str()).collect();
    assert_eq!(
        emails,
        [
            account.user("owner").unwrap().email.as_str(),
            account.user("admin").unwrap().email.as_str()
        ]
    );
}

#[tokio::test]
async fn each_account_sees_only_its_own_subscription() {
    let app = spawn_app().await;
    let first = app.test_account().await;
    let second = app.test_account().await;
    let a = app.signed_in(&first, "owner").await;
    let b = app.signed_in(&second, "owner").await;
    assert_eq!(a.session().await.account.id, first.account_id);
    assert_eq!(b.session().await.account.id, second.account_id);
    assert_ne!(first.account_id, second.account_id);
}

/// On either engine an overview read once is served again while the
/// account's `reads_version` stands still (debug builds check each one served against
/// the database). Every kind of write after a read must show in the next.
#[tokio::test]
async fn each_change_shows_in_the_next_read_of_the_overview() {
    let app = spawn_app().await;
    let account = app.test_account_without_card().await;
    let owner = app.signed_in(&account, "owner").await;
    let before = owner.overview().await;
    assert!(before.payment_method.is_none());
    // The same read twice: nothing changed between them.
    let again = owner.overview().await;
    assert_eq!(
        serde_json::to_value(&again).unwrap(),
        serde_json::to_value(&before).unwrap()
    );

    // A card (payment_methods).
    assert_eq!(
        owner.add_card("378282246310005").await.status(),
        StatusCode::OK
    );
    let after_card = owner.overview().await;
    assert_eq!(
        after_card.payment_method.expect("the new card").last4,
        "0005"
    );

    // More seats (subscriptions, invoices, ledger).
    let res = owner
        .post("/api/subscription/changes")
        .header("if-match", format!("\"{}\"", after_card.version))
        .json(&serde_json::json!({ "seats": after_card.seats.purchased + 2 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let after_seats = owner.overview().await;
    assert_eq!(after_seats.seats.purchased, after_card.seats.purchased + 2);
    assert!(after_seats.version > after_card.version);

    // A member's billing access (users): the seat holders stay the same.
    let member_id = app
        .signed_in(&account, "member")
        .await
        .session()
        .await
        .user
        .id;
    let res = owner
        .patch(&format!("/api/members/{member_id}"))
        .json(&serde_json::json!({ "billing_access": "read" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        owner.overview().await.seat_holders,
        after_seats.seat_holders
    );

    // The renewal (invoices, ledger, subscriptions) moves the period.
    let now = app.advance(&account, 32 * 86_400).await;
    let renewed = owner.overview().await;
    assert!(renewed.current_period_start > after_seats.current_period_start);
    assert!(renewed.current_period_end > now);
}
