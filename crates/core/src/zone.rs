//! The restaurant's local time and its business day, worked out from a UTC [`Timestamp`] without a
//! clock or a time-zone database: a [`TimeZone`] is a POSIX rule (`GMT0BST,M3.5.0/1,M10.5.0` — the
//! standard offset, the summer offset and when each starts), which is what every zone file ends with and
//! all a till needs for the years it runs. Well-known names (`Europe/London`…) map to their rule.
//!
//! The business day ends at a local time of day ([`DayEnd`], 04:00 by default), so a bar's night from
//! 18:00 to 02:00 is one day: the business date of a moment is the local date of that moment less the
//! day end. On the night the clocks go forward there is no 01:00–02:00 and on the night they go back it
//! happens twice; counting in local wall time, both nights still end at 04:00 local.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{time::BusinessDate, time::Timestamp, Error, Result};

const MS_PER_DAY: i64 = 86_400_000;

/// The zones a till knows by name, with their rules.
const NAMED: [(&str, &str); 8] = [
    ("Europe/London", "GMT0BST,M3.5.0/1,M10.5.0"),
    ("Europe/Belfast", "GMT0BST,M3.5.0/1,M10.5.0"),
    ("Europe/Guernsey", "GMT0BST,M3.5.0/1,M10.5.0"),
    ("Europe/Jersey", "GMT0BST,M3.5.0/1,M10.5.0"),
    ("Europe/Isle_of_Man", "GMT0BST,M3.5.0/1,M10.5.0"),
    ("Europe/Dublin", "GMT0IST,M3.5.0/1,M10.5.0"),
    ("Europe/Gibraltar", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("UTC", "UTC0"),
];

/// When in a year a change happens: the `week`th `weekday` of `month` (week 5 is the last), at
/// `seconds` after local midnight (POSIX `Mm.w.d/time`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Change {
    month: u32,
    week: u32,
    weekday: u32,
    seconds: i64,
}

/// A restaurant's time zone: a name or a POSIX rule, written in JSON as the text it was given.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZone {
    text: String,
    /// Seconds east of UTC in winter.
    standard: i64,
    /// Seconds east of UTC in summer, and when summer starts and ends.
    summer: Option<(i64, Change, Change)>,
}

impl Default for TimeZone {
    fn default() -> Self {
        TimeZone::parse("Europe/London").unwrap_or(TimeZone {
            text: "UTC".into(),
            standard: 0,
            summer: None,
        })
    }
}

impl TryFrom<String> for TimeZone {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        TimeZone::parse(&value)
    }
}

impl From<TimeZone> for String {
    fn from(value: TimeZone) -> Self {
        value.text
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Reads POSIX TZ text one piece at a time.
struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// A zone abbreviation: three or more letters, or `<…>` holding letters, digits and signs.
    fn name(&mut self) -> Option<()> {
        let start = self.at;
        if self.eat(b'<') {
            while let Some(b) = self.peek() {
                self.at += 1;
                if b == b'>' {
                    return (self.at - start >= 5).then_some(());
                }
                if !(b.is_ascii_alphanumeric() || b == b'+' || b == b'-') {
                    return None;
                }
            }
            return None;
        }
        while self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            self.at += 1;
        }
        (self.at - start >= 3).then_some(())
    }

    fn number(&mut self, max: i64) -> Option<i64> {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) && self.at - start < 3 {
            self.at += 1;
        }
        let n: i64 = self.text.get(start..self.at)?.parse().ok()?;
        (n <= max).then_some(n)
    }

    /// `[+-]hh[:mm[:ss]]`, in seconds, signed as written.
    fn time(&mut self, max_hours: i64) -> Option<i64> {
        let sign = if self.eat(b'-') {
            -1
        } else {
            self.eat(b'+');
            1
        };
        let mut seconds = self.number(max_hours)? * 3600;
        if self.eat(b':') {
            seconds += self.number(59)? * 60;
            if self.eat(b':') {
                seconds += self.number(59)?;
            }
        }
        Some(sign * seconds)
    }

    /// `Mm.w.d[/time]`.
    fn change(&mut self) -> Option<Change> {
        if !self.eat(b'M') {
            return None;
        }
        let month = u32::try_from(self.number(12)?).ok()?;
        self.eat(b'.').then_some(())?;
        let week = u32::try_from(self.number(5)?).ok()?;
        self.eat(b'.').then_some(())?;
        let weekday = u32::try_from(self.number(6)?).ok()?;
        let seconds = if self.eat(b'/') { self.time(167)? } else { 2 * 3600 };
        (month >= 1 && week >= 1).then_some(Change {
            month,
            week,
            weekday,
            seconds,
        })
    }
}

