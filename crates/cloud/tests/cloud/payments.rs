//! Pay by bank with the sandbox provider: a session made once per attempt, the customer's hosted page,
//! the status followed forward only with a live `payment.processed` event per move, expiry after 15
//! minutes (the server's clock moved on), cancellation, decline, a payment returned after it was
//! executed (flagged for managers), and another restaurant reaching none of it.

use serde_json::{json, Value};

use crate::{
    hub::{authenticated, next},
    support::{Backend, Cloud, Login, Till},
};

crate::both!(
    a_session_is_made_once_per_attempt_and_paid_on_the_sandbox_page,
    declined_expired_cancelled_and_returned_payments_end_as_they_should,
    the_sandbox_clock_moves_only_where_it_is_switched_on,
    refunds_go_back_through_the_provider_once_and_never_past_what_was_paid
);

/// An attempt key as a till makes them.
fn new_attempt() -> String {
    format!("fynlo-{}", uuid::Uuid::now_v7())
}

/// The customer's page: status and HTML.
async fn page(cloud: &Cloud, url: &str, action: Option<&str>) -> (u16, String) {
    let path = url.strip_prefix(&cloud.url).expect("the page is on this server");
    let (status, body) = match action {
        None => cloud.call("GET", path, None, None).await,
        Some(action) => cloud.call("POST", &format!("{path}/{action}"), None, None).await,
    };
    (status, body.as_str().unwrap_or_default().to_owned())
}

async fn status_of(cloud: &Cloud, who: &Login, attempt: &str) -> (String, Value) {
    let body = cloud.payment_session_of(who, attempt).await;
    (body["status"].as_str().expect("status").to_owned(), body)
}

/// The `payment.processed` events on a socket until one says `status`; the statuses seen.
async fn events_until(ws: &mut crate::hub::Socket, attempt: &str, status: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for _ in 0..20 {
        let event = next(ws).await;
        if event["topic"] != "payment.processed" || event["data"]["session"]["attempt_id"] != attempt {
            continue;
        }
        let now = event["data"]["session"]["status"].as_str().expect("status").to_owned();
        seen.push(now.clone());
        if now == status {
            return seen;
        }
    }
    panic!("no {status} event: {seen:?}");
}

async fn a_session_is_made_once_per_attempt_and_paid_on_the_sandbox_page(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Bank & Bread").await;
    let till = Till::new();
    let device = cloud.pair(&owner, &till, "Counter").await;
    let (mut ws, _) = authenticated(&cloud.url, &device).await;
    let attempt = new_attempt();
    let (status, made) = cloud.payment_session(&device, &attempt, 1250).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["status"], "authorization_required");
    assert_eq!(made["provider"], "sandbox");
    let expires = made["expires_at"].as_i64().expect("expiry") - made["created_at"].as_i64().expect("made");
    assert_eq!(expires, 15 * 60 * 1000, "15 minutes, set explicitly");
    let url = made["url"].as_str().expect("the hosted page").to_owned();
    // The same attempt again is the same session; another amount for it, or bad input, is refused.
    let (status, again) = cloud.payment_session(&device, &attempt, 1250).await;
    assert_eq!((status, &again["id"], &again["url"]), (200, &made["id"], &made["url"]));
    assert_eq!(cloud.payment_session(&device, &attempt, 1300).await.0, 409);
    for bad in [
        json!({"attempt_id": "no pe", "amount": 100, "currency": "GBP"}),
        json!({"attempt_id": "", "amount": 100, "currency": "GBP"}),
        json!({"attempt_id": "k".repeat(81), "amount": 100, "currency": "GBP"}),
        json!({"attempt_id": new_attempt(), "amount": 0, "currency": "GBP"}),
        json!({"attempt_id": new_attempt(), "amount": 10_000_001, "currency": "GBP"}),
        json!({"attempt_id": new_attempt(), "amount": 100, "currency": "EUR"}),
        json!({"attempt_id": new_attempt(), "amount": 100, "currency": "GBP", "order_id": "x"}),
        json!({"attempt_id": new_attempt(), "amount": 100, "currency": "GBP", "tip": 1}),
    ] {
        let (status, body) = cloud
            .post("/api/v1/payments/sessions", Some(&device.access), bad.clone())
            .await;
        assert_eq!(status, 400, "{bad} → {body}");
    }
    // Only a till asks for sessions.
    let (status, _) = cloud.payment_session(&owner, &new_attempt(), 100).await;
    assert_eq!(status, 403);
    // The customer opens the page: the amount and who they pay, and the payment is authorizing.
    let (status, html) = page(&cloud, &url, None).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("£12.50") && html.contains("Bank &amp; Bread"), "{html}");
    assert!(html.contains("id=\"approve\"") && html.contains("id=\"decline\""));
    assert_eq!(status_of(&cloud, &device, &attempt).await.0, "authorizing");
    // Approve: the till hears `executed` live, without asking.
    let (status, html) = page(&cloud, &url, Some("approve")).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-status=\"executed\""), "{html}");
    let seen = events_until(&mut ws, &attempt, "executed").await;
    assert_eq!(seen, ["authorizing", "executed"], "one event per move, in order");
    let (now, body) = status_of(&cloud, &owner, &attempt).await;
    assert_eq!(now, "executed", "{body}");
    // Tapping again changes nothing; after the settlement delay the reconciliation settles it.
    page(&cloud, &url, Some("approve")).await;
    page(&cloud, &url, Some("decline")).await;
    assert_eq!(status_of(&cloud, &device, &attempt).await.0, "executed");
    let state = &cloud.server().state;
    state.clock.advance(61_000);
    fynlo_cloud::payments::reconcile_once(state).await.expect("reconciles");
    assert_eq!(events_until(&mut ws, &attempt, "settled").await, ["settled"]);
    let (now, body) = status_of(&cloud, &device, &attempt).await;
    assert_eq!((now.as_str(), &body["flagged"]), ("settled", &json!(false)));
    // Cancelling a paid session leaves it paid.
    let (status, body) = cloud
        .post(
            &format!("/api/v1/payments/sessions/{attempt}/cancel"),
            Some(&device.access),
            json!({}),
        )
        .await;
    assert_eq!((status, body["status"].as_str()), (200, Some("settled")));
}

