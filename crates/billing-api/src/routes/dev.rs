//! The dev mailbox (dev and test modes only; elsewhere 404).

use crate::error::ApiResult;
use crate::mail::templates::PASSWORD_RESET_KIND;
use crate::routes::test_support::emails_of;
use crate::services::actor::Actor;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use billing_domain::wire::{EmailList, ErrorBody};
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/dev/*`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_dev_mailbox))
}

/// Every e-mail sent to the signed-in user's account, newest first (of
/// password reset links, only the user's own).
#[utoipa::path(get, path = "/api/dev/mailbox", tag = "dev",
    responses(
        (status = 200, description = "The account's e-mails", body = EmailList),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn list_dev_mailbox(
    State(state): State<AppState>,
    current: Actor,
) -> ApiResult<Json<EmailList>> {
    let mut list = emails_of(&state, &current.account.id).await?;
    // A reset link is its recipient's alone, even among colleagues.
    list.data
        .retain(|e| e.kind != PASSWORD_RESET_KIND || e.to == current.user.email);
    Ok(Json(list))
}
