//! The ESC/POS rendering: the layout's lines as the bytes a thermal printer reads.
//!
//! A job starts with `ESC @` (initialise) and `ESC t n` (the code page), and ends with a feed
//! (`ESC d 4`, so the last line clears the cutter) and the cut. Alignment (`ESC a`), bold (`ESC E`) and
//! size (`GS !`) are sent only when they change. Left-aligned lines are positioned with spaces, so rows
//! and tables line up exactly as in the text rendering; centred and right-aligned text is aligned by the
//! printer. A banner is a bold, double-size bar inverted with `GS B 1`, padded with spaces to the full
//! width so it reads as a black band.

mod codepage;
mod qr;

pub use codepage::CodePage;

use fynlo_core::document::{Align, Document, Size};
use serde::{Deserialize, Serialize};

use crate::layout::{cells, layout, Line, Width};

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const LF: u8 = b'\n';

/// Lines fed before the cut, so the last printed line clears the cutter.
const FEED_BEFORE_CUT: u8 = 4;

/// How a printer cuts the paper after a job.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cut {
    /// A full cut (`GS V 0`).
    Full,
    /// A partial cut, leaving a tab of paper (`GS V 1`; the default, as most receipt printers do).
    #[default]
    Partial,
    /// No cutter: the paper is fed out and torn off.
    None,
}

/// How QR codes are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QrMode {
    /// The printer draws the symbol (`GS ( k`; the default).
    #[default]
    Native,
    /// The symbol is drawn here and sent as a raster bit image (`GS v 0`), for printers without QR.
    Raster,
}

/// What the renderer needs to know about a printer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Profile {
    /// Its paper width.
    pub width: Width,
    /// The code page it is set to.
    pub code_page: CodePage,
    /// How it cuts.
    pub cut: Cut,
    /// How it prints QR codes.
    pub qr: QrMode,
}

/// The cash drawer connector pin a drawer is wired to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrawerPin {
    /// Pin 2 (the usual one).
    #[default]
    Pin2,
    /// Pin 5.
    Pin5,
}

/// The bytes that open a cash drawer: `ESC p m t1 t2`, a pulse of 50 ms on and 500 ms off.
pub const fn drawer_kick(pin: DrawerPin) -> [u8; 5] {
    let m = match pin {
        DrawerPin::Pin2 => 0,
        DrawerPin::Pin5 => 1,
    };
    [ESC, b'p', m, 25, 250]
}

/// Renders a document as ESC/POS bytes for a printer.
pub fn render_escpos(doc: &Document, profile: &Profile) -> Vec<u8> {
    let lines = layout(doc, profile.width);
    let paper = usize::from(profile.width.cols());
    let mut w = Writer {
        out: Vec::with_capacity(64 + lines.len() * (paper + 8)),
        page: profile.code_page,
        bold: false,
        size: Size::Normal,
        align: Align::Left,
    };
    w.out
        .extend_from_slice(&[ESC, b'@', ESC, b't', profile.code_page.escpos_number()]);
    for line in &lines {
        match line {
            Line::Text { size, align, runs } => {
                w.set_size(*size);
                w.set_align(*align);
                let mut at = 0;
                for run in runs {
                    w.set_bold(run.bold);
                    if *align == Align::Left {
                        let col = usize::from(run.col).max(if at > 0 { at + 1 } else { 0 });
                        w.spaces(col.saturating_sub(at));
                        at = col + cells(&run.text);
                    }
                    w.text(&run.text);
                }
                w.out.push(LF);
            }
            Line::Rule { double } => {
                w.plain(Align::Left);
                let c = if *double { b'=' } else { b'-' };
                w.out.extend(std::iter::repeat_n(c, paper));
                w.out.push(LF);
            }
            Line::Feed { lines } => w.out.extend_from_slice(&[ESC, b'd', *lines]),
            Line::Banner { lines } => {
                w.set_size(Size::Double);
                w.set_align(Align::Left);
                w.set_bold(true);
                w.out.extend_from_slice(&[GS, b'B', 1]);
                let half = paper / 2;
                for text in lines {
                    let len = cells(text);
                    let before = half.saturating_sub(len) / 2;
                    w.spaces(before);
                    w.text(text);
                    w.spaces(half.saturating_sub(before + len));
                    w.out.push(LF);
                }
                w.out.extend_from_slice(&[GS, b'B', 0]);
            }
            Line::Qr { data } => {
                w.plain(Align::Center);
                // Modules of about 0.5 to 0.75 mm: small enough for long links on 58 mm paper, large
                // enough for a phone to read.
                let module = match profile.width {
                    Width::W32 => 4,
                    Width::W42 => 5,
                    Width::W48 => 6,
                };
                let drawn = match profile.qr {
                    QrMode::Native => qr::native(&mut w.out, data.as_bytes(), module),
                    QrMode::Raster => qr::raster(&mut w.out, data.as_bytes(), module, profile.width.dots()),
                };
                if !drawn {
                    // Too long (or empty) for a QR code: print what it says rather than nothing.
                    w.text(data);
                    w.out.push(LF);
                }
            }
        }
    }
    w.plain(Align::Left);
    w.out.extend_from_slice(&[ESC, b'd', FEED_BEFORE_CUT]);
    match profile.cut {
        Cut::Full => w.out.extend_from_slice(&[GS, b'V', 0]),
        Cut::Partial => w.out.extend_from_slice(&[GS, b'V', 1]),
        Cut::None => {}
    }
    w.out
}

