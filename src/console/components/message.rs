use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::{clock, run};
use crate::console::api::{self, Correction};
use crate::console::state::{ConsoleState, Labels, StaffMessage};
use crate::domain::classify::{KINDS, SENTIMENTS, TOPICS};
use crate::domain::conversation::Author;
use crate::domain::display::visible_controls;

#[derive(PartialEq, Properties)]
pub struct MessageItemProps {
    pub message: StaffMessage,
    /// The conversation's id.
    pub conversation: AttrValue,
    /// How the visitor is named: the name they gave, or "Visitor".
    pub visitor: AttrValue,
    pub token: AttrValue,
    pub dispatcher: UseReducerDispatcher<ConsoleState>,
    /// Who made a system notice (a colleague's name), when known.
    #[prop_or_default]
    pub by: Option<AttrValue>,
    /// The team a move notice moved the conversation to (its name), when known.
    #[prop_or_default]
    pub team: Option<AttrValue>,
}

/// One message of the thread; a visitor's message with what the browser and
/// the edge made of it, and one-click corrections of its labels.
#[function_component(MessageItem)]
pub fn message_item(props: &MessageItemProps) -> Html {
    let m = &props.message;
    // The labels as corrected so far, starting from staff's latest
    // correction or else what the edge said: each correction sends all
    // three, so correcting the tone after the topic (in this view or after
    // a reload) must carry the corrected topic, not the edge's.
    let corrected = use_state(|| {
        m.corrected_labels
            .as_ref()
            .or(m.edge_labels.as_ref())
            .map_or(
                Correction {
                    topic: String::new(),
                    sentiment: String::new(),
                    kind: String::new(),
                },
                |l: &Labels| Correction {
                    topic: l.topic.clone(),
                    sentiment: l.sentiment.clone(),
                    kind: l.kind.clone(),
                },
            )
    });
    if m.author == Author::System {
        let who = m.name.clone().unwrap_or_default();
        let text = match m.notice.as_deref() {
            Some("staff_joined") => format!("{who} joined"),
            // Older notices were stored without the name.
            Some("assigned") if !who.is_empty() => format!("Assigned to {who}"),
            Some("unassigned") => "Unassigned".to_owned(),
            Some("moved_team") => match &props.team {
                Some(team) => format!("Moved to {team}"),
                None => "Moved to another team".to_owned(),
            },
            Some("closed") => "Closed".to_owned(),
            Some("reopened") => "Reopened".to_owned(),
            Some(other) => other.replace('_', " "),
            None => String::new(),
        };
        // Who did it, unless it names them already (a person who claimed it).
        let claimed = m.notice.as_deref() == Some("assigned") && m.by == m.staff_id;
        let text = match &props.by {
            Some(by) if !claimed => format!("{text} by {by}"),
            _ => text,
        };
        return html! { <li class="system">{ text }</li> };
    }
    let who = if m.author == Author::Staff {
        AttrValue::from(m.name.clone().unwrap_or_default())
    } else {
        props.visitor.clone()
    };
    let correction = (m.author == Author::Visitor).then(|| {
        let current = (*corrected).clone();
        let select = |field: &'static str, options: &[&'static str], selected: &str| {
            let (dispatcher, token, message) = (props.dispatcher.clone(), props.token.clone(), m.id);
            let id = props.conversation.to_string();
            let corrected = corrected.clone();
            let on_change = Callback::from(move |e: Event| {
                let value = e.target_unchecked_into::<HtmlSelectElement>().value();
                let mut correction = (*corrected).clone();
                match field {
                    "topic" => correction.topic = value,
                    "tone" => correction.sentiment = value,
                    _ => correction.kind = value,
                }
                corrected.set(correction.clone());
                let token = token.clone();
                run(&dispatcher, id.clone(), "Correction not saved", async move {
                    api::correct_labels(&token, message, &correction).await
                });
            });
            html! {
                <label class="correct">{ format!("{field} ") }
                    <select class={format!("correct-{field}")} aria-label={format!("Correct the {field}")} onchange={on_change}>
                        { for options.iter().map(|o| html! { <option value={*o} selected={selected == *o}>{ *o }</option> }) }
                    </select>
                </label>
            }
        };
        html! {
            <p class="corrections">
                { select("topic", &TOPICS, &current.topic) }
                { select("tone", &SENTIMENTS, &current.sentiment) }
                { select("kind", &KINDS, &current.kind) }
            </p>
        }
    });
    let disagreement = match (&m.browser_labels, &m.edge_labels) {
        (Some(b), Some(e)) if !m.labels_agree => {
            Some(format!("browser said {}, edge says {}", b.topic, e.topic))
        }
        _ => None,
    };
    html! {
        <li class={m.author.as_str()}>
            <p class="meta"><strong><bdi>{ who }</bdi></strong>{ " · " }{ clock(m.created_at) }</p>
            // Isolated and with direction controls shown, so a message cannot
            // reorder itself or its surroundings ("gnp.exe" behind U+202E).
            <p class="text"><bdi>{ visible_controls(&m.text).into_owned() }</bdi></p>
            if !m.pii_missed.is_empty() {
                <p class="flag">{ format!("Redacted at the edge: {}", m.pii_missed.join(", ")) }</p>
            }
            if let Some(d) = disagreement { <p class="flag">{ d }</p> }
            { for correction }
        </li>
    }
}
