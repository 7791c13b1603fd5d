//! Pricing: from an order's lines to its totals, by the rules of SPEC §2, exactly.
//!
//! 1. A line's gross = (unit price of product or variant + modifier deltas) × quantity, VAT-inclusive.
//! 2. A percent line discount = the line's gross × percent, rounded half up; a fixed one can't exceed
//!    the line.
//! 3. A percent order discount = the sum of lines after line discounts × percent, rounded half up; it and a
//!    fixed order discount are allocated over the lines in proportion to their amounts after line
//!    discounts, largest remainder, ties to the earlier line. A fixed order discount can't exceed that sum.
//! 4. Service charge = the order total after all discounts (VAT-inclusive) × rate, rounded half up, when
//!    the order's service charge applies (enabled, not removed, and dine-in unless the restaurant charges
//!    every order). Tips are never in this base.
//! 5. VAT for each rate r = G × r / (1 + r), rounded half up, where G is the VAT-inclusive amount at that
//!    rate after discounts. A compulsory service charge is added to the standard-rate G; a discretionary
//!    one to none (it is outside the scope of VAT).
//! 6. Total = lines after discounts + service charge. Tips are added on top and shown apart.
//!
//! Choices made where the rules are silent:
//! - A manager's price override replaces a line's unit price, modifier deltas included (SPEC §4), so rule 1
//!   becomes override × quantity.
//! - Voided lines are left out entirely.
//! - "Rounded half up" means to the nearest penny with halves away from zero
//!   ([`crate::rate::div_round_half_up`], the only rounding in the till).
//! - VAT rows are listed standard, reduced, zero; a rate with no lines has no row, except the standard row
//!   a compulsory service charge creates on its own.
//! - The net (ex-VAT) amount of a rate is G − VAT, so net + VAT = G exactly.

use serde::{Deserialize, Serialize};

use crate::{
    allocate::allocate,
    catalog::VatClass,
    ids::LineNo,
    order::{Discount, Line, Order, OrderKind, ServiceCharge},
    settings::ServiceChargeKind,
    BasisPoints, Minor, Result,
};

/// One line's part of the totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineTotal {
    /// Which line.
    pub line: LineNo,
    /// Its VAT class on this order.
    pub vat_class: VatClass,
    /// Rule 1.
    pub gross: Minor,
    /// Rule 2.
    pub line_discount: Minor,
    /// Its share of the order discount (rule 3).
    pub order_discount: Minor,
    /// Gross less both discounts.
    pub net: Minor,
}

/// VAT at one rate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatTotal {
    /// The class.
    pub class: VatClass,
    /// Its rate.
    pub rate: BasisPoints,
    /// VAT-inclusive amount at this rate (G of rule 5).
    pub gross: Minor,
    /// The VAT in it.
    pub vat: Minor,
    /// `gross - vat`.
    pub net: Minor,
}

/// An order's totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Per live line, in line order.
    pub lines: Vec<LineTotal>,
    /// Sum of line grosses.
    pub subtotal: Minor,
    /// Sum of line discounts.
    pub line_discounts: Minor,
    /// The order discount.
    pub order_discount: Minor,
    /// Lines after all discounts.
    pub after_discounts: Minor,
    /// The service charge (zero when it does not apply).
    pub service_charge: Minor,
    /// The kind of service charge, when one applies.
    pub service_charge_kind: Option<ServiceChargeKind>,
    /// VAT by rate.
    pub vat: Vec<VatTotal>,
    /// Sum of VAT.
    pub vat_total: Minor,
    /// What the guest owes before tips.
    pub total: Minor,
}

/// Prices an order.
pub fn price(order: &Order) -> Result<Totals> {
    let lines: Vec<&Line> = order.live_lines().collect();
    price_lines(&lines, order.kind(), order.discount(), order.service_charge())
}

/// Prices lines as an order of `kind` with an order `discount` and a `service_charge` rule.
pub fn price_lines(
    lines: &[&Line],
    kind: &OrderKind,
    discount: Option<&Discount>,
    service_charge: &ServiceCharge,
) -> Result<Totals> {
    let mut rows = Vec::with_capacity(lines.len());
    for line in lines {
        let gross = line.gross()?;
        let line_discount = match &line.discount {
            Some(d) => d.of(gross)?,
            None => Minor::ZERO,
        };
        rows.push(LineTotal {
            line: line.no,
            vat_class: if kind.is_eat_in() {
                line.vat.eat_in
            } else {
                line.vat.takeaway
            },
            gross,
            line_discount,
            order_discount: Minor::ZERO,
            net: gross.checked_sub(line_discount)?,
        });
    }
    let after_line_discounts = Minor::sum(rows.iter().map(|r| r.net))?;
    let order_discount = match discount {
        Some(d) => d.of(after_line_discounts)?,
        None => Minor::ZERO,
    };
    if !order_discount.is_zero() {
        let weights: Vec<Minor> = rows.iter().map(|r| r.net).collect();
        for (row, share) in rows.iter_mut().zip(allocate(order_discount, &weights)?) {
            row.order_discount = share;
            row.net = row.net.checked_sub(share)?;
        }
    }
    let after_discounts = after_line_discounts.checked_sub(order_discount)?;
    let (service_charge_amount, service_charge_kind) = if service_charge.applies(kind) {
        (
            service_charge.policy.rate.of(after_discounts)?,
            Some(service_charge.policy.kind),
        )
    } else {
        (Minor::ZERO, None)
    };

    let mut vat = Vec::new();
    for class in [VatClass::Standard, VatClass::Reduced, VatClass::Zero] {
        let mut gross = Minor::sum(rows.iter().filter(|r| r.vat_class == class).map(|r| r.net))?;
        let has_lines = rows.iter().any(|r| r.vat_class == class);
        let compulsory = class == VatClass::Standard
            && service_charge_kind == Some(ServiceChargeKind::Compulsory)
            && service_charge_amount.is_positive();
        if compulsory {
            gross = gross.checked_add(service_charge_amount)?;
        }
        if !has_lines && !compulsory {
            continue;
        }
        let tax = class.rate().inclusive_tax_of(gross)?;
        vat.push(VatTotal {
            class,
            rate: class.rate(),
            gross,
            vat: tax,
            net: gross.checked_sub(tax)?,
        });
    }
    Ok(Totals {
        subtotal: Minor::sum(rows.iter().map(|r| r.gross))?,
        line_discounts: Minor::sum(rows.iter().map(|r| r.line_discount))?,
        order_discount,
        after_discounts,
        service_charge: service_charge_amount,
        service_charge_kind,
        vat_total: Minor::sum(vat.iter().map(|v| v.vat))?,
        vat,
        total: after_discounts.checked_add(service_charge_amount)?,
        lines: rows,
    })
}
