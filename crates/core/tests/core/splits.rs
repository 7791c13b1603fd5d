//! Split bills, payments and refunds: a table of cases with every penny worked out by hand (the working
//! is in the comments), including the cases other tills get wrong.
//!
//! Why it is over 600 lines: each case carries its hand working in comments, which is the point of the
//! file; it is one table, read top to bottom.

use fynlo_core::{
    catalog::VatClass,
    fees::{Fee, FeeSchedule},
    ids::{LineNo, PaymentId, RefundId},
    order::{Order, OrderCommand, OrderState},
    payment::{PaymentState, PaymentStatus, Tender},
    settings::ServiceChargeKind,
    split::{ItemShare, Part, SplitPlan},
    tips::{TipChoice, TipPolicy},
    BasisPoints, Error, Minor,
};
use uuid::Uuid;

use crate::{add_line, ctx, dine_in, line_discount, menu, open, percent, policy, run, takeaway};

fn m(v: i64) -> Minor {
    Minor::new(v)
}

fn pid(n: u128) -> PaymentId {
    PaymentId::from_uuid(Uuid::from_u128(n))
}

fn rid(n: u128) -> RefundId {
    RefundId::from_uuid(Uuid::from_u128(n))
}

fn ok(order: &Order, cmd: OrderCommand) -> Order {
    run(order, &cmd, &menu()).unwrap_or_else(|e| panic!("{cmd:?} refused: {e}"))
}

fn refused(order: &Order, cmd: OrderCommand) -> Error {
    match run(order, &cmd, &menu()) {
        Ok(_) => panic!("{cmd:?} was accepted"),
        Err(e) => e,
    }
}

fn split(plan: SplitPlan) -> OrderCommand {
    OrderCommand::SetSplit(Some(plan))
}

fn even(parts: u32) -> OrderCommand {
    split(SplitPlan::Even { parts })
}

fn cash(n: u128, tendered: i64, part: Option<u32>) -> OrderCommand {
    OrderCommand::TakeCash {
        payment: pid(n),
        tendered: m(tendered),
        tip: Minor::ZERO,
        part,
    }
}

/// A card payment that the provider approves: started, then succeeded.
fn card(order: &Order, n: u128, amount: i64, tip: i64, part: Option<u32>) -> Order {
    let started = ok(
        order,
        OrderCommand::StartPayment {
            payment: pid(n),
            key: format!("key-{n}"),
            tender: Tender::Card,
            amount: m(amount),
            tip: m(tip),
            surcharge: Minor::ZERO,
            part,
        },
    );
    ok(
        &started,
        OrderCommand::UpdatePayment {
            payment: pid(n),
            status: PaymentStatus::Succeeded,
            provider_ref: Some(format!("pi_{n}")),
            note: None,
            fees: FeeSchedule::default(),
        },
    )
}

/// (gross, discount, service charge, total) of a part.
fn sums(p: &Part) -> (i64, i64, i64, i64) {
    (p.gross.get(), p.discount.get(), p.service_charge.get(), p.total.get())
}

/// VAT of a part at one class.
fn vat(p: &Part, class: VatClass) -> (i64, i64) {
    p.vat
        .iter()
        .find(|v| v.class == class)
        .map_or((0, 0), |v| (v.gross.get(), v.vat.get()))
}

/// Net share of line `no` in a part.
fn line_net(p: &Part, no: u32) -> i64 {
    p.lines
        .iter()
        .find(|l| l.line == LineNo::new(no))
        .map_or(0, |l| l.net.get())
}

fn parts(order: &Order) -> Vec<Part> {
    order.bill().expect("bill works out").expect("bill is split").parts
}

fn no_sc() -> fynlo_core::settings::ServiceChargePolicy {
    policy(false, 0, ServiceChargeKind::Discretionary, true)
}

/// Takeaway: 2 burgers (medium) and a pint = 2590 + 595 = 3185, all standard-rated.
fn burgers_and_pint() -> Order {
    let o = open(takeaway(), no_sc());
    let o = ok(&o, add_line("burger", None, &["medium"], 2));
    ok(&o, add_line("beer", Some("pint"), &[], 1))
}

