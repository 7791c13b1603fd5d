//! Money: an integer count of minor units (pence, cents) with checked arithmetic, and the ISO currency
//! that gives it a meaning and a format. Never floating point.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// An amount of minor units (pence for GBP). The workhorse of every calculation in the core.
///
/// Arithmetic is checked: overflow is an [`Error::Overflow`], never a wrap. A `Minor` has no currency of
/// its own; an order or a report carries one currency for all its amounts, and [`Money`] joins the two for
/// display at the edge.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "number"))]
pub struct Minor(i64);

impl Minor {
    /// Nothing.
    pub const ZERO: Minor = Minor(0);

    /// Wraps a count of minor units.
    pub const fn new(units: i64) -> Self {
        Minor(units)
    }

    /// The count of minor units.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// `self + other`, or an overflow error.
    pub fn checked_add(self, other: Minor) -> Result<Minor> {
        self.0.checked_add(other.0).map(Minor).ok_or(Error::Overflow)
    }

    /// `self - other`, or an overflow error.
    pub fn checked_sub(self, other: Minor) -> Result<Minor> {
        self.0.checked_sub(other.0).map(Minor).ok_or(Error::Overflow)
    }

    /// `self × factor`, or an overflow error.
    pub fn checked_mul(self, factor: i64) -> Result<Minor> {
        self.0.checked_mul(factor).map(Minor).ok_or(Error::Overflow)
    }

    /// `-self`, or an overflow error (for `i64::MIN`).
    pub fn checked_neg(self) -> Result<Minor> {
        self.0.checked_neg().map(Minor).ok_or(Error::Overflow)
    }

    /// The sum of many amounts, or an overflow error.
    pub fn sum<I: IntoIterator<Item = Minor>>(items: I) -> Result<Minor> {
        items.into_iter().try_fold(Minor::ZERO, Minor::checked_add)
    }

    /// Is this amount below zero?
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Is this amount above zero?
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Is this amount exactly zero?
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// [`Minor::is_zero`] by reference, for serde's `skip_serializing_if`.
    #[allow(clippy::trivially_copy_pass_by_ref, reason = "serde passes the field by reference")]
    pub const fn is_zero_ref(&self) -> bool {
        self.0 == 0
    }
}

/// The currencies the till formats. All three have two decimal places of minor units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    /// Pound sterling, the default.
    #[default]
    GBP,
    /// Euro.
    EUR,
    /// United States dollar.
    USD,
}

impl Currency {
    /// The ISO 4217 code.
    pub const fn code(self) -> &'static str {
        match self {
            Currency::GBP => "GBP",
            Currency::EUR => "EUR",
            Currency::USD => "USD",
        }
    }

    /// Minor units per major unit, as a power of ten.
    pub const fn minor_digits(self) -> u32 {
        2
    }

    /// The symbol an en-GB reader expects. The dollar is written `US$` so it is never mistaken for
    /// another dollar, as the en-GB locale (CLDR) does.
    pub const fn symbol_en_gb(self) -> &'static str {
        match self {
            Currency::GBP => "£",
            Currency::EUR => "€",
            Currency::USD => "US$",
        }
    }

    /// Parses an ISO code such as `GBP`.
    pub fn from_code(code: &str) -> Result<Currency> {
        match code {
            "GBP" => Ok(Currency::GBP),
            "EUR" => Ok(Currency::EUR),
            "USD" => Ok(Currency::USD),
            other => Err(Error::UnknownCurrency(other.to_owned())),
        }
    }
}

/// An amount with its currency, for display and for the boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    amount: Minor,
    currency: Currency,
}

impl Money {
    /// Joins an amount and its currency.
    pub const fn new(amount: Minor, currency: Currency) -> Self {
        Money { amount, currency }
    }

    /// Pounds and pence in GBP, the usual case: `Money::gbp(1234)` is £12.34.
    pub const fn gbp(minor: i64) -> Self {
        Money::new(Minor::new(minor), Currency::GBP)
    }

    /// The amount.
    pub const fn amount(self) -> Minor {
        self.amount
    }

    /// The currency.
    pub const fn currency(self) -> Currency {
        self.currency
    }

    /// Adds two amounts of the same currency.
    pub fn checked_add(self, other: Money) -> Result<Money> {
        if self.currency != other.currency {
            return Err(Error::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            });
        }
        Ok(Money::new(self.amount.checked_add(other.amount)?, self.currency))
    }

    /// Formats as an en-GB reader expects: `£1,234.50`, `-£3.00`, `€0.99`, `US$10.00`.
    pub fn format_en_gb(self) -> String {
        let units = self.amount.get();
        let magnitude = units.unsigned_abs();
        let scale = 10u64.pow(self.currency.minor_digits());
        let major = magnitude / scale;
        let minor = magnitude % scale;
        let digits = major.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        let sign = if units < 0 { "-" } else { "" };
        format!(
            "{sign}{}{grouped}.{minor:0width$}",
            self.currency.symbol_en_gb(),
            width = self.currency.minor_digits() as usize
        )
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format_en_gb())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_en_gb() {
        let cases = [
            (0, "£0.00"),
            (5, "£0.05"),
            (99, "£0.99"),
            (123_450, "£1,234.50"),
            (-300, "-£3.00"),
            (100_000_000, "£1,000,000.00"),
            (-123_456_789, "-£1,234,567.89"),
            (i64::MIN, "-£92,233,720,368,547,758.08"),
        ];
        for (minor, want) in cases {
            assert_eq!(Money::gbp(minor).format_en_gb(), want, "{minor}");
        }
        assert_eq!(Money::new(Minor::new(123_450), Currency::EUR).to_string(), "€1,234.50");
        assert_eq!(Money::new(Minor::new(-1), Currency::EUR).to_string(), "-€0.01");
        assert_eq!(
            Money::new(Minor::new(100_000), Currency::USD).to_string(),
            "US$1,000.00"
        );
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(Minor::new(i64::MAX).checked_add(Minor::new(1)), Err(Error::Overflow));
        assert_eq!(Minor::new(i64::MIN).checked_sub(Minor::new(1)), Err(Error::Overflow));
        assert_eq!(Minor::new(i64::MAX / 2 + 1).checked_mul(2), Err(Error::Overflow));
        assert_eq!(Minor::new(i64::MIN).checked_neg(), Err(Error::Overflow));
        assert_eq!(Minor::new(250).checked_mul(3), Ok(Minor::new(750)));
        assert_eq!(Minor::sum([Minor::new(1), Minor::new(2)]), Ok(Minor::new(3)));
        assert_eq!(Minor::sum([Minor::new(i64::MAX), Minor::new(1)]), Err(Error::Overflow));
    }

    #[test]
    fn refuses_mixed_currencies() {
        let eur = Money::new(Minor::new(1), Currency::EUR);
        assert!(matches!(
            Money::gbp(1).checked_add(eur),
            Err(Error::CurrencyMismatch { .. })
        ));
        assert_eq!(Money::gbp(1).checked_add(Money::gbp(2)), Ok(Money::gbp(3)));
    }

    #[test]
    fn parses_currency_codes() {
        assert_eq!(Currency::from_code("EUR"), Ok(Currency::EUR));
        assert!(matches!(Currency::from_code("gbp"), Err(Error::UnknownCurrency(_))));
    }
}
