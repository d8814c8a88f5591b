//! The mail outbox: e-mails queued in the transaction of the change they
//! report, read for the mailbox and the sender, marked after delivery.
//! E-mails queued in the same second keep their order by `queued`, the
//! identity column that stands for SQLite's rowid.

use super::rows::{email_from, opt_time};
use super::Tx;
use crate::store::{OutboxEmail, StoreError};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use sqlx::Row;

pub(super) async fn insert_email(tx: &mut Tx<'_>, e: &OutboxEmail) -> Result<(), StoreError> {
    sqlx::query(
        // An invoice numbered earlier in the same transaction is named by
        // its number (see `mail::templates::invoice_number`).
        "INSERT INTO outbox (id, account_id, kind, to_email, to_name, subject, body, invoice_id, created_at, sent_at, cc) \
         SELECT $1, $2, $3, $4, $5, replace($6, $12, n.number), replace($7, $12, n.number), $8, $9, $10, $11 \
         FROM (SELECT COALESCE((SELECT number FROM invoices WHERE id = $8), 'your invoice') AS number) n",
    )
    .bind(&e.id)
    .bind(&e.account_id)
    .bind(&e.kind)
    .bind(&e.to_email)
    .bind(&e.to_name)
    .bind(&e.subject)
    .bind(&e.body)
    .bind(&e.invoice_id)
    .bind(e.created_at.timestamp())
    .bind(opt_time(e.sent_at))
    .bind(crate::store::json::strings_json(&e.cc))
    .bind(crate::store::write::INVOICE_NUMBER_PENDING)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn emails(
    pool: &PgPool,
    account_id: &str,
) -> Result<Vec<OutboxEmail>, StoreError> {
    sqlx::query("SELECT * FROM outbox WHERE account_id = $1 ORDER BY created_at DESC, queued DESC")
        .bind(account_id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(email_from)
        .collect()
}

/// Unsent e-mails with fewer than ten attempts, oldest first.
pub(super) async fn unsent_emails(
    pool: &PgPool,
    limit: i64,
) -> Result<Vec<OutboxEmail>, StoreError> {
    sqlx::query("SELECT * FROM outbox WHERE sent_at IS NULL AND attempts < 10 ORDER BY created_at, queued LIMIT $1")
        .bind(limit)
        .fetch_all(pool)
        .await?
        .iter()
        .map(email_from)
        .collect()
}

/// Claims up to `limit` unsent e-mails nobody holds a live claim on, until
/// `until`, and returns them oldest first. One statement, so two senders
/// never claim the same e-mail.
pub(super) async fn claim_emails(
    pool: &PgPool,
    limit: i64,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<OutboxEmail>, StoreError> {
    let mut claimed = sqlx::query(
        "UPDATE outbox SET claimed_until = $1 WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND attempts < 10 AND (claimed_until IS NULL OR claimed_until <= $2) ORDER BY created_at, queued LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING *, queued AS q",
    )
    .bind(until.timestamp())
    .bind(now.timestamp())
    .bind(limit)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| Ok((row.try_get::<i64, _>("q")?, email_from(row)?)))
    .collect::<Result<Vec<_>, StoreError>>()?;
    // RETURNING keeps no order: oldest first, in queueing order.
    claimed.sort_by_key(|(q, e)| (e.created_at, *q));
    Ok(claimed.into_iter().map(|(_, e)| e).collect())
}

pub(super) async fn mark_email(
    pool: &PgPool,
    id: &str,
    sent_at: Option<DateTime<Utc>>,
    error: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE outbox SET sent_at = $1, last_error = $2, attempts = attempts + 1, claimed_until = NULL WHERE id = $3",
    )
    .bind(opt_time(sent_at))
    .bind(error)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}