#[test]
fn one_pound_in_three_parts_is_34_33_33() {
    // 100 penny chews = £1.00, standard-rated: VAT 100/6 = 16.67 → 17.
    let o = open(takeaway(), no_sc());
    let o = ok(&o, add_line("chew", None, &[], 100));
    let o = ok(&o, even(3));
    let p = parts(&o);
    let totals: Vec<i64> = p.iter().map(|x| x.total.get()).collect();
    assert_eq!(totals, [34, 33, 33]);
    // VAT 17 over 34:33:33 → 5.78, 5.61, 5.61 → 5, 5, 5 + 2 to the largest remainders → 6, 6, 5.
    let vats: Vec<(i64, i64)> = p.iter().map(|x| vat(x, VatClass::Standard)).collect();
    assert_eq!(vats, [(34, 6), (33, 6), (33, 5)]);
    // Paying each part completes the order at exactly £1.
    let o = ok(&o, cash(1, 50, Some(1)));
    assert_eq!(o.payments()[0].change, m(16));
    let o = ok(&o, cash(2, 33, Some(2)));
    assert_eq!(o.state(), OrderState::Pending);
    let o = ok(&o, cash(3, 33, Some(3)));
    assert_eq!(o.state(), OrderState::Completed);
    assert_eq!(o.paid(), Ok(m(100)));
    assert_eq!(o.balance(), Ok(Minor::ZERO));
}

#[test]
fn whole_bill_discount_then_split() {
    // 3185 less 10 % = 318.5 → 319, shared 2590:595 → 259.41, 59.59 → 259 + 59 + 1 to the pint → 259, 60.
    let o = ok(&burgers_and_pint(), OrderCommand::SetOrderDiscount(Some(percent(1000))));
    assert_eq!(o.totals().map(|t| t.total), Ok(m(2866)));
    let o = ok(&o, even(2));
    let p = parts(&o);
    // Every cell is its exact share rounded down or up. The burgers' gross 2590 halves exactly: 1295 each
    // (regression: the old rounding gave 1296 and 1294, though the exact shares are whole). Their
    // discount 259 halves to 129.5 → 130 and 129 (the tie to part 1); the pint's gross 595 → 297.5 →
    // 298 and 297 (to part 1), its discount 60 → 30 and 30. Nets: 1165 and 268 for part 1, 1166 and 267
    // for part 2 — each its exact 1165.5 or 267.5 rounded — and each part 1433.
    let cells = |p: &Part, no: u32| {
        let l = p.lines.iter().find(|l| l.line == LineNo::new(no)).expect("a share");
        (l.gross.get(), l.order_discount.get(), l.net.get())
    };
    assert_eq!((cells(&p[0], 1), cells(&p[0], 2)), ((1295, 130, 1165), (298, 30, 268)));
    assert_eq!((cells(&p[1], 1), cells(&p[1], 2)), ((1295, 129, 1166), (297, 30, 267)));
    assert_eq!((line_net(&p[0], 1), line_net(&p[1], 1)), (1165, 1166));
    assert_eq!(sums(&p[0]), (1593, 160, 0, 1433));
    assert_eq!(sums(&p[1]), (1592, 159, 0, 1433));
    // VAT 2866/6 = 477.67 → 478, halved → 239, 239.
    assert_eq!(vat(&p[0], VatClass::Standard), (1433, 239));
    assert_eq!(vat(&p[1], VatClass::Standard), (1433, 239));
}

#[test]
fn hundred_percent_discount_with_service_charge() {
    let sc = policy(true, 1250, ServiceChargeKind::Discretionary, true);
    // A whole-order 100 % discount leaves nothing to charge service on and nothing to split or pay.
    let o = open(dine_in(), sc);
    let o = ok(&o, add_line("burger", None, &["rare"], 1));
    let o = ok(&o, add_line("cake", None, &[], 1));
    let all_off = ok(&o, OrderCommand::SetOrderDiscount(Some(percent(10_000))));
    let t = all_off.totals().expect("prices");
    assert_eq!((t.service_charge, t.total), (Minor::ZERO, Minor::ZERO));
    assert_eq!(refused(&all_off, even(2)), Error::NothingDue);
    assert_eq!(refused(&all_off, cash(1, 100, None)), Error::NothingDue);
    assert_eq!(ok(&all_off, OrderCommand::Complete).state(), OrderState::Completed);

    // The burger 100 % off: service 12.5 % of 325 = 40.625 → 41, all carried by the cake. Total 366.
    let o = ok(&o, line_discount(1, percent(10_000)));
    assert_eq!(o.totals().map(|t| (t.service_charge, t.total)), Ok((m(41), m(366))));
    let o = ok(&o, even(2));
    let p = parts(&o);
    // Cake 325 → 162.5 each, its service 41 → 20.5 each; parts of 183, so a part that rounds the cake
    // up rounds its service down: part 1 takes the service penny (162 + 21), part 2 the cake's (163 + 20).
    // The burger's gross 1295 and its 100 % discount both halve to 647.5: 648 and 647 to part 1, 647
    // and 647 to part 2, so its net is exactly 0 in each (regression: gross and discount used to round
    // apart).
    assert_eq!(sums(&p[0]), (810, 648, 21, 183));
    assert_eq!(sums(&p[1]), (810, 647, 20, 183));
    // VAT 325/6 = 54.17 → 54, over each part's exact 162.5 of the cake: 27 and 27 (service is
    // discretionary: no VAT).
    assert_eq!(vat(&p[0], VatClass::Standard), (162, 27));
    assert_eq!(vat(&p[1], VatClass::Standard), (163, 27));
}

