//! Audit actions (SPEC §4): the names of what the audit log records, as one
//! enum, so the API records and the SPA describes the same closed set and a
//! new action cannot be forgotten by either (STYLE habit 13).
//!
//! On the wire and in the store an action is its dotted name, e.g.
//! `subscription.changed`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Something the audit log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AuditAction {
    /// The buyer's billing details (legal name, billing e-mail and CC,
    /// address, tax ID) changed.
    #[serde(rename = "account.billing_details_changed")]
    AccountBillingDetailsChanged,
    /// The account's cancel policy changed.
    #[serde(rename = "account.policy_changed")]
    AccountPolicyChanged,
    /// The billing team declined a withdrawal of the credit balance.
    #[serde(rename = "balance.withdrawal_declined")]
    BalanceWithdrawalDeclined,
    /// The billing team paid out a withdrawal of the credit balance.
    #[serde(rename = "balance.withdrawal_paid")]
    BalanceWithdrawalPaid,
    /// An owner asked to withdraw the credit balance.
    #[serde(rename = "balance.withdrawal_requested")]
    BalanceWithdrawalRequested,
    /// An invoice was paid.
    #[serde(rename = "invoice.paid")]
    InvoicePaid,
    /// The owner declined a member's request for billing access.
    #[serde(rename = "member.access_request_declined")]
    MemberAccessRequestDeclined,
    /// The owner granted a member's request for billing access.
    #[serde(rename = "member.access_request_granted")]
    MemberAccessRequestGranted,
    /// A member asked for billing access.
    #[serde(rename = "member.access_requested")]
    MemberAccessRequested,
    /// The owner changed a member's billing access.
    #[serde(rename = "member.billing_access_changed")]
    MemberBillingAccessChanged,
    /// A renewal's payment was declined (the grace period starts).
    #[serde(rename = "payment.declined")]
    PaymentDeclined,
    /// A card payment was refunded.
    #[serde(rename = "payment.refunded")]
    PaymentRefunded,
    /// A retried payment was declined.
    #[serde(rename = "payment.retry_declined")]
    PaymentRetryDeclined,
    /// A new default card was saved.
    #[serde(rename = "payment_method.updated")]
    PaymentMethodUpdated,
    /// A meeting with Customer Success was requested.
    #[serde(rename = "retention.meeting_requested")]
    RetentionMeetingRequested,
    /// An offer to stay was accepted in the cancel wizard.
    #[serde(rename = "retention.offer_accepted")]
    RetentionOfferAccepted,
    /// The subscription was scheduled to cancel.
    #[serde(rename = "subscription.cancel_scheduled")]
    SubscriptionCancelScheduled,
    /// The subscription ended.
    #[serde(rename = "subscription.canceled")]
    SubscriptionCanceled,
    /// A scheduled cancellation was withdrawn.
    #[serde(rename = "subscription.cancellation_withdrawn")]
    SubscriptionCancellationWithdrawn,
    /// A change was not made: its charge was declined.
    #[serde(rename = "subscription.change_declined")]
    SubscriptionChangeDeclined,
    /// The plan, interval, seats or add-ons changed.
    #[serde(rename = "subscription.changed")]
    SubscriptionChanged,
    /// The subscription started.
    #[serde(rename = "subscription.created")]
    SubscriptionCreated,
    /// The account was deactivated for non-payment.
    #[serde(rename = "subscription.deactivated")]
    SubscriptionDeactivated,
    /// The account was frozen: no payment method at renewal.
    #[serde(rename = "subscription.frozen")]
    SubscriptionFrozen,
    /// The subscription was paused.
    #[serde(rename = "subscription.paused")]
    SubscriptionPaused,
    /// A change waiting for the renewal was undone.
    #[serde(rename = "subscription.pending_change_undone")]
    SubscriptionPendingChangeUndone,
    /// The subscription was reactivated (after being locked or canceled).
    #[serde(rename = "subscription.reactivated")]
    SubscriptionReactivated,
    /// A reactivation was not made: its charge was declined.
    #[serde(rename = "subscription.reactivated_declined")]
    SubscriptionReactivatedDeclined,
    /// The subscription renewed for a new period.
    #[serde(rename = "subscription.renewed")]
    SubscriptionRenewed,
    /// A paused subscription was resumed.
    #[serde(rename = "subscription.resumed")]
    SubscriptionResumed,
    /// A resumption was not made: its charge was declined.
    #[serde(rename = "subscription.resumed_declined")]
    SubscriptionResumedDeclined,
    /// A user changed their password (their other sessions ended).
    #[serde(rename = "user.password_changed")]
    UserPasswordChanged,
    /// A user set a new password from an e-mailed reset link (every session ended).
    #[serde(rename = "user.password_reset")]
    UserPasswordReset,
    /// A user signed out of their other sessions.
    #[serde(rename = "user.sessions_ended")]
    UserSessionsEnded,
}

