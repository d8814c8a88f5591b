//! The subscription as it stands: what a change is priced against.

use crate::money::Money;
use crate::period::Period;
use crate::renewal::{Discount, Standing};
use crate::terms::{Pending, Terms};
use chrono::{DateTime, Utc};

/// The subscription as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    pub terms: Terms,
    pub period: Period,
    /// The calendar anchor of the periods.
    pub anchor: DateTime<Utc>,
    pub credit_balance: Money,
    pub pending: Pending,
    pub active_users: u32,
    /// A discount for months still to come.
    pub discount: Option<Discount>,
    /// The discount the current period was billed with, in percent-months.
    pub period_discount: u32,
}

impl Current {
    /// The subscription's money-relevant state (an active one: not paused).
    pub fn standing(&self) -> Standing {
        Standing {
            terms: self.terms.clone(),
            pending: self.pending.clone(),
            period: self.period,
            anchor: self.anchor,
            paused: false,
            pause_billed: false,
            discount: self.discount,
            period_discount: self.period_discount,
            credit: self.credit_balance,
        }
    }
}
