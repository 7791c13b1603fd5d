//! A printer's set-up, as the manager enters it and the store keeps it (`printers` table, JSON): how to
//! reach it, what it speaks, its paper and code page, which kitchen stations it serves, whether it
//! prints receipts (and on its own after each sale), and whether a cash drawer hangs off it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::AppError;

/// How the till reaches a printer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TransportConfig {
    /// Raw TCP, the thermal printers' own port (9100): works from an iPad too.
    Tcp {
        /// Host name or IP address.
        host: String,
        /// Port; 9100 when left out.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        port: Option<u16>,
    },
    /// A printer of the operating system (CUPS on Linux and macOS, the Windows spooler), by queue name.
    /// Desktop tills only.
    System {
        /// The queue's name.
        queue: String,
    },
    /// A file in the `prints` folder beside the database, for development: each job's bytes are
    /// appended to it.
    File {
        /// The file's name (no folders).
        name: String,
    },
}

/// What the printer understands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// ESC/POS: thermal receipt and kitchen printers.
    #[default]
    Escpos,
    /// Plain text: an office printer.
    Text,
}

/// The printer's character table for pound signs and accents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CodePage {
    /// PC858 (code page 19): £ and €. The default.
    #[default]
    Pc858,
    /// Windows-1252 (code page 16).
    Wpc1252,
}

/// How the paper is cut at the end of each document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CutConfig {
    /// A partial cut (leaves a tab): the default.
    #[default]
    Partial,
    /// A full cut.
    Full,
    /// No cutter: tear by hand.
    None,
}

/// Which pin of the printer's drawer port opens the drawer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DrawerPinConfig {
    /// Pin 2 (most drawers).
    Pin2,
    /// Pin 5.
    Pin5,
}

/// How QR codes are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum QrConfig {
    /// The printer draws them (`GS ( k`): the default.
    #[default]
    Native,
    /// The till draws them as an image, for printers without QR support.
    Raster,
}

fn yes() -> bool {
    true
}

/// One printer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PrinterConfig {
    /// Its id: 1 to 32 of a–z, 0–9, `-` and `_`.
    pub id: String,
    /// Its name as staff see it.
    pub name: String,
    /// How to reach it.
    pub transport: TransportConfig,
    /// What it speaks.
    #[serde(default)]
    pub language: Language,
    /// Characters per line: 32 or 42 (58 mm paper… 80 mm at a small font) or 48 (80 mm).
    pub width: u16,
    /// Its code page.
    #[serde(default)]
    pub code_page: CodePage,
    /// How it cuts.
    #[serde(default)]
    pub cut: CutConfig,
    /// The kitchen stations whose tickets it prints.
    #[serde(default)]
    pub stations: Vec<String>,
    /// It prints customer receipts (reprints, previews' Print).
    #[serde(default)]
    pub receipts: bool,
    /// …and prints one on its own when a sale completes.
    #[serde(default)]
    pub auto_print: bool,
    /// The cash drawer on its drawer port, if any: opened on cash sales and no-sales.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub drawer: Option<DrawerPinConfig>,
    /// Ask the printer whether it has paper and is online (`DLE EOT`) before each job; turn off for
    /// printers that do not answer.
    #[serde(default = "yes")]
    pub status_check: bool,
    /// How QR codes are printed.
    #[serde(default)]
    pub qr: QrConfig,
}

