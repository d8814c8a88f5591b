//! Card details checked before any gateway call: number (Luhn and brand),
//! expiry and CVC. Shared so the SPA can name the brand as the user types
//! and refuse a typo before sending it.

use crate::wire::CardBrand;
use chrono::{DateTime, Datelike, Utc};

/// Why card details were refused; each names the field at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("Enter the card number.")]
    MissingNumber,
    #[error("The card number should contain only digits.")]
    InvalidNumber,
    #[error("The card number is incomplete or has a typo.")]
    IncorrectNumber,
    #[error("We accept Visa, Mastercard, American Express and Discover.")]
    UnsupportedBrand,
    #[error("The expiry month must be between 1 and 12.")]
    InvalidExpiryMonth,
    #[error("The expiry year is not valid.")]
    InvalidExpiryYear,
    #[error("This card has expired.")]
    ExpiredCard,
    #[error("The security code should be {0} digits.")]
    InvalidCvc(usize),
}

impl CardError {
    /// The request field at fault.
    pub fn param(&self) -> &'static str {
        match self {
            CardError::MissingNumber
            | CardError::InvalidNumber
            | CardError::IncorrectNumber
            | CardError::UnsupportedBrand => "number",
            CardError::InvalidExpiryMonth => "exp_month",
            CardError::InvalidExpiryYear | CardError::ExpiredCard => "exp_year",
            CardError::InvalidCvc(_) => "cvc",
        }
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            CardError::MissingNumber => "missing_number",
            CardError::InvalidNumber => "invalid_number",
            CardError::IncorrectNumber => "incorrect_number",
            CardError::UnsupportedBrand => "unsupported_brand",
            CardError::InvalidExpiryMonth => "invalid_expiry_month",
            CardError::InvalidExpiryYear => "invalid_expiry_year",
            CardError::ExpiredCard => "expired_card",
            CardError::InvalidCvc(_) => "invalid_cvc",
        }
    }
}

/// The digits of a card number, spaces and dashes removed.
pub fn digits_of(input: &str) -> Result<String, CardError> {
    let cleaned: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if cleaned.is_empty() {
        Err(CardError::MissingNumber)
    } else if cleaned.chars().all(|c| c.is_ascii_digit()) {
        Ok(cleaned)
    } else {
        Err(CardError::InvalidNumber)
    }
}

/// The card network a number's first digits name (works on a partial number).
pub fn brand_of(digits: &str) -> Option<CardBrand> {
    let prefix = |n: usize| digits.get(..n).and_then(|p| p.parse::<u32>().ok());
    if digits.starts_with('4') {
        Some(CardBrand::Visa)
    } else if matches!(prefix(2), Some(34 | 37)) {
        Some(CardBrand::Amex)
    } else if matches!(prefix(2), Some(51..=55)) || matches!(prefix(4), Some(2221..=2720)) {
        Some(CardBrand::Mastercard)
    } else if digits.starts_with("6011")
        || digits.starts_with("65")
        || matches!(prefix(3), Some(644..=649))
    {
        Some(CardBrand::Discover)
    } else {
        None
    }
}

/// The Luhn checksum that every real card number satisfies.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0;
    for (i, ch) in digits.chars().rev().enumerate() {
        let Some(mut d) = ch.to_digit(10) else {
            return false;
        };
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum % 10 == 0
}

/// The digits a brand's numbers have.
fn lengths(brand: CardBrand) -> &'static [usize] {
    match brand {
        CardBrand::Amex => &[15],
        CardBrand::Visa => &[13, 16, 19],
        CardBrand::Mastercard => &[16],
        CardBrand::Discover => &[16, 19],
    }
}

/// Card details that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCard {
    pub digits: String,
    pub brand: CardBrand,
    pub exp_month: u32,
    pub exp_year: u32,
}

impl CheckedCard {
    /// The last four digits.
    pub fn last4(&self) -> String {
        self.digits[self.digits.len() - 4..].to_string()
    }
}

/// Checks a card number.
pub fn check_number(input: &str) -> Result<(String, CardBrand), CardError> {
    let digits = digits_of(input)?;
    let brand = brand_of(&digits).ok_or(CardError::UnsupportedBrand)?;
    if !lengths(brand).contains(&digits.len()) || !luhn_valid(&digits) {
        return Err(CardError::IncorrectNumber);
    }
    Ok((digits, brand))
}

