//! Text for people: dates, periods, card expiry, terms and short prices,
//! formatted once here so every page says them the same way. Money is
//! formatted by `billing_domain::Money::format`; product names come from the
//! catalog (`GET /api/catalog`), never from here.

use billing_domain::change::Terms;
use billing_domain::wire::{CardBrand, CatalogView};
use billing_domain::Money;
use chrono::{DateTime, Datelike, Timelike, Utc};

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

/// The month's short name, e.g. "Dec" (chart labels).
pub fn month(at: DateTime<Utc>) -> &'static str {
    MONTHS[at.month0() as usize]
}

/// A date and time in UTC, e.g. "Dec 22, 2026, 09:30 UTC".
pub fn date_time(at: DateTime<Utc>) -> String {
    format!("{}, {:02}:{:02} UTC", date(at), at.hour(), at.minute())
}

/// A billing period, e.g. "Nov 22, 2026 – Dec 22, 2026".
pub fn period(start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    format!("{} – {}", date(start), date(end))
}

/// A card's expiry as printed on it, e.g. "12/2030" or "03/2027".
pub fn card_expiry(month: u32, year: u32) -> String {
    format!("{month:02}/{year}")
}

/// A card number as printed on the card: groups of four ("4242 4242 4242
/// 4242"), or 4-6-5 for American Express ("3782 822463 10005"). `digits`
/// may be partial; anything but digits is dropped.
pub fn card_number(digits: &str, brand: Option<CardBrand>) -> String {
    let groups: &[usize] = match brand {
        Some(CardBrand::Amex) => &[4, 6, 5],
        _ => &[4, 4, 4, 4, 3],
    };
    let mut out = String::with_capacity(digits.len() + 4);
    let mut group = 0;
    let mut in_group = 0;
    for d in digits.chars().filter(char::is_ascii_digit) {
        if in_group == groups.get(group).copied().unwrap_or(usize::MAX) {
            out.push(' ');
            group += 1;
            in_group = 0;
        }
        out.push(d);
        in_group += 1;
    }
    out
}

/// "1 day" / "3 days".
pub fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

/// "1 seat" / "12 seats".
pub fn seats(n: u32) -> String {
    if n == 1 {
        "1 seat".into()
    } else {
        format!("{n} seats")
    }
}

/// A subscription's terms in one line, e.g. "Business · Monthly · 12 seats
/// · Support Bot", with the plan's and add-ons' names from the catalog.
pub fn terms(catalog: &CatalogView, terms: &Terms) -> String {
    let mut parts = vec![
        catalog.plan_name(terms.plan).to_string(),
        terms.interval.label().to_string(),
        seats(terms.seats),
    ];
    parts.extend(
        terms
            .add_ons
            .iter()
            .map(|a| catalog.add_on_name(*a).to_string()),
    );
    parts.join(" · ")
}

/// A price per month as people say it: "$50 a month", "$1.50 a month".
pub fn per_month(price: Money) -> String {
    format!("{} a month", short_price(price))
}

/// A price without zero cents, as people say it: "$1", "$1.50".
pub fn short_price(price: Money) -> String {
    let text = price.format();
    let exponent = price.currency().exponent();
    if exponent > 0 && price.amount() % 10i64.pow(exponent) == 0 {
        text.replacen(&format!(".{}", "0".repeat(exponent as usize)), "", 1)
    } else {
        text
    }
}

/// Names as a sentence lists them: "A", "A and B", "A, B and C".
pub fn names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
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
        assert_eq!(days(1), "1 day");
        assert_eq!(days(3), "3 days");
        assert_eq!(month(start), "Nov");
        assert_eq!(date_time(start), "Nov 22, 2026, 09:30 UTC");
    }

    #[test]
    fn terms_and_names_read_as_text() {
        use billing_domain::{AddOnId, Interval, PlanId};
        let catalog = crate::state::catalog::testing::demo_catalog();
        let t = Terms::new(
            PlanId::Business,
            Interval::Month,
            12,
            vec![AddOnId::Marketing, AddOnId::SupportBot],
        );
        assert_eq!(
            terms(&catalog, &t),
            "Business · Monthly · 12 seats · Support Bot · Marketing"
        );
        assert_eq!(catalog.plan_name(PlanId::Premium), "Premium");
        let people = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(names(&people(&[])), "");
        assert_eq!(names(&people(&["Ann"])), "Ann");
        assert_eq!(names(&people(&["Ann", "Bo"])), "Ann and Bo");
        assert_eq!(names(&people(&["Ann", "Bo", "Cy"])), "Ann, Bo and Cy");
    }

    #[test]
    fn prices_drop_zero_cents() {
        let usd = billing_domain::Currency::USD;
        assert_eq!(short_price(Money::new(100, usd)), "$1");
        assert_eq!(short_price(Money::new(150, usd)), "$1.50");
        assert_eq!(short_price(Money::new(1_000_000, usd)), "$10,000");
        assert_eq!(per_month(Money::new(5_000, usd)), "$50 a month");
    }

    #[test]
    fn card_numbers_are_grouped_as_printed() {
        let visa = Some(CardBrand::Visa);
        let amex = Some(CardBrand::Amex);
        assert_eq!(card_number("4242424242424242", visa), "4242 4242 4242 4242");
        assert_eq!(card_number("42424", visa), "4242 4");
        assert_eq!(card_number("4242", visa), "4242");
        assert_eq!(card_number("", None), "");
        assert_eq!(card_number("378282246310005", amex), "3782 822463 10005");
        assert_eq!(card_number("4242 42-42", visa), "4242 4242");
        assert_eq!(
            card_number("4242424242424242424", visa),
            "4242 4242 4242 4242 424"
        );
    }
}
