//! The core crate tested from outside, through its public API only.
//!
//! - [`pricing`]: a table of orders with totals worked out by hand from the pricing rules of SPEC §2.
//! - [`properties`]: property tests of money, allocation and pricing over random orders.
//!
//! The shared fixture lives here: a small test menu (built from menu JSON, as a restaurant would publish it),
//! a context, and helpers to open an order and run commands on it.

#![allow(
    clippy::needless_pass_by_value,
    reason = "test helpers take commands and handles by value so each call reads as the command itself"
)]
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "the numbers a test casts are small ones it picked itself; a wrap would be a test bug"
)]

mod approvals;
mod menus;
mod payments;
mod pricing;
mod properties;
mod split_cells;
mod splits;

use fynlo_core::{
    catalog::{Catalog, CatalogData},
    ids::{DeviceId, LineNo, ModifierId, OrderId, ProductId, StaffId, VariantId},
    order::{Ctx, Discount, DiscountKind, LineRequest, OpenOrder, Order, OrderCommand, OrderKind},
    settings::{ServiceChargeKind, ServiceChargePolicy},
    time::{BusinessDate, Timestamp},
    BasisPoints, Currency, Minor, Result,
};

/// The test menu. Prices are VAT-inclusive pence; VAT classes are eaten in / taken away.
///
/// - burger 1295, standard / standard; cooking (exactly one: rare, medium, well, all ±0);
///   extras (0 to 3): cheese +100, bacon +150, no-bun −50, egg +100 (86'd).
/// - sandwich 450, standard / zero; sauce (0 or 1): mayo +30, no-butter −20.
/// - beer: variants half 310 and pint 595, standard / standard.
/// - cake 325, standard / zero.
/// - loaf 380, zero / zero.
/// - carseat 2100, reduced / reduced.
/// - chew 1, standard / standard.
pub const MENU_JSON: &str = r##"{
  "categories": [
    {"id": "mains", "name": "Mains", "colour": "#aa3300"},
    {"id": "drinks", "name": "Drinks", "colour": "#0033aa"},
    {"id": "shop", "name": "Shop", "colour": "#33aa00"}
  ],
  "modifier_groups": [
    {"id": "cooking", "name": "Cooking", "min": 1, "max": 1, "modifiers": [
      {"id": "rare", "name": "Rare"},
      {"id": "medium", "name": "Medium"},
      {"id": "well", "name": "Well done"}]},
    {"id": "extras", "name": "Extras", "min": 0, "max": 3, "modifiers": [
      {"id": "cheese", "name": "Cheese", "price_delta": 100},
      {"id": "bacon", "name": "Bacon", "price_delta": 150},
      {"id": "no-bun", "name": "No bun", "price_delta": -50},
      {"id": "egg", "name": "Egg", "price_delta": 100, "available": false}]},
    {"id": "sauce", "name": "Sauce", "min": 0, "max": 1, "modifiers": [
      {"id": "mayo", "name": "Mayo", "price_delta": 30},
      {"id": "no-butter", "name": "No butter", "price_delta": -20}]}
  ],
  "products": [
    {"id": "burger", "sku": "B1", "name": "Burger", "category": "mains", "price": 1295,
     "vat": {"eat_in": "standard", "takeaway": "standard"}, "station": "kitchen", "colour": "#ffaa00",
     "modifier_groups": ["cooking", "extras"]},
    {"id": "sandwich", "sku": "S1", "name": "Cheese sandwich", "category": "mains", "price": 450,
     "vat": {"eat_in": "standard", "takeaway": "zero"}, "station": "kitchen", "colour": "#ffee00",
     "modifier_groups": ["sauce"]},
    {"id": "beer", "sku": "D1", "name": "Lager", "category": "drinks", "price": 0,
     "vat": {"eat_in": "standard", "takeaway": "standard"}, "station": "bar", "colour": "#eecc00",
     "variants": [{"id": "half", "name": "Half", "price": 310}, {"id": "pint", "name": "Pint", "price": 595}]},
    {"id": "cake", "sku": "C1", "name": "Slice of cake", "category": "mains", "price": 325,
     "vat": {"eat_in": "standard", "takeaway": "zero"}, "station": "kitchen", "colour": "#cc88aa"},
    {"id": "loaf", "sku": "L1", "name": "Sourdough loaf", "category": "shop", "price": 380,
     "vat": {"eat_in": "zero", "takeaway": "zero"}, "station": "kitchen", "colour": "#996633"},
    {"id": "carseat", "sku": "R1", "name": "Child car seat", "category": "shop", "price": 2100,
     "vat": {"eat_in": "reduced", "takeaway": "reduced"}, "station": "kitchen", "colour": "#334455"},
    {"id": "chew", "sku": "P1", "name": "Penny chew", "category": "shop", "price": 1,
     "vat": {"eat_in": "standard", "takeaway": "standard"}, "station": "bar", "colour": "#ff00ff"}
  ]
}"##;

