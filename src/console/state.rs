//! The console's data as the staff API returns it, and its state, changed
//! only through `Action`s (a Yew reducer).

use std::rc::Rc;

use yew::Reducible;

/// The staff API's answers: the same types the edge writes.
pub use crate::domain::wire::staff::{
    Colleague, Colleagues, Conversation, ConversationView, Earlier, Inbox, InboxRow, Me,
    StaffMessage, TeamName, Touchpoint,
};

/// Labels as stored beside a message (the same type the edge writes).
pub use crate::domain::conversation::Labels;

use crate::domain::conversation::Author;
use crate::domain::live::{place, Placement, Side, StaffPush, StaffPushKind};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConsoleState {
    pub token: Option<String>,
    pub me: Option<Me>,
    pub sign_in_error: Option<String>,
    pub team: String,
    pub status: String,
    pub inbox: Option<Inbox>,
    /// How often "Show more" was pressed since the filters last changed.
    pub inbox_more: u32,
    pub selected: Option<String>,
    pub view: Option<ConversationView>,
    pub draft: String,
    pub sending: bool,
    pub error: Option<String>,
    pub colleagues: Option<Colleagues>,
    /// Until when (ms since the epoch) the visitor of the open conversation
    /// shows as typing; 0 when not.
    pub typing_until: f64,
    /// Bumped when a push says the inbox changed: the console reloads it.
    pub inbox_changed: u32,
    /// Bumped when a pushed message reveals one missed before it: the
    /// console reloads the conversation from the store.
    pub view_gap: u32,
    /// Since when (ms since the epoch) the worker has not answered a
    /// refresh; 0 while it answers. The console says so rather than show a
    /// stale inbox as current.
    pub offline_since: f64,
    /// Why the conversation that was open is gone (the visitor deleted it,
    /// or it was erased): said where it was.
    pub gone: Option<String>,
}

pub enum Action {
    Colleagues(Colleagues),
    SignedIn(String, Me),
    SignInFailed(String),
    SignOut,
    Presence(String),
    Filter {
        team: String,
        status: String,
    },
    /// The next conversations of a long inbox.
    MoreRows,
    Inbox(Inbox),
    Select(String),
    /// Boxed: a conversation with its thread and journey is much larger than the other actions.
    View(Box<ConversationView>),
    Draft(String),
    Sending,
    Sent,
    Failed(String),
    /// A frame from a live socket, received at `now` (ms).
    Pushed(Box<StaffPush>, f64),
    /// The clock at `now` (ms): expires the typing indicator.
    Tick(f64),
    /// Whether a refresh reached the worker, at `now` (ms).
    Reached(bool, f64),
    /// The open conversation no longer exists.
    Gone(String),
}

impl ConsoleState {
    /// How many conversations the inbox asks for.
    pub fn inbox_limit(&self) -> i64 {
        crate::domain::inbox::limit_after_more(self.inbox_more)
    }

    /// The conversation `offset` rows away from the selected one (j/k).
    pub fn neighbour(&self, offset: i32) -> Option<String> {
        let rows = &self.inbox.as_ref()?.conversations;
        if rows.is_empty() {
            return None;
        }
        let current = self
            .selected
            .as_ref()
            .and_then(|id| rows.iter().position(|r| &r.id == id));
        let index = match current {
            None => 0,
            Some(i) => (i as i32 + offset).clamp(0, rows.len() as i32 - 1) as usize,
        };
        rows.get(index).map(|r| r.id.clone())
    }
}

impl ConsoleState {
    /// Whether the open conversation's visitor is typing at `now`.
    pub fn visitor_typing(&self, now: f64) -> bool {
        now < self.typing_until
    }

