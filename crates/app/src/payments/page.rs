//! The page a pay-by-bank customer pays on, as a QR code the till shows (`payment_page`).
//!
//! A pay-by-bank attempt waits (`pending`) while the customer approves the payment in their banking
//! app. The provider gives a hosted page for it; the till asks the provider for the page afresh (so a
//! till restarted mid-payment shows the same code again) and draws its address as a QR code: an SVG
//! with one unit per module and a four-module quiet zone, crisp at any size. The SVG is made here from
//! the code's modules alone, so it holds nothing but numbers: the UI can put it in the page as it is.

use std::fmt::Write as _;

use fynlo_core::payment::{PaymentStatus, Tender};
use fynlo_payments::IntentStatus;
use qrcode::{Color, EcLevel, QrCode};

use super::{provider::payment_id, request::CheckPayment, view::PaymentPageView};
use crate::{
    error::{AppError, ErrorCode},
    till::Till,
    view::Reply,
};

/// The longest page address a till draws (a QR code at level M holds about 2,300 bytes; a provider's
/// page address is well under this).
pub const MAX_PAGE_URL: usize = 1024;

/// The quiet zone around the code, in modules (ISO/IEC 18004 asks for four).
const QUIET_ZONE: usize = 4;

fn refused(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::PaymentRule, message)
}

/// Is this a page address a phone can open: `https://` or `http://`, no spaces or control characters,
/// and short enough to draw?
fn page_url(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"))?;
    let clean =
        !rest.is_empty() && text.len() <= MAX_PAGE_URL && !text.chars().any(|c| c.is_whitespace() || c.is_control());
    clean.then_some(text)
}

/// The page recorded in a waiting attempt's note ("waiting for the customer to approve (https://…)").
fn recorded_page(note: Option<&str>) -> Option<&str> {
    let inside = note?.strip_suffix(')')?.rsplit_once('(')?.1;
    page_url(inside)
}

/// Draws `text` as a QR code (error correction level M), in SVG: a white square and one black path,
/// `viewBox` in modules, `shape-rendering="crispEdges"`, no fixed size.
pub fn qr_svg(text: &str) -> Result<String, AppError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| AppError::invalid(format!("cannot draw this as a QR code: {e}")))?;
    let width = code.width();
    let colours = code.to_colors();
    let size = width + 2 * QUIET_ZONE;
    let mut path = String::with_capacity(colours.len() * 4);
    for (y, row) in colours.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
                // One rectangle per run of dark modules on a row.
                let run = row[x..].iter().take_while(|c| **c == Color::Dark).count();
                // Writing to a String cannot fail.
                let _ = write!(path, "M{} {}h{run}v1h-{run}z", x + QUIET_ZONE, y + QUIET_ZONE);
                x += run;
            } else {
                x += 1;
            }
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\" \
         aria-hidden=\"true\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
    ))
}