/// The test menu, validated.
pub fn menu() -> Catalog {
    let data: CatalogData = serde_json::from_str(MENU_JSON).expect("test menu parses");
    Catalog::new(data).expect("test menu is valid")
}

/// Who and when: fixed values, the core never reads a clock.
pub fn ctx() -> Ctx {
    let staff = StaffId::new("alice").expect("valid staff id");
    Ctx {
        approver: Some(staff.clone()),
        grants: fynlo_core::permission::Permissions::all(),
        ..Ctx::new(Timestamp::from_millis(1_795_000_000_000), staff)
    }
}

/// Table 4, two covers.
pub fn dine_in() -> OrderKind {
    OrderKind::DineIn {
        table: "4".into(),
        covers: 2,
    }
}

/// Taken away.
pub fn takeaway() -> OrderKind {
    OrderKind::Takeaway
}

/// A service charge rule.
pub fn policy(enabled: bool, bp: u32, kind: ServiceChargeKind, dine_in_only: bool) -> ServiceChargePolicy {
    ServiceChargePolicy {
        enabled,
        rate: BasisPoints::new(bp),
        kind,
        dine_in_only,
    }
}

/// Opens an order of `kind` under a service charge rule.
pub fn open(kind: OrderKind, service_charge: ServiceChargePolicy) -> Order {
    open_in(kind, service_charge, Currency::GBP)
}

/// Opens an order in another currency.
pub fn open_in(kind: OrderKind, service_charge: ServiceChargePolicy, currency: Currency) -> Order {
    let req = OpenOrder {
        id: OrderId::parse("0190b6a4-7c2e-7d3a-9f00-000000000001").expect("valid order id"),
        number: 1,
        business_date: BusinessDate::parse("2026-11-22").expect("valid date"),
        device: DeviceId::parse("0190b6a4-7c2e-7d3a-9f00-0000000000d1").expect("valid device id"),
        currency,
        kind,
        service_charge,
    };
    Order::open(req, &ctx()).expect("order opens").0
}

/// Runs a command: the new order, or the error (and the caller keeps the old order).
pub fn run(order: &Order, cmd: &OrderCommand, catalog: &Catalog) -> Result<Order> {
    order.execute(cmd, catalog, &ctx()).map(|(next, _events)| next)
}

/// `AddLine` of a product with an optional variant and modifiers.
pub fn add_line(product: &str, variant: Option<&str>, modifiers: &[&str], quantity: i64) -> OrderCommand {
    OrderCommand::AddLine(LineRequest {
        product: Some(ProductId::new(product).expect("valid product id")),
        variant: variant.map(|v| VariantId::new(v).expect("valid variant id")),
        modifiers: modifiers
            .iter()
            .map(|m| ModifierId::new(*m).expect("valid modifier id"))
            .collect(),
        quantity,
        ..LineRequest::default()
    })
}

/// A percent discount of `bp` basis points.
pub fn percent(bp: u32) -> Discount {
    Discount {
        kind: DiscountKind::Percent {
            rate: BasisPoints::new(bp),
        },
        reason: "test".into(),
    }
}

/// A fixed discount of `pence`.
pub fn fixed(pence: i64) -> Discount {
    Discount {
        kind: DiscountKind::Fixed {
            amount: Minor::new(pence),
        },
        reason: "test".into(),
    }
}

/// `SetLineDiscount` on line `no`.
pub fn line_discount(no: u32, discount: Discount) -> OrderCommand {
    OrderCommand::SetLineDiscount {
        line: LineNo::new(no),
        discount: Some(discount),
    }
}
