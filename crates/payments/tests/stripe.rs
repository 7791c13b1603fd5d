//! The Stripe card adapter against a fake Stripe started here on loopback, which speaks Stripe's HTTP:
//! form-encoded bodies, bearer secret keys, `Idempotency-Key` replays (and refusals of a key reused with
//! other parameters), 402 card errors carrying the intent, list pages with `has_more`, Stripe's test
//! payment methods. It checks approvals, declines, `requires_action`, manual capture, a timeout whose
//! payment went through (found again by key), Stripe's 500s, cancels, refunds and their limits.

#![allow(clippy::too_many_lines, reason = "each test walks one scenario")]

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
use fynlo_payments::{
    stripe::{Stripe, StripeConfig},
    IntentRequest, IntentStatus, Method, PaymentProvider, ProviderError, RefundStatus, SimOutcome,
};
use serde_json::{json, Value};

const KEY: &str = "sk_test_fake_secret_key";

/// What the fake Stripe knows.
#[derive(Default)]
struct Fake {
    intents: Vec<Value>,
    refunds: Vec<Value>,
    /// Idempotency key → (path, body, status, answer).
    keys: HashMap<String, (String, String, u16, Value)>,
    /// Answer this many requests with a 500, doing nothing.
    fail_next: usize,
    /// Answer every request this late (the work is done first, as a slow network would).
    delay: Duration,
    /// Every request: method, path, idempotency key.
    log: Vec<(String, String, Option<String>)>,
    next: u32,
}

