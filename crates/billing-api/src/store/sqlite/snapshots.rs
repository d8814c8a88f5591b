//! What the scheduler reads of many accounts at once: one query per table
//! for all of them, in one read transaction.

use super::rows::{
    account_from, corrupt, invoice_from, line_from, payment_method_from, subscription_from,
    user_from,
};
use super::subscriptions::WITH_BALANCES;
use crate::store::{AccountSnapshot, StoreError};
use billing_domain::Currency;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};
use std::collections::HashMap;

/// Ids per query, well under the limit of bound values.
const PER_QUERY: usize = 1_000;

/// The rows `head` (ending in `IN (`) and `tail` select for these keys.
async fn rows_in(
    conn: &mut SqliteConnection,
    head: &str,
    keys: &[&str],
    tail: &str,
) -> Result<Vec<SqliteRow>, StoreError> {
    let mut rows = Vec::new();
    for chunk in keys.chunks(PER_QUERY) {
        let mut query = QueryBuilder::<Sqlite>::new(head);
        let mut list = query.separated(", ");
        for key in chunk {
            list.push_bind(*key);
        }
        query.push(tail);
        rows.extend(
            query
                .build()
                .persistent(false)
                .fetch_all(&mut *conn)
                .await?,
        );
    }
    Ok(rows)
}

pub(super) async fn snapshots(
    pool: &SqlitePool,
    account_ids: &[String],
) -> Result<Vec<AccountSnapshot>, StoreError> {
    let ids: Vec<&str> = account_ids.iter().map(String::as_str).collect();
    let mut tx = pool.begin().await?;
    let accounts = rows_in(&mut tx, "SELECT * FROM accounts WHERE id IN (", &ids, ")").await?;
    let subscriptions = rows_in(
        &mut tx,
        &format!("{WITH_BALANCES}WHERE s.account_id IN ("),
        &ids,
        ")",
    )
    .await?;
    let cards = rows_in(
        &mut tx,
        "SELECT * FROM payment_methods WHERE account_id IN (",
        &ids,
        ") AND is_default = 1",
    )
    .await?;
    let users = rows_in(
        &mut tx,
        "SELECT * FROM users WHERE account_id IN (",
        &ids,
        ") ORDER BY account_id, CASE role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, name, id",
    )
    .await?;
    let invoices = rows_in(
        &mut tx,
        "SELECT * FROM invoices WHERE status = 'open' AND account_id IN (",
        &ids,
        ") ORDER BY account_id, seq",
    )
    .await?;
    let invoice_ids: Vec<String> = invoices
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    let invoice_ids: Vec<&str> = invoice_ids.iter().map(String::as_str).collect();
    let lines = rows_in(
        &mut tx,
        "SELECT * FROM invoice_lines WHERE invoice_id IN (",
        &invoice_ids,
        ") ORDER BY invoice_id, position",
    )
    .await?;
    tx.commit().await?;

    let mut out: HashMap<String, AccountSnapshot> = HashMap::new();
    for row in &accounts {
        let account = account_from(row)?;
        out.insert(
            account.id.clone(),
            AccountSnapshot {
                account,
                subscription: None,
                card: None,
                users: Vec::new(),
                open_invoices: Vec::new(),
            },
        );
    }
    let owner = |row: &SqliteRow| -> Result<String, StoreError> { Ok(row.try_get("account_id")?) };
    for row in &subscriptions {
        if let Some(s) = out.get_mut(&owner(row)?) {
            s.subscription = Some(subscription_from(row)?);
        }
    }
    for row in &cards {
        if let Some(s) = out.get_mut(&owner(row)?) {
            s.card = Some(payment_method_from(row)?);
        }
    }
    for row in &users {
        if let Some(s) = out.get_mut(&owner(row)?) {
            s.users.push(user_from(row)?);
        }
    }
    let mut lines_of: HashMap<String, Vec<&SqliteRow>> = HashMap::new();
    for row in &lines {
        lines_of
            .entry(row.try_get("invoice_id")?)
            .or_default()
            .push(row);
    }
    for row in &invoices {
        let id: String = row.try_get("id")?;
        let code: String = row.try_get("currency")?;
        let currency = Currency::parse(&code).map_err(|_| corrupt("currency", &code))?;
        let lines = lines_of
            .get(&id)
            .map(|rows| rows.iter().map(|r| line_from(r, currency)).collect())
            .unwrap_or_else(|| Ok(Vec::new()))?;
        if let Some(s) = out.get_mut(&owner(row)?) {
            s.open_invoices.push(invoice_from(row, lines)?);
        }
    }
    Ok(out.into_values().collect())
}
