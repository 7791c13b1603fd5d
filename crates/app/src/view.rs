//! What the command set answers with: transport types (DTOs) made from domain types at the boundary.
//! Amounts are integer minor units (`Amount` in TypeScript); times are milliseconds since the epoch.

use fynlo_core::{
    catalog::VatClass,
    fees::{Fee, FeeQuote},
    order::{Discount, DiscountKind, Line, Order, OrderKind},
    payment::{Payment, Refund},
    pricing::{Totals, VatTotal},
    settings::ServiceChargeKind,
    split::{Part, SplitPlan},
    staff::Staff,
    Result as CoreResult,
};
use fynlo_store::HistoryEntry;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

mod menu;
pub use menu::{CategoryView, MenuView, ModifierGroupView, ModifierView, ProductView, TipsView, VariantView};

/// An amount in integer minor units (pence). Always an integer; never a float.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(transparent)]
#[ts(type = "number")]
pub struct Amount(pub i64);

impl From<fynlo_core::Minor> for Amount {
    fn from(m: fynlo_core::Minor) -> Self {
        Amount(m.get())
    }
}

/// The answer to a command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reply {
    /// The member of staff logged in (or null after logout).
    Session(SessionView),
    /// An order.
    Order(Box<OrderView>),
    /// Open orders.
    Orders(OrdersView),
    /// The restaurant and menu.
    Menu(MenuView),
    /// An order's history.
    History(HistoryView),
    /// What each payment method would cost.
    FeeQuote(FeeQuoteView),
    /// Payment attempts resumed or abandoned.
    Recovered(RecoveryView),
}

/// What each payment method would cost the restaurant on one charge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FeeQuoteView {
    /// The charge.
    pub amount: Amount,
    /// One row per method.
    pub methods: Vec<FeeRowView>,
    /// Card fee less pay-by-bank fee.
    pub pay_by_bank_saves: Amount,
    /// The guest pays the fee (never for GBP).
    pub customer_pays_fee: bool,
}

/// One method's fee.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FeeRowView {
    /// cash, card or pay_by_bank.
    pub tender: String,
    /// The processor's part.
    pub processing: Amount,
    /// The platform's part.
    pub platform: Amount,
    /// Both.
    pub total: Amount,
}

impl FeeQuoteView {
    /// Builds the view of a quote.
    pub fn new(q: &FeeQuote, customer_pays_fee: bool) -> CoreResult<FeeQuoteView> {
        Ok(FeeQuoteView {
            amount: q.amount.into(),
            methods: q
                .methods
                .iter()
                .map(|(t, f)| {
                    Ok(FeeRowView {
                        tender: t.as_str().into(),
                        processing: f.processing.into(),
                        platform: f.platform.into(),
                        total: f.total()?.into(),
                    })
                })
                .collect::<CoreResult<_>>()?,
            pay_by_bank_saves: q.pay_by_bank_saves.into(),
            customer_pays_fee,
        })
    }
}

/// What `recover_payments` did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RecoveryView {
    /// One row per attempt looked at.
    pub attempts: Vec<RecoveredView>,
}

/// One attempt looked at on recovery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RecoveredView {
    /// The order.
    pub order: String,
    /// The payment or refund id.
    pub id: String,
    /// payment or refund.
    pub kind: String,
    /// Its state now.
    pub status: String,
    /// What was found.
    pub note: String,
}

/// Who is logged in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionView {
    /// The member of staff, if anyone is logged in.
    pub staff: Option<StaffView>,
    /// The current order's id, if any.
    pub current_order: Option<String>,
}

/// A member of staff (never their PIN hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StaffView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Role: cashier, supervisor, manager or owner.
    pub role: String,
}

impl From<&Staff> for StaffView {
    fn from(s: &Staff) -> Self {
        StaffView {
            id: s.id.to_string(),
            name: s.name.clone(),
            role: s.role.as_str().into(),
        }
    }
}

/// A discount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DiscountView {
    /// "percent" or "fixed".
    pub kind: String,
    /// The rate in basis points, for percent discounts.
    pub rate_bp: Option<u32>,
    /// The amount, for fixed discounts.
    pub amount: Option<Amount>,
    /// Why.
    pub reason: String,
}

impl From<&Discount> for DiscountView {
    fn from(d: &Discount) -> Self {
        match d.kind {
            DiscountKind::Percent { rate } => DiscountView {
                kind: "percent".into(),
                rate_bp: Some(rate.get()),
                amount: None,
                reason: d.reason.clone(),
            },
            DiscountKind::Fixed { amount } => DiscountView {
                kind: "fixed".into(),
                rate_bp: None,
                amount: Some(amount.into()),
                reason: d.reason.clone(),
            },
        }
    }
}

