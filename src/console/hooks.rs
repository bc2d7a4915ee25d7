//! The console's hooks: signing in again with the tab's token, keeping the
//! inbox and the open conversation current, colleagues, the tab title and
//! the keyboard shortcuts. Listeners and timers are gloo's, removed when
//! dropped.

use std::any::Any;

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::functional::TearDown;
use yew::prelude::*;

use super::api;
use super::components::PendingReply;
use super::session;
use super::state::{Action, ConsoleState};
use crate::domain::console_link::ConsoleLink;
use crate::fetch::Failure;
use crate::hooks::use_poll;

/// How often the inbox and the open conversation refresh without a live
/// socket (with one, `live::CONSOLE_REFRESH_WHILE_LIVE_MS`).
const REFRESH_MS: u32 = 2000;

/// An effect's dependencies, whatever their type, compared as that type.
struct Deps {
    value: Box<dyn Any>,
    same: fn(&dyn Any, &dyn Any) -> bool,
}

impl PartialEq for Deps {
    fn eq(&self, other: &Deps) -> bool {
        (self.same)(&*self.value, &*other.value)
    }
}

fn same<T: PartialEq + 'static>(a: &dyn Any, b: &dyn Any) -> bool {
    a.downcast_ref::<T>() == b.downcast_ref::<T>()
}

/// An effect and its tear-down, boxed: one type whatever the closure.
type BoxedEffect = Box<dyn FnOnce(&Deps) -> Box<dyn FnOnce()>>;

/// `use_effect_with`, its dependencies and effect boxed. Yew compiles its
/// effect hook for each closure and type of dependencies (about 1.2 KB of
/// wasm each); boxed, once for all of the console's effects.
#[hook]
pub fn use_effect_on<T, F, D>(deps: T, effect: F)
where
    T: PartialEq + 'static,
    F: FnOnce(&T) -> D + 'static,
    D: TearDown,
{
    let effect: BoxedEffect = Box::new(move |deps| {
        // Always a `T`: a hook's place in a component holds one type.
        let tear_down = deps.value.downcast_ref::<T>().map(effect);
        Box::new(move || {
            if let Some(tear_down) = tear_down {
                tear_down.tear_down();
            }
        })
    });
    let deps = Deps {
        value: Box::new(deps),
        same: same::<T>,
    };
    use_effect_with(deps, effect);
}

/// A token kept from earlier in this tab signs in again, once on mount.
#[hook]
pub fn use_resume_session(dispatcher: UseReducerDispatcher<ConsoleState>) {
    use_effect_on((), move |_| {
        if let Some(token) = session::token() {
            wasm_bindgen_futures::spawn_local(async move {
                match api::me(&token).await {
                    Ok(me) => dispatcher.dispatch(Action::SignedIn(token, me)),
                    // Only a refused token ends the session: offline, the
                    // token and the unsent replies wait for the next load.
                    Err(Failure::Api {
                        status: 401 | 403, ..
                    }) => session::forget(),
                    Err(_) => {}
                }
            });
        }
    });
}

/// Shown on the sign-in form when the API stops taking the token in use.
const TOKEN_ENDED: &str =
    "You were signed out: your token no longer works (an admin revoked it or gave you a new one).";

/// The inbox (with the filters) and the selected conversation, at once and
/// every two seconds while signed in — every five seconds while live sockets
/// push the changes, and at once whenever that changes, so a (re)connected
/// console catches up from the store; the session ends after 12 hours, even
/// in an open tab, and a refused token signs out.
#[hook]
pub fn use_refresh(
    state: &ConsoleState,
    live: bool,
    dispatcher: UseReducerDispatcher<ConsoleState>,
) {
    let subject = state.token.clone().map(|token| {
        (
            token,
            state.filter.clone(),
            state.selected.clone(),
            state.inbox_limit(),
        )
    });
    let period = if live {
        crate::domain::live::CONSOLE_REFRESH_WHILE_LIVE_MS
    } else {
        REFRESH_MS
    };
    // The session's end is checked as often as before, live or not (no request).
    {
        let dispatcher = dispatcher.clone();
        use_poll(state.token.clone(), REFRESH_MS, move |_| {
            if session::token().is_none() {
                dispatcher.dispatch(Action::SignOut);
            }
        });
    }
    use_poll(subject, period, move |(token, filter, selected, limit)| {
        if session::token().is_none() {
            dispatcher.dispatch(Action::SignOut);
            return;
        }
        let (token, filter, limit) = (token.clone(), filter.clone(), *limit);
        let (selected, dispatcher) = (selected.clone(), dispatcher.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let inbox = api::inbox(&token, &filter, limit).await;
            let reached = !matches!(inbox, Err(Failure::Network));
            dispatcher.dispatch(Action::Reached(reached, js_sys::Date::now()));
            match inbox {
                Ok(inbox) => dispatcher.dispatch(Action::Inbox(filter, limit, inbox)),
                Err(Failure::Api { status: 401, .. }) => {
                    session::forget();
                    dispatcher.dispatch(Action::SignOut);
                    // Say why, or a revoked agent sees the console vanish.
                    dispatcher.dispatch(Action::SignInFailed(TOKEN_ENDED.into()));
                    return;
                }
                Err(_) => {}
            }
            if let Some(id) = selected {
                load_view(&token, id, &dispatcher).await;
            }
        });
    });
}

