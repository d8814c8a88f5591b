//! What the store keeps to protect sign-in: the throttle counters of
//! attempts, and password reset links.

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

/// A password reset link: its token only as a hash, single use, expiring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordResetRecord {
    /// SHA-256 of the link's token: a leaked table resets nobody's password.
    pub token_hash: String,
    pub user_id: String,
    pub created_at: DateTime<Utc>,
    /// The link stops working then.
    pub expires_at: DateTime<Utc>,
    /// When the link was used; it works once.
    pub used_at: Option<DateTime<Utc>>,
}
