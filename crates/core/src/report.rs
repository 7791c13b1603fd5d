//! The X and Z reports (SPEC §7): a drawer session's figures, worked out from its orders as they are
//! stored — the orders replayed from their history — and its cash movements. Pure: the caller hands in
//! the orders touched in the session's window, the window, the cash movements and the time zone.
//!
//! What counts where (the window is from the session's opening to its close, or to now for an X):
//! - **sales** (gross, discounts, service charge, VAT by rate, orders, covers, top items, sales by hour,
//!   tips and service charge by member of staff) are the orders *completed* in the window;
//! - **tenders** (what each tender took, its tips and fees) are the payments that *succeeded* in the
//!   window, and **refunds** the refunds that succeeded in it, whichever day their order was;
//! - **voids** are the lines voided in the window; **cancelled** the orders cancelled in it;
//! - **cash** is the float, cash taken less change, cash refunds, pay-ins and pay-outs of the session.
//!
//! Net sales = gross sales − discounts − refunds less their service charge share (VAT included, service
//! charge and tips not). The VAT rows are net of refunds: each refund is split over its order's VAT rows
//! and discretionary service charge in proportion to what the order charged (`refund_parts`). Average
//! spend = what completed orders were charged ÷ orders, rounded half up.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{
    cash::CashFigures,
    document::page::{Report as Page, ReportSection},
    ids::StaffId,
    order::{Order, OrderState},
    payment::Tender,
    rate::div_round_half_up,
    time::{BusinessDate, Timestamp},
    zone::TimeZone,
    BasisPoints, Minor, Money, Result,
};

/// An X report (a look, at any time) or a Z report (the close, numbered).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ReportKind {
    /// A reading that resets nothing.
    X,
    /// The session's close.
    Z,
}

/// A time window: from `from` (included) to `to` (excluded).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Window {
    /// Start, included.
    pub from: Timestamp,
    /// End, excluded.
    pub to: Timestamp,
}

impl Window {
    /// Whether `at` is in the window.
    pub fn holds(&self, at: Timestamp) -> bool {
        at >= self.from && at < self.to
    }
}

/// What one tender took.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TenderTotal {
    /// Cash, card or pay-by-bank.
    pub tender: Tender,
    /// Payments that succeeded.
    pub count: u32,
    /// Their share of bills.
    pub amount: Minor,
    /// Tips on them.
    pub tips: Minor,
    /// What the restaurant pays for them.
    pub fees: Minor,
    /// Refunds to this tender that succeeded.
    pub refunds: Minor,
}

impl TenderTotal {
    /// A tender that took nothing yet.
    fn none(tender: Tender) -> TenderTotal {
        TenderTotal {
            tender,
            count: 0,
            amount: Minor::ZERO,
            tips: Minor::ZERO,
            fees: Minor::ZERO,
            refunds: Minor::ZERO,
        }
    }
}

/// One VAT rate's totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VatRow {
    /// The rate (20 % is 2000).
    pub rate: BasisPoints,
    /// Ex VAT.
    pub net: Minor,
    /// The VAT.
    pub vat: Minor,
    /// VAT included.
    pub gross: Minor,
}

impl VatRow {
    /// A rate with nothing at it yet.
    fn none(rate: BasisPoints) -> VatRow {
        VatRow {
            rate,
            net: Minor::ZERO,
            vat: Minor::ZERO,
            gross: Minor::ZERO,
        }
    }
}

/// What one member of staff is owed from tips and service charge (Employment (Allocation of Tips) Act
/// 2023: every penny is allocated to workers).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StaffGratuity {
    /// Who.
    pub staff: StaffId,
    /// Their name.
    pub name: String,
    /// Their share of tips.
    pub tips: Minor,
    /// Their share of the service charge.
    pub service_charge: Minor,
}

/// A product's sales.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ItemSales {
    /// The line's name as sold.
    pub name: String,
    /// How many.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub quantity: u64,
    /// Their value before discounts.
    pub gross: Minor,
}

/// Sales in one local hour of the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HourSales {
    /// 0–23, local time.
    pub hour: u8,
    /// Orders completed.
    pub orders: u32,
    /// What they were charged.
    pub total: Minor,
}

