//! Splitting a bill: evenly by N, by custom amounts, or by item (whole lines or fractions of lines per
//! guest), and splitting again what remains after a partial payment.
//!
//! Every part carries its exact share of every line, discount, service charge and VAT rate, so a receipt
//! for one guest is right on its own, and the parts always add up to the whole — per line, per VAT rate,
//! for the discount, the service charge and the total. No penny is lost or invented.
//!
//! How (the rules, in one place):
//! 1. The order is priced as usual ([`crate::pricing`]). The service charge is spread over the lines in
//!    proportion to their amounts after discounts (largest remainder), so each line carries its own share.
//! 2. Each line's amount after discounts and its service-charge share are divided between the parts:
//!    - *even by N*: the amount being split is divided into N parts with the extra pennies to the earlier
//!      parts (£1 in 3 = 34p, 33p, 33p), and every line is shared in proportion to those part totals;
//!    - *by amount*: the amounts given (which must add up to what is being split) are the weights;
//!    - *by item*: each line is given to one part or shared with whole-number weights (a shared starter
//!      across three is 1, 1, 1; two-thirds to one guest is 2, 1).
//! 3. The table of shares is rounded to whole pennies all at once ([`round_table`]): each cell is its
//!    exact share rounded down or up, every line sums exactly, and every part's total is its exact total
//!    rounded down or up — so an even or by-amount split gives each part exactly its amount.
//! 4. Each line's discount is divided over the parts in the same proportions (largest remainder), and
//!    the part's gross for the line is its amount after discounts plus its discount.
//! 5. Each VAT rate's VAT is divided over the parts in proportion to the part's amount at that rate
//!    (largest remainder), so the parts' VAT adds up to the order's VAT at every rate. A compulsory
//!    service charge counts at the standard rate; a discretionary one at none.
//! 6. After a partial payment, what was already paid is treated as one more part (not shown), sharing
//!    every line in proportion, and the rest is split — so splitting again what remains is exact too.
//!    A split by item is made before any payment, when every line is still wholly unpaid.
//!
//! Any change to what the order costs (a line, a discount, the service charge, eat-in or takeaway)
//! clears the split; payments already made stay, and the next split starts from what remains.

use serde::{Deserialize, Serialize};

use crate::{
    allocate::{allocate, round_table_of, split_even},
    catalog::VatClass,
    ids::LineNo,
    pricing::{Totals, VatTotal},
    settings::ServiceChargeKind,
    Error, Minor, Result,
};

/// The most parts a bill is split into.
pub const MAX_PARTS: usize = 20;
/// The most a line's weights may add up to in a split by item.
pub const MAX_LINE_WEIGHT: u32 = 20;

/// How a bill is split.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SplitPlan {
    /// Into `parts` equal parts (the extra pennies to the earlier parts).
    Even {
        /// 2 to 20.
        parts: u32,
    },
    /// Into parts of these amounts, which add up to what is being split.
    ByAmount {
        /// 2 to 20 amounts, each more than zero.
        amounts: Vec<Minor>,
    },
    /// By item: every line goes to one part, or is shared between parts by weight.
    ByItem {
        /// 2 to 20.
        parts: u32,
        /// One entry per line that counts (not voided).
        items: Vec<ItemShare>,
    },
}

/// Who has a line in a split by item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemShare {
    /// The line.
    pub line: LineNo,
    /// One weight per part (0 = not this part's); they add up to 1–20.
    pub weights: Vec<u32>,
}

/// A split in force on an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// 1 for the order's first split, 2 for the next…; payments name the split and part they pay.
    pub seq: u32,
    /// How.
    pub plan: SplitPlan,
    /// What was already paid when the split was made (the rest is what is split).
    pub settled: Minor,
}

impl SplitPlan {
    /// How many parts the plan makes.
    pub fn parts(&self) -> usize {
        match self {
            SplitPlan::Even { parts } | SplitPlan::ByItem { parts, .. } => *parts as usize,
            SplitPlan::ByAmount { amounts } => amounts.len(),
        }
    }

