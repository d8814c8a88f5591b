//! Billing access requests: a member asks, the owner grants or declines.

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::services::access;
use crate::services::actor::Actor;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use billing_domain::wire::{
    AccessRequest, AccessRequestList, CreateAccessRequest, ErrorBody, GrantAccessRequest,
};
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/access-requests`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_access_request, list_access_requests))
        .routes(routes!(get_my_access_request))
        .routes(routes!(grant_access_request))
        .routes(routes!(decline_access_request))
}

/// Asks the owner for billing access (members without `billing:manage`).
/// One open request per member: a second one says it is pending.
#[utoipa::path(post, path = "/api/access-requests", tag = "members",
    request_body = CreateAccessRequest,
    responses(
        (status = 201, description = "Requested; the owner is e-mailed", body = AccessRequest),
        (status = 400, description = "The note is too long, or the user already manages billing", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 409, description = "A request is already pending", body = ErrorBody),
    ))]
pub async fn create_access_request(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<CreateAccessRequest>,
) -> ApiResult<(StatusCode, Json<AccessRequest>)> {
    let request = access::create(&state, &actor, body).await?;
    Ok((StatusCode::CREATED, Json(request)))
}

/// The account's open access requests (owner).
#[utoipa::path(get, path = "/api/access-requests", tag = "members",
    responses(
        (status = 200, description = "Open requests, oldest first", body = AccessRequestList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Only the owner sees requests", body = ErrorBody),
    ))]
pub async fn list_access_requests(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<AccessRequestList>> {
    Ok(Json(access::list_open(&state, &actor).await?))
}

/// The signed-in user's own pending request, if any.
#[utoipa::path(get, path = "/api/access-requests/mine", tag = "members",
    responses(
        (status = 200, description = "The pending request (empty list when none)", body = AccessRequestList),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn get_my_access_request(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<AccessRequestList>> {
    Ok(Json(access::mine(&state, &actor).await?))
}

/// Grants the request at `read` or `manage` (owner); the member is e-mailed.
#[utoipa::path(post, path = "/api/access-requests/{id}/grant", tag = "members",
    params(("id" = String, Path, description = "The request's id")),
    request_body = GrantAccessRequest,
    responses(
        (status = 200, description = "Granted", body = AccessRequest),
        (status = 400, description = "An invalid level", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Only the owner grants", body = ErrorBody),
        (status = 404, description = "No such request in this account", body = ErrorBody),
        (status = 409, description = "Already decided", body = ErrorBody),
    ))]
pub async fn grant_access_request(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Result<ApiJson<GrantAccessRequest>, ApiError>,
) -> ApiResult<Json<AccessRequest>> {
    // Who may decide first: a caller who may not learns nothing from body errors.
    access::decidable(&state, &actor, &id).await?;
    let ApiJson(body) = body?;
    let granted = Some(body.billing_access);
    Ok(Json(access::decide(&state, &actor, &id, granted).await?))
}

/// Declines the request (owner); the member is e-mailed.
#[utoipa::path(post, path = "/api/access-requests/{id}/decline", tag = "members",
    params(("id" = String, Path, description = "The request's id")),
    responses(
        (status = 200, description = "Declined", body = AccessRequest),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Only the owner declines", body = ErrorBody),
        (status = 404, description = "No such request in this account", body = ErrorBody),
        (status = 409, description = "Already decided", body = ErrorBody),
    ))]
pub async fn decline_access_request(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<AccessRequest>> {
    Ok(Json(access::decide(&state, &actor, &id, None).await?))
}
