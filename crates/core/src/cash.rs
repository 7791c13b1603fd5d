//! Cash in the drawer: counts by denomination, the movements that change what should be there, and what
//! a drawer session expects at any moment (SPEC §7).
//!
//! Expected cash = the opening float + cash taken (what was handed over less change: the bill's share
//! and any tip kept from it) − cash refunded + pay-ins − pay-outs. A no-sale moves nothing but is
//! counted. At the close the drawer is counted by denomination; over (positive) or short (negative) is
//! the count less what was expected.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Error, Minor, Result};

/// Sterling notes and coins, in pence: £50 down to 1p.
pub const DENOMINATIONS: [i64; 12] = [5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1];

/// The most of one denomination a count may hold (a drawer of 100,000 coins is a typo).
pub const MAX_PIECES: u32 = 100_000;

/// A count of the drawer: how many of each denomination, keyed by its value in pence (written in JSON as
/// `{"5000": 2, "100": 14}`). Denominations left out count zero.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<String, u32>", into = "BTreeMap<i64, u32>")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "Record<string, number>"))]
pub struct CashCount(BTreeMap<i64, u32>);

/// Read from JSON's string keys (`"2000"`), which a command's buffered fields keep as strings.
impl TryFrom<BTreeMap<String, u32>> for CashCount {
    type Error = Error;
    fn try_from(value: BTreeMap<String, u32>) -> Result<Self> {
        let mut pieces = BTreeMap::new();
        for (key, count) in value {
            let pence: i64 = key.trim().parse().map_err(|_| Error::InvalidField {
                field: "count",
                reason: format!("{key:?} is not a denomination in pence"),
            })?;
            if pieces.insert(pence, count).is_some() {
                return Err(Error::InvalidField {
                    field: "count",
                    reason: format!("{pence} is counted twice"),
                });
            }
        }
        CashCount::new(pieces)
    }
}

impl From<CashCount> for BTreeMap<i64, u32> {
    fn from(value: CashCount) -> Self {
        value.0
    }
}

impl CashCount {
    /// Checks that every key is a sterling denomination and every count at most [`MAX_PIECES`]; zero
    /// counts are dropped.
    pub fn new(pieces: BTreeMap<i64, u32>) -> Result<CashCount> {
        let mut kept = BTreeMap::new();
        for (value, count) in pieces {
            if !DENOMINATIONS.contains(&value) {
                return Err(Error::InvalidField {
                    field: "count",
                    reason: format!(
                        "{value} is not a denomination: use pence values of notes and coins (5000, 2000, 1000, 500, \
                         200, 100, 50, 20, 10, 5, 2, 1)"
                    ),
                });
            }
            if count > MAX_PIECES {
                return Err(Error::InvalidField {
                    field: "count",
                    reason: format!("at most {MAX_PIECES} of one denomination"),
                });
            }
            if count > 0 {
                kept.insert(value, count);
            }
        }
        Ok(CashCount(kept))
    }

    /// How many of each denomination, largest first (zero counts left out).
    pub fn pieces(&self) -> impl Iterator<Item = (i64, u32)> + '_ {
        self.0.iter().rev().map(|(v, c)| (*v, *c))
    }

    /// The count's value.
    pub fn total(&self) -> Result<Minor> {
        Minor::sum(
            self.0
                .iter()
                .map(|(v, c)| Minor::new(*v).checked_mul(i64::from(*c)))
                .collect::<Result<Vec<_>>>()?,
        )
    }
}

/// What moved cash in or out of the drawer other than a sale or refund (those come from the orders'
/// payments).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum MovementKind {
    /// Cash put in (more change from the bank, say).
    PayIn,
    /// Cash taken out (a delivery paid at the door, tips paid out to staff…).
    PayOut,
    /// The drawer opened without a sale: no cash moves.
    NoSale,
}

impl MovementKind {
    /// The kind's name as written in JSON and SQL.
    pub const fn as_str(self) -> &'static str {
        match self {
            MovementKind::PayIn => "pay_in",
            MovementKind::PayOut => "pay_out",
            MovementKind::NoSale => "no_sale",
        }
    }

    /// The kind with this name.
    pub fn from_name(name: &str) -> Option<MovementKind> {
        [MovementKind::PayIn, MovementKind::PayOut, MovementKind::NoSale]
            .into_iter()
            .find(|k| k.as_str() == name)
    }
}

/// The most a single pay-in or pay-out may be: £10,000.
pub const MAX_MOVEMENT: i64 = 1_000_000;

/// Checks a pay-in or pay-out: a positive amount up to [`MAX_MOVEMENT`] and a reason (a no-sale moves
/// nothing and needs only the reason).
pub fn check_movement(kind: MovementKind, amount: Minor, reason: &str) -> Result<()> {
    let reason_ok = !reason.trim().is_empty() && reason.chars().count() <= 200;
    if !reason_ok {
        return Err(Error::InvalidField {
            field: "reason",
            reason: "a reason of 1 to 200 characters is required".into(),
        });
    }
    let amount_ok = match kind {
        MovementKind::NoSale => amount.is_zero(),
        MovementKind::PayIn | MovementKind::PayOut => amount.get() > 0 && amount.get() <= MAX_MOVEMENT,
    };
    if !amount_ok {
        return Err(Error::InvalidField {
            field: "amount",
            reason: match kind {
                MovementKind::NoSale => "a no-sale moves no cash".into(),
                _ => format!("must be more than 0 and at most {MAX_MOVEMENT} pence"),
            },
        });
    }
    Ok(())
}

