//! `fynlo audit verify` and `fynlo audit list` on a database a till wrote, before and after someone edits
//! it by hand: the chain is whole, then the edited entry is named and the exit code says so.

use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions};

use crate::DemoTill;

#[test]
fn audit_verify_names_an_entry_edited_by_hand_and_exits_four() {
    let till = DemoTill::create();
    let script = [
        r#"{"cmd": "login", "pin": "2468"}"#,
        r#"{"cmd": "open_session", "float": {"2000": 5}}"#,
        r#"{"cmd": "pay_out", "amount": 450, "reason": "milk"}"#,
        r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#,
        r#"{"cmd": "add_line", "sku": "SD01"}"#,
        r#"{"cmd": "take_cash", "tendered": 400}"#,
    ]
    .join("\n");
    let (ok, lines) = till.exec(&script);
    assert!(ok, "{lines:?}");
    let out = till.run(&["audit", "verify"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.starts_with("audit chain whole: "), "{text}");
    let list = till.run(&["audit", "list", "--action", "drawer."]);
    let actions: Vec<String> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("a JSON line")["action"].to_string())
        .collect();
    assert_eq!(actions, [r#""drawer.pay_out""#, r#""drawer.session_opened""#]);

    // Someone edits the pay-out's amount in the file.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let mut conn = SqliteConnectOptions::new()
            .filename(&till.db)
            .connect()
            .await
            .expect("opens the file");
        sqlx::query("DROP TRIGGER audit_log_no_update")
            .execute(&mut conn)
            .await
            .expect("drops");
        sqlx::query("UPDATE audit_log SET detail = replace(detail, '450', '45') WHERE action = 'drawer.pay_out'")
            .execute(&mut conn)
            .await
            .expect("edits");
    });
    let out = till.run(&["audit", "verify"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(4), "{text}");
    assert!(text.contains("BROKEN") && text.contains("edited"), "{text}");
}
