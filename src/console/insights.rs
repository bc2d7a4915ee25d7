//! The insights page: what the conversations say and what preceded them, as
//! SVG charts readable at a glance, each with its numbers as a table and a CSV
//! download, and the conversations behind each bar a click away.

mod behind;

use yew::prelude::*;

use super::hooks::use_effect_on;

use super::api;
use crate::domain::display::visible_controls;
use crate::domain::wire::insights::{DayTopic, Insights, Preceding};
use crate::fetch::Failure;
use behind::{Bar, Behind};

/// A channel's wire name as people read it (`ai_assistant` → `AI assistant`).
fn channel_label(channel: &str) -> String {
    match channel {
        "ai_assistant" => "AI assistant".into(),
        "sms" => "SMS".into(),
        other => other.replace('_', " "),
    }
}

#[derive(PartialEq, Properties)]
pub struct InsightsProps {
    pub token: String,
    /// Opens a conversation in the inbox.
    pub on_open: Callback<String>,
}

/// The charts that can list their conversations.
#[derive(Clone, Copy, PartialEq)]
enum Chart {
    Topics,
    Pages,
    Campaigns,
}

/// One button per bar: its label and count; pressing it lists the conversations.
fn drill_buttons(
    chart: Chart,
    bars: Vec<(String, String, Bar)>,
    drill: &UseStateHandle<Option<(Chart, Bar)>>,
) -> Html {
    if bars.is_empty() {
        return Html::default();
    }
    html! {
        <p class="drill">{ "Conversations behind: " }
            { for bars.into_iter().map(|(label, count, bar)| {
                let drill = drill.clone();
                let pressed = drill.as_ref().is_some_and(|(c, b)| *c == chart && *b == bar);
                let onclick = Callback::from(move |_: MouseEvent| drill.set(Some((chart, bar.clone()))));
                html! { <button type="button" aria-pressed={pressed.to_string()} {onclick}><bdi>{ visible_controls(&label).into_owned() }</bdi>{ " · " }{ count }</button> }
            }) }
        </p>
    }
}

/// What the insights page says when a call fails.
fn failure_text(failure: Failure) -> String {
    match failure {
        Failure::Network => "The worker could not be reached.".to_owned(),
        Failure::Api { message, .. } => message,
    }
}

/// A CSV file as a `data:` link target; no cell can run as a formula.
fn csv_href(header: &[&str], rows: &[Vec<String>]) -> String {
    let csv = crate::domain::display::csv(header, rows);
    let mut href = String::from("data:text/csv;charset=utf-8,");
    href.push_str(&String::from(js_sys::encode_uri_component(&csv)));
    href
}

/// The numbers of a chart. Here, in the charts' labels and on the drill
/// buttons, paths and campaigns (anyone's text: an RLO in a `utm_campaign`)
/// are shown as messages are, controls named and isolated; the CSV keeps
/// them as stored.
fn table(caption: &str, header: &[&str], rows: &[Vec<String>], file: &str) -> Html {
    html! {
        <details class="numbers">
            <summary>{ format!("{caption}: the numbers") }</summary>
            <table>
                <thead><tr>{ for header.iter().map(|h| html! { <th scope="col">{ *h }</th> }) }</tr></thead>
                <tbody>{ for rows.iter().map(|r| html! { <tr>{ for r.iter().map(|c| html! { <td><bdi>{ visible_controls(c).into_owned() }</bdi></td> }) }</tr> }) }</tbody>
            </table>
            <a class="csv" href={csv_href(header, rows)} download={file.to_owned()}>{ "Download CSV" }</a>
        </details>
    }
}

/// Chart rows: a label and its segment values.
type Bars = Vec<(String, Vec<i64>)>;
/// Table rows of text cells.
type Rows = Vec<Vec<String>>;

const TONES: [(&str, &str); 3] = [
    ("negative", "#c62828"),
    ("neutral", "#8a8f98"),
    ("positive", "#2e7d32"),
];

