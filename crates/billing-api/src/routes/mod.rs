//! The API's routes, one file per resource, each exposing `router()`.

pub mod access;
pub mod account;
pub mod audit;
pub mod billing;
pub mod cancel;
pub mod catalog;
pub mod credit_notes;
pub mod dev;
pub mod health;
pub mod invoices;
pub mod members;
pub mod password_resets;
pub mod payments;
pub mod session;
pub mod subscription;
pub mod test_support;
pub mod vendor;

use crate::config::Mode;
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

/// Every route of the API (test routes only in test mode), with its OpenAPI
/// description.
pub fn api_router(mode: Mode) -> OpenApiRouter<AppState> {
    let router = OpenApiRouter::new()
        .merge(health::router())
        .merge(session::router())
        .merge(password_resets::router())
        .merge(catalog::router())
        .merge(billing::router())
        .merge(account::router())
        .merge(members::router())
        .merge(invoices::router())
        .merge(credit_notes::router())
        .merge(payments::router())
        .merge(subscription::router())
        .merge(audit::router())
        .merge(access::router())
        .merge(cancel::router())
        .merge(vendor::router());
    let router = if mode == Mode::Production {
        router
    } else {
        router.merge(dev::router())
    };
    if mode == Mode::Test {
        router.merge(test_support::router())
    } else {
        router
    }
}
