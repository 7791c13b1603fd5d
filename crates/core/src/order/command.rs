//! Commands on an order and the checks that turn them into events. A refused command changes nothing:
//! every command is tried on a copy of the order, the copy is priced and checked, and only then are the
//! events handed back.
//!
//! Why it is over 600 lines: `decide` is the one match over every order command, kept whole so each
//! command's checks read in one place; payments and refunds are in `tender`, line building in `line`.

use serde::{Deserialize, Serialize};

use super::{
    line::{check_note, check_quantity, check_reason, check_seat, clean_note, line_for},
    tender::Asked,
    Course, Discount, Line, Order, OrderEvent, OrderKind, OrderState,
};
use crate::{
    catalog::Catalog,
    fees::FeeSchedule,
    ids::{DeviceId, LineNo, ModifierId, OrderId, PaymentId, ProductId, RefundId, StaffId, VariantId},
    payment::{PaymentStatus, Tender},
    permission::{Permission, Permissions},
    settings::{ApprovalPolicy, ServiceChargePolicy},
    split::{Split, SplitPlan},
    time::{BusinessDate, Timestamp},
    Currency, Error, Minor, Result,
};

/// Who does a command, and when, and which manager (if any) approved it. Handed in: the core never
/// reads a clock or checks a PIN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ctx {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub staff: StaffId,
    /// The manager who approved this command: the member of staff themselves when they are a manager,
    /// or a manager whose PIN the front door checked.
    pub approver: Option<StaffId>,
    /// What the approver may approve (their role's permissions); nothing when there is no approver.
    pub grants: Permissions,
    /// What needs approval.
    pub approvals: ApprovalPolicy,
}

impl Ctx {
    /// A command by `staff` at `at`, with no approval and the default approval rules.
    pub fn new(at: Timestamp, staff: StaffId) -> Ctx {
        Ctx {
            at,
            staff,
            approver: None,
            grants: Permissions::NONE,
            approvals: ApprovalPolicy::default(),
        }
    }

    /// The approver of something that needs `permission`: there must be one, and their role must hold it.
    pub(super) fn approved(&self, permission: Permission, what: &'static str) -> Result<StaffId> {
        match &self.approver {
            Some(by) if self.grants.has(permission) => Ok(by.clone()),
            Some(_) => Err(Error::NotPermitted(permission)),
            None => Err(Error::ApprovalRequired(what)),
        }
    }
}

