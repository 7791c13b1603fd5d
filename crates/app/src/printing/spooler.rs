//! The spooler: prints waiting jobs, each printer's in order, and never blocks a command.
//!
//! A pass takes every printer with jobs waiting, at the same time (a printer that does not answer
//! holds up only its own jobs). For each printer it takes the oldest waiting job:
//! 1. it builds the bytes (from the order replayed to the job's version), with the REPRINT banner if an
//!    earlier try was cut off part-way; a job whose document cannot be built fails for good;
//! 2. it records, durably, that the job is `sending` — so a till killed now finds it `uncertain` and
//!    prints it again under the banner, never silently twice;
//! 3. it sends; when the printer took every byte the job is `done` and the next job goes. When the
//!    printer refused it before any byte left (paper out, cover open, offline, no answer, could not
//!    connect) the job waits again as it was; when the connection dropped part-way it is `uncertain`.
//!    Either way the printer's later jobs wait behind it, and it is tried again after a backoff of 1, 2,
//!    4… up to 30 seconds.
//!
//! [`Spooler::run`] repeats passes until told to stop, sleeping until the next job is due or a save
//! adds jobs (the till rings [`Spooler::waker`]).

use std::{collections::HashMap, path::PathBuf, sync::Arc, time::Duration};

use fynlo_core::time::{Clock, Timestamp};
use fynlo_store::{Job, Store};
use tokio::sync::{watch, Notify};

use super::{
    config::PrinterConfig,
    load,
    render::{self, Sources},
    spec::JobSpec,
};
use crate::error::AppError;

/// The longest wait between tries of a printer.
const MAX_BACKOFF_MS: i64 = 30_000;

/// How long [`Spooler::run`] sleeps when nothing is due (it wakes sooner when rung).
const IDLE: Duration = Duration::from_secs(30);

/// A drawer kick not sent within this long after it was asked for is dropped: the drawer would open with
/// nobody at the till.
const DRAWER_LATE_MS: i64 = 60_000;

