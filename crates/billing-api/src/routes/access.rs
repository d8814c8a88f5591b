//! Billing access requests: a member asks, the owner grants or declines.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, CurrentUser};
use crate::mail::{self, templates};
use crate::services::billing::audit;
use crate::services::seed::new_id;
use crate::state::AppState;
use crate::store::{AccessRequestRecord, StoreError, Write};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use billing_domain::wire::{
    AccessRequest, AccessRequestList, AccessRequestStatus, CreateAccessRequest, ErrorBody,
    GrantAccessRequest,
};
use billing_domain::{BillingAccess, Permission, Role};
use serde_json::json;
use std::collections::HashMap;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The longest note a member may send.
const MAX_NOTE: usize = 500;

/// `/api/access-requests`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_access_request, list_access_requests))
        .routes(routes!(get_my_access_request))
        .routes(routes!(grant_access_request))
        .routes(routes!(decline_access_request))
}

fn status_of(s: &str) -> AccessRequestStatus {
    match s {
        "granted" => AccessRequestStatus::Granted,
        "declined" => AccessRequestStatus::Declined,
        _ => AccessRequestStatus::Open,
    }
}

fn to_wire(r: AccessRequestRecord, names: &HashMap<String, (String, String)>) -> AccessRequest {
    let (user_name, user_email) = names.get(&r.user_id).cloned().unwrap_or_default();
    AccessRequest {
        id: r.id,
        user_id: r.user_id,
        user_name,
        user_email,
        note: r.note,
        status: status_of(&r.status),
        granted: r.granted,
        created_at: r.created_at,
        decided_at: r.decided_at,
    }
}

async fn names(state: &AppState, account_id: &str) -> ApiResult<HashMap<String, (String, String)>> {
    Ok(state
        .store
        .users_of_account(account_id)
        .await?
        .into_iter()
        .map(|u| (u.id, (u.name, u.email)))
        .collect())
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
    current: CurrentUser,
    ApiJson(body): ApiJson<CreateAccessRequest>,
) -> ApiResult<(StatusCode, Json<AccessRequest>)> {
    if current.permissions.contains(Permission::BillingManage) {
        return Err(ApiError::BadRequest {
            code: "already_has_access",
            message: "You already manage billing.".into(),
            param: None,
        });
    }
    let note = body.note.unwrap_or_default();
    if note.chars().count() > MAX_NOTE {
        return Err(ApiError::invalid(
            "note",
            "too_long",
            format!("The note can be at most {MAX_NOTE} characters."),
        ));
    }
    let pending = || ApiError::Conflict {
        code: "access_request_pending",
        message: "You already asked for billing access; the request is pending with the owner."
            .into(),
    };
    if state
        .store
        .open_access_request(&current.user.id)
        .await?
        .is_some()
    {
        return Err(pending());
    }
    let now = state.now_for(&current.account);
    let owner = mail::billing_contact(&state, &current.account.id).await?;
    let record = AccessRequestRecord {
        id: new_id("areq"),
        account_id: current.account.id.clone(),
        user_id: current.user.id.clone(),
        note: note.trim().to_string(),
        status: "open".into(),
        granted: None,
        created_at: now,
        decided_at: None,
        decided_by: None,
    };
    let draft = templates::access_requested(
        &current.account,
        &current.user.name,
        &current.user.email,
        &record.note,
    );
    let result = state
        .store
        .commit(vec![
            Write::InsertAccessRequest(record.clone()),
            audit(
                &current.account.id,
                Some(&current.user.id),
                "member.access_requested",
                json!({ "note": record.note }),
                now,
            ),
            mail::to_user(&current.account.id, &owner, &draft, now),
        ])
        .await;
    match result {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(pending()),
        Err(e) => return Err(e.into()),
    }
    let names = names(&state, &current.account.id).await?;
    Ok((StatusCode::CREATED, Json(to_wire(record, &names))))
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
    current: CurrentUser,
) -> ApiResult<Json<AccessRequestList>> {
    current.require(Permission::MembersGrantBilling)?;
    let names = names(&state, &current.account.id).await?;
    let data = state
        .store
        .access_requests(&current.account.id, "open")
        .await?
        .into_iter()
        .map(|r| to_wire(r, &names))
        .collect();
    Ok(Json(AccessRequestList { data }))
}

