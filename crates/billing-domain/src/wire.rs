//! JSON bodies shared by the API and the SPA (SPEC §9).
//!
//! Request bodies refuse unknown fields; money is [`Money`] and times are
//! RFC 3339 UTC.

use crate::cancel_flow::{AccessEnds, Consequence, Offer, Reason};
use crate::catalog::{AddOnId, Interval, PlanId};
use crate::change::{Pending, Terms};
use crate::invoice::{InvoiceLine, InvoiceStatus};
use crate::money::Money;
use crate::permissions::{BillingAccess, Permission, Role};
use crate::refund::RefundQuote;
use crate::subscription::SubscriptionStatus;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// `POST /api/session`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

/// The signed-in user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UserSummary {
    pub id: String,
    pub name: String,
    pub email: String,
}

/// The user's account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccountSummary {
    pub id: String,
    pub name: String,
}

/// `GET /api/session`: who is signed in and what they may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionInfo {
    pub user: UserSummary,
    pub account: AccountSummary,
    pub role: Role,
    pub billing_access: BillingAccess,
    pub permissions: Vec<Permission>,
}

impl SessionInfo {
    /// Whether the user holds `p` (as the API said at the last request).
    pub fn can(&self, p: Permission) -> bool {
        self.permissions.contains(&p)
    }
}

/// A card network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    Discover,
}

impl CardBrand {
    /// The wire identifier.
    pub fn as_str(&self) -> &'static str {
        match self {
            CardBrand::Visa => "visa",
            CardBrand::Mastercard => "mastercard",
            CardBrand::Amex => "amex",
            CardBrand::Discover => "discover",
        }
    }

    /// Parses a wire identifier.
    pub fn parse(s: &str) -> Option<CardBrand> {
        [
            CardBrand::Visa,
            CardBrand::Mastercard,
            CardBrand::Amex,
            CardBrand::Discover,
        ]
        .into_iter()
        .find(|b| b.as_str() == s)
    }

    /// The brand as people write it.
    pub fn label(&self) -> &'static str {
        match self {
            CardBrand::Visa => "Visa",
            CardBrand::Mastercard => "Mastercard",
            CardBrand::Amex => "American Express",
            CardBrand::Discover => "Discover",
        }
    }
}

/// The default payment method, as stored: never the number or CVC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PaymentMethodSummary {
    pub brand: CardBrand,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: u32,
}

/// Seats bought and seats taken by active users.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Seats {
    pub purchased: u32,
    pub used: u32,
}

/// `GET /api/billing/overview`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BillingOverview {
    pub status: SubscriptionStatus,
    pub plan: PlanId,
    /// The plan's name from the catalog.
    pub plan_name: String,
    /// Contract plans are cancelled through Customer Success.
    pub contract: bool,
    pub interval: Interval,
    pub seats: Seats,
    pub add_ons: Vec<AddOnId>,
    pub current_period_start: DateTime<Utc>,
    pub current_period_end: DateTime<Utc>,
    /// What the card will be charged next: the next renewal after its
    /// discount and the credit balance (exactly what the renewal bills); while
    /// deactivated, frozen or canceled, what saving a card charges now (a new
    /// period from that moment); while past due, what is owed.
    pub next_charge: Money,
    /// When the renewal is charged; null when nothing renews.
    pub next_charge_date: Option<DateTime<Utc>>,
    /// How `next_charge` is made up, when it is a period's invoice.
    pub next_bill: Option<NextBill>,
    pub payment_method: Option<PaymentMethodSummary>,
    /// Credit available to the next invoices (the sum of the ledger).
    pub credit_balance: Money,
    /// Credit held for withdrawal requests the billing team has not decided.
    pub credit_held: Money,
    /// What open invoices still owe (zero when paid up).
    pub amount_due: Money,
    /// While past due: when the grace period ends and the account is deactivated.
    pub grace_until: Option<DateTime<Utc>>,
    /// While past due: whole days of grace left (0 on the last day).
    pub grace_days_left: Option<i64>,
    /// The moment these figures are for (the account's clock).
    pub as_of: DateTime<Utc>,
    /// Changes waiting for the renewal (undoable).
    pub pending: Pending,
    /// When pending changes take effect (the period end), if any are pending.
    pub pending_effective_at: Option<DateTime<Utc>>,
    /// Who holds seats: the active users' names, for the seat stepper's limit.
    pub seat_holders: Vec<String>,
    /// A scheduled cancellation: when access ends.
    pub cancel_at: Option<DateTime<Utc>>,
    /// When cancellation took effect.
    pub canceled_at: Option<DateTime<Utc>>,
    /// After cancellation: when the data will be deleted.
    pub data_deleted_at: Option<DateTime<Utc>>,
    /// A retention discount still to come: percent and months of service left.
    pub discount: Option<crate::renewal::Discount>,
    /// Whether the current period was billed with a discount (its changes
    /// prorate at the discounted rate).
    pub current_period_discounted: bool,
    /// The subscription's version (also the `ETag` header).
    pub version: i64,
}

