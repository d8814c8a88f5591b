//! Invoices and their lines: inserted with the next vendor-wide number, the
//! payment state and charges in flight updated, read with their lines.

use super::rows::{
    corrupt, credit_note_from, invoice_from, line_from, line_kind_str, map_unique, opt_time,
};
use super::Tx;
use crate::store::{CreditNoteRecord, InvoiceRecord, StoreError};
use billing_domain::invoice::InvoiceStatus;
use billing_domain::Currency;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};

/// Inserts an invoice with the next vendor-wide `seq`, then its lines.
pub(super) async fn insert_invoice(tx: &mut Tx<'_>, inv: &InvoiceRecord) -> Result<(), StoreError> {
    // The one vendor-wide counter row, bumped in this transaction: its row
    // lock holds every other numbering transaction until this one ends, so
    // numbers neither repeat nor (a rollback gives its bump back) leave gaps.
    sqlx::query(
        "WITH n AS (UPDATE document_sequences SET last = last + 1 WHERE kind = 'invoice' RETURNING last AS seq) \
         INSERT INTO invoices (id, account_id, seq, number, seller, buyer, status, reason, currency, total, credit_applied, credit_created, period_start, period_end, created_at, paid_at, attempt_count, last_error, charge_id, pending_key, pending_token, settlement, request_key) \
         SELECT $1, $2, n.seq, $20 || CASE WHEN length(n.seq::text) >= 6 THEN n.seq::text ELSE lpad(n.seq::text, 6, '0') END, $21, $22, \
         $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19 FROM n",
    )
    .bind(&inv.id)
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
    .bind(&inv.number)
    .bind(inv.seller.as_ref().map(crate::store::json::party_json))
    .bind(inv.buyer.as_ref().map(crate::store::json::party_json))
    .execute(&mut **tx)
    .await
    .map_err(map_unique)?;
    for (position, line) in inv.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO invoice_lines (invoice_id, position, kind, description, quantity, unit_amount, amount, period_start, period_end) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
        "UPDATE invoices SET status = $1, paid_at = $2, attempt_count = $3, last_error = $4, charge_id = $5, \
         pending_key = NULL, pending_token = NULL WHERE id = $6 AND status = 'open'",
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
        "UPDATE invoices SET attempt_count = $1, pending_key = $2, pending_token = $3 WHERE id = $4 AND status = 'open' AND pending_key IS NULL",
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

/// A page newest first, after the invoice `starting_after` (an unknown
/// invoice gives an empty page, as in the embedded store).
pub(super) async fn invoices(
    pool: &PgPool,
    account_id: &str,
    limit: i64,
    starting_after: Option<&str>,
) -> Result<Vec<InvoiceRecord>, StoreError> {
    let mut tx = pool.begin().await?;
    let rows = sqlx::query(
        // A purchase whose card was declined was never a bill: not listed.
        "SELECT * FROM invoices WHERE account_id = $1 \
         AND seq < CASE WHEN $2::TEXT IS NULL THEN 9223372036854775807 \
           ELSE COALESCE((SELECT seq FROM invoices WHERE id = $2 AND account_id = $1), 0) END \
         AND NOT (status = 'void' AND settlement IS NOT NULL AND charge_id IS NULL) ORDER BY seq DESC LIMIT $3",
    )
    .bind(account_id)
    .bind(starting_after)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    let out = with_lines(&mut tx, &rows).await?;
    tx.commit().await?;
    Ok(out)
}

pub(super) async fn invoice(pool: &PgPool, id: &str) -> Result<Option<InvoiceRecord>, StoreError> {
    one(pool, "SELECT * FROM invoices WHERE id = $1", id).await
}

pub(super) async fn open_invoices(
    pool: &PgPool,
    account_id: &str,
) -> Result<Vec<InvoiceRecord>, StoreError> {
    let mut tx = pool.begin().await?;
    let rows = sqlx::query(
        "SELECT * FROM invoices WHERE account_id = $1 AND status = 'open' ORDER BY seq",
    )
    .bind(account_id)
    .fetch_all(&mut *tx)
    .await?;
    let out = with_lines(&mut tx, &rows).await?;
    tx.commit().await?;
    Ok(out)
}

pub(super) async fn invoice_by_request_key(
    pool: &PgPool,
    request_key: &str,
) -> Result<Option<InvoiceRecord>, StoreError> {
    one(
        pool,
        "SELECT * FROM invoices WHERE request_key = $1",
        request_key,
    )
    .await
}

/// The invoice `sql` selects by one key, with its lines; `None` when absent.
async fn one(pool: &PgPool, sql: &str, key: &str) -> Result<Option<InvoiceRecord>, StoreError> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query(sql).bind(key).fetch_optional(&mut *tx).await?;
    let out = match row {
        Some(row) => with_lines(&mut tx, std::slice::from_ref(&row)).await?.pop(),
        None => None,
    };
    tx.commit().await?;
    Ok(out)
}

