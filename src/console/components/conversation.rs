use std::cell::RefCell;
use std::rc::Rc;

use web_sys::{HtmlElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::{clock, explain, Journey, MessageItem};
use crate::console::api::{self, Assignee};
use crate::console::session;
use crate::console::state::{
    Action, Colleagues, ConsoleState, ConversationView, Draft, Me, StaffMessage,
};
use crate::domain::compose::{reply_length, Length};
use crate::domain::conversation::{Author, Status, MAX_MESSAGE_CHARS};
use crate::domain::display::visible_controls;
use crate::domain::saved_reply::{filled, matching, typed_shortcut, SavedReply};
use crate::fetch::{client_id, Failure};

/// The replies being sent, by conversation: the conversation's id, the
/// reply's client id and the text it was made for (a list, as drafts are).
pub type PendingReply = Rc<RefCell<Vec<(String, String, String)>>>;

#[derive(PartialEq, Properties)]
pub struct ConversationPaneProps {
    pub view: ConversationView,
    pub me: Me,
    pub colleagues: Option<Colleagues>,
    pub token: AttrValue,
    /// This conversation's reply box.
    pub draft: Draft,
    /// Why an action on this conversation failed.
    pub action_error: Option<AttrValue>,
    /// Failed actions so far: the controls are drawn anew on each.
    pub action_failures: u32,
    /// The id of the reply being sent, kept until it is stored, so sending
    /// again after a failure cannot post twice.
    pub pending_id: PendingReply,
    pub dispatcher: UseReducerDispatcher<ConsoleState>,
    /// Whether the visitor is typing now (pushed, issue 18).
    pub typing: bool,
    /// The colleague writing a reply to it too, if any (pushed).
    pub colleague_typing: Option<AttrValue>,
    /// Called on each keystroke in the reply: tells the visitor someone is typing.
    pub on_typing: Callback<()>,
    /// The site's saved replies, offered when the reply starts with `/`.
    pub saved_replies: Rc<Vec<SavedReply>>,
}

/// Why a call on the open conversation failed. A refusal of the conversation
/// itself (403, 404) has it loaded again, which closes it when it is no
/// longer this person's (moved out of their teams, deleted).
fn failed(dispatcher: &UseReducerDispatcher<ConsoleState>, failure: &Failure) -> String {
    if let Failure::Api {
        status: 403 | 404, ..
    } = failure
    {
        dispatcher.dispatch(Action::Recheck);
    }
    explain(failure)
}

/// Runs an action on conversation `id` whose answer the next refresh shows;
/// a failure is said beside the actions as `what` failed ("Not assigned").
pub fn run<T>(
    dispatcher: &UseReducerDispatcher<ConsoleState>,
    id: String,
    what: &'static str,
    call: impl std::future::Future<Output = Result<T, Failure>> + 'static,
) {
    let dispatcher = dispatcher.clone();
    dispatcher.dispatch(Action::Acting(id.clone()));
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(failure) = call.await {
            action_failed(&dispatcher, id, what, &failure);
        }
    });
}

/// Apart from `run`, which is built once per call: this is built once.
fn action_failed(
    dispatcher: &UseReducerDispatcher<ConsoleState>,
    id: String,
    what: &str,
    failure: &Failure,
) {
    let why = failed(dispatcher, failure);
    dispatcher.dispatch(Action::ActionFailed(id, format!("{what}: {why}")));
}

