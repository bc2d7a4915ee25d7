//! Saved replies: answers a site's admins keep for their staff to start
//! from. A person picks one in the reply box by its shortcut (`/refund`),
//! reads it and changes what the visitor's case needs, then sends it as
//! their own reply: nothing is ever sent without a person. A reply kept for
//! one team is offered only in that team's conversations.

use serde::{Deserialize, Serialize};

use super::api::ApiError;

/// The most saved replies a site keeps.
pub const SAVED_REPLIES_MAX: i64 = 200;

/// The longest shortcut, in characters.
pub const SHORTCUT_MAX: usize = 32;

/// A saved reply as the API and the console read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedReply {
    /// What is typed after `/` to find it: `refund-policy`.
    pub shortcut: String,
    pub text: String,
    /// The team whose conversations it is offered in; empty: every team's.
    #[serde(default)]
    pub team: String,
    /// When it was last saved (ms since the epoch).
    #[serde(default)]
    pub updated_at: i64,
}

/// `GET /v1/staff/saved-replies`: the site's saved replies, by shortcut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedReplies {
    pub saved_replies: Vec<SavedReply>,
}

/// The body of `PUT /v1/admin/sites/{site}/saved-replies/{shortcut}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedReplyBody {
    pub text: String,
    /// One of the site's teams, or empty: every team. Left out, a saved
    /// reply keeps the team it has (a new one is for every team), as a
    /// team's or a site's fields left out are kept.
    #[serde(default)]
    pub team: Option<String>,
}

// How the console reads them (field lists, `json_text`).
crate::domain::json_text::from_json! {
    SavedReply { shortcut, text, #[default] team, #[default] updated_at }
    SavedReplies { saved_replies }
}

/// A shortcut: 1 to 32 of a–z, 0–9, `-` and `_`, starting with a letter or
/// digit, so it reads the same typed after `/` in any reply box.
pub fn check_shortcut(shortcut: &str) -> Result<(), ApiError> {
    let mut bytes = shortcut.bytes();
    let first = bytes.next();
    let valid = first.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && shortcut.len() <= SHORTCUT_MAX
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(ApiError::InvalidRequest(
            "shortcut must be 1 to 32 of a-z, 0-9, - and _, starting with a letter or digit".into(),
        ))
    }
}

/// A saved reply's text: what a reply may be (not blank, at most 4,000
/// characters), without direction overrides or control characters other
/// than line breaks and tabs.
pub fn check_text(text: &str) -> Result<(), ApiError> {
    super::conversation::check_text("text", text)?;
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n' && c != '\t' && c != '\r')
            || super::conversation::is_direction_override(c)
    };
    if text.contains(unsafe_char) {
        return Err(ApiError::InvalidRequest(
            "text must not hold control or direction-override characters".into(),
        ));
    }
    Ok(())
}

