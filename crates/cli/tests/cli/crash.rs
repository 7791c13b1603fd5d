//! The crash test: a child `fynlo exec` sells in a loop and is killed with SIGKILL at random moments.
//! After every kill, each sale the child had reported as completed must be in the database, whole; every
//! order it had reported as saved must be there at least at the version reported; and the outbox
//! sequence must have no gaps.
//!
//! `FYNLO_CRASH_KILLS` sets the number of kills (50 by default; `./dev stress` runs 1000) and
//! `FYNLO_CRASH_SEED` replays a run.

use std::{
    collections::HashMap,
    io::{BufRead, BufReader},
    process::Stdio,
    thread,
    time::Duration,
};

use fynlo_core::{ids::OrderId, order::Order, order::OrderState};
use fynlo_store::Store;
use serde_json::Value;

use crate::{fynlo, DemoTill};

/// A sale the child reported as committed: its total, number of lines and tips, and what it reported
/// refunded on it since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sale {
    total: i64,
    lines: usize,
    tips: i64,
    refunded: i64,
}

const PRODUCTS: &[&str] = &[
    r#""product": "chips""#,
    r#""product": "soup""#,
    r#""product": "sirloin", "modifiers": ["medium"]"#,
    r#""product": "burger", "modifiers": ["extra-cheese"]"#,
    r#""sku": "AL01", "variant": "pint""#,
    r#""product": "flat-white", "modifiers": ["oat-milk"]"#,
    r#""product": "club-sandwich""#,
];

