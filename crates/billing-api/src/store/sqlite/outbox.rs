//! The mail outbox: e-mails queued in the transaction of the change they
//! report, read for the mailbox and the sender, marked after delivery.

use super::rows::{email_from, opt_time};
use super::stmt::Stmt;
use crate::store::{OutboxEmail, StoreError};
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::SqlitePool;

pub(super) fn insert_email_stmt(e: &OutboxEmail) -> Stmt {
    use crate::store::write::INVOICE_NUMBER_PENDING as PENDING;
    Stmt::new(
        // An invoice numbered earlier in the same transaction is named by
        // its number (see `mail::templates::invoice_number`).
        "INSERT INTO outbox (id, account_id, kind, to_email, to_name, subject, body, invoice_id, created_at, sent_at, cc) \
         VALUES (?1, ?2, ?3, ?4, ?5, \
           replace(?6, ?7, COALESCE((SELECT number FROM invoices WHERE id = ?10), 'your invoice')), \
           replace(?8, ?9, COALESCE((SELECT number FROM invoices WHERE id = ?10), 'your invoice')), ?10, ?11, ?12, ?13)",
    )
    .text(&e.id)
    .text(&e.account_id)
    .text(&e.kind)
    .text(&e.to_email)
    .text(&e.to_name)
    .text(&e.subject)
    .text(PENDING)
    .text(&e.body)
    .text(PENDING)
    .opt_text(e.invoice_id.as_deref())
    .int(e.created_at.timestamp())
    .opt_int(opt_time(e.sent_at))
    .text(crate::store::json::strings_json(&e.cc))
}

pub(super) async fn emails(
    pool: &SqlitePool,
    account_id: &str,
) -> Result<Vec<OutboxEmail>, StoreError> {
    sqlx::query("SELECT * FROM outbox WHERE account_id = ? ORDER BY created_at DESC, rowid DESC")
        .bind(account_id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(email_from)
        .collect()
}

/// Unsent e-mails with fewer than ten attempts, oldest first.
pub(super) async fn unsent_emails(
    pool: &SqlitePool,
    limit: i64,
) -> Result<Vec<OutboxEmail>, StoreError> {
    sqlx::query("SELECT * FROM outbox WHERE sent_at IS NULL AND attempts < 10 ORDER BY created_at, rowid LIMIT ?")
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
    pool: &SqlitePool,
    limit: i64,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<OutboxEmail>, StoreError> {
    let mut claimed = sqlx::query(
        "UPDATE outbox SET claimed_until = ? WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND attempts < 10 AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY created_at, rowid LIMIT ?) RETURNING *, rowid AS q",
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
    pool: &SqlitePool,
    id: &str,
    sent_at: Option<DateTime<Utc>>,
    error: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE outbox SET sent_at = ?, last_error = ?, attempts = attempts + 1, claimed_until = NULL WHERE id = ?",
    )
    .bind(opt_time(sent_at))
    .bind(error)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}
