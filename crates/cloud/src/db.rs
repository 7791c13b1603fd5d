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
}

static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

impl Db {
    /// Opens the database (a SQLite file is created when missing) and brings its schema up to date.
    pub async fn open(url: &str, max_connections: u32) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let kind = if url.starts_with("postgres") {
            Kind::Postgres
        } else {
            Kind::Sqlite
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
        match kind {
            Kind::Postgres => POSTGRES.run(&pool).await?,
            Kind::Sqlite => SQLITE.run(&pool).await?,
        }
        Ok(Db { pool, kind, url })
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

/// Now, in milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