/// The open conversation: its team, status, classification and how the
/// visitor wants an answer; claim, assign, move, close or reopen; the thread
/// and the reply composer; the journey beside it.
#[function_component(ConversationPane)]
pub fn conversation_pane(props: &ConversationPaneProps) -> Html {
    let c = &props.view.conversation;
    // Saved replies offered for a `/shortcut` typed at the start of the
    // reply (every team's and this conversation's team's): the one picked
    // (arrows), and the draft Escape dismissed them for.
    let picked = use_state(|| 0usize);
    let dismissed = use_state(String::new);
    // A `/shortcut` being typed, while the site has saved replies and Escape
    // has not dismissed them for this draft.
    let shortcut = typed_shortcut(&props.draft.text)
        .filter(|_| *dismissed != props.draft.text && !props.saved_replies.is_empty());
    let offered: Vec<&SavedReply> = shortcut
        .map(|typed| matching(&props.saved_replies, typed, &c.team_id, 8))
        .unwrap_or_default();
    let at = (*picked).min(offered.len().saturating_sub(1));
    // Put in the box, names filled in, for the person to read and change
    // before sending: never sent by itself.
    let insert = {
        let (dispatcher, id, picked) = (props.dispatcher.clone(), c.id.clone(), picked.clone());
        let (visitor, me) = (c.visitor_name.clone(), props.me.name.clone());
        Callback::from(move |reply: SavedReply| {
            picked.set(0);
            dispatcher.dispatch(Action::Draft(
                id.clone(),
                filled(&reply.text, &visitor, &me),
            ));
        })
    };
    let reply_to = match c.reply_channel.as_str() {
        // Shown with their controls named, as message text is: an address
        // stored before such characters were refused must not read as another.
        "email" => format!("by e-mail to {}", visible_controls(&c.reply_email)),
        "phone" => format!(
            "by phone, {} between {} and {}",
            visible_controls(&c.reply_phone),
            clock(c.callback_from),
            clock(c.callback_to)
        ),
        "here" => "here, in the widget".to_owned(),
        other => format!("through {other} to {}", visible_controls(&c.reply_address)),
    };
    // Counted as the worker counts it: over the limit, Send is off and says why.
    let (count, over) = match reply_length(&props.draft.text) {
        Length::Fine => (None, false),
        Length::Near(n) => (
            Some(format!("{n} of {MAX_MESSAGE_CHARS} characters")),
            false,
        ),
        Length::Over(n) => (
            Some(format!(
                "{n} of {MAX_MESSAGE_CHARS} characters: {} too many to send. Shorten the reply.",
                n - MAX_MESSAGE_CHARS
            )),
            true,
        ),
    };
    let send = {
        let (dispatcher, token, id) = (props.dispatcher.clone(), props.token.clone(), c.id.clone());
        let draft = props.draft.text.trim().to_owned();
        let held = props.draft.sending || over || draft.is_empty();
        let pending_id = props.pending_id.clone();
        Callback::from(move |()| {
            if held {
                return;
            }
            // The same id for a retry of the same reply in the same
            // conversation (stored once); another for an edited one, since the
            // first may have been stored with its answer lost.
            let client = {
                let mut pending = pending_id.borrow_mut();
                match pending.iter().find(|(of, _, _)| *of == id) {
                    Some((_, client, text)) if *text == draft => client.clone(),
                    _ => {
                        let client = client_id("c-");
                        pending.retain(|(of, _, _)| *of != id);
                        pending.push((id.clone(), client.clone(), draft.clone()));
                        session::keep_sending(&id, Some((&client, &draft)));
                        client
                    }
                }
            };
            dispatcher.dispatch(Action::Sending(id.clone()));
            let (dispatcher, token, id) = (dispatcher.clone(), token.clone(), id.clone());
            let (draft, pending_id) = (draft.clone(), pending_id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::reply(&token, &id, &draft, &client).await {
                    Ok(_) => {
                        // Not another reply of the conversation that replaced it.
                        let mut pending = pending_id.borrow_mut();
                        pending.retain(|(_, c, _)| *c != client);
                        if !pending.iter().any(|(of, _, _)| *of == id) {
                            session::keep_sending(&id, None);
                        }
                        drop(pending);
                        dispatcher.dispatch(Action::Sent(id, draft));
                    }
                    Err(failure) => {
                        let why = failed(&dispatcher, &failure);
                        dispatcher.dispatch(Action::Failed(id, why));
                    }
                }
            });
        })
    };
    let submit = send.reform(|event: SubmitEvent| event.prevent_default());
    // As in Intercom, Crisp and Chatwoot: Enter sends, Shift+Enter starts a
    // new line; an input method's Enter (Japanese, Chinese) only ends its
    // composition (`isComposing`; Safari says so with key code 229 instead).
    // Escape leaves the box, for the shortcuts.
    let choice = offered.get(at).map(|r| (*r).clone());
    // Option ids cannot be the listbox's ("saved-replies") whatever the shortcut.
    let active = choice
        .as_ref()
        .map(|r| format!("saved-reply-{}", r.shortcut));
    let (count_offered, draft_text) = (offered.len(), props.draft.text.clone());
    let typing_shortcut = shortcut.is_some();
    let (pick, dismiss, put) = (picked.clone(), dismissed.clone(), insert.clone());
    let keydown = Callback::from(move |event: KeyboardEvent| match event.key().as_str() {
        // An input method's keys are its own (`isComposing`; Safari says so
        // with key code 229 instead).
        _ if event.is_composing() || event.key_code() == 229 => {}
        // With saved replies offered, the arrows pick one, Enter or Tab puts it
        // in the box, Escape hides them.
        "ArrowDown" | "ArrowUp" if count_offered > 0 => {
            event.prevent_default();
            let step = if event.key() == "ArrowDown" {
                1
            } else {
                count_offered - 1
            };
            pick.set((at + step) % count_offered);
        }
        "Enter" | "Tab" if choice.is_some() && !event.shift_key() => {
            event.prevent_default();
            if let Some(reply) = choice.clone() {
                put.emit(reply);
            }
        }
        // A shortcut that matches nothing (a typo) is not sent as text by
        // Enter: Escape first says it is meant.
        "Escape" if typing_shortcut => dismiss.set(draft_text.clone()),
        "Enter" if typing_shortcut && !event.shift_key() => event.prevent_default(),
        "Enter" if !event.shift_key() => {
            event.prevent_default();
            send.emit(());
        }
        "Escape" => {
            let _ = event.target_unchecked_into::<HtmlElement>().blur();
        }
        _ => {}
    });
    let claim = {
        let (dispatcher, token, id) = (props.dispatcher.clone(), props.token.clone(), c.id.clone());
        Callback::from(move |_: MouseEvent| {
            let (token, to) = (token.clone(), id.clone());
            run(&dispatcher, id.clone(), "Not claimed", async move {
                api::assign(&token, &to, &Assignee::Staff("me".into())).await
            });
        })
    };
    let closed = c.status == Status::Closed;
    let toggle = {
        let (dispatcher, token, id) = (props.dispatcher.clone(), props.token.clone(), c.id.clone());
        Callback::from(move |_: MouseEvent| {
            let (token, to) = (token.clone(), id.clone());
            let what = if closed { "Not reopened" } else { "Not closed" };
            run(&dispatcher, id.clone(), what, async move {
                if closed {
                    api::reopen(&token, &to).await
                } else {
                    api::close(&token, &to).await
                }
            });
        })
    };
    let draft_input = {
        let (dispatcher, id, on_typing) = (
            props.dispatcher.clone(),
            c.id.clone(),
            props.on_typing.clone(),
        );
        let picked = picked.clone();
        Callback::from(move |event: InputEvent| {
            on_typing.emit(());
            // Another shortcut typed: the best match comes first again.
            picked.set(0);
            let text = event.target_unchecked_into::<HtmlTextAreaElement>().value();
            dispatcher.dispatch(Action::Draft(id.clone(), text));
        })
    };
    let view = &props.view;
    // The name the visitor gave, shown as their messages are (controls named, isolated).
    let visitor = AttrValue::from(if c.visitor_name.is_empty() {
        "Visitor".to_owned()
    } else {
        visible_controls(&c.visitor_name).into_owned()
    });
    // A colleague by id (for "Closed by …"); one since removed is not named.
    let colleague_name = |id: Option<&str>| {
        let staff = props.colleagues.as_ref().map_or(&[][..], |c| &c.staff[..]);
        let id = id?;
        staff
            .iter()
            .find(|s| s.id == id)
            .map(|s| AttrValue::from(s.name.clone()))
    };
    // A team by id (for "Moved to Billing"); one since removed is not named.
    let team_name = |id: Option<&str>| {
        let teams = props.colleagues.as_ref().map_or(&[][..], |c| &c.teams[..]);
        let id = id?;
        teams
            .iter()
            .find(|t| t.id == id)
            .map(|t| AttrValue::from(t.name.clone()))
    };
    html! {
        <>
        <section class="conversation" aria-label="Conversation">
            <header>
                <h2>{ format!("{} — {}", view.team_name, c.status.as_str()) }</h2>
                <p class="visitor-info"><bdi>{ visitor.clone() }</bdi>
                    if !c.locale.is_empty() { { format!(", language {}", visible_controls(&c.locale)) } }</p>
                <p class="classification">
                    { format!("Topic {} ({:.0}%), tone {}, {}; channel {}", c.topic, c.confidence * 100.0, c.sentiment, c.kind, c.channel) }
                </p>
                <p class="reply-pref">{ format!("Wants an answer {reply_to}") }</p>
                // Drawn anew after a failed action, so a select shows the stored choice, not the refused one.
                <div class="actions" key={props.action_failures}>
                    if c.assignee_id != props.me.id {
                        <button type="button" onclick={claim}>{ "Claim" }</button>
                    }
                    { assign_controls(props) }
                    <button type="button" onclick={toggle}>{ if closed { "Reopen" } else { "Close" } }</button>
                </div>
                if let Some(error) = &props.action_error {
                    <p class="error action-error" role="alert">{ error.clone() }</p>
                }
            </header>
            <ol class="thread" aria-label="Messages">
                { for view.messages.iter().map(|m| html! {
                    <MessageItem key={m.id} message={m.clone()} conversation={c.id.clone()} visitor={visitor.clone()} token={props.token.clone()} dispatcher={props.dispatcher.clone()} by={colleague_name(notice_maker(m))} team={team_name(m.team.as_deref())} />
                }) }
            </ol>
            // Read receipts: only the widget tells what the visitor has seen.
            if let Some(last) = view.messages.iter().rev().find(|m| m.author == Author::Staff).filter(|_| c.channel == "widget") {
                <p class="seen">{ if last.id <= c.visitor_read_id { "Seen by the visitor" } else { "Not seen yet" } }</p>
            }
            if props.typing {
                <p class="typing" role="status">{ "The visitor is typing…" }</p>
            }
            if let Some(name) = &props.colleague_typing {
                <p class="typing colleague" role="status"><bdi>{ visible_controls(name).into_owned() }</bdi>{ " is writing a reply too…" }</p>
            }
            <form class="composer" onsubmit={submit}>
                <label for="reply">{ format!("Reply as {} (Enter sends, Shift+Enter adds a line{})", props.me.name,
                    if props.saved_replies.is_empty() { "" } else { "; / starts a saved reply" }) }</label>
                <textarea id="reply" rows="3" value={props.draft.text.clone()} oninput={draft_input} onkeydown={keydown}
                    aria-describedby={count.is_some().then_some("reply-count")}
                    aria-autocomplete={(!props.saved_replies.is_empty()).then_some("list")}
                    aria-controls={(!offered.is_empty()).then_some("saved-replies")}
                    aria-activedescendant={active} />
                // Said when the list opens or narrows (a reply box cannot say it is expanded).
                <p class="saved-said" role="status">{ match (shortcut, offered.len()) {
                    (None, _) => String::new(),
                    (Some(typed), 0) => format!("No saved reply matches /{typed}. Escape, then Enter, sends it as text."),
                    (Some(_), n) => format!("{n} saved repl{}: arrows choose, Enter puts one in, Escape closes.", if n == 1 { "y" } else { "ies" }),
                } }</p>
                if !offered.is_empty() {
                    <ul id="saved-replies" class="saved-replies" role="listbox" aria-label="Saved replies">
                        { for offered.iter().enumerate().map(|(i, reply)| {
                            let (insert, reply) = (insert.clone(), (*reply).clone());
                            // On press, not click: the box keeps the focus.
                            let choose = Callback::from(move |e: MouseEvent| {
                                e.prevent_default();
                                insert.emit(reply.clone());
                            });
                            html! {
                                <li id={format!("saved-reply-{}", offered[i].shortcut)} role="option" aria-selected={(i == at).to_string()} onmousedown={choose}>
                                    <b>{ format!("/{}", offered[i].shortcut) }</b>{ " " }{ visible_controls(offered[i].text.lines().next().unwrap_or_default()).into_owned() }
                                </li>
                            }
                        }) }
                    </ul>
                }
                if let Some(count) = count {
                    <p id="reply-count" class={classes!("count", over.then_some("over"))}>{ count }</p>
                }
                if let Some(error) = &props.draft.error {
                    <p class="error" role="alert">{ format!("Not sent: {}. Your reply is still here; press Send to try again.", error.trim_end_matches('.')) }</p>
                }
                <button type="submit" disabled={props.draft.sending || over}>{ "Send" }</button>
            </form>
        </section>
        <Journey journey={view.journey.clone()} earlier={view.earlier.clone()} />
        </>
    }
}

