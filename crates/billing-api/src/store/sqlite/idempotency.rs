//! Doing things once: requests' idempotency keys (claimed, finished,
//! abandoned, parked) and the once-only markers of background work.

use super::stmt::{OnUnique, Stmt};
use crate::store::{IdempotencyBegin, StoreError, StoredResponse};
use chrono::{DateTime, Utc};
use sqlx::{Row, SqlitePool};

/// Claims a key, first dropping keys older than `expire_before`. A key's
/// `status` is NULL while its request runs, 0 when parked, else the HTTP
/// status of the stored response.
pub(super) async fn idempotency_begin(
    pool: &SqlitePool,
    scope: &str,
    key: &str,
    request_hash: &str,
    now: DateTime<Utc>,
    expire_before: DateTime<Utc>,
) -> Result<IdempotencyBegin, StoreError> {
    sqlx::query("DELETE FROM idempotency_keys WHERE created_at < ?")
        .bind(expire_before.timestamp())
        .execute(pool)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (scope, idem_key, request_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (scope, idem_key) DO NOTHING",
    )
    .bind(scope)
    .bind(key)
    .bind(request_hash)
    .bind(now.timestamp())
    .execute(pool)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(IdempotencyBegin::New);
    }
    let row = sqlx::query("SELECT * FROM idempotency_keys WHERE scope = ? AND idem_key = ?")
        .bind(scope)
        .bind(key)
        .fetch_one(pool)
        .await?;
    let stored_hash: String = row.try_get("request_hash")?;
    if stored_hash != request_hash {
        return Ok(IdempotencyBegin::Mismatch);
    }
    match row.try_get::<Option<i64>, _>("status")? {
        None => Ok(IdempotencyBegin::InProgress),
        Some(0) => {
            // Parked after a charge: the same request may run again (once at a time).
            let claimed = sqlx::query(
                "UPDATE idempotency_keys SET status = NULL WHERE scope = ? AND idem_key = ? AND status = 0",
            )
            .bind(scope)
            .bind(key)
            .execute(pool)
            .await?;
            Ok(if claimed.rows_affected() == 1 {
                IdempotencyBegin::New
            } else {
                IdempotencyBegin::InProgress
            })
        }
        Some(status) => Ok(IdempotencyBegin::Replay(StoredResponse {
            status: status as u16,
            content_type: row.try_get("content_type")?,
            etag: row.try_get("etag")?,
            body: row
                .try_get::<Option<String>, _>("body")?
                .unwrap_or_default(),
        })),
    }
}

pub(super) async fn idempotency_finish(
    pool: &SqlitePool,
    scope: &str,
    key: &str,
    r: &StoredResponse,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE idempotency_keys SET status = ?, content_type = ?, etag = ?, body = ? WHERE scope = ? AND idem_key = ?")
        .bind(i64::from(r.status))
        .bind(&r.content_type)
        .bind(&r.etag)
        .bind(&r.body)
        .bind(scope)
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn idempotency_abandon(
    pool: &SqlitePool,
    scope: &str,
    key: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM idempotency_keys WHERE scope = ? AND idem_key = ? AND status IS NULL")
        .bind(scope)
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn idempotency_park(
    pool: &SqlitePool,
    scope: &str,
    key: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = 0 WHERE scope = ? AND idem_key = ? AND status IS NULL",
    )
    .bind(scope)
    .bind(key)
    .execute(pool)
    .await?;
    Ok(())
}

/// Claims a once-only marker; `AlreadyDone` if it was claimed before.
pub(super) fn claim_once_stmt(marker: &str, account_id: &str, at: DateTime<Utc>) -> Stmt {
    Stmt::new("INSERT INTO once_markers (marker, account_id, at) VALUES (?, ?, ?)")
        .text(marker)
        .text(account_id)
        .int(at.timestamp())
        .on_unique(OnUnique::AlreadyDone(marker.to_string()))
}

pub(super) async fn marker_exists(pool: &SqlitePool, marker: &str) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM once_markers WHERE marker = ?")
        .bind(marker)
        .fetch_one(pool)
        .await?;
    Ok(n > 0)
}
