//! What the billing overview shows of an account, read as one snapshot.

use super::{InvoiceRecord, PaymentMethodRecord, SubscriptionRecord};

/// An account's subscription (with its ledger balances), who holds its
/// seats, its default card and its open invoices, read in one query.
#[derive(Debug, Clone)]
pub struct OverviewRecord {
    pub subscription: SubscriptionRecord,
    /// The names of the account's active users, owner first, then admins,
    /// then members, each by name (the order of `users_of_account`).
    pub seat_holders: Vec<String>,
    /// The default card, as `default_payment_method` reads it.
    pub payment_method: Option<PaymentMethodRecord>,
    /// The open invoices with their lines, oldest first, as `open_invoices`
    /// reads them.
    pub open_invoices: Vec<InvoiceRecord>,
}
