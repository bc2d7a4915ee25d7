//! Every `#[wasm_bindgen]` export lives here: the functions the script-tag
//! bootstrap, the npm package and the worker shim call. Each one catches its
//! errors so a failure never breaks the host page.

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

/// The recorder of one page. The page script (`www/page.js`) reads the page
/// and the clock, calls these methods, and carries out what they decide:
/// `takeBatch` / `waitMs` / `finished` for `fetch`, `hidden` / `takeBeacon` /
/// `beaconSent` for `sendBeacon`, and `takeUnsaved` / `consent` for storage.
#[cfg(feature = "recorder")]
#[wasm_bindgen]
pub struct PageRecorder(Recorder);

#[cfg(feature = "recorder")]
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
impl PageRecorder {
    /// Starts recording the page: `stored_visitor` / `stored_pending` are what
    /// an earlier page kept with consent, `seed` 16 random bytes, `search`
    /// `location.search` and `host` the page's host name. Records the first
    /// page view.
    #[wasm_bindgen(constructor)]
    pub fn new(
        site: &str,
        do_not_track: bool,
        stored_visitor: Option<String>,
        stored_pending: Option<String>,
        seed: &[u8],
        language: &str,
        time_zone: &str,
        search: &str,
        host: &str,
        pathname: &str,
        hash: &str,
        title: &str,
        referrer: &str,
        viewport_width: u32,
        viewport_height: u32,
        now: f64,
    ) -> PageRecorder {
        let start = Start {
            site,
            do_not_track,
            stored_visitor: stored_visitor.as_deref(),
            stored_pending: stored_pending.as_deref(),
            seed,
            language,
            time_zone,
        };
        let page = PageFacts {
            pathname,
            hash,
            title,
            referrer,
            viewport_width,
            viewport_height,
        };
        PageRecorder(Recorder::start(&start, &page, search, host, now))
    }

    /// A single-page-app navigation to the page as it is now.
    pub fn navigated(
        &mut self,
        pathname: &str,
        hash: &str,
        title: &str,
        referrer: &str,
        viewport_width: u32,
        viewport_height: u32,
        now: f64,
    ) {
        let page = PageFacts {
            pathname,
            hash,
            title,
            referrer,
            viewport_width,
            viewport_height,
        };
        self.0.navigated(&page, now);
    }

    /// A page view of the page as it is now (`page()`, back/forward cache).
    #[wasm_bindgen(js_name = pageView)]
    pub fn page_view(
        &mut self,
        pathname: &str,
        hash: &str,
        title: &str,
        referrer: &str,
        viewport_width: u32,
        viewport_height: u32,
        now: f64,
    ) {
        let page = PageFacts {
            pathname,
            hash,
            title,
            referrer,
            viewport_width,
            viewport_height,
        };
        self.0.page_view(&page, now);
    }

    /// Stages a property for the next `track` or `taggedClick`.
    pub fn prop(&mut self, key: &str, value: &str) {
        self.0.prop(key, value);
    }

    /// A custom event from `track(name, props)`.
    pub fn track(&mut self, name: &str, now: f64) {
        self.0.track(name, now);
    }

    /// A click on an element tagged `data-touchpoint-event="name"`.
    #[wasm_bindgen(js_name = taggedClick)]
    pub fn tagged_click(&mut self, name: &str, now: f64) {
        self.0.tagged_click(name, now);
    }

    /// A click on a link (`href` absolute); recorded if outbound or a download.
    #[wasm_bindgen(js_name = linkClick)]
    pub fn link_click(&mut self, href: &str, host: &str, now: f64) -> bool {
        self.0.link_click(href, host, now)
    }

    /// A form submission: id or name, named field count, action URL.
    #[wasm_bindgen(js_name = formSubmitted)]
    pub fn form_submitted(&mut self, name: &str, fields: u32, action: &str, now: f64) {
        self.0.form_submitted(name, fields, action, now);
    }

    /// The page is visible and focused now (`engaged`), or stopped being.
    pub fn engagement(&mut self, engaged: bool, now: f64) {
        self.0.engagement(engaged, now);
    }

    /// The page was scrolled.
    pub fn scrolled(&mut self, scroll_y: f64, viewport_height: f64, page_height: f64) {
        self.0.scrolled(scroll_y, viewport_height, page_height);
    }

    /// The page is hidden or left: batches wait for `takeBeacon`.
    pub fn hidden(&mut self, now: f64) {
        self.0.hidden(now);
    }

    /// The next batch for `navigator.sendBeacon`.
    #[wasm_bindgen(js_name = takeBeacon)]
    pub fn take_beacon(&mut self) -> Option<String> {
        self.0.take_beacon()
    }

    /// Whether `sendBeacon` queued the last batch.
    #[wasm_bindgen(js_name = beaconSent)]
    pub fn beacon_sent(&mut self, queued: bool, now: f64) {
        self.0.beacon_sent(queued, now);
    }

    /// `flush()`: send what is waiting now.
    pub fn flush(&mut self, now: f64) {
        self.0.flush(now);
    }

    /// The batch to `fetch` now, if one is due.
    #[wasm_bindgen(js_name = takeBatch)]
    pub fn take_batch(&mut self, now: f64) -> Option<String> {
        self.0.take_batch(now)
    }

    /// Milliseconds until the next batch is due; undefined when none waits.
    #[wasm_bindgen(js_name = waitMs)]
    pub fn wait_ms(&self, now: f64) -> Option<f64> {
        self.0.wait_ms(now)
    }

    /// The `fetch` answered `status` (0: network error).
    pub fn finished(&mut self, status: u16, random: f64, now: f64) {
        self.0.finished(status, random, now);
    }

    /// With consent, what to store for the next page when it changed.
    #[wasm_bindgen(js_name = takeUnsaved)]
    pub fn take_unsaved(&mut self) -> Option<String> {
        self.0.take_unsaved()
    }

    /// The visitor's consent; returns the visitor id to store, or empty to
    /// delete what is stored.
    pub fn consent(&mut self, granted: bool) -> String {
        self.0.consent(granted)
    }

    /// The site's signed user id, for what is sent from now on.
    pub fn identify(&mut self, user_id: &str, hmac: &str, now: f64) {
        self.0.identify(user_id, hmac, now);
    }
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
