//! A TrueLayer-shaped Open Banking adapter: payments v3 over HTTP as TrueLayer speaks it.
//!
//! - An access token by client credentials (`POST {auth_url}/connect/token`), kept until a minute
//!   before it expires, fetched again after a 401.
//! - `POST {api_url}/v3/payments` with an `Idempotency-Key` header (the till's attempt key) and the
//!   amount in minor units, to our merchant account with our reference (the session id, also in
//!   `metadata.fynlo_reference`); the answer's `id` and `resource_token` make the hosted payment page's
//!   address (`{hpp_url}/?payment_id=…&resource_token=…&return_uri=…`).
//! - `GET {api_url}/v3/payments/{id}` for the status; `POST …/{id}/actions/cancel` to cancel.
//! - Refunds: `POST …/{id}/refunds` with an `Idempotency-Key` (the till's refund key), the amount in
//!   minor units and our reference; `GET …/{id}/refunds/{refund_id}` for its status (`pending`,
//!   `authorized`, `executed` = sent back, `failed`).
//! - Webhooks (`POST /api/v1/webhooks/truelayer`) are signed as TrueLayer signs them: `Tl-Signature`,
//!   a detached JWS, ES512, with a key from the JWKS at the configured `webhook_jwks_url` only
//!   ([`super::tl_signature`]), over the path, the signed timestamp header and the body. A webhook is
//!   only a prompt: the status and amount are read back from the API.
//!
//! Secrets come from the configuration and never reach logs or answers (`Debug` hides them).

use std::time::{Duration, Instant};

use fynlo_protocol::payments::{BankRefundStatus, BankStatus};
use serde::Deserialize;
use serde_json::{json, Value};

use super::provider::{
    Answer, BankProvider, CreatePayment, ProviderError, ProviderPayment, ProviderRefund, RefundPayment,
};

/// The adapter's settings (the `[truelayer]` table, or `FYNLO_CLOUD_TRUELAYER_*`).
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct TrueLayerConfig {
    /// The payments API (`https://api.truelayer-sandbox.com`).
    pub api_url: String,
    /// The token service (`https://auth.truelayer-sandbox.com`).
    pub auth_url: String,
    /// The hosted payment page (`https://payment.truelayer-sandbox.com`).
    pub hpp_url: String,
    /// Where the hosted page sends the customer when they are done.
    pub return_uri: String,
    /// The client id.
    pub client_id: String,
    /// The client secret (never logged).
    pub client_secret: String,
    /// The merchant account payments are paid into.
    pub merchant_account_id: String,
    /// Where TrueLayer publishes the keys its webhooks are signed with (the only `jku` taken):
    /// `https://webhooks.truelayer.com/.well-known/jwks`, or the sandbox's.
    pub webhook_jwks_url: String,
    /// Seconds an API call may take (10 when 0).
    pub timeout_seconds: u64,
}

impl std::fmt::Debug for TrueLayerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |s: &str| if s.is_empty() { "" } else { "<hidden>" };
        f.debug_struct("TrueLayerConfig")
            .field("api_url", &self.api_url)
            .field("auth_url", &self.auth_url)
            .field("hpp_url", &self.hpp_url)
            .field("return_uri", &self.return_uri)
            .field("client_id", &self.client_id)
            .field("client_secret", &hidden(&self.client_secret))
            .field("merchant_account_id", &self.merchant_account_id)
            .field("webhook_jwks_url", &self.webhook_jwks_url)
            .field("timeout_seconds", &self.timeout_seconds)
            .finish()
    }
}

