//! Settings → Saved replies: the answers staff start from by typing `/` and
//! a shortcut in the reply box. Save keeps the text under its shortcut (a
//! new one, or the one being edited), for every team or for one team, whose
//! conversations alone then offer it; `{visitor}` and `{me}` become first
//! names when a reply is put in the box.

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::console::api;
use crate::console::components::{explain, focus_on};
use crate::console::hooks::use_effect_on;
use crate::domain::display::visible_controls;
use crate::domain::saved_reply::{SavedReply, SavedReplyBody};

#[derive(PartialEq, Properties)]
pub struct SavedRepliesProps {
    pub token: String,
    pub site: String,
    /// The site's teams, (id, name), that a reply may be kept for.
    pub teams: Vec<(String, String)>,
}

/// The form's fields, kept as typed (a render must not empty them).
#[derive(Debug, Clone, PartialEq, Default)]
struct Form {
    shortcut: String,
    text: String,
    /// The team it is kept for; empty: every team.
    team: String,
    /// The shortcut whose Edit filled the form: saving it replaces without asking.
    editing: String,
}

/// What a press asks of the API before the list is read again.
enum Change {
    Reload,
    Save(Form),
    Delete(String),
}

/// What the input, text area or select an event came from holds.
fn typed(e: &Event) -> String {
    if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
        input.value()
    } else if let Some(area) = e.target_dyn_into::<HtmlTextAreaElement>() {
        area.value()
    } else {
        e.target_dyn_into::<HtmlSelectElement>()
            .map(|select| select.value())
            .unwrap_or_default()
    }
}

