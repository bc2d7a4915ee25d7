//! The conversation panel: who is there, the composer with the in-browser
//! classifier's preview (team, personal data removed, what the company will
//! receive), the reply channel, and the thread with the people who answer.

/// The panel's state and the actions that change it.
pub mod state;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement, ShadowRoot};
use yew::prelude::*;

use super::answers;
use super::i18n::{self, Strings};
use super::session::{self, Session};
use super::Config;
use crate::domain::contact::{self, Presence};
use crate::domain::conversation::Labels;
use crate::domain::display::visible_controls;
use crate::fetch::{self as api, Failure};
use crate::js_object;
use state::{Action, PanelState, ReplyKind, ThreadMessage};

/// Styles adopted by the shadow root (constructable stylesheet, CSP-safe).
pub const STYLE: &str = include_str!("panel.css");

#[derive(PartialEq, Properties)]
pub struct PanelProps {
    pub config: Rc<Config>,
    /// The launcher's shadow root: focus returns to its button on close.
    pub root: ShadowRoot,
    /// Open at once (a click), or only follow the conversation (a page load
    /// with a conversation going on: the launcher shows unread replies).
    pub start_open: bool,
}

thread_local! {
    /// How the page's `open()` / `close()` reach the mounted panel.
    static OPENER: RefCell<Option<Callback<bool>>> = const { RefCell::new(None) };
}

/// Opens (`true`) or closes the mounted panel; false when none is mounted.
pub fn set_open(open: bool) -> bool {
    OPENER.with(|opener| match opener.borrow().as_ref() {
        Some(callback) => {
            callback.emit(open);
            true
        }
        None => false,
    })
}

/// Tells the page: `touchpoint:open`, `touchpoint:close`, `touchpoint:message`
/// and `touchpoint:unread` events on `window`, for `touchpoint.on(...)`.
fn announce(name: &str, detail: &JsValue) {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(detail);
    let mut event_name = String::from("touchpoint:");
    event_name.push_str(name);
    if let (Some(window), Ok(event)) = (
        web_sys::window(),
        web_sys::CustomEvent::new_with_event_init_dict(&event_name, &init),
    ) {
        let _ = window.dispatch_event(&event);
    }
}

/// A fresh id for a message, so a retried send is stored once.
fn client_id() -> String {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    let mut id = String::from("w-");
    id.push_str(&crate::domain::ids::event_id(bytes));
    id
}

fn explain(strings: &Strings, failure: &Failure) -> String {
    match failure {
        Failure::Network => strings.network_error.to_owned(),
        Failure::Api { message, .. } => i18n::fill(strings.error, &[("message", message)]),
    }
}

