//! Orders in the database (`orders.rs`, `save.rs`, `read.rs`): numbers per day, one journal row per save
//! holding its events, the summary, payment and refund rows kept from them, version conflicts, replaying
//! the history, and the triggers that keep the journal append-only.

use fynlo_core::{
    ids::{LineNo, OrderId, PaymentId},
    order::{
        Course, Discount, DiscountKind, LineChange, OpenOrder, Order, OrderCommand, OrderEvent, OrderKind, OrderState,
    },
    payment::{PaymentStatus, Tender},
    time::IdSource,
    BasisPoints, Currency, Minor,
};
use fynlo_store::Error;
use uuid::Uuid;

use crate::{add, count, date, dine_in, restaurant, Fixture};

/// id, `order_id`, tender, status, amount, tendered, change, `staff_id`, at.
type PaymentRow = (String, String, String, String, i64, i64, i64, String, i64);

#[tokio::test]
async fn numbers_run_per_business_day_and_restart_on_a_new_date() {
    let f = Fixture::new().await;
    let mut numbers = Vec::new();
    for _ in 0..3 {
        numbers.push(f.open_order(dine_in()).await.expect("opens").number());
    }
    assert_eq!(numbers, [1, 2, 3]);

    f.clock.set_date("2026-11-23");
    let next_day = f.open_order(OrderKind::Takeaway).await.expect("opens");
    assert_eq!(next_day.number(), 1);
    assert_eq!(next_day.business_date(), &date("2026-11-23"));
    assert_eq!(f.open_order(OrderKind::Takeaway).await.expect("opens").number(), 2);

    // A late edit on the old day carries on from where that day stopped.
    f.clock.set_date("2026-11-22");
    assert_eq!(f.open_order(dine_in()).await.expect("opens").number(), 4);

    let day_one: Vec<u32> = f
        .store
        .orders_on(&date("2026-11-22"))
        .await
        .expect("lists")
        .iter()
        .map(Order::number)
        .collect();
    assert_eq!(day_one, [1, 2, 3, 4]);
    assert_eq!(f.store.orders_on(&date("2026-11-23")).await.expect("lists").len(), 2);
    assert!(f.store.orders_on(&date("2026-11-24")).await.expect("lists").is_empty());
}

#[tokio::test]
async fn opening_journals_the_first_event_as_one_op() {
    let f = Fixture::new().await;
    let order = f.open_order(dine_in()).await.expect("opens");
    assert_eq!(order.version(), 1);
    assert_eq!(f.store.order(order.id()).await.expect("reads"), order);

    assert_eq!(f.count("journal").await, 1);
    assert_eq!(f.count("orders").await, 1);
    assert_eq!(f.count("order_saves").await, 1);
    let ops = f.store.outbox_after(0, 10).await.expect("reads");
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].op_type, "order.saved");
    assert_eq!(ops[0].payload["order_id"], order.id().to_string());
    let events = ops[0].payload["events"].as_array().expect("an array of events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["version"], 1);
    assert_eq!(events[0]["staff"], "alex");
    assert_eq!(events[0]["at"], order.opened_at().millis());
    assert_eq!(events[0]["event"]["type"], "opened");
    assert_eq!(events[0]["event"]["number"], 1);
}

#[tokio::test]
async fn a_refused_opening_takes_no_number_and_writes_nothing() {
    let f = Fixture::new().await;
    let bad = OrderKind::DineIn {
        table: "7".into(),
        covers: 0,
    };
    let refused = f.open_order(bad).await;
    assert!(matches!(refused, Err(Error::Core(_))), "{refused:?}");
    assert_eq!(f.store.outbox_stats().await.expect("stats").count, 0);
    assert_eq!(f.count("orders").await, 0);
    assert_eq!(f.open_order(dine_in()).await.expect("opens").number(), 1);
}

