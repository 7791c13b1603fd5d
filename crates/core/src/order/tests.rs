//! Order behaviour: line rules, the state machine, payments, and "a refused command changes nothing".
#![allow(
    clippy::needless_pass_by_value,
    reason = "`run` takes the command by value so each call reads as the command itself"
)]

use super::*;
use crate::{
    catalog::tests::menu,
    ids::{ModifierId, PaymentId, ProductId, VariantId},
    BasisPoints,
};
use uuid::Uuid;

fn ctx() -> Ctx {
    let staff = StaffId::new("alex").expect("valid id");
    Ctx {
        approver: Some(staff.clone()),
        grants: crate::permission::Permissions::all(),
        ..Ctx::new(Timestamp::from_millis(1_700_000_000_000), staff)
    }
}

fn open(kind: OrderKind) -> Order {
    let req = OpenOrder {
        id: OrderId::from_uuid(Uuid::from_u128(1)),
        number: 1,
        business_date: BusinessDate::parse("2026-11-22").expect("date"),
        device: DeviceId::from_uuid(Uuid::from_u128(2)),
        currency: Currency::GBP,
        kind,
        service_charge: ServiceChargePolicy::default(),
    };
    Order::open(req, &ctx()).expect("opens").0
}

fn table() -> OrderKind {
    OrderKind::DineIn {
        table: "12".into(),
        covers: 2,
    }
}

fn line(product: &str, variant: Option<&str>, modifiers: &[&str], quantity: i64) -> OrderCommand {
    OrderCommand::AddLine(LineRequest {
        product: Some(ProductId::new(product).expect("id")),
        variant: variant.map(|v| VariantId::new(v).expect("id")),
        modifiers: modifiers.iter().map(|m| ModifierId::new(*m).expect("id")).collect(),
        quantity,
        ..LineRequest::default()
    })
}

fn run(order: &Order, cmd: OrderCommand) -> Result<Order> {
    order.execute(&cmd, &menu(), &ctx()).map(|(o, _)| o)
}

/// The error a command is refused with. (`Order::execute` borrows the order and hands back a new one, so
/// a refused command cannot change it — the types say so; what a refusal could still change is the
/// till's memory or its database, which the app's tests check after every refused command.)
fn refused(order: &Order, cmd: OrderCommand) -> Error {
    run(order, cmd).expect_err("command must be refused")
}

#[test]
fn modifier_and_variant_rules_are_enforced() {
    let o = open(table());
    assert!(matches!(
        refused(&o, line("burger", None, &[], 1)),
        Error::TooFewModifiers { min: 1, chosen: 0, .. }
    ));
    assert!(matches!(
        refused(&o, line("burger", None, &["rare", "well"], 1)),
        Error::TooManyModifiers { max: 1, chosen: 2, .. }
    ));
    assert!(matches!(
        refused(&o, line("burger", None, &["rare", "cheese", "bacon", "no-bun"], 1)),
        Error::TooManyModifiers { max: 2, chosen: 3, .. }
    ));
    assert!(matches!(
        refused(&o, line("burger", None, &["rare", "half"], 1)),
        Error::UnknownModifier { .. }
    ));
    assert!(matches!(
        refused(&o, line("burger", None, &["rare", "egg"], 1)),
        Error::ModifierUnavailable(_)
    ));
    assert!(matches!(
        refused(&o, line("burger", None, &["rare", "rare"], 1)),
        Error::DuplicateModifier(_)
    ));
    assert!(matches!(
        refused(&o, line("pie", None, &[], 1)),
        Error::ProductUnavailable { .. }
    ));
    assert!(matches!(
        refused(&o, line("nope", None, &[], 1)),
        Error::UnknownProduct(_)
    ));
    assert!(matches!(
        refused(&o, line("beer", None, &[], 1)),
        Error::VariantRequired { .. }
    ));
    assert!(matches!(
        refused(&o, line("beer", Some("jug"), &[], 1)),
        Error::UnknownVariant { .. }
    ));
    assert!(matches!(
        refused(&o, line("sandwich", Some("half"), &[], 1)),
        Error::NoVariants(_)
    ));
    for q in [0, -1, 1000] {
        assert_eq!(refused(&o, line("sandwich", None, &[], q)), Error::InvalidQuantity(q));
    }
    let o = run(&o, line("burger", None, &["medium", "cheese", "no-bun"], 2)).expect("valid burger");
    let l = &o.lines()[0];
    assert_eq!(l.unit_price(), Ok(Minor::new(1295 + 100 - 50)));
    assert_eq!(l.gross(), Ok(Minor::new(2 * 1345)));
    let o = run(&o, line("beer", Some("pint"), &[], 1)).expect("pint");
    assert_eq!(o.lines()[1].base_price, Minor::new(595));
    assert_eq!(o.lines()[1].no, LineNo::new(2));
}

