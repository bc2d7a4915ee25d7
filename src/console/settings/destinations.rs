//! Settings → Destinations (issue 17): where the site's classified
//! interactions and touchpoints go besides Touchpoint. Each destination with
//! its kind, URL (query hidden), secret (last four characters), filter and
//! state; a form to add one and the same fields to edit one (name, URL or
//! prefix, a new secret, filter), with the API's refusal shown beside the
//! field it names; enable, disable, delete (after a confirmation); and its
//! delivery log a page at a time (Older / Newest), the page shown read again
//! every few seconds while open, with replay (a delivered one is refused by
//! the API, 409, and the log says so).
//!
//! One click, change and input handler serve the whole section (each
//! element says what it is with `data-*` or `name`), and every call goes
//! through `perform`: per-element closures and futures would cost the
//! console's download several KB.

mod state;

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

use self::state::{toggled, Action, DestinationsState, Draft, Group};
use crate::console::api;
use crate::console::components::{clock, explain};
use crate::console::hooks::use_effect_on;
use crate::domain::classify::TOPICS;
use crate::domain::destination::{masked_url, EventType, Filter, Kind, Spec, Update};
use crate::domain::wire::destinations::{Delivery, Destination};
use crate::fetch::{self, Failure};
use crate::hooks::use_poll;

/// How often an open delivery log is read again.
const LOG_REFRESH_MS: u32 = 2000;

#[derive(PartialEq, Properties)]
pub struct DestinationsProps {
    pub token: String,
    pub site: String,
    /// The site's teams, (id, name), for filters.
    pub teams: Vec<(String, String)>,
}

/// A call to the operator API.
enum Call {
    List,
    /// With the generated secret to show once.
    Create(Spec, Option<String>),
    Update(String, Update),
    Delete(String),
    /// Read a page of a destination's log (and the list, for its counts).
    Log(String, Option<String>),
    /// Replay a delivery of a destination, then read that page of its log.
    Replay(String, String, Option<String>),
}

/// Carries out `call`; what it came to, as an action.
async fn perform(token: &str, site: &str, call: Call) -> Action {
    let (log, cursor, note) = match call {
        Call::List => {
            return api::destinations(token, site)
                .await
                .map_or_else(Action::Failed, |l| Action::Loaded(l.destinations))
        }
        Call::Create(spec, shown) => {
            return api::create_destination(token, site, &spec)
                .await
                .map_or_else(Action::Failed, |made| Action::Created(made, shown))
        }
        Call::Update(id, change) => {
            return api::update_destination(token, site, &id, &change)
                .await
                .map_or_else(Action::Failed, Action::Changed)
        }
        Call::Delete(id) => {
            return api::delete_destination(token, site, &id)
                .await
                .map_or_else(Action::Failed, |gone| Action::Deleted(gone.id))
        }
        Call::Log(id, cursor) => (id, cursor, None),
        Call::Replay(id, delivery, cursor) => {
            let note = match api::replay(token, site, &id, &delivery).await {
                Ok(_) => (
                    true,
                    format!("Queued again: {delivery} (receivers see the same delivery id)."),
                ),
                Err(Failure::Api { status: 409, .. }) => (
                    false,
                    format!("{delivery} was delivered already: it is not sent twice."),
                ),
                Err(failure) => (false, explain(&failure)),
            };
            (id, cursor, Some(note))
        }
    };
    let (deliveries, note) = match api::deliveries(token, site, &log, cursor.as_deref()).await {
        Ok(answer) => (Some(answer), note),
        Err(failure) => (None, Some((false, explain(&failure)))),
    };
    let list = api::destinations(token, site).await.ok();
    Action::Logged {
        id: log,
        cursor,
        deliveries,
        list: list.map(|l| l.destinations),
        note,
    }
}

/// How Settings names a kind.
fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Webhook => "Webhook (signed JSON)",
        Kind::Segment => "Segment-compatible collector",
        Kind::Chatwoot => "Chatwoot help desk",
        Kind::R2 => "R2 bucket export (NDJSON per day)",
    }
}

/// What the URL and secret fields ask for, by kind.
fn field_labels(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Webhook => (
            "Endpoint URL (https://…)",
            "Signing secret (16+ characters; leave empty to generate one)",
        ),
        Kind::Segment => (
            "Collector base URL (…/v1/batch is added), e.g. https://api.segment.io",
            "Write key",
        ),
        Kind::Chatwoot => (
            "Chatwoot URL, e.g. https://app.chatwoot.com",
            "API access token (Profile settings → Access token)",
        ),
        Kind::R2 => ("", ""),
    }
}

