//! The conversation panel. Loaded only when the visitor opens the launcher,
//! it mounts a Yew app inside the launcher's shadow root.

/// The in-browser classifier: the built-in model, or the site's own.
pub mod classifier;
/// The panel component.
pub mod panel;

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, ShadowRoot};
use yew::AppHandle;

use panel::Panel;

thread_local! {
    static MOUNTED: RefCell<Option<AppHandle<Panel>>> = const { RefCell::new(None) };
}

/// Opens the panel in `root`, replacing an earlier one.
pub fn open(root: &ShadowRoot) -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|window| window.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    if let Some(previous) = MOUNTED.with(|mounted| mounted.borrow_mut().take()) {
        previous.destroy();
    }
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(panel::STYLE)?;
    let sheets = root.adopted_style_sheets();
    if !sheets.includes(&sheet, 0) {
        sheets.push(&sheet);
        root.set_adopted_style_sheets(&sheets);
    }
    let container = document.create_element("div")?;
    container.set_attribute("data-touchpoint-panel", "")?;
    root.append_child(&container)?;
    let handle = yew::Renderer::<Panel>::with_root(container).render();
    MOUNTED.with(|mounted| *mounted.borrow_mut() = Some(handle));
    Ok(())
}
