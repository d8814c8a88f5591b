//! Plans & Billing.

use crate::error::ApiResult;
use crate::services::actor::Actor;
use crate::services::overview;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header::ETAG;
use axum::response::{IntoResponse, Response};
use axum::Json;
use billing_domain::wire::{BillingOverview, ErrorBody};
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/billing/*`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_billing_overview))
}

/// The account's plan, state, seats, period, next charge, card and credit.
/// The `ETag` header is the subscription's version.
#[utoipa::path(get, path = "/api/billing/overview", tag = "billing",
    responses(
        (status = 200, description = "The billing overview", body = BillingOverview,
            headers(("ETag" = String, description = "The subscription's version"))),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No billing:read permission", body = ErrorBody),
    ))]
pub async fn get_billing_overview(
    State(state): State<AppState>,
    current: Actor,
) -> ApiResult<Response> {
    let overview = overview::for_actor(&state, &current).await?;
    let etag = format!("\"{}\"", overview.version);
    Ok(([(ETAG, etag)], Json(overview)).into_response())
}
