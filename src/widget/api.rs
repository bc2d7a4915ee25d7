//! The visitor API as the panel calls it: one function per endpoint, its path
//! built here, its answer read into the panel's types. Each returns the
//! request's future itself (no `async fn` around it: one state machine less
//! per call in the widget's download).

use std::future::Future;

use wasm_bindgen::JsValue;

use super::answers;
use super::answers::{Poll, Started, ThreadMessage};
use super::session::Session;
use super::Config;
use crate::domain::contact::SiteState;
use crate::domain::conversation::Identity;
use crate::fetch::{call_and_read, Failure};
use crate::js_object::{self, Object};

/// `/v1/conversations/{id}` followed by `tail` (empty, or `/messages`…).
fn conversation_path(session: &Session, tail: &str) -> String {
    let mut path = String::from("/v1/conversations/");
    path.push_str(&session.id);
    path.push_str(tail);
    path
}

/// Any answer will do (the call's success is what counts).
fn anything(_: &JsValue) -> Option<()> {
    Some(())
}

/// `GET /v1/availability`: the site's teams, their hours and who is there.
pub fn availability(config: &Config) -> impl Future<Output = Result<SiteState, Failure>> + '_ {
    let mut path = String::from("/v1/availability?site=");
    path.push_str(&String::from(js_sys::encode_uri_component(&config.site)));
    call_and_read(
        &config.endpoint,
        "GET",
        path,
        None,
        None,
        answers::site_state,
    )
}

/// `POST /v1/identity/conversations`: a verified visitor's conversations,
/// newest first, with their status.
pub fn identity_conversations<'a>(
    config: &'a Config,
    user: &Identity,
) -> impl Future<Output = Result<Vec<(Session, String)>, Failure>> + 'a {
    let body = Object::new()
        .set("site", config.site.as_str())
        .set("user", answers::identity_body(user))
        .build();
    call_and_read(
        &config.endpoint,
        "POST",
        "/v1/identity/conversations".into(),
        None,
        Some(body),
        answers::history,
    )
}

/// `POST /v1/conversations`: starts a conversation with its first `message`
/// (built by `answers::worker_bodies`) and how the visitor wants an answer.
pub fn start<'a>(
    config: &'a Config,
    team: Option<&str>,
    message: JsValue,
    reply: JsValue,
) -> impl Future<Output = Result<Started, Failure>> + 'a {
    let body = Object::new()
        .set("site", config.site.as_str())
        .set_some("user", config.user.as_ref().map(answers::identity_body))
        .set_some("team", team)
        .set("message", message)
        .set("reply", reply)
        .set("locale", config.locale.as_str())
        .set_some("dnt", opted_out().then_some(true))
        .build();
    call_and_read(
        &config.endpoint,
        "POST",
        "/v1/conversations".into(),
        None,
        Some(body),
        answers::started,
    )
}

/// Do Not Track or Global Privacy Control, as the page sees them: the worker
/// then links no touchpoint to the conversation.
fn opted_out() -> bool {
    // Read as plain properties: Chromium's `doNotTrack` is null when unset,
    // which web-sys's string getter would not take.
    web_sys::window().is_some_and(|window| {
        let navigator = window.navigator();
        crate::js_object::get(&navigator, "doNotTrack")
            .as_string()
            .as_deref()
            == Some("1")
            || crate::js_object::get(&navigator, "globalPrivacyControl").is_truthy()
    })
}

/// `POST /v1/conversations/{id}/messages`.
pub fn send<'a>(
    config: &'a Config,
    session: &'a Session,
    message: JsValue,
) -> impl Future<Output = Result<ThreadMessage, Failure>> + 'a {
    call_and_read(
        &config.endpoint,
        "POST",
        conversation_path(session, "/messages"),
        Some(&session.token),
        Some(message),
        |sent| answers::thread_message(&js_object::get(sent, "message")),
    )
}

/// `GET /v1/conversations/{id}/messages?after=…`: the messages after `after`.
pub fn messages_after<'a>(
    config: &'a Config,
    session: &'a Session,
    after: i64,
) -> impl Future<Output = Result<Poll, Failure>> + 'a {
    let mut path = conversation_path(session, "/messages?after=");
    // The cursor is a message id (never negative); no `core::fmt` for it.
    crate::domain::json::push_u64(&mut path, u64::try_from(after).unwrap_or(0));
    call_and_read(
        &config.endpoint,
        "GET",
        path,
        Some(&session.token),
        None,
        answers::poll,
    )
}

/// `POST /v1/conversations/{id}/read`: staff replies up to `up_to` were seen.
pub fn mark_read<'a>(
    config: &'a Config,
    session: &'a Session,
    up_to: i64,
) -> impl Future<Output = Result<(), Failure>> + 'a {
    call_and_read(
        &config.endpoint,
        "POST",
        conversation_path(session, "/read"),
        Some(&session.token),
        Some(Object::new().set("up_to", up_to as f64).build()),
        anything,
    )
}

/// `DELETE /v1/conversations/{id}`: the conversation and its messages go.
pub fn delete<'a>(
    config: &'a Config,
    session: &'a Session,
) -> impl Future<Output = Result<(), Failure>> + 'a {
    call_and_read(
        &config.endpoint,
        "DELETE",
        conversation_path(session, ""),
        Some(&session.token),
        None,
        anything,
    )
}