/// The output and the printer's state, so a command is sent only when the state changes.
struct Writer {
    out: Vec<u8>,
    page: CodePage,
    bold: bool,
    size: Size,
    align: Align,
}

impl Writer {
    fn set_bold(&mut self, bold: bool) {
        if self.bold != bold {
            self.out.extend_from_slice(&[ESC, b'E', u8::from(bold)]);
            self.bold = bold;
        }
    }

    fn set_size(&mut self, size: Size) {
        if self.size != size {
            let n = match size {
                Size::Normal => 0x00,
                Size::Tall => 0x01,
                Size::Double => 0x11,
            };
            self.out.extend_from_slice(&[GS, b'!', n]);
            self.size = size;
        }
    }

    fn set_align(&mut self, align: Align) {
        if self.align != align {
            let n = match align {
                Align::Left => 0,
                Align::Center => 1,
                Align::Right => 2,
            };
            self.out.extend_from_slice(&[ESC, b'a', n]);
            self.align = align;
        }
    }

    /// Normal size, not bold, aligned.
    fn plain(&mut self, align: Align) {
        self.set_size(Size::Normal);
        self.set_bold(false);
        self.set_align(align);
    }

    fn spaces(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(b' ', n));
    }

    fn text(&mut self, text: &str) {
        self.page.encode_into(&mut self.out, text);
    }
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
    fn a_job_starts_with_init_and_code_page_and_ends_with_feed_and_cut() {
        let profile = Profile {
            width: Width::W32,
            code_page: CodePage::Wpc1252,
            cut: Cut::Full,
            qr: QrMode::Native,
        };
        let bytes = render_escpos(&doc(vec![Block::text("Hi £1", Style::NORMAL)]), &profile);
        assert_eq!(bytes, b"\x1b@\x1bt\x10Hi \xa31\n\x1bd\x04\x1dV\x00");
        let partial = Profile {
            code_page: CodePage::Pc858,
            cut: Cut::Partial,
            ..profile
        };
        let bytes = render_escpos(&doc(vec![Block::text("€", Style::NORMAL)]), &partial);
        assert_eq!(bytes, b"\x1b@\x1bt\x13\xd5\n\x1bd\x04\x1dV\x01");
    }

    #[test]
    fn style_commands_are_sent_when_the_style_changes() {
        let blocks = vec![
            Block::text("Title", Style::center().with_bold().with_size(Size::Double)),
            Block::text("a", Style::NORMAL),
            Block::text("b", Style::NORMAL),
        ];
        let profile = Profile {
            cut: Cut::None,
            ..Profile::default()
        };
        let bytes = render_escpos(&doc(blocks), &profile);
        let body = &bytes[5..];
        assert_eq!(
            body,
            b"\x1d!\x11\x1ba\x01\x1bE\x01Title\n\x1d!\x00\x1ba\x00\x1bE\x00a\nb\n\x1bd\x04"
        );
    }

    #[test]
    fn a_banner_is_an_inverted_bar_across_the_paper() {
        let profile = Profile {
            width: Width::W32,
            cut: Cut::None,
            ..Profile::default()
        };
        let bytes = render_escpos(&doc(vec![Block::banner("VOID")]), &profile);
        assert_eq!(
            &bytes[5..],
            b"\x1d!\x11\x1bE\x01\x1dB\x01      VOID      \n\x1dB\x00\x1d!\x00\x1bE\x00\x1bd\x04"
        );
    }

    #[test]
    fn the_drawer_kick_pulses_the_pin() {
        assert_eq!(drawer_kick(DrawerPin::Pin2), [0x1B, 0x70, 0, 25, 250]);
        assert_eq!(drawer_kick(DrawerPin::Pin5), [0x1B, 0x70, 1, 25, 250]);
    }
}
