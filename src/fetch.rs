//! JSON calls to the worker from the browser apps (widget and console), with
//! `fetch`. Answers are read with the browser's own JSON parser and
//! serde-wasm-bindgen, so the apps carry no JSON library of their own.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
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

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
}

/// Calls `method path` on the worker at `base` (empty: this origin); `token`
/// is the bearer credential (a visitor or staff token).
pub async fn call<T: DeserializeOwned>(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&impl Serialize>,
) -> Result<T, Failure> {
    let value = call_raw(base, method, path, token, body).await?;
    serde_wasm_bindgen::from_value(value).map_err(|e| Failure::Api {
        status: 0,
        code: "unexpected_answer".into(),
        message: e.to_string(),
    })
}

async fn call_raw(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&impl Serialize>,
) -> Result<JsValue, Failure> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| Failure::Network)?;
    if let Some(token) = token {
        let mut value = String::from("Bearer ");
        value.push_str(token);
        headers
            .set("authorization", &value)
            .map_err(|_| Failure::Network)?;
    }
    if let Some(body) = body {
        let value = body
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|_| Failure::Network)?;
        let text = js_sys::JSON::stringify(&value).map_err(|_| Failure::Network)?;
        headers
            .set("content-type", "application/json")
            .map_err(|_| Failure::Network)?;
        init.set_body(&text);
    }
    init.set_headers(&headers);
    let mut url = base.trim_end_matches('/').to_owned();
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
    let (code, message) = serde_wasm_bindgen::from_value::<ErrorBody>(json)
        .map(|b| (b.error.code, b.error.message))
        .unwrap_or_else(|_| {
            (
                "unknown".into(),
                "the service answered with an error".into(),
            )
        });
    Err(Failure::Api {
        status,
        code,
        message,
    })
}
