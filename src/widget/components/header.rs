use yew::prelude::*;

use crate::domain::contact::Presence;
use crate::widget::i18n;

pub struct HeaderProps {
    pub locale: AttrValue,
    /// Who is there; `None` until availability has answered.
    pub presence: Option<Presence>,
    pub on_close: Callback<()>,
}

/// The panel's title, who is there (or when someone will be), and close.
pub fn header(props: &HeaderProps) -> Html {
    let strings = i18n::strings(&props.locale);
    let presence = match &props.presence {
        Some(Presence::Online { names, .. }) => {
            html! { <p class="presence online">{ i18n::fill(strings.here_now, &[("names", &listed(names))]) }</p> }
        }
        Some(Presence::OpenButAway { .. }) => html! { <p class="presence">{ strings.away }</p> },
        Some(Presence::Closed {
            next_opening,
            reason,
        }) => {
            let line = match next_opening {
                Some(at) => i18n::fill(
                    strings.closed_until,
                    &[("when", &i18n::local_time(&props.locale, *at, true))],
                ),
                None => strings.closed.to_owned(),
            };
            html! {
                <>
                    <p class="presence">{ line }</p>
                    // The site's own words ("Winter break"), as it wrote them.
                    if let Some(reason) = reason {
                        <p class="closure"><bdi>{ reason.clone() }</bdi></p>
                    }
                </>
            }
        }
        Some(Presence::NoTeam) => html! { <p class="presence">{ strings.no_team }</p> },
        None => html! {},
    };
    html! {
        <header>
            <div>
                <h2 id="tp-title">{ strings.title }</h2>
                { presence }
            </div>
            <button type="button" class="close" aria-label={strings.close} onclick={props.on_close.reform(|_: MouseEvent| ())}>{ "✕" }</button>
        </header>
    }
}

/// Names joined with ", " (by hand: `join` brings its own 1.2 KB of code into
/// the widget for this one list).
fn listed(names: &[String]) -> String {
    let mut out = String::new();
    for (at, name) in names.iter().enumerate() {
        if at > 0 {
            out.push_str(", ");
        }
        out.push_str(name);
    }
    out
}