/// The parts of a period's invoice before it is charged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NextBill {
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    /// The list price of the period.
    pub price: Money,
    /// The retention discount taken off (positive).
    pub discount: Money,
    /// Credit balance used (positive).
    pub credit_applied: Money,
    /// Credit for unused time (positive), e.g. of a pause month.
    pub unused_credit: Money,
    /// What the card pays.
    pub amount: Money,
    /// A new period starting now (recovery, reactivation): locked time is not billed.
    pub starts_now: bool,
    /// Open invoices of locked periods this voids when paid.
    pub voids: Vec<String>,
    /// Billed at the pause price.
    pub pause: bool,
}

/// One ledger entry as the portal shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LedgerEntryView {
    pub id: String,
    pub kind: crate::ledger::LedgerKind,
    /// Positive; the kind says which way it went.
    pub amount: Money,
    pub invoice_id: Option<String>,
    pub charge_id: Option<String>,
    pub refund_of: Option<String>,
    pub withdrawal_id: Option<String>,
    pub description: String,
    pub at: DateTime<Utc>,
}

/// `GET /api/ledger`: every money movement, oldest first, and the balances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Ledger {
    pub entries: Vec<LedgerEntryView>,
    pub credit_balance: Money,
    pub credit_held: Money,
}

/// A request to pay out the credit balance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Withdrawal {
    pub id: String,
    pub amount: Money,
    /// `requested`, `paid` or `declined`.
    pub status: String,
    pub requested_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// `GET /api/balance/withdrawals`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WithdrawalList {
    pub data: Vec<Withdrawal>,
}

/// `POST /api/test/withdrawals/{id}/decision` (test mode; the CLI in production).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WithdrawalDecision {
    /// `paid` or `declined`.
    pub decision: String,
}

/// A charge or refund as the simulated gateway recorded it (test mode).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GatewayCharge {
    pub id: String,
    /// Negative for a refund.
    pub amount: i64,
    pub outcome: String,
    pub idempotency_key: String,
    /// For a refund: the charge refunded.
    pub refund_of: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// `GET /api/test/accounts/{account_id}/gateway-charges`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GatewayChargeList {
    pub data: Vec<GatewayCharge>,
}

/// `POST /api/gateway/tokens`: card details, sent only to the gateway.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CardTokenRequest {
    pub number: String,
    pub exp_month: u32,
    pub exp_year: u32,
    pub cvc: String,
}

/// A tokenized card: what the billing API may know of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CardToken {
    pub token: String,
    pub brand: CardBrand,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: u32,
}

/// `POST /api/payment-methods`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AttachPaymentMethodRequest {
    pub token: String,
}

/// An open invoice retried with a new card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RetriedInvoice {
    pub invoice_id: String,
    pub number: String,
    pub amount: Money,
    pub status: InvoiceStatus,
    /// The decline, if the retry failed.
    pub error: Option<String>,
}

/// The answer to `POST /api/payment-methods`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PaymentMethodResult {
    pub payment_method: PaymentMethodSummary,
    /// The subscription's state after retrying open invoices.
    pub status: SubscriptionStatus,
    pub retried: Vec<RetriedInvoice>,
}

