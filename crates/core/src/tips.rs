//! Tips (gratuity): the restaurant's tip settings and how a tip is worked out.
//!
//! A tip is a preset percentage (5 %, 10 %, 20 % by default), a custom percentage, a custom amount, or
//! none; the feature and its presets are settings. A percentage tip is taken of the *tip base*, a
//! setting: the bill (or the part of a split bill) after discounts — the default — or before them. The
//! base never includes the service charge. A payment of only some of the bill or part tips on its share
//! of the base ([`crate::order::Order::tip_for`]). The percentage is rounded half up like every other
//! amount.
//! Tips are outside the scope of VAT and are added on top of the bill, shown apart.

use serde::{Deserialize, Serialize};

use crate::{BasisPoints, Error, Minor, Result};

/// What a percentage tip is a percentage of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum TipBase {
    /// The food and drink after discounts, without service charge. The default.
    #[default]
    AfterDiscounts,
    /// The food and drink before discounts, without service charge.
    BeforeDiscounts,
}

/// The restaurant's tip settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TipPolicy {
    /// Offer tips at all.
    pub enabled: bool,
    /// The preset percentages shown as large buttons.
    pub presets: Vec<BasisPoints>,
    /// Allow a custom percentage or amount.
    pub custom: bool,
    /// What a percentage is taken of.
    pub base: TipBase,
}

impl Default for TipPolicy {
    fn default() -> Self {
        TipPolicy {
            enabled: true,
            presets: vec![BasisPoints::new(500), BasisPoints::new(1000), BasisPoints::new(2000)],
            custom: true,
            base: TipBase::AfterDiscounts,
        }
    }
}

/// The tip prompt for one payment, worked out by [`crate::order::Order::tip_options`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TipOptions {
    /// What a percentage is taken of.
    pub base: Minor,
    /// Each preset rate and the tip it adds on `base`.
    pub presets: Vec<(BasisPoints, Minor)>,
}

/// The guest's choice on the tip prompt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TipChoice {
    /// No tip.
    #[default]
    None,
    /// A percentage of the tip base (a preset, or custom when allowed), at most 100 %.
    Percent {
        /// The rate.
        rate: BasisPoints,
    },
    /// A custom amount.
    Amount {
        /// The amount, zero or more.
        amount: Minor,
    },
}

impl TipPolicy {
    /// Checks the presets: 1 to 6 of them, each above 0 and at most 100 %.
    pub fn validate(&self) -> Result<()> {
        if self.presets.len() > 6 || self.presets.iter().any(|p| p.get() == 0 || p.get() > 10_000) {
            return Err(Error::InvalidField {
                field: "tips.presets",
                reason: "up to 6 presets, each above 0% and at most 100%".into(),
            });
        }
        Ok(())
    }

    /// The tip for `choice` on a bill whose food and drink come to `before` discounts and `after` them.
    pub fn tip(&self, choice: TipChoice, before: Minor, after: Minor) -> Result<Minor> {
        let base = match self.base {
            TipBase::AfterDiscounts => after,
            TipBase::BeforeDiscounts => before,
        };
        match choice {
            TipChoice::None => Ok(Minor::ZERO),
            _ if !self.enabled => Err(Error::TipsDisabled),
            TipChoice::Percent { rate } => {
                if !self.custom && !self.presets.contains(&rate) {
                    return Err(Error::InvalidField {
                        field: "tip",
                        reason: "choose one of the preset tips".into(),
                    });
                }
                BasisPoints::fraction(rate.get())?.of(base)
            }
            TipChoice::Amount { amount } => {
                if !self.custom {
                    return Err(Error::InvalidField {
                        field: "tip",
                        reason: "choose one of the preset tips".into(),
                    });
                }
                if amount.is_negative() {
                    return Err(Error::NegativeAmount { what: "a tip" });
                }
                if amount > crate::limits::MAX_TIP {
                    return Err(Error::AmountOverLimit {
                        what: "a tip",
                        max: crate::limits::MAX_TIP.get(),
                    });
                }
                Ok(amount)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tip_is_taken_of_the_base_setting() {
        let m = Minor::new;
        let mut p = TipPolicy::default();
        let ten = TipChoice::Percent {
            rate: BasisPoints::new(1000),
        };
        assert_eq!(p.tip(ten, m(5000), m(4505)), Ok(m(451)));
        p.base = TipBase::BeforeDiscounts;
        assert_eq!(p.tip(ten, m(5000), m(4505)), Ok(m(500)));
        assert_eq!(p.tip(TipChoice::None, m(5000), m(4505)), Ok(m(0)));
        assert_eq!(p.tip(TipChoice::Amount { amount: m(250) }, m(1), m(1)), Ok(m(250)));
        assert_eq!(
            p.tip(TipChoice::Amount { amount: m(-1) }, m(1), m(1)),
            Err(Error::NegativeAmount { what: "a tip" })
        );
        p.enabled = false;
        assert_eq!(p.tip(ten, m(5000), m(4505)), Err(Error::TipsDisabled));
        assert_eq!(p.tip(TipChoice::None, m(5000), m(4505)), Ok(m(0)));
    }
}
