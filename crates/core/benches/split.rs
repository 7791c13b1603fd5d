//! Benchmark: splitting a 50-line dine-in order with 3 VAT rates, line and order discounts and a service
//! charge across 8 guests by item — every line to one guest, every fifth shared by three, one shared by
//! all eight (target ≤ 50 µs). Results go in `docs/benchmarks.md`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use fynlo_core::{
    catalog::VatClass,
    order::{DiscountKind, Order},
    split::{split_bill, ItemShare, Split, SplitPlan},
    BasisPoints, Minor,
};

mod support;

use support::{catalog, dine_in_order, Shape};

const PARTS: u32 = 8;
const GUESTS: usize = PARTS as usize;

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
    SplitPlan::ByItem { parts: PARTS, items }
}

fn split(c: &mut Criterion) {
    let order = dine_in_order(
        &catalog(),
        &Shape {
            lines: 50,
            third: "loaf",
            discount_every: 7,
            order_discount: DiscountKind::Percent {
                rate: BasisPoints::new(1000),
            },
        },
    );
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
        plan: SplitPlan::Even { parts: PARTS },
        settled: Minor::ZERO,
    };
    c.bench_function("split the same order evenly 8 ways", |b| {
        b.iter(|| split_bill(black_box(&totals), black_box(&even)).expect("splits"));
    });
}

criterion_group!(benches, split);
criterion_main!(benches);
