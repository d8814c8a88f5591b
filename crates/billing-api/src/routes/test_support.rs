//! Test-mode routes (mounted only when `BILLING_MODE=test`; elsewhere 404).

use crate::error::ApiResult;
use crate::services::seed;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use billing_domain::wire::TestAccount;
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/test/*`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_test_account))
}

/// A fresh account on the demo subscription with one user per role; its
/// clock stands still at its creation time.
#[utoipa::path(post, path = "/api/test/accounts", tag = "test",
    responses((status = 201, description = "The new account and its users", body = TestAccount)))]
pub async fn create_test_account(
    State(state): State<AppState>,
) -> ApiResult<(StatusCode, Json<TestAccount>)> {
    let account = seed::create_test_account(&state).await?;
    Ok((StatusCode::CREATED, Json(account)))
}
