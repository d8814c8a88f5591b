//! Subscription states (SPEC §4).
//!
//! The transitions between them (renewals, declines, grace, freeze, cancel)
//! arrive with the billing engine; this module names the states and what each
//! means for access, so the API and the SPA agree on them.

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

    /// Whether a renewal charge is expected at the period end.
    pub fn renews(&self) -> bool {
        matches!(
            self,
            SubscriptionStatus::Active | SubscriptionStatus::PastDue | SubscriptionStatus::Frozen
        )
    }
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
    fn only_live_subscriptions_renew() {
        let renewing: Vec<_> = SubscriptionStatus::ALL
            .into_iter()
            .filter(|s| s.renews())
            .collect();
        assert_eq!(
            renewing,
            [
                SubscriptionStatus::Active,
                SubscriptionStatus::PastDue,
                SubscriptionStatus::Frozen
            ]
        );
    }
}
