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
    /// Also sent to (a billing e-mail's CC list).
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
    pub invoice_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Files it carries (the Paid e-mail: the invoice PDF).
    pub attachments: Vec<EmailAttachment>,
}

/// A file an e-mail carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EmailAttachment {
    pub filename: String,
    pub content_type: String,
    /// In bytes.
    pub size: u64,
}

/// A list of e-mails, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EmailList {
    pub data: Vec<Email>,
}
