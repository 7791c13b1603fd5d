//! Customer receipts: for a whole order, for one part of a split bill, and for a refund, as UK practice
//! and SPEC §6 want them (who the restaurant is and its VAT number, what was sold, discounts, the service
//! charge and whether it is discretionary, VAT by rate, how it was paid).
//!
//! Every amount printed comes from the core's own results — [`Order::priced`] for the whole order,
//! [`Part`](crate::split::Part) for a part, [`Refund`](crate::payment::Refund) for a refund — so the
//! paper always agrees with what the till charged.
//! The only arithmetic here joins those results for display: the subtotal is shown after line discounts
//! (which are printed under their lines), so the amounts down the right-hand side add up.

use super::{Block, Document, DocumentKind, Size, Style};
use crate::{
    ids::{RefundId, StaffId},
    order::{DiscountKind, Line, Order, OrderKind},
    payment::{PartRef, Payment, PaymentStatus, Tender},
    pricing::VatTotal,
    settings::{Restaurant, ServiceChargeKind},
    split::{PartLine, Split, SplitPlan},
    Minor, Money, Result,
};

/// The banner on a refund receipt.
pub const REFUND: &str = "REFUND";

/// Columns modifiers, notes and discounts are indented under their line.
const INDENT: u8 = 2;

/// What a receipt needs that the order does not hold.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// Who the restaurant is: name, address and VAT number for the header.
    pub restaurant: &'a Restaurant,
    /// The receipt footer from settings; may be empty; a newline starts a new line.
    pub footer: &'a str,
    /// The sale's (or refund's) local date and time, already formatted by the app ("05/12/2026 21:50").
    pub time: &'a str,
    /// A member of staff's name as the guest should see it.
    pub staff_name: &'a dyn Fn(&StaffId) -> String,
}

/// The customer receipt for a whole order: every line that counts (voided ones are left off), the
/// discounts, the service charge, the total, VAT by rate, the payments that succeeded (with tips, cash
/// tendered and change), refunds made, and the balance still due if the order is not paid.
pub fn receipt(order: &Order, ctx: &Context<'_>) -> Result<Document> {
    let totals = order.priced()?;
    let mut doc = Document::new(DocumentKind::Receipt);
    restaurant_header(&mut doc, ctx);
    order_header(&mut doc, order, ctx);
    doc.push(Block::rule());

    let mut line_discounts = Minor::ZERO;
    for row in &totals.lines {
        let line = order.line(row.line)?;
        push_item(&mut doc, order, line, None, row.gross, row.line_discount)?;
        line_discounts = line_discounts.checked_add(row.line_discount)?;
    }
    let summary = Summary {
        subtotal: totals.subtotal.checked_sub(line_discounts)?,
        order_discount: totals.order_discount,
        service_charge: totals.service_charge,
        service_charge_kind: totals.service_charge_kind,
        total: totals.total,
    };
    push_summary(&mut doc, order, &summary)?;
    push_vat(&mut doc, order, &totals.vat, &summary);

    let paid: Vec<&Payment> = order.payments().iter().filter(|p| p.counts()).collect();
    push_payments(&mut doc, order, &paid)?;
    let mut refunds = order.refunds().iter().filter(|r| r.counts()).peekable();
    if refunds.peek().is_some() {
        doc.push(Block::feed(1));
    }
    for refund in refunds {
        doc.push(Block::row(
            format!("Refund to {}", tender_name(refund.tender)),
            money(order, refund.amount.checked_neg()?),
            Style::NORMAL,
        ));
    }
    let balance = order.balance()?;
    if balance.is_positive() {
        doc.push(Block::rule());
        doc.push(Block::row("BALANCE DUE", money(order, balance), Style::bold()));
    }
    if let Some(split) = order.split() {
        doc.push(Block::feed(1));
        doc.push(Block::text(
            format!("Bill split into {} parts", split.plan.parts()),
            Style::center(),
        ));
    }
    push_footer(&mut doc, ctx.footer);
    Ok(doc)
}

