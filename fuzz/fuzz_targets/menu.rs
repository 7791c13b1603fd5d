//! Fuzzes menu files: any bytes read as a menu file must be refused with `invalid_menu` (or an input
//! error) or accepted as a menu whose every product can be added to an order and priced — never a
//! panic, never a wrapped number.

#![no_main]

use fynlo_app::{setup, ErrorCode};
use fynlo_core::{
    catalog::Catalog,
    ids::{DeviceId, OrderId, StaffId},
    order::{Ctx, LineRequest, OpenOrder, Order, OrderCommand, OrderKind},
    time::{BusinessDate, Timestamp},
    Currency,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let data = match setup::parse_menu(text) {
        Ok(data) => data,
        Err(e) => {
            assert!(matches!(e.code, ErrorCode::InvalidMenu | ErrorCode::InvalidInput));
            return;
        }
    };
    let Ok(catalog) = Catalog::new(data.clone()) else { panic!("parse_menu accepted an invalid menu") };
    let staff = StaffId::new("fuzz").expect("a staff id");
    let ctx = Ctx::new(Timestamp::from_millis(0), staff);
    let open = OpenOrder {
        id: OrderId::from_uuid(uuid_of(1)),
        number: 1,
        business_date: BusinessDate::parse("2026-12-04").expect("a date"),
        device: DeviceId::from_uuid(uuid_of(2)),
        currency: Currency::GBP,
        kind: OrderKind::Takeaway,
        service_charge: Default::default(),
    };
    let Ok((mut order, _)) = Order::open(open, &ctx) else { return };
    for product in &data.products {
        let line = LineRequest {
            product: Some(product.id.clone()),
            variant: product.variants.first().map(|v| v.id.clone()),
            quantity: 999,
            ..LineRequest::default()
        };
        if let Ok((next, _)) = order.execute(&OrderCommand::AddLine(line), &catalog, &ctx) {
            order = next;
        }
    }
    let _ = order.totals();
});

fn uuid_of(n: u128) -> uuid::Uuid {
    uuid::Uuid::from_u128(n)
}
