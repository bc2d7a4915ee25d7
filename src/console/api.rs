//! The staff and operator APIs as the console calls them: one function per
//! endpoint, each path built here (ids and query values go through
//! `encoded`), each answer read into its type. The console is served by the
//! worker, so every call goes to its own origin.

use serde::de::IgnoredAny;
use serde::Serialize;

use super::settings::staff::{Accounts, Changed};
use super::settings::{NewAccount, NewStaff, SiteSettings};
use super::state::{Colleagues, ConversationView, Inbox, Me};
use crate::domain::destination::{Spec, Update};
use crate::domain::inbox::InboxFilter;
use crate::domain::json_text::FromJson;
use crate::domain::saved_reply::{SavedReplies, SavedReplyBody};
use crate::domain::site::SiteUpdate;
use crate::domain::site_model::ModelStatus;
use crate::domain::team::TeamUpdate;
use crate::domain::wire::destinations::{Deleted, Deliveries, Destination, Destinations, Replayed};
use crate::domain::wire::insights::{ChartConversations, Insights};
use crate::domain::wire::staff::{ConversationResult, CorrectionResult, StaffReply};
use crate::fetch::{self, Failure};

/// `value` as one URL path segment or query value.
fn encoded(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}

/// `/v1/staff/conversations/{id}` followed by `tail` (`/messages`, `/close`…).
fn conversation_path(id: &str, tail: &str) -> String {
    let mut path = String::from("/v1/staff/conversations/");
    path.push_str(&encoded(id));
    path.push_str(tail);
    path
}

/// `/v1/admin/sites/{site}` followed by `tail` (`/teams/…`, `/staff`…).
fn site_path(site: &str, tail: &[&str]) -> String {
    let mut path = String::from("/v1/admin/sites/");
    path.push_str(&encoded(site));
    for segment in tail {
        path.push('/');
        path.push_str(&encoded(segment));
    }
    path
}

async fn get<T: FromJson>(token: &str, path: &str) -> Result<T, Failure> {
    fetch::call("", "GET", path, Some(token), None::<&()>).await
}

async fn post<T: FromJson>(
    token: &str,
    path: &str,
    body: Option<&impl Serialize>,
) -> Result<T, Failure> {
    fetch::call("", "POST", path, Some(token), body).await
}

/// `GET /v1/staff/me`: who the token belongs to.
pub async fn me(token: &str) -> Result<Me, Failure> {
    get(token, "/v1/staff/me").await
}

/// `PUT /v1/staff/presence`: `online` or `away`; answers the updated self.
pub async fn set_presence(token: &str, presence: &str) -> Result<Me, Failure> {
    #[derive(Serialize)]
    struct Presence<'a> {
        presence: &'a str,
    }
    fetch::call(
        "",
        "PUT",
        "/v1/staff/presence",
        Some(token),
        Some(&Presence { presence }),
    )
    .await
}

/// `GET /v1/staff/colleagues`: staff and teams, for assigning and moving.
pub async fn colleagues(token: &str) -> Result<Colleagues, Failure> {
    get(token, "/v1/staff/colleagues").await
}

/// `GET /v1/staff/inbox?…` with the console's filters, the first `limit`
/// conversations.
pub async fn inbox(token: &str, filter: &InboxFilter, limit: i64) -> Result<Inbox, Failure> {
    get(token, &filter.path(limit, encoded)).await
}

/// `GET /v1/staff/conversations/{id}`: the thread, its classification and
/// the visitor's journey.
pub async fn conversation(token: &str, id: &str) -> Result<ConversationView, Failure> {
    get(token, &conversation_path(id, "")).await
}

/// `POST /v1/staff/conversations/{id}/messages`: a reply, stored once per
/// `client_id` however often it is sent.
pub async fn reply(
    token: &str,
    id: &str,
    text: &str,
    client_id: &str,
) -> Result<StaffReply, Failure> {
    #[derive(Serialize)]
    struct Reply<'a> {
        text: &'a str,
        client_id: &'a str,
    }
    let body = Reply { text, client_id };
    post(token, &conversation_path(id, "/messages"), Some(&body)).await
}

/// Who or where `POST …/assign` hands a conversation to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Assignee {
    /// A colleague's id, `me`, or empty for nobody.
    Staff(String),
    /// Another team, by id.
    Team(String),
}

