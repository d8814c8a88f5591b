//! Proration (SPEC §3): linear in time over the current period, in whole
//! seconds, rounded to the minor unit per line, half away from zero.

use crate::money::{Money, MoneyError};
use crate::period::Period;
use chrono::{DateTime, Utc};

/// The share of `period` left at `now`, as (remaining seconds, total seconds).
/// Before the period it is all of it; after, none.
pub fn remaining_share(period: Period, now: DateTime<Utc>) -> (i64, i64) {
    let total = period.seconds();
    let remaining = (period.end - now).num_seconds().clamp(0, total);
    (remaining, total)
}

/// `full_period_amount` prorated for what is left of `period` at `now`.
pub fn prorate(
    full_period_amount: Money,
    period: Period,
    now: DateTime<Utc>,
) -> Result<Money, MoneyError> {
    let (remaining, total) = remaining_share(period, now);
    if total == 0 {
        return Ok(Money::zero(full_period_amount.currency()));
    }
    full_period_amount.mul_ratio(remaining, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Interval;
    use crate::money::Currency;
    use chrono::TimeZone;

    fn usd(m: i64) -> Money {
        Money::new(m, Currency::USD)
    }

    #[test]
    fn prorates_linearly_in_whole_seconds() {
        // November 2026 has 30 days; the period runs Nov 1 → Dec 1 (2,592,000 s).
        let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let period = Period::nth(start, Interval::Month, 0);
        let at = |d, h| Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap();
        let cases = [
            // 3 seats × $139 = $417 for the whole month.
            (usd(41_700), start, 41_700),
            (usd(41_700), at(16, 0), 20_850), // exactly half
            (usd(41_700), at(21, 0), 13_900), // 10 of 30 days
            // 19 d 17 h left = 1,702,800 s: 13,900 × 1,702,800 / 2,592,000 = 9,131.53 → 9,132.
            (usd(13_900), at(11, 7), 9_132),
            // Half a cent rounds away from zero: 13,901 / 2 = 6,950.5 → 6,951; credits alike.
            (usd(13_901), at(16, 0), 6_951),
            (usd(-13_901), at(16, 0), -6_951),
            (usd(41_700), period.end, 0),
            (usd(41_700), start - chrono::Duration::days(3), 41_700),
        ];
        for (amount, now, expected) in cases {
            assert_eq!(
                prorate(amount, period, now).unwrap().amount(),
                expected,
                "{amount:?} at {now}"
            );
        }
    }

    #[test]
    fn a_february_month_is_shorter_than_a_march_month() {
        let feb = Period::nth(
            Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap(),
            Interval::Month,
            0,
        );
        let mar = Period::nth(
            Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
            Interval::Month,
            0,
        );
        let week_left = |p: Period| p.end - chrono::Duration::days(7);
        // 7 of 28 days vs 7 of 31 days of $139.
        assert_eq!(
            prorate(usd(13_900), feb, week_left(feb)).unwrap().amount(),
            3_475
        );
        assert_eq!(
            prorate(usd(13_900), mar, week_left(mar)).unwrap().amount(),
            3_139
        );
    }
}
