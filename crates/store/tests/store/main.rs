//! The store tested from outside, against real `SQLite` files in a temporary directory.
//!
//! - this file: creating and opening databases (`lib.rs`), WAL mode, and reopening a store after writes.
//! - [`orders`]: order numbers, appending events, version conflicts, history replay, append-only triggers.
//! - [`outbox`]: the per-device sequence and its op ids.
//! - [`project`]: the summary tables brought up to date from the journal in batches, a reader folding in
//!   saves not yet applied, a killed till applying them when it reopens, a batch that fails.
//! - [`setup`]: restaurant settings, menu versions, staff and wrong-PIN counting.
//! - [`sync`]: the pairing a till's pushed sales tie it to, and the cloud's cursor.
//!
//! The shared fixture lives here: a clock and an id source that tests control, a small menu and restaurant
//! as JSON, and a [`Fixture`] that owns a fresh database and runs order commands against it the way the
//! app does (decide in the core, then append the events).

#![allow(
    clippy::needless_pass_by_value,
    reason = "test helpers take commands and handles by value so each call reads as the command itself"
)]
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "the numbers a test casts are small ones it picked itself; a wrap would be a test bug"
)]

mod audit;
mod orders;
mod outbox;
mod print;
mod project;
mod repair;
mod setup;
mod sync;
mod upgrade;

use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
};

use fynlo_core::{
    catalog::{Catalog, CatalogData},
    ids::{DeviceId, ModifierId, OrderId, ProductId, StaffId, VariantId},
    order::{Ctx, LineRequest, OpenOrder, Order, OrderCommand, OrderEvent, OrderKind},
    settings::Restaurant,
    staff::{PinHash, Role, Staff},
    time::{BusinessDate, Clock, IdSource, Timestamp},
    Currency,
};
use fynlo_store::{Error, Store, Write};
use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions, SqliteConnection};
use tempfile::TempDir;
use uuid::Uuid;

/// 2026-11-22 12:00:00 UTC.
pub const START_MS: i64 = 1_795_867_200_000;

/// A clock the test moves by hand: `now` never changes on its own.
pub struct TestClock {
    state: Mutex<(i64, BusinessDate)>,
}

impl Default for TestClock {
    /// Starts at [`START_MS`] on 2026-11-22.
    fn default() -> TestClock {
        TestClock {
            state: Mutex::new((START_MS, date("2026-11-22"))),
        }
    }
}

impl TestClock {
    /// Moves time on by one second and returns the new now.
    pub fn tick(&self) -> Timestamp {
        let mut state = self.state.lock().expect("clock lock");
        state.0 += 1_000;
        Timestamp::from_millis(state.0)
    }

    /// Moves the clock to another business day.
    pub fn set_date(&self, text: &str) {
        self.state.lock().expect("clock lock").1 = date(text);
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.state.lock().expect("clock lock").0)
    }
}

impl TestClock {
    /// The business day the test set.
    pub fn business_date(&self) -> BusinessDate {
        self.state.lock().expect("clock lock").1.clone()
    }
}

/// Ids 1, 2, 3… above a base, so every run makes the same ids.
pub struct Counter {
    base: u128,
    next: AtomicU64,
}

impl Counter {
    /// Counts up from `base + 1`.
    pub fn starting_after(base: u128) -> Counter {
        Counter {
            base,
            next: AtomicU64::new(1),
        }
    }
}

impl IdSource for Counter {
    fn new_id(&self) -> Uuid {
        Uuid::from_u128(self.base + u128::from(self.next.fetch_add(1, Ordering::SeqCst)))
    }
}

/// A business date.
pub fn date(text: &str) -> BusinessDate {
    BusinessDate::parse(text).expect("valid business date")
}

