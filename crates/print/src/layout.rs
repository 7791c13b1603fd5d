//! A document broken into printed lines for a paper width: the one layout both renderers draw, so the
//! text preview and the paper agree line for line.
//!
//! Columns are counted in characters (not bytes), one column each. A line's columns are those of its
//! character size: a double-size line holds half as many. Text wraps at spaces; a word longer than a
//! line is broken. Run texts borrow from the document unless they had to be normalised (a tab or a
//! carriage return becomes a space; `…` becomes `...`, which no code page lacks, so a column count
//! holds on every printer).

use std::borrow::Cow;

use fynlo_core::document::{Align, Block, Document, Size, Style};
use serde::{Deserialize, Serialize};

use crate::PrintError;

/// A paper width in columns of normal-size characters: 32 (58 mm paper), 42 or 48 (80 mm paper).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub enum Width {
    /// 32 columns.
    W32,
    /// 42 columns.
    W42,
    /// 48 columns (the default).
    #[default]
    W48,
}

impl Width {
    /// Every width this lays out.
    pub const ALL: [Width; 3] = [Width::W32, Width::W42, Width::W48];

    /// Columns of normal-size characters.
    pub const fn cols(self) -> u16 {
        match self {
            Width::W32 => 32,
            Width::W42 => 42,
            Width::W48 => 48,
        }
    }

    /// Printable dots across, at the 12-dot character cell these widths assume.
    pub const fn dots(self) -> u16 {
        self.cols() * 12
    }
}

impl TryFrom<u16> for Width {
    type Error = PrintError;

    fn try_from(cols: u16) -> Result<Width, PrintError> {
        match cols {
            32 => Ok(Width::W32),
            42 => Ok(Width::W42),
            48 => Ok(Width::W48),
            other => Err(PrintError::UnsupportedWidth(other)),
        }
    }
}

impl From<Width> for u16 {
    fn from(width: Width) -> u16 {
        width.cols()
    }
}

/// A piece of text on a line, starting at a column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run<'a> {
    /// The text (never containing a newline).
    pub text: Cow<'a, str>,
    /// Bold.
    pub bold: bool,
    /// The column it starts at, counted in the line's own character cells (a double-size line has half
    /// as many as the paper's width).
    pub col: u16,
}

/// One printed line, or an item that is not text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// A line of text: runs in column order that do not overlap.
    Text {
        /// The character size of the whole line.
        size: Size,
        /// How the line is aligned. Runs of a left-aligned line sit at their columns; a centred or
        /// right-aligned line has one run, whose column is where it falls when aligned.
        align: Align,
        /// Its runs (none for a blank line).
        runs: Vec<Run<'a>>,
    },
    /// A line of `-` (or `=` when double) across the paper.
    Rule {
        /// `=` rather than `-`.
        double: bool,
    },
    /// Blank lines.
    Feed {
        /// How many.
        lines: u8,
    },
    /// A banner: bold, double-size lines centred on the paper, each at most half the paper's columns.
    Banner {
        /// Its lines.
        lines: Vec<Cow<'a, str>>,
    },
    /// A QR code of these bytes, centred (its caption follows as centred text lines).
    Qr {
        /// What it encodes.
        data: &'a str,
    },
}

/// How many columns a text takes.
pub(crate) fn cells(text: &str) -> usize {
    text.chars().count()
}

fn col(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// Lays a document out at a width.
pub fn layout(doc: &Document, width: Width) -> Vec<Line<'_>> {
    let mut lines = Vec::with_capacity(doc.blocks.len() + 8);
    let paper = usize::from(width.cols());
    for block in &doc.blocks {
        match block {
            Block::Text { text, style } => text_block(&mut lines, text, *style, paper),
            Block::Row { left, right, style } => row_block(&mut lines, left, right, *style, paper),
            Block::Table { header, rows } => table_block(&mut lines, header, rows, paper),
            Block::Rule { double } => lines.push(Line::Rule { double: *double }),
            Block::Feed { lines: 0 } => {}
            Block::Feed { lines: n } => lines.push(Line::Feed { lines: *n }),
            Block::Banner { text } => {
                let mut banner = Vec::new();
                wrap_cow(text, paper / 2, true, |piece| banner.push(piece));
                lines.push(Line::Banner { lines: banner });
            }
            Block::Qr { data, caption } => {
                lines.push(Line::Qr { data });
                if !caption.is_empty() {
                    text_block(&mut lines, caption, Style::center(), paper);
                }
            }
        }
    }
    lines
}

/// The columns of a line of a size, and an indent that leaves at least half of them.
fn columns(paper: usize, style: Style) -> (usize, usize) {
    let cols = paper / style.size.width_factor();
    (cols, usize::from(style.indent).min(cols / 2))
}

