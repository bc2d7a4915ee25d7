//! Byte-level string helpers for the recorder. Core's pattern searchers
//! (`str::find` with a `&str`, `split`) carry slicing panic paths and their
//! messages into the wasm that ships on every page; these do not.

/// Where `needle` first occurs in `haystack`, by bytes.
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    (0..=haystack.len().checked_sub(needle.len())?).find(|&at| {
        haystack
            .get(at..at + needle.len())
            .is_some_and(|window| window == needle)
    })
}

/// The pieces of `text` between ASCII `separator`s, like `str::split`.
pub fn split(text: &str, separator: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    core::iter::from_fn(move || {
        let current = rest?;
        match current.bytes().position(|b| b == separator) {
            Some(at) => {
                rest = current.get(at + 1..);
                current.get(..at)
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// Lower-cases a letter of the Latin, Greek or Cyrillic alphabets, one
/// character to one, without Unicode's case tables (they are 15 KB of the
/// widget's wasm); other characters are kept as they are.
pub fn fold_lowercase(c: char) -> char {
    let code = u32::from(c);
    let lower = match code {
        0x41..=0x5A | 0xC0..=0xD6 | 0xD8..=0xDE | 0x391..=0x3A1 | 0x3A3..=0x3AB | 0x410..=0x42F => {
            code + 32
        }
        0x400..=0x40F => code + 80,
        // Latin Extended-A comes in pairs, the capital first…
        0x100..=0x12F | 0x132..=0x137 | 0x14A..=0x177 => code | 1,
        // …but for these runs the capital is the odd one.
        0x139..=0x148 | 0x179..=0x17E if code % 2 == 1 => code + 1,
        0x178 => 0xFF,
        0x386 => 0x3AC,
        0x388..=0x38A => code + 37,
        0x38C => 0x3CC,
        0x38E..=0x38F => code + 63,
        _ => code,
    };
    char::from_u32(lower).unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_matches_unicode_for_latin_greek_and_cyrillic() {
        // Basic and extended Latin, modern Greek capitals, basic Cyrillic.
        let ranges = [0x20..0x180u32, 0x386..0x3AC, 0x400..0x460];
        for code in ranges.into_iter().flatten() {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let mut std = c.to_lowercase();
            let (first, rest) = (std.next(), std.next());
            // One-to-one mappings only: 'İ' lower-cases to two characters.
            if rest.is_none() {
                assert_eq!(Some(fold_lowercase(c)), first, "U+{code:04X} {c}");
            }
        }
        assert_eq!(fold_lowercase('€'), '€');
    }

    #[test]
    fn find_and_split_match_the_standard_library() {
        for (haystack, needle) in [
            ("a://b", "://"),
            ("abc", ""),
            ("", "x"),
            ("%40%40", "%40"),
            ("ab", "abc"),
        ] {
            assert_eq!(
                find(haystack, needle),
                haystack.find(needle),
                "{haystack} {needle}"
            );
        }
        for text in ["", "/", "a/b", "/a//b/", "é/ü"] {
            let ours: Vec<&str> = split(text, b'/').collect();
            let std: Vec<&str> = text.split('/').collect();
            assert_eq!(ours, std, "{text}");
        }
    }
}
