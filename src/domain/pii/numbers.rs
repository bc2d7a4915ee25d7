//! Numbers that are personal data by their shape and the words around them:
//! phone numbers, US social security numbers, IPv4 addresses; and IPv6
//! addresses. Cards are found before (see `cards`); a phone number stops where
//! another finding starts, so it never eats an e-mail, a card or an IBAN.
//!
//! The words around a number are read as the redacted text will show them
//! (earlier findings as their tags), so that redacting twice changes nothing.

use super::{Claims, PiiKind};
use crate::domain::text::{find_bytes, rfind_bytes};

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

pub(super) fn scan_ipv6(text: &str, claims: &mut Claims) {
    let bytes = text.as_bytes();
    let is_v6_byte = |b: u8| b.is_ascii_hexdigit() || b == b':' || b == b'.';
    let mut at = 0;
    while at < bytes.len() {
        // Shape first: a byte that cannot start an address is passed over
        // alike inside or outside a claim (no search of the claims).
        if !is_v6_byte(bytes[at]) {
            at += 1;
            continue;
        }
        if let Some(end) = claims.covering(at) {
            at = end.max(at + 1);
            continue;
        }
        let prev = at
            .checked_sub(1)
            .and_then(|before| byte_seen(bytes, claims, before));
        if prev.is_some_and(|b| is_word_byte(b) || b == b':') {
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
        if colons >= 2 && has_digit && bounded && is_ipv6(candidate.as_bytes()) {
            claims.add(PiiKind::Ip, at, trimmed_end);
        }
        at = end.max(at + 1);
    }
}

/// Whether `text` is an IPv6 address in the grammar of core's
/// `Ipv6Addr::from_str` (hex groups of up to four digits, at most one `::`,
/// an optional dotted IPv4 tail), decided the same way step by step. Core's
/// parser was 2.5 KB of the widget's wasm; a test compares the two.
pub(super) fn is_ipv6(text: &[u8]) -> bool {
    let mut at = 0;
    let (head, head_v4) = ipv6_groups(text, &mut at, 8);
    let whole = head == 8
        || (!head_v4 && text.get(at..at + 2) == Some(&b"::"[..]) && {
            at += 2;
            ipv6_groups(text, &mut at, 7 - head);
            true
        });
    whole && at == text.len()
}

/// Reads up to `limit` `:`-separated groups from `at` (an IPv4 tail counts
/// as two); how many, and whether the last was an IPv4 tail.
fn ipv6_groups(text: &[u8], at: &mut usize, limit: usize) -> (usize, bool) {
    for i in 0..limit {
        let start = if i == 0 {
            *at
        } else if text.get(*at) == Some(&b':') {
            *at + 1
        } else {
            return (i, false);
        };
        if i + 1 < limit {
            if let Some(end) = ipv4_at(text, start) {
                *at = end;
                return (i + 2, true);
            }
        }
        match digits(text, start, 16, 4, u32::MAX) {
            Some(end) => *at = end,
            None => return (i, false),
        }
    }
    (limit, false)
}

/// A dotted IPv4 address from `start` (decimal parts 0–255, no leading
/// zeros); where it ends.
fn ipv4_at(text: &[u8], start: usize) -> Option<usize> {
    let mut at = start;
    for part in 0..4 {
        if part > 0 {
            (text.get(at) == Some(&b'.')).then_some(())?;
            at += 1;
        }
        let end = digits(text, at, 10, 3, 255)?;
        if text.get(at) == Some(&b'0') && end - at > 1 {
            return None;
        }
        at = end;
    }
    Some(at)
}

/// The digits in `radix` from `start`: at least one, at most `most`, worth
/// at most `max` (or nothing: more digits than allowed is not a shorter
/// number); where they end.
fn digits(text: &[u8], start: usize, radix: u32, most: usize, max: u32) -> Option<usize> {
    let mut at = start;
    let mut value = 0u32;
    while let Some(digit) = text.get(at).and_then(|&b| char::from(b).to_digit(radix)) {
        value = value.saturating_mul(radix).saturating_add(digit);
        at += 1;
        if at - start > most || value > max {
            return None;
        }
    }
    (at > start).then_some(at)
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
    // Where the run's last gap between groups that may part two numbers
    // is: two or three separators (" / ", " - "), or one after six digits
    // or more.
    let mut at_gap = None;
    loop {
        let group_start = at;
        while at < bytes.len() && bytes[at].is_ascii_digit() {
            run.digits.push(bytes[at]);
            at += 1;
        }
        if at == group_start {
            break;
        }
        // No phone number has more than 15 digits (E.164): after a `+`, a
        // group that would pass them is something else ("+447911123456 2024",
        // "tel+447911123456 2024", where the run starts after the `+`); past
        // a gap, another number ("0170 1234567 / 030 1234567", "0612345678
        // 0798765432"), so the run ends at the gap and each is judged alone.
        let plus = run.plus || start > 0 && bytes.get(start - 1) == Some(&b'+');
        if run.digits.len() > 15 && !run.groups.is_empty() {
            if plus {
                run.digits.truncate(run.digits.len() - (at - group_start));
                run.separators.pop();
                break;
            }
            if let Some(gap) = at_gap {
                return read_run(bytes.get(..gap).unwrap_or_default(), start);
            }
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
        if sep.len() > 1 || at - group_start >= 6 {
            at_gap = Some(at);
        }
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

fn is_ssn(run: &NumberRun, context_says_ssn: impl FnOnce() -> bool) -> bool {
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
    dashed || (run.groups.len() == 1 && context_says_ssn())
}

/// Four dotted numbers up to 255, and a network's prefix length after a
/// slash if any ("203.0.113.5/24", which would otherwise read as a phone
/// number). A parenthesis may open the run: "(198.51.100.7)".
fn is_ipv4(run: &NumberRun) -> bool {
    let prefix_ok = match run.groups.get(4..) {
        Some([]) => true,
        Some(&[len]) => len <= 2 && run.separators.get(3) == Some(&b'/'),
        _ => false,
    };
    if !prefix_ok || run.separators.iter().take(3).any(|&s| s != b'.') || run.plus {
        return false;
    }
    let mut offset = 0;
    for &len in run.groups.iter().take(4) {
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

/// A date, alone or with its hour ("2025-12-22 04:34"; a colon after any
/// other run is a label's: "+49 171 2345678: from 5 pm").
fn looks_like_date(run: &NumberRun) -> bool {
    let g = &run.groups;
    let date_separators = run
        .separators
        .iter()
        .take(2)
        .all(|&s| matches!(s, b'-' | b'/' | b'.'));
    // The date ends, and its hour follows after a space or " - ".
    let shape_ends =
        g.len() == 3 || (g.len() > 3 && matches!(run.separators.get(2), Some(b' ' | b'?')));
    date_separators
        && shape_ends
        && ((g[0] == 4 && g[1] <= 2 && g[2] <= 2)
            || (g[0] <= 2 && g[1] <= 2 && (g[2] == 4 || g[2] == 2)))
        && !run.plus
}

/// Where the last `cue` in `context` begins. A longer one-word cue (six
/// bytes or more) and "handy" anywhere, as in compounds ("Mobiltelefon",
/// "Diensthandynummer"); a short one or a phrase at the start of a word
/// ("Tel.", "Telefon", "bel me"; not "Bestellung", "cancelled", "label
/// met"), or ending one when it is "fax" ("Bürofax") or a label or an
/// abbreviation follows ("Privattel.", "Firmentel:"; not "Hotel booking").
fn rfind_cue(context: &[u8], cue: &[u8]) -> Option<usize> {
    let phrase = cue.contains(&b' ');
    if cue.len() >= 6 && !phrase || cue == b"handy" {
        return rfind_bytes(context, cue);
    }
    // In a phrase, accented letters are letters ("même ligue" is not "me
    // ligue"); a word's cue may follow one ("TÉLÉPHONE" holds "phone").
    let letter = |b: &u8| b.is_ascii_alphabetic() || phrase && *b >= 0x80;
    let mut end = context.len();
    loop {
        let at = rfind_bytes(context.get(..end)?, cue)?;
        let starts_word = at == 0 || !context.get(at - 1).is_some_and(letter);
        let after = context.get(at + cue.len()).copied();
        let ends_word = !after.as_ref().is_some_and(letter);
        let ending_cue = cue == b"fax" || matches!(after, Some(b'.' | b':'));
        if starts_word || ends_word && ending_cue {
            return Some(at);
        }
        end = at + cue.len() - 1;
    }
}

/// Words that, shortly before a short number, make it a phone number, one
/// per line (one string: no table of pointers in the widget).
const PHONE_CUES: &str = "\
phone
tel
mobile
cell
fax
call
reach me
text me
whatsapp
sms
messages to
answering at
desk
contact me
telefon
téléphone
telephone
teléfono
telefoon
handy
portable
móvil
movil
celular
ring me
registered
mobil
mobiel
natel
tél
rufnummer
festnetz
gsm";
/// Ways of asking to be called, which count only when they end at most ten
/// bytes before the number ("ruf mich an 4671234", "llámame al …"; not
/// "ruf mich an wegen Bestellung 51099993").
const CALL_ME_CUES: &str = "\
rückruf
ruf mich
rufen sie mich
anrufen
appelez-moi
appelez moi
appelle-moi
appelle moi
m'appeler
me rappeler
llámame
llamame
llámeme
llamadme
me llamen
llamarme
chiamami
chiamatemi
chiamarmi
mi chiami
bel me
bel mij
belt u me
me ligue
ligue-me
liga-me
me liga";
/// Words before a number that make it something else (a licence, a
/// passport, an order), and sizes, prices and catalogue numbers, which
/// visitors list in runs ("sizes 38 39 40 41 42"). Only in English for
/// orders: "Telefon für Rückfragen zur Bestellung: 0171 …" is common.
const NOT_PHONE_CUES: &str = "\
licen
passport
order
invoice
tracking
account no
size
grösse
größe
taille
talla
maat
taglia
tamanho
price
preis
prix
precio
prijs
prezzo
preço
isbn
sku";
/// Words right after a number that make it a phone number ("...-Office").
const PHONE_TRAILERS: &str = "office\nfax\nmobile\nhome\nwork\ncell";
/// Words shortly before a nine-digit number that make it a social security number.
const SSN_CUES: &str = "ssn\nsocial security";

/// The `window` bytes before `start` as the redacted text will show them,
/// lower-cased (`lowercase`). Bytes, not text: a cue is found in the bytes
/// exactly where it would be in the decoded text, without linking UTF-8
/// repair and core's substring searcher into the widget.
fn preceding_context(bytes: &[u8], claims: &Claims, start: usize, window: usize) -> Vec<u8> {
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
    lowercase(&mut reversed);
    reversed
}

/// ASCII and Latin-1 capitals lower-cased in place, as every cue is written
/// ("LLÁMAME" → "llámame"): in UTF-8 a capital À–Þ is 0xC3 then 0x80–0x9E,
/// and its small letter 0x20 more (× excepted).
fn lowercase(bytes: &mut [u8]) {
    bytes.make_ascii_lowercase();
    let mut lead = 0;
    for byte in bytes {
        if lead == 0xC3 && (0x80..=0x9E).contains(byte) && *byte != 0x97 {
            *byte += 0x20;
        }
        lead = *byte;
    }
}

/// The `window` bytes after `end` as the redacted text will show them,
/// lower-cased (see `preceding_context`).
fn following_context(bytes: &[u8], claims: &Claims, end: usize, window: usize) -> Vec<u8> {
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
    lowercase(&mut out);
    out
}

/// The byte at `at` as the redacted text will show it.
fn byte_seen(bytes: &[u8], claims: &Claims, at: usize) -> Option<u8> {
    match claims.tag_at(at) {
        Some((_, start, _)) if start == at => Some(b'['),
        Some(_) => Some(b']'),
        None => bytes.get(at).copied(),
    }
}

/// Whether a clause ends in `text`: at `, ; ! ?`, or at a full stop after
/// a word of four letters or more ("Wrong size sent. 030 …"; not "Order
/// no. …"), counted in bytes.
fn ends_clause(text: &[u8]) -> bool {
    let mut letters = 0;
    for (at, &b) in text.iter().enumerate() {
        let stop =
            b == b'.' && letters >= 4 && text.get(at + 1).is_some_and(u8::is_ascii_whitespace);
        if stop || matches!(b, b',' | b';' | b'!' | b'?') {
            return true;
        }
        // Bytes of other scripts count as letters ("Größe. 030 …").
        letters = if b.is_ascii_alphabetic() || b >= 0x80 {
            letters + 1
        } else {
            0
        };
    }
    false
}

/// With `after_label`, only when a phone cue ends at the label's colon,
/// `#`, dash, slash or stop ("Tel:4671234", "Tel#4671234"; not
/// "ref:4671234", "SKU-4671234").
fn is_phone(run: &NumberRun, bytes: &[u8], claims: &Claims, after_label: bool) -> bool {
    let count = run.digits.len();
    // 3-2-4 is the SSN shape; an invalid SSN is not a phone number either.
    if !(7..=15).contains(&count) || looks_like_date(run) || run.groups == [3, 2, 4] {
        return false;
    }
    let groups = run.groups.len();
    // Four dotted groups is an address or a version, never a phone number.
    if groups == 4 && run.separators.iter().all(|&s| s == b'.') {
        return false;
    }
    // The cue nearest the number decides: "license clerk ... Phone: 358 0594".
    let before = preceding_context(bytes, claims, run.start, 40);
    // Where the cue nearest the number ends.
    let nearest = |cues: &str| {
        cues.split('\n')
            .filter_map(|cue| rfind_cue(&before, cue.as_bytes()).map(|at| at + cue.len()))
            .max()
    };
    let call_me = nearest(CALL_ME_CUES).filter(|&end| end + 10 >= before.len());
    let phone_cue = nearest(PHONE_CUES).max(call_me);
    // An international number is one whatever word came before it ("Order
    // for +49 170 1234567"): no order, price or size is written with a `+`.
    let international = run.plus && count >= 8;
    // "Tel:4671234", "Telefonnummer:…", "Tel.:…": a cue in the label glued
    // to the number, ending at most a word's tail before the colon.
    if after_label && !phone_cue.is_some_and(|end| end < before.len() && before.len() - end <= 9) {
        return false;
    }
    let strong = international
        || (run.digits.starts_with(b"00") && count >= 10 && groups >= 2)
        || (run.paren_first && count >= 7)
        || (groups >= 3 && count >= 9)
        || (groups >= 4 && count >= 8)
        || (run.digits[0] == b'0' && (count >= 10 || groups >= 3))
        || run.extension;
    // "Order no. 0123 456 789", "tracking number is …": a word such as
    // order or size that labels the number (at most two words between, no
    // comma) makes it not a phone number. Further back it only tells what
    // the message is about ("I ordered twice by mistake 07911 002058", "The
    // price was wrong, 030 83531569"): a phone-shaped number is then one.
    let not_phone = nearest(NOT_PHONE_CUES);
    if !international && not_phone > phone_cue {
        // Words between (each begins after a space, a tab or a line break;
        // the rest of the cue's own, "ordered", "licence", does not), and
        // whether a clause ended (`ends_clause`) after the number's label,
        // the cue's own letters included ("my order. 030 …").
        let from = not_phone.unwrap_or_default();
        let gap = before.get(from..).unwrap_or_default();
        let words = gap
            .windows(2)
            .filter(|w| w[0].is_ascii_whitespace() && !w[1].is_ascii_whitespace())
            .count();
        let clause = ends_clause(before.get(from.saturating_sub(4)..).unwrap_or_default());
        if !clause && words <= 2 || !strong {
            return false;
        }
    }
    if strong {
        return true;
    }
    let after = following_context(bytes, claims, run.end, 12);
    let skipped = after
        .iter()
        .take_while(|b| matches!(b, b'-' | b' ' | b','))
        .count();
    let after = after.get(skipped..).unwrap_or_default();
    phone_cue.is_some()
        || PHONE_TRAILERS
            .split('\n')
            .any(|cue| after.starts_with(cue.as_bytes()))
}

pub(super) fn scan(bytes: &[u8], claims: &mut Claims) {
    let mut at = 0;
    while at < bytes.len() {
        // Shape first, as in `scan_ipv6`.
        let b = bytes[at];
        let can_start = b.is_ascii_digit()
            || ((b == b'+' || b == b'(') && bytes.get(at + 1).is_some_and(u8::is_ascii_digit));
        if !can_start {
            at += 1;
            continue;
        }
        if let Some(end) = claims.covering(at) {
            at = end.max(at + 1);
            continue;
        }
        let prev = if at == 0 {
            b' '
        } else {
            byte_seen(bytes, claims, at - 1).unwrap_or(b' ')
        };
        // A colon, `#`, dash, slash or full stop glued to a word may end a
        // label ("Tel:4671234", "Tel#555-358-5744", "Mobile-0171-…",
        // "call me/555-…", "TelNo.0791…", "SSN#123-45-6789"; `is_phone` and
        // the SSN cues check the word), and so may a `#` after a space
        // ("phone #0171 …"); after anything else a colon is a clock's.
        let label = at >= 2
            && matches!(prev, b':' | b'#' | b'-' | b'/' | b'.')
            && byte_seen(bytes, claims, at - 2)
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'.' || b == b' ' && prev == b'#');
        let bounded_left = at == 0 || {
            // A comma right after a digit is a thousands separator ("1,299");
            // after anything else it is punctuation between items.
            let thousands = prev == b','
                && at >= 2
                && byte_seen(bytes, claims, at - 2).is_some_and(|b| b.is_ascii_digit());
            // "[phone]/0798765432": a slash or dash after a finding joins two.
            let after_finding = matches!(prev, b'/' | b'-')
                && at >= 2
                && byte_seen(bytes, claims, at - 2) == Some(b']');
            label
                || after_finding
                || !(is_word_byte(prev)
                    || thousands
                    || matches!(prev, b'.' | b'#' | b'-' | b'$' | b'/' | b':'))
        };
        // After these, only an address is taken: a number in a URL, a path
        // or a price is not a phone's, but "http://203.0.113.5/",
        // "/ip/10.0.0.1" and "ip#192.0.2.44" are addresses.
        let address_only = !bounded_left && matches!(prev, b'/' | b':' | b'#' | b'$' | b'-');
        if !bounded_left && !address_only {
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
        // Read only for a nine-digit run that is not a dashed SSN.
        let context_ssn = || {
            let before = preceding_context(bytes, claims, at, 30);
            SSN_CUES
                .split('\n')
                .any(|cue| find_bytes(&before, cue.as_bytes()).is_some())
        };
        let kind = if is_ipv4(&run) {
            Some(PiiKind::Ip)
        } else if address_only {
            // Not an address: look again inside the run, as for any start
            // not bounded on the left ("Mobil/+49 151…", ":8080/10.0.0.1").
            at += 1;
            continue;
        } else if is_ssn(&run, context_ssn) && (!label || context_ssn()) {
            Some(PiiKind::Ssn)
        } else if is_phone(&run, bytes, claims, label) {
            Some(PiiKind::Phone)
        } else {
            None
        };
        if let Some(kind) = kind {
            // "(198.51.100.7)": the parenthesis is not the address's.
            let at = at + usize::from(kind == PiiKind::Ip && run.paren_first);
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

#[cfg(test)]
mod tests {
    use super::is_ipv6;

    fn agrees(text: &str) {
        assert_eq!(
            is_ipv6(text.as_bytes()),
            text.parse::<core::net::Ipv6Addr>().is_ok(),
            "{text:?}"
        );
    }

    #[test]
    fn the_ipv6_check_agrees_with_core_on_known_and_random_candidates() {
        for text in [
            "::",
            "::1",
            "1::",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6::7:8",
            "::ffff:1.2.3.4",
            "::ffff:1.2.3.04",
            "::ffff:256.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "1:2:3:4:5:6::1.2.3.4",
            "1.2.3.4::",
            "1.2.3.4",
            "12345::",
            "fe80::1ff:fe23:4567:890a",
            "2001:db8::8a2e:370:7334",
            "2001:DB8:0:0:8:800:200C:417A",
            ":::",
            "1:::2",
            "::1::",
            "0:0::0.0.0.0",
            "::0.0.0.00",
            "::1.2.3",
            "::1.2.3.4.5",
            "",
            ":",
            "1:",
            ":1",
        ] {
            agrees(text);
        }
        // Random strings of the bytes a candidate is made of.
        let alphabet = b"0123456789abcdefABCDEF:.::..0f";
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..200_000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| char::from(alphabet[(next() % alphabet.len() as u64) as usize]))
                .collect();
            agrees(&text);
        }
        // Valid addresses with a byte changed.
        for _ in 0..50_000 {
            let groups: Vec<String> = (0..8).map(|_| format!("{:x}", next() % 0x1_0000)).collect();
            let mut text = groups.join(":");
            if next() % 2 == 0 {
                let cut = (next() % 6 + 1) as usize;
                text = format!(
                    "{}::{}",
                    groups[..cut].join(":"),
                    groups[cut + 2..].join(":")
                );
            }
            if next() % 3 == 0 {
                text.push_str(&format!(
                    ":{}.{}.{}.{}",
                    next() % 300,
                    next() % 256,
                    next() % 256,
                    next() % 256
                ));
            }
            let mut bytes = text.into_bytes();
            if next() % 2 == 0 && !bytes.is_empty() {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = alphabet[(next() % alphabet.len() as u64) as usize];
            }
            agrees(&String::from_utf8(bytes).unwrap_or_default());
        }
    }
}
