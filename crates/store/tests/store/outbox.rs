//! The outbox (`outbox.rs`, read from the journal): one op per change, a per-device sequence 1..=n with
//! no gaps whatever mix of writes made it (refused ones included), unique op ids, paging, an order's op
//! holding the events of its save, and rows that cannot be deleted.

use std::collections::HashSet;

use fynlo_core::{
    ids::PaymentId,
    order::{OrderCommand, OrderKind},
    staff::Role,
    time::IdSource,
    Minor,
};
use fynlo_store::{Error, OutboxStats};
use uuid::Uuid;

use crate::{add, bad_restaurant, count, dine_in, menu_data, restaurant, staff, Fixture};

#[tokio::test]
async fn the_sequence_has_no_gaps_after_many_mixed_writes() {
    let f = Fixture::new().await;
    assert!(f.store.outbox_stats().await.expect("stats").is_gapless());
    let mut expected = 0;
    let w = f.write();
    f.store.set_restaurant(&restaurant(), &w).await.expect("settings");
    f.store.import_menu(&menu_data(), &w).await.expect("menu");
    for (id, name) in [("alex", "Alex"), ("bo", "Bo"), ("cy", "Cy")] {
        f.store
            .put_staff(&staff(id, name, Role::Cashier), &w)
            .await
            .expect("staff");
    }
    expected += 5;
    for round in 0..6 {
        let order = f
            .open_order(if round % 2 == 0 { dine_in() } else { OrderKind::Takeaway })
            .await
            .expect("opens");
        let (order, _) = f.run(&order, add("beer", Some("pint"), &[], 1)).await.expect("adds");
        let (order, _) = f.run(&order, add("steak", None, &["rare"], 1)).await.expect("adds");
        expected += 3;
        // Refused writes in between must not use up a sequence number.
        let refused = f.run(&order, add("steak", None, &[], 1)).await;
        assert!(
            matches!(
                refused,
                Err(Error::Core(fynlo_core::Error::TooFewModifiers {
                    min: 1,
                    chosen: 0,
                    ..
                }))
            ),
            "cooking is required: {refused:?}"
        );
        let refused = f.store.set_restaurant(&bad_restaurant(), &w).await;
        assert!(
            matches!(refused, Err(Error::Core(fynlo_core::Error::InvalidField { .. }))),
            "{refused:?}"
        );
        let (stale, events) = f.decide(&order, OrderCommand::Park).expect("decides");
        let (order, _) = f.run(&order, OrderCommand::SendToKitchen).await.expect("sends");
        expected += 1;
        let refused = f.store.append(&stale, &events, &w).await;
        assert!(
            matches!(refused, Err(Error::VersionConflict { expected: e, found: g, .. }) if g == e + 1),
            "stale version: {refused:?}"
        );
        let payment = PaymentId::from_uuid(f.ids.new_id());
        let (_, events) = f
            .run(
                &order,
                OrderCommand::TakeCash {
                    payment,
                    tendered: Minor::new(5000),
                    tip: fynlo_core::Minor::ZERO,
                    part: None,
                },
            )
            .await
            .expect("pays");
        assert_eq!(events.len(), 2, "the payment and the completion, in one save");
        expected += 1;
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
        expected += 1;
    }

    let stats = f.store.outbox_stats().await.expect("stats");
    assert_eq!(
        stats,
        OutboxStats {
            count: expected,
            min_seq: 1,
            max_seq: expected
        }
    );
    assert!(stats.is_gapless());
    let ops = f.store.outbox_after(0, 10_000).await.expect("reads");
    let seqs: Vec<i64> = ops.iter().map(|op| op.seq).collect();
    assert_eq!(seqs, (1..=expected).collect::<Vec<_>>());
    let op_ids: HashSet<&str> = ops.iter().map(|op| op.op_id.as_str()).collect();
    assert_eq!(op_ids.len(), ops.len(), "op ids are unique");
    for op in &ops {
        Uuid::parse_str(&op.op_id).expect("op ids are UUIDs");
        assert_eq!(op.device_id, f.store.device().to_string());
    }
}

