//! The TrueLayer-shaped adapter against a local fake server that speaks those HTTP shapes (started
//! here on loopback): client-credential tokens, `POST /v3/payments` with `Idempotency-Key`, status by
//! `GET`, cancel; and the cloud's signed webhooks — duplicates, replays, bad and stale signatures, a
//! notice for an unknown payment or another amount, a notice before the create's answer, a decline,
//! a provider that times out, and a create whose answer was lost.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    routing::{get, post},
    Json, Router,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use p521::ecdsa::{signature::Signer as _, Signature, SigningKey, VerifyingKey};
use serde_json::{json, Value};

use crate::support::{Backend, Cloud, Till};

crate::both!(the_truelayer_adapter_follows_its_payments_through_signed_webhooks);

/// The key id TrueLayer's (fake) webhook key is published under.
const KID: &str = "tl-webhook-key-1";

#[derive(Clone, Debug)]
struct FakePayment {
    amount: i64,
    currency: String,
    status: String,
    failure: Option<String>,
    metadata: Value,
    resource_token: String,
}

#[derive(Default)]
struct FakeState {
    payments: HashMap<String, FakePayment>,
    by_key: HashMap<String, String>,
    keys_seen: Vec<String>,
    /// Answer the next create only after this long (the cloud gives up first).
    slow_create: Option<Duration>,
    /// Answer status reads only after this long.
    slow_status: Option<Duration>,
    /// Status reads say this amount.
    amount_override: Option<i64>,
    /// Before answering the next create: mark it executed and send the cloud its webhook.
    webhook_first: Option<String>,
    /// Where the fake publishes its webhook key.
    jwks_url: String,
    /// Refunds: id → (payment id, amount, status); by idempotency key.
    refunds: HashMap<String, (String, i64, String)>,
    refund_keys: HashMap<String, String>,
}

#[derive(Clone, Default)]
struct Fake(Arc<Mutex<FakeState>>);

impl Fake {
    fn with<T>(&self, f: impl FnOnce(&mut FakeState) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

fn authorised(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer tok-"))
}

fn answer(id: &str, p: &FakePayment, amount: i64) -> Value {
    json!({
        "id": id, "status": p.status, "amount_in_minor": amount, "currency": p.currency,
        "failure_reason": p.failure, "metadata": p.metadata,
        "payment_method": {"type": "bank_transfer"},
    })
}

async fn token(Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    if body["client_id"] == "fynlo-test"
        && body["client_secret"] == "client-secret-x"
        && body["grant_type"] == "client_credentials"
    {
        (
            StatusCode::OK,
            Json(
                json!({"access_token": format!("tok-{}", uuid::Uuid::new_v4().simple()), "expires_in": 3600, "token_type": "Bearer"}),
            ),
        )
    } else {
        (StatusCode::UNAUTHORIZED, Json(json!({"title": "invalid_client"})))
    }
}

async fn create(State(fake): State<Fake>, headers: HeaderMap, Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    if !authorised(&headers) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"title": "Unauthorized"})));
    }
    let Some(key) = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"title": "Idempotency-Key required"})),
        );
    };
    let (id, payment, slow, webhook) = fake.with(|s| {
        s.keys_seen.push(key.clone());
        let id = s.by_key.get(&key).cloned().unwrap_or_else(|| {
            let id = format!("pay_{}", uuid::Uuid::new_v4().simple());
            s.payments.insert(
                id.clone(),
                FakePayment {
                    amount: body["amount_in_minor"].as_i64().unwrap_or(0),
                    currency: body["currency"].as_str().unwrap_or_default().to_owned(),
                    status: "authorization_required".into(),
                    failure: None,
                    metadata: body["metadata"].clone(),
                    resource_token: format!("rt_{}", uuid::Uuid::new_v4().simple()),
                },
            );
            s.by_key.insert(key.clone(), id.clone());
            id
        });
        let webhook = s.webhook_first.take();
        if webhook.is_some() {
            if let Some(p) = s.payments.get_mut(&id) {
                p.status = "executed".into();
            }
        }
        (id.clone(), s.payments[&id].clone(), s.slow_create.take(), webhook)
    });
    if let Some(cloud_url) = webhook {
        let notice = json!({"type": "payment_executed", "event_id": format!("evt_{}", uuid::Uuid::new_v4().simple()),
            "payment_id": id, "metadata": payment.metadata});
        let fake_url = fake.with(|s| s.jwks_url.trim_end_matches("/.well-known/jwks").to_owned());
        let (status, _) = send_notice(&cloud_url, &notice, &Signing::truelayer(&fake_url)).await;
        assert_eq!(status, 200, "the notice before the answer is taken");
    }
    if let Some(wait) = slow {
        tokio::time::sleep(wait).await;
    }
    (
        StatusCode::CREATED,
        Json(
            json!({"id": id, "user": {"id": "u"}, "resource_token": payment.resource_token, "status": "authorization_required"}),
        ),
    )
}