/// Count and value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Tally {
    /// How many.
    pub count: u32,
    /// Worth.
    pub amount: Minor,
}

/// Every figure of an X or Z report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Figures {
    /// Lines' value before discounts, VAT included, of orders completed.
    pub gross_sales: Minor,
    /// Line and order discounts.
    pub discounts: Minor,
    /// Refunds that succeeded.
    pub refunds: Tally,
    /// The service charge's share of those refunds.
    #[serde(default)]
    pub refunds_service_charge: Minor,
    /// Gross sales − discounts − refunds (less their service charge share): goods, VAT included.
    pub net_sales: Minor,
    /// Service charge on orders completed.
    pub service_charge: Minor,
    /// What orders completed were charged (after discounts, with service charge).
    pub total: Minor,
    /// Orders completed.
    pub orders: u32,
    /// Guests at tables on orders completed.
    pub covers: u32,
    /// `total ÷ orders`, rounded half up.
    pub average_spend: Minor,
    /// Orders cancelled.
    pub cancelled: u32,
    /// Lines voided.
    pub voids: Tally,
    /// By tender.
    pub tenders: Vec<TenderTotal>,
    /// By VAT rate.
    pub vat: Vec<VatRow>,
    /// The VAT in total.
    pub vat_total: Minor,
    /// Tips on payments that succeeded.
    pub tips: Minor,
    /// Tips and service charge by member of staff.
    pub gratuity: Vec<StaffGratuity>,
    /// Fees on payments that succeeded.
    pub fees: Minor,
    /// The ten best-selling items by value.
    pub top_items: Vec<ItemSales>,
    /// Sales by local hour (hours with none left out).
    pub by_hour: Vec<HourSales>,
    /// The drawer.
    pub cash: CashFigures,
}

/// What the figures are worked out from.
pub struct Inputs<'a> {
    /// Every order with anything in the window (others are ignored anyway).
    pub orders: &'a [Order],
    /// The window of sales, tenders, refunds and voids: since the last Z.
    pub window: Window,
    /// The window of the drawer's cash: since its session opened (the float was counted then).
    pub cash_window: Window,
    /// The float, pay-ins, pay-outs and no-sales (the sales and refunds are filled in from the orders).
    pub cash: CashFigures,
    /// What was counted at the close, for a Z.
    pub counted: Option<Minor>,
    /// The restaurant's time zone, for the hours.
    pub zone: &'a TimeZone,
    /// A member of staff's name.
    pub name_of: &'a dyn Fn(&StaffId) -> String,
}

fn add(slot: &mut Minor, amount: Minor) -> Result<()> {
    *slot = slot.checked_add(amount)?;
    Ok(())
}

fn count_up(n: &mut u32) {
    *n = n.saturating_add(1);
}

