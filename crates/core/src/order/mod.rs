//! Orders: their lines, the state machine of SPEC §4, and the events every change is recorded as.
//!
//! An [`Order`] changes only by applying [`OrderEvent`]s. [`Order::execute`] checks a command against the
//! order and the menu, and returns the events together with the order they produce — or an error and no
//! change at all. The store appends the events to the order's history (nothing is ever deleted) and keeps
//! the resulting order as a snapshot; replaying the history rebuilds the same order.

mod command;
mod event;
mod line;
mod state;

pub use command::{Ctx, LineChange, LineRequest, OpenOrder, OrderCommand};
pub use event::OrderEvent;
pub use line::{ChosenModifier, ChosenVariant, Course, Discount, DiscountKind, Line, Void};
pub use state::OrderState;

use serde::{Deserialize, Serialize};

use crate::{
    catalog::VatClass,
    ids::{DeviceId, LineNo, OrderId, StaffId},
    payment::Payment,
    pricing::{self, Totals},
    settings::ServiceChargePolicy,
    time::{BusinessDate, Timestamp},
    Currency, Error, Minor, Result,
};

/// Eat in or take away. The VAT class of each line follows from this (HMRC VAT Notice 709/1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OrderKind {
    /// Eaten at a table.
    DineIn {
        /// Table name or number as the restaurant writes it.
        table: String,
        /// Number of guests.
        covers: u32,
    },
    /// Taken away.
    Takeaway,
}

impl OrderKind {
    /// Is the food eaten on the premises?
    pub fn is_eat_in(&self) -> bool {
        matches!(self, OrderKind::DineIn { .. })
    }

    /// Checks table and covers.
    pub fn validate(&self) -> Result<()> {
        if let OrderKind::DineIn { table, covers } = self {
            if table.trim().is_empty() || table.chars().count() > 20 {
                return Err(Error::InvalidField {
                    field: "table",
                    reason: "must be 1 to 20 characters".into(),
                });
            }
            if !(1..=99).contains(covers) {
                return Err(Error::InvalidField {
                    field: "covers",
                    reason: "must be 1 to 99".into(),
                });
            }
        }
        Ok(())
    }
}

/// The order's service charge: the restaurant's rule when it opened, and whether staff removed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceCharge {
    /// The rule copied from settings when the order opened.
    pub policy: ServiceChargePolicy,
    /// Set when staff removed the charge, with their reason.
    pub removed: Option<String>,
}

impl ServiceCharge {
    /// Is the charge added to an order of this kind?
    pub fn applies(&self, kind: &OrderKind) -> bool {
        self.policy.enabled && self.removed.is_none() && (!self.policy.dine_in_only || kind.is_eat_in())
    }
}

/// An order: made on one device, owned by it, changed only through events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    id: OrderId,
    number: u32,
    business_date: BusinessDate,
    device: DeviceId,
    currency: Currency,
    kind: OrderKind,
    state: OrderState,
    parked: bool,
    lines: Vec<Line>,
    discount: Option<Discount>,
    service_charge: ServiceCharge,
    payments: Vec<Payment>,
    opened_by: StaffId,
    opened_at: Timestamp,
    updated_at: Timestamp,
    cancel_reason: Option<String>,
    version: u64,
    next_line: u32,
}

