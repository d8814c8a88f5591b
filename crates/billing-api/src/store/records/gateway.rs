//! The simulated payment gateway's vault and charges.

use chrono::{DateTime, Utc};

/// A card in the simulated gateway's vault.
#[derive(Debug, Clone)]
pub struct GatewayTokenRecord {
    pub token: String,
    pub brand: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: u32,
    pub behaviour: String,
    pub created_at: DateTime<Utc>,
}

/// A charge the simulated gateway made or refused.
#[derive(Debug, Clone)]
pub struct GatewayChargeRecord {
    pub id: String,
    pub token: String,
    pub amount: i64,
    pub currency: String,
    pub idempotency_key: String,
    /// `succeeded` or `failed:<code>`.
    pub outcome: String,
    pub created_at: DateTime<Utc>,
}