#[tokio::test]
async fn each_save_is_one_journal_row_holding_its_events() {
    let f = Fixture::new().await;
    let order = f.open_order(dine_in()).await.expect("opens");
    let commands = [
        add("steak", None, &["rare", "peppercorn"], 1),
        add("beer", Some("pint"), &[], 2),
        OrderCommand::SendToKitchen,
        OrderCommand::SetStatus(OrderState::Served),
        f.cash(10_000),
    ];
    let mut saves = 1;
    let mut current = order;
    for cmd in commands {
        let (next, events) = f.run(&current, cmd).await.expect("runs");
        saves += 1;
        assert_eq!(next.version(), current.version() + events.len() as u64);
        assert_eq!(f.store.outbox_stats().await.expect("stats").count, saves);
        assert_eq!(f.count("journal").await, saves);
        assert_eq!(f.count("order_saves").await, saves);
        current = next;
    }
    // The cash payment settled the bill, so its save holds two events: the payment and the completion.
    assert_eq!(current.state(), OrderState::Completed);
    assert_eq!(current.version(), 7);
    assert_eq!(f.store.order(current.id()).await.expect("reads"), current);

    let mut conn = f.raw().await;
    let rows: Vec<(i64, i64, String)> =
        sqlx::query_as("SELECT from_version, to_version, op_type FROM journal ORDER BY seq")
            .fetch_all(&mut conn)
            .await
            .expect("reads journal rows");
    let ranges: Vec<(i64, i64)> = rows.iter().map(|(a, b, _)| (*a, *b)).collect();
    assert_eq!(ranges, [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 7)]);
    assert!(rows.iter().all(|(.., t)| t == "order.saved"));
    let types: Vec<&str> = f
        .store
        .history(current.id())
        .await
        .expect("reads")
        .iter()
        .map(|e| e.event.op_type())
        .collect();
    assert_eq!(
        types,
        [
            "order.opened",
            "order.line_added",
            "order.line_added",
            "order.sent_to_kitchen",
            "order.status_changed",
            "order.payment_recorded",
            "order.completed",
        ]
    );
    let ops = f.store.outbox_after(0, 100).await.expect("reads");
    let per_op: Vec<usize> = ops
        .iter()
        .map(|op| op.payload["events"].as_array().map_or(0, Vec::len))
        .collect();
    assert_eq!(per_op, [1, 1, 1, 1, 1, 2]);
}

#[tokio::test]
async fn payments_get_a_row_each_with_the_recorded_amounts() {
    let f = Fixture::new().await;
    let order = f.open_order(dine_in()).await.expect("opens");
    let (order, _) = f.run(&order, add("beer", Some("pint"), &[], 2)).await.expect("adds");
    // 2 × 595 = 1190, plus 12.5 % service charge (148.75 → 149) = 1339.
    assert_eq!(order.balance().expect("prices"), Minor::new(1339));
    let (order, _) = f.run(&order, f.cash(1000)).await.expect("part-pays");
    assert_eq!(order.state(), OrderState::Pending);
    let (order, events) = f.run(&order, f.cash(500)).await.expect("pays the rest");
    assert_eq!(events.len(), 2);
    assert_eq!(order.state(), OrderState::Completed);

    let mut conn = f.raw().await;
    let rows: Vec<PaymentRow> = sqlx::query_as(
        "SELECT id, order_id, tender, status, amount, tendered, change, staff_id, at FROM payments ORDER BY at",
    )
    .fetch_all(&mut conn)
    .await
    .expect("reads payments");
    assert_eq!(rows.len(), 2);
    for (row, payment) in rows.iter().zip(order.payments()) {
        assert_eq!(row.0, payment.id.to_string());
        assert_eq!(row.1, order.id().to_string());
        assert_eq!((row.2.as_str(), row.3.as_str()), ("cash", "succeeded"));
        assert_eq!(payment.tender, Tender::Cash);
        assert_eq!(payment.status, PaymentStatus::Succeeded);
        assert_eq!(row.7, "alex");
        assert_eq!(row.8, payment.at.millis());
    }
    assert_eq!((rows[0].4, rows[0].5, rows[0].6), (1000, 1000, 0));
    assert_eq!((rows[1].4, rows[1].5, rows[1].6), (339, 500, 161));
    let (total, paid, state): (i64, i64, String) = sqlx::query_as("SELECT total, paid, state FROM orders")
        .fetch_one(&mut conn)
        .await
        .expect("reads the order row");
    assert_eq!((total, paid, state.as_str()), (1339, 1339, "completed"));
}

