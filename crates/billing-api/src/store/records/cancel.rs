//! Cancel-wizard sessions and the save-rate counts reported over them.

use chrono::{DateTime, Utc};

/// One run of the cancel wizard, for save-rate reporting.
#[derive(Debug, Clone)]
pub struct CancelSessionRecord {
    pub id: String,
    pub account_id: String,
    pub user_id: String,
    pub started_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub reason_text: Option<String>,
    pub offers_shown: Vec<String>,
    /// `saved`, `paused`, `canceled` or `meeting_requested`.
    pub outcome: Option<String>,
    pub offer_id: Option<String>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// Save-rate counts over a date range.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SaveRate {
    pub starts: i64,
    /// (offer id, saves).
    pub saves_by_offer: Vec<(String, i64)>,
    /// (reason id, cancellations).
    pub cancellations_by_reason: Vec<(String, i64)>,
    pub pauses: i64,
    pub meetings: i64,
}
