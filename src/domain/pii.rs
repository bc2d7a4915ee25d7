//! Finds and redacts personal data in free text: emails, phone numbers,
//! payment cards (Luhn), IBANs (country length and mod-97), US social security
//! numbers, IPv4 and IPv6 addresses. Runs in the visitor's browser before
//! anything is sent, and again at the edge.
//!
//! The text is first folded (`normalize`: full-width digits, Unicode spaces,
//! dashes, invisible characters, URL escapes) and the scanners read the
//! folded form; their findings are mapped back to the original. They never
//! panic. Each candidate is checked the way a person would check it
//! (checksums, group shapes, the words around a short number) so that order
//! numbers, tracking codes, dates, prices and versions survive redaction. MODEL.md, "What the redactor
//! guarantees", states what is caught and what is not; the property tests
//! (`pii/properties.rs`) and `tests/fuzz.rs` hold it to that, and check that
//! redacting twice changes nothing.

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
    /// Every kind, in a fixed order.
    pub const ALL: [PiiKind; 6] = [
        PiiKind::Email,
        PiiKind::Phone,
        PiiKind::Card,
        PiiKind::Iban,
        PiiKind::Ssn,
        PiiKind::Ip,
    ];

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

/// How many characters `text` holds as its writer typed it, as far as can be
/// told: each redaction tag counts as one, because it stands for at least one
/// character of personal data (usually more, but a six-character address such
/// as `j@x.de` becomes the seven of `[email]`). Length limits on redacted
/// text use this count, so a message that fitted the box it was typed in
/// still fits once redacted.
pub fn typed_length(text: &str) -> usize {
    let tags: usize = PiiKind::ALL
        .iter()
        .map(|kind| text.matches(kind.tag()).count() * (kind.tag().len() - 1))
        .sum();
    text.chars().count().saturating_sub(tags)
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

/// Finds personal data; findings are sorted and never overlap. Offsets are
/// bytes of `text`; the scanners read its folded form (see `normalize`).
pub fn find_bytes(text: &str) -> Vec<ByteFinding> {
    if cannot_hold_personal_data(text) {
        return Vec::new();
    }
    scan_all(text)
}

/// A proof, in two passes over the bytes, that the scanners would find
/// nothing: ASCII text (it folds to itself) without a digit, `@` or `:`, and
/// no address spelled out (`dot`, `(at)`…). Every kind needs one of them: an
/// email its `@` or its spelling, an IPv6 address its colons, every other
/// kind digits. Most paths and titles at the edge pass it, so the
/// second redaction pass there costs a scan of the bytes, not the scanners.
pub fn cannot_hold_personal_data(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_digit() && b != b'@' && b != b':')
        && !email::may_be_spelled(text.as_bytes())
}

/// Every scanner over the folded text.
fn scan_all(text: &str) -> Vec<ByteFinding> {
    let normalized = normalize::Normalized::new(text);
    let folded = normalized.text();
    // Which scanners could find anything: each needs its trigger in the
    // folded text (digits for IBANs, cards and numbers, `@` for e-mails,
    // two colons for IPv6), which no claim changes. Most messages lack most.
    let (mut digits, mut at_sign, mut colons) = (false, false, 0u8);
    for b in folded.bytes() {
        digits |= b.is_ascii_digit();
        at_sign |= b == b'@';
        colons = colons.saturating_add(u8::from(b == b':'));
    }
    let ipv6 = colons >= 2;
    let spelled = email::may_be_spelled(folded.as_bytes());
    if !(digits || at_sign || ipv6 || spelled) {
        return Vec::new();
    }
    let mut claims = Claims::default();
    // Most specific first; later scanners skip what earlier ones claimed.
    // Then all again while something new was claimed: what a later scanner
    // took shows as a tag in the redacted text, and the text beside it may
    // read differently there ("100000000008::0" → "[card]::0", an IPv6
    // address; a card whose digits ran on into a phone number), which a
    // second redaction would find.
    for _ in 0..3 {
        let claimed = claims.items.len();
        if at_sign {
            email::scan(folded, &mut claims);
        }
        if spelled {
            email::scan_spelled(folded, &mut claims);
        }
        if digits {
            iban::scan(folded.as_bytes(), &mut claims);
        }
        if ipv6 {
            numbers::scan_ipv6(folded, &mut claims);
        }
        if digits {
            cards::scan(folded.as_bytes(), &mut claims);
            numbers::scan(folded.as_bytes(), &mut claims);
        }
        if claims.items.len() == claimed {
            break;
        }
    }
    let found: Vec<ByteFinding> = claims
        .items
        .into_iter()
        .map(|(kind, start, end)| {
            let (start, end) = normalized.original_span(start, end);
            ByteFinding { kind, start, end }
        })
        .filter(|f| f.start < f.end)
        .collect();
    // Stable by start: sorted as (start, position) packed in a u64, the one
    // key type the widget sorts (`text::sort_u64`, no core sort linked).
    // Offsets fit 32 bits: texts are far below 4 GiB (bodies are 1 MiB).
    let mut order: Vec<u64> = found
        .iter()
        .enumerate()
        .map(|(position, f)| (f.start as u64) << 32 | position as u64)
        .collect();
    super::text::sort_u64(&mut order);
    order
        .iter()
        .map(|key| found[(key & 0xffff_ffff) as usize])
        .collect()
}

