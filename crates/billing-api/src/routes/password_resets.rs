//! Resetting a forgotten password: asking for a link, checking it, using it.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ClientAddr};
use crate::services::password_reset::{self, VALID_MINUTES};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use billing_domain::wire::{
    CompletePasswordResetRequest, ErrorBody, PasswordResetLink, PasswordResetRequest,
    PasswordResetRequested,
};
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/password-resets`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_password_reset))
        .routes(routes!(get_password_reset, complete_password_reset))
}

/// E-mails a single-use link to choose a new password, valid for an hour,
/// if an account uses the address. The answer is the same either way.
#[utoipa::path(post, path = "/api/password-resets", tag = "session",
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "A link is on its way if an account uses the address", body = PasswordResetRequested),
        (status = 400, description = "The address is missing or malformed", body = ErrorBody),
    ))]
pub async fn create_password_reset(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<PasswordResetRequest>,
) -> ApiResult<(StatusCode, Json<PasswordResetRequested>)> {
    password_reset::request(&state, &body.email)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(PasswordResetRequested {
            valid_minutes: VALID_MINUTES as u32,
        }),
    ))
}

/// Whether a reset link still works, and until when.
#[utoipa::path(get, path = "/api/password-resets/{token}", tag = "session",
    params(("token" = String, Path, description = "The token from the e-mailed link")),
    responses(
        (status = 200, description = "The link works", body = PasswordResetLink),
        (status = 400, description = "The link expired, was used or never existed (`invalid_reset_link`)", body = ErrorBody),
    ))]
pub async fn get_password_reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Json<PasswordResetLink>> {
    let expires_at = password_reset::check(&state, &token).await?;
    Ok(Json(PasswordResetLink { expires_at }))
}

/// Sets a new password with a reset link; the link is used up and every
/// session of the user ends.
#[utoipa::path(post, path = "/api/password-resets/{token}", tag = "session",
    params(("token" = String, Path, description = "The token from the e-mailed link")),
    request_body = CompletePasswordResetRequest,
    responses(
        (status = 204, description = "The new password is set; sign in with it"),
        (status = 400, description = "The link no longer works, or the new password breaks a rule", body = ErrorBody),
    ))]
pub async fn complete_password_reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<CompletePasswordResetRequest>,
) -> ApiResult<StatusCode> {
    password_reset::complete(&state, &token, &body.new_password, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
