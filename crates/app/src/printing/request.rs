//! The printing commands' requests.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::config::PrinterConfig;
use crate::session::request::ApprovalInput;

/// `add_printer` and `change_printer`: a manager's command (or a manager's PIN in `approval`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PutPrinter {
    /// The printer.
    pub printer: PrinterConfig,
    /// A manager's PIN, when a cashier is logged in.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `remove_printer`: a manager's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PrinterRef {
    /// The printer's id.
    pub id: String,
    /// A manager's PIN, when a cashier is logged in.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `test_printer` (the printer is needed) and `retry_prints` (all printers when left out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PrinterChoice {
    /// The printer's id.
    #[serde(default)]
    #[ts(optional)]
    pub id: Option<String>,
}

/// `print_receipt` (queue a receipt: DUPLICATE when one was printed before) and `receipt_preview`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ReceiptRequest {
    /// The order (id, number alias, or the current one when left out).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// One part of a split bill.
    #[serde(default)]
    #[ts(optional)]
    pub part: Option<u32>,
    /// A refund's receipt instead (the refund's id).
    #[serde(default)]
    #[ts(optional)]
    pub refund: Option<String>,
    /// Which receipt printer (the first one when left out).
    #[serde(default)]
    #[ts(optional)]
    pub printer: Option<String>,
}

/// `ticket_preview`: the kitchen tickets sending the order now would print.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct TicketPreview {
    /// The order (the current one when left out).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
}

/// `print_jobs`: the newest jobs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PrintJobs {
    /// How many, 1 to 200 (20 when left out).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// `cancel_print`: a manager cancels a waiting job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CancelPrint {
    /// The job's number.
    #[ts(type = "number")]
    pub job: i64,
    /// A manager's PIN, when a cashier is logged in.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `open_drawer`: a no-sale — the drawer opened without a sale, with a manager's approval and a reason,
/// recorded in the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct OpenDrawer {
    /// Why (1 to 200 characters).
    pub reason: String,
    /// A manager's PIN, when a cashier is logged in.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}
