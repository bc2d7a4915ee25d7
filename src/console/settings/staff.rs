//! Settings → Staff accounts: who can sign in to the console, with their
//! role and teams; Revoke (after a confirmation) for someone who left or a
//! token that leaked, and New token, shown once, which also ends the old
//! one. The API keeps an admin from revoking themselves (409, shown here).

use yew::prelude::*;

use crate::console::api;
use crate::console::components::explain;
use crate::console::hooks::use_effect_on;
use crate::domain::json_text::from_json;

/// `GET /v1/admin/sites/{site}/staff`.
#[derive(Debug, Clone, PartialEq)]
pub struct Accounts {
    pub staff: Vec<Account>,
}

/// One account as listed (the fields shown here).
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub role: String,
    pub teams: Vec<String>,
    pub revoked: bool,
}

/// `DELETE …/staff/{id}`'s and `POST …/staff/{id}/token`'s answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Changed {
    pub staff: Account,
    /// Only in the answer to New token.
    pub token: Option<String>,
}

from_json! {
    Accounts { staff }
    Account { id, name, role, teams, revoked }
    Changed { staff, #[default] token }
}

#[derive(PartialEq, Properties)]
pub struct StaffProps {
    pub token: String,
    pub site: String,
    /// Changes when Settings creates an account: the list is read again.
    pub created: Option<String>,
}

/// What the section shows besides the list.
#[derive(Debug, Clone, PartialEq, Default)]
struct Shown {
    accounts: Vec<Account>,
    /// The account whose revocation waits for a confirmation.
    confirming: Option<String>,
    /// A new token, for whom, shown this once.
    new_token: Option<(String, String)>,
    message: Option<String>,
}

/// "Ana Weber — admin, all teams", "Bo Lind — agent: sales, billing (revoked)".
fn describe(account: &Account) -> String {
    let teams = if account.role == "admin" {
        ", all teams".to_owned()
    } else if account.teams.is_empty() {
        ", no team yet".to_owned()
    } else {
        format!(": {}", account.teams.join(", "))
    };
    let revoked = if account.revoked { " (revoked)" } else { "" };
    format!("{} — {}{teams}{revoked}", account.name, account.role)
}

#[function_component(StaffSection)]
pub fn staff_section(props: &StaffProps) -> Html {
    let shown = use_state(Shown::default);
    let load = {
        let (shown, token, site) = (shown.clone(), props.token.clone(), props.site.clone());
        move || {
            let (shown, token, site) = (shown.clone(), token.clone(), site.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let mut next = (*shown).clone();
                match api::staff_accounts(&token, &site).await {
                    Ok(list) => next.accounts = list.staff,
                    Err(failure) => next.message = Some(explain(&failure)),
                }
                shown.set(next);
            });
        }
    };
    {
        let load = load.clone();
        use_effect_on(props.created.clone(), move |_| load());
    }
    // One handler for every button: `data-act` says what, `data-id` for whom.
    let onclick = {
        let (shown, token, site) = (shown.clone(), props.token.clone(), props.site.clone());
        Callback::from(move |event: MouseEvent| {
            let Some(button) = event.target_dyn_into::<web_sys::Element>() else {
                return;
            };
            let act = button.get_attribute("data-act").unwrap_or_default();
            let id = button.get_attribute("data-id").unwrap_or_default();
            let mut next = (*shown).clone();
            next.message = None;
            match act.as_str() {
                "revoke" => next.confirming = Some(id),
                "cancel" => next.confirming = None,
                "confirm" | "new-token" => {
                    next.confirming = None;
                    let (shown, token, site) = (shown.clone(), token.clone(), site.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        let answer = if act == "confirm" {
                            api::revoke_staff(&token, &site, &id).await
                        } else {
                            api::new_staff_token(&token, &site, &id).await
                        };
                        let mut next = (*shown).clone();
                        match answer {
                            Ok(changed) => {
                                if let Some(new) = changed.token {
                                    next.new_token = Some((changed.staff.name.clone(), new));
                                }
                                for account in &mut next.accounts {
                                    if account.id == changed.staff.id {
                                        *account = changed.staff.clone();
                                    }
                                }
                            }
                            Err(failure) => next.message = Some(explain(&failure)),
                        }
                        shown.set(next);
                    });
                }
                _ => return,
            }
            shown.set(next);
        })
    };
    let button = |act: &'static str, id: &str, label: &'static str| {
        html! { <button type="button" class={act} data-act={act} data-id={id.to_owned()}>{ label }</button> }
    };
    html! {
        <div class="staff-accounts" {onclick}>
            <h3>{ "Staff accounts" }</h3>
            if let Some(message) = &shown.message {
                <p class="error" role="alert">{ message.clone() }</p>
            }
            <ul>
                { for shown.accounts.iter().map(|a| html! {
                    <li data-staff={a.id.clone()} class={if a.revoked { "revoked" } else { "" }}>
                        { describe(a) }{ " " }
                        if !a.revoked {
                            { button("revoke", &a.id, "Revoke") }
                        }
                        { button("new-token", &a.id, "New token") }
                        if shown.confirming.as_deref() == Some(a.id.as_str()) {
                            <p class="confirm" role="alert">
                                { format!("Revoke {}? Their token stops working at once and their open conversations go back to their teams.", a.name) }
                                { button("confirm", &a.id, "Revoke") }{ button("cancel", &a.id, "Cancel") }
                            </p>
                        }
                    </li>
                }) }
            </ul>
            if let Some((name, token)) = &shown.new_token {
                <p class="new-token" role="status">
                    { format!("{name}'s new token — shown this once; the old one no longer works: ") }
                    <code>{ token.clone() }</code>
                </p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_described_with_their_role_teams_and_revocation() {
        let account = |role: &str, teams: &[&str], revoked| Account {
            id: "s1".into(),
            name: "Bo Lind".into(),
            role: role.into(),
            teams: teams.iter().map(|&t| t.to_owned()).collect(),
            revoked,
        };
        assert_eq!(
            describe(&account("admin", &[], false)),
            "Bo Lind — admin, all teams"
        );
        assert_eq!(
            describe(&account("agent", &["sales", "billing"], true)),
            "Bo Lind — agent: sales, billing (revoked)"
        );
        assert_eq!(
            describe(&account("agent", &[], false)),
            "Bo Lind — agent, no team yet"
        );
    }

    #[test]
    fn the_list_is_read_as_the_api_answers_it() {
        let text = r#"{"staff":[{"id":"s1","name":"Bo","role":"agent","teams":["sales"],"presence":"away",
            "last_seen_at":0,"created_at":1,"revoked":true,"revoked_at":5}]}"#;
        let value = crate::domain::json_text::parse(text).unwrap();
        let list: Accounts = crate::domain::json_text::read(&value).unwrap();
        assert_eq!(list.staff[0].teams, ["sales"]);
        assert!(list.staff[0].revoked);
    }
}
