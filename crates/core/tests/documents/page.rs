//! The printer's test page and reports.

use fynlo_core::document::{
    page::{report, test_page, Report, ReportSection},
    Block, DocumentKind,
};

use crate::{has_text, row, rows, texts};

#[test]
fn the_test_page_ruler_is_exactly_the_width() {
    for width in [32u16, 42, 48] {
        let doc = test_page("Kitchen printer", width, "PC858", "05/12/2026 21:50");
        assert_eq!(doc.kind, DocumentKind::TestPage);
        let ruler = texts(&doc)
            .into_iter()
            .find(|(t, _)| t.starts_with("1234567890"))
            .map(|(t, _)| t)
            .expect("a ruler");
        assert_eq!(ruler.chars().count(), usize::from(width));
        assert!(ruler.chars().all(|c| c.is_ascii_digit()));
        assert!(has_text(&doc, "Kitchen printer"));
        assert!(has_text(&doc, "£ € é ñ ü ß"));
        assert_eq!(row(&doc, "Code page").map(|r| r.0), Some("PC858"));
        assert_eq!(
            row(&doc, "Width").map(|r| r.0),
            Some(format!("{width} columns").as_str())
        );
        assert!(rows(&doc).iter().any(|(_, r, _)| r.starts_with('£')));
        assert!(doc
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Qr { data, .. } if data.starts_with("https://"))));
    }
}

#[test]
fn a_report_lays_out_its_sections_and_round_trips_as_json() {
    let r = Report {
        title: "X REPORT".into(),
        subtitle: vec!["05/12/2026".into()],
        sections: vec![ReportSection {
            heading: "Tenders".into(),
            rows: vec![("Cash".into(), "£10.00".into())],
            table: Some((
                vec!["VAT".into(), "Net".into()],
                vec![vec!["20%".into(), "£8.33".into()]],
            )),
        }],
    };
    let doc = report(&r);
    assert_eq!(doc.kind, DocumentKind::Report);
    assert!(has_text(&doc, "X REPORT") && has_text(&doc, "Tenders"));
    assert_eq!(row(&doc, "Cash").map(|x| x.0), Some("£10.00"));
    assert!(doc.blocks.iter().any(|b| matches!(b, Block::Table { .. })));
    let json = serde_json::to_string(&r).expect("serialises");
    let back: Report = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, r);
}
