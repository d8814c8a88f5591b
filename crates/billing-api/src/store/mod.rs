//! Persistence behind a trait, so the SQL backend (SQLite now, PostgreSQL
//! later) is a choice at start-up and the services never see SQL.

mod sqlite;

pub use sqlite::SqliteStore;

use async_trait::async_trait;
use billing_domain::permissions::AccountPolicy;
use billing_domain::{
    AddOnId, BillingAccess, Currency, Interval, PlanId, Role, SubscriptionStatus,
};
use chrono::{DateTime, Utc};

/// A failure of the store itself (never a business rule).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("unique constraint: {0}")]
    Conflict(String),
}

/// An account (a customer company).
#[derive(Debug, Clone)]
pub struct AccountRecord {
    pub id: String,
    pub name: String,
    pub policy: AccountPolicy,
    pub is_demo: bool,
    /// Test accounts only: the account's frozen clock.
    pub clock_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A user of an account.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: String,
    pub account_id: String,
    pub name: String,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub billing_access: BillingAccess,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// A signed-in session; the cookie holds the token, the store its hash.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub token_hash: String,
    pub user_id: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// An account's subscription.
#[derive(Debug, Clone)]
pub struct SubscriptionRecord {
    pub account_id: String,
    pub plan: PlanId,
    pub interval: Interval,
    pub seats: u32,
    pub add_ons: Vec<AddOnId>,
    pub status: SubscriptionStatus,
    pub billing_anchor: DateTime<Utc>,
    pub current_period_start: DateTime<Utc>,
    pub current_period_end: DateTime<Utc>,
    pub currency: Currency,
    /// Minor units, never negative.
    pub credit_balance: i64,
    pub version: i64,
}

/// A stored card: brand, last four, expiry and the gateway's token only.
#[derive(Debug, Clone)]
pub struct PaymentMethodRecord {
    pub id: String,
    pub account_id: String,
    pub brand: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: u32,
    pub gateway_token: String,
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
}

/// One line of an account's audit log.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: String,
    pub account_id: String,
    /// `None` when the system acted.
    pub actor_user_id: Option<String>,
    /// A dotted name, e.g. `member.billing_access_changed`.
    pub action: String,
    /// A JSON object with the details and amounts.
    pub details: serde_json::Value,
    pub at: DateTime<Utc>,
}

/// A whole new account, written in one transaction.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub account: AccountRecord,
    pub users: Vec<UserRecord>,
    pub subscription: SubscriptionRecord,
    pub payment_method: Option<PaymentMethodRecord>,
    pub audit: Vec<AuditEntry>,
}

/// The portal's persistence. Every method is one transaction.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Brings the schema up to date.
    async fn migrate(&self) -> Result<(), StoreError>;
    /// How many accounts exist.
    async fn count_accounts(&self) -> Result<i64, StoreError>;
    /// Whether any demo account exists.
    async fn has_demo_data(&self) -> Result<bool, StoreError>;
    /// Writes an account with its users, subscription, card and audit lines.
    async fn insert_account(&self, new: &NewAccount) -> Result<(), StoreError>;
    /// The account with this id.
    async fn account(&self, id: &str) -> Result<Option<AccountRecord>, StoreError>;
    /// The user with this e-mail (compared case-insensitively).
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError>;
    /// The user with this id.
    async fn user(&self, id: &str) -> Result<Option<UserRecord>, StoreError>;
    /// The account's users, owner first, then by name.
    async fn users_of_account(&self, account_id: &str) -> Result<Vec<UserRecord>, StoreError>;
    /// Stores a new session.
    async fn insert_session(&self, session: &SessionRecord) -> Result<(), StoreError>;
    /// The session with this token hash.
    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError>;
    /// Deletes a session (signing out); absent is fine.
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// The account's subscription.
    async fn subscription(
        &self,
        account_id: &str,
    ) -> Result<Option<SubscriptionRecord>, StoreError>;
    /// The account's default payment method.
    async fn default_payment_method(
        &self,
        account_id: &str,
    ) -> Result<Option<PaymentMethodRecord>, StoreError>;
    /// Sets a user's billing access and records it, in one transaction.
    async fn set_billing_access(
        &self,
        user_id: &str,
        access: BillingAccess,
        audit: &AuditEntry,
    ) -> Result<(), StoreError>;
    /// The account's audit log, newest first.
    async fn audit_log(&self, account_id: &str, limit: i64) -> Result<Vec<AuditEntry>, StoreError>;
}

/// Opens the store a database URL names.
pub async fn connect(url: &str) -> anyhow::Result<std::sync::Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        anyhow::bail!("PostgreSQL is not supported yet; use a sqlite: URL")
    } else {
        anyhow::bail!("BILLING_DATABASE_URL must start with sqlite: (got `{url}`)")
    }
}
