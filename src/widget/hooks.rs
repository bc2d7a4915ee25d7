//! The panel's hooks: what ties it to the page (the launcher's badge and the
//! `touchpoint:*` events) and what keeps it current (who is there, a verified
//! visitor's conversation, new messages).

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::ShadowRoot;
use yew::prelude::*;

use super::panel::state::{Action, PanelState};
use super::session::{self, Session};
use super::{answers, api, i18n, Config};
use crate::hooks::use_poll;

/// Tells the page: `touchpoint:open`, `touchpoint:close`, `touchpoint:message`,
/// `touchpoint:unread` and `touchpoint:submit` events on `window`, for
/// `touchpoint.on(...)`.
pub fn announce(name: &str, detail: &JsValue) {
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

/// What the page hears from the panel: open and close (a panel that starts
/// closed says nothing; the launcher in `root` says which, `aria-expanded`),
/// unread staff replies (a badge on the launcher and an event), and each new
/// staff message (an event; said, in `strings`' words, by the launcher's
/// status region while the panel is closed: a badge alone is silent).
#[hook]
pub fn use_page_events(state: &PanelState, root: &ShadowRoot, strings: &'static i18n::Strings) {
    let was_open = use_mut_ref(|| false);
    let root = root.clone();
    let said = root.clone();
    let launcher = move || root.query_selector("button.launcher").ok().flatten();
    let expanded = launcher.clone();
    use_effect_with(state.open, move |open| {
        if let Some(button) = expanded() {
            let _ = button.set_attribute("aria-expanded", if *open { "true" } else { "false" });
        }
        if *open || *was_open.borrow() {
            announce(if *open { "open" } else { "close" }, &JsValue::UNDEFINED);
        }
        *was_open.borrow_mut() = *open;
    });
    use_effect_with(state.unread, move |unread| {
        if let Some(button) = launcher() {
            if *unread > 0 {
                let mut count = String::new();
                crate::domain::json::push_u64(&mut count, u64::from(*unread));
                let _ = button.set_attribute("data-unread", &count);
                let _ = button.set_attribute("aria-description", &count);
            } else {
                let _ = button.remove_attribute("data-unread");
                let _ = button.remove_attribute("aria-description");
            }
        }
        announce("unread", &JsValue::from_f64(f64::from(*unread)));
    });
    let open = state.open;
    use_effect_with(state.last_staff_message.clone(), move |last| {
        if let Some(message) = last {
            // Open, the thread (a log) reads it out.
            if let (false, Some(name), Ok(Some(region))) =
                (open, &message.name, said.query_selector(".said"))
            {
                region.set_text_content(Some(&i18n::fill(strings.new_message, &[("name", name)])));
            }
            let detail = crate::js_object::Object::new()
                .set("name", message.name.clone().unwrap_or_default().as_str())
                .set("text", message.text.as_str())
                .set("at", message.created_at as f64)
                .build();
            announce("message", &detail);
        }
    });
}

/// Who is there: fetched when the panel mounts (only the page's `teams`,
/// when it names some), then kept current by the site's presence socket
/// (issue 18): staff going online or away reach the availability line at once.
#[hook]
pub fn use_availability(config: Rc<Config>, dispatcher: UseReducerDispatcher<PanelState>) {
    use_effect_with((), move |_| {
        let link = Rc::new(RefCell::new(Link::default()));
        // A site's own endpoint has no staff to show.
        if config.transport.is_live() {
            let show = {
                let (config, dispatcher) = (config.clone(), dispatcher.clone());
                move |mut site: crate::domain::contact::SiteState| {
                    // Teams the page names that the site does not have
                    // leave the site's own: "no team" is the site's state.
                    if let Some(only) = &config.teams {
                        if site.teams.iter().any(|t| only.contains(&t.id)) {
                            site.teams.retain(|t| only.contains(&t.id));
                        }
                    }
                    dispatcher.dispatch(Action::Availability(site));
                }
            };
            if let Some(url) = live_url(&config, "/v1/availability/live?site=", &config.site) {
                let show = show.clone();
                let wiring = Wiring {
                    url: url.into(),
                    token: None,
                    on_live: Rc::new(|_| {}),
                    on_frame: Rc::new(move |text: String| {
                        let pushed = js_sys::JSON::parse(&text).unwrap_or_default();
                        let availability = js_sys::Reflect::get(&pushed, &"availability".into());
                        if let Some(site) = availability.ok().as_ref().and_then(answers::site_state)
                        {
                            show(site);
                        }
                    }),
                };
                connect(&link, &wiring);
            }
            wasm_bindgen_futures::spawn_local(async move {
                match api::availability(&config).await {
                    Ok(site) => show(site),
                    Err(failure) => dispatcher.dispatch(Action::Failed(
                        i18n::explain_in(&config.locale, &failure),
                        None,
                    )),
                }
            });
        }
        move || close(&link)
    });
}

/// A verified visitor on a new device picks up their latest open conversation.
#[hook]
pub fn use_resume(
    config: Rc<Config>,
    session: Option<Session>,
    dispatcher: UseReducerDispatcher<PanelState>,
) {
    use_effect_with((), move |_| {
        let (None, Some(user), true) = (session, config.user.clone(), config.transport.is_live())
        else {
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(history) = api::identity_conversations(&config, &user).await {
                if let Some((session, _)) =
                    history.into_iter().find(|(_, status)| status != "closed")
                {
                    session::save(&config.site, &session);
                    dispatcher.dispatch(Action::Resumed(session));
                }
            }
        });
    });
}