/// A filter in words: "all events" or the ticked ones, then teams and topics.
fn filter_summary(filter: &Filter) -> String {
    let mut text = if filter.events.is_empty() {
        String::from("all events")
    } else {
        let names: Vec<&str> = filter.events.iter().map(|e| e.as_str()).collect();
        names.join(", ")
    };
    for (label, list) in [
        (" · teams: ", &filter.teams),
        (" · topics: ", &filter.topics),
    ] {
        if !list.is_empty() {
            text.push_str(label);
            text.push_str(&list.join(", "));
        }
    }
    text
}

/// The checkboxes of a filter: the events `kind` carries, and for the kinds
/// that carry conversations, teams and topics. None ticked: all.
fn filter_fields(kind: Kind, filter: &Filter, teams: &[(String, String)]) -> Html {
    let tick = |group: Group, value: &str, label: &str, checked: bool| {
        html! { <label><input type="checkbox" data-group={group.as_str()} value={value.to_owned()} {checked} />{ " " }{ label.to_owned() }</label> }
    };
    let events = EventType::ALL.into_iter().filter(|e| kind.carries(*e));
    let conversations = kind.carries(EventType::ConversationCreated);
    html! {
        <>
            <fieldset>
                <legend>{ "Events (none ticked: all)" }</legend>
                { for events.map(|e| tick(Group::Events, e.as_str(), e.as_str(), filter.events.contains(&e))) }
            </fieldset>
            if conversations {
                <fieldset>
                    <legend>{ "Teams (none ticked: all)" }</legend>
                    { for teams.iter().map(|(id, name)| tick(Group::Teams, id, name, filter.teams.contains(id))) }
                </fieldset>
                <fieldset>
                    <legend>{ "Topics (none ticked: all)" }</legend>
                    { for TOPICS.iter().map(|t| tick(Group::Topics, t, t, filter.topics.iter().any(|f| f == t))) }
                </fieldset>
            }
        </>
    }
}

/// A text input of the add or the edit form.
fn text_field(name: &'static str, label: &str, value: &str) -> Html {
    html! { <label>{ label.to_owned() }{ " " }<input {name} value={value.to_owned()} /></label> }
}

/// What the API said about `field`, beside it in the form that was saved.
fn field_error(state: &DestinationsState, field: &str, in_edit: bool) -> Html {
    match state
        .error_for(field)
        .filter(|_| state.error_in_edit == in_edit)
    {
        Some(said) => {
            html! { <span class="field-error" role="alert" data-field={field.to_owned()}>{ said.to_owned() }</span> }
        }
        None => html! {},
    }
}

/// The fields both forms share: name, then the prefix (R2) or the URL,
/// secret and filter; a Chatwoot destination's account and inbox are
/// asked for only when it is added.
fn spec_fields(
    state: &DestinationsState,
    draft: &Draft,
    teams: &[(String, String)],
    in_edit: bool,
) -> Html {
    let error = |field: &str| field_error(state, field, in_edit);
    let (url_label, secret_label) = field_labels(draft.kind);
    let secret_label = if in_edit {
        "New secret (empty: keep the current one)"
    } else {
        secret_label
    };
    html! {
        <>
            { text_field("name", "Name", &draft.name) }{ error("name") }
            if draft.kind == Kind::R2 {
                { text_field("prefix", "Object key prefix, ending with / (empty: the bucket's root)", &draft.prefix) }
                { error("prefix") }
            } else {
                { text_field("url", url_label, &draft.url) }{ error("url") }
                <label>{ secret_label }{ " " }<input name="secret" type="password" autocomplete="off" value={draft.secret.clone()} /></label>
                { error("secret") }
                if draft.kind == Kind::Chatwoot && !in_edit {
                    { text_field("account_id", "Account id", &draft.account_id) }
                    { text_field("inbox_id", "API inbox id", &draft.inbox_id) }
                    { error("chatwoot") }
                }
                { filter_fields(draft.kind, &draft.filter, teams) }
                { error("filter") }
            }
        </>
    }
}

/// The state of a delivery as a person reads it: a failing one still
/// pending is being retried.
fn state_label(delivery: &Delivery) -> &'static str {
    match delivery.status.as_str() {
        "pending" if delivery.replayable() => "failed, retrying",
        other => other,
    }
}

/// The last answer: why there was none, or its HTTP status.
fn last_answer(delivery: &Delivery) -> String {
    match (delivery.last_error.is_empty(), delivery.last_status) {
        (false, _) => delivery.last_error.clone(),
        (true, 0) => String::new(),
        (true, status) => format!("HTTP {status}"),
    }
}

