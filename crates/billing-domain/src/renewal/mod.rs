//! What a new period costs (SPEC §3, §11): the next renewal, and the
//! periods that start anew at a resume, a reactivation or a recovery.
//!
//! These are the only functions that price a whole period. The overview's
//! next charge, every preview's next renewal, the reminder e-mails, the
//! renewal itself and the resume, reactivation and recovery invoices all
//! call them, so what is shown is what is billed.
//!
//! Discounts: "P% off for N months" covers the next N months of service. On
//! monthly billing that is N renewals at P% off; on annual billing the next
//! annual renewal gets P% × min(N, 12)/12 off (and any months beyond twelve
//! the renewal after). A period's discount is kept as *percent-months*
//! (P × months covered), so mid-period changes prorate at the rate paid.

use crate::catalog::{Catalog, Interval};
use crate::invoice::{build_invoice, period_lines, InvoiceDraft, InvoiceLine, LineKind};
use crate::money::Money;
use crate::period::Period;
use crate::proration::prorate;
use crate::terms::{Pending, Terms};
use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};

/// A retention discount still to be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Discount {
    /// Percent off, 1–100.
    pub percent: u32,
    /// Months of service it still covers.
    pub months_left: u32,
}

/// How long after accepting a discount another may be offered.
pub const DISCOUNT_COOLDOWN_MONTHS: u32 = 12;

/// Why a discount may not be offered or accepted now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DiscountRefusal {
    #[error("A discount is already in force on this subscription.")]
    InForce,
    #[error("A discount was accepted less than 12 months ago; it can be offered again from {0}.")]
    TooSoon(DateTime<Utc>),
}

/// Whether a discount may be offered at `now` (SPEC §11: at most once in 12
/// months, never while one is in force).
pub fn discount_offerable(
    in_force: bool,
    last_accepted: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), DiscountRefusal> {
    if in_force {
        return Err(DiscountRefusal::InForce);
    }
    if let Some(at) = last_accepted {
        let again = at
            .checked_add_months(Months::new(DISCOUNT_COOLDOWN_MONTHS))
            .unwrap_or(at);
        if now < again {
            return Err(DiscountRefusal::TooSoon(again));
        }
    }
    Ok(())
}

/// The money-relevant state of a subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub terms: Terms,
    pub pending: Pending,
    pub period: Period,
    /// The calendar anchor of the periods.
    pub anchor: DateTime<Utc>,
    /// The customer paused: renewals bill the pause price.
    pub paused: bool,
    /// The current period was billed at the pause price.
    pub pause_billed: bool,
    /// A discount for months still to come.
    pub discount: Option<Discount>,
    /// The discount the current period was billed with, in percent-months.
    pub period_discount: u32,
    /// The credit balance available to invoices.
    pub credit: Money,
}

impl Standing {
    /// The terms the next period bills: pending changes applied.
    pub fn next_terms(&self) -> Terms {
        Terms::new(
            self.terms.plan,
            self.pending.interval.unwrap_or(self.terms.interval),
            self.pending.seats.unwrap_or(self.terms.seats),
            self.terms.add_ons.clone(),
        )
    }

    /// Whether a discount is in force (still to come, or on this period).
    pub fn discount_in_force(&self) -> bool {
        self.discount.is_some_and(|d| d.months_left > 0) || self.period_discount > 0
    }
}

/// A period billed in full: the invoice and the state it leaves.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodBill {
    /// The terms billed (pending changes applied).
    pub terms: Terms,
    pub period: Period,
    pub anchor: DateTime<Utc>,
    /// Billed at the pause price.
    pub pause: bool,
    /// The invoice: lines, discount, credit applied, total for the card.
    pub draft: InvoiceDraft,
    /// The list price of the period before the discount.
    pub price: Money,
    /// The discount taken off (positive).
    pub discount_amount: Money,
    /// The discount on this period, in percent-months (0 for none).
    pub period_discount: u32,
    /// The discount left for later periods.
    pub discount_after: Option<Discount>,
}

/// Why a period could not be priced.
pub type BillError = crate::terms::ChangeError;

/// The discount a period at `interval` takes from `discount`: the
/// percent-months it covers and what is left.
pub fn take_discount(discount: Option<Discount>, interval: Interval) -> (u32, Option<Discount>) {
    match discount {
        Some(d) if d.months_left > 0 => {
            let months = d.months_left.min(interval.months());
            let left = d.months_left - months;
            (
                d.percent * months,
                (left > 0).then_some(Discount {
                    percent: d.percent,
                    months_left: left,
                }),
            )
        }
        _ => (0, None),
    }
}

/// `amount` × the rate `percent_months` stands for on a period at
/// `interval`, negated: the discount line's amount.
pub fn discount_off(
    amount: Money,
    percent_months: u32,
    interval: Interval,
) -> Result<Money, crate::money::MoneyError> {
    amount.mul_ratio(
        -i64::from(percent_months),
        100 * i64::from(interval.months()),
    )
}

fn discount_line(
    subtotal: Money,
    percent_months: u32,
    interval: Interval,
    span: Period,
    description: String,
) -> Result<Option<InvoiceLine>, BillError> {
    if percent_months == 0 {
        return Ok(None);
    }
    let off = discount_off(subtotal, percent_months, interval)?;
    if off.is_zero() {
        return Ok(None);
    }
    Ok(Some(InvoiceLine {
        kind: LineKind::Discount,
        description,
        quantity: 1,
        unit_amount: off,
        amount: off,
        period_start: Some(span.start),
        period_end: Some(span.end),
    }))
}

