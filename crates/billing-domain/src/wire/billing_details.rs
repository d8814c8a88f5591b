//! The buyer's billing details, the parties printed on an invoice, and
//! credit notes (SPEC §12).

use crate::invoice::InvoiceLine;
use crate::money::Money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PostalAddress {
    /// Street and number.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub line1: String,
    /// Suite, floor, building.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub line2: Option<String>,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub city: String,
    /// State, province or county.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub region: Option<String>,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 20))]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, upper case (`US`, `DE`).
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 2, max_length = 2, pattern = "^[A-Z]{2}$", example = "US")
    )]
    pub country: String,
}

/// `GET /api/account/billing-details`: whom invoices are made out to and
/// where billing e-mails go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BillingDetails {
    /// Printed on invoices (default: the account's name).
    pub legal_name: String,
    /// Receives every billing e-mail (default: the owner's e-mail).
    pub email: String,
    /// Also receive every billing e-mail.
    pub cc: Vec<String>,
    /// `null` until someone enters one.
    pub address: Option<PostalAddress>,
    pub tax_id: Option<String>,
}

/// `PUT /api/account/billing-details`: the whole set, replacing the old.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateBillingDetailsRequest {
    /// The legal name invoices are made out to.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, example = "Acme Corp")
    )]
    pub legal_name: String,
    /// `local@domain`; spaces around it are ignored.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 254,
            pattern = "^ *[^ @]+@[^ @]+ *$",
            example = "billing@acme.test"
        )
    )]
    pub email: String,
    /// Up to 10 more addresses, each `local@domain`, no repeats.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 10))]
    pub cc: Vec<String>,
    pub address: PostalAddress,
    /// VAT number, EIN or the like.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 50, example = "US12-3456789")
    )]
    pub tax_id: Option<String>,
}

/// A party to an invoice or credit note (the seller or the buyer) as it was
/// when the document was issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InvoiceParty {
    pub legal_name: String,
    /// The buyer's billing e-mail, or the seller's support e-mail.
    pub email: String,
    pub address: Option<PostalAddress>,
    pub tax_id: Option<String>,
}

/// Why a credit note was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CreditNoteReason {
    /// A refund at an early end (to the card, to the balance, or both).
    Refund,
    /// Unused time credited to the balance by a change.
    UnusedTime,
}

impl CreditNoteReason {
    /// The stored name.
    pub fn as_str(&self) -> &'static str {
        match self {
            CreditNoteReason::Refund => "refund",
            CreditNoteReason::UnusedTime => "unused_time",
        }
    }

    /// The reason with this stored name.
    pub fn parse(s: &str) -> Option<CreditNoteReason> {
        match s {
            "refund" => Some(CreditNoteReason::Refund),
            "unused_time" => Some(CreditNoteReason::UnusedTime),
            _ => None,
        }
    }

    /// For people.
    pub fn label(&self) -> &'static str {
        match self {
            CreditNoteReason::Refund => "Refund",
            CreditNoteReason::UnusedTime => "Credit for unused time",
        }
    }
}

/// A credit note as the portal shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreditNote {
    pub id: String,
    /// For people, e.g. `CN-000004`.
    pub number: String,
    pub reason: CreditNoteReason,
    /// The invoice it credits.
    pub invoice_id: Option<String>,
    pub invoice_number: Option<String>,
    /// What was credited in all.
    pub total: Money,
    /// Of the total, what went back to the card.
    pub to_card: Money,
    /// Of the total, what went to the credit balance.
    pub to_balance: Money,
    /// What the credit is for.
    pub lines: Vec<InvoiceLine>,
    pub created_at: DateTime<Utc>,
    pub seller: InvoiceParty,
    pub buyer: InvoiceParty,
}

/// `GET /api/credit-notes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreditNoteList {
    pub data: Vec<CreditNote>,
    pub has_more: bool,
}