impl Till {
    /// The hosted page of a pay-by-bank attempt still waiting for the customer, with its QR code.
    pub(crate) async fn payment_page(&mut self, req: CheckPayment) -> Result<Reply, AppError> {
        let id = self.resolve(req.order.as_deref())?;
        let payment = payment_id(&req.payment)?;
        let order = &self.draft(id).await?.order;
        let currency = order.currency().code();
        let found = order.payment(payment)?.clone();
        if found.tender != Tender::PayByBank {
            return Err(refused("only a pay-by-bank payment has a page to scan"));
        }
        if found.status != PaymentStatus::Pending {
            return Err(refused(format!(
                "the payment is {}, not waiting for the customer",
                found.status.as_str()
            )));
        }
        let provider_ref = found
            .provider_ref
            .ok_or_else(|| refused("the provider has not answered for this payment yet: check it again"))?;
        // The provider's answer, recorded with the attempt, says whether there is a page at all (the
        // simulator has none); only then is the provider asked for it afresh.
        if recorded_page(found.note.as_deref()).is_none() {
            return Err(refused("the provider gave no page for the customer to scan"));
        }
        let provider = std::sync::Arc::clone(&self.services.provider);
        let intent = provider
            .retrieve(&provider_ref)
            .await
            .map_err(|e| refused(format!("{e}: check the payment again")))?;
        if intent.status != IntentStatus::RequiresAction {
            return Err(refused(
                "the payment is no longer waiting for the customer: check it to see what happened",
            ));
        }
        let url = intent
            .next_action
            .as_deref()
            .and_then(page_url)
            .ok_or_else(|| refused("the provider gave no page for the customer to scan"))?
            .to_owned();
        let svg = qr_svg(&url)?;
        Ok(Reply::PaymentPage(PaymentPageView {
            payment: found.id.to_string(),
            url,
            svg,
            amount: found.tendered.into(),
            currency: currency.to_owned(),
            expires_at: intent.expires_at,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the SVG back into modules (the runs `qr_svg` writes), as a greyscale picture four pixels a
    /// module, and decodes it as a phone would.
    fn decode(svg: &str) -> String {
        let size: usize = svg
            .split("viewBox=\"0 0 ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .expect("a viewBox");
        let path = svg
            .split(" d=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("a path");
        let mut dark = vec![false; size * size];
        for run in path.split('M').filter(|r| !r.is_empty()) {
            let (x, rest) = run.split_once(' ').expect("x y");
            let (y, rest) = rest.split_once('h').expect("h");
            let n = rest.split('v').next().expect("run");
            let (x, y, n): (usize, usize, usize) = (x.parse().unwrap(), y.parse().unwrap(), n.parse().unwrap());
            for i in x..x + n {
                dark[y * size + i] = true;
            }
        }
        let scale = 4;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(size * scale, size * scale, |x, y| {
            if dark[(y / scale) * size + x / scale] {
                0
            } else {
                255
            }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one code in the picture");
        grids[0].decode().expect("it decodes").1
    }

    #[test]
    fn the_svg_decodes_to_the_page_address_and_has_a_quiet_zone() {
        let url = "http://192.168.1.20:8080/sandbox/pay/0195f3e1-7c2a-7bd3-9a51-2f7c0e6d4b11";
        let svg = qr_svg(url).unwrap();
        assert_eq!(decode(&svg), url);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "));
        assert!(
            !svg.contains("width=\"") || svg.contains("<rect width="),
            "no fixed size on the svg"
        );
        // Nothing is drawn in the four modules round the edge.
        assert!(!svg.contains("M0 ") && !svg.contains("M1 ") && !svg.contains("M2 ") && !svg.contains("M3 "));
    }

    #[test]
    fn the_page_is_read_from_the_waiting_attempts_note() {
        assert_eq!(
            recorded_page(Some("waiting for the customer to approve (http://c/sandbox/pay/sbx_1)")),
            Some("http://c/sandbox/pay/sbx_1")
        );
        for none in [
            None,
            Some("waiting for the customer to approve (redirect_to_url)"),
            Some("the provider is processing it"),
            Some("(https://x"),
        ] {
            assert_eq!(recorded_page(none), None, "{none:?}");
        }
    }

    #[test]
    fn only_web_addresses_short_enough_are_drawn() {
        assert!(page_url("https://pay.example/p/1").is_some());
        assert!(page_url("http://127.0.0.1:9/sandbox/pay/x").is_some());
        for bad in [
            "redirect_to_url",
            "javascript:alert(1)",
            "https://",
            "https://a b",
            "https://a\nb",
            "ftp://x",
        ] {
            assert!(page_url(bad).is_none(), "{bad:?}");
        }
        let long = format!("https://x/{}", "a".repeat(MAX_PAGE_URL));
        assert!(page_url(&long).is_none());
        assert!(qr_svg(&format!("https://x/{}", "a".repeat(MAX_PAGE_URL - 10))).is_ok());
    }
}