impl TimeZone {
    /// A zone by name (`Europe/London`, `Europe/Dublin`, `UTC`…) or as a POSIX rule with its summer time
    /// given by `Mm.w.d` changes (`CET-1CEST,M3.5.0,M10.5.0/3`).
    pub fn parse(text: &str) -> Result<TimeZone> {
        let bad = || Error::InvalidField {
            field: "time_zone",
            reason: format!(
                "{text:?} is not a zone a till knows (Europe/London, Europe/Dublin, UTC…) nor a POSIX rule \
                 such as GMT0BST,M3.5.0/1,M10.5.0"
            ),
        };
        let rule = NAMED
            .iter()
            .find(|(name, _)| *name == text)
            .map_or(text, |(_, rule)| *rule);
        let mut r = Reader { text: rule, at: 0 };
        r.name().ok_or_else(bad)?;
        // POSIX offsets are hours *west* of UTC.
        let standard = -r.time(24).ok_or_else(bad)?;
        let summer = if r.peek().is_some() {
            r.name().ok_or_else(bad)?;
            let offset = if r.peek() == Some(b',') {
                standard + 3600
            } else {
                -r.time(24).ok_or_else(bad)?
            };
            r.eat(b',').then_some(()).ok_or_else(bad)?;
            let start = r.change().ok_or_else(bad)?;
            r.eat(b',').then_some(()).ok_or_else(bad)?;
            let end = r.change().ok_or_else(bad)?;
            Some((offset, start, end))
        } else {
            None
        };
        if r.peek().is_some() || text.len() > 64 {
            return Err(bad());
        }
        Ok(TimeZone {
            text: text.to_owned(),
            standard,
            summer,
        })
    }

    /// Seconds east of UTC at `at`.
    pub fn offset_at(&self, at: Timestamp) -> i64 {
        let Some((summer, start, end)) = self.summer else {
            return self.standard;
        };
        let secs = at.millis().div_euclid(1000);
        let (year, ..) = civil_from_days((secs + self.standard).div_euclid(86_400));
        // A change happens at its local time in the offset in force before it.
        let begins = change_at(year, start) - self.standard;
        let ends = change_at(year, end) - summer;
        let in_summer = if begins < ends {
            secs >= begins && secs < ends
        } else {
            // Southern hemisphere: summer spans the new year.
            secs >= begins || secs < ends
        };
        if in_summer {
            summer
        } else {
            self.standard
        }
    }

    /// The local wall-clock time at `at`, as milliseconds since a local 1970-01-01 00:00.
    pub fn local_millis(&self, at: Timestamp) -> i64 {
        at.millis() + self.offset_at(at) * 1000
    }

    /// `DD/MM/YYYY HH:MM` in local time, as a receipt prints it.
    pub fn format(&self, at: Timestamp) -> String {
        let local = self.local_millis(at).div_euclid(1000);
        let (y, m, d) = civil_from_days(local.div_euclid(86_400));
        let of_day = local.rem_euclid(86_400);
        format!("{d:02}/{m:02}/{y:04} {:02}:{:02}", of_day / 3600, (of_day % 3600) / 60)
    }

    /// The local hour of the day (0–23) at `at`.
    pub fn hour(&self, at: Timestamp) -> u8 {
        u8::try_from(self.local_millis(at).rem_euclid(MS_PER_DAY) / 3_600_000).unwrap_or(0)
    }
}

/// The local time of day the business day ends, `HH:MM` from 00:00 to 11:59: 04:00 by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DayEnd(u32);

impl Default for DayEnd {
    fn default() -> Self {
        DayEnd(4 * 60)
    }
}

