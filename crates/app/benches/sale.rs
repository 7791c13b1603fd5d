//! Benchmark: durable completed sales per second through the command set (open an order, add 5 lines,
//! take cash, commit), against a bare SQLite `INSERT` + `COMMIT` at the same `synchronous = FULL` setting,
//! measured in the same run on the same disk. Target: a sale takes at most 1.5× the bare commit.
//!
//! Run with `cargo bench -p fynlo-app --bench sale`; `FYNLO_BENCH_SALES` sets the number of sales (300).
//! The database files go in `target/bench-sale/`, on the same file system as the project.

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
        let bare = bare_commits(&dir.join("bare.db"), sales).await?;
        let sale = till_sales(&dir.join("till.db"), sales).await?;
        let bare_again = bare_commits(&dir.join("bare2.db"), sales).await?;
        let bare_best = bare.min(bare_again);
        println!(
            "bare INSERT+COMMIT (WAL, synchronous=FULL): {:>8.1} µs each, {:>7.0}/s",
            micros(bare_best),
            per_second(bare_best)
        );
        println!(
            "completed sale (open, 5 lines, cash):        {:>8.1} µs each, {:>7.0}/s",
            micros(sale),
            per_second(sale)
        );
        println!(
            "ratio sale / bare commit: {:.2} (target ≤ 1.50)",
            sale.as_secs_f64() / bare_best.as_secs_f64()
        );
        Ok(())
    })
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
