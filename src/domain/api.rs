//! The HTTP API's error type. Every failure a client can cause maps to a
//! precise status and a stable machine-readable `code`; internal failures map
//! to a generic 500/503 whose message never leaks details.

use serde::Serialize;

/// An error answered to an API client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// Bytes that are not UTF-8 in `part` (the body, or a path segment or
    /// query parameter once percent-decoded), `at` the first one's offset in it.
    #[error("{part} is not valid UTF-8 (invalid byte at offset {at})")]
    InvalidUtf8 { part: Utf8Part, at: usize },
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// What the endpoint reads instead ("application/json").
    #[error("the Content-Type must be {0}, in UTF-8")]
    UnsupportedMediaType(&'static str),
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: u32 },
    #[error("no site is registered under this key")]
    UnknownSite,
    #[error("this origin may not send data for the site")]
    OriginNotAllowed,
    #[error("too many requests; retry after {retry_after_s} seconds")]
    RateLimited { retry_after_s: u32 },
    #[error("missing or invalid credentials")]
    Unauthorized,
    #[error("these credentials do not allow this")]
    Forbidden,
    /// A visitor's request from a crawler or script (the site's bot policy
    /// says which user agents are people's).
    #[error("this user agent is an automated client's: conversations are started from a browser (a site lets its own test tools through with its bot policy)")]
    AutomatedClient,
    #[error("{0}")]
    Conflict(String),
    #[error("wire schema version {0} is not supported")]
    UnsupportedVersion(u64),
    /// No such endpoint, or no such thing under it (a conversation, message or
    /// destination id) that the caller may see: one answer for both, so an id
    /// of another site is indistinguishable from one that never existed.
    #[error("not found: no such endpoint, or nothing with this id that you may see")]
    NotFound,
    /// A cursor this API did not give out for this list: this site's
    /// stream, destination log or visitor.
    #[error("the cursor is not one this API gave out for this list (this site's stream, destination or visitor); start without one")]
    InvalidCursor,
    /// An export cursor of the first format, which named no site: refused
    /// like any other cursor it cannot check, with where to start again.
    #[error("the cursor is from a Touchpoint version whose cursors named no site; start again with since={since} (rows of that millisecond may come again)")]
    UnboundCursor { since: i64 },
    #[error("this endpoint does not accept the {method} method")]
    MethodNotAllowed { method: String, allow: &'static str },
    #[error("storage is unavailable, retry later")]
    Unavailable,
    /// The worker is configured wrongly; the message names the setting.
    #[error("the worker is misconfigured: {0}")]
    Misconfigured(&'static str),
    #[error("internal error")]
    Internal,
}

/// Where a request held bytes that are not UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Utf8Part {
    Body,
    PathSegment,
    QueryParameter,
}

impl std::fmt::Display for Utf8Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Utf8Part::Body => "the request body",
            Utf8Part::PathSegment => "a path segment, percent-decoded,",
            Utf8Part::QueryParameter => "a query parameter, percent-decoded,",
        })
    }
}

impl ApiError {
    /// The HTTP status for this error.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::MalformedJson(_) => 400,
            ApiError::InvalidUtf8 { .. } => 400,
            ApiError::InvalidRequest(_) => 422,
            ApiError::UnsupportedMediaType(_) => 415,
            ApiError::PayloadTooLarge { .. } => 413,
            ApiError::UnknownSite => 404,
            ApiError::OriginNotAllowed => 403,
            ApiError::RateLimited { .. } => 429,
            ApiError::Unauthorized => 401,
            ApiError::Forbidden | ApiError::AutomatedClient => 403,
            ApiError::Conflict(_) => 409,
            ApiError::UnsupportedVersion(_) => 400,
            ApiError::NotFound => 404,
            ApiError::InvalidCursor | ApiError::UnboundCursor { .. } => 400,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::Unavailable => 503,
            ApiError::Misconfigured(_) => 503,
            ApiError::Internal => 500,
        }
    }

    /// The stable code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::InvalidUtf8 { .. } => "invalid_utf8",
            ApiError::InvalidRequest(_) => "invalid_request",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnknownSite => "unknown_site",
            ApiError::OriginNotAllowed => "origin_not_allowed",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::AutomatedClient => "automated_client",
            ApiError::Conflict(_) => "conflict",
            ApiError::UnsupportedVersion(_) => "unsupported_version",
            ApiError::NotFound => "not_found",
            ApiError::InvalidCursor | ApiError::UnboundCursor { .. } => "invalid_cursor",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::Unavailable => "unavailable",
            ApiError::Misconfigured(_) => "misconfigured",
            ApiError::Internal => "internal",
        }
    }

    /// The JSON body: `{"error":{"code":"...","message":"..."}}`.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Body<'a> {
            error: Detail<'a>,
        }
        #[derive(Serialize)]
        struct Detail<'a> {
            code: &'a str,
            message: String,
        }
        let body = Body {
            error: Detail {
                code: self.code(),
                message: self.to_string(),
            },
        };
        serde_json::to_string(&body).unwrap_or_else(|_| {
            r#"{"error":{"code":"internal","message":"internal error"}}"#.into()
        })
    }
}

