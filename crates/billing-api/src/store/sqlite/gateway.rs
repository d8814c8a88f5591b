//! The simulated payment gateway's tables: its card vault and its charges,
//! made at most once per idempotency key.

use super::rows::{gateway_charge_from, gateway_token_from, optional};
use crate::store::{GatewayChargeRecord, GatewayTokenRecord, StoreError};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};
use std::collections::HashMap;

pub(super) async fn insert_gateway_token(
    pool: &SqlitePool,
    t: &GatewayTokenRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO gateway_tokens (token, brand, last4, exp_month, exp_year, behaviour, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&t.token)
    .bind(&t.brand)
    .bind(&t.last4)
    .bind(i64::from(t.exp_month))
    .bind(i64::from(t.exp_year))
    .bind(&t.behaviour)
    .bind(t.created_at.timestamp())
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn gateway_token(
    pool: &SqlitePool,
    token: &str,
) -> Result<Option<GatewayTokenRecord>, StoreError> {
    optional(
        pool,
        "SELECT * FROM gateway_tokens WHERE token = ?",
        token,
        gateway_token_from,
    )
    .await
}

/// Records a charge, or returns the first charge made under its idempotency
/// key and stores nothing.
pub(super) async fn record_gateway_charge(
    pool: &SqlitePool,
    c: &GatewayChargeRecord,
) -> Result<GatewayChargeRecord, StoreError> {
    let res = sqlx::query(
        "INSERT INTO gateway_charges (id, token, amount, currency, idempotency_key, outcome, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(&c.id)
    .bind(&c.token)
    .bind(c.amount)
    .bind(&c.currency)
    .bind(&c.idempotency_key)
    .bind(&c.outcome)
    .bind(c.created_at.timestamp())
    .execute(pool)
    .await?;
    if res.rows_affected() == 1 {
        return Ok(c.clone());
    }
    let r = sqlx::query("SELECT * FROM gateway_charges WHERE idempotency_key = ?")
        .bind(&c.idempotency_key)
        .fetch_one(pool)
        .await?;
    gateway_charge_from(&r)
}

/// Charges on the account's cards or in its ledger (a card no longer on
/// file made them), and refunds of those charges (a refund's
/// `token` is the charge it refunds).
pub(super) async fn gateway_charges_of_account(
    pool: &SqlitePool,
    account_id: &str,
) -> Result<Vec<GatewayChargeRecord>, StoreError> {
    sqlx::query(
        "WITH mine AS (SELECT id FROM gateway_charges WHERE token IN (SELECT gateway_token FROM payment_methods WHERE account_id = ?1) \
           UNION SELECT charge_id FROM ledger_entries WHERE account_id = ?1 AND charge_id IS NOT NULL) \
         SELECT * FROM gateway_charges WHERE id IN (SELECT id FROM mine) \
         UNION SELECT * FROM gateway_charges WHERE token IN (SELECT id FROM mine) \
         ORDER BY created_at, id",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(gateway_charge_from)
    .collect()
}

/// Keys, ids or tokens per `IN (...)` list, under the limit of bound values.
const PER_LIST: usize = 4_000;

pub(super) async fn gateway_tokens(
    pool: &SqlitePool,
    tokens: &[String],
) -> Result<Vec<GatewayTokenRecord>, StoreError> {
    let mut out = Vec::with_capacity(tokens.len());
    for chunk in tokens.chunks(PER_LIST) {
        let mut query =
            QueryBuilder::<Sqlite>::new("SELECT * FROM gateway_tokens WHERE token IN (");
        let mut list = query.separated(", ");
        for token in chunk {
            list.push_bind(token.as_str());
        }
        query.push(")");
        for row in query.build().persistent(false).fetch_all(pool).await? {
            out.push(gateway_token_from(&row)?);
        }
    }
    Ok(out)
}

/// Records the charges in one transaction, each unless its idempotency key
/// was used, and returns what each key holds.
pub(super) async fn record_gateway_charges(
    pool: &SqlitePool,
    charges: &[GatewayChargeRecord],
) -> Result<Vec<GatewayChargeRecord>, StoreError> {
    let mut tx = pool.begin().await?;
    let mut stored: HashMap<String, GatewayChargeRecord> = HashMap::new();
    for chunk in charges.chunks(PER_LIST) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO gateway_charges (id, token, amount, currency, idempotency_key, outcome, created_at) ",
        );
        insert.push_values(chunk, |mut row, c| {
            row.push_bind(c.id.as_str())
                .push_bind(c.token.as_str())
                .push_bind(c.amount)
                .push_bind(c.currency.as_str())
                .push_bind(c.idempotency_key.as_str())
                .push_bind(c.outcome.as_str())
                .push_bind(c.created_at.timestamp());
        });
        insert.push(" ON CONFLICT (idempotency_key) DO NOTHING");
        insert.build().persistent(false).execute(&mut *tx).await?;
        let mut select =
            QueryBuilder::<Sqlite>::new("SELECT * FROM gateway_charges WHERE idempotency_key IN (");
        let mut list = select.separated(", ");
        for c in chunk {
            list.push_bind(c.idempotency_key.as_str());
        }
        select.push(")");
        for row in select.build().persistent(false).fetch_all(&mut *tx).await? {
            let charge = gateway_charge_from(&row)?;
            stored.insert(charge.idempotency_key.clone(), charge);
        }
    }
    tx.commit().await?;
    charges
        .iter()
        .map(|c| {
            stored.get(&c.idempotency_key).cloned().ok_or_else(|| {
                StoreError::Corrupt(format!("charge {} was not stored", c.idempotency_key))
            })
        })
        .collect()
}
