//! The invoice record and its constructors for paid and open invoices.

use billing_domain::invoice::{InvoiceDraft, InvoiceLine, InvoiceStatus};
use billing_domain::wire::{CreditNoteReason, InvoiceParty};
use billing_domain::Currency;
use chrono::{DateTime, Utc};

/// The invoice prefix of a record nobody stamped with a seller.
pub const DEFAULT_PREFIX: &str = "INV-";

/// A stored invoice with its lines.
#[derive(Debug, Clone)]
pub struct InvoiceRecord {
    pub id: String,
    pub account_id: String,
    /// The vendor-wide sequence number (assigned on insert); invoices
    /// issued before the vendor-wide sequence keep their per-account one.
    pub seq: i64,
    /// For people, e.g. `INV-000123`. A record being inserted holds only
    /// the seller's prefix: the store appends the sequence number.
    pub number: String,
    /// The seller as of the issue (absent on invoices issued before snapshots).
    pub seller: Option<InvoiceParty>,
    /// The buyer's billing details as of the issue.
    pub buyer: Option<InvoiceParty>,
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
            number: DEFAULT_PREFIX.into(),
            seller: None,
            buyer: None,
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

impl InvoiceRecord {
    /// Stamps the invoice with the seller and buyer as of now, and the
    /// prefix of its number.
    pub fn issued_by(mut self, seller: InvoiceParty, buyer: InvoiceParty, prefix: &str) -> Self {
        self.seller = Some(seller);
        self.buyer = Some(buyer);
        self.number = prefix.into();
        self
    }
}

/// A credit note: money given back or credited against an invoice, with
/// its own vendor-wide number sequence.
#[derive(Debug, Clone)]
pub struct CreditNoteRecord {
    pub id: String,
    pub account_id: String,
    /// The vendor-wide credit note sequence number (assigned on insert).
    pub seq: i64,
    /// For people; on insert only the prefix, as for invoices.
    pub number: String,
    pub reason: CreditNoteReason,
    /// The invoice it credits.
    pub invoice_id: Option<String>,
    pub currency: Currency,
    pub total: i64,
    pub to_card: i64,
    pub to_balance: i64,
    pub lines: Vec<InvoiceLine>,
    pub seller: InvoiceParty,
    pub buyer: InvoiceParty,
    pub created_at: DateTime<Utc>,
}