#[tokio::test]
async fn outbox_after_pages_in_sequence_order() {
    let f = Fixture::new().await;
    for _ in 0..10 {
        f.open_order(dine_in()).await.expect("opens");
    }
    let page = |after, limit| {
        let store = &f.store;
        async move {
            store
                .outbox_after(after, limit)
                .await
                .expect("reads")
                .iter()
                .map(|op| op.seq)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(page(0, 3).await, [1, 2, 3]);
    assert_eq!(page(3, 3).await, [4, 5, 6]);
    assert_eq!(page(8, 100).await, [9, 10]);
    assert!(page(10, 100).await.is_empty());
    let ops = f.store.outbox_after(0, 100).await.expect("reads");
    assert!(ops.iter().all(|op| op.op_type == "order.saved"));
    assert!(ops.windows(2).all(|w| w[0].created_at < w[1].created_at));
}

#[tokio::test]
async fn an_order_op_holds_the_events_of_its_save_as_the_history_has_them() {
    let f = Fixture::new().await;
    let order = f.open_order(dine_in()).await.expect("opens");
    let (order, _) = f.run(&order, add("beer", Some("pint"), &[], 2)).await.expect("adds");
    let (order, _) = f.run(&order, OrderCommand::Park).await.expect("parks");

    let history = f.store.history(order.id()).await.expect("reads");
    let ops = f.store.outbox_after(0, 100).await.expect("reads");
    assert_eq!(ops.len(), 3, "one op per save");
    for (op, entry) in ops.iter().zip(&history) {
        let expected = serde_json::json!({
            "order_id": order.id().to_string(),
            "events": [{
                "version": entry.version,
                "staff": entry.staff,
                "at": entry.at,
                "event": entry.event,
            }],
        });
        assert_eq!(op.payload, expected);
        assert_eq!(op.payload.to_string(), expected.to_string(), "keys in the same order");
    }
    let mut conn = f.raw().await;
    // Regression: these used to accept any error, so a typo in the SQL would have passed. Each must be
    // refused by the journal's own CHECK, and the same statement with the fault mended goes through.
    for (bad, mended) in [
        // An order's op needs the versions it covers; any other op must not name an order.
        (
            "INSERT INTO journal (seq, op_id, op_type, order_id, payload, created_at) VALUES (99, 'x', 'order.saved', 'o', '[]', 0)",
            "INSERT INTO journal (seq, op_id, op_type, payload, created_at) VALUES (99, 'x', 'menu.imported', '[]', 0)",
        ),
        (
            "INSERT INTO journal (seq, op_id, op_type, order_id, from_version, to_version, payload, created_at) \
             VALUES (99, 'x', 'order.saved', 'o', 3, 2, '[]', 0)",
            "INSERT INTO journal (seq, op_id, op_type, order_id, from_version, to_version, payload, created_at) \
             VALUES (99, 'x', 'order.saved', 'o', 3, 3, '[]', 0)",
        ),
        (
            // (Version 2, not 1: a first save meets the new-order trigger before the CHECK.)
            "INSERT INTO journal (seq, op_id, op_type, order_id, from_version, to_version, payload, created_at) \
             VALUES (99, 'x', 'menu.imported', 'o', 2, 2, '[]', 0)",
            "INSERT INTO journal (seq, op_id, op_type, order_id, from_version, to_version, payload, created_at) \
             VALUES (99, 'x', 'order.saved', 'o', 2, 2, '[]', 0)",
        ),
        (
            "INSERT INTO journal (seq, op_id, op_type, payload, created_at) VALUES (0, 'x', 'menu.imported', '{}', 0)",
            "INSERT INTO journal (seq, op_id, op_type, payload, created_at) VALUES (99, 'x', 'menu.imported', '{}', 0)",
        ),
    ] {
        let err = sqlx::query(bad).execute(&mut conn).await.expect_err(bad);
        assert!(err.to_string().contains("CHECK constraint failed"), "{bad}: {err}");
        let mut tx = sqlx::Connection::begin(&mut conn).await.expect("begins");
        sqlx::query(mended).execute(&mut *tx).await.unwrap_or_else(|e| panic!("{mended}: {e}"));
        tx.rollback().await.expect("rolls back");
    }
    // A new order's first save must be under an id no stored order has (the number and the opening are
    // checked by the store's save, without parsing the payload: `a_new_orders_first_save_*` in orders.rs).
    let sql = "INSERT INTO journal (seq, op_id, op_type, order_id, from_version, to_version, payload, created_at) \
               SELECT 99, 'x', 'order.saved', order_id, 1, 1, payload, 0 FROM journal WHERE seq = 1";
    let err = sqlx::query(sql).execute(&mut conn).await.expect_err(sql);
    assert!(err.to_string().contains("order version conflict"), "{sql}: {err}");
    let mended = format!(
        "INSERT INTO journal (seq, op_id, op_type, order_id, from_version, to_version, payload, created_at) \
         SELECT 99, 'x', 'order.saved', '{other}', 1, 1, payload, 0 FROM journal WHERE seq = 1",
        other = Uuid::from_u128(0xFEED)
    );
    let mut tx = sqlx::Connection::begin(&mut conn).await.expect("begins");
    sqlx::query(&mended)
        .execute(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("{mended}: {e}"));
    tx.rollback().await.expect("rolls back");
}

#[tokio::test]
async fn outbox_rows_cannot_be_deleted_or_rewritten() {
    let f = Fixture::new().await;
    let order = f.open_order(dine_in()).await.expect("opens");
    f.run(&order, add("beer", Some("half"), &[], 1)).await.expect("adds");
    let before = f.store.outbox_after(0, 100).await.expect("reads");
    assert_eq!(before.len(), 2);

    let mut conn = f.raw().await;
    for sql in [
        "DELETE FROM journal",
        "DELETE FROM journal WHERE seq = 1",
        "UPDATE journal SET payload = '{}'",
        "UPDATE journal SET seq = seq + 100",
        "UPDATE journal SET op_type = 'order.cancelled'",
    ] {
        let err = sqlx::query(sql)
            .execute(&mut conn)
            .await
            .expect_err(&format!("{sql} must fail"));
        assert!(err.to_string().contains("the journal is append-only"), "{sql}: {err}");
    }
    assert_eq!(count(&mut conn, "journal").await, 2);
    assert_eq!(f.store.outbox_after(0, 100).await.expect("reads"), before);
}

#[test]
fn gapless_means_one_to_max_with_nothing_missing() {
    let check = |count, min_seq, max_seq, expected: bool| {
        let stats = OutboxStats {
            count,
            min_seq,
            max_seq,
        };
        assert_eq!(stats.is_gapless(), expected, "{stats:?}");
    };
    check(0, 0, 0, true);
    check(1, 1, 1, true);
    check(5, 1, 5, true);
    check(4, 1, 5, false);
    check(4, 2, 5, false);
    check(0, 0, 3, false);
}
