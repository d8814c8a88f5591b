//! The webhook outbox: events written in the batch of the change they
//! report (with the subscription as the batch left it), claimed by one
//! sender at a time, oldest first per account, and marked after each attempt.

use super::stmt::Stmt;
use crate::clock::from_unix;
use crate::store::events::{attempt_columns, details_from, snapshot, SnapshotColumns};
use crate::store::{EventAttempt, EventRecord, NewEvent, StoreError};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

pub(super) fn insert_event_stmt(e: &NewEvent) -> Stmt {
    Stmt::new(
        "INSERT INTO webhook_events (id, account_id, event_type, created_at, details, status, plan, billing_interval, seats, add_ons, current_period_start, current_period_end, cancel_at) \
         SELECT ?, ?, ?, ?, ?, s.status, s.plan, s.billing_interval, s.seats, s.add_ons, s.current_period_start, s.current_period_end, s.cancel_at \
         FROM (SELECT 1) LEFT JOIN subscriptions s ON s.account_id = ?",
    )
    .text(&e.id)
    .text(&e.account_id)
    .text(e.event_type.as_str())
    .int(e.created_at.timestamp())
    .text(e.details.to_string())
    .text(&e.account_id)
}

pub(super) async fn events(
    pool: &SqlitePool,
    account_id: &str,
) -> Result<Vec<EventRecord>, StoreError> {
    sqlx::query("SELECT * FROM webhook_events WHERE account_id = ? ORDER BY seq")
        .bind(account_id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(event_from)
        .collect()
}

/// One statement, so two senders never claim the same event; an account
/// with an older event still to go has none claimed.
pub(super) async fn claim_events(
    pool: &SqlitePool,
    limit: i64,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<EventRecord>, StoreError> {
    let mut claimed = sqlx::query(
        "UPDATE webhook_events SET claimed_until = ? WHERE seq IN (\
           SELECT e.seq FROM webhook_events e \
           WHERE e.delivered_at IS NULL AND e.gave_up_at IS NULL AND e.next_attempt_at <= ? \
             AND (e.claimed_until IS NULL OR e.claimed_until <= ?) \
             AND NOT EXISTS (SELECT 1 FROM webhook_events f WHERE f.account_id = e.account_id \
                             AND f.seq < e.seq AND f.delivered_at IS NULL AND f.gave_up_at IS NULL) \
           ORDER BY e.seq LIMIT ?) RETURNING *",
    )
    .bind(until.timestamp())
    .bind(now.timestamp())
    .bind(now.timestamp())
    .bind(limit)
    .fetch_all(pool)
    .await?
    .iter()
    .map(event_from)
    .collect::<Result<Vec<_>, StoreError>>()?;
    // RETURNING keeps no order.
    claimed.sort_by_key(|e| e.seq);
    Ok(claimed)
}

pub(super) async fn mark_event(
    pool: &SqlitePool,
    id: &str,
    attempt: &EventAttempt,
) -> Result<(), StoreError> {
    let (delivered, gave_up, next, error, at) = attempt_columns(attempt);
    sqlx::query(
        "UPDATE webhook_events SET delivered_at = ?, gave_up_at = ?, \
         next_attempt_at = COALESCE(?, next_attempt_at), last_error = ?, \
         first_attempt_at = COALESCE(first_attempt_at, ?), attempts = attempts + 1, \
         claimed_until = NULL WHERE id = ?",
    )
    .bind(delivered)
    .bind(gave_up)
    .bind(next)
    .bind(error)
    .bind(at)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Deletes events delivered or given up before `before`; how many.
pub(super) async fn forget_events(
    pool: &SqlitePool,
    before: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM webhook_events WHERE delivered_at < ?1 OR gave_up_at < ?1")
        .bind(before.timestamp())
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

fn event_from(row: &SqliteRow) -> Result<EventRecord, StoreError> {
    let details: String = row.try_get("details")?;
    Ok(EventRecord {
        seq: row.try_get("seq")?,
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        event_type: row.try_get("event_type")?,
        created_at: from_unix(row.try_get("created_at")?),
        details: details_from(&details)?,
        snapshot: snapshot(SnapshotColumns {
            status: row.try_get("status")?,
            plan: row.try_get("plan")?,
            interval: row.try_get("billing_interval")?,
            seats: row.try_get("seats")?,
            add_ons: row.try_get("add_ons")?,
            period_start: row.try_get("current_period_start")?,
            period_end: row.try_get("current_period_end")?,
            cancel_at: row.try_get("cancel_at")?,
        })?,
        attempts: row.try_get("attempts")?,
        first_attempt_at: row
            .try_get::<Option<i64>, _>("first_attempt_at")?
            .map(from_unix),
        delivered_at: row
            .try_get::<Option<i64>, _>("delivered_at")?
            .map(from_unix),
        gave_up_at: row.try_get::<Option<i64>, _>("gave_up_at")?.map(from_unix),
        last_error: row.try_get("last_error")?,
    })
}
