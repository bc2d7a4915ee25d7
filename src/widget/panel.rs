//! The conversation panel: who is there, the composer with the in-browser
//! classifier's preview (team, personal data removed, what the company will
//! receive), the reply channel, and the thread with the people who answer.
//! The parts are in `components`, what keeps it current in `hooks`, the calls
//! in `api`; this root holds the state and sends and deletes.

/// The panel's state and the actions that change it.
pub mod state;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::ShadowRoot;
use yew::prelude::*;

use super::components::{
    header, memo, preview, reply_fields, thread, Drawn, HeaderProps, PreviewProps,
    ReplyFieldsProps, ThreadProps,
};
use super::hooks::{
    announce, use_availability, use_live, use_messages, use_page_events, use_resume,
};
use super::i18n;
use super::session::{self, Session};
use super::{answers, api, transport, Config};
use crate::domain::classify::Classification;
use crate::domain::contact;
use crate::domain::conversation::{ReplyInput, ReplyPreference};
use crate::domain::interaction::{ClassifiedInteraction, Envelope, PageFacts, Transport};
use crate::fetch::{client_id, Failure};
use crate::hooks::on_draft;
use state::{Action, PanelState};

/// The message on its way: its client id, its text and how the visitor
/// wants the answer.
type PendingSend = Rc<RefCell<Option<(String, String, ReplyPreference)>>>;

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

/// The page's `open()` / `close()` go through the reducer while the panel is mounted.
#[hook]
fn use_opener(dispatcher: UseReducerDispatcher<PanelState>) {
    use_effect_with((), move |_| {
        let callback = Callback::from(move |open: bool| {
            dispatcher.dispatch(if open { Action::Open } else { Action::Close });
        });
        OPENER.with(|opener| *opener.borrow_mut() = Some(callback));
        || OPENER.with(|opener| *opener.borrow_mut() = None)
    });
}

/// While the panel fills the screen (a phone: panel.css's full-screen
/// rule), the page behind it is inert: Tab and a screen reader's cursor never
/// reach links hidden under it. Only when the launcher sits outside `<body>`
/// (the script tag puts it beside it), so the panel is never made inert with
/// the page. `<body>` carries `data-touchpoint-inert` while the panel holds
/// it inert, so giving it back (`open` false, or no longer full screen)
/// never undoes an inert the page set itself.
fn page_inert_behind(root: &ShadowRoot, open: bool) {
    const MARK: &str = "data-touchpoint-inert";
    let Some(window) = web_sys::window() else {
        return;
    };
    let size = |size: Result<JsValue, JsValue>| size.ok().and_then(|s| s.as_f64()).unwrap_or(0.0);
    let full_screen = size(window.inner_width()) <= 480.0 || size(window.inner_height()) <= 500.0;
    if let Some(body) = window.document().and_then(|d| d.body()) {
        let ours = body.has_attribute(MARK);
        let inert =
            open && full_screen && !body.contains(Some(&root.host())) && (ours || !body.inert());
        if inert != ours {
            body.set_inert(inert);
            let _ = body.toggle_attribute(MARK);
        }
    }
}