/// The receipt for part `part` (1-based) of a split bill: the same header, "Part 2 of 3", the part's
/// share of each line with its amounts, its discount, service charge, VAT and total, and only the payments
/// made on that part. An order that is not split, or has no such part, is [`crate::Error::UnknownPart`].
pub fn part_receipt(order: &Order, part: u32, ctx: &Context<'_>) -> Result<Document> {
    let bill = order.split_bill()?.ok_or(crate::Error::UnknownPart(part))?;
    let split = order.split().ok_or(crate::Error::UnknownPart(part))?;
    let p = bill
        .parts
        .iter()
        .find(|p| p.no == part)
        .ok_or(crate::Error::UnknownPart(part))?;
    let totals = order.priced()?;

    let mut doc = Document::new(DocumentKind::PartReceipt);
    restaurant_header(&mut doc, ctx);
    order_header(&mut doc, order, ctx);
    doc.push(Block::text(
        format!("Part {} of {}", p.no, bill.parts.len()),
        Style::center().with_bold().with_size(Size::Tall),
    ));
    if split.settled.is_positive() {
        doc.push(Block::text(
            format!("Split after {} was paid", money(order, split.settled)),
            Style::center(),
        ));
    }
    doc.push(Block::rule());

    let mut line_discounts = Minor::ZERO;
    let mut order_discount = Minor::ZERO;
    for share in &p.lines {
        let line = order.line(share.line)?;
        push_item(
            &mut doc,
            order,
            line,
            share_label(split, share),
            share.gross,
            share.line_discount,
        )?;
        line_discounts = line_discounts.checked_add(share.line_discount)?;
        order_discount = order_discount.checked_add(share.order_discount)?;
    }
    let summary = Summary {
        subtotal: p.gross.checked_sub(line_discounts)?,
        order_discount,
        service_charge: p.service_charge,
        service_charge_kind: totals.service_charge_kind,
        total: p.total,
    };
    push_summary(&mut doc, order, &summary)?;
    push_vat(&mut doc, order, &p.vat, &summary);

    let at = PartRef { split: split.seq, part };
    let paid: Vec<&Payment> = order
        .payments()
        .iter()
        .filter(|pay| pay.counts() && pay.part == Some(at))
        .collect();
    push_payments(&mut doc, order, &paid)?;
    let (paid_amount, _held) = order.part_payments(part)?;
    let due = p.total.checked_sub(paid_amount)?;
    if due.is_positive() {
        doc.push(Block::rule());
        doc.push(Block::row("BALANCE DUE", money(order, due), Style::bold()));
    }
    push_footer(&mut doc, ctx.footer);
    Ok(doc)
}

/// The receipt for a refund, marked REFUND: the original order's number, the lines given back (or just
/// the amount, for a refund by amount), the reason, the tender the money went back to, and the amount.
/// A refund the provider has not yet confirmed says so.
pub fn refund_receipt(order: &Order, refund: RefundId, ctx: &Context<'_>) -> Result<Document> {
    let refund = order.refund(refund)?;
    let mut doc = Document::new(DocumentKind::RefundReceipt);
    restaurant_header(&mut doc, ctx);
    doc.push(Block::banner(REFUND));
    doc.push(Block::text(
        format!("Original order #{}", order.number()),
        Style::bold(),
    ));
    if !ctx.time.trim().is_empty() {
        doc.push(Block::text(ctx.time.trim(), Style::NORMAL));
    }
    doc.push(Block::rule());
    for given in &refund.lines {
        let line = order.line(given.line)?;
        doc.push(Block::row(
            format!("{} x {}", given.quantity, item_name(line)),
            money(order, given.amount),
            Style::NORMAL,
        ));
    }
    if !refund.lines.is_empty() {
        doc.push(Block::rule());
    }
    doc.push(Block::row("TOTAL REFUNDED", money(order, refund.amount), Style::bold()));
    doc.push(Block::row("Refunded to", tender_name(refund.tender), Style::NORMAL));
    if refund.status != PaymentStatus::Succeeded {
        doc.push(Block::text(
            format!("Status: {}", refund.status.as_str()),
            Style::bold(),
        ));
    }
    doc.push(Block::text(format!("Reason: {}", refund.reason.trim()), Style::NORMAL));
    doc.push(Block::text(
        format!(
            "Refunded by {}, approved by {}",
            (ctx.staff_name)(&refund.staff),
            (ctx.staff_name)(&refund.approved_by)
        ),
        Style::NORMAL,
    ));
    push_footer(&mut doc, ctx.footer);
    Ok(doc)
}

/// The name a tender is printed as.
pub const fn tender_name(tender: Tender) -> &'static str {
    match tender {
        Tender::Cash => "Cash",
        Tender::Card => "Card",
        Tender::PayByBank => "Pay by bank",
    }
}

