//! The account's users and their billing access.

use crate::ids::new_id;
use crate::services::actor::Actor;
use crate::services::error::{ServiceError, ServiceResult};
use crate::state::AppState;
use crate::store::{AuditEntry, UserRecord};
use billing_domain::audit::AuditAction;
use billing_domain::permissions::effective_access;
use billing_domain::wire::{Member, MemberList, UpdateMemberRequest};
use billing_domain::{Permission, Role};
use serde_json::json;

fn member(u: UserRecord) -> Member {
    Member {
        id: u.id,
        name: u.name,
        email: u.email,
        role: u.role,
        billing_access: effective_access(u.role, u.billing_access),
    }
}

/// The account's active users with role and billing access (owner and admins).
pub async fn list(state: &AppState, actor: &Actor) -> ServiceResult<MemberList> {
    actor.require(Permission::MembersRead)?;
    let users = state.store.users_of_account(&actor.account.id).await?;
    Ok(MemberList {
        data: users.into_iter().filter(|u| u.active).map(member).collect(),
    })
}

/// The member `id` of the actor's account, if the actor may set their
/// billing access. Another account's user is "not found", never
/// "forbidden": ids are not probed.
pub async fn grantable(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<UserRecord> {
    let target = state
        .store
        .user(id)
        .await?
        .filter(|u| u.account_id == actor.account.id && u.active)
        .ok_or(ServiceError::NotFound("user"))?;
    actor.require(Permission::MembersGrantBilling)?;
    Ok(target)
}

/// Sets a member's billing access: `none`, `read` or `manage` (owner only).
/// Takes effect on the member's next request; recorded in the audit log.
pub async fn set_billing_access(
    state: &AppState,
    actor: &Actor,
    id: &str,
    body: UpdateMemberRequest,
) -> ServiceResult<Member> {
    let target = grantable(state, actor, id).await?;
    if target.role != Role::Member {
        return Err(ServiceError::invalid(
            "billing_access",
            "not_a_member",
            format!(
                "{} is {} and already has billing access through that role.",
                target.name,
                match target.role {
                    Role::Owner => "the owner",
                    _ => "an admin",
                }
            ),
        ));
    }
    if target.billing_access != body.billing_access {
        let now = state.now_for(&actor.account);
        let audit = AuditEntry {
            id: new_id("aud"),
            account_id: actor.account.id.clone(),
            actor_user_id: Some(actor.user.id.clone()),
            action: AuditAction::MemberBillingAccessChanged.as_str().into(),
            details: json!({
                "user_id": target.id, "user_name": target.name,
                "from": target.billing_access, "to": body.billing_access,
            }),
            at: now,
        };
        state
            .store
            .set_billing_access(&target.id, body.billing_access, &audit)
            .await?;
    }
    Ok(member(UserRecord {
        billing_access: body.billing_access,
        ..target
    }))
}
