//! The account's users and their billing access.

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::services::actor::Actor;
use crate::services::members;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use billing_domain::wire::{ErrorBody, Member, MemberList, UpdateMemberRequest};
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/members`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_members))
        .routes(routes!(update_member))
}

/// The account's users with role and billing access (owner and admins).
#[utoipa::path(get, path = "/api/members", tag = "members",
    responses(
        (status = 200, description = "The account's users", body = MemberList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Only the owner and admins see members", body = ErrorBody),
    ))]
pub async fn list_members(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<MemberList>> {
    Ok(Json(members::list(&state, &actor).await?))
}

/// Sets a member's billing access: `none`, `read` or `manage` (owner only).
/// Takes effect on the member's next request; recorded in the audit log.
#[utoipa::path(patch, path = "/api/members/{id}", tag = "members",
    params(("id" = String, Path, description = "The user's id")),
    request_body = UpdateMemberRequest,
    responses(
        (status = 200, description = "The member as now stored", body = Member),
        (status = 400, description = "Invalid level, or the user is not a member", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Only the owner grants billing access", body = ErrorBody),
        (status = 404, description = "No such user in this account", body = ErrorBody),
    ))]
pub async fn update_member(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Result<ApiJson<UpdateMemberRequest>, ApiError>,
) -> ApiResult<Json<Member>> {
    // Permission first: a caller without it learns nothing from body errors.
    members::grantable(&state, &actor, &id).await?;
    let ApiJson(body) = body?;
    Ok(Json(
        members::set_billing_access(&state, &actor, &id, body).await?,
    ))
}
