//! What handlers read from a request: headers, bearer credentials, query
//! parameters and JSON bodies (with the same size and type checks everywhere),
//! plus the clock and random bytes of the Workers runtime.

use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Request;

use crate::domain::api::{parse_body, ApiError};
use crate::domain::ingest::check_content_type;

/// Largest JSON body the conversation, staff and admin endpoints take.
pub const MAX_API_BODY_BYTES: u32 = 32 * 1024;

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

/// A request header.
pub fn header(request: &Request, name: &str) -> Option<String> {
    request.headers().get(name).ok().flatten()
}

/// The credential of `Authorization: Bearer …`.
pub fn bearer(request: &Request) -> Option<String> {
    header(request, "authorization")
        .and_then(|value| value.strip_prefix("Bearer ").map(|t| t.trim().to_owned()))
        .filter(|token| !token.is_empty())
}

/// The client's IP address as the edge sees it.
pub fn client_ip(request: &Request) -> String {
    header(request, "cf-connecting-ip")
        .or_else(|| header(request, "x-real-ip"))
        .unwrap_or_default()
}

/// A query parameter of the request URL.
pub fn query(request: &Request, name: &str) -> Option<String> {
    web_sys::Url::new(&request.url())
        .ok()
        .and_then(|url| url.search_params().get(name))
}

/// Reads and parses a JSON body: at most `MAX_API_BODY_BYTES` (counted as
/// it arrives), UTF-8, a JSON (or beacon text) content type, valid JSON of
/// the expected shape.
pub async fn read_json<T: DeserializeOwned>(request: &Request) -> Result<T, ApiError> {
    // The body is read before its type is judged: an unread body can make the
    // runtime drop the connection, and the client would see a reset instead
    // of the precise error.
    let body = super::http::read_text(request, MAX_API_BODY_BYTES).await?;
    check_content_type(header(request, "content-type").as_deref())?;
    parse_body(&body)
}
