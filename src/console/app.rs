//! The console's root: sign in with a staff token, then the inbox, the
//! conversation with its classification and the visitor's journey, and the
//! reply composer. Everything a visitor receives from here was typed and sent
//! by the signed-in person.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::state::{
    Action, Colleagues, ConsoleState, ConversationView, Inbox, Me, StaffMessage, Touchpoint,
};
use crate::domain::classify::{KINDS, SENTIMENTS, TOPICS};
use crate::domain::conversation::{Author, Status};
use crate::domain::display::visible_controls;
use crate::fetch::{self, Failure};

/// Where the token lives while the tab is open (never in the URL).
const TOKEN_KEY: &str = "touchpoint:staff-token";
/// When the console session ends (ms since the epoch): 12 hours after sign-in.
const EXPIRES_KEY: &str = "touchpoint:staff-session-expires";
const SESSION_MS: f64 = 12.0 * 3_600_000.0;

/// The token of a console session that has not expired; an expired one is forgotten.
fn session_token() -> Option<String> {
    let storage = session_storage()?;
    let expires: f64 = storage.get_item(EXPIRES_KEY).ok().flatten()?.parse().ok()?;
    if js_sys::Date::now() >= expires {
        forget_session();
        return None;
    }
    storage.get_item(TOKEN_KEY).ok().flatten()
}

fn remember_session(token: &str) {
    if let Some(storage) = session_storage() {
        let _ = storage.set_item(TOKEN_KEY, token);
        let _ = storage.set_item(EXPIRES_KEY, &(js_sys::Date::now() + SESSION_MS).to_string());
    }
}

fn forget_session() {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(TOKEN_KEY);
        let _ = storage.remove_item(EXPIRES_KEY);
    }
}
/// How often the inbox and the open conversation refresh.
const REFRESH_MS: i32 = 2000;

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn explain(failure: &Failure) -> String {
    match failure {
        Failure::Network => "The worker could not be reached. Nothing was lost; try again.".into(),
        Failure::Api { message, .. } => message.clone(),
    }
}

fn client_id() -> String {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    let mut id = String::from("c-");
    id.push_str(&crate::domain::ids::event_id(bytes));
    id
}

fn clock(ms: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    String::from(date.to_locale_string("default", &JsValue::UNDEFINED))
}

fn minutes(seconds: i64) -> String {
    let m = seconds / 60;
    if m < 60 {
        format!("{m} min")
    } else {
        format!("{} h {} min", m / 60, m % 60)
    }
}

async fn load_me(token: &str) -> Result<Me, Failure> {
    fetch::call("", "GET", "/v1/staff/me", Some(token), None::<&()>).await
}

