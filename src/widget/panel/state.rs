//! The panel's state, changed only through `Action`s (a Yew reducer).

use std::rc::Rc;

use wasm_bindgen::JsValue;
use yew::Reducible;

use crate::domain::contact::{self, Presence, SiteState};
use crate::domain::conversation::{ReplyInput, ReplyPreference, THREAD_PAGE};
use crate::widget::answers::{Poll, Started, ThreadMessage};
use crate::widget::session::Session;

/// How the visitor wants to hear back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    Here,
    Email,
    Phone,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PanelState {
    pub open: bool,
    /// Shared, not copied, by each new state and by the components.
    pub site: Option<Rc<SiteState>>,
    pub session: Option<Session>,
    pub messages: Vec<ThreadMessage>,
    pub status: String,
    pub poll_ms: u32,
    pub draft: String,
    pub team_choice: Option<String>,
    pub reply: ReplyKind,
    /// Whether the visitor picked the reply channel (else it follows the
    /// presence the panel shows: `reply_kind`).
    pub reply_chosen: bool,
    pub email: String,
    pub phone: String,
    pub window_from: String,
    pub window_to: String,
    pub sending: bool,
    pub error: Option<String>,
    /// The reply input the last refusal was about: marked and focused.
    pub invalid: Option<ReplyInput>,
    /// The conversation's team, as the worker last said (routed, or moved
    /// by staff): the header shows that team's presence.
    pub team: Option<String>,
    pub deleted: bool,
    /// "Delete conversation" was pressed once: the next press deletes.
    pub delete_armed: bool,
    /// The last message went to the site's own endpoint (or its page took it).
    pub delivered: bool,
    /// Staff messages that arrived while the panel was closed.
    pub unread: u32,
    /// The newest staff message the visitor has seen: shown in the open
    /// panel on this page, or read before as far as the worker says.
    pub seen_staff: i64,
    /// The newest staff message, for the page's `on('message')` listeners.
    pub last_staff_message: Option<ThreadMessage>,
    /// Whether the conversation's live socket is open (issue 18).
    pub live: bool,
    /// Pushes received: each one fetches what came after the cursor at once.
    pub rings: u32,
    /// The first name of the staff member typing now.
    pub typing: Option<String>,
}

pub enum Action {
    Availability(SiteState),
    Draft(String),
    Team(Option<String>),
    Reply(ReplyKind),
    Email(String),
    Phone(String),
    WindowFrom(String),
    WindowTo(String),
    Sending,
    Started(Session, Started),
    Sent(ThreadMessage),
    Polled(Poll),
    /// Why a send failed, and the reply input it was about, if any.
    Failed(String, Option<ReplyInput>),
    SessionGone,
    /// A verified visitor's conversation from another device.
    Resumed(Session),
    /// A press of "Delete conversation". Deleting cannot be undone, so the
    /// first press asks; the next one answers (the panel deletes) and takes
    /// the question down, so a third press while the DELETE is on its way
    /// asks again rather than sending another. Anything else the visitor
    /// does takes the question back.
    DeletePressed,
    Deleted,
    /// The message left by the site's endpoint or its `beforeSend`: no thread.
    Delivered,
    Open,
    Close,
    Live(bool),
    Rang,
    Typing(Option<String>),
}

impl PanelState {
    /// The state of a panel with `session` going on; `email_only` for a
    /// site's own endpoint, which answers by e-mail.
    pub fn new(session: Option<Session>, open: bool, email_only: bool) -> Self {
        PanelState {
            open,
            site: None,
            session,
            messages: Vec::new(),
            status: String::new(),
            poll_ms: 3000,
            draft: String::new(),
            team_choice: None,
            reply: if email_only {
                ReplyKind::Email
            } else {
                ReplyKind::Here
            },
            reply_chosen: email_only,
            email: String::new(),
            phone: String::new(),
            window_from: String::new(),
            window_to: String::new(),
            sending: false,
            error: None,
            invalid: None,
            team: None,
            deleted: false,
            delete_armed: false,
            delivered: false,
            unread: 0,
            seen_staff: 0,
            last_staff_message: None,
            live: false,
            rings: 0,
            typing: None,
        }
    }

