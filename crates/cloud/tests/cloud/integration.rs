//! The integration endpoints (seed 004): API keys and tenants, gift cards and loyalty changed once per
//! request id and never below zero (also when many come at once), daily reports, status.

use serde_json::{json, Value};

use crate::support::{Backend, Cloud, Login, Till};

crate::both!(
    an_api_key_reaches_only_its_own_tenant,
    balances_change_once_per_request_and_never_below_zero,
    daily_reports_pending_orders_and_status
);

/// A key of the owner's restaurant.
async fn key(cloud: &Cloud, owner: &Login) -> String {
    let (status, made) = cloud
        .post("/api/v1/api-keys", Some(&owner.access), json!({"name": "Website"}))
        .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["tenant"], owner.restaurant);
    made["key"].as_str().expect("key").to_owned()
}

async fn call(cloud: &Cloud, method: &str, path: &str, key: &str, tenant: &str, body: Option<Value>) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = cloud
        .http
        .request(method, format!("{}{path}", cloud.url))
        .header("X-API-Key", key)
        .header("X-Tenant-ID", tenant);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn an_api_key_reaches_only_its_own_tenant(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let a = cloud.restaurant("Kettle").await;
    let b = cloud.restaurant("Other").await;
    let key_a = key(&cloud, &a).await;
    let key_b = key(&cloud, &b).await;
    cloud
        .post(
            "/api/v1/gift-cards",
            Some(&a.access),
            json!({"code": "KETTLE-1", "balance": 5000}),
        )
        .await;
    let ra = &a.restaurant;
    let (status, health) = call(&cloud, "GET", &format!("/api/{ra}/health"), &key_a, ra, None).await;
    assert_eq!((status, &health["tenant"]), (200, &json!(ra)));
    // B's key on A's tenant, by path or header or both; a wrong key; no headers.
    for (key, header, path_tenant) in [
        (&key_b, ra, ra),
        (&key_b, &b.restaurant, ra),
        (&key_a, &b.restaurant, ra),
        (&key_a, ra, &b.restaurant),
    ] {
        for path in ["health", "orders/pending", "gift-cards/KETTLE-1/balance", "pos-status"] {
            let (status, body) = call(&cloud, "GET", &format!("/api/{path_tenant}/{path}"), key, header, None).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (403, Some("forbidden")),
                "{path}: {body}"
            );
        }
        let (status, _) = call(
            &cloud,
            "POST",
            &format!("/api/{path_tenant}/gift-cards/KETTLE-1/deduct"),
            key,
            header,
            Some(json!({"amount": 100, "request_id": "x"})),
        )
        .await;
        assert_eq!(status, 403);
    }
    let (status, body) = call(&cloud, "GET", &format!("/api/{ra}/health"), "fk_wrong", ra, None).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));
    let (status, _) = cloud.call("GET", &format!("/api/{ra}/health"), None, None).await;
    assert_eq!(status, 401);
    // The card is untouched; a revoked key stops.
    let (_, card) = call(
        &cloud,
        "GET",
        &format!("/api/{ra}/gift-cards/KETTLE-1/balance"),
        &key_a,
        ra,
        None,
    )
    .await;
    assert_eq!(card["balance"], 5000);
    // Only the owner makes and revokes keys; a manager's or a till's token cannot.
    let mut till = Till::new();
    let device = cloud.pair(&a, &till, "Counter").await;
    let _ = till.open();
    let (status, _) = cloud
        .post("/api/v1/api-keys", Some(&device.access), json!({"name": "x"}))
        .await;
    assert_eq!(status, 403);
    let manager_email = format!("{}@kettle.example", uuid::Uuid::new_v4().simple());
    cloud
        .post(
            "/api/v1/users",
            Some(&a.access),
            json!({"email": manager_email, "password": "another good password"}),
        )
        .await;
    let (_, session) = cloud
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": manager_email, "password": "another good password"}),
        )
        .await;
    let manager = Login::from(&session);
    let (status, _) = cloud
        .post("/api/v1/api-keys", Some(&manager.access), json!({"name": "x"}))
        .await;
    assert_eq!(status, 403, "a manager does not make keys");
    // Gift cards are issued by owners and managers, never by a till.
    let (status, _) = cloud
        .post(
            "/api/v1/gift-cards",
            Some(&device.access),
            json!({"code": "TILL-1", "balance": 100}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = cloud
        .post(
            "/api/v1/gift-cards",
            Some(&manager.access),
            json!({"code": "MGR-1", "balance": 100}),
        )
        .await;
    assert_eq!(status, 201);
    let (_, made) = cloud
        .post("/api/v1/api-keys", Some(&a.access), json!({"name": "Old"}))
        .await;
    let old = made["key"].as_str().expect("key").to_owned();
    let (status, _) = cloud
        .post(
            &format!("/api/v1/api-keys/{}/revoke", made["id"].as_str().expect("id")),
            Some(&b.access),
            json!({}),
        )
        .await;
    assert_eq!(status, 404, "B cannot revoke A's key");
    assert_eq!(
        call(&cloud, "GET", &format!("/api/{ra}/health"), &old, ra, None)
            .await
            .0,
        200
    );
    let (status, _) = cloud
        .post(
            &format!("/api/v1/api-keys/{}/revoke", made["id"].as_str().expect("id")),
            Some(&a.access),
            json!({}),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        call(&cloud, "GET", &format!("/api/{ra}/health"), &old, ra, None)
            .await
            .0,
        401
    );
}

async fn balances_change_once_per_request_and_never_below_zero(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Kettle").await;
    let key = key(&cloud, &owner).await;
    let t = owner.restaurant.clone();
    let (status, _) = cloud
        .post(
            "/api/v1/gift-cards",
            Some(&owner.access),
            json!({"code": "GIFT-100", "balance": 10_000}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        cloud
            .post(
                "/api/v1/gift-cards",
                Some(&owner.access),
                json!({"code": "GIFT-100", "balance": 1})
            )
            .await
            .0,
        409
    );
    for bad in [
        json!({"code": "x", "balance": 100}),
        json!({"code": "GIFT-2", "balance": 0}),
        json!({"code": "GIFT 2", "balance": 5}),
    ] {
        assert_eq!(cloud.post("/api/v1/gift-cards", Some(&owner.access), bad).await.0, 400);
    }
    let deduct = |amount: i64, request: &str| {
        (
            format!("/api/{t}/gift-cards/GIFT-100/deduct"),
            json!({"amount": amount, "request_id": request}),
        )
    };
    let (path, body) = deduct(2_500, "order-1");
    let (status, first) = call(&cloud, "POST", &path, &key, &t, Some(body.clone())).await;
    assert_eq!((status, &first["balance"]), (200, &json!(7_500)), "{first}");
    // The same request again: the same answer, nothing taken twice.
    let (_, again) = call(&cloud, "POST", &path, &key, &t, Some(body)).await;
    assert_eq!(again, first);
    // The same id for another amount: a conflict.
    let (path, body) = deduct(100, "order-1");
    let (status, error) = call(&cloud, "POST", &path, &key, &t, Some(body)).await;
    assert_eq!((status, error["code"].as_str()), (409, Some("conflict")));
    // More than the balance: refused, nothing taken.
    let (path, body) = deduct(7_501, "order-2");
    let (status, error) = call(&cloud, "POST", &path, &key, &t, Some(body)).await;
    assert_eq!((status, error["code"].as_str()), (409, Some("conflict")), "{error}");
    for (amount, request) in [(0, "r"), (-5, "r"), (1_000_001, "r"), (5, ""), (5, "a\u{1}b")] {
        let (path, body) = deduct(amount, request);
        assert_eq!(
            call(&cloud, "POST", &path, &key, &t, Some(body)).await.0,
            400,
            "{amount} {request:?}"
        );
    }
    let (status, _) = call(
        &cloud,
        "POST",
        &format!("/api/{t}/gift-cards/NOPE-1/deduct"),
        &key,
        &t,
        Some(json!({"amount": 1, "request_id": "n"})),
    )
    .await;
    assert_eq!(status, 404);
    // Twenty deductions of 1,000 at once (each twice) from 7,500: exactly seven go through.
    let mut tasks = Vec::new();
    for i in 0..40 {
        let http = cloud.http.clone();
        let url = format!("{}/api/{t}/gift-cards/GIFT-100/deduct", cloud.url);
        let (key, t) = (key.clone(), t.clone());
        tasks.push(tokio::spawn(async move {
            let response = http
                .post(url)
                .header("X-API-Key", key)
                .header("X-Tenant-ID", t)
                .json(&json!({"amount": 1_000, "request_id": format!("rush-{}", i % 20)}))
                .send()
                .await
                .expect("answers");
            (
                response.status().as_u16(),
                response.json::<Value>().await.expect("json"),
            )
        }));
    }
    let mut taken = std::collections::HashSet::new();
    for task in tasks {
        let (status, body) = task.await.expect("task");
        match status {
            200 => {
                taken.insert(body["request_id"].as_str().expect("id").to_owned());
            }
            409 => assert_eq!(body["code"], "conflict"),
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(taken.len(), 7, "{taken:?}");
    let (_, card) = call(
        &cloud,
        "GET",
        &format!("/api/{t}/gift-cards/GIFT-100/balance"),
        &key,
        &t,
        None,
    )
    .await;
    assert_eq!(card["balance"], 500);
    // Loyalty: a new number has none; add, redeem, never below zero; numbers are normalised.
    let phone = "447700900123";
    let (_, points) = call(
        &cloud,
        "GET",
        &format!("/api/{t}/loyalty/{phone}/points"),
        &key,
        &t,
        None,
    )
    .await;
    assert_eq!(points["points"], 0);
    let (status, added) = call(
        &cloud,
        "POST",
        &format!("/api/{t}/loyalty/{phone}/add"),
        &key,
        &t,
        Some(json!({"points": 120, "request_id": "visit-1"})),
    )
    .await;
    assert_eq!((status, &added["balance"]), (200, &json!(120)), "{added}");
    assert_eq!(
        call(
            &cloud,
            "POST",
            &format!("/api/{t}/loyalty/+{phone}/add"),
            &key,
            &t,
            Some(json!({"points": 120, "request_id": "visit-1"}))
        )
        .await
        .1,
        added
    );
    let (status, _) = call(
        &cloud,
        "POST",
        &format!("/api/{t}/loyalty/{phone}/redeem"),
        &key,
        &t,
        Some(json!({"points": 121, "request_id": "r-1"})),
    )
    .await;
    assert_eq!(status, 409);
    let (_, redeemed) = call(
        &cloud,
        "POST",
        &format!("/api/{t}/loyalty/{phone}/redeem"),
        &key,
        &t,
        Some(json!({"points": 100, "request_id": "r-2"})),
    )
    .await;
    assert_eq!(redeemed["balance"], 20);
    let (_, points) = call(
        &cloud,
        "GET",
        &format!("/api/{t}/loyalty/+{phone}/points"),
        &key,
        &t,
        None,
    )
    .await;
    assert_eq!(points, json!({"phone": format!("+{phone}"), "points": 20}));
    for bad in ["12", "phone-no", "1234567890123456"] {
        assert_eq!(
            call(&cloud, "GET", &format!("/api/{t}/loyalty/{bad}/points"), &key, &t, None)
                .await
                .0,
            400,
            "{bad}"
        );
    }
}

async fn daily_reports_pending_orders_and_status(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Kettle").await;
    let key = key(&cloud, &owner).await;
    let t = owner.restaurant.clone();
    let mut till = Till::new();
    let device = cloud.pair(&owner, &till, "Counter").await;
    let (open_id, open) = till.open();
    let add = till.add(open_id, "burger");
    let (paid_id, paid_open) = till.open();
    let paid_add = till.add(paid_id, "cola");
    let pay = till.pay_cash(paid_id);
    cloud.push(&device, &[open, add, paid_open, paid_add, pay]).await;
    let (status, before) = call(&cloud, "GET", &format!("/api/{t}/pos-status"), &key, &t, None).await;
    assert_eq!((status, &before["last_daily_report"]), (200, &Value::Null), "{before}");
    let (_, pending) = call(&cloud, "GET", &format!("/api/{t}/orders/pending"), &key, &t, None).await;
    let ids: Vec<&str> = pending
        .as_array()
        .expect("orders")
        .iter()
        .map(|o| o["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, [open_id.to_string()]);
    let report = json!({
        "business_date": "2026-12-06", "total_sales": 250, "total_orders": 1, "cash_sales": 250, "card_sales": 0,
        "pay_by_bank_sales": 0, "gift_card_sales": 0, "online_sales": 0, "discounts": 0, "refunds": 0, "net_sales": 208,
        "top_items": [{"name": "Cola", "quantity": 1, "gross": 250}], "busy_hours": [{"hour": 12, "orders": 1, "total": 250}],
        "staff_shifts": [{"staff": "sam", "name": "Sam Taylor", "minutes": 480}]
    });
    let (status, stored) = call(
        &cloud,
        "POST",
        &format!("/api/{t}/reports/daily"),
        &key,
        &t,
        Some(report.clone()),
    )
    .await;
    assert_eq!((status, &stored["stored"]), (200, &json!(true)), "{stored}");
    let mut again = report.clone();
    again["total_sales"] = json!(300);
    assert_eq!(
        call(
            &cloud,
            "POST",
            &format!("/api/{t}/reports/daily"),
            &key,
            &t,
            Some(again)
        )
        .await
        .0,
        200
    );
    let pool = &cloud.server().state.db.pool;
    let rows: Vec<(String,)> = sqlx::query_as("SELECT report FROM daily_reports WHERE restaurant_id = $1")
        .bind(&t)
        .fetch_all(pool)
        .await
        .expect("rows");
    assert_eq!(rows.len(), 1, "a day sent again replaces it");
    assert!(rows[0].0.contains("\"total_sales\":300"));
    for bad in [
        json!({"business_date": "2026-12-06"}),
        json!({"total_sales": -1}),
        json!({"business_date": "yesterday"}),
    ] {
        let mut body = report.clone();
        for (k, v) in bad.as_object().expect("object") {
            body[k] = v.clone();
        }
        if bad
            .as_object()
            .is_some_and(|o| o.len() == 1 && o.contains_key("business_date") && bad["business_date"] == "2026-12-06")
        {
            body = bad.clone();
        }
        let (status, error) = call(&cloud, "POST", &format!("/api/{t}/reports/daily"), &key, &t, Some(body)).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (400, Some("invalid_input")),
            "{bad}: {error}"
        );
    }
    let (_, status) = call(&cloud, "GET", &format!("/api/{t}/pos-status"), &key, &t, None).await;
    assert_eq!(status["open_orders"], 1, "{status}");
    assert_eq!(status["last_daily_report"], "2026-12-06");
    assert_eq!(status["devices"][0]["last_seq"], 5);
    assert!(status["devices"][0]["last_sync"].is_i64());
}
