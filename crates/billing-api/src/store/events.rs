//! Publishing webhook events (SPEC §13), the same for both engines: every
//! billing state change writes an audit line in its batch, and each audit
//! line publishes the events [`EventType::for_audit`] names, appended to the
//! same batch so they commit (or fail) with the change. The deletion of an
//! account's data, which erases its audit log, publishes `account.deleted`.
//!
//! The events go after every write that changes state (only e-mails may
//! follow them, see [`super::write::prepared`]), so the subscription
//! snapshot each engine takes as it inserts them is the state the whole
//! batch leaves.

use super::{AuditEntry, EventAttempt, EventSnapshot, NewEvent, StoreError, Write};
use crate::clock::from_unix;
use crate::ids::new_id;
use billing_domain::{AddOnId, AuditAction, EventType, Interval, PlanId, SubscriptionStatus};
use serde_json::{json, Value};

/// The batch with the events its writes publish appended.
pub(crate) fn publish(mut writes: Vec<Write>) -> Vec<Write> {
    let mut events = Vec::new();
    for write in &writes {
        match write {
            Write::Audit(entry) => events.extend(from_audit(entry)),
            Write::DeleteAccountData { account_id, at } => events.push(NewEvent {
                id: new_id("evt"),
                account_id: account_id.clone(),
                event_type: EventType::AccountDeleted,
                created_at: *at,
                details: json!({}),
            }),
            _ => {}
        }
    }
    writes.extend(events.into_iter().map(Write::Event));
    writes
}

/// The events these audit lines publish (for writes made outside a batch,
/// such as a new account's).
pub(crate) fn of_audit_lines(entries: &[AuditEntry]) -> Vec<NewEvent> {
    entries.iter().flat_map(from_audit).collect()
}

fn from_audit(entry: &AuditEntry) -> Vec<NewEvent> {
    // An action this build does not know publishes nothing; the audit log
    // reports such a line itself.
    let Ok(action) = entry.action.parse::<AuditAction>() else {
        return Vec::new();
    };
    let refund = refund_of(action, &entry.details);
    EventType::for_audit(action, refund.is_some())
        .into_iter()
        .map(|event_type| NewEvent {
            id: new_id("evt"),
            account_id: entry.account_id.clone(),
            event_type,
            created_at: entry.at,
            details: details(event_type, &entry.details, refund.as_ref()),
        })
        .collect()
}

/// The refund an audit line records: a card payment given back, or a
/// cancellation's refund (to the card, the balance or both).
fn refund_of(action: AuditAction, details: &Value) -> Option<Value> {
    match action {
        AuditAction::PaymentRefunded => Some(json!({
            "amount": details["amount"],
            "to_card": details["amount"],
            "to_balance": { "amount": 0, "currency": details["amount"]["currency"] },
            "source": "card",
            "invoice_id": details["invoice_id"],
        })),
        AuditAction::SubscriptionCanceled => {
            let quote = details.get("refund").filter(|q| q.is_object())?;
            if quote["amount"]["amount"].as_i64().unwrap_or(0) <= 0 {
                return None;
            }
            let to_card = quote["to_card"]["amount"].as_i64().unwrap_or(0);
            let to_balance = quote["to_balance"]["amount"].as_i64().unwrap_or(0);
            let source = match (to_card > 0, to_balance > 0) {
                (true, true) => "card_and_balance",
                (true, false) => "card",
                _ => "balance",
            };
            Some(json!({
                "kind": quote["kind"],
                "amount": quote["amount"],
                "to_card": quote["to_card"],
                "to_balance": quote["to_balance"],
                "source": source,
            }))
        }
        _ => None,
    }
}

/// The facts of the event beyond the subscription snapshot.
fn details(event_type: EventType, audit: &Value, refund: Option<&Value>) -> Value {
    match event_type {
        EventType::InvoicePaid | EventType::InvoicePaymentFailed
            if audit.get("invoice_id").is_some_and(Value::is_string) =>
        {
            let mut invoice = json!({ "id": audit["invoice_id"], "total": audit["amount"] });
            if event_type == EventType::InvoicePaymentFailed {
                invoice["failure_reason"] = audit["reason"].clone();
            }
            json!({ "invoice": invoice })
        }
        EventType::AccountPastDue if audit.get("invoice_id").is_some_and(Value::is_string) => {
            json!({ "invoice": { "id": audit["invoice_id"], "total": audit["amount"] } })
        }
        EventType::RefundCreated => json!({ "refund": refund.cloned().unwrap_or(Value::Null) }),
        _ => json!({}),
    }
}

/// The columns of a stored event's subscription snapshot, as read.
pub(crate) struct SnapshotColumns {
    pub status: Option<String>,
    pub plan: Option<String>,
    pub interval: Option<String>,
    pub seats: Option<i64>,
    pub add_ons: Option<String>,
    pub period_start: Option<i64>,
    pub period_end: Option<i64>,
    pub cancel_at: Option<i64>,
}