/// A chosen modifier on a line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LineModifierView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Price delta per unit.
    pub price_delta: Amount,
}

/// A void.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VoidView {
    /// Why.
    pub reason: String,
    /// Who.
    pub by: String,
    /// When (ms since epoch).
    #[ts(type = "number")]
    pub at: i64,
}

/// A line with its prices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LineView {
    /// Line number.
    pub no: u32,
    /// Product id.
    pub product: String,
    /// SKU.
    pub sku: String,
    /// Product name.
    pub name: String,
    /// Variant id and name.
    pub variant: Option<VariantChoiceView>,
    /// Modifiers.
    pub modifiers: Vec<LineModifierView>,
    /// Quantity.
    pub quantity: u32,
    /// Unit price with modifiers.
    pub unit_price: Amount,
    /// Kitchen note.
    pub note: Option<String>,
    /// Course.
    pub course: Option<String>,
    /// Seat.
    pub seat: Option<u32>,
    /// VAT class on this order: standard, reduced or zero.
    pub vat_class: String,
    /// Kitchen station.
    pub station: String,
    /// Line discount.
    pub discount: Option<DiscountView>,
    /// A manager's price, replacing the menu's unit price.
    pub price_override: Option<PriceOverrideView>,
    /// Sent to the kitchen.
    pub sent: bool,
    /// Set when void.
    pub void: Option<VoidView>,
    /// Quantity × unit price (zero when void).
    pub gross: Amount,
    /// Line discount amount.
    pub line_discount: Amount,
    /// Share of the order discount.
    pub order_discount: Amount,
    /// After both discounts.
    pub net: Amount,
}

/// A manager's price on a line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PriceOverrideView {
    /// The unit price charged.
    pub unit_price: Amount,
    /// Why.
    pub reason: String,
    /// Who set it.
    pub by: String,
    /// The manager who approved it.
    pub approved_by: String,
}

/// A chosen variant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VariantChoiceView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// VAT at one rate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VatView {
    /// standard, reduced or zero.
    pub class: String,
    /// Rate in basis points.
    pub rate_bp: u32,
    /// VAT-inclusive amount at this rate.
    pub gross: Amount,
    /// VAT.
    pub vat: Amount,
    /// Gross less VAT.
    pub net: Amount,
}

/// An order's totals and balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TotalsView {
    /// Sum of line grosses.
    pub subtotal: Amount,
    /// Sum of line discounts.
    pub line_discounts: Amount,
    /// The order discount.
    pub order_discount: Amount,
    /// After all discounts.
    pub after_discounts: Amount,
    /// Service charge.
    pub service_charge: Amount,
    /// VAT by rate.
    pub vat: Vec<VatView>,
    /// Sum of VAT.
    pub vat_total: Amount,
    /// What the guest owes (before tips).
    pub total: Amount,
    /// Paid so far.
    pub paid: Amount,
    /// Still due.
    pub balance: Amount,
}

/// The order's service charge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ServiceChargeView {
    /// Rate in basis points.
    pub rate_bp: u32,
    /// discretionary or compulsory.
    pub kind: String,
    /// Is it charged on this order now?
    pub applies: bool,
    /// Why it was removed, if it was.
    pub removed_reason: Option<String>,
}

/// A payment attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PaymentView {
    /// Id.
    pub id: String,
    /// cash, card or pay_by_bank.
    pub tender: String,
    /// pending, authorized, succeeded, failed or cancelled.
    pub status: String,
    /// Applied to the bill.
    pub amount: Amount,
    /// The tip on top.
    pub tip: Amount,
    /// The fee passed to the guest (never in GBP).
    pub surcharge: Amount,
    /// Handed over (cash) or charged (amount + tip + surcharge).
    pub tendered: Amount,
    /// Change given.
    pub change: Amount,
    /// What it cost the restaurant (processing + platform), once succeeded.
    pub fee: Amount,
    /// The part of the split bill it pays.
    pub part: Option<u32>,
    /// The provider's id.
    pub provider_ref: Option<String>,
    /// Why it failed, or what the provider waits for.
    pub note: Option<String>,
    /// What can still be refunded on it.
    pub refundable: Amount,
    /// Who took it.
    pub staff: String,
    /// When (ms since epoch).
    #[ts(type = "number")]
    pub at: i64,
}

