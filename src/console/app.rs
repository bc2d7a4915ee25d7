//! The console's root: sign in with a staff token, then the inbox, the
//! conversation with its classification and the visitor's journey, and the
//! reply composer. Everything a visitor receives from here was typed and sent
//! by the signed-in person. The parts are in `components`, what keeps them
//! current in `hooks`, the calls in `api`.

use yew::prelude::*;

use super::api;
use super::components::{
    clock, focus_on, run, ConversationPane, Filters, InboxList, Page, PendingReply, SignIn, TopBar,
};
use super::hooks::{
    linked_place, use_colleagues, use_console_link, use_kept_drafts, use_read_on_screen,
    use_refresh, use_resume_session, use_saved_replies, use_shortcuts, use_title, Shortcut,
};
use super::insights::InsightsPage;
use super::live::{use_live, use_typing_sender};
use super::settings::SettingsPage;
use super::state::{Action, ConsoleState};
use crate::domain::console_link::ConsoleLink;

/// The console application.
#[function_component(ConsoleApp)]
pub fn console_app() -> Html {
    // The address says where to start: a reload, or a colleague's link.
    let state = use_reducer(|| ConsoleState {
        selected: linked_place().conversation,
        ..ConsoleState::default()
    });
    let page = use_state(|| linked_place().page);
    // Settings are an admin's; a link there opens an agent's inbox.
    let page_shown = match (&state.me, *page) {
        (Some(me), Page::Settings) if !me.is_admin() => Page::Inbox,
        (_, page) => page,
    };
    let pending_id: PendingReply = use_mut_ref(Default::default);

    use_resume_session(state.dispatcher());
    use_kept_drafts(&state, state.dispatcher(), pending_id.clone());
    {
        let place = state.token.is_some().then(|| ConsoleLink {
            page: page_shown,
            conversation: state.selected.clone(),
        });
        let (page, dispatcher) = (page.clone(), state.dispatcher());
        use_console_link(
            place,
            Callback::from(move |link: ConsoleLink| {
                match (link.page, link.conversation) {
                    (Page::Inbox, Some(id)) => dispatcher.dispatch(Action::Select(id)),
                    (Page::Inbox, None) => dispatcher.dispatch(Action::Deselect),
                    // Another page keeps the conversation open for coming back.
                    _ => {}
                }
                page.set(link.page);
            }),
        );
    }
    let (live, conversation_socket) = use_live(&state, state.dispatcher());
    use_refresh(&state, live, state.dispatcher());
    use_read_on_screen(&state, page_shown == Page::Inbox);
    let on_typing = use_typing_sender(conversation_socket);
    use_colleagues(state.token.clone(), state.dispatcher());
    use_saved_replies(
        state.token.clone(),
        page_shown,
        state.selected.clone(),
        state.dispatcher(),
    );
    use_title(state.inbox.as_ref().map_or(0, |i| i.waiting));
    {
        let state = state.clone();
        // Only where the inbox and its conversation are shown: Shift+C on
        // Settings must not close a conversation nobody is looking at.
        let on_inbox = page_shown == Page::Inbox;
        let deps = (
            state.selected.clone(),
            state.inbox.clone(),
            state.token.is_some(),
            on_inbox,
            state.view.as_ref().map(|v| v.conversation.id.clone()),
        );
        use_shortcuts(deps, move |shortcut| match shortcut {
            _ if !on_inbox => {}
            Shortcut::Next | Shortcut::Previous => {
                if let Some(id) = state.neighbour(if shortcut == Shortcut::Next { 1 } else { -1 }) {
                    state.dispatch(Action::Select(id));
                }
            }
            Shortcut::Reply => focus_on("reply"),
            Shortcut::Close => {
                // The conversation in view, not one still loading.
                let shown = state.view.as_ref().map(|v| v.conversation.id.clone());
                if let (Some(id), Some(token)) = (shown, state.token.clone()) {
                    let of = id.clone();
                    run(&state.dispatcher(), id, "Not closed", async move {
                        api::close(&token, &of).await
                    });
                }
            }
        });
    }

    let (Some(me), Some(token)) = (state.me.clone(), state.token.clone()) else {
        return html! { <SignIn error={state.sign_in_error.clone().map(AttrValue::from)} dispatcher={state.dispatcher()} /> };
    };
    let token = AttrValue::from(token);
    let on_page = {
        let page = page.clone();
        Callback::from(move |next: Page| page.set(next))
    };
    // Each team the filter offers, by id and by the name the rest of the console shows.
    let name_of = |id: &String| {
        state
            .colleagues
            .as_ref()
            .and_then(|c| c.teams.iter().find(|t| &t.id == id))
            .map_or_else(|| id.clone(), |t| t.name.clone())
    };
    let teams: Vec<(String, String)> = state
        .inbox
        .as_ref()
        .map_or(&me.teams, |i| &i.teams)
        .iter()
        .map(|id| (id.clone(), name_of(id)))
        .collect();
    let site = me.site.clone();
    // From a chart's conversation to the inbox, with it open.
    let on_open = {
        let page = page.clone();
        let dispatcher = state.dispatcher();
        Callback::from(move |id: String| {
            dispatcher.dispatch(Action::Select(id));
            page.set(Page::Inbox);
        })
    };

    html! {
        <div class="console" data-live={if live { "push" } else { "polling" }}>
            // For keyboard and screen-reader users: past the top bar's
            // controls to the page (a button, not a `#` link: the address's
            // fragment is the console's place).
            <button type="button" class="skip-link" onclick={Callback::from(|_: MouseEvent| focus_on("page"))}>
                { "Skip to the page" }</button>
            <TopBar me={me.clone()} token={token.clone()} page={page_shown} on_page={on_page} dispatcher={state.dispatcher()} />
            if state.offline_since > 0.0 {
                <p class="offline" role="alert">{ format!(
                    "Offline since {}: the worker cannot be reached. What you see may be out of date; the console keeps trying.",
                    clock(state.offline_since as i64)
                ) }</p>
            }
            // One main landmark for whichever page is shown, for screen readers.
            <main class="page" id="page" tabindex="-1">
            if page_shown == Page::Insights {
                <InsightsPage token={token.to_string()} on_open={on_open} />
            } else if page_shown == Page::Settings {
                <SettingsPage token={token.to_string()} site={site} />
            } else {
                <Filters teams={teams} filter={state.filter.clone()} dispatcher={state.dispatcher()} />
                <div class="workspace">
                    <InboxList rows={state.inbox.as_ref().map(|i| i.conversations.clone()).unwrap_or_default()}
                        total={state.inbox.as_ref().map_or(0, |i| i.total)}
                        selected={state.selected.clone().map(AttrValue::from)} dispatcher={state.dispatcher()} />
                    if let Some(view) = state.view.clone() {
                        // Keyed: another conversation starts with its own saved-reply list state.
                        <ConversationPane key={view.conversation.id.clone()} action_error={state.action_error.as_ref().filter(|(id, _)| *id == view.conversation.id).map(|(_, e)| AttrValue::from(e.clone()))}
                            view={view.clone()} me={me} colleagues={state.colleagues.clone()} token={token}
                            draft={state.draft()} action_failures={state.action_failures}
                            pending_id={pending_id} dispatcher={state.dispatcher()}
                            typing={state.visitor_typing(js_sys::Date::now())}
                            colleague_typing={state.colleague_typing(js_sys::Date::now()).map(AttrValue::from)} on_typing={on_typing}
                            saved_replies={state.saved_replies.clone()} />
                    } else {
                        <section class="conversation empty" aria-label="Conversation"><p>{ state.gone.clone().unwrap_or_else(|| "Pick a conversation (j / k).".into()) }</p></section>
                    }
                </div>
            }
            </main>
        </div>
    }
}
