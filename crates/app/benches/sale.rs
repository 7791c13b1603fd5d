//! Benchmark: durable completed sales per second through the command set (open an order, add 5 lines,
//! take cash, commit), against bare SQLite `INSERT` + `COMMIT`s at the same `synchronous = FULL` setting,
//! measured in the same run on the same disk. Target: a sale takes at most 1.5× the bare commit.
//!
//! Two bare commits are measured: one small row (the floor of any durable commit), and the same rows a
//! sale stores (order snapshot, 8 history rows, 8 outbox rows, the payment) written by
//! hand with plain statements in one transaction — the floor of storing what a sale must store.
//!
//! Run with `cargo bench -p fynlo-app --bench sale`; `FYNLO_BENCH_SALES` sets the number of sales (300);
//! `FYNLO_BENCH_DETAIL=1` prints the time of each command. The database files go in `target/bench-sale/`,
//! on the same file system as the project.

use std::{
    str::FromStr,
    sync::Arc,
    time::{Duration, Instant},
};

use fynlo_app::{
    clock::{SystemClock, UuidV7},
    setup::{self, SetupFile},
    Command, Till,
};
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
    ConnectOptions, Connection,
};

const SALE: [&str; 7] = [
    r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#,
    r#"{"cmd": "add_line", "product": "burger", "modifiers": ["extra-cheese", "extra-bacon"]}"#,
    r#"{"cmd": "add_line", "product": "chips"}"#,
    r#"{"cmd": "add_line", "sku": "AL01", "variant": "pint", "quantity": 2}"#,
    r#"{"cmd": "add_line", "product": "flat-white", "modifiers": ["oat-milk"]}"#,
    r#"{"cmd": "add_line", "product": "club-sandwich"}"#,
    r#"{"cmd": "take_cash", "tendered": 10000}"#,
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sales: u32 = std::env::var("FYNLO_BENCH_SALES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-sale");
    std::fs::create_dir_all(&dir)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        // Interleave the runs so a noisy neighbour on the machine weighs on all of them alike.
        let mut bare = Vec::new();
        let mut rows = Vec::new();
        let mut sale = Vec::new();
        for round in 0..3 {
            bare.push(bare_commits(&dir.join(format!("bare{round}.db")), sales).await?);
            rows.push(same_rows_by_hand(&dir.join(format!("rows{round}.db")), sales).await?);
            sale.push(till_sales(&dir.join(format!("till{round}.db")), sales).await?);
        }
        let (bare, rows, sale) = (median(bare), median(rows), median(sale));
        let line = |label: &str, d: Duration| {
            println!("{label:<56} {:>8.1} µs each, {:>7.0}/s", micros(d), per_second(d));
        };
        line("bare INSERT+COMMIT of one row (WAL, synchronous=FULL):", bare);
        line("bare INSERT+COMMIT of a sale's rows, by hand:", rows);
        line("completed sale through the command set:", sale);
        let ratio = |d: Duration| sale.as_secs_f64() / d.as_secs_f64();
        println!("ratio sale / one-row commit:    {:.2} (target ≤ 1.50)", ratio(bare));
        println!("ratio sale / same rows by hand: {:.2} (target ≤ 1.50)", ratio(rows));
        Ok(())
    })
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn per_second(d: Duration) -> f64 {
    1.0 / d.as_secs_f64()
}

async fn bare_commits(path: &std::path::Path, n: u32) -> Result<Duration, Box<dyn std::error::Error>> {
    remove(path);
    let mut conn = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .connect()
        .await?;
    sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL, note TEXT NOT NULL)")
        .execute(&mut conn)
        .await?;
    let start = Instant::now();
    for i in 0..n {
        let mut tx = conn.begin().await?;
        sqlx::query("INSERT INTO t (amount, note) VALUES (?, 'sale')")
            .bind(i64::from(i))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(start.elapsed() / n)
}

