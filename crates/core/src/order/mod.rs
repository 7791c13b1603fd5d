//! Orders: their lines, the state machine of SPEC §4, and the events every change is recorded as.
//!
//! An [`Order`] changes only by applying [`OrderEvent`]s. [`Order::execute`] checks a command against the
//! order and the menu, and returns the events together with the order they produce — or an error and no
//! change at all. The store appends the events to the order's history (nothing is ever deleted) and keeps
//! the resulting order as a snapshot; replaying the history rebuilds the same order.

mod approval;
mod command;
mod event;
mod line;
mod replay;
mod state;
mod tender;

pub use approval::Needs as ApprovalRule;
pub use command::{Ctx, LineChange, LineRequest, OpenOrder, OrderCommand};
pub use event::OrderEvent;
pub use line::line_for;
pub use line::{ChosenModifier, ChosenVariant, Course, Discount, DiscountKind, Line, PriceOverride, Void};
pub use state::OrderState;
pub use tender::CashQuote;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::{
    allocate::{allocate, split_even},
    catalog::VatClass,
    ids::{DeviceId, LineNo, OrderId, PaymentId, RefundId, StaffId},
    payment::{PartRef, Payment, PaymentState, Refund},
    pricing::{self, Totals},
    rate::div_round_half_up,
    settings::ServiceChargePolicy,
    split::{split_bill, Part, Split, SplitBill},
    time::{BusinessDate, Timestamp},
    tips::{TipBase, TipChoice, TipOptions, TipPolicy},
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

/// One member of staff's share of an order's tips and service charge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GratuityShare {
    /// Who.
    pub staff: StaffId,
    /// Their share of the tips.
    pub tips: Minor,
    /// Their share of the service charge.
    pub service_charge: Minor,
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
    /// Shared with the order's copies: a command works on a copy, and copying an order copies pointers
    /// to its lines, not the lines; a line that changes is copied then (`Arc::make_mut`).
    lines: Vec<Arc<Line>>,
    discount: Option<Discount>,
    service_charge: ServiceCharge,
    payments: Vec<Payment>,
    #[serde(default)]
    refunds: Vec<Refund>,
    #[serde(default)]
    split: Option<Split>,
    #[serde(default)]
    splits: u32,
    #[serde(default)]
    servers: Vec<StaffId>,
    opened_by: StaffId,
    opened_at: Timestamp,
    updated_at: Timestamp,
    cancel_reason: Option<String>,
    /// When it was completed or cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    closed_at: Option<Timestamp>,
    version: u64,
    next_line: u32,
    /// The order's totals and split bill, worked out the first time they are asked for and kept until
    /// the order next changes, so a command prices its order once however many parts of it ask.
    #[serde(skip)]
    priced: PriceCache,
}

/// What pricing an order gave, kept with it. Two orders are equal whether or not either has been
/// priced yet, and a copy keeps what its original worked out (it is the same order).
#[derive(Clone, Default)]
struct PriceCache {
    totals: std::sync::OnceLock<Arc<Totals>>,
    bill: std::sync::OnceLock<Option<Arc<SplitBill>>>,
}

impl PartialEq for PriceCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for PriceCache {}

