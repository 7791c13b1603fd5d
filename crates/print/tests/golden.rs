//! Golden files: the exact ESC/POS bytes (`tests/golden/*.bin`) and text (`*.txt`) of four sample
//! documents at every width and code page (and both ways of printing QR codes). A change to the output
//! shows up as a failing comparison; when the change is meant, `FYNLO_BLESS=1 cargo test -p fynlo-print
//! --test golden` writes the files again, and the diff of the `.txt` files shows what changed.

use std::{fmt::Write as _, path::PathBuf};

use fynlo_core::document::{Block, Document, DocumentKind, Size, Style, REPRINT};
use fynlo_print::{render_escpos, render_text, CodePage, Cut, Profile, QrMode, Width};

fn receipt() -> Document {
    let mut doc = Document::new(DocumentKind::Receipt);
    doc.push(Block::text(
        "Café Fynlo",
        Style::center().with_bold().with_size(Size::Double),
    ))
    .push(Block::text(
        "1 Rue de la Paix, Crouch End\nLondon N8 8AA",
        Style::center(),
    ))
    .push(Block::text("VAT GB 123 4567 89", Style::center()))
    .push(Block::feed(1))
    .push(Block::row("Order 1042", "Table 7", Style::NORMAL))
    .push(Block::row("Server: Zoë", "12/03/2025 19:42", Style::NORMAL))
    .push(Block::rule())
    .push(Block::row("2x Crème brûlée", "£13.00", Style::NORMAL))
    .push(Block::row(
        "Slow-roasted pork belly with crackling, apple sauce and seasonal greens",
        "£18.50",
        Style::NORMAL,
    ))
    .push(Block::text("+ extra crackling", Style::NORMAL.with_indent(2)))
    .push(Block::row("Bière blonde 33cl", "€4.80", Style::NORMAL))
    .push(Block::row(
        "10% off “happy hour” – drinks",
        "-£0.48",
        Style::NORMAL.with_indent(2),
    ))
    .push(Block::rule())
    .push(Block::row("Service charge 12.5%", "£4.50", Style::NORMAL))
    .push(Block::row("TOTAL", "£40.32", Style::bold().with_size(Size::Double)))
    .push(Block::double_rule())
    .push(Block::Table {
        header: vec!["VAT rate".into(), "Net".into(), "VAT".into(), "Gross".into()],
        rows: vec![
            vec!["20% standard".into(), "32.10".into(), "6.42".into(), "38.52".into()],
            vec!["0% zero-rated".into(), "1.80".into(), "0.00".into(), "1.80".into()],
        ],
    })
    .push(Block::rule())
    .push(Block::row("Card ****1234", "£45.00", Style::NORMAL))
    .push(Block::row("Tip", "£4.68", Style::NORMAL))
    .push(Block::feed(1))
    .push(Block::text(
        "Merci… see you soon! ½ price Tuesdays, 5°C beer",
        Style::center(),
    ))
    .push(Block::text(
        "Łódź-style pierogi next week",
        Style::NORMAL.with_size(Size::Tall),
    ));
    doc
}

fn kitchen() -> Document {
    let mut doc = Document::new(DocumentKind::KitchenTicket);
    doc.push(Block::row("GRILL", "19:42", Style::bold().with_size(Size::Double)))
        .push(Block::row("Table 7", "Order 1042", Style::bold()))
        .push(Block::text("Server: Zoë", Style::NORMAL))
        .push(Block::rule())
        .push(Block::text("2x Ribeye steak", Style::bold().with_size(Size::Double)))
        .push(Block::text("medium rare", Style::NORMAL.with_indent(4)))
        .push(Block::text("+ peppercorn sauce", Style::NORMAL.with_indent(4)))
        .push(Block::text("NO butter – dairy allergy!", Style::bold().with_indent(4)))
        .push(Block::text(
            "1x Chargrilled halloumi & vegetable skewers",
            Style::bold().with_size(Size::Double),
        ))
        .push(Block::text("sauce on the side", Style::NORMAL.with_indent(4)))
        .push(Block::rule())
        .push(Block::text("Course 2 of 3", Style::center().with_size(Size::Tall)));
    doc
}

