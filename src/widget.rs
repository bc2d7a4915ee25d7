//! The conversation panel. Loaded only when the visitor opens the launcher,
//! it mounts a Yew app inside the launcher's shadow root.

/// The page's settings, the worker's answers and the request bodies, as JSON.
pub mod answers;
/// The visitor API, one function per endpoint.
pub mod api;
/// The in-browser classifier: the built-in model, or the site's own.
pub mod classifier;
/// The panel's parts: small components drawn from their props.
pub mod components;
/// The panel's hooks: the page's events, availability, polling.
pub mod hooks;
/// The widget's words in seven languages.
pub mod i18n;
/// The panel's root component and its state.
pub mod panel;
/// The open conversation, remembered across page loads.
pub mod session;
/// The page's `beforeSend`, and the site's own endpoint (`backend`).
pub mod transport;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CssStyleSheet, ShadowRoot};
use yew::AppHandle;

use crate::domain::interaction::Transport;
use panel::{Panel, PanelProps};

/// The widget's settings, from the script tag, `init()` or `open(config)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub site: String,
    pub endpoint: String,
    /// BCP 47 tag; the page's `lang` or the browser's language when not set.
    pub locale: String,
    /// Only these teams appear (all visible teams when not set).
    pub teams: Option<Vec<String>>,
    /// `identify(userId, hmac)`: a visitor the site vouches for sees their
    /// conversations on any device.
    pub user: Option<crate::domain::conversation::Identity>,
    /// Where messages go: the worker (a live thread), or the site's own
    /// endpoint (`backend`: a classified contact form answered by e-mail).
    pub transport: Transport,
    /// Request headers for the site's endpoint (`backendHeaders`): an object
    /// of strings.
    pub backend_headers: JsValue,
    /// The page's `beforeSend(payload)`: sees each classified interaction
    /// before it leaves, may change it or drop it.
    pub before_send: Option<js_sys::Function>,
}

// The panel alone in its wasm: lol_alloc's free list (sorted, coalescing)
// instead of dlmalloc, 3 KB brotli less of the download; the panel's
// allocations are small and few (a render, a classification per keystroke).
// With the console or the worker in the same build, dlmalloc stays.
#[cfg(all(
    target_arch = "wasm32",
    not(any(feature = "recorder", feature = "console", feature = "edge"))
))]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32-unknown-unknown without atomics runs on one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

thread_local! {
    static MOUNTED: RefCell<Option<AppHandle<Panel>>> = const { RefCell::new(None) };
}

fn page_locale() -> String {
    let window = web_sys::window();
    let from_page = window
        .as_ref()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"))
        .filter(|l| !l.is_empty());
    from_page
        .or_else(|| window.and_then(|w| w.navigator().language()))
        .unwrap_or_else(|| "en".into())
}

/// Opens the panel in `root` (mounting it on first use).
pub fn open(root: &ShadowRoot, config: JsValue) -> Result<(), JsValue> {
    if panel::set_open(true) {
        return Ok(());
    }
    mount(root, config, true)
}

/// Follows an ongoing conversation without opening the panel: new staff
/// replies show as a badge on the launcher.
pub fn follow(root: &ShadowRoot, config: JsValue) -> Result<(), JsValue> {
    if MOUNTED.with(|mounted| mounted.borrow().is_some()) {
        return Ok(());
    }
    mount(root, config, false)
}

/// Closes the panel (it keeps following the conversation).
pub fn close() {
    panel::set_open(false);
}

/// `backendHeaders`: an object, or its JSON text (the script tag's
/// `data-backend-headers`); an object of strings either way.
fn backend_headers(value: JsValue) -> Result<JsValue, JsValue> {
    let value = match value.as_string() {
        Some(text) => js_sys::JSON::parse(&text).unwrap_or(JsValue::NULL),
        None if value.is_undefined() || value.is_null() => return Ok(JsValue::UNDEFINED),
        None => value,
    };
    if value.is_object() && !js_sys::Array::is_array(&value) {
        Ok(value)
    } else {
        Err(js_sys::TypeError::new(
            "Touchpoint: `backendHeaders` (data-backend-headers) must be a JSON object of strings",
        )
        .into())
    }
}

fn mount(root: &ShadowRoot, config: JsValue, start_open: bool) -> Result<(), JsValue> {
    use crate::js_object as js;
    let required = |key: &str| {
        js::string(&config, key).ok_or_else(|| {
            let mut message = String::from("Touchpoint: the widget's settings need a `");
            message.push_str(key);
            message.push_str("` string");
            JsValue::from(js_sys::TypeError::new(&message))
        })
    };
    let backend = js::string(&config, "backend");
    let transport = Transport::choose(backend.as_deref()).map_err(|_| {
        JsValue::from(js_sys::TypeError::new(
            "Touchpoint: `backend` (data-backend) must be an https:// URL",
        ))
    })?;
    let config = Config {
        transport,
        backend_headers: backend_headers(js::get(&config, "backendHeaders"))?,
        before_send: js::get(&config, "beforeSend").dyn_into().ok(),
        site: required("site")?,
        endpoint: required("endpoint")?,
        locale: js::string(&config, "locale")
            .filter(|l| !l.is_empty())
            .unwrap_or_else(page_locale),
        teams: js::strings(&config, "teams"),
        user: answers::identity(&js::get(&config, "user")),
    };
    let document = web_sys::window()
        .and_then(|window| window.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    if let Some(previous) = MOUNTED.with(|mounted| mounted.borrow_mut().take()) {
        previous.destroy();
    }
    if let Ok(Some(old)) = root.query_selector("[data-touchpoint-panel]") {
        old.remove();
    }
    // A constructable stylesheet: works under a strict CSP (no inline style).
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(panel::STYLE)?;
    let sheets = root.adopted_style_sheets();
    sheets.push(&sheet);
    root.set_adopted_style_sheets(&sheets);
    let container = document.create_element("div")?;
    container.set_attribute("data-touchpoint-panel", "")?;
    root.append_child(&container)?;
    let props = PanelProps {
        config: Rc::new(config),
        root: root.clone(),
        start_open,
    };
    let handle = yew::Renderer::<Panel>::with_root_and_props(container, props).render();
    MOUNTED.with(|mounted| *mounted.borrow_mut() = Some(handle));
    Ok(())
}
