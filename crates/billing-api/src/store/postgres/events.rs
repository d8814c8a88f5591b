//! The webhook outbox: events written in the batch of the change they
//! report (with the subscription as the batch left it), claimed by one
//! sender at a time, oldest first per account, and marked after each attempt.

use super::Tx;
use crate::clock::from_unix;
use crate::store::events::{attempt_columns, details_from, snapshot, SnapshotColumns};
use crate::store::{EventAttempt, EventRecord, NewEvent, StoreError};
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

pub(super) async fn insert_event(tx: &mut Tx<'_>, e: &NewEvent) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO webhook_events (id, account_id, event_type, created_at, details, status, plan, billing_interval, seats, add_ons, current_period_start, current_period_end, cancel_at) \
         SELECT $1, $2, $3, $4, $5, s.status, s.plan, s.billing_interval, s.seats, s.add_ons, s.current_period_start, s.current_period_end, s.cancel_at \
         FROM (SELECT 1) AS one LEFT JOIN subscriptions s ON s.account_id = $2",
    )
    .bind(&e.id)
    .bind(&e.account_id)
    .bind(e.event_type.as_str())
    .bind(e.created_at.timestamp())
    .bind(e.details.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn events(
    pool: &PgPool,
    account_id: &str,
) -> Result<Vec<EventRecord>, StoreError> {
    sqlx::query("SELECT * FROM webhook_events WHERE account_id = $1 ORDER BY seq")
        .bind(account_id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(event_from)
        .collect()
}

/// One statement, skipping rows another sender is claiming, so two
/// senders never claim the same event; an account
/// with an older event still to go has none claimed.
pub(super) async fn claim_events(
    pool: &PgPool,
    limit: i64,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<EventRecord>, StoreError> {
    let mut claimed = sqlx::query(
        "UPDATE webhook_events SET claimed_until = $1 WHERE seq IN (\
           SELECT e.seq FROM webhook_events e \
           WHERE e.delivered_at IS NULL AND e.gave_up_at IS NULL AND e.next_attempt_at <= $2 \
             AND (e.claimed_until IS NULL OR e.claimed_until <= $2) \
             AND NOT EXISTS (SELECT 1 FROM webhook_events f WHERE f.account_id = e.account_id \
                             AND f.seq < e.seq AND f.delivered_at IS NULL AND f.gave_up_at IS NULL) \
           ORDER BY e.seq LIMIT $3 FOR UPDATE OF e SKIP LOCKED) RETURNING *",
    )
    .bind(until.timestamp())
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
    pool: &PgPool,
    id: &str,
    attempt: &EventAttempt,
) -> Result<(), StoreError> {
    let (delivered, gave_up, next, error, at) = attempt_columns(attempt);
    sqlx::query(
        "UPDATE webhook_events SET delivered_at = $1, gave_up_at = $2, \
         next_attempt_at = COALESCE($3, next_attempt_at), last_error = $4, \
         first_attempt_at = COALESCE(first_attempt_at, $5), attempts = attempts + 1, \
         claimed_until = NULL WHERE id = $6",
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
pub(super) async fn forget_events(pool: &PgPool, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM webhook_events WHERE delivered_at < $1 OR gave_up_at < $1")
        .bind(before.timestamp())
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

fn event_from(row: &PgRow) -> Result<EventRecord, StoreError> {
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