#[test]
fn sent_lines_are_voided_not_removed() {
    let o = open(table());
    let o = run(&o, line("sandwich", None, &[], 1)).expect("add");
    let o = run(&o, line("beer", Some("half"), &[], 1)).expect("add");
    assert_eq!(
        refused(
            &o,
            OrderCommand::VoidLine {
                line: LineNo::new(1),
                reason: "x".into()
            }
        ),
        Error::LineNotSent(LineNo::new(1))
    );
    let o = run(&o, OrderCommand::SendToKitchen).expect("send");
    assert_eq!(o.state(), OrderState::Confirmed);
    assert_eq!(refused(&o, OrderCommand::SendToKitchen), Error::NothingToSend);
    assert_eq!(
        refused(&o, OrderCommand::RemoveLine(LineNo::new(1))),
        Error::LineSent(LineNo::new(1))
    );
    let change = LineChange {
        quantity: Some(3),
        ..LineChange::default()
    };
    assert_eq!(
        refused(
            &o,
            OrderCommand::ChangeLine {
                line: LineNo::new(1),
                change
            }
        ),
        Error::LineSent(LineNo::new(1))
    );
    assert_eq!(
        refused(
            &o,
            OrderCommand::VoidLine {
                line: LineNo::new(1),
                reason: "  ".into()
            }
        ),
        Error::ReasonRequired
    );
    let o = run(
        &o,
        OrderCommand::VoidLine {
            line: LineNo::new(1),
            reason: "dropped".into(),
        },
    )
    .expect("void");
    assert_eq!(o.lines().len(), 2, "a voided line stays on the order");
    let void = o.lines()[0].void.as_ref().expect("voided");
    assert_eq!(void.reason, "dropped");
    assert_eq!(
        o.totals().expect("prices").total,
        Minor::new(310 + BasisPoints::new(1250).of(Minor::new(310)).expect("sc").get())
    );
    assert_eq!(
        refused(
            &o,
            OrderCommand::VoidLine {
                line: LineNo::new(1),
                reason: "again".into()
            }
        ),
        Error::LineVoid(LineNo::new(1))
    );
}

#[test]
fn state_machine_refuses_invalid_moves() {
    let o = open(OrderKind::Takeaway);
    assert!(matches!(
        refused(&o, OrderCommand::SetStatus(OrderState::Ready)),
        Error::InvalidTransition { .. }
    ));
    assert_eq!(refused(&o, OrderCommand::SendToKitchen), Error::OrderEmpty);
    assert_eq!(refused(&o, OrderCommand::Complete), Error::OrderEmpty);
    let o = run(&o, line("sandwich", None, &[], 1)).expect("add");
    let o = run(&o, OrderCommand::SendToKitchen).expect("send");
    let o = run(&o, OrderCommand::SetStatus(OrderState::Ready)).expect("ready");
    assert!(matches!(
        refused(&o, OrderCommand::SetStatus(OrderState::Preparing)),
        Error::InvalidTransition {
            from: OrderState::Ready,
            to: OrderState::Preparing
        }
    ));
    assert!(matches!(
        refused(&o, OrderCommand::SetStatus(OrderState::Completed)),
        Error::InvalidTransition { .. }
    ));
    assert_eq!(refused(&o, OrderCommand::Complete), Error::BalanceDue { due: 450 });
    let o = run(
        &o,
        OrderCommand::Cancel {
            reason: "guest left".into(),
        },
    )
    .expect("cancel");
    assert_eq!(o.state(), OrderState::Cancelled);
    assert_eq!(
        refused(&o, line("sandwich", None, &[], 1)),
        Error::OrderClosed(OrderState::Cancelled)
    );
}

