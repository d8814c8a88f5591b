//! Persistence behind a trait, so the SQL backend (SQLite or PostgreSQL) is
//! a choice at start-up and the services never see SQL.
//!
//! The contract lives here: the [`Store`] trait, the records it reads and
//! writes (`records/`), the [`Write`]s of a batch and [`StoreError`]. Each
//! engine is a module beside it (`sqlite/`, `postgres/`), and SQL is written nowhere else.

mod columns;
mod error;
mod events;
mod json;
mod overviews;
mod postgres;
mod readers;
mod records;
mod sqlite;
mod tally;
mod write;

pub use error::StoreError;
pub use postgres::PgStore;
pub use records::{
    erased_email, erased_email_hash, AccessRequestRecord, AccountBatch, AccountRecord,
    AccountSnapshot, AuditEntry, CancelSessionRecord, CreditNoteRecord, EventAttempt, EventRecord,
    EventSnapshot, GatewayChargeRecord, GatewayTokenRecord, IdempotencyBegin, InvoiceRecord,
    LedgerRecord, NewAccount, NewEvent, OutboxEmail, OverviewRecord, PasswordResetRecord,
    PaymentMethodRecord, RenewalTally, SaveRate, SessionActorRecord, SessionRecord, Spread,
    StoredResponse, SubscriptionRecord, ThrottleRecord, UserRecord, WithdrawalRecord,
    DEFAULT_PREFIX,
};
pub use sqlite::SqliteStore;
pub use write::{Write, INVOICE_NUMBER_PENDING};

use async_trait::async_trait;
use billing_domain::BillingAccess;
use chrono::{DateTime, Utc};

