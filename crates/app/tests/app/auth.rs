//! Logging in (`auth.rs` and the till's session): each demo PIN finds its member of staff; a wrong PIN is
//! refused and counted for the audit trail; a locked till refuses everything but logging in, `whoami`,
//! `logout` and `menu`.

use fynlo_app::{setup::DEMO_PINS, ErrorCode, Reply};
use fynlo_core::time::Timestamp;

use crate::{pin, session_of, Fixture};

#[tokio::test]
async fn each_demo_pin_logs_its_member_in() {
    let mut f = Fixture::new().await;
    let expected = [
        ("priya", "Priya Shah", "manager"),
        ("sam", "Sam Taylor", "cashier"),
        ("jo", "Jo Evans", "cashier"),
    ];
    assert_eq!(DEMO_PINS.len(), expected.len());
    for (id, name, role) in expected {
        let session = session_of(f.ok(&format!(r#"{{"cmd": "login", "pin": "{}"}}"#, pin(id))).await);
        let staff = session.staff.expect("someone is logged in");
        assert_eq!(
            (staff.id.as_str(), staff.name.as_str(), staff.role.as_str()),
            (id, name, role)
        );
        assert_eq!(session.current_order, None);
        // Naming the member skips checking everyone else's hash, and finds the same person.
        let named = session_of(
            f.ok(&format!(r#"{{"cmd": "login", "pin": "{}", "staff": "{id}"}}"#, pin(id)))
                .await,
        );
        assert_eq!(named.staff.expect("logged in").id, id);
        let whoami = session_of(f.ok(r#"{"cmd": "whoami"}"#).await);
        assert_eq!(whoami.staff.expect("logged in").id, id);
    }
    // Three members, each logging in twice: six `auth.logged_in` ops (for the audit chain) beyond the
    // setup's five, and nothing else.
    let ops = f.till.store().outbox_after(5, 100).await.expect("outbox");
    assert_eq!(ops.len(), 6, "logging in queues its own op and nothing else");
    assert!(ops.iter().all(|o| o.op_type == "auth.logged_in"));
}

/// Logs in with `pin` (and a member of staff, if named), which must be refused as a wrong PIN: queued for
/// the audit trail without the PIN, counted, and changing nothing else.
async fn wrong_pin(f: &mut Fixture, pin: &str, staff: Option<&str>) {
    let json = match staff {
        Some(id) => format!(r#"{{"cmd": "login", "pin": "{pin}", "staff": "{id}"}}"#),
        None => format!(r#"{{"cmd": "login", "pin": "{pin}"}}"#),
    };
    let before = f.snapshot().await;
    let err = f.exec(&json).await.expect_err("the PIN is refused");
    assert_eq!(err.code, ErrorCode::WrongPin, "{json}: {err}");
    let after = f.snapshot().await;
    assert_eq!(after.pin_failures, before.pin_failures + 1, "{json}");
    assert!(err.message.starts_with("wrong PIN"), "{json}: {}", err.message);
    assert!(
        pin.len() < 4 || !err.message.contains(pin),
        "{json}: the error echoes the PIN"
    );
    assert_eq!(after.outbox.count, before.outbox.count + 1, "{json}");
    assert!(after.outbox.is_gapless());
    let queued = f
        .till
        .store()
        .outbox_after(before.outbox.max_seq, 10)
        .await
        .expect("reads the outbox");
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].op_type, "auth.pin_failed");
    // Who typed it, where and for whom — never the PIN.
    let payload = &queued[0].payload;
    assert_eq!(payload["screen"], "login", "{payload}");
    assert_eq!(payload["target"], staff.unwrap_or("*"), "{payload}");
    assert_eq!(
        payload["typed_by"],
        serde_json::json!(before.session.staff.as_ref().map(|s| s.id.clone()))
    );
    let keys: Vec<&String> = payload.as_object().expect("an object").keys().collect();
    assert_eq!(
        keys,
        ["screen", "typed_by", "target", "failures", "locked_until"],
        "{payload}"
    );
    assert!(
        pin.len() < 4 || !payload.to_string().contains(pin),
        "the typed PIN never leaves the till: {payload}"
    );
    assert_eq!(after.orders, before.orders, "{json}");
    assert_eq!(
        after.session, before.session,
        "{json}: a wrong PIN leaves the session as it was"
    );
}

#[tokio::test]
async fn a_wrong_pin_is_refused_and_counted() {
    let mut f = Fixture::new().await;
    wrong_pin(&mut f, "0000", None).await;
    wrong_pin(&mut f, "999999", None).await;
    // Priya's PIN is not Sam's, and nobody is called "nobody".
    wrong_pin(&mut f, pin("priya"), Some("sam")).await;
    wrong_pin(&mut f, pin("sam"), Some("nobody")).await;
    assert_eq!(
        f.till
            .store()
            .pin_failures_since(Timestamp::from_millis(0))
            .await
            .expect("counts"),
        4
    );

    // While Sam is logged in, someone else's wrong PIN does not log Sam out.
    f.ok(&format!(r#"{{"cmd": "login", "pin": "{}"}}"#, pin("sam"))).await;
    wrong_pin(&mut f, "1111", None).await;
    let session = session_of(f.ok(r#"{"cmd": "whoami"}"#).await);
    assert_eq!(session.staff.expect("still logged in").id, "sam");
}

#[tokio::test]
async fn a_malformed_pin_is_a_wrong_pin() {
    let mut f = Fixture::new().await;
    for (n, bad) in ["", "12", "1234567", "12a4", " 1357", "13 57"].into_iter().enumerate() {
        if n == 3 {
            // Four wrong in a row would be one away from locking: an hour with no wrong PIN starts the
            // till-wide count again (a right PIN does not: anyone's own PIN would reset a guesser's).
            f.clock.advance(fynlo_core::lockout::QUIET_MS);
        }
        wrong_pin(&mut f, bad, None).await;
    }
}

#[tokio::test]
async fn a_locked_till_refuses_every_order_command() {
    let mut f = Fixture::logged_in().await;
    let order = f
        .order(r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "3", "covers": 2}, "alias": "t3"}"#)
        .await;
    f.ok(r#"{"cmd": "add_line", "sku": "MN01"}"#).await;
    let logged_out = session_of(f.ok(r#"{"cmd": "logout"}"#).await);
    assert_eq!((logged_out.staff, logged_out.current_order), (None, None));

    // Every command of the type but the four that work locked, whatever it names — the till refuses
    // before it looks at any field.
    let mut refused = 0;
    for json in crate::command::EXAMPLES {
        if crate::parse(json).works_locked() {
            continue;
        }
        f.refused(json, ErrorCode::NotLoggedIn).await;
        refused += 1;
    }
    assert_eq!(
        refused,
        fynlo_app::Command::names().len() - 8,
        "every command but login, logout, whoami, menu and the time clock's four punches"
    );
    let id = &order.id;

    // These four answer a locked till.
    assert!(matches!(f.ok(r#"{"cmd": "whoami"}"#).await, Reply::Session(_)));
    assert!(matches!(f.ok(r#"{"cmd": "menu"}"#).await, Reply::Menu(_)));
    assert!(matches!(f.ok(r#"{"cmd": "logout"}"#).await, Reply::Session(_)));
    f.ok(&format!(r#"{{"cmd": "login", "pin": "{}"}}"#, pin("jo"))).await;
    let order = f.order(&format!(r#"{{"cmd": "show_order", "order": "{id}"}}"#)).await;
    assert_eq!(
        (order.version, order.lines.len()),
        (2, 1),
        "the order is as Sam left it"
    );
}

#[tokio::test]
async fn logging_in_again_starts_a_new_session() {
    let mut f = Fixture::logged_in().await;
    let order = f
        .order(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}, "alias": "mine"}"#)
        .await;
    assert_eq!(f.current().await.as_deref(), Some(order.id.as_str()));
    f.ok(&format!(r#"{{"cmd": "login", "pin": "{}"}}"#, pin("priya"))).await;
    assert_eq!(
        f.current().await,
        None,
        "a new member of staff starts with no current order"
    );
    f.refused(r#"{"cmd": "show_order", "order": "mine"}"#, ErrorCode::NotFound)
        .await;
    // The order itself is still there, by id.
    let shown = f
        .order(&format!(r#"{{"cmd": "show_order", "order": "{}"}}"#, order.id))
        .await;
    assert_eq!((shown.alias, shown.opened_by.as_str()), (None, "sam"));
}

/// Logs in with `json`; returns the error.
async fn refused_login(f: &mut Fixture, json: &str) -> fynlo_app::AppError {
    f.exec(json).await.expect_err("refused")
}

// Regression: a cashier found the manager's PIN through the approval overlay in about a minute — 25 ms
// a try and no lockout.
#[tokio::test]
async fn five_wrong_pins_lock_pin_entry_for_a_minute_then_longer() {
    let mut f = Fixture::new().await;
    let wrong = r#"{"cmd": "login", "pin": "0000"}"#;
    let right = format!(r#"{{"cmd": "login", "pin": "{}"}}"#, pin("sam"));
    for tries_left in [4, 3, 2, 1] {
        let e = refused_login(&mut f, wrong).await;
        assert_eq!(e.code, ErrorCode::WrongPin);
        assert!(
            e.message.contains(&tries_left.to_string()) || tries_left == 1,
            "{}",
            e.message
        );
        assert_eq!(e.retry_after, None);
    }
    let e = refused_login(&mut f, wrong).await;
    assert_eq!(
        (e.code, e.retry_after),
        (ErrorCode::LockedOut, Some(60)),
        "{}",
        e.message
    );
    assert!(e.message.contains("1 minute"), "the till says how long: {}", e.message);
    // While locked, even the right PIN is not checked, and nothing is recorded.
    f.clock.advance(59_000);
    let before = f.snapshot().await;
    assert_eq!(before.session.pin_locked_for, Some(1), "whoami says how long, too");
    let e = refused_login(&mut f, &right).await;
    assert_eq!((e.code, e.retry_after), (ErrorCode::LockedOut, Some(1)));
    assert_eq!(f.snapshot().await, before, "a locked attempt changes nothing");
    // A minute on, one more wrong PIN locks it again for two; then four, eight, fifteen, fifteen.
    for minutes in [2, 4, 8, 15, 15] {
        f.clock.advance(15 * 60_000);
        let e = refused_login(&mut f, wrong).await;
        assert_eq!((e.code, e.retry_after), (ErrorCode::LockedOut, Some(minutes * 60)));
    }
    f.clock.advance(15 * 60_000);
    assert_eq!(session_of(f.ok(&right).await).staff.map(|s| s.id), Some("sam".into()));
    // The right PIN does not clear the till-wide count (anyone's own PIN would reset a guesser's); an hour
    // with no wrong PIN does: five more wrong ones are then needed to lock again.
    f.ok(r#"{"cmd": "logout"}"#).await;
    assert_eq!(refused_login(&mut f, wrong).await.code, ErrorCode::LockedOut);
    f.clock.advance(fynlo_core::lockout::QUIET_MS + 15 * 60_000);
    for _ in 0..4 {
        assert_eq!(refused_login(&mut f, wrong).await.code, ErrorCode::WrongPin);
    }
    assert_eq!(refused_login(&mut f, wrong).await.code, ErrorCode::LockedOut);
}

#[tokio::test]
async fn a_named_member_of_staff_is_locked_alone() {
    let mut f = Fixture::new().await;
    for _ in 0..5 {
        let e = refused_login(&mut f, r#"{"cmd": "login", "pin": "0000", "staff": "priya"}"#).await;
        assert!(matches!(e.code, ErrorCode::WrongPin | ErrorCode::LockedOut));
    }
    let e = refused_login(
        &mut f,
        &format!(r#"{{"cmd": "login", "pin": "{}", "staff": "priya"}}"#, pin("priya")),
    )
    .await;
    assert_eq!(e.code, ErrorCode::LockedOut, "Priya's PIN is locked, named");
    // Others, and PINs typed without a name, are not.
    let sam = format!(r#"{{"cmd": "login", "pin": "{}", "staff": "sam"}}"#, pin("sam"));
    assert_eq!(session_of(f.ok(&sam).await).staff.map(|s| s.id), Some("sam".into()));
    // A staff id that does not exist is locked the same way, so locks never tell who exists.
    for _ in 0..5 {
        refused_login(&mut f, r#"{"cmd": "login", "pin": "0000", "staff": "nobody"}"#).await;
    }
    let e = refused_login(&mut f, r#"{"cmd": "login", "pin": "0000", "staff": "nobody"}"#).await;
    assert_eq!(e.code, ErrorCode::LockedOut);
}

#[tokio::test]
async fn wrong_manager_pins_on_the_overlay_lock_it_and_say_who_typed_them() {
    let mut f = Fixture::logged_in().await;
    f.ok(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#).await;
    f.ok(r#"{"cmd": "add_line", "sku": "MN01"}"#).await;
    let discount = |pin: &str| {
        format!(
            r#"{{"cmd": "set_order_discount", "discount": {{"type": "percent", "rate_bp": 5000, "reason": "x"}},
                "approval": {{"pin": "{pin}"}}}}"#
        )
    };
    for _ in 0..4 {
        assert_eq!(
            f.exec(&discount("0000")).await.expect_err("wrong").code,
            ErrorCode::WrongPin
        );
    }
    let e = f.exec(&discount("0000")).await.expect_err("locks");
    assert_eq!((e.code, e.retry_after), (ErrorCode::LockedOut, Some(60)));
    assert!(e.message.starts_with("wrong approval PIN"), "{}", e.message);
    let e = f.exec(&discount(pin("priya"))).await.expect_err("locked");
    assert_eq!(e.code, ErrorCode::LockedOut, "the manager's own PIN waits too");
    let ops = f.till.store().outbox_after(0, 100).await.expect("reads");
    let failed: Vec<_> = ops.iter().filter(|op| op.op_type == "auth.pin_failed").collect();
    assert_eq!(failed.len(), 5);
    for op in failed {
        assert_eq!(
            (&op.payload["screen"], &op.payload["typed_by"], &op.payload["target"]),
            (&"approval".into(), &"sam".into(), &"*".into())
        );
    }
    f.clock.advance(60_000);
    let o = crate::order_of(f.ok(&discount(pin("priya"))).await);
    assert_eq!(o.discount.map(|d| d.rate_bp), Some(Some(5000)));
}
