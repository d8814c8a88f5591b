//! The cancel wizard's sessions and their save-rate counts, and the product
//! usage a refund weighs.

use super::rows::{cancel_session_from, opt_time, optional};
use super::Tx;
use crate::store::{CancelSessionRecord, SaveRate, StoreError};
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};

/// Starts or updates a session (upsert by id).
pub(super) async fn upsert_cancel_session(
    tx: &mut Tx<'_>,
    c: &CancelSessionRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO cancel_sessions (id, account_id, user_id, started_at, reason, reason_text, offers_shown, outcome, offer_id, ended_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO UPDATE SET reason = excluded.reason, reason_text = excluded.reason_text, \
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
    pool: &PgPool,
    id: &str,
) -> Result<Option<CancelSessionRecord>, StoreError> {
    optional(
        pool,
        "SELECT * FROM cancel_sessions WHERE id = $1",
        id,
        cancel_session_from,
    )
    .await
}

/// The counts, read in one repeatable-read transaction so they agree.
pub(super) async fn save_rate(
    pool: &PgPool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<SaveRate, StoreError> {
    let (f, t) = (from.timestamp(), to.timestamp());
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let starts: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM cancel_sessions WHERE started_at >= $1 AND started_at < $2",
    )
    .bind(f)
    .bind(t)
    .fetch_one(&mut *tx)
    .await?;
    let mut grouped = Vec::new();
    for sql in [
        "SELECT offer_id AS k, COUNT(*) AS n FROM cancel_sessions WHERE started_at >= $1 AND started_at < $2 \
         AND outcome IN ('saved', 'paused', 'meeting_requested') AND offer_id IS NOT NULL \
         GROUP BY offer_id ORDER BY offer_id COLLATE \"C\"",
        "SELECT COALESCE(reason, 'none') AS k, COUNT(*) AS n FROM cancel_sessions WHERE started_at >= $1 AND started_at < $2 \
         AND outcome = 'canceled' GROUP BY reason ORDER BY COALESCE(reason, 'none') COLLATE \"C\"",
    ] {
        let rows = sqlx::query(sql).bind(f).bind(t).fetch_all(&mut *tx).await?;
        grouped.push(
            rows.iter()
                .map(|r| Ok((r.try_get::<String, _>("k")?, r.try_get::<i64, _>("n")?)))
                .collect::<Result<Vec<(String, i64)>, StoreError>>()?,
        );
    }
    let mut outcomes = Vec::new();
    for outcome in ["paused", "meeting_requested"] {
        outcomes.push(
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM cancel_sessions WHERE started_at >= $1 AND started_at < $2 AND outcome = $3",
            )
            .bind(f)
            .bind(t)
            .bind(outcome)
            .fetch_one(&mut *tx)
            .await?,
        );
    }
    tx.commit().await?;
    let cancellations_by_reason = grouped.pop().unwrap_or_default();
    let saves_by_offer = grouped.pop().unwrap_or_default();
    Ok(SaveRate {
        starts,
        saves_by_offer,
        cancellations_by_reason,
        pauses: outcomes[0],
        meetings: outcomes[1],
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
        "INSERT INTO usage_events (id, account_id, kind, quantity, at) VALUES ($1, $2, $3, $4, $5)",
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

/// Totals by kind (SUM of BIGINT is NUMERIC in PostgreSQL: cast back).
pub(super) async fn usage_since(
    pool: &PgPool,
    account_id: &str,
    since: DateTime<Utc>,
) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT kind, SUM(quantity)::BIGINT AS total FROM usage_events WHERE account_id = $1 AND at >= $2 GROUP BY kind",
    )
    .bind(account_id)
    .bind(since.timestamp())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("kind")?, r.try_get("total")?)))
        .collect()
}
