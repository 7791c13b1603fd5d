//! Allocation of an amount over parts by the largest-remainder method, so the parts always sum exactly
//! to the whole: no penny is lost or invented.
//!
//! Each part first gets the floor of its exact proportional share; the pennies left over go one each to
//! the parts with the largest fractional remainders, ties to the earlier part. Negative totals are
//! allocated by magnitude and negated, so a refund splits the same way as the sale.

use crate::{rate::to_minor, Error, Minor, Result};

/// Splits `total` over parts in proportion to `weights` (each ≥ 0).
///
/// When every weight is zero the total is split evenly, as if all weights were equal.
pub fn allocate(total: Minor, weights: &[Minor]) -> Result<Vec<Minor>> {
    if weights.is_empty() {
        return Err(Error::NoParts);
    }
    if weights.iter().any(|w| w.is_negative()) {
        return Err(Error::NegativeWeight);
    }
    let mut wide: Vec<i128> = weights.iter().map(|w| i128::from(w.get())).collect();
    let mut weight_sum: i128 = wide.iter().sum();
    if weight_sum == 0 {
        wide.iter_mut().for_each(|w| *w = 1);
        weight_sum = wide.len() as i128;
    }
    let magnitude = i128::from(total.get()).abs();
    let mut shares = Vec::with_capacity(wide.len());
    let mut remainders = Vec::with_capacity(wide.len());
    for &w in &wide {
        let exact = magnitude * w;
        shares.push(exact / weight_sum);
        remainders.push(exact % weight_sum);
    }
    let given: i128 = shares.iter().sum();
    let left = usize::try_from(magnitude - given).map_err(|_| Error::Overflow)?;
    let mut order: Vec<usize> = (0..wide.len()).collect();
    // Stable sort keeps the earlier part first among equal remainders.
    order.sort_by(|&a, &b| remainders[b].cmp(&remainders[a]));
    for &index in order.iter().take(left) {
        shares[index] += 1;
    }
    let sign = if total.is_negative() { -1 } else { 1 };
    shares.into_iter().map(|s| to_minor(s * sign)).collect()
}

/// Splits `total` into `parts` equal shares; the extra pennies go to the earlier parts
/// (£1 in 3 is 34p, 33p, 33p).
pub fn split_even(total: Minor, parts: usize) -> Result<Vec<Minor>> {
    match parts {
        0 => Err(Error::NoParts),
        // One part takes the whole; no need to build weights for it.
        1 => Ok(vec![total]),
        _ => allocate(total, &vec![Minor::new(1); parts]),
    }
}

/// The most parts a table can be rounded into, and the largest total weight of one column.
pub const MAX_TABLE_WEIGHT: u64 = 1 << 40;

/// Splits several amounts (columns) over the same parts (rows) at once, so that every column and every
/// row sums exactly: a bill split by guest where each guest's share of each line, and each guest's total,
/// must both add up.
///
/// `columns[c]` is an amount (≥ 0) and `weights[c][p]` the share of it part `p` takes: part `p` is owed
/// exactly `columns[c] × weights[c][p] / Σ_p weights[c][p]` of column `c`. Each cell of the result is
/// that exact share rounded down or up; each column sums to its amount; and each part's total is its
/// exact total rounded down or up (so when the exact totals are whole pennies, as in a split by amount,
/// every part gets exactly its amount). Such a rounding always exists (the table is a network flow and
/// flows with whole-number bounds have whole-number solutions); among the cells that round up, those
/// with the largest remainders are preferred, ties to the earlier part.
///
/// Returns `cells[p][c]`. A column whose weights are all zero is refused ([`Error::NoParts`]), as are
/// negative amounts and a column whose weights add up to more than [`MAX_TABLE_WEIGHT`].
pub fn round_table(columns: &[Minor], weights: &[Vec<u64>], parts: usize) -> Result<Vec<Vec<i64>>> {
    let refs: Vec<&[u64]> = weights.iter().map(Vec::as_slice).collect();
    round_table_of(columns, &refs, parts)
}