/// Invoice rows with their lines attached, the lines of all read at once.
pub(super) async fn with_lines(
    conn: &mut PgConnection,
    rows: &[PgRow],
) -> Result<Vec<InvoiceRecord>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids = rows
        .iter()
        .map(|r| r.try_get::<String, _>("id"))
        .collect::<Result<Vec<_>, _>>()?;
    let line_rows = sqlx::query(
        "SELECT * FROM invoice_lines WHERE invoice_id = ANY($1) ORDER BY invoice_id, position",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (row, id) in rows.iter().zip(&ids) {
        let currency: String = row.try_get("currency")?;
        let currency = Currency::parse(&currency).map_err(|_| corrupt("currency", &currency))?;
        let lines = line_rows
            .iter()
            .filter(|l| l.try_get::<String, _>("invoice_id").ok().as_deref() == Some(id.as_str()))
            .map(|l| line_from(l, currency))
            .collect::<Result<Vec<_>, _>>()?;
        out.push(invoice_from(row, lines)?);
    }
    Ok(out)
}

/// Inserts a credit note with the next vendor-wide credit note number.
pub(super) async fn insert_credit_note(
    tx: &mut Tx<'_>,
    cn: &CreditNoteRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "WITH n AS (UPDATE document_sequences SET last = last + 1 WHERE kind = 'credit_note' RETURNING last AS seq) \
         INSERT INTO credit_notes (id, account_id, seq, number, reason, invoice_id, currency, total, to_card, to_balance, lines, seller, buyer, created_at) \
         SELECT $1, $2, n.seq, $3 || CASE WHEN length(n.seq::text) >= 6 THEN n.seq::text ELSE lpad(n.seq::text, 6, '0') END, \
         $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 FROM n",
    )
    .bind(&cn.id)
    .bind(&cn.account_id)
    .bind(&cn.number)
    .bind(cn.reason.as_str())
    .bind(&cn.invoice_id)
    .bind(cn.currency.code())
    .bind(cn.total)
    .bind(cn.to_card)
    .bind(cn.to_balance)
    .bind(crate::store::json::lines_json(&cn.lines))
    .bind(crate::store::json::party_json(&cn.seller))
    .bind(crate::store::json::party_json(&cn.buyer))
    .bind(cn.created_at.timestamp())
    .execute(&mut **tx)
    .await
    .map_err(map_unique)?;
    Ok(())
}

pub(super) async fn credit_notes(
    pool: &PgPool,
    account_id: &str,
    limit: i64,
    starting_after: Option<&str>,
) -> Result<Vec<CreditNoteRecord>, StoreError> {
    let before: i64 = match starting_after {
        Some(id) => {
            sqlx::query_scalar("SELECT seq FROM credit_notes WHERE id = $1 AND account_id = $2")
                .bind(id)
                .bind(account_id)
                .fetch_optional(pool)
                .await?
                .unwrap_or(0)
        }
        None => i64::MAX,
    };
    sqlx::query(
        "SELECT * FROM credit_notes WHERE account_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
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
    pool: &PgPool,
    id: &str,
) -> Result<Option<CreditNoteRecord>, StoreError> {
    sqlx::query("SELECT * FROM credit_notes WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(credit_note_from)
        .transpose()
}