fn slug_ok(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

impl PrinterConfig {
    /// Checks every field; a bad one is named.
    pub fn validate(&self) -> Result<(), AppError> {
        if !slug_ok(&self.id, 32) {
            return Err(AppError::invalid("printer id must be 1 to 32 of a-z, 0-9, '-' and '_'"));
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control) {
            return Err(AppError::invalid("printer name must be 1 to 40 characters"));
        }
        if ![32, 42, 48].contains(&self.width) {
            return Err(AppError::invalid("printer width must be 32, 42 or 48 characters"));
        }
        match &self.transport {
            TransportConfig::Tcp { host, port } => {
                let ok = !host.is_empty()
                    && host.len() <= 253
                    && host
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
                if !ok {
                    return Err(AppError::invalid("printer host must be a host name or IP address"));
                }
                if *port == Some(0) {
                    return Err(AppError::invalid("printer port must be 1 to 65535"));
                }
            }
            TransportConfig::System { queue } => {
                let ok = !queue.is_empty()
                    && queue.len() <= 127
                    && queue
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@'));
                if !ok {
                    return Err(AppError::invalid(
                        "printer queue must be a queue name of letters, digits, '-', '_', '.' and '@'",
                    ));
                }
            }
            TransportConfig::File { name } => {
                // A name, never a path: a file printer must not be able to write over the database or
                // anything else outside its folder.
                let ok = !name.is_empty()
                    && name.len() <= 64
                    && !name.starts_with('.')
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
                // …and never a device's name on Windows (CON, NUL, COM1, LPT1…, with any extension).
                let stem = name.split('.').next().unwrap_or("").to_ascii_uppercase();
                let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$")
                    || ((stem.starts_with("COM") || stem.starts_with("LPT"))
                        && stem.len() == 4
                        && stem.as_bytes()[3].is_ascii_digit());
                if !ok || device {
                    return Err(AppError::invalid(
                        "a file printer's name is 1 to 64 of letters, digits, '-', '_' and '.', not starting with '.', \
                         and not a device's name (CON, NUL, COM1…)",
                    ));
                }
            }
        }
        if self.stations.len() > 32 || self.stations.iter().any(|s| !slug_ok(s, 40)) {
            return Err(AppError::invalid(
                "stations must be up to 32 station ids (a-z, 0-9, '-', '_')",
            ));
        }
        if self.auto_print && !self.receipts {
            return Err(AppError::invalid(
                "auto_print needs receipts: only a receipt printer prints receipts on its own",
            ));
        }
        Ok(())
    }

    /// The printer a preview is laid out for when the till has none: 80 mm paper, 48 columns.
    pub fn preview() -> PrinterConfig {
        PrinterConfig {
            id: "preview".into(),
            name: "Preview".into(),
            transport: TransportConfig::File { name: "preview".into() },
            language: Language::Escpos,
            width: 48,
            code_page: CodePage::Pc858,
            cut: CutConfig::Partial,
            stations: Vec::new(),
            receipts: true,
            auto_print: false,
            drawer: None,
            status_check: false,
            qr: QrConfig::Native,
        }
    }

    /// Does it print tickets for this station?
    pub fn serves(&self, station: &str) -> bool {
        self.stations.iter().any(|s| s == station)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Change = Box<dyn Fn(&mut PrinterConfig)>;

    fn printer() -> PrinterConfig {
        PrinterConfig {
            id: "bar".into(),
            name: "Bar".into(),
            transport: TransportConfig::Tcp {
                host: "192.168.1.50".into(),
                port: None,
            },
            language: Language::Escpos,
            width: 48,
            code_page: CodePage::Pc858,
            cut: CutConfig::Partial,
            stations: vec!["bar".into()],
            receipts: true,
            auto_print: true,
            drawer: Some(DrawerPinConfig::Pin2),
            status_check: true,
            qr: QrConfig::Native,
        }
    }

    #[test]
    fn a_good_printer_passes_and_each_bad_field_is_refused() {
        assert!(printer().validate().is_ok());
        let bad: Vec<Change> = vec![
            Box::new(|p| p.id = "Bar".into()),
            Box::new(|p| p.id = String::new()),
            Box::new(|p| p.name = " ".into()),
            Box::new(|p| p.width = 40),
            Box::new(|p| p.stations = vec!["Grill!".into()]),
            Box::new(|p| p.receipts = false),
            Box::new(|p| {
                p.transport = TransportConfig::File {
                    name: "../fynlo.db".into(),
                }
            }),
            Box::new(|p| p.transport = TransportConfig::File { name: ".hidden".into() }),
            Box::new(|p| p.transport = TransportConfig::File { name: "a/b".into() }),
            Box::new(|p| p.transport = TransportConfig::File { name: "nul".into() }),
            Box::new(|p| {
                p.transport = TransportConfig::File {
                    name: "COM1.txt".into(),
                }
            }),
            Box::new(|p| p.transport = TransportConfig::File { name: "lpt9".into() }),
            Box::new(|p| {
                p.transport = TransportConfig::Tcp {
                    host: "a b".into(),
                    port: None,
                }
            }),
            Box::new(|p| {
                p.transport = TransportConfig::Tcp {
                    host: "h".into(),
                    port: Some(0),
                }
            }),
            Box::new(|p| p.transport = TransportConfig::System { queue: "x/y".into() }),
        ];
        for (i, change) in bad.iter().enumerate() {
            let mut p = printer();
            change(&mut p);
            assert!(p.validate().is_err(), "case {i} passed: {p:?}");
        }
    }
}
