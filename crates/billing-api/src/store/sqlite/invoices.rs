//! Invoices and their lines: inserted with the next per-account number, the
//! payment state and charges in flight updated, read with their lines.

use super::rows::{corrupt, invoice_from, line_from, line_kind_str, map_unique, opt_time};
use super::Tx;
use crate::store::{InvoiceRecord, StoreError};
use billing_domain::invoice::InvoiceStatus;
use billing_domain::Currency;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

/// Inserts an invoice with the account's next `seq`, then its lines.
pub(super) async fn insert_invoice(tx: &mut Tx<'_>, inv: &InvoiceRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO invoices (id, account_id, seq, status, reason, currency, total, credit_applied, credit_created, period_start, period_end, created_at, paid_at, attempt_count, last_error, charge_id, pending_key, pending_token, settlement, request_key) \
         VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM invoices WHERE account_id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&inv.id)
    .bind(&inv.account_id)
    .bind(&inv.account_id)
    .bind(inv.status.as_str())
    .bind(&inv.reason)
    .bind(inv.currency.code())
    .bind(inv.total)
    .bind(inv.credit_applied)
    .bind(inv.credit_created)
    .bind(opt_time(inv.period_start))
    .bind(opt_time(inv.period_end))
    .bind(inv.created_at.timestamp())
    .bind(opt_time(inv.paid_at))
    .bind(inv.attempt_count)
    .bind(&inv.last_error)
    .bind(&inv.charge_id)
    .bind(&inv.pending_key)
    .bind(&inv.pending_token)
    .bind(&inv.settlement)
    .bind(&inv.request_key)
    .execute(&mut **tx)
    .await
    .map_err(map_unique)?;
    for (position, line) in inv.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO invoice_lines (invoice_id, position, kind, description, quantity, unit_amount, amount, period_start, period_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&inv.id)
        .bind(position as i64)
        .bind(line_kind_str(line.kind))
        .bind(&line.description)
        .bind(i64::from(line.quantity))
        .bind(line.unit_amount.amount())
        .bind(line.amount.amount())
        .bind(opt_time(line.period_start))
        .bind(opt_time(line.period_end))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Updates an open invoice's payment state and clears any charge in flight;
/// `AlreadyDone` if the invoice is no longer open.
pub(super) async fn update_invoice(
    tx: &mut Tx<'_>,
    id: &str,
    status: InvoiceStatus,
    paid_at: Option<DateTime<Utc>>,
    attempt_count: i64,
    last_error: Option<&str>,
    charge_id: Option<&str>,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE invoices SET status = ?, paid_at = ?, attempt_count = ?, last_error = ?, charge_id = ?, \
         pending_key = NULL, pending_token = NULL WHERE id = ? AND status = 'open'",
    )
    .bind(status.as_str())
    .bind(opt_time(paid_at))
    .bind(attempt_count)
    .bind(last_error)
    .bind(charge_id)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::AlreadyDone(format!("invoice {id} settled")));
    }
    Ok(())
}

/// Records a charge about to be made under `key`; `AlreadyDone` if the
/// invoice is no longer open or a charge is already in flight.
pub(super) async fn begin_attempt(
    tx: &mut Tx<'_>,
    id: &str,
    key: &str,
    token: &str,
    attempt_count: i64,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE invoices SET attempt_count = ?, pending_key = ?, pending_token = ? WHERE id = ? AND status = 'open' AND pending_key IS NULL",
    )
    .bind(attempt_count)
    .bind(key)
    .bind(token)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::AlreadyDone(format!("charge of {id} begun")));
    }
    Ok(())
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