/// Sells in a loop through a `fynlo exec` child, one command at a time, so a later command can name
/// what an earlier reply said (a refund names the payment it gives money back on). Every line the child
/// answered is kept in `reported`; the loop ends when the child is killed.
fn drive(
    mut rng: fastrand::Rng,
    round: usize,
    mut stdin: std::process::ChildStdin,
    stdout: std::process::ChildStdout,
    reported: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) {
    use std::io::Write;
    let mut answers = BufReader::new(stdout).lines();
    let mut send = |command: String| -> Option<Value> {
        writeln!(stdin, "{command}").ok()?;
        stdin.flush().ok()?;
        let line = answers.next()?.ok()?;
        reported.lock().ok()?.push(line.clone());
        serde_json::from_str(&line).ok()
    };
    if send(r#"{"cmd": "login", "pin": "1357"}"#.into()).is_none() {
        return;
    }
    for sale in 0..400 {
        let alias = format!("s{round}-{sale}");
        let kind = if rng.bool() {
            r#"{"type": "takeaway"}"#
        } else {
            r#"{"type": "dine_in", "table": "5", "covers": 2}"#
        };
        if send(format!(
            r#"{{"cmd": "open_order", "kind": {kind}, "alias": "{alias}"}}"#
        ))
        .is_none()
        {
            return;
        }
        for _ in 0..rng.usize(1..=5) {
            let product = PRODUCTS[rng.usize(..PRODUCTS.len())];
            let quantity = rng.u32(1..=3);
            if send(format!(r#"{{"cmd": "add_line", {product}, "quantity": {quantity}}}"#)).is_none() {
                return;
            }
        }
        // Cash (sometimes keeping a tip), card with a tip, or a bill split in two and paid part by part
        // in cash and by card: the attempt is saved, the provider called, its answer saved — a kill can
        // land between any two.
        let done = match rng.u8(0..4) {
            0 => send(r#"{"cmd": "take_cash", "tendered": 50000}"#.into()),
            1 => send(r#"{"cmd": "take_cash", "tendered": 50000, "tip": 150}"#.into()),
            2 => send(r#"{"cmd": "pay", "tender": "card", "tip": {"type": "percent", "rate_bp": 1000}}"#.into()),
            _ => {
                if send(r#"{"cmd": "split_bill", "split": {"type": "even", "parts": 2}}"#.into()).is_none()
                    || send(r#"{"cmd": "take_cash", "tendered": 50000, "part": 1}"#.into()).is_none()
                {
                    return;
                }
                send(r#"{"cmd": "pay", "tender": "card", "part": 2, "tip": {"type": "amount", "amount": 200}}"#.into())
            }
        };
        let Some(done) = done else { return };
        // Now and then money goes back on a payment of the completed sale, with Priya's approval.
        if done["result"]["state"] == "completed" && rng.u8(0..5) == 0 {
            let payments = done["result"]["payments"].as_array().cloned().unwrap_or_default();
            if let Some(p) = payments.iter().find(|p| p["status"] == "succeeded") {
                let amount = p["refundable"].as_i64().unwrap_or(0).min(100);
                let id = p["id"].as_str().unwrap_or_default();
                if amount > 0 {
                    let command = format!(
                        r#"{{"cmd": "refund", "order": "{alias}", "payment": "{id}", "amount": {amount}, "reason": "cold", "approval": {{"pin": "2468"}}}}"#
                    );
                    if send(command).is_none() {
                        return;
                    }
                }
            }
        }
    }
}

#[test]
fn sales_survive_sigkill_at_random_moments() {
    let kills: usize = crate::env_number("FYNLO_CRASH_KILLS", 50);
    let seed = crate::crash_seed();
    eprintln!("crash test: {kills} kills, FYNLO_CRASH_SEED={seed}");
    let mut rng = fastrand::Rng::with_seed(seed);
    let till = DemoTill::create();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut committed: HashMap<String, Sale> = HashMap::new();
    let mut saved: HashMap<String, u64> = HashMap::new();
    let mut killed_mid_run = 0;
    let mut refunds = 0;

    for round in 0..kills {
        let mut child = till.exec_child();
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let reported = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let driver = {
            let (seeded, reported) = (fastrand::Rng::with_seed(rng.u64(..)), std::sync::Arc::clone(&reported));
            thread::spawn(move || drive(seeded, round, stdin, stdout, reported))
        };
        // Half the kills are timed from the start, so some land while the till opens and recovers; the
        // other half from its first answer, so each of those rounds sells for a while however slowly the
        // machine starts a process (on a busy machine, kills timed from the start alone left too few sales).
        if round % 2 == 1 {
            let started = std::time::Instant::now();
            while reported.lock().expect("lines").is_empty() && started.elapsed() < Duration::from_secs(5) {
                thread::sleep(Duration::from_millis(5));
            }
        }
        thread::sleep(Duration::from_millis(rng.u64(15..=250)));
        // SIGKILL: no destructors, no flush, no checkpoint.
        let finished_early = child.try_wait().expect("polls child").is_some();
        child.kill().expect("kills child");
        child.wait().expect("reaps child");
        driver.join().expect("driver thread");
        if !finished_early {
            killed_mid_run += 1;
        }
        // Only whole lines count as reported: a line cut by the kill was never acknowledged.
        let lines = std::mem::take(&mut *reported.lock().expect("lines"));
        for line in lines {
            let Ok(record) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if record["result"]["type"] == "order" && record["result"]["saved"] == true {
                let id = record["result"]["id"].as_str().expect("order id").to_owned();
                let version = record["result"]["version"].as_u64().expect("version");
                let entry = saved.entry(id).or_insert(version);
                *entry = (*entry).max(version);
            }
            let pays = record["cmd"] == "take_cash" || record["cmd"] == "pay";
            if pays && record["ok"] == true && record["result"]["state"] == "completed" {
                let order = &record["result"];
                let id = order["id"].as_str().expect("order id").to_owned();
                let sale = Sale {
                    total: order["totals"]["total"].as_i64().expect("total"),
                    lines: order["lines"].as_array().map_or(0, Vec::len),
                    tips: order["tips"].as_i64().expect("tips"),
                    refunded: 0,
                };
                committed.insert(id, sale);
            }
            if record["cmd"] == "refund" && record["ok"] == true {
                let order = &record["result"];
                let id = order["id"].as_str().expect("order id").to_owned();
                if let Some(sale) = committed.get_mut(&id) {
                    sale.refunded = sale.refunded.max(order["refunded"].as_i64().expect("refunded"));
                    refunds += 1;
                }
            }
        }
        runtime.block_on(verify(&till, &committed, &saved, round, seed));
    }
    runtime.block_on(reconcile(&till));
    eprintln!(
        "crash test: {} completed sales ({refunds} refunds) and {} saved orders checked after each of {kills} kills ({killed_mid_run} mid-run)",
        committed.len(),
        saved.len()
    );
    assert!(
        killed_mid_run * 10 >= kills * 9,
        "most kills must land while the child is selling"
    );
    assert!(
        committed.len() >= kills,
        "the child completed too few sales ({}) to prove anything",
        committed.len()
    );
}

/// After the last kill a till starts once more (and so recovers): no attempt is left waiting, and every
/// charge the provider took is a succeeded payment on an order — never lost, never twice.
async fn reconcile(till: &DemoTill) {
    let out = till.run(&["exec", "--stop-on-error", "/dev/null"]);
    assert!(out.status.success(), "a till starts after the kills");
    let store = Store::open(&till.db).await.expect("opens");
    assert_eq!(store.orders_with_attempts_in_flight().await.expect("reads"), Vec::new());
    let rows = store.payment_rows().await.expect("payments");
    let mut sim = till.db.as_os_str().to_owned();
    sim.push(".sim-provider.json");
    let provider: Value = match std::fs::read(&sim) {
        Ok(bytes) => serde_json::from_slice(&bytes).expect("simulator records parse"),
        Err(_) => Value::Null,
    };
    let intents = provider["intents"].as_object().cloned().unwrap_or_default();
    for (key, entry) in &intents {
        let intent = &entry["intent"];
        let recorded: Vec<_> = rows.iter().filter(|r| r.id == intent["payment_id"]).collect();
        assert_eq!(recorded.len(), 1, "provider charge {key} has no payment row");
        assert_eq!(
            recorded[0].status, "succeeded",
            "charge {key} taken but not recorded as paid"
        );
        assert_eq!(recorded[0].provider_ref.as_deref(), intent["id"].as_str());
        assert_eq!(
            recorded[0].amount + recorded[0].tip,
            intent["amount"].as_i64().expect("amount")
        );
    }
    let card_paid = rows
        .iter()
        .filter(|r| r.tender == "card" && r.status == "succeeded")
        .count();
    assert_eq!(
        card_paid,
        intents.len(),
        "every succeeded card payment is one provider charge"
    );
    eprintln!(
        "crash test: {} card charges at the provider, each recorded once as paid",
        intents.len()
    );
    store.close().await.expect("closes");
}

async fn verify(
    till: &DemoTill,
    committed: &HashMap<String, Sale>,
    saved: &HashMap<String, u64>,
    round: usize,
    seed: u64,
) {
    let store = Store::open(&till.db).await.expect("database opens after a kill");
    let context = format!("after kill {round} (FYNLO_CRASH_SEED={seed})");
    for (id, version) in saved {
        let order_id = OrderId::parse(id).expect("valid id");
        let order = store
            .order(order_id)
            .await
            .unwrap_or_else(|e| panic!("saved order {id} lost {context}: {e}"));
        assert!(
            order.version() >= *version,
            "saved order {id} went back in time {context}"
        );
    }
    for (id, sale) in committed {
        let order_id = OrderId::parse(id).expect("valid id");
        let order = store
            .order(order_id)
            .await
            .unwrap_or_else(|e| panic!("sale {id} lost {context}: {e}"));
        assert_eq!(order.state(), OrderState::Completed, "sale {id} {context}");
        let totals = order.totals().expect("prices");
        assert_eq!(totals.total.get(), sale.total, "sale {id} total {context}");
        assert_eq!(order.lines().len(), sale.lines, "sale {id} lines {context}");
        assert_eq!(
            order.paid().expect("paid").get(),
            sale.total,
            "sale {id} paid {context}"
        );
        assert_eq!(order.tips().expect("tips").get(), sale.tips, "sale {id} tips {context}");
        assert!(
            order.refunded().expect("refunded").get() >= sale.refunded,
            "sale {id}: a refund it reported is lost {context}"
        );
        let history = store.history(order_id).await.expect("history");
        let replayed = Order::replay(history.iter().map(|h| (&h.event, h.at))).expect("replays");
        assert_eq!(
            replayed, order,
            "sale {id}: the order and its history disagree {context}"
        );
    }
    let stats = store.outbox_stats().await.expect("outbox stats");
    assert!(stats.is_gapless(), "outbox has gaps {context}: {stats:?}");
    let ops = store.outbox_after(0, i64::MAX).await.expect("outbox");
    for (id, _) in committed.iter().take(25) {
        // The sale's ops hold its events in order: from its opening to its completion.
        let events: Vec<&str> = ops
            .iter()
            .filter(|op| op.payload["order_id"] == id.as_str())
            .inspect(|op| assert_eq!(op.op_type, "order.saved", "sale {id} outbox {context}"))
            .flat_map(|op| op.payload["events"].as_array().into_iter().flatten())
            .filter_map(|e| e["event"]["type"].as_str())
            .collect();
        assert_eq!(events.first(), Some(&"opened"), "sale {id} outbox {context}");
        // It completed, and only refunds came after.
        let done = events.iter().position(|e| *e == "completed");
        assert!(done.is_some(), "sale {id} outbox {context}");
        assert!(
            events[done.unwrap_or_default() + 1..]
                .iter()
                .all(|e| matches!(*e, "refund_started" | "refund_updated")),
            "sale {id}: {events:?} {context}"
        );
    }
    store.close().await.expect("closes");
}

/// Runs `fynlo exec` with `FYNLO_FAILPOINT` set; returns whether it died of the abort, and the lines it
/// had printed.
pub(crate) fn exec_until(till: &DemoTill, failpoint: &str, script: &str) -> (bool, Vec<Value>) {
    use std::{io::Write, os::unix::process::ExitStatusExt};
    let mut child = fynlo()
        .env("FYNLO_FAILPOINT", failpoint)
        .arg("--db")
        .arg(&till.db)
        .arg("exec")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns fynlo exec");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(script.as_bytes())
        .expect("writes");
    let out = child.wait_with_output().expect("waits");
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    (out.status.signal() == Some(6), lines)
}

/// What the simulated provider holds: (charges, refunds).
fn provider_counts(till: &DemoTill) -> (usize, usize) {
    let mut sim = till.db.as_os_str().to_owned();
    sim.push(".sim-provider.json");
    let Ok(bytes) = std::fs::read(&sim) else {
        return (0, 0);
    };
    let v: Value = serde_json::from_slice(&bytes).expect("parses");
    let count = |k: &str| v[k].as_object().map_or(0, serde_json::Map::len);
    (count("intents"), count("refunds"))
}

const CARD_SALE: &str = r#"{"cmd": "login", "pin": "1357"}
{"cmd": "open_order", "kind": {"type": "takeaway"}}
{"cmd": "add_line", "product": "fish-chips"}
{"cmd": "pay", "tender": "card"}
"#;

#[test]
fn a_till_killed_between_the_steps_of_a_payment_resumes_or_abandons_it_safely() {
    // Killed after the attempt was saved, before the provider heard of it: abandoned on restart,
    // nothing was charged, and the sale can be paid again.
    let till = DemoTill::create();
    let (aborted, lines) = exec_until(&till, "pay.after_start", CARD_SALE);
    assert!(aborted, "the failpoint aborts the till");
    let order = lines[1]["result"]["id"].as_str().expect("order id").to_owned();
    let (_, lines) = till.exec(&format!(
        "{{\"cmd\": \"login\", \"pin\": \"1357\"}}\n{{\"cmd\": \"show_order\", \"order\": \"{order}\"}}\n"
    ));
    let shown = &lines[1]["result"];
    assert_eq!(shown["payments"][0]["status"], "cancelled");
    assert_eq!(shown["payments"][0]["note"], "abandoned: it never reached the provider");
    assert_eq!(
        (shown["state"].clone(), shown["totals"]["balance"].clone()),
        ("pending".into(), 1650.into())
    );
    assert_eq!(provider_counts(&till), (0, 0));
    let (success, lines) = till.exec(&format!(
        "{{\"cmd\": \"login\", \"pin\": \"1357\"}}\n{{\"cmd\": \"pay\", \"order\": \"{order}\", \"tender\": \"card\"}}\n"
    ));
    assert!(success);
    assert_eq!(lines[1]["result"]["state"], "completed");
    assert_eq!(provider_counts(&till), (1, 0));

    // Killed after the provider took the money, before its answer was saved: found paid on restart,
    // charged once.
    let till = DemoTill::create();
    let (aborted, lines) = exec_until(&till, "pay.after_provider", CARD_SALE);
    assert!(aborted);
    let order = lines[1]["result"]["id"].as_str().expect("order id").to_owned();
    assert_eq!(provider_counts(&till), (1, 0));
    let (_, lines) = till.exec(&format!(
        "{{\"cmd\": \"login\", \"pin\": \"1357\"}}\n{{\"cmd\": \"show_order\", \"order\": \"{order}\"}}\n"
    ));
    let shown = &lines[1]["result"];
    assert_eq!(shown["state"], "completed");
    assert_eq!(shown["payments"][0]["status"], "succeeded");
    assert!(shown["payments"][0]["provider_ref"]
        .as_str()
        .is_some_and(|r| r.starts_with("pi_sim_")));
    assert_eq!(shown["totals"]["paid"], 1650);
    assert_eq!(provider_counts(&till), (1, 0));

    // Killed after a refund was saved, before the provider heard of it: sent on restart, once.
    let (success, lines) = till.exec(&format!(
        "{{\"cmd\": \"login\", \"pin\": \"2468\"}}\n{{\"cmd\": \"show_order\", \"order\": \"{order}\"}}\n"
    ));
    assert!(success);
    let payment = lines[1]["result"]["payments"][0]["id"].as_str().expect("id").to_owned();
    let refund = format!(
        "{{\"cmd\": \"login\", \"pin\": \"2468\"}}\n{{\"cmd\": \"refund\", \"order\": \"{order}\", \"payment\": \"{payment}\", \"amount\": 650, \"reason\": \"cold\"}}\n"
    );
    let (aborted, _) = exec_until(&till, "refund.after_start", &refund);
    assert!(aborted);
    assert_eq!(provider_counts(&till), (1, 0));
    let (_, lines) = till.exec(&format!(
        "{{\"cmd\": \"login\", \"pin\": \"2468\"}}\n{{\"cmd\": \"show_order\", \"order\": \"{order}\"}}\n"
    ));
    let shown = &lines[1]["result"];
    assert_eq!(shown["refunds"][0]["status"], "succeeded");
    assert_eq!(shown["refunds"][0]["amount"], 650);
    assert_eq!(shown["payment_state"], "partly_refunded");
    assert_eq!(provider_counts(&till), (1, 1));

    // Killed after the provider gave the money back, before its answer was saved: found at the provider
    // on restart and recorded once — never sent twice.
    let refund = format!(
        "{{\"cmd\": \"login\", \"pin\": \"2468\"}}\n{{\"cmd\": \"refund\", \"order\": \"{order}\", \"payment\": \"{payment}\", \"amount\": 100, \"reason\": \"cold\"}}\n"
    );
    let (aborted, _) = exec_until(&till, "refund.after_provider", &refund);
    assert!(aborted);
    assert_eq!(provider_counts(&till), (1, 2), "the provider made the refund");
    let (_, lines) = till.exec(&format!(
        "{{\"cmd\": \"login\", \"pin\": \"2468\"}}\n{{\"cmd\": \"show_order\", \"order\": \"{order}\"}}\n"
    ));
    let shown = &lines[1]["result"];
    assert_eq!(shown["refunds"][1]["status"], "succeeded");
    assert_eq!(shown["refunds"][1]["amount"], 100);
    assert_eq!(shown["refunded"], 750);
    assert_eq!(provider_counts(&till), (1, 2), "and not again");
}
