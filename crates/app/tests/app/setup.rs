//! Setting a till up (`setup.rs`): the demo restaurant makes a database the till runs on; an existing file
//! is never overwritten; a till reopens from its file and carries on; a new menu version is taken up.

use std::sync::Arc;

use fynlo_app::{
    setup::{init, SetupFile, DEMO_JSON},
    ErrorCode, Reply, Till,
};
use fynlo_core::ids::DeviceId;
use fynlo_store::Store;
use uuid::Uuid;

use crate::{pin, Counter, FixedClock, Fixture};

#[tokio::test]
async fn init_queues_the_setup_for_the_cloud() {
    let f = Fixture::new().await;
    let ops = f.till.store().outbox_after(0, 100).await.expect("reads the outbox");
    let types: Vec<&str> = ops.iter().map(|op| op.op_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "settings.updated",
            "menu.imported",
            "staff.updated",
            "staff.updated",
            "staff.updated"
        ]
    );
    assert_eq!(
        ops[1].payload["products"],
        SetupFile::demo().expect("parses").menu.products.len()
    );
    // The counter's first id became the device id.
    assert_eq!(f.till.store().device(), DeviceId::from_uuid(Uuid::from_u128(1)));
    assert!(ops.iter().all(|op| op.device_id == f.till.store().device().to_string()));
}

#[tokio::test]
async fn init_never_overwrites_a_database() {
    let f = Fixture::new().await;
    let demo = SetupFile::demo().expect("parses");
    let err = init(&f.path, &demo, &FixedClock, &Counter::default())
        .await
        .err()
        .expect("an existing file is refused");
    assert_eq!(err.code, ErrorCode::Conflict, "{err}");
    assert_eq!(f.till.store().outbox_stats().await.expect("stats").count, 5);
}

#[tokio::test]
async fn a_till_needs_a_database_with_a_restaurant_and_a_menu() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let missing = dir.path().join("missing.db");
    let err = Till::open(&missing, crate::services(Arc::new(Counter::default()), Arc::default()))
        .await
        .err()
        .expect("no database");
    assert_eq!(err.code, ErrorCode::NotInitialised);

    let bare = dir.path().join("bare.db");
    let store = Store::create(
        &bare,
        DeviceId::from_uuid(Uuid::from_u128(9)),
        fynlo_core::time::Timestamp::from_millis(0),
    )
    .await
    .expect("creates");
    let err = Till::with_store(store, crate::services(Arc::new(Counter::default()), Arc::default()))
        .await
        .err()
        .expect("no restaurant yet");
    assert_eq!(err.code, ErrorCode::NotInitialised);
}

