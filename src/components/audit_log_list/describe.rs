//! Audit entries as sentences: one arm per [`AuditAction`], so a new action
//! does not compile until it reads as something here. Plan and add-on
//! names come from the catalog.

use crate::format;
use billing_domain::change::{Pending, Terms};
use billing_domain::wire::{AuditLogEntry, CardBrand, CatalogView};
use billing_domain::{AuditAction, BillingAccess, Interval, Money};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// What the action is, in a few words: said when an entry's details are
/// missing or malformed, and the action's name for people everywhere else.
pub fn label(action: AuditAction) -> &'static str {
    use AuditAction::*;
    match action {
        AccountBillingDetailsChanged => "The billing details changed",
        AccountPolicyChanged => "The cancel policy changed",
        BalanceWithdrawalDeclined => "A withdrawal of credit balance was declined",
        BalanceWithdrawalPaid => "A withdrawal of credit balance was paid out",
        BalanceWithdrawalRequested => "A withdrawal of credit balance was requested",
        InvoicePaid => "An invoice was paid",
        MemberAccessRequestDeclined => "A request for billing access was declined",
        MemberAccessRequestGranted => "A request for billing access was granted",
        MemberAccessRequested => "Billing access was requested",
        MemberBillingAccessChanged => "A member's billing access changed",
        PaymentDeclined => "A payment was declined",
        PaymentRefunded => "A payment was refunded",
        PaymentRetryDeclined => "A retried payment was declined",
        PaymentMethodUpdated => "The payment method changed",
        RetentionMeetingRequested => "A meeting with Customer Success was requested",
        RetentionOfferAccepted => "An offer to stay was accepted",
        SubscriptionCancelScheduled => "The subscription was scheduled to cancel",
        SubscriptionCanceled => "The subscription was canceled",
        SubscriptionCancellationWithdrawn => "The scheduled cancellation was withdrawn",
        SubscriptionChangeDeclined => "A change was not made: the charge was declined",
        SubscriptionChanged => "The subscription changed",
        SubscriptionCreated => "The subscription started",
        SubscriptionDeactivated => "The account was deactivated for non-payment",
        SubscriptionFrozen => "The account was frozen: there was no payment method at renewal",
        SubscriptionPaused => "The subscription was paused",
        SubscriptionPendingChangeUndone => "A scheduled change was undone",
        SubscriptionReactivated => "The subscription was reactivated",
        SubscriptionReactivatedDeclined => {
            "The subscription was not reactivated: the charge was declined"
        }
        SubscriptionRenewed => "The subscription renewed",
        SubscriptionResumed => "The subscription was resumed",
        SubscriptionResumedDeclined => "The subscription was not resumed: the charge was declined",
        UserPasswordChanged => "A password was changed",
        UserPasswordReset => "A password was reset by email",
        UserSessionsEnded => "A user signed out of their other sessions",
    }
}