    /// Checks the plan against the order's totals and what is already paid.
    pub fn validate(&self, totals: &Totals, settled: Minor) -> Result<()> {
        let bad = |reason: String| Err(Error::InvalidField { field: "split", reason });
        let parts = self.parts();
        if !(2..=MAX_PARTS).contains(&parts) {
            return bad(format!("a bill is split into 2 to {MAX_PARTS} parts, not {parts}"));
        }
        let remaining = totals.total.checked_sub(settled)?;
        if !remaining.is_positive() {
            return Err(Error::NothingDue);
        }
        match self {
            SplitPlan::Even { .. } => Ok(()),
            SplitPlan::ByAmount { amounts } => {
                if amounts.iter().any(|a| !a.is_positive()) {
                    return bad("every part's amount must be more than zero".into());
                }
                let sum = Minor::sum(amounts.iter().copied())?;
                if sum != remaining {
                    return Err(Error::SplitAmountsMismatch {
                        sum: sum.get(),
                        due: remaining.get(),
                    });
                }
                Ok(())
            }
            SplitPlan::ByItem { items, .. } => {
                if !settled.is_zero() {
                    return bad(
                        "split by item before taking any payment; split what remains evenly or by amount".into(),
                    );
                }
                let mut seen = std::collections::HashSet::with_capacity(items.len());
                for item in items {
                    if !seen.insert(item.line) {
                        return bad(format!("line {} is listed twice", item.line));
                    }
                    if !totals.lines.iter().any(|r| r.line == item.line) {
                        return Err(Error::UnknownLine(item.line));
                    }
                    if item.weights.len() != parts {
                        return bad(format!("line {}: give one weight per part ({parts})", item.line));
                    }
                    let total: u32 = item.weights.iter().map(|&w| w.min(MAX_LINE_WEIGHT + 1)).sum();
                    if total == 0 || total > MAX_LINE_WEIGHT {
                        return bad(format!(
                            "line {}: weights must add up to 1 to {MAX_LINE_WEIGHT}",
                            item.line
                        ));
                    }
                }
                if let Some(row) = totals.lines.iter().find(|r| !seen.contains(&r.line)) {
                    return Err(Error::LineNotAssigned(row.line));
                }
                Ok(())
            }
        }
    }
}

/// One line's share in a part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartLine {
    /// The line.
    pub line: LineNo,
    /// This part's weight of the line…
    pub weight: u64,
    /// …out of this (1 of 3 for a starter shared by three).
    pub of: u64,
    /// Its share of the line before discounts.
    pub gross: Minor,
    /// Its share of the line's discounts (line and order).
    pub discount: Minor,
    /// `gross - discount`.
    pub net: Minor,
    /// Its share of the service charge carried by the line.
    pub service_charge: Minor,
}

/// One part of a split bill: what one guest pays, with everything a receipt for it needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// 1, 2, 3…
    pub no: u32,
    /// Its share of each line (lines it has no share of are left out).
    pub lines: Vec<PartLine>,
    /// Before discounts.
    pub gross: Minor,
    /// Its share of every discount.
    pub discount: Minor,
    /// Its share of the service charge.
    pub service_charge: Minor,
    /// Its share of VAT, by rate.
    pub vat: Vec<VatTotal>,
    /// `gross - discount + service_charge`.
    pub total: Minor,
}

/// A split worked out against the order's current totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitBill {
    /// The share of the bill already paid when the split was made, if any.
    pub settled: Option<Part>,
    /// The parts, in order.
    pub parts: Vec<Part>,
}

