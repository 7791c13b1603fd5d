//! A fake Stripe on loopback, speaking Stripe's HTTP: form-encoded bodies, bearer secret keys,
//! `Idempotency-Key` replays (and `idempotency_error` for a key reused with other parameters), 402 card
//! errors carrying the intent, list pages with `has_more`, Stripe's test payment methods. Shared by the
//! adapter's tests and the CLI's (`#[path]`).

#![allow(dead_code, reason = "each test binary uses part of the fake")]

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
    Json, Router,
};
use serde_json::{json, Value};

pub const KEY: &str = "sk_test_fake_secret_key";

/// What the fake Stripe knows.
#[derive(Default)]
pub struct Fake {
    pub intents: Vec<Value>,
    pub refunds: Vec<Value>,
    /// Idempotency key → (path, body, status, answer).
    pub keys: HashMap<String, (String, String, u16, Value)>,
    /// Answer this many requests with a 500, doing nothing.
    pub fail_next: usize,
    /// Answer every request this late (the work is done first, as a slow network would).
    pub delay: Duration,
    /// Every request: method, path, idempotency key.
    pub log: Vec<(String, String, Option<String>)>,
    pub next: u32,
}

pub type Shared = Arc<Mutex<Fake>>;

fn error(status: StatusCode, kind: &str, message: &str, extra: &Value) -> (u16, Value) {
    let mut e = json!({"type": kind, "message": message});
    if let (Some(e), Some(extra)) = (e.as_object_mut(), extra.as_object()) {
        e.extend(extra.clone());
    }
    (status.as_u16(), json!({ "error": e }))
}

