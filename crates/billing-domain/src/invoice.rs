//! Invoices: line items, credit-balance application and totals.
//!
//! An invoice's total is always the sum of its lines. Credit is shown as
//! lines too: "Credit balance applied" (negative) takes credit off what is
//! owed, and "Added to credit balance" (positive) zeroes an invoice whose
//! charges are negative, moving that amount into the balance. So a total is
//! never negative and no money appears or vanishes.

use crate::catalog::{AddOnId, Catalog, Interval, PlanId};
use crate::money::{Currency, Money, MoneyError};
use crate::period::Period;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where an invoice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Created, not yet paid.
    Open,
    Paid,
    /// Cancelled before payment; owes nothing.
    Void,
    /// Given up on.
    Uncollectible,
}

impl InvoiceStatus {
    /// The wire identifier.
    pub fn as_str(&self) -> &'static str {
        match self {
            InvoiceStatus::Open => "open",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Void => "void",
            InvoiceStatus::Uncollectible => "uncollectible",
        }
    }

    /// Parses a wire identifier.
    pub fn parse(s: &str) -> Option<InvoiceStatus> {
        [
            InvoiceStatus::Open,
            InvoiceStatus::Paid,
            InvoiceStatus::Void,
            InvoiceStatus::Uncollectible,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// "Open" / "Paid" / "Void" / "Uncollectible".
    pub fn label(&self) -> &'static str {
        match self {
            InvoiceStatus::Open => "Open",
            InvoiceStatus::Paid => "Paid",
            InvoiceStatus::Void => "Void",
            InvoiceStatus::Uncollectible => "Uncollectible",
        }
    }
}

/// What a line is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Seats on a plan for a period.
    Plan,
    /// An add-on for a period.
    AddOn,
    /// A prorated charge or credit for part of a period.
    Proration,
    /// A retention discount (negative).
    Discount,
    /// Credit balance taken off this invoice (negative).
    CreditApplied,
    /// A negative remainder moved into the credit balance (positive).
    CreditAdded,
}

/// One line of an invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceLine {
    pub kind: LineKind,
    pub description: String,
    pub quantity: u32,
    /// The price of one unit for the line's period (before proration).
    pub unit_amount: Money,
    /// What this line adds to the total (negative for credits).
    pub amount: Money,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
}

impl InvoiceLine {
    /// A full-price line: `quantity × unit_amount` for a period.
    pub fn charge(
        kind: LineKind,
        description: impl Into<String>,
        quantity: u32,
        unit_amount: Money,
        period: Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> Result<InvoiceLine, MoneyError> {
        Ok(InvoiceLine {
            kind,
            description: description.into(),
            quantity,
            unit_amount,
            amount: unit_amount.checked_mul(i64::from(quantity))?,
            period_start: period.map(|p| p.0),
            period_end: period.map(|p| p.1),
        })
    }
}

/// An invoice ready to store: lines, the total due, and the credit moved.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceDraft {
    pub lines: Vec<InvoiceLine>,
    /// The sum of the lines: what the card is charged. Never negative.
    pub total: Money,
    /// Credit balance used by this invoice.
    pub credit_applied: Money,
    /// Credit balance created by this invoice.
    pub credit_created: Money,
    /// The balance after this invoice.
    pub credit_balance_after: Money,
}

/// Builds an invoice from its charge lines, applying `credit_balance` first
/// (SPEC §3) or moving a negative remainder into it.
pub fn build_invoice(
    currency: Currency,
    charges: Vec<InvoiceLine>,
    credit_balance: Money,
) -> Result<InvoiceDraft, MoneyError> {
    if credit_balance.amount() < 0 {
        return Err(MoneyError::Overflow);
    }
    let subtotal = Money::sum(currency, charges.iter().map(|l| l.amount))?;
    let zero = Money::zero(currency);
    let mut lines = charges;
    let (applied, created) = if subtotal.amount() >= 0 {
        let applied = Money::new(subtotal.amount().min(credit_balance.amount()), currency);
        (applied, zero)
    } else {
        (zero, Money::new(-subtotal.amount(), currency))
    };
    if !applied.is_zero() {
        lines.push(InvoiceLine {
            kind: LineKind::CreditApplied,
            description: "Credit balance applied".into(),
            quantity: 1,
            unit_amount: Money::new(-applied.amount(), currency),
            amount: Money::new(-applied.amount(), currency),
            period_start: None,
            period_end: None,
        });
    }
    if !created.is_zero() {
        lines.push(InvoiceLine {
            kind: LineKind::CreditAdded,
            description: "Added to your credit balance".into(),
            quantity: 1,
            unit_amount: created,
            amount: created,
            period_start: None,
            period_end: None,
        });
    }
    let total = Money::sum(currency, lines.iter().map(|l| l.amount))?;
    let after = credit_balance.checked_sub(applied)?.checked_add(created)?;
    Ok(InvoiceDraft {
        lines,
        total,
        credit_applied: applied,
        credit_created: created,
        credit_balance_after: after,
    })
}

/// Why a period could not be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error("{0} is not sold with {1:?} billing")]
    NotSold(PlanId, Interval),
    #[error("add-on {0:?} is not in the catalog")]
    UnknownAddOn(AddOnId),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// The full-price lines of one period: seats on the plan, then each add-on
