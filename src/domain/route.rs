//! Routing: which handler a request goes to. Everything under `/v1/` is the
//! API; every other path is a static file (demo site, script tag, console).

/// What the worker does with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `GET /v1/health`.
    Health,
    /// `POST /v1/events`: a batch of touchpoints.
    IngestEvents,
    /// `GET /v1/journey`: one visitor's touchpoints, for staff.
    Journey,
    /// `OPTIONS` on an API path: a CORS preflight.
    Preflight,
    /// An API path that exists, with a method it does not take.
    MethodNotAllowed { allow: &'static str },
    /// An API path that does not exist.
    NotFound,
    /// Anything outside `/v1/`: served from the static assets.
    StaticAsset,
}

/// Decides the route for `method` and `path`.
pub fn route(method: &str, path: &str) -> Route {
    if !(path == "/v1" || path.starts_with("/v1/")) {
        return Route::StaticAsset;
    }
    let allow = match path {
        "/v1/health" => "GET, HEAD",
        "/v1/events" => "POST, OPTIONS",
        "/v1/journey" => "GET",
        _ => return Route::NotFound,
    };
    match (method, path) {
        ("OPTIONS", _) => Route::Preflight,
        ("GET" | "HEAD", "/v1/health") => Route::Health,
        ("POST", "/v1/events") => Route::IngestEvents,
        ("GET", "/v1/journey") => Route::Journey,
        _ => Route::MethodNotAllowed { allow },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(route("GET", "/v1/health"), Route::Health);
        assert_eq!(route("POST", "/v1/events"), Route::IngestEvents);
        assert_eq!(route("OPTIONS", "/v1/events"), Route::Preflight);
        assert_eq!(
            route("GET", "/v1/events"),
            Route::MethodNotAllowed {
                allow: "POST, OPTIONS"
            }
        );
        assert_eq!(route("GET", "/v1/nope"), Route::NotFound);
        assert_eq!(route("GET", "/v1/journey"), Route::Journey);
        assert_eq!(route("GET", "/"), Route::StaticAsset);
        assert_eq!(route("GET", "/console/"), Route::StaticAsset);
        assert_eq!(route("GET", "/v1x"), Route::StaticAsset);
    }
}
