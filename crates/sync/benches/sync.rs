//! The sync's benchmarks (`docs/benchmarks.md`), against the real cloud server in this process on
//! PostgreSQL (`FYNLO_TEST_POSTGRES`, or 127.0.0.1:5432), each run on a database of its own:
//!
//! - **drain**: a till with 10,000 sales queued (made before it was paired) drains them to the cloud —
//!   the time from "sync now" to nothing waiting (target ≤ 3 s);
//! - **latency**: till A sends an order to the kitchen (its engine running, woken by the command as
//!   the app wakes it); till B's engine, on the live WebSocket, lists it among other tills' open orders —
//!   p50 and p99 of the time from A's command to B's list (target p99 ≤ 100 ms);
//! - **sale**: the same sale on a till with its sync running against one without, in alternating
//!   blocks, both warmed up (target ≤ 1.05×);
//! - **pay**: a till takes a pay-by-bank payment (its sync running, on the live WebSocket); the
//!   customer approves on the sandbox bank's page; p50 and p99 of the time from the page's answer to
//!   the till's order recorded paid (target: within a second).
//!
//! `FYNLO_SYNC_BENCH=drain|latency|sale|pay` runs one; `FYNLO_BENCH_SALES` sets the queued sales (10,000).

#![allow(
    clippy::cast_precision_loss,
    reason = "timings are shown as floating-point milliseconds"
)]

#[path = "../../cloud/tests/cloud/support.rs"]
#[allow(dead_code, reason = "the cloud's fixtures; the bench uses a few")]
mod cloud;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use cloud::{Backend, Cloud, Login};
use fynlo_app::{
    clock::{SystemClock, UuidV7},
    payments::SimulatedProvider,
    setup::{self, SetupFile},
    Command, Services, Till,
};
use fynlo_sync::{MemorySecrets, Secrets, SyncEngine, SyncOptions};
use serde_json::json;
use tokio::sync::Mutex;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

const SALE: [&str; 4] = [
    r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#,
    r#"{"cmd": "add_line", "product": "burger", "modifiers": ["extra-cheese"]}"#,
    r#"{"cmd": "add_line", "product": "flat-white", "modifiers": ["oat-milk"]}"#,
    r#"{"cmd": "take_cash", "tendered": 5000}"#,
];

struct BenchTill {
    _dir: tempfile::TempDir,
    till: Arc<Mutex<Till>>,
    engine: SyncEngine,
    sale: Vec<Command>,
}

impl BenchTill {
    async fn new(live: bool) -> BenchResult<BenchTill> {
        Self::open(live, None).await
    }

    /// A till whose pay-by-bank payments go through the cloud (`fynlo_sync::pay`).
    async fn with_bank(live: bool) -> BenchResult<BenchTill> {
        let bank = fynlo_sync::pay::CloudPayments::new(Arc::new(SimulatedProvider::in_memory()));
        Self::open(live, Some(bank)).await
    }

