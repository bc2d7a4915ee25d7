//! Folds the text the scanners read, one character (or one URL escape) to at
//! most one, so that a number typed with full-width digits, no-break spaces,
//! typographic dashes or invisible characters between its digits reads like
//! its ASCII spelling.
//!
//! This is the part of Unicode's NFKC that matters for the identifiers the
//! redactor knows (digits, spaces, dashes, `@` and `.`), written by hand: the
//! full normalisation tables would cost the widget more than its budget allows.
//! URL escapes of ASCII are decoded too (`%40` is `@`, `%20` a space, `%3D`
//! an `=`; `%253D`, escaped twice, an `=` as well), so a form's value or a
//! link pasted into a message reads as what it encodes, for every scanner.
//! Every byte of the folded text remembers the original characters it came
//! from, so findings map back to the caller's text.

/// What one original character becomes.
pub(super) fn fold(c: char) -> Option<char> {
    let code = u32::from(c);
    let folded = match code {
        // Tab, the Unicode spaces (Zs) other than the ASCII space, and the
        // blank braille pattern.
        0x09 | 0xA0 | 0x1680 | 0x2000..=0x200A | 0x202F | 0x205F | 0x2800 | 0x3000 => ' ',
        // Line breaks other than CR and LF: vertical tab, form feed, next
        // line, the line and paragraph separators.
        0x0B | 0x0C | 0x85 | 0x2028 | 0x2029 => '\n',
        // Invisible (`text::draws_nothing`).
        _ if crate::domain::text::draws_nothing(c) => return None,
        // Hyphens, dashes and minus signs (with the Armenian and Hebrew
        // hyphens, the hyphen bullet, the two- and three-em dashes, and the
        // wave dash and prolonged sound mark Japanese keyboards type as one).
        0x058A
        | 0x05BE
        | 0x2010..=0x2015
        | 0x2043
        | 0x2212
        | 0x2E3A..=0x2E3B
        | 0x301C
        | 0x30FC
        | 0xFE58
        | 0xFE63 => '-',
        // Full-width ASCII (digits, letters, `@`, `.`, `-`, `/`…).
        0xFF01..=0xFF5E => return char::from_u32(code - 0xFEE0),
        // Ideographic and small full stops, as IDNA reads them in domains.
        0x3002 | 0xFF61 | 0xFE52 => '.',
        0xFE6B => '@',
        0x1D7CE..=0x1D7FF => digit((code - 0x1D7CE) % 10),
        _ => match DIGIT_ZEROS
            .iter()
            .find(|&&zero| (zero..zero + 10).contains(&code))
        {
            Some(zero) => digit(code - zero),
            None => c,
        },
    };
    Some(folded)
}

/// The character a URL escape at the start of `rest` encodes, and the
/// escape's length: a whole UTF-8 character (`%C3%A9`, `%C2%A0`), escaped
/// once or twice (`%253D`, as redirects do); not a control character other
/// than a tab or a line break.
fn escape(rest: &[u8]) -> Option<(char, usize)> {
    decode_escape(rest, 5).or_else(|| decode_escape(rest, 3))
}

/// `escape` with escapes `step` bytes long: 3 (`%XX`) or 5 (`%25XX`).
fn decode_escape(rest: &[u8], step: usize) -> Option<(char, usize)> {
    let first = escaped_byte(rest, step)?;
    let width = match first {
        0x00..=0x7F => 1,
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    // The code point, from the lead byte's bits and six of each
    // continuation byte's.
    let mut code = if width == 1 {
        u32::from(first)
    } else {
        u32::from(first & (0x7F >> width))
    };
    for index in 1..width {
        let next = escaped_byte(rest.get(index * step..)?, step)?;
        if next & 0xC0 != 0x80 {
            return None;
        }
        code = code << 6 | u32::from(next & 0x3F);
    }
    let code = match code {
        0x09 => 0x20,
        0x0A | 0x0D => code,
        0x00..=0x1F | 0x7F => return None,
        _ => code,
    };
    Some((char::from_u32(code)?, width * step))
}

/// Where a form's value starts in `word` (after its first `=` or `?`),
/// when the word is form-encoded: a query string or a form body, with an
/// `=` and an `&`, a `?`, a `%` or a redaction tag's `]` (what an escape
/// was read as: redacting again reads the same) ("?q=my+card…",
/// "msg=write+to+jo%40example.com"). There a `+` is a space; elsewhere it
/// is a plus ("2+2=4", "tel=+49…" typed by hand).
fn form_encoded(word: &[u8]) -> Option<usize> {
    let value_from = word.iter().position(|&b| b == b'=' || b == b'?')?;
    let encoded = word.contains(&b'=') && word.iter().any(|b| b"&?%]".contains(b));
    encoded.then_some(value_from)
}

/// The byte a `%XX` (`step` 3) or a `%25XX` (`step` 5, the `%` itself
/// escaped) at the start of `rest` encodes.
fn escaped_byte(rest: &[u8], step: usize) -> Option<u8> {
    let at = |i: usize| rest.get(i).copied();
    if at(0)? != b'%' || step == 5 && (at(1)? != b'2' || at(2)? != b'5') {
        return None;
    }
    Some(hex_digit(at(step - 2)?)? << 4 | hex_digit(at(step - 1)?)?)
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' | b'A'..=b'F' => Some((b | 0x20) - b'a' + 10),
        _ => None,
    }
}