    /// The reply channel shown and sent: the visitor's choice, else the
    /// e-mail path first when nobody can answer (`presence`: the team the
    /// draft will reach, or the site before a draft; `None` until known).
    pub fn reply_kind(&self, presence: Option<&Presence>) -> ReplyKind {
        if !self.reply_chosen && presence.is_some_and(contact::suggest_offline_path) {
            ReplyKind::Email
        } else {
            self.reply
        }
    }

    /// The reply preference to send for `kind` (`reply_kind`); `None` when
    /// the callback window is incomplete.
    pub fn reply_preference(&self, kind: ReplyKind) -> Option<ReplyPreference> {
        match kind {
            ReplyKind::Here => Some(ReplyPreference::Here),
            ReplyKind::Email => Some(ReplyPreference::Email {
                email: self.email.trim().to_owned(),
            }),
            ReplyKind::Phone => {
                // datetime-local values are the visitor's local time, as Date reads them.
                let at = |value: &str| js_sys::Date::new(&JsValue::from_str(value)).get_time();
                let (from, to) = (at(&self.window_from), at(&self.window_to));
                if from.is_nan() || to.is_nan() {
                    return None;
                }
                Some(ReplyPreference::Phone {
                    phone: self.phone.trim().to_owned(),
                    from: from as i64,
                    to: to as i64,
                })
            }
        }
    }

    /// The id of the newest staff message in the thread (0: none).
    fn newest_staff(&self) -> i64 {
        self.messages
            .iter()
            .rev()
            .find(|m| m.author == "staff")
            .map_or(0, |m| m.id)
    }

    /// Adds the messages not yet known, keeping the thread in id order (each
    /// goes in at its place: no sort is linked into the widget for this).
    fn merge(&mut self, messages: Vec<ThreadMessage>) {
        for message in messages {
            if let Err(at) = self.messages.binary_search_by_key(&message.id, |m| m.id) {
                self.messages.insert(at, message);
            }
        }
    }
}

