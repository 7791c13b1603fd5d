//! Upgrading databases made by earlier stores, each filled the way that store wrote it, then opened by
//! today's store — which must migrate them keeping every fact, read them back as before, and carry on
//! numbering orders and the outbox without a gap:
//!
//! - the first migration alone (before the payments work): history and outbox rows with whole payloads,
//!   one row per cash payment, an order-number row;
//! - the first two (before the journal): a snapshot per order, a history row per event, outbox rows
//!   pointing at them, payment rows kept up to date;
//! - and one whose history and outbox disagree, which must refuse to open rather than replay wrongly.

use std::path::Path;

use fynlo_core::{
    ids::{OrderId, PaymentId},
    order::{Ctx, OpenOrder, Order, OrderCommand, OrderEvent, OrderKind},
    time::Timestamp,
    Currency, Minor,
};
use fynlo_store::{Recorded, Store};
use serde_json::{json, Value};
use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions};
use uuid::Uuid;

use crate::{add, catalog, date, device_id, raw};

/// The first migration exactly as it was released.
const FIRST: &str = include_str!("../../../../migrations/20261122000001_init.sql");
/// The second, as released.
const SECOND: &str = include_str!("../../../../migrations/20261122000002_payments.sql");

/// Removes what an older store did not write.
fn strip(value: &mut Value, keys: &[&str]) {
    if let Some(map) = value.as_object_mut() {
        for k in keys {
            map.remove(*k);
        }
    }
}

const NEW_PAYMENT_KEYS: &[&str] = &[
    "idempotency_key",
    "tip",
    "surcharge",
    "fee",
    "part",
    "provider_ref",
    "note",
];

fn old_shape_event(event: &OrderEvent) -> Value {
    let mut v = serde_json::to_value(event).expect("serialises");
    if let Some(p) = v.get_mut("payment") {
        strip(p, NEW_PAYMENT_KEYS);
    }
    v
}

fn old_shape_order(order: &Order) -> Value {
    let mut v = serde_json::to_value(order).expect("serialises");
    strip(&mut v, &["refunds", "split", "splits", "servers"]);
    if let Some(payments) = v.get_mut("payments").and_then(Value::as_array_mut) {
        payments.iter_mut().for_each(|p| strip(p, NEW_PAYMENT_KEYS));
    }
    v
}

async fn first_schema_only(db: &Path) -> sqlx::SqliteConnection {
    released_schema(db, &[("20261122000001_init.sql", FIRST)]).await
}

/// A new database with only the given released migrations applied.
async fn released_schema(db: &Path, migrations: &[(&str, &str)]) -> sqlx::SqliteConnection {
    let dir = db.parent().expect("folder").join("released-migrations");
    std::fs::create_dir_all(&dir).expect("folder");
    for (name, sql) in migrations {
        std::fs::write(dir.join(name), sql).expect("writes");
    }
    let mut conn = SqliteConnectOptions::new()
        .filename(db)
        .create_if_missing(true)
        .connect()
        .await
        .expect("creates");
    sqlx::migrate::Migrator::new(dir.as_path())
        .await
        .expect("reads the first migration")
        .run(&mut conn)
        .await
        .expect("applies it");
    conn
}

