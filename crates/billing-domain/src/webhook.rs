//! The vendor's side (SPEC §13): the webhook event types, which audit
//! actions publish which events, what an account may use (its access), and
//! how often a webhook that was not taken is tried again.
//!
//! On the wire an event type is its dotted name, e.g. `subscription.paused`.

use crate::audit::AuditAction;
use crate::SubscriptionStatus;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Something the vendor's product hears about by webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventType {
    /// The account was deactivated for non-payment (grace ended).
    #[serde(rename = "account.deactivated")]
    AccountDeactivated,
    /// The account's data was deleted after the retention window.
    #[serde(rename = "account.deleted")]
    AccountDeleted,
    /// The account was frozen: its period ended with no payment method.
    #[serde(rename = "account.frozen")]
    AccountFrozen,
    /// A renewal's charge was declined: the grace period runs.
    #[serde(rename = "account.past_due")]
    AccountPastDue,
    /// A locked or canceled account paid and is in use again.
    #[serde(rename = "account.reactivated")]
    AccountReactivated,
    /// An invoice was paid.
    #[serde(rename = "invoice.paid")]
    InvoicePaid,
    /// The charge of an invoice was declined.
    #[serde(rename = "invoice.payment_failed")]
    InvoicePaymentFailed,
    /// Money went back to the customer (to the card or the credit balance).
    #[serde(rename = "refund.created")]
    RefundCreated,
    /// The subscription was scheduled to end at its period end.
    #[serde(rename = "subscription.cancel_scheduled")]
    SubscriptionCancelScheduled,
    /// A scheduled cancellation was withdrawn.
    #[serde(rename = "subscription.cancel_withdrawn")]
    SubscriptionCancelWithdrawn,
    /// The subscription ended.
    #[serde(rename = "subscription.canceled")]
    SubscriptionCanceled,
    /// The subscription started.
    #[serde(rename = "subscription.created")]
    SubscriptionCreated,
    /// The subscription was paused.
    #[serde(rename = "subscription.paused")]
    SubscriptionPaused,
    /// A paused subscription was resumed.
    #[serde(rename = "subscription.resumed")]
    SubscriptionResumed,
    /// Plan, interval, seats, add-ons, a pending change or the period
    /// (a renewal) changed.
    #[serde(rename = "subscription.updated")]
    SubscriptionUpdated,
}

impl EventType {
    /// Every event type, in the order of their names.
    pub const ALL: [EventType; 15] = [
        EventType::AccountDeactivated,
        EventType::AccountDeleted,
        EventType::AccountFrozen,
        EventType::AccountPastDue,
        EventType::AccountReactivated,
        EventType::InvoicePaid,
        EventType::InvoicePaymentFailed,
        EventType::RefundCreated,
        EventType::SubscriptionCancelScheduled,
        EventType::SubscriptionCancelWithdrawn,
        EventType::SubscriptionCanceled,
        EventType::SubscriptionCreated,
        EventType::SubscriptionPaused,
        EventType::SubscriptionResumed,
        EventType::SubscriptionUpdated,
    ];

