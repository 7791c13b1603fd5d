//! The JSON shape of commands (`command.rs`): `{"cmd": "<name>", …fields}` with `snake_case` names, optional
//! fields that may be left out, and anything unknown or mistyped refused at parse time (the CLI and the
//! shell turn a parse failure into `invalid_input`).

use fynlo_app::{
    orders::request::{
        AddLine, CourseInput, DiscountInput, KitchenStatus, OpenOrder, OrderKindInput, SetLineDiscount,
        SetOrderDiscount, SetStatus,
    },
    session::request::Login,
    Command,
};

use crate::parse;

/// One example of every command, fields spelt as the UI sends them. A test checks that this lists every
/// command of the [`Command`] type, so a command added there cannot be missed here — or by the tests
/// that go through this list (a locked till refuses each of them).
pub const EXAMPLES: [&str; 78] = [
    r#"{"cmd": "login", "pin": "1357", "staff": "sam"}"#,
    r#"{"cmd": "logout"}"#,
    r#"{"cmd": "whoami"}"#,
    r#"{"cmd": "menu"}"#,
    r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "12", "covers": 4}, "alias": "t12"}"#,
    r#"{"cmd": "add_line", "order": "t12", "sku": "MN02", "modifiers": ["rare", "peppercorn"],
        "quantity": 2, "note": "no salt", "course": "main", "seat": 3}"#,
    r#"{"cmd": "change_line", "line": 1, "quantity": 3, "clear": ["note", "seat"]}"#,
    r#"{"cmd": "remove_line", "line": 2}"#,
    r#"{"cmd": "void_line", "line": 1, "reason": "sent in error", "approval": {"pin": "2468", "staff": "priya"}}"#,
    r#"{"cmd": "set_line_discount", "line": 1, "discount": {"type": "percent", "rate_bp": 1000, "reason": "staff"}}"#,
    r#"{"cmd": "set_order_discount", "discount": null}"#,
    r#"{"cmd": "set_service_charge", "enabled": false, "reason": "long wait", "approval": {"pin": "2468", "staff": "priya"}}"#,
    r#"{"cmd": "set_order_type", "kind": {"type": "takeaway"}}"#,
    r#"{"cmd": "send_to_kitchen"}"#,
    r#"{"cmd": "set_status", "status": "ready"}"#,
    r#"{"cmd": "park", "order": "t12"}"#,
    r#"{"cmd": "resume", "order": "t12"}"#,
    r#"{"cmd": "show_order"}"#,
    r#"{"cmd": "open_orders"}"#,
    r#"{"cmd": "take_cash", "tendered": 5000}"#,
    r#"{"cmd": "complete"}"#,
    r#"{"cmd": "cancel", "reason": "walked out"}"#,
    r#"{"cmd": "history", "order": "t12"}"#,
    r#"{"cmd": "override_price", "line": 1, "unit_price": 1500, "reason": "regular", "approval": {"pin": "2468"}}"#,
    r#"{"cmd": "cash_quote", "tendered": 2000}"#,
    r#"{"cmd": "pay", "tender": "card", "tip": {"type": "percent", "rate_bp": 1000}, "simulate": "approve"}"#,
    r#"{"cmd": "check_payment", "payment": "0190b6a4-7c2e-7d3a-9f00-000000000001"}"#,
    r#"{"cmd": "cancel_payment", "payment": "0190b6a4-7c2e-7d3a-9f00-000000000001"}"#,
    r#"{"cmd": "payment_page", "payment": "0190b6a4-7c2e-7d3a-9f00-000000000001"}"#,
    r#"{"cmd": "split_bill", "split": {"type": "even", "parts": 2}}"#,
    r#"{"cmd": "set_servers", "staff": ["sam", "jo"]}"#,
    r#"{"cmd": "tip_options", "part": 1}"#,
    r#"{"cmd": "refund", "order": "t12", "payment": "0190b6a4-7c2e-7d3a-9f00-000000000001", "amount": 500, "reason": "cold"}"#,
    r#"{"cmd": "fee_quote", "amount": 2000}"#,
    r#"{"cmd": "recent_orders", "limit": 10}"#,
    r#"{"cmd": "recover_payments"}"#,
    r#"{"cmd": "line_quote", "sku": "MN02", "modifiers": ["rare", "peppercorn"], "quantity": 2}"#,
    r#"{"cmd": "discount_quote", "line": 1, "discount": {"type": "fixed", "amount": 500, "reason": "regular"}}"#,
    r#"{"cmd": "printers"}"#,
    r#"{"cmd": "add_printer", "printer": {"id": "bar", "name": "Bar", "transport": {"type": "tcp", "host": "10.0.0.9"}, "width": 42, "stations": ["bar"], "receipts": false, "auto_print": false}}"#,
    r#"{"cmd": "change_printer", "printer": {"id": "bar", "name": "Bar", "transport": {"type": "tcp", "host": "10.0.0.9", "port": 9100}, "width": 48, "stations": ["bar"], "receipts": true, "auto_print": true, "drawer": "pin2"}, "approval": {"pin": "2468", "staff": "priya"}}"#,
    r#"{"cmd": "remove_printer", "id": "bar"}"#,
    r#"{"cmd": "test_printer", "id": "bar"}"#,
    r#"{"cmd": "print_receipt", "order": "t12", "part": 1}"#,
    r#"{"cmd": "receipt_preview", "order": "t12"}"#,
    r#"{"cmd": "ticket_preview", "order": "t12"}"#,
    r#"{"cmd": "print_jobs", "limit": 50}"#,
    r#"{"cmd": "retry_prints", "id": "bar"}"#,
    r#"{"cmd": "cancel_print", "job": 3}"#,
    r#"{"cmd": "open_drawer", "reason": "change for the float", "approval": {"pin": "2468"}}"#,
    r#"{"cmd": "drawer"}"#,
    r#"{"cmd": "open_session", "float": {"2000": 2, "1000": 4, "100": 20}, "approval": {"pin": "2468"}}"#,
    r#"{"cmd": "pay_in", "amount": 2000, "reason": "change from the bank", "approval": {"pin": "2468"}}"#,
    r#"{"cmd": "pay_out", "amount": 1250, "reason": "milk", "approval": {"pin": "2468"}}"#,
    r#"{"cmd": "x_report", "approval": {"pin": "2468"}}"#,
    r#"{"cmd": "close_session", "count": {"2000": 3, "1000": 4}, "note": "tips taken out", "carry_open_orders": true, "print": false}"#,
    r#"{"cmd": "z_report", "number": 1}"#,
    r#"{"cmd": "z_reports", "limit": 10}"#,
    r#"{"cmd": "print_report", "number": 1, "printer": "counter"}"#,
    r#"{"cmd": "export_report", "number": 1, "format": "csv"}"#,
    r#"{"cmd": "audit_log", "limit": 20, "action": "drawer."}"#,
    r#"{"cmd": "staff"}"#,
    r#"{"cmd": "add_staff", "id": "alex", "name": "Alex Kim", "role": "cashier", "pin": "4321", "approval": {"pin": "2468"}}"#,
    r#"{"cmd": "change_staff", "id": "alex", "name": "Alex Kim-Lee", "role": "supervisor", "active": true}"#,
    r#"{"cmd": "change_pin", "old": "1357", "new": "7531"}"#,
    r#"{"cmd": "reset_pin", "staff": "jo", "pin": "6060", "approval": {"pin": "2468", "staff": "priya"}}"#,
    r#"{"cmd": "clock_in", "pin": "1357", "staff": "sam"}"#,
    r#"{"cmd": "clock_out", "pin": "1357"}"#,
    r#"{"cmd": "start_break", "pin": "1357", "paid": false}"#,
    r#"{"cmd": "end_break", "pin": "1357"}"#,
    r#"{"cmd": "on_shift"}"#,
    r#"{"cmd": "timesheet", "date": "2026-11-28", "staff": "sam"}"#,
    r#"{"cmd": "adjust_shift", "shift": 1, "clock_in": 1795860000000, "clock_out": 1795890000000, "reason": "forgot to clock out"}"#,
    r#"{"cmd": "tips", "date": "2026-11-21"}"#,
    r#"{"cmd": "record_tips", "date": "2026-11-21", "paid_on": "2026-11-28"}"#,
    r#"{"cmd": "tips_records", "staff": "sam"}"#,
    r#"{"cmd": "export_tips", "staff": "sam"}"#,
    r#"{"cmd": "tipping_policy"}"#,
];

