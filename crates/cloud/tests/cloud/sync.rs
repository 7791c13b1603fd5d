//! Push and pull: exactly once and in order, rejected ops, limits, pulls by cursor, and SPEC §8's
//! conflict rules.

use fynlo_core::{
    ids::{LineNo, PaymentId},
    order::{LineChange, OrderCommand, OrderState},
    Minor,
};
use fynlo_protocol::{Op, MAX_BATCH};
use serde_json::{json, Value};

use crate::support::{menu_json, settings_json, Backend, Cloud, Till, TwoTills};

crate::both!(
    stale_closes_and_stale_line_changes_never_undo_what_another_till_did,
    a_new_tills_first_pull_is_the_restaurant_as_it_is_then_what_changed,
    a_tills_later_saves_follow_the_numbers_the_cloud_gave_its_lines,
    a_payment_is_kept_when_the_rest_of_its_save_conflicts,
    ops_apply_exactly_once_and_in_order,
    a_bad_op_is_rejected_and_the_rest_go_on,
    pulls_return_other_tills_changes_by_cursor,
    the_clouds_menu_and_settings_win,
    the_owning_till_wins_and_other_tills_merge_per_line,
);

fn outcomes(acks: &Value) -> Vec<String> {
    acks["acks"]
        .as_array()
        .expect("acks")
        .iter()
        .map(|a| a["outcome"].as_str().expect("outcome").to_owned())
        .collect()
}

/// A day's worth of ops: settings, staff, sales paid in cash, one left open.
fn day(till: &mut Till, sales: usize) -> Vec<Op> {
    let mut ops = vec![
        till.op("settings.updated", settings_json("The Copper Kettle")),
        till.op(
            "staff.updated",
            json!({"id": "sam", "name": "Sam Taylor", "role": "cashier"}),
        ),
    ];
    for i in 0..sales {
        let (id, open) = till.open();
        ops.push(open);
        ops.push(till.add(id, "burger"));
        ops.push(till.add(id, if i % 2 == 0 { "cola" } else { "cake" }));
        if i + 1 < sales {
            ops.push(till.pay_cash(id));
        }
        ops.push(till.op("auth.logged_in", json!({"staff": "sam"})));
    }
    ops
}

async fn ops_apply_exactly_once_and_in_order(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Kettle").await;
    let mut till = Till::new();
    let device = cloud.pair(&owner, &till, "Counter").await;
    let ops = day(&mut till, 6);
    let total = ops.len() as u64;
    // In batches of 7; each batch twice.
    for batch in ops.chunks(7) {
        let (status, acks) = cloud.push(&device, batch).await;
        assert_eq!(status, 200, "{acks}");
        assert!(outcomes(&acks).iter().all(|o| o == "applied"), "{acks}");
        let (status, again) = cloud.push(&device, batch).await;
        assert_eq!(status, 200);
        assert!(outcomes(&again).iter().all(|o| o == "duplicate"), "{again}");
        assert_eq!(again["through"], acks["through"]);
    }
    // A batch straddling what the cloud has: the old ones are duplicates, the new one applies.
    let next = till.op("auth.logged_in", json!({"staff": "jo"}));
    let mut straddle = ops[ops.len() - 2..].to_vec();
    straddle.push(next.clone());
    let (_, acks) = cloud.push(&device, &straddle).await;
    assert_eq!(outcomes(&acks), ["duplicate", "duplicate", "applied"]);
    assert_eq!(acks["through"], total + 1);
    // A gap: refused whole, nothing kept.
    let skipped = till.op("auth.logged_in", json!({"staff": "jo"}));
    let after_gap = till.op("auth.logged_in", json!({"staff": "jo"}));
    let (status, gap) = cloud.push(&device, std::slice::from_ref(&after_gap)).await;
    assert_eq!((status, gap["code"].as_str()), (409, Some("gap")), "{gap}");
    assert!(
        gap["message"]
            .as_str()
            .expect("message")
            .contains(&format!("expected op {}", total + 2)),
        "{gap}"
    );
    // A gap inside a batch, two devices' ops in one batch, ops of another device: refused whole.
    let (status, _) = cloud.push(&device, &[skipped.clone(), skipped.clone()]).await;
    assert_eq!(status, 409);
    let mut other = Till::new();
    let foreign = other.op("auth.logged_in", json!({}));
    let (status, error) = cloud.push(&device, std::slice::from_ref(&foreign)).await;
    assert_eq!((status, error["code"].as_str()), (403, Some("forbidden")));
    // A different op where the cloud has one already: the till's journal and the cloud disagree.
    let mut impostor = next.clone();
    impostor.op_id = uuid::Uuid::now_v7();
    let (status, error) = cloud.push(&device, &[impostor]).await;
    assert_eq!((status, error["code"].as_str()), (409, Some("conflict")), "{error}");
    // Limits.
    let too_many: Vec<Op> = (0..=MAX_BATCH as u64)
        .map(|i| Op {
            seq: total + 2 + i,
            ..skipped.clone()
        })
        .collect();
    let (status, error) = cloud.push(&device, &too_many).await;
    assert_eq!((status, error["code"].as_str()), (413, Some("too_large")));
    let (status, error) = cloud.push(&device, &[]).await;
    assert_eq!((status, error["code"].as_str()), (400, Some("invalid_input")));
    // Now the skipped one and the next: both apply.
    let (_, acks) = cloud.push(&device, &[skipped, after_gap]).await;
    assert_eq!(outcomes(&acks), ["applied", "applied"]);
    // The cloud has every op once and the till's orders to the penny.
    let pool = &cloud.server().state.db.pool;
    let (count, max): (i64, i64) = sqlx::query_as("SELECT COUNT(*), MAX(seq) FROM ops WHERE device_id = $1")
        .bind(till.device.to_string())
        .fetch_one(pool)
        .await
        .expect("count");
    assert_eq!((count, max), (total as i64 + 3, total as i64 + 3));
    let (_, orders) = cloud.get("/api/v1/orders", &owner.access).await;
    let orders = orders.as_array().expect("orders");
    assert_eq!(orders.len(), 6);
    for order in orders {
        let id = fynlo_core::ids::OrderId::parse(order["id"].as_str().expect("id")).expect("id");
        let local = &till.orders[&id];
        assert_eq!(order["total"], till.total(id), "{order}");
        assert_eq!(order["version"], local.version(), "{order}");
        assert_eq!(order["state"], local.state().as_str());
        assert_eq!(order["paid"], local.paid().expect("paid").get());
    }
    let (_, open) = cloud.get("/api/v1/orders?open=true", &owner.access).await;
    assert_eq!(open.as_array().map(Vec::len), Some(1));
    let (status, _) = cloud.get("/api/v1/orders?limit=0", &owner.access).await;
    assert_eq!(status, 400);
}

