//! The API's one error type, rendered once as SPEC §9's JSON error body.

use crate::services::error::ServiceError;
use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use billing_domain::wire::{ErrorBody, ErrorDetail};

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed or a value is out of range.
    #[error("{message}")]
    BadRequest {
        code: &'static str,
        message: String,
        param: Option<String>,
    },
    /// 401: no valid session.
    #[error("sign in to continue")]
    Unauthenticated,
    /// 401: a vendor API call without the configured bearer key.
    #[error("invalid vendor API key")]
    InvalidApiKey,
    /// 401: wrong e-mail or password (never says which).
    #[error("incorrect email or password")]
    InvalidCredentials,
    /// 402: the card was declined; `message` is the processor's reason.
    #[error("{message}")]
    CardDeclined {
        code: &'static str,
        message: &'static str,
    },
    /// 403: signed in, but the user's permissions do not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// 403: the subscription ended; only the owner keeps billing.
    #[error("subscription ended")]
    SubscriptionEnded,
    /// 403: the account was deleted after cancellation (the date).
    #[error("account deleted")]
    AccountDeleted(String),
    /// 403: a state change sent from another site.
    #[error("cross-origin request refused")]
    ForeignOrigin,
    /// 404: no such thing in the caller's account (or at all).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 409: the request conflicts with the current state.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// 429: too many sign-in attempts; `Retry-After` says when to try again.
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: i64 },
    /// 412: `If-Match` names a version that is no longer current.
    #[error("stale version")]
    PreconditionFailed,
    /// 400: a state-changing request without an `Idempotency-Key` header.
    #[error("missing idempotency key")]
    MissingIdempotencyKey,
    /// 422: an idempotency key reused with a different request.
    #[error("idempotency key reused")]
    IdempotencyKeyReused,
    /// 409: the first request with this idempotency key is still running.
    #[error("idempotency key in use")]
    IdempotencyInProgress,
    /// 405: the route exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 413: the body is larger than the limit.
    #[error("request body too large")]
    PayloadTooLarge,
    /// 415: the body is not JSON.
    #[error("expected a JSON body")]
    UnsupportedMediaType,
    /// 500: the card was charged but the change could not be recorded yet.
    /// The request's Idempotency-Key is kept (never released): the same
    /// request sent again finishes it without a second charge.
    #[error(transparent)]
    ChargeUnrecorded(anyhow::Error),
    /// 500: logged in full, reported without details.
    #[error(transparent)]
    Internal(anyhow::Error),
}

/// A response extension: this request charged a card, so its idempotency
/// key must never be released for reuse.
#[derive(Debug, Clone, Copy)]
pub struct ChargeMade;

impl ApiError {
    /// A 400 naming the field at fault.
    pub fn invalid(
        param: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        ApiError::BadRequest {
            code,
            message: message.into(),
            param: Some(param.into()),
        }
    }

