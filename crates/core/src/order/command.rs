//! Commands on an order and the checks that turn them into events. A refused command changes nothing:
//! every command is tried on a copy of the order, the copy is priced and checked, and only then are the
//! events handed back.

use serde::{Deserialize, Serialize};

use super::{
    line::{check_note, check_quantity, check_reason, check_seat},
    ChosenModifier, ChosenVariant, Course, Discount, Line, Order, OrderEvent, OrderKind, OrderState,
};
use crate::{
    catalog::Catalog,
    ids::{DeviceId, LineNo, ModifierId, OrderId, PaymentId, ProductId, StaffId, VariantId},
    payment::{Payment, PaymentStatus, Tender},
    settings::ServiceChargePolicy,
    time::{BusinessDate, Timestamp},
    Currency, Error, Minor, Result,
};

/// Who does a command, and when. Handed in: the core never reads a clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ctx {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub staff: StaffId,
}

/// Everything needed to open an order; the id and number are made by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenOrder {
    /// A new UUIDv7.
    pub id: OrderId,
    /// The next number for this device and day.
    pub number: u32,
    /// The business day.
    pub business_date: BusinessDate,
    /// This device.
    pub device: DeviceId,
    /// The restaurant's currency.
    pub currency: Currency,
    /// Dine-in or takeaway.
    pub kind: OrderKind,
    /// The restaurant's service charge rule.
    pub service_charge: ServiceChargePolicy,
}

/// A line to add: what the cashier picked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRequest {
    /// The product.
    pub product: Option<ProductId>,
    /// The variant, required when the product has variants.
    pub variant: Option<VariantId>,
    /// Modifiers chosen, each at most once.
    pub modifiers: Vec<ModifierId>,
    /// How many (1–999).
    pub quantity: i64,
    /// Note for the kitchen.
    pub note: Option<String>,
    /// Course.
    pub course: Option<Course>,
    /// Seat.
    pub seat: Option<u32>,
}

/// Changes to an unsent line; fields left `None` stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineChange {
    /// New quantity.
    pub quantity: Option<i64>,
    /// New note (`Some(None)` clears it).
    pub note: Option<Option<String>>,
    /// New course (`Some(None)` clears it).
    pub course: Option<Option<Course>>,
    /// New seat (`Some(None)` clears it).
    pub seat: Option<Option<u32>>,
}

/// What staff can do to an open order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderCommand {
    /// Add a line from the menu.
    AddLine(LineRequest),
    /// Change an unsent line.
    ChangeLine {
        /// Which.
        line: LineNo,
        /// How.
        change: LineChange,
    },
    /// Remove an unsent line.
    RemoveLine(LineNo),
    /// Void a sent line.
    VoidLine {
        /// Which.
        line: LineNo,
        /// Why.
        reason: String,
    },
    /// Set or clear a line discount.
    SetLineDiscount {
        /// Which.
        line: LineNo,
        /// The discount, or none to clear it.
        discount: Option<Discount>,
    },
    /// Set or clear the order discount.
    SetOrderDiscount(Option<Discount>),
    /// Remove the service charge (a reason is required) or restore it.
    SetServiceCharge {
        /// Charge it?
        enabled: bool,
        /// Why it was removed.
        reason: Option<String>,
    },
    /// Switch dine-in/takeaway or move table.
    SetKind(OrderKind),
    /// Send unsent lines to the kitchen.
    SendToKitchen,
    /// Kitchen progress: preparing, ready, served.
    SetStatus(OrderState),
    /// Park in the open-orders list.
    Park,
    /// Take back from the open-orders list.
    Resume,
    /// Take cash; change is given for anything over the balance, and the order completes when it is settled.
    TakeCash {
        /// A new payment id.
        payment: PaymentId,
        /// What the guest handed over.
        tendered: Minor,
    },
    /// Close an order whose balance is zero.
    Complete,
    /// Cancel an order with no payments.
    Cancel {
        /// Why.
        reason: String,
    },
}

impl Order {
    /// Opens a new order.
    pub fn open(req: OpenOrder, ctx: &Ctx) -> Result<(Order, OrderEvent)> {
        req.kind.validate()?;
        if req.number == 0 {
            return Err(Error::InvalidField {
                field: "number",
                reason: "order numbers start at 1".into(),
            });
        }
        let event = OrderEvent::Opened {
            id: req.id,
            number: req.number,
            business_date: req.business_date,
            device: req.device,
            currency: req.currency,
            kind: req.kind,
            service_charge: req.service_charge,
            staff: ctx.staff.clone(),
        };
        let order = Order::replay([(&event, ctx.at)])?;
        Ok((order, event))
    }

