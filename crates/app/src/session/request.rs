//! What the session's commands carry.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `login`: a PIN, and optionally who, to skip trying every member of staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// 4–6 digits.
    pub pin: String,
    /// A staff id.
    #[serde(default)]
    #[ts(optional)]
    pub staff: Option<String>,
}

/// A manager's approval given in place: their PIN (and optionally who they are), typed on the overlay
/// without logging the cashier out. Not needed when a manager is the one logged in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ApprovalInput {
    /// The manager's PIN.
    pub pin: String,
    /// The manager's staff id, to skip trying every manager.
    #[serde(default)]
    #[ts(optional)]
    pub staff: Option<String>,
}
