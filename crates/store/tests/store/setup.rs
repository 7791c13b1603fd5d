//! What a till is set up with (`setup.rs`): settings, menu versions and staff round-trip and each write
//! queues exactly one outbox row; refused ones queue none; wrong PINs are counted in a time window.

use fynlo_core::{catalog::CatalogData, staff::Role, time::Timestamp};
use fynlo_store::Error;

use crate::{bad_restaurant, count, menu_data, restaurant, staff, Fixture};

#[tokio::test]
async fn restaurant_settings_round_trip_with_one_outbox_row_per_write() {
    let f = Fixture::new().await;
    assert_eq!(f.store.restaurant().await.expect("reads"), None);
    f.store.set_restaurant(&restaurant(), &f.write()).await.expect("saves");
    assert_eq!(f.store.restaurant().await.expect("reads"), Some(restaurant()));

    let mut renamed = restaurant();
    renamed.name = "The Test Kitchen & Bar".into();
    renamed.service_charge.enabled = false;
    f.clock.tick();
    f.store.set_restaurant(&renamed, &f.write()).await.expect("saves");
    assert_eq!(f.store.restaurant().await.expect("reads"), Some(renamed.clone()));

    let ops = f.store.outbox_after(0, 10).await.expect("reads");
    assert_eq!(ops.len(), 2);
    assert!(ops.iter().all(|op| op.op_type == "settings.updated"));
    assert_eq!(ops[1].payload, serde_json::to_value(&renamed).expect("serialises"));
    assert_eq!(ops[1].created_at, f.clock_now());
    assert_eq!(count(&mut f.raw().await, "restaurant").await, 1);
}

#[tokio::test]
async fn invalid_settings_are_refused_and_write_nothing() {
    let f = Fixture::new().await;
    f.store.set_restaurant(&restaurant(), &f.write()).await.expect("saves");
    let refused = f.store.set_restaurant(&bad_restaurant(), &f.write()).await;
    assert!(matches!(refused, Err(Error::Core(_))), "{refused:?}");
    assert_eq!(f.store.restaurant().await.expect("reads"), Some(restaurant()));
    assert_eq!(f.store.outbox_stats().await.expect("stats").count, 1);
}

#[tokio::test]
async fn menus_are_versioned_and_round_trip_with_one_outbox_row_each() {
    let f = Fixture::new().await;
    assert!(f.store.menu().await.expect("reads").is_none());
    assert_eq!(f.store.import_menu(&menu_data(), &f.write()).await.expect("imports"), 1);
    let (version, menu) = f.store.menu().await.expect("reads").expect("a menu");
    assert_eq!((version, menu.data()), (1, &menu_data()));

    let mut smaller = menu_data();
    smaller.products.retain(|p| p.id.as_str() != "steak");
    smaller.modifier_groups.clear();
    assert_eq!(f.store.import_menu(&smaller, &f.write()).await.expect("imports"), 2);
    let (version, menu) = f.store.menu().await.expect("reads").expect("a menu");
    assert_eq!((version, menu.data()), (2, &smaller));

    let ops = f.store.outbox_after(0, 10).await.expect("reads");
    let payloads: Vec<(&str, &serde_json::Value)> = ops.iter().map(|op| (op.op_type.as_str(), &op.payload)).collect();
    assert_eq!(
        payloads,
        [
            ("menu.imported", &serde_json::json!({"version": 1, "products": 3})),
            ("menu.imported", &serde_json::json!({"version": 2, "products": 2})),
        ]
    );
    // Old versions are kept.
    assert_eq!(count(&mut f.raw().await, "menus").await, 2);
}

#[tokio::test]
async fn an_invalid_menu_is_refused_and_writes_nothing() {
    let f = Fixture::new().await;
    f.store.import_menu(&menu_data(), &f.write()).await.expect("imports");
    let mut twice: CatalogData = menu_data();
    let copy = twice.products[0].clone();
    twice.products.push(copy);
    let refused = f.store.import_menu(&twice, &f.write()).await;
    assert!(
        matches!(refused, Err(Error::Core(fynlo_core::Error::InvalidCatalog(_)))),
        "{refused:?}"
    );
    assert_eq!(f.store.menu().await.expect("reads").expect("a menu").0, 1);
    assert_eq!(f.store.outbox_stats().await.expect("stats").count, 1);
}

#[tokio::test]
async fn staff_round_trip_and_their_outbox_rows_carry_no_pin_hash() {
    let f = Fixture::new().await;
    assert!(f.store.staff().await.expect("reads").is_empty());
    let zoe = staff("zoe", "Zoe Adams", Role::Owner);
    let ben = staff("ben", "Ben Cole", Role::Cashier);
    f.store.put_staff(&zoe, &f.write()).await.expect("saves");
    f.store.put_staff(&ben, &f.write()).await.expect("saves");
    assert_eq!(
        f.store.staff().await.expect("reads"),
        vec![ben.clone(), zoe.clone()],
        "by name"
    );

    // Putting the same id again replaces the member, hash and role included.
    let promoted = staff("ben", "Ben Cole", Role::Supervisor);
    let promoted = fynlo_core::staff::Staff {
        pin_hash: fynlo_core::staff::PinHash::new("$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3").expect("phc"),
        ..promoted
    };
    f.store.put_staff(&promoted, &f.write()).await.expect("saves");
    assert_eq!(f.store.staff().await.expect("reads"), vec![promoted.clone(), zoe]);

    let ops = f.store.outbox_after(0, 10).await.expect("reads");
    assert_eq!(ops.len(), 3);
    assert!(ops.iter().all(|op| op.op_type == "staff.updated"));
    assert_eq!(
        ops[2].payload,
        serde_json::json!({"id": "ben", "name": "Ben Cole", "role": "supervisor"})
    );
    for op in &ops {
        assert!(!op.payload.to_string().contains("argon2"), "{}", op.payload);
    }
}

#[tokio::test]
async fn wrong_pins_are_counted_in_their_window() {
    let f = Fixture::new().await;
    let start = f.clock_now();
    let since = |ms: i64| Timestamp::from_millis(start.millis() + ms);
    assert_eq!(f.store.pin_failures_since(start).await.expect("counts"), 0);
    let mut counts = Vec::new();
    for _ in 0..3 {
        f.clock.tick();
        counts.push(f.store.record_pin_failure(start, &f.write()).await.expect("records"));
    }
    assert_eq!(counts, [1, 2, 3]);
    // The failures were at +1 s, +2 s and +3 s.
    assert_eq!(f.store.pin_failures_since(since(2_000)).await.expect("counts"), 2);
    assert_eq!(f.store.pin_failures_since(since(3_001)).await.expect("counts"), 0);
    f.clock.tick();
    assert_eq!(
        f.store
            .record_pin_failure(since(3_000), &f.write())
            .await
            .expect("records"),
        2,
        "counts only failures inside the window it is given"
    );
    let ops = f.store.outbox_after(0, 10).await.expect("reads");
    assert_eq!(ops.len(), 4);
    assert!(ops.iter().all(|op| op.op_type == "auth.pin_failed"));
    assert_eq!(count(&mut f.raw().await, "pin_failures").await, 4);
}
