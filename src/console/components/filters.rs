use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::console::state::{Action, ConsoleState};

#[derive(PartialEq, Properties)]
pub struct FiltersProps {
    /// The teams to filter by: id and name.
    pub teams: Vec<(String, String)>,
    pub team: AttrValue,
    pub status: AttrValue,
    pub dispatcher: UseReducerDispatcher<ConsoleState>,
}

/// The inbox's team and status filters, and the keyboard shortcuts.
#[function_component(Filters)]
pub fn filters(props: &FiltersProps) -> Html {
    let filter = |team: bool| {
        let dispatcher = props.dispatcher.clone();
        let (current_team, current_status) = (props.team.to_string(), props.status.to_string());
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            dispatcher.dispatch(if team {
                Action::Filter {
                    team: value,
                    status: current_status.clone(),
                }
            } else {
                Action::Filter {
                    team: current_team.clone(),
                    status: value,
                }
            });
        })
    };
    html! {
        <nav class="filters" aria-label="Inbox filters">
            <label>{ "Team " }
                <select onchange={filter(true)}>
                    <option value="" selected={props.team.is_empty()}>{ "All my teams" }</option>
                    { for props.teams.iter().map(|(id, name)| html! { <option value={id.clone()} selected={props.team.as_str() == id}>{ name.clone() }</option> }) }
                </select>
            </label>
            <label>{ "Status " }
                <select onchange={filter(false)}>
                    { for [("active", "Waiting and open"), ("waiting", "Waiting"), ("open", "Open"), ("closed", "Closed")].iter().map(|(v, l)| {
                        let selected = props.status.as_str() == *v || (props.status.is_empty() && *v == "active");
                        html! { <option value={*v} selected={selected}>{ *l }</option> }
                    }) }
                </select>
            </label>
            <span class="shortcuts">{ "j / k next · r reply · Shift+C close" }</span>
        </nav>
    }
}
