//! What a till is set up with (`setup.rs`): settings, menu versions and staff round-trip and each write
//! queues exactly one outbox row; refused ones queue none; wrong PINs are counted in a time window.

use fynlo_core::{catalog::CatalogData, ids::StaffId, lockout::Lockout, staff::Role, time::Timestamp};
use fynlo_store::{Error, PinFailure, TILL};

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
async fn wrong_pins_lock_their_target_and_are_recorded_without_the_pin() {
    let f = Fixture::new().await;
    let start = f.clock_now();
    let alex = StaffId::new("alex").expect("valid id");
    let failure = |target| PinFailure {
        target,
        screen: "approval",
        typed_by: Some(&alex),
    };
    let mut seen = Vec::new();
    for _ in 0..5 {
        f.clock.tick();
        let now = f
            .store
            .record_pin_failure(&failure("priya"), &f.write())
            .await
            .expect("records");
        seen.push((now.failures, now.remaining(f.clock_now())));
    }
    // Four wrong PINs count; the fifth, at +5 s, locks Priya's PIN for a minute.
    assert_eq!(seen, [(1, None), (2, None), (3, None), (4, None), (5, Some(60_000))]);
    assert_eq!(
        f.store.lockout("priya").await.expect("reads").locked_until,
        Some(Timestamp::from_millis(start.millis() + 5_000 + 60_000))
    );
    // Other targets are untouched: the till's own count, and other staff.
    assert_eq!(f.store.lockout(TILL).await.expect("reads"), Lockout::default());
    assert_eq!(f.store.lockout("sam").await.expect("reads"), Lockout::default());
    // A right PIN clears the count.
    f.store.clear_pin_failures("priya").await.expect("clears");
    assert_eq!(f.store.lockout("priya").await.expect("reads"), Lockout::default());

    assert_eq!(f.store.pin_failures_since(start).await.expect("counts"), 5);
    let rows: Vec<(String, Option<String>, String)> =
        sqlx::query_as("SELECT screen, typed_by, target FROM pin_failures ORDER BY id")
            .fetch_all(&mut f.raw().await)
            .await
            .expect("reads");
    assert_eq!(rows.len(), 5);
    assert!(rows
        .iter()
        .all(|r| r == &("approval".to_owned(), Some("alex".to_owned()), "priya".to_owned())));
    let ops = f.store.outbox_after(0, 10).await.expect("reads");
    assert_eq!(ops.len(), 5);
    assert!(ops.iter().all(|op| op.op_type == "auth.pin_failed"));
    assert_eq!(ops[4].payload["screen"], "approval");
    assert_eq!(ops[4].payload["typed_by"], "alex");
    assert_eq!(ops[4].payload["target"], "priya");
    assert_eq!(ops[4].payload["failures"], 5);
    assert_eq!(ops[4].payload["locked_until"], start.millis() + 65_000);
}
