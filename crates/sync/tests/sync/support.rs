//! A till for the tests: the demo restaurant on a SQLite file in a temporary folder, its sync engine,
//! and the cloud it pairs with.

use std::{path::PathBuf, sync::Arc, time::Duration};

use fynlo_app::{
    clock::{SystemClock, UuidV7},
    payments::SimulatedProvider,
    setup::{self, SetupFile},
    Command, Reply, Services, Till,
};
use fynlo_sync::{MemorySecrets, Secrets, SyncEngine, SyncOptions};
use serde_json::{json, Value};
use tokio::sync::Mutex;

use crate::cloud::{Backend, Cloud, Login};

/// One sale of the demo menu, paid in cash.
pub const SALE: [&str; 4] = [
    r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#,
    r#"{"cmd": "add_line", "product": "burger", "modifiers": ["extra-cheese"]}"#,
    r#"{"cmd": "add_line", "product": "flat-white", "modifiers": ["oat-milk"]}"#,
    r#"{"cmd": "take_cash", "tendered": 5000}"#,
];

/// Options for tests: quick backoff, no timer rounds unless asked.
pub fn options(live: bool) -> SyncOptions {
    SyncOptions {
        interval: Duration::from_secs(3600),
        backoff_unit: Duration::from_millis(20),
        live,
        ..SyncOptions::default()
    }
}

/// A till with its engine.
pub struct TestTill {
    pub dir: tempfile::TempDir,
    pub till: Arc<Mutex<Till>>,
    pub engine: SyncEngine,
    pub secrets: Arc<MemorySecrets>,
}

impl TestTill {
    /// The demo restaurant, logged in as a cashier.
    pub async fn new(options: SyncOptions) -> TestTill {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("till.db");
        let (till, secrets) = open(&path, true, Arc::new(MemorySecrets::default())).await;
        let engine = SyncEngine::open(Arc::clone(&till), secrets.clone() as Arc<dyn Secrets>, options)
            .await
            .expect("engine");
        TestTill {
            dir,
            till,
            engine,
            secrets,
        }
    }

    /// A till whose pay-by-bank goes through the cloud ([`fynlo_sync::pay::CloudPayments`]), cards
    /// through the simulator.
    pub async fn with_bank(options: SyncOptions) -> TestTill {
        Self::with_bank_as(options, false).await
    }

    /// As [`TestTill::with_bank`]; with `simulate`, a till never paired pays by bank through the
    /// simulator (as dev builds do).
    pub async fn with_bank_as(options: SyncOptions, simulate: bool) -> TestTill {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut bank = fynlo_sync::pay::CloudPayments::new(Arc::new(SimulatedProvider::in_memory()));
        if simulate {
            bank = bank.simulating_when_unpaired();
        }
        Self::open_with_bank(dir, true, Arc::new(MemorySecrets::default()), bank, options).await
    }

    /// The till in `dir` (made when `create`) with `bank` as its payment provider, attached to its engine.
    async fn open_with_bank(
        dir: tempfile::TempDir,
        create: bool,
        secrets: Arc<MemorySecrets>,
        bank: fynlo_sync::pay::CloudPayments,
        options: SyncOptions,
    ) -> TestTill {
        let path = dir.path().join("till.db");
        let (till, secrets) = open_with(&path, create, secrets, Arc::new(bank.clone())).await;
        let engine = SyncEngine::open(Arc::clone(&till), secrets.clone() as Arc<dyn Secrets>, options)
            .await
            .expect("engine");
        bank.attach(&engine);
        TestTill {
            dir,
            till,
            engine,
            secrets,
        }
    }

    /// Opens again the till in `dir` (after [`TestTill::with_bank`] went away), its keychain as it was.
    pub async fn reopen_with_bank(
        dir: tempfile::TempDir,
        secrets: Arc<MemorySecrets>,
        options: SyncOptions,
    ) -> TestTill {
        let bank = fynlo_sync::pay::CloudPayments::new(Arc::new(SimulatedProvider::in_memory()));
        Self::open_with_bank(dir, false, secrets, bank, options).await
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("till.db")
    }

    pub async fn run(&self, json: &str) -> Reply {
        let command: Command = serde_json::from_str(json).expect("a command");
        self.till.lock().await.execute(command).await.expect(json)
    }

    pub async fn value(&self, json: &str) -> Value {
        serde_json::to_value(self.run(json).await).expect("json")
    }

    /// Runs a command that must be refused, and answers the error.
    pub async fn refused(&self, json: &str) -> fynlo_app::AppError {
        let command: Command = serde_json::from_str(json).expect("a command");
        self.till.lock().await.execute(command).await.expect_err(json)
    }

    /// Makes `n` cash sales.
    pub async fn sales(&self, n: usize) {
        for _ in 0..n {
            for command in SALE {
                self.run(command).await;
            }
        }
    }

