//! Payment cards: 12 to 19 digits (Maestro has 12), not starting with "00",
//! passing the Luhn check, written in one block or in groups separated by
//! spaces (any Unicode space, after folding), dashes, dots, slashes or " - ",
//! next to any punctuation or letters. A security code or an expiry date that
//! follows a card goes with it.
//!
//! Digit groups are read as one run; a card is a window of whole groups in
//! one of the shapes cards are printed in (one block, fours, 4-6-5, 4-6-4).
//! So that long numbers (a 22-digit tracking number grouped by four) are not
//! mistaken for a card because some 16 of their digits pass the Luhn check
//! (one window in ten does), a window inside a run must stand apart from its
//! neighbours: by a different separator, or by ending the run.

use super::{Claims, PiiKind};

/// The class of a separator between two digit groups.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Separator {
    Space,
    /// Spaces with a line break: a card typed over lines is still one, but
    /// after a card typed on one line, the next line is something else
    /// ("…1111 0426\n2 charges").
    LineBreak,
    /// A `+` glued between digits, in a form-encoded value ("card=4111+1111…").
    Plus,
    Dash,
    Dot,
    Slash,
}

/// Digit groups, as byte spans, and the separators between them.
struct Run {
    groups: Vec<(usize, usize)>,
    separators: Vec<Separator>,
}

impl Run {
    fn len(&self, group: usize) -> usize {
        self.groups.get(group).map_or(0, |(s, e)| e - s)
    }
}

/// Spaces, and line breaks: a message box is multi-line, and a card typed
/// over lines ("4111\n1111\n…") is still one (phone numbers do not run
/// over lines: "13\n44939" is a house number and a post code).
fn count_spaces(bytes: &[u8], at: &mut usize, limit: usize) -> usize {
    let start = *at;
    while *at < limit && matches!(bytes[*at], b' ' | b'\n' | b'\r') && *at - start < 3 {
        *at += 1;
    }
    *at - start
}

/// Marks that Japanese keyboards, bullet lists and dot operators put
/// between digits, read as separators only when glued to digits on both
/// sides ("4111・1111…"): spaced out, they list dates and sizes
/// ("12/29～01/03", "• 2021 • 2022"). The fold leaves them (the phone
/// scanner would read those lists as numbers); the full-width tilde reaches
/// here folded to `~`.
const GLUED_MARKS: [(&[u8], Separator); 7] = [
    (b"~", Separator::Dash),
    ("\u{30fb}".as_bytes(), Separator::Dash),
    ("\u{ff65}".as_bytes(), Separator::Dash),
    ("\u{b7}".as_bytes(), Separator::Dot),
    ("\u{2022}".as_bytes(), Separator::Dot),
    ("\u{2219}".as_bytes(), Separator::Dot),
    ("\u{22c5}".as_bytes(), Separator::Dot),
];

/// The separator at `at`, when a digit follows it: spaces, at most one of
/// `-./` (or "--"), spaces; three characters at most (" - "), as the phone
/// scanner reads them, so both see the same runs of digits. A `+` glued
/// between digits is a form-encoded space when `plus_joins` (the run is a
/// form's value); a mark of `GLUED_MARKS` glued between them is one too.
fn separator(
    bytes: &[u8],
    at: usize,
    limit: usize,
    plus_joins: bool,
) -> Option<(Separator, usize)> {
    let digit_at = |at: usize| at < limit && bytes.get(at).is_some_and(u8::is_ascii_digit);
    let rest = bytes.get(at..limit).unwrap_or_default();
    if let Some((mark, class)) = GLUED_MARKS.iter().find(|(mark, _)| rest.starts_with(mark)) {
        return digit_at(at + mark.len()).then_some((*class, at + mark.len()));
    }
    if plus_joins && rest.first() == Some(&b'+') {
        return digit_at(at + 1).then_some((Separator::Plus, at + 1));
    }
    let mut cursor = at;
    let before = count_spaces(bytes, &mut cursor, limit);
    let mark = bytes.get(cursor).filter(|_| cursor < limit).copied();
    let class = match mark {
        Some(b'-') => Separator::Dash,
        Some(b'.') => Separator::Dot,
        Some(b'/') => Separator::Slash,
        _ if bytes
            .get(at..cursor)
            .is_some_and(|s| s.contains(&b'\n') || s.contains(&b'\r')) =>
        {
            Separator::LineBreak
        }
        _ => Separator::Space,
    };
    if !matches!(class, Separator::Space | Separator::LineBreak) {
        cursor += 1;
        if mark == Some(b'-') && bytes.get(cursor) == Some(&b'-') && cursor < limit {
            cursor += 1;
        }
    }
    let after = count_spaces(bytes, &mut cursor, limit);
    let digit_follows = cursor < limit && bytes.get(cursor).is_some_and(u8::is_ascii_digit);
    // "1. 4111…": a full stop then a space ends a sentence or numbers a list.
    let full_stop = class == Separator::Dot && before == 0 && after > 0;
    let short = cursor - at <= 3;
    (cursor > at && short && digit_follows && !full_stop).then_some((class, cursor))
}

