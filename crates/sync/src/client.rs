//! The cloud's HTTP API as the till calls it (`docs/cloud.md`): pairing, refreshing tokens, pushing
//! and pulling, and reading an order whole. Each call is one request with timeouts; failures come back
//! as [`SyncError`]s: the network and the cloud's own failures as [`SyncCode::Offline`] (try again),
//! refusals as [`SyncCode::Refused`] with the cloud's code.

use std::time::Duration;

use fynlo_protocol::{ErrorBody, ErrorCode, PullPage, PushRequest, PushResponse};
use fynlo_store::RemoteEntry;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::error::{Result, SyncCode, SyncError};

/// How long a request may take in all.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// What a pairing or a refresh answers.
#[derive(Clone, Deserialize)]
pub struct Session {
    /// The restaurant.
    pub restaurant_id: String,
    /// The till's id (its device id).
    pub subject_id: String,
    /// The access token.
    pub access_token: String,
    /// Seconds it lasts.
    pub expires_in: u64,
    /// The next refresh token.
    pub refresh_token: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("restaurant_id", &self.restaurant_id)
            .field("subject_id", &self.subject_id)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// An order whole, as `GET /api/v1/orders/{id}` has it.
#[derive(Clone, Debug, Deserialize)]
pub struct OrderDetail {
    /// Its id.
    pub id: String,
    /// The till that owns it.
    pub device_id: String,
    /// Its version in the cloud.
    pub version: i64,
    /// Its history.
    pub events: Vec<RemoteEntry>,
}

#[derive(Serialize)]
struct PairBody<'a> {
    code: &'a str,
    device_id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct RefreshBody<'a> {
    refresh_token: &'a str,
}

/// The cloud at one address.
#[derive(Clone, Debug)]
pub struct Cloud {
    http: reqwest::Client,
    base: String,
}

