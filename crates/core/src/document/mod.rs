//! Printable documents: what a receipt, a kitchen ticket or a report says, laid out as blocks of text,
//! knowing nothing of printers. `fynlo-print` renders a document to ESC/POS bytes for a thermal printer
//! or to plain text (for an office printer and the on-screen preview) at a width of 32, 42 or 48
//! columns; both come from the same layout, so the preview is what the paper says.
//!
//! The builders ([`receipt`], [`kitchen`], [`page`]) take an order (and what the core cannot know: the
//! local time as the restaurant writes it, staff names) and give a [`Document`]. They do no I/O and read
//! no clock.

pub mod kitchen;
pub mod page;
pub mod receipt;

use serde::{Deserialize, Serialize};

/// What a document is, which decides nothing about its layout but is shown in job lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum DocumentKind {
    /// A customer receipt for a whole order.
    Receipt,
    /// A customer receipt for one part of a split bill.
    PartReceipt,
    /// A refund receipt.
    RefundReceipt,
    /// The lines of one send for one kitchen station.
    KitchenTicket,
    /// A void of lines the kitchen had seen, for their station.
    VoidTicket,
    /// A printer's test page.
    TestPage,
    /// An X or Z report.
    Report,
}

impl DocumentKind {
    /// The kind's name as written in JSON and SQL.
    pub const fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Receipt => "receipt",
            DocumentKind::PartReceipt => "part_receipt",
            DocumentKind::RefundReceipt => "refund_receipt",
            DocumentKind::KitchenTicket => "kitchen_ticket",
            DocumentKind::VoidTicket => "void_ticket",
            DocumentKind::TestPage => "test_page",
            DocumentKind::Report => "report",
        }
    }
}

/// Horizontal alignment of a block's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    /// Left (the default).
    #[default]
    Left,
    /// Centred.
    Center,
    /// Right.
    Right,
}

/// Character size. Wide and double halve the characters a line holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Size {
    /// Normal (the default).
    #[default]
    Normal,
    /// Twice as tall, normal width.
    Tall,
    /// Twice as tall and twice as wide.
    Double,
}

impl Size {
    /// How many columns one character takes.
    pub const fn width_factor(self) -> usize {
        match self {
            Size::Normal | Size::Tall => 1,
            Size::Double => 2,
        }
    }
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// How a block's text looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Style {
    /// Bold (emphasised).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bold: bool,
    /// Character size.
    #[serde(default, skip_serializing_if = "is_default")]
    pub size: Size,
    /// Alignment (of [`Block::Text`]; a row's columns align themselves).
    #[serde(default, skip_serializing_if = "is_default")]
    pub align: Align,
    /// Columns of space before the text, on every line it wraps onto (modifiers and notes under a line).
    #[serde(default, skip_serializing_if = "is_default")]
    pub indent: u8,
}

impl Style {
    /// Normal text.
    pub const NORMAL: Style = Style {
        bold: false,
        size: Size::Normal,
        align: Align::Left,
        indent: 0,
    };

    /// Bold text.
    pub const fn bold() -> Style {
        Style {
            bold: true,
            ..Style::NORMAL
        }
    }

    /// Centred text.
    pub const fn center() -> Style {
        Style {
            align: Align::Center,
            ..Style::NORMAL
        }
    }

    /// The same style, bold.
    #[must_use]
    pub const fn with_bold(self) -> Style {
        Style { bold: true, ..self }
    }

    /// The same style at another size.
    #[must_use]
    pub const fn with_size(self, size: Size) -> Style {
        Style { size, ..self }
    }

    /// The same style, indented.
    #[must_use]
    pub const fn with_indent(self, indent: u8) -> Style {
        Style { indent, ..self }
    }
}

