//! The approval rules on the order's state (`order/approval.rs`): every path that takes a discount past
//! the threshold, or stops the service charge, asks for a manager — not only the command made for it —
//! and cancelling what the kitchen has seen follows the void rule. Hand-checked cases, each a regression
//! from the hostile review.

use fynlo_core::{
    ids::{LineNo, StaffId},
    order::{ApprovalRule, Ctx, LineChange, Order, OrderCommand, OrderEvent, OrderKind},
    settings::ServiceChargeKind,
    time::Timestamp,
    Error, Minor,
};

use crate::{add_line, ctx, dine_in, fixed, line_discount, menu, open, percent, policy};

/// A cashier with no manager's approval.
fn cashier() -> Ctx {
    Ctx::new(
        Timestamp::from_millis(1_795_000_000_000),
        StaffId::new("sam").expect("valid"),
    )
}

/// Runs a command as the cashier; the order and the events, or the error.
fn as_cashier(order: &Order, cmd: &OrderCommand) -> Result<(Order, Vec<OrderEvent>), Error> {
    order.execute(cmd, &menu(), &cashier())
}

/// Runs a command with the fixture's manager approving; the order and its events.
fn approved(order: &Order, cmd: &OrderCommand) -> (Order, Vec<OrderEvent>) {
    order
        .execute(cmd, &menu(), &ctx())
        .unwrap_or_else(|e| panic!("{cmd:?} refused even with approval: {e}"))
}

fn quantity(line: u32, q: i64) -> OrderCommand {
    OrderCommand::ChangeLine {
        line: LineNo::new(line),
        change: LineChange {
            quantity: Some(q),
            ..LineChange::default()
        },
    }
}

fn no_sc() -> fynlo_core::settings::ServiceChargePolicy {
    policy(false, 0, ServiceChargeKind::Discretionary, true)
}

/// Ten sandwiches (£45.00) with a £4.50 fixed discount: exactly 10 %, within the cashier's limit.
fn ten_with_fixed_discount() -> Order {
    let o = open(OrderKind::Takeaway, no_sc());
    let (o, _) = as_cashier(&o, &add_line("sandwich", None, &[], 10)).expect("adds");
    let (o, _) = as_cashier(&o, &line_discount(1, fixed(450))).expect("10 % needs no manager");
    o
}

// Regression: a £4 fixed discount on ten portions of chips, then the quantity cut to one, gave a £0 order
// that the cashier completed.
#[test]
fn cutting_the_quantity_under_a_fixed_discount_asks_for_a_manager() {
    let o = ten_with_fixed_discount();
    assert_eq!(
        as_cashier(&o, &quantity(1, 1)).err(),
        Some(Error::ApprovalRequired("a line discount this large"))
    );
    // More of the line dilutes the discount: no approval needed.
    let (more, events) = as_cashier(&o, &quantity(1, 12)).expect("a smaller share");
    assert_eq!(events.len(), 1);
    assert_eq!(more.totals().expect("prices").line_discounts, Minor::new(450));
    // With a manager the cut goes through, and the approval is recorded with what it covered.
    let (one, events) = approved(&o, &quantity(1, 1));
    assert_eq!(one.totals().expect("prices").total, Minor::ZERO);
    assert!(matches!(
        events.last(),
        Some(OrderEvent::Approved { rules, .. }) if rules == &[ApprovalRule::LineDiscount { line: LineNo::new(1) }]
    ));
    // What the manager allowed stays allowed: going back up needs nothing.
    as_cashier(&one, &quantity(1, 5)).expect("a smaller share than approved");
}

// Regression: removing lines under an order discount gave 75 % off.
#[test]
fn removing_lines_under_an_order_discount_asks_for_a_manager() {
    let o = open(OrderKind::Takeaway, no_sc());
    let (o, _) = as_cashier(&o, &add_line("sandwich", None, &[], 1)).expect("adds");
    let (o, _) = as_cashier(&o, &add_line("cake", None, &[], 1)).expect("adds");
    let (o, _) = as_cashier(&o, &add_line("loaf", None, &[], 1)).expect("adds");
    // £11.55 of lines; £1.15 off is just under 10 %.
    let (o, _) = as_cashier(&o, &OrderCommand::SetOrderDiscount(Some(fixed(115)))).expect("within the limit");
    assert_eq!(
        as_cashier(&o, &OrderCommand::RemoveLine(LineNo::new(1))).err(),
        Some(Error::ApprovalRequired("an order discount this large"))
    );
    // A line discount shrinks what the order discount applies to: the same rule.
    assert_eq!(
        as_cashier(&o, &line_discount(3, percent(1000))).err(),
        Some(Error::ApprovalRequired("an order discount this large"))
    );
    let (o, events) = approved(&o, &OrderCommand::RemoveLine(LineNo::new(1)));
    assert!(matches!(events.last(), Some(OrderEvent::Approved { .. })));
    assert_eq!(o.totals().expect("prices").order_discount, Minor::new(115));
}