/// The names of [`EXAMPLES`], in order.
pub fn example_names() -> Vec<&'static str> {
    EXAMPLES.iter().map(|json| parse(json).name()).collect()
}

// Regression: the "every command needs a login" tests listed 23 of the 33 commands (no payment command
// was tried on a locked till). The list is now checked against the command type itself.
#[test]
fn the_examples_cover_every_command_of_the_type() {
    let mut from_type = Command::names();
    from_type.sort();
    let mut listed: Vec<String> = example_names().into_iter().map(str::to_owned).collect();
    listed.sort();
    assert_eq!(listed, from_type, "EXAMPLES must have one example of each command");
}

#[test]
fn every_command_parses_under_its_own_name_and_round_trips() {
    let mut names = std::collections::BTreeSet::new();
    for json in EXAMPLES {
        let command = parse(json);
        let value: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
        assert_eq!(value["cmd"], command.name(), "{json}");
        assert!(names.insert(command.name()), "{} twice", command.name());
        let written = serde_json::to_value(&command).expect("serialises");
        assert_eq!(written["cmd"], command.name());
        let again: Command = serde_json::from_value(written).expect("parses what it wrote");
        assert_eq!(again, command);
    }
    assert_eq!(names.len(), EXAMPLES.len());
}

#[test]
fn fields_arrive_with_their_types() {
    assert_eq!(
        parse(EXAMPLES[5]),
        Command::AddLine(AddLine {
            order: Some("t12".into()),
            product: None,
            sku: Some("MN02".into()),
            barcode: None,
            variant: None,
            modifiers: Some(vec!["rare".into(), "peppercorn".into()]),
            quantity: Some(2),
            note: Some("no salt".into()),
            course: Some(CourseInput::Main),
            seat: Some(3),
        })
    );
    assert_eq!(
        parse(EXAMPLES[4]),
        Command::OpenOrder(OpenOrder {
            kind: OrderKindInput::DineIn {
                table: "12".into(),
                covers: 4
            },
            alias: Some("t12".into()),
        })
    );
    assert_eq!(
        parse(EXAMPLES[9]),
        Command::SetLineDiscount(SetLineDiscount {
            order: None,
            line: 1,
            discount: Some(DiscountInput::Percent {
                rate_bp: 1000,
                reason: Some("staff".into())
            }),
            approval: None,
        })
    );
    assert_eq!(
        parse(r#"{"cmd": "set_order_discount", "discount": {"type": "fixed", "amount": 250, "reason": "voucher"}}"#),
        Command::SetOrderDiscount(SetOrderDiscount {
            order: None,
            discount: Some(DiscountInput::Fixed {
                amount: 250,
                reason: Some("voucher".into())
            }),
            approval: None,
        })
    );
    assert_eq!(
        parse(EXAMPLES[14]),
        Command::SetStatus(SetStatus {
            order: None,
            status: KitchenStatus::Ready
        })
    );
    // Optional fields may be left out entirely.
    assert_eq!(
        parse(r#"{"cmd": "login", "pin": "2468"}"#),
        Command::Login(Login {
            pin: "2468".into(),
            staff: None
        })
    );
}

#[test]
fn unknown_commands_fields_and_bad_values_do_not_parse() {
    let bad = [
        // Not a command.
        r"{}",
        r"[]",
        r#""whoami""#,
        r#"{"cmd": "refund", "amount": 100}"#,
        r#"{"cmd": "Whoami"}"#,
        r#"{"cmd": "open-order", "kind": {"type": "takeaway"}}"#,
        // Unknown fields, at the top and inside. Regression: commands and order kinds without fields used to
        // accept any extra field, because `deny_unknown_fields` does not reach the unit variants of an
        // internally tagged enum (serde-rs/serde#2123); `{"type": "takeaway", "table": "4"}` opened a
        // takeaway for someone who meant table 4.
        r#"{"cmd": "whoami", "verbose": true}"#,
        r#"{"cmd": "logout", "force": true}"#,
        r#"{"cmd": "menu", "category": "mains"}"#,
        r#"{"cmd": "open_orders", "order": "t12"}"#,
        r#"{"cmd": "add_line", "sku": "MN01", "price": 1}"#,
        r#"{"cmd": "open_order", "kind": {"type": "takeaway", "table": "4"}}"#,
        r#"{"cmd": "set_order_discount", "discount": {"type": "fixed", "amount": 1, "reason": "x", "by": "jo"}}"#,
        // Required fields missing.
        r#"{"cmd": "login"}"#,
        r#"{"cmd": "void_line", "line": 1, "approval": {"pin": "2468", "staff": "priya"}}"#,
        r#"{"cmd": "resume"}"#,
        r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "4"}}"#,
        // Wrong types and values: amounts are integer pence, never decimals or text.
        r#"{"cmd": "take_cash", "tendered": 10.5}"#,
        r#"{"cmd": "take_cash", "tendered": "1000"}"#,
        r#"{"cmd": "add_line", "sku": "MN01", "quantity": "2"}"#,
        r#"{"cmd": "remove_line", "line": -1}"#,
        r#"{"cmd": "set_status", "status": "cooking"}"#,
        r#"{"cmd": "set_status", "status": "completed"}"#,
        r#"{"cmd": "add_line", "sku": "MN01", "course": "starters"}"#,
        r#"{"cmd": "open_order", "kind": {"type": "delivery"}}"#,
        r#"{"cmd": "set_order_discount", "discount": {"type": "percent", "rate_bp": -5, "reason": "x"}}"#,
        r#"{"cmd": "set_service_charge", "enabled": "no", "reason": "x"}"#,
    ];
    for json in bad {
        assert!(serde_json::from_str::<Command>(json).is_err(), "{json} must not parse");
    }
}
