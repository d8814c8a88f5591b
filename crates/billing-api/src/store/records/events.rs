//! A webhook event in the durable webhook outbox (SPEC §13).

use billing_domain::{AddOnId, EventType, Interval, PlanId, SubscriptionStatus};
use chrono::{DateTime, Utc};

/// An event to write, in the batch of the change it reports. The store
/// adds the snapshot of the subscription as the batch leaves it.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub id: String,
    pub account_id: String,
    pub event_type: EventType,
    /// The account's clock at the change.
    pub created_at: DateTime<Utc>,
    /// A JSON object of the event's own facts (`invoice`, `refund`).
    pub details: serde_json::Value,
}

/// The subscription as the change left it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSnapshot {
    pub status: SubscriptionStatus,
    pub plan: PlanId,
    pub interval: Interval,
    pub seats: u32,
    pub add_ons: Vec<AddOnId>,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub cancel_at: Option<DateTime<Utc>>,
}

/// A stored event with its delivery state.
#[derive(Debug, Clone)]
pub struct EventRecord {
    /// Its place in the outbox: an account's events go out in this order.
    pub seq: i64,
    pub id: String,
    pub account_id: String,
    /// The dotted name, e.g. `subscription.paused`.
    pub event_type: String,
    pub created_at: DateTime<Utc>,
    pub details: serde_json::Value,
    /// `None` when the account had no subscription.
    pub snapshot: Option<EventSnapshot>,
    pub attempts: i64,
    pub first_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub gave_up_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum EventAttempt {
    /// The receiver answered 2xx.
    Delivered { at: DateTime<Utc> },
    /// It did not; try again at `retry_at`.
    Failed {
        at: DateTime<Utc>,
        error: String,
        retry_at: DateTime<Utc>,
    },
    /// It did not, and the event has failed long enough: no more attempts.
    GaveUp { at: DateTime<Utc>, error: String },
}