fn text_line(size: Size, align: Align, runs: Vec<Run<'_>>) -> Line<'_> {
    Line::Text { size, align, runs }
}

fn text_block<'a>(lines: &mut Vec<Line<'a>>, text: &'a str, style: Style, paper: usize) {
    let (cols, indent) = columns(paper, style);
    let avail = cols - indent;
    wrap_cow(text, avail, true, |piece| {
        let len = cells(&piece);
        let runs = if piece.is_empty() {
            Vec::new()
        } else {
            let at = match style.align {
                Align::Left => indent,
                Align::Center => indent + avail.saturating_sub(len) / 2,
                Align::Right => cols.saturating_sub(len),
            };
            vec![Run {
                text: piece,
                bold: style.bold,
                col: col(at),
            }]
        };
        lines.push(text_line(style.size, style.align, runs));
    });
}

fn row_block<'a>(lines: &mut Vec<Line<'a>>, left: &'a str, right: &'a str, style: Style, paper: usize) {
    let (cols, indent) = columns(paper, style);
    let right = normalise(right, false);
    let right_len = cells(&right);
    let run = |text, at: usize| Run {
        text,
        bold: style.bold,
        col: col(at),
    };
    if right_len == 0 || cols < indent + right_len + 2 {
        // The amount leaves no room beside it (or there is none): the name takes whole lines and the
        // amount, broken if it must be, goes under it at the right edge.
        let avail = cols - indent;
        let start = lines.len();
        wrap_cow(left, avail, true, |piece| {
            let runs = if piece.is_empty() {
                Vec::new()
            } else {
                vec![run(piece, indent)]
            };
            lines.push(text_line(style.size, Align::Left, runs));
        });
        if right_len > 0 {
            if lines.len() == start + 1 && left.trim().is_empty() {
                lines.pop();
            }
            wrap_cow(&right, cols, false, |piece| {
                let at = cols.saturating_sub(cells(&piece));
                let piece = Cow::Owned(piece.into_owned());
                lines.push(text_line(style.size, Align::Left, vec![run(piece, at)]));
            });
        }
        return;
    }
    let avail = cols - indent - right_len - 1;
    let mut right = Some(right);
    wrap_cow(left, avail, true, |piece| {
        let mut runs = Vec::with_capacity(2);
        if !piece.is_empty() {
            runs.push(run(piece, indent));
        }
        if let Some(right) = right.take() {
            runs.push(run(right, cols - right_len));
        }
        lines.push(text_line(style.size, Align::Left, runs));
    });
}

fn table_block<'a>(lines: &mut Vec<Line<'a>>, header: &'a [String], rows: &'a [Vec<String>], paper: usize) {
    let ncols = rows.iter().map(Vec::len).chain([header.len()]).max().unwrap_or(0);
    if ncols == 0 {
        return;
    }
    // The width of every amount column, and where each one ends (the last at the paper's edge).
    let mut widths = vec![0usize; ncols];
    for cells_of_row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        for (j, cell) in cells_of_row.iter().enumerate().skip(1) {
            widths[j] = widths[j].max(cells(&normalise(cell, false)));
        }
    }
    let mut ends = vec![paper; ncols];
    for j in (1..ncols.saturating_sub(1)).rev() {
        ends[j] = ends[j + 1].saturating_sub(widths[j + 1] + 1);
    }
    let amounts: usize = widths[1..].iter().sum::<usize>() + (ncols - 1);
    let first = paper.saturating_sub(amounts);
    for (cells_of_row, bold) in std::iter::once((header, true)).chain(rows.iter().map(|r| (r.as_slice(), false))) {
        let mut amount_runs: Vec<Run<'a>> = cells_of_row
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, cell)| !cell.is_empty())
            .map(|(j, cell)| {
                let text = normalise(cell, false);
                let at = ends[j].saturating_sub(cells(&text));
                Run {
                    text,
                    bold,
                    col: col(at),
                }
            })
            .collect();
        let name = cells_of_row.first().map_or("", String::as_str);
        if first == 0 {
            // The amounts fill the paper: the name goes on lines of its own above them.
            if !name.trim().is_empty() {
                wrap_cow(name, paper, true, |piece| {
                    lines.push(text_line(
                        Size::Normal,
                        Align::Left,
                        vec![Run {
                            text: piece,
                            bold,
                            col: 0,
                        }],
                    ));
                });
            }
            lines.push(text_line(Size::Normal, Align::Left, amount_runs));
            continue;
        }
        let mut amounts = Some(&mut amount_runs);
        wrap_cow(name, first - 1, true, |piece| {
            let mut runs = Vec::new();
            if !piece.is_empty() {
                runs.push(Run {
                    text: piece,
                    bold,
                    col: 0,
                });
            }
            if let Some(amounts) = amounts.take() {
                runs.append(amounts);
            }
            lines.push(text_line(Size::Normal, Align::Left, runs));
        });
    }
}