/// What the summary under the lines shows, from the order's totals or a part's.
struct Summary {
    /// After line discounts, which are printed under their lines.
    subtotal: Minor,
    order_discount: Minor,
    service_charge: Minor,
    service_charge_kind: Option<ServiceChargeKind>,
    total: Minor,
}

fn money(order: &Order, amount: Minor) -> String {
    Money::new(amount, order.currency()).format_en_gb()
}

/// A price delta with its sign: "+£1.00", "-£0.50".
fn signed(order: &Order, amount: Minor) -> String {
    let text = money(order, amount);
    if amount.is_negative() {
        text
    } else {
        format!("+{text}")
    }
}

/// The product's name with its variant: "Lager (Pint)".
fn item_name(line: &Line) -> String {
    match &line.variant {
        Some(v) => format!("{} ({})", line.name, v.name),
        None => line.name.clone(),
    }
}

fn restaurant_header(doc: &mut Document, ctx: &Context<'_>) {
    let r = ctx.restaurant;
    doc.push(Block::text(
        r.name.trim(),
        Style::center().with_bold().with_size(Size::Double),
    ));
    for line in r.address.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
        doc.push(Block::text(line, Style::center()));
    }
    if !r.vat_number.trim().is_empty() {
        doc.push(Block::text(format!("VAT No. {}", r.vat_number.trim()), Style::center()));
    }
    doc.push(Block::feed(1));
}

fn order_header(doc: &mut Document, order: &Order, ctx: &Context<'_>) {
    if !ctx.time.trim().is_empty() {
        doc.push(Block::text(ctx.time.trim(), Style::NORMAL));
    }
    doc.push(Block::text(format!("Order #{}", order.number()), Style::bold()));
    doc.push(Block::text(table_text(order.kind()), Style::NORMAL));
    doc.push(Block::text(
        format!("Served by {}", servers(order, ctx.staff_name)),
        Style::NORMAL,
    ));
}

/// "Table 4, 2 covers" or "Takeaway".
fn table_text(kind: &OrderKind) -> String {
    match kind {
        OrderKind::DineIn { table, covers } => {
            let s = if *covers == 1 { "" } else { "s" };
            format!("Table {table}, {covers} cover{s}")
        }
        OrderKind::Takeaway => "Takeaway".to_owned(),
    }
}

/// The names of the staff who served the order, or of who opened it when none are named.
pub(super) fn servers(order: &Order, name: &dyn Fn(&StaffId) -> String) -> String {
    if order.servers().is_empty() {
        name(order.opened_by())
    } else {
        order.servers().iter().map(name).collect::<Vec<_>>().join(", ")
    }
}

/// One line (or a part's share of it): "2 x Burger" and its amount before discounts, then indented its
/// modifiers (with their price per unit unless a manager's price replaced them), note, manager's price and
/// discount. The modifiers' prices are in the text, not the amount column, because the line's amount
/// already includes them.
fn push_item(
    doc: &mut Document,
    order: &Order,
    line: &Line,
    share: Option<String>,
    gross: Minor,
    discount: Minor,
) -> Result<()> {
    let name = item_name(line);
    let left = match share {
        Some(share) => format!("{} x {name} ({share})", line.quantity),
        None => format!("{} x {name}", line.quantity),
    };
    doc.push(Block::row(left, money(order, gross), Style::NORMAL));
    let under = Style::NORMAL.with_indent(INDENT);
    for m in &line.modifiers {
        let text = if line.price_override.is_none() && !m.price_delta.is_zero() {
            format!("{} {}", m.name, signed(order, m.price_delta))
        } else {
            m.name.clone()
        };
        doc.push(Block::text(text, under));
    }
    if let Some(note) = &line.note {
        doc.push(Block::text(note.as_str(), under));
    }
    if line.price_override.is_some() {
        doc.push(Block::text("Price set by manager", under));
    }
    if !discount.is_zero() {
        let label = match line.discount.as_ref().map(|d| d.kind) {
            Some(DiscountKind::Percent { rate }) => format!("Discount {rate}"),
            _ => "Discount".to_owned(),
        };
        doc.push(Block::row(label, money(order, discount.checked_neg()?), under));
    }
    Ok(())
}