/// The conversation panel.
#[function_component(Panel)]
pub fn panel(props: &PanelProps) -> Html {
    let config = props.config.clone();
    // A site's own endpoint: a contact form, no thread to resume.
    let live = config.transport.is_live();
    let state = use_reducer(|| {
        let session = live.then(|| session::load(&config.site)).flatten();
        PanelState::new(session, props.start_open, !live)
    });
    // The newest message id seen: polls ask for what came after it.
    let cursor = use_mut_ref(|| 0_i64);
    // The id of the message being sent and its text, kept until it is stored.
    let pending_id: PendingSend = use_mut_ref(|| None);

    use_opener(state.dispatcher());
    use_page_events(&state, &props.root, i18n::strings(&config.locale));
    use_availability(config.clone(), state.dispatcher());
    use_resume(config.clone(), state.session.clone(), state.dispatcher());
    use_messages(
        config.clone(),
        state.session.clone(),
        (state.poll_ms, state.live, state.rings, state.open),
        cursor.clone(),
        state.dispatcher(),
    );
    let typing = use_live(config.clone(), state.session.clone(), state.dispatcher());

    // Focus the message box when the panel opens, and again once a message
    // is sent: the box is disabled while it goes, which drops the focus to
    // the page (and Escape, heard by the panel, would no longer close it).
    // A refused address, number or window gets the focus instead: that is
    // what to change.
    let textarea = use_node_ref();
    {
        let textarea = textarea.clone();
        let root = props.root.clone();
        use_effect_with((state.open, state.sending), move |(open, sending)| {
            page_inert_behind(&root, *open);
            if *open && !*sending {
                // Marked only while refused (`ReplyFields`).
                let refused = match root.query_selector("[aria-invalid]") {
                    Ok(Some(input)) => input.dyn_into::<web_sys::HtmlElement>().ok(),
                    _ => None,
                };
                if let Some(element) = refused.or_else(|| textarea.cast()) {
                    let _ = element.focus();
                }
            }
            move || page_inert_behind(&root, false)
        });
    }

    // The header grows when availability arrives (the site's answer holds
    // it): on a short screen (a phone held sideways, its keyboard up) that
    // pushed the message box, focused as the panel opened, out of the
    // scroll area below it, and focusing it again does not scroll. (The
    // scroll area is positioned: the box's offset is within it.)
    let body = use_node_ref();
    {
        let (textarea, body) = (textarea.clone(), body.clone());
        use_effect_with((state.open, state.site.is_some()), move |_| {
            if let (Some(area), Some(body)) = (
                textarea.cast::<web_sys::HtmlElement>(),
                body.cast::<web_sys::HtmlElement>(),
            ) {
                body.set_scroll_top(crate::domain::display::scroll_to_show(
                    area.offset_top(),
                    area.offset_height(),
                    body.scroll_top(),
                    body.client_height(),
                ));
            }
        });
    }

    // The thread and the reply fields as last drawn (`components::memo`).
    let thread_drawn: Rc<Drawn<ThreadProps>> = use_mut_ref(|| None);
    let reply_drawn: Rc<Drawn<ReplyFieldsProps>> = use_mut_ref(|| None);

    if !state.open {
        *thread_drawn.borrow_mut() = None;
        *reply_drawn.borrow_mut() = None;
        return html! {};
    }

    let close = {
        let dispatcher = state.dispatcher();
        let root = props.root.clone();
        Callback::from(move |_: ()| {
            dispatcher.dispatch(Action::Close);
            // Focus returns to the launcher that opened the panel.
            if let Ok(Some(button)) = root.query_selector("button.launcher") {
                if let Ok(button) = button.dyn_into::<web_sys::HtmlElement>() {
                    let _ = button.focus();
                }
            }
        })
    };
    let onkeydown = {
        let (close, root) = (close.clone(), props.root.clone());
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                close.emit(());
            } else {
                // Before a Tab moves the focus: the screen may have been
                // zoomed or turned since the panel opened.
                page_inert_behind(&root, true);
            }
        })
    };

    // What the classifier says about the draft, as the visitor types.
    let analysis = if crate::domain::text::is_blank(&state.draft) {
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

    // Who is there: the conversation's team once there is one, else the
    // team the draft will reach, or the site's people before a draft; the
    // reply channel follows it unless chosen.
    let presence = state
        .site
        .as_deref()
        .map(|site| contact::presence_shown(site, state.team.as_deref(), expected_team));
    let reply = state.reply_kind(presence.as_ref());

    let submit = {
        let state = state.clone();
        let config = config.clone();
        let analysis = analysis.clone();
        let expected = expected_team.map(|t| t.id.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            send_draft(
                &state,
                &config,
                &cursor,
                &pending_id,
                analysis.as_ref(),
                expected.clone(),
                reply,
            );
        })
    };
    let delete = {
        let state = state.clone();
        let config = config.clone();
        Callback::from(move |event: MouseEvent| {
            // The second click of a double click is not an answer (`detail` 2).
            if state.delete_armed && event.detail() < 2 {
                delete_conversation(&state, &config);
            }
            state.dispatch(Action::DeletePressed);
        })
    };

    let locale = AttrValue::from(config.locale.clone());
    // Marked with the language its words are in: on a page in a language
    // the panel does not speak (Arabic, say) that is English, left to right.
    let strings = i18n::strings(&config.locale);
    // A site with no team yet cannot take a first message: the header says
    // so, and no composer invites one.
    let composer = state.session.is_some() || presence != Some(contact::Presence::NoTeam);
    let draft_input = {
        let draft = on_draft(state.dispatcher(), Action::Draft);
        Callback::from(move |event: InputEvent| {
            typing.emit(());
            draft.emit(event);
        })
    };
    // The length near the limit, read out with the message box it describes.
    let count = length_near_the_limit(&state.draft);
    let thread_part = memo(
        &thread_drawn,
        (state.session.is_some() || !state.messages.is_empty()).then(|| ThreadProps {
            locale: locale.clone(),
            messages: state.messages.clone(),
        }),
        thread,
    );
    let reply_part = memo(
        &reply_drawn,
        (composer && state.session.is_none()).then(|| ReplyFieldsProps {
            strings,
            reply,
            email_only: !live,
            email: state.email.clone().into(),
            phone: state.phone.clone().into(),
            window_from: state.window_from.clone().into(),
            window_to: state.window_to.clone().into(),
            invalid: state.invalid,
            dispatcher: state.dispatcher(),
        }),
        reply_fields,
    );
    html! {
        <section class="panel" role="dialog" aria-modal="false" aria-labelledby="tp-title" dir="ltr" lang={strings.lang} onkeydown={onkeydown}>
            { header(&HeaderProps { locale: locale.clone(), presence, on_close: close }) }
            <div class="body" ref={body}>
                if state.deleted {
                    <p class="notice" role="status">{ strings.deleted }</p>
                }
                if state.delivered {
                    <p class="notice" role="status">{ strings.sent }</p>
                }
                if state.session.is_some() || !state.messages.is_empty() {
                    { thread_part }
                }
                if let Some(name) = &state.typing {
                    <p class="typing" role="status">{ i18n::fill(strings.typing, &[("name", name)]) }</p>
                }
                if composer {
                    <form class="composer" onsubmit={submit}>
                        <label for="tp-message" class="field-label">{ strings.message_label }</label>
                        // `dir="auto"`: a draft in Arabic or Hebrew reads right to left.
                        <textarea id="tp-message" ref={textarea} rows="3" maxlength="4000" placeholder={strings.placeholder}
                            dir="auto" aria-describedby={count.is_some().then_some("tp-count")}
                            value={state.draft.clone()} oninput={draft_input} />
                        if let Some(count) = count {
                            <p class="count" id="tp-count">{ count }</p>
                        }
                        { preview(&PreviewProps {
                            strings,
                            site: state.site.as_deref(),
                            expected: expected_team,
                            guess: analysis.as_ref().is_some_and(|a| contact::team_is_a_guess(a.topic_confidence, state.team_choice.as_deref())),
                            dispatcher: state.dispatcher(),
                            findings: analysis.as_ref().map_or(&[][..], |a| &a.pii[..]),
                            redacted: analysis.as_ref().map(|a| AttrValue::from(a.redacted.clone())).unwrap_or_default(),
                        }) }
                        if state.session.is_none() {
                            { reply_part }
                        }
                        if let Some(error) = &state.error {
                            <p class="error" id="tp-error" role="alert">{ error.clone() }</p>
                        }
                        <button type="submit" class="send" disabled={state.sending}>{ strings.send }</button>
                    </form>
                }
                if state.session.is_some() {
                    <button type="button" class="delete" aria-live="polite" onclick={delete}>
                        { if state.delete_armed { strings.delete_confirm } else { strings.delete } }
                    </button>
                }
            </div>
        </section>
    }
}

