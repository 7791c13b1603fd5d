//! Benchmark: pricing a 30-line dine-in order with modifiers, variants, line and order discounts and a
//! service charge (target ≤ 20 µs). Results go in `docs/benchmarks.md`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use fynlo_core::{order::DiscountKind, Minor};

mod support;

use support::{catalog, dine_in_order, Shape};

fn pricing(c: &mut Criterion) {
    let catalog = catalog();
    let order = dine_in_order(
        &catalog,
        &Shape {
            lines: 30,
            third: "salad",
            discount_every: 5,
            order_discount: DiscountKind::Fixed {
                amount: Minor::new(1234),
            },
        },
    );
    assert_eq!(order.live_lines().count(), 30);
    // `pricing::price` itself: `Order::priced` keeps its answer until the order changes, so asking the
    // same order again would measure the cache.
    c.bench_function("price a 30-line order (modifiers, discounts, service charge)", |b| {
        b.iter(|| fynlo_core::pricing::price(black_box(&order)).expect("prices"));
    });
}

criterion_group!(benches, pricing);
criterion_main!(benches);
