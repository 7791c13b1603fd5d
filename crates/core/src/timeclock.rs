//! The time clock's rules (SPEC §7): a shift's time worked, timesheets per pay period with overtime, a
//! clock-out someone forgot, and how tips and service charge are allocated among the workers of a
//! period (Employment (Allocation of Tips) Act 2023: all of it goes to workers, fairly and transparently,
//! by a written rule).
//!
//! Time worked = clock-out (or now, while on shift) − clock-in − unpaid breaks. Paid breaks count as
//! worked. Overtime is the time worked in a pay period beyond the restaurant's threshold. A pay period is
//! a run of whole business days (7, 14 or 28) counted from an anchor date; a shift belongs to the business
//! day it started on.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{
    allocate::allocate,
    ids::StaffId,
    staff::Role,
    time::{BusinessDate, Timestamp},
    zone::days_from_civil,
    Error, Minor, Result,
};

/// A break within a shift.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Break {
    /// When it started.
    pub start: Timestamp,
    /// When it ended (none while on it).
    pub end: Option<Timestamp>,
    /// Paid breaks count as time worked.
    pub paid: bool,
}

/// One shift of one member of staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Shift {
    /// Its id.
    pub id: i64,
    /// Who.
    pub staff: StaffId,
    /// The business day it started on.
    pub business_date: BusinessDate,
    /// When they clocked in.
    pub clock_in: Timestamp,
    /// When they clocked out (none while on shift).
    pub clock_out: Option<Timestamp>,
    /// Its breaks, oldest first.
    pub breaks: Vec<Break>,
}

fn span(from: Timestamp, to: Timestamp) -> i64 {
    (to.millis() - from.millis()).max(0)
}

impl Shift {
    /// Whether they are on a break now.
    pub fn on_break(&self) -> bool {
        self.breaks.iter().any(|b| b.end.is_none())
    }

    /// Milliseconds worked up to `now` (or the clock-out): unpaid breaks left out.
    pub fn worked_ms(&self, now: Timestamp) -> i64 {
        let end = self.clock_out.unwrap_or(now);
        let unpaid: i64 = self
            .breaks
            .iter()
            .filter(|b| !b.paid)
            .map(|b| span(b.start.max(self.clock_in), b.end.unwrap_or(end).min(end)))
            .sum();
        (span(self.clock_in, end) - unpaid).max(0)
    }

    /// Milliseconds of breaks, paid and unpaid.
    pub fn break_ms(&self, now: Timestamp) -> (i64, i64) {
        let end = self.clock_out.unwrap_or(now);
        self.breaks.iter().fold((0, 0), |(paid, unpaid), b| {
            let ms = span(b.start, b.end.unwrap_or(end).min(end));
            if b.paid {
                (paid + ms, unpaid)
            } else {
                (paid, unpaid + ms)
            }
        })
    }

    /// A shift still open that began on an earlier business day than `today`, or more than
    /// `max_hours` ago: the member forgot to clock out.
    pub fn forgotten(&self, today: &BusinessDate, now: Timestamp, max_hours: u32) -> bool {
        self.clock_out.is_none()
            && (self.business_date < *today || span(self.clock_in, now) > i64::from(max_hours) * 3_600_000)
    }
}

/// How long a pay period is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum PayPeriod {
    /// 7 days.
    #[default]
    Weekly,
    /// 14 days.
    Fortnightly,
    /// 28 days (four-weekly).
    FourWeekly,
}

impl PayPeriod {
    /// Its length in days.
    pub const fn days(self) -> i64 {
        match self {
            PayPeriod::Weekly => 7,
            PayPeriod::Fortnightly => 14,
            PayPeriod::FourWeekly => 28,
        }
    }
}

