//! What each way of paying costs the restaurant, for its cost reports and the platform's revenue, and
//! what the till shows before the guest pays.
//!
//! A method's fee on a charge = the processor's percentage of the charge (rounded half up) + its fixed
//! fee + the platform's percentage (rounded half up), each part kept apart. The charge is everything the
//! guest pays on that tender, tip included: processors charge on the whole amount. The fee is the
//! restaurant's cost and is never taken from a tip — tips and service charge pass to staff in full
//! (Employment (Allocation of Tips) Act 2023).
//!
//! UK law bans surcharging consumers for card and most electronic payments, so "customer pays the fee"
//! is a setting that is off by default and is refused for GBP.

use serde::{Deserialize, Serialize};

use crate::{payment::Tender, BasisPoints, Currency, Error, Minor, Result};

/// One method's price list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodFee {
    /// The processor's percentage (2.9 % = 290).
    pub percent: BasisPoints,
    /// The processor's fixed fee per charge.
    pub fixed: Minor,
    /// The platform's percentage (1 % = 100).
    pub platform: BasisPoints,
}

/// The fee schedule: one price list per method (cash costs nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeSchedule {
    /// Card (including Apple Pay / Tap to Pay): 2.9 % + 30p + 1 % platform by default.
    pub card: MethodFee,
    /// Open Banking pay-by-bank: 0.2 % + 1 % platform by default.
    pub pay_by_bank: MethodFee,
}

impl Default for FeeSchedule {
    fn default() -> Self {
        FeeSchedule {
            card: MethodFee {
                percent: BasisPoints::new(290),
                fixed: Minor::new(30),
                platform: BasisPoints::new(100),
            },
            pay_by_bank: MethodFee {
                percent: BasisPoints::new(20),
                fixed: Minor::ZERO,
                platform: BasisPoints::new(100),
            },
        }
    }
}

/// The fee on one charge, in its parts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    /// The processor's part (percentage and fixed fee).
    pub processing: Minor,
    /// The platform's part.
    pub platform: Minor,
}

impl Fee {
    /// No fee at all.
    #[allow(
        clippy::trivially_copy_pass_by_ref,
        reason = "serde's `skip_serializing_if` passes a reference"
    )]
    pub const fn is_zero(&self) -> bool {
        self.processing.is_zero() && self.platform.is_zero()
    }

    /// Both parts.
    pub fn total(&self) -> Result<Minor> {
        self.processing.checked_add(self.platform)
    }
}

impl FeeSchedule {
    /// Checks every rate is at most 100 % and every fixed fee is not negative.
    pub fn validate(&self) -> Result<()> {
        for m in [self.card, self.pay_by_bank] {
            BasisPoints::fraction(m.percent.get())?;
            BasisPoints::fraction(m.platform.get())?;
            if m.fixed.is_negative() {
                return Err(Error::NegativeAmount { what: "a fixed fee" });
            }
        }
        Ok(())
    }

    /// The fee on a charge of `amount` paid by `tender`. Nothing is charged on nothing.
    pub fn fee(&self, tender: Tender, amount: Minor) -> Result<Fee> {
        let method = match tender {
            Tender::Cash => return Ok(Fee::default()),
            Tender::Card => self.card,
            Tender::PayByBank => self.pay_by_bank,
        };
        if !amount.is_positive() {
            return Ok(Fee::default());
        }
        Ok(Fee {
            processing: method.percent.of(amount)?.checked_add(method.fixed)?,
            platform: method.platform.of(amount)?,
        })
    }

    /// What each method would cost the restaurant on a charge of `amount`, and what pay-by-bank saves
    /// against card.
    pub fn quote(&self, amount: Minor) -> Result<FeeQuote> {
        let methods = [Tender::Cash, Tender::Card, Tender::PayByBank]
            .into_iter()
            .map(|tender| Ok((tender, self.fee(tender, amount)?)))
            .collect::<Result<Vec<_>>>()?;
        let card = self.fee(Tender::Card, amount)?.total()?;
        let bank = self.fee(Tender::PayByBank, amount)?.total()?;
        Ok(FeeQuote {
            amount,
            methods,
            pay_by_bank_saves: card.checked_sub(bank)?,
        })
    }
}

/// What each method would cost on one charge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeQuote {
    /// The charge.
    pub amount: Minor,
    /// Each method and its fee.
    pub methods: Vec<(Tender, Fee)>,
    /// Card fee minus pay-by-bank fee.
    pub pay_by_bank_saves: Minor,
}

/// Refuses "customer pays the fee" where surcharging consumers is banned: for GBP (UK Consumer Rights
/// (Payment Surcharges) Regulations 2012, as amended in 2018).
pub fn check_customer_pays_fee(on: bool, currency: Currency) -> Result<()> {
    if on && currency == Currency::GBP {
        return Err(Error::SurchargeBanned);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_fees_on_twenty_pounds() {
        let s = FeeSchedule::default();
        let m = Minor::new;
        // Card: 2.9 % of £20 = 58p, + 30p = 88p; platform 1 % = 20p.
        assert_eq!(
            s.fee(Tender::Card, m(2000)),
            Ok(Fee {
                processing: m(88),
                platform: m(20)
            })
        );
        // Pay by bank: 0.2 % of £20 = 4p; platform 20p.
        assert_eq!(
            s.fee(Tender::PayByBank, m(2000)),
            Ok(Fee {
                processing: m(4),
                platform: m(20)
            })
        );
        assert_eq!(s.fee(Tender::Cash, m(2000)), Ok(Fee::default()));
        let quote = s.quote(m(2000)).expect("quote");
        assert_eq!(quote.pay_by_bank_saves, m(84));
        // 5 × £2: each 2.9 % of £2 = 5.8p → 6p, + 30p; platform 2p.
        assert_eq!(
            s.fee(Tender::Card, m(200)),
            Ok(Fee {
                processing: m(36),
                platform: m(2)
            })
        );
    }

    #[test]
    fn surcharging_is_refused_for_gbp() {
        assert_eq!(
            check_customer_pays_fee(true, Currency::GBP),
            Err(Error::SurchargeBanned)
        );
        assert_eq!(check_customer_pays_fee(false, Currency::GBP), Ok(()));
        assert_eq!(check_customer_pays_fee(true, Currency::EUR), Ok(()));
    }
}