    /// Checks a command and returns the order it produces with the events that record it.
    /// On any error the order is untouched and no event exists.
    pub fn execute(&self, cmd: &OrderCommand, catalog: &Catalog, ctx: &Ctx) -> Result<(Order, Vec<OrderEvent>)> {
        if self.state.is_closed() {
            return Err(Error::OrderClosed(self.state));
        }
        let events = self.decide(cmd, catalog, ctx)?;
        let mut next = self.clone();
        for event in &events {
            next.apply(event, ctx.at);
        }
        next.check()?;
        Ok((next, events))
    }

    /// Invariants every order keeps: it prices without error and its total never falls below what
    /// was paid.
    fn check(&self) -> Result<()> {
        let totals = self.totals()?;
        let paid = self.paid()?;
        if totals.total < paid {
            return Err(Error::TotalBelowPaid { paid: paid.get() });
        }
        Ok(())
    }

    fn decide(&self, cmd: &OrderCommand, catalog: &Catalog, ctx: &Ctx) -> Result<Vec<OrderEvent>> {
        Ok(match cmd {
            OrderCommand::AddLine(req) => vec![OrderEvent::LineAdded {
                line: self.build_line(req, catalog)?,
            }],
            OrderCommand::ChangeLine { line, change } => {
                let mut updated = self.unsent_line(*line)?.clone();
                if let Some(q) = change.quantity {
                    updated.quantity = check_quantity(q)?;
                }
                if let Some(note) = &change.note {
                    updated.note = clean_note(note);
                    check_note(&updated.note)?;
                }
                if let Some(course) = change.course {
                    updated.course = course;
                }
                if let Some(seat) = change.seat {
                    check_seat(seat)?;
                    updated.seat = seat;
                }
                vec![OrderEvent::LineChanged { line: updated }]
            }
            OrderCommand::RemoveLine(no) => {
                self.unsent_line(*no)?;
                vec![OrderEvent::LineRemoved { line: *no }]
            }
            OrderCommand::VoidLine { line, reason } => {
                let found = self.line(*line)?;
                if found.void.is_some() {
                    return Err(Error::LineVoid(*line));
                }
                if !found.sent {
                    return Err(Error::LineNotSent(*line));
                }
                check_reason(reason)?;
                vec![OrderEvent::LineVoided {
                    line: *line,
                    reason: reason.trim().to_owned(),
                    by: ctx.staff.clone(),
                }]
            }
            OrderCommand::SetLineDiscount { line, discount } => {
                if self.line(*line)?.void.is_some() {
                    return Err(Error::LineVoid(*line));
                }
                if let Some(d) = discount {
                    d.validate()?;
                }
                vec![OrderEvent::LineDiscountSet {
                    line: *line,
                    discount: discount.clone().map(trim_reason),
                }]
            }
            OrderCommand::SetOrderDiscount(discount) => {
                if let Some(d) = discount {
                    d.validate()?;
                }
                vec![OrderEvent::OrderDiscountSet {
                    discount: discount.clone().map(trim_reason),
                }]
            }
            OrderCommand::SetServiceCharge { enabled, reason } => {
                let removed = if *enabled {
                    if !self.service_charge.policy.enabled {
                        return Err(Error::InvalidField {
                            field: "enabled",
                            reason: "the restaurant has no service charge in its settings".into(),
                        });
                    }
                    None
                } else {
                    let reason = reason.as_deref().unwrap_or("");
                    check_reason(reason)?;
                    Some(reason.trim().to_owned())
                };
                vec![OrderEvent::ServiceChargeSet { removed }]
            }
            OrderCommand::SetKind(kind) => {
                kind.validate()?;
                vec![OrderEvent::KindChanged { kind: kind.clone() }]
            }
            OrderCommand::SendToKitchen => {
                if self.live_lines().next().is_none() {
                    return Err(Error::OrderEmpty);
                }
                let lines: Vec<LineNo> = self.live_lines().filter(|l| !l.sent).map(|l| l.no).collect();
                if lines.is_empty() {
                    return Err(Error::NothingToSend);
                }
                vec![OrderEvent::SentToKitchen { lines }]
            }
            OrderCommand::SetStatus(to) => {
                self.state.check_kitchen_move(*to)?;
                vec![OrderEvent::StatusChanged { to: *to }]
            }
            OrderCommand::Park if self.parked => return Err(Error::AlreadyParked),
            OrderCommand::Park => vec![OrderEvent::Parked],
            OrderCommand::Resume if !self.parked => return Err(Error::NotParked),
            OrderCommand::Resume => vec![OrderEvent::Resumed],
            OrderCommand::TakeCash { payment, tendered } => {
                if !tendered.is_positive() {
                    return Err(Error::InvalidPaymentAmount);
                }
                if self.live_lines().next().is_none() {
                    return Err(Error::OrderEmpty);
                }
                let balance = self.balance()?;
                if !balance.is_positive() {
                    return Err(Error::NothingDue);
                }
                let amount = (*tendered).min(balance);
                let payment = Payment {
                    id: *payment,
                    tender: Tender::Cash,
                    status: PaymentStatus::Succeeded,
                    amount,
                    tendered: *tendered,
                    change: tendered.checked_sub(amount)?,
                    staff: ctx.staff.clone(),
                    at: ctx.at,
                };
                let mut events = vec![OrderEvent::PaymentRecorded { payment }];
                if amount == balance {
                    events.push(OrderEvent::Completed);
                }
                events
            }
            OrderCommand::Complete => {
                if self.live_lines().next().is_none() {
                    return Err(Error::OrderEmpty);
                }
                let due = self.balance()?;
                if !due.is_zero() {
                    return Err(Error::BalanceDue { due: due.get() });
                }
                vec![OrderEvent::Completed]
            }
            OrderCommand::Cancel { reason } => {
                if !self.paid()?.is_zero() {
                    return Err(Error::OrderHasPayments);
                }
                check_reason(reason)?;
                vec![OrderEvent::Cancelled {
                    reason: reason.trim().to_owned(),
                }]
            }
        })
    }