    /// Applies a pushed frame: D1 stays the store of record, so a message
    /// that does not follow the last one shown is not guessed into place but
    /// reloaded (`view_gap`), and one already shown is dropped.
    fn apply(&mut self, push: StaffPush, now: f64) {
        match push.kind {
            StaffPushKind::Message => {
                let (Some(message), Some(after)) = (push.message, push.after) else {
                    return;
                };
                let Some(view) = self
                    .view
                    .as_mut()
                    .filter(|v| push.conversation_id.as_ref() == Some(&v.conversation.id))
                else {
                    return;
                };
                let known: Vec<i64> = view.messages.iter().map(|m| m.id).collect();
                match place(&known, message.id, after) {
                    Placement::Duplicate => {}
                    Placement::Append => {
                        if message.author == Author::Visitor {
                            // What they were typing has arrived.
                            self.typing_until = 0.0;
                        }
                        view.messages.push(message);
                    }
                    Placement::Gap => self.view_gap = self.view_gap.wrapping_add(1),
                }
            }
            StaffPushKind::Conversation => {
                if let (Some(view), Some(conversation)) = (self.view.as_mut(), push.conversation) {
                    if view.conversation.id == conversation.id {
                        view.conversation = conversation;
                    }
                }
            }
            StaffPushKind::Inbox => self.inbox_changed = self.inbox_changed.wrapping_add(1),
            StaffPushKind::Typing => {
                if push.by == Some(Side::Visitor) && self.view.is_some() {
                    self.typing_until = now + f64::from(push.ttl_ms.unwrap_or_default());
                }
            }
        }
    }
}

