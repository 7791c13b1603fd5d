//! Benchmark: durable completed sales per second through the command set (open an order, add 5 lines,
//! take cash, commit), against bare `SQLite` `INSERT` + `COMMIT`s at the same `synchronous = FULL` setting,
//! measured in the same run on the same disk. Target: a sale takes at most 1.5× the bare commit.
//!
//! Two bare commits are measured: one small row (the floor of any durable commit), and the one journal
//! row a sale commits, written by hand with the store's own statement — the floor of storing what a sale
//! must store. The sale also pays its share of the batches that bring the summary tables up to date.
//!
//! The kinds run in turn, a block of a few commits at a time, on databases in the same folder, in an order
//! that rotates from block to block: a virtual machine's disk changes speed from one second to the next,
//! and a commit's time depends on which database committed just before it; taking turns this way makes
//! every kind meet the same disk in every place. Each block's sale time is divided by the one-row commit time of the
//! block next to it, and the median and range of those ratios are shown beside the overall figures.
//!
//! A fourth kind is the same sale on a till with printers set up (a receipt printer that prints on its own
//! with a cash drawer, and the kitchen's): its save also writes the receipt's and the drawer kick's job
//! rows (printing itself is the spooler's, off the sale's path). Target: at most 1.05× the sale without.
//!
//! Run with `cargo bench -p fynlo-app --bench sale`. `FYNLO_BENCH_SALES` sets the number of each (600),
//! `FYNLO_BENCH_BLOCK` the block size (10), and `FYNLO_BENCH_DETAIL=1` prints the time of each command.
//! The database files go in `target/bench-sale/`, on the same file system as the project.

use std::{
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use fynlo_app::{
    clock::{SystemClock, UuidV7},
    setup::{self, SetupFile},
    Command, Services, Till,
};
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
    ConnectOptions, Connection, SqliteConnection,
};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

const SALE: [&str; 7] = [
    r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#,
    r#"{"cmd": "add_line", "product": "burger", "modifiers": ["extra-cheese", "extra-bacon"]}"#,
    r#"{"cmd": "add_line", "product": "chips"}"#,
    r#"{"cmd": "add_line", "sku": "AL01", "variant": "pint", "quantity": 2}"#,
    r#"{"cmd": "add_line", "product": "flat-white", "modifiers": ["oat-milk"]}"#,
    r#"{"cmd": "add_line", "product": "club-sandwich"}"#,
    r#"{"cmd": "take_cash", "tendered": 10000}"#,
];

fn main() -> BenchResult<()> {
    let setting = |name: &str, default: u32| -> u32 {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n| n > 0)
            .unwrap_or(default)
    };
    let sales = setting("FYNLO_BENCH_SALES", 8_000);
    let block = setting("FYNLO_BENCH_BLOCK", 10).min(sales);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-sale");
    std::fs::create_dir_all(&dir)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let mut bare = Bare::new(&dir.join("bare.db")).await?;
        let mut rows = ByHand::new(&dir.join("rows.db"), &dir.join("payload.db"), sales + 1_000).await?;
        let mut till = Sales::new(&dir.join("till.db"), false).await?;
        let mut printing = Sales::new(&dir.join("printing.db"), true).await?;
        // Untimed blocks of each warm the caches and the statement caches, and go on until each
        // database's WAL has wrapped: a checkpoint has run and commits overwrite the WAL in place
        // instead of extending the file (an extending WAL's fsync also flushes the file's new size).
        let warm = [
            wrap(&dir.join("bare.db-wal"), async || bare.run(block).await).await?,
            wrap(&dir.join("rows.db-wal"), async || rows.run(block).await).await?,
            wrap(&dir.join("till.db-wal"), async || till.run(block).await).await?,
            wrap(&dir.join("printing.db-wal"), async || printing.run(block).await).await?,
        ];
        println!(
            "warm-up until each WAL wrapped: {} bare commits, {} rows by hand, {} sales, {} sales with printing",
            warm[0] * block,
            warm[1] * block,
            warm[2] * block,
            warm[3] * block
        );
        till.each.fill(Duration::ZERO);
        let (mut t_bare, mut t_rows, mut t_sale) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
        let mut t_printing = Duration::ZERO;
        let mut ratios = Vec::new();
        let mut print_ratios = Vec::new();
        let mut done = 0;
        let mut round = 0_usize;
        while done < sales {
            let n = block.min(sales - done);
            // The kinds take turns in a rotating order: which kind runs first, second… after another
            // database's commit changes its time on this disk, so each kind takes each place equally.
            let (mut b, mut r, mut s, mut p) = (Duration::ZERO, Duration::ZERO, Duration::ZERO, Duration::ZERO);
            for kind in 0..4 {
                match (kind + round) % 4 {
                    0 => b = bare.run(n).await?,
                    1 => r = rows.run(n).await?,
                    2 => s = till.run(n).await?,
                    _ => p = printing.run(n).await?,
                }
            }
            round += 1;
            t_rows += r;
            ratios.push(s.as_secs_f64() / b.as_secs_f64());
            print_ratios.push(p.as_secs_f64() / s.as_secs_f64());
            t_bare += b;
            t_sale += s;
            t_printing += p;
            done += n;
        }
        let each = |d: Duration| d / sales;
        let line = |label: &str, d: Duration| {
            println!("{label:<56} {:>8.1} µs each, {:>7.0}/s", micros(each(d)), per_second(each(d)));
        };
        line("bare INSERT+COMMIT of one row (WAL, synchronous=FULL):", t_bare);
        line("bare INSERT+COMMIT of a sale's rows, by hand:", t_rows);
        line("completed sale through the command set:", t_sale);
        line("the same sale with printers set up (2 job rows):", t_printing);
        ratios.sort_by(f64::total_cmp);
        println!(
            "ratio sale / one-row commit:    {:.2} overall; per block of {block}: median {:.2}, {:.2}–{:.2} (target ≤ 1.50)",
            t_sale.as_secs_f64() / t_bare.as_secs_f64(),
            ratios[ratios.len() / 2],
            ratios[0],
            ratios[ratios.len() - 1],
        );
        println!(
            "ratio sale / same rows by hand: {:.2}",
            t_sale.as_secs_f64() / t_rows.as_secs_f64()
        );
        print_ratios.sort_by(f64::total_cmp);
        println!(
            "ratio sale with printing / without: {:.3} overall; per block: median {:.3}, {:.3}–{:.3} (target ≤ 1.05)",
            t_printing.as_secs_f64() / t_sale.as_secs_f64(),
            print_ratios[print_ratios.len() / 2],
            print_ratios[0],
            print_ratios[print_ratios.len() - 1],
        );
        if std::env::var_os("FYNLO_BENCH_DETAIL").is_some() {
            for (i, d) in till.each.iter().enumerate() {
                println!("  command {i}: {:>8.1} µs", micros(*d / sales));
            }
        }
        Ok(())
    })
}

