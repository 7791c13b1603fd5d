//! Faults: the same batch pushed at once from one device, batches out of order, and the server killed
//! (SIGKILL) while batches are in flight and started again — every op applied exactly once. Also: the
//! binary starts with no configuration on a SQLite file, and the OpenAPI document matches the router.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::Duration,
};

use fynlo_protocol::Op;
use serde_json::{json, Value};

use crate::support::{Backend, Cloud, Login, TestDb, Till};

crate::both!(
    one_devices_pushes_at_once_and_out_of_order_apply_each_op_once,
    a_server_killed_mid_batch_loses_nothing_and_applies_nothing_twice
);

fn ops_of(till: &mut Till, sales: usize) -> Vec<Op> {
    let mut ops = Vec::new();
    for _ in 0..sales {
        let (id, open) = till.open();
        ops.push(open);
        ops.push(till.add(id, "burger"));
        ops.push(till.add(id, "cola"));
        ops.push(till.pay_cash(id));
    }
    ops
}

async fn applied_once(cloud_db: &sqlx::AnyPool, till: &Till, expected: usize) {
    let (count, distinct, max): (i64, i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT op_id), COALESCE(MAX(seq), 0) FROM ops WHERE device_id = $1")
            .bind(till.device.to_string())
            .fetch_one(cloud_db)
            .await
            .expect("count");
    assert_eq!(
        (count, distinct, max),
        (expected as i64, expected as i64, expected as i64)
    );
    let (events,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM order_events")
        .fetch_one(cloud_db)
        .await
        .expect("events");
    let local: u64 = till.orders.values().map(fynlo_core::order::Order::version).sum();
    assert_eq!(events as u64, local, "every order event once");
}

async fn one_devices_pushes_at_once_and_out_of_order_apply_each_op_once(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Kettle").await;
    let mut till = Till::new();
    let device = cloud.pair(&owner, &till, "Counter").await;
    let ops = ops_of(&mut till, 25);
    let (first, second) = ops.split_at(40);
    // The later batch first: a gap, nothing kept.
    let (status, _) = cloud.push(&device, second).await;
    assert_eq!(status, 409);
    // Eight pushes of the same batch at once, and eight of both batches together.
    let mut tasks = Vec::new();
    for i in 0..16 {
        let batch = if i % 2 == 0 { first.to_vec() } else { ops.clone() };
        let http = cloud.http.clone();
        let url = format!("{}/api/v1/sync/push", cloud.url);
        let token = device.access.clone();
        tasks.push(tokio::spawn(async move {
            let response = http
                .post(url)
                .bearer_auth(token)
                .json(&json!({"ops": batch}))
                .send()
                .await
                .expect("push");
            (
                response.status().as_u16(),
                response.json::<Value>().await.expect("json"),
            )
        }));
    }
    let mut applied = std::collections::HashMap::<u64, usize>::new();
    for task in tasks {
        let (status, acks) = task.await.expect("task");
        assert_eq!(status, 200, "{acks}");
        for ack in acks["acks"].as_array().expect("acks") {
            if ack["outcome"] == "applied" {
                *applied.entry(ack["seq"].as_u64().expect("seq")).or_default() += 1;
            } else {
                assert_eq!(ack["outcome"], "duplicate", "{ack}");
            }
        }
    }
    assert_eq!(applied.len(), ops.len(), "every op applied");
    assert!(applied.values().all(|n| *n == 1), "none twice: {applied:?}");
    applied_once(&cloud.server().state.db.pool, &till, ops.len()).await;
}

/// The server binary, run on a database with a free port; its address from what it prints.
struct Process {
    child: Child,
    url: String,
}

impl Process {
    fn start(database_url: &str) -> Process {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fynlo-cloud"))
            .env("FYNLO_CLOUD_LISTEN", "127.0.0.1:0")
            .env("FYNLO_CLOUD_DATABASE_URL", database_url)
            .env("FYNLO_CLOUD_AUTH_PER_MINUTE", "100000")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("reads its address");
        let url = line.trim().rsplit(' ').next().expect("address").to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{line}");
        Process { child, url }
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn a_server_killed_mid_batch_loses_nothing_and_applies_nothing_twice(backend: Backend) {
    let db = TestDb::new(backend).await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    let mut server = Process::start(&db.url);
    // A restaurant and a till, through the binary.
    let post = |url: String, token: Option<String>, body: Value| {
        let http = http.clone();
        async move {
            let mut request = http.post(url).json(&body);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await?;
            let status = response.status().as_u16();
            Ok::<_, reqwest::Error>((status, response.json::<Value>().await.unwrap_or(Value::Null)))
        }
    };
    let (_, owner) = post(
        format!("{}/api/v1/signup", server.url),
        None,
        json!({"restaurant_name": "Kettle", "email": "o@k.example", "password": "correct horse battery"}),
    )
    .await
    .expect("signup");
    let owner = Login::from(&owner);
    let mut till = Till::new();
    let (_, code) = post(
        format!("{}/api/v1/pairing-codes", server.url),
        Some(owner.access.clone()),
        json!({}),
    )
    .await
    .expect("code");
    let (_, device) = post(
        format!("{}/api/v1/devices/pair", server.url),
        None,
        json!({"code": code["code"], "device_id": till.device.to_string(), "name": "Counter"}),
    )
    .await
    .expect("pair");
    let device = Login::from(&device);
    let ops = ops_of(&mut till, 150);
    let kills = std::env::var("FYNLO_CLOUD_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(8);
    // The till's cursor: what the cloud acknowledged.
    let mut through = 0usize;
    let mut killed = 0;
    let mut rounds = 0;
    while through < ops.len() {
        rounds += 1;
        assert!(rounds < 10_000, "no progress");
        let batch: Vec<Op> = ops[through..(through + 120).min(ops.len())].to_vec();
        let url = format!("{}/api/v1/sync/push", server.url);
        let push = post(url, Some(device.access.clone()), json!({"ops": batch}));
        if killed < kills {
            // Kill at a random moment while the push is in flight, then start again and resend.
            let delay = Duration::from_micros(fastrand::u64(0..40_000));
            let pushing = tokio::spawn(push);
            tokio::time::sleep(delay).await;
            server.kill();
            killed += 1;
            if let Ok(Ok((200, acks))) = pushing.await {
                through = acks["through"].as_u64().expect("through") as usize;
            }
            server = Process::start(&db.url);
            continue;
        }
        match push.await {
            Ok((200, acks)) => through = acks["through"].as_u64().expect("through") as usize,
            other => panic!("push failed: {other:?}"),
        }
    }
    assert_eq!(killed, kills);
    server.kill();
    // Everything once, to the penny.
    let cloud_db = fynlo_cloud::db::Db::open(&db.url, 2).await.expect("opens");
    applied_once(&cloud_db.pool, &till, ops.len()).await;
    let (sum,): (i64,) = sqlx::query_as("SELECT CAST(COALESCE(SUM(paid), 0) AS BIGINT) FROM orders")
        .fetch_one(&cloud_db.pool)
        .await
        .expect("sum");
    let local: i64 = till.orders.values().map(|o| o.paid().expect("paid").get()).sum();
    assert_eq!(sum, local);
    cloud_db.pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_starts_with_no_configuration_on_a_sqlite_file() {
    let dir = tempfile::tempdir().expect("dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_fynlo-cloud"))
        .current_dir(dir.path())
        .env_remove("FYNLO_CLOUD_DATABASE_URL")
        .env("FYNLO_CLOUD_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("address");
    let url = line.trim().rsplit(' ').next().expect("address").to_owned();
    let health: Value = reqwest::get(format!("{url}/api/v1/health"))
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["database"], "sqlite");
    assert!(dir.path().join("fynlo-cloud.db").exists());
    // A second instance on the same SQLite file is refused (it would not see the first's live events).
    let second = Command::new(env!("CARGO_BIN_EXE_fynlo-cloud"))
        .current_dir(dir.path())
        .env_remove("FYNLO_CLOUD_DATABASE_URL")
        .env("FYNLO_CLOUD_LISTEN", "127.0.0.1:0")
        .output()
        .expect("runs");
    assert_eq!(second.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("another fynlo-cloud is serving"),
        "{second:?}"
    );
    let _ = child.kill();
    let _ = child.wait();
    // A bad setting: a clear message and exit code 2.
    let out = Command::new(env!("CARGO_BIN_EXE_fynlo-cloud"))
        .current_dir(dir.path())
        .env("FYNLO_CLOUD_DATABASE_URL", "mysql://nowhere")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("database_url"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_every_route_the_router_answers() {
    let cloud = Cloud::start(Backend::Sqlite).await;
    let (status, doc) = cloud.call("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, 200);
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().expect("name");
        assert!(schemas.contains_key(name), "{name} is referenced but not defined");
    }
    let routes = fynlo_cloud::routes::docs();
    let documented: usize = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|p| p.as_object().map_or(0, serde_json::Map::len))
        .sum();
    assert_eq!(documented, routes.len());
    for route in &routes {
        assert!(
            doc["paths"][route.path][route.method.to_lowercase()].is_object(),
            "{} {}",
            route.method,
            route.path
        );
        // Every documented route is the router's: called bare, it answers with something other than
        // the router's "no such route".
        let path = route.path.replace("{id}", "x").replace("{restaurant_id}", "x");
        let (status, body) = cloud
            .call(route.method, &path, None, route.request.map(|_| json!({})))
            .await;
        assert!(
            !(status == 404 && body["message"] == "no such route") && status != 405,
            "{} {path}: {status} {body}",
            route.method
        );
    }
    // And a real answer has what its schema requires.
    let owner = cloud.restaurant("Kettle").await;
    let (_, users) = cloud.get("/api/v1/users", &owner.access).await;
    for key in schemas["User"]["required"].as_array().expect("required") {
        assert!(users[0].get(key.as_str().expect("key")).is_some(), "{key}");
    }
    let (_, session) = cloud
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": owner.refresh}))
        .await;
    for key in schemas["Session"]["required"].as_array().expect("required") {
        assert!(session.get(key.as_str().expect("key")).is_some(), "{key}");
    }
}
