//! HTTP plumbing for the worker: reading bodies, JSON and CORS responses.

use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Headers, Request, Response, ResponseInit};

use crate::domain::api::ApiError;

/// The request's path, from its URL.
pub fn path_of_request(request: &Request) -> Result<String, ApiError> {
    web_sys::Url::new(&request.url())
        .map(|url| url.pathname())
        .map_err(|_| ApiError::InvalidRequest("unparsable request URL".into()))
}

/// Reads the whole body as text (after the length checks).
pub async fn read_text(request: &Request) -> Result<String, ApiError> {
    let promise = request
        .text()
        .map_err(|_| ApiError::InvalidRequest("the body cannot be read".into()))?;
    let text = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| ApiError::InvalidRequest("the body is not valid UTF-8 text".into()))?;
    text.as_string()
        .ok_or_else(|| ApiError::InvalidRequest("the body is not text".into()))
}

/// Reads and discards a body the handler answered without reading (a refused
/// token, an unknown route). Left unread, the runtime may reset the kept-alive
/// connection while the client is still sending, and the client sees "fetch
/// failed" instead of the precise error. Bodies declared over 1 MiB, or of no
/// declared length, are left alone: those connections may as well close.
pub async fn drain_unread_body(request: &Request) {
    if request.body().is_none() || request.body_used() {
        return;
    }
    let declared = request
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|value| value.trim().parse::<u64>().ok());
    if !matches!(declared, Some(length) if length <= 1024 * 1024) {
        return;
    }
    if let Ok(promise) = request.array_buffer() {
        // What the body said no longer matters; only that it was read.
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}

fn headers(origin: Option<&str>) -> Result<Headers, JsValue> {
    let headers = Headers::new()?;
    headers.set("content-type", "application/json; charset=utf-8")?;
    headers.set("cache-control", "no-store")?;
    headers.set("x-content-type-options", "nosniff")?;
    // The collection endpoints are called from customers' sites. Origins are
    // checked per site in the handlers; CORS only lets the browser read the answer.
    headers.set("access-control-allow-origin", origin.unwrap_or("*"))?;
    headers.set("vary", "Origin")?;
    Ok(headers)
}

fn respond(status: u16, body: &str, origin: Option<&str>) -> Result<Response, JsValue> {
    let init = ResponseInit::new();
    init.set_status(status);
    init.set_headers(headers(origin)?.unchecked_ref());
    Response::new_with_opt_str_and_init(Some(body), &init)
}

/// A JSON response with `status`.
pub fn json_response<T: Serialize>(
    status: u16,
    body: &T,
    origin: Option<&str>,
) -> Result<Response, ApiError> {
    let text = serde_json::to_string(body).map_err(|_| ApiError::Internal)?;
    respond(status, &text, origin).map_err(|_| ApiError::Internal)
}

/// A response whose body is already JSON text (no CORS: operator endpoints).
pub fn text_json_response(status: u16, body: &str) -> Result<Response, ApiError> {
    text_response(status, "application/json; charset=utf-8", body)
}

/// A same-origin response of `content_type` (staff and operator endpoints).
pub fn text_response(status: u16, content_type: &str, body: &str) -> Result<Response, ApiError> {
    let build = || -> Result<Response, JsValue> {
        let headers = Headers::new()?;
        headers.set("content-type", content_type)?;
        headers.set("cache-control", "no-store")?;
        headers.set("x-content-type-options", "nosniff")?;
        let init = ResponseInit::new();
        init.set_status(status);
        init.set_headers(headers.unchecked_ref());
        Response::new_with_opt_str_and_init(Some(body), &init)
    };
    build().map_err(|_| ApiError::Internal)
}

/// The JSON error response for `error`.
pub fn error_response(error: &ApiError, origin: Option<&str>) -> Result<Response, JsValue> {
    let response = respond(error.status(), &error.to_json(), origin)?;
    match error {
        ApiError::MethodNotAllowed { allow, .. } => response.headers().set("allow", allow)?,
        ApiError::RateLimited { retry_after_s } => {
            let mut seconds = String::new();
            crate::domain::json::push_u64(&mut seconds, u64::from(*retry_after_s));
            response.headers().set("retry-after", &seconds)?;
        }
        ApiError::Unauthorized => response.headers().set("www-authenticate", "Bearer")?,
        _ => {}
    }
    Ok(response)
}

/// Answers a CORS preflight for the API.
pub fn preflight_response(origin: Option<&str>) -> Result<Response, ApiError> {
    let build = || -> Result<Response, JsValue> {
        let headers = headers(origin)?;
        headers.set("access-control-allow-methods", "GET, POST, DELETE, OPTIONS")?;
        headers.set(
            "access-control-allow-headers",
            "content-type, authorization",
        )?;
        headers.set("access-control-max-age", "86400")?;
        let init = ResponseInit::new();
        init.set_status(204);
        init.set_headers(headers.unchecked_ref());
        Response::new_with_opt_str_and_init(None, &init)
    };
    build().map_err(|_| ApiError::Internal)
}

/// The console's Content Security Policy: its own scripts, styles and API
/// only, wasm allowed, no framing. Staff tokens never leave the page's origin.
pub const CONSOLE_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The console's static files, with the console's security headers.
pub fn with_console_policy(response: Response) -> Result<Response, ApiError> {
    let build = || -> Result<Response, JsValue> {
        let headers = Headers::new_with_headers(&response.headers())?;
        headers.set("content-security-policy", CONSOLE_POLICY)?;
        headers.set("referrer-policy", "no-referrer")?;
        headers.set("x-content-type-options", "nosniff")?;
        let init = ResponseInit::new();
        init.set_status(response.status());
        init.set_headers(headers.unchecked_ref());
        Response::new_with_opt_readable_stream_and_init(response.body().as_ref(), &init)
    };
    build().map_err(|_| ApiError::Internal)
}