/// New messages, every `poll_ms` (at least a second) while a conversation is
/// open — every minute while the live socket is open — and at once on each
/// push (`rings`) and when the panel opens or closes, after `cursor`. Staff
/// replies are marked read only while the panel is open (the poll that
/// opening starts marks what it shows): a page that polls with the panel
/// closed has shown nobody anything. A poll that returns after the panel
/// closed marks only what the panel had when it left: what it brings was
/// never shown, so it goes to the badge.
#[hook]
pub fn use_messages(
    config: Rc<Config>,
    session: Option<Session>,
    timing: (u32, bool, u32, bool),
    cursor: Rc<RefCell<i64>>,
    dispatcher: UseReducerDispatcher<PanelState>,
) {
    let (poll_ms, live, rings, open) = timing;
    let period = if live {
        crate::domain::live::WIDGET_POLL_WHILE_LIVE_MS
    } else {
        poll_ms.max(1000)
    };
    // Whether the panel is open now, read when a poll returns.
    let open_now = use_mut_ref(|| open);
    *open_now.borrow_mut() = open;
    let subject = session.map(|session| (session, rings, open));
    use_poll(subject, period, move |&(ref session, _, open)| {
        let (config, session) = (config.clone(), session.clone());
        let (cursor, dispatcher, open_now) = (cursor.clone(), dispatcher.clone(), open_now.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let after = *cursor.borrow();
            match api::messages_after(&config, &session, after).await {
                Ok(poll) => {
                    *cursor.borrow_mut() = poll.cursor.max(after);
                    let shown = if *open_now.borrow() {
                        poll.cursor
                    } else {
                        after
                    };
                    let unseen = open && poll.unread > 0;
                    dispatcher.dispatch(Action::Polled(poll));
                    if unseen {
                        let _ = api::mark_read(&config, &session, shown).await;
                    }
                }
                Err(failure) if failure.is_gone() => {
                    session::clear(&config.site);
                    dispatcher.dispatch(Action::SessionGone);
                }
                Err(_) => {} // Offline for a moment: the next tick tries again.
            }
        });
    });
}

/// The parts of a live socket, dropped together.
#[derive(Default)]
struct Link {
    socket: Option<web_sys::WebSocket>,
    handlers: Vec<Closure<dyn FnMut(JsValue)>>,
    /// The reconnect and the typing indicator's expiry.
    timers: [Option<Timeout>; 2],
    attempt: u32,
    /// When the socket opened (`Date.now()`), while it is open.
    opened_at: Option<f64>,
    stopped: bool,
}

/// What a socket connects to and what it does with what it hears.
#[derive(Clone)]
struct Wiring {
    url: Rc<str>,
    /// The bearer token, offered as the second subprotocol.
    token: Option<Rc<str>>,
    on_frame: Rc<dyn Fn(String)>,
    on_live: Rc<dyn Fn(bool)>,
}

/// The worker's WebSocket URL for `path` + `param` (`ws:`/`wss:` as the
/// endpoint is `http:`/`https:`).
fn live_url(config: &Config, path: &str, param: &str) -> Option<String> {
    let rest = config.endpoint.strip_prefix("http")?;
    let mut url = String::from("ws");
    url.push_str(rest);
    url.push_str(path);
    url.push_str(param);
    Some(url)
}

/// Stops a link for good: no reconnect, the socket closed.
fn close(link: &Rc<RefCell<Link>>) {
    let mut this = link.borrow_mut();
    this.stopped = true;
    this.timers = Default::default();
    if let Some(socket) = this.socket.take() {
        let _ = socket.close();
    }
}

