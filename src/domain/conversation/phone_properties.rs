//! Property tests for phone numbers as an operator finds them at erasure:
//! any text at all is read without a panic; every number openapi's `phone`
//! pattern admits has a key, the one its digits make; and a number keeps
//! its key once stored. `PROPTEST_CASES` raises the number of cases.

use proptest::prelude::*;
use proptest::sample::select;

use super::*;

/// What may stand between digits, as openapi's pattern lists it (the
/// ideographic space too; the trunk `(0)` is made by the bracket cases).
const BETWEEN: [&str; 8] = [" ", "-", "(", ")", ".", "/", "\u{3000}", ""];

/// The extension words openapi's pattern names, in the cases it allows.
const EXTENSIONS: [&str; 16] = [
    "ext",
    "Ext.",
    "EXT",
    "extension",
    "Extension",
    "x",
    "X",
    "#",
    "durchwahl",
    "Durchwahl",
    "dw",
    "DW",
    "poste",
    "Interno",
    "ramal",
    "Toestel",
];

/// A digit as typed: ASCII or full-width (a Japanese keyboard's).
fn typed_digit(digit: u8, full_width: bool) -> char {
    let ascii = char::from(b'0' + digit);
    if full_width {
        char::from_u32(0xff10 + u32::from(digit)).unwrap_or(ascii)
    } else {
        ascii
    }
}

/// A number as openapi's pattern admits it, and the key its digits make.
fn written_number() -> impl Strategy<Value = (String, String)> {
    (
        select(vec!["", " ", "\u{3000}"]),
        select(vec!["", "+", "＋", "00"]),
        proptest::collection::vec((0u8..=9, any::<bool>(), select(BETWEEN.to_vec())), 6..=18),
        proptest::option::of((
            select(vec!["", " ", "  "]),
            select(EXTENSIONS.to_vec()),
            select(vec!["", " ", ":", ": "]),
            proptest::collection::vec(0u8..=9, 1..=6),
        )),
    )
        .prop_map(|(space, lead, digits, extension)| {
            let mut written = [space, lead].concat();
            // The 00 that dials abroad is read as the +, typed or not.
            let mut dialled = if lead == "00" {
                "00".to_owned()
            } else {
                String::new()
            };
            let mut opened = false;
            for (digit, full_width, between) in digits {
                written.push(typed_digit(digit, full_width));
                // A 0 alone in brackets is the trunk zero: not dialled from
                // abroad, and not in the key.
                if !(opened && digit == 0 && between == ")") {
                    dialled.push(char::from(b'0' + digit));
                }
                written.push_str(between);
                opened = between == "(";
            }
            let mut key = match (lead, dialled.strip_prefix("00")) {
                ("+" | "＋", _) => ["+", &dialled].concat(),
                (_, Some(abroad)) => ["+", abroad].concat(),
                _ => dialled,
            };
            if let Some((space, word, colon, digits)) = extension {
                let digits: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
                // A word of letters after a letter would be part of it; the
                // pattern's digits group ends with a digit or a separator.
                written.push_str(space);
                written.push_str(word);
                written.push_str(colon);
                written.push_str(&digits);
                key.push('x');
                key.push_str(&digits);
            }
            (written, key)
        })
}

/// Text near phone numbers: digits, separators, extension words, pluses,
/// full-width forms and characters of several bytes, in any order.
fn phone_like_text() -> impl Strategy<Value = String> {
    let piece = select(vec![
        "0",
        "1",
        "9",
        "００",
        "+",
        "＋",
        " ",
        "-",
        "(",
        ")",
        "(0)",
        ".",
        "/",
        ":",
        "#",
        "x",
        "ext.",
        "Durchwahl",
        "é",
        "📞",
        "\u{3000}",
        "日本",
        "\u{200b}",
        "00",
        "e",
        "t",
    ]);
    proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn any_text_is_read_without_a_panic(text in any::<String>(), near in phone_like_text()) {
        for text in [text.as_str(), near.as_str()] {
            let key = phone_key(text);
            // A key is a leading + at most, digits, and an extension after an x.
            let (number, extension) = key.split_once('x').unwrap_or((&key, ""));
            let digits = number.strip_prefix('+').unwrap_or(number);
            prop_assert!(digits.chars().all(|c| c.is_ascii_digit()), "{text:?} → {key:?}");
            prop_assert!(extension.chars().all(|c| c.is_ascii_digit()), "{text:?} → {key:?}");
            let stored = stored_phone(text);
            let _ = stored_address(text);
            if !key.is_empty() {
                // Stored in ASCII, and found by the key it was given as.
                prop_assert!(stored.is_ascii(), "{text:?} stored as {stored:?}");
                prop_assert_eq!(phone_key(&stored), key, "{:?} stored as {:?}", text, stored);
            }
        }
    }

    #[test]
    fn every_number_the_pattern_admits_has_the_key_its_digits_make((written, key) in written_number()) {
        prop_assert!(!key.is_empty(), "{written:?}");
        prop_assert_eq!(phone_key(&written), key.clone(), "{:?}", written);
        let stored = stored_phone(&written);
        prop_assert!(stored.is_ascii(), "{written:?} stored as {stored:?}");
        prop_assert_eq!(phone_key(&stored), key, "{:?} stored as {:?}", written, stored);
        prop_assert_eq!(stored_address(&written), stored);
    }
}
