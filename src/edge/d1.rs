//! Bindings to the Workers runtime objects the edge uses: D1 and the static
//! assets fetcher. Declared by hand (as workers-rs does) so the worker needs no
//! extra runtime crate.

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A D1 database binding (`env.DB`).
    pub type D1Database;
    /// A prepared, possibly bound, SQL statement.
    pub type D1PreparedStatement;
    /// A service binding with a `fetch` method (`env.ASSETS`).
    pub type Fetcher;

    #[wasm_bindgen(method)]
    pub fn prepare(this: &D1Database, sql: &str) -> D1PreparedStatement;

    /// Runs statements in one implicit transaction: all or nothing.
    #[wasm_bindgen(method, catch)]
    pub async fn batch(this: &D1Database, statements: Array) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, variadic, js_name = bind)]
    pub fn bind(this: &D1PreparedStatement, values: &Array) -> D1PreparedStatement;

    #[wasm_bindgen(method, catch)]
    pub async fn first(this: &D1PreparedStatement) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch)]
    pub async fn all(this: &D1PreparedStatement) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, js_name = fetch)]
    pub fn fetch(this: &Fetcher, request: &web_sys::Request) -> Promise;
}

/// Reads `result.meta.changes` of one D1 result: rows a write changed.
pub fn changes_of(result: &JsValue) -> u32 {
    js_sys::Reflect::get(result, &JsValue::from_str("meta"))
        .and_then(|meta| js_sys::Reflect::get(&meta, &JsValue::from_str("changes")))
        .ok()
        .and_then(|changes| changes.as_f64())
        .map(|changes| changes as u32)
        .unwrap_or(0)
}