#[test]
fn five_payments_of_two_pounds_with_a_percentage_fee() {
    // £10 of chews split 5 ways, each £2 paid by card: 2.9 % of 200 = 5.8 → 6, + 30p = 36; platform 2.
    let o = open(takeaway(), no_sc());
    let o = ok(&o, add_line("chew", None, &[], 500));
    let o = ok(&o, add_line("chew", None, &[], 500));
    let mut o = ok(&o, even(5));
    for part in 1..=5u32 {
        o = card(&o, u128::from(part), 200, 0, Some(part));
    }
    assert_eq!(o.state(), OrderState::Completed);
    for p in o.payments() {
        assert_eq!(
            p.fee,
            Fee {
                processing: m(36),
                platform: m(2)
            }
        );
    }
    let fees: i64 = o.payments().iter().map(|p| p.fee.total().expect("fits").get()).sum();
    assert_eq!(fees, 190);
    // One £10 payment would have cost 29 + 30 + 10 = 69.
    let one = FeeSchedule::default().fee(Tender::Card, m(1000)).expect("fee");
    assert_eq!(one.total(), Ok(m(69)));
}

#[test]
fn split_after_a_partial_payment() {
    // £10 cash on account, then the remaining 2185 split 3 ways: 729, 728, 728.
    let o = ok(&burgers_and_pint(), cash(1, 1000, None));
    let o = ok(&o, even(3));
    let bill = o.bill().expect("works out").expect("split");
    let settled = bill.settled.expect("the £10 is a settled share");
    assert_eq!(settled.total, m(1000));
    let totals: Vec<i64> = bill.parts.iter().map(|x| x.total.get()).collect();
    assert_eq!(totals, [729, 728, 728]);
    // Burger 2590 over 1000:729:728:728 → 813.19, 592.81, 592, 592; pint 595 → 186.81, 136.19, 136, 136.
    assert_eq!((line_net(&settled, 1), line_net(&settled, 2)), (813, 187));
    assert_eq!((line_net(&bill.parts[0], 1), line_net(&bill.parts[0], 2)), (593, 136));
    assert_eq!((line_net(&bill.parts[1], 1), line_net(&bill.parts[1], 2)), (592, 136));
    // VAT 3185/6 = 530.83 → 531 → 166.72, 121.54, 121.37, 121.37 → 167, 122, 121, 121.
    assert_eq!(vat(&settled, VatClass::Standard), (1000, 167));
    let vats: Vec<i64> = bill.parts.iter().map(|x| vat(x, VatClass::Standard).1).collect();
    assert_eq!(vats, [122, 121, 121]);
    // A payment must name its part now.
    assert_eq!(refused(&o, cash(2, 500, None)), Error::PartRequired { parts: 3 });
    // And splitting again after part 1 paid: 1456 left, in 2.
    let o = ok(&o, cash(2, 729, Some(1)));
    let o = ok(&o, even(2));
    let totals: Vec<i64> = parts(&o).iter().map(|x| x.total.get()).collect();
    assert_eq!(totals, [728, 728]);
    let o = ok(&o, cash(3, 728, Some(1)));
    let o = ok(&o, cash(4, 800, Some(2)));
    assert_eq!(o.state(), OrderState::Completed);
    assert_eq!(o.payments()[3].change, m(72));
}

