//! The model's own catalog (never billing_domain's pricing): plans,
//! intervals, add-ons and their prices, with the model's rounding and
//! calendar months.

use super::Ts;
use chrono::Months;
use std::fmt::Debug;

/// Seat prices per month, by [`Plan`] and [`Iv`] (monthly, billed yearly).
pub(super) const SEAT: [[i64; 2]; 2] = [[8_900, 7_900], [13_900, 11_900]];
/// The add-ons in wire order: id and monthly price.
pub(super) const ADD_ONS: [(&str, i64); 3] = [
    ("marketing", 4_000),
    ("operation", 3_000),
    ("support_bot", 5_000),
];
/// The pause plan's monthly price.
pub(super) const PAUSE: i64 = 100;
/// Card expiry: beyond any date the test clock reaches (2030 would expire
/// after a few long advances and turn every card step into a 400).
pub(super) const CARD_YEAR: i32 = 2070;

/// A self-serve plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Plan {
    Essentials,
    #[default]
    Business,
}

/// A billing interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Iv {
    #[default]
    Month,
    Year,
}

/// A set of add-ons, as bits of [`ADD_ONS`].
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct AddOns(pub(super) u8);

impl AddOns {
    /// The indexes into [`ADD_ONS`] of the set's members.
    pub(super) fn bits(self) -> impl Iterator<Item = usize> {
        (0..3).filter(move |i| self.0 >> i & 1 == 1)
    }

    /// The wire ids, in wire order.
    pub(super) fn names(self) -> Vec<&'static str> {
        self.bits().map(|i| ADD_ONS[i].0).collect()
    }
}

impl Debug for AddOns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}

/// What the subscription is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Terms {
    pub(super) plan: Plan,
    pub(super) iv: Iv,
    pub(super) seats: u32,
    pub(super) add_ons: AddOns,
}

impl Terms {
    /// Months in a period.
    pub(super) fn months(&self) -> u32 {
        [1, 12][self.iv as usize]
    }

    /// One period's list price, seats at the `rate` of that interval.
    pub(super) fn price_at(&self, rate: Iv) -> i64 {
        let add_ons: i64 = self.add_ons.bits().map(|i| ADD_ONS[i].1).sum();
        let seats = i64::from(self.seats) * SEAT[self.plan as usize][rate as usize];
        (seats + add_ons) * i64::from(self.months())
    }

    /// One period's list price.
    pub(super) fn price(&self) -> i64 {
        self.price_at(self.iv)
    }
}

/// `a × n / d`, rounded half away from zero.
pub(super) fn ratio(a: i64, n: i64, d: i64) -> i64 {
    let (num, d) = (i128::from(a) * i128::from(n), i128::from(d.max(1)));
    let up = 2 * (num % d).abs() >= d;
    (num / d + if up { num.signum() } else { 0 }) as i64
}

/// `at` plus `n` calendar months, the day clamped to the month's length.
pub(super) fn months(at: Ts, n: u32) -> Ts {
    at.checked_add_months(Months::new(n)).expect("a date")
}
