//! Where `now` comes from. The server asks a [`Clock`]; a test account's own
//! frozen clock (test mode only) overrides it for that account.

use chrono::{DateTime, TimeZone, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync + 'static {
    /// The current time, in whole seconds.
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        whole_seconds(Utc::now())
    }
}

/// Drops sub-second precision: the product computes in whole seconds.
pub fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    from_unix(t.timestamp())
}

/// A unix time in seconds as a UTC time.
pub fn from_unix(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}