/// Sends the draft as a classified interaction: only the redacted text
/// leaves the browser. The page's `beforeSend` may change or drop it and
/// `on('submit')` hears what goes; then the site's own endpoint receives it,
/// or the worker, where the first message starts the conversation and later
/// ones join it. The same id goes again after a network failure, so a retry
/// is stored once; an edited draft is another message, with an id of its own
/// (the first may have been stored, its answer lost).
fn send_draft(
    state: &UseReducerHandle<PanelState>,
    config: &Rc<Config>,
    cursor: &Rc<RefCell<i64>>,
    pending_id: &PendingSend,
    analysis: Option<&Classification>,
    expected_team: Option<String>,
    reply: state::ReplyKind,
) {
    if state.sending || crate::domain::text::is_blank(&state.draft) {
        return;
    }
    let strings = i18n::strings(&config.locale);
    let callback = reply == state::ReplyKind::Phone;
    let Some(contact) = state.reply_preference(reply) else {
        // A call back without its window.
        state.dispatch(Action::Failed(
            strings.check_window.to_owned(),
            Some(ReplyInput::Window),
        ));
        return;
    };
    let id = {
        let mut pending = pending_id.borrow_mut();
        // Sent again as it was (its answer lost), it keeps its id, so the
        // worker stores it once; edited, or to be answered another way, it
        // is a new message.
        match &*pending {
            Some((id, text, to)) if *text == state.draft && *to == contact => id.clone(),
            _ => pending
                .insert((client_id("w-"), state.draft.clone(), contact.clone()))
                .0
                .clone(),
        }
    };
    let [pathname, search, title, referrer] = transport::page_facts();
    let interaction = ClassifiedInteraction::new(
        &state.draft,
        analysis,
        Envelope {
            id: &id,
            site: &config.site,
            sent_at: js_sys::Date::now() as i64,
            locale: &config.locale,
            contact,
        },
        &PageFacts {
            pathname: &pathname,
            search: &search,
            title: &title,
            referrer: &referrer,
        },
    );
    let payload = answers::interaction_js(&interaction);
    // A team goes with the message only when the visitor picked one.
    let team = state.team_choice.as_ref().and(expected_team);
    state.dispatch(Action::Sending);
    let (state, config) = (state.clone(), config.clone());
    let (cursor, pending_id) = (cursor.clone(), pending_id.clone());
    wasm_bindgen_futures::spawn_local(async move {
        let outcome = match transport::review(config.before_send.as_ref(), payload).await {
            // The hook failed: kept, like a message the network did not take.
            Err(()) => Err(Failure::Network),
            // The page took it (or did not want it sent): nothing more to do.
            Ok(None) => Ok(Action::Delivered),
            Ok(Some(payload)) => {
                announce("submit", &payload);
                deliver(&state, &config, &cursor, team, &payload).await
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
                let (text, input) = i18n::explain(strings, callback, &failure);
                state.dispatch(Action::Failed(text, input));
            }
        }
    });
}

