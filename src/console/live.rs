//! The console's live sockets (issue 18): one on the site's inbox and one on
//! the open conversation. Frames go into the reducer (`Action::Pushed`);
//! while both are open the console refreshes only every minute. A socket
//! that closes (the network, a proxy that blocks WebSockets, a redeploy) is
//! reopened with backoff and jitter (`domain::live::reconnect_delay_ms`),
//! and meanwhile the console polls as before.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, WebSocket};
use yew::prelude::*;

use super::hooks::use_effect_on;

use super::api;
use super::state::{Action, ConsoleState};
use crate::domain::json_text;
use crate::domain::live::{
    attempt_after_close, reconnect_delay_ms, StaffPush, PROTOCOL, REAUTHORIZE_FRAME,
    TYPING_EVERY_MS,
};

/// One socket and what keeps it open.
struct Link {
    path: String,
    token: String,
    attempt: u32,
    /// When the socket opened (`Date.now()`), while it is open.
    opened_at: Option<f64>,
    socket: Option<WebSocket>,
    listeners: Vec<EventListener>,
    retry: Option<Timeout>,
    stopped: bool,
    on_frame: Callback<String>,
    on_open: Callback<bool>,
}

/// `wss://host/path` for the page's own origin.
fn socket_url(path: &str) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss://"
    } else {
        "ws://"
    };
    Some(format!("{scheme}{}{path}", location.host().ok()?))
}

fn connect(link: &Rc<RefCell<Link>>) {
    let mut this = link.borrow_mut();
    if this.stopped {
        return;
    }
    let protocols = js_sys::Array::of2(&PROTOCOL.into(), &this.token.as_str().into());
    let Some(socket) = socket_url(&this.path)
        .and_then(|url| WebSocket::new_with_str_sequence(&url, &protocols).ok())
    else {
        drop(this);
        retry(link);
        return;
    };
    let opened = {
        let link = link.clone();
        EventListener::new(&socket, "open", move |_| {
            let on_open = {
                let mut this = link.borrow_mut();
                this.opened_at = Some(js_sys::Date::now());
                this.on_open.clone()
            };
            on_open.emit(true);
        })
    };
    let message = {
        let on_frame = this.on_frame.clone();
        let link = link.clone();
        EventListener::new(&socket, "message", move |event| {
            let Some(text) = event
                .dyn_ref::<MessageEvent>()
                .and_then(|m| m.data().as_string())
            else {
                return;
            };
            if text == REAUTHORIZE_FRAME {
                // Closed from this side at once; "close" then opens a new
                // socket, its token and teams checked again.
                if let Some(socket) = link.borrow().socket.as_ref() {
                    let _ = socket.close();
                }
            } else {
                on_frame.emit(text);
            }
        })
    };
    // An error is always followed by close: reconnecting once is enough.
    let closed = {
        let link = link.clone();
        EventListener::new(&socket, "close", move |_| {
            let on_open = {
                let mut this = link.borrow_mut();
                this.socket = None;
                let opened_at = this.opened_at.take();
                this.attempt = attempt_after_close(this.attempt, opened_at, js_sys::Date::now());
                this.on_open.clone()
            };
            on_open.emit(false);
            retry(&link);
        })
    };
    this.listeners = vec![opened, message, closed];
    this.socket = Some(socket);
}

fn retry(link: &Rc<RefCell<Link>>) {
    let mut this = link.borrow_mut();
    if this.stopped {
        return;
    }
    let delay = reconnect_delay_ms(this.attempt, js_sys::Math::random());
    this.attempt = this.attempt.saturating_add(1);
    let again = link.clone();
    this.retry = Some(Timeout::new(delay, move || connect(&again)));
}

/// What a component can do with a live socket.
#[derive(Clone)]
pub struct LiveSocket {
    /// Whether the socket is open now.
    pub open: bool,
    link: Rc<RefCell<Option<Rc<RefCell<Link>>>>>,
}

impl LiveSocket {
    /// Sends a frame when the socket is open; otherwise nothing (typing is
    /// only ever a hint).
    pub fn send(&self, text: &str) {
        if let Some(link) = self.link.borrow().as_ref() {
            if let Some(socket) = link.borrow().socket.as_ref() {
                if socket.ready_state() == WebSocket::OPEN {
                    let _ = socket.send_with_str(text);
                }
            }
        }
    }
}

