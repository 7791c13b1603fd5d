//! What every handler shares: the database, the signing key, the live-event hub, the rate limits.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use fynlo_protocol::ErrorCode;

use crate::{
    auth::Keys,
    config::Config,
    db::Db,
    error::ApiError,
    hub::Hub,
    payments::{provider::BankProvider, sandbox::Sandbox},
};

/// The server's shared state (cheap to clone).
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The access-token key.
    pub keys: Keys,
    /// Live events for the WebSocket clients of this instance.
    pub hub: Arc<Hub>,
    /// Login, pairing and refresh limits.
    pub limits: Arc<RateLimits>,
    /// The configuration it started with.
    pub config: Arc<Config>,
    /// Turns true when the server stops: open WebSockets close (1001) so nothing holds the database.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// The time payments are judged by (expiry, settlement): the system's, which tests move on.
    pub clock: Arc<Clock>,
    /// The Open Banking provider payment sessions are made with.
    pub bank: Arc<dyn BankProvider>,
    /// The sandbox provider, when it is the one in use (its hosted pages are served).
    pub sandbox: Option<Arc<Sandbox>>,
    /// The TrueLayer-shaped provider, when it is the one in use (its webhooks are taken).
    pub truelayer: Option<Arc<crate::payments::truelayer::TrueLayer>>,
}

/// The time, in milliseconds since the epoch: the system's, plus an offset tests set to see 15
/// minutes pass at once.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: std::sync::atomic::AtomicI64,
}

impl Clock {
    /// Now.
    pub fn now(&self) -> i64 {
        crate::db::now_ms().saturating_add(self.offset_ms.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Moves the clock on by `ms`.
    pub fn advance(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Fixed one-minute windows of requests per (bucket, client).
#[derive(Debug)]
pub struct RateLimits {
    per_minute: u32,
    windows: Mutex<HashMap<WindowKey, (Instant, u32)>>,
}

/// A bucket and a client.
type WindowKey = (&'static str, String);

const WINDOW: Duration = Duration::from_secs(60);

impl RateLimits {
    /// Limits of `per_minute` requests per bucket and client.
    pub fn new(per_minute: u32) -> RateLimits {
        RateLimits {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request of `client` in `bucket`; `rate_limited` past the limit.
    pub fn check(&self, bucket: &'static str, client: &str) -> Result<(), ApiError> {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = windows.entry((bucket, client.to_owned())).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > self.per_minute {
            let wait = WINDOW.saturating_sub(now.duration_since(entry.0)).as_secs() + 1;
            return Err(ApiError::new(
                ErrorCode::RateLimited,
                format!("too many attempts; try again in {wait} s"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_over_its_limit_is_refused_and_others_are_not() {
        let limits = RateLimits::new(3);
        for _ in 0..3 {
            assert!(limits.check("login", "1.2.3.4").is_ok());
        }
        let refused = limits.check("login", "1.2.3.4").expect_err("fourth");
        assert_eq!(refused.code, ErrorCode::RateLimited);
        assert!(limits.check("login", "5.6.7.8").is_ok());
        assert!(limits.check("pair", "1.2.3.4").is_ok());
    }
}
