//! Use cases: load, decide with the domain, persist, record.

pub mod auth;
pub mod overview;
pub mod seed;
