//! D1, the edge's database: the binding (declared by hand, as workers-rs
//! does, so the worker needs no extra runtime crate), arguments bound to
//! `?n` placeholders (`args!`), and typed queries: rows come back as serde
//! structs, writes report how many rows they changed, and every failure
//! becomes `ApiError::Unavailable` after it is logged for the operator.

use js_sys::Array;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::runtime;
use crate::domain::api::ApiError;

#[wasm_bindgen]
extern "C" {
    /// A D1 database binding (`env.DB`).
    pub type D1Database;
    /// A prepared, possibly bound, SQL statement.
    pub type D1PreparedStatement;

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
    /// A BLOB (a site's model file).
    Bytes(&'a [u8]),
}

impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(value: &'a [u8]) -> Self {
        Arg::Bytes(value)
    }
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
            Arg::Bytes(bytes) => js_sys::Uint8Array::from(*bytes).into(),
        }
    }
}

/// Builds `[a.into(), b.into(), …]` for the query helpers.
#[macro_export]
macro_rules! args {
    ($($value:expr),* $(,)?) => { &[$($crate::edge::db::Arg::from($value)),*] };
}

impl D1Database {
    /// A prepared statement with its arguments bound (SQL is always parameterized).
    pub fn statement(&self, sql: &str, args: &[Arg<'_>]) -> D1PreparedStatement {
        let values: Array = args.iter().map(Arg::to_js).collect();
        self.prepare(sql).bind(&values)
    }

    /// `statement` for SQL run on every request of a hot path (ingestion):
    /// prepared once per isolate and database, so its text crosses from wasm
    /// to JS once, not per request (`bind` returns a new statement and
    /// leaves the prepared one as it was).
    pub fn hot_statement(&self, sql: &'static str, args: &[Arg<'_>]) -> D1PreparedStatement {
        let values: Array = args.iter().map(Arg::to_js).collect();
        let database: &JsValue = self.as_ref();
        let cached = PREPARED.with(|prepared| {
            prepared
                .borrow()
                .iter()
                .find(|(text, db, _)| *text == sql && db == database)
                .map(|(_, _, statement)| statement.clone().unchecked_into::<D1PreparedStatement>())
        });
        let statement = cached.unwrap_or_else(|| {
            let statement = self.prepare(sql);
            PREPARED.with(|prepared| {
                let mut prepared = prepared.borrow_mut();
                // A handful of hot statements; a new binding object starts over.
                if prepared.len() >= 16 {
                    prepared.clear();
                }
                prepared.push((sql, database.clone(), JsValue::from(&statement)));
            });
            statement
        });
        statement.bind(&values)
    }
}

