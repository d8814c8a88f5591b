//! Protecting sign-in and sessions: the throttle counters, swapped only at
//! the version read (so attempts on several instances at once are each
//! counted); sessions' idle and absolute ends; password changes.

use super::rows::session_from;
use super::Tx;
use crate::clock::from_unix;
use crate::store::{SessionRecord, StoreError, ThrottleRecord};
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

pub(super) async fn touch_session(
    pool: &PgPool,
    token_hash: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $3",
    )
    .bind(at.timestamp())
    .bind(token_hash)
    .bind(at.timestamp())
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn user_sessions(
    pool: &PgPool,
    user_id: &str,
) -> Result<Vec<SessionRecord>, StoreError> {
    sqlx::query("SELECT * FROM sessions WHERE user_id = $1 ORDER BY created_at, token_hash")
        .bind(user_id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(session_from)
        .collect()
}

pub(super) async fn forget_sessions(
    pool: &PgPool,
    now: DateTime<Utc>,
    idle_before: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(now.timestamp())
            .bind(idle_before.timestamp())
            .execute(pool)
            .await?
            .rows_affected(),
    )
}

pub(super) async fn set_password(
    tx: &mut Tx<'_>,
    user_id: &str,
    password_hash: &str,
) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Corrupt(format!(
            "no user {user_id} to set a password for"
        )));
    }
    Ok(())
}

pub(super) async fn end_sessions(
    tx: &mut Tx<'_>,
    user_id: &str,
    except: Option<&str>,
) -> Result<(), StoreError> {
    match except {
        Some(keep) => {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(user_id)
                .bind(keep)
                .execute(&mut **tx)
                .await?
        }
        None => {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut **tx)
                .await?
        }
    };
    Ok(())
}
