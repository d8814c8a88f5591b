//! The SQLite store (the default, embedded). Plain runtime-checked queries in
//! portable SQL; times are unix seconds, money minor units.

use super::*;
use crate::clock::from_unix;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow};
use sqlx::{Row, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// A pool of SQLite connections.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database a `sqlite:` URL names.
    pub async fn connect(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(SqliteStore { pool })
    }
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} `{value}`"))
}

fn account_from(row: &SqliteRow) -> Result<AccountRecord, StoreError> {
    Ok(AccountRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        policy: AccountPolicy {
            cancel_requires_owner: row.try_get::<i64, _>("cancel_requires_owner")? != 0,
        },
        is_demo: row.try_get::<i64, _>("is_demo")? != 0,
        clock_at: row.try_get::<Option<i64>, _>("clock_at")?.map(from_unix),
        created_at: from_unix(row.try_get("created_at")?),
    })
}

fn user_from(row: &SqliteRow) -> Result<UserRecord, StoreError> {
    let role: String = row.try_get("role")?;
    let access: String = row.try_get("billing_access")?;
    Ok(UserRecord {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        password_hash: row.try_get("password_hash")?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        billing_access: BillingAccess::parse(&access)
            .ok_or_else(|| corrupt("billing access", &access))?,
        active: row.try_get::<i64, _>("active")? != 0,
        created_at: from_unix(row.try_get("created_at")?),
    })
}

fn subscription_from(row: &SqliteRow) -> Result<SubscriptionRecord, StoreError> {
    let plan: String = row.try_get("plan")?;
    let interval: String = row.try_get("billing_interval")?;
    let status: String = row.try_get("status")?;
    let add_ons: String = row.try_get("add_ons")?;
    let currency: String = row.try_get("currency")?;
    let seats: i64 = row.try_get("seats")?;
    Ok(SubscriptionRecord {
        account_id: row.try_get("account_id")?,
        plan: PlanId::parse(&plan).ok_or_else(|| corrupt("plan", &plan))?,
        interval: Interval::parse(&interval).ok_or_else(|| corrupt("interval", &interval))?,
        seats: u32::try_from(seats).map_err(|_| corrupt("seats", &seats.to_string()))?,
        add_ons: add_ons
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| AddOnId::parse(s).ok_or_else(|| corrupt("add-on", s)))
            .collect::<Result<_, _>>()?,
        status: SubscriptionStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        billing_anchor: from_unix(row.try_get("billing_anchor")?),
        current_period_start: from_unix(row.try_get("current_period_start")?),
        current_period_end: from_unix(row.try_get("current_period_end")?),
        currency: Currency::parse(&currency).map_err(|_| corrupt("currency", &currency))?,
        credit_balance: row.try_get("credit_balance")?,
        version: row.try_get("version")?,
    })
}

fn payment_method_from(row: &SqliteRow) -> Result<PaymentMethodRecord, StoreError> {
    Ok(PaymentMethodRecord {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        brand: row.try_get("brand")?,
        last4: row.try_get("last4")?,
        exp_month: row.try_get::<i64, _>("exp_month")? as u32,
        exp_year: row.try_get::<i64, _>("exp_year")? as u32,
        gateway_token: row.try_get("gateway_token")?,
        is_default: row.try_get::<i64, _>("is_default")? != 0,
        created_at: from_unix(row.try_get("created_at")?),
    })
}

fn audit_from(row: &SqliteRow) -> Result<AuditEntry, StoreError> {
    let details: String = row.try_get("details")?;
    Ok(AuditEntry {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        actor_user_id: row.try_get("actor_user_id")?,
        action: row.try_get("action")?,
        details: serde_json::from_str(&details).map_err(|_| corrupt("audit details", &details))?,
        at: from_unix(row.try_get("at")?),
    })
}

