//! Menus with extreme numbers (`catalog.rs`): whatever a menu file holds, validating it, adding its
//! products to an order and pricing that order never panics and never wraps — every number out of range
//! is an error. (Tests run with overflow checks, so a wrap would panic here.)

use fynlo_core::{
    catalog::{Catalog, CatalogData},
    ids::{ModifierId, ProductId, StaffId},
    order::{Ctx, LineRequest, OrderCommand},
    time::Timestamp,
};
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::{dine_in, open, policy};

/// Numbers a hostile or careless menu file might hold.
fn extreme() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(i64::MIN),
        Just(i64::MIN + 1),
        Just(-1),
        Just(0),
        Just(1),
        Just(i64::MAX),
        Just(i64::MAX - 1),
        Just(1_000_000),
        Just(10_000_000),
        Just(10_000_001),
        -2_000_000i64..2_000_000,
        any::<i64>(),
    ]
}

fn small_or_huge() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(0i64),
        Just(1),
        Just(3),
        Just(i64::from(u32::MAX)),
        Just(i64::MAX),
        Just(-1),
        0i64..10
    ]
}

fn menu(price: i64, variant: i64, deltas: [i64; 3], min: i64, max: i64) -> Value {
    json!({
        "categories": [{"id": "c", "name": "C", "colour": "#112233"}],
        "modifier_groups": [{"id": "g", "name": "G", "min": min, "max": max, "modifiers": [
            {"id": "m1", "name": "M1", "price_delta": deltas[0]},
            {"id": "m2", "name": "M2", "price_delta": deltas[1]},
            {"id": "m3", "name": "M3", "price_delta": deltas[2]}]}],
        "products": [
            {"id": "p", "sku": "P", "name": "P", "category": "c", "price": price,
             "vat": {"eat_in": "standard", "takeaway": "zero"}, "station": "kitchen", "colour": "#445566",
             "modifier_groups": ["g"]},
            {"id": "v", "sku": "V", "name": "V", "category": "c", "price": 0,
             "vat": {"eat_in": "reduced", "takeaway": "reduced"}, "station": "bar", "colour": "#778899",
             "variants": [{"id": "big", "name": "Big", "price": variant}]}
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::properties::cases(3000)))]

    // Regression: a modifier `price_delta` of −2⁶³ panicked the import (`abs` overflow); a release
    // build would have wrapped.
    #[test]
    fn extreme_menus_are_refused_or_priced_never_panic(
        price in extreme(),
        variant in extreme(),
        deltas in [extreme(), extreme(), extreme()],
        min in small_or_huge(),
        max in small_or_huge(),
        quantity in extreme(),
        chosen in proptest::sample::subsequence(vec!["m1", "m2", "m3"], 0..=3),
    ) {
        let file = menu(price, variant, deltas, min, max);
        let Ok(data) = serde_json::from_value::<CatalogData>(file) else {
            // Numbers that do not fit the field's type are refused by the parser.
            return Ok(());
        };
        let Ok(catalog) = Catalog::new(data) else { return Ok(()) };
        let staff = StaffId::new("sam").expect("valid");
        let ctx = Ctx::new(Timestamp::from_millis(1_795_000_000_000), staff);
        let order = open(dine_in(), policy(true, 1250, fynlo_core::settings::ServiceChargeKind::Compulsory, true));
        let add = OrderCommand::AddLine(LineRequest {
            product: Some(ProductId::new("p").expect("valid")),
            modifiers: chosen.iter().map(|m| ModifierId::new(*m).expect("valid")).collect(),
            quantity,
            ..LineRequest::default()
        });
        if let Ok((order, _)) = order.execute(&add, &catalog, &ctx) {
            let _ = order.totals();
            let big = OrderCommand::AddLine(LineRequest {
                product: Some(ProductId::new("v").expect("valid")),
                variant: Some(fynlo_core::ids::VariantId::new("big").expect("valid")),
                quantity: 999,
                ..LineRequest::default()
            });
            if let Ok((order, _)) = order.execute(&big, &catalog, &ctx) {
                let totals = order.totals().expect("a menu the core accepted prices");
                prop_assert!(totals.total.get() >= 0);
            }
        }
    }
}

#[test]
fn the_numbers_the_review_found_are_refused() {
    for (price, variant, deltas) in [
        (450, 310, [i64::MIN, 0, 0]),
        (450, 310, [i64::MAX, 0, 0]),
        (i64::MAX, 310, [0, 0, 0]),
        (450, i64::MAX, [0, 0, 0]),
        (450, -1, [0, 0, 0]),
        (450, 310, [1_000_001, 0, 0]),
    ] {
        let data: CatalogData = serde_json::from_value(menu(price, variant, deltas, 0, 3)).expect("parses");
        assert!(Catalog::new(data).is_err(), "{price} {variant} {deltas:?}");
    }
}
