//! IBANs: a known country code, its registered length and a valid ISO 7064
//! mod 97-10 checksum, in any grouping (single or double spaces, no-break
//! spaces, dashes, dots, or none), upper or lower case, even with letters
//! right after.

use super::{Claims, PiiKind};

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

fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.')
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
        let bounded = at == 0
            || !bytes[at - 1].is_ascii_alphanumeric()
            || claims.spans().any(|(_, end)| end == at);
        let starts_here = bounded
            && bytes[at].is_ascii_alphabetic()
            && bytes[at + 1].is_ascii_alphabetic()
            && bytes[at + 2].is_ascii_digit()
            && bytes[at + 3].is_ascii_digit();
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
        if checksum_ok(&candidate.compact) {
            claims.add(PiiKind::Iban, at, candidate.end);
            at = candidate.end;
        } else if printed_like_an_iban(&candidate.groups) {
            // A mistyped IBAN is not a valid account number, but neither are
            // its digits a phone number or a card.
            claims.shields.push((at, candidate.end));
            at = candidate.end;
        } else {
            at += 1;
        }
    }
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
