//! What the renewal benchmark needs of the database besides the portal's
//! own work: the tally of what renewals left behind, and a scratch table
//! that measures how fast single rows commit.

use super::Tx;
use crate::store::tally;
use crate::store::{RenewalTally, StoreError};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

pub(super) async fn renewal_tally(
    pool: &PgPool,
    since: DateTime<Utc>,
) -> Result<RenewalTally, StoreError> {
    let row = sqlx::query(&tally::tally_sql())
        .bind(since.timestamp())
        .fetch_one(pool)
        .await?;
    tally::tally_from(&row)
}

/// Creates the scratch table empty, or (`create` false) drops it.
pub(super) async fn scratch_table(pool: &PgPool, create: bool) -> Result<(), StoreError> {
    sqlx::query("DROP TABLE IF EXISTS bench_scratch")
        .execute(pool)
        .await?;
    if create {
        sqlx::query(
            "CREATE TABLE bench_scratch (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, body TEXT NOT NULL, at BIGINT NOT NULL)",
        )
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// One row into the scratch table, inside a batch's transaction.
pub(super) async fn scratch_insert(
    tx: &mut Tx<'_>,
    id: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO bench_scratch (id, account_id, body, at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind("acct_scratch")
        .bind("A row about as long as an audit line's details: {\"total\": 12000}")
        .bind(at.timestamp())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