/// One block of a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// Text that wraps at word boundaries (a word longer than a line is broken).
    Text {
        /// The text; a newline starts a new line.
        text: String,
        /// How it looks.
        #[serde(default, skip_serializing_if = "is_default")]
        style: Style,
    },
    /// A row of a name and an amount: the amount at the right edge, the name wrapping in the space left of
    /// it, so prices line up down the page.
    Row {
        /// The name (wraps).
        left: String,
        /// The amount (never wraps).
        right: String,
        /// How it looks (its indent applies to the left side).
        #[serde(default, skip_serializing_if = "is_default")]
        style: Style,
    },
    /// A table whose first column is text (left, wraps) and whose other columns are amounts (right),
    /// each as wide as its widest cell, so every row lines up (the VAT summary).
    Table {
        /// The header row, printed bold.
        header: Vec<String>,
        /// The rows; each has as many cells as the header.
        rows: Vec<Vec<String>>,
    },
    /// A line across the page.
    Rule {
        /// Double (`=`) rather than single (`-`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        double: bool,
    },
    /// Blank lines.
    Feed {
        /// How many.
        lines: u8,
    },
    /// A banner across the page that cannot be missed (DUPLICATE, REPRINT, VOID): large, bold, inverted
    /// where the printer can.
    Banner {
        /// Its words.
        text: String,
    },
    /// A QR code (a payment link, a receipt's web copy), with a caption under it.
    Qr {
        /// What it encodes.
        data: String,
        /// Printed under it, or empty.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        caption: String,
    },
}

impl Block {
    /// Text in a style.
    pub fn text(text: impl Into<String>, style: Style) -> Block {
        Block::Text {
            text: text.into(),
            style,
        }
    }

    /// A name and an amount.
    pub fn row(left: impl Into<String>, right: impl Into<String>, style: Style) -> Block {
        Block::Row {
            left: left.into(),
            right: right.into(),
            style,
        }
    }

    /// A single rule.
    pub const fn rule() -> Block {
        Block::Rule { double: false }
    }

    /// A double rule.
    pub const fn double_rule() -> Block {
        Block::Rule { double: true }
    }

    /// Blank lines.
    pub const fn feed(lines: u8) -> Block {
        Block::Feed { lines }
    }

    /// A banner.
    pub fn banner(text: impl Into<String>) -> Block {
        Block::Banner { text: text.into() }
    }
}

/// The banner on a copy printed again at someone's request.
pub const DUPLICATE: &str = "DUPLICATE";

/// The banner on a job sent again after a connection dropped part-way through it, so the paper may
/// already have come out once.
pub const REPRINT: &str = "REPRINT - may be a duplicate";

/// A document: what it is and its blocks, top to bottom. The printer adds the feed and cut at the end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// What it is.
    pub kind: DocumentKind,
    /// Its blocks.
    pub blocks: Vec<Block>,
}

impl Document {
    /// An empty document of a kind.
    pub fn new(kind: DocumentKind) -> Document {
        Document {
            kind,
            blocks: Vec::new(),
        }
    }

    /// Adds a block.
    pub fn push(&mut self, block: Block) -> &mut Document {
        self.blocks.push(block);
        self
    }

    /// The document with a banner at the top (and the same banner at the bottom of a long one, so a
    /// torn-off half still shows it), unless it already has that banner first.
    #[must_use]
    pub fn with_banner(mut self, text: &str) -> Document {
        let first = matches!(self.blocks.first(), Some(Block::Banner { text: t }) if t == text);
        if !first {
            self.blocks.insert(0, Block::banner(text));
            if self.blocks.len() > 12 {
                self.blocks.push(Block::banner(text));
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_banner_is_added_once() {
        let mut doc = Document::new(DocumentKind::Receipt);
        doc.push(Block::text("Hello", Style::NORMAL));
        let doc = doc.with_banner(DUPLICATE).with_banner(DUPLICATE);
        assert_eq!(doc.blocks.len(), 2);
        assert_eq!(doc.blocks[0], Block::banner(DUPLICATE));
    }

    #[test]
    fn default_styles_are_left_out_of_json() {
        let block = Block::text("x", Style::NORMAL);
        let json = serde_json::to_string(&block).unwrap_or_default();
        assert_eq!(json, r#"{"type":"text","text":"x"}"#);
        let back: Block = serde_json::from_str(&json).unwrap_or_else(|_| Block::feed(0));
        assert_eq!(back, block);
    }
}
