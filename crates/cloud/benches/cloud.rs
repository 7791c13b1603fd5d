//! The cloud's benchmarks on PostgreSQL (figures in docs/benchmarks.md). `cargo bench -p fynlo-cloud
//! --bench cloud` (`./dev bench` runs it); `FYNLO_TEST_POSTGRES` names the server, as for the tests.
//!
//! 1. **Push**: 10 paired tills push 1,000 ops each (250 sales: open, two lines, cash) at once, in
//!    batches of 500, to a server on a fresh database — the time until every op is acknowledged.
//! 2. **Fan-out**: 1,000 and then 5,000 WebSocket clients on loopback, beside a Node `ws` broadcast
//!    server doing the same job (`benches/node/server.mjs`), taking turns. Each server runs as its own
//!    process (so its memory can be read); the clients are this process's.
//!    - latency: 50 events, one every 100 ms; each client's delay from the publisher sending an event
//!      to the client reading it, p50 and p99;
//!    - throughput: 200 events sent at once (one push of 200 ops; one publish of 200 events); delivered
//!      events per second, from the send until the last client has the last event;
//!    - memory: the server's resident memory with the clients connected and authenticated, less before,
//!      per client.
//!
//!    The cloud's path is the whole real one (push over HTTP, the ops applied and committed with their
//!    feed rows, NOTIFY, the listener, the feed read, the broadcast); the Node server keeps nothing.

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "counts and durations a bench makes itself, far inside every range"
)]
#![allow(clippy::too_many_lines, reason = "each phase reads top to bottom")]

#[path = "../tests/cloud/support.rs"]
#[allow(dead_code, reason = "the tests' fixtures; the bench uses some")]
mod support;

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use support::{Backend, Cloud, Login, TestDb, Till};
use tokio_tungstenite::tungstenite::Message;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // `FYNLO_CLOUD_BENCH=push` or `=fanout` runs one part.
    let only = std::env::var("FYNLO_CLOUD_BENCH").unwrap_or_default();
    runtime.block_on(async {
        if only != "fanout" {
            push_bench().await;
        }
        if only != "push" {
            fan_out_bench().await;
        }
    });
}

async fn push_bench() {
    {
        println!("== push: 10 tills x 1,000 ops, batches of 500, PostgreSQL");
        let mut times = Vec::new();
        for round in 1..=5 {
            let took = push_round().await;
            println!(
                "round {round}: {:.0} ms ({:.0} ops/s)",
                ms(took),
                10_000.0 / took.as_secs_f64()
            );
            times.push(took);
        }
        times.sort();
        println!("median {:.0} ms, best {:.0} ms", ms(times[2]), ms(times[0]));
    }
}