impl Figures {
    /// Works out every figure.
    pub fn compute(input: &Inputs<'_>) -> Result<Figures> {
        let window = input.window;
        let mut f = Figures {
            gross_sales: Minor::ZERO,
            discounts: Minor::ZERO,
            refunds: Tally::default(),
            refunds_service_charge: Minor::ZERO,
            net_sales: Minor::ZERO,
            service_charge: Minor::ZERO,
            total: Minor::ZERO,
            orders: 0,
            covers: 0,
            average_spend: Minor::ZERO,
            cancelled: 0,
            voids: Tally::default(),
            tenders: Vec::new(),
            vat: Vec::new(),
            vat_total: Minor::ZERO,
            tips: Minor::ZERO,
            gratuity: Vec::new(),
            fees: Minor::ZERO,
            top_items: Vec::new(),
            by_hour: Vec::new(),
            cash: input.cash,
        };
        let mut tenders: BTreeMap<&'static str, TenderTotal> = BTreeMap::new();
        let mut vat: BTreeMap<u32, VatRow> = BTreeMap::new();
        let mut gratuity: BTreeMap<StaffId, (Minor, Minor)> = BTreeMap::new();
        let mut items: BTreeMap<String, (u64, Minor)> = BTreeMap::new();
        let mut hours: BTreeMap<u8, (u32, Minor)> = BTreeMap::new();
        let mut cash_sales = Minor::ZERO;
        let mut cash_refunds = Minor::ZERO;
        let mut outside = Minor::ZERO;
        for order in input.orders {
            for line in order.lines() {
                if let Some(void) = &line.void {
                    if window.holds(void.at) {
                        count_up(&mut f.voids.count);
                        add(&mut f.voids.amount, line.gross()?)?;
                    }
                }
            }
            for p in order.payments().iter().filter(|p| p.counts()) {
                if p.tender == Tender::Cash && input.cash_window.holds(p.at) && !window.holds(p.at) {
                    add(&mut cash_sales, p.amount.checked_add(p.tip)?)?;
                }
                if p.tender == Tender::Cash && window.holds(p.at) && !input.cash_window.holds(p.at) {
                    add(&mut outside, p.amount.checked_add(p.tip)?)?;
                }
                if !window.holds(p.at) {
                    continue;
                }
                let t = tenders.entry(p.tender.as_str()).or_insert(TenderTotal::none(p.tender));
                count_up(&mut t.count);
                add(&mut t.amount, p.amount)?;
                add(&mut t.tips, p.tip)?;
                let fee = p.fee.processing.checked_add(p.fee.platform)?;
                add(&mut t.fees, fee)?;
                add(&mut f.tips, p.tip)?;
                add(&mut f.fees, fee)?;
                if p.tender == Tender::Cash && input.cash_window.holds(p.at) {
                    add(&mut cash_sales, p.amount.checked_add(p.tip)?)?;
                }
            }
            for r in order.refunds().iter().filter(|r| r.counts()) {
                if r.tender == Tender::Cash && input.cash_window.holds(r.at) && !window.holds(r.at) {
                    add(&mut cash_refunds, r.amount)?;
                }
                if r.tender == Tender::Cash && window.holds(r.at) && !input.cash_window.holds(r.at) {
                    outside = outside.checked_sub(r.amount)?;
                }
                if !window.holds(r.at) {
                    continue;
                }
                count_up(&mut f.refunds.count);
                add(&mut f.refunds.amount, r.amount)?;
                let parts = refund_parts(order, r.amount)?;
                add(&mut f.refunds_service_charge, parts.service_charge)?;
                for (rate, gross) in parts.by_rate {
                    let row = vat.entry(rate.get()).or_insert(VatRow::none(rate));
                    let tax = rate.inclusive_tax_of(gross)?;
                    row.gross = row.gross.checked_sub(gross)?;
                    row.vat = row.vat.checked_sub(tax)?;
                    row.net = row.net.checked_sub(gross.checked_sub(tax)?)?;
                    f.vat_total = f.vat_total.checked_sub(tax)?;
                }
                let t = tenders.entry(r.tender.as_str()).or_insert(TenderTotal::none(r.tender));
                add(&mut t.refunds, r.amount)?;
                if r.tender == Tender::Cash && input.cash_window.holds(r.at) {
                    add(&mut cash_refunds, r.amount)?;
                }
            }
            let Some(closed) = order.closed_at() else { continue };
            if !window.holds(closed) {
                continue;
            }
            if order.state() == OrderState::Cancelled {
                count_up(&mut f.cancelled);
                continue;
            }
            if order.state() != OrderState::Completed {
                continue;
            }
            let totals = order.priced()?;
            count_up(&mut f.orders);
            if let crate::order::OrderKind::DineIn { covers, .. } = order.kind() {
                f.covers = f.covers.saturating_add(*covers);
            }
            add(&mut f.gross_sales, totals.subtotal)?;
            add(
                &mut f.discounts,
                totals.line_discounts.checked_add(totals.order_discount)?,
            )?;
            add(&mut f.service_charge, totals.service_charge)?;
            add(&mut f.total, totals.total)?;
            add(&mut f.vat_total, totals.vat_total)?;
            for v in &totals.vat {
                let row = vat.entry(v.rate.get()).or_insert(VatRow::none(v.rate));
                add(&mut row.net, v.net)?;
                add(&mut row.vat, v.vat)?;
                add(&mut row.gross, v.gross)?;
            }
            for share in order.gratuity_of(totals)? {
                let slot = gratuity.entry(share.staff).or_insert((Minor::ZERO, Minor::ZERO));
                add(&mut slot.0, share.tips)?;
                add(&mut slot.1, share.service_charge)?;
            }
            for line in order.live_lines() {
                let slot = items.entry(line.name.clone()).or_insert((0, Minor::ZERO));
                slot.0 = slot.0.saturating_add(u64::from(line.quantity));
                add(&mut slot.1, line.gross()?)?;
            }
            let hour = hours.entry(input.zone.hour(closed)).or_insert((0, Minor::ZERO));
            count_up(&mut hour.0);
            add(&mut hour.1, totals.total)?;
        }
        f.net_sales = f
            .gross_sales
            .checked_sub(f.discounts)?
            .checked_sub(f.refunds.amount.checked_sub(f.refunds_service_charge)?)?;
        if f.orders > 0 {
            f.average_spend = Minor::new(
                i64::try_from(div_round_half_up(i128::from(f.total.get()), i128::from(f.orders))).unwrap_or(i64::MAX),
            );
        }
        f.tenders = [Tender::Cash, Tender::Card, Tender::PayByBank]
            .iter()
            .filter_map(|t| tenders.get(t.as_str()).copied())
            .collect();
        f.vat = vat.into_values().rev().collect();
        f.gratuity = gratuity
            .into_iter()
            .map(|(staff, (tips, service_charge))| StaffGratuity {
                name: (input.name_of)(&staff),
                staff,
                tips,
                service_charge,
            })
            .collect();
        let mut top: Vec<ItemSales> = items
            .into_iter()
            .map(|(name, (quantity, gross))| ItemSales { name, quantity, gross })
            .collect();
        top.sort_by(|a, b| {
            b.gross
                .cmp(&a.gross)
                .then(b.quantity.cmp(&a.quantity))
                .then(a.name.cmp(&b.name))
        });
        top.truncate(10);
        f.top_items = top;
        f.by_hour = hours
            .into_iter()
            .map(|(hour, (orders, total))| HourSales { hour, orders, total })
            .collect();
        f.cash.sales = cash_sales;
        f.cash.refunds = cash_refunds;
        f.cash.outside_session = outside;
        f.cash = f.cash.settle(input.counted)?;
        Ok(f)
    }
}