/// What a pushed frame starts with when staff type (the room writes it).
const STAFF_TYPING: &str = r#"{"type":"typing","by":"staff","name":""#;

fn connect(link: &Rc<RefCell<Link>>, wiring: &Wiring) {
    let protocols = js_sys::Array::of1(&crate::domain::live::PROTOCOL.into());
    if let Some(token) = &wiring.token {
        protocols.push(&(**token).into());
    }
    let Ok(socket) = web_sys::WebSocket::new_with_str_sequence(&wiring.url, &protocols) else {
        return;
    };
    let on_open = {
        let (link, on_live) = (link.clone(), wiring.on_live.clone());
        Closure::<dyn FnMut(JsValue)>::new(move |_| {
            link.borrow_mut().opened_at = Some(js_sys::Date::now());
            on_live(true);
        })
    };
    let on_message = {
        let on_frame = wiring.on_frame.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let text = js_sys::Reflect::get(&event, &"data".into())
                .ok()
                .and_then(|d| d.as_string())
                .unwrap_or_default();
            on_frame(text);
        })
    };
    let on_close = {
        let (link, wiring) = (link.clone(), wiring.clone());
        Closure::<dyn FnMut(JsValue)>::new(move |_| {
            (wiring.on_live)(false);
            let mut this = link.borrow_mut();
            if this.stopped {
                return;
            }
            let opened_at = this.opened_at.take();
            this.attempt = crate::domain::live::attempt_after_close(
                this.attempt,
                opened_at,
                js_sys::Date::now(),
            );
            let delay =
                crate::domain::live::reconnect_delay_ms(this.attempt, js_sys::Math::random());
            this.attempt = this.attempt.saturating_add(1);
            let (again, wiring) = (link.clone(), wiring.clone());
            this.timers[0] = Some(Timeout::new(delay, move || connect(&again, &wiring)));
        })
    };
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    let mut this = link.borrow_mut();
    this.handlers = vec![on_open, on_message, on_close];
    this.socket = Some(socket);
}

/// The conversation's live socket (issue 18) while one is open: pushes ring
/// `use_messages`, staff typing shows for a few seconds; closed or blocked,
/// the panel polls and the socket is retried with backoff and jitter.
/// Returns what the draft calls on each keystroke: a `typing` frame, at
/// most every two seconds, never the text.
#[hook]
pub fn use_live(
    config: Rc<Config>,
    session: Option<Session>,
    dispatcher: UseReducerDispatcher<PanelState>,
) -> Callback<()> {
    let link: Rc<RefCell<Rc<RefCell<Link>>>> = use_mut_ref(Default::default);
    {
        let link = link.clone();
        use_effect_with(session, move |session| {
            let current = Rc::new(RefCell::new(Link::default()));
            *link.borrow_mut() = current.clone();
            if let Some(session) = session {
                if let Some(mut url) = live_url(&config, "/v1/conversations/", &session.id) {
                    url.push_str("/live");
                    // A pushed message or status change only rings: the poll
                    // brings it from D1, so the panel never shows a push it
                    // could lose or show twice.
                    let on_frame = {
                        let (link, dispatcher) = (current.clone(), dispatcher.clone());
                        move |text: String| {
                            let Some(rest) = text.strip_prefix(STAFF_TYPING) else {
                                dispatcher.dispatch(Action::Rang);
                                return;
                            };
                            let name = rest.split_once('"').map(|(name, _)| name.to_owned());
                            dispatcher.dispatch(Action::Typing(name));
                            let dispatcher = dispatcher.clone();
                            link.borrow_mut().timers[1] = Some(Timeout::new(
                                crate::domain::live::TYPING_TTL_MS,
                                move || dispatcher.dispatch(Action::Typing(None)),
                            ));
                        }
                    };
                    let live = dispatcher.clone();
                    let wiring = Wiring {
                        url: url.into(),
                        token: Some(session.token.as_str().into()),
                        on_frame: Rc::new(on_frame),
                        on_live: Rc::new(move |on| live.dispatch(Action::Live(on))),
                    };
                    connect(&current, &wiring);
                }
            }
            move || close(&current)
        });
    }
    let last = use_mut_ref(|| 0.0_f64);
    Callback::from(move |_| {
        let now = js_sys::Date::now();
        if now - *last.borrow() >= f64::from(crate::domain::live::TYPING_EVERY_MS) {
            *last.borrow_mut() = now;
            if let Some(socket) = &link.borrow().borrow().socket {
                let _ = socket.send_with_str(r#"{"type":"typing"}"#);
            }
        }
    })
}
