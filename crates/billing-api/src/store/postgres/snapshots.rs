//! What the scheduler reads of many accounts at once: one query per table
//! for all of them, in one transaction.

use super::invoices::with_lines;
use super::rows::{account_from, payment_method_from, subscription_from, user_from};
use super::subscriptions::WITH_BALANCES;
use crate::store::{AccountSnapshot, StoreError};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use std::collections::HashMap;

pub(super) async fn snapshots(
    pool: &PgPool,
    account_ids: &[String],
) -> Result<Vec<AccountSnapshot>, StoreError> {
    let subscriptions_sql = format!("{WITH_BALANCES}WHERE s.account_id = ANY($1)");
    let queries = [
        "SELECT * FROM accounts WHERE id = ANY($1)",
        subscriptions_sql.as_str(),
        "SELECT * FROM payment_methods WHERE account_id = ANY($1) AND is_default",
        "SELECT * FROM users WHERE account_id = ANY($1) ORDER BY account_id, CASE role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, name COLLATE \"C\", id COLLATE \"C\"",
        "SELECT * FROM invoices WHERE account_id = ANY($1) AND status = 'open' ORDER BY account_id, seq",
    ];
    let mut tx = pool.begin().await?;
    let mut results: Vec<Vec<PgRow>> = Vec::with_capacity(queries.len());
    for sql in queries {
        results.push(
            sqlx::query(sql)
                .bind(account_ids)
                .fetch_all(&mut *tx)
                .await?,
        );
    }
    let [accounts, subscriptions, cards, users, invoice_rows]: [Vec<PgRow>; 5] = results
        .try_into()
        .map_err(|_| StoreError::Corrupt("snapshot queries".into()))?;
    let invoices = with_lines(&mut tx, &invoice_rows).await?;
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
    let owner = |row: &PgRow| -> Result<String, StoreError> { Ok(row.try_get("account_id")?) };
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
    for invoice in invoices {
        if let Some(s) = out.get_mut(&invoice.account_id) {
            s.open_invoices.push(invoice);
        }
    }
    Ok(out.into_values().collect())
}
