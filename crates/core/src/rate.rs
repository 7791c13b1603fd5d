//! Exact rates and the one place where the till rounds.
//!
//! Rates (VAT, discounts, service charge) are basis points: 1 bp = 0.01 %, so 12.5 % is 1250 bp and
//! 20 % is 2000 bp. Every calculation that can produce a fraction of a penny goes through
//! [`div_round_half_up`], so rounding is decided here and nowhere else.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Error, Minor, Result};

/// Basis points in a whole: 100 %.
pub const WHOLE: u32 = 10_000;

/// A rate in basis points (hundredths of a percent). 2000 bp = 20 %.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "number"))]
pub struct BasisPoints(u32);

impl BasisPoints {
    /// Zero percent.
    pub const ZERO: BasisPoints = BasisPoints(0);
    /// One hundred percent.
    pub const HUNDRED_PERCENT: BasisPoints = BasisPoints(WHOLE);

    /// Any rate. Rates above 100 % are meaningful for some uses (a markup), so callers that need a
    /// fraction of a whole use [`BasisPoints::fraction`].
    pub const fn new(bp: u32) -> Self {
        BasisPoints(bp)
    }

    /// A rate that must be a fraction of a whole (0–100 %), such as a discount.
    pub fn fraction(bp: u32) -> Result<Self> {
        if bp > WHOLE {
            return Err(Error::InvalidRate { bp });
        }
        Ok(BasisPoints(bp))
    }

    /// Parses a decimal percentage string such as `"12.5"` or `"20"` exactly (at most two decimals).
    pub fn parse_percent(text: &str) -> Result<Self> {
        let bad = || Error::InvalidPercent(text.to_owned());
        let trimmed = text.trim().trim_end_matches('%');
        let (whole, frac) = match trimmed.split_once('.') {
            Some((w, f)) => (w, f),
            None => (trimmed, ""),
        };
        if whole.is_empty() || frac.len() > 2 || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let whole: u32 = whole.parse().map_err(|_| bad())?;
        let frac: u32 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac))
            .map(BasisPoints)
            .ok_or_else(bad)
    }

    /// The number of basis points.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// `amount × rate`, rounded to the nearest minor unit, halves away from zero.
    pub fn of(self, amount: Minor) -> Result<Minor> {
        let value = div_round_half_up(i128::from(amount.get()) * i128::from(self.0), i128::from(WHOLE));
        to_minor(value)
    }

    /// The tax contained in a tax-inclusive `gross` at this rate: `gross × r / (1 + r)`, rounded
    /// half up. At 20 % this is one sixth of the gross.
    pub fn inclusive_tax_of(self, gross: Minor) -> Result<Minor> {
        let value = div_round_half_up(
            i128::from(gross.get()) * i128::from(self.0),
            i128::from(WHOLE) + i128::from(self.0),
        );
        to_minor(value)
    }
}

impl fmt::Display for BasisPoints {
    /// Shows the rate as a percentage: `12.5%`, `20%`, `0.25%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 100;
        let frac = self.0 % 100;
        if frac == 0 {
            write!(f, "{whole}%")
        } else if frac.is_multiple_of(10) {
            write!(f, "{whole}.{}%", frac / 10)
        } else {
            write!(f, "{whole}.{frac:02}%")
        }
    }
}

/// Divides and rounds to the nearest integer, halves away from zero ("half up" on the magnitude, so a
/// refund rounds the same way as the sale it reverses). `den` must be positive.
///
/// This is the till's single rounding rule: every fraction of a penny in pricing, VAT, discounts and
/// service charge is resolved by this function.
pub fn div_round_half_up(num: i128, den: i128) -> i128 {
    debug_assert!(den > 0, "rounding needs a positive denominator");
    let quotient = num / den;
    let remainder = num % den;
    if 2 * remainder.abs() >= den {
        quotient + num.signum()
    } else {
        quotient
    }
}

/// Narrows a wide intermediate back to [`Minor`], or reports an overflow.
pub(crate) fn to_minor(value: i128) -> Result<Minor> {
    i64::try_from(value).map(Minor::new).map_err(|_| Error::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(div_round_half_up(5, 2), 3);
        assert_eq!(div_round_half_up(-5, 2), -3);
        assert_eq!(div_round_half_up(4, 3), 1);
        assert_eq!(div_round_half_up(5, 3), 2);
        assert_eq!(div_round_half_up(-4, 3), -1);
        assert_eq!(div_round_half_up(0, 7), 0);
        assert_eq!(div_round_half_up(149, 100), 1);
        assert_eq!(div_round_half_up(150, 100), 2);
    }

    #[test]
    fn vat_in_twenty_percent_inclusive_is_a_sixth() {
        let r = BasisPoints::new(2000);
        assert_eq!(r.inclusive_tax_of(Minor::new(1200)), Ok(Minor::new(200)));
        // 1/6 of 1000 = 166.67 → 167.
        assert_eq!(r.inclusive_tax_of(Minor::new(1000)), Ok(Minor::new(167)));
        // 1/6 of 3 = 0.5 → 1 (half up).
        assert_eq!(r.inclusive_tax_of(Minor::new(3)), Ok(Minor::new(1)));
        // 5 % inclusive: 1/21 of 2100 = 100.
        assert_eq!(
            BasisPoints::new(500).inclusive_tax_of(Minor::new(2100)),
            Ok(Minor::new(100))
        );
        assert_eq!(BasisPoints::ZERO.inclusive_tax_of(Minor::new(999)), Ok(Minor::ZERO));
    }

    #[test]
    fn percent_of_rounds_half_up() {
        let r = BasisPoints::new(1250);
        assert_eq!(r.of(Minor::new(1000)), Ok(Minor::new(125)));
        // 12.5 % of 4 = 0.5 → 1.
        assert_eq!(r.of(Minor::new(4)), Ok(Minor::new(1)));
        assert_eq!(r.of(Minor::new(3)), Ok(Minor::ZERO));
        assert_eq!(
            BasisPoints::new(10_000).of(Minor::new(i64::MAX)),
            Ok(Minor::new(i64::MAX))
        );
        assert_eq!(BasisPoints::new(20_000).of(Minor::new(i64::MAX)), Err(Error::Overflow));
    }

    #[test]
    fn parses_and_shows_percentages() {
        assert_eq!(BasisPoints::parse_percent("12.5"), Ok(BasisPoints::new(1250)));
        assert_eq!(BasisPoints::parse_percent("20"), Ok(BasisPoints::new(2000)));
        assert_eq!(BasisPoints::parse_percent("0.25%"), Ok(BasisPoints::new(25)));
        for bad in ["", "abc", "1.234", "-5", ".5", "5.", "1e3"] {
            let parsed = BasisPoints::parse_percent(bad);
            if bad == "5." {
                assert_eq!(parsed, Ok(BasisPoints::new(500)));
            } else {
                assert!(parsed.is_err(), "{bad:?} parsed as {parsed:?}");
            }
        }
        assert_eq!(BasisPoints::new(1250).to_string(), "12.5%");
        assert_eq!(BasisPoints::new(2000).to_string(), "20%");
        assert_eq!(BasisPoints::new(25).to_string(), "0.25%");
        assert!(BasisPoints::fraction(10_001).is_err());
    }
}
