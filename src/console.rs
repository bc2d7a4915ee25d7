//! The staff console: a Yew app served by the worker at `/console/`.

/// The staff API, one function per endpoint.
pub mod api;
/// The console's root component: sign-in, inbox, conversation, journey.
pub mod app;
/// The console's parts: small components drawn from their props.
pub mod components;
/// The console's hooks: refresh, colleagues, title, keyboard shortcuts.
pub mod hooks;
/// The insights page: SVG charts, tables and CSV.
pub mod insights;
/// Live sockets: pushed messages, claims, inbox changes and typing.
pub mod live;
/// The staff token, kept in this tab for 12 hours.
pub mod session;
/// Settings for a site's admins: team hours, routing, staff accounts.
pub mod settings;
/// The staff API's data and the console's state.
pub mod state;

use wasm_bindgen::prelude::*;

/// Mounts the console into the element with id `console`.
pub fn start() -> Result<(), JsValue> {
    let root = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id("console"))
        .ok_or_else(|| JsValue::from_str("no #console element"))?;
    yew::Renderer::<app::ConsoleApp>::with_root(root).render();
    Ok(())
}
