//! The SQLite store (the default, embedded). Plain runtime-checked queries in
//! portable SQL; times are unix seconds, money minor units.
//!
//! This file opens the pool and implements [`Store`] by handing each method
//! to the module of its concern; those modules hold the SQL.

mod access;
mod accounts;
mod audit;
mod batch;
mod bench;
mod bulk;
mod cancel;
mod checkpoint;
mod direct;
mod events;
mod gateway;
mod idempotency;
mod invoices;
mod ledger;
mod outbox;
mod reads;
mod rows;
mod security;
mod snapshots;
mod stmt;
mod subscriptions;

use crate::store::overviews::Overviews;
use crate::store::{
    AccessRequestRecord, AccountBatch, AccountLock, AccountRecord, AccountSnapshot, AuditEntry,
    CancelSessionRecord, CreditNoteRecord, EventAttempt, EventRecord, GatewayChargeRecord,
    GatewayTokenRecord, IdempotencyBegin, InvoiceRecord, LedgerRecord, NewAccount, OutboxEmail,
    OverviewRecord, PasswordResetRecord, PaymentMethodRecord, RenewalTally, SaveRate,
    SessionActorRecord, SessionRecord, Store, StoreError, StoredResponse, SubscriptionRecord,
    ThrottleRecord, UserRecord, WithdrawalRecord, Write,
};
use async_trait::async_trait;
use billing_domain::BillingAccess;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::SqlitePool;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The transaction the writes of one store call share.
type Tx<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;

/// The settings of every connection to the database, sqlx's and the direct
/// ones (`direct`) alike.
const PRAGMAS: &[(&str, &str)] = &[
    ("journal_mode", "WAL"),
    // In WAL mode, NORMAL stays consistent through a crash of the process
    // and skips the fsync on every commit.
    ("synchronous", "NORMAL"),
    ("foreign_keys", "ON"),
    ("temp_store", "memory"),
    // Checkpoints are the store's own thread's (`checkpoint`), never a
    // commit's.
    ("wal_autocheckpoint", "0"),
    ("cache_size", "-32768"),
    // No memory map: a mapped file is unmapped and mapped again as it
    // grows, and each unmapping interrupts every processor to flush its
    // address cache (costly on virtual machines: the model-based test ran
    // 20% slower with a 256 MiB map). Pages read are kept in the page cache
    // above anyway.
    ("mmap_size", "0"),
];

/// How long a connection waits for another's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How many direct reader connections (`direct::DirectReaders`) are kept
/// for the reads every signed-in request starts with. WAL mode lets them
/// all read at once, and beside a writer.
const READERS: usize = 4;

/// A pool of SQLite connections, and reader connections beside it.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// The one connection batches are committed on: the database has one
    /// writer at a time anyway, and this connection keeps the statements of
    /// batches prepared.
    writer: SqlitePool,
    readers: Arc<direct::DirectReaders>,
    /// Overviews kept by account at their `reads_version` (`store::overviews`).
    overviews: Arc<Overviews>,
    /// The connection batches of plain statements are committed on, driven
    /// on the caller's thread (`direct`).
    direct: Arc<direct::Direct>,
    /// The database file, naming its account locks.
    file: String,
    /// Taken by every batch commit on this file in this process: the
    /// database has one writer at a time, and writers that wait here take
    /// turns at once instead of polling the file's lock.
    gate: Arc<tokio::sync::Mutex<()>>,
    /// Checkpoints the log while the store is open.
    _checkpointer: Arc<checkpoint::Checkpointer>,
}

/// One lock per database file and account. An embedded database lives in
/// one process, so the account lock is a mutex in it, shared by every
/// store (every API instance) of this process opened on the same file.
type Locks = Mutex<HashMap<(String, String), Arc<tokio::sync::Mutex<()>>>>;

fn locks() -> &'static Locks {
    static LOCKS: OnceLock<Locks> = OnceLock::new();
    LOCKS.get_or_init(Default::default)
}

/// The write gate of each database file of this process.
fn gate(file: &str) -> Arc<tokio::sync::Mutex<()>> {
    static GATES: OnceLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let mut gates = GATES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    gates.entry(file.to_string()).or_default().clone()
}

impl SqliteStore {
    /// The in-process lock of an account on this file.
    fn account_mutex(&self, account_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = locks().lock().unwrap_or_else(|p| p.into_inner());
        let key = (self.file.clone(), account_id.to_string());
        locks.entry(key).or_default().clone()
    }
}

