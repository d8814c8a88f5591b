//! Passwords and sessions: changing the password, signing out of other
//! sessions, and resetting a forgotten password by an e-mailed link (made
//! signed out, so a 401 there is no lost session).

use super::{answer, common, encode, mutating, post_json, send, ApiError, Auth};
use billing_domain::wire::{
    ChangePasswordRequest, CompletePasswordResetRequest, OtherSessionsEnded, PasswordResetLink,
    PasswordResetRequest, PasswordResetRequested,
};
use gloo_net::http::Request;

/// `POST /api/session/password`: changes the password and signs out every
/// other session. A wrong current password or a new one that breaks a rule
/// is a 400 naming `current_password` or `new_password`.
pub async fn change_password(
    request: &ChangePasswordRequest,
) -> Result<OtherSessionsEnded, ApiError> {
    post_json("/api/session/password", request).await
}

/// `DELETE /api/session/others`: signs out of every session but this one.
pub async fn end_other_sessions() -> Result<OtherSessionsEnded, ApiError> {
    let request = mutating(Request::delete("/api/session/others")).build();
    answer(request, Auth::Session).await?.json()
}

/// `POST /api/password-resets`: e-mails a reset link if an account uses the
/// address; the answer (202) is the same either way.
pub async fn request_password_reset(
    request: &PasswordResetRequest,
) -> Result<PasswordResetRequested, ApiError> {
    let request = mutating(Request::post("/api/password-resets")).json(request);
    answer(request, Auth::SigningIn).await?.json()
}

/// `GET /api/password-resets/{token}`: until when the link works; a 400
/// `invalid_reset_link` when it no longer does.
pub async fn password_reset_link(token: &str) -> Result<PasswordResetLink, ApiError> {
    let path = format!("/api/password-resets/{}", encode(token));
    answer(common(Request::get(&path)).build(), Auth::SigningIn)
        .await?
        .json()
}

/// `POST /api/password-resets/{token}`: sets the new password (204); every
/// session of the user ends.
pub async fn complete_password_reset(
    token: &str,
    request: &CompletePasswordResetRequest,
) -> Result<(), ApiError> {
    let path = format!("/api/password-resets/{}", encode(token));
    let request = mutating(Request::post(&path)).json(request);
    send(request, Auth::SigningIn).await.map(drop)
}
