//! Allocation of an amount over parts by the largest-remainder method, so the parts always sum exactly
//! to the whole: no penny is lost or invented.
//!
//! Each part first gets the floor of its exact proportional share; the pennies left over go one each to
//! the parts with the largest fractional remainders, ties to the earlier part. Negative totals are
//! allocated by magnitude and negated, so a refund splits the same way as the sale.

pub mod laminar;

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
        wide.fill(1);
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
/// split) need not copy it. Solved by [`laminar::round`] with each part one group.
pub fn round_table_of(columns: &[Minor], weights: &[&[u64]], parts: usize) -> Result<Vec<Vec<i64>>> {
    if parts == 0 || weights.len() != columns.len() {
        return Err(Error::NoParts);
    }
    let mut cells = Vec::with_capacity(columns.len() * parts);
    for (c, (&amount, w)) in columns.iter().zip(weights).enumerate() {
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
        let a = u128::from(amount.get().unsigned_abs());
        for (p, &x) in w.iter().enumerate() {
            cells.push(laminar::Cell {
                num: a * u128::from(x),
                den: u128::from(total),
                column: c,
                group: p,
                negative: false,
            });
        }
    }
    let rounded = laminar::round(&cells, &vec![None; parts], columns.len())?;
    let mut out = vec![vec![0i64; columns.len()]; parts];
    for (cell, value) in cells.iter().zip(rounded) {
        out[cell.group][cell.column] = i64::try_from(value).map_err(|_| Error::Overflow)?;
    }
    Ok(out)
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
