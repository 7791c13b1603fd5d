//! Text to a printer's code page, by hand-written tables: every character becomes at least one byte.
//! A character the page lacks is replaced (curly quotes by straight ones, dashes by `-`, `…` by `...`,
//! letters of other alphabets by their plain letter, anything else by `?`), never dropped, so what was
//! written can still be read and a line keeps its length.

use serde::{Deserialize, Serialize};

/// The code page a printer is set to (`ESC t n`), which decides the bytes of non-ASCII characters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodePage {
    /// PC858: PC850 (Western Europe) with `€` at 0xD5. The default: `£` and `€` both print.
    #[default]
    Pc858,
    /// WPC1252: Windows Latin-1, with `€` at 0x80 and typographic quotes and dashes.
    Wpc1252,
}

/// A byte no character maps to (the table's holes).
const NONE: char = '\0';

/// PC858's characters for the bytes 0x80 to 0xFF.
const PC858: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', // 0x80
    'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', 'ø', '£', 'Ø', '×', 'ƒ', // 0x90
    'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '®', '¬', '½', '¼', '¡', '«', '»', // 0xA0
    '░', '▒', '▓', '│', '┤', 'Á', 'Â', 'À', '©', '╣', '║', '╗', '╝', '¢', '¥', '┐', // 0xB0
    '└', '┴', '┬', '├', '─', '┼', 'ã', 'Ã', '╚', '╔', '╩', '╦', '╠', '═', '╬', '¤', // 0xC0
    'ð', 'Ð', 'Ê', 'Ë', 'È', '€', 'Í', 'Î', 'Ï', '┘', '┌', '█', '▄', '¦', 'Ì', '▀', // 0xD0
    'Ó', 'ß', 'Ô', 'Ò', 'õ', 'Õ', 'µ', 'þ', 'Þ', 'Ú', 'Û', 'Ù', 'ý', 'Ý', '¯', '´', // 0xE0
    '\u{ad}', '±', '‗', '¾', '¶', '§', '÷', '¸', '°', '¨', '·', '¹', '³', '²', '■', '\u{a0}', // 0xF0
];

/// WPC1252's characters for the bytes 0x80 to 0x9F; from 0xA0 on, a byte is the character of that
/// number (Latin-1).
const WPC1252_HIGH: [char; 32] = [
    '€', NONE, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', NONE, 'Ž', NONE, // 0x80
    NONE, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', NONE, 'ž', 'Ÿ', // 0x90
];

impl CodePage {
    /// The `n` of `ESC t n` that selects the page.
    pub const fn escpos_number(self) -> u8 {
        match self {
            CodePage::Pc858 => 19,
            CodePage::Wpc1252 => 16,
        }
    }

    /// The page's byte for a character, if it has one. Control characters have none.
    pub fn byte(self, c: char) -> Option<u8> {
        if (' '..='~').contains(&c) {
            return u8::try_from(c).ok();
        }
        let high = |table: &[char]| {
            table
                .iter()
                .position(|&t| t == c && t != NONE)
                .and_then(|i| u8::try_from(i + 0x80).ok())
        };
        match self {
            CodePage::Pc858 => high(&PC858),
            CodePage::Wpc1252 if ('\u{a0}'..='\u{ff}').contains(&c) => u8::try_from(c).ok(),
            CodePage::Wpc1252 => high(&WPC1252_HIGH),
        }
    }

    /// Appends a text's bytes in this page, replacing what the page lacks.
    pub fn encode_into(self, out: &mut Vec<u8>, text: &str) {
        for c in text.chars() {
            if let Some(b) = self.byte(c) {
                out.push(b);
            } else {
                out.extend_from_slice(replacement(c).as_bytes());
            }
        }
    }

    /// A text's bytes in this page, replacing what the page lacks.
    pub fn encode(self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        self.encode_into(&mut out, text);
        out
    }
}

