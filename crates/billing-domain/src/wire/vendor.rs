//! The vendor's side (SPEC §13): what an account may use, and the body of
//! every webhook.

use crate::webhook::{Access, EventType};
use crate::{AddOnId, Interval, PlanId, SubscriptionStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// `GET /api/vendor/accounts/{account_id}/entitlements`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Entitlements {
    pub account_id: String,
    /// What the account's users may use of the vendor's product.
    pub access: Access,
    pub status: SubscriptionStatus,
    pub plan: PlanId,
    pub interval: Interval,
    pub seats: u32,
    pub add_ons: Vec<AddOnId>,
    /// The end of the period paid for (or being collected).
    pub period_end: DateTime<Utc>,
}

/// The JSON body of every webhook POST; `id` is the same on every retry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WebhookEvent {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When the change was made, on the account's clock (RFC 3339).
    pub created: DateTime<Utc>,
    pub account_id: String,
    /// The subscription as the change left it (`status`, `access`, `plan`,
    /// `interval`, `seats`, `add_ons`, `period_start`, `period_end`,
    /// `cancel_at`), with `invoice` on invoice events and `refund` on refunds.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}