impl AuditAction {
    /// Every action, in the order of their names.
    pub const ALL: [AuditAction; 34] = [
        AuditAction::AccountBillingDetailsChanged,
        AuditAction::AccountPolicyChanged,
        AuditAction::BalanceWithdrawalDeclined,
        AuditAction::BalanceWithdrawalPaid,
        AuditAction::BalanceWithdrawalRequested,
        AuditAction::InvoicePaid,
        AuditAction::MemberAccessRequestDeclined,
        AuditAction::MemberAccessRequestGranted,
        AuditAction::MemberAccessRequested,
        AuditAction::MemberBillingAccessChanged,
        AuditAction::PaymentDeclined,
        AuditAction::PaymentRefunded,
        AuditAction::PaymentRetryDeclined,
        AuditAction::PaymentMethodUpdated,
        AuditAction::RetentionMeetingRequested,
        AuditAction::RetentionOfferAccepted,
        AuditAction::SubscriptionCancelScheduled,
        AuditAction::SubscriptionCanceled,
        AuditAction::SubscriptionCancellationWithdrawn,
        AuditAction::SubscriptionChangeDeclined,
        AuditAction::SubscriptionChanged,
        AuditAction::SubscriptionCreated,
        AuditAction::SubscriptionDeactivated,
        AuditAction::SubscriptionFrozen,
        AuditAction::SubscriptionPaused,
        AuditAction::SubscriptionPendingChangeUndone,
        AuditAction::SubscriptionReactivated,
        AuditAction::SubscriptionReactivatedDeclined,
        AuditAction::SubscriptionRenewed,
        AuditAction::SubscriptionResumed,
        AuditAction::SubscriptionResumedDeclined,
        AuditAction::UserPasswordChanged,
        AuditAction::UserPasswordReset,
        AuditAction::UserSessionsEnded,
    ];

    /// What is recorded when the card declines the charge for this action.
    pub fn declined(self) -> AuditAction {
        match self {
            AuditAction::SubscriptionChanged => AuditAction::SubscriptionChangeDeclined,
            AuditAction::SubscriptionReactivated => AuditAction::SubscriptionReactivatedDeclined,
            AuditAction::SubscriptionResumed => AuditAction::SubscriptionResumedDeclined,
            other => other,
        }
    }

