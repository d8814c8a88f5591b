//! Protecting sign-in: the throttle counters, swapped only at the version
//! read, so attempts on several instances at once are each counted.

use crate::clock::from_unix;
use crate::store::{StoreError, ThrottleRecord};
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

fn throttle_from(row: &PgRow) -> Result<ThrottleRecord, StoreError> {
    Ok(ThrottleRecord {
        key: row.try_get("throttle_key")?,
        attempts: row.try_get("attempts")?,
        blocked_until: from_unix(row.try_get("blocked_until")?),
        updated_at: from_unix(row.try_get("updated_at")?),
        succeeded_at: row
            .try_get::<Option<i64>, _>("succeeded_at")?
            .map(from_unix),
        version: row.try_get("version")?,
    })
}

pub(super) async fn throttle(
    pool: &PgPool,
    key: &str,
) -> Result<Option<ThrottleRecord>, StoreError> {
    sqlx::query("SELECT * FROM sign_in_throttles WHERE throttle_key = $1")
        .bind(key)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(throttle_from)
        .transpose()
}

pub(super) async fn swap_throttle(
    pool: &PgPool,
    old: Option<&ThrottleRecord>,
    new: &ThrottleRecord,
) -> Result<bool, StoreError> {
    let done = match old {
        None => sqlx::query(
            "INSERT INTO sign_in_throttles (throttle_key, attempts, blocked_until, updated_at, succeeded_at, version) VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT (throttle_key) DO NOTHING",
        )
        .bind(&new.key)
        .bind(new.attempts)
        .bind(new.blocked_until.timestamp())
        .bind(new.updated_at.timestamp())
        .bind(new.succeeded_at.map(|t| t.timestamp()))
        .execute(pool)
        .await?,
        Some(old) => sqlx::query(
            "UPDATE sign_in_throttles SET attempts = $1, blocked_until = $2, updated_at = $3, succeeded_at = $4, version = version + 1 WHERE throttle_key = $5 AND version = $6",
        )
        .bind(new.attempts)
        .bind(new.blocked_until.timestamp())
        .bind(new.updated_at.timestamp())
        .bind(new.succeeded_at.map(|t| t.timestamp()))
        .bind(&old.key)
        .bind(old.version)
        .execute(pool)
        .await?,
    };
    Ok(done.rows_affected() == 1)
}

pub(super) async fn forget_throttles(
    pool: &PgPool,
    before: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("DELETE FROM sign_in_throttles WHERE updated_at < $1")
            .bind(before.timestamp())
            .execute(pool)
            .await?
            .rows_affected(),
    )
}