/// A job's state change that finds the job already moved on — finished by a person (cancelled) or by
/// its printer's removal (failed) while it was being sent — is not an error of the spooler's.
fn moved_on(result: Result<(), fynlo_store::Error>) -> Result<(), AppError> {
    match result {
        Err(fynlo_store::Error::JobNotChanged { .. }) | Ok(()) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// What a pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Jobs the printers took whole.
    pub printed: u32,
    /// Jobs refused before any byte left, or cut off part-way, this pass.
    pub failed: u32,
    /// Jobs still waiting after the pass.
    pub waiting: u32,
    /// When the earliest waiting job may be tried, if any wait.
    pub next_due: Option<Timestamp>,
}

/// Prints a till's waiting jobs. Cheap to clone; every clone works on the same store.
#[derive(Clone)]
pub struct Spooler {
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    db: PathBuf,
    wake: Arc<Notify>,
}

/// The backoff after `attempts` tries: 1 s, 2 s, 4 s… at most 30 s.
fn backoff_ms(attempts: u32) -> i64 {
    let exp = attempts.saturating_sub(1).min(5);
    (1_000_i64 << exp).min(MAX_BACKOFF_MS)
}

enum Outcome {
    /// The printer took it.
    Printed,
    /// It finished without printing (cancelled or its printer removed meanwhile, a document that cannot
    /// be built, a drawer kick too late): the next job goes.
    Skipped,
    /// It did not print: the printer's later jobs wait behind it.
    Waiting,
}

impl Spooler {
    pub(crate) fn new(store: Arc<Store>, clock: Arc<dyn Clock>, db: PathBuf, wake: Arc<Notify>) -> Spooler {
        Spooler { store, clock, db, wake }
    }

    /// The bell a till rings when it adds jobs.
    pub fn waker(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }

    /// A new spooler's first step: jobs a stopped till left `sending` become `uncertain` (they print
    /// again under the REPRINT banner). Returns how many.
    pub async fn start(&self) -> Result<u64, AppError> {
        Ok(self.store.interrupted_jobs(self.clock.now()).await?)
    }

    /// One pass over the waiting jobs (see the module's docs).
    pub async fn pass(&self) -> Result<PassReport, AppError> {
        // A pass waits for every printer's task, so a job still `sending` now has no task behind it: a
        // pass before was cut off (its future dropped) while the job was on the wire.
        self.store.interrupted_jobs(self.clock.now()).await?;
        let waiting = self.store.waiting_jobs().await?;
        if waiting.is_empty() {
            return Ok(PassReport::default());
        }
        let printers = load(&self.store).await?;
        let mut queues: Vec<(PrinterConfig, Vec<Job>)> = Vec::new();
        let mut orphans = Vec::new();
        for job in waiting {
            match queues.iter_mut().find(|(p, _)| p.id == job.printer) {
                Some((_, q)) => q.push(job),
                None => match printers.iter().find(|p| p.id == job.printer) {
                    Some(p) => queues.push((p.clone(), vec![job])),
                    None => orphans.push(job),
                },
            }
        }
        let now = self.clock.now();
        for job in orphans {
            moved_on(self.store.job_failed(job.id, "the printer was removed", now).await)?;
        }
        let mut tasks = tokio::task::JoinSet::new();
        for (printer, queue) in queues {
            let me = self.clone();
            tasks.spawn(async move { me.printer_pass(&printer, queue).await });
        }
        let mut report = PassReport::default();
        // One printer's trouble (a store error while it printed) is its own: the others finish their
        // turn, and its jobs are looked at again next pass.
        let mut trouble = None;
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(Ok((printed, failed))) => {
                    report.printed += printed;
                    report.failed += failed;
                }
                Ok(Err(e)) => trouble = Some(e),
                Err(e) => {
                    trouble = Some(AppError::new(
                        crate::error::ErrorCode::Storage,
                        format!("print task: {e}"),
                    ));
                }
            }
        }
        if let Some(e) = trouble {
            tracing_warn("*", 0, &e.message);
            report.failed += 1;
        }
        let left = self.store.waiting_jobs().await?;
        report.waiting = u32::try_from(left.len()).unwrap_or(u32::MAX);
        // When to look again: when the first job of some printer may be tried (the jobs behind it wait
        // for it, whatever their own time says).
        let mut firsts: Vec<&Job> = Vec::new();
        for job in &left {
            if !firsts.iter().any(|f| f.printer == job.printer) {
                firsts.push(job);
            }
        }
        report.next_due = firsts.iter().map(|j| j.not_before).min();
        Ok(report)
    }

    /// One printer's part of a pass: its jobs in order, stopping at the first that does not print.
    async fn printer_pass(&self, printer: &PrinterConfig, queue: Vec<Job>) -> Result<(u32, u32), AppError> {
        let restaurant = self
            .store
            .restaurant()
            .await?
            .ok_or_else(|| AppError::new(crate::error::ErrorCode::NotInitialised, "no restaurant settings"))?;
        let staff = self.store.staff().await?;
        let sources = Sources {
            restaurant: &restaurant,
            staff: &staff,
            clock: self.clock.as_ref(),
        };
        let transport = match render::transport(printer, &self.db) {
            Ok(t) => t,
            Err(e) => {
                for job in &queue {
                    moved_on(self.store.job_failed(job.id, &e.message, self.clock.now()).await)?;
                }
                return Ok((0, 0));
            }
        };
        let mut orders = HashMap::new();
        let mut printed = 0;
        for job in queue {
            if job.not_before > self.clock.now() {
                break;
            }
            match self.print(printer, &transport, &sources, &mut orders, &job).await? {
                Outcome::Printed => printed += 1,
                Outcome::Skipped => {}
                Outcome::Waiting => return Ok((printed, 1)),
            }
        }
        Ok((printed, 0))
    }

    async fn print(
        &self,
        printer: &PrinterConfig,
        transport: &fynlo_print::Transport,
        sources: &Sources<'_>,
        orders: &mut HashMap<(String, u64), fynlo_core::order::Order>,
        job: &Job,
    ) -> Result<Outcome, AppError> {
        if matches!(job.spec.get("job").and_then(serde_json::Value::as_str), Some("drawer"))
            && self.clock.now().millis().saturating_sub(job.created_at.millis()) > DRAWER_LATE_MS
        {
            // A drawer that opens minutes after its sale opens with nobody at the till.
            moved_on(
                self.store
                    .job_failed(job.id, "too late to open the drawer", self.clock.now())
                    .await,
            )?;
            return Ok(Outcome::Skipped);
        }
        let built = self.build(printer, sources, orders, job).await;
        let bytes = match built {
            Ok(bytes) => bytes,
            Err(e) => {
                let why = format!("cannot build the document: {}", e.message);
                moved_on(self.store.job_failed(job.id, &why, self.clock.now()).await)?;
                return Ok(Outcome::Skipped);
            }
        };
        match self.store.job_sending(job.id, self.clock.now()).await {
            // Cancelled, or its printer removed, since the pass read it: nothing to send.
            Err(fynlo_store::Error::JobNotChanged { .. }) => return Ok(Outcome::Skipped),
            other => other?,
        }
        if bytes.is_empty() {
            // Nothing to send (a drawer kick to a printer without a drawer).
            moved_on(self.store.job_done(job.id, self.clock.now()).await)?;
            return Ok(Outcome::Printed);
        }
        let result = transport.send(&bytes).await;
        let now = self.clock.now();
        let retry = Timestamp::from_millis(now.millis().saturating_add(backoff_ms(job.attempts + 1)));
        match result {
            Ok(_) => {
                moved_on(self.store.job_done(job.id, now).await)?;
                Ok(Outcome::Printed)
            }
            Err(e) if e.maybe_sent() => {
                tracing_warn(&printer.id, job.id, &e.to_string());
                moved_on(self.store.job_uncertain(job.id, &e.to_string(), retry, now).await)?;
                Ok(Outcome::Waiting)
            }
            Err(e) => {
                tracing_warn(&printer.id, job.id, &e.to_string());
                moved_on(self.store.job_not_sent(job.id, &e.to_string(), retry, now).await)?;
                Ok(Outcome::Waiting)
            }
        }
    }

    async fn build(
        &self,
        printer: &PrinterConfig,
        sources: &Sources<'_>,
        orders: &mut HashMap<(String, u64), fynlo_core::order::Order>,
        job: &Job,
    ) -> Result<Vec<u8>, AppError> {
        let spec: JobSpec =
            serde_json::from_value(job.spec.clone()).map_err(|e| AppError::invalid(format!("job {}: {e}", job.id)))?;
        let order = match &spec {
            JobSpec::Receipt { order, version, .. }
            | JobSpec::RefundReceipt { order, version, .. }
            | JobSpec::Kitchen { order, version, .. }
            | JobSpec::Void { order, version, .. } => {
                let key = (order.to_string(), *version);
                if !orders.contains_key(&key) {
                    let o = self.store.order_at(*order, *version).await?;
                    orders.insert(key.clone(), o);
                }
                orders.get(&key)
            }
            JobSpec::TestPage | JobSpec::Drawer | JobSpec::Report { .. } => None,
        };
        let doc = render::document(&spec, order, sources, printer)?;
        render::bytes(doc, printer, job.reprint)
    }

    /// Passes until told to stop: after each, sleeps until the next job is due, a save rings, or
    /// [`IDLE`] passes. A pass that fails (the database is busy, say) is retried after a second.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        if let Err(e) = self.start().await {
            tracing_warn("*", 0, &e.message);
        }
        loop {
            if *stop.borrow() {
                return;
            }
            let sleep = match self.pass().await {
                Ok(report) => match report.next_due {
                    Some(due) => {
                        let ms = due.millis().saturating_sub(self.clock.now().millis()).clamp(50, 30_000);
                        Duration::from_millis(u64::try_from(ms).unwrap_or(1_000))
                    }
                    None => IDLE,
                },
                Err(e) => {
                    tracing_warn("*", 0, &e.message);
                    Duration::from_secs(1)
                }
            };
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(sleep) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Passes until no job waits or `limit` has passed (the CLI's `fynlo print`); returns the last pass.
    pub async fn drain(&self, limit: Duration) -> Result<PassReport, AppError> {
        let deadline = tokio::time::Instant::now() + limit;
        let mut last = self.pass().await?;
        let mut total = last.printed;
        while last.waiting > 0 && tokio::time::Instant::now() < deadline {
            let wait = last.next_due.map_or(200, |due| {
                due.millis().saturating_sub(self.clock.now().millis()).clamp(10, 1_000)
            });
            tokio::time::sleep(Duration::from_millis(u64::try_from(wait).unwrap_or(200))).await;
            last = self.pass().await?;
            total += last.printed;
        }
        last.printed = total;
        Ok(last)
    }
}

/// A print problem, for the log (stderr in the CLI; the app's log file).
fn tracing_warn(printer: &str, job: i64, message: &str) {
    eprintln!("print job {job} on {printer}: {message}");
}
