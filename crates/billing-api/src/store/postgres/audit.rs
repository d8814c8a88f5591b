//! The audit log: lines appended with the next per-account number, read
//! newest first.

use super::counters::next_number;
use super::rows::audit_from;
use super::Tx;
use crate::store::{AuditEntry, StoreError};
use sqlx::PgPool;

/// Appends a line with the account's next `seq`.
pub(super) async fn insert_audit(tx: &mut Tx<'_>, entry: &AuditEntry) -> Result<(), StoreError> {
    sqlx::query(concat!(
        next_number!(audit),
        "INSERT INTO audit_log (id, account_id, actor_user_id, action, details, at, seq) \
         SELECT $1, $2, $3, $4, $5, $6, n.seq FROM n"
    ))
    .bind(&entry.id)
    .bind(&entry.account_id)
    .bind(&entry.actor_user_id)
    .bind(&entry.action)
    .bind(entry.details.to_string())
    .bind(entry.at.timestamp())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn audit_log(
    pool: &PgPool,
    account_id: &str,
    limit: i64,
) -> Result<Vec<AuditEntry>, StoreError> {
    sqlx::query("SELECT * FROM audit_log WHERE account_id = $1 ORDER BY seq DESC LIMIT $2")
        .bind(account_id)
        .bind(limit)
        .fetch_all(pool)
        .await?
        .iter()
        .map(audit_from)
        .collect()
}

/// A page newest first, after the entry `starting_after` (an unknown entry
/// gives an empty page, as in the embedded store).
pub(super) async fn audit_page(
    pool: &PgPool,
    account_id: &str,
    limit: i64,
    starting_after: Option<&str>,
) -> Result<Vec<AuditEntry>, StoreError> {
    // One statement: the cursor's seq is read in the same snapshot as the page.
    sqlx::query(
        "SELECT * FROM audit_log WHERE account_id = $1 \
         AND seq < CASE WHEN $2::TEXT IS NULL THEN 9223372036854775807 \
           ELSE COALESCE((SELECT seq FROM audit_log WHERE id = $2 AND account_id = $1), 0) END \
         ORDER BY seq DESC LIMIT $3",
    )
    .bind(account_id)
    .bind(starting_after)
    .bind(limit)
    .fetch_all(pool)
    .await?
    .iter()
    .map(audit_from)
    .collect()
}