/// How a refund splits: its share of each VAT rate (VAT-inclusive) and of the service charge.
struct RefundParts {
    by_rate: Vec<(BasisPoints, Minor)>,
    service_charge: Minor,
}

/// A refund's split, in proportion to what its order charged: over the order's VAT rows (a compulsory
/// service charge is in the standard row) and a discretionary service charge (outside VAT) for the VAT
/// figures, and over goods and service charge for net sales. Every split goes through `allocate`, so the
/// parts add up to the refund exactly.
fn refund_parts(order: &Order, amount: Minor) -> Result<RefundParts> {
    let totals = order.priced()?;
    let outside_vat = if totals.service_charge_kind == Some(crate::settings::ServiceChargeKind::Discretionary) {
        totals.service_charge
    } else {
        Minor::ZERO
    };
    let mut weights: Vec<Minor> = totals.vat.iter().map(|v| v.gross).collect();
    weights.push(outside_vat);
    let by_rate = if weights.iter().any(|w| w.is_positive()) {
        let parts = crate::allocate::allocate(amount, &weights)?;
        totals.vat.iter().zip(parts).map(|(v, part)| (v.rate, part)).collect()
    } else {
        Vec::new()
    };
    let goods = totals.total.checked_sub(totals.service_charge)?;
    let service_charge =
        if totals.service_charge.is_positive() && goods.checked_add(totals.service_charge)?.is_positive() {
            crate::allocate::allocate(amount, &[goods.max(Minor::ZERO), totals.service_charge])?
                .get(1)
                .copied()
                .unwrap_or(Minor::ZERO)
        } else {
            Minor::ZERO
        };
    Ok(RefundParts {
        by_rate,
        service_charge,
    })
}

