//! The order state machine (SPEC §4):
//! `pending → confirmed → preparing → ready → served → completed`, and `cancelled` before payment.
//!
//! Kitchen states only move forward (skipping is allowed: a drink goes from confirmed straight to served).
//! `confirmed` is reached by sending to the kitchen, `completed` by settling the balance, `cancelled` by
//! cancelling an order with no payments. Completed and cancelled are final.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Where an order is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum OrderState {
    /// Being built.
    Pending,
    /// Sent to the kitchen.
    Confirmed,
    /// The kitchen is making it.
    Preparing,
    /// Ready to serve or collect.
    Ready,
    /// With the guest.
    Served,
    /// Paid in full and closed.
    Completed,
    /// Cancelled before payment.
    Cancelled,
}

impl OrderState {
    /// Completed and cancelled orders never change again.
    pub fn is_closed(self) -> bool {
        matches!(self, OrderState::Completed | OrderState::Cancelled)
    }

    /// The state's name as written in JSON and SQL.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Pending => "pending",
            OrderState::Confirmed => "confirmed",
            OrderState::Preparing => "preparing",
            OrderState::Ready => "ready",
            OrderState::Served => "served",
            OrderState::Completed => "completed",
            OrderState::Cancelled => "cancelled",
        }
    }

    fn kitchen_rank(self) -> Option<u8> {
        match self {
            OrderState::Pending => Some(0),
            OrderState::Confirmed => Some(1),
            OrderState::Preparing => Some(2),
            OrderState::Ready => Some(3),
            OrderState::Served => Some(4),
            OrderState::Completed | OrderState::Cancelled => None,
        }
    }

    /// Checks a kitchen move asked for by staff (`preparing`, `ready`, `served`).
    pub fn check_kitchen_move(self, to: OrderState) -> Result<()> {
        if self.is_closed() {
            return Err(Error::OrderClosed(self));
        }
        let refuse = Err(Error::InvalidTransition { from: self, to });
        let target = matches!(to, OrderState::Preparing | OrderState::Ready | OrderState::Served);
        match (self.kitchen_rank(), to.kitchen_rank()) {
            (Some(from), Some(dest)) if target && from >= 1 && dest > from => Ok(()),
            _ => refuse,
        }
    }
}

impl fmt::Display for OrderState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::OrderState::{self, *};

    #[test]
    fn kitchen_moves_only_forward_after_sending() {
        let all = [Pending, Confirmed, Preparing, Ready, Served, Completed, Cancelled];
        let allowed: &[(OrderState, OrderState)] = &[
            (Confirmed, Preparing),
            (Confirmed, Ready),
            (Confirmed, Served),
            (Preparing, Ready),
            (Preparing, Served),
            (Ready, Served),
        ];
        for from in all {
            for to in all {
                let got = from.check_kitchen_move(to).is_ok();
                assert_eq!(got, allowed.contains(&(from, to)), "{from} -> {to}");
            }
        }
    }
}
