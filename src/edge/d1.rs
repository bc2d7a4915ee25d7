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
    pub async fn run(this: &D1PreparedStatement) -> Result<JsValue, JsValue>;

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

/// A value bound to a `?n` placeholder.
pub enum Arg<'a> {
    Null,
    Text(&'a str),
    Int(i64),
    Real(f64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(value: &'a str) -> Self {
        Arg::Text(value)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(value: &'a String) -> Self {
        Arg::Text(value)
    }
}

impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(value: Option<&'a str>) -> Self {
        value.map_or(Arg::Null, Arg::Text)
    }
}

impl From<i64> for Arg<'_> {
    fn from(value: i64) -> Self {
        Arg::Int(value)
    }
}

impl From<f64> for Arg<'_> {
    fn from(value: f64) -> Self {
        Arg::Real(value)
    }
}

impl Arg<'_> {
    fn to_js(&self) -> JsValue {
        match self {
            Arg::Null => JsValue::NULL,
            Arg::Text(text) => JsValue::from_str(text),
            // D1 takes numbers; ids and times stay well inside 2^53.
            Arg::Int(n) => JsValue::from_f64(*n as f64),
            Arg::Real(x) => JsValue::from_f64(*x),
        }
    }
}

/// Builds `[a.into(), b.into(), …]` for the query helpers.
#[macro_export]
macro_rules! args {
    ($($value:expr),* $(,)?) => { &[$($crate::edge::d1::Arg::from($value)),*] };
}

impl D1Database {
    /// A prepared statement with its arguments bound (SQL is always parameterized).
    pub fn statement(&self, sql: &str, args: &[Arg<'_>]) -> D1PreparedStatement {
        let values: Array = args.iter().map(Arg::to_js).collect();
        self.prepare(sql).bind(&values)
    }
}