impl TrueLayerConfig {
    /// What is missing or wrong for the adapter to run.
    pub fn problems(&self) -> Option<String> {
        let mut missing = Vec::new();
        for (name, value) in [
            ("api_url", &self.api_url),
            ("auth_url", &self.auth_url),
            ("hpp_url", &self.hpp_url),
            ("client_id", &self.client_id),
            ("client_secret", &self.client_secret),
            ("merchant_account_id", &self.merchant_account_id),
            ("webhook_jwks_url", &self.webhook_jwks_url),
        ] {
            if value.is_empty() {
                missing.push(name);
            }
        }
        if !missing.is_empty() {
            return Some(format!("truelayer needs {}", missing.join(", ")));
        }
        for (name, url) in [
            ("api_url", &self.api_url),
            ("auth_url", &self.auth_url),
            ("hpp_url", &self.hpp_url),
            ("webhook_jwks_url", &self.webhook_jwks_url),
        ] {
            if reqwest12::Url::parse(url).map_or(true, |u| !matches!(u.scheme(), "http" | "https")) {
                return Some(format!("truelayer {name} is not an http(s) address"));
            }
        }
        None
    }
}

/// The adapter.
#[derive(Debug)]
pub struct TrueLayer {
    config: TrueLayerConfig,
    http: reqwest12::Client,
    token: tokio::sync::Mutex<Option<(String, Instant)>>,
    jwks: super::tl_signature::Jwks,
}

/// A token as the token service answers it.
#[derive(Deserialize)]
struct Token {
    access_token: String,
    expires_in: u64,
}

/// A payment as the API answers it.
#[derive(Debug, Deserialize)]
struct ApiPayment {
    id: String,
    status: String,
    #[serde(default)]
    amount_in_minor: Option<i64>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    resource_token: Option<String>,
    #[serde(default)]
    failure_reason: Option<String>,
    #[serde(default)]
    metadata: Option<Value>,
}

fn http_error(e: &reqwest12::Error) -> ProviderError {
    if e.is_timeout() {
        ProviderError::Timeout
    } else {
        ProviderError::Unavailable(format!(
            "truelayer: {}",
            if e.is_connect() {
                "could not connect"
            } else {
                "the connection failed"
            }
        ))
    }
}