/// Runs blocks until the WAL file at `wal` has stopped growing over three blocks in a row after it had
/// grown — the WAL wrapped — and returns how many blocks that took (at most 2,000, so a database that
/// never checkpoints ends the bench with an error instead of looping).
async fn wrap(wal: &Path, mut block: impl AsyncFnMut() -> BenchResult<Duration>) -> BenchResult<u32> {
    let size = || std::fs::metadata(wal).map_or(0, |m| m.len());
    let (mut last, mut grew, mut still) = (size(), false, 0);
    for n in 1..=2_000 {
        block().await?;
        let now = size();
        if now > last {
            grew = true;
            still = 0;
        } else if grew {
            still += 1;
            if still == 3 {
                return Ok(n);
            }
        }
        last = now;
    }
    Err(format!("{} never stopped growing", wal.display()).into())
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn per_second(d: Duration) -> f64 {
    1.0 / d.as_secs_f64()
}

fn remove(path: &Path) {
    for suffix in ["", "-wal", "-shm", ".lock", ".sim-provider.json"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// A connection with the till's settings: WAL, `synchronous = FULL`, and the till's checkpoint interval.
async fn connect(path: &Path, create: bool) -> BenchResult<SqliteConnection> {
    Ok(SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .pragma("wal_autocheckpoint", fynlo_store::WAL_PAGES.to_string())
        .connect()
        .await?)
}

/// One small row per commit.
struct Bare {
    conn: SqliteConnection,
    next: i64,
}

impl Bare {
    async fn new(path: &Path) -> BenchResult<Bare> {
        remove(path);
        let mut conn = connect(path, true).await?;
        sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL, note TEXT NOT NULL)")
            .execute(&mut conn)
            .await?;
        Ok(Bare { conn, next: 0 })
    }

    async fn run(&mut self, n: u32) -> BenchResult<Duration> {
        let start = Instant::now();
        for _ in 0..n {
            self.next += 1;
            // One round trip, as the store's save makes: the statement carries its own transaction.
            sqlx::query("BEGIN IMMEDIATE; INSERT INTO t (amount, note) VALUES (?, 'sale'); COMMIT;")
                .bind(self.next)
                .execute(&mut self.conn)
                .await?;
        }
        Ok(start.elapsed())
    }
}

/// What a completed sale must store durably, written by hand: its journal row — the very bytes the store
/// wrote for a real sale, made before timing on a scratch till — in the same one statement the store
/// uses. The summary rows the store writes later in batches are left out: this is the floor of the sale's
/// durable commit.
struct ByHand {
    conn: SqliteConnection,
    /// Real sales' journal rows: (order id, payload as stored), used in turn.
    saved: Vec<(String, Vec<u8>)>,
    next: usize,
    next_seq: i64,
}

impl ByHand {
    /// `count` real sales' rows, made on a till on the database at `scratch`.
    async fn new(path: &Path, scratch: &Path, count: u32) -> BenchResult<ByHand> {
        let mut till = Sales::new(scratch, false).await?;
        till.run(count).await?;
        till.till.into_store()?.close().await?;
        let mut conn = connect(scratch, false).await?;
        let saved: Vec<(String, Vec<u8>)> = sqlx::query_as(
            "SELECT order_id, CAST(payload AS BLOB) FROM journal WHERE order_id IS NOT NULL ORDER BY seq",
        )
        .fetch_all(&mut conn)
        .await?;
        conn.close().await?;
        if saved.is_empty() {
            return Err("the scratch till saved no sales".into());
        }

        remove(path);
        let store = setup::init(path, &SetupFile::demo()?, &SystemClock, &UuidV7).await?;
        store.close().await?;
        let mut conn = connect(path, false).await?;
        // The journal's sequence goes on from the ops the setup wrote.
        let (next_seq,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) + 1 FROM journal")
            .fetch_one(&mut conn)
            .await?;
        Ok(ByHand {
            conn,
            saved,
            next: 0,
            next_seq,
        })
    }

    async fn run(&mut self, n: u32) -> BenchResult<Duration> {
        // Each row is a sale's own (its id and number in its events), picked before timing. (Past the
        // last, they are used again: nothing here reads the summary tables a repeat would clash in.)
        let rows: Vec<(String, Vec<u8>)> = (0..n)
            .map(|_| {
                let row = self.saved[self.next % self.saved.len()].clone();
                self.next += 1;
                row
            })
            .collect();
        let start = Instant::now();
        for (id, payload) in rows {
            sqlx::query(
                "BEGIN IMMEDIATE; INSERT INTO journal (seq, op_id, op_type, order_id, from_version, to_version, \
                 payload, created_at) VALUES (?, ?, 'order.saved', ?, 1, 8, ?, 0); COMMIT;",
            )
            .bind(self.next_seq)
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(id)
            .bind(payload)
            .execute(&mut self.conn)
            .await?;
            self.next_seq += 1;
        }
        Ok(start.elapsed())
    }
}

/// Sales through the command set, logged in as a cashier.
struct Sales {
    till: Till,
    commands: Vec<Command>,
    each: Vec<Duration>,
    detail: bool,
}

impl Sales {
    async fn new(path: &Path, printing: bool) -> BenchResult<Sales> {
        remove(path);
        let clock = Arc::new(SystemClock);
        let ids = Arc::new(UuidV7);
        let store = setup::init(path, &SetupFile::demo()?, clock.as_ref(), ids.as_ref()).await?;
        let provider = Arc::new(fynlo_app::payments::SimulatedProvider::in_memory());
        let mut till = Till::with_store(store, Services::new(clock, ids, provider)).await?;
        if printing {
            till.execute(serde_json::from_str(r#"{"cmd": "login", "pin": "2468"}"#)?)
                .await?;
            for printer in [
                r#"{"id": "counter", "name": "Counter", "transport": {"type": "file", "name": "counter.bin"}, "width": 48,
                    "stations": ["bar"], "receipts": true, "auto_print": true, "drawer": "pin2"}"#,
                r#"{"id": "kitchen", "name": "Kitchen", "transport": {"type": "file", "name": "kitchen.bin"}, "width": 42,
                    "stations": ["kitchen"], "receipts": false, "auto_print": false}"#,
            ] {
                till.execute(serde_json::from_str(&format!(
                    r#"{{"cmd": "add_printer", "printer": {printer}}}"#
                ))?)
                .await?;
            }
        }
        till.execute(serde_json::from_str(r#"{"cmd": "login", "pin": "1357"}"#)?)
            .await?;
        let commands: Vec<Command> = SALE.iter().map(|c| serde_json::from_str(c)).collect::<Result<_, _>>()?;
        let each = vec![Duration::ZERO; commands.len()];
        Ok(Sales {
            till,
            commands,
            each,
            detail: std::env::var_os("FYNLO_BENCH_DETAIL").is_some(),
        })
    }

    async fn run(&mut self, n: u32) -> BenchResult<Duration> {
        let start = Instant::now();
        for _ in 0..n {
            for (i, command) in self.commands.iter().enumerate() {
                // Timing each command costs the sale two clock reads a command, which the baseline does
                // not pay: only when asked for.
                if self.detail {
                    let t = Instant::now();
                    self.till.execute(command.clone()).await?;
                    self.each[i] += t.elapsed();
                } else {
                    self.till.execute(command.clone()).await?;
                }
            }
        }
        Ok(start.elapsed())
    }
}