/// An account's billing lock, held until dropped. Whatever holds it (a
/// mutex guard, a database transaction with an advisory lock) is the
/// engine's own.
pub struct AccountLock(#[allow(dead_code)] Box<dyn Send>);

impl AccountLock {
    /// Wraps an engine's guard.
    pub fn new(guard: impl Send + 'static) -> AccountLock {
        AccountLock(Box::new(guard))
    }
}

/// The portal's persistence. Every method is one transaction.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// How many groups of accounts the scheduler should renew at once on
    /// this store: enough to keep the database busy while each group waits
    /// on it, no more (those beyond only queue for it).
    fn scheduler_groups(&self) -> usize {
        4
    }
    /// Waits for, then holds, the account's billing lock: one change or
    /// billing job per account at a time, across every process that shares
    /// this database.
    async fn lock_account(&self, account_id: &str) -> Result<AccountLock, StoreError>;
    /// Takes, without waiting, the billing locks of those of `account_ids`
    /// nobody holds, and holds them all until the guard is dropped. Returns
    /// the guard and the ids it holds (in the order given).
    async fn try_lock_accounts(
        &self,
        account_ids: &[String],
    ) -> Result<(AccountLock, Vec<String>), StoreError>;
    /// Brings the schema up to date.
    async fn migrate(&self) -> Result<(), StoreError>;
    /// How many accounts exist.
    async fn count_accounts(&self) -> Result<i64, StoreError>;
    /// Whether any demo account exists.
    async fn has_demo_data(&self) -> Result<bool, StoreError>;
    /// Writes an account with its users, subscription, card and audit lines,
    /// and the webhook events those lines publish.
    async fn insert_account(&self, new: &NewAccount) -> Result<(), StoreError>;
    /// Writes many new accounts in one transaction, each as
    /// [`Store::insert_account`] would, with the simulated gateway's records
    /// of their cards and past charges: the bulk path of the renewal benchmark.
    /// Unlike [`Store::insert_account`] it publishes no `subscription.created`
    /// webhook events: these accounts are made for measuring, not bought.
    async fn insert_accounts(&self, batch: &AccountBatch) -> Result<(), StoreError>;
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
    /// The session with this token hash and whom it signs in (the user,
    /// their account, the subscription's state), in one query.
    async fn session_actor(
        &self,
        token_hash: &str,
    ) -> Result<Option<SessionActorRecord>, StoreError>;
    /// As [`Store::session_actor`], with the overview of the session's
    /// account read in the same query (`None` when the account or its
    /// subscription is absent).
    async fn session_overview(
        &self,
        token_hash: &str,
    ) -> Result<Option<(SessionActorRecord, Option<OverviewRecord>)>, StoreError>;
    /// The account's subscription, seat holders, default card and open
    /// invoices in one query; `None` when it has no subscription.
    async fn overview(&self, account_id: &str) -> Result<Option<OverviewRecord>, StoreError>;
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
    /// Commits a batch of writes in one transaction, with the webhook events
    /// its audit lines publish (see `store/events.rs`).
    async fn commit(&self, writes: Vec<Write>) -> Result<(), StoreError>;
    /// Commits many batches, each whole or not at all as [`Store::commit`]
    /// would, one after another: a batch that fails (a marker already
    /// claimed, a version conflict, a ledger refusal) leaves nothing and
    /// does not stop the others. Returns each batch's outcome, in order.
    /// An engine may share transactions between batches, so a batch's
    /// outcome is known only when all are committed.
    async fn commit_many(&self, batches: Vec<Vec<Write>>) -> Vec<Result<(), StoreError>>;
    /// A page of the account's invoices, newest first, after `starting_after`.
    async fn invoices(
        &self,
        account_id: &str,
        limit: i64,
        starting_after: Option<&str>,
    ) -> Result<Vec<InvoiceRecord>, StoreError>;
    /// One invoice with its lines.
    async fn invoice(&self, id: &str) -> Result<Option<InvoiceRecord>, StoreError>;
    /// A page of the account's credit notes, newest first, after `starting_after`.
    async fn credit_notes(
        &self,
        account_id: &str,
        limit: i64,
        starting_after: Option<&str>,
    ) -> Result<Vec<CreditNoteRecord>, StoreError>;
    /// One credit note.
    async fn credit_note(&self, id: &str) -> Result<Option<CreditNoteRecord>, StoreError>;
    /// The account's open invoices, oldest first.
    async fn open_invoices(&self, account_id: &str) -> Result<Vec<InvoiceRecord>, StoreError>;
    /// The account's e-mails, newest first.
    async fn emails(&self, account_id: &str) -> Result<Vec<OutboxEmail>, StoreError>;
    /// E-mails not yet sent, oldest first.
    async fn unsent_emails(&self, limit: i64) -> Result<Vec<OutboxEmail>, StoreError>;
    /// Claims up to `limit` unsent e-mails that no sender holds until
    /// `until`, oldest first: each is handed to one sender at a time, across
    /// every process on this database. Marking it clears the claim.
    async fn claim_emails(
        &self,
        limit: i64,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<OutboxEmail>, StoreError>;
    /// Records a delivery attempt.
    async fn mark_email(
        &self,
        id: &str,
        sent_at: Option<DateTime<Utc>>,
        error: Option<&str>,
    ) -> Result<(), StoreError>;
    /// The account's webhook events, oldest first.
    async fn events(&self, account_id: &str) -> Result<Vec<EventRecord>, StoreError>;
    /// Claims up to `limit` webhook events to deliver, oldest first: of each
    /// account only its oldest event not yet delivered (nor given up), if
    /// it is due by `now` and no sender holds it, so an account's events go
    /// out in order. Each is held until `until` by one sender at a time,
    /// across every process on this database; marking it clears the claim.
    async fn claim_events(
        &self,
        limit: i64,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<EventRecord>, StoreError>;
    /// Records a delivery attempt of the event `id`.
    async fn mark_event(&self, id: &str, attempt: &EventAttempt) -> Result<(), StoreError>;
    /// Deletes the webhook events delivered or given up before `before`
    /// (events still to go are kept however old); how many.
    async fn forget_events(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
    /// What the scheduler reads of each of these accounts, at once (those
    /// that exist, in no particular order).
    async fn snapshots(&self, account_ids: &[String]) -> Result<Vec<AccountSnapshot>, StoreError>;
    /// Accounts on the server's clock with billing work possibly due by `horizon`.
    async fn accounts_with_work(&self, horizon: DateTime<Utc>) -> Result<Vec<String>, StoreError>;
    /// Claims an idempotency key for a request (dropping keys older than `expire_before`).
    async fn idempotency_begin(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
        expire_before: DateTime<Utc>,
    ) -> Result<IdempotencyBegin, StoreError>;
    /// Stores the response of a claimed key.
    async fn idempotency_finish(
        &self,
        scope: &str,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), StoreError>;
    /// Releases a claimed key whose request failed on our side, so a retry runs.
    async fn idempotency_abandon(&self, scope: &str, key: &str) -> Result<(), StoreError>;
    /// Parks a key whose request charged a card but failed to finish: it is
    /// never released, but the same request may run again to finish it.
    async fn idempotency_park(&self, scope: &str, key: &str) -> Result<(), StoreError>;
    /// The account's ledger, oldest first.
    async fn ledger(&self, account_id: &str) -> Result<Vec<LedgerRecord>, StoreError>;
    /// The account's withdrawal requests, newest first.
    async fn withdrawals(&self, account_id: &str) -> Result<Vec<WithdrawalRecord>, StoreError>;
    /// Up to `limit` withdrawal requests with this status, across every
    /// account, oldest first.
    async fn withdrawals_with_status(
        &self,
        status: &str,
        limit: i64,
    ) -> Result<Vec<WithdrawalRecord>, StoreError>;
    /// One withdrawal request.
    async fn withdrawal(&self, id: &str) -> Result<Option<WithdrawalRecord>, StoreError>;
    /// The invoice a request (by its idempotency scope and key) created.
    async fn invoice_by_request_key(
        &self,
        request_key: &str,
    ) -> Result<Option<InvoiceRecord>, StoreError>;
    /// The simulated gateway's charges and refunds on the account's cards.
    async fn gateway_charges_of_account(
        &self,
        account_id: &str,
    ) -> Result<Vec<GatewayChargeRecord>, StoreError>;
    /// A page of the audit log, newest first, after the entry `starting_after`.
    async fn audit_page(
        &self,
        account_id: &str,
        limit: i64,
        starting_after: Option<&str>,
    ) -> Result<Vec<AuditEntry>, StoreError>;
    /// The account's access requests with this status, oldest first.
    async fn access_requests(
        &self,
        account_id: &str,
        status: &str,
    ) -> Result<Vec<AccessRequestRecord>, StoreError>;
    /// One access request.
    async fn access_request(&self, id: &str) -> Result<Option<AccessRequestRecord>, StoreError>;
    /// The user's open access request, if any.
    async fn open_access_request(
        &self,
        user_id: &str,
    ) -> Result<Option<AccessRequestRecord>, StoreError>;
    /// A cancel-wizard session.
    async fn cancel_session(&self, id: &str) -> Result<Option<CancelSessionRecord>, StoreError>;
    /// Usage totals by kind since `since`.
    async fn usage_since(
        &self,
        account_id: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, i64)>, StoreError>;
    /// Save-rate counts for wizard sessions started in `[from, to)`.
    async fn save_rate(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<SaveRate, StoreError>;
    /// Whether a once-only marker exists.
    async fn marker_exists(&self, marker: &str) -> Result<bool, StoreError>;
    /// Stores a card in the simulated gateway's vault.
    async fn insert_gateway_token(&self, token: &GatewayTokenRecord) -> Result<(), StoreError>;
    /// A card from the simulated gateway's vault.
    async fn gateway_token(&self, token: &str) -> Result<Option<GatewayTokenRecord>, StoreError>;
    /// Cards from the simulated gateway's vault (those that exist).
    async fn gateway_tokens(
        &self,
        tokens: &[String],
    ) -> Result<Vec<GatewayTokenRecord>, StoreError>;
    /// Records many gateway charges at once, each as
    /// [`Store::record_gateway_charge`] would: returns, in order, each
    /// charge or the first one made under its idempotency key.
    async fn record_gateway_charges(
        &self,
        charges: &[GatewayChargeRecord],
    ) -> Result<Vec<GatewayChargeRecord>, StoreError>;
    /// Records a gateway charge; if its idempotency key was used, returns the
    /// first charge instead and stores nothing.
    async fn record_gateway_charge(
        &self,
        charge: &GatewayChargeRecord,
    ) -> Result<GatewayChargeRecord, StoreError>;
    /// The sign-in throttle counter under `key`.
    async fn throttle(&self, key: &str) -> Result<Option<ThrottleRecord>, StoreError>;
    /// Replaces the counter `old` (`None`: there was none) with `new`, only
    /// if it is still the version read: `false` when another attempt, on
    /// any instance, wrote it first (read again and retry). The store sets
    /// the version.
    async fn swap_throttle(
        &self,
        old: Option<&ThrottleRecord>,
        new: &ThrottleRecord,
    ) -> Result<bool, StoreError>;
    /// Deletes the counters untouched since `before`; how many.
    async fn forget_throttles(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
    /// Records that a session was used at `at`.
    async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// The user's sessions, oldest first.
    async fn user_sessions(&self, user_id: &str) -> Result<Vec<SessionRecord>, StoreError>;
    /// Deletes sessions past their absolute end at `now` or unused since
    /// `idle_before`; how many.
    async fn forget_sessions(
        &self,
        now: DateTime<Utc>,
        idle_before: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
    /// Per account, what the work done since `since` left behind (the
    /// renewal benchmark's check that each renewal happened once).
    async fn renewal_tally(&self, since: DateTime<Utc>) -> Result<RenewalTally, StoreError>;
    /// Creates the benchmark's scratch table, empty, or (`create` false) drops it.
    async fn scratch_table(&self, create: bool) -> Result<(), StoreError>;
    /// Commits one row into the scratch table the way a batch of writes
    /// commits: the database's raw rate of single-row commits.
    async fn scratch_insert(&self, id: &str, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// The password reset link with this token hash, used or not.
    async fn password_reset(
        &self,
        token_hash: &str,
    ) -> Result<Option<PasswordResetRecord>, StoreError>;
    /// Deletes the reset links that expired before `before`; how many.
    async fn forget_password_resets(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// Opens the store a database URL names: `sqlite:` for the embedded
/// engine, `postgres://` or `postgresql://` for PostgreSQL.
pub async fn connect(url: &str) -> anyhow::Result<std::sync::Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(PgStore::connect(url).await?))
    } else {
        anyhow::bail!(
            "BILLING_DATABASE_URL must start with sqlite:, postgres:// or postgresql:// (got `{url}`)"
        )
    }
}
