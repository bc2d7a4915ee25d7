//! The conversations behind one bar of the insights page, listed under the
//! charts; each opens in the inbox's conversation pane.

use yew::prelude::*;

use super::super::api;
use super::super::components::clock;
use crate::console::hooks::use_effect_on;
use crate::domain::display::visible_controls;
use crate::domain::wire::insights::ChartConversations;

/// A bar staff asked about: what it is called on the page and how the API names it.
#[derive(Clone, PartialEq)]
pub struct Bar {
    /// "Pages before trouble: /checkout".
    pub title: String,
    /// Query parameters naming the bar (`page`, `campaign` or `topic`).
    pub query: Vec<(&'static str, String)>,
}

#[derive(PartialEq, Properties)]
pub struct BehindProps {
    pub token: String,
    pub days: u32,
    pub bar: Bar,
    /// Opens a conversation in the inbox.
    pub on_open: Callback<String>,
    pub on_close: Callback<()>,
}

/// The listed conversations of `bar`, loaded whenever the bar or period changes.
#[function_component(Behind)]
pub fn behind(props: &BehindProps) -> Html {
    let listed = use_state(|| None::<Result<ChartConversations, String>>);
    {
        let listed = listed.clone();
        let token = props.token.clone();
        use_effect_on((props.bar.clone(), props.days), move |(bar, days)| {
            listed.set(None);
            let (bar, days) = (bar.clone(), *days);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::behind(&token, days, &bar.query)
                    .await
                    .map_err(super::failure_text);
                listed.set(Some(result));
            });
        });
    }
    let close = props.on_close.reform(|_: MouseEvent| ());
    let body = match &*listed {
        None => html! { <p>{ "Loading…" }</p> },
        Some(Err(message)) => html! { <p class="error" role="alert">{ message.clone() }</p> },
        Some(Ok(found)) if found.conversations.is_empty() => {
            html! { <p class="empty">{ "No conversations behind this bar in the period." }</p> }
        }
        Some(Ok(found)) => html! {
            <>
                <p class="count">{
                    if found.total as usize > found.conversations.len() {
                        format!("{} conversations; the newest {} are listed.", found.total, found.conversations.len())
                    } else if found.total == 1 {
                        "1 conversation.".to_owned()
                    } else {
                        format!("{} conversations.", found.total)
                    }
                }</p>
                <ul>
                    { for found.conversations.iter().map(|c| {
                        let open = {
                            let on_open = props.on_open.clone();
                            let id = c.id.clone();
                            Callback::from(move |_: MouseEvent| on_open.emit(id.clone()))
                        };
                        html! {
                            <li>
                                <button type="button" class="row" data-conversation={c.id.clone()} onclick={open}>
                                    <span class="labels">{ format!("{} · {} · {} · {} · {}", clock(c.created_at), c.team_id, c.topic, c.sentiment, c.status.as_str()) }</span>
                                    <span class="preview"><bdi>{ visible_controls(&c.preview).into_owned() }</bdi></span>
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            </>
        },
    };
    html! {
        <section class="behind" aria-label="Conversations behind the bar">
            <h3>{ "Conversations behind " }<bdi>{ visible_controls(&props.bar.title).into_owned() }</bdi></h3>
            <button type="button" class="close" onclick={close}>{ "Close list" }</button>
            { body }
        </section>
    }
}
