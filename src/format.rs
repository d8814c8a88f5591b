//! Text for people: dates, periods, card expiry and product names, formatted
//! once here so every page says them the same way. Money is formatted by
//! `billing_domain::Money::format`.

use billing_domain::AddOnId;
use chrono::{DateTime, Utc};

/// A calendar date in UTC, e.g. "Dec 22, 2026".
pub fn date(at: DateTime<Utc>) -> String {
    at.format("%b %-d, %Y").to_string()
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

/// An add-on's product name.
// The catalog's names reach the SPA only through the API; until an endpoint
// returns them, these mirror `config/catalog.toml`.
pub fn add_on_name(id: AddOnId) -> &'static str {
    match id {
        AddOnId::SupportBot => "Support Bot",
        AddOnId::Operation => "Operation",
        AddOnId::Marketing => "Marketing",
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