/// The console application.
#[function_component(ConsoleApp)]
pub fn console_app() -> Html {
    let state = use_reducer(ConsoleState::default);
    let page = use_state(|| "inbox");
    let pending_id: Rc<RefCell<Option<String>>> = use_mut_ref(|| None);

    // A token kept from earlier in this tab signs in again.
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            if let Some(token) = session_token() {
                wasm_bindgen_futures::spawn_local(async move {
                    match load_me(&token).await {
                        Ok(me) => state.dispatch(Action::SignedIn(token, me)),
                        Err(_) => forget_session(),
                    }
                });
            }
        });
    }

    // Inbox and open conversation stay current without reloading.
    {
        let state = state.clone();
        let key = (
            state.token.clone(),
            state.team.clone(),
            state.status.clone(),
            state.selected.clone(),
        );
        use_effect_with(key, move |(token, team, status, selected)| {
            let mut handle = None;
            if let (Some(token), Some(window)) = (token.clone(), web_sys::window()) {
                let (team, status, selected) = (team.clone(), status.clone(), selected.clone());
                let refresh = move || {
                    let state = state.clone();
                    let token = token.clone();
                    // The session ends after 12 hours, even in an open tab.
                    if session_token().is_none() {
                        state.dispatch(Action::SignOut);
                        return;
                    }
                    let mut path = String::from("/v1/staff/inbox?team=");
                    path.push_str(&String::from(js_sys::encode_uri_component(&team)));
                    path.push_str("&status=");
                    path.push_str(&String::from(js_sys::encode_uri_component(&status)));
                    let selected = selected.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        match fetch::call::<Inbox>("", "GET", &path, Some(&token), None::<&()>)
                            .await
                        {
                            Ok(inbox) => state.dispatch(Action::Inbox(inbox)),
                            Err(Failure::Api { status: 401, .. }) => {
                                forget_session();
                                state.dispatch(Action::SignOut);
                                return;
                            }
                            Err(_) => {}
                        }
                        if let Some(id) = selected {
                            let mut path = String::from("/v1/staff/conversations/");
                            path.push_str(&id);
                            if let Ok(view) = fetch::call::<ConversationView>(
                                "",
                                "GET",
                                &path,
                                Some(&token),
                                None::<&()>,
                            )
                            .await
                            {
                                state.dispatch(Action::View(Box::new(view)));
                            }
                        }
                    });
                };
                refresh();
                let closure = Closure::<dyn FnMut()>::new(refresh);
                handle = window
                    .set_interval_with_callback_and_timeout_and_arguments_0(
                        closure.as_ref().unchecked_ref(),
                        REFRESH_MS,
                    )
                    .ok()
                    .map(|id| (id, closure));
            }
            move || {
                if let (Some((id, _closure)), Some(window)) = (handle, web_sys::window()) {
                    window.clear_interval_with_handle(id);
                }
            }
        });
    }

    // Colleagues and teams, for assigning and moving conversations.
    {
        let state = state.clone();
        use_effect_with(state.token.clone(), move |token| {
            if let Some(token) = token.clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(colleagues) = fetch::call::<Colleagues>(
                        "",
                        "GET",
                        "/v1/staff/colleagues",
                        Some(&token),
                        None::<&()>,
                    )
                    .await
                    {
                        state.dispatch(Action::Colleagues(colleagues));
                    }
                });
            }
        });
    }

    // Waiting conversations in the tab title.
    {
        let waiting = state.inbox.as_ref().map_or(0, |i| i.waiting);
        use_effect_with(waiting, move |waiting| {
            if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                let title = if *waiting > 0 {
                    format!("({waiting}) Touchpoint console")
                } else {
                    "Touchpoint console".to_owned()
                };
                document.set_title(&title);
            }
        });
    }

    // POST /v1/staff/conversations/{id}/{action}, with a body when the action takes one.
    let act = {
        let state = state.clone();
        Callback::from(
            move |(id, action, body): (String, &'static str, Option<serde_json::Value>)| {
                let Some(token) = state.token.clone() else {
                    return;
                };
                let state = state.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let mut path = String::from("/v1/staff/conversations/");
                    path.push_str(&id);
                    path.push('/');
                    path.push_str(action);
                    let result = fetch::call::<serde::de::IgnoredAny>(
                        "",
                        "POST",
                        &path,
                        Some(&token),
                        body.as_ref(),
                    )
                    .await;
                    if let Err(failure) = result {
                        state.dispatch(Action::Failed(explain(&failure)));
                    }
                });
            },
        )
    };

    // Keyboard: j / k next and previous conversation, r reply, Shift+C close.
    {
        let state = state.clone();
        let act = act.clone();
        let key = (
            state.selected.clone(),
            state.inbox.clone(),
            state.token.is_some(),
        );
        use_effect_with(key, move |_| {
            let document = web_sys::window().and_then(|w| w.document());
            let handler = Closure::<dyn FnMut(KeyboardEvent)>::new(move |event: KeyboardEvent| {
                let typing = event
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|e| {
                        matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    });
                if typing || event.ctrl_key() || event.meta_key() || event.alt_key() {
                    return;
                }
                match event.key().as_str() {
                    "j" | "k" => {
                        if let Some(id) = state.neighbour(if event.key() == "j" { 1 } else { -1 }) {
                            state.dispatch(Action::Select(id));
                        }
                    }
                    "r" => {
                        event.prevent_default();
                        if let Some(reply) = web_sys::window()
                            .and_then(|w| w.document())
                            .and_then(|d| d.get_element_by_id("reply"))
                            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                        {
                            let _ = reply.focus();
                        }
                    }
                    "C" => {
                        if let Some(id) = state.selected.clone() {
                            act.emit((id, "close", None));
                        }
                    }
                    _ => {}
                }
            });
            if let Some(document) = &document {
                let _ = document
                    .add_event_listener_with_callback("keydown", handler.as_ref().unchecked_ref());
            }
            move || {
                if let Some(document) = document {
                    let _ = document.remove_event_listener_with_callback(
                        "keydown",
                        handler.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }

    let Some(me) = state.me.clone() else {
        return sign_in(&state);
    };

    let sign_out = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            forget_session();
            state.dispatch(Action::SignOut);
        })
    };
    let toggle_presence = {
        let state = state.clone();
        let presence = me.presence.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(token) = state.token.clone() else {
                return;
            };
            let next = if presence == "online" {
                "away"
            } else {
                "online"
            };
            let state = state.clone();
            wasm_bindgen_futures::spawn_local(async move {
                #[derive(Serialize)]
                struct Presence {
                    presence: &'static str,
                }
                match fetch::call::<Me>(
                    "",
                    "PUT",
                    "/v1/staff/presence",
                    Some(&token),
                    Some(&Presence { presence: next }),
                )
                .await
                {
                    Ok(me) => state.dispatch(Action::Presence(me.presence)),
                    Err(failure) => state.dispatch(Action::Failed(explain(&failure))),
                }
            });
        })
    };
    let on_team = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let team = e.target_unchecked_into::<HtmlSelectElement>().value();
            state.dispatch(Action::Filter {
                team,
                status: state.status.clone(),
            });
        })
    };
    let on_status = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let status = e.target_unchecked_into::<HtmlSelectElement>().value();
            state.dispatch(Action::Filter {
                team: state.team.clone(),
                status,
            });
        })
    };
    let online = me.presence == "online";
    let tab = |name: &'static str, label: &'static str| {
        let show = page.clone();
        let current = *page == name;
        html! {
            <button type="button" class={classes!("tab", current.then_some("current"))} aria-pressed={current.to_string()}
                onclick={Callback::from(move |_: MouseEvent| show.set(name))}>{ label }</button>
        }
    };
    let teams = state
        .inbox
        .as_ref()
        .map(|i| i.teams.clone())
        .unwrap_or_else(|| me.teams.clone());

    html! {
        <div class="console">
            <header class="top">
                <strong>{ "Touchpoint" }</strong>
                { tab("inbox", "Inbox") }
                { tab("insights", "Insights") }
                if me.role == "admin" {
                    { tab("settings", "Settings") }
                }
                <span class="me">{ me.name.clone() }</span>
                <button type="button" class={classes!("presence", online.then_some("online"))} aria-pressed={online.to_string()} onclick={toggle_presence}>
                    { if online { "Online — visitors see you" } else { "Away" } }
                </button>
                <button type="button" class="sign-out" onclick={sign_out}>{ "Sign out" }</button>
            </header>
            if *page == "insights" {
                <super::insights::InsightsPage token={state.token.clone().unwrap_or_default()} />
            } else if *page == "settings" {
                <super::settings::SettingsPage token={state.token.clone().unwrap_or_default()} site={me.site.clone()} />
            } else {
            <nav class="filters" aria-label="Inbox filters">
                <label>{ "Team " }
                    <select onchange={on_team}>
                        <option value="" selected={state.team.is_empty()}>{ "All my teams" }</option>
                        { for teams.iter().map(|t| html! { <option value={t.clone()} selected={&state.team == t}>{ t.clone() }</option> }) }
                    </select>
                </label>
                <label>{ "Status " }
                    <select onchange={on_status}>
                        { for [("active", "Waiting and open"), ("waiting", "Waiting"), ("open", "Open"), ("closed", "Closed")].iter().map(|(v, l)| {
                            let selected = state.status == *v || (state.status.is_empty() && *v == "active");
                            html! { <option value={*v} selected={selected}>{ *l }</option> }
                        }) }
                    </select>
                </label>
                <span class="shortcuts">{ "j / k next · r reply · Shift+C close" }</span>
            </nav>
            <div class="workspace">
                { inbox_view(&state) }
                { conversation_view(&state, &me, act, pending_id) }
            </div>
            }
        </div>
    }
}