/// A small menu: a steak with a required cooking choice and an optional sauce, beer in halves and pints,
/// a sandwich that is zero-rated to take away.
pub const MENU_JSON: &str = r##"{
  "categories": [
    {"id": "mains", "name": "Mains", "colour": "#aa3300"},
    {"id": "drinks", "name": "Drinks", "colour": "#0033aa"}
  ],
  "modifier_groups": [
    {"id": "cooking", "name": "Cooking", "min": 1, "max": 1, "modifiers": [
      {"id": "rare", "name": "Rare"},
      {"id": "well", "name": "Well done"}]},
    {"id": "sauce", "name": "Sauce", "min": 0, "max": 1, "modifiers": [
      {"id": "peppercorn", "name": "Peppercorn", "price_delta": 250}]}
  ],
  "products": [
    {"id": "steak", "sku": "M1", "name": "Sirloin", "category": "mains", "price": 2600,
     "vat": {"eat_in": "standard", "takeaway": "standard"}, "station": "kitchen", "colour": "#992200",
     "modifier_groups": ["cooking", "sauce"]},
    {"id": "sandwich", "sku": "M2", "name": "Club sandwich", "category": "mains", "price": 1150,
     "vat": {"eat_in": "standard", "takeaway": "zero"}, "station": "kitchen", "colour": "#ffee00"},
    {"id": "beer", "sku": "D1", "name": "Lager", "category": "drinks", "price": 0,
     "vat": {"eat_in": "standard", "takeaway": "standard"}, "station": "bar", "colour": "#eecc00",
     "barcode": "5000000000017",
     "variants": [{"id": "half", "name": "Half", "price": 310}, {"id": "pint", "name": "Pint", "price": 595}]}
  ]
}"##;

/// The small menu as data.
pub fn menu_data() -> CatalogData {
    serde_json::from_str(MENU_JSON).expect("test menu parses")
}

/// The small menu, validated.
pub fn catalog() -> Catalog {
    Catalog::new(menu_data()).expect("test menu is valid")
}

/// A restaurant with the default 12.5 % discretionary, dine-in-only service charge.
pub fn restaurant() -> Restaurant {
    serde_json::from_str(
        r#"{"name": "The Test Kitchen", "address": ["1 High Street", "Bath", "BA1 1AA"],
            "vat_number": "GB123456789", "currency": "GBP",
            "service_charge": {"enabled": true, "rate": 1250, "kind": "discretionary", "dine_in_only": true}}"#,
    )
    .expect("test restaurant parses")
}

/// A restaurant the store must refuse: it has no VAT number.
pub fn bad_restaurant() -> Restaurant {
    Restaurant {
        vat_number: String::new(),
        ..restaurant()
    }
}