thread_local! {
    /// `hot_statement`'s prepared statements: SQL, the database, the statement.
    static PREPARED: std::cell::RefCell<Vec<(&'static str, JsValue, JsValue)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Every row of a query.
pub async fn rows<T: DeserializeOwned>(
    db: &D1Database,
    sql: &str,
    args: &[Arg<'_>],
) -> Result<Vec<T>, ApiError> {
    let rows = results(db, sql, args).await?;
    serde_wasm_bindgen::from_value(rows).map_err(|e| runtime::internal(&e.into(), sql))
}

/// The `results` array of a query's answer.
async fn results(db: &D1Database, sql: &str, args: &[Arg<'_>]) -> Result<JsValue, ApiError> {
    let result = db
        .statement(sql, args)
        .all()
        .await
        .map_err(|e| runtime::unavailable(&e, sql))?;
    js_sys::Reflect::get(&result, &JsValue::from_str("results"))
        .map_err(|e| runtime::unavailable(&e, sql))
}

/// Every row of a query as plain JS objects, to read field by field
/// (`js_object`): no serde code per row type, which costs the worker ~2 KB
/// brotli for each (site models read a handful of fields this way).
pub async fn js_rows(
    db: &D1Database,
    sql: &str,
    args: &[Arg<'_>],
) -> Result<Vec<JsValue>, ApiError> {
    let rows = results(db, sql, args).await?;
    Ok(Array::from(&rows).to_vec())
}

/// The first row of a query, if any.
pub async fn row<T: DeserializeOwned>(
    db: &D1Database,
    sql: &str,
    args: &[Arg<'_>],
) -> Result<Option<T>, ApiError> {
    let value = db
        .statement(sql, args)
        .first()
        .await
        .map_err(|e| runtime::unavailable(&e, sql))?;
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    serde_wasm_bindgen::from_value(value)
        .map(Some)
        .map_err(|e| runtime::internal(&e.into(), sql))
}

/// Runs a write; returns the rows it changed.
pub async fn run(db: &D1Database, sql: &str, args: &[Arg<'_>]) -> Result<u32, ApiError> {
    let result = db
        .statement(sql, args)
        .run()
        .await
        .map_err(|e| runtime::unavailable(&e, sql))?;
    Ok(changes_of(&result))
}

/// Sends statements as one D1 batch: one implicit transaction, all or nothing.
async fn send_batch(
    db: &D1Database,
    statements: Vec<D1PreparedStatement>,
    context: &str,
) -> Result<Array, ApiError> {
    let array: Array = statements.into_iter().map(JsValue::from).collect();
    let results = db
        .batch(array)
        .await
        .map_err(|e| runtime::unavailable(&e, context))?;
    Ok(results.unchecked_into())
}

/// Runs statements in one transaction; returns the rows each changed.
pub async fn batch(
    db: &D1Database,
    statements: Vec<D1PreparedStatement>,
) -> Result<Vec<u32>, ApiError> {
    let results = send_batch(db, statements, "batch write").await?;
    Ok(results.iter().map(|result| changes_of(&result)).collect())
}

/// How a batch that a unique index guards ended.
pub enum Claim {
    /// Every statement ran.
    Stored,
    /// A unique index refused the batch as a whole: another request stored
    /// the same row first (two sends at once), which is an answer, not a
    /// failure to log (kept for the case where nothing is found after all).
    Taken(JsValue),
}

/// Runs statements in one transaction, telling a unique index's refusal
/// apart from a failure of D1 (logged, 503).
pub async fn batch_unless_taken(
    db: &D1Database,
    statements: Vec<D1PreparedStatement>,
) -> Result<Claim, ApiError> {
    let array: Array = statements.into_iter().map(JsValue::from).collect();
    match db.batch(array).await {
        Ok(_) => Ok(Claim::Stored),
        Err(error) if is_unique_violation(&error) => Ok(Claim::Taken(error)),
        Err(error) => Err(runtime::unavailable(&error, "batch write")),
    }
}

/// SQLite's words for a unique index's refusal, which D1 passes on in the
/// error's message (or its cause's).
fn is_unique_violation(error: &JsValue) -> bool {
    let says_unique = |value: &JsValue| {
        js_sys::Reflect::get(value, &JsValue::from_str("message"))
            .ok()
            .and_then(|message| message.as_string())
            .is_some_and(|message| message.contains("UNIQUE constraint failed"))
    };
    says_unique(error)
        || js_sys::Reflect::get(error, &JsValue::from_str("cause"))
            .is_ok_and(|cause| says_unique(&cause))
}

/// Runs statements in one transaction and returns the rows the first one
/// returned (`INSERT … RETURNING`), e.g. a message and its conversation update.
pub async fn batch_returning<T: DeserializeOwned>(
    db: &D1Database,
    statements: Vec<D1PreparedStatement>,
) -> Result<Vec<T>, ApiError> {
    let results = send_batch(db, statements, "batch write").await?;
    let first = js_sys::Reflect::get(&results.get(0), &JsValue::from_str("results"))
        .map_err(|e| runtime::internal(&e, "batch results"))?;
    if first.is_undefined() || first.is_null() {
        return Ok(Vec::new());
    }
    serde_wasm_bindgen::from_value(first).map_err(|e| runtime::internal(&e.into(), "batch rows"))
}

/// What the statements of a batch did, read on demand: a result's rows are
/// built only when asked for (ingestion reads two counters and one change count).
pub struct Outcomes(Array);

impl Outcomes {
    /// The `count` column of statement `index`'s first returned row (0 when
    /// none): a rate-limit counter after `limits::count_statement`.
    pub fn count(&self, index: u32) -> u32 {
        let result = self.0.get(index);
        js_sys::Reflect::get(&result, &JsValue::from_str("results"))
            .and_then(|rows| js_sys::Reflect::get(&rows, &JsValue::from_f64(0.0)))
            .and_then(|row| js_sys::Reflect::get(&row, &JsValue::from_str("count")))
            .ok()
            .and_then(|count| count.as_f64())
            .unwrap_or(0.0) as u32
    }

    /// The `count` column of the row statement `index` returned for `key`
    /// (0 when none): one counter of `limits::count_pair_statement`.
    pub fn count_of(&self, index: u32, key: &str) -> u32 {
        let result = self.0.get(index);
        let Ok(rows) = js_sys::Reflect::get(&result, &JsValue::from_str("results")) else {
            return 0;
        };
        let Ok(rows) = rows.dyn_into::<Array>() else {
            return 0;
        };
        rows.iter()
            .find(|row| {
                js_sys::Reflect::get(row, &JsValue::from_str("key"))
                    .ok()
                    .and_then(|k| k.as_string())
                    .is_some_and(|k| k == key)
            })
            .and_then(|row| js_sys::Reflect::get(&row, &JsValue::from_str("count")).ok())
            .and_then(|count| count.as_f64())
            .unwrap_or(0.0) as u32
    }

    /// Rows statement `index` changed.
    pub fn changes(&self, index: u32) -> u32 {
        changes_of(&self.0.get(index))
    }
}

/// Runs statements in one transaction; returns what each did.
pub async fn batch_outcomes(
    db: &D1Database,
    statements: Vec<D1PreparedStatement>,
) -> Result<Outcomes, ApiError> {
    Ok(Outcomes(send_batch(db, statements, "batch write").await?))
}
