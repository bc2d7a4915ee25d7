use yew::prelude::*;

use crate::console::hooks::use_effect_on;
use crate::console::state::{Action, ConsoleState, InboxRow};
use crate::domain::conversation::Status;
use crate::domain::display::visible_controls;
use crate::domain::inbox::{waited_later, INBOX_ROWS, INBOX_ROWS_MAX};

/// How often the shown waiting times move on.
const WAIT_TICK_MS: u32 = 15_000;

#[derive(PartialEq, Properties)]
pub struct InboxListProps {
    pub rows: Vec<InboxRow>,
    /// How many conversations the filter matched (`rows` holds the first
    /// 200, or more after "Show more").
    pub total: u32,
    pub selected: Option<AttrValue>,
    pub dispatcher: UseReducerDispatcher<ConsoleState>,
}

fn minutes(seconds: i64) -> String {
    let m = seconds / 60;
    if m < 60 {
        format!("{m} min")
    } else {
        format!("{} h {} min", m / 60, m % 60)
    }
}

/// The conversations of the inbox: labels, waiting time against the target,
/// unread replies and a preview.
#[function_component(InboxList)]
pub fn inbox_list(props: &InboxListProps) -> Html {
    // Waiting times tick here between refreshes (the worker measured them
    // when the rows came), so a live console need not ask D1 to see them grow.
    let fetched_at = use_memo(props.rows.clone(), |_| js_sys::Date::now());
    let now = use_state(js_sys::Date::now);
    {
        let now = now.clone();
        crate::hooks::use_poll(Some(()), WAIT_TICK_MS, move |_| {
            now.set(js_sys::Date::now())
        });
    }
    let elapsed_s = ((*now - *fetched_at) / 1000.0) as i64;
    // "Show more" goes away with the last rows it brings: focus moves to
    // the first row it brought, not to the page.
    let first_new_row = use_mut_ref(|| None::<usize>);
    let more = {
        let (dispatcher, first_new_row) = (props.dispatcher.clone(), first_new_row.clone());
        let shown = props.rows.len();
        Callback::from(move |_: MouseEvent| {
            *first_new_row.borrow_mut() = Some(shown);
            dispatcher.dispatch(Action::MoreRows);
        })
    };
    use_effect_on(props.rows.len(), move |&shown| {
        let wanted = *first_new_row.borrow();
        if let Some(index) = wanted.filter(|&index| index < shown) {
            *first_new_row.borrow_mut() = None;
            let selector = format!(".inbox li:nth-child({}) .row", index + 1);
            if let Some(row) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.query_selector(&selector).ok().flatten())
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
            {
                let _ = row.focus();
            }
        }
    });
    html! {
        <section class="inbox" aria-label="Inbox">
            <h2>{ "Inbox" }</h2>
            if props.rows.is_empty() {
                <p class="empty">{ "Nothing here." }</p>
            }
            if props.total as usize > props.rows.len() {
                <p class="cut" role="status">{ format!(
                    "Showing {} of {}: waiting first, the longest waiting first.",
                    props.rows.len(),
                    props.total
                ) }
                if (props.rows.len() as i64) < INBOX_ROWS_MAX {
                    { " " }<button type="button" class="more" onclick={more}>{ format!("Show {} more", INBOX_ROWS.min(i64::from(props.total) - props.rows.len() as i64)) }</button>
                } else {
                    { " Pick a team or a status to see the rest." }
                }
                </p>
            }
            <ul>
                { for props.rows.iter().map(|row| {
                    let select = {
                        let dispatcher = props.dispatcher.clone();
                        let id = row.id.clone();
                        Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::Select(id.clone())))
                    };
                    let current = props.selected.as_deref() == Some(row.id.as_str());
                    let (waited_s, late) = waited_later(row.waited_s, elapsed_s, row.target_minutes);
                    let waiting = row.status == Status::Waiting;
                    let wait = if waiting {
                        format!("waiting {} of {} min", minutes(waited_s), row.target_minutes)
                    } else {
                        row.status.as_str().to_owned()
                    };
                    let late = row.over_target || (waiting && late);
                    // The conversation on screen is being read (and marked so).
                    let unread = if current { 0 } else { row.unread };
                    html! {
                        <li>
                            <button type="button" class={classes!("row", current.then_some("current"), late.then_some("late"), (unread > 0).then_some("unread"))}
                                aria-current={current.then_some("true")} data-conversation={row.id.clone()} onclick={select}>
                                if !row.visitor_name.is_empty() {
                                    <span class="who"><bdi>{ visible_controls(&row.visitor_name).into_owned() }</bdi></span>
                                }
                                <span class="labels">{ format!("{} · {} · {} · {}", row.topic, row.sentiment, row.kind, row.channel) }</span>
                                <span class="wait">{ wait }</span>
                                if unread > 0 {
                                    <span class="badge">{ unread }<span class="sr-only">{ " unread" }</span></span>
                                }
                                <span class="preview"><bdi>{ visible_controls(row.preview.as_deref().unwrap_or_default()).into_owned() }</bdi></span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}
