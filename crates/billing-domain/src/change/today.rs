//! Today's invoice for a change: the new annual period that a switch from
//! monthly starts, or the prorated lines of a change within the period.

use crate::catalog::{Catalog, Interval, PlanId};
use crate::invoice::{build_invoice, InvoiceDraft, InvoiceLine, LineKind};
use crate::money::Money;
use crate::period::Period;
use crate::proration::prorate;
use crate::renewal::{bill_period, discount_off, unused_time_credit, PeriodBill};
use crate::terms::{ChangeError, Terms};
use chrono::{DateTime, Utc};

use super::current::Current;

fn plan_label(catalog: &Catalog, terms: &Terms) -> String {
    let seats = if terms.seats == 1 {
        "1 seat".to_string()
    } else {
        format!("{} seats", terms.seats)
    };
    format!(
        "{} plan, {} ({seats})",
        catalog.plan(terms.plan).name,
        terms.interval.label().to_lowercase()
    )
}

fn prorated_line(
    description: String,
    quantity: u32,
    unit_for_period: Money,
    sign: i64,
    period: Period,
    now: DateTime<Utc>,
) -> Result<InvoiceLine, ChangeError> {
    let full = unit_for_period
        .checked_mul(i64::from(quantity))?
        .checked_mul(sign)?;
    Ok(InvoiceLine {
        kind: LineKind::Proration,
        description,
        quantity,
        unit_amount: unit_for_period.checked_mul(sign)?,
        amount: prorate(full, period, now)?,
        period_start: Some(now.max(period.start)),
        period_end: Some(period.end),
    })
}

/// Monthly → annual: a new annual period of `terms_now` starts now; the
/// unused part of the month is credited on what was paid for it (its
/// discount taken off), and that credit reads first, as on a statement.
pub(super) fn new_annual_period(
    catalog: &Catalog,
    current: &Current,
    terms_now: &Terms,
    now: DateTime<Utc>,
) -> Result<PeriodBill, ChangeError> {
    let cur = &current.terms;
    let period = Period::nth(now, Interval::Year, 0);
    let old_price = catalog
        .period_price(cur.plan, cur.interval, cur.seats, &cur.add_ons)
        .ok_or_else(|| ChangeError::NotSold(cur.plan.to_string(), cur.interval.as_str()))?;
    let paid = old_price.checked_add(discount_off(
        old_price,
        current.period_discount,
        cur.interval,
    )?)?;
    let credit = unused_time_credit(
        paid,
        current.period,
        now,
        format!("Unused time on {}", plan_label(catalog, cur)),
    )?;
    let mut bill = bill_period(
        catalog,
        terms_now,
        period,
        now,
        current.discount,
        credit.into_iter().collect(),
        current.credit_balance,
    )?;
    let lines = &mut bill.draft.lines;
    if let Some(i) = lines.iter().position(|l| l.kind == LineKind::Proration) {
        let line = lines.remove(i);
        lines.insert(0, line);
    }
    Ok(bill)
}

/// A change within the current period: the old terms' unused time
/// credited and the new terms' remaining time charged, line by line, at
/// the discount the period was paid with, then the credit balance.
pub(super) fn within_period(
    catalog: &Catalog,
    current: &Current,
    terms_now: &Terms,
    now: DateTime<Utc>,
) -> Result<InvoiceDraft, ChangeError> {
    let cur = &current.terms;
    let currency = catalog.currency();
    let mut lines = Vec::new();
    let period = current.period;
    let interval = cur.interval;
    let months = i64::from(interval.months());
    let seat_price = |plan: PlanId| {
        catalog
            .plan(plan)
            .seat_price_per_period(interval)
            .ok_or_else(|| ChangeError::NotSold(catalog.plan(plan).name.clone(), interval.as_str()))
    };
    if terms_now.plan != cur.plan {
        // The old plan's unused time is credited, the new plan's remaining time charged.
        let old_unit = seat_price(cur.plan)?;
        let new_unit = seat_price(terms_now.plan)?;
        lines.push(prorated_line(
            format!("Unused time on {}", plan_label(catalog, cur)),
            cur.seats,
            old_unit,
            -1,
            period,
            now,
        )?);
        lines.push(prorated_line(
            format!("Remaining time on {}", plan_label(catalog, terms_now)),
            terms_now.seats,
            new_unit,
            1,
            period,
            now,
        )?);
    } else if terms_now.seats > cur.seats {
        let added = terms_now.seats - cur.seats;
        let noun = if added == 1 { "seat" } else { "seats" };
        lines.push(prorated_line(
            format!(
                "{added} additional {noun} on the {} plan, remaining time",
                catalog.plan(cur.plan).name
            ),
            added,
            seat_price(cur.plan)?,
            1,
            period,
            now,
        )?);
    }
    for add_on in catalog.add_ons() {
        let had = cur.add_ons.contains(&add_on.id);
        let has = terms_now.add_ons.contains(&add_on.id);
        let unit = add_on.monthly_price.checked_mul(months)?;
        if has && !had {
            lines.push(prorated_line(
                format!("{} add-on, remaining time", add_on.name),
                1,
                unit,
                1,
                period,
                now,
            )?);
        } else if had && !has {
            lines.push(prorated_line(
                format!("Unused time on the {} add-on", add_on.name),
                1,
                unit,
                -1,
                period,
                now,
            )?);
        }
    }
    if current.period_discount > 0 && !lines.is_empty() {
        // The period was paid at a discount: its changes prorate at that rate.
        let subtotal = Money::sum(currency, lines.iter().map(|l| l.amount))?;
        let off = discount_off(subtotal, current.period_discount, interval)?;
        if !off.is_zero() {
            lines.push(InvoiceLine {
                kind: LineKind::Discount,
                description: "Retention discount on the rest of this period".into(),
                quantity: 1,
                unit_amount: off,
                amount: off,
                period_start: Some(now.max(period.start)),
                period_end: Some(period.end),
            });
        }
    }
    Ok(build_invoice(currency, lines, current.credit_balance)?)
}
