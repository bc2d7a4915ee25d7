//! Finds and redacts personal data in free text: emails, phone numbers,
//! payment cards (Luhn), IBANs (country length and mod-97), US social security
//! numbers, IPv4 and IPv6 addresses. Runs in the visitor's browser before
//! anything is sent, and again at the edge.
//!
//! The scanners work on ASCII bytes and never panic. Each candidate is checked
//! the way a person would check it (checksums, group shapes, the words around a
//! short number) so that order numbers, tracking codes, dates, prices and
//! versions survive redaction.

use serde::Serialize;

/// A kind of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PiiKind {
    Email,
    Phone,
    Card,
    Iban,
    Ssn,
    Ip,
}

impl PiiKind {
    /// Stable name, as in the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            PiiKind::Email => "email",
            PiiKind::Phone => "phone",
            PiiKind::Card => "card",
            PiiKind::Iban => "iban",
            PiiKind::Ssn => "ssn",
            PiiKind::Ip => "ip",
        }
    }

    /// The readable tag that replaces a finding in redacted text.
    pub fn tag(self) -> &'static str {
        match self {
            PiiKind::Email => "[email]",
            PiiKind::Phone => "[phone]",
            PiiKind::Card => "[card]",
            PiiKind::Iban => "[iban]",
            PiiKind::Ssn => "[ssn]",
            PiiKind::Ip => "[ip]",
        }
    }
}

/// One finding, with byte offsets into the scanned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteFinding {
    pub kind: PiiKind,
    pub start: usize,
    pub end: usize,
}

/// One finding as reported to callers: offsets in UTF-16 code units, as
/// JavaScript strings count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PiiFinding {
    pub kind: PiiKind,
    pub start: u32,
    pub end: u32,
}

/// Text with its personal data replaced by tags, and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redaction {
    pub redacted: String,
    pub findings: Vec<PiiFinding>,
}

/// Finds personal data; findings are sorted and never overlap.
pub fn find_bytes(text: &str) -> Vec<ByteFinding> {
    let bytes = text.as_bytes();
    let mut found: Vec<ByteFinding> = Vec::new();
    // Most specific first; later scanners skip what earlier ones claimed.
    scan_emails(bytes, &mut found);
    scan_ibans(bytes, &mut found);
    scan_ipv6(bytes, text, &mut found);
    scan_numbers(bytes, &mut found);
    found.sort_by_key(|f| f.start);
    found
}

/// Finds personal data, with UTF-16 offsets.
pub fn find(text: &str) -> Vec<PiiFinding> {
    to_utf16(text, &find_bytes(text))
}

/// Converts byte findings to UTF-16 offsets in one pass over the text.
fn to_utf16(text: &str, found: &[ByteFinding]) -> Vec<PiiFinding> {
    let mut out = Vec::with_capacity(found.len());
    // One pass over the text converts every offset.
    if found.is_empty() {
        return out;
    }
    let mut units = 0u32;
    let mut next = 0usize;
    let mut pending: Vec<(usize, usize, bool)> = Vec::with_capacity(found.len() * 2);
    for (index, finding) in found.iter().enumerate() {
        pending.push((finding.start, index, true));
        pending.push((finding.end, index, false));
    }
    pending.sort_unstable();
    let mut starts = vec![0u32; found.len()];
    let mut ends = vec![0u32; found.len()];
    let mut chars = text.char_indices();
    for (byte, index, is_start) in pending {
        while next < byte {
            match chars.next() {
                Some((at, ch)) => {
                    units += ch.len_utf16() as u32;
                    next = at + ch.len_utf8();
                }
                None => break,
            }
        }
        if is_start {
            starts[index] = units;
        } else {
            ends[index] = units;
        }
    }
    for (index, finding) in found.iter().enumerate() {
        out.push(PiiFinding {
            kind: finding.kind,
            start: starts[index],
            end: ends[index],
        });
    }
    out
}