/// The signed-in user's own pending request, if any.
#[utoipa::path(get, path = "/api/access-requests/mine", tag = "members",
    responses(
        (status = 200, description = "The pending request (empty list when none)", body = AccessRequestList),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn get_my_access_request(
    State(state): State<AppState>,
    current: CurrentUser,
) -> ApiResult<Json<AccessRequestList>> {
    let names = names(&state, &current.account.id).await?;
    let data = state
        .store
        .open_access_request(&current.user.id)
        .await?
        .into_iter()
        .map(|r| to_wire(r, &names))
        .collect();
    Ok(Json(AccessRequestList { data }))
}

/// The request, if it is in the caller's account (else 404) and the caller
/// may decide it (else 403).
async fn decidable(
    state: &AppState,
    current: &CurrentUser,
    id: &str,
) -> ApiResult<AccessRequestRecord> {
    let request = state
        .store
        .access_request(id)
        .await?
        .filter(|r| r.account_id == current.account.id)
        .ok_or(ApiError::NotFound("access request"))?;
    current.require(Permission::MembersGrantBilling)?;
    Ok(request)
}

async fn decide(
    state: &AppState,
    current: &CurrentUser,
    id: &str,
    granted: Option<BillingAccess>,
) -> ApiResult<Json<AccessRequest>> {
    let request = decidable(state, current, id).await?;
    if granted == Some(BillingAccess::None) {
        return Err(ApiError::invalid(
            "billing_access",
            "invalid_level",
            "Grant `read` or `manage`, or decline the request.",
        ));
    }
    if request.status != "open" {
        return Err(ApiError::Conflict {
            code: "already_decided",
            message: "This request was already decided.".into(),
        });
    }
    let member = state
        .store
        .user(&request.user_id)
        .await?
        .filter(|u| u.active && u.role == Role::Member)
        .ok_or(ApiError::NotFound("member"))?;
    let now = state.now_for(&current.account);
    let status = if granted.is_some() {
        "granted"
    } else {
        "declined"
    };
    let mut writes = vec![Write::DecideAccessRequest {
        id: request.id.clone(),
        status: status.into(),
        granted,
        decided_at: now,
        decided_by: current.user.id.clone(),
    }];
    if let Some(level) = granted {
        writes.push(Write::SetBillingAccess {
            user_id: member.id.clone(),
            access: level,
        });
    }
    writes.push(audit(
        &current.account.id,
        Some(&current.user.id),
        if granted.is_some() { "member.access_request_granted" } else { "member.access_request_declined" },
        json!({ "user_id": member.id, "user_name": member.name, "from": member.billing_access, "to": granted }),
        now,
    ));
    let level_text = granted.map(|g| {
        if g == BillingAccess::Manage {
            "manage"
        } else {
            "read"
        }
    });
    writes.push(mail::to_user(
        &current.account.id,
        &member,
        &templates::access_decided(&current.account, level_text),
        now,
    ));
    match state.store.commit(writes).await {
        Ok(()) => {}
        Err(StoreError::AlreadyDone(_)) => {
            return Err(ApiError::Conflict {
                code: "already_decided",
                message: "This request was already decided.".into(),
            })
        }
        Err(e) => return Err(e.into()),
    }
    let decided = state
        .store
        .access_request(id)
        .await?
        .ok_or(ApiError::NotFound("access request"))?;
    let names = names(state, &current.account.id).await?;
    Ok(Json(to_wire(decided, &names)))
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
    current: CurrentUser,
    Path(id): Path<String>,
    body: Result<ApiJson<GrantAccessRequest>, ApiError>,
) -> ApiResult<Json<AccessRequest>> {
    decidable(&state, &current, &id).await?;
    let ApiJson(body) = body?;
    decide(&state, &current, &id, Some(body.billing_access)).await
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
    current: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<AccessRequest>> {
    decide(&state, &current, &id, None).await
}
