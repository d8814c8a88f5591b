//! The rows a one-query read nests as JSON (an account's open invoices with
//! their lines, its seat holders), decoded once for both engines. Each
//! engine's SQL builds these shapes: the columns of the table under their
//! own names, times as unix seconds, money as minor units; in no order, as
//! the rows are sorted here (text by its bytes, as both engines' other
//! reads order it).

use crate::clock::from_unix;
use crate::store::{InvoiceRecord, StoreError};
use billing_domain::invoice::{InvoiceLine, InvoiceStatus, LineKind};
use billing_domain::wire::{BillingDetails, InvoiceParty};
use billing_domain::{Currency, Money};
use serde::Deserialize;

/// An `invoices` row with its `lines` (`invoice_lines` rows by position).
#[derive(Deserialize)]
struct InvoiceRow {
    id: String,
    account_id: String,
    seq: i64,
    status: String,
    reason: String,
    currency: String,
    total: i64,
    credit_applied: i64,
    credit_created: i64,
    period_start: Option<i64>,
    period_end: Option<i64>,
    created_at: i64,
    paid_at: Option<i64>,
    attempt_count: i64,
    last_error: Option<String>,
    charge_id: Option<String>,
    pending_key: Option<String>,
    pending_token: Option<String>,
    settlement: Option<String>,
    request_key: Option<String>,
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    seller: Option<String>,
    #[serde(default)]
    buyer: Option<String>,
    lines: Vec<LineRow>,
}

/// An `invoice_lines` row.
#[derive(Deserialize)]
struct LineRow {
    position: i64,
    kind: String,
    description: String,
    quantity: i64,
    unit_amount: i64,
    amount: i64,
    period_start: Option<i64>,
    period_end: Option<i64>,
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} `{value}`"))
}

/// A JSON array of invoice rows with their lines, as records in the order
/// of their numbers, each with its lines in order.
pub(super) fn invoices(json: &str) -> Result<Vec<InvoiceRecord>, StoreError> {
    let mut rows: Vec<InvoiceRow> =
        serde_json::from_str(json).map_err(|e| corrupt("nested invoices", &e.to_string()))?;
    rows.sort_by_key(|row| row.seq);
    rows.into_iter().map(invoice).collect()
}

fn invoice(mut row: InvoiceRow) -> Result<InvoiceRecord, StoreError> {
    let currency =
        Currency::parse(&row.currency).map_err(|_| corrupt("currency", &row.currency))?;
    row.lines.sort_by_key(|line| line.position);
    let lines = row
        .lines
        .into_iter()
        .map(|line| -> Result<InvoiceLine, StoreError> {
            let kind: LineKind =
                serde_json::from_value(serde_json::Value::String(line.kind.clone()))
                    .map_err(|_| corrupt("line kind", &line.kind))?;
            Ok(InvoiceLine {
                kind,
                description: line.description,
                quantity: line.quantity as u32,
                unit_amount: Money::new(line.unit_amount, currency),
                amount: Money::new(line.amount, currency),
                period_start: line.period_start.map(from_unix),
                period_end: line.period_end.map(from_unix),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(InvoiceRecord {
        number: invoice_number(row.number.as_deref(), row.seq),
        seller: party(row.seller.as_deref())?,
        buyer: party(row.buyer.as_deref())?,
        status: InvoiceStatus::parse(&row.status)
            .ok_or_else(|| corrupt("invoice status", &row.status))?,
        id: row.id,
        account_id: row.account_id,
        seq: row.seq,
        reason: row.reason,
        currency,
        total: row.total,
        credit_applied: row.credit_applied,
        credit_created: row.credit_created,
        period_start: row.period_start.map(from_unix),
        period_end: row.period_end.map(from_unix),
        created_at: from_unix(row.created_at),
        paid_at: row.paid_at.map(from_unix),
        attempt_count: row.attempt_count,
        last_error: row.last_error,
        charge_id: row.charge_id,
        lines,
        pending_key: row.pending_key,
        pending_token: row.pending_token,
        settlement: row.settlement,
        request_key: row.request_key,
    })
}

/// A JSON array of users as `[role, name, id]`, as their names in the
/// order of `users_of_account`: the owner first, then admins, then members,
/// each by name, then id.
pub(super) fn seat_holders(json: &str) -> Result<Vec<String>, StoreError> {
    let mut users: Vec<(String, String, String)> =
        serde_json::from_str(json).map_err(|e| corrupt("nested users", &e.to_string()))?;
    let rank = |role: &str| match role {
        "owner" => 0,
        "admin" => 1,
        _ => 2,
    };
    users.sort_by(|a, b| (rank(&a.0), &a.1, &a.2).cmp(&(rank(&b.0), &b.1, &b.2)));
    Ok(users.into_iter().map(|(_, name, _)| name).collect())
}

/// An invoice's number as stored, or (issued before numbers were stored)
/// as it was always shown: `INV-` and the per-account number.
pub(super) fn invoice_number(stored: Option<&str>, seq: i64) -> String {
    match stored {
        Some(n) => n.to_string(),
        None => format!("INV-{seq:05}"),
    }
}

/// A party snapshot (JSON), if any.
pub(super) fn party(json: Option<&str>) -> Result<Option<InvoiceParty>, StoreError> {
    json.map(|j| serde_json::from_str(j).map_err(|e| corrupt("party", &e.to_string())))
        .transpose()
}

/// A party snapshot as stored.
pub(super) fn party_json(party: &InvoiceParty) -> String {
    serde_json::to_string(party).unwrap_or_default()
}

/// Billing details (JSON), if set.
pub(super) fn billing_details(json: Option<&str>) -> Result<Option<BillingDetails>, StoreError> {
    json.map(|j| serde_json::from_str(j).map_err(|e| corrupt("billing details", &e.to_string())))
        .transpose()
}

/// Billing details as stored.
pub(super) fn billing_details_json(details: &BillingDetails) -> String {
    serde_json::to_string(details).unwrap_or_default()
}

/// A list of strings (JSON).
pub(super) fn strings(json: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(json).map_err(|e| corrupt("list", &e.to_string()))
}

/// A list of strings as stored.
pub(super) fn strings_json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// Invoice lines as a credit note stores them (JSON).
pub(super) fn lines_json(lines: &[InvoiceLine]) -> String {
    serde_json::to_string(lines).unwrap_or_else(|_| "[]".into())
}

/// Invoice lines (JSON).
pub(super) fn lines(json: &str) -> Result<Vec<InvoiceLine>, StoreError> {
    serde_json::from_str(json).map_err(|e| corrupt("lines", &e.to_string()))
}
