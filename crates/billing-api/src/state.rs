//! What every handler shares.

use crate::clock::Clock;
use crate::config::Config;
use crate::gateway::PaymentGateway;
use crate::store::{AccountRecord, Store};
use billing_domain::cancel_flow::CancelFlow;
use billing_domain::seller::Seller;
use billing_domain::Catalog;
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};

/// The application's shared state: one pointer, so cloning it (every
/// request does, for each extractor and middleware that takes it) is one
/// count, not one per part. Its parts are read through it ([`Shared`]).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// The state made of these parts.
    pub fn new(parts: Shared) -> AppState {
        AppState(Arc::new(parts))
    }

    /// The same state with another payment gateway (tests put a faulty
    /// one in front of the real one).
    pub fn with_gateway(&self, gateway: Arc<dyn PaymentGateway>) -> AppState {
        AppState::new(Shared {
            gateway,
            ..(*self.0).clone()
        })
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] holds.
#[derive(Clone)]
pub struct Shared {
    pub store: Arc<dyn Store>,
    pub catalog: Arc<Catalog>,
    pub cancel_flow: Arc<CancelFlow>,
    /// The seller on every invoice and credit note (`BILLING_SELLER`).
    pub seller: Arc<Seller>,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub gateway: Arc<dyn PaymentGateway>,
    /// Faults a test asked for (test mode only).
    pub faults: Arc<Faults>,
}

/// Failures a test can inject at named points, each once.
#[derive(Debug, Default)]
pub struct Faults {
    armed: Mutex<Vec<&'static str>>,
}

impl Faults {
    /// Makes the next pass through `point` fail once.
    pub fn arm(&self, point: &'static str) {
        self.armed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(point);
    }

    /// Fails (once) if `point` was armed.
    pub fn trip(&self, point: &'static str) -> Result<(), crate::store::StoreError> {
        let mut armed = self.armed.lock().unwrap_or_else(|p| p.into_inner());
        match armed.iter().position(|p| *p == point) {
            Some(i) => {
                armed.remove(i);
                Err(crate::store::StoreError::Injected(point))
            }
            None => Ok(()),
        }
    }
}

impl AppState {
    /// `now` for this account: its own frozen clock in test mode, else the server's.
    pub fn now_for(&self, account: &AccountRecord) -> DateTime<Utc> {
        match account.clock_at {
            Some(at) if self.config.mode == crate::config::Mode::Test => at,
            _ => self.clock.now(),
        }
    }

    /// Waits for, then holds, the account's billing lock (in the store, so
    /// it holds across every instance on the same database).
    pub async fn account_lock(
        &self,
        account_id: &str,
    ) -> Result<crate::store::AccountLock, crate::store::StoreError> {
        self.store.lock_account(account_id).await
    }
}
