//! Invoices and their lines: inserted with the next vendor-wide number, the
//! payment state and charges in flight updated, read with their lines.

use super::rows::{corrupt, credit_note_from, invoice_from, line_from, line_kind_str, opt_time};
use super::stmt::{Fail, OnUnique, Stmt};
use super::Tx;
use crate::store::{CreditNoteRecord, InvoiceRecord, StoreError};
use billing_domain::invoice::InvoiceStatus;
use billing_domain::Currency;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

/// Inserts an invoice with the next vendor-wide `seq`, then its lines.
pub(super) async fn insert_invoice(tx: &mut Tx<'_>, inv: &InvoiceRecord) -> Result<(), StoreError> {
    for stmt in insert_invoice_stmts(inv) {
        stmt.run(tx).await?;
    }
    Ok(())
}

pub(super) fn insert_invoice_stmts(inv: &InvoiceRecord) -> Vec<Stmt> {
    // The one vendor-wide counter, bumped in this transaction: SQLite's one
    // writer makes the bump and the insert a unit no other writer sees half of.
    let mut stmts = vec![Stmt::new(
        "UPDATE document_sequences SET last = last + 1 WHERE kind = 'invoice'",
    )
    .one_row(Fail::AlreadyDone("the invoice sequence is missing".into())),
    Stmt::new(
        "INSERT INTO invoices (id, account_id, seq, number, seller, buyer, status, reason, currency, total, credit_applied, credit_created, period_start, period_end, created_at, paid_at, attempt_count, last_error, charge_id, pending_key, pending_token, settlement, request_key) \
         VALUES (?, ?, (SELECT last FROM document_sequences WHERE kind = 'invoice'), ? || printf('%06d', (SELECT last FROM document_sequences WHERE kind = 'invoice')), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .text(&inv.id)
    .text(&inv.account_id)
    .text(&inv.number)
    .opt_text(inv.seller.as_ref().map(crate::store::json::party_json))
    .opt_text(inv.buyer.as_ref().map(crate::store::json::party_json))
    .text(inv.status.as_str())
    .text(&inv.reason)
    .text(inv.currency.code())
    .int(inv.total)
    .int(inv.credit_applied)
    .int(inv.credit_created)
    .opt_int(opt_time(inv.period_start))
    .opt_int(opt_time(inv.period_end))
    .int(inv.created_at.timestamp())
    .opt_int(opt_time(inv.paid_at))
    .int(inv.attempt_count)
    .opt_text(inv.last_error.as_deref())
    .opt_text(inv.charge_id.as_deref())
    .opt_text(inv.pending_key.as_deref())
    .opt_text(inv.pending_token.as_deref())
    .opt_text(inv.settlement.as_deref())
    .opt_text(inv.request_key.as_deref())
    .on_unique(OnUnique::Conflict)];
    for (position, line) in inv.lines.iter().enumerate() {
        stmts.push(
            Stmt::new(
                "INSERT INTO invoice_lines (invoice_id, position, kind, description, quantity, unit_amount, amount, period_start, period_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .text(&inv.id)
            .int(position as i64)
            .text(line_kind_str(line.kind))
            .text(&line.description)
            .int(i64::from(line.quantity))
            .int(line.unit_amount.amount())
            .int(line.amount.amount())
            .opt_int(opt_time(line.period_start))
            .opt_int(opt_time(line.period_end)),
        );
    }
    stmts
}

/// Updates an open invoice's payment state and clears any charge in flight;
/// `AlreadyDone` if the invoice is no longer open.
pub(super) fn update_invoice_stmt(
    id: &str,
    status: InvoiceStatus,
    paid_at: Option<DateTime<Utc>>,
    attempt_count: i64,
    last_error: Option<&str>,
    charge_id: Option<&str>,
) -> Stmt {
    Stmt::new(
        "UPDATE invoices SET status = ?, paid_at = ?, attempt_count = ?, last_error = ?, charge_id = ?, \
         pending_key = NULL, pending_token = NULL WHERE id = ? AND status = 'open'",
    )
    .text(status.as_str())
    .opt_int(opt_time(paid_at))
    .int(attempt_count)
    .opt_text(last_error)
    .opt_text(charge_id)
    .text(id)
    .one_row(Fail::AlreadyDone(format!("invoice {id} settled")))
}

/// Records a charge about to be made under `key`; `AlreadyDone` if the
/// invoice is no longer open or a charge is already in flight.
pub(super) fn begin_attempt_stmt(id: &str, key: &str, token: &str, attempt_count: i64) -> Stmt {
    Stmt::new(
        "UPDATE invoices SET attempt_count = ?, pending_key = ?, pending_token = ? WHERE id = ? AND status = 'open' AND pending_key IS NULL",
    )
    .int(attempt_count)
    .text(key)
    .text(token)
    .text(id)
    .one_row(Fail::AlreadyDone(format!("charge of {id} begun")))
}

pub(super) async fn invoices(
    pool: &SqlitePool,
    account_id: &str,
    limit: i64,
    starting_after: Option<&str>,
) -> Result<Vec<InvoiceRecord>, StoreError> {
    let before: i64 = match starting_after {
        Some(id) => sqlx::query_scalar("SELECT seq FROM invoices WHERE id = ? AND account_id = ?")
            .bind(id)
            .bind(account_id)
            .fetch_optional(pool)
            .await?
            .unwrap_or(0),
        None => i64::MAX,
    };
    let rows = sqlx::query(
        // A purchase whose card was declined was never a bill: not listed.
        "SELECT * FROM invoices WHERE account_id = ? AND seq < ? \
         AND NOT (status = 'void' AND settlement IS NOT NULL AND charge_id IS NULL) ORDER BY seq DESC LIMIT ?",
    )
    .bind(account_id)
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    invoices_with_lines(pool, &rows).await
}

pub(super) async fn invoice(
    pool: &SqlitePool,
    id: &str,
) -> Result<Option<InvoiceRecord>, StoreError> {
    let row = sqlx::query("SELECT * FROM invoices WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    match row {
        Some(row) => Ok(Some(with_lines(pool, &row, id).await?)),
        None => Ok(None),
    }
}

pub(super) async fn open_invoices(
    pool: &SqlitePool,
    account_id: &str,
) -> Result<Vec<InvoiceRecord>, StoreError> {
    let rows =
        sqlx::query("SELECT * FROM invoices WHERE account_id = ? AND status = 'open' ORDER BY seq")
            .bind(account_id)
            .fetch_all(pool)
            .await?;
    invoices_with_lines(pool, &rows).await
}

pub(super) async fn invoice_by_request_key(
    pool: &SqlitePool,
    request_key: &str,
) -> Result<Option<InvoiceRecord>, StoreError> {
    let row = sqlx::query("SELECT * FROM invoices WHERE request_key = ?")
        .bind(request_key)
        .fetch_optional(pool)
        .await?;
    match row {
        Some(row) => {
            let id: String = row.try_get("id")?;
            Ok(Some(with_lines(pool, &row, &id).await?))
        }
        None => Ok(None),
    }
}

/// Invoice rows with their lines attached.
async fn invoices_with_lines(
    pool: &SqlitePool,
    rows: &[SqliteRow],
) -> Result<Vec<InvoiceRecord>, StoreError> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id: String = row.try_get("id")?;
        out.push(with_lines(pool, row, &id).await?);
    }
    Ok(out)
}

