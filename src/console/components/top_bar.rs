use yew::prelude::*;

use super::explain;
use crate::console::state::{Action, ConsoleState, Me};
use crate::console::{api, session};

pub use crate::domain::console_link::Page;

#[derive(PartialEq, Properties)]
pub struct TopBarProps {
    pub me: Me,
    pub token: AttrValue,
    pub page: Page,
    pub on_page: Callback<Page>,
    pub dispatcher: UseReducerDispatcher<ConsoleState>,
}

/// The pages (Settings for admins), who is signed in, presence and sign-out.
#[function_component(TopBar)]
pub fn top_bar(props: &TopBarProps) -> Html {
    let online = props.me.presence == "online";
    // Said here, beside the button, not in a conversation's reply box.
    let failure = use_state(|| None::<String>);
    let toggle_presence = {
        let dispatcher = props.dispatcher.clone();
        let token = props.token.clone();
        let failure = failure.clone();
        Callback::from(move |_: MouseEvent| {
            let next = if online { "away" } else { "online" };
            let (dispatcher, token, failure) = (dispatcher.clone(), token.clone(), failure.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::set_presence(&token, next).await {
                    Ok(me) => {
                        failure.set(None);
                        dispatcher.dispatch(Action::Presence(me.presence));
                    }
                    Err(why) => {
                        failure.set(Some(format!("Presence not changed: {}", explain(&why))))
                    }
                }
            });
        })
    };
    let sign_out = {
        let dispatcher = props.dispatcher.clone();
        Callback::from(move |_: MouseEvent| {
            session::forget();
            dispatcher.dispatch(Action::SignOut);
        })
    };
    let tab = |page: Page, label: &'static str| {
        let current = props.page == page;
        let onclick = props.on_page.reform(move |_: MouseEvent| page);
        html! {
            <button type="button" class={classes!("tab", current.then_some("current"))} aria-pressed={current.to_string()}
                onclick={onclick}>{ label }</button>
        }
    };
    html! {
           <header class="top">
               <h1 class="brand">{ "Touchpoint" }</h1>
               { tab(Page::Inbox, "Inbox") }
               { tab(Page::Insights, "Insights") }
               if props.me.is_admin() {
                   { tab(Page::Settings, "Settings") }
               }
               <span class="me">{ props.me.name.clone() }</span>
               <button type="button" class={classes!("presence", online.then_some("online"))} aria-pressed={online.to_string()} onclick={toggle_presence}>
                   { if online { "Online — visitors see you" } else { "Away" } }
               </button>
    if let Some(failure) = &*failure { <span class="error" role="alert">{ failure.clone() }</span> }
               <button type="button" class="sign-out" onclick={sign_out}>{ "Sign out" }</button>
           </header>
       }
}