impl Reducible for PanelState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        // What the page or the worker does (a poll, a push) leaves the
        // question standing; what the visitor does answers it.
        if !matches!(
            action,
            Action::Polled(_)
                | Action::Rang
                | Action::Typing(_)
                | Action::Live(_)
                | Action::Availability(_)
        ) {
            next.delete_armed = false;
        }
        match action {
            Action::DeletePressed => next.delete_armed = !self.delete_armed,
            Action::Availability(site) => next.site = Some(Rc::new(site)),
            Action::Draft(text) => next.draft = text,
            Action::Team(team) => next.team_choice = team,
            Action::Reply(kind) => {
                next.reply = kind;
                next.reply_chosen = true;
            }
            Action::Email(value) => {
                // Writing an address is choosing the e-mail path: it stays
                // when the draft's team or its presence changes.
                next.email = value;
                next.reply = ReplyKind::Email;
                next.reply_chosen = true;
            }
            Action::Phone(value) => next.phone = value,
            Action::WindowFrom(value) => next.window_from = value,
            Action::WindowTo(value) => next.window_to = value,
            Action::Sending => {
                next.sending = true;
                next.error = None;
                next.invalid = None;
                next.delivered = false;
            }
            Action::Delivered => {
                next.draft.clear();
                next.sending = false;
                next.delivered = true;
            }
            Action::Started(session, started) => {
                next.session = Some(session);
                next.team = started.team;
                next.poll_ms = started.poll_interval_ms;
                next.merge(vec![started.message]);
                next.draft.clear();
                next.sending = false;
                next.deleted = false;
            }
            Action::Sent(message) => {
                next.merge(vec![message]);
                next.draft.clear();
                next.sending = false;
            }
            Action::Polled(poll) => {
                let known: Vec<i64> = next.messages.iter().map(|m| m.id).collect();
                // Polls overlap (a push, opening, closing each start one):
                // one that left before the newest message known here counts
                // unread replies as they were then, so its count is passed by.
                let current = poll.cursor >= known.last().copied().unwrap_or(0);
                let unread = poll.unread;
                // Only a reply the visitor has not read is news: the thread
                // loaded on a new page holds replies read before, and a full
                // page is history still loading (the newest come next).
                let news = unread > 0 && poll.messages.len() < THREAD_PAGE;
                if let Some(staff) = poll
                    .messages
                    .iter()
                    .rev()
                    .find(|m| news && m.author == "staff" && !known.contains(&m.id))
                {
                    next.last_staff_message = Some(staff.clone());
                    next.typing = None;
                }
                next.poll_ms = poll.poll_interval_ms;
                next.status = poll.status;
                next.team = poll.team;
                next.merge(poll.messages);
                if next.open || (current && unread == 0) {
                    next.seen_staff = next.seen_staff.max(next.newest_staff());
                }
                // Replies are marked read only while the panel is open, so
                // the worker's count is what this visitor has not seen, on
                // this page or an earlier one; what was seen here, with its
                // read mark still on the way, is not news.
                if current && !next.open {
                    let seen = next.seen_staff;
                    let not_seen_here = next
                        .messages
                        .iter()
                        .filter(|m| m.author == "staff" && m.id > seen)
                        .count();
                    next.unread = unread.min(u32::try_from(not_seen_here).unwrap_or(u32::MAX));
                }
            }
            Action::Failed(message, input) => {
                next.sending = false;
                next.error = Some(message);
                next.invalid = input;
            }
            Action::Live(open) => next.live = open,
            Action::Rang => next.rings = next.rings.wrapping_add(1),
            Action::Typing(name) => next.typing = name,
            Action::Resumed(session) => {
                if next.session.is_none() {
                    next.session = Some(session);
                }
            }
            Action::SessionGone => {
                next.session = None;
                next.team = None;
                next.messages.clear();
            }
            Action::Deleted => {
                next.session = None;
                next.team = None;
                next.messages.clear();
                next.deleted = true;
            }
            Action::Open => {
                next.open = true;
                next.unread = 0;
                next.seen_staff = next.seen_staff.max(next.newest_staff());
            }
            Action::Close => next.open = false,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contact::TeamState;

    fn site(online: &[&str]) -> SiteState {
        SiteState {
            teams: vec![TeamState {
                id: "support".into(),
                name: "Support".into(),
                open: true,
                next_opening: None,
                staff_online: online.iter().map(|n| (*n).to_owned()).collect(),
                typical_first_response: None,
                closure_reason: None,
            }],
            routing: Vec::new(),
            default_team: "support".into(),
        }
    }

    fn message(id: i64, author: &str, text: &str) -> ThreadMessage {
        ThreadMessage {
            id,
            author: author.into(),
            name: (author == "staff").then(|| "Ana".into()),
            notice: None,
            text: text.into(),
            created_at: id * 1000,
        }
    }

    /// A poll that returns `messages`, with the worker's `unread` count; its
    /// cursor is the newest of them (`poll_after` for one that found none).
    fn poll(messages: Vec<ThreadMessage>, unread: u32) -> Action {
        let cursor = messages.iter().map(|m| m.id).max().unwrap_or(0);
        poll_after(messages, unread, cursor)
    }

    fn poll_after(messages: Vec<ThreadMessage>, unread: u32, cursor: i64) -> Action {
        Action::Polled(Poll {
            messages,
            cursor,
            status: "open".into(),
            team: Some("support".into()),
            poll_interval_ms: 2000,
            unread,
        })
    }

    fn session() -> Session {
        Session {
            id: "c1".into(),
            token: "tpv_x".into(),
        }
    }

    fn run(state: PanelState, actions: Vec<Action>) -> PanelState {
        let state = actions
            .into_iter()
            .fold(Rc::new(state), |state, action| state.reduce(action));
        (*state).clone()
    }

    #[test]
    fn deleting_asks_first_and_the_visitors_next_step_takes_the_question_back() {
        let asked = run(
            PanelState::new(None, true, false),
            vec![Action::DeletePressed],
        );
        assert!(asked.delete_armed);
        // The answering press takes the question down: a third would ask again.
        assert!(!run(asked.clone(), vec![Action::DeletePressed]).delete_armed);
        // A push or a poll arriving meanwhile leaves the question standing.
        let still = run(asked.clone(), vec![Action::Rang, Action::Live(true)]);
        assert!(still.delete_armed);
        for step in [
            Action::Draft("wait".into()),
            Action::Close,
            Action::Open,
            Action::Sending,
            Action::Deleted,
        ] {
            assert!(!run(asked.clone(), vec![step]).delete_armed);
        }
    }

    #[test]
    fn pushes_ring_typing_shows_and_the_reply_ends_it() {
        let state = run(
            PanelState::new(Some(session()), true, false),
            vec![
                Action::Live(true),
                Action::Rang,
                Action::Rang,
                Action::Typing(Some("Ana".into())),
            ],
        );
        assert!(state.live);
        assert_eq!(
            state.rings, 2,
            "each push asks for what came after the cursor"
        );
        assert_eq!(state.typing.as_deref(), Some("Ana"));
        let replied = run(
            state.clone(),
            vec![poll(vec![message(7, "staff", "Hi")], 1)],
        );
        assert_eq!(replied.typing, None);
        let expired = run(state, vec![Action::Typing(None), Action::Live(false)]);
        assert_eq!((expired.typing, expired.live), (None, false));
    }

    #[test]
    fn nobody_online_puts_the_email_path_first_unless_the_visitor_chose() {
        // What the panel shows before a draft: the site's presence.
        let shown = |state: &PanelState| {
            let presence = state.site.as_deref().map(contact::site_presence);
            state.reply_kind(presence.as_ref())
        };
        let fresh = PanelState::new(None, true, false);
        assert_eq!(shown(&fresh), ReplyKind::Here, "until availability answers");
        let offline = run(fresh, vec![Action::Availability(site(&[]))]);
        assert_eq!(shown(&offline), ReplyKind::Email);
        // Someone comes online: answering here is offered again.
        let online = run(offline, vec![Action::Availability(site(&["Ana"]))]);
        assert_eq!(shown(&online), ReplyKind::Here);
        let chosen = run(
            PanelState::new(None, true, false),
            vec![
                Action::Reply(ReplyKind::Here),
                Action::Availability(site(&[])),
            ],
        );
        assert_eq!(shown(&chosen), ReplyKind::Here);
        assert!(chosen.reply_chosen);
        // An address written where the e-mail path was offered stays, even
        // when the presence shown changes (another team, someone online).
        let written = run(
            PanelState::new(None, true, false),
            vec![
                Action::Availability(site(&[])),
                Action::Email("ana@example.com".into()),
                Action::Availability(site(&["Ana"])),
            ],
        );
        assert_eq!(shown(&written), ReplyKind::Email);
    }

    #[test]
    fn the_badge_counts_replies_the_visitor_has_not_seen_on_any_page() {
        let seen_before = run(
            PanelState::new(Some(session()), false, false),
            vec![poll(
                vec![message(1, "visitor", "hi"), message(2, "staff", "hello")],
                0,
            )],
        );
        assert_eq!(seen_before.unread, 0, "read on an earlier page: no badge");
        assert_eq!(
            seen_before.last_staff_message, None,
            "nor is it announced again on each page"
        );
        let unseen_before = run(
            PanelState::new(Some(session()), false, false),
            vec![poll(
                vec![message(1, "visitor", "hi"), message(2, "staff", "hello")],
                1,
            )],
        );
        assert_eq!(
            unseen_before.unread, 1,
            "answered while they were on an earlier page: the badge says so"
        );
        assert_eq!(
            unseen_before.last_staff_message.as_ref().map(|m| m.id),
            Some(2),
            "and the page hears of it"
        );
        let later = run(
            seen_before,
            vec![poll(
                vec![
                    message(3, "staff", "anything else?"),
                    message(2, "staff", "hello"),
                ],
                1,
            )],
        );
        assert_eq!(later.unread, 1);
        assert_eq!(
            later.last_staff_message.as_ref().map(|m| m.id),
            Some(3),
            "the newest reply is the one the page hears of"
        );
        assert_eq!(
            later.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
            vec![1, 2, 3],
            "merged once each, in order"
        );
        let opened = run(later, vec![Action::Open]);
        assert_eq!(opened.unread, 0);
        assert_eq!(opened.seen_staff, 3, "opening shows every reply");
        let open_poll = run(opened, vec![poll(vec![message(4, "staff", "bye")], 1)]);
        assert_eq!(open_poll.unread, 0, "an open panel shows replies at once");
        assert_eq!(open_poll.seen_staff, 4);
    }

    #[test]
    fn a_long_thread_loaded_in_pages_announces_only_an_unread_reply() {
        // Messages 1..=250, staff and visitor in turn: the worker sends 200,
        // then the rest.
        let thread = |ids: std::ops::RangeInclusive<i64>| -> Vec<ThreadMessage> {
            ids.map(|id| message(id, if id % 2 == 0 { "staff" } else { "visitor" }, "x"))
                .collect()
        };
        let page = |unread| {
            run(
                PanelState::new(Some(session()), false, false),
                vec![
                    poll(thread(1..=THREAD_PAGE as i64), unread),
                    poll(thread(THREAD_PAGE as i64 + 1..=250), unread),
                ],
            )
        };
        let all_read = page(0);
        assert_eq!(all_read.messages.len(), 250);
        assert_eq!(
            all_read.last_staff_message, None,
            "read on an earlier page: the rest of the history is not news"
        );
        let one_unread = page(1);
        assert_eq!(
            one_unread.last_staff_message.as_ref().map(|m| m.id),
            Some(250),
            "the newest reply, not one from the first page"
        );
        let first_page_only = run(
            PanelState::new(Some(session()), false, false),
            vec![poll(thread(1..=THREAD_PAGE as i64), 1)],
        );
        assert_eq!(
            first_page_only.last_staff_message, None,
            "a full page is history: the unread reply comes with the next (a thread of exactly a page announces none; the badge counts it)"
        );
    }

    #[test]
    fn replies_seen_before_their_read_mark_lands_are_not_news() {
        let thread = || vec![message(1, "visitor", "hi"), message(2, "staff", "hello")];
        // Opened and closed at once: the poll that closing starts still
        // counts the reply unread (the mark is on its way). No badge.
        let closed = run(
            PanelState::new(Some(session()), false, false),
            vec![
                poll(thread(), 1),
                Action::Open,
                Action::Close,
                poll_after(vec![], 1, 2),
            ],
        );
        assert_eq!(closed.unread, 0, "seen on this page: no badge");
        // A new reply after that is news, counted once, however stale the
        // worker's count.
        let newer = run(
            closed,
            vec![poll(vec![message(3, "staff", "still there?")], 2)],
        );
        assert_eq!(newer.unread, 1);
        // The worker's count wins when it is lower (read on another device).
        let elsewhere = run(newer, vec![poll_after(vec![], 0, 3)]);
        assert_eq!((elsewhere.unread, elsewhere.seen_staff), (0, 3));
    }

    #[test]
    fn a_poll_that_left_before_the_newest_reply_does_not_count_it() {
        // Nothing unread; a reply arrives and a second poll finds it while
        // the first, sent before, is still on its way.
        let badge = run(
            PanelState::new(Some(session()), false, false),
            vec![
                poll(
                    vec![message(1, "visitor", "hi"), message(2, "staff", "hello")],
                    0,
                ),
                poll_after(vec![message(3, "staff", "anything else?")], 1, 3),
                poll_after(vec![], 0, 2),
            ],
        );
        assert_eq!(badge.unread, 1, "the late answer's count is older");
        assert_eq!(badge.seen_staff, 2);
        // Opened, the reply is seen, whatever the poll.
        let opened = run(badge, vec![Action::Open, poll_after(vec![], 1, 2)]);
        assert_eq!((opened.unread, opened.seen_staff), (0, 3));
    }

    #[test]
    fn a_failed_send_keeps_the_draft_and_a_sent_one_clears_it() {
        let failed = run(
            PanelState::new(None, true, false),
            vec![
                Action::Draft("my parcel is late".into()),
                Action::Sending,
                Action::Failed("network".into(), None),
            ],
        );
        assert_eq!(failed.draft, "my parcel is late");
        assert!(!failed.sending);
        assert_eq!(failed.error.as_deref(), Some("network"));
        let started = run(
            failed,
            vec![
                Action::Sending,
                Action::Started(
                    session(),
                    Started {
                        conversation_id: "c1".into(),
                        team: Some("billing".into()),
                        visitor_token: "tpv_x".into(),
                        message: message(1, "visitor", "my parcel is late"),
                        poll_interval_ms: 1500,
                    },
                ),
            ],
        );
        assert!(started.draft.is_empty() && !started.sending && started.error.is_none());
        assert_eq!(started.session, Some(session()));
        assert_eq!(started.poll_ms, 1500);
        assert_eq!(
            started.team.as_deref(),
            Some("billing"),
            "the team it was routed to, for the header"
        );
        // Staff move it to support: the next poll says so.
        let moved = run(started, vec![poll(vec![], 0)]);
        assert_eq!(moved.team.as_deref(), Some("support"));
        let gone = run(moved, vec![Action::SessionGone]);
        assert_eq!(gone.team, None, "a new conversation is routed anew");
    }

    #[test]
    fn a_refused_input_is_marked_until_the_next_send() {
        let refused = run(
            PanelState::new(None, true, false),
            vec![
                Action::Draft("call me".into()),
                Action::Sending,
                Action::Failed("window".into(), Some(ReplyInput::Window)),
            ],
        );
        assert_eq!(refused.invalid, Some(ReplyInput::Window));
        let again = run(refused, vec![Action::Sending]);
        assert_eq!((again.invalid, again.error), (None, None));
    }

    #[test]
    fn deleting_forgets_the_conversation_and_a_resumed_one_never_replaces_the_current() {
        let resumed = run(
            PanelState::new(Some(session()), true, false),
            vec![Action::Resumed(Session {
                id: "other".into(),
                token: "tpv_y".into(),
            })],
        );
        assert_eq!(resumed.session, Some(session()));
        let deleted = run(
            resumed,
            vec![poll(vec![message(1, "visitor", "hi")], 0), Action::Deleted],
        );
        assert!(deleted.session.is_none() && deleted.messages.is_empty() && deleted.deleted);
    }

    #[test]
    fn a_contact_form_asks_for_the_email_and_a_delivery_clears_the_draft() {
        let form = PanelState::new(None, true, true);
        assert_eq!(form.reply, ReplyKind::Email);
        let offline = run(form, vec![Action::Availability(site(&["Ana"]))]);
        let presence = offline.site.as_deref().map(contact::site_presence);
        assert_eq!(
            offline.reply_kind(presence.as_ref()),
            ReplyKind::Email,
            "presence never changes it"
        );
        let sent = run(
            offline,
            vec![
                Action::Draft("Where is my parcel?".into()),
                Action::Sending,
                Action::Delivered,
            ],
        );
        assert!(sent.delivered && sent.draft.is_empty() && !sent.sending);
        assert!(
            sent.session.is_none() && sent.messages.is_empty(),
            "no thread"
        );
        let again = run(sent, vec![Action::Sending]);
        assert!(!again.delivered, "the notice goes with the next send");
    }
}
