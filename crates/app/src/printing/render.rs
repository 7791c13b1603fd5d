//! From a job to bytes: the order replayed to the job's version, the core's document for it, the
//! banners (DUPLICATE on a reprint someone asked for, REPRINT on a job cut off part-way before), and the
//! printer's rendering — ESC/POS bytes, or plain text for an office printer and for previews.

use std::path::Path;

use fynlo_core::{
    document::{
        kitchen::{kitchen_tickets, void_tickets, TicketContext},
        page::test_page,
        receipt::{part_receipt, receipt, refund_receipt, Context},
        Document, DUPLICATE, REPRINT,
    },
    ids::StaffId,
    order::Order,
    settings::Restaurant,
    staff::Staff,
    time::Clock,
};
use fynlo_print::{drawer_kick, render_escpos, render_text, CodePage, Cut, DrawerPin, Profile, QrMode, Width};

use super::{
    config::{
        CodePage as CodePageConfig, CutConfig, DrawerPinConfig, Language, PrinterConfig, QrConfig, TransportConfig,
    },
    spec::JobSpec,
};
use crate::error::{AppError, ErrorCode};

/// What documents need besides the order: who the restaurant is, staff names, and the local time.
pub(crate) struct Sources<'a> {
    pub(crate) restaurant: &'a Restaurant,
    pub(crate) staff: &'a [Staff],
    pub(crate) clock: &'a dyn Clock,
}

impl Sources<'_> {
    /// A member of staff's name as documents show it (the id, for someone no longer on the staff list).
    pub(crate) fn name(&self, id: &StaffId) -> String {
        crate::till::name_in(self.staff, id)
    }
}

/// The paper width of a printer.
pub(crate) fn width(printer: &PrinterConfig) -> Result<Width, AppError> {
    Width::try_from(printer.width).map_err(|e| AppError::invalid(e.to_string()))
}

/// The document a job prints (none for a drawer kick), given the order at the job's version.
pub(crate) fn document(
    spec: &JobSpec,
    order: Option<&Order>,
    src: &Sources<'_>,
    printer: &PrinterConfig,
) -> Result<Option<Document>, AppError> {
    let name = |id: &StaffId| src.name(id);
    let need = || order.ok_or_else(|| AppError::new(ErrorCode::NotFound, "the job's order is missing"));
    let time = |o: &Order| src.restaurant.time_zone.format(o.updated_at());
    let doc = match spec {
        JobSpec::Receipt { duplicate, .. } | JobSpec::RefundReceipt { duplicate, .. } => {
            let order = need()?;
            let time = time(order);
            let ctx = Context {
                restaurant: src.restaurant,
                footer: &src.restaurant.receipt_footer,
                time: &time,
                staff_name: &name,
            };
            let doc = match spec {
                JobSpec::RefundReceipt { refund, .. } => refund_receipt(order, *refund, &ctx)?,
                JobSpec::Receipt { part: Some(no), .. } => part_receipt(order, *no, &ctx)?,
                _ => receipt(order, &ctx)?,
            };
            if *duplicate {
                doc.with_banner(DUPLICATE)
            } else {
                doc
            }
        }
        JobSpec::Kitchen { station, lines, .. } | JobSpec::Void { station, lines, .. } => {
            let order = need()?;
            let time = time(order);
            let ctx = TicketContext {
                time: &time,
                staff_name: &name,
            };
            let tickets = if matches!(spec, JobSpec::Void { .. }) {
                void_tickets(order, lines, &ctx)?
            } else {
                kitchen_tickets(order, lines, &ctx)?
            };
            tickets
                .into_iter()
                .find(|(s, _)| s.as_str() == station)
                .map(|(_, doc)| doc)
                .ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("no lines for station {station}")))?
        }
        JobSpec::Report { page } => fynlo_core::document::page::report(page),
        JobSpec::TestPage => {
            let page = match printer.code_page {
                CodePageConfig::Pc858 => "PC858",
                CodePageConfig::Wpc1252 => "WPC1252",
            };
            test_page(
                &printer.name,
                printer.width,
                page,
                &src.restaurant.time_zone.format(src.clock.now()),
            )
        }
        JobSpec::Drawer => return Ok(None),
    };
    Ok(Some(doc))
}