/// How tips and service charge are shared among the workers of a period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum TipRule {
    /// Each order's to the staff who served it, in equal shares (the default).
    #[default]
    Server,
    /// The period's pool in equal shares among everyone who worked in it.
    Equal,
    /// The pool in proportion to the time each worked.
    Hours,
    /// The pool in proportion to time worked × their role's points.
    Points,
}

impl TipRule {
    /// The rule's name as written in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            TipRule::Server => "server",
            TipRule::Equal => "equal",
            TipRule::Hours => "hours",
            TipRule::Points => "points",
        }
    }
}

/// The time clock and tips settings.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StaffPolicy {
    /// How long a pay period is.
    pub pay_period: PayPeriod,
    /// A business date a pay period starts on (the first Monday of 2026 by default).
    pub pay_period_anchor: BusinessDate,
    /// Time worked in a pay period beyond this many hours is overtime.
    pub overtime_after_hours: u32,
    /// An open shift older than this many hours is a forgotten clock-out.
    pub forgotten_after_hours: u32,
    /// How tips and service charge are allocated.
    pub tip_rule: TipRule,
    /// For [`TipRule::Points`]: each role's points per hour worked.
    pub role_points: BTreeMap<Role, u32>,
    /// The written tipping policy shown to staff.
    pub tipping_policy: String,
}

impl Default for StaffPolicy {
    fn default() -> Self {
        StaffPolicy {
            pay_period: PayPeriod::Weekly,
            pay_period_anchor: BusinessDate::from_parts(2026, 1, 5),
            overtime_after_hours: 40,
            forgotten_after_hours: 16,
            tip_rule: TipRule::Server,
            role_points: Role::ALL.into_iter().map(|r| (r, 10)).collect(),
            tipping_policy: "Every penny of tips and service charge goes to the staff. Tips and service charge \
                             on an order are shared equally by the staff who served it, and paid with wages for \
                             the pay period in which they were received."
                .into(),
        }
    }
}

impl StaffPolicy {
    /// Checks the bounds.
    pub fn validate(&self) -> Result<()> {
        let bad = |reason: &str| {
            Err(Error::InvalidField {
                field: "staff_policy",
                reason: reason.into(),
            })
        };
        if !(1..=168).contains(&self.overtime_after_hours) {
            return bad("overtime_after_hours must be 1 to 168");
        }
        if !(1..=48).contains(&self.forgotten_after_hours) {
            return bad("forgotten_after_hours must be 1 to 48");
        }
        if self.role_points.values().any(|p| *p > 1000) {
            return bad("role points are at most 1000");
        }
        if self.tipping_policy.trim().is_empty() || self.tipping_policy.chars().count() > 4000 {
            return bad("the tipping policy must be 1 to 4000 characters");
        }
        Ok(())
    }

    /// The pay period holding `date`: its first and last business days.
    pub fn period_of(&self, date: &BusinessDate) -> (BusinessDate, BusinessDate) {
        let anchor = day_number(&self.pay_period_anchor);
        let len = self.pay_period.days();
        let start = anchor + (day_number(date) - anchor).div_euclid(len) * len;
        (date_of(start), date_of(start + len - 1))
    }
}

/// Days since 1970-01-01 of a business date.
pub fn day_number(date: &BusinessDate) -> i64 {
    let text = date.as_str();
    let part = |r: std::ops::Range<usize>| text.get(r).and_then(|t| t.parse::<i64>().ok()).unwrap_or(0);
    days_from_civil(part(0..4), part(5..7), part(8..10))
}

/// The business date of a day number.
pub fn date_of(days: i64) -> BusinessDate {
    let (y, m, d) = crate::time::civil_from_days(days);
    BusinessDate::from_parts(y, m, d)
}

/// One worker's row of a timesheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TimesheetRow {
    /// Who.
    pub staff: StaffId,
    /// Their name.
    pub name: String,
    /// Shifts in the period.
    pub shifts: u32,
    /// Minutes worked (unpaid breaks left out).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub minutes: i64,
    /// Minutes of paid breaks (counted in `minutes`).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub paid_break_minutes: i64,
    /// Minutes of unpaid breaks.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub unpaid_break_minutes: i64,
    /// Minutes beyond the overtime threshold.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub overtime_minutes: i64,
    /// Shifts still open.
    pub open: u32,
}

