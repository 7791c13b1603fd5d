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
    if parts == 0 {
        return Err(Error::NoParts);
    }
    allocate(total, &vec![Minor::new(1); parts])
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
    if parts == 0 || weights.len() != columns.len() {
        return Err(Error::NoParts);
    }
    let cols = columns.len();
    let mut base = vec![vec![0i64; cols]; parts];
    // The remainder of each cell, as a numerator over its column's weight.
    let mut rem = vec![vec![0i128; cols]; parts];
    let mut need = vec![0i64; cols];
    // Each part's exact total as whole pennies plus a fraction num/den, kept exact.
    let mut whole = vec![0i128; parts];
    let mut frac_num = vec![0i128; parts];
    let mut frac_den: i128 = 1;
    for (c, (&amount, w)) in columns.iter().zip(weights).enumerate() {
        if amount.is_negative() {
            return Err(Error::NegativeAmount {
                what: "an amount to split",
            });
        }
        if w.len() != parts {
            return Err(Error::NoParts);
        }
        let total_weight: u64 = w
            .iter()
            .try_fold(0u64, |a, &x| a.checked_add(x))
            .ok_or(Error::Overflow)?;
        if total_weight == 0 {
            return Err(Error::NoParts);
        }
        if total_weight > MAX_TABLE_WEIGHT {
            return Err(Error::Overflow);
        }
        let den = i128::from(total_weight);
        let a = i128::from(amount.get());
        let mut given: i128 = 0;
        // Bring the running fractions to a common denominator with this column's.
        let g = gcd(frac_den, den);
        let new_den = (frac_den / g).checked_mul(den).ok_or(Error::Overflow)?;
        let scale_old = new_den / frac_den;
        let scale_new = new_den / den;
        for p in 0..parts {
            let exact = a * i128::from(w[p]);
            let q = exact / den;
            let r = exact % den;
            base[p][c] = i64::try_from(q).map_err(|_| Error::Overflow)?;
            rem[p][c] = r;
            given += q;
            whole[p] += q;
            frac_num[p] = frac_num[p]
                .checked_mul(scale_old)
                .and_then(|x| x.checked_add(r.checked_mul(scale_new)?))
                .ok_or(Error::Overflow)?;
        }
        frac_den = new_den;
        // Normalise: carry whole pennies out of the fractions and shrink the denominator.
        let mut common = frac_den;
        for p in 0..parts {
            whole[p] += frac_num[p] / frac_den;
            frac_num[p] %= frac_den;
            common = gcd(common, frac_num[p]);
        }
        if common > 1 {
            frac_den /= common;
            frac_num.iter_mut().for_each(|n| *n /= common);
        }
        need[c] = i64::try_from(a - given).map_err(|_| Error::Overflow)?;
    }
    // Bounds on how many extra pennies each part may take: its exact total rounded down, or up.
    let floor_sum: Vec<i128> = base
        .iter()
        .map(|row| row.iter().map(|&x| i128::from(x)).sum())
        .collect();
    let lo: Vec<i64> = (0..parts)
        .map(|p| i64::try_from(whole[p] - floor_sum[p]).map_err(|_| Error::Overflow))
        .collect::<Result<_>>()?;
    let hi: Vec<i64> = (0..parts).map(|p| lo[p] + i64::from(frac_num[p] != 0)).collect();

    let mut give = vec![vec![false; cols]; parts];
    let mut extra = vec![0i64; parts];
    // Greedy: each column's pennies to the cells with the largest remainders, ties to the earlier part.
    for c in 0..cols {
        let mut candidates: Vec<usize> = (0..parts).filter(|&p| rem[p][c] > 0).collect();
        candidates.sort_by(|&a, &b| rem[b][c].cmp(&rem[a][c]));
        for p in candidates {
            if need[c] == 0 {
                break;
            }
            if extra[p] < hi[p] {
                give[p][c] = true;
                extra[p] += 1;
                need[c] -= 1;
            }
        }
    }
    // Repair by augmenting paths until every part is within its bounds and every column is whole.
    loop {
        if let Some(p) = (0..parts).find(|&p| extra[p] < lo[p]) {
            augment_from_part(p, &rem, &mut give, &mut extra, &mut need, &lo)?;
        } else if let Some(c) = (0..cols).find(|&c| need[c] > 0) {
            augment_to_column(c, &rem, &mut give, &mut extra, &mut need, &hi)?;
        } else {
            break;
        }
    }
    for p in 0..parts {
        for c in 0..cols {
            if give[p][c] {
                base[p][c] += 1;
            }
        }
    }
    Ok(base)
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