#[test]
fn cash_gives_change_and_completes_on_zero_balance() {
    let o = open(OrderKind::Takeaway);
    let o = run(&o, line("sandwich", None, &[], 3)).expect("add");
    let pay = |tendered: i64, n: u128| OrderCommand::TakeCash {
        payment: PaymentId::from_uuid(Uuid::from_u128(n)),
        tendered: Minor::new(tendered),
        tip: Minor::ZERO,
        part: None,
    };
    assert_eq!(refused(&o, pay(0, 10)), Error::InvalidPaymentAmount);
    let o = run(&o, pay(1000, 11)).expect("part payment");
    assert_eq!(o.balance(), Ok(Minor::new(350)));
    assert_eq!(o.state(), OrderState::Pending);
    assert_eq!(
        refused(&o, OrderCommand::Cancel { reason: "x".into() }),
        Error::OrderHasPayments
    );
    assert_eq!(
        refused(&o, OrderCommand::RemoveLine(LineNo::new(1))),
        Error::TotalBelowPaid { paid: 1000 }
    );
    let o = run(&o, pay(2000, 12)).expect("settles");
    let last = o.payments().last().expect("payment");
    assert_eq!((last.amount, last.change), (Minor::new(350), Minor::new(1650)));
    assert_eq!(o.state(), OrderState::Completed);
    assert_eq!(o.balance(), Ok(Minor::ZERO));
    assert_eq!(refused(&o, pay(1, 13)), Error::OrderClosed(OrderState::Completed));
}

#[test]
fn park_resume_and_service_charge_removal() {
    let o = open(table());
    let o = run(&o, OrderCommand::Park).expect("park");
    assert_eq!(refused(&o, OrderCommand::Park), Error::AlreadyParked);
    let o = run(&o, OrderCommand::Resume).expect("resume");
    assert_eq!(refused(&o, OrderCommand::Resume), Error::NotParked);
    let o = run(&o, line("sandwich", None, &[], 2)).expect("add");
    assert_eq!(o.totals().expect("prices").service_charge, Minor::new(113));
    let remove = OrderCommand::SetServiceCharge {
        enabled: false,
        reason: None,
    };
    assert_eq!(refused(&o, remove), Error::ReasonRequired);
    let o = run(
        &o,
        OrderCommand::SetServiceCharge {
            enabled: false,
            reason: Some("complaint".into()),
        },
    )
    .expect("removed");
    assert_eq!(o.totals().expect("prices").service_charge, Minor::ZERO);
    let o = run(
        &o,
        OrderCommand::SetKind {
            kind: OrderKind::Takeaway,
            reason: Some("to go".into()),
        },
    )
    .expect("to go");
    let totals = o.totals().expect("prices");
    assert_eq!(totals.vat[0].class, crate::catalog::VatClass::Zero);
    assert!(matches!(
        refused(
            &o,
            OrderCommand::SetKind {
                kind: OrderKind::DineIn {
                    table: String::new(),
                    covers: 2
                },
                reason: None
            }
        ),
        Error::InvalidField { field: "table", .. }
    ));
}

