//! Records touchpoints and sends them to the edge. Kept free of serde and
//! `core::fmt` because it ships on every page (see `domain::json`).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{RequestInit, Window};

use crate::domain::event::{
    encode_batch, referrer_without_query, EventKind, PageContext, Touchpoint,
};
use crate::domain::ids::event_id;

/// Where and for which site the recorder sends.
pub struct RecorderConfig {
    /// The site's public key (`data-site`).
    pub site: String,
    /// Base URL of the Touchpoint worker (`data-endpoint`), without trailing slash.
    pub endpoint: String,
}

/// Reads 16 random bytes from the browser's CSPRNG.
fn random_bytes(window: &Window) -> Result<[u8; 16], JsValue> {
    let mut bytes = [0u8; 16];
    window
        .crypto()?
        .get_random_values_with_u8_array(&mut bytes)?;
    Ok(bytes)
}

fn time_zone() -> String {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &JsValue::from_str("timeZone"))
        .ok()
        .and_then(|zone| zone.as_string())
        .unwrap_or_default()
}

fn viewport_dimension(value: Result<JsValue, JsValue>) -> u32 {
    value
        .ok()
        .and_then(|v| v.as_f64())
        .map(|v| v as u32)
        .unwrap_or(0)
}

/// Builds a page-view touchpoint for the page as it is now.
pub fn page_view(window: &Window) -> Result<Touchpoint, JsValue> {
    let document = window
        .document()
        .ok_or_else(|| JsValue::from_str("no document"))?;
    Ok(Touchpoint {
        id: event_id(random_bytes(window)?),
        kind: EventKind::PageView,
        timestamp_ms: js_sys::Date::now() as u64,
        page: PageContext {
            path: window.location().pathname()?,
            title: document.title(),
            referrer: referrer_without_query(&document.referrer()),
            viewport_width: viewport_dimension(window.inner_width()),
            viewport_height: viewport_dimension(window.inner_height()),
            language: window.navigator().language().unwrap_or_default(),
            time_zone: time_zone(),
        },
    })
}

/// Posts one batch with `fetch(keepalive)` so it survives the page unloading.
/// `text/plain` keeps the cross-origin request free of a CORS preflight.
pub fn send(window: &Window, config: &RecorderConfig, events: &[Touchpoint]) -> js_sys::Promise {
    let body = encode_batch(&config.site, js_sys::Date::now() as u64, 0, events);
    let init = RequestInit::new();
    init.set_method("POST");
    // web-sys has no setter for `keepalive`; set the dictionary field directly.
    let _ = js_sys::Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE);
    init.set_body(&JsValue::from_str(&body));
    let headers = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &headers,
        &JsValue::from_str("content-type"),
        &JsValue::from_str("text/plain;charset=UTF-8"),
    );
    init.set_headers(headers.unchecked_ref());
    let mut url = String::with_capacity(config.endpoint.len() + 10);
    url.push_str(&config.endpoint);
    url.push_str("/v1/events");
    window.fetch_with_str_and_init(&url, &init)
}
