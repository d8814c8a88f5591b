//! Manage Subscription: previews and changes.

use super::overview::BillingOverview;
use crate::change::Pending;
use crate::change::Terms;
use crate::invoice::InvoiceLine;
use crate::money::Money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The renewal after a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NextRenewal {
    pub date: DateTime<Utc>,
    /// What the renewal will charge after the discount and the credit balance.
    pub amount: Money,
    /// The renewal's list price before the discount and credit.
    pub price: Money,
    /// The retention discount it takes (positive; zero for none).
    pub discount: Money,
    /// The credit balance it uses (positive).
    pub credit_applied: Money,
}

/// `POST /api/subscription/preview`: exactly what the change would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SubscriptionPreview {
    /// Charged to the card today.
    pub amount_due_today: Money,
    /// Credit balance used today.
    pub credit_applied: Money,
    /// Credit balance created today (a downgrade's unused difference).
    pub credit_created: Money,
    /// The balance after the change.
    pub credit_balance_after: Money,
    /// Today's invoice lines (prorated charges and credits).
    pub lines: Vec<InvoiceLine>,
    pub next_renewal: NextRenewal,
    /// The moment prorated: send it back with the change to be charged exactly this.
    pub proration_date: DateTime<Utc>,
    /// The terms in force right after the change.
    pub terms: Terms,
    /// What waits for the renewal.
    pub pending: Pending,
    /// True when a new (annual) period starts today.
    pub restarts_period: bool,
}

/// `POST /api/subscription/changes`: what was done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SubscriptionChangeResult {
    /// What was charged and credited (equal to the preview).
    pub change: SubscriptionPreview,
    /// The invoice for today's charge or credit, if any.
    pub invoice_id: Option<String>,
    /// The account's billing after the change.
    pub overview: BillingOverview,
}
