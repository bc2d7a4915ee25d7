use yew::prelude::*;

use super::clock;
use crate::console::state::{Earlier, Touchpoint};
use crate::domain::display::visible_controls;

#[derive(PartialEq, Properties)]
pub struct JourneyProps {
    pub journey: Vec<Touchpoint>,
    pub earlier: Vec<Earlier>,
}

/// Time on a viewed page: until the next page view (at most 30 minutes, after
/// which the visit is taken to have ended), or its recorded engaged time.
fn time_on_page(journey: &[Touchpoint], index: usize) -> Option<i64> {
    let view = journey.get(index).filter(|t| t.kind == "pageview")?;
    let next = journey[index + 1..].iter().find(|t| t.kind == "pageview")?;
    let ms = next.occurred_at - view.occurred_at;
    (0..30 * 60_000).contains(&ms).then_some(ms / 1000)
}

fn touchpoint_item(t: &Touchpoint, seconds_on_page: Option<i64>) -> Html {
    let mut what = t.kind.clone();
    if !t.name.is_empty() {
        what.push(' ');
        what.push_str(&t.name);
    }
    let mut source = t.channel.replace('_', " ");
    let named = if t.source_name.is_empty() {
        &t.utm_source
    } else {
        &t.source_name
    };
    if !named.is_empty() {
        source.push_str(" (");
        source.push_str(named);
        source.push(')');
    }
    if !t.utm_campaign.is_empty() {
        source.push_str(", campaign ");
        source.push_str(&t.utm_campaign);
    }
    // Paths, click names and campaigns come from pages and links anyone can
    // make: shown as messages are (controls named, isolated), so "/\u{202e}fdp.exe"
    // cannot read as "/exe.pdf" nor reorder what follows it.
    html! {
        <li class="touchpoint">
            <span class="when">{ clock(t.occurred_at) }</span>
            <span class="what"><bdi>{ visible_controls(&format!("{what} {}", t.path)).into_owned() }</bdi>{ format!(" [{}]", t.page_type) }</span>
            if !source.is_empty() { <span class="source"><bdi>{ visible_controls(&source).into_owned() }</bdi></span> }
            if let Some(seconds) = seconds_on_page { <span class="engaged">{ format!("{seconds} s on the page") }</span> }
            if t.engaged_ms > 0 { <span class="engaged">{ format!("{} s engaged", t.engaged_ms / 1000) }</span> }
        </li>
    }
}

/// The visitor's journey beside the conversation, and their earlier conversations.
#[function_component(Journey)]
pub fn journey(props: &JourneyProps) -> Html {
    html! {
        <aside class="journey" aria-label="Journey">
            <h2>{ "Journey" }</h2>
            if props.journey.is_empty() {
                <p class="empty">{ "No touchpoints recorded for this visitor." }</p>
            }
            <ol>{ for props.journey.iter().enumerate().map(|(i, t)| touchpoint_item(t, time_on_page(&props.journey, i))) }</ol>
            if !props.earlier.is_empty() {
                <h3>{ "Earlier conversations" }</h3>
                <ul>{ for props.earlier.iter().map(|e| html! { <li>{ format!("{} · {} · {} · {}", clock(e.created_at), if e.team_name.is_empty() { &e.team_id } else { &e.team_name }, e.topic, e.status.as_str()) }</li> }) }</ul>
            }
        </aside>
    }
}
