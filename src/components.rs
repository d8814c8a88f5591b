//! Reusable pieces of the billing pages, each named for what it shows.

pub mod app_layout;
pub mod billing_contacts_list;
pub mod card;
pub mod credit_balance_card;
pub mod error_view;
pub mod loading_view;
pub mod money_amount;
pub mod next_charge_card;
pub mod no_billing_access;
pub mod page_title;
pub mod payment_method_card;
pub mod plan_card;
pub mod seats_card;
pub mod status_badge;
