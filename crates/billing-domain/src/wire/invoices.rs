//! Invoices as the portal lists and shows them.

use crate::invoice::InvoiceLine;
use crate::invoice::InvoiceStatus;
use crate::money::Money;
use crate::wire::InvoiceParty;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// An invoice as the portal shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Invoice {
    pub id: String,
    /// For people, e.g. `INV-00003`.
    pub number: String,
    pub status: InvoiceStatus,
    pub total: Money,
    /// Credit balance used by this invoice.
    pub credit_applied: Money,
    /// Credit balance created by this invoice.
    pub credit_created: Money,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    /// Why the last charge failed, while open.
    pub last_error: Option<String>,
    pub lines: Vec<InvoiceLine>,
    /// The account billed.
    pub account_name: String,
    /// The seller as of the issue (`null` on invoices issued before snapshots).
    pub seller: Option<InvoiceParty>,
    /// The buyer's billing details as of the issue.
    pub buyer: Option<InvoiceParty>,
}

/// `GET /api/invoices`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InvoiceList {
    pub data: Vec<Invoice>,
    pub has_more: bool,
}
