//! The payment gateway behind a trait, and the built-in simulated gateway
//! that behaves like a card processor's test mode.
//!
//! Card numbers and CVCs reach only [`PaymentGateway::tokenize`]; the billing
//! tables keep the token, brand, last four digits and expiry.

mod simulated;

pub use simulated::SimulatedGateway;

use async_trait::async_trait;
use billing_domain::card::CardError;
use billing_domain::wire::CardBrand;
use billing_domain::Money;
use chrono::{DateTime, Utc};

/// Card details as typed.
#[derive(Clone)]
pub struct CardInput {
    pub number: String,
    pub exp_month: u32,
    pub exp_year: u32,
    pub cvc: String,
}

impl std::fmt::Debug for CardInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never log a card number or CVC.
        f.debug_struct("CardInput").finish_non_exhaustive()
    }
}

/// A card the gateway holds, by token.
#[derive(Debug, Clone, PartialEq)]
pub struct GatewayCard {
    pub token: String,
    pub brand: CardBrand,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: u32,
}

/// Why the gateway refused.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The details are malformed (checked before any processor call).
    #[error("{0}")]
    InvalidCard(CardError),
    /// The card was declined; `code` is the processor's reason.
    #[error("{message}")]
    Declined {
        code: &'static str,
        message: &'static str,
    },
    /// No such token.
    #[error("unknown card token")]
    UnknownToken,
    /// The gateway itself failed.
    #[error(transparent)]
    Unavailable(#[from] anyhow::Error),
}

impl GatewayError {
    /// A decline with the processor's plain-language reason.
    pub fn declined(code: &str) -> GatewayError {
        let (code, message) = match code {
            "insufficient_funds" => ("insufficient_funds", "Your card has insufficient funds."),
            "expired_card" => ("expired_card", "Your card has expired."),
            "incorrect_cvc" => ("incorrect_cvc", "Your card's security code is incorrect."),
            _ => ("card_declined", "Your card was declined."),
        };
        GatewayError::Declined { code, message }
    }
}

/// One charge of many ([`PaymentGateway::charge_many`]).
#[derive(Debug, Clone)]
pub struct ChargeRequest {
    pub token: String,
    pub amount: Money,
    pub idempotency_key: String,
    pub now: DateTime<Utc>,
}

/// A payment processor.
#[async_trait]
pub trait PaymentGateway: Send + Sync + 'static {
    /// Checks card details and exchanges them for a token.
    async fn tokenize(
        &self,
        card: CardInput,
        now: DateTime<Utc>,
    ) -> Result<GatewayCard, GatewayError>;
    /// Verifies a tokenized card so it can be saved (some cards decline here).
    async fn attach(&self, token: &str, now: DateTime<Utc>) -> Result<GatewayCard, GatewayError>;
    /// Charges a card. The same `idempotency_key` never charges twice: a
    /// repeat returns the first outcome.
    async fn charge(
        &self,
        token: &str,
        amount: Money,
        idempotency_key: &str,
        now: DateTime<Utc>,
    ) -> Result<String, GatewayError>;
    /// Makes many charges, each as [`PaymentGateway::charge`] would (the
    /// same key never charging twice); the outcomes in order. A processor
    /// without a batch interface charges them one by one.
    async fn charge_many(&self, requests: &[ChargeRequest]) -> Vec<Result<String, GatewayError>> {
        let mut outcomes = Vec::with_capacity(requests.len());
        for r in requests {
            outcomes.push(
                self.charge(&r.token, r.amount, &r.idempotency_key, r.now)
                    .await,
            );
        }
        outcomes
    }
    /// Refunds `amount` of an earlier charge to its card; once per key.
    async fn refund(
        &self,
        charge_id: &str,
        amount: Money,
        idempotency_key: &str,
        now: DateTime<Utc>,
    ) -> Result<String, GatewayError>;
}
