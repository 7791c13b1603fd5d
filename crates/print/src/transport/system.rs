//! The operating system's printers (CUPS, the Windows spooler) through the `printers` crate.
//!
//! An ESC/POS printer set up as a raw queue takes the ESC/POS bytes unchanged
//! ([`SystemFormat::Raw`]); an office printer takes the text rendering as plain text
//! ([`SystemFormat::Text`]) and lays it on a page itself. The spooler's calls block, so they run on
//! tokio's blocking threads. The job goes to the spooler as a file of our own (written, printed, removed)
//! rather than through `Printer::print`, which leaves its temporary file behind.

use std::{
    fs::OpenOptions,
    io::Write,
    path::PathBuf,
    sync::atomic::{AtomicU64, Ordering},
};

use printers::common::{
    base::{job::PrinterJobOptions, printer::PrinterState},
    converters::Converter,
};

use crate::{
    transport::{Sent, Status},
    NotSentReason, PrintError,
};

/// What a system printer is given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SystemFormat {
    /// ESC/POS bytes, passed through unchanged (a raw queue; the default).
    #[default]
    Raw,
    /// The text rendering, as plain text (an office printer).
    Text,
}

impl SystemFormat {
    /// The job's document format as the spooler names it.
    const fn document_format(self) -> &'static str {
        match self {
            #[cfg(windows)]
            SystemFormat::Raw => "RAW",
            #[cfg(windows)]
            SystemFormat::Text => "TEXT",
            #[cfg(not(windows))]
            SystemFormat::Raw => "application/vnd.cups-raw",
            #[cfg(not(windows))]
            SystemFormat::Text => "text/plain",
        }
    }
}

/// A printer of the operating system, by its name there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemPrinter {
    /// Its name (the CUPS queue, the Windows printer).
    pub name: String,
    /// What it is given.
    pub format: SystemFormat,
}

impl SystemPrinter {
    /// A printer by name, given a format.
    pub fn new(name: impl Into<String>, format: SystemFormat) -> SystemPrinter {
        SystemPrinter {
            name: name.into(),
            format,
        }
    }

    /// Hands a job to the spooler. It is [`PrintError::NotSent`] unless the spooler accepted it: a
    /// spooler that fails part-way through taking a job cancels it.
    pub async fn send(&self, job: &[u8]) -> Result<Sent, PrintError> {
        let printer = self.clone();
        let job = job.to_vec();
        let name = self.name.clone();
        tokio::task::spawn_blocking(move || printer.send_blocking(&job))
            .await
            .unwrap_or_else(|e| {
                Err(PrintError::Uncertain {
                    printer: name,
                    written: 0,
                    reason: format!("the spooling task failed: {e}"),
                })
            })
    }

    fn send_blocking(&self, job: &[u8]) -> Result<Sent, PrintError> {
        let not_sent = |reason| PrintError::not_sent(&self.name, reason);
        let printer = printers::get_printer_by_name(&self.name)
            .ok_or_else(|| not_sent(NotSentReason::NoSuchPrinter(self.name.clone())))?;
        let file = SpoolFile::write(job).map_err(|e| not_sent(NotSentReason::File(e.to_string())))?;
        let path = file.0.to_string_lossy().into_owned();
        let options = PrinterJobOptions {
            name: Some("Fynlo POS"),
            raw_properties: &[("document-format", self.format.document_format())],
            converter: Converter::None,
        };
        match printer.print_file(&path, options) {
            Ok(id) => Ok(Sent {
                bytes: job.len(),
                spool_job: Some(id),
            }),
            Err(e) => Err(not_sent(NotSentReason::Spooler(e.message))),
        }
    }

    /// How the spooler says the printer is.
    pub async fn status(&self) -> Result<Status, PrintError> {
        let name = self.name.clone();
        let found = tokio::task::spawn_blocking(move || printers::get_printer_by_name(&name)).await;
        let printer = found
            .ok()
            .flatten()
            .ok_or_else(|| PrintError::not_sent(&self.name, NotSentReason::NoSuchPrinter(self.name.clone())))?;
        let reason = |words: &[&str]| {
            printer
                .state_reasons
                .iter()
                .any(|r| words.iter().any(|w| r.starts_with(w)))
        };
        Ok(Status {
            online: matches!(printer.state, PrinterState::READY | PrinterState::PRINTING),
            cover_open: reason(&["cover-open", "door-open"]),
            paper_out: reason(&["media-empty", "media-needed"]),
            paper_low: reason(&["media-low"]),
        })
    }
}

/// The names of the operating system's printers.
pub async fn system_printers() -> Vec<String> {
    tokio::task::spawn_blocking(|| printers::get_printers().into_iter().map(|p| p.system_name).collect())
        .await
        .unwrap_or_default()
}

/// A job's bytes in a file of their own, removed when dropped (the spooler has copied it by then).
struct SpoolFile(PathBuf);

impl SpoolFile {
    fn write(job: &[u8]) -> std::io::Result<SpoolFile> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("fynlo-print-{}-{n}.job", std::process::id()));
        let mut file = OpenOptions::new().write(true).create(true).truncate(true).open(&path)?;
        let spool = SpoolFile(path);
        file.write_all(job)?;
        file.flush()?;
        Ok(spool)
    }
}

impl Drop for SpoolFile {
    fn drop(&mut self) {
        // A file left behind in the temporary directory is harmless; there is no one to tell.
        let _ = std::fs::remove_file(&self.0);
    }
}
