//! The buyer's billing details (SPEC §12): read with `billing:read`,
//! replaced with `billing:manage`, each change in the audit log.

use crate::mail;
use crate::services::actor::Actor;
use crate::services::audit::audit;
use crate::services::error::{ServiceError, ServiceResult};
use crate::state::AppState;
use crate::store::Write;
use billing_domain::audit::AuditAction;
use billing_domain::wire::{BillingDetails, UpdateBillingDetailsRequest};
use billing_domain::Permission;
use serde_json::json;

/// The details as they stand (the defaults until someone sets them).
pub async fn get(state: &AppState, actor: &Actor) -> ServiceResult<BillingDetails> {
    actor.require(Permission::BillingRead)?;
    current(state, actor).await
}

async fn current(state: &AppState, actor: &Actor) -> ServiceResult<BillingDetails> {
    if let Some(d) = &actor.account.billing_details {
        return Ok(d.clone());
    }
    let owner = mail::owner_of(state, &actor.account.id).await?;
    Ok(mail::details_of(&actor.account, &owner))
}

/// Replaces the details; a body that breaks a rule is refused naming the
/// field, and changes nothing. Invoices already issued keep theirs.
pub async fn put(
    state: &AppState,
    actor: &Actor,
    body: UpdateBillingDetailsRequest,
) -> ServiceResult<BillingDetails> {
    actor.require(Permission::BillingManage)?;
    let new = billing_domain::billing_details::parse(&body)
        .map_err(|e| ServiceError::invalid(e.param, e.code, e.message))?;
    let account = &actor.account;
    let _guard = state.account_lock(&account.id).await?;
    let old = current(state, actor).await?;
    if old != new {
        let now = state.now_for(account);
        state
            .store
            .commit(vec![
                Write::SetBillingDetails {
                    account_id: account.id.clone(),
                    details: new.clone(),
                },
                audit(
                    &account.id,
                    Some(&actor.user.id),
                    AuditAction::AccountBillingDetailsChanged,
                    json!({ "from": old, "to": new }),
                    now,
                ),
            ])
            .await?;
    }
    Ok(new)
}