/// for every month of the period. Their sum is [`Catalog::period_price`].
pub fn period_lines(
    catalog: &Catalog,
    plan: PlanId,
    interval: Interval,
    seats: u32,
    add_ons: &[AddOnId],
    period: Period,
) -> Result<Vec<InvoiceLine>, PricingError> {
    let p = catalog.plan(plan);
    let seat_price = p
        .seat_price_per_period(interval)
        .ok_or(PricingError::NotSold(plan, interval))?;
    let span = Some((period.start, period.end));
    let mut lines = vec![InvoiceLine::charge(
        LineKind::Plan,
        format!(
            "{} plan, {} ({} × {} per seat)",
            p.name,
            interval.label().to_lowercase(),
            seats,
            seat_price.format()
        ),
        seats,
        seat_price,
        span,
    )?];
    for id in add_ons {
        let add_on = catalog.add_on(*id).ok_or(PricingError::UnknownAddOn(*id))?;
        let price = add_on
            .monthly_price
            .checked_mul(i64::from(interval.months()))?;
        lines.push(InvoiceLine::charge(
            LineKind::AddOn,
            format!("{} add-on", add_on.name),
            1,
            price,
            span,
        )?);
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd(m: i64) -> Money {
        Money::new(m, Currency::USD)
    }

    fn line(amount: i64) -> InvoiceLine {
        InvoiceLine::charge(LineKind::Plan, "x", 1, usd(amount), None).unwrap()
    }

    #[test]
    fn credit_is_applied_before_the_card_is_charged() {
        let cases = [
            // (charges, balance) -> (total, applied, created, balance after)
            (vec![166_800], 0, (166_800, 0, 0, 0)),
            (vec![166_800], 10_000, (156_800, 10_000, 0, 0)),
            (vec![166_800], 200_000, (0, 166_800, 0, 33_200)),
            (vec![-41_700, 20_000], 0, (0, 0, 21_700, 21_700)),
            (vec![-41_700, 20_000], 5_000, (0, 0, 21_700, 26_700)),
            (vec![], 5_000, (0, 0, 0, 5_000)),
        ];
        for (charges, balance, (total, applied, created, after)) in cases {
            let d = build_invoice(
                Currency::USD,
                charges.iter().map(|a| line(*a)).collect(),
                usd(balance),
            )
            .unwrap();
            assert_eq!(
                (
                    d.total.amount(),
                    d.credit_applied.amount(),
                    d.credit_created.amount(),
                    d.credit_balance_after.amount()
                ),
                (total, applied, created, after),
                "{charges:?} with {balance}"
            );
        }
    }

    #[test]
    fn period_lines_add_up_to_the_period_price() {
        let text = include_str!("../../../config/catalog.toml");
        let catalog = Catalog::from_file(toml::from_str(text).unwrap()).unwrap();
        let anchor = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 1, 31, 0, 0, 0).unwrap();
        let cases: [(PlanId, Interval, u32, &[AddOnId]); 3] = [
            (PlanId::Business, Interval::Month, 12, &[]),
            (
                PlanId::Essentials,
                Interval::Year,
                3,
                &[AddOnId::Marketing, AddOnId::Operation],
            ),
            (PlanId::Premium, Interval::Year, 40, &[AddOnId::SupportBot]),
        ];
        for (plan, interval, seats, add_ons) in cases {
            let period = Period::nth(anchor, interval, 1);
            let lines = period_lines(&catalog, plan, interval, seats, add_ons, period).unwrap();
            let sum = Money::sum(Currency::USD, lines.iter().map(|l| l.amount)).unwrap();
            assert_eq!(
                Some(sum),
                catalog.period_price(plan, interval, seats, add_ons),
                "{plan}"
            );
            assert_eq!(lines.len(), 1 + add_ons.len());
            assert!(lines
                .iter()
                .all(|l| l.period_start == Some(period.start) && l.period_end == Some(period.end)));
        }
        let month = Period::nth(anchor, Interval::Month, 0);
        let lines =
            period_lines(&catalog, PlanId::Business, Interval::Month, 12, &[], month).unwrap();
        assert_eq!(
            lines[0].description,
            "Business plan, monthly (12 × $139.00 per seat)"
        );
        assert_eq!(
            period_lines(&catalog, PlanId::Premium, Interval::Month, 1, &[], month),
            Err(PricingError::NotSold(PlanId::Premium, Interval::Month))
        );
    }

    #[test]
    fn a_negative_balance_is_refused() {
        assert!(build_invoice(Currency::USD, vec![line(100)], usd(-1)).is_err());
    }

    proptest! {
        #[test]
        fn totals_are_the_sum_of_lines_and_money_is_conserved(
            charges in proptest::collection::vec(-1_000_000i64..1_000_000, 0..8),
            balance in 0i64..2_000_000,
        ) {
            let d = build_invoice(Currency::USD, charges.iter().map(|a| line(*a)).collect(), usd(balance)).unwrap();
            let sum: i64 = d.lines.iter().map(|l| l.amount.amount()).sum();
            prop_assert_eq!(d.total.amount(), sum);
            prop_assert!(d.total.amount() >= 0);
            prop_assert!(d.credit_balance_after.amount() >= 0);
            // What was owed is paid by the card, the old balance, or becomes new balance.
            let subtotal: i64 = charges.iter().sum();
            prop_assert_eq!(subtotal, d.total.amount() + d.credit_applied.amount() - d.credit_created.amount());
            prop_assert_eq!(d.credit_balance_after.amount(), balance - d.credit_applied.amount() + d.credit_created.amount());
        }
    }
}