fn sign_in(state: &UseReducerHandle<ConsoleState>) -> Html {
    let input = use_node_ref_free();
    let submit = {
        let state = state.clone();
        let input = input.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Some(field) = input.cast::<HtmlInputElement>() else {
                return;
            };
            let token = field.value().trim().to_owned();
            if token.is_empty() {
                return;
            }
            let state = state.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match load_me(&token).await {
                    Ok(me) => {
                        remember_session(&token);
                        state.dispatch(Action::SignedIn(token, me));
                    }
                    Err(failure) => state.dispatch(Action::SignInFailed(match failure {
                        Failure::Api { status: 401, .. } => "That token is not valid.".into(),
                        other => explain(&other),
                    })),
                }
            });
        })
    };
    html! {
        <main class="sign-in">
            <h1>{ "Touchpoint console" }</h1>
            <form onsubmit={submit}>
                <label for="token">{ "Your staff token" }</label>
                <input id="token" ref={input} type="password" autocomplete="current-password" required=true />
                <button type="submit">{ "Sign in" }</button>
                if let Some(error) = &state.sign_in_error {
                    <p class="error" role="alert">{ error.clone() }</p>
                }
            </form>
            <p class="hint">{ "Your administrator gives you a personal token. It stays in this tab only and is forgotten when you close it." }</p>
        </main>
    }
}