impl DayEnd {
    /// Reads `HH:MM`.
    pub fn parse(text: &str) -> Result<DayEnd> {
        let bad = || Error::InvalidField {
            field: "day_ends_at",
            reason: format!("{text:?} is not a time from 00:00 to 11:59 (HH:MM)"),
        };
        let (h, m) = text.split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 || !(h.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if h > 11 || m > 59 {
            return Err(bad());
        }
        Ok(DayEnd(h * 60 + m))
    }

    /// Minutes after local midnight.
    pub const fn minutes(self) -> u32 {
        self.0
    }

    /// The business date of a moment: the local date of `at` less the day end.
    pub fn business_date(self, zone: &TimeZone, at: Timestamp) -> BusinessDate {
        let local = zone.local_millis(at) - i64::from(self.0) * 60_000;
        date_of_days(local.div_euclid(MS_PER_DAY))
    }
}

impl TryFrom<String> for DayEnd {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        DayEnd::parse(&value)
    }
}

impl From<DayEnd> for String {
    fn from(value: DayEnd) -> Self {
        format!("{:02}:{:02}", value.0 / 60, value.0 % 60)
    }
}

/// The `BusinessDate` of a day count from 1970-01-01.
fn date_of_days(days: i64) -> BusinessDate {
    let (y, m, d) = civil_from_days(days);
    BusinessDate::from_parts(y, m, d)
}