#[test]
fn a_percentage_discount_keeps_its_share_whatever_the_quantity() {
    let o = open(OrderKind::Takeaway, no_sc());
    let (o, _) = as_cashier(&o, &add_line("beer", Some("pint"), &[], 3)).expect("adds");
    let (o, _) = approved(&o, &line_discount(1, percent(5000)));
    // 50 % of 1, 2 or 7 pints is still 50 %: what the manager allowed.
    for q in [1, 2, 7] {
        let (_, events) = as_cashier(&o, &quantity(1, q)).expect("the same share");
        assert_eq!(events.len(), 1, "no approval recorded for {q}");
    }
    // A bigger percentage is a new decision.
    assert_eq!(
        as_cashier(&o, &line_discount(1, percent(6000))).err(),
        Some(Error::ApprovalRequired("a line discount this large"))
    );
    assert!(
        as_cashier(&o, &line_discount(1, percent(1000))).is_ok(),
        "within the limit again"
    );
}

// Regression: switching a dine-in order to takeaway dropped its service charge with no reason and no
// approval, which removing it outright needs.
#[test]
fn switching_to_takeaway_drops_the_service_charge_only_with_a_reason_and_a_manager() {
    let o = open(dine_in(), policy(true, 1250, ServiceChargeKind::Discretionary, true));
    let (o, _) = as_cashier(&o, &add_line("sandwich", None, &[], 2)).expect("adds");
    let to_go = |reason: Option<&str>| OrderCommand::SetKind {
        kind: OrderKind::Takeaway,
        reason: reason.map(str::to_owned),
    };
    assert_eq!(as_cashier(&o, &to_go(None)).err(), Some(Error::ReasonRequired));
    assert_eq!(
        as_cashier(&o, &to_go(Some("leaving early"))).err(),
        Some(Error::ApprovalRequired("removing the service charge"))
    );
    let (gone, events) = approved(&o, &to_go(Some("leaving early")));
    assert_eq!(gone.totals().expect("prices").service_charge, Minor::ZERO);
    assert!(matches!(
        &events[0],
        OrderEvent::KindChanged { reason: Some(r), .. } if r == "leaving early"
    ));
    assert!(matches!(
        events.last(),
        Some(OrderEvent::Approved { rules, .. }) if rules == &[ApprovalRule::ServiceChargeDropped]
    ));
    // Moving table, or an order whose charge is already off, needs neither.
    let move_table = OrderCommand::SetKind {
        kind: OrderKind::DineIn {
            table: "9".into(),
            covers: 2,
        },
        reason: None,
    };
    as_cashier(&o, &move_table).expect("moving table keeps the charge");
    let removed = OrderCommand::SetServiceCharge {
        enabled: false,
        reason: Some("complaint".into()),
    };
    assert_eq!(
        as_cashier(&o, &removed).err(),
        Some(Error::ApprovalRequired("removing the service charge"))
    );
    let (off, _) = approved(&o, &removed);
    as_cashier(&off, &to_go(None)).expect("nothing more to drop");
}

// Regression: cancelling an order with sent or served lines needed no approval, while voiding one of its
// lines did.
#[test]
fn cancelling_what_the_kitchen_has_seen_follows_the_void_rule() {
    let cancel = OrderCommand::Cancel { reason: "left".into() };
    let o = open(dine_in(), no_sc());
    let (o, _) = as_cashier(&o, &add_line("sandwich", None, &[], 1)).expect("adds");
    as_cashier(&o, &cancel).expect("nothing sent: the cashier may cancel");
    let (sent, _) = as_cashier(&o, &OrderCommand::SendToKitchen).expect("sends");
    for state in [None, Some(fynlo_core::order::OrderState::Served)] {
        let o = match state {
            None => sent.clone(),
            Some(s) => {
                let (o, _) = as_cashier(
                    &sent,
                    &OrderCommand::SetStatus(fynlo_core::order::OrderState::Preparing),
                )
                .expect("moves");
                let (o, _) =
                    as_cashier(&o, &OrderCommand::SetStatus(fynlo_core::order::OrderState::Ready)).expect("moves");
                as_cashier(&o, &OrderCommand::SetStatus(s)).expect("served").0
            }
        };
        assert_eq!(
            as_cashier(&o, &cancel).err(),
            Some(Error::ApprovalRequired("cancelling an order the kitchen has seen"))
        );
        let (_, events) = approved(&o, &cancel);
        assert!(matches!(
            &events[0],
            OrderEvent::Cancelled { approved_by: Some(by), .. } if by.as_str() == "alice"
        ));
    }
    // Once every sent line is voided (with approval), there is nothing left the kitchen must stop.
    let (voided, _) = approved(
        &sent,
        &OrderCommand::VoidLine {
            line: LineNo::new(1),
            reason: "wrong table".into(),
        },
    );
    as_cashier(&voided, &cancel).expect("no sent line left");
}