/// A node ref outside hook rules (the sign-in form is rendered conditionally).
fn use_node_ref_free() -> NodeRef {
    NodeRef::default()
}

fn inbox_view(state: &UseReducerHandle<ConsoleState>) -> Html {
    let rows = state
        .inbox
        .as_ref()
        .map(|i| i.conversations.clone())
        .unwrap_or_default();
    html! {
        <section class="inbox" aria-label="Inbox">
            <h2>{ "Inbox" }</h2>
            if rows.is_empty() {
                <p class="empty">{ "Nothing here." }</p>
            }
            <ul>
                { for rows.iter().map(|row| {
                    let select = {
                        let state = state.clone();
                        let id = row.id.clone();
                        Callback::from(move |_: MouseEvent| state.dispatch(Action::Select(id.clone())))
                    };
                    let current = state.selected.as_ref() == Some(&row.id);
                    let wait = if row.status == Status::Waiting {
                        format!("waiting {} of {} min", minutes(row.waited_s), row.target_minutes)
                    } else {
                        row.status.as_str().to_owned()
                    };
                    html! {
                        <li>
                            <button type="button" class={classes!("row", current.then_some("current"), row.over_target.then_some("late"), (row.unread > 0).then_some("unread"))}
                                aria-current={current.then_some("true")} data-conversation={row.id.clone()} onclick={select}>
                                <span class="labels">{ format!("{} · {} · {} · {}", row.topic, row.sentiment, row.kind, row.channel) }</span>
                                <span class="wait">{ wait }</span>
                                if row.unread > 0 {
                                    <span class="badge" aria-label={format!("{} unread", row.unread)}>{ row.unread }</span>
                                }
                                <span class="preview"><bdi>{ visible_controls(row.preview.as_deref().unwrap_or_default()).into_owned() }</bdi></span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}

fn conversation_view(
    state: &UseReducerHandle<ConsoleState>,
    me: &Me,
    act: Callback<(String, &'static str, Option<serde_json::Value>)>,
    pending_id: Rc<RefCell<Option<String>>>,
) -> Html {
    let Some(view) = state.view.clone() else {
        return html! { <section class="conversation empty" aria-label="Conversation"><p>{ "Pick a conversation (j / k)." }</p></section> };
    };
    let c = &view.conversation;
    let id = c.id.clone();
    let reply_to = match c.reply_channel.as_str() {
        "email" => format!("by e-mail to {}", c.reply_email),
        "phone" => format!(
            "by phone, {} between {} and {}",
            c.reply_phone,
            clock(c.callback_from),
            clock(c.callback_to)
        ),
        "here" => "here, in the widget".to_owned(),
        other => format!("through {other} to {}", c.reply_address),
    };
    let on_draft = {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            state.dispatch(Action::Draft(
                e.target_unchecked_into::<HtmlTextAreaElement>().value(),
            ))
        })
    };
    let send = {
        let state = state.clone();
        let id = id.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (Some(token), text) = (state.token.clone(), state.draft.trim().to_owned()) else {
                return;
            };
            if text.is_empty() || state.sending {
                return;
            }
            // One id per draft: sending again after a failure cannot post twice.
            let client = pending_id
                .borrow_mut()
                .get_or_insert_with(client_id)
                .clone();
            state.dispatch(Action::Sending);
            let state = state.clone();
            let pending_id = pending_id.clone();
            let mut path = String::from("/v1/staff/conversations/");
            path.push_str(&id);
            path.push_str("/messages");
            wasm_bindgen_futures::spawn_local(async move {
                #[derive(Serialize)]
                struct Reply<'a> {
                    text: &'a str,
                    client_id: &'a str,
                }
                match fetch::call::<serde::de::IgnoredAny>(
                    "",
                    "POST",
                    &path,
                    Some(&token),
                    Some(&Reply {
                        text: &text,
                        client_id: &client,
                    }),
                )
                .await
                {
                    Ok(_) => {
                        *pending_id.borrow_mut() = None;
                        state.dispatch(Action::Sent);
                    }
                    Err(failure) => state.dispatch(Action::Failed(explain(&failure))),
                }
            });
        })
    };
    let claim = {
        let act = act.clone();
        let id = id.clone();
        Callback::from(move |_: MouseEvent| {
            act.emit((
                id.clone(),
                "assign",
                Some(serde_json::json!({ "staff": "me" })),
            ))
        })
    };
    let toggle = {
        let act = act.clone();
        let id = id.clone();
        let closed = c.status == Status::Closed;
        Callback::from(move |_: MouseEvent| {
            act.emit((id.clone(), if closed { "reopen" } else { "close" }, None))
        })
    };
    html! {
        <>
        <section class="conversation" aria-label="Conversation">
            <header>
                <h2>{ format!("{} — {}", view.team_name, c.status.as_str()) }</h2>
                <p class="classification">
                    { format!("Topic {} ({:.0}%), tone {}, {}; channel {}", c.topic, c.confidence * 100.0, c.sentiment, c.kind, c.channel) }
                </p>
                <p class="reply-pref">{ format!("Wants an answer {reply_to}") }</p>
                <div class="actions">
                    if c.assignee_id != me.id {
                        <button type="button" onclick={claim}>{ "Claim" }</button>
                    }
                    { assign_controls(state, c, act.clone()) }
                    <button type="button" onclick={toggle}>{ if c.status == Status::Closed { "Reopen" } else { "Close" } }</button>
                </div>
            </header>
            <ol class="thread" aria-label="Messages">
                { for view.messages.iter().map(|m| message_view(state, m)) }
            </ol>
            <form class="composer" onsubmit={send}>
                <label for="reply">{ format!("Reply as {}", me.name) }</label>
                <textarea id="reply" rows="3" value={state.draft.clone()} oninput={on_draft} />
                if let Some(error) = &state.error {
                    <p class="error" role="alert">{ format!("Not sent: {error}. Your reply is still here; press Send to try again.") }</p>
                }
                <button type="submit" disabled={state.sending}>{ "Send" }</button>
            </form>
        </section>
        <aside class="journey" aria-label="Journey">
            <h2>{ "Journey" }</h2>
            if view.journey.is_empty() {
                <p class="empty">{ "No touchpoints recorded for this visitor." }</p>
            }
            <ol>{ for view.journey.iter().enumerate().map(|(i, t)| touchpoint_view(t, time_on_page(&view.journey, i))) }</ol>
            if !view.earlier.is_empty() {
                <h3>{ "Earlier conversations" }</h3>
                <ul>{ for view.earlier.iter().map(|e| html! { <li>{ format!("{} · {} · {} · {}", clock(e.created_at), e.team_id, e.topic, e.status.as_str()) }</li> }) }</ul>
            }
        </aside>
        </>
    }
}

/// Assign to a colleague of the conversation's team, or move it to another team.
fn assign_controls(
    state: &UseReducerHandle<ConsoleState>,
    c: &super::state::Conversation,
    act: Callback<(String, &'static str, Option<serde_json::Value>)>,
) -> Html {
    let Some(colleagues) = state.colleagues.clone() else {
        return html! {};
    };
    let pick = |field: &'static str| {
        let act = act.clone();
        let id = c.id.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if !value.is_empty() {
                let mut body = serde_json::Map::new();
                body.insert(field.to_owned(), value.into());
                act.emit((id.clone(), "assign", Some(body.into())));
            }
        })
    };
    html! {
        <>
            <label>{ "Assign to " }
                <select class="assign-staff" onchange={pick("staff")}>
                    <option value="" selected={c.assignee_id.is_empty()}>{ "nobody" }</option>
                    { for colleagues.staff.iter().filter(|s| s.teams.contains(&c.team_id)).map(|s| html! {
                        <option value={s.id.clone()} selected={s.id == c.assignee_id}>{ format!("{} ({})", s.name, s.presence) }</option>
                    }) }
                </select>
            </label>
            <label>{ "Team " }
                <select class="move-team" onchange={pick("team")}>
                    { for colleagues.teams.iter().map(|t| html! { <option value={t.id.clone()} selected={t.id == c.team_id}>{ t.name.clone() }</option> }) }
                </select>
            </label>
        </>
    }
}

