//! The error body of every failure, and the health check.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

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
    /// On a 429: the seconds to wait before trying again (as `Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    pub status: String,
    /// `production`, `dev` or `test`.
    pub mode: String,
}