    async fn open(live: bool, bank: Option<fynlo_sync::pay::CloudPayments>) -> BenchResult<BenchTill> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("till.db");
        let clock = Arc::new(SystemClock);
        let ids = Arc::new(UuidV7);
        let store = setup::init(&path, &SetupFile::demo()?, clock.as_ref(), ids.as_ref()).await?;
        let provider: Arc<dyn fynlo_app::payments::PaymentProvider> = match &bank {
            Some(bank) => Arc::new(bank.clone()),
            None => Arc::new(SimulatedProvider::in_memory()),
        };
        let mut till = Till::with_store(store, Services::new(clock, ids, provider)).await?;
        till.execute(serde_json::from_str(r#"{"cmd": "login", "pin": "1357"}"#)?)
            .await?;
        let till = Arc::new(Mutex::new(till));
        let options = SyncOptions {
            live,
            backoff_unit: Duration::from_millis(50),
            ..SyncOptions::default()
        };
        let secrets: Arc<dyn Secrets> = Arc::new(MemorySecrets::default());
        let engine = SyncEngine::open(Arc::clone(&till), secrets, options).await?;
        if let Some(bank) = &bank {
            bank.attach(&engine);
        }
        let sale = SALE.iter().map(|c| serde_json::from_str(c)).collect::<Result<_, _>>()?;
        Ok(BenchTill {
            _dir: dir,
            till,
            engine,
            sale,
        })
    }

    async fn pair(&self, cloud: &Cloud, owner: &Login) -> BenchResult<()> {
        let (status, code) = cloud
            .post("/api/v1/pairing-codes", Some(&owner.access), json!({}))
            .await;
        if status != 201 {
            return Err(format!("pairing code: {status} {code}").into());
        }
        let code = code["code"].as_str().ok_or("no code")?;
        self.engine.pair(&cloud.url, code, "Bench").await?;
        Ok(())
    }

    /// One sale, each command followed by the wake the app gives the sync.
    async fn sell(&self) -> BenchResult<()> {
        for command in &self.sale {
            self.till.lock().await.execute(command.clone()).await?;
            self.engine.wake();
        }
        Ok(())
    }
}

/// The `per_mille`‰ value of sorted samples (nearest rank).
fn percentile(sorted: &[Duration], per_mille: usize) -> Duration {
    let rank = ((sorted.len() - 1) * per_mille + 500) / 1000;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

async fn drain(sales: usize) -> BenchResult<()> {
    let mut times = Vec::new();
    for run in 1..=3 {
        let cloud = Cloud::start(Backend::Postgres).await;
        let owner = cloud.restaurant("Drain Bench").await;
        let till = BenchTill::new(false).await?;
        for _ in 0..sales {
            till.sell().await?;
        }
        till.pair(&cloud, &owner).await?;
        let queued = till.engine.status().waiting;
        let start = Instant::now();
        let status = till.engine.sync_now().await?;
        let took = start.elapsed();
        if status.waiting != 0 {
            return Err(format!("{} ops still waiting", status.waiting).into());
        }
        println!("drain run {run}: {queued} ops queued, drained in {}", ms(took));
        times.push(took);
    }
    times.sort();
    println!("drain: median {} (3 runs, PostgreSQL)", ms(times[1]));
    Ok(())
}

async fn latency(samples: usize) -> BenchResult<()> {
    let cloud = Cloud::start(Backend::Postgres).await;
    let owner = cloud.restaurant("Latency Bench").await;
    let a = BenchTill::new(false).await?;
    let b = BenchTill::new(true).await?;
    a.pair(&cloud, &owner).await?;
    b.pair(&cloud, &owner).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runners = [
        tokio::spawn(a.engine.clone().run(stopped.clone())),
        tokio::spawn(b.engine.clone().run(stopped)),
    ];
    let started = Instant::now();
    while !b.engine.status().live {
        if started.elapsed() > Duration::from_secs(10) {
            return Err("till B's live socket never came up".into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let b_store = b.till.lock().await.store_handle();
    let open: Command = serde_json::from_str(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#)?;
    let add: Command = serde_json::from_str(r#"{"cmd": "add_line", "product": "chips"}"#)?;
    let send: Command = serde_json::from_str(r#"{"cmd": "send_to_kitchen"}"#)?;
    let mut times = Vec::with_capacity(samples);
    for i in 0..samples + 20 {
        {
            let mut till = a.till.lock().await;
            till.execute(open.clone()).await?;
            till.execute(add.clone()).await?;
        }
        let start = Instant::now();
        let reply = a.till.lock().await.execute(send.clone()).await?;
        a.engine.wake();
        let id = serde_json::to_value(&reply)?["id"].as_str().ok_or("no id")?.to_owned();
        loop {
            let listed = b_store
                .remote_open_orders()
                .await?
                .iter()
                .any(|o| o.order.id().to_string() == id);
            if listed {
                break;
            }
            if start.elapsed() > Duration::from_secs(10) {
                return Err(format!("till B never listed order {id}").into());
            }
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
        // The first 20 warm up (connections, caches).
        if i >= 20 {
            times.push(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(true);
    for runner in runners {
        let _ = tokio::time::timeout(Duration::from_secs(5), runner).await;
    }
    times.sort();
    println!(
        "latency from till A's command to till B's open orders, {samples} orders: p50 {}, p99 {}, max {}",
        ms(percentile(&times, 500)),
        ms(percentile(&times, 990)),
        ms(percentile(&times, 1000))
    );
    Ok(())
}

async fn sale(blocks: usize, per_block: usize) -> BenchResult<()> {
    let cloud = Cloud::start(Backend::Postgres).await;
    let owner = cloud.restaurant("Sale Bench").await;
    let synced = BenchTill::new(true).await?;
    synced.pair(&cloud, &owner).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = tokio::spawn(synced.engine.clone().run(stopped));
    let alone = BenchTill::new(false).await?;
    // Warm-up: both sell until their WALs and caches are in steady state.
    for _ in 0..300 {
        synced.sell().await?;
        alone.sell().await?;
    }
    let (mut with_sync, mut without) = (Vec::new(), Vec::new());
    for block in 0..blocks * 2 {
        // Taking turns: the order of the two alternates, so drift weighs on both.
        let first_synced = block % 2 == 0;
        for side in [first_synced, !first_synced] {
            let till = if side { &synced } else { &alone };
            let start = Instant::now();
            for _ in 0..per_block {
                till.sell().await?;
            }
            let each = start.elapsed() / u32::try_from(per_block)?;
            if side {
                with_sync.push(each);
            } else {
                without.push(each);
            }
        }
    }
    let _ = stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(10), runner).await;
    with_sync.sort();
    without.sort();
    let (w, wo) = (percentile(&with_sync, 500), percentile(&without, 500));
    let status = synced.engine.status();
    println!(
        "sale with sync running: median {:.1} µs; without: {:.1} µs; ratio {:.3}× ({} blocks of {per_block} each; {} ops waiting at the end)",
        w.as_secs_f64() * 1e6,
        wo.as_secs_f64() * 1e6,
        w.as_secs_f64() / wo.as_secs_f64(),
        blocks * 2,
        status.waiting,
    );
    Ok(())
}

async fn pay(samples: usize) -> BenchResult<()> {
    let cloud = Cloud::start(Backend::Postgres).await;
    let owner = cloud.restaurant("Pay Bench").await;
    let till = BenchTill::with_bank(true).await?;
    till.pair(&cloud, &owner).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = tokio::spawn(till.engine.clone().run(stopped));
    let started = Instant::now();
    while !till.engine.status().live {
        if started.elapsed() > Duration::from_secs(10) {
            return Err("the till's live socket never came up".into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let store = till.till.lock().await.store_handle();
    let open: Command = serde_json::from_str(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#)?;
    let add: Command = serde_json::from_str(r#"{"cmd": "add_line", "product": "chips"}"#)?;
    let pay: Command = serde_json::from_str(r#"{"cmd": "pay", "tender": "pay_by_bank"}"#)?;
    let mut times = Vec::with_capacity(samples);
    for i in 0..samples + 10 {
        let reply = {
            let mut t = till.till.lock().await;
            t.execute(open.clone()).await?;
            t.execute(add.clone()).await?;
            serde_json::to_value(t.execute(pay.clone()).await?)?
        };
        let id = fynlo_core::ids::OrderId::parse(reply["id"].as_str().ok_or("no order id")?)?;
        let note = reply["payments"][0]["note"].as_str().ok_or("no note")?;
        let page = note
            .rsplit_once('(')
            .and_then(|(_, rest)| rest.strip_suffix(')'))
            .ok_or("no page in the note")?;
        let path = page.strip_prefix(&cloud.url).ok_or("the page is on another server")?;
        let (status, _) = cloud.call("POST", &format!("{path}/approve"), None, None).await;
        if status != 200 {
            return Err(format!("approve: {status}").into());
        }
        let start = Instant::now();
        loop {
            if store.order(id).await?.state() == fynlo_core::order::OrderState::Completed {
                break;
            }
            if start.elapsed() > Duration::from_secs(10) {
                return Err(format!("the till never recorded order {id} paid").into());
            }
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
        // The first 10 warm up (connections, caches).
        if i >= 10 {
            times.push(start.elapsed());
        }
    }
    let _ = stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(5), runner).await;
    times.sort();
    println!(
        "pay by bank, the customer's approval to the till's order paid, {samples} payments: p50 {}, p99 {}, max {}",
        ms(percentile(&times, 500)),
        ms(percentile(&times, 990)),
        ms(percentile(&times, 1000))
    );
    Ok(())
}

fn main() -> BenchResult<()> {
    let which = std::env::var("FYNLO_SYNC_BENCH").unwrap_or_default();
    let sales = std::env::var("FYNLO_BENCH_SALES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        if which.is_empty() || which == "drain" {
            drain(sales).await?;
        }
        if which.is_empty() || which == "latency" {
            latency(500).await?;
        }
        if which.is_empty() || which == "sale" {
            sale(20, 50).await?;
        }
        if which.is_empty() || which == "pay" {
            pay(200).await?;
        }
        Ok(())
    })
}