    fn parts(
        &self,
    ) -> (
        StatusCode,
        &'static str,
        &'static str,
        String,
        Option<String>,
    ) {
        use ApiError::*;
        match self {
            BadRequest {
                code,
                message,
                param,
            } => (
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                code,
                message.clone(),
                param.clone(),
            ),
            Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "authentication_error",
                "unauthenticated",
                "Sign in to continue.".into(),
                None,
            ),
            InvalidApiKey => (
                StatusCode::UNAUTHORIZED,
                "authentication_error",
                "invalid_api_key",
                "Send the vendor API key as `Authorization: Bearer <key>`.".into(),
                Some("Authorization".into()),
            ),
            InvalidCredentials => (
                StatusCode::UNAUTHORIZED,
                "authentication_error",
                "invalid_credentials",
                "Incorrect email or password.".into(),
                None,
            ),
            CardDeclined { code, message } => (
                StatusCode::PAYMENT_REQUIRED,
                "card_error",
                code,
                (*message).to_string(),
                None,
            ),
            Forbidden(message) => (
                StatusCode::FORBIDDEN,
                "permission_error",
                "permission_denied",
                message.clone(),
                None,
            ),
                                    SubscriptionEnded => (
                StatusCode::FORBIDDEN,
                "permission_error",
                "subscription_ended",
                "The subscription has ended. Only the account owner can see billing and reactivate it.".into(),
                None,
            ),
            AccountDeleted(date) => (
                StatusCode::FORBIDDEN,
                "permission_error",
                "account_deleted",
                format!("This account was closed and its data deleted on {date}. It can no longer be signed in to or recovered."),
                None,
            ),
            ForeignOrigin => (
                StatusCode::FORBIDDEN,
                "permission_error",
                "foreign_origin",
                "Requests that change data must come from the portal itself.".into(),
                None,
            ),
            NotFound(what) => (
                StatusCode::NOT_FOUND,
                "not_found_error",
                "not_found",
                format!("No such {what}."),
                None,
            ),
            Conflict { code, message } => (
                StatusCode::CONFLICT,
                "invalid_request_error",
                code,
                message.clone(),
                None,
            ),
            TooManyAttempts { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_error",
                "too_many_attempts",
                format!(
                    "Too many sign-in attempts. For your security, try again in {}.",
                    in_words(*retry_after_secs)
                ),
                None,
            ),
            PreconditionFailed => (
                StatusCode::PRECONDITION_FAILED,
                "invalid_request_error",
                "version_mismatch",
                "The subscription changed since you loaded it. Nothing was changed; review the new figures and try again.".into(),
                Some("If-Match".into()),
            ),
            MissingIdempotencyKey => (
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "missing_idempotency_key",
                "Send an Idempotency-Key header with every request that changes something.".into(),
                Some("Idempotency-Key".into()),
            ),
            IdempotencyKeyReused => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_error",
                "idempotency_key_reused",
                "This Idempotency-Key was already used with a different request.".into(),
                Some("Idempotency-Key".into()),
            ),
            IdempotencyInProgress => (
                StatusCode::CONFLICT,
                "idempotency_error",
                "idempotency_in_progress",
                "A request with this Idempotency-Key is still being processed.".into(),
                Some("Idempotency-Key".into()),
            ),
            MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "invalid_request_error",
                "method_not_allowed",
                "This route does not accept that method.".into(),
                None,
            ),
            PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request_error",
                "body_too_large",
                "The request body is too large.".into(),
                None,
            ),
            UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid_request_error",
                "unsupported_media_type",
                "Send the body as JSON with Content-Type: application/json.".into(),
                None,
            ),
            ChargeUnrecorded(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "api_error",
                "charge_unrecorded",
                "Your card was charged, but we could not finish recording it. Send the same request again (with the same Idempotency-Key) to finish; you will not be charged twice.".into(),
                None,
            ),
            Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "api_error",
                "internal_error",
                "Something went wrong on our side. Nothing was changed; please try again.".into(),
                None,
            ),
        }
    }
}

impl From<ServiceError> for ApiError {
    /// The one place a use case's failure becomes an HTTP answer.
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid {
                code,
                message,
                param,
            } => ApiError::BadRequest {
                code,
                message,
                param,
            },
            ServiceError::Unauthenticated => ApiError::Unauthenticated,
            ServiceError::InvalidCredentials => ApiError::InvalidCredentials,
            ServiceError::InvalidApiKey => ApiError::InvalidApiKey,
            ServiceError::CardDeclined { code, message } => {
                ApiError::CardDeclined { code, message }
            }
            ServiceError::Forbidden(message) => ApiError::Forbidden(message),
            ServiceError::SubscriptionEnded => ApiError::SubscriptionEnded,
            ServiceError::AccountDeleted(date) => ApiError::AccountDeleted(date),
            ServiceError::NotFound(what) => ApiError::NotFound(what),
            ServiceError::Conflict { code, message } => ApiError::Conflict { code, message },
            ServiceError::StaleVersion => ApiError::PreconditionFailed,
            ServiceError::Throttled { retry_after_secs } => {
                ApiError::TooManyAttempts { retry_after_secs }
            }
            ServiceError::ChargeUnrecorded(e) => ApiError::ChargeUnrecorded(e),
            ServiceError::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<StoreError> for ApiError {
    /// The HTTP layer's own store reads (sessions, idempotency) fail as a
    /// use case's would.
    fn from(e: StoreError) -> Self {
        ServiceError::from(e).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) | ApiError::ChargeUnrecorded(e) = &self {
            tracing::error!(error = ?e, "request failed");
        }
        let charged = matches!(self, ApiError::ChargeUnrecorded(_));
        let retry_after = match &self {
            ApiError::TooManyAttempts { retry_after_secs } => {
                Some((*retry_after_secs).max(1) as u64)
            }
            _ => None,
        };
        let (status, kind, code, message, param) = self.parts();
        let body = ErrorBody {
            error: ErrorDetail {
                kind: kind.into(),
                code: code.into(),
                message,
                param,
                retry_after,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if charged {
            response.extensions_mut().insert(ChargeMade);
        }
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

/// A wait as people say it: "1 second", "40 seconds", "3 minutes".
fn in_words(secs: i64) -> String {
    let secs = secs.max(1);
    if secs < 60 {
        format!("{secs} second{}", if secs == 1 { "" } else { "s" })
    } else {
        let minutes = (secs + 59) / 60;
        format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
    }
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;
