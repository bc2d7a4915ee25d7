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

/// Which of the selects a change is from.
#[derive(Clone, Copy)]
enum Field {
    Team,
    Status,
    Assignee,
}

/// The inbox's team, status, assignee and search filters, and the
/// keyboard shortcuts.
#[function_component(Filters)]
pub fn filters(props: &FiltersProps) -> Html {
    // What is in the search box, searched or not yet. Kept here because a
    // render puts the box's value back to what the state says: with only
    // the searched text in the state, any render while typing (the team
    // names arriving, a filter chosen) emptied the box.
    let typed = use_state(|| props.filter.search.clone());
    let choose = |field: Field| {
        let (dispatcher, current, typed) = (
            props.dispatcher.clone(),
            props.filter.clone(),
            typed.clone(),
        );
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            let mut filter = current.clone();
            *match field {
                Field::Team => &mut filter.team,
                Field::Status => &mut filter.status,
                Field::Assignee => &mut filter.assignee,
            } = value;
            // What the box shows is what the list is narrowed by.
            dispatcher.dispatch(Action::Filter(filter.searching(&typed)));
        })
    };
    // The search runs on Enter, not on each key (a request per letter would
    // search the store for "r", "re"…) nor on leaving the box (clicking a
    // row would change the list under the click). Emptied (the box's ✕,
    // Escape or deleting it all), everything is back at once.
    let search = {
        let (dispatcher, current) = (props.dispatcher.clone(), props.filter.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Enter" || e.is_composing() {
                return;
            }
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            dispatcher.dispatch(Action::Filter(current.searching(&value)));
        })
    };
    let edited = {
        let (dispatcher, current, typed) = (
            props.dispatcher.clone(),
            props.filter.clone(),
            typed.clone(),
        );
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            if value.is_empty() && !current.search.is_empty() {
                dispatcher.dispatch(Action::Filter(current.searching("")));
            }
            typed.set(value);
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
                <input type="search" maxlength="100" value={(*typed).clone()} placeholder="Name, address or words"
                    onkeydown={search} oninput={edited} />
            </label>
            <span class="shortcuts">{ "j / k next · r reply · Shift+C close" }</span>
        </nav>
    }
}
