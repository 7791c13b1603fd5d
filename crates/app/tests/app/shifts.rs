//! The shifts area (`shifts/`): a drawer session from float to Z, with every figure worked out by hand;
//! the permission table on every path to the drawer and the reports; open orders at the close; the
//! business day across midnight and the clocks' changes; the audit log.

use fynlo_app::{
    view::{DrawerView, ReportView},
    ErrorCode, Reply,
};
use fynlo_core::{payment::Tender, report::ReportKind};

use crate::{pin, Fixture};

fn report_of(reply: Reply) -> ReportView {
    match reply {
        Reply::Report(r) => *r,
        other => panic!("expected a report, got {other:?}"),
    }
}

fn drawer_of(reply: Reply) -> DrawerView {
    match reply {
        Reply::Drawer(d) => d,
        other => panic!("expected the drawer, got {other:?}"),
    }
}

async fn manager() -> Fixture {
    let mut f = Fixture::new().await;
    f.ok(&format!(
        r#"{{"cmd": "login", "pin": "{}", "staff": "priya"}}"#,
        pin("priya")
    ))
    .await;
    f
}

/// Fish and chips (16.50, standard-rated) paid in cash with a £20 note; burrata (8.95, zero-rated to
/// take away) and soup (6.50, standard) by card.
async fn two_sales(f: &mut Fixture) -> i64 {
    f.ok(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#).await;
    f.ok(r#"{"cmd": "add_line", "sku": "MN01"}"#).await;
    let cash = f.order(r#"{"cmd": "take_cash", "tendered": 2000}"#).await;
    assert_eq!(cash.state.as_str(), "completed");
    f.ok(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#).await;
    f.ok(r#"{"cmd": "add_line", "sku": "ST05"}"#).await;
    f.ok(r#"{"cmd": "add_line", "sku": "ST01"}"#).await;
    let card = f
        .order(r#"{"cmd": "pay", "tender": "card", "simulate": "approve"}"#)
        .await;
    assert_eq!(card.state.as_str(), "completed");
    card.payments.iter().map(|p| p.fee.0).sum()
}

#[tokio::test]
async fn a_session_from_float_to_z_adds_up_to_the_penny() {
    let mut f = manager().await;
    // £20 × 2, £10 × 4, £1 × 20: £100 float.
    let d = drawer_of(
        f.ok(r#"{"cmd": "open_session", "float": {"2000": 2, "1000": 4, "100": 20}}"#)
            .await,
    );
    let session = d.session.expect("a session is open");
    assert_eq!((session.number, session.opened_by.as_str()), (1, "priya"));
    assert_eq!(d.cash.map(|c| c.expected.get()), Some(10_000));
    f.refused(r#"{"cmd": "open_session", "float": {}}"#, ErrorCode::SessionRule)
        .await;
    let card_fees = two_sales(&mut f).await;
    f.ok(r#"{"cmd": "pay_in", "amount": 2000, "reason": "change from the bank"}"#)
        .await;
    let d = drawer_of(f.ok(r#"{"cmd": "pay_out", "amount": 1250, "reason": "milk"}"#).await);
    let cash = d.cash.expect("cash figures");
    // 100.00 float + 16.50 cash sale + 20.00 in − 12.50 out.
    assert_eq!(
        (
            cash.float.get(),
            cash.sales.get(),
            cash.pay_ins.get(),
            cash.pay_outs.get(),
            cash.expected.get()
        ),
        (10_000, 1_650, 2_000, 1_250, 12_400)
    );
    assert_eq!(d.movements.len(), 2);
    // The drawer cannot pay out more than it should hold.
    let e = f
        .refused(
            r#"{"cmd": "pay_out", "amount": 12401, "reason": "too much"}"#,
            ErrorCode::SessionRule,
        )
        .await;
    assert!(e.message.contains("£124.00"), "{}", e.message);
    f.refused(
        r#"{"cmd": "pay_out", "amount": 0, "reason": "x"}"#,
        ErrorCode::InvalidInput,
    )
    .await;
    f.refused(
        r#"{"cmd": "pay_out", "amount": 500, "reason": " "}"#,
        ErrorCode::InvalidInput,
    )
    .await;

    let x = report_of(f.ok(r#"{"cmd": "x_report"}"#).await).report;
    let fig = &x.figures;
    assert_eq!((x.kind, x.z_number, x.session), (ReportKind::X, None, 1));
    assert_eq!((fig.orders, fig.gross_sales.get(), fig.total.get()), (2, 3_195, 3_195));
    // 31.95 ÷ 2 = 15.975, half up.
    assert_eq!(fig.average_spend.get(), 1_598);
    let tenders: Vec<(Tender, u32, i64)> = fig
        .tenders
        .iter()
        .map(|t| (t.tender, t.count, t.amount.get()))
        .collect();
    assert_eq!(tenders, [(Tender::Cash, 1, 1_650), (Tender::Card, 1, 1_545)]);
    assert_eq!(fig.fees.get(), card_fees);
    // VAT: 16.50 and 6.50 at 20 % (VAT 2.75 and 1.08 — each order rounds its own), 8.95 at 0 %.
    let vat: Vec<(u32, i64, i64, i64)> = fig
        .vat
        .iter()
        .map(|v| (v.rate.get(), v.net.get(), v.vat.get(), v.gross.get()))
        .collect();
    assert_eq!(vat, [(2000, 1_917, 383, 2_300), (0, 895, 0, 895)]);
    assert_eq!(fig.cash.expected.get(), 12_400);
    assert_eq!(
        fig.top_items.first().map(|i| (i.name.as_str(), i.gross.get())),
        Some(("Beer-battered fish & chips", 1_650))
    );
    assert_eq!(
        fig.by_hour.iter().map(|h| (h.hour, h.orders)).collect::<Vec<_>>(),
        [(19, 2)]
    );

    // Counted £123.90: 10p short. A note is required, and nothing closes without one.
    let count = r#"{"5000": 2, "2000": 1, "100": 3, "50": 1, "20": 2}"#;
    let e = f
        .refused(
            &format!(r#"{{"cmd": "close_session", "count": {count}}}"#),
            ErrorCode::ReasonRequired,
        )
        .await;
    assert!(e.message.contains("£0.10 short"), "{}", e.message);
    let z = report_of(
        f.ok(&format!(
            r#"{{"cmd": "close_session", "count": {count}, "note": "10p under the tray"}}"#
        ))
        .await,
    )
    .report;
    assert_eq!((z.kind, z.z_number), (ReportKind::Z, Some(1)));
    assert_eq!(
        (
            z.figures.cash.counted.map(fynlo_core::Minor::get),
            z.figures.cash.over_short.map(fynlo_core::Minor::get)
        ),
        (Some(12_390), Some(-10))
    );
    assert_eq!(z.note.as_deref(), Some("10p under the tray"));
    assert_eq!(z.figures.orders, 2);
    // Stored unchanged, and a second close has nothing to close.
    assert_eq!(report_of(f.ok(r#"{"cmd": "z_report", "number": 1}"#).await).report, z);
    assert_eq!(report_of(f.ok(r#"{"cmd": "z_report"}"#).await).report, z);
    f.refused(
        &format!(r#"{{"cmd": "close_session", "count": {count}, "note": "again"}}"#),
        ErrorCode::SessionRule,
    )
    .await;
    f.refused(
        r#"{"cmd": "pay_out", "amount": 100, "reason": "x"}"#,
        ErrorCode::SessionRule,
    )
    .await;
    f.refused(r#"{"cmd": "z_report", "number": 2}"#, ErrorCode::NotFound)
        .await;
    assert!(drawer_of(f.ok(r#"{"cmd": "drawer"}"#).await).session.is_none());

    // Exports: CSV rows in pence, the stored JSON, and the cloud's daily shape.
    let Reply::Export(csv) = f.ok(r#"{"cmd": "export_report", "number": 1, "format": "csv"}"#).await else {
        panic!("an export");
    };
    assert_eq!(
        (csv.filename.as_str(), csv.mime.as_str()),
        ("z-report-1.csv", "text/csv")
    );
    assert!(csv.content.starts_with("section,name,value\n"));
    assert!(csv.content.contains("\nsales,gross_sales,3195\n"), "{}", csv.content);
    assert!(csv.content.contains("\ncash,over_short,-10\n"));
    let Reply::Export(json) = f.ok(r#"{"cmd": "export_report", "number": 1, "format": "json"}"#).await else {
        panic!("an export");
    };
    let back: fynlo_core::report::Report = serde_json::from_str(&json.content).expect("the JSON reads back");
    assert_eq!(back, z);
    let Reply::Export(daily) = f
        .ok(r#"{"cmd": "export_report", "number": 1, "format": "daily"}"#)
        .await
    else {
        panic!("an export");
    };
    let daily: serde_json::Value = serde_json::from_str(&daily.content).expect("json");
    for key in [
        "total_sales",
        "total_orders",
        "cash_sales",
        "card_sales",
        "gift_card_sales",
        "online_sales",
        "discounts",
        "refunds",
        "net_sales",
        "top_items",
        "busy_hours",
        "staff_shifts",
    ] {
        assert!(daily.get(key).is_some(), "daily report has {key}");
    }
    assert_eq!(
        (daily["cash_sales"].as_i64(), daily["card_sales"].as_i64()),
        (Some(1_650), Some(1_545))
    );
    // Nobody clocked in that day: no shifts. (Sam clocks in for the next export.)
    assert_eq!(daily["staff_shifts"], serde_json::json!([]));
    f.ok(&format!(r#"{{"cmd": "clock_in", "pin": "{}"}}"#, pin("sam")))
        .await;
    f.clock.advance(90 * 60_000);
    let Reply::Export(daily) = f
        .ok(r#"{"cmd": "export_report", "number": 1, "format": "daily"}"#)
        .await
    else {
        panic!("an export");
    };
    let daily: serde_json::Value = serde_json::from_str(&daily.content).expect("json");
    assert_eq!(
        daily["staff_shifts"],
        serde_json::json!([{"staff": "sam", "name": "Sam Taylor", "minutes": 90}])
    );

    // The next session starts after the Z: its X report has no sales yet.
    f.clock.advance(60_000);
    f.ok(r#"{"cmd": "open_session", "float": {"2000": 5}}"#).await;
    let x2 = report_of(f.ok(r#"{"cmd": "x_report"}"#).await).report;
    assert_eq!(
        (x2.session, x2.figures.orders, x2.figures.cash.expected.get()),
        (2, 0, 10_000)
    );
    let Reply::Reports(list) = f.ok(r#"{"cmd": "z_reports"}"#).await else {
        panic!("reports");
    };
    assert_eq!(list.reports.iter().map(|r| r.z_number).collect::<Vec<_>>(), [Some(1)]);
}

#[tokio::test]
async fn the_drawer_and_reports_follow_the_permission_table_and_the_pin_lockout() {
    let mut f = Fixture::logged_in().await; // Sam, a cashier.
    let e = f
        .refused(
            r#"{"cmd": "open_session", "float": {"2000": 1}}"#,
            ErrorCode::ApprovalRequired,
        )
        .await;
    assert!(e.message.contains("close_session"), "{}", e.message);
    // A cashier's own PIN on the overlay is not an approval: it is a wrong PIN, counted.
    let sams = format!(
        r#"{{"cmd": "open_session", "float": {{"2000": 1}}, "approval": {{"pin": "{}"}}}}"#,
        pin("sam")
    );
    assert_eq!(f.exec(&sams).await.expect_err("not allowed").code, ErrorCode::WrongPin);
    let d = drawer_of(
        f.ok(&format!(
            r#"{{"cmd": "open_session", "float": {{"2000": 1}}, "approval": {{"pin": "{}"}}}}"#,
            pin("priya")
        ))
        .await,
    );
    assert_eq!(d.session.map(|s| s.opened_by), Some("priya".into()));
    // The audit log says who asked as well as who approved.
    let opened = f
        .till
        .store()
        .audit_entries(5, Some("drawer.session_opened"))
        .await
        .expect("audit");
    assert_eq!(opened[0].staff, "priya");
    assert!(
        opened[0].detail.contains(r#""requested_by":"sam""#),
        "{}",
        opened[0].detail
    );
    f.refused(
        r#"{"cmd": "pay_out", "amount": 500, "reason": "window cleaner"}"#,
        ErrorCode::ApprovalRequired,
    )
    .await;
    let d = drawer_of(
        f.ok(&format!(
            r#"{{"cmd": "pay_out", "amount": 500, "reason": "window cleaner", "approval": {{"pin": "{}"}}}}"#,
            pin("priya")
        ))
        .await,
    );
    let m = &d.movements[0];
    assert_eq!((m.staff.as_str(), m.approved_by.as_deref()), ("sam", Some("priya")));
    for cmd in [
        r#"{"cmd": "x_report"}"#,
        r#"{"cmd": "z_reports"}"#,
        r#"{"cmd": "z_report"}"#,
        r#"{"cmd": "export_report"}"#,
        r#"{"cmd": "print_report"}"#,
        r#"{"cmd": "audit_log"}"#,
        r#"{"cmd": "close_session", "count": {}}"#,
        r#"{"cmd": "pay_in", "amount": 100, "reason": "x"}"#,
    ] {
        f.refused(cmd, ErrorCode::ApprovalRequired).await;
    }
    // Wrong PINs on the drawer's overlay lock PIN entry like any other.
    let wrong = r#"{"cmd": "x_report", "approval": {"pin": "0000"}}"#;
    // (Sam's own PIN above was the first of five: a right PIN does not clear the till-wide count.)
    for _ in 0..3 {
        assert_eq!(f.exec(wrong).await.expect_err("wrong").code, ErrorCode::WrongPin);
    }
    assert_eq!(f.exec(wrong).await.expect_err("locks").code, ErrorCode::LockedOut);
    let right = format!(r#"{{"cmd": "x_report", "approval": {{"pin": "{}"}}}}"#, pin("priya"));
    assert_eq!(f.exec(&right).await.expect_err("locked").code, ErrorCode::LockedOut);
}

#[tokio::test]
async fn open_orders_stop_the_close_until_carried_and_land_in_the_next_z() {
    let mut f = manager().await;
    f.ok(r#"{"cmd": "open_session", "float": {"1000": 1}}"#).await;
    let open = f
        .order(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}, "alias": "late"}"#)
        .await;
    f.ok(r#"{"cmd": "add_line", "sku": "SD01"}"#).await;
    f.ok(r#"{"cmd": "park"}"#).await;
    let e = f
        .refused(
            r#"{"cmd": "close_session", "count": {"1000": 1}}"#,
            ErrorCode::SessionRule,
        )
        .await;
    assert!(e.message.contains(&format!("#{}", open.number)), "{}", e.message);
    let z = report_of(
        f.ok(r#"{"cmd": "close_session", "count": {"1000": 1}, "carry_open_orders": true}"#)
            .await,
    )
    .report;
    assert_eq!(z.carried, [format!("#{} ({})", open.number, crate::TODAY)]);
    assert_eq!(z.figures.orders, 0);
    f.clock.advance(1_000);
    f.ok(r#"{"cmd": "open_session", "float": {"1000": 1}}"#).await;
    f.ok(r#"{"cmd": "resume", "order": "late"}"#).await;
    f.order(r#"{"cmd": "take_cash", "tendered": 400}"#).await;
    let z2 = report_of(
        f.ok(r#"{"cmd": "close_session", "count": {"1000": 1, "100": 4}}"#)
            .await,
    )
    .report;
    assert_eq!(
        (z2.z_number, z2.figures.orders, z2.figures.gross_sales.get()),
        (Some(2), 1, 400)
    );
    assert_eq!(z2.figures.cash.over_short.map(fynlo_core::Minor::get), Some(0));
}

#[tokio::test]
async fn the_business_day_runs_past_midnight_to_four_and_numbers_follow_it() {
    let mut f = manager().await;
    // 19:30 on Saturday 28 November; 23:30; then 01:00 and 03:59 on Sunday still belong to Saturday.
    let mut days = Vec::new();
    for step in [0, 4 * 3_600_000, 90 * 60_000, 179 * 60_000, 60_000] {
        f.clock.advance(step);
        let o = f.order(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#).await;
        f.ok(r#"{"cmd": "add_line", "sku": "SD01"}"#).await;
        f.order(r#"{"cmd": "take_cash", "tendered": 400}"#).await;
        days.push((o.business_date, o.number));
    }
    let sat = "2026-11-28".to_owned();
    let sun = "2026-11-29".to_owned();
    assert_eq!(
        days,
        [(sat.clone(), 1), (sat.clone(), 2), (sat.clone(), 3), (sat, 4), (sun, 1)]
    );
}

#[tokio::test]
async fn sensitive_actions_are_in_the_audit_chain_and_it_verifies() {
    let mut f = Fixture::logged_in().await;
    let approve = format!(r#""approval": {{"pin": "{}"}}"#, pin("priya"));
    f.ok(&format!(
        r#"{{"cmd": "open_session", "float": {{"2000": 1}}, {approve}}}"#
    ))
    .await;
    f.ok(&format!(
        r#"{{"cmd": "pay_out", "amount": 300, "reason": "stamps", {approve}}}"#
    ))
    .await;
    f.ok(r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "4", "covers": 2}}"#)
        .await;
    f.ok(r#"{"cmd": "add_line", "sku": "MN01"}"#).await;
    f.ok(r#"{"cmd": "send_to_kitchen"}"#).await;
    f.ok(&format!(
        r#"{{"cmd": "void_line", "line": 1, "reason": "dropped", {approve}}}"#
    ))
    .await;
    assert_eq!(
        f.exec(r#"{"cmd": "x_report", "approval": {"pin": "9999"}}"#)
            .await
            .expect_err("wrong")
            .code,
        ErrorCode::WrongPin
    );
    let Reply::Audit(audit) = f.ok(&format!(r#"{{"cmd": "audit_log", {approve}}}"#)).await else {
        panic!("the audit log");
    };
    let actions: Vec<&str> = audit.entries.iter().map(|e| e.action.as_str()).collect();
    for action in [
        "drawer.session_opened",
        "drawer.pay_out",
        "order.line_voided",
        "auth.pin_failed",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);
    assert_eq!(audit.head, audit.entries[0].hash);
    // Entries are newest first, numbered without gaps, and the PIN hashes never appear.
    let numbers: Vec<i64> = audit.entries.iter().map(|e| e.no).collect();
    assert!(numbers.windows(2).all(|w| w[0] == w[1] + 1), "{numbers:?}");
    assert!(audit.entries.iter().all(|e| !e.detail.contains("argon2")));
    let Reply::Audit(only) = f
        .ok(&format!(r#"{{"cmd": "audit_log", "action": "drawer.", {approve}}}"#))
        .await
    else {
        panic!("the audit log");
    };
    assert!(only.entries.iter().all(|e| e.action.starts_with("drawer.")) && only.entries.len() == 2);
}

#[tokio::test]
async fn a_z_report_prints_on_the_receipt_printer_and_reprints_are_audited() {
    use crate::printing::{add_printer, config, contains, printer, WAIT};
    use fynlo_print::testing::Behaviour;
    let mut f = manager().await;
    let (addr, paper) = printer(Behaviour::Normal).await;
    add_printer(&mut f, &config("counter", addr, &["kitchen", "bar"], true, true)).await;
    f.ok(r#"{"cmd": "open_session", "float": {"2000": 1}}"#).await;
    two_sales(&mut f).await;
    let z = report_of(
        f.ok(
            r#"{"cmd": "close_session", "count": {"2000": 1, "1000": 1, "500": 1, "100": 1, "50": 1}, "print": true}"#,
        )
        .await,
    );
    assert!(z.printed);
    assert_eq!(z.report.figures.cash.over_short.map(fynlo_core::Minor::get), Some(0));
    let printed = usize::try_from(f.till.spooler().pass().await.expect("a pass").printed).expect("a count");
    assert!(printed >= 1, "the Z report printed");
    let jobs = paper.wait_for_jobs(printed, WAIT).await;
    let page = jobs.last().expect("the report's page");
    for text in ["Z REPORT 1", "Gross sales", "Expected", "Beer-batt", "Card"] {
        assert!(contains(page, text.as_bytes()), "{text} on the page");
    }
    assert!(contains(page, b"Counted") && !contains(page, b"Short"));
    // A reprint of the stored Z goes on paper again and into the audit log.
    let again = report_of(f.ok(r#"{"cmd": "print_report", "number": 1}"#).await);
    assert_eq!(again.report, z.report);
    f.till.spooler().pass().await.expect("a pass");
    let jobs = paper.wait_for_jobs(printed + 1, WAIT).await;
    assert!(contains(jobs.last().expect("the reprint"), b"Z REPORT 1"));
    let Reply::Audit(audit) = f.ok(r#"{"cmd": "audit_log", "action": "report."}"#).await else {
        panic!("the audit log");
    };
    assert_eq!(audit.entries.len(), 1);
    assert!(audit.entries[0].detail.contains(r#""z_number":1"#));
    // The X report prints too, marked as not a close.
    f.ok(r#"{"cmd": "print_report"}"#).await;
    f.till.spooler().pass().await.expect("a pass");
    let jobs = paper.wait_for_jobs(printed + 2, WAIT).await;
    let x = jobs.last().expect("the X report");
    assert!(contains(x, b"X REPORT") && contains(x, b"nothing is reset"));
    crate::assert_outbox_speaks_the_protocol(&f).await;
}

/// One thing that happens in a random day.
#[derive(Clone, Debug)]
enum Step {
    /// A sale of these products (by SKU), dine-in with covers or takeaway, with an order discount (bp),
    /// paid in cash (with this much over, kept as a tip or given as change) or by card with a tip, or
    /// cancelled.
    Sale {
        skus: Vec<&'static str>,
        covers: Option<u32>,
        discount_bp: Option<u32>,
        pay: Pay,
        refund: Option<i64>,
    },
    /// Cash in or out of the drawer.
    Movement { pay_in: bool, amount: i64 },
    /// Time passing, in minutes.
    Wait(i64),
}

#[derive(Clone, Copy, Debug)]
enum Pay {
    Cash { over: i64, keep_tip: bool },
    Card { tip: i64 },
    Cancel,
}

const SKUS: [&str; 8] = ["ST01", "ST05", "MN01", "MN06", "SD01", "DS01", "SF01", "MN07"];

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    let pay = prop_oneof![
        (0i64..2_000, any::<bool>()).prop_map(|(over, keep_tip)| Pay::Cash { over, keep_tip }),
        (0i64..500).prop_map(|tip| Pay::Card { tip }),
        Just(Pay::Cancel),
    ];
    prop_oneof![
        6 => (
            proptest::collection::vec(proptest::sample::select(&SKUS[..]), 1..5),
            proptest::option::of(1u32..8),
            proptest::option::of(1u32..=1000),
            pay,
            proptest::option::of(1i64..400),
        )
            .prop_map(|(skus, covers, discount_bp, pay, refund)| Step::Sale { skus, covers, discount_bp, pay, refund }),
        2 => (any::<bool>(), 1i64..5_000).prop_map(|(pay_in, amount)| Step::Movement { pay_in, amount }),
        2 => (1i64..240).prop_map(Step::Wait),
    ]
}

/// Runs a random day and checks every figure of its Z report against a recomputation made another way:
/// the summary tables summed in SQL (orders, payments, refunds, cash movements) and the stored orders
/// replayed and priced one by one.
async fn day_adds_up(steps: Vec<Step>, float_pounds: u32, counted_delta: i64) {
    use std::collections::BTreeMap;
    let mut f = manager().await;
    f.ok(&format!(
        r#"{{"cmd": "open_session", "float": {{"100": {float_pounds}}}}}"#
    ))
    .await;
    for s in steps {
        match s {
            Step::Wait(minutes) => f.clock.advance(minutes * 60_000),
            Step::Movement { pay_in, amount } => {
                // A pay-out of more than the drawer should hold is refused: take what is there.
                let amount = if pay_in {
                    amount
                } else {
                    let drawer = drawer_of(f.ok(r#"{"cmd": "drawer"}"#).await);
                    amount.min(drawer.cash.map_or(0, |c| c.expected.get()))
                };
                if amount > 0 {
                    let cmd = if pay_in { "pay_in" } else { "pay_out" };
                    f.ok(&format!(r#"{{"cmd": "{cmd}", "amount": {amount}, "reason": "float"}}"#))
                        .await;
                }
            }
            Step::Sale {
                skus,
                covers,
                discount_bp,
                pay,
                refund,
            } => {
                let kind = match covers {
                    Some(c) => format!(r#"{{"type": "dine_in", "table": "T", "covers": {c}}}"#),
                    None => r#"{"type": "takeaway"}"#.to_owned(),
                };
                f.ok(&format!(r#"{{"cmd": "open_order", "kind": {kind}}}"#)).await;
                for sku in skus {
                    f.ok(&format!(r#"{{"cmd": "add_line", "sku": "{sku}"}}"#)).await;
                }
                if let Some(bp) = discount_bp {
                    f.ok(&format!(
                        r#"{{"cmd": "set_order_discount", "discount": {{"type": "percent", "rate_bp": {bp}, "reason": "regular"}}}}"#
                    ))
                    .await;
                }
                let due = f.order(r#"{"cmd": "show_order"}"#).await.totals.total.0;
                let paid = match pay {
                    Pay::Cancel => {
                        f.ok(r#"{"cmd": "cancel", "reason": "walked out"}"#).await;
                        None
                    }
                    Pay::Cash { over, keep_tip } => {
                        let tip = if keep_tip && over > 0 { format!(r#", "tip": {over}"#) } else { String::new() };
                        Some(f.order(&format!(r#"{{"cmd": "take_cash", "tendered": {}{tip}}}"#, due + over)).await)
                    }
                    Pay::Card { tip } => Some(
                        f.order(&format!(
                            r#"{{"cmd": "pay", "tender": "card", "tip": {{"type": "amount", "amount": {tip}}}, "simulate": "approve"}}"#
                        ))
                        .await,
                    ),
                };
                if let (Some(order), Some(amount)) = (paid, refund) {
                    let payment = &order.payments[0];
                    let amount = amount.min(payment.amount.0);
                    if amount > 0 {
                        f.ok(&format!(
                            r#"{{"cmd": "refund", "order": "{}", "payment": "{}", "amount": {amount}, "reason": "cold"}}"#,
                            order.id, payment.id
                        ))
                        .await;
                    }
                }
            }
        }
        f.clock.advance(1_000);
    }
    let expected_now = drawer_of(f.ok(r#"{"cmd": "drawer"}"#).await)
        .cash
        .expect("cash")
        .expected
        .get();
    let counted = (expected_now + counted_delta).max(0);
    // Count it all as pennies: any amount is a count.
    let z = report_of(
        f.ok(&format!(
            r#"{{"cmd": "close_session", "count": {{"1": {counted}}}, "note": "counted"}}"#
        ))
        .await,
    )
    .report;
    let fig = &z.figures;

    // The summary tables, summed in SQL.
    f.till.store().settle().await.expect("settles");
    let mut conn = crate::raw(&f.path).await;
    let (orders, total): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COALESCE(SUM(total), 0) FROM orders WHERE state = 'completed'")
            .fetch_one(&mut conn)
            .await
            .expect("orders");
    let cancelled: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders WHERE state = 'cancelled'")
        .fetch_one(&mut conn)
        .await
        .expect("cancelled");
    assert_eq!(
        (i64::from(fig.orders), fig.total.get(), i64::from(fig.cancelled)),
        (orders, total, cancelled.0)
    );
    let tenders: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT tender, COUNT(*), SUM(amount), SUM(tip), SUM(fee_processing + fee_platform) FROM payments \
         WHERE status = 'succeeded' GROUP BY tender ORDER BY tender",
    )
    .fetch_all(&mut conn)
    .await
    .expect("payments");
    let mut mine: Vec<(String, i64, i64, i64, i64)> = fig
        .tenders
        .iter()
        .map(|t| {
            (
                t.tender.as_str().to_owned(),
                i64::from(t.count),
                t.amount.get(),
                t.tips.get(),
                t.fees.get(),
            )
        })
        .filter(|t| t.1 > 0)
        .collect();
    mine.sort();
    assert_eq!(mine, tenders);
    let refunds: Vec<(String, i64)> = sqlx::query_as(
        "SELECT tender, SUM(amount) FROM refunds WHERE status = 'succeeded' GROUP BY tender ORDER BY tender",
    )
    .fetch_all(&mut conn)
    .await
    .expect("refunds");
    let mut my_refunds: Vec<(String, i64)> = fig
        .tenders
        .iter()
        .filter(|t| t.refunds.get() > 0)
        .map(|t| (t.tender.as_str().to_owned(), t.refunds.get()))
        .collect();
    my_refunds.sort();
    assert_eq!(my_refunds, refunds);
    assert_eq!(fig.refunds.amount.get(), refunds.iter().map(|r| r.1).sum::<i64>());
    let (cash_in,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(SUM(amount + tip), 0) FROM payments WHERE status = 'succeeded' AND tender = 'cash'",
    )
    .fetch_one(&mut conn)
    .await
    .expect("cash");
    let (cash_back,): (i64,) =
        sqlx::query_as("SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE status = 'succeeded' AND tender = 'cash'")
            .fetch_one(&mut conn)
            .await
            .expect("cash refunds");
    let (ins, outs): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE kind WHEN 'pay_in' THEN amount END), 0), \
         COALESCE(SUM(CASE kind WHEN 'pay_out' THEN amount END), 0) FROM cash_movements",
    )
    .fetch_one(&mut conn)
    .await
    .expect("movements");
    let expected = i64::from(float_pounds) * 100 + cash_in - cash_back + ins - outs;
    assert_eq!(fig.cash.expected.get(), expected);
    assert_eq!(
        fig.cash.over_short.map(fynlo_core::Minor::get),
        Some(counted - expected)
    );

    // The stored orders, replayed and priced one at a time.
    let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM orders WHERE state = 'completed'")
        .fetch_all(&mut conn)
        .await
        .expect("ids");
    let (mut gross, mut discounts, mut service, mut covers) = (0i64, 0i64, 0i64, 0u32);
    let mut vat: BTreeMap<u32, (i64, i64, i64)> = BTreeMap::new();
    let mut items: BTreeMap<String, (u64, i64)> = BTreeMap::new();
    let mut gratuity = 0i64;
    for (id,) in ids {
        let order = f
            .till
            .store()
            .order(fynlo_core::ids::OrderId::parse(&id).expect("an id"))
            .await
            .expect("replays");
        let t = fynlo_core::pricing::price(&order).expect("prices");
        gross += t.subtotal.get();
        discounts += t.line_discounts.get() + t.order_discount.get();
        service += t.service_charge.get();
        if let fynlo_core::order::OrderKind::DineIn { covers: c, .. } = order.kind() {
            covers += c;
        }
        for v in &t.vat {
            let e = vat.entry(v.rate.get()).or_default();
            *e = (e.0 + v.net.get(), e.1 + v.vat.get(), e.2 + v.gross.get());
        }
        for line in order.lines().iter().filter(|l| l.void.is_none()) {
            let e = items.entry(line.name.clone()).or_default();
            *e = (e.0 + u64::from(line.quantity), e.1 + line.gross().expect("gross").get());
        }
        gratuity += order.tips().expect("tips").get() + t.service_charge.get();
    }
    assert_eq!(
        (
            fig.gross_sales.get(),
            fig.discounts.get(),
            fig.service_charge.get(),
            fig.covers
        ),
        (gross, discounts, service, covers)
    );
    // Each refund comes off the VAT rows and, less its service charge share, off net sales, split in
    // proportion to what its order charged (by the till's one allocation function).
    let refunds_by_order: Vec<(String, i64)> =
        sqlx::query_as("SELECT order_id, amount FROM refunds WHERE status = 'succeeded'")
            .fetch_all(&mut conn)
            .await
            .expect("refunds");
    let mut refunded_service = 0i64;
    for (id, amount) in refunds_by_order {
        let order = f
            .till
            .store()
            .order(fynlo_core::ids::OrderId::parse(&id).expect("an id"))
            .await
            .expect("replays");
        let t = fynlo_core::pricing::price(&order).expect("prices");
        let amount = fynlo_core::Minor::new(amount);
        let discretionary = t.service_charge_kind == Some(fynlo_core::settings::ServiceChargeKind::Discretionary);
        let mut weights: Vec<fynlo_core::Minor> = t.vat.iter().map(|v| v.gross).collect();
        weights.push(if discretionary {
            t.service_charge
        } else {
            fynlo_core::Minor::ZERO
        });
        let parts = fynlo_core::allocate::allocate(amount, &weights).expect("splits");
        for (v, part) in t.vat.iter().zip(parts) {
            let tax = v.rate.inclusive_tax_of(part).expect("tax").get();
            let e = vat.entry(v.rate.get()).or_default();
            *e = (e.0 - (part.get() - tax), e.1 - tax, e.2 - part.get());
        }
        if t.service_charge.get() > 0 {
            let goods = t.total.checked_sub(t.service_charge).expect("goods");
            refunded_service +=
                fynlo_core::allocate::allocate(amount, &[goods, t.service_charge]).expect("splits")[1].get();
        }
    }
    assert_eq!(fig.refunds_service_charge.get(), refunded_service);
    assert_eq!(
        fig.net_sales.get(),
        gross - discounts - (fig.refunds.amount.get() - refunded_service)
    );
    let my_vat: BTreeMap<u32, (i64, i64, i64)> = fig
        .vat
        .iter()
        .map(|v| (v.rate.get(), (v.net.get(), v.vat.get(), v.gross.get())))
        .collect();
    assert_eq!(my_vat, vat);
    let mut top: Vec<(String, u64, i64)> = items.into_iter().map(|(n, (q, g))| (n, q, g)).collect();
    top.sort_by(|a, b| b.2.cmp(&a.2).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
    top.truncate(10);
    let my_top: Vec<(String, u64, i64)> = fig
        .top_items
        .iter()
        .map(|i| (i.name.clone(), i.quantity, i.gross.get()))
        .collect();
    assert_eq!(my_top, top);
    let shared: i64 = fig.gratuity.iter().map(|g| g.tips.get() + g.service_charge.get()).sum();
    assert_eq!(shared, gratuity, "every penny of tips and service charge is allocated");
    assert_eq!(fig.by_hour.iter().map(|h| i64::from(h.orders)).sum::<i64>(), orders);
    assert_eq!(fig.by_hour.iter().map(|h| h.total.get()).sum::<i64>(), total);
    // The stored Z is the one answered.
    assert_eq!(report_of(f.ok(r#"{"cmd": "z_report", "number": 1}"#).await).report, z);
}

#[test]
fn a_z_report_equals_a_recomputation_from_the_stored_orders_and_payments() {
    use proptest::prelude::*;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(24);
    proptest!(ProptestConfig::with_cases(cases), |(steps in proptest::collection::vec(step(), 1..25), float in 0u32..300, delta in -500i64..500)| {
        runtime.block_on(day_adds_up(steps, float, delta));
    });
}

#[tokio::test]
async fn the_business_day_holds_through_both_clock_changes() {
    let mut f = manager().await;
    // From 19:30 UTC on 28 November back to 00:30 UTC on Sunday 25 October 2026 (01:30 BST, the first
    // time): still Saturday's night.
    let to_october = 1_792_888_200_000 - crate::NOW_MS;
    let mut days = Vec::new();
    // 01:30 BST; an hour later 01:30 GMT (the clocks went back); 03:59 GMT; 04:00 GMT.
    for step in [to_october, 3_600_000, 149 * 60_000, 60_000] {
        f.clock.advance(step);
        let o = f.order(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#).await;
        f.ok(r#"{"cmd": "add_line", "sku": "SD01"}"#).await;
        f.order(r#"{"cmd": "take_cash", "tendered": 400}"#).await;
        days.push(o.business_date);
    }
    assert_eq!(days, ["2026-10-24", "2026-10-24", "2026-10-24", "2026-10-25"]);
    // Sunday 28 March 2027 is the spring change: 00:30 GMT is Saturday's; 03:59 BST too; 04:00 BST starts Sunday.
    let to_march = 1_806_193_800_000 - (1_792_888_200_000 + 3_600_000 + 150 * 60_000);
    let mut days = Vec::new();
    for step in [to_march, 149 * 60_000, 60_000] {
        f.clock.advance(step);
        let o = f.order(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#).await;
        f.ok(r#"{"cmd": "add_line", "sku": "SD01"}"#).await;
        f.order(r#"{"cmd": "take_cash", "tendered": 400}"#).await;
        days.push(o.business_date);
    }
    assert_eq!(days, ["2027-03-27", "2027-03-27", "2027-03-28"]);
}

#[tokio::test]
async fn the_close_refuses_what_would_fall_outside_every_report() {
    let mut f = manager().await;
    // Cash taken with no session open is in the next Z's cash tender but in no drawer's count: it is
    // shown on its own.
    f.ok(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#).await;
    f.ok(r#"{"cmd": "add_line", "sku": "SD01"}"#).await;
    f.order(r#"{"cmd": "take_cash", "tendered": 400}"#).await;
    f.clock.advance(1_000);
    f.ok(r#"{"cmd": "open_session", "float": {"1000": 1}}"#).await;
    // A card payment still waiting for its provider (the customer has yet to authenticate).
    let waiting = f
        .order(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}, "alias": "w"}"#)
        .await;
    f.ok(r#"{"cmd": "add_line", "sku": "SD01"}"#).await;
    f.order(r#"{"cmd": "pay", "tender": "card", "simulate": "requires_action"}"#)
        .await;
    let e = f
        .refused(
            r#"{"cmd": "close_session", "count": {"1000": 1}, "carry_open_orders": true}"#,
            ErrorCode::SessionRule,
        )
        .await;
    assert!(e.message.contains("waiting for the provider"), "{}", e.message);
    let payment = f.order(r#"{"cmd": "show_order", "order": "w"}"#).await.payments[0]
        .id
        .clone();
    f.order(&format!(
        r#"{{"cmd": "cancel_payment", "order": "{}", "payment": "{payment}"}}"#,
        waiting.id
    ))
    .await;
    // A note must say something.
    f.refused(
        r#"{"cmd": "close_session", "count": {"500": 1}, "note": " . ", "carry_open_orders": true}"#,
        ErrorCode::ReasonRequired,
    )
    .await;
    let z = report_of(
        f.ok(r#"{"cmd": "close_session", "count": {"1000": 1}, "carry_open_orders": true}"#)
            .await,
    )
    .report;
    assert_eq!(
        (
            z.figures.cash.outside_session.get(),
            z.figures.cash.expected.get(),
            z.figures.tenders[0].amount.get()
        ),
        (400, 1_000, 400)
    );
    // A clock set back before the last Z would put sales outside every report: the next close waits.
    f.ok(r#"{"cmd": "open_session", "float": {"1000": 1}}"#).await;
    f.clock.advance(-60_000);
    let e = f
        .refused(
            r#"{"cmd": "close_session", "count": {"1000": 1}, "carry_open_orders": true}"#,
            ErrorCode::SessionRule,
        )
        .await;
    assert!(e.message.contains("set the clock right"), "{}", e.message);
}