impl Order {
    /// The order's id.
    pub fn id(&self) -> OrderId {
        self.id
    }
    /// The short human number, per device and business day.
    pub fn number(&self) -> u32 {
        self.number
    }
    /// The business day the number belongs to.
    pub fn business_date(&self) -> &BusinessDate {
        &self.business_date
    }
    /// The device that made and owns the order.
    pub fn device(&self) -> DeviceId {
        self.device
    }
    /// The currency of every amount on it.
    pub fn currency(&self) -> Currency {
        self.currency
    }
    /// Dine-in or takeaway.
    pub fn kind(&self) -> &OrderKind {
        &self.kind
    }
    /// Where it is in its life.
    pub fn state(&self) -> OrderState {
        self.state
    }
    /// Parked orders wait in the open-orders list until resumed.
    pub fn parked(&self) -> bool {
        self.parked
    }
    /// Every line ever added and not removed before sending, voided ones included.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }
    /// The order-level discount.
    pub fn discount(&self) -> Option<&Discount> {
        self.discount.as_ref()
    }
    /// The service charge rule and whether it was removed.
    pub fn service_charge(&self) -> &ServiceCharge {
        &self.service_charge
    }
    /// Payments, in the order they were recorded.
    pub fn payments(&self) -> &[Payment] {
        &self.payments
    }
    /// Who opened it.
    pub fn opened_by(&self) -> &StaffId {
        &self.opened_by
    }
    /// When it was opened.
    pub fn opened_at(&self) -> Timestamp {
        self.opened_at
    }
    /// When it last changed.
    pub fn updated_at(&self) -> Timestamp {
        self.updated_at
    }
    /// Why it was cancelled, if it was.
    pub fn cancel_reason(&self) -> Option<&str> {
        self.cancel_reason.as_deref()
    }
    /// How many events made it: 1 after opening, one more per event.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Lines that count: not voided.
    pub fn live_lines(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| l.void.is_none())
    }

    /// A line by number.
    pub fn line(&self, no: LineNo) -> Result<&Line> {
        self.lines.iter().find(|l| l.no == no).ok_or(Error::UnknownLine(no))
    }

    /// The VAT class a line takes on this order.
    pub fn vat_class(&self, line: &Line) -> VatClass {
        if self.kind.is_eat_in() {
            line.vat.eat_in
        } else {
            line.vat.takeaway
        }
    }

    /// Prices the order by the rules in [`crate::pricing`].
    pub fn totals(&self) -> Result<Totals> {
        pricing::price(self)
    }

    /// What succeeded payments have settled.
    pub fn paid(&self) -> Result<Minor> {
        Minor::sum(self.payments.iter().filter(|p| p.counts()).map(|p| p.amount))
    }

    /// Total minus paid.
    pub fn balance(&self) -> Result<Minor> {
        self.totals()?.total.checked_sub(self.paid()?)
    }

    /// Rebuilds an order from its history.
    pub fn replay<'a>(events: impl IntoIterator<Item = (&'a OrderEvent, Timestamp)>) -> Result<Order> {
        let mut events = events.into_iter();
        let (first, at) = events.next().ok_or(Error::InvalidField {
            field: "history",
            reason: "an order's history starts with its opening".into(),
        })?;
        let mut order = match first {
            OrderEvent::Opened {
                id,
                number,
                business_date,
                device,
                currency,
                kind,
                service_charge,
                staff,
            } => Order {
                id: *id,
                number: *number,
                business_date: business_date.clone(),
                device: *device,
                currency: *currency,
                kind: kind.clone(),
                state: OrderState::Pending,
                parked: false,
                lines: Vec::new(),
                discount: None,
                service_charge: ServiceCharge {
                    policy: *service_charge,
                    removed: None,
                },
                payments: Vec::new(),
                opened_by: staff.clone(),
                opened_at: at,
                updated_at: at,
                cancel_reason: None,
                version: 1,
                next_line: 1,
            },
            _ => {
                return Err(Error::InvalidField {
                    field: "history",
                    reason: "an order's history starts with its opening".into(),
                })
            }
        };
        for (event, at) in events {
            order.apply(event, at);
        }
        Ok(order)
    }

    /// Applies one event. Events come from [`Order::execute`], which has checked them, so applying
    /// cannot fail; an event that names a missing line changes nothing but the version.
    pub fn apply(&mut self, event: &OrderEvent, at: Timestamp) {
        self.version += 1;
        self.updated_at = at;
        match event {
            OrderEvent::Opened { .. } => {}
            OrderEvent::LineAdded { line } => {
                self.next_line = self.next_line.max(line.no.get() + 1);
                self.lines.push(line.clone());
            }
            OrderEvent::LineChanged { line } => {
                if let Some(slot) = self.lines.iter_mut().find(|l| l.no == line.no) {
                    *slot = line.clone();
                }
            }
            OrderEvent::LineRemoved { line } => self.lines.retain(|l| l.no != *line),
            OrderEvent::LineVoided { line, reason, by } => {
                if let Some(slot) = self.lines.iter_mut().find(|l| l.no == *line) {
                    slot.void = Some(Void {
                        reason: reason.clone(),
                        by: by.clone(),
                        at,
                    });
                }
            }
            OrderEvent::LineDiscountSet { line, discount } => {
                if let Some(slot) = self.lines.iter_mut().find(|l| l.no == *line) {
                    slot.discount = discount.clone();
                }
            }
            OrderEvent::OrderDiscountSet { discount } => self.discount = discount.clone(),
            OrderEvent::ServiceChargeSet { removed } => self.service_charge.removed = removed.clone(),
            OrderEvent::KindChanged { kind } => self.kind = kind.clone(),
            OrderEvent::SentToKitchen { lines } => {
                for slot in self.lines.iter_mut().filter(|l| lines.contains(&l.no)) {
                    slot.sent = true;
                }
                if self.state == OrderState::Pending {
                    self.state = OrderState::Confirmed;
                }
            }
            OrderEvent::StatusChanged { to } => self.state = *to,
            OrderEvent::Parked => self.parked = true,
            OrderEvent::Resumed => self.parked = false,
            OrderEvent::PaymentRecorded { payment } => self.payments.push(payment.clone()),
            OrderEvent::Completed => {
                self.state = OrderState::Completed;
                self.parked = false;
            }
            OrderEvent::Cancelled { reason } => {
                self.state = OrderState::Cancelled;
                self.parked = false;
                self.cancel_reason = Some(reason.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests;
