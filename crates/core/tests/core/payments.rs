//! Property tests of split bills, payments, tips and refunds over random orders: whatever the order,
//! the split, the tenders, the tips and the refunds,
//! - every part's share of every line, discount, service charge and VAT rate adds up to the order's;
//! - paid never exceeds the total (tips are on top); what attempts in progress hold never pushes past it;
//! - refunds never exceed what was paid on their payment;
//! - a completed order has a balance of zero and every part of its split is paid exactly;
//! - a refused command changes nothing.
//!
//! The tape is a list of random numbers each run reads its choices from, so one strategy drives any
//! number of steps.

use fynlo_core::{
    allocate::{allocate, round_table},
    catalog::VatClass,
    fees::FeeSchedule,
    ids::{LineNo, PaymentId, RefundId},
    order::{Order, OrderCommand, OrderState},
    payment::{PaymentStatus, Tender},
    split::{ItemShare, SplitPlan},
    Error, Minor,
};
use proptest::prelude::*;
use uuid::Uuid;

use crate::{
    ctx, menu,
    properties::{build, cases, order_spec, OrderSpec},
};

struct Tape {
    values: Vec<u64>,
    at: usize,
}

impl Tape {
    /// A number in `0..n` (n ≥ 1).
    fn pick(&mut self, n: u64) -> u64 {
        let v = self.values[self.at % self.values.len()];
        self.at += 1;
        v % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.pick(100) < percent
    }
}

/// Runs a command; a refusal must leave the order exactly as it was (the core hands back a new order
/// only on success, so this checks the error is one the scenario allows).
/// Runs a command; on success the order moves on. (A refused command cannot change the order —
/// `Order::execute` borrows it — so the refusals below check only that the reason is the right one.)
fn step(order: &mut Order, cmd: OrderCommand) -> Result<(), Error> {
    let (next, _) = order.execute(&cmd, &menu(), &ctx())?;
    *order = next;
    check_money(order).map_err(|e| panic!("after {cmd:?}: {e}"))?;
    Ok(())
}

/// The money facts that hold after every step.
fn check_money(o: &Order) -> Result<(), String> {
    let total = o.totals().map_err(|e| e.to_string())?.total.get();
    let paid = o.paid().map_err(|e| e.to_string())?.get();
    let held = o.in_flight().map_err(|e| e.to_string())?.get();
    if paid > total || paid + held > total {
        return Err(format!("paid {paid} + held {held} > total {total}"));
    }
    let mut charged = 0;
    for p in o.payments() {
        if p.amount.get() <= 0 || p.tip.get() < 0 || p.change.get() < 0 {
            return Err(format!("bad payment {p:?}"));
        }
        if p.tender == Tender::Cash && p.tendered.get() != p.amount.get() + p.tip.get() + p.change.get() {
            return Err(format!("cash does not add up {p:?}"));
        }
        if p.counts() {
            charged += p.amount.get() + p.tip.get();
        }
        let refunded: i64 = o
            .refunds()
            .iter()
            .filter(|r| r.payment == p.id && r.counts())
            .map(|r| r.amount.get())
            .sum();
        if refunded > p.amount.get() || (refunded > 0 && !p.counts()) {
            return Err(format!("refunds {refunded} exceed payment {p:?}"));
        }
    }
    let tips = o.tips().map_err(|e| e.to_string())?.get();
    if charged != paid + tips {
        return Err(format!("charged {charged} != paid {paid} + tips {tips}"));
    }
    if o.state() == OrderState::Completed && paid != total {
        return Err(format!("completed with paid {paid} of {total}"));
    }
    check_split(o)
}

/// Every part's shares add up to the order's, per line, per VAT rate and in total.
fn check_split(o: &Order) -> Result<(), String> {
    let Some(bill) = o.bill().map_err(|e| e.to_string())? else {
        return Ok(());
    };
    let t = o.totals().map_err(|e| e.to_string())?;
    let rows: Vec<_> = bill.settled.iter().chain(bill.parts.iter()).collect();
    for line in &t.lines {
        let shares: Vec<_> = rows
            .iter()
            .flat_map(|p| p.lines.iter().filter(|l| l.line == line.line))
            .collect();
        let net: i64 = shares.iter().map(|l| l.net.get()).sum();
        let gross: i64 = shares.iter().map(|l| l.gross.get()).sum();
        let disc: i64 = shares.iter().map(|l| l.discount.get()).sum();
        if net != line.net.get()
            || gross != line.gross.get()
            || disc != line.line_discount.get() + line.order_discount.get()
        {
            return Err(format!("line {} shares do not add up", line.line));
        }
        if shares
            .iter()
            .any(|l| l.net.get() < 0 || l.discount.get() < 0 || l.service_charge.get() < 0)
        {
            return Err(format!("line {} has a negative share", line.line));
        }
    }
    let sc: i64 = rows.iter().map(|p| p.service_charge.get()).sum();
    let total: i64 = rows.iter().map(|p| p.total.get()).sum();
    if sc != t.service_charge.get() || total != t.total.get() {
        return Err(format!("service {sc} / total {total} do not add up to {t:?}"));
    }
    for rate in &t.vat {
        let (g, v): (i64, i64) = rows
            .iter()
            .flat_map(|p| p.vat.iter().filter(|x| x.class == rate.class))
            .fold((0, 0), |(g, v), x| (g + x.gross.get(), v + x.vat.get()));
        if g != rate.gross.get() || v != rate.vat.get() {
            return Err(format!("{:?} VAT parts {g}/{v} vs {:?}", rate.class, rate));
        }
    }
    for p in &rows {
        for x in &p.vat {
            if x.vat.get() < 0 || x.vat > x.gross || (x.class == VatClass::Zero && x.vat.get() != 0) {
                return Err(format!("part {} VAT {:?}", p.no, x));
            }
        }
    }
    Ok(())
}

