//! The ledger and withdrawals: entries appended with the next per-account
//! number, the no-negative-balance check, and withdrawal requests.

use super::counters::next_number;
use super::rows::{corrupt, ledger_from, map_unique, optional, withdrawal_from};
use super::Tx;
use crate::store::{LedgerRecord, StoreError, WithdrawalRecord};
use billing_domain::ledger::LedgerKind;
use billing_domain::{Currency, Money};
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};

/// Appends an entry with the account's next `seq`.
pub(super) async fn insert_ledger(tx: &mut Tx<'_>, e: &LedgerRecord) -> Result<(), StoreError> {
    sqlx::query(concat!(
        next_number!(ledger),
        "INSERT INTO ledger_entries (id, account_id, seq, kind, amount, currency, invoice_id, charge_id, refund_of, withdrawal_id, memo, at) \
         SELECT $1, $2, n.seq, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM n"
    ))
    .bind(&e.id)
    .bind(&e.account_id)
    .bind(e.kind.as_str())
    .bind(e.amount.amount())
    .bind(e.amount.currency().code())
    .bind(&e.invoice_id)
    .bind(&e.charge_id)
    .bind(&e.refund_of)
    .bind(&e.withdrawal_id)
    .bind(&e.memo)
    .bind(e.at.timestamp())
    .execute(&mut **tx)
    .await
    .map_err(map_unique)?;
    Ok(())
}

/// The ledger's invariant, checked where the money moves: no balance of the
/// account is ever negative, or `Ledger` (and the whole batch is refused).
/// The batch holds the account's counters row, so no other batch moves this
/// account's money until it ends.
pub(super) async fn check_balances(tx: &mut Tx<'_>, account_id: &str) -> Result<(), StoreError> {
    let rows = sqlx::query(
        "SELECT kind, amount, currency FROM ledger_entries WHERE account_id = $1 ORDER BY seq",
    )
    .bind(account_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut entries = Vec::with_capacity(rows.len());
    let mut currency = None;
    for r in &rows {
        let kind: String = r.try_get("kind")?;
        let code: String = r.try_get("currency")?;
        let cur = Currency::parse(&code).map_err(|_| corrupt("currency", &code))?;
        currency.get_or_insert(cur);
        entries.push((
            LedgerKind::parse(&kind).ok_or_else(|| corrupt("ledger kind", &kind))?,
            Money::new(r.try_get("amount")?, cur),
        ));
    }
    if let Some(currency) = currency {
        billing_domain::ledger::balances(currency, entries.iter().map(|(k, m)| (*k, m)))
            .map_err(|e| StoreError::Ledger(format!("{account_id}: {e}")))?;
    }
    Ok(())
}

pub(super) async fn ledger(
    pool: &PgPool,
    account_id: &str,
) -> Result<Vec<LedgerRecord>, StoreError> {
    sqlx::query("SELECT * FROM ledger_entries WHERE account_id = $1 ORDER BY seq")
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
        "INSERT INTO withdrawals (id, account_id, amount, currency, status, note, requested_by, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
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
        "UPDATE withdrawals SET status = $1, decided_at = $2, decided_by = $3 WHERE id = $4 AND status = 'requested'",
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
    pool: &PgPool,
    account_id: &str,
) -> Result<Vec<WithdrawalRecord>, StoreError> {
    sqlx::query(
        "SELECT * FROM withdrawals WHERE account_id = $1 ORDER BY requested_at DESC, id COLLATE \"C\" DESC",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(withdrawal_from)
    .collect()
}

pub(super) async fn withdrawal(
    pool: &PgPool,
    id: &str,
) -> Result<Option<WithdrawalRecord>, StoreError> {
    optional(
        pool,
        "SELECT * FROM withdrawals WHERE id = $1",
        id,
        withdrawal_from,
    )
    .await
}

/// Withdrawal requests with this status across every account, oldest first.
pub(super) async fn withdrawals_with_status(
    pool: &PgPool,
    status: &str,
    limit: i64,
) -> Result<Vec<WithdrawalRecord>, StoreError> {
    sqlx::query(
        "SELECT * FROM withdrawals WHERE status = $1 ORDER BY requested_at, id COLLATE \"C\" LIMIT $2",
    )
    .bind(status)
    .bind(limit)
    .fetch_all(pool)
    .await?
    .iter()
    .map(withdrawal_from)
    .collect()
}
