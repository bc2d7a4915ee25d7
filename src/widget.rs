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
/// The widget's words in six languages.
pub mod i18n;
/// The panel's root component and its state.
pub mod panel;
/// The open conversation, remembered across page loads.
pub mod session;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, ShadowRoot};
use yew::AppHandle;

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
}

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
    let config = Config {
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