    /// The dotted name, as on the wire and in the store.
    pub fn as_str(&self) -> &'static str {
        match self {
            EventType::AccountDeactivated => "account.deactivated",
            EventType::AccountDeleted => "account.deleted",
            EventType::AccountFrozen => "account.frozen",
            EventType::AccountPastDue => "account.past_due",
            EventType::AccountReactivated => "account.reactivated",
            EventType::InvoicePaid => "invoice.paid",
            EventType::InvoicePaymentFailed => "invoice.payment_failed",
            EventType::RefundCreated => "refund.created",
            EventType::SubscriptionCancelScheduled => "subscription.cancel_scheduled",
            EventType::SubscriptionCancelWithdrawn => "subscription.cancel_withdrawn",
            EventType::SubscriptionCanceled => "subscription.canceled",
            EventType::SubscriptionCreated => "subscription.created",
            EventType::SubscriptionPaused => "subscription.paused",
            EventType::SubscriptionResumed => "subscription.resumed",
            EventType::SubscriptionUpdated => "subscription.updated",
        }
    }

    /// The event type with this dotted name, if there is one.
    pub fn parse(name: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|e| e.as_str() == name)
    }

    /// The events an audit line of `action` publishes, in order. Every
    /// billing state change writes an audit line, so publishing from it
    /// leaves no change unheard. `refunded` says whether the line's change
    /// gave money back (a cancellation with a refund).
    pub fn for_audit(action: AuditAction, refunded: bool) -> Vec<EventType> {
        use AuditAction as A;
        use EventType as E;
        match action {
            A::SubscriptionCreated => vec![E::SubscriptionCreated],
            A::SubscriptionChanged
            | A::SubscriptionPendingChangeUndone
            | A::SubscriptionRenewed => {
                vec![E::SubscriptionUpdated]
            }
            A::SubscriptionPaused => vec![E::SubscriptionPaused],
            A::SubscriptionResumed => vec![E::SubscriptionResumed],
            A::SubscriptionCancelScheduled => vec![E::SubscriptionCancelScheduled],
            A::SubscriptionCancellationWithdrawn => vec![E::SubscriptionCancelWithdrawn],
            A::SubscriptionCanceled if refunded => vec![E::RefundCreated, E::SubscriptionCanceled],
            A::SubscriptionCanceled => vec![E::SubscriptionCanceled],
            A::PaymentDeclined => vec![E::InvoicePaymentFailed, E::AccountPastDue],
            A::PaymentRetryDeclined
            | A::SubscriptionChangeDeclined
            | A::SubscriptionReactivatedDeclined
            | A::SubscriptionResumedDeclined => vec![E::InvoicePaymentFailed],
            A::SubscriptionDeactivated => vec![E::AccountDeactivated],
            A::SubscriptionFrozen => vec![E::AccountFrozen],
            A::SubscriptionReactivated => vec![E::AccountReactivated],
            A::InvoicePaid => vec![E::InvoicePaid],
            A::PaymentRefunded => vec![E::RefundCreated],
            A::AccountBillingDetailsChanged
            | A::AccountPolicyChanged
            | A::BalanceWithdrawalDeclined
            | A::BalanceWithdrawalPaid
            | A::BalanceWithdrawalRequested
            | A::MemberAccessRequestDeclined
            | A::MemberAccessRequestGranted
            | A::MemberAccessRequested
            | A::MemberBillingAccessChanged
            | A::PaymentMethodUpdated
            | A::RetentionMeetingRequested
            | A::RetentionOfferAccepted
            | A::UserPasswordChanged
            | A::UserPasswordReset
            | A::UserSessionsEnded => Vec::new(),
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the vendor's product lets an account's users do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Every part of the product.
    Full,
    /// Only the billing section.
    BillingOnly,
    /// Nothing: the account's data is gone.
    None,
}

/// The access a subscription in `status` gives (SPEC §13): full while
/// active, past due in its grace period or scheduled to cancel; billing
/// only when paused, deactivated, frozen or canceled; none once deleted.
pub fn access(status: SubscriptionStatus) -> Access {
    match status {
        SubscriptionStatus::Active
        | SubscriptionStatus::PastDue
        | SubscriptionStatus::CancelScheduled => Access::Full,
        SubscriptionStatus::Paused
        | SubscriptionStatus::Deactivated
        | SubscriptionStatus::Frozen
        | SubscriptionStatus::Canceled => Access::BillingOnly,
        SubscriptionStatus::Deleted => Access::None,
    }
}

/// How long a webhook is retried before it is given up: at least 3 days
/// from its first attempt (SPEC §13).
pub const GIVE_UP_AFTER_SECONDS: i64 = 3 * 24 * 60 * 60;

/// The longest wait between two attempts.
pub const MAX_RETRY_DELAY_SECONDS: i64 = 6 * 60 * 60;

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Try again this many seconds from now.
    After(i64),
    /// Stop: it has failed for [`GIVE_UP_AFTER_SECONDS`].
    GiveUp,
}

