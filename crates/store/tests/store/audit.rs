//! The audit chain (`audit.rs`) and the shifts tables' guards (`shifts.rs`, the `shifts` migration): ops
//! and sensitive order events are chained; every single changed byte of any entry is found, and so is an
//! entry removed, swapped or cut from the end; closed sessions, Z reports, cash movements and tips
//! records refuse to change.

use fynlo_core::{cash::CashCount, cash::MovementKind, order::OrderCommand, Minor};
use fynlo_store::{Close, Store};
use proptest::prelude::*;
use serde_json::json;
use sqlx::{Row, SqliteConnection};

use crate::{add, dine_in, raw, staff, Fixture};

const COLUMNS: [&str; 9] = [
    "no",
    "at",
    "staff_id",
    "action",
    "journal_seq",
    "item",
    "detail",
    "prev_hash",
    "hash",
];

/// A store with a dozen entries: settings, staff, a drawer session with a pay-out, and an order whose
/// line is voided after it was sent.
async fn chained() -> Fixture {
    let f = Fixture::new().await;
    f.store
        .set_restaurant(&crate::restaurant(), &f.write())
        .await
        .expect("settings");
    for id in ["sam", "jo"] {
        f.clock.tick();
        f.store
            .put_staff(&staff(id, id, fynlo_core::staff::Role::Cashier), &f.write())
            .await
            .expect("staff");
    }
    let float = CashCount::new([(2000, 5)].into_iter().collect()).expect("a count");
    let session = f
        .store
        .open_drawer_session(&crate::date("2026-11-22"), &float, &f.staff, &f.write())
        .await
        .expect("a session");
    f.store
        .add_movement(
            session.number,
            MovementKind::PayOut,
            Minor::new(350),
            "milk",
            None,
            &f.write(),
        )
        .await
        .expect("a pay-out");
    let order = f.open_order(dine_in()).await.expect("an order");
    let (order, _) = f.run(&order, add("beer", Some("pint"), &[], 1)).await.expect("a line");
    let (order, _) = f.run(&order, OrderCommand::SendToKitchen).await.expect("sent");
    f.run(
        &order,
        OrderCommand::VoidLine {
            line: fynlo_core::ids::LineNo::new(1),
            reason: "dropped".into(),
        },
    )
    .await
    .expect("voided");
    f.store.settle().await.expect("the order's entries are chained");
    f
}

/// The raw connection with the append-only triggers dropped, as someone editing the file would.
async fn tamperer(f: &Fixture) -> SqliteConnection {
    let mut conn = raw(&f.path).await;
    for trigger in ["audit_log_no_update", "audit_log_no_delete"] {
        sqlx::query(&format!("DROP TRIGGER {trigger}"))
            .execute(&mut conn)
            .await
            .expect("drops a trigger");
    }
    conn
}

async fn problems(store: &Store) -> Vec<(i64, &'static str)> {
    let check = store.verify_audit().await.expect("the check runs");
    check.problems.iter().map(|p| (p.no, p.kind)).collect()
}

#[tokio::test]
async fn ops_and_sensitive_events_are_chained_without_secrets() {
    let f = chained().await;
    let entries = f.store.audit_entries(100, None).await.expect("entries");
    let actions: Vec<&str> = entries.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "settings.updated",
            "staff.updated",
            "staff.updated",
            "drawer.session_opened",
            "drawer.pay_out",
            "order.line_voided"
        ]
    );
    let check = f.store.verify_audit().await.expect("a check");
    assert!(check.problems.is_empty(), "{:?}", check.problems);
    assert_eq!((check.entries, check.head.as_str()), (6, entries[0].hash.as_str()));
    assert!(entries.iter().all(|e| !e.detail.contains("argon2")));
    // Settling again adds nothing twice.
    f.store.settle().await.expect("settles");
    assert_eq!(f.store.audit_entries(100, None).await.expect("entries").len(), 6);
    // The triggers refuse edits and deletes outright.
    let mut conn = raw(&f.path).await;
    assert!(sqlx::query("UPDATE audit_log SET detail = '{}' WHERE no = 2")
        .execute(&mut conn)
        .await
        .is_err());
    assert!(sqlx::query("DELETE FROM audit_log WHERE no = 6")
        .execute(&mut conn)
        .await
        .is_err());
}

