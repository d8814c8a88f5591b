//! The cancel wizard's sessions and their save-rate counts, and the product
//! usage a refund weighs.

use super::rows::{cancel_session_from, opt_time, optional};
use super::Tx;
use crate::store::{CancelSessionRecord, SaveRate, StoreError};
use chrono::{DateTime, Utc};
use sqlx::{Row, SqlitePool};

/// Starts or updates a session (upsert by id).
pub(super) async fn upsert_cancel_session(
    tx: &mut Tx<'_>,
    c: &CancelSessionRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO cancel_sessions (id, account_id, user_id, started_at, reason, reason_text, offers_shown, outcome, offer_id, ended_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET reason = excluded.reason, reason_text = excluded.reason_text, \
         offers_shown = excluded.offers_shown, outcome = excluded.outcome, offer_id = excluded.offer_id, ended_at = excluded.ended_at",
    )
    .bind(&c.id)
    .bind(&c.account_id)
    .bind(&c.user_id)
    .bind(c.started_at.timestamp())
    .bind(&c.reason)
    .bind(&c.reason_text)
    .bind(c.offers_shown.join(","))
    .bind(&c.outcome)
    .bind(&c.offer_id)
    .bind(opt_time(c.ended_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn cancel_session(
    pool: &SqlitePool,
    id: &str,
) -> Result<Option<CancelSessionRecord>, StoreError> {
    optional(
        pool,
        "SELECT * FROM cancel_sessions WHERE id = ?",
        id,
        cancel_session_from,
    )
    .await
}

pub(super) async fn save_rate(
    pool: &SqlitePool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<SaveRate, StoreError> {
    let (f, t) = (from.timestamp(), to.timestamp());
    let starts: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM cancel_sessions WHERE started_at >= ? AND started_at < ?",
    )
    .bind(f)
    .bind(t)
    .fetch_one(pool)
    .await?;
    let grouped = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            let rows = sqlx::query(sql).bind(f).bind(t).fetch_all(&pool).await?;
            rows.iter()
                .map(|r| Ok((r.try_get::<String, _>("k")?, r.try_get::<i64, _>("n")?)))
                .collect::<Result<Vec<(String, i64)>, StoreError>>()
        }
    };
    let saves_by_offer = grouped(
        "SELECT offer_id AS k, COUNT(*) AS n FROM cancel_sessions WHERE started_at >= ? AND started_at < ? AND outcome IN ('saved', 'paused', 'meeting_requested') AND offer_id IS NOT NULL GROUP BY offer_id ORDER BY offer_id",
    )
    .await?;
    let cancellations_by_reason = grouped(
        "SELECT COALESCE(reason, 'none') AS k, COUNT(*) AS n FROM cancel_sessions WHERE started_at >= ? AND started_at < ? AND outcome = 'canceled' GROUP BY reason ORDER BY k",
    )
    .await?;
    let outcome_count = |outcome: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM cancel_sessions WHERE started_at >= ? AND started_at < ? AND outcome = ?")
                .bind(f)
                .bind(t)
                .bind(outcome)
                .fetch_one(&pool)
                .await
        }
    };
    Ok(SaveRate {
        starts,
        saves_by_offer,
        cancellations_by_reason,
        pauses: outcome_count("paused").await?,
        meetings: outcome_count("meeting_requested").await?,
    })
}

pub(super) async fn insert_usage(
    tx: &mut Tx<'_>,
    id: &str,
    account_id: &str,
    kind: &str,
    quantity: i64,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO usage_events (id, account_id, kind, quantity, at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(account_id)
    .bind(kind)
    .bind(quantity)
    .bind(at.timestamp())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn usage_since(
    pool: &SqlitePool,
    account_id: &str,
    since: DateTime<Utc>,
) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = sqlx::query("SELECT kind, SUM(quantity) AS total FROM usage_events WHERE account_id = ? AND at >= ? GROUP BY kind")
        .bind(account_id)
        .bind(since.timestamp())
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("kind")?, r.try_get("total")?)))
        .collect()
}
