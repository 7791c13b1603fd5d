//! The database: PostgreSQL or SQLite behind one sqlx `Any` pool, so every query is written once. The
//! queries keep to what both understand (`$1` parameters, `BIGINT` and `TEXT`, `ON CONFLICT`,
//! `RETURNING`); the few differences (row locks, the WAL) are here.

use std::{str::FromStr, time::Duration};

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    AnyPool, ConnectOptions, Executor,
};

/// Which database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// PostgreSQL: several instances may share it; events are announced with `NOTIFY`.
    Postgres,
    /// SQLite: one file, one writer, one instance.
    Sqlite,
}

/// The pool and what it is.
#[derive(Clone, Debug)]
pub struct Db {
    /// The connections.
    pub pool: AnyPool,
    /// PostgreSQL or SQLite.
    pub kind: Kind,
    /// The URL it was opened with (the PostgreSQL listener opens its own connection with it).
    pub url: String,
    /// On SQLite: the lock that keeps a second instance off the file (it would not see this one's
    /// live events: SQLite has no `NOTIFY`).
    _instance: Option<std::sync::Arc<std::fs::File>>,
}

/// Locks `<file>.lock` beside a SQLite database for this process, or says who has it.
fn lock_sqlite(url: &str) -> Result<Option<std::sync::Arc<std::fs::File>>, sqlx::Error> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path.starts_with(':') {
        return Ok(None);
    }
    let lock_path = format!("{path}.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(sqlx::Error::Io)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(std::sync::Arc::new(file))),
        Err(std::fs::TryLockError::WouldBlock) => Err(sqlx::Error::Configuration(
            format!("another fynlo-cloud is serving {path} (SQLite serves one instance; use PostgreSQL for several)")
                .into(),
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(sqlx::Error::Io(e)),
    }
}

/// The schema: one set of migrations, written in the SQL both databases understand.
static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl Db {
    /// Opens the database (a SQLite file is created when missing) and brings its schema up to date.
    pub async fn open(url: &str, max_connections: u32) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let kind = if url.starts_with("postgres") {
            Kind::Postgres
        } else {
            Kind::Sqlite
        };
        let instance = match kind {
            Kind::Sqlite => lock_sqlite(url)?,
            Kind::Postgres => None,
        };
        let url = match kind {
            Kind::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
        let pool = match kind {
            Kind::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?
            }
            // One connection: SQLite has one writer, and a single connection never meets a busy lock.
            Kind::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
        };
        MIGRATIONS.run(&pool).await?;
        Ok(Db {
            pool,
            kind,
            url,
            _instance: instance,
        })
    }

    /// `FOR UPDATE OF table` on PostgreSQL (a join's one table locked); nothing on SQLite.
    pub fn for_update_of(&self, table: &str) -> String {
        match self.kind {
            Kind::Postgres => format!(" FOR UPDATE OF {table}"),
            Kind::Sqlite => String::new(),
        }
    }

    /// `FOR UPDATE` on PostgreSQL, where rows are locked to serialise writers; nothing on SQLite, which
    /// has one writer already.
    pub fn for_update(&self) -> &'static str {
        match self.kind {
            Kind::Postgres => " FOR UPDATE",
            Kind::Sqlite => "",
        }
    }
}

/// `($1, $2, …), ($n+1, …)…`: the placeholders of a multi-row `INSERT` of `rows` rows of `columns`
/// values (one statement, one round trip, for many rows).
pub fn placeholders(rows: usize, columns: usize) -> String {
    let mut out = String::with_capacity(rows * columns * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..columns {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(r * columns + c + 1).to_string());
        }
        out.push(')');
    }
    out
}

/// Rows per multi-row `INSERT` (well inside both databases' limits on parameters).
pub const INSERT_CHUNK: usize = 100;

/// Runs a transaction (`attempt`) again, up to five times in all after a short, growing, jittered
/// pause, when PostgreSQL chose it as a deadlock's or a serialisation check's loser (it was rolled back
/// whole, so running it again is safe); any other answer is returned as it is.
pub async fn retrying<T, F, Fut>(mut attempt: F) -> crate::error::ApiResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = crate::error::ApiResult<T>>,
{
    let mut tries = 0u64;
    loop {
        tries += 1;
        match attempt().await {
            Err(e) if e.retry && tries < 5 => {
                let jitter = u64::from(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.subsec_nanos())
                        % 20,
                );
                tokio::time::sleep(Duration::from_millis(tries * 10 + jitter)).await;
            }
            other => return other,
        }
    }
}

/// Now, in milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
