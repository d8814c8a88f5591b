//! Persistence behind a trait, so the SQL backend (SQLite now, PostgreSQL
//! later) is a choice at start-up and the services never see SQL.

mod sqlite;

pub use sqlite::SqliteStore;

use async_trait::async_trait;
use billing_domain::invoice::{InvoiceDraft, InvoiceLine, InvoiceStatus};
use billing_domain::ledger::LedgerKind;
use billing_domain::permissions::AccountPolicy;
use billing_domain::Money;
use billing_domain::{
    AddOnId, BillingAccess, Currency, Interval, PlanId, Role, SubscriptionStatus,
};
use chrono::{DateTime, Utc};

/// A failure of the store itself (never a business rule).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("unique constraint: {0}")]
    Conflict(String),
    /// The subscription changed since it was read (optimistic concurrency).
    #[error("the subscription was changed by someone else")]
    VersionConflict,
    /// A once-only marker already exists: the work was done before.
    #[error("already done: {0}")]
    AlreadyDone(String),
    /// The batch would break the ledger (a negative balance).
    #[error("ledger: {0}")]
    Ledger(String),
    /// A fault injected by a test (test mode only).
    #[error("injected fault: {0}")]
    Injected(&'static str),
}

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

/// A signed-in session; the cookie holds the token, the store its hash.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub token_hash: String,
    pub user_id: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// An account's subscription.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SubscriptionRecord {
    pub account_id: String,
    pub plan: PlanId,
    pub interval: Interval,
    pub seats: u32,
    pub add_ons: Vec<AddOnId>,
    pub status: SubscriptionStatus,
    pub billing_anchor: DateTime<Utc>,
    pub current_period_start: DateTime<Utc>,
    pub current_period_end: DateTime<Utc>,
    pub currency: Currency,
    /// The available credit balance in minor units: read from the ledger,
    /// never written (a change of balance is a ledger entry).
    pub credit_balance: i64,
    /// Credit held for withdrawals not yet decided (from the ledger).
    pub credit_held: i64,
    pub version: i64,
    /// When the account became past due (a renewal was declined).
    pub past_due_since: Option<DateTime<Utc>>,
    /// When the grace period ends and the account is deactivated.
    pub grace_until: Option<DateTime<Utc>>,
    /// Seats to drop to at the renewal.
    pub pending_seats: Option<u32>,
    /// The interval to switch to at the renewal.
    pub pending_interval: Option<Interval>,
    /// A scheduled cancellation's moment (the period end).
    pub cancel_at: Option<DateTime<Utc>>,
    /// When cancellation took effect.
    pub canceled_at: Option<DateTime<Utc>>,
    /// A retention offer's discount, in percent.
    pub discount_percent: Option<u32>,
    /// How many more months of service the discount covers.
    pub discount_periods_left: Option<u32>,
    /// Whether the current period was billed at the pause price.
    pub pause_billed: bool,
    /// Whether the customer has paused (renewals bill the pause price).
    pub paused: bool,
    /// The discount the current period was billed with, in percent-months.
    pub period_discount: u32,
    /// When a retention discount was last accepted.
    pub discount_accepted_at: Option<DateTime<Utc>>,
}

impl SubscriptionRecord {
    /// The discount still to come, if any.
    pub fn discount(&self) -> Option<billing_domain::renewal::Discount> {
        match (self.discount_percent, self.discount_periods_left) {
            (Some(percent), Some(months_left)) if months_left > 0 => {
                Some(billing_domain::renewal::Discount {
                    percent,
                    months_left,
                })
            }
            _ => None,
        }
    }

    /// The money-relevant state the domain prices.
    pub fn standing(&self) -> billing_domain::renewal::Standing {
        billing_domain::renewal::Standing {
            terms: billing_domain::change::Terms::new(
                self.plan,
                self.interval,
                self.seats,
                self.add_ons.clone(),
            ),
            pending: billing_domain::change::Pending {
                seats: self.pending_seats,
                interval: self.pending_interval,
            },
            period: billing_domain::period::Period {
                start: self.current_period_start,
                end: self.current_period_end,
            },
            anchor: self.billing_anchor,
            paused: self.paused,
            pause_billed: self.pause_billed,
            discount: self.discount(),
            period_discount: self.period_discount,
            credit: Money::new(self.credit_balance, self.currency),
        }
    }

