//! Manage Subscription: preview, change, and undo a pending change.

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::services::actor::Actor;
use crate::services::changes;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header::{ETAG, IF_MATCH};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use billing_domain::change::ChangeRequest;
use billing_domain::wire::{ErrorBody, SubscriptionChangeResult, SubscriptionPreview};
use billing_domain::Permission;
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/subscription/*`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(preview_subscription_change))
        .routes(routes!(create_subscription_change))
        .routes(routes!(undo_pending_change))
}

/// The shape of `If-Match` (as the OpenAPI document says).
pub const IF_MATCH_PATTERN: &str = "^(W/)?(\"[0-9]{1,18}\"|[0-9]{1,18})$";

/// The version an `If-Match` header names: `"3"`, `W/"3"` or `3`.
pub fn if_match(headers: &HeaderMap) -> ApiResult<Option<i64>> {
    let Some(value) = headers.get(IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("");
    let text = text.strip_prefix("W/").unwrap_or(text);
    let digits = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    let well_formed =
        (1..=18).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    well_formed
        .then(|| digits.parse::<i64>().ok())
        .flatten()
        .map(Some)
        .ok_or_else(|| {
            ApiError::invalid(
                "If-Match",
                "invalid_if_match",
                "If-Match must be the overview's ETag, e.g. \"3\".",
            )
        })
}

/// What a change would charge today, credit, leave pending, and renew at:
/// exactly what the change itself will do. Changes nothing.
#[utoipa::path(post, path = "/api/subscription/preview", tag = "subscription",
    request_body = ChangeRequest,
    responses(
        (status = 200, description = "The change's figures", body = SubscriptionPreview),
        (status = 400, description = "An invalid change (names the field)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No billing:read permission", body = ErrorBody),
        (status = 409, description = "The subscription can't be changed in its state", body = ErrorBody),
    ))]
pub async fn preview_subscription_change(
    State(state): State<AppState>,
    current: Actor,
    body: Result<ApiJson<ChangeRequest>, ApiError>,
) -> ApiResult<Json<SubscriptionPreview>> {
    current.require(Permission::BillingRead)?;
    // Permission first: a caller without it learns nothing from body errors.
    let ApiJson(body) = body?;
    Ok(Json(changes::preview(&state, &current, &body).await?))
}

/// Makes a change: charges and credits exactly what the preview said.
/// Honours `If-Match` (412 and no change when stale); a declined charge
/// changes nothing (402).
#[utoipa::path(post, path = "/api/subscription/changes", tag = "subscription",
    request_body = ChangeRequest,
    params(
        ("If-Match" = Option<String>, Header, description = "The overview's ETag"),
        ("Idempotency-Key" = String, Header, description = "A unique key per change"),
    ),
    responses(
        (status = 200, description = "Changed", body = SubscriptionChangeResult,
            headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "An invalid change (names the field)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 402, description = "The card was declined; nothing changed", body = ErrorBody),
        (status = 403, description = "No billing:manage permission", body = ErrorBody),
        (status = 409, description = "The subscription can't be changed in its state", body = ErrorBody),
        (status = 412, description = "Stale If-Match; nothing changed", body = ErrorBody),
    ))]
pub async fn create_subscription_change(
    State(state): State<AppState>,
    current: Actor,
    headers: HeaderMap,
    request_key: Option<axum::Extension<crate::idempotency::RequestKey>>,
    body: Result<ApiJson<ChangeRequest>, ApiError>,
) -> ApiResult<Response> {
    current.require(Permission::BillingManage)?;
    // Permission first: a caller without it learns nothing from body errors.
    let ApiJson(body) = body?;
    let expected = if_match(&headers)?;
    let key = request_key.map(|k| k.0 .0);
    let result = changes::apply(&state, &current, &body, expected, key.as_deref()).await?;
    let etag = format!("\"{}\"", result.overview.version);
    Ok(([(ETAG, etag)], Json(result)).into_response())
}

/// Undoes a pending change: `seats` (a scheduled reduction) or `interval`
/// (a scheduled switch to monthly). Undoing nothing pending is not an error.
#[utoipa::path(delete, path = "/api/subscription/pending-changes/{kind}", tag = "subscription",
    params(
        ("kind" = String, Path, description = "`seats` or `interval`"),
        ("If-Match" = Option<String>, Header, description = "The overview's ETag"),
        ("Idempotency-Key" = String, Header, description = "A unique key per request"),
    ),
    responses(
        (status = 204, description = "No such change is pending any more"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No billing:manage permission", body = ErrorBody),
        (status = 404, description = "Unknown kind", body = ErrorBody),
        (status = 412, description = "Stale If-Match; nothing changed", body = ErrorBody),
    ))]
pub async fn undo_pending_change(
    State(state): State<AppState>,
    current: Actor,
    headers: HeaderMap,
    Path(kind): Path<String>,
) -> ApiResult<StatusCode> {
    let expected = if_match(&headers)?;
    changes::undo_pending(&state, &current, &kind, expected).await?;
    Ok(StatusCode::NO_CONTENT)
}
