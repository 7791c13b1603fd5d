//! Cards through Stripe's `PaymentIntent` API (feature `stripe`): the till's card provider.
//!
//! Every call is Stripe's own HTTP shape — form-encoded bodies, `Authorization: Bearer <secret key>`,
//! an `Idempotency-Key` on every POST, JSON answers, errors as `{"error": {type, code, decline_code,
//! message, payment_intent}}` — so the same adapter speaks to `api.stripe.com` and to the fake server the
//! tests start.
//!
//! A payment is three keyed steps, each safe to repeat: **create** the intent (`POST
//! /v1/payment_intents`, our key as `Idempotency-Key`, our payment id and key in `metadata`), **confirm**
//! it with the payment method (`POST …/{id}/confirm`, key `<key>:confirm`), and, where the account
//! captures by hand, **capture** it (`POST …/{id}/capture`, key `<key>:capture`). `succeeded` is paid;
//! a decline comes back as HTTP 402 with the intent in `requires_payment_method`, which is an answer,
//! not a failure. Creating never charges, so an intent found unconfirmed after a crash cost nothing.
//!
//! Finding an attempt by our key lists the intents of the last 24 hours (Stripe keeps idempotency keys
//! that long) and matches `metadata.fynlo_key`: the list is read-after-write consistent, unlike
//! Stripe's search. Refunds are `POST /v1/refunds` with their own key, found the same way.
//!
//! In test mode the till's simulator choice picks Stripe's test payment method (`approve` →
//! `pm_card_visa`, `decline` → `pm_card_visa_chargeDeclined`, …); otherwise the configured
//! `payment_method` is used. A card-present reader (Stripe Terminal) is the next step and not built.

use std::{fmt, time::Duration};

use serde::Deserialize;
use serde_json::Value;

use crate::{
    port::{
        Answer, Intent, IntentRequest, IntentStatus, Method, PaymentProvider, ProviderError, ProviderRefund,
        RefundStatus,
    },
    simulator::SimOutcome,
};

/// How many list pages (100 each) a search by key reads at most.
const MAX_PAGES: usize = 10;

/// How the adapter reaches Stripe (kept on a till in its keychain, secret key and all).
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StripeConfig {
    /// `https://api.stripe.com`, or the fake server's address in tests.
    pub api_url: String,
    /// The secret key (`sk_live_…`, `sk_test_…`). Never logged or shown.
    pub secret_key: String,
    /// The payment method to confirm with outside test mode (`pm_…`).
    pub payment_method: Option<String>,
    /// Capture by hand after the authorisation (`capture_method=manual`), or at once.
    #[serde(default)]
    pub manual_capture: bool,
    /// Seconds before a call counts as unanswered ([`ProviderError::Timeout`]).
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
}

fn default_timeout() -> u64 {
    10
}

impl fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeConfig")
            .field("api_url", &self.api_url)
            .field("secret_key", &"<hidden>")
            .field("payment_method", &self.payment_method)
            .field("manual_capture", &self.manual_capture)
            .field("timeout_seconds", &self.timeout_seconds)
            .finish()
    }
}

impl StripeConfig {
    /// Is the key a test-mode key (where the simulator's choice picks a test card)?
    pub fn test_mode(&self) -> bool {
        self.secret_key.starts_with("sk_test_") || self.secret_key.starts_with("rk_test_")
    }

    /// What is wrong with this configuration, if anything.
    pub fn problems(&self) -> Option<String> {
        if !(self.api_url.starts_with("https://") || self.api_url.starts_with("http://127.0.0.1")) {
            return Some("api_url must be https:// (or http://127.0.0.1 for tests)".into());
        }
        if !(self.secret_key.starts_with("sk_") || self.secret_key.starts_with("rk_")) || self.secret_key.len() < 12 {
            return Some("secret_key must be a Stripe secret or restricted key (sk_… or rk_…)".into());
        }
        if !self.test_mode() && self.payment_method.is_none() {
            return Some("a live key needs payment_method (card-present readers are not built yet)".into());
        }
        if self.timeout_seconds == 0 || self.timeout_seconds > 120 {
            return Some("timeout_seconds must be between 1 and 120".into());
        }
        None
    }
}

/// The card provider: Stripe's `PaymentIntent` API.
pub struct Stripe {
    http: reqwest::Client,
    config: StripeConfig,
}

