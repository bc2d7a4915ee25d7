//! Static files: the script tag, the recorder, the widget and the model for
//! customers' pages (cross-origin, versioned), the console and the demo pages.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Headers, Request, RequestInit, Response, ResponseInit};

use super::runtime::internal;
use super::{http, Env};
use crate::domain::api::ApiError;
use crate::domain::assets::{plan, AssetKind, AssetPlan};

#[wasm_bindgen]
extern "C" {
    /// A service binding with a `fetch` method (`env.ASSETS`).
    pub type Fetcher;

    #[wasm_bindgen(method, js_name = fetch)]
    pub fn fetch(this: &Fetcher, request: &Request) -> js_sys::Promise;
}

/// Serves the static file at `path` as `domain::assets` decides.
pub async fn serve(request: &Request, env: &Env, path: &str) -> Result<Response, ApiError> {
    let (asset_path, kind, caching, content_type) =
        match plan(path, env!("CARGO_PKG_VERSION"), env.demo_pages) {
            AssetPlan::Serve {
                path,
                kind,
                caching,
                content_type,
            } => (path, kind, caching, content_type),
            // Only this release's files exist here; an older pinned URL must
            // not get newer bytes under an "immutable" promise.
            AssetPlan::OtherVersion { .. } => return Err(ApiError::NotFound),
            AssetPlan::DemoOff => return Err(ApiError::NotFound),
        };
    // A HEAD is asked of the assets as a GET, so its length can be given.
    let forwarded = if asset_path == path && request.method() != "HEAD" {
        request
            .clone()
            .map_err(|e| internal(&e, "request clone failed"))?
    } else {
        rewrite(request, &asset_path).map_err(|e| internal(&e, "asset request failed"))?
    };
    let response: Response = wasm_bindgen_futures::JsFuture::from(env.assets.fetch(&forwarded))
        .await
        .map_err(|e| internal(&e, "assets fetch failed"))?
        .unchecked_into();
    // The assets' own 404 has no body: answer as every unknown path does.
    if response.status() == 404 {
        return Err(ApiError::NotFound);
    }
    if kind == AssetKind::Console {
        return http::with_console_policy(response);
    }
    if kind != AssetKind::Embeddable || !response.ok() {
        return Ok(response);
    }
    let build = || -> Result<Response, JsValue> {
        let headers = Headers::new_with_headers(&response.headers())?;
        headers.set("access-control-allow-origin", "*")?;
        headers.set("cross-origin-resource-policy", "cross-origin")?;
        headers.set("x-content-type-options", "nosniff")?;
        if let Some(value) = caching.header() {
            headers.set("cache-control", value)?;
        }
        if let Some(value) = content_type {
            headers.set("content-type", value)?;
        }
        let init = ResponseInit::new();
        init.set_status(response.status());
        init.set_headers(headers.unchecked_ref());
        Response::new_with_opt_readable_stream_and_init(response.body().as_ref(), &init)
    };
    build().map_err(|e| internal(&e, "asset response failed"))
}

/// `GET /v1/openapi.json`: the API description, a static file of the
/// site's (`scripts/build.mjs` copies it), rather than 17 KB brotli compiled
/// into the worker's budget.
pub async fn openapi(request: &Request, env: &Env) -> Result<Response, ApiError> {
    let forwarded =
        rewrite(request, "/openapi.json").map_err(|e| internal(&e, "asset request failed"))?;
    let response: Response = wasm_bindgen_futures::JsFuture::from(env.assets.fetch(&forwarded))
        .await
        .map_err(|e| internal(&e, "assets fetch failed"))?
        .unchecked_into();
    if !response.ok() {
        return Err(internal(
            &JsValue::from(response.status()),
            "openapi.json is not among the assets",
        ));
    }
    let text = wasm_bindgen_futures::JsFuture::from(
        response
            .text()
            .map_err(|e| internal(&e, "openapi.json unreadable"))?,
    )
    .await
    .map_err(|e| internal(&e, "openapi.json unreadable"))?
    .as_string()
    .unwrap_or_default();
    http::text_response(200, "application/json; charset=utf-8", &text)
}

/// The same request for another path on the same origin (a HEAD as a GET).
fn rewrite(request: &Request, path: &str) -> Result<Request, JsValue> {
    let url = web_sys::Url::new(&request.url())?;
    url.set_pathname(path);
    let init = RequestInit::new();
    let method = request.method();
    init.set_method(if method == "HEAD" { "GET" } else { &method });
    init.set_headers(&request.headers());
    Request::new_with_str_and_init(&url.href(), &init)
}