/// An order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OrderView {
    /// Id (UUIDv7).
    pub id: String,
    /// Alias given in this session, if any.
    pub alias: Option<String>,
    /// Number for the day on this device.
    pub number: u32,
    /// Business day.
    pub business_date: String,
    /// pending, confirmed, preparing, ready, served, completed, cancelled.
    pub state: String,
    /// dine_in or takeaway.
    pub kind: String,
    /// Table, for dine-in.
    pub table: Option<String>,
    /// Covers, for dine-in.
    pub covers: Option<u32>,
    /// Parked.
    pub parked: bool,
    /// ISO currency code.
    pub currency: String,
    /// Lines, voided ones included.
    pub lines: Vec<LineView>,
    /// Order discount.
    pub discount: Option<DiscountView>,
    /// Service charge.
    pub service_charge: ServiceChargeView,
    /// Totals.
    pub totals: TotalsView,
    /// Payment attempts, failed ones included.
    pub payments: Vec<PaymentView>,
    /// Refunds.
    pub refunds: Vec<RefundView>,
    /// unpaid, partly_paid, paid, partly_refunded or refunded.
    pub payment_state: String,
    /// Tips on succeeded payments.
    pub tips: Amount,
    /// Refunded so far.
    pub refunded: Amount,
    /// Held by attempts waiting for their provider.
    pub in_flight: Amount,
    /// The split bill, if split.
    pub split: Option<SplitView>,
    /// Who served it (they share tips and service charge).
    pub servers: Vec<GratuityView>,
    /// Who opened it.
    pub opened_by: String,
    /// When (ms since epoch).
    #[ts(type = "number")]
    pub opened_at: i64,
    /// Last change (ms since epoch).
    #[ts(type = "number")]
    pub updated_at: i64,
    /// Number of recorded changes.
    #[ts(type = "number")]
    pub version: u64,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// True when every change to this order is saved in the database. Edits to an order being built are
    /// saved together at the next payment, kitchen send, park, switch of order or logout.
    pub saved: bool,
}

/// A refund.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RefundView {
    /// Id.
    pub id: String,
    /// The payment refunded.
    pub payment: String,
    /// Its tender.
    pub tender: String,
    /// pending, succeeded or failed.
    pub status: String,
    /// How much.
    pub amount: Amount,
    /// Lines given back (line number and quantity).
    pub lines: Vec<RefundLineView>,
    /// Why.
    pub reason: String,
    /// Who.
    pub staff: String,
    /// The manager who approved it.
    pub approved_by: String,
    /// When (ms since epoch).
    #[ts(type = "number")]
    pub at: i64,
}

/// A line given back in a refund.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RefundLineView {
    /// Line number.
    pub line: u32,
    /// How many.
    pub quantity: u32,
    /// Its amount.
    pub amount: Amount,
}

/// A member of staff's share of the order's tips and service charge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GratuityView {
    /// Staff id.
    pub staff: String,
    /// Share of tips.
    pub tips: Amount,
    /// Share of service charge.
    pub service_charge: Amount,
}

/// A split bill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SplitView {
    /// even, by_amount or by_item.
    pub method: String,
    /// Already paid when the split was made.
    pub settled: Amount,
    /// The parts.
    pub parts: Vec<PartView>,
}

/// One part of a split bill, with everything its receipt needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PartView {
    /// 1, 2, 3…
    pub no: u32,
    /// Its share of each line.
    pub lines: Vec<PartLineView>,
    /// Before discounts.
    pub gross: Amount,
    /// Its share of discounts.
    pub discount: Amount,
    /// Its share of service charge.
    pub service_charge: Amount,
    /// Its share of VAT by rate.
    pub vat: Vec<VatView>,
    /// What it owes.
    pub total: Amount,
    /// Paid on it.
    pub paid: Amount,
    /// Held by attempts in progress on it.
    pub in_flight: Amount,
    /// Still due on it.
    pub due: Amount,
    /// Tips on it.
    pub tips: Amount,
}

/// A part's share of one line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PartLineView {
    /// Line number.
    pub line: u32,
    /// This part's weight of it…
    #[ts(type = "number")]
    pub weight: u64,
    /// …out of this.
    #[ts(type = "number")]
    pub of: u64,
    /// Before discounts.
    pub gross: Amount,
    /// Discount share.
    pub discount: Amount,
    /// After discounts.
    pub net: Amount,
    /// Service charge share.
    pub service_charge: Amount,
}

fn vat_view(v: &VatTotal) -> VatView {
    VatView {
        class: vat_name(v.class),
        rate_bp: v.rate.get(),
        gross: v.gross.into(),
        vat: v.vat.into(),
        net: v.net.into(),
    }
}

