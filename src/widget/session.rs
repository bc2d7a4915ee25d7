//! The visitor's open conversation, kept in `localStorage` so it survives page
//! loads. Nothing is stored until the visitor starts a conversation (which
//! they asked for); deleting or ending it removes the entry.

use wasm_bindgen::JsValue;

use crate::js_object::{self as js, Object};

/// What the widget remembers between pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub id: String,
    pub token: String,
}

/// `{ id, token }`: the conversation remembered between pages.
pub fn read(value: &JsValue) -> Option<Session> {
    Some(Session {
        id: js::string(value, "id")?,
        token: js::string(value, "token")?,
    })
}

/// The session as it is stored.
fn written(session: &Session) -> JsValue {
    Object::new()
        .set("id", session.id.as_str())
        .set("token", session.token.as_str())
        .build()
}

fn key(site: &str) -> String {
    let mut key = String::from("touchpoint:conversation:");
    key.push_str(site);
    key
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The stored conversation for `site`, if any.
pub fn load(site: &str) -> Option<Session> {
    let text = storage()?.get_item(&key(site)).ok().flatten()?;
    let value = js_sys::JSON::parse(&text).ok()?;
    read(&value)
}

/// Remembers the conversation.
pub fn save(site: &str, session: &Session) {
    let Some(storage) = storage() else { return };
    let value = written(session);
    if let Some(text) = js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|t| t.as_string())
    {
        let _ = storage.set_item(&key(site), &text);
    }
}

/// Forgets it.
pub fn clear(site: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key(site));
    }
}
