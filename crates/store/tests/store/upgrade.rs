//! Upgrading a database made before the payments work: the first migration alone, filled the way the
//! store then wrote it (history and outbox rows with whole payloads, one row per cash payment, an
//! order-number row), then opened by today's store — which must migrate it keeping every row, read it
//! back as before, and carry on numbering orders and the outbox without a gap.

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
    let dir = db.parent().expect("folder").join("first-migration");
    std::fs::create_dir_all(&dir).expect("folder");
    std::fs::write(dir.join("20261122000001_init.sql"), FIRST).expect("writes");
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
        payloads.push(op);
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
    assert_eq!(read.servers(), &[] as &[fynlo_core::ids::StaffId]);
    assert_eq!(read.gratuity().expect("shares")[0].staff, staff, "the opener served it");
    assert_eq!(store.history(id).await.expect("history").len(), 4);
    let ops = store.outbox_after(0, 100).await.expect("outbox");
    let got: Vec<&Value> = ops.iter().map(|op| &op.payload).collect();
    assert_eq!(got, payloads.iter().collect::<Vec<_>>(), "old ops keep their payloads");
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