async fn a_bad_op_is_rejected_and_the_rest_go_on(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Kettle").await;
    let mut till = Till::new();
    let device = cloud.pair(&owner, &till, "Counter").await;
    let (id, open) = till.open();
    let bad = [
        till.op("order.saved", json!({"order_id": "nope", "events": []})),
        till.op("order.saved", json!({"order_id": id.to_string(), "events": [{"version": 9, "staff": "sam", "at": 1, "event": {"type": "parked"}}]})),
        till.op("staff.updated", json!({"id": "", "name": "x"})),
        till.op("staff.updated", json!({"id": "new", "role": "cashier"})),
        till.op("staff.updated", json!({"id": "sam", "name": "Sam", "role": "emperor"})),
        till.op("staff.updated", json!({"id": "sam", "name": "Sam", "pin_hash": "1234"})),
        till.op("settings.updated", json!({"name": ""})),
        till.op("staff.updated", json!({"id": "sam", "name": "Sam\u{0}Taylor"})),
        till.op(
            "order.saved",
            json!({"order_id": id.to_string(), "events": [{"version": 2, "staff": "", "at": 1, "event": {"type": "parked"}}]}),
        ),
    ];
    let add = till.add(id, "burger");
    let mut batch = vec![open];
    batch.extend(bad.iter().cloned());
    batch.push(add);
    let (status, acks) = cloud.push(&device, &batch).await;
    assert_eq!(status, 200, "{acks}");
    let got = outcomes(&acks);
    assert_eq!(got[0], "applied");
    assert!(got[1..=bad.len()].iter().all(|o| o == "rejected"), "{acks}");
    assert_eq!(got[bad.len() + 1], "applied");
    for ack in &acks["acks"].as_array().expect("acks")[1..=bad.len()] {
        assert!(!ack["message"].as_str().unwrap_or("").is_empty(), "{ack}");
        assert!(ack["code"].is_string(), "{ack}");
    }
    // A rejected op sent again gets the same answer, and changed nothing.
    let (_, again) = cloud.push(&device, &batch[1..3]).await;
    assert_eq!(again["acks"][0], acks["acks"][1]);
    let (_, order) = cloud.get(&format!("/api/v1/orders/{id}"), &owner.access).await;
    assert_eq!(order["version"], 2, "{order}");
    assert_eq!(order["total"], 1295);
    let (_, staff) = cloud.get("/api/v1/staff", &owner.access).await;
    assert_eq!(staff, json!([]));
    // An op naming an order that does not exist, or opening one as another device.
    let mut stranger = Till::new();
    let (_, theirs) = stranger.open();
    let forged = till.op("order.saved", theirs.payload.clone());
    let (_, acks) = cloud.push(&device, &[forged]).await;
    assert_eq!(acks["acks"][0]["code"], "forbidden", "{acks}");
}