/// Posts the reviewed `payload` where the site's messages go.
async fn deliver(
    state: &UseReducerHandle<PanelState>,
    config: &Config,
    cursor: &RefCell<i64>,
    team: Option<String>,
    payload: &JsValue,
) -> Result<Action, Failure> {
    if let Transport::Backend { url } = &config.transport {
        return transport::post(url, &config.backend_headers, payload)
            .await
            .map(|()| Action::Delivered);
    }
    let Some((message, reply)) = answers::worker_bodies(payload) else {
        return Err(Failure::Api {
            status: 0,
            code: "invalid_payload".into(),
            message: "beforeSend returned a payload without text or id".into(),
        });
    };
    match state.session.clone() {
        None => api::start(config, team.as_deref(), message, reply)
            .await
            .map(|started| {
                let session = Session {
                    id: started.conversation_id.clone(),
                    token: started.visitor_token.clone(),
                };
                session::save(&config.site, &session);
                *cursor.borrow_mut() = started.message.id;
                Action::Started(session, started)
            }),
        Some(session) => api::send(config, &session, message).await.map(Action::Sent),
    }
}

/// Deletes the conversation (the visitor's right to erase it) and forgets it.
fn delete_conversation(state: &UseReducerHandle<PanelState>, config: &Rc<Config>) {
    let Some(session) = state.session.clone() else {
        return;
    };
    let (dispatcher, config) = (state.dispatcher(), config.clone());
    wasm_bindgen_futures::spawn_local(async move {
        match api::delete(&config, &session).await {
            Ok(()) => {
                session::clear(&config.site);
                dispatcher.dispatch(Action::Deleted);
            }
            Err(failure) => dispatcher.dispatch(Action::Failed(
                i18n::explain_in(&config.locale, &failure),
                None,
            )),
        }
    });
}

/// "3912 / 4000" once a draft nears the longest message: the textarea
/// (`maxlength`, in UTF-16 units, so never past the worker's limit in
/// characters) cuts what is typed or pasted past it, and the count says so.
fn length_near_the_limit(draft: &str) -> Option<String> {
    use crate::domain::conversation::MAX_MESSAGE_CHARS;
    let length = draft.encode_utf16().count();
    (length + 200 >= MAX_MESSAGE_CHARS).then(|| {
        let mut count = String::new();
        crate::domain::json::push_u64(&mut count, length as u64);
        count.push_str(" / 4000");
        count
    })
}
