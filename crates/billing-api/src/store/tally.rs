//! The renewal benchmark's tally, the same on both engines: one query
//! counting, per account, what renewals left behind since a moment (`$1`,
//! unix seconds), and its answer read back.

use crate::store::{RenewalTally, Spread, StoreError};
use sqlx::{ColumnIndex, Decode, Row, Type};

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
pub(super) fn tally_sql() -> String {
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

/// The tally from the answer to [`tally_sql`].
pub(super) fn tally_from<R>(row: &R) -> Result<RenewalTally, StoreError>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
{
    let count = |name: &str| -> Result<i64, StoreError> { Ok(row.try_get::<i64, _>(name)?) };
    let spread = |name: &str| -> Result<Spread, StoreError> {
        Ok(Spread {
            once: count(&format!("{name}_once"))?,
            never: count(&format!("{name}_never"))?,
            more: count(&format!("{name}_more"))?,
        })
    };
    Ok(RenewalTally {
        accounts: count("accounts")?,
        paid_invoices: spread("paid_invoices")?,
        invoices: spread("invoices")?,
        gateway_charges: spread("gateway_charges")?,
        ledger_charges: spread("ledger_charges")?,
        emails: spread("emails")?,
        renewal_markers: spread("renewal_markers")?,
    })
}
