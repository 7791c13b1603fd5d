//! QR codes in ESC/POS: the printer's own symbol (`GS ( k`) or, for printers without it, the matrix
//! drawn here and sent as a raster bit image (`GS v 0`).

use qrcode::{Color, EcLevel, QrCode};

/// The most bytes a QR code holds at error level M (version 40, byte mode).
pub(crate) const MAX_BYTES: usize = 2331;

/// Modules of white around the symbol, as the QR specification asks.
const QUIET_ZONE: usize = 4;

/// The native symbol: model 2, `module` dots a module, error level M. False (and nothing written) when
/// the data is too long for a QR code.
pub(crate) fn native(out: &mut Vec<u8>, data: &[u8], module: u8) -> bool {
    if data.is_empty() || data.len() > MAX_BYTES {
        return false;
    }
    let Ok(stored) = u16::try_from(data.len() + 3) else {
        return false;
    };
    let [pl, ph] = stored.to_le_bytes();
    // Function 165: model 2.
    out.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]);
    // Function 167: the size of a module in dots.
    out.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, module]);
    // Function 169: error correction level M (15 %).
    out.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]);
    // Function 180: store the data.
    out.extend_from_slice(&[0x1D, 0x28, 0x6B, pl, ph, 0x31, 0x50, 0x30]);
    out.extend_from_slice(data);
    // Function 181: print what is stored.
    out.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]);
    true
}

/// The symbol as a raster bit image with its quiet zone, `module` dots a module or fewer so that it fits
/// in `max_dots` across. False (and nothing written) when the data cannot be a QR code.
pub(crate) fn raster(out: &mut Vec<u8>, data: &[u8], module: u8, max_dots: u16) -> bool {
    if data.is_empty() {
        return false;
    }
    let Ok(code) = QrCode::with_error_correction_level(data, EcLevel::M) else {
        return false;
    };
    let modules = code.width();
    let total = modules + 2 * QUIET_ZONE;
    let scale = usize::from(module).min(usize::from(max_dots) / total).max(1);
    let dots = total * scale;
    let row_bytes = dots.div_ceil(8);
    let (Ok(x), Ok(y)) = (u16::try_from(row_bytes), u16::try_from(dots)) else {
        return false;
    };
    let [xl, xh] = x.to_le_bytes();
    let [yl, yh] = y.to_le_bytes();
    out.reserve(8 + row_bytes * dots);
    out.extend_from_slice(&[0x1D, 0x76, 0x30, 0x00, xl, xh, yl, yh]);
    let colors = code.to_colors();
    let dark = |mx: usize, my: usize| {
        let inside =
            (QUIET_ZONE..QUIET_ZONE + modules).contains(&mx) && (QUIET_ZONE..QUIET_ZONE + modules).contains(&my);
        inside && colors[(my - QUIET_ZONE) * modules + (mx - QUIET_ZONE)] == Color::Dark
    };
    for my in 0..total {
        let start = out.len();
        for byte in 0..row_bytes {
            let mut bits = 0u8;
            for bit in 0..8 {
                let x = byte * 8 + bit;
                if x < dots && dark(x / scale, my) {
                    bits |= 0x80 >> bit;
                }
            }
            out.push(bits);
        }
        // The other dot rows of this module row are the same bytes again.
        for _ in 1..scale {
            out.extend_from_within(start..start + row_bytes);
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_native_symbol_stores_the_data_with_its_length() {
        let mut out = Vec::new();
        assert!(native(&mut out, b"hello", 6));
        let store = [0x1D, 0x28, 0x6B, 8, 0, 0x31, 0x50, 0x30, b'h', b'e', b'l', b'l', b'o'];
        assert!(out.windows(store.len()).any(|w| w == store));
        assert!(out.ends_with(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]));
        let mut none = Vec::new();
        assert!(!native(&mut none, &[b'x'; MAX_BYTES + 1], 6));
        assert!(none.is_empty());
    }

    #[test]
    fn the_raster_image_has_a_quiet_zone_and_fits() {
        let mut out = Vec::new();
        assert!(raster(&mut out, b"https://fyn.lo/r/1", 6, 384));
        // Version 2 is 25 modules; with 4 on each side, 33 modules of 6 dots.
        let dots: usize = 33 * 6;
        let row = dots.div_ceil(8);
        assert_eq!(out[..4], [0x1D, 0x76, 0x30, 0x00]);
        assert_eq!(usize::from(u16::from_le_bytes([out[4], out[5]])), row);
        assert_eq!(usize::from(u16::from_le_bytes([out[6], out[7]])), dots);
        assert_eq!(out.len(), 8 + row * dots);
        // The first 24 dot rows are the quiet zone: white.
        assert!(out[8..8 + row * 24].iter().all(|&b| b == 0));
        // The next row starts with 24 white dots and then the finder pattern's dark edge.
        assert_eq!(out[8 + row * 24..8 + row * 24 + 4], [0, 0, 0, 0xFF]);
        let mut small = Vec::new();
        assert!(raster(&mut small, &[b'x'; 1000], 6, 384));
        assert!(usize::from(u16::from_le_bytes([small[6], small[7]])) <= 384);
    }
}