#[tokio::test]
async fn a_database_from_before_the_payments_work_upgrades_keeping_every_row() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let db = tmp.path().join("till.db");
    let mut conn = first_schema_only(&db).await;

    // A takeaway pint paid in cash, decided by the core as the old till did.
    let staff = fynlo_core::ids::StaffId::new("sam").expect("id");
    let ctx = Ctx::new(Timestamp::from_millis(1_000), staff.clone());
    let id = OrderId::from_uuid(Uuid::from_u128(0x0A));
    let open = OpenOrder {
        id,
        number: 1,
        business_date: date("2026-11-22"),
        device: device_id(),
        currency: Currency::GBP,
        kind: OrderKind::Takeaway,
        service_charge: Default::default(),
    };
    let (order, opened) = Order::open(open, &ctx).expect("opens");
    let (order, mut events) = order
        .execute(&add("beer", Some("pint"), &[], 1), &catalog(), &ctx)
        .expect("adds");
    let pay = OrderCommand::TakeCash {
        payment: PaymentId::from_uuid(Uuid::from_u128(0x0B)),
        tendered: Minor::new(1000),
        tip: Minor::ZERO,
        part: None,
    };
    let (order, paid) = order.execute(&pay, &catalog(), &ctx).expect("pays");
    events.extend(paid);
    let history: Vec<OrderEvent> = std::iter::once(opened).chain(events).collect();
    assert_eq!(history.len(), 4, "opened, line, payment, completed");

    sqlx::query("INSERT INTO device (id, created_at) VALUES (?, 0)")
        .bind(device_id().to_string())
        .execute(&mut conn)
        .await
        .expect("device");
    sqlx::query(
        "INSERT INTO orders (id, device_id, number, business_date, state, kind, table_name, parked, currency, \
         total, paid, opened_by, opened_at, updated_at, version, snapshot) \
         VALUES (?, ?, 1, '2026-11-22', 'completed', 'takeaway', NULL, 0, 'GBP', 595, 595, 'sam', 1000, 1000, 4, ?)",
    )
    .bind(id.to_string())
    .bind(device_id().to_string())
    .bind(old_shape_order(&order).to_string())
    .execute(&mut conn)
    .await
    .expect("order row");
    sqlx::query("INSERT INTO order_numbers (device_id, business_date, last_number) VALUES (?, '2026-11-22', 1)")
        .bind(device_id().to_string())
        .execute(&mut conn)
        .await
        .expect("number row");
    let mut payloads = Vec::new();
    for (i, event) in history.iter().enumerate() {
        let version = i as i64 + 1;
        let payload = old_shape_event(event);
        sqlx::query("INSERT INTO order_events (order_id, version, type, payload, staff_id, at) VALUES (?, ?, ?, ?, 'sam', 1000)")
            .bind(id.to_string())
            .bind(version)
            .bind(event.op_type())
            .bind(payload.to_string())
            .execute(&mut conn)
            .await
            .expect("history row");
        let op = json!({"order_id": id.to_string(), "version": version, "staff": "sam", "event": payload});
        sqlx::query(
            "INSERT INTO outbox (device_id, seq, op_id, op_type, payload, created_at) VALUES (?, ?, ?, ?, ?, 1000)",
        )
        .bind(device_id().to_string())
        .bind(version)
        .bind(Uuid::from_u128(0x100 + i as u128).to_string())
        .bind(event.op_type())
        .bind(op.to_string())
        .execute(&mut conn)
        .await
        .expect("outbox row");
        // Today an order's op holds the events of its save: each old op becomes a save of one event.
        payloads.push(json!({
            "order_id": id.to_string(),
            "events": [{"version": version, "staff": "sam", "at": 1000, "event": payload}],
        }));
    }
    sqlx::query(
        "INSERT INTO payments (id, order_id, tender, status, amount, tendered, change, staff_id, at) \
         VALUES (?, ?, 'cash', 'succeeded', 595, 1000, 405, 'sam', 1000)",
    )
    .bind(PaymentId::from_uuid(Uuid::from_u128(0x0B)).to_string())
    .bind(id.to_string())
    .execute(&mut conn)
    .await
    .expect("payment row");
    drop(conn);

    // Today's store migrates it and reads everything back.
    let store = Store::open(&db).await.expect("opens and upgrades");
    let read = store.order(id).await.expect("the order reads back");
    assert_eq!(read.paid(), Ok(Minor::new(595)));
    // Replayed from its history, the order names its opener as its server, as every order opened since.
    assert_eq!(read.servers(), std::slice::from_ref(&staff));
    assert_eq!(read.gratuity().expect("shares")[0].staff, staff, "the opener served it");
    assert_eq!(store.history(id).await.expect("history").len(), 4);
    let ops = store.outbox_after(0, 100).await.expect("outbox");
    let got: Vec<&Value> = ops.iter().map(|op| &op.payload).collect();
    assert_eq!(got, payloads.iter().collect::<Vec<_>>(), "old ops keep their events");
    assert!(ops.iter().all(|op| op.op_type == "order.saved"));
    assert_eq!(
        ops.iter().map(|op| (op.seq, op.op_id.clone())).collect::<Vec<_>>(),
        (0..4)
            .map(|i| (i as i64 + 1, Uuid::from_u128(0x100 + i as u128).to_string()))
            .collect::<Vec<_>>(),
        "old ops keep their sequence numbers and op ids"
    );
    let rows = store.payment_rows().await.expect("payments");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].amount, rows[0].tip, rows[0].status.as_str()),
        (595, 0, "succeeded")
    );
    assert_eq!(store.next_order_number(&date("2026-11-22")).await.expect("number"), 2);

    // And carries on: the next order takes number 2 and the outbox goes on from 5 without a gap.
    let open = OpenOrder {
        id: OrderId::from_uuid(Uuid::from_u128(0x0C)),
        number: 2,
        business_date: date("2026-11-22"),
        device: device_id(),
        currency: Currency::GBP,
        kind: OrderKind::Takeaway,
        service_charge: Default::default(),
    };
    let (next, event) = Order::open(open, &ctx).expect("opens");
    let recorded = [Recorded {
        event,
        staff: staff.clone(),
        at: Timestamp::from_millis(2_000),
    }];
    let ids = crate::Counter::starting_after(0x200);
    store
        .save_order(&next, true, &recorded, &ids)
        .await
        .expect("saves after the upgrade");
    let stats = store.outbox_stats().await.expect("stats");
    assert!(stats.is_gapless(), "{stats:?}");
    assert_eq!(stats.count, 5);
    let mut check = raw(&db).await;
    let (tables,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sqlite_master WHERE name = 'order_numbers'")
        .fetch_one(&mut check)
        .await
        .expect("schema");
    assert_eq!(tables, 0);
}

