//! The store's errors.

use std::path::PathBuf;

use fynlo_core::ids::OrderId;

/// What can go wrong reading or writing the till's database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `SQLite` or sqlx failed (disk full, locked, corrupt file…).
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored record no longer decodes.
    #[error("corrupt record in the database: {0}")]
    Corrupt(String),
    /// There is no database at this path.
    #[error("no database at {0} (run `fynlo init` first)")]
    NotFound(PathBuf),
    /// A database already exists at this path.
    #[error("a database already exists at {0}")]
    AlreadyExists(PathBuf),
    /// Another process has the database open for writing.
    #[error("{0} is in use by another till process")]
    Busy(PathBuf),
    /// The database file has more than one name (hard links). Each name would get its own lock and its
    /// own WAL, so two tills could write the one file through two names and corrupt it.
    #[error("{path} has {links} names (hard links): a till database must have one; remove the others")]
    Linked {
        /// The name it was opened by.
        path: PathBuf,
        /// How many names the file has.
        links: u64,
    },
    /// A file next to the database could not be used.
    #[error("file error: {0}")]
    Io(String),
    /// The file has no till in it.
    #[error("the database has no device row: it was not created by `fynlo init`")]
    NotInitialised,
    /// No such order.
    #[error("no order {0}")]
    OrderNotFound(OrderId),
    /// Someone else changed the order first.
    #[error("order {order} changed meanwhile (expected version {expected}, found {found})")]
    VersionConflict {
        /// The order.
        order: OrderId,
        /// The version this write was based on.
        expected: u64,
        /// The version stored.
        found: u64,
    },
    /// A new order's first save did not start with the opening of that order (a bug in the caller).
    #[error("order {0}: a new order's history starts with its opening")]
    NotAnOpening(OrderId),
    /// The order number is already taken on this device that business day.
    #[error("that order number is already taken for the day")]
    NumberTaken,
    /// The store was opened to read ([`crate::Store::open_reader`]) and cannot write.
    #[error("this database was opened read-only, alongside the till that writes it")]
    ReadOnly,
    /// A journal row cannot be applied to the summary tables, so the database cannot be opened for
    /// writing (readers still see everything). `fynlo repair` mends an order number taken twice.
    #[error("journal row {seq} (order {order}) cannot be applied: {reason}; run `fynlo repair`")]
    JournalStuck {
        /// The first journal row of the order that cannot be applied.
        seq: i64,
        /// Its order.
        order: OrderId,
        /// Why.
        reason: String,
        /// The order's number for the day belongs to another order already.
        number_taken: bool,
    },
    /// A drawer session is open already.
    #[error("drawer session {0} is open: close it (Z report) before opening another")]
    SessionOpen(u32),
    /// Clocked in already.
    #[error("already clocked in (since {} ms)", .0.millis())]
    ClockedIn(fynlo_core::time::Timestamp),
    /// Not clocked in.
    #[error("not clocked in")]
    NotClockedIn,
    /// On a break already (true), or not on one (false).
    #[error("{}", if *.0 { "already on a break" } else { "not on a break" })]
    OnBreak(bool),
    /// No such shift.
    #[error("no shift {0}")]
    ShiftNotFound(i64),
    /// A shift's times would overlap another of the same member's.
    #[error("those times overlap the member's shift {0}: correct that one instead")]
    ShiftOverlap(i64),
    /// A tips period already recorded.
    #[error("tips for {staff} from {from} are recorded already: a period is recorded once")]
    TipsRecorded {
        /// Who.
        staff: String,
        /// The recorded period's start.
        from: String,
    },
    /// No drawer session is open (or not the one named).
    #[error("no drawer session is open: open one with a float first")]
    NoOpenSession,
    /// No such printer.
    #[error("no printer {0:?}")]
    PrinterNotFound(String),
    /// No print job has this number.
    #[error("no print job {0}")]
    JobNotFound(i64),
    /// A print job is not in a state that allows the change (a finished job never changes).
    #[error("print job {id} cannot {what} in its present state")]
    JobNotChanged {
        /// The job.
        id: i64,
        /// What was asked.
        what: String,
    },
    /// A value from outside (the cloud) that the till cannot take.
    #[error("{0}")]
    Invalid(String),
    /// The sync cannot do what was asked (see `docs/sync.md`).
    #[error("{0}")]
    Sync(String),
    /// A domain rule refused the change.
    #[error(transparent)]
    Core(#[from] fynlo_core::Error),
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Corrupt(e.to_string())
    }
}