/// After the `attempts`-th failed attempt (1 for the first), `failing_for`
/// seconds after the first attempt: wait `base` seconds doubled for each
/// earlier failure, at most [`MAX_RETRY_DELAY_SECONDS`] (and at least
/// `base`), until the event has failed for 3 days. `base` is 30 s in
/// production and 0 in test mode, where every scheduler tick retries.
pub fn retry(attempts: u32, failing_for: i64, base: i64) -> Retry {
    if failing_for >= GIVE_UP_AFTER_SECONDS {
        return Retry::GiveUp;
    }
    let doublings = attempts.saturating_sub(1).min(30);
    let delay = base
        .saturating_mul(1_i64 << doublings)
        .min(MAX_RETRY_DELAY_SECONDS.max(base));
    Retry::After(delay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_round_trips_through_serde_and_its_name() {
        for event in EventType::ALL {
            let json = serde_json::to_value(event).unwrap();
            assert_eq!(json, serde_json::Value::String(event.as_str().into()));
            assert_eq!(serde_json::from_value::<EventType>(json).unwrap(), event);
            assert_eq!(EventType::parse(event.as_str()), Some(event));
        }
        let names: Vec<&str> = EventType::ALL.iter().map(EventType::as_str).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted, "unique and in name order");
    }

    #[test]
    fn the_spec_s_event_types_are_all_there() {
        for name in [
            "subscription.created",
            "subscription.updated",
            "subscription.paused",
            "subscription.resumed",
            "subscription.cancel_scheduled",
            "subscription.cancel_withdrawn",
            "subscription.canceled",
            "account.past_due",
            "account.deactivated",
            "account.frozen",
            "account.reactivated",
            "account.deleted",
            "invoice.paid",
            "invoice.payment_failed",
            "refund.created",
        ] {
            assert!(EventType::parse(name).is_some(), "{name}");
        }
    }

    #[test]
    fn every_event_type_but_deletion_is_published_by_some_audit_action() {
        // Deletion erases the audit log, so the store publishes it itself.
        for event in EventType::ALL {
            let published = AuditAction::ALL.into_iter().any(|a| {
                EventType::for_audit(a, false).contains(&event)
                    || EventType::for_audit(a, true).contains(&event)
            });
            assert_eq!(published, event != EventType::AccountDeleted, "{event}");
        }
    }

    #[test]
    fn a_declined_renewal_publishes_the_failed_invoice_then_past_due() {
        assert_eq!(
            EventType::for_audit(AuditAction::PaymentDeclined, false),
            vec![EventType::InvoicePaymentFailed, EventType::AccountPastDue]
        );
        assert_eq!(
            EventType::for_audit(AuditAction::SubscriptionCanceled, true),
            vec![EventType::RefundCreated, EventType::SubscriptionCanceled]
        );
        assert!(EventType::for_audit(AuditAction::UserPasswordChanged, false).is_empty());
    }

    #[test]
    fn access_follows_the_status() {
        use SubscriptionStatus as S;
        let table = [
            (S::Active, Access::Full),
            (S::PastDue, Access::Full),
            (S::CancelScheduled, Access::Full),
            (S::Paused, Access::BillingOnly),
            (S::Deactivated, Access::BillingOnly),
            (S::Frozen, Access::BillingOnly),
            (S::Canceled, Access::BillingOnly),
            (S::Deleted, Access::None),
        ];
        assert_eq!(table.len(), S::ALL.len());
        for (status, expected) in table {
            assert_eq!(access(status), expected, "{status:?}");
        }
        assert_eq!(
            serde_json::to_value(Access::BillingOnly).unwrap(),
            "billing_only"
        );
    }

    #[test]
    fn retries_back_off_and_last_at_least_three_days() {
        assert_eq!(retry(1, 0, 30), Retry::After(30));
        assert_eq!(retry(2, 30, 30), Retry::After(60));
        assert_eq!(retry(3, 90, 30), Retry::After(120));
        assert_eq!(retry(40, 1000, 30), Retry::After(MAX_RETRY_DELAY_SECONDS));
        assert_eq!(retry(5, 10, 0), Retry::After(0));
        // Following the schedule, the attempts span 3 days before the give-up.
        let (mut attempts, mut elapsed) = (0_u32, 0_i64);
        loop {
            attempts += 1;
            match retry(attempts, elapsed, 30) {
                Retry::After(d) => elapsed += d,
                Retry::GiveUp => break,
            }
        }
        assert!(elapsed >= GIVE_UP_AFTER_SECONDS);
        assert!(attempts > 10, "{attempts}");
        assert_eq!(retry(2, GIVE_UP_AFTER_SECONDS, 30), Retry::GiveUp);
    }
}
