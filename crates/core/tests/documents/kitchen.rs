//! Kitchen and void tickets: one per station, only the lines named, grouped by course, quantities large,
//! no prices.

use fynlo_core::{
    document::{
        kitchen::{kitchen_tickets, void_tickets, VOID},
        Block, Document, DocumentKind, Size, Style,
    },
    ids::{LineNo, StationId},
    order::{Course, Order, OrderCommand, OrderKind},
    Error,
};

use crate::{add, all_words, discretionary, has_text, no_service, ok, open, pint, row, table, texts, ticket_ctx, Add};

fn station(doc: &(StationId, Document)) -> &str {
    doc.0.as_str()
}

/// Table 4: a pint (bar), 2 burgers (main, seat 2, no onions), soup (starter), then later a cake.
fn kitchen_order() -> Order {
    let o = open(table(), discretionary());
    let o = ok(&o, pint());
    let o = ok(
        &o,
        add(Add {
            product: "burger",
            modifiers: &["rare", "no-bun"],
            quantity: 2,
            note: Some("no onions"),
            course: Some(Course::Main),
            seat: Some(2),
            ..Add::default()
        }),
    );
    let o = ok(
        &o,
        add(Add {
            course: Some(Course::Starter),
            ..Add::default()
        }),
    );
    ok(&o, OrderCommand::SendToKitchen)
}

#[test]
fn kitchen_tickets_go_one_per_station_grouped_by_course_without_prices() {
    let o = kitchen_order();
    let sent = [LineNo::new(2), LineNo::new(1), LineNo::new(3)];
    let tickets = ticket_ctx(|c| kitchen_tickets(&o, &sent, c)).expect("tickets");
    assert_eq!(tickets.iter().map(station).collect::<Vec<_>>(), vec!["kitchen", "bar"]);
    let kitchen = &tickets[0].1;
    assert_eq!(kitchen.kind, DocumentKind::KitchenTicket);
    assert!(has_text(kitchen, "KITCHEN"));
    assert!(has_text(kitchen, "TABLE 4"));
    assert!(has_text(kitchen, "2 COVERS"));
    assert!(has_text(kitchen, "Server: Alice"));
    assert_eq!(row(kitchen, "Order #12").map(|r| r.0), Some("21:50"));
    let large = Style::bold().with_size(Size::Double);
    let order: Vec<&str> = texts(kitchen)
        .into_iter()
        .filter(|(t, s)| t.starts_with("--") || *s == large)
        .map(|(t, _)| t)
        .collect();
    // The starter comes before the main, though the main was sent first.
    assert_eq!(
        order,
        vec!["TABLE 4", "-- STARTER --", "1 x Soup", "-- MAIN --", "2 x Burger"]
    );
    let under = Style::NORMAL.with_indent(2);
    assert!(texts(kitchen).contains(&("Seat 2", under.with_bold())));
    assert!(texts(kitchen).contains(&("No bun", under)));
    assert!(texts(kitchen).contains(&("** no onions", under.with_bold())));
    assert!(!all_words(kitchen).contains('£'));
    assert!(!all_words(kitchen).contains("Lager"));

    let bar = &tickets[1].1;
    assert!(texts(bar).contains(&("1 x Lager", large)));
    assert!(texts(bar).contains(&("Pint", under.with_bold())));
    // No course on the bar's only line: no headings.
    assert!(!all_words(bar).contains("--"));
    assert!(!all_words(bar).contains("Burger"));
}

#[test]
fn a_later_send_prints_only_its_own_lines() {
    let o = kitchen_order();
    let o = ok(
        &o,
        add(Add {
            product: "cake",
            course: Some(Course::Dessert),
            ..Add::default()
        }),
    );
    let o = ok(&o, OrderCommand::SendToKitchen);
    let tickets = ticket_ctx(|c| kitchen_tickets(&o, &[LineNo::new(4)], c)).expect("tickets");
    assert_eq!(tickets.len(), 1);
    assert_eq!(station(&tickets[0]), "kitchen");
    let words = all_words(&tickets[0].1);
    assert!(words.contains("1 x Slice of cake") && words.contains("-- DESSERT --"));
    assert!(!words.contains("Burger") && !words.contains("Soup"));

    let takeaway = ok(&open(OrderKind::Takeaway, no_service()), pint());
    let takeaway = ok(&takeaway, OrderCommand::SendToKitchen);
    let tickets = ticket_ctx(|c| kitchen_tickets(&takeaway, &[LineNo::new(1)], c)).expect("tickets");
    assert!(has_text(&tickets[0].1, "TAKEAWAY"));
}

#[test]
fn kitchen_tickets_refuse_unknown_and_voided_lines() {
    let o = kitchen_order();
    assert_eq!(
        ticket_ctx(|c| kitchen_tickets(&o, &[LineNo::new(1), LineNo::new(99)], c)).err(),
        Some(Error::UnknownLine(LineNo::new(99)))
    );
    let o = ok(
        &o,
        OrderCommand::VoidLine {
            line: LineNo::new(1),
            reason: "spilt".into(),
        },
    );
    assert_eq!(
        ticket_ctx(|c| kitchen_tickets(&o, &[LineNo::new(1)], c)).err(),
        Some(Error::LineVoid(LineNo::new(1)))
    );
    assert!(ticket_ctx(|c| kitchen_tickets(&o, &[], c))
        .expect("nothing to print")
        .is_empty());
}

#[test]
fn a_void_ticket_has_the_void_banner_the_lines_and_the_reason() {
    let o = kitchen_order();
    let o = ok(
        &o,
        OrderCommand::VoidLine {
            line: LineNo::new(2),
            reason: "guest left".into(),
        },
    );
    let tickets = ticket_ctx(|c| void_tickets(&o, &[LineNo::new(2)], c)).expect("void tickets");
    assert_eq!(tickets.len(), 1);
    assert_eq!(station(&tickets[0]), "kitchen");
    let doc = &tickets[0].1;
    assert_eq!(doc.kind, DocumentKind::VoidTicket);
    assert_eq!(doc.blocks[0], Block::banner(VOID));
    assert!(has_text(doc, "TABLE 4"));
    assert!(texts(doc).contains(&("2 x Burger", Style::bold().with_size(Size::Double))));
    assert!(has_text(doc, "Reason: guest left"));
    assert!(!all_words(doc).contains("Soup"));
    // A line still ordered is not voided on paper.
    assert!(matches!(
        ticket_ctx(|c| void_tickets(&o, &[LineNo::new(3)], c)),
        Err(Error::InvalidField { field: "voided", .. })
    ));
}