/// Parses a JSON request body: broken JSON is `malformed_json` (400); JSON of
/// the wrong shape is `invalid_request` (422) naming the field.
/// A struct must be a JSON object (see `strict_json`).
/// Every JSON endpoint but `/v1/events` reads `application/json` only: a
/// form or `text/plain` is 415, not a body read as if it were JSON.
pub fn check_json_content_type(content_type: Option<&str>) -> Result<(), ApiError> {
    match content_type.and_then(super::ingest::media_type) {
        Some(media) if media.eq_ignore_ascii_case("application/json") => Ok(()),
        _ => Err(ApiError::UnsupportedMediaType("application/json")),
    }
}

/// The body of an endpoint that takes none, when one was sent: `{}` is
/// accepted, anything else is malformed or a request this endpoint does not
/// read.
pub fn check_no_body(body: &str) -> Result<(), ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Nothing {}
    parse_body::<Nothing>(body)
        .map(drop)
        .map_err(|error| match error {
            ApiError::InvalidRequest(_) => {
                ApiError::InvalidRequest("this endpoint takes no body (send none, or {})".into())
            }
            other => other,
        })
}

pub fn parse_body<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, ApiError> {
    super::strict_json::from_str(body).map_err(|error| match error {
        Ok(syntax) => ApiError::MalformedJson(syntax),
        Err(shape) => ApiError::InvalidRequest(shape),
    })
}

/// The field an `invalid_request` message names, and what it says of it:
/// `("url", "must start with https://")` from "invalid request: url: must
/// start with https://". `None` when no single field is named. Forms use it
/// to show the error beside the field.
pub fn invalid_field(message: &str) -> Option<(&str, &str)> {
    let plain = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.';
    // The first "name: " after the fixed words (which hold spaces) is the field.
    let mut rest = message;
    loop {
        let (head, tail) = rest.split_once(": ")?;
        if !head.is_empty() && head.chars().all(plain) {
            return Some((head, tail));
        }
        rest = tail;
    }
}

/// A request body as text: invalid UTF-8 is refused with the offset of the
/// first bad byte, never replaced with U+FFFD (which would store text the
/// client never sent).
pub fn decode_utf8(bytes: Vec<u8>) -> Result<String, ApiError> {
    String::from_utf8(bytes).map_err(|error| ApiError::InvalidUtf8 {
        part: Utf8Part::Body,
        at: error.utf8_error().valid_up_to(),
    })
}

/// A percent-encoded part of the URL, decoded, must be UTF-8 like a body:
/// `%ff` is refused, never kept as the three characters it was sent as (an
/// id `%ff` would name a site) nor replaced with U+FFFD (as `URLSearchParams`
/// would, so `q=%ff` searched for a character nobody sent).
fn check_escaped(value: &str, plus_is_space: bool, part: Utf8Part) -> Result<(), ApiError> {
    let bytes = super::attribution::unescape(value, plus_is_space);
    std::str::from_utf8(&bytes)
        .map(drop)
        .map_err(|error| ApiError::InvalidUtf8 {
            part,
            at: error.valid_up_to(),
        })
}

/// Every segment of a request's path (as the URL carries it, escaped) is
/// UTF-8 once percent-decoded; a path's `+` is a plus.
pub fn check_path(path: &str) -> Result<(), ApiError> {
    path.split('/')
        .try_for_each(|segment| check_escaped(segment, false, Utf8Part::PathSegment))
}

