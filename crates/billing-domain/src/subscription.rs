//! Subscription states (SPEC §4).
//!
//! The transitions between them (renewals, declines, grace, freeze, cancel)
//! arrive with the billing engine; this module names the states and what each
//! means for access, so the API and the SPA agree on them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    /// Paid and in good standing.
    Active,
    /// A renewal was declined; the 3-day grace period is running.
    PastDue,
    /// Unpaid after the grace period: everything but billing is locked.
    Deactivated,
    /// The period ended with no payment method: only billing remains.
    Frozen,
    /// Paused on the pause plan.
    Paused,
    /// Ends at the period end unless resumed.
    CancelScheduled,
    /// Ended, within the 60-day reactivation window.
    Canceled,
    /// Ended more than 60 days ago; data deleted.
    Deleted,
}

impl SubscriptionStatus {
    /// Every state.
    pub const ALL: [SubscriptionStatus; 8] = [
        SubscriptionStatus::Active,
        SubscriptionStatus::PastDue,
        SubscriptionStatus::Deactivated,
        SubscriptionStatus::Frozen,
        SubscriptionStatus::Paused,
        SubscriptionStatus::CancelScheduled,
        SubscriptionStatus::Canceled,
        SubscriptionStatus::Deleted,
    ];

    /// The wire identifier.
    pub fn as_str(&self) -> &'static str {
        match self {
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::PastDue => "past_due",
            SubscriptionStatus::Deactivated => "deactivated",
            SubscriptionStatus::Frozen => "frozen",
            SubscriptionStatus::Paused => "paused",
            SubscriptionStatus::CancelScheduled => "cancel_scheduled",
            SubscriptionStatus::Canceled => "canceled",
            SubscriptionStatus::Deleted => "deleted",
        }
    }

    /// Parses a wire identifier.
    pub fn parse(s: &str) -> Option<SubscriptionStatus> {
        SubscriptionStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
    }

    /// A short label for people.
    pub fn label(&self) -> &'static str {
        match self {
            SubscriptionStatus::Active => "Active",
            SubscriptionStatus::PastDue => "Past due",
            SubscriptionStatus::Deactivated => "Deactivated",
            SubscriptionStatus::Frozen => "Frozen",
            SubscriptionStatus::Paused => "Paused",
            SubscriptionStatus::CancelScheduled => "Cancellation scheduled",
            SubscriptionStatus::Canceled => "Canceled",
            SubscriptionStatus::Deleted => "Deleted",
        }
    }

    /// Whether a renewal charge is expected at the period end. A past-due,
    /// deactivated or frozen account owes an open invoice instead; it renews
    /// again once that is paid.
    pub fn renews(&self) -> bool {
        matches!(
            self,
            SubscriptionStatus::Active | SubscriptionStatus::Paused
        )
    }

    /// Whether the product (beyond billing) is usable.
    pub fn has_product_access(&self) -> bool {
        matches!(
            self,
            SubscriptionStatus::Active
                | SubscriptionStatus::PastDue
                | SubscriptionStatus::Paused
                | SubscriptionStatus::CancelScheduled
        )
    }
}

/// What happened to a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The renewal invoice was charged successfully.
    RenewalPaid,
    /// The renewal charge was declined.
    RenewalDeclined,
    /// The period ended with no payment method on file.
    PeriodEndedWithoutCard,
    /// Three days of grace passed without payment.
    GraceExpired,
    /// A new card paid what was owed; `paused` when the customer had paused,
    /// so the pause holds (SPEC §11).
    PaymentRecovered { paused: bool },
    /// A retry with a new card was declined.
    RetryDeclined,
    /// The user confirmed cancellation at the period end.
    ScheduleCancel,
    /// The user withdrew a scheduled cancellation; `paused` when it was
    /// scheduled while paused, so the pause holds.
    ResumeCancellation { paused: bool },
    /// Cancellation took effect at once (policy or refund).
    CancelNow,
    /// The period of a scheduled cancellation ended.
    CancellationTakesEffect,
    /// The user paused instead of cancelling.
    Pause,
    /// The user resumed a paused subscription.
    Resume,
    /// A card paid for a new period within the retention window.
    Reactivate,
    /// The retention window ended; the data is deleted.
    RetentionExpired,
}

/// A state change, as recorded in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: SubscriptionStatus,
    pub to: SubscriptionStatus,
    pub event: Event,
    pub at: DateTime<Utc>,
}

/// An event that cannot happen in a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{event:?} cannot happen to a subscription that is {from:?}")]
pub struct TransitionError {
    pub from: SubscriptionStatus,
    pub event: Event,
}

/// The grace period after a declined renewal (SPEC §3).
pub const GRACE_DAYS: i64 = 3;

/// Reminders before a period ends with no card, in days (SPEC §3).
pub const FREEZE_REMINDER_DAYS: [i64; 2] = [7, 1];

