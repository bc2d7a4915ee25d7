//! The Destinations section's state, changed only through `Action`s (a Yew
//! reducer): the list, the form that adds one, the one being edited (name,
//! URL, secret, filter), the delete awaiting confirmation and the open
//! delivery log with the page it shows.

use std::rc::Rc;

use yew::Reducible;

use crate::console::components::explain;
use crate::domain::api::invalid_field;
use crate::domain::destination::{ChatwootTarget, EventType, Filter, Kind, Spec, Update};
use crate::domain::wire::destinations::{Deliveries, Delivery, Destination};
use crate::fetch::Failure;

/// The form that adds a destination, or edits one, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub kind: Kind,
    pub name: String,
    pub url: String,
    pub secret: String,
    /// R2 only: the start of every object key.
    pub prefix: String,
    pub account_id: String,
    pub inbox_id: String,
    pub filter: Filter,
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            kind: Kind::Webhook,
            name: String::new(),
            url: String::new(),
            secret: String::new(),
            prefix: String::new(),
            account_id: String::new(),
            inbox_id: String::new(),
            filter: Filter::default(),
        }
    }
}

impl Draft {
    /// The form's text field named `name` (its `name` attribute).
    pub fn field(name: &str) -> Option<Field> {
        Some(match name {
            "kind" => Field::Kind,
            "name" => Field::Name,
            "url" => Field::Url,
            "secret" => Field::Secret,
            "prefix" => Field::Prefix,
            "account_id" => Field::Account,
            "inbox_id" => Field::Inbox,
            _ => return None,
        })
    }

    /// The form that edits `d`: its stored values, the secret left empty
    /// (kept unless one is typed: it is never shown again).
    pub fn of(d: &Destination) -> Draft {
        Draft {
            kind: d.kind,
            name: d.name.clone(),
            url: d.url.clone(),
            prefix: d.prefix.clone(),
            filter: d.filter.clone(),
            ..Draft::default()
        }
    }

    /// What saving the edit form changes; the API judges it, as on create.
    pub fn update(&self) -> Update {
        let r2 = self.kind == Kind::R2;
        let secret = self.secret.trim();
        Update {
            name: Some(self.name.trim().to_owned()),
            url: (!r2).then(|| self.url.trim().to_owned()),
            prefix: r2.then(|| self.prefix.trim().to_owned()),
            secret: (!secret.is_empty()).then(|| secret.to_owned()),
            filter: (!r2).then(|| self.filter.clone()),
            ..Update::default()
        }
    }

    /// Sets the field the form's input changed.
    fn set(&mut self, field: Field, value: String) {
        match field {
            Field::Kind => {
                if let Some(kind) = Kind::parse(&value) {
                    self.kind = kind;
                    // A kind's filter offers only what it carries.
                    self.filter.events.retain(|e| kind.carries(*e));
                }
            }
            Field::Name => self.name = value,
            Field::Url => self.url = value,
            Field::Secret => self.secret = value,
            Field::Prefix => self.prefix = value,
            Field::Account => self.account_id = value,
            Field::Inbox => self.inbox_id = value,
        }
    }

    /// The spec to create. A webhook whose secret is left empty is signed
    /// with `generated` (shown once after it is added). The API judges the
    /// rest, so its message can name the field.
    pub fn spec(&self, generated: &str) -> Spec {
        let typed = self.secret.trim();
        let secret = if self.kind == Kind::Webhook && typed.is_empty() {
            generated
        } else {
            typed
        };
        let number = |text: &str| text.trim().parse::<u32>().unwrap_or(0);
        // An R2 export writes to the worker's own bucket: a prefix, nothing
        // else (what was typed for another kind stays out).
        let r2 = self.kind == Kind::R2;
        let unless_r2 = |text: &str| if r2 { String::new() } else { text.to_owned() };
        Spec {
            kind: self.kind,
            name: self.name.trim().to_owned(),
            url: unless_r2(self.url.trim()),
            prefix: if r2 {
                self.prefix.trim().to_owned()
            } else {
                String::new()
            },
            secret: unless_r2(secret),
            chatwoot: (self.kind == Kind::Chatwoot).then(|| ChatwootTarget {
                account_id: number(&self.account_id),
                inbox_id: number(&self.inbox_id),
            }),
            filter: if r2 {
                Filter::default()
            } else {
                self.filter.clone()
            },
            enabled: true,
        }
    }
}

/// A field of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Kind,
    Name,
    Url,
    Secret,
    Prefix,
    Account,
    Inbox,
}

/// A list of a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Events,
    Teams,
    Topics,
}

