//! The way out for a visitor's message: the page's `beforeSend` reviews the
//! classified interaction, and the site's own endpoint receives it (with the
//! `backend` setting; the worker's calls are in `api`).

use wasm_bindgen::{JsCast, JsValue};

use crate::domain::interaction::Verdict;
use crate::fetch::{call_json, Failure};
use crate::js_object as js;

// In JavaScript: the few lines it takes there would be a dozen js-sys
// imports from Rust (the build inlines this into the widget's glue).
#[wasm_bindgen::prelude::wasm_bindgen(inline_js = "export function reviewed(hook, payload, ms) {\
  return Promise.race([Promise.resolve(payload).then(hook),\
    new Promise((_, reject) => setTimeout(reject, ms, 'no answer in ' + ms / 1000 + ' s'))]); }")]
extern "C" {
    /// `hook(payload)` in a microtask (a throw becomes a rejection, a
    /// returned promise is awaited), rejected after `ms` without an answer.
    fn reviewed(hook: &js_sys::Function, payload: &JsValue, ms: i32) -> js_sys::Promise;
}

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

/// How long an asynchronous `beforeSend` may take before the message is
/// kept unsent, as when it rejects.
const REVIEW_TIMEOUT_MS: i32 = 5000;

/// What the page's `beforeSend(payload)` makes of `payload`, awaited when it
/// returns a promise: what it gives goes out (`undefined` sends the payload
/// as the hook may have changed it); `null` or `false` drops it (`Ok(None)`,
/// logged). A hook that throws, rejects or does not settle within 5 s is
/// `Err`: nothing unreviewed leaves, and the message stays in the panel to
/// be sent again (logged).
pub async fn review(
    hook: Option<&js_sys::Function>,
    payload: JsValue,
) -> Result<Option<JsValue>, ()> {
    let Some(hook) = hook else {
        return Ok(Some(payload));
    };
    let value =
        match wasm_bindgen_futures::JsFuture::from(reviewed(hook, &payload, REVIEW_TIMEOUT_MS))
            .await
        {
            Ok(value) => value,
            Err(reason) => {
                web_sys::console::warn_2(
                    &"Touchpoint: beforeSend failed; the message stays unsent in the panel:".into(),
                    &reason,
                );
                return Err(());
            }
        };
    let answer =
        (!value.is_undefined()).then(|| !(value.is_null() || value.as_bool() == Some(false)));
    match Verdict::of(answer) {
        Verdict::Send if answer.is_some() => Ok(Some(value)),
        Verdict::Send => Ok(Some(payload)),
        Verdict::Drop => {
            web_sys::console::warn_2(
                &"Touchpoint: beforeSend dropped this message; it was not sent:".into(),
                &payload,
            );
            Ok(None)
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
