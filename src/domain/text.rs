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

/// Where `needle` first occurs in `haystack`.
#[cfg(feature = "std")]
pub fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    // The first byte is compared before the window (a slice comparison is a
    // call in the size-tuned wasm; the redactor searches ~40 cues per number).
    let first = needle.first();
    (0..=haystack.len().checked_sub(needle.len())?).find(|&at| {
        (first.is_none() || haystack.get(at) == first)
            && haystack
                .get(at..at + needle.len())
                .is_some_and(|window| window == needle)
    })
}

/// Where `needle` last occurs in `haystack`.
#[cfg(feature = "std")]
pub fn rfind_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let mut at = haystack.len().checked_sub(needle.len())?;
    let first = needle.first();
    loop {
        if (first.is_none() || haystack.get(at) == first)
            && haystack.get(at..at + needle.len()) == Some(needle)
        {
            return Some(at);
        }
        at = at.checked_sub(1)?;
    }
}

/// Sorts `keys` ascending: a least-significant-byte radix sort, one pass per
/// byte in which the keys differ (two for the classifier's 2^14 feature
/// buckets), with one scratch buffer. O(n), no comparisons to mispredict,
/// and a tenth of the code of core's sort, which was 4 KB of the widget's
/// wasm for the two sorts it needs (findings, feature buckets).
#[cfg(feature = "std")]
pub fn sort_u64(keys: &mut [u64]) {
    if keys.len() < 2 {
        // Nothing to order (the redactor's lists usually are empty).
        return;
    }
    let (any, all) = keys
        .iter()
        .fold((0u64, u64::MAX), |(any, all), &k| (any | k, all & k));
    let mut scratch = keys.to_vec();
    let mut in_scratch = false;
    for shift in (0..64).step_by(8) {
        if (any ^ all) >> shift & 255 == 0 {
            // Every key has the same byte here.
            continue;
        }
        let (from, to) = if in_scratch {
            (&scratch[..], &mut keys[..])
        } else {
            (&keys[..], &mut scratch[..])
        };
        let mut next = [0usize; 256];
        for &key in from {
            next[(key >> shift) as usize & 255] += 1;
        }
        let mut total = 0;
        for slot in &mut next {
            let count = *slot;
            *slot = total;
            total += count;
        }
        for &key in from {
            let digit = (key >> shift) as usize & 255;
            if let Some(place) = to.get_mut(next[digit]) {
                *place = key;
            }
            next[digit] += 1;
        }
        in_scratch = !in_scratch;
    }
    if in_scratch {
        keys.copy_from_slice(&scratch);
    }
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

/// Whether `text` shows nothing: only whitespace, the blank braille pattern
/// and characters that draw nothing (`draws_nothing`), so a message of them
/// is empty to a reader. openapi.json's `MessageText` pattern lists the same
/// set within the Basic Multilingual Plane.
pub fn is_blank(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_whitespace() || c == '\u{2800}' || draws_nothing(c))
}

/// Unicode's default-ignorable characters a visitor can type or paste:
/// zero-width space and joiners, direction marks (with the Arabic letter
/// mark), word joiner, variation selectors, byte-order mark, soft hyphen,
/// the combining grapheme joiner, the Hangul and Khmer fillers, the
/// shorthand and musical format controls and the tag characters. The
/// redactor drops them before it reads a number (`pii::normalize`), and the
/// console shows each by name (`display::visible_controls`).
pub fn draws_nothing(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{034f}'
            | '\u{061c}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fff8}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
    )
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