#[test]
fn by_item_with_a_shared_starter_and_a_tip_on_one_part() {
    // Dine-in, 12.5 % discretionary service. Sandwich 450 shared by three; burger 1295 to guest 1; pint 595
    // to guest 2; cake 325 to guest 3. Service 2665 × 12.5 % = 333.125 → 333, carried per line
    // 56.23, 161.82, 74.35, 40.61 → 56, 162, 74, 41.
    let sc = policy(true, 1250, ServiceChargeKind::Discretionary, true);
    let o = open(dine_in(), sc);
    let o = ok(&o, add_line("sandwich", None, &[], 1));
    let o = ok(&o, add_line("burger", None, &["well"], 1));
    let o = ok(&o, add_line("beer", Some("pint"), &[], 1));
    let o = ok(&o, add_line("cake", None, &[], 1));
    let share = |line: u32, weights: [u32; 3]| ItemShare {
        line: LineNo::new(line),
        weights: weights.to_vec(),
    };
    let plan = SplitPlan::ByItem {
        parts: 3,
        items: vec![
            share(1, [1, 1, 1]),
            share(2, [1, 0, 0]),
            share(3, [0, 1, 0]),
            share(4, [0, 0, 1]),
        ],
    };
    let o = ok(&o, split(plan));
    let p = parts(&o);
    // Exact totals 1625.67, 837.67, 534.67; the sandwich's service 56 → 18.67 each → 19, 19, 18.
    let totals: Vec<i64> = p.iter().map(|x| x.total.get()).collect();
    assert_eq!(totals, [1626, 838, 534]);
    assert_eq!(sums(&p[0]), (1445, 0, 181, 1626));
    assert_eq!(sums(&p[1]), (745, 0, 93, 838));
    assert_eq!(sums(&p[2]), (475, 0, 59, 534));
    assert_eq!(p[0].lines[0].weight, 1);
    assert_eq!(p[0].lines[0].of, 3);
    // VAT 2665/6 = 444.17 → 444 over 1445:745:475 → 240.74, 124.12, 79.14 → 241, 124, 79.
    let vats: Vec<i64> = p.iter().map(|x| vat(x, VatClass::Standard).1).collect();
    assert_eq!(vats, [241, 124, 79]);

    // Guest 2 tips 10 % of their food and drink after discounts (745 → 74.5 → 75), never of service.
    let tip = o
        .tip_for(
            &TipPolicy::default(),
            TipChoice::Percent {
                rate: BasisPoints::new(1000),
            },
            Some(2),
            m(838),
        )
        .expect("tip");
    assert_eq!(tip, m(75));
    let o = card(&o, 1, 838, tip.get(), Some(2));
    let o = ok(&o, cash(2, 2000, Some(1)));
    assert_eq!(refused(&o, cash(3, 100, Some(2))), Error::NothingDue);
    let o = ok(&o, cash(3, 534, Some(3)));
    assert_eq!(o.state(), OrderState::Completed);
    assert_eq!(o.tips(), Ok(m(75)));
    // The card fee is on the whole charge (838 + 75 = 913): 26.48 → 26 + 30 = 56; platform 9.13 → 9.
    assert_eq!(
        o.payments()[0].fee,
        Fee {
            processing: m(56),
            platform: m(9)
        }
    );
    // Tips and service go to who served: one server here, all of it.
    let g = o.gratuity().expect("gratuity");
    assert_eq!((g[0].tips, g[0].service_charge), (m(75), m(333)));
}

#[test]
fn a_payment_of_part_of_the_bill_tips_on_its_share() {
    // Dine-in 3185 + 12.5 % service (398.125 → 398) = 3583. Ten per cent of the food: 318.5 → 319.
    let sc = policy(true, 1250, ServiceChargeKind::Discretionary, true);
    let o = open(dine_in(), sc);
    let o = ok(&o, add_line("burger", None, &["medium"], 2));
    let o = ok(&o, add_line("beer", Some("pint"), &[], 1));
    let ten = TipChoice::Percent {
        rate: BasisPoints::new(1000),
    };
    let policy = TipPolicy::default();
    assert_eq!(o.tip_for(&policy, ten, None, m(3583)), Ok(m(319)));
    // Paying 1000 of 3583 tips on 3185 × 1000 / 3583 = 888.92 → 889 of food: 88.9 → 89.
    assert_eq!(o.tip_for(&policy, ten, None, m(1000)), Ok(m(89)));
    // The rest (2583): 3185 × 2583 / 3583 = 2296.08 → 2296 → 229.6 → 230; 89 + 230 = 319.
    assert_eq!(o.tip_for(&policy, ten, None, m(2583)), Ok(m(230)));
    // A fixed amount is what the guest says, whatever they pay.
    let fixed = TipChoice::Amount { amount: m(150) };
    assert_eq!(o.tip_for(&policy, fixed, None, m(1000)), Ok(m(150)));
}

