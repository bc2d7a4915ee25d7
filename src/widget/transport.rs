//! The way out for a visitor's message: the page's `beforeSend` reviews the
//! classified interaction, and the site's own endpoint receives it (with the
//! `backend` setting; the worker's calls are in `api`).

use wasm_bindgen::{JsCast, JsValue};

use crate::domain::interaction::Verdict;
use crate::fetch::{call_json, Failure};
use crate::js_object as js;

/// The raw facts of the page the panel is on (`PageFacts`' fields):
/// pathname, query, title, referrer. `ClassifiedInteraction::new` keeps what
/// may leave.
pub fn page_facts() -> [String; 4] {
    let global = js_sys::global();
    let (location, document) = (js::get(&global, "location"), js::get(&global, "document"));
    [
        js::string(&location, "pathname"),
        js::string(&location, "search"),
        js::string(&document, "title"),
        js::string(&document, "referrer"),
    ]
    .map(Option::unwrap_or_default)
}

/// What the page's `beforeSend(payload)` makes of `payload`: what it returns
/// goes out (`undefined` sends the payload as the hook may have changed it).
/// `null` or `false` drops it, and so does a hook that throws: either way the
/// console says so, and `None` is answered.
pub fn review(hook: Option<&js_sys::Function>, payload: JsValue) -> Option<JsValue> {
    let Some(hook) = hook else {
        return Some(payload);
    };
    let returned = hook.call1(&JsValue::UNDEFINED, &payload);
    let answer = match &returned {
        Ok(value) if value.is_undefined() => None,
        Ok(value) => Some(!(value.is_null() || value.as_bool() == Some(false))),
        Err(_) => Some(false),
    };
    match (Verdict::of(answer), returned) {
        (Verdict::Send, Ok(value)) if !value.is_undefined() => Some(value),
        (Verdict::Send, _) => Some(payload),
        (Verdict::Drop, returned) => {
            let why = if returned.is_err() {
                "Touchpoint: beforeSend threw, so this message was not sent:"
            } else {
                "Touchpoint: beforeSend dropped this message; it was not sent:"
            };
            web_sys::console::warn_2(&why.into(), &returned.err().unwrap_or(payload));
            None
        }
    }
}

/// POSTs `payload` as JSON to the site's endpoint at `url`, with its
/// `headers` (an object of strings, or undefined).
pub async fn post(url: &str, headers: &JsValue, payload: &JsValue) -> Result<(), Failure> {
    let request_headers = web_sys::Headers::new().map_err(|_| Failure::Network)?;
    if headers.is_object() {
        for entry in js_sys::Object::entries(headers.unchecked_ref()).iter() {
            let entry: js_sys::Array = entry.unchecked_into();
            if let (Some(name), Some(value)) = (entry.get(0).as_string(), entry.get(1).as_string())
            {
                request_headers
                    .set(&name, &value)
                    .map_err(|_| Failure::Network)?;
            }
        }
    }
    call_json(url, "POST", "", Some(request_headers), None, Some(payload))
        .await
        .map(|_| ())
}
