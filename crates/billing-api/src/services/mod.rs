//! Use cases: load, decide with the domain, persist, record.

pub mod auth;
pub mod billing;
pub mod cancel;
pub mod changes;
pub mod charge;
pub mod invoices;
pub mod ledger;
pub mod overview;
pub mod seed;