/// The text to put in the reply box: `{visitor}` becomes the visitor's
/// first name and `{me}` the staff member's. Without a name, `{visitor}`
/// goes with the spaces and commas before it ("Hi {visitor}," reads "Hi,",
/// "Thanks, {visitor}!" reads "Thanks!").
pub fn filled(text: &str, visitor_name: &str, my_name: &str) -> String {
    let first = |name: &str| {
        name.split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let visitor = first(visitor_name);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        if let Some(tail) = after.strip_prefix("{visitor}") {
            if visitor.is_empty() {
                let kept = out.trim_end_matches([' ', ',']).len();
                out.truncate(kept);
            } else {
                out.push_str(&visitor);
            }
            rest = tail;
        } else if let Some(tail) = after.strip_prefix("{me}") {
            out.push_str(&first(my_name));
            rest = tail;
        } else {
            out.push('{');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The shortcut being typed at the start of a reply box (`/ref` → `ref`),
/// while it is only that: a `/` later in a reply, or after a space, is text.
pub fn typed_shortcut(draft: &str) -> Option<&str> {
    let typed = draft.strip_prefix('/')?;
    typed
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        .then_some(typed)
}

/// The saved replies a typed shortcut offers in a conversation of `team`,
/// best first: those whose shortcut starts with it, then those whose
/// shortcut or text holds it (A–Z in either case: a shortcut is typed in
/// those), each in shortcut order; at most `limit`. Replies kept for
/// another team are not offered.
pub fn matching<'a>(
    replies: &'a [SavedReply],
    typed: &str,
    team: &str,
    limit: usize,
) -> Vec<&'a SavedReply> {
    let typed = typed.to_ascii_lowercase();
    let offered = || {
        replies
            .iter()
            .filter(|r| r.team.is_empty() || r.team == team)
    };
    let starts = offered().filter(|r| r.shortcut.starts_with(&typed));
    let holds = offered().filter(|r| {
        !r.shortcut.starts_with(&typed)
            && (r.shortcut.contains(&typed) || r.text.to_ascii_lowercase().contains(&typed))
    });
    starts.chain(holds).take(limit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(shortcut: &str, text: &str) -> SavedReply {
        SavedReply {
            shortcut: shortcut.into(),
            text: text.into(),
            team: String::new(),
            updated_at: 0,
        }
    }

    #[test]
    fn a_shortcut_is_short_lower_case_letters_digits_dashes_and_underscores() {
        for good in [
            "refund",
            "a",
            "2fa",
            "late-parcel",
            "vat_id",
            &"x".repeat(32),
        ] {
            assert!(check_shortcut(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Refund",
            "-late",
            "_x",
            "late parcel",
            "é",
            "a/b",
            "x%20",
            &"x".repeat(33),
        ] {
            assert!(
                matches!(check_shortcut(bad), Err(ApiError::InvalidRequest(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_text_is_what_a_reply_may_be() {
        assert!(check_text("Hi {visitor},\n\tthanks for writing.").is_ok());
        assert!(check_text(&"é".repeat(4000)).is_ok());
        for bad in ["", "  \n ", &"x".repeat(4001), "a\u{202e}b", "bell\u{7}"] {
            assert!(
                matches!(check_text(bad), Err(ApiError::InvalidRequest(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn names_fill_the_placeholders_and_a_missing_name_leaves_no_gap() {
        let text = "Hi {visitor}, this is {me}. {unknown} stays; so does a lone {";
        assert_eq!(
            filled(text, "Märta Quist", "Ana Weber"),
            "Hi Märta, this is Ana. {unknown} stays; so does a lone {"
        );
        assert_eq!(
            filled(text, "", "Ana Weber"),
            "Hi, this is Ana. {unknown} stays; so does a lone {"
        );
        assert_eq!(filled("{visitor}", "  ", ""), "");
        assert_eq!(filled("Thanks {visitor}!", "Bo", ""), "Thanks Bo!");
        assert_eq!(filled("Thanks, {visitor}!", "", ""), "Thanks!");
        assert_eq!(filled("Thanks, {visitor}!", "Bo", ""), "Thanks, Bo!");
        // A name is put in once, never read for placeholders itself.
        assert_eq!(filled("{visitor}", "{me}", "Ana"), "{me}");
    }

    #[test]
    fn a_shortcut_is_typed_at_the_start_of_the_box_only() {
        assert_eq!(typed_shortcut("/"), Some(""));
        assert_eq!(typed_shortcut("/ref"), Some("ref"));
        assert_eq!(typed_shortcut("/late-parcel_2"), Some("late-parcel_2"));
        for text in ["", "ref", "see /ref", "/ref ", "/ref\n", "//"] {
            assert_eq!(typed_shortcut(text), None, "{text:?}");
        }
    }

    #[test]
    fn matches_come_by_shortcut_first_then_by_what_they_hold() {
        let replies = [
            reply("delivery-times", "Parcels take 2-4 days."),
            reply("refund", "Refunds take 5 days."),
            reply("refund-late", "Sorry, your refund is late."),
            reply("vat", "Prices include VAT."),
        ];
        let shortcuts = |typed: &str, limit| {
            matching(&replies, typed, "support", limit)
                .iter()
                .map(|r| r.shortcut.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            shortcuts("", 10),
            ["delivery-times", "refund", "refund-late", "vat"]
        );
        assert_eq!(shortcuts("ref", 10), ["refund", "refund-late"]);
        assert_eq!(shortcuts("REF", 10), ["refund", "refund-late"]);
        assert_eq!(shortcuts("late", 10), ["refund-late"]);
        assert_eq!(shortcuts("days", 10), ["delivery-times", "refund"]);
        assert_eq!(shortcuts("", 2), ["delivery-times", "refund"]);
        assert!(shortcuts("nothing", 10).is_empty());
    }

    #[test]
    fn a_reply_kept_for_a_team_is_offered_in_that_teams_conversations_only() {
        let mut refund = reply("refund", "Refunds take 5 days.");
        refund.team = "billing".into();
        let replies = [
            reply("hello", "Hi {visitor}!"),
            refund,
            reply("return", "Returns are free."),
        ];
        let shortcuts = |typed: &str, team: &str| {
            matching(&replies, typed, team, 10)
                .iter()
                .map(|r| r.shortcut.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(shortcuts("re", "billing"), ["refund", "return"]);
        assert_eq!(shortcuts("re", "support"), ["return"]);
        assert_eq!(shortcuts("", "support"), ["hello", "return"]);
        // Found by its text too, in its team only.
        assert_eq!(shortcuts("days", "billing"), ["refund"]);
        assert!(shortcuts("days", "").is_empty());
    }
}
