//! Payments and refunds on an order.
//!
//! Every attempt to take money has an id and an idempotency key made on the device, and its own life:
//! `pending → authorized → succeeded | failed | cancelled` (a pending attempt may also go straight to
//! succeeded, failed or cancelled). Only `succeeded` counts as paid. Card and pay-by-bank attempts are
//! recorded as `pending` *before* the provider is called, so a crash at any point leaves a record the
//! till can resume or safely abandon; cash is taken in one step (the drawer is the provider).
//!
//! Refunds go back to the tender they came from, never more than was paid on it net of earlier refunds;
//! they have the same life as payments and always record who, why and which manager approved.

use serde::{Deserialize, Serialize};

use crate::{
    fees::Fee,
    ids::{LineNo, PaymentId, RefundId, StaffId},
    time::Timestamp,
    Error, Minor, Result,
};

/// How the guest paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Tender {
    /// Notes and coins.
    Cash,
    /// Card, Apple Pay or Tap to Pay, through the card provider.
    Card,
    /// Open Banking pay-by-bank (QR), through the bank payment provider.
    PayByBank,
}

impl Tender {
    /// The tender's name as written in JSON and SQL.
    pub fn as_str(self) -> &'static str {
        match self {
            Tender::Cash => "cash",
            Tender::Card => "card",
            Tender::PayByBank => "pay_by_bank",
        }
    }
}

/// A payment attempt's (or refund's) state. Only `Succeeded` counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum PaymentStatus {
    /// Recorded; the provider has not said yes or no.
    Pending,
    /// Authorized by the provider, not yet captured.
    Authorized,
    /// Money moved.
    Succeeded,
    /// Refused or errored.
    Failed,
    /// Abandoned before success.
    Cancelled,
}

impl PaymentStatus {
    /// Still waiting for the provider: the amount is held against the balance.
    pub fn in_flight(self) -> bool {
        matches!(self, PaymentStatus::Pending | PaymentStatus::Authorized)
    }

    /// The state's name as written in JSON and SQL.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Authorized => "authorized",
            PaymentStatus::Succeeded => "succeeded",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Cancelled => "cancelled",
        }
    }

    /// Checks a move: forward only, and never out of a final state.
    pub fn check_move(self, to: PaymentStatus) -> Result<()> {
        use PaymentStatus::{Authorized, Cancelled, Failed, Pending, Succeeded};
        let ok = matches!(
            (self, to),
            (Pending, Authorized | Succeeded | Failed | Cancelled) | (Authorized, Succeeded | Failed | Cancelled)
        ) || (self == to && self.in_flight());
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidPaymentMove { from: self, to })
        }
    }
}

/// Which part of a split bill a payment pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PartRef {
    /// The split (its `seq`).
    pub split: u32,
    /// The part (1-based).
    pub part: u32,
}

/// One payment attempt on an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// Our id, made on the device before any provider is called.
    pub id: PaymentId,
    /// Sent with every call to the provider so a retry never charges twice.
    #[serde(default)]
    pub idempotency_key: String,
    /// The tender.
    pub tender: Tender,
    /// State.
    pub status: PaymentStatus,
    /// What this payment settles of the bill (tip not included).
    pub amount: Minor,
    /// The tip on top (outside the scope of VAT; passes to staff in full).
    #[serde(default, skip_serializing_if = "Minor::is_zero_ref")]
    pub tip: Minor,
    /// The payment fee passed to the guest, where the restaurant's settings say so and the law allows it
    /// (never in GBP). Neither bill nor tip.
    #[serde(default, skip_serializing_if = "Minor::is_zero_ref")]
    pub surcharge: Minor,
    /// What the guest handed over (cash); `amount + tip` for other tenders.
    pub tendered: Minor,
    /// Change given back (cash): `tendered - amount - tip`.
    #[serde(default, skip_serializing_if = "Minor::is_zero_ref")]
    pub change: Minor,
    /// What the payment cost the restaurant; set when it succeeds.
    #[serde(default, skip_serializing_if = "Fee::is_zero")]
    pub fee: Fee,
    /// The part of a split bill it pays, if the bill is split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<PartRef>,
    /// The provider's id for it (e.g. a `PaymentIntent` id), once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_ref: Option<String>,
    /// Why it failed or was cancelled, or what the provider is waiting for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who took it.
    pub staff: StaffId,
    /// When it was started.
    pub at: Timestamp,
}

impl Payment {
    /// Does this payment count towards what is paid?
    pub fn counts(&self) -> bool {
        self.status == PaymentStatus::Succeeded
    }

    /// What the guest is charged on this tender: the bill amount, the tip and any surcharge.
    pub fn charge(&self) -> Result<Minor> {
        self.amount.checked_add(self.tip)?.checked_add(self.surcharge)
    }
}

/// A quantity of one line given back in a refund, and what it came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundLine {
    /// The line.
    pub line: LineNo,
    /// How many of it.
    pub quantity: u32,
    /// Its amount after discounts with its share of service charge.
    pub amount: Minor,
}

/// Money given back on one payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    /// Our id, made on the device before any provider is called.
    pub id: RefundId,
    /// Sent with every call to the provider so a retry never refunds twice.
    pub idempotency_key: String,
    /// The payment refunded; the money goes back to its tender.
    pub payment: PaymentId,
    /// That payment's tender.
    pub tender: Tender,
    /// State (cash refunds succeed at once).
    pub status: PaymentStatus,
    /// How much.
    pub amount: Minor,
    /// The lines given back, when refunded by line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<RefundLine>,
    /// Why.
    pub reason: String,
    /// The provider's id for it, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_ref: Option<String>,
    /// Why it failed, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who did it.
    pub staff: StaffId,
    /// The manager who approved it.
    pub approved_by: StaffId,
    /// When.
    pub at: Timestamp,
}

impl Refund {
    /// Does it count (money went back)? Pending refunds are held against what can still be refunded.
    pub fn counts(&self) -> bool {
        self.status == PaymentStatus::Succeeded
    }
}

/// Where an order's money stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum PaymentState {
    /// Nothing paid.
    Unpaid,
    /// Some paid, some still due.
    PartlyPaid,
    /// Paid in full (or nothing was due).
    Paid,
    /// Some of what was paid was given back.
    PartlyRefunded,
    /// Everything paid was given back.
    Refunded,
}

impl PaymentState {
    /// Its name, as it is written in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            PaymentState::Unpaid => "unpaid",
            PaymentState::PartlyPaid => "partly_paid",
            PaymentState::Paid => "paid",
            PaymentState::PartlyRefunded => "partly_refunded",
            PaymentState::Refunded => "refunded",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PaymentState;

    #[test]
    fn payment_state_names_are_their_json_names() {
        for state in [
            PaymentState::Unpaid,
            PaymentState::PartlyPaid,
            PaymentState::Paid,
            PaymentState::PartlyRefunded,
            PaymentState::Refunded,
        ] {
            assert_eq!(
                serde_json::to_value(state).ok(),
                Some(serde_json::json!(state.as_str()))
            );
        }
    }
}
