use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::explain;
use crate::console::state::{Action, ConsoleState};
use crate::console::{api, session};
use crate::fetch::Failure;

#[derive(PartialEq, Properties)]
pub struct SignInProps {
    /// Why the last attempt failed.
    pub error: Option<AttrValue>,
    pub dispatcher: UseReducerDispatcher<ConsoleState>,
}

/// Sign in with a personal staff token, kept in this tab only.
#[function_component(SignIn)]
pub fn sign_in(props: &SignInProps) -> Html {
    let input = use_node_ref();
    let submit = {
        let dispatcher = props.dispatcher.clone();
        let input = input.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Some(field) = input.cast::<HtmlInputElement>() else {
                return;
            };
            let token = field.value().trim().to_owned();
            if token.is_empty() {
                return;
            }
            let dispatcher = dispatcher.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::me(&token).await {
                    Ok(me) => {
                        session::remember(&token);
                        dispatcher.dispatch(Action::SignedIn(token, me));
                    }
                    Err(failure) => dispatcher.dispatch(Action::SignInFailed(match failure {
                        Failure::Api { status: 401, .. } => "That token is not valid.".into(),
                        other => explain(&other),
                    })),
                }
            });
        })
    };
    html! {
        <main class="sign-in">
            <h1>{ "Touchpoint console" }</h1>
            <form onsubmit={submit}>
                <label for="token">{ "Your staff token" }</label>
                <input id="token" ref={input} type="password" autocomplete="current-password" required=true />
                <button type="submit">{ "Sign in" }</button>
                if let Some(error) = &props.error {
                    <p class="error" role="alert">{ error.clone() }</p>
                }
            </form>
            <p class="hint">{ "Your administrator gives you a personal token. It stays in this tab only and is forgotten when you close it." }</p>
        </main>
    }
}