impl Group {
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Events => "events",
            Group::Teams => "teams",
            Group::Topics => "topics",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Group::Events, Group::Teams, Group::Topics]
            .into_iter()
            .find(|g| g.as_str() == name)
    }
}

/// `filter` with `value` ticked (`on`) or not in `group`.
pub fn toggled(filter: &Filter, group: Group, value: &str, on: bool) -> Filter {
    let mut next = filter.clone();
    match group {
        Group::Events => {
            if let Some(event) = EventType::parse(value) {
                next.events.retain(|e| *e != event);
                if on {
                    next.events.push(event);
                }
            }
        }
        Group::Teams | Group::Topics => {
            let list = if group == Group::Teams {
                &mut next.teams
            } else {
                &mut next.topics
            };
            list.retain(|v| v != value);
            if on {
                list.push(value.to_owned());
            }
        }
    }
    next
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DestinationsState {
    pub list: Vec<Destination>,
    pub draft: Draft,
    pub saving: bool,
    /// The field the API refused, and what it said.
    pub field_error: Option<(String, String)>,
    /// Whether that refusal answered the edit form (else the add form).
    pub error_in_edit: bool,
    /// The last change's outcome: (succeeded, text).
    pub message: Option<(bool, String)>,
    /// A generated signing secret, shown once: (destination name, secret).
    pub new_secret: Option<(String, String)>,
    /// The destination being edited, with the form as typed.
    pub editing: Option<(String, Draft)>,
    /// The destination whose deletion awaits confirmation.
    pub confirming: Option<String>,
    /// The destination whose delivery log is open.
    pub log: Option<String>,
    /// Its entries, newest first, once read.
    pub deliveries: Option<Vec<Delivery>>,
    /// The page shown: `None` the newest, else the cursor it starts after.
    pub log_cursor: Option<String>,
    /// The cursor of the next older page, if there is one.
    pub older: Option<String>,
    /// What the log's last replay (or read) came to: (succeeded, text).
    pub log_note: Option<(bool, String)>,
}

impl DestinationsState {
    /// What the API said about `field` (or a part of it, `filter.events`).
    pub fn error_for(&self, field: &str) -> Option<&str> {
        let (named, said) = self.field_error.as_ref()?;
        let whole = named == field;
        let part = named
            .strip_prefix(field)
            .is_some_and(|rest| rest.starts_with('.'));
        (whole || part).then_some(said.as_str())
    }
}

pub enum Action {
    Loaded(Vec<Destination>),
    Draft(Field, String),
    DraftFilter(Filter),
    Saving,
    /// The edit form is being saved.
    SavingEdit,
    /// Added; with the generated secret to show once.
    Created(Destination, Option<String>),
    /// Enabled, disabled or refiltered.
    Changed(Destination),
    Deleted(String),
    Failed(Failure),
    /// Opens (or closes) a destination's edit form.
    Edit(Option<String>),
    EditDraft(Field, String),
    EditFilter(Filter),
    Confirm(Option<String>),
    ShowLog(Option<String>),
    /// Shows the log's page after this cursor (`None`: the newest).
    Page(Option<String>),
    /// A destination's log was read (with the list, for its counts), after
    /// a replay or a read that may have failed (`note`).
    Logged {
        id: String,
        /// The page read (its cursor) and what it held.
        cursor: Option<String>,
        deliveries: Option<Deliveries>,
        list: Option<Vec<Destination>>,
        note: Option<(bool, String)>,
    },
}

impl Reducible for DestinationsState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Loaded(list) => s.list = list,
            Action::Draft(field, value) => s.draft.set(field, value),
            Action::EditDraft(field, value) => {
                if let Some((_, draft)) = &mut s.editing {
                    draft.set(field, value);
                }
            }
            Action::DraftFilter(filter) => s.draft.filter = filter,
            Action::Saving | Action::SavingEdit => {
                s.error_in_edit = matches!(action, Action::SavingEdit);
                s.saving = true;
                s.field_error = None;
                s.message = None;
                s.new_secret = None;
            }
            Action::Created(destination, secret) => {
                s.saving = false;
                s.message = Some((true, format!("{} added.", destination.name)));
                s.new_secret = secret.map(|secret| (destination.name.clone(), secret));
                s.list.push(destination);
                s.draft = Draft {
                    kind: s.draft.kind,
                    ..Draft::default()
                };
            }
            Action::Changed(destination) => {
                s.saving = false;
                s.message = Some((true, format!("{} saved.", destination.name)));
                if let Some(stored) = s.list.iter_mut().find(|d| d.id == destination.id) {
                    *stored = destination;
                }
                s.editing = None;
            }
            Action::Deleted(id) => {
                let name = s.list.iter().find(|d| d.id == id).map(|d| d.name.clone());
                s.list.retain(|d| d.id != id);
                s.confirming = None;
                if s.log.as_ref() == Some(&id) {
                    s.log = None;
                    s.deliveries = None;
                }
                if s.editing
                    .as_ref()
                    .is_some_and(|(editing, _)| *editing == id)
                {
                    s.editing = None;
                }
                s.message = Some((true, format!("{} deleted.", name.unwrap_or(id))));
            }
            Action::Failed(failure) => {
                s.saving = false;
                let refused = match &failure {
                    Failure::Api {
                        status: 422,
                        message,
                        ..
                    } => invalid_field(message),
                    _ => None,
                };
                match refused {
                    Some((field, said)) => {
                        s.field_error = Some((field.to_owned(), said.to_owned()));
                        s.message = Some((false, "Not saved: see the marked field.".into()));
                    }
                    None => s.message = Some((false, explain(&failure))),
                }
            }
            Action::Edit(id) => {
                s.editing = id.and_then(|id| {
                    let draft = Draft::of(s.list.iter().find(|d| d.id == id)?);
                    Some((id, draft))
                });
            }
            Action::EditFilter(filter) => {
                if let Some((_, editing)) = &mut s.editing {
                    editing.filter = filter;
                }
            }
            Action::Confirm(id) => s.confirming = id,
            Action::ShowLog(id) => {
                if s.log != id {
                    s.deliveries = None;
                    s.log_note = None;
                    s.log_cursor = None;
                    s.older = None;
                }
                s.log = id;
            }
            Action::Page(cursor) => {
                s.deliveries = None;
                s.older = None;
                s.log_cursor = cursor;
            }
            Action::Logged {
                id,
                cursor,
                deliveries,
                list,
                note,
            } => {
                // A late answer about a log (or a page) left since is dropped.
                if s.log.as_ref() == Some(&id) && s.log_cursor == cursor {
                    if let Some(page) = deliveries {
                        s.deliveries = Some(page.deliveries);
                        s.older = page.next_cursor;
                    }
                    if note.is_some() {
                        s.log_note = note;
                    }
                }
                if let Some(list) = list {
                    s.list = list;
                }
            }
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn destination(id: &str, name: &str) -> Destination {
        Destination {
            id: id.into(),
            kind: Kind::Webhook,
            name: name.into(),
            url: "https://crm.example/h".into(),
            prefix: String::new(),
            secret_hint: "cdef".into(),
            chatwoot: None,
            inbound_url_path: None,
            filter: Filter::default(),
            enabled: true,
            created_at: 1,
            updated_at: 1,
            pending: 0,
            delivered: 0,
            dead: 0,
        }
    }

    fn reduce(state: DestinationsState, actions: Vec<Action>) -> DestinationsState {
        let mut state = Rc::new(state);
        for action in actions {
            state = state.reduce(action);
        }
        (*state).clone()
    }

    #[test]
    fn an_empty_webhook_secret_is_generated_and_others_are_kept() {
        let mut draft = Draft {
            name: " CRM ".into(),
            url: " https://crm.example/h ".into(),
            ..Draft::default()
        };
        let spec = draft.spec("whsec_generated0123456789");
        assert_eq!(
            (spec.name.as_str(), spec.url.as_str(), spec.secret.as_str()),
            ("CRM", "https://crm.example/h", "whsec_generated0123456789")
        );
        assert_eq!(spec.chatwoot, None);
        draft.secret = "typed-secret-0123456789".into();
        assert_eq!(draft.spec("g").secret, "typed-secret-0123456789");
        // Other kinds never invent a key: the API says which is missing.
        draft.kind = Kind::Segment;
        draft.secret.clear();
        assert_eq!(draft.spec("g").secret, "");
        draft.kind = Kind::R2;
        draft.url = "https://typed-before.example".into();
        draft.prefix = " touchpoint/ ".into();
        draft.filter.topics = vec!["billing".into()];
        let r2 = draft.spec("g");
        assert_eq!(
            (
                r2.url.as_str(),
                r2.secret.as_str(),
                r2.prefix.as_str(),
                r2.filter
            ),
            ("", "", "touchpoint/", Filter::default())
        );
        draft.kind = Kind::Chatwoot;
        draft.account_id = "12".into();
        draft.inbox_id = "x".into();
        assert_eq!(
            draft.spec("g").chatwoot,
            Some(ChatwootTarget {
                account_id: 12,
                inbox_id: 0
            })
        );
    }

    #[test]
    fn a_refused_field_is_named_and_cleared_by_the_next_attempt() {
        let refused = Failure::Api {
            status: 422,
            code: "invalid_request".into(),
            message: "invalid request: url: must start with https://".into(),
        };
        let state = reduce(
            DestinationsState::default(),
            vec![Action::Saving, Action::Failed(refused)],
        );
        assert_eq!(state.error_for("url"), Some("must start with https://"));
        assert_eq!(state.error_for("name"), None);
        assert!(!state.saving);
        let state = reduce(state, vec![Action::Saving]);
        assert_eq!(state.field_error, None);
        // Other failures are said at the top, naming no field.
        let state = reduce(state, vec![Action::Failed(Failure::Network)]);
        assert_eq!(state.field_error, None);
        assert!(matches!(state.message, Some((false, _))));
        let state = DestinationsState {
            field_error: Some(("filter.events".into(), "cannot carry".into())),
            ..state
        };
        assert_eq!(state.error_for("filter"), Some("cannot carry"));
        assert_eq!(state.error_for("filt"), None);
    }

    #[test]
    fn created_changed_and_deleted_keep_the_list_current() {
        let state = reduce(
            DestinationsState::default(),
            vec![
                Action::Draft(Field::Kind, "segment".into()),
                Action::Draft(Field::Name, "Warehouse".into()),
                Action::Saving,
                Action::Created(destination("d1", "Warehouse"), None),
                Action::Created(destination("d2", "CRM"), Some("whsec_x".into())),
            ],
        );
        assert_eq!(state.list.len(), 2);
        assert_eq!(state.new_secret, Some(("CRM".into(), "whsec_x".into())));
        // The form is emptied but keeps its kind.
        assert_eq!(
            (state.draft.kind, state.draft.name.as_str()),
            (Kind::Segment, "")
        );
        let mut off = destination("d2", "CRM");
        off.enabled = false;
        let state = reduce(
            state,
            vec![
                Action::Edit(Some("d2".into())),
                Action::EditFilter(Filter {
                    topics: vec!["billing".into()],
                    ..Filter::default()
                }),
            ],
        );
        assert_eq!(
            state.editing.as_ref().map(|(_, d)| d.filter.topics.clone()),
            Some(vec!["billing".to_owned()])
        );
        let state = reduce(
            state,
            vec![
                Action::Changed(off),
                Action::ShowLog(Some("d1".into())),
                Action::Confirm(Some("d1".into())),
                Action::Deleted("d1".into()),
            ],
        );
        assert_eq!(state.editing, None);
        assert!(!state.list[0].enabled);
        assert_eq!(state.list.len(), 1);
        assert_eq!((state.confirming.clone(), state.log.clone()), (None, None));
        assert_eq!(state.message, Some((true, "Warehouse deleted.".into())));
    }

    #[test]
    fn a_log_keeps_its_entries_and_drops_answers_about_a_closed_one() {
        let entry = Delivery {
            id: "d1.ev_1".into(),
            event_id: "ev_1".into(),
            event_type: "conversation.created".into(),
            conversation_id: "c_1".into(),
            status: crate::domain::destination::DeliveryState::Dead,
            attempts: 6,
            last_status: 500,
            last_error: "answered 500".into(),
            next_attempt_at: 0,
            created_at: 1,
            delivered_at: 0,
        };
        let logged = |id: &str, note: Option<(bool, String)>| Action::Logged {
            id: id.into(),
            cursor: None,
            deliveries: Some(Deliveries {
                deliveries: vec![entry.clone()],
                next_cursor: None,
            }),
            list: None,
            note,
        };
        let state = reduce(
            DestinationsState::default(),
            vec![Action::ShowLog(Some("d1".into())), logged("d1", None)],
        );
        assert_eq!(state.deliveries.as_ref().map(Vec::len), Some(1));
        // A replay's refusal is kept while the log is read again without one.
        let state = reduce(
            state,
            vec![
                logged("d1", Some((false, "delivered already".into()))),
                logged("d1", None),
            ],
        );
        assert_eq!(state.log_note, Some((false, "delivered already".into())));
        let state = reduce(
            state,
            vec![Action::ShowLog(Some("d2".into())), logged("d1", None)],
        );
        assert_eq!(
            (state.deliveries.clone(), state.log_note.clone()),
            (None, None)
        );
        assert_eq!(Draft::field("account_id"), Some(Field::Account));
        assert_eq!(Group::parse("topics"), Some(Group::Topics));
    }

    #[test]
    fn the_edit_form_starts_from_the_stored_values_and_keeps_an_untyped_secret() {
        let mut stored = destination("d1", "CRM");
        stored.filter.teams = vec!["sales".into()];
        let state = reduce(
            DestinationsState {
                list: vec![stored],
                ..DestinationsState::default()
            },
            vec![
                Action::Edit(Some("d1".into())),
                Action::EditDraft(Field::Name, " CRM EU ".into()),
                Action::EditDraft(Field::Url, "https://crm.example/eu".into()),
            ],
        );
        let (_, draft) = state.editing.clone().unwrap();
        assert_eq!(draft.secret, "", "a stored secret is never shown");
        assert_eq!(
            draft.update(),
            Update {
                name: Some("CRM EU".into()),
                url: Some("https://crm.example/eu".into()),
                filter: Some(Filter {
                    teams: vec!["sales".into()],
                    ..Filter::default()
                }),
                ..Update::default()
            }
        );
        let typed = reduce(
            state.clone(),
            vec![Action::EditDraft(
                Field::Secret,
                "new-secret-0123456789".into(),
            )],
        );
        assert_eq!(
            typed.editing.unwrap().1.update().secret.as_deref(),
            Some("new-secret-0123456789")
        );
        // A refusal of the edit is said beside the edit form's field, not the add form's.
        let refused = Failure::Api {
            status: 422,
            code: "invalid_request".into(),
            message: "invalid request: url: must start with https://".into(),
        };
        let state = reduce(
            state,
            vec![Action::SavingEdit, Action::Failed(refused.clone())],
        );
        assert!(state.error_in_edit);
        assert_eq!(state.error_for("url"), Some("must start with https://"));
        let state = reduce(state, vec![Action::Saving, Action::Failed(refused)]);
        assert!(!state.error_in_edit);
        // An R2 export edits its name and prefix only.
        let mut r2 = destination("d2", "Warehouse");
        r2.kind = Kind::R2;
        r2.url.clear();
        let mut draft = Draft::of(&r2);
        draft.prefix = "tp/".into();
        let update = draft.update();
        assert_eq!(
            (update.url, update.prefix.as_deref(), update.filter),
            (None, Some("tp/"), None)
        );
    }

    #[test]
    fn the_log_shows_one_page_and_drops_answers_about_another() {
        let page = |next: Option<&str>| Deliveries {
            deliveries: Vec::new(),
            next_cursor: next.map(Into::into),
        };
        let logged = |cursor: Option<&str>, next: Option<&str>| Action::Logged {
            id: "d1".into(),
            cursor: cursor.map(Into::into),
            deliveries: Some(page(next)),
            list: None,
            note: None,
        };
        let state = reduce(
            DestinationsState::default(),
            vec![Action::ShowLog(Some("d1".into())), logged(None, Some("c1"))],
        );
        assert_eq!(state.older.as_deref(), Some("c1"));
        let state = reduce(
            state,
            vec![
                Action::Page(Some("c1".into())),
                // The newest page, read before the click, arrives late: dropped.
                logged(None, Some("c1")),
            ],
        );
        assert_eq!(
            (state.deliveries.clone(), state.older.clone()),
            (None, None)
        );
        let state = reduce(state, vec![logged(Some("c1"), None)]);
        assert_eq!(state.deliveries, Some(Vec::new()));
        assert_eq!(state.older, None);
        // Another destination's log starts at its newest page.
        let state = reduce(state, vec![Action::ShowLog(Some("d2".into()))]);
        assert_eq!(state.log_cursor, None);
    }

    #[test]
    fn filters_tick_and_untick_and_follow_the_kind() {
        let filter = toggled(&Filter::default(), Group::Events, "touchpoints", true);
        let filter = toggled(&filter, Group::Events, "message.created", true);
        let filter = toggled(&filter, Group::Topics, "billing", true);
        let filter = toggled(&filter, Group::Teams, "sales", true);
        let filter = toggled(&filter, Group::Teams, "sales", false);
        assert_eq!(
            filter,
            Filter {
                events: vec![EventType::Touchpoints, EventType::MessageCreated],
                teams: Vec::new(),
                topics: vec!["billing".into()],
            }
        );
        assert_eq!(toggled(&filter, Group::Events, "nonsense", true), filter);
        // Switching to Segment drops the events it cannot carry.
        let state = reduce(
            DestinationsState::default(),
            vec![
                Action::DraftFilter(filter),
                Action::Draft(Field::Kind, "segment".into()),
            ],
        );
        assert_eq!(state.draft.filter.events, vec![EventType::Touchpoints]);
    }
}