#[tokio::test]
async fn card_attempts_and_refunds_keep_one_row_each_updated_as_they_move_on() {
    let f = Fixture::new().await;
    let order = f.open_order(OrderKind::Takeaway).await.expect("opens");
    let (order, _) = f.run(&order, add("beer", Some("pint"), &[], 2)).await.expect("adds");
    let payment = PaymentId::from_uuid(f.ids.new_id());
    let start = OrderCommand::StartPayment {
        payment,
        key: "key-1".into(),
        tender: Tender::Card,
        amount: Minor::new(1190),
        tip: Minor::new(100),
        surcharge: Minor::ZERO,
        part: None,
    };
    let (order, _) = f.run(&order, start).await.expect("starts");
    let rows = f.store.payment_rows().await.expect("reads");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].status.as_str(), rows[0].amount, rows[0].tip),
        ("pending", 1190, 100)
    );
    assert_eq!(
        f.store.orders_with_attempts_in_flight().await.expect("reads"),
        vec![order.id()]
    );
    let done = OrderCommand::UpdatePayment {
        payment,
        status: PaymentStatus::Succeeded,
        provider_ref: Some("pi_1".into()),
        note: None,
        fees: fynlo_core::fees::FeeSchedule::default(),
    };
    let (order, events) = f.run(&order, done).await.expect("succeeds");
    assert_eq!(events.len(), 2, "the payment and the completion");
    assert_eq!(order.state(), OrderState::Completed);
    let rows = f.store.payment_rows().await.expect("reads");
    assert_eq!(rows.len(), 1, "still one row for the attempt");
    // Card on 1290: 2.9 % = 37.41 → 37, + 30 = 67; platform 12.9 → 13.
    assert_eq!(
        (
            rows[0].status.as_str(),
            rows[0].provider_ref.as_deref(),
            rows[0].fee_processing,
            rows[0].fee_platform
        ),
        ("succeeded", Some("pi_1"), 67, 13)
    );
    assert!(f
        .store
        .orders_with_attempts_in_flight()
        .await
        .expect("reads")
        .is_empty());

    let refund = fynlo_core::ids::RefundId::from_uuid(f.ids.new_id());
    let (order, _) = f
        .run(
            &order,
            OrderCommand::StartRefund {
                refund,
                key: "r-1".into(),
                payment,
                amount: Some(Minor::new(595)),
                lines: vec![],
                reason: "flat".into(),
            },
        )
        .await
        .expect("refund starts");
    assert_eq!(
        f.store.orders_with_attempts_in_flight().await.expect("reads"),
        vec![order.id()]
    );
    let (order, _) = f
        .run(
            &order,
            OrderCommand::UpdateRefund {
                refund,
                status: PaymentStatus::Succeeded,
                provider_ref: Some("re_1".into()),
                note: None,
            },
        )
        .await
        .expect("refund succeeds");
    assert_eq!(order.refunded(), Ok(Minor::new(595)));
    let mut conn = f.raw().await;
    let (status, amount, approved_by): (String, i64, String) =
        sqlx::query_as("SELECT status, amount, approved_by FROM refunds")
            .fetch_one(&mut conn)
            .await
            .expect("one refund row");
    assert_eq!(
        (status.as_str(), amount, approved_by.as_str()),
        ("succeeded", 595, "alex")
    );
    // What was paid, and what was refunded, never change once written.
    for (sql, message) in [
        ("UPDATE payments SET amount = 1", "amount, tender and key never change"),
        (
            "UPDATE refunds SET amount = 1",
            "amount, reason and approver never change",
        ),
        ("DELETE FROM refunds", "refunds are never deleted"),
    ] {
        let err = sqlx::query(sql).execute(&mut conn).await.expect_err(sql);
        assert!(err.to_string().contains(message), "{sql}: {err}");
    }
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_writes_nothing() {
    let f = Fixture::new().await;
    let order = f.open_order(dine_in()).await.expect("opens");
    let (stored, _) = f.run(&order, add("beer", Some("half"), &[], 1)).await.expect("adds");
    let before = f.store.outbox_stats().await.expect("stats");
    let rows_before = f.count("journal").await;

    // A second till decided on version 1 while this one moved the order to version 2.
    let (stale, events) = f.decide(&order, add("steak", None, &["well"], 1)).expect("decides");
    let w = f.write();
    let conflict = f.store.append(&stale, &events, &w).await;
    assert!(
        matches!(conflict, Err(Error::VersionConflict { order: id, expected: 1, found: 2 }) if id == order.id()),
        "{conflict:?}"
    );
    assert_eq!(f.store.outbox_stats().await.expect("stats"), before);
    assert_eq!(f.count("journal").await, rows_before);
    assert_eq!(f.store.order(order.id()).await.expect("reads"), stored);
    assert_eq!(f.store.history(order.id()).await.expect("reads").len(), 2);

    // The store is still usable: the next write takes the next sequence number.
    f.run(&stored, add("steak", None, &["well"], 1))
        .await
        .expect("adds on the stored version");
    let after = f.store.outbox_stats().await.expect("stats");
    assert_eq!(after.max_seq, before.max_seq + 1);
    assert!(after.is_gapless());
}