fn push_summary(doc: &mut Document, order: &Order, s: &Summary) -> Result<()> {
    doc.push(Block::rule());
    doc.push(Block::row("Subtotal", money(order, s.subtotal), Style::NORMAL));
    if !s.order_discount.is_zero() {
        let label = match order.discount().map(|d| d.kind) {
            Some(DiscountKind::Percent { rate }) => format!("Discount {rate}"),
            _ => "Discount".to_owned(),
        };
        doc.push(Block::row(
            label,
            money(order, s.order_discount.checked_neg()?),
            Style::NORMAL,
        ));
    }
    if let Some(kind) = s.service_charge_kind {
        if !s.service_charge.is_zero() {
            doc.push(Block::row(
                format!(
                    "Service charge ({}) {}",
                    kind.as_str(),
                    order.service_charge().policy.rate
                ),
                money(order, s.service_charge),
                Style::NORMAL,
            ));
        }
    }
    doc.push(Block::double_rule());
    doc.push(Block::row(
        "TOTAL",
        money(order, s.total),
        Style::bold().with_size(Size::Tall),
    ));
    doc.push(Block::feed(1));
    Ok(())
}

/// The VAT table: one row per rate as pricing gave them, and a word on where the service charge stands.
fn push_vat(doc: &mut Document, order: &Order, vat: &[VatTotal], s: &Summary) {
    if vat.is_empty() {
        return;
    }
    let rows = vat
        .iter()
        .map(|v| {
            let rate = if v.rate.get() == 0 {
                "Zero".to_owned()
            } else {
                v.rate.to_string()
            };
            vec![rate, money(order, v.net), money(order, v.vat), money(order, v.gross)]
        })
        .collect();
    doc.push(Block::Table {
        header: ["VAT", "Net", "VAT", "Gross"].map(str::to_owned).to_vec(),
        rows,
    });
    if !s.service_charge.is_zero() {
        let text = match s.service_charge_kind {
            Some(ServiceChargeKind::Discretionary) => "The discretionary service charge is outside the scope of VAT.",
            Some(ServiceChargeKind::Compulsory) => "The service charge is included at the standard rate.",
            None => return,
        };
        doc.push(Block::text(text, Style::NORMAL));
    }
    doc.push(Block::feed(1));
}

/// Payments that succeeded: the tender and what it settled, then its tip, any fee passed on, and for
/// cash what was handed over and the change.
fn push_payments(doc: &mut Document, order: &Order, paid: &[&Payment]) -> Result<()> {
    let under = Style::NORMAL.with_indent(INDENT);
    for p in paid {
        doc.push(Block::row(tender_name(p.tender), money(order, p.amount), Style::NORMAL));
        if !p.tip.is_zero() {
            doc.push(Block::row("Tip", money(order, p.tip), under));
        }
        if !p.surcharge.is_zero() {
            doc.push(Block::row("Payment fee", money(order, p.surcharge), under));
        }
        if p.tender == Tender::Cash {
            doc.push(Block::row("Tendered", money(order, p.tendered), under));
            doc.push(Block::row("Change", money(order, p.change), under));
        } else if !p.tip.is_zero() || !p.surcharge.is_zero() {
            doc.push(Block::row("Charged", money(order, p.charge()?), under));
        }
    }
    Ok(())
}

/// How much of a line a part has, when it has only some: "1/3" for a line shared by three guests, "1/2"
/// for every line of an even split in two, "share" when the shares follow amounts rather than counts (a
/// split by amount, or what remains after a payment).
fn share_label(split: &Split, share: &PartLine) -> Option<String> {
    if share.of <= 1 || share.weight >= share.of {
        return None;
    }
    Some(match split.plan {
        SplitPlan::ByItem { .. } => {
            let g = gcd(share.weight, share.of);
            format!("{}/{}", share.weight / g, share.of / g)
        }
        SplitPlan::Even { parts } if split.settled.is_zero() => format!("1/{parts}"),
        _ => "share".to_owned(),
    })
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a.max(1)
    } else {
        gcd(b, a % b)
    }
}

/// The footer from settings, centred, line by line; blank lines inside it are kept as blank lines.
fn push_footer(doc: &mut Document, footer: &str) {
    let footer = footer.trim();
    if footer.is_empty() {
        return;
    }
    doc.push(Block::feed(1));
    for line in footer.lines().map(str::trim) {
        if line.is_empty() {
            doc.push(Block::feed(1));
        } else {
            doc.push(Block::text(line, Style::center()));
        }
    }
}
