//! Money as integer minor units plus an ISO 4217 currency code.
//!
//! There is no floating point anywhere in a price: amounts are `i64` minor
//! units, arithmetic is checked, and the one rounding rule (half away from
//! zero) lives in [`Money::mul_ratio`].

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An ISO 4217 currency code such as `USD`: three upper-case ASCII letters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// United States dollars, the demo catalog's currency.
    pub const USD: Currency = Currency(*b"USD");

    /// Parses a three-letter upper-case code.
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let bytes = code.as_bytes();
        if bytes.len() == 3 && bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Currency([bytes[0], bytes[1], bytes[2]]))
        } else {
            Err(MoneyError::InvalidCurrency(code.to_string()))
        }
    }

    /// The code as text.
    pub fn code(&self) -> &str {
        // Constructed only from ASCII upper-case letters.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// Digits after the decimal point for this currency (ISO 4217 exponent).
    pub fn exponent(&self) -> u32 {
        match self.code() {
            "JPY" | "KRW" | "VND" | "CLP" | "ISK" => 0,
            "BHD" | "KWD" | "OMR" | "JOD" | "TND" => 3,
            _ => 2,
        }
    }

    fn symbol(&self) -> Option<&'static str> {
        match self.code() {
            "USD" => Some("$"),
            "EUR" => Some("€"),
            "GBP" => Some("£"),
            _ => None,
        }
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// What can go wrong with money: never silently wrapped or mixed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("`{0}` is not an ISO 4217 currency code")]
    InvalidCurrency(String),
    #[error("cannot combine {0} and {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("amount overflow")]
    Overflow,
    #[error("division by zero")]
    DivideByZero,
}

/// An amount of money in minor units (cents for USD).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    /// Minor units (cents for USD); negative for credits.
    amount: i64,
    /// ISO 4217 code.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "USD"))]
    currency: Currency,
}

impl Money {
    /// An amount of `minor` units of `currency`.
    pub const fn new(minor: i64, currency: Currency) -> Self {
        Money {
            amount: minor,
            currency,
        }
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Money::new(0, currency)
    }

    /// Minor units.
    pub const fn amount(&self) -> i64 {
        self.amount
    }