/// Horizontal bars, one per label, split into coloured segments.
fn stacked_bars(title: &str, rows: &[(String, Vec<i64>)], colours: &[&str]) -> Html {
    let max = rows
        .iter()
        .map(|(_, v)| v.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let height = rows.len() as i64 * 26 + 8;
    html! {
        <svg class="chart" role="img" aria-label={title.to_owned()} viewBox={format!("0 0 600 {height}")} width="100%">
            { for rows.iter().enumerate().map(|(i, (label, values))| {
                let y = i as i64 * 26 + 4;
                let mut x = 160.0_f64;
                let total: i64 = values.iter().sum();
                html! {
                    <g>
                        <text x="152" y={(y + 15).to_string()} text-anchor="end" class="label">{ visible_controls(label).into_owned() }</text>
                        { for values.iter().zip(colours).map(|(v, colour)| {
                            let w = *v as f64 / max as f64 * 380.0;
                            let rect = html! { <rect x={format!("{x:.1}")} y={y.to_string()} width={format!("{w:.1}")} height="20" fill={colour.to_string()} /> };
                            x += w;
                            rect
                        }) }
                        <text x={format!("{:.1}", x + 6.0)} y={(y + 15).to_string()} class="value">{ total }</text>
                    </g>
                }
            }) }
        </svg>
    }
}

/// Lift bars with their 95% interval as a whisker, and the baseline (a lift
/// of 1) as a dashed line; pale bars rest on too few visitors to judge.
fn lift_chart(title: &str, rows: &[Preceding]) -> Html {
    let max = rows.iter().map(|p| p.lift_high).fold(1.0, f64::max);
    let x = |lift: f64| 160.0 + lift / max * 360.0;
    let height = rows.len() * 26 + 8;
    html! {
        <svg class="chart" role="img" aria-label={title.to_owned()} viewBox={format!("0 0 600 {height}")} width="100%">
            { for rows.iter().enumerate().map(|(i, p)| {
                let y = i * 26 + 4;
                html! {
                    <g>
                        <text x="152" y={(y + 15).to_string()} text-anchor="end" class="label">{ visible_controls(&p.label).into_owned() }</text>
                        <rect x="160" y={y.to_string()} width={format!("{:.1}", x(p.lift) - 160.0)} height="20"
                            fill={if p.enough_data { "#1f4fd1" } else { "#b8c2d9" }} />
                        <line x1={format!("{:.1}", x(p.lift_low))} x2={format!("{:.1}", x(p.lift_high))}
                            y1={(y + 10).to_string()} y2={(y + 10).to_string()} stroke="#111" stroke-width="2" />
                        <text x={format!("{:.1}", x(p.lift_high) + 6.0)} y={(y + 15).to_string()} class="value">{ format!("×{:.1}", p.lift) }</text>
                    </g>
                }
            }) }
            <line x1={format!("{:.1}", x(1.0))} x2={format!("{:.1}", x(1.0))} y1="0" y2={height.to_string()}
                stroke="#c62828" stroke-dasharray="4 3" />
        </svg>
    }
}

/// One bar per distinct `key` (sorted when asked, else in first-seen order),
/// split into the three tones.
fn by_tone(rows: &[DayTopic], key: fn(&DayTopic) -> &String, sorted: bool) -> Bars {
    let mut keys: Vec<&String> = Vec::new();
    for row in rows {
        if !keys.contains(&key(row)) {
            keys.push(key(row));
        }
    }
    if sorted {
        keys.sort();
    }
    keys.into_iter()
        .map(|k| {
            let values = TONES
                .iter()
                .map(|(tone, _)| {
                    rows.iter()
                        .filter(|d| key(d) == k && d.sentiment == *tone)
                        .map(|d| d.conversations)
                        .sum()
                })
                .collect();
            (k.clone(), values)
        })
        .collect()
}

/// The insights page.
#[function_component(InsightsPage)]
pub fn insights_page(props: &InsightsProps) -> Html {
    let figures = use_state(|| None::<Result<Insights, String>>);
    let days = use_state(|| 30_u32);
    let drill = use_state(|| None::<(Chart, Bar)>);
    {
        let figures = figures.clone();
        let token = props.token.clone();
        use_effect_on(*days, move |days| {
            let days = *days;
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::insights(&token, days).await.map_err(failure_text);
                figures.set(Some(result));
            });
        });
    }
    let on_days = {
        let days = days.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            days.set(value.parse().unwrap_or(30));
        })
    };
    let picker = html! {
        <label>{ "Period " }
            <select onchange={on_days}>
                { for [7_u32, 30, 90, 365].iter().map(|d| html! { <option value={d.to_string()} selected={*days == *d}>{ format!("last {d} days") }</option> }) }
            </select>
        </label>
    };
    let figures = match &*figures {
        None => {
            return html! { <section class="insights"><h2>{ "Insights" }</h2>{ picker }<p>{ "Loading…" }</p></section> }
        }
        Some(Err(message)) => {
            return html! { <section class="insights"><h2>{ "Insights" }</h2><p class="error" role="alert">{ message.clone() }</p></section> }
        }
        Some(Ok(f)) => f.clone(),
    };

    // Conversations by topic, split by tone.
    let by_topic = by_tone(&figures.by_day, |d| &d.topic, true);
    let topic_rows: Vec<Vec<String>> = by_topic
        .iter()
        .map(|(t, v)| {
            let mut row = vec![t.clone()];
            row.extend(v.iter().map(|n| n.to_string()));
            row.push(v.iter().sum::<i64>().to_string());
            row
        })
        .collect();
    // Conversations per day (already in day order), split by tone.
    let per_day = by_tone(&figures.by_day, |d| &d.day, false);
    let day_rows: Vec<Vec<String>> = figures
        .by_day
        .iter()
        .map(|d| {
            vec![
                d.day.clone(),
                d.topic.clone(),
                d.sentiment.clone(),
                d.conversations.to_string(),
            ]
        })
        .collect();
    let preceding_rows = |rows: &[Preceding]| -> Rows {
        rows.iter()
            .map(|p| {
                vec![
                    p.label.clone(),
                    p.page_type.clone(),
                    p.conversations.to_string(),
                    p.visitors.to_string(),
                    format!("{:.2}", p.lift),
                    format!("{:.2}", p.lift_low),
                    format!("{:.2}", p.lift_high),
                    if p.enough_data { "yes" } else { "no" }.into(),
                ]
            })
            .collect()
    };
    let pages_rows = preceding_rows(&figures.pages_before_trouble);
    let campaigns_rows = preceding_rows(&figures.campaigns_before_trouble);
    let lift_header = [
        "conversations",
        "visitors",
        "lift",
        "lift low (95%)",
        "lift high (95%)",
        "enough data",
    ];
    let with_lift = |first: &'static str, second: &'static str| -> Vec<&'static str> {
        [first, second].into_iter().chain(lift_header).collect()
    };
    let lift_note = html! {
        <p class="legend">{ format!(
            "Ranked by lift: trouble conversations per visitor who saw it, over the same share for all visitors \
             (dashed line: 1, the baseline). Whiskers: 95% interval. Pale: fewer than {} visitors or {} trouble \
             conversations, too few to judge.",
            figures.min_visitors, figures.min_trouble
        ) }</p>
    };
    let response_rows: Vec<Vec<String>> = figures
        .first_response
        .iter()
        .map(|t| {
            vec![
                t.name.clone(),
                t.median_first_response_s
                    .map_or("not enough data".into(), |s| {
                        format!("{} min", s.div_ceil(60))
                    }),
                format!("{} min", t.target_minutes),
                match t.within_target {
                    Some(true) => "yes".into(),
                    Some(false) => "no".into(),
                    None => "—".into(),
                },
                t.answered.to_string(),
                t.waiting.to_string(),
            ]
        })
        .collect();
    let response_chart: Vec<(String, Vec<i64>)> = figures
        .first_response
        .iter()
        .filter_map(|t| {
            t.median_first_response_s
                .map(|s| (t.name.clone(), vec![i64::from(s.div_ceil(60))]))
        })
        .collect();
    let channel_chart: Vec<(String, Vec<i64>)> = figures
        .channels
        .iter()
        .map(|c| (c.channel.clone(), vec![c.conversations]))
        .collect();
    let channel_rows: Vec<Vec<String>> = figures
        .channels
        .iter()
        .map(|c| vec![c.channel.clone(), c.conversations.to_string()])
        .collect();
    let mut arrival_chart: Vec<(String, Vec<i64>)> = Vec::new();
    for a in &figures.arrivals {
        let label = channel_label(&a.channel);
        match arrival_chart.iter_mut().find(|(l, _)| *l == label) {
            Some((_, visits)) => visits[0] += a.visits,
            None => arrival_chart.push((label, vec![a.visits])),
        }
    }
    let arrival_rows: Vec<Vec<String>> = figures
        .arrivals
        .iter()
        .map(|a| {
            vec![
                channel_label(&a.channel),
                a.source_name.clone(),
                a.visits.to_string(),
            ]
        })
        .collect();
    let accent = ["#1f4fd1"];
    let lift_bars =
        |rows: &[Preceding], title: &str, name: &'static str| -> Vec<(String, String, Bar)> {
            rows.iter()
                .map(|p| {
                    let bar = Bar {
                        title: format!("{title}: {}", p.label),
                        query: vec![(name, p.label.clone())],
                    };
                    (p.label.clone(), p.conversations.to_string(), bar)
                })
                .collect()
        };
    let topic_bars: Vec<(String, String, Bar)> = by_topic
        .iter()
        .map(|(topic, values)| {
            let bar = Bar {
                title: format!("Topic: {topic}"),
                query: vec![("topic", topic.clone())],
            };
            (topic.clone(), values.iter().sum::<i64>().to_string(), bar)
        })
        .collect();
    let listed = |chart: Chart| -> Html {
        match &*drill {
            Some((shown, bar)) if *shown == chart => {
                let drill = drill.clone();
                html! { <Behind token={props.token.clone()} days={*days} bar={bar.clone()}
                on_open={props.on_open.clone()} on_close={Callback::from(move |()| drill.set(None))} /> }
            }
            _ => Html::default(),
        }
    };

    html! {
        <section class="insights" aria-label="Insights">
            <h2>{ "Insights" }</h2>
            { picker }
            <p class="legend">
                { for TONES.iter().map(|(tone, colour)| html! { <span class="swatch-label"><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill={*colour} /></svg>{ format!(" {tone} ") }</span> }) }
            </p>
            <article>
                <h3>{ "Conversations by topic and tone" }</h3>
                { stacked_bars("Conversations by topic and tone", &by_topic, &TONES.map(|t| t.1)) }
                { table("Conversations by topic and tone", &["topic", "negative", "neutral", "positive", "total"], &topic_rows, "topics.csv") }
                { drill_buttons(Chart::Topics, topic_bars, &drill) }
                { listed(Chart::Topics) }
            </article>
            <article>
                <h3>{ "Conversations per day" }</h3>
                { stacked_bars("Conversations per day", &per_day, &TONES.map(|t| t.1)) }
                { table("Conversations per day", &["day", "topic", "tone", "conversations"], &day_rows, "conversations-per-day.csv") }
            </article>
            <article>
                <h3>{ "Pages visited before complaints, negative messages and expectation gaps" }</h3>
                if pages_rows.is_empty() { <p class="empty">{ "No such conversations with a recorded journey yet." }</p> }
                { lift_note.clone() }
                { lift_chart("Pages before trouble", &figures.pages_before_trouble) }
                { table("Pages before trouble", &with_lift("page", "page type"), &pages_rows, "pages-before-trouble.csv") }
                { drill_buttons(Chart::Pages, lift_bars(&figures.pages_before_trouble, "Pages before trouble", "page"), &drill) }
                { listed(Chart::Pages) }
            </article>
            <article>
                <h3>{ "Channels and campaigns before trouble" }</h3>
                if campaigns_rows.is_empty() { <p class="empty">{ "No campaign or channel recorded before such conversations yet." }</p> }
                { lift_note }
                { lift_chart("Campaigns before trouble", &figures.campaigns_before_trouble) }
                { table("Campaigns before trouble", &with_lift("channel · campaign", ""), &campaigns_rows, "campaigns-before-trouble.csv") }
                { drill_buttons(Chart::Campaigns, lift_bars(&figures.campaigns_before_trouble, "Campaigns before trouble", "campaign"), &drill) }
                { listed(Chart::Campaigns) }
            </article>
            <article>
                <h3>{ "First response per team (median, minutes) against target" }</h3>
                if response_chart.len() < figures.first_response.len() {
                    <p class="empty">{ "Teams with fewer than five answered conversations have no median yet." }</p>
                }
                { stacked_bars("First response per team", &response_chart, &accent) }
                { table("First response per team", &["team", "median", "target", "within target", "answered", "waiting"], &response_rows, "first-response.csv") }
            </article>
            <article>
                <h3>{ "Where visitors came from (landing views by channel)" }</h3>
                if arrival_rows.is_empty() { <p class="empty">{ "No landing views recorded in this period yet." }</p> }
                if figures.events_dropped > 0 {
                    <p class="empty">{ format!("Visitors' browsers had to drop {} events in this period (offline too long, or storage full): counted, not recorded.", figures.events_dropped) }</p>
                }
                { stacked_bars("Where visitors came from", &arrival_chart, &accent) }
                { table("Where visitors came from", &["channel", "source", "visits"], &arrival_rows, "arrivals.csv") }
            </article>
            <article>
                <h3>{ "Channel mix" }</h3>
                { stacked_bars("Channel mix", &channel_chart, &accent) }
                { table("Channel mix", &["channel", "conversations"], &channel_rows, "channels.csv") }
            </article>
        </section>
    }
}
