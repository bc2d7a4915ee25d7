use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::console::state::{Action, ConsoleState, InboxFilter};

#[derive(PartialEq, Properties)]
pub struct FiltersProps {
    /// The teams to filter by: id and name.
    pub teams: Vec<(String, String)>,
    pub filter: InboxFilter,
    pub dispatcher: UseReducerDispatcher<ConsoleState>,
}

/// Which of the filters a control changes.
#[derive(Clone, Copy)]
enum Field {
    Team,
    Status,
    Assignee,
    Search,
}

/// The inbox's team, status, assignee and search filters, and the
/// keyboard shortcuts.
#[function_component(Filters)]
pub fn filters(props: &FiltersProps) -> Html {
    let current = props.filter.clone();
    let set = move |field: Field, value: String| {
        let mut filter = current.clone();
        *match field {
            Field::Team => &mut filter.team,
            Field::Status => &mut filter.status,
            Field::Assignee => &mut filter.assignee,
            Field::Search => &mut filter.search,
        } = value;
        filter
    };
    let choose = |field: Field| {
        let (dispatcher, set) = (props.dispatcher.clone(), set.clone());
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            dispatcher.dispatch(Action::Filter(set(field, value)));
        })
    };
    // The search runs on Enter, not on each key (a request per letter would
    // search the store for "r", "re"…) nor on leaving the box (clicking a
    // row would change the list under the click). A search from the default
    // status looks through closed conversations too (the status says All).
    // Emptied (the box's ✕, Escape or deleting it all), everything is back
    // at once.
    let search = {
        let (dispatcher, set) = (props.dispatcher.clone(), set.clone());
        let default_status = props.filter.status.is_empty();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Enter" || e.is_composing() {
                return;
            }
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            let mut filter = set(Field::Search, value);
            if default_status && !filter.search.trim().is_empty() {
                filter.status = "all".into();
            }
            dispatcher.dispatch(Action::Filter(filter));
        })
    };
    let cleared = {
        let (dispatcher, set) = (props.dispatcher.clone(), set.clone());
        let searching = !props.filter.search.is_empty();
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            if searching && value.is_empty() {
                dispatcher.dispatch(Action::Filter(set(Field::Search, value)));
            }
        })
    };
    let filter = &props.filter;
    html! {
        <nav class="filters" aria-label="Inbox filters">
            <label>{ "Team " }
                <select onchange={choose(Field::Team)}>
                    <option value="" selected={filter.team.is_empty()}>{ "All my teams" }</option>
                    { for props.teams.iter().map(|(id, name)| html! { <option value={id.clone()} selected={filter.team == *id}>{ name.clone() }</option> }) }
                </select>
            </label>
            <label>{ "Status " }
                <select onchange={choose(Field::Status)}>
                    { for [("active", "Waiting and open"), ("waiting", "Waiting"), ("open", "Open"), ("closed", "Closed"), ("all", "All")].iter().map(|(v, l)| {
                        let selected = filter.status == *v || (filter.status.is_empty() && *v == "active");
                        html! { <option value={*v} selected={selected}>{ *l }</option> }
                    }) }
                </select>
            </label>
            <label>{ "Assigned " }
                <select onchange={choose(Field::Assignee)}>
                    { for [("", "Anyone"), ("me", "Me"), ("unassigned", "Nobody yet")].iter().map(|(v, l)| {
                        html! { <option value={*v} selected={filter.assignee == *v}>{ *l }</option> }
                    }) }
                </select>
            </label>
            <label>{ "Search " }
                <input type="search" maxlength="100" value={filter.search.clone()} placeholder="Name, address or words"
                    onkeydown={search} oninput={cleared} />
            </label>
            <span class="shortcuts">{ "j / k next · r reply · Shift+C close" }</span>
        </nav>
    }
}