impl fmt::Debug for Stripe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stripe")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Form fields, in order.
type Form = Vec<(&'static str, String)>;

/// `application/x-www-form-urlencoded`, as Stripe reads it.
fn encode(form: &[(&'static str, String)]) -> String {
    fn push(out: &mut String, text: &str) {
        for b in text.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
                b' ' => out.push('+'),
                _ => {
                    const HEX: &[u8; 16] = b"0123456789ABCDEF";
                    out.push('%');
                    out.push(char::from(HEX[usize::from(b >> 4)]));
                    out.push(char::from(HEX[usize::from(b & 15)]));
                }
            }
        }
    }
    let mut out = String::new();
    for (i, (name, value)) in form.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push(&mut out, name);
        out.push('=');
        push(&mut out, value);
    }
    out
}

/// Stripe's intent, as it answers.
#[derive(Debug, Deserialize)]
struct WireIntent {
    id: String,
    status: IntentStatus,
    amount: i64,
    #[serde(default)]
    last_payment_error: Option<WireError>,
    #[serde(default)]
    next_action: Option<Value>,
    #[serde(default)]
    metadata: std::collections::HashMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
struct WireError {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    decline_code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    payment_intent: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct WireRefund {
    id: String,
    status: String,
    amount: i64,
    #[serde(default)]
    metadata: std::collections::HashMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct List<T> {
    data: Vec<T>,
    #[serde(default)]
    has_more: bool,
}

impl WireIntent {
    fn into_intent(self) -> Intent {
        Intent {
            payment_id: self.metadata.get("fynlo_payment_id").cloned().unwrap_or_default(),
            id: self.id,
            status: self.status,
            amount: self.amount,
            last_payment_error: self.last_payment_error.and_then(|e| e.decline_code.or(e.code)),
            next_action: self
                .next_action
                .and_then(|a| a.get("type").and_then(Value::as_str).map(str::to_owned)),
            expires_at: None,
        }
    }
}

fn refund_of(wire: WireRefund) -> ProviderRefund {
    ProviderRefund {
        id: wire.id,
        status: match wire.status.as_str() {
            "succeeded" => RefundStatus::Succeeded,
            "failed" | "canceled" => RefundStatus::Failed,
            _ => RefundStatus::Pending,
        },
        amount: wire.amount,
    }
}

/// What Stripe answered, before it is read as an intent or a refund.
enum Reply {
    Ok(Value),
    /// A card error (HTTP 402): the decline and, with it, the intent as it now is.
    Declined(WireError),
}

fn unreadable(e: impl fmt::Display) -> ProviderError {
    ProviderError::Unavailable(format!("Stripe's answer could not be read: {e}"))
}

fn read<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ProviderError> {
    serde_json::from_value(value).map_err(unreadable)
}

impl Stripe {
    /// An adapter for `config` (checked first).
    pub fn new(config: StripeConfig) -> Result<Stripe, ProviderError> {
        if let Some(problem) = config.problems() {
            return Err(ProviderError::Refused(format!("the Stripe settings: {problem}")));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.timeout_seconds))
            .build()
            .map_err(|e| ProviderError::Unavailable(e.to_string()))?;
        Ok(Stripe { http, config })
    }

    /// One call: `form` is sent by `POST` with `key` as its `Idempotency-Key`, or by `GET` as the query when `key`
    /// is `None`.
    async fn call(
        &self,
        path: &str,
        form: &[(&'static str, String)],
        key: Option<&str>,
    ) -> Result<Reply, ProviderError> {
        let url = format!("{}{path}", self.config.api_url.trim_end_matches('/'));
        let request = match key {
            Some(key) => self
                .http
                .post(&url)
                .header("Idempotency-Key", key)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(encode(form)),
            None if form.is_empty() => self.http.get(&url),
            None => self.http.get(format!("{url}?{}", encode(form))),
        };
        let response = request
            .bearer_auth(&self.config.secret_key)
            .header("Stripe-Version", "2024-06-20")
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    ProviderError::Timeout
                } else {
                    ProviderError::Unavailable(format!("Stripe cannot be reached: {e}"))
                }
            })?;
        let status = response.status();
        let body: Value = response.json().await.map_err(|e| {
            if e.is_timeout() {
                ProviderError::Timeout
            } else {
                unreadable(e)
            }
        })?;
        if status.is_success() {
            return Ok(Reply::Ok(body));
        }
        let error: WireError = body.get("error").cloned().map(read).transpose()?.unwrap_or_default();
        let message = error.message.clone().unwrap_or_else(|| format!("HTTP {status}"));
        match status.as_u16() {
            402 => Ok(Reply::Declined(error)),
            // Stripe's own trouble, or too many requests: asking again later may work.
            429 | 500..=599 => Err(ProviderError::Unavailable(format!("Stripe: {message}"))),
            _ => Err(ProviderError::Refused(format!(
                "Stripe ({}): {message}",
                error.kind.as_deref().unwrap_or("invalid_request_error")
            ))),
        }
    }

