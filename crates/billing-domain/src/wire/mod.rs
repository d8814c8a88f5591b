//! JSON bodies shared by the API and the SPA (SPEC §9).
//!
//! Request bodies refuse unknown fields; money is [`Money`](crate::Money) and
//! times are RFC 3339 UTC. One file per concern; everything is re-exported
//! here, so every type is `billing_domain::wire::X` whichever file holds it.

mod audit;
mod billing_details;
mod cancel;
mod catalog;
mod errors;
mod invoices;
mod ledger;
mod mail;
mod members;
mod overview;
mod password_reset;
mod payments;
#[cfg(feature = "openapi")]
mod schema;
mod session;
mod subscription;
mod test_support;
mod vendor;

pub use audit::*;
pub use billing_details::*;
pub use cancel::*;
pub use catalog::*;
pub use errors::*;
pub use invoices::*;
pub use ledger::*;
pub use mail::*;
pub use members::*;
pub use overview::*;
pub use password_reset::*;
pub use payments::*;
pub use session::*;
pub use subscription::*;
pub use test_support::*;
pub use vendor::*;