/// A new database with the two migrations released before the journal.
async fn schema_before_the_journal(db: &Path) -> sqlx::SqliteConnection {
    released_schema(
        db,
        &[
            ("20261122000001_init.sql", FIRST),
            ("20261122000002_payments.sql", SECOND),
        ],
    )
    .await
}

/// A dine-in order as the store before the journal saved it: opened, a line added, sent, paid by card
/// in two steps — each event a history row with an outbox row pointing at it, then a snapshot.
async fn fill_as_before_the_journal(conn: &mut sqlx::SqliteConnection) -> (Order, Vec<Value>) {
    let staff = fynlo_core::ids::StaffId::new("sam").expect("id");
    let ctx = Ctx {
        approver: Some(staff.clone()),
        ..Ctx::new(Timestamp::from_millis(5_000), staff.clone())
    };
    let id = OrderId::from_uuid(Uuid::from_u128(0x1A));
    let open = OpenOrder {
        id,
        number: 7,
        business_date: date("2026-11-30"),
        device: device_id(),
        currency: Currency::GBP,
        kind: OrderKind::DineIn {
            table: "4".into(),
            covers: 2,
        },
        service_charge: Default::default(),
    };
    let (mut order, opened) = Order::open(open, &ctx).expect("opens");
    let mut history = vec![opened];
    let payment = PaymentId::from_uuid(Uuid::from_u128(0x1B));
    let commands = [
        add("beer", Some("pint"), &[], 2),
        OrderCommand::SendToKitchen,
        OrderCommand::StartPayment {
            payment,
            key: "key-1".into(),
            tender: fynlo_core::payment::Tender::Card,
            amount: Minor::new(1339),
            tip: Minor::ZERO,
            surcharge: Minor::ZERO,
            part: None,
        },
        OrderCommand::UpdatePayment {
            payment,
            status: fynlo_core::payment::PaymentStatus::Succeeded,
            provider_ref: Some("pi_1".into()),
            note: None,
            fees: fynlo_core::fees::FeeSchedule::default(),
        },
    ];
    for cmd in commands {
        let (next, events) = order.execute(&cmd, &catalog(), &ctx).expect("runs");
        history.extend(events);
        order = next;
    }
    assert_eq!(order.state(), fynlo_core::order::OrderState::Completed);
    sqlx::query("INSERT INTO device (id, created_at) VALUES (?, 0)")
        .bind(device_id().to_string())
        .execute(&mut *conn)
        .await
        .expect("device");
    sqlx::query(
        "INSERT INTO orders (id, device_id, number, business_date, state, kind, table_name, parked, currency, \
         total, paid, opened_by, opened_at, updated_at, version, snapshot) \
         VALUES (?, ?, 7, '2026-11-30', 'completed', 'dine_in', '4', 0, 'GBP', 1339, 1339, 'sam', 5000, 5000, ?, ?)",
    )
    .bind(id.to_string())
    .bind(device_id().to_string())
    .bind(order.version() as i64)
    .bind(serde_json::to_string(&order).expect("serialises"))
    .execute(&mut *conn)
    .await
    .expect("order row");
    let mut expected = Vec::new();
    for (i, event) in history.iter().enumerate() {
        let version = i as i64 + 1;
        sqlx::query("INSERT INTO order_events (order_id, version, type, payload, staff_id, at) VALUES (?, ?, ?, ?, 'sam', 5000)")
            .bind(id.to_string())
            .bind(version)
            .bind(event.op_type())
            .bind(serde_json::to_string(event).expect("serialises"))
            .execute(&mut *conn)
            .await
            .expect("history row");
        sqlx::query(
            "INSERT INTO outbox (seq, device_id, op_id, op_type, order_id, version, created_at) VALUES (?, ?, ?, ?, ?, ?, 5000)",
        )
        .bind(version)
        .bind(device_id().to_string())
        .bind(Uuid::from_u128(0x300 + i as u128).to_string())
        .bind(event.op_type())
        .bind(id.to_string())
        .bind(version)
        .execute(&mut *conn)
        .await
        .expect("outbox row");
        expected.push(json!({
            "order_id": id.to_string(),
            "events": [{"version": version, "staff": "sam", "at": 5000, "event": event}],
        }));
    }
    sqlx::query(
        "INSERT INTO payments (id, order_id, idempotency_key, tender, status, amount, tip, tendered, change, \
         fee_processing, fee_platform, provider_ref, staff_id, at, updated_at) \
         VALUES (?, ?, 'key-1', 'card', 'succeeded', 1339, 0, 1339, 0, 69, 13, 'pi_1', 'sam', 5000, 5000)",
    )
    .bind(payment.to_string())
    .bind(id.to_string())
    .execute(&mut *conn)
    .await
    .expect("payment row");
    (order, expected)
}

