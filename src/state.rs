//! Contexts shared by every page: each is a type alias plus a `provide_*()`.

pub mod access_change;
pub mod catalog;
pub mod overview_revision;
pub mod server_mode;
pub mod session;