async fn pulls_return_other_tills_changes_by_cursor(backend: Backend) {
    let TwoTills {
        cloud,
        owner,
        mut a,
        device_a,
        mut b,
        device_b,
    } = TwoTills::start(backend).await;
    let ops = day(&mut a, 3);
    let (status, _) = cloud.push(&device_a, &ops).await;
    assert_eq!(status, 200);
    let (b_id, b_open) = b.open();
    cloud.push(&device_b, &[b_open]).await;
    // B sees A's settings, staff and orders, not its own order.
    let (changes, cursor) = cloud.pull_all(&device_b, "f0").await;
    let kinds: Vec<&str> = changes.iter().map(|c| c["kind"].as_str().expect("kind")).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "settings").count(), 1);
    assert_eq!(kinds.iter().filter(|k| **k == "staff").count(), 1);
    assert!(
        changes.iter().all(|c| c["device_id"] == a.device.to_string()),
        "only A's: {changes:?}"
    );
    let order_changes: Vec<&Value> = changes.iter().filter(|c| c["kind"] == "order").collect();
    assert_eq!(order_changes.len(), 3 * 4 - 1, "each save of A's orders");
    let staff = changes.iter().find(|c| c["kind"] == "staff").expect("staff");
    assert_eq!(staff["payload"]["name"], "Sam Taylor");
    // PIN hashes reach tills, never an owner's or a manager's pull.
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Y0JtXzGoF+Ja1ydTjzj4EyYZIdr2eWpUdbmwj0hv4v4";
    let pin = a.op("staff.updated", json!({"id": "sam", "pin_hash": hash}));
    assert_eq!(outcomes(&cloud.push(&device_a, &[pin]).await.1), ["applied"]);
    let (till_view, _) = cloud.pull_all(&device_b, &cursor).await;
    assert_eq!(till_view[0]["payload"]["pin_hash"], hash);
    assert_eq!(till_view[0]["payload"]["name"], "Sam Taylor", "the fields before stay");
    let (owner_view, _) = cloud.pull_all(&owner, &cursor).await;
    assert!(owner_view[0]["payload"].get("pin_hash").is_none(), "{owner_view:?}");
    let (_, staff_list) = cloud.get("/api/v1/staff", &owner.access).await;
    assert!(staff_list[0].get("pin_hash").is_none());
    let (status, ahead) = cloud.get("/api/v1/sync/pull?cursor=f999999", &device_b.access).await;
    assert_eq!(
        (status, ahead["code"].as_str()),
        (409, Some("conflict")),
        "a cursor ahead of the server"
    );
    let (_, cursor) = cloud.pull_all(&device_b, &cursor).await;
    // Replaying the pulled events gives A's orders.
    let mut replayed: std::collections::HashMap<String, Vec<Value>> = std::collections::HashMap::new();
    for c in &order_changes {
        let id = c["payload"]["order_id"].as_str().expect("order").to_owned();
        let events = replayed.entry(id).or_default();
        assert_eq!(c["payload"]["base"], events.len(), "{c}");
        events.extend(c["payload"]["events"].as_array().expect("events").iter().cloned());
    }
    for (id, events) in &replayed {
        let mut reader = Till::new();
        let got = reader.adopt(&json!({"events": events}));
        assert_eq!(got.to_string(), *id);
        assert_eq!(reader.total(got), a.total(got));
    }
    // A sees B's order; nothing new for B.
    let (changes, _) = cloud.pull_all(&device_a, "f0").await;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["payload"]["order_id"], b_id.to_string());
    let (status, page) = cloud
        .get(&format!("/api/v1/sync/pull?cursor={cursor}"), &device_b.access)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            page["changes"].as_array().map(Vec::len),
            &page["more"],
            &page["next_cursor"]
        ),
        (Some(0), &json!(false), &json!(cursor))
    );
    // Pages: 2 at a time, with the same result.
    let mut paged = Vec::new();
    let mut at = "f0".to_owned();
    for _ in 0..100 {
        let (_, page) = cloud
            .get(&format!("/api/v1/sync/pull?cursor={at}&limit=2"), &device_b.access)
            .await;
        let got = page["changes"].as_array().expect("changes");
        assert!(got.len() <= 2);
        paged.extend(got.iter().cloned());
        at = page["next_cursor"].as_str().expect("cursor").to_owned();
        if page["more"] == false {
            break;
        }
    }
    assert_eq!(paged, changes_for(&cloud, &device_b).await);
    for bad in ["cursor=abc", "cursor=f-1", "limit=0", "limit=1001", "other=1"] {
        let (status, error) = cloud.get(&format!("/api/v1/sync/pull?{bad}"), &device_b.access).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (400, Some("invalid_input")),
            "{bad}: {error}"
        );
    }
}