/// A query's parameter names, decoded as a URL's query is (`limit` and
/// `l%69mit` are one name).
fn parameter_names(query: &str) -> Vec<String> {
    super::attribution::query_pairs(query)
        .map(|(name, _)| super::attribution::percent_decode(name))
        .collect()
}

/// A query parameter named more than once, if any. A parameter means one
/// thing, so `?limit=1&limit=99999` is refused rather than read by
/// whichever value a reader takes first.
pub fn repeated_parameter(query: &str) -> Option<String> {
    repeated_name(parameter_names(query))
}

/// A name `names` holds twice; sorted, so a long query costs n log n.
fn repeated_name(mut names: Vec<String>) -> Option<String> {
    names.sort_unstable();
    names.windows(2).find_map(|pair| match pair {
        [first, second] if first == second => Some(first.clone()),
        _ => None,
    })
}

/// A request's query against the parameters its endpoint reads (`known`):
/// one it does not read, or one given twice, is the API's error (422); a
/// value that is not UTF-8 once decoded is refused (400 `invalid_utf8`).
pub fn check_parameters(query: &str, known: &[&str]) -> Result<(), ApiError> {
    let names = parameter_names(query);
    if let Some(name) = names.iter().find(|name| !known.contains(&name.as_str())) {
        let takes = if known.is_empty() {
            "this endpoint takes no query parameters".to_owned()
        } else {
            ["this endpoint takes ", &known.join(", ")].concat()
        };
        return Err(ApiError::InvalidRequest(format!(
            "{}: not a query parameter here ({takes})",
            echoed(name)
        )));
    }
    if let Some(name) = repeated_name(names) {
        return Err(ApiError::InvalidRequest(format!(
            "{}: a query parameter given more than once",
            echoed(&name)
        )));
    }
    // A name that is not UTF-8 is no known name: only values are left.
    super::attribution::query_pairs(query)
        .try_for_each(|(_, value)| check_escaped(value, true, Utf8Part::QueryParameter))
}

/// A name from the request as an error repeats it: at most 60 characters
/// (a URL may hold a name of thousands).
fn echoed(name: &str) -> String {
    let mut shown: String = name.chars().take(60).collect();
    if shown.len() < name.len() {
        shown.push('…');
    }
    shown
}

/// Answer of `GET /v1/health`.
#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
    pub wire_version: u64,
    /// `ok` when a round trip to D1 succeeded.
    pub storage: &'static str,
}

