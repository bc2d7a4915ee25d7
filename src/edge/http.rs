//! HTTP at the edge: what handlers read from a request (path, headers,
//! bearer credentials, query parameters, bodies within their size limits,
//! JSON) and the JSON, CORS and console responses they answer with.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Headers, Request, Response, ResponseInit};

use crate::domain::api::{check_json_content_type, parse_body, ApiError};

/// The request's path, from its URL.
pub fn path_of_request(request: &Request) -> Result<String, ApiError> {
    web_sys::Url::new(&request.url())
        .map(|url| url.pathname())
        .map_err(|_| ApiError::InvalidRequest("unparsable request URL".into()))
}

/// Largest JSON body the conversation, staff and admin endpoints take.
pub const MAX_API_BODY_BYTES: u32 = 32 * 1024;

/// Bodies declared larger than this are refused unread; bodies of no
/// declared length are read (and, past the endpoint's limit, discarded) up
/// to this much so the client still gets its answer on a kept-alive
/// connection, and no further. Four times the largest endpoint limit (a
/// site's 1 MiB example upload): a body just over that limit is drained and
/// answered 413, not reset while the client is still sending it.
pub const DRAIN_CAP_BYTES: u64 = 4 * crate::domain::site_model::MAX_UPLOAD_BYTES as u64;

/// The body's declared length, when it has one.
fn declared_length(request: &Request) -> Option<u64> {
    request
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|value| value.trim().parse::<u64>().ok())
}

/// Reads the body as it arrives, keeping at most `limit` bytes: a body over
/// the limit is `payload_too_large` whether or not it declared its length
/// (chunked bodies are never buffered past the limit). The rest of an
/// oversized body is read and dropped, up to `DRAIN_CAP_BYTES`, so the
/// runtime does not reset the connection under the client.
pub async fn read_bytes(request: &Request, limit: u32) -> Result<Vec<u8>, ApiError> {
    let too_large = ApiError::PayloadTooLarge { limit };
    let declared = declared_length(request);
    if declared.is_some_and(|length| length > DRAIN_CAP_BYTES) {
        return Err(too_large);
    }
    let unreadable = |_| ApiError::InvalidRequest("the body cannot be read".into());
    // A body that declared a length within the limit is taken whole, in one
    // call (the runtime holds it to its declared length); others are read
    // chunk by chunk below.
    if declared.is_some_and(|length| length <= u64::from(limit)) {
        let buffer =
            wasm_bindgen_futures::JsFuture::from(request.array_buffer().map_err(unreadable)?)
                .await
                .map_err(unreadable)?;
        let body = js_sys::Uint8Array::new(&buffer).to_vec();
        if body.len() as u64 > u64::from(limit) {
            return Err(too_large);
        }
        return Ok(body);
    }
    let Some(stream) = request.body() else {
        return Ok(Vec::new());
    };
    let reader = call0(&stream, "getReader").map_err(unreadable)?;
    let mut body = Vec::new();
    let mut seen: u64 = 0;
    loop {
        let step = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(
            call0(&reader, "read").map_err(unreadable)?,
        ))
        .await
        .map_err(unreadable)?;
        let done = js_sys::Reflect::get(&step, &JsValue::from_str("done"))
            .map(|d| d.is_truthy())
            .unwrap_or(true);
        if done {
            break;
        }
        let chunk = js_sys::Reflect::get(&step, &JsValue::from_str("value"))
            .map_err(unreadable)?
            .dyn_into::<js_sys::Uint8Array>()
            .map_err(|_| ApiError::InvalidRequest("the body is not bytes".into()))?;
        seen += u64::from(chunk.length());
        if seen <= u64::from(limit) {
            body.extend_from_slice(&chunk.to_vec());
        } else if seen > DRAIN_CAP_BYTES {
            // Far past any limit: stop reading; this connection may close.
            let _ = call0(&reader, "cancel");
            break;
        }
    }
    if seen > u64::from(limit) {
        return Err(too_large);
    }
    Ok(body)
}

/// Reads the body (see `read_bytes`) as UTF-8 text; bytes that are not
/// UTF-8 are refused (`invalid_utf8`), never replaced.
pub async fn read_text(request: &Request, limit: u32) -> Result<String, ApiError> {
    let bytes = read_bytes(request, limit).await?;
    crate::domain::api::decode_utf8(bytes)
}

