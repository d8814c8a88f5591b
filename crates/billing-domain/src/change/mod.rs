//! Subscription changes (SPEC §3): what a proposed change costs today, what
//! it credits, what waits for the renewal, and what the renewal will charge.
//!
//! [`quote`] is the one function behind both the preview and the change
//! itself, so the preview is exactly what gets charged.
//!
//! - Adding seats: charged now, prorated for the rest of the period.
//! - Removing seats: pending until the renewal (no mid-term credit); never
//!   below the number of active users.
//! - A plan or add-on change that raises the price: the prorated difference
//!   is charged now. One that lowers it: the unused difference becomes credit.
//! - Monthly → annual: a new annual period starts now, the unused month is
//!   credited. Annual → monthly: pending until the contract ends.
//!
//! The subscription as it stands is in `current`, the request and its
//! validation in `request`, today's invoice (the new annual period, or the
//! prorated lines) in `today`. The vocabulary shared with renewals
//! ([`Terms`], [`Pending`], [`ChangeError`]) lives in [`crate::terms`], so
//! the imports run one way: change → renewal → terms.

mod current;
mod request;
mod today;

#[cfg(test)]
mod tests;

pub use crate::terms::{ChangeError, Pending, Terms, MAX_SEATS};
pub use current::Current;
pub use request::ChangeRequest;

use crate::catalog::{Catalog, Interval};
use crate::invoice::InvoiceDraft;
use crate::money::Money;
use crate::period::Period;
use crate::renewal::{next_renewal, Discount, PeriodBill, Standing};
use chrono::{DateTime, Utc};

/// What a change does, in full.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    /// The terms in force once the change is made.
    pub terms_now: Terms,
    /// The period in force once the change is made (new for monthly → annual).
    pub period: Period,
    /// Whether the billing anchor moves to now (monthly → annual).
    pub restarts_period: bool,
    /// What waits for the renewal.
    pub pending: Pending,
    /// Today's invoice: prorated lines, credit applied or created, total due.
    pub today: InvoiceDraft,
    /// The terms the renewal will bill.
    pub renewal_terms: Terms,
    /// When the renewal happens.
    pub renewal_date: DateTime<Utc>,
    /// What the renewal will charge after the credit balance left by today.
    pub renewal_amount: Money,
    /// The full price of the renewal before discount and credit.
    pub renewal_price: Money,
    /// The calendar anchor once the change is made.
    pub anchor: DateTime<Utc>,
    /// The discount left for later periods once the change is made.
    pub discount_after: Option<Discount>,
    /// The discount on the period in force, in percent-months.
    pub period_discount: u32,
    /// The next renewal after the change, as it will be billed.
    pub renewal: PeriodBill,
}

/// Prices a proposed change at `now`.
pub fn quote(
    catalog: &Catalog,
    current: &Current,
    request: &ChangeRequest,
    now: DateTime<Utc>,
) -> Result<Quote, ChangeError> {
    let cur = &current.terms;
    let wanted = request::wanted_terms(catalog, current, request)?;
    let to_annual = cur.interval == Interval::Month && wanted.interval == Interval::Year;
    let to_monthly = cur.interval == Interval::Year && wanted.interval == Interval::Month;
    // What applies now: never fewer seats mid-term, and annual → monthly waits.
    let terms_now = Terms::new(
        wanted.plan,
        if to_monthly {
            Interval::Year
        } else {
            wanted.interval
        },
        wanted.seats.max(cur.seats),
        wanted.add_ons.clone(),
    );
    let pending = Pending {
        seats: (wanted.seats < cur.seats).then_some(wanted.seats),
        interval: to_monthly.then_some(Interval::Month),
    };

    let (today, period, anchor, discount_after, period_discount) = if to_annual {
        let bill = today::new_annual_period(catalog, current, &terms_now, now)?;
        (
            bill.draft,
            bill.period,
            bill.anchor,
            bill.discount_after,
            bill.period_discount,
        )
    } else {
        (
            today::within_period(catalog, current, &terms_now, now)?,
            current.period,
            current.anchor,
            current.discount,
            current.period_discount,
        )
    };

    let standing_after = Standing {
        terms: terms_now.clone(),
        pending: pending.clone(),
        period,
        anchor,
        paused: false,
        pause_billed: false,
        discount: discount_after,
        period_discount,
        credit: today.credit_balance_after,
    };
    let renewal = next_renewal(catalog, &standing_after)?;
    Ok(Quote {
        restarts_period: to_annual,
        terms_now,
        period,
        pending,
        today,
        renewal_terms: renewal.terms.clone(),
        renewal_date: renewal.period.start,
        renewal_amount: renewal.draft.total,
        renewal_price: renewal.price,
        anchor,
        discount_after,
        period_discount,
        renewal,
    })
}