/// What the drawer should hold, and how it got there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CashFigures {
    /// The opening float.
    pub float: Minor,
    /// Cash taken: handed over less change (bill shares and tips kept).
    pub sales: Minor,
    /// Cash given back as refunds.
    pub refunds: Minor,
    /// Cash put in.
    pub pay_ins: Minor,
    /// Cash taken out.
    pub pay_outs: Minor,
    /// How many times the drawer was opened without a sale.
    pub no_sales: u32,
    /// What should be in the drawer.
    pub expected: Minor,
    /// What was counted at the close.
    pub counted: Option<Minor>,
    /// Counted less expected: over when positive, short when negative.
    pub over_short: Option<Minor>,
    /// Cash taken less cash refunded since the last Z but before this session opened: it is in the
    /// report's cash tender but in no drawer's count, so a manager sees it here.
    #[serde(default)]
    pub outside_session: Minor,
}

impl CashFigures {
    /// Works out `expected` (and, with a count, over/short) from the parts.
    pub fn settle(mut self, counted: Option<Minor>) -> Result<CashFigures> {
        self.expected = self
            .float
            .checked_add(self.sales)?
            .checked_sub(self.refunds)?
            .checked_add(self.pay_ins)?
            .checked_sub(self.pay_outs)?;
        self.counted = counted;
        self.over_short = counted.map(|c| c.checked_sub(self.expected)).transpose()?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(pairs: &[(i64, u32)]) -> Result<CashCount> {
        CashCount::new(pairs.iter().copied().collect())
    }

    #[test]
    fn a_count_adds_up_its_notes_and_coins() {
        let c = count(&[(5000, 2), (2000, 1), (100, 14), (1, 3), (20, 0)]).expect("valid");
        assert_eq!(c.total(), Ok(Minor::new(13_403)));
        assert_eq!(
            c.pieces().collect::<Vec<_>>(),
            vec![(5000, 2), (2000, 1), (100, 14), (1, 3)]
        );
        let json = serde_json::to_string(&c).expect("json");
        assert_eq!(json, r#"{"1":3,"100":14,"2000":1,"5000":2}"#);
        assert_eq!(serde_json::from_str::<CashCount>(&json).expect("back"), c);
        assert!(count(&[(300, 1)]).is_err());
        assert!(count(&[(100, MAX_PIECES + 1)]).is_err());
        assert!(serde_json::from_str::<CashCount>(r#"{"7": 1}"#).is_err());
        assert!(serde_json::from_str::<CashCount>(r#"{"100": -1}"#).is_err());
        assert_eq!(CashCount::default().total(), Ok(Minor::ZERO));
        // The largest count there can be does not overflow.
        let most = count(&DENOMINATIONS.map(|d| (d, MAX_PIECES))).expect("valid");
        assert_eq!(most.total(), Ok(Minor::new(8_888 * 100_000)));
    }

    #[test]
    fn expected_cash_and_over_short() {
        let figures = CashFigures {
            float: Minor::new(10_000),
            sales: Minor::new(4_550),
            refunds: Minor::new(500),
            pay_ins: Minor::new(2_000),
            pay_outs: Minor::new(1_250),
            ..CashFigures::default()
        };
        let open = figures.settle(None).expect("adds up");
        assert_eq!(open.expected, Minor::new(14_800));
        assert_eq!(open.over_short, None);
        let short = figures.settle(Some(Minor::new(14_790))).expect("adds up");
        assert_eq!(short.over_short, Some(Minor::new(-10)));
        let over = figures.settle(Some(Minor::new(14_805))).expect("adds up");
        assert_eq!(over.over_short, Some(Minor::new(5)));
    }

    #[test]
    fn movements_need_a_reason_and_a_sensible_amount() {
        assert!(check_movement(MovementKind::PayOut, Minor::new(1_250), "milk").is_ok());
        assert!(check_movement(MovementKind::PayOut, Minor::new(1_250), "  ").is_err());
        assert!(check_movement(MovementKind::PayIn, Minor::ZERO, "change").is_err());
        assert!(check_movement(MovementKind::PayIn, Minor::new(-5), "change").is_err());
        assert!(check_movement(MovementKind::PayIn, Minor::new(MAX_MOVEMENT + 1), "change").is_err());
        assert!(check_movement(MovementKind::NoSale, Minor::ZERO, "change for the bank").is_ok());
        assert!(check_movement(MovementKind::NoSale, Minor::new(1), "x").is_err());
        assert_eq!(MovementKind::from_name("pay_out"), Some(MovementKind::PayOut));
        assert_eq!(MovementKind::from_name("steal"), None);
    }
}