#[tokio::test]
async fn appending_to_an_order_never_opened_is_not_found_and_writes_nothing() {
    let f = Fixture::new().await;
    let ctx = fynlo_core::order::Ctx::new(f.clock.tick(), f.staff.clone());
    let id = OrderId::from_uuid(Uuid::from_u128(0xBAD));
    let req = OpenOrder {
        id,
        number: 1,
        business_date: date("2026-11-22"),
        device: f.store.device(),
        currency: Currency::GBP,
        kind: dine_in(),
        service_charge: restaurant().service_charge,
    };
    let (ghost, _) = Order::open(req, &ctx).expect("opens in memory only");
    let (next, events) = f.decide(&ghost, add("beer", Some("pint"), &[], 1)).expect("decides");
    let w = f.write();
    assert!(matches!(f.store.append(&next, &events, &w).await, Err(Error::OrderNotFound(x)) if x == id));
    assert!(matches!(f.store.order(id).await, Err(Error::OrderNotFound(_))));
    assert!(matches!(f.store.history(id).await, Err(Error::OrderNotFound(_))));
    assert_eq!(f.store.outbox_stats().await.expect("stats").count, 0);
    // No events is no change, not an error.
    let order = f.open_order(dine_in()).await.expect("opens");
    f.store.append(&order, &[], &w).await.expect("nothing to append");
    assert_eq!(f.store.outbox_stats().await.expect("stats").count, 1);
}

#[tokio::test]
async fn the_history_replays_to_the_order_as_it_was_saved() {
    let f = Fixture::new().await;
    let order = f.open_order(dine_in()).await.expect("opens");
    let reason = |r: &str| r.to_owned();
    let commands = vec![
        add("steak", None, &["rare", "peppercorn"], 1),
        add("beer", Some("pint"), &[], 2),
        add("sandwich", None, &[], 1),
        OrderCommand::ChangeLine {
            line: LineNo::new(2),
            change: LineChange {
                quantity: Some(3),
                note: Some(Some("one shandy".into())),
                course: Some(Some(Course::Main)),
                seat: Some(Some(2)),
            },
        },
        OrderCommand::RemoveLine(LineNo::new(3)),
        OrderCommand::SetLineDiscount {
            line: LineNo::new(1),
            discount: Some(Discount {
                kind: DiscountKind::Percent {
                    rate: BasisPoints::new(1000),
                },
                reason: reason("regular"),
            }),
        },
        OrderCommand::SendToKitchen,
        OrderCommand::VoidLine {
            line: LineNo::new(2),
            reason: reason("spilt"),
        },
        add("beer", Some("half"), &[], 1),
        OrderCommand::SetOrderDiscount(Some(Discount {
            kind: DiscountKind::Fixed {
                amount: Minor::new(100),
            },
            reason: reason("late food"),
        })),
        OrderCommand::SetServiceCharge {
            enabled: false,
            reason: Some(reason("guest asked")),
        },
        OrderCommand::SetKind {
            kind: OrderKind::DineIn {
                table: "9".into(),
                covers: 3,
            },
            reason: None,
        },
        OrderCommand::Park,
        OrderCommand::Resume,
        OrderCommand::SendToKitchen,
        OrderCommand::SetStatus(OrderState::Preparing),
        OrderCommand::SetStatus(OrderState::Ready),
        f.cash(1000),
    ];
    let mut current = order;
    for cmd in commands {
        current = f
            .run(&current, cmd.clone())
            .await
            .unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
            .0;
    }
    let stored = f.store.order(current.id()).await.expect("reads");
    assert_eq!(stored, current);

    let history = f.store.history(current.id()).await.expect("reads");
    assert_eq!(history.len() as u64, stored.version());
    let versions: Vec<u64> = history.iter().map(|e| e.version).collect();
    assert_eq!(versions, (1..=stored.version()).collect::<Vec<_>>());
    assert!(history.iter().all(|e| e.staff == "alex"));
    assert!(
        history.windows(2).all(|w| w[0].at < w[1].at),
        "each event keeps its own time"
    );
    let replayed = Order::replay(history.iter().map(|e| (&e.event, e.at))).expect("replays");
    assert_eq!(replayed, stored);
    assert!(!replayed.payments().is_empty() && replayed.lines()[1].void.is_some());
}

