//! The database file and what lives beside it: the writer's lock, the connection, and replacing a
//! database whole.
//!
//! # One writer per file, whatever the path
//!
//! The writer's lock is an exclusive OS lock on `<canonical path>.lock`, where the canonical path is the
//! database's absolute path with every symlink, `.` and `..` resolved — so `./till.db`, `/abs/till.db`
//! and a symlink to it all take the same lock. (A lock on the database file itself would be simpler, but
//! closing any descriptor of a file drops the POSIX locks `SQLite` holds on it, and on Windows a whole-file
//! lock would stop `SQLite` reading it.) The operating system releases the lock when the process dies.
//!
//! A hard link is the one way round a lock on a name: a second name for the same file resolves to a
//! different canonical path, and `SQLite` would keep a second WAL beside it. So a database file with more
//! than one name is refused ([`Error::Linked`]) before any lock is taken or connection made.
//!
//! # Paths are paths
//!
//! The connection is opened with the path as a file name, never through a `sqlite://` URL, so `?`, `%`
//! and `#` in a path are just characters of the file's name.
//!
//! # Replacing a database
//!
//! [`Replacement`] builds a new database in `<path>.new` and moves it into place only when it is whole,
//! after taking the old database's writer lock and checkpointing it: a process killed at any moment
//! leaves either the old database, whole, or the new one.

use std::{
    fs::File,
    path::{Path, PathBuf},
    time::Duration,
};

use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
    ConnectOptions, SqliteConnection,
};

use crate::{Error, Result};

/// The files `SQLite` keeps beside a database in WAL mode.
const SIDECARS: [&str; 2] = ["-wal", "-shm"];

/// `path` with `suffix` added to its file name.
pub(crate) fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The database's canonical path: absolute, with symlinks and `.`/`..` resolved. The file itself need
/// not exist yet (a database being created); its folder must.
pub(crate) fn canonical(path: &Path) -> Result<PathBuf> {
    match path.canonicalize() {
        Ok(p) => Ok(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let name = path
                .file_name()
                .ok_or_else(|| Error::Io(format!("{} does not name a file", path.display())))?;
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
                _ => PathBuf::from("."),
            };
            let dir = dir
                .canonicalize()
                .map_err(|e| Error::Io(format!("{}: {e}", dir.display())))?;
            Ok(dir.join(name))
        }
        Err(e) => Err(Error::Io(format!("{}: {e}", path.display()))),
    }
}

/// Refuses a database file with more than one name (see the module's docs). A file not there yet has
/// none to worry about.
pub(crate) fn single_name(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.nlink() > 1 {
                return Err(Error::Linked {
                    path: path.to_owned(),
                    links: meta.nlink(),
                });
            }
        }
    }
    Ok(())
}

/// Takes the exclusive writer's lock of the database at `path` (see the module's docs), after checking
/// the file has one name.
pub(crate) fn lock(path: &Path) -> Result<File> {
    single_name(path)?;
    let lock_path = beside(&canonical(path)?, ".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| Error::Io(format!("{}: {e}", lock_path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Busy(path.to_owned())),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::Io(format!("locking {}: {e}", path.display()))),
    }
}

/// Opens a connection to the database file at `path` (creating it when `create`), in WAL mode with
/// `synchronous = FULL`.
pub(crate) async fn connect(path: &Path, create: bool) -> Result<SqliteConnection> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .pragma("wal_autocheckpoint", crate::WAL_PAGES.to_string())
        .disable_statement_logging();
    Ok(options.connect().await?)
}

/// Removes a file if it is there.
fn remove(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::Io(format!("removing {}: {e}", path.display()))),
    }
}

/// Makes a rename in `dir` durable.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        // Best effort: some file systems cannot sync a folder; the rename itself is atomic.
        let _ = d.sync_all();
    }
}

/// A database being built to replace another (or to be created where none is), moved into place by
/// [`Replacement::commit`]. It holds the target's writer lock from start to end, so no till can be
/// using the old database while it is replaced.
pub struct Replacement {
    target: PathBuf,
    building: PathBuf,
    _target_lock: File,
}

impl Replacement {
    /// Starts replacing the database at `target`: takes its writer lock (refusing with
    /// [`Error::Busy`] while a till has it open), moves every save of the old database from its WAL
    /// into the file itself (so the old file is whole on its own), and clears any half-built
    /// replacement a killed run left. Returns where to build the new database.
    pub async fn start(target: &Path) -> Result<Replacement> {
        let lock = lock(target)?;
        if target.exists() {
            checkpoint(target).await;
        }
        let building = beside(target, ".new");
        for path in [building.clone(), beside(&building, "-wal"), beside(&building, "-shm")] {
            remove(&path)?;
        }
        Ok(Replacement {
            target: target.to_owned(),
            building,
            _target_lock: lock,
        })
    }

    /// Where the new database is built.
    pub fn building(&self) -> &Path {
        &self.building
    }

    /// Moves the new database (closed, so its WAL is in the file) into place over the old one.
    pub fn commit(self) -> Result<()> {
        // The new database's own lock file has done its job (its store is closed).
        let building_lock = beside(&canonical(&self.building)?, ".lock");
        for suffix in SIDECARS {
            if beside(&self.building, suffix).exists() {
                return Err(Error::Io(format!(
                    "{} is still open: close it before moving it into place",
                    self.building.display()
                )));
            }
        }
        // The old WAL is empty (checkpointed at start), so removing it loses nothing; a WAL left beside
        // the new file would be replayed onto it.
        for suffix in SIDECARS {
            remove(&beside(&self.target, suffix))?;
        }
        std::fs::rename(&self.building, &self.target).map_err(|e| {
            Error::Io(format!(
                "moving {} to {}: {e}",
                self.building.display(),
                self.target.display()
            ))
        })?;
        if let Some(dir) = self.target.parent() {
            sync_dir(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            });
        }
        remove(&building_lock)
    }
}

/// Moves everything in a database's WAL into the file and empties the WAL. A file that is not a
/// database (or is damaged) is left as it is: it is about to be replaced.
async fn checkpoint(path: &Path) {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(5))
        .disable_statement_logging();
    if let Ok(mut conn) = options.connect().await {
        let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut conn).await;
        let _ = sqlx::Connection::close(conn).await;
    }
}
