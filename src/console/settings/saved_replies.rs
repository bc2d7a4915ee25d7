//! Settings → Saved replies: the answers staff start from by typing `/` and
//! a shortcut in the reply box. Save keeps the text under its shortcut (a
//! new one, or the one being edited); `{visitor}` and `{me}` become first
//! names when a reply is put in the box.

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::console::api;
use crate::console::components::explain;
use crate::domain::display::visible_controls;
use crate::domain::saved_reply::SavedReply;

#[derive(PartialEq, Properties)]
pub struct SavedRepliesProps {
    pub token: String,
    pub site: String,
}

/// The form's fields, kept as typed (a render must not empty them).
#[derive(Debug, Clone, PartialEq, Default)]
struct Form {
    shortcut: String,
    text: String,
    /// The shortcut whose Edit filled the form: saving it replaces without asking.
    editing: String,
}

#[function_component(SavedRepliesSection)]
pub fn saved_replies_section(props: &SavedRepliesProps) -> Html {
    let list = use_state(Vec::<SavedReply>::new);
    let form = use_state(Form::default);
    let said = use_state(String::new);
    // A replace or a delete that waits for its second press ("replace:vat").
    let armed = use_state(String::new);
    // Reads the list again, after `change` (a save or a delete) when given;
    // what the API refused is said and the form kept.
    let call = {
        let (list, form, said) = (list.clone(), form.clone(), said.clone());
        let (token, site) = (props.token.clone(), props.site.clone());
        Callback::from(move |change: Option<Form>| {
            let (list, form, said) = (list.clone(), form.clone(), said.clone());
            let (token, site) = (token.clone(), site.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if let Some(Form { shortcut, text, .. }) = change {
                    if let Err(failure) = api::put_saved_reply(&token, &site, &shortcut, text).await
                    {
                        said.set(format!("Not saved: {}", explain(&failure)));
                        return;
                    }
                    form.set(Form::default());
                    said.set(format!("/{shortcut} saved."));
                }
                match api::saved_replies(&token).await {
                    Ok(replies) => list.set(replies.saved_replies),
                    Err(failure) => said.set(explain(&failure)),
                }
            });
        })
    };
    {
        let call = call.clone();
        use_effect_with((), move |_| call.emit(None));
    }
    let delete = |shortcut: String| {
        let (call, said, armed) = (call.clone(), said.clone(), armed.clone());
        let (token, site) = (props.token.clone(), props.site.clone());
        Callback::from(move |_: MouseEvent| {
            // The first press asks (the button says so), the second deletes.
            let ask = format!("delete:{shortcut}");
            if *armed != ask {
                armed.set(ask);
                return;
            }
            armed.set(String::new());
            let (call, said, shortcut) = (call.clone(), said.clone(), shortcut.clone());
            let (token, site) = (token.clone(), site.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::delete_saved_reply(&token, &site, &shortcut).await {
                    Ok(()) => {
                        said.set(format!("/{shortcut} deleted."));
                        call.emit(None);
                    }
                    Err(failure) => said.set(format!("Not deleted: {}", explain(&failure))),
                }
            });
        })
    };
    let edit = |reply: &SavedReply| {
        let (form, reply) = (form.clone(), reply.clone());
        Callback::from(move |_: MouseEvent| {
            form.set(Form {
                shortcut: reply.shortcut.clone(),
                text: reply.text.clone(),
                editing: reply.shortcut.clone(),
            })
        })
    };
    let shortcut_input = {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            let shortcut = e.target_unchecked_into::<HtmlInputElement>().value();
            form.set(Form {
                shortcut,
                ..(*form).clone()
            });
        })
    };
    let text_input = {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            let text = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            form.set(Form {
                text,
                ..(*form).clone()
            });
        })
    };
    let submit = {
        let (call, form, armed, said) = (call.clone(), form.clone(), armed.clone(), said.clone());
        let stored: Vec<String> = list.iter().map(|r| r.shortcut.clone()).collect();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // A shortcut kept already, not the one being edited: the first
            // Save asks, so another's text is not replaced unseen.
            let ask = format!("replace:{}", form.shortcut);
            if stored.contains(&form.shortcut) && form.editing != form.shortcut && *armed != ask {
                said.set(format!(
                    "/{} exists already: Save again to replace its text.",
                    form.shortcut
                ));
                armed.set(ask);
                return;
            }
            armed.set(String::new());
            call.emit(Some((*form).clone()));
        })
    };
    html! {
        <div class="saved-replies-settings">
            <h3>{ "Saved replies" }</h3>
            <p>{ "Staff type / and a shortcut in the reply box to start from one, then change it before sending. {visitor} becomes the visitor's first name, {me} the sender's." }</p>
            <ul class="saved-reply-list">
                { for list.iter().map(|reply| html! {
                    <li data-shortcut={reply.shortcut.clone()}>
                        <b>{ format!("/{}", reply.shortcut) }</b>
                        <span class="text">{ visible_controls(&reply.text).into_owned() }</span>
                        <button type="button" class="edit" onclick={edit(reply)}>{ "Edit" }</button>
                        <button type="button" class="delete" onclick={delete(reply.shortcut.clone())}>
                            { if *armed == format!("delete:{}", reply.shortcut) { "Delete it?" } else { "Delete" } }
                        </button>
                    </li>
                }) }
            </ul>
            <form class="saved-reply-form" onsubmit={submit}>
                <label>{ "Shortcut " }<input name="shortcut" required=true maxlength="32" pattern="[a-z0-9][a-z0-9_\\-]*"
                    value={form.shortcut.clone()} oninput={shortcut_input} /></label>
                <label>{ "Text " }<textarea name="text" required=true rows="3" maxlength="4000"
                    value={form.text.clone()} oninput={text_input} /></label>
                <button type="submit">{ "Save reply" }</button>
            </form>
            <p class="saved-replies-said" role="status">{ (*said).clone() }</p>
        </div>
    }
}
