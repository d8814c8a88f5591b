//! Many new accounts in one transaction, table by table with multi-row
//! inserts: the same rows [`super::accounts::insert_account`] writes one
//! account at a time, numbered the same way (a new account's invoices,
//! ledger entries and audit lines count from 1, and its counters row
//! starts where they end).

use super::multirow::insert_rows;
use super::rows::opt_time;
use crate::store::{AccountBatch, InvoiceRecord, LedgerRecord, StoreError};
use sqlx::PgPool;

pub(super) async fn insert_accounts(pool: &PgPool, batch: &AccountBatch) -> Result<(), StoreError> {
    let new = &batch.accounts;
    let mut tx = pool.begin().await?;
    insert_rows(
        &mut tx,
        "INSERT INTO accounts (id, name, cancel_requires_owner, is_demo, clock_at, created_at) ",
        6,
        new,
        |b, n| {
            let a = &n.account;
            b.push_bind(a.id.as_str())
                .push_bind(a.name.as_str())
                .push_bind(a.policy.cancel_requires_owner)
                .push_bind(a.is_demo)
                .push_bind(opt_time(a.clock_at))
                .push_bind(a.created_at.timestamp());
        },
    )
    .await?;
    insert_rows(
        &mut tx,
        "INSERT INTO account_counters (account_id, invoice_seq, audit_seq, ledger_seq) ",
        4,
        new,
        |b, n| {
            b.push_bind(n.account.id.as_str())
                .push_bind(n.invoices.len() as i64)
                .push_bind(n.audit.len() as i64)
                .push_bind(n.opening_ledger().len() as i64);
        },
    )
    .await?;
    let users: Vec<_> = new.iter().flat_map(|n| &n.users).collect();
    insert_rows(
        &mut tx,
        "INSERT INTO users (id, account_id, name, email, password_hash, role, billing_access, active, created_at) ",
        9,
        &users,
        |b, u| {
            b.push_bind(u.id.as_str())
                .push_bind(u.account_id.as_str())
                .push_bind(u.name.as_str())
                .push_bind(u.email.to_lowercase())
                .push_bind(u.password_hash.as_str())
                .push_bind(u.role.as_str())
                .push_bind(u.billing_access.as_str())
                .push_bind(u.active)
                .push_bind(u.created_at.timestamp());
        },
    )
    .await?;
    insert_rows(
        &mut tx,
        "INSERT INTO subscriptions (account_id, plan, billing_interval, seats, add_ons, status, billing_anchor, current_period_start, current_period_end, currency, credit_balance, version, paused) ",
        13,
        new,
        |b, n| {
            let s = &n.subscription;
            let add_ons: Vec<&str> = s.add_ons.iter().map(|a| a.as_str()).collect();
            b.push_bind(s.account_id.as_str())
                .push_bind(s.plan.as_str())
                .push_bind(s.interval.as_str())
                .push_bind(i64::from(s.seats))
                .push_bind(add_ons.join(","))
                .push_bind(s.status.as_str())
                .push_bind(s.billing_anchor.timestamp())
                .push_bind(s.current_period_start.timestamp())
                .push_bind(s.current_period_end.timestamp())
                .push_bind(s.currency.code())
                .push_bind(0_i64)
                .push_bind(s.version)
                .push_bind(s.paused);
        },
    )
    .await?;
    let cards: Vec<_> = new
        .iter()
        .filter_map(|n| n.payment_method.as_ref())
        .collect();
    insert_rows(
        &mut tx,
        "INSERT INTO payment_methods (id, account_id, brand, last4, exp_month, exp_year, gateway_token, is_default, created_at) ",
        9,
        &cards,
        |b, pm| {
            b.push_bind(pm.id.as_str())
                .push_bind(pm.account_id.as_str())
                .push_bind(pm.brand.as_str())
                .push_bind(pm.last4.as_str())
                .push_bind(i64::from(pm.exp_month))
                .push_bind(i64::from(pm.exp_year))
                .push_bind(pm.gateway_token.as_str())
                .push_bind(true)
                .push_bind(pm.created_at.timestamp());
        },
    )
    .await?;
    // The invoices take the next numbers of the vendor-wide sequence, in order.
    let invoices: Vec<&InvoiceRecord> = new.iter().flat_map(|n| n.invoices.iter()).collect();
    super::invoices::insert_invoices(&mut tx, &invoices).await?;
    let ledger: Vec<(usize, LedgerRecord)> = new
        .iter()
        .flat_map(|n| n.opening_ledger().into_iter().enumerate())
        .collect();
    insert_rows(
        &mut tx,
        "INSERT INTO ledger_entries (id, account_id, seq, kind, amount, currency, invoice_id, charge_id, refund_of, withdrawal_id, memo, at) ",
        12,
        &ledger,
        |b, (index, e)| {
            b.push_bind(e.id.as_str())
                .push_bind(e.account_id.as_str())
                .push_bind(*index as i64 + 1)
                .push_bind(e.kind.as_str())
                .push_bind(e.amount.amount())
                .push_bind(e.amount.currency().code().to_string())
                .push_bind(e.invoice_id.as_deref())
                .push_bind(e.charge_id.as_deref())
                .push_bind(e.refund_of.as_deref())
                .push_bind(e.withdrawal_id.as_deref())
                .push_bind(e.memo.as_str())
                .push_bind(e.at.timestamp());
        },
    )
    .await?;
    let audit: Vec<_> = new
        .iter()
        .flat_map(|n| n.audit.iter().enumerate())
        .collect();
    insert_rows(
        &mut tx,
        "INSERT INTO audit_log (id, account_id, actor_user_id, action, details, at, seq) ",
        7,
        &audit,
        |b, (index, entry)| {
            b.push_bind(entry.id.as_str())
                .push_bind(entry.account_id.as_str())
                .push_bind(entry.actor_user_id.as_deref())
                .push_bind(entry.action.as_str())
                .push_bind(entry.details.to_string())
                .push_bind(entry.at.timestamp())
                .push_bind(*index as i64 + 1);
        },
    )
    .await?;
    insert_rows(
        &mut tx,
        "INSERT INTO gateway_tokens (token, brand, last4, exp_month, exp_year, behaviour, created_at) ",
        7,
        &batch.gateway_tokens,
        |b, t| {
            b.push_bind(t.token.as_str())
                .push_bind(t.brand.as_str())
                .push_bind(t.last4.as_str())
                .push_bind(i64::from(t.exp_month))
                .push_bind(i64::from(t.exp_year))
                .push_bind(t.behaviour.as_str())
                .push_bind(t.created_at.timestamp());
        },
    )
    .await?;
    insert_rows(
        &mut tx,
        "INSERT INTO gateway_charges (id, token, amount, currency, idempotency_key, outcome, created_at) ",
        7,
        &batch.gateway_charges,
        |b, c| {
            b.push_bind(c.id.as_str())
                .push_bind(c.token.as_str())
                .push_bind(c.amount)
                .push_bind(c.currency.as_str())
                .push_bind(c.idempotency_key.as_str())
                .push_bind(c.outcome.as_str())
                .push_bind(c.created_at.timestamp());
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
