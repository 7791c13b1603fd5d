//! A journal that cannot be applied (`repair.rs`): the database refuses to open for writing and names the
//! row, readers still see everything, and `Store::repair` mends an order number given out twice.

use fynlo_core::{
    order::{OrderCommand, OrderEvent},
    time::Timestamp,
};
use fynlo_store::{Error, Store};

use crate::{count, dine_in, raw, Fixture};

// Regression: two writers (the same file through two paths) both gave out order #1; applying the
// journal then failed on `UNIQUE constraint failed`, and the database could no longer open at all.
#[tokio::test]
async fn an_order_number_given_out_twice_is_named_and_repaired() {
    let f = Fixture::new().await;
    let first = f.open_order(dine_in()).await.expect("opens");
    let (first, _) = f.run(&first, OrderCommand::Park).await.expect("saves");
    // A second writer's order #1, written to the journal before the first writer's was applied.
    let mut conn = raw(&f.path).await;
    let other = uuid::Uuid::from_u128(0xBEEF).to_string();
    let payload = crate::forged_opening(&f, first.id(), &other, first.number()).await;
    sqlx::query(
        "INSERT INTO journal (seq, op_id, op_type, order_id, from_version, to_version, payload, created_at) \
         VALUES (3, 'second-writer', 'order.saved', ?1, 1, 1, ?2, 0)",
    )
    .bind(&other)
    .bind(&payload)
    .execute(&mut conn)
    .await
    .expect("writes");
    // The first writer dies with its saves unapplied.
    let Fixture { dir, path, store, .. } = f;
    drop(store);

    let refused = Store::open(&path).await.err().expect("cannot be applied");
    match &refused {
        Error::JournalStuck {
            seq,
            order,
            number_taken,
            reason,
        } => {
            assert_eq!((*seq, order.to_string(), *number_taken), (3, other.clone(), true));
            assert!(reason.contains(&first.id().to_string()), "{reason}");
        }
        e => panic!("expected a stuck journal, got {e:?}"),
    }
    assert!(refused.to_string().contains("fynlo repair"), "{refused}");
    assert_eq!(count(&mut conn, "orders").await, 0, "nothing half-applied");

    // Readers still see both orders, from the journal.
    let reader = Store::open_reader(&path).await.expect("opens to read");
    let open = reader.open_orders().await.expect("reads");
    assert_eq!(
        open.iter().map(fynlo_core::order::Order::number).collect::<Vec<_>>(),
        [1, 1]
    );
    drop(reader);

    let ids = crate::Counter::starting_after(0x1000);
    let (store, done) = Store::repair(&path, Timestamp::from_millis(1_000), &ids)
        .await
        .expect("repairs");
    assert_eq!(done.renumbered.len(), 1);
    assert_eq!(
        (
            done.renumbered[0].0.to_string(),
            done.renumbered[0].1,
            done.renumbered[0].2
        ),
        (other.clone(), 1, 2)
    );
    let open = store.open_orders().await.expect("reads");
    assert_eq!(
        open.iter().map(fynlo_core::order::Order::number).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(open[0], first);
    // The renumbering is a save of its own: in the order's history and in the outbox for the cloud.
    let history = store.history(open[1].id()).await.expect("history");
    assert!(matches!(
        history.last().map(|h| &h.event),
        Some(OrderEvent::Renumbered { number: 2, .. })
    ));
    let ops = store.outbox_after(0, 10).await.expect("outbox");
    assert_eq!(ops.len(), 4);
    store.close().await.expect("closes");
    // It opens normally now, and repair has nothing more to do.
    Store::open(&path).await.expect("opens").close().await.expect("closes");
    let (store, done) = Store::repair(&path, Timestamp::from_millis(2_000), &ids)
        .await
        .expect("opens");
    assert!(done.renumbered.is_empty());
    store.close().await.expect("closes");
    drop(dir);
}