impl Cloud {
    /// The cloud at `base` (`http://127.0.0.1:8787`, `https://cloud.example`).
    pub fn new(base: &str) -> Result<Cloud> {
        let base = base.trim().trim_end_matches('/');
        let ok = (base.starts_with("http://") || base.starts_with("https://"))
            && reqwest::Url::parse(base).is_ok_and(|u| u.host_str().is_some() && u.query().is_none());
        if !ok {
            return Err(SyncError::new(
                SyncCode::InvalidInput,
                format!("{base:?} is not a cloud address (http:// or https://, a host, no query)"),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("fynlo-pos/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::new(SyncCode::Offline, format!("the HTTP client: {e}")))?;
        Ok(Cloud {
            http,
            base: base.to_owned(),
        })
    }

    /// The base address.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The WebSocket address of a restaurant's hub.
    pub fn hub_url(&self, restaurant: &str) -> String {
        let ws = if let Some(rest) = self.base.strip_prefix("https://") {
            format!("wss://{rest}")
        } else {
            format!("ws://{}", self.base.trim_start_matches("http://"))
        };
        format!("{ws}/ws/pos/{restaurant}")
    }

    /// Pairs this till with a manager's one-time code.
    pub async fn pair(&self, code: &str, device_id: &str, name: &str) -> Result<Session> {
        let body = PairBody { code, device_id, name };
        self.send(self.http.post(self.url("/api/v1/devices/pair")).json(&body))
            .await
    }

    /// Swaps a refresh token for a new access token and the next refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Session> {
        let body = RefreshBody { refresh_token };
        self.send(self.http.post(self.url("/api/v1/auth/refresh")).json(&body))
            .await
    }

    /// Ends the till's pairing in the cloud.
    pub async fn logout(&self, refresh_token: &str) -> Result<()> {
        let body = RefreshBody { refresh_token };
        let response = self
            .http
            .post(self.url("/api/v1/auth/logout"))
            .json(&body)
            .send()
            .await
            .map_err(|e| network(&e))?;
        check(response).await.map(|_| ())
    }

    /// Pushes a batch of ops.
    pub async fn push(&self, access: &str, batch: &PushRequest) -> Result<PushResponse> {
        self.send(
            self.http
                .post(self.url("/api/v1/sync/push"))
                .bearer_auth(access)
                .json(batch),
        )
        .await
    }

    /// Pulls a page of changes after `cursor` (none: the snapshot).
    pub async fn pull(&self, access: &str, cursor: Option<&str>, limit: usize) -> Result<PullPage> {
        let mut request = self.http.get(self.url("/api/v1/sync/pull")).bearer_auth(access);
        request = match cursor {
            Some(cursor) => request.query(&[("cursor", cursor), ("limit", &limit.to_string())]),
            None => request.query(&[("limit", &limit.to_string())]),
        };
        self.send(request).await
    }

    /// An order whole.
    pub async fn order(&self, access: &str, id: &str) -> Result<OrderDetail> {
        self.send(
            self.http
                .get(self.url(&format!("/api/v1/orders/{id}")))
                .bearer_auth(access),
        )
        .await
    }

    /// Asks for a pay-by-bank payment session (the same key again: the same session).
    pub async fn create_payment_session(
        &self,
        access: &str,
        request: &fynlo_protocol::payments::NewPaymentSession,
    ) -> Result<fynlo_protocol::payments::PaymentSession> {
        self.post_as(access, "/api/v1/payments/sessions", Some(request)).await
    }

    /// A payment session by its attempt key, as the provider now has it.
    pub async fn payment_session(
        &self,
        access: &str,
        attempt: &str,
    ) -> Result<fynlo_protocol::payments::PaymentSession> {
        self.get_as(access, &format!("/api/v1/payments/sessions/{attempt}"))
            .await
    }

    /// Cancels a payment session not paid yet; answers it as it then is.
    pub async fn cancel_payment_session(
        &self,
        access: &str,
        attempt: &str,
    ) -> Result<fynlo_protocol::payments::PaymentSession> {
        self.post_as::<(), _>(access, &format!("/api/v1/payments/sessions/{attempt}/cancel"), None)
            .await
    }

    /// Sends money back on a paid payment session (the same refund key again: the same refund).
    pub async fn refund_payment_session(
        &self,
        access: &str,
        attempt: &str,
        request: &fynlo_protocol::payments::NewPaymentRefund,
    ) -> Result<fynlo_protocol::payments::PaymentRefund> {
        self.post_as(
            access,
            &format!("/api/v1/payments/sessions/{attempt}/refunds"),
            Some(request),
        )
        .await
    }

    /// A refund by the till's refund key, as the provider now has it.
    pub async fn payment_refund(&self, access: &str, key: &str) -> Result<fynlo_protocol::payments::PaymentRefund> {
        self.get_as(access, &format!("/api/v1/payments/refunds/{key}")).await
    }

    /// The restaurant's payments paid and then returned by the bank, newest first.
    pub async fn flagged_payments(&self, access: &str) -> Result<Vec<fynlo_protocol::payments::PaymentSession>> {
        self.get_as(access, "/api/v1/payments/flagged").await
    }

    /// `GET path` with the access token.
    async fn get_as<T: DeserializeOwned>(&self, access: &str, path: &str) -> Result<T> {
        self.send(self.http.get(self.url(path)).bearer_auth(access)).await
    }

    /// `POST path` with the access token and, when given, a JSON body.
    async fn post_as<B: serde::Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        access: &str,
        path: &str,
        body: Option<&B>,
    ) -> Result<T> {
        let request = self.http.post(self.url(path)).bearer_auth(access);
        self.send(match body {
            Some(body) => request.json(body),
            None => request,
        })
        .await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send<T: DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> Result<T> {
        let response = request.send().await.map_err(|e| network(&e))?;
        let response = check(response).await?;
        let bytes = response.bytes().await.map_err(|e| network(&e))?;
        serde_json::from_slice(&bytes).map_err(|e| {
            SyncError::new(
                SyncCode::Protocol,
                format!("the cloud's answer is not the protocol: {e}"),
            )
        })
    }
}

fn network(e: &reqwest::Error) -> SyncError {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "the connection failed"
    };
    SyncError::new(SyncCode::Offline, format!("the cloud: {what} ({e})"))
}

/// A success, or the cloud's `{code, message}` as an error.
async fn check(response: reqwest::Response) -> Result<reqwest::Response> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body: Option<ErrorBody> = response.json().await.ok();
    let (cloud, message) = match body {
        Some(b) => (Some(b.code), b.message),
        None => (None, format!("the cloud answered {status}")),
    };
    let transient = status.is_server_error()
        || status == reqwest::StatusCode::TOO_MANY_REQUESTS
        || cloud == Some(ErrorCode::RateLimited)
        || cloud == Some(ErrorCode::Internal);
    Err(SyncError {
        code: if transient {
            SyncCode::Offline
        } else {
            SyncCode::Refused
        },
        cloud,
        message,
    })
}
