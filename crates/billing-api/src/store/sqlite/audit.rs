//! The audit log: lines appended with the next per-account number, read
//! newest first.

use super::rows::audit_from;
use super::stmt::Stmt;
use super::Tx;
use crate::store::{AuditEntry, StoreError};
use sqlx::SqlitePool;

/// Appends a line with the account's next `seq`.
pub(super) async fn insert_audit(tx: &mut Tx<'_>, entry: &AuditEntry) -> Result<(), StoreError> {
    insert_audit_stmt(entry).run(tx).await
}

pub(super) fn insert_audit_stmt(entry: &AuditEntry) -> Stmt {
    Stmt::new(
        "INSERT INTO audit_log (id, account_id, actor_user_id, action, details, at, seq) \
         VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log WHERE account_id = ?))",
    )
    .text(&entry.id)
    .text(&entry.account_id)
    .opt_text(entry.actor_user_id.as_deref())
    .text(&entry.action)
    .text(entry.details.to_string())
    .int(entry.at.timestamp())
    .text(&entry.account_id)
}

pub(super) async fn audit_log(
    pool: &SqlitePool,
    account_id: &str,
    limit: i64,
) -> Result<Vec<AuditEntry>, StoreError> {
    sqlx::query("SELECT * FROM audit_log WHERE account_id = ? ORDER BY seq DESC LIMIT ?")
        .bind(account_id)
        .bind(limit)
        .fetch_all(pool)
        .await?
        .iter()
        .map(audit_from)
        .collect()
}

pub(super) async fn audit_page(
    pool: &SqlitePool,
    account_id: &str,
    limit: i64,
    starting_after: Option<&str>,
) -> Result<Vec<AuditEntry>, StoreError> {
    let before: i64 = match starting_after {
        Some(id) => sqlx::query_scalar("SELECT seq FROM audit_log WHERE id = ? AND account_id = ?")
            .bind(id)
            .bind(account_id)
            .fetch_optional(pool)
            .await?
            .unwrap_or(0),
        None => i64::MAX,
    };
    sqlx::query(
        "SELECT * FROM audit_log WHERE account_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
    )
    .bind(account_id)
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await?
    .iter()
    .map(audit_from)
    .collect()
}
