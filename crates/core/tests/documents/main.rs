//! The printable documents built from real orders, driven through the order commands. The modules mirror
//! `src/document`:
//!
//! - [`receipt`]: customer receipts, whole, per part of a split, and for a refund;
//! - [`kitchen`]: kitchen and void tickets;
//! - [`page`]: the test page and reports.
//!
//! The checks read the blocks a document holds — rows, text and their styles — the way a renderer would,
//! and compare amounts with what the core's own pricing and split give.

#![allow(
    clippy::needless_pass_by_value,
    reason = "test helpers take commands by value so each call reads as the command itself"
)]

use fynlo_core::{
    catalog::{Catalog, CatalogData},
    document::{kitchen::TicketContext, receipt::Context, Block, Document, Style},
    fees::FeeSchedule,
    ids::{DeviceId, ModifierId, OrderId, PaymentId, ProductId, StaffId, VariantId},
    order::{Course, Ctx, Discount, DiscountKind, LineRequest, OpenOrder, Order, OrderCommand, OrderKind},
    payment::{PaymentStatus, Tender},
    settings::{Restaurant, ServiceChargePolicy},
    time::{BusinessDate, Timestamp},
    BasisPoints, Currency, Minor, Money,
};
use uuid::Uuid;

mod kitchen;
mod page;
mod receipt;

/// Soup 595 (starter), burger 1295 with cooking and extras, cake 325 (dessert): kitchen. Lager half 310 /
/// pint 595: bar. All standard-rated eaten in; cake is zero-rated taken away.
const MENU_JSON: &str = r##"{
  "categories": [{"id": "food", "name": "Food", "colour": "#aa3300"}],
  "modifier_groups": [
    {"id": "cooking", "name": "Cooking", "min": 1, "max": 1, "modifiers": [
      {"id": "rare", "name": "Rare"}, {"id": "medium", "name": "Medium"}]},
    {"id": "extras", "name": "Extras", "min": 0, "max": 2, "modifiers": [
      {"id": "cheese", "name": "Cheese", "price_delta": 100},
      {"id": "no-bun", "name": "No bun", "price_delta": -50}]}
  ],
  "products": [
    {"id": "soup", "sku": "S1", "name": "Soup", "category": "food", "price": 595,
     "vat": {"eat_in": "standard", "takeaway": "standard"}, "station": "kitchen", "colour": "#ffaa00"},
    {"id": "burger", "sku": "B1", "name": "Burger", "category": "food", "price": 1295,
     "vat": {"eat_in": "standard", "takeaway": "standard"}, "station": "kitchen", "colour": "#ffaa00",
     "modifier_groups": ["cooking", "extras"]},
    {"id": "cake", "sku": "C1", "name": "Slice of cake", "category": "food", "price": 325,
     "vat": {"eat_in": "standard", "takeaway": "zero"}, "station": "kitchen", "colour": "#cc88aa"},
    {"id": "beer", "sku": "D1", "name": "Lager", "category": "food", "price": 0,
     "vat": {"eat_in": "standard", "takeaway": "standard"}, "station": "bar", "colour": "#eecc00",
     "variants": [{"id": "half", "name": "Half", "price": 310}, {"id": "pint", "name": "Pint", "price": 595}]}
  ]
}"##;

fn menu() -> Catalog {
    let data: CatalogData = serde_json::from_str(MENU_JSON).expect("test menu parses");
    Catalog::new(data).expect("test menu is valid")
}

fn staff(id: &str) -> StaffId {
    StaffId::new(id).expect("valid staff id")
}

fn ctx() -> Ctx {
    Ctx {
        approver: Some(staff("alice")),
        grants: fynlo_core::permission::Permissions::all(),
        ..Ctx::new(Timestamp::from_millis(1_795_000_000_000), staff("alice"))
    }
}

fn name_of(id: &StaffId) -> String {
    match id.as_str() {
        "alice" => "Alice".into(),
        "bob" => "Bob".into(),
        other => other.into(),
    }
}

/// The restaurant, as settings JSON (every field not named takes its default).
fn restaurant() -> Restaurant {
    let settings = serde_json::json!({
        "name": "The Fynlo Arms",
        "address": ["1 High Street", "London N1 1AA"],
        "vat_number": "GB123456789",
    });
    serde_json::from_value(settings).expect("valid restaurant settings")
}

const FOOTER: &str = "Thank you for dining with us!\nSee you soon";