/// Everything needed to open an order; the id and number are made by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenOrder {
    /// A new `UUIDv7`.
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
    /// Set a line's unit price by hand, or go back to the menu's (always with a manager's approval).
    OverridePrice {
        /// Which line.
        line: LineNo,
        /// The VAT-inclusive unit price, or none to go back to the menu's.
        unit_price: Option<Minor>,
        /// Why (required when setting one).
        reason: Option<String>,
    },
    /// Remove the service charge (a reason is required) or restore it.
    SetServiceCharge {
        /// Charge it?
        enabled: bool,
        /// Why it was removed.
        reason: Option<String>,
    },
    /// Switch dine-in/takeaway or move table.
    SetKind {
        /// The new kind.
        kind: OrderKind,
        /// Why, required when the switch stops the service charge being charged.
        reason: Option<String>,
    },
    /// Send unsent lines to the kitchen.
    SendToKitchen,
    /// Kitchen progress: preparing, ready, served.
    SetStatus(OrderState),
    /// Park in the open-orders list.
    Park,
    /// Take back from the open-orders list.
    Resume,
    /// Take cash; change is given for anything over what is due, and the order completes when it is
    /// settled. A tip may be kept from the cash handed over (the guest says "keep the change").
    TakeCash {
        /// A new payment id.
        payment: PaymentId,
        /// What the guest handed over.
        tendered: Minor,
        /// The tip kept from it.
        tip: Minor,
        /// The part of a split bill it pays.
        part: Option<u32>,
    },
    /// Record a card or pay-by-bank attempt, pending, before the provider is called.
    StartPayment {
        /// A new payment id.
        payment: PaymentId,
        /// A new idempotency key for the provider.
        key: String,
        /// Card or pay-by-bank.
        tender: Tender,
        /// What it settles of the bill (at most what is due).
        amount: Minor,
        /// The tip on top.
        tip: Minor,
        /// The fee passed to the guest (only where surcharging is allowed: never in GBP).
        surcharge: Minor,
        /// The part of a split bill it pays.
        part: Option<u32>,
    },
    /// Record what the provider said about an attempt.
    UpdatePayment {
        /// Which.
        payment: PaymentId,
        /// Its new state.
        status: PaymentStatus,
        /// The provider's id for it.
        provider_ref: Option<String>,
        /// Why it failed, or what the provider waits for.
        note: Option<String>,
        /// The fee schedule, to record what a success cost.
        fees: FeeSchedule,
    },
    /// Split the bill (or clear the split).
    SetSplit(Option<SplitPlan>),
    /// Say who served the order (they share its tips and service charge).
    SetServers(Vec<StaffId>),
    /// Give money back on a payment of a completed order, by lines or by amount (manager approval).
    StartRefund {
        /// A new refund id.
        refund: RefundId,
        /// A new idempotency key for the provider.
        key: String,
        /// The payment refunded.
        payment: PaymentId,
        /// An amount, or none when refunding by lines.
        amount: Option<Minor>,
        /// Lines and quantities, or empty when refunding by amount.
        lines: Vec<(LineNo, u32)>,
        /// Why.
        reason: String,
    },
    /// Record what the provider said about a refund.
    UpdateRefund {
        /// Which.
        refund: RefundId,
        /// Its new state.
        status: PaymentStatus,
        /// The provider's id for it.
        provider_ref: Option<String>,
        /// Why it failed.
        note: Option<String>,
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

    /// Gives the order another number for its day (only `fynlo repair` does, for an order whose number
    /// another order already had). Closed orders too: the number is what finds them.
    pub fn renumber(&self, number: u32, reason: &str, at: Timestamp) -> Result<(Order, OrderEvent)> {
        if number == 0 {
            return Err(Error::InvalidField {
                field: "number",
                reason: "order numbers start at 1".into(),
            });
        }
        check_reason(reason)?;
        let event = OrderEvent::Renumbered {
            number,
            reason: reason.trim().to_owned(),
        };
        let mut next = self.clone();
        next.apply(&event, at);
        Ok((next, event))
    }

    /// Checks a command and returns the order it produces with the events that record it.
    /// On any error the order is untouched and no event exists.
    pub fn execute(&self, cmd: &OrderCommand, catalog: &Catalog, ctx: &Ctx) -> Result<(Order, Vec<OrderEvent>)> {
        let refund = matches!(
            cmd,
            OrderCommand::StartRefund { .. } | OrderCommand::UpdateRefund { .. }
        );
        if self.state.is_closed() && !(refund && self.state == OrderState::Completed) {
            return Err(Error::OrderClosed(self.state));
        }
        let mut events = self.decide(cmd, catalog, ctx)?;
        let provider_said = matches!(
            cmd,
            OrderCommand::UpdatePayment { .. } | OrderCommand::UpdateRefund { .. }
        );
        let changes = self.version.saturating_add(events.len() as u64);
        if changes > crate::limits::MAX_CHANGES && !provider_said {
            return Err(Error::OverLimit {
                what: "the number of changes to one order",
                max: i64::try_from(crate::limits::MAX_CHANGES).unwrap_or(i64::MAX),
            });
        }
        let mut next = self.clone();
        for event in &events {
            next.apply(event, ctx.at);
        }
        // A payment that settles the balance completes the order.
        let pays = matches!(cmd, OrderCommand::TakeCash { .. } | OrderCommand::UpdatePayment { .. });
        if pays && !next.state.is_closed() && next.balance()?.is_zero() && next.live_lines().next().is_some() {
            let done = OrderEvent::Completed;
            next.apply(&done, ctx.at);
            events.push(done);
        }
        // The approval rules hold for the order as it now is, whichever command brought it here.
        let needs = super::approval::needs(self, &next, ctx.approvals)?;
        if let Some(first) = needs.first() {
            let by = ctx.approved(Permission::Discount, first.what())?;
            if !events.iter().any(|e| e.approved_by() == Some(&by)) {
                let approved = OrderEvent::Approved { by, rules: needs };
                next.apply(&approved, ctx.at);
                events.push(approved);
            }
        }
        next.check()?;
        Ok((next, events))
    }

    /// Invariants every order keeps: it prices without error; its total never falls below what was
    /// paid and what attempts in progress hold; refunds never exceed what was paid on their payment.
    fn check(&self) -> Result<()> {
        let totals = self.priced()?;
        let paid = self.paid()?;
        if totals.total < paid {
            return Err(Error::TotalBelowPaid { paid: paid.get() });
        }
        let held = self.in_flight()?;
        if held.is_positive() && totals.total < paid.checked_add(held)? {
            return Err(Error::PaymentInFlight { amount: held.get() });
        }
        for p in &self.payments {
            if self.refundable(p)?.is_negative() {
                return Err(Error::RefundTooLarge { max: 0 });
            }
        }
        self.split_bill()?;
        Ok(())
    }

    fn decide(&self, cmd: &OrderCommand, catalog: &Catalog, ctx: &Ctx) -> Result<Vec<OrderEvent>> {
        Ok(match cmd {
            OrderCommand::AddLine(req) => {
                if self.lines.len() >= crate::limits::MAX_LINES {
                    return Err(Error::OverLimit {
                        what: "the number of lines on an order",
                        max: i64::try_from(crate::limits::MAX_LINES).unwrap_or(i64::MAX),
                    });
                }
                vec![OrderEvent::LineAdded {
                    line: self.build_line(req, catalog)?,
                }]
            }
            OrderCommand::ChangeLine { line, change } => {
                let mut updated = self.unsent_line(*line)?.clone();
                if let Some(q) = change.quantity {
                    updated.quantity = check_quantity(q)?;
                }
                if let Some(note) = &change.note {
                    updated.note = clean_note(note.as_deref());
                    check_note(updated.note.as_deref())?;
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
                let approved_by = Some(ctx.approved(Permission::Void, "voiding a line sent to the kitchen")?);
                vec![OrderEvent::LineVoided {
                    line: *line,
                    reason: reason.trim().to_owned(),
                    by: ctx.staff.clone(),
                    approved_by,
                }]
            }
            OrderCommand::SetLineDiscount { line, discount } => {
                let found = self.line(*line)?;
                if found.void.is_some() {
                    return Err(Error::LineVoid(*line));
                }
                if let Some(d) = discount {
                    d.validate()?;
                    // A discount that cannot apply at all is refused as such, before approval.
                    d.of(found.gross()?)?;
                }
                vec![OrderEvent::LineDiscountSet {
                    line: *line,
                    discount: discount.clone().map(trim_reason),
                    approved_by: ctx.approver.clone(),
                }]
            }
            OrderCommand::OverridePrice {
                line,
                unit_price,
                reason,
            } => {
                if self.line(*line)?.void.is_some() {
                    return Err(Error::LineVoid(*line));
                }
                let approved_by = ctx.approved(Permission::OverridePrice, "a price override")?;
                let price = match unit_price {
                    None => None,
                    Some(price) => {
                        if price.is_negative() || *price > super::line::MAX_OVERRIDE {
                            return Err(Error::InvalidField {
                                field: "unit_price",
                                reason: "must be 0 to 10000000 (£100,000)".into(),
                            });
                        }
                        let reason = reason.as_deref().unwrap_or("");
                        check_reason(reason)?;
                        Some(super::PriceOverride {
                            unit_price: *price,
                            reason: reason.trim().to_owned(),
                            by: ctx.staff.clone(),
                            approved_by,
                        })
                    }
                };
                vec![OrderEvent::PriceOverridden { line: *line, price }]
            }
            OrderCommand::SetOrderDiscount(discount) => {
                if let Some(d) = discount {
                    d.validate()?;
                    let totals = self.priced()?;
                    d.of(totals.subtotal.checked_sub(totals.line_discounts)?)?;
                }
                vec![OrderEvent::OrderDiscountSet {
                    discount: discount.clone().map(trim_reason),
                    approved_by: ctx.approver.clone(),
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
                vec![OrderEvent::ServiceChargeSet {
                    removed,
                    approved_by: ctx.approver.clone(),
                }]
            }
            OrderCommand::SetKind { kind, reason } => {
                kind.validate()?;
                // A switch that stops the service charge is a removal of it: it needs a reason (and, by
                // the approval rules, a manager).
                let drops_charge = self.service_charge.applies(&self.kind) && !self.service_charge.applies(kind);
                let reason = if drops_charge {
                    let reason = reason.as_deref().unwrap_or("");
                    check_reason(reason)?;
                    Some(reason.trim().to_owned())
                } else {
                    None
                };
                vec![OrderEvent::KindChanged {
                    kind: kind.clone(),
                    reason,
                }]
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
            OrderCommand::TakeCash {
                payment,
                tendered,
                tip,
                part,
            } => vec![self.take_cash(*payment, *tendered, *tip, *part, ctx)?],
            OrderCommand::StartPayment {
                payment,
                key,
                tender,
                amount,
                tip,
                surcharge,
                part,
            } => {
                let asked = Asked {
                    amount: *amount,
                    tip: *tip,
                    surcharge: *surcharge,
                };
                vec![self.start_payment(*payment, key, *tender, asked, *part, ctx)?]
            }
            OrderCommand::UpdatePayment {
                payment,
                status,
                provider_ref,
                note,
                fees,
            } => vec![self.update_payment(*payment, *status, provider_ref.as_deref(), note.as_deref(), fees)?],
            OrderCommand::SetSplit(plan) => match plan {
                None => vec![OrderEvent::SplitSet { split: None }],
                Some(plan) => {
                    if self.live_lines().next().is_none() {
                        return Err(Error::OrderEmpty);
                    }
                    let held = self.in_flight()?;
                    if held.is_positive() {
                        return Err(Error::PaymentInFlight { amount: held.get() });
                    }
                    let split = Split {
                        seq: self.splits.checked_add(1).ok_or(Error::Overflow)?,
                        plan: plan.clone(),
                        settled: self.paid()?,
                    };
                    crate::split::split_bill(self.priced()?, &split)?;
                    vec![OrderEvent::SplitSet { split: Some(split) }]
                }
            },
            OrderCommand::SetServers(servers) => {
                if servers.is_empty() || servers.len() > 10 {
                    return Err(Error::InvalidField {
                        field: "servers",
                        reason: "name 1 to 10 members of staff".into(),
                    });
                }
                if servers.iter().enumerate().any(|(i, s)| servers[..i].contains(s)) {
                    return Err(Error::InvalidField {
                        field: "servers",
                        reason: "each member of staff once".into(),
                    });
                }
                vec![OrderEvent::ServersSet {
                    servers: servers.clone(),
                }]
            }
            OrderCommand::StartRefund {
                refund,
                key,
                payment,
                amount,
                lines,
                reason,
            } => vec![OrderEvent::RefundStarted {
                refund: self.build_refund(*refund, key, *payment, *amount, lines, reason, ctx)?,
            }],
            OrderCommand::UpdateRefund {
                refund,
                status,
                provider_ref,
                note,
            } => vec![self.update_refund(*refund, *status, provider_ref.as_deref(), note.as_deref())?],
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
                let held = self.in_flight()?;
                if held.is_positive() {
                    return Err(Error::PaymentInFlight { amount: held.get() });
                }
                check_reason(reason)?;
                // Cancelling what the kitchen has seen voids it: the void rule applies.
                let approved_by = if self.live_lines().any(|l| l.sent) {
                    Some(ctx.approved(Permission::Void, "cancelling an order the kitchen has seen")?)
                } else {
                    None
                };
                vec![OrderEvent::Cancelled {
                    reason: reason.trim().to_owned(),
                    approved_by,
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
        line_for(req, catalog, LineNo::new(self.next_line))
    }
}

fn trim_reason(mut d: Discount) -> Discount {
    d.reason = d.reason.trim().to_owned();
    d
}