impl std::fmt::Debug for PriceCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PriceCache")
    }
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
    pub fn lines(&self) -> &[Arc<Line>] {
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
    /// Payments, in the order they were recorded (attempts that failed included).
    pub fn payments(&self) -> &[Payment] {
        &self.payments
    }
    /// Refunds, in the order they were recorded.
    pub fn refunds(&self) -> &[Refund] {
        &self.refunds
    }
    /// The split in force, if the bill is split.
    pub fn split(&self) -> Option<&Split> {
        self.split.as_ref()
    }
    /// The staff who served the order (they share its tips and service charge equally).
    pub fn servers(&self) -> &[StaffId] {
        &self.servers
    }
    /// A payment by id.
    pub fn payment(&self, id: PaymentId) -> Result<&Payment> {
        self.payments
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| Error::UnknownPayment(id.to_string()))
    }
    /// A refund by id.
    pub fn refund(&self, id: RefundId) -> Result<&Refund> {
        self.refunds
            .iter()
            .find(|r| r.id == id)
            .ok_or_else(|| Error::UnknownRefund(id.to_string()))
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
    /// When it was completed or cancelled, if it was.
    pub fn closed_at(&self) -> Option<Timestamp> {
        self.closed_at
    }

    /// Why it was cancelled.
    pub fn cancel_reason(&self) -> Option<&str> {
        self.cancel_reason.as_deref()
    }
    /// The number the next line added will have (line numbers are never reused, removed ones
    /// included).
    pub fn next_line(&self) -> LineNo {
        LineNo::new(self.next_line)
    }

    /// How many events made it: 1 after opening, one more per event.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Lines that count: not voided.
    pub fn live_lines(&self) -> impl Iterator<Item = &Line> {
        self.lines
            .iter()
            .map(AsRef::as_ref)
            .filter(|l: &&Line| l.void.is_none())
    }

    /// A line by number.
    pub fn line(&self, no: LineNo) -> Result<&Line> {
        self.lines
            .iter()
            .map(AsRef::as_ref)
            .find(|l: &&Line| l.no == no)
            .ok_or(Error::UnknownLine(no))
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
        self.priced().cloned()
    }

    /// The order's totals, priced by the rules in [`crate::pricing`] the first time they are asked for
    /// after a change and kept until the next one.
    pub fn priced(&self) -> Result<&Totals> {
        if let Some(totals) = self.priced.totals.get() {
            return Ok(totals);
        }
        let totals = Arc::new(pricing::price(self)?);
        Ok(self.priced.totals.get_or_init(|| totals))
    }

    /// What succeeded payments have settled.
    pub fn paid(&self) -> Result<Minor> {
        Minor::sum(self.payments.iter().filter(|p| p.counts()).map(|p| p.amount))
    }

    /// Total minus paid.
    pub fn balance(&self) -> Result<Minor> {
        self.priced()?.total.checked_sub(self.paid()?)
    }

    /// What attempts still waiting for their provider hold against the balance.
    pub fn in_flight(&self) -> Result<Minor> {
        Minor::sum(self.payments.iter().filter(|p| p.status.in_flight()).map(|p| p.amount))
    }

    /// Tips on succeeded payments.
    pub fn tips(&self) -> Result<Minor> {
        Minor::sum(self.payments.iter().filter(|p| p.counts()).map(|p| p.tip))
    }

    /// What succeeded refunds gave back.
    pub fn refunded(&self) -> Result<Minor> {
        Minor::sum(self.refunds.iter().filter(|r| r.counts()).map(|r| r.amount))
    }

    /// What can still be refunded on a payment: its amount less refunds that succeeded or are in progress.
    pub fn refundable(&self, payment: &Payment) -> Result<Minor> {
        if !payment.counts() {
            return Ok(Minor::ZERO);
        }
        let held = Minor::sum(
            self.refunds
                .iter()
                .filter(|r| r.payment == payment.id && (r.counts() || r.status.in_flight()))
                .map(|r| r.amount),
        )?;
        payment.amount.checked_sub(held)
    }

    /// Where the order's money stands.
    pub fn payment_state(&self) -> Result<PaymentState> {
        self.payment_state_of(self.priced()?)
    }

    /// [`Order::payment_state`], for a caller that has priced the order already (`totals` must be its
    /// [`Order::totals`]).
    pub fn payment_state_of(&self, totals: &Totals) -> Result<PaymentState> {
        let paid = self.paid()?;
        let refunded = self.refunded()?;
        Ok(if refunded.is_positive() {
            if refunded >= paid {
                PaymentState::Refunded
            } else {
                PaymentState::PartlyRefunded
            }
        } else if totals.total.checked_sub(paid)?.is_zero()
            && (paid.is_positive() || self.state == OrderState::Completed)
        {
            PaymentState::Paid
        } else if paid.is_positive() {
            PaymentState::PartlyPaid
        } else {
            PaymentState::Unpaid
        })
    }

    /// The split bill worked out against the current totals, if the bill is split.
    pub fn bill(&self) -> Result<Option<SplitBill>> {
        self.split_bill().map(Option::<&SplitBill>::cloned)
    }

    /// [`Order::bill`], worked out once per change of the order, like [`Order::priced`].
    pub fn split_bill(&self) -> Result<Option<&SplitBill>> {
        if let Some(bill) = self.priced.bill.get() {
            return Ok(bill.as_deref());
        }
        let bill = match &self.split {
            None => None,
            Some(split) => Some(Arc::new(split_bill(self.priced()?, split)?)),
        };
        Ok(self.priced.bill.get_or_init(|| bill).as_deref())
    }

    /// One part of the current split.
    pub fn part(&self, no: u32) -> Result<Part> {
        let bill = self.split_bill()?.ok_or(Error::UnknownPart(no))?;
        bill.parts
            .iter()
            .find(|p| p.no == no)
            .cloned()
            .ok_or(Error::UnknownPart(no))
    }

    /// Paid (succeeded) and held (in progress) on a part of the current split.
    pub fn part_payments(&self, no: u32) -> Result<(Minor, Minor)> {
        let Some(split) = &self.split else {
            return Ok((Minor::ZERO, Minor::ZERO));
        };
        let at = PartRef {
            split: split.seq,
            part: no,
        };
        let mine = || self.payments.iter().filter(move |p| p.part == Some(at));
        Ok((
            Minor::sum(mine().filter(|p| p.counts()).map(|p| p.amount))?,
            Minor::sum(mine().filter(|p| p.status.in_flight()).map(|p| p.amount))?,
        ))
    }

    /// What a new payment may settle: on a part of the split bill, or on the whole order, less what is
    /// paid and what attempts in progress hold. A split bill needs a part; an unsplit one refuses one.
    pub fn due_for(&self, part: Option<u32>) -> Result<(Option<PartRef>, Minor)> {
        match (&self.split, part) {
            (Some(split), Some(no)) => {
                let p = self.part(no)?;
                let (paid, held) = self.part_payments(no)?;
                let due = p.total.checked_sub(paid)?.checked_sub(held)?;
                Ok((
                    Some(PartRef {
                        split: split.seq,
                        part: no,
                    }),
                    due,
                ))
            }
            (Some(split), None) => Err(Error::PartRequired {
                parts: u32::try_from(split.plan.parts()).map_err(|_| Error::Overflow)?,
            }),
            (None, Some(no)) => Err(Error::UnknownPart(no)),
            (None, None) => Ok((None, self.balance()?.checked_sub(self.in_flight()?)?)),
        }
    }

    /// The tip for a guest's choice on a payment of `amount`, on the whole bill or on one part, by the
    /// restaurant's tip settings. The tip base is the food and drink (after or before discounts, never
    /// the service charge) of the bill or part; a payment of only some of it takes the same share of the
    /// base (`base × amount / total`, rounded half up), so a guest paying £10 of a £50 bill tips on £10's
    /// worth, and the tips of several payments add up to the tip on the whole.
    pub fn tip_for(&self, policy: &TipPolicy, choice: TipChoice, part: Option<u32>, amount: Minor) -> Result<Minor> {
        let base = self.tip_base(policy.base, part, amount)?;
        policy.tip(choice, base, base)
    }

    /// What a percentage tip is taken of on a payment of `amount`, on the whole bill or on one part: the
    /// food and drink after or before discounts (`base`), never the service charge, or the payment's
    /// share of it (see [`Order::tip_for`]).
    pub fn tip_base(&self, base: TipBase, part: Option<u32>, amount: Minor) -> Result<Minor> {
        let (before, after, total) = if let Some(no) = part {
            let p = self.part(no)?;
            (p.gross, p.gross.checked_sub(p.discount)?, p.total)
        } else {
            let t = self.priced()?;
            (t.subtotal, t.after_discounts, t.total)
        };
        let whole = match base {
            TipBase::AfterDiscounts => after,
            TipBase::BeforeDiscounts => before,
        };
        if !total.is_positive() || amount >= total || amount.is_negative() {
            return Ok(whole);
        }
        crate::rate::to_minor(div_round_half_up(
            i128::from(whole.get()) * i128::from(amount.get()),
            i128::from(total.get()),
        ))
    }

    /// The tip prompt for a payment of `amount`: the base, and what each of the restaurant's presets adds
    /// on it (none when tips are off). The UI shows these; it never works a tip out itself.
    pub fn tip_options(&self, policy: &TipPolicy, part: Option<u32>, amount: Minor) -> Result<TipOptions> {
        let base = self.tip_base(policy.base, part, amount)?;
        let presets = if policy.enabled {
            policy
                .presets
                .iter()
                .map(|&rate| Ok((rate, policy.tip(TipChoice::Percent { rate }, base, base)?)))
                .collect::<Result<_>>()?
        } else {
            Vec::new()
        };
        Ok(TipOptions { base, presets })
    }

    /// A line's amount after discounts together with its share of the service charge: what refunding all
    /// of it gives back.
    pub fn line_refund_value(&self, no: LineNo) -> Result<Minor> {
        let totals = self.priced()?;
        let index = totals
            .lines
            .iter()
            .position(|l| l.line == no)
            .ok_or(Error::UnknownLine(no))?;
        let sc = if totals.service_charge.is_zero() {
            Minor::ZERO
        } else {
            let nets: Vec<Minor> = totals.lines.iter().map(|l| l.net).collect();
            allocate(totals.service_charge, &nets)?[index]
        };
        totals.lines[index].net.checked_add(sc)
    }

    /// What refunding `quantity` more of a line gives back: its share of the line's value, rounded half
    /// up, and exactly what is left of it when the last of the line is refunded.
    pub fn line_refund_amount(&self, no: LineNo, quantity: u32) -> Result<Minor> {
        let line = self.line(no)?;
        if line.void.is_some() {
            return Err(Error::LineVoid(no));
        }
        let (done_qty, done_amount) = self.line_refunded(no)?;
        let left = line.quantity.saturating_sub(done_qty);
        if quantity == 0 || quantity > left {
            return Err(Error::InvalidField {
                field: "quantity",
                reason: format!("line {no}: {left} left to refund"),
            });
        }
        let value = self.line_refund_value(no)?;
        if quantity == left {
            return value.checked_sub(done_amount);
        }
        let share = div_round_half_up(
            i128::from(value.get()) * i128::from(quantity),
            i128::from(line.quantity),
        );
        crate::rate::to_minor(share)
    }

    /// How much of a line refunds that succeeded or are in progress gave back: quantity and amount.
    pub fn line_refunded(&self, no: LineNo) -> Result<(u32, Minor)> {
        let mut qty = 0u32;
        let mut amount = Minor::ZERO;
        for r in self.refunds.iter().filter(|r| r.counts() || r.status.in_flight()) {
            for l in r.lines.iter().filter(|l| l.line == no) {
                qty = qty.saturating_add(l.quantity);
                amount = amount.checked_add(l.amount)?;
            }
        }
        Ok((qty, amount))
    }

    /// How the order's tips and service charge are attributed: equal shares to each member of staff
    /// who served it (largest remainder, extra pennies to the first named), so the tips report is built
    /// from stored facts. Tips count from succeeded payments; the service charge is the order's.
    pub fn gratuity(&self) -> Result<Vec<GratuityShare>> {
        self.gratuity_of(self.priced()?)
    }

    /// [`Order::gratuity`], for a caller that has priced the order already (`totals` must be its
    /// [`Order::totals`]).
    pub fn gratuity_of(&self, totals: &Totals) -> Result<Vec<GratuityShare>> {
        let servers: Vec<StaffId> = if self.servers.is_empty() {
            vec![self.opened_by.clone()]
        } else {
            self.servers.clone()
        };
        let tips = split_even(self.tips()?, servers.len())?;
        let sc = split_even(totals.service_charge, servers.len())?;
        Ok(servers
            .into_iter()
            .zip(tips.into_iter().zip(sc))
            .map(|(staff, (tips, service_charge))| GratuityShare {
                staff,
                tips,
                service_charge,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests;