/// Loads the open conversation into the reducer. One deleted or erased
/// (404), or no longer on this person's teams (403: moved, or they were
/// taken off the team), closes with the reason, not left open and stale.
pub async fn load_view(token: &str, id: String, dispatcher: &UseReducerDispatcher<ConsoleState>) {
    match api::conversation(token, &id).await {
        Ok(view) => dispatcher.dispatch(Action::View(Box::new(view))),
        Err(Failure::Api {
            status: status @ (403 | 404),
            ..
        }) => dispatcher.dispatch(Action::Gone(id, status == 403)),
        Err(_) => {}
    }
}

/// Colleagues and teams, for assigning and moving conversations, on sign-in.
#[hook]
pub fn use_colleagues(token: Option<String>, dispatcher: UseReducerDispatcher<ConsoleState>) {
    use_effect_on(token, move |token| {
        if let Some(token) = token.clone() {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(colleagues) = api::colleagues(&token).await {
                    dispatcher.dispatch(Action::Colleagues(colleagues));
                }
            });
        }
    });
}

/// The site's saved replies, on sign-in, on each change of page (an admin
/// may have changed them in Settings) and of open conversation (another
/// admin may have).
#[hook]
pub fn use_saved_replies(
    token: Option<String>,
    page: super::components::Page,
    selected: Option<String>,
    dispatcher: UseReducerDispatcher<ConsoleState>,
) {
    use_effect_on((token, page, selected), move |(token, _, _)| {
        if let Some(token) = token.clone() {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(replies) = api::saved_replies(&token).await {
                    dispatcher.dispatch(Action::SavedReplies(token, replies.saved_replies));
                }
            });
        }
    });
}

/// The conversation on screen is read: marked when it opens and as messages
/// arrive, so the inbox shows no badge for what the person saw, and the
/// visitor's "seen" means seen. A hidden tab, or another page (`inbox_shown`
/// false: Insights or Settings keep the conversation to come back to, and
/// its refresh goes on), marks nothing until it is shown again.
#[hook]
pub fn use_read_on_screen(state: &ConsoleState, inbox_shown: bool) {
    let visible = use_page_visible();
    let on_screen = state
        .token
        .clone()
        .zip(state.view.as_ref().and_then(|view| {
            let last = view.messages.last()?;
            Some((view.conversation.id.clone(), last.id))
        }));
    use_effect_on(on_screen.filter(|_| visible && inbox_shown), |on_screen| {
        if let Some((token, (id, up_to))) = on_screen.clone() {
            wasm_bindgen_futures::spawn_local(async move {
                // A failure is marked again with the next message or showing.
                let _ = api::mark_read(&token, &id, up_to).await;
            });
        }
    });
}

/// Whether the page is on screen (`document.visibilityState`), kept current.
#[hook]
fn use_page_visible() -> bool {
    let visible = use_state(page_visible);
    {
        let visible = visible.setter();
        use_effect_on((), move |_| {
            let listener = web_sys::window()
                .and_then(|w| w.document())
                .map(|document| {
                    EventListener::new(&document, "visibilitychange", move |_| {
                        visible.set(page_visible())
                    })
                });
            move || drop(listener)
        });
    }
    *visible
}

fn page_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
}

/// Unsent replies survive a reload: read back from the tab once signed in,
/// then kept there as they change (`session` forgets them with the session);
/// so do the client ids of replies on their way, so one sent again is
/// stored once.
#[hook]
pub fn use_kept_drafts(
    state: &ConsoleState,
    dispatcher: UseReducerDispatcher<ConsoleState>,
    pending: PendingReply,
) {
    use_effect_on(state.me.is_some(), move |signed_in| {
        if *signed_in {
            pending.borrow_mut().extend(session::kept_sending());
            dispatcher.dispatch(Action::RestoreDrafts(session::kept_drafts()));
        }
    });
    let texts = state.drafts_restored.then(|| {
        let texts = state
            .drafts
            .iter()
            .map(|(id, draft)| (id.clone(), draft.text.clone()));
        texts.collect::<Vec<_>>()
    });
    use_effect_on(texts, |texts| {
        if let Some(texts) = texts {
            session::keep_drafts(texts);
        }
    });
}

/// The address's fragment as the place in the console (`domain::console_link`).
pub fn linked_place() -> ConsoleLink {
    let fragment = web_sys::window().and_then(|w| w.location().hash().ok());
    ConsoleLink::parse(&fragment.unwrap_or_default())
}

