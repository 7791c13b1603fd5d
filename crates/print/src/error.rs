//! The crate's one error: a width it cannot lay out, or a job that did not (or may not have) printed.

/// What went wrong. For a job, the variant says whether any byte may have reached the printer
/// ([`PrintError::maybe_sent`]), which decides how the job may be tried again.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    /// A paper width other than 32, 42 or 48 columns.
    #[error("{0} columns is not a paper width this prints (32, 42 or 48)")]
    UnsupportedWidth(u16),
    /// No byte of the job left: it can be sent again as it is.
    #[error("nothing was sent to {printer}: {reason}")]
    NotSent {
        /// The printer, as its transport names it (an address, a queue, a path).
        printer: String,
        /// Why not.
        reason: NotSentReason,
    },
    /// Some of the job may have printed: sending it again as it is may print it twice, so it goes again
    /// under a REPRINT banner.
    #[error("the job to {printer} may have printed in part ({written} bytes written): {reason}")]
    Uncertain {
        /// The printer, as its transport names it.
        printer: String,
        /// How many bytes were handed to the operating system before it failed.
        written: usize,
        /// What failed.
        reason: String,
    },
}

impl PrintError {
    /// Whether any byte of the job may have reached the printer.
    pub const fn maybe_sent(&self) -> bool {
        matches!(self, PrintError::Uncertain { .. })
    }

    pub(crate) fn not_sent(printer: impl Into<String>, reason: NotSentReason) -> PrintError {
        PrintError::NotSent {
            printer: printer.into(),
            reason,
        }
    }
}

/// Why a job was not sent (or a printer's status could not be read).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotSentReason {
    /// The connection was refused or failed.
    #[error("could not connect: {0}")]
    Connect(String),
    /// The connection did not open in time.
    #[error("connecting timed out")]
    ConnectTimeout,
    /// The printer did not answer its status query in time, or answered something that is not a status.
    #[error("the printer did not answer its status query")]
    NoStatus,
    /// The printer is out of paper.
    #[error("the printer is out of paper")]
    PaperOut,
    /// The printer's cover is open.
    #[error("the printer's cover is open")]
    CoverOpen,
    /// The printer says it is offline.
    #[error("the printer is offline")]
    Offline,
    /// Writing failed before the first byte of the job was accepted.
    #[error("writing failed before the job started: {0}")]
    Io(String),
    /// The operating system has no printer of that name.
    #[error("there is no printer named {0:?}")]
    NoSuchPrinter(String),
    /// The operating system's spooler refused the job.
    #[error("the spooler refused the job: {0}")]
    Spooler(String),
    /// The file could not be written.
    #[error("the file could not be written: {0}")]
    File(String),
}