fn banner() -> Document {
    let mut doc = Document::new(DocumentKind::Receipt);
    doc.push(Block::text("Order 1042", Style::center()))
        .push(Block::row("Burger", "£12.50", Style::NORMAL))
        .push(Block::rule());
    let mut doc = doc.with_banner(REPRINT);
    doc.push(Block::banner("VOID"));
    doc
}

fn qr() -> Document {
    let mut doc = Document::new(DocumentKind::Receipt);
    doc.push(Block::text("Pay or tip from your phone", Style::center()))
        .push(Block::Qr {
            data: "https://pay.fynlo.co.uk/r/01J9ZX4T7Q?t=1042&s=9f2c".into(),
            caption: "Scan to see this receipt online or leave a tip".into(),
        })
        .push(Block::row("Total", "£40.32", Style::bold()));
    doc
}

fn page_name(page: CodePage) -> &'static str {
    match page {
        CodePage::Pc858 => "pc858",
        CodePage::Wpc1252 => "wpc1252",
    }
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Compares (or with `FYNLO_BLESS=1` writes) every file; fails listing all that differ.
fn check(files: &[(String, Vec<u8>)]) {
    let bless = std::env::var("FYNLO_BLESS").is_ok_and(|v| v == "1");
    let dir = golden_dir();
    let mut failures = String::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        if bless {
            std::fs::create_dir_all(&dir).expect("the golden directory can be created");
            std::fs::write(&path, bytes).expect("a golden file can be written");
            continue;
        }
        match std::fs::read(&path) {
            Ok(expected) if expected == *bytes => {}
            Ok(expected) => {
                let at = expected
                    .iter()
                    .zip(bytes)
                    .position(|(a, b)| a != b)
                    .unwrap_or(expected.len().min(bytes.len()));
                let from = at.saturating_sub(8);
                let _ = writeln!(
                    failures,
                    "{name}: differs at byte {at} (expected {} bytes, got {}): expected {:02x?}, got {:02x?}",
                    expected.len(),
                    bytes.len(),
                    &expected[from..expected.len().min(at + 8)],
                    &bytes[from..bytes.len().min(at + 8)],
                );
            }
            Err(e) => {
                let _ = writeln!(failures, "{name}: {e} (FYNLO_BLESS=1 writes it)");
            }
        }
    }
    assert!(failures.is_empty(), "golden files differ:\n{failures}");
}

fn files(name: &str, doc: &Document, qr_modes: &[QrMode]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for width in Width::ALL {
        let cols = width.cols();
        out.push((format!("{name}-{cols}.txt"), render_text(doc, width).into_bytes()));
        for code_page in [CodePage::Pc858, CodePage::Wpc1252] {
            for &qr in qr_modes {
                let profile = Profile {
                    width,
                    code_page,
                    cut: Cut::Partial,
                    qr,
                };
                let mode = match (qr_modes.len(), qr) {
                    (1, _) => String::new(),
                    (_, QrMode::Native) => "-native".to_owned(),
                    (_, QrMode::Raster) => "-raster".to_owned(),
                };
                let file = format!("{name}-{cols}-{}{mode}.bin", page_name(code_page));
                out.push((file, render_escpos(doc, &profile)));
            }
        }
    }
    out
}

#[test]
fn receipt_golden() {
    check(&files("receipt", &receipt(), &[QrMode::Native]));
}

#[test]
fn kitchen_ticket_golden() {
    check(&files("kitchen", &kitchen(), &[QrMode::Native]));
}

#[test]
fn banner_golden() {
    check(&files("banner", &banner(), &[QrMode::Native]));
}

#[test]
fn qr_golden() {
    check(&files("qr", &qr(), &[QrMode::Native, QrMode::Raster]));
}

/// No line of the sample receipt is wider than the paper, and every amount ends at the last column.
#[test]
fn every_receipt_line_fits_its_width() {
    for width in Width::ALL {
        let text = render_text(&receipt(), width);
        let cols = usize::from(width.cols());
        for line in text.lines() {
            assert!(line.chars().count() <= cols, "{line:?} is wider than {cols}");
        }
        for line in text.lines().filter(|l| l.contains('£')) {
            assert_eq!(line.chars().count(), cols, "{line:?} does not reach the edge");
        }
    }
}
