//! Every `#[wasm_bindgen]` export lives here: the functions the script-tag
//! bootstrap, the npm package and the worker shim call. Each one catches its
//! errors so a failure never breaks the host page.

#[cfg(any(feature = "recorder", feature = "widget"))]
use alloc::string::String;
use wasm_bindgen::prelude::*;

#[cfg(feature = "recorder")]
use crate::domain::recorder::{PageFacts, Recorder, Start};

/// Whether this visit is recorded (see `domain::recorder::should_record`).
#[cfg(feature = "recorder")]
#[wasm_bindgen(js_name = shouldRecord)]
pub fn should_record(
    automated: bool,
    do_not_track: bool,
    record_automation: bool,
    skip_dnt_visitors: bool,
) -> bool {
    crate::domain::recorder::should_record(
        automated,
        do_not_track,
        record_automation,
        skip_dnt_visitors,
    )
}

// The recorder of the page. The page script (`www/page.js`) reads the page
// and the clock, calls these functions, and carries out what they decide:
// `takeBatch` / `waitMs` / `finished` for `fetch`, `hidden` / `takeBeacon` /
// `beaconSent` for `sendBeacon`, and `takeUnsaved` / `consent` for storage.
// Free functions over one recorder per page: an exported struct would add a
// reference-counted, borrow-checked wrapper to every call on every page.

#[cfg(feature = "recorder")]
struct PageRecorder(core::cell::RefCell<Option<Recorder>>);

// SAFETY: wasm32-unknown-unknown without atomics runs on one thread.
#[cfg(feature = "recorder")]
unsafe impl Sync for PageRecorder {}

#[cfg(feature = "recorder")]
static RECORDER: PageRecorder = PageRecorder(core::cell::RefCell::new(None));

/// Runs `f` on the page's recorder; nothing before `startRecording` (or
/// during a call into it, which cannot happen on one thread).
#[cfg(feature = "recorder")]
fn with_recorder<T: Default>(f: impl FnOnce(&mut Recorder) -> T) -> T {
    match RECORDER.0.try_borrow_mut() {
        Ok(mut recorder) => recorder.as_mut().map(f).unwrap_or_default(),
        Err(_) => T::default(),
    }
}

/// Starts recording the page: `seed` is 16 random bytes, `search`
/// `location.search` and `host` the page's host name. Records the first
/// page view.
#[cfg(feature = "recorder")]
#[wasm_bindgen(js_name = startRecording)]
#[allow(clippy::too_many_arguments)]
pub fn start_recording(
    site: &str,
    do_not_track: bool,
    seed: &[u8],
    language: &str,
    search: &str,
    host: &str,
    pathname: &str,
    hash: &str,
    title: &str,
    referrer: &str,
    viewport_width: u32,
    viewport_height: u32,
    now: f64,
) {
    let start = Start {
        site,
        do_not_track,
        seed,
        language,
    };
    let page = PageFacts {
        pathname,
        hash,
        title,
        referrer,
        viewport_width,
        viewport_height,
    };
    if let Ok(mut recorder) = RECORDER.0.try_borrow_mut() {
        *recorder = Some(Recorder::start(&start, &page, search, host, now));
    }
}

/// A view of the page as it is now: a single-page-app navigation
/// (`navigation`; nothing when the recorded path did not change), or
/// `page()` and back/forward-cache restores.
#[cfg(feature = "recorder")]
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn view(
    pathname: &str,
    hash: &str,
    title: &str,
    referrer: &str,
    viewport_width: u32,
    viewport_height: u32,
    now: f64,
    navigation: bool,
) {
    let page = PageFacts {
        pathname,
        hash,
        title,
        referrer,
        viewport_width,
        viewport_height,
    };
    if navigation {
        with_recorder(|r| r.navigated(&page, now));
    } else {
        with_recorder(|r| r.page_view(&page, now));
    }
}

/// What earlier pages kept with consent: the visitor id and unconfirmed batches.
#[cfg(feature = "recorder")]
#[wasm_bindgen]
pub fn restore(stored_visitor: Option<String>, stored_pending: Option<String>, now: f64) {
    with_recorder(|r| r.restore(stored_visitor.as_deref(), stored_pending.as_deref(), now));
}

/// The browser's IANA time zone, resolved when the page is idle.
#[cfg(feature = "recorder")]
#[wasm_bindgen(js_name = timeZone)]
pub fn time_zone(zone: &str) {
    with_recorder(|r| r.time_zone(zone));
}

/// Stages a property for the next `track` or `taggedClick`.
#[cfg(feature = "recorder")]
#[wasm_bindgen]
pub fn prop(key: &str, value: &str) {
    with_recorder(|r| r.prop(key, value));
}

