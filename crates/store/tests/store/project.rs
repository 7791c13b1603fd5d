//! The summary tables kept from the journal (`project.rs`, `read.rs`): saves wait in the writer and are
//! applied in batches; a reader in another process sees them before they are applied; a till killed with
//! saves waiting applies them when it reopens; a batch that cannot be applied loses nothing.

use fynlo_core::{
    ids::PaymentId,
    order::{Order, OrderCommand, OrderKind},
    payment::Tender,
    time::IdSource,
    Minor,
};
use fynlo_store::{Store, SETTLE_AFTER};

use crate::{add, count, date, dine_in, raw, Fixture};

/// Rows in the summary tables and the last journal row applied, read from outside the store.
async fn applied(f: &Fixture) -> (i64, i64, i64, i64) {
    let mut conn = raw(&f.path).await;
    let (seq,): (i64,) = sqlx::query_as("SELECT seq FROM projection")
        .fetch_one(&mut conn)
        .await
        .expect("reads");
    (
        count(&mut conn, "orders").await,
        count(&mut conn, "order_saves").await,
        count(&mut conn, "payments").await,
        seq,
    )
}

/// Three orders: one paid in cash, one with a card payment waiting for its provider, one still open.
async fn three_orders(f: &Fixture) -> (Order, Order, Order) {
    let cash = f.open_order(OrderKind::Takeaway).await.expect("opens");
    let (cash, _) = f.run(&cash, add("beer", Some("pint"), &[], 1)).await.expect("adds");
    let (cash, _) = f.run(&cash, f.cash(1000)).await.expect("pays");
    let card = f.open_order(OrderKind::Takeaway).await.expect("opens");
    let (card, _) = f.run(&card, add("sandwich", None, &[], 1)).await.expect("adds");
    let (card, _) = f
        .run(
            &card,
            OrderCommand::StartPayment {
                payment: PaymentId::from_uuid(f.ids.new_id()),
                key: "k-1".into(),
                tender: Tender::Card,
                amount: Minor::new(1150),
                tip: Minor::ZERO,
                surcharge: Minor::ZERO,
                part: None,
            },
        )
        .await
        .expect("starts");
    let open = f.open_order(dine_in()).await.expect("opens");
    let (open, _) = f.run(&open, add("steak", None, &["rare"], 1)).await.expect("adds");
    (cash, card, open)
}

#[tokio::test]
async fn saves_wait_in_the_writer_and_are_applied_in_one_batch() {
    let f = Fixture::new().await;
    let (_, card, open) = three_orders(&f).await;
    assert_eq!(applied(&f).await, (0, 0, 0, 0), "eight saves wait, nothing applied");
    let mut current = open;
    let mut saves = 8;
    while saves < SETTLE_AFTER {
        current = f.run(&current, OrderCommand::Park).await.expect("parks").0;
        current = f.run(&current, OrderCommand::Resume).await.expect("resumes").0;
        saves += 2;
    }
    // The save that made the batch full applied all of them, in one transaction.
    let (orders, order_saves, payments, seq) = applied(&f).await;
    assert_eq!((orders, order_saves, payments), (3, SETTLE_AFTER as i64, 2));
    assert_eq!(seq, f.store.outbox_stats().await.expect("stats").max_seq);
    // A read applies what waits first, so the writer always reads whole tables.
    let next = f.run(&current, OrderCommand::Park).await.expect("parks").0;
    assert_eq!(applied(&f).await.1, SETTLE_AFTER as i64);
    assert_eq!(f.store.open_orders().await.expect("reads"), vec![card, next]);
    assert_eq!(applied(&f).await.1, SETTLE_AFTER as i64 + 1);
}