/// For an endpoint that takes no body (close, reopen, a new key or token,
/// train now, replay): nothing, or an empty JSON object, which some clients
/// always send. Anything else is refused as `read_json` would refuse it
/// (413, 400 `invalid_utf8` or `malformed_json`, 415), or 422 when it is
/// JSON with something in it, rather than acted on as if it were not there.
/// Called after the caller is checked, like `read_json`.
pub async fn read_no_body(request: &Request) -> Result<(), ApiError> {
    let body = read_text(request, MAX_API_BODY_BYTES).await?;
    if body.trim().is_empty() {
        return Ok(());
    }
    check_json_content_type(header(request, "content-type").as_deref())?;
    crate::domain::api::check_no_body(&body)
}

/// A request header.
pub fn header(request: &Request, name: &str) -> Option<String> {
    request.headers().get(name).ok().flatten()
}

/// The credential of `Authorization: Bearer …`, or on a WebSocket upgrade
/// (where browsers cannot set that header) the token offered as its second
/// subprotocol (`domain::live::offered_token`).
pub fn bearer(request: &Request) -> Option<String> {
    header(request, "authorization")
        .and_then(|value| crate::domain::api::bearer_token(&value).map(str::to_owned))
        .or_else(|| {
            crate::domain::live::offered_token(header(request, "sec-websocket-protocol").as_deref())
                .ok()
        })
        .filter(|token| !token.is_empty())
}

/// The client's IP address as the edge sees it.
pub fn client_ip(request: &Request) -> String {
    header(request, "cf-connecting-ip")
        .or_else(|| header(request, "x-real-ip"))
        .unwrap_or_default()
}

/// Refuses a request whose query has a parameter its endpoint does not
/// read (`known`), or one twice (422): `query` reads one value, and which
/// one must not depend on the order.
pub fn check_query(request: &Request, known: &[&str]) -> Result<(), ApiError> {
    let search = web_sys::Url::new(&request.url())
        .map(|url| url.search())
        .unwrap_or_default();
    crate::domain::api::check_parameters(&search, known)
}

/// A query parameter of the request URL (`check_query` has made sure there
/// is at most one).
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
    let body = read_text(request, MAX_API_BODY_BYTES).await?;
    check_json_content_type(header(request, "content-type").as_deref())?;
    parse_body(&body)
}

pub(super) fn call0(target: &JsValue, method: &str) -> Result<JsValue, JsValue> {
    js_sys::Reflect::get(target, &JsValue::from_str(method))?
        .dyn_into::<js_sys::Function>()?
        .call0(target)
}

/// Reads and discards a body the handler answered without reading (a refused
/// token, an unknown route). Left unread, the runtime may reset the kept-alive
/// connection while the client is still sending, and the client sees "fetch
/// failed" instead of the precise error. Bodies declared over
/// `DRAIN_CAP_BYTES` are left alone (those connections may as well close);
/// others are read chunk by chunk, never held, up to that cap.
pub async fn drain_unread_body(request: &Request) {
    if request.body().is_none() || request.body_used() {
        return;
    }
    // What the body said no longer matters; only that it was read.
    let _ = read_bytes(request, 0).await;
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

/// A JSON response for staff and operator endpoints (no CORS: their tokens
/// never leave the console's origin or the operator's own tools).
pub fn private_json<T: Serialize>(status: u16, body: &T) -> Result<Response, ApiError> {
    let text = serde_json::to_string(body).map_err(|_| ApiError::Internal)?;
    text_json_response(status, &text)
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

/// `response`'s status and headers, with the length of its body but not the
/// body: the answer to a HEAD.
pub async fn without_body(response: Response) -> Result<Response, JsValue> {
    // A copy: the headers of a fetched response cannot be changed.
    let headers = Headers::new_with_headers(&response.headers())?;
    if !headers.has("content-length")? {
        let body = wasm_bindgen_futures::JsFuture::from(response.array_buffer()?).await?;
        let length = js_sys::ArrayBuffer::from(body).byte_length();
        let mut text = String::new();
        crate::domain::json::push_u64(&mut text, u64::from(length));
        headers.set("content-length", &text)?;
    }
    let init = ResponseInit::new();
    init.set_status(response.status());
    init.set_headers(headers.unchecked_ref());
    Response::new_with_opt_str_and_init(None, &init)
}

/// The JSON error response for `error`.
pub fn error_response(error: &ApiError, origin: Option<&str>) -> Result<Response, JsValue> {
    let response = respond(error.status(), &error.to_json(), origin)?;
    match error {
        ApiError::MethodNotAllowed { allow, .. } => {
            // Every path that takes GET takes HEAD too (`route`).
            let mut methods = String::from(*allow);
            if allow.starts_with("GET") {
                methods.insert_str(3, ", HEAD");
            }
            response.headers().set("allow", &methods)?;
        }
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