/// Formats an instant in the visitor's own time zone and language.
fn local_time(locale: &str, ms: i64, with_day: bool) -> String {
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(k), &JsValue::from_str(v));
    };
    if with_day {
        set("weekday", "long");
    }
    set("hour", "2-digit");
    set("minute", "2-digit");
    let format = js_sys::Intl::DateTimeFormat::new(
        &js_sys::Array::of1(&JsValue::from_str(locale)),
        &options,
    )
    .format();
    format
        .call1(
            &JsValue::NULL,
            &js_sys::Date::new(&JsValue::from_f64(ms as f64)),
        )
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// The conversation panel.
#[function_component(Panel)]
pub fn panel(props: &PanelProps) -> Html {
    let config = props.config.clone();
    let strings = i18n::strings(&config.locale);
    let start_open = props.start_open;
    let state = use_reducer(|| PanelState::new(session::load(&config.site), start_open));

    // The page's open() / close() go through the reducer.
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            let callback = Callback::from(move |open: bool| {
                state.dispatch(if open { Action::Open } else { Action::Close });
            });
            OPENER.with(|opener| *opener.borrow_mut() = Some(callback));
            || OPENER.with(|opener| *opener.borrow_mut() = None)
        });
    }

    // Open and close are told to the page (a panel that starts closed says nothing).
    {
        let open = state.open;
        let was_open = use_mut_ref(|| false);
        use_effect_with(open, move |open| {
            if *open || *was_open.borrow() {
                announce(if *open { "open" } else { "close" }, &JsValue::UNDEFINED);
            }
            *was_open.borrow_mut() = *open;
        });
    }

    // Unread staff replies: a badge on the launcher and an event for the page.
    {
        let root = props.root.clone();
        let unread = state.unread;
        use_effect_with(unread, move |unread| {
            if let Ok(Some(button)) = root.query_selector("button.launcher") {
                if *unread > 0 {
                    let count = unread.to_string();
                    let _ = button.set_attribute("data-unread", &count);
                    let _ = button.set_attribute("aria-description", &count);
                } else {
                    let _ = button.remove_attribute("data-unread");
                    let _ = button.remove_attribute("aria-description");
                }
            }
            announce("unread", &JsValue::from_f64(f64::from(*unread)));
        });
    }
    {
        let last = state.last_staff_message.clone();
        use_effect_with(last, move |last| {
            if let Some(message) = last {
                let detail = js_sys::Object::new();
                let _ = js_sys::Reflect::set(
                    &detail,
                    &"name".into(),
                    &message.name.clone().unwrap_or_default().into(),
                );
                let _ = js_sys::Reflect::set(&detail, &"text".into(), &message.text.clone().into());
                let _ = js_sys::Reflect::set(
                    &detail,
                    &"at".into(),
                    &JsValue::from_f64(message.created_at as f64),
                );
                announce("message", &detail);
            }
        });
    }
    let cursor = use_mut_ref(|| 0_i64);
    let pending_id: Rc<RefCell<Option<String>>> = use_mut_ref(|| None);

    // Who is there, once on open.
    {
        let state = state.clone();
        let config = config.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let path = {
                    let mut p = String::from("/v1/availability?site=");
                    p.push_str(&String::from(js_sys::encode_uri_component(&config.site)));
                    p
                };
                match api::call_and_read(
                    &config.endpoint,
                    "GET",
                    &path,
                    None,
                    None,
                    answers::site_state,
                )
                .await
                {
                    Ok(mut site) => {
                        if let Some(only) = &config.teams {
                            site.teams.retain(|t| only.contains(&t.id));
                        }
                        state.dispatch(Action::Availability(site));
                    }
                    Err(failure) => state.dispatch(Action::Failed(explain(
                        i18n::strings(&config.locale),
                        &failure,
                    ))),
                }
            });
        });
    }

    // A verified visitor on a new device picks up their latest open conversation.
    {
        let state = state.clone();
        let config = config.clone();
        use_effect_with((), move |_| {
            if let (None, Some(user)) = (state.session.clone(), config.user.clone()) {
                wasm_bindgen_futures::spawn_local(async move {
                    let body = js_object::Object::new()
                        .set("site", config.site.as_str())
                        .set("user", answers::identity_body(&user))
                        .build();
                    if let Ok(history) = api::call_and_read(
                        &config.endpoint,
                        "POST",
                        "/v1/identity/conversations",
                        None,
                        Some(&body),
                        answers::history,
                    )
                    .await
                    {
                        if let Some((session, _)) =
                            history.into_iter().find(|(_, status)| status != "closed")
                        {
                            session::save(&config.site, &session);
                            state.dispatch(Action::Resumed(session));
                        }
                    }
                });
            }
        });
    }

    // Polling for new messages while a conversation is open.
    {
        let state = state.clone();
        let config = config.clone();
        let cursor = cursor.clone();
        let session = state.session.clone();
        let interval = state.poll_ms;
        use_effect_with((session, interval), move |(session, interval)| {
            let mut handle = None;
            if let (Some(session), Some(window)) = (session.clone(), web_sys::window()) {
                let poll = move || {
                    let state = state.clone();
                    let config = config.clone();
                    let cursor = cursor.clone();
                    let session = session.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let after = *cursor.borrow();
                        let mut path = String::from("/v1/conversations/");
                        path.push_str(&session.id);
                        path.push_str("/messages?after=");
                        path.push_str(&after.to_string());
                        match api::call_and_read(
                            &config.endpoint,
                            "GET",
                            &path,
                            Some(&session.token),
                            None,
                            answers::poll,
                        )
                        .await
                        {
                            Ok(poll) => {
                                *cursor.borrow_mut() = poll.cursor.max(after);
                                let saw_staff = poll.messages.iter().any(|m| m.author == "staff");
                                let up_to = poll.cursor;
                                state.dispatch(Action::Polled(poll));
                                if saw_staff {
                                    let mut read = String::from("/v1/conversations/");
                                    read.push_str(&session.id);
                                    read.push_str("/read");
                                    let body =
                                        js_object::Object::new().set("up_to", up_to as f64).build();
                                    let _ = api::call_json(
                                        &config.endpoint,
                                        "POST",
                                        &read,
                                        Some(&session.token),
                                        Some(&body),
                                    )
                                    .await;
                                }
                            }
                            Err(failure) if failure.is_gone() => {
                                session::clear(&config.site);
                                state.dispatch(Action::SessionGone);
                            }
                            Err(_) => {} // Offline for a moment: the next tick tries again.
                        }
                    });
                };
                poll();
                let closure = Closure::<dyn FnMut()>::new(poll);
                handle = window
                    .set_interval_with_callback_and_timeout_and_arguments_0(
                        closure.as_ref().unchecked_ref(),
                        (*interval).max(1000) as i32,
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

    // Focus the message box when the panel opens.
    let textarea = use_node_ref();
    {
        let textarea = textarea.clone();
        use_effect_with(state.open, move |open| {
            if *open {
                if let Some(element) = textarea.cast::<web_sys::HtmlElement>() {
                    let _ = element.focus();
                }
            }
        });
    }

    if !state.open {
        return html! {};
    }

    let close = {
        let state = state.clone();
        let root = props.root.clone();
        Callback::from(move |_: ()| {
            state.dispatch(Action::Close);
            // Focus returns to the launcher that opened the panel.
            if let Ok(Some(button)) = root.query_selector("button.launcher") {
                if let Ok(button) = button.dyn_into::<web_sys::HtmlElement>() {
                    let _ = button.focus();
                }
            }
        })
    };
    let onkeydown = {
        let close = close.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                close.emit(());
            }
        })
    };

    // What the classifier says about the draft, as the visitor types.
    let analysis = if state.draft.trim().is_empty() {
        None
    } else {
        super::classifier::analyse(&state.draft)
    };
    let expected_team = match (&state.site, &analysis) {
        (Some(site), Some(analysis)) if state.session.is_none() => {
            contact::expected_team(site, &analysis.topic, state.team_choice.as_deref())
        }
        _ => None,
    };
    let presence = state.site.as_ref().map(contact::site_presence);

    let submit = {
        let state = state.clone();
        let config = config.clone();
        let cursor = cursor.clone();
        let pending_id = pending_id.clone();
        let analysis = analysis.clone();
        let expected = expected_team.map(|t| t.id.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if state.sending || state.draft.trim().is_empty() {
                return;
            }
            let Some(reply) = state.reply_preference() else {
                let strings = i18n::strings(&config.locale);
                let mut missing = String::from(strings.window_from);
                missing.push_str(" … ");
                missing.push_str(strings.window_to);
                state.dispatch(Action::Failed(i18n::fill(
                    strings.error,
                    &[("message", &missing)],
                )));
                return;
            };
            let id = pending_id
                .borrow_mut()
                .get_or_insert_with(client_id)
                .clone();
            let labels = analysis.as_ref().map(|a| Labels {
                topic: a.topic.clone(),
                sentiment: a.sentiment.clone(),
                kind: a.kind.to_owned(),
                confidence: Some(a.topic_confidence),
            });
            // Only the redacted text ever leaves the browser.
            let text = analysis
                .as_ref()
                .map(|a| a.redacted.clone())
                .unwrap_or_else(|| crate::domain::pii::redact(&state.draft).redacted);
            let team = if state.team_choice.is_some() {
                expected.clone()
            } else {
                None
            };
            state.dispatch(Action::Sending);
            let state = state.clone();
            let config = config.clone();
            let cursor = cursor.clone();
            let pending_id = pending_id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let strings = i18n::strings(&config.locale);
                let message = answers::message_body(&text, labels.as_ref(), &id);
                let outcome = match state.session.clone() {
                    None => {
                        let body = js_object::Object::new()
                            .set("site", config.site.as_str())
                            .set_some("user", config.user.as_ref().map(answers::identity_body))
                            .set_some("team", team.as_deref())
                            .set("message", message)
                            .set("reply", answers::reply_body(&reply))
                            .set("locale", config.locale.as_str())
                            .build();
                        api::call_and_read(
                            &config.endpoint,
                            "POST",
                            "/v1/conversations",
                            None,
                            Some(&body),
                            answers::started,
                        )
                        .await
                        .map(|started| {
                            let session = Session {
                                id: started.conversation_id.clone(),
                                token: started.visitor_token.clone(),
                            };
                            session::save(&config.site, &session);
                            *cursor.borrow_mut() = started.message.id;
                            Action::Started(session, started)
                        })
                    }
                    Some(session) => {
                        let mut path = String::from("/v1/conversations/");
                        path.push_str(&session.id);
                        path.push_str("/messages");
                        api::call_and_read(
                            &config.endpoint,
                            "POST",
                            &path,
                            Some(&session.token),
                            Some(&message),
                            |sent| answers::thread_message(&js_object::get(sent, "message")),
                        )
                        .await
                        .map(Action::Sent)
                    }
                };
                match outcome {
                    Ok(action) => {
                        *pending_id.borrow_mut() = None;
                        state.dispatch(action);
                    }
                    Err(failure) => {
                        if !matches!(failure, Failure::Network) {
                            *pending_id.borrow_mut() = None;
                        }
                        state.dispatch(Action::Failed(explain(strings, &failure)));
                    }
                }
            });
        })
    };

    let delete = {
        let state = state.clone();
        let config = config.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(session) = state.session.clone() else {
                return;
            };
            let state = state.clone();
            let config = config.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let mut path = String::from("/v1/conversations/");
                path.push_str(&session.id);
                match api::call_json(
                    &config.endpoint,
                    "DELETE",
                    &path,
                    Some(&session.token),
                    None,
                )
                .await
                {
                    Ok(_) => {
                        session::clear(&config.site);
                        state.dispatch(Action::Deleted);
                    }
                    Err(failure) => state.dispatch(Action::Failed(explain(
                        i18n::strings(&config.locale),
                        &failure,
                    ))),
                }
            });
        })
    };

    let on_draft = {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            state.dispatch(Action::Draft(
                e.target_unchecked_into::<HtmlTextAreaElement>().value(),
            ))
        })
    };
    let on_team = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            state.dispatch(Action::Team(Some(value)));
        })
    };
    let input = |make: fn(String) -> Action| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            state.dispatch(make(e.target_unchecked_into::<HtmlInputElement>().value()))
        })
    };
    let pick = |kind: ReplyKind| {
        let state = state.clone();
        Callback::from(move |_: Event| state.dispatch(Action::Reply(kind)))
    };

    let presence_line = match &presence {
        Some(Presence::Online { names, .. }) => {
            html! { <p class="presence online">{ i18n::fill(strings.here_now, &[("names", &names.join(", "))]) }</p> }
        }
        Some(Presence::OpenButAway { .. }) => html! { <p class="presence">{ strings.away }</p> },
        Some(Presence::Closed {
            next_opening: Some(at),
        }) => html! {
            <p class="presence">{ i18n::fill(strings.closed_until, &[("when", &local_time(&config.locale, *at, true))]) }</p>
        },
        Some(Presence::Closed { next_opening: None }) => {
            html! { <p class="presence">{ strings.closed }</p> }
        }
        None => html! {},
    };
    let typical = expected_team
        .and_then(|t| t.typical_first_response)
        .map(|t| {
            let (n, unit) = contact::rounded_wait(t.median_s);
            let unit = if unit == "hour" { "h" } else { "min" };
            html! { <p class="typical">{ i18n::fill(strings.typical, &[("n", &n.to_string()), ("unit", unit)]) }</p> }
        });

    let thread = if state.session.is_some() || !state.messages.is_empty() {
        html! {
            <ol class="thread" role="log" aria-live="polite" aria-label={strings.title}>
                { for state.messages.iter().map(|m| message_view(m, strings, &config.locale)) }
            </ol>
        }
    } else {
        html! {}
    };

    let pii_notice = analysis.as_ref().filter(|a| !a.pii.is_empty()).map(|a| {
        let mut kinds: Vec<&str> = Vec::new();
        for finding in &a.pii {
            let name = i18n::kind_name(strings, finding.kind.as_str());
            if !kinds.contains(&name) {
                kinds.push(name);
            }
        }
        html! {
            <div class="pii" role="status">
                { for kinds.iter().map(|k| html! { <p class="removed">{ i18n::fill(strings.removed, &[("kind", k)]) }</p> }) }
                <p class="receive">{ strings.we_receive }</p>
                <blockquote class="redacted">{ a.redacted.clone() }</blockquote>
            </div>
        }
    });

    let route_line = match (&state.site, expected_team) {
        (Some(site), Some(team)) if site.teams.len() > 1 => html! {
            <p class="route">
                <label for="tp-team">{ strings.goes_to }</label>
                <select id="tp-team" onchange={on_team}>
                    { for site.teams.iter().map(|t| html! { <option value={t.id.clone()} selected={t.id == team.id}>{ t.name.clone() }</option> }) }
                </select>
            </p>
        },
        (_, Some(team)) => {
            html! { <p class="route">{ strings.goes_to }{ ": " }<strong>{ team.name.clone() }</strong></p> }
        }
        _ => html! {},
    };

    let reply_fields = if state.session.is_none() {
        let promise = match state.reply {
            ReplyKind::Here => strings.promise_here,
            ReplyKind::Email => strings.promise_email,
            ReplyKind::Phone => strings.promise_phone,
        };
        html! {
            <fieldset class="reply">
                <legend>{ strings.reply_how }</legend>
                <label><input type="radio" name="tp-reply" checked={state.reply == ReplyKind::Here} onchange={pick(ReplyKind::Here)} />{ strings.reply_here }</label>
                <label><input type="radio" name="tp-reply" checked={state.reply == ReplyKind::Email} onchange={pick(ReplyKind::Email)} />{ strings.reply_email }</label>
                <label><input type="radio" name="tp-reply" checked={state.reply == ReplyKind::Phone} onchange={pick(ReplyKind::Phone)} />{ strings.reply_phone }</label>
                if state.reply == ReplyKind::Email {
                    <label class="field">{ strings.email_label }
                        <input type="email" autocomplete="email" required=true value={state.email.clone()} oninput={input(Action::Email)} />
                    </label>
                }
                if state.reply == ReplyKind::Phone {
                    <label class="field">{ strings.phone_label }
                        <input type="tel" autocomplete="tel" required=true value={state.phone.clone()} oninput={input(Action::Phone)} />
                    </label>
                    <label class="field">{ strings.window_from }
                        <input type="datetime-local" required=true value={state.window_from.clone()} oninput={input(Action::WindowFrom)} />
                    </label>
                    <label class="field">{ strings.window_to }
                        <input type="datetime-local" required=true value={state.window_to.clone()} oninput={input(Action::WindowTo)} />
                    </label>
                }
                <p class="promise">{ promise }</p>
            </fieldset>
        }
    } else {
        html! {}
    };

    let dir = if i18n::is_rtl(&config.locale) {
        "rtl"
    } else {
        "ltr"
    };
    html! {
        <section class="panel" role="dialog" aria-modal="false" aria-labelledby="tp-title" dir={dir} lang={config.locale.clone()} onkeydown={onkeydown}>
            <header>
                <div>
                    <h2 id="tp-title">{ strings.title }</h2>
                    { presence_line }
                </div>
                <button type="button" class="close" aria-label={strings.close} onclick={close.reform(|_: MouseEvent| ())}>{ "✕" }</button>
            </header>
            <div class="body">
                if state.deleted {
                    <p class="notice" role="status">{ strings.deleted }</p>
                }
                { thread }
                <form class="composer" onsubmit={submit}>
                    <label for="tp-message" class="field-label">{ strings.message_label }</label>
                    <textarea id="tp-message" ref={textarea} rows="3" maxlength="4000" placeholder={strings.placeholder}
                        value={state.draft.clone()} oninput={on_draft} />
                    { route_line }
                    { for typical }
                    { for pii_notice }
                    { reply_fields }
                    if let Some(error) = &state.error {
                        <p class="error" role="alert">{ error.clone() }</p>
                    }
                    <button type="submit" class="send" disabled={state.sending}>{ strings.send }</button>
                </form>
                if state.session.is_some() {
                    <button type="button" class="delete" onclick={delete}>{ strings.delete }</button>
                }
            </div>
            <p class="sr-only" aria-live="assertive">{ state.announcement.clone() }</p>
        </section>
    }
}

fn message_view(message: &ThreadMessage, strings: &Strings, locale: &str) -> Html {
    let time = local_time(locale, message.created_at, false);
    if message.author == "system" {
        let name = message.name.clone().unwrap_or_default();
        let text = match message.notice.as_deref() {
            Some("staff_joined") => i18n::fill(strings.joined, &[("name", &name)]),
            Some("closed") => strings.closed_notice.to_owned(),
            Some("reopened") => strings.reopened_notice.to_owned(),
            Some("moved_team") => strings.moved_notice.to_owned(),
            _ => strings.assigned_notice.to_owned(),
        };
        return html! { <li class="system"><span>{ text }</span></li> };
    }
    let (class, who) = if message.author == "staff" {
        ("staff", message.name.clone().unwrap_or_default())
    } else {
        ("visitor", strings.you.to_owned())
    };
    html! {
        <li class={class}>
            <p class="meta"><span class="who">{ who }</span>{ " · " }<time>{ time }</time></p>
            // Always text, never markup: Yew escapes it. Isolated and with
            // direction controls shown, so it cannot reorder itself.
            <p class="text"><bdi>{ visible_controls(&message.text).into_owned() }</bdi></p>
        </li>
    }
}
