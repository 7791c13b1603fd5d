//! What the payment commands answer with: payment attempts, refunds, split bills with each part's
//! exact share, fee quotes, tip options and what recovery did — made from the core's types at the
//! boundary.

use fynlo_core::{
    fees::{Fee, FeeQuote},
    order::Order,
    payment::{Payment, PaymentStatus, Refund, Tender},
    split::Part,
    Result as CoreResult,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{
    orders::view::{vat_view, VatView},
    view::Amount,
};

/// How a bill was split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SplitMethod {
    /// Into equal parts.
    Even,
    /// Into parts of given amounts.
    ByAmount,
    /// By item.
    ByItem,
}

impl SplitMethod {
    /// The name as written in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            SplitMethod::Even => "even",
            SplitMethod::ByAmount => "by_amount",
            SplitMethod::ByItem => "by_item",
        }
    }
}

/// What recovery looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AttemptKind {
    /// A payment attempt.
    Payment,
    /// A refund.
    Refund,
}

impl AttemptKind {
    /// The name as written in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            AttemptKind::Payment => "payment",
            AttemptKind::Refund => "refund",
        }
    }
}

/// The page a pay-by-bank customer pays on, and its QR code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PaymentPageView {
    /// The payment attempt.
    pub payment: String,
    /// The hosted page's address (what the QR code holds).
    pub url: String,
    /// The QR code: an SVG with a `viewBox` and no fixed size, made only of numbers (safe to put in
    /// the page as it is).
    pub svg: String,
    /// What the customer is asked to pay (bill, tip and any surcharge).
    pub amount: Amount,
    /// ISO currency code.
    pub currency: String,
    /// When the page stops being payable (ms since the epoch, the provider's clock), if the provider
    /// says.
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
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
    /// The method.
    pub tender: Tender,
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
                        tender: *t,
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
    /// A payment or a refund.
    pub kind: AttemptKind,
    /// Its state now.
    pub status: PaymentStatus,
    /// What was found.
    pub note: String,
}

/// A payment attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PaymentView {
    /// Id.
    pub id: String,
    /// Cash, card or pay-by-bank.
    pub tender: Tender,
    /// Its state: only succeeded counts.
    pub status: PaymentStatus,
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

/// A refund.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RefundView {
    /// Id.
    pub id: String,
    /// The payment refunded.
    pub payment: String,
    /// Its tender.
    pub tender: Tender,
    /// Pending, succeeded or failed.
    pub status: PaymentStatus,
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
    /// How it was split.
    pub method: SplitMethod,
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
    /// Its share of the line's own discount.
    pub line_discount: Amount,
    /// Its share of the order discount carried by the line.
    pub order_discount: Amount,
    /// Both discounts.
    pub discount: Amount,
    /// After discounts.
    pub net: Amount,
    /// Service charge share.
    pub service_charge: Amount,
}

pub(crate) fn part_view(order: &Order, p: &Part) -> CoreResult<PartView> {
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
                line_discount: l.line_discount.into(),
                order_discount: l.order_discount.into(),
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

pub(crate) fn payment_view(order: &Order, p: &Payment) -> CoreResult<PaymentView> {
    let fee: Fee = p.fee;
    Ok(PaymentView {
        id: p.id.to_string(),
        tender: p.tender,
        status: p.status,
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

pub(crate) fn refund_view(r: &Refund) -> RefundView {
    RefundView {
        id: r.id.to_string(),
        payment: r.payment.to_string(),
        tender: r.tender,
        status: r.status,
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

/// What cash handed over would do, before it is taken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CashQuoteView {
    /// What is due on the order or part.
    pub due: Amount,
    /// What the cash would settle of it.
    pub amount: Amount,
    /// The tip kept from it.
    pub tip: Amount,
    /// What would go back to the guest.
    pub change: Amount,
}

/// The tip prompt's buttons for one payment: the base a percentage is taken of, and what each preset
/// (and the custom choice asked about) would add, worked out by the core.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TipOptionsView {
    /// Tips are offered at all.
    pub enabled: bool,
    /// A custom percentage or amount may be given.
    pub custom: bool,
    /// The payment the tip goes on: the bill's or part's balance, or the amount asked about.
    pub amount: Amount,
    /// What a percentage is taken of for this payment.
    pub base: Amount,
    /// One button per preset.
    pub presets: Vec<TipPresetView>,
    /// The tip the custom choice asked about would add, if one was.
    pub custom_tip: Option<Amount>,
}

/// One preset on the tip prompt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TipPresetView {
    /// The rate in basis points (1000 = 10 %).
    pub rate_bp: u32,
    /// What it adds.
    pub tip: Amount,
}