/// The invoice in `row` (whose id is `id`) with its lines read.
async fn with_lines(
    pool: &SqlitePool,
    row: &SqliteRow,
    id: &str,
) -> Result<InvoiceRecord, StoreError> {
    let currency: String = row.try_get("currency")?;
    let currency = Currency::parse(&currency).map_err(|_| corrupt("currency", &currency))?;
    let lines = sqlx::query("SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY position")
        .bind(id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| line_from(r, currency))
        .collect::<Result<Vec<_>, _>>()?;
    invoice_from(row, lines)
}

/// Inserts a credit note with the next vendor-wide credit note number.
pub(super) fn insert_credit_note_stmts(cn: &CreditNoteRecord) -> Vec<Stmt> {
    vec![
        Stmt::new("UPDATE document_sequences SET last = last + 1 WHERE kind = 'credit_note'")
            .one_row(Fail::AlreadyDone("the credit note sequence is missing".into())),
        Stmt::new(
            "INSERT INTO credit_notes (id, account_id, seq, number, reason, invoice_id, currency, total, to_card, to_balance, lines, seller, buyer, created_at) \
             VALUES (?, ?, (SELECT last FROM document_sequences WHERE kind = 'credit_note'), ? || printf('%06d', (SELECT last FROM document_sequences WHERE kind = 'credit_note')), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .text(&cn.id)
        .text(&cn.account_id)
        .text(&cn.number)
        .text(cn.reason.as_str())
        .opt_text(cn.invoice_id.as_deref())
        .text(cn.currency.code())
        .int(cn.total)
        .int(cn.to_card)
        .int(cn.to_balance)
        .text(crate::store::json::lines_json(&cn.lines))
        .text(crate::store::json::party_json(&cn.seller))
        .text(crate::store::json::party_json(&cn.buyer))
        .int(cn.created_at.timestamp())
        .on_unique(OnUnique::Conflict),
    ]
}

pub(super) async fn credit_notes(
    pool: &SqlitePool,
    account_id: &str,
    limit: i64,
    starting_after: Option<&str>,
) -> Result<Vec<CreditNoteRecord>, StoreError> {
    let before: i64 = match starting_after {
        Some(id) => {
            sqlx::query_scalar("SELECT seq FROM credit_notes WHERE id = ? AND account_id = ?")
                .bind(id)
                .bind(account_id)
                .fetch_optional(pool)
                .await?
                .unwrap_or(0)
        }
        None => i64::MAX,
    };
    sqlx::query(
        "SELECT * FROM credit_notes WHERE account_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
    )
    .bind(account_id)
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await?
    .iter()
    .map(credit_note_from)
    .collect()
}

pub(super) async fn credit_note(
    pool: &SqlitePool,
    id: &str,
) -> Result<Option<CreditNoteRecord>, StoreError> {
    sqlx::query("SELECT * FROM credit_notes WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(credit_note_from)
        .transpose()
}
