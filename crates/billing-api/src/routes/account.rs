//! The signed-in user's account: who manages its billing.

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::extract::CurrentUser;
use crate::services::billing::audit;
use crate::state::AppState;
use crate::store::Write;
use axum::extract::State;
use axum::Json;
use billing_domain::wire::{
    AccountInfo, BillingContact, BillingContacts, ErrorBody, UpdatePolicyRequest,
};
use billing_domain::{Permission, Role};
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/account/*`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_billing_contacts))
        .routes(routes!(get_account))
        .routes(routes!(update_account_policy))
}

/// The signed-in user's account and its policies.
#[utoipa::path(get, path = "/api/account", tag = "account",
    responses(
        (status = 200, description = "The account", body = AccountInfo),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn get_account(current: CurrentUser) -> Json<AccountInfo> {
    Json(AccountInfo {
        id: current.account.id.clone(),
        name: current.account.name.clone(),
        cancel_requires_owner: current.account.policy.cancel_requires_owner,
    })
}

/// Turns the owner-only cancel policy on or off (owner). Takes effect on
/// every user's next request; recorded in the audit log.
#[utoipa::path(patch, path = "/api/account/policy", tag = "account",
    request_body = UpdatePolicyRequest,
    responses(
        (status = 200, description = "The account with its new policy", body = AccountInfo),
        (status = 400, description = "A malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Only the owner sets policies", body = ErrorBody),
    ))]
pub async fn update_account_policy(
    State(state): State<AppState>,
    current: CurrentUser,
    body: Result<ApiJson<UpdatePolicyRequest>, ApiError>,
) -> ApiResult<Json<AccountInfo>> {
    current.require(Permission::SetPolicy)?;
    // Permission first: a caller without it learns nothing from body errors.
    let ApiJson(body) = body?;
    let account = &current.account;
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
                    Some(&current.user.id),
                    "account.policy_changed",
                    json!({ "cancel_requires_owner": { "from": account.policy.cancel_requires_owner, "to": body.cancel_requires_owner } }),
                    now,
                ),
            ])
            .await?;
    }
    Ok(Json(AccountInfo {
        id: account.id.clone(),
        name: account.name.clone(),
        cancel_requires_owner: body.cancel_requires_owner,
    }))
}

/// The owner and admins, whom any user of the account may ask for billing access.
#[utoipa::path(get, path = "/api/account/billing-contacts", tag = "account",
    responses(
        (status = 200, description = "Who manages billing", body = BillingContacts),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn list_billing_contacts(
    State(state): State<AppState>,
    current: CurrentUser,
) -> ApiResult<Json<BillingContacts>> {
    let users = state.store.users_of_account(&current.account.id).await?;
    let data = users
        .into_iter()
        .filter(|u| u.active && matches!(u.role, Role::Owner | Role::Admin))
        .map(|u| BillingContact {
            name: u.name,
            email: u.email,
            role: u.role,
        })
        .collect();
    Ok(Json(BillingContacts { data }))
}
