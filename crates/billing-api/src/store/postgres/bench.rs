//! What the renewal benchmark needs of the database besides the portal's
//! own work: the tally of what renewals left behind, and a scratch table
//! that measures how fast single rows commit.

use super::Tx;
use crate::store::{RenewalTally, Spread, StoreError};
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};

/// Per-account counts, each a query grouped by account (`$1` is the moment).
const COUNTS: [(&str, &str); 6] = [
    (
        "paid_invoices",
        "SELECT account_id, COUNT(*) AS n FROM invoices WHERE created_at >= $1 AND reason = 'subscription_cycle' AND status = 'paid' GROUP BY account_id",
    ),
    (
        "invoices",
        "SELECT account_id, COUNT(*) AS n FROM invoices WHERE created_at >= $1 GROUP BY account_id",
    ),
    (
        "gateway_charges",
        "SELECT p.account_id, COUNT(*) AS n FROM gateway_charges g JOIN payment_methods p ON p.gateway_token = g.token WHERE g.created_at >= $1 GROUP BY p.account_id",
    ),
    (
        "ledger_charges",
        "SELECT account_id, COUNT(*) AS n FROM ledger_entries WHERE kind = 'card_charge' AND at >= $1 GROUP BY account_id",
    ),
    (
        "emails",
        "SELECT account_id, COUNT(*) AS n FROM outbox WHERE created_at >= $1 GROUP BY account_id",
    ),
    (
        "renewal_markers",
        "SELECT account_id, COUNT(*) AS n FROM once_markers WHERE marker LIKE 'renew:%' AND at >= $1 GROUP BY account_id",
    ),
];

/// One query: every account with each count, then how many accounts have
/// each count once, never or more than once.
fn tally_sql() -> String {
    let ctes: Vec<String> = COUNTS
        .iter()
        .map(|(name, sql)| format!("c_{name} AS ({sql})"))
        .collect();
    let columns: Vec<String> = COUNTS
        .iter()
        .map(|(name, _)| format!("COALESCE(c_{name}.n, 0) AS {name}"))
        .collect();
    let joins: Vec<String> = COUNTS
        .iter()
        .map(|(name, _)| format!("LEFT JOIN c_{name} ON c_{name}.account_id = a.id"))
        .collect();
    let sums: Vec<String> = COUNTS
        .iter()
        .map(|(name, _)| {
            format!(
                "COALESCE(SUM(CASE WHEN {name} = 1 THEN 1 ELSE 0 END), 0) AS {name}_once, \
                 COALESCE(SUM(CASE WHEN {name} = 0 THEN 1 ELSE 0 END), 0) AS {name}_never, \
                 COALESCE(SUM(CASE WHEN {name} > 1 THEN 1 ELSE 0 END), 0) AS {name}_more"
            )
        })
        .collect();
    format!(
        "WITH {}, per AS (SELECT {} FROM accounts a {}) SELECT COUNT(*) AS accounts, {} FROM per",
        ctes.join(", "),
        columns.join(", "),
        joins.join(" "),
        sums.join(", ")
    )
}

pub(super) async fn renewal_tally(
    pool: &PgPool,
    since: DateTime<Utc>,
) -> Result<RenewalTally, StoreError> {
    let row = sqlx::query(&tally_sql())
        .bind(since.timestamp())
        .fetch_one(pool)
        .await?;
    let spread = |name: &str| -> Result<Spread, StoreError> {
        Ok(Spread {
            once: row.try_get(format!("{name}_once").as_str())?,
            never: row.try_get(format!("{name}_never").as_str())?,
            more: row.try_get(format!("{name}_more").as_str())?,
        })
    };
    Ok(RenewalTally {
        accounts: row.try_get("accounts")?,
        paid_invoices: spread("paid_invoices")?,
        invoices: spread("invoices")?,
        gateway_charges: spread("gateway_charges")?,
        ledger_charges: spread("ledger_charges")?,
        emails: spread("emails")?,
        renewal_markers: spread("renewal_markers")?,
    })
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
