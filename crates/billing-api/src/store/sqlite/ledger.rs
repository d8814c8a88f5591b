//! The ledger and withdrawals: entries appended with the next per-account
//! number, the no-negative-balance check, and withdrawal requests.

use super::rows::{corrupt, ledger_from, optional, withdrawal_from};
use super::stmt::{OnUnique, Stmt};
use super::Tx;
use crate::store::{LedgerRecord, StoreError, WithdrawalRecord};
use billing_domain::ledger::LedgerKind;
use billing_domain::{Currency, Money};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

/// Appends an entry with the account's next `seq`.
pub(super) async fn insert_ledger(tx: &mut Tx<'_>, e: &LedgerRecord) -> Result<(), StoreError> {
    insert_ledger_stmt(e).run(tx).await
}

pub(super) fn insert_ledger_stmt(e: &LedgerRecord) -> Stmt {
    Stmt::new(
        "INSERT INTO ledger_entries (id, account_id, seq, kind, amount, currency, invoice_id, charge_id, refund_of, withdrawal_id, memo, at) \
         VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ledger_entries WHERE account_id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .text(&e.id)
    .text(&e.account_id)
    .text(&e.account_id)
    .text(e.kind.as_str())
    .int(e.amount.amount())
    .text(e.amount.currency().code())
    .opt_text(e.invoice_id.as_deref())
    .opt_text(e.charge_id.as_deref())
    .opt_text(e.refund_of.as_deref())
    .opt_text(e.withdrawal_id.as_deref())
    .text(&e.memo)
    .int(e.at.timestamp())
    .on_unique(OnUnique::Conflict)
}

/// The query whose rows [`check_rows`] checks (the account's id bound).
pub(super) const BALANCE_ROWS: &str =
    "SELECT kind, amount, currency FROM ledger_entries WHERE account_id = ? ORDER BY seq";

/// The ledger's invariant, checked where the money moves: no balance of the
/// account is ever negative, or `Ledger` (and the whole batch is refused).
pub(super) async fn check_balances(tx: &mut Tx<'_>, account_id: &str) -> Result<(), StoreError> {
    let rows = sqlx::query(BALANCE_ROWS)
        .bind(account_id)
        .fetch_all(&mut **tx)
        .await?;
    check_rows(account_id, &rows)
}

/// [`check_balances`] on the rows of [`BALANCE_ROWS`].
pub(super) fn check_rows(account_id: &str, rows: &[SqliteRow]) -> Result<(), StoreError> {
    let mut entries = Vec::with_capacity(rows.len());
    for r in rows {
        entries.push((
            r.try_get("kind")?,
            r.try_get("amount")?,
            r.try_get("currency")?,
        ));
    }
    check_entries(account_id, entries)
}

/// [`check_balances`] on the rows of [`BALANCE_ROWS`] read as (kind,
/// amount, currency).
pub(super) fn check_entries(
    account_id: &str,
    rows: Vec<(String, i64, String)>,
) -> Result<(), StoreError> {
    let mut entries = Vec::with_capacity(rows.len());
    let mut currency = None;
    for (kind, amount, code) in rows {
        let cur = Currency::parse(&code).map_err(|_| corrupt("currency", &code))?;
        currency.get_or_insert(cur);
        entries.push((
            LedgerKind::parse(&kind).ok_or_else(|| corrupt("ledger kind", &kind))?,
            Money::new(amount, cur),
        ));
    }
    if let Some(currency) = currency {
        billing_domain::ledger::balances(currency, entries.iter().map(|(k, m)| (*k, m)))
            .map_err(|e| StoreError::Ledger(format!("{account_id}: {e}")))?;
    }
    Ok(())
}

pub(super) async fn ledger(
    pool: &SqlitePool,
    account_id: &str,
) -> Result<Vec<LedgerRecord>, StoreError> {
    sqlx::query("SELECT * FROM ledger_entries WHERE account_id = ? ORDER BY seq")
        .bind(account_id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(ledger_from)
        .collect()
}

pub(super) async fn insert_withdrawal(
    tx: &mut Tx<'_>,
    w: &WithdrawalRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO withdrawals (id, account_id, amount, currency, status, note, requested_by, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&w.id)
    .bind(&w.account_id)
    .bind(w.amount.amount())
    .bind(w.amount.currency().code())
    .bind(&w.status)
    .bind(&w.note)
    .bind(&w.requested_by)
    .bind(w.requested_at.timestamp())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Decides a requested withdrawal; `AlreadyDone` if it was decided before.
pub(super) async fn decide_withdrawal(
    tx: &mut Tx<'_>,
    id: &str,
    status: &str,
    decided_at: DateTime<Utc>,
    decided_by: &str,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE withdrawals SET status = ?, decided_at = ?, decided_by = ? WHERE id = ? AND status = 'requested'",
    )
    .bind(status)
    .bind(decided_at.timestamp())
    .bind(decided_by)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::AlreadyDone(format!("withdrawal {id} decided")));
    }
    Ok(())
}

pub(super) async fn withdrawals(
    pool: &SqlitePool,
    account_id: &str,
) -> Result<Vec<WithdrawalRecord>, StoreError> {
    sqlx::query(
        "SELECT * FROM withdrawals WHERE account_id = ? ORDER BY requested_at DESC, id DESC",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(withdrawal_from)
    .collect()
}

pub(super) async fn withdrawal(
    pool: &SqlitePool,
    id: &str,
) -> Result<Option<WithdrawalRecord>, StoreError> {
    optional(
        pool,
        "SELECT * FROM withdrawals WHERE id = ?",
        id,
        withdrawal_from,
    )
    .await
}

/// Withdrawal requests with this status across every account, oldest first.
pub(super) async fn withdrawals_with_status(
    pool: &SqlitePool,
    status: &str,
    limit: i64,
) -> Result<Vec<WithdrawalRecord>, StoreError> {
    sqlx::query("SELECT * FROM withdrawals WHERE status = ? ORDER BY requested_at, id LIMIT ?")
        .bind(status)
        .bind(limit)
        .fetch_all(pool)
        .await?
        .iter()
        .map(withdrawal_from)
        .collect()
}
