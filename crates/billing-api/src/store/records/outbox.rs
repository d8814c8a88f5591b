//! An e-mail in the durable outbox.

use chrono::{DateTime, Utc};

/// An e-mail in the durable outbox.
#[derive(Debug, Clone)]
pub struct OutboxEmail {
    pub id: String,
    pub account_id: String,
    /// e.g. `invoice_paid`, `card_declined`.
    pub kind: String,
    pub to_email: String,
    pub to_name: String,
    pub subject: String,
    pub body: String,
    /// Also sent to (the billing CC list for billing e-mails).
    pub cc: Vec<String>,
    pub invoice_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}
