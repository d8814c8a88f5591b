//! The routed views, one per file, each named `FooPage`.

pub mod billing_page;
pub mod invoice_page;
pub mod invoices_page;
pub mod mailbox_page;
pub mod not_found_page;
pub mod payment_page;
pub mod sign_in_page;