/// Every read shows the three orders as they are now.
async fn sees_them(store: &Store, cash: &Order, card: &Order, open: &Order) {
    assert_eq!(&store.order(cash.id()).await.expect("reads"), cash);
    assert_eq!(&store.order(card.id()).await.expect("reads"), card);
    assert_eq!(
        store.open_orders().await.expect("reads"),
        vec![card.clone(), open.clone()]
    );
    assert_eq!(store.recent_orders(10).await.expect("reads"), vec![cash.clone()]);
    assert_eq!(
        store.orders_on(&date("2026-11-22")).await.expect("reads"),
        vec![cash.clone(), card.clone(), open.clone()]
    );
    assert_eq!(
        store.history(open.id()).await.expect("reads").len() as u64,
        open.version()
    );
    assert_eq!(
        store.orders_with_attempts_in_flight().await.expect("reads"),
        vec![card.id()]
    );
    let rows = store.payment_rows().await.expect("reads");
    let tenders: Vec<(&str, &str)> = rows.iter().map(|r| (r.tender.as_str(), r.status.as_str())).collect();
    assert_eq!(tenders, [("cash", "succeeded"), ("card", "pending")]);
    assert_eq!(store.next_order_number(&date("2026-11-22")).await.expect("reads"), 4);
}

#[tokio::test]
async fn a_reader_sees_the_saves_the_writer_has_not_applied_yet() {
    let f = Fixture::new().await;
    let (cash, card, open) = three_orders(&f).await;
    assert_eq!(applied(&f).await.3, 0);
    let reader = Store::open_reader(&f.path).await.expect("opens to read");
    sees_them(&reader, &cash, &card, &open).await;
    // Once the writer has applied them, the reader reads the same from the summary tables.
    f.store.settle().await.expect("applies");
    assert_eq!(applied(&f).await.0, 3);
    sees_them(&reader, &cash, &card, &open).await;
    sees_them(&f.store, &cash, &card, &open).await;
}

#[tokio::test]
async fn a_till_killed_with_saves_waiting_applies_them_when_it_next_opens() {
    let f = Fixture::new().await;
    let (cash, card, open) = three_orders(&f).await;
    let last = f.store.outbox_stats().await.expect("stats").max_seq;
    let Fixture { dir, path, store, .. } = f;
    // Dropped, not closed or settled: the saves are in the journal only.
    drop(store);
    let mut conn = raw(&path).await;
    assert_eq!(count(&mut conn, "orders").await, 0);
    drop(conn);

    let store = Store::open(&path).await.expect("reopens");
    let mut conn = raw(&path).await;
    assert_eq!(count(&mut conn, "orders").await, 3);
    assert_eq!(count(&mut conn, "order_saves").await, last);
    assert_eq!(count(&mut conn, "payments").await, 2);
    let (seq,): (i64,) = sqlx::query_as("SELECT seq FROM projection")
        .fetch_one(&mut conn)
        .await
        .expect("reads");
    assert_eq!(seq, last);
    let (state, total): (String, i64) = sqlx::query_as("SELECT state, total FROM orders WHERE id = ?")
        .bind(cash.id().to_string())
        .fetch_one(&mut conn)
        .await
        .expect("reads");
    assert_eq!(
        (state.as_str(), total),
        ("completed", cash.totals().expect("prices").total.get())
    );
    assert_eq!(store.order(card.id()).await.expect("reads"), card);
    assert_eq!(store.open_orders().await.expect("reads"), vec![card, open]);
    // Opening again applies nothing twice.
    store.close().await.expect("closes");
    Store::open(&path)
        .await
        .expect("reopens")
        .close()
        .await
        .expect("closes");
    let mut conn = raw(&path).await;
    assert_eq!(count(&mut conn, "order_saves").await, last);
    drop(dir);
}

