use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::domain::contact;
use crate::domain::conversation::ReplyInput;
use crate::widget::i18n::Strings;
use crate::widget::panel::state::{Action, PanelState, ReplyKind};

#[derive(PartialEq)]
pub struct ReplyFieldsProps {
    pub strings: &'static Strings,
    pub reply: ReplyKind,
    /// Only the e-mail address (a site's own endpoint answers by e-mail).
    pub email_only: bool,
    pub email: AttrValue,
    pub phone: AttrValue,
    pub window_from: AttrValue,
    pub window_to: AttrValue,
    /// The input the worker refused: marked, and described by the error.
    pub invalid: Option<ReplyInput>,
    pub dispatcher: UseReducerDispatcher<PanelState>,
}

/// How the visitor wants an answer: here, by e-mail or by phone within a
/// window, and what the company promises for each.
pub fn reply_fields(props: &ReplyFieldsProps) -> Html {
    let strings = props.strings;
    let input = |make: fn(String) -> Action| {
        let dispatcher = props.dispatcher.clone();
        Callback::from(move |e: InputEvent| {
            dispatcher.dispatch(make(e.target_unchecked_into::<HtmlInputElement>().value()))
        })
    };
    let pick = |kind: ReplyKind| {
        let dispatcher = props.dispatcher.clone();
        Callback::from(move |_: Event| dispatcher.dispatch(Action::Reply(kind)))
    };
    let reply = props.reply;
    // `aria-invalid` and the error that says why, on the refused input.
    let refused = |input| props.invalid == Some(input);
    let invalid = |input| refused(input).then_some("true");
    let error = |input| refused(input).then_some("tp-error");
    // A window from now (the visitor's local time) to 30 days ahead.
    let (min, max) = if reply == ReplyKind::Phone {
        let now = js_sys::Date::now();
        // The worker's bound, so the inputs offer what it takes.
        let ahead = crate::domain::conversation::MAX_CALLBACK_AHEAD_MS as f64;
        (local_minute(now), local_minute(now + ahead))
    } else {
        Default::default()
    };
    let promise = match reply {
        ReplyKind::Here => strings.promise_here,
        ReplyKind::Email => strings.promise_email,
        ReplyKind::Phone => strings.promise_phone,
    };
    html! {
        <fieldset class="reply">
            <legend>{ strings.reply_how }</legend>
            if !props.email_only {
                <label><input type="radio" name="tp-reply" checked={reply == ReplyKind::Here} onchange={pick(ReplyKind::Here)} />{ strings.reply_here }</label>
                <label><input type="radio" name="tp-reply" checked={reply == ReplyKind::Email} onchange={pick(ReplyKind::Email)} />{ strings.reply_email }</label>
                <label><input type="radio" name="tp-reply" checked={reply == ReplyKind::Phone} onchange={pick(ReplyKind::Phone)} />{ strings.reply_phone }</label>
            }
            if reply == ReplyKind::Email {
                <label class="field">{ strings.email_label }
                    <input type="email" autocomplete="email" required=true
                        aria-invalid={invalid(ReplyInput::Email)} aria-describedby={error(ReplyInput::Email)} value={props.email.clone()} oninput={input(Action::Email)} />
                </label>
            }
            if reply == ReplyKind::Phone {
                <label class="field">{ strings.phone_label }
                    <input type="tel" autocomplete="tel" required=true
                        aria-invalid={invalid(ReplyInput::Phone)} aria-describedby={error(ReplyInput::Phone)} value={props.phone.clone()} oninput={input(Action::Phone)} />
                </label>
                <label class="field">{ strings.window_from }
                    <input type="datetime-local" required=true
                        aria-invalid={invalid(ReplyInput::Window)} aria-describedby={error(ReplyInput::Window)} min={min.clone()} max={max.clone()} value={props.window_from.clone()} oninput={input(Action::WindowFrom)} />
                </label>
                <label class="field">{ strings.window_to }
                    <input type="datetime-local" required=true
                        aria-invalid={invalid(ReplyInput::Window)} aria-describedby={error(ReplyInput::Window)} min={min} max={max} value={props.window_to.clone()} oninput={input(Action::WindowTo)} />
                </label>
            }
            <p class="promise">{ promise }</p>
        </fieldset>
    }
}

/// The `datetime-local` value of the instant `ms`, in the visitor's time zone.
fn local_minute(ms: f64) -> String {
    let date = js_sys::Date::new(&ms.into());
    contact::datetime_local([
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes(),
    ])
}
