//! Signing in, the session, and the account with its policies.

use crate::permissions::BillingAccess;
use crate::permissions::Permission;
use crate::permissions::Role;
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

/// `POST /api/session/password`: the current password, and the new one
/// (12 to 128 characters, not the e-mail, not the current password).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// How many of the user's other sessions were signed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OtherSessionsEnded {
    pub sessions_ended: u64,
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