impl Reducible for ConsoleState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::SignedIn(token, me) => {
                next.token = Some(token);
                next.me = Some(me);
                next.sign_in_error = None;
            }
            Action::SignInFailed(message) => {
                next.token = None;
                next.sign_in_error = Some(message);
            }
            Action::SignOut => return Rc::new(ConsoleState::default()),
            Action::Presence(presence) => {
                if let Some(me) = next.me.as_mut() {
                    me.presence = presence;
                }
            }
            Action::Filter { team, status } => {
                next.team = team;
                next.status = status;
                next.inbox_more = 0;
            }
            Action::MoreRows => next.inbox_more = next.inbox_more.saturating_add(1),
            Action::Inbox(inbox) => next.inbox = Some(inbox),
            Action::Colleagues(colleagues) => next.colleagues = Some(colleagues),
            Action::Select(id) => {
                next.gone = None;
                if next.selected.as_ref() != Some(&id) {
                    next.draft.clear();
                    next.error = None;
                    next.view = None;
                    next.typing_until = 0.0;
                }
                next.selected = Some(id);
            }
            Action::View(view) => {
                if next.selected.as_ref() == Some(&view.conversation.id) {
                    next.view = Some(*view);
                }
            }
            Action::Draft(text) => next.draft = text,
            Action::Sending => {
                next.sending = true;
                next.error = None;
            }
            Action::Sent => {
                next.sending = false;
                next.draft.clear();
            }
            Action::Failed(message) => {
                // The draft stays in the composer, to be sent again.
                next.sending = false;
                next.error = Some(message);
            }
            Action::Pushed(push, now) => next.apply(*push, now),
            Action::Tick(now) => {
                if now >= next.typing_until {
                    next.typing_until = 0.0;
                }
            }
            Action::Reached(reached, now) => {
                next.offline_since = match (reached, next.offline_since) {
                    (true, _) => 0.0,
                    (false, 0.0) => now,
                    (false, since) => since,
                };
            }
            Action::Gone(id) => {
                if next.selected.as_ref() == Some(&id) {
                    next.selected = None;
                    next.view = None;
                    next.draft.clear();
                    next.error = None;
                    next.gone = Some(
                        "That conversation no longer exists: the visitor deleted it, or it was erased."
                            .into(),
                    );
                }
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::conversation::Status;

    fn row(id: &str) -> InboxRow {
        InboxRow {
            id: id.into(),
            team_id: "support".into(),
            status: Status::Waiting,
            channel: "widget".into(),
            topic: "delivery".into(),
            sentiment: "negative".into(),
            kind: "complaint".into(),
            confidence: 0.9,
            visitor_name: String::new(),
            reply_channel: "here".into(),
            assignee_id: String::new(),
            created_at: 0,
            last_visitor_at: 0,
            last_staff_at: 0,
            target_minutes: 30,
            preview: None,
            unread: 1,
            waited_s: 60,
            over_target: false,
            matched: 0,
            matched_waiting: 0,
        }
    }

    fn me() -> Me {
        Me {
            id: "s1".into(),
            site: "demo".into(),
            name: "Ana".into(),
            role: "agent".into(),
            teams: vec!["support".into()],
            presence: "away".into(),
        }
    }

    fn view(id: &str) -> ConversationView {
        ConversationView {
            conversation: Conversation {
                id: id.into(),
                site_id: "demo".into(),
                team_id: "support".into(),
                status: Status::Open,
                channel: "widget".into(),
                visitor_key: String::new(),
                visitor_id: String::new(),
                user_id: String::new(),
                visitor_name: String::new(),
                locale: "en".into(),
                reply_channel: "here".into(),
                reply_email: String::new(),
                reply_phone: String::new(),
                callback_from: 0,
                callback_to: 0,
                external_id: String::new(),
                reply_address: String::new(),
                topic: "delivery".into(),
                sentiment: "negative".into(),
                kind: "complaint".into(),
                confidence: 0.9,
                assignee_id: String::new(),
                created_at: 0,
                updated_at: 0,
                first_response_at: 0,
                last_visitor_at: 0,
                last_staff_at: 0,
                closed_at: 0,
                visitor_read_id: 0,
                staff_read_id: 0,
                escalated_at: 0,
                unseen_notified_at: 0,
                expectation_gap: 0,
            },
            team_name: "Support".into(),
            messages: Vec::new(),
            journey: Vec::new(),
            earlier: Vec::new(),
        }
    }

    fn run(state: ConsoleState, actions: Vec<Action>) -> ConsoleState {
        let state = actions
            .into_iter()
            .fold(Rc::new(state), |state, action| state.reduce(action));
        (*state).clone()
    }

    fn message(id: i64, author: Author) -> StaffMessage {
        StaffMessage {
            id,
            author,
            staff_id: None,
            name: None,
            notice: None,
            text: format!("message {id}"),
            created_at: 0,
            browser_labels: None,
            edge_labels: None,
            corrected_labels: None,
            labels_agree: true,
            pii_missed: Vec::new(),
        }
    }

    fn pushed(conversation: &str, id: i64, after: i64) -> Action {
        Action::Pushed(
            Box::new(StaffPush::message(
                conversation,
                message(id, Author::Visitor),
                after,
            )),
            0.0,
        )
    }

    #[test]
    fn pushed_messages_append_once_and_a_gap_reloads_from_the_store() {
        let mut open = view("a");
        open.messages = vec![message(3, Author::Visitor)];
        let state = run(
            ConsoleState::default(),
            vec![Action::Select("a".into()), Action::View(Box::new(open))],
        );
        let ids = |s: &ConsoleState| -> Vec<i64> {
            s.view
                .as_ref()
                .map(|v| v.messages.iter().map(|m| m.id).collect())
                .unwrap_or_default()
        };
        let next = run(state.clone(), vec![pushed("a", 7, 3), pushed("a", 7, 3)]);
        assert_eq!(ids(&next), [3, 7], "appended once");
        assert_eq!(next.view_gap, 0);
        let other = run(state.clone(), vec![pushed("b", 7, 3)]);
        assert_eq!(
            ids(&other),
            [3],
            "another conversation's push is not shown here"
        );
        let gap = run(state, vec![pushed("a", 9, 8)]);
        assert_eq!(ids(&gap), [3], "nothing guessed into place");
        assert_eq!(gap.view_gap, 1, "the conversation is reloaded");
    }

    #[test]
    fn typing_shows_until_it_expires_or_the_message_arrives() {
        let mut open = view("a");
        open.messages = vec![message(3, Author::Visitor)];
        let typing = Action::Pushed(
            Box::new(StaffPush {
                kind: StaffPushKind::Typing,
                by: Some(Side::Visitor),
                ttl_ms: Some(5000),
                ..StaffPush::default()
            }),
            1000.0,
        );
        let state = run(
            ConsoleState::default(),
            vec![
                Action::Select("a".into()),
                Action::View(Box::new(open)),
                typing,
            ],
        );
        assert!(state.visitor_typing(1000.0));
        assert!(state.visitor_typing(5999.0));
        assert!(!state.visitor_typing(6000.0));
        let ticked = run(state.clone(), vec![Action::Tick(6000.0)]);
        assert_eq!(ticked.typing_until, 0.0);
        let arrived = run(state, vec![pushed("a", 4, 3)]);
        assert!(
            !arrived.visitor_typing(1001.0),
            "the message ends the indicator"
        );
    }

    #[test]
    fn a_colleagues_claim_and_inbox_changes_are_applied() {
        let state = run(
            ConsoleState::default(),
            vec![
                Action::Select("a".into()),
                Action::View(Box::new(view("a"))),
            ],
        );
        let mut claimed = view("a").conversation;
        claimed.assignee_id = "s2".into();
        let next = run(
            state,
            vec![
                Action::Pushed(Box::new(StaffPush::conversation(claimed)), 0.0),
                Action::Pushed(
                    Box::new(StaffPush::inbox("a", "support", Status::Open)),
                    0.0,
                ),
            ],
        );
        assert_eq!(
            next.view.map(|v| v.conversation.assignee_id).as_deref(),
            Some("s2")
        );
        assert_eq!(next.inbox_changed, 1);
    }

    #[test]
    fn offline_counts_from_the_first_failed_refresh_and_a_gone_conversation_closes() {
        let state = run(
            ConsoleState::default(),
            vec![
                Action::Reached(false, 1_000.0),
                Action::Reached(false, 3_000.0),
            ],
        );
        assert_eq!(state.offline_since, 1_000.0);
        assert_eq!(
            run(state, vec![Action::Reached(true, 5_000.0)]).offline_since,
            0.0
        );
        let open = run(
            ConsoleState::default(),
            vec![
                Action::Select("a".into()),
                Action::Draft("half a reply".into()),
            ],
        );
        let other = run(open.clone(), vec![Action::Gone("b".into())]);
        assert_eq!(
            other.selected.as_deref(),
            Some("a"),
            "another id closes nothing"
        );
        let gone = run(open, vec![Action::Gone("a".into())]);
        assert_eq!((gone.selected.as_deref(), gone.draft.as_str()), (None, ""));
        assert!(gone.gone.is_some());
        assert!(run(gone, vec![Action::Select("c".into())]).gone.is_none());
    }

    #[test]
    fn j_and_k_move_within_the_inbox_and_stop_at_its_ends() {
        let state = run(
            ConsoleState::default(),
            vec![Action::Inbox(Inbox {
                conversations: vec![row("a"), row("b"), row("c")],
                total: 3,
                waiting: 3,
                teams: vec!["support".into()],
            })],
        );
        assert_eq!(
            state.neighbour(1).as_deref(),
            Some("a"),
            "nothing selected: the first"
        );
        let on_b = run(state, vec![Action::Select("b".into())]);
        assert_eq!(on_b.neighbour(1).as_deref(), Some("c"));
        assert_eq!(on_b.neighbour(-1).as_deref(), Some("a"));
        let on_c = run(on_b, vec![Action::Select("c".into())]);
        assert_eq!(on_c.neighbour(1).as_deref(), Some("c"));
        assert_eq!(ConsoleState::default().neighbour(1), None);
    }

    #[test]
    fn a_failed_reply_stays_in_the_composer_and_moving_on_clears_it() {
        let failed = run(
            ConsoleState::default(),
            vec![
                Action::Select("a".into()),
                Action::Draft("Sorry about that".into()),
                Action::Sending,
                Action::Failed("network".into()),
            ],
        );
        assert_eq!(failed.draft, "Sorry about that");
        assert!(!failed.sending);
        let same = run(failed.clone(), vec![Action::Select("a".into())]);
        assert_eq!(
            same.draft, "Sorry about that",
            "re-selecting keeps the draft"
        );
        let moved = run(failed, vec![Action::Select("b".into())]);
        assert!(moved.draft.is_empty() && moved.error.is_none() && moved.view.is_none());
        let sent = run(
            moved,
            vec![Action::Draft("Done".into()), Action::Sending, Action::Sent],
        );
        assert!(sent.draft.is_empty() && !sent.sending);
    }

    #[test]
    fn a_late_view_of_another_conversation_is_ignored_and_sign_out_forgets_everything() {
        let state = run(
            ConsoleState::default(),
            vec![
                Action::SignedIn("tps_x".into(), me()),
                Action::Select("b".into()),
                Action::View(Box::new(view("a"))),
            ],
        );
        assert!(
            state.view.is_none(),
            "an answer for a conversation no longer selected"
        );
        let shown = run(
            state,
            vec![
                Action::View(Box::new(view("b"))),
                Action::Presence("online".into()),
            ],
        );
        assert_eq!(
            shown.view.as_ref().map(|v| v.conversation.id.as_str()),
            Some("b")
        );
        assert_eq!(
            shown.me.as_ref().map(|m| m.presence.as_str()),
            Some("online")
        );
        assert_eq!(run(shown, vec![Action::SignOut]), ConsoleState::default());
    }
}
