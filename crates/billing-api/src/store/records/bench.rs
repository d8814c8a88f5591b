//! What the renewal benchmark counts in the database afterwards.

/// How many accounts have a thing once, never, or more than once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spread {
    pub once: i64,
    pub never: i64,
    pub more: i64,
}

impl Spread {
    /// Whether every one of `accounts` has it exactly once.
    pub fn exactly_once(&self, accounts: i64) -> bool {
        self.once == accounts && self.never == 0 && self.more == 0
    }
}

/// Per account, what the work done since a moment left behind: renewal
/// invoices paid, gateway charges on its cards, card charges in its
/// ledger, e-mails queued and renewal markers claimed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenewalTally {
    pub accounts: i64,
    /// Renewal (`subscription_cycle`) invoices created since, paid.
    pub paid_invoices: Spread,
    /// Invoices of any kind or status created since.
    pub invoices: Spread,
    pub gateway_charges: Spread,
    pub ledger_charges: Spread,
    pub emails: Spread,
    pub renewal_markers: Spread,
}

impl RenewalTally {
    /// Whether every account was renewed exactly once: one paid invoice,
    /// one charge at the gateway and in the ledger, one e-mail, one marker.
    pub fn exactly_once(&self) -> bool {
        let n = self.accounts;
        [
            self.paid_invoices,
            self.invoices,
            self.gateway_charges,
            self.ledger_charges,
            self.emails,
            self.renewal_markers,
        ]
        .iter()
        .all(|s| s.exactly_once(n))
    }
}
