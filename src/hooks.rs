//! Yew hooks and event helpers shared by the widget and the console. Timers
//! are gloo's, which stop themselves when dropped: an effect's cleanup only
//! has to drop them.

use gloo_timers::callback::Interval;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// Calls `poll` with `subject` at once, then every `period_ms`, while
/// `subject` is `Some`. A new subject or period starts over; unmounting stops it.
#[hook]
pub fn use_poll<T, F>(subject: Option<T>, period_ms: u32, poll: F)
where
    T: PartialEq + Clone + 'static,
    F: Fn(&T) + 'static,
{
    use_effect_with((subject, period_ms), move |(subject, period_ms)| {
        let interval = subject.clone().map(|subject| {
            poll(&subject);
            Interval::new(*period_ms, move || poll(&subject))
        });
        move || drop(interval)
    });
}

/// A draft's `oninput`: the textarea's text, as `action`, into the reducer.
pub fn on_draft<R: Reducible + 'static>(
    dispatcher: UseReducerDispatcher<R>,
    action: fn(String) -> R::Action,
) -> Callback<InputEvent> {
    Callback::from(move |e: InputEvent| {
        dispatcher.dispatch(action(
            e.target_unchecked_into::<HtmlTextAreaElement>().value(),
        ))
    })
}