fn read_run(bytes: &[u8], start: usize, limit: usize, plus_joins: bool) -> Run {
    let mut run = Run {
        groups: Vec::new(),
        separators: Vec::new(),
    };
    let mut at = start;
    loop {
        let group_start = at;
        while at < limit && bytes[at].is_ascii_digit() {
            at += 1;
        }
        run.groups.push((group_start, at));
        match separator(bytes, at, limit, plus_joins) {
            Some((class, next)) => {
                run.separators.push(class);
                at = next;
            }
            None => return run,
        }
    }
}

/// Group shapes cards are printed in: one block, fours with a shorter last
/// group (12, 13, 16, 19 digits), or Amex and Diners' 4-6-5 and 4-6-4.
fn usual_grouping(sizes: &[usize]) -> bool {
    match sizes {
        [_] | [4, 6, 4] | [4, 6, 5] => true,
        [4, rest @ ..] => match rest.split_last() {
            Some((last, middle)) => middle.iter().all(|&g| g == 4) && (1..=4).contains(last),
            None => false,
        },
        _ => false,
    }
}

/// Whether groups `from..=to` hold a Luhn-valid 12–19 digit number that
/// does not start with "00" (an international phone prefix).
fn window_ok(bytes: &[u8], run: &Run, from: usize, to: usize) -> bool {
    let Some(groups) = run.groups.get(from..=to) else {
        return false;
    };
    let count: usize = groups.iter().map(|(s, e)| e - s).sum();
    let first = groups.first().map_or(0, |g| g.0);
    if !(12..=19).contains(&count) || bytes.get(first..first + 2) == Some(b"00") {
        return false;
    }
    // Across the groups, without copying the digits.
    luhn_ok(
        groups
            .iter()
            .rev()
            .flat_map(|&(s, e)| bytes.get(s..e).unwrap_or_default().iter().rev()),
    )
}

