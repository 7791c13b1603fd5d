//! Configuration: defaults, then a TOML file, then `FYNLO_CLOUD_*` environment variables, each over the
//! one before. With none of them the server listens on 127.0.0.1:8787 with a SQLite file
//! `fynlo-cloud.db` in the working folder.

use std::{net::SocketAddr, path::Path};

use serde::Deserialize;

/// How the server runs.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// `sqlite://PATH` (created when missing) or `postgres://…`.
    pub database_url: String,
    /// The most connections to PostgreSQL (SQLite always uses one: it has one writer).
    pub max_connections: u32,
    /// The secret access tokens are signed with. Empty: one made on first start and kept in the
    /// database, so every instance on it shares it.
    pub token_secret: String,
    /// Requests a client may make to login, pairing and refresh per minute (per address).
    pub auth_per_minute: u32,
    /// The most bytes one request body may have.
    pub max_body_bytes: usize,
    /// How many live events a WebSocket client may fall behind before it is dropped.
    pub ws_buffer: usize,
    /// Seconds between pings to each WebSocket client (a client that misses two pongs is dropped).
    pub ws_ping_seconds: u64,
    /// WebSockets one address may have waiting to authenticate at once (more are closed, 1013).
    pub ws_waiting_per_address: usize,
    /// Behind a reverse proxy: rate limits key on the last address of `X-Forwarded-For` rather than
    /// the connection's peer (the proxy). Leave off when clients connect directly: they could write
    /// the header themselves.
    pub forwarded_for: bool,
    /// The address customers' phones reach this server at, for the sandbox's hosted payment pages
    /// (`http://192.168.1.20:8787`). Empty: `http://` and the listening address.
    pub public_url: String,
    /// Seconds between the checks of unfinished pay-by-bank payments with their provider (the
    /// fallback for a webhook that never comes, expiry, and settlement).
    pub payments_poll_seconds: u64,
    /// In the sandbox, seconds from `executed` to `settled`.
    pub sandbox_settle_seconds: u64,
    /// The Open Banking provider: `sandbox` (the cloud's own sandbox bank) or `truelayer`.
    pub bank_provider: String,
    /// With the sandbox bank only: `POST /sandbox/clock` moves the cloud's payment clock on, so a test
    /// or a demo sees a QR code expire without waiting 15 minutes. Never on a real server.
    pub sandbox_clock: bool,
    /// The TrueLayer-shaped adapter's settings (`[truelayer]`), when it is the provider.
    pub truelayer: crate::payments::truelayer::TrueLayerConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            database_url: "sqlite://fynlo-cloud.db".into(),
            max_connections: 16,
            token_secret: String::new(),
            auth_per_minute: 20,
            max_body_bytes: 8 * 1024 * 1024,
            ws_buffer: 4096,
            ws_ping_seconds: 30,
            ws_waiting_per_address: 32,
            forwarded_for: false,
            public_url: String::new(),
            payments_poll_seconds: 5,
            sandbox_settle_seconds: 60,
            bank_provider: "sandbox".into(),
            sandbox_clock: false,
            truelayer: crate::payments::truelayer::TrueLayerConfig::default(),
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not the TOML expected.
    #[error("{path}: {source}")]
    Parse {
        /// The file.
        path: String,
        /// Why.
        source: toml::de::Error,
    },
    /// An environment variable's value is not usable.
    #[error("{name}: {reason}")]
    Env {
        /// The variable.
        name: &'static str,
        /// Why.
        reason: String,
    },
}

