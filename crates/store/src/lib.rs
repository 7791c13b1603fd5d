//! The Fynlo POS local store: one SQLite file per till, reached through sqlx.
//!
//! - Migrations live in the repository's top-level `migrations/` folder, are embedded at build time and
//!   run every time a store opens (forward-only, additive).
//! - Every state change is one transaction that also appends its outbox rows (op id, device id,
//!   per-device gapless sequence number, op type, payload, time) for the sync to push later.
//! - Orders are kept as an append-only history (`order_events`) plus a snapshot for fast reads; triggers
//!   refuse deletes and rewrites of history.
//!
//! # Durability
//!
//! The database runs in WAL mode. Commits that move money — a payment, a completion, a cancellation —
//! and changes to menu, settings and staff run with `PRAGMA synchronous = FULL`: the WAL is fsynced
//! before the commit returns, so the sale survives a power cut. Other order edits (adding a line, a note)
//! run with `synchronous = NORMAL`: they survive the process being killed (the WAL is in the operating
//! system's cache), and a power cut can at worst lose the last unpaid edits since the previous FULL
//! commit (which flushes everything before it). That keeps building an order fast — one round trip to
//! SQLite and no fsync per tap — without ever risking a sale the till has reported as paid.
//!
//! Each command is one transaction sent to SQLite in one round trip (see `orders::record`): the history
//! rows, outbox rows, payment rows and the snapshot are written by statements that read the command's
//! events from one JSON array.

mod error;
mod orders;
mod outbox;
mod setup;

use std::{path::Path, str::FromStr, time::Duration};

use fynlo_core::{
    ids::{DeviceId, StaffId},
    time::{IdSource, Timestamp},
};
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
    ConnectOptions, Connection, SqliteConnection,
};
use tokio::sync::Mutex;

pub use error::Error;
pub use orders::HistoryEntry;
pub use outbox::{OutboxOp, OutboxStats};

/// The result type of the store.
pub type Result<T, E = Error> = std::result::Result<T, E>;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// Who makes a change, when, and where its op ids come from.
pub struct Write<'a> {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub staff: &'a StaffId,
    /// Makes the outbox op ids.
    pub ids: &'a dyn IdSource,
}

/// How hard a commit must reach the disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Durability {
    /// Survives a killed process (`synchronous = NORMAL` in WAL mode), the connection's default.
    Process,
    /// Survives a power cut (`synchronous = FULL`).
    Power,
}

pub(crate) struct Inner {
    pub(crate) conn: SqliteConnection,
}

impl Inner {
    /// Makes the next commits durable against a power cut, until [`Inner::usual_durability`].
    pub(crate) async fn power_durability(&mut self) -> Result<()> {
        sqlx::query("PRAGMA synchronous = FULL").execute(&mut self.conn).await?;
        Ok(())
    }

    /// Back to the default: durable against a killed process.
    pub(crate) async fn usual_durability(&mut self) -> Result<()> {
        sqlx::query("PRAGMA synchronous = NORMAL")
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }
}

/// A till's database.
pub struct Store {
    inner: Mutex<Inner>,
    device: DeviceId,
}

impl Store {
    /// Creates a new database file for a new till. Refuses to touch an existing file.
    pub async fn create(path: &Path, device: DeviceId, at: Timestamp) -> Result<Store> {
        if path.exists() {
            return Err(Error::AlreadyExists(path.to_owned()));
        }
        let mut conn = connect(path, true).await?;
        MIGRATOR.run(&mut conn).await?;
        sqlx::query("INSERT INTO device (id, created_at) VALUES (?, ?)")
            .bind(device.to_string())
            .bind(at.millis())
            .execute(&mut conn)
            .await?;
        Ok(Store::wrap(conn, device))
    }

    /// Opens an existing database and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(Error::NotFound(path.to_owned()));
        }
        let mut conn = connect(path, false).await?;
        MIGRATOR.run(&mut conn).await?;
        let row: Option<(String,)> = sqlx::query_as("SELECT id FROM device")
            .fetch_optional(&mut conn)
            .await?;
        let (id,) = row.ok_or(Error::NotInitialised)?;
        let device = DeviceId::parse(&id).map_err(|e| Error::Corrupt(e.to_string()))?;
        Ok(Store::wrap(conn, device))
    }

    fn wrap(conn: SqliteConnection, device: DeviceId) -> Store {
        Store {
            inner: Mutex::new(Inner { conn }),
            device,
        }
    }

    /// This till's id.
    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// Closes the database cleanly (checkpointing the WAL).
    pub async fn close(self) -> Result<()> {
        let inner = self.inner.into_inner();
        inner.conn.close().await?;
        Ok(())
    }
}

async fn connect(path: &Path, create: bool) -> Result<SqliteConnection> {
    let url = format!("sqlite://{}", path.display());
    let options = SqliteConnectOptions::from_str(&url)?
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .disable_statement_logging();
    Ok(options.connect().await?)
}
