//! Controlled rounding of a table whose rows are nested groups: every cell its exact value rounded down
//! or up, every column exactly its total, and every group of cells — a part, the part's amount at one
//! VAT rate, its share of one line, that line's discounts — its exact sum rounded down or up.
//!
//! # Why such a rounding always exists
//!
//! Write each cell as `floor + y` with `y` in `{0, 1}` (and `y = 0` for a cell whose value is whole).
//! The constraints are: each column's `y`s add up to a whole number `K` (its total less the floors);
//! each group's signed `y`s lie between the floor and the ceiling of its exact fractional part. Cells
//! that count negatively in their groups (discounts, taken off a line's gross) fill whole columns, so
//! negating those columns leaves a 0/1 matrix whose rows are two laminar families (the columns, and
//! the nested groups) — a totally unimodular matrix. The exact fractions themselves satisfy every
//! constraint, so the polytope is not empty, and a polytope of a totally unimodular matrix with whole
//! bounds has whole vertices.
//!
//! # How it is found
//!
//! As a circulation with lower bounds: the source feeds each part's group, each group feeds its
//! subgroups and its own cells, a cell feeds its column by 1 when it rounds up, each column drains its
//! `K` to the sink (a negative column runs the other way). Bounds that may be negative become a pair of
//! opposite arcs. A max flow (Dinic's algorithm) between a super-source and super-sink that saturates
//! every lower bound is the rounding. Cells are tried largest remainder first, so the pennies go where
//! the exact values were closest to rounding up.

use crate::{Error, Result};

/// One cell of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    /// Its exact value is `num / den`.
    pub num: u128,
    /// Above zero.
    pub den: u128,
    /// The column it belongs to; a column's exact values must add up to a whole number.
    pub column: usize,
    /// The group it sits in directly.
    pub group: usize,
    /// It is taken off (not added to) the sums of its groups. Every cell of a column must agree.
    pub negative: bool,
}

/// Rounds each cell down or up so that every column sums exactly and every group (with its subgroups)
/// sums to its exact value rounded down or up. `parents[g]` is the group that contains group `g`, or
/// `None` for a top group. Returns each cell's whole value, in the order given.
pub fn round(cells: &[Cell], parents: &[Option<usize>], columns: usize) -> Result<Vec<u128>> {
    let groups = parents.len();
    if cells
        .iter()
        .any(|c| c.den == 0 || c.column >= columns || c.group >= groups)
        || parents.iter().any(|p| p.is_some_and(|p| p >= groups))
    {
        return Err(no_rounding());
    }
    // Every fraction over one common denominator, so sums are plain additions.
    let mut dens: Vec<u128> = cells.iter().map(|c| c.den).collect();
    dens.sort_unstable();
    dens.dedup();
    let mut common: u128 = 1;
    for &d in &dens {
        common = (common / gcd(common, d)).checked_mul(d).ok_or(Error::Overflow)?;
    }
    let common_i = i128::try_from(common).map_err(|_| Error::Overflow)?;
    let scaled: Vec<i128> = cells
        .iter()
        .map(|c| {
            (c.num % c.den)
                .checked_mul(common / c.den)
                .and_then(|f| i128::try_from(f).ok())
                .ok_or(Error::Overflow)
        })
        .collect::<Result<_>>()?;
    // Each column's sign, and how many of its cells round up.
    let mut sign: Vec<Option<bool>> = vec![None; columns];
    let mut column_frac = vec![0i128; columns];
    for (c, f) in cells.iter().zip(&scaled) {
        match sign[c.column] {
            None => sign[c.column] = Some(c.negative),
            Some(s) if s != c.negative => return Err(no_rounding()),
            Some(_) => {}
        }
        column_frac[c.column] = column_frac[c.column].checked_add(*f).ok_or(Error::Overflow)?;
    }
    let mut up_in_column = vec![0i64; columns];
    for (j, f) in column_frac.iter().enumerate() {
        if f % common_i != 0 {
            return Err(Error::InvalidField {
                field: "split",
                reason: "a column's exact values do not add up to whole pennies".into(),
            });
        }
        up_in_column[j] = i64::try_from(f / common_i).map_err(|_| Error::Overflow)?;
    }
    // Each group's signed fractional sum, with its subgroups: between its floor and its ceiling.
    let mut frac = vec![0i128; groups];
    for (c, &f) in cells.iter().zip(&scaled) {
        if f == 0 {
            continue;
        }
        let f = if c.negative { -f } else { f };
        let mut g = Some(c.group);
        let mut steps = 0;
        while let Some(at) = g {
            frac[at] = frac[at].checked_add(f).ok_or(Error::Overflow)?;
            g = parents[at];
            steps += 1;
            if steps > groups {
                return Err(no_rounding()); // a cycle in `parents`
            }
        }
    }
    let bounds: Vec<(i64, i64)> = frac
        .iter()
        .map(|&n| {
            let lo = n.div_euclid(common_i);
            let hi = lo + i128::from(n.rem_euclid(common_i) != 0);
            Ok((
                i64::try_from(lo).map_err(|_| Error::Overflow)?,
                i64::try_from(hi).map_err(|_| Error::Overflow)?,
            ))
        })
        .collect::<Result<_>>()?;

    // Nodes: source, sink, groups, columns. The flow runs from the columns up through the cells and
    // groups to the source (the reverse of how the amounts add up), so that Dinic's first paths start
    // at each column and take its cells in order — largest remainder first, ties to the earlier cell —
    // as a greedy largest-remainder rounding would; later phases repair what that greedy gets wrong.
    let (s, t) = (0, 1);
    let group_node = |g: usize| 2 + g;
    let column_node = |j: usize| 2 + groups + j;
    let mut net = Network::new(2 + groups + columns);
    for (j, &k) in up_in_column.iter().enumerate() {
        match sign[j] {
            // A column of cells taken off their groups drains into the source…
            Some(true) => net.bounded(column_node(j), s, (k, k)),
            // …one of cells added to them is fed from the sink.
            _ => net.bounded(t, column_node(j), (k, k)),
        }
    }
    // Cells that can round up, largest remainder first (ties to the earlier cell).
    let mut order: Vec<usize> = (0..cells.len())
        .filter(|&i| !cells[i].num.is_multiple_of(cells[i].den))
        .collect();
    order.sort_by(|&a, &b| scaled[b].cmp(&scaled[a]));
    let mut arc_of = vec![usize::MAX; cells.len()];
    for &i in &order {
        let c = &cells[i];
        arc_of[i] = if c.negative {
            net.arc(group_node(c.group), column_node(c.column), 1)
        } else {
            net.arc(column_node(c.column), group_node(c.group), 1)
        };
    }
    for (g, parent) in parents.iter().enumerate() {
        let to = parent.map_or(s, group_node);
        net.bounded(group_node(g), to, bounds[g]);
    }
    net.bounded(s, t, (0, i64::MAX / 4));
    net.bounded(t, s, (0, i64::MAX / 4));
    net.solve()?;
    Ok(cells
        .iter()
        .enumerate()
        .map(|(i, c)| c.num / c.den + u128::from(arc_of[i] != usize::MAX && net.flow(arc_of[i]) == 1))
        .collect())
}

