//! The tests' fixtures: a database of each kind per test (a temporary SQLite file, or a PostgreSQL
//! database of its own, dropped afterwards), a server on a free loopback port, an HTTP client, and a
//! till made of the core that writes real ops.

use std::collections::HashMap;

use fynlo_cloud::{Config, Server};
use fynlo_core::{
    catalog::{Catalog, CatalogData},
    ids::{DeviceId, OrderId, PaymentId, ProductId, StaffId},
    order::{Ctx, LineRequest, OpenOrder, Order, OrderCommand, OrderKind},
    settings::ServiceChargePolicy,
    time::{BusinessDate, Timestamp},
    Currency, Minor,
};
use fynlo_protocol::{Op, PushRequest};
use serde_json::{json, Value};
use uuid::Uuid;

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the tests make their databases on.
pub fn admin_url() -> String {
    std::env::var("FYNLO_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database for one test.
pub struct TestDb {
    pub url: String,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("cloud.db").display());
                TestDb {
                    url,
                    pg_name: None,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                use sqlx::Connection;
                let name = format!("fynlo_test_{}", Uuid::new_v4().simple());
                let mut admin = sqlx::PgConnection::connect(&admin_url())
                    .await
                    .expect("PostgreSQL answers at FYNLO_TEST_POSTGRES (./dev test starts one)");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("create database");
                let base = admin_url();
                let url = match base.rsplit_once('/') {
                    Some((server, _)) => format!("{server}/{name}"),
                    None => panic!("the admin URL names a database"),
                };
                TestDb {
                    url,
                    pg_name: Some(name),
                    _dir: None,
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else { return };
        // Dropped from a thread of its own: a test's runtime may be shutting down.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                use sqlx::Connection;
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url()).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut admin)
                        .await;
                }
            });
        })
        .join();
    }
}

/// A test configuration on a database: a free port, limits that tests do not reach by accident.
pub fn config(url: &str) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().expect("address"),
        database_url: url.to_owned(),
        max_connections: 8,
        auth_per_minute: 10_000,
        ..Config::default()
    }
}

/// A server and a client for it.
pub struct Cloud {
    pub server: Option<Server>,
    pub url: String,
    pub http: reqwest::Client,
    pub db: TestDb,
}

/// A restaurant's owner (or manager) or a till, with tokens.
#[derive(Clone, Debug)]
pub struct Login {
    pub restaurant: String,
    pub id: String,
    pub access: String,
    pub refresh: String,
}

impl Login {
    pub fn from(session: &Value) -> Login {
        Login {
            restaurant: session["restaurant_id"].as_str().expect("restaurant").to_owned(),
            id: session["subject_id"].as_str().expect("subject").to_owned(),
            access: session["access_token"].as_str().expect("access").to_owned(),
            refresh: session["refresh_token"].as_str().expect("refresh").to_owned(),
        }
    }
}

impl Cloud {
    pub async fn start(backend: Backend) -> Cloud {
        Self::start_with(backend, |_| {}).await
    }

    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Cloud {
        let db = TestDb::new(backend).await;
        let mut config = config(&db.url);
        adjust(&mut config);
        let server = Server::start(config).await.expect("server starts");
        let url = format!("http://{}", server.addr);
        Cloud {
            server: Some(server),
            url,
            http: reqwest::Client::new(),
            db,
        }
    }

    pub fn server(&self) -> &Server {
        self.server.as_ref().expect("running")
    }

    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.call("GET", path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.call("POST", path, token, Some(body)).await
    }