/// A whole number in a query parameter, as digits only: Rust's `parse`
/// also takes a sign, so `limit=%2B5` was read as 5 where `days=%2B5` was
/// refused (an outside audit); every parameter now reads numbers alike.
pub fn query_number<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The token of an `Authorization` header value in the Bearer scheme. The
/// scheme is case-insensitive and followed by one or more spaces (RFC 9110
/// §11.1, RFC 6750 §2.1), so `bearer abc` is `abc`; `None` for another
/// scheme or an empty token.
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_numbers_are_digits_only() {
        assert_eq!(query_number::<u32>("5"), Some(5));
        assert_eq!(query_number::<u32>("0005"), Some(5));
        for text in ["+5", "-5", " 5", "5 ", "", "5e2", "0x5", "99999999999"] {
            assert_eq!(query_number::<u32>(text), None, "{text}");
        }
    }

    #[test]
    fn a_query_parameter_is_given_once() {
        for (query, repeated) in [
            ("", None),
            ("?", None),
            ("?after=0", None),
            ("?days=7&team=support", None),
            ("after=0&after=abc", Some("after")),
            ("?limit=1&cursor=x&limit=99999", Some("limit")),
            ("?l%69mit=1&limit=2", Some("limit")),
            ("?a+b=1&a%20b=2", Some("a b")),
            ("?site&site=demo", Some("site")),
            ("?&&a=1&&b=2&", None),
            ("?A=1&a=2", None),
        ] {
            assert_eq!(repeated_parameter(query).as_deref(), repeated, "{query}");
        }
        let insights = ["days", "team"];
        let error = check_parameters("?days=7&days=9999", &insights).map_err(|e| e.to_string());
        assert_eq!(
            error,
            Err("invalid request: days: a query parameter given more than once".into())
        );
        assert_eq!(check_parameters("?days=7&team=support", &insights), Ok(()));
        assert_eq!(check_parameters("", &[]), Ok(()));
        let error =
            check_parameters("?from=2026-01-01&days=7", &insights).map_err(|e| e.to_string());
        assert_eq!(
            error,
            Err("invalid request: from: not a query parameter here (this endpoint takes days, team)".into())
        );
        let error = check_parameters("?v=2", &[]).map_err(|e| e.to_string());
        assert_eq!(
            error,
            Err("invalid request: v: not a query parameter here (this endpoint takes no query parameters)".into())
        );
        // Names are compared decoded and as they are (`Days` is not `days`).
        assert_eq!(check_parameters("?d%61ys=7", &insights), Ok(()));
        assert!(check_parameters("?Days=7", &insights).is_err());
        // A long name is not echoed whole.
        let long = format!("?{}=1", "x".repeat(5000));
        let error = check_parameters(&long, &[]).map_err(|e| e.to_string());
        assert_eq!(
            error,
            Err(format!(
                "invalid request: {}…: not a query parameter here (this endpoint takes no query parameters)",
                "x".repeat(60)
            ))
        );
        // A hostile query of many names is judged in one pass.
        let many: String = (0..50_000).map(|i| format!("p{i}=1&")).collect();
        assert_eq!(repeated_parameter(&many), None);
        assert_eq!(
            repeated_parameter(&(many + "p49999=2")).as_deref(),
            Some("p49999")
        );
    }

    #[test]
    fn a_bearer_token_is_read_whatever_the_case_of_its_scheme() {
        for value in ["Bearer abc", "bearer abc", "BEARER  abc ", " Bearer abc"] {
            assert_eq!(bearer_token(value), Some("abc"), "{value:?}");
        }
        for value in [
            "Basic abc",
            "Bearer",
            "Bearer ",
            "Bearerabc",
            "Token abc",
            "",
        ] {
            assert_eq!(bearer_token(value), None, "{value:?}");
        }
    }

    #[test]
    fn every_error_has_a_json_body_with_its_code() {
        let errors = [
            ApiError::MalformedJson("eof".into()),
            ApiError::InvalidUtf8 {
                part: Utf8Part::Body,
                at: 3,
            },
            ApiError::InvalidRequest("events: too many".into()),
            ApiError::UnsupportedMediaType("application/json"),
            ApiError::PayloadTooLarge { limit: 65536 },
            ApiError::UnknownSite,
            ApiError::OriginNotAllowed,
            ApiError::RateLimited { retry_after_s: 30 },
            ApiError::Unauthorized,
            ApiError::Forbidden,
            ApiError::AutomatedClient,
            ApiError::Conflict("closed".into()),
            ApiError::UnsupportedVersion(9),
            ApiError::NotFound,
            ApiError::InvalidCursor,
            ApiError::UnboundCursor { since: 5 },
            ApiError::MethodNotAllowed {
                method: "PUT".into(),
                allow: "POST",
            },
            ApiError::Unavailable,
            ApiError::Misconfigured("ADMIN_TOKEN is too short"),
            ApiError::Internal,
        ];
        for error in errors {
            let body: serde_json::Value = serde_json::from_str(&error.to_json()).unwrap();
            assert_eq!(body["error"]["code"], error.code());
            assert!(body["error"]["message"].as_str().unwrap().len() > 3);
            assert!((400..600).contains(&error.status()));
        }
    }

    #[test]
    fn invalid_requests_name_their_field() {
        let message = ApiError::InvalidRequest("url: must start with https://".into()).to_string();
        assert_eq!(
            invalid_field(&message),
            Some(("url", "must start with https://"))
        );
        let message =
            ApiError::InvalidRequest("filter.events: a segment destination cannot carry x".into())
                .to_string();
        assert_eq!(invalid_field(&message).map(|f| f.0), Some("filter.events"));
        // serde's own messages name no single field this way.
        let message = ApiError::InvalidRequest("missing field `url` at line 1".into()).to_string();
        assert_eq!(invalid_field(&message), None);
        assert_eq!(invalid_field("the worker could not be reached"), None);
    }

    #[test]
    fn bodies_must_be_utf8_and_the_first_bad_byte_is_named() {
        assert_eq!(
            decode_utf8(b"{\"a\":1}".to_vec()).as_deref(),
            Ok("{\"a\":1}")
        );
        assert_eq!(decode_utf8("é✓".as_bytes().to_vec()).as_deref(), Ok("é✓"));
        let error = decode_utf8(b"{\"t\":\"\xff\"}".to_vec()).unwrap_err();
        assert_eq!(
            error,
            ApiError::InvalidUtf8 {
                part: Utf8Part::Body,
                at: 6
            }
        );
        assert_eq!((error.status(), error.code()), (400, "invalid_utf8"));
        // A truncated sequence at the end is refused too, not completed.
        assert_eq!(
            decode_utf8(vec![b'a', 0xc3]),
            Err(ApiError::InvalidUtf8 {
                part: Utf8Part::Body,
                at: 1
            })
        );
    }

    /// The offset `check_path`/`check_parameters` name, or `Ok`.
    fn refused_at(result: Result<(), ApiError>, part: Utf8Part) -> Result<(), usize> {
        result.map_err(|error| match error {
            ApiError::InvalidUtf8 { part: found, at } if found == part => at,
            other => panic!("{other:?}"),
        })
    }

    #[test]
    fn ids_and_query_values_that_are_not_utf8_once_decoded_are_refused() {
        let path = |p: &str| refused_at(check_path(p), Utf8Part::PathSegment);
        assert_eq!(path("/v1/admin/sites/%ff%fe"), Err(0));
        assert_eq!(
            path("/v1/admin/sites/demo/teams/%C0%AF"),
            Err(0),
            "overlong"
        );
        assert_eq!(path("/v1/admin/sites/demo/visitors/ab%ff"), Err(2));
        assert_eq!(
            path("/v1/admin/sites/shop%20eu/teams/%C3%A9quipe+vente"),
            Ok(())
        );
        assert_eq!(path("/v1/admin/sites/a%zz%"), Ok(()), "not escapes: text");
        let query = |q: &str| {
            refused_at(
                check_parameters(q, &["q", "team"]),
                Utf8Part::QueryParameter,
            )
        };
        assert_eq!(query("?q=%ff"), Err(0));
        assert_eq!(query("?team=support&q=caf%C3"), Err(3), "cut short");
        // A name that is not UTF-8 is not one the endpoint reads.
        assert!(matches!(
            check_parameters("?%ff=1", &["q"]),
            Err(ApiError::InvalidRequest(_))
        ));
        assert_eq!(query("?q=caf%C3%A9+au+lait&team=%F0%9F%9A%80"), Ok(()));
        let error = check_path("/v1/admin/sites/%ff").unwrap_err();
        assert_eq!((error.status(), error.code()), (400, "invalid_utf8"));
        assert!(error
            .to_string()
            .starts_with("a path segment, percent-decoded, is not valid UTF-8"));
    }

    proptest::proptest! {
        /// Any bytes escaped into an id or a query value: refused exactly
        /// when they are not UTF-8, at the offset a body's reader names.
        #[test]
        fn escaped_bytes_are_refused_exactly_when_they_are_not_utf8(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..10),
            text in "\\PC{0,4}",
            plain in "[a-z0-9_-]{0,6}",
        ) {
            // Half the cases valid UTF-8 (text), half any bytes.
            for raw in [bytes.clone(), [text.as_bytes(), &bytes].concat(), text.clone().into_bytes()] {
                let escaped: String = raw.iter().map(|b| format!("%{b:02X}")).collect();
                let expected = std::str::from_utf8(&raw).map(drop).map_err(|e| e.valid_up_to());
                let path = format!("/v1/admin/sites/{plain}{escaped}/visitors/{plain}");
                proptest::prop_assert_eq!(
                    refused_at(check_path(&path), Utf8Part::PathSegment),
                    expected.map_err(|at| plain.len() + at)
                );
                let query = format!("?team={plain}&q={plain}{escaped}");
                proptest::prop_assert_eq!(
                    refused_at(check_parameters(&query, &["q", "team"]), Utf8Part::QueryParameter),
                    expected.map_err(|at| plain.len() + at)
                );
                if expected.is_err() {
                    let body = decode_utf8([plain.as_bytes(), &raw].concat()).unwrap_err();
                    proptest::prop_assert_eq!(
                        body,
                        ApiError::InvalidUtf8 { part: Utf8Part::Body, at: plain.len() + expected.unwrap_err() }
                    );
                }
            }
        }
    }

    #[test]
    fn internal_errors_do_not_leak_details() {
        assert_eq!(
            ApiError::Internal.to_json(),
            r#"{"error":{"code":"internal","message":"internal error"}}"#
        );
    }
}
