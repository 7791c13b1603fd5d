//! What the payment commands carry, and how each becomes the core's types.

use fynlo_core::{
    ids::LineNo,
    payment::Tender,
    split::{ItemShare, SplitPlan},
    tips::TipChoice,
    BasisPoints, Minor,
};
use fynlo_payments::SimOutcome;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{command::no_fields, error::AppError, session::request::ApprovalInput};

/// The guest's tip choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TipInput {
    /// No tip.
    #[serde(deserialize_with = "no_fields")]
    None,
    /// A percentage of the tip base, in basis points (1000 = 10 %).
    Percent {
        /// The rate.
        rate_bp: u32,
    },
    /// An amount in minor units.
    Amount {
        /// The amount.
        #[ts(type = "number")]
        amount: i64,
    },
}

/// How to split the bill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum SplitInput {
    /// Into equal parts (extra pennies to the earlier parts).
    Even {
        /// 2 to 20.
        parts: u32,
    },
    /// Into parts of these amounts (minor units), adding up to what is due.
    ByAmount {
        /// 2 to 20 amounts.
        #[ts(type = "number[]")]
        amounts: Vec<i64>,
    },
    /// By item: each line to one part, or shared by weight (1, 1, 1 for a starter shared by three).
    ByItem {
        /// 2 to 20.
        parts: u32,
        /// One entry per line that is not void.
        items: Vec<ItemShareInput>,
    },
}

/// Who has a line in a split by item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ItemShareInput {
    /// Line number.
    pub line: u32,
    /// One weight per part; 0 = not this part's. They add up to 1–20.
    pub weights: Vec<u32>,
}

/// A tender that goes through a payment provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProviderTender {
    /// Card, Apple Pay or Tap to Pay.
    Card,
    /// Open Banking pay-by-bank.
    PayByBank,
}

/// What the payment simulator should do with an attempt (dev mode and tests; the real providers ignore
/// it). The names follow the card provider's test cards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SimOutcomeInput {
    /// Approved.
    #[default]
    Approve,
    /// Declined by the issuer (`card_declined`).
    Decline,
    /// Declined for lack of funds (`insufficient_funds`).
    InsufficientFunds,
    /// Needs the customer to authenticate (`requires_action`); approved when next checked.
    RequiresAction,
    /// The provider takes the money but the answer never arrives (a timeout); checking finds it succeeded.
    Timeout,
}

/// A line to refund.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RefundLineInput {
    /// Line number.
    pub line: u32,
    /// How many of it.
    pub quantity: u32,
}

/// `take_cash`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct TakeCash {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// What the guest handed over, in minor units.
    #[ts(type = "number")]
    pub tendered: i64,
    /// The tip kept from it, in minor units.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub tip: Option<i64>,
    /// The part of a split bill it pays.
    #[serde(default)]
    #[ts(optional)]
    pub part: Option<u32>,
}

/// `cash_quote`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CashQuote {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// What the guest is handing over, in minor units.
    #[ts(type = "number")]
    pub tendered: i64,
    /// The tip they would keep back from it ("keep the change").
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub tip: Option<i64>,
    /// The part of a split bill it would pay.
    #[serde(default)]
    #[ts(optional)]
    pub part: Option<u32>,
}

/// `pay`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Pay {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// Card or pay-by-bank.
    pub tender: ProviderTender,
    /// What it settles (default: all that is due on the order or the part).
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub amount: Option<i64>,
    /// The guest's tip.
    #[serde(default)]
    #[ts(optional)]
    pub tip: Option<TipInput>,
    /// The part of a split bill it pays.
    #[serde(default)]
    #[ts(optional)]
    pub part: Option<u32>,
    /// What the simulator should do (dev mode and tests).
    #[serde(default)]
    #[ts(optional)]
    pub simulate: Option<SimOutcomeInput>,
}

/// `check_payment` and `cancel_payment`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CheckPayment {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// The payment id.
    pub payment: String,
}

/// `split_bill`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SplitBill {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// How, or null.
    pub split: Option<SplitInput>,
}

/// `set_servers`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetServers {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// Staff ids.
    pub staff: Vec<String>,
}

/// `tip_options`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct TipOptions {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// The part of a split bill being paid.
    #[serde(default)]
    #[ts(optional)]
    pub part: Option<u32>,
    /// The payment's amount (default: all that is due on the order or the part).
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub amount: Option<i64>,
    /// A custom choice to work out too (the guest is typing it).
    #[serde(default)]
    #[ts(optional)]
    pub custom: Option<TipInput>,
}

/// `refund`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Refund {
    /// The completed order.
    pub order: String,
    /// The payment to refund.
    pub payment: String,
    /// An amount in minor units, or leave out and give `lines`.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub amount: Option<i64>,
    /// Lines and quantities, or leave out and give `amount`.
    #[serde(default)]
    #[ts(optional)]
    pub lines: Option<Vec<RefundLineInput>>,
    /// Why.
    pub reason: String,
    /// A manager's approval, unless a manager is logged in.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `fee_quote`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct FeeQuote {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// An amount instead of the order's balance.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub amount: Option<i64>,
}

impl From<SplitInput> for SplitPlan {
    fn from(split: SplitInput) -> SplitPlan {
        match split {
            SplitInput::Even { parts } => SplitPlan::Even { parts },
            SplitInput::ByAmount { amounts } => SplitPlan::ByAmount {
                amounts: amounts.into_iter().map(Minor::new).collect(),
            },
            SplitInput::ByItem { parts, items } => SplitPlan::ByItem {
                parts,
                items: items
                    .into_iter()
                    .map(|i| ItemShare {
                        line: LineNo::new(i.line),
                        weights: i.weights,
                    })
                    .collect(),
            },
        }
    }
}

impl From<ProviderTender> for Tender {
    fn from(tender: ProviderTender) -> Tender {
        match tender {
            ProviderTender::Card => Tender::Card,
            ProviderTender::PayByBank => Tender::PayByBank,
        }
    }
}

impl From<SimOutcomeInput> for SimOutcome {
    fn from(outcome: SimOutcomeInput) -> SimOutcome {
        match outcome {
            SimOutcomeInput::Approve => SimOutcome::Approve,
            SimOutcomeInput::Decline => SimOutcome::Decline,
            SimOutcomeInput::InsufficientFunds => SimOutcome::InsufficientFunds,
            SimOutcomeInput::RequiresAction => SimOutcome::RequiresAction,
            SimOutcomeInput::Timeout => SimOutcome::Timeout,
        }
    }
}

/// The core's tip choice; no choice is no tip.
pub(crate) fn tip_choice(tip: Option<TipInput>) -> Result<TipChoice, AppError> {
    Ok(match tip {
        None | Some(TipInput::None) => TipChoice::None,
        Some(TipInput::Percent { rate_bp }) => TipChoice::Percent {
            rate: BasisPoints::fraction(rate_bp)?,
        },
        Some(TipInput::Amount { amount }) => TipChoice::Amount {
            amount: Minor::new(amount),
        },
    })
}
