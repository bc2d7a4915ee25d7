//! Settings, for the admins of a site: each team's office hours, closures,
//! waiting target and visibility; the routing rules from topic to team; the
//! websites (origins) the script tag may run on; staff accounts, new ones
//! (whose token is shown once, here) and revoked or re-issued ones
//! (`staff`); which traffic is recorded: the site's own automated tests, its bot patterns and monitoring
//! agents, and search words from referrers; the site's classifier model
//! (`model`); the saved replies staff start answers from (`saved_replies`);
//! and where interactions are sent (`destinations`).

mod destinations;
mod model;
mod saved_replies;
pub mod staff;

use std::rc::Rc;

use serde::Serialize;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::hooks::use_effect_on;

use self::destinations::DestinationsSection;
use self::model::ModelSection;
use self::saved_replies::SavedRepliesSection;
use self::staff::StaffSection;
use super::api;
use crate::domain::classify::TOPICS;
use crate::domain::conversation::RoutingRule;
use crate::domain::hours::{Closure, Interval};
use crate::domain::json_text::from_json;
use crate::domain::site::SiteUpdate;
use crate::domain::team::{TeamHours, TeamUpdate};
use crate::fetch::Failure;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// `GET /v1/admin/sites/{site}`, the parts Settings edits.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteSettings {
    site: SiteFields,
    teams: Vec<TeamDraft>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SiteFields {
    time_zone: String,
    default_team: String,
    routing_rules: Vec<RoutingRule>,
    record_automation: bool,
    search_terms: bool,
    bot_patterns: Vec<String>,
    allowed_agents: Vec<String>,
    allowed_origins: Vec<String>,
}

