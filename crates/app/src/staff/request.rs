//! What the staff area's commands carry.

use fynlo_core::staff::Role;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::session::request::ApprovalInput;

/// `add_staff`: a new member of staff and their first PIN.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AddStaff {
    /// Their id: 1–64 letters, digits, `-`, `_` or `.`.
    pub id: String,
    /// Their name (1–80 characters), shown on the till and receipts.
    pub name: String,
    /// Their role: no higher than the role of whoever adds them.
    pub role: Role,
    /// Their PIN: 4–6 digits, not one another member has.
    pub pin: String,
    /// The PIN of someone who may edit staff, when the one logged in may not.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `change_staff`: a member's name, role or whether they may use the till. Fields left out stay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ChangeStaff {
    /// Who.
    pub id: String,
    /// A new name.
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    /// A new role (no higher than the editor's).
    #[serde(default)]
    #[ts(optional)]
    pub role: Option<Role>,
    /// False deactivates them (they can no longer log in; their history stays); true brings them back.
    #[serde(default)]
    #[ts(optional)]
    pub active: Option<bool>,
    /// The PIN of someone who may edit staff, when the one logged in may not.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `change_pin`: the member logged in changes their own PIN, typing the old one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ChangePin {
    /// Their PIN now.
    pub old: String,
    /// The new one: 4–6 digits, not one another member has.
    pub new: String,
}

/// `reset_pin`: someone who may edit staff sets another member's PIN.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ResetPin {
    /// Whose.
    pub staff: String,
    /// The new PIN.
    pub pin: String,
    /// The PIN of someone who may edit staff, when the one logged in may not.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `clock_in`, `clock_out`, `end_break`: a member's PIN (logged in or not), and optionally who.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Punch {
    /// Their PIN.
    pub pin: String,
    /// Their staff id, to skip trying everyone's PIN.
    #[serde(default)]
    #[ts(optional)]
    pub staff: Option<String>,
}

/// `start_break`: a member's PIN, and whether the break is paid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct BreakPunch {
    /// Their PIN.
    pub pin: String,
    /// Their staff id.
    #[serde(default)]
    #[ts(optional)]
    pub staff: Option<String>,
    /// A paid break counts as time worked.
    #[serde(default)]
    pub paid: bool,
}

/// `timesheet`: the pay period holding `date` (today's when left out), for everyone or one member.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct TimesheetRequest {
    /// A business date (`YYYY-MM-DD`) in the period.
    #[serde(default)]
    #[ts(optional)]
    pub date: Option<String>,
    /// One member (their own needs no permission).
    #[serde(default)]
    #[ts(optional)]
    pub staff: Option<String>,
    /// The PIN of someone who may see reports.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `adjust_shift`: a shift's times corrected (or, with `staff` and no `shift`, a forgotten shift added).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AdjustShift {
    /// The shift to correct.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub shift: Option<i64>,
    /// For a new shift: whose.
    #[serde(default)]
    #[ts(optional)]
    pub staff: Option<String>,
    /// Clock-in (ms since the epoch).
    #[ts(type = "number")]
    pub clock_in: i64,
    /// Clock-out (ms), or none to leave it open.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub clock_out: Option<i64>,
    /// Why.
    pub reason: String,
    /// The PIN of someone who may edit staff.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `tips`: the allocation of the pay period holding `date`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct TipsPeriod {
    /// A business date in the period (today's when left out).
    #[serde(default)]
    #[ts(optional)]
    pub date: Option<String>,
    /// The PIN of someone who may see reports.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `record_tips`: the allocation of the (ended) pay period holding `date`, recorded as paid on `paid_on`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RecordTips {
    /// A business date in the period.
    #[serde(default)]
    #[ts(optional)]
    pub date: Option<String>,
    /// When it is paid out (`YYYY-MM-DD`).
    pub paid_on: String,
    /// The PIN of someone who may edit staff.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `tips_records` and `export_tips`: one member's records (or everyone's).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct TipsQuery {
    /// Whose (their own needs no permission).
    #[serde(default)]
    #[ts(optional)]
    pub staff: Option<String>,
    /// The PIN of someone who may see reports.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}