/// Replaces every finding in `text` with its tag.
pub fn redact(text: &str) -> Redaction {
    let found = find_bytes(text);
    let mut redacted = String::with_capacity(text.len());
    let mut at = 0;
    for finding in &found {
        redacted.push_str(text.get(at..finding.start).unwrap_or_default());
        redacted.push_str(finding.kind.tag());
        at = finding.end;
    }
    redacted.push_str(text.get(at..).unwrap_or_default());
    Redaction {
        redacted,
        findings: to_utf16(text, &found),
    }
}

fn overlaps(found: &[ByteFinding], start: usize, end: usize) -> bool {
    found.iter().any(|f| f.start < end && start < f.end)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

// ---------------------------------------------------------------- emails

fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-' | b'\'')
}

fn is_domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'.'
}

fn scan_emails(bytes: &[u8], found: &mut Vec<ByteFinding>) {
    for (at, _) in bytes.iter().enumerate().filter(|(_, &b)| b == b'@') {
        let mut start = at;
        while start > 0 && is_local_byte(bytes[start - 1]) {
            start -= 1;
        }
        while start < at && matches!(bytes[start], b'.' | b'\'' | b'-') {
            start += 1;
        }
        let mut end = at + 1;
        while end < bytes.len() && is_domain_byte(bytes[end]) {
            end += 1;
        }
        while end > at + 1 && matches!(bytes[end - 1], b'.' | b'-') {
            end -= 1;
        }
        if start == at || end <= at + 1 {
            continue;
        }
        let domain = &bytes[at + 1..end];
        let Some(last_dot) = domain.iter().rposition(|&b| b == b'.') else {
            continue;
        };
        let tld = &domain[last_dot + 1..];
        if last_dot == 0 || tld.len() < 2 || !tld.iter().all(u8::is_ascii_alphabetic) {
            continue;
        }
        if !overlaps(found, start, end) {
            found.push(ByteFinding {
                kind: PiiKind::Email,
                start,
                end,
            });
        }
    }
}

// ---------------------------------------------------------------- IBANs

/// IBAN length by country (ISO 13616 registry).
const IBAN_LENGTHS: &[(&[u8; 2], u8)] = &[
    (b"AD", 24),
    (b"AE", 23),
    (b"AL", 28),
    (b"AT", 20),
    (b"AZ", 28),
    (b"BA", 20),
    (b"BE", 16),
    (b"BG", 22),
    (b"BH", 22),
    (b"BR", 29),
    (b"BY", 28),
    (b"CH", 21),
    (b"CR", 22),
    (b"CY", 28),
    (b"CZ", 24),
    (b"DE", 22),
    (b"DK", 18),
    (b"DO", 28),
    (b"EE", 20),
    (b"EG", 29),
    (b"ES", 24),
    (b"FI", 18),
    (b"FO", 18),
    (b"FR", 27),
    (b"GB", 22),
    (b"GE", 22),
    (b"GI", 23),
    (b"GL", 18),
    (b"GR", 27),
    (b"GT", 28),
    (b"HR", 21),
    (b"HU", 28),
    (b"IE", 22),
    (b"IL", 23),
    (b"IQ", 23),
    (b"IS", 26),
    (b"IT", 27),
    (b"JO", 30),
    (b"KW", 30),
    (b"KZ", 20),
    (b"LB", 28),
    (b"LC", 32),
    (b"LI", 21),
    (b"LT", 20),
    (b"LU", 20),
    (b"LV", 21),
    (b"MC", 27),
    (b"MD", 24),
    (b"ME", 22),
    (b"MK", 19),
    (b"MR", 27),
    (b"MT", 31),
    (b"MU", 30),
    (b"NL", 18),
    (b"NO", 15),
    (b"PK", 24),
    (b"PL", 28),
    (b"PS", 29),
    (b"PT", 25),
    (b"QA", 29),
    (b"RO", 24),
    (b"RS", 22),
    (b"SA", 24),
    (b"SC", 31),
    (b"SE", 24),
    (b"SI", 19),
    (b"SK", 24),
    (b"SM", 27),
    (b"ST", 25),
    (b"SV", 28),
    (b"TL", 23),
    (b"TN", 24),
    (b"TR", 26),
    (b"UA", 29),
    (b"VA", 22),
    (b"VG", 24),
    (b"XK", 20),
];

