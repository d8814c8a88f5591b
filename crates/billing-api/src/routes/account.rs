//! The signed-in user's account: who manages its billing.

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::services::actor::Actor;
use crate::services::{account, billing_details};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use billing_domain::wire::{
    AccountInfo, BillingContacts, BillingDetails, ErrorBody, UpdateBillingDetailsRequest,
    UpdatePolicyRequest,
};
use billing_domain::Permission;
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/account/*`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_billing_contacts))
        .routes(routes!(get_account))
        .routes(routes!(update_account_policy))
        .routes(routes!(get_billing_details, put_billing_details))
}

/// Whom invoices are made out to and where billing e-mails go: as set, or
/// the defaults (the account's name, the owner's e-mail, no address).
#[utoipa::path(get, path = "/api/account/billing-details", tag = "account",
    responses(
        (status = 200, description = "The billing details", body = BillingDetails),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No billing:read permission", body = ErrorBody),
    ))]
pub async fn get_billing_details(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<BillingDetails>> {
    Ok(Json(billing_details::get(&state, &actor).await?))
}

/// Replaces the billing details (`billing:manage`); recorded in the audit
/// log. Invoices already issued keep the details they were issued with.
#[utoipa::path(put, path = "/api/account/billing-details", tag = "account",
    request_body = UpdateBillingDetailsRequest,
    responses(
        (status = 200, description = "The new billing details", body = BillingDetails),
        (status = 400, description = "A field breaks a rule (`param` names it, e.g. `address.country`, `cc[1]`)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No billing:manage permission", body = ErrorBody),
    ))]
pub async fn put_billing_details(
    State(state): State<AppState>,
    actor: Actor,
    body: Result<ApiJson<UpdateBillingDetailsRequest>, ApiError>,
) -> ApiResult<Json<BillingDetails>> {
    // Permission first: a caller without it learns nothing from body errors.
    actor.require(Permission::BillingManage)?;
    let ApiJson(body) = body?;
    Ok(Json(billing_details::put(&state, &actor, body).await?))
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
