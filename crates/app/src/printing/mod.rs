//! The printing area: printers as settings, the jobs a save causes (written in the save's own durable
//! transaction — [`spec::jobs_for_save`]), reprints and previews, the no-sale drawer, and the
//! [`Spooler`] that prints waiting jobs in the background. See `docs/printing.md`.
//!
//! Printing never blocks a sale: a command only writes job rows; the spooler, a task of its own,
//! prints them, and a printer that is off, out of paper or unreachable only leaves jobs waiting.

pub mod config;
mod render;
pub mod request;
pub mod spec;
mod spooler;
pub mod view;

use std::sync::Arc;

use fynlo_core::{cash::MovementKind, document::Document, ids::RefundId, order::Order, permission::Permission, Minor};
use fynlo_store::{Job, JobState, NewJob};
use serde_json::json;
use tokio::sync::Notify;

pub use spooler::{PassReport, Spooler};

use crate::{
    error::{AppError, ErrorCode},
    till::Till,
    view::Reply,
};
use config::PrinterConfig;
use render::Sources;
use request::{
    CancelPrint, OpenDrawer, PrintJobs, PrinterChoice, PrinterRef, PutPrinter, ReceiptRequest, TicketPreview,
};
use spec::JobSpec;
use view::{JobView, JobsView, PreviewDocView, PreviewView, PrinterView, PrintersView};

/// What the till knows of printing: the printers (kept in step with the store) and the bell that wakes
/// the spooler when jobs are added.
#[derive(Default)]
pub(crate) struct Printing {
    pub(crate) printers: Vec<PrinterConfig>,
    pub(crate) wake: Arc<Notify>,
}

/// Reads the stored printers.
pub(crate) async fn load(store: &fynlo_store::Store) -> Result<Vec<PrinterConfig>, AppError> {
    store
        .printers()
        .await?
        .into_iter()
        .map(|(id, config)| {
            serde_json::from_value::<PrinterConfig>(config)
                .map_err(|e| AppError::new(ErrorCode::Storage, format!("printer {id}: {e}")))
        })
        .collect()
}

impl Till {
    /// The spooler for this till's jobs: run it as a task ([`Spooler::run`]) or a pass at a time.
    pub fn spooler(&self) -> Spooler {
        Spooler::new(
            Arc::clone(&self.store),
            Arc::clone(&self.services.clock),
            self.path.clone(),
            Arc::clone(&self.printing.wake),
        )
    }

    /// Wakes the spooler after jobs were added (by a save, or on their own).
    pub(crate) fn jobs_added(&self) {
        self.printing.wake.notify_one();
    }

    pub(crate) async fn printers_reply(&self) -> Result<Reply, AppError> {
        let waiting = self.store.waiting_jobs().await?;
        let printers = self
            .printing
            .printers
            .iter()
            .map(|p| {
                let mine: Vec<&Job> = waiting.iter().filter(|j| j.printer == p.id).collect();
                PrinterView {
                    config: p.clone(),
                    waiting: u32::try_from(mine.len()).unwrap_or(u32::MAX),
                    problem: mine.first().and_then(|j| j.last_error.clone()),
                }
            })
            .collect();
        Ok(Reply::Printers(PrintersView {
            printers,
            waiting: waiting.iter().map(JobView::new).collect(),
        }))
    }

    pub(crate) async fn printers(&mut self) -> Result<Reply, AppError> {
        self.printers_reply().await
    }

