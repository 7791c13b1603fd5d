//! Pay by bank on a real till through the real cloud's sandbox bank: the till's `pay` makes a payment
//! session and shows its page; the customer approves or declines on the page; `check_payment` records
//! what the bank did — paid once, or declined and the balance taken in cash; `cancel_payment` ends one
//! the customer walked away from; a till with no cloud refuses pay by bank plainly and takes cash.

use serde_json::Value;

use crate::{
    both,
    cloud::{Backend, Cloud},
    support::{options, TestTill},
};

both!(
    a_pay_by_bank_sale_is_paid_on_the_sandbox_page_once,
    a_qr_shown_before_a_restart_is_resumed_and_paid_once,
    the_till_records_the_payment_by_itself_when_the_cloud_says_it_moved,
    a_payment_the_bank_returns_is_listed_for_whoever_may_see_reports
);

/// Opens a table's order with a burger and answers its id.
async fn order_with_a_burger(till: &TestTill) -> String {
    till.run(r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "9", "covers": 1}}"#)
        .await;
    let order = till.value(r#"{"cmd": "add_line", "product": "burger"}"#).await;
    order["id"].as_str().expect("order id").to_owned()
}

/// `cmd` (`check_payment`, `cancel_payment`, `payment_page`) on an order's payment attempt.
fn on_attempt(cmd: &str, order: &str, payment: &Value) -> String {
    let payment = payment["id"].as_str().expect("payment id");
    format!(r#"{{"cmd": "{cmd}", "order": "{order}", "payment": "{payment}"}}"#)
}

fn last_payment(order: &Value) -> Value {
    order["payments"]
        .as_array()
        .and_then(|p| p.last())
        .cloned()
        .unwrap_or_else(|| panic!("a payment: {order}"))
}

/// The page address in the payment's note (the QR code's content).
fn page_of(payment: &Value) -> String {
    let note = payment["note"].as_str().expect("a note");
    let start = note.find("http").unwrap_or_else(|| panic!("a page in {note}"));
    note[start..].trim_end_matches(')').to_owned()
}

/// The cloud's session of a till's pay-by-bank payment, as the restaurant's owner sees it.
async fn session_of(cloud: &Cloud, owner: &crate::cloud::Login, payment: &Value) -> Value {
    let attempt = payment["provider_ref"]
        .as_str()
        .expect("ref")
        .trim_start_matches("pbb_");
    cloud.payment_session_of(owner, attempt).await
}

async fn tap(cloud: &Cloud, page: &str, action: &str) {
    let path = page.strip_prefix(&cloud.url).expect("on this cloud");
    let (status, body) = cloud.call("POST", &format!("{path}/{action}"), None, None).await;
    assert_eq!(status, 200, "{body}");
}

async fn a_pay_by_bank_sale_is_paid_on_the_sandbox_page_once(backend: Backend) {
    let mut cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Bank Bistro").await;
    let till = TestTill::with_bank(options(false)).await;
    till.pair(&cloud, &owner, "Counter").await;

    // Paid: the attempt waits for the customer with the page to show; the customer approves; the
    // till's check records it paid and the order completes.
    let id = order_with_a_burger(&till).await;
    let order = till.value(r#"{"cmd": "pay", "tender": "pay_by_bank"}"#).await;
    let waiting = last_payment(&order);
    assert_eq!(waiting["status"], "pending", "{waiting}");
    assert!(
        waiting["provider_ref"]
            .as_str()
            .is_some_and(|r| r.starts_with("pbb_fynlo-")),
        "{waiting}"
    );
    let page = page_of(&waiting);
    assert!(page.contains("/sandbox/pay/sbx_"), "{page}");
    let payment = waiting["id"].as_str().expect("payment id").to_owned();
    // The page to scan, asked afresh of the cloud: its address drawn as a QR code, what the customer
    // pays, and when the code stops working (15 minutes after the session was made).
    let show_page = format!(r#"{{"cmd": "payment_page", "order": "{id}", "payment": "{payment}"}}"#);
    let shown = till.value(&show_page).await;
    assert_eq!(
        (shown["type"].as_str(), shown["url"].as_str()),
        (Some("payment_page"), Some(page.as_str())),
        "{shown}"
    );
    assert!(
        shown["svg"]
            .as_str()
            .is_some_and(|s| s.starts_with("<svg") && s.contains("<path")),
        "{shown}"
    );
    assert_eq!(shown["amount"], waiting["tendered"], "{shown}");
    assert_eq!(shown["currency"], "GBP");
    let session = session_of(&cloud, &owner, &waiting).await;
    assert_eq!(shown["expires_at"], session["expires_at"], "{shown} {session}");
    assert_eq!(
        session["expires_at"]
            .as_i64()
            .zip(session["created_at"].as_i64())
            .map(|(e, c)| e - c),
        Some(15 * 60 * 1000),
        "{session}"
    );
    let check = format!(r#"{{"cmd": "check_payment", "order": "{id}", "payment": "{payment}"}}"#);
    let still = till.value(&check).await;
    assert_eq!(last_payment(&still)["status"], "pending", "nothing happened yet");
    tap(&cloud, &page, "approve").await;
    // Approved but not yet recorded: the page is no longer one to scan.
    let gone = till.refused(&show_page).await;
    assert_eq!(gone.code, fynlo_app::ErrorCode::PaymentRule, "{gone:?}");
    assert!(gone.message.contains("no longer waiting"), "{gone:?}");
    let paid = till.value(&check).await;
    assert_eq!(last_payment(&paid)["status"], "succeeded", "{paid}");
    assert_eq!(paid["state"], "completed", "{paid}");
    let done = till.refused(&show_page).await;
    assert!(done.message.contains("succeeded, not waiting"), "{done:?}");
    let session = session_of(&cloud, &owner, &waiting).await;
    // Refunds go back through the cloud's bank, with a manager's approval as ever: part, then more
    // than is left (refused, with the bank's reason; nothing sent), then the rest.
    let refund = |amount: i64| {
        format!(
            r#"{{"cmd": "refund", "order": "{id}", "payment": "{payment}", "amount": {amount}, "reason": "cold", "approval": {{"pin": "2468"}}}}"#
        )
    };
    let charged_now = waiting["amount"].as_i64().expect("amount");
    let part = till.value(&refund(300)).await;
    let refunds = part["refunds"].as_array().expect("refunds");
    assert_eq!(
        (refunds[0]["status"].as_str(), refunds[0]["amount"].as_i64()),
        (Some("succeeded"), Some(300)),
        "{part}"
    );
    let over = till.refused(&refund(charged_now)).await;
    assert_eq!(
        over.code,
        fynlo_app::ErrorCode::RefundRule,
        "the till's own rule first: {over:?}"
    );
    let rest = till.value(&refund(charged_now - 300)).await;
    assert_eq!(
        rest["refunds"]
            .as_array()
            .map(|r| r.iter().filter(|r| r["status"] == "succeeded").count()),
        Some(2),
        "{rest}"
    );
    let sent: (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM payment_refunds WHERE status = 'succeeded'",
    )
    .fetch_one(&cloud.server().state.db.pool)
    .await
    .expect("the cloud's refunds");
    assert_eq!(
        sent,
        (2, charged_now),
        "the bank sent back what the till refunded, once"
    );
    let charged = waiting["amount"].as_i64().expect("amount") + waiting["tip"].as_i64().expect("tip");
    assert_eq!(
        (session["status"].as_str(), session["amount"].as_i64()),
        (Some("executed"), Some(charged)),
        "the session is for what the till asked"
    );

    // Declined: the attempt fails, and the same balance is taken in cash.
    let id = order_with_a_burger(&till).await;
    let order = till.value(r#"{"cmd": "pay", "tender": "pay_by_bank"}"#).await;
    let waiting = last_payment(&order);
    tap(&cloud, &page_of(&waiting), "decline").await;
    let check = on_attempt("check_payment", &id, &waiting);
    let declined = till.value(&check).await;
    let failed = last_payment(&declined);
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(
        failed["note"].as_str().is_some_and(|n| n.contains("declined")),
        "{failed}"
    );
    let cash = till.value(r#"{"cmd": "take_cash", "tendered": 2000}"#).await;
    assert_eq!(cash["state"], "completed", "{cash}");

    // Never scanned: after 15 minutes the code no longer works; the till says it expired and takes the
    // same balance another way.
    let id = order_with_a_burger(&till).await;
    let order = till.value(r#"{"cmd": "pay", "tender": "pay_by_bank"}"#).await;
    let waiting = last_payment(&order);
    cloud.server().state.clock.advance(15 * 60 * 1000 + 1_000);
    let expired = till.value(&on_attempt("check_payment", &id, &waiting)).await;
    assert_eq!(
        (
            last_payment(&expired)["status"].as_str(),
            last_payment(&expired)["note"].as_str()
        ),
        (Some("cancelled"), Some("cancelled at the provider: expired")),
        "{expired}"
    );
    assert_eq!(
        expired["balance"], order["balance"],
        "the same balance is still due: {expired}"
    );
    let cash = till.value(r#"{"cmd": "take_cash", "tendered": 2000}"#).await;
    assert_eq!(cash["state"], "completed", "{cash}");

    // Walked away: the cashier cancels; approving afterwards changes nothing.
    let id = order_with_a_burger(&till).await;
    let order = till.value(r#"{"cmd": "pay", "tender": "pay_by_bank"}"#).await;
    let waiting = last_payment(&order);
    let cancel = on_attempt("cancel_payment", &id, &waiting);
    let cancelled = till.value(&cancel).await;
    assert_eq!(last_payment(&cancelled)["status"], "cancelled", "{cancelled}");
    assert_eq!(
        last_payment(&cancelled)["note"],
        "cancelled at the provider",
        "{cancelled}"
    );
    tap(&cloud, &page_of(&waiting), "approve").await;
    let session = session_of(&cloud, &owner, &waiting).await;
    assert_eq!(
        (session["status"].as_str(), session["failure"].as_str()),
        (Some("failed"), Some("cancelled"))
    );
    till.value(r#"{"cmd": "take_cash", "tendered": 2000}"#).await;

    // No cloud: a till never paired refuses pay by bank at once, and takes cash.
    let alone = TestTill::with_bank(options(false)).await;
    order_with_a_burger(&alone).await;
    let order = alone.value(r#"{"cmd": "pay", "tender": "pay_by_bank"}"#).await;
    let refused = last_payment(&order);
    assert_eq!(refused["status"], "failed", "{refused}");
    assert!(
        refused["note"]
            .as_str()
            .is_some_and(|n| n.contains("needs the network") && n.contains("cash or card")),
        "{refused}"
    );
    let cash = alone.value(r#"{"cmd": "take_cash", "tendered": 2000}"#).await;
    assert_eq!(cash["state"], "completed", "{cash}");
    // Cards still go to the card provider.
    order_with_a_burger(&alone).await;
    let card = alone.value(r#"{"cmd": "pay", "tender": "card"}"#).await;
    assert_eq!(last_payment(&card)["status"], "succeeded", "{card}");

    // A dev build's till never paired pays by bank through the simulator; once paired, the cloud.
    let dev = TestTill::with_bank_as(options(false), true).await;
    order_with_a_burger(&dev).await;
    let order = dev
        .value(r#"{"cmd": "pay", "tender": "pay_by_bank", "simulate": "approve"}"#)
        .await;
    let simulated = last_payment(&order);
    assert_eq!(simulated["status"], "succeeded", "{simulated}");
    assert!(
        !simulated["provider_ref"].as_str().unwrap_or("").starts_with("pbb_"),
        "{simulated}"
    );
    dev.pair(&cloud, &owner, "Dev till").await;
    order_with_a_burger(&dev).await;
    let order = dev
        .value(r#"{"cmd": "pay", "tender": "pay_by_bank", "simulate": "approve"}"#)
        .await;
    let real = last_payment(&order);
    assert_eq!(
        real["status"], "pending",
        "paired: the customer approves on the bank's page: {real}"
    );
    assert!(
        real["provider_ref"].as_str().is_some_and(|r| r.starts_with("pbb_")),
        "{real}"
    );

    // A paired till whose cloud cannot be reached refuses pay by bank plainly too, and takes cash.
    cloud.stop().await;
    order_with_a_burger(&till).await;
    let order = till.value(r#"{"cmd": "pay", "tender": "pay_by_bank"}"#).await;
    let refused = last_payment(&order);
    assert_eq!(refused["status"], "failed", "{refused}");
    assert!(
        refused["note"]
            .as_str()
            .is_some_and(|n| n.contains("cannot be reached") && n.contains("cash or card")),
        "{refused}"
    );
    let cash = till.value(r#"{"cmd": "take_cash", "tendered": 2000}"#).await;
    assert_eq!(cash["state"], "completed", "{cash}");
}

/// The till stops with a pay-by-bank attempt waiting (its QR code shown), the customer pays while it is
/// down, and the till opens again: opening cannot ask the cloud (the sync is not running yet), so the
/// attempt stays waiting; once the engine runs, `recover_payments` finds the session paid and records
/// the payment once — and again changes nothing.
async fn a_qr_shown_before_a_restart_is_resumed_and_paid_once(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Restart Cafe").await;
    let first = TestTill::with_bank(options(false)).await;
    first.pair(&cloud, &owner, "Counter").await;
    let id = order_with_a_burger(&first).await;
    let order = first.value(r#"{"cmd": "pay", "tender": "pay_by_bank"}"#).await;
    let waiting = last_payment(&order);
    let page = page_of(&waiting);
    // The till goes away (its files stay); the customer approves meanwhile.
    let TestTill {
        dir,
        till,
        engine,
        secrets,
    } = first;
    drop(engine);
    drop(till);
    tap(&cloud, &page, "approve").await;
    let again = TestTill::reopen_with_bank(dir, secrets, options(false)).await;
    let order = again
        .value(&format!(r#"{{"cmd": "show_order", "order": "{id}"}}"#))
        .await;
    assert_eq!(
        last_payment(&order)["status"],
        "pending",
        "opening could not ask the cloud: {order}"
    );
    let recovered = again.value(r#"{"cmd": "recover_payments"}"#).await;
    assert!(recovered.to_string().contains("succeeded"), "{recovered}");
    let order = again
        .value(&format!(r#"{{"cmd": "show_order", "order": "{id}"}}"#))
        .await;
    let paid: Vec<&Value> = order["payments"]
        .as_array()
        .expect("payments")
        .iter()
        .filter(|p| p["status"] == "succeeded")
        .collect();
    assert_eq!(paid.len(), 1, "{order}");
    assert_eq!(order["state"], "completed", "{order}");
    let twice = again.value(r#"{"cmd": "recover_payments"}"#).await;
    assert!(
        !twice.to_string().contains("succeeded"),
        "nothing left in flight: {twice}"
    );
}

/// With its sync running (the live socket up), the till records a pay-by-bank payment by itself when
/// the customer approves — even while the till is locked: the cloud's `payment.processed` event makes
/// it ask, as the system — nobody taps Check.
async fn the_till_records_the_payment_by_itself_when_the_cloud_says_it_moved(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Live Larder").await;
    let till = TestTill::with_bank(options(true)).await;
    till.pair(&cloud, &owner, "Counter").await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = tokio::spawn(till.engine.clone().run(stopped));
    till.until_live().await;
    let id = order_with_a_burger(&till).await;
    let order = till.value(r#"{"cmd": "pay", "tender": "pay_by_bank"}"#).await;
    let before = till.engine.status().changes_applied;
    // The cashier locks the till while the customer pays: it records the payment all the same.
    till.run(r#"{"cmd": "logout"}"#).await;
    tap(&cloud, &page_of(&last_payment(&order)), "approve").await;
    let approved = std::time::Instant::now();
    let order_id = fynlo_core::ids::OrderId::parse(&id).expect("an order id");
    loop {
        // Read from the till's database: the till is locked.
        let now = till.till.lock().await.store().order(order_id).await.expect("the order");
        if now.state() == fynlo_core::order::OrderState::Completed {
            let statuses: Vec<&str> = now.payments().iter().map(|p| p.status.as_str()).collect();
            assert_eq!(statuses, ["succeeded"], "paid once");
            break;
        }
        assert!(
            approved.elapsed() < std::time::Duration::from_secs(10),
            "the till never recorded it: {:?}",
            now.state()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    eprintln!("recorded {:?} after the customer approved", approved.elapsed());
    // The UI is told to reload (published just after the payment is recorded).
    while till.engine.status().changes_applied <= before {
        assert!(
            approved.elapsed() < std::time::Duration::from_secs(10),
            "the UI was never told"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let _ = stop.send(true);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), runner).await;
}

/// The bank sends a payment (`executed`: the till records it paid) and returns it at settlement: the
/// till lists it for whoever may see reports (a manager), never for a cashier.
async fn a_payment_the_bank_returns_is_listed_for_whoever_may_see_reports(backend: Backend) {
    use fynlo_sync::{handle, SyncCode, SyncReply, SyncRequest};
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Bounce Bar").await;
    let till = TestTill::with_bank(options(false)).await;
    till.pair(&cloud, &owner, "Counter").await;
    let id = order_with_a_burger(&till).await;
    let order = till.value(r#"{"cmd": "pay", "tender": "pay_by_bank"}"#).await;
    let waiting = last_payment(&order);
    tap(&cloud, &page_of(&waiting), "bounce").await;
    let check = on_attempt("check_payment", &id, &waiting);
    let paid = till.value(&check).await;
    assert_eq!(last_payment(&paid)["status"], "succeeded", "executed is paid: {paid}");
    let nothing = handle(&till.engine, SyncRequest::Flagged).await;
    assert!(nothing.is_err(), "Sam is a cashier");
    // Settlement comes, and the bank returns the money.
    let state = &cloud.server().state;
    state.clock.advance(61_000);
    fynlo_cloud::payments::reconcile_once(state).await.expect("reconciles");

    let refused = handle(&till.engine, SyncRequest::Flagged)
        .await
        .expect_err("a cashier does not see it");
    assert_eq!(refused.code, SyncCode::NotPermitted, "{refused:?}");
    till.run(r#"{"cmd": "login", "pin": "2468"}"#).await;
    let Ok(SyncReply::Flagged { payments }) = handle(&till.engine, SyncRequest::Flagged).await else {
        panic!("a manager sees the returned payments");
    };
    assert_eq!(payments.len(), 1, "{payments:?}");
    let charged = waiting["tendered"].as_i64().expect("charged");
    let attempt = waiting["provider_ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("pbb_"))
        .expect("attempt");
    assert_eq!(
        (
            payments[0].attempt_id.as_str(),
            payments[0].amount,
            payments[0].failure.as_deref()
        ),
        (attempt, charged, Some("returned"))
    );
}
