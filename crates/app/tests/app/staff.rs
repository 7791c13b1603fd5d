//! The staff area (`staff/`): editing staff on the device within one's own role, PINs (changed, reset,
//! never shared), the time clock with PINs on a locked till, timesheets, a forgotten clock-out, a
//! manager's adjustment, and the tips records.

use fynlo_app::{
    view::{ShiftsView, StaffListView},
    ErrorCode, Reply,
};

use crate::{pin, session_of, Fixture};

const PRIYA: &str = r#"{"pin": "2468", "staff": "priya"}"#;
const MINUTE: i64 = 60_000;

fn staff_of(reply: Reply) -> StaffListView {
    match reply {
        Reply::Staff(s) => s,
        other => panic!("expected the staff, got {other:?}"),
    }
}

fn shifts_of(reply: Reply) -> ShiftsView {
    match reply {
        Reply::Shifts(s) => s,
        other => panic!("expected shifts, got {other:?}"),
    }
}

async fn login(f: &mut Fixture, who: &str, pin: &str) {
    f.ok(&format!(r#"{{"cmd": "login", "pin": "{pin}", "staff": "{who}"}}"#))
        .await;
}

#[tokio::test]
async fn managers_edit_staff_within_their_role_and_pins_stay_unique() {
    let mut f = Fixture::logged_in().await; // Sam, a cashier.
    let list = staff_of(f.ok(r#"{"cmd": "staff"}"#).await);
    assert!(!list.can_edit && list.staff.len() == 3);
    let add = |role: &str, pin: &str| {
        format!(r#"{{"cmd": "add_staff", "id": "alex", "name": "Alex Kim", "role": "{role}", "pin": "{pin}"}}"#)
    };
    f.refused(&add("cashier", "4321"), ErrorCode::ApprovalRequired).await;
    login(&mut f, "priya", pin("priya")).await;
    f.refused(&add("owner", "4321"), ErrorCode::NotPermitted).await;
    // Sam's PIN is taken: a shared PIN would log in as either of them. (Saying so counts as a wrong PIN
    // against Priya, so it cannot be used to find PINs.)
    let e = f.exec(&add("cashier", pin("sam"))).await.expect_err("taken");
    assert_eq!(e.code, ErrorCode::Conflict);
    f.refused(&add("cashier", "12"), ErrorCode::InvalidInput).await;
    let list = staff_of(f.ok(&add("cashier", "4321")).await);
    assert!(list.can_edit && list.staff.iter().any(|s| s.id == "alex" && s.active));
    f.refused(&add("cashier", "4322"), ErrorCode::Conflict).await;
    f.ok(r#"{"cmd": "change_staff", "id": "alex", "role": "supervisor"}"#)
        .await;
    f.refused(
        r#"{"cmd": "change_staff", "id": "priya", "active": false}"#,
        ErrorCode::NotPermitted,
    )
    .await;
    f.refused(
        r#"{"cmd": "change_staff", "id": "priya", "role": "cashier"}"#,
        ErrorCode::NotPermitted,
    )
    .await;
    f.refused(r#"{"cmd": "change_staff", "id": "alex"}"#, ErrorCode::NothingToDo)
        .await;
    f.refused(
        r#"{"cmd": "change_staff", "id": "nobody", "name": "X"}"#,
        ErrorCode::NotFound,
    )
    .await;

    // Alex, a supervisor now, approves a void but not a price override.
    login(&mut f, "alex", "4321").await;
    let me = session_of(f.ok(r#"{"cmd": "whoami"}"#).await);
    let perms: Vec<&str> = me.permissions.iter().map(|p| p.as_str()).collect();
    assert!(perms.contains(&"void") && !perms.contains(&"refund") && !perms.contains(&"edit_staff"));
    f.ok(r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "2", "covers": 1}}"#)
        .await;
    f.ok(r#"{"cmd": "add_line", "sku": "MN01"}"#).await;
    f.ok(r#"{"cmd": "send_to_kitchen"}"#).await;
    f.refused(
        r#"{"cmd": "override_price", "line": 1, "unit_price": 1000, "reason": "regular"}"#,
        ErrorCode::NotPermitted,
    )
    .await;
    f.ok(&format!(
        r#"{{"cmd": "override_price", "line": 1, "unit_price": 1000, "reason": "regular", "approval": {PRIYA}}}"#
    ))
    .await;
    f.ok(r#"{"cmd": "void_line", "line": 1, "reason": "sent back"}"#).await;
    f.ok(r#"{"cmd": "cancel", "reason": "left"}"#).await;

    // Deactivated, Alex cannot log in; back again, they can.
    login(&mut f, "priya", pin("priya")).await;
    f.ok(r#"{"cmd": "change_staff", "id": "alex", "active": false}"#).await;
    f.ok(r#"{"cmd": "logout"}"#).await;
    let e = f
        .exec(r#"{"cmd": "login", "pin": "4321"}"#)
        .await
        .expect_err("deactivated");
    assert_eq!(e.code, ErrorCode::WrongPin);
    login(&mut f, "priya", pin("priya")).await;
    let list = staff_of(f.ok(r#"{"cmd": "change_staff", "id": "alex", "active": true}"#).await);
    assert!(list.staff.iter().any(|s| s.id == "alex" && s.active));

    // A reset PIN replaces the old one.
    f.ok(r#"{"cmd": "reset_pin", "staff": "jo", "pin": "6060"}"#).await;
    let e = f
        .exec(r#"{"cmd": "reset_pin", "staff": "jo", "pin": "4321"}"#)
        .await
        .expect_err("Alex's PIN");
    assert_eq!(e.code, ErrorCode::Conflict);
    f.ok(r#"{"cmd": "logout"}"#).await;
    assert_eq!(
        f.exec(&format!(r#"{{"cmd": "login", "pin": "{}", "staff": "jo"}}"#, pin("jo")))
            .await
            .expect_err("old PIN")
            .code,
        ErrorCode::WrongPin
    );
    login(&mut f, "jo", "6060").await;
    // Jo changes their own PIN, typing the old one.
    assert_eq!(
        f.exec(r#"{"cmd": "change_pin", "old": "1111", "new": "5151"}"#)
            .await
            .expect_err("wrong")
            .code,
        ErrorCode::WrongPin
    );
    f.ok(r#"{"cmd": "change_pin", "old": "6060", "new": "5151"}"#).await;
    login(&mut f, "jo", "5151").await;
    f.refused(
        r#"{"cmd": "reset_pin", "staff": "sam", "pin": "9090"}"#,
        ErrorCode::ApprovalRequired,
    )
    .await;
    // PIN resets and changes are audited as such, with who reset them.
    let audit = f
        .till
        .store()
        .audit_entries(100, Some("staff.pin_"))
        .await
        .expect("audit");
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["staff.pin_changed", "staff.pin_reset"]);
    assert!(audit[1].detail.contains(r#""reset_by":"priya""#));
    // Every change went to the outbox as `staff.updated`, and no op carries a PIN hash.
    let ops = f.till.store().outbox_after(0, 1000).await.expect("outbox");
    assert!(ops.iter().filter(|o| o.op_type == "staff.updated").count() >= 7);
    assert!(ops.iter().all(|o| !o.payload.to_string().contains("argon2")));
}

#[tokio::test]
async fn the_time_clock_counts_time_worked_and_flags_a_forgotten_clock_out() {
    let mut f = Fixture::new().await; // Nobody logged in: punches carry their own PIN.
    let sam = pin("sam");
    let s = shifts_of(f.ok(&format!(r#"{{"cmd": "clock_in", "pin": "{sam}"}}"#)).await);
    assert_eq!(
        (s.shifts[0].staff.as_str(), s.shifts[0].business_date.as_str()),
        ("sam", crate::TODAY)
    );
    f.refused(
        &format!(r#"{{"cmd": "clock_in", "pin": "{sam}"}}"#),
        ErrorCode::TimeClockRule,
    )
    .await;
    f.refused(
        &format!(r#"{{"cmd": "end_break", "pin": "{sam}"}}"#),
        ErrorCode::TimeClockRule,
    )
    .await;
    f.clock.advance(120 * MINUTE);
    f.ok(&format!(r#"{{"cmd": "start_break", "pin": "{sam}", "paid": false}}"#))
        .await;
    f.refused(
        &format!(r#"{{"cmd": "start_break", "pin": "{sam}"}}"#),
        ErrorCode::TimeClockRule,
    )
    .await;
    f.clock.advance(30 * MINUTE);
    let s = shifts_of(f.ok(&format!(r#"{{"cmd": "end_break", "pin": "{sam}"}}"#)).await);
    assert_eq!((s.shifts[0].minutes, s.shifts[0].on_break), (120, false));
    f.clock.advance(90 * MINUTE);
    let s = shifts_of(f.ok(&format!(r#"{{"cmd": "clock_out", "pin": "{sam}"}}"#)).await);
    // 4 hours on the clock, 30 unpaid minutes off.
    assert_eq!(s.shifts[0].minutes, 210);
    f.refused(
        &format!(r#"{{"cmd": "clock_out", "pin": "{sam}"}}"#),
        ErrorCode::TimeClockRule,
    )
    .await;
    // A wrong PIN at the clock is a wrong PIN, counted towards the lockout.
    let wrong = f
        .exec(r#"{"cmd": "clock_in", "pin": "0000"}"#)
        .await
        .expect_err("wrong");
    assert_eq!(wrong.code, ErrorCode::WrongPin);

    // Jo clocks in and forgets to clock out; at the next login, the next day, the till says so.
    f.ok(&format!(
        r#"{{"cmd": "clock_in", "pin": "{}", "staff": "jo"}}"#,
        pin("jo")
    ))
    .await;
    let jo_in = crate::NOW_MS + 240 * MINUTE;
    f.clock.advance(20 * 60 * MINUTE);
    let session = session_of(
        f.ok(&format!(r#"{{"cmd": "login", "pin": "{}", "staff": "jo"}}"#, pin("jo")))
            .await,
    );
    assert_eq!(session.forgotten_clock_out, Some(jo_in));
    let on = shifts_of(f.ok(r#"{"cmd": "on_shift"}"#).await);
    assert_eq!(on.shifts.iter().map(|s| s.staff.as_str()).collect::<Vec<_>>(), ["jo"]);
    // Jo may see their own timesheet, not Sam's.
    let Reply::Timesheet(mine) = f.ok(r#"{"cmd": "timesheet", "staff": "jo"}"#).await else {
        panic!("a timesheet");
    };
    assert_eq!(mine.rows.len(), 1);
    f.refused(r#"{"cmd": "timesheet", "staff": "sam"}"#, ErrorCode::ApprovalRequired)
        .await;
    // A manager corrects Jo's shift to end after 6 hours, with a reason.
    login(&mut f, "priya", pin("priya")).await;
    let shift = on.shifts[0].id;
    let out = jo_in + 6 * 60 * MINUTE;
    f.refused(
        &format!(
            r#"{{"cmd": "adjust_shift", "shift": {shift}, "clock_in": {jo_in}, "clock_out": {out}, "reason": " "}}"#
        ),
        ErrorCode::ReasonRequired,
    )
    .await;
    f.refused(
        &format!(
            r#"{{"cmd": "adjust_shift", "shift": {shift}, "clock_in": {out}, "clock_out": {jo_in}, "reason": "x"}}"#
        ),
        ErrorCode::InvalidInput,
    )
    .await;
    let s = shifts_of(
        f.ok(&format!(
            r#"{{"cmd": "adjust_shift", "shift": {shift}, "clock_in": {jo_in}, "clock_out": {out}, "reason": "forgot to clock out"}}"#
        ))
        .await,
    );
    assert_eq!((s.shifts[0].clock_out, s.shifts[0].minutes), (Some(out), 360));
    // A shift added by hand may not overlap one of the same member's (its hours would count twice).
    let add = |from: i64, to: i64| {
        format!(
            r#"{{"cmd": "adjust_shift", "staff": "jo", "clock_in": {from}, "clock_out": {to}, "reason": "forgot"}}"#
        )
    };
    f.refused(
        &add(jo_in + 60 * MINUTE, jo_in + 120 * MINUTE),
        ErrorCode::TimeClockRule,
    )
    .await;
    let extra = shifts_of(f.ok(&add(out + 60 * MINUTE, out + 120 * MINUTE)).await);
    assert_eq!(extra.shifts[0].minutes, 60);
    let Reply::Timesheet(all) = f.ok(r#"{"cmd": "timesheet", "date": "2026-11-28"}"#).await else {
        panic!("a timesheet");
    };
    assert_eq!(all.from.as_str(), "2026-11-23");
    let minutes: Vec<(&str, i64)> = all.rows.iter().map(|r| (r.staff.as_str(), r.minutes)).collect();
    assert_eq!(minutes, [("jo", 420), ("sam", 210)]);
    let Reply::Audit(audit) = f.ok(r#"{"cmd": "audit_log", "action": "timeclock.adjusted"}"#).await else {
        panic!("audit");
    };
    assert!(audit
        .entries
        .iter()
        .any(|e| e.detail.contains("forgot to clock out") && e.detail.contains(r#""before":{"#)));
    crate::assert_outbox_speaks_the_protocol(&f).await;
}

#[tokio::test]
async fn tips_are_allocated_recorded_once_and_exported_per_worker() {
    let mut f = Fixture::logged_in().await;
    // Sam serves a table that tips £3.00 on the card.
    f.ok(r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "5", "covers": 2}}"#)
        .await;
    f.ok(r#"{"cmd": "add_line", "sku": "MN01"}"#).await;
    let paid = f
        .order(r#"{"cmd": "pay", "tender": "card", "tip": {"type": "amount", "amount": 300}, "simulate": "approve"}"#)
        .await;
    assert_eq!(paid.state.as_str(), "completed");
    let service: i64 = paid.totals.service_charge.0;
    let Reply::Tips(tips) = f.ok(&format!(r#"{{"cmd": "tips", "approval": {PRIYA}}}"#)).await else {
        panic!("tips");
    };
    assert_eq!((tips.from.as_str(), tips.to.as_str()), ("2026-11-23", "2026-11-29"));
    let sam = tips.shares.iter().find(|s| s.staff == "sam").expect("sam's share");
    assert_eq!((sam.tips.0, sam.service_charge.0), (300, service));
    assert!(!tips.policy.is_empty());
    // Not before the period has ended; then once.
    let record = format!(r#"{{"cmd": "record_tips", "paid_on": "2026-12-04", "approval": {PRIYA}}}"#);
    f.refused(&record, ErrorCode::InvalidInput).await;
    f.clock.advance(8 * 24 * 60 * MINUTE);
    let record =
        format!(r#"{{"cmd": "record_tips", "date": "2026-11-28", "paid_on": "2026-12-04", "approval": {PRIYA}}}"#);
    let Reply::TipsRecords(recorded) = f.ok(&record).await else {
        panic!("records");
    };
    assert_eq!(recorded.records.len(), 1);
    assert_eq!(
        (recorded.records[0].rule.as_str(), recorded.records[0].tips.0),
        ("server", 300)
    );
    f.refused(&record, ErrorCode::Conflict).await;
    // Sam sees and exports their own records; anyone else's needs the permission.
    let Reply::Export(csv) = f.ok(r#"{"cmd": "export_tips", "staff": "sam"}"#).await else {
        panic!("csv");
    };
    assert!(csv.content.starts_with("period_from,period_to,staff,"));
    assert!(
        csv.content.contains("2026-11-23,2026-11-29,sam,Sam Taylor,300,"),
        "{}",
        csv.content
    );
    f.refused(r#"{"cmd": "tips_records", "staff": "jo"}"#, ErrorCode::ApprovalRequired)
        .await;
    f.refused(r#"{"cmd": "export_tips", "staff": "jo"}"#, ErrorCode::ApprovalRequired)
        .await;
    let Reply::Tips(policy) = f.ok(r#"{"cmd": "tipping_policy"}"#).await else {
        panic!("policy");
    };
    assert!(policy.policy.contains("tips"));
    crate::assert_outbox_speaks_the_protocol(&f).await;
}

#[tokio::test]
async fn choosing_a_pin_cannot_find_others_pins_and_no_pin_is_shared_even_by_the_deactivated() {
    let mut f = Fixture::logged_in().await; // Sam.
                                            // Each PIN that is someone else's counts as a wrong PIN against Sam: five, and choosing is locked.
    let taken = [pin("priya"), pin("jo"), pin("priya"), pin("jo")];
    for p in taken {
        let e = f
            .exec(&format!(
                r#"{{"cmd": "change_pin", "old": "{}", "new": "{p}"}}"#,
                pin("sam")
            ))
            .await
            .expect_err("taken");
        assert_eq!(e.code, ErrorCode::Conflict, "{}", e.message);
    }
    let e = f
        .exec(&format!(
            r#"{{"cmd": "change_pin", "old": "{}", "new": "{}"}}"#,
            pin("sam"),
            pin("jo")
        ))
        .await
        .expect_err("locks");
    assert_eq!(e.code, ErrorCode::LockedOut);
    let e = f
        .exec(&format!(
            r#"{{"cmd": "change_pin", "old": "{}", "new": "5555"}}"#,
            pin("sam")
        ))
        .await
        .expect_err("locked");
    assert_eq!(e.code, ErrorCode::LockedOut, "even a free PIN waits while locked");

    // A deactivated member's PIN stays theirs: nobody else may take it, so bringing them back never
    // makes two members share one.
    let mut f = Fixture::new().await;
    login(&mut f, "priya", pin("priya")).await;
    f.ok(r#"{"cmd": "change_staff", "id": "jo", "active": false}"#).await;
    let e = f
        .exec(&format!(
            r#"{{"cmd": "add_staff", "id": "kim", "name": "Kim", "role": "cashier", "pin": "{}"}}"#,
            pin("jo")
        ))
        .await
        .expect_err("Jo's PIN, though Jo is deactivated");
    assert_eq!(e.code, ErrorCode::Conflict);
}

#[tokio::test]
async fn tips_are_not_recorded_while_someone_is_still_clocked_in_for_the_period() {
    let mut f = Fixture::new().await;
    f.ok(&format!(r#"{{"cmd": "clock_in", "pin": "{}"}}"#, pin("sam")))
        .await;
    login(&mut f, "priya", pin("priya")).await;
    f.clock.advance(8 * 24 * 60 * MINUTE);
    let record = r#"{"cmd": "record_tips", "date": "2026-11-28", "paid_on": "2026-12-04"}"#;
    let e = f.refused(record, ErrorCode::TimeClockRule).await;
    assert!(e.message.contains("still clocked in"), "{}", e.message);
}

/// Every command that changes staff or their records needs `edit_staff`: a cashier is asked for someone's
/// PIN on each of them, and nothing changes until it is given.
#[tokio::test]
async fn every_path_to_staff_records_needs_edit_staff() {
    let mut f = Fixture::new().await;
    f.ok(&format!(r#"{{"cmd": "clock_in", "pin": "{}"}}"#, pin("jo"))).await;
    login(&mut f, "sam", pin("sam")).await;
    let from = crate::NOW_MS;
    for cmd in [
        r#"{"cmd": "add_staff", "id": "kim", "name": "Kim", "role": "cashier", "pin": "4321"}"#.to_owned(),
        r#"{"cmd": "change_staff", "id": "jo", "name": "Joanna"}"#.to_owned(),
        r#"{"cmd": "change_staff", "id": "jo", "active": false}"#.to_owned(),
        r#"{"cmd": "reset_pin", "staff": "jo", "pin": "4321"}"#.to_owned(),
        format!(r#"{{"cmd": "adjust_shift", "shift": 1, "clock_in": {from}, "clock_out": {from}, "reason": "x"}}"#),
        r#"{"cmd": "record_tips", "date": "2026-11-21", "paid_on": "2026-11-28"}"#.to_owned(),
    ] {
        f.refused(&cmd, ErrorCode::ApprovalRequired).await;
    }
    // Sam's own PIN on the overlay is no one's approval for it.
    let own = format!(
        r#"{{"cmd": "change_staff", "id": "jo", "name": "Joanna", "approval": {{"pin": "{}"}}}}"#,
        pin("sam")
    );
    assert_eq!(f.exec(&own).await.expect_err("not allowed").code, ErrorCode::WrongPin);
}