#[test]
fn by_item_needs_every_line_once() {
    let o = burgers_and_pint();
    let plan = |items: Vec<ItemShare>| split(SplitPlan::ByItem { parts: 2, items });
    let share = |line: u32, weights: Vec<u32>| ItemShare {
        line: LineNo::new(line),
        weights,
    };
    assert_eq!(
        refused(&o, plan(vec![share(1, vec![1, 0])])),
        Error::LineNotAssigned(LineNo::new(2))
    );
    assert!(matches!(
        refused(&o, plan(vec![share(1, vec![1, 0]), share(2, vec![0, 0])])),
        Error::InvalidField { field: "split", .. }
    ));
    assert!(matches!(
        refused(&o, plan(vec![share(1, vec![1]), share(2, vec![0, 1])])),
        Error::InvalidField { field: "split", .. }
    ));
    assert_eq!(
        refused(
            &o,
            plan(vec![share(1, vec![1, 0]), share(2, vec![0, 1]), share(9, vec![1, 1])])
        ),
        Error::UnknownLine(LineNo::new(9))
    );
    // After a payment, what remains is split evenly or by amount, not by item.
    let paid = ok(&o, cash(1, 100, None));
    assert!(matches!(
        refused(&paid, plan(vec![share(1, vec![1, 0]), share(2, vec![0, 1])])),
        Error::InvalidField { field: "split", .. }
    ));
}

#[test]
fn by_amount_must_add_up() {
    let o = burgers_and_pint();
    let by = |a: &[i64]| {
        split(SplitPlan::ByAmount {
            amounts: a.iter().copied().map(m).collect(),
        })
    };
    assert_eq!(
        refused(&o, by(&[2000, 1000])),
        Error::SplitAmountsMismatch { sum: 3000, due: 3185 }
    );
    assert!(matches!(
        refused(&o, by(&[3185, 0])),
        Error::InvalidField { field: "split", .. }
    ));
    assert!(matches!(
        refused(&o, by(&[3185])),
        Error::InvalidField { field: "split", .. }
    ));
    let o = ok(&o, by(&[2000, 1185]));
    let totals: Vec<i64> = parts(&o).iter().map(|x| x.total.get()).collect();
    assert_eq!(totals, [2000, 1185]);
    // A card may not take more than its part; cash may (change).
    assert_eq!(
        refused(
            &o,
            OrderCommand::StartPayment {
                payment: pid(1),
                key: "k".into(),
                tender: Tender::Card,
                amount: m(1186),
                tip: m(0),
                surcharge: Minor::ZERO,
                part: Some(2),
            }
        ),
        Error::Overpayment {
            amount: 1186,
            due: 1185
        }
    );
    assert_eq!(refused(&o, cash(1, 100, Some(3))), Error::UnknownPart(3));
    // Adding a line clears the split (the bill changed); the payments made stay.
    let o = ok(&o, cash(1, 2000, Some(1)));
    let o = ok(&o, add_line("cake", None, &[], 1));
    assert!(o.split().is_none());
    assert_eq!(o.balance(), Ok(m(1185 + 325)));
}

#[test]
fn compulsory_service_charge_is_standard_rated_in_every_part() {
    // Loaf 380 (zero) + burger 1295 (standard), 12.5 % compulsory: 209.375 → 209; carried 47, 162.
    // Standard G = 1295 + 209 = 1504 → VAT 250.67 → 251. Total 1884, in 2 → 942 each.
    let sc = policy(true, 1250, ServiceChargeKind::Compulsory, true);
    let o = open(dine_in(), sc);
    let o = ok(&o, add_line("loaf", None, &[], 1));
    let o = ok(&o, add_line("burger", None, &["rare"], 1));
    let o = ok(&o, even(2));
    let p = parts(&o);
    assert_eq!(sums(&p[0]), (837, 0, 105, 942));
    assert_eq!(sums(&p[1]), (838, 0, 104, 942));
    // Part 1: burger 647 + all its service 24 + 81 = 752; part 2: 648 + 23 + 81 = 752 → 125.5 → 126, 125.
    assert_eq!(vat(&p[0], VatClass::Standard), (752, 126));
    assert_eq!(vat(&p[1], VatClass::Standard), (752, 125));
    assert_eq!(vat(&p[0], VatClass::Zero), (190, 0));
    assert_eq!(vat(&p[1], VatClass::Zero), (190, 0));
}