/// The printer's ESC/POS profile.
pub(crate) fn profile(printer: &PrinterConfig) -> Result<Profile, AppError> {
    Ok(Profile {
        width: width(printer)?,
        code_page: match printer.code_page {
            CodePageConfig::Pc858 => CodePage::Pc858,
            CodePageConfig::Wpc1252 => CodePage::Wpc1252,
        },
        cut: match printer.cut {
            CutConfig::Full => Cut::Full,
            CutConfig::Partial => Cut::Partial,
            CutConfig::None => Cut::None,
        },
        qr: match printer.qr {
            QrConfig::Native => QrMode::Native,
            QrConfig::Raster => QrMode::Raster,
        },
    })
}

/// What goes down the wire for a document (or a drawer kick, `None`), under the REPRINT banner when an
/// earlier try was cut off part-way.
pub(crate) fn bytes(doc: Option<Document>, printer: &PrinterConfig, reprint: bool) -> Result<Vec<u8>, AppError> {
    let Some(doc) = doc else {
        return Ok(match printer.drawer {
            Some(pin) if printer.language == Language::Escpos => {
                let pin = match pin {
                    DrawerPinConfig::Pin2 => DrawerPin::Pin2,
                    DrawerPinConfig::Pin5 => DrawerPin::Pin5,
                };
                let mut out = vec![0x1B, b'@'];
                out.extend_from_slice(&drawer_kick(pin));
                out
            }
            // A printer without a drawer, or one that takes text, has nothing to open.
            _ => Vec::new(),
        });
    };
    let doc = if reprint { doc.with_banner(REPRINT) } else { doc };
    Ok(match printer.language {
        Language::Escpos => render_escpos(&doc, &profile(printer)?),
        Language::Text => render_text(&doc, width(printer)?).into_bytes(),
    })
}

/// The transport to a printer. File printers write into `prints/` beside the database. (A system printer
/// on iOS and Android, which have none, is refused.)
#[allow(
    clippy::unnecessary_wraps,
    reason = "the iOS and Android build refuses system printers here"
)]
pub(crate) fn transport(printer: &PrinterConfig, db: &Path) -> Result<fynlo_print::Transport, AppError> {
    Ok(match &printer.transport {
        TransportConfig::Tcp { host, port } => fynlo_print::Transport::Tcp(
            fynlo_print::TcpPrinter::new(host.clone())
                .with_port(port.unwrap_or(fynlo_print::TcpPrinter::DEFAULT_PORT))
                .with_status(printer.status_check),
        ),
        TransportConfig::File { name } => {
            let dir = db.parent().unwrap_or_else(|| Path::new(".")).join("prints");
            fynlo_print::Transport::File(fynlo_print::FileSink::new(dir.join(name)))
        }
        #[cfg(not(any(target_os = "ios", target_os = "android")))]
        TransportConfig::System { queue } => fynlo_print::Transport::System(fynlo_print::SystemPrinter::new(
            queue.clone(),
            match printer.language {
                Language::Escpos => fynlo_print::SystemFormat::Raw,
                Language::Text => fynlo_print::SystemFormat::Text,
            },
        )),
        #[cfg(any(target_os = "ios", target_os = "android"))]
        TransportConfig::System { .. } => {
            return Err(AppError::invalid(
                "system printers are for desktop tills; use a network (TCP) printer",
            ))
        }
    })
}

/// The plain text of a document as the printer would print it (the preview).
pub(crate) fn preview(doc: &Document, printer: Option<&PrinterConfig>) -> Result<(u16, String), AppError> {
    let width = match printer {
        Some(p) => width(p)?,
        None => Width::W48,
    };
    Ok((width.cols(), render_text(doc, width)))
}
