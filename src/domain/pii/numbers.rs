//! Numbers that are personal data by their shape and the words around them:
//! phone numbers, US social security numbers, IPv4 addresses; and IPv6
//! addresses. Cards are found before (see `cards`); a phone number stops where
//! another finding starts, so it never eats an e-mail, a card or an IBAN.
//!
//! The words around a number are read as the redacted text will show them
//! (earlier findings as their tags), so that redacting twice changes nothing.

use super::{Claims, PiiKind};

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

pub(super) fn scan_ipv6(text: &str, claims: &mut Claims) {
    let bytes = text.as_bytes();
    let is_v6_byte = |b: u8| b.is_ascii_hexdigit() || b == b':' || b == b'.';
    let mut at = 0;
    while at < bytes.len() {
        if let Some(end) = claims.covering(at) {
            at = end.max(at + 1);
            continue;
        }
        let prev = at
            .checked_sub(1)
            .and_then(|before| byte_seen(bytes, claims, before));
        if !is_v6_byte(bytes[at]) || prev.is_some_and(|b| is_word_byte(b) || b == b':') {
            at += 1;
            continue;
        }
        // An address stops where another finding starts.
        let limit = claims.next_start(at, bytes.len());
        let mut end = at;
        while end < limit && is_v6_byte(bytes[end]) {
            end += 1;
        }
        let mut trimmed_end = end;
        while trimmed_end > at && bytes[trimmed_end - 1] == b'.' {
            trimmed_end -= 1;
        }
        let candidate = text.get(at..trimmed_end).unwrap_or_default();
        let colons = candidate.bytes().filter(|&b| b == b':').count();
        // "::" alone is punctuation ("std::vec"), not the unspecified address.
        let has_digit = candidate.bytes().any(|b| b.is_ascii_hexdigit());
        let bounded = !byte_seen(bytes, claims, end).is_some_and(is_word_byte);
        if colons >= 2 && has_digit && bounded && candidate.parse::<core::net::Ipv6Addr>().is_ok() {
            claims.add(PiiKind::Ip, at, trimmed_end);
        }
        at = end.max(at + 1);
    }
}

// ------------------------------------------- numbers: cards, SSNs, IPv4, phones

/// The shape of a run of digits and separators.
struct NumberRun {
    start: usize,
    end: usize,
    /// Lengths of the digit groups, in order.
    groups: Vec<u8>,
    /// Separators between groups (b'?' stands for a mixture like ") ").
    separators: Vec<u8>,
    digits: Vec<u8>,
    plus: bool,
    paren_first: bool,
    extension: bool,
}

fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.' | b'/' | b'(' | b')')
}

/// Reads the run of digits and separators starting at `start`.
fn read_run(bytes: &[u8], start: usize) -> NumberRun {
    let mut run = NumberRun {
        start,
        end: start,
        groups: Vec::new(),
        separators: Vec::new(),
        digits: Vec::new(),
        plus: false,
        paren_first: false,
        extension: false,
    };
    let mut at = start;
    if bytes.get(at) == Some(&b'+') {
        run.plus = true;
        at += 1;
    } else if bytes.get(at) == Some(&b'(') {
        run.paren_first = true;
        at += 1;
    }
    loop {
        let group_start = at;
        while at < bytes.len() && bytes[at].is_ascii_digit() {
            run.digits.push(bytes[at]);
            at += 1;
        }
        if at == group_start {
            break;
        }
        run.groups.push((at - group_start).min(255) as u8);
        run.end = at;
        // A separator sequence: at most two bytes (") ", " (", " - ").
        let mut sep_end = at;
        while sep_end < bytes.len() && is_separator(bytes[sep_end]) && sep_end - at < 3 {
            sep_end += 1;
        }
        if sep_end == at || sep_end >= bytes.len() || !bytes[sep_end].is_ascii_digit() {
            // An extension such as "x4587" or "ext. 12" ends the run.
            if let Some(ext_end) = read_extension(bytes, at) {
                run.end = ext_end;
                run.extension = true;
            }
            break;
        }
        let sep = &bytes[at..sep_end];
        run.separators
            .push(if sep.len() == 1 { sep[0] } else { b'?' });
        if sep.contains(&b'(') && run.groups.len() > 1 {
            break;
        }
        at = sep_end;
    }
    // Close a trailing parenthesis that belongs to the first group: "(37) 788".
    run
}