impl TrueLayer {
    /// The adapter with `config` (see [`TrueLayerConfig::problems`]).
    pub fn new(config: TrueLayerConfig) -> Result<TrueLayer, String> {
        if let Some(problem) = config.problems() {
            return Err(problem);
        }
        let timeout = Duration::from_secs(if config.timeout_seconds == 0 {
            10
        } else {
            config.timeout_seconds
        });
        let http = reqwest12::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| format!("the HTTP client: {e}"))?;
        Ok(TrueLayer {
            jwks: super::tl_signature::Jwks::new(&config.webhook_jwks_url, http.clone()),
            config,
            http,
            token: tokio::sync::Mutex::new(None),
        })
    }

    /// Checks a webhook's `Tl-Signature` (see [`super::tl_signature`]).
    pub async fn verify_webhook(
        &self,
        signature: Option<&str>,
        path: &str,
        headers: &axum::http::HeaderMap,
        body: &[u8],
        now_ms: i64,
    ) -> Result<(), crate::error::ApiError> {
        self.jwks.verify(signature, path, headers, body, now_ms).await
    }

    fn api(&self, path: &str) -> String {
        format!("{}{path}", self.config.api_url.trim_end_matches('/'))
    }

    async fn access(&self, fresh: bool) -> Result<String, ProviderError> {
        let mut token = self.token.lock().await;
        if !fresh {
            if let Some((value, until)) = token.as_ref() {
                if Instant::now() < *until {
                    return Ok(value.clone());
                }
            }
        }
        let response = self
            .http
            .post(format!("{}/connect/token", self.config.auth_url.trim_end_matches('/')))
            .json(&json!({
                "grant_type": "client_credentials",
                "client_id": self.config.client_id,
                "client_secret": self.config.client_secret,
                "scope": "payments",
            }))
            .send()
            .await
            .map_err(|e| http_error(&e))?;
        let response = checked(response).await?;
        let got: Token = response
            .json()
            .await
            .map_err(|e| ProviderError::Unavailable(format!("truelayer: the token is not JSON ({e})")))?;
        let until = Instant::now() + Duration::from_secs(got.expires_in.saturating_sub(60));
        *token = Some((got.access_token.clone(), until));
        Ok(got.access_token)
    }

    /// Sends a request with the access token; a 401 fetches a new token and sends it once more.
    async fn send(&self, build: impl Fn(&str) -> reqwest12::RequestBuilder) -> Result<ApiPayment, ProviderError> {
        self.send_for(build).await
    }

    /// As [`TrueLayer::send`], for any answer.
    async fn send_for<T: serde::de::DeserializeOwned>(
        &self,
        build: impl Fn(&str) -> reqwest12::RequestBuilder,
    ) -> Result<T, ProviderError> {
        let mut fresh = false;
        loop {
            let token = self.access(fresh).await?;
            let response = build(&token).send().await.map_err(|e| http_error(&e))?;
            if response.status() == reqwest12::StatusCode::UNAUTHORIZED && !fresh {
                fresh = true;
                continue;
            }
            let response = checked(response).await?;
            return response
                .json::<T>()
                .await
                .map_err(|e| ProviderError::Unavailable(format!("truelayer: the answer cannot be read ({e})")));
        }
    }

    fn page(&self, id: &str, resource_token: &str) -> String {
        let base = format!("{}/", self.config.hpp_url.trim_end_matches('/'));
        match reqwest12::Url::parse_with_params(
            &base,
            &[
                ("payment_id", id),
                ("resource_token", resource_token),
                ("return_uri", self.config.return_uri.as_str()),
            ],
        ) {
            Ok(url) => url.to_string(),
            Err(_) => base,
        }
    }

    fn payment(p: ApiPayment, reference: &str, url: String) -> Result<ProviderPayment, ProviderError> {
        let status = BankStatus::from_name(&p.status)
            .ok_or_else(|| ProviderError::Unavailable(format!("truelayer: an unknown status {:?}", p.status)))?;
        let reference = p
            .metadata
            .as_ref()
            .and_then(|m| m.get("fynlo_reference"))
            .and_then(Value::as_str)
            .unwrap_or(reference)
            .to_owned();
        // The reasons the till acts on, in our words.
        let failure = p.failure_reason.map(|why| match why.as_str() {
            "canceled" | "cancelled" => "cancelled".to_owned(),
            "expired" | "authorization_expired" => "expired".to_owned(),
            _ => why,
        });
        Ok(ProviderPayment {
            id: p.id,
            reference,
            amount: p.amount_in_minor.unwrap_or(-1),
            currency: p.currency.unwrap_or_default(),
            status,
            failure,
            url,
        })
    }
}

/// A refund as the API answers it.
#[derive(Debug, Deserialize)]
struct ApiRefund {
    id: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    amount_in_minor: Option<i64>,
    #[serde(default)]
    failure_reason: Option<String>,
}

impl ApiRefund {
    fn refund(self, amount: i64) -> ProviderRefund {
        ProviderRefund {
            status: match self.status.as_deref() {
                Some("executed") => BankRefundStatus::Succeeded,
                Some("failed") => BankRefundStatus::Failed,
                // `pending`, `authorized`, or a create's answer (an id only).
                _ => BankRefundStatus::Pending,
            },
            amount: self.amount_in_minor.unwrap_or(amount),
            failure: self.failure_reason,
            id: self.id,
        }
    }
}

/// A bank statement's reference from ours: up to 18 letters and digits.
fn statement_reference(reference: &str) -> String {
    reference.chars().filter(char::is_ascii_alphanumeric).take(18).collect()
}

/// A 2xx answer, or the provider's refusal (4xx) or failure (5xx).
async fn checked(response: reqwest12::Response) -> Result<reqwest12::Response, ProviderError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let detail = body
        .get("detail")
        .or_else(|| body.get("title"))
        .and_then(Value::as_str)
        .unwrap_or("no detail")
        .to_owned();
    if status.is_server_error() || status == reqwest12::StatusCode::TOO_MANY_REQUESTS {
        Err(ProviderError::Unavailable(format!(
            "truelayer answered {status}: {detail}"
        )))
    } else {
        Err(ProviderError::Refused(format!("truelayer answered {status}: {detail}")))
    }
}

