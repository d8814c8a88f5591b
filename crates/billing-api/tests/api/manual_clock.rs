//! A server clock that tests move by hand: sign-in waits and session
//! lifetimes are measured on the server's clock, not an account's.

use billing_api::clock::{from_unix, Clock};
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};

/// A clock that moves only when told.
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock standing still at a fixed moment.
    pub fn new() -> Arc<ManualClock> {
        Arc::new(ManualClock(Mutex::new(from_unix(1_800_000_000))))
    }

    /// Moves the clock on by `secs`.
    pub fn advance(&self, secs: i64) {
        let mut now = self.0.lock().unwrap();
        *now += chrono::Duration::seconds(secs);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}
