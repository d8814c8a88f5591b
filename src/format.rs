//! Text for people: dates, periods, card expiry and product names, formatted
//! once here so every page says them the same way. Money is formatted by
//! `billing_domain::Money::format`.

use chrono::{DateTime, Datelike, Utc};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A calendar date in UTC, e.g. "Dec 22, 2026".
// Built from the date's parts rather than chrono's strftime, whose parser
// would add to the size of the wasm for one fixed pattern.
pub fn date(at: DateTime<Utc>) -> String {
    let month = MONTHS[at.month0() as usize];
    format!("{month} {}, {}", at.day(), at.year())
}

/// A billing period, e.g. "Nov 22, 2026 – Dec 22, 2026".
pub fn period(start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    format!("{} – {}", date(start), date(end))
}

/// A card's expiry as printed on it, e.g. "12/2030" or "03/2027".
pub fn card_expiry(month: u32, year: u32) -> String {
    format!("{month:02}/{year}")
}

/// "1 seat" / "12 seats".
pub fn seats(n: u32) -> String {
    if n == 1 {
        "1 seat".into()
    } else {
        format!("{n} seats")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dates_read_like_a_calendar() {
        let start = Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 12, 2, 0, 0, 0).unwrap();
        assert_eq!(date(start), "Nov 22, 2026");
        assert_eq!(period(start, end), "Nov 22, 2026 – Dec 2, 2026");
        assert_eq!(card_expiry(3, 2027), "03/2027");
        assert_eq!(card_expiry(12, 2030), "12/2030");
        assert_eq!(seats(1), "1 seat");
        assert_eq!(seats(12), "12 seats");
    }
}