#[tokio::test]
async fn a_database_from_before_the_journal_upgrades_keeping_every_fact() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let db = tmp.path().join("till.db");
    let mut conn = schema_before_the_journal(&db).await;
    let (order, expected) = fill_as_before_the_journal(&mut conn).await;
    drop(conn);

    let store = Store::open(&db).await.expect("opens and upgrades");
    assert_eq!(store.order(order.id()).await.expect("replays"), order);
    assert_eq!(
        store.history(order.id()).await.expect("history").len() as u64,
        order.version()
    );
    assert_eq!(
        store.orders_on(&date("2026-11-30")).await.expect("lists"),
        vec![order.clone()]
    );
    assert_eq!(store.recent_orders(10).await.expect("lists"), vec![order.clone()]);
    let ops = store.outbox_after(0, 100).await.expect("outbox");
    assert_eq!(
        ops.iter().map(|op| &op.payload).collect::<Vec<_>>(),
        expected.iter().collect::<Vec<_>>()
    );
    let rows = store.payment_rows().await.expect("payments");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            rows[0].status.as_str(),
            rows[0].provider_ref.as_deref(),
            rows[0].fee_processing
        ),
        ("succeeded", Some("pi_1"), 69)
    );
    assert_eq!(store.next_order_number(&date("2026-11-30")).await.expect("number"), 8);

    let mut check = raw(&db).await;
    for gone in ["order_events", "outbox", "order_numbers"] {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sqlite_master WHERE name = ?")
            .bind(gone)
            .fetch_one(&mut check)
            .await
            .expect("schema");
        assert_eq!(n, 0, "{gone} is gone");
    }
    let (applied,): (i64,) = sqlx::query_as("SELECT seq FROM projection")
        .fetch_one(&mut check)
        .await
        .expect("reads");
    assert_eq!(applied, order.version() as i64, "every old op is applied");
    let (fk,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM pragma_foreign_key_check")
        .fetch_one(&mut check)
        .await
        .expect("checks keys");
    assert_eq!(fk, 0, "payments still point at their order");
}

#[tokio::test]
async fn a_database_whose_history_lost_an_op_refuses_to_upgrade_and_is_left_as_it_was() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let db = tmp.path().join("till.db");
    let mut conn = schema_before_the_journal(&db).await;
    let (order, _) = fill_as_before_the_journal(&mut conn).await;
    // A history row with no outbox op: an order the journal could not replay whole.
    sqlx::query("DROP TRIGGER outbox_append_only_d")
        .execute(&mut conn)
        .await
        .expect("drops");
    sqlx::query("DELETE FROM outbox WHERE seq = 3")
        .execute(&mut conn)
        .await
        .expect("deletes");
    drop(conn);

    let refused = Store::open(&db).await;
    assert!(
        matches!(refused, Err(fynlo_store::Error::Migrate(_))),
        "{:?}",
        refused.err()
    );
    let mut check = raw(&db).await;
    let (snapshots,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders WHERE id = ? AND snapshot IS NOT NULL")
        .bind(order.id().to_string())
        .fetch_one(&mut check)
        .await
        .expect("the old tables are still there");
    assert_eq!(snapshots, 1);
    let (journal,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sqlite_master WHERE name = 'journal'")
        .fetch_one(&mut check)
        .await
        .expect("schema");
    assert_eq!(journal, 0, "nothing of the migration is left behind");
}
