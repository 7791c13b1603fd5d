//! The Fynlo POS local store: one `SQLite` file per till, reached through sqlx.
//!
//! - Migrations live in the repository's top-level `migrations/` folder, are embedded at build time and
//!   run every time a store opens (forward-only; a migration that reshapes tables keeps every fact).
//! - Every state change is one transaction that appends its op to the journal (op id, per-device gapless
//!   sequence number, op type, payload, time): the outbox the sync pushes later. An order's save is one
//!   op holding the events it saved, so the journal is also every order's history ([`journal`]).
//! - The tables lists and reports read — a summary row per order, which journal rows hold its history,
//!   payment and refund rows — are the journal's projection, applied a batch at a time ([`project`]);
//!   every read sees every save ([`read`]). An order is read by replaying its history. Triggers refuse
//!   deletes and rewrites of the journal, and summary rows only move forward.
//!
//! # Durability and the one writer
//!
//! The database runs in WAL mode with `PRAGMA synchronous = FULL`: every commit fsyncs the WAL before it
//! returns, so whatever the store has saved survives a killed process and a power cut. (`NORMAL` would
//! sync only at checkpoints, and a power cut could take the last sales with it.) A till saves an order at
//! the moments that matter (payment, completion, cancellation, sending to the kitchen, voids, parking,
//! switching orders, logging out — see `fynlo_app::Till`), so a sale costs one durable commit: one
//! `INSERT` of its journal row, in one round trip ([`save`]).
//!
//! The WAL is checkpointed into the database every [`WAL_PAGES`] pages rather than `SQLite`'s default
//! 1,000. A checkpoint runs in the commit that crosses the mark and copies every page the WAL changed
//! since the last one; a till's commits keep changing the same few pages (the journal's last leaf and its
//! parents, the summary tables' last leaves), so a longer WAL copies each of them once for many more
//! sales. The cost is a WAL file of up to about 16 MB.
//!
//! A store opened for writing holds an exclusive lock keyed on the database's canonical path for as long
//! as it is open ([`file`]), so exactly one process writes a till's database, whatever path it was opened
//! by; others can still read it ([`Store::open_reader`]).
//! That lets the till keep its open orders, its order-number counter, the next sequence number and the
//! saves not yet applied in memory.

/// The WAL's length, in pages, at which a commit checkpoints it (see the crate's docs).
pub const WAL_PAGES: u32 = 4_000;

mod audit;
mod error;
mod file;
mod journal;
mod orders;
mod outbox;
mod print;
mod project;
mod read;
mod repair;
mod save;
mod setup;
mod shifts;
mod sync;
mod timeclock;

use std::{fs::File, path::Path};

use fynlo_core::{
    ids::{DeviceId, StaffId},
    time::{IdSource, Timestamp},
};
use sqlx::{Connection, SqliteConnection};
use tokio::sync::Mutex;

pub use audit::{AuditCheck, AuditEntry, AuditProblem, GENESIS};
pub use error::Error;
pub use file::Replacement;
use file::{connect, lock};
pub use orders::{HistoryEntry, PaymentRow, Recorded};
pub use outbox::{OutboxOp, OutboxStats};
pub use print::{Job, JobState, NewJob};
pub use project::SETTLE_AFTER;
pub use repair::Repaired;
pub use setup::{PinFailure, TILL};
pub use shifts::{Close, Closing, DrawerSession, Movement};
pub use sync::{CloudStaff, Pairing, RemoteApplied, RemoteEntry, RemoteOrder, SyncNote, SyncState};
pub use timeclock::{ShiftTimes, TipRecord};

/// The result type of the store.
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// Who makes a change, when, and where its op ids come from.
pub struct Write<'a> {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub staff: &'a StaffId,
    /// Makes the outbox op ids.
    pub ids: &'a dyn IdSource,
}

pub(crate) struct Inner {
    pub(crate) conn: SqliteConnection,
    /// The next outbox sequence number, when known. Only this process writes (it holds the lock), so
    /// it stays true; it is dropped whenever a write fails and read afresh.
    next_seq: Option<i64>,
    /// Saves journaled and not yet applied to the summary tables, oldest first ([`project`]).
    pub(crate) pending: Vec<project::Change>,
    /// The stored version of every order this store has saved or read, to check the next save against
    /// while the summary tables may not have caught up.
    pub(crate) versions: std::collections::HashMap<fynlo_core::ids::OrderId, u64>,
    /// Set while a save or a batch is under way, and left set if one was cut off (an error while
    /// applying, or its future dropped): then the next batch is rebuilt from the journal, not memory.
    pub(crate) in_doubt: bool,
    /// The last journal row whose print jobs have their `print_jobs` rows, once read ([`print`]).
    pub(crate) spool_seen: Option<i64>,
}

