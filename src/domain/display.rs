//! How visitors' text is shown to people and exported: direction controls and
//! characters that draw nothing made visible (so "bidi \u{202e}gnp.exe\u{202c}"
//! cannot pass for "bidi exe.png", nor "pay\u{200b}pal.com" or
//! "pay\u{ad}pal.com" for "paypal.com"), and CSV cells that a spreadsheet
//! cannot run as formulas.

use std::borrow::Cow;

use super::text::draws_nothing;

/// A visible name for a character that would otherwise reorder or hide
/// text: the bidirectional embedding, override and isolate controls and
/// marks, and the C0/C1 control characters other than tab and newline.
fn control_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{202a}' => "LRE",
        '\u{202b}' => "RLE",
        '\u{202c}' => "PDF",
        '\u{202d}' => "LRO",
        '\u{202e}' => "RLO",
        '\u{2066}' => "LRI",
        '\u{2067}' => "RLI",
        '\u{2068}' => "FSI",
        '\u{2069}' => "PDI",
        '\u{200e}' => "LRM",
        '\u{200f}' => "RLM",
        '\u{061c}' => "ALM",
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => "CTRL",
        _ => return None,
    })
}

/// The name of a character that draws nothing (`text::draws_nothing`, the
/// one list the server's "must not be empty" check also reads): Unicode's
/// abbreviation or name where it is short, a tag character with the ASCII
/// it hides ("TAG h"), else its code point.
fn invisible_name(c: char) -> Cow<'static, str> {
    let code = u32::from(c);
    Cow::Borrowed(match c {
        '\u{00ad}' => "SHY",
        '\u{034f}' => "CGJ",
        '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' => "HANGUL FILLER",
        '\u{17b4}' | '\u{17b5}' => "KHMER INHERENT VOWEL",
        '\u{180e}' => "MVS",
        '\u{200b}' => "ZWSP",
        '\u{200c}' => "ZWNJ",
        '\u{200d}' => "ZWJ",
        '\u{2060}' => "WJ",
        '\u{2061}' => "FUNCTION APPLICATION",
        '\u{2062}' => "INVISIBLE TIMES",
        '\u{2063}' => "INVISIBLE SEPARATOR",
        '\u{2064}' => "INVISIBLE PLUS",
        '\u{feff}' => "ZWNBSP",
        '\u{e0001}' => "LANGUAGE TAG",
        '\u{e0020}' => "TAG SPACE",
        '\u{e007f}' => "CANCEL TAG",
        '\u{180b}'..='\u{180d}' => return Cow::Owned(format!("FVS{}", code - 0x180a)),
        '\u{180f}' => "FVS4",
        '\u{fe00}'..='\u{fe0f}' => return Cow::Owned(format!("VS{}", code - 0xfdff)),
        '\u{e0100}'..='\u{e01ef}' => return Cow::Owned(format!("VS{}", code - 0xe00ef)),
        '\u{e0021}'..='\u{e007e}' => {
            let ascii = char::from_u32(code - 0xe0000).unwrap_or('?');
            return Cow::Owned(format!("TAG {ascii}"));
        }
        _ => return Cow::Owned(format!("U+{code:04X}")),
    })
}

/// Whether `c` draws something of its own: not ASCII (which needs no
/// joiner or selector), white space, a control or a character that draws
/// nothing.
fn draws(c: char) -> bool {
    !c.is_ascii() && !c.is_whitespace() && control_name(c).is_none() && !draws_nothing(c)
}

/// A variation selector: picks a form of the character before it (emoji or
/// text style, a CJK or Mongolian variant).
fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{180b}'..='\u{180d}' | '\u{180f}' | '\u{fe00}'..='\u{fe0f}' | '\u{e0100}'..='\u{e01ef}')
}