/// An invoice as the portal shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Invoice {
    pub id: String,
    /// For people, e.g. `INV-00003`.
    pub number: String,
    pub status: InvoiceStatus,
    pub total: Money,
    /// Credit balance used by this invoice.
    pub credit_applied: Money,
    /// Credit balance created by this invoice.
    pub credit_created: Money,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    /// Why the last charge failed, while open.
    pub last_error: Option<String>,
    pub lines: Vec<InvoiceLine>,
    /// The account billed.
    pub account_name: String,
}

/// `GET /api/invoices`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InvoiceList {
    pub data: Vec<Invoice>,
    pub has_more: bool,
}

/// `POST /api/test/accounts/{account_id}/clock`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdvanceClockRequest {
    /// Seconds to move the account's clock forward (1 to 5 years' worth).
    pub advance_seconds: i64,
}

/// The account's clock after advancing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ClockResponse {
    pub now: DateTime<Utc>,
}

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

/// A user of the account, as owners and admins see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Member {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub billing_access: BillingAccess,
}

/// `GET /api/members`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MemberList {
    pub data: Vec<Member>,
}

/// `PATCH /api/members/{id}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateMemberRequest {
    pub billing_access: BillingAccess,
}

/// Someone who manages billing, shown to users who cannot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BillingContact {
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// `GET /api/account/billing-contacts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BillingContacts {
    pub data: Vec<BillingContact>,
}

/// The error body of every failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, for programs (`type`, `code`, `param`) and people (`message`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorDetail {
    /// The error's class, e.g. `invalid_request_error`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A stable machine-readable code, e.g. `unknown_field`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// The request field at fault, if any.
    pub param: Option<String>,
}

/// `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    pub status: String,
    /// `production`, `dev` or `test`.
    pub mode: String,
}

/// `POST /api/test/accounts` (optional body).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTestAccountRequest {
    /// `false` for an account with no card on file (default `true`).
    pub with_card: Option<bool>,
}

/// One user of a test account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TestUser {
    /// `owner`, `admin`, `billing_member` or `member`.
    pub role: String,
    pub email: String,
    pub password: String,
}

/// `POST /api/test/accounts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TestAccount {
    pub account_id: String,
    pub users: Vec<TestUser>,
}

impl TestAccount {
    /// The test user with this role label.
    pub fn user(&self, role: &str) -> Option<&TestUser> {
        self.users.iter().find(|u| u.role == role)
    }
}

/// The renewal after a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NextRenewal {
    pub date: DateTime<Utc>,
    /// What the renewal will charge after the discount and the credit balance.
    pub amount: Money,
    /// The renewal's list price before the discount and credit.
    pub price: Money,
    /// The retention discount it takes (positive; zero for none).
    pub discount: Money,
    /// The credit balance it uses (positive).
    pub credit_applied: Money,
}

/// `POST /api/subscription/preview`: exactly what the change would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SubscriptionPreview {
    /// Charged to the card today.
    pub amount_due_today: Money,
    /// Credit balance used today.
    pub credit_applied: Money,
    /// Credit balance created today (a downgrade's unused difference).
    pub credit_created: Money,
    /// The balance after the change.
    pub credit_balance_after: Money,
    /// Today's invoice lines (prorated charges and credits).
    pub lines: Vec<InvoiceLine>,
    pub next_renewal: NextRenewal,
    /// The moment prorated: send it back with the change to be charged exactly this.
    pub proration_date: DateTime<Utc>,
    /// The terms in force right after the change.
    pub terms: Terms,
    /// What waits for the renewal.
    pub pending: Pending,
    /// True when a new (annual) period starts today.
    pub restarts_period: bool,
}

/// `POST /api/subscription/changes`: what was done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SubscriptionChangeResult {
    /// What was charged and credited (equal to the preview).
    pub change: SubscriptionPreview,
    /// The invoice for today's charge or credit, if any.
    pub invoice_id: Option<String>,
    /// The account's billing after the change.
    pub overview: BillingOverview,
}

/// Who did something recorded in the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Actor {
    pub id: String,
    pub name: String,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditLogEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    /// Null when the system acted (renewals, dunning).
    pub actor: Option<Actor>,
    /// e.g. `subscription.changed`, `invoice.paid`.
    pub action: String,
    /// The details and amounts.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: serde_json::Value,
}