/// A member of staff with a made-up argon2id hash (the store stores hashes; it never checks them).
pub fn staff(id: &str, name: &str, role: Role) -> Staff {
    Staff {
        id: StaffId::new(id).expect("valid staff id"),
        name: name.into(),
        role,
        pin_hash: PinHash::new(format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${id}")).expect("phc string"),
    }
}

/// Table 7 for two.
pub fn dine_in() -> OrderKind {
    OrderKind::DineIn {
        table: "7".into(),
        covers: 2,
    }
}

/// A line of `product`, with a variant and modifiers.
pub fn add(product: &str, variant: Option<&str>, modifiers: &[&str], quantity: i64) -> OrderCommand {
    OrderCommand::AddLine(LineRequest {
        product: Some(ProductId::new(product).expect("valid product id")),
        variant: variant.map(|v| VariantId::new(v).expect("valid variant id")),
        modifiers: modifiers
            .iter()
            .map(|m| ModifierId::new(*m).expect("valid modifier id"))
            .collect(),
        quantity,
        ..LineRequest::default()
    })
}

/// A fresh till database in its own temporary directory.
pub struct Fixture {
    /// Keeps the directory alive for as long as the fixture.
    pub dir: TempDir,
    /// The database file.
    pub path: PathBuf,
    /// The store under test.
    pub store: Store,
    /// Time.
    pub clock: TestClock,
    /// Order, payment and op ids.
    pub ids: Counter,
    /// Who does everything.
    pub staff: StaffId,
    /// The menu orders are checked against.
    pub catalog: Catalog,
}

impl Fixture {
    /// Creates `till.db` in a new temporary directory.
    pub async fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("till.db");
        let clock = TestClock::default();
        let store = Store::create(&path, device_id(), clock.now())
            .await
            .expect("creates the database");
        Fixture {
            dir,
            path,
            store,
            clock,
            ids: Counter::starting_after(0x1000),
            staff: StaffId::new("alex").expect("valid staff id"),
            catalog: catalog(),
        }
    }

    /// A write by the fixture's member of staff at the clock's time.
    pub fn write(&self) -> Write<'_> {
        Write {
            at: self.clock.now(),
            staff: &self.staff,
            ids: &self.ids,
        }
    }

    /// Opens an order on the clock's business day, as the app does.
    pub async fn open_order(&self, kind: OrderKind) -> Result<Order, Error> {
        let at = self.clock.tick();
        let ctx = Ctx::new(at, self.staff.clone());
        let date = self.clock.business_date();
        let w = Write {
            at,
            staff: &self.staff,
            ids: &self.ids,
        };
        let req = |number| OpenOrder {
            id: OrderId::from_uuid(self.ids.new_id()),
            number,
            business_date: date.clone(),
            device: self.store.device(),
            currency: Currency::GBP,
            kind: kind.clone(),
            service_charge: restaurant().service_charge,
        };
        self.store.open_order(&date, &w, |n| Order::open(req(n), &ctx)).await
    }

    /// Decides a command in the core one second after the last, then appends its events.
    pub async fn run(&self, order: &Order, cmd: OrderCommand) -> Result<(Order, Vec<OrderEvent>), Error> {
        let (next, events) = self.decide(order, cmd)?;
        let w = Write {
            at: next.updated_at(),
            staff: &self.staff,
            ids: &self.ids,
        };
        self.store.append(&next, &events, &w).await?;
        Ok((next, events))
    }

    /// Cash handed over for the order, as a command with a new payment id.
    pub fn cash(&self, tendered: i64) -> OrderCommand {
        OrderCommand::TakeCash {
            payment: fynlo_core::ids::PaymentId::from_uuid(self.ids.new_id()),
            tendered: fynlo_core::Minor::new(tendered),
            tip: fynlo_core::Minor::ZERO,
            part: None,
        }
    }

    /// Decides a command in the core without storing it.
    pub fn decide(&self, order: &Order, cmd: OrderCommand) -> Result<(Order, Vec<OrderEvent>), Error> {
        // The fixture's member of staff acts as a manager, so voids and refunds are approved.
        let ctx = Ctx {
            approver: Some(self.staff.clone()),
            grants: fynlo_core::permission::Permissions::all(),
            ..Ctx::new(self.clock.tick(), self.staff.clone())
        };
        Ok(order.execute(&cmd, &self.catalog, &ctx)?)
    }

    /// The clock's time now.
    pub fn clock_now(&self) -> Timestamp {
        self.clock.now()
    }

    /// A second connection to the same file, as another process would open it, after the store has
    /// applied its waiting saves to the summary tables (so the tables can be checked directly).
    pub async fn raw(&self) -> SqliteConnection {
        self.store.settle().await.expect("applies the waiting saves");
        raw(&self.path).await
    }

    /// Rows in a table once the store has applied its waiting saves.
    pub async fn count(&self, table: &str) -> i64 {
        let mut conn = self.raw().await;
        count(&mut conn, table).await
    }
}

/// The device id every fixture's store is created with.
pub fn device_id() -> DeviceId {
    DeviceId::from_uuid(Uuid::from_u128(0xD1))
}

/// The payload of another till's first save of an order like `of` (its opening event), under `id` and
/// `number`: what a second writer would have put in the journal. Written as JSON text, as rows from
/// before payloads were compressed are, which the store reads as well.
pub async fn forged_opening(f: &Fixture, of: fynlo_core::ids::OrderId, id: &str, number: u32) -> String {
    let history = f.store.history(of).await.expect("reads the history");
    let mut entry = serde_json::to_value(&history[0]).expect("serialises");
    assert_eq!(entry["event"]["type"], "opened", "an order's first event opens it");
    entry["event"]["id"] = id.into();
    entry["event"]["number"] = number.into();
    serde_json::json!([entry]).to_string()
}

/// A plain sqlx connection to a database file, outside the store.
pub async fn raw(path: &Path) -> SqliteConnection {
    SqliteConnectOptions::new()
        .filename(path)
        .busy_timeout(std::time::Duration::from_secs(5))
        .connect()
        .await
        .expect("second connection opens")
}

/// Rows in a table.
pub async fn count(conn: &mut SqliteConnection, table: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(conn)
        .await
        .expect("counts rows");
    n
}