fn pid(n: &mut u128) -> PaymentId {
    *n += 1;
    PaymentId::from_uuid(Uuid::from_u128(*n))
}

fn plan(o: &Order, tape: &mut Tape) -> Option<SplitPlan> {
    let t = o.totals().ok()?;
    let remaining = t.total.checked_sub(o.paid().ok()?).ok()?;
    match tape.pick(4) {
        0 => None,
        1 => Some(SplitPlan::Even {
            parts: 2 + tape.pick(7) as u32,
        }),
        2 => {
            let n = 2 + tape.pick(5) as usize;
            let weights: Vec<Minor> = (0..n).map(|_| Minor::new(1 + tape.pick(100) as i64)).collect();
            Some(SplitPlan::ByAmount {
                amounts: allocate(remaining, &weights).ok()?,
            })
        }
        _ => {
            let n = 2 + tape.pick(5) as usize;
            let items = t
                .lines
                .iter()
                .map(|l| {
                    let mut weights: Vec<u32> = (0..n)
                        .map(|_| if tape.chance(40) { 1 + tape.pick(3) as u32 } else { 0 })
                        .collect();
                    if weights.iter().all(|&w| w == 0) {
                        weights[tape.pick(n as u64) as usize] = 1;
                    }
                    ItemShare { line: l.line, weights }
                })
                .collect();
            Some(SplitPlan::ByItem { parts: n as u32, items })
        }
    }
}

