//! E-mail addresses, internationalised ones included: local parts and domains
//! in any script (`名前@例え.jp`, `jürgen@exämple.de`) and punycode top-level
//! domains (`xn--p1ai`).

use super::{Claims, PiiKind};

/// Non-ASCII characters that are punctuation, symbols or spaces rather than
/// letters: they end an address. Everything else outside ASCII is read as a
/// letter, which is all an address needs (no Unicode tables).
fn is_non_ascii_letter(c: char) -> bool {
    !matches!(u32::from(c),
        0x80..=0xBF | 0xD7 | 0xF7
        | 0x2000..=0x2BFF       // punctuation, symbols, arrows, shapes
        | 0x3000..=0x303F       // CJK punctuation
        | 0xFE10..=0xFE6F       // vertical and small forms
        | 0xFF00..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65
        | 0xE000..=0xF8FF       // private use
        | 0x1F000..=0x1FAFF     // emoji and pictographs
        | 0xFFF0..=0xFFFF)
}

/// Scripts written without spaces: where one meets ASCII, the address ends
/// ("メールはtaro@example.jpまで").
fn is_unspaced_script(c: char) -> bool {
    matches!(u32::from(c), 0x3040..=0x30FF | 0x3400..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

/// Whether an address cannot run on from `a` to `b`: Latin letters or digits
/// next to a script written without spaces.
fn script_changes(a: char, b: char) -> bool {
    (a.is_ascii_alphanumeric() && is_unspaced_script(b))
        || (is_unspaced_script(a) && b.is_ascii_alphanumeric())
}

fn is_local_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '\'')
    } else {
        is_non_ascii_letter(c)
    }
}

fn is_domain_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '-' || c == '.'
    } else {
        is_non_ascii_letter(c)
    }
}

/// Where the local part ending at `at` starts, not before `floor` (the end of
/// the previous address).
fn local_start(text: &str, floor: usize, at: usize) -> usize {
    let before = text.get(floor..at).unwrap_or_default();
    let mut start = at;
    let mut next: Option<char> = None;
    for (index, c) in before.char_indices().rev() {
        if !is_local_char(c) {
            break;
        }
        if next.is_some_and(|n| script_changes(c, n)) {
            break;
        }
        next = Some(c);
        start = floor + index;
    }
    let bytes = text.as_bytes();
    while start < at && matches!(bytes[start], b'.' | b'\'' | b'-') {
        start += 1;
    }
    start
}

/// Where the domain starting at `from` ends.
fn domain_end(text: &str, from: usize) -> usize {
    let after = text.get(from..).unwrap_or_default();
    let mut end = from;
    let mut previous: Option<char> = None;
    for (index, c) in after.char_indices() {
        if !is_domain_char(c) {
            break;
        }
        if previous.is_some_and(|p| script_changes(p, c)) {
            break;
        }
        previous = Some(c);
        end = from + index + c.len_utf8();
    }
    let bytes = text.as_bytes();
    while end > from && matches!(bytes[end - 1], b'.' | b'-') {
        end -= 1;
    }
    end
}

/// The length of the top-level domain at the start of `label`, or `None` if
/// it is not one: a punycode label, or two or more letters (one or more of
/// another script). What follows the letters is not part of the address
/// ("example.com4111", "example.de-foo").
fn top_level_length(label: &str) -> Option<usize> {
    if label
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("xn--"))
    {
        let rest = label.get(4..).unwrap_or_default();
        return (rest.len() >= 2 && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
            .then_some(label.len());
    }
    let letters = label
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphabetic() || (!c.is_ascii() && is_non_ascii_letter(c))))
        .map_or(label.len(), |(index, _)| index);
    let head = label.get(..letters).unwrap_or_default();
    let long_enough = if head.is_ascii() {
        head.len() >= 2
    } else {
        !head.is_empty()
    };
    long_enough.then_some(letters)
}

pub(super) fn scan(text: &str, claims: &mut Claims) {
    let bytes = text.as_bytes();
    for (at, _) in bytes.iter().enumerate().filter(|(_, &b)| b == b'@') {
        let floor = claims.end_before(at);
        let start = local_start(text, floor, at);
        let end = domain_end(text, at + 1);
        if start == at || end <= at + 1 {
            continue;
        }
        // The address ends with the last label that is a top-level domain
        // ("a@example.com.4111…" ends at "com").
        let mut label_end = end;
        let mut top_level = None;
        for dot in (at + 2..end).rev() {
            if bytes[dot] != b'.' {
                continue;
            }
            if bytes[dot - 1] != b'.' {
                let label = text.get(dot + 1..label_end).unwrap_or_default();
                if let Some(length) = top_level_length(label) {
                    top_level = Some(dot + 1 + length);
                    break;
                }
            }
            label_end = dot;
        }
        let Some(address_end) = top_level else {
            continue;
        };
        claims.add(PiiKind::Email, start, address_end);
    }
}
