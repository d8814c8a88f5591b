//! What every handler shares.

use crate::clock::Clock;
use crate::config::Config;
use crate::store::{AccountRecord, Store};
use billing_domain::Catalog;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The application's shared state (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub catalog: Arc<Catalog>,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
}

impl AppState {
    /// `now` for this account: its own frozen clock in test mode, else the server's.
    pub fn now_for(&self, account: &AccountRecord) -> DateTime<Utc> {
        match account.clock_at {
            Some(at) if self.config.mode == crate::config::Mode::Test => at,
            _ => self.clock.now(),
        }
    }
}
