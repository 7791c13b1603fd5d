//! Customer receipts: the header, lines, discounts, service charge, VAT, payments, refunds and footer,
//! for a whole order, each part of a split bill, and a refund.

use fynlo_core::{
    document::{
        receipt::{part_receipt, receipt, refund_receipt, REFUND},
        Block, DocumentKind, Size, Style,
    },
    ids::{LineNo, RefundId},
    order::{Order, OrderCommand, OrderKind},
    payment::PaymentStatus,
    settings::{ServiceChargeKind, ServiceChargePolicy},
    split::{ItemShare, SplitPlan},
    Error, Minor,
};
use uuid::Uuid;

use crate::{
    add, all_words, burgers, card, cash, discretionary, gbp, has_text, no_service, ok, open, percent, pid, pint, row,
    rows, staff, table, texts, vat_table, with_context, Add,
};

/// Table 4: 2 burgers (medium, cheese: 1395 each = 2790, 10 % off = 279), a pint 595, a cake with a note
/// (sent, then voided), 12.5 % discretionary service charge, served by Alice and Bob.
fn dinner() -> Order {
    let o = open(table(), discretionary());
    let o = ok(&o, burgers(2));
    let o = ok(&o, pint());
    let o = ok(
        &o,
        add(Add {
            product: "cake",
            note: Some("birthday candle"),
            ..Add::default()
        }),
    );
    let o = ok(
        &o,
        OrderCommand::SetLineDiscount {
            line: LineNo::new(1),
            discount: Some(percent(1000)),
        },
    );
    let o = ok(&o, OrderCommand::SendToKitchen);
    let o = ok(
        &o,
        OrderCommand::VoidLine {
            line: LineNo::new(3),
            reason: "guest changed mind".into(),
        },
    );
    ok(&o, OrderCommand::SetServers(vec![staff("alice"), staff("bob")]))
}

#[test]
fn a_receipt_shows_the_header_lines_discounts_and_service_charge() {
    let o = dinner();
    let t = o.totals().expect("prices");
    let doc = with_context(|c| receipt(&o, c)).expect("receipt");
    assert_eq!(doc.kind, DocumentKind::Receipt);
    let (name, style) = texts(&doc)[0];
    assert_eq!(name, "The Fynlo Arms");
    assert!(style.bold && style.size == Size::Double && style == style.with_bold());
    assert_eq!(style.align, Style::center().align);
    for text in [
        "1 High Street",
        "VAT No. GB123456789",
        "05/12/2026 21:50",
        "Order #12",
        "Table 4, 2 covers",
        "Served by Alice, Bob",
    ] {
        assert!(has_text(&doc, text), "{text} missing");
    }
    // Lines, with the modifier's price indented under the burger and its discount as a row.
    assert_eq!(row(&doc, "2 x Burger").map(|r| r.0), Some("£27.90"));
    assert!(texts(&doc).contains(&("Cheese +£1.00", Style::NORMAL.with_indent(2))));
    assert!(texts(&doc).contains(&("Medium", Style::NORMAL.with_indent(2))));
    assert_eq!(
        row(&doc, "Discount 10%"),
        Some(("-£2.79", Style::NORMAL.with_indent(2)))
    );
    assert_eq!(row(&doc, "1 x Lager (Pint)").map(|r| r.0), Some("£5.95"));
    // The voided cake is left off, note and all.
    assert!(!all_words(&doc).contains("cake"));
    assert!(!all_words(&doc).contains("birthday"));
    // Subtotal after line discounts: 2511 + 595 = 3106; service 12.5 % = 388.25 → 388; total 3494.
    assert_eq!(row(&doc, "Subtotal").map(|r| r.0), Some("£31.06"));
    assert_eq!(
        row(&doc, "Service charge (discretionary) 12.5%").map(|r| r.0),
        Some(gbp(t.service_charge).as_str())
    );
    assert_eq!(t.service_charge, Minor::new(388));
    let (total, style) = row(&doc, "TOTAL").expect("a total");
    assert_eq!(total, gbp(t.total));
    assert_eq!(total, "£34.94");
    assert!(style.bold);
    assert!(has_text(
        &doc,
        "The discretionary service charge is outside the scope of VAT."
    ));
    // Not paid yet.
    assert_eq!(row(&doc, "BALANCE DUE").map(|r| r.0), Some("£34.94"));
    // The footer, centred, line by line.
    assert!(texts(&doc).contains(&("Thank you for dining with us!", Style::center())));
    assert!(texts(&doc).contains(&("See you soon", Style::center())));
}