async fn changes_for(cloud: &Cloud, who: &crate::support::Login) -> Vec<Value> {
    cloud.pull_all(who, "f0").await.0
}

async fn the_clouds_menu_and_settings_win(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Kettle").await;
    let mut a = Till::new();
    let device = cloud.pair(&owner, &a, "Counter").await;
    // Before anything is published in the cloud, a till's settings become the restaurant's.
    let (_, acks) = cloud
        .push(&device, &[a.op("settings.updated", settings_json("Till name"))])
        .await;
    assert_eq!(outcomes(&acks), ["applied"]);
    let (_, settings) = cloud.get("/api/v1/settings", &owner.access).await;
    assert_eq!(settings["settings"]["name"], "Till name");
    // Published in the cloud: it wins from now on.
    let (status, _) = cloud
        .call(
            "PUT",
            "/api/v1/settings",
            Some(&owner.access),
            Some(settings_json("Cloud name")),
        )
        .await;
    assert_eq!(status, 200);
    let (_, acks) = cloud
        .push(&device, &[a.op("settings.updated", settings_json("Till again"))])
        .await;
    assert_eq!(outcomes(&acks), ["applied"], "kept as an op");
    let (_, settings) = cloud.get("/api/v1/settings", &owner.access).await;
    assert_eq!(
        (settings["source"].as_str(), settings["settings"]["name"].as_str()),
        (Some("cloud"), Some("Cloud name"))
    );
    // The till is sent the cloud's copy again (for every till, the pusher too).
    let (changes, _) = cloud.pull_all(&device, "f0").await;
    let names: Vec<&str> = changes
        .iter()
        .filter(|c| c["kind"] == "settings")
        .map(|c| c["payload"]["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Cloud name", "Cloud name"]);
    // Menus are published in the cloud, checked by the till's rules, and pulled by every till.
    let (status, published) = cloud
        .call("PUT", "/api/v1/menu", Some(&owner.access), Some(menu_json()))
        .await;
    assert_eq!(status, 200, "{published}");
    assert_eq!(published["version"], 1);
    let mut broken = menu_json();
    broken["products"][0]["category"] = json!("nowhere");
    let (status, error) = cloud
        .call("PUT", "/api/v1/menu", Some(&owner.access), Some(broken))
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("invalid_input")),
        "{error}"
    );
    let mut misspelt = menu_json();
    misspelt["products"][0]["availble"] = json!(false);
    let (status, error) = cloud
        .call("PUT", "/api/v1/menu", Some(&owner.access), Some(misspelt))
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("invalid_input")),
        "{error}"
    );
    assert!(
        error["message"].as_str().expect("message").contains("availble"),
        "read as strictly as the CLI: {error}"
    );
    let (status, _) = cloud
        .call("PUT", "/api/v1/menu", Some(&device.access), Some(menu_json()))
        .await;
    assert_eq!(status, 403, "a till does not publish");
    let (_, acks) = cloud
        .push(&device, &[a.op("menu.imported", json!({"version": 7, "products": 3}))])
        .await;
    assert_eq!(outcomes(&acks), ["applied"]);
    let (_, menu) = cloud.get("/api/v1/menu", &device.access).await;
    assert_eq!(
        (menu["version"].as_i64(), &menu["menu"]),
        (Some(1), &published["menu"]),
        "the till's import does not replace it"
    );
    let (changes, _) = cloud.pull_all(&device, "f0").await;
    let menus: Vec<&Value> = changes.iter().filter(|c| c["kind"] == "menu").collect();
    assert_eq!(menus.len(), 1);
    assert_eq!(menus[0]["payload"]["menu"], published["menu"]);
    assert!(menus[0].get("device_id").is_none());
    let (status, error) = cloud
        .call(
            "PUT",
            "/api/v1/settings",
            Some(&owner.access),
            Some(json!({"name": ""})),
        )
        .await;
    assert_eq!((status, error["code"].as_str()), (400, Some("invalid_input")));
}

