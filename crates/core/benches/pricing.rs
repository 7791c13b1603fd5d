//! Benchmark: pricing a 30-line dine-in order with modifiers, variants, line and order discounts and a
//! service charge (target ≤ 20 µs). Results go in `docs/benchmarks.md`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use fynlo_core::{
    catalog::{Catalog, CatalogData},
    ids::{DeviceId, LineNo, ModifierId, OrderId, ProductId, StaffId, VariantId},
    order::{Ctx, Discount, DiscountKind, LineRequest, OpenOrder, Order, OrderCommand, OrderKind},
    settings::ServiceChargePolicy,
    time::{BusinessDate, Timestamp},
    BasisPoints, Currency, Minor,
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
     "vat": {"eat_in": "reduced", "takeaway": "reduced"}, "station": "bar", "colour": "#0000ff"}
  ]
}"##;

fn order_of_30_lines(catalog: &Catalog) -> Order {
    let staff = StaffId::new("bench").expect("valid id");
    // The bench acts as a manager: its discounts are above the approval threshold.
    let ctx = Ctx {
        approver: Some(staff.clone()),
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
    for i in 0..30u32 {
        let request = match i % 4 {
            0 => LineRequest {
                product: Some(ProductId::new("steak").expect("id")),
                modifiers: vec![id("rare"), id("cheese"), id("bacon")],
                quantity: 1 + i64::from(i % 3),
                ..LineRequest::default()
            },
            1 => LineRequest {
                product: Some(ProductId::new("beer").expect("id")),
                variant: Some(VariantId::new("pint").expect("id")),
                quantity: 2,
                ..LineRequest::default()
            },
            2 => LineRequest {
                product: Some(ProductId::new("salad").expect("id")),
                quantity: 1,
                ..LineRequest::default()
            },
            _ => LineRequest {
                product: Some(ProductId::new("seat").expect("id")),
                quantity: 1,
                ..LineRequest::default()
            },
        };
        order = order
            .execute(&OrderCommand::AddLine(request), catalog, &ctx)
            .expect("adds")
            .0;
        if i % 5 == 0 {
            let discount = Discount {
                kind: DiscountKind::Percent {
                    rate: BasisPoints::new(1250),
                },
                reason: "bench".into(),
            };
            let cmd = OrderCommand::SetLineDiscount {
                line: LineNo::new(i + 1),
                discount: Some(discount),
            };
            order = order.execute(&cmd, catalog, &ctx).expect("discounts").0;
        }
    }
    let discount = Discount {
        kind: DiscountKind::Fixed {
            amount: Minor::new(1234),
        },
        reason: "bench".into(),
    };
    order
        .execute(&OrderCommand::SetOrderDiscount(Some(discount)), catalog, &ctx)
        .expect("order discount")
        .0
}

fn pricing(c: &mut Criterion) {
    let data: CatalogData = serde_json::from_str(MENU).expect("menu parses");
    let catalog = Catalog::new(data).expect("menu valid");
    let order = order_of_30_lines(&catalog);
    assert_eq!(order.live_lines().count(), 30);
    c.bench_function("price a 30-line order (modifiers, discounts, service charge)", |b| {
        b.iter(|| black_box(&order).totals().expect("prices"))
    });
}

criterion_group!(benches, pricing);
criterion_main!(benches);