async fn insert_audit(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    entry: &AuditEntry,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (id, account_id, actor_user_id, action, details, at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&entry.id)
    .bind(&entry.account_id)
    .bind(&entry.actor_user_id)
    .bind(&entry.action)
    .bind(entry.details.to_string())
    .bind(entry.at.timestamp())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn map_unique(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.message().to_string())
        }
        _ => StoreError::Database(e),
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn count_accounts(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn has_demo_data(&self) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE is_demo = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    async fn insert_account(&self, new: &NewAccount) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let a = &new.account;
        sqlx::query(
            "INSERT INTO accounts (id, name, cancel_requires_owner, is_demo, clock_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&a.id)
        .bind(&a.name)
        .bind(i64::from(a.policy.cancel_requires_owner))
        .bind(i64::from(a.is_demo))
        .bind(a.clock_at.map(|t| t.timestamp()))
        .bind(a.created_at.timestamp())
        .execute(&mut *tx)
        .await?;
        for u in &new.users {
            sqlx::query(
                "INSERT INTO users (id, account_id, name, email, password_hash, role, billing_access, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&u.id)
            .bind(&u.account_id)
            .bind(&u.name)
            .bind(u.email.to_lowercase())
            .bind(&u.password_hash)
            .bind(u.role.as_str())
            .bind(u.billing_access.as_str())
            .bind(i64::from(u.active))
            .bind(u.created_at.timestamp())
            .execute(&mut *tx)
            .await
            .map_err(map_unique)?;
        }
        let s = &new.subscription;
        let add_ons: Vec<&str> = s.add_ons.iter().map(|a| a.as_str()).collect();
        sqlx::query(
            "INSERT INTO subscriptions (account_id, plan, billing_interval, seats, add_ons, status, billing_anchor, current_period_start, current_period_end, currency, credit_balance, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        .bind(s.credit_balance)
        .bind(s.version)
        .execute(&mut *tx)
        .await?;
        if let Some(pm) = &new.payment_method {
            sqlx::query(
                "INSERT INTO payment_methods (id, account_id, brand, last4, exp_month, exp_year, gateway_token, is_default, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&pm.id)
            .bind(&pm.account_id)
            .bind(&pm.brand)
            .bind(&pm.last4)
            .bind(i64::from(pm.exp_month))
            .bind(i64::from(pm.exp_year))
            .bind(&pm.gateway_token)
            .bind(i64::from(pm.is_default))
            .bind(pm.created_at.timestamp())
            .execute(&mut *tx)
            .await?;
        }
        for entry in &new.audit {
            insert_audit(&mut tx, entry).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn account(&self, id: &str) -> Result<Option<AccountRecord>, StoreError> {
        sqlx::query("SELECT * FROM accounts WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(account_from)
            .transpose()
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        sqlx::query("SELECT * FROM users WHERE email = ?")
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(user_from)
            .transpose()
    }

    async fn user(&self, id: &str) -> Result<Option<UserRecord>, StoreError> {
        sqlx::query("SELECT * FROM users WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(user_from)
            .transpose()
    }

    async fn users_of_account(&self, account_id: &str) -> Result<Vec<UserRecord>, StoreError> {
        sqlx::query(
            "SELECT * FROM users WHERE account_id = ? ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, name, id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(user_from)
        .collect()
    }

    async fn insert_session(&self, s: &SessionRecord) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(&s.token_hash)
            .bind(&s.user_id)
            .bind(s.created_at.timestamp())
            .bind(s.expires_at.timestamp())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| -> Result<SessionRecord, StoreError> {
            Ok(SessionRecord {
                token_hash: r.try_get("token_hash")?,
                user_id: r.try_get("user_id")?,
                created_at: from_unix(r.try_get("created_at")?),
                expires_at: from_unix(r.try_get("expires_at")?),
            })
        })
        .transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn subscription(
        &self,
        account_id: &str,
    ) -> Result<Option<SubscriptionRecord>, StoreError> {
        sqlx::query("SELECT * FROM subscriptions WHERE account_id = ?")
            .bind(account_id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(subscription_from)
            .transpose()
    }

    async fn default_payment_method(
        &self,
        account_id: &str,
    ) -> Result<Option<PaymentMethodRecord>, StoreError> {
        sqlx::query("SELECT * FROM payment_methods WHERE account_id = ? AND is_default = 1")
            .bind(account_id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(payment_method_from)
            .transpose()
    }

    async fn set_billing_access(
        &self,
        user_id: &str,
        access: BillingAccess,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET billing_access = ? WHERE id = ?")
            .bind(access.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit_log(&self, account_id: &str, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        sqlx::query(
            "SELECT * FROM audit_log WHERE account_id = ? ORDER BY at DESC, id DESC LIMIT ?",
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(audit_from)
        .collect()
    }
}