/// A report as kept and shown: its kind, number, session and window, and its figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Report {
    /// X or Z.
    pub kind: ReportKind,
    /// The Z number (sequential on the till), for a Z.
    pub z_number: Option<u32>,
    /// The drawer session's number.
    pub session: u32,
    /// The business date the session opened on.
    pub business_date: BusinessDate,
    /// The window of sales: since the last Z report.
    pub window: Window,
    /// Orders still open at a Z, carried into the next session (`#12 (2026-11-22)`).
    #[serde(default)]
    pub carried: Vec<String>,
    /// Who opened the session, and who ran the report.
    pub opened_by: String,
    /// Who ran (X) or closed (Z).
    pub by: String,
    /// The note left at the close (over/short explained).
    pub note: Option<String>,
    /// The figures.
    pub figures: Figures,
}

fn money(m: Minor) -> String {
    Money::gbp(m.get()).format_en_gb()
}

fn tender_name(t: Tender) -> &'static str {
    match t {
        Tender::Cash => "Cash",
        Tender::Card => "Card",
        Tender::PayByBank => "Pay by bank",
    }
}

impl Report {
    /// The report as a printed page.
    pub fn page(&self, zone: &TimeZone) -> Page {
        let f = &self.figures;
        let title = match (self.kind, self.z_number) {
            (ReportKind::Z, Some(n)) => format!("Z REPORT {n}"),
            (ReportKind::Z, None) => "Z REPORT".into(),
            (ReportKind::X, _) => "X REPORT".into(),
        };
        let mut subtitle = vec![
            format!("Session {} - business day {}", self.session, self.business_date),
            format!("{} to {}", zone.format(self.window.from), zone.format(self.window.to)),
            format!(
                "Opened by {}; {} by {}",
                self.opened_by,
                if self.kind == ReportKind::Z { "closed" } else { "run" },
                self.by
            ),
        ];
        if self.kind == ReportKind::X {
            subtitle.push("Not a close: nothing is reset".into());
        }
        let row = |name: &str, value: String| (name.to_owned(), value);
        let mut sections = vec![ReportSection {
            heading: "Sales".into(),
            rows: vec![
                row("Gross sales", money(f.gross_sales)),
                row("Discounts", money(f.discounts)),
                row(&format!("Refunds ({})", f.refunds.count), money(f.refunds.amount)),
                row("Net sales", money(f.net_sales)),
                row("Service charge", money(f.service_charge)),
                row("Charged", money(f.total)),
                row("Orders", f.orders.to_string()),
                row("Covers", f.covers.to_string()),
                row("Average spend", money(f.average_spend)),
                row(&format!("Voids ({})", f.voids.count), money(f.voids.amount)),
                row("Cancelled orders", f.cancelled.to_string()),
                row("Tips", money(f.tips)),
                row("Fees", money(f.fees)),
            ],
            table: None,
        }];
        sections.push(ReportSection {
            heading: "Tenders".into(),
            rows: Vec::new(),
            table: Some((
                vec!["Tender".into(), "No.".into(), "Taken".into(), "Refunded".into()],
                f.tenders
                    .iter()
                    .map(|t| {
                        vec![
                            tender_name(t.tender).into(),
                            t.count.to_string(),
                            money(t.amount),
                            money(t.refunds),
                        ]
                    })
                    .collect(),
            )),
        });
        sections.push(ReportSection {
            heading: "VAT".into(),
            rows: Vec::new(),
            table: Some((
                vec!["Rate".into(), "Net".into(), "VAT".into(), "Gross".into()],
                f.vat
                    .iter()
                    .map(|v| {
                        vec![
                            format!("{}%", v.rate.get() / 100),
                            money(v.net),
                            money(v.vat),
                            money(v.gross),
                        ]
                    })
                    .collect(),
            )),
        });
        sections.push(ReportSection {
            heading: "Tips and service charge by staff".into(),
            rows: Vec::new(),
            table: Some((
                vec!["Staff".into(), "Tips".into(), "Service".into()],
                f.gratuity
                    .iter()
                    .map(|g| vec![g.name.clone(), money(g.tips), money(g.service_charge)])
                    .collect(),
            )),
        });
        sections.push(ReportSection {
            heading: "Top items".into(),
            rows: Vec::new(),
            table: Some((
                vec!["Item".into(), "Qty".into(), "Value".into()],
                f.top_items
                    .iter()
                    .map(|i| vec![i.name.clone(), i.quantity.to_string(), money(i.gross)])
                    .collect(),
            )),
        });
        sections.push(ReportSection {
            heading: "Sales by hour".into(),
            rows: Vec::new(),
            table: Some((
                vec!["Hour".into(), "Orders".into(), "Value".into()],
                f.by_hour
                    .iter()
                    .map(|h| vec![format!("{:02}:00", h.hour), h.orders.to_string(), money(h.total)])
                    .collect(),
            )),
        });
        let c = &f.cash;
        let mut cash = vec![
            row("Float", money(c.float)),
            row("Cash taken", money(c.sales)),
            row("Cash refunds", money(c.refunds)),
            row("Pay-ins", money(c.pay_ins)),
            row("Pay-outs", money(c.pay_outs)),
            row("No-sales", c.no_sales.to_string()),
            row("Expected", money(c.expected)),
        ];
        if !c.outside_session.is_zero() {
            cash.push(row("Cash with no session open", money(c.outside_session)));
        }
        if let (Some(counted), Some(diff)) = (c.counted, c.over_short) {
            cash.push(row("Counted", money(counted)));
            let label = if diff.is_negative() { "Short" } else { "Over" };
            cash.push(row(label, money(diff)));
        }
        if let Some(note) = &self.note {
            cash.push(row("Note", note.clone()));
        }
        sections.push(ReportSection {
            heading: "Cash".into(),
            rows: cash,
            table: None,
        });
        Page {
            title,
            subtitle,
            sections,
        }
    }