    /// This record after a period billed in full: its terms, period and
    /// discount, pending changes applied (kept when a pause month is billed).
    pub fn after_bill(&self, bill: &billing_domain::renewal::PeriodBill) -> SubscriptionRecord {
        let discount = bill.discount_after;
        SubscriptionRecord {
            plan: bill.terms.plan,
            interval: bill.terms.interval,
            seats: bill.terms.seats,
            add_ons: bill.terms.add_ons.clone(),
            billing_anchor: bill.anchor,
            current_period_start: bill.period.start,
            current_period_end: bill.period.end,
            pending_seats: if bill.pause { self.pending_seats } else { None },
            pending_interval: if bill.pause {
                self.pending_interval
            } else {
                None
            },
            pause_billed: bill.pause,
            period_discount: bill.period_discount,
            // The percent stays while this period is discounted, so voiding
            // its invoice can give the months back.
            discount_percent: discount
                .map(|d| d.percent)
                .or(self.discount_percent.filter(|_| bill.period_discount > 0)),
            discount_periods_left: discount
                .map(|d| d.months_left)
                .or((bill.period_discount > 0 && self.discount_percent.is_some()).then_some(0)),
            ..self.clone()
        }
    }

    /// The standing a recovery prices from: the open invoices of the locked
    /// periods are voided, so their credit and the discount months their
    /// period took come back.
    pub fn standing_for_recovery(
        &self,
        locked: &[InvoiceRecord],
    ) -> billing_domain::renewal::Standing {
        let mut standing = self.standing();
        let restored: i64 = locked.iter().map(|i| i.credit_applied).sum();
        standing.credit = Money::new(standing.credit.amount() + restored, self.currency);
        let locked_period_billed = locked
            .iter()
            .any(|i| i.period_start == Some(self.current_period_start));
        if let (Some(percent), true) = (self.discount_percent, locked_period_billed) {
            if percent > 0 && self.period_discount > 0 {
                let months =
                    self.period_discount / percent + self.discount_periods_left.unwrap_or(0);
                standing.discount = Some(billing_domain::renewal::Discount {
                    percent,
                    months_left: months,
                });
                standing.period_discount = 0;
            }
        }
        standing
    }
}

/// One movement of money (SPEC §11).
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRecord {
    pub id: String,
    pub account_id: String,
    pub kind: LedgerKind,
    /// Positive; the kind says which way it went.
    pub amount: Money,
    pub invoice_id: Option<String>,
    /// The gateway's charge or refund id.
    pub charge_id: Option<String>,
    /// For a card refund: the charge refunded.
    pub refund_of: Option<String>,
    pub withdrawal_id: Option<String>,
    pub memo: String,
    pub at: DateTime<Utc>,
}

/// A request to pay out the credit balance.
#[derive(Debug, Clone, PartialEq)]
pub struct WithdrawalRecord {
    pub id: String,
    pub account_id: String,
    pub amount: Money,
    /// `requested`, `paid` or `declined`.
    pub status: String,
    pub note: String,
    pub requested_by: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
}

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

/// A stored response to replay for a repeated idempotency key.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub body: String,
}