/// Bills `terms` for `period` in full: list price, the discount it takes,
/// then `extra` lines (a credit for unused time), then the credit balance.
pub fn bill_period(
    catalog: &Catalog,
    terms: &Terms,
    period: Period,
    anchor: DateTime<Utc>,
    discount: Option<Discount>,
    extra: Vec<InvoiceLine>,
    credit: Money,
) -> Result<PeriodBill, BillError> {
    let currency = catalog.currency();
    let mut lines = period_lines(
        catalog,
        terms.plan,
        terms.interval,
        terms.seats,
        &terms.add_ons,
        period,
    )?;
    let price = Money::sum(currency, lines.iter().map(|l| l.amount))?;
    let (percent_months, discount_after) = take_discount(discount, terms.interval);
    let label = match discount {
        Some(d) if terms.interval == Interval::Month => {
            format!("{}% retention discount", d.percent)
        }
        Some(d) => format!(
            "{}% retention discount for {} of the 12 months",
            d.percent,
            percent_months / d.percent.max(1)
        ),
        None => String::new(),
    };
    let line = discount_line(price, percent_months, terms.interval, period, label)?;
    let discount_amount = Money::new(-line.as_ref().map_or(0, |l| l.amount.amount()), currency);
    lines.extend(line);
    lines.extend(extra);
    let draft = build_invoice(currency, lines, credit)?;
    Ok(PeriodBill {
        terms: terms.clone(),
        period,
        anchor,
        pause: false,
        draft,
        price,
        discount_amount,
        period_discount: percent_months,
        discount_after,
    })
}

/// Bills a month at the pause price: the calendar month of `anchor` that
/// begins at `start`; no discount is used.
pub fn bill_pause(
    catalog: &Catalog,
    standing: &Standing,
    start: DateTime<Utc>,
    anchor: DateTime<Utc>,
    extra: Vec<InvoiceLine>,
) -> Result<PeriodBill, BillError> {
    let currency = catalog.currency();
    let period = Period::containing(anchor, Interval::Month, start);
    let line = InvoiceLine::charge(
        LineKind::Plan,
        format!(
            "Pause plan, 1 month ({} data kept)",
            catalog.plan(standing.terms.plan).name
        ),
        1,
        catalog.pause_monthly_price(),
        Some((period.start, period.end)),
    )?;
    let price = line.amount;
    let mut lines = vec![line];
    lines.extend(extra);
    let draft = build_invoice(currency, lines, standing.credit)?;
    Ok(PeriodBill {
        terms: standing.terms.clone(),
        period,
        anchor,
        pause: true,
        draft,
        price,
        discount_amount: Money::zero(currency),
        period_discount: 0,
        discount_after: standing.discount,
    })
}

/// The renewal at the end of the current period: pending changes applied,
/// the discount if one is in force, then the credit balance. A paused
/// subscription renews at the pause price and keeps its pending changes.
pub fn next_renewal(catalog: &Catalog, standing: &Standing) -> Result<PeriodBill, BillError> {
    let at = standing.period.end;
    if standing.paused {
        // Pause months keep the subscription's calendar.
        return bill_pause(catalog, standing, at, standing.anchor, vec![]);
    }
    let terms = standing.next_terms();
    // The calendar continues unless the interval changes or a pause broke it.
    let (period, anchor) = if terms.interval == standing.terms.interval && !standing.pause_billed {
        (
            Period::containing(standing.anchor, terms.interval, at),
            standing.anchor,
        )
    } else {
        (Period::nth(at, terms.interval, 0), at)
    };
    bill_period(
        catalog,
        &terms,
        period,
        anchor,
        standing.discount,
        vec![],
        standing.credit,
    )
}

/// Why a period starts anew before its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restart {
    /// Resuming after a month at the pause price: the unused pause time is credited.
    Resume,
    /// Reactivating a canceled subscription within the retention window.
    Reactivate,
    /// Paying again after being deactivated or frozen: locked time is not billed.
    Recover,
}

/// The unused rest of the current period, credited on what was paid for it
/// (the period's discount taken off): a negative line, or none.
pub fn unused_time_credit(
    amount_paid_for_period: Money,
    period: Period,
    now: DateTime<Utc>,
    description: String,
) -> Result<Option<InvoiceLine>, BillError> {
    let unused = prorate(
        Money::new(
            -amount_paid_for_period.amount(),
            amount_paid_for_period.currency(),
        ),
        period,
        now,
    )?;
    if unused.is_zero() {
        return Ok(None);
    }
    Ok(Some(InvoiceLine {
        kind: LineKind::Proration,
        description,
        quantity: 1,
        unit_amount: unused,
        amount: unused,
        period_start: Some(now.max(period.start)),
        period_end: Some(period.end),
    }))
}

/// A period that starts at `now`, billed in full with pending changes
/// applied, the discount if months are left, and the credit balance. A
/// recovery of a paused subscription starts a pause month instead.
pub fn restart(
    catalog: &Catalog,
    standing: &Standing,
    now: DateTime<Utc>,
    why: Restart,
) -> Result<PeriodBill, BillError> {
    if why == Restart::Recover && standing.paused {
        return bill_pause(catalog, standing, now, now, vec![]);
    }
    let terms = standing.next_terms();
    let mut extra = Vec::new();
    if why == Restart::Resume && standing.pause_billed {
        extra.extend(unused_time_credit(
            catalog.pause_monthly_price(),
            standing.period,
            now,
            "Unused time on the pause plan".into(),
        )?);
    }
    bill_period(
        catalog,
        &terms,
        Period::nth(now, terms.interval, 0),
        now,
        standing.discount,
        extra,
        standing.credit,
    )
}

#[cfg(test)]
mod tests;