    /// The report as CSV: one `section,name,value` row per figure, amounts in pence (integers), so a
    /// spreadsheet sums them exactly.
    pub fn csv(&self) -> String {
        let f = &self.figures;
        let mut rows: Vec<(String, String, String)> = Vec::new();
        let mut put = |s: &str, n: &str, v: String| rows.push((s.to_owned(), n.to_owned(), v));
        put("report", "kind", format!("{:?}", self.kind));
        put(
            "report",
            "z_number",
            self.z_number.map(|n| n.to_string()).unwrap_or_default(),
        );
        put("report", "session", self.session.to_string());
        put("report", "business_date", self.business_date.to_string());
        put("report", "from_ms", self.window.from.millis().to_string());
        put("report", "to_ms", self.window.to.millis().to_string());
        put("report", "opened_by", self.opened_by.clone());
        put("report", "by", self.by.clone());
        put("report", "note", self.note.clone().unwrap_or_default());
        for (n, v) in [
            ("gross_sales", f.gross_sales),
            ("discounts", f.discounts),
            ("refunds", f.refunds.amount),
            ("net_sales", f.net_sales),
            ("service_charge", f.service_charge),
            ("total", f.total),
            ("average_spend", f.average_spend),
            ("voids", f.voids.amount),
            ("tips", f.tips),
            ("fees", f.fees),
            ("vat_total", f.vat_total),
        ] {
            put("sales", n, v.get().to_string());
        }
        for (n, v) in [
            ("orders", f.orders),
            ("covers", f.covers),
            ("cancelled", f.cancelled),
            ("refund_count", f.refunds.count),
            ("void_count", f.voids.count),
        ] {
            put("sales", n, v.to_string());
        }
        for t in &f.tenders {
            let s = format!("tender:{}", t.tender.as_str());
            put(&s, "count", t.count.to_string());
            put(&s, "amount", t.amount.get().to_string());
            put(&s, "tips", t.tips.get().to_string());
            put(&s, "fees", t.fees.get().to_string());
            put(&s, "refunds", t.refunds.get().to_string());
        }
        for v in &f.vat {
            let s = format!("vat:{}", v.rate.get());
            put(&s, "net", v.net.get().to_string());
            put(&s, "vat", v.vat.get().to_string());
            put(&s, "gross", v.gross.get().to_string());
        }
        for g in &f.gratuity {
            let s = format!("staff:{}", g.staff.as_str());
            put(&s, "name", g.name.clone());
            put(&s, "tips", g.tips.get().to_string());
            put(&s, "service_charge", g.service_charge.get().to_string());
        }
        for i in &f.top_items {
            let s = format!("item:{}", i.name);
            put(&s, "quantity", i.quantity.to_string());
            put(&s, "gross", i.gross.get().to_string());
        }
        for h in &f.by_hour {
            let s = format!("hour:{:02}", h.hour);
            put(&s, "orders", h.orders.to_string());
            put(&s, "total", h.total.get().to_string());
        }
        let c = &f.cash;
        for (n, v) in [
            ("float", Some(c.float)),
            ("sales", Some(c.sales)),
            ("refunds", Some(c.refunds)),
            ("pay_ins", Some(c.pay_ins)),
            ("pay_outs", Some(c.pay_outs)),
            ("expected", Some(c.expected)),
            ("counted", c.counted),
            ("over_short", c.over_short),
            ("outside_session", Some(c.outside_session)),
        ] {
            put("cash", n, v.map(|m| m.get().to_string()).unwrap_or_default());
        }
        put("cash", "no_sales", c.no_sales.to_string());
        let mut out = String::from("section,name,value\n");
        for (s, n, v) in rows {
            out.push_str(&[csv_field(&s), csv_field(&n), csv_field(&v)].join(","));
            out.push('\n');
        }
        out
    }