#[test]
fn refund_after_a_split() {
    let o = ok(&burgers_and_pint(), OrderCommand::SetOrderDiscount(Some(percent(1000))));
    let o = ok(&o, even(2));
    let o = ok(&o, cash(1, 1500, Some(1)));
    let o = card(&o, 2, 1433, 0, Some(2));
    assert_eq!(o.state(), OrderState::Completed);
    let refund = |n: u128, payment: u128, amount: Option<i64>, lines: Vec<(u32, u32)>| OrderCommand::StartRefund {
        refund: rid(n),
        key: format!("r{n}"),
        payment: pid(payment),
        amount: amount.map(m),
        lines: lines.into_iter().map(|(l, q)| (LineNo::new(l), q)).collect(),
        reason: "cold".into(),
    };
    // Card refunds are pending until the provider confirms; what they hold cannot be refunded twice.
    let o = ok(&o, refund(1, 2, Some(500), vec![]));
    assert_eq!(o.refunds()[0].status, PaymentStatus::Pending);
    assert_eq!(
        refused(&o, refund(2, 2, Some(1000), vec![])),
        Error::RefundTooLarge { max: 933 }
    );
    let o = ok(
        &o,
        OrderCommand::UpdateRefund {
            refund: rid(1),
            status: PaymentStatus::Succeeded,
            provider_ref: Some("re_1".into()),
            note: None,
        },
    );
    assert_eq!(o.payment_state(), Ok(PaymentState::PartlyRefunded));
    // By line on the cash payment: the pint after its 60p discount share = 535; cash refunds at once.
    let o = ok(&o, refund(3, 1, None, vec![(2, 1)]));
    assert_eq!(o.refunds()[1].amount, m(535));
    assert_eq!(o.refunds()[1].status, PaymentStatus::Succeeded);
    assert!(matches!(
        refused(&o, refund(4, 1, None, vec![(2, 1)])),
        Error::InvalidField { field: "quantity", .. }
    ));
    // One burger of two: 2331 / 2 = 1165.5 → 1166; but only 1433 − 535 = 898 is left on the cash payment.
    assert_eq!(
        refused(&o, refund(4, 1, None, vec![(1, 1)])),
        Error::RefundTooLarge { max: 898 }
    );
    // The rest of both payments: 898 cash + 933 card = everything.
    let o = ok(&o, refund(4, 1, Some(898), vec![]));
    let o = ok(&o, refund(5, 2, Some(933), vec![]));
    let o = ok(
        &o,
        OrderCommand::UpdateRefund {
            refund: rid(5),
            status: PaymentStatus::Succeeded,
            provider_ref: None,
            note: None,
        },
    );
    assert_eq!(o.refunded(), Ok(m(2866)));
    assert_eq!(o.payment_state(), Ok(PaymentState::Refunded));
    assert_eq!(
        refused(&o, refund(6, 1, Some(1), vec![])),
        Error::RefundTooLarge { max: 0 }
    );
}

#[test]
fn refunds_need_a_manager_a_reason_and_a_completed_order() {
    let o = ok(&burgers_and_pint(), cash(1, 5000, None));
    let cmd = OrderCommand::StartRefund {
        refund: rid(1),
        key: "r1".into(),
        payment: pid(1),
        amount: Some(m(100)),
        lines: vec![],
        reason: "wrong order".into(),
    };
    let mut cashier = ctx();
    cashier.approver = None;
    assert_eq!(
        o.execute(&cmd, &menu(), &cashier).map(|_| ()),
        Err(Error::ApprovalRequired("a refund"))
    );
    let (refunded, events) = o.execute(&cmd, &menu(), &ctx()).expect("manager approves");
    assert_eq!(events.len(), 1);
    assert_eq!(refunded.refunds()[0].approved_by, ctx().staff);
    let no_reason = OrderCommand::StartRefund {
        refund: rid(2),
        key: "r2".into(),
        payment: pid(1),
        amount: Some(m(100)),
        lines: vec![],
        reason: " ".into(),
    };
    assert_eq!(refused(&o, no_reason), Error::ReasonRequired);
    let open_order = burgers_and_pint();
    let open_order = ok(&open_order, cash(1, 100, None));
    assert_eq!(refused(&open_order, cmd), Error::RefundNotAllowed);
}

