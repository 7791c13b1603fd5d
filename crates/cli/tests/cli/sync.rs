//! `fynlo pair`, `fynlo sync` and `fynlo unpair` against the real cloud server (started in the test on
//! a free loopback port, on a SQLite file), with the credentials in the real keychain (on Linux the
//! kernel's keyutils, through the user's persistent keyring, so they outlive each process).
//!
//! The crash test kills `fynlo sync` with SIGKILL at random moments while it pushes, `FYNLO_SYNC_KILLS`
//! times (50 by default; `./dev stress` runs 1000), with sales made between the kills: afterwards the
//! cloud holds every op of the till exactly once, in order, and its takings equal the till's.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::{fynlo, DemoTill};

/// The cloud's own test fixtures (a server on a SQLite file, an HTTP client).
#[path = "../../../cloud/tests/cloud/support.rs"]
#[allow(dead_code, reason = "the cloud's fixtures; these tests use a few of them")]
mod cloud;

const SALE: &str = r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}
{"cmd": "add_line", "product": "burger", "modifiers": ["extra-cheese"]}
{"cmd": "add_line", "product": "flat-white", "modifiers": ["oat-milk"]}
{"cmd": "take_cash", "tendered": 5000}
"#;

/// Makes `n` cash sales with `fynlo exec` reading a script file (a long script through a pipe would
/// fill the pipe of answers while it is still being written).
fn sales(till: &DemoTill, n: usize) {
    let script = till.dir.path().join("sales.jsonl");
    let text = format!(r#"{{"cmd": "login", "pin": "1357"}}{}{}"#, "\n", SALE.repeat(n));
    std::fs::write(&script, text).expect("writes the script");
    let out = till.run(&["exec", "--stop-on-error", script.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "sales: {}", String::from_utf8_lossy(&out.stderr));
}

fn json_out(out: &std::process::Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or_default();
    serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {text}\n{}", String::from_utf8_lossy(&out.stderr)))
}

struct Setup {
    runtime: tokio::runtime::Runtime,
    cloud: cloud::Cloud,
    owner: cloud::Login,
}

fn setup(name: &str) -> Setup {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (cloud, owner) = runtime.block_on(async {
        let cloud = cloud::Cloud::start(cloud::Backend::Sqlite).await;
        let owner = cloud.restaurant(name).await;
        (cloud, owner)
    });
    Setup { runtime, cloud, owner }
}

impl Setup {
    fn code(&self) -> String {
        self.runtime.block_on(async {
            let (status, code) = self
                .cloud
                .post("/api/v1/pairing-codes", Some(&self.owner.access), json!({}))
                .await;
            assert_eq!(status, 201, "{code}");
            code["code"].as_str().expect("code").to_owned()
        })
    }

    fn pair(&self, till: &DemoTill) -> Value {
        let code = self.code();
        let out = till.run(&["pair", "--cloud", &self.cloud.url, "--code", &code, "--name", "Counter"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        json_out(&out)
    }

    /// The cloud's ops of a device (count, highest sequence, not applied) and its completed orders'
    /// count and takings.
    fn cloud_has(&self, device: &str) -> ((i64, i64, i64), (i64, i64)) {
        self.runtime.block_on(async {
            let pool = &self.cloud.server().state.db.pool;
            let ops: (i64, Option<i64>, i64) = sqlx::query_as(
                "SELECT COUNT(*), CAST(MAX(seq) AS BIGINT), \
                 CAST(SUM(CASE WHEN outcome LIKE '%applied%' THEN 0 ELSE 1 END) AS BIGINT) FROM ops WHERE device_id = $1",
            )
            .bind(device)
            .fetch_one(pool)
            .await
            .expect("ops");
            let orders: (i64, Option<i64>) = sqlx::query_as(
                "SELECT COUNT(*), CAST(SUM(total) AS BIGINT) FROM orders WHERE device_id = $1 AND state = 'completed'",
            )
            .bind(device)
            .fetch_one(pool)
            .await
            .expect("orders");
            ((ops.0, ops.1.unwrap_or(0), ops.2), (orders.0, orders.1.unwrap_or(0)))
        })
    }
}

/// `fynlo unpair` with a PIN on stdin.
fn unpair(till: &DemoTill, pin: &str) -> std::process::Output {
    let mut command = fynlo();
    command.arg("--db").arg(&till.db).arg("unpair");
    crate::with_stdin(command, &format!("{pin}\n"))
}

/// The till's journal length and its completed orders' count and takings.
fn till_has(till: &DemoTill) -> (i64, (i64, i64)) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = fynlo_store::Store::open_reader(&till.db).await.expect("reader");
        let written = store.sync_state().await.expect("state").written_through;
        let orders = store.recent_orders(1_000_000).await.expect("orders");
        let completed: Vec<_> = orders
            .iter()
            .filter(|o| o.state() == fynlo_core::order::OrderState::Completed)
            .collect();
        let total = completed.iter().map(|o| o.priced().expect("prices").total.get()).sum();
        (written, (completed.len() as i64, total))
    })
}

#[test]
fn pairing_keeps_the_credentials_in_the_keychain_across_processes() {
    let setup = setup("Keychain Kitchen");
    let till = DemoTill::create();
    sales(&till, 3);
    let status = setup.pair(&till);
    assert_eq!(status["type"], "status");
    assert_eq!(status["restaurant_id"], setup.owner.restaurant.as_str());
    let device = status["device_id"].as_str().expect("device").to_owned();
    // A second process finds the refresh token in the keychain and syncs.
    let out = till.run(&["sync"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let status = json_out(&out);
    assert_eq!(
        (status["mode"].as_str(), status["waiting"].as_i64()),
        (Some("online"), Some(0))
    );
    let (written, takings) = till_has(&till);
    assert_eq!(setup.cloud_has(&device), ((written, written, 0), takings));
    // The database holds no secret: only the cloud's address and the restaurant.
    let bytes = std::fs::read(&till.db).expect("reads db");
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("refresh_token"), "no token in the database");
    // Unpairing needs a manager's PIN; a cashier's is refused and changes nothing.
    let out = unpair(&till, "1357");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not_permitted"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let still = json_out(&till.run(&["sync", "--status"]));
    assert_eq!(
        still["restaurant_id"],
        setup.owner.restaurant.as_str(),
        "still paired: {still}"
    );
    let out = unpair(&till, "2468");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json_out(&out)["mode"], "unpaired");
    // Both are in the audit chain: the pairing (under `system`: nobody was logged in; the code was the
    // manager's authority) and the unpairing under the manager who approved it (Priya, PIN 2468);
    // the cashier's refused attempt wrote nothing. The chain still checks.
    let out = till.run(&["audit", "list", "--action", "sync."]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let entries: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let seen: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["action"].as_str().expect("action"),
                e["staff"].as_str().expect("staff"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [("sync.unpaired", "priya"), ("sync.paired", "system")],
        "{entries:?}"
    );
    assert!(entries[1]["detail"]
        .as_str()
        .expect("detail")
        .contains(setup.owner.restaurant.as_str()));
    let out = till.run(&["audit", "verify"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    // The keychain entry is gone: syncing says the till is not paired.
    let out = till.run(&["sync"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not_paired"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The cloud was told: the device is revoked there.
    let (status, devices) = setup
        .runtime
        .block_on(setup.cloud.get("/api/v1/devices", &setup.owner.access));
    assert_eq!(status, 200, "{devices}");
    let listed = devices["devices"]
        .as_array()
        .or(devices.as_array())
        .expect("devices")
        .iter()
        .find(|d| d["id"] == device.as_str())
        .cloned()
        .expect("listed");
    assert!(
        listed["revoked_at"].is_number() || listed["revoked"] == true,
        "{listed}"
    );
}

#[test]
fn a_push_killed_at_random_moments_applies_every_op_once() {
    let kills: usize = crate::env_number("FYNLO_SYNC_KILLS", 50);
    let seed = crate::crash_seed();
    eprintln!("sync crash test: {kills} kills, FYNLO_CRASH_SEED={seed}");
    let mut rng = fastrand::Rng::with_seed(seed);
    let setup = setup("Crashy Bistro");
    let till = DemoTill::create();
    sales(&till, 600);
    let device = setup.pair(&till)["device_id"].as_str().expect("device").to_owned();
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut mid_push = 0;
    for round in 0..kills {
        assert!(
            Instant::now() < deadline,
            "the crash test ran out of time at round {round}"
        );
        sales(&till, 8);
        let mut child = fynlo()
            .arg("--db")
            .arg(&till.db)
            .arg("sync")
            .env("FYNLO_SYNC_BATCH", "1")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawns fynlo sync");
        std::thread::sleep(Duration::from_millis(rng.u64(20..250)));
        let finished = child.try_wait().expect("polls").is_some();
        // SIGKILL: no destructors, no flush.
        let _ = child.kill();
        let _ = child.wait();
        if !finished {
            mid_push += 1;
        }
    }
    let out = till.run(&["sync"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (written, takings) = till_has(&till);
    assert_eq!(
        setup.cloud_has(&device),
        ((written, written, 0), takings),
        "every op once and applied, and the takings agree (FYNLO_CRASH_SEED={seed})"
    );
    eprintln!(
        "sync crash test: {mid_push} of {kills} kills landed mid-push; {written} ops, {} sales",
        takings.0
    );
    assert!(
        mid_push * 2 >= kills,
        "most kills must land while the push runs ({mid_push} of {kills})"
    );
}

const BANK_SALE: &str = r#"{"cmd": "login", "pin": "1357"}
{"cmd": "open_order", "kind": {"type": "takeaway"}}
{"cmd": "add_line", "product": "fish-chips"}
{"cmd": "pay", "tender": "pay_by_bank"}
"#;

/// A paired till pays by bank through the cloud from `fynlo exec` too, and is killed (abort, as
/// SIGKILL would) at the two moments that matter: after the cloud made the session, before the till
/// recorded it (the QR code was never shown); and after the cloud said the customer paid, before the
/// till recorded it. Each restart resumes the same session; the payment is recorded once.
#[test]
fn a_till_killed_while_paying_by_bank_resumes_the_same_session_and_records_one_payment() {
    let setup = setup("Crash Bank Bistro");
    let till = DemoTill::create();
    setup.pair(&till);
    let sessions = || -> i64 {
        setup.runtime.block_on(async {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM payment_sessions")
                .fetch_one(&setup.cloud.server().state.db.pool)
                .await
                .expect("sessions");
            n
        })
    };

    // Killed after the cloud made the session, before the till recorded its answer.
    let (aborted, lines) = crate::crash::exec_until(&till, "pay.after_provider", BANK_SALE);
    assert!(aborted, "the failpoint aborts the till: {lines:?}");
    let order = lines[1]["result"]["id"].as_str().expect("order id").to_owned();
    assert_eq!(sessions(), 1, "the cloud made the session");

    // Restarted: recovery finds the same session waiting for the customer, and its page is the one to
    // scan — no second session.
    let show =
        format!("{{\"cmd\": \"login\", \"pin\": \"1357\"}}\n{{\"cmd\": \"show_order\", \"order\": \"{order}\"}}\n");
    let (ok, lines) = till.exec(&show);
    assert!(ok, "{lines:?}");
    let payment = lines[1]["result"]["payments"][0].clone();
    assert_eq!(payment["status"], "pending", "{payment}");
    let attempt = payment["provider_ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("pbb_"))
        .unwrap_or_else(|| panic!("the session's id: {payment}"))
        .to_owned();
    let session = setup
        .runtime
        .block_on(setup.cloud.payment_session_of(&setup.owner, &attempt));
    let id = payment["id"].as_str().expect("payment id");
    let (ok, lines) = till.exec(&format!(
        "{{\"cmd\": \"login\", \"pin\": \"1357\"}}\n{{\"cmd\": \"payment_page\", \"order\": \"{order}\", \"payment\": \"{id}\"}}\n"
    ));
    assert!(ok, "{lines:?}");
    assert_eq!(lines[1]["result"]["url"], session["url"], "the same session's page");
    assert_eq!(sessions(), 1);

    // The customer pays; the till is killed after the cloud said so, before it recorded it.
    let page = session["url"].as_str().expect("page").to_owned();
    setup.runtime.block_on(async {
        let path = page.strip_prefix(&setup.cloud.url).expect("on this cloud");
        let (status, body) = setup.cloud.call("POST", &format!("{path}/approve"), None, None).await;
        assert_eq!(status, 200, "{body}");
    });
    let check = format!(
        "{{\"cmd\": \"login\", \"pin\": \"1357\"}}\n{{\"cmd\": \"check_payment\", \"order\": \"{order}\", \"payment\": \"{id}\"}}\n"
    );
    let (aborted, _) = crate::crash::exec_until(&till, "check.after_provider", &check);
    assert!(aborted);

    // Restarted: paid, once, and the order is complete; asking again changes nothing.
    for _ in 0..2 {
        let (ok, lines) = till.exec(&show);
        assert!(ok, "{lines:?}");
        let shown = &lines[1]["result"];
        assert_eq!(shown["state"], "completed", "{shown}");
        let statuses: Vec<&str> = shown["payments"]
            .as_array()
            .expect("payments")
            .iter()
            .filter_map(|p| p["status"].as_str())
            .collect();
        assert_eq!(statuses, ["succeeded"], "{shown}");
    }
    assert_eq!(sessions(), 1);
    let session = setup
        .runtime
        .block_on(setup.cloud.payment_session_of(&setup.owner, &attempt));
    assert_eq!(session["status"], "executed");
}
