//! Signing in and out, and who is signed in.

use crate::config::Mode;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, CurrentUser};
use crate::services::auth;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header::SET_COOKIE, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use billing_domain::permissions::{effective_access, permissions_for};
use billing_domain::wire::{AccountSummary, ErrorBody, SessionInfo, SignInRequest, UserSummary};
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/session`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_session, get_session, delete_session))
}

fn session_info(
    user: &crate::store::UserRecord,
    account: &crate::store::AccountRecord,
) -> SessionInfo {
    SessionInfo {
        user: UserSummary {
            id: user.id.clone(),
            name: user.name.clone(),
            email: user.email.clone(),
        },
        account: AccountSummary {
            id: account.id.clone(),
            name: account.name.clone(),
        },
        role: user.role,
        billing_access: effective_access(user.role, user.billing_access),
        permissions: permissions_for(user.role, user.billing_access, account.policy).to_vec(),
    }
}

fn secure_cookies(state: &AppState) -> bool {
    state.config.mode == Mode::Production
}

/// Signs in with e-mail and password and sets the session cookie.
#[utoipa::path(post, path = "/api/session", tag = "session",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = SessionInfo),
        (status = 400, description = "A field is missing or malformed", body = ErrorBody),
        (status = 401, description = "Incorrect email or password", body = ErrorBody),
    ))]
pub async fn create_session(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SignInRequest>,
) -> ApiResult<Response> {
    let email = body.email.trim();
    if email.is_empty() {
        return Err(ApiError::invalid(
            "email",
            "required",
            "Enter your email address.",
        ));
    }
    if !email.contains('@') || email.len() > 254 {
        return Err(ApiError::invalid(
            "email",
            "invalid_email",
            "Enter a valid email address.",
        ));
    }
    if body.password.is_empty() {
        return Err(ApiError::invalid(
            "password",
            "required",
            "Enter your password.",
        ));
    }
    if body.password.len() > 1024 {
        return Err(ApiError::invalid(
            "password",
            "too_long",
            "The password is too long.",
        ));
    }
    let user = auth::authenticate(&state, email, &body.password).await?;
    let account = state
        .store
        .account(&user.account_id)
        .await?
        .ok_or(ApiError::InvalidCredentials)?;
    if let Some(deleted) = account.deleted_at {
        return Err(ApiError::AccountDeleted(crate::mail::templates::date(
            deleted,
        )));
    }
    let (token, record) = auth::new_session(&state, &user);
    state.store.insert_session(&record).await?;
    tracing::info!(user = %user.id, account = %account.id, "signed in");
    let cookie = auth::session_cookie(&token, secure_cookies(&state));
    Ok(([(SET_COOKIE, cookie)], Json(session_info(&user, &account))).into_response())
}

/// The signed-in user, their account, role and permissions.
#[utoipa::path(get, path = "/api/session", tag = "session",
    responses(
        (status = 200, description = "The current session", body = SessionInfo),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn get_session(current: CurrentUser) -> Json<SessionInfo> {
    Json(session_info(&current.user, &current.account))
}

/// Signs out: ends the session and clears the cookie.
#[utoipa::path(delete, path = "/api/session", tag = "session",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn delete_session(
    State(state): State<AppState>,
    current: CurrentUser,
) -> ApiResult<Response> {
    state.store.delete_session(&current.session_hash).await?;
    let cookie = auth::clear_cookie(secure_cookies(&state));
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, cookie)]).into_response())
}