/// Works out every part of `split` for an order priced as `totals`.
pub fn split_bill(totals: &Totals, split: &Split) -> Result<SplitBill> {
    split.plan.validate(totals, split.settled)?;
    let remaining = totals.total.checked_sub(split.settled)?;
    let has_settled = split.settled.is_positive();
    let lines = &totals.lines;
    let nets: Vec<Minor> = lines.iter().map(|l| l.net).collect();
    let sc_per_line = if totals.service_charge.is_zero() {
        vec![Minor::ZERO; lines.len()]
    } else {
        allocate(totals.service_charge, &nets)?
    };
    // Row weights per line: one shared row for an even or by-amount split, one per line by item.
    let shared: Vec<u64>;
    let own: Vec<Vec<u64>>;
    let line_weights: Vec<&[u64]> = match &split.plan {
        SplitPlan::Even { parts } => {
            shared = amount_row(split.settled, has_settled, &split_even(remaining, *parts as usize)?)?;
            vec![shared.as_slice(); lines.len()]
        }
        SplitPlan::ByAmount { amounts } => {
            shared = amount_row(split.settled, has_settled, amounts)?;
            vec![shared.as_slice(); lines.len()]
        }
        SplitPlan::ByItem { items, .. } => {
            let mut by_line: std::collections::HashMap<LineNo, &ItemShare> =
                items.iter().map(|i| (i.line, i)).collect();
            own = lines
                .iter()
                .map(|l| {
                    by_line
                        .remove(&l.line)
                        .map(|i| i.weights.iter().map(|&w| u64::from(w)).collect())
                        .ok_or(Error::LineNotAssigned(l.line))
                })
                .collect::<Result<_>>()?;
            own.iter().map(Vec::as_slice).collect()
        }
    };
    let rows = split.plan.parts() + usize::from(has_settled);
    let mut columns = Vec::with_capacity(lines.len() * 2);
    let mut weights: Vec<&[u64]> = Vec::with_capacity(lines.len() * 2);
    for (i, l) in lines.iter().enumerate() {
        columns.push(l.net);
        weights.push(line_weights[i]);
        columns.push(sc_per_line[i]);
        weights.push(line_weights[i]);
    }
    let cells = if lines.is_empty() {
        vec![Vec::new(); rows]
    } else {
        round_table_of(&columns, &weights, rows)?
    };
    // Discounts per line, divided in the line's proportions.
    let mut discount_cells = vec![vec![Minor::ZERO; lines.len()]; rows];
    for (i, l) in lines.iter().enumerate() {
        let discount = l.line_discount.checked_add(l.order_discount)?;
        if discount.is_zero() {
            continue;
        }
        let w = line_weights[i];
        let mut holders = w.iter().enumerate().filter(|(_, &x)| x > 0);
        if let (Some((only, _)), None) = (holders.next(), holders.next()) {
            discount_cells[only][i] = discount;
            continue;
        }
        let w: Vec<Minor> = w
            .iter()
            .map(|&x| i64::try_from(x).map(Minor::new).map_err(|_| Error::Overflow))
            .collect::<Result<_>>()?;
        for (row, share) in allocate(discount, &w)?.into_iter().enumerate() {
            discount_cells[row][i] = share;
        }
    }
    // VAT by rate, divided in proportion to each row's amount at that rate.
    let compulsory = totals.service_charge_kind == Some(ServiceChargeKind::Compulsory);
    let mut vat_rows: Vec<Vec<VatTotal>> = vec![Vec::new(); rows];
    for rate in &totals.vat {
        let mut g = Vec::with_capacity(rows);
        for row in &cells {
            let mut amount = Minor::ZERO;
            for (i, l) in lines.iter().enumerate() {
                if l.vat_class == rate.class {
                    amount = amount.checked_add(Minor::new(row[2 * i]))?;
                }
                if compulsory && rate.class == VatClass::Standard {
                    amount = amount.checked_add(Minor::new(row[2 * i + 1]))?;
                }
            }
            g.push(amount);
        }
        for (row, (gross, vat)) in g.iter().zip(allocate(rate.vat, &g)?).enumerate() {
            if gross.is_zero() && vat.is_zero() {
                continue;
            }
            vat_rows[row].push(VatTotal {
                class: rate.class,
                rate: rate.rate,
                gross: *gross,
                vat,
                net: gross.checked_sub(vat)?,
            });
        }
    }
    let mut made = Vec::with_capacity(rows);
    for (row, vat) in vat_rows.into_iter().enumerate() {
        let mut part_lines = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            let weight = line_weights[i][row];
            if weight == 0 {
                continue;
            }
            let net = Minor::new(cells[row][2 * i]);
            let discount = discount_cells[row][i];
            part_lines.push(PartLine {
                line: l.line,
                weight,
                of: line_weights[i].iter().sum(),
                gross: net.checked_add(discount)?,
                discount,
                net,
                service_charge: Minor::new(cells[row][2 * i + 1]),
            });
        }
        let gross = Minor::sum(part_lines.iter().map(|p| p.gross))?;
        let discount = Minor::sum(part_lines.iter().map(|p| p.discount))?;
        let service_charge = Minor::sum(part_lines.iter().map(|p| p.service_charge))?;
        made.push(Part {
            no: 0,
            lines: part_lines,
            gross,
            discount,
            service_charge,
            vat,
            total: gross.checked_sub(discount)?.checked_add(service_charge)?,
        });
    }
    let settled = if has_settled { Some(made.remove(0)) } else { None };
    for (i, part) in made.iter_mut().enumerate() {
        part.no = u32::try_from(i + 1).map_err(|_| Error::Overflow)?;
    }
    Ok(SplitBill { settled, parts: made })
}

fn amount_row(settled: Minor, has_settled: bool, amounts: &[Minor]) -> Result<Vec<u64>> {
    let mut row = Vec::with_capacity(amounts.len() + 1);
    if has_settled {
        row.push(u64::try_from(settled.get()).map_err(|_| Error::Overflow)?);
    }
    for a in amounts {
        row.push(u64::try_from(a.get()).map_err(|_| Error::Overflow)?);
    }
    Ok(row)
}
