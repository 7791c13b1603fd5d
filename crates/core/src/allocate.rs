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
