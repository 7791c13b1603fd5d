//! The plain-text rendering: the layout's lines as text, for office printers and the on-screen preview.
//!
//! Plain text has one character size, so a double-size line is written at normal size but keeps the
//! paper's line breaks (it wraps at half the columns, as on paper) and its positions: a run that ends at
//! the paper's right edge still ends there, a centred line is centred across the paper, and any other run
//! starts at twice its column (where it starts on paper). A banner is framed by lines of `*`; a QR code is
//! the line `[QR: <data>]`. Trailing spaces are left out; every line ends with `\n`.

use fynlo_core::document::{Align, Document, Size};

use crate::layout::{cells, layout, Line, Width};

/// Renders a document as plain text at a width.
pub fn render_text(doc: &Document, width: Width) -> String {
    let paper = usize::from(width.cols());
    let lines = layout(doc, width);
    let mut out = String::with_capacity(lines.len() * (paper + 1));
    for line in &lines {
        match line {
            Line::Text { size, align, runs } => {
                let line_cols = paper / size.width_factor();
                let start = out.len();
                let mut at = 0;
                for run in runs {
                    let len = cells(&run.text);
                    let mut col = usize::from(run.col);
                    if *size == Size::Double {
                        col = if *align == Align::Center {
                            paper.saturating_sub(len) / 2
                        } else if col + len >= line_cols {
                            paper.saturating_sub(len)
                        } else {
                            col * 2
                        };
                    }
                    if at > 0 && col <= at {
                        col = at + 1;
                    }
                    pad(&mut out, col.saturating_sub(at), ' ');
                    out.push_str(&run.text);
                    at = col + len;
                }
                out.truncate(start + out[start..].trim_end_matches(' ').len());
                out.push('\n');
            }
            Line::Rule { double } => {
                pad(&mut out, paper, if *double { '=' } else { '-' });
                out.push('\n');
            }
            Line::Feed { lines } => pad(&mut out, usize::from(*lines), '\n'),
            Line::Banner { lines } => {
                pad(&mut out, paper, '*');
                out.push('\n');
                for text in lines {
                    centred(&mut out, text, paper);
                }
                pad(&mut out, paper, '*');
                out.push('\n');
            }
            Line::Qr { data } => {
                let text = format!("[QR: {data}]");
                centred(&mut out, &text, paper);
            }
        }
    }
    out
}

fn pad(out: &mut String, n: usize, c: char) {
    out.extend(std::iter::repeat_n(c, n));
}

fn centred(out: &mut String, text: &str, paper: usize) {
    pad(out, paper.saturating_sub(cells(text)) / 2, ' ');
    out.push_str(text);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use fynlo_core::document::{Block, DocumentKind, Style};

    use super::*;

    fn doc(blocks: Vec<Block>) -> Document {
        Document {
            kind: DocumentKind::Receipt,
            blocks,
        }
    }

    #[test]
    fn every_rows_amount_ends_at_the_last_column() {
        let long = "Slow-roasted pork belly with crackling, apple sauce and seasonal greens";
        for width in Width::ALL {
            let text = render_text(
                &doc(vec![
                    Block::row("Burger", "£12.50", Style::NORMAL),
                    Block::row(long, "£1,234.00", Style::bold()),
                    Block::row("extra cheese", "£1.00", Style::NORMAL.with_indent(2)),
                    Block::row("2x Chips", "£7.00", Style::NORMAL.with_size(Size::Double)),
                ]),
                width,
            );
            let cols = usize::from(width.cols());
            for line in text.lines().filter(|l| l.contains('£')) {
                assert_eq!(cells(line), cols, "{line:?} at {cols}");
                assert!(line.contains(" £"), "{line:?} has no space before its amount");
            }
            for line in text.lines() {
                assert!(cells(line) <= cols, "{line:?} is wider than {cols}");
            }
            assert!(text.contains("  extra cheese"));
        }
    }

    #[test]
    fn table_columns_line_up_and_the_first_wraps() {
        let table = Block::Table {
            header: vec!["VAT rate".into(), "Net".into(), "VAT".into(), "Gross".into()],
            rows: vec![
                vec![
                    "20% standard rate on food and drink".into(),
                    "100.00".into(),
                    "20.00".into(),
                    "120.00".into(),
                ],
                vec!["0%".into(), "5.00".into(), "0.00".into(), "5.00".into()],
            ],
        };
        let text = render_text(&doc(vec![table]), Width::W32);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "VAT rate        Net   VAT  Gross");
        assert_eq!(lines[1], "20%          100.00 20.00 120.00");
        assert_eq!(&lines[2..5], ["standard", "rate on", "food and"]);
        assert_eq!(lines[6], "0%             5.00  0.00   5.00");
        for line in &lines {
            assert!(cells(line) <= 32);
        }
        assert_eq!(lines.last().map(|l| cells(l)), Some(32));
    }

    #[test]
    fn a_banner_is_framed_and_wraps_at_half_the_width() {
        let text = render_text(&doc(vec![Block::banner("REPRINT - may be a duplicate")]), Width::W32);
        let stars = "*".repeat(32);
        let expected = format!("{stars}\n        REPRINT - may be\n          a duplicate\n{stars}\n");
        assert_eq!(text, expected);
    }

    #[test]
    fn a_qr_code_is_a_line_and_its_caption() {
        let qr = Block::Qr {
            data: "https://fyn.lo/r/1".into(),
            caption: "Scan for your receipt".into(),
        };
        let text = render_text(&doc(vec![qr]), Width::W42);
        assert_eq!(
            text,
            "         [QR: https://fyn.lo/r/1]\n          Scan for your receipt\n"
        );
    }
}