impl Inner {
    /// The next outbox sequence number for this device.
    pub(crate) async fn next_seq(&mut self) -> Result<i64> {
        if let Some(seq) = self.next_seq {
            return Ok(seq);
        }
        let (seq,): (i64,) = sqlx::query_as(journal::NEXT_SEQ).fetch_one(&mut self.conn).await?;
        self.next_seq = Some(seq);
        Ok(seq)
    }

    /// Records that sequence numbers up to `next - 1` are now used.
    pub(crate) fn seq_taken(&mut self, next: i64) {
        self.next_seq = Some(next);
    }

    /// Forgets the cached sequence number, after a failed or outside write.
    pub(crate) fn forget_seq(&mut self) {
        self.next_seq = None;
    }
}

/// A till's database.
pub struct Store {
    inner: Mutex<Inner>,
    device: DeviceId,
    /// Held while the store is open for writing; the operating system releases it if the process dies.
    /// A store without it is a reader ([`Store::open_reader`]).
    lock: Option<File>,
    /// The path it was opened by (files that belong with the database live beside it).
    path: std::path::PathBuf,
}

impl Store {
    /// Creates a new database file for a new till. Refuses to touch an existing file.
    pub async fn create(path: &Path, device: DeviceId, at: Timestamp) -> Result<Store> {
        if path.exists() {
            return Err(Error::AlreadyExists(path.to_owned()));
        }
        let lock = lock(path)?;
        let mut conn = connect(path, true).await?;
        MIGRATOR.run(&mut conn).await?;
        sqlx::query("INSERT INTO device (id, created_at) VALUES (?, ?)")
            .bind(device.to_string())
            .bind(at.millis())
            .execute(&mut conn)
            .await?;
        Ok(Store::wrap(conn, device, Some(lock), path))
    }

    /// Opens an existing database for writing, brings its schema up to date, and takes the writer's lock.
    pub async fn open(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(Error::NotFound(path.to_owned()));
        }
        let lock = lock(path)?;
        let mut conn = connect(path, false).await?;
        MIGRATOR.run(&mut conn).await?;
        let device = device_of(&mut conn).await?;
        // Saves a killed till journaled but never applied to the summary tables are applied now.
        project::recover(&mut conn).await?;
        Ok(Store::wrap(conn, device, Some(lock), path))
    }

    /// Opens an existing database to read it, alongside a till that may be writing it. Use it only to
    /// read: it neither migrates nor takes the writer's lock.
    pub async fn open_reader(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(Error::NotFound(path.to_owned()));
        }
        // A second name would read a WAL of its own, missing what the till has saved.
        file::single_name(path)?;
        let mut conn = connect(path, false).await?;
        let device = device_of(&mut conn).await?;
        Ok(Store::wrap(conn, device, None, path))
    }

    pub(crate) fn wrap(conn: SqliteConnection, device: DeviceId, lock: Option<File>, path: &Path) -> Store {
        Store {
            path: path.to_owned(),
            inner: Mutex::new(Inner {
                conn,
                next_seq: None,
                pending: Vec::new(),
                versions: std::collections::HashMap::new(),
                in_doubt: false,
                spool_seen: None,
            }),
            device,
            lock,
        }
    }

    /// Refuses a write through a store opened to read.
    pub(crate) fn writable(&self) -> Result<()> {
        match self.lock {
            Some(_) => Ok(()),
            None => Err(Error::ReadOnly),
        }
    }

    /// The path the database was opened by.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This till's id.
    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// Closes the database cleanly: applies the saves still waiting, then checkpoints the WAL.
    pub async fn close(self) -> Result<()> {
        let mut inner = self.inner.into_inner();
        project::settle(&mut inner).await?;
        inner.conn.close().await?;
        Ok(())
    }
}

pub(crate) async fn device_of(conn: &mut SqliteConnection) -> Result<DeviceId> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM device")
        .fetch_optional(&mut *conn)
        .await?;
    let (id,) = row.ok_or(Error::NotInitialised)?;
    DeviceId::parse(&id).map_err(|e| Error::Corrupt(e.to_string()))
}