type Shared = Arc<Mutex<Fake>>;

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
async fn fake() -> (String, Shared) {
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

fn config(url: &str) -> StripeConfig {
    StripeConfig {
        api_url: url.to_owned(),
        secret_key: KEY.into(),
        payment_method: None,
        manual_capture: false,
        timeout_seconds: 5,
    }
}

fn request(n: u32, amount: i64, simulate: SimOutcome) -> IntentRequest {
    IntentRequest {
        payment_id: format!("0195-payment-{n}"),
        idempotency_key: format!("fynlo-key-{n}"),
        amount,
        currency: "gbp".into(),
        method: Method::Card,
        simulate: Some(simulate),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approvals_declines_authentication_and_refunds_speak_stripes_http() {
    let (url, state) = fake().await;
    let stripe = Stripe::new(config(&url)).expect("settings");

    // Approved: created, confirmed, succeeded; our ids in metadata; the same key again is the same
    // intent, and no second one is made.
    let paid = stripe
        .create(&request(1, 1945, SimOutcome::Approve))
        .await
        .expect("answer");
    assert_eq!(
        (paid.status, paid.amount, paid.payment_id.as_str()),
        (IntentStatus::Succeeded, 1945, "0195-payment-1")
    );
    let again = stripe
        .create(&request(1, 1945, SimOutcome::Approve))
        .await
        .expect("answer");
    assert_eq!(again.id, paid.id);
    assert_eq!(state.lock().expect("lock").intents.len(), 1, "one intent for one key");
    // The same key with another amount is Stripe's idempotency error, refused.
    let reused = stripe.create(&request(1, 2000, SimOutcome::Approve)).await;
    assert!(
        matches!(&reused, Err(ProviderError::Refused(m)) if m.contains("idempotency_error")),
        "{reused:?}"
    );

    // Declined (HTTP 402): an answer with the decline code, not an error.
    let declined = stripe
        .create(&request(2, 800, SimOutcome::Decline))
        .await
        .expect("answer");
    assert_eq!(
        (declined.status, declined.last_payment_error.as_deref()),
        (IntentStatus::RequiresPaymentMethod, Some("generic_decline"))
    );
    let broke = stripe
        .create(&request(3, 800, SimOutcome::InsufficientFunds))
        .await
        .expect("answer");
    assert_eq!(broke.last_payment_error.as_deref(), Some("insufficient_funds"));
    // Asked again with its key, a decline stays a decline (the replayed 402).
    let replay = stripe
        .create(&request(3, 800, SimOutcome::InsufficientFunds))
        .await
        .expect("answer");
    assert_eq!(
        (replay.id, replay.status),
        (broke.id.clone(), IntentStatus::RequiresPaymentMethod)
    );

    // 3-D Secure: requires_action; cancelled before the customer finishes; cancelling again answers
    // the cancelled intent; a paid one cannot be cancelled and is answered as paid.
    let action = stripe
        .create(&request(4, 1200, SimOutcome::RequiresAction))
        .await
        .expect("answer");
    assert_eq!(
        (action.status, action.next_action.as_deref()),
        (IntentStatus::RequiresAction, Some("use_stripe_sdk"))
    );
    let cancelled = stripe.cancel(&action.id).await.expect("cancelled");
    assert_eq!(cancelled.status, IntentStatus::Canceled);
    assert_eq!(
        stripe.cancel(&action.id).await.expect("again").status,
        IntentStatus::Canceled
    );
    assert_eq!(
        stripe.cancel(&paid.id).await.expect("paid").status,
        IntentStatus::Succeeded
    );
    assert_eq!(
        stripe.retrieve(&paid.id).await.expect("read").status,
        IntentStatus::Succeeded
    );
    assert!(matches!(
        stripe.retrieve("pi_nothing").await,
        Err(ProviderError::Refused(_))
    ));

    // Found by our key (a list of the last day, newest first, 100 a page); a key never sent is None.
    assert_eq!(
        stripe.find("fynlo-key-2").await.expect("found").map(|i| i.id),
        Some(declined.id.clone())
    );
    assert_eq!(stripe.find("fynlo-key-never").await.expect("asked"), None);

    // Refunds: part, then the rest; more than is left is refused; found by key; the same key again
    // is the same refund.
    let part = stripe.refund(&paid.id, 945, "fynlo-refund-1").await.expect("refund");
    assert_eq!((part.status, part.amount), (RefundStatus::Succeeded, 945));
    assert_eq!(
        stripe.refund(&paid.id, 945, "fynlo-refund-1").await.expect("again").id,
        part.id
    );
    let too_much = stripe.refund(&paid.id, 1001, "fynlo-refund-2").await;
    assert!(
        matches!(&too_much, Err(ProviderError::Refused(m)) if m.contains("greater than unrefunded")),
        "{too_much:?}"
    );
    let rest = stripe.refund(&paid.id, 1000, "fynlo-refund-3").await.expect("the rest");
    assert_eq!(
        stripe.find_refund("fynlo-refund-3").await.expect("found").map(|r| r.id),
        Some(rest.id)
    );
    assert_eq!(
        stripe.find_refund("fynlo-refund-2").await.expect("asked"),
        None,
        "refused: never made"
    );

    // Every POST carried an idempotency key; the form-encoded body carried our metadata.
    {
        let f = state.lock().expect("lock");
        assert!(
            f.log
                .iter()
                .filter(|(m, _, _)| m == "POST")
                .all(|(_, _, k)| k.is_some()),
            "{:?}",
            f.log
        );
        assert_eq!(f.intents[0]["metadata"]["fynlo_key"], "fynlo-key-1");
    }
    // Pay by bank is not Stripe's.
    let bank = IntentRequest {
        method: Method::PayByBank,
        ..request(9, 100, SimOutcome::Approve)
    };
    assert!(matches!(stripe.create(&bank).await, Err(ProviderError::Refused(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_500s_manual_capture_and_a_wrong_key() {
    let (url, state) = fake().await;

    // A timeout: Stripe took the payment but the answer came too late. Found again by key, paid once.
    let slow = Stripe::new(StripeConfig {
        timeout_seconds: 1,
        ..config(&url)
    })
    .expect("settings");
    state.lock().expect("lock").delay = Duration::from_millis(1500);
    let timed_out = slow.create(&request(1, 500, SimOutcome::Approve)).await;
    assert!(matches!(timed_out, Err(ProviderError::Timeout)), "{timed_out:?}");
    state.lock().expect("lock").delay = Duration::ZERO;
    let found = slow
        .find("fynlo-key-1")
        .await
        .expect("asked")
        .expect("it reached Stripe");
    assert_eq!(
        found.status,
        IntentStatus::RequiresConfirmation,
        "the create arrived; the confirm timed out before it was sent"
    );
    // Asking again with the same key finishes the same intent: one intent, paid.
    let paid = slow
        .create(&request(1, 500, SimOutcome::Approve))
        .await
        .expect("answer");
    assert_eq!(
        (paid.id.as_str(), paid.status),
        (found.id.as_str(), IntentStatus::Succeeded)
    );
    assert_eq!(state.lock().expect("lock").intents.len(), 1);

    // Stripe's own trouble (500): unavailable, nothing made; the next try works.
    let stripe = Stripe::new(config(&url)).expect("settings");
    state.lock().expect("lock").fail_next = 1;
    let failed = stripe.create(&request(2, 700, SimOutcome::Approve)).await;
    assert!(matches!(failed, Err(ProviderError::Unavailable(_))), "{failed:?}");
    assert_eq!(stripe.find("fynlo-key-2").await.expect("asked"), None);
    assert_eq!(
        stripe
            .create(&request(2, 700, SimOutcome::Approve))
            .await
            .expect("answer")
            .status,
        IntentStatus::Succeeded
    );

    // Manual capture: authorised, then captured in the same call; captured once however often asked.
    let capturing = Stripe::new(StripeConfig {
        manual_capture: true,
        ..config(&url)
    })
    .expect("settings");
    let captured = capturing
        .create(&request(3, 900, SimOutcome::Approve))
        .await
        .expect("answer");
    assert_eq!(captured.status, IntentStatus::Succeeded);
    assert_eq!(
        capturing
            .create(&request(3, 900, SimOutcome::Approve))
            .await
            .expect("again")
            .id,
        captured.id
    );
    let captures = state
        .lock()
        .expect("lock")
        .log
        .iter()
        .filter(|(_, p, _)| p.ends_with("/capture"))
        .count();
    assert!(captures >= 1);
    assert_eq!(
        state
            .lock()
            .expect("lock")
            .intents
            .iter()
            .filter(|i| i["capture_method"] == "manual")
            .count(),
        1
    );

    // A wrong key: refused, and the key is not in the message.
    let wrong = Stripe::new(StripeConfig {
        secret_key: "sk_test_wrong_secret_key".into(),
        ..config(&url)
    })
    .expect("settings");
    let refused = wrong.create(&request(4, 100, SimOutcome::Approve)).await;
    match refused {
        Err(ProviderError::Refused(m)) => assert!(m.contains("Invalid API Key") && !m.contains("wrong_secret"), "{m}"),
        other => panic!("{other:?}"),
    }
}
