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

/// Queues e-mails, in their order, in one statement. One about an invoice
/// (numbered earlier in the same transaction or before) names it by its
/// number where its text holds the placeholder (see
/// `mail::templates::invoice_number`).
pub(super) async fn insert_emails(
    tx: &mut Tx<'_>,
    emails: &[&OutboxEmail],
) -> Result<(), StoreError> {
    if emails.is_empty() {
        return Ok(());
    }
    let column =
        |f: fn(&OutboxEmail) -> &str| -> Vec<&str> { emails.iter().map(|e| f(e)).collect() };
    let invoice_ids: Vec<Option<&str>> = emails.iter().map(|e| e.invoice_id.as_deref()).collect();
    let created: Vec<i64> = emails.iter().map(|e| e.created_at.timestamp()).collect();
    let sent: Vec<Option<i64>> = emails.iter().map(|e| opt_time(e.sent_at)).collect();
    let cc: Vec<String> = emails
        .iter()
        .map(|e| crate::store::json::strings_json(&e.cc))
        .collect();
    sqlx::query(
        // `queued` follows the order of the rows, as their ordinality gives it.
        "INSERT INTO outbox (id, account_id, kind, to_email, to_name, subject, body, invoice_id, created_at, sent_at, cc) \
         SELECT e.id, e.account_id, e.kind, e.to_email, e.to_name, replace(e.subject, $12, n.number), replace(e.body, $12, n.number), e.invoice_id, e.created_at, e.sent_at, e.cc \
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::text[]) \
           WITH ORDINALITY AS e(id, account_id, kind, to_email, to_name, subject, body, invoice_id, created_at, sent_at, cc, ord) \
         CROSS JOIN LATERAL (SELECT COALESCE((SELECT number FROM invoices WHERE id = e.invoice_id), 'your invoice') AS number) n \
         ORDER BY e.ord",
    )
    .bind(column(|e| &e.id))
    .bind(column(|e| &e.account_id))
    .bind(column(|e| &e.kind))
    .bind(column(|e| &e.to_email))
    .bind(column(|e| &e.to_name))
    .bind(column(|e| &e.subject))
    .bind(column(|e| &e.body))
    .bind(&invoice_ids)
    .bind(&created)
    .bind(&sent)
    .bind(&cc)
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
