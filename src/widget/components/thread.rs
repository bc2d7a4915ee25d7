use yew::prelude::*;

use crate::widget::answers::ThreadMessage;
use crate::widget::i18n::{self, Strings};

#[derive(PartialEq)]
pub struct ThreadProps {
    pub locale: AttrValue,
    pub messages: Vec<ThreadMessage>,
}

/// The conversation so far, read out as it grows.
pub fn thread(props: &ThreadProps) -> Html {
    let strings = i18n::strings(&props.locale);
    html! {
        <ol class="thread" role="log" aria-live="polite" aria-label={strings.title}>
            { for props.messages.iter().map(|m| message_item(m, strings, &props.locale)) }
        </ol>
    }
}

fn message_item(message: &ThreadMessage, strings: &Strings, locale: &str) -> Html {
    let time = i18n::local_time(locale, message.created_at, false);
    if message.author == "system" {
        let name = message.name.clone().unwrap_or_default();
        let text = match message.notice.as_deref() {
            Some("staff_joined") => i18n::fill(strings.joined, &[("name", &name)]),
            Some("closed") => strings.closed_notice.to_owned(),
            Some("reopened") => strings.reopened_notice.to_owned(),
            Some("moved_team") => strings.moved_notice.to_owned(),
            // Staff handing it back to the team is not news to the visitor.
            Some("unassigned") => return Html::default(),
            _ => strings.assigned_notice.to_owned(),
        };
        return html! { <li class="system"><span>{ text }</span></li> };
    }
    // A literal class on each branch: a computed `class={…}` goes through
    // Yew's `Classes` (an IndexMap and its hashing, ~1.5 KB raw).
    let staff = message.author == "staff";
    let who = if staff {
        message.name.clone().unwrap_or_default()
    } else {
        strings.you.to_owned()
    };
    let content = html! {
        <>
            <p class="meta"><span class="who">{ who }</span>{ " · " }<time>{ time }</time></p>
            // Always text, never markup: Yew escapes it. Isolated, so its
            // direction cannot reorder the thread around it. Its controls
            // are named for staff (`display::visible_controls`, who decide
            // whom to trust), not here: the visitor reads their own words
            // and staff replies, and the widget has no bytes to spare.
            <p class="text"><bdi>{ message.text.clone() }</bdi></p>
        </>
    };
    if staff {
        html! { <li class="staff">{ content }</li> }
    } else {
        html! { <li class="visitor">{ content }</li> }
    }
}
