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
    allocate::{allocate, laminar, split_even},
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
    /// Its share of the line's own discount.
    pub line_discount: Minor,
    /// Its share of the line's part of the order discount.
    pub order_discount: Minor,
    /// Both discounts.
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

/// The columns of a split table, per line: what each part takes of the line's gross, of its line
/// discount, of its share of the order discount, and of the service charge it carries.
const GROSS: usize = 0;
const LINE_DISCOUNT: usize = 1;
const ORDER_DISCOUNT: usize = 2;
const SERVICE: usize = 3;
const COLUMNS_PER_LINE: usize = 4;

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
    let compulsory = totals.service_charge_kind == Some(ServiceChargeKind::Compulsory);
    let table = Table::build(totals, &sc_per_line, &line_weights, rows, compulsory)?;
    let values = laminar::round(&table.cells, &table.parents, lines.len() * COLUMNS_PER_LINE)?;
    let cell = |row: usize, line: usize, column: usize| -> Result<Minor> {
        match table.index[(row * lines.len() + line) * COLUMNS_PER_LINE + column] {
            None => Ok(Minor::ZERO),
            Some(i) => i64::try_from(values[i]).map(Minor::new).map_err(|_| Error::Overflow),
        }
    };
    let vat_rows = vat_shares(totals, &sc_per_line, &line_weights, rows, compulsory, &cell)?;
    let mut made = Vec::with_capacity(rows);
    for (row, vat) in vat_rows.into_iter().enumerate() {
        let mut part_lines = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            let weight = line_weights[i][row];
            if weight == 0 {
                continue;
            }
            let gross = cell(row, i, GROSS)?;
            let line_discount = cell(row, i, LINE_DISCOUNT)?;
            let order_discount = cell(row, i, ORDER_DISCOUNT)?;
            let discount = line_discount.checked_add(order_discount)?;
            part_lines.push(PartLine {
                line: l.line,
                weight,
                of: line_weights[i].iter().sum(),
                gross,
                line_discount,
                order_discount,
                discount,
                net: gross.checked_sub(discount)?,
                service_charge: cell(row, i, SERVICE)?,
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

/// The table a split is rounded as (see the module's rules): per part, a group for the part, one per VAT
/// rate within it, one per line within that (gross less discounts) and one for the line's discounts; the
/// service charge sits in the standard rate's group when compulsory, in the part's otherwise.
struct Table {
    cells: Vec<laminar::Cell>,
    parents: Vec<Option<usize>>,
    /// Which cell holds (row, line, column), if any (a part with no share of a line has none).
    index: Vec<Option<usize>>,
}

impl Table {
    fn build(
        totals: &Totals,
        sc_per_line: &[Minor],
        line_weights: &[&[u64]],
        rows: usize,
        compulsory: bool,
    ) -> Result<Table> {
        let lines = &totals.lines;
        let mut t = Table {
            cells: Vec::with_capacity(rows * lines.len() * COLUMNS_PER_LINE),
            parents: Vec::with_capacity(rows * (4 + 2 * lines.len())),
            index: vec![None; rows * lines.len() * COLUMNS_PER_LINE],
        };
        let amount = |m: Minor| u128::try_from(m.get()).map_err(|_| Error::Overflow);
        for row in 0..rows {
            let part = t.group(None);
            let mut rate_group: [Option<usize>; 3] = [None; 3];
            for (i, l) in lines.iter().enumerate() {
                let w = u128::from(line_weights[i][row]);
                if w == 0 {
                    continue;
                }
                let of: u128 = line_weights[i].iter().map(|&x| u128::from(x)).sum();
                let rate = *rate_group[class_index(l.vat_class)].get_or_insert_with(|| t.group(Some(part)));
                // A group of one cell says no more than the cell's own rounding, so a line without
                // discounts puts its gross straight in the rate's group, and a line with one kind of
                // discount has no group for its discounts. Cells worth nothing are left out.
                let discounted = [l.line_discount, l.order_discount]
                    .iter()
                    .filter(|d| !d.is_zero())
                    .count();
                let net = if discounted == 0 { rate } else { t.group(Some(rate)) };
                let discounts = if discounted == 2 { t.group(Some(net)) } else { net };
                let service = if compulsory && !sc_per_line[i].is_zero() {
                    *rate_group[class_index(VatClass::Standard)].get_or_insert_with(|| t.group(Some(part)))
                } else {
                    part
                };
                let exact = |whole: Minor| -> Result<u128> { amount(whole)?.checked_mul(w).ok_or(Error::Overflow) };
                for (column, num, group, negative) in [
                    (GROSS, exact(l.gross)?, net, false),
                    (LINE_DISCOUNT, exact(l.line_discount)?, discounts, true),
                    (ORDER_DISCOUNT, exact(l.order_discount)?, discounts, true),
                    (SERVICE, exact(sc_per_line[i])?, service, false),
                ] {
                    if num == 0 {
                        continue;
                    }
                    t.index[(row * lines.len() + i) * COLUMNS_PER_LINE + column] = Some(t.cells.len());
                    t.cells.push(laminar::Cell {
                        num,
                        den: of,
                        column: i * COLUMNS_PER_LINE + column,
                        group,
                        negative,
                    });
                }
            }
        }
        Ok(t)
    }

    fn group(&mut self, parent: Option<usize>) -> usize {
        self.parents.push(parent);
        self.parents.len() - 1
    }
}

fn class_index(class: VatClass) -> usize {
    match class {
        VatClass::Standard => 0,
        VatClass::Reduced => 1,
        VatClass::Zero => 2,
    }
}

/// Each part's VAT at each rate: the rate's VAT divided over the parts in proportion to each part's
/// exact share of the amount at that rate (rounded down or up, adding up exactly), beside the part's
/// rounded amount at that rate.
fn vat_shares(
    totals: &Totals,
    sc_per_line: &[Minor],
    line_weights: &[&[u64]],
    rows: usize,
    compulsory: bool,
    cell: &dyn Fn(usize, usize, usize) -> Result<Minor>,
) -> Result<Vec<Vec<VatTotal>>> {
    let lines = &totals.lines;
    let mut vat_rows: Vec<Vec<VatTotal>> = vec![Vec::new(); rows];
    for rate in &totals.vat {
        // What counts at this rate, per line: its amount after discounts, and a compulsory service
        // charge at the standard rate.
        let counts = |i: usize| -> Result<Minor> {
            let mut g = Minor::ZERO;
            if lines[i].vat_class == rate.class {
                g = g.checked_add(lines[i].net)?;
            }
            if compulsory && rate.class == VatClass::Standard {
                g = g.checked_add(sc_per_line[i])?;
            }
            Ok(g)
        };
        // Each part's exact share of the rate's amount, over one common denominator.
        let mut common: u128 = 1;
        for (i, w) in line_weights.iter().enumerate() {
            if !counts(i)?.is_zero() {
                let of: u128 = w.iter().map(|&x| u128::from(x)).sum();
                common = lcm(common, of)?;
            }
        }
        let mut weights = vec![0u128; rows];
        for (i, w) in line_weights.iter().enumerate() {
            let g = u128::try_from(counts(i)?.get()).map_err(|_| Error::Overflow)?;
            if g == 0 {
                continue;
            }
            let of: u128 = w.iter().map(|&x| u128::from(x)).sum();
            for (row, &x) in w.iter().enumerate() {
                let add = g
                    .checked_mul(u128::from(x))
                    .and_then(|v| v.checked_mul(common / of))
                    .ok_or(Error::Overflow)?;
                weights[row] = weights[row].checked_add(add).ok_or(Error::Overflow)?;
            }
        }
        let whole: u128 = weights.iter().sum();
        let vat = u128::try_from(rate.vat.get()).map_err(|_| Error::Overflow)?;
        // Each part's rounded amount at this rate, from the table.
        let mut gross = vec![Minor::ZERO; rows];
        for (row, g) in gross.iter_mut().enumerate() {
            for (i, line) in lines.iter().enumerate() {
                if line.vat_class == rate.class {
                    let discounts = cell(row, i, LINE_DISCOUNT)?.checked_add(cell(row, i, ORDER_DISCOUNT)?)?;
                    *g = g.checked_add(cell(row, i, GROSS)?.checked_sub(discounts)?)?;
                }
                if compulsory && rate.class == VatClass::Standard {
                    *g = g.checked_add(cell(row, i, SERVICE)?)?;
                }
            }
        }
        // Each part's VAT is its exact share of the rate's VAT (VAT × w / Σw, for w the part's exact
        // weight at the rate) rounded down or up, never more than the part's rounded amount at the rate
        // (so its net is never negative). The pennies above the floors go first where the part's net
        // (amount less VAT) then stays its exact share rounded down or up too, then by largest
        // remainder, ties to the earlier part.
        let mut chosen = vec![0u128; rows];
        if let Some(whole) = std::num::NonZeroU128::new(whole) {
            let whole = whole.get();
            let net_whole = u128::try_from(rate.gross.get())
                .map_err(|_| Error::Overflow)?
                .checked_sub(vat)
                .ok_or(Error::Overflow)?;
            let mut can_rise = Vec::new();
            for row in 0..rows {
                let v = vat.checked_mul(weights[row]).ok_or(Error::Overflow)?;
                let n = net_whole.checked_mul(weights[row]).ok_or(Error::Overflow)?;
                let (v_floor, v_rem) = (v / whole, v % whole);
                let (n_floor, n_rem) = (n / whole, n % whole);
                let g = u128::try_from(gross[row].get()).map_err(|_| Error::Overflow)?;
                chosen[row] = v_floor.min(g);
                if v_rem != 0 && v_floor < g {
                    // Rounding the VAT up leaves a net of g − v_floor − 1; is that the exact net rounded?
                    let net_after = g - v_floor - 1;
                    let net_ok = net_after == n_floor || (n_rem != 0 && net_after == n_floor + 1);
                    can_rise.push((row, net_ok, v_rem));
                }
            }
            let mut left = vat.checked_sub(chosen.iter().sum::<u128>()).ok_or(Error::Overflow)?;
            can_rise.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)));
            for (row, _, _) in can_rise {
                if left == 0 {
                    break;
                }
                chosen[row] += 1;
                left -= 1;
            }
            if left != 0 {
                return Err(Error::InvalidField {
                    field: "split",
                    reason: "no exact VAT rounding found".into(),
                });
            }
        }
        for (row, share) in chosen.into_iter().enumerate() {
            let vat = i64::try_from(share).map(Minor::new).map_err(|_| Error::Overflow)?;
            let gross = gross[row];
            if gross.is_zero() && vat.is_zero() {
                continue;
            }
            vat_rows[row].push(VatTotal {
                class: rate.class,
                rate: rate.rate,
                gross,
                vat,
                net: gross.checked_sub(vat)?,
            });
        }
    }
    Ok(vat_rows)
}

fn lcm(a: u128, b: u128) -> Result<u128> {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    (a / x.max(1)).checked_mul(b).ok_or(Error::Overflow)
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