fn part_view(order: &Order, p: &Part) -> CoreResult<PartView> {
    let (paid, held) = order.part_payments(p.no)?;
    let tips = fynlo_core::Minor::sum(
        order
            .payments()
            .iter()
            .filter(|x| {
                x.counts()
                    && x.part.map(|r| r.part) == Some(p.no)
                    && order.split().map(|s| s.seq) == x.part.map(|r| r.split)
            })
            .map(|x| x.tip),
    )?;
    Ok(PartView {
        no: p.no,
        lines: p
            .lines
            .iter()
            .map(|l| PartLineView {
                line: l.line.get(),
                weight: l.weight,
                of: l.of,
                gross: l.gross.into(),
                discount: l.discount.into(),
                net: l.net.into(),
                service_charge: l.service_charge.into(),
            })
            .collect(),
        gross: p.gross.into(),
        discount: p.discount.into(),
        service_charge: p.service_charge.into(),
        vat: p.vat.iter().map(vat_view).collect(),
        total: p.total.into(),
        paid: paid.into(),
        in_flight: held.into(),
        due: p.total.checked_sub(paid)?.checked_sub(held)?.into(),
        tips: tips.into(),
    })
}

/// Open orders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OrdersView {
    /// Oldest first.
    pub orders: Vec<OrderView>,
}

/// One entry of an order's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HistoryEntryView {
    /// The order's version after it.
    #[ts(type = "number")]
    pub version: u64,
    /// The event's type (e.g. `order.line_added`).
    pub op_type: String,
    /// The event as recorded.
    #[ts(type = "unknown")]
    pub event: serde_json::Value,
    /// Who.
    pub staff: String,
    /// When (ms since epoch).
    #[ts(type = "number")]
    pub at: i64,
}

/// An order's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HistoryView {
    /// The order.
    pub order: String,
    /// Oldest first.
    pub entries: Vec<HistoryEntryView>,
}

pub(crate) fn text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

pub(crate) fn vat_name(class: VatClass) -> String {
    class.as_str().into()
}

impl OrderView {
    /// Builds the view of an order, pricing it.
    pub fn new(order: &Order, alias: Option<String>, saved: bool) -> CoreResult<OrderView> {
        let totals: Totals = order.totals()?;
        let paid = order.paid()?;
        let (kind, table, covers) = match order.kind() {
            OrderKind::DineIn { table, covers } => ("dine_in", Some(table.clone()), Some(*covers)),
            OrderKind::Takeaway => ("takeaway", None, None),
        };
        let lines = order
            .lines()
            .iter()
            .map(|line| line_view(order, line, &totals))
            .collect::<CoreResult<Vec<_>>>()?;
        let sc = order.service_charge();
        Ok(OrderView {
            id: order.id().to_string(),
            alias,
            number: order.number(),
            business_date: order.business_date().to_string(),
            state: order.state().as_str().into(),
            kind: kind.into(),
            table,
            covers,
            parked: order.parked(),
            currency: order.currency().code().into(),
            lines,
            discount: order.discount().map(DiscountView::from),
            service_charge: ServiceChargeView {
                rate_bp: sc.policy.rate.get(),
                kind: match sc.policy.kind {
                    ServiceChargeKind::Discretionary => "discretionary".into(),
                    ServiceChargeKind::Compulsory => "compulsory".into(),
                },
                applies: sc.applies(order.kind()),
                removed_reason: sc.removed.clone(),
            },
            totals: TotalsView {
                subtotal: totals.subtotal.into(),
                line_discounts: totals.line_discounts.into(),
                order_discount: totals.order_discount.into(),
                after_discounts: totals.after_discounts.into(),
                service_charge: totals.service_charge.into(),
                vat: totals.vat.iter().map(vat_view).collect(),
                vat_total: totals.vat_total.into(),
                total: totals.total.into(),
                paid: paid.into(),
                balance: totals.total.checked_sub(paid)?.into(),
            },
            payments: order
                .payments()
                .iter()
                .map(|p| payment_view(order, p))
                .collect::<CoreResult<_>>()?,
            refunds: order.refunds().iter().map(refund_view).collect(),
            payment_state: order.payment_state_of(&totals)?.as_str().into(),
            tips: order.tips()?.into(),
            refunded: order.refunded()?.into(),
            in_flight: order.in_flight()?.into(),
            split: match (order.split(), order.bill()?) {
                (Some(split), Some(bill)) => Some(SplitView {
                    method: match split.plan {
                        SplitPlan::Even { .. } => "even".into(),
                        SplitPlan::ByAmount { .. } => "by_amount".into(),
                        SplitPlan::ByItem { .. } => "by_item".into(),
                    },
                    settled: split.settled.into(),
                    parts: bill
                        .parts
                        .iter()
                        .map(|p| part_view(order, p))
                        .collect::<CoreResult<_>>()?,
                }),
                _ => None,
            },
            servers: order
                .gratuity_of(&totals)?
                .into_iter()
                .map(|g| GratuityView {
                    staff: g.staff.to_string(),
                    tips: g.tips.into(),
                    service_charge: g.service_charge.into(),
                })
                .collect(),
            opened_by: order.opened_by().to_string(),
            opened_at: order.opened_at().millis(),
            updated_at: order.updated_at().millis(),
            version: order.version(),
            cancel_reason: order.cancel_reason().map(str::to_owned),
            saved,
        })
    }
}

