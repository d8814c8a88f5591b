//! Use cases: load, decide with the domain, persist, record.

pub mod access;
pub mod account;
pub mod actor;
pub mod audit;
pub mod auth;
pub mod bench;
pub mod billing;
pub mod billing_details;
pub mod cancel;
pub mod changes;
pub mod charge;
pub mod credit_notes;
pub mod error;
pub mod housekeeping;
pub mod invoices;
pub mod ledger;
pub mod members;
pub mod overview;
pub mod password;
pub mod password_reset;
pub mod payments;
pub mod renewals;
pub mod seed;
pub mod sessions;
pub mod throttle;
pub mod vendor;