#[test]
fn payment_attempts_follow_their_states() {
    let o = burgers_and_pint();
    let start = |n: u128, amount: i64| OrderCommand::StartPayment {
        payment: pid(n),
        key: format!("k{n}"),
        tender: Tender::PayByBank,
        amount: m(amount),
        tip: m(0),
        surcharge: Minor::ZERO,
        part: None,
    };
    let update = |n: u128, status: PaymentStatus| OrderCommand::UpdatePayment {
        payment: pid(n),
        status,
        provider_ref: None,
        note: Some("bank says no".into()),
        fees: FeeSchedule::default(),
    };
    let o = ok(&o, start(1, 3000));
    // What a pending attempt holds cannot be asked of another, and the order cannot be cancelled.
    assert_eq!(refused(&o, start(2, 186)), Error::Overpayment { amount: 186, due: 185 });
    assert_eq!(refused(&o, even(2)), Error::PaymentInFlight { amount: 3000 });
    assert_eq!(
        refused(&o, OrderCommand::Cancel { reason: "left".into() }),
        Error::PaymentInFlight { amount: 3000 }
    );
    assert_eq!(o.paid(), Ok(Minor::ZERO));
    let o = ok(&o, update(1, PaymentStatus::Authorized));
    assert_eq!(o.paid(), Ok(Minor::ZERO), "authorized is not paid");
    let failed = ok(&o, update(1, PaymentStatus::Failed));
    assert_eq!(failed.in_flight(), Ok(Minor::ZERO));
    assert_eq!(
        refused(&failed, update(1, PaymentStatus::Succeeded)),
        Error::InvalidPaymentMove {
            from: PaymentStatus::Failed,
            to: PaymentStatus::Succeeded
        }
    );
    let paid = ok(&o, update(1, PaymentStatus::Succeeded));
    assert_eq!(paid.paid(), Ok(m(3000)));
    // 0.2 % of 3000 = 6; platform 30.
    assert_eq!(
        paid.payments()[0].fee,
        Fee {
            processing: m(6),
            platform: m(30)
        }
    );
    let paid = ok(&paid, cash(2, 185, None));
    assert_eq!(paid.state(), OrderState::Completed);
    assert_eq!(
        refused(
            &o,
            OrderCommand::StartPayment {
                payment: pid(9),
                key: "k".into(),
                tender: Tender::Cash,
                amount: m(1),
                tip: m(0),
                surcharge: Minor::ZERO,
                part: None
            }
        ),
        Error::NotAProviderTender("cash")
    );
}

#[test]
fn cash_overpayment_is_change_or_a_confirmed_tip() {
    let o = burgers_and_pint();
    // 3185 due; £40 handed over, the guest says keep £2 as a tip: change 4000 − 3185 − 200 = 615.
    let o = ok(
        &o,
        OrderCommand::TakeCash {
            payment: pid(1),
            tendered: m(4000),
            tip: m(200),
            part: None,
        },
    );
    let p = &o.payments()[0];
    assert_eq!((p.amount, p.tip, p.change), (m(3185), m(200), m(615)));
    assert_eq!(o.state(), OrderState::Completed);
    let o2 = burgers_and_pint();
    assert_eq!(
        refused(
            &o2,
            OrderCommand::TakeCash {
                payment: pid(1),
                tendered: m(100),
                tip: m(200),
                part: None
            }
        ),
        Error::TipExceedsTendered
    );
}