/// A socket on `path` (with the staff token) while `subject` is `Some`;
/// frames go to the reducer. A new subject closes the old socket.
#[hook]
pub fn use_live_socket(
    subject: Option<(String, String)>,
    dispatcher: UseReducerDispatcher<ConsoleState>,
) -> LiveSocket {
    let open = use_state_eq(|| false);
    let holder: Rc<RefCell<Option<Rc<RefCell<Link>>>>> = use_mut_ref(|| None);
    {
        let (open, holder) = (open.clone(), holder.clone());
        use_effect_on(subject, move |subject| {
            open.set(false);
            let link = subject.clone().map(|(path, token)| {
                let on_frame = Callback::from(move |text: String| {
                    // Read as `fetch::call` reads answers (the console carries no serde_json).
                    let parsed = json_text::parse(&text);
                    if let Some(push) = parsed.and_then(|v| json_text::read::<StaffPush>(&v).ok()) {
                        dispatcher.dispatch(Action::Pushed(Box::new(push), js_sys::Date::now()));
                    }
                });
                let on_open = {
                    let open = open.clone();
                    Callback::from(move |now_open: bool| open.set(now_open))
                };
                let link = Rc::new(RefCell::new(Link {
                    path,
                    token,
                    attempt: 0,
                    opened_at: None,
                    socket: None,
                    listeners: Vec::new(),
                    retry: None,
                    stopped: false,
                    on_frame,
                    on_open,
                }));
                connect(&link);
                link
            });
            *holder.borrow_mut() = link.clone();
            move || {
                if let Some(link) = link {
                    let mut this = link.borrow_mut();
                    this.stopped = true;
                    this.retry = None;
                    this.listeners.clear();
                    if let Some(socket) = this.socket.take() {
                        let _ = socket.close();
                    }
                }
            }
        });
    }
    LiveSocket {
        open: *open,
        link: holder,
    }
}

/// Both sockets: the site's inbox while signed in, and the open
/// conversation. Returns whether the console is live (every socket it needs
/// is open) and the conversation's socket, for typing.
#[hook]
pub fn use_live(
    state: &ConsoleState,
    dispatcher: UseReducerDispatcher<ConsoleState>,
) -> (bool, LiveSocket) {
    let inbox = use_live_socket(
        state
            .token
            .clone()
            .map(|token| ("/v1/staff/live".to_owned(), token)),
        dispatcher.clone(),
    );
    let conversation = use_live_socket(
        state
            .token
            .clone()
            .zip(state.selected.clone())
            .map(|(token, id)| {
                let mut path = String::from("/v1/staff/conversations/");
                path.push_str(&String::from(js_sys::encode_uri_component(&id)));
                path.push_str("/live");
                (path, token)
            }),
        dispatcher.clone(),
    );
    use_pushed_reloads(state, dispatcher.clone());
    use_typing_expiry(state.typing_ends(), dispatcher);
    let live = inbox.open && (state.selected.is_none() || conversation.open);
    (live, conversation)
}

/// Reloads what a push said changed: the inbox list, or the conversation
/// when a message before a pushed one was missed.
#[hook]
fn use_pushed_reloads(state: &ConsoleState, dispatcher: UseReducerDispatcher<ConsoleState>) {
    let inbox_subject = (
        state.inbox_changed,
        state.token.clone(),
        state.filter.clone(),
        state.inbox_limit(),
    );
    {
        let dispatcher = dispatcher.clone();
        use_effect_on(inbox_subject, move |(changed, token, filter, limit)| {
            if let (true, Some(token)) = (*changed > 0, token.clone()) {
                let (filter, limit) = (filter.clone(), *limit);
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(inbox) = api::inbox(&token, &filter, limit).await {
                        dispatcher.dispatch(Action::Inbox(filter, limit, inbox));
                    }
                });
            }
        });
    }
    let gap_subject = (state.view_gap, state.token.clone(), state.selected.clone());
    use_effect_on(gap_subject, move |(gap, token, selected)| {
        if let (true, Some(token), Some(id)) = (*gap > 0, token.clone(), selected.clone()) {
            wasm_bindgen_futures::spawn_local(async move {
                super::hooks::load_view(&token, id, &dispatcher).await;
            });
        }
    });
}

/// Clears a typing indicator when it expires.
#[hook]
fn use_typing_expiry(until_ms: f64, dispatcher: UseReducerDispatcher<ConsoleState>) {
    use_effect_on(until_ms.to_bits(), move |_| {
        let wait = (until_ms - js_sys::Date::now()).max(0.0);
        let timer = (until_ms > 0.0).then(|| {
            Timeout::new(wait as u32 + 20, move || {
                dispatcher.dispatch(Action::Tick(js_sys::Date::now()))
            })
        });
        move || drop(timer)
    });
}

/// A draft's keystrokes as `typing` frames, at most one per
/// `TYPING_EVERY_MS`; never the text.
#[hook]
pub fn use_typing_sender(socket: LiveSocket) -> Callback<()> {
    let last = use_mut_ref(|| 0.0f64);
    Callback::from(move |_| {
        let now = js_sys::Date::now();
        if now - *last.borrow() >= f64::from(TYPING_EVERY_MS) {
            *last.borrow_mut() = now;
            socket.send(r#"{"type":"typing"}"#);
        }
    })
}