#[tokio::test]
async fn a_removed_swapped_or_cut_entry_is_found_and_named() {
    let f = chained().await;
    let mut conn = tamperer(&f).await;
    // Removed from the middle.
    let kept: (String,) = sqlx::query_as("SELECT json_object('no', no) FROM audit_log WHERE no = 3")
        .fetch_one(&mut conn)
        .await
        .expect("row");
    sqlx::query("CREATE TABLE saved AS SELECT * FROM audit_log WHERE no = 3")
        .execute(&mut conn)
        .await
        .expect("saved");
    sqlx::query("DELETE FROM audit_log WHERE no = 3")
        .execute(&mut conn)
        .await
        .expect("deleted");
    assert!(!kept.0.is_empty());
    // Entry 4 no longer follows entry 2, and the op entry 3 recorded has no entry now.
    assert_eq!(problems(&f.store).await, [(4, "removed"), (7, "missing")]);
    sqlx::query("INSERT INTO audit_log SELECT * FROM saved")
        .execute(&mut conn)
        .await
        .expect("back");
    assert!(problems(&f.store).await.is_empty());
    // Entries 2 and 3 swapped, numbers and all.
    for sql in [
        "UPDATE audit_log SET no = 100 WHERE no = 2",
        "UPDATE audit_log SET no = 2 WHERE no = 3",
        "UPDATE audit_log SET no = 3 WHERE no = 100",
    ] {
        sqlx::query(sql).execute(&mut conn).await.expect("swaps");
    }
    let found = problems(&f.store).await;
    assert!(
        found.contains(&(2, "reordered")) && found.contains(&(3, "reordered")),
        "{found:?}"
    );
    for sql in [
        "UPDATE audit_log SET no = 100 WHERE no = 2",
        "UPDATE audit_log SET no = 2 WHERE no = 3",
        "UPDATE audit_log SET no = 3 WHERE no = 100",
    ] {
        sqlx::query(sql).execute(&mut conn).await.expect("swaps back");
    }
    assert!(problems(&f.store).await.is_empty());
    sqlx::query("DELETE FROM audit_log WHERE no >= 3")
        .execute(&mut conn)
        .await
        .expect("cut");
    // Cut from the end: the three ops journaled since (a member of staff, the session, the pay-out) have
    // no entries. (The void's entry is cut too; the chain alone cannot tell, which is why its head goes
    // to the cloud.)
    let found = problems(&f.store).await;
    assert!(
        found.iter().all(|(_, kind)| *kind == "missing") && found.len() == 3,
        "{found:?}"
    );
}

/// Every column of every entry, as text.
async fn cells(conn: &mut SqliteConnection) -> Vec<Vec<String>> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM audit_log ORDER BY no",
        COLUMNS.map(|c| format!("CAST({c} AS TEXT)")).join(", ")
    ))
    .fetch_all(&mut *conn)
    .await
    .expect("rows");
    rows.iter()
        .map(|r| (0..COLUMNS.len()).map(|i| r.get::<String, _>(i)).collect())
        .collect()
}

#[test]
fn any_single_changed_byte_of_any_entry_is_found() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let (f, conn, original) = runtime.block_on(async {
        let f = chained().await;
        let mut conn = tamperer(&f).await;
        let original = cells(&mut conn).await;
        (f, conn, original)
    });
    let rows = original.len();
    let conn = tokio::sync::Mutex::new(conn);
    proptest!(ProptestConfig::with_cases(400), |(row in 0..rows, column in 0..COLUMNS.len(), at in any::<prop::sample::Index>(), byte in 0x20u8..0x7f)| {
        let text = &original[row][column];
        let i = at.index(text.len());
        prop_assume!(text.as_bytes()[i] != byte);
        let mut bytes = text.as_bytes().to_vec();
        bytes[i] = byte;
        let changed = String::from_utf8(bytes).expect("ASCII");
        let no = &original[row][0];
        let found = runtime.block_on(async {
            let mut conn = conn.lock().await;
            // `no` is the key: change it by its old value; anything else, on its row. A change the
            // table's own constraints refuse (a key that is not a number, or taken) cannot be made.
            let edited = sqlx::query(&format!("UPDATE audit_log SET {} = ? WHERE no = ?", COLUMNS[column]))
                .bind(&changed)
                .bind(no)
                .execute(&mut *conn)
                .await;
            if edited.is_err() {
                return None;
            }
            let found = problems(&f.store).await;
            let key = if column == 0 { changed.clone() } else { no.clone() };
            sqlx::query(&format!("UPDATE audit_log SET {} = ? WHERE CAST(no AS TEXT) = ?", COLUMNS[column]))
                .bind(text)
                .bind(&key)
                .execute(&mut *conn)
                .await
                .expect("puts it back");
            Some(found)
        });
        prop_assume!(found.is_some());
        let found = found.unwrap_or_default();
        prop_assert!(!found.is_empty(), "byte {i} of {} in entry {no} changed to {:?} went unseen", COLUMNS[column], byte as char);
        let whole = runtime.block_on(problems(&f.store));
        prop_assert!(whole.is_empty(), "put back, the chain is whole again: {whole:?}");
    });
}