// Read as the console reads every answer (`domain::wire::read`).
from_json! {
    SiteSettings { site, teams }
    SiteFields {
        time_zone, default_team, routing_rules, #[default] record_automation,
        #[default] search_terms, #[default] bot_patterns, #[default] allowed_agents,
        #[default] allowed_origins,
    }
    NewStaff { staff, token }
    StaffName { name }
    TeamDraft { id, name, target_minutes, visible, #[default] hours }
}

/// Which traffic the site records (see `domain::bots`).
#[derive(Debug, Clone, PartialEq, Default)]
struct Traffic {
    record_automation: bool,
    search_terms: bool,
    /// One user-agent substring a line, as typed.
    bot_patterns: String,
    allowed_agents: String,
}

/// The non-empty lines of a text area.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `POST /v1/admin/sites/{site}/staff`: the new account's name and its token.
#[derive(Debug, Clone, PartialEq)]
pub struct NewStaff {
    pub staff: StaffName,
    pub token: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StaffName {
    pub name: String,
}

/// `POST /v1/admin/sites/{site}/staff`'s body.
#[derive(Debug, Serialize)]
pub struct NewAccount {
    pub name: String,
    pub role: String,
    pub teams: Vec<String>,
}

/// A Settings form, saved: the same update types the edge reads.
#[derive(Debug)]
enum Save {
    Site(SiteUpdate),
    Team(String, TeamUpdate),
    Staff(NewAccount),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamDraft {
    id: String,
    name: String,
    target_minutes: i64,
    visible: bool,
    hours: TeamHours,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct State {
    time_zone: String,
    teams: Vec<TeamDraft>,
    rules: Vec<RoutingRule>,
    default_team: String,
    /// The allowed origins, one a line, as typed.
    origins: String,
    traffic: Traffic,
    staff_name: String,
    staff_role: String,
    staff_teams: Vec<String>,
    new_token: Option<(String, String)>,
    message: Option<(bool, String)>,
}

enum Action {
    Loaded(SiteSettings),
    Team(usize, &'static str, String),
    Hours(usize, usize, &'static str, String),
    AddHours(usize),
    RemoveHours(usize, usize),
    Closure(usize, usize, &'static str, String),
    AddClosure(usize),
    RemoveClosure(usize, usize),
    Rule(usize, &'static str, String),
    AddRule,
    RemoveRule(usize),
    DefaultTeam(String),
    Origins(String),
    Traffic(&'static str, String),
    StaffName(String),
    StaffRole(String),
    StaffTeam(String, bool),
    Created(String, String),
    Message(bool, String),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Loaded(settings) => {
                s.time_zone = settings.site.time_zone;
                s.default_team = settings.site.default_team;
                s.rules = settings.site.routing_rules;
                s.origins = settings.site.allowed_origins.join("\n");
                s.traffic = Traffic {
                    record_automation: settings.site.record_automation,
                    search_terms: settings.site.search_terms,
                    bot_patterns: settings.site.bot_patterns.join("\n"),
                    allowed_agents: settings.site.allowed_agents.join("\n"),
                };
                s.teams = settings.teams;
                if s.staff_role.is_empty() {
                    s.staff_role = "agent".into();
                }
            }
            Action::Team(i, field, value) => {
                if let Some(team) = s.teams.get_mut(i) {
                    match field {
                        "name" => team.name = value,
                        "target" => {
                            team.target_minutes = value.parse().unwrap_or(team.target_minutes)
                        }
                        _ => team.visible = value == "true",
                    }
                }
            }
            Action::Hours(i, row, field, value) => {
                if let Some(interval) = s.teams.get_mut(i).and_then(|t| t.hours.weekly.get_mut(row))
                {
                    match field {
                        "day" => interval.day = value,
                        "open" => interval.open = value,
                        _ => interval.close = value,
                    }
                }
            }
            Action::AddHours(i) => {
                if let Some(team) = s.teams.get_mut(i) {
                    team.hours.weekly.push(Interval {
                        day: "mon".into(),
                        open: "09:00".into(),
                        close: "17:00".into(),
                    });
                }
            }
            Action::RemoveHours(i, row) => {
                if let Some(team) = s.teams.get_mut(i) {
                    if row < team.hours.weekly.len() {
                        team.hours.weekly.remove(row);
                    }
                }
            }
            Action::Closure(i, row, field, value) => {
                if let Some(closure) = s
                    .teams
                    .get_mut(i)
                    .and_then(|t| t.hours.closures.get_mut(row))
                {
                    match field {
                        "from" => closure.from = value,
                        "to" => closure.to = value,
                        _ => closure.reason = value,
                    }
                }
            }
            Action::AddClosure(i) => {
                if let Some(team) = s.teams.get_mut(i) {
                    team.hours.closures.push(Closure {
                        from: String::new(),
                        to: String::new(),
                        reason: String::new(),
                    });
                }
            }
            Action::RemoveClosure(i, row) => {
                if let Some(team) = s.teams.get_mut(i) {
                    if row < team.hours.closures.len() {
                        team.hours.closures.remove(row);
                    }
                }
            }
            Action::Rule(row, field, value) => {
                if let Some(rule) = s.rules.get_mut(row) {
                    if field == "topic" {
                        rule.topic = value;
                    } else {
                        rule.team = value;
                    }
                }
            }
            Action::AddRule => {
                let team = s.teams.first().map(|t| t.id.clone()).unwrap_or_default();
                s.rules.push(RoutingRule {
                    topic: TOPICS[0].into(),
                    team,
                });
            }
            Action::RemoveRule(row) => {
                if row < s.rules.len() {
                    s.rules.remove(row);
                }
            }
            Action::DefaultTeam(team) => s.default_team = team,
            Action::Origins(origins) => s.origins = origins,
            Action::Traffic(field, value) => match field {
                "record_automation" => s.traffic.record_automation = value == "true",
                "search_terms" => s.traffic.search_terms = value == "true",
                "bot_patterns" => s.traffic.bot_patterns = value,
                _ => s.traffic.allowed_agents = value,
            },
            Action::StaffName(name) => s.staff_name = name,
            Action::StaffRole(role) => s.staff_role = role,
            Action::StaffTeam(team, on) => {
                s.staff_teams.retain(|t| t != &team);
                if on {
                    s.staff_teams.push(team);
                }
            }
            Action::Created(name, token) => {
                s.new_token = Some((name, token));
                s.staff_name.clear();
                s.staff_teams.clear();
            }
            Action::Message(ok, text) => s.message = Some((ok, text)),
        }
        Rc::new(s)
    }
}

#[derive(PartialEq, Properties)]
pub struct SettingsProps {
    pub token: String,
    pub site: String,
}

fn explain(failure: Failure) -> String {
    match failure {
        Failure::Network => "The worker could not be reached; nothing was saved.".into(),
        Failure::Api { message, .. } => message,
    }
}

/// The settings page.
#[function_component(SettingsPage)]
pub fn settings_page(props: &SettingsProps) -> Html {
    let state = use_reducer(State::default);
    {
        let state = state.clone();
        let token = props.token.clone();
        let site = props.site.clone();
        use_effect_on((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::site_settings(&token, &site).await {
                    Ok(settings) => state.dispatch(Action::Loaded(settings)),
                    Err(failure) => state.dispatch(Action::Message(false, explain(failure))),
                }
            });
        });
    }
    let send = {
        let state = state.clone();
        let token = props.token.clone();
        let site = props.site.clone();
        Callback::from(move |(save, done): (Save, String)| {
            let state = state.clone();
            let token = token.clone();
            let site = site.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let saved = match save {
                    Save::Site(change) => api::put_site(&token, &site, &change).await,
                    Save::Team(team, change) => api::put_team(&token, &site, &team, &change).await,
                    Save::Staff(account) => api::create_staff(&token, &site, &account)
                        .await
                        .map(|new| state.dispatch(Action::Created(new.staff.name, new.token))),
                };
                match saved {
                    Ok(()) => state.dispatch(Action::Message(true, done)),
                    Err(failure) => state.dispatch(Action::Message(false, explain(failure))),
                }
            });
        })
    };
    let text = |make: Rc<dyn Fn(String) -> Action>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            state.dispatch(make(e.target_unchecked_into::<HtmlInputElement>().value()))
        })
    };
    let choose = |make: Rc<dyn Fn(String) -> Action>| {
        let state = state.clone();
        Callback::from(move |e: Event| {
            state.dispatch(make(e.target_unchecked_into::<HtmlSelectElement>().value()))
        })
    };
    let click = |action: Rc<dyn Fn() -> Action>| {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(action()))
    };

    let team_forms = state.teams.iter().enumerate().map(|(i, team)| {
        let save = {
            let send = send.clone();
            let team = team.clone();
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                let change = TeamUpdate {
                    name: Some(team.name.clone()),
                    target_minutes: Some(team.target_minutes),
                    visible: Some(team.visible),
                    hours: Some(team.hours.clone()),
                    webhook: None,
                };
                send.emit((Save::Team(team.id.clone(), change), format!("{} saved.", team.name)));
            })
        };
        let visible = {
            let state = state.clone();
            Callback::from(move |e: Event| {
                let on = e.target_unchecked_into::<HtmlInputElement>().checked();
                state.dispatch(Action::Team(i, "visible", on.to_string()));
            })
        };
        html! {
            <form class="team-settings" data-team={team.id.clone()} onsubmit={save}>
                <h3>{ format!("Team {}", team.id) }</h3>
                <label>{ "Name " }<input class="team-name" value={team.name.clone()} oninput={text(Rc::new(move |v| Action::Team(i, "name", v)))} /></label>
                <label>{ "Waiting target (minutes) " }<input class="team-target" type="number" min="1" value={team.target_minutes.to_string()} oninput={text(Rc::new(move |v| Action::Team(i, "target", v)))} /></label>
                <label><input type="checkbox" checked={team.visible} onchange={visible} />{ " Visitors can choose this team" }</label>
                <fieldset>
                    <legend>{ format!("Office hours ({})", state.time_zone) }</legend>
                    { for team.hours.weekly.iter().enumerate().map(|(row, interval)| html! {
                        <p class="hours-row">
                            <select aria-label="Day" onchange={choose(Rc::new(move |v| Action::Hours(i, row, "day", v)))}>
                                { for DAYS.iter().map(|d| html! { <option value={*d} selected={interval.day == *d}>{ *d }</option> }) }
                            </select>
                            <input type="time" aria-label="Opens" value={interval.open.clone()} oninput={text(Rc::new(move |v| Action::Hours(i, row, "open", v)))} />
                            <input type="time" aria-label="Closes" value={interval.close.clone()} oninput={text(Rc::new(move |v| Action::Hours(i, row, "close", v)))} />
                            <button type="button" onclick={click(Rc::new(move || Action::RemoveHours(i, row)))}>{ "Remove" }</button>
                        </p>
                    }) }
                    <button type="button" class="add-hours" onclick={click(Rc::new(move || Action::AddHours(i)))}>{ "Add opening hours" }</button>
                </fieldset>
                <fieldset>
                    <legend>{ "Closures (holidays)" }</legend>
                    { for team.hours.closures.iter().enumerate().map(|(row, closure)| html! {
                        <p class="closure-row">
                            <input type="date" aria-label="From" value={closure.from.clone()} oninput={text(Rc::new(move |v| Action::Closure(i, row, "from", v)))} />
                            <input type="date" aria-label="To" value={closure.to.clone()} oninput={text(Rc::new(move |v| Action::Closure(i, row, "to", v)))} />
                            <input aria-label="Reason" value={closure.reason.clone()} oninput={text(Rc::new(move |v| Action::Closure(i, row, "reason", v)))} />
                            <button type="button" onclick={click(Rc::new(move || Action::RemoveClosure(i, row)))}>{ "Remove" }</button>
                        </p>
                    }) }
                    <button type="button" onclick={click(Rc::new(move || Action::AddClosure(i)))}>{ "Add closure" }</button>
                </fieldset>
                <button type="submit" class="save">{ "Save team" }</button>
            </form>
        }
    });

    let save_routing = {
        let send = send.clone();
        let rules = state.rules.clone();
        let default_team = state.default_team.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let change = SiteUpdate {
                routing_rules: Some(rules.clone()),
                default_team: Some(default_team.clone()),
                ..SiteUpdate::default()
            };
            send.emit((Save::Site(change), "Routing saved.".into()));
        })
    };
    let save_traffic = {
        let send = send.clone();
        let traffic = state.traffic.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let change = SiteUpdate {
                record_automation: Some(traffic.record_automation),
                search_terms: Some(traffic.search_terms),
                bot_patterns: Some(lines(&traffic.bot_patterns)),
                allowed_agents: Some(lines(&traffic.allowed_agents)),
                ..SiteUpdate::default()
            };
            send.emit((Save::Site(change), "Traffic settings saved.".into()));
        })
    };
    let save_origins = {
        let send = send.clone();
        let origins = state.origins.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let change = SiteUpdate {
                allowed_origins: Some(lines(&origins)),
                ..SiteUpdate::default()
            };
            send.emit((Save::Site(change), "Websites saved.".into()));
        })
    };
    let edit_origins = {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            let value = e
                .target_unchecked_into::<web_sys::HtmlTextAreaElement>()
                .value();
            state.dispatch(Action::Origins(value));
        })
    };
    let toggle = |field: &'static str| {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            state.dispatch(Action::Traffic(field, on.to_string()));
        })
    };
    let area = |field: &'static str| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            let value = e
                .target_unchecked_into::<web_sys::HtmlTextAreaElement>()
                .value();
            state.dispatch(Action::Traffic(field, value));
        })
    };
    let create_staff = {
        let send = send.clone();
        let (name, role, teams) = (
            state.staff_name.clone(),
            state.staff_role.clone(),
            state.staff_teams.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let account = NewAccount {
                name: name.clone(),
                role: role.clone(),
                teams: teams.clone(),
            };
            send.emit((Save::Staff(account), "Staff account created.".into()));
        })
    };
    let teams: Vec<(String, String)> = state
        .teams
        .iter()
        .map(|t| (t.id.clone(), t.name.clone()))
        .collect();
    let team_options = |selected: &str| {
        state
            .teams
            .iter()
            .map(|t| html! { <option value={t.id.clone()} selected={t.id == selected}>{ t.name.clone() }</option> })
            .collect::<Html>()
    };

    html! {
        <section class="settings" aria-label="Settings">
            <h2>{ "Settings" }</h2>
            if let Some((ok, text)) = &state.message {
                <p class={if *ok { "saved" } else { "error" }} role={if *ok { "status" } else { "alert" }}>{ text.clone() }</p>
            }
            { for team_forms }
            <form class="routing" onsubmit={save_routing}>
                <h3>{ "Routing: which team gets which topic" }</h3>
                { for state.rules.iter().enumerate().map(|(row, rule)| html! {
                    <p class="rule-row">
                        <select aria-label="Topic" onchange={choose(Rc::new(move |v| Action::Rule(row, "topic", v)))}>
                            { for TOPICS.iter().map(|t| html! { <option value={*t} selected={rule.topic == *t}>{ *t }</option> }) }
                        </select>
                        { " → " }
                        <select aria-label="Team" onchange={choose(Rc::new(move |v| Action::Rule(row, "team", v)))}>{ team_options(&rule.team) }</select>
                        <button type="button" onclick={click(Rc::new(move || Action::RemoveRule(row)))}>{ "Remove" }</button>
                    </p>
                }) }
                <button type="button" class="add-rule" onclick={click(Rc::new(|| Action::AddRule))}>{ "Add rule" }</button>
                <label>{ "Everything else goes to " }
                    <select class="default-team" onchange={choose(Rc::new(Action::DefaultTeam))}>{ team_options(&state.default_team) }</select>
                </label>
                <button type="submit" class="save">{ "Save routing" }</button>
            </form>
            <form class="origins" onsubmit={save_origins}>
                <h3>{ "Websites: where the script tag may run" }</h3>
                <label>{ "Origins, one a line (https://shop.example); a page from anywhere else records nothing and shows no launcher. None listed: any website may send, for trying Touchpoint out " }
                    <textarea class="allowed-origins" rows="3" value={state.origins.clone()} oninput={edit_origins} /></label>
                <button type="submit" class="save">{ "Save websites" }</button>
            </form>
            <form class="traffic" onsubmit={save_traffic}>
                <h3>{ "Traffic: what is recorded, and who may write" }</h3>
                <p class="legend">{ "These rules also decide who may start a conversation: a user agent counted as a bot's is refused. If your own app opens the site in a webview with its own user-agent text, list it under Always record." }</p>
                <label><input type="checkbox" class="record-automation" checked={state.traffic.record_automation} onchange={toggle("record_automation")} />
                    { " Record our own automated tests (headless browsers, Playwright, Puppeteer, Selenium); crawlers stay ignored" }</label>
                <label><input type="checkbox" class="search-terms" checked={state.traffic.search_terms} onchange={toggle("search_terms")} />
                    { " Keep search words from referrers as the term (they can be personal)" }</label>
                <label>{ "Also ignore as bots (user-agent text, one a line) " }
                    <textarea class="bot-patterns" rows="3" value={state.traffic.bot_patterns.clone()} oninput={area("bot_patterns")} /></label>
                <label>{ "Always record (our monitoring's user-agent text, one a line) " }
                    <textarea class="allowed-agents" rows="3" value={state.traffic.allowed_agents.clone()} oninput={area("allowed_agents")} /></label>
                <button type="submit" class="save">{ "Save traffic settings" }</button>
            </form>
            <form class="new-staff" onsubmit={create_staff}>
                <h3>{ "New staff account" }</h3>
                <label>{ "Name " }<input class="staff-name" required=true value={state.staff_name.clone()} oninput={text(Rc::new(Action::StaffName))} /></label>
                <label>{ "Role " }
                    <select class="staff-role" onchange={choose(Rc::new(Action::StaffRole))}>
                        <option value="agent" selected={state.staff_role != "admin"}>{ "agent" }</option>
                        <option value="admin" selected={state.staff_role == "admin"}>{ "admin" }</option>
                    </select>
                </label>
                <fieldset>
                    <legend>{ "Teams" }</legend>
                    { for state.teams.iter().map(|t| {
                        let checked = state.staff_teams.contains(&t.id);
                        let state = state.clone();
                        let id = t.id.clone();
                        let onchange = Callback::from(move |e: Event| {
                            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
                            state.dispatch(Action::StaffTeam(id.clone(), on));
                        });
                        html! { <label><input type="checkbox" value={t.id.clone()} checked={checked} {onchange} />{ format!(" {}", t.name) }</label> }
                    }) }
                </fieldset>
                <button type="submit" class="save">{ "Create account" }</button>
                if let Some((name, token)) = &state.new_token {
                    <p class="new-token" role="status">
                        { format!("{name}'s token — shown this once; give it to them privately: ") }
                        <code>{ token.clone() }</code>
                    </p>
                }
            </form>
            <StaffSection token={props.token.clone()} site={props.site.clone()} created={state.new_token.as_ref().map(|(_, token)| token.clone())} />
            <SavedRepliesSection token={props.token.clone()} site={props.site.clone()} teams={teams.clone()} />
            <ModelSection token={props.token.clone()} site={props.site.clone()} />
            <DestinationsSection token={props.token.clone()} site={props.site.clone()} teams={teams} />
        </section>
    }
}
