//! What a use case can fail with, in the words of billing, not of HTTP.
//! `ApiError` converts from it once (in `error.rs`); the scheduler and the
//! CLI log it.

use crate::gateway::GatewayError;
use crate::store::StoreError;

/// Everything a use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A value is out of range or malformed; `param` names the field.
    #[error("{message}")]
    Invalid {
        code: &'static str,
        message: String,
        param: Option<String>,
    },
    /// No valid session.
    #[error("sign in to continue")]
    Unauthenticated,
    /// A vendor API call without the configured key.
    #[error("invalid vendor API key")]
    InvalidApiKey,
    /// Wrong e-mail or password (never says which).
    #[error("incorrect email or password")]
    InvalidCredentials,
    /// The card was declined; `message` is the processor's reason.
    #[error("{message}")]
    CardDeclined {
        code: &'static str,
        message: &'static str,
    },
    /// The actor's permissions do not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// The subscription ended; only the owner keeps billing.
    #[error("subscription ended")]
    SubscriptionEnded,
    /// The account was deleted after cancellation (the date).
    #[error("account deleted")]
    AccountDeleted(String),
    /// No such thing in the actor's account (or at all).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with the current state.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Too many sign-in attempts: the next may be made in this many seconds.
    #[error("too many attempts")]
    Throttled { retry_after_secs: i64 },
    /// The subscription changed since the caller read it.
    #[error("stale version")]
    StaleVersion,
    /// The card was charged but the change could not be recorded yet; the
    /// same request must be able to finish it without a second charge.
    #[error(transparent)]
    ChargeUnrecorded(anyhow::Error),
    /// Anything else: logged in full, reported without details.
    #[error(transparent)]
    Internal(anyhow::Error),
}

/// The card was charged but the outcome could not be recorded; the attempt
/// is reconciled under the same key, so it is never charged again.
#[derive(Debug, thiserror::Error)]
#[error("the card was charged for invoice {invoice_id}, but recording it failed: {source}")]
pub struct ChargeUnrecorded {
    pub invoice_id: String,
    #[source]
    pub source: anyhow::Error,
}

/// Shorthand for use-case results.
pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    /// An invalid value, naming the field at fault.
    pub fn invalid(
        param: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        ServiceError::Invalid {
            code,
            message: message.into(),
            param: Some(param.into()),
        }
    }

    /// An invalid request that no single field is to blame for.
    pub fn refused(code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Invalid {
            code,
            message: message.into(),
            param: None,
        }
    }

    /// A conflict with the current state.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Conflict {
            code,
            message: message.into(),
        }
    }
}

impl From<anyhow::Error> for ServiceError {
    /// A failure of work that may have charged a card stays apart, so the
    /// charge is never retried under a new key; anything else is ours.
    fn from(e: anyhow::Error) -> Self {
        if e.is::<ChargeUnrecorded>() {
            ServiceError::ChargeUnrecorded(e)
        } else {
            ServiceError::Internal(e)
        }
    }
}

impl From<StoreError> for ServiceError {
    /// A stale version is the caller's to resolve (read again); every
    /// other store failure is ours.
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::VersionConflict => ServiceError::StaleVersion,
            other => ServiceError::Internal(other.into()),
        }
    }
}

impl From<GatewayError> for ServiceError {
    /// A gateway refusal names the card field at fault or the decline.
    fn from(e: GatewayError) -> Self {
        match e {
            GatewayError::InvalidCard(card) => {
                ServiceError::invalid(card.param(), card.code(), card.to_string())
            }
            GatewayError::Declined { code, message } => {
                ServiceError::CardDeclined { code, message }
            }
            GatewayError::UnknownToken => ServiceError::invalid(
                "token",
                "unknown_token",
                "That card token is unknown or was used up.",
            ),
            GatewayError::Unavailable(e) => ServiceError::Internal(e),
        }
    }
}

/// Domain failures that a use case does not expect in its own state (the
/// scheduler's work on data it just read): ours to log, never the caller's.
macro_rules! internal_from {
    ($($t:ty),*) => {$(
        impl From<$t> for ServiceError {
            fn from(e: $t) -> Self {
                ServiceError::Internal(e.into())
            }
        }
    )*};
}

internal_from!(
    billing_domain::money::MoneyError,
    billing_domain::subscription::TransitionError
);
