//! What the staff area answers with.

use fynlo_core::{
    staff::Role,
    time::Timestamp,
    timeclock::{Break, Shift, TimesheetRow, TipRule, TipShare},
};
use fynlo_store::TipRecord;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::view::Amount;

/// A member of staff as the staff screen shows them (never a PIN hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StaffMemberView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Whether they may log in.
    pub active: bool,
    /// Clocked in now, since (ms).
    #[ts(optional, type = "number")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_shift_since: Option<i64>,
}

/// The staff: everyone active, and (for those who may edit staff) those deactivated too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StaffListView {
    /// By name.
    pub staff: Vec<StaffMemberView>,
    /// Whether the one logged in may edit staff.
    pub can_edit: bool,
}

/// A shift on the time clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ShiftView {
    /// Its id.
    #[ts(type = "number")]
    pub id: i64,
    /// Who.
    pub staff: String,
    /// Their name.
    pub name: String,
    /// The business day it counts on.
    pub business_date: String,
    /// Clock-in (ms).
    #[ts(type = "number")]
    pub clock_in: i64,
    /// Clock-out (ms), once out.
    #[ts(optional, type = "number")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_out: Option<i64>,
    /// On a break now.
    pub on_break: bool,
    /// Minutes worked so far (unpaid breaks left out).
    #[ts(type = "number")]
    pub minutes: i64,
    /// Its breaks.
    pub breaks: Vec<Break>,
}

impl ShiftView {
    /// The view of a shift, worked out to `now`.
    pub fn new(shift: &Shift, name: &str, now: Timestamp) -> ShiftView {
        ShiftView {
            id: shift.id,
            staff: shift.staff.to_string(),
            name: name.to_owned(),
            business_date: shift.business_date.to_string(),
            clock_in: shift.clock_in.millis(),
            clock_out: shift.clock_out.map(Timestamp::millis),
            on_break: shift.on_break(),
            minutes: shift.worked_ms(now) / 60_000,
            breaks: shift.breaks.clone(),
        }
    }
}

/// Shifts: who is on shift, or the one a punch changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ShiftsView {
    /// The shifts.
    pub shifts: Vec<ShiftView>,
}

/// A pay period's timesheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TimesheetView {
    /// The period's first business day.
    pub from: String,
    /// Its last.
    pub to: String,
    /// The overtime threshold.
    pub overtime_after_hours: u32,
    /// By member.
    pub rows: Vec<TimesheetRow>,
    /// The shifts.
    pub shifts: Vec<ShiftView>,
}

/// A worker's share of a period's tips and service charge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TipShareView {
    /// Who.
    pub staff: String,
    /// Their name.
    pub name: String,
    /// Minutes worked in the period.
    #[ts(type = "number")]
    pub minutes: i64,
    /// Tips.
    pub tips: Amount,
    /// Service charge.
    pub service_charge: Amount,
}

impl From<&TipShare> for TipShareView {
    fn from(s: &TipShare) -> Self {
        TipShareView {
            staff: s.staff.to_string(),
            name: s.name.clone(),
            minutes: s.minutes,
            tips: s.tips.into(),
            service_charge: s.service_charge.into(),
        }
    }
}

/// A period's tips allocation and the policy behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TipAllocationView {
    /// The period's first business day (empty for the policy alone).
    pub from: String,
    /// Its last.
    pub to: String,
    /// The allocation rule.
    pub rule: TipRule,
    /// The written tipping policy.
    pub policy: String,
    /// Each worker's share.
    pub shares: Vec<TipShareView>,
}

/// A recorded tips allocation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TipRecordView {
    /// The period's first business day.
    pub period_from: String,
    /// Its last.
    pub period_to: String,
    /// Who.
    pub staff: String,
    /// Their name.
    pub name: String,
    /// Tips.
    pub tips: Amount,
    /// Service charge.
    pub service_charge: Amount,
    /// Minutes worked.
    #[ts(type = "number")]
    pub minutes: i64,
    /// The rule used.
    pub rule: String,
    /// When it was paid out.
    pub paid_on: String,
}

impl From<&TipRecord> for TipRecordView {
    fn from(r: &TipRecord) -> Self {
        TipRecordView {
            period_from: r.period_from.to_string(),
            period_to: r.period_to.to_string(),
            staff: r.staff.to_string(),
            name: r.name.clone(),
            tips: r.tips.into(),
            service_charge: r.service_charge.into(),
            minutes: r.minutes,
            rule: r.rule.clone(),
            paid_on: r.paid_on.to_string(),
        }
    }
}

/// Recorded tips allocations, newest period first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TipsRecordsView {
    /// The records.
    pub records: Vec<TipRecordView>,
}
