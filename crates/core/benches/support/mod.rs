//! What the core's benchmarks share: a small menu and a dine-in order built from it through the real
//! commands.

use fynlo_core::{
    catalog::{Catalog, CatalogData},
    ids::{DeviceId, LineNo, ModifierId, OrderId, ProductId, StaffId, VariantId},
    order::{Ctx, Discount, DiscountKind, LineRequest, OpenOrder, Order, OrderCommand, OrderKind},
    settings::ServiceChargePolicy,
    time::{BusinessDate, Timestamp},
    BasisPoints, Currency,
};
use uuid::Uuid;

const MENU: &str = r##"{
  "categories": [{"id": "food", "name": "Food", "colour": "#aa3300"}],
  "modifier_groups": [
    {"id": "cooking", "name": "Cooking", "min": 1, "max": 1, "modifiers": [
      {"id": "rare", "name": "Rare"}, {"id": "medium", "name": "Medium"}]},
    {"id": "extras", "name": "Extras", "min": 0, "max": 3, "modifiers": [
      {"id": "cheese", "name": "Cheese", "price_delta": 100},
      {"id": "bacon", "name": "Bacon", "price_delta": 150},
      {"id": "egg", "name": "Egg", "price_delta": 95}]}
  ],
  "products": [
    {"id": "steak", "sku": "S", "name": "Steak", "category": "food", "price": 2600,
     "vat": {"eat_in": "standard", "takeaway": "standard"}, "station": "kitchen", "colour": "#ff0000",
     "modifier_groups": ["cooking", "extras"]},
    {"id": "salad", "sku": "L", "name": "Salad", "category": "food", "price": 795,
     "vat": {"eat_in": "standard", "takeaway": "zero"}, "station": "kitchen", "colour": "#00ff00"},
    {"id": "beer", "sku": "B", "name": "Beer", "category": "food", "price": 0,
     "vat": {"eat_in": "standard", "takeaway": "standard"}, "station": "bar", "colour": "#ffff00",
     "variants": [{"id": "half", "name": "Half", "price": 310}, {"id": "pint", "name": "Pint", "price": 595}]},
    {"id": "seat", "sku": "C", "name": "Child seat hire", "category": "food", "price": 199,
     "vat": {"eat_in": "reduced", "takeaway": "reduced"}, "station": "bar", "colour": "#0000ff"},
    {"id": "loaf", "sku": "F", "name": "Sourdough loaf to take home", "category": "food", "price": 380,
     "vat": {"eat_in": "zero", "takeaway": "zero"}, "station": "kitchen", "colour": "#996633"}
  ]
}"##;

/// The benchmarks' menu: steak (required cooking, priced extras), salad (zero-rated to take away), beer
/// (half or pint), child seat hire (reduced rate) and a loaf (zero-rated).
pub fn catalog() -> Catalog {
    let data: CatalogData = serde_json::from_str(MENU).expect("menu parses");
    Catalog::new(data).expect("menu valid")
}

/// What an order of [`dine_in_order`] holds.
pub struct Shape {
    /// How many lines.
    pub lines: u32,
    /// Every fourth line from the third: `salad` or `loaf`.
    pub third: &'static str,
    /// A 12.5 % discount on every line whose index is a multiple of this.
    pub discount_every: u32,
    /// The order discount.
    pub order_discount: DiscountKind,
}

/// A dine-in order for 8 with the 12.5 % service charge: lines cycle through a steak (rare, cheese,
/// bacon; 1–3 of them), two pints, the `third` product and a child seat.
pub fn dine_in_order(catalog: &Catalog, shape: &Shape) -> Order {
    let staff = StaffId::new("bench").expect("valid id");
    // The bench acts as a manager: its discounts are above the approval threshold.
    let ctx = Ctx {
        approver: Some(staff.clone()),
        grants: fynlo_core::permission::Permissions::all(),
        ..Ctx::new(Timestamp::from_millis(0), staff)
    };
    let open = OpenOrder {
        id: OrderId::from_uuid(Uuid::from_u128(1)),
        number: 1,
        business_date: BusinessDate::parse("2026-11-22").expect("valid date"),
        device: DeviceId::from_uuid(Uuid::from_u128(2)),
        currency: Currency::GBP,
        kind: OrderKind::DineIn {
            table: "1".into(),
            covers: 8,
        },
        service_charge: ServiceChargePolicy::default(),
    };
    let (mut order, _) = Order::open(open, &ctx).expect("opens");
    let id = |s: &str| ModifierId::new(s).expect("valid id");
    let product = |s: &str| Some(ProductId::new(s).expect("id"));
    for i in 0..shape.lines {
        let request = match i % 4 {
            0 => LineRequest {
                product: product("steak"),
                modifiers: vec![id("rare"), id("cheese"), id("bacon")],
                quantity: 1 + i64::from(i % 3),
                ..LineRequest::default()
            },
            1 => LineRequest {
                product: product("beer"),
                variant: Some(VariantId::new("pint").expect("id")),
                quantity: 2,
                ..LineRequest::default()
            },
            2 => LineRequest {
                product: product(shape.third),
                quantity: 1,
                ..LineRequest::default()
            },
            _ => LineRequest {
                product: product("seat"),
                quantity: 1,
                ..LineRequest::default()
            },
        };
        order = order
            .execute(&OrderCommand::AddLine(request), catalog, &ctx)
            .expect("adds")
            .0;
        if i % shape.discount_every == 0 {
            let cmd = OrderCommand::SetLineDiscount {
                line: LineNo::new(i + 1),
                discount: Some(discount(DiscountKind::Percent {
                    rate: BasisPoints::new(1250),
                })),
            };
            order = order.execute(&cmd, catalog, &ctx).expect("discounts").0;
        }
    }
    let cmd = OrderCommand::SetOrderDiscount(Some(discount(shape.order_discount)));
    order.execute(&cmd, catalog, &ctx).expect("order discount").0
}

fn discount(kind: DiscountKind) -> Discount {
    Discount {
        kind,
        reason: "bench".into(),
    }
}
