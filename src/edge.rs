//! The edge worker. It parses the request, asks `domain` what to do, carries
//! that out against D1 or the static assets, and answers JSON. Internal
//! failures are logged here and answered with a generic error; details never
//! reach the client.

/// Bindings to D1 and the assets fetcher.
pub mod d1;
/// Request reading and JSON/CORS response building.
pub mod http;

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Request, Response};

use crate::domain::api::{ApiError, Health};
use crate::domain::ingest::{check_body_length, check_content_type, plan_batch, IngestPlan};
use crate::domain::route::{route, Route};
use d1::{D1Database, Fetcher};

/// Bindings the worker is configured with (see `wrangler.toml`).
struct Env {
    db: D1Database,
    assets: Fetcher,
}

impl Env {
    fn from_js(env: &JsValue) -> Result<Self, ApiError> {
        let binding = |name: &str| {
            js_sys::Reflect::get(env, &JsValue::from_str(name))
                .ok()
                .filter(|value| value.is_object())
                .ok_or_else(|| internal(&JsValue::from_str(name), "missing binding"))
        };
        Ok(Env {
            db: binding("DB")?.unchecked_into(),
            assets: binding("ASSETS")?.unchecked_into(),
        })
    }
}

/// Logs an internal failure for the operator and returns the generic error.
fn internal(detail: &JsValue, context: &str) -> ApiError {
    web_sys_log(context, detail);
    ApiError::Internal
}

fn unavailable(detail: &JsValue, context: &str) -> ApiError {
    web_sys_log(context, detail);
    ApiError::Unavailable
}

fn web_sys_log(context: &str, detail: &JsValue) {
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

/// Handles one request. Never fails: every error becomes a JSON response.
pub async fn handle(request: Request, env: JsValue) -> Result<Response, JsValue> {
    let origin = request.headers().get("origin").ok().flatten();
    let outcome = match Env::from_js(&env) {
        Ok(env) => dispatch(&request, &env).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(response) => Ok(response),
        Err(error) => http::error_response(&error, origin.as_deref()),
    }
}

async fn dispatch(request: &Request, env: &Env) -> Result<Response, ApiError> {
    let path = http::path_of_request(request)?;
    let origin = request.headers().get("origin").ok().flatten();
    match route(&request.method(), &path) {
        Route::StaticAsset => {
            let promise = env.assets.fetch(request);
            let response = wasm_bindgen_futures::JsFuture::from(promise)
                .await
                .map_err(|e| internal(&e, "assets fetch failed"))?;
            Ok(response.unchecked_into())
        }
        Route::Health => health(env, origin.as_deref()).await,
        Route::IngestEvents => ingest_events(request, env, origin.as_deref()).await,
        Route::Preflight => http::preflight_response(origin.as_deref()),
        Route::MethodNotAllowed { allow } => Err(ApiError::MethodNotAllowed {
            method: request.method(),
            allow,
        }),
        Route::NotFound => Err(ApiError::NotFound),
    }
}

async fn health(env: &Env, origin: Option<&str>) -> Result<Response, ApiError> {
    let storage = match env.db.prepare("SELECT 1 AS ok").first().await {
        Ok(_) => "ok",
        Err(error) => {
            web_sys_log("health: D1 check failed", &error);
            "unavailable"
        }
    };
    let body = Health {
        status: if storage == "ok" { "ok" } else { "degraded" },
        version: env!("CARGO_PKG_VERSION"),
        wire_version: crate::domain::event::WIRE_VERSION,
        storage,
    };
    let status = if storage == "ok" { 200 } else { 503 };
    http::json_response(status, &body, origin)
}

async fn ingest_events(
    request: &Request,
    env: &Env,
    origin: Option<&str>,
) -> Result<Response, ApiError> {
    let headers = request.headers();
    check_content_type(headers.get("content-type").ok().flatten().as_deref())?;
    if let Some(length) = headers
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|value| value.trim().parse::<u64>().ok())
    {
        check_body_length(length)?;
    }
    let body = http::read_text(request).await?;
    let now = js_sys::Date::now() as u64;
    let plan = plan_batch(&body, now)?;
    ensure_site_exists(env, &plan.site).await?;
    let stored = store_events(env, &plan, now).await?;
    http::json_response(202, &plan.receipt(stored), origin)
}

async fn ensure_site_exists(env: &Env, site: &str) -> Result<(), ApiError> {
    let row = env
        .db
        .prepare("SELECT id FROM sites WHERE id = ?1")
        .bind(&Array::of1(&JsValue::from_str(site)))
        .first()
        .await
        .map_err(|e| unavailable(&e, "site lookup failed"))?;
    if row.is_null() || row.is_undefined() {
        Err(ApiError::UnknownSite)
    } else {
        Ok(())
    }
}

/// Inserts every accepted row in one D1 batch (a single transaction) and
/// returns how many were new; the rest were already stored.
async fn store_events(env: &Env, plan: &IngestPlan, received_at: u64) -> Result<u32, ApiError> {
    if plan.rows.is_empty() {
        return Ok(0);
    }
    let statements = Array::new();
    for row in &plan.rows {
        let values = Array::new();
        values.push(&JsValue::from_str(&plan.site));
        values.push(&JsValue::from_str(&row.id));
        values.push(&JsValue::from_str(row.kind));
        values.push(&JsValue::from_f64(row.occurred_at_ms as f64));
        values.push(&JsValue::from_f64(received_at as f64));
        values.push(&JsValue::from_str(&row.path));
        values.push(&JsValue::from_str(&row.title));
        values.push(&JsValue::from_str(&row.referrer));
        values.push(&JsValue::from_f64(f64::from(row.viewport_width)));
        values.push(&JsValue::from_f64(f64::from(row.viewport_height)));
        values.push(&JsValue::from_str(&row.language));
        values.push(&JsValue::from_str(&row.time_zone));
        statements.push(
            &env.db
                .prepare(
                    "INSERT OR IGNORE INTO events (site_id, id, kind, occurred_at, received_at, \
                     path, title, referrer, viewport_width, viewport_height, language, time_zone) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .bind(&values),
        );
    }
    let results = env
        .db
        .batch(statements)
        .await
        .map_err(|e| unavailable(&e, "event insert failed"))?;
    let results: Array = results.unchecked_into();
    Ok(results.iter().map(|result| d1::changes_of(&result)).sum())
}