/// The zero of each script's decimal digits (Unicode's `Nd` blocks of the
/// Basic Multilingual Plane): Arabic-Indic, Extended Arabic-Indic, NKo,
/// Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada,
/// Malayalam, Sinhala, Thai, Lao, Tibetan, Myanmar (two), Khmer, Mongolian,
/// Limbu, New Tai Lue, Tai Tham (two), Balinese, Sundanese, Lepcha, Ol
/// Chiki, Vai, Saurashtra, Kayah Li, Javanese, Myanmar Extended-B, Cham,
/// Meetei Mayek.
const DIGIT_ZEROS: [u32; 35] = [
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
];

fn digit(value: u32) -> char {
    char::from_digit(value, 10).unwrap_or('0')
}

/// The folded text and, per folded byte, the original character's span.
pub(super) struct Normalized<'a> {
    original: &'a str,
    identity: bool,
    folded: String,
    /// Original byte offset where the character behind each folded byte
    /// starts, and where it ends. Empty when the text folds to itself.
    starts: Vec<usize>,
    ends: Vec<usize>,
}

impl<'a> Normalized<'a> {
    pub(super) fn new(original: &'a str) -> Self {
        // Text in which no character folds (ASCII without tabs, most
        // accented letters, most scripts) is read as it is: no copy and no
        // offset tables. Findings start and end on characters (the scanners
        // step over ASCII and whole characters), so the spans are the same.
        let bytes = original.as_bytes();
        let encoded = bytes.contains(&b'%') || bytes.contains(&b'+') && bytes.contains(&b'=');
        let identity = !encoded
            && (original
                .bytes()
                .all(|b| b.is_ascii() && !matches!(b, b'\t' | 0x0B | 0x0C))
                || original.chars().all(|c| fold(c) == Some(c)));
        if identity {
            return Normalized {
                original,
                identity,
                folded: String::new(),
                starts: Vec::new(),
                ends: Vec::new(),
            };
        }
        let mut folded = String::with_capacity(original.len());
        let mut starts = Vec::with_capacity(original.len());
        let mut ends = Vec::with_capacity(original.len());
        // Where the current word (a run without spaces) ends, and from where
        // in it a `+` is a space (after a form's first `=` or `?`).
        let (mut word_end, mut plus_is_space_from) = (0, usize::MAX);
        let mut last_was_escape = false;
        // The end of the form value the last `+` was in, and its last `@`.
        let (mut segment_end, mut last_at_sign) = (0, 0);
        let mut chars = original.char_indices();
        while let Some((at, c)) = chars.next() {
            if at >= word_end && !c.is_ascii_whitespace() {
                let word = bytes.get(at..).unwrap_or_default();
                let length = word
                    .iter()
                    .position(u8::is_ascii_whitespace)
                    .unwrap_or(word.len());
                word_end = at + length;
                plus_is_space_from = form_encoded(word.get(..length).unwrap_or_default())
                    .map_or(usize::MAX, |from| at + from);
            }
            // Not a `+` before the `@` of its value: part of an address
            // ("email=max+news@gmail.com&…").
            if c == '+' && at > plus_is_space_from && at >= segment_end {
                let segment = bytes.get(at..word_end).unwrap_or_default();
                let length = segment
                    .iter()
                    .position(|&b| b == b'&')
                    .unwrap_or(segment.len());
                segment_end = at + length;
                last_at_sign = segment
                    .get(..length)
                    .and_then(|value| value.iter().rposition(|&b| b == b'@'))
                    .map_or(0, |p| at + p);
            }
            if c == '+' && at > plus_is_space_from && at > last_at_sign {
                last_was_escape = false;
                folded.push(' ');
                starts.push(at);
                ends.push(at + 1);
                continue;
            }
            // An escaped letter or digit is read only among other escapes
            // (an address escaped whole, `%6A%6F%40…`): alone, it is a
            // percentage before a number ("78%3098…" is not "780…").
            let rest = bytes.get(at..).unwrap_or_default();
            let decoded = escape(rest).filter(|&(c, length)| {
                !c.is_ascii_alphanumeric()
                    || last_was_escape
                    || escape(rest.get(length..).unwrap_or_default()).is_some()
            });
            last_was_escape = decoded.is_some();
            let (folded_char, length) = match decoded {
                Some((decoded, length)) => {
                    // The escape's other bytes are ASCII: skip them.
                    for _ in 1..length {
                        chars.next();
                    }
                    (fold(decoded), length)
                }
                None => (fold(c), c.len_utf8()),
            };
            if let Some(f) = folded_char {
                folded.push(f);
                for _ in 0..f.len_utf8() {
                    starts.push(at);
                    ends.push(at + length);
                }
            }
        }
        Normalized {
            original,
            identity,
            folded,
            starts,
            ends,
        }
    }

