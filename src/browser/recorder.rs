//! The recorder in the page: observes page views (including single-page-app
//! navigation and back/forward-cache restores), engagement, clicks and form
//! submissions, and delivers them through the `domain::delivery` outbox.
//! Kept free of serde and `core::fmt` because it ships on every page.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, RequestInit, Window};

use crate::domain::attribution::{attribute, campaign_of, host_of};
use crate::domain::clicks::link_kind;
use crate::domain::delivery::{backoff_ms, outcome, Limits, Outbox, Outcome, Pending};
use crate::domain::event::{Acquisition, BatchHeader, EventKind, PageContext, Touchpoint};
use crate::domain::ids::event_id;
use crate::domain::url_privacy::{clean_referrer, mask_path};

/// Where and for which site the recorder sends, and how.
pub struct RecorderConfig {
    /// The site's public key (`data-site`).
    pub site: String,
    /// Base URL of the Touchpoint worker (`data-endpoint`), without trailing slash.
    pub endpoint: String,
    /// Record even when the browser is automated (for the site's own tests).
    pub record_automation: bool,
    /// Record nothing at all for visitors with Do Not Track / GPC (instead of
    /// recording without identifiers).
    pub skip_dnt_visitors: bool,
}

/// Local-storage keys, used only with the visitor's consent.
const VISITOR_KEY: &str = "touchpoint.visitor";
const PENDING_KEY: &str = "touchpoint.pending";
/// How long events wait for company before a batch is sent.
const BATCH_DELAY_MS: i32 = 3000;