async fn the_owning_till_wins_and_other_tills_merge_per_line(backend: Backend) {
    let TwoTills {
        cloud,
        owner,
        mut a,
        device_a,
        mut b,
        device_b,
    } = TwoTills::start(backend).await;
    let (id, open) = a.open();
    let l1 = a.add(id, "burger");
    let l2 = a.add(id, "cake");
    cloud.push(&device_a, &[open, l1, l2]).await;
    let (_, detail) = cloud.get(&format!("/api/v1/orders/{id}"), &device_b.access).await;
    b.adopt(&detail);
    let base = 3;
    let change = |no: u32, quantity: i64| OrderCommand::ChangeLine {
        line: LineNo::new(no),
        change: LineChange {
            quantity: Some(quantity),
            ..LineChange::default()
        },
    };
    // A (the owner) changes line 1; B, working from version 3, changes line 1 too and line 2.
    let a_change = a.run(id, &change(1, 2));
    cloud.push(&device_a, &[a_change]).await;
    let b_line1 = b.run_on(id, &change(1, 5), Some(base));
    let (_, acks) = cloud.push(&device_b, &[b_line1]).await;
    assert_eq!(acks["acks"][0]["outcome"], "rejected", "{acks}");
    assert_eq!(acks["acks"][0]["code"], "conflict");
    // B's edit of line 2 (untouched by A since) merges.
    b.adopt(&detail);
    let b_line2 = b.run_on(id, &change(2, 3), Some(base));
    let (_, acks) = cloud.push(&device_b, &[b_line2]).await;
    assert_eq!(acks["acks"][0]["outcome"], "applied", "{acks}");
    // Both tills add a line at once: both stay, with their own numbers.
    let a_add = a.add(id, "cola");
    cloud.push(&device_a, &[a_add]).await;
    b.adopt(&detail);
    let b_add = b.run_on(
        id,
        &OrderCommand::AddLine(fynlo_core::order::LineRequest {
            product: Some(fynlo_core::ids::ProductId::new("burger").expect("product")),
            quantity: 1,
            ..Default::default()
        }),
        Some(base),
    );
    let (_, acks) = cloud.push(&device_b, &[b_add]).await;
    assert_eq!(acks["acks"][0]["outcome"], "applied", "{acks}");
    let (_, detail) = cloud.get(&format!("/api/v1/orders/{id}"), &owner.access).await;
    let mut reader = Till::new();
    let merged = reader.adopt(&detail);
    let order = &reader.orders[&merged];
    let lines: Vec<(u32, String, u32)> = order
        .live_lines()
        .map(|l| (l.no.get(), l.product.to_string(), l.quantity))
        .collect();
    assert_eq!(
        lines,
        [
            (1, "burger".into(), 2),
            (2, "cake".into(), 3),
            (3, "cola".into(), 1),
            (4, "burger".into(), 1)
        ],
        "A's change of line 1 stands, B's of line 2 merged, both new lines kept"
    );
    assert_eq!(detail["total"], 2 * 1295 + 3 * 325 + 250 + 1295);
    // The owner's stale edit of a line B changed: the owner wins.
    let (_, before_b) = cloud.get(&format!("/api/v1/orders/{id}"), &owner.access).await;
    a.adopt(&before_b);
    b.adopt(&before_b);
    let version = before_b["version"].as_u64().expect("version");
    let b_edit = b.run_on(id, &change(2, 4), Some(version));
    assert_eq!(
        cloud.push(&device_b, &[b_edit]).await.1["acks"][0]["outcome"],
        "applied"
    );
    let a_edit = a.run_on(id, &change(2, 6), Some(version));
    assert_eq!(
        cloud.push(&device_a, &[a_edit]).await.1["acks"][0]["outcome"],
        "applied"
    );
    let (_, after) = cloud.get(&format!("/api/v1/orders/{id}"), &owner.access).await;
    let mut reader = Till::new();
    let merged = reader.adopt(&after);
    assert_eq!(
        reader.orders[&merged].line(LineNo::new(2)).expect("line 2").quantity,
        6,
        "the owner's change stands"
    );
    // Payments are appends: both tills take a payment from the same version; both stay.
    let (_, now) = cloud.get(&format!("/api/v1/orders/{id}"), &owner.access).await;
    let version = now["version"].as_u64().expect("version");
    a.adopt(&now);
    b.adopt(&now);
    let cash = |tendered: i64| OrderCommand::TakeCash {
        payment: PaymentId::parse(&uuid::Uuid::now_v7().to_string()).expect("id"),
        tendered: Minor::new(tendered),
        tip: Minor::new(0),
        part: None,
    };
    let pay_a = a.run_on(id, &cash(1000), Some(version));
    let pay_b = b.run_on(id, &cash(500), Some(version));
    assert_eq!(cloud.push(&device_a, &[pay_a]).await.1["acks"][0]["outcome"], "applied");
    assert_eq!(cloud.push(&device_b, &[pay_b]).await.1["acks"][0]["outcome"], "applied");
    let (_, paid) = cloud.get(&format!("/api/v1/orders/{id}"), &owner.access).await;
    assert_eq!(paid["paid"], 1500, "{paid}");
    let mut reader = Till::new();
    let merged = reader.adopt(&paid);
    assert_eq!(reader.orders[&merged].payments().len(), 2);
    assert_eq!(reader.orders[&merged].state(), OrderState::Pending);
}

