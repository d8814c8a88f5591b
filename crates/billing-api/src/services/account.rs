//! The signed-in user's account: its policies and who manages its billing.

use crate::services::actor::Actor;
use crate::services::audit::audit;
use crate::services::error::ServiceResult;
use crate::state::AppState;
use crate::store::Write;
use billing_domain::audit::AuditAction;
use billing_domain::wire::{AccountInfo, BillingContact, BillingContacts, UpdatePolicyRequest};
use billing_domain::{Permission, Role};
use serde_json::json;

/// The actor's account and its policies.
pub fn info(actor: &Actor) -> AccountInfo {
    AccountInfo {
        id: actor.account.id.clone(),
        name: actor.account.name.clone(),
        cancel_requires_owner: actor.account.policy.cancel_requires_owner,
    }
}

/// Turns the owner-only cancel policy on or off (owner). Takes effect on
/// every user's next request; recorded in the audit log.
pub async fn set_policy(
    state: &AppState,
    actor: &Actor,
    body: UpdatePolicyRequest,
) -> ServiceResult<AccountInfo> {
    actor.require(Permission::SetPolicy)?;
    let account = &actor.account;
    if account.policy.cancel_requires_owner != body.cancel_requires_owner {
        let now = state.now_for(account);
        state
            .store
            .commit(vec![
                Write::SetCancelPolicy {
                    account_id: account.id.clone(),
                    cancel_requires_owner: body.cancel_requires_owner,
                },
                audit(
                    &account.id,
                    Some(&actor.user.id),
                    AuditAction::AccountPolicyChanged,
                    json!({ "cancel_requires_owner": { "from": account.policy.cancel_requires_owner, "to": body.cancel_requires_owner } }),
                    now,
                ),
            ])
            .await?;
    }
    Ok(AccountInfo {
        cancel_requires_owner: body.cancel_requires_owner,
        ..info(actor)
    })
}

/// The owner and admins, whom any user of the account may ask for billing access.
pub async fn billing_contacts(state: &AppState, actor: &Actor) -> ServiceResult<BillingContacts> {
    let users = state.store.users_of_account(&actor.account.id).await?;
    let data = users
        .into_iter()
        .filter(|u| u.active && matches!(u.role, Role::Owner | Role::Admin))
        .map(|u| BillingContact {
            name: u.name,
            email: u.email,
            role: u.role,
        })
        .collect();
    Ok(BillingContacts { data })
}