fn line_view(order: &Order, line: &Line, totals: &Totals) -> CoreResult<LineView> {
    let priced = totals.lines.iter().find(|t| t.line == line.no);
    let zero = Amount(0);
    Ok(LineView {
        no: line.no.get(),
        product: line.product.to_string(),
        sku: line.sku.clone(),
        name: line.name.clone(),
        variant: line.variant.as_ref().map(|v| VariantChoiceView {
            id: v.id.to_string(),
            name: v.name.clone(),
        }),
        modifiers: line
            .modifiers
            .iter()
            .map(|m| LineModifierView {
                id: m.id.to_string(),
                name: m.name.clone(),
                price_delta: m.price_delta.into(),
            })
            .collect(),
        quantity: line.quantity,
        unit_price: line.unit_price()?.into(),
        note: line.note.clone(),
        course: line.course.as_ref().map(text),
        seat: line.seat,
        vat_class: vat_name(order.vat_class(line)),
        station: line.station.to_string(),
        discount: line.discount.as_ref().map(DiscountView::from),
        price_override: line.price_override.as_ref().map(|o| PriceOverrideView {
            unit_price: o.unit_price.into(),
            reason: o.reason.clone(),
            by: o.by.to_string(),
            approved_by: o.approved_by.to_string(),
        }),
        sent: line.sent,
        void: line.void.as_ref().map(|v| VoidView {
            reason: v.reason.clone(),
            by: v.by.to_string(),
            at: v.at.millis(),
        }),
        gross: priced.map_or(zero, |p| p.gross.into()),
        line_discount: priced.map_or(zero, |p| p.line_discount.into()),
        order_discount: priced.map_or(zero, |p| p.order_discount.into()),
        net: priced.map_or(zero, |p| p.net.into()),
    })
}

fn payment_view(order: &Order, p: &Payment) -> CoreResult<PaymentView> {
    let fee: Fee = p.fee;
    Ok(PaymentView {
        id: p.id.to_string(),
        tender: p.tender.as_str().into(),
        status: p.status.as_str().into(),
        amount: p.amount.into(),
        tip: p.tip.into(),
        surcharge: p.surcharge.into(),
        tendered: p.tendered.into(),
        change: p.change.into(),
        fee: fee.total()?.into(),
        part: p.part.map(|r| r.part),
        provider_ref: p.provider_ref.clone(),
        note: p.note.clone(),
        refundable: order.refundable(p)?.into(),
        staff: p.staff.to_string(),
        at: p.at.millis(),
    })
}

fn refund_view(r: &Refund) -> RefundView {
    RefundView {
        id: r.id.to_string(),
        payment: r.payment.to_string(),
        tender: r.tender.as_str().into(),
        status: r.status.as_str().into(),
        amount: r.amount.into(),
        lines: r
            .lines
            .iter()
            .map(|l| RefundLineView {
                line: l.line.get(),
                quantity: l.quantity,
                amount: l.amount.into(),
            })
            .collect(),
        reason: r.reason.clone(),
        staff: r.staff.to_string(),
        approved_by: r.approved_by.to_string(),
        at: r.at.millis(),
    }
}

impl HistoryView {
    /// Builds the view of an order's history.
    pub fn new(order: &Order, entries: &[HistoryEntry]) -> HistoryView {
        HistoryView {
            order: order.id().to_string(),
            entries: entries
                .iter()
                .map(|e| HistoryEntryView {
                    version: e.version,
                    op_type: e.event.op_type().into(),
                    event: serde_json::to_value(&e.event).unwrap_or(serde_json::Value::Null),
                    staff: e.staff.clone(),
                    at: e.at.millis(),
                })
                .collect(),
        }
    }
}
