//! Test-mode bodies: fresh accounts, the test clock, gateway records.

use crate::catalog::PlanId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A charge or refund as the simulated gateway recorded it (test mode).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GatewayCharge {
    pub id: String,
    /// Negative for a refund.
    pub amount: i64,
    pub outcome: String,
    pub idempotency_key: String,
    /// For a refund: the charge refunded.
    pub refund_of: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// `GET /api/test/accounts/{account_id}/gateway-charges`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GatewayChargeList {
    pub data: Vec<GatewayCharge>,
}

/// `POST /api/test/accounts/{account_id}/clock`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdvanceClockRequest {
    /// Seconds to move the account's clock forward (1 to 5 years' worth).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 158_112_000))]
    pub advance_seconds: i64,
}

/// The account's clock after advancing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ClockResponse {
    pub now: DateTime<Utc>,
}

/// `POST /api/test/accounts` (optional body).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTestAccountRequest {
    /// `false` for an account with no card on file (default `true`).
    pub with_card: Option<bool>,
    /// The plan (default `business`), billed monthly where the catalog
    /// sells it monthly, else yearly: `premium` makes a Premium annual
    /// account, as Customer Success would have set it up.
    pub plan: Option<PlanId>,
}

/// One user of a test account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TestUser {
    /// `owner`, `admin`, `billing_member` or `member`.
    pub role: String,
    pub email: String,
    pub password: String,
}

/// `POST /api/test/accounts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TestAccount {
    pub account_id: String,
    pub users: Vec<TestUser>,
}

impl TestAccount {
    /// The test user with this role label.
    pub fn user(&self, role: &str) -> Option<&TestUser> {
        self.users.iter().find(|u| u.role == role)
    }
}
