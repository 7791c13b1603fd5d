//! What the order commands answer with: an order with its lines, totals, VAT, payments and split, made
//! from the core's order at the boundary. Amounts are integer minor units; times are milliseconds since
//! the epoch.

use fynlo_core::{
    catalog::VatClass,
    order::{Course, Discount, DiscountKind, Line, Order, OrderKind, OrderState},
    payment::PaymentState,
    pricing::{Totals, VatTotal},
    settings::ServiceChargeKind,
    split::SplitPlan,
    Result as CoreResult,
};
use fynlo_store::HistoryEntry;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{
    payments::view::{
        part_view, payment_view, refund_view, GratuityView, PaymentView, RefundView, SplitMethod, SplitView,
    },
    view::Amount,
};

/// A line as it would be added: its price before it is added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LineQuoteView {
    /// Product id.
    pub product: String,
    /// Product name.
    pub name: String,
    /// Unit price with the variant and modifiers.
    pub unit_price: Amount,
    /// How many.
    pub quantity: u32,
    /// Quantity × unit price.
    pub gross: Amount,
}

/// What a discount would take off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DiscountQuoteView {
    /// What it applies to: the line's gross, or the lines after their own discounts.
    pub base: Amount,
    /// What it would take off.
    pub amount: Amount,
    /// Giving it would need a manager's approval.
    pub needs_approval: bool,
}

/// Dine-in or takeaway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OrderType {
    /// Eaten at a table.
    DineIn,
    /// Taken away.
    Takeaway,
}

impl OrderType {
    /// The name as written in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderType::DineIn => "dine_in",
            OrderType::Takeaway => "takeaway",
        }
    }
}

/// A percentage or a fixed amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DiscountType {
    /// A percentage of what it applies to.
    Percent,
    /// A fixed amount.
    Fixed,
}

impl DiscountType {
    /// The name as written in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            DiscountType::Percent => "percent",
            DiscountType::Fixed => "fixed",
        }
    }
}

/// A discount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DiscountView {
    /// Percent or fixed.
    pub kind: DiscountType,
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
                kind: DiscountType::Percent,
                rate_bp: Some(rate.get()),
                amount: None,
                reason: d.reason.clone(),
            },
            DiscountKind::Fixed { amount } => DiscountView {
                kind: DiscountType::Fixed,
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
    pub course: Option<Course>,
    /// Seat.
    pub seat: Option<u32>,
    /// VAT class on this order.
    pub vat_class: VatClass,
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
    /// The VAT class.
    pub class: VatClass,
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
    /// What a new payment may settle now: the balance less what attempts waiting for their provider
    /// hold. (On a split bill, each part says what is due on it.)
    pub due: Amount,
}

/// The order's service charge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ServiceChargeView {
    /// Rate in basis points.
    pub rate_bp: u32,
    /// Discretionary or compulsory.
    pub kind: ServiceChargeKind,
    /// Is it charged on this order now?
    pub applies: bool,
    /// Why it was removed, if it was.
    pub removed_reason: Option<String>,
}

/// An order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OrderView {
    /// Id (`UUIDv7`).
    pub id: String,
    /// Alias given in this session, if any.
    pub alias: Option<String>,
    /// Number for the day on this device.
    pub number: u32,
    /// Business day.
    pub business_date: String,
    /// Where it is in its life.
    pub state: OrderState,
    /// Dine-in or takeaway.
    pub kind: OrderType,
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
    /// Where its money stands.
    pub payment_state: PaymentState,
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
    /// The till that owns it (its device id).
    pub till: String,
    /// Owned by another till: this till shows it as the cloud last sent it, and it is changed there.
    pub remote: bool,
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

impl OrderView {
    /// Builds the view of an order, pricing it.
    pub fn new(order: &Order, alias: Option<String>, saved: bool) -> CoreResult<OrderView> {
        let totals = order.priced()?;
        let paid = order.paid()?;
        let (kind, table, covers) = match order.kind() {
            OrderKind::DineIn { table, covers } => (OrderType::DineIn, Some(table.clone()), Some(*covers)),
            OrderKind::Takeaway => (OrderType::Takeaway, None, None),
        };
        let lines = order
            .lines()
            .iter()
            .map(|line| line_view(order, line, totals))
            .collect::<CoreResult<Vec<_>>>()?;
        let sc = order.service_charge();
        Ok(OrderView {
            id: order.id().to_string(),
            alias,
            number: order.number(),
            business_date: order.business_date().to_string(),
            state: order.state(),
            kind,
            table,
            covers,
            parked: order.parked(),
            currency: order.currency().code().into(),
            lines,
            discount: order.discount().map(DiscountView::from),
            service_charge: ServiceChargeView {
                rate_bp: sc.policy.rate.get(),
                kind: sc.policy.kind,
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
                due: totals.total.checked_sub(paid)?.checked_sub(order.in_flight()?)?.into(),
            },
            payments: order
                .payments()
                .iter()
                .map(|p| payment_view(order, p))
                .collect::<CoreResult<_>>()?,
            refunds: order.refunds().iter().map(refund_view).collect(),
            payment_state: order.payment_state_of(totals)?,
            tips: order.tips()?.into(),
            refunded: order.refunded()?.into(),
            in_flight: order.in_flight()?.into(),
            split: match (order.split(), order.split_bill()?) {
                (Some(split), Some(bill)) => Some(SplitView {
                    method: match split.plan {
                        SplitPlan::Even { .. } => SplitMethod::Even,
                        SplitPlan::ByAmount { .. } => SplitMethod::ByAmount,
                        SplitPlan::ByItem { .. } => SplitMethod::ByItem,
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
                .gratuity_of(totals)?
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
            till: order.device().to_string(),
            remote: false,
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
        course: line.course,
        seat: line.seat,
        vat_class: order.vat_class(line),
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

pub(crate) fn vat_view(v: &VatTotal) -> VatView {
    VatView {
        class: v.class,
        rate_bp: v.rate.get(),
        gross: v.gross.into(),
        vat: v.vat.into(),
        net: v.net.into(),
    }
}
