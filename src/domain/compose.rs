//! The staff console's reply box, one draft per conversation: what stays of
//! a draft once the reply sent from it is stored, and how its length stands
//! against the message limit (said before sending, not refused after).

use super::conversation::MAX_MESSAGE_CHARS;

/// What remains of `draft` once `sent` (the draft as it was sent, trimmed)
/// is stored: what was typed after it while it was on its way. A draft that
/// no longer starts with what was sent (edited meanwhile) is kept whole:
/// nothing the person typed is thrown away, and the thread shows what went.
pub fn unsent_rest<'a>(draft: &'a str, sent: &str) -> &'a str {
    match draft.trim_start().strip_prefix(sent) {
        Some(rest) => rest.trim_start(),
        None => draft,
    }
}

/// From how many characters the reply box counts them.
pub const COUNT_FROM: usize = MAX_MESSAGE_CHARS * 9 / 10;

/// A draft's length as the reply box shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// Well within the limit: nothing shown.
    Fine,
    /// Near the limit: the count is shown.
    Near(usize),
    /// Over it: the count is shown and Send is off (the worker would refuse it).
    Over(usize),
}

/// The length of the reply `draft` would send: its characters once trimmed,
/// as the worker's `check_text` counts them. (The worker counts a redaction
/// tag such as `[email]` as one; a reply a person types holds none, and one
/// that did would only be counted longer here, never let through too long.)
pub fn reply_length(draft: &str) -> Length {
    match draft.trim().chars().count() {
        n if n > MAX_MESSAGE_CHARS => Length::Over(n),
        n if n >= COUNT_FROM => Length::Near(n),
        _ => Length::Fine,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::conversation::check_text;

    #[test]
    fn a_stored_reply_leaves_what_was_typed_after_it() {
        assert_eq!(unsent_rest("Thanks!", "Thanks!"), "");
        assert_eq!(unsent_rest("  Thanks! \n", "Thanks!"), "");
        assert_eq!(
            unsent_rest("Thanks!\nAnd one more thing", "Thanks!"),
            "And one more thing"
        );
        // Edited while on its way: kept whole, nothing typed is lost.
        assert_eq!(unsent_rest("Thank you!", "Thanks!"), "Thank you!");
        assert_eq!(unsent_rest("", "Thanks!"), "");
    }

    #[test]
    fn the_length_is_counted_near_the_limit_and_refused_as_the_worker_does() {
        assert_eq!(reply_length("hello"), Length::Fine);
        assert_eq!(reply_length(&"a".repeat(COUNT_FROM - 1)), Length::Fine);
        assert_eq!(
            reply_length(&"a".repeat(COUNT_FROM)),
            Length::Near(COUNT_FROM)
        );
        let limit = "é".repeat(MAX_MESSAGE_CHARS);
        assert_eq!(
            reply_length(&format!("  {limit}\n")),
            Length::Near(MAX_MESSAGE_CHARS)
        );
        assert!(check_text("text", limit.trim()).is_ok());
        let over = "a".repeat(MAX_MESSAGE_CHARS + 1);
        assert_eq!(reply_length(&over), Length::Over(MAX_MESSAGE_CHARS + 1));
        assert!(
            check_text("text", &over).is_err(),
            "the worker refuses what Send refuses"
        );
    }
}
