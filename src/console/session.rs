//! The console session: the staff token, kept in `sessionStorage` while the
//! tab is open (never in the URL), for 12 hours after sign-in.

/// Where the token lives while the tab is open.
const TOKEN_KEY: &str = "touchpoint:staff-token";
/// When the console session ends (ms since the epoch).
const EXPIRES_KEY: &str = "touchpoint:staff-session-expires";
const SESSION_MS: f64 = 12.0 * 3_600_000.0;

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

/// Ends the session in this tab.
pub fn forget() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(TOKEN_KEY);
        let _ = storage.remove_item(EXPIRES_KEY);
    }
}
