//! The launcher: one button in its own shadow root, so the host page's CSS
//! cannot reach it and its CSS cannot leak out. Clicking it asks the page
//! script to load the conversation widget (the Yew app is fetched only then).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CssStyleSheet, Document, Element, ShadowRoot, ShadowRootInit, ShadowRootMode};

/// Marks the launcher's host element; also how a second copy of the script
/// notices the first and stays out of the way.
pub const HOST_ATTRIBUTE: &str = "data-touchpoint-launcher";

const STYLE: &str = ":host{all:initial;position:fixed;right:20px;bottom:20px;z-index:2147483000;\
font:15px/1.4 system-ui,sans-serif}\
button.launcher{all:unset;box-sizing:border-box;cursor:pointer;display:flex;align-items:center;gap:8px;\
padding:12px 18px;border-radius:999px;background:var(--touchpoint-accent,#1f4fd1);color:#fff;\
box-shadow:0 4px 14px rgba(0,0,0,.25)}\
button.launcher:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}\
:host([data-position=left]){right:auto;left:20px}";

/// Creates the launcher host, its shadow root and button; returns the shadow
/// root, where the widget later mounts its panel.
pub fn mount(
    document: &Document,
    label: &str,
    on_open: js_sys::Function,
) -> Result<ShadowRoot, JsValue> {
    let host = document.create_element("div")?;
    host.set_attribute(HOST_ATTRIBUTE, "")?;
    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;

    // A constructable stylesheet: works under a strict CSP (no inline style).
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(STYLE)?;
    shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));

    let button: Element = document.create_element("button")?;
    button.set_attribute("type", "button")?;
    button.set_attribute("class", "launcher")?;
    button.set_attribute("aria-haspopup", "dialog")?;
    button.set_text_content(Some(label));
    let root_for_click = shadow.clone();
    let click = Closure::<dyn FnMut()>::new(move || {
        let _ = on_open.call1(&JsValue::NULL, &root_for_click);
    });
    button.add_event_listener_with_callback("click", click.as_ref().unchecked_ref())?;
    // The launcher lives as long as the page: hand the closure to the JS GC.
    click.forget();
    shadow.append_child(&button)?;

    let body = document
        .body()
        .ok_or_else(|| JsValue::from_str("no body"))?;
    body.append_child(&host)?;
    Ok(shadow)
}
