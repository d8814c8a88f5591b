//! The simulated payment gateway's tables: its card vault and its charges,
//! made at most once per idempotency key.

use super::rows::{gateway_charge_from, gateway_token_from, optional};
use crate::store::{GatewayChargeRecord, GatewayTokenRecord, StoreError};
use sqlx::PgPool;
use std::collections::HashMap;

pub(super) async fn insert_gateway_token(
    pool: &PgPool,
    t: &GatewayTokenRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO gateway_tokens (token, brand, last4, exp_month, exp_year, behaviour, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
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
    pool: &PgPool,
    token: &str,
) -> Result<Option<GatewayTokenRecord>, StoreError> {
    optional(
        pool,
        "SELECT * FROM gateway_tokens WHERE token = $1",
        token,
        gateway_token_from,
    )
    .await
}

/// Records a charge, or returns the first charge made under its idempotency
/// key and stores nothing. A concurrent first charge under the same key is
/// waited for by the insert, then read.
pub(super) async fn record_gateway_charge(
    pool: &PgPool,
    c: &GatewayChargeRecord,
) -> Result<GatewayChargeRecord, StoreError> {
    let mut tx = pool.begin().await?;
    let res = sqlx::query(
        "INSERT INTO gateway_charges (id, token, amount, currency, idempotency_key, outcome, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(&c.id)
    .bind(&c.token)
    .bind(c.amount)
    .bind(&c.currency)
    .bind(&c.idempotency_key)
    .bind(&c.outcome)
    .bind(c.created_at.timestamp())
    .execute(&mut *tx)
    .await?;
    let recorded = if res.rows_affected() == 1 {
        c.clone()
    } else {
        let r = sqlx::query("SELECT * FROM gateway_charges WHERE idempotency_key = $1")
            .bind(&c.idempotency_key)
            .fetch_one(&mut *tx)
            .await?;
        gateway_charge_from(&r)?
    };
    tx.commit().await?;
    Ok(recorded)
}

/// Charges on the account's cards or in its ledger (a card no longer on
/// file made them), and refunds of those charges (a refund's
/// `token` is the charge it refunds).
pub(super) async fn gateway_charges_of_account(
    pool: &PgPool,
    account_id: &str,
) -> Result<Vec<GatewayChargeRecord>, StoreError> {
    sqlx::query(
        "WITH mine AS (SELECT id FROM gateway_charges WHERE token IN (SELECT gateway_token FROM payment_methods WHERE account_id = $1) \
           UNION SELECT charge_id FROM ledger_entries WHERE account_id = $1 AND charge_id IS NOT NULL) \
         SELECT * FROM gateway_charges WHERE id IN (SELECT id FROM mine) OR token IN (SELECT id FROM mine) \
         ORDER BY created_at, id COLLATE \"C\"",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(gateway_charge_from)
    .collect()
}

pub(super) async fn gateway_tokens(
    pool: &PgPool,
    tokens: &[String],
) -> Result<Vec<GatewayTokenRecord>, StoreError> {
    sqlx::query("SELECT * FROM gateway_tokens WHERE token = ANY($1)")
        .bind(tokens)
        .fetch_all(pool)
        .await?
        .iter()
        .map(gateway_token_from)
        .collect()
}

/// Records the charges in one transaction, each unless its idempotency key
/// was used, and returns what each key holds.
pub(super) async fn record_gateway_charges(
    pool: &PgPool,
    charges: &[GatewayChargeRecord],
) -> Result<Vec<GatewayChargeRecord>, StoreError> {
    let column = |f: fn(&GatewayChargeRecord) -> String| charges.iter().map(f).collect::<Vec<_>>();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO gateway_charges (id, token, amount, currency, idempotency_key, outcome, created_at) \
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[]) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(column(|c| c.id.clone()))
    .bind(column(|c| c.token.clone()))
    .bind(charges.iter().map(|c| c.amount).collect::<Vec<i64>>())
    .bind(column(|c| c.currency.clone()))
    .bind(column(|c| c.idempotency_key.clone()))
    .bind(column(|c| c.outcome.clone()))
    .bind(
        charges
            .iter()
            .map(|c| c.created_at.timestamp())
            .collect::<Vec<i64>>(),
    )
    .execute(&mut *tx)
    .await?;
    let stored: HashMap<String, GatewayChargeRecord> =
        sqlx::query("SELECT * FROM gateway_charges WHERE idempotency_key = ANY($1)")
            .bind(column(|c| c.idempotency_key.clone()))
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| gateway_charge_from(r).map(|c| (c.idempotency_key.clone(), c)))
            .collect::<Result<_, _>>()?;
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
