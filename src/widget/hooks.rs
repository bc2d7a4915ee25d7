//! The panel's hooks: what ties it to the page (the launcher's badge and the
//! `touchpoint:*` events) and what keeps it current (who is there, a verified
//! visitor's conversation, new messages).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsValue;
use web_sys::ShadowRoot;
use yew::prelude::*;

use super::panel::state::{Action, PanelState};
use super::session::{self, Session};
use super::{api, i18n, Config};
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
/// closed says nothing), unread staff replies (a badge on the launcher in
/// `root` and an event), and each new staff message.
#[hook]
pub fn use_page_events(state: &PanelState, root: &ShadowRoot) {
    let was_open = use_mut_ref(|| false);
    use_effect_with(state.open, move |open| {
        if *open || *was_open.borrow() {
            announce(if *open { "open" } else { "close" }, &JsValue::UNDEFINED);
        }
        *was_open.borrow_mut() = *open;
    });
    let root = root.clone();
    use_effect_with(state.unread, move |unread| {
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
    use_effect_with(state.last_staff_message.clone(), move |last| {
        if let Some(message) = last {
            let detail = crate::js_object::Object::new()
                .set("name", message.name.clone().unwrap_or_default().as_str())
                .set("text", message.text.as_str())
                .set("at", message.created_at as f64)
                .build();
            announce("message", &detail);
        }
    });
}

/// Who is there, once when the panel mounts (only the page's `teams`, when it
/// names some).
#[hook]
pub fn use_availability(config: Rc<Config>, dispatcher: UseReducerDispatcher<PanelState>) {
    use_effect_with((), move |_| {
        // A site's own endpoint has no staff to show.
        if !config.transport.is_live() {
            return;
        }
        wasm_bindgen_futures::spawn_local(async move {
            match api::availability(&config).await {
                Ok(mut site) => {
                    if let Some(only) = &config.teams {
                        site.teams.retain(|t| only.contains(&t.id));
                    }
                    dispatcher.dispatch(Action::Availability(site));
                }
                Err(failure) => dispatcher.dispatch(Action::Failed(i18n::explain(
                    i18n::strings(&config.locale),
                    &failure,
                ))),
            }
        });
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
/// open, after `cursor`; staff replies seen are marked read.
#[hook]
pub fn use_messages(
    config: Rc<Config>,
    session: Option<Session>,
    poll_ms: u32,
    cursor: Rc<RefCell<i64>>,
    dispatcher: UseReducerDispatcher<PanelState>,
) {
    use_poll(session, poll_ms.max(1000), move |session: &Session| {
        let (config, session) = (config.clone(), session.clone());
        let (cursor, dispatcher) = (cursor.clone(), dispatcher.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let after = *cursor.borrow();
            match api::messages_after(&config, &session, after).await {
                Ok(poll) => {
                    *cursor.borrow_mut() = poll.cursor.max(after);
                    let saw_staff = poll.messages.iter().any(|m| m.author == "staff");
                    let up_to = poll.cursor;
                    dispatcher.dispatch(Action::Polled(poll));
                    if saw_staff {
                        let _ = api::mark_read(&config, &session, up_to).await;
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