impl BankProvider for TrueLayer {
    fn name(&self) -> &'static str {
        "truelayer"
    }

    fn create<'a>(&'a self, req: &'a CreatePayment<'a>) -> Answer<'a, ProviderPayment> {
        Box::pin(async move {
            let short = statement_reference(req.reference);
            let body = json!({
                "amount_in_minor": req.amount,
                "currency": req.currency,
                "payment_method": {
                    "type": "bank_transfer",
                    "provider_selection": {"type": "user_selected"},
                    "beneficiary": {
                        "type": "merchant_account",
                        "merchant_account_id": self.config.merchant_account_id,
                        "reference": short,
                    },
                },
                "user": {"id": req.reference, "name": req.payee},
                "metadata": {"fynlo_reference": req.reference, "expires_at": req.expires_at.to_string()},
            });
            let made = self
                .send(|token| {
                    self.http
                        .post(self.api("/v3/payments"))
                        .bearer_auth(token)
                        .header("Idempotency-Key", req.idempotency_key)
                        .json(&body)
                })
                .await?;
            let resource_token = made.resource_token.clone().unwrap_or_default();
            let url = self.page(&made.id, &resource_token);
            let mut payment = TrueLayer::payment(made, req.reference, url)?;
            // The create's answer carries no amount: it is the one asked for (the status read
            // afterwards carries it, and is checked).
            payment.amount = req.amount;
            req.currency.clone_into(&mut payment.currency);
            req.reference.clone_into(&mut payment.reference);
            Ok(payment)
        })
    }

    fn status<'a>(&'a self, id: &'a str) -> Answer<'a, ProviderPayment> {
        Box::pin(async move {
            let got = self
                .send(|token| {
                    self.http
                        .get(self.api(&format!("/v3/payments/{id}")))
                        .bearer_auth(token)
                })
                .await?;
            TrueLayer::payment(got, "", String::new())
        })
    }

    fn cancel<'a>(&'a self, id: &'a str) -> Answer<'a, ProviderPayment> {
        Box::pin(async move {
            let token = self.access(false).await?;
            let response = self
                .http
                .post(self.api(&format!("/v3/payments/{id}/actions/cancel")))
                .bearer_auth(&token)
                .header("Idempotency-Key", format!("cancel-{id}"))
                .json(&json!({}))
                .send()
                .await
                .map_err(|e| http_error(&e))?;
            // A payment past cancelling (executed already) is refused: what it is now is the answer.
            if let Err(e) = checked(response).await {
                tracing::info!(error = %e, payment = %id, "truelayer: cancel");
            }
            self.status(id).await
        })
    }

    fn refund<'a>(&'a self, req: &'a RefundPayment<'a>) -> Answer<'a, ProviderRefund> {
        Box::pin(async move {
            let short = statement_reference(req.reference);
            let body = json!({
                "amount_in_minor": req.amount,
                "reference": short,
                "metadata": {"fynlo_reference": req.reference},
            });
            let made: ApiRefund = self
                .send_for(|token| {
                    self.http
                        .post(self.api(&format!("/v3/payments/{}/refunds", req.payment_id)))
                        .bearer_auth(token)
                        .header("Idempotency-Key", req.idempotency_key)
                        .json(&body)
                })
                .await?;
            // The create answers the id; its status is read.
            self.refund_status(req.payment_id, &made.id).await
        })
    }

    fn refund_status<'a>(&'a self, payment_id: &'a str, refund_id: &'a str) -> Answer<'a, ProviderRefund> {
        Box::pin(async move {
            let got: ApiRefund = self
                .send_for(|token| {
                    self.http
                        .get(self.api(&format!("/v3/payments/{payment_id}/refunds/{refund_id}")))
                        .bearer_auth(token)
                })
                .await?;
            Ok(got.refund(-1))
        })
    }
}