/// Whether the tag character at byte `at` of `text` is part of a
/// subdivision flag ("🏴" and "gbsct" in tag characters, then the cancel
/// tag: a region of two letters or three digits, then one to four letters
/// or digits). Anywhere else tags only hide ASCII.
fn in_subdivision_flag(text: &str, at: usize) -> bool {
    let is_tag = |c: char| ('\u{e0020}'..='\u{e007f}').contains(&c);
    let Some(head) = text.get(..at) else {
        return false;
    };
    // A flag has at most 8 tags, so looking no further back than that (and
    // no further on) keeps a long run of tags linear.
    let mut start = at;
    let mut base = None;
    for (i, c) in head.char_indices().rev().take(8) {
        if !is_tag(c) {
            base = Some(c);
            break;
        }
        start = i;
    }
    if base != Some('\u{1f3f4}') {
        return false;
    }
    let spelled: String = text
        .get(start..)
        .unwrap_or_default()
        .chars()
        .take_while(|&c| is_tag(c))
        .take(9)
        .filter_map(|c| char::from_u32(u32::from(c) - 0xe0000))
        .collect();
    let Some(id) = spelled.strip_suffix('\u{7f}') else {
        return false;
    };
    let region = if id
        .get(..2)
        .is_some_and(|r| r.bytes().all(|b| b.is_ascii_lowercase()))
    {
        2
    } else if id
        .get(..3)
        .is_some_and(|r| r.bytes().all(|b| b.is_ascii_digit()))
    {
        3
    } else {
        return false;
    };
    let suffix = id.get(region..).unwrap_or_default();
    (1..=4).contains(&suffix.len())
        && suffix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The visible name of the character `c` at byte `at` of `text`, if it acts
/// unseen: a control (`control_name`) or any character that draws nothing
/// (`invisible_name`), except where it does work of its own:
/// - the zero-width joiners, the combining grapheme joiner and the
///   Mongolian vowel separator between two characters that draw (Persian
///   and the Indic scripts need them between letters, emoji sequences
///   between pictures: "👩‍👩‍👧"), so they are named beside ASCII, at an end
///   of the text or in a run of their own, where they only hide a break
///   ("pay\u{200d}pal");
/// - a variation selector right after a character that draws ("❤️", a CJK
///   variant) or in a keycap ("1️⃣"), so a second one in a row (data hidden
///   behind an emoji) or one after ASCII is named;
/// - tag characters in a subdivision flag (`in_subdivision_flag`).
fn unseen_name_at(text: &str, at: usize, c: char) -> Option<Cow<'static, str>> {
    if let Some(name) = control_name(c) {
        return Some(Cow::Borrowed(name));
    }
    if !draws_nothing(c) {
        return None;
    }
    let before = text.get(..at).and_then(|t| t.chars().next_back());
    let after = text.get(at + c.len_utf8()..).and_then(|t| t.chars().next());
    let at_work = match c {
        '\u{200c}' | '\u{200d}' | '\u{034f}' | '\u{180e}' => {
            // An emoji's presentation selector comes before its joiner
            // ("🏳️‍🌈"): one that is itself at work, after a character that
            // draws (a selector after ASCII is named, and so is this joiner).
            let selector_at_work = |b: char| {
                is_variation_selector(b)
                    && text
                        .get(..at.saturating_sub(b.len_utf8()))
                        .and_then(|t| t.chars().next_back())
                        .is_some_and(draws)
            };
            before.is_some_and(|b| draws(b) || selector_at_work(b)) && after.is_some_and(draws)
        }
        _ if is_variation_selector(c) => {
            let keycap = before.is_some_and(|b| matches!(b, '0'..='9' | '#' | '*'))
                && after == Some('\u{20e3}');
            keycap || before.is_some_and(draws)
        }
        '\u{e0020}'..='\u{e007f}' => in_subdivision_flag(text, at),
        _ => false,
    };
    (!at_work).then(|| invisible_name(c))
}