/// The rows a completed sale stores, written with plain statements in one transaction: the order
/// snapshot, its number, 8 history rows, 8 outbox rows and the payment. Payloads are made before timing.
async fn same_rows_by_hand(path: &std::path::Path, n: u32) -> Result<Duration, Box<dyn std::error::Error>> {
    remove(path);
    let clock = Arc::new(SystemClock);
    let ids = Arc::new(UuidV7);
    let store = setup::init(path, &SetupFile::demo()?, clock.as_ref(), ids.as_ref()).await?;
    store.close().await?;
    let mut conn = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .connect()
        .await?;
    let line = r#"{"type":"line_added","line":{"no":1,"product":"burger","sku":"MN03","name":"Classic beef burger","variant":null,"base_price":1550,"modifiers":[{"group":"burger-extras","id":"extra-cheese","name":"Cheddar","price_delta":100}],"quantity":1,"note":null,"course":null,"seat":null,"vat":{"eat_in":"standard","takeaway":"standard"},"station":"kitchen","discount":null,"sent":false,"void":null}}"#;
    let snapshot = "x".repeat(2300);
    // The outbox's sequence goes on from the ops the setup wrote.
    let (first_seq,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox")
        .fetch_one(&mut conn)
        .await?;
    let start = Instant::now();
    for i in 0..n {
        let id = uuid::Uuid::now_v7().to_string();
        let mut tx = conn.begin().await?;
        sqlx::query(
            "INSERT INTO orders (id, device_id, number, business_date, state, kind, table_name, parked, currency, \
             total, paid, opened_by, opened_at, updated_at, version, snapshot) \
             VALUES (?, 'bench', ?, '2026-11-22', 'completed', 'takeaway', NULL, 0, 'GBP', 4200, 4200, 'sam', 0, 0, 9, ?)",
        )
        .bind(&id)
        .bind(i64::from(i) + 1)
        .bind(&snapshot)
        .execute(&mut *tx)
        .await?;
        for version in 1..=8i64 {
            sqlx::query("INSERT INTO order_events (order_id, version, type, payload, staff_id, at) VALUES (?, ?, 'order.line_added', ?, 'sam', 0)")
                .bind(&id)
                .bind(version)
                .bind(line)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO outbox (device_id, seq, op_id, op_type, order_id, version, created_at) VALUES ('bench', ?, ?, 'order.line_added', ?, ?, 0)")
                .bind(first_seq + i64::from(i) * 8 + version - 1)
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(&id)
                .bind(version)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO payments (id, order_id, idempotency_key, tender, status, amount, tip, tendered, change, \
             fee_processing, fee_platform, split_seq, split_part, provider_ref, note, staff_id, at, updated_at) \
             VALUES (?, ?, ?, 'cash', 'succeeded', 4200, 0, 5000, 800, 0, 0, NULL, NULL, NULL, NULL, 'sam', 0, 0)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&id)
        .bind(uuid::Uuid::now_v7().to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    Ok(start.elapsed() / n)
}

async fn till_sales(path: &std::path::Path, n: u32) -> Result<Duration, Box<dyn std::error::Error>> {
    remove(path);
    let clock = Arc::new(SystemClock);
    let ids = Arc::new(UuidV7);
    let store = setup::init(path, &SetupFile::demo()?, clock.as_ref(), ids.as_ref()).await?;
    let mut till = Till::with_store(store, clock, ids).await?;
    till.execute(serde_json::from_str(r#"{"cmd": "login", "pin": "1357"}"#)?)
        .await?;
    let commands: Vec<Command> = SALE.iter().map(|c| serde_json::from_str(c)).collect::<Result<_, _>>()?;
    let mut each = vec![Duration::ZERO; commands.len()];
    let start = Instant::now();
    for _ in 0..n {
        for (i, command) in commands.iter().enumerate() {
            let t = Instant::now();
            till.execute(command.clone()).await?;
            each[i] += t.elapsed();
        }
    }
    let total = start.elapsed() / n;
    if std::env::var_os("FYNLO_BENCH_DETAIL").is_some() {
        for (i, d) in each.iter().enumerate() {
            println!("  command {i}: {:>8.1} µs", micros(*d / n));
        }
    }
    Ok(total)
}

fn remove(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
