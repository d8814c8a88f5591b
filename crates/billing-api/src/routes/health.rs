//! Liveness and the OpenAPI document.

use crate::state::AppState;
use axum::extract::State;
use axum::{Extension, Json};
use billing_domain::wire::Health;
use std::sync::Arc;
use utoipa_axum::{router::OpenApiRouter, routes};

/// `GET /api/health` and `GET /api/openapi.json`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_health))
        .routes(routes!(get_openapi))
}

/// The finished OpenAPI document (see `openapi_rules`), put in place by startup.
pub type OpenApiDoc = Arc<serde_json::Value>;

/// This document: every route of the API.
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn get_openapi(Extension(doc): Extension<OpenApiDoc>) -> Json<serde_json::Value> {
    Json((*doc).clone())
}

/// Whether the server is up, and its mode.
#[utoipa::path(get, path = "/api/health", tag = "meta",
    responses((status = 200, description = "The server is up", body = Health)))]
pub async fn get_health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        mode: state.config.mode.as_str().into(),
    })
}
