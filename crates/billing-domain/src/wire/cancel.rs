//! The cancel wizard, pause and resume, refunds and usage.

use super::overview::BillingOverview;
use crate::cancel_flow::AccessEnds;
use crate::cancel_flow::Consequence;
use crate::cancel_flow::Offer;
use crate::cancel_flow::Reason;
use crate::money::Money;
use crate::refund::RefundQuote;
use crate::subscription::SubscriptionStatus;
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

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
    /// One of the cancel flow's reasons (`GET /api/cancel-flow`).
    pub reason: String,
    /// Required when the reason asks for text ("Something else").
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
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
    #[cfg_attr(feature = "openapi", schema(schema_with = super::schema::confirm_word))]
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
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub note: Option<String>,
}

/// `POST /api/refunds`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// Exactly `CONFIRM`: a refund ends the subscription now.
    #[cfg_attr(feature = "openapi", schema(schema_with = super::schema::confirm_word))]
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
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1_000_000))]
    pub quantity: i64,
}
