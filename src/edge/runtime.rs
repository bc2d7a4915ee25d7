//! What the Workers runtime gives a handler besides the request: the clock
//! and cryptographic random bytes (the edge's only random source).

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
        .map_err(|e| super::internal(&e, "no crypto"))?;
    let get_random = js_sys::Reflect::get(&crypto, &JsValue::from_str("getRandomValues"))
        .map_err(|e| super::internal(&e, "no getRandomValues"))?;
    let array = js_sys::Uint8Array::new_with_length(N as u32);
    get_random
        .unchecked_into::<js_sys::Function>()
        .call1(&crypto, &array)
        .map_err(|e| super::internal(&e, "getRandomValues failed"))?;
    let mut bytes = [0u8; N];
    array.copy_to(&mut bytes);
    Ok(bytes)
}

/// Sixteen random bytes: ids and secrets.
pub fn random16() -> Result<[u8; 16], ApiError> {
    random_bytes()
}
