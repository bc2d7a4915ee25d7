use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::domain::contact::{self, SiteState, TeamState};
use crate::domain::pii::PiiFinding;
use crate::widget::i18n::{self, Strings};
use crate::widget::panel::state::{Action, PanelState};

pub struct PreviewProps<'a> {
    pub strings: &'static Strings,
    /// The site's teams, once availability has answered.
    pub site: Option<&'a SiteState>,
    /// The team the draft will reach (one of the site's), once the
    /// classifier has read it.
    pub expected: Option<&'a TeamState>,
    /// The classifier is unsure of that team (`contact::team_is_a_guess`).
    pub guess: bool,
    /// Where the visitor's choice of team goes.
    pub dispatcher: UseReducerDispatcher<PanelState>,
    /// The personal data the redactor found in the draft.
    pub findings: &'a [PiiFinding],
    /// The draft as it will be sent.
    pub redacted: AttrValue,
}

/// What the in-browser classifier says about the draft as the visitor types:
/// where it goes (a choice when the site has several teams), how soon that
/// team typically answers, which kinds of personal data were removed and
/// what the company will receive.
pub fn preview(props: &PreviewProps) -> Html {
    let strings = props.strings;
    let teams = props.site.map_or(&[][..], |site| &site.teams[..]);
    let destination = props.expected.map(|team| {
        let line = if teams.len() > 1 {
            let dispatcher = props.dispatcher.clone();
            let on_change = Callback::from(move |e: Event| {
                let team = e.target_unchecked_into::<HtmlSelectElement>().value();
                dispatcher.dispatch(Action::Team(Some(team)));
            });
            html! {
                <>
                <p class="route">
                    <label for="tp-team">{ strings.goes_to }</label>
                    <select id="tp-team" onchange={on_change}>
                        { for teams.iter().map(|t| html! { <option value={t.id.clone()} selected={t.id == team.id}>{ t.name.clone() }</option> }) }
                    </select>
                </p>
                if props.guess {
                    <p class="guess">{ strings.team_guess }</p>
                }
                </>
            }
        } else {
            html! { <p class="route">{ strings.goes_to }{ ": " }<strong>{ team.name.clone() }</strong></p> }
        };
        let typical = team.typical_first_response.map(|t| {
            let (n, unit) = contact::rounded_wait(t.median_s);
            let unit = if unit == "hour" { "h" } else { "min" };
            let mut amount = String::new();
            crate::domain::json::push_u64(&mut amount, u64::from(n));
            html! { <p class="typical">{ i18n::fill(strings.typical, &[("n", &amount), ("unit", unit)]) }</p> }
        });
        html! {
            <>
                { line }
                { for typical }
            </>
        }
    });
    // The kinds removed, one line each in the order of `kinds`: the same set
    // reads the same whatever order it was typed in.
    let mut found = [false; 6];
    for finding in props.findings {
        found[i18n::kind_index(finding.kind.as_str())] = true;
    }
    let mut removed = String::new();
    for (name, _) in strings.kinds.iter().zip(found).filter(|(_, f)| *f) {
        if !removed.is_empty() {
            removed.push('\n');
        }
        removed.push_str(&i18n::fill(strings.removed, &[("kind", name)]));
    }
    // The draft as it will be sent changes with every key, so it is not
    // live; the kinds are said (off screen) only when their set changes.
    let pii_notice = (!removed.is_empty()).then(|| {
        html! {
            <div class="pii">
                <p class="removed" aria-hidden="true">{ removed.clone() }</p>
                <p class="receive">{ strings.we_receive }</p>
                <blockquote class="redacted" dir="auto">{ props.redacted.clone() }</blockquote>
            </div>
        }
    });
    html! {
        <>
            { for destination }
            <p class="sr" role="status">{ removed }</p>
            { for pii_notice }
        </>
    }
}
