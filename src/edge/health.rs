//! `GET /v1/health`: the worker answers, with its version and wire version,
//! and whether D1 is reachable (503 `degraded` when it is not).

use web_sys::Response;

use super::{db, http, Env};
use crate::args;
use crate::domain::api::{ApiError, Health};

/// `status` ok (200) or degraded (503, D1 unreachable).
pub async fn health(env: &Env, origin: Option<&str>) -> Result<Response, ApiError> {
    // A failed check is logged by `db` and answered as degraded, not as an error.
    let storage = match db::row::<serde_json::Value>(&env.db, "SELECT 1 AS ok", args![]).await {
        Ok(_) => "ok",
        Err(_) => "unavailable",
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
