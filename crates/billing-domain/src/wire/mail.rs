//! E-mails from the outbox (dev mailbox and test mode).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// An e-mail from the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Email {
    pub id: String,
    /// e.g. `invoice_paid`, `card_declined`, `grace_ending`, `freeze_reminder`.
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub invoice_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A list of e-mails, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EmailList {
    pub data: Vec<Email>,
}
