//! Every `#[wasm_bindgen]` export lives here: the functions the widget's and
//! the console's page scripts and the worker shim call. Each one catches its
//! errors so a failure never breaks the host page. (The recorder has its own
//! small interface, in `recorder_abi`.)

#[cfg(feature = "widget")]
use alloc::string::String;
use wasm_bindgen::prelude::*;

/// Opens the conversation panel inside the launcher's shadow root, for
/// `config` = `{ site, endpoint, locale?, teams? }`.
#[cfg(feature = "widget")]
#[wasm_bindgen(js_name = openWidget)]
pub fn open_widget(root: web_sys::ShadowRoot, config: JsValue) -> Result<(), JsValue> {
    crate::widget::open(&root, config)
}

/// Follows the visitor's ongoing conversation without opening the panel: new
/// staff replies show as a badge on the launcher (and `unread` events).
#[cfg(feature = "widget")]
#[wasm_bindgen(js_name = followWidget)]
pub fn follow_widget(root: web_sys::ShadowRoot, config: JsValue) -> Result<(), JsValue> {
    crate::widget::follow(&root, config)
}

/// Closes the panel.
#[cfg(feature = "widget")]
#[wasm_bindgen(js_name = closeWidget)]
pub fn close_widget() {
    crate::widget::close()
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

/// Fetches the classifier model: the site's own from `site` when given (a
/// URL, or the script tag's settings: their `model`, else the worker's model
/// URL for their site), else (or when that file is bad, with a console
/// warning) the built-in model file at `builtinUrl`; `rules` are the site's
/// topic rules (`[{ keyword, topic }]`). Resolves to whether the site's model
/// is in use.
#[cfg(feature = "widget")]
#[wasm_bindgen(js_name = loadModel)]
pub async fn load_model(
    site_url: JsValue,
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

/// The worker's queue handler: attempts each named delivery; per id, the
/// seconds before the queue should retry it, or -1 when it is done.
#[cfg(feature = "edge")]
#[wasm_bindgen(js_name = handleDeliveries)]
pub async fn handle_deliveries(
    env: JsValue,
    ids: Vec<String>,
    now_ms: f64,
) -> Result<Vec<i32>, JsValue> {
    crate::edge::destinations::deliver_queued(env, ids, now_ms as i64).await
}

/// The worker's scheduled handler: `scheduled(controller, env)` of the module
/// worker, run by the cron trigger. Resolves to a report of what it did.
#[cfg(feature = "edge")]
#[wasm_bindgen(js_name = handleScheduled)]
pub async fn handle_scheduled(env: JsValue, scheduled_time: f64) -> Result<JsValue, JsValue> {
    crate::edge::scheduled(env, scheduled_time as i64).await
}
