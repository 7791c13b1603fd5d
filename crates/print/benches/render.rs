//! Benchmark: rendering a 30-line receipt (header, 14 item rows with modifiers, totals, a VAT table, a
//! banner) to ESC/POS bytes and to text at 48 columns (target well under 50 µs for ESC/POS).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use fynlo_core::document::{Block, Document, DocumentKind, Size, Style, DUPLICATE};
use fynlo_print::{render_escpos, render_text, Profile, Width};

fn receipt() -> Document {
    let mut doc = Document::new(DocumentKind::Receipt);
    doc.push(Block::banner(DUPLICATE))
        .push(Block::text(
            "The Crown & Anchor",
            Style::center().with_bold().with_size(Size::Double),
        ))
        .push(Block::text("12 High Street, Dalston, London E8 2AA", Style::center()))
        .push(Block::text("VAT GB 123 4567 89", Style::center()))
        .push(Block::row("Order 1042  Table 7", "Server: Amélie", Style::NORMAL))
        .push(Block::rule());
    let items = [
        ("Fish & chips", "£15.50"),
        ("Crème brûlée", "£7.25"),
        ("Sticky toffee pudding with custard and clotted cream", "£8.00"),
        ("Pint of bitter", "£5.40"),
    ];
    for i in 0..14 {
        let (name, price) = items[i % items.len()];
        doc.push(Block::row(format!("{}x {name}", 1 + i % 3), price, Style::NORMAL));
        if i % 4 == 0 {
            doc.push(Block::text("+ no peas", Style::NORMAL.with_indent(3)));
        }
    }
    doc.push(Block::rule())
        .push(Block::row("Service charge 12.5%", "£14.20", Style::NORMAL))
        .push(Block::row("Total", "£127.80", Style::bold().with_size(Size::Double)))
        .push(Block::Table {
            header: vec!["VAT".into(), "Net".into(), "VAT".into(), "Gross".into()],
            rows: vec![vec!["20%".into(), "106.50".into(), "21.30".into(), "127.80".into()]],
        })
        .push(Block::row("Card", "£127.80", Style::NORMAL))
        .push(Block::text("Thank you – see you soon!", Style::center()));
    doc
}

fn render(c: &mut Criterion) {
    let doc = receipt();
    let profile = Profile {
        width: Width::W48,
        ..Profile::default()
    };
    c.bench_function("escpos_receipt_30_lines", |b| {
        b.iter(|| render_escpos(black_box(&doc), black_box(&profile)));
    });
    c.bench_function("text_receipt_30_lines", |b| {
        b.iter(|| render_text(black_box(&doc), black_box(Width::W48)));
    });
}

criterion_group!(benches, render);
criterion_main!(benches);
