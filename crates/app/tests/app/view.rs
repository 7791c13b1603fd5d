//! Replies (`view.rs`): the amounts an order shows, worked out by hand from the demo menu's prices and the
//! pricing rules of SPEC §2, and the menu as the till shows it.

use fynlo_app::{
    view::{OrderView, VatView},
    Reply,
};

use crate::Fixture;

/// (class, gross, vat) for each VAT row.
fn vat_rows(o: &OrderView) -> Vec<(&str, i64, i64)> {
    o.totals
        .vat
        .iter()
        .map(|VatView { class, gross, vat, .. }| (class.as_str(), gross.0, vat.0))
        .collect()
}

#[tokio::test]
async fn a_table_pays_a_discretionary_service_charge_outside_vat() {
    let mut f = Fixture::logged_in().await;
    f.ok(r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "4", "covers": 2}}"#)
        .await;
    f.ok(r#"{"cmd": "add_line", "sku": "MN02", "modifiers": ["medium", "peppercorn"]}"#)
        .await;
    let o = f
        .order(r#"{"cmd": "add_line", "product": "lager", "variant": "pint", "quantity": 2}"#)
        .await;
    // Sirloin 26.00 + peppercorn 2.50 = 28.50; two pints 2 × 5.95 = 11.90; together 40.40.
    assert_eq!(
        (o.lines[0].gross.0, o.lines[1].gross.0, o.totals.subtotal.0),
        (2850, 1190, 4040)
    );
    // 12.5 % of 40.40 = 5.05, dine-in only and discretionary: no VAT on it.
    assert_eq!(
        (o.service_charge.rate_bp, o.service_charge.kind.as_str()),
        (1250, "discretionary")
    );
    assert!(o.service_charge.applies);
    assert_eq!(o.totals.service_charge.0, 505);
    // VAT is 1/6 of the 40.40 of food and drink: 6.7333 → 6.73.
    assert_eq!(vat_rows(&o), [("standard", 4040, 673)]);
    assert_eq!((o.totals.vat[0].rate_bp, o.totals.vat[0].net.0), (2000, 3367));
    assert_eq!((o.totals.total.0, o.totals.paid.0, o.totals.balance.0), (4545, 0, 4545));
    assert_eq!(
        (o.currency.as_str(), o.lines[0].vat_class.as_str()),
        ("GBP", "standard")
    );

    let paid = f.order(r#"{"cmd": "take_cash", "tendered": 5000}"#).await;
    assert_eq!(
        (
            paid.payments[0].amount.0,
            paid.payments[0].change.0,
            paid.totals.balance.0
        ),
        (4545, 455, 0)
    );
}

#[tokio::test]
async fn cold_food_to_take_away_is_zero_rated_with_no_service_charge() {
    let mut f = Fixture::logged_in().await;
    f.ok(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#).await;
    for sku in ["MN04", "MN07", "MN01", "SF01"] {
        f.ok(&format!(r#"{{"cmd": "add_line", "sku": "{sku}"}}"#)).await;
    }
    let o = f.order(r#"{"cmd": "show_order"}"#).await;
    let classes: Vec<(&str, &str)> = o
        .lines
        .iter()
        .map(|l| (l.product.as_str(), l.vat_class.as_str()))
        .collect();
    assert_eq!(
        classes,
        [
            ("caesar", "zero"),
            ("ploughmans", "zero"),
            ("fish-chips", "standard"),
            ("cola", "standard")
        ]
    );
    // Hot fish & chips 16.50 + cola 2.95 = 19.45 standard (VAT 3.2417 → 3.24);
    // the Caesar salad 14.50 and the ploughman's 12.50 = 27.00 zero-rated.
    assert_eq!(vat_rows(&o), [("standard", 1945, 324), ("zero", 2700, 0)]);
    assert!(!o.service_charge.applies);
    assert_eq!(
        (o.totals.service_charge.0, o.totals.total.0, o.totals.vat_total.0),
        (0, 4645, 324)
    );

    // Eaten in after all: everything is standard-rated and the service charge applies.
    let o = f
        .order(r#"{"cmd": "set_order_type", "kind": {"type": "dine_in", "table": "9", "covers": 2}}"#)
        .await;
    // 46.45 / 6 = 7.7417 → 7.74; 12.5 % of 46.45 = 5.80625 → 5.81.
    assert_eq!(vat_rows(&o), [("standard", 4645, 774)]);
    assert_eq!((o.totals.service_charge.0, o.totals.total.0), (581, 5226));
}

#[tokio::test]
async fn discounts_come_off_the_vat_base_of_their_lines() {
    let mut f = Fixture::logged_in().await;
    f.ok(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#).await;
    f.ok(r#"{"cmd": "add_line", "sku": "ST05"}"#).await;
    f.ok(r#"{"cmd": "add_line", "sku": "MN01"}"#).await;
    f.ok(r#"{"cmd": "set_line_discount", "line": 2,
            "discount": {"type": "fixed", "amount": 150, "reason": "small portion"}, "approval": {"pin": "2468", "staff": "priya"}}"#)
        .await;
    let o = f
        .order(
            r#"{"cmd": "set_order_discount",
                "discount": {"type": "percent", "rate_bp": 1000, "reason": "loyalty card"}, "approval": {"pin": "2468", "staff": "priya"}}"#,
        )
        .await;
    // Burrata 8.95 (zero to take away); fish & chips 16.50 - 1.50 = 15.00 (standard).
    // 10 % of 23.95 = 2.395 → 2.40, shared 8.95 : 15.00 → 0.8969 and 1.5031, so 0.90 and 1.50.
    assert_eq!((o.totals.line_discounts.0, o.totals.order_discount.0), (150, 240));
    assert_eq!((o.lines[0].order_discount.0, o.lines[1].order_discount.0), (90, 150));
    assert_eq!((o.lines[0].net.0, o.lines[1].net.0), (805, 1350));
    // Standard VAT on 13.50 is 2.25 exactly.
    assert_eq!(vat_rows(&o), [("standard", 1350, 225), ("zero", 805, 0)]);
    assert_eq!((o.totals.after_discounts.0, o.totals.total.0), (2155, 2155));
    let discount = o.discount.expect("an order discount");
    assert_eq!(
        (discount.kind.as_str(), discount.rate_bp, discount.reason.as_str()),
        ("percent", Some(1000), "loyalty card")
    );
}

#[tokio::test]
async fn replies_are_tagged_json() {
    let mut f = Fixture::logged_in().await;
    let reply = f.ok(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#).await;
    let json = serde_json::to_value(&reply).expect("serialises");
    assert_eq!(json["type"], "order");
    assert_eq!(json["number"], 1);
    assert_eq!(json["totals"]["total"], 0, "amounts are integer pence");
    let session = serde_json::to_value(f.ok(r#"{"cmd": "whoami"}"#).await).expect("serialises");
    assert_eq!(session["type"], "session");
    assert_eq!(session["staff"]["id"], "sam");
    assert!(session["staff"].get("pin_hash").is_none());
}

#[tokio::test]
async fn the_menu_shows_what_can_be_sold() {
    let mut f = Fixture::new().await;
    let Reply::Menu(menu) = f.ok(r#"{"cmd": "menu"}"#).await else {
        panic!("menu answers with the menu");
    };
    assert_eq!(
        (menu.vat_number.as_str(), menu.currency.as_str()),
        ("GB246813579", "GBP")
    );
    assert_eq!(menu.categories.len(), 7);
    let product = |id: &str| menu.products.iter().find(|p| p.id == id).expect("on the menu");
    let squid = product("squid");
    assert!(!squid.available, "the squid is 86'd");
    assert!(product("sirloin").available);
    assert_eq!(product("sirloin").modifier_groups, ["steak-cooking", "steak-sauce"]);
    let lager = product("lager");
    let variants: Vec<(&str, i64)> = lager.variants.iter().map(|v| (v.id.as_str(), v.price.0)).collect();
    assert_eq!(variants, [("half", 310), ("pint", 595)]);
    assert_eq!(product("cola").barcode.as_deref(), Some("5449000000996"));
    assert_eq!(
        (
            product("caesar").vat_eat_in.as_str(),
            product("caesar").vat_takeaway.as_str()
        ),
        ("standard", "zero")
    );
    let cooking = menu
        .modifier_groups
        .iter()
        .find(|g| g.id == "steak-cooking")
        .expect("a cooking group");
    assert_eq!((cooking.min, cooking.max, cooking.modifiers.len()), (1, 1, 5));
    let avocado = menu
        .modifier_groups
        .iter()
        .flat_map(|g| &g.modifiers)
        .find(|m| m.id == "avocado")
        .expect("avocado");
    assert_eq!((avocado.available, avocado.price_delta.0), (false, 150));
}
