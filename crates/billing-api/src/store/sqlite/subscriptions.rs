//! Subscriptions: read with their ledger balances, replaced under optimistic
//! concurrency, and the scheduler's query for accounts with billing work due.

use super::rows::{opt_time, optional, subscription_from};
use super::stmt::{Fail, Stmt};
use crate::store::{StoreError, SubscriptionRecord};
use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

/// The columns `ledger_available` and `ledger_held` of the subscription `s`:
/// its available and held credit, summed from the ledger.
macro_rules! ledger_sums {
    () => {
        "COALESCE((SELECT SUM(CASE l.kind WHEN 'credit_granted' THEN l.amount WHEN 'credit_applied' THEN -l.amount \
           WHEN 'withdrawal_requested' THEN -l.amount WHEN 'withdrawal_declined' THEN l.amount ELSE 0 END) \
           FROM ledger_entries l WHERE l.account_id = s.account_id), 0) AS ledger_available, \
         COALESCE((SELECT SUM(CASE l.kind WHEN 'withdrawal_requested' THEN l.amount WHEN 'withdrawal_paid' THEN -l.amount \
           WHEN 'withdrawal_declined' THEN -l.amount ELSE 0 END) \
           FROM ledger_entries l WHERE l.account_id = s.account_id), 0) AS ledger_held"
    };
}
pub(super) use ledger_sums;

/// Subscriptions with their balances (a `WHERE` on `s` follows).
pub(super) const WITH_BALANCES: &str =
    concat!("SELECT s.*, ", ledger_sums!(), " FROM subscriptions s ");

/// The subscription, its available and held credit summed from the ledger.
pub(super) async fn subscription(
    pool: &SqlitePool,
    account_id: &str,
) -> Result<Option<SubscriptionRecord>, StoreError> {
    optional(
        pool,
        concat!(
            "SELECT s.*, ",
            ledger_sums!(),
            " FROM subscriptions s WHERE s.account_id = ?"
        ),
        account_id,
        subscription_from,
    )
    .await
}

/// Replaces the subscription if it is still at `expected_version`, else
/// `VersionConflict`. The credit balance is not written: the ledger holds it.
pub(super) fn write_subscription_stmt(s: &SubscriptionRecord, expected_version: i64) -> Stmt {
    let add_ons: Vec<&str> = s.add_ons.iter().map(|a| a.as_str()).collect();
    Stmt::new(
        "UPDATE subscriptions SET plan = ?, billing_interval = ?, seats = ?, add_ons = ?, status = ?, billing_anchor = ?, \
         current_period_start = ?, current_period_end = ?, currency = ?, past_due_since = ?, grace_until = ?, \
         pending_seats = ?, pending_interval = ?, cancel_at = ?, canceled_at = ?, discount_percent = ?, discount_periods_left = ?, pause_billed = ?, \
         paused = ?, period_discount = ?, discount_accepted_at = ?, version = version + 1 WHERE account_id = ? AND version = ?",
    )
    .text(s.plan.as_str())
    .text(s.interval.as_str())
    .int(i64::from(s.seats))
    .text(add_ons.join(","))
    .text(s.status.as_str())
    .int(s.billing_anchor.timestamp())
    .int(s.current_period_start.timestamp())
    .int(s.current_period_end.timestamp())
    .text(s.currency.code())
    .opt_int(opt_time(s.past_due_since))
    .opt_int(opt_time(s.grace_until))
    .opt_int(s.pending_seats.map(i64::from))
    .opt_text(s.pending_interval.map(|i| i.as_str()))
    .opt_int(opt_time(s.cancel_at))
    .opt_int(opt_time(s.canceled_at))
    .opt_int(s.discount_percent.map(i64::from))
    .opt_int(s.discount_periods_left.map(i64::from))
    .int(i64::from(s.pause_billed))
    .int(i64::from(s.paused))
    .int(i64::from(s.period_discount))
    .opt_int(opt_time(s.discount_accepted_at))
    .text(&s.account_id)
    .int(expected_version)
    .one_row(Fail::VersionConflict)
}

/// Accounts on the server's clock whose period ends by `horizon`, in grace,
/// canceled, or with an open invoice never tried.
pub(super) async fn accounts_with_work(
    pool: &SqlitePool,
    horizon: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT s.account_id FROM subscriptions s JOIN accounts a ON a.id = s.account_id \
         WHERE a.clock_at IS NULL AND (s.current_period_end <= ? OR s.grace_until IS NOT NULL OR s.canceled_at IS NOT NULL \
         OR EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = s.account_id AND i.status = 'open' AND i.attempt_count = 0))",
    )
    .bind(horizon.timestamp())
    .fetch_all(pool)
    .await?)
}
