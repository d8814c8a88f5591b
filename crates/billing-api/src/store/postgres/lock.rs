//! The account lock across processes: a transaction-level advisory lock,
//! held by a transaction on a pooled connection for as long as the guard
//! lives. Dropping the guard rolls the transaction back, which releases it.

use crate::store::{AccountLock, StoreError};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// This process's side of the account locks.
///
/// A waiter for an advisory lock occupies a connection, and so does a
/// holder, which also needs connections for the queries it runs while it
/// holds the lock. Two things keep the pool from starving them: waiters of
/// this process queue on an in-process mutex per account first (so at most
/// one connection per account waits in the database), and at most half the
/// pool holds or waits for locks at once (so the other half serves queries).
#[derive(Debug, Clone)]
pub(super) struct Locks {
    local: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    slots: Arc<Semaphore>,
}

/// What the locks of many accounts hold; fields drop in order, the transaction first.
struct HeldMany {
    _tx: sqlx::Transaction<'static, sqlx::Postgres>,
    _slot: tokio::sync::OwnedSemaphorePermit,
    _local: Vec<tokio::sync::OwnedMutexGuard<()>>,
}

/// What an account lock holds; fields drop in order, the transaction first.
struct Held {
    _tx: sqlx::Transaction<'static, sqlx::Postgres>,
    _slot: tokio::sync::OwnedSemaphorePermit,
    _local: tokio::sync::OwnedMutexGuard<()>,
}

impl Locks {
    /// Locks for a pool of `max_connections`.
    pub(super) fn new(max_connections: u32) -> Locks {
        Locks {
            local: Default::default(),
            slots: Arc::new(Semaphore::new((max_connections / 2).max(1) as usize)),
        }
    }

    /// Waits for, then holds, the account's lock in this process and in the
    /// database.
    pub(super) async fn lock(
        &self,
        pool: &PgPool,
        account_id: &str,
    ) -> Result<AccountLock, StoreError> {
        let local = self.local(account_id).lock_owned().await;
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))?;
        let mut tx = pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        Ok(AccountLock::new(Held {
            _tx: tx,
            _slot: slot,
            _local: local,
        }))
    }

    /// This process's lock of an account.
    fn local(&self, account_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.local.lock().unwrap_or_else(|p| p.into_inner());
        locks.entry(account_id.to_string()).or_default().clone()
    }

    /// Takes, without waiting, the locks nobody holds of these accounts, in
    /// this process and in the database, all in one transaction.
    pub(super) async fn try_lock_many(
        &self,
        pool: &PgPool,
        account_ids: &[String],
    ) -> Result<(AccountLock, Vec<String>), StoreError> {
        let mut local = Vec::new();
        let mut candidates = Vec::new();
        for id in account_ids {
            if let Ok(guard) = self.local(id).try_lock_owned() {
                local.push(guard);
                candidates.push(id.clone());
            }
        }
        if candidates.is_empty() {
            return Ok((AccountLock::new(()), Vec::new()));
        }
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))?;
        let mut tx = pool.begin().await?;
        let taken: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM unnest($1::text[]) AS t(id) WHERE pg_try_advisory_xact_lock(hashtextextended(id, 0))",
        )
        .bind(&candidates)
        .fetch_all(&mut *tx)
        .await?;
        let taken: std::collections::HashSet<String> = taken.into_iter().collect();
        let mut held = Vec::new();
        let mut kept = Vec::new();
        for (id, guard) in candidates.into_iter().zip(local) {
            if taken.contains(&id) {
                held.push(id);
                kept.push(guard);
            }
        }
        Ok((
            AccountLock::new(HeldMany {
                _tx: tx,
                _slot: slot,
                _local: kept,
            }),
            held,
        ))
    }
}
