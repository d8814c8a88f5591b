//! The per-account numbers of invoices, audit lines and ledger entries,
//! taken from the account's counters row under its row lock, so concurrent
//! transactions never share a number and a rolled-back one leaves no gap.

use super::Tx;
use crate::store::StoreError;

/// A `WITH n AS (…)` that takes the next number of this kind (`invoice`,
/// `audit` or `ledger`) of the account `$2`, its counters row then held by
/// the transaction until it ends, for an `INSERT … SELECT …, n.seq, … FROM
/// n` in the same statement.
macro_rules! next_number {
    ($kind:ident) => {
        concat!(
            "WITH n AS (INSERT INTO account_counters (account_id, ",
            stringify!($kind),
            "_seq) VALUES ($2, 1) ON CONFLICT (account_id) DO UPDATE SET ",
            stringify!($kind),
            "_seq = account_counters.",
            stringify!($kind),
            "_seq + 1 RETURNING ",
            stringify!($kind),
            "_seq AS seq) "
        )
    };
}
pub(super) use next_number;

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

/// Starts the account's audit numbering at zero (after its data was
/// deleted, as the embedded store's does); its invoices are kept, so their
/// numbering goes on.
pub(super) async fn reset(tx: &mut Tx<'_>, account_id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE account_counters SET audit_seq = 0 WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
