//! Folds the text the scanners read, one character to at most one, so that a
//! number typed with full-width digits, no-break spaces, typographic dashes or
//! invisible characters between its digits reads like its ASCII spelling.
//!
//! This is the part of Unicode's NFKC that matters for the identifiers the
//! redactor knows (digits, spaces, dashes, `@` and `.`), written by hand: the
//! full normalisation tables would cost the widget more than its budget allows.
//! Every byte of the folded text remembers the original character it came
//! from, so findings map back to the caller's text.

/// What one original character becomes.
fn fold(c: char) -> Option<char> {
    let code = u32::from(c);
    let folded = match code {
        // Tab and the Unicode spaces (Zs) other than the ASCII space.
        0x09 | 0xA0 | 0x1680 | 0x2000..=0x200A | 0x202F | 0x205F | 0x3000 => ' ',
        // Invisible: zero-width spaces and joiners, word joiner, BOM, soft
        // hyphen, the combining grapheme joiner and the bidirectional controls.
        0xAD | 0x034F | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2069 | 0xFEFF => {
            return None
        }
        // Hyphens, dashes and minus signs.
        0x2010..=0x2015 | 0x2212 | 0xFE58 | 0xFE63 => '-',
        // Full-width ASCII (digits, letters, `@`, `.`, `-`, `/`…).
        0xFF01..=0xFF5E => return char::from_u32(code - 0xFEE0),
        // Ideographic and small full stops, as IDNA reads them in domains.
        0x3002 | 0xFF61 | 0xFE52 => '.',
        0xFE6B => '@',
        // Decimal digits of other scripts: Arabic-Indic, Extended Arabic-Indic,
        // Devanagari, Bengali, Thai, and the mathematical digits.
        0x0660..=0x0669 => digit(code - 0x0660),
        0x06F0..=0x06F9 => digit(code - 0x06F0),
        0x0966..=0x096F => digit(code - 0x0966),
        0x09E6..=0x09EF => digit(code - 0x09E6),
        0x0E50..=0x0E59 => digit(code - 0x0E50),
        0x1D7CE..=0x1D7FF => digit((code - 0x1D7CE) % 10),
        _ => c,
    };
    Some(folded)
}

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
        let identity = original.bytes().all(|b| b.is_ascii() && b != b'\t')
            || original.chars().all(|c| fold(c) == Some(c));
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
        for (at, c) in original.char_indices() {
            if let Some(f) = fold(c) {
                folded.push(f);
                for _ in 0..f.len_utf8() {
                    starts.push(at);
                    ends.push(at + c.len_utf8());
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
