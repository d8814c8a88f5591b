//! The per-account numbers of invoices, audit lines and ledger entries,
//! taken from the account's counters row under its row lock, so concurrent
//! transactions never share a number and a rolled-back one leaves no gap.

use super::Tx;
use crate::store::StoreError;

/// Which per-account number.
#[derive(Debug, Clone, Copy)]
pub(super) enum Counter {
    Invoice,
    Audit,
    Ledger,
}

/// The account's next number of this kind, held by `tx` until it ends.
pub(super) async fn next(
    tx: &mut Tx<'_>,
    account_id: &str,
    counter: Counter,
) -> Result<i64, StoreError> {
    let sql = match counter {
        Counter::Invoice => {
            "INSERT INTO account_counters (account_id, invoice_seq) VALUES ($1, 1) \
             ON CONFLICT (account_id) DO UPDATE SET invoice_seq = account_counters.invoice_seq + 1 \
             RETURNING invoice_seq"
        }
        Counter::Audit => {
            "INSERT INTO account_counters (account_id, audit_seq) VALUES ($1, 1) \
             ON CONFLICT (account_id) DO UPDATE SET audit_seq = account_counters.audit_seq + 1 \
             RETURNING audit_seq"
        }
        Counter::Ledger => {
            "INSERT INTO account_counters (account_id, ledger_seq) VALUES ($1, 1) \
             ON CONFLICT (account_id) DO UPDATE SET ledger_seq = account_counters.ledger_seq + 1 \
             RETURNING ledger_seq"
        }
    };
    Ok(sqlx::query_scalar(sql)
        .bind(account_id)
        .fetch_one(&mut **tx)
        .await?)
}

/// Takes the counters rows of these accounts first, in a fixed order, so two
/// batches that number things never wait on each other's other rows while
/// holding these (no deadlock between them).
pub(super) async fn hold(tx: &mut Tx<'_>, account_ids: &[String]) -> Result<(), StoreError> {
    if account_ids.is_empty() {
        return Ok(());
    }
    let mut ids = account_ids.to_vec();
    ids.sort();
    ids.dedup();
    sqlx::query(
        "SELECT account_id FROM account_counters WHERE account_id = ANY($1) ORDER BY account_id FOR UPDATE",
    )
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await?;
    Ok(())
}

/// Starts the account's counters at zero (after its data was deleted, the
/// numbering starts again, as the embedded store's does).
pub(super) async fn reset(tx: &mut Tx<'_>, account_id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE account_counters SET invoice_seq = 0, audit_seq = 0 WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