#[tokio::test]
async fn create_refuses_an_existing_file() {
    let f = Fixture::new().await;
    let again = Store::create(&f.path, DeviceId::from_uuid(Uuid::from_u128(0xD2)), f.clock.now()).await;
    assert!(
        matches!(&again, Err(Error::AlreadyExists(p)) if p == &f.path),
        "{:?}",
        again.err()
    );
    assert_eq!(f.store.device(), device_id(), "the first store is untouched");

    let other = f.dir.path().join("notes.txt");
    std::fs::write(&other, b"not a database").expect("writes a file");
    let refused = Store::create(&other, device_id(), f.clock.now()).await;
    assert!(matches!(refused, Err(Error::AlreadyExists(_))));
    assert_eq!(std::fs::read(&other).expect("reads"), b"not a database");
}

#[tokio::test]
async fn open_of_a_missing_file_is_not_found_and_creates_nothing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("missing.db");
    let opened = Store::open(&path).await;
    assert!(
        matches!(&opened, Err(Error::NotFound(p)) if p == &path),
        "{:?}",
        opened.err()
    );
    assert!(!path.exists(), "open must not create the file");
}

#[tokio::test]
async fn open_of_a_database_without_a_device_row_is_not_initialised() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("empty.db");
    // An empty file is an empty SQLite database: it opens, but no till was ever set up in it.
    std::fs::write(&path, b"").expect("writes an empty file");
    assert!(matches!(Store::open(&path).await, Err(Error::NotInitialised)));
}

#[tokio::test]
async fn reopening_keeps_the_device_id() {
    let f = Fixture::new().await;
    let path = f.path.clone();
    f.store.close().await.expect("closes");
    let reopened = Store::open(&path).await.expect("reopens after close");
    assert_eq!(reopened.device(), device_id());
    // Dropping without a clean close (as a killed process would) must not lose the device either.
    drop(reopened);
    assert_eq!(
        Store::open(&path).await.expect("reopens after drop").device(),
        device_id()
    );
}

#[tokio::test]
async fn the_database_runs_in_wal_mode() {
    let f = Fixture::new().await;
    let mut conn = f.raw().await;
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .expect("reads the journal mode");
    assert_eq!(mode.to_lowercase(), "wal");
}

#[tokio::test]
async fn a_reopened_store_sees_every_committed_write() {
    let f = Fixture::new().await;
    let w = f.write();
    f.store.set_restaurant(&restaurant(), &w).await.expect("settings");
    f.store.import_menu(&menu_data(), &w).await.expect("menu");
    f.store
        .put_staff(&staff("alex", "Alex Reid", Role::Manager), &w)
        .await
        .expect("staff");
    f.store
        .record_pin_failure(
            &fynlo_store::PinFailure {
                target: fynlo_store::TILL,
                screen: "login",
                typed_by: None,
            },
            &w,
        )
        .await
        .expect("pin failure");
    let open = f.open_order(dine_in()).await.expect("opens");
    let (open, _) = f.run(&open, add("beer", Some("pint"), &[], 2)).await.expect("adds");
    let paid = f.open_order(OrderKind::Takeaway).await.expect("opens");
    let (paid, _) = f.run(&paid, add("sandwich", None, &[], 1)).await.expect("adds");
    let (paid, _) = f.run(&paid, f.cash(2000)).await.expect("pays");
    let history = f.store.history(paid.id()).await.expect("history");
    let outbox = f.store.outbox_after(0, 1000).await.expect("outbox");

    // Dropped, not closed: whatever was committed must be there for the next process.
    let Fixture { dir, path, store, .. } = f;
    drop(store);
    let store = Store::open(&path).await.expect("reopens");
    assert_eq!(store.restaurant().await.expect("reads"), Some(restaurant()));
    let (version, menu) = store.menu().await.expect("reads").expect("a menu");
    assert_eq!((version, menu.data()), (1, &menu_data()));
    assert_eq!(
        store.staff().await.expect("reads"),
        vec![staff("alex", "Alex Reid", Role::Manager)]
    );
    assert_eq!(
        store
            .pin_failures_since(Timestamp::from_millis(0))
            .await
            .expect("reads"),
        1
    );
    assert_eq!(store.order(open.id()).await.expect("reads"), open);
    assert_eq!(store.order(paid.id()).await.expect("reads"), paid);
    assert_eq!(store.open_orders().await.expect("reads"), vec![open.clone()]);
    assert_eq!(
        store.orders_on(&date("2026-11-22")).await.expect("reads"),
        vec![open, paid.clone()]
    );
    assert_eq!(store.history(paid.id()).await.expect("reads"), history);
    assert_eq!(store.outbox_after(0, 1000).await.expect("reads"), outbox);
    drop(dir);
}
