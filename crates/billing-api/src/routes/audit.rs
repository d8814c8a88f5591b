//! The account's audit log (owner and admins).

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiQuery, CurrentUser};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use billing_domain::wire::{Actor, AuditLog, AuditLogEntry, ErrorBody};
use billing_domain::{AuditAction, Permission};
use serde::Deserialize;
use std::collections::HashMap;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/audit-log`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit_log))
}

/// Paging through the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// How many (1–200, default 50).
    pub limit: Option<i64>,
    /// The id of the last entry of the previous page.
    pub starting_after: Option<String>,
}

/// Who did what, when, with the amounts, newest first.
#[utoipa::path(get, path = "/api/audit-log", tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of the audit log", body = AuditLog),
        (status = 400, description = "A bad paging parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Only the owner and admins read the audit log", body = ErrorBody),
    ))]
pub async fn list_audit_log(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditLog>> {
    current.require(Permission::AuditRead)?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            "out_of_range",
            "`limit` must be between 1 and 200.",
        ));
    }
    let mut entries = state
        .store
        .audit_page(
            &current.account.id,
            limit + 1,
            query.starting_after.as_deref(),
        )
        .await?;
    let has_more = entries.len() as i64 > limit;
    entries.truncate(limit as usize);
    let names: HashMap<String, String> = state
        .store
        .users_of_account(&current.account.id)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let data = entries
        .into_iter()
        .map(|e| {
            Ok(AuditLogEntry {
                action: stored_action(&e.id, &e.action)?,
                actor: e.actor_user_id.map(|id| Actor {
                    name: names
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| "A former user".into()),
                    id,
                }),
                id: e.id,
                at: e.at,
                details: e.details,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Json(AuditLog { data, has_more }))
}

/// The action of a stored entry. The store keeps the dotted name as text;
/// one that is no [`AuditAction`] is a bug in whatever wrote it, so it is a
/// 500 naming the entry and the name (logged, never sent), not a guess.
fn stored_action(entry_id: &str, name: &str) -> ApiResult<AuditAction> {
    name.parse::<AuditAction>()
        .map_err(|unknown| ApiError::Internal(anyhow::anyhow!("audit entry {entry_id}: {unknown}")))
}