/// The snapshot those columns hold (`None` when the account had no
/// subscription when the event was written).
pub(crate) fn snapshot(c: SnapshotColumns) -> Result<Option<EventSnapshot>, StoreError> {
    let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("event {what} `{v}`"));
    let (Some(status), Some(plan), Some(interval), Some(seats), Some(start), Some(end)) = (
        c.status,
        c.plan,
        c.interval,
        c.seats,
        c.period_start,
        c.period_end,
    ) else {
        return Ok(None);
    };
    Ok(Some(EventSnapshot {
        status: SubscriptionStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        plan: PlanId::parse(&plan).ok_or_else(|| corrupt("plan", &plan))?,
        interval: Interval::parse(&interval).ok_or_else(|| corrupt("interval", &interval))?,
        seats: u32::try_from(seats).map_err(|_| corrupt("seats", &seats.to_string()))?,
        add_ons: c
            .add_ons
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| AddOnId::parse(s).ok_or_else(|| corrupt("add-on", s)))
            .collect::<Result<_, _>>()?,
        period_start: from_unix(start),
        period_end: from_unix(end),
        cancel_at: c.cancel_at.map(from_unix),
    }))
}

/// The stored details of an event (a JSON object).
pub(crate) fn details_from(text: &str) -> Result<Value, StoreError> {
    serde_json::from_str(text).map_err(|_| StoreError::Corrupt(format!("event details `{text}`")))
}

/// The delivery columns an attempt sets: `delivered_at`, `gave_up_at`,
/// `next_attempt_at` (unchanged when `None`), `last_error`, and when it was made.
pub(crate) fn attempt_columns(
    a: &EventAttempt,
) -> (Option<i64>, Option<i64>, Option<i64>, Option<String>, i64) {
    match a {
        EventAttempt::Delivered { at } => (Some(at.timestamp()), None, None, None, at.timestamp()),
        EventAttempt::Failed {
            at,
            error,
            retry_at,
        } => (
            None,
            None,
            Some(retry_at.timestamp()),
            Some(error.clone()),
            at.timestamp(),
        ),
        EventAttempt::GaveUp { at, error } => (
            None,
            Some(at.timestamp()),
            None,
            Some(error.clone()),
            at.timestamp(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn audit(action: AuditAction, details: Value) -> Write {
        Write::Audit(AuditEntry {
            id: "aud_1".into(),
            account_id: "acct_1".into(),
            actor_user_id: None,
            action: action.as_str().into(),
            details,
            at: chrono::Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
        })
    }

    fn events(writes: Vec<Write>) -> Vec<NewEvent> {
        only_events(publish(writes))
    }

    fn only_events(writes: Vec<Write>) -> Vec<NewEvent> {
        writes
            .into_iter()
            .filter_map(|w| match w {
                Write::Event(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_declined_renewal_publishes_the_failed_invoice_and_past_due_after_the_writes() {
        let money = json!({ "amount": 1200, "currency": "USD" });
        let writes = vec![audit(
            AuditAction::PaymentDeclined,
            json!({ "invoice_id": "in_1", "amount": money, "reason": "card_declined" }),
        )];
        let all = publish(writes);
        assert!(matches!(all[0], Write::Audit(_)));
        let events = only_events(all);
        let types: Vec<EventType> = events.iter().map(|e| e.event_type).collect();
        assert_eq!(
            types,
            vec![EventType::InvoicePaymentFailed, EventType::AccountPastDue]
        );
        assert_eq!(events[0].details["invoice"]["id"], "in_1");
        assert_eq!(events[0].details["invoice"]["total"], money);
        assert_eq!(
            events[0].details["invoice"]["failure_reason"],
            "card_declined"
        );
        assert_eq!(events[0].account_id, "acct_1");
        assert_eq!(events[0].created_at.timestamp(), 1_700_000_000);
        assert_ne!(events[0].id, events[1].id);
    }

    #[test]
    fn a_cancellation_with_a_refund_publishes_the_refund_first() {
        let usd = |n: i64| json!({ "amount": n, "currency": "USD" });
        let quote = json!({ "kind": "partial", "amount": usd(500), "to_card": usd(0), "to_balance": usd(500) });
        let events = events(vec![audit(
            AuditAction::SubscriptionCanceled,
            json!({ "refund": quote }),
        )]);
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].event_type, EventType::RefundCreated);
        assert_eq!(events[0].details["refund"]["source"], "balance");
        assert_eq!(events[0].details["refund"]["amount"], usd(500));
        assert_eq!(events[1].event_type, EventType::SubscriptionCanceled);
        let plain = events_of(AuditAction::SubscriptionCanceled, json!({ "refund": null }));
        assert_eq!(plain, vec![EventType::SubscriptionCanceled]);
    }

    fn events_of(action: AuditAction, details: Value) -> Vec<EventType> {
        events(vec![audit(action, details)])
            .into_iter()
            .map(|e| e.event_type)
            .collect()
    }

    #[test]
    fn lines_that_are_no_billing_event_publish_nothing_and_deletion_publishes_one() {
        assert!(events_of(AuditAction::UserPasswordChanged, json!({})).is_empty());
        assert!(events_of(AuditAction::PaymentMethodUpdated, json!({})).is_empty());
        let at = chrono::Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let deleted = events(vec![Write::DeleteAccountData {
            account_id: "acct_9".into(),
            at,
        }]);
        assert_eq!(deleted.len(), 1);
        assert_eq!(deleted[0].event_type, EventType::AccountDeleted);
        assert_eq!(deleted[0].account_id, "acct_9");
    }
}
