//! Passwords and sessions: changing the password, signing out of other
//! sessions.

use super::{mutating, post_json, read_json, send, ApiError, Auth};
use billing_domain::wire::{ChangePasswordRequest, OtherSessionsEnded};
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
    let response = send(request, Auth::Session).await?;
    read_json(response).await
}
