//! Upgrading databases written by released tills (`crates/store/tests/fixtures/`): opened by today's
//! store, each must migrate keeping every fact its till reported — every op of its offline queue under
//! the same sequence number and op id, every order as the till last showed it — and carry on numbering
//! orders and the queue without a gap. A released database whose history and queue disagree must refuse
//! to upgrade and be left as it was.
//!
//! Regression: these tests used to build the "old" rows from today's types, so a change to those types
//! could hide a break in the upgrade. The fixtures are written by the released binaries themselves.

use std::path::{Path, PathBuf};

use fynlo_core::{ids::OrderId, order::Order};
use fynlo_store::Store;
use serde_json::Value;

use crate::raw;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn lines(name: &str) -> Vec<Value> {
    std::fs::read_to_string(fixture(name))
        .expect("fixture file")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// A copy of a released database in a temporary folder, to upgrade.
fn copy_of(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let db = tmp.path().join("till.db");
    std::fs::copy(fixture(name), &db).expect("copies the fixture");
    (tmp, db)
}

/// Each order as the released till last answered with it.
fn last_views(exec: &[Value]) -> Vec<Value> {
    let mut seen: Vec<Value> = Vec::new();
    for record in exec {
        let view = &record["result"];
        if record["ok"] != true || view["type"] != "order" {
            continue;
        }
        match seen.iter_mut().find(|v| v["id"] == view["id"]) {
            Some(slot) => *slot = view.clone(),
            None => seen.push(view.clone()),
        }
    }
    seen
}

/// The order as today's store reads it, against the released till's last view of it.
fn same_order(order: &Order, view: &Value) {
    let id = order.id();
    let totals = order.totals().expect("prices");
    assert_eq!(
        i64::from(order.number()),
        view["number"].as_i64().expect("number"),
        "{id}"
    );
    assert_eq!(order.state().as_str(), view["state"], "{id}");
    assert_eq!(order.parked(), view["parked"] == true, "{id}");
    assert_eq!(order.version(), view["version"].as_u64().expect("version"), "{id}");
    assert_eq!(order.business_date().as_str(), view["business_date"], "{id}");
    assert_eq!(order.opened_by().as_str(), view["opened_by"], "{id}");
    let view_totals = &view["totals"];
    for (what, ours) in [
        ("subtotal", totals.subtotal),
        ("line_discounts", totals.line_discounts),
        ("order_discount", totals.order_discount),
        ("service_charge", totals.service_charge),
        ("vat_total", totals.vat_total),
        ("total", totals.total),
    ] {
        assert_eq!(Some(ours.get()), view_totals[what].as_i64(), "{id} {what}");
    }
    assert_eq!(
        Some(order.paid().expect("paid").get()),
        view_totals["paid"].as_i64(),
        "{id} paid"
    );
    let view_lines = view["lines"].as_array().expect("lines");
    assert_eq!(order.lines().len(), view_lines.len(), "{id} lines");
    for (line, seen) in order.lines().iter().zip(view_lines) {
        assert_eq!(i64::from(line.no.get()), seen["no"].as_i64().expect("no"), "{id}");
        assert_eq!(line.product.as_str(), seen["product"], "{id}");
        assert_eq!(
            i64::from(line.quantity),
            seen["quantity"].as_i64().expect("quantity"),
            "{id}"
        );
        assert_eq!(line.void.is_some(), !seen["void"].is_null(), "{id} void");
        assert_eq!(line.sent, seen["sent"] == true, "{id} sent");
    }
    let view_payments = view["payments"].as_array().expect("payments");
    assert_eq!(order.payments().len(), view_payments.len(), "{id} payments");
    for (p, seen) in order.payments().iter().zip(view_payments) {
        assert_eq!(p.id.to_string(), seen["id"], "{id}");
        assert_eq!(p.tender.as_str(), seen["tender"], "{id}");
        assert_eq!(p.status.as_str(), seen["status"], "{id}");
        assert_eq!(Some(p.amount.get()), seen["amount"].as_i64(), "{id}");
        assert_eq!(Some(p.change.get()), seen["change"].as_i64(), "{id}");
        if let Some(tip) = seen["tip"].as_i64() {
            assert_eq!(p.tip.get(), tip, "{id} tip");
        }
    }
    if let Some(refunds) = view["refunds"].as_array() {
        assert_eq!(order.refunds().len(), refunds.len(), "{id} refunds");
        for (r, seen) in order.refunds().iter().zip(refunds) {
            assert_eq!(Some(r.amount.get()), seen["amount"].as_i64(), "{id}");
            assert_eq!(r.status.as_str(), seen["status"], "{id}");
        }
    }
}

/// Opens a released database with today's store and checks every fact its till reported.
async fn upgrades_keeping_every_fact(version: u32) {
    let (_tmp, db) = copy_of(&format!("released-v{version}.db"));
    let before = lines(&format!("released-v{version}.outbox.jsonl"));
    let exec = lines(&format!("released-v{version}.exec.jsonl"));
    let store = Store::open(&db).await.expect("opens and upgrades");

    // The queue: every op under the same sequence number and op id, nothing added, no gap. An order's
    // op of one event is now a save of that one event, holding the same event the till wrote.
    let after = store.outbox_after(0, i64::MAX).await.expect("outbox");
    assert_eq!(after.len(), before.len(), "v{version}: ops");
    assert!(store.outbox_stats().await.expect("stats").is_gapless());
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(old["seq"].as_i64(), Some(new.seq), "v{version}");
        assert_eq!(old["op_id"], new.op_id, "v{version} op {}", new.seq);
        assert_eq!(old["device_id"], new.device_id, "v{version} op {}", new.seq);
        assert_eq!(old["created_at"].as_i64(), Some(new.created_at.millis()), "v{version}");
        let old_type = old["op_type"].as_str().expect("op type");
        let event = |json: &serde_json::Value| -> fynlo_core::order::OrderEvent {
            serde_json::from_value(json.clone()).expect("an order event")
        };
        if old_type == "order.saved" {
            // A save of the journal era (v3): the same events, each with its version, who and when
            // (the new till stores them compressed, without repeated fields, and sends them whole).
            assert_eq!(new.op_type, old_type, "v{version} op {}", new.seq);
            assert_eq!(new.payload["order_id"], old["payload"]["order_id"], "v{version}");
            let events = new.payload["events"].as_array().expect("events");
            let old_events = old["payload"]["events"].as_array().expect("events");
            assert_eq!(events.len(), old_events.len(), "v{version} op {}", new.seq);
            for (e, o) in events.iter().zip(old_events) {
                for field in ["version", "staff", "at"] {
                    assert_eq!(e[field], o[field], "v{version} op {} {field}", new.seq);
                }
                assert_eq!(event(&e["event"]), event(&o["event"]), "v{version} op {}", new.seq);
            }
        } else if old_type.starts_with("order.") {
            assert_eq!(new.op_type, "order.saved", "v{version} op {}", new.seq);
            assert_eq!(new.payload["order_id"], old["payload"]["order_id"], "v{version}");
            let events = new.payload["events"].as_array().expect("events");
            assert_eq!(events.len(), 1, "v{version} op {}", new.seq);
            assert_eq!(
                events[0]["version"], old["payload"]["version"],
                "v{version} op {}",
                new.seq
            );
            assert_eq!(events[0]["staff"], old["payload"]["staff"], "v{version} op {}", new.seq);
            // The same event (the outbox now writes it without the empty fields the old till spelt out).
            assert_eq!(
                event(&events[0]["event"]),
                event(&old["payload"]["event"]),
                "v{version} op {}",
                new.seq
            );
        } else {
            assert_eq!(new.op_type, old_type, "v{version} op {}", new.seq);
            assert_eq!(new.payload, old["payload"], "v{version} op {}", new.seq);
        }
    }

    // Every order, as the till last showed it; the open ones still open.
    let views = last_views(&exec);
    assert!(views.len() >= 3, "v{version}: the fixture has orders");
    for view in &views {
        let id = OrderId::parse(view["id"].as_str().expect("id")).expect("an order id");
        let order = store.order(id).await.expect("the order is there");
        same_order(&order, view);
    }
    let open: Vec<String> = store
        .open_orders()
        .await
        .expect("open orders")
        .iter()
        .map(|o| o.id().to_string())
        .collect();
    let expected_open: Vec<String> = views
        .iter()
        .filter(|v| v["state"] != "completed" && v["state"] != "cancelled")
        .map(|v| v["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(open, expected_open, "v{version}: open orders");

    // It carries on: the next order number of the day follows the released till's, and new ops follow
    // its queue.
    let day = views[0]["business_date"].as_str().expect("date");
    let date = fynlo_core::time::BusinessDate::parse(day).expect("a date");
    let highest = views
        .iter()
        .filter(|v| v["business_date"] == day)
        .filter_map(|v| v["number"].as_u64())
        .max()
        .expect("numbers");
    assert_eq!(
        u64::from(store.next_order_number(&date).await.expect("next")),
        highest + 1
    );
    store.close().await.expect("closes");
    let again = Store::open(&db).await.expect("opens again");
    assert_eq!(
        again.outbox_after(0, i64::MAX).await.expect("outbox").len(),
        before.len()
    );
    again.close().await.expect("closes");
}

#[tokio::test]
async fn a_database_from_before_the_payments_work_upgrades_keeping_every_fact() {
    upgrades_keeping_every_fact(1).await;
}

#[tokio::test]
async fn a_database_from_before_the_journal_upgrades_keeping_every_fact() {
    upgrades_keeping_every_fact(2).await;
}

#[tokio::test]
async fn a_database_from_before_compressed_payloads_upgrades_keeping_every_fact() {
    upgrades_keeping_every_fact(3).await;
}

// An order begun by the released till (its history in JSON text) goes on in today's (compressed rows):
// both kinds of row are read back as one history, by the writer and by a reader in another process.
#[tokio::test]
async fn an_order_saved_before_goes_on_in_compressed_rows() {
    use fynlo_core::{
        order::{Ctx, OrderCommand, OrderKind},
        time::Timestamp,
    };
    let (_tmp, db) = copy_of("released-v3.db");
    let exec = lines("released-v3.exec.jsonl");
    let store = Store::open(&db).await.expect("opens and upgrades");
    // The table sent to the kitchen and parked by the released till.
    let parked = last_views(&exec)
        .into_iter()
        .find(|v| v["parked"] == true && v["kind"] == "dine_in")
        .expect("a parked table");
    let id = OrderId::parse(parked["id"].as_str().expect("id")).expect("an order id");
    let order = store.order(id).await.expect("reads");
    let (_, catalog) = store.menu().await.expect("reads").expect("a menu");
    let staff = fynlo_core::ids::StaffId::new("sam").expect("a staff id");
    let ctx = Ctx::new(
        Timestamp::from_millis(order.updated_at().millis() + 60_000),
        staff.clone(),
    );
    let mut next = order.clone();
    let mut recorded = Vec::new();
    for cmd in [OrderCommand::Resume, OrderCommand::Park] {
        let (after, events) = next.execute(&cmd, &catalog, &ctx).expect("runs");
        next = after;
        recorded.extend(events.into_iter().map(|event| fynlo_store::Recorded {
            event,
            staff: staff.clone(),
            at: ctx.at,
        }));
    }
    let ids = crate::Counter::starting_after(0x3000);
    store.save_order(&next, false, &recorded, &ids).await.expect("saves");
    assert!(matches!(next.kind(), OrderKind::DineIn { .. }));
    let history = store.history(id).await.expect("reads the history");
    assert_eq!(history.len() as u64, next.version());
    assert_eq!(store.order(id).await.expect("reads"), next);
    let reader = Store::open_reader(&db).await.expect("opens to read");
    assert_eq!(
        reader.order(id).await.expect("reads"),
        next,
        "a reader folds in the new row"
    );
    drop(reader);
    store.close().await.expect("closes");
    let mut conn = raw(&db).await;
    let kinds: Vec<(String,)> = sqlx::query_as("SELECT typeof(payload) FROM journal WHERE order_id = ? ORDER BY seq")
        .bind(id.to_string())
        .fetch_all(&mut conn)
        .await
        .expect("reads");
    assert_eq!(
        kinds.first().map(|k| k.0.as_str()),
        Some("text"),
        "the released till's rows"
    );
    assert_eq!(kinds.last().map(|k| k.0.as_str()), Some("blob"), "today's row");
}

#[tokio::test]
async fn a_database_whose_history_lost_an_op_refuses_to_upgrade_and_is_left_as_it_was() {
    let (_tmp, db) = copy_of("released-v2.db");
    // A history row with no op: an order the journal could not replay whole.
    let mut conn = raw(&db).await;
    let (seq,): (i64,) = sqlx::query_as("SELECT MIN(seq) FROM outbox WHERE op_type LIKE 'order.%'")
        .fetch_one(&mut conn)
        .await
        .expect("an order op");
    sqlx::query("DROP TRIGGER outbox_append_only_d")
        .execute(&mut conn)
        .await
        .expect("drops");
    sqlx::query("DELETE FROM outbox WHERE seq = ?")
        .bind(seq)
        .execute(&mut conn)
        .await
        .expect("deletes");
    let (events,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM order_events")
        .fetch_one(&mut conn)
        .await
        .expect("counts");
    drop(conn);

    let refused = Store::open(&db).await;
    assert!(
        matches!(refused, Err(fynlo_store::Error::Migrate(_))),
        "{:?}",
        refused.err()
    );
    let mut check = raw(&db).await;
    let (kept,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM order_events")
        .fetch_one(&mut check)
        .await
        .expect("the old tables are still there");
    assert_eq!(kept, events);
    let (journal,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sqlite_master WHERE name = 'journal'")
        .fetch_one(&mut check)
        .await
        .expect("schema");
    assert_eq!(journal, 0, "nothing of the migration is left behind");
}
