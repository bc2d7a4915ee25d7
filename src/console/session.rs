//! The console session: the staff token, kept in `sessionStorage` while the
//! tab is open (never in the URL), for 12 hours after sign-in, and the
//! replies being written, so a reload loses none. Both end with the session.

/// Where the token lives while the tab is open.
const TOKEN_KEY: &str = "touchpoint:staff-token";
/// When the console session ends (ms since the epoch).
const EXPIRES_KEY: &str = "touchpoint:staff-session-expires";
const SESSION_MS: f64 = 12.0 * 3_600_000.0;
/// Each unsent reply is kept under this prefix and its conversation's id.
const DRAFT_PREFIX: &str = "touchpoint:draft:";
/// A reply on its way (or failed), by conversation id: its client id, a
/// line break and its text. Sent again after a reload, it keeps its id, so
/// one stored with its answer lost is not stored twice.
const SENDING_PREFIX: &str = "touchpoint:sending:";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The token of a session that has not expired; an expired one is forgotten.
pub fn token() -> Option<String> {
    let storage = storage()?;
    let expires: f64 = storage.get_item(EXPIRES_KEY).ok().flatten()?.parse().ok()?;
    if js_sys::Date::now() >= expires {
        forget();
        return None;
    }
    storage.get_item(TOKEN_KEY).ok().flatten()
}

/// Keeps `token` for 12 hours from now.
pub fn remember(token: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(TOKEN_KEY, token);
        let _ = storage.set_item(EXPIRES_KEY, &(js_sys::Date::now() + SESSION_MS).to_string());
    }
}

/// Ends the session in this tab, with the replies it was writing.
pub fn forget() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(TOKEN_KEY);
        let _ = storage.remove_item(EXPIRES_KEY);
        for prefix in [DRAFT_PREFIX, SENDING_PREFIX] {
            for (key, _) in keys(&storage, prefix) {
                let _ = storage.remove_item(&key);
            }
        }
    }
}

/// The keys under `prefix` kept in this tab, with their conversations' ids.
fn keys(storage: &web_sys::Storage, prefix: &str) -> Vec<(String, String)> {
    let count = storage.length().unwrap_or(0);
    (0..count)
        .filter_map(|at| storage.key(at).ok().flatten())
        .filter_map(|key| {
            let id = key.strip_prefix(prefix)?.to_owned();
            Some((key, id))
        })
        .collect()
}

/// The replies on their way when the tab was left: (conversation id,
/// client id, text).
pub fn kept_sending() -> Vec<(String, String, String)> {
    let Some(storage) = storage() else {
        return Vec::new();
    };
    keys(&storage, SENDING_PREFIX)
        .into_iter()
        .filter_map(|(key, id)| {
            let value = storage.get_item(&key).ok().flatten()?;
            let (client, text) = value.split_once('\n')?;
            Some((id, client.to_owned(), text.to_owned()))
        })
        .collect()
}

/// Keeps a conversation's reply on its way (`Some((client id, text))`), or
/// forgets it once stored (`None`).
pub fn keep_sending(conversation: &str, sending: Option<(&str, &str)>) {
    let Some(storage) = storage() else {
        return;
    };
    let key = [SENDING_PREFIX, conversation].concat();
    let _ = match sending {
        Some((client, text)) => storage.set_item(&key, &[client, "\n", text].concat()),
        None => storage.remove_item(&key),
    };
}

/// The unsent replies kept in this tab, by conversation id.
pub fn kept_drafts() -> Vec<(String, String)> {
    let Some(storage) = storage() else {
        return Vec::new();
    };
    keys(&storage, DRAFT_PREFIX)
        .into_iter()
        .filter_map(|(key, id)| Some((id, storage.get_item(&key).ok().flatten()?)))
        .collect()
}

/// Keeps exactly these unsent replies (by conversation id) in this tab; an
/// empty one is not kept. A full storage keeps what it can, silently: the
/// replies are still on screen.
pub fn keep_drafts(drafts: &[(String, String)]) {
    let Some(storage) = storage() else {
        return;
    };
    for (key, id) in keys(&storage, DRAFT_PREFIX) {
        if !drafts
            .iter()
            .any(|(kept, text)| *kept == id && !text.is_empty())
        {
            let _ = storage.remove_item(&key);
        }
    }
    for (id, text) in drafts.iter().filter(|(_, text)| !text.is_empty()) {
        let key = [DRAFT_PREFIX, id].concat();
        if storage.get_item(&key).ok().flatten().as_ref() != Some(text) {
            let _ = storage.set_item(&key, text);
        }
    }
}
