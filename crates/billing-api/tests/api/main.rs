//! Black-box tests of the billing API: each test spawns the real application
//! on its own port and its own database and talks HTTP to it. The database is
//! a fresh one on the PostgreSQL cluster `TEST_DATABASE_URL` names, or a fresh
//! SQLite file when it is unset.

#[path = "../support/database.rs"]
mod database;

mod access_requests;
mod audit;
mod billing_details;
mod cancel;
mod catalog;
mod credit_notes;
mod errors;
mod headers;
mod helpers;
mod instances;
mod invoices;
mod mail;
mod manual_clock;
mod members;
mod model;
mod money;
mod openapi_contract;
mod overview;
mod password_resets;
mod payments;
mod permission_matrix;
mod renewals;
mod scheduler;
mod session;
mod sessions;
mod static_files;
mod subscription;
mod throttle;
mod vendor;
mod webhooks;
