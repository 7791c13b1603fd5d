//! Benchmark: the Z report (closing a drawer session) of a busy day on a till that holds a year of
//! trade — 365 days of 822 orders of 5 lines (300,030 orders, 1.5 million lines), each day closed with its
//! own Z — against the same close on a till that holds only that day. Target: at most 200 ms.
//!
//! A Z reads the orders changed since the last Z (one lookup in the `orders_updated` index on the time of
//! an order's last change) and replays them; a year of older orders must cost it nothing. Both tills run
//! the same day in turn (the year's till first, then the fresh one, for `FYNLO_BENCH_ROUNDS` rounds, 7),
//! so a disk or CPU that changes speed weighs on both alike; the medians are printed.
//!
//! Run with `cargo bench -p fynlo-app --bench zreport`. `FYNLO_BENCH_DAYS` sets the days of history
//! (365) and `FYNLO_BENCH_ORDERS` the orders a day (822). The database files go in
//! `target/bench-zreport/`.

use std::{
    path::Path,
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use fynlo_app::{
    clock::UuidV7,
    payments::SimulatedProvider,
    setup::{self, SetupFile},
    view::Reply,
    Command, Services, Till,
};
use fynlo_core::time::{Clock, Timestamp};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

/// 2025-12-01 00:00 UTC: the year of history starts here.
const START_MS: i64 = 1_764_547_200_000;
const DAY_MS: i64 = 86_400_000;
const MINUTE_MS: i64 = 60_000;

/// A clock the bench moves: each day opens at 10:00 and each order takes a minute.
struct BenchClock(AtomicI64);

impl Clock for BenchClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.0.load(Ordering::SeqCst))
    }
}

