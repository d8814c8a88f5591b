//! Roles, billing-access grants and the permissions derived from them (SPEC §1).
//!
//! The API derives a user's permissions from these rules on every request and
//! enforces them; the SPA uses the same function only to decide what to show.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A user's role in their account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Exactly one per account.
    Owner,
    Admin,
    Member,
}

impl Role {
    /// The wire identifier.
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    /// Parses a wire identifier.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }

    /// "Owner" / "Admin" / "Member".
    pub fn label(&self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Member => "Member",
        }
    }
}

/// The billing access the owner has granted a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BillingAccess {
    /// No billing access.
    None,
    /// "Access billing & account info": view and download.
    Read,
    /// Also change the subscription and payment method; never cancel.
    Manage,
}

impl BillingAccess {
    /// The wire identifier.
    pub fn as_str(&self) -> &'static str {
        match self {
            BillingAccess::None => "none",
            BillingAccess::Read => "read",
            BillingAccess::Manage => "manage",
        }
    }

    /// Parses a wire identifier.
    pub fn parse(s: &str) -> Option<BillingAccess> {
        match s {
            "none" => Some(BillingAccess::None),
            "read" => Some(BillingAccess::Read),
            "manage" => Some(BillingAccess::Manage),
            _ => None,
        }
    }
}

/// A named right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Permission {
    /// View plans, subscription and invoices; download invoices.
    #[serde(rename = "billing:read")]
    BillingRead,
    /// Change the subscription and the payment method.
    #[serde(rename = "billing:manage")]
    BillingManage,
    /// Cancel the subscription.
    #[serde(rename = "account:cancel")]
    AccountCancel,
    /// Grant members billing access (owner only).
    #[serde(rename = "members:grant_billing")]
    MembersGrantBilling,
    /// See the account's users and their access (owner and admins).
    #[serde(rename = "members:read")]
    MembersRead,
    /// Read the account's audit log (owner and admins).
    #[serde(rename = "audit:read")]
    AuditRead,
    /// Set the account's policies, such as owner-only cancel (owner only).
    #[serde(rename = "account:policy")]
    SetPolicy,
    /// Request a refund or withdraw the credit balance (owner only).
    #[serde(rename = "account:refund")]
    Refund,
}

impl Permission {
    /// Every permission.
    pub const ALL: [Permission; 8] = [
        Permission::BillingRead,
        Permission::BillingManage,
        Permission::AccountCancel,
        Permission::MembersGrantBilling,
        Permission::MembersRead,
        Permission::AuditRead,
        Permission::SetPolicy,
        Permission::Refund,
    ];

    /// The wire name, e.g. `billing:read`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Permission::BillingRead => "billing:read",
            Permission::BillingManage => "billing:manage",
            Permission::AccountCancel => "account:cancel",
            Permission::MembersGrantBilling => "members:grant_billing",
            Permission::MembersRead => "members:read",
            Permission::AuditRead => "audit:read",
            Permission::SetPolicy => "account:policy",
            Permission::Refund => "account:refund",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Account-wide policies that narrow the defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountPolicy {
    /// Only the owner may cancel (admins lose `account:cancel`).
    pub cancel_requires_owner: bool,
}

/// A set of permissions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PermissionSet(u8);

impl PermissionSet {
    fn bit(p: Permission) -> u8 {
        1 << (p as u8)
    }

    /// The set holding exactly `perms`.
    pub fn of(perms: &[Permission]) -> Self {
        PermissionSet(perms.iter().fold(0, |acc, p| acc | Self::bit(*p)))
    }

    /// Whether `p` is in the set.
    pub fn contains(&self, p: Permission) -> bool {
        self.0 & Self::bit(p) != 0
    }

    /// The permissions in a stable order.
    pub fn to_vec(&self) -> Vec<Permission> {
        Permission::ALL
            .into_iter()
            .filter(|p| self.contains(*p))
            .collect()
    }

    /// Rebuilds a set from a list (as received on the wire).
    pub fn from_slice(perms: &[Permission]) -> Self {
        Self::of(perms)
    }
}

/// The billing access a user effectively has: owners and admins manage
/// billing through their role, members through their grant.
pub fn effective_access(role: Role, granted: BillingAccess) -> BillingAccess {
    match role {
        Role::Owner | Role::Admin => BillingAccess::Manage,
        Role::Member => granted,
    }
}

/// The permissions a user holds: derived from role, grant and policy alone.
pub fn permissions_for(role: Role, access: BillingAccess, policy: AccountPolicy) -> PermissionSet {
    use Permission::*;
    match role {
        Role::Owner => PermissionSet::of(&Permission::ALL),
        Role::Admin if policy.cancel_requires_owner => {
            PermissionSet::of(&[BillingRead, BillingManage, MembersRead, AuditRead])
        }
        Role::Admin => PermissionSet::of(&[
            BillingRead,
            BillingManage,
            AccountCancel,
            MembersRead,
            AuditRead,
        ]),
        Role::Member => match access {
            BillingAccess::None => PermissionSet::default(),
            BillingAccess::Read => PermissionSet::of(&[BillingRead]),
            BillingAccess::Manage => PermissionSet::of(&[BillingRead, BillingManage]),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;

    #[test]
    fn the_permission_table_of_the_spec() {
        let open = AccountPolicy::default();
        let owner_only = AccountPolicy {
            cancel_requires_owner: true,
        };
        let all = Permission::ALL.to_vec();
        let cases: Vec<(Role, BillingAccess, AccountPolicy, Vec<Permission>)> = vec![
            (Role::Owner, BillingAccess::None, open, all.clone()),
            (Role::Owner, BillingAccess::None, owner_only, all.clone()),
            (
                Role::Admin,
                BillingAccess::None,
                open,
                vec![
                    BillingRead,
                    BillingManage,
                    AccountCancel,
                    MembersRead,
                    AuditRead,
                ],
            ),
            (
                Role::Admin,
                BillingAccess::None,
                owner_only,
                vec![BillingRead, BillingManage, MembersRead, AuditRead],
            ),
            (Role::Member, BillingAccess::None, open, vec![]),
            (Role::Member, BillingAccess::Read, open, vec![BillingRead]),
            (
                Role::Member,
                BillingAccess::Manage,
                open,
                vec![BillingRead, BillingManage],
            ),
            (
                Role::Member,
                BillingAccess::Manage,
                owner_only,
                vec![BillingRead, BillingManage],
            ),
        ];
        for (role, access, policy, expected) in cases {
            assert_eq!(
                permissions_for(role, access, policy).to_vec(),
                expected,
                "{role:?} {access:?} {policy:?}"
            );
        }
    }

    #[test]
    fn a_member_never_gets_cancel_or_grant_rights() {
        for access in [
            BillingAccess::None,
            BillingAccess::Read,
            BillingAccess::Manage,
        ] {
            for cancel_requires_owner in [false, true] {
                let set = permissions_for(
                    Role::Member,
                    access,
                    AccountPolicy {
                        cancel_requires_owner,
                    },
                );
                assert!(!set.contains(AccountCancel));
                assert!(!set.contains(MembersGrantBilling));
                assert!(!set.contains(AuditRead));
            }
        }
    }

    #[test]
    fn permissions_use_their_spec_names_on_the_wire() {
        let json =
            serde_json::to_string(&PermissionSet::of(&[BillingRead, AccountCancel]).to_vec())
                .unwrap();
        assert_eq!(json, r#"["billing:read","account:cancel"]"#);
        for p in Permission::ALL {
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                format!("\"{}\"", p.as_str())
            );
        }
    }
}
