//! JSON calls to the worker from the browser apps (widget and console), with
//! `fetch`. The widget's bodies are written and its answers parsed by the
//! browser's own `JSON`, and it reads them field by field (`js_object`),
//! which keeps serde out of its download. The console reads answers from
//! their text with `domain::json_text` (no serde_json, no per-type serde
//! reader).

#[cfg(feature = "console")]
use crate::domain::json_text::{self, FromJson, Value};
#[cfg(feature = "console")]
use serde::Serialize;
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
/// is the bearer credential (a visitor or staff token). The answer is read
/// into `T` by `domain::json_text`: only this last step is generic.
#[cfg(feature = "console")]
pub async fn call<T: FromJson>(
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
    let answer = answer(base, method, path, token, body.as_ref()).await?;
    json_text::read(&answer).map_err(|e| unexpected_answer(e.to_string()))
}

/// The answer to `method path` as JSON (`null` when it has no body), or the
/// worker's error.
#[cfg(feature = "console")]
async fn answer(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&JsValue>,
) -> Result<Value, Failure> {
    let response = send(base, method, path, None, token, body).await?;
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string()),
        Err(_) => None,
    };
    let answer = text
        .as_deref()
        .and_then(json_text::parse)
        .unwrap_or(Value::Null);
    if response.ok() {
        return Ok(answer);
    }
    let error = |key| answer.get("error")?.get(key)?.as_str().map(str::to_owned);
    Err(api_error(
        response.status(),
        error("code"),
        error("message"),
    ))
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
    let response = send(base, method, path, headers, token, body).await?;
    let status = response.status();
    let json = match response.json() {
        Ok(promise) => JsFuture::from(promise).await.unwrap_or(JsValue::NULL),
        Err(_) => JsValue::NULL,
    };
    if response.ok() {
        return Ok(json);
    }
    let error = crate::js_object::get(&json, "error");
    let error = |key| crate::js_object::string(&error, key);
    Err(api_error(status, error("code"), error("message")))
}

/// The worker's `{"error":{"code","message"}}`, with defaults for what it lacks.
fn api_error(status: u16, code: Option<String>, message: Option<String>) -> Failure {
    Failure::Api {
        status,
        code: code.unwrap_or_else(|| "unknown".into()),
        message: message.unwrap_or_else(|| "the service answered with an error".into()),
    }
}

/// Sends `method path` with `body` (any JSON-able JS value) and answers the
/// response, whatever its status.
async fn send(
    base: &str,
    method: &str,
    path: &str,
    headers: Option<web_sys::Headers>,
    token: Option<&str>,
    body: Option<&JsValue>,
) -> Result<web_sys::Response, Failure> {
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
    Ok(response.unchecked_into())
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

#[cfg(feature = "console")]
fn unexpected_answer(message: String) -> Failure {
    Failure::Api {
        status: 0,
        code: "unexpected_answer".into(),
        message,
    }
}