/// Time on a viewed page: until the next page view (at most 30 minutes, after
/// which the visit is taken to have ended), or its recorded engaged time.
fn time_on_page(journey: &[Touchpoint], index: usize) -> Option<i64> {
    let view = journey.get(index).filter(|t| t.kind == "pageview")?;
    let next = journey[index + 1..].iter().find(|t| t.kind == "pageview")?;
    let ms = next.occurred_at - view.occurred_at;
    (0..30 * 60_000).contains(&ms).then_some(ms / 1000)
}

fn touchpoint_view(t: &Touchpoint, seconds_on_page: Option<i64>) -> Html {
    let mut what = t.kind.clone();
    if !t.name.is_empty() {
        what.push(' ');
        what.push_str(&t.name);
    }
    let mut source = t.channel.replace('_', " ");
    let named = if t.source_name.is_empty() {
        &t.utm_source
    } else {
        &t.source_name
    };
    if !named.is_empty() {
        source.push_str(" (");
        source.push_str(named);
        source.push(')');
    }
    if !t.utm_campaign.is_empty() {
        source.push_str(", campaign ");
        source.push_str(&t.utm_campaign);
    }
    html! {
        <li class="touchpoint">
            <span class="when">{ clock(t.occurred_at) }</span>
            <span class="what">{ format!("{what} {} [{}]", t.path, t.page_type) }</span>
            if !source.is_empty() { <span class="source">{ source }</span> }
            if let Some(seconds) = seconds_on_page { <span class="engaged">{ format!("{seconds} s on the page") }</span> }
            if t.engaged_ms > 0 { <span class="engaged">{ format!("{} s engaged", t.engaged_ms / 1000) }</span> }
        </li>
    }
}