/// Seconds from 1970-01-01 00:00 (local) to a change in `year`.
fn change_at(year: i64, c: Change) -> i64 {
    let first = days_from_civil(year, i64::from(c.month), 1);
    // 1970-01-01 was a Thursday (weekday 4, Sunday being 0).
    let first_weekday = (first + 4).rem_euclid(7);
    let mut day = first + (i64::from(c.weekday) - first_weekday).rem_euclid(7) + 7 * (i64::from(c.week) - 1);
    let next_month = if c.month == 12 {
        days_from_civil(year + 1, 1, 1)
    } else {
        days_from_civil(year, i64::from(c.month) + 1, 1)
    };
    while day >= next_month {
        day -= 7;
    }
    day * 86_400 + c.seconds
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(crate) use crate::time::civil_from_days;

#[cfg(test)]
mod tests {
    use super::*;

    /// Milliseconds of a UTC date and time.
    fn utc(y: i64, mo: i64, d: i64, h: i64, mi: i64) -> Timestamp {
        Timestamp::from_millis((days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60) * 1000)
    }

    #[test]
    fn london_changes_at_one_in_the_morning_utc_on_the_last_sundays_of_march_and_october() {
        let london = TimeZone::default();
        assert_eq!(london.to_string(), "Europe/London");
        // 2026: BST from Sunday 29 March 01:00 UTC to Sunday 25 October 01:00 UTC.
        assert_eq!(london.offset_at(utc(2026, 3, 29, 0, 59)), 0);
        assert_eq!(london.offset_at(utc(2026, 3, 29, 1, 0)), 3600);
        assert_eq!(london.offset_at(utc(2026, 10, 25, 0, 59)), 3600);
        assert_eq!(london.offset_at(utc(2026, 10, 25, 1, 0)), 0);
        assert_eq!(london.format(utc(2026, 7, 1, 11, 30)), "01/07/2026 12:30");
        assert_eq!(london.format(utc(2026, 12, 31, 23, 59)), "31/12/2026 23:59");
        assert_eq!(london.hour(utc(2026, 7, 1, 23, 30)), 0);
        // 2027's last Sundays: 28 March and 31 October.
        assert_eq!(london.offset_at(utc(2027, 3, 28, 1, 0)), 3600);
        assert_eq!(london.offset_at(utc(2027, 10, 31, 0, 30)), 3600);
        assert_eq!(london.offset_at(utc(2027, 10, 31, 1, 0)), 0);
    }

    #[test]
    fn other_rules_and_names() {
        let berlin = TimeZone::parse("CET-1CEST,M3.5.0,M10.5.0/3").expect("a rule");
        assert_eq!(berlin.offset_at(utc(2026, 1, 10, 12, 0)), 3600);
        assert_eq!(berlin.offset_at(utc(2026, 7, 10, 12, 0)), 7200);
        assert_eq!(berlin.offset_at(utc(2026, 10, 25, 0, 59)), 7200);
        assert_eq!(berlin.offset_at(utc(2026, 10, 25, 1, 0)), 3600);
        let sydney = TimeZone::parse("AEST-10AEDT,M10.1.0,M4.1.0/3").expect("a southern rule");
        assert_eq!(sydney.offset_at(utc(2026, 1, 10, 0, 0)), 11 * 3600);
        assert_eq!(sydney.offset_at(utc(2026, 7, 10, 0, 0)), 10 * 3600);
        let new_york = TimeZone::parse("EST5EDT,M3.2.0,M11.1.0").expect("west of UTC");
        assert_eq!(new_york.offset_at(utc(2026, 1, 10, 0, 0)), -5 * 3600);
        assert_eq!(new_york.offset_at(utc(2026, 7, 10, 0, 0)), -4 * 3600);
        assert_eq!(
            TimeZone::parse("<+0530>-5:30")
                .expect("quoted")
                .offset_at(utc(2026, 1, 1, 0, 0)),
            19_800
        );
        assert_eq!(TimeZone::parse("UTC").expect("utc").offset_at(utc(2026, 7, 1, 0, 0)), 0);
        for bad in [
            "",
            "Mars/Olympus",
            "GMT",
            "GMT0BST",
            "GMT0BST,M13.5.0,M10.5.0",
            "GMT0BST,M3.5.0",
            "GMT99",
        ] {
            assert!(TimeZone::parse(bad).is_err(), "{bad}");
        }
        let json = serde_json::to_string(&TimeZone::default()).expect("json");
        assert_eq!(json, "\"Europe/London\"");
    }

    #[test]
    fn the_business_day_ends_at_four_local_through_midnight_and_both_clock_changes() {
        let london = TimeZone::default();
        let end = DayEnd::default();
        let date = |at| end.business_date(&london, at).to_string();
        // Winter: 23:30 and 03:59 belong to the evening's day; 04:00 starts the next.
        assert_eq!(date(utc(2026, 1, 9, 23, 30)), "2026-01-09");
        assert_eq!(date(utc(2026, 1, 10, 3, 59)), "2026-01-09");
        assert_eq!(date(utc(2026, 1, 10, 4, 0)), "2026-01-10");
        // Summer: 04:00 BST is 03:00 UTC.
        assert_eq!(date(utc(2026, 7, 10, 2, 59)), "2026-07-09");
        assert_eq!(date(utc(2026, 7, 10, 3, 0)), "2026-07-10");
        // The night the clocks go forward (29 March 2026, 01:00 GMT → 02:00 BST): 03:59 BST is 02:59
        // UTC, still Saturday's day; 04:00 BST (03:00 UTC) is Sunday's.
        assert_eq!(date(utc(2026, 3, 29, 0, 30)), "2026-03-28");
        assert_eq!(date(utc(2026, 3, 29, 2, 59)), "2026-03-28");
        assert_eq!(date(utc(2026, 3, 29, 3, 0)), "2026-03-29");
        // The night they go back (25 October 2026, 02:00 BST → 01:00 GMT): 01:30 happens twice and
        // both belong to Saturday's day; the day ends at 04:00 GMT.
        assert_eq!(date(utc(2026, 10, 25, 0, 30)), "2026-10-24");
        assert_eq!(date(utc(2026, 10, 25, 1, 30)), "2026-10-24");
        assert_eq!(date(utc(2026, 10, 25, 3, 59)), "2026-10-24");
        assert_eq!(date(utc(2026, 10, 25, 4, 0)), "2026-10-25");
        // A day that ends at midnight is the calendar date.
        let midnight = DayEnd::parse("00:00").expect("valid");
        assert_eq!(
            midnight.business_date(&london, utc(2026, 1, 9, 23, 59)).to_string(),
            "2026-01-09"
        );
        assert_eq!(
            midnight.business_date(&london, utc(2026, 1, 10, 0, 0)).to_string(),
            "2026-01-10"
        );
        for bad in ["4:00", "12:00", "24:00", "03:60", "0400", "aa:bb", ""] {
            assert!(DayEnd::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(String::from(DayEnd::parse("02:30").expect("valid")), "02:30");
    }
}