fn lines_of(detail: &Value) -> Vec<(u32, String, u32)> {
    let mut reader = Till::new();
    let id = reader.adopt(detail);
    reader.orders[&id]
        .live_lines()
        .map(|l| (l.no.get(), l.product.to_string(), l.quantity))
        .collect()
}

async fn a_tills_later_saves_follow_the_numbers_the_cloud_gave_its_lines(backend: Backend) {
    // Real tills send no `base`: the cloud keeps what it knows of each till's copy.
    let TwoTills {
        cloud,
        owner,
        mut a,
        device_a,
        mut b,
        device_b,
    } = TwoTills::start(backend).await;
    let (id, open) = a.open();
    let l1 = a.add(id, "burger");
    let l2 = a.add(id, "cake");
    cloud.push(&device_a, &[open, l1, l2]).await;
    let (_, detail) = cloud.get(&format!("/api/v1/orders/{id}"), &device_b.access).await;
    b.adopt(&detail);
    // A adds its line 3; B, not knowing, adds its own line 3, then changes it, then adds another.
    assert_eq!(
        cloud.push(&device_a, &[a.add(id, "burger")]).await.1["acks"][0]["outcome"],
        "applied"
    );
    let cola = b.add(id, "cola");
    let more = b.run(
        id,
        &OrderCommand::ChangeLine {
            line: LineNo::new(3),
            change: LineChange {
                quantity: Some(2),
                ..LineChange::default()
            },
        },
    );
    let cake = b.add(id, "cake");
    let (_, acks) = cloud.push(&device_b, &[cola, more, cake]).await;
    assert_eq!(outcomes(&acks), ["applied", "applied", "applied"], "{acks}");
    let (_, detail) = cloud.get(&format!("/api/v1/orders/{id}"), &owner.access).await;
    assert_eq!(
        lines_of(&detail),
        [
            (1, "burger".into(), 1),
            (2, "cake".into(), 1),
            (3, "burger".into(), 1),
            (4, "cola".into(), 2),
            (5, "cake".into(), 1)
        ],
        "A's line 3 untouched; B's line 3 is the cloud's 4 in every later save"
    );
    // B removes its line 3 (the cloud's 4); A's line 3 stays.
    let remove = b.run(id, &OrderCommand::RemoveLine(LineNo::new(3)));
    assert_eq!(outcomes(&cloud.push(&device_b, &[remove]).await.1), ["applied"]);
    let (_, detail) = cloud.get(&format!("/api/v1/orders/{id}"), &owner.access).await;
    assert_eq!(
        lines_of(&detail),
        [
            (1, "burger".into(), 1),
            (2, "cake".into(), 1),
            (3, "burger".into(), 1),
            (5, "cake".into(), 1)
        ]
    );
    // A save from a copy the cloud does not know (the till's versions went their own way) is refused
    // with a clear conflict, not applied to the wrong lines.
    let mut stray = Till::new_for(b.device);
    stray.adopt(&json!({"events": detail["events"].as_array().expect("events")[..3]}));
    stray.seq = b.seq;
    let lost = stray.add(id, "cola");
    let (_, acks) = cloud.push(&device_b, &[lost]).await;
    assert_eq!(acks["acks"][0]["code"], "conflict", "{acks}");
    b.seq = stray.seq;
}