impl Config {
    /// The configuration from an optional TOML file and the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut config = match file {
            None => Config::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
                toml::from_str(&text).map_err(|source| ConfigError::Parse {
                    path: path.display().to_string(),
                    source,
                })?
            }
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    /// Applies `FYNLO_CLOUD_LISTEN`, `_DATABASE_URL`, `_MAX_CONNECTIONS`, `_TOKEN_SECRET`,
    /// `_AUTH_PER_MINUTE`, `_MAX_BODY_BYTES`, `_WS_BUFFER`, `_WS_PING_SECONDS`, `_WS_WAITING_PER_ADDRESS`, `_PUBLIC_URL`,
    /// `_PAYMENTS_POLL_SECONDS`, `_SANDBOX_SETTLE_SECONDS`, `_BANK_PROVIDER` and `_TRUELAYER_API_URL`,
    /// `_AUTH_URL`, `_HPP_URL`, `_RETURN_URI`, `_CLIENT_ID`, `_CLIENT_SECRET`, `_MERCHANT_ACCOUNT_ID`,
    /// `_WEBHOOK_JWKS_URL`, `_TIMEOUT_SECONDS` where `get` has them.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn parse<T: std::str::FromStr>(name: &'static str, value: &str) -> Result<T, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            value.parse().map_err(|e: T::Err| ConfigError::Env {
                name,
                reason: e.to_string(),
            })
        }
        if let Some(v) = get("FYNLO_CLOUD_LISTEN") {
            self.listen = parse("FYNLO_CLOUD_LISTEN", &v)?;
        }
        if let Some(v) = get("FYNLO_CLOUD_DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = get("FYNLO_CLOUD_MAX_CONNECTIONS") {
            self.max_connections = parse("FYNLO_CLOUD_MAX_CONNECTIONS", &v)?;
        }
        if let Some(v) = get("FYNLO_CLOUD_TOKEN_SECRET") {
            self.token_secret = v;
        }
        if let Some(v) = get("FYNLO_CLOUD_AUTH_PER_MINUTE") {
            self.auth_per_minute = parse("FYNLO_CLOUD_AUTH_PER_MINUTE", &v)?;
        }
        if let Some(v) = get("FYNLO_CLOUD_MAX_BODY_BYTES") {
            self.max_body_bytes = parse("FYNLO_CLOUD_MAX_BODY_BYTES", &v)?;
        }
        if let Some(v) = get("FYNLO_CLOUD_FORWARDED_FOR") {
            self.forwarded_for = parse("FYNLO_CLOUD_FORWARDED_FOR", &v)?;
        }
        if let Some(v) = get("FYNLO_CLOUD_WS_PING_SECONDS") {
            self.ws_ping_seconds = parse("FYNLO_CLOUD_WS_PING_SECONDS", &v)?;
        }
        if let Some(v) = get("FYNLO_CLOUD_WS_BUFFER") {
            self.ws_buffer = parse("FYNLO_CLOUD_WS_BUFFER", &v)?;
        }
        if let Some(v) = get("FYNLO_CLOUD_WS_WAITING_PER_ADDRESS") {
            self.ws_waiting_per_address = parse("FYNLO_CLOUD_WS_WAITING_PER_ADDRESS", &v)?;
        }
        if let Some(v) = get("FYNLO_CLOUD_PUBLIC_URL") {
            self.public_url = v;
        }
        if let Some(v) = get("FYNLO_CLOUD_PAYMENTS_POLL_SECONDS") {
            self.payments_poll_seconds = parse("FYNLO_CLOUD_PAYMENTS_POLL_SECONDS", &v)?;
        }
        if let Some(v) = get("FYNLO_CLOUD_SANDBOX_SETTLE_SECONDS") {
            self.sandbox_settle_seconds = parse("FYNLO_CLOUD_SANDBOX_SETTLE_SECONDS", &v)?;
        }
        if let Some(v) = get("FYNLO_CLOUD_BANK_PROVIDER") {
            self.bank_provider = v;
        }
        if let Some(v) = get("FYNLO_CLOUD_SANDBOX_CLOCK") {
            self.sandbox_clock = parse("FYNLO_CLOUD_SANDBOX_CLOCK", &v)?;
        }
        let tl = &mut self.truelayer;
        for (name, field) in [
            ("FYNLO_CLOUD_TRUELAYER_API_URL", &mut tl.api_url),
            ("FYNLO_CLOUD_TRUELAYER_AUTH_URL", &mut tl.auth_url),
            ("FYNLO_CLOUD_TRUELAYER_HPP_URL", &mut tl.hpp_url),
            ("FYNLO_CLOUD_TRUELAYER_RETURN_URI", &mut tl.return_uri),
            ("FYNLO_CLOUD_TRUELAYER_CLIENT_ID", &mut tl.client_id),
            ("FYNLO_CLOUD_TRUELAYER_CLIENT_SECRET", &mut tl.client_secret),
            ("FYNLO_CLOUD_TRUELAYER_MERCHANT_ACCOUNT_ID", &mut tl.merchant_account_id),
            ("FYNLO_CLOUD_TRUELAYER_WEBHOOK_JWKS_URL", &mut tl.webhook_jwks_url),
        ] {
            if let Some(v) = get(name) {
                *field = v;
            }
        }
        if let Some(v) = get("FYNLO_CLOUD_TRUELAYER_TIMEOUT_SECONDS") {
            self.truelayer.timeout_seconds = parse("FYNLO_CLOUD_TRUELAYER_TIMEOUT_SECONDS", &v)?;
        }
        self.check()
    }

    fn check(&self) -> Result<(), ConfigError> {
        let bad = |name, reason: &str| {
            Err(ConfigError::Env {
                name,
                reason: reason.into(),
            })
        };
        if !(self.database_url.starts_with("sqlite:") || self.database_url.starts_with("postgres")) {
            return bad("database_url", "must start with sqlite: or postgres://");
        }
        if !self.token_secret.is_empty() && self.token_secret.len() < 32 {
            return bad(
                "token_secret",
                "must be at least 32 characters (or empty: made and kept in the database)",
            );
        }
        let url = &self.public_url;
        if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
            return bad("public_url", "must start with http:// or https:// (or be empty)");
        }
        match self.bank_provider.as_str() {
            "sandbox" => {}
            "truelayer" => {
                if let Some(problem) = self.truelayer.problems() {
                    return Err(ConfigError::Env {
                        name: "truelayer",
                        reason: problem,
                    });
                }
            }
            _ => return bad("bank_provider", "is sandbox or truelayer"),
        }
        if self.sandbox_clock && self.bank_provider != "sandbox" {
            return bad("sandbox_clock", "works only with bank_provider = sandbox");
        }
        if self.payments_poll_seconds == 0 {
            return bad("payments_poll_seconds", "must be positive");
        }
        if self.max_connections == 0
            || self.auth_per_minute == 0
            || self.ws_buffer == 0
            || self.ws_ping_seconds == 0
            || self.ws_waiting_per_address == 0
            || self.max_body_bytes < 1024
        {
            return bad(
                "limits",
                "max_connections, auth_per_minute and ws_buffer must be positive, max_body_bytes at least 1024",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn the_file_then_the_environment_override_the_defaults_and_bad_values_are_refused() {
        let mut config: Config = toml::from_str("listen = \"0.0.0.0:9000\"\nauth_per_minute = 5").expect("toml");
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.database_url, "sqlite://fynlo-cloud.db");
        let env: HashMap<&str, &str> = [("FYNLO_CLOUD_DATABASE_URL", "postgres://127.0.0.1/fynlo")].into();
        config
            .apply_env(|n| env.get(n).map(|v| (*v).to_owned()))
            .expect("applies");
        assert_eq!(config.database_url, "postgres://127.0.0.1/fynlo");
        assert_eq!(config.auth_per_minute, 5);
        assert!(config
            .clone()
            .apply_env(|n| (n == "FYNLO_CLOUD_LISTEN").then(|| "nowhere".into()))
            .is_err());
        assert!(config
            .clone()
            .apply_env(|n| (n == "FYNLO_CLOUD_DATABASE_URL").then(|| "mysql://x".into()))
            .is_err());
        assert!(config
            .clone()
            .apply_env(|n| (n == "FYNLO_CLOUD_TOKEN_SECRET").then(|| "short".into()))
            .is_err());
        assert!(toml::from_str::<Config>("lisen = \"x\"").is_err());
    }

    #[test]
    fn the_bank_provider_is_checked_and_its_secrets_never_show() {
        let mut config = Config::default();
        let refused = |name: &str, value: &str| {
            let mut c = Config::default();
            c.apply_env(|n| (n == name).then(|| value.to_owned())).is_err()
        };
        assert!(refused("FYNLO_CLOUD_BANK_PROVIDER", "paypal"));
        assert!(
            refused("FYNLO_CLOUD_BANK_PROVIDER", "truelayer"),
            "truelayer needs its settings"
        );
        assert!(refused("FYNLO_CLOUD_PUBLIC_URL", "ftp://x"));
        assert!(refused("FYNLO_CLOUD_PAYMENTS_POLL_SECONDS", "0"));
        let env: HashMap<&str, &str> = [
            ("FYNLO_CLOUD_BANK_PROVIDER", "truelayer"),
            ("FYNLO_CLOUD_TRUELAYER_API_URL", "https://api.example"),
            ("FYNLO_CLOUD_TRUELAYER_AUTH_URL", "https://auth.example"),
            ("FYNLO_CLOUD_TRUELAYER_HPP_URL", "https://pay.example"),
            ("FYNLO_CLOUD_TRUELAYER_CLIENT_ID", "client"),
            ("FYNLO_CLOUD_TRUELAYER_CLIENT_SECRET", "very-secret-client"),
            ("FYNLO_CLOUD_TRUELAYER_MERCHANT_ACCOUNT_ID", "ma"),
            (
                "FYNLO_CLOUD_TRUELAYER_WEBHOOK_JWKS_URL",
                "https://webhooks.example/.well-known/jwks",
            ),
            ("FYNLO_CLOUD_TRUELAYER_TIMEOUT_SECONDS", "3"),
        ]
        .into();
        config
            .apply_env(|n| env.get(n).map(|v| (*v).to_owned()))
            .expect("a full truelayer configuration");
        assert_eq!(
            (config.bank_provider.as_str(), config.truelayer.timeout_seconds),
            ("truelayer", 3)
        );
        let shown = format!("{config:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("https://api.example"));
        // The sandbox's clock is for the sandbox only.
        let mut with_bank = config.clone();
        assert!(
            with_bank
                .apply_env(|n| (n == "FYNLO_CLOUD_SANDBOX_CLOCK").then(|| "true".to_owned()))
                .is_err(),
            "no clock to move with a real bank"
        );
        assert!(refused("FYNLO_CLOUD_SANDBOX_CLOCK", "yes"), "true or false");
        let mut sandbox = Config::default();
        sandbox
            .apply_env(|n| (n == "FYNLO_CLOUD_SANDBOX_CLOCK").then(|| "true".to_owned()))
            .expect("the sandbox's clock");
        assert!(sandbox.sandbox_clock && !Config::default().sandbox_clock);
    }
}