#[function_component(SavedRepliesSection)]
pub fn saved_replies_section(props: &SavedRepliesProps) -> Html {
    let list = use_state(Vec::<SavedReply>::new);
    let form = use_state(Form::default);
    let said = use_state(String::new);
    // A replace or a delete that waits for its second press ("replace:vat").
    let armed = use_state(String::new);
    // Makes `change`, then reads the list again; what the API refused is
    // said and the form kept.
    let call = {
        let (list, form, said) = (list.clone(), form.clone(), said.clone());
        let (token, site) = (props.token.clone(), props.site.clone());
        Callback::from(move |change: Change| {
            let (list, form, said) = (list.clone(), form.clone(), said.clone());
            let (token, site) = (token.clone(), site.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let done = match change {
                    Change::Reload => Ok(None),
                    Change::Save(Form {
                        shortcut,
                        text,
                        team,
                        editing,
                    }) => match api::put_saved_reply(
                        &token,
                        &site,
                        &shortcut,
                        &SavedReplyBody {
                            text,
                            team: Some(team),
                        },
                    )
                    .await
                    {
                        Err(failure) => Err(format!("Not saved: {}", explain(&failure))),
                        // Edited under a new shortcut: a rename, so the old one goes.
                        Ok(_) if !editing.is_empty() && editing != shortcut => {
                            form.set(Form::default());
                            match api::delete_saved_reply(&token, &site, &editing).await {
                                Ok(()) => Ok(Some(format!("/{editing} is now /{shortcut}."))),
                                Err(failure) => Ok(Some(format!(
                                    "/{shortcut} saved, but /{editing} was not deleted: {}",
                                    explain(&failure)
                                ))),
                            }
                        }
                        Ok(_) => {
                            form.set(Form::default());
                            Ok(Some(format!("/{shortcut} saved.")))
                        }
                    },
                    Change::Delete(shortcut) => {
                        match api::delete_saved_reply(&token, &site, &shortcut).await {
                            Ok(()) => Ok(Some(format!("/{shortcut} deleted."))),
                            Err(failure) => Err(format!("Not deleted: {}", explain(&failure))),
                        }
                    }
                };
                match done {
                    Err(why) => {
                        said.set(why);
                        return;
                    }
                    Ok(Some(news)) => said.set(news),
                    Ok(None) => {}
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
        use_effect_on((), move |_| call.emit(Change::Reload));
    }
    let delete = |shortcut: String| {
        let (call, armed) = (call.clone(), armed.clone());
        Callback::from(move |_: MouseEvent| {
            // The first press asks (the button says so), the second deletes.
            let ask = format!("delete:{shortcut}");
            if *armed != ask {
                armed.set(ask);
                return;
            }
            armed.set(String::new());
            call.emit(Change::Delete(shortcut.clone()));
        })
    };
    let edit = |reply: &SavedReply| {
        let (form, reply) = (form.clone(), reply.clone());
        Callback::from(move |_: MouseEvent| {
            form.set(Form {
                shortcut: reply.shortcut.clone(),
                text: reply.text.clone(),
                team: reply.team.clone(),
                editing: reply.shortcut.clone(),
            });
            // To the text being edited, as a keyboard user expects.
            focus_on("savedReplyText");
        })
    };
    let field = |set: fn(&mut Form, String)| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut next = (*form).clone();
            set(&mut next, typed(&e));
            form.set(next);
        })
    };
    let shortcut_input = field(|form, shortcut| form.shortcut = shortcut);
    let text_input = field(|form, text| form.text = text);
    let team_change = field(|form, team| form.team = team);
    // A team by id, as the list says it; one the site no longer lists by its id.
    let team_name = |id: &str| {
        props
            .teams
            .iter()
            .find(|(team, _)| team == id)
            .map_or_else(|| id.to_owned(), |(_, name)| name.clone())
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
                // A rename onto it also deletes the one being edited: said too.
                let renamed = match form.editing.as_str() {
                    "" => String::new(),
                    old => format!(" /{old} will be deleted."),
                };
                said.set(format!(
                    "/{} exists already: Save again to replace its text.{renamed}",
                    form.shortcut
                ));
                armed.set(ask);
                return;
            }
            armed.set(String::new());
            call.emit(Change::Save((*form).clone()));
        })
    };
    // The Delete button's text and name: it names the reply, and after the
    // first press says a second one deletes it.
    let delete_label = |shortcut: &str| {
        if *armed == format!("delete:{shortcut}") {
            (
                "Delete it?",
                format!("Delete /{shortcut} for good? Press again"),
            )
        } else {
            ("Delete", format!("Delete /{shortcut}"))
        }
    };
    html! {
        <div class="saved-replies-settings">
            <h3>{ "Saved replies" }</h3>
            <p>{ "Staff type / and a shortcut in the reply box to start from one, then change it before sending. {visitor} becomes the visitor's first name, {me} the sender's." }</p>
            <ul class="saved-reply-list">
                { for list.iter().map(|reply| {
                    let (delete_text, delete_name) = delete_label(&reply.shortcut);
                    html! {
                        // Keyed, and each button names its reply: after a delete,
                        // focus does not land unannounced on another's Delete.
                        <li key={reply.shortcut.clone()} data-shortcut={reply.shortcut.clone()}>
                            <b>{ format!("/{}", reply.shortcut) }</b>
                            if !reply.team.is_empty() {
                                <span class="team">{ format!("{} only", team_name(&reply.team)) }</span>
                            }
                            <span class="text">{ visible_controls(&reply.text).into_owned() }</span>
                            <button type="button" class="edit" aria-label={format!("Edit /{}", reply.shortcut)}
                                onclick={edit(reply)}>{ "Edit" }</button>
                            <button type="button" class="delete" aria-label={delete_name}
                                onclick={delete(reply.shortcut.clone())}>{ delete_text }</button>
                        </li>
                    }
                }) }
            </ul>
            <form class="saved-reply-form" onsubmit={submit}>
                <label>{ "Shortcut " }<input name="shortcut" required=true maxlength="32" pattern="[a-z0-9][a-z0-9_\\-]*"
                    title="Lower-case letters, digits, - and _, starting with a letter or digit (up to 32)"
                    value={form.shortcut.clone()} oninput={shortcut_input.reform(Event::from)} /></label>
                // No maxlength: the browser counts UTF-16 units and would cut
                // an emoji-rich text short; the API counts characters and says.
                // Camel case: no option id of the reply box's list ("saved-reply-…") is this.
                <label>{ "Text " }<textarea id="savedReplyText" name="text" required=true rows="3"
                    value={form.text.clone()} oninput={text_input.reform(Event::from)} /></label>
                <label>{ "Offered in " }<select name="team" onchange={team_change}>
                    <option value="" selected={form.team.is_empty()}>{ "every team's conversations" }</option>
                    { for props.teams.iter().map(|(id, name)| html! {
                        <option value={id.clone()} selected={*id == form.team}>{ format!("{name}'s conversations") }</option>
                    }) }
                </select></label>
                <button type="submit">{ "Save reply" }</button>
            </form>
            <p class="saved-replies-said" role="status">{ (*said).clone() }</p>
        </div>
    }
}
