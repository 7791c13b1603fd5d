//! Payments recorded on an order. Only a `succeeded` payment counts towards what is paid.
//!
//! Cash is taken in one step (the drawer is the provider). Card and pay-by-bank attempts, with their
//! `pending → authorized → succeeded | failed | cancelled` life, build on the same record.

use serde::{Deserialize, Serialize};

use crate::{ids::PaymentId, ids::StaffId, time::Timestamp, Minor};

/// How the guest paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tender {
    /// Notes and coins.
    Cash,
}

/// A payment attempt's state. Only `Succeeded` counts as paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Recorded, provider not yet answered.
    Pending,
    /// Authorized by the provider, not yet captured.
    Authorized,
    /// Money taken.
    Succeeded,
    /// Refused or errored.
    Failed,
    /// Abandoned before success.
    Cancelled,
}

/// One payment on an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// Our id, made on the device.
    pub id: PaymentId,
    /// The tender.
    pub tender: Tender,
    /// State.
    pub status: PaymentStatus,
    /// What this payment settles of the bill.
    pub amount: Minor,
    /// What the guest handed over (cash); equals `amount` for other tenders.
    pub tendered: Minor,
    /// Change given back: `tendered - amount`.
    pub change: Minor,
    /// Who took it.
    pub staff: StaffId,
    /// When.
    pub at: Timestamp,
}

impl Payment {
    /// Does this payment count towards what is paid?
    pub fn counts(&self) -> bool {
        self.status == PaymentStatus::Succeeded
    }
}
