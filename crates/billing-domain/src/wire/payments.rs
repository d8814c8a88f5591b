//! Cards: tokenization, the default payment method, and retried invoices.

use crate::invoice::InvoiceStatus;
use crate::money::Money;
use crate::subscription::SubscriptionStatus;
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

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

/// `POST /api/gateway/tokens`: card details, sent only to the gateway.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CardTokenRequest {
    /// Digits; spaces and dashes between them are ignored.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[0-9 -]*[0-9][0-9 -]*$", example = "4242 4242 4242 4242")
    )]
    pub number: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 12))]
    pub exp_month: u32,
    /// Four digits; at most 50 years ahead (the maximum is this year's).
    #[cfg_attr(feature = "openapi", schema(minimum = 2000, example = 2034))]
    pub exp_year: u32,
    /// Three digits (four for American Express).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{3,4}$", example = "123"))]
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
