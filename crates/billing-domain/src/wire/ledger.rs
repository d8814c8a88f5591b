//! The credit ledger and balance withdrawals.

use crate::money::Money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// One ledger entry as the portal shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LedgerEntryView {
    pub id: String,
    pub kind: crate::ledger::LedgerKind,
    /// Positive; the kind says which way it went.
    pub amount: Money,
    pub invoice_id: Option<String>,
    pub charge_id: Option<String>,
    pub refund_of: Option<String>,
    pub withdrawal_id: Option<String>,
    pub description: String,
    pub at: DateTime<Utc>,
}

/// `GET /api/ledger`: every money movement, oldest first, and the balances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Ledger {
    pub entries: Vec<LedgerEntryView>,
    pub credit_balance: Money,
    pub credit_held: Money,
}

/// A request to pay out the credit balance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Withdrawal {
    pub id: String,
    pub amount: Money,
    /// `requested`, `paid` or `declined`.
    pub status: String,
    pub requested_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// `GET /api/balance/withdrawals`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WithdrawalList {
    pub data: Vec<Withdrawal>,
}

/// `POST /api/test/withdrawals/{id}/decision` (test mode; the CLI in production).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WithdrawalDecision {
    /// `paid` or `declined`.
    #[cfg_attr(feature = "openapi", schema(schema_with = super::schema::withdrawal_decision))]
    pub decision: String,
}