async fn status(State(fake): State<Fake>, headers: HeaderMap, Path(id): Path<String>) -> (StatusCode, Json<Value>) {
    if !authorised(&headers) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"title": "Unauthorized"})));
    }
    let (found, slow, amount) = fake.with(|s| (s.payments.get(&id).cloned(), s.slow_status, s.amount_override));
    if let Some(wait) = slow {
        tokio::time::sleep(wait).await;
    }
    match found {
        Some(p) => {
            let amount = amount.unwrap_or(p.amount);
            (StatusCode::OK, Json(answer(&id, &p, amount)))
        }
        None => (StatusCode::NOT_FOUND, Json(json!({"title": "Not Found"}))),
    }
}

async fn cancel(State(fake): State<Fake>, headers: HeaderMap, Path(id): Path<String>) -> StatusCode {
    if !authorised(&headers) {
        return StatusCode::UNAUTHORIZED;
    }
    fake.with(|s| match s.payments.get_mut(&id) {
        None => StatusCode::NOT_FOUND,
        Some(p) if ["authorization_required", "authorizing", "authorized"].contains(&p.status.as_str()) => {
            p.status = "failed".into();
            p.failure = Some("canceled".into());
            StatusCode::ACCEPTED
        }
        Some(_) => StatusCode::BAD_REQUEST,
    })
}

/// `POST /v3/payments/{id}/refunds`: keyed; only on an executed or settled payment; never past its amount.
async fn refund(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    if !authorised(&headers) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"title": "Unauthorized"})));
    }
    let Some(key) = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"title": "Idempotency-Key required"})),
        );
    };
    let amount = body["amount_in_minor"].as_i64().unwrap_or(0);
    fake.with(|s| {
        if let Some(found) = s.refund_keys.get(&key) {
            return (StatusCode::OK, Json(json!({"id": found})));
        }
        let Some(p) = s.payments.get(&id) else {
            return (StatusCode::NOT_FOUND, Json(json!({"title": "Not Found"})));
        };
        if !["executed", "settled"].contains(&p.status.as_str()) {
            return (StatusCode::BAD_REQUEST, Json(json!({"title": "Invalid request", "detail": "the payment is not executed"})));
        }
        let refunded: i64 = s.refunds.values().filter(|r| r.0 == id).map(|r| r.1).sum();
        if amount <= 0 || refunded + amount > p.amount {
            return (StatusCode::BAD_REQUEST, Json(json!({"title": "Invalid request", "detail": "the refund is more than the payment's remaining amount"})));
        }
        let refund_id = format!("ref_{}", uuid::Uuid::new_v4().simple());
        s.refunds.insert(refund_id.clone(), (id.clone(), amount, "pending".into()));
        s.refund_keys.insert(key, refund_id.clone());
        (StatusCode::CREATED, Json(json!({"id": refund_id})))
    })
}

/// `GET /v3/payments/{id}/refunds/{refund_id}`.
async fn refund_status(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Path((id, refund_id)): Path<(String, String)>,
) -> (StatusCode, Json<Value>) {
    if !authorised(&headers) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"title": "Unauthorized"})));
    }
    fake.with(|s| match s.refunds.get(&refund_id) {
        Some((payment, amount, status)) if *payment == id => (
            StatusCode::OK,
            Json(json!({"id": refund_id, "amount_in_minor": amount, "currency": "GBP", "status": status})),
        ),
        _ => (StatusCode::NOT_FOUND, Json(json!({"title": "Not Found"}))),
    })
}

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// A P-521 key from a seed (a scalar well below the curve's order).
fn key(seed: u8) -> SigningKey {
    let mut bytes = [seed; 66];
    bytes[0] = 0;
    SigningKey::from_slice(&bytes).expect("a P-521 key")
}

