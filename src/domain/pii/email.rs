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

/// Whether `text` (folded) may hold an address spelled out ("jo at example
/// dot com", "jo(at)example.com"): a spelled dot (`dot`, `punto`, `ponto`)
/// or a bracketed or spaced `@`. One pass over the bytes, so most messages
/// skip `scan_spelled`.
pub(super) fn may_be_spelled(text: &[u8]) -> bool {
    // By byte, without allocating: this runs on every message.
    let lower = |at: usize| text.get(at).map_or(0, u8::to_ascii_lowercase);
    text.iter().enumerate().any(|(at, &byte)| {
        // Most bytes start none of them (`| 0x20`: A-Z to a-z, space kept).
        if !matches!(byte | 0x20, b'd' | b'a' | b'p' | b' ') {
            return false;
        }
        let (a, b, c) = (lower(at), lower(at + 1), lower(at + 2));
        matches!(
            (a, b, c),
            (b'd', b'o', b't') | (b'a', b't', b')' | b']' | b'}') | (b' ', b'@', b' ')
        ) || (a == b'p'
            && matches!(b, b'u' | b'o')
            && c == b'n'
            && lower(at + 3) == b't'
            && lower(at + 4) == b'o')
    })
}

/// The length of the separator word or bracket of `words` at the start of
/// `text` (ASCII, any case), with the spaces around it: a `bare` word
/// needs them, a bracket may have them.
fn separator(text: &[u8], words: &[&[u8]], bare: bool) -> Option<usize> {
    let spaces = |from: usize| text[from..].iter().take_while(|&&b| b == b' ').count();
    let before = spaces(0);
    if bare && before == 0 {
        return None;
    }
    let rest = &text[before..];
    let word = words
        .iter()
        .find(|word| rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word))?;
    let end = before + word.len();
    let after = spaces(end);
    if bare && after == 0 {
        return None;
    }
    Some(end + after)
}

/// The `@` spelled out: `at`, `arroba` between spaces; `(at)`, `[at]`,
/// `{at}` or a spaced `@`. The length, and whether it was a bare word.
fn spelled_at(text: &[u8]) -> Option<(usize, bool)> {
    separator(text, &[b"(at)", b"[at]", b"{at}", b"@"], false)
        .filter(|&length| length > 1 || text.first() != Some(&b'@'))
        .map(|length| (length, false))
        .or_else(|| separator(text, &[b"at", b"arroba"], true).map(|length| (length, true)))
}

/// A dot spelled out (`dot`, `punto`, `ponto` between spaces, or
/// bracketed): its length; or a plain dot: 1 and `false`.
fn spelled_dot(text: &[u8]) -> Option<(usize, bool)> {
    if text.first() == Some(&b'.') {
        return Some((1, false));
    }
    separator(text, &[b"(dot)", b"[dot]", b"{dot}"], false)
        .or_else(|| separator(text, &[b"dot", b"punto", b"ponto"], true))
        .map(|length| (length, true))
}

fn label_length(text: &[u8]) -> usize {
    text.iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'-')
        .count()
}

/// Addresses spelled out so that a form or a bot would not read them:
/// "jo at example dot com", "jo(at)example.com", "jo [at] example [dot]
/// co [dot] uk", "jo arroba ejemplo punto es", "jo @ example.com". ASCII
/// only, as people write them. A bare `at` or `arroba` needs a dot spelled
/// out too ("look at example.com" is no address); "at this point" never
/// ends in one.
pub(super) fn scan_spelled(text: &str, claims: &mut Claims) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let here = at;
        at += 1;
        // Each separator starts at a space, a bracket or an `@` after the
        // local part.
        if here == 0
            || !matches!(bytes[here], b' ' | b'(' | b'[' | b'{' | b'@')
            || !is_ascii_local(bytes[here - 1])
        {
            continue;
        }
        let Some((at_length, bare)) = spelled_at(&bytes[here..]) else {
            continue;
        };
        let floor = claims.end_before(here);
        let mut start = here;
        while start > floor && is_ascii_local(bytes[start - 1]) {
            start -= 1;
        }
        while start < here && matches!(bytes[start], b'.' | b'-') {
            start += 1;
        }
        // Not the end of a word in another script ("éjo at …").
        if start == here || (start > 0 && !bytes[start - 1].is_ascii()) {
            continue;
        }
        // Labels and dots; the address ends after the last label that can
        // be a top-level domain.
        let mut cursor = here + at_length;
        let first = label_length(&bytes[cursor..]);
        if first == 0 {
            continue;
        }
        cursor += first;
        let (mut spelled, mut end) = (false, None);
        while let Some((dot_length, spelled_out)) = spelled_dot(&bytes[cursor..]) {
            let label = label_length(&bytes[cursor + dot_length..]);
            if label == 0 {
                break;
            }
            spelled |= spelled_out;
            cursor += dot_length + label;
            let tld = &bytes[cursor - label..cursor];
            if (2..=24).contains(&label) && tld.iter().all(u8::is_ascii_alphabetic) {
                end = Some((cursor, spelled));
            }
        }
        let Some((end, spelled)) = end else {
            continue;
        };
        if bare && (!spelled || is_everyday_word(&bytes[start..here])) {
            continue;
        }
        claims.add(PiiKind::Email, start, end);
        at = end;
    }
}

/// Words that come before a bare `at` and a site's name far more often than
/// an address's local part does ("I ordered at shop dot com", "visit us at
/// …"): a domain is not personal data.
fn is_everyday_word(word: &[u8]) -> bool {
    const WORDS: [&[u8]; 20] = [
        b"us", b"me", b"him", b"her", b"them", b"it", b"you", b"we", b"i", b"is", b"was", b"are",
        b"here", b"there", b"look", b"looked", b"ordered", b"bought", b"shop", b"visit",
    ];
    WORDS.iter().any(|w| w.eq_ignore_ascii_case(word))
}

fn is_ascii_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}
