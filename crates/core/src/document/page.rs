//! Documents that are not about one order: a printer's test page, and reports (X and Z reports, filled in
//! by the shift code) laid out from titled sections of rows and tables.

use serde::{Deserialize, Serialize};

use super::{Align, Block, Document, DocumentKind, Size, Style};

/// What the test page's QR code encodes: short, so any printer's QR support can show it.
pub const TEST_QR: &str = "https://example.com/fynlo";

/// A printer's test page: its name, width and code page; a ruler of digits exactly `width` columns long
/// (so a wrong width shows as a wrapped or short ruler); the characters a wrong code page garbles; samples
/// of each style; a row with a price (which must reach the right edge); and a QR code.
pub fn test_page(printer_name: &str, width: u16, code_page: &str, time: &str) -> Document {
    let mut doc = Document::new(DocumentKind::TestPage);
    doc.push(Block::text(
        "TEST PAGE",
        Style::center().with_bold().with_size(Size::Double),
    ));
    doc.push(Block::text(printer_name.trim(), Style::center().with_bold()));
    if !time.trim().is_empty() {
        doc.push(Block::text(time.trim(), Style::center()));
    }
    doc.push(Block::rule());
    doc.push(Block::row("Width", format!("{width} columns"), Style::NORMAL));
    doc.push(Block::row("Code page", code_page.trim(), Style::NORMAL));
    doc.push(Block::text(ruler(width), Style::NORMAL));
    doc.push(Block::text("£ € é ñ ü ß", Style::NORMAL));
    doc.push(Block::rule());
    doc.push(Block::text("Normal text", Style::NORMAL));
    doc.push(Block::text("Bold text", Style::bold()));
    doc.push(Block::text("Tall text", Style::NORMAL.with_size(Size::Tall)));
    doc.push(Block::text("Double", Style::NORMAL.with_size(Size::Double)));
    doc.push(Block::text("Centred", Style::center()));
    doc.push(Block::text(
        "Right",
        Style {
            align: Align::Right,
            ..Style::NORMAL
        },
    ));
    doc.push(Block::text("Indented", Style::NORMAL.with_indent(4)));
    doc.push(Block::row("1 x Flat white", "£3.20", Style::NORMAL));
    doc.push(Block::double_rule());
    doc.push(Block::Qr {
        data: TEST_QR.to_owned(),
        caption: "QR code".to_owned(),
    });
    doc
}

/// Digits `1234567890123…`, exactly `width` characters.
fn ruler(width: u16) -> String {
    (1..=u32::from(width))
        .map(|i| char::from_digit(i % 10, 10).unwrap_or('0'))
        .collect()
}

/// A report: a title, lines under it (the period, the till, the Z number), and sections.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// "X REPORT", "Z REPORT 42".
    pub title: String,
    /// Lines under the title.
    #[serde(default)]
    pub subtitle: Vec<String>,
    /// The sections, top to bottom.
    #[serde(default)]
    pub sections: Vec<ReportSection>,
}

/// One section of a report: a heading, rows of a name and an amount, and a table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSection {
    /// "Tenders", "VAT", "Tips by staff".
    pub heading: String,
    /// Name and amount, already formatted.
    #[serde(default)]
    pub rows: Vec<(String, String)>,
    /// A table under the rows: header and rows (each as many cells as the header), already formatted.
    #[serde(default)]
    pub table: Option<(Vec<String>, Vec<Vec<String>>)>,
}

/// Lays a report out: the title large, the subtitle centred, then each section under a rule with its
/// heading in bold, its rows and its table.
pub fn report(report: &Report) -> Document {
    let mut doc = Document::new(DocumentKind::Report);
    doc.push(Block::text(
        report.title.trim(),
        Style::center().with_bold().with_size(Size::Double),
    ));
    for line in &report.subtitle {
        doc.push(Block::text(line.trim(), Style::center()));
    }
    for section in &report.sections {
        doc.push(Block::rule());
        if !section.heading.trim().is_empty() {
            doc.push(Block::text(section.heading.trim(), Style::bold()));
        }
        for (left, right) in &section.rows {
            doc.push(Block::row(left.as_str(), right.as_str(), Style::NORMAL));
        }
        if let Some((header, rows)) = &section.table {
            doc.push(Block::Table {
                header: header.clone(),
                rows: rows.clone(),
            });
        }
    }
    doc
}
