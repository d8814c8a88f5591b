//! The invoice record and its constructors for paid and open invoices.

use billing_domain::invoice::{InvoiceDraft, InvoiceLine, InvoiceStatus};
use billing_domain::Currency;
use chrono::{DateTime, Utc};

/// A stored invoice with its lines.
#[derive(Debug, Clone)]
pub struct InvoiceRecord {
    pub id: String,
    pub account_id: String,
    /// Per-account sequence (assigned on insert when 0).
    pub seq: i64,
    pub status: InvoiceStatus,
    /// `subscription_create`, `subscription_cycle` or `subscription_update`.
    pub reason: String,
    pub currency: Currency,
    pub total: i64,
    pub credit_applied: i64,
    pub credit_created: i64,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub attempt_count: i64,
    pub last_error: Option<String>,
    pub charge_id: Option<String>,
    pub lines: Vec<InvoiceLine>,
    /// The gateway key of a charge in flight (set before the call).
    pub pending_key: Option<String>,
    /// The card token of that charge.
    pub pending_token: Option<String>,
    /// What paying this invoice does (JSON of a `Settlement`).
    pub settlement: Option<String>,
    /// The idempotency key (scope and key) of the request that created it.
    pub request_key: Option<String>,
}

impl InvoiceRecord {
    /// An invoice paid at `at` for `period`: by the card charge `charge_id`,
    /// or wholly by credit when there is none.
    pub fn paid(
        id: String,
        account_id: &str,
        reason: &str,
        draft: &InvoiceDraft,
        period: (DateTime<Utc>, DateTime<Utc>),
        at: DateTime<Utc>,
        charge_id: Option<String>,
    ) -> InvoiceRecord {
        InvoiceRecord {
            id,
            account_id: account_id.into(),
            seq: 0,
            status: InvoiceStatus::Paid,
            reason: reason.into(),
            currency: draft.total.currency(),
            total: draft.total.amount(),
            credit_applied: draft.credit_applied.amount(),
            credit_created: draft.credit_created.amount(),
            period_start: Some(period.0),
            period_end: Some(period.1),
            created_at: at,
            paid_at: Some(at),
            attempt_count: i64::from(charge_id.is_some()),
            last_error: None,
            charge_id,
            lines: draft.lines.clone(),
            pending_key: None,
            pending_token: None,
            settlement: None,
            request_key: None,
        }
    }

    /// An open invoice for `period`, to be charged.
    pub fn open(
        id: String,
        account_id: &str,
        reason: &str,
        draft: &InvoiceDraft,
        period: (DateTime<Utc>, DateTime<Utc>),
        at: DateTime<Utc>,
    ) -> InvoiceRecord {
        InvoiceRecord {
            status: InvoiceStatus::Open,
            paid_at: None,
            attempt_count: 0,
            ..InvoiceRecord::paid(id, account_id, reason, draft, period, at, None)
        }
    }
}