    /// The dotted name, as on the wire and in the store.
    pub fn as_str(&self) -> &'static str {
        match self {
            AuditAction::AccountBillingDetailsChanged => "account.billing_details_changed",
            AuditAction::AccountPolicyChanged => "account.policy_changed",
            AuditAction::BalanceWithdrawalDeclined => "balance.withdrawal_declined",
            AuditAction::BalanceWithdrawalPaid => "balance.withdrawal_paid",
            AuditAction::BalanceWithdrawalRequested => "balance.withdrawal_requested",
            AuditAction::InvoicePaid => "invoice.paid",
            AuditAction::MemberAccessRequestDeclined => "member.access_request_declined",
            AuditAction::MemberAccessRequestGranted => "member.access_request_granted",
            AuditAction::MemberAccessRequested => "member.access_requested",
            AuditAction::MemberBillingAccessChanged => "member.billing_access_changed",
            AuditAction::PaymentDeclined => "payment.declined",
            AuditAction::PaymentRefunded => "payment.refunded",
            AuditAction::PaymentRetryDeclined => "payment.retry_declined",
            AuditAction::PaymentMethodUpdated => "payment_method.updated",
            AuditAction::RetentionMeetingRequested => "retention.meeting_requested",
            AuditAction::RetentionOfferAccepted => "retention.offer_accepted",
            AuditAction::SubscriptionCancelScheduled => "subscription.cancel_scheduled",
            AuditAction::SubscriptionCanceled => "subscription.canceled",
            AuditAction::SubscriptionCancellationWithdrawn => "subscription.cancellation_withdrawn",
            AuditAction::SubscriptionChangeDeclined => "subscription.change_declined",
            AuditAction::SubscriptionChanged => "subscription.changed",
            AuditAction::SubscriptionCreated => "subscription.created",
            AuditAction::SubscriptionDeactivated => "subscription.deactivated",
            AuditAction::SubscriptionFrozen => "subscription.frozen",
            AuditAction::SubscriptionPaused => "subscription.paused",
            AuditAction::SubscriptionPendingChangeUndone => "subscription.pending_change_undone",
            AuditAction::SubscriptionReactivated => "subscription.reactivated",
            AuditAction::SubscriptionReactivatedDeclined => "subscription.reactivated_declined",
            AuditAction::SubscriptionRenewed => "subscription.renewed",
            AuditAction::SubscriptionResumed => "subscription.resumed",
            AuditAction::SubscriptionResumedDeclined => "subscription.resumed_declined",
            AuditAction::UserPasswordChanged => "user.password_changed",
            AuditAction::UserPasswordReset => "user.password_reset",
            AuditAction::UserSessionsEnded => "user.sessions_ended",
        }
    }

    /// The action with this dotted name, if there is one.
    pub fn parse(name: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A dotted name that is no audit action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an audit action")]
pub struct UnknownAuditAction(pub String);

impl std::str::FromStr for AuditAction {
    type Err = UnknownAuditAction;

    fn from_str(name: &str) -> Result<AuditAction, UnknownAuditAction> {
        AuditAction::parse(name).ok_or_else(|| UnknownAuditAction(name.to_string()))
    }
}

// Comparisons with a dotted name, so that code and tests holding a name
// (`entry.action == "invoice.paid"`) read as they did before the enum.
impl PartialEq<str> for AuditAction {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for AuditAction {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_serde_and_its_name() {
        for action in AuditAction::ALL {
            let json = serde_json::to_value(action).unwrap();
            assert_eq!(json, serde_json::Value::String(action.as_str().into()));
            assert_eq!(serde_json::from_value::<AuditAction>(json).unwrap(), action);
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
            assert_eq!(action.as_str().parse::<AuditAction>(), Ok(action));
            assert_eq!(action.to_string(), action.as_str());
            assert!(action == action.as_str());
        }
    }

    #[test]
    fn names_are_unique_dotted_and_sorted() {
        let names: Vec<&str> = AuditAction::ALL.iter().map(AuditAction::as_str).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
        for name in names {
            let (noun, verb) = name.split_once('.').expect("a dotted name");
            assert!(
                !noun.is_empty() && !verb.is_empty() && !verb.contains('.'),
                "{name}"
            );
        }
    }

    #[test]
    fn an_unknown_name_is_refused_clearly() {
        assert_eq!(AuditAction::parse("widget.polished"), None);
        let err = "widget.polished".parse::<AuditAction>().unwrap_err();
        assert_eq!(err.to_string(), "`widget.polished` is not an audit action");
        assert!(serde_json::from_str::<AuditAction>("\"widget.polished\"").is_err());
    }
}