fn message_view(state: &UseReducerHandle<ConsoleState>, m: &StaffMessage) -> Html {
    if m.author == Author::System {
        let who = m.name.clone().unwrap_or_default();
        let text = match m.notice.as_deref() {
            Some("staff_joined") => format!("{who} joined"),
            Some(other) => other.replace('_', " "),
            None => String::new(),
        };
        return html! { <li class="system">{ text }</li> };
    }
    let who = if m.author == Author::Staff {
        m.name.clone().unwrap_or_default()
    } else {
        "Visitor".to_owned()
    };
    let correction = (m.author == Author::Visitor).then(|| {
        let labels = m.edge_labels.clone();
        let current = |pick: fn(&super::state::Labels) -> String| labels.as_ref().map(pick).unwrap_or_default();
        let (topic, tone, kind) = (current(|l| l.topic.clone()), current(|l| l.sentiment.clone()), current(|l| l.kind.clone()));
        let select = |field: &'static str, options: &[&'static str], selected: String| {
            let state = state.clone();
            let message = m.id;
            let (topic, tone, kind) = (topic.clone(), tone.clone(), kind.clone());
            let on_change = Callback::from(move |e: Event| {
                let value = e.target_unchecked_into::<HtmlSelectElement>().value();
                let Some(token) = state.token.clone() else { return };
                #[derive(Serialize)]
                struct Correction {
                    topic: String,
                    sentiment: String,
                    kind: String,
                }
                let mut correction = Correction { topic: topic.clone(), sentiment: tone.clone(), kind: kind.clone() };
                match field {
                    "topic" => correction.topic = value,
                    "tone" => correction.sentiment = value,
                    _ => correction.kind = value,
                }
                let state = state.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let mut path = String::from("/v1/staff/messages/");
                    path.push_str(&message.to_string());
                    path.push_str("/labels");
                    if let Err(failure) = fetch::call::<serde::de::IgnoredAny>("", "POST", &path, Some(&token), Some(&correction)).await {
                        state.dispatch(Action::Failed(explain(&failure)));
                    }
                });
            });
            html! {
                <label class="correct">{ format!("{field} ") }
                    <select class={format!("correct-{field}")} aria-label={format!("Correct the {field}")} onchange={on_change}>
                        { for options.iter().map(|o| html! { <option value={*o} selected={selected == *o}>{ *o }</option> }) }
                    </select>
                </label>
            }
        };
        html! {
            <p class="corrections">
                { select("topic", &TOPICS, topic.clone()) }
                { select("tone", &SENTIMENTS, tone.clone()) }
                { select("kind", &KINDS, kind.clone()) }
            </p>
        }
    });
    let disagreement = match (&m.browser_labels, &m.edge_labels) {
        (Some(b), Some(e)) if !m.labels_agree => {
            Some(format!("browser said {}, edge says {}", b.topic, e.topic))
        }
        _ => None,
    };
    html! {
        <li class={m.author.as_str()}>
            <p class="meta"><strong>{ who }</strong>{ " · " }{ clock(m.created_at) }</p>
            // Isolated and with direction controls shown, so a message cannot
            // reorder itself or its surroundings ("gnp.exe" behind U+202E).
            <p class="text"><bdi>{ visible_controls(&m.text).into_owned() }</bdi></p>
            if !m.pii_missed.is_empty() {
                <p class="flag">{ format!("Redacted at the edge: {}", m.pii_missed.join(", ")) }</p>
            }
            if let Some(d) = disagreement { <p class="flag">{ d }</p> }
            { for correction }
        </li>
    }
}
