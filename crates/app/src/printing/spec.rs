//! What a print job prints, as the store keeps it (`print_jobs.spec`, JSON). A job names an order and
//! the version it prints, never a copy of the document: the document is built when the job prints,
//! from the order replayed to that version, so a job row costs a save a few dozen bytes.

use fynlo_core::{
    ids::{LineNo, OrderId, RefundId},
    order::{Order, OrderEvent},
    payment::{PaymentStatus, Tender},
};
use fynlo_store::{NewJob, Recorded};
use serde::{Deserialize, Serialize};

use super::config::PrinterConfig;
use crate::error::AppError;

/// What a job prints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "job", rename_all = "snake_case")]
pub enum JobSpec {
    /// A customer receipt of an order, or of one part of its split bill.
    Receipt {
        /// The order.
        order: OrderId,
        /// The version it prints.
        version: u64,
        /// The part, for a split bill.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        part: Option<u32>,
        /// Printed again at someone's request: marked DUPLICATE.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        duplicate: bool,
    },
    /// A refund receipt.
    RefundReceipt {
        /// The order.
        order: OrderId,
        /// The version it prints.
        version: u64,
        /// The refund.
        refund: RefundId,
        /// Printed again at someone's request.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        duplicate: bool,
    },
    /// A kitchen ticket: lines sent together, for one station.
    Kitchen {
        /// The order.
        order: OrderId,
        /// The version it prints.
        version: u64,
        /// The station.
        station: String,
        /// The lines sent.
        lines: Vec<LineNo>,
    },
    /// A VOID ticket: sent lines voided, for their station.
    Void {
        /// The order.
        order: OrderId,
        /// The version it prints.
        version: u64,
        /// The station.
        station: String,
        /// The lines voided.
        lines: Vec<LineNo>,
    },
    /// A test page.
    TestPage,
    /// An X or Z report, laid out when it was asked for.
    Report {
        /// The report's page.
        page: fynlo_core::document::page::Report,
    },
    /// Open the cash drawer (nothing is printed).
    Drawer,
}

impl JobSpec {
    /// The spec as the store keeps it.
    pub fn to_value(&self) -> Result<serde_json::Value, AppError> {
        serde_json::to_value(self).map_err(|e| AppError::invalid(format!("print job: {e}")))
    }

    /// A job for a printer.
    pub fn job(&self, printer: &PrinterConfig) -> Result<NewJob, AppError> {
        Ok(NewJob {
            printer: printer.id.clone(),
            spec: self.to_value()?,
        })
    }

    /// The order it prints, if any.
    pub fn order(&self) -> Option<OrderId> {
        match self {
            JobSpec::Receipt { order, .. }
            | JobSpec::RefundReceipt { order, .. }
            | JobSpec::Kitchen { order, .. }
            | JobSpec::Void { order, .. } => Some(*order),
            JobSpec::TestPage | JobSpec::Drawer | JobSpec::Report { .. } => None,
        }
    }
}

/// Lines grouped by station, stations in the order their first line appears.
fn by_station(order: &Order, lines: &[LineNo]) -> Vec<(String, Vec<LineNo>)> {
    let mut groups: Vec<(String, Vec<LineNo>)> = Vec::new();
    for no in lines {
        let Ok(line) = order.line(*no) else { continue };
        let station = line.station.as_str();
        match groups.iter_mut().find(|(s, _)| s == station) {
            Some((_, group)) => group.push(*no),
            None => groups.push((station.to_owned(), vec![*no])),
        }
    }
    groups
}

/// The jobs a save causes, in the order they should come out: the drawer first (cash is in the
/// cashier's hand), then receipts, then kitchen and VOID tickets.
///
/// - a cash payment, or a cash refund that succeeded → a drawer kick on each printer with a drawer;
/// - completion → a receipt (one per part of a split bill) on each receipt printer that prints on its
///   own; a refund → a refund receipt there;
/// - a send → a ticket per station, with only the lines of that send, on each printer serving it;
/// - a void of a sent line → a VOID ticket on its station's printers.
pub(crate) fn jobs_for_save(
    printers: &[PrinterConfig],
    order: &Order,
    events: &[Recorded],
) -> Result<Vec<NewJob>, AppError> {
    if printers.is_empty() {
        return Ok(Vec::new());
    }
    let version = order.version();
    let id = order.id();
    let mut kick = false;
    let mut receipt = false;
    let mut refunds: Vec<RefundId> = Vec::new();
    let mut sent: Vec<LineNo> = Vec::new();
    let mut voided: Vec<LineNo> = Vec::new();
    for r in events {
        match &r.event {
            OrderEvent::PaymentRecorded { payment } if payment.tender == Tender::Cash => kick = true,
            OrderEvent::RefundStarted { refund } => {
                if refund.tender == Tender::Cash && refund.status == PaymentStatus::Succeeded {
                    kick = true;
                }
                if refund.status == PaymentStatus::Succeeded {
                    refunds.push(refund.id);
                }
            }
            OrderEvent::RefundUpdated {
                refund,
                status: PaymentStatus::Succeeded,
                ..
            } => refunds.push(*refund),
            OrderEvent::Completed => receipt = true,
            OrderEvent::SentToKitchen { lines } => sent.extend(lines.iter().copied()),
            OrderEvent::LineVoided { line, .. } => voided.push(*line),
            _ => {}
        }
    }
    let mut jobs = Vec::new();
    if kick {
        for p in printers.iter().filter(|p| p.drawer.is_some()) {
            jobs.push(JobSpec::Drawer.job(p)?);
        }
    }
    let auto: Vec<&PrinterConfig> = printers.iter().filter(|p| p.receipts && p.auto_print).collect();
    if receipt && !auto.is_empty() {
        let parts: Vec<Option<u32>> = match order.split() {
            Some(split) => (1..=u32::try_from(split.plan.parts()).unwrap_or(0)).map(Some).collect(),
            None => vec![None],
        };
        for p in &auto {
            for part in &parts {
                jobs.push(
                    JobSpec::Receipt {
                        order: id,
                        version,
                        part: *part,
                        duplicate: false,
                    }
                    .job(p)?,
                );
            }
        }
    }
    for refund in refunds {
        for p in &auto {
            jobs.push(
                JobSpec::RefundReceipt {
                    order: id,
                    version,
                    refund,
                    duplicate: false,
                }
                .job(p)?,
            );
        }
    }
    for (void, lines) in [(false, &sent), (true, &voided)] {
        for (station, lines) in by_station(order, lines) {
            for p in printers.iter().filter(|p| p.serves(&station)) {
                let spec = if void {
                    JobSpec::Void {
                        order: id,
                        version,
                        station: station.clone(),
                        lines: lines.clone(),
                    }
                } else {
                    JobSpec::Kitchen {
                        order: id,
                        version,
                        station: station.clone(),
                        lines: lines.clone(),
                    }
                };
                jobs.push(spec.job(p)?);
            }
        }
    }
    Ok(jobs)
}
