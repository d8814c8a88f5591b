//! Doing things once: requests' idempotency keys (claimed, finished,
//! abandoned, parked) and the once-only markers of background work.

use super::Tx;
use crate::store::{IdempotencyBegin, StoreError, StoredResponse};
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};

/// Claims a key, first dropping keys older than `expire_before`. A key's
/// `status` is NULL while its request runs, 0 when parked, else the HTTP
/// status of the stored response.
pub(super) async fn idempotency_begin(
    pool: &PgPool,
    scope: &str,
    key: &str,
    request_hash: &str,
    now: DateTime<Utc>,
    expire_before: DateTime<Utc>,
) -> Result<IdempotencyBegin, StoreError> {
    // Expiry is housekeeping on its own: in the claim's transaction two
    // claims deleting the same old keys could wait on each other.
    sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(expire_before.timestamp())
        .execute(pool)
        .await?;
    let mut tx = pool.begin().await?;
    // A concurrent first use of the same key is waited for here, then seen.
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (scope, idem_key, request_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (scope, idem_key) DO NOTHING",
    )
    .bind(scope)
    .bind(key)
    .bind(request_hash)
    .bind(now.timestamp())
    .execute(&mut *tx)
    .await?;
    let begin = if inserted.rows_affected() == 1 {
        IdempotencyBegin::New
    } else {
        existing(&mut tx, scope, key, request_hash).await?
    };
    tx.commit().await?;
    Ok(begin)
}

/// What a key already claimed says about this request.
async fn existing(
    tx: &mut Tx<'_>,
    scope: &str,
    key: &str,
    request_hash: &str,
) -> Result<IdempotencyBegin, StoreError> {
    let row = sqlx::query("SELECT * FROM idempotency_keys WHERE scope = $1 AND idem_key = $2")
        .bind(scope)
        .bind(key)
        .fetch_one(&mut **tx)
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
                "UPDATE idempotency_keys SET status = NULL WHERE scope = $1 AND idem_key = $2 AND status = 0",
            )
            .bind(scope)
            .bind(key)
            .execute(&mut **tx)
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
    pool: &PgPool,
    scope: &str,
    key: &str,
    r: &StoredResponse,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE idempotency_keys SET status = $1, content_type = $2, etag = $3, body = $4 WHERE scope = $5 AND idem_key = $6")
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
    pool: &PgPool,
    scope: &str,
    key: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE scope = $1 AND idem_key = $2 AND status IS NULL",
    )
    .bind(scope)
    .bind(key)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn idempotency_park(
    pool: &PgPool,
    scope: &str,
    key: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = 0 WHERE scope = $1 AND idem_key = $2 AND status IS NULL",
    )
    .bind(scope)
    .bind(key)
    .execute(pool)
    .await?;
    Ok(())
}

/// Claims a once-only marker; `AlreadyDone` if it was claimed before (or is
/// being claimed by a transaction that then commits).
pub(super) async fn claim_once(
    tx: &mut Tx<'_>,
    marker: &str,
    account_id: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let res = sqlx::query("INSERT INTO once_markers (marker, account_id, at) VALUES ($1, $2, $3)")
        .bind(marker)
        .bind(account_id)
        .bind(at.timestamp())
        .execute(&mut **tx)
        .await;
    match res {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            Err(StoreError::AlreadyDone(marker.to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn marker_exists(pool: &PgPool, marker: &str) -> Result<bool, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM once_markers WHERE marker = $1)")
            .bind(marker)
            .fetch_one(pool)
            .await?,
    )
}