    /// An intent from an answer; a decline carries the intent in its error.
    fn intent_of(reply: Reply) -> Result<Intent, ProviderError> {
        match reply {
            Reply::Ok(value) => Ok(read::<WireIntent>(value)?.into_intent()),
            Reply::Declined(error) => {
                let code = error.decline_code.clone().or_else(|| error.code.clone());
                let value = error
                    .payment_intent
                    .ok_or_else(|| ProviderError::Refused(error.message.unwrap_or_else(|| "card declined".into())))?;
                let mut intent = read::<WireIntent>(value)?.into_intent();
                if intent.last_payment_error.is_none() {
                    intent.last_payment_error = code;
                }
                Ok(intent)
            }
        }
    }

    /// The payment method to confirm with.
    fn payment_method(&self, simulate: Option<SimOutcome>) -> Result<String, ProviderError> {
        if self.config.test_mode() {
            if let Some(outcome) = simulate {
                return Ok(match outcome {
                    SimOutcome::Approve | SimOutcome::Timeout => "pm_card_visa",
                    SimOutcome::Decline => "pm_card_visa_chargeDeclined",
                    SimOutcome::InsufficientFunds => "pm_card_visa_chargeDeclinedInsufficientFunds",
                    SimOutcome::RequiresAction => "pm_card_authenticationRequired",
                }
                .to_owned());
            }
        }
        self.config
            .payment_method
            .clone()
            .ok_or_else(|| ProviderError::Refused("no payment method configured for Stripe".into()))
    }

    /// Confirms a created intent, then captures it where the account captures by hand.
    async fn confirm(&self, intent: Intent, key: &str, method: String) -> Result<Intent, ProviderError> {
        let intent = match intent.status {
            IntentStatus::RequiresConfirmation | IntentStatus::RequiresPaymentMethod
                if intent.last_payment_error.is_none() =>
            {
                let path = format!("/v1/payment_intents/{}/confirm", intent.id);
                Self::intent_of(
                    self.call(&path, &[("payment_method", method)], Some(&format!("{key}:confirm")))
                        .await?,
                )?
            }
            _ => intent,
        };
        self.capture(intent, key).await
    }

    async fn capture(&self, intent: Intent, key: &str) -> Result<Intent, ProviderError> {
        if intent.status != IntentStatus::RequiresCapture || !self.config.manual_capture {
            return Ok(intent);
        }
        let path = format!("/v1/payment_intents/{}/capture", intent.id);
        Self::intent_of(self.call(&path, &[], Some(&format!("{key}:capture"))).await?)
    }

    /// Pages through a list of the last 24 hours for the object whose `metadata.fynlo_key` is `key`.
    async fn find_in<T, F>(&self, path: &str, key: &str, id_of: F) -> Result<Option<T>, ProviderError>
    where
        T: serde::de::DeserializeOwned,
        F: Fn(&T) -> (&str, Option<&String>),
    {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            .saturating_sub(24 * 60 * 60);
        let mut after: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut query: Form = vec![("limit", "100".into()), ("created[gte]", since.to_string())];
            if let Some(after) = &after {
                query.push(("starting_after", after.clone()));
            }
            let Reply::Ok(value) = self.call(path, &query, None).await? else {
                return Err(ProviderError::Unavailable("Stripe declined a list".into()));
            };
            let page: List<T> = read(value)?;
            let mut last = None;
            for item in page.data {
                let (id, found_key) = id_of(&item);
                if found_key.is_some_and(|k| k == key) {
                    return Ok(Some(item));
                }
                last = Some(id.to_owned());
            }
            match last {
                Some(id) if page.has_more => after = Some(id),
                _ => return Ok(None),
            }
        }
        Err(ProviderError::Unavailable(format!(
            "more than {} objects in the last day: {key} could not be looked for",
            MAX_PAGES * 100
        )))
    }
}

