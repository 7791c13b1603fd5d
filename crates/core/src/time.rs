//! Time as values: the core never reads a clock, so callers hand in a [`Timestamp`] and the
//! restaurant's [`BusinessDate`].

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Milliseconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "number"))]
pub struct Timestamp(i64);

impl Timestamp {
    /// Wraps milliseconds since the Unix epoch.
    pub const fn from_millis(ms: i64) -> Self {
        Timestamp(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }
}

/// The trading day an order belongs to, as `YYYY-MM-DD` in the restaurant's local time. Order numbers
/// restart from 1 each business day on each device.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct BusinessDate(String);

impl BusinessDate {
    /// Checks the `YYYY-MM-DD` shape and the ranges of month and day.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || Error::InvalidDate(text.to_owned());
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(bad());
        }
        let number = |range: std::ops::Range<usize>| -> Result<u32> {
            let part = &text[range];
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            part.parse().map_err(|_| bad())
        };
        let year = number(0..4)?;
        let month = number(5..7)?;
        let day = number(8..10)?;
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(bad()),
        };
        if day == 0 || day > days_in_month {
            return Err(bad());
        }
        Ok(BusinessDate(text.to_owned()))
    }

    /// The date of a year, month and day already known to be valid (from the calendar arithmetic).
    pub(crate) fn from_parts(year: i64, month: i64, day: i64) -> Self {
        BusinessDate(format!("{year:04}-{month:02}-{day:02}"))
    }

    /// The date as `YYYY-MM-DD`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BusinessDate {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        BusinessDate::parse(&value)
    }
}

impl From<BusinessDate> for String {
    fn from(value: BusinessDate) -> Self {
        value.0
    }
}

impl fmt::Display for BusinessDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where the time comes from. The app passes the system clock; tests pass a fixed one. The business date
/// and local time follow from it and the restaurant's settings (`Restaurant::business_date`,
/// [`crate::zone::TimeZone::format`]), never from the machine's own time zone.
pub trait Clock: Send + Sync {
    /// Now, UTC.
    fn now(&self) -> Timestamp;
}

/// `DD/MM/YYYY HH:MM` in UTC.
pub fn format_utc(at: Timestamp) -> String {
    let secs = at.millis().div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{d:02}/{m:02}/{y:04} {:02}:{:02}", of_day / 3600, (of_day % 3600) / 60)
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's algorithm).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Where new ids come from. The app makes `UUIDv7`s; tests make predictable ones.
pub trait IdSource: Send + Sync {
    /// A new, unique id.
    fn new_id(&self) -> uuid::Uuid;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_are_written_day_first() {
        // 2026-11-28 12:00:00 UTC, and the last minute of a leap year.
        assert_eq!(
            format_utc(Timestamp::from_millis(1_795_867_200_000)),
            "28/11/2026 12:00"
        );
        assert_eq!(
            format_utc(Timestamp::from_millis(1_735_689_599_000)),
            "31/12/2024 23:59"
        );
        assert_eq!(format_utc(Timestamp::from_millis(0)), "01/01/1970 00:00");
    }

    #[test]
    fn parses_real_dates_only() {
        assert!(BusinessDate::parse("2026-11-22").is_ok());
        assert!(BusinessDate::parse("2024-02-29").is_ok());
        for bad in [
            "2025-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "20261122",
            "2026-11-31",
            "abcd-ef-gh",
        ] {
            assert!(BusinessDate::parse(bad).is_err(), "{bad}");
        }
    }
}
