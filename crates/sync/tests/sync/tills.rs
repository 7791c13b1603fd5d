//! Tills syncing with the cloud: offline sales arriving exactly once, one refresh at a time, a revoked
//! till, the cloud's menu and staff, and two tills seeing each other's orders.

use std::sync::Arc;

use fynlo_sync::{SyncCode, SyncMode};
use serde_json::json;

use crate::{
    both,
    cloud::{menu_json, Backend, Cloud},
    support::{cloud_ops, cloud_takings, options, pairing_code, two_paired_tills, TestTill},
};

/// How many sales a till makes offline before the network returns (`FYNLO_SYNC_SALES`).
fn offline_sales() -> usize {
    std::env::var("FYNLO_SYNC_SALES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

both!(
    offline_sales_reach_the_cloud_exactly_once,
    two_tills_see_each_others_orders
);

async fn offline_sales_reach_the_cloud_exactly_once(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Offline Café").await;
    let till = TestTill::new(options(false)).await;
    let n = offline_sales();
    // Sales made before the till was ever paired: the journal holds them all.
    till.sales(n).await;
    let status = till.engine.sync_now().await;
    assert_eq!(status.map_err(|e| e.code), Err(SyncCode::NotPaired));
    till.pair(&cloud, &owner, "Counter").await;
    let status = till.engine.sync_now().await.expect("syncs");
    assert_eq!(status.mode, SyncMode::Online);
    assert_eq!(status.waiting, 0, "{status:?}");
    assert!(status.last_sync_at.is_some());
    let device = status.device_id.clone();
    let local = till.takings().await;
    assert_eq!(local.0, n as i64);
    assert_eq!(
        cloud_takings(&cloud, &device).await,
        local,
        "the cloud's takings equal the till's"
    );
    let written = till.written().await;
    let (count, max, not_applied) = cloud_ops(&cloud, &device).await;
    assert_eq!(
        (count, max, not_applied),
        (written, written, 0),
        "every op once, in order, applied"
    );
    // Syncing again sends nothing twice; more sales follow on.
    till.engine.sync_now().await.expect("syncs again");
    till.sales(3).await;
    let status = till.engine.sync_now().await.expect("syncs");
    assert_eq!(status.waiting, 0);
    let local = till.takings().await;
    assert_eq!(local.0, n as i64 + 3);
    assert_eq!(cloud_takings(&cloud, &device).await, local);
    let written = till.written().await;
    assert_eq!(cloud_ops(&cloud, &device).await, (written, written, 0));
}

async fn two_tills_see_each_others_orders(backend: Backend) {
    let (cloud, _owner, a, b) = two_paired_tills(backend, "Two Tills").await;
    // Till A opens a table's order and sends it to the kitchen (saved at once).
    a.run(r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "7", "covers": 2}}"#)
        .await;
    a.run(r#"{"cmd": "add_line", "product": "burger"}"#).await;
    let sent = a.value(r#"{"cmd": "send_to_kitchen"}"#).await;
    let id = sent["id"].as_str().expect("order id").to_owned();
    a.engine.sync_now().await.expect("A syncs");
    b.engine.sync_now().await.expect("B syncs");
    let open = b.value(r#"{"cmd": "open_orders"}"#).await;
    let orders = open["orders"].as_array().expect("orders");
    let seen = orders
        .iter()
        .find(|o| o["id"] == id.as_str())
        .expect("B lists A's order");
    assert_eq!(seen["remote"], true);
    assert_eq!(seen["till"], a.engine.status().device_id.as_str());
    assert_eq!(seen["table"], "7");
    assert_eq!(seen["lines"].as_array().map(Vec::len), Some(1));
    // A's own list shows it as its own.
    let mine = a.value(r#"{"cmd": "open_orders"}"#).await;
    let own = mine["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .find(|o| o["id"] == id.as_str())
        .expect("A lists it");
    assert_eq!(own["remote"], false);
    // A adds a line and takes the money: B's copy follows, and leaves its open orders when it closes.
    a.run(r#"{"cmd": "add_line", "product": "chips"}"#).await;
    a.run(r#"{"cmd": "send_to_kitchen"}"#).await;
    a.engine.sync_now().await.expect("A syncs");
    b.engine.sync_now().await.expect("B syncs");
    let open = b.value(r#"{"cmd": "open_orders"}"#).await;
    let seen = open["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .find(|o| o["id"] == id.as_str())
        .cloned()
        .expect("still open");
    assert_eq!(seen["lines"].as_array().map(Vec::len), Some(2));
    a.run(r#"{"cmd": "take_cash", "tendered": 10000}"#).await;
    a.engine.sync_now().await.expect("A syncs");
    b.engine.sync_now().await.expect("B syncs");
    let open = b.value(r#"{"cmd": "open_orders"}"#).await;
    assert!(
        open["orders"]
            .as_array()
            .expect("orders")
            .iter()
            .all(|o| o["id"] != id.as_str()),
        "{open}"
    );
    // B's own sales reach the cloud beside A's.
    b.sales(2).await;
    b.engine.sync_now().await.expect("B syncs");
    let b_device = b.engine.status().device_id;
    assert_eq!(cloud_takings(&cloud, &b_device).await, b.takings().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_requests_at_expiry_cause_one_refresh() {
    let cloud = Cloud::start(Backend::Sqlite).await;
    let owner = cloud.restaurant("Busy Bar").await;
    let till = TestTill::new(options(false)).await;
    till.pair(&cloud, &owner, "Bar").await;
    let auth = till.engine.auth().expect("paired");
    assert_eq!(auth.refreshes(), 0, "pairing gives the first access token");
    auth.expire().await;
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let auth = Arc::clone(&auth);
            tokio::spawn(async move { auth.access().await })
        })
        .collect();
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.expect("joins").expect("a token"));
    }
    assert_eq!(auth.refreshes(), 1, "exactly one refresh");
    assert!(
        tokens.iter().all(|t| t == &tokens[0]),
        "every request got the refresh's token"
    );
    // The token works, and the keychain holds the rotated refresh token.
    let device = till.engine.status().device_id;
    let (status, _) = cloud.get("/api/v1/orders", &tokens[0]).await;
    assert_eq!(status, 200);
    let stored = fynlo_sync::Secrets::get(till.secrets.as_ref(), &device)
        .expect("reads")
        .expect("stored");
    auth.expire().await;
    auth.access().await.expect("refreshes with the stored token");
    assert_eq!(auth.refreshes(), 2);
    let rotated = fynlo_sync::Secrets::get(till.secrets.as_ref(), &device)
        .expect("reads")
        .expect("stored");
    assert_ne!(
        stored.refresh_token, rotated.refresh_token,
        "each refresh stores the next token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_till_keeps_selling_and_pairs_again() {
    let cloud = Cloud::start(Backend::Sqlite).await;
    let owner = cloud.restaurant("Revoked Diner").await;
    let till = TestTill::new(options(false)).await;
    till.pair(&cloud, &owner, "Counter").await;
    till.sales(2).await;
    till.engine.sync_now().await.expect("syncs");
    let device = till.engine.status().device_id;
    let (status, body) = cloud
        .post(
            &format!("/api/v1/devices/{device}/revoke"),
            Some(&owner.access),
            json!({}),
        )
        .await;
    assert!(status == 200 || status == 204, "{status} {body}");
    // The till keeps selling; the sync says it must be paired again; nothing is lost.
    till.sales(3).await;
    let refused = till.engine.sync_now().await.expect_err("revoked");
    assert_eq!(refused.code, SyncCode::Revoked, "{refused:?}");
    let status = till.engine.status();
    assert_eq!(status.mode, SyncMode::Revoked);
    assert!(status.waiting > 0);
    till.sales(1).await;
    assert_eq!(till.takings().await.0, 6);
    // A later round does not pretend: still revoked, nothing sent.
    assert_eq!(
        till.engine.sync_now().await.map_err(|e| e.code),
        Err(SyncCode::NotPaired)
    );
    // A manager pairs it again: what waited goes up, once.
    let code = pairing_code(&cloud, &owner).await;
    let status = till
        .engine
        .pair(&cloud.url, &code, "Counter")
        .await
        .expect("pairs again");
    assert_ne!(status.mode, SyncMode::Revoked);
    let status = till.engine.sync_now().await.expect("syncs");
    assert_eq!(status.waiting, 0);
    assert_eq!(cloud_takings(&cloud, &device).await, till.takings().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clouds_menu_and_staff_reach_every_till() {
    let (cloud, owner, a, b) = two_paired_tills(Backend::Sqlite, "Menu House").await;
    // A manager on till A adds a member of staff: till B can log them in with their PIN.
    a.run(r#"{"cmd": "add_staff", "id": "alex", "name": "Alex Kim", "role": "cashier", "pin": "4321", "approval": {"pin": "2468"}}"#).await;
    a.engine.sync_now().await.expect("A syncs");
    b.engine.sync_now().await.expect("B syncs");
    b.run(r#"{"cmd": "logout"}"#).await;
    let who = b.value(r#"{"cmd": "login", "pin": "4321"}"#).await;
    assert_eq!(who["staff"]["id"], "alex", "{who}");
    // The menu published in the cloud becomes every till's menu (the cloud wins).
    let (status, body) = cloud
        .call("PUT", "/api/v1/menu", Some(&owner.access), Some(menu_json()))
        .await;
    assert!(status == 200 || status == 201, "{status} {body}");
    for till in [&a, &b] {
        till.engine.sync_now().await.expect("syncs");
        let menu = till.value(r#"{"cmd": "menu"}"#).await;
        let products: Vec<&str> = menu["products"]
            .as_array()
            .expect("products")
            .iter()
            .filter_map(|p| p["id"].as_str())
            .collect();
        assert_eq!(products, ["burger", "cake", "cola"], "{menu}");
        // Pulling again adds no menu version.
        let version = menu["version"].clone();
        till.engine.sync_now().await.expect("syncs");
        assert_eq!(till.value(r#"{"cmd": "menu"}"#).await["version"], version);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_goes_offline_keeps_selling_and_drains_when_the_cloud_returns() {
    let mut cloud = Cloud::start(Backend::Sqlite).await;
    let owner = cloud.restaurant("Flaky Wifi").await;
    let till = TestTill::new(options(false)).await;
    till.pair(&cloud, &owner, "Counter").await;
    till.engine.sync_now().await.expect("syncs");
    let addr = cloud.server().addr;
    let db_url = cloud.db.url.clone();
    cloud.stop().await;
    till.sales(5).await;
    let offline = till.engine.sync_now().await.expect_err("the cloud is down");
    assert_eq!(offline.code, SyncCode::Offline, "{offline:?}");
    let status = till.engine.status();
    assert_eq!(status.mode, SyncMode::Offline);
    assert!(status.waiting > 0);
    assert!(status.last_error.is_some());
    // The cloud comes back on the same address and database.
    let listener = tokio::net::TcpListener::bind(addr).await.expect("the same port");
    let server = fynlo_cloud::Server::start_on(crate::cloud::config(&db_url), listener)
        .await
        .expect("restarts");
    cloud.server = Some(server);
    let status = till.engine.sync_now().await.expect("drains");
    assert_eq!((status.mode, status.waiting), (SyncMode::Online, 0));
    let device = status.device_id;
    assert_eq!(cloud_takings(&cloud, &device).await, till.takings().await);
}

/// Waits (at most 10 s) until till `b` lists order `id` among other tills' open orders with `lines`
/// lines; answers how long it took.
async fn until_listed(b: &TestTill, id: &str, lines: usize) -> std::time::Duration {
    let start = std::time::Instant::now();
    let store = b.till.lock().await.store_handle();
    loop {
        let orders = store.remote_open_orders().await.expect("reads");
        if orders
            .iter()
            .any(|o| o.order.id().to_string() == id && o.order.lines().len() == lines)
        {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "till B never saw order {id} with {lines} lines"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_on_till_a_reaches_till_b_live_through_another_server() {
    let cloud = Cloud::start(Backend::Postgres).await;
    let owner = cloud.restaurant("Two Servers").await;
    // A second instance on the same PostgreSQL: events cross between them by LISTEN/NOTIFY.
    let second = fynlo_cloud::Server::start(crate::cloud::config(&cloud.db.url))
        .await
        .expect("second server");
    let second_url = format!("http://{}", second.addr);
    let a = TestTill::new(options(false)).await;
    let b = TestTill::new(options(true)).await;
    a.pair(&cloud, &owner, "Counter").await;
    let code = pairing_code(&cloud, &owner).await;
    b.engine
        .pair(&second_url, &code, "iPad")
        .await
        .expect("B pairs through the second server");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = tokio::spawn(b.engine.clone().run(stopped));
    // B's WebSocket comes up.
    b.until_live().await;
    a.run(r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "12", "covers": 4}}"#)
        .await;
    a.run(r#"{"cmd": "add_line", "product": "burger"}"#).await;
    let sent = a.value(r#"{"cmd": "send_to_kitchen"}"#).await;
    let id = sent["id"].as_str().expect("id").to_owned();
    a.engine.sync_now().await.expect("A pushes");
    // No pull is asked of B: the live event wakes it.
    let took = until_listed(&b, &id, 1).await;
    eprintln!("till B listed till A's order {took:?} after A's push");
    // A kitchen status change shows live too.
    a.run(r#"{"cmd": "add_line", "product": "chips"}"#).await;
    a.run(r#"{"cmd": "send_to_kitchen"}"#).await;
    a.engine.sync_now().await.expect("A pushes");
    until_listed(&b, &id, 2).await;
    assert!(b.engine.status().changes_applied >= 2);
    let _ = stop.send(true);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), runner).await;
    second.stop(std::time::Duration::from_secs(5)).await;
}

both!(faults_and_a_cloud_restart_lose_nothing_and_apply_nothing_twice);

/// Two tills sell and sync through the fault proxy (connections cut, delayed, answered 500; live
/// events sent twice and swapped), and the cloud restarts mid-run: afterwards each till's ops are in
/// the cloud once, in order, and both sides' takings agree to the penny.
async fn faults_and_a_cloud_restart_lose_nothing_and_apply_nothing_twice(backend: Backend) {
    let mut cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Faulty Line").await;
    let seed: u64 = std::env::var("FYNLO_PROXY_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("fault proxy: FYNLO_PROXY_SEED={seed}");
    let addr = cloud.server().addr;
    let proxy = crate::proxy::FaultProxy::start(addr, seed).await;
    let tills = [TestTill::new(options(true)).await, TestTill::new(options(true)).await];
    proxy.set_faults(false);
    let mut stops = Vec::new();
    let mut runners = Vec::new();
    for (i, till) in tills.iter().enumerate() {
        let code = pairing_code(&cloud, &owner).await;
        till.engine
            .pair(&proxy.url(), &code, &format!("Till {i}"))
            .await
            .expect("pairs");
        let (stop, stopped) = tokio::sync::watch::channel(false);
        runners.push(tokio::spawn(till.engine.clone().run(stopped)));
        stops.push(stop);
    }
    proxy.set_faults(true);
    let db_url = cloud.db.url.clone();
    for round in 0..40 {
        for till in &tills {
            till.sales(2).await;
            till.engine.wake();
        }
        if round == 20 {
            // The cloud restarts on the same address and database.
            cloud.stop().await;
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            let listener = tokio::net::TcpListener::bind(addr).await.expect("the same port");
            cloud.server = Some(
                fynlo_cloud::Server::start_on(crate::cloud::config(&db_url), listener)
                    .await
                    .expect("restarts"),
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let faulted = proxy.faulted.load(std::sync::atomic::Ordering::Relaxed);
    let connections = proxy.connections.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!("fault proxy: {faulted} of {connections} connections faulted");
    assert!(
        faulted >= 5,
        "the proxy made faults ({faulted}; FYNLO_PROXY_SEED={seed})"
    );
    // The network heals: every till drains by itself.
    proxy.set_faults(false);
    let start = std::time::Instant::now();
    loop {
        let mut drained = true;
        for till in &tills {
            let state = till.till.lock().await.store_handle().sync_state().await.expect("state");
            drained &= state.waiting() == 0;
        }
        if drained {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "the tills did not drain (FYNLO_PROXY_SEED={seed}): {:?}",
            tills.iter().map(|t| t.engine.status()).collect::<Vec<_>>()
        );
        for till in &tills {
            till.engine.wake();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for till in &tills {
        let device = till.engine.status().device_id;
        let written = till.written().await;
        assert_eq!(
            cloud_ops(&cloud, &device).await,
            (written, written, 0),
            "every op once, in order, applied (FYNLO_PROXY_SEED={seed})"
        );
        let local = till.takings().await;
        assert_eq!(local.0, 80);
        assert_eq!(cloud_takings(&cloud, &device).await, local, "FYNLO_PROXY_SEED={seed}");
    }
    for stop in stops {
        let _ = stop.send(true);
    }
    for runner in runners {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), runner).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_report_of_each_z_reaches_the_cloud() {
    let cloud = Cloud::start(Backend::Sqlite).await;
    let owner = cloud.restaurant("Z Bar").await;
    let till = TestTill::new(options(false)).await;
    till.pair(&cloud, &owner, "Counter").await;
    till.run(r#"{"cmd": "logout"}"#).await;
    till.run(r#"{"cmd": "login", "pin": "2468"}"#).await;
    till.run(r#"{"cmd": "open_session", "float": {"1000": 5}}"#).await;
    till.sales(3).await;
    let z = till
        .value(r#"{"cmd": "close_session", "count": {"5000": 2}, "note": "bench count"}"#)
        .await;
    till.engine.sync_now().await.expect("syncs");
    let device = till.engine.status().device_id;
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT z_number, business_date, report FROM till_daily_reports WHERE device_id = $1")
            .bind(&device)
            .fetch_all(&cloud.server().state.db.pool)
            .await
            .expect("reports");
    assert_eq!(rows.len(), 1, "{z}");
    let report: serde_json::Value = serde_json::from_str(&rows[0].2).expect("json");
    assert_eq!(report["total_orders"], 3);
    let (_, takings) = till.takings().await;
    assert_eq!(report["total_sales"], takings);
    assert_eq!(report["cash_sales"], takings);
    // Pushed again (a lost answer), it is kept once.
    till.engine.sync_now().await.expect("syncs");
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM till_daily_reports WHERE device_id = $1")
        .bind(&device)
        .fetch_one(&cloud.server().state.db.pool)
        .await
        .expect("count");
    assert_eq!(count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_gone_from_the_keychain_ask_for_pairing_again() {
    let cloud = Cloud::start(Backend::Sqlite).await;
    let owner = cloud.restaurant("Rebooted").await;
    let till = TestTill::new(options(false)).await;
    till.pair(&cloud, &owner, "Counter").await;
    let device = till.engine.status().device_id;
    // As after a reboot on Linux: the kernel's keyring forgot the till's refresh token.
    fynlo_sync::Secrets::delete(till.secrets.as_ref(), &device).expect("deletes");
    till.engine.auth().expect("paired").expire().await;
    till.sales(1).await;
    let error = till.engine.sync_now().await.expect_err("no credentials");
    assert_eq!(error.code, SyncCode::NotPaired, "{error:?}");
    assert_eq!(
        till.engine.status().mode,
        SyncMode::Revoked,
        "the badge says pair again"
    );
    // The cloud refuses to pair over a till it still trusts: a manager revokes it there first, then
    // pairs it again; the sale goes up.
    let code = pairing_code(&cloud, &owner).await;
    let refused = till
        .engine
        .pair(&cloud.url, &code, "Counter")
        .await
        .expect_err("still trusted");
    assert_eq!(refused.cloud, Some(fynlo_protocol::ErrorCode::Conflict), "{refused:?}");
    let (status, body) = cloud
        .post(
            &format!("/api/v1/devices/{device}/revoke"),
            Some(&owner.access),
            json!({}),
        )
        .await;
    assert!(status == 200 || status == 204, "{status} {body}");
    let code = pairing_code(&cloud, &owner).await;
    till.engine
        .pair(&cloud.url, &code, "Counter")
        .await
        .expect("pairs again");
    let status = till.engine.sync_now().await.expect("syncs");
    assert_eq!((status.mode, status.waiting), (SyncMode::Online, 0));
    assert_eq!(cloud_takings(&cloud, &device).await, till.takings().await);
}

/// The till's own database failing while it applies a pulled change (here a trigger refuses writes of
/// other tills' orders, as a full disk would): the round fails with `storage` and the pull cursor stays
/// before the change, so the next round applies it — nothing pulled is skipped for the till's own fault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_till_database_stops_the_pull_before_the_change_and_applies_it_later() {
    use sqlx::{ConnectOptions, Connection};
    let (_cloud, _owner, a, b) = two_paired_tills(Backend::Sqlite, "Full Disk").await;
    b.engine.sync_now().await.expect("B syncs");
    let mut raw = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(b.path())
        .connect()
        .await
        .expect("a second connection to B's database");
    sqlx::query(
        "CREATE TRIGGER test_disk_full BEFORE INSERT ON remote_orders BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    )
    .execute(&mut raw)
    .await
    .expect("trigger");
    let cursor = |t: &TestTill| {
        let till = Arc::clone(&t.till);
        async move {
            let store = till.lock().await.store_handle();
            store.sync_state().await.expect("state").pull_cursor
        }
    };
    let before = cursor(&b).await;
    a.run(r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "4", "covers": 2}}"#)
        .await;
    a.run(r#"{"cmd": "add_line", "product": "burger"}"#).await;
    let sent = a.value(r#"{"cmd": "send_to_kitchen"}"#).await;
    let id = sent["id"].as_str().expect("order id").to_owned();
    a.engine.sync_now().await.expect("A syncs");
    for _ in 0..2 {
        let failed = b.engine.sync_now().await.expect_err("B's database refuses the order");
        assert_eq!(failed.code, SyncCode::Storage, "{failed:?}");
        assert_eq!(cursor(&b).await, before, "the cursor did not move past the change");
    }
    let listed = |open: &serde_json::Value| {
        open["orders"]
            .as_array()
            .expect("orders")
            .iter()
            .any(|o| o["id"] == id.as_str())
    };
    assert!(!listed(&b.value(r#"{"cmd": "open_orders"}"#).await));
    sqlx::query("DROP TRIGGER test_disk_full")
        .execute(&mut raw)
        .await
        .expect("drop");
    raw.close().await.expect("closes");
    b.engine.sync_now().await.expect("B syncs once its database works");
    assert!(
        listed(&b.value(r#"{"cmd": "open_orders"}"#).await),
        "B lists A's order now"
    );
    assert_ne!(cursor(&b).await, before);
}