    /// The day's report in the cloud's shape (SPEC §9: `total_sales`, `total_orders`, …).
    pub fn daily(&self) -> DailyReport {
        let f = &self.figures;
        let tender = |t: Tender| {
            f.tenders
                .iter()
                .find(|x| x.tender == t)
                .map_or(Minor::ZERO, |x| x.amount)
        };
        DailyReport {
            business_date: self.business_date.clone(),
            total_sales: f.total,
            total_orders: f.orders,
            cash_sales: tender(Tender::Cash),
            card_sales: tender(Tender::Card),
            pay_by_bank_sales: tender(Tender::PayByBank),
            gift_card_sales: Minor::ZERO,
            online_sales: Minor::ZERO,
            discounts: f.discounts,
            refunds: f.refunds.amount,
            net_sales: f.net_sales,
            top_items: f.top_items.clone(),
            busy_hours: f.by_hour.clone(),
            staff_shifts: Vec::new(),
        }
    }
}

/// The daily report as the cloud takes it. Gift cards and online orders are not sold on a till yet, so
/// those are zero; `staff_shifts` is filled by the caller from the time clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DailyReport {
    /// The business day.
    pub business_date: BusinessDate,
    /// What completed orders were charged.
    pub total_sales: Minor,
    /// Orders completed.
    pub total_orders: u32,
    /// Taken in cash.
    pub cash_sales: Minor,
    /// Taken by card.
    pub card_sales: Minor,
    /// Taken by pay-by-bank.
    pub pay_by_bank_sales: Minor,
    /// Gift cards (none on a till yet).
    pub gift_card_sales: Minor,
    /// Online orders (none on a till yet).
    pub online_sales: Minor,
    /// Discounts given.
    pub discounts: Minor,
    /// Refunds made.
    pub refunds: Minor,
    /// Net sales.
    pub net_sales: Minor,
    /// Best sellers.
    pub top_items: Vec<ItemSales>,
    /// Sales by hour.
    pub busy_hours: Vec<HourSales>,
    /// Who worked, from the time clock.
    pub staff_shifts: Vec<StaffShift>,
}

/// A member of staff's time on shift in the day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StaffShift {
    /// Who.
    pub staff: StaffId,
    /// Their name.
    pub name: String,
    /// Minutes worked, breaks that are unpaid left out.
    pub minutes: u32,
}

/// One CSV field, quoted when it holds a comma, quote or line break; a field that a spreadsheet would
/// read as a formula (`=`, `+`, `-`, `@` first) is prefixed with a quote mark (CSV injection).
pub fn csv_field(text: &str) -> String {
    let text =
        if text.starts_with(['=', '+', '@', '\t', '\r']) || (text.starts_with('-') && text.parse::<i64>().is_err()) {
            format!("'{text}")
        } else {
            text.to_owned()
        };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}