/// The Luhn check over ASCII digits given from the right.
fn luhn_ok<'a>(digits_from_the_right: impl Iterator<Item = &'a u8>) -> bool {
    let mut sum = 0u32;
    for (index, &d) in digits_from_the_right.enumerate() {
        let mut value = u32::from(d.wrapping_sub(b'0') % 10);
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

/// Whether a card window starts at group `from`.
fn has_window(bytes: &[u8], run: &Run, from: usize) -> bool {
    (from..window_end(run, from)).any(|to| window_ok(bytes, run, from, to))
}

/// One past the last group a window starting at `from` can end at: a card
/// has at most 19 digits, so a long run of short groups ("1 2 3 …") is read
/// in time linear in its length, not cubic.
fn window_end(run: &Run, from: usize) -> usize {
    let mut digits = 0;
    let mut to = from;
    while to < run.groups.len() && digits + run.len(to) <= 19 {
        digits += run.len(to);
        to += 1;
    }
    to
}

fn is_month(bytes: &[u8], (start, end): (usize, usize)) -> bool {
    let digits = bytes.get(start..end).unwrap_or_default();
    let value = match digits {
        [d] => d.wrapping_sub(b'0'),
        [tens, units] => tens.wrapping_sub(b'0') * 10 + units.wrapping_sub(b'0') % 10,
        _ => return false,
    };
    (1..=12).contains(&value)
}

/// Groups after a card's last group that are its expiry and security code;
/// returns the group after them and how many were taken.
fn absorb_groups(bytes: &[u8], run: &Run, mut next: usize) -> (usize, usize) {
    let mut items = 0;
    while items < 2 && next < run.groups.len() && !has_window(bytes, run, next) {
        let dated = run
            .separators
            .get(next)
            .is_some_and(|&s| matches!(s, Separator::Dash | Separator::Dot | Separator::Slash));
        if dated && is_month(bytes, run.groups[next]) && matches!(run.len(next + 1), 2 | 4) {
            next += 2;
        } else if matches!(run.len(next), 3 | 4) {
            next += 1;
        } else {
            break;
        }
        items += 1;
    }
    (next, items)
}

/// Words that introduce a security code or an expiry date after a card, in
/// the seven languages the widget speaks and Japanese (whose separators the
/// scanner reads), one per line (one string: no table of pointers in the
/// widget). Lower case; the longest that fits is taken.
const TAIL_WORDS: &str = "\
security code
security number
card verification
expiration date
expiry date
expiration_date
expiry_date
exp_date
exp_year
exp_month
expiry_month
expiry_year
expiration_month
expiration_year
security_code
card_cvv
card_cvc
exp. date
exp date
valid thru
valid through
valid until
good thru
expiration
expiry
expires
expire
mm/yy
cvv2
cvc2
cvv
cvc
ccv
cvn
csc
cid
code
exp
kartenprüfnummer
prüfnummer
prüfziffer
sicherheitscode
ablaufdatum
verfallsdatum
gültigkeit
gültig bis
gueltig bis
läuft ab
ablauf
code de sécurité
code de securite
cryptogramme visuel
cryptogramme
crypto
date d'expiration
date d’expiration
date d'exp
expire le
código de seguridad
codigo de seguridad
fecha de caducidad
fecha de vencimiento
caducidad
caduca
vencimiento
vence
código
codigo
codice di sicurezza
codice
data di scadenza
scadenza
scade
valida fino al
código de segurança
codigo de seguranca
data de validade
validade
válido até
valido ate
vencimento
beveiligingscode
vervaldatum
geldig tot
geldig t/m
verloopt
有効期限
セキュリティコ-ド";

/// The length in bytes of the longest `TAIL_WORDS` word `rest` starts with,
/// in any case (accented capitals too: "CÓDIGO"), not followed by a letter.
fn tail_word(rest: &[u8]) -> Option<usize> {
    // The longest word is 27 bytes; the valid UTF-8 of the next 48.
    let rest = rest.get(..48).unwrap_or(rest);
    let text = match core::str::from_utf8(rest) {
        Ok(text) => text,
        Err(error) => rest
            .get(..error.valid_up_to())
            .and_then(|valid| core::str::from_utf8(valid).ok())
            .unwrap_or_default(),
    };
    TAIL_WORDS
        .split('\n')
        .filter_map(|word| {
            let mut chars = text.char_indices();
            for expected in word.chars() {
                match chars.next() {
                    Some((_, c)) if crate::domain::text::fold_lowercase(c) == expected => {}
                    _ => return None,
                }
            }
            match chars.next() {
                Some((_, c)) if c.is_alphabetic() => None,
                Some((at, _)) => Some(at),
                None => Some(text.len()),
            }
        })
        .max()
}

fn skip(bytes: &[u8], mut at: usize, limit: usize, allowed: &[u8]) -> usize {
    let start = at;
    while at < limit && at - start < 4 && bytes.get(at).is_some_and(|b| allowed.contains(b)) {
        at += 1;
    }
    at
}

/// Whether `rest` starts with `prefix` in any ASCII case.
fn starts_with_ignoring_case(rest: &[u8], prefix: &[u8]) -> bool {
    rest.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// The length of the word of `words` (comma-separated) that `rest` starts
/// with in any ASCII case, followed by anything but a letter.
fn list_word(rest: &[u8], words: &str) -> Option<usize> {
    words
        .split(',')
        .map(str::as_bytes)
        .find(|word| {
            starts_with_ignoring_case(rest, word)
                && !rest
                    .get(word.len())
                    .is_some_and(|b| b.is_ascii_alphabetic() || *b >= 0x80)
        })
        .map(<[u8]>::len)
}

/// "And", "the" and "my" in the seven languages, each followed by anything
/// but a letter (`list_word`), between a card and the word for its code ("…1111 and the cvv is 123",
/// "…1111, der Code lautet 123"; one string: no table of pointers).
const JOINERS: &str =
    "and,und,et,en,ed,y,e,the,my,its,der,die,meine,mein,le,la,mon,ma,el,mi,il,mio,o,a,meu,de,het,mijn";

/// Past what may stand between a card and a word for its code: spaces,
/// punctuation (". CVV", " - cvv", " (exp", `","cvv"`), a line break, a
/// form's `&` or `+`, and `JOINERS`.
fn skip_to_word(bytes: &[u8], mut at: usize, limit: usize) -> usize {
    for _ in 0..4 {
        let before = at;
        at = skip(bytes, at, limit, b" ,;&+\n\r.-/(|\"'");
        let rest = bytes.get(at..limit).unwrap_or_default();
        if let Some(length) = list_word(rest, JOINERS) {
            at += length;
        }
        if at == before {
            break;
        }
    }
    at
}

/// Past what may stand between a word for a code and the code: `:`, `=`,
/// `#`, a dash, a bracket, quotes, a line break, a form's `+`, or "is" in
/// the seven languages ("cvv is 123", "der Code lautet 123", "le code est").
fn skip_after_word(bytes: &[u8], mut at: usize, limit: usize) -> usize {
    for _ in 0..3 {
        let before = at;
        at = skip(bytes, at, limit, b" :.#=-+(\"'\n\r");
        let rest = bytes.get(at..limit).unwrap_or_default();
        if let Some(length) = list_word(rest, "is,ist,lautet,est,c'est,es,è,é,e") {
            at += length;
        }
        if at == before {
            break;
        }
    }
    at
}

fn digits_from(bytes: &[u8], mut at: usize, limit: usize) -> usize {
    while at < limit && bytes.get(at).is_some_and(u8::is_ascii_digit) {
        at += 1;
    }
    at
}

/// An expiry date or a security code at `at`: where it ends, and whether it
/// is a date.
fn tail_token(bytes: &[u8], at: usize, limit: usize) -> Option<(usize, bool)> {
    let end = digits_from(bytes, at, limit);
    let joined_to_more = |end: usize| {
        let sep = bytes.get(end).filter(|_| end < limit);
        let then = bytes.get(end + 1).filter(|_| end + 1 < limit);
        matches!(sep, Some(b'-' | b'/' | b'.' | b' ')) && then.is_some_and(u8::is_ascii_digit)
    };
    // A date may be followed by its code ("12/26 123"), not by more date.
    let date_goes_on = |end: usize| joined_to_more(end) && bytes.get(end) != Some(&b' ');
    let dated = matches!(bytes.get(end), Some(b'/' | b'-' | b'.')) && end < limit;
    if dated && is_month(bytes, (at, end)) {
        let year_end = digits_from(bytes, end + 1, limit);
        if matches!(year_end - end - 1, 2 | 4) && !date_goes_on(year_end) {
            return Some((year_end, true));
        }
    }
    (matches!(end - at, 3 | 4) && !joined_to_more(end)).then_some((end, false))
}

/// Extends a card that ends its run over an expiry and a security code that
/// follow it in the text ("…1111, exp 12/26 cvv 123"). Without a word for
/// them, only spaces and punctuation may come between.
fn absorb_text(bytes: &[u8], card_end: usize, limit: usize, items: usize) -> usize {
    let mut end = card_end;
    let mut after_date = false;
    let (mut left, mut parts) = (items, 0);
    while left > 0 {
        left -= 1;
        let word_at = skip_to_word(bytes, end, limit);
        let word_length = tail_word(bytes.get(word_at..limit).unwrap_or_default());
        let (mut at, word) = match word_length {
            Some(length) => (skip_after_word(bytes, word_at + length, limit), true),
            None => (skip(bytes, end, limit, b" ,;"), false),
        };
        // Two words for it ("CVV code is 123", "CVC-Code: 123").
        if let Some(length) = word_length.and(tail_word(bytes.get(at..limit).unwrap_or_default())) {
            at = skip_after_word(bytes, at + length, limit);
        }
        // A form's month and year as fields of their own
        // ("&exp_month=7&exp_year=26"): together one expiry.
        let word_text = word_length
            .and_then(|length| bytes.get(word_at..word_at + length))
            .unwrap_or_default();
        let ends_with = |suffix: &[u8]| {
            word_text
                .len()
                .checked_sub(suffix.len())
                .and_then(|from| word_text.get(from..))
                .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
        };
        let digits_end = digits_from(bytes, at, limit);
        let part = if ends_with(b"month") {
            is_month(bytes, (at, digits_end))
        } else {
            ends_with(b"year") && matches!(digits_end - at, 2 | 4)
        };
        let token = if part && parts < 2 {
            parts += 1;
            left += 1;
            Some((digits_end, true))
        } else {
            tail_token(bytes, at, limit)
        };
        let Some((token_end, date)) = token else {
            break;
        };
        // A bare number after an expiry is its code only where the text or
        // the sentence ends with it ("exp 12/26 123"), not in running text
        // ("exp 12/26 2024 was fine", "12/26 500 euros").
        let next = bytes.get(token_end).filter(|_| token_end < limit);
        if after_date
            && !word
            && next.is_some_and(|b| !matches!(b, b'\n' | b'.' | b',' | b';' | b'!' | b'?' | b')'))
        {
            break;
        }
        after_date = date;
        end = token_end;
    }
    // "…1111 (exp 12/26)": the tag takes the bracket it opened with its
    // closing one, so the text does not read "[card])".
    let taken = bytes.get(card_end..end).unwrap_or_default();
    let open = taken.iter().filter(|&&b| b == b'(').count();
    let closed = taken.iter().filter(|&&b| b == b')').count();
    if open > closed && end < limit && bytes.get(end) == Some(&b')') {
        end += 1;
    }
    end
}

/// The card starting at group `from`, if any: its last group and byte end.
fn card_at(
    bytes: &[u8],
    run: &Run,
    left: usize,
    from: usize,
    limit: usize,
) -> Option<(usize, usize)> {
    let groups = run.groups.len();
    for to in (from..window_end(run, from))
        .rev()
        .filter(|&to| window_ok(bytes, run, from, to))
    {
        let inside = run.separators.get(from..to).unwrap_or_default();
        let sizes: Vec<usize> = (from..=to).map(|g| run.len(g)).collect();
        // Digits grouped some other way are an order or reference number
        // ("123-4567890-1234567"), however their digits add up.
        if !usual_grouping(&sizes) {
            continue;
        }
        // A separator the card also uses inside does not set it apart.
        let joins = |at: usize| run.separators.get(at).is_some_and(|s| inside.contains(s));
        let (next, items) = absorb_groups(bytes, run, to + 1);
        let leftover = next < groups;
        // More digits joined the same way make one longer number when the
        // run goes on in fours (a tracking number grouped by four), unless
        // another card starts there. A shorter number after a card is
        // something else ("…1111\n2 charges", "…1111 12 26", "…1111 10 EUR").
        let followed_by_card = leftover && has_window(bytes, run, next);
        let longer = leftover && !followed_by_card && run.len(to + 1) == 4;
        if longer && joins(next - 1) {
            continue;
        }
        // Inside a run, a card must end it (or be followed by another card),
        // after digits grouped otherwise ("ref 123 4111 1111 1111 1111"): more
        // fours before it are one longer number. Right after another card
        // (`left`) counts as the start of the run: the redacted text shows a
        // tag there.
        if from > left && joins(from - 1) {
            let more_fours = (left..from).all(|g| run.len(g) == 4);
            if longer || more_fours {
                continue;
            }
        }
        let last = next - 1;
        let mut end = run.groups.get(last).map_or(0, |g| g.1);
        if !leftover && items < 2 {
            end = absorb_text(bytes, end, limit, 2 - items);
        }
        return Some((last, end));
    }
    None
}

/// Whether the digits between `start` and `end` sit in a code that mixes
/// letters and digits on one side ("1Z999AA1…", "…4784AB12"): a tracking or
/// reference number. Letters alone around a card ("card4111…", "…1111abc")
/// do not make it a code, nor does a lone "x" (a phone extension, "…3560x4587").
/// Earlier findings read as their tags.
fn part_of_a_code(bytes: &[u8], claims: &Claims, start: usize, end: usize) -> bool {
    let seen = |at: usize| {
        if claims.covering(at).is_some() {
            None
        } else {
            bytes.get(at).copied()
        }
    };
    let letter = |at: usize| seen(at).is_some_and(|b| b.is_ascii_alphabetic());
    let digit = |at: usize| seen(at).is_some_and(|b| b.is_ascii_digit());
    let lone_x = |from: usize, to: usize| {
        bytes
            .get(from..to)
            .is_some_and(|l| l.eq_ignore_ascii_case(b"x"))
    };
    // A word that introduces a security code or an expiry ("…1111cvv123").
    let is_tail_word = |from: usize, to: usize| {
        bytes
            .get(from..)
            .and_then(tail_word)
            .is_some_and(|length| from + length >= to)
    };
    let mut from = start;
    while from > 0 && letter(from - 1) {
        from -= 1;
    }
    let code_before = from < start && from > 0 && digit(from - 1) && !lone_x(from, start);
    let mut to = end;
    while letter(to) {
        to += 1;
    }
    let code_after = to > end && digit(to) && !lone_x(end, to) && !is_tail_word(end, to);
    code_before || code_after
}

pub(super) fn scan(bytes: &[u8], claims: &mut Claims) {
    let mut at = 0;
    while at < bytes.len() {
        // Shape first: a byte that cannot start a card is passed over alike
        // inside or outside a claim (no search of the claims).
        let starts = bytes[at].is_ascii_digit() && (at == 0 || !bytes[at - 1].is_ascii_digit());
        if !starts {
            at += 1;
            continue;
        }
        if let Some(end) = claims.covering(at) {
            at = end.max(at + 1);
            continue;
        }
        let limit = claims.next_start(at, bytes.len());
        // A form's value ("card=4111+1111…", "cc%3D4111+…" folded, "q=card+no.+4111+…"):
        // a `+` between its digits is an encoded space (and not a sum,
        // "7997+5866", nor a plus after a space).
        let plus_joins = at > 0
            && (bytes[at - 1] == b'='
                || bytes[at - 1] == b'+'
                    && at >= 2
                    && !bytes[at - 2].is_ascii_digit()
                    && !bytes[at - 2].is_ascii_whitespace());
        let run = read_run(bytes, at, limit, plus_joins);
        let run_end = run.groups.last().map_or(at, |g| g.1);
        // "+49 30…" starts an international phone number; a card can only
        // start after its first group. Not past 15 digits, the most a phone
        // number has (E.164): "+4111 1111 1111 1111" is a card, unless its
        // first group is longer than a card's ("+447911123456 2024"). Nor
        // when the digits are grouped by `+` (a form's value) or in a card's
        // fours ("+4111.1111.1111.1": no country code has four digits), or
        // when the `+` is glued to a word ("card+3782…", form-encoded): there
        // a Luhn-valid phone number ("Tel+49…", one in ten) reads as a card.
        let digits: usize = run.groups.iter().map(|(s, e)| e - s).sum();
        let plus_separated = run.separators.contains(&Separator::Plus);
        let phone = at > 0
            && bytes[at - 1] == b'+'
            && !(at >= 2 && bytes[at - 2].is_ascii_alphabetic())
            && !plus_separated
            && if digits <= 15 {
                !(run.len(0) == 4 && run.groups.len() >= 3)
            } else {
                (5..=15).contains(&run.len(0))
            };
        let code = part_of_a_code(bytes, claims, at, run_end);
        // "…3560x4587 4111…": the first group is a phone extension, which the
        // phone scanner takes; a card can only start after it.
        let extension = at >= 2
            && matches!(bytes[at - 1], b'x' | b'X')
            && bytes[at - 2].is_ascii_digit()
            && claims.covering(at - 2).is_none();
        let mut group = usize::from(extension || phone);
        let mut left = usize::from(extension);
        while !code && group < run.groups.len() {
            match card_at(bytes, &run, left, group, limit) {
                Some((last, end)) => {
                    claims.add(PiiKind::Card, run.groups[group].0, end);
                    group = last + 1;
                    left = group;
                }
                None => group += 1,
            }
        }
        at = run_end.max(at + 1);
    }
}