    /// `add_printer` (`adding`) and `change_printer`: a manager's.
    pub(crate) async fn put_printer(&mut self, req: PutPrinter, adding: bool) -> Result<Reply, AppError> {
        self.authorise(Permission::Settings, req.approval).await?;
        req.printer.validate()?;
        // A station no product goes to is most likely a typo ("kichen"), and its tickets would go
        // nowhere: refused, naming the stations the menu has.
        let menu_stations: std::collections::BTreeSet<&str> = self
            .catalog
            .data()
            .products
            .iter()
            .map(|p| p.station.as_str())
            .collect();
        if let Some(unknown) = req
            .printer
            .stations
            .iter()
            .find(|s| !menu_stations.contains(s.as_str()))
        {
            let known: Vec<&str> = menu_stations.into_iter().collect();
            return Err(AppError::invalid(format!(
                "no product goes to station {unknown:?}; the menu's stations are {}",
                known.join(", ")
            )));
        }
        let exists = self.printing.printers.iter().any(|p| p.id == req.printer.id);
        match (adding, exists) {
            (true, true) => {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!("there is already a printer {:?}", req.printer.id),
                ))
            }
            (false, false) => {
                return Err(AppError::new(
                    ErrorCode::NotFound,
                    format!("no printer {:?}", req.printer.id),
                ))
            }
            _ => {}
        }
        if adding && self.printing.printers.len() >= 16 {
            return Err(AppError::invalid("a till has at most 16 printers"));
        }
        let config = serde_json::to_value(&req.printer).map_err(|e| AppError::invalid(e.to_string()))?;
        let who = self.require_staff()?.id.clone();
        self.store
            .put_printer(&req.printer.id, &config, &self.write_now(&who))
            .await?;
        self.printing.printers = load(&self.store).await?;
        self.printers_reply().await
    }

    pub(crate) async fn remove_printer(&mut self, req: PrinterRef) -> Result<Reply, AppError> {
        self.authorise(Permission::Settings, req.approval).await?;
        let who = self.require_staff()?.id.clone();
        self.store.remove_printer(&req.id, &self.write_now(&who)).await?;
        self.printing.printers = load(&self.store).await?;
        self.printers_reply().await
    }

    fn printer(&self, id: &str) -> Result<&PrinterConfig, AppError> {
        self.printing
            .printers
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("no printer {id:?}")))
    }

    pub(crate) async fn queue(&self, jobs: &[NewJob]) -> Result<Reply, AppError> {
        let ids = self.store.add_jobs(jobs, self.services.clock.now()).await?;
        self.jobs_added();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(JobView::new(&self.store.job(id).await?));
        }
        Ok(Reply::Jobs(JobsView { jobs: out }))
    }

    pub(crate) async fn test_printer(&mut self, req: PrinterChoice) -> Result<Reply, AppError> {
        let id = req
            .id
            .ok_or_else(|| AppError::invalid("name the printer to test (id)"))?;
        let job = JobSpec::TestPage.job(self.printer(&id)?)?;
        self.queue(&[job]).await
    }

    /// The receipt printer a reprint goes to: the one named, or the first that prints receipts.
    pub(crate) fn receipt_printer(&self, named: Option<&str>) -> Result<&PrinterConfig, AppError> {
        match named {
            Some(id) => {
                let p = self.printer(id)?;
                if p.receipts {
                    Ok(p)
                } else {
                    Err(AppError::invalid(format!("printer {id:?} does not print receipts")))
                }
            }
            None => self
                .printing
                .printers
                .iter()
                .find(|p| p.receipts)
                .ok_or_else(|| AppError::new(ErrorCode::NotFound, "no printer prints receipts: add one first")),
        }
    }

    /// The job spec of a receipt request, on the order as it is saved now, marked DUPLICATE when the
    /// receipt has printed before ([`Till::printed_before`]): what `print_receipt` queues and
    /// `receipt_preview` shows.
    async fn receipt_spec(&mut self, req: &ReceiptRequest) -> Result<(JobSpec, Order), AppError> {
        let id = self.resolve(req.order.as_deref())?;
        self.save_order(id).await?;
        let order = self.store.order(id).await?;
        let version = order.version();
        let spec = match (&req.refund, req.part) {
            (Some(_), Some(_)) => return Err(AppError::invalid("a receipt is of a part or of a refund, not both")),
            (Some(refund), None) => {
                let refund = RefundId::parse(refund)
                    .map_err(|_| AppError::new(ErrorCode::NotFound, format!("no refund {refund:?}")))?;
                order.refund(refund)?;
                JobSpec::RefundReceipt {
                    order: id,
                    version,
                    refund,
                    duplicate: false,
                }
            }
            (None, part) => {
                if let Some(no) = part {
                    order.part(no)?;
                }
                JobSpec::Receipt {
                    order: id,
                    version,
                    part,
                    duplicate: false,
                }
            }
        };
        let spec = if self.printed_before(&spec).await? {
            Self::mark_duplicate(spec)
        } else {
            spec
        };
        Ok((spec, order))
    }

    /// Has this receipt been printed before (or is a copy on its way)? Then a new copy is a DUPLICATE.
    /// Only a receipt of the finished sale counts: a bill printed before payment is not one, and nor is
    /// a job that was cancelled or failed (it never reached paper).
    async fn printed_before(&self, spec: &JobSpec) -> Result<bool, AppError> {
        let Some(order) = spec.order() else { return Ok(false) };
        let completed_at = match spec {
            JobSpec::Receipt { .. } => {
                let history = self.store.history(order).await?;
                match history
                    .iter()
                    .find(|e| matches!(e.event, fynlo_core::order::OrderEvent::Completed))
                {
                    Some(entry) => entry.version,
                    // Not paid yet: a bill, never a duplicate.
                    None => return Ok(false),
                }
            }
            _ => 0,
        };
        let jobs = self.store.jobs_of_order(&order.to_string()).await?;
        Ok(jobs.iter().any(|j| {
            let reached_paper = matches!(
                j.state,
                JobState::Pending | JobState::Sending | JobState::Uncertain | JobState::Done
            );
            let Ok(earlier) = serde_json::from_value::<JobSpec>(j.spec.clone()) else {
                return false;
            };
            reached_paper
                && match (&earlier, spec) {
                    (JobSpec::Receipt { part: a, version, .. }, JobSpec::Receipt { part: b, .. }) => {
                        a == b && *version >= completed_at
                    }
                    (JobSpec::RefundReceipt { refund: a, .. }, JobSpec::RefundReceipt { refund: b, .. }) => a == b,
                    _ => false,
                }
        }))
    }

    fn mark_duplicate(spec: JobSpec) -> JobSpec {
        match spec {
            JobSpec::Receipt {
                order, version, part, ..
            } => JobSpec::Receipt {
                order,
                version,
                part,
                duplicate: true,
            },
            JobSpec::RefundReceipt {
                order, version, refund, ..
            } => JobSpec::RefundReceipt {
                order,
                version,
                refund,
                duplicate: true,
            },
            other => other,
        }
    }

    /// `print_receipt`: queues a receipt; a receipt printed before comes out marked DUPLICATE.
    pub(crate) async fn print_receipt(&mut self, req: ReceiptRequest) -> Result<Reply, AppError> {
        let (spec, _) = self.receipt_spec(&req).await?;
        let job = spec.job(self.receipt_printer(req.printer.as_deref())?)?;
        // A copy of a receipt already on paper is a reprint: it goes in the audit log.
        let reprint = match &spec {
            JobSpec::Receipt {
                order,
                part,
                duplicate: true,
                ..
            } => Some(json!({ "order": order.to_string(), "part": part, "printer": job.printer })),
            JobSpec::RefundReceipt {
                order,
                refund,
                duplicate: true,
                ..
            } => Some(json!({ "order": order.to_string(), "refund": refund.to_string(), "printer": job.printer })),
            _ => None,
        };
        if let Some(payload) = reprint {
            let who = self.require_staff()?.id.clone();
            self.store
                .record_op("receipt.reprinted", &payload, &self.write_now(&who))
                .await?;
        }
        self.queue(&[job]).await
    }

    fn sources(&self) -> Sources<'_> {
        Sources {
            restaurant: &self.restaurant,
            staff: &self.staff,
            clock: self.services.clock.as_ref(),
        }
    }

    /// `receipt_preview`: the receipt as it would print now (DUPLICATE if it printed before).
    pub(crate) async fn receipt_preview(&mut self, req: ReceiptRequest) -> Result<Reply, AppError> {
        let (spec, order) = self.receipt_spec(&req).await?;
        let printer = match &req.printer {
            Some(id) => Some(self.printer(id)?.clone()),
            None => self.printing.printers.iter().find(|p| p.receipts).cloned(),
        };
        let fallback = PrinterConfig::preview();
        let doc = render::document(
            &spec,
            Some(&order),
            &self.sources(),
            printer.as_ref().unwrap_or(&fallback),
        )?;
        let title = if matches!(spec, JobSpec::RefundReceipt { .. }) {
            "Refund receipt"
        } else {
            "Receipt"
        };
        let docs = doc.map(|d| (title.to_owned(), d, printer.iter().map(|p| p.id.clone()).collect()));
        self.preview_reply(docs.into_iter().collect(), printer.as_ref())
    }

    /// `ticket_preview`: the kitchen tickets sending the order now would print, per station.
    pub(crate) async fn ticket_preview(&mut self, req: TicketPreview) -> Result<Reply, AppError> {
        let id = self.resolve(req.order.as_deref())?;
        let order = self.draft(id).await?.order.clone();
        let unsent: Vec<_> = order.live_lines().filter(|l| !l.sent).map(|l| l.no).collect();
        if unsent.is_empty() {
            return Ok(Reply::Preview(PreviewView { documents: Vec::new() }));
        }
        let sources = self.sources();
        let name = |sid: &fynlo_core::ids::StaffId| sources.name(sid);
        let time = self.restaurant.time_zone.format(self.services.clock.now());
        let ctx = fynlo_core::document::kitchen::TicketContext {
            time: &time,
            staff_name: &name,
        };
        let tickets = fynlo_core::document::kitchen::kitchen_tickets(&order, &unsent, &ctx)?;
        let docs = tickets
            .into_iter()
            .map(|(station, doc)| {
                let printers = self
                    .printing
                    .printers
                    .iter()
                    .filter(|p| p.serves(station.as_str()))
                    .map(|p| p.id.clone())
                    .collect();
                (format!("Kitchen ticket: {station}"), doc, printers)
            })
            .collect();
        self.preview_reply(docs, None)
    }

    fn preview_reply(
        &self,
        docs: Vec<(String, Document, Vec<String>)>,
        printer: Option<&PrinterConfig>,
    ) -> Result<Reply, AppError> {
        let mut documents = Vec::with_capacity(docs.len());
        for (title, doc, printers) in docs {
            let first = printer.or_else(|| printers.first().and_then(|id| self.printer(id).ok()));
            let (width, text) = render::preview(&doc, first)?;
            documents.push(PreviewDocView {
                title,
                printers,
                width,
                text,
            });
        }
        Ok(Reply::Preview(PreviewView { documents }))
    }

    pub(crate) async fn print_jobs(&mut self, req: PrintJobs) -> Result<Reply, AppError> {
        let limit = req.limit.unwrap_or(20);
        if !(1..=200).contains(&limit) {
            return Err(AppError::invalid("limit must be 1 to 200"));
        }
        let jobs = self.store.jobs(limit).await?;
        Ok(Reply::Jobs(JobsView {
            jobs: jobs.iter().map(JobView::new).collect(),
        }))
    }

    pub(crate) async fn retry_prints(&mut self, req: PrinterChoice) -> Result<Reply, AppError> {
        if let Some(id) = &req.id {
            self.printer(id)?;
        }
        self.store
            .retry_jobs(req.id.as_deref(), self.services.clock.now())
            .await?;
        self.jobs_added();
        self.printers_reply().await
    }

    pub(crate) async fn cancel_print(&mut self, req: CancelPrint) -> Result<Reply, AppError> {
        self.authorise(Permission::Settings, req.approval).await?;
        self.store.cancel_job(req.job, self.services.clock.now()).await?;
        Ok(Reply::Jobs(JobsView {
            jobs: vec![JobView::new(&self.store.job(req.job).await?)],
        }))
    }

    /// `open_drawer`: a no-sale. A manager approves it; it is recorded (who, approved by whom, why) in
    /// the outbox before the drawer opens.
    pub(crate) async fn open_drawer(&mut self, req: OpenDrawer) -> Result<Reply, AppError> {
        let reason = req.reason.trim().to_owned();
        if reason.is_empty() || reason.chars().count() > 200 || reason.chars().any(char::is_control) {
            return Err(AppError::new(
                ErrorCode::ReasonRequired,
                "a no-sale needs a reason of 1 to 200 characters",
            ));
        }
        let approver = self.authorise(Permission::NoSale, req.approval).await?;
        let drawers: Vec<&PrinterConfig> = self.printing.printers.iter().filter(|p| p.drawer.is_some()).collect();
        if drawers.is_empty() {
            return Err(AppError::new(ErrorCode::NotFound, "no printer has a cash drawer"));
        }
        let jobs = drawers
            .iter()
            .map(|p| JobSpec::Drawer.job(p))
            .collect::<Result<Vec<_>, _>>()?;
        let who = self.require_staff()?.id.clone();
        let payload = json!({
            "staff": who.as_str(),
            "approved_by": approver.as_str(),
            "reason": reason,
            "printers": drawers.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        });
        // In a drawer session the no-sale is one of its movements (counted on its reports); outside one
        // it is recorded on its own. Either way, before the drawer opens.
        match self.store.open_session().await? {
            Some(session) => {
                self.store
                    .add_movement(
                        session.number,
                        MovementKind::NoSale,
                        Minor::ZERO,
                        &reason,
                        Some(&approver),
                        &self.write_now(&who),
                    )
                    .await?;
            }
            None => {
                self.store
                    .record_op("drawer.opened", &payload, &self.write_now(&who))
                    .await?;
            }
        }
        self.queue(&jobs).await
    }
}