    /// Pairs with the owner's restaurant through a pairing code.
    pub async fn pair(&self, cloud: &Cloud, owner: &Login, name: &str) {
        let code = pairing_code(cloud, owner).await;
        let status = self.engine.pair(&cloud.url, &code, name).await.expect("pairs");
        assert_eq!(status.restaurant_id.as_deref(), Some(owner.restaurant.as_str()));
    }

    /// Waits (at most 10 s) until the engine's live socket is up.
    pub async fn until_live(&self) {
        let start = std::time::Instant::now();
        while !self.engine.status().live {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the live socket never came up"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The last op this till has written (its journal's length).
    pub async fn written(&self) -> i64 {
        let store = self.till.lock().await.store_handle();
        store.sync_state().await.expect("state").written_through
    }

    /// Completed orders and their takings, as the till's database has them.
    pub async fn takings(&self) -> (i64, i64) {
        self.till.lock().await.save().await.expect("saves");
        takings_in(&self.path()).await
    }
}

/// Opens (creating when asked) the demo till at `path`, logged in as the cashier.
pub async fn open(
    path: &std::path::Path,
    create: bool,
    secrets: Arc<MemorySecrets>,
) -> (Arc<Mutex<Till>>, Arc<MemorySecrets>) {
    open_with(path, create, secrets, Arc::new(SimulatedProvider::in_memory())).await
}

/// As [`open`], with the payment provider given.
pub async fn open_with(
    path: &std::path::Path,
    create: bool,
    secrets: Arc<MemorySecrets>,
    provider: Arc<dyn fynlo_payments::PaymentProvider>,
) -> (Arc<Mutex<Till>>, Arc<MemorySecrets>) {
    let clock = Arc::new(SystemClock);
    let ids = Arc::new(UuidV7);
    if create {
        let store = setup::init(path, &SetupFile::demo().expect("demo"), clock.as_ref(), ids.as_ref())
            .await
            .expect("init");
        store.close().await.expect("close");
    }
    let mut till = Till::open(path, Services::new(clock, ids, provider))
        .await
        .expect("till");
    till.execute(serde_json::from_str(r#"{"cmd": "login", "pin": "1357"}"#).expect("login"))
        .await
        .expect("logs in");
    (Arc::new(Mutex::new(till)), secrets)
}

/// Completed orders and their takings in a till's database (read beside the till).
pub async fn takings_in(path: &std::path::Path) -> (i64, i64) {
    let store = fynlo_store::Store::open_reader(path).await.expect("reader");
    let orders = store.recent_orders(100_000).await.expect("orders");
    let completed: Vec<_> = orders
        .iter()
        .filter(|o| o.state() == fynlo_core::order::OrderState::Completed)
        .collect();
    let total: i64 = completed.iter().map(|o| o.priced().expect("prices").total.get()).sum();
    (completed.len() as i64, total)
}

/// A manager's one-time pairing code.
/// A cloud on `backend` with a restaurant called `name` and two tills paired into it: "Counter" and
/// "iPad", neither with its live socket.
pub async fn two_paired_tills(backend: Backend, name: &str) -> (Cloud, Login, TestTill, TestTill) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant(name).await;
    let a = TestTill::new(options(false)).await;
    let b = TestTill::new(options(false)).await;
    a.pair(&cloud, &owner, "Counter").await;
    b.pair(&cloud, &owner, "iPad").await;
    (cloud, owner, a, b)
}

pub async fn pairing_code(cloud: &Cloud, owner: &Login) -> String {
    let (status, code) = cloud
        .post("/api/v1/pairing-codes", Some(&owner.access), json!({}))
        .await;
    assert_eq!(status, 201, "{code}");
    code["code"].as_str().expect("code").to_owned()
}

/// Completed orders of a till and their takings, as the cloud has them; and how many of its ops the
/// cloud holds, by outcome.
pub async fn cloud_takings(cloud: &Cloud, device: &str) -> (i64, i64) {
    let pool = &cloud.server().state.db.pool;
    let (count, total): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), CAST(SUM(total) AS BIGINT) FROM orders WHERE device_id = $1 AND state = 'completed'",
    )
    .bind(device)
    .fetch_one(pool)
    .await
    .expect("cloud orders");
    (count, total.unwrap_or(0))
}

/// The cloud's ops of a device: how many, the highest sequence, and how many not applied.
pub async fn cloud_ops(cloud: &Cloud, device: &str) -> (i64, i64, i64) {
    let pool = &cloud.server().state.db.pool;
    let row: (i64, Option<i64>, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(MAX(seq) AS BIGINT), CAST(SUM(CASE WHEN outcome LIKE '%applied%' THEN 0 ELSE 1 END) AS BIGINT) \
         FROM ops WHERE device_id = $1",
    )
    .bind(device)
    .fetch_one(pool)
    .await
    .expect("cloud ops");
    (row.0, row.1.unwrap_or(0), row.2)
}
