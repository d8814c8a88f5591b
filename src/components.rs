//! Reusable pieces of the billing pages, each named for what it shows.

pub mod app_layout;
pub mod billing_contacts_list;
pub mod card;
pub mod credit_balance_card;
pub mod error_view;
pub mod invoice_lines_table;
pub mod invoice_status_badge;
pub mod invoices_table;
pub mod loading_view;
pub mod money_amount;
pub mod new_card_form;
pub mod next_charge_card;
pub mod no_billing_access;
pub mod not_found_notice;
pub mod other_ways_to_pay;
pub mod page_title;
pub mod payment_method_card;
pub mod plan_card;
pub mod recent_invoices_card;
pub mod seats_card;
pub mod spend_history_card;
pub mod status_badge;
pub mod status_banner;
