//! What the Workers runtime gives a handler besides the request: the clock,
//! cryptographic random bytes (the edge's only random source) and the
//! operator's log (`console.error`, kept by Workers Logs).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::domain::api::ApiError;

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// `N` bytes from the runtime's cryptographic random source (the only one
/// the edge uses).
pub fn random_bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
        .map_err(|e| internal(&e, "no crypto"))?;
    let get_random = js_sys::Reflect::get(&crypto, &JsValue::from_str("getRandomValues"))
        .map_err(|e| internal(&e, "no getRandomValues"))?;
    let array = js_sys::Uint8Array::new_with_length(N as u32);
    get_random
        .unchecked_into::<js_sys::Function>()
        .call1(&crypto, &array)
        .map_err(|e| internal(&e, "getRandomValues failed"))?;
    let mut bytes = [0u8; N];
    array.copy_to(&mut bytes);
    Ok(bytes)
}

/// Sixteen random bytes: ids and secrets.
pub fn random16() -> Result<[u8; 16], ApiError> {
    random_bytes()
}

/// Logs an internal failure for the operator and returns the generic error.
pub fn internal(detail: &JsValue, context: &str) -> ApiError {
    log(context, detail);
    ApiError::Internal
}

/// Logs a failure of a binding (D1, the queue) and returns `unavailable` (503).
pub fn unavailable(detail: &JsValue, context: &str) -> ApiError {
    log(context, detail);
    ApiError::Unavailable
}

/// Writes `context` and `detail` to the runtime's console (Workers Logs).
pub fn log(context: &str, detail: &JsValue) {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("console"))
        .and_then(|console| {
            let error = js_sys::Reflect::get(&console, &JsValue::from_str("error"))?;
            error.unchecked_into::<js_sys::Function>().call2(
                &console,
                &JsValue::from_str(context),
                detail,
            )
        })
        .ok();
}
