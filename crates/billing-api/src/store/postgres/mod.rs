//! The PostgreSQL store, for more than one machine: any number of API
//! instances share one database. Same meaning as the SQLite store; times are
//! unix seconds, money minor units, flags BOOLEAN.
//!
//! This file opens the pool, holds account locks, and implements [`Store`]
//! by handing each method to the module of its concern; those modules hold
//! the SQL.

mod access;
mod accounts;
mod audit;
mod batch;
mod bench;
mod bulk;
mod cancel;
mod counters;
mod events;
mod gateway;
mod idempotency;
mod invoices;
mod ledger;
mod lock;
mod multirow;
mod outbox;
mod reads;
mod rows;
mod security;
mod snapshots;
mod subscriptions;

use crate::store::overviews::Overviews;
use crate::store::readers::Readers;
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
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
use std::str::FromStr;
use std::sync::Arc;

/// The transaction the writes of one store call share.
type Tx<'a> = sqlx::Transaction<'a, sqlx::Postgres>;

/// The pool size when the URL does not name one (`?max_connections=N`).
pub const DEFAULT_MAX_CONNECTIONS: u32 = 16;

/// How long a pooled connection may sit idle before it is pinged on its
/// next use.
const PING_WHEN_IDLE: std::time::Duration = std::time::Duration::from_secs(1);

/// A pool of PostgreSQL connections, and reader connections beside it.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    locks: lock::Locks,
    readers: Arc<Readers<PgConnection>>,
    /// Overviews kept by account at their `reads_version` (`store::overviews`).
    overviews: Arc<Overviews>,
}

impl PgStore {
    /// Connects to the database a `postgres://` URL names. A
    /// `max_connections=N` query parameter sizes the pool (default
    /// [`DEFAULT_MAX_CONNECTIONS`], at least 4); N/2 reader connections
    /// (`store::readers`) serve the reads every signed-in request starts
    /// with, beside it.
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        let (url, max) = split_pool_size(url)?;
        let max = max.unwrap_or(DEFAULT_MAX_CONNECTIONS).max(4);
        let options = PgConnectOptions::from_str(&url)?;
        let pool = PgPoolOptions::new()
            .max_connections(max)
            // A ping before every use would double each query's round
            // trips; a connection that sat idle is still checked (a server
            // restart or a dropped link shows there), one in use is not.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_WHEN_IDLE {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(options.clone())
            .await?;
        Ok(PgStore {
            pool,
            locks: lock::Locks::new(max),
            readers: Arc::new(Readers::new(options, (max / 2) as usize)),
            overviews: Arc::default(),
        })
    }
}

/// The URL without its `max_connections` parameter, and that parameter.
fn split_pool_size(url: &str) -> Result<(String, Option<u32>), StoreError> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), None));
    };
    let mut max = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.strip_prefix("max_connections=") {
            Some(n) => {
                max = Some(n.parse().map_err(|_| {
                    StoreError::Database(sqlx::Error::Configuration(
                        format!("max_connections `{n}` is not a number").into(),
                    ))
                })?)
            }
            None => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, max))
}

#[async_trait]
impl Store for PgStore {
    async fn lock_account(&self, account_id: &str) -> Result<AccountLock, StoreError> {
        self.locks.lock(&self.pool, account_id).await
    }

    async fn try_lock_accounts(
        &self,
        account_ids: &[String],
    ) -> Result<(AccountLock, Vec<String>), StoreError> {
        self.locks.try_lock_many(&self.pool, account_ids).await
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations/postgres")
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
        reads::session_actor(&self.readers, token_hash).await
    }

    async fn session_overview(
        &self,
        token_hash: &str,
    ) -> Result<Option<(SessionActorRecord, Option<OverviewRecord>)>, StoreError> {
        reads::session_overview(&self.readers, &self.overviews, token_hash).await
    }

    async fn overview(&self, account_id: &str) -> Result<Option<OverviewRecord>, StoreError> {
        reads::overview(&self.readers, &self.overviews, account_id).await
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
        batch::commit(&self.pool, crate::store::write::prepared(writes)).await
    }

    async fn commit_many(&self, batches: Vec<Vec<Write>>) -> Vec<Result<(), StoreError>> {
        let batches = batches
            .into_iter()
            .map(crate::store::write::prepared)
            .collect();
        batch::commit_many(&self.pool, batches).await
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
        gateway::record_gateway_charge(&self.pool, c).await
    }

    async fn record_gateway_charges(
        &self,
        charges: &[GatewayChargeRecord],
    ) -> Result<Vec<GatewayChargeRecord>, StoreError> {
        gateway::record_gateway_charges(&self.pool, charges).await
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
        let mut tx = self.pool.begin().await?;
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

#[cfg(test)]
mod tests {
    use super::split_pool_size;

    #[test]
    fn the_pool_size_is_taken_out_of_the_url() {
        let (url, max) = split_pool_size("postgres://u@h/db?max_connections=32").unwrap();
        assert_eq!((url.as_str(), max), ("postgres://u@h/db", Some(32)));
        let (url, max) =
            split_pool_size("postgres://u@h/db?sslmode=disable&max_connections=8").unwrap();
        assert_eq!(
            (url.as_str(), max),
            ("postgres://u@h/db?sslmode=disable", Some(8))
        );
        let (url, max) = split_pool_size("postgres://u@h/db").unwrap();
        assert_eq!((url.as_str(), max), ("postgres://u@h/db", None));
        assert!(split_pool_size("postgres://u@h/db?max_connections=many").is_err());
    }
}