/// Pays what is due on one part (or the whole order) with random tenders, tips and outcomes.
fn pay(o: &mut Order, part: Option<u32>, tape: &mut Tape, n: &mut u128) -> Result<(), TestCaseError> {
    for _ in 0..6 {
        let due = match o.due_for(part) {
            Ok((_, due)) => due.get(),
            Err(e) => return Err(TestCaseError::fail(format!("due_for {part:?}: {e}"))),
        };
        if due <= 0 || o.state().is_closed() {
            return Ok(());
        }
        let amount = if tape.chance(30) {
            1 + tape.pick(due as u64) as i64
        } else {
            due
        };
        let tip = if tape.chance(30) { tape.pick(1000) as i64 } else { 0 };
        if tape.chance(50) {
            let extra = if tape.chance(50) { tape.pick(5000) as i64 } else { 0 };
            let keep = if extra > 0 && tape.chance(30) {
                tape.pick(extra as u64 + 1) as i64
            } else {
                0
            };
            let r = step(
                o,
                OrderCommand::TakeCash {
                    payment: pid(n),
                    tendered: Minor::new(amount + extra),
                    tip: Minor::new(keep),
                    part,
                },
            );
            if let Err(e) = r {
                // Keeping all of the cash as a tip settles nothing, which is refused; so is more cash
                // (or a bigger tip) than the till's limits allow.
                let over =
                    amount + extra > fynlo_core::limits::MAX_TENDERED.get() || keep > fynlo_core::limits::MAX_TIP.get();
                prop_assert!(
                    matches!(e, Error::InvalidPaymentAmount) || (over && matches!(e, Error::AmountOverLimit { .. })),
                    "{}",
                    e
                );
            }
        } else {
            let id = pid(n);
            let tender = if tape.chance(50) {
                Tender::Card
            } else {
                Tender::PayByBank
            };
            step(
                o,
                OrderCommand::StartPayment {
                    payment: id,
                    key: id.to_string(),
                    tender,
                    amount: Minor::new(amount),
                    tip: Minor::new(tip),
                    surcharge: Minor::ZERO,
                    part,
                },
            )
            .map_err(|e| TestCaseError::fail(format!("start {amount} of {due}: {e}")))?;
            if tape.chance(20) {
                step(o, update(id, PaymentStatus::Authorized)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
            let end = match tape.pick(10) {
                0 => PaymentStatus::Failed,
                1 => PaymentStatus::Cancelled,
                _ => PaymentStatus::Succeeded,
            };
            step(o, update(id, end)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
    }
    Ok(())
}

fn update(payment: PaymentId, status: PaymentStatus) -> OrderCommand {
    OrderCommand::UpdatePayment {
        payment,
        status,
        provider_ref: None,
        note: None,
        fees: FeeSchedule::default(),
    }
}

fn settle(o: &mut Order, tape: &mut Tape, n: &mut u128) -> Result<(), TestCaseError> {
    for _ in 0..4 {
        if o.state().is_closed() {
            return Ok(());
        }
        match o.split().map(|s| s.plan.parts()) {
            Some(parts) => {
                for p in 1..=parts as u32 {
                    pay(o, Some(p), tape, n)?;
                }
            }
            None => pay(o, None, tape, n)?,
        }
    }
    // Whatever the tape did, paying the rest in cash always completes the order.
    if !o.state().is_closed() {
        if let Some(parts) = o.split().map(|s| s.plan.parts()) {
            for p in 1..=parts as u32 {
                let due = o.due_for(Some(p)).map_err(|e| TestCaseError::fail(e.to_string()))?.1;
                cash_in_full(o, due, Some(p), n)?;
            }
        } else {
            let due = o.balance().map_err(|e| TestCaseError::fail(e.to_string()))?;
            cash_in_full(o, due, None, n)?;
        }
    }
    prop_assert_eq!(o.state(), OrderState::Completed);
    if let Some(split) = o.split() {
        for p in 1..=split.plan.parts() as u32 {
            let (paid, held) = o.part_payments(p).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let part = o.part(p).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(paid, part.total, "part {} paid exactly", p);
            prop_assert_eq!(held, Minor::ZERO);
        }
    }
    Ok(())
}

fn refunds(o: &mut Order, tape: &mut Tape, n: &mut u128) -> Result<(), TestCaseError> {
    for _ in 0..tape.pick(5) {
        let paid: Vec<_> = o.payments().iter().filter(|p| p.counts()).cloned().collect();
        if paid.is_empty() {
            return Ok(());
        }
        let payment = &paid[tape.pick(paid.len() as u64) as usize];
        let max = o
            .refundable(payment)
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .get();
        *n += 1;
        let id = RefundId::from_uuid(Uuid::from_u128(*n));
        let (amount, lines) = if tape.chance(50) {
            (Some(Minor::new(1 + tape.pick(max.max(1) as u64 + 20) as i64)), vec![])
        } else {
            let live: Vec<_> = o.live_lines().map(|l| (l.no, l.quantity)).collect();
            let (line, qty) = live[tape.pick(live.len() as u64) as usize];
            (None, vec![(line, 1 + tape.pick(u64::from(qty)) as u32)])
        };
        let cmd = OrderCommand::StartRefund {
            refund: id,
            key: id.to_string(),
            payment: payment.id,
            amount,
            lines: lines.clone(),
            reason: "test".into(),
        };
        match step(o, cmd) {
            Ok(()) => {
                let r = o
                    .refunds()
                    .last()
                    .cloned()
                    .ok_or_else(|| TestCaseError::fail("no refund"))?;
                prop_assert!(r.amount.get() <= max, "refund {} above {}", r.amount.get(), max);
                if r.status.in_flight() {
                    let end = if tape.chance(80) {
                        PaymentStatus::Succeeded
                    } else {
                        PaymentStatus::Failed
                    };
                    step(
                        o,
                        OrderCommand::UpdateRefund {
                            refund: id,
                            status: end,
                            provider_ref: None,
                            note: None,
                        },
                    )
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
            }
            Err(e) => {
                let allowed = matches!(
                    e,
                    Error::RefundTooLarge { .. }
                        | Error::InvalidPaymentAmount
                        | Error::InvalidField { field: "quantity", .. }
                ) || (matches!(e, Error::LineVoid(_)) && !lines.is_empty());
                prop_assert!(
                    allowed,
                    "unexpected refusal {} (amount {:?}, lines {:?}, max {})",
                    e,
                    amount,
                    lines,
                    max
                );
            }
        }
    }
    Ok(())
}

fn scenario(spec: &OrderSpec, tape: Vec<u64>) -> Result<(), TestCaseError> {
    let mut o = build(spec, &spec.lines);
    let mut tape = Tape { values: tape, at: 0 };
    let mut n: u128 = 0;
    let total = o.totals().map_err(|e| TestCaseError::fail(e.to_string()))?.total;
    if o.live_lines().next().is_none() || !total.is_positive() {
        return Ok(());
    }
    // Sometimes a payment on account first, then a split of what remains.
    if tape.chance(30) {
        let amount = 1 + tape.pick(total.get().min(fynlo_core::limits::MAX_TENDERED.get()) as u64) as i64;
        step(
            &mut o,
            OrderCommand::TakeCash {
                payment: pid(&mut n),
                tendered: Minor::new(amount),
                tip: Minor::ZERO,
                part: None,
            },
        )
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
    if !o.state().is_closed() {
        if let Some(p) = plan(&o, &mut tape) {
            match step(&mut o, OrderCommand::SetSplit(Some(p.clone()))) {
                Ok(()) => {}
                Err(e) => {
                    // A split by item after a payment, or amounts rounded to zero, are refused.
                    let paid_before = !o.paid().map_err(|e| TestCaseError::fail(e.to_string()))?.is_zero();
                    let expected = match &p {
                        SplitPlan::ByItem { .. } => paid_before,
                        SplitPlan::ByAmount { amounts } => amounts.iter().any(|a| a.is_zero()),
                        SplitPlan::Even { .. } => false,
                    };
                    prop_assert!(expected, "split refused: {} for {:?}", e, p);
                }
            }
        }
    }
    settle(&mut o, &mut tape, &mut n)?;
    refunds(&mut o, &mut tape, &mut n)
}

/// Pays `due` in cash, in as many payments as the till's limit on cash handed over needs.
fn cash_in_full(o: &mut Order, due: Minor, part: Option<u32>, n: &mut u128) -> Result<(), TestCaseError> {
    let mut left = due;
    while left.is_positive() {
        let now = left.min(fynlo_core::limits::MAX_TENDERED);
        step(
            o,
            OrderCommand::TakeCash {
                payment: pid(n),
                tendered: now,
                tip: Minor::ZERO,
                part,
            },
        )
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
        left = left.checked_sub(now).map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(60_000)))]

    #[test]
    fn random_splits_payments_and_refunds_keep_every_penny(
        spec in order_spec(),
        tape in proptest::collection::vec(any::<u64>(), 16..64),
    ) {
        scenario(&spec, tape)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(40_000)))]

    #[test]
    fn rounded_tables_add_up_both_ways(
        columns in proptest::collection::vec(
            prop_oneof![3 => 0i64..5_000, 1 => 0i64..=1_000_000_000_000],
            1..12,
        ),
        parts in 1usize..9,
        seed in proptest::collection::vec(0u64..=20, 108),
    ) {
        let weights: Vec<Vec<u64>> = columns
            .iter()
            .enumerate()
            .map(|(c, _)| {
                let mut w: Vec<u64> = (0..parts).map(|p| seed[(c * 9 + p) % seed.len()] % 4).collect();
                if w.iter().all(|&x| x == 0) {
                    w[c % parts] = 1;
                }
                w
            })
            .collect();
        let cols: Vec<Minor> = columns.iter().copied().map(Minor::new).collect();
        let cells = round_table(&cols, &weights, parts).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // Columns exact; cells floor or ceil of their exact share; rows floor or ceil of their exact total.
        for (c, &amount) in columns.iter().enumerate() {
            let sum: i64 = cells.iter().map(|row| row[c]).sum();
            prop_assert_eq!(sum, amount, "column {}", c);
            let w: u64 = weights[c].iter().sum();
            for p in 0..parts {
                let exact_num = i128::from(amount) * i128::from(weights[c][p]);
                let floor = exact_num / i128::from(w);
                let cell = i128::from(cells[p][c]);
                prop_assert!(cell == floor || (cell == floor + 1 && exact_num % i128::from(w) != 0), "cell {} {}", p, c);
            }
        }
        // Row totals: compare against the exact sum with a common denominator (the weights are small).
        let den: i128 = weights.iter().map(|w| i128::from(w.iter().sum::<u64>())).product();
        for p in 0..parts {
            let exact_num: i128 = columns
                .iter()
                .enumerate()
                .map(|(c, &a)| {
                    let w = i128::from(weights[c].iter().sum::<u64>());
                    i128::from(a) * i128::from(weights[c][p]) * (den / w)
                })
                .sum();
            let row: i128 = cells[p].iter().map(|&x| i128::from(x)).sum();
            let floor = exact_num.div_euclid(den);
            prop_assert!(row == floor || (row == floor + 1 && exact_num % den != 0), "row {} = {} vs {}/{}", p, row, exact_num, den);
        }
    }
}

#[test]
fn a_line_shared_unevenly_rounds_exactly() {
    // Two-thirds / one-third of 100p → 66.67 / 33.33 → 67 / 33.
    let cells = round_table(&[Minor::new(100)], &[vec![2, 1]], 2).expect("rounds");
    assert_eq!(cells, vec![vec![67], vec![33]]);
    assert_eq!(round_table(&[Minor::new(1)], &[vec![0, 0]], 2), Err(Error::NoParts));
    let _ = LineNo::new(1);
}
