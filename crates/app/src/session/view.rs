//! What the session's commands answer with.

use fynlo_core::{
    permission::Permission,
    staff::{Role, Staff},
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Who is logged in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionView {
    /// The member of staff, if anyone is logged in.
    pub staff: Option<StaffView>,
    /// The current order's id, if any.
    pub current_order: Option<String>,
    /// Seconds until PIN entry opens again, while too many wrong PINs typed without a name keep it
    /// locked (the login screen shows the countdown at once, even after a restart).
    #[ts(type = "number | null")]
    pub pin_locked_for: Option<u64>,
    /// What the member logged in may do (their role's permissions); empty when no one is.
    pub permissions: Vec<Permission>,
    /// When the member logged in clocked in to a shift they never clocked out of (an earlier business
    /// day's, or too long ago): the till asks them to clock out and a manager to correct it.
    #[ts(optional, type = "number")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forgotten_clock_out: Option<i64>,
}

/// A member of staff (never their PIN hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StaffView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// What they may do.
    pub role: Role,
}

impl From<&Staff> for StaffView {
    fn from(s: &Staff) -> Self {
        StaffView {
            id: s.id.to_string(),
            name: s.name.clone(),
            role: s.role,
        }
    }
}