/// What an idempotency key says about a request.
#[derive(Debug, Clone)]
pub enum IdempotencyBegin {
    /// First use: run the request, then finish or abandon the key.
    New,
    /// Seen with the same request: replay this.
    Replay(StoredResponse),
    /// Seen with the same request, still running.
    InProgress,
    /// Seen with a different request.
    Mismatch,
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

/// A stored invoice with its lines.
#[derive(Debug, Clone)]
pub struct InvoiceRecord {
    pub id: String,
    pub account_id: String,
    /// Per-account sequence (assigned on insert when 0).
    pub seq: i64,
    pub status: InvoiceStatus,
    /// `subscription_create`, `subscription_cycle` or `subscription_update`.
    pub reason: String,
    pub currency: Currency,
    pub total: i64,
    pub credit_applied: i64,
    pub credit_created: i64,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub attempt_count: i64,
    pub last_error: Option<String>,
    pub charge_id: Option<String>,
    pub lines: Vec<InvoiceLine>,
    /// The gateway key of a charge in flight (set before the call).
    pub pending_key: Option<String>,
    /// The card token of that charge.
    pub pending_token: Option<String>,
    /// What paying this invoice does (JSON of a `Settlement`).
    pub settlement: Option<String>,
    /// The idempotency key (scope and key) of the request that created it.
    pub request_key: Option<String>,
}

impl InvoiceRecord {
    /// An invoice paid at `at` for `period`: by the card charge `charge_id`,
    /// or wholly by credit when there is none.
    pub fn paid(
        id: String,
        account_id: &str,
        reason: &str,
        draft: &InvoiceDraft,
        period: (DateTime<Utc>, DateTime<Utc>),
        at: DateTime<Utc>,
        charge_id: Option<String>,
    ) -> InvoiceRecord {
        InvoiceRecord {
            id,
            account_id: account_id.into(),
            seq: 0,
            status: InvoiceStatus::Paid,
            reason: reason.into(),
            currency: draft.total.currency(),
            total: draft.total.amount(),
            credit_applied: draft.credit_applied.amount(),
            credit_created: draft.credit_created.amount(),
            period_start: Some(period.0),
            period_end: Some(period.1),
            created_at: at,
            paid_at: Some(at),
            attempt_count: i64::from(charge_id.is_some()),
            last_error: None,
            charge_id,
            lines: draft.lines.clone(),
            pending_key: None,
            pending_token: None,
            settlement: None,
            request_key: None,
        }
    }