// Regression: cash tendered had no upper bound (`i64::MAX` accepted, with £92 quadrillion change).
#[test]
fn amounts_beyond_the_limits_are_refused() {
    let o = open(OrderKind::Takeaway, no_sc());
    let (o, _) = as_cashier(&o, &add_line("sandwich", None, &[], 1)).expect("adds");
    let cash = |tendered: i64, tip: i64| OrderCommand::TakeCash {
        payment: fynlo_core::ids::PaymentId::from_uuid(uuid::Uuid::from_u128(77)),
        tendered: Minor::new(tendered),
        tip: Minor::new(tip),
        part: None,
    };
    for (tendered, tip, what) in [
        (i64::MAX, 0, "cash handed over is at most 10000.00"),
        (1_000_001, 0, "cash handed over is at most 10000.00"),
        (1_000_000, 500_001, "a tip is at most 5000.00"),
    ] {
        let e = as_cashier(&o, &cash(tendered, tip)).expect_err("over the limit");
        assert_eq!(e.to_string(), what);
    }
    let (paid, _) = as_cashier(&o, &cash(1_000_000, 0)).expect("£10,000 is the most");
    assert_eq!(paid.payments()[0].change, Minor::new(1_000_000 - 450));
    let mut o = open(OrderKind::Takeaway, no_sc());
    for _ in 0..fynlo_core::limits::MAX_LINES {
        o = as_cashier(&o, &add_line("chew", None, &[], 1)).expect("adds").0;
    }
    assert!(matches!(
        as_cashier(&o, &add_line("chew", None, &[], 1)),
        Err(Error::OverLimit { max: 500, .. })
    ));
}

// Found looking for other limits: an order's history had no bound, so a million park and resume taps
// (or payment attempts failed on purpose) made an order whose every read replayed them all. At the bound
// new changes are refused, but what a provider says about a payment already started is still recorded.
#[test]
fn an_orders_history_is_bounded_but_a_providers_answer_is_always_recorded() {
    use fynlo_core::{fees::FeeSchedule, ids::PaymentId, payment::PaymentStatus, payment::Tender};
    let o = open(OrderKind::Takeaway, no_sc());
    let (mut o, _) = as_cashier(&o, &add_line("sandwich", None, &[], 1)).expect("adds");
    let payment = PaymentId::from_uuid(uuid::Uuid::from_u128(78));
    let start = OrderCommand::StartPayment {
        payment,
        key: "k-78".into(),
        tender: Tender::Card,
        amount: Minor::new(450),
        tip: Minor::ZERO,
        surcharge: Minor::ZERO,
        part: None,
    };
    o = as_cashier(&o, &start).expect("starts a card payment").0;
    let max = fynlo_core::limits::MAX_CHANGES;
    let mut taps = 0;
    while o.version() < max {
        let tap = if o.parked() {
            OrderCommand::Resume
        } else {
            OrderCommand::Park
        };
        o = as_cashier(&o, &tap).expect("under the bound").0;
        taps += 1;
        assert!(taps <= max, "the loop is bounded");
    }
    assert_eq!(o.version(), max);
    let tap = if o.parked() {
        OrderCommand::Resume
    } else {
        OrderCommand::Park
    };
    assert_eq!(
        as_cashier(&o, &tap).expect_err("past the bound").to_string(),
        "the number of changes to one order is at most 5000"
    );
    let said = OrderCommand::UpdatePayment {
        payment,
        status: PaymentStatus::Succeeded,
        provider_ref: Some("pi_78".into()),
        note: None,
        fees: FeeSchedule::default(),
    };
    let (paid, _) = as_cashier(&o, &said).expect("the provider's answer is recorded");
    assert_eq!(paid.payments()[0].status, PaymentStatus::Succeeded);
    assert!(paid.version() > max);
}
