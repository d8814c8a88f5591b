//! Plans & Billing: the billing overview and the next bill.

use super::payments::PaymentMethodSummary;
use crate::catalog::AddOnId;
use crate::catalog::Interval;
use crate::catalog::PlanId;
use crate::change::Pending;
use crate::money::Money;
use crate::subscription::SubscriptionStatus;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Seats bought and seats taken by active users.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Seats {
    pub purchased: u32,
    pub used: u32,
}

/// `GET /api/billing/overview`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BillingOverview {
    pub status: SubscriptionStatus,
    pub plan: PlanId,
    /// The plan's name from the catalog.
    pub plan_name: String,
    /// Contract plans are cancelled through Customer Success.
    pub contract: bool,
    pub interval: Interval,
    pub seats: Seats,
    pub add_ons: Vec<AddOnId>,
    pub current_period_start: DateTime<Utc>,
    pub current_period_end: DateTime<Utc>,
    /// What the card will be charged next: the next renewal after its
    /// discount and the credit balance (exactly what the renewal bills); while
    /// deactivated, frozen or canceled, what saving a card charges now (a new
    /// period from that moment); while past due, what is owed.
    pub next_charge: Money,
    /// When the renewal is charged; null when nothing renews.
    pub next_charge_date: Option<DateTime<Utc>>,
    /// How `next_charge` is made up, when it is a period's invoice.
    pub next_bill: Option<NextBill>,
    pub payment_method: Option<PaymentMethodSummary>,
    /// Credit available to the next invoices (the sum of the ledger).
    pub credit_balance: Money,
    /// Credit held for withdrawal requests the billing team has not decided.
    pub credit_held: Money,
    /// What open invoices still owe (zero when paid up).
    pub amount_due: Money,
    /// While past due: when the grace period ends and the account is deactivated.
    pub grace_until: Option<DateTime<Utc>>,
    /// While past due: whole days of grace left (0 on the last day).
    pub grace_days_left: Option<i64>,
    /// The moment these figures are for (the account's clock).
    pub as_of: DateTime<Utc>,
    /// Changes waiting for the renewal (undoable).
    pub pending: Pending,
    /// When pending changes take effect (the period end), if any are pending.
    pub pending_effective_at: Option<DateTime<Utc>>,
    /// Who holds seats: the active users' names, for the seat stepper's limit.
    pub seat_holders: Vec<String>,
    /// A scheduled cancellation: when access ends.
    pub cancel_at: Option<DateTime<Utc>>,
    /// When cancellation took effect.
    pub canceled_at: Option<DateTime<Utc>>,
    /// After cancellation: when the data will be deleted.
    pub data_deleted_at: Option<DateTime<Utc>>,
    /// A retention discount still to come: percent and months of service left.
    pub discount: Option<crate::renewal::Discount>,
    /// Whether the current period was billed with a discount (its changes
    /// prorate at the discounted rate).
    pub current_period_discounted: bool,
    /// The subscription's version (also the `ETag` header).
    pub version: i64,
}

/// The parts of a period's invoice before it is charged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NextBill {
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    /// The list price of the period.
    pub price: Money,
    /// The retention discount taken off (positive).
    pub discount: Money,
    /// Credit balance used (positive).
    pub credit_applied: Money,
    /// Credit for unused time (positive), e.g. of a pause month.
    pub unused_credit: Money,
    /// What the card pays.
    pub amount: Money,
    /// A new period starting now (recovery, reactivation): locked time is not billed.
    pub starts_now: bool,
    /// Open invoices of locked periods this voids when paid.
    pub voids: Vec<String>,
    /// Billed at the pause price.
    pub pause: bool,
}