#[test]
fn vat_rows_are_the_totals_vat() {
    // Takeaway: a burger (standard) and a cake (zero-rated taken away), with an order discount.
    let o = open(OrderKind::Takeaway, discretionary());
    let o = ok(&o, burgers(1));
    let o = ok(
        &o,
        add(Add {
            product: "cake",
            ..Add::default()
        }),
    );
    let o = ok(&o, OrderCommand::SetOrderDiscount(Some(percent(500))));
    let t = o.totals().expect("prices");
    let doc = with_context(|c| receipt(&o, c)).expect("receipt");
    let want: Vec<Vec<String>> = t
        .vat
        .iter()
        .map(|v| {
            let rate = if v.rate.get() == 0 {
                "Zero".to_owned()
            } else {
                v.rate.to_string()
            };
            vec![rate, gbp(v.net), gbp(v.vat), gbp(v.gross)]
        })
        .collect();
    assert_eq!(vat_table(&doc), want);
    assert_eq!(vat_table(&doc)[0][0], "20%");
    assert_eq!(vat_table(&doc)[1][0], "Zero");
    assert!(has_text(&doc, "Takeaway"));
    assert_eq!(
        row(&doc, "Discount 5%").map(|r| r.0),
        Some(format!("-{}", gbp(t.order_discount)).as_str())
    );
    // No service charge on a takeaway, so no row and no word about it.
    assert!(!all_words(&doc).contains("Service charge"));
    assert!(!all_words(&doc).contains("service charge"));
}

#[test]
fn a_compulsory_service_charge_says_so() {
    let compulsory = ServiceChargePolicy {
        kind: ServiceChargeKind::Compulsory,
        ..ServiceChargePolicy::default()
    };
    let o = ok(&open(table(), compulsory), pint());
    let doc = with_context(|c| receipt(&o, c)).expect("receipt");
    assert!(row(&doc, "Service charge (compulsory) 12.5%").is_some());
    let t = o.totals().expect("prices");
    assert_eq!(vat_table(&doc)[0][3], gbp(t.vat[0].gross));
}

#[test]
fn paid_receipt_shows_each_succeeded_payment_with_tip_tendered_and_change() {
    let o = dinner();
    // A declined card is not on the receipt; a card of £20 with a £3 tip is; cash pays the rest.
    let o = card(&o, 1, 2000, 0, None, PaymentStatus::Failed);
    let o = card(&o, 2, 2000, 300, None, PaymentStatus::Succeeded);
    let o = ok(&o, cash(3, 2000, 0, None));
    let doc = with_context(|c| receipt(&o, c)).expect("receipt");
    let payments: Vec<(&str, &str)> = rows(&doc)
        .into_iter()
        .filter(|(l, _, _)| ["Card", "Cash", "Tip", "Tendered", "Change", "Charged"].contains(l))
        .map(|(l, r, _)| (l, r))
        .collect();
    // 3494 − 2000 = 1494 in cash from £20: change £5.06.
    assert_eq!(
        payments,
        vec![
            ("Card", "£20.00"),
            ("Tip", "£3.00"),
            ("Charged", "£23.00"),
            ("Cash", "£14.94"),
            ("Tendered", "£20.00"),
            ("Change", "£5.06"),
        ]
    );
    assert!(row(&doc, "BALANCE DUE").is_none());
}

#[test]
fn refunds_print_on_their_own_receipt_and_on_the_order_receipt() {
    let o = ok(&open(table(), no_service()), burgers(2));
    let o = ok(&o, pint());
    let o = ok(&o, cash(1, 5000, 0, None));
    let refund = RefundId::from_uuid(Uuid::from_u128(9));
    let o = ok(
        &o,
        OrderCommand::StartRefund {
            refund,
            key: "r9".into(),
            payment: pid(1),
            amount: None,
            lines: vec![(LineNo::new(2), 1)],
            reason: "flat beer".into(),
        },
    );
    let doc = with_context(|c| refund_receipt(&o, refund, c)).expect("refund receipt");
    assert_eq!(doc.kind, DocumentKind::RefundReceipt);
    assert!(doc.blocks.contains(&Block::banner(REFUND)));
    assert!(has_text(&doc, "Original order #12"));
    assert!(has_text(&doc, "05/12/2026 21:50"));
    assert!(has_text(&doc, "Reason: flat beer"));
    assert_eq!(row(&doc, "1 x Lager (Pint)").map(|r| r.0), Some("£5.95"));
    assert_eq!(row(&doc, "TOTAL REFUNDED").map(|r| r.0), Some("£5.95"));
    assert_eq!(row(&doc, "Refunded to").map(|r| r.0), Some("Cash"));
    assert!(has_text(&doc, "Refunded by Alice, approved by Alice"));
    // The order's receipt shows the refund made.
    let whole = with_context(|c| receipt(&o, c)).expect("receipt");
    assert_eq!(row(&whole, "Refund to Cash").map(|r| r.0), Some("-£5.95"));
    // A refund the order does not have.
    let missing = RefundId::from_uuid(Uuid::from_u128(10));
    assert!(matches!(
        with_context(|c| refund_receipt(&o, missing, c)),
        Err(Error::UnknownRefund(_))
    ));
}

