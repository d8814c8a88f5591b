//! Resetting a forgotten password by an e-mailed link.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// `POST /api/password-resets`: the address to send a link to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    /// `local@domain`; spaces around it are ignored.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 254,
            pattern = "^ *[^ @]+@[^ @]+ *$",
            example = "owner@acme.test"
        )
    )]
    pub email: String,
}

/// The answer to `POST /api/password-resets`, the same for every address:
/// whether one has an account is never said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PasswordResetRequested {
    /// How long a link sent works, in minutes.
    pub valid_minutes: u32,
}

/// `GET /api/password-resets/{token}`: the link still works until then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PasswordResetLink {
    pub expires_at: DateTime<Utc>,
}

/// `POST /api/password-resets/{token}`: the new password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CompletePasswordResetRequest {
    /// 12 to 128 characters, not the e-mail address, not the current password.
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 128))]
    pub new_password: String,
}
