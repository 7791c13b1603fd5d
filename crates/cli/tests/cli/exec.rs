//! `fynlo exec` scripts and the human subcommands, against real `SQLite` files. Expected pennies are worked
//! out by hand from the demo menu's prices in the comments.

use serde_json::Value;

use crate::{fynlo, repo_root, DemoTill};

fn script(name: &str) -> String {
    let path = repo_root().join("crates/cli/tests/scripts").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn totals(line: &Value) -> &Value {
    &line["result"]["totals"]
}

fn ok(lines: &[Value]) {
    for line in lines {
        assert_eq!(line["ok"], true, "command failed: {line}");
    }
}

#[test]
fn dine_in_sale_with_void_discounts_and_two_cash_payments() {
    let till = DemoTill::create();
    let (success, lines) = till.exec(&script("dine_in_sale.jsonl"));
    assert!(success);
    assert_eq!(lines.len(), 12);
    ok(&lines);
    let last = &lines[11];
    let order = &last["result"];
    let t = totals(last);
    // Steak 2600 + peppercorn 250 = 2850, less 10% (285) = 2565. Burger 1550 + 100 + 150 = 1800.
    // The voided pints (2 × 595) are out. Voucher 500 over 2565:1800 → 293.8 / 206.2 → 294 and 206.
    assert_eq!(t["subtotal"], 2850 + 1800);
    assert_eq!(t["line_discounts"], 285);
    assert_eq!(t["order_discount"], 500);
    assert_eq!(order["lines"][0]["order_discount"], 294);
    assert_eq!(order["lines"][2]["order_discount"], 206);
    assert_eq!(order["lines"][1]["void"]["reason"], "spilt at the bar");
    assert_eq!(order["lines"][1]["gross"], 0);
    // After discounts 3865; service charge 12.5% = 483.125 → 483; total 4348.
    assert_eq!(t["after_discounts"], 3865);
    assert_eq!(t["service_charge"], 483);
    assert_eq!(t["total"], 4348);
    // Discretionary service charge is outside VAT: VAT = 3865 / 6 = 644.17 → 644.
    assert_eq!(t["vat"][0]["class"], "standard");
    assert_eq!(t["vat"][0]["gross"], 3865);
    assert_eq!(t["vat"][0]["vat"], 644);
    assert_eq!(t["vat_total"], 644);
    // 2000 first, then 5000 tendered against 2348: change 2652.
    assert_eq!(order["payments"][0]["amount"], 2000);
    assert_eq!(order["payments"][1]["amount"], 2348);
    assert_eq!(order["payments"][1]["change"], 2652);
    assert_eq!(t["paid"], 4348);
    assert_eq!(t["balance"], 0);
    assert_eq!(order["state"], "completed");
    assert_eq!(order["alias"], "t7");

    // The human view of the same order, by today's number.
    let shown = till.run(&["order", "1", "--history"]);
    assert!(shown.status.success());
    let text = String::from_utf8_lossy(&shown.stdout);
    for needle in [
        "£43.48",
        "£6.44",
        "VOID",
        "change £26.52",
        "order.payment_recorded",
        "order.completed",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

#[test]
fn takeaway_is_zero_rated_for_cold_food_and_has_no_service_charge() {
    let till = DemoTill::create();
    let (success, lines) = till.exec(&script("takeaway_vat.jsonl"));
    assert!(success);
    ok(&lines);
    let sale = &lines[7]["result"];
    let t = &sale["totals"];
    // Zero-rated: club sandwich 1150 + prawn cocktail 825 = 1975.
    // Standard: cola 295 + flat white 340 + oat 40 + two scoops 450 = 1125; VAT 187.5 → 188 (half up).
    assert_eq!(t["service_charge"], 0);
    assert_eq!(t["total"], 3100);
    assert_eq!(t["vat"][0]["class"], "standard");
    assert_eq!(t["vat"][0]["gross"], 1125);
    assert_eq!(t["vat"][0]["vat"], 188);
    assert_eq!(t["vat"][1]["class"], "zero");
    assert_eq!(t["vat"][1]["gross"], 1975);
    assert_eq!(t["vat"][1]["vat"], 0);
    assert_eq!(sale["payments"][0]["change"], 0);
    assert_eq!(sale["state"], "completed");
    // The same sandwich eaten in: standard-rated, 1150 / 6 = 191.67 → 192; service 143.75 → 144.
    let eat_in = &lines[10]["result"]["totals"];
    assert_eq!(eat_in["vat"][0]["class"], "standard");
    assert_eq!(eat_in["vat"][0]["vat"], 192);
    assert_eq!(eat_in["service_charge"], 144);
    assert_eq!(eat_in["total"], 1294);
    assert_eq!(lines[10]["result"]["number"], 2);
}

/// Each bad command gets its documented code, and none of them changes the database.
#[test]
fn every_refused_command_has_its_code_and_changes_nothing() {
    let till = DemoTill::create();
    let outbox_before = count_outbox(&till);
    let cases: &[(&str, &str)] = &[
        (r#"{"cmd": "add_line", "product": "sirloin"}"#, "modifier_rule"),
        (r#"{"cmd": "add_line", "product": "squid"}"#, "product_unavailable"),
        (
            r#"{"cmd": "add_line", "product": "chips", "quantity": 0}"#,
            "invalid_quantity",
        ),
        (
            r#"{"cmd": "add_line", "product": "chips", "quantity": -2}"#,
            "invalid_quantity",
        ),
        (r#"{"cmd": "add_line", "product": "nope"}"#, "not_found"),
        (r#"{"cmd": "add_line", "barcode": "0000000000"}"#, "not_found"),
        (r#"{"cmd": "add_line", "product": "lager"}"#, "modifier_rule"),
        (
            r#"{"cmd": "add_line", "product": "lager", "variant": "yard"}"#,
            "modifier_rule",
        ),
        (
            r#"{"cmd": "add_line", "product": "burger", "modifiers": ["extra-cheese", "extra-bacon", "fried-egg", "jalapenos"]}"#,
            "modifier_rule",
        ),
        (
            r#"{"cmd": "add_line", "product": "burger", "modifiers": ["avocado"]}"#,
            "modifier_rule",
        ),
        (
            r#"{"cmd": "add_line", "product": "chips", "modifiers": ["rare"]}"#,
            "modifier_rule",
        ),
        (
            r#"{"cmd": "add_line", "product": "chips", "sku": "SD01"}"#,
            "invalid_input",
        ),
        (r#"{"cmd": "add_line"}"#, "invalid_input"),
        (
            r#"{"cmd": "set_line_discount", "line": 1, "discount": {"type": "fixed", "amount": 401, "reason": "x"}}"#,
            "invalid_discount",
        ),
        (
            r#"{"cmd": "set_line_discount", "line": 1, "discount": {"type": "fixed", "amount": -1, "reason": "x"}}"#,
            "invalid_discount",
        ),
        (
            r#"{"cmd": "set_line_discount", "line": 1, "discount": {"type": "percent", "rate_bp": 10001, "reason": "x"}, "approval": {"pin": "2468", "staff": "priya"}}"#,
            "invalid_discount",
        ),
        (
            r#"{"cmd": "set_line_discount", "line": 1, "discount": {"type": "percent", "rate_bp": 1000, "reason": " "}}"#,
            "reason_required",
        ),
        (
            r#"{"cmd": "set_order_discount", "discount": {"type": "fixed", "amount": 100000, "reason": "x"}}"#,
            "invalid_discount",
        ),
        (r#"{"cmd": "set_service_charge", "enabled": false}"#, "reason_required"),
        (r#"{"cmd": "void_line", "line": 1, "reason": "x"}"#, "line_locked"),
        (r#"{"cmd": "change_line", "line": 9, "quantity": 2}"#, "not_found"),
        (
            r#"{"cmd": "change_line", "line": 1, "quantity": 1000}"#,
            "invalid_quantity",
        ),
        (
            r#"{"cmd": "change_line", "line": 1, "clear": ["price"]}"#,
            "invalid_input",
        ),
        (r#"{"cmd": "change_line", "line": 1, "seat": 0}"#, "invalid_input"),
        (r#"{"cmd": "set_status", "status": "ready"}"#, "invalid_transition"),
        (r#"{"cmd": "complete"}"#, "payment_rule"),
        (r#"{"cmd": "take_cash", "tendered": 0}"#, "payment_rule"),
        (r#"{"cmd": "resume", "order": "nope"}"#, "not_found"),
        (
            r#"{"cmd": "resume", "order": "01a200ec-d5b9-714f-ab87-5ab5ff221610"}"#,
            "not_found",
        ),
        (r#"{"cmd": "resume", "order": "e"}"#, "ok"),
        (r#"{"cmd": "park", "order": "e"}"#, "ok"),
        (r#"{"cmd": "park", "order": "e"}"#, "nothing_to_do"),
        (r#"{"cmd": "add_line", "product": "chips"}"#, "not_found"),
        (r#"{"cmd": "resume", "order": "e"}"#, "ok"),
        (
            r#"{"cmd": "open_order", "kind": {"type": "takeaway"}, "alias": "e"}"#,
            "conflict",
        ),
        (
            r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "", "covers": 2}}"#,
            "invalid_input",
        ),
        (
            r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "4", "covers": 0}}"#,
            "invalid_input",
        ),
        (
            r#"{"cmd": "set_order_type", "kind": {"type": "dine_in", "table": "", "covers": 2}}"#,
            "invalid_input",
        ),
        (r#"{"cmd": "frobnicate"}"#, "invalid_input"),
        (
            r#"{"cmd": "add_line", "product": "chips", "colour": "red"}"#,
            "invalid_input",
        ),
        (r#"{"cmd": "take_cash", "tendered": 1.5}"#, "invalid_input"),
        ("not json at all", "invalid_input"),
        (r#"{"cmd": "send_to_kitchen"}"#, "ok"),
        (r#"{"cmd": "send_to_kitchen"}"#, "nothing_to_do"),
        (r#"{"cmd": "remove_line", "line": 1}"#, "line_locked"),
        (r#"{"cmd": "cancel", "reason": ""}"#, "reason_required"),
        (r#"{"cmd": "take_cash", "tendered": 400}"#, "ok"),
        (r#"{"cmd": "cancel", "order": "e", "reason": "x"}"#, "order_closed"),
        (
            r#"{"cmd": "add_line", "order": "e", "product": "chips"}"#,
            "order_closed",
        ),
        (r#"{"cmd": "login", "pin": "0000"}"#, "wrong_pin"),
        (r#"{"cmd": "login", "pin": "12ab"}"#, "wrong_pin"),
        (r#"{"cmd": "logout"}"#, "ok"),
        (r#"{"cmd": "open_orders"}"#, "not_logged_in"),
        (
            r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#,
            "not_logged_in",
        ),
    ];
    let setup = [
        r#"{"cmd": "login", "pin": "2468"}"#,
        r#"{"cmd": "open_order", "kind": {"type": "takeaway"}, "alias": "e"}"#,
        r#"{"cmd": "add_line", "product": "chips"}"#,
    ];
    let script: Vec<&str> = setup.iter().chain(cases.iter().map(|(c, _)| c)).copied().collect();
    let script = script.join("\n");
    let (success, lines) = till.exec(&script);
    assert!(!success, "exec exits non-zero when a command failed");
    assert_eq!(lines.len(), cases.len() + setup.len());
    ok(&lines[..setup.len()]);
    let mut changes = 0;
    for ((command, want), got) in cases.iter().zip(&lines[setup.len()..]) {
        if *want == "ok" {
            assert_eq!(got["ok"], true, "{command} → {got}");
            continue;
        }
        assert_eq!(got["ok"], false, "{command} should fail: {got}");
        assert_eq!(got["error"]["code"], *want, "{command} → {got}");
        assert!(got["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        if *want == "wrong_pin" {
            changes += 1; // a wrong PIN is recorded for the audit trail
        }
    }
    // The login's own op (for the audit chain); one op per save: the setup's opening and line (saved when
    // the till switches to look for another order to resume), park, resume, send, and take_cash (the
    // payment and the completion); and one per wrong PIN.
    assert_eq!(count_outbox(&till), outbox_before + 1 + 5 + changes);
}

fn count_outbox(till: &DemoTill) -> usize {
    let out = till.run(&["outbox", "--limit", "100000"]);
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("outbox line is JSON"))
        .collect();
    for (i, op) in lines.iter().enumerate() {
        assert_eq!(op["seq"], i as i64 + 1, "outbox sequence has a gap");
    }
    lines.len()
}

#[test]
fn aliases_park_resume_and_open_orders() {
    let till = DemoTill::create();
    let (success, lines) = till.exec(
        r#"{"cmd": "login", "pin": "1357"}
{"cmd": "open_order", "kind": {"type": "dine_in", "table": "3", "covers": 4}, "alias": "t3"}
{"cmd": "open_order", "kind": {"type": "takeaway"}, "alias": "collect"}
{"cmd": "add_line", "order": "t3", "product": "soup", "quantity": 4}
{"cmd": "add_line", "product": "chips"}
{"cmd": "park"}
{"cmd": "whoami"}
{"cmd": "open_orders"}
{"cmd": "resume", "order": "collect"}
{"cmd": "change_line", "line": 1, "quantity": 3, "note": "extra salt"}
{"cmd": "change_line", "line": 1, "clear": ["note"]}
{"cmd": "set_order_type", "kind": {"type": "dine_in", "table": "9", "covers": 1}}
{"cmd": "remove_line", "line": 1}
{"cmd": "cancel", "reason": "changed their mind"}
{"cmd": "history", "order": "collect"}
{"cmd": "open_orders"}"#,
    );
    assert!(success, "{lines:#?}");
    assert_eq!(lines[3]["result"]["lines"][0]["quantity"], 4);
    assert_eq!(lines[3]["result"]["alias"], "t3");
    assert_eq!(lines[4]["result"]["alias"], "collect");
    assert_eq!(lines[5]["result"]["parked"], true);
    assert_eq!(lines[6]["result"]["current_order"], Value::Null);
    assert_eq!(lines[7]["result"]["orders"].as_array().map(Vec::len), Some(2));
    assert_eq!(lines[8]["result"]["parked"], false);
    assert_eq!(lines[9]["result"]["lines"][0]["note"], "extra salt");
    assert_eq!(lines[10]["result"]["lines"][0]["note"], Value::Null);
    assert_eq!(lines[11]["result"]["table"], "9");
    assert_eq!(lines[12]["result"]["lines"].as_array().map(Vec::len), Some(0));
    assert_eq!(lines[13]["result"]["state"], "cancelled");
    let history: Vec<&str> = lines[14]["result"]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["op_type"].as_str().expect("op type"))
        .collect();
    assert_eq!(
        history,
        [
            "order.opened",
            "order.line_added",
            "order.parked",
            "order.resumed",
            "order.line_changed",
            "order.line_changed",
            "order.kind_changed",
            "order.line_removed",
            "order.cancelled"
        ]
    );
    assert_eq!(lines[15]["result"]["orders"].as_array().map(Vec::len), Some(1));
    let listed = String::from_utf8_lossy(&till.run(&["orders"]).stdout).to_string();
    assert!(listed.contains("table 3, 4 covers"), "{listed}");
}

#[test]
fn stop_on_error_and_script_files() {
    let till = DemoTill::create();
    let path = till.dir.path().join("script.jsonl");
    std::fs::write(
        &path,
        "{\"cmd\": \"login\", \"pin\": \"1357\"}\n{\"cmd\": \"show_order\"}\n{\"cmd\": \"whoami\"}\n",
    )
    .expect("writes script");
    let out = till.run(&["exec", path.to_str().expect("utf-8 path"), "--stop-on-error"]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).expect("utf-8").lines().collect();
    assert_eq!(lines.len(), 2, "stopped after the failing command");
    assert!(lines[1].contains("\"not_found\""));
}

#[test]
fn init_import_menu_and_human_views() {
    let till = DemoTill::create();
    let again = till.run(&["init", "--demo"]);
    assert!(!again.status.success(), "init must not overwrite a database");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let forced = till.run(&["init", "--demo", "--force"]);
    assert!(forced.status.success());

    let menu = String::from_utf8_lossy(&till.run(&["menu"]).stdout).to_string();
    for needle in [
        "The Copper Kettle",
        "GB246813579",
        "£8.50  (86'd)",
        "£26.00",
        "Cooking (choose 1)",
    ] {
        assert!(menu.contains(needle), "{needle:?} missing from menu:\n{menu}");
    }

    // A new menu version where chips are 86'd.
    let setup: Value = serde_json::from_str(fynlo_app::setup::DEMO_JSON).expect("demo JSON");
    let mut new_menu = setup["menu"].clone();
    for product in new_menu["products"].as_array_mut().expect("products") {
        if product["id"] == "chips" {
            product["available"] = Value::Bool(false);
        }
    }
    let file = till.dir.path().join("menu.json");
    std::fs::write(&file, new_menu.to_string()).expect("writes menu");
    let imported = till.run(&["import-menu", file.to_str().expect("utf-8")]);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    assert!(String::from_utf8_lossy(&imported.stdout).contains("version 2"));
    let (_, lines) = till.exec(
        r#"{"cmd": "login", "pin": "1357"}
{"cmd": "menu"}
{"cmd": "open_order", "kind": {"type": "takeaway"}}
{"cmd": "add_line", "product": "chips"}"#,
    );
    assert_eq!(lines[1]["result"]["version"], 2);
    assert_eq!(lines[3]["error"]["code"], "product_unavailable");

    // A broken menu is refused and changes nothing.
    new_menu["products"][0]["category"] = Value::String("nowhere".into());
    std::fs::write(&file, new_menu.to_string()).expect("writes menu");
    let refused = till.run(&["import-menu", file.to_str().expect("utf-8")]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("unknown category"));
    std::fs::write(&file, "{ not json").expect("writes menu");
    assert!(!till
        .run(&["import-menu", file.to_str().expect("utf-8")])
        .status
        .success());
    let (_, lines) = till.exec(r#"{"cmd": "menu"}"#);
    assert_eq!(lines[0]["result"]["version"], 2);
}

#[test]
fn commands_refuse_a_missing_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = fynlo()
        .arg("--db")
        .arg(dir.path().join("none.db"))
        .arg("orders")
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("fynlo init"));
}

#[test]
fn hash_pin_makes_argon2id_hashes_and_refuses_bad_pins() {
    let hash = |pin: &str| {
        let mut command = fynlo();
        command.arg("hash-pin");
        crate::with_stdin(command, pin)
    };
    let good = hash("4321\n");
    assert!(good.status.success());
    let text = String::from_utf8_lossy(&good.stdout);
    assert!(text.starts_with("$argon2id$v=19$") && !text.contains("4321"));
    assert!(!hash("12").status.success());
}

/// The payment at `index` of an order in a result line.
fn payment(line: &Value, index: usize) -> &Value {
    &line["result"]["payments"][index]
}

#[test]
fn split_bill_tips_pending_approval_and_a_refund_across_two_runs() {
    let till = DemoTill::create();
    let (success, lines) = till.exec(&script("split_tips_refund.jsonl"));
    assert!(success, "{lines:#?}");
    assert_eq!(lines.len(), 9);
    ok(&lines);
    // Fees on the 5569 balance: card 2.9 % = 161.5 → 162 + 30 + platform 55.69 → 56 = 248;
    // pay-by-bank 0.2 % = 11.14 → 11 + 56 = 67; it saves 181.
    let quote = &lines[3]["result"];
    assert_eq!(quote["type"], "fee_quote");
    assert_eq!(quote["methods"][1]["total"], 248);
    assert_eq!(quote["methods"][2]["total"], 67);
    assert_eq!(quote["pay_by_bank_saves"], 181);
    let parts = &lines[4]["result"]["split"]["parts"];
    assert_eq!(
        (parts[0]["total"].clone(), parts[1]["total"].clone()),
        (1857.into(), 1856.into())
    );
    assert_eq!(payment(&lines[5], 0)["change"], 143);
    // Part 2's tip: 10 % of its food after discounts (1650), never of service: 165.
    assert_eq!(payment(&lines[6], 1)["tip"], 165);
    assert_eq!(payment(&lines[6], 1)["status"], "succeeded");
    let waiting = payment(&lines[7], 2);
    assert_eq!(waiting["status"], "pending");
    assert_eq!(lines[7]["result"]["in_flight"], 1856);
    let order = lines[8]["result"]["id"].as_str().expect("order id").to_owned();
    let pending = waiting["id"].as_str().expect("payment id").to_owned();
    let card = payment(&lines[6], 1)["id"].as_str().expect("payment id").to_owned();

    // A second run: the till starts, finds the attempt still waiting (recovery leaves it pending), the
    // customer approves, and the order completes. Then a refund of one fish on the card, approved in place.
    let second = format!(
        r#"{{"cmd": "login", "pin": "1357"}}
{{"cmd": "check_payment", "order": "{order}", "payment": "{pending}"}}
{{"cmd": "refund", "order": "{order}", "payment": "{card}", "lines": [{{"line": 1, "quantity": 1}}], "reason": "cold"}}
{{"cmd": "refund", "order": "{order}", "payment": "{card}", "lines": [{{"line": 1, "quantity": 1}}], "reason": "cold", "approval": {{"pin": "2468", "staff": "priya"}}}}
{{"cmd": "recent_orders", "limit": 1}}
{{"cmd": "recover_payments"}}
"#
    );
    let (success, lines) = till.exec(&second);
    assert!(!success, "the unapproved refund fails");
    assert_eq!(lines[1]["result"]["state"], "completed");
    assert_eq!(lines[2]["error"]["code"], "approval_required");
    // (4950 + 619) / 3 = 1856.33 → 1856 back to the card.
    let refunded = &lines[3]["result"];
    assert_eq!(refunded["refunds"][0]["amount"], 1856);
    assert_eq!(refunded["refunds"][0]["status"], "succeeded");
    assert_eq!(refunded["refunds"][0]["approved_by"], "priya");
    assert_eq!(refunded["payment_state"], "partly_refunded");
    assert_eq!(lines[4]["result"]["orders"][0]["id"], order.as_str());
    assert_eq!(lines[5]["result"]["attempts"].as_array().map(Vec::len), Some(0));
    // Tips 165 and service 619 shared by Sam and Jo.
    assert_eq!(refunded["servers"][0]["tips"], 83);
    assert_eq!(refunded["servers"][1]["service_charge"], 309);

    let shown = till.run(&["order", &order]);
    let text = String::from_utf8_lossy(&shown.stdout);
    for needle in [
        "card £18.56 part 2 succeeded, tip £1.65",
        "REFUND £18.56 to card succeeded",
        "Tips",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

#[test]
fn declines_timeouts_and_cancels_through_exec_and_recovery_at_start() {
    let till = DemoTill::create();
    let (success, lines) = till.exec(&script("declines.jsonl"));
    assert!(success, "{lines:#?}");
    ok(&lines);
    assert_eq!(payment(&lines[3], 0)["note"], "declined: card_declined");
    assert_eq!(payment(&lines[4], 1)["note"], "declined: insufficient_funds");
    assert_eq!(payment(&lines[5], 2)["status"], "pending");
    let cola = lines[5]["result"]["id"].as_str().expect("id").to_owned();
    let tea = lines[8]["result"]["id"].as_str().expect("id").to_owned();
    let waiting = payment(&lines[8], 0)["id"].as_str().expect("id").to_owned();

    // The next start recovers: the timed-out payment had succeeded at the provider, so the cola is paid.
    let (success, lines) = till.exec(&format!(
        r#"{{"cmd": "login", "pin": "1357"}}
{{"cmd": "show_order", "order": "{cola}"}}
{{"cmd": "cancel_payment", "order": "{tea}", "payment": "{waiting}"}}
{{"cmd": "cancel_payment", "order": "{tea}", "payment": "{waiting}"}}
{{"cmd": "override_price", "order": "{tea}", "line": 1, "unit_price": 200, "reason": "staff tea", "approval": {{"pin": "2468"}}}}
{{"cmd": "take_cash", "order": "{tea}", "tendered": 500}}
"#
    ));
    assert!(!success);
    assert_eq!(lines[1]["result"]["state"], "completed");
    assert_eq!(payment(&lines[1], 2)["status"], "succeeded");
    assert_eq!(lines[2]["result"]["payments"][0]["status"], "cancelled");
    assert_eq!(lines[3]["error"]["code"], "payment_rule");
    assert_eq!(lines[4]["result"]["lines"][0]["price_override"]["approved_by"], "priya");
    // Tea at the manager's 200 instead of 280, cash 500: change 300.
    assert_eq!(payment(&lines[5], 1)["change"], 300);
}

// Regression: a line of invalid UTF-8 ended the run with no JSON answer, skipped the end-of-input save,
// and the order being built was lost.
#[test]
fn a_line_that_is_not_utf8_is_answered_and_the_run_goes_on() {
    let till = DemoTill::create();
    let mut child = crate::fynlo()
        .arg("--db")
        .arg(&till.db)
        .arg("exec")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut script: Vec<u8> = Vec::new();
    script.extend_from_slice(b"{\"cmd\": \"login\", \"pin\": \"1357\"}\n");
    script.extend_from_slice(b"{\"cmd\": \"open_order\", \"kind\": {\"type\": \"takeaway\"}}\n");
    script.extend_from_slice(b"{\"cmd\": \"add_line\", \"sku\": \"SF01\", \"note\": \"\xff\xfe\"}\n");
    script.extend_from_slice(b"{\"cmd\": \"add_line\", \"sku\": \"SF02\"}\n");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &script).expect("writes");
    let out = child.wait_with_output().expect("finishes");
    assert!(!out.status.success(), "a bad line makes the run fail overall");
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .expect("the answers are UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("every answer is JSON"))
        .collect();
    assert_eq!(lines.len(), 4, "one answer per line: {lines:?}");
    assert_eq!(lines[2]["ok"], false);
    assert_eq!(lines[2]["error"]["code"], "invalid_input");
    assert!(
        lines[2]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("line 3")),
        "{}",
        lines[2]
    );
    assert_eq!(lines[3]["ok"], true, "the run goes on after the bad line");
    let id = lines[3]["result"]["id"].as_str().expect("an order id").to_owned();
    // The order being built was saved when the input ended.
    let shown = till.run(&["order", &id]);
    assert!(shown.status.success(), "{}", String::from_utf8_lossy(&shown.stderr));
    assert!(String::from_utf8_lossy(&shown.stdout).contains("Cloudy lemonade"));
}