#[test]
fn voids_and_large_discounts_need_a_manager() {
    let o = ok(&burgers_and_pint(), OrderCommand::SendToKitchen);
    let mut cashier = ctx();
    cashier.approver = None;
    let void = OrderCommand::VoidLine {
        line: LineNo::new(1),
        reason: "dropped".into(),
    };
    assert_eq!(
        o.execute(&void, &menu(), &cashier).map(|_| ()),
        Err(Error::ApprovalRequired("voiding a line sent to the kitchen"))
    );
    // 10 % is allowed without approval by default; 10.01 % is not.
    assert!(o.execute(&line_discount(2, percent(1000)), &menu(), &cashier).is_ok());
    assert_eq!(
        o.execute(&line_discount(2, percent(1001)), &menu(), &cashier)
            .map(|_| ()),
        Err(Error::ApprovalRequired("a line discount this large"))
    );
    let (_, events) = o
        .execute(&line_discount(2, percent(5000)), &menu(), &ctx())
        .expect("approved");
    assert!(matches!(
        &events[0],
        fynlo_core::order::OrderEvent::LineDiscountSet {
            approved_by: Some(_),
            ..
        }
    ));
}

#[test]
fn a_price_override_needs_a_manager_and_replaces_the_unit_price() {
    // Burger with cheese (1295 + 100) × 2 = 2790; a manager prices it at 1000 each: 2000.
    let o = open(takeaway(), no_sc());
    let o = ok(&o, add_line("burger", None, &["rare", "cheese"], 2));
    let o = ok(&o, even(2));
    let set = |price: Option<i64>, reason: &str| OrderCommand::OverridePrice {
        line: LineNo::new(1),
        unit_price: price.map(m),
        reason: Some(reason.into()),
    };
    let mut cashier = ctx();
    cashier.approver = None;
    assert_eq!(
        o.execute(&set(Some(1000), "regular"), &menu(), &cashier).map(|_| ()),
        Err(Error::ApprovalRequired("a price override"))
    );
    assert_eq!(refused(&o, set(Some(1000), " ")), Error::ReasonRequired);
    assert!(matches!(
        refused(&o, set(Some(-1), "x")),
        Error::InvalidField {
            field: "unit_price",
            ..
        }
    ));
    let priced = ok(&o, set(Some(1000), "regular"));
    let t = priced.totals().expect("prices");
    assert_eq!((t.subtotal, t.total), (m(2000), m(2000)));
    // VAT 2000 / 6 = 333.33 → 333.
    assert_eq!(t.vat_total, m(333));
    let line = &priced.lines()[0];
    let o2 = line.price_override.as_ref().expect("override");
    assert_eq!((o2.reason.as_str(), o2.approved_by.as_str()), ("regular", "alice"));
    assert!(priced.split().is_none(), "a new price clears the split");
    // Back to the menu price.
    let back = ok(&priced, set(None, ""));
    assert_eq!(back.totals().map(|t| t.total), Ok(m(2790)));
}

#[test]
fn the_guest_pays_the_fee_only_where_surcharging_is_allowed() {
    let start = |n: u128, surcharge: i64| OrderCommand::StartPayment {
        payment: pid(n),
        key: format!("k{n}"),
        tender: Tender::Card,
        amount: m(3185),
        tip: m(0),
        surcharge: m(surcharge),
        part: None,
    };
    // A GBP order refuses any surcharge (UK surcharging ban).
    assert_eq!(refused(&burgers_and_pint(), start(1, 122)), Error::SurchargeBanned);
    assert_eq!(
        refused(&burgers_and_pint(), start(1, -1)),
        Error::NegativeAmount { what: "a surcharge" }
    );
    // In EUR it is charged on top: neither bill nor tip, and the fee is on the whole charge.
    let eur = crate::open_in(takeaway(), no_sc(), fynlo_core::Currency::EUR);
    let eur = ok(&eur, add_line("burger", None, &["medium"], 2));
    let eur = ok(&eur, add_line("beer", Some("pint"), &[], 1));
    let eur = ok(&eur, start(1, 122));
    let eur = ok(
        &eur,
        OrderCommand::UpdatePayment {
            payment: pid(1),
            status: PaymentStatus::Succeeded,
            provider_ref: None,
            note: None,
            fees: FeeSchedule::default(),
        },
    );
    let p = &eur.payments()[0];
    assert_eq!((p.amount, p.surcharge, p.charge()), (m(3185), m(122), Ok(m(3307))));
    assert_eq!((eur.paid(), eur.tips()), (Ok(m(3185)), Ok(Minor::ZERO)));
    assert_eq!(eur.state(), OrderState::Completed);
    // 2.9 % of 3307 = 95.9 → 96, + 30 = 126; platform 33.07 → 33.
    assert_eq!(
        p.fee,
        Fee {
            processing: m(126),
            platform: m(33)
        }
    );
}