/// A detail field as a domain type, if it is there and well formed.
fn field<T: DeserializeOwned>(details: &Value, name: &str) -> Option<T> {
    details
        .get(name)
        .filter(|v| !v.is_null())
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// A detail field as text.
fn text(details: &Value, name: &str) -> Option<String> {
    details
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// A sum of money worth mentioning (not zero).
fn amount(details: &Value, name: &str) -> Option<Money> {
    field::<Money>(details, name).filter(|m| !m.is_zero())
}

/// " of $X" for an amount in the details, or nothing.
fn of_amount(details: &Value) -> String {
    amount(details, "amount")
        .map(|m| format!(" of {}", m.format()))
        .unwrap_or_default()
}

/// ": the reason" for a decline's reason, or nothing.
fn because(details: &Value) -> String {
    text(details, "reason")
        .map(|r| format!(": {}", r.trim_end_matches('.')))
        .unwrap_or_default()
}

/// How many sessions a sign-out ended, from the details.
fn sessions_ended(details: &Value) -> Option<u64> {
    details.get("sessions_ended").and_then(Value::as_u64)
}

/// "1 other session", "3 other sessions".
fn other_sessions(n: u64) -> String {
    format!("{n} other session{}", if n == 1 { "" } else { "s" })
}

/// The entry as a sentence; the action's [`label`] when its details do not
/// say more.
pub fn describe(catalog: &CatalogView, entry: &AuditLogEntry) -> String {
    use AuditAction::*;
    let actor = entry.actor.as_ref().map(|a| a.name.as_str());
    let who = actor.unwrap_or("Someone");
    let d = &entry.details;
    let member = || text(d, "user_name").unwrap_or_else(|| "a member".into());
    let sentence = match entry.action {
        SubscriptionChanged => subscription_changed(catalog, who, d),
        SubscriptionChangeDeclined => Some(match amount(d, "amount") {
            Some(m) => format!(
                "{who}'s change was not made: the charge of {} was declined",
                m.format()
            ),
            None => format!("{who}'s change was not made: the charge was declined"),
        }),
        SubscriptionPendingChangeUndone => Some(match text(d, "kind").as_deref() {
            Some("seats") => match d.get("was").and_then(Value::as_u64) {
                Some(n) => format!("{who} undid the scheduled drop to {n} seats"),
                None => format!("{who} undid the scheduled seat reduction"),
            },
            _ => format!("{who} undid the scheduled switch to monthly billing"),
        }),
        SubscriptionCreated => serde_json::from_value::<Terms>(d.clone())
            .ok()
            .map(|terms| match amount(d, "amount") {
                Some(m) => format!(
                    "The subscription started: {} — charged {}",
                    format::terms(catalog, &terms),
                    m.format()
                ),
                None => format!(
                    "The subscription started: {}",
                    format::terms(catalog, &terms)
                ),
            }),
        SubscriptionRenewed => Some(renewed(d)),
        InvoicePaid => Some(match (amount(d, "amount"), text(d, "card_last4")) {
            (Some(m), Some(last4)) => {
                format!("{} was paid with the card ending in {last4}", m.format())
            }
            (Some(m), None) => format!("{} was paid", m.format()),
            _ => "An invoice was paid".to_string(),
        }),
        PaymentDeclined => Some(format!(
            "A payment{} was declined{}",
            of_amount(d),
            because(d)
        )),
        PaymentRetryDeclined => Some(format!(
            "A retried payment{} was declined{}",
            of_amount(d),
            because(d)
        )),
        PaymentRefunded => Some(match amount(d, "amount") {
            Some(m) => format!("{} was refunded to the card", m.format()),
            None => "A payment was refunded to the card".to_string(),
        }),
        PaymentMethodUpdated => {
            let card = match (
                text(d, "brand").as_deref().and_then(CardBrand::parse),
                text(d, "last4"),
            ) {
                (Some(brand), Some(last4)) => format!("{} ending in {last4}", brand.label()),
                _ => "a new card".to_string(),
            };
            Some(format!("{who} made {card} the payment method"))
        }
        MemberBillingAccessChanged => {
            let name = member();
            Some(match field::<BillingAccess>(d, "to") {
                Some(BillingAccess::None) => format!("{who} removed {name}'s billing access"),
                Some(level) => format!("{who} gave {name} {} access", level.as_str()),
                None => format!("{who} changed {name}'s billing access"),
            })
        }
        MemberAccessRequested => Some(match text(d, "note").filter(|n| !n.trim().is_empty()) {
            Some(note) => format!("{who} asked for billing access: “{}”", note.trim()),
            None => format!("{who} asked for billing access"),
        }),
        MemberAccessRequestGranted => {
            let name = member();
            Some(match field::<BillingAccess>(d, "to") {
                Some(level) => format!(
                    "{who} granted {name}'s request with {} access",
                    level.as_str()
                ),
                None => format!("{who} granted {name}'s request for billing access"),
            })
        }
        MemberAccessRequestDeclined => Some(format!(
            "{who} declined {}'s request for billing access",
            member()
        )),
        AccountBillingDetailsChanged => d
            .get("to")
            .and_then(|to| to.get("legal_name"))
            .and_then(Value::as_str)
            .map(|name| format!("{who} changed the billing details (invoices now go to {name})")),
        AccountPolicyChanged => d
            .get("cancel_requires_owner")
            .and_then(|change| change.get("to"))
            .and_then(Value::as_bool)
            .map(|on| {
                if on {
                    format!("{who} made cancelling the subscription owner-only")
                } else {
                    format!("{who} let admins cancel the subscription again")
                }
            }),
        SubscriptionCancelScheduled => Some(match field::<DateTime<Utc>>(d, "cancel_at") {
            Some(at) => format!(
                "{who} scheduled the subscription to cancel on {}",
                format::date(at)
            ),
            None => format!("{who} scheduled the subscription to cancel"),
        }),
        SubscriptionCancellationWithdrawn => {
            Some(format!("{who} withdrew the scheduled cancellation"))
        }
        SubscriptionCanceled => Some(match actor {
            Some(name) => format!("{name} canceled the subscription"),
            None => "The subscription ended as scheduled".to_string(),
        }),
        SubscriptionPaused => Some(format!("{who} paused the subscription")),
        UserPasswordChanged => Some(match sessions_ended(d) {
            Some(0) | None => format!("{who} changed their password"),
            Some(n) => format!(
                "{who} changed their password and was signed out of {}",
                other_sessions(n)
            ),
        }),
        UserPasswordReset => Some(format!(
            "{who} reset their password from an emailed link and was signed out everywhere"
        )),
        UserSessionsEnded => Some(match sessions_ended(d) {
            Some(0) => format!("{who} signed out of other sessions (there were none)"),
            Some(n) => format!("{who} signed out of {}", other_sessions(n)),
            None => format!("{who} signed out of their other sessions"),
        }),
        SubscriptionResumed => Some(match amount(d, "charged") {
            Some(m) => format!("{who} resumed the subscription — charged {}", m.format()),
            None => format!("{who} resumed the subscription"),
        }),
        SubscriptionResumedDeclined => Some(format!(
            "{who} could not resume the subscription: the charge{} was declined{}",
            of_amount(d),
            because(d)
        )),
        SubscriptionReactivated => Some(match amount(d, "charged") {
            Some(m) => format!("The subscription was reactivated — charged {}", m.format()),
            None => "The subscription was reactivated".to_string(),
        }),
        SubscriptionReactivatedDeclined => Some(format!(
            "The subscription was not reactivated: the charge{} was declined{}",
            of_amount(d),
            because(d)
        )),
        SubscriptionFrozen => Some(label(SubscriptionFrozen).to_string()),
        SubscriptionDeactivated => Some(match amount(d, "amount_due") {
            Some(m) => format!("The account was deactivated: {} is unpaid", m.format()),
            None => label(SubscriptionDeactivated).to_string(),
        }),
        RetentionOfferAccepted => {
            let percent = d.get("percent").and_then(Value::as_u64);
            let renewals = d.get("renewals").and_then(Value::as_u64);
            Some(match (percent, renewals) {
                (Some(p), Some(1)) => format!("{who} accepted {p}% off the next renewal"),
                (Some(p), Some(n)) => format!("{who} accepted {p}% off the next {n} renewals"),
                _ => format!("{who} accepted an offer to stay"),
            })
        }
        RetentionMeetingRequested => {
            Some(format!("{who} asked for a meeting with Customer Success"))
        }
        BalanceWithdrawalRequested => Some(match amount(d, "amount") {
            Some(m) => format!("{who} asked to withdraw {} of credit balance", m.format()),
            None => format!("{who} asked to withdraw the credit balance"),
        }),
        BalanceWithdrawalPaid => Some(match amount(d, "amount") {
            Some(m) => format!("The billing team paid out {} of credit balance", m.format()),
            None => "The billing team paid out the credit balance withdrawal".to_string(),
        }),
        BalanceWithdrawalDeclined => Some(match amount(d, "amount") {
            Some(m) => format!(
                "The billing team declined the withdrawal of {}; it is back in the credit balance",
                m.format()
            ),
            None => "The billing team declined the withdrawal; it is back in the credit balance"
                .to_string(),
        }),
    };
    sentence.unwrap_or_else(|| label(entry.action).to_string())
}

/// "Olivia Owner changed seats from 12 to 15 — charged $208.50".
fn subscription_changed(catalog: &CatalogView, who: &str, d: &Value) -> Option<String> {
    let from: Terms = field(d, "from")?;
    let to: Terms = field(d, "to")?;
    let pending: Pending = field(d, "pending").unwrap_or_default();
    let mut did = Vec::new();
    if from.plan != to.plan {
        did.push(format!(
            "changed the plan from {} to {}",
            catalog.plan_name(from.plan),
            catalog.plan_name(to.plan)
        ));
    }
    if from.interval != to.interval {
        did.push(format!(
            "changed billing from {} to {}",
            from.interval.label().to_lowercase(),
            to.interval.label().to_lowercase()
        ));
    }
    if from.seats != to.seats {
        did.push(format!("changed seats from {} to {}", from.seats, to.seats));
    }
    for add_on in to.add_ons.iter().filter(|a| !from.add_ons.contains(a)) {
        did.push(format!("added {}", catalog.add_on_name(*add_on)));
    }
    for add_on in from.add_ons.iter().filter(|a| !to.add_ons.contains(a)) {
        did.push(format!("removed {}", catalog.add_on_name(*add_on)));
    }
    if let Some(seats) = pending.seats {
        did.push(format!("scheduled seats to drop to {seats}"));
    }
    if pending.interval == Some(Interval::Month) {
        did.push("scheduled a switch to monthly billing".to_string());
    }
    if did.is_empty() {
        did.push("changed the subscription".to_string());
    }
    let mut sentence = format!("{who} {}", format::names(&did));
    let mut money = Vec::new();
    if let Some(charged) = amount(d, "amount_charged") {
        money.push(format!("charged {}", charged.format()));
    }
    if let Some(credit) = amount(d, "credit_created") {
        money.push(format!("{} added to the credit balance", credit.format()));
    }
    if !money.is_empty() {
        sentence.push_str(" — ");
        sentence.push_str(&money.join(", "));
    }
    Some(sentence)
}

/// "The subscription renewed for Dec 22, 2026 – Jan 22, 2027 — invoiced
/// $1,668.00".
fn renewed(d: &Value) -> String {
    let period = match (
        field::<DateTime<Utc>>(d, "period_start"),
        field::<DateTime<Utc>>(d, "period_end"),
    ) {
        (Some(start), Some(end)) => format!(" for {}", format::period(start, end)),
        _ => String::new(),
    };
    match field::<Money>(d, "total") {
        Some(total) => format!(
            "The subscription renewed{period} — invoiced {}",
            total.format()
        ),
        None => format!("The subscription renewed{period}"),
    }
}