/// `POST /v1/staff/conversations/{id}/assign`: `{ "staff": … }` or `{ "team": … }`.
pub async fn assign(token: &str, id: &str, to: &Assignee) -> Result<ConversationResult, Failure> {
    post(token, &conversation_path(id, "/assign"), Some(to)).await
}

/// `POST /v1/staff/conversations/{id}/close`.
pub async fn close(token: &str, id: &str) -> Result<ConversationResult, Failure> {
    post(token, &conversation_path(id, "/close"), None::<&()>).await
}

/// `POST /v1/staff/conversations/{id}/reopen`.
pub async fn reopen(token: &str, id: &str) -> Result<ConversationResult, Failure> {
    post(token, &conversation_path(id, "/reopen"), None::<&()>).await
}

/// `POST /v1/staff/conversations/{id}/read`: read up to a message (the
/// caller's own unread count).
pub async fn mark_read(token: &str, id: &str, up_to: i64) -> Result<(), Failure> {
    #[derive(Serialize)]
    struct ReadUpTo {
        up_to: i64,
    }
    post::<IgnoredAny>(
        token,
        &conversation_path(id, "/read"),
        Some(&ReadUpTo { up_to }),
    )
    .await
    .map(|_| ())
}

/// A person's labels for a visitor's message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correction {
    pub topic: String,
    pub sentiment: String,
    pub kind: String,
}

/// `POST /v1/staff/messages/{id}/labels`: a person's correction of what the
/// classifier said about a visitor's message.
pub async fn correct_labels(
    token: &str,
    message: i64,
    labels: &Correction,
) -> Result<CorrectionResult, Failure> {
    let mut path = String::from("/v1/staff/messages/");
    path.push_str(&message.to_string());
    path.push_str("/labels");
    post(token, &path, Some(labels)).await
}

/// `GET /v1/staff/insights?days=…`.
pub async fn insights(token: &str, days: u32) -> Result<Insights, Failure> {
    let mut path = String::from("/v1/staff/insights?days=");
    path.push_str(&days.to_string());
    get(token, &path).await
}