    /// The text the scanners read.
    pub(super) fn text(&self) -> &str {
        if self.identity {
            self.original
        } else {
            &self.folded
        }
    }

    /// The original byte span behind a non-empty folded span.
    pub(super) fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        if self.identity {
            return (start, end);
        }
        let from = self
            .starts
            .get(start)
            .copied()
            .unwrap_or(self.original.len());
        let to = end
            .checked_sub(1)
            .and_then(|last| self.ends.get(last))
            .copied()
            .unwrap_or(from);
        (from, to.max(from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_digits_spaces_and_invisible_characters() {
        let text = "４１１１\u{a0}1\u{200b}1-\u{2013}x";
        let n = Normalized::new(text);
        assert_eq!(n.text(), "4111 11--x");
        // "4111" in full width is 12 bytes; "1\u{200b}1" keeps the zero width inside.
        assert_eq!(n.original_span(0, 4), (0, 12));
        assert_eq!(n.original_span(5, 7), (14, 19));
    }

    #[test]
    fn url_escapes_fold_to_what_they_encode_and_map_back_whole() {
        let n = Normalized::new("a%40b%253D%C3%A9%C2%A0%25E2%2580%25930%41%C3x%2");
        assert_eq!(n.text(), "a@b=é -0%41%C3x%2");
        assert_eq!(n.original_span(1, 2), (1, 4), "%40");
        assert_eq!(n.original_span(3, 4), (5, 10), "%253D, escaped twice");
        assert_eq!(n.original_span(4, 6), (10, 16), "é, two bytes each way");
        assert_eq!(n.original_span(6, 7), (16, 22), "a no-break space, folded");
        assert_eq!(n.original_span(7, 8), (22, 37), "an en dash escaped twice");
        // A letter's escape, half a character, a lone `%`: left as they are.
        assert_eq!(n.original_span(9, 12), (38, 41));
        // Letters and digits escaped whole, as e-mail obfuscators write them.
        assert_eq!(Normalized::new("%6A%6F%40x.de").text(), "jo@x.de");
        assert_eq!(Normalized::new("78%3098").text(), "78%3098");
        // A text with a per cent sign is folded, not read as it is.
        assert!(!Normalized::new("50% off").identity);
    }

    #[test]
    fn ascii_text_is_its_own_folding() {
        let n = Normalized::new("plain ascii");
        assert_eq!(n.text(), "plain ascii");
        assert_eq!(n.original_span(6, 11), (6, 11));
    }

    #[test]
    fn text_whose_characters_all_fold_to_themselves_is_read_as_it_is() {
        let text = "Größe: 4111 1111 1111 1111 … café ☕ 名前@例え.jp";
        let n = Normalized::new(text);
        assert!(n.identity, "nothing here folds");
        assert_eq!(n.text(), text);
        // One character that folds (a tab) and the whole text is folded.
        let tabbed = format!("{text}\t");
        assert!(!Normalized::new(&tabbed).identity);
        // The spans the offset tables would give, for every span on characters.
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(at, _)| at)
            .chain([text.len()])
            .collect();
        let folded = Normalized {
            original: text,
            identity: false,
            folded: text.to_string(),
            starts: text
                .char_indices()
                .flat_map(|(at, c)| (0..c.len_utf8()).map(move |_| at))
                .collect(),
            ends: text
                .char_indices()
                .flat_map(|(at, c)| (0..c.len_utf8()).map(move |_| at + c.len_utf8()))
                .collect(),
        };
        for &start in &bounds {
            for &end in bounds.iter().filter(|&&end| end > start) {
                assert_eq!(
                    n.original_span(start, end),
                    folded.original_span(start, end)
                );
            }
        }
    }
}