fn read_extension(bytes: &[u8], at: usize) -> Option<usize> {
    let rest = bytes.get(at..)?;
    let prefix = if rest.first() == Some(&b'x') {
        1
    } else if rest.len() > 5 && rest[..5].eq_ignore_ascii_case(b" ext.") {
        5
    } else {
        return None;
    };
    let mut end = at + prefix;
    while end < bytes.len() && bytes[end] == b' ' {
        end += 1;
    }
    let digits_start = end;
    while end < bytes.len() && bytes[end].is_ascii_digit() && end - digits_start < 6 {
        end += 1;
    }
    (end > digits_start && (end >= bytes.len() || !is_word_byte(bytes[end]))).then_some(end)
}

fn ssn_parts_valid(digits: &[u8]) -> bool {
    let number = |range: core::ops::Range<usize>| {
        digits[range]
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'))
    };
    let area = number(0..3);
    let group = number(3..5);
    let serial = number(5..9);
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

fn is_ssn(run: &NumberRun, context_says_ssn: bool) -> bool {
    if run.digits.len() != 9
        || run.plus
        || run.paren_first
        || run.extension
        || !ssn_parts_valid(&run.digits)
    {
        return false;
    }
    let dashed = run.groups == [3, 2, 4]
        && run.separators.iter().all(|&s| s == run.separators[0])
        && matches!(run.separators.first(), Some(b'-') | Some(b' '));
    dashed || (context_says_ssn && run.groups.len() == 1)
}

fn is_ipv4(run: &NumberRun) -> bool {
    if run.groups.len() != 4
        || run.separators.iter().any(|&s| s != b'.')
        || run.plus
        || run.paren_first
    {
        return false;
    }
    let mut offset = 0;
    for &len in &run.groups {
        let len = usize::from(len);
        if len > 3 {
            return false;
        }
        let part = &run.digits[offset..offset + len];
        offset += len;
        let value = part
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
        if value > 255 || (len > 1 && part[0] == b'0') {
            return false;
        }
    }
    true
}

fn looks_like_date_or_time(run: &NumberRun, bytes: &[u8], claims: &Claims) -> bool {
    // "12:20" or "2025-12-22 04:34": a colon right after the run is a clock.
    if byte_seen(bytes, claims, run.end) == Some(b':') {
        return true;
    }
    let g = &run.groups;
    let date_separators = run
        .separators
        .iter()
        .take(2)
        .all(|&s| matches!(s, b'-' | b'/' | b'.'));
    let shape_ends = g.len() == 3 || (g.len() > 3 && run.separators.get(2) == Some(&b' '));
    date_separators
        && shape_ends
        && ((g[0] == 4 && g[1] <= 2 && g[2] <= 2)
            || (g[0] <= 2 && g[1] <= 2 && (g[2] == 4 || g[2] == 2)))
        && !run.plus
}

/// Words that, shortly before a short number, make it a phone number.
const PHONE_CUES: &[&str] = &[
    "phone",
    "tel",
    "mobile",
    "cell",
    "fax",
    "call",
    "reach me",
    "text me",
    "whatsapp",
    "sms",
    "messages to",
    "answering at",
    "desk",
    "contact me",
    "telefon",
    "téléphone",
    "telephone",
    "teléfono",
    "telefoon",
    "telefone",
    "telefono",
    "handy",
    "portable",
    "móvil",
    "movil",
    "celular",
    "ring me",
    "registered",
    "whatsapp",
];
/// Words before a number that make it something else (a licence, a passport).
const NOT_PHONE_CUES: &[&str] = &[
    "licen",
    "passport",
    "order",
    "invoice",
    "tracking",
    "account no",
];
/// Words right after a number that make it a phone number ("...-Office").
const PHONE_TRAILERS: &[&str] = &["office", "fax", "mobile", "home", "work", "cell"];
const SSN_CUES: &[&str] = &["ssn", "social security"];

/// Context words lower-cased without Unicode's tables (see `text::fold_lowercase`).
fn lowercase(text: &str) -> String {
    text.chars()
        .map(crate::domain::text::fold_lowercase)
        .collect()
}

/// The `window` bytes before `start` as the redacted text will show them.
fn preceding_context(bytes: &[u8], claims: &Claims, start: usize, window: usize) -> String {
    let mut reversed: Vec<u8> = Vec::with_capacity(window + 8);
    let mut at = start.min(bytes.len());
    while at > 0 && reversed.len() < window {
        if let Some((tag, tag_start, _)) = claims.tag_at(at - 1) {
            reversed.extend(tag.bytes().rev());
            at = tag_start;
        } else {
            reversed.push(bytes[at - 1]);
            at -= 1;
        }
    }
    reversed.truncate(window);
    reversed.reverse();
    lowercase(&String::from_utf8_lossy(&reversed))
}

/// The `window` bytes after `end` as the redacted text will show them.
fn following_context(bytes: &[u8], claims: &Claims, end: usize, window: usize) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(window + 8);
    let mut at = end;
    while at < bytes.len() && out.len() < window {
        if let Some((tag, _, tag_end)) = claims.tag_at(at) {
            out.extend(tag.bytes());
            at = tag_end;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    out.truncate(window);
    lowercase(&String::from_utf8_lossy(&out))
}

/// The byte at `at` as the redacted text will show it.
fn byte_seen(bytes: &[u8], claims: &Claims, at: usize) -> Option<u8> {
    match claims.tag_at(at) {
        Some((_, start, _)) if start == at => Some(b'['),
        Some(_) => Some(b']'),
        None => bytes.get(at).copied(),
    }
}

fn is_phone(run: &NumberRun, bytes: &[u8], claims: &Claims) -> bool {
    let count = run.digits.len();
    // 3-2-4 is the SSN shape; an invalid SSN is not a phone number either.
    if !(7..=15).contains(&count)
        || looks_like_date_or_time(run, bytes, claims)
        || run.groups == [3, 2, 4]
    {
        return false;
    }
    let groups = run.groups.len();
    // Four dotted groups is an address or a version, never a phone number.
    if groups == 4 && run.separators.iter().all(|&s| s == b'.') {
        return false;
    }
    // The cue nearest the number decides: "license clerk ... Phone: 358 0594".
    let before = preceding_context(bytes, claims, run.start, 40);
    let nearest = |cues: &[&str]| cues.iter().filter_map(|cue| before.rfind(cue)).max();
    let phone_cue = nearest(PHONE_CUES);
    if nearest(NOT_PHONE_CUES) > phone_cue {
        return false;
    }
    let strong = (run.plus && count >= 8)
        || (run.digits.starts_with(b"00") && count >= 10 && groups >= 2)
        || (run.paren_first && count >= 7)
        || (groups >= 3 && count >= 9)
        || (groups >= 4 && count >= 8)
        || (run.digits[0] == b'0' && (count >= 10 || groups >= 3))
        || run.extension;
    if strong {
        return true;
    }
    let after = following_context(bytes, claims, run.end, 12);
    let after = after.trim_start_matches(['-', ' ', ',']);
    phone_cue.is_some() || PHONE_TRAILERS.iter().any(|cue| after.starts_with(cue))
}

pub(super) fn scan(bytes: &[u8], claims: &mut Claims) {
    let mut at = 0;
    while at < bytes.len() {
        if let Some(end) = claims.covering(at) {
            at = end.max(at + 1);
            continue;
        }
        let b = bytes[at];
        let can_start = b.is_ascii_digit()
            || ((b == b'+' || b == b'(') && bytes.get(at + 1).is_some_and(u8::is_ascii_digit));
        let bounded_left = at == 0 || {
            let prev = byte_seen(bytes, claims, at - 1).unwrap_or(b' ');
            // A comma right after a digit is a thousands separator ("1,299");
            // after anything else it is punctuation between items.
            let thousands = prev == b','
                && at >= 2
                && byte_seen(bytes, claims, at - 2).is_some_and(|b| b.is_ascii_digit());
            !(is_word_byte(prev)
                || thousands
                || matches!(prev, b'.' | b'#' | b'-' | b'$' | b'/' | b':'))
        };
        if !can_start || !bounded_left {
            at += 1;
            continue;
        }
        // The run stops where another finding starts.
        let limit = claims.next_start(at, bytes.len());
        let run = read_run(bytes.get(..limit).unwrap_or_default(), at);
        let mut end = run.end;
        // A run that ends glued to letters ("1234abc") is a code, not a number.
        let glued =
            byte_seen(bytes, claims, end).is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
        if run.end == at || glued {
            at = end.max(at + 1);
            continue;
        }
        let context_ssn = SSN_CUES
            .iter()
            .any(|cue| preceding_context(bytes, claims, at, 30).contains(cue));
        let kind = if is_ipv4(&run) {
            Some(PiiKind::Ip)
        } else if is_ssn(&run, context_ssn) {
            Some(PiiKind::Ssn)
        } else if is_phone(&run, bytes, claims) {
            Some(PiiKind::Phone)
        } else {
            None
        };
        if let Some(kind) = kind {
            // "(37) 788-063": include the closing parenthesis of the first group.
            if end < limit
                && bytes.get(end) == Some(&b')')
                && run.paren_first
                && run.groups.len() == 1
            {
                end += 1;
            }
            claims.add(kind, at, end);
        }
        at = end.max(at + 1);
    }
}