/// Assign to a colleague of the conversation's team, or move it to another team.
/// Who made a system notice: its `by`, or for a close or reopen stored
/// before notices kept it, the staff id it was stored with.
fn notice_maker(m: &StaffMessage) -> Option<&str> {
    let closing = matches!(m.notice.as_deref(), Some("closed" | "reopened"));
    m.by.as_deref()
        .or_else(|| m.staff_id.as_deref().filter(|_| closing))
}

fn assign_controls(props: &ConversationPaneProps) -> Html {
    let Some(colleagues) = &props.colleagues else {
        return html! {};
    };
    let c = &props.view.conversation;
    let pick = |what: &'static str, to: fn(String) -> Assignee| {
        let (dispatcher, token, id) = (props.dispatcher.clone(), props.token.clone(), c.id.clone());
        Callback::from(move |e: Event| {
            // An empty value is "nobody": the conversation is unassigned.
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            let (token, of, to) = (token.clone(), id.clone(), to(value));
            run(&dispatcher, id.clone(), what, async move {
                api::assign(&token, &of, &to).await
            });
        })
    };
    html! {
        <>
            <label>{ "Assign to " }
                <select class="assign-staff" onchange={pick("Not assigned", Assignee::Staff)}>
                    <option value="" selected={c.assignee_id.is_empty()}>{ "nobody" }</option>
                    { for colleagues.staff.iter().filter(|s| s.teams.contains(&c.team_id)).map(|s| html! {
                        <option value={s.id.clone()} selected={s.id == c.assignee_id}>{ format!("{} ({})", s.name, s.presence) }</option>
                    }) }
                </select>
            </label>
            <label>{ "Team " }
                <select class="move-team" onchange={pick("Not moved", Assignee::Team)}>
                    { for colleagues.teams.iter().map(|t| html! { <option value={t.id.clone()} selected={t.id == c.team_id}>{ t.name.clone() }</option> }) }
                </select>
            </label>
        </>
    }
}