fn delivery_log(state: &DestinationsState) -> Html {
    let rows = state.deliveries.iter().flatten().map(|d| html! {
        <tr class="delivery" data-delivery={d.id.clone()} data-status={d.status.as_str()}>
            <td>{ clock(d.created_at) }</td>
            <td>{ d.event_type.as_str() }</td>
            <td>{ state_label(d) }</td>
            <td>{ d.attempts }</td>
            <td>{ last_answer(d) }</td>
            <td>if d.replayable() {
                <button type="button" class="replay" data-act="replay" data-delivery={d.id.clone()}>{ "Replay" }</button>
            }</td>
        </tr>
    });
    html! {
        <div class="delivery-log" aria-label="Delivery log">
            <h4>{ "Delivery log (newest first; read again every few seconds)" }</h4>
            if let Some((ok, text)) = &state.log_note {
                <p class={if *ok { "saved" } else { "error" }} role={if *ok { "status" } else { "alert" }}>{ text.clone() }</p>
            }
            if state.deliveries.as_ref().is_some_and(Vec::is_empty) {
                <p>{ "Nothing sent yet." }</p>
            }
            <table>
                <thead><tr><th>{ "When" }</th><th>{ "Event" }</th><th>{ "State" }</th><th>{ "Attempts" }</th><th>{ "Last answer" }</th><th></th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            if state.log_cursor.is_some() {
                <button type="button" class="newest" data-act="newest">{ "Newest" }</button>
            }
            if state.older.is_some() {
                <button type="button" class="older" data-act="older">{ "Older" }</button>
            }
            <button type="button" data-act="close-log">{ "Close the log" }</button>
        </div>
    }
}

fn destination_row(
    d: &Destination,
    state: &DestinationsState,
    teams: &[(String, String)],
    origin: &str,
) -> Html {
    let mine = |open: &Option<String>| open.as_ref() == Some(&d.id);
    let r2 = d.kind == Kind::R2;
    // An R2 export has no URL, secret or filter: its bucket path instead.
    let (target, what) = if r2 {
        (
            format!("EXPORTS bucket: {}site=…/date=…/", d.prefix),
            String::from("touchpoints, conversations and labels, one object each per day"),
        )
    } else {
        (masked_url(&d.url), filter_summary(&d.filter))
    };
    let button = |act: &'static str, label: &'static str| {
        html! { <button type="button" class={act} data-act={act}>{ label }</button> }
    };
    html! {
        <li class="destination" data-id={d.id.clone()} data-enabled={d.enabled.to_string()}>
            <p><strong>{ d.name.clone() }</strong>{ format!(" · {} · ", kind_label(d.kind)) }<code>{ target }</code>
                if !r2 { { format!(" · secret …{}", d.secret_hint) } }</p>
            <p class="filter-summary">{ what }</p>
            <p>{ format!("{} · {} delivered · {} pending · {} dead",
                if d.enabled { "Enabled" } else { "Disabled" }, d.delivered, d.pending, d.dead) }</p>
            if let Some(path) = &d.inbound_url_path {
                <p>{ "Set as the API inbox's webhook URL in Chatwoot: " }<code>{ format!("{origin}{path}") }</code></p>
            }
            <p>
                { button("toggle", if d.enabled { "Disable" } else { "Enable" }) }
                { button("edit-filter", "Edit") }
                { button("show-log", "Delivery log") }
                { button("delete", "Delete") }
            </p>
            if mine(&state.confirming) {
                <p class="confirm" role="alert">{ format!("Delete {} and its delivery log? Nothing more will be sent to it.", d.name) }
                    { button("confirm-delete", "Delete") }{ button("cancel-delete", "Cancel") }</p>
            }
            if let Some((_, draft)) = state.editing.as_ref().filter(|(id, _)| *id == d.id) {
                <div class="filter-edit">
                    { spec_fields(state, draft, teams, true) }
                    <p><button type="button" class="save-filter" data-act="save-filter" disabled={state.saving}>{ "Save" }</button>
                        { button("cancel-edit", "Cancel") }</p>
                </div>
            }
            if mine(&state.log) {
                { delivery_log(state) }
            }
        </li>
    }
}

