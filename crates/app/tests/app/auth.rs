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
    assert_eq!(
        f.snapshot().await.outbox.count,
        5,
        "logging in queues nothing beyond the setup"
    );
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
    assert!(
        err.message.contains(&format!("({} wrong", after.pin_failures)),
        "{json}: {}",
        err.message
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
    assert_eq!(
        queued[0].payload,
        serde_json::json!({}),
        "the typed PIN never leaves the till"
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
    for bad in ["", "12", "1234567", "12a4", " 1357", "13 57"] {
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

    let id = &order.id;
    let refused = [
        r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#.to_owned(),
        format!(r#"{{"cmd": "add_line", "order": "{id}", "sku": "MN01"}}"#),
        r#"{"cmd": "add_line", "sku": "MN01"}"#.to_owned(),
        format!(r#"{{"cmd": "change_line", "order": "{id}", "line": 1, "quantity": 2}}"#),
        format!(r#"{{"cmd": "remove_line", "order": "{id}", "line": 1}}"#),
        format!(
            r#"{{"cmd": "void_line", "order": "{id}", "line": 1, "reason": "x", "approval": {{"pin": "2468", "staff": "priya"}}}}"#
        ),
        format!(
            r#"{{"cmd": "set_line_discount", "order": "{id}", "line": 1,
                 "discount": {{"type": "percent", "rate_bp": 5000, "reason": "friend"}}, "approval": {{"pin": "2468", "staff": "priya"}}}}"#
        ),
        format!(
            r#"{{"cmd": "set_order_discount", "order": "{id}",
                 "discount": {{"type": "fixed", "amount": 500, "reason": "friend"}}, "approval": {{"pin": "2468", "staff": "priya"}}}}"#
        ),
        format!(
            r#"{{"cmd": "set_service_charge", "order": "{id}", "enabled": false, "reason": "x", "approval": {{"pin": "2468", "staff": "priya"}}}}"#
        ),
        format!(r#"{{"cmd": "set_order_type", "order": "{id}", "kind": {{"type": "takeaway"}}}}"#),
        format!(r#"{{"cmd": "send_to_kitchen", "order": "{id}"}}"#),
        format!(r#"{{"cmd": "set_status", "order": "{id}", "status": "served"}}"#),
        format!(r#"{{"cmd": "park", "order": "{id}"}}"#),
        format!(r#"{{"cmd": "resume", "order": "{id}"}}"#),
        format!(r#"{{"cmd": "show_order", "order": "{id}"}}"#),
        r#"{"cmd": "open_orders"}"#.to_owned(),
        format!(r#"{{"cmd": "take_cash", "order": "{id}", "tendered": 5000}}"#),
        format!(r#"{{"cmd": "complete", "order": "{id}"}}"#),
        format!(r#"{{"cmd": "cancel", "order": "{id}", "reason": "x"}}"#),
        format!(r#"{{"cmd": "history", "order": "{id}"}}"#),
    ];
    let mut names = std::collections::BTreeSet::new();
    for json in &refused {
        names.insert(crate::parse(json).name());
        f.refused(json, ErrorCode::NotLoggedIn).await;
    }
    assert_eq!(
        names.len(),
        19,
        "every command but login, logout, whoami and menu: {names:?}"
    );

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
