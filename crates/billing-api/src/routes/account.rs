//! The signed-in user's account: who manages its billing.

use crate::error::ApiResult;
use crate::extract::CurrentUser;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use billing_domain::wire::{BillingContact, BillingContacts, ErrorBody};
use billing_domain::Role;
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/account/*`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_billing_contacts))
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