async fn a_payment_is_kept_when_the_rest_of_its_save_conflicts(backend: Backend) {
    let TwoTills {
        cloud,
        owner,
        mut a,
        device_a,
        mut b,
        device_b,
    } = TwoTills::start(backend).await;
    let (id, open) = a.open();
    let l1 = a.add(id, "burger");
    cloud.push(&device_a, &[open, l1]).await;
    let (_, detail) = cloud.get(&format!("/api/v1/orders/{id}"), &device_b.access).await;
    b.adopt(&detail);
    // A (the owner) gives 10 % off; B, not knowing, takes the whole old balance in cash, which would
    // complete the order.
    let discount = fynlo_core::order::Discount {
        kind: fynlo_core::order::DiscountKind::Percent {
            rate: fynlo_core::BasisPoints::new(1_000),
        },
        reason: "regular".into(),
    };
    let off = a.run(id, &OrderCommand::SetOrderDiscount(Some(discount)));
    assert_eq!(outcomes(&cloud.push(&device_a, &[off]).await.1), ["applied"]);
    let pay = b.pay_cash(id);
    let (_, acks) = cloud.push(&device_b, std::slice::from_ref(&pay)).await;
    let ack = &acks["acks"][0];
    assert_eq!(
        (ack["outcome"].as_str(), ack["code"].as_str()),
        (Some("partial"), Some("conflict")),
        "{acks}"
    );
    assert!(
        ack["message"].as_str().expect("message").contains("not settled"),
        "{ack}"
    );
    let (_, after) = cloud.get(&format!("/api/v1/orders/{id}"), &owner.access).await;
    assert_eq!(after["paid"], 1295, "the cash is kept: {after}");
    assert_ne!(
        after["state"], "completed",
        "the completion, decided on the old total, is not"
    );
    // The same payment recorded again (by a till replaying it) is not counted twice.
    let again = pay.payload["events"].as_array().expect("events")[0].clone();
    let version = b.orders[&id].version() + 1;
    let mut replayed = again;
    replayed["version"] = json!(version);
    let dup = b.op("order.saved", json!({"order_id": id.to_string(), "events": [replayed]}));
    let (_, acks) = cloud.push(&device_b, &[dup]).await;
    assert_eq!(acks["acks"][0]["code"], "conflict", "{acks}");
    let (_, still) = cloud.get(&format!("/api/v1/orders/{id}"), &owner.access).await;
    assert_eq!(still["paid"], 1295);
}

