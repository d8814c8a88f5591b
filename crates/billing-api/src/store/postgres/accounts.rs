//! Accounts, their users and sessions, cards, the account-level writes of a
//! batch, and the deletion of an account's data.

use super::rows::{
    account_from, map_unique, optional, payment_method_from, session_from, user_from,
};
use super::{audit, counters, invoices, ledger, Tx};
use crate::store::{
    erased_email, erased_email_hash, AccountRecord, AuditEntry, InvoiceRecord, NewAccount,
    PaymentMethodRecord, SessionRecord, StoreError, UserRecord,
};
use billing_domain::wire::BillingDetails;
use billing_domain::BillingAccess;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

pub(super) async fn count_accounts(pool: &PgPool) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(pool)
        .await?)
}

pub(super) async fn has_demo_data(pool: &PgPool) -> Result<bool, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM accounts WHERE is_demo)")
            .fetch_one(pool)
            .await?,
    )
}

/// Writes the account, its counters, users, subscription, card, invoices
/// (with their card charges in the ledger), opening balance and audit lines
/// at once.
pub(super) async fn insert_account(pool: &PgPool, new: &NewAccount) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let a = &new.account;
    sqlx::query(
        "INSERT INTO accounts (id, name, cancel_requires_owner, is_demo, clock_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&a.id)
    .bind(&a.name)
    .bind(a.policy.cancel_requires_owner)
    .bind(a.is_demo)
    .bind(a.clock_at.map(|t| t.timestamp()))
    .bind(a.created_at.timestamp())
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO account_counters (account_id) VALUES ($1)")
        .bind(&a.id)
        .execute(&mut *tx)
        .await?;
    for u in &new.users {
        sqlx::query(
            "INSERT INTO users (id, account_id, name, email, password_hash, role, billing_access, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&u.id)
        .bind(&u.account_id)
        .bind(&u.name)
        .bind(u.email.to_lowercase())
        .bind(&u.password_hash)
        .bind(u.role.as_str())
        .bind(u.billing_access.as_str())
        .bind(u.active)
        .bind(u.created_at.timestamp())
        .execute(&mut *tx)
        .await
        .map_err(map_unique)?;
    }
    let s = &new.subscription;
    let add_ons: Vec<&str> = s.add_ons.iter().map(|a| a.as_str()).collect();
    sqlx::query(
        "INSERT INTO subscriptions (account_id, plan, billing_interval, seats, add_ons, status, billing_anchor, current_period_start, current_period_end, currency, credit_balance, version, paused) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12)",
    )
    .bind(&s.account_id)
    .bind(s.plan.as_str())
    .bind(s.interval.as_str())
    .bind(i64::from(s.seats))
    .bind(add_ons.join(","))
    .bind(s.status.as_str())
    .bind(s.billing_anchor.timestamp())
    .bind(s.current_period_start.timestamp())
    .bind(s.current_period_end.timestamp())
    .bind(s.currency.code())
    .bind(s.version)
    .bind(s.paused)
    .execute(&mut *tx)
    .await?;
    if let Some(pm) = &new.payment_method {
        set_default_card(&mut tx, pm).await?;
    }
    let opening: Vec<&InvoiceRecord> = new.invoices.iter().collect();
    invoices::insert_invoices(&mut tx, &opening).await?;
    for entry in new.opening_ledger() {
        ledger::insert_ledger(&mut tx, &entry).await?;
    }
    for entry in &new.audit {
        audit::insert_audit(&mut tx, entry).await?;
    }
    for event in crate::store::events::of_audit_lines(&new.audit) {
        super::events::insert_event(&mut tx, &event).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn account(pool: &PgPool, id: &str) -> Result<Option<AccountRecord>, StoreError> {
    optional(
        pool,
        "SELECT * FROM accounts WHERE id = $1",
        id,
        account_from,
    )
    .await
}

/// The user with this e-mail, trimmed and lower-cased as it is stored.
pub(super) async fn user_by_email(
    pool: &PgPool,
    email: &str,
) -> Result<Option<UserRecord>, StoreError> {
    let email = email.trim().to_lowercase();
    // An erased user is found by the hash of the address alone.
    sqlx::query("SELECT * FROM users WHERE email = $1 OR email_hash = $2")
        .bind(&email)
        .bind(erased_email_hash(&email))
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(user_from)
        .transpose()
}

pub(super) async fn user(pool: &PgPool, id: &str) -> Result<Option<UserRecord>, StoreError> {
    optional(pool, "SELECT * FROM users WHERE id = $1", id, user_from).await
}

pub(super) async fn users_of_account(
    pool: &PgPool,
    account_id: &str,
) -> Result<Vec<UserRecord>, StoreError> {
    // COLLATE "C": names sort by code point, as SQLite's BINARY collation does.
    sqlx::query(
        "SELECT * FROM users WHERE account_id = $1 ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, name COLLATE \"C\", id COLLATE \"C\"",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(user_from)
    .collect()
}

pub(super) async fn insert_session(pool: &PgPool, s: &SessionRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&s.token_hash)
    .bind(&s.user_id)
    .bind(s.created_at.timestamp())
    .bind(s.expires_at.timestamp())
    .bind(s.last_seen_at.timestamp())
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn session(
    pool: &PgPool,
    token_hash: &str,
) -> Result<Option<SessionRecord>, StoreError> {
    optional(
        pool,
        "SELECT * FROM sessions WHERE token_hash = $1",
        token_hash,
        session_from,
    )
    .await
}

pub(super) async fn delete_session(pool: &PgPool, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn default_payment_method(
    pool: &PgPool,
    account_id: &str,
) -> Result<Option<PaymentMethodRecord>, StoreError> {
    optional(
        pool,
        "SELECT * FROM payment_methods WHERE account_id = $1 AND is_default",
        account_id,
        payment_method_from,
    )
    .await
}

/// Stores a card as the account's only default.
pub(super) async fn set_default_card(
    tx: &mut Tx<'_>,
    pm: &PaymentMethodRecord,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE payment_methods SET is_default = FALSE WHERE account_id = $1")
        .bind(&pm.account_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO payment_methods (id, account_id, brand, last4, exp_month, exp_year, gateway_token, is_default, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8)",
    )
    .bind(&pm.id)
    .bind(&pm.account_id)
    .bind(&pm.brand)
    .bind(&pm.last4)
    .bind(i64::from(pm.exp_month))
    .bind(i64::from(pm.exp_year))
    .bind(&pm.gateway_token)
    .bind(pm.created_at.timestamp())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Sets a user's billing access and records it, in one transaction.
pub(super) async fn set_billing_access(
    pool: &PgPool,
    user_id: &str,
    access: BillingAccess,
    entry: &AuditEntry,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    update_billing_access(&mut tx, user_id, access).await?;
    audit::insert_audit(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn update_billing_access(
    tx: &mut Tx<'_>,
    user_id: &str,
    access: BillingAccess,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET billing_access = $1 WHERE id = $2")
        .bind(access.as_str())
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(super) async fn set_cancel_policy(
    tx: &mut Tx<'_>,
    account_id: &str,
    cancel_requires_owner: bool,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE accounts SET cancel_requires_owner = $1 WHERE id = $2")
        .bind(cancel_requires_owner)
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(super) async fn set_clock(
    tx: &mut Tx<'_>,
    account_id: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE accounts SET clock_at = $1 WHERE id = $2")
        .bind(at.timestamp())
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deletes the account's data after the retention window.
pub(super) async fn delete_account_data(
    tx: &mut Tx<'_>,
    account_id: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    // Keep the account, its invoices and credit notes (with their
    // snapshots) for the vendor's records; erase its users' names,
    // e-mails, password hashes and sessions, keeping of each e-mail only
    // a one-way hash so a sign-in can say what happened.
    for sql in [
        "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE account_id = $1)",
        "DELETE FROM password_resets WHERE user_id IN (SELECT id FROM users WHERE account_id = $1)",
        "UPDATE accounts SET billing_details = NULL WHERE id = $1",
        "DELETE FROM payment_methods WHERE account_id = $1",
        "DELETE FROM access_requests WHERE account_id = $1",
        "DELETE FROM usage_events WHERE account_id = $1",
        "DELETE FROM outbox WHERE account_id = $1 AND sent_at IS NOT NULL",
        "DELETE FROM audit_log WHERE account_id = $1",
    ] {
        sqlx::query(sql).bind(account_id).execute(&mut **tx).await?;
    }
    let users: Vec<(String, String)> =
        sqlx::query_as("SELECT id, email FROM users WHERE account_id = $1 AND email_hash IS NULL")
            .bind(account_id)
            .fetch_all(&mut **tx)
            .await?;
    for (id, email) in users {
        sqlx::query(
            "UPDATE users SET name = 'Deleted user', active = FALSE, email = $1, email_hash = $2, password_hash = '' WHERE id = $3",
        )
        .bind(erased_email(&id))
        .bind(erased_email_hash(&email))
        .bind(&id)
        .execute(&mut **tx)
        .await?;
    }
    counters::reset(tx, account_id).await?;
    sqlx::query("UPDATE accounts SET deleted_at = $1 WHERE id = $2")
        .bind(at.timestamp())
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Replaces the account's billing details.
pub(super) async fn set_billing_details(
    tx: &mut Tx<'_>,
    account_id: &str,
    details: &BillingDetails,
) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE accounts SET billing_details = $1 WHERE id = $2")
        .bind(crate::store::json::billing_details_json(details))
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::AlreadyDone(format!(
            "account {account_id} is gone"
        )));
    }
    Ok(())
}