/// Reads an `application/x-www-form-urlencoded` body.
fn form(body: &str) -> Vec<(String, String)> {
    fn decode(text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                    out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                    i += 2;
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn metadata(fields: &[(String, String)]) -> Value {
    let mut m = serde_json::Map::new();
    for (name, value) in fields {
        if let Some(key) = name.strip_prefix("metadata[").and_then(|n| n.strip_suffix(']')) {
            m.insert(key.to_owned(), json!(value));
        }
    }
    Value::Object(m)
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Fake {
    fn intent(&mut self, id: &str) -> Option<&mut Value> {
        self.intents.iter_mut().find(|i| i["id"] == id)
    }

    /// Does the work of one POST; answers status and body.
    fn post(&mut self, path: &str, fields: &[(String, String)]) -> (u16, Value) {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match parts.as_slice() {
            ["v1", "payment_intents"] => {
                let Some(amount) = field(fields, "amount")
                    .and_then(|a| a.parse::<i64>().ok())
                    .filter(|a| *a > 0)
                else {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request_error",
                        "Invalid integer: amount",
                        &json!({"param": "amount"}),
                    );
                };
                self.next += 1;
                let method = field(fields, "payment_method");
                let intent = json!({
                    "id": format!("pi_fake_{:04}", self.next),
                    "object": "payment_intent",
                    "amount": amount,
                    "currency": field(fields, "currency").unwrap_or("gbp"),
                    "capture_method": field(fields, "capture_method").unwrap_or("automatic"),
                    "payment_method": method,
                    "status": if method.is_some() { "requires_confirmation" } else { "requires_payment_method" },
                    "last_payment_error": null,
                    "next_action": null,
                    "metadata": metadata(fields),
                    "created": now(),
                    "amount_refunded": 0,
                });
                self.intents.push(intent.clone());
                (200, intent)
            }
            ["v1", "payment_intents", id, "confirm"] => {
                let method = field(fields, "payment_method").map(str::to_owned);
                let Some(intent) = self.intent(id) else {
                    return error(
                        StatusCode::NOT_FOUND,
                        "invalid_request_error",
                        "No such payment_intent",
                        &json!({"code": "resource_missing"}),
                    );
                };
                if !matches!(
                    intent["status"].as_str(),
                    Some("requires_confirmation" | "requires_payment_method")
                ) {
                    let message = format!(
                        "This PaymentIntent's status is {} and cannot be confirmed.",
                        intent["status"]
                    );
                    return error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request_error",
                        &message,
                        &json!({"code": "payment_intent_unexpected_state"}),
                    );
                }
                let method = method.or_else(|| intent["payment_method"].as_str().map(str::to_owned));
                let decline = |code: &str, decline: Option<&str>| json!({"type": "card_error", "code": code, "decline_code": decline, "message": "Your card was declined."});
                match method.as_deref() {
                    Some("pm_card_visa") => {
                        intent["status"] = json!(if intent["capture_method"] == "manual" {
                            "requires_capture"
                        } else {
                            "succeeded"
                        });
                        (200, intent.clone())
                    }
                    Some("pm_card_authenticationRequired") => {
                        intent["status"] = json!("requires_action");
                        intent["next_action"] = json!({"type": "use_stripe_sdk", "use_stripe_sdk": {}});
                        (200, intent.clone())
                    }
                    Some(pm @ ("pm_card_visa_chargeDeclined" | "pm_card_visa_chargeDeclinedInsufficientFunds")) => {
                        let code = if pm.ends_with("InsufficientFunds") {
                            "insufficient_funds"
                        } else {
                            "generic_decline"
                        };
                        intent["status"] = json!("requires_payment_method");
                        intent["last_payment_error"] = decline("card_declined", Some(code));
                        let pi = intent.clone();
                        error(
                            StatusCode::PAYMENT_REQUIRED,
                            "card_error",
                            "Your card was declined.",
                            &json!({"code": "card_declined", "decline_code": code, "payment_intent": pi}),
                        )
                    }
                    _ => error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request_error",
                        "No such PaymentMethod",
                        &json!({"code": "resource_missing"}),
                    ),
                }
            }
            ["v1", "payment_intents", id, "capture"] => match self.intent(id) {
                Some(intent) if intent["status"] == "requires_capture" => {
                    intent["status"] = json!("succeeded");
                    (200, intent.clone())
                }
                Some(intent) => {
                    let message = format!(
                        "This PaymentIntent could not be captured because it has a status of {}.",
                        intent["status"]
                    );
                    error(StatusCode::BAD_REQUEST, "invalid_request_error", &message, &json!({}))
                }
                None => error(
                    StatusCode::NOT_FOUND,
                    "invalid_request_error",
                    "No such payment_intent",
                    &json!({}),
                ),
            },
            ["v1", "payment_intents", id, "cancel"] => match self.intent(id) {
                Some(intent) if !matches!(intent["status"].as_str(), Some("succeeded" | "canceled")) => {
                    intent["status"] = json!("canceled");
                    intent["next_action"] = Value::Null;
                    (200, intent.clone())
                }
                Some(intent) => {
                    let message = format!(
                        "You cannot cancel this PaymentIntent because it has a status of {}.",
                        intent["status"]
                    );
                    error(StatusCode::BAD_REQUEST, "invalid_request_error", &message, &json!({}))
                }
                None => error(
                    StatusCode::NOT_FOUND,
                    "invalid_request_error",
                    "No such payment_intent",
                    &json!({}),
                ),
            },
            ["v1", "refunds"] => {
                let Some(id) = field(fields, "payment_intent") else {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request_error",
                        "Missing payment_intent",
                        &json!({}),
                    );
                };
                let meta = metadata(fields);
                let amount = field(fields, "amount").and_then(|a| a.parse::<i64>().ok());
                self.next += 1;
                let refund_id = format!("re_fake_{:04}", self.next);
                let Some(intent) = self.intent(id) else {
                    return error(
                        StatusCode::NOT_FOUND,
                        "invalid_request_error",
                        "No such payment_intent",
                        &json!({}),
                    );
                };
                if intent["status"] != "succeeded" {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request_error",
                        "This PaymentIntent has not succeeded.",
                        &json!({}),
                    );
                }
                let left = intent["amount"].as_i64().unwrap_or(0) - intent["amount_refunded"].as_i64().unwrap_or(0);
                let amount = amount.unwrap_or(left);
                if amount <= 0 || amount > left {
                    let message =
                        format!("Refund amount ({amount}) is greater than unrefunded amount on charge ({left})");
                    return error(StatusCode::BAD_REQUEST, "invalid_request_error", &message, &json!({}));
                }
                intent["amount_refunded"] = json!(intent["amount_refunded"].as_i64().unwrap_or(0) + amount);
                let refund = json!({"id": refund_id, "object": "refund", "amount": amount, "status": "succeeded",
                    "payment_intent": id, "metadata": meta, "created": now()});
                self.refunds.push(refund.clone());
                (200, refund)
            }
            _ => error(
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                "Unrecognized request URL",
                &json!({}),
            ),
        }
    }
}

