//! IBANs: a known country code, its registered length and a valid ISO 7064
//! mod 97-10 checksum, in any grouping (single or double spaces, no-break
//! spaces, line breaks, dashes, dots, or none), upper or lower case, even with letters
//! right after; and mistyped ones (the checksum fails) printed as IBANs are.

use super::{Claims, PiiKind};

/// IBAN length by country (ISO 13616 registry): country code and length,
/// five bytes an entry.
const IBAN_LENGTHS: &[u8] = b"AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 \
    CH21 CR22 CY28 CZ24 DE22 DK18 DO28 EE20 EG29 ES24 FI18 \
    FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 \
    IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 \
    LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 NO15 \
    PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 SC31 SE24 SI19 \
    SK24 SM27 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20";

fn iban_length(country: [u8; 2]) -> Option<usize> {
    IBAN_LENGTHS
        .chunks(5)
        .find(|entry| entry.get(..2) == Some(&country[..]))
        .and_then(|entry| {
            let tens = entry.get(2)?.wrapping_sub(b'0');
            let units = entry.get(3)?.wrapping_sub(b'0');
            Some(usize::from(tens * 10 + units))
        })
}

/// ISO 7064 mod 97-10 over the rearranged IBAN.
/// ISO 7064 mod 97-10 over the rearranged IBAN.
fn checksum_ok(compact: &[u8]) -> bool {
    let rearranged = compact.iter().skip(4).chain(compact.iter().take(4));
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

/// Also line breaks, as in a multi-line message box.
fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.' | b'\n' | b'\r')
}

/// An IBAN-shaped candidate starting at a country code.
struct Candidate {
    compact: Vec<u8>,
    end: usize,
    /// Lengths of the groups between separators.
    groups: Vec<usize>,
}

fn read(bytes: &[u8], at: usize, expected: usize) -> Candidate {
    let mut candidate = Candidate {
        compact: Vec::with_capacity(34),
        end: at,
        groups: vec![0],
    };
    let mut cursor = at;
    while cursor < bytes.len() && candidate.compact.len() < expected {
        let b = bytes[cursor];
        if b.is_ascii_alphanumeric() {
            candidate.compact.push(b.to_ascii_uppercase());
            if let Some(last) = candidate.groups.last_mut() {
                *last += 1;
            }
            cursor += 1;
            candidate.end = cursor;
            continue;
        }
        // Up to three separators ("  ", " - ") between two groups.
        let mut next = cursor;
        while next < bytes.len() && is_separator(bytes[next]) && next - cursor < 3 {
            next += 1;
        }
        if next == cursor || !bytes.get(next).is_some_and(u8::is_ascii_alphanumeric) {
            break;
        }
        candidate.groups.push(0);
        cursor = next;
    }
    candidate
}

pub(super) fn scan(bytes: &[u8], claims: &mut Claims) {
    let mut at = 0;
    while at + 4 <= bytes.len() {
        // Right after another finding counts as a boundary: the redacted
        // text shows a tag there.
        let starts_here = bytes[at].is_ascii_alphabetic()
            && bytes[at + 1].is_ascii_alphabetic()
            && bytes[at + 2].is_ascii_digit()
            && bytes[at + 3].is_ascii_digit()
            && (at == 0
                || !bytes[at - 1].is_ascii_alphanumeric()
                || claims.ends_at(at)
                || after_the_word_iban(bytes, at));
        let country = [
            bytes[at].to_ascii_uppercase(),
            bytes[at + 1].to_ascii_uppercase(),
        ];
        let Some(expected) = starts_here.then(|| iban_length(country)).flatten() else {
            at += 1;
            continue;
        };
        let candidate = read(bytes, at, expected);
        // Letters may follow an IBAN ("…013000Thanks"); a digit would make it
        // a longer number.
        let bounded = !bytes.get(candidate.end).is_some_and(u8::is_ascii_digit);
        if candidate.compact.len() != expected || !bounded || claims.taken(at, candidate.end) {
            at += 1;
            continue;
        }
        // A mistyped IBAN, printed as one with the country's length, is
        // still someone's account number give or take a digit: redacted too.
        // (It was once left in and shielded from the other scanners, which
        // hid a card after a token shaped like an IBAN's start: "AT12 4111
        // 1111 1111 1111", "ref ES12 4111 … 1234".)
        if checksum_ok(&candidate.compact) || printed_like_an_iban(&candidate.groups) {
            claims.add(PiiKind::Iban, at, candidate.end);
            at = candidate.end;
        } else {
            at += 1;
        }
    }
}

/// "IBANDE89…": the word glued to the number. Only this word: letters and
/// digits glued to other letters are more often a code ("1Z…" tracking
/// numbers) than an account, whatever their checksum.
fn after_the_word_iban(bytes: &[u8], at: usize) -> bool {
    at >= 4 && bytes[at - 4..at].eq_ignore_ascii_case(b"IBAN")
}

/// Whether the groups are those of an IBAN as printed: one block, or blocks
/// of four with a shorter last one.
fn printed_like_an_iban(groups: &[usize]) -> bool {
    match groups.split_last() {
        Some((last, [])) => *last > 4,
        Some((last, rest)) => rest.iter().all(|&g| g == 4) && (1..=4).contains(last),
        None => false,
    }
}
