//! Pure billing rules shared by the API and the SPA.
//!
//! No I/O, no clock, no async: every function that depends on time takes
//! `now` as a parameter, so the same rules run on the server, in the browser
//! (for formatting and permission mirroring) and in table tests.

pub mod audit;
pub mod billing_details;
pub mod cancel_flow;
pub mod card;
pub mod catalog;
pub mod change;
pub mod countries;
pub mod email;
pub mod invoice;
pub mod ledger;
pub mod money;
pub mod password;
pub mod period;
pub mod permissions;
pub mod proration;
pub mod refund;
pub mod renewal;
pub mod seller;
pub mod subscription;
pub mod terms;
pub mod webhook;
pub mod wire;

pub use audit::AuditAction;
pub use catalog::{AddOnId, Catalog, Interval, PlanId};
pub use money::{Currency, Money, MoneyError};
pub use permissions::{BillingAccess, Permission, PermissionSet, Role};
pub use subscription::SubscriptionStatus;
pub use webhook::{Access, EventType};
