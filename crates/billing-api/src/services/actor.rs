//! Who acts: the signed-in user, their account and what they may do at this
//! moment. Every use case a person starts takes one and checks it; the
//! system's own work (the scheduler, the CLI) records itself as no user.

use crate::services::error::ServiceError;
use crate::store::{AccountRecord, UserRecord};
use billing_domain::permissions::PermissionSet;
use billing_domain::{Permission, Role, SubscriptionStatus};

/// A signed-in user acting on their own account.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: UserRecord,
    pub account: AccountRecord,
    /// Derived from role, grant and policy when the session was read.
    pub permissions: PermissionSet,
    /// The hash of the session token (for signing out).
    pub session_hash: String,
    /// The subscription's state when the session was read.
    pub status: Option<SubscriptionStatus>,
}

impl Actor {
    /// Refuses unless the actor holds `p`. After cancellation only the
    /// owner keeps the billing section.
    pub fn require(&self, p: Permission) -> Result<(), ServiceError> {
        let ended = matches!(
            self.status,
            Some(SubscriptionStatus::Canceled | SubscriptionStatus::Deleted)
        );
        if ended && self.user.role != Role::Owner {
            return Err(ServiceError::SubscriptionEnded);
        }
        if self.permissions.contains(p) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(format!(
                "Your access does not include {p}. The account owner can grant it."
            )))
        }
    }

    /// The user's id, as the audit log records who acted.
    pub fn user_id(&self) -> &str {
        &self.user.id
    }
}
