//! Subscriptions: read with their ledger balances, replaced under optimistic
//! concurrency, and the scheduler's query for accounts with billing work due.

use super::rows::{opt_time, optional, subscription_from};
use super::Tx;
use crate::store::{StoreError, SubscriptionRecord};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// The columns `ledger_available` and `ledger_held` of the subscription `s`:
/// its available and held credit, summed from the ledger (SUM of BIGINT is
/// NUMERIC in PostgreSQL: cast back).
macro_rules! ledger_sums {
    () => {
        "COALESCE((SELECT SUM(CASE l.kind WHEN 'credit_granted' THEN l.amount WHEN 'credit_applied' THEN -l.amount \
           WHEN 'withdrawal_requested' THEN -l.amount WHEN 'withdrawal_declined' THEN l.amount ELSE 0 END) \
           FROM ledger_entries l WHERE l.account_id = s.account_id), 0)::BIGINT AS ledger_available, \
         COALESCE((SELECT SUM(CASE l.kind WHEN 'withdrawal_requested' THEN l.amount WHEN 'withdrawal_paid' THEN -l.amount \
           WHEN 'withdrawal_declined' THEN -l.amount ELSE 0 END) \
           FROM ledger_entries l WHERE l.account_id = s.account_id), 0)::BIGINT AS ledger_held"
    };
}
pub(super) use ledger_sums;

/// Subscriptions with their balances (a `WHERE` on `s` follows).
pub(super) const WITH_BALANCES: &str =
    concat!("SELECT s.*, ", ledger_sums!(), " FROM subscriptions s ");

/// The subscription, its available and held credit summed from the ledger.
pub(super) async fn subscription(
    pool: &PgPool,
    account_id: &str,
) -> Result<Option<SubscriptionRecord>, StoreError> {
    optional(
        pool,
        concat!(
            "SELECT s.*, ",
            ledger_sums!(),
            " FROM subscriptions s WHERE s.account_id = $1"
        ),
        account_id,
        subscription_from,
    )
    .await
}

/// Replaces the subscription if it is still at `expected_version`, else
/// `VersionConflict`. The credit balance is not written: the ledger holds it.
/// The version test and the write are one statement, so of two concurrent
/// writers at the same version one waits for the other, then finds the
/// version moved.
pub(super) async fn write_subscription(
    tx: &mut Tx<'_>,
    s: &SubscriptionRecord,
    expected_version: i64,
) -> Result<(), StoreError> {
    let add_ons: Vec<&str> = s.add_ons.iter().map(|a| a.as_str()).collect();
    let done = sqlx::query(
        "UPDATE subscriptions SET plan = $1, billing_interval = $2, seats = $3, add_ons = $4, status = $5, billing_anchor = $6, \
         current_period_start = $7, current_period_end = $8, currency = $9, past_due_since = $10, grace_until = $11, \
         pending_seats = $12, pending_interval = $13, cancel_at = $14, canceled_at = $15, discount_percent = $16, discount_periods_left = $17, pause_billed = $18, \
         paused = $19, period_discount = $20, discount_accepted_at = $21, version = version + 1 WHERE account_id = $22 AND version = $23",
    )
    .bind(s.plan.as_str())
    .bind(s.interval.as_str())
    .bind(i64::from(s.seats))
    .bind(add_ons.join(","))
    .bind(s.status.as_str())
    .bind(s.billing_anchor.timestamp())
    .bind(s.current_period_start.timestamp())
    .bind(s.current_period_end.timestamp())
    .bind(s.currency.code())
    .bind(opt_time(s.past_due_since))
    .bind(opt_time(s.grace_until))
    .bind(s.pending_seats.map(i64::from))
    .bind(s.pending_interval.map(|i| i.as_str()))
    .bind(opt_time(s.cancel_at))
    .bind(opt_time(s.canceled_at))
    .bind(s.discount_percent.map(i64::from))
    .bind(s.discount_periods_left.map(i64::from))
    .bind(s.pause_billed)
    .bind(s.paused)
    .bind(i64::from(s.period_discount))
    .bind(opt_time(s.discount_accepted_at))
    .bind(&s.account_id)
    .bind(expected_version)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::VersionConflict)
    }
}

/// Accounts on the server's clock whose period ends by `horizon`, in grace,
/// canceled, or with an open invoice never tried.
pub(super) async fn accounts_with_work(
    pool: &PgPool,
    horizon: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT s.account_id FROM subscriptions s JOIN accounts a ON a.id = s.account_id \
         WHERE a.clock_at IS NULL AND (s.current_period_end <= $1 OR s.grace_until IS NOT NULL OR s.canceled_at IS NOT NULL \
         OR EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = s.account_id AND i.status = 'open' AND i.attempt_count = 0))",
    )
    .bind(horizon.timestamp())
    .fetch_all(pool)
    .await?)
}
