//! Every `#[wasm_bindgen]` export lives here: the functions the script-tag
//! bootstrap, the npm package and the worker shim call. Each one catches its
//! errors so a failure never breaks the host page.

use wasm_bindgen::prelude::*;

/// Starts the recorder and the launcher: records this page view and shows the
/// launcher button. `open_widget(shadowRoot)` is the page script's loader for
/// the widget; the recorder calls it when the visitor clicks the launcher.
/// Returns the promise of the page view's delivery.
#[cfg(feature = "recorder")]
#[wasm_bindgen(js_name = startRecorder)]
pub fn start_recorder(
    site: String,
    endpoint: String,
    launcher_label: String,
    open_widget: js_sys::Function,
) -> Result<js_sys::Promise, JsValue> {
    use crate::browser::{launcher, recorder};
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let document = window
        .document()
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let config = recorder::RecorderConfig {
        site,
        endpoint: endpoint.trim_end_matches('/').into(),
    };
    let view = recorder::page_view(&window)?;
    let delivery = recorder::send(&window, &config, &[view]);
    launcher::mount(&document, &launcher_label, open_widget)?;
    Ok(delivery)
}

/// Opens the conversation panel inside the launcher's shadow root.
#[cfg(feature = "widget")]
#[wasm_bindgen(js_name = openWidget)]
pub fn open_widget(root: web_sys::ShadowRoot) -> Result<(), JsValue> {
    crate::widget::open(&root)
}

/// Classifies and redacts `text` in the browser: topic, confidence, sentiment,
/// kind, expectation gap, urgency, language, spam, personal data found (UTF-16
/// spans) and the redacted text.
#[cfg(feature = "widget")]
#[wasm_bindgen]
pub fn classify(text: &str) -> Result<JsValue, JsError> {
    crate::widget::classifier::classify(text)
}

/// Redacts personal data: `{ redacted, pii: [{ kind, start, end }] }`.
#[cfg(feature = "widget")]
#[wasm_bindgen]
pub fn redact(text: &str) -> Result<JsValue, JsError> {
    crate::widget::classifier::redact(text)
}

/// Fetches the classifier model: the site's own from `siteUrl` when given,
/// else (or when that file is bad, with a console warning) the built-in model
/// file at `builtinUrl`; `rules` are the site's topic rules
/// (`[{ keyword, topic }]`). Resolves to whether the site's model is in use.
#[cfg(feature = "widget")]
#[wasm_bindgen(js_name = loadModel)]
pub async fn load_model(
    site_url: Option<String>,
    builtin_url: String,
    rules: JsValue,
) -> Result<bool, JsError> {
    crate::widget::classifier::load_model(site_url, builtin_url, rules).await
}

/// Uses a model whose bytes the page already has (e.g. bundled or cached).
#[cfg(feature = "widget")]
#[wasm_bindgen(js_name = setModel)]
pub fn set_model(bytes: &[u8], rules: JsValue) -> Result<(), JsError> {
    crate::widget::classifier::set_model(bytes, rules)
}

/// Mounts the staff console into `#console`.
#[cfg(feature = "console")]
#[wasm_bindgen(js_name = startConsole)]
pub fn start_console() -> Result<(), JsValue> {
    crate::console::start()
}

/// The worker's fetch handler: `fetch(request, env)` of the module worker.
#[cfg(feature = "edge")]
#[wasm_bindgen(js_name = handleFetch)]
pub async fn handle_fetch(
    request: web_sys::Request,
    env: JsValue,
) -> Result<web_sys::Response, JsValue> {
    crate::edge::handle(request, env).await
}
