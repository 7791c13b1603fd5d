//! The events an order's history is made of. Each is one fact, stored as JSON in the order's history and in
//! the outbox for the cloud; the `type` tag is the op type.

use serde::{Deserialize, Serialize};

use super::{approval::Needs, Discount, Line, OrderKind, OrderState, PriceOverride};
use crate::{
    fees::Fee,
    ids::{DeviceId, LineNo, OrderId, PaymentId, RefundId, StaffId},
    payment::{Payment, PaymentStatus, Refund},
    settings::ServiceChargePolicy,
    split::Split,
    time::BusinessDate,
    Currency,
};

/// One recorded change to an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OrderEvent {
    /// The order was opened.
    Opened {
        /// Its id.
        id: OrderId,
        /// Its number for the day.
        number: u32,
        /// The business day.
        business_date: BusinessDate,
        /// The device that owns it.
        device: DeviceId,
        /// Its currency.
        currency: Currency,
        /// Dine-in or takeaway.
        kind: OrderKind,
        /// The service charge rule in force.
        service_charge: ServiceChargePolicy,
        /// Who opened it.
        staff: StaffId,
    },
    /// A line was added.
    LineAdded {
        /// The new line.
        line: Line,
    },
    /// An unsent line's quantity, note, course or seat changed; the line as it now is.
    LineChanged {
        /// The line after the change.
        line: Line,
    },
    /// An unsent line was removed.
    LineRemoved {
        /// Which.
        line: LineNo,
    },
    /// A sent line was voided.
    LineVoided {
        /// Which.
        line: LineNo,
        /// Why.
        reason: String,
        /// Who.
        by: StaffId,
        /// The manager who approved it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approved_by: Option<StaffId>,
    },
    /// A line discount was set or cleared.
    LineDiscountSet {
        /// Which line.
        line: LineNo,
        /// The discount, or none.
        discount: Option<Discount>,
        /// The manager who approved it, when it needed approval or a manager set it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approved_by: Option<StaffId>,
    },
    /// A manager set (or cleared) a line's price.
    PriceOverridden {
        /// Which line.
        line: LineNo,
        /// The new price, or none to go back to the menu's.
        price: Option<PriceOverride>,
    },
    /// The order discount was set or cleared.
    OrderDiscountSet {
        /// The discount, or none.
        discount: Option<Discount>,
        /// The manager who approved it, when it needed approval or a manager set it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approved_by: Option<StaffId>,
    },
    /// The service charge was removed (with a reason) or restored.
    ServiceChargeSet {
        /// The reason it was removed, or none when restored.
        removed: Option<String>,
        /// The manager who approved it, when it needed approval or a manager did it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approved_by: Option<StaffId>,
    },
    /// The bill was split (or the split cleared).
    SplitSet {
        /// The split, or none.
        split: Option<Split>,
    },
    /// The staff who served the order, who share its tips and service charge.
    ServersSet {
        /// One or more members of staff, in equal shares.
        servers: Vec<StaffId>,
    },
    /// A card or pay-by-bank attempt was recorded, before the provider was called.
    PaymentStarted {
        /// The attempt, pending.
        payment: Payment,
    },
    /// A payment attempt moved on.
    PaymentUpdated {
        /// Which.
        payment: PaymentId,
        /// Its new state.
        status: PaymentStatus,
        /// The provider's id for it.
        provider_ref: Option<String>,
        /// Why it failed, or what the provider waits for.
        note: Option<String>,
        /// What it cost the restaurant (when it succeeded).
        fee: Fee,
    },
    /// A refund was recorded (cash refunds succeed at once; others before the provider is called).
    RefundStarted {
        /// The refund.
        refund: Refund,
    },
    /// A refund moved on.
    RefundUpdated {
        /// Which.
        refund: RefundId,
        /// Its new state.
        status: PaymentStatus,
        /// The provider's id for it.
        provider_ref: Option<String>,
        /// Why it failed.
        note: Option<String>,
    },
    /// Changed between dine-in and takeaway, or moved table.
    KindChanged {
        /// The new kind.
        kind: OrderKind,
        /// Why, when the switch stopped the service charge being charged.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Lines were sent to the kitchen (a pending order becomes confirmed).
    SentToKitchen {
        /// The lines sent.
        lines: Vec<LineNo>,
    },
    /// The kitchen moved the order on.
    StatusChanged {
        /// The new state.
        to: OrderState,
    },
    /// Parked in the open-orders list.
    Parked,
    /// Taken back from the open-orders list.
    Resumed,
    /// A payment was recorded.
    PaymentRecorded {
        /// The payment.
        payment: Payment,
    },
    /// Paid in full and closed.
    Completed,
    /// Cancelled before payment.
    Cancelled {
        /// Why.
        reason: String,
        /// The manager who approved it, when the kitchen had seen some of its lines.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approved_by: Option<StaffId>,
    },
    /// A manager approved what a command did to the order beyond the approval rules
    /// ([`super::approval`]), where the command's own event has no place to say so.
    Approved {
        /// The manager.
        by: StaffId,
        /// The rules it went beyond.
        rules: Vec<Needs>,
    },
    /// Given another number for its day: `fynlo repair` does this to an order whose number another
    /// order of the same till and day already had (only two processes writing one database could make
    /// that happen).
    Renumbered {
        /// The new number.
        number: u32,
        /// Why.
        reason: String,
    },
}