/// The Destinations section of Settings.
#[function_component(DestinationsSection)]
pub fn destinations_section(props: &DestinationsProps) -> Html {
    let state = use_reducer(DestinationsState::default);
    let call = {
        let dispatcher = state.dispatcher();
        let (token, site) = (props.token.clone(), props.site.clone());
        Callback::from(move |call: Call| {
            let (dispatcher, token, site) = (dispatcher.clone(), token.clone(), site.clone());
            wasm_bindgen_futures::spawn_local(async move {
                dispatcher.dispatch(perform(&token, &site, call).await);
            });
        })
    };
    {
        let call = call.clone();
        use_effect_on((), move |_| call.emit(Call::List));
    }
    {
        let call = call.clone();
        let page = state.log.clone().map(|id| (id, state.log_cursor.clone()));
        use_poll(page, LOG_REFRESH_MS, move |(id, cursor)| {
            call.emit(Call::Log(id.clone(), cursor.clone()))
        });
    }
    let onclick = {
        let (state, call) = (state.clone(), call.clone());
        Callback::from(move |e: MouseEvent| {
            let Some(button) = e
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|t| t.closest("[data-act]").ok().flatten())
            else {
                return;
            };
            let attribute =
                |element: &Element, name: &str| element.get_attribute(name).unwrap_or_default();
            let id = button
                .closest("[data-id]")
                .ok()
                .flatten()
                .map(|row| attribute(&row, "data-id"))
                .unwrap_or_default();
            let found = state.list.iter().find(|d| d.id == id);
            let update = |change: Update| call.emit(Call::Update(id.clone(), change));
            match attribute(&button, "data-act").as_str() {
                "toggle" => update(Update {
                    enabled: found.map(|d| !d.enabled),
                    ..Update::default()
                }),
                "save-filter" => {
                    if let Some((_, draft)) = &state.editing {
                        state.dispatch(Action::SavingEdit);
                        update(draft.update());
                    }
                }
                "edit-filter" => state.dispatch(Action::Edit(Some(id))),
                "cancel-edit" => state.dispatch(Action::Edit(None)),
                "show-log" => state.dispatch(Action::ShowLog(Some(id))),
                "close-log" => state.dispatch(Action::ShowLog(None)),
                "delete" => state.dispatch(Action::Confirm(Some(id))),
                "cancel-delete" => state.dispatch(Action::Confirm(None)),
                "confirm-delete" => call.emit(Call::Delete(id)),
                "replay" => call.emit(Call::Replay(
                    id,
                    attribute(&button, "data-delivery"),
                    state.log_cursor.clone(),
                )),
                "older" => state.dispatch(Action::Page(state.older.clone())),
                "newest" => state.dispatch(Action::Page(None)),
                _ => {}
            }
        })
    };
    // Checkboxes of a filter (the form's or the one being edited) and the kind.
    let onchange = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(group) = input
                .get_attribute("data-group")
                .and_then(|g| Group::parse(&g))
            else {
                if input.name() == "kind" {
                    state.dispatch(Action::Draft(state::Field::Kind, input.value()));
                }
                return;
            };
            let editing = input.closest(".filter-edit").ok().flatten().is_some();
            let filter = match (&state.editing, editing) {
                (Some((_, draft)), true) => &draft.filter,
                _ => &state.draft.filter,
            };
            let next = toggled(filter, group, &input.value(), input.checked());
            state.dispatch(if editing {
                Action::EditFilter(next)
            } else {
                Action::DraftFilter(next)
            });
        })
    };
    let oninput = {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(field) = Draft::field(&input.name()) {
                let editing = input.closest(".filter-edit").ok().flatten().is_some();
                state.dispatch(if editing {
                    Action::EditDraft(field, input.value())
                } else {
                    Action::Draft(field, input.value())
                });
            }
        })
    };
    let onsubmit = {
        let (state, call) = (state.clone(), call.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let generated = fetch::client_id("whsec_");
            let spec = state.draft.spec(&generated);
            let shown = (spec.secret == generated).then_some(generated);
            state.dispatch(Action::Saving);
            call.emit(Call::Create(spec, shown));
        })
    };
    let draft = &state.draft;
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();

    html! {
        <section class="destinations" aria-label="Destinations" {onclick} {onchange} {oninput}>
            <h3>{ "Destinations: where interactions are sent" }</h3>
            if let Some((ok, text)) = &state.message {
                <p class={if *ok { "saved" } else { "error" }} role={if *ok { "status" } else { "alert" }}>{ text.clone() }</p>
            }
            if state.list.is_empty() {
                <p class="empty">{ "None yet: conversations and touchpoints stay in Touchpoint." }</p>
            }
            <ul>{ for state.list.iter().map(|d| destination_row(d, &state, &props.teams, &origin)) }</ul>
            <form class="new-destination" {onsubmit} novalidate=true>
                <h4>{ "Add a destination" }</h4>
                <label>{ "Kind " }
                    <select name="kind">
                        { for Kind::ALL.iter().map(|k| html! { <option value={k.as_str()} selected={*k == draft.kind}>{ kind_label(*k) }</option> }) }
                    </select>
                </label>
                { spec_fields(&state, draft, &props.teams, false) }
                <button type="submit" class="save" disabled={state.saving}>{ "Add destination" }</button>
                if let Some((name, secret)) = &state.new_secret {
                    <p class="new-secret" role="status">
                        { format!("{name}'s signing secret — shown this once; your receiver checks x-touchpoint-signature with it: ") }
                        <code>{ secret.clone() }</code>
                    </p>
                }
            </form>
        </section>
    }
}