#[tokio::test]
async fn open_orders_leaves_out_completed_and_cancelled_ones() {
    let f = Fixture::new().await;
    let first = f.open_order(dine_in()).await.expect("opens");
    let second = f.open_order(OrderKind::Takeaway).await.expect("opens");
    let third = f.open_order(OrderKind::Takeaway).await.expect("opens");
    let (second, _) = f.run(&second, add("sandwich", None, &[], 1)).await.expect("adds");
    f.run(&second, f.cash(1150)).await.expect("pays");
    f.run(
        &third,
        OrderCommand::Cancel {
            reason: "walked out".into(),
        },
    )
    .await
    .expect("cancels");
    let (first, _) = f.run(&first, OrderCommand::Park).await.expect("parks");
    assert_eq!(f.store.open_orders().await.expect("lists"), vec![first]);
    let states: Vec<&str> = f
        .store
        .orders_on(&date("2026-11-22"))
        .await
        .expect("lists")
        .iter()
        .map(|o| o.state().as_str())
        .collect();
    assert_eq!(states, ["pending", "completed", "cancelled"]);
}

#[tokio::test]
async fn history_and_payments_cannot_be_deleted_or_rewritten() {
    let f = Fixture::new().await;
    let order = f.open_order(dine_in()).await.expect("opens");
    let (order, _) = f.run(&order, add("beer", Some("pint"), &[], 1)).await.expect("adds");
    f.run(&order, f.cash(2000)).await.expect("pays");

    let mut conn = f.raw().await;
    let tables = ["orders", "journal", "order_saves", "payments"];
    let before: Vec<i64> = row_counts(&mut conn, &tables).await;
    assert!(
        before.iter().all(|n| *n > 0),
        "every table has rows for the triggers to guard: {before:?}"
    );
    let attempts = [
        ("DELETE FROM orders", "orders are never deleted"),
        ("UPDATE orders SET version = 1", "only moves forward"),
        ("UPDATE orders SET number = 99", "only moves forward"),
        ("DELETE FROM journal", "the journal is append-only"),
        ("UPDATE journal SET payload = '[]'", "the journal is append-only"),
        (
            "UPDATE journal SET created_at = 0 WHERE seq = 1",
            "the journal is append-only",
        ),
        ("DELETE FROM order_saves", "history is append-only"),
        ("UPDATE order_saves SET seq = 1", "history is append-only"),
        ("UPDATE projection SET seq = 0", "only moves forward"),
        ("DELETE FROM payments", "payments are never deleted"),
    ];
    for (sql, message) in attempts {
        let err = sqlx::query(sql)
            .execute(&mut conn)
            .await
            .expect_err(&format!("{sql} must fail"));
        assert!(err.to_string().contains(message), "{sql}: {err}");
    }
    assert_eq!(row_counts(&mut conn, &tables).await, before);
    let replayed = {
        let history = f.store.history(order.id()).await.expect("reads");
        Order::replay(history.iter().map(|e| (&e.event, e.at))).expect("replays")
    };
    assert_eq!(replayed, f.store.order(order.id()).await.expect("reads"));
}