#[tokio::test]
async fn a_batch_that_cannot_be_applied_loses_nothing_and_is_applied_once_it_can_be() {
    let f = Fixture::new().await;
    let mut conn = raw(&f.path).await;
    // Something outside the store refuses order number 2 in the summary table, for a while.
    sqlx::query(
        "CREATE TRIGGER refuse_two BEFORE INSERT ON orders WHEN NEW.number = 2 \
         BEGIN SELECT RAISE(ABORT, 'refused for the test'); END",
    )
    .execute(&mut conn)
    .await
    .expect("creates");
    let (cash, card, open) = three_orders(&f).await;
    let err = f.store.settle().await.expect_err("the batch is refused");
    assert!(err.to_string().contains("refused for the test"), "{err}");
    assert!(
        f.store.open_orders().await.is_err(),
        "the writer will not read half-applied tables"
    );
    assert_eq!(count(&mut conn, "orders").await, 0, "the batch is all or nothing");
    // The sale goes on meanwhile: saves still reach the journal.
    let (open, _) = f.run(&open, OrderCommand::Park).await.expect("saves");
    assert_eq!(f.store.outbox_stats().await.expect("stats").count, 9);

    sqlx::query("DROP TRIGGER refuse_two")
        .execute(&mut conn)
        .await
        .expect("drops");
    f.store.settle().await.expect("applies now");
    assert_eq!(count(&mut conn, "orders").await, 3);
    assert_eq!(count(&mut conn, "order_saves").await, 9);
    assert_eq!(f.store.open_orders().await.expect("reads"), vec![card, open]);
    assert_eq!(f.store.order(cash.id()).await.expect("reads"), cash);
}

#[tokio::test]
async fn a_save_the_writer_did_not_see_through_is_still_applied_once() {
    let f = Fixture::new().await;
    let seen = f.open_order(dine_in()).await.expect("opens");
    // A save that reached the journal while the store's memory missed it (its future dropped after
    // the commit, say): another order, written straight into the journal.
    let mut conn = raw(&f.path).await;
    let other = uuid::Uuid::from_u128(0xBEEF).to_string();
    let payload = crate::forged_opening(&f, seen.id(), &other, 2).await;
    sqlx::query(
        "INSERT INTO journal (seq, op_id, op_type, order_id, from_version, to_version, payload, created_at) \
         VALUES (2, 'x', 'order.saved', ?1, 1, 1, ?2, 0)",
    )
    .bind(&other)
    .bind(&payload)
    .execute(&mut conn)
    .await
    .expect("writes");
    f.store.settle().await.expect("applies from the journal");
    assert_eq!(count(&mut conn, "orders").await, 2);
    assert_eq!(count(&mut conn, "order_saves").await, 2);
    let open = f.store.open_orders().await.expect("reads");
    assert_eq!(open.len(), 2);
    assert_eq!(open[0], seen);
    assert_eq!((open[1].id().to_string(), open[1].number()), (other, 2));
    // And the store carries on after it, with the next sequence number.
    let (seen, _) = f.run(&seen, OrderCommand::Park).await.expect("saves");
    assert_eq!(f.store.outbox_stats().await.expect("stats").max_seq, 3);
    assert_eq!(f.store.order(seen.id()).await.expect("reads"), seen);
}

#[tokio::test]
async fn a_store_opened_to_read_refuses_to_write() {
    let f = Fixture::new().await;
    let order = f.open_order(dine_in()).await.expect("opens");
    let reader = Store::open_reader(&f.path).await.expect("opens to read");
    let (next, events) = f.decide(&order, OrderCommand::Park).expect("decides");
    let w = f.write();
    let refused = reader.append(&next, &events, &w).await;
    assert!(matches!(refused, Err(fynlo_store::Error::ReadOnly)), "{refused:?}");
    assert!(matches!(reader.settle().await, Err(fynlo_store::Error::ReadOnly)));
    let refused = reader.set_restaurant(&crate::restaurant(), &w).await;
    assert!(matches!(refused, Err(fynlo_store::Error::ReadOnly)), "{refused:?}");
    assert_eq!(f.store.outbox_stats().await.expect("stats").count, 1);
    assert_eq!(reader.order(order.id()).await.expect("reads"), order);
}
