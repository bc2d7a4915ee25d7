//! The console's data as the staff API returns it, and its state, changed
//! only through `Action`s (a Yew reducer).

use std::rc::Rc;

use serde::Deserialize;
use yew::Reducible;

/// `GET /v1/staff/me`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Me {
    pub id: String,
    pub site: String,
    pub name: String,
    pub role: String,
    pub teams: Vec<String>,
    pub presence: String,
}

/// `GET /v1/staff/colleagues`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Colleagues {
    pub staff: Vec<Colleague>,
    pub teams: Vec<TeamName>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Colleague {
    pub id: String,
    pub name: String,
    pub teams: Vec<String>,
    pub presence: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TeamName {
    pub id: String,
    pub name: String,
}

/// One row of `GET /v1/staff/inbox`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InboxRow {
    pub id: String,
    pub team_id: String,
    pub status: String,
    pub channel: String,
    pub topic: String,
    pub sentiment: String,
    pub kind: String,
    pub confidence: f64,
    pub visitor_name: String,
    pub assignee_id: String,
    pub last_visitor_at: i64,
    pub target_minutes: i64,
    pub preview: Option<String>,
    pub unread: i64,
    pub waited_s: i64,
    pub over_target: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Inbox {
    pub conversations: Vec<InboxRow>,
    pub waiting: u32,
    pub teams: Vec<String>,
}

/// Labels as stored beside a message (the same type the edge writes).
pub use crate::domain::conversation::Labels;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Message {
    pub id: i64,
    pub author: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub notice: Option<String>,
    pub text: String,
    pub created_at: i64,
    pub browser_labels: Option<Labels>,
    pub edge_labels: Option<Labels>,
    pub labels_agree: bool,
    pub pii_missed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Conversation {
    pub id: String,
    pub team_id: String,
    pub status: String,
    pub channel: String,
    pub visitor_name: String,
    pub user_id: String,
    pub reply_channel: String,
    pub reply_email: String,
    pub reply_phone: String,
    pub callback_from: i64,
    pub callback_to: i64,
    pub reply_address: String,
    pub topic: String,
    pub sentiment: String,
    pub kind: String,
    pub confidence: f64,
    pub assignee_id: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Touchpoint {
    pub id: String,
    pub kind: String,
    pub occurred_at: i64,
    pub path: String,
    #[serde(default)]
    pub page_type: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub source_name: String,
    #[serde(default)]
    pub utm_source: String,
    #[serde(default)]
    pub utm_campaign: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub engaged_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Earlier {
    pub id: String,
    pub team_id: String,
    pub status: String,
    pub topic: String,
    pub created_at: i64,
}

/// `GET /v1/staff/conversations/{id}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ConversationView {
    pub conversation: Conversation,
    pub team_name: String,
    pub messages: Vec<Message>,
    pub journey: Vec<Touchpoint>,
    pub earlier: Vec<Earlier>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConsoleState {
    pub token: Option<String>,
    pub me: Option<Me>,
    pub sign_in_error: Option<String>,
    pub team: String,
    pub status: String,
    pub inbox: Option<Inbox>,
    pub selected: Option<String>,
    pub view: Option<ConversationView>,
    pub draft: String,
    pub sending: bool,
    pub error: Option<String>,
    pub colleagues: Option<Colleagues>,
}

pub enum Action {
    Colleagues(Colleagues),
    SignedIn(String, Me),
    SignInFailed(String),
    SignOut,
    Presence(String),
    Filter { team: String, status: String },
    Inbox(Inbox),
    Select(String),
    View(ConversationView),
    Draft(String),
    Sending,
    Sent,
    Failed(String),
}

impl ConsoleState {
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
            }
            Action::Inbox(inbox) => next.inbox = Some(inbox),
            Action::Colleagues(colleagues) => next.colleagues = Some(colleagues),
            Action::Select(id) => {
                if next.selected.as_ref() != Some(&id) {
                    next.draft.clear();
                    next.error = None;
                    next.view = None;
                }
                next.selected = Some(id);
            }
            Action::View(view) => {
                if next.selected.as_ref() == Some(&view.conversation.id) {
                    next.view = Some(view);
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
        }
        Rc::new(next)
    }
}