    /// The currency.
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// True when the amount is zero.
    pub const fn is_zero(&self) -> bool {
        self.amount == 0
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    /// `self + other`, refusing mixed currencies and overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self - other`, refusing mixed currencies and overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let amount = self
            .amount
            .checked_sub(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self × n` for a whole quantity (seats, months).
    pub fn checked_mul(self, n: i64) -> Result<Money, MoneyError> {
        let amount = self.amount.checked_mul(n).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self × numerator / denominator`, rounded to the minor unit half away
    /// from zero: the single rounding rule of the product (SPEC §3).
    pub fn mul_ratio(self, numerator: i64, denominator: i64) -> Result<Money, MoneyError> {
        if denominator == 0 {
            return Err(MoneyError::DivideByZero);
        }
        let product = i128::from(self.amount) * i128::from(numerator);
        let den = i128::from(denominator);
        let (q, r) = (product / den, product % den);
        // Round half away from zero: compare twice the remainder with the divisor.
        let rounded = if 2 * r.abs() >= den.abs() {
            if (product < 0) != (den < 0) {
                q - 1
            } else {
                q + 1
            }
        } else {
            q
        };
        let amount = i64::try_from(rounded).map_err(|_| MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// Sums amounts that must all be in `currency`.
    pub fn sum<I: IntoIterator<Item = Money>>(
        currency: Currency,
        items: I,
    ) -> Result<Money, MoneyError> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    /// The amount for people: `$1,668.00`, `-$5.00`, `1,000 JPY`.
    pub fn format(&self) -> String {
        let exp = self.currency.exponent();
        let scale = 10u64.pow(exp);
        let abs = self.amount.unsigned_abs();
        let whole = abs / scale;
        let frac = abs % scale;
        let mut whole_text = String::new();
        let digits = whole.to_string();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                whole_text.push(',');
            }
            whole_text.push(ch);
        }
        let number = if exp == 0 {
            whole_text
        } else {
            format!("{whole_text}.{frac:0width$}", width = exp as usize)
        };
        let sign = if self.amount < 0 { "-" } else { "" };
        match self.currency.symbol() {
            Some(symbol) => format!("{sign}{symbol}{number}"),
            None => format!("{sign}{number} {}", self.currency.code()),
        }
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::USD)
    }

    #[test]
    fn formats_amounts_for_people() {
        let cases = [
            (0, "$0.00"),
            (5, "$0.05"),
            (166_800, "$1,668.00"),
            (-500, "-$5.00"),
            (123_456_789, "$1,234,567.89"),
        ];
        for (minor, text) in cases {
            assert_eq!(usd(minor).format(), text, "{minor}");
        }
        assert_eq!(
            Money::new(1000, Currency::parse("JPY").unwrap()).format(),
            "1,000 JPY"
        );
    }

    #[test]
    fn rounds_half_away_from_zero() {
        let cases = [
            (100, 1, 3, 33),
            (100, 2, 3, 67),
            (1, 1, 2, 1),
            (-1, 1, 2, -1),
            (3, 1, 2, 2),
            (-3, 1, 2, -2),
            (5, 1, 4, 1),
            (10, 1, -4, -3),
        ];
        for (amount, n, d, expected) in cases {
            assert_eq!(
                usd(amount).mul_ratio(n, d).unwrap().amount(),
                expected,
                "{amount}*{n}/{d}"
            );
        }
        assert_eq!(usd(1).mul_ratio(1, 0), Err(MoneyError::DivideByZero));
    }

    #[test]
    fn refuses_mixed_currencies_and_overflow() {
        let eur = Money::new(1, Currency::parse("EUR").unwrap());
        assert!(matches!(
            usd(1).checked_add(eur),
            Err(MoneyError::CurrencyMismatch(..))
        ));
        assert_eq!(usd(i64::MAX).checked_add(usd(1)), Err(MoneyError::Overflow));
        assert_eq!(usd(i64::MAX).checked_mul(2), Err(MoneyError::Overflow));
    }

    #[test]
    fn currency_codes_are_three_upper_case_letters() {
        assert!(Currency::parse("USD").is_ok());
        for bad in ["usd", "US", "USDX", "U$D", ""] {
            assert!(Currency::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn money_serializes_as_amount_and_currency() {
        let json = serde_json::to_value(usd(166_800)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "amount": 166800, "currency": "USD" })
        );
        let back: Money = serde_json::from_value(json).unwrap();
        assert_eq!(back, usd(166_800));
        assert!(serde_json::from_str::<Money>(r#"{"amount":1,"currency":"usd"}"#).is_err());
    }

    proptest! {
        #[test]
        fn splitting_by_ratio_never_loses_more_than_rounding(
            amount in -1_000_000_000i64..1_000_000_000,
            num in 0i64..10_000,
            extra in 1i64..10_000,
        ) {
            let den = num + extra;
            let part = usd(amount).mul_ratio(num, den).unwrap();
            let rest = usd(amount).mul_ratio(den - num, den).unwrap();
            // The two rounded parts differ from the whole by at most one minor unit.
            let total = part.checked_add(rest).unwrap();
            prop_assert!((total.amount() - amount).abs() <= 1);
            // And each part is within half a unit of the exact value.
            let exact = i128::from(amount) * i128::from(num);
            let err = i128::from(part.amount()) * i128::from(den) - exact;
            prop_assert!(2 * err.abs() <= i128::from(den));
        }

        #[test]
        fn addition_then_subtraction_is_identity(a in -1_000_000_000_000i64..1_000_000_000_000, b in -1_000_000_000_000i64..1_000_000_000_000) {
            prop_assert_eq!(usd(a).checked_add(usd(b)).unwrap().checked_sub(usd(b)).unwrap(), usd(a));
        }
    }
}
