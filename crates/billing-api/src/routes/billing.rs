//! Plans & Billing.

use crate::error::ApiResult;
use crate::extract::SessionToken;
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
    SessionToken(token): SessionToken,
) -> ApiResult<Response> {
    // The token rather than an `Actor`: the session, whom it signs in and
    // the overview are read in one query, then judged as the `Actor`
    // extractor judges a session.
    let overview = overview::for_session(&state, &token).await?;
    let etag = format!("\"{}\"", overview.version);
    Ok(([(ETAG, etag)], Json(overview)).into_response())
}