fn no_rounding() -> Error {
    Error::InvalidField {
        field: "split",
        reason: "no exact rounding found".into(),
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

/// A flow network with lower bounds, solved as a max flow from a super-source to a super-sink.
struct Network {
    nodes: usize,
    to: Vec<usize>,
    cap: Vec<i64>,
    first: Vec<usize>,
    last: Vec<usize>,
    next: Vec<usize>,
    /// Each node's supply from lower bounds (positive: it receives more than it must send).
    excess: Vec<i64>,
}

const NONE: usize = usize::MAX;

impl Network {
    fn new(nodes: usize) -> Network {
        Network {
            nodes,
            to: Vec::new(),
            cap: Vec::new(),
            first: vec![NONE; nodes + 2],
            last: vec![NONE; nodes + 2],
            next: Vec::new(),
            excess: vec![0; nodes],
        }
    }

    /// An arc with capacity `cap` and its reverse; returns the arc's index. A node's arcs are tried in
    /// the order they were added.
    fn arc(&mut self, from: usize, to: usize, cap: i64) -> usize {
        let e = self.to.len();
        for (a, b, c) in [(from, to, cap), (to, from, 0)] {
            let index = self.to.len();
            self.to.push(b);
            self.cap.push(c);
            self.next.push(NONE);
            match self.last[a] {
                NONE => self.first[a] = index,
                tail => self.next[tail] = index,
            }
            self.last[a] = index;
        }
        e
    }

    /// A net flow from `from` to `to` between `lo` and `hi` (either may be negative).
    fn bounded(&mut self, from: usize, to: usize, (lo, hi): (i64, i64)) {
        if lo >= 0 {
            self.require(from, to, lo);
            if hi > lo {
                self.arc(from, to, hi - lo);
            }
        } else if hi <= 0 {
            self.bounded(to, from, (-hi, -lo));
        } else {
            // Between a negative and a positive bound: either way, up to each.
            self.arc(from, to, hi);
            self.arc(to, from, -lo);
        }
    }

    /// At least `amount` must flow from `from` to `to`.
    fn require(&mut self, from: usize, to: usize, amount: i64) {
        self.excess[to] += amount;
        self.excess[from] -= amount;
    }

    fn flow(&self, arc: usize) -> i64 {
        self.cap[arc ^ 1]
    }

    /// Meets every lower bound, or says there is no rounding.
    fn solve(&mut self) -> Result<()> {
        let (ss, tt) = (self.nodes, self.nodes + 1);
        let mut need = 0i64;
        for v in 0..self.nodes {
            let e = self.excess[v];
            if e > 0 {
                self.arc(ss, v, e);
                need += e;
            } else if e < 0 {
                self.arc(v, tt, -e);
            }
        }
        if self.dinic(ss, tt) == need {
            Ok(())
        } else {
            Err(no_rounding())
        }
    }

    fn dinic(&mut self, s: usize, t: usize) -> i64 {
        let n = self.first.len();
        let mut total = 0;
        let mut level = vec![-1i32; n];
        let mut it = vec![NONE; n];
        let mut queue = Vec::with_capacity(n);
        loop {
            level.fill(-1);
            level[s] = 0;
            queue.clear();
            queue.push(s);
            let mut head = 0;
            while head < queue.len() {
                let v = queue[head];
                head += 1;
                let mut e = self.first[v];
                while e != NONE {
                    let w = self.to[e];
                    if self.cap[e] > 0 && level[w] < 0 {
                        level[w] = level[v] + 1;
                        queue.push(w);
                    }
                    e = self.next[e];
                }
            }
            if level[t] < 0 {
                return total;
            }
            it.copy_from_slice(&self.first);
            loop {
                let pushed = self.push(s, t, i64::MAX, &level, &mut it);
                if pushed == 0 {
                    break;
                }
                total += pushed;
            }
        }
    }

    /// Sends up to `limit` from `v` towards `t` along the level graph (iteratively, so a deep graph
    /// cannot overflow the stack).
    fn push(&mut self, s: usize, t: usize, limit: i64, level: &[i32], it: &mut [usize]) -> i64 {
        let mut path: Vec<usize> = Vec::new();
        let mut v = s;
        loop {
            if v == t {
                let f = path.iter().map(|&e| self.cap[e]).min().unwrap_or(0).min(limit);
                for &e in &path {
                    self.cap[e] -= f;
                    self.cap[e ^ 1] += f;
                }
                return f;
            }
            let mut advanced = false;
            while it[v] != NONE {
                let e = it[v];
                let w = self.to[e];
                if self.cap[e] > 0 && level[w] == level[v] + 1 {
                    path.push(e);
                    v = w;
                    advanced = true;
                    break;
                }
                it[v] = self.next[e];
            }
            if !advanced {
                // A dead end: it is never tried again in this phase (its iterator is spent); step back.
                match path.pop() {
                    None => return 0,
                    Some(e) => {
                        v = self.to[e ^ 1];
                        it[v] = self.next[e];
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(num: u128, den: u128, column: usize, group: usize) -> Cell {
        Cell {
            num,
            den,
            column,
            group,
            negative: false,
        }
    }

    #[test]
    fn one_pound_in_three_is_34_33_33() {
        // 100 split into three groups: 33.33 each, the column exact.
        let cells = [cell(100, 3, 0, 0), cell(100, 3, 0, 1), cell(100, 3, 0, 2)];
        let got = round(&cells, &[None, None, None], 1).expect("rounds");
        assert_eq!(got.iter().sum::<u128>(), 100);
        assert!(got.iter().all(|&x| x == 33 || x == 34));
    }

    #[test]
    fn a_group_with_a_discount_is_its_net_rounded() {
        // Two parts share a line: gross 401 and a 1p discount, each half. Gross cells 200.5, discount
        // 0.5: each part's net (gross − discount) is exactly 200, so a part must not round its gross
        // up and its discount down.
        let mut cells = Vec::new();
        for part in 0..2 {
            cells.push(cell(401, 2, 0, part));
            cells.push(Cell {
                negative: true,
                ..cell(1, 2, 1, part)
            });
        }
        let got = round(&cells, &[None, None], 2).expect("rounds");
        assert_eq!(got[0] + got[2], 401);
        assert_eq!(got[1] + got[3], 1);
        assert_eq!(got[0] - got[1], 200);
        assert_eq!(got[2] - got[3], 200);
    }

    #[test]
    fn columns_that_do_not_add_up_are_refused() {
        assert!(round(&[cell(1, 2, 0, 0)], &[None], 1).is_err());
    }
}