/// The fake's published webhook key, as a JWKS.
fn jwks_of(signing: &SigningKey) -> Value {
    let public = VerifyingKey::from(signing).to_encoded_point(false);
    json!({"keys": [{
        "kty": "EC", "crv": "P-521", "alg": "ES512", "use": "sig", "kid": KID,
        "x": URL_SAFE_NO_PAD.encode(public.x().expect("x")),
        "y": URL_SAFE_NO_PAD.encode(public.y().expect("y")),
    }]})
}

/// How a test signs a notice: the key, the `kid` and `jku` it names, and its timestamp.
struct Signing {
    key: SigningKey,
    kid: String,
    jku: String,
    at: i64,
}

impl Signing {
    /// As TrueLayer signs (the fake's published key), now.
    fn truelayer(fake_url: &str) -> Signing {
        Signing {
            key: key(7),
            kid: KID.into(),
            jku: format!("{fake_url}/.well-known/jwks"),
            at: now_s(),
        }
    }

    /// The `Tl-Signature` of `body` with `timestamp` as its signed header (TrueLayer's v2 scheme).
    fn tl_signature(&self, timestamp: &str, body: &str) -> String {
        let header = json!({"alg": "ES512", "kid": self.kid, "tl_version": "2",
            "tl_headers": "X-Tl-Webhook-Timestamp", "jku": self.jku});
        let header = URL_SAFE_NO_PAD.encode(header.to_string());
        let payload = format!("POST /api/v1/webhooks/truelayer\nX-Tl-Webhook-Timestamp: {timestamp}\n{body}");
        let signature: Signature = self
            .key
            .sign(format!("{header}.{}", URL_SAFE_NO_PAD.encode(payload)).as_bytes());
        format!("{header}..{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }
}

fn rfc3339(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .expect("a time")
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Sends a notice to the cloud's webhook, signed by `signing`.
async fn send_notice(cloud_url: &str, notice: &Value, signing: &Signing) -> (u16, Value) {
    let body = notice.to_string();
    let timestamp = rfc3339(signing.at);
    let signature = signing.tl_signature(&timestamp, &body);
    send_signed(cloud_url, &body, &timestamp, &signature).await
}

/// Sends `body` with a given timestamp header and `Tl-Signature`.
async fn send_signed(cloud_url: &str, body: &str, timestamp: &str, signature: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{cloud_url}/api/v1/webhooks/truelayer"))
        .header("content-type", "application/json")
        .header("x-tl-webhook-timestamp", timestamp)
        .header("tl-signature", signature)
        .body(body.to_owned())
        .send()
        .await
        .expect("the cloud answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn start_fake() -> (Fake, String, tokio::task::JoinHandle<()>) {
    let fake = Fake::default();
    let app = Router::new()
        .route("/connect/token", post(token))
        .route("/v3/payments", post(create))
        .route("/v3/payments/{id}", get(status))
        .route("/v3/payments/{id}/actions/cancel", post(cancel))
        .route("/.well-known/jwks", get(|| async { Json(jwks_of(&key(7))) }))
        .route("/v3/payments/{id}/refunds", post(refund))
        .route("/v3/payments/{id}/refunds/{refund_id}", get(refund_status))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    fake.with(|s| s.jwks_url = format!("{url}/.well-known/jwks"));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (fake, url, task)
}

fn payment_id(session: &Value) -> String {
    let url = session["url"].as_str().expect("a page");
    let start = url.find("payment_id=").expect("payment_id") + "payment_id=".len();
    url[start..].split('&').next().expect("id").to_owned()
}

async fn events_of(cloud: &Cloud, attempt: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT data FROM feed WHERE topic = 'payment.processed' ORDER BY seq")
        .fetch_all(&cloud.server().state.db.pool)
        .await
        .expect("feed");
    rows.iter()
        .filter_map(|(d,)| {
            let v: Value = serde_json::from_str(d).ok()?;
            (v["session"]["attempt_id"] == attempt)
                .then(|| v["session"]["status"].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

fn attempt() -> String {
    format!("fynlo-pbb-{}", uuid::Uuid::now_v7())
}

async fn the_truelayer_adapter_follows_its_payments_through_signed_webhooks(backend: Backend) {
    let (fake, fake_url, fake_task) = start_fake().await;
    let cloud = Cloud::start_with(backend, |c| {
        c.bank_provider = "truelayer".into();
        c.truelayer = fynlo_cloud::payments::truelayer::TrueLayerConfig {
            api_url: fake_url.clone(),
            auth_url: fake_url.clone(),
            hpp_url: "https://pay.example/hpp".into(),
            return_uri: "https://fynlo.example/paid".into(),
            client_id: "fynlo-test".into(),
            client_secret: "client-secret-x".into(),
            merchant_account_id: "ma-1".into(),
            webhook_jwks_url: format!("{fake_url}/.well-known/jwks"),
            timeout_seconds: 1,
        };
    })
    .await;
    // The secrets never show in the configuration's Debug (what logs would print).
    let shown = format!("{:?}", cloud.server().state.config);
    assert!(!shown.contains("client-secret-x"), "{shown}");
    let tl = Signing::truelayer(&fake_url);
    let owner = cloud.restaurant("Lane Bistro").await;
    let till = Till::new();
    let device = cloud.pair(&owner, &till, "Counter").await;

    // Made once: the hosted page carries the provider's id and resource token; the key went as
    // Idempotency-Key; the same request again does not call the provider again.
    let paid = attempt();
    let (status, made) = cloud.payment_session(&device, &paid, 2450).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["provider"], "truelayer");
    let url = made["url"].as_str().expect("url");
    assert!(
        url.starts_with("https://pay.example/hpp/?payment_id=pay_") && url.contains("resource_token=rt_"),
        "{url}"
    );
    assert!(url.contains("return_uri=https%3A%2F%2Ffynlo.example%2Fpaid"), "{url}");
    let (status, again) = cloud.payment_session(&device, &paid, 2450).await;
    assert_eq!((status, &again["url"]), (200, &made["url"]));
    assert_eq!(fake.with(|s| s.keys_seen.clone()), std::slice::from_ref(&paid));
    let pay_id = payment_id(&made);

    // Executed at the provider; its notice moves the session, once, however often it comes.
    fake.with(|s| s.payments.get_mut(&pay_id).expect("payment").status = "executed".into());
    let notice = json!({"type": "payment_executed", "event_id": "evt_1", "payment_id": pay_id, "amount_in_minor": 2450, "currency": "GBP"});
    let (status, body) = send_notice(&cloud.url, &notice, &tl).await;
    assert_eq!((status, &body["received"]), (200, &json!(true)), "{body}");
    assert_eq!(cloud.payment_session_of(&device, &paid).await["status"], "executed");
    let (status, body) = send_notice(&cloud.url, &notice, &tl).await;
    assert_eq!(
        (status, &body["duplicate"]),
        (200, &json!(true)),
        "a replay of the same event"
    );
    assert_eq!(events_of(&cloud, &paid).await, ["executed"]);

    // Bad, stale, missing signatures: refused, nothing changes.
    let settled = json!({"type": "payment_settled", "event_id": "evt_2", "payment_id": pay_id});
    fake.with(|s| s.payments.get_mut(&pay_id).expect("payment").status = "settled".into());
    let another_key = Signing {
        key: key(9),
        ..Signing::truelayer(&fake_url)
    };
    assert_eq!(
        send_notice(&cloud.url, &settled, &another_key).await.0,
        401,
        "another key, the same kid"
    );
    let elsewhere = Signing {
        jku: "https://keys.attacker.example/jwks".into(),
        key: key(9),
        ..Signing::truelayer(&fake_url)
    };
    assert_eq!(
        send_notice(&cloud.url, &settled, &elsewhere).await.0,
        401,
        "keys from another address"
    );
    let unknown = Signing {
        kid: "another-kid".into(),
        ..Signing::truelayer(&fake_url)
    };
    assert_eq!(
        send_notice(&cloud.url, &settled, &unknown).await.0,
        401,
        "a key TrueLayer does not publish"
    );
    let stale = Signing {
        at: now_s() - 3_600,
        ..Signing::truelayer(&fake_url)
    };
    assert_eq!(
        send_notice(&cloud.url, &settled, &stale).await.0,
        401,
        "a replay an hour later"
    );
    // Signed for one body, sent with another (or with another timestamp): refused.
    let stamp = rfc3339(now_s());
    let signed = tl.tl_signature(&stamp, &settled.to_string());
    let tampered = json!({"type": "payment_settled", "event_id": "evt_2", "payment_id": "pay_other"}).to_string();
    assert_eq!(
        send_signed(&cloud.url, &tampered, &stamp, &signed).await.0,
        401,
        "another body"
    );
    assert_eq!(
        send_signed(&cloud.url, &settled.to_string(), &rfc3339(now_s() - 1), &signed)
            .await
            .0,
        401,
        "another timestamp"
    );
    assert_eq!(
        send_signed(&cloud.url, &settled.to_string(), &stamp, "not.a.jws")
            .await
            .0,
        401
    );
    let unsigned = reqwest::Client::new()
        .post(format!("{}/api/v1/webhooks/truelayer", cloud.url))
        .header("content-type", "application/json")
        .body(settled.to_string())
        .send()
        .await
        .expect("answers");
    assert_eq!(unsigned.status().as_u16(), 401);
    assert_eq!(
        events_of(&cloud, &paid).await,
        ["executed"],
        "nothing moved on a refused notice"
    );
    // The real one settles it.
    assert_eq!(send_notice(&cloud.url, &settled, &tl).await.0, 200);
    assert_eq!(events_of(&cloud, &paid).await, ["executed", "settled"]);

    // A notice for a payment nobody knows changes nothing.
    let stray = json!({"type": "payment_executed", "event_id": "evt_3", "payment_id": "pay_nobody"});
    assert_eq!(send_notice(&cloud.url, &stray, &tl).await.0, 200);

    // Another amount: the notice's, or the provider's own answer: nothing moves.
    let other = attempt();
    let (_, made) = cloud.payment_session(&device, &other, 990).await;
    let other_id = payment_id(&made);
    fake.with(|s| s.payments.get_mut(&other_id).expect("payment").status = "executed".into());
    let wrong = json!({"type": "payment_executed", "event_id": "evt_4", "payment_id": other_id, "amount_in_minor": 1});
    assert_eq!(send_notice(&cloud.url, &wrong, &tl).await.0, 200);
    assert!(events_of(&cloud, &other).await.is_empty());
    fake.with(|s| s.amount_override = Some(1));
    let right = json!({"type": "payment_executed", "event_id": "evt_5", "payment_id": other_id});
    assert_eq!(send_notice(&cloud.url, &right, &tl).await.0, 200);
    assert!(
        events_of(&cloud, &other).await.is_empty(),
        "the provider's amount differs from ours"
    );
    fake.with(|s| s.amount_override = None);

    // Declined at the bank.
    let declined = attempt();
    let (_, made) = cloud.payment_session(&device, &declined, 700).await;
    let declined_id = payment_id(&made);
    fake.with(|s| {
        let p = s.payments.get_mut(&declined_id).expect("payment");
        p.status = "failed".into();
        p.failure = Some("authorization_failed".into());
    });
    let notice = json!({"type": "payment_failed", "event_id": "evt_6", "payment_id": declined_id});
    assert_eq!(send_notice(&cloud.url, &notice, &tl).await.0, 200);
    let now = cloud.payment_session_of(&device, &declined).await;
    assert_eq!(
        (now["status"].as_str(), now["failure"].as_str()),
        (Some("failed"), Some("authorization_failed"))
    );

    // A provider slower than the timeout: the session is answered as it was, no error.
    let slow = attempt();
    cloud.payment_session(&device, &slow, 500).await;
    fake.with(|s| s.slow_status = Some(Duration::from_secs(2)));
    cloud.server().state.clock.advance(2_000);
    let now = cloud.payment_session_of(&device, &slow).await;
    assert_eq!(now["status"], "authorization_required");
    fake.with(|s| s.slow_status = None);

    // The create's answer lost (the provider made it): 503; asked again, the same payment is found by
    // its key — one payment at the provider.
    let lost = attempt();
    fake.with(|s| s.slow_create = Some(Duration::from_secs(2)));
    let before = fake.with(|s| s.payments.len());
    let (status, body) = cloud.payment_session(&device, &lost, 1200).await;
    assert_eq!((status, body["code"].as_str()), (503, Some("unavailable")), "{body}");
    let (status, made) = cloud.payment_session(&device, &lost, 1200).await;
    assert_eq!(status, 200, "{made}");
    assert!(made["url"].as_str().is_some_and(|u| u.contains("payment_id=pay_")));
    assert_eq!(
        fake.with(|s| s.payments.len()),
        before + 1,
        "one payment at the provider"
    );

    // The provider's notice before its answer to the create: the session ends executed, once.
    let early = attempt();
    fake.with(|s| s.webhook_first = Some(cloud.url.clone()));
    let (status, made) = cloud.payment_session(&device, &early, 3000).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["status"], "executed", "{made}");
    assert!(made["url"].as_str().is_some(), "{made}");
    assert_eq!(events_of(&cloud, &early).await, ["executed"]);

    // Cancelled by the till: cancelled at the provider too.
    let cancelled = attempt();
    let (_, made) = cloud.payment_session(&device, &cancelled, 400).await;
    let cancelled_id = payment_id(&made);
    let (status, body) = cloud
        .post(
            &format!("/api/v1/payments/sessions/{cancelled}/cancel"),
            Some(&device.access),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, body["status"].as_str(), body["failure"].as_str()),
        (200, Some("failed"), Some("cancelled"))
    );
    assert_eq!(fake.with(|s| s.payments[&cancelled_id].status.clone()), "failed");

    // Refunds of the executed payment go back through TrueLayer with the till's key: pending until
    // TrueLayer says executed; the same key again is the same refund; past the payment's amount is
    // refused (failed, with TrueLayer's reason).
    let refunds = format!("/api/v1/payments/sessions/{paid}/refunds");
    let (status, first) = cloud
        .post(
            &refunds,
            Some(&device.access),
            json!({"refund_key": "fynlo-pbb-r1", "amount": 450}),
        )
        .await;
    assert_eq!(
        (status, first["status"].as_str(), first["provider"].as_str()),
        (201, Some("pending"), Some("truelayer")),
        "{first}"
    );
    assert_eq!(
        fake.with(|s| s.refund_keys.keys().cloned().collect::<Vec<_>>()),
        ["fynlo-pbb-r1"]
    );
    fake.with(|s| s.refunds.values_mut().for_each(|r| r.2 = "executed".into()));
    let (status, now) = cloud.get("/api/v1/payments/refunds/fynlo-pbb-r1", &device.access).await;
    assert_eq!(
        (status, now["status"].as_str(), now["amount"].as_i64()),
        (200, Some("succeeded"), Some(450)),
        "{now}"
    );
    let (status, again) = cloud
        .post(
            &refunds,
            Some(&device.access),
            json!({"refund_key": "fynlo-pbb-r1", "amount": 450}),
        )
        .await;
    assert_eq!(
        (status, &again["id"], again["status"].as_str()),
        (200, &first["id"], Some("succeeded"))
    );
    let (status, over) = cloud
        .post(
            &refunds,
            Some(&device.access),
            json!({"refund_key": "fynlo-pbb-r2", "amount": 2001}),
        )
        .await;
    assert_eq!((status, over["status"].as_str()), (201, Some("failed")), "{over}");
    assert!(
        over["failure"]
            .as_str()
            .is_some_and(|f| f.contains("more than is left")),
        "{over}"
    );
    assert_eq!(
        fake.with(|s| s.refunds.len()),
        1,
        "the cloud refused it before asking TrueLayer"
    );

    // The sandbox's pages are not served when TrueLayer is the provider.
    let (status, _) = cloud.call("GET", "/sandbox/pay/sbx_anything", None, None).await;
    assert_eq!(status, 404);
    fake_task.abort();
}
