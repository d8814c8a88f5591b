//! Money movements: ledger entries and withdrawal requests.

use billing_domain::ledger::LedgerKind;
use billing_domain::Money;
use chrono::{DateTime, Utc};

/// One movement of money (SPEC §11).
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRecord {
    pub id: String,
    pub account_id: String,
    pub kind: LedgerKind,
    /// Positive; the kind says which way it went.
    pub amount: Money,
    pub invoice_id: Option<String>,
    /// The gateway's charge or refund id.
    pub charge_id: Option<String>,
    /// For a card refund: the charge refunded.
    pub refund_of: Option<String>,
    pub withdrawal_id: Option<String>,
    pub memo: String,
    pub at: DateTime<Utc>,
}

/// A request to pay out the credit balance.
#[derive(Debug, Clone, PartialEq)]
pub struct WithdrawalRecord {
    pub id: String,
    pub account_id: String,
    pub amount: Money,
    /// `requested`, `paid` or `declined`.
    pub status: String,
    pub note: String,
    pub requested_by: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
}
