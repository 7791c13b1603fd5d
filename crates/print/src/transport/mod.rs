//! Where a printer is and how bytes get there: raw TCP ([`tcp`]), the operating system's printers
//! (`system`, feature `system`, not on iOS or Android) or a file ([`mod@file`]).
//!
//! Every transport says, when a job fails, whether any byte of it may have reached the printer
//! ([`PrintError::maybe_sent`](crate::PrintError::maybe_sent)).

pub mod file;
#[cfg(all(feature = "system", not(any(target_os = "ios", target_os = "android"))))]
pub mod system;
pub mod tcp;

use serde::{Deserialize, Serialize};

use crate::{NotSentReason, PrintError};

/// A job that went out whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sent {
    /// How many bytes were sent.
    pub bytes: usize,
    /// The spooler's id for the job, when a spooler took it.
    pub spool_job: Option<u64>,
}

/// How a printer says it is: the four facts a receipt printer reports, each on its own.
#[allow(
    clippy::struct_excessive_bools,
    reason = "the printer reports four independent flags"
)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Status {
    /// It is online (it would print).
    pub online: bool,
    /// Its cover is open.
    pub cover_open: bool,
    /// It is out of paper.
    pub paper_out: bool,
    /// Its paper is nearly out (it still prints).
    pub paper_low: bool,
}

impl Status {
    /// A printer that is online with nothing wrong.
    pub const READY: Status = Status {
        online: true,
        cover_open: false,
        paper_out: false,
        paper_low: false,
    };

    /// Why a job should not be sent to a printer in this state, if there is a reason.
    pub const fn refusal(&self) -> Option<NotSentReason> {
        if self.paper_out {
            Some(NotSentReason::PaperOut)
        } else if self.cover_open {
            Some(NotSentReason::CoverOpen)
        } else if !self.online {
            Some(NotSentReason::Offline)
        } else {
            None
        }
    }
}

/// A printer, by the way bytes reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transport {
    /// A network printer's raw port.
    Tcp(tcp::TcpPrinter),
    /// A printer of the operating system.
    #[cfg(all(feature = "system", not(any(target_os = "ios", target_os = "android"))))]
    System(system::SystemPrinter),
    /// A file the bytes are appended to (development).
    File(file::FileSink),
}

impl Transport {
    /// Sends a job: ESC/POS bytes, or for a system printer taking text, the text rendering's UTF-8.
    pub async fn send(&self, job: &[u8]) -> Result<Sent, PrintError> {
        match self {
            Transport::Tcp(printer) => printer.send(job).await,
            #[cfg(all(feature = "system", not(any(target_os = "ios", target_os = "android"))))]
            Transport::System(printer) => printer.send(job).await,
            Transport::File(sink) => sink.send(job).await,
        }
    }

    /// Asks the printer how it is.
    pub async fn status(&self) -> Result<Status, PrintError> {
        match self {
            Transport::Tcp(printer) => printer.status().await,
            #[cfg(all(feature = "system", not(any(target_os = "ios", target_os = "android"))))]
            Transport::System(printer) => printer.status().await,
            Transport::File(_) => Ok(Status::READY),
        }
    }

    /// Whether the printer takes ESC/POS bytes (rather than the text rendering).
    pub const fn takes_escpos(&self) -> bool {
        match self {
            Transport::Tcp(_) | Transport::File(_) => true,
            #[cfg(all(feature = "system", not(any(target_os = "ios", target_os = "android"))))]
            Transport::System(printer) => matches!(printer.format, system::SystemFormat::Raw),
        }
    }
}