    /// A new restaurant; its owner's login.
    pub async fn restaurant(&self, name: &str) -> Login {
        let email = format!(
            "{}@{}.example",
            Uuid::new_v4().simple(),
            name.to_lowercase().replace(' ', "-")
        );
        let (status, body) = self
            .post(
                "/api/v1/signup",
                None,
                json!({"restaurant_name": name, "email": email, "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        Login::from(&body)
    }

    /// Pairs a till (with its own device id) into the owner's restaurant.
    pub async fn pair(&self, owner: &Login, till: &Till, name: &str) -> Login {
        let (status, code) = self.post("/api/v1/pairing-codes", Some(&owner.access), json!({})).await;
        assert_eq!(status, 201, "{code}");
        let (status, body) = self
            .post(
                "/api/v1/devices/pair",
                None,
                json!({"code": code["code"], "device_id": till.device.to_string(), "name": name}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        Login::from(&body)
    }

    /// Asks, as the till `device`, for a pay-by-bank session of `amount` pence for `attempt`.
    pub async fn payment_session(&self, device: &Login, attempt: &str, amount: i64) -> (u16, Value) {
        self.post(
            "/api/v1/payments/sessions",
            Some(&device.access),
            json!({"attempt_id": attempt, "amount": amount, "currency": "GBP"}),
        )
        .await
    }

    /// The payment session of `attempt`, as `who` reads it (a 200 expected).
    pub async fn payment_session_of(&self, who: &Login, attempt: &str) -> Value {
        let (status, body) = self
            .get(&format!("/api/v1/payments/sessions/{attempt}"), &who.access)
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    pub async fn push(&self, device: &Login, ops: &[Op]) -> (u16, Value) {
        let body = serde_json::to_value(PushRequest { ops: ops.to_vec() }).expect("json");
        self.post("/api/v1/sync/push", Some(&device.access), body).await
    }

    /// Every change after `cursor`, page by page; the last cursor.
    pub async fn pull_all(&self, who: &Login, cursor: &str) -> (Vec<Value>, String) {
        let mut changes = Vec::new();
        let mut cursor = cursor.to_owned();
        for _ in 0..10_000 {
            let (status, page) = self
                .get(&format!("/api/v1/sync/pull?cursor={cursor}&limit=50"), &who.access)
                .await;
            assert_eq!(status, 200, "{page}");
            changes.extend(page["changes"].as_array().expect("changes").iter().cloned());
            page["next_cursor"].as_str().expect("cursor").clone_into(&mut cursor);
            if page["more"] == false {
                return (changes, cursor);
            }
        }
        panic!("the pull never ended");
    }

    pub async fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop(std::time::Duration::from_secs(5)).await;
        }
    }
}

/// A restaurant with two paired tills: A (the counter) and B (an iPad).
pub struct TwoTills {
    pub cloud: Cloud,
    pub owner: Login,
    pub a: Till,
    pub device_a: Login,
    pub b: Till,
    pub device_b: Login,
}

impl TwoTills {
    pub async fn start(backend: Backend) -> TwoTills {
        let cloud = Cloud::start(backend).await;
        let owner = cloud.restaurant("Kettle").await;
        let (a, b) = (Till::new(), Till::new());
        let device_a = cloud.pair(&owner, &a, "Counter").await;
        let device_b = cloud.pair(&owner, &b, "iPad").await;
        TwoTills {
            cloud,
            owner,
            a,
            device_a,
            b,
            device_b,
        }
    }
}

pub const MENU_JSON: &str = r##"{
  "categories": [{"id": "mains", "name": "Mains", "colour": "#aa3300"}, {"id": "drinks", "name": "Drinks", "colour": "#0033aa"}],
  "products": [
    {"id": "burger", "sku": "B1", "name": "Burger", "category": "mains", "price": 1295,
     "vat": {"eat_in": "standard", "takeaway": "standard"}, "station": "kitchen", "colour": "#ffaa00"},
    {"id": "cake", "sku": "C1", "name": "Slice of cake", "category": "mains", "price": 325,
     "vat": {"eat_in": "standard", "takeaway": "zero"}, "station": "kitchen", "colour": "#cc88aa"},
    {"id": "cola", "sku": "D1", "name": "Cola", "category": "drinks", "price": 250,
     "vat": {"eat_in": "standard", "takeaway": "standard"}, "station": "bar", "colour": "#eecc00"}
  ]
}"##;

pub fn menu_json() -> Value {
    serde_json::from_str(MENU_JSON).expect("menu")
}

pub fn settings_json(name: &str) -> Value {
    json!({"name": name, "address": ["1 High Street", "Bristol", "BS1 1AA"], "vat_number": "GB246813579", "currency": "GBP",
           "service_charge": {"enabled": false, "rate": 0, "kind": "discretionary", "dine_in_only": true}})
}

/// A till made of the core: it runs order commands and writes the ops a real till's outbox holds.
pub struct Till {
    pub device: DeviceId,
    pub seq: u64,
    catalog: Catalog,
    pub orders: HashMap<OrderId, Order>,
    number: u32,
    clock: i64,
}

impl Till {
    pub fn new() -> Till {
        Self::new_for(DeviceId::parse(&Uuid::now_v7().to_string()).expect("device id"))
    }

    /// A till with this device id (another copy of a till's state).
    pub fn new_for(device: DeviceId) -> Till {
        let data: CatalogData = serde_json::from_str(MENU_JSON).expect("menu");
        Till {
            device,
            seq: 0,
            catalog: Catalog::new(data).expect("menu"),
            orders: HashMap::new(),
            number: 0,
            clock: 1_796_000_000_000,
        }
    }

    fn ctx(&mut self) -> Ctx {
        self.clock += 1_000;
        let staff = StaffId::new("sam").expect("staff");
        Ctx {
            approver: Some(staff.clone()),
            grants: fynlo_core::permission::Permissions::all(),
            ..Ctx::new(Timestamp::from_millis(self.clock), staff)
        }
    }

    /// The next op of this till.
    pub fn op(&mut self, op_type: &str, payload: Value) -> Op {
        self.seq += 1;
        Op {
            seq: self.seq,
            op_id: Uuid::now_v7(),
            device_id: Uuid::parse_str(&self.device.to_string()).expect("uuid"),
            op_type: op_type.into(),
            payload,
            created_at: self.clock,
        }
    }

    fn save(&mut self, order: &Order, events: &[fynlo_core::order::OrderEvent], at: i64, base: Option<u64>) -> Op {
        let first = order.version() - events.len() as u64 + 1;
        let entries: Vec<Value> = events
            .iter()
            .enumerate()
            .map(|(i, e)| json!({"version": first + i as u64, "staff": "sam", "at": at, "event": e}))
            .collect();
        let mut payload = json!({"order_id": order.id().to_string(), "events": entries});
        if let Some(base) = base {
            payload["base"] = json!(base);
        }
        self.op("order.saved", payload)
    }

    /// Opens a takeaway order.
    pub fn open(&mut self) -> (OrderId, Op) {
        self.number += 1;
        let ctx = self.ctx();
        let req = OpenOrder {
            id: OrderId::parse(&Uuid::now_v7().to_string()).expect("order id"),
            number: self.number,
            business_date: BusinessDate::parse("2026-12-06").expect("date"),
            device: self.device,
            currency: Currency::GBP,
            kind: OrderKind::Takeaway,
            service_charge: ServiceChargePolicy::default(),
        };
        let (order, event) = Order::open(req, &ctx).expect("opens");
        let op = self.save(&order, &[event], ctx.at.millis(), None);
        let id = order.id();
        self.orders.insert(id, order);
        (id, op)
    }

    /// Runs a command on an order this till has; `base` is the cloud version it builds on when that is
    /// not the till's own version before it.
    pub fn run_on(&mut self, id: OrderId, cmd: &OrderCommand, base: Option<u64>) -> Op {
        let ctx = self.ctx();
        let order = self.orders.get(&id).expect("the till has the order");
        let (next, events) = order.execute(cmd, &self.catalog, &ctx).expect("the command runs");
        let op = self.save(&next, &events, ctx.at.millis(), base);
        self.orders.insert(id, next);
        op
    }

    pub fn run(&mut self, id: OrderId, cmd: &OrderCommand) -> Op {
        self.run_on(id, cmd, None)
    }

    pub fn add(&mut self, id: OrderId, product: &str) -> Op {
        let cmd = OrderCommand::AddLine(LineRequest {
            product: Some(ProductId::new(product).expect("product")),
            quantity: 1,
            ..LineRequest::default()
        });
        self.run(id, &cmd)
    }

    /// Pays what is due in cash (the order completes).
    pub fn pay_cash(&mut self, id: OrderId) -> Op {
        let due = self.orders[&id].balance().expect("balance");
        let cmd = OrderCommand::TakeCash {
            payment: PaymentId::parse(&Uuid::now_v7().to_string()).expect("payment id"),
            tendered: due,
            tip: Minor::new(0),
            part: None,
        };
        self.run(id, &cmd)
    }

    /// Takes another till's order as the cloud has it (its history from `GET /api/v1/orders/{id}`).
    pub fn adopt(&mut self, detail: &Value) -> OrderId {
        let entries = detail["events"].as_array().expect("events");
        let events: Vec<(fynlo_core::order::OrderEvent, Timestamp)> = entries
            .iter()
            .map(|e| {
                (
                    serde_json::from_value(e["event"].clone()).expect("event"),
                    Timestamp::from_millis(e["at"].as_i64().expect("at")),
                )
            })
            .collect();
        let order = Order::replay(events.iter().map(|(e, at)| (e, *at))).expect("replays");
        let id = order.id();
        self.orders.insert(id, order);
        id
    }

    pub fn total(&self, id: OrderId) -> i64 {
        self.orders[&id].totals().expect("prices").total.get()
    }
}