impl PaymentProvider for Stripe {
    fn create<'a>(&'a self, req: &'a IntentRequest) -> Answer<'a, Intent> {
        Box::pin(async move {
            if req.method != Method::Card {
                return Err(ProviderError::Refused(
                    "Stripe takes cards here; pay by bank goes through the cloud".into(),
                ));
            }
            let method = self.payment_method(req.simulate)?;
            let form: Form = vec![
                ("amount", req.amount.to_string()),
                ("currency", req.currency.clone()),
                ("payment_method_types[]", "card".into()),
                (
                    "capture_method",
                    if self.config.manual_capture {
                        "manual"
                    } else {
                        "automatic"
                    }
                    .into(),
                ),
                ("payment_method", method.clone()),
                ("metadata[fynlo_payment_id]", req.payment_id.clone()),
                ("metadata[fynlo_key]", req.idempotency_key.clone()),
            ];
            let created = Self::intent_of(
                self.call("/v1/payment_intents", &form, Some(&req.idempotency_key))
                    .await?,
            )?;
            self.confirm(created, &req.idempotency_key, method).await
        })
    }

    fn find<'a>(&'a self, idempotency_key: &'a str) -> Answer<'a, Option<Intent>> {
        Box::pin(async move {
            let found = self
                .find_in::<WireIntent, _>("/v1/payment_intents", idempotency_key, |i| {
                    (i.id.as_str(), i.metadata.get("fynlo_key"))
                })
                .await?;
            Ok(found.map(WireIntent::into_intent))
        })
    }

    fn retrieve<'a>(&'a self, id: &'a str) -> Answer<'a, Intent> {
        Box::pin(async move { Self::intent_of(self.call(&format!("/v1/payment_intents/{id}"), &[], None).await?) })
    }

    fn cancel<'a>(&'a self, id: &'a str) -> Answer<'a, Intent> {
        Box::pin(async move {
            let current = Self::intent_of(self.call(&format!("/v1/payment_intents/{id}"), &[], None).await?)?;
            if matches!(current.status, IntentStatus::Succeeded | IntentStatus::Canceled) {
                return Ok(current);
            }
            let path = format!("/v1/payment_intents/{id}/cancel");
            Self::intent_of(self.call(&path, &[], Some(&format!("fynlo-cancel-{id}"))).await?)
        })
    }

    fn refund<'a>(&'a self, intent: &'a str, amount: i64, idempotency_key: &'a str) -> Answer<'a, ProviderRefund> {
        Box::pin(async move {
            let form: Form = vec![
                ("payment_intent", intent.to_owned()),
                ("amount", amount.to_string()),
                ("metadata[fynlo_key]", idempotency_key.to_owned()),
            ];
            match self.call("/v1/refunds", &form, Some(idempotency_key)).await? {
                Reply::Ok(value) => Ok(refund_of(read(value)?)),
                Reply::Declined(e) => Err(ProviderError::Refused(
                    e.message.unwrap_or_else(|| "the refund was refused".into()),
                )),
            }
        })
    }

    fn find_refund<'a>(&'a self, idempotency_key: &'a str) -> Answer<'a, Option<ProviderRefund>> {
        Box::pin(async move {
            let found = self
                .find_in::<WireRefund, _>("/v1/refunds", idempotency_key, |r| {
                    (r.id.as_str(), r.metadata.get("fynlo_key"))
                })
                .await?;
            Ok(found.map(refund_of))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_encoded_as_stripe_reads_them() {
        let form: Form = vec![
            ("amount", "1945".into()),
            ("metadata[fynlo_key]", "fynlo-01 x&y=z".into()),
        ];
        assert_eq!(encode(&form), "amount=1945&metadata%5Bfynlo_key%5D=fynlo-01+x%26y%3Dz");
    }

    #[test]
    fn the_settings_are_checked_and_the_key_never_shows() {
        let good = StripeConfig {
            api_url: "https://api.stripe.com".into(),
            secret_key: "sk_test_very_secret_key".into(),
            payment_method: None,
            manual_capture: false,
            timeout_seconds: 10,
        };
        assert_eq!(good.problems(), None);
        assert!(good.test_mode());
        assert!(!format!("{good:?}").contains("very_secret"));
        let live = StripeConfig {
            secret_key: "sk_live_very_secret_key".into(),
            ..good.clone()
        };
        assert!(live.problems().is_some_and(|p| p.contains("payment_method")));
        for bad in [
            StripeConfig {
                api_url: "http://api.stripe.com".into(),
                ..good.clone()
            },
            StripeConfig {
                secret_key: "pk_test_publishable".into(),
                ..good.clone()
            },
            StripeConfig {
                timeout_seconds: 0,
                ..good.clone()
            },
        ] {
            assert!(bad.problems().is_some(), "{bad:?}");
            assert!(Stripe::new(bad).is_err());
        }
    }
}