/// Appends the text that UTF-8 `bytes` spell to `out`; false (and `out`
/// possibly part-written) when they are not UTF-8. Core's `str::from_utf8`
/// is a fast validator three times this size, and the page's strings are
/// short; decoding char by char keeps the code safe and small.
pub fn push_utf8(out: &mut alloc::string::String, bytes: &[u8]) -> bool {
    let mut at = 0;
    while let Some(&lead) = bytes.get(at) {
        let (length, mut code) = match lead {
            0..=0x7f => (1, u32::from(lead)),
            0xc2..=0xdf => (2, u32::from(lead & 0x1f)),
            0xe0..=0xef => (3, u32::from(lead & 0x0f)),
            0xf0..=0xf4 => (4, u32::from(lead & 0x07)),
            _ => return false,
        };
        for next in 1..length {
            match bytes.get(at + next) {
                Some(&byte) if byte & 0xc0 == 0x80 => code = code << 6 | u32::from(byte & 0x3f),
                _ => return false,
            }
        }
        // Overlong forms and surrogates are not UTF-8.
        let shortest = match length {
            1 => 0,
            2 => 0x80,
            3 => 0x800,
            _ => 0x1_0000,
        };
        match char::from_u32(code) {
            Some(c) if code >= shortest => out.push(c),
            _ => return false,
        }
        at += length;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_text_is_whitespace_and_invisible_characters_only() {
        for blank in [
            "",
            " \t\n",
            "\u{200b}",
            "\u{feff} \u{200d}\u{2060}",
            "\u{00a0}\u{3000}",
            "\u{00ad}",
            "\u{2800}\u{3164}",
            // Tag characters, and the shorthand and musical format controls.
            "\u{e0041}\u{e0042}\u{e007f}",
            "\u{1bca0}\u{1d173}",
        ] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for shown in ["a", "\u{200b}x", " ?", "👍", "\u{200d}👍", "\u{e0041}🏴"] {
            assert!(!is_blank(shown), "{shown:?}");
        }
    }

    #[cfg(feature = "std")]
    #[test]
    fn openapi_lists_the_blank_characters_of_the_basic_multilingual_plane() {
        let api: serde_json::Value =
            serde_json::from_str(include_str!("../../openapi.json")).expect("openapi.json");
        let pattern = api["components"]["schemas"]["MessageText"]["pattern"]
            .as_str()
            .expect("a pattern");
        // "[^…]": a text matches when it has one character outside the set.
        let class = pattern
            .strip_prefix("[^")
            .and_then(|p| p.strip_suffix(']'))
            .expect("one negated class");
        let mut chars = class.chars().peekable();
        let one = |chars: &mut core::iter::Peekable<core::str::Chars>| -> u32 {
            match chars.next().expect("a character") {
                '\\' => match chars.next().expect("an escape") {
                    't' => 9,
                    'n' => 10,
                    'f' => 12,
                    'r' => 13,
                    'u' => {
                        let hex: alloc::string::String = chars.by_ref().take(4).collect();
                        u32::from_str_radix(&hex, 16).expect("hex")
                    }
                    other => panic!("escape {other}"),
                },
                c => u32::from(c),
            }
        };
        let mut listed = alloc::vec::Vec::new();
        while chars.peek().is_some() {
            let first = one(&mut chars);
            let last = if chars.peek() == Some(&'-') {
                chars.next();
                one(&mut chars)
            } else {
                first
            };
            listed.push(first..=last);
        }
        for c in (0..=0xffff).filter_map(char::from_u32) {
            let in_class = listed.iter().any(|r| r.contains(&u32::from(c)));
            assert_eq!(in_class, is_blank(&c.to_string()), "U+{:04X}", u32::from(c));
        }
    }

    /// `push_utf8` agrees with core's validator on `bytes`.
    fn agrees(bytes: &[u8]) {
        let mut out = alloc::string::String::new();
        let ok = push_utf8(&mut out, bytes);
        match core::str::from_utf8(bytes) {
            Ok(text) => assert!(ok && out == text, "{bytes:02x?}"),
            Err(_) => assert!(!ok, "{bytes:02x?} accepted"),
        }
    }

    #[test]
    fn utf8_decoding_agrees_with_core_on_every_short_and_many_random_inputs() {
        for a in 0..=255u8 {
            agrees(&[a]);
            for b in 0..=255u8 {
                agrees(&[a, b]);
                agrees(&[0xe0 | (a & 0x0f), b, 0x80 | (a >> 2)]);
                agrees(&[0xf0 | (a & 0x07), b, 0x80 | (a & 0x3f), 0x80 | (b & 0x3f)]);
            }
        }
        // A small deterministic generator: mostly valid text with some damage.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let samples = [
            "a",
            "é",
            "€",
            "𝄞",
            "ß",
            "日本",
            "\u{7f}",
            "\u{800}",
            "\u{ffff}",
            "\u{10ffff}",
        ];
        for _ in 0..20_000 {
            let mut bytes = alloc::vec::Vec::new();
            for _ in 0..(next() % 12) {
                let sample = samples[(next() % samples.len() as u64) as usize];
                bytes.extend_from_slice(sample.as_bytes());
            }
            if next() % 3 == 0 && !bytes.is_empty() {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = next() as u8;
            }
            agrees(&bytes);
        }
        agrees(b"");
        agrees(&[0xed, 0xa0, 0x80]); // a surrogate
        agrees(&[0xc0, 0x80]); // overlong NUL
    }

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

    #[cfg(feature = "std")]
    #[test]
    fn reverse_search_matches_the_standard_library() {
        for (haystack, needle) in [("a.a.a", "a"), ("aaaa", "aa"), ("", "x"), ("ab", "abc")] {
            assert_eq!(
                rfind_bytes(haystack.as_bytes(), needle.as_bytes()),
                haystack.rfind(needle),
                "{haystack} {needle}"
            );
        }
    }

    #[cfg(feature = "std")]
    #[test]
    fn the_radix_sort_sorts_like_the_standard_library() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for len in 0..300usize {
            let mut keys: alloc::vec::Vec<u64> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    // Few distinct values too: duplicates must stay together.
                    // And keys that agree in some bytes (passes skipped).
                    match len % 3 {
                        0 => state % 7,
                        1 => state & 0x00ff_0000_1fff_00ff,
                        _ => state,
                    }
                })
                .collect();
            let mut expected = keys.clone();
            expected.sort_unstable();
            sort_u64(&mut keys);
            assert_eq!(keys, expected, "{len} keys");
        }
    }
}