/// What staff read of a visitor's text: every direction control,
/// character that draws nothing (see `unseen_name_at`) and control
/// character replaced by its name in angle brackets ("⟨RLO⟩",
/// "pay⟨ZWSP⟩pal.com", "⟨TAG h⟩⟨TAG i⟩"). Render the result inside `<bdi>`
/// (or with `unicode-bidi: isolate`) so that right-to-left text still reads
/// right but cannot reorder what surrounds it.
pub fn visible_controls(text: &str) -> Cow<'_, str> {
    if !text
        .char_indices()
        .any(|(i, c)| unseen_name_at(text, i, c).is_some())
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, c) in text.char_indices() {
        match unseen_name_at(text, i, c) {
            Some(name) => {
                out.push('⟨');
                out.push_str(&name);
                out.push('⟩');
            }
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A signed number such as `-12`, `+3.5` or `-4.2%`: a spreadsheet reads it
/// as a number, never as a formula, so it is exported as it is.
fn is_signed_number(field: &str) -> bool {
    let unsigned = field.get(1..).unwrap_or_default();
    let unsigned = unsigned.strip_suffix('%').unwrap_or(unsigned);
    let mut parts = unsigned.split('.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
        && parts.next().is_none()
}

/// A CSV field: quoted, quotes doubled, and a cell a spreadsheet would read
/// as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return, or their full-width forms) prefixed with `'` so it stays text
/// (OWASP's advice for CSV injection). Signed numbers stay numbers.
pub fn csv_field(field: &str) -> String {
    let formula = field.starts_with([
        '=', '+', '-', '@', '\t', '\r', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}',
    ]) && !is_signed_number(field);
    let mut out = String::with_capacity(field.len() + 3);
    out.push('"');
    if formula {
        out.push('\'');
    }
    out.push_str(&field.replace('"', "\"\""));
    out.push('"');
    out
}

/// A CSV file (RFC 4180, CRLF line ends) with a header row.
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let line = |fields: &mut dyn Iterator<Item = &str>| {
        fields.map(csv_field).collect::<Vec<_>>().join(",")
    };
    let mut out = line(&mut header.iter().copied());
    for row in rows {
        out.push_str("\r\n");
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
}

/// Where to scroll a scroll area `view` pixels high, now at `scrolled`, so
/// that a box from `top` to `top + height` (in the area's content) is in
/// sight: unchanged when it already is, else the least move that shows it,
/// its top first when it is taller than the view.
pub fn scroll_to_show(top: i32, height: i32, scrolled: i32, view: i32) -> i32 {
    if top < scrolled || height > view {
        top
    } else if top + height > scrolled + view {
        top + height - view
    } else {
        scrolled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_controls_are_shown_by_name() {
        assert_eq!(
            visible_controls("bidi \u{202e}gnp.exe\u{202c}"),
            "bidi ⟨RLO⟩gnp.exe⟨PDF⟩"
        );
        assert_eq!(
            visible_controls("a\u{2067}b\u{2069}\u{200f}\u{1b}[31m"),
            "a⟨RLI⟩b⟨PDI⟩⟨RLM⟩⟨CTRL⟩[31m"
        );
    }

    #[test]
    fn zero_width_characters_are_shown_by_name_where_they_only_hide_a_break() {
        assert_eq!(visible_controls("pay\u{200b}pal.com"), "pay⟨ZWSP⟩pal.com");
        assert_eq!(
            visible_controls("\u{feff}pay\u{200d}pal\u{2060}.com\u{200c}"),
            "⟨ZWNBSP⟩pay⟨ZWJ⟩pal⟨WJ⟩.com⟨ZWNJ⟩"
        );
        assert_eq!(
            visible_controls("\u{200d}👩"),
            "⟨ZWJ⟩👩",
            "at an end: joins nothing"
        );
    }

    #[test]
    fn a_joiner_after_a_selector_out_of_place_is_named_with_it() {
        // A review: the selector after ASCII was named, the joiner after it not.
        let shown = visible_controls("x\u{fe0f}\u{200d}é");
        assert!(shown.contains("ZWJ"), "{shown}");
        assert!(!shown.contains('\u{200d}'), "{shown}");
        assert_eq!(
            visible_controls("🏳\u{fe0f}\u{200d}🌈"),
            "🏳\u{fe0f}\u{200d}🌈"
        );
    }

    #[test]
    fn ordinary_text_is_kept_as_it_is() {
        for text in [
            "hello",
            "line\nbreak\tand tab",
            "שלום עולם",
            "مرحبا",
            "👩‍👩‍👧 family",
            "🏳️‍🌈",
            // Emoji and text style, keycaps, a ZWJ sequence with selectors.
            "❤️ ☺︎ ©️",
            "#️⃣ 1️⃣ *️⃣",
            "👁️‍🗨️ 🏳️‍⚧️ 👩🏽‍💻",
            // Subdivision flags: England, Scotland, and a three-digit region.
            "🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f} 🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}",
            "🏴\u{e0030}\u{e0031}\u{e0039}\u{e0061}\u{e007f}",
            // A CJK ideographic variant; a Mongolian variant and vowel separator.
            "葛\u{e0100}",
            "\u{1821}\u{180b}\u{1828}\u{180e}\u{1820}",
            // Persian and Hindi need their joiners between letters.
            "می\u{200c}خواهم",
            "क्\u{200d}ष",
        ] {
            assert!(matches!(visible_controls(text), Cow::Borrowed(t) if t == text));
        }
    }

    #[test]
    fn every_character_that_draws_nothing_is_named_beside_ascii() {
        // One list: what the server refuses as an empty message is what
        // staff see by name.
        for c in (0..=0x10_ffff)
            .filter_map(char::from_u32)
            .filter(|&c| draws_nothing(c))
        {
            let shown = visible_controls(&format!("pay{c}pal")).into_owned();
            assert!(
                shown.starts_with("pay⟨") && shown.ends_with("⟩pal") && !shown.contains(c),
                "U+{:04X}: {shown}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn the_characters_the_audit_found_are_named() {
        assert_eq!(visible_controls("pay\u{ad}pal.com"), "pay⟨SHY⟩pal.com");
        assert_eq!(
            visible_controls("a\u{2061}b\u{2062}c\u{2063}d\u{2064}e"),
            "a⟨FUNCTION APPLICATION⟩b⟨INVISIBLE TIMES⟩c⟨INVISIBLE SEPARATOR⟩d⟨INVISIBLE PLUS⟩e"
        );
        assert_eq!(
            visible_controls("x\u{180e}y\u{34f}z\u{3164}\u{115f}\u{17b4}"),
            "x⟨MVS⟩y⟨CGJ⟩z⟨HANGUL FILLER⟩⟨HANGUL FILLER⟩⟨KHMER INHERENT VOWEL⟩"
        );
        assert_eq!(
            visible_controls("pay\u{fe0f}pal \u{fe00}\u{e01ef}"),
            "pay⟨VS16⟩pal ⟨VS1⟩⟨VS256⟩"
        );
        assert_eq!(visible_controls("\u{1d173}\u{fff0}"), "⟨U+1D173⟩⟨U+FFF0⟩");
    }

    #[test]
    fn tag_characters_are_named_with_what_they_hide_unless_they_spell_a_flag() {
        let hidden = |ascii: &str| -> String {
            ascii
                .chars()
                .filter_map(|c| char::from_u32(u32::from(c) + 0xe0000))
                .collect()
        };
        // A visitor name with a hidden word.
        assert_eq!(
            visible_controls(&format!("Ana{}", hidden("hi"))),
            "Ana⟨TAG h⟩⟨TAG i⟩"
        );
        assert_eq!(
            visible_controls(&format!("\u{e0001}{}\u{e007f}", hidden("en us"))),
            "⟨LANGUAGE TAG⟩⟨TAG e⟩⟨TAG n⟩⟨TAG SPACE⟩⟨TAG u⟩⟨TAG s⟩⟨CANCEL TAG⟩"
        );
        // After a black flag, but not a subdivision: too long, upper case,
        // no cancel tag, a region of one letter, no subdivision.
        for spelled in [
            "gbsctxyz\u{7f}",
            "GBSCT\u{7f}",
            "gbsct",
            "g\u{7f}",
            "gb\u{7f}",
        ] {
            let text = format!("🏴{}", hidden(spelled));
            let shown = visible_controls(&text);
            assert!(shown.starts_with("🏴⟨TAG "), "{spelled:?}: {shown}");
            assert!(
                !shown.contains(|c| ('\u{e0000}'..='\u{e0fff}').contains(&c)),
                "{shown}"
            );
        }
        let flag = format!("🏴{}", hidden("gbsct\u{7f}"));
        assert_eq!(visible_controls(&flag), flag.as_str());
        // More tags behind a flag: the whole run is named, the flag's too.
        let shown = visible_controls(&format!("{flag}{}", hidden("pwned\u{7f}"))).into_owned();
        assert_eq!(shown.matches("⟨TAG").count(), 5 + 5, "{shown}");
    }

    #[test]
    fn joiners_and_selectors_out_of_place_are_named() {
        // A run of joiners hides a break as well as one does.
        assert_eq!(visible_controls("é\u{200d}\u{200d}é"), "é⟨ZWJ⟩⟨ZWJ⟩é");
        // Selectors stacked behind an emoji can carry hidden data.
        assert_eq!(
            visible_controls("😀\u{fe0f}\u{e0100}\u{e0142}"),
            "😀\u{fe0f}⟨VS17⟩⟨VS83⟩"
        );
        // A keycap's selector only before the keycap mark.
        assert_eq!(visible_controls("1\u{fe0f}"), "1⟨VS16⟩");
        assert_eq!(visible_controls("\u{fe0f}❤"), "⟨VS16⟩❤");
    }

    /// Every character that acts unseen: draws nothing, or a control.
    fn unseen() -> Vec<char> {
        (0..=0x10_ffff)
            .filter_map(char::from_u32)
            .filter(|&c| draws_nothing(c) || control_name(c).is_some())
            .collect()
    }

    proptest::proptest! {
        /// Text of ASCII and characters that act unseen shows none of them
        /// raw: each is named, whatever its neighbours.
        #[test]
        fn nothing_unseen_is_left_among_ascii(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::char::range('!', '~'),
                    proptest::sample::select(unseen()),
                ],
                0..24,
            )
        ) {
            let text: String = parts.into_iter().collect();
            let shown = visible_controls(&text);
            proptest::prop_assert!(
                !shown.contains(|c| draws_nothing(c) || control_name(c).is_some()),
                "{text:?} -> {shown:?}"
            );
        }

        /// Emoji sequences, flags, variants and joined letters side by side
        /// are shown as they are.
        #[test]
        fn emoji_and_joined_letters_in_any_order_are_kept(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "👩‍👩‍👧", "🏳️‍🌈", "1️⃣", "#️⃣", "❤️", "☺︎", "👁️‍🗨️", "👩🏽‍💻",
                    "🏴\u{e0067}\u{e0062}\u{e0077}\u{e006c}\u{e0073}\u{e007f}", "🏴",
                    "می\u{200c}خواهم", "क्\u{200d}ष", "葛\u{e0100}", "abc", " ", "1",
                ]),
                0..12,
            )
        ) {
            let text = parts.concat();
            proptest::prop_assert!(matches!(visible_controls(&text), Cow::Borrowed(_)), "{text:?}");
        }
    }

    #[test]
    fn csv_cells_cannot_be_formulas() {
        let rows = vec![
            vec!["=HYPERLINK(\"http://x\")".to_owned(), "+A1".to_owned()],
            vec!["-2+3".to_owned(), "@SUM(A1)".to_owned()],
            vec!["\tx".to_owned(), "\rx".to_owned()],
            vec!["＝1+1".to_owned(), "plain, \"quoted\"".to_owned()],
        ];
        assert_eq!(
            csv(&["page", "count"], &rows),
            "\"page\",\"count\"\r\n\
             \"'=HYPERLINK(\"\"http://x\"\")\",\"'+A1\"\r\n\
             \"'-2+3\",\"'@SUM(A1)\"\r\n\
             \"'\tx\",\"'\rx\"\r\n\
             \"'＝1+1\",\"plain, \"\"quoted\"\"\""
        );
    }

    #[test]
    fn csv_keeps_ordinary_cells_as_they_are() {
        assert_eq!(csv_field("/pricing"), "\"/pricing\"");
        assert_eq!(csv_field("42"), "\"42\"");
        assert_eq!(csv_field(""), "\"\"");
        assert_eq!(csv_field("a=b"), "\"a=b\"");
        assert_eq!(csv_field("-12"), "\"-12\"");
        assert_eq!(csv_field("+3.5"), "\"+3.5\"");
        assert_eq!(csv_field("-4.2%"), "\"-4.2%\"");
        // Not plain numbers: a formula could hide behind them.
        assert_eq!(csv_field("-1+1"), "\"'-1+1\"");
        assert_eq!(csv_field("-1.2.3"), "\"'-1.2.3\"");
        assert_eq!(csv_field("-"), "\"'-\"");
        assert_eq!(csv_field("+1e5"), "\"'+1e5\"");
    }

    #[test]
    fn a_box_in_sight_stays_put_and_one_out_of_it_moves_the_least() {
        // In sight: no move.
        assert_eq!(scroll_to_show(40, 80, 0, 120), 0);
        assert_eq!(scroll_to_show(40, 80, 30, 120), 30);
        // Below the view (a header grew above it): just enough to show its bottom.
        assert_eq!(scroll_to_show(42, 83, 0, 105), 20);
        // Above the view: its top.
        assert_eq!(scroll_to_show(10, 50, 40, 120), 10);
        // Taller than the view: its top, where the text being typed starts.
        assert_eq!(scroll_to_show(42, 200, 0, 105), 42);
        assert_eq!(scroll_to_show(42, 200, 100, 105), 42);
    }
}