/// `GET /v1/staff/insights/conversations?days=…&page=…|campaign=…|topic=…`:
/// the conversations behind one bar of the insights page.
pub async fn behind(
    token: &str,
    days: u32,
    bar: &[(&'static str, String)],
) -> Result<ChartConversations, Failure> {
    let mut path = String::from("/v1/staff/insights/conversations?days=");
    path.push_str(&days.to_string());
    for (name, value) in bar {
        path.push('&');
        path.push_str(name);
        path.push('=');
        path.push_str(&encoded(value));
    }
    get(token, &path).await
}

// ------------------------------------------------ Settings (site admins)

/// `GET /v1/admin/sites/{site}`: the site's settings and its teams.
pub async fn site_settings(token: &str, site: &str) -> Result<SiteSettings, Failure> {
    get(token, &site_path(site, &[])).await
}

/// `PUT /v1/admin/sites/{site}`: the fields `change` sets; the others stay.
/// The answer (the site) is not read: Settings keeps what it sent.
pub async fn put_site(token: &str, site: &str, change: &SiteUpdate) -> Result<(), Failure> {
    let path = site_path(site, &[]);
    fetch::call::<IgnoredAny>("", "PUT", &path, Some(token), Some(change))
        .await
        .map(drop)
}

/// `PUT /v1/admin/sites/{site}/teams/{team}`.
pub async fn put_team(
    token: &str,
    site: &str,
    team: &str,
    change: &TeamUpdate,
) -> Result<(), Failure> {
    let path = site_path(site, &["teams", team]);
    fetch::call::<IgnoredAny>("", "PUT", &path, Some(token), Some(change))
        .await
        .map(drop)
}

/// `POST /v1/admin/sites/{site}/staff`: a new account and its token (shown once).
pub async fn create_staff(
    token: &str,
    site: &str,
    account: &NewAccount,
) -> Result<NewStaff, Failure> {
    post(token, &site_path(site, &["staff"]), Some(account)).await
}

/// `GET /v1/admin/sites/{site}/staff`: every account, revoked ones last.
pub async fn staff_accounts(token: &str, site: &str) -> Result<Accounts, Failure> {
    get(token, &site_path(site, &["staff"])).await
}

/// `DELETE /v1/admin/sites/{site}/staff/{id}`: the account, revoked.
pub async fn revoke_staff(token: &str, site: &str, id: &str) -> Result<Changed, Failure> {
    let path = site_path(site, &["staff", id]);
    fetch::call("", "DELETE", &path, Some(token), None::<&()>).await
}

/// `POST /v1/admin/sites/{site}/staff/{id}/token`: the account and its new token.
pub async fn new_staff_token(token: &str, site: &str, id: &str) -> Result<Changed, Failure> {
    post(
        token,
        &site_path(site, &["staff", id, "token"]),
        None::<&()>,
    )
    .await
}

/// `GET /v1/staff/saved-replies`: the site's saved replies, by shortcut.
pub async fn saved_replies(token: &str) -> Result<SavedReplies, Failure> {
    get(token, "/v1/staff/saved-replies").await
}

/// `PUT /v1/admin/sites/{site}/saved-replies/{shortcut}` (422 says what is wrong).
pub async fn put_saved_reply(
    token: &str,
    site: &str,
    shortcut: &str,
    body: &SavedReplyBody,
) -> Result<(), Failure> {
    let path = site_path(site, &["saved-replies", shortcut]);
    fetch::call::<IgnoredAny>("", "PUT", &path, Some(token), Some(body))
        .await
        .map(drop)
}

/// `DELETE /v1/admin/sites/{site}/saved-replies/{shortcut}`.
pub async fn delete_saved_reply(token: &str, site: &str, shortcut: &str) -> Result<(), Failure> {
    let path = site_path(site, &["saved-replies", shortcut]);
    fetch::call::<IgnoredAny>("", "DELETE", &path, Some(token), None::<&()>)
        .await
        .map(drop)
}

/// `GET /v1/admin/sites/{site}/model`: the site model's status.
pub async fn site_model(token: &str, site: &str) -> Result<ModelStatus, Failure> {
    get(token, &site_path(site, &["model"])).await
}

/// `POST /v1/admin/sites/{site}/model/train`: 409 when there is nothing to learn from.
pub async fn train_model(token: &str, site: &str) -> Result<ModelStatus, Failure> {
    post(token, &site_path(site, &["model", "train"]), None::<&()>).await
}

/// `GET /v1/admin/sites/{site}/destinations`.
pub async fn destinations(token: &str, site: &str) -> Result<Destinations, Failure> {
    get(token, &site_path(site, &["destinations"])).await
}

/// `POST /v1/admin/sites/{site}/destinations`: 422 names the refused field.
pub async fn create_destination(
    token: &str,
    site: &str,
    spec: &Spec,
) -> Result<Destination, Failure> {
    post(token, &site_path(site, &["destinations"]), Some(spec)).await
}

/// `PATCH /v1/admin/sites/{site}/destinations/{id}`.
pub async fn update_destination(
    token: &str,
    site: &str,
    id: &str,
    change: &Update,
) -> Result<Destination, Failure> {
    let path = site_path(site, &["destinations", id]);
    fetch::call("", "PATCH", &path, Some(token), Some(change)).await
}

/// `DELETE /v1/admin/sites/{site}/destinations/{id}`: it and its log.
pub async fn delete_destination(token: &str, site: &str, id: &str) -> Result<Deleted, Failure> {
    let path = site_path(site, &["destinations", id]);
    fetch::call("", "DELETE", &path, Some(token), None::<&()>).await
}

/// `GET /v1/admin/sites/{site}/destinations/{id}/deliveries`: a page of the
/// log, newest first (the newest page, or the one `cursor` names).
pub async fn deliveries(
    token: &str,
    site: &str,
    id: &str,
    cursor: Option<&str>,
) -> Result<Deliveries, Failure> {
    let mut path = site_path(site, &["destinations", id, "deliveries"]);
    if let Some(cursor) = cursor {
        path.push_str("?cursor=");
        path.push_str(&encoded(cursor));
    }
    get(token, &path).await
}

/// `POST …/destinations/{id}/deliveries/{delivery}/replay`: 409 when it
/// was delivered already (it is never sent twice).
pub async fn replay(
    token: &str,
    site: &str,
    id: &str,
    delivery: &str,
) -> Result<Replayed, Failure> {
    let path = site_path(
        site,
        &["destinations", id, "deliveries", delivery, "replay"],
    );
    post(token, &path, None::<&()>).await
}