#[test]
fn replaying_history_rebuilds_the_order() {
    let c = ctx();
    let req = OpenOrder {
        id: OrderId::from_uuid(Uuid::from_u128(7)),
        number: 3,
        business_date: BusinessDate::parse("2026-11-22").expect("date"),
        device: DeviceId::from_uuid(Uuid::from_u128(2)),
        currency: Currency::GBP,
        kind: table(),
        service_charge: ServiceChargePolicy::default(),
    };
    let (mut order, opened) = Order::open(req, &c).expect("open");
    let mut history = vec![opened];
    let commands = [
        line("burger", None, &["rare"], 1),
        line("beer", Some("pint"), &[], 2),
        OrderCommand::SendToKitchen,
        OrderCommand::VoidLine {
            line: LineNo::new(2),
            reason: "spilt".into(),
        },
        OrderCommand::SetOrderDiscount(Some(Discount {
            kind: DiscountKind::Percent {
                rate: BasisPoints::new(1000),
            },
            reason: "regular".into(),
        })),
        OrderCommand::TakeCash {
            payment: PaymentId::from_uuid(Uuid::from_u128(9)),
            tendered: Minor::new(5000),
            tip: Minor::ZERO,
            part: None,
        },
    ];
    for cmd in commands {
        let (next, events) = order.execute(&cmd, &menu(), &c).expect("command runs");
        history.extend(events);
        order = next;
    }
    let replayed = Order::replay(history.iter().map(|e| (e, c.at))).expect("replays");
    assert_eq!(replayed, order);
    assert_eq!(order.state(), OrderState::Completed);
    assert_eq!(order.version(), history.len() as u64);
}

/// The approver's role must hold the permission the approval needs, on every path that needs one: a
/// supervisor (void and discount by default) may approve a void but not a price override or a refund.
#[test]
fn an_approver_needs_the_permission_for_what_they_approve() {
    use crate::permission::{Permission, PermissionTable};
    use crate::staff::Role;
    let supervisor = PermissionTable::default().of(Role::Supervisor);
    let staff = StaffId::new("sam").expect("valid id");
    let as_supervisor = Ctx {
        approver: Some(staff.clone()),
        grants: supervisor,
        ..Ctx::new(Timestamp::from_millis(1_700_000_000_000), staff.clone())
    };
    let o = open(table());
    let o = run(&o, line("sandwich", None, &[], 1)).expect("add");
    let o = run(&o, OrderCommand::SendToKitchen).expect("send");
    let void = OrderCommand::VoidLine {
        line: LineNo::new(1),
        reason: "dropped".into(),
    };
    assert!(o.execute(&void, &menu(), &as_supervisor).is_ok());
    let override_price = OrderCommand::OverridePrice {
        line: LineNo::new(1),
        unit_price: Some(Minor::new(100)),
        reason: Some("regular".into()),
    };
    assert_eq!(
        o.execute(&override_price, &menu(), &as_supervisor).map(|_| ()),
        Err(Error::NotPermitted(Permission::OverridePrice))
    );
    assert!(o.execute(&override_price, &menu(), &ctx()).is_ok());
    // No approver at all still asks for one.
    let nobody = Ctx::new(Timestamp::from_millis(1_700_000_000_000), staff);
    assert!(matches!(
        o.execute(&void, &menu(), &nobody).map(|_| ()),
        Err(Error::ApprovalRequired(_))
    ));
}

/// A refund needs the `refund` permission of whoever approves it: a supervisor's (by default) is refused.
#[test]
fn a_refund_needs_the_refund_permission() {
    use crate::permission::{Permission, PermissionTable};
    use crate::staff::Role;
    let staff = StaffId::new("sam").expect("valid id");
    let o = open(OrderKind::Takeaway);
    let o = run(&o, line("sandwich", None, &[], 1)).expect("add");
    let payment = PaymentId::from_uuid(Uuid::from_u128(77));
    let total = o.totals().expect("prices").total;
    let o = run(
        &o,
        OrderCommand::TakeCash {
            payment,
            tendered: total,
            tip: Minor::ZERO,
            part: None,
        },
    )
    .expect("paid");
    let refund = OrderCommand::StartRefund {
        refund: crate::ids::RefundId::from_uuid(Uuid::from_u128(78)),
        key: "refund-78".into(),
        payment,
        amount: Some(Minor::new(100)),
        lines: Vec::new(),
        reason: "cold".into(),
    };
    let as_supervisor = Ctx {
        approver: Some(staff.clone()),
        grants: PermissionTable::default().of(Role::Supervisor),
        ..Ctx::new(Timestamp::from_millis(1_700_000_000_000), staff)
    };
    assert_eq!(
        o.execute(&refund, &menu(), &as_supervisor).map(|_| ()),
        Err(Error::NotPermitted(Permission::Refund))
    );
    assert!(o.execute(&refund, &menu(), &ctx()).is_ok());
}