/// Checks an expiry: a card is good through the last day of its month.
pub fn check_expiry(month: u32, year: u32, now: DateTime<Utc>) -> Result<(), CardError> {
    if !(1..=12).contains(&month) {
        return Err(CardError::InvalidExpiryMonth);
    }
    let this_year = now.year() as u32;
    if !(2000..=this_year + 50).contains(&year) {
        return Err(CardError::InvalidExpiryYear);
    }
    if (year, month) < (this_year, now.month()) {
        return Err(CardError::ExpiredCard);
    }
    Ok(())
}

/// Checks the security code's length for the brand.
pub fn check_cvc(cvc: &str, brand: CardBrand) -> Result<(), CardError> {
    let want = if brand == CardBrand::Amex { 4 } else { 3 };
    if cvc.len() == want && cvc.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(CardError::InvalidCvc(want))
    }
}

/// Every check, in the order a form shows them.
pub fn check_card(
    number: &str,
    exp_month: u32,
    exp_year: u32,
    cvc: &str,
    now: DateTime<Utc>,
) -> Result<CheckedCard, CardError> {
    let (digits, brand) = check_number(number)?;
    check_expiry(exp_month, exp_year, now)?;
    check_cvc(cvc, brand)?;
    Ok(CheckedCard {
        digits,
        brand,
        exp_month,
        exp_year,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
    }

    #[test]
    fn brands_are_recognised_from_their_prefixes() {
        let cases = [
            ("4242424242424242", Some(CardBrand::Visa)),
            ("5555555555554444", Some(CardBrand::Mastercard)),
            ("2223003122003222", Some(CardBrand::Mastercard)),
            ("378282246310005", Some(CardBrand::Amex)),
            ("6011111111111117", Some(CardBrand::Discover)),
            ("6445644564456445", Some(CardBrand::Discover)),
            ("3530111333300000", None),
            ("4", Some(CardBrand::Visa)),
            ("37", Some(CardBrand::Amex)),
            ("", None),
        ];
        for (number, brand) in cases {
            assert_eq!(brand_of(number), brand, "{number}");
        }
    }

    #[test]
    fn numbers_are_checked_for_luhn_length_and_brand() {
        let cases = [
            ("4242 4242 4242 4242", Ok(CardBrand::Visa)),
            ("4242-4242-4242-4242", Ok(CardBrand::Visa)),
            ("4000000000000002", Ok(CardBrand::Visa)),
            ("378282246310005", Ok(CardBrand::Amex)),
            ("4242424242424241", Err(CardError::IncorrectNumber)),
            ("424242424242", Err(CardError::IncorrectNumber)),
            ("4242x242", Err(CardError::InvalidNumber)),
            ("  ", Err(CardError::MissingNumber)),
            ("3530111333300000", Err(CardError::UnsupportedBrand)),
        ];
        for (number, expected) in cases {
            assert_eq!(check_number(number).map(|(_, b)| b), expected, "{number}");
        }
    }

    #[test]
    fn expiry_is_good_through_the_end_of_its_month() {
        let cases = [
            (11, 2026, Ok(())),
            (12, 2030, Ok(())),
            (10, 2026, Err(CardError::ExpiredCard)),
            (13, 2027, Err(CardError::InvalidExpiryMonth)),
            (0, 2027, Err(CardError::InvalidExpiryMonth)),
            (5, 26, Err(CardError::InvalidExpiryYear)),
            (5, 2099, Err(CardError::InvalidExpiryYear)),
        ];
        for (m, y, expected) in cases {
            assert_eq!(check_expiry(m, y, now()), expected, "{m}/{y}");
        }
    }

    #[test]
    fn the_security_code_length_follows_the_brand() {
        assert!(check_cvc("123", CardBrand::Visa).is_ok());
        assert_eq!(
            check_cvc("1234", CardBrand::Visa),
            Err(CardError::InvalidCvc(3))
        );
        assert!(check_cvc("1234", CardBrand::Amex).is_ok());
        assert_eq!(
            check_cvc("12a", CardBrand::Visa),
            Err(CardError::InvalidCvc(3))
        );
        let card = check_card("4242424242424242", 12, 2030, "123", now()).unwrap();
        assert_eq!(
            (card.brand, card.last4()),
            (CardBrand::Visa, "4242".to_string())
        );
        assert_eq!(
            check_card("4242424242424242", 12, 2030, "", now())
                .unwrap_err()
                .param(),
            "cvc"
        );
    }
}
