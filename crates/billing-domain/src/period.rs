//! Billing periods: calendar months and years counted from an anchor.
//!
//! A period's end is the anchor plus N calendar months, with the anchor's day
//! clamped to the length of the month (Jan 31 → Feb 28/29 → Mar 31), so the
//! billing day never drifts.

use crate::catalog::Interval;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

/// Adds `months` calendar months to `at`, clamping the day to the month's
/// length and keeping the time of day.
pub fn add_months(at: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    let total = at.year() * 12 + at.month0() as i32 + months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12) as u32);
    let last_day = days_in_month(year, month0 + 1);
    let day = at.day().min(last_day);
    let date = NaiveDate::from_ymd_opt(year, month0 + 1, day).expect("clamped day is valid");
    DateTime::from_naive_utc_and_offset(date.and_time(at.time()), Utc)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let first_next = NaiveDate::from_ymd_opt(ny, nm, 1).expect("valid month");
    (first_next - Duration::days(1)).day()
}

/// A billing period `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Period {
    /// The `index`-th period (0-based) of a subscription anchored at `anchor`.
    pub fn nth(anchor: DateTime<Utc>, interval: Interval, index: u32) -> Period {
        Period {
            start: add_months(anchor, index * interval.months()),
            end: add_months(anchor, (index + 1) * interval.months()),
        }
    }

    /// The period that contains `now` (the first one if `now` is before the anchor).
    pub fn containing(anchor: DateTime<Utc>, interval: Interval, now: DateTime<Utc>) -> Period {
        let mut index = 0;
        loop {
            let period = Period::nth(anchor, interval, index);
            if now < period.end {
                return period;
            }
            index += 1;
        }
    }

    /// Whole seconds in the period.
    pub fn seconds(&self) -> i64 {
        (self.end - self.start).num_seconds()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 9, 30, 0).unwrap()
    }

    #[test]
    fn month_ends_clamp_without_drifting() {
        let cases = [
            (at(2026, 1, 31), 1, at(2026, 2, 28)),
            (at(2028, 1, 31), 1, at(2028, 2, 29)),
            (at(2026, 1, 31), 2, at(2026, 3, 31)),
            (at(2026, 3, 31), 1, at(2026, 4, 30)),
            (at(2026, 11, 15), 2, at(2027, 1, 15)),
            (at(2026, 12, 31), 12, at(2027, 12, 31)),
            (at(2028, 2, 29), 12, at(2029, 2, 28)),
        ];
        for (from, months, expected) in cases {
            assert_eq!(add_months(from, months), expected, "{from} + {months}");
        }
    }

    #[test]
    fn periods_are_counted_from_the_anchor() {
        let anchor = at(2026, 1, 31);
        let p = Period::nth(anchor, Interval::Month, 1);
        assert_eq!((p.start, p.end), (at(2026, 2, 28), at(2026, 3, 31)));
        let y = Period::nth(anchor, Interval::Year, 0);
        assert_eq!((y.start, y.end), (anchor, at(2027, 1, 31)));
        assert_eq!(
            Period::containing(anchor, Interval::Month, at(2026, 3, 5)).start,
            at(2026, 2, 28)
        );
        assert_eq!(
            Period::containing(anchor, Interval::Month, at(2026, 3, 31)).start,
            at(2026, 3, 31)
        );
        assert_eq!(
            Period::nth(at(2026, 2, 1), Interval::Month, 0).seconds(),
            28 * 86_400
        );
    }
}