#[test]
fn part_receipts_add_up_and_show_only_their_own_payments() {
    let o = dinner();
    let o = ok(&o, OrderCommand::SetSplit(Some(SplitPlan::Even { parts: 3 })));
    let bill = o.bill().expect("bill").expect("split");
    let o = ok(&o, cash(1, 2000, 0, Some(1)));
    let o = card(&o, 2, bill.parts[1].total.get(), 200, Some(2), PaymentStatus::Succeeded);
    let t = o.totals().expect("prices");
    let mut sum = Minor::ZERO;
    for (i, part) in bill.parts.iter().enumerate() {
        let doc = with_context(|c| part_receipt(&o, part.no, c)).expect("part receipt");
        assert_eq!(doc.kind, DocumentKind::PartReceipt);
        assert!(has_text(&doc, &format!("Part {} of 3", part.no)));
        assert!(has_text(&doc, "Order #12"));
        assert_eq!(row(&doc, "TOTAL").map(|r| r.0), Some(gbp(part.total).as_str()));
        assert_eq!(vat_table(&doc).len(), part.vat.len());
        assert_eq!(vat_table(&doc)[0][2], gbp(part.vat[0].vat));
        let burger = rows(&doc)
            .into_iter()
            .find(|(l, _, _)| l.starts_with("2 x Burger"))
            .expect("the burgers");
        assert_eq!(burger.0, "2 x Burger (1/3)");
        assert_eq!(burger.1, gbp(part.lines[0].gross));
        let tenders: Vec<&str> = rows(&doc)
            .into_iter()
            .map(|(l, _, _)| l)
            .filter(|l| ["Cash", "Card"].contains(l))
            .collect();
        let due = row(&doc, "BALANCE DUE");
        match i {
            0 => assert_eq!((tenders, due.is_none()), (vec!["Cash"], true)),
            1 => assert_eq!((tenders, due.is_none()), (vec!["Card"], true)),
            _ => assert_eq!((tenders, due.map(|d| d.0)), (vec![], Some(gbp(part.total).as_str()))),
        }
        sum = sum.checked_add(part.total).expect("no overflow");
    }
    assert_eq!(sum, t.total);
    let whole = with_context(|c| receipt(&o, c)).expect("receipt");
    assert!(has_text(&whole, "Bill split into 3 parts"));
    assert!(matches!(
        with_context(|c| part_receipt(&o, 4, c)),
        Err(Error::UnknownPart(4))
    ));
    let unsplit = ok(&open(table(), no_service()), pint());
    assert!(matches!(
        with_context(|c| part_receipt(&unsplit, 1, c)),
        Err(Error::UnknownPart(1))
    ));
}

#[test]
fn a_split_by_item_shows_shared_lines_as_fractions() {
    let o = ok(&open(table(), no_service()), burgers(1));
    let o = ok(&o, pint());
    let plan = SplitPlan::ByItem {
        parts: 2,
        items: vec![
            ItemShare {
                line: LineNo::new(1),
                weights: vec![1, 1],
            },
            ItemShare {
                line: LineNo::new(2),
                weights: vec![1, 0],
            },
        ],
    };
    let o = ok(&o, OrderCommand::SetSplit(Some(plan)));
    let first = with_context(|c| part_receipt(&o, 1, c)).expect("part 1");
    assert!(row(&first, "1 x Burger (1/2)").is_some());
    assert!(row(&first, "1 x Lager (Pint)").is_some());
    let second = with_context(|c| part_receipt(&o, 2, c)).expect("part 2");
    assert!(row(&second, "1 x Burger (1/2)").is_some());
    assert!(!all_words(&second).contains("Lager"));
}
