//! The WebSocket hub: authentication first and in time, resume from a sequence, live events in order,
//! heartbeats, dropping clients that stop answering or fall behind, and events crossing instances.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::{
    isolation::read_until_close,
    support::{config, Backend, Cloud, Login, Till},
};

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

crate::both!(
    a_socket_authenticates_first_then_resumes_and_gets_live_events_in_order,
    a_socket_must_authenticate_in_time_with_a_valid_token
);

async fn connect(base: &str, restaurant: &str) -> Socket {
    let url = format!("{}/ws/pos/{restaurant}", base.replace("http", "ws"));
    tokio_tungstenite::connect_async(&url).await.expect("connects").0
}

async fn send(ws: &mut Socket, message: Value) {
    ws.send(Message::Text(message.to_string().into())).await.expect("send");
}

/// The next JSON message (pings are answered by the client library as it reads).
pub async fn next(ws: &mut Socket) -> Value {
    for _ in 0..1_000 {
        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return serde_json::from_str(text.as_str()).expect("json"),
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            other => panic!("expected a message, got {other:?}"),
        }
    }
    panic!("no message");
}

pub async fn authenticated(base: &str, who: &Login) -> (Socket, u64) {
    let mut ws = connect(base, &who.restaurant).await;
    send(&mut ws, json!({"type": "authenticate", "token": who.access})).await;
    let hello = next(&mut ws).await;
    assert_eq!(hello["type"], "authenticated", "{hello}");
    (ws, hello["latest"].as_u64().expect("latest"))
}

async fn a_socket_authenticates_first_then_resumes_and_gets_live_events_in_order(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Kettle").await;
    let mut till = Till::new();
    let device = cloud.pair(&owner, &till, "Counter").await;
    let (id, open) = till.open();
    let add = till.add(id, "burger");
    cloud.push(&device, &[open, add]).await;
    let (mut ws, latest) = authenticated(&cloud.url, &owner).await;
    assert_eq!(latest, 2);
    // What it missed.
    send(&mut ws, json!({"type": "resume", "after": 0})).await;
    let first = next(&mut ws).await;
    assert_eq!(
        (first["seq"].as_u64(), first["topic"].as_str()),
        (Some(1), Some("order.created")),
        "{first}"
    );
    assert_eq!(first["data"]["order_id"], id.to_string());
    let second = next(&mut ws).await;
    assert_eq!(
        (second["seq"].as_u64(), second["topic"].as_str()),
        (Some(2), Some("order.updated"))
    );
    assert_eq!(second["data"]["total"], 1295);
    // Live: a payment completes the order; then a menu is published.
    let pay = till.pay_cash(id);
    cloud.push(&device, &[pay]).await;
    let mut topics = Vec::new();
    let mut seqs = Vec::new();
    for _ in 0..3 {
        let event = next(&mut ws).await;
        seqs.push(event["seq"].as_u64().expect("seq"));
        topics.push(event["topic"].as_str().expect("topic").to_owned());
    }
    assert_eq!(topics, ["order.updated", "order.status_changed", "payment.processed"]);
    assert_eq!(seqs, [3, 4, 5]);
    cloud
        .call(
            "PUT",
            "/api/v1/menu",
            Some(&owner.access),
            Some(crate::support::menu_json()),
        )
        .await;
    let menu = next(&mut ws).await;
    assert_eq!(
        (menu["seq"].as_u64(), menu["topic"].as_str()),
        (Some(6), Some("menu.updated"))
    );
    send(&mut ws, json!({"type": "heartbeat"})).await;
    assert_eq!(next(&mut ws).await, json!({"type": "heartbeat"}));
    // Not the protocol: an error, and the socket stays.
    send(&mut ws, json!({"type": "shutdown"})).await;
    assert_eq!(next(&mut ws).await["code"], "invalid_input");
    // A second client resuming from the middle gets the rest, then live events like the first.
    let (mut late, latest) = authenticated(&cloud.url, &device).await;
    assert_eq!(latest, 6);
    send(&mut late, json!({"type": "resume", "after": 4})).await;
    assert_eq!(next(&mut late).await["seq"], 5);
    assert_eq!(next(&mut late).await["seq"], 6);
    let more = till.op("staff.updated", json!({"id": "jo", "name": "Jo", "role": "cashier"}));
    cloud.push(&device, &[more]).await;
    assert_eq!(next(&mut ws).await["topic"], "staff.updated");
    assert_eq!(next(&mut late).await["seq"], 7);
}

