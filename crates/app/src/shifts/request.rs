//! What the shifts area's commands carry.

use fynlo_core::cash::CashCount;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::session::request::ApprovalInput;

/// `open_session`: open the drawer's session with its float, counted by denomination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct OpenSession {
    /// The float: how many of each note and coin, keyed by value in pence (`{"2000": 2, "100": 10}`).
    #[ts(type = "Record<string, number>")]
    pub float: CashCount,
    /// The PIN of someone who may open a session, when the one logged in may not.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `pay_in` and `pay_out`: cash put into or taken out of the drawer, with why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CashMovement {
    /// Pence, more than 0.
    #[ts(type = "number")]
    pub amount: i64,
    /// Why (1 to 200 characters).
    pub reason: String,
    /// The PIN of someone who may, when the one logged in may not.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `close_session`: count the drawer and close the session with its Z report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CloseSession {
    /// The count, by denomination, keyed by value in pence.
    #[ts(type = "Record<string, number>")]
    pub count: CashCount,
    /// Why the count differs from what was expected; required when it does.
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
    /// Close although orders are still open: they carry into the next session's report.
    #[serde(default)]
    #[ts(optional)]
    pub carry_open_orders: Option<bool>,
    /// Print the Z report on the receipt printer.
    #[serde(default)]
    #[ts(optional)]
    pub print: Option<bool>,
    /// The PIN of someone who may close a session, when the one logged in may not.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// Commands that only need the permission to see reports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ReportAccess {
    /// The PIN of someone who may see reports, when the one logged in may not.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `z_report`: one stored Z report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ZReportRef {
    /// The Z number; the newest when left out.
    #[serde(default)]
    #[ts(optional)]
    pub number: Option<u32>,
    /// The PIN of someone who may see reports, when the one logged in may not.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `print_report`: a stored Z report again, or the X report now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PrintReport {
    /// The Z number; the X report now when left out.
    #[serde(default)]
    #[ts(optional)]
    pub number: Option<u32>,
    /// The printer (the first receipt printer when left out).
    #[serde(default)]
    #[ts(optional)]
    pub printer: Option<String>,
    /// The PIN of someone who may see reports, when the one logged in may not.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `export_report`: a stored Z report (or the X report now) as a file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ExportReport {
    /// The Z number; the X report now when left out.
    #[serde(default)]
    #[ts(optional)]
    pub number: Option<u32>,
    /// `csv` (the default), `json`, or `daily` (the cloud's daily report shape).
    #[serde(default)]
    #[ts(optional)]
    pub format: Option<ExportFormat>,
    /// The PIN of someone who may see reports, when the one logged in may not.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// How a report is exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// `section,name,value` rows, amounts in pence.
    Csv,
    /// The report as stored.
    Json,
    /// The cloud's daily report shape.
    Daily,
}

/// `z_reports`: how many, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Listing {
    /// At most this many (1–500, default 50).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
    /// The PIN of someone who may see reports, when the one logged in may not.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `audit_log`: how many entries, newest first, and which actions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// At most this many (1–500, default 50).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
    /// Only actions starting with this (`drawer.`, `order.line_voided`…).
    #[serde(default)]
    #[ts(optional)]
    pub action: Option<String>,
    /// The PIN of someone who may see reports, when the one logged in may not.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}
