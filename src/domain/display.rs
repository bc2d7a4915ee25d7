//! How visitors' text is shown to people and exported: direction controls and
//! zero-width characters made visible (so "bidi \u{202e}gnp.exe\u{202c}"
//! cannot pass for "bidi exe.png", nor "pay\u{200b}pal.com" for
//! "paypal.com"), and CSV cells that a spreadsheet cannot run as formulas.

use std::borrow::Cow;

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

/// The visible name of the character `c` at byte `at` of `text`, if it acts
/// unseen: a control (`control_name`), the zero-width space, word joiner
/// and no-break space (byte-order mark), and the zero-width joiners where
/// they join nothing. Those have work between letters of the scripts that
/// use them (Persian, the Indic scripts) and inside emoji sequences
/// ("👩‍👩‍👧"), so they are named only beside ASCII or at an end of the
/// text, where they only hide a break ("pay\u{200d}pal").
fn unseen_name_at(text: &str, at: usize, c: char) -> Option<&'static str> {
    let joiner = match c {
        '\u{200b}' => return Some("ZWSP"),
        '\u{2060}' => return Some("WJ"),
        '\u{feff}' => return Some("ZWNBSP"),
        '\u{200c}' => "ZWNJ",
        '\u{200d}' => "ZWJ",
        _ => return control_name(c),
    };
    let joins = |side: Option<char>| side.is_some_and(|s| !s.is_ascii());
    let before = text.get(..at).and_then(|t| t.chars().next_back());
    let after = text.get(at + c.len_utf8()..).and_then(|t| t.chars().next());
    (!(joins(before) && joins(after))).then_some(joiner)
}

/// What staff read of a visitor's text: every direction control,
/// zero-width character (see `unseen_name_at`) and control character
/// replaced by its name in angle brackets ("⟨RLO⟩", "pay⟨ZWSP⟩pal.com").
/// Render the result inside `<bdi>` (or with `unicode-bidi: isolate`) so
/// that right-to-left text still reads right but cannot reorder what
/// surrounds it.
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
                out.push_str(name);
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
    fn ordinary_text_is_kept_as_it_is() {
        for text in [
            "hello",
            "line\nbreak\tand tab",
            "שלום עולם",
            "مرحبا",
            "👩‍👩‍👧 family",
            "🏳️‍🌈",
            // Persian and Hindi need their joiners between letters.
            "می\u{200c}خواهم",
            "क्\u{200d}ष",
        ] {
            assert!(matches!(visible_controls(text), Cow::Borrowed(t) if t == text));
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