async fn declined_expired_cancelled_and_returned_payments_end_as_they_should(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Kettle").await;
    let till = Till::new();
    let device = cloud.pair(&owner, &till, "Counter").await;
    let state = &cloud.server().state;
    // Declined on the page.
    let declined = new_attempt();
    let (_, made) = cloud.payment_session(&device, &declined, 800).await;
    let url = made["url"].as_str().expect("url").to_owned();
    let (_, html) = page(&cloud, &url, Some("decline")).await;
    assert!(html.contains("data-status=\"failed\""), "{html}");
    let (now, body) = status_of(&cloud, &device, &declined).await;
    assert_eq!((now.as_str(), body["failure"].as_str()), ("failed", Some("declined")));
    // Expired: 15 minutes pass unpaid; the page then takes no approval.
    let late = new_attempt();
    let (_, made) = cloud.payment_session(&device, &late, 900).await;
    let late_url = made["url"].as_str().expect("url").to_owned();
    state.clock.advance(15 * 60 * 1000 + 1_000);
    let (now, body) = status_of(&cloud, &device, &late).await;
    assert_eq!((now.as_str(), body["failure"].as_str()), ("failed", Some("expired")));
    let (_, html) = page(&cloud, &late_url, Some("approve")).await;
    assert!(html.contains("expired"), "{html}");
    assert_eq!(status_of(&cloud, &device, &late).await.0, "failed");
    // Cancelled by the till (another till of the restaurant cannot).
    let cancelled = new_attempt();
    cloud.payment_session(&device, &cancelled, 700).await;
    let other_till = Till::new();
    let other = cloud.pair(&owner, &other_till, "Bar").await;
    // Another till of the restaurant cannot take over the attempt by sending its key.
    let (status, body) = cloud.payment_session(&other, &cancelled, 700).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("conflict")), "{body}");
    let cancel = format!("/api/v1/payments/sessions/{cancelled}/cancel");
    assert_eq!(cloud.post(&cancel, Some(&other.access), json!({})).await.0, 404);
    let (status, body) = cloud.post(&cancel, Some(&device.access), json!({})).await;
    assert_eq!(
        (status, body["status"].as_str(), body["failure"].as_str()),
        (200, Some("failed"), Some("cancelled"))
    );
    // Executed, then returned at settlement: failed, and flagged for managers.
    let returned = new_attempt();
    let (_, made) = cloud.payment_session(&device, &returned, 1500).await;
    let url = made["url"].as_str().expect("url").to_owned();
    page(&cloud, &url, Some("bounce")).await;
    assert_eq!(status_of(&cloud, &device, &returned).await.0, "executed");
    state.clock.advance(61_000);
    fynlo_cloud::payments::reconcile_once(state).await.expect("reconciles");
    let (now, body) = status_of(&cloud, &device, &returned).await;
    assert_eq!(
        (now.as_str(), body["failure"].as_str(), &body["flagged"]),
        ("failed", Some("returned"), &json!(true))
    );
    let (status, flagged) = cloud.get("/api/v1/payments/flagged", &owner.access).await;
    assert_eq!(status, 200, "{flagged}");
    let listed: Vec<&str> = flagged
        .as_array()
        .expect("list")
        .iter()
        .map(|s| s["attempt_id"].as_str().expect("attempt"))
        .collect();
    assert_eq!(listed, [returned.as_str()]);
    // A till of the restaurant may list them too, for its manager screen (the till checks who asks).
    let (status, by_till) = cloud.get("/api/v1/payments/flagged", &device.access).await;
    assert_eq!((status, &by_till), (200, &flagged));
    // Each move was one event, whatever asked (page, poll, till): count them.
    let rows: Vec<(String,)> = sqlx::query_as("SELECT data FROM feed WHERE topic = 'payment.processed' ORDER BY seq")
        .fetch_all(&state.db.pool)
        .await
        .expect("feed");
    let moves: Vec<(String, String)> = rows
        .iter()
        .map(|(d,)| {
            let v: Value = serde_json::from_str(d).expect("json");
            (
                v["session"]["attempt_id"].as_str().expect("attempt").to_owned(),
                v["session"]["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect();
    let of = |a: &str| -> Vec<&str> { moves.iter().filter(|(x, _)| x == a).map(|(_, s)| s.as_str()).collect() };
    assert_eq!(of(&declined), ["failed"], "declined before the page was ever shown");
    assert_eq!(of(&late), ["failed"]);
    assert_eq!(of(&cancelled), ["failed"]);
    assert_eq!(of(&returned), ["executed", "failed"]);
    // Another restaurant reaches none of it; an unknown page is not found.
    let stranger = cloud.restaurant("Elsewhere").await;
    let stranger_till = Till::new();
    let stranger_device = cloud.pair(&stranger, &stranger_till, "Counter").await;
    for who in [&stranger, &stranger_device] {
        let (status, _) = cloud
            .get(&format!("/api/v1/payments/sessions/{returned}"), &who.access)
            .await;
        assert_eq!(status, 404);
    }
    assert_eq!(
        cloud.post(&cancel, Some(&stranger_device.access), json!({})).await.0,
        404
    );
    let (_, theirs) = cloud.get("/api/v1/payments/flagged", &stranger.access).await;
    assert_eq!(theirs, json!([]));
    let (_, theirs) = cloud.get("/api/v1/payments/flagged", &stranger_device.access).await;
    assert_eq!(theirs, json!([]));
    let (status, _) = page(
        &cloud,
        &format!("{}/sandbox/pay/sbx_nothing", cloud.url),
        Some("approve"),
    )
    .await;
    assert_eq!(status, 404);
}

/// `POST /sandbox/clock` (for the end-to-end tests and demos) is an unknown route unless the server was
/// started with `sandbox_clock`; then it takes one bounded move forward, and a QR code's session expires
/// by it.
async fn the_sandbox_clock_moves_only_where_it_is_switched_on(backend: Backend) {
    let plain = Cloud::start(backend).await;
    let (status, body) = plain.post("/sandbox/clock", None, json!({"advance_ms": 1000})).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")), "{body}");
    drop(plain);

    let cloud = Cloud::start_with(backend, |c| c.sandbox_clock = true).await;
    let owner = cloud.restaurant("Clockwork").await;
    let till = Till::new();
    let device = cloud.pair(&owner, &till, "Counter").await;
    let attempt = new_attempt();
    cloud.payment_session(&device, &attempt, 700).await;
    for bad in [
        json!({"advance_ms": 0}),
        json!({"advance_ms": -5}),
        json!({"advance_ms": 86_400_001}),
        json!({"ms": 5}),
        json!([]),
    ] {
        let (status, body) = cloud.post("/sandbox/clock", None, bad.clone()).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("invalid_input")),
            "{bad}: {body}"
        );
    }
    assert_eq!(
        status_of(&cloud, &device, &attempt).await.0,
        "authorization_required",
        "nothing moved"
    );
    let before = cloud.server().state.clock.now();
    let (status, body) = cloud
        .post("/sandbox/clock", None, json!({"advance_ms": 15 * 60 * 1000 + 1000}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["now"]
            .as_i64()
            .is_some_and(|now| now >= before + 15 * 60 * 1000 + 1000),
        "{body}"
    );
    let (now, body) = status_of(&cloud, &device, &attempt).await;
    assert_eq!((now.as_str(), body["failure"].as_str()), ("failed", Some("expired")));
}

/// A till refunds a paid session through the sandbox bank: part, the same refund again (the same
/// answer), the same key for another amount (refused), past what is left (failed, nothing sent), the
/// rest; an unpaid session cannot be refunded; a manager's token cannot send money (a till's refund is
/// approved on the till); another restaurant reaches none of it.
async fn refunds_go_back_through_the_provider_once_and_never_past_what_was_paid(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Refund Rooms").await;
    let till = Till::new();
    let device = cloud.pair(&owner, &till, "Counter").await;
    let paid = new_attempt();
    let (_, made) = cloud.payment_session(&device, &paid, 1000).await;
    let url = made["url"].as_str().expect("url").to_owned();
    let refunds = format!("/api/v1/payments/sessions/{paid}/refunds");

    // Not paid yet: nothing to refund.
    let (status, body) = cloud
        .post(
            &refunds,
            Some(&device.access),
            json!({"refund_key": "fynlo-pbb-1", "amount": 100}),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("conflict")), "{body}");
    page(&cloud, &url, Some("approve")).await;

    let (status, first) = cloud
        .post(
            &refunds,
            Some(&device.access),
            json!({"refund_key": "fynlo-pbb-1", "amount": 300}),
        )
        .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        (
            first["status"].as_str(),
            first["amount"].as_i64(),
            first["attempt_id"].as_str()
        ),
        (Some("succeeded"), Some(300), Some(paid.as_str()))
    );
    let (status, again) = cloud
        .post(
            &refunds,
            Some(&device.access),
            json!({"refund_key": "fynlo-pbb-1", "amount": 300}),
        )
        .await;
    assert_eq!((status, &again["id"]), (200, &first["id"]), "the same refund");
    let (status, body) = cloud
        .post(
            &refunds,
            Some(&device.access),
            json!({"refund_key": "fynlo-pbb-1", "amount": 200}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    for bad in [
        json!({"refund_key": "x y", "amount": 10}),
        json!({"refund_key": "k", "amount": 0}),
        json!({"refund_key": "k", "amount": 1001}),
        json!({"amount": 5}),
    ] {
        let (status, body) = cloud.post(&refunds, Some(&device.access), bad.clone()).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    // 700 are left: 800 is refused before the bank is asked, and sends nothing.
    let (status, over) = cloud
        .post(
            &refunds,
            Some(&device.access),
            json!({"refund_key": "fynlo-pbb-2", "amount": 800}),
        )
        .await;
    assert_eq!((status, over["status"].as_str()), (201, Some("failed")), "{over}");
    let (status, rest) = cloud
        .post(
            &refunds,
            Some(&device.access),
            json!({"refund_key": "fynlo-pbb-3", "amount": 700}),
        )
        .await;
    assert_eq!((status, rest["status"].as_str()), (201, Some("succeeded")), "{rest}");
    let (status, more) = cloud
        .post(
            &refunds,
            Some(&device.access),
            json!({"refund_key": "fynlo-pbb-4", "amount": 1}),
        )
        .await;
    assert_eq!((status, more["status"].as_str()), (201, Some("failed")), "{more}");
    let sent: (i64,) = sqlx::query_as("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM sandbox_refunds")
        .fetch_one(&cloud.server().state.db.pool)
        .await
        .expect("the sandbox's refunds");
    assert_eq!(sent.0, 1000, "the bank sent back exactly what was paid");
    let (status, found) = cloud.get("/api/v1/payments/refunds/fynlo-pbb-3", &device.access).await;
    assert_eq!((status, found["amount"].as_i64()), (200, Some(700)));
    let (status, found) = cloud.get("/api/v1/payments/refunds/fynlo-pbb-3", &owner.access).await;
    assert_eq!(status, 200, "a manager may look: {found}");
    assert_eq!(
        cloud
            .get("/api/v1/payments/refunds/fynlo-pbb-none", &device.access)
            .await
            .0,
        404
    );

    // A manager's token is not a till: refunds are made (and approved) on a till.
    let (status, _) = cloud
        .post(
            &refunds,
            Some(&owner.access),
            json!({"refund_key": "fynlo-pbb-5", "amount": 1}),
        )
        .await;
    assert_eq!(status, 403);

    // Another restaurant: its till finds neither the session nor the refund.
    let other = cloud.restaurant("Elsewhere").await;
    let other_till = Till::new();
    let other_device = cloud.pair(&other, &other_till, "Theirs").await;
    let (status, _) = cloud
        .post(
            &refunds,
            Some(&other_device.access),
            json!({"refund_key": "fynlo-pbb-6", "amount": 1}),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        cloud
            .get("/api/v1/payments/refunds/fynlo-pbb-1", &other_device.access)
            .await
            .0,
        404
    );
}
