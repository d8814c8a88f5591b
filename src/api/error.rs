//! The one error type of every API call: the server's error body, or why no
//! usable answer arrived.

use billing_domain::wire::ErrorBody;
use std::fmt;

/// A failed API call.
///
/// When the server answered, the fields are those of its error body
/// (`{"error":{"type","code","message","param"}}`); when it did not (network
/// down, unreadable body), `status` is `None` or the body is described here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status, or `None` when no response arrived.
    pub status: Option<u16>,
    /// The error's class, e.g. `invalid_request_error` (the body's `type`).
    pub kind: String,
    /// A stable machine-readable code, e.g. `invalid_credentials`.
    pub code: String,
    /// A sentence for people, shown as it is.
    pub message: String,
    /// The request field at fault, if any.
    pub param: Option<String>,
    /// On a 429: the seconds to wait before trying again.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// The request never got an answer (offline, DNS, connection refused).
    pub fn network(detail: impl fmt::Display) -> Self {
        leptos::logging::warn!("API request failed: {detail}");
        ApiError {
            status: None,
            kind: "network_error".into(),
            code: "network_error".into(),
            message: "Could not reach the billing service. Check your connection and try again."
                .into(),
            param: None,
            retry_after: None,
        }
    }

    /// The server answered with something other than the agreed JSON.
    pub fn unexpected(status: u16, detail: impl fmt::Display) -> Self {
        leptos::logging::warn!("unexpected API response ({status}): {detail}");
        ApiError {
            status: Some(status),
            kind: "api_error".into(),
            code: "unexpected_response".into(),
            message: format!(
                "The billing service returned an unexpected answer (HTTP {status}). Please try again."
            ),
            param: None,
            retry_after: None,
        }
    }

    /// Builds the error from a non-success status and its body text.
    pub fn from_body(status: u16, body: &str) -> Self {
        match serde_json::from_str::<ErrorBody>(body) {
            Ok(ErrorBody { error }) => ApiError {
                status: Some(status),
                kind: error.kind,
                code: error.code,
                message: error.message,
                param: error.param,
                retry_after: error.retry_after,
            },
            Err(e) => ApiError::unexpected(status, e),
        }
    }

    /// 401: no session, or it ended.
    pub fn is_unauthorized(&self) -> bool {
        self.status == Some(401)
    }

    /// 403: signed in but lacking the permission.
    pub fn is_forbidden(&self) -> bool {
        self.status == Some(403)
    }

    /// Whether this error is about the request field `name`.
    pub fn is_about(&self, name: &str) -> bool {
        self.param.as_deref() == Some(name)
    }

    /// The message, when the server named `field` as the one at fault
    /// (shown beside that field).
    pub fn message_for(&self, field: &str) -> Option<String> {
        self.is_about(field).then(|| self.message.clone())
    }

    /// The message, when it concerns none of `fields` (shown for the whole form).
    pub fn message_except(&self, fields: &[&str]) -> Option<String> {
        (!fields.iter().any(|f| self.is_about(f))).then(|| self.message.clone())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}