impl BenchClock {
    fn set(&self, ms: i64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

/// Five lines: 1.5 million over the year.
const LINES: [&str; 5] = [
    r#"{"cmd": "add_line", "product": "burger", "modifiers": ["extra-cheese"]}"#,
    r#"{"cmd": "add_line", "product": "chips"}"#,
    r#"{"cmd": "add_line", "sku": "AL01", "variant": "pint", "quantity": 2}"#,
    r#"{"cmd": "add_line", "product": "flat-white", "modifiers": ["oat-milk"]}"#,
    r#"{"cmd": "add_line", "product": "club-sandwich"}"#,
];

struct Bench {
    till: Till,
    clock: Arc<BenchClock>,
}

async fn run(till: &mut Till, json: &str) -> BenchResult<Reply> {
    let command: Command = serde_json::from_str(json)?;
    Ok(till.execute(command).await?)
}

impl Bench {
    async fn new(path: &Path) -> BenchResult<Bench> {
        for suffix in ["", "-wal", "-shm", ".lock"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let clock = Arc::new(BenchClock(AtomicI64::new(START_MS)));
        let ids = Arc::new(UuidV7);
        let store = setup::init(path, &SetupFile::demo()?, clock.as_ref(), ids.as_ref()).await?;
        let services = Services::new(clock.clone(), ids, Arc::new(SimulatedProvider::in_memory()));
        let mut till = Till::with_store(store, services).await?;
        run(&mut till, r#"{"cmd": "login", "pin": "2468", "staff": "priya"}"#).await?;
        Ok(Bench { till, clock })
    }

    /// Opens a session on `day` at 10:00 and sells `orders` orders a minute apart (every third by card).
    async fn sell_day(&mut self, day: i64, orders: u32) -> BenchResult<()> {
        let open_at = START_MS + day * DAY_MS + 10 * 60 * MINUTE_MS;
        self.clock.set(open_at);
        run(&mut self.till, r#"{"cmd": "open_session", "float": {"2000": 5}}"#).await?;
        for n in 0..orders {
            self.clock.set(open_at + i64::from(n + 1) * MINUTE_MS);
            run(&mut self.till, r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#).await?;
            for line in LINES {
                run(&mut self.till, line).await?;
            }
            let pay = if n % 3 == 0 {
                r#"{"cmd": "pay", "tender": "card", "simulate": "approve"}"#
            } else {
                r#"{"cmd": "take_cash", "tendered": 10000}"#
            };
            run(&mut self.till, pay).await?;
        }
        Ok(())
    }

    /// Counts the drawer as expected and closes the session; how long the close (the Z) took.
    async fn close(&mut self, orders: u32) -> BenchResult<Duration> {
        let day_end = self.clock.now().millis() + 10 * MINUTE_MS;
        self.clock.set(day_end);
        let Reply::Drawer(drawer) = run(&mut self.till, r#"{"cmd": "drawer"}"#).await? else {
            return Err("the drawer answers with the drawer".into());
        };
        let expected = drawer.cash.map_or(0, |c| c.expected.get());
        self.till.save().await?;
        let close = format!(r#"{{"cmd": "close_session", "count": {}}}"#, count_of(expected));
        let started = Instant::now();
        let reply = run(&mut self.till, &close).await?;
        let took = started.elapsed();
        let Reply::Report(z) = reply else {
            return Err("the close answers with the Z".into());
        };
        if z.report.figures.orders != orders || z.report.figures.cash.over_short.map(fynlo_core::Minor::get) != Some(0)
        {
            return Err(format!("the Z counted {} orders, not {orders}", z.report.figures.orders).into());
        }
        Ok(took)
    }
}

/// A count of `pence` in the fewest notes and coins.
fn count_of(mut pence: i64) -> String {
    let mut parts = Vec::new();
    for d in fynlo_core::cash::DENOMINATIONS {
        let n = pence / d;
        if n > 0 {
            parts.push(format!(r#""{d}": {n}"#));
            pence -= n * d;
        }
    }
    format!("{{{}}}", parts.join(", "))
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn main() -> BenchResult<()> {
    let setting = |name: &str, default: u32| -> u32 {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n| n > 0)
            .unwrap_or(default)
    };
    let days = setting("FYNLO_BENCH_DAYS", 365);
    let orders = setting("FYNLO_BENCH_ORDERS", 822);
    let rounds = setting("FYNLO_BENCH_ROUNDS", 7);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-zreport");
    std::fs::create_dir_all(&dir)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let started = Instant::now();
        let mut year = Bench::new(&dir.join("year.db")).await?;
        let mut history_z = Vec::new();
        for day in 0..i64::from(days) {
            year.sell_day(day, orders).await?;
            history_z.push(year.close(orders).await?);
        }
        let total = u64::from(days) * u64::from(orders);
        let size = std::fs::metadata(dir.join("year.db"))?.len();
        println!(
            "history: {days} days × {orders} orders × 5 lines = {total} orders, {} lines, built in {:.0} s; \
             database {} MB",
            total * 5,
            started.elapsed().as_secs_f64(),
            size / 1_000_000
        );
        println!(
            "Z while building the year: median {:.1} ms",
            median(history_z).as_secs_f64() * 1e3
        );
        let mut with_year = Vec::new();
        let mut fresh = Vec::new();
        for round in 0..rounds {
            let day = i64::from(days) + i64::from(round);
            year.sell_day(day, orders).await?;
            with_year.push(year.close(orders).await?);
            let mut one = Bench::new(&dir.join("day.db")).await?;
            one.sell_day(day, orders).await?;
            fresh.push(one.close(orders).await?);
        }
        let (y, f) = (median(with_year.clone()), median(fresh.clone()));
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "Z of a day of {orders} orders on a till with a year of history: median {:.1} ms (range {:.1}–{:.1})",
            ms(y),
            ms(*with_year.iter().min().unwrap_or(&y)),
            ms(*with_year.iter().max().unwrap_or(&y))
        );
        println!(
            "the same Z on a till holding only that day:                median {:.1} ms (range {:.1}–{:.1})",
            ms(f),
            ms(*fresh.iter().min().unwrap_or(&f)),
            ms(*fresh.iter().max().unwrap_or(&f))
        );
        println!("ratio year / one day: {:.2} (target: the Z ≤ 200 ms)", ms(y) / ms(f));
        Ok(())
    })
}