/// The billing lifecycle: the state after `event` in `from` at `now`.
pub fn apply(
    from: SubscriptionStatus,
    event: Event,
    now: DateTime<Utc>,
) -> Result<Transition, TransitionError> {
    use Event::*;
    use SubscriptionStatus::*;
    let to = match (from, event) {
        (Active, RenewalPaid) => Active,
        (Active | Paused, RenewalDeclined) => PastDue,
        (Active | Paused, PeriodEndedWithoutCard) => Frozen,
        (PastDue, GraceExpired) => Deactivated,
        (PastDue | Deactivated | Frozen, PaymentRecovered { paused: false }) => Active,
        (PastDue | Deactivated | Frozen, PaymentRecovered { paused: true }) => Paused,
        (PastDue | Deactivated | Frozen, RetryDeclined) => from,
        (Active | Paused, ScheduleCancel) => CancelScheduled,
        (CancelScheduled, ResumeCancellation { paused: false }) => Active,
        (CancelScheduled, ResumeCancellation { paused: true }) => Paused,
        (Active | Paused | CancelScheduled, CancelNow) => Canceled,
        (CancelScheduled, CancellationTakesEffect) => Canceled,
        (Active, Pause) => Paused,
        (Paused, Resume) => Active,
        (Canceled, Reactivate) => Active,
        (Canceled, RetentionExpired) => Deleted,
        _ => return Err(TransitionError { from, event }),
    };
    Ok(Transition {
        from,
        to,
        event,
        at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_round_trips_through_its_wire_name() {
        for st in SubscriptionStatus::ALL {
            assert_eq!(SubscriptionStatus::parse(st.as_str()), Some(st));
            let json = serde_json::to_string(&st).unwrap();
            assert_eq!(json, format!("\"{}\"", st.as_str()));
        }
        assert_eq!(SubscriptionStatus::parse("Active"), None);
    }

    #[test]
    fn only_paid_up_subscriptions_renew() {
        let renewing: Vec<_> = SubscriptionStatus::ALL
            .into_iter()
            .filter(|s| s.renews())
            .collect();
        assert_eq!(
            renewing,
            [SubscriptionStatus::Active, SubscriptionStatus::Paused]
        );
    }

    #[test]
    fn the_lifecycle_table() {
        use Event::*;
        use SubscriptionStatus::*;
        let now = chrono::DateTime::<Utc>::UNIX_EPOCH;
        let allowed = [
            (Active, RenewalPaid, Active),
            (Active, RenewalDeclined, PastDue),
            (Active, PeriodEndedWithoutCard, Frozen),
            (Paused, RenewalDeclined, PastDue),
            (Paused, PeriodEndedWithoutCard, Frozen),
            (PastDue, GraceExpired, Deactivated),
            (PastDue, PaymentRecovered { paused: false }, Active),
            (Deactivated, PaymentRecovered { paused: false }, Active),
            (Frozen, PaymentRecovered { paused: false }, Active),
            (PastDue, PaymentRecovered { paused: true }, Paused),
            (Deactivated, PaymentRecovered { paused: true }, Paused),
            (Frozen, PaymentRecovered { paused: true }, Paused),
            (PastDue, RetryDeclined, PastDue),
            (Deactivated, RetryDeclined, Deactivated),
            (Frozen, RetryDeclined, Frozen),
            (Active, ScheduleCancel, CancelScheduled),
            (Paused, ScheduleCancel, CancelScheduled),
            (
                CancelScheduled,
                ResumeCancellation { paused: false },
                Active,
            ),
            (CancelScheduled, ResumeCancellation { paused: true }, Paused),
            (Active, CancelNow, Canceled),
            (Paused, CancelNow, Canceled),
            (CancelScheduled, CancelNow, Canceled),
            (CancelScheduled, CancellationTakesEffect, Canceled),
            (Active, Pause, Paused),
            (Paused, Resume, Active),
            (Canceled, Reactivate, Active),
            (Canceled, RetentionExpired, Deleted),
        ];
        let events = [
            RenewalPaid,
            RenewalDeclined,
            PeriodEndedWithoutCard,
            GraceExpired,
            PaymentRecovered { paused: false },
            PaymentRecovered { paused: true },
            RetryDeclined,
            ScheduleCancel,
            ResumeCancellation { paused: false },
            ResumeCancellation { paused: true },
            CancelNow,
            CancellationTakesEffect,
            Pause,
            Resume,
            Reactivate,
            RetentionExpired,
        ];
        for from in SubscriptionStatus::ALL {
            for event in events {
                let expected = allowed
                    .iter()
                    .find(|(f, e, _)| *f == from && *e == event)
                    .map(|t| t.2);
                let got = apply(from, event, now).ok().map(|t| t.to);
                assert_eq!(got, expected, "{from:?} + {event:?}");
            }
        }
    }
}
