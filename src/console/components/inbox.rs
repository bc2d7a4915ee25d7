use yew::prelude::*;

use crate::console::state::{Action, ConsoleState, InboxRow};
use crate::domain::conversation::Status;
use crate::domain::display::visible_controls;

#[derive(PartialEq, Properties)]
pub struct InboxListProps {
    pub rows: Vec<InboxRow>,
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
    html! {
        <section class="inbox" aria-label="Inbox">
            <h2>{ "Inbox" }</h2>
            if props.rows.is_empty() {
                <p class="empty">{ "Nothing here." }</p>
            }
            <ul>
                { for props.rows.iter().map(|row| {
                    let select = {
                        let dispatcher = props.dispatcher.clone();
                        let id = row.id.clone();
                        Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::Select(id.clone())))
                    };
                    let current = props.selected.as_deref() == Some(row.id.as_str());
                    let wait = if row.status == Status::Waiting {
                        format!("waiting {} of {} min", minutes(row.waited_s), row.target_minutes)
                    } else {
                        row.status.as_str().to_owned()
                    };
                    html! {
                        <li>
                            <button type="button" class={classes!("row", current.then_some("current"), row.over_target.then_some("late"), (row.unread > 0).then_some("unread"))}
                                aria-current={current.then_some("true")} data-conversation={row.id.clone()} onclick={select}>
                                <span class="labels">{ format!("{} · {} · {} · {}", row.topic, row.sentiment, row.kind, row.channel) }</span>
                                <span class="wait">{ wait }</span>
                                if row.unread > 0 {
                                    <span class="badge" aria-label={format!("{} unread", row.unread)}>{ row.unread }</span>
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
