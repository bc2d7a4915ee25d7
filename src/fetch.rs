//! JSON calls to the worker from the browser apps (widget and console), with
//! `fetch`. Bodies are written and answers parsed by the browser's own `JSON`,
//! so the apps carry no JSON library of their own. The console maps them to
//! its types with serde-wasm-bindgen; the widget reads them field by field
//! (`js_object`), which keeps serde out of its download.

#[cfg(feature = "console")]
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Why a call did not work, in terms the panel can explain.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// No answer (offline, blocked): worth retrying.
    Network,
    /// The worker answered with an error.
    Api {
        status: u16,
        code: String,
        message: String,
    },
}

impl Failure {
    /// Whether the conversation token no longer opens the conversation.
    pub fn is_gone(&self) -> bool {
        matches!(
            self,
            Failure::Api {
                status: 401 | 404,
                ..
            }
        )
    }
}

/// Calls `method path` on the worker at `base` (empty: this origin); `token`
/// is the bearer credential (a visitor or staff token). The answer is mapped
/// to `T` with serde.
#[cfg(feature = "console")]
pub async fn call<T: DeserializeOwned>(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&impl Serialize>,
) -> Result<T, Failure> {
    let body = match body {
        Some(body) => Some(
            body.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
                .map_err(|_| Failure::Network)?,
        ),
        None => None,
    };
    let value = call_json(base, method, path, None, token, body.as_ref()).await?;
    serde_wasm_bindgen::from_value(value).map_err(|e| Failure::Api {
        status: 0,
        code: "unexpected_answer".into(),
        message: e.to_string(),
    })
}

/// A fresh id for a message (`prefix` and 16 random bytes), sent with it so
/// that sending again after a failure stores it once.
pub fn client_id(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    let mut id = String::from(prefix);
    id.push_str(&crate::domain::ids::event_id(bytes));
    id
}

/// Calls `method path` with `body` (any JSON-able JS value) and answers the
/// parsed JSON (`null` when the answer has no body). `token` is the bearer
/// credential; `headers`, when given, are sent too (a site's own endpoint).
pub async fn call_json(
    base: &str,
    method: &str,
    path: &str,
    headers: Option<web_sys::Headers>,
    token: Option<&str>,
    body: Option<&JsValue>,
) -> Result<JsValue, Failure> {
    let headers = match headers {
        Some(headers) => headers,
        None => web_sys::Headers::new().map_err(|_| Failure::Network)?,
    };
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(token) = token {
        let mut value = String::from("Bearer ");
        value.push_str(token);
        headers
            .set("authorization", &value)
            .map_err(|_| Failure::Network)?;
    }
    if let Some(body) = body {
        let text = js_sys::JSON::stringify(body).map_err(|_| Failure::Network)?;
        headers
            .set("content-type", "application/json")
            .map_err(|_| Failure::Network)?;
        init.set_body(&text);
    }
    init.set_headers(&headers);
    // A site's own endpoint (no `path`) is used exactly as named.
    let mut url = if path.is_empty() {
        base
    } else {
        base.trim_end_matches('/')
    }
    .to_owned();
    url.push_str(path);
    let window = web_sys::window().ok_or(Failure::Network)?;
    let response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .map_err(|_| Failure::Network)?;
    let response: web_sys::Response = response.unchecked_into();
    let status = response.status();
    let json = match response.json() {
        Ok(promise) => JsFuture::from(promise).await.unwrap_or(JsValue::NULL),
        Err(_) => JsValue::NULL,
    };
    if response.ok() {
        return Ok(json);
    }
    let error = crate::js_object::get(&json, "error");
    let read = |key, otherwise: &str| {
        crate::js_object::string(&error, key).unwrap_or_else(|| otherwise.into())
    };
    Err(Failure::Api {
        status,
        code: read("code", "unknown"),
        message: read("message", "the service answered with an error"),
    })
}

/// `call_json`, then `read` the answer (`None`: it is not what was expected).
/// Path and body are owned, so a caller can return this future as its own
/// (the widget's `api`) without wrapping it in another state machine.
pub async fn call_and_read<T>(
    base: &str,
    method: &str,
    path: String,
    token: Option<&str>,
    body: Option<JsValue>,
    read: impl FnOnce(&JsValue) -> Option<T>,
) -> Result<T, Failure> {
    let answer = call_json(base, method, &path, None, token, body.as_ref()).await?;
    read(&answer).ok_or_else(|| Failure::Api {
        status: 0,
        code: "unexpected_answer".into(),
        message: "the answer could not be read".into(),
    })
}