/// [`round_table`] on borrowed weight rows, so callers that share one row across many columns (an even
/// split) need not copy it.
pub fn round_table_of(columns: &[Minor], weights: &[&[u64]], parts: usize) -> Result<Vec<Vec<i64>>> {
    if parts == 0 || weights.len() != columns.len() {
        return Err(Error::NoParts);
    }
    let cols = columns.len();
    // Every column's total weight, and one common denominator for the parts' exact totals.
    let mut totals = Vec::with_capacity(cols);
    let mut common: u128 = 1;
    for (&amount, w) in columns.iter().zip(weights) {
        if amount.is_negative() {
            return Err(Error::NegativeAmount {
                what: "an amount to split",
            });
        }
        if w.len() != parts {
            return Err(Error::NoParts);
        }
        let total: u64 = w
            .iter()
            .try_fold(0u64, |a, &x| a.checked_add(x))
            .ok_or(Error::Overflow)?;
        if total == 0 {
            return Err(Error::NoParts);
        }
        if total > MAX_TABLE_WEIGHT {
            return Err(Error::Overflow);
        }
        let t = u128::from(total);
        if !common.is_multiple_of(t) {
            common = (common / gcd(common, t)).checked_mul(t).ok_or(Error::Overflow)?;
            if common > 1 << 96 {
                return Err(Error::Overflow);
            }
        }
        totals.push(total);
    }
    let mut t = Table {
        cols,
        rem: vec![0; parts * cols],
        give: vec![false; parts * cols],
        need: vec![0; cols],
        extra: vec![0; parts],
    };
    let mut base = vec![vec![0i64; cols]; parts];
    // Each part's exact total: whole pennies plus `frac / common`.
    let mut whole = vec![0u128; parts];
    let mut frac = vec![0u128; parts];
    for c in 0..cols {
        let a = columns[c].get().unsigned_abs();
        let den = totals[c];
        let scale = common / u128::from(den);
        let mut given: u64 = 0;
        for p in 0..parts {
            let w = weights[c][p];
            let (q, r) = match a.checked_mul(w) {
                Some(x) => (x / den, x % den),
                None => {
                    let x = u128::from(a) * u128::from(w);
                    let d = u128::from(den);
                    // q ≤ a and r < den, so both fit.
                    ((x / d) as u64, (x % d) as u64)
                }
            };
            base[p][c] = i64::try_from(q).map_err(|_| Error::Overflow)?;
            t.rem[p * cols + c] = r;
            given += q;
            whole[p] += u128::from(q);
            frac[p] = frac[p].checked_add(u128::from(r) * scale).ok_or(Error::Overflow)?;
        }
        t.need[c] = i64::try_from(a - given).map_err(|_| Error::Overflow)?;
    }
    // Bounds on how many extra pennies each part may take: its exact total rounded down, or up.
    let mut lo = vec![0i64; parts];
    let mut hi = vec![0i64; parts];
    for p in 0..parts {
        let exact_floor = whole[p] + frac[p] / common;
        let floor_sum: u128 = base[p].iter().map(|&x| x as u128).sum();
        lo[p] = i64::try_from(exact_floor - floor_sum).map_err(|_| Error::Overflow)?;
        hi[p] = lo[p] + i64::from(!frac[p].is_multiple_of(common));
    }
    // Greedy: each column's pennies to the cells with the largest remainders, ties to the earlier part.
    let mut candidates: Vec<usize> = Vec::with_capacity(parts);
    for c in 0..cols {
        if t.need[c] == 0 {
            continue;
        }
        candidates.clear();
        candidates.extend((0..parts).filter(|&p| t.rem[p * cols + c] > 0));
        candidates.sort_by(|&a, &b| t.rem[b * cols + c].cmp(&t.rem[a * cols + c]));
        for &p in &candidates {
            if t.need[c] == 0 {
                break;
            }
            if t.extra[p] < hi[p] {
                t.give[p * cols + c] = true;
                t.extra[p] += 1;
                t.need[c] -= 1;
            }
        }
    }
    // Repair by augmenting paths until every part is within its bounds and every column is whole.
    loop {
        if let Some(p) = (0..parts).find(|&p| t.extra[p] < lo[p]) {
            t.augment_from_part(p, &lo)?;
        } else if let Some(c) = (0..cols).find(|&c| t.need[c] > 0) {
            t.augment_to_column(c, &hi)?;
        } else {
            break;
        }
    }
    for (p, row) in base.iter_mut().enumerate() {
        for (c, cell) in row.iter_mut().enumerate() {
            if t.give[p * cols + c] {
                *cell += 1;
            }
        }
    }
    Ok(base)
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

fn no_rounding() -> Error {
    Error::InvalidField {
        field: "split",
        reason: "no exact rounding found".into(),
    }
}

/// The rounding state: each cell's remainder, whether it rounds up, and what columns and parts still need.
struct Table {
    cols: usize,
    rem: Vec<u64>,
    give: Vec<bool>,
    need: Vec<i64>,
    extra: Vec<i64>,
}

impl Table {
    fn parts(&self) -> usize {
        self.extra.len()
    }

    /// Can part `p` round column `c` up (it has a fraction there and does not yet)?
    fn can_take(&self, p: usize, c: usize) -> bool {
        self.rem[p * self.cols + c] > 0 && !self.give[p * self.cols + c]
    }

    fn set(&mut self, p: usize, c: usize, up: bool) {
        self.give[p * self.cols + c] = up;
    }

    /// Part `start` takes one more penny: through a column that still needs one, or from a part that
    /// can spare one, along a path of cells that can round up (taking) and cells that did (giving back).
    fn augment_from_part(&mut self, start: usize, lo: &[i64]) -> Result<()> {
        let (parts, cols) = (self.parts(), self.cols);
        // prev_col[c] = the part that reached column c; prev_part[p] = the column p was reached from.
        let mut prev_col: Vec<Option<usize>> = vec![None; cols];
        let mut prev_part: Vec<Option<usize>> = vec![None; parts];
        let mut seen_part = vec![false; parts];
        seen_part[start] = true;
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(p) = queue.pop_front() {
            for c in 0..cols {
                if prev_col[c].is_some() || !self.can_take(p, c) {
                    continue;
                }
                prev_col[c] = Some(p);
                if self.need[c] > 0 {
                    self.need[c] -= 1;
                    self.flip_path(c, &prev_col, &prev_part);
                    self.extra[start] += 1;
                    return Ok(());
                }
                for q in 0..parts {
                    if seen_part[q] || !self.give[q * cols + c] {
                        continue;
                    }
                    seen_part[q] = true;
                    prev_part[q] = Some(c);
                    if self.extra[q] > lo[q] {
                        self.set(q, c, false);
                        self.extra[q] -= 1;
                        self.flip_path(c, &prev_col, &prev_part);
                        self.extra[start] += 1;
                        return Ok(());
                    }
                    queue.push_back(q);
                }
            }
        }
        Err(no_rounding())
    }

    /// Column `start` gets its missing penny from a part that can take one more, along an alternating
    /// path.
    fn augment_to_column(&mut self, start: usize, hi: &[i64]) -> Result<()> {
        let (parts, cols) = (self.parts(), self.cols);
        // via_part[p] = the column part p would take; via_col[c] = the part that gives column c up.
        let mut via_part: Vec<Option<usize>> = vec![None; parts];
        let mut via_col: Vec<Option<usize>> = vec![None; cols];
        let mut seen_col = vec![false; cols];
        seen_col[start] = true;
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(c) = queue.pop_front() {
            for p in 0..parts {
                if via_part[p].is_some() || !self.can_take(p, c) {
                    continue;
                }
                via_part[p] = Some(c);
                if self.extra[p] < hi[p] {
                    // p takes c; walk back: the part that gave up c takes the column before it, and so on.
                    let mut part = p;
                    while let Some(col) = via_part[part] {
                        self.set(part, col, true);
                        if col == start {
                            break;
                        }
                        let Some(prev) = via_col[col] else { break };
                        self.set(prev, col, false);
                        part = prev;
                    }
                    self.extra[p] += 1;
                    self.need[start] -= 1;
                    return Ok(());
                }
                // p is full: it may take c if it gives up another of its columns.
                for d in 0..cols {
                    if seen_col[d] || !self.give[p * cols + d] {
                        continue;
                    }
                    seen_col[d] = true;
                    via_col[d] = Some(p);
                    queue.push_back(d);
                }
            }
        }
        Err(no_rounding())
    }

    /// Applies an alternating path ending at column `end`: the part that reached each column takes it,
    /// and gives up the column it was reached through.
    fn flip_path(&mut self, end: usize, prev_col: &[Option<usize>], prev_part: &[Option<usize>]) {
        let mut c = end;
        while let Some(p) = prev_col[c] {
            self.set(p, c, true);
            match prev_part[p] {
                Some(before) => {
                    self.set(p, before, false);
                    c = before;
                }
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(values: &[i64]) -> Vec<Minor> {
        values.iter().copied().map(Minor::new).collect()
    }

    #[test]
    fn one_pound_in_three() {
        assert_eq!(split_even(Minor::new(100), 3), Ok(m(&[34, 33, 33])));
        assert_eq!(split_even(Minor::new(200), 3), Ok(m(&[67, 67, 66])));
        assert_eq!(split_even(Minor::new(-100), 3), Ok(m(&[-34, -33, -33])));
        assert_eq!(split_even(Minor::new(2), 5), Ok(m(&[1, 1, 0, 0, 0])));
        assert_eq!(split_even(Minor::new(5), 0), Err(Error::NoParts));
        assert_eq!(split_even(Minor::new(-7), 1), Ok(m(&[-7])));
        assert_eq!(split_even(Minor::new(i64::MAX), 1), Ok(m(&[i64::MAX])));
    }

    #[test]
    fn proportional_with_largest_remainder() {
        // 100 over 1:1:1 is the even case; over 2:1 it is 66.67/33.33 → 67/33.
        assert_eq!(allocate(Minor::new(100), &m(&[2, 1])), Ok(m(&[67, 33])));
        // 10 over 3:3:4: exact 3, 3, 4.
        assert_eq!(allocate(Minor::new(10), &m(&[3, 3, 4])), Ok(m(&[3, 3, 4])));
        // 5 over 1000:1: the small part gets nothing.
        assert_eq!(allocate(Minor::new(5), &m(&[1000, 1])), Ok(m(&[5, 0])));
        // Zero weight parts get nothing while others carry weight.
        assert_eq!(allocate(Minor::new(7), &m(&[0, 1, 1])), Ok(m(&[0, 4, 3])));
        // All-zero weights fall back to an even split.
        assert_eq!(allocate(Minor::new(7), &m(&[0, 0])), Ok(m(&[4, 3])));
        assert_eq!(allocate(Minor::new(7), &m(&[-1, 2])), Err(Error::NegativeWeight));
        assert_eq!(allocate(Minor::new(7), &[]), Err(Error::NoParts));
    }

    #[test]
    fn extreme_amounts_do_not_overflow() {
        let parts = allocate(Minor::new(i64::MAX), &m(&[i64::MAX, i64::MAX, 1]));
        let parts = parts.expect("allocation of i64::MAX fits");
        assert_eq!(Minor::sum(parts), Ok(Minor::new(i64::MAX)));
    }
}