async fn fan_out_bench() {
    {
        println!(
            "== fan-out on loopback (the cloud on PostgreSQL beside Node ws {})",
            node_version()
        );
        for round in 1..=2 {
            for clients in [1_000, 5_000] {
                for kind in [Kind::Cloud, Kind::Node] {
                    let result = fan_out(kind, clients).await;
                    println!(
                        "round {round} {kind:?} {clients} clients: latency p50 {:.1} ms p99 {:.1} ms ({} of {} delivered); \
                         burst {:.0} events/s ({} of {} delivered); {:.1} KiB per connection",
                        result.p50, result.p99, result.latency_delivered, result.latency_expected, result.throughput,
                        result.burst_delivered, result.burst_expected, result.kib_per_connection
                    );
                }
            }
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

fn node_version() -> String {
    Command::new("node")
        .arg("--version")
        .output()
        .map_or_else(|_| "?".into(), |o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
}

async fn push_round() -> Duration {
    let cloud = Cloud::start_with(Backend::Postgres, |c| c.max_connections = 16).await;
    let owner = cloud.restaurant("Bench").await;
    let mut work = Vec::new();
    for i in 0..10 {
        let mut till = Till::new();
        let device = cloud.pair(&owner, &till, &format!("Till {i}")).await;
        let mut ops = Vec::new();
        for _ in 0..250 {
            let (id, open) = till.open();
            ops.push(open);
            ops.push(till.add(id, "burger"));
            ops.push(till.add(id, "cola"));
            ops.push(till.pay_cash(id));
        }
        work.push((device, ops));
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (device, ops) in work {
        let http = cloud.http.clone();
        let url = format!("{}/api/v1/sync/push", cloud.url);
        tasks.push(tokio::spawn(async move {
            for batch in ops.chunks(500) {
                let response = http
                    .post(&url)
                    .bearer_auth(&device.access)
                    .json(&json!({"ops": batch}))
                    .send()
                    .await
                    .expect("push");
                assert_eq!(response.status(), 200);
                let acks: Value = response.json().await.expect("json");
                assert!(acks["acks"]
                    .as_array()
                    .expect("acks")
                    .iter()
                    .all(|a| a["outcome"] == "applied"));
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let took = started.elapsed();
    let (total,): (i64,) = sqlx::query_as("SELECT CAST(SUM(last_seq) AS BIGINT) FROM devices")
        .fetch_one(&cloud.server().state.db.pool)
        .await
        .expect("sum");
    assert_eq!(total, 10_000);
    took
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Cloud,
    Node,
}

struct Process {
    child: Child,
    url: String,
}

impl Process {
    fn start(mut command: Command) -> Process {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("its address");
        let url = line.trim().rsplit(' ').next().expect("address").to_owned();
        Process { child, url }
    }

    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct FanOut {
    p50: f64,
    p99: f64,
    latency_delivered: usize,
    latency_expected: usize,
    throughput: f64,
    burst_delivered: usize,
    burst_expected: usize,
    kib_per_connection: f64,
}

/// What every client shares: when each event was sent (µs after `base`, 0 when not yet) and what arrived.
struct Shared {
    base: Instant,
    sent: Vec<AtomicU64>,
    /// One list per client (so clients do not contend for one lock).
    latencies: Mutex<Vec<Arc<Mutex<Vec<u32>>>>>,
    delivered: AtomicUsize,
    last_arrival: AtomicU64,
}

fn seq_of(text: &str) -> Option<usize> {
    let rest = &text[text.find("\"seq\":")? + 6..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

async fn fan_out(kind: Kind, clients: usize) -> FanOut {
    const LATENCY_EVENTS: usize = 50;
    const BURST_EVENTS: usize = 200;
    let db = TestDb::new(Backend::Postgres).await;
    let http = reqwest::Client::new();
    let server = match kind {
        Kind::Cloud => {
            let mut command = Command::new(env!("CARGO_BIN_EXE_fynlo-cloud"));
            command
                .env("FYNLO_CLOUD_LISTEN", "127.0.0.1:0")
                .env("FYNLO_CLOUD_DATABASE_URL", &db.url)
                .env("FYNLO_CLOUD_AUTH_PER_MINUTE", "100000")
                .env("FYNLO_CLOUD_WS_BUFFER", "4096")
                // Every client is on loopback: one address.
                .env("FYNLO_CLOUD_WS_WAITING_PER_ADDRESS", "100000")
                .env("RUST_LOG", "warn");
            Process::start(command)
        }
        Kind::Node => {
            let mut command = Command::new("node");
            command.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/node/server.mjs"));
            Process::start(command)
        }
    };
    // The cloud: a restaurant, its owner's token for the clients, a till to publish with.
    let (restaurant, token, publisher) = match kind {
        Kind::Cloud => {
            let signup =
                json!({"restaurant_name": "Bench", "email": "b@bench.example", "password": "correct horse battery"});
            let owner: Value = http
                .post(format!("{}/api/v1/signup", server.url))
                .json(&signup)
                .send()
                .await
                .expect("signup")
                .json()
                .await
                .expect("json");
            let owner = Login::from(&owner);
            let till = Till::new();
            let code: Value = http
                .post(format!("{}/api/v1/pairing-codes", server.url))
                .bearer_auth(&owner.access)
                .json(&json!({}))
                .send()
                .await
                .expect("code")
                .json()
                .await
                .expect("json");
            let pair = json!({"code": code["code"], "device_id": till.device.to_string(), "name": "Publisher"});
            let device: Value = http
                .post(format!("{}/api/v1/devices/pair", server.url))
                .json(&pair)
                .send()
                .await
                .expect("pair")
                .json()
                .await
                .expect("json");
            (
                owner.restaurant.clone(),
                owner.access.clone(),
                Some((Login::from(&device), till)),
            )
        }
        Kind::Node => ("bench".to_owned(), "node".to_owned(), None),
    };
    let ws_url = format!("{}/ws/pos/{restaurant}", server.url.replace("http", "ws"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = server.rss_kib();
    let shared = Arc::new(Shared {
        base: Instant::now(),
        sent: (0..=LATENCY_EVENTS + BURST_EVENTS + 1)
            .map(|_| AtomicU64::new(0))
            .collect(),
        latencies: Mutex::new(Vec::with_capacity(clients)),
        delivered: AtomicUsize::new(0),
        last_arrival: AtomicU64::new(0),
    });
    // Connect and authenticate, 100 at a time.
    let mut readers = Vec::new();
    for chunk in 0..clients.div_ceil(100) {
        let mut connecting = Vec::new();
        for _ in 0..100.min(clients - chunk * 100) {
            let (url, token) = (ws_url.clone(), token.clone());
            connecting.push(tokio::spawn(async move {
                let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.expect("connects");
                ws.send(Message::Text(
                    json!({"type": "authenticate", "token": token}).to_string().into(),
                ))
                .await
                .expect("auth");
                loop {
                    match ws.next().await {
                        Some(Ok(Message::Text(t))) if t.as_str().contains("authenticated") => break,
                        Some(Ok(_)) => {}
                        other => panic!("not authenticated: {other:?}"),
                    }
                }
                ws
            }));
        }
        for c in connecting {
            let ws = c.await.expect("client");
            let shared = shared.clone();
            let mine = Arc::new(Mutex::new(Vec::with_capacity(LATENCY_EVENTS)));
            shared.latencies.lock().expect("lock").push(mine.clone());
            readers.push(tokio::spawn(async move {
                let mut ws = ws;
                while let Some(Ok(message)) = ws.next().await {
                    if let Message::Text(text) = message {
                        let Some(seq) = seq_of(text.as_str()) else { continue };
                        let now = shared.base.elapsed().as_micros() as u64;
                        let sent = shared.sent.get(seq).map_or(0, |s| s.load(Ordering::Acquire));
                        if seq <= LATENCY_EVENTS && sent > 0 {
                            mine.lock().expect("lock").push(now.saturating_sub(sent) as u32);
                        }
                        shared.last_arrival.fetch_max(now, Ordering::AcqRel);
                        shared.delivered.fetch_add(1, Ordering::AcqRel);
                    }
                }
            }));
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = server.rss_kib();
    let kib_per_connection = after.saturating_sub(before) as f64 / clients as f64;

    // The publisher.
    let mut node_publisher = match kind {
        Kind::Node => {
            let (mut ws, _) = tokio_tungstenite::connect_async(&ws_url).await.expect("publisher");
            ws.send(Message::Text(r#"{"type":"authenticate","token":"publisher"}"#.into()))
                .await
                .expect("auth");
            let _ = ws.next().await;
            Some(ws)
        }
        Kind::Cloud => None,
    };
    let mut publisher = publisher;
    let mut next_seq = 1usize;
    let mut publish = async |count: usize| {
        let first = next_seq;
        next_seq += count;
        let stamp = shared.base.elapsed().as_micros() as u64 + 1;
        for seq in first..first + count {
            shared.sent[seq].store(stamp, Ordering::Release);
        }
        match (&mut publisher, &mut node_publisher) {
            (Some((device, till)), _) => {
                let ops: Vec<_> = (first..first + count)
                    .map(|seq| {
                        till.op(
                            "staff.updated",
                            json!({"id": format!("s{seq}"), "name": "Someone Else", "role": "cashier"}),
                        )
                    })
                    .collect();
                let response = http
                    .post(format!("{}/api/v1/sync/push", server.url))
                    .bearer_auth(&device.access)
                    .json(&json!({"ops": ops}))
                    .send()
                    .await
                    .expect("push");
                assert_eq!(response.status(), 200);
            }
            (None, Some(ws)) => {
                let events: Vec<Value> = (first..first + count)
                    .map(|seq| json!({"seq": seq, "topic": "staff.updated", "data": {"id": format!("s{seq}"), "name": "Someone Else", "role": "cashier", "active": true}}))
                    .collect();
                ws.send(Message::Text(
                    json!({"type": "publish", "events": events}).to_string().into(),
                ))
                .await
                .expect("publish");
            }
            (None, None) => unreachable!("one publisher or the other"),
        }
    };
    let wait_for = |target: usize, shared: Arc<Shared>| async move {
        let deadline = Instant::now() + Duration::from_secs(60);
        while shared.delivered.load(Ordering::Acquire) < target && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    for _ in 0..LATENCY_EVENTS {
        publish(1).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let latency_expected = clients * LATENCY_EVENTS;
    wait_for(latency_expected, shared.clone()).await;
    let latency_delivered = shared.delivered.load(Ordering::Acquire);
    let burst_start = shared.base.elapsed().as_micros() as u64;
    publish(BURST_EVENTS).await;
    let burst_expected = clients * BURST_EVENTS;
    wait_for(latency_delivered + burst_expected, shared.clone()).await;
    let burst_delivered = shared.delivered.load(Ordering::Acquire) - latency_delivered;
    let burst_seconds = (shared.last_arrival.load(Ordering::Acquire).saturating_sub(burst_start)) as f64 / 1e6;
    let mut latencies: Vec<u32> = shared
        .latencies
        .lock()
        .expect("lock")
        .iter()
        .flat_map(|l| l.lock().expect("lock").clone())
        .collect();
    latencies.sort_unstable();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q) as usize)
            .map_or(f64::NAN, |us| f64::from(*us) / 1_000.0)
    };
    let result = FanOut {
        p50: pick(0.50),
        p99: pick(0.99),
        latency_delivered,
        latency_expected,
        throughput: burst_delivered as f64 / burst_seconds.max(1e-6),
        burst_delivered,
        burst_expected,
        kib_per_connection,
    };
    for reader in readers {
        reader.abort();
    }
    drop(server);
    result
}
