//! The command set tested from outside: a [`Till`] on a real `SQLite` file set up with the demo restaurant,
//! driven by [`Command`]s parsed from JSON exactly as the Tauri shell and the CLI receive them.
//!
//! Modules mirror `src/`:
//! - [`auth`]: logging in with each demo PIN, wrong and malformed PINs, and the locked till.
//! - [`command`]: the JSON shape of commands, and what fails to parse.
//! - [`error`]: every refusal has its code and changes nothing — no order, no outbox row, no session.
//! - [`setup`]: making, reopening and re-menuing a till.
//! - [`till`]: one shift that runs every command; aliases and the current order; product lookup.
//! - [`view`]: amounts in replies, worked out by hand from the demo menu's prices.
//!
//! The shared fixture lives here: a fixed clock, counting ids, and a [`Fixture`] that owns the database
//! and checks, for every refused command, that nothing changed.

mod auth;
mod command;
mod error;
mod payments;
mod printing;
mod setup;
mod shifts;
mod staff;
mod till;
mod view;

use std::{
    collections::BTreeSet,
    path::PathBuf,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};

use fynlo_app::{
    payments::SimulatedProvider,
    setup::{init, SetupFile, DEMO_PINS},
    view::{OrderView, SessionView},
    AppError, Command, ErrorCode, Held, Reply, Services, Till,
};
use fynlo_core::{
    order::Order,
    time::{BusinessDate, Clock, IdSource, Timestamp},
};
use fynlo_store::OutboxStats;
use tempfile::TempDir;
use uuid::Uuid;

/// 2026-11-28 19:30:00 UTC (and London time): a Saturday evening service.
pub const NOW_MS: i64 = 1_795_894_200_000;

/// The business day of every order in these tests.
pub const TODAY: &str = "2026-11-28";

/// A clock that always says [`NOW_MS`] on [`TODAY`].
pub struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(NOW_MS)
    }
}

impl FixedClock {
    /// [`TODAY`]: the business date of [`NOW_MS`] in London with the day ending at 04:00.
    pub fn business_date(&self) -> BusinessDate {
        BusinessDate::parse(TODAY).expect("valid date")
    }
}

/// Ids 1, 2, 3… as UUIDs, so every run makes the same ones.
#[derive(Default)]
pub struct Counter(AtomicU64);

impl IdSource for Counter {
    fn new_id(&self) -> Uuid {
        Uuid::from_u128(u128::from(self.0.fetch_add(1, Ordering::SeqCst) + 1))
    }
}

/// A clock that says [`NOW_MS`] on [`TODAY`] until a test moves it on.
#[derive(Default)]
pub struct TestClock(std::sync::atomic::AtomicI64);

impl TestClock {
    /// Moves the clock on by `ms`.
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(NOW_MS + self.0.load(Ordering::SeqCst))
    }
}

/// The test clock, these ids and an in-memory payment simulator.
pub fn services(ids: Arc<Counter>, clock: Arc<TestClock>) -> Services {
    Services::new(clock, ids, Arc::new(SimulatedProvider::in_memory()))
}

/// The demo PIN of a member of staff.
pub fn pin(staff: &str) -> &'static str {
    DEMO_PINS
        .iter()
        .find(|(id, _)| *id == staff)
        .map(|(_, pin)| *pin)
        .expect("a demo member of staff")
}

/// Parses a command as the front ends do.
pub fn parse(json: &str) -> Command {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{json} does not parse: {e}"))
}

/// The order in a reply.
pub fn order_of(reply: Reply) -> OrderView {
    match reply {
        Reply::Order(order) => *order,
        other => panic!("expected an order, got {other:?}"),
    }
}

/// The session in a reply.
pub fn session_of(reply: Reply) -> SessionView {
    match reply {
        Reply::Session(session) => session,
        other => panic!("expected a session, got {other:?}"),
    }
}

/// Everything a command could change: the outbox, every order of the day, the wrong-PIN count, the
/// session (who is logged in and the current order), and what the till holds in memory — an order still
/// being built lives only there until it is saved, so a refusal that touched it shows here and nowhere
/// else.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    /// The outbox's size and range.
    pub outbox: OutboxStats,
    /// Every order of the business day, by number.
    pub orders: Vec<Order>,
    /// Wrong PINs ever typed.
    pub pin_failures: i64,
    /// The answer to `whoami`.
    pub session: SessionView,
    /// What the till holds in memory: orders being built and their unsaved changes, aliases, numbers.
    pub held: Held,
}

