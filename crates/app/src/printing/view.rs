//! What the printing commands answer with.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{config::PrinterConfig, spec::JobSpec};
use fynlo_store::{Job, JobState};

/// Where a job stands (see `docs/printing.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum JobStateView {
    /// Waiting to print.
    Pending,
    /// Being sent.
    Sending,
    /// Cut off part-way: prints again under a REPRINT banner.
    Uncertain,
    /// Printed.
    Done,
    /// Can never print.
    Failed,
    /// Cancelled.
    Cancelled,
}

impl From<JobState> for JobStateView {
    fn from(s: JobState) -> Self {
        match s {
            JobState::Pending => JobStateView::Pending,
            JobState::Sending => JobStateView::Sending,
            JobState::Uncertain => JobStateView::Uncertain,
            JobState::Done => JobStateView::Done,
            JobState::Failed => JobStateView::Failed,
            JobState::Cancelled => JobStateView::Cancelled,
        }
    }
}

/// One print job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JobView {
    /// Its number.
    #[ts(type = "number")]
    pub id: i64,
    /// The printer's id.
    pub printer: String,
    /// What it prints: `receipt`, `refund_receipt`, `kitchen`, `void`, `test_page`, `drawer`.
    pub what: String,
    /// The order it prints, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub order: Option<String>,
    /// The station of a kitchen or VOID ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub station: Option<String>,
    /// Marked DUPLICATE.
    pub duplicate: bool,
    /// Where it stands.
    pub state: JobStateView,
    /// Tries so far.
    pub attempts: u32,
    /// The last error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub last_error: Option<String>,
    /// Will print (or printed) under the REPRINT banner.
    pub reprint: bool,
    /// When it was made (ms since the epoch).
    #[ts(type = "number")]
    pub created_at: i64,
}

impl JobView {
    /// The view of a stored job (a spec the till cannot read shows as `unknown`).
    pub fn new(job: &Job) -> JobView {
        let spec: Option<JobSpec> = serde_json::from_value(job.spec.clone()).ok();
        let (what, station, duplicate) = match &spec {
            Some(JobSpec::Receipt { duplicate, .. }) => ("receipt", None, *duplicate),
            Some(JobSpec::RefundReceipt { duplicate, .. }) => ("refund_receipt", None, *duplicate),
            Some(JobSpec::Kitchen { station, .. }) => ("kitchen", Some(station.clone()), false),
            Some(JobSpec::Void { station, .. }) => ("void", Some(station.clone()), false),
            Some(JobSpec::TestPage) => ("test_page", None, false),
            Some(JobSpec::Drawer) => ("drawer", None, false),
            Some(JobSpec::Report { .. }) => ("report", None, false),
            None => ("unknown", None, false),
        };
        JobView {
            id: job.id,
            printer: job.printer.clone(),
            what: what.to_owned(),
            order: spec.as_ref().and_then(JobSpec::order).map(|o| o.to_string()),
            station,
            duplicate,
            state: job.state.into(),
            attempts: job.attempts,
            last_error: job.last_error.clone(),
            reprint: job.reprint,
            created_at: job.created_at.millis(),
        }
    }
}

/// A printer and how it is doing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrinterView {
    /// Its set-up.
    pub config: PrinterConfig,
    /// Jobs waiting for it.
    pub waiting: u32,
    /// The error of its oldest waiting job, if that job has failed a try (paper out, offline…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub problem: Option<String>,
}

/// The printers, and the newest jobs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrintersView {
    /// Every printer, in the order they were added.
    pub printers: Vec<PrinterView>,
    /// Jobs still waiting, oldest first.
    pub waiting: Vec<JobView>,
}

/// Print jobs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JobsView {
    /// The jobs.
    pub jobs: Vec<JobView>,
}

/// One document as it will print, in plain text (exactly the paper's words and layout).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PreviewDocView {
    /// What it is ("Receipt", "Kitchen ticket: grill").
    pub title: String,
    /// The printers it would go to.
    pub printers: Vec<String>,
    /// Characters per line.
    pub width: u16,
    /// The text.
    pub text: String,
}

/// Documents as they will print.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PreviewView {
    /// The documents.
    pub documents: Vec<PreviewDocView>,
}
