//! Where a person is in the staff console, written in its address's fragment:
//! `#/inbox`, `#/inbox/<conversation id>`, `#/insights`, `#/settings`. A
//! reload keeps the page and the open conversation, back and forward step
//! between conversations opened, and a copied address opens the same
//! conversation for a colleague once they sign in. The fragment never
//! reaches the worker, and whether the conversation may be seen is still
//! the API's decision.

use alloc::format;
use alloc::string::{String, ToString};

/// The console's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Inbox,
    Insights,
    Settings,
}

/// A place in the console: a page, and on the inbox the open conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleLink {
    pub page: Page,
    pub conversation: Option<String>,
}

/// Longest conversation id a link carries (ids are 32 characters today).
const MAX_ID: usize = 64;

/// Whether `id` could be a conversation id: 1–64 characters of the URL-safe
/// alphabet, so nothing else from an edited address reaches a request path.
fn is_conversation_id(id: &str) -> bool {
    (1..=MAX_ID).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl ConsoleLink {
    /// The place a fragment names (with or without its `#`). Anything else —
    /// empty, unknown, an id that cannot be one — is the inbox, with nothing open.
    pub fn parse(fragment: &str) -> ConsoleLink {
        let path = fragment.trim_start_matches('#').trim_start_matches('/');
        let mut parts = path.splitn(2, '/');
        let page = match parts.next().unwrap_or_default() {
            "insights" => Page::Insights,
            "settings" => Page::Settings,
            _ => Page::Inbox,
        };
        let conversation = parts
            .next()
            .map(|id| id.trim_end_matches('/'))
            .filter(|id| page == Page::Inbox && is_conversation_id(id))
            .map(ToString::to_string);
        ConsoleLink { page, conversation }
    }

    /// The fragment for this place, with its `#`. A conversation is written
    /// only on the inbox, where it is shown.
    pub fn fragment(&self) -> String {
        match (self.page, &self.conversation) {
            (Page::Inbox, Some(id)) if is_conversation_id(id) => format!("#/inbox/{id}"),
            (Page::Inbox, _) => "#/inbox".to_string(),
            (Page::Insights, _) => "#/insights".to_string(),
            (Page::Settings, _) => "#/settings".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(page: Page, conversation: Option<&str>) -> ConsoleLink {
        ConsoleLink {
            page,
            conversation: conversation.map(ToString::to_string),
        }
    }

    #[test]
    fn each_place_reads_back_from_its_own_fragment() {
        for place in [
            link(Page::Inbox, None),
            link(Page::Inbox, Some("0123456789abcdef0123456789abcdef")),
            link(Page::Inbox, Some("c_1-x")),
            link(Page::Insights, None),
            link(Page::Settings, None),
        ] {
            assert_eq!(ConsoleLink::parse(&place.fragment()), place);
        }
    }

    #[test]
    fn fragments_typed_by_hand_are_read_leniently() {
        let open = link(Page::Inbox, Some("abc"));
        for fragment in [
            "#/inbox/abc",
            "/inbox/abc",
            "inbox/abc",
            "#inbox/abc/",
            "#/inbox/abc/",
        ] {
            assert_eq!(ConsoleLink::parse(fragment), open, "{fragment}");
        }
        for fragment in ["", "#", "#/", "#/nowhere", "#/inbox/", "#/inbox//"] {
            assert_eq!(
                ConsoleLink::parse(fragment),
                link(Page::Inbox, None),
                "{fragment}"
            );
        }
        assert_eq!(
            ConsoleLink::parse("#/settings/x"),
            link(Page::Settings, None)
        );
    }

    #[test]
    fn an_id_that_cannot_be_one_opens_nothing_and_is_never_written() {
        let long = "a".repeat(MAX_ID + 1);
        for id in ["a b", "../staff/me", "a?b=c", "é", "a%2Fb", long.as_str()] {
            let fragment = format!("#/inbox/{id}");
            assert_eq!(ConsoleLink::parse(&fragment).conversation, None, "{id}");
            assert_eq!(link(Page::Inbox, Some(id)).fragment(), "#/inbox", "{id}");
        }
        assert!(is_conversation_id(&"a".repeat(MAX_ID)));
    }

    #[test]
    fn a_conversation_belongs_to_the_inbox_only() {
        assert_eq!(link(Page::Insights, Some("abc")).fragment(), "#/insights");
        assert_eq!(link(Page::Settings, Some("abc")).fragment(), "#/settings");
    }
}