struct State {
    window: Window,
    config: RecorderConfig,
    url: String,
    do_not_track: bool,
    consent: bool,
    visitor: String,
    /// From `identify(userId, hmac)`; the edge trusts it only if the HMAC verifies.
    user: (String, String),
    outbox: Outbox,
    pending: Pending,
    in_flight: bool,
    attempt: u32,
    timer: Option<i32>,
    /// Path (and hash route) of the page being viewed, to notice SPA navigation.
    current_path: String,
    /// When the page became visible and focused (ms), while it is.
    engaged_since: Option<f64>,
    engaged_ms: f64,
    max_scroll: u32,
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

fn with_state<T>(f: impl FnOnce(&mut State) -> T) -> Option<T> {
    STATE.with(|cell| cell.borrow_mut().as_mut().map(f))
}

fn now() -> f64 {
    js_sys::Date::now()
}

fn random_bytes(window: &Window) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    if let Ok(crypto) = window.crypto() {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    bytes
}

thread_local! {
    static TIME_ZONE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The browser's IANA time zone, looked up once: building an
/// `Intl.DateTimeFormat` costs far more than recording an event.
fn time_zone() -> String {
    TIME_ZONE.with(|cell| {
        cell.borrow_mut()
            .get_or_insert_with(|| {
                let format = js_sys::Intl::DateTimeFormat::new(
                    &js_sys::Array::new(),
                    &js_sys::Object::new(),
                );
                js_sys::Reflect::get(&format.resolved_options(), &JsValue::from_str("timeZone"))
                    .ok()
                    .and_then(|zone| zone.as_string())
                    .unwrap_or_default()
            })
            .clone()
    })
}

fn number(value: Result<JsValue, JsValue>) -> f64 {
    value.ok().and_then(|v| v.as_f64()).unwrap_or(0.0)
}

fn get(target: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The page's path as recorded: masked, plus a `#/route` for hash routers.
fn current_path(window: &Window) -> String {
    let location = window.location();
    let mut path = mask_path(&location.pathname().unwrap_or_default());
    let hash = location.hash().unwrap_or_default();
    if hash.starts_with("#/") {
        let end = hash.bytes().position(|b| b == b'?').unwrap_or(hash.len());
        path.push_str(&mask_path(hash.get(..end).unwrap_or_default()));
    }
    path
}

/// The page as it is now.
fn page_context(window: &Window) -> PageContext {
    let document = window.document();
    PageContext {
        path: current_path(window),
        title: document.as_ref().map(|d| d.title()).unwrap_or_default(),
        referrer: clean_referrer(&document.map(|d| d.referrer()).unwrap_or_default()),
        viewport_width: number(window.inner_width()) as u32,
        viewport_height: number(window.inner_height()) as u32,
        language: window.navigator().language().unwrap_or_default(),
        time_zone: time_zone(),
    }
}

fn new_event(window: &Window, kind: EventKind) -> Touchpoint {
    Touchpoint {
        id: event_id(random_bytes(window)),
        kind,
        timestamp_ms: now() as u64,
        page: page_context(window),
        ..Touchpoint::default()
    }
}

/// Builds a page-view touchpoint for the page as it is now.
pub fn page_view(window: &Window) -> Result<Touchpoint, JsValue> {
    Ok(new_event(window, EventKind::PageView))
}

/// Whether the browser says "do not track" (DNT or Global Privacy Control).
fn asks_not_to_be_tracked(window: &Window) -> bool {
    let navigator: JsValue = window.navigator().into();
    get(&navigator, "doNotTrack").as_string().as_deref() == Some("1")
        || get(&navigator, "globalPrivacyControl").is_truthy()
}

fn storage(window: &Window) -> Option<web_sys::Storage> {
    window.local_storage().ok().flatten()
}

/// Starts recording: the first page view, listeners, and any batches kept
/// from an earlier page (with consent). Returns false when this visit is not
/// recorded (automation, or a DNT visitor on a site that skips them).
pub fn start(window: &Window, config: RecorderConfig) -> Result<bool, JsValue> {
    let automated = get(&window.navigator().into(), "webdriver").is_truthy();
    let do_not_track = asks_not_to_be_tracked(window);
    if (automated && !config.record_automation) || (do_not_track && config.skip_dnt_visitors) {
        return Ok(false);
    }
    let mut url = String::with_capacity(config.endpoint.len() + 10);
    url.push_str(&config.endpoint);
    url.push_str("/v1/events");
    // Consent was given on an earlier page if (and only if) a visitor id is stored.
    let visitor = if do_not_track {
        None
    } else {
        storage(window).and_then(|s| s.get_item(VISITOR_KEY).ok().flatten())
    };
    let pending = visitor
        .as_ref()
        .and_then(|_| storage(window)?.get_item(PENDING_KEY).ok().flatten())
        .map(|text| Pending::from_storage(&text))
        .unwrap_or_default();
    let state = State {
        window: window.clone(),
        config,
        url,
        do_not_track,
        consent: visitor.is_some(),
        visitor: visitor.unwrap_or_default(),
        user: (String::new(), String::new()),
        outbox: Outbox::new(Limits::default()),
        pending,
        in_flight: false,
        attempt: 0,
        timer: None,
        current_path: current_path(window),
        engaged_since: None,
        engaged_ms: 0.0,
        max_scroll: 0,
    };
    STATE.with(|cell| *cell.borrow_mut() = Some(state));
    listen(window)?;
    with_state(|s| {
        s.resume_engagement();
        let mut view = new_event(&s.window, EventKind::PageView);
        let location = s.window.location();
        let campaign = campaign_of(&location.search().unwrap_or_default());
        let host = location.hostname().unwrap_or_default();
        let acquisition = attribute(&campaign, &view.page.referrer, &host);
        view.acquisition = Some(Acquisition {
            channel: acquisition.channel.as_str(),
            source_name: acquisition.source_name,
            campaign,
        });
        s.enqueue(view);
        if !s.pending.is_empty() {
            s.send_next();
        }
    });
    Ok(true)
}

impl State {
    fn enqueue(&mut self, event: Touchpoint) {
        self.outbox.push(event);
        if self.outbox.should_send_now() {
            self.send_next();
        } else if self.timer.is_none() {
            self.schedule(BATCH_DELAY_MS);
        }
    }

    fn schedule(&mut self, delay_ms: i32) {
        if let Some(timer) = self.timer.take() {
            self.window.clear_timeout_with_handle(timer);
        }
        let callback = Closure::once_into_js(|| {
            with_state(|s| {
                s.timer = None;
                s.send_next();
            });
        });
        self.timer = self
            .window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.unchecked_ref(),
                delay_ms,
            )
            .ok();
    }

    /// Moves the outbox into encoded batches.
    fn seal_batches(&mut self) {
        let sent_at = now() as u64;
        let header = BatchHeader {
            site: &self.config.site,
            do_not_track: self.do_not_track,
            visitor: &self.visitor,
            user: &self.user.0,
            user_hmac: &self.user.1,
        };
        while let Some((body, events)) = self.outbox.take_batch(&header, sent_at) {
            let dropped = self.pending.push_back(events.len() as u32, body);
            self.outbox.count_dropped(dropped);
        }
    }

    /// Sends the next waiting batch with `fetch(keepalive)`, one at a time.
    fn send_next(&mut self) {
        if self.in_flight {
            return;
        }
        self.seal_batches();
        let Some((count, body)) = self.pending.pop_front() else {
            return;
        };
        self.in_flight = true;
        let init = RequestInit::new();
        init.set_method("POST");
        // web-sys has no setter for `keepalive`; set the dictionary field directly.
        let _ = js_sys::Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE);
        init.set_body(&JsValue::from_str(&body));
        let headers = js_sys::Object::new();
        // text/plain keeps the cross-origin request free of a CORS preflight.
        let _ = js_sys::Reflect::set(
            &headers,
            &JsValue::from_str("content-type"),
            &JsValue::from_str("text/plain;charset=UTF-8"),
        );
        init.set_headers(headers.unchecked_ref());
        let promise = self.window.fetch_with_str_and_init(&self.url, &init);
        let retry_body = body.clone();
        let on_response = Closure::once(move |response: JsValue| {
            let status = number(Ok(get(&response, "status"))) as u16;
            finish(status, count, body);
        });
        let on_error = Closure::once(move |_: JsValue| finish(0, count, retry_body));
        let _ = promise.then2(&on_response, &on_error);
        on_response.forget();
        on_error.forget();
    }

    /// On pagehide: hand everything left to `sendBeacon`, which outlives the
    /// page. A beacon is never confirmed, so with consent each batch is also
    /// kept on the device and sent again (confirmed) from the next page; the
    /// edge stores each event id once, so the resend costs nothing but bytes.
    fn send_all_by_beacon(&mut self) {
        self.seal_batches();
        let navigator = self.window.navigator();
        let mut kept = Pending::default();
        while let Some((count, body)) = self.pending.pop_front() {
            let queued = navigator
                .send_beacon_with_opt_str(&self.url, Some(&body))
                .unwrap_or(false);
            if !queued || self.consent {
                let dropped = kept.push_back(count, body);
                self.outbox.count_dropped(dropped);
            }
        }
        self.pending = kept;
        self.persist();
    }

    /// With consent, keeps waiting batches for the next page.
    fn persist(&self) {
        if !self.consent {
            return;
        }
        if let Some(storage) = storage(&self.window) {
            let _ = if self.pending.is_empty() {
                storage.remove_item(PENDING_KEY)
            } else {
                storage.set_item(PENDING_KEY, &self.pending.to_storage())
            };
        }
    }

    fn resume_engagement(&mut self) {
        let document = self.window.document();
        let visible = document.as_ref().is_some_and(|d| !d.hidden());
        let focused = document.and_then(|d| d.has_focus().ok()).unwrap_or(true);
        if visible && focused && self.engaged_since.is_none() {
            self.engaged_since = Some(now());
        }
    }

    fn pause_engagement(&mut self) {
        if let Some(since) = self.engaged_since.take() {
            self.engaged_ms += (now() - since).max(0.0);
        }
    }

    fn note_scroll(&mut self) {
        let Some(root) = self.window.document().and_then(|d| d.document_element()) else {
            return;
        };
        let height = f64::from(root.scroll_height());
        if height > 0.0 {
            let seen = number(self.window.scroll_y().map(JsValue::from))
                + number(self.window.inner_height());
            let percent = ((seen / height) * 100.0).clamp(0.0, 100.0) as u32;
            self.max_scroll = self.max_scroll.max(percent);
        }
    }

    /// Reports engaged time and scroll depth of the page being left or hidden.
    fn report_engagement(&mut self) {
        self.pause_engagement();
        self.note_scroll();
        if self.engaged_ms >= 1.0 {
            let mut event = new_event(&self.window, EventKind::Engagement);
            event.page.path = self.current_path.clone();
            event.engaged_ms = self.engaged_ms as u64;
            event.scroll_percent = self.max_scroll;
            self.outbox.push(event);
        }
        self.engaged_ms = 0.0;
    }

    /// A single-page-app navigation: report the page left, record the new one.
    fn navigated(&mut self) {
        let path = current_path(&self.window);
        if path == self.current_path {
            return;
        }
        self.report_engagement();
        self.current_path = path;
        self.max_scroll = 0;
        self.resume_engagement();
        let view = new_event(&self.window, EventKind::PageView);
        self.enqueue(view);
    }

    fn clicked(&mut self, target: JsValue) {
        let Ok(element) = target.dyn_into::<Element>() else {
            return;
        };
        if let Ok(Some(tagged)) = element.closest("[data-touchpoint-event]") {
            let mut event = new_event(&self.window, EventKind::Click);
            event.name = tagged
                .get_attribute("data-touchpoint-event")
                .unwrap_or_default();
            for name in tagged
                .get_attribute_names()
                .iter()
                .filter_map(|n| n.as_string())
            {
                if let Some(key) = name.strip_prefix("data-touchpoint-") {
                    if key != "event" {
                        event
                            .props
                            .push((key.into(), tagged.get_attribute(&name).unwrap_or_default()));
                    }
                }
            }
            self.enqueue(event);
            return;
        }
        let Ok(Some(link)) = element.closest("a[href]") else {
            return;
        };
        let href = get(&link, "href").as_string().unwrap_or_default();
        let host = self.window.location().hostname().unwrap_or_default();
        if let Some(kind) = link_kind(&href, &host) {
            let mut event = new_event(&self.window, EventKind::Click);
            event.name = kind.into();
            event.target = clean_referrer(&href);
            self.enqueue(event);
        }
    }

    fn submitted(&mut self, target: JsValue) {
        let Ok(form) = target.dyn_into::<Element>() else {
            return;
        };
        let mut event = new_event(&self.window, EventKind::FormSubmit);
        event.name = form
            .get_attribute("id")
            .filter(|id| !id.is_empty())
            .or_else(|| form.get_attribute("name"))
            .unwrap_or_default();
        // Named fields only; values are never read.
        event.fields = form
            .query_selector_all("input[name]:not([type=submit]):not([type=button]):not([type=hidden]),select[name],textarea[name]")
            .map(|list| list.length())
            .unwrap_or(0);
        event.target = host_of(&get(&form, "action").as_string().unwrap_or_default()).into();
        self.enqueue(event);
    }
}

/// A fetch finished with `status` (0: network error).
fn finish(status: u16, count: u32, body: String) {
    with_state(|s| {
        s.in_flight = false;
        match outcome(status) {
            Outcome::Delivered => {
                s.attempt = 0;
                s.persist();
                if !s.pending.is_empty() || !s.outbox.is_empty() {
                    s.send_next();
                }
            }
            Outcome::Retry => {
                let dropped = s.pending.push_front(count, body);
                s.outbox.count_dropped(dropped);
                s.attempt += 1;
                s.persist();
                let delay = backoff_ms(s.attempt, js_sys::Math::random());
                s.schedule(delay.min(i32::MAX as u64) as i32);
            }
            Outcome::Refused => {
                s.outbox.count_dropped(count);
                s.persist();
            }
        }
    });
}

/// One listener for every event the recorder watches.
fn listen(window: &Window) -> Result<(), JsValue> {
    let handler = Closure::<dyn FnMut(Event)>::new(|event: Event| {
        let kind = event.type_();
        with_state(|s| match kind.as_str() {
            "click" => s.clicked(event.target().map(JsValue::from).unwrap_or_default()),
            "submit" => s.submitted(event.target().map(JsValue::from).unwrap_or_default()),
            "scroll" => s.note_scroll(),
            "focus" => s.resume_engagement(),
            "blur" => s.pause_engagement(),
            "popstate" | "hashchange" => s.navigated(),
            // Restored from the back/forward cache: a new view of the page.
            "pageshow" if get(&event, "persisted").is_truthy() => {
                s.resume_engagement();
                let view = new_event(&s.window, EventKind::PageView);
                s.enqueue(view);
            }
            "visibilitychange" => {
                if s.window.document().is_some_and(|d| d.hidden()) {
                    s.report_engagement();
                    s.send_all_by_beacon();
                } else {
                    s.resume_engagement();
                }
            }
            "pagehide" => {
                s.report_engagement();
                s.send_all_by_beacon();
            }
            _ => {}
        });
    });
    let target: &web_sys::EventTarget = window.as_ref();
    let function = handler.as_ref().unchecked_ref();
    for name in [
        "scroll",
        "focus",
        "blur",
        "popstate",
        "hashchange",
        "pageshow",
        "pagehide",
    ] {
        target.add_event_listener_with_callback(name, function)?;
    }
    if let Some(document) = window.document() {
        for name in ["click", "submit", "visibilitychange"] {
            // Capture phase: the page cannot stop these from reaching us.
            document.add_event_listener_with_callback_and_bool(name, function, true)?;
        }
    }
    // Lives as long as the page.
    handler.forget();
    patch_history(window)
}

/// Wraps `history.pushState` and `replaceState` so single-page-app
/// navigations are page views too.
fn patch_history(window: &Window) -> Result<(), JsValue> {
    let history: JsValue = window.history()?.into();
    for method in ["pushState", "replaceState"] {
        let original: js_sys::Function = get(&history, method).dyn_into()?;
        let this = history.clone();
        let wrapper =
            Closure::<dyn FnMut(JsValue, JsValue, JsValue) -> Result<JsValue, JsValue>>::new(
                move |state: JsValue, unused: JsValue, url: JsValue| {
                    let result = original.call3(&this, &state, &unused, &url);
                    with_state(State::navigated);
                    result
                },
            );
        js_sys::Reflect::set(&history, &JsValue::from_str(method), wrapper.as_ref())?;
        wrapper.forget();
    }
    Ok(())
}

/// Records a custom event from the page's `track(name, props)`.
pub fn track(name: String, props: &JsValue) {
    with_state(|s| {
        let mut event = new_event(&s.window, EventKind::Custom);
        event.name = name;
        if props.is_object() {
            for key in js_sys::Object::keys(props.unchecked_ref::<js_sys::Object>()).iter() {
                let value = get(props, &key.as_string().unwrap_or_default());
                let text = value
                    .as_string()
                    .or_else(|| {
                        value.as_f64().map(|n| {
                            let mut out = String::new();
                            crate::domain::json::push_u64(&mut out, n as u64);
                            out
                        })
                    })
                    .or_else(|| {
                        value
                            .as_bool()
                            .map(|b| if b { "true".into() } else { "false".into() })
                    });
                if let (Some(key), Some(text)) = (key.as_string(), text) {
                    event.props.push((key, text));
                }
            }
        }
        s.enqueue(event);
    });
}

/// Records a page view on the page's request (`page()`), e.g. after a
/// navigation the recorder cannot see.
pub fn page() {
    with_state(|s| {
        s.current_path = current_path(&s.window);
        let view = new_event(&s.window, EventKind::PageView);
        s.enqueue(view);
    });
}

/// Sends everything waiting now.
pub fn flush() {
    with_state(|s| s.send_next());
}

/// The visitor's consent: `granted` stores a random visitor id (and waiting
/// batches across pages); `denied` deletes both.
pub fn consent(granted: bool) {
    with_state(|s| {
        let Some(storage) = storage(&s.window) else {
            return;
        };
        if granted && !s.do_not_track {
            if s.visitor.is_empty() {
                s.visitor = event_id(random_bytes(&s.window));
            }
            let _ = storage.set_item(VISITOR_KEY, &s.visitor);
            s.consent = true;
            s.persist();
        } else {
            let _ = storage.remove_item(VISITOR_KEY);
            let _ = storage.remove_item(PENDING_KEY);
            s.visitor.clear();
            s.consent = false;
        }
    });
}

/// Attaches the site's signed user id to what is sent from now on.
pub fn identify(user_id: String, hmac: String) {
    with_state(|s| {
        // Events recorded before identify() go out under the old identity.
        s.seal_batches();
        s.user = (user_id, hmac);
    });
}
