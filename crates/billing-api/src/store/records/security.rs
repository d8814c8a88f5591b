//! What the store keeps to protect sign-in: the throttle counters of
//! failed attempts.

use chrono::{DateTime, Utc};

/// The sign-in attempts counted under one key (an e-mail, or an e-mail
/// from one client), with the moment before which no attempt is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleRecord {
    /// A hash of what the key counts (never the e-mail or address itself).
    pub key: String,
    /// Attempts since the last success (or since they were forgotten).
    pub attempts: i64,
    /// No attempt is taken before this.
    pub blocked_until: DateTime<Utc>,
    /// The last attempt or success.
    pub updated_at: DateTime<Utc>,
    /// The last successful sign-in under this key.
    pub succeeded_at: Option<DateTime<Utc>>,
    /// Bumped by the store on every write; a swap names the version it read.
    pub version: i64,
}
