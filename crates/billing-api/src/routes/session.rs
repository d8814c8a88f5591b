//! Signing in and out, and who is signed in.

use crate::config::Mode;
use crate::cookies::{clear_cookie, session_cookie};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ClientAddr};
use crate::services::actor::Actor;
use crate::services::{auth, sessions};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header::SET_COOKIE, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use billing_domain::wire::{
    ChangePasswordRequest, ErrorBody, OtherSessionsEnded, SessionInfo, SignInRequest,
};
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/session`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_session, get_session, delete_session))
        .routes(routes!(change_password))
        .routes(routes!(end_other_sessions))
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
        (status = 429, description = "Too many attempts for this email: wait the seconds `Retry-After` (and the body's `retry_after`) says", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    ))]
pub async fn create_session(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<SignInRequest>,
) -> ApiResult<Response> {
    let (token, user, account) =
        auth::sign_in(&state, &body.email, &body.password, &client).await?;
    let lifetime = state.config.security.session_lifetime.num_seconds();
    let cookie = session_cookie(&token, lifetime, secure_cookies(&state));
    let info = auth::session_info(&user, &account);
    Ok(([(SET_COOKIE, cookie)], Json(info)).into_response())
}

/// The signed-in user, their account, role and permissions.
#[utoipa::path(get, path = "/api/session", tag = "session",
    responses(
        (status = 200, description = "The current session", body = SessionInfo),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn get_session(actor: Actor) -> Json<SessionInfo> {
    Json(auth::session_info(&actor.user, &actor.account))
}

/// Signs out: ends the session and clears the cookie.
#[utoipa::path(delete, path = "/api/session", tag = "session",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn delete_session(State(state): State<AppState>, actor: Actor) -> ApiResult<Response> {
    auth::sign_out(&state, &actor).await?;
    let cookie = clear_cookie(secure_cookies(&state));
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, cookie)]).into_response())
}

/// Changes the signed-in user's password and signs out every other session.
#[utoipa::path(post, path = "/api/session/password", tag = "session",
    request_body = ChangePasswordRequest,
    params(("Idempotency-Key" = String, Header, description = "Makes a retry safe")),
    responses(
        (status = 200, description = "Changed; the other sessions were signed out", body = OtherSessionsEnded),
        (status = 400, description = "The current password is wrong, or the new one breaks a rule", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 429, description = "Too many wrong current passwords: wait the seconds `Retry-After` says", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    actor: Actor,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<ChangePasswordRequest>,
) -> ApiResult<Json<OtherSessionsEnded>> {
    let sessions_ended = sessions::change_password(
        &state,
        &actor,
        &body.current_password,
        &body.new_password,
        &client,
    )
    .await?;
    Ok(Json(OtherSessionsEnded { sessions_ended }))
}

/// Signs the user out of every session but this one.
#[utoipa::path(delete, path = "/api/session/others", tag = "session",
    params(("Idempotency-Key" = String, Header, description = "Makes a retry safe")),
    responses(
        (status = 200, description = "The other sessions were signed out", body = OtherSessionsEnded),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn end_other_sessions(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<OtherSessionsEnded>> {
    let sessions_ended = sessions::end_other_sessions(&state, &actor).await?;
    Ok(Json(OtherSessionsEnded { sessions_ended }))
}
