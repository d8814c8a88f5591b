//! The mail outbox: e-mails queued in the transaction of the change they
//! report, read for the mailbox and the sender, marked after delivery.
//! E-mails queued in the same second keep their order by `queued`, the
//! identity column that stands for SQLite's rowid.

use super::rows::{email_from, opt_time};
use super::Tx;
use crate::store::{OutboxEmail, StoreError};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

pub(super) async fn insert_email(tx: &mut Tx<'_>, e: &OutboxEmail) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbox (id, account_id, kind, to_email, to_name, subject, body, invoice_id, created_at, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
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

pub(super) async fn mark_email(
    pool: &PgPool,
    id: &str,
    sent_at: Option<DateTime<Utc>>,
    error: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE outbox SET sent_at = $1, last_error = $2, attempts = attempts + 1 WHERE id = $3",
    )
    .bind(opt_time(sent_at))
    .bind(error)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}