/// `GET /api/audit-log`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditLog {
    pub data: Vec<AuditLogEntry>,
    pub has_more: bool,
}

/// `GET /api/account`: the signed-in user's account and its policies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccountInfo {
    pub id: String,
    pub name: String,
    /// Only the owner may cancel (admins lose `account:cancel`).
    pub cancel_requires_owner: bool,
}

/// `PATCH /api/account/policy`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdatePolicyRequest {
    pub cancel_requires_owner: bool,
}

/// `POST /api/access-requests`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateAccessRequest {
    /// An optional note to the owner (at most 500 characters).
    pub note: Option<String>,
}

/// Where an access request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccessRequestStatus {
    Open,
    Granted,
    Declined,
}

/// A member's request for billing access.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccessRequest {
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub user_email: String,
    pub note: String,
    pub status: AccessRequestStatus,
    /// The level granted, once granted.
    pub granted: Option<BillingAccess>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// A list of access requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccessRequestList {
    pub data: Vec<AccessRequest>,
}

/// `POST /api/access-requests/{id}/grant`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GrantAccessRequest {
    /// `read` or `manage`.
    pub billing_access: BillingAccess,
}

/// `GET /api/cancel-flow`: everything the wizard shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CancelFlowView {
    pub status: SubscriptionStatus,
    /// Contract plans end at a Customer Success step instead of a cancel button.
    pub contract: bool,
    pub reasons: Vec<Reason>,
    pub access_ends: AccessEnds,
    /// The dated consequences, each to be acknowledged by its id.
    pub consequences: Vec<Consequence>,
    pub pause_price: Money,
    pub credit_balance: Money,
    pub retention_days: u32,
    pub customer_success_email: String,
}

/// A run of the wizard, with the offers for the chosen reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CancelSession {
    pub id: String,
    pub reason: Option<String>,
    pub reason_text: Option<String>,
    pub offers: Vec<Offer>,
}

/// `PATCH /api/cancel-flow/sessions/{id}`: the reason.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChooseReasonRequest {
    pub reason: String,
    /// Required when the reason asks for text ("Something else").
    pub text: Option<String>,
}

/// `POST /api/cancel-flow/sessions/{id}/accept`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptOfferRequest {
    pub offer_id: String,
}

/// What accepting an offer did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OfferOutcome {
    pub offer_id: String,
    /// A sentence for the user, e.g. "25% off your next 3 renewals."
    pub message: String,
    pub overview: BillingOverview,
}

/// `POST /api/subscription/cancel`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// The wizard run, for save-rate reporting.
    pub session_id: Option<String>,
    /// Exactly `CONFIRM`.
    pub confirmation: String,
    /// The ids of every consequence shown.
    pub acknowledged: Vec<String>,
}

/// `POST /api/subscription/pause` and `/resume`, and meeting requests.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WizardStepRequest {
    /// The wizard run, for save-rate reporting.
    pub session_id: Option<String>,
    /// A note (meeting requests, withdrawals).
    pub note: Option<String>,
}

/// `POST /api/refunds`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// Exactly `CONFIRM`: a refund ends the subscription now.
    pub confirmation: String,
}

/// What a refund did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RefundResult {
    pub refund: RefundQuote,
    pub overview: BillingOverview,
}

/// A kind of product usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UsageKind {
    Chats,
    CustomerRecords,
    BotConversations,
    AutomationRuns,
    StatisticsQueries,
    Campaigns,
    OneTimeMessages,
}

impl UsageKind {
    /// The wire identifier.
    pub fn as_str(&self) -> &'static str {
        match self {
            UsageKind::Chats => "chats",
            UsageKind::CustomerRecords => "customer_records",
            UsageKind::BotConversations => "bot_conversations",
            UsageKind::AutomationRuns => "automation_runs",
            UsageKind::StatisticsQueries => "statistics_queries",
            UsageKind::Campaigns => "campaigns",
            UsageKind::OneTimeMessages => "one_time_messages",
        }
    }
}

/// `POST /api/usage`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UsageRequest {
    pub kind: UsageKind,
    /// 1 to 1,000,000.
    pub quantity: i64,
}