/// A custom event from `track(name, props)`.
#[cfg(feature = "recorder")]
#[wasm_bindgen]
pub fn track(name: &str, now: f64) {
    with_recorder(|r| r.track(name, now));
}

/// A click on an element tagged `data-touchpoint-event="name"`.
#[cfg(feature = "recorder")]
#[wasm_bindgen(js_name = taggedClick)]
pub fn tagged_click(name: &str, now: f64) {
    with_recorder(|r| r.tagged_click(name, now));
}

/// A click on a link (`href` absolute); recorded if outbound or a download.
#[cfg(feature = "recorder")]
#[wasm_bindgen(js_name = linkClick)]
pub fn link_click(href: &str, host: &str, now: f64) -> bool {
    with_recorder(|r| r.link_click(href, host, now))
}

/// A form submission: id or name, named field count, action URL.
#[cfg(feature = "recorder")]
#[wasm_bindgen(js_name = formSubmitted)]
pub fn form_submitted(name: &str, fields: u32, action: &str, now: f64) {
    with_recorder(|r| r.form_submitted(name, fields, action, now));
}

/// The page is visible and focused now (`engaged`), or stopped being.
#[cfg(feature = "recorder")]
#[wasm_bindgen]
pub fn engagement(engaged: bool, now: f64) {
    with_recorder(|r| r.engagement(engaged, now));
}

/// The page was scrolled.
#[cfg(feature = "recorder")]
#[wasm_bindgen]
pub fn scrolled(scroll_y: f64, viewport_height: f64, page_height: f64) {
    with_recorder(|r| r.scrolled(scroll_y, viewport_height, page_height));
}

/// The page is hidden or left: batches wait for `takeBeacon`.
#[cfg(feature = "recorder")]
#[wasm_bindgen]
pub fn hidden(now: f64) {
    with_recorder(|r| r.hidden(now));
}

/// The next batch for `navigator.sendBeacon`.
#[cfg(feature = "recorder")]
#[wasm_bindgen(js_name = takeBeacon)]
pub fn take_beacon() -> Option<String> {
    with_recorder(|r| r.take_beacon())
}

/// Whether `sendBeacon` queued the last batch.
#[cfg(feature = "recorder")]
#[wasm_bindgen(js_name = beaconSent)]
pub fn beacon_sent(queued: bool, now: f64) {
    with_recorder(|r| r.beacon_sent(queued, now));
}

/// `flush()`: send what is waiting now.
#[cfg(feature = "recorder")]
#[wasm_bindgen]
pub fn flush(now: f64) {
    with_recorder(|r| r.flush(now));
}

/// The batch to `fetch` now, if one is due.
#[cfg(feature = "recorder")]
#[wasm_bindgen(js_name = takeBatch)]
pub fn take_batch(now: f64) -> Option<String> {
    with_recorder(|r| r.take_batch(now))
}

/// Milliseconds until the next batch is due; undefined when none waits.
#[cfg(feature = "recorder")]
#[wasm_bindgen(js_name = waitMs)]
pub fn wait_ms(now: f64) -> Option<f64> {
    with_recorder(|r| r.wait_ms(now))
}

/// The `fetch` answered `status` (0: network error).
#[cfg(feature = "recorder")]
#[wasm_bindgen]
pub fn finished(status: u16, random: f64, now: f64) {
    with_recorder(|r| r.finished(status, random, now));
}

/// With consent, what to store for the next page when it changed.
#[cfg(feature = "recorder")]
#[wasm_bindgen(js_name = takeUnsaved)]
pub fn take_unsaved() -> Option<String> {
    with_recorder(|r| r.take_unsaved())
}

/// The visitor's consent; returns the visitor id to store, or empty to
/// delete what is stored.
#[cfg(feature = "recorder")]
#[wasm_bindgen]
pub fn consent(granted: bool) -> String {
    with_recorder(|r| r.consent(granted))
}

/// The site's signed user id, for what is sent from now on.
#[cfg(feature = "recorder")]
#[wasm_bindgen]
pub fn identify(user_id: &str, hmac: &str, now: f64) {
    with_recorder(|r| r.identify(user_id, hmac, now));
}

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

/// The worker's scheduled handler: `scheduled(controller, env)` of the module
/// worker, run by the cron trigger. Resolves to a report of what it did.
#[cfg(feature = "edge")]
#[wasm_bindgen(js_name = handleScheduled)]
pub async fn handle_scheduled(env: JsValue, scheduled_time: f64) -> Result<JsValue, JsValue> {
    crate::edge::scheduled(env, scheduled_time as i64).await
}