/// What stands in for a character a page lacks: ASCII, one character except for `…`.
fn replacement(c: char) -> &'static str {
    match c {
        '‘' | '’' | '‚' | '‛' | '′' => "'",
        '“' | '”' | '„' | '‟' | '″' => "\"",
        '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => "-",
        '…' => "...",
        '•' | '∙' => "*",
        '\t' => " ",
        'ą' | 'ā' | 'ă' => "a",
        'Ą' | 'Ā' | 'Ă' => "A",
        'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'Ć' | 'Č' | 'Ĉ' | 'Ċ' => "C",
        'ď' | 'đ' => "d",
        'Ď' | 'Đ' => "D",
        'ę' | 'ě' | 'ē' | 'ė' => "e",
        'Ę' | 'Ě' | 'Ē' | 'Ė' => "E",
        'ğ' | 'ģ' => "g",
        'Ğ' | 'Ģ' => "G",
        'ı' | 'ī' | 'į' => "i",
        'İ' | 'Ī' | 'Į' => "I",
        'ł' | 'ľ' | 'ĺ' | 'ļ' => "l",
        'Ł' | 'Ľ' | 'Ĺ' | 'Ļ' => "L",
        'ń' | 'ň' | 'ņ' => "n",
        'Ń' | 'Ň' | 'Ņ' => "N",
        'ő' | 'ō' | 'œ' => "o",
        'Ő' | 'Ō' | 'Œ' => "O",
        'ř' | 'ŕ' => "r",
        'Ř' | 'Ŕ' => "R",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'Ś' | 'Š' | 'Ş' | 'Ș' => "S",
        'ť' | 'ţ' | 'ț' => "t",
        'Ť' | 'Ţ' | 'Ț' => "T",
        'ű' | 'ů' | 'ū' | 'ų' => "u",
        'Ű' | 'Ů' | 'Ū' | 'Ų' => "U",
        'ź' | 'ż' | 'ž' => "z",
        'Ź' | 'Ż' | 'Ž' => "Z",
        'Ÿ' => "Y",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pound_and_euro_on_both_pages() {
        assert_eq!(CodePage::Pc858.encode("£€"), [0x9C, 0xD5]);
        assert_eq!(CodePage::Wpc1252.encode("£€"), [0xA3, 0x80]);
    }

    #[test]
    fn western_letters_have_their_bytes() {
        let text = "éèàçñüöäß°½";
        assert_eq!(
            CodePage::Pc858.encode(text),
            [0x82, 0x8A, 0x85, 0x87, 0xA4, 0x81, 0x94, 0x84, 0xE1, 0xF8, 0xAB]
        );
        assert_eq!(
            CodePage::Wpc1252.encode(text),
            [0xE9, 0xE8, 0xE0, 0xE7, 0xF1, 0xFC, 0xF6, 0xE4, 0xDF, 0xB0, 0xBD]
        );
    }

    #[test]
    fn each_table_byte_maps_back_to_its_character() {
        for (i, &c) in PC858.iter().enumerate() {
            assert_eq!(CodePage::Pc858.byte(c), u8::try_from(i + 0x80).ok(), "{c:?}");
        }
        for (i, &c) in WPC1252_HIGH.iter().enumerate().filter(|(_, &c)| c != NONE) {
            assert_eq!(CodePage::Wpc1252.byte(c), u8::try_from(i + 0x80).ok(), "{c:?}");
        }
    }

    #[test]
    fn replacements_never_drop_a_character() {
        let texts = [
            "‘quoted’ “double” – dash — long",
            "Łódź Kraków Škoda Ærø œuvre",
            "日本語 🍔 \u{1b}@ \u{7}",
            "Zürich café £5 €6 ½",
        ];
        for page in [CodePage::Pc858, CodePage::Wpc1252] {
            for text in texts {
                let bytes = page.encode(text);
                assert_eq!(bytes.len(), text.chars().count(), "{page:?} {text:?}");
                assert!(bytes.iter().all(|&b| b >= 0x20), "a control byte reached the printer");
            }
        }
        assert_eq!(CodePage::Pc858.encode("‘a’ “b” – c…"), b"'a' \"b\" - c...");
        assert_eq!(CodePage::Wpc1252.encode("’…"), [0x92, 0x85]);
        assert_eq!(CodePage::Pc858.encode("Łódź 🍔"), b"L\xa2dz ?");
    }
}