/// Part `start` takes one more penny: through a column that still needs one, or from a part that can
/// spare one, along a path of cells that can round up (taking) and cells that did (giving back).
fn augment_from_part(
    start: usize,
    rem: &[Vec<i128>],
    give: &mut [Vec<bool>],
    extra: &mut [i64],
    need: &mut [i64],
    lo: &[i64],
) -> Result<()> {
    let parts = rem.len();
    let cols = need.len();
    // prev_col[c] = the part that reached column c; prev_part[p] = the column part p was reached from.
    let mut prev_col: Vec<Option<usize>> = vec![None; cols];
    let mut prev_part: Vec<Option<usize>> = vec![None; parts];
    let mut seen_part = vec![false; parts];
    seen_part[start] = true;
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(p) = queue.pop_front() {
        for c in 0..cols {
            if prev_col[c].is_some() || rem[p][c] == 0 || give[p][c] {
                continue;
            }
            prev_col[c] = Some(p);
            if need[c] > 0 {
                need[c] -= 1;
                flip_path(c, &prev_col, &prev_part, give);
                extra[start] += 1;
                return Ok(());
            }
            for q in 0..parts {
                if seen_part[q] || !give[q][c] {
                    continue;
                }
                seen_part[q] = true;
                prev_part[q] = Some(c);
                if extra[q] > lo[q] {
                    give[q][c] = false;
                    extra[q] -= 1;
                    flip_path(c, &prev_col, &prev_part, give);
                    extra[start] += 1;
                    return Ok(());
                }
                queue.push_back(q);
            }
        }
    }
    Err(Error::InvalidField {
        field: "split",
        reason: "no exact rounding found".into(),
    })
}

/// Column `start` gets its missing penny from a part that can take one more, along an alternating path.
fn augment_to_column(
    start: usize,
    rem: &[Vec<i128>],
    give: &mut [Vec<bool>],
    extra: &mut [i64],
    need: &mut [i64],
    hi: &[i64],
) -> Result<()> {
    let parts = rem.len();
    let cols = need.len();
    // via_part[p] = the column part p would take; via_col[c] = the part that gives column c up.
    let mut via_part: Vec<Option<usize>> = vec![None; parts];
    let mut via_col: Vec<Option<usize>> = vec![None; cols];
    let mut seen_col = vec![false; cols];
    seen_col[start] = true;
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(c) = queue.pop_front() {
        for p in 0..parts {
            if via_part[p].is_some() || rem[p][c] == 0 || give[p][c] {
                continue;
            }
            via_part[p] = Some(c);
            if extra[p] < hi[p] {
                // p takes c; walk back: the part that gave up c takes the column before it, and so on.
                let mut part = p;
                while let Some(col) = via_part[part] {
                    give[part][col] = true;
                    if col == start {
                        break;
                    }
                    let Some(prev) = via_col[col] else { break };
                    give[prev][col] = false;
                    part = prev;
                }
                extra[p] += 1;
                need[start] -= 1;
                return Ok(());
            }
            // p is full: it may take c if it gives up another of its columns.
            for d in 0..cols {
                if seen_col[d] || !give[p][d] {
                    continue;
                }
                seen_col[d] = true;
                via_col[d] = Some(p);
                queue.push_back(d);
            }
        }
    }
    Err(Error::InvalidField {
        field: "split",
        reason: "no exact rounding found".into(),
    })
}

/// Applies an alternating path ending at column `end`: the part that reached each column takes it, and
/// the part it was reached through gives up the column before.
fn flip_path(end: usize, prev_col: &[Option<usize>], prev_part: &[Option<usize>], give: &mut [Vec<bool>]) {
    let mut c = end;
    while let Some(p) = prev_col[c] {
        give[p][c] = true;
        match prev_part[p] {
            Some(before) => {
                give[p][before] = false;
                c = before;
            }
            None => break,
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
