//! The billing portal's JSON API: axum routes over a store, a clock and the
//! pure rules of `billing-domain`.

pub mod clock;
pub mod config;
pub mod cookies;
pub mod documents;
pub mod error;
pub mod extract;
pub mod gateway;
pub mod idempotency;
pub mod ids;
pub mod mail;
pub mod openapi;
pub mod openapi_rules;
pub mod report;
pub mod routes;
pub mod scheduler;
pub mod security_headers;
pub mod services;
pub mod startup;
pub mod state;
pub mod store;
pub mod webhooks;