async fn a_new_tills_first_pull_is_the_restaurant_as_it_is_then_what_changed(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Kettle").await;
    let mut a = Till::new();
    let device_a = cloud.pair(&owner, &a, "Counter").await;
    cloud
        .call("PUT", "/api/v1/menu", Some(&owner.access), Some(menu_json()))
        .await;
    let (_, published) = cloud
        .call("PUT", "/api/v1/menu", Some(&owner.access), Some(menu_json()))
        .await;
    cloud
        .call(
            "PUT",
            "/api/v1/settings",
            Some(&owner.access),
            Some(settings_json("The Copper Kettle")),
        )
        .await;
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Y0JtXzGoF+Ja1ydTjzj4EyYZIdr2eWpUdbmwj0hv4v4";
    let mut ops = vec![
        a.op(
            "staff.updated",
            json!({"id": "sam", "name": "Sam Taylor", "role": "cashier", "pin_hash": hash}),
        ),
        a.op(
            "staff.updated",
            json!({"id": "jo", "name": "Jo Evans", "role": "cashier"}),
        ),
    ];
    let (open_1, o) = a.open();
    ops.push(o);
    ops.push(a.add(open_1, "burger"));
    let (closed, o) = a.open();
    ops.push(o);
    ops.push(a.add(closed, "cola"));
    ops.push(a.pay_cash(closed));
    let (open_2, o) = a.open();
    ops.push(o);
    ops.push(a.add(open_2, "cake"));
    assert_eq!(cloud.push(&device_a, &ops).await.0, 200);
    // A new till's first pull, one change a page.
    let b = Till::new();
    let device_b = cloud.pair(&owner, &b, "iPad").await;
    let mut got = Vec::new();
    let mut at = String::new();
    for _ in 0..50 {
        let (status, page) = cloud
            .get(&format!("/api/v1/sync/pull?cursor={at}&limit=1"), &device_b.access)
            .await;
        assert_eq!(status, 200, "{page}");
        let changes = page["changes"].as_array().expect("changes");
        assert!(changes.len() <= 1);
        got.extend(changes.iter().cloned());
        at = page["next_cursor"].as_str().expect("cursor").to_owned();
        if at.starts_with('f') {
            break;
        }
    }
    let kinds: Vec<&str> = got.iter().map(|c| c["kind"].as_str().expect("kind")).collect();
    assert_eq!(
        kinds,
        ["menu", "settings", "staff", "staff", "order", "order"],
        "{got:?}"
    );
    assert_eq!(
        got[0]["payload"],
        json!({"version": 2, "menu": published["menu"]}),
        "the latest menu only"
    );
    assert_eq!(got[1]["payload"]["name"], "The Copper Kettle");
    let sam = got.iter().find(|c| c["payload"]["id"] == "sam").expect("sam");
    assert_eq!(sam["payload"]["pin_hash"], hash, "tills get PIN hashes");
    let mut open: Vec<String> = vec![open_1.to_string(), open_2.to_string()];
    open.sort();
    let orders: Vec<&Value> = got.iter().filter(|c| c["kind"] == "order").collect();
    for (change, id) in orders.iter().zip(&open) {
        assert_eq!(change["payload"]["order_id"], json!(id), "open orders only, by id");
        assert_eq!(change["payload"]["base"], 0);
        let mut reader = Till::new();
        let read = reader.adopt(&change["payload"]);
        assert_eq!(reader.total(read), a.total(read), "the whole history");
    }
    // Then what changed since the snapshot began: A completes an order.
    let pay = a.pay_cash(open_1);
    cloud.push(&device_a, &[pay]).await;
    let (after, _) = cloud.pull_all(&device_b, &at).await;
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(
        (after[0]["kind"].as_str(), after[0]["payload"]["order_id"].as_str()),
        (Some("order"), Some(open_1.to_string().as_str()))
    );
    assert_eq!(after[0]["payload"]["base"], 2);
    // An owner's snapshot leaves the PIN hashes out; a snapshot cursor not ours is refused.
    let (_, page) = cloud.get("/api/v1/sync/pull?limit=1000", &owner.access).await;
    let staff: Vec<&Value> = page["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["kind"] == "staff")
        .collect();
    assert_eq!(staff.len(), 2);
    assert!(staff.iter().all(|c| c["payload"].get("pin_hash").is_none()));
    for bad in ["s1.9.x", "sx", "s99999.0."] {
        let (status, _) = cloud
            .get(&format!("/api/v1/sync/pull?cursor={bad}"), &device_b.access)
            .await;
        assert!(status == 400 || status == 409, "{bad}: {status}");
    }
}

async fn stale_closes_and_stale_line_changes_never_undo_what_another_till_did(backend: Backend) {
    let TwoTills {
        cloud,
        owner,
        mut a,
        device_a,
        mut b,
        device_b,
    } = TwoTills::start(backend).await;
    let (id, open) = a.open();
    let l1 = a.add(id, "burger");
    cloud.push(&device_a, &[open, l1]).await;
    let (_, v2) = cloud.get(&format!("/api/v1/orders/{id}"), &device_b.access).await;
    b.adopt(&v2);
    let change = |quantity: i64| OrderCommand::ChangeLine {
        line: LineNo::new(1),
        change: LineChange {
            quantity: Some(quantity),
            ..LineChange::default()
        },
    };
    // A makes it two burgers; B, not knowing, takes one burger's price in cash and would complete it.
    let two = a.run(id, &change(2));
    assert_eq!(outcomes(&cloud.push(&device_a, &[two]).await.1), ["applied"]);
    let pay = b.pay_cash(id);
    let (_, acks) = cloud.push(&device_b, &[pay]).await;
    assert_eq!(acks["acks"][0]["outcome"], "partial", "{acks}");
    let (_, now) = cloud.get(&format!("/api/v1/orders/{id}"), &owner.access).await;
    assert_eq!((now["paid"].as_i64(), now["total"].as_i64()), (Some(1295), Some(2590)));
    assert_ne!(now["state"], "completed", "never closed with money owing: {now}");
    // B takes the cloud's order and sends it to the kitchen.
    b.adopt(&now);
    let sent = b.run_on(id, &OrderCommand::SendToKitchen, now["version"].as_u64());
    assert_eq!(outcomes(&cloud.push(&device_b, &[sent]).await.1), ["applied"]);
    // A, from its older copy, changes line 1's quantity: the owner's change stands, and the kitchen's
    // record of the line stays.
    let three = a.run(id, &change(3));
    let (_, acks) = cloud.push(&device_a, &[three]).await;
    assert_eq!(outcomes(&acks), ["applied"]);
    let (_, after) = cloud.get(&format!("/api/v1/orders/{id}"), &owner.access).await;
    let mut reader = Till::new();
    let read = reader.adopt(&after);
    let line = reader.orders[&read].line(LineNo::new(1)).expect("line 1").clone();
    assert_eq!(line.quantity, 3);
    assert!(line.sent, "still sent to the kitchen after the owner's stale change");
    // B's payment arrived whole even though its completion did not: a second, settling payment of B's
    // (from the cloud's copy) completes the order.
    let (_, v) = cloud.get(&format!("/api/v1/orders/{id}"), &device_b.access).await;
    b.adopt(&v);
    let settle = b.run_on(
        id,
        &OrderCommand::TakeCash {
            payment: fynlo_core::ids::PaymentId::parse(&uuid::Uuid::now_v7().to_string()).expect("id"),
            tendered: b.orders[&id].balance().expect("balance"),
            tip: Minor::new(0),
            part: None,
        },
        v["version"].as_u64(),
    );
    assert_eq!(outcomes(&cloud.push(&device_b, &[settle]).await.1), ["applied"]);
    let (_, done) = cloud.get(&format!("/api/v1/orders/{id}"), &owner.access).await;
    assert_eq!(
        (done["state"].as_str(), done["paid"].as_i64()),
        (Some("completed"), Some(3 * 1295))
    );
}
