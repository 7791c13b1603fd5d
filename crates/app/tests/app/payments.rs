//! Payments through the command set: card and pay-by-bank attempts against the simulator (declines,
//! `requires_action`, timeouts, cancels), split bills paid part by part with a tip, refunds with manager
//! approval, fee quotes, servers, and the surcharging ban. Pennies are worked out by hand in comments.

use fynlo_app::{
    setup::{init, SetupFile},
    view::{OrderView, PaymentView},
    ErrorCode, Reply,
};

use crate::{order_of, FixedClock, Fixture};

fn last(o: &OrderView) -> &PaymentView {
    o.payments.last().expect("a payment")
}

/// Takeaway fish & chips (1650) and a cola (295): 1945, standard-rated, no service charge.
async fn takeaway(f: &mut Fixture) -> OrderView {
    f.order(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#).await;
    f.order(r#"{"cmd": "add_line", "product": "fish-chips"}"#).await;
    f.order(r#"{"cmd": "add_line", "product": "cola"}"#).await
}

#[tokio::test]
async fn card_declines_actions_timeouts_and_cancels_follow_the_provider() {
    let mut f = Fixture::logged_in().await;
    let o = takeaway(&mut f).await;
    assert_eq!(o.totals.total.0, 1945);

    // A decline is an answer: the attempt is failed, nothing is paid, and it is saved.
    let o = f
        .order(r#"{"cmd": "pay", "tender": "card", "simulate": "decline"}"#)
        .await;
    assert_eq!(
        (last(&o).status.as_str(), last(&o).note.as_deref()),
        ("failed", Some("declined: card_declined"))
    );
    assert!(o.saved);
    let o = f
        .order(r#"{"cmd": "pay", "tender": "pay_by_bank", "simulate": "insufficient_funds"}"#)
        .await;
    assert_eq!(last(&o).note.as_deref(), Some("declined: insufficient_funds"));
    assert_eq!((o.totals.paid.0, o.payment_state.as_str()), (0, "unpaid"));

    // The customer must approve 945 in their banking app: pending, and it holds its amount.
    let o = f
        .order(r#"{"cmd": "pay", "tender": "pay_by_bank", "amount": 945, "simulate": "requires_action"}"#)
        .await;
    let waiting = last(&o).id.clone();
    assert_eq!(last(&o).status.as_str(), "pending");
    assert!(last(&o)
        .provider_ref
        .as_deref()
        .is_some_and(|r| r.starts_with("pi_sim_")));
    assert_eq!(o.in_flight.0, 945);
    // The simulator has no page for the customer to scan; a card or an unknown payment has none either.
    let page = |payment: &str| {
        format!(
            r#"{{"cmd": "payment_page", "order": "{}", "payment": "{payment}"}}"#,
            o.id
        )
    };
    let e = f.refused(&page(&waiting), ErrorCode::PaymentRule).await;
    assert!(e.message.contains("no page"), "{e}");
    let declined = o.payments[0].id.clone();
    let e = f.refused(&page(&declined), ErrorCode::PaymentRule).await;
    assert!(e.message.contains("only a pay-by-bank payment"), "{e}");
    let e = f.refused(&page(&o.payments[1].id), ErrorCode::PaymentRule).await;
    assert!(e.message.contains("failed, not waiting"), "{e}");
    f.refused(&page("0190b6a4-7c2e-7d3a-9f00-000000000009"), ErrorCode::NotFound)
        .await;
    f.refused(&page("not-an-id"), ErrorCode::NotFound).await;
    f.refused(
        r#"{"cmd": "pay", "tender": "card", "amount": 1001}"#,
        ErrorCode::PaymentRule,
    )
    .await;
    f.refused(r#"{"cmd": "cancel", "reason": "left"}"#, ErrorCode::PaymentRule)
        .await;
    // Cash takes what is left (1945 - 945 = 1000) and gives 500 change.
    let o = f.order(r#"{"cmd": "take_cash", "tendered": 1500}"#).await;
    assert_eq!((last(&o).amount.0, last(&o).change.0), (1000, 500));
    assert_eq!(o.state.as_str(), "pending");
    // Checking again finds it approved: the order completes.
    let o = f
        .order(&format!(
            r#"{{"cmd": "check_payment", "order": "{}", "payment": "{waiting}"}}"#,
            o.id
        ))
        .await;
    assert_eq!(o.state.as_str(), "completed");
    assert_eq!(o.payments[2].status.as_str(), "succeeded");
    // 0.2 % of 945 = 1.89 → 2; platform 9.45 → 9.
    assert_eq!(o.payments[2].fee.0, 11);

    // A timeout: the provider took the money but the till never heard. Checking finds it.
    let o = takeaway(&mut f).await;
    let o2 = f
        .order(r#"{"cmd": "pay", "tender": "card", "simulate": "timeout"}"#)
        .await;
    assert_eq!(last(&o2).status.as_str(), "pending");
    assert!(last(&o2).note.as_deref().is_some_and(|n| n.contains("did not answer")));
    let id = last(&o2).id.clone();
    let o = f
        .order(&format!(
            r#"{{"cmd": "check_payment", "order": "{}", "payment": "{id}"}}"#,
            o.id
        ))
        .await;
    assert_eq!((o.state.as_str(), o.totals.paid.0), ("completed", 1945));

    // Cancel a pending attempt, then pay with a 10 % tip: 1945 × 10 % = 194.5 → 195.
    let o = takeaway(&mut f).await;
    let o2 = f
        .order(r#"{"cmd": "pay", "tender": "card", "simulate": "requires_action"}"#)
        .await;
    let id = last(&o2).id.clone();
    let o2 = f
        .order(&format!(
            r#"{{"cmd": "cancel_payment", "order": "{}", "payment": "{id}"}}"#,
            o.id
        ))
        .await;
    assert_eq!(last(&o2).status.as_str(), "cancelled");
    f.refused(
        &format!(r#"{{"cmd": "check_payment", "order": "{}", "payment": "{id}"}}"#, o.id),
        ErrorCode::PaymentRule,
    )
    .await;
    let o = f
        .order(&format!(
            r#"{{"cmd": "pay", "order": "{}", "tender": "card", "tip": {{"type": "percent", "rate_bp": 1000}}}}"#,
            o.id
        ))
        .await;
    assert_eq!((last(&o).amount.0, last(&o).tip.0, o.tips.0), (1945, 195, 195));
    // Card on the whole charge 2140: 2.9 % = 62.06 → 62, + 30 = 92; platform 21.4 → 21. Never from the tip.
    assert_eq!(last(&o).fee.0, 113);
    assert_eq!((o.state.as_str(), o.payment_state.as_str()), ("completed", "paid"));
}

/// Dine-in, three fish & chips (4950) with 12.5 % service (618.75 → 619): 5569.
async fn table_of_three(f: &mut Fixture) -> OrderView {
    f.order(r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "5", "covers": 3}, "alias": "t5"}"#)
        .await;
    f.order(r#"{"cmd": "add_line", "product": "fish-chips", "quantity": 3}"#)
        .await
}

#[tokio::test]
async fn a_three_way_split_paid_by_cash_and_card_with_a_tip_on_one_part() {
    let mut f = Fixture::logged_in().await;
    let o = table_of_three(&mut f).await;
    assert_eq!(o.totals.total.0, 5569);
    let o = f
        .order(r#"{"cmd": "split_bill", "split": {"type": "even", "parts": 3}}"#)
        .await;
    let split = o.split.as_ref().expect("split");
    let totals: Vec<i64> = split.parts.iter().map(|p| p.total.0).collect();
    assert_eq!(totals, [1857, 1856, 1856]);
    // Food 4950 → 1650.59, 1649.70, 1649.70 and service 619 → 206.41, 206.30, 206.30, rounded as one table.
    let shares: Vec<(i64, i64)> = split
        .parts
        .iter()
        .map(|p| (p.lines[0].net.0, p.service_charge.0))
        .collect();
    assert_eq!(shares, [(1650, 207), (1650, 206), (1650, 206)]);
    f.refused(r#"{"cmd": "take_cash", "tendered": 2000}"#, ErrorCode::PaymentRule)
        .await;
    f.refused(
        r#"{"cmd": "take_cash", "tendered": 2000, "part": 4}"#,
        ErrorCode::NotFound,
    )
    .await;

    let o = f.order(r#"{"cmd": "take_cash", "tendered": 2000, "part": 1}"#).await;
    assert_eq!((last(&o).amount.0, last(&o).change.0), (1857, 143));
    // Part 2 tips 10 % of its food after discounts (1650), never of its service charge: 165.
    let o = f
        .order(r#"{"cmd": "pay", "tender": "card", "part": 2, "tip": {"type": "percent", "rate_bp": 1000}}"#)
        .await;
    assert_eq!((last(&o).amount.0, last(&o).tip.0), (1856, 165));
    let parts = &o.split.as_ref().expect("split").parts;
    assert_eq!(
        (parts[0].due.0, parts[1].due.0, parts[1].tips.0, parts[2].due.0),
        (0, 0, 165, 1856)
    );
    f.refused(r#"{"cmd": "pay", "tender": "card", "part": 2}"#, ErrorCode::NothingToDo)
        .await;
    let o = f.order(r#"{"cmd": "set_servers", "staff": ["sam", "jo"]}"#).await;
    assert_eq!(o.state.as_str(), "pending");
    let o = f.order(r#"{"cmd": "take_cash", "tendered": 1856, "part": 3}"#).await;
    assert_eq!((o.state.as_str(), o.totals.balance.0, o.tips.0), ("completed", 0, 165));
    // Tips 165 and service 619 shared by Sam and Jo: 83/82 and 310/309.
    let shares: Vec<(&str, i64, i64)> = o
        .servers
        .iter()
        .map(|g| (g.staff.as_str(), g.tips.0, g.service_charge.0))
        .collect();
    assert_eq!(shares, [("sam", 83, 310), ("jo", 82, 309)]);
    f.refused(
        r#"{"cmd": "set_servers", "order": "t5", "staff": ["nobody"]}"#,
        ErrorCode::NotFound,
    )
    .await;
}

#[tokio::test]
async fn a_split_by_item_and_splitting_again_after_a_partial_payment() {
    let mut f = Fixture::logged_in().await;
    table_of_three(&mut f).await;
    f.order(r#"{"cmd": "add_line", "product": "garlic-bread"}"#).await;
    // 4950 + 500 = 5450, service 681.25 → 681: 6131. Garlic bread shared by all three; fish to each.
    let o = f
        .order(
            r#"{"cmd": "split_bill", "split": {"type": "by_item", "parts": 2,
                "items": [{"line": 1, "weights": [2, 1]}, {"line": 2, "weights": [1, 1]}]}}"#,
        )
        .await;
    let parts = &o.split.as_ref().expect("split").parts;
    // Regression: this checked only that the parts add up. By hand: the service charge 681 is carried
    // 619 by the fish (681 × 4950 / 5450 = 618.52) and 62 by the bread (62.48), by largest remainder.
    // Part 1 has two thirds of the fish — 3300 exactly, service 412.67 → 413 — and half the bread,
    // 250 and 31; part 2 has 1650 and 206.33 → 206, 250 and 31. Totals 3994 (of 3993.67) and 2137
    // (of 2137.33). VAT 5450 / 6 = 908.33 → 908 over 3550 : 1900 of standard-rated food → 591.45 and
    // 316.55 → 591 and 317 (the larger remainder).
    let cells = |p: &fynlo_app::view::PartView| -> Vec<(u32, i64, i64)> {
        p.lines
            .iter()
            .map(|l| (l.line, l.gross.0, l.service_charge.0))
            .collect()
    };
    assert_eq!(cells(&parts[0]), [(1, 3300, 413), (2, 250, 31)]);
    assert_eq!(cells(&parts[1]), [(1, 1650, 206), (2, 250, 31)]);
    assert_eq!((parts[0].total.0, parts[1].total.0), (3994, 2137));
    let vat = |p: &fynlo_app::view::PartView| (p.vat[0].gross.0, p.vat[0].vat.0, p.vat[0].net.0);
    assert_eq!((vat(&parts[0]), vat(&parts[1])), ((3550, 591, 2959), (1900, 317, 1583)));
    f.refused(
        r#"{"cmd": "split_bill", "split": {"type": "by_item", "parts": 2, "items": [{"line": 1, "weights": [1, 1]}]}}"#,
        ErrorCode::SplitRule,
    )
    .await;
    f.refused(
        r#"{"cmd": "split_bill", "split": {"type": "by_amount", "amounts": [1000, 1000]}}"#,
        ErrorCode::SplitRule,
    )
    .await;
    // Clear it, take 131 on account, and split the 6000 left by amount.
    f.order(r#"{"cmd": "split_bill", "split": null}"#).await;
    f.order(r#"{"cmd": "take_cash", "tendered": 131}"#).await;
    let o = f
        .order(r#"{"cmd": "split_bill", "split": {"type": "by_amount", "amounts": [4000, 2000]}}"#)
        .await;
    let split = o.split.as_ref().expect("split");
    assert_eq!(
        (split.settled.0, split.parts[0].total.0, split.parts[1].total.0),
        (131, 4000, 2000)
    );
    let o = f.order(r#"{"cmd": "take_cash", "tendered": 4000, "part": 1}"#).await;
    let o2 = f.order(r#"{"cmd": "pay", "tender": "card", "part": 2}"#).await;
    assert_eq!((o.state.as_str(), o2.state.as_str()), ("pending", "completed"));
}

#[tokio::test]
async fn refunds_go_back_to_their_tender_with_a_managers_approval() {
    let mut f = Fixture::logged_in().await;
    table_of_three(&mut f).await;
    f.order(r#"{"cmd": "split_bill", "split": {"type": "even", "parts": 3}}"#)
        .await;
    f.order(r#"{"cmd": "take_cash", "tendered": 1857, "part": 1}"#).await;
    f.order(r#"{"cmd": "pay", "tender": "card", "part": 2}"#).await;
    let o = f.order(r#"{"cmd": "take_cash", "tendered": 1856, "part": 3}"#).await;
    assert_eq!(o.state.as_str(), "completed");
    let card = o.payments[1].id.clone();
    let cash = o.payments[0].id.clone();
    let refund =
        |payment: &str, rest: &str| format!(r#"{{"cmd": "refund", "order": "t5", "payment": "{payment}", {rest}}}"#);

    // Sam is a cashier: no approval, Jo's PIN (a cashier) and a wrong PIN are all refused. Only managers'
    // PINs are tried on the overlay, so Jo's is just a wrong manager PIN — it never tells whose it is.
    let one_fish = r#""lines": [{"line": 1, "quantity": 1}], "reason": "cold""#;
    f.refused(&refund(&card, one_fish), ErrorCode::ApprovalRequired).await;
    let jo = format!(r#"{one_fish}, "approval": {{"pin": "8080"}}"#);
    let e = f.exec(&refund(&card, &jo)).await.expect_err("not a manager's PIN");
    assert_eq!(e.code, ErrorCode::WrongPin);
    assert!(
        !e.message.contains("Jo") && !e.message.contains("8080"),
        "{}",
        e.message
    );
    let wrong = format!(r#"{one_fish}, "approval": {{"pin": "9999"}}"#);
    let e = f.exec(&refund(&card, &wrong)).await.expect_err("wrong PIN");
    assert_eq!(e.code, ErrorCode::WrongPin);
    let no_reason = r#""amount": 100, "reason": " ", "approval": {"pin": "2468"}"#;
    f.refused(&refund(&card, no_reason), ErrorCode::ReasonRequired).await;

    // One fish of three: (4950 + 619) / 3 = 1856.33 → 1856, through the provider, approved by Priya.
    let priya = format!(r#"{one_fish}, "approval": {{"pin": "2468", "staff": "priya"}}"#);
    let o = order_of(f.ok(&refund(&card, &priya)).await);
    let r = o.refunds.last().expect("a refund");
    assert_eq!(
        (r.amount.0, r.status.as_str(), r.approved_by.as_str(), r.tender.as_str()),
        (1856, "succeeded", "priya", "card")
    );
    assert_eq!(o.payment_state.as_str(), "partly_refunded");
    assert_eq!(o.payments[1].refundable.0, 0);
    f.refused(
        &refund(&card, r#""amount": 1, "reason": "x", "approval": {"pin": "2468"}"#),
        ErrorCode::RefundRule,
    )
    .await;
    // Cash by amount, from the drawer at once; then the rest of everything.
    let o = order_of(
        f.ok(&refund(
            &cash,
            r#""amount": 1857, "reason": "complaint", "approval": {"pin": "2468"}"#,
        ))
        .await,
    );
    assert_eq!(o.refunds.last().map(|r| r.status.as_str()), Some("succeeded"));
    let third = o.payments[2].id.clone();
    let o = order_of(
        f.ok(&refund(
            &third,
            r#""amount": 1856, "reason": "complaint", "approval": {"pin": "2468"}"#,
        ))
        .await,
    );
    assert_eq!((o.refunded.0, o.payment_state.as_str()), (5569, "refunded"));

    // Refunds are for completed orders.
    f.order(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}, "alias": "open"}"#)
        .await;
    f.order(r#"{"cmd": "add_line", "product": "cola"}"#).await;
    let o = f.order(r#"{"cmd": "take_cash", "tendered": 100}"#).await;
    let p = o.payments[0].id.clone();
    f.refused(
        &format!(r#"{{"cmd": "refund", "order": "open", "payment": "{p}", "amount": 100, "reason": "x", "approval": {{"pin": "2468"}}}}"#),
        ErrorCode::RefundRule,
    )
    .await;
}

#[tokio::test]
async fn recent_orders_fee_quotes_and_recovery() {
    let mut f = Fixture::logged_in().await;
    takeaway(&mut f).await;
    f.order(r#"{"cmd": "pay", "tender": "card"}"#).await;
    let Reply::Orders(recent) = f.ok(r#"{"cmd": "recent_orders", "limit": 5}"#).await else {
        panic!("orders")
    };
    assert_eq!(recent.orders.len(), 1);
    assert_eq!(recent.orders[0].state.as_str(), "completed");
    f.refused(r#"{"cmd": "recent_orders", "limit": 0}"#, ErrorCode::InvalidInput)
        .await;

    let Reply::FeeQuote(q) = f.ok(r#"{"cmd": "fee_quote", "amount": 2000}"#).await else {
        panic!("quote")
    };
    let rows: Vec<(&str, i64)> = q.methods.iter().map(|m| (m.tender.as_str(), m.total.0)).collect();
    assert_eq!(rows, [("cash", 0), ("card", 108), ("pay_by_bank", 24)]);
    assert_eq!((q.pay_by_bank_saves.0, q.customer_pays_fee), (84, false));

    // A timed-out attempt is found succeeded by recovery.
    takeaway(&mut f).await;
    f.order(r#"{"cmd": "pay", "tender": "card", "simulate": "timeout"}"#)
        .await;
    let Reply::Recovered(r) = f.ok(r#"{"cmd": "recover_payments"}"#).await else {
        panic!("recovered")
    };
    assert_eq!(r.attempts.len(), 1);
    assert_eq!(
        (r.attempts[0].kind.as_str(), r.attempts[0].status.as_str()),
        ("payment", "succeeded")
    );
    let Reply::Recovered(r) = f.ok(r#"{"cmd": "recover_payments"}"#).await else {
        panic!("recovered")
    };
    assert!(r.attempts.is_empty());
}

#[tokio::test]
async fn the_guest_never_pays_the_fee_in_gbp() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut setup = SetupFile::demo().expect("demo");
    setup.restaurant.customer_pays_fee = true;
    let ids = crate::Counter::default();
    let Err(e) = init(&dir.path().join("till.db"), &setup, &FixedClock, &ids).await else {
        panic!("a GBP restaurant may not pass the fee to the guest")
    };
    assert_eq!(e.code, ErrorCode::SurchargeBanned);
    assert!(e.message.contains("surcharg"), "{}", e.message);
    assert!(!dir.path().join("till.db").exists(), "nothing was created");
}

#[tokio::test]
async fn a_euro_restaurant_may_pass_the_fee_to_the_guest() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut setup = SetupFile::demo().expect("demo");
    setup.restaurant.currency = fynlo_core::Currency::EUR;
    setup.restaurant.customer_pays_fee = true;
    let ids = std::sync::Arc::new(crate::Counter::default());
    let path = dir.path().join("till.db");
    let store = init(&path, &setup, &FixedClock, ids.as_ref())
        .await
        .expect("allowed outside GBP");
    let clock = std::sync::Arc::new(crate::TestClock::default());
    let till = fynlo_app::Till::with_store(store, crate::services(ids, std::sync::Arc::clone(&clock)))
        .await
        .expect("starts");
    let mut f = Fixture::of(dir, path, till, clock);
    f.ok(r#"{"cmd": "login", "pin": "1357"}"#).await;
    takeaway(&mut f).await;
    let o = f.order(r#"{"cmd": "pay", "tender": "card"}"#).await;
    // The fee on 1945: 2.9 % = 56.4 → 56, + 30 = 86; platform 19.45 → 19: 105 on top.
    let p = last(&o);
    assert_eq!((p.amount.0, p.surcharge.0, p.tendered.0), (1945, 105, 2050));
    assert_eq!((o.totals.paid.0, o.tips.0, o.state.as_str()), (1945, 0, "completed"));
    let Reply::FeeQuote(q) = f.ok(r#"{"cmd": "fee_quote", "amount": 100}"#).await else {
        panic!("quote")
    };
    assert!(q.customer_pays_fee);
}

#[tokio::test]
async fn a_manager_prices_a_line_by_hand() {
    let mut f = Fixture::logged_in().await;
    takeaway(&mut f).await;
    f.refused(
        r#"{"cmd": "override_price", "line": 1, "unit_price": 1000, "reason": "regular"}"#,
        ErrorCode::ApprovalRequired,
    )
    .await;
    f.refused(
        r#"{"cmd": "override_price", "line": 1, "unit_price": 1000, "approval": {"pin": "2468"}}"#,
        ErrorCode::ReasonRequired,
    )
    .await;
    let o = f
        .order(r#"{"cmd": "override_price", "line": 1, "unit_price": 1000, "reason": "regular", "approval": {"pin": "2468"}}"#)
        .await;
    // Fish & chips at 1000 instead of 1650, with the cola 295: 1295.
    assert_eq!(o.totals.total.0, 1295);
    let p = o.lines[0].price_override.as_ref().expect("override");
    assert_eq!(
        (p.unit_price.0, p.by.as_str(), p.approved_by.as_str()),
        (1000, "sam", "priya")
    );
    let o = f
        .order(r#"{"cmd": "override_price", "line": 1, "unit_price": null, "approval": {"pin": "2468"}}"#)
        .await;
    assert_eq!(o.totals.total.0, 1945);
}

/// The tip prompt's and the cash screen's figures come from the core: the UI only shows them.
#[tokio::test]
async fn tip_options_and_cash_quotes_are_worked_out_by_the_core() {
    let mut f = Fixture::logged_in().await;
    f.order(r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "2", "covers": 2}}"#)
        .await;
    f.order(r#"{"cmd": "add_line", "product": "fish-chips"}"#).await;
    let o = f.order(r#"{"cmd": "add_line", "product": "cola"}"#).await;
    // 16.50 + 2.95 = 19.45; 12.5 % service is 2.43125 → 2.43; total 21.88.
    assert_eq!((o.totals.total.0, o.totals.due.0), (2188, 2188));

    let Reply::TipOptions(t) = f.ok(r#"{"cmd": "tip_options"}"#).await else {
        panic!("tip options")
    };
    // The base is the food and drink after discounts, never the service charge: 19.45.
    // 5 % = 97.25 → 97, 10 % = 194.5 → 195 (half up), 20 % = 389.
    assert_eq!((t.amount.0, t.base.0, t.enabled, t.custom), (2188, 1945, true, true));
    let presets: Vec<(u32, i64)> = t.presets.iter().map(|p| (p.rate_bp, p.tip.0)).collect();
    assert_eq!(presets, [(500, 97), (1000, 195), (2000, 389)]);
    assert_eq!(t.custom_tip, None);

    // Paying 10.00 of 21.88 tips on that share of the base: 19.45 × 1000 / 2188 = 8.8894 → 8.89;
    // 15 % of it is 1.3335 → 1.33.
    let Reply::TipOptions(t) = f
        .ok(r#"{"cmd": "tip_options", "amount": 1000, "custom": {"type": "percent", "rate_bp": 1500}}"#)
        .await
    else {
        panic!("tip options")
    };
    assert_eq!((t.base.0, t.custom_tip.map(|a| a.0)), (889, Some(133)));
    assert_eq!(t.presets[1].tip.0, 89, "10 % of 8.89 is 0.889 → 0.89");
    f.refused(r#"{"cmd": "tip_options", "amount": 0}"#, ErrorCode::InvalidInput)
        .await;
    f.refused(r#"{"cmd": "tip_options", "part": 1}"#, ErrorCode::NotFound)
        .await;

    for (json, expected) in [
        (r#"{"cmd": "cash_quote", "tendered": 5000}"#, (2188, 2188, 0, 2812)),
        (
            r#"{"cmd": "cash_quote", "tendered": 5000, "tip": 312}"#,
            (2188, 2188, 312, 2500),
        ),
        (r#"{"cmd": "cash_quote", "tendered": 1000}"#, (2188, 1000, 0, 0)),
    ] {
        let Reply::CashQuote(q) = f.ok(json).await else {
            panic!("a cash quote")
        };
        assert_eq!((q.due.0, q.amount.0, q.tip.0, q.change.0), expected, "{json}");
    }
    f.refused(
        r#"{"cmd": "cash_quote", "tendered": 100, "tip": 200}"#,
        ErrorCode::PaymentRule,
    )
    .await;
    f.refused(r#"{"cmd": "cash_quote", "tendered": 1000001}"#, ErrorCode::InvalidInput)
        .await;
    // A quote changes nothing: the cash is then taken with the same figures.
    let o = f.order(r#"{"cmd": "take_cash", "tendered": 5000, "tip": 312}"#).await;
    let p = &o.payments[0];
    assert_eq!((p.amount.0, p.tip.0, p.change.0), (2188, 312, 2500));
}
