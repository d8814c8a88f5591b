//! Accounts and who belongs to them: users, sessions, cards, billing-access
//! requests, and a whole new account as it is first written.

use super::{
    AuditEntry, GatewayChargeRecord, GatewayTokenRecord, InvoiceRecord, LedgerRecord,
    SubscriptionRecord,
};
use billing_domain::ledger::LedgerKind;
use billing_domain::permissions::AccountPolicy;
use billing_domain::{BillingAccess, Money, Role};
use chrono::{DateTime, Utc};

/// An account (a customer company).
#[derive(Debug, Clone)]
pub struct AccountRecord {
    pub id: String,
    pub name: String,
    pub policy: AccountPolicy,
    pub is_demo: bool,
    /// Test accounts only: the account's frozen clock.
    pub clock_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// When the data was deleted after cancellation.
    pub deleted_at: Option<DateTime<Utc>>,
    /// The buyer's billing details as set; `None` until someone sets them
    /// (the defaults: the account's name, the owner's e-mail).
    pub billing_details: Option<billing_domain::wire::BillingDetails>,
}

/// A user of an account.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: String,
    pub account_id: String,
    pub name: String,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub billing_access: BillingAccess,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// What is kept of a user's e-mail once their account's data is deleted:
/// a SHA-256 (hex) of the trimmed, lower-cased address, so a sign-in can
/// still say the account was deleted without the address being kept.
pub fn erased_email_hash(email: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(email.trim().to_lowercase().as_bytes()))
}

/// The e-mail column of an erased user: unique, and no address.
pub fn erased_email(user_id: &str) -> String {
    format!("erased:{user_id}")
}

/// A signed-in session; the cookie holds the token, the store its hash.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub token_hash: String,
    pub user_id: String,
    pub created_at: DateTime<Utc>,
    /// The absolute end: the session ends then, however busy.
    pub expires_at: DateTime<Utc>,
    /// The last time it was used (kept to the minute); idle sessions end.
    pub last_seen_at: DateTime<Utc>,
}

/// A session with whom it signs in, read in one query: the user, their
/// account and the state of the account's subscription, each `None` when
/// absent. Whether the session still admits anyone is the caller's rule.
#[derive(Debug, Clone)]
pub struct SessionActorRecord {
    pub session: SessionRecord,
    pub user: Option<UserRecord>,
    pub account: Option<AccountRecord>,
    pub status: Option<billing_domain::SubscriptionStatus>,
}

/// A stored card: brand, last four, expiry and the gateway's token only.
#[derive(Debug, Clone)]
pub struct PaymentMethodRecord {
    pub id: String,
    pub account_id: String,
    pub brand: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: u32,
    pub gateway_token: String,
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
}

/// A member's request for billing access.
#[derive(Debug, Clone)]
pub struct AccessRequestRecord {
    pub id: String,
    pub account_id: String,
    pub user_id: String,
    pub note: String,
    /// `open`, `granted` or `declined`.
    pub status: String,
    pub granted: Option<BillingAccess>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
}

/// A whole new account, written in one transaction.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub account: AccountRecord,
    pub users: Vec<UserRecord>,
    pub subscription: SubscriptionRecord,
    pub payment_method: Option<PaymentMethodRecord>,
    pub invoices: Vec<InvoiceRecord>,
    pub audit: Vec<AuditEntry>,
}

impl NewAccount {
    /// The ledger a new account starts with: the card charge of each paid
    /// invoice of its history, then its opening credit balance, if any.
    pub fn opening_ledger(&self) -> Vec<LedgerRecord> {
        let mut entries: Vec<LedgerRecord> = self
            .invoices
            .iter()
            .filter(|inv| inv.total > 0)
            .filter_map(|inv| {
                Some(LedgerRecord {
                    id: format!("led_{}", inv.id),
                    account_id: inv.account_id.clone(),
                    kind: LedgerKind::CardCharge,
                    amount: Money::new(inv.total, inv.currency),
                    invoice_id: Some(inv.id.clone()),
                    charge_id: Some(inv.charge_id.clone()?),
                    refund_of: None,
                    withdrawal_id: None,
                    memo: "Card charged".into(),
                    at: inv.paid_at.unwrap_or(inv.created_at),
                })
            })
            .collect();
        let s = &self.subscription;
        if s.credit_balance > 0 {
            entries.push(LedgerRecord {
                id: format!("led_open_{}", s.account_id),
                account_id: s.account_id.clone(),
                kind: LedgerKind::CreditGranted,
                amount: Money::new(s.credit_balance, s.currency),
                invoice_id: None,
                charge_id: None,
                refund_of: None,
                withdrawal_id: None,
                memo: "Opening balance".into(),
                at: s.current_period_start,
            });
        }
        entries
    }
}

/// Many new accounts written at once, with the simulated gateway's records
/// of their cards and of the charges their history paid.
#[derive(Debug, Clone, Default)]
pub struct AccountBatch {
    pub accounts: Vec<NewAccount>,
    pub gateway_tokens: Vec<GatewayTokenRecord>,
    pub gateway_charges: Vec<GatewayChargeRecord>,
}

/// What the scheduler reads of an account to know its due work: the
/// account, its subscription, default card, users (owner first) and open
/// invoices (oldest first).
#[derive(Debug, Clone)]
pub struct AccountSnapshot {
    pub account: AccountRecord,
    pub subscription: Option<SubscriptionRecord>,
    pub card: Option<PaymentMethodRecord>,
    pub users: Vec<UserRecord>,
    pub open_invoices: Vec<InvoiceRecord>,
}
