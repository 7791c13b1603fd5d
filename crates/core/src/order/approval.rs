//! The approval rules, checked on the order's *state* after every command rather than on the one command
//! that usually reaches it: a limit is about what the order gives away, and many commands can change
//! that — a quantity cut under a fixed discount, a line removed under an order discount, a switch to
//! takeaway that drops the service charge.
//!
//! The rules (the threshold is the restaurant's `approvals.discount_over`):
//! - **a line's discount** over the threshold of the line's gross (a percentage over it, or a fixed
//!   amount over that share of the line);
//! - **the order discount** over the threshold of what it applies to (the lines after their own
//!   discounts);
//! - **the service charge** no longer charged where it was (removed, or gone with a switch to
//!   takeaway), when the settings say removing it needs approval.
//!
//! A command needs a manager's approval when, after it, the order breaks a rule *further* than it did
//! before: a discount over the threshold whose share of its base grew, or a service charge that was
//! charged and no longer is. What an earlier approval allowed stays allowed; anything beyond it is asked
//! for again. Voids of lines the kitchen has seen, cancelling such an order, price overrides and refunds
//! always need approval, and their own commands ask for it.

use serde::{Deserialize, Serialize};

use super::Order;
use crate::{ids::LineNo, order::DiscountKind, pricing::Totals, settings::ApprovalPolicy, BasisPoints, Minor, Result};

/// What a discount gives away, as a fraction of its base: `(given, base)`. A percentage is its own rate,
/// whatever rounding did, so a quantity change under a percentage discount never asks again.
type Share = (i128, i128);

/// A rule the order breaks after a command, beyond what it broke before; recorded with the manager who
/// approved it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Needs {
    /// A line's discount grew past what was allowed.
    LineDiscount {
        /// Which line.
        line: LineNo,
    },
    /// The order discount grew past what was allowed.
    OrderDiscount,
    /// The service charge stopped being charged.
    ServiceChargeDropped,
}

impl Needs {
    /// What needs approval, for the error the cashier sees.
    pub fn what(self) -> &'static str {
        match self {
            Needs::LineDiscount { .. } => "a line discount this large",
            Needs::OrderDiscount => "an order discount this large",
            Needs::ServiceChargeDropped => "removing the service charge",
        }
    }
}

/// The rules `after` breaks beyond what `before` (the same order before the command) broke.
pub(super) fn needs(before: &Order, after: &Order, policy: ApprovalPolicy) -> Result<Vec<Needs>> {
    let mut needs = Vec::new();
    let totals_after = after.priced()?;
    let totals_before = before.priced()?;
    let limit = policy.discount_over;
    for line in after.live_lines() {
        let Some(discount) = &line.discount else { continue };
        let Some(row) = totals_after.lines.iter().find(|r| r.line == line.no) else {
            continue;
        };
        let share = share_of(discount.kind, row.line_discount, row.gross);
        if over(discount.kind, row.line_discount, row.gross, limit)? {
            let was = before
                .live_lines()
                .find(|l| l.no == line.no)
                .and_then(|l| l.discount.as_ref().map(|d| (l, d)))
                .and_then(|(l, d)| {
                    let r = totals_before.lines.iter().find(|r| r.line == l.no)?;
                    Some(share_of(d.kind, r.line_discount, r.gross))
                });
            if was.is_none_or(|was| grew(share, was)) {
                needs.push(Needs::LineDiscount { line: line.no });
            }
        }
    }
    if let Some(discount) = after.discount() {
        let base = base_of(totals_after)?;
        let share = share_of(discount.kind, totals_after.order_discount, base);
        if over(discount.kind, totals_after.order_discount, base, limit)? {
            let was = match before.discount() {
                Some(d) => Some(share_of(d.kind, totals_before.order_discount, base_of(totals_before)?)),
                None => None,
            };
            if was.is_none_or(|was| grew(share, was)) {
                needs.push(Needs::OrderDiscount);
            }
        }
    }
    let charged = |o: &Order| o.service_charge().applies(o.kind());
    if policy.service_charge_removal && charged(before) && !charged(after) {
        needs.push(Needs::ServiceChargeDropped);
    }
    Ok(needs)
}

/// What the order discount applies to: the lines after their own discounts.
fn base_of(totals: &Totals) -> Result<Minor> {
    totals.subtotal.checked_sub(totals.line_discounts)
}

fn share_of(kind: DiscountKind, given: Minor, base: Minor) -> Share {
    match kind {
        DiscountKind::Percent { rate } => (i128::from(rate.get()), 10_000),
        DiscountKind::Fixed { .. } => (i128::from(given.get()), i128::from(base.get())),
    }
}

/// Is `now` a larger share than `was`? Nothing is given off a zero base; anything given is more than a
/// share of nothing.
fn grew((n1, d1): Share, (n0, d0): Share) -> bool {
    if d1 <= 0 {
        return false;
    }
    if d0 <= 0 {
        return n1 > 0;
    }
    n1 * d0 > n0 * d1
}

/// Does a discount giving `given` of `base` go over the threshold?
fn over(kind: DiscountKind, given: Minor, base: Minor, limit: BasisPoints) -> Result<bool> {
    Ok(match kind {
        DiscountKind::Percent { rate } => rate > limit,
        DiscountKind::Fixed { .. } => given > limit.of(base)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_compare_as_fractions() {
        assert!(grew((400, 400), (400, 4000)), "£4 of £4 is more than £4 of £40");
        assert!(!grew((400, 4000), (400, 400)));
        assert!(!grew((1000, 10_000), (1000, 10_000)), "the same share did not grow");
        assert!(!grew((0, 0), (400, 4000)), "nothing is given off nothing");
        assert!(grew((400, 4000), (0, 0)), "something is more than a share of nothing");
        assert!(!grew((0, 4000), (0, 0)));
    }
}
