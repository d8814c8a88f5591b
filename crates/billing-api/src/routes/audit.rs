//! The account's audit log (owner and admins).

use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::services::actor::Actor;
use crate::services::audit;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use billing_domain::wire::{AuditLog, ErrorBody};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/audit-log`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit_log))
}

/// Paging through the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// How many (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
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
    actor: Actor,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditLog>> {
    let after = query.starting_after.as_deref();
    Ok(Json(audit::page(&state, &actor, query.limit, after).await?))
}