/// Works out each worker's time in a period from their shifts (those of the period's business days).
pub fn timesheet(
    shifts: &[Shift],
    policy: &StaffPolicy,
    now: Timestamp,
    name_of: &dyn Fn(&StaffId) -> String,
) -> Vec<TimesheetRow> {
    let mut rows: BTreeMap<&StaffId, TimesheetRow> = BTreeMap::new();
    for s in shifts {
        let row = rows.entry(&s.staff).or_insert_with(|| TimesheetRow {
            staff: s.staff.clone(),
            name: name_of(&s.staff),
            shifts: 0,
            minutes: 0,
            paid_break_minutes: 0,
            unpaid_break_minutes: 0,
            overtime_minutes: 0,
            open: 0,
        });
        let (paid, unpaid) = s.break_ms(now);
        row.shifts += 1;
        row.minutes += s.worked_ms(now) / 60_000;
        row.paid_break_minutes += paid / 60_000;
        row.unpaid_break_minutes += unpaid / 60_000;
        if s.clock_out.is_none() {
            row.open += 1;
        }
    }
    let threshold = i64::from(policy.overtime_after_hours) * 60;
    rows.into_values()
        .map(|mut r| {
            r.overtime_minutes = (r.minutes - threshold).max(0);
            r
        })
        .collect()
}

/// A worker's allocation of a period's tips and service charge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TipShare {
    /// Who.
    pub staff: StaffId,
    /// Their name.
    pub name: String,
    /// Minutes they worked in the period.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub minutes: i64,
    /// Their tips.
    pub tips: Minor,
    /// Their service charge.
    pub service_charge: Minor,
}

/// What a period's orders owe their servers (the [`TipRule::Server`] split, order by order) and who
/// worked how long. Every penny in is allocated: the shares add up to the pool exactly.
pub struct TipInputs<'a> {
    /// Each order's tips and service charge by server, as `Order::gratuity` gives them.
    pub by_server: &'a [(StaffId, Minor, Minor)],
    /// Minutes worked in the period, by worker (with their role).
    pub worked: &'a [(StaffId, Role, i64)],
}