    fn unsent_line(&self, no: LineNo) -> Result<&Line> {
        let line = self.line(no)?;
        if line.void.is_some() {
            return Err(Error::LineVoid(no));
        }
        if line.sent {
            return Err(Error::LineSent(no));
        }
        Ok(line)
    }

    /// Resolves a line request against the menu, enforcing availability, variants and modifier rules.
    fn build_line(&self, req: &LineRequest, catalog: &Catalog) -> Result<Line> {
        let product_id = req.product.as_ref().ok_or(Error::InvalidField {
            field: "product",
            reason: "name a product".into(),
        })?;
        let product = catalog.product(product_id)?;
        if !product.available {
            return Err(Error::ProductUnavailable {
                product: product.id.clone(),
                name: product.name.clone(),
            });
        }
        let quantity = check_quantity(req.quantity)?;
        let note = clean_note(&req.note);
        check_note(&note)?;
        check_seat(req.seat)?;
        let (variant, base_price) = match (&req.variant, product.variants.is_empty()) {
            (None, true) => (None, product.price),
            (None, false) => {
                return Err(Error::VariantRequired {
                    product: product.id.clone(),
                    name: product.name.clone(),
                })
            }
            (Some(_), true) => return Err(Error::NoVariants(product.id.clone())),
            (Some(v), false) => {
                let found = product
                    .variants
                    .iter()
                    .find(|x| &x.id == v)
                    .ok_or_else(|| Error::UnknownVariant {
                        product: product.id.clone(),
                        variant: v.clone(),
                    })?;
                (
                    Some(ChosenVariant {
                        id: found.id.clone(),
                        name: found.name.clone(),
                    }),
                    found.price,
                )
            }
        };
        let mut modifiers = Vec::with_capacity(req.modifiers.len());
        for (i, wanted) in req.modifiers.iter().enumerate() {
            if req.modifiers[..i].contains(wanted) {
                return Err(Error::DuplicateModifier(wanted.clone()));
            }
            let found = product
                .modifier_groups
                .iter()
                .filter_map(|g| catalog.group(g))
                .find_map(|g| g.modifiers.iter().find(|m| &m.id == wanted).map(|m| (g, m)));
            let (group, modifier) = found.ok_or_else(|| Error::UnknownModifier {
                product: product.id.clone(),
                modifier: wanted.clone(),
            })?;
            if !modifier.available {
                return Err(Error::ModifierUnavailable(modifier.id.clone()));
            }
            modifiers.push(ChosenModifier {
                group: group.id.clone(),
                id: modifier.id.clone(),
                name: modifier.name.clone(),
                price_delta: modifier.price_delta,
            });
        }
        for group in product.modifier_groups.iter().filter_map(|g| catalog.group(g)) {
            let chosen = modifiers.iter().filter(|m| m.group == group.id).count() as u32;
            if chosen < group.min {
                return Err(Error::TooFewModifiers {
                    group: group.id.clone(),
                    group_name: group.name.clone(),
                    min: group.min,
                    chosen,
                });
            }
            if chosen > group.max {
                return Err(Error::TooManyModifiers {
                    group: group.id.clone(),
                    group_name: group.name.clone(),
                    max: group.max,
                    chosen,
                });
            }
        }
        let line = Line {
            no: LineNo::new(self.next_line),
            product: product.id.clone(),
            sku: product.sku.clone(),
            name: product.name.clone(),
            variant,
            base_price,
            modifiers,
            quantity,
            note,
            course: req.course,
            seat: req.seat,
            vat: product.vat,
            station: product.station.clone(),
            discount: None,
            sent: false,
            void: None,
        };
        line.gross()?;
        Ok(line)
    }
}

fn clean_note(note: &Option<String>) -> Option<String> {
    note.as_ref().map(|n| n.trim().to_owned()).filter(|n| !n.is_empty())
}

fn trim_reason(mut d: Discount) -> Discount {
    d.reason = d.reason.trim().to_owned();
    d
}