impl OrderEvent {
    /// The manager this event records as approving it, if it records one.
    pub fn approved_by(&self) -> Option<&StaffId> {
        match self {
            OrderEvent::LineVoided { approved_by, .. }
            | OrderEvent::LineDiscountSet { approved_by, .. }
            | OrderEvent::OrderDiscountSet { approved_by, .. }
            | OrderEvent::ServiceChargeSet { approved_by, .. }
            | OrderEvent::Cancelled { approved_by, .. } => approved_by.as_ref(),
            OrderEvent::PriceOverridden { price, .. } => price.as_ref().map(|p| &p.approved_by),
            OrderEvent::Approved { by, .. } => Some(by),
            _ => None,
        }
    }

    /// The op type written to the outbox: `order.` and the event's tag.
    pub fn op_type(&self) -> &'static str {
        match self {
            OrderEvent::Opened { .. } => "order.opened",
            OrderEvent::LineAdded { .. } => "order.line_added",
            OrderEvent::LineChanged { .. } => "order.line_changed",
            OrderEvent::LineRemoved { .. } => "order.line_removed",
            OrderEvent::LineVoided { .. } => "order.line_voided",
            OrderEvent::LineDiscountSet { .. } => "order.line_discount_set",
            OrderEvent::OrderDiscountSet { .. } => "order.order_discount_set",
            OrderEvent::PriceOverridden { .. } => "order.price_overridden",
            OrderEvent::ServiceChargeSet { .. } => "order.service_charge_set",
            OrderEvent::KindChanged { .. } => "order.kind_changed",
            OrderEvent::SentToKitchen { .. } => "order.sent_to_kitchen",
            OrderEvent::StatusChanged { .. } => "order.status_changed",
            OrderEvent::Parked => "order.parked",
            OrderEvent::Resumed => "order.resumed",
            OrderEvent::PaymentRecorded { .. } => "order.payment_recorded",
            OrderEvent::SplitSet { .. } => "order.split_set",
            OrderEvent::ServersSet { .. } => "order.servers_set",
            OrderEvent::PaymentStarted { .. } => "order.payment_started",
            OrderEvent::PaymentUpdated { .. } => "order.payment_updated",
            OrderEvent::RefundStarted { .. } => "order.refund_started",
            OrderEvent::RefundUpdated { .. } => "order.refund_updated",
            OrderEvent::Completed => "order.completed",
            OrderEvent::Cancelled { .. } => "order.cancelled",
            OrderEvent::Renumbered { .. } => "order.renumbered",
            OrderEvent::Approved { .. } => "order.approved",
        }
    }

    /// Does this event move money, so its commit must reach the disk before the till says it is done?
    pub fn moves_money(&self) -> bool {
        matches!(
            self,
            OrderEvent::PaymentRecorded { .. }
                | OrderEvent::PaymentStarted { .. }
                | OrderEvent::PaymentUpdated { .. }
                | OrderEvent::RefundStarted { .. }
                | OrderEvent::RefundUpdated { .. }
                | OrderEvent::Completed
                | OrderEvent::Cancelled { .. }
        )
    }

    /// Does this event change what the order costs (so a split of it no longer holds)?
    pub fn changes_price(&self) -> bool {
        matches!(
            self,
            OrderEvent::LineAdded { .. }
                | OrderEvent::LineChanged { .. }
                | OrderEvent::LineRemoved { .. }
                | OrderEvent::LineVoided { .. }
                | OrderEvent::LineDiscountSet { .. }
                | OrderEvent::OrderDiscountSet { .. }
                | OrderEvent::PriceOverridden { .. }
                | OrderEvent::ServiceChargeSet { .. }
                | OrderEvent::KindChanged { .. }
        )
    }
}
