//! The signed-in user's account: who manages its billing.

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::services::account;
use crate::services::actor::Actor;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use billing_domain::wire::{AccountInfo, BillingContacts, ErrorBody, UpdatePolicyRequest};
use billing_domain::Permission;
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
pub async fn get_account(actor: Actor) -> Json<AccountInfo> {
    Json(account::info(&actor))
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
    actor: Actor,
    body: Result<ApiJson<UpdatePolicyRequest>, ApiError>,
) -> ApiResult<Json<AccountInfo>> {
    // Permission first: a caller without it learns nothing from body errors.
    actor.require(Permission::SetPolicy)?;
    let ApiJson(body) = body?;
    Ok(Json(account::set_policy(&state, &actor, body).await?))
}

/// The owner and admins, whom any user of the account may ask for billing access.
#[utoipa::path(get, path = "/api/account/billing-contacts", tag = "account",
    responses(
        (status = 200, description = "Who manages billing", body = BillingContacts),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn list_billing_contacts(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<BillingContacts>> {
    Ok(Json(account::billing_contacts(&state, &actor).await?))
}