/// Allocates a period's tips and service charge by `rule`. Under the pooled rules, the pool is shared by
/// those who worked; if no one clocked any time, it stays with the servers (nobody else is known to
/// have worked), so nothing is ever left unallocated.
pub fn allocate_tips(
    input: &TipInputs<'_>,
    policy: &StaffPolicy,
    name_of: &dyn Fn(&StaffId) -> String,
) -> Result<Vec<TipShare>> {
    let mut shares: BTreeMap<StaffId, (Minor, Minor)> = BTreeMap::new();
    let minutes_of = |id: &StaffId| {
        input
            .worked
            .iter()
            .filter(|(s, ..)| s == id)
            .map(|(.., m)| *m)
            .sum::<i64>()
    };
    let pooled = !matches!(policy.tip_rule, TipRule::Server) && input.worked.iter().any(|(.., m)| *m > 0);
    if pooled {
        let tips = Minor::sum(input.by_server.iter().map(|(_, t, _)| *t))?;
        let service = Minor::sum(input.by_server.iter().map(|(_, _, s)| *s))?;
        let workers: Vec<&(StaffId, Role, i64)> = input.worked.iter().filter(|(.., m)| *m > 0).collect();
        let weights: Vec<Minor> = workers
            .iter()
            .map(|(_, role, minutes)| {
                let weight = match policy.tip_rule {
                    TipRule::Equal | TipRule::Server => 1,
                    TipRule::Hours => *minutes,
                    TipRule::Points => *minutes * i64::from(policy.role_points.get(role).copied().unwrap_or(0)),
                };
                Minor::new(weight)
            })
            .collect();
        // Roles with no points at all would leave the pool unshared: fall back to time worked.
        let weights = if weights.iter().all(|w| w.is_zero()) {
            workers.iter().map(|(.., m)| Minor::new(*m)).collect()
        } else {
            weights
        };
        let tip_parts = allocate(tips, &weights)?;
        let service_parts = allocate(service, &weights)?;
        for ((w, t), s) in workers.iter().zip(tip_parts).zip(service_parts) {
            let slot = shares.entry(w.0.clone()).or_insert((Minor::ZERO, Minor::ZERO));
            slot.0 = slot.0.checked_add(t)?;
            slot.1 = slot.1.checked_add(s)?;
        }
    } else {
        for (staff, tips, service) in input.by_server {
            let slot = shares.entry(staff.clone()).or_insert((Minor::ZERO, Minor::ZERO));
            slot.0 = slot.0.checked_add(*tips)?;
            slot.1 = slot.1.checked_add(*service)?;
        }
    }
    for (staff, _, minutes) in input.worked {
        if *minutes > 0 {
            shares.entry(staff.clone()).or_insert((Minor::ZERO, Minor::ZERO));
        }
    }
    Ok(shares
        .into_iter()
        .map(|(staff, (tips, service_charge))| TipShare {
            name: name_of(&staff),
            minutes: minutes_of(&staff),
            staff,
            tips,
            service_charge,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> StaffId {
        StaffId::new(s).expect("valid id")
    }

    const H: i64 = 3_600_000;

    fn shift(staff: &str, from_h: i64, to_h: Option<i64>, breaks: Vec<Break>) -> Shift {
        Shift {
            id: 1,
            staff: id(staff),
            business_date: BusinessDate::from_parts(2026, 11, 28),
            clock_in: Timestamp::from_millis(from_h * H),
            clock_out: to_h.map(|h| Timestamp::from_millis(h * H)),
            breaks,
        }
    }

    #[test]
    fn unpaid_breaks_come_off_and_paid_ones_count() {
        let b = |from: i64, to: i64, paid| Break {
            start: Timestamp::from_millis(from),
            end: Some(Timestamp::from_millis(to)),
            paid,
        };
        let s = shift(
            "sam",
            10,
            Some(18),
            vec![
                b(12 * H, 12 * H + 30 * 60_000, false),
                b(15 * H, 15 * H + 15 * 60_000, true),
            ],
        );
        assert_eq!(s.worked_ms(Timestamp::from_millis(0)), 7 * H + 30 * 60_000);
        assert_eq!(s.break_ms(Timestamp::from_millis(0)), (15 * 60_000, 30 * 60_000));
        // On shift and on an unpaid break now: the break so far is off.
        let open = shift(
            "sam",
            10,
            None,
            vec![Break {
                start: Timestamp::from_millis(13 * H),
                end: None,
                paid: false,
            }],
        );
        assert!(open.on_break());
        assert_eq!(open.worked_ms(Timestamp::from_millis(14 * H)), 3 * H);
    }

    #[test]
    fn a_forgotten_clock_out_is_an_old_day_or_too_long() {
        let s = shift("sam", 10, None, Vec::new());
        let today = BusinessDate::from_parts(2026, 11, 28);
        let tomorrow = BusinessDate::from_parts(2026, 11, 29);
        assert!(!s.forgotten(&today, Timestamp::from_millis(20 * H), 16));
        assert!(s.forgotten(&today, Timestamp::from_millis(27 * H), 16));
        assert!(s.forgotten(&tomorrow, Timestamp::from_millis(11 * H), 16));
        assert!(!shift("sam", 10, Some(12), Vec::new()).forgotten(&tomorrow, Timestamp::from_millis(50 * H), 16));
    }

    #[test]
    fn pay_periods_run_from_the_anchor_and_overtime_is_beyond_the_threshold() {
        let policy = StaffPolicy::default();
        let (from, to) = policy.period_of(&BusinessDate::from_parts(2026, 11, 28));
        assert_eq!((from.as_str(), to.as_str()), ("2026-11-23", "2026-11-29"));
        let (from, _) = policy.period_of(&BusinessDate::from_parts(2025, 12, 31));
        assert_eq!(from.as_str(), "2025-12-29");
        let fortnight = StaffPolicy {
            pay_period: PayPeriod::Fortnightly,
            ..StaffPolicy::default()
        };
        assert_eq!(
            fortnight.period_of(&BusinessDate::from_parts(2026, 1, 18)).0.as_str(),
            "2026-01-05"
        );
        assert_eq!(
            fortnight.period_of(&BusinessDate::from_parts(2026, 1, 19)).0.as_str(),
            "2026-01-19"
        );
        // Five 9-hour shifts: 45 hours, 5 of them overtime.
        let shifts: Vec<Shift> = (0..5)
            .map(|d| shift("sam", d * 24 + 9, Some(d * 24 + 18), Vec::new()))
            .collect();
        let rows = timesheet(&shifts, &policy, Timestamp::from_millis(0), &|s| s.to_string());
        assert_eq!(
            (rows[0].shifts, rows[0].minutes, rows[0].overtime_minutes),
            (5, 45 * 60, 5 * 60)
        );
    }

    #[test]
    fn every_penny_of_the_pool_is_allocated_by_the_rule() {
        let by_server = [
            (id("sam"), Minor::new(1_001), Minor::new(500)),
            (id("jo"), Minor::new(0), Minor::new(250)),
        ];
        let worked = [
            (id("sam"), Role::Cashier, 300),
            (id("jo"), Role::Cashier, 100),
            (id("priya"), Role::Manager, 0),
        ];
        let names = |s: &StaffId| s.to_string();
        let input = TipInputs {
            by_server: &by_server,
            worked: &worked,
        };
        let total = |shares: &[TipShare]| {
            (
                shares.iter().map(|s| s.tips.get()).sum::<i64>(),
                shares.iter().map(|s| s.service_charge.get()).sum::<i64>(),
            )
        };
        for rule in [TipRule::Server, TipRule::Equal, TipRule::Hours, TipRule::Points] {
            let policy = StaffPolicy {
                tip_rule: rule,
                ..StaffPolicy::default()
            };
            let shares = allocate_tips(&input, &policy, &names).expect("allocates");
            assert_eq!(total(&shares), (1_001, 750), "{rule:?}");
        }
        let hours = StaffPolicy {
            tip_rule: TipRule::Hours,
            ..StaffPolicy::default()
        };
        let shares = allocate_tips(&input, &hours, &names).expect("allocates");
        let sam = shares.iter().find(|s| s.staff == id("sam")).expect("sam");
        // Sam worked 3 of the 4 hours: 750.75 of the tips, rounded to a whole penny.
        assert!((750..=751).contains(&sam.tips.get()), "{}", sam.tips.get());
        assert_eq!(sam.service_charge.get(), 563);
        let equal = StaffPolicy {
            tip_rule: TipRule::Equal,
            ..StaffPolicy::default()
        };
        let shares = allocate_tips(&input, &equal, &names).expect("allocates");
        let jo = shares.iter().find(|s| s.staff == id("jo")).expect("jo");
        assert!((500..=501).contains(&jo.tips.get()));
        // With no one clocked in, a pooled rule keeps each order's with its servers.
        let nobody = TipInputs {
            by_server: &by_server,
            worked: &[],
        };
        let shares = allocate_tips(&nobody, &equal, &names).expect("allocates");
        assert_eq!(
            shares.iter().find(|s| s.staff == id("sam")).map(|s| s.tips.get()),
            Some(1_001)
        );
    }
}