async fn a_socket_must_authenticate_in_time_with_a_valid_token(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Kettle").await;
    let started = Instant::now();
    let mut silent = connect(&cloud.url, &owner.restaurant).await;
    let (error, code) = read_until_close(&mut silent).await;
    assert_eq!(code, Some(4408), "{error}");
    assert!(started.elapsed() >= Duration::from_secs(5), "not before 5 s");
    for first in [
        json!({"type": "heartbeat"}),
        json!({"type": "authenticate", "token": "forged"}),
        json!({"type": "authenticate", "token": owner.access, "extra": 1}),
    ] {
        let mut ws = connect(&cloud.url, &owner.restaurant).await;
        send(&mut ws, first.clone()).await;
        let (error, code) = read_until_close(&mut ws).await;
        assert_eq!(
            (code, error["code"].as_str()),
            (Some(4401), Some("unauthorized")),
            "{first}"
        );
    }
    // A token in the URL is not how it is done: the URL carries only the restaurant.
    let mut ws = connect(&cloud.url, "not-a-restaurant").await;
    send(&mut ws, json!({"type": "authenticate", "token": owner.access})).await;
    let (_, code) = read_until_close(&mut ws).await;
    assert_eq!(code, Some(4403));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_answering_pings_is_dropped() {
    let cloud = Cloud::start_with(Backend::Sqlite, |c| c.ws_ping_seconds = 1).await;
    let owner = cloud.restaurant("Kettle").await;
    let (mut ws, _) = authenticated(&cloud.url, &owner).await;
    // Not reading: the client library answers pings only as it reads.
    tokio::time::sleep(Duration::from_millis(3_500)).await;
    let (_, code) = read_until_close(&mut ws).await;
    assert_eq!(code, Some(4008));
    // One that reads (and so answers) stays.
    let (mut ws, _) = authenticated(&cloud.url, &owner).await;
    let deadline = Instant::now() + Duration::from_millis(3_500);
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(200), ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => panic!("dropped: {frame:?}"),
            Ok(None) => panic!("closed"),
            _ => {}
        }
    }
    send(&mut ws, json!({"type": "heartbeat"})).await;
    assert_eq!(next(&mut ws).await, json!({"type": "heartbeat"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_lives_as_long_as_its_credentials() {
    let cloud = Cloud::start_with(Backend::Sqlite, |c| c.ws_ping_seconds = 1).await;
    let owner = cloud.restaurant("Kettle").await;
    let till = Till::new();
    let device = cloud.pair(&owner, &till, "Counter").await;
    let (mut ws, _) = authenticated(&cloud.url, &device).await;
    // A fresh token on the open socket is taken (how a client keeps a socket past 15 minutes).
    let (_, fresh) = cloud
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": device.refresh}))
        .await;
    send(&mut ws, json!({"type": "authenticate", "token": fresh["access_token"]})).await;
    assert_eq!(next(&mut ws).await["type"], "authenticated");
    send(&mut ws, json!({"type": "resume", "after": 99})).await;
    assert_eq!(next(&mut ws).await["code"], "conflict", "resuming ahead of the feed");
    // The till is revoked: its socket closes within a ping.
    let (status, _) = cloud
        .post(
            &format!("/api/v1/devices/{}/revoke", till.device),
            Some(&owner.access),
            json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let started = Instant::now();
    let (error, code) = read_until_close(&mut ws).await;
    assert_eq!(
        (code, error["code"].as_str()),
        (Some(4401), Some("unauthorized")),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    // Another restaurant's token mid-session closes it too.
    let other = cloud.restaurant("Other").await;
    let (mut ws, _) = authenticated(&cloud.url, &owner).await;
    send(&mut ws, json!({"type": "authenticate", "token": other.access})).await;
    let (_, code) = read_until_close(&mut ws).await;
    assert_eq!(code, Some(4403));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_that_falls_behind_is_cut_off_and_never_holds_up_the_others() {
    let cloud = Cloud::start_with(Backend::Sqlite, |c| c.ws_buffer = 4).await;
    let owner = cloud.restaurant("Kettle").await;
    let mut till = Till::new();
    let device = cloud.pair(&owner, &till, "Counter").await;
    // A subscriber of the hub that never reads, beside a real socket that does.
    let mut stalled = cloud
        .server()
        .state
        .hub
        .subscribe(&owner.restaurant)
        .await
        .expect("subscribes");
    let (mut ws, _) = authenticated(&cloud.url, &owner).await;
    for i in 0..20 {
        let op = till.op(
            "staff.updated",
            json!({"id": format!("s{i}"), "name": "Someone", "role": "cashier"}),
        );
        let (status, _) = cloud.push(&device, &[op]).await;
        assert_eq!(status, 200);
    }
    for seq in 1..=20 {
        assert_eq!(
            next(&mut ws).await["seq"],
            seq,
            "the reading client gets every event in order"
        );
    }
    assert!(
        matches!(
            stalled.recv().await,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_))
        ),
        "the stalled one lagged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_made_through_one_instance_reaches_a_client_of_another() {
    let mut cloud = Cloud::start(Backend::Postgres).await;
    let second = fynlo_cloud::Server::start(config(&cloud.db.url))
        .await
        .expect("second instance");
    let second_url = format!("http://{}", second.addr);
    let owner = cloud.restaurant("Kettle").await;
    let mut till = Till::new();
    let device = cloud.pair(&owner, &till, "Counter").await;
    // Tokens from one instance work on the other: they share the key kept in the database.
    let (mut ws, _) = authenticated(&second_url, &owner).await;
    let started = Instant::now();
    let (id, open) = till.open();
    cloud.push(&device, &[open]).await;
    let event = next(&mut ws).await;
    assert_eq!(
        (event["topic"].as_str(), event["data"]["order_id"].as_str()),
        (Some("order.created"), Some(id.to_string().as_str()))
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    // And the other way round, with a client on the first.
    let (mut ws1, _) = authenticated(&cloud.url, &owner).await;
    let add = till.add(id, "cola");
    let body = serde_json::to_value(fynlo_protocol::PushRequest { ops: vec![add] }).expect("json");
    let response = cloud
        .http
        .post(format!("{second_url}/api/v1/sync/push"))
        .bearer_auth(&device.access)
        .json(&body)
        .send()
        .await
        .expect("push");
    assert_eq!(response.status(), 200);
    assert_eq!(next(&mut ws1).await["seq"], 2);
    assert_eq!(next(&mut ws).await["seq"], 2);
    second.stop(Duration::from_secs(2)).await;
    cloud.stop().await;
}

/// One address may have at most `ws_waiting_per_address` (32) sockets waiting to authenticate: the
/// next is closed at once (1013, `rate_limited`), so one address cannot hold every waiting place and
/// keep the tills out; once its sockets go, a new one authenticates.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_hold_every_place_waiting_to_authenticate() {
    let cloud = Cloud::start(Backend::Sqlite).await;
    let owner = cloud.restaurant("Flooded").await;
    let mut idle = Vec::new();
    for _ in 0..cloud.server().state.config.ws_waiting_per_address {
        idle.push(connect(&cloud.url, &owner.restaurant).await);
    }
    // The server takes each place as its socket starts: wait until the next is refused.
    let started = Instant::now();
    let refused = loop {
        let mut extra = connect(&cloud.url, &owner.restaurant).await;
        let (error, code) = read_until_close_within(&mut extra, Duration::from_millis(500)).await;
        if code == Some(1013) {
            break error;
        }
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "never refused: {code:?} {error}"
        );
    };
    assert_eq!(refused["code"], "rate_limited", "{refused}");
    assert!(
        refused["message"].as_str().is_some_and(|m| m.contains("this address")),
        "{refused}"
    );
    drop(idle);
    let started = Instant::now();
    loop {
        let mut ws = connect(&cloud.url, &owner.restaurant).await;
        send(&mut ws, json!({"type": "authenticate", "token": owner.access})).await;
        let hello = next(&mut ws).await;
        if hello["type"] == "authenticated" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the places never came back: {hello}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The error and close code a socket ends with, or none when it stays open for `within`.
async fn read_until_close_within(ws: &mut Socket, within: Duration) -> (Value, Option<u16>) {
    let mut last = Value::Null;
    let until = Instant::now() + within;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => last = serde_json::from_str(text.as_str()).unwrap_or(Value::Null),
            Ok(Some(Ok(Message::Close(frame)))) => return (last, frame.map(|f| u16::from(f.code))),
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) | Err(_) => return (last, None),
        }
    }
}
