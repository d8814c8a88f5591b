//! The routed views, one per file, each named `FooPage`.

pub mod account_security_page;
pub mod audit_log_page;
pub mod billing_access_page;
pub mod billing_page;
pub mod cancel_confirm_page;
pub mod cancel_consequences_page;
pub mod cancel_customer_success_page;
pub mod cancel_done_page;
pub mod cancel_kept_page;
pub mod cancel_offers_page;
pub mod cancel_page;
pub mod cancel_pause_page;
pub mod cancel_reason_page;
pub mod invoice_page;
pub mod invoices_page;
pub mod mailbox_page;
pub mod not_found_page;
pub mod payment_page;
pub mod refund_page;
pub mod sign_in_page;
pub mod subscription_page;