/// Keeps the address on the page and conversation shown (each change a
/// step back and forward go through), and follows an address changed by
/// hand or by those steps; one that names something else than is then shown
/// (an agent's link to Settings, an id that cannot be one) is written over
/// in place. Signed out, the address is left as it is: the link opens once
/// someone signs in.
#[hook]
pub fn use_console_link(place: Option<ConsoleLink>, on_place: Callback<ConsoleLink>) {
    // Bumped by each change of address, so the address is checked against
    // what is shown even when that did not change.
    let heard = use_state(|| 0u32);
    let written = use_mut_ref(|| None::<ConsoleLink>);
    use_effect_on((place, *heard), move |(place, _)| {
        let location = web_sys::window().map(|w| w.location());
        if let (Some(place), Some(location)) = (place, location) {
            let fragment = place.fragment();
            if location.hash().ok().as_deref() != Some(fragment.as_str()) {
                // A step of the person's own (another page or conversation
                // opened) is a step Back returns from; a correction (the first
                // write, a conversation closed as gone) is written over, or
                // Back would lead to it again and again.
                let moved = written.borrow().as_ref().is_some_and(|before| {
                    before != place && (place.conversation.is_some() || before.page != place.page)
                });
                let _ = if moved {
                    location.set_hash(&fragment)
                } else {
                    location.replace(&fragment)
                };
            }
            *written.borrow_mut() = Some(place.clone());
        }
    });
    use_effect_on((), move |_| {
        let mut changes = 0u32;
        let listener = web_sys::window().map(|window| {
            EventListener::new(&window, "hashchange", move |_| {
                changes = changes.wrapping_add(1);
                on_place.emit(linked_place());
                heard.set(changes);
            })
        });
        move || drop(listener)
    });
}

/// Waiting conversations in the tab title.
#[hook]
pub fn use_title(waiting: u32) {
    use_effect_on(waiting, move |waiting| {
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

/// A keyboard shortcut: j / k, r and Shift+C.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    Next,
    Previous,
    Reply,
    Close,
}

impl Shortcut {
    /// The shortcut a key press means; none while typing in a field or with
    /// Ctrl, Meta or Alt held (those belong to the browser).
    fn of(event: &KeyboardEvent) -> Option<Shortcut> {
        let typing = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if typing || event.ctrl_key() || event.meta_key() || event.alt_key() {
            return None;
        }
        Shortcut::of_key(&event.key(), event.shift_key())
    }

    /// The shortcut of a key (as `KeyboardEvent.key` names it) with or
    /// without Shift held. Close needs Shift itself: Caps Lock also gives
    /// "C", and a stray "c" must not close a conversation; j / k / r only
    /// unshifted.
    fn of_key(key: &str, shift: bool) -> Option<Shortcut> {
        match (key, shift) {
            ("j", false) => Some(Shortcut::Next),
            ("k", false) => Some(Shortcut::Previous),
            ("r", false) => Some(Shortcut::Reply),
            ("C", true) => Some(Shortcut::Close),
            _ => None,
        }
    }
}

/// Calls `on_shortcut` for each shortcut typed anywhere in the document
/// (`r` is kept from the page: it only moves the focus, and must not type
/// "r" into the reply box it focuses, so the listener is not passive). The
/// listener is replaced when `deps` change, so the handler sees current state.
#[hook]
pub fn use_shortcuts<D, F>(deps: D, on_shortcut: F)
where
    D: PartialEq + 'static,
    F: Fn(Shortcut) + 'static,
{
    use_effect_on(deps, move |_| {
        let listener = web_sys::window()
            .and_then(|w| w.document())
            .map(|document| {
                let options = EventListenerOptions::enable_prevent_default();
                EventListener::new_with_options(&document, "keydown", options, move |event| {
                    let Some(event) = event.dyn_ref::<KeyboardEvent>() else {
                        return;
                    };
                    if let Some(shortcut) = Shortcut::of(event) {
                        if shortcut == Shortcut::Reply {
                            event.prevent_default();
                        }
                        on_shortcut(shortcut);
                    }
                })
            });
        move || drop(listener)
    });
}

#[cfg(test)]
mod tests {
    use super::Shortcut;

    #[test]
    fn close_needs_shift_held_and_the_others_none() {
        assert_eq!(Shortcut::of_key("C", true), Some(Shortcut::Close));
        // Caps Lock on: "C" without Shift.
        assert_eq!(Shortcut::of_key("C", false), None);
        assert_eq!(Shortcut::of_key("c", false), None);
        assert_eq!(Shortcut::of_key("j", false), Some(Shortcut::Next));
        assert_eq!(Shortcut::of_key("k", false), Some(Shortcut::Previous));
        assert_eq!(Shortcut::of_key("r", false), Some(Shortcut::Reply));
        assert_eq!(Shortcut::of_key("R", true), None);
    }
}
