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

use crate::domain::compose::unsent_rest;
use crate::domain::conversation::Author;
pub use crate::domain::inbox::InboxFilter;
use crate::domain::live::{place, Placement, Side, StaffPush, StaffPushKind};
use crate::domain::saved_reply::SavedReply;

/// The reply being written in one conversation: each conversation keeps its
/// own, so a send in flight or failed in one never touches another's.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Draft {
    pub text: String,
    pub sending: bool,
    /// Why the last send failed (the text stays, to be sent again).
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConsoleState {
    pub token: Option<String>,
    pub me: Option<Me>,
    pub sign_in_error: Option<String>,
    /// What the inbox shows: team, status, assignee and search.
    pub filter: InboxFilter,
    pub inbox: Option<Inbox>,
    /// How often "Show more" was pressed since the filters last changed.
    pub inbox_more: u32,
    pub selected: Option<String>,
    pub view: Option<ConversationView>,
    /// Drafts by conversation id (a list: a map's code costs the console's
    /// budget more than a search through the few drafts a person keeps).
    pub drafts: Vec<(String, Draft)>,
    /// Whether the drafts kept in the tab (`session::kept_drafts`) were read
    /// back since sign-in: until then they are not written over.
    pub drafts_restored: bool,
    /// Why claiming, assigning, moving, closing or correcting failed, with
    /// the conversation's id: said beside the actions, not as a reply's.
    pub action_error: Option<(String, String)>,
    /// Bumped on each failed action: the controls are drawn again from the
    /// stored conversation, so a select does not keep showing a refused choice.
    pub action_failures: u32,
    pub colleagues: Option<Colleagues>,
    /// Until when (ms since the epoch) the visitor of the open conversation
    /// shows as typing; 0 when not.
    pub typing_until: f64,
    /// A colleague writing a reply to the open conversation too, and until
    /// when (ms since the epoch) that shows: two people should not answer
    /// one visitor at once.
    pub colleague_typing: Option<(String, f64)>,
    /// The site's saved replies, offered in the reply box after `/`.
    pub saved_replies: Rc<Vec<SavedReply>>,
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
    /// The site's saved replies, as read with this token.
    SavedReplies(String, Vec<SavedReply>),
    SignedIn(String, Me),
    SignInFailed(String),
    SignOut,
    Presence(String),
    Filter(InboxFilter),
    /// The next conversations of a long inbox.
    MoreRows,
    /// An inbox answer, with the filters and limit it was asked for: one
    /// that comes back after they changed is not what the console shows.
    Inbox(InboxFilter, i64, Inbox),
    Select(String),
    /// No conversation open (the address went back to the inbox alone).
    Deselect,
    /// The drafts kept in the tab, read back after sign-in: each fills its
    /// conversation's reply box unless something was typed there since.
    RestoreDrafts(Vec<(String, String)>),
    /// Boxed: a conversation with its thread and journey is much larger than the other actions.
    View(Box<ConversationView>),
    /// The reply box of a conversation (by id) holds this text.
    Draft(String, String),
    Sending(String),
    /// A conversation's reply was stored: the text that was sent.
    Sent(String, String),
    /// A conversation's reply was not stored: why.
    Failed(String, String),
    /// An action on a conversation starts: its last failure is no longer news.
    Acting(String),
    /// An action on a conversation failed: why.
    ActionFailed(String, String),
    /// Reload the open conversation from the store (a call on it was refused).
    Recheck,
    /// A frame from a live socket, received at `now` (ms).
    Pushed(Box<StaffPush>, f64),
    /// The clock at `now` (ms): expires the typing indicator.
    Tick(f64),
    /// Whether a refresh reached the worker, at `now` (ms).
    Reached(bool, f64),
    /// The open conversation is no longer there for this staff member:
    /// deleted or erased (`false`), or no longer on their teams (`true`:
    /// moved to another team, or they were taken off its team).
    Gone(String, bool),
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

    /// The colleague writing a reply to the open conversation at `now`.
    pub fn colleague_typing(&self, now: f64) -> Option<&str> {
        self.colleague_typing
            .as_ref()
            .filter(|(_, until)| now < *until)
            .map(|(name, _)| name.as_str())
    }

    /// When the next typing indicator ends; 0 when none shows.
    pub fn typing_ends(&self) -> f64 {
        let colleague = self
            .colleague_typing
            .as_ref()
            .map_or(0.0, |(_, until)| *until);
        match (self.typing_until, colleague) {
            (0.0, other) | (other, 0.0) => other,
            (visitor, colleague) => visitor.min(colleague),
        }
    }

    /// The draft of the open conversation (empty when none).
    pub fn draft(&self) -> Draft {
        self.selected
            .as_ref()
            .and_then(|id| self.draft_of(id))
            .cloned()
            .unwrap_or_default()
    }

    /// A conversation's draft, if it has one.
    pub fn draft_of(&self, id: &str) -> Option<&Draft> {
        self.drafts.iter().find(|(of, _)| of == id).map(|(_, d)| d)
    }

    fn draft_mut(&mut self, id: String) -> &mut Draft {
        let at = match self.drafts.iter().position(|(of, _)| *of == id) {
            Some(at) => at,
            None => {
                self.drafts.push((id, Draft::default()));
                self.drafts.len() - 1
            }
        };
        &mut self.drafts[at].1
    }

    /// What belonged to the open conversation only. Drafts stay with their
    /// conversations, to find again.
    fn leave_conversation(&mut self) {
        self.view = None;
        self.action_error = None;
        self.typing_until = 0.0;
        self.colleague_typing = None;
    }

    fn drop_draft(&mut self, id: &str) {
        self.drafts.retain(|(of, _)| of != id);
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
                        // What they were typing has arrived.
                        match message.author {
                            Author::Visitor => self.typing_until = 0.0,
                            // Theirs, not anyone's: typing frames carry first names.
                            Author::Staff => {
                                let from = message
                                    .name
                                    .as_deref()
                                    .and_then(|n| n.split_whitespace().next());
                                if self
                                    .colleague_typing
                                    .as_ref()
                                    .is_some_and(|(name, _)| Some(name.as_str()) == from)
                                {
                                    self.colleague_typing = None;
                                }
                            }
                            Author::System => {}
                        }
                        view.messages.push(message);
                    }
                    Placement::Gap => self.view_gap = self.view_gap.wrapping_add(1),
                }
            }
            StaffPushKind::Conversation => {
                if let (Some(view), Some(conversation)) = (self.view.as_mut(), push.conversation) {
                    if view.conversation.id == conversation.id {
                        if view.conversation.team_id != conversation.team_id {
                            // Named at once; reloaded, so a team that is not
                            // this person's closes the pane (403 → Gone).
                            let teams = self.colleagues.as_ref().map(|c| &c.teams[..]);
                            view.team_name = teams
                                .and_then(|t| t.iter().find(|t| t.id == conversation.team_id))
                                .map_or_else(|| conversation.team_id.clone(), |t| t.name.clone());
                            self.view_gap = self.view_gap.wrapping_add(1);
                        }
                        view.conversation = conversation;
                    }
                }
            }
            StaffPushKind::Inbox => self.inbox_changed = self.inbox_changed.wrapping_add(1),
            StaffPushKind::Typing if self.view.is_some() => {
                let until = now + f64::from(push.ttl_ms.unwrap_or_default());
                match (push.by, push.name) {
                    (Some(Side::Visitor), _) => self.typing_until = until,
                    (Some(Side::Staff), Some(name)) => self.colleague_typing = Some((name, until)),
                    _ => {}
                }
            }
            StaffPushKind::Typing => {}
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
            Action::Filter(filter) => {
                next.filter = filter;
                next.inbox_more = 0;
            }
            Action::MoreRows => next.inbox_more = next.inbox_more.saturating_add(1),
            Action::Inbox(filter, limit, inbox) => {
                if filter == next.filter && limit == next.inbox_limit() {
                    next.inbox = Some(inbox);
                }
            }
            Action::Colleagues(colleagues) => next.colleagues = Some(colleagues),
            // Not what a signed-out token read after the next person signed in.
            Action::SavedReplies(token, replies) => {
                if next.token.as_ref() == Some(&token) {
                    next.saved_replies = Rc::new(replies);
                }
            }
            Action::Select(id) => {
                next.gone = None;
                if next.selected.as_ref() != Some(&id) {
                    next.leave_conversation();
                }
                next.selected = Some(id);
            }
            Action::Deselect => {
                if next.selected.take().is_some() {
                    next.gone = None;
                    next.leave_conversation();
                }
            }
            Action::RestoreDrafts(kept) => {
                for (id, text) in kept {
                    let draft = next.draft_mut(id);
                    if draft.text.is_empty() {
                        draft.text = text;
                    }
                }
                next.drafts_restored = true;
            }
            Action::View(view) => {
                if next.selected.as_ref() == Some(&view.conversation.id) {
                    next.view = Some(*view);
                }
            }
            Action::Draft(id, text) => next.draft_mut(id).text = text,
            Action::Sending(id) => {
                let draft = next.draft_mut(id);
                draft.sending = true;
                draft.error = None;
            }
            Action::Sent(id, sent) => {
                let draft = next.draft_mut(id.clone());
                draft.sending = false;
                // Only what was sent goes: what was typed meanwhile stays.
                draft.text = unsent_rest(&draft.text, &sent).to_owned();
                if *draft == Draft::default() {
                    next.drop_draft(&id);
                }
            }
            Action::Failed(id, message) => {
                // The draft stays in its composer, to be sent again.
                let draft = next.draft_mut(id);
                draft.sending = false;
                draft.error = Some(message);
            }
            Action::Acting(id) => {
                if next.action_error.as_ref().is_some_and(|(of, _)| *of == id) {
                    next.action_error = None;
                }
            }
            Action::ActionFailed(id, message) => {
                next.action_error = Some((id, message));
                next.action_failures = next.action_failures.wrapping_add(1);
            }
            Action::Recheck => next.view_gap = next.view_gap.wrapping_add(1),
            Action::Pushed(push, now) => next.apply(*push, now),
            Action::Tick(now) => {
                if now >= next.typing_until {
                    next.typing_until = 0.0;
                }
                if next.colleague_typing(now).is_none() {
                    next.colleague_typing = None;
                }
            }
            Action::Reached(reached, now) => {
                next.offline_since = match (reached, next.offline_since) {
                    (true, _) => 0.0,
                    (false, 0.0) => now,
                    (false, since) => since,
                };
            }
            Action::Gone(id, moved) => {
                if next.selected.as_ref() == Some(&id) {
                    next.selected = None;
                    // Never shown: opened by a link or a reload (or a moment too late).
                    let unseen = next.view.take().is_none();
                    next.drop_draft(&id);
                    next.gone = Some(match (moved, unseen) {
                        (true, false) => "That conversation moved out of your teams (or you were taken off its team): it is no longer yours to answer.",
                        (true, true) => "That conversation is not on your teams: it is not yours to answer.",
                        (false, false) => "That conversation no longer exists: the visitor deleted it, or it was erased.",
                        (false, true) => "That conversation is not there: the visitor deleted it, it was erased, or the link to it is wrong.",
                    }.into());
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
            by: None,
            team: None,
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
    fn a_colleague_writing_a_reply_shows_until_it_expires_or_a_reply_arrives() {
        let mut open = view("a");
        open.messages = vec![message(3, Author::Visitor)];
        let typing = |by: Side, name: Option<&str>, now: f64| {
            Action::Pushed(
                Box::new(StaffPush {
                    kind: StaffPushKind::Typing,
                    by: Some(by),
                    name: name.map(str::to_owned),
                    ttl_ms: Some(5000),
                    ..StaffPush::default()
                }),
                now,
            )
        };
        // Before a conversation is open, nobody's typing is kept.
        let closed = run(
            ConsoleState::default(),
            vec![typing(Side::Staff, Some("Bo"), 0.0)],
        );
        assert_eq!(closed.colleague_typing, None);
        let state = run(
            ConsoleState::default(),
            vec![
                Action::Select("a".into()),
                Action::View(Box::new(open)),
                typing(Side::Staff, Some("Bo"), 1000.0),
                typing(Side::Visitor, None, 2000.0),
                // A staff frame without a name says nothing to show.
                typing(Side::Staff, None, 2500.0),
            ],
        );
        assert_eq!(state.colleague_typing(1000.0), Some("Bo"));
        assert_eq!(state.colleague_typing(5999.0), Some("Bo"));
        assert_eq!(state.colleague_typing(6000.0), None);
        assert!(
            state.visitor_typing(6000.0),
            "each indicator has its own end"
        );
        assert_eq!(
            state.typing_ends(),
            6000.0,
            "the next to end is the colleague's"
        );
        let ticked = run(state.clone(), vec![Action::Tick(6000.0)]);
        assert_eq!(
            (ticked.colleague_typing.clone(), ticked.typing_ends()),
            (None, 7000.0)
        );
        let ticked = run(ticked, vec![Action::Tick(7000.0)]);
        assert_eq!(ticked.typing_ends(), 0.0);
        let mut mine = message(4, Author::Staff);
        mine.name = Some("Ana Weber".into());
        let theirs = StaffMessage {
            id: 5,
            name: Some("Bo Lind".into()),
            ..mine.clone()
        };
        let replied = run(
            state.clone(),
            vec![Action::Pushed(
                Box::new(StaffPush::message("a", mine, 3)),
                1500.0,
            )],
        );
        assert_eq!(
            replied.colleague_typing(1500.0),
            Some("Bo"),
            "another's reply does not end it"
        );
        let replied = run(
            replied,
            vec![Action::Pushed(
                Box::new(StaffPush::message("a", theirs, 4)),
                1500.0,
            )],
        );
        assert_eq!(
            replied.colleague_typing(1500.0),
            None,
            "their reply ends it"
        );
        assert!(replied.visitor_typing(1500.0));
        let elsewhere = run(state, vec![Action::Select("b".into())]);
        assert_eq!(elsewhere.colleague_typing, None);
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
                Action::Draft("a".into(), "half a reply".into()),
            ],
        );
        let other = run(open.clone(), vec![Action::Gone("b".into(), false)]);
        assert_eq!(
            other.selected.as_deref(),
            Some("a"),
            "another id closes nothing"
        );
        // Never shown: the address opened it (a link, or a reload).
        let linked = run(open.clone(), vec![Action::Gone("a".into(), false)]);
        assert!(linked
            .gone
            .as_deref()
            .is_some_and(|g| g.contains("is not there") && g.contains("link")));
        let shown = run(open, vec![Action::View(Box::new(view("a")))]);
        let gone = run(shown, vec![Action::Gone("a".into(), false)]);
        assert_eq!(
            (gone.selected.as_deref(), gone.draft().text.as_str()),
            (None, "")
        );
        assert!(gone.drafts.is_empty());
        assert!(gone
            .gone
            .as_deref()
            .is_some_and(|g| g.contains("no longer exists")));
        assert!(run(gone, vec![Action::Select("c".into())]).gone.is_none());
        let linked_elsewhere = run(
            ConsoleState::default(),
            vec![Action::Select("x".into()), Action::Gone("x".into(), true)],
        );
        assert!(linked_elsewhere
            .gone
            .as_deref()
            .is_some_and(|g| g.contains("not on your teams")));
    }

    #[test]
    fn going_back_to_the_inbox_alone_closes_the_conversation_but_not_a_reason_shown() {
        let open = run(
            ConsoleState::default(),
            vec![
                Action::Select("a".into()),
                Action::View(Box::new(view("a"))),
                Action::Draft("a".into(), "half".into()),
            ],
        );
        let closed = run(open, vec![Action::Deselect]);
        assert_eq!(
            (closed.selected.as_ref(), closed.view.as_ref()),
            (None, None)
        );
        assert_eq!(closed.draft_of("a").map(|d| d.text.as_str()), Some("half"));
        let gone = run(
            ConsoleState::default(),
            vec![Action::Select("b".into()), Action::Gone("b".into(), false)],
        );
        assert!(
            run(gone, vec![Action::Deselect]).gone.is_some(),
            "the reason stays"
        );
    }

    #[test]
    fn kept_drafts_fill_only_empty_reply_boxes_and_are_written_only_once_read() {
        let typed = run(
            ConsoleState::default(),
            vec![Action::Draft("a".into(), "typed since".into())],
        );
        assert!(
            !typed.drafts_restored,
            "not read back yet: the tab's are not written over"
        );
        let restored = run(
            typed,
            vec![Action::RestoreDrafts(vec![
                ("a".into(), "kept from before".into()),
                ("b".into(), "kept for b".into()),
            ])],
        );
        assert!(restored.drafts_restored);
        assert_eq!(
            restored.draft_of("a").map(|d| d.text.as_str()),
            Some("typed since")
        );
        assert_eq!(
            restored.draft_of("b").map(|d| d.text.as_str()),
            Some("kept for b")
        );
        assert!(!run(restored, vec![Action::SignOut]).drafts_restored);
    }

    #[test]
    fn an_inbox_asked_for_with_other_filters_is_not_shown() {
        let inbox = |id: &str| Inbox {
            conversations: vec![row(id)],
            total: 1,
            waiting: 1,
            teams: vec!["support".into()],
        };
        let search = InboxFilter {
            search: "refund".into(),
            ..InboxFilter::default()
        };
        // The search's answer, then the unfiltered one asked for before it.
        let state = run(
            ConsoleState::default(),
            vec![
                Action::Filter(search.clone()),
                Action::Inbox(search.clone(), 200, inbox("found")),
                Action::Inbox(InboxFilter::default(), 200, inbox("everything")),
                Action::Inbox(search, 400, inbox("before show more")),
            ],
        );
        let shown = state.inbox.map(|i| i.conversations[0].id.clone());
        assert_eq!(shown.as_deref(), Some("found"));
    }

    #[test]
    fn j_and_k_move_within_the_inbox_and_stop_at_its_ends() {
        let state = run(
            ConsoleState::default(),
            vec![Action::Inbox(
                InboxFilter::default(),
                200,
                Inbox {
                    conversations: vec![row("a"), row("b"), row("c")],
                    total: 3,
                    waiting: 3,
                    teams: vec!["support".into()],
                },
            )],
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
    fn a_failed_reply_stays_in_its_own_composer_and_comes_back_with_it() {
        let failed = run(
            ConsoleState::default(),
            vec![
                Action::Select("a".into()),
                Action::Draft("a".into(), "Sorry about that".into()),
                Action::Sending("a".into()),
                Action::Failed("a".into(), "network".into()),
            ],
        );
        assert_eq!(failed.draft().text, "Sorry about that");
        assert!(!failed.draft().sending);
        let same = run(failed.clone(), vec![Action::Select("a".into())]);
        assert_eq!(
            same.draft().text,
            "Sorry about that",
            "re-selecting keeps the draft"
        );
        let moved = run(failed, vec![Action::Select("b".into())]);
        assert_eq!(moved.draft(), Draft::default(), "b has nothing of a's");
        assert!(moved.view.is_none());
        let back = run(moved.clone(), vec![Action::Select("a".into())]);
        assert_eq!(back.draft().text, "Sorry about that", "a's draft waited");
        assert_eq!(back.draft().error.as_deref(), Some("network"));
        let sent = run(
            moved,
            vec![
                Action::Draft("b".into(), "Done".into()),
                Action::Sending("b".into()),
                Action::Sent("b".into(), "Done".into()),
            ],
        );
        assert_eq!(sent.draft(), Draft::default());
        assert!(sent.draft_of("b").is_none(), "an empty draft is not kept");
    }

    #[test]
    fn a_send_in_flight_touches_only_its_conversation_and_only_what_it_sent() {
        let state = run(
            ConsoleState::default(),
            vec![
                Action::Select("a".into()),
                Action::Draft("a".into(), "First reply".into()),
                Action::Sending("a".into()),
                Action::Draft("a".into(), "First reply\nand a second thought".into()),
            ],
        );
        let stored = run(
            state.clone(),
            vec![Action::Sent("a".into(), "First reply".into())],
        );
        assert_eq!(
            stored.draft().text,
            "and a second thought",
            "typed meanwhile: kept"
        );
        assert!(!stored.draft().sending);
        // Another conversation opened and written in while a's reply goes.
        let in_b = run(
            state,
            vec![
                Action::Select("b".into()),
                Action::Draft("b".into(), "Half-written answer for B".into()),
            ],
        );
        assert!(!in_b.draft().sending, "b's Send is not held by a's");
        let stored = run(
            in_b.clone(),
            vec![Action::Sent("a".into(), "First reply".into())],
        );
        assert_eq!(stored.draft().text, "Half-written answer for B");
        let failed = run(in_b, vec![Action::Failed("a".into(), "network".into())]);
        assert_eq!(failed.draft().error, None, "a's failure is not shown in b");
        assert_eq!(failed.draft().text, "Half-written answer for B");
        let a = failed.draft_of("a").cloned().unwrap_or_default();
        assert_eq!(a.error.as_deref(), Some("network"));
        assert_eq!(a.text, "First reply\nand a second thought");
    }

    #[test]
    fn a_failed_action_is_said_as_its_own_and_redraws_the_controls() {
        let state = run(
            ConsoleState::default(),
            vec![
                Action::Select("a".into()),
                Action::Draft("a".into(), "Half a reply".into()),
                Action::Acting("a".into()),
                Action::ActionFailed("a".into(), "no such staff member".into()),
            ],
        );
        assert_eq!(
            state.action_error,
            Some(("a".into(), "no such staff member".into()))
        );
        assert_eq!(state.action_failures, 1);
        assert_eq!(state.draft().error, None, "not the reply's failure");
        let again = run(state.clone(), vec![Action::Acting("a".into())]);
        assert_eq!(again.action_error, None);
        let elsewhere = run(state, vec![Action::Select("b".into())]);
        assert_eq!(elsewhere.action_error, None);
    }

    #[test]
    fn a_conversation_moved_out_of_ones_teams_closes_and_a_pushed_move_renames_its_team() {
        let colleagues = Colleagues {
            staff: Vec::new(),
            teams: vec![TeamName {
                id: "billing".into(),
                name: "Billing".into(),
            }],
        };
        let state = run(
            ConsoleState::default(),
            vec![
                Action::Colleagues(colleagues),
                Action::Select("a".into()),
                Action::View(Box::new(view("a"))),
            ],
        );
        let mut moved = view("a").conversation;
        moved.team_id = "billing".into();
        let pushed = run(
            state.clone(),
            vec![Action::Pushed(
                Box::new(StaffPush::conversation(moved)),
                0.0,
            )],
        );
        assert_eq!(
            pushed.view.as_ref().map(|v| v.team_name.as_str()),
            Some("Billing")
        );
        assert_eq!(
            pushed.view_gap, 1,
            "reloaded: the store says whether it is still ours"
        );
        let gone = run(state, vec![Action::Gone("a".into(), true)]);
        assert_eq!((gone.selected.as_ref(), gone.view.as_ref()), (None, None));
        assert!(gone
            .gone
            .as_deref()
            .is_some_and(|g| g.contains("moved out of your teams")));
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