/// A till on a fresh demo database in its own temporary directory.
pub struct Fixture {
    /// Keeps the directory alive.
    pub dir: TempDir,
    /// The database file.
    pub path: PathBuf,
    /// The till under test.
    pub till: Till,
    /// The names of the commands that have succeeded so far.
    pub succeeded: BTreeSet<&'static str>,
    /// The till's clock.
    pub clock: Arc<TestClock>,
}

impl Fixture {
    /// Sets the demo restaurant up in `till.db`; nobody is logged in.
    pub async fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("till.db");
        let ids = Arc::new(Counter::default());
        let setup = SetupFile::demo().expect("demo setup parses");
        let store = init(&path, &setup, &FixedClock, ids.as_ref())
            .await
            .expect("sets the demo restaurant up");
        let clock = Arc::new(TestClock::default());
        let till = Till::with_store(store, services(ids, Arc::clone(&clock)))
            .await
            .expect("the till starts");
        Fixture::of(dir, path, till, clock)
    }

    /// A fixture around a till the test made itself.
    pub fn of(dir: TempDir, path: PathBuf, till: Till, clock: Arc<TestClock>) -> Fixture {
        Fixture {
            dir,
            path,
            till,
            succeeded: BTreeSet::new(),
            clock,
        }
    }

    /// A new demo till with Sam (a cashier) logged in.
    pub async fn logged_in() -> Fixture {
        let mut f = Fixture::new().await;
        f.ok(&format!(
            r#"{{"cmd": "login", "pin": "{}", "staff": "sam"}}"#,
            pin("sam")
        ))
        .await;
        f
    }

    /// Parses and runs one command.
    pub async fn exec(&mut self, json: &str) -> Result<Reply, AppError> {
        let command = parse(json);
        let name = command.name();
        let result = self.till.execute(command).await;
        if result.is_ok() {
            self.succeeded.insert(name);
        }
        result
    }

    /// Runs a command that must succeed.
    pub async fn ok(&mut self, json: &str) -> Reply {
        self.exec(json)
            .await
            .unwrap_or_else(|e| panic!("{json} was refused: {e}"))
    }

    /// Runs a command that must succeed with an order.
    pub async fn order(&mut self, json: &str) -> OrderView {
        order_of(self.ok(json).await)
    }

    /// Runs a command that must be refused with `code`, and checks that it changed nothing at all.
    pub async fn refused(&mut self, json: &str, code: ErrorCode) -> AppError {
        let before = self.snapshot().await;
        let err = self.exec(json).await.expect_err(&format!("{json} must be refused"));
        assert_eq!(err.code, code, "{json}: {err}");
        assert!(!err.message.is_empty(), "{json}: an error says what went wrong");
        let after = self.snapshot().await;
        assert_eq!(after, before, "{json} was refused but changed something");
        err
    }

    /// What the till holds now.
    pub async fn snapshot(&mut self) -> Snapshot {
        let store = self.till.store();
        let outbox = store.outbox_stats().await.expect("outbox stats");
        let today = BusinessDate::parse(TODAY).expect("valid date");
        let orders = store.orders_on(&today).await.expect("orders of the day");
        let pin_failures = store
            .pin_failures_since(Timestamp::from_millis(0))
            .await
            .expect("wrong PIN count");
        let session = session_of(self.till.execute(Command::Whoami).await.expect("whoami always answers"));
        Snapshot {
            outbox,
            orders,
            pin_failures,
            session,
            held: self.till.held(),
        }
    }

    /// The current order's id, if there is one.
    pub async fn current(&mut self) -> Option<String> {
        self.snapshot().await.session.current_order
    }
}

/// A read-only connection to a till's database, as another process would open it.
pub async fn raw(path: &std::path::Path) -> sqlx::SqliteConnection {
    use sqlx::ConnectOptions;
    sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .expect("opens the database")
}

/// Every op in the till's outbox is one the sync protocol accepts: a consecutive batch of one device, each
/// of an `area.verb` type (`fynlo_protocol::PushRequest::check`).
pub async fn assert_outbox_speaks_the_protocol(f: &Fixture) {
    let ops = f.till.store().outbox_after(0, 10_000).await.expect("the outbox");
    assert!(!ops.is_empty());
    for batch in ops.chunks(fynlo_protocol::MAX_BATCH) {
        let request = fynlo_protocol::PushRequest {
            ops: batch.iter().map(|op| op.to_protocol().expect("converts")).collect(),
        };
        assert_eq!(request.check(), Ok(()), "the outbox as a push");
    }
}
