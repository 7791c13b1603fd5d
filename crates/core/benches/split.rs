//! Benchmark: splitting a 50-line dine-in order with 3 VAT rates, line and order discounts and a service
//! charge across 8 guests by item — every line to one guest, every fifth shared by three, one shared by
//! all eight (target ≤ 50 µs). Results go in `docs/benchmarks.md`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use fynlo_core::{
    catalog::{Catalog, CatalogData, VatClass},
    ids::{DeviceId, LineNo, ModifierId, OrderId, ProductId, StaffId, VariantId},
    order::{Ctx, Discount, DiscountKind, LineRequest, OpenOrder, Order, OrderCommand, OrderKind},
    settings::ServiceChargePolicy,
    split::{split_bill, ItemShare, Split, SplitPlan},
    time::{BusinessDate, Timestamp},
    BasisPoints, Currency, Minor,
};
use uuid::Uuid;

const MENU: &str = r##"{
  "categories": [{"id": "food", "name": "Food", "colour": "#aa3300"}],
  "modifier_groups": [
    {"id": "cooking", "name": "Cooking", "min": 1, "max": 1, "modifiers": [
      {"id": "rare", "name": "Rare"}, {"id": "medium", "name": "Medium"}]},
    {"id": "extras", "name": "Extras", "min": 0, "max": 2, "modifiers": [
      {"id": "cheese", "name": "Cheese", "price_delta": 100},
      {"id": "bacon", "name": "Bacon", "price_delta": 150}]}
  ],
  "products": [
    {"id": "steak", "sku": "S", "name": "Steak", "category": "food", "price": 2600,
     "vat": {"eat_in": "standard", "takeaway": "standard"}, "station": "kitchen", "colour": "#ff0000",
     "modifier_groups": ["cooking", "extras"]},
    {"id": "beer", "sku": "B", "name": "Beer", "category": "food", "price": 0,
     "vat": {"eat_in": "standard", "takeaway": "standard"}, "station": "bar", "colour": "#ffff00",
     "variants": [{"id": "half", "name": "Half", "price": 310}, {"id": "pint", "name": "Pint", "price": 595}]},
    {"id": "seat", "sku": "C", "name": "Child seat hire", "category": "food", "price": 199,
     "vat": {"eat_in": "reduced", "takeaway": "reduced"}, "station": "bar", "colour": "#0000ff"},
    {"id": "loaf", "sku": "L", "name": "Sourdough loaf to take home", "category": "food", "price": 380,
     "vat": {"eat_in": "zero", "takeaway": "zero"}, "station": "kitchen", "colour": "#996633"}
  ]
}"##;

const GUESTS: usize = 8;

fn order_of_50_lines(catalog: &Catalog) -> Order {
    let staff = StaffId::new("bench").expect("valid id");
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
    for i in 0..50u32 {
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
                product: Some(ProductId::new("loaf").expect("id")),
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
        if i % 7 == 0 {
            let cmd = OrderCommand::SetLineDiscount {
                line: LineNo::new(i + 1),
                discount: Some(Discount {
                    kind: DiscountKind::Percent {
                        rate: BasisPoints::new(1250),
                    },
                    reason: "bench".into(),
                }),
            };
            order = order.execute(&cmd, catalog, &ctx).expect("discounts").0;
        }
    }
    let discount = Discount {
        kind: DiscountKind::Percent {
            rate: BasisPoints::new(1000),
        },
        reason: "bench".into(),
    };
    order
        .execute(&OrderCommand::SetOrderDiscount(Some(discount)), catalog, &ctx)
        .expect("order discount")
        .0
}

fn by_item(order: &Order) -> SplitPlan {
    let items = order
        .live_lines()
        .enumerate()
        .map(|(i, line)| {
            let mut weights = vec![0u32; GUESTS];
            if i == 0 {
                weights = vec![1; GUESTS];
            } else if i % 5 == 0 {
                for g in 0..3 {
                    weights[(i + g) % GUESTS] = 1;
                }
            } else {
                weights[i % GUESTS] = 1;
            }
            ItemShare { line: line.no, weights }
        })
        .collect();
    SplitPlan::ByItem {
        parts: GUESTS as u32,
        items,
    }
}

fn split(c: &mut Criterion) {
    let data: CatalogData = serde_json::from_str(MENU).expect("menu parses");
    let catalog = Catalog::new(data).expect("menu valid");
    let order = order_of_50_lines(&catalog);
    let totals = order.totals().expect("prices");
    assert_eq!(totals.lines.len(), 50);
    assert_eq!(totals.vat.len(), 3, "standard, reduced and zero");
    assert!(totals.vat.iter().any(|v| v.class == VatClass::Zero));
    assert!(totals.service_charge.is_positive() && totals.order_discount.is_positive());
    let plan = Split {
        seq: 1,
        plan: by_item(&order),
        settled: Minor::ZERO,
    };
    let bill = split_bill(&totals, &plan).expect("splits");
    assert_eq!(bill.parts.len(), GUESTS);
    c.bench_function(
        "split a 50-line order by item across 8 guests (3 VAT rates, discounts, service)",
        |b| b.iter(|| split_bill(black_box(&totals), black_box(&plan)).expect("splits")),
    );
    let even = Split {
        seq: 1,
        plan: SplitPlan::Even { parts: GUESTS as u32 },
        settled: Minor::ZERO,
    };
    c.bench_function("split the same order evenly 8 ways", |b| {
        b.iter(|| split_bill(black_box(&totals), black_box(&even)).expect("splits"))
    });
}

criterion_group!(benches, split);
criterion_main!(benches);
