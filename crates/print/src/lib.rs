//! Printing below the app: documents from `fynlo_core::document` rendered to ESC/POS bytes or plain
//! text, and the transports that carry them to a printer.
//!
//! # Rendering
//!
//! Both renderers start from one [`layout()`]: the document's blocks broken into [`Line`]s for a paper
//! [`Width`] of 32, 42 or 48 columns, so the on-screen preview says what the paper says, line for line.
//!
//! - [`render_escpos`]`(doc, &`[`Profile`]`) -> Vec<u8>`: bytes for a thermal printer, in the profile's
//!   [`CodePage`], ending with a feed and the profile's [`Cut`]; QR codes natively or as a raster image
//!   ([`QrMode`]). [`drawer_kick`] gives the bytes that open a cash drawer.
//! - [`render_text`]`(doc, width) -> String`: the same lines as plain text, for office printers and the
//!   preview.
//!
//! # Sending
//!
//! A [`Transport`] is where a printer is: raw TCP (port 9100, [`TcpPrinter`]), a printer of the
//! operating system ([`SystemPrinter`], feature `system`, not on iOS or Android), or a file
//! ([`FileSink`]). [`Transport::send`] gives [`Sent`] when every byte went out, or a [`PrintError`] that
//! says whether any byte may have left ([`PrintError::maybe_sent`]): a job that was not sent can be sent
//! again as it is; one that may have printed in part is sent again under a REPRINT banner.
//! [`Transport::status`] asks a printer how it is ([`Status`]).
//!
//! # Testing
//!
//! With the feature `testing`, `testing::LoopbackPrinter` is a network printer on 127.0.0.1 that
//! records what it receives and can misbehave on purpose.

mod error;
pub mod escpos;
pub mod layout;
mod text;
pub mod transport;

#[cfg(feature = "testing")]
pub mod testing;

pub use error::{NotSentReason, PrintError};
pub use escpos::{drawer_kick, render_escpos, CodePage, Cut, DrawerPin, Profile, QrMode};
pub use layout::{layout, Line, Run, Width};
pub use text::render_text;
#[cfg(all(feature = "system", not(any(target_os = "ios", target_os = "android"))))]
pub use transport::system::{system_printers, SystemFormat, SystemPrinter};
pub use transport::{file::FileSink, tcp::TcpPrinter, Sent, Status, Transport};