    /// An open invoice for `period`, to be charged.
    pub fn open(
        id: String,
        account_id: &str,
        reason: &str,
        draft: &InvoiceDraft,
        period: (DateTime<Utc>, DateTime<Utc>),
        at: DateTime<Utc>,
    ) -> InvoiceRecord {
        InvoiceRecord {
            status: InvoiceStatus::Open,
            paid_at: None,
            attempt_count: 0,
            ..InvoiceRecord::paid(id, account_id, reason, draft, period, at, None)
        }
    }
}

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
    pub invoice_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A card in the simulated gateway's vault.
#[derive(Debug, Clone)]
pub struct GatewayTokenRecord {
    pub token: String,
    pub brand: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: u32,
    pub behaviour: String,
    pub created_at: DateTime<Utc>,
}

/// A charge the simulated gateway made or refused.
#[derive(Debug, Clone)]
pub struct GatewayChargeRecord {
    pub id: String,
    pub token: String,
    pub amount: i64,
    pub currency: String,
    pub idempotency_key: String,
    /// `succeeded` or `failed:<code>`.
    pub outcome: String,
    pub created_at: DateTime<Utc>,
}

/// One write of a batch; a batch commits whole or not at all.
#[derive(Debug, Clone)]
pub enum Write {
    /// Replaces the subscription if it is still at `expected_version`; the
    /// stored version becomes `expected_version + 1`.
    Subscription {
        record: SubscriptionRecord,
        expected_version: i64,
    },
    /// Inserts an invoice and its lines (assigning the next `seq`).
    InsertInvoice(InvoiceRecord),
    /// Updates an open invoice's payment state and clears any charge in
    /// flight; fails with `AlreadyDone` if the invoice is no longer open.
    UpdateInvoice {
        id: String,
        status: InvoiceStatus,
        paid_at: Option<DateTime<Utc>>,
        attempt_count: i64,
        last_error: Option<String>,
        charge_id: Option<String>,
    },
    /// Records that a charge of invoice `id` is about to be made under `key`.
    BeginAttempt {
        id: String,
        key: String,
        token: String,
        attempt_count: i64,
    },
    /// Appends to the ledger (the batch fails if a balance would go negative).
    Ledger(LedgerRecord),
    /// Files a withdrawal request.
    InsertWithdrawal(WithdrawalRecord),
    /// Decides a requested withdrawal (fails with `AlreadyDone` if decided).
    DecideWithdrawal {
        id: String,
        status: String,
        decided_at: DateTime<Utc>,
        decided_by: String,
    },
    /// Makes a card the account's only default.
    SetDefaultPaymentMethod(PaymentMethodRecord),
    /// Appends to the audit log.
    Audit(AuditEntry),
    /// Queues an e-mail.
    Email(OutboxEmail),
    /// Claims a once-only marker; the batch fails with `AlreadyDone` if taken.
    Once {
        marker: String,
        account_id: String,
        at: DateTime<Utc>,
    },
    /// Moves a test account's clock.
    SetClock {
        account_id: String,
        at: DateTime<Utc>,
    },
    /// Sets a member's billing access.
    SetBillingAccess {
        user_id: String,
        access: BillingAccess,
    },
    /// Sets the account's owner-only cancel policy.
    SetCancelPolicy {
        account_id: String,
        cancel_requires_owner: bool,
    },
    /// Files a member's access request (fails with `Conflict` if one is open).
    InsertAccessRequest(AccessRequestRecord),
    /// Starts or updates a cancel-wizard session (upsert by id).
    CancelSession(CancelSessionRecord),
    /// Records product usage.
    Usage {
        id: String,
        account_id: String,
        kind: String,
        quantity: i64,
        at: DateTime<Utc>,
    },
    /// Deletes the account's data after the retention window.
    DeleteAccountData {
        account_id: String,
        at: DateTime<Utc>,
    },
    /// Decides an open access request.
    DecideAccessRequest {
        id: String,
        status: String,
        granted: Option<BillingAccess>,
        decided_at: DateTime<Utc>,
        decided_by: String,
    },
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

/// The portal's persistence. Every method is one transaction.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Brings the schema up to date.
    async fn migrate(&self) -> Result<(), StoreError>;
    /// How many accounts exist.
    async fn count_accounts(&self) -> Result<i64, StoreError>;
    /// Whether any demo account exists.
    async fn has_demo_data(&self) -> Result<bool, StoreError>;
    /// Writes an account with its users, subscription, card and audit lines.
    async fn insert_account(&self, new: &NewAccount) -> Result<(), StoreError>;
    /// The account with this id.
    async fn account(&self, id: &str) -> Result<Option<AccountRecord>, StoreError>;
    /// The user with this e-mail (compared case-insensitively).
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError>;
    /// The user with this id.
    async fn user(&self, id: &str) -> Result<Option<UserRecord>, StoreError>;
    /// The account's users, owner first, then by name.
    async fn users_of_account(&self, account_id: &str) -> Result<Vec<UserRecord>, StoreError>;
    /// Stores a new session.
    async fn insert_session(&self, session: &SessionRecord) -> Result<(), StoreError>;
    /// The session with this token hash.
    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError>;
    /// Deletes a session (signing out); absent is fine.
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// The account's subscription.
    async fn subscription(
        &self,
        account_id: &str,
    ) -> Result<Option<SubscriptionRecord>, StoreError>;
    /// The account's default payment method.
    async fn default_payment_method(
        &self,
        account_id: &str,
    ) -> Result<Option<PaymentMethodRecord>, StoreError>;
    /// Sets a user's billing access and records it, in one transaction.
    async fn set_billing_access(
        &self,
        user_id: &str,
        access: BillingAccess,
        audit: &AuditEntry,
    ) -> Result<(), StoreError>;
    /// The account's audit log, newest first.
    async fn audit_log(&self, account_id: &str, limit: i64) -> Result<Vec<AuditEntry>, StoreError>;
    /// Commits a batch of writes in one transaction.
    async fn commit(&self, writes: Vec<Write>) -> Result<(), StoreError>;
    /// A page of the account's invoices, newest first, after `starting_after`.
    async fn invoices(
        &self,
        account_id: &str,
        limit: i64,
        starting_after: Option<&str>,
    ) -> Result<Vec<InvoiceRecord>, StoreError>;
    /// One invoice with its lines.
    async fn invoice(&self, id: &str) -> Result<Option<InvoiceRecord>, StoreError>;
    /// The account's open invoices, oldest first.
    async fn open_invoices(&self, account_id: &str) -> Result<Vec<InvoiceRecord>, StoreError>;
    /// The account's e-mails, newest first.
    async fn emails(&self, account_id: &str) -> Result<Vec<OutboxEmail>, StoreError>;
    /// E-mails not yet sent, oldest first.
    async fn unsent_emails(&self, limit: i64) -> Result<Vec<OutboxEmail>, StoreError>;
    /// Records a delivery attempt.
    async fn mark_email(
        &self,
        id: &str,
        sent_at: Option<DateTime<Utc>>,
        error: Option<&str>,
    ) -> Result<(), StoreError>;
    /// Accounts on the server's clock with billing work possibly due by `horizon`.
    async fn accounts_with_work(&self, horizon: DateTime<Utc>) -> Result<Vec<String>, StoreError>;
    /// Claims an idempotency key for a request (dropping keys older than `expire_before`).
    async fn idempotency_begin(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
        expire_before: DateTime<Utc>,
    ) -> Result<IdempotencyBegin, StoreError>;
    /// Stores the response of a claimed key.
    async fn idempotency_finish(
        &self,
        scope: &str,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), StoreError>;
    /// Releases a claimed key whose request failed on our side, so a retry runs.
    async fn idempotency_abandon(&self, scope: &str, key: &str) -> Result<(), StoreError>;
    /// Parks a key whose request charged a card but failed to finish: it is
    /// never released, but the same request may run again to finish it.
    async fn idempotency_park(&self, scope: &str, key: &str) -> Result<(), StoreError>;
    /// The account's ledger, oldest first.
    async fn ledger(&self, account_id: &str) -> Result<Vec<LedgerRecord>, StoreError>;
    /// The account's withdrawal requests, newest first.
    async fn withdrawals(&self, account_id: &str) -> Result<Vec<WithdrawalRecord>, StoreError>;
    /// One withdrawal request.
    async fn withdrawal(&self, id: &str) -> Result<Option<WithdrawalRecord>, StoreError>;
    /// The invoice a request (by its idempotency scope and key) created.
    async fn invoice_by_request_key(
        &self,
        request_key: &str,
    ) -> Result<Option<InvoiceRecord>, StoreError>;
    /// The simulated gateway's charges and refunds on the account's cards.
    async fn gateway_charges_of_account(
        &self,
        account_id: &str,
    ) -> Result<Vec<GatewayChargeRecord>, StoreError>;
    /// A page of the audit log, newest first, after the entry `starting_after`.
    async fn audit_page(
        &self,
        account_id: &str,
        limit: i64,
        starting_after: Option<&str>,
    ) -> Result<Vec<AuditEntry>, StoreError>;
    /// The account's access requests with this status, oldest first.
    async fn access_requests(
        &self,
        account_id: &str,
        status: &str,
    ) -> Result<Vec<AccessRequestRecord>, StoreError>;
    /// One access request.
    async fn access_request(&self, id: &str) -> Result<Option<AccessRequestRecord>, StoreError>;
    /// The user's open access request, if any.
    async fn open_access_request(
        &self,
        user_id: &str,
    ) -> Result<Option<AccessRequestRecord>, StoreError>;
    /// A cancel-wizard session.
    async fn cancel_session(&self, id: &str) -> Result<Option<CancelSessionRecord>, StoreError>;
    /// Usage totals by kind since `since`.
    async fn usage_since(
        &self,
        account_id: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, i64)>, StoreError>;
    /// Save-rate counts for wizard sessions started in `[from, to)`.
    async fn save_rate(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<SaveRate, StoreError>;
    /// Whether a once-only marker exists.
    async fn marker_exists(&self, marker: &str) -> Result<bool, StoreError>;
    /// Stores a card in the simulated gateway's vault.
    async fn insert_gateway_token(&self, token: &GatewayTokenRecord) -> Result<(), StoreError>;
    /// A card from the simulated gateway's vault.
    async fn gateway_token(&self, token: &str) -> Result<Option<GatewayTokenRecord>, StoreError>;
    /// Records a gateway charge; if its idempotency key was used, returns the
    /// first charge instead and stores nothing.
    async fn record_gateway_charge(
        &self,
        charge: &GatewayChargeRecord,
    ) -> Result<GatewayChargeRecord, StoreError>;
}

/// Opens the store a database URL names.
pub async fn connect(url: &str) -> anyhow::Result<std::sync::Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        anyhow::bail!("PostgreSQL is not supported yet; use a sqlite: URL")
    } else {
        anyhow::bail!("BILLING_DATABASE_URL must start with sqlite: (got `{url}`)")
    }
}
