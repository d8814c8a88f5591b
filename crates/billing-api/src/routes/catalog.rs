//! The catalog (SPEC §2, §9): what is sold and at what price, for the
//! portal to show. Product information, not account data, so it needs no
//! session: the sign-in page may show it too, and a 401 from it never sends
//! anyone to sign in.

use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use billing_domain::wire::CatalogView;
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/catalog`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_catalog))
}

/// The plans (the intervals each is sold at, per-seat prices per month and
/// per period, whether it is self-serve), the add-ons, the pause price, the
/// full-refund window and where contract plans are bought. Everything the
/// portal shows about the catalog comes from here.
#[utoipa::path(get, path = "/api/catalog", tag = "catalog",
    responses((status = 200, description = "The catalog", body = CatalogView)))]
pub async fn get_catalog(State(state): State<AppState>) -> Json<CatalogView> {
    // Built per request from the loaded configuration: cheap, and it can
    // never disagree with what the API bills.
    Json(CatalogView::new(&state.catalog, &state.cancel_flow))
}