/// The text with what would break the column count replaced: tabs and carriage returns (and, for a
/// one-line cell, newlines) become spaces, `…` becomes `...`.
fn normalise(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let odd = |c: char| c == '\t' || c == '\r' || c == '…' || (!keep_newlines && c == '\n');
    if !text.contains(odd) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match c {
            '…' => out.push_str("..."),
            '\n' if keep_newlines => out.push('\n'),
            c if odd(c) => out.push(' '),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`wrap`] over the normalised text, each piece borrowed from the document where it can be.
fn wrap_cow<'a>(text: &'a str, width: usize, keep_newlines: bool, mut emit: impl FnMut(Cow<'a, str>)) {
    match normalise(text, keep_newlines) {
        Cow::Borrowed(text) => wrap(text, width, |piece| emit(Cow::Borrowed(piece))),
        Cow::Owned(text) => wrap(&text, width, |piece| emit(Cow::Owned(piece.to_owned()))),
    }
}

/// Breaks text into lines of at most `width` characters: at newlines, at the last space that fits,
/// and inside a word only when the word alone is longer than a line. Spaces at a break are left out;
/// spaces at the start of a paragraph are kept (they are meant). An empty paragraph is an empty line.
pub(crate) fn wrap<'s>(text: &'s str, width: usize, mut emit: impl FnMut(&'s str)) {
    let width = width.max(1);
    for paragraph in text.split('\n') {
        let mut rest = paragraph.trim_end_matches(' ');
        if rest.is_empty() {
            emit("");
        }
        while !rest.is_empty() {
            let mut cut = None;
            let mut space = None;
            for (n, (at, c)) in rest.char_indices().enumerate() {
                if n > width {
                    break;
                }
                if c == ' ' {
                    space = Some(at);
                }
                if n == width {
                    cut = Some(at);
                }
            }
            let Some(cut) = cut else {
                emit(rest);
                break;
            };
            let (line, next) = match space.map(|at| rest[..at].trim_end_matches(' ')) {
                Some(line) if !line.is_empty() => (line, &rest[line.len()..]),
                _ => (&rest[..cut], &rest[cut..]),
            };
            emit(line);
            rest = next.trim_start_matches(' ');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrapped(text: &str, width: usize) -> Vec<&str> {
        let mut out = Vec::new();
        wrap(text, width, |piece| out.push(piece));
        out
    }

    #[test]
    fn words_wrap_at_the_last_space_that_fits() {
        assert_eq!(wrapped("the quick brown fox", 10), ["the quick", "brown fox"]);
        assert_eq!(wrapped("the quick brown fox", 9), ["the quick", "brown fox"]);
        assert_eq!(wrapped("the quick brown fox", 8), ["the", "quick", "brown", "fox"]);
        assert_eq!(wrapped("exactly ten", 11), ["exactly ten"]);
    }

    #[test]
    fn a_word_longer_than_a_line_is_broken() {
        assert_eq!(
            wrapped("ab supercalifragilistic", 10),
            ["ab", "supercalif", "ragilistic"]
        );
        assert_eq!(wrapped("abcdef", 1), ["a", "b", "c", "d", "e", "f"]);
    }

    #[test]
    fn wrapping_counts_characters_not_bytes() {
        assert_eq!(wrapped("£££££ €€€€€", 5), ["£££££", "€€€€€"]);
        assert_eq!(wrapped("crème brûlée flambée", 12), ["crème brûlée", "flambée"]);
    }

    #[test]
    fn newlines_start_lines_and_leading_spaces_stay() {
        assert_eq!(wrapped("a\n\n  b  ", 10), ["a", "", "  b"]);
        assert_eq!(wrapped("", 10), [""]);
    }

    #[test]
    fn widths_other_than_32_42_48_are_refused() {
        assert_eq!(Width::try_from(42), Ok(Width::W42));
        assert_eq!(Width::try_from(40), Err(PrintError::UnsupportedWidth(40)));
        assert_eq!(u16::from(Width::W32), 32);
    }

    #[test]
    fn an_ellipsis_becomes_three_dots_so_columns_hold() {
        assert_eq!(normalise("Wait…", true), "Wait...");
        assert!(matches!(normalise("plain", true), Cow::Borrowed(_)));
        assert_eq!(normalise("a\tb\nc", false), "a b c");
    }
}