/// What the scanners have found so far, in folded-text byte offsets; later
/// scanners skip it.
#[derive(Default)]
struct Claims {
    /// Sorted by start; they never overlap, so their ends are sorted too,
    /// and every question below is a binary search (a text with thousands
    /// of findings took seconds when each was a scan of them all).
    items: Vec<(PiiKind, usize, usize)>,
}

impl Claims {
    /// How many claims start before `at`.
    fn starting_before(&self, at: usize) -> usize {
        self.items.partition_point(|&(_, s, _)| s < at)
    }

    fn taken(&self, start: usize, end: usize) -> bool {
        // Of the claims starting before `end`, the last ends last.
        let before = self.starting_before(end);
        before > 0
            && self
                .items
                .get(before - 1)
                .is_some_and(|&(_, _, e)| start < e)
    }

    fn add(&mut self, kind: PiiKind, start: usize, end: usize) {
        if start < end && !self.taken(start, end) {
            let at = self.starting_before(start);
            self.items.insert(at, (kind, start, end));
        }
    }

    /// The claim covering `at`, if any.
    fn at(&self, at: usize) -> Option<&(PiiKind, usize, usize)> {
        let through = self.starting_before(at + 1);
        self.items
            .get(through.checked_sub(1)?)
            .filter(|&&(_, _, e)| at < e)
    }

    /// The end of the claim covering `at`, if any.
    fn covering(&self, at: usize) -> Option<usize> {
        self.at(at).map(|&(_, _, e)| e)
    }

    /// Whether a claim ends at `at`.
    fn ends_at(&self, at: usize) -> bool {
        let before = self.items.partition_point(|&(_, _, e)| e < at);
        self.items.get(before).is_some_and(|&(_, _, e)| e == at)
    }

    /// Where the first claim at or after `at` starts (or `len`).
    fn next_start(&self, at: usize, len: usize) -> usize {
        self.items
            .get(self.starting_before(at))
            .map_or(len, |&(_, s, _)| s)
    }

    /// Where the last claim ending at or before `at` ends (or 0).
    fn end_before(&self, at: usize) -> usize {
        let before = self.items.partition_point(|&(_, _, e)| e <= at);
        before
            .checked_sub(1)
            .and_then(|last| self.items.get(last))
            .map_or(0, |&(_, _, e)| e)
    }

    /// The tag a redacted finding covering `at` would leave there; the
    /// scanners that read context read it as the redacted text shows it, so
    /// that redacting twice changes nothing.
    fn tag_at(&self, at: usize) -> Option<(&'static str, usize, usize)> {
        self.at(at).map(|&(kind, s, e)| (kind.tag(), s, e))
    }
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
    // (byte offset, finding, is start) packed in a u64 in that order of
    // significance, so they sort as the tuples would (one sort, as above).
    let mut pending: Vec<u64> = Vec::with_capacity(found.len() * 2);
    for (index, finding) in found.iter().enumerate() {
        let index = (index as u64) << 1;
        pending.push((finding.start as u64) << 32 | index | 1);
        pending.push((finding.end as u64) << 32 | index);
    }
    super::text::sort_u64(&mut pending);
    let mut starts = vec![0u32; found.len()];
    let mut ends = vec![0u32; found.len()];
    let mut chars = text.char_indices();
    for key in pending {
        let (byte, index, is_start) = (
            (key >> 32) as usize,
            ((key & 0xffff_ffff) >> 1) as usize,
            key & 1 == 1,
        );
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

/// `text` folded as the scanners read it (full-width digits and `＋`,
/// Unicode spaces and dashes to ASCII; invisible characters dropped),
/// without URL escapes: a phone number typed on a Japanese keyboard
/// (`０３０ １２３４５６７`) reads as its digits.
pub fn folded(text: &str) -> String {
    text.chars().filter_map(normalize::fold).collect()
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

mod cards;
mod email;
mod iban;
mod normalize;
mod numbers;
#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests;
