//! A line of an account's audit log.

use chrono::{DateTime, Utc};

/// One line of an account's audit log.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: String,
    pub account_id: String,
    /// `None` when the system acted.
    pub actor_user_id: Option<String>,
    /// A dotted name, e.g. `member.billing_access_changed`.
    pub action: String,
    /// A JSON object with the details and amounts.
    pub details: serde_json::Value,
    pub at: DateTime<Utc>,
}
