//! The Fynlo POS cloud server (SPEC §8–9): restaurants and their users, till pairing and tokens, sync
//! push and pull with exactly-once ops, and the real-time hub — on PostgreSQL, or on a SQLite file with
//! no configuration at all. A library with a thin binary (`fynlo-cloud`): [`Server::start`] runs it on a
//! listener and stops it gracefully. It replays orders with the core (`fynlo-core`) and speaks the sync
//! protocol (`fynlo-protocol`); it never depends on the till's command set.
//!
//! `docs/cloud.md` describes the API, the conflict rules and how to run several instances.

// The OpenAPI schemas are one `json!` literal, deeper than the macro's default recursion allows.
#![recursion_limit = "512"]

pub mod accounts;
pub mod auth;
pub mod catalog;
pub mod config;
pub mod db;
pub mod error;
pub mod feed;
pub mod http;
pub mod hub;
pub mod integration;
pub mod orders;
pub mod payments;
pub mod routes;
pub mod schemas;
pub mod snapshot;
pub mod state;
pub mod sync;

use std::{net::SocketAddr, sync::Arc};

use tokio::{net::TcpListener, sync::watch, task::JoinHandle};

pub use config::Config;
use db::{Db, Kind};
use state::{AppState, RateLimits};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The address could not be bound.
    #[error("listening on {addr}: {source}")]
    Bind {
        /// Where.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Something else at start.
    #[error("{0}")]
    Other(String),
}

/// The bank provider in use, and the same as its own type (the sandbox's pages, TrueLayer's webhooks).
type Providers = (
    Arc<dyn payments::provider::BankProvider>,
    Option<Arc<payments::sandbox::Sandbox>>,
    Option<Arc<payments::truelayer::TrueLayer>>,
);

/// A running server.
#[derive(Debug)]
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state (tests read the hub and the database through it).
    pub state: AppState,
    stop: watch::Sender<bool>,
    task: JoinHandle<std::io::Result<()>>,
    listener_task: Option<JoinHandle<()>>,
}

/// The token signing key: the configured one, or the one kept in the database (made on first start,
/// so every instance on the database signs alike).
async fn signing_key(db: &Db, config: &Config) -> Result<Vec<u8>, StartError> {
    if !config.token_secret.is_empty() {
        return Ok(config.token_secret.as_bytes().to_vec());
    }
    let fresh = auth::random_token().map_err(|e| StartError::Other(e.message))?;
    sqlx::query("INSERT INTO server_keys (name, value) VALUES ('token_secret', $1) ON CONFLICT (name) DO NOTHING")
        .bind(&fresh)
        .execute(&db.pool)
        .await?;
    let (value,): (String,) = sqlx::query_as("SELECT value FROM server_keys WHERE name = 'token_secret'")
        .fetch_one(&db.pool)
        .await?;
    Ok(value.into_bytes())
}

impl Server {
    /// Opens the database, binds `config.listen` and serves until [`Server::stop`].
    pub async fn start(config: Config) -> Result<Server, StartError> {
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.listen,
                source,
            })?;
        Self::start_on(config, listener).await
    }

    /// As [`Server::start`], on a listener already bound.
    pub async fn start_on(config: Config, listener: TcpListener) -> Result<Server, StartError> {
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.listen,
            source,
        })?;
        let db = Db::open(&config.database_url, config.max_connections).await?;
        let keys = auth::Keys::new(&signing_key(&db, &config).await?);
        let (stop, stopped) = watch::channel(false);
        let clock = Arc::new(state::Clock::default());
        let public_url = if config.public_url.is_empty() {
            format!("http://{addr}")
        } else {
            config.public_url.clone()
        };
        let (bank, sandbox, truelayer): Providers = if config.bank_provider == "truelayer" {
            let tl =
                Arc::new(payments::truelayer::TrueLayer::new(config.truelayer.clone()).map_err(StartError::Other)?);
            (
                Arc::clone(&tl) as Arc<dyn payments::provider::BankProvider>,
                None,
                Some(tl),
            )
        } else {
            let sandbox = Arc::new(payments::sandbox::Sandbox::new(
                db.clone(),
                &public_url,
                Arc::clone(&clock),
                config.sandbox_settle_seconds,
            ));
            (
                Arc::clone(&sandbox) as Arc<dyn payments::provider::BankProvider>,
                Some(sandbox),
                None,
            )
        };
        let state = AppState {
            hub: Arc::new(hub::Hub::new(
                db.clone(),
                config.ws_buffer,
                config.ws_waiting_per_address,
            )),
            db,
            keys,
            limits: Arc::new(RateLimits::new(config.auth_per_minute)),
            config: Arc::new(config),
            shutdown: stopped.clone(),
            clock,
            bank,
            sandbox,
            truelayer,
        };
        let listener_task =
            (state.db.kind == Kind::Postgres).then(|| tokio::spawn(hub::listen(state.clone(), stopped.clone())));
        tokio::spawn(payments::reconcile(state.clone(), stopped.clone()));
        let app = routes::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let mut wait = stopped;
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = wait.wait_for(|stop| *stop).await;
                })
                .await
        });
        tracing::info!(%addr, database = ?state.db.kind, "fynlo-cloud listening");
        Ok(Server {
            addr,
            state,
            stop,
            task,
            listener_task,
        })
    }

    /// Stops taking connections, lets requests in flight finish, closes open WebSockets ("going away",
    /// 1001: clients reconnect and resume), and returns; bounded by `grace`.
    pub async fn stop(self, grace: std::time::Duration) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(grace, self.task).await;
        if let Some(listener) = self.listener_task {
            listener.abort();
        }
        self.state.db.pool.close().await;
    }

    /// Waits until the server ends (on its own, or after [`Server::stop`] from elsewhere).
    pub async fn wait(&mut self) -> std::io::Result<()> {
        match (&mut self.task).await {
            Ok(result) => result,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }

    /// A handle that stops the server from another task.
    pub fn stopper(&self) -> watch::Sender<bool> {
        self.stop.clone()
    }
}
