//! The panel's state, changed only through `Action`s (a Yew reducer).

use std::rc::Rc;

use wasm_bindgen::JsValue;
use yew::Reducible;

use crate::domain::contact::{self, SiteState};
use crate::domain::conversation::ReplyPreference;
use crate::widget::session::Session;

/// A message of the thread, as the visitor API returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadMessage {
    pub id: i64,
    pub author: String,
    pub name: Option<String>,
    pub notice: Option<String>,
    pub text: String,
    pub created_at: i64,
}

/// `GET /v1/conversations/{id}/messages`.
#[derive(Debug, Clone, PartialEq)]
pub struct Poll {
    pub messages: Vec<ThreadMessage>,
    pub cursor: i64,
    pub status: String,
    pub poll_interval_ms: u32,
}

/// `POST /v1/conversations`.
#[derive(Debug, Clone, PartialEq)]
pub struct Started {
    pub conversation_id: String,
    pub visitor_token: String,
    pub message: ThreadMessage,
    pub poll_interval_ms: u32,
}

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
    pub site: Option<SiteState>,
    pub session: Option<Session>,
    pub messages: Vec<ThreadMessage>,
    pub status: String,
    pub poll_ms: u32,
    pub draft: String,
    pub team_choice: Option<String>,
    pub reply: ReplyKind,
    /// Whether the visitor picked the reply channel (else it follows presence).
    pub reply_chosen: bool,
    pub email: String,
    pub phone: String,
    pub window_from: String,
    pub window_to: String,
    pub sending: bool,
    pub error: Option<String>,
    /// Read out by screen readers when staff write.
    pub announcement: String,
    pub deleted: bool,
    /// Staff messages that arrived while the panel was closed.
    pub unread: u32,
    /// The newest staff message, for the page's `on('message')` listeners.
    pub last_staff_message: Option<ThreadMessage>,
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
    Failed(String),
    SessionGone,
    /// A verified visitor's conversation from another device.
    Resumed(Session),
    Deleted,
    Open,
    Close,
}

impl PanelState {
    pub fn new(session: Option<Session>, open: bool) -> Self {
        PanelState {
            open,
            site: None,
            session,
            messages: Vec::new(),
            status: String::new(),
            poll_ms: 3000,
            draft: String::new(),
            team_choice: None,
            reply: ReplyKind::Here,
            reply_chosen: false,
            email: String::new(),
            phone: String::new(),
            window_from: String::new(),
            window_to: String::new(),
            sending: false,
            error: None,
            announcement: String::new(),
            deleted: false,
            unread: 0,
            last_staff_message: None,
        }
    }

    /// The reply preference to send; `None` when the callback window is incomplete.
    pub fn reply_preference(&self) -> Option<ReplyPreference> {
        match self.reply {
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

    fn merge(&mut self, messages: Vec<ThreadMessage>) {
        for message in messages {
            if !self.messages.iter().any(|m| m.id == message.id) {
                self.messages.push(message);
            }
        }
        self.messages.sort_by_key(|m| m.id);
    }
}

impl Reducible for PanelState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Availability(site) => {
                // Nobody there: the e-mail path comes first, unless the visitor chose.
                if !next.reply_chosen
                    && contact::suggest_offline_path(&contact::site_presence(&site))
                {
                    next.reply = ReplyKind::Email;
                }
                next.site = Some(site);
            }
            Action::Draft(text) => next.draft = text,
            Action::Team(team) => next.team_choice = team,
            Action::Reply(kind) => {
                next.reply = kind;
                next.reply_chosen = true;
            }
            Action::Email(value) => next.email = value,
            Action::Phone(value) => next.phone = value,
            Action::WindowFrom(value) => next.window_from = value,
            Action::WindowTo(value) => next.window_to = value,
            Action::Sending => {
                next.sending = true;
                next.error = None;
            }
            Action::Started(session, started) => {
                next.session = Some(session);
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
                let new_staff = poll
                    .messages
                    .iter()
                    .filter(|m| m.author == "staff" && !known.contains(&m.id))
                    .count() as u32;
                // The first poll after a page load replays the thread: not news.
                if !next.open && !known.is_empty() {
                    next.unread += new_staff;
                }
                if let Some(staff) = poll
                    .messages
                    .iter()
                    .rev()
                    .find(|m| m.author == "staff" && !known.contains(&m.id))
                {
                    next.last_staff_message = Some(staff.clone());
                    let name = staff.name.clone().unwrap_or_default();
                    let mut announcement = name;
                    announcement.push_str(": ");
                    announcement.push_str(&staff.text);
                    next.announcement = announcement;
                }
                next.poll_ms = poll.poll_interval_ms;
                next.status = poll.status;
                next.merge(poll.messages);
            }
            Action::Failed(message) => {
                next.sending = false;
                next.error = Some(message);
            }
            Action::Resumed(session) => {
                if next.session.is_none() {
                    next.session = Some(session);
                }
            }
            Action::SessionGone => {
                next.session = None;
                next.messages.clear();
            }
            Action::Deleted => {
                next.session = None;
                next.messages.clear();
                next.deleted = true;
            }
            Action::Open => {
                next.open = true;
                next.unread = 0;
            }
            Action::Close => next.open = false,
        }
        Rc::new(next)
    }
}