async fn row_counts(conn: &mut sqlx::SqliteConnection, tables: &[&str]) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in tables {
        counts.push(count(conn, table).await);
    }
    counts
}

#[tokio::test]
async fn a_number_already_taken_that_day_is_refused_and_writes_nothing() {
    let f = Fixture::new().await;
    let first = f.open_order(dine_in()).await.expect("opens");
    let twin = |n: u128| {
        let ctx = fynlo_core::order::Ctx::new(f.clock.tick(), f.staff.clone());
        let req = OpenOrder {
            id: OrderId::from_uuid(Uuid::from_u128(n)),
            number: first.number(),
            business_date: first.business_date().clone(),
            device: f.store.device(),
            currency: Currency::GBP,
            kind: OrderKind::Takeaway,
            service_charge: restaurant().service_charge,
        };
        Order::open(req, &ctx).expect("opens in memory")
    };
    let w = f.write();
    let before = f.store.outbox_stats().await.expect("stats");
    // While the first order waits to be applied to the summary tables, the store checks from memory…
    let (order, event) = twin(0xA1);
    let refused = f.store.append(&order, &[event], &w).await;
    assert!(matches!(refused, Err(Error::OrderNotFound(_))), "{refused:?}");
    let recorded = |event| {
        [fynlo_store::Recorded {
            event,
            staff: f.staff.clone(),
            at: f.clock_now(),
        }]
    };
    let (order, event) = twin(0xA1);
    let refused = f.store.save_order(&order, true, &recorded(event), &f.ids).await;
    assert!(matches!(refused, Err(Error::NumberTaken)), "{refused:?}");
    // …and once it is applied, the journal's trigger checks the summary row.
    f.store.settle().await.expect("applies");
    let (order, event) = twin(0xA2);
    let refused = f.store.save_order(&order, true, &recorded(event), &f.ids).await;
    assert!(matches!(refused, Err(Error::NumberTaken)), "{refused:?}");
    assert_eq!(f.store.outbox_stats().await.expect("stats"), before);
    assert_eq!(f.count("orders").await, 1);
    // The next number is still free.
    let next = f.open_order(OrderKind::Takeaway).await.expect("opens");
    assert_eq!(next.number(), first.number() + 1);
}

// The journal's trigger used to parse each new order's payload to check it opens the order; the store
// now checks the events it encodes, and writes nothing when they do not.
#[tokio::test]
async fn a_new_orders_first_save_must_open_that_order() {
    let f = Fixture::new().await;
    let ctx = fynlo_core::order::Ctx::new(f.clock.tick(), f.staff.clone());
    let req = OpenOrder {
        id: OrderId::from_uuid(Uuid::from_u128(0xB1)),
        number: 41,
        business_date: date("2026-11-22"),
        device: f.store.device(),
        currency: Currency::GBP,
        kind: OrderKind::Takeaway,
        service_charge: restaurant().service_charge,
    };
    let (opened, opening) = Order::open(req, &ctx).expect("opens in memory");
    let (next, added) = f.decide(&opened, add("beer", Some("half"), &[], 1)).expect("decides");
    let recorded = |events: Vec<OrderEvent>| -> Vec<fynlo_store::Recorded> {
        events
            .into_iter()
            .map(|event| fynlo_store::Recorded {
                event,
                staff: f.staff.clone(),
                at: f.clock_now(),
            })
            .collect()
    };
    let before = f.store.outbox_stats().await.expect("stats");
    // Both events, the opening second.
    let mut events = added.clone();
    events.push(opening.clone());
    let refused = f.store.save_order(&next, true, &recorded(events), &f.ids).await;
    assert!(
        matches!(refused, Err(Error::NotAnOpening(id)) if id == opened.id()),
        "{refused:?}"
    );
    assert_eq!(f.store.outbox_stats().await.expect("stats"), before, "nothing written");
    // In order, they are saved.
    let mut events = vec![opening];
    events.extend(added);
    f.store
        .save_order(&next, true, &recorded(events), &f.ids)
        .await
        .expect("saves");
}
