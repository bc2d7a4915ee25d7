//! The staff API as the console calls it: one function per endpoint, each
//! path built here (ids and query values go through `segment`/`query`),
//! each answer read into its type. The console is served by the worker, so
//! every call goes to its own origin.

use serde::{de::DeserializeOwned, Serialize};

use super::state::{Colleagues, ConversationView, Inbox, Me};
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

async fn get<T: DeserializeOwned>(token: &str, path: &str) -> Result<T, Failure> {
    fetch::call("", "GET", path, Some(token), None::<&()>).await
}

async fn post<T: DeserializeOwned>(
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

/// `GET /v1/staff/inbox?team=…&status=…` (empty: all my teams, waiting and open).
pub async fn inbox(token: &str, team: &str, status: &str) -> Result<Inbox, Failure> {
    let mut path = String::from("/v1/staff/inbox?team=");
    path.push_str(&encoded(team));
    path.push_str("&status=");
    path.push_str(&encoded(status));
    get(token, &path).await
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