fn iban_length(country: [u8; 2]) -> Option<usize> {
    IBAN_LENGTHS
        .iter()
        .find(|(code, _)| **code == country)
        .map(|(_, len)| usize::from(*len))
}

/// ISO 7064 mod 97-10 over the rearranged IBAN.
fn iban_checksum_ok(compact: &[u8]) -> bool {
    let rearranged = compact[4..].iter().chain(&compact[..4]);
    let mut remainder: u32 = 0;
    for &b in rearranged {
        let value = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => return false,
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}

fn scan_ibans(bytes: &[u8], found: &mut Vec<ByteFinding>) {
    let mut at = 0;
    while at + 4 <= bytes.len() {
        let starts_here = (at == 0 || !is_word_byte(bytes[at - 1]))
            && bytes[at].is_ascii_alphabetic()
            && bytes[at + 1].is_ascii_alphabetic()
            && bytes[at + 2].is_ascii_digit()
            && bytes[at + 3].is_ascii_digit();
        if !starts_here {
            at += 1;
            continue;
        }
        let country = [
            bytes[at].to_ascii_uppercase(),
            bytes[at + 1].to_ascii_uppercase(),
        ];
        let Some(expected) = iban_length(country) else {
            at += 1;
            continue;
        };
        // Collect alphanumerics, allowing single spaces between groups.
        let mut compact = Vec::with_capacity(34);
        let mut end = at;
        let mut cursor = at;
        while cursor < bytes.len() && compact.len() < expected {
            let b = bytes[cursor];
            if b.is_ascii_alphanumeric() {
                compact.push(b.to_ascii_uppercase());
                cursor += 1;
                end = cursor;
            } else if b == b' '
                && cursor + 1 < bytes.len()
                && bytes[cursor + 1].is_ascii_alphanumeric()
            {
                cursor += 1;
            } else {
                break;
            }
        }
        let bounded = end >= bytes.len() || !is_word_byte(bytes[end]);
        if compact.len() == expected
            && bounded
            && iban_checksum_ok(&compact)
            && !overlaps(found, at, end)
        {
            found.push(ByteFinding {
                kind: PiiKind::Iban,
                start: at,
                end,
            });
            at = end;
        } else {
            at += 1;
        }
    }
}

// ---------------------------------------------------------------- IPv6

fn scan_ipv6(bytes: &[u8], text: &str, found: &mut Vec<ByteFinding>) {
    let is_v6_byte = |b: u8| b.is_ascii_hexdigit() || b == b':' || b == b'.';
    let mut at = 0;
    while at < bytes.len() {
        if !is_v6_byte(bytes[at])
            || (at > 0 && (is_word_byte(bytes[at - 1]) || bytes[at - 1] == b':'))
        {
            at += 1;
            continue;
        }
        let mut end = at;
        while end < bytes.len() && is_v6_byte(bytes[end]) {
            end += 1;
        }
        let mut trimmed_end = end;
        while trimmed_end > at && bytes[trimmed_end - 1] == b'.' {
            trimmed_end -= 1;
        }
        let candidate = text.get(at..trimmed_end).unwrap_or_default();
        let colons = candidate.bytes().filter(|&b| b == b':').count();
        let bounded = end >= bytes.len() || !is_word_byte(bytes[end]);
        if colons >= 2
            && bounded
            && candidate.parse::<core::net::Ipv6Addr>().is_ok()
            && !overlaps(found, at, trimmed_end)
        {
            found.push(ByteFinding {
                kind: PiiKind::Ip,
                start: at,
                end: trimmed_end,
            });
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

fn luhn_ok(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (index, &d) in digits.iter().rev().enumerate() {
        let mut value = u32::from(d - b'0');
        if index % 2 == 1 {
            value *= 2;
            if value > 9 {
                value -= 9;
            }
        }
        sum += value;
    }
    sum % 10 == 0
}

fn is_card(run: &NumberRun) -> bool {
    let count = run.digits.len();
    (12..=19).contains(&count)
        && !run.plus
        && !run.paren_first
        && !run.extension
        && run.separators.iter().all(|&s| s == b' ' || s == b'-')
        && (run.groups.len() == 1 || run.groups.iter().all(|&g| (3..=6).contains(&g)))
        && luhn_ok(&run.digits)
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
        let part = &run.digits[offset..offset + len];
        offset += len;
        let value = part
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
        if len > 3 || value > 255 || (len > 1 && part[0] == b'0') {
            return false;
        }
    }
    true
}

fn looks_like_date_or_time(run: &NumberRun, bytes: &[u8]) -> bool {
    // "12:20" or "2025-12-22 04:34": a colon right after the run is a clock.
    if bytes.get(run.end) == Some(&b':') {
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

fn preceding_context(bytes: &[u8], start: usize, window: usize) -> String {
    let from = start.saturating_sub(window);
    lowercase(&String::from_utf8_lossy(&bytes[from..start]))
}

fn following_context(bytes: &[u8], end: usize, window: usize) -> String {
    let to = (end + window).min(bytes.len());
    lowercase(&String::from_utf8_lossy(&bytes[end..to]))
}

fn is_phone(run: &NumberRun, bytes: &[u8]) -> bool {
    let count = run.digits.len();
    // 3-2-4 is the SSN shape; an invalid SSN is not a phone number either.
    if !(7..=15).contains(&count) || looks_like_date_or_time(run, bytes) || run.groups == [3, 2, 4]
    {
        return false;
    }
    let groups = run.groups.len();
    // Four dotted groups is an address or a version, never a phone number.
    if groups == 4 && run.separators.iter().all(|&s| s == b'.') {
        return false;
    }
    // The cue nearest the number decides: "license clerk ... Phone: 358 0594".
    let before = preceding_context(bytes, run.start, 40);
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
    let after = following_context(bytes, run.end, 12);
    let after = after.trim_start_matches(['-', ' ', ',']);
    phone_cue.is_some() || PHONE_TRAILERS.iter().any(|cue| after.starts_with(cue))
}

fn scan_numbers(bytes: &[u8], found: &mut Vec<ByteFinding>) {
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        let can_start = b.is_ascii_digit()
            || ((b == b'+' || b == b'(') && bytes.get(at + 1).is_some_and(u8::is_ascii_digit));
        let bounded_left = at == 0 || {
            let prev = bytes[at - 1];
            // A comma right after a digit is a thousands separator ("1,299");
            // after anything else it is punctuation between items.
            let thousands = prev == b',' && at >= 2 && bytes[at - 2].is_ascii_digit();
            !(is_word_byte(prev)
                || thousands
                || matches!(prev, b'.' | b'#' | b'-' | b'$' | b'/' | b':'))
        };
        if !can_start || !bounded_left {
            at += 1;
            continue;
        }
        let run = read_run(bytes, at);
        let mut end = run.end;
        // A run that ends glued to letters ("1234abc") is a code, not a number.
        let glued = end < bytes.len() && (bytes[end].is_ascii_alphabetic() || bytes[end] == b'_');
        // "(37) 788-063": include the closing parenthesis of the first group.
        if run.end == at || glued {
            at = end.max(at + 1);
            continue;
        }
        let context_ssn = SSN_CUES
            .iter()
            .any(|cue| preceding_context(bytes, at, 30).contains(cue));
        let kind = if is_ipv4(&run) {
            Some(PiiKind::Ip)
        } else if is_ssn(&run, context_ssn) {
            Some(PiiKind::Ssn)
        } else if is_card(&run) {
            Some(PiiKind::Card)
        } else if is_phone(&run, bytes) {
            Some(PiiKind::Phone)
        } else {
            None
        };
        if let Some(kind) = kind {
            if bytes.get(end) == Some(&b')') && run.paren_first && run.groups.len() == 1 {
                end += 1;
            }
            if !overlaps(found, at, end) {
                found.push(ByteFinding {
                    kind,
                    start: at,
                    end,
                });
            }
        }
        at = end.max(at + 1);
    }
}

#[cfg(test)]
mod tests;
