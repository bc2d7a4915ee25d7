use std::cell::RefCell;
use std::rc::Rc;

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::{clock, explain, Journey, MessageItem};
use crate::console::api::{self, Assignee};
use crate::console::state::{Action, Colleagues, ConsoleState, ConversationView, Me};
use crate::domain::conversation::{Author, Status};
use crate::domain::display::visible_controls;
use crate::fetch::{client_id, Failure};
use crate::hooks::on_draft;

/// The reply being sent: its client id, with the conversation and the text
/// it was made for.
pub type PendingReply = Rc<RefCell<Option<(String, (String, String))>>>;

#[derive(PartialEq, Properties)]
pub struct ConversationPaneProps {
    pub view: ConversationView,
    pub me: Me,
    pub colleagues: Option<Colleagues>,
    pub token: AttrValue,
    pub draft: AttrValue,
    pub sending: bool,
    pub error: Option<AttrValue>,
    /// The id of the reply being sent, kept until it is stored, so sending
    /// again after a failure cannot post twice.
    pub pending_id: PendingReply,
    pub dispatcher: UseReducerDispatcher<ConsoleState>,
    /// Whether the visitor is typing now (pushed, issue 18).
    pub typing: bool,
    /// Called on each keystroke in the reply: tells the visitor someone is typing.
    pub on_typing: Callback<()>,
}

/// Runs a staff call whose answer the next refresh shows; a failure shows in
/// the composer.
pub fn run<T>(
    dispatcher: &UseReducerDispatcher<ConsoleState>,
    call: impl std::future::Future<Output = Result<T, Failure>> + 'static,
) {
    let dispatcher = dispatcher.clone();
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(failure) = call.await {
            dispatcher.dispatch(Action::Failed(explain(&failure)));
        }
    });
}

/// The open conversation: its team, status, classification and how the
/// visitor wants an answer; claim, assign, move, close or reopen; the thread
/// and the reply composer; the journey beside it.
#[function_component(ConversationPane)]
pub fn conversation_pane(props: &ConversationPaneProps) -> Html {
    let c = &props.view.conversation;
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
    let send = {
        let (dispatcher, token, id) = (props.dispatcher.clone(), props.token.clone(), c.id.clone());
        let (draft, sending) = (props.draft.trim().to_owned(), props.sending);
        let pending_id = props.pending_id.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if draft.is_empty() || sending {
                return;
            }
            // The same id for a retry of the same reply in the same
            // conversation (stored once); another for an edited one, since the
            // first may have been stored with its answer lost.
            let client = {
                let mut pending = pending_id.borrow_mut();
                match &*pending {
                    Some((client, (of, text))) if *of == id && *text == draft => client.clone(),
                    _ => pending
                        .insert((client_id("c-"), (id.clone(), draft.clone())))
                        .0
                        .clone(),
                }
            };
            dispatcher.dispatch(Action::Sending);
            let (dispatcher, token, id) = (dispatcher.clone(), token.clone(), id.clone());
            let (draft, pending_id) = (draft.clone(), pending_id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::reply(&token, &id, &draft, &client).await {
                    Ok(_) => {
                        *pending_id.borrow_mut() = None;
                        dispatcher.dispatch(Action::Sent);
                    }
                    Err(failure) => dispatcher.dispatch(Action::Failed(explain(&failure))),
                }
            });
        })
    };
    let claim = {
        let (dispatcher, token, id) = (props.dispatcher.clone(), props.token.clone(), c.id.clone());
        Callback::from(move |_: MouseEvent| {
            let (token, id) = (token.clone(), id.clone());
            run(&dispatcher, async move {
                api::assign(&token, &id, &Assignee::Staff("me".into())).await
            });
        })
    };
    let closed = c.status == Status::Closed;
    let toggle = {
        let (dispatcher, token, id) = (props.dispatcher.clone(), props.token.clone(), c.id.clone());
        Callback::from(move |_: MouseEvent| {
            let (token, id) = (token.clone(), id.clone());
            run(&dispatcher, async move {
                if closed {
                    api::reopen(&token, &id).await
                } else {
                    api::close(&token, &id).await
                }
            });
        })
    };
    let draft_input = {
        let (draft, on_typing) = (
            on_draft(props.dispatcher.clone(), Action::Draft),
            props.on_typing.clone(),
        );
        Callback::from(move |event: InputEvent| {
            on_typing.emit(());
            draft.emit(event);
        })
    };
    let view = &props.view;
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
                    if c.assignee_id != props.me.id {
                        <button type="button" onclick={claim}>{ "Claim" }</button>
                    }
                    { assign_controls(props) }
                    <button type="button" onclick={toggle}>{ if closed { "Reopen" } else { "Close" } }</button>
                </div>
            </header>
            <ol class="thread" aria-label="Messages">
                { for view.messages.iter().map(|m| html! {
                    <MessageItem key={m.id} message={m.clone()} token={props.token.clone()} dispatcher={props.dispatcher.clone()} />
                }) }
            </ol>
            // Read receipts: only the widget tells what the visitor has seen.
            if let Some(last) = view.messages.iter().rev().find(|m| m.author == Author::Staff).filter(|_| c.channel == "widget") {
                <p class="seen">{ if last.id <= c.visitor_read_id { "Seen by the visitor" } else { "Not seen yet" } }</p>
            }
            if props.typing {
                <p class="typing" role="status">{ "The visitor is typing…" }</p>
            }
            <form class="composer" onsubmit={send}>
                <label for="reply">{ format!("Reply as {}", props.me.name) }</label>
                <textarea id="reply" rows="3" value={props.draft.clone()} oninput={draft_input} />
                if let Some(error) = &props.error {
                    <p class="error" role="alert">{ format!("Not sent: {}. Your reply is still here; press Send to try again.", error.trim_end_matches('.')) }</p>
                }
                <button type="submit" disabled={props.sending}>{ "Send" }</button>
            </form>
        </section>
        <Journey journey={view.journey.clone()} earlier={view.earlier.clone()} />
        </>
    }
}

/// Assign to a colleague of the conversation's team, or move it to another team.
fn assign_controls(props: &ConversationPaneProps) -> Html {
    let Some(colleagues) = &props.colleagues else {
        return html! {};
    };
    let c = &props.view.conversation;
    let pick = |to: fn(String) -> Assignee| {
        let (dispatcher, token, id) = (props.dispatcher.clone(), props.token.clone(), c.id.clone());
        Callback::from(move |e: Event| {
            // An empty value is "nobody": the conversation is unassigned.
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            let (token, id, to) = (token.clone(), id.clone(), to(value));
            run(
                &dispatcher,
                async move { api::assign(&token, &id, &to).await },
            );
        })
    };
    html! {
        <>
            <label>{ "Assign to " }
                <select class="assign-staff" onchange={pick(Assignee::Staff)}>
                    <option value="" selected={c.assignee_id.is_empty()}>{ "nobody" }</option>
                    { for colleagues.staff.iter().filter(|s| s.teams.contains(&c.team_id)).map(|s| html! {
                        <option value={s.id.clone()} selected={s.id == c.assignee_id}>{ format!("{} ({})", s.name, s.presence) }</option>
                    }) }
                </select>
            </label>
            <label>{ "Team " }
                <select class="move-team" onchange={pick(Assignee::Team)}>
                    { for colleagues.teams.iter().map(|t| html! { <option value={t.id.clone()} selected={t.id == c.team_id}>{ t.name.clone() }</option> }) }
                </select>
            </label>
        </>
    }
}
