//! The account's users and their billing access.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, CurrentUser};
use crate::services::seed::new_id;
use crate::state::AppState;
use crate::store::{AuditEntry, UserRecord};
use axum::extract::{Path, State};
use axum::Json;
use billing_domain::permissions::effective_access;
use billing_domain::wire::{ErrorBody, Member, MemberList, UpdateMemberRequest};
use billing_domain::{Permission, Role};
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/members`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_members))
        .routes(routes!(update_member))
}

fn member(u: UserRecord) -> Member {
    Member {
        id: u.id,
        name: u.name,
        email: u.email,
        role: u.role,
        billing_access: effective_access(u.role, u.billing_access),
    }
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
    current: CurrentUser,
) -> ApiResult<Json<MemberList>> {
    current.require(Permission::MembersRead)?;
    let users = state.store.users_of_account(&current.account.id).await?;
    Ok(Json(MemberList {
        data: users.into_iter().filter(|u| u.active).map(member).collect(),
    }))
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
    current: CurrentUser,
    Path(id): Path<String>,
    body: Result<ApiJson<UpdateMemberRequest>, ApiError>,
) -> ApiResult<Json<Member>> {
    // Another account's user is "not found", never "forbidden": ids are not probed.
    let target = state
        .store
        .user(&id)
        .await?
        .filter(|u| u.account_id == current.account.id && u.active)
        .ok_or(ApiError::NotFound("user"))?;
    current.require(Permission::MembersGrantBilling)?;
    // Permission first: a caller without it learns nothing from body errors.
    let ApiJson(body) = body?;
    if target.role != Role::Member {
        return Err(ApiError::invalid(
            "billing_access",
            "not_a_member",
            format!(
                "{} is {} and already has billing access through that role.",
                target.name,
                match target.role {
                    Role::Owner => "the owner",
                    _ => "an admin",
                }
            ),
        ));
    }
    if target.billing_access != body.billing_access {
        let now = state.now_for(&current.account);
        let audit = AuditEntry {
            id: new_id("aud"),
            account_id: current.account.id.clone(),
            actor_user_id: Some(current.user.id.clone()),
            action: "member.billing_access_changed".into(),
            details: json!({
                "user_id": target.id, "user_name": target.name,
                "from": target.billing_access, "to": body.billing_access,
            }),
            at: now,
        };
        state
            .store
            .set_billing_access(&target.id, body.billing_access, &audit)
            .await?;
    }
    Ok(Json(member(UserRecord {
        billing_access: body.billing_access,
        ..target
    })))
}
