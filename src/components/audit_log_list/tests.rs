//! The audit log's sentences, checked against the entries the API writes.

use super::describe::{describe, label};
use billing_domain::wire::{Actor, AuditLogEntry, CatalogView};
use billing_domain::AuditAction;
use chrono::{TimeZone, Utc};
use serde_json::{json, Value};

fn entry(action: &str, actor: Option<&str>, details: Value) -> AuditLogEntry {
    let action = AuditAction::parse(action).expect("a known action");
    AuditLogEntry {
        id: "aud_1".into(),
        at: Utc.with_ymd_and_hms(2026, 12, 2, 9, 30, 0).unwrap(),
        actor: actor.map(|name| Actor {
            id: "usr_1".into(),
            name: name.into(),
        }),
        action,
        details,
    }
}

fn catalog() -> CatalogView {
    crate::state::catalog::testing::demo_catalog()
}

fn usd(minor: i64) -> Value {
    json!({ "amount": minor, "currency": "USD" })
}

fn terms(plan: &str, interval: &str, seats: u32, add_ons: &[&str]) -> Value {
    json!({ "plan": plan, "interval": interval, "seats": seats, "add_ons": add_ons })
}

#[test]
fn a_seat_purchase_names_who_and_the_charge() {
    let e = entry(
        "subscription.changed",
        Some("Olivia Owner"),
        json!({
            "from": terms("business", "month", 12, &[]),
            "to": terms("business", "month", 15, &[]),
            "pending": { "seats": null, "interval": null },
            "amount_charged": usd(20_850),
            "credit_applied": usd(0),
            "credit_created": usd(0),
            "invoice_id": "in_1",
        }),
    );
    assert_eq!(
        describe(&catalog(), &e),
        "Olivia Owner changed seats from 12 to 15 — charged $208.50"
    );
}

#[test]
fn downgrades_and_scheduled_changes_read_as_sentences() {
    let downgrade = entry(
        "subscription.changed",
        Some("Adam Admin"),
        json!({
            "from": terms("business", "month", 12, &["marketing"]),
            "to": terms("essentials", "month", 12, &["support_bot"]),
            "pending": { "seats": 10, "interval": null },
            "amount_charged": usd(0),
            "credit_created": usd(20_000),
        }),
    );
    assert_eq!(
        describe(&catalog(), &downgrade),
        "Adam Admin changed the plan from Business to Essentials, added Support Bot, removed Marketing and scheduled seats to drop to 10 — $200.00 added to the credit balance"
    );
}

#[test]
fn access_and_policy_entries_name_the_member() {
    let granted = entry(
        "member.billing_access_changed",
        Some("Olivia Owner"),
        json!({ "user_id": "u", "user_name": "Max Member", "from": "read", "to": "manage" }),
    );
    assert_eq!(
        describe(&catalog(), &granted),
        "Olivia Owner gave Max Member manage access"
    );
    let revoked = entry(
        "member.billing_access_changed",
        Some("Olivia Owner"),
        json!({ "user_name": "Max Member", "from": "manage", "to": "none" }),
    );
    assert_eq!(
        describe(&catalog(), &revoked),
        "Olivia Owner removed Max Member's billing access"
    );
    let asked = entry(
        "member.access_requested",
        Some("Max Member"),
        json!({ "note": "I reconcile the invoices." }),
    );
    assert_eq!(
        describe(&catalog(), &asked),
        "Max Member asked for billing access: “I reconcile the invoices.”"
    );
    let policy = entry(
        "account.policy_changed",
        Some("Olivia Owner"),
        json!({ "cancel_requires_owner": { "from": false, "to": true } }),
    );
    assert_eq!(
        describe(&catalog(), &policy),
        "Olivia Owner made cancelling the subscription owner-only"
    );
}

#[test]
fn system_entries_and_unknown_actions_still_read() {
    let paid = entry(
        "invoice.paid",
        None,
        json!({ "invoice_id": "in_1", "amount": usd(166_800), "card_last4": "4242" }),
    );
    assert_eq!(
        describe(&catalog(), &paid),
        "$1,668.00 was paid with the card ending in 4242"
    );
    let declined = entry(
        "payment.declined",
        None,
        json!({ "amount": usd(166_800), "reason": "Your card was declined." }),
    );
    assert_eq!(
        describe(&catalog(), &declined),
        "A payment of $1,668.00 was declined: Your card was declined"
    );
    let created = entry(
        "subscription.created",
        None,
        json!({ "plan": "business", "interval": "month", "seats": 12, "add_ons": [], "amount": usd(166_800) }),
    );
    assert_eq!(
        describe(&catalog(), &created),
        "The subscription started: Business · Monthly · 12 seats — charged $1,668.00"
    );
    // An action the SPA does not know cannot reach a sentence: the
    // entry does not parse (the enum is closed, both ends share it).
    let unknown = json!({
        "id": "aud_1", "at": "2026-12-02T09:30:00Z", "actor": null,
        "action": "widget.polished", "details": {},
    });
    assert!(serde_json::from_value::<AuditLogEntry>(unknown).is_err());
    // Details that say too little still read as the action.
    assert_eq!(
        describe(
            &catalog(),
            &entry("subscription.changed", Some("Olivia Owner"), json!({}))
        ),
        "The subscription changed"
    );
}

#[test]
fn every_action_reads_as_a_sentence_with_or_without_details() {
    let catalog = crate::state::catalog::testing::demo_catalog();
    for action in AuditAction::ALL {
        for details in [
            json!({}),
            json!({ "amount": { "amount": 5_000, "currency": "USD" } }),
        ] {
            let entry = AuditLogEntry {
                id: "aud_1".into(),
                at: Utc.with_ymd_and_hms(2026, 12, 2, 9, 30, 0).unwrap(),
                actor: Some(Actor {
                    id: "usr_1".into(),
                    name: "Olivia Owner".into(),
                }),
                action,
                details,
            };
            let sentence = describe(&catalog, &entry);
            assert!(!sentence.is_empty(), "{action}");
            assert!(!sentence.contains(action.as_str()), "{action}: {sentence}");
        }
        assert!(!label(action).is_empty());
    }
}

#[test]
fn decisions_and_refunds_say_what_happened_to_the_money() {
    let catalog = crate::state::catalog::testing::demo_catalog();
    let system = |action, details| AuditLogEntry {
        id: "aud_1".into(),
        at: Utc.with_ymd_and_hms(2026, 12, 2, 9, 30, 0).unwrap(),
        actor: None,
        action,
        details,
    };
    assert_eq!(
        describe(
            &catalog,
            &system(
                AuditAction::BalanceWithdrawalPaid,
                json!({ "amount": usd(20_000) })
            )
        ),
        "The billing team paid out $200.00 of credit balance"
    );
    assert_eq!(
        describe(
            &catalog,
            &system(
                AuditAction::PaymentRefunded,
                json!({ "amount": usd(166_800) })
            )
        ),
        "$1,668.00 was refunded to the card"
    );
    assert_eq!(
        describe(
            &catalog,
            &system(
                AuditAction::SubscriptionReactivatedDeclined,
                json!({ "amount": usd(166_800), "reason": "Your card was declined." })
            )
        ),
        "The subscription was not reactivated: the charge of $1,668.00 was declined: Your card was declined"
    );
}
