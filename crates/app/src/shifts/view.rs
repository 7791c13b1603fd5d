//! What the shifts area answers with.

use fynlo_core::{
    cash::{CashCount, CashFigures, MovementKind},
    report::Report,
};
use fynlo_store::{AuditCheck, AuditEntry, DrawerSession, Movement};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::view::Amount;

/// A drawer session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionInfoView {
    /// 1, 2, 3… on this till.
    pub number: u32,
    /// The business day it opened on.
    pub business_date: String,
    /// When it opened (ms).
    #[ts(type = "number")]
    pub opened_at: i64,
    /// Who opened it.
    pub opened_by: String,
    /// The float's count.
    #[ts(type = "Record<string, number>")]
    pub float_count: CashCount,
    /// When it closed (ms), once it has.
    #[ts(optional, type = "number")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<i64>,
    /// Its Z number, once closed.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub z_number: Option<u32>,
}

impl From<&DrawerSession> for SessionInfoView {
    fn from(s: &DrawerSession) -> Self {
        SessionInfoView {
            number: s.number,
            business_date: s.business_date.to_string(),
            opened_at: s.opened_at.millis(),
            opened_by: s.opened_by.to_string(),
            float_count: s.float_count.clone(),
            closed_at: s.closed.as_ref().map(|c| c.at.millis()),
            z_number: s.closed.as_ref().map(|c| c.z_number),
        }
    }
}

/// A pay-in, pay-out or no-sale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MovementView {
    /// What kind.
    pub kind: MovementKind,
    /// How much.
    pub amount: Amount,
    /// Why.
    pub reason: String,
    /// Who.
    pub staff: String,
    /// Who approved it, when someone else did.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// When (ms).
    #[ts(type = "number")]
    pub at: i64,
}

impl From<&Movement> for MovementView {
    fn from(m: &Movement) -> Self {
        MovementView {
            kind: m.kind,
            amount: m.amount.into(),
            reason: m.reason.clone(),
            staff: m.staff.to_string(),
            approved_by: m.approved_by.as_ref().map(ToString::to_string),
            at: m.at.millis(),
        }
    }
}

/// The drawer now: its open session (if any), what it should hold, and its movements.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DrawerView {
    /// The open session.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionInfoView>,
    /// Its cash: float, taken, refunded, paid in and out, expected.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash: Option<CashFigures>,
    /// Its pay-ins, pay-outs and no-sales, oldest first.
    pub movements: Vec<MovementView>,
}

/// An X or Z report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReportView {
    /// The report.
    pub report: Report,
    /// Whether it was printed (a print job was queued).
    pub printed: bool,
}

/// Stored Z reports, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReportsView {
    /// The reports, as stored.
    pub reports: Vec<Report>,
}

/// A report exported as a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportView {
    /// A file name for it (`z-report-12.csv`).
    pub filename: String,
    /// Its media type.
    pub mime: String,
    /// The file's text.
    pub content: String,
}

/// An audit log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditEntryView {
    /// Its place in the chain.
    #[ts(type = "number")]
    pub no: i64,
    /// When (ms).
    #[ts(type = "number")]
    pub at: i64,
    /// Who.
    pub staff: String,
    /// What.
    pub action: String,
    /// The details, as JSON text.
    pub detail: String,
    /// Its hash.
    pub hash: String,
}

impl From<&AuditEntry> for AuditEntryView {
    fn from(e: &AuditEntry) -> Self {
        AuditEntryView {
            no: e.no,
            at: e.at.millis(),
            staff: e.staff.clone(),
            action: e.action.clone(),
            detail: e.detail.clone(),
            hash: e.hash.clone(),
        }
    }
}

/// A problem the chain check found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditProblemView {
    /// The entry where it shows.
    #[ts(type = "number")]
    pub no: i64,
    /// `edited`, `removed`, `reordered` or `missing`.
    pub kind: String,
    /// What was found.
    pub message: String,
}

/// The audit log's newest entries, and what a check of the whole chain found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditView {
    /// Newest first.
    pub entries: Vec<AuditEntryView>,
    /// Entries in the chain.
    #[ts(type = "number")]
    pub total: i64,
    /// The chain's head (the last entry's hash).
    pub head: String,
    /// Problems found; empty when the chain is whole.
    pub problems: Vec<AuditProblemView>,
}

impl AuditView {
    /// The entries and the check.
    pub fn new(entries: &[AuditEntry], check: &AuditCheck) -> AuditView {
        AuditView {
            entries: entries.iter().map(AuditEntryView::from).collect(),
            total: check.entries,
            head: check.head.clone(),
            problems: check
                .problems
                .iter()
                .map(|p| AuditProblemView {
                    no: p.no,
                    kind: p.kind.to_owned(),
                    message: p.message.clone(),
                })
                .collect(),
        }
    }
}