fn with_context<T>(f: impl FnOnce(&Context<'_>) -> T) -> T {
    let r = restaurant();
    let ctx = Context {
        restaurant: &r,
        footer: FOOTER,
        time: "05/12/2026 21:50",
        staff_name: &name_of,
    };
    f(&ctx)
}

fn ticket_ctx<T>(f: impl FnOnce(&TicketContext<'_>) -> T) -> T {
    f(&TicketContext {
        time: "21:50",
        staff_name: &name_of,
    })
}

fn open(kind: OrderKind, service_charge: ServiceChargePolicy) -> Order {
    let req = OpenOrder {
        id: OrderId::parse("0190b6a4-7c2e-7d3a-9f00-000000000001").expect("valid order id"),
        number: 12,
        business_date: BusinessDate::parse("2026-12-05").expect("valid date"),
        device: DeviceId::parse("0190b6a4-7c2e-7d3a-9f00-0000000000d1").expect("valid device id"),
        currency: Currency::GBP,
        kind,
        service_charge,
    };
    Order::open(req, &ctx()).expect("order opens").0
}

fn table() -> OrderKind {
    OrderKind::DineIn {
        table: "4".into(),
        covers: 2,
    }
}

fn discretionary() -> ServiceChargePolicy {
    ServiceChargePolicy::default()
}

fn no_service() -> ServiceChargePolicy {
    ServiceChargePolicy {
        enabled: false,
        ..ServiceChargePolicy::default()
    }
}

fn ok(order: &Order, cmd: OrderCommand) -> Order {
    match order.execute(&cmd, &menu(), &ctx()) {
        Ok((next, _)) => next,
        Err(e) => panic!("{cmd:?} refused: {e}"),
    }
}

#[derive(Clone, Copy)]
struct Add<'a> {
    product: &'a str,
    variant: Option<&'a str>,
    modifiers: &'a [&'a str],
    quantity: i64,
    note: Option<&'a str>,
    course: Option<Course>,
    seat: Option<u32>,
}

impl Default for Add<'_> {
    fn default() -> Self {
        Add {
            product: "soup",
            variant: None,
            modifiers: &[],
            quantity: 1,
            note: None,
            course: None,
            seat: None,
        }
    }
}

fn add(a: Add<'_>) -> OrderCommand {
    OrderCommand::AddLine(LineRequest {
        product: Some(ProductId::new(a.product).expect("valid product")),
        variant: a.variant.map(|v| VariantId::new(v).expect("valid variant")),
        modifiers: a
            .modifiers
            .iter()
            .map(|m| ModifierId::new(*m).expect("valid modifier"))
            .collect(),
        quantity: a.quantity,
        note: a.note.map(str::to_owned),
        course: a.course,
        seat: a.seat,
    })
}

fn burgers(quantity: i64) -> OrderCommand {
    add(Add {
        product: "burger",
        modifiers: &["medium", "cheese"],
        quantity,
        course: Some(Course::Main),
        ..Add::default()
    })
}

fn pint() -> OrderCommand {
    add(Add {
        product: "beer",
        variant: Some("pint"),
        ..Add::default()
    })
}

fn percent(bp: u32) -> Discount {
    Discount {
        kind: DiscountKind::Percent {
            rate: BasisPoints::new(bp),
        },
        reason: "regular".into(),
    }
}

fn pid(n: u128) -> PaymentId {
    PaymentId::from_uuid(Uuid::from_u128(n))
}

fn cash(n: u128, tendered: i64, tip: i64, part: Option<u32>) -> OrderCommand {
    OrderCommand::TakeCash {
        payment: pid(n),
        tendered: Minor::new(tendered),
        tip: Minor::new(tip),
        part,
    }
}

/// A card payment the provider answers with `status`.
fn card(order: &Order, n: u128, amount: i64, tip: i64, part: Option<u32>, status: PaymentStatus) -> Order {
    let started = ok(
        order,
        OrderCommand::StartPayment {
            payment: pid(n),
            key: format!("key-{n}"),
            tender: Tender::Card,
            amount: Minor::new(amount),
            tip: Minor::new(tip),
            surcharge: Minor::ZERO,
            part,
        },
    );
    ok(
        &started,
        OrderCommand::UpdatePayment {
            payment: pid(n),
            status,
            provider_ref: None,
            note: None,
            fees: FeeSchedule::default(),
        },
    )
}

fn gbp(minor: Minor) -> String {
    Money::new(minor, Currency::GBP).format_en_gb()
}

/// Every row: left, right and style.
fn rows(doc: &Document) -> Vec<(&str, &str, Style)> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Row { left, right, style } => Some((left.as_str(), right.as_str(), *style)),
            _ => None,
        })
        .collect()
}

/// Every text block: its text and style.
fn texts(doc: &Document) -> Vec<(&str, Style)> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Text { text, style } => Some((text.as_str(), *style)),
            _ => None,
        })
        .collect()
}

fn row<'d>(doc: &'d Document, left: &str) -> Option<(&'d str, Style)> {
    rows(doc)
        .into_iter()
        .find(|(l, _, _)| *l == left)
        .map(|(_, r, s)| (r, s))
}

fn has_text(doc: &Document, text: &str) -> bool {
    texts(doc).iter().any(|(t, _)| *t == text)
}

fn all_words(doc: &Document) -> String {
    serde_json::to_string(doc).expect("a document serialises")
}

fn vat_table(doc: &Document) -> Vec<Vec<String>> {
    doc.blocks
        .iter()
        .find_map(|b| match b {
            Block::Table { header, rows } => {
                assert_eq!(header, &["VAT", "Net", "VAT", "Gross"]);
                Some(rows.clone())
            }
            _ => None,
        })
        .expect("a VAT table")
}