impl SqliteStore {
    /// Opens (creating if missing) the database a `sqlite:` URL names.
    pub async fn connect(url: &str) -> Result<SqliteStore, StoreError> {
        let mut options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .busy_timeout(BUSY_TIMEOUT)
            // A read of many rows (the scheduler's snapshots of a thousand
            // accounts) answers row by row: let the database's thread run
            // ahead without waiting for each to be taken.
            .row_buffer_size(4096);
        for (name, value) in PRAGMAS {
            options = options.pragma(*name, *value);
        }
        let file = std::path::absolute(options.get_filename())
            .unwrap_or_else(|_| options.get_filename().to_path_buf())
            .display()
            .to_string();
        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // An embedded database's connection cannot drop: pinging each
            // before use would double a query's trips to its thread.
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        let direct = Arc::new(direct::Direct::open(options.get_filename())?);
        let readers = Arc::new(direct::DirectReaders::new(options.get_filename(), READERS));
        let gate = gate(&file);
        let checkpointer = checkpoint::Checkpointer::start(options.get_filename())
            .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        Ok(SqliteStore {
            _checkpointer: Arc::new(checkpointer),
            pool,
            writer,
            readers,
            overviews: Arc::default(),
            direct,
            file,
            gate,
        })
    }
}

#[async_trait]
impl Store for SqliteStore {
    /// One group per processor: the file has one writer, and a group more
    /// than the processors can feed only makes the others wait for it (on
    /// two cores, 100,000 renewals took 9.5 s two groups at a time, 13.0 s
    /// four at a time).
    fn scheduler_groups(&self) -> usize {
        std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8))
    }

    async fn lock_account(&self, account_id: &str) -> Result<AccountLock, StoreError> {
        let lock = self.account_mutex(account_id);
        Ok(AccountLock::new(lock.lock_owned().await))
    }

    async fn try_lock_accounts(
        &self,
        account_ids: &[String],
    ) -> Result<(AccountLock, Vec<String>), StoreError> {
        let mut guards = Vec::new();
        let mut held = Vec::new();
        for id in account_ids {
            if let Ok(guard) = self.account_mutex(id).try_lock_owned() {
                guards.push(guard);
                held.push(id.clone());
            }
        }
        Ok((AccountLock::new(guards), held))
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn count_accounts(&self) -> Result<i64, StoreError> {
        accounts::count_accounts(&self.pool).await
    }

    async fn has_demo_data(&self) -> Result<bool, StoreError> {
        accounts::has_demo_data(&self.pool).await
    }

    async fn insert_account(&self, new: &NewAccount) -> Result<(), StoreError> {
        accounts::insert_account(&self.pool, new).await
    }

    async fn insert_accounts(&self, batch: &AccountBatch) -> Result<(), StoreError> {
        bulk::insert_accounts(&self.pool, batch).await
    }

    async fn account(&self, id: &str) -> Result<Option<AccountRecord>, StoreError> {
        accounts::account(&self.pool, id).await
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        accounts::user_by_email(&self.pool, email).await
    }

    async fn user(&self, id: &str) -> Result<Option<UserRecord>, StoreError> {
        accounts::user(&self.pool, id).await
    }

    async fn users_of_account(&self, account_id: &str) -> Result<Vec<UserRecord>, StoreError> {
        accounts::users_of_account(&self.pool, account_id).await
    }

    async fn insert_session(&self, s: &SessionRecord) -> Result<(), StoreError> {
        accounts::insert_session(&self.pool, s).await
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        accounts::session(&self.pool, token_hash).await
    }

    async fn session_actor(
        &self,
        token_hash: &str,
    ) -> Result<Option<SessionActorRecord>, StoreError> {
        reads::session_actor(&self.readers, token_hash)
    }

    async fn session_overview(
        &self,
        token_hash: &str,
    ) -> Result<Option<(SessionActorRecord, Option<OverviewRecord>)>, StoreError> {
        reads::session_overview(&self.readers, &self.overviews, token_hash)
    }

    async fn overview(&self, account_id: &str) -> Result<Option<OverviewRecord>, StoreError> {
        reads::overview(&self.readers, &self.overviews, account_id)
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        accounts::delete_session(&self.pool, token_hash).await
    }

    async fn subscription(
        &self,
        account_id: &str,
    ) -> Result<Option<SubscriptionRecord>, StoreError> {
        subscriptions::subscription(&self.pool, account_id).await
    }

    async fn default_payment_method(
        &self,
        account_id: &str,
    ) -> Result<Option<PaymentMethodRecord>, StoreError> {
        accounts::default_payment_method(&self.pool, account_id).await
    }

    async fn set_billing_access(
        &self,
        user_id: &str,
        access: BillingAccess,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        accounts::set_billing_access(&self.pool, user_id, access, audit).await
    }

    async fn audit_log(&self, account_id: &str, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        audit::audit_log(&self.pool, account_id, limit).await
    }

    async fn commit(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let writes = crate::store::write::prepared(writes);
        let _turn = self.gate.lock().await;
        batch::commit(&self.writer, &self.direct, writes).await
    }

    async fn commit_many(&self, batches: Vec<Vec<Write>>) -> Vec<Result<(), StoreError>> {
        let batches = batches
            .into_iter()
            .map(crate::store::write::prepared)
            .collect();
        batch::commit_many(&self.writer, &self.direct, &self.gate, batches).await
    }

    async fn events(&self, account_id: &str) -> Result<Vec<EventRecord>, StoreError> {
        events::events(&self.pool, account_id).await
    }

    async fn claim_events(
        &self,
        limit: i64,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<EventRecord>, StoreError> {
        events::claim_events(&self.pool, limit, now, until).await
    }

    async fn mark_event(&self, id: &str, attempt: &EventAttempt) -> Result<(), StoreError> {
        events::mark_event(&self.pool, id, attempt).await
    }

    async fn forget_events(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        events::forget_events(&self.pool, before).await
    }

    async fn snapshots(&self, account_ids: &[String]) -> Result<Vec<AccountSnapshot>, StoreError> {
        snapshots::snapshots(&self.pool, account_ids).await
    }

    async fn invoices(
        &self,
        account_id: &str,
        limit: i64,
        starting_after: Option<&str>,
    ) -> Result<Vec<InvoiceRecord>, StoreError> {
        invoices::invoices(&self.pool, account_id, limit, starting_after).await
    }

    async fn invoice(&self, id: &str) -> Result<Option<InvoiceRecord>, StoreError> {
        invoices::invoice(&self.pool, id).await
    }

    async fn credit_notes(
        &self,
        account_id: &str,
        limit: i64,
        starting_after: Option<&str>,
    ) -> Result<Vec<CreditNoteRecord>, StoreError> {
        invoices::credit_notes(&self.pool, account_id, limit, starting_after).await
    }

    async fn credit_note(&self, id: &str) -> Result<Option<CreditNoteRecord>, StoreError> {
        invoices::credit_note(&self.pool, id).await
    }

    async fn open_invoices(&self, account_id: &str) -> Result<Vec<InvoiceRecord>, StoreError> {
        invoices::open_invoices(&self.pool, account_id).await
    }

    async fn emails(&self, account_id: &str) -> Result<Vec<OutboxEmail>, StoreError> {
        outbox::emails(&self.pool, account_id).await
    }

    async fn unsent_emails(&self, limit: i64) -> Result<Vec<OutboxEmail>, StoreError> {
        outbox::unsent_emails(&self.pool, limit).await
    }

    async fn claim_emails(
        &self,
        limit: i64,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<OutboxEmail>, StoreError> {
        outbox::claim_emails(&self.pool, limit, now, until).await
    }

    async fn mark_email(
        &self,
        id: &str,
        sent_at: Option<DateTime<Utc>>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        outbox::mark_email(&self.pool, id, sent_at, error).await
    }

    async fn accounts_with_work(&self, horizon: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        subscriptions::accounts_with_work(&self.pool, horizon).await
    }

    async fn idempotency_begin(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
        expire_before: DateTime<Utc>,
    ) -> Result<IdempotencyBegin, StoreError> {
        idempotency::idempotency_begin(&self.pool, scope, key, request_hash, now, expire_before)
            .await
    }

    async fn idempotency_finish(
        &self,
        scope: &str,
        key: &str,
        r: &StoredResponse,
    ) -> Result<(), StoreError> {
        idempotency::idempotency_finish(&self.pool, scope, key, r).await
    }

    async fn idempotency_abandon(&self, scope: &str, key: &str) -> Result<(), StoreError> {
        idempotency::idempotency_abandon(&self.pool, scope, key).await
    }

    async fn idempotency_park(&self, scope: &str, key: &str) -> Result<(), StoreError> {
        idempotency::idempotency_park(&self.pool, scope, key).await
    }

    async fn ledger(&self, account_id: &str) -> Result<Vec<LedgerRecord>, StoreError> {
        ledger::ledger(&self.pool, account_id).await
    }

    async fn withdrawals(&self, account_id: &str) -> Result<Vec<WithdrawalRecord>, StoreError> {
        ledger::withdrawals(&self.pool, account_id).await
    }

    async fn withdrawals_with_status(
        &self,
        status: &str,
        limit: i64,
    ) -> Result<Vec<WithdrawalRecord>, StoreError> {
        ledger::withdrawals_with_status(&self.pool, status, limit).await
    }

    async fn withdrawal(&self, id: &str) -> Result<Option<WithdrawalRecord>, StoreError> {
        ledger::withdrawal(&self.pool, id).await
    }

    async fn invoice_by_request_key(
        &self,
        request_key: &str,
    ) -> Result<Option<InvoiceRecord>, StoreError> {
        invoices::invoice_by_request_key(&self.pool, request_key).await
    }

    async fn gateway_charges_of_account(
        &self,
        account_id: &str,
    ) -> Result<Vec<GatewayChargeRecord>, StoreError> {
        gateway::gateway_charges_of_account(&self.pool, account_id).await
    }

    async fn audit_page(
        &self,
        account_id: &str,
        limit: i64,
        starting_after: Option<&str>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        audit::audit_page(&self.pool, account_id, limit, starting_after).await
    }

    async fn access_requests(
        &self,
        account_id: &str,
        status: &str,
    ) -> Result<Vec<AccessRequestRecord>, StoreError> {
        access::access_requests(&self.pool, account_id, status).await
    }

    async fn access_request(&self, id: &str) -> Result<Option<AccessRequestRecord>, StoreError> {
        access::access_request(&self.pool, id).await
    }

    async fn open_access_request(
        &self,
        user_id: &str,
    ) -> Result<Option<AccessRequestRecord>, StoreError> {
        access::open_access_request(&self.pool, user_id).await
    }

    async fn cancel_session(&self, id: &str) -> Result<Option<CancelSessionRecord>, StoreError> {
        cancel::cancel_session(&self.pool, id).await
    }

    async fn usage_since(
        &self,
        account_id: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        cancel::usage_since(&self.pool, account_id, since).await
    }

    async fn save_rate(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<SaveRate, StoreError> {
        cancel::save_rate(&self.pool, from, to).await
    }

    async fn marker_exists(&self, marker: &str) -> Result<bool, StoreError> {
        idempotency::marker_exists(&self.pool, marker).await
    }

    async fn insert_gateway_token(&self, t: &GatewayTokenRecord) -> Result<(), StoreError> {
        gateway::insert_gateway_token(&self.pool, t).await
    }

    async fn gateway_token(&self, token: &str) -> Result<Option<GatewayTokenRecord>, StoreError> {
        gateway::gateway_token(&self.pool, token).await
    }

    async fn gateway_tokens(
        &self,
        tokens: &[String],
    ) -> Result<Vec<GatewayTokenRecord>, StoreError> {
        gateway::gateway_tokens(&self.pool, tokens).await
    }

    async fn record_gateway_charge(
        &self,
        c: &GatewayChargeRecord,
    ) -> Result<GatewayChargeRecord, StoreError> {
        let _turn = self.gate.lock().await;
        gateway::record_gateway_charge(&self.writer, c).await
    }

    async fn record_gateway_charges(
        &self,
        charges: &[GatewayChargeRecord],
    ) -> Result<Vec<GatewayChargeRecord>, StoreError> {
        let _turn = self.gate.lock().await;
        gateway::record_gateway_charges(&self.writer, charges).await
    }

    async fn throttle(&self, key: &str) -> Result<Option<ThrottleRecord>, StoreError> {
        security::throttle(&self.pool, key).await
    }

    async fn swap_throttle(
        &self,
        old: Option<&ThrottleRecord>,
        new: &ThrottleRecord,
    ) -> Result<bool, StoreError> {
        security::swap_throttle(&self.pool, old, new).await
    }

    async fn forget_throttles(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        security::forget_throttles(&self.pool, before).await
    }

    async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        security::touch_session(&self.pool, token_hash, at).await
    }

    async fn user_sessions(&self, user_id: &str) -> Result<Vec<SessionRecord>, StoreError> {
        security::user_sessions(&self.pool, user_id).await
    }

    async fn forget_sessions(
        &self,
        now: DateTime<Utc>,
        idle_before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        security::forget_sessions(&self.pool, now, idle_before).await
    }

    async fn renewal_tally(&self, since: DateTime<Utc>) -> Result<RenewalTally, StoreError> {
        bench::renewal_tally(&self.pool, since).await
    }

    async fn scratch_table(&self, create: bool) -> Result<(), StoreError> {
        bench::scratch_table(&self.pool, create).await
    }

    async fn scratch_insert(&self, id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let _turn = self.gate.lock().await;
        let mut tx = self.writer.begin().await?;
        bench::scratch_insert(&mut tx, id, at).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn password_reset(
        &self,
        token_hash: &str,
    ) -> Result<Option<PasswordResetRecord>, StoreError> {
        security::password_reset(&self.pool, token_hash).await
    }

    async fn forget_password_resets(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        security::forget_password_resets(&self.pool, before).await
    }
}
