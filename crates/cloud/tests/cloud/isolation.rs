//! Tenant isolation: every documented route, and the WebSocket, called with another restaurant's
//! tokens and this restaurant's ids, answers 401, 403 or 404 (or acts on the caller's own restaurant)
//! and never shows or changes this restaurant's data.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{menu_json, settings_json, Backend, Cloud, Till};

crate::both!(another_restaurants_tokens_reach_nothing_of_this_one);

/// The words only restaurant A's data holds.
const SECRET: &str = "Zanzibar";

async fn another_restaurants_tokens_reach_nothing_of_this_one(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    // Restaurant A, with a till, an order, staff, settings and a menu.
    let a = cloud.restaurant("Zanzibar Grill").await;
    let mut till_a = Till::new();
    let device_a = cloud.pair(&a, &till_a, "Zanzibar counter").await;
    let mut ops = vec![
        till_a.op("settings.updated", settings_json("Zanzibar Grill")),
        till_a.op(
            "staff.updated",
            json!({"id": "sam", "name": "Sam Zanzibar", "role": "cashier"}),
        ),
    ];
    let (order_a, open) = till_a.open();
    ops.push(open);
    ops.push(till_a.add(order_a, "burger"));
    assert_eq!(cloud.push(&device_a, &ops).await.0, 200);
    let mut menu = menu_json();
    menu["products"][0]["name"] = json!("Zanzibar burger");
    assert_eq!(
        cloud.call("PUT", "/api/v1/menu", Some(&a.access), Some(menu)).await.0,
        200
    );
    let before = snapshot(&cloud, &a.access, order_a).await;
    assert!(before.contains(SECRET));

    // Restaurant B, with its own till.
    let b = cloud.restaurant("Other Place").await;
    let mut till_b = Till::new();
    let device_b = cloud.pair(&b, &till_b, "Other counter").await;
    // An op of B's till that names A's order.
    let steal = {
        let op = till_a.add(order_a, "cake");
        till_b.op("order.saved", op.payload)
    };

    // A pay-by-bank session of A's till.
    let attempt_a = uuid::Uuid::now_v7().to_string();
    let (status, session_a) = cloud
        .post(
            "/api/v1/payments/sessions",
            Some(&device_a.access),
            json!({"attempt_id": attempt_a, "amount": 4200, "currency": "GBP", "order_id": order_a.to_string()}),
        )
        .await;
    assert_eq!(status, 201, "{session_a}");

    let ids = [
        a.restaurant.clone(),
        order_a.to_string(),
        till_a.device.to_string(),
        a.id.clone(),
        attempt_a.clone(),
        session_a["id"].as_str().expect("session id").to_owned(),
    ];
    let routes = fynlo_cloud::routes::docs();
    assert!(routes.len() >= 20);
    for route in &routes {
        if route.path.starts_with("/ws/") {
            continue;
        }
        for (who, token) in [("B's owner", &b.access), ("B's till", &device_b.access)] {
            for id in &ids {
                let path = route.path.replace("{id}", id).replace("{restaurant_id}", id);
                let body = match route.path {
                    "/api/v1/sync/push" => Some(json!({"ops": [steal]})),
                    "/api/v1/menu" if route.method == "PUT" => Some(menu_json()),
                    "/api/v1/settings" if route.method == "PUT" => Some(settings_json("Other Place")),
                    "/api/v1/users" if route.method == "POST" => Some(
                        json!({"email": format!("{}@other.example", uuid::Uuid::new_v4().simple()), "password": "another good password"}),
                    ),
                    "/api/v1/devices/pair" => {
                        Some(json!({"code": "ZZZZZZZZ", "device_id": till_a.device.to_string(), "name": "x"}))
                    }
                    "/api/v1/signup" => Some(
                        json!({"restaurant_name": "Third", "email": format!("{}@third.example", uuid::Uuid::new_v4().simple()), "password": "another good password"}),
                    ),
                    "/api/v1/auth/login" => {
                        Some(json!({"email": "nobody@zanzibar.example", "password": "guess guess guess"}))
                    }
                    _ if route.method != "GET" => Some(json!({"refresh_token": "x"})),
                    _ => None,
                };
                let (status, answer) = cloud.call(route.method, &path, Some(token), body).await;
                let text = answer.to_string();
                assert!(
                    [200, 201, 204, 400, 401, 403, 404, 409].contains(&status),
                    "{who} {} {path}: {status} {text}",
                    route.method
                );
                assert!(
                    !text.contains(SECRET),
                    "{who} {} {path} shows A's data: {text}",
                    route.method
                );
                if status < 300 && route.path != "/api/v1/sync/push" {
                    for secret_id in &ids {
                        assert!(
                            !text.contains(secret_id.as_str()),
                            "{who} {} {path} shows A's id: {text}",
                            route.method
                        );
                    }
                }
            }
        }
    }
    // The push was answered, and A's order refused to B's till just as an order that does not exist.
    let (_, acks) = cloud.push(&device_b, std::slice::from_ref(&steal)).await;
    assert_eq!(acks["acks"][0]["code"], "not_found", "{acks}");
    let mut nowhere = till_a.add(order_a, "cola");
    let missing = uuid::Uuid::now_v7().to_string();
    let text = nowhere.payload.to_string().replace(&order_a.to_string(), &missing);
    nowhere.payload = serde_json::from_str(&text).expect("json");
    let (_, other) = cloud
        .push(&device_b, &[till_b.op("order.saved", nowhere.payload)])
        .await;
    assert_eq!(
        other["acks"][0]["message"].as_str().map(|m| m.replace(&missing, "ID")),
        acks["acks"][0]["message"]
            .as_str()
            .map(|m| m.replace(&order_a.to_string(), "ID")),
        "A's order reads as no order at all"
    );
    // A's data is as it was, its payment session too.
    assert_eq!(snapshot(&cloud, &a.access, order_a).await, before);
    let (_, still) = cloud
        .get(&format!("/api/v1/payments/sessions/{attempt_a}"), &device_a.access)
        .await;
    assert_eq!(
        (&still["id"], &still["status"]),
        (&session_a["id"], &session_a["status"])
    );
    let (status, _) = cloud.get("/api/v1/sync/pull", &device_a.access).await;
    assert_eq!(status, 200, "A's till still works");

    // The WebSocket: B's token on A's restaurant is refused.
    let url = format!("{}/ws/pos/{}", cloud.url.replace("http", "ws"), a.restaurant);
    for token in [&b.access, &device_b.access] {
        let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.expect("connects");
        ws.send(Message::Text(
            json!({"type": "authenticate", "token": token}).to_string().into(),
        ))
        .await
        .expect("send");
        let (error, code) = read_until_close(&mut ws).await;
        assert_eq!(error["code"], "forbidden", "{error}");
        assert_eq!(code, Some(4403));
    }
}

/// What restaurant A's owner sees of it.
async fn snapshot(cloud: &Cloud, token: &str, order: fynlo_core::ids::OrderId) -> String {
    let mut out = Vec::new();
    for path in [
        "/api/v1/menu",
        "/api/v1/settings",
        "/api/v1/staff",
        "/api/v1/devices",
        "/api/v1/users",
        "/api/v1/orders",
    ] {
        out.push(cloud.get(path, token).await.1);
    }
    out.push(cloud.get(&format!("/api/v1/orders/{order}"), token).await.1);
    Value::Array(out).to_string()
}

/// Reads messages until the server closes: the last JSON message and the close code.
pub async fn read_until_close(
    ws: &mut tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
) -> (Value, Option<u16>) {
    let mut last = Value::Null;
    for _ in 0..100 {
        match tokio::time::timeout(std::time::Duration::from_secs(15), ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => last = serde_json::from_str(text.as_str()).expect("json"),
            Ok(Some(Ok(Message::Close(frame)))) => return (last, frame.map(|f| u16::from(f.code))),
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) | Err(_) => return (last, None),
        }
    }
    (last, None)
}