fn authorised(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {KEY}"))
}

fn answer((status, body): (u16, Value)) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        Json(body),
    )
        .into_response()
}

/// Every POST: authorisation, faults, idempotency, then the work.
async fn on_post(State(fake): State<Shared>, Path(rest): Path<String>, headers: HeaderMap, body: String) -> Response {
    let path = format!("/v1/{rest}");
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (reply, delay) = {
        let mut f = fake.lock().expect("lock");
        f.log.push(("POST".into(), path.clone(), key.clone()));
        let reply = if !authorised(&headers) {
            error(
                StatusCode::UNAUTHORIZED,
                "invalid_request_error",
                "Invalid API Key provided",
                &json!({}),
            )
        } else if headers.get("content-type").and_then(|v| v.to_str().ok()) != Some("application/x-www-form-urlencoded")
        {
            error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "Stripe takes form-encoded bodies",
                &json!({}),
            )
        } else if f.fail_next > 0 {
            f.fail_next -= 1;
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "api_error",
                "Something went wrong on Stripe's end.",
                &json!({}),
            )
        } else {
            match key.as_ref().and_then(|k| f.keys.get(k).cloned()) {
                Some((p, b, status, saved)) if p == path && b == body => (status, saved),
                Some(_) => error(
                    StatusCode::BAD_REQUEST,
                    "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                    &json!({}),
                ),
                None => {
                    let reply = f.post(&path, &form(&body));
                    if let Some(k) = &key {
                        f.keys
                            .insert(k.clone(), (path.clone(), body.clone(), reply.0, reply.1.clone()));
                    }
                    reply
                }
            }
        };
        (reply, f.delay)
    };
    tokio::time::sleep(delay).await;
    answer(reply)
}

async fn on_get(
    State(fake): State<Shared>,
    Path(rest): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let path = format!("/v1/{rest}");
    let mut f = fake.lock().expect("lock");
    f.log.push(("GET".into(), path.clone(), None));
    if !authorised(&headers) {
        return answer(error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            "Invalid API Key provided",
            &json!({}),
        ));
    }
    let parts: Vec<&str> = rest.split('/').collect();
    let list = match parts.as_slice() {
        ["payment_intents", id] => {
            return answer(match f.intent(id) {
                Some(i) => (200, i.clone()),
                None => error(
                    StatusCode::NOT_FOUND,
                    "invalid_request_error",
                    "No such payment_intent",
                    &json!({"code": "resource_missing"}),
                ),
            })
        }
        ["payment_intents"] => &f.intents,
        ["refunds"] => &f.refunds,
        _ => {
            return answer(error(
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                "Unrecognized request URL",
                &json!({}),
            ))
        }
    };
    // Newest first, `limit` at a time, after `starting_after`, created at or after `created[gte]`.
    let limit = field(&query, "limit").and_then(|l| l.parse().ok()).unwrap_or(10usize);
    let since = field(&query, "created[gte]")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0u64);
    let newest: Vec<&Value> = list
        .iter()
        .rev()
        .filter(|o| o["created"].as_u64().unwrap_or(0) >= since)
        .collect();
    let start = field(&query, "starting_after")
        .and_then(|after| newest.iter().position(|o| o["id"] == after).map(|p| p + 1))
        .unwrap_or(0);
    let page: Vec<Value> = newest.iter().skip(start).take(limit).map(|o| (*o).clone()).collect();
    let has_more = newest.len() > start + page.len();
    answer((200, json!({"object": "list", "data": page, "has_more": has_more})))
}

/// The fake on a free loopback port, and its state.
pub async fn start() -> (String, Shared) {
    let state: Shared = Arc::default();
    let app = Router::new()
        .route("/v1/{*rest}", post(on_post).get(on_get))
        .with_state(Arc::clone(&state));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), state)
}
