//! Members' requests for billing access: filed, listed, decided.

use super::rows::{access_request_from, map_unique, optional};
use super::Tx;
use crate::store::{AccessRequestRecord, StoreError};
use billing_domain::BillingAccess;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

pub(super) async fn access_requests(
    pool: &PgPool,
    account_id: &str,
    status: &str,
) -> Result<Vec<AccessRequestRecord>, StoreError> {
    sqlx::query(
        "SELECT * FROM access_requests WHERE account_id = $1 AND status = $2 ORDER BY created_at, id COLLATE \"C\"",
    )
    .bind(account_id)
    .bind(status)
    .fetch_all(pool)
    .await?
    .iter()
    .map(access_request_from)
    .collect()
}

pub(super) async fn access_request(
    pool: &PgPool,
    id: &str,
) -> Result<Option<AccessRequestRecord>, StoreError> {
    optional(
        pool,
        "SELECT * FROM access_requests WHERE id = $1",
        id,
        access_request_from,
    )
    .await
}

pub(super) async fn open_access_request(
    pool: &PgPool,
    user_id: &str,
) -> Result<Option<AccessRequestRecord>, StoreError> {
    optional(
        pool,
        "SELECT * FROM access_requests WHERE user_id = $1 AND status = 'open'",
        user_id,
        access_request_from,
    )
    .await
}

/// Files a request; a second open one for the user is a `Conflict`.
pub(super) async fn insert_access_request(
    tx: &mut Tx<'_>,
    r: &AccessRequestRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO access_requests (id, account_id, user_id, note, status, granted, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&r.id)
    .bind(&r.account_id)
    .bind(&r.user_id)
    .bind(&r.note)
    .bind(&r.status)
    .bind(r.granted.map(|g| g.as_str()))
    .bind(r.created_at.timestamp())
    .execute(&mut **tx)
    .await
    .map_err(map_unique)?;
    Ok(())
}

/// Decides an open request; `AlreadyDone` if it is no longer open.
pub(super) async fn decide_access_request(
    tx: &mut Tx<'_>,
    id: &str,
    status: &str,
    granted: Option<BillingAccess>,
    decided_at: DateTime<Utc>,
    decided_by: &str,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE access_requests SET status = $1, granted = $2, decided_at = $3, decided_by = $4 WHERE id = $5 AND status = 'open'",
    )
    .bind(status)
    .bind(granted.map(|g| g.as_str()))
    .bind(decided_at.timestamp())
    .bind(decided_by)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::AlreadyDone(format!("access request {id}")));
    }
    Ok(())
}
