//! Invoices and their lines: inserted with the next vendor-wide number, the
//! payment state and charges in flight updated, read with their lines.

use super::multirow::insert_rows;
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

/// Inserts invoices with the next numbers of the vendor-wide sequence, in
/// their order, and their lines. The sequence's one row, bumped once for
/// all of them, is held by the transaction until it ends, so numbers
/// neither repeat nor (a rollback gives the bump back) leave gaps.
pub(super) async fn insert_invoices(
    tx: &mut Tx<'_>,
    invoices: &[&InvoiceRecord],
) -> Result<(), StoreError> {
    if invoices.is_empty() {
        return Ok(());
    }
    let count = invoices.len() as i64;
    let last: i64 = sqlx::query_scalar(
        "UPDATE document_sequences SET last = last + $1 WHERE kind = 'invoice' RETURNING last",
    )
    .bind(count)
    .fetch_one(&mut **tx)
    .await?;
    let numbered: Vec<(i64, &InvoiceRecord)> = invoices
        .iter()
        .enumerate()
        .map(|(i, inv)| (last - count + 1 + i as i64, *inv))
        .collect();
    insert_numbered(tx, &numbered).await
}

/// Begins the charge attempts `(invoice, key, token, attempt count)` on
/// open invoices with none in flight, in one statement; `AlreadyDone` if
/// any of them is not such an invoice (none is begun then: the
/// transaction fails).
pub(super) async fn begin_attempts(
    tx: &mut Tx<'_>,
    attempts: &[(&str, &str, &str, i64)],
) -> Result<(), StoreError> {
    let ids: Vec<&str> = attempts.iter().map(|a| a.0).collect();
    let keys: Vec<&str> = attempts.iter().map(|a| a.1).collect();
    let tokens: Vec<&str> = attempts.iter().map(|a| a.2).collect();
    let counts: Vec<i64> = attempts.iter().map(|a| a.3).collect();
    let done = sqlx::query(
        "UPDATE invoices SET attempt_count = a.n, pending_key = a.k, pending_token = a.t \
         FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS a(id, k, t, n) \
         WHERE invoices.id = a.id AND invoices.status = 'open' AND invoices.pending_key IS NULL",
    )
    .bind(&ids)
    .bind(&keys)
    .bind(&tokens)
    .bind(&counts)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != attempts.len() as u64 {
        return Err(StoreError::AlreadyDone(format!(
            "charge of {} begun",
            ids.join(", ")
        )));
    }
    Ok(())
}

/// Inserts invoices, each with the `seq` given beside it and the number it
/// makes after the invoice's prefix, and their lines: two statements for
/// up to a few thousand invoices.
async fn insert_numbered(
    tx: &mut Tx<'_>,
    invoices: &[(i64, &InvoiceRecord)],
) -> Result<(), StoreError> {
    insert_rows(
        tx,
        "INSERT INTO invoices (id, account_id, seq, number, seller, buyer, status, reason, currency, total, credit_applied, credit_created, period_start, period_end, created_at, paid_at, attempt_count, last_error, charge_id, pending_key, pending_token, settlement, request_key) ",
        23,
        invoices,
        |b, (seq, inv)| {
            b.push_bind(inv.id.as_str())
                .push_bind(inv.account_id.as_str())
                .push_bind(*seq)
                .push_bind(billing_domain::seller::document_number(&inv.number, *seq))
                .push_bind(inv.seller.as_ref().map(crate::store::json::party_json))
                .push_bind(inv.buyer.as_ref().map(crate::store::json::party_json))
                .push_bind(inv.status.as_str())
                .push_bind(inv.reason.as_str())
                .push_bind(inv.currency.code())
                .push_bind(inv.total)
                .push_bind(inv.credit_applied)
                .push_bind(inv.credit_created)
                .push_bind(opt_time(inv.period_start))
                .push_bind(opt_time(inv.period_end))
                .push_bind(inv.created_at.timestamp())
                .push_bind(opt_time(inv.paid_at))
                .push_bind(inv.attempt_count)
                .push_bind(inv.last_error.as_deref())
                .push_bind(inv.charge_id.as_deref())
                .push_bind(inv.pending_key.as_deref())
                .push_bind(inv.pending_token.as_deref())
                .push_bind(inv.settlement.as_deref())
                .push_bind(inv.request_key.as_deref());
        },
    )
    .await?;
    let lines: Vec<_> = invoices
        .iter()
        .flat_map(|(_, inv)| inv.lines.iter().enumerate().map(move |l| (&inv.id, l)))
        .collect();
    insert_rows(
        tx,
        "INSERT INTO invoice_lines (invoice_id, position, kind, description, quantity, unit_amount, amount, period_start, period_end) ",
        9,
        &lines,
        |b, (invoice_id, (position, line))| {
            b.push_bind(invoice_id.as_str())
                .push_bind(*position as i64)
                .push_bind(line_kind_str(line.kind))
                .push_bind(line.description.as_str())
                .push_bind(i64::from(line.quantity))
                .push_bind(line.unit_amount.amount())
                .push_bind(line.amount.amount())
                .push_bind(opt_time(line.period_start))
                .push_bind(opt_time(line.period_end));
        },
    )
    .await?;
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