#[tokio::test]
async fn a_reopened_till_carries_on_where_it_stopped() {
    let mut f = Fixture::logged_in().await;
    f.ok(r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "6", "covers": 4}, "alias": "t6"}"#)
        .await;
    f.ok(r#"{"cmd": "add_line", "sku": "MN03", "modifiers": ["extra-cheese"]}"#)
        .await;
    let open = f.order(r#"{"cmd": "send_to_kitchen"}"#).await;
    let outbox = f.snapshot().await.outbox;
    let Fixture { dir, path, till, .. } = f;
    till.into_store()
        .expect("no spooler holds the store")
        .close()
        .await
        .expect("closes");

    // Ids must not repeat after a restart; the real till uses UUIDv7, here the counter starts high.
    let ids = Arc::new(Counter::default());
    for _ in 0..1_000 {
        fynlo_core::time::IdSource::new_id(ids.as_ref());
    }
    let clock = Arc::new(crate::TestClock::default());
    let till = Till::open(&path, crate::services(ids, Arc::clone(&clock)))
        .await
        .expect("reopens");
    let mut f = Fixture::of(dir, path, till, clock);
    assert_eq!(f.snapshot().await.outbox, outbox);
    let session = f.snapshot().await.session;
    assert_eq!(
        (session.staff, session.current_order),
        (None, None),
        "a restart locks the till"
    );
    f.ok(&format!(r#"{{"cmd": "login", "pin": "{}"}}"#, pin("jo"))).await;
    // Aliases belong to the session; the order is still there by id and in the open orders.
    f.refused(r#"{"cmd": "show_order", "order": "t6"}"#, ErrorCode::NotFound)
        .await;
    let shown = f
        .order(&format!(r#"{{"cmd": "show_order", "order": "{}"}}"#, open.id))
        .await;
    assert_eq!(
        shown,
        fynlo_app::view::OrderView {
            alias: None,
            ..open.clone()
        }
    );
    let Reply::Orders(orders) = f.ok(r#"{"cmd": "open_orders"}"#).await else {
        panic!("open_orders answers with orders");
    };
    assert_eq!(orders.orders.len(), 1);
    // Numbers carry on for the day.
    let next = f.order(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#).await;
    assert_eq!(next.number, 2);
    // Burger 15.50 + cheddar 1.00 = 16.50, plus 12.5 % (2.0625 → 2.06).
    let paid = f
        .order(&format!(
            r#"{{"cmd": "take_cash", "order": "{}", "tendered": 1856}}"#,
            open.id
        ))
        .await;
    assert_eq!(
        (paid.state.as_str(), paid.payments[0].staff.as_str()),
        ("completed", "jo")
    );
    assert!(f.snapshot().await.outbox.is_gapless());
}

#[tokio::test]
async fn a_new_menu_version_is_taken_up_at_once() {
    let mut f = Fixture::logged_in().await;
    f.ok(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#).await;
    f.refused(
        r#"{"cmd": "add_line", "product": "squid"}"#,
        ErrorCode::ProductUnavailable,
    )
    .await;

    // The squid is back on.
    let mut demo: serde_json::Value = serde_json::from_str(DEMO_JSON).expect("demo JSON");
    let menu = demo["menu"].as_object_mut().expect("a menu");
    let squid = menu["products"]
        .as_array_mut()
        .expect("products")
        .iter_mut()
        .find(|p| p["id"] == "squid")
        .expect("squid");
    squid["available"] = true.into();
    let json = serde_json::to_string(&demo["menu"]).expect("serialises");
    assert_eq!(f.till.import_menu(&json).await.expect("imports"), 2);
    let Reply::Menu(view) = f.ok(r#"{"cmd": "menu"}"#).await else {
        panic!("menu answers with the menu");
    };
    assert_eq!(view.version, 2);
    let o = f.order(r#"{"cmd": "add_line", "product": "squid"}"#).await;
    assert_eq!(o.lines[0].gross.0, 850);

    // A menu that does not parse, or breaks its own rules, is refused and changes nothing.
    let before = f.snapshot().await;
    for bad in [
        "{".to_owned(),
        r#"{"categories": [], "products": [{"id": "x"}]}"#.to_owned(),
        json.replace(r#""sku":"ST01""#, r#""sku":"ST02""#),
    ] {
        let err = f.till.import_menu(&bad).await.expect_err("refused");
        assert_eq!(err.code, ErrorCode::InvalidMenu, "{err}");
    }
    assert_eq!(f.snapshot().await, before);
    let Reply::Menu(view) = f.ok(r#"{"cmd": "menu"}"#).await else {
        panic!("menu answers with the menu");
    };
    assert_eq!(view.version, 2);
}

// Regression: reopening a till with a card payment waiting for the customer's action wrote a
// `payment_updated` op each time (pending → pending) and bumped the order's version.
#[tokio::test]
async fn recovery_writes_only_real_changes() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("till.db");
    let sim = fynlo_app::payments::SimulatedProvider::file_beside(&path);
    let services = |ids: Arc<Counter>| {
        fynlo_app::Services::new(
            Arc::new(crate::TestClock::default()),
            ids,
            Arc::new(fynlo_app::payments::SimulatedProvider::at(&sim)),
        )
    };
    let ids = Arc::new(Counter::default());
    let demo = SetupFile::demo().expect("demo");
    init(&path, &demo, &FixedClock, ids.as_ref())
        .await
        .expect("creates")
        .close()
        .await
        .expect("closes");
    let mut till = Till::open(&path, services(Arc::clone(&ids))).await.expect("opens");
    for json in [
        format!(r#"{{"cmd": "login", "pin": "{}"}}"#, pin("sam")),
        r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#.to_owned(),
        r#"{"cmd": "add_line", "product": "cola"}"#.to_owned(),
        r#"{"cmd": "pay", "tender": "card", "simulate": "requires_action"}"#.to_owned(),
    ] {
        till.execute(crate::parse(&json)).await.expect("runs");
    }
    till.save().await.expect("saves");
    let before = till.store().outbox_stats().await.expect("stats");
    till.into_store()
        .expect("no spooler holds the store")
        .close()
        .await
        .expect("closes");
    for _ in 0..3 {
        // Each reopen asks the provider, which still waits for the customer: nothing to record.
        for _ in 0..100 {
            fynlo_core::time::IdSource::new_id(ids.as_ref());
        }
        let till = Till::open(&path, services(Arc::clone(&ids))).await.expect("reopens");
        let attempts = &till.recovered().attempts;
        assert_eq!(attempts.len(), 1);
        assert_eq!(
            (attempts[0].status.as_str(), attempts[0].note.as_str()),
            ("pending", "no change")
        );
        assert_eq!(
            till.store().outbox_stats().await.expect("stats"),
            before,
            "nothing written"
        );
        till.into_store()
            .expect("no spooler holds the store")
            .close()
            .await
            .expect("closes");
    }
}

// Regression: misspelt keys in a menu file were ignored — `"availble": false` made an 86'd dish
// sellable and `"alergens"` emptied its allergen list, a food-safety fault.
#[tokio::test]
async fn misspelt_keys_in_menu_and_setup_files_are_refused_by_name() {
    let mut f = Fixture::new().await;
    let demo: serde_json::Value = serde_json::from_str(fynlo_app::setup::DEMO_JSON).expect("json");
    let mut menu = demo["menu"].clone();
    let index = menu["products"]
        .as_array()
        .and_then(|p| p.iter().position(|p| p["id"] == "squid"))
        .expect("the demo has squid");
    menu["products"][index]["availble"] = false.into();
    menu["products"][index]["alergens"] = serde_json::json!(["molluscs"]);
    let e = f.till.import_menu(&menu.to_string()).await.expect_err("refused");
    assert_eq!(e.code, ErrorCode::InvalidMenu);
    for needle in [
        "\"availble\"",
        "\"alergens\"",
        &format!("products[{index}]"),
        "id \"squid\"",
    ] {
        assert!(e.message.contains(needle), "{needle} in {}", e.message);
    }
    let Reply::Menu(m) = f.ok(r#"{"cmd": "menu"}"#).await else {
        panic!("menu")
    };
    assert_eq!(m.version, 1, "nothing was imported");

    let mut setup = demo.clone();
    setup["restaurant"]["servce_charge"] = serde_json::json!({"enabled": false});
    let e = SetupFile::parse(&setup.to_string()).expect_err("refused");
    assert!(e.message.contains("\"servce_charge\" in restaurant"), "{}", e.message);
    let mut setup = demo;
    setup["staff"][0]["pin"] = "2468".into();
    let e = SetupFile::parse(&setup.to_string()).expect_err("refused");
    assert!(e.message.contains("\"pin\" in staff[0]"), "{}", e.message);
}