#[tokio::test]
async fn closed_sessions_z_reports_movements_and_tips_records_never_change() {
    let f = Fixture::new().await;
    let float = CashCount::new([(1000, 2)].into_iter().collect()).expect("a count");
    let s = f
        .store
        .open_drawer_session(&crate::date("2026-11-22"), &float, &f.staff, &f.write())
        .await
        .expect("opens");
    assert!(matches!(
        f.store
            .open_drawer_session(&crate::date("2026-11-22"), &float, &f.staff, &f.write())
            .await,
        Err(fynlo_store::Error::SessionOpen(1))
    ));
    f.store
        .add_movement(
            s.number,
            MovementKind::PayIn,
            Minor::new(500),
            "change",
            None,
            &f.write(),
        )
        .await
        .expect("a pay-in");
    let report = json!({"z_number": 1});
    f.store
        .close_drawer_session(
            &Close {
                session: s.number,
                count: &float,
                counted: Minor::new(2000),
                expected: Minor::new(2500),
                over_short: Minor::new(-500),
                note: Some("short"),
                z_number: 1,
                report: &report,
                daily: &report,
                requested_by: &f.staff,
            },
            &f.write(),
        )
        .await
        .expect("closes");
    assert!(matches!(
        f.store
            .add_movement(s.number, MovementKind::PayOut, Minor::new(100), "x", None, &f.write())
            .await,
        Err(fynlo_store::Error::NoOpenSession)
    ));
    let mut conn = raw(&f.path).await;
    for sql in [
        "UPDATE drawer_sessions SET counted = 2500 WHERE number = 1",
        "DELETE FROM drawer_sessions",
        "UPDATE z_reports SET report = '{}'",
        "DELETE FROM z_reports",
        "INSERT INTO z_reports (number, session, report, created_at) VALUES (3, 1, '{}', 0)",
        "UPDATE cash_movements SET amount = 1",
        "DELETE FROM cash_movements",
        "INSERT INTO cash_movements (session, kind, amount, reason, staff_id, at) VALUES (1, 'pay_out', 5, 'x', 'a', 0)",
        "INSERT INTO drawer_sessions (number, business_date, opened_at, opened_by, float_count, float) VALUES (2, 'd', 0, 'a', '{}', 0), (3, 'd', 0, 'a', '{}', 0)",
    ] {
        assert!(sqlx::query(sql).execute(&mut conn).await.is_err(), "{sql} must be refused");
    }
    assert_eq!(f.store.z_report(1).await.expect("reads"), Some(report));
    let tip = |from: &str| fynlo_store::TipRecord {
        period_from: crate::date(from),
        period_to: crate::date("2026-11-29"),
        staff: fynlo_core::ids::StaffId::new("sam").expect("id"),
        name: "Sam".into(),
        tips: Minor::new(300),
        service_charge: Minor::ZERO,
        minutes: 60,
        rule: "server".into(),
        paid_on: crate::date("2026-12-04"),
        recorded_by: fynlo_core::ids::StaffId::new("priya").expect("id"),
        recorded_at: f.clock_now(),
    };
    f.store
        .record_tips(&[tip("2026-11-23")], &f.write())
        .await
        .expect("records");
    assert!(matches!(
        f.store.record_tips(&[tip("2026-11-25")], &f.write()).await,
        Err(fynlo_store::Error::TipsRecorded { .. })
    ));
    for sql in ["UPDATE tips_records SET tips = 1", "DELETE FROM tips_records"] {
        assert!(
            sqlx::query(sql).execute(&mut conn).await.is_err(),
            "{sql} must be refused"
        );
    }
    assert!(f.store.verify_audit().await.expect("checks").problems.is_empty());
}
