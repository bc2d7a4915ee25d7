//! Ingestion of touchpoint batches (`POST /v1/events`). The edge hands the raw
//! request parts to these functions and carries out the plan they return: one
//! atomic D1 batch of idempotent inserts.
//!
//! A batch is judged as a whole only for what makes it unreadable (syntax,
//! version, shape, size); each event is then judged on its own, so one bad
//! event never costs the good ones beside it. Rejections are itemised in the
//! receipt so nothing is lost silently.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use super::api::ApiError;
use super::event::{EventKind, WIRE_VERSION};
use super::ids::is_valid_client_id;
use super::page_type::{page_type, PageRule};
use super::pii;
use super::url_privacy::{mask_path, MASK_TOKEN};

/// A path without its query string or fragment; a hash route (`#/settings`)
/// is part of a single-page app's path and is kept.
fn path_only(path: &str) -> &str {
    let query = path.bytes().position(|b| b == b'?').unwrap_or(path.len());
    let fragment = path
        .match_indices('#')
        .map(|(at, _)| at)
        .find(|&at| !path.get(at..).is_some_and(|rest| rest.starts_with("#/")))
        .unwrap_or(path.len());
    path.get(..query.min(fragment)).unwrap_or(path)
}

/// What replaces the value of a `name=value` pair in a path that names a
/// secret.
const MASK_SECRET: &str = ":secret";

/// Words that, in the name of a `name=value` pair inside a path segment,
/// make its value a secret: hash routes and matrix parameters carry them
/// (`#/callback&access_token=…`, `/login;password=…`).
const SECRET_NAMES: [&str; 10] = [
    "pass", "pwd", "token", "secret", "key", "auth", "session", "sig", "otp", "code",
];

/// The path with the values of `name=value` pairs whose name names a secret
/// masked, in every segment (the edge's second look at a recorded path, beside
/// `url_privacy::mask_path`; the recorder's script stays small).
fn mask_secret_values(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(equals) = rest.find('=') {
        let (before, after) = rest.split_at(equals);
        let name_start = before
            .rfind(['/', '&', ';', '?', '#'])
            .map_or(0, |at| at + 1);
        let name = before
            .get(name_start..)
            .unwrap_or_default()
            .to_ascii_lowercase();
        out.push_str(before);
        out.push('=');
        let value = after.get(1..).unwrap_or_default();
        let end = value.find(['/', '&', ';', '#']).unwrap_or(value.len());
        if end > 0 && SECRET_NAMES.iter().any(|word| name.contains(word)) {
            out.push_str(MASK_SECRET);
        } else {
            out.push_str(value.get(..end).unwrap_or_default());
        }
        rest = value.get(end..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// Whether a path segment looks like a random token that the recorder's
/// rule (20 bytes with four digits and four letters) lets through, as random
/// base62 and base64url do ("PpD5KHXe3PYiGkPAuNaRL6",
/// "cs_live_18hyludgPWzz6HCMCKexFZcH"): 16 bytes or more, few separators,
/// a digit, lower case, two capitals side by side, and the classes (capital,
/// small, digit) changing at least every third byte. Names in CamelCase or
/// with an acronym ("HTMLCanvasElement", "COVID-19_pandemic") fail one of
/// these; a percent-escaped word ("m%C3%BCnchen") is never a token.
fn looks_random(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    let count = |test: fn(&u8) -> bool| bytes.iter().filter(|b| test(b)).count();
    let class = |b: &u8| {
        (
            b.is_ascii_uppercase(),
            b.is_ascii_lowercase(),
            b.is_ascii_digit(),
        )
    };
    let alphanumeric: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(u8::is_ascii_alphanumeric)
        .collect();
    let runs = 1 + alphanumeric
        .windows(2)
        .filter(|w| class(&w[0]) != class(&w[1]))
        .count();
    bytes.len() >= 16
        && !bytes.contains(&b'%')
        && count(|b| matches!(b, b'-' | b'_' | b'.')) * 8 < bytes.len()
        && count(u8::is_ascii_digit) >= 1
        && count(u8::is_ascii_lowercase) >= 2
        && runs * 3 >= bytes.len()
        && bytes
            .windows(2)
            .any(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase())
}

/// A recorded path as stored: segments that look like an e-mail, a long
/// number or a token masked (the recorder's rule), the values of
/// secret-named pairs masked, random-looking segments masked
/// (`looks_random`), then whatever personal data the redactor still finds.
fn clean_path(path: &str) -> String {
    let path = mask_secret_values(&mask_path(path));
    let masked: Vec<&str> = path
        .split('/')
        .map(|segment| {
            if looks_random(segment) {
                MASK_TOKEN
            } else {
                segment
            }
        })
        .collect();
    without_pii_in_path(masked.join("/"))
}

/// Where a URL's authority (`user:password@host:port`) lies: after its `://`
/// (or a leading `//`) up to its path, query or fragment.
fn authority(url: &str) -> Option<(usize, usize)> {
    let start = match url.find("://") {
        Some(at) => at + 3,
        None if url.starts_with("//") => 2,
        None => return None,
    };
    let end = url
        .get(start..)?
        .find(['/', '?', '#'])
        .map_or(url.len(), |at| start + at);
    Some((start, end))
}

/// The URL without the `user:password@` of its authority: a secret, never
/// part of the host. Browsers end user info at the authority's last `@`.
fn without_userinfo(url: &str) -> String {
    let Some((start, end)) = authority(url) else {
        return url.to_owned();
    };
    let host = url
        .get(start..end)
        .and_then(|authority| authority.rfind('@'))
        .map_or(start, |at| start + at + 1);
    [
        url.get(..start).unwrap_or_default(),
        url.get(host..).unwrap_or_default(),
    ]
    .concat()
}

/// A referrer or link target as stored: scheme, host and port, then the path
/// masked exactly as a page's path is; user info, query and fragment go (a
/// hash route too: browsers send referrers without one and the recorder drops
/// it from targets). The user info goes before the redactor reads the URL,
/// which took a password with an `@` and the host after it for an e-mail.
fn clean_url(url: &str) -> String {
    let url = without_userinfo(url);
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let url = url.get(..end).unwrap_or_default();
    let Some((_, path_start)) = authority(url) else {
        return without_pii_text(url.to_owned());
    };
    let mut out = url.get(..path_start).unwrap_or_default().to_owned();
    let path = url.get(path_start..).unwrap_or_default();
    if !path.is_empty() {
        out.push_str(&clean_path(path));
    }
    // The host is read too, as before: an IP address is personal data.
    without_pii_text(out)
}

/// A browser's language tag (`de-DE`, `es-419`, some webviews' `de_DE`)
/// or nothing: a language of 2 to 8 letters, then subtags of 1 to 8 letters
/// or digits, and at most four digits in all. The field holds a label,
/// never free text, nor a number (`4111-1111-1111-1111`).
pub fn is_language_tag(text: &str) -> bool {
    let mut subtags = text.split(['-', '_']);
    let language = subtags.next().unwrap_or_default();
    text.is_empty()
        || ((2..=8).contains(&language.len())
            && language.bytes().all(|b| b.is_ascii_alphabetic())
            && subtags.all(|s| {
                (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
            })
            && few_digits(text))
}

/// A consented visitor id as the recorder makes it, or nothing: at most 64
/// letters, digits and `-` (a label, never free text).
pub fn is_visitor_id(text: &str) -> bool {
    text.len() <= 64 && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// An IANA time zone name (`America/Argentina/Buenos_Aires`, `Etc/GMT+10`,
/// `EST5EDT`, `UTC`) or nothing: one to three parts, each a letter, then
/// letters, `_` and `-`, with at most one group of one or two digits (after
/// an optional sign) — never a number. openapi.json states the same pattern.
fn is_time_zone(text: &str) -> bool {
    let part_ok = |part: &str| {
        let word = |b: &u8| b.is_ascii_alphabetic() || matches!(b, b'_' | b'-');
        let bytes = part.as_bytes();
        let letters = |from: usize| {
            from + bytes
                .get(from..)
                .map_or(0, |rest| rest.iter().take_while(|b| word(b)).count())
        };
        let mut at = letters(1);
        // The `-` of "-3" was read as a word byte; a digit group may follow it.
        if matches!(bytes.get(at), Some(b'+')) {
            at += 1;
        }
        let digits = bytes.get(at..).map_or(0, |rest| {
            rest.iter().take_while(|b| b.is_ascii_digit()).count()
        });
        bytes.first().is_some_and(u8::is_ascii_alphabetic)
            && digits <= 2
            && letters(at + digits) == bytes.len()
    };
    let parts = text.split('/').count();
    text.is_empty() || ((1..=3).contains(&parts) && text.split('/').all(part_ok))
}

/// At most four digits: what a language tag or a zone name can hold.
fn few_digits(text: &str) -> bool {
    text.bytes().filter(u8::is_ascii_digit).count() <= 4
}

/// Free text with any personal data the redactor finds replaced by tags.
/// A path without personal data: each segment read alone as well as the
/// whole, since the redactor reads digits right after a `/` as part of a
/// date or a list ("12/29"), and so left a phone number that fills a
/// segment (`/suche/0170%207744834`, an outside audit's find).
fn without_pii_in_path(path: String) -> String {
    let segments: Vec<String> = path
        .split('/')
        .map(|segment| without_pii_text(segment.to_owned()))
        .collect();
    without_pii_text(segments.join("/"))
}

fn without_pii_text(text: String) -> String {
    if pii::find_bytes(&text).is_empty() {
        text
    } else {
        pii::redact(&text).redacted
    }
}

/// A prop's value without personal data, read after its key as a label
/// would be in text: `{"phone": "2025550143"}` is a phone number though
/// the digits alone have no phone's shape, as "phone: 2025550143" is.
fn without_pii_prop(key: &str, value: &str) -> String {
    let clean = without_pii_text(value.to_owned());
    if clean != value {
        return clean;
    }
    let label = [key, ": "].concat();
    let labelled = [label.as_str(), value].concat();
    let redacted = without_pii_text(labelled.clone());
    if redacted == labelled {
        return clean;
    }
    // What the label made personal data is in the value (the key was
    // redacted already): the value's part of the redacted text.
    match redacted.strip_prefix(label.as_str()) {
        Some(value) => value.to_owned(),
        None => pii::redact(&labelled).redacted,
    }
}

/// Largest accepted body: the browser's keepalive limit for in-flight requests.
pub const MAX_BODY_BYTES: u32 = 64 * 1024;
/// Most events in one batch.
pub const MAX_EVENTS_PER_BATCH: usize = 200;
/// Events further in the future than this (after skew correction) are rejected.
pub const MAX_FUTURE_MS: i64 = 5 * 60 * 1000;
/// Events older than this are rejected (an offline queue may hold events for days).
pub const MAX_AGE_MS: i64 = 30 * 24 * 60 * 60 * 1000;

const MAX_PATH: usize = 2048;
const MAX_TITLE: usize = 512;
const MAX_LANGUAGE: usize = 35;
const MAX_TIME_ZONE: usize = 64;
const MAX_VIEWPORT: u32 = 100_000;
const MAX_LABEL: usize = 100;
const MAX_PROPS: usize = 20;
const MAX_PROP_VALUE: usize = 200;
/// A day: longer engagement reports are clock errors.
const MAX_ENGAGED_MS: u64 = 24 * 60 * 60 * 1000;

/// Accepts JSON, and `text/plain` because `navigator.sendBeacon` and
/// preflight-free cross-origin `fetch` send that.
pub fn check_content_type(content_type: Option<&str>) -> Result<(), ApiError> {
    let essence = content_type
        .and_then(media_type)
        .map(str::to_ascii_lowercase);
    match essence.as_deref() {
        Some("application/json" | "text/plain") => Ok(()),
        _ => Err(ApiError::UnsupportedMediaType(
            "application/json or text/plain",
        )),
    }
}

/// A `Content-Type` value's media type, without its parameters
/// (`application/json; charset=utf-8` → `application/json`), as sent;
/// `None` when it declares a charset other than UTF-8 (or ASCII, a part of
/// it): bodies are read as UTF-8, so `charset=latin1` is refused, not misread.
pub fn media_type(content_type: &str) -> Option<&str> {
    let mut parts = content_type.split(';');
    let media = parts.next().unwrap_or_default().trim();
    let foreign = parts
        .filter_map(|p| p.split_once('='))
        .any(|(name, value)| {
            let value = value.trim().trim_matches('"');
            name.trim().eq_ignore_ascii_case("charset")
                && !["utf-8", "utf8", "us-ascii"]
                    .iter()
                    .any(|ok| value.eq_ignore_ascii_case(ok))
        });
    (!foreign).then_some(media)
}

/// Rejects a body by its declared or actual length before parsing it.
pub fn check_body_length(length: u64) -> Result<(), ApiError> {
    if length > u64::from(MAX_BODY_BYTES) {
        Err(ApiError::PayloadTooLarge {
            limit: MAX_BODY_BYTES,
        })
    } else {
        Ok(())
    }
}

#[derive(Deserialize)]
struct WireBatch<E> {
    v: u64,
    site: String,
    sent_at: u64,
    #[serde(default)]
    dropped: u32,
    /// The visitor asked not to be tracked (Do Not Track or Global Privacy Control).
    #[serde(default)]
    dnt: bool,
    /// A random id the recorder keeps only with the visitor's consent.
    #[serde(default)]
    visitor: String,
    /// `identify(userId, hmac)`: trusted only if the HMAC verifies at the edge.
    #[serde(default)]
    user: String,
    #[serde(default)]
    user_hmac: String,
    /// The browser's IANA time zone, for events that do not carry their own
    /// (the recorder resolves it once per page, off its start-up path).
    #[serde(default)]
    tz: String,
    events: Vec<E>,
}

/// One event of a batch as received: its text (read straight into
/// `WireEvent`), or a value already parsed by the strict reading.
enum EventSource<'a> {
    Text(&'a RawValue),
    Parsed(Value),
}

impl<E> WireBatch<E> {
    fn with_events<F>(self, events: Vec<F>) -> WireBatch<F> {
        WireBatch {
            v: self.v,
            site: self.site,
            sent_at: self.sent_at,
            dropped: self.dropped,
            dnt: self.dnt,
            visitor: self.visitor,
            user: self.user,
            user_hmac: self.user_hmac,
            tz: self.tz,
            events,
        }
    }
}

/// Reads a batch. The fast path reads an object straight into its types;
/// whatever it does not take (anything unusual: an integer written `1.0`, a
/// repeated key, any error) goes the strict way through `Value`, which
/// decides alone what is accepted and how errors read.
fn read_batch(body: &str, fast: bool) -> Result<WireBatch<EventSource<'_>>, ApiError> {
    // `RawValue` lets an escaped half of a surrogate pair through, which the
    // events' own reading would then refuse one by one: such a body takes
    // the slow path, which refuses it whole, as every other endpoint does.
    if fast && body.trim_start().starts_with('{') && !escapes_a_surrogate(body) {
        if let Ok(batch) = serde_json::from_str::<WireBatch<&RawValue>>(body) {
            let events = batch.events.iter().map(|e| EventSource::Text(e)).collect();
            return Ok(batch.with_events(events));
        }
    }
    // Parsed once; the events are moved out before the envelope is read, so
    // the strict reading below does not copy them (each is read on its own).
    let mut value: Value = serde_json::from_str(body)
        .map_err(|e| ApiError::MalformedJson(super::strict_json::syntax_message(&e)))?;
    let events = match value.get_mut("events") {
        Some(Value::Array(events)) => core::mem::take(events),
        // No list of events: the strict reading names what is wrong.
        _ => Vec::new(),
    };
    let batch: WireBatch<Value> = super::strict_json::from_value(value)
        .map_err(|e| ApiError::InvalidRequest(e.to_string()))?;
    Ok(batch.with_events(events.into_iter().map(EventSource::Parsed).collect()))
}

/// Whether `body` holds a `\uD800`–`\uDFFF` escape (whole pairs too: rare
/// enough to read slowly).
fn escapes_a_surrogate(body: &str) -> bool {
    body.as_bytes().windows(4).any(|w| {
        w[0] == b'\\'
            && w[1] == b'u'
            && matches!(w[2], b'd' | b'D')
            && matches!(w[3], b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F')
    })
}

/// Reads one event, the same two ways as `read_batch`; a failure carries the
/// event's id when it has one, for the receipt.
fn read_event(source: EventSource<'_>) -> Result<WireEvent, (Option<String>, String)> {
    let value = match source {
        EventSource::Text(text) => {
            if text.get().starts_with('{') {
                if let Ok(event) = serde_json::from_str::<WireEvent>(text.get()) {
                    return Ok(event);
                }
            }
            serde_json::from_str::<Value>(text.get()).map_err(|e| (None, e.to_string()))?
        }
        EventSource::Parsed(value) => value,
    };
    let id = value.get("id").and_then(Value::as_str).map(str::to_owned);
    super::strict_json::from_value(value).map_err(|e| (id, e.to_string()))
}

#[derive(Deserialize)]
struct WireEvent {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    ts: u64,
    path: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    referrer: String,
    #[serde(default)]
    vw: u32,
    #[serde(default)]
    vh: u32,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    tz: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    utm_source: String,
    #[serde(default)]
    utm_medium: String,
    #[serde(default)]
    utm_campaign: String,
    #[serde(default)]
    utm_term: String,
    #[serde(default)]
    utm_content: String,
    #[serde(default)]
    click_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    props: BTreeMap<String, Value>,
    #[serde(default)]
    engaged_ms: u64,
    #[serde(default)]
    scroll: u32,
    #[serde(default)]
    fields: u32,
}

/// An event ready to store. Times are server-corrected milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub id: String,
    pub kind: &'static str,
    pub occurred_at_ms: i64,
    pub path: String,
    pub title: String,
    pub referrer: String,
    pub viewport_width: u32,
    pub viewport_height: u32,
    pub language: String,
    pub time_zone: String,
    pub channel: String,
    pub source_name: String,
    pub utm_source: String,
    pub utm_medium: String,
    pub utm_campaign: String,
    pub utm_term: String,
    pub utm_content: String,
    pub click_id: String,
    /// Search words from a referrer that still carried them (senders that
    /// forward the full referrer; the recorder sends none). Stored as the
    /// term only for sites that allow it (`IngestPlan::keep_search_terms`).
    pub search_term: String,
    pub name: String,
    pub target: String,
    /// Properties as a JSON object of strings (empty when none).
    pub props_json: String,
    pub engaged_ms: u64,
    pub scroll_percent: u32,
    pub fields: u32,
}

/// Why one event of a batch was not stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// Position of the event in the batch.
    pub index: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub reason: String,
}

/// What to do with a readable batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestPlan {
    /// The site's public key, to be checked against storage.
    pub site: String,
    /// Events the recorder reported dropping before this batch.
    pub dropped_by_client: u32,
    /// Keep nothing identifying (no visitor key, no visitor id).
    pub do_not_track: bool,
    /// The consented visitor id, if any.
    pub visitor_id: String,
    /// The site's user id and its HMAC, as claimed by the page (unverified).
    pub claimed_user: (String, String),
    pub rows: Vec<EventRow>,
    pub rejected: Vec<Rejection>,
}

/// The answer to a stored batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IngestReceipt {
    /// Events stored now.
    pub accepted: u32,
    /// Events already stored by an earlier delivery of the same ids.
    pub duplicates: u32,
    pub rejected: Vec<Rejection>,
    /// Echo of the client's drop report, so loss is visible to the sender too.
    pub dropped_by_client: u32,
    /// Events not stored because the sender is a bot.
    pub ignored_as_bot: u32,
}

impl IngestPlan {
    /// The visitor opted out in a way the batch does not say (the browser's
    /// `Sec-GPC` or `DNT` header): kept as a batch marked `dnt` is, with no
    /// visitor key, visitor id or user.
    pub fn opt_out(&mut self) {
        self.do_not_track = true;
        self.visitor_id.clear();
        self.claimed_user = (String::new(), String::new());
    }

    /// The receipt once storage reports how many rows were new.
    pub fn receipt(&self, newly_stored: u32) -> IngestReceipt {
        let total = u32::try_from(self.rows.len()).unwrap_or(u32::MAX);
        IngestReceipt {
            accepted: newly_stored,
            duplicates: total.saturating_sub(newly_stored),
            rejected: self.rejected.clone(),
            dropped_by_client: self.dropped_by_client,
            ignored_as_bot: 0,
        }
    }

    /// Applies the site's choice on search words from referrers (they can be
    /// personal; off by default): kept as the term where the campaign set
    /// none, or dropped.
    pub fn keep_search_terms(&mut self, allowed: bool) {
        for row in &mut self.rows {
            let term = core::mem::take(&mut row.search_term);
            if allowed && row.utm_term.is_empty() {
                row.utm_term = term;
            }
        }
    }

    /// The receipt when the sender is a bot: nothing is stored, and it says so.
    pub fn bot_receipt(&self) -> IngestReceipt {
        IngestReceipt {
            accepted: 0,
            duplicates: 0,
            rejected: self.rejected.clone(),
            dropped_by_client: self.dropped_by_client,
            ignored_as_bot: u32::try_from(self.rows.len()).unwrap_or(u32::MAX),
        }
    }
}

impl IngestPlan {
    /// Every row as one JSON array of positional arrays, in the order of
    /// the edge's insert (read back there with `json_each`): one bound value
    /// for the whole batch. The order puts what every event has first (id,
    /// type, time, path, title, page type), then what most have (referrer,
    /// viewport, language, time zone, engagement), then the rare (channel,
    /// source, campaign, click id, name, target, props, fields), and a row
    /// ends at its last value that is not empty or zero: a missing value
    /// stands for the column's default, and the usual row is about half as
    /// long (less to copy out of wasm, to send to D1 and for SQLite to read).
    /// The page type comes from the site's rules.
    pub fn rows_json(&self, page_rules: &[PageRule]) -> String {
        let mut out = String::with_capacity(self.rows.len() * 160);
        // A page view and its engagement share a path: decide its type once.
        let mut last_type: Option<(&str, String)> = None;
        out.push('[');
        for (n, row) in self.rows.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            let page = match &last_type {
                Some((path, kind)) if *path == row.path => kind.clone(),
                _ => {
                    let kind = page_type(&row.path, page_rules);
                    last_type = Some((&row.path, kind.clone()));
                    kind
                }
            };
            out.push('[');
            push_json_string(&mut out, &row.id);
            out.push(',');
            push_json_string(&mut out, row.kind);
            out.push(',');
            push_json_number(&mut out, row.occurred_at_ms);
            out.push(',');
            push_json_string(&mut out, &row.path);
            // Where the row may end: after its last value that is not empty or zero.
            let mut keep = out.len();
            for text in [&row.title, &page, &row.referrer] {
                push_text_column(&mut out, &mut keep, text);
            }
            push_number_column(&mut out, &mut keep, i64::from(row.viewport_width));
            push_number_column(&mut out, &mut keep, i64::from(row.viewport_height));
            push_text_column(&mut out, &mut keep, &row.language);
            push_text_column(&mut out, &mut keep, &row.time_zone);
            let engaged = i64::try_from(row.engaged_ms).unwrap_or(i64::MAX);
            push_number_column(&mut out, &mut keep, engaged);
            push_number_column(&mut out, &mut keep, i64::from(row.scroll_percent));
            for text in [
                &row.channel,
                &row.source_name,
                &row.utm_source,
                &row.utm_medium,
                &row.utm_campaign,
                &row.utm_term,
                &row.utm_content,
                &row.click_id,
                &row.name,
                &row.target,
                &row.props_json,
            ] {
                push_text_column(&mut out, &mut keep, text);
            }
            push_number_column(&mut out, &mut keep, i64::from(row.fields));
            out.truncate(keep);
            out.push(']');
        }
        out.push(']');
        out
    }
}

/// Appends `,"text"` to a row; `keep` moves past it unless it is empty.
fn push_text_column(out: &mut String, keep: &mut usize, text: &str) {
    out.push(',');
    push_json_string(out, text);
    if !text.is_empty() {
        *keep = out.len();
    }
}

/// Appends `,value` to a row; `keep` moves past it unless it is zero.
fn push_number_column(out: &mut String, keep: &mut usize, value: i64) {
    out.push(',');
    push_json_number(out, value);
    if value != 0 {
        *keep = out.len();
    }
}

/// Appends `text` as a JSON string: the runs that need no escape are copied whole.
fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    let mut run = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(text.get(run..at).unwrap_or_default());
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(super::json::hex_digit(byte >> 4));
            out.push(super::json::hex_digit(byte & 0xf));
        } else {
            out.push_str(escape);
        }
        run = at + 1;
    }
    out.push_str(text.get(run..).unwrap_or_default());
    out.push('"');
}

fn push_json_number(out: &mut String, value: i64) {
    if value < 0 {
        out.push('-');
    }
    super::json::push_u64(out, value.unsigned_abs());
}

/// The site a batch that `plan_batch` refused names, when it names one
/// that could exist: the edge checks that the site exists and takes this
/// origin before it says what else is wrong, so a caller that may not send
/// here learns nothing about the batch's rules.
pub fn claimed_site(body: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Envelope {
        site: String,
    }
    let site = serde_json::from_str::<Envelope>(body).ok()?.site;
    (!site.is_empty() && site.chars().count() <= 64).then_some(site)
}

/// Parses and validates a batch received at `received_at_ms` (server clock).
pub fn plan_batch(body: &str, received_at_ms: u64) -> Result<IngestPlan, ApiError> {
    plan_read(body, received_at_ms, true)
}

/// `plan_batch`, with or without the fast path (the tests hold them equal).
fn plan_read(body: &str, received_at_ms: u64, fast: bool) -> Result<IngestPlan, ApiError> {
    check_body_length(body.len() as u64)?;
    let batch = read_batch(body, fast)?;
    if batch.v != WIRE_VERSION {
        return Err(ApiError::UnsupportedVersion(batch.v));
    }
    if batch.site.is_empty() || batch.site.chars().count() > 64 {
        return Err(ApiError::InvalidRequest(
            "site must be 1 to 64 characters".into(),
        ));
    }
    if batch.events.is_empty() {
        return Err(ApiError::InvalidRequest("events must not be empty".into()));
    }
    if batch.events.len() > MAX_EVENTS_PER_BATCH {
        return Err(ApiError::InvalidRequest(
            "events: a batch holds at most 200 events".into(),
        ));
    }
    // The browser's clock may be wrong; its offset is the same for the batch
    // and the events in it, so correct each timestamp by it.
    let at = |ms: u64| i64::try_from(ms).unwrap_or(i64::MAX);
    let skew = at(received_at_ms).saturating_sub(at(batch.sent_at));
    if !is_visitor_id(&batch.visitor) {
        return Err(ApiError::InvalidRequest(
            "visitor must be at most 64 URL-safe characters".into(),
        ));
    }
    if batch.user.chars().count() > 128 || batch.user_hmac.chars().count() > 128 {
        return Err(ApiError::InvalidRequest(
            "user and user_hmac are at most 128 characters".into(),
        ));
    }
    if batch.tz.chars().count() > MAX_TIME_ZONE {
        return Err(ApiError::InvalidRequest("tz too long".into()));
    }
    if !is_time_zone(&batch.tz) {
        return Err(ApiError::InvalidRequest(
            "tz must be a time zone name (letters, digits, _ + - /)".into(),
        ));
    }
    let batch_zone = batch.tz;
    let mut plan = IngestPlan {
        site: batch.site,
        dropped_by_client: batch.dropped,
        do_not_track: batch.dnt,
        visitor_id: if batch.dnt {
            String::new()
        } else {
            batch.visitor
        },
        claimed_user: if batch.dnt {
            (String::new(), String::new())
        } else {
            (batch.user, batch.user_hmac)
        },
        rows: Vec::with_capacity(batch.events.len()),
        rejected: Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    for (index, source) in batch.events.into_iter().enumerate() {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        let event = match read_event(source) {
            Ok(event) => event,
            Err((id, reason)) => {
                plan.rejected.push(Rejection { index, id, reason });
                continue;
            }
        };
        let id = Some(event.id.clone());
        match validate_event(event, skew, received_at_ms as i64) {
            Ok(row) if !seen.insert(row.id.clone()) => plan.rejected.push(Rejection {
                index,
                id,
                reason: "duplicate id within the batch".into(),
            }),
            Ok(mut row) => {
                if row.time_zone.is_empty() {
                    row.time_zone.clone_from(&batch_zone);
                }
                plan.rows.push(row);
            }
            Err(reason) => plan.rejected.push(Rejection { index, id, reason }),
        }
    }
    Ok(plan)
}

fn validate_event(mut event: WireEvent, skew: i64, now: i64) -> Result<EventRow, String> {
    if !is_valid_client_id(&event.id) {
        return Err("id must be 16 to 64 URL-safe characters".into());
    }
    let kind = EventKind::parse(&event.kind).ok_or("unknown event type")?;
    // A `ts` past i64 (u64::MAX, say) is far in the future, not negative.
    let occurred_at_ms = i64::try_from(event.ts)
        .ok()
        .and_then(|ts| ts.checked_add(skew))
        .unwrap_or(i64::MAX);
    if occurred_at_ms > now.saturating_add(MAX_FUTURE_MS) {
        return Err("timestamp is in the future".into());
    }
    if occurred_at_ms < now - MAX_AGE_MS {
        return Err("timestamp is older than 30 days".into());
    }
    if !event.path.starts_with('/') || event.path.len() > MAX_PATH {
        return Err("path must start with / and be at most 2048 bytes".into());
    }
    if event.title.len() > MAX_TITLE || event.referrer.len() > MAX_PATH {
        return Err("title or referrer too long".into());
    }
    if event.lang.len() > MAX_LANGUAGE || event.tz.len() > MAX_TIME_ZONE {
        return Err("lang or tz too long".into());
    }
    if !is_language_tag(&event.lang) || !is_time_zone(&event.tz) {
        return Err("lang must be a language tag and tz a time zone name".into());
    }
    if event.vw > MAX_VIEWPORT || event.vh > MAX_VIEWPORT {
        return Err("viewport out of range".into());
    }
    if !event.channel.is_empty() && super::attribution::Channel::parse(&event.channel).is_none() {
        return Err("unknown channel".into());
    }
    let labels = [
        &event.source,
        &event.utm_source,
        &event.utm_medium,
        &event.utm_campaign,
        &event.utm_term,
        &event.utm_content,
        &event.click_id,
        &event.name,
    ];
    if labels.iter().any(|label| label.len() > MAX_LABEL) || event.target.len() > MAX_PATH {
        return Err("a campaign field, name or target is too long".into());
    }
    // The recorder lower-cases campaign values (ASCII, as GA4's channel
    // rules read a medium in any case): a hand-written sender's `CPC` is
    // paid search too, and `Spring-Sale` the same campaign as `spring-sale`.
    for value in [
        &mut event.utm_source,
        &mut event.utm_medium,
        &mut event.utm_campaign,
        &mut event.utm_term,
        &mut event.utm_content,
    ] {
        value.make_ascii_lowercase();
    }
    if event.props.len() > MAX_PROPS {
        return Err("at most 20 props".into());
    }
    let mut props = serde_json::Map::new();
    for (key, value) in event.props {
        let text = match &value {
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            Value::Bool(flag) => flag.to_string(),
            _ => return Err("props must be strings, numbers or booleans".into()),
        };
        if key.is_empty() {
            return Err("a prop key is empty".into());
        }
        if key.len() > MAX_LABEL || text.len() > MAX_PROP_VALUE {
            return Err("a prop key or value is too long".into());
        }
        // A key is a name the sender chose, but it can be filled from a form
        // as easily as a value ({"jo@example.com": true}).
        let key = without_pii_text(key);
        if props.contains_key(&key) {
            return Err("two prop keys are the same once personal data is removed".into());
        }
        // Numbers and booleans keep their type for exports and destinations,
        // unless the number reads as personal data (a phone number typed
        // into a numeric field): then it is the redacted text.
        let clean = without_pii_prop(&key, &text);
        let stored = match value {
            Value::Bool(_) => value,
            Value::Number(_) if clean == text => value,
            _ => Value::String(clean),
        };
        props.insert(key, stored);
    }
    if (kind == EventKind::Custom || kind == EventKind::Click) && event.name.is_empty() {
        return Err("custom and click events need a name".into());
    }
    if event.engaged_ms > MAX_ENGAGED_MS || event.scroll > 100 {
        return Err("engagement out of range".into());
    }
    // The browser decided the channel with its short lists; the full lists
    // refine it here from the campaign and the referrer's host.
    let mut channel = event.channel;
    let mut source_name = event.source;
    let mut search_term = String::new();
    if !channel.is_empty() {
        // The host is what follows any user info (`https://www.bing.com@evil.example/`
        // comes from evil.example); the query stays for the search words.
        let referrer = without_userinfo(&event.referrer);
        let campaign = super::attribution::Campaign {
            source: event.utm_source.clone(),
            medium: event.utm_medium.clone(),
            campaign: event.utm_campaign.clone(),
            term: event.utm_term.clone(),
            content: event.utm_content.clone(),
            click_id: event.click_id.clone(),
        };
        if let Some(refined) = super::referrers::refine(&channel, &campaign, &referrer, true) {
            channel = refined.channel.as_str().into();
            source_name = refined.source_name.into();
            search_term = refined.term.unwrap_or_default();
        }
    }
    // The recorder already masks URLs; check again here, for older or
    // hand-written senders: URLs keep origin and masked path only (never
    // user info), and free text loses any personal data the redactor finds.
    Ok(EventRow {
        id: event.id,
        kind: kind.as_str(),
        occurred_at_ms,
        path: clean_path(path_only(&event.path)),
        title: without_pii_text(event.title),
        referrer: clean_url(&event.referrer),
        viewport_width: event.vw,
        viewport_height: event.vh,
        language: event.lang,
        time_zone: event.tz,
        channel,
        source_name: without_pii_text(source_name),
        search_term: without_pii_text(search_term),
        // A campaign's values are free text a sender can fill with anything
        // (an e-mail in utm_term from a mailing tool). A click id is an
        // opaque token the ad network matches whole, which the redactor
        // leaves whole (its digits are glued to letters) unless it is
        // personal data itself.
        utm_source: without_pii_text(event.utm_source),
        utm_medium: without_pii_text(event.utm_medium),
        utm_campaign: without_pii_text(event.utm_campaign),
        utm_term: without_pii_text(event.utm_term),
        utm_content: without_pii_text(event.utm_content),
        click_id: without_pii_text(event.click_id),
        name: without_pii_text(event.name),
        target: clean_url(&event.target),
        props_json: if props.is_empty() {
            String::new()
        } else {
            Value::Object(props).to_string()
        },
        engaged_ms: event.engaged_ms,
        scroll_percent: event.scroll,
        fields: event.fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_values_in_a_path_are_masked_and_other_pairs_kept() {
        for (path, masked) in [
            ("/login/password=hunter2", "/login/password=:secret"),
            (
                "/app#/auth/callback&access_token=abcdefghijklmnopqrstuvwxyzABCD",
                "/app#/auth/callback&access_token=:secret",
            ),
            ("/x;jsessionid=ABC123/y", "/x;jsessionid=:secret/y"),
            ("/reset;Code=12ab/next", "/reset;Code=:secret/next"),
            ("/API_KEY=sk_live_51H8/page", "/API_KEY=:secret/page"),
            ("/shop/color=red&size=42", "/shop/color=red&size=42"),
            ("/a=b=c", "/a=b=c"),
            ("/token=", "/token="),
            ("/plain/path", "/plain/path"),
        ] {
            assert_eq!(mask_secret_values(path), masked, "{path}");
        }
    }

    /// What an outside audit found stored as sent: user info and secrets in
    /// referrers and link targets, which only page paths had masked.
    /// An outside audit's reset and invite links: random tokens with fewer
    /// than four digits passed the recorder's rule and were stored.
    #[test]
    fn random_tokens_in_paths_and_referrers_are_masked_before_storage() {
        for (path, stored) in [
            (
                "/reset-password/PpD5KHXe3PYiGkPAuNaRL6",
                "/reset-password/:token",
            ),
            (
                "/reset-password/cs_live_18hyludgPWzz6HCMCKexFZcH",
                "/reset-password/:token",
            ),
            (
                "/#/users/4ZQrgociJivhKX27NVbyQWLLJdNGJRtX",
                "/#/users/:token",
            ),
            ("/p/PrivacyPolicyAndTerms", "/p/PrivacyPolicyAndTerms"),
            ("/shop/iPhone15ProMaxCase", "/shop/iPhone15ProMaxCase"),
            (
                "/blog/winter-jackets-for-long-trips",
                "/blog/winter-jackets-for-long-trips",
            ),
            // A review's finds: escaped words and names with acronyms.
            ("/de/m%C3%BCnchen-hotels", "/de/m%C3%BCnchen-hotels"),
            (
                "/es/pol%C3%ADtica-de-privacidad",
                "/es/pol%C3%ADtica-de-privacidad",
            ),
            ("/Web/API/HTMLCanvasElement", "/Web/API/HTMLCanvasElement"),
            ("/docs/RTCPeerConnection", "/docs/RTCPeerConnection"),
            ("/wiki/COVID-19_pandemic", "/wiki/COVID-19_pandemic"),
            ("/wiki/NASA_Astronaut_Corps", "/wiki/NASA_Astronaut_Corps"),
            ("/img/HeroBanner_DE.webp", "/img/HeroBanner_DE.webp"),
        ] {
            assert_eq!(clean_path(path), stored, "{path}");
        }
        assert_eq!(
            clean_url("https://partner.example.org/invite/VkaG_qWSESAODj4ZQrbfhA"),
            "https://partner.example.org/invite/:token"
        );
        // Generated base62 tokens of 16 to 43 characters.
        const BASE62: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let (mut masked, mut total) = (0, 0);
        for length in 16..=43 {
            for _ in 0..100 {
                let token: String = (0..length)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        char::from(BASE62[(state % 62) as usize])
                    })
                    .collect();
                total += 1;
                masked +=
                    usize::from(clean_path(&["/invite/", &token].concat()) == "/invite/:token");
            }
        }
        assert!(masked * 100 >= total * 95, "{masked} of {total} masked");
    }

    #[test]
    fn referrers_and_targets_lose_user_info_and_secrets_and_keep_their_host() {
        for (url, stored) in [
            (
                "https://admin:p!ss-w0rd$@partner.example/",
                "https://partner.example/",
            ),
            (
                "https://bob:hunter2!@ref.example/path",
                "https://ref.example/path",
            ),
            (
                "https://cdn.example/dl/api_key=AKIAIOSFODNN7EXAMPLE/file.pdf",
                "https://cdn.example/dl/api_key=:secret/file.pdf",
            ),
            (
                "https://ref.example/reset/token=Zm9vYmFy",
                "https://ref.example/reset/token=:secret",
            ),
            // A password read as an e-mail took the host with it.
            ("https://u:p4ssw0rd@out.example/", "https://out.example/"),
            // Browsers read the authority up to its last `@`.
            (
                "https://a@b:c@d@host.example:8443/x",
                "https://host.example:8443/x",
            ),
            ("https://user@host.example", "https://host.example"),
            ("//admin:pw@host.example/a", "//host.example/a"),
            // An `@` after the authority is the path's, masked as an e-mail.
            (
                "https://host.example/u/jane@example.com",
                "https://host.example/u/:email",
            ),
            (
                "https://host.example/?next=//a:b@c",
                "https://host.example/",
            ),
            // Ordinary URLs are kept as they were.
            (
                "https://www.google.com/search?q=x",
                "https://www.google.com/search",
            ),
            ("https://shop.example", "https://shop.example"),
            (
                "https://shop.example:8080/a/b#c",
                "https://shop.example:8080/a/b",
            ),
            ("mailto:jane@example.com?subject=hi", "mailto:[email]"),
            ("", ""),
        ] {
            assert_eq!(clean_url(url), stored, "{url}");
        }
    }

    #[test]
    fn the_channel_is_refined_from_the_host_behind_any_user_info() {
        let channel = |referrer: &str| {
            let body = serde_json::json!({"v": 1, "site": "demo", "sent_at": NOW, "events": [
                {"id": "aaaaaaaaaaaaaaaa", "type": "pageview", "ts": NOW, "path": "/",
                 "referrer": referrer, "channel": "referral"}]})
            .to_string();
            let row = plan_batch(&body, NOW).unwrap().rows.remove(0);
            (row.channel, row.source_name, row.referrer)
        };
        assert_eq!(
            channel("https://u:pw@www.bing.com/search?q=x"),
            (
                "organic_search".into(),
                "Bing".into(),
                "https://www.bing.com/search".into()
            )
        );
        // The host is what follows the `@`, whatever precedes it.
        assert_eq!(
            channel("https://www.bing.com@evil.example/"),
            (
                "referral".into(),
                String::new(),
                "https://evil.example/".into()
            )
        );
    }

    mod url_properties {
        //! Generated referrers and link targets: whatever user info and
        //! secret-named `name=value` pair a URL carries, what is stored holds
        //! neither, and keeps the URL's host.

        use proptest::prelude::*;
        use proptest::sample::select;

        use super::super::*;
        use super::NOW;

        /// Lowercase words: no digits, capitals, `@` or `=`, so nothing of a
        /// host or a path can be masked itself, nor hold the capital and digit
        /// that start the user info and the secret.
        fn word() -> impl Strategy<Value = String> {
            "[a-z]{1,10}"
        }

        /// What a URL's user info can hold (no `/`, `?`, `#`, which end the
        /// authority); `@` too: browsers split at the last one.
        const USERINFO: &str = "[A-Za-z0-9._~!$&'()*+,;=%@-]{0,12}";

        fn userinfo() -> impl Strategy<Value = (String, String)> {
            (
                USERINFO.prop_map(|user| format!("U7{user}")),
                proptest::option::of(USERINFO.prop_map(|password| format!("P8{password}"))),
            )
                .prop_map(|(user, password)| match password {
                    Some(password) => (format!("{user}:{password}@"), password),
                    None => (format!("{user}@"), user),
                })
        }

        /// A `name=value` pair whose name says secret, in any case and with
        /// anything around the word; the value runs up to `/`, `&`, `;`, `#`
        /// or `?`, so it holds none of them.
        fn secret_pair() -> impl Strategy<Value = (String, String)> {
            (
                "[a-z_-]{0,5}",
                select(SECRET_NAMES.to_vec()),
                any::<bool>(),
                "[a-z_-]{0,5}",
                "[A-Za-z0-9._~!$'()*+,%=:-]{0,24}",
            )
                .prop_map(|(before, word, upper, after, value)| {
                    let word = if upper {
                        word.to_ascii_uppercase()
                    } else {
                        word.into()
                    };
                    let value = format!("S9{value}");
                    (format!("{before}{word}{after}={value}"), value)
                })
        }

        fn url() -> impl Strategy<Value = (String, String, String, String)> {
            (
                select(vec!["https", "http", "wss"]),
                proptest::collection::vec(word(), 1..4),
                proptest::option::of(1u16..),
                userinfo(),
                proptest::collection::vec(word(), 0..3),
                select(vec!["/", ";", "&", "/x;", "#/", "/a&"]),
                secret_pair(),
                proptest::collection::vec(word(), 0..3),
                select(vec!["", "?q=1", "#top", "?token=Sv1&b=2#f"]),
            )
                .prop_map(
                    |(
                        scheme,
                        labels,
                        port,
                        (userinfo, secret_user),
                        before,
                        joint,
                        (pair, secret),
                        after,
                        tail,
                    )| {
                        let host = labels.join(".");
                        let host = match port {
                            Some(port) => format!("{host}:{port}"),
                            None => host,
                        };
                        let origin = format!("{scheme}://{host}");
                        let url = format!(
                            "{scheme}://{userinfo}{host}/{}{joint}{pair}/{}{tail}",
                            before.join("/"),
                            after.join("/"),
                        );
                        (url, origin, secret_user, secret)
                    },
                )
        }

        proptest! {
            #[test]
            fn no_user_info_or_secret_is_stored_and_the_host_is_kept(
                (url, origin, user_info, secret) in url(),
            ) {
                let body = serde_json::json!({"v": 1, "site": "demo", "sent_at": NOW, "events": [
                    {"id": "aaaaaaaaaaaaaaaa", "type": "click", "name": "link", "ts": NOW, "path": "/",
                     "referrer": url, "target": url}]})
                .to_string();
                let plan = plan_batch(&body, NOW).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                let row = &plan.rows[0];
                for stored in [&row.referrer, &row.target] {
                    prop_assert!(!stored.contains(&user_info), "{url} → {stored}");
                    prop_assert!(!stored.contains(&secret), "{url} → {stored}");
                    prop_assert!(!stored.contains("U7") && !stored.contains('@'), "{url} → {stored}");
                    let rest = stored.strip_prefix(&origin);
                    prop_assert!(
                        rest.is_some_and(|rest| rest.is_empty() || rest.starts_with('/')),
                        "{url} → {stored}: not on {origin}"
                    );
                }
            }
        }
    }

    use crate::domain::event::{encode_batch, PageContext, Touchpoint};

    const NOW: u64 = 1_763_800_000_000;

    fn page_view(id: &str, ts: u64) -> Touchpoint {
        Touchpoint {
            id: id.into(),
            kind: EventKind::PageView,
            timestamp_ms: ts,
            page: PageContext {
                path: "/pricing".into(),
                title: "Pricing — \"Shop\"".into(),
                referrer: "https://www.google.com/search".into(),
                viewport_width: 1280,
                viewport_height: 720,
                language: "de-DE".into(),
                time_zone: "Europe/Berlin".into(),
            },
            ..Touchpoint::default()
        }
    }

    #[test]
    fn recorder_encoding_round_trips_through_ingestion() {
        let events = [
            page_view("aaaaaaaaaaaaaaaa", NOW - 10),
            page_view("bbbbbbbbbbbbbbbb", NOW - 5),
        ];
        let body = encode_batch("demo", NOW, 3, &events);
        let plan = plan_batch(&body, NOW).unwrap();
        assert_eq!(plan.site, "demo");
        assert_eq!(plan.dropped_by_client, 3);
        assert!(plan.rejected.is_empty());
        assert_eq!(plan.rows.len(), 2);
        let row = &plan.rows[0];
        assert_eq!(row.title, "Pricing — \"Shop\"");
        assert_eq!(row.occurred_at_ms, (NOW - 10) as i64);
        assert_eq!((row.viewport_width, row.viewport_height), (1280, 720));
        assert_eq!(row.time_zone, "Europe/Berlin");
    }

    #[test]
    fn the_batch_time_zone_applies_to_events_without_their_own() {
        let mut without = page_view("aaaaaaaaaaaaaaaa", NOW - 10);
        without.page.time_zone.clear();
        let with_own = page_view("bbbbbbbbbbbbbbbb", NOW - 5);
        let header = crate::domain::event::BatchHeader {
            site: "demo",
            time_zone: "America/Sao_Paulo",
            ..Default::default()
        };
        let body = crate::domain::event::encode_batch_with(&header, NOW, 0, &[without, with_own]);
        let plan = plan_batch(&body, NOW).unwrap();
        assert_eq!(plan.rows[0].time_zone, "America/Sao_Paulo");
        assert_eq!(plan.rows[1].time_zone, "Europe/Berlin");
        let too_long = body.replace("America/Sao_Paulo", &"x".repeat(200));
        assert!(matches!(
            plan_batch(&too_long, NOW),
            Err(ApiError::InvalidRequest(_))
        ));
    }

    #[test]
    fn clock_skew_is_corrected_from_the_send_time() {
        // The browser's clock runs one hour slow.
        let hour = 3_600_000;
        let body = encode_batch(
            "demo",
            NOW - hour,
            0,
            &[page_view("aaaaaaaaaaaaaaaa", NOW - hour - 500)],
        );
        let plan = plan_batch(&body, NOW).unwrap();
        assert_eq!(plan.rows[0].occurred_at_ms, (NOW - 500) as i64);
    }

    #[test]
    fn timestamps_past_any_clock_are_in_the_future_not_in_the_past() {
        for ts in [
            u64::MAX,
            i64::MAX as u64,
            i64::MAX as u64 + 1,
            NOW + 86_400_000,
        ] {
            let body = encode_batch("demo", NOW, 0, &[page_view("aaaaaaaaaaaaaaaa", ts)]);
            let plan = plan_batch(&body, NOW).unwrap();
            assert_eq!(plan.rejected.len(), 1, "{ts}");
            assert_eq!(
                plan.rejected[0].reason, "timestamp is in the future",
                "{ts}"
            );
        }
        let body = encode_batch("demo", NOW, 0, &[page_view("aaaaaaaaaaaaaaaa", 0)]);
        assert_eq!(
            plan_batch(&body, NOW).unwrap().rejected[0].reason,
            "timestamp is older than 30 days"
        );
    }

    #[test]
    fn malformed_and_invalid_batches_have_distinct_errors() {
        assert!(matches!(
            plan_batch("{not json", NOW),
            Err(ApiError::MalformedJson(_))
        ));
        assert!(matches!(
            plan_batch("", NOW),
            Err(ApiError::MalformedJson(_))
        ));
        assert!(matches!(
            plan_batch(r#"{"v":1}"#, NOW),
            Err(ApiError::InvalidRequest(_))
        ));
        assert!(matches!(
            plan_batch(r#"{"v":2,"site":"demo","sent_at":1,"events":[]}"#, NOW),
            Err(ApiError::UnsupportedVersion(2))
        ));
        assert!(matches!(
            plan_batch(r#"{"v":1,"site":"demo","sent_at":1,"events":[]}"#, NOW),
            Err(ApiError::InvalidRequest(_))
        ));
        let huge = "x".repeat(MAX_BODY_BYTES as usize + 1);
        assert_eq!(
            plan_batch(&huge, NOW),
            Err(ApiError::PayloadTooLarge {
                limit: MAX_BODY_BYTES
            })
        );
    }

    #[test]
    fn a_refused_batch_still_names_its_site_for_the_caller_check() {
        let empty = r#"{"v":1,"site":"shop","sent_at":1,"events":[]}"#;
        assert!(plan_batch(empty, NOW).is_err());
        assert_eq!(claimed_site(empty).as_deref(), Some("shop"));
        assert_eq!(
            claimed_site(r#"{"v":9,"site":"shop","junk":[1]}"#).as_deref(),
            Some("shop")
        );
        for unnamed in ["{not json", r#"{"v":1}"#, r#"{"site":""}"#, r#"{"site":7}"#] {
            assert_eq!(claimed_site(unnamed), None, "{unnamed}");
        }
        assert_eq!(
            claimed_site(&format!(r#"{{"site":"{}"}}"#, "s".repeat(65))),
            None
        );
    }

    #[test]
    fn bad_events_are_itemised_and_good_ones_kept() {
        let mut future = page_view("cccccccccccccccc", NOW + 3_600_000);
        future.page.path = "/ok".into();
        let mut no_slash = page_view("dddddddddddddddd", NOW);
        no_slash.page.path = "relative".into();
        let events = [
            page_view("aaaaaaaaaaaaaaaa", NOW),
            page_view("short", NOW),
            future,
            no_slash,
            page_view("aaaaaaaaaaaaaaaa", NOW),
        ];
        let plan = plan_batch(&encode_batch("demo", NOW, 0, &events), NOW).unwrap();
        assert_eq!(plan.rows.len(), 1);
        let indexes: Vec<u32> = plan.rejected.iter().map(|r| r.index).collect();
        assert_eq!(indexes, vec![1, 2, 3, 4]);
        assert_eq!(plan.receipt(1).duplicates, 0);
        assert_eq!(plan.receipt(0).duplicates, 1);
    }

    #[test]
    fn every_event_kind_round_trips_with_its_details() {
        use crate::domain::attribution::{attribute, campaign_of};
        let campaign = campaign_of("?utm_source=newsletter&utm_medium=email&utm_campaign=spring");
        let acquisition = attribute(&campaign, "", "shop.example");
        let mut view = page_view("aaaaaaaaaaaaaaaa", NOW);
        view.acquisition = Some(crate::domain::event::Acquisition {
            channel: acquisition.channel.as_str(),
            source_name: acquisition.source_name,
            campaign,
        });
        let mut engagement = page_view("bbbbbbbbbbbbbbbb", NOW);
        engagement.kind = EventKind::Engagement;
        engagement.engaged_ms = 12_345;
        engagement.scroll_percent = 80;
        let mut click = page_view("cccccccccccccccc", NOW);
        click.kind = EventKind::Click;
        click.name = "download".into();
        click.target = "https://cdn.example/catalogue.pdf".into();
        let mut form = page_view("dddddddddddddddd", NOW);
        form.kind = EventKind::FormSubmit;
        form.name = "newsletter".into();
        form.fields = 3;
        let mut custom = page_view("eeeeeeeeeeeeeeee", NOW);
        custom.kind = EventKind::Custom;
        custom.name = "signup".into();
        custom.props = vec![("plan".into(), "pro \"yearly\"".into())];
        let plan = plan_batch(
            &encode_batch("demo", NOW, 0, &[view, engagement, click, form, custom]),
            NOW,
        )
        .unwrap();
        assert!(plan.rejected.is_empty(), "{:?}", plan.rejected);
        let rows = &plan.rows;
        assert_eq!(
            (rows[0].channel.as_str(), rows[0].utm_campaign.as_str()),
            ("email", "spring")
        );
        assert_eq!(
            (rows[1].kind, rows[1].engaged_ms, rows[1].scroll_percent),
            ("engagement", 12_345, 80)
        );
        assert_eq!((rows[2].kind, rows[2].name.as_str()), ("click", "download"));
        assert_eq!((rows[3].kind, rows[3].fields), ("form", 3));
        assert_eq!(rows[4].props_json, r#"{"plan":"pro \"yearly\""}"#);
    }

    #[test]
    fn the_edge_refines_the_browser_channel_and_keeps_search_words_only_if_allowed() {
        let event = |referrer: &str, channel: &str| {
            format!(
                r#"{{"id":"aaaaaaaaaaaaaaaa","type":"pageview","ts":{NOW},"path":"/","referrer":"{referrer}","channel":"{channel}"}}"#
            )
        };
        let batch = |events: &[String]| {
            format!(
                r#"{{"v":1,"site":"demo","sent_at":{NOW},"events":[{}]}}"#,
                events.join(",")
            )
        };
        let plan = plan_batch(&batch(&[event("https://chatgpt.com/", "referral")]), NOW).unwrap();
        assert_eq!(
            (
                plan.rows[0].channel.as_str(),
                plan.rows[0].source_name.as_str()
            ),
            ("ai_assistant", "ChatGPT")
        );
        let plan = plan_batch(&batch(&[event("https://shop.example/", "internal")]), NOW).unwrap();
        assert_eq!(plan.rows[0].channel, "internal");
        let from_bing = event("https://www.bing.com/search?q=Blue+Shoes", "organic_search");
        let mut kept = plan_batch(&batch(std::slice::from_ref(&from_bing)), NOW).unwrap();
        assert_eq!(
            kept.rows[0].referrer, "https://www.bing.com/search",
            "the query is never stored"
        );
        kept.keep_search_terms(true);
        assert_eq!(kept.rows[0].utm_term, "blue shoes");
        let mut dropped = plan_batch(&batch(&[from_bing]), NOW).unwrap();
        dropped.keep_search_terms(false);
        assert_eq!(
            (
                dropped.rows[0].utm_term.as_str(),
                dropped.rows[0].search_term.as_str()
            ),
            ("", "")
        );
    }

    #[test]
    fn event_details_are_checked() {
        let bad = [
            r#"{"id":"aaaaaaaaaaaaaaaa","type":"custom","ts":NOW,"path":"/"}"#,
            r#"{"id":"aaaaaaaaaaaaaaaa","type":"pageview","ts":NOW,"path":"/","channel":"carrier-pigeon"}"#,
            r#"{"id":"aaaaaaaaaaaaaaaa","type":"engagement","ts":NOW,"path":"/","scroll":101}"#,
            r#"{"id":"aaaaaaaaaaaaaaaa","type":"custom","name":"x","ts":NOW,"path":"/","props":{"a":{"nested":1}}}"#,
        ];
        for event in bad {
            let body = format!(
                r#"{{"v":1,"site":"demo","sent_at":{NOW},"events":[{}]}}"#,
                event.replace("NOW", &NOW.to_string())
            );
            let plan = plan_batch(&body, NOW).unwrap();
            assert_eq!(plan.rejected.len(), 1, "{event}");
        }
        // Said as what it is (an outside audit: "too long" for an empty key).
        let body = format!(
            r#"{{"v":1,"site":"demo","sent_at":{NOW},"events":[{{"id":"aaaaaaaaaaaaaaaa","type":"custom","name":"x","ts":{NOW},"path":"/","props":{{"":"v"}}}}]}}"#
        );
        let plan = plan_batch(&body, NOW).unwrap();
        assert_eq!(plan.rejected[0].reason, "a prop key is empty");
    }

    #[test]
    fn numbers_and_booleans_in_props_keep_their_type_unless_they_read_as_personal_data() {
        let body = format!(
            r#"{{"v":1,"site":"demo","sent_at":{NOW},"events":[{{"id":"aaaaaaaaaaaaaaaa","type":"custom","name":"signup","ts":{NOW},
            "path":"/","props":{{"plan":"pro","seats":3,"price":9.5,"trial":true,"card":4111111111111111}}}}]}}"#
        );
        let plan = plan_batch(&body, NOW).unwrap();
        assert_eq!(
            plan.rows[0].props_json,
            r#"{"card":"[card]","plan":"pro","price":9.5,"seats":3,"trial":true}"#
        );
    }

    /// An outside audit: `{"phone": 4917012345678}` was kept, though the
    /// same digits after "phone" in a title were redacted.
    #[test]
    fn a_props_key_labels_its_value_as_text_would() {
        let body = format!(
            r#"{{"v":1,"site":"demo","sent_at":{NOW},"events":[{{"id":"aaaaaaaaaaaaaaaa","type":"custom","name":"lead","ts":{NOW},
            "path":"/","props":{{"phone":4917012345678,"Telefon":"2025550143","mobile":"0170 1234567","seats":2025550143,"order":"2025550143","tel2":"ok"}}}}]}}"#
        );
        let plan = plan_batch(&body, NOW).unwrap();
        assert_eq!(
            plan.rows[0].props_json,
            r#"{"Telefon":"[phone]","mobile":"[phone]","order":"2025550143","phone":"[phone]","seats":2025550143,"tel2":"ok"}"#
        );
    }

    /// Campaign values are lower-cased as the recorder does: a direct
    /// sender's `google / CPC` is paid search, not organic (outside audit).
    #[test]
    fn campaign_values_are_read_and_stored_in_any_case() {
        let event = |id: &str, source: &str, medium: &str, campaign: &str| {
            format!(
                r#"{{"id":"{id}","type":"pageview","ts":{NOW},"path":"/","channel":"paid_search","referrer":"https://www.google.com/",
                "utm_source":"{source}","utm_medium":"{medium}","utm_campaign":"{campaign}"}}"#
            )
        };
        let body = format!(
            r#"{{"v":1,"site":"demo","sent_at":{NOW},"events":[{},{}]}}"#,
            event("aaaaaaaaaaaaaaaa", "Google", "CPC", "Spring-Sale"),
            event("bbbbbbbbbbbbbbbb", "facebook", "Paid_Social", "SPRING-SALE")
        );
        let plan = plan_batch(&body, NOW).unwrap();
        let read: Vec<_> = plan
            .rows
            .iter()
            .map(|r| {
                (
                    r.channel.as_str(),
                    r.utm_medium.as_str(),
                    r.utm_campaign.as_str(),
                )
            })
            .collect();
        assert_eq!(
            read,
            [
                ("paid_search", "cpc", "spring-sale"),
                ("paid_social", "paid_social", "spring-sale")
            ]
        );
    }

    /// Phone numbers that fill a path segment, as browsers send them
    /// (`%20` for each space), in a page's path and in a `#/` route: each
    /// is redacted; the digits around them stay.
    #[test]
    fn a_phone_number_filling_a_path_segment_is_redacted() {
        let numbers = [
            ["0170", "7744834"],
            ["030", "83531569"],
            ["0171", "4406046"],
            ["06", "71233648"],
            ["0612", "345678"],
            ["07911", "002058"],
            ["+49", "1712345678"],
            ["0049", "1711305873"],
        ];
        let mut events = Vec::new();
        for (at, [first, rest]) in numbers.iter().enumerate() {
            for (route, joiner) in [("/suche/", "%20"), ("/app#/kontakt/", "%20"), ("/p/", "-")] {
                let path = [route, first, joiner, rest, "/seite/2"].concat();
                events.push(format!(
                    r#"{{"id":"path-phone-{at:04}-{}","type":"pageview","ts":{NOW},"path":"{path}"}}"#,
                    events.len() % 10
                ));
            }
        }
        let body = format!(
            r#"{{"v":1,"site":"demo","sent_at":{NOW},"events":[{}]}}"#,
            events.join(",")
        );
        let plan = plan_batch(&body, NOW).unwrap();
        assert_eq!(plan.rows.len(), numbers.len() * 3);
        for (row, [_, rest]) in plan.rows.iter().zip(numbers.iter().flat_map(|n| [n, n, n])) {
            assert!(!row.path.contains(rest), "{}", row.path);
            assert!(row.path.ends_with("/seite/2"), "{}", row.path);
        }
        // Ordinary numbers in a path stay.
        for path in ["/orders/48213", "/blog/2024/11/sale", "/p/12/29"] {
            let body = format!(
                r#"{{"v":1,"site":"demo","sent_at":{NOW},"events":[{{"id":"path-plain-000001","type":"pageview","ts":{NOW},"path":"{path}"}}]}}"#
            );
            assert_eq!(plan_batch(&body, NOW).unwrap().rows[0].path, path);
        }
    }

    #[test]
    fn the_edge_strips_personal_data_the_browser_missed() {
        let body = format!(
            r#"{{"v":1,"site":"demo","sent_at":{NOW},"events":[{{"id":"aaaaaaaaaaaaaaaa","type":"custom","name":"x","ts":{NOW},
            "path":"/account/jane@example.com/reset?token=abc#frag","title":"Hi jane@example.com",
            "referrer":"https://mail.example/inbox?u=jane@example.com","target":"https://x.example/u/4111111111111111",
            "props":{{"note":"call +44 20 7946 0958"}}}}]}}"#
        );
        let plan = plan_batch(&body, NOW).unwrap();
        let row = &plan.rows[0];
        assert_eq!(row.path, "/account/:email/reset");
        assert_eq!(
            path_only("/app#/settings/profile"),
            "/app#/settings/profile"
        );
        assert_eq!(path_only("/app#/orders?token=x"), "/app#/orders");
        assert_eq!(path_only("/page#section"), "/page");
        assert_eq!(row.title, "Hi [email]");
        assert_eq!(row.referrer, "https://mail.example/inbox");
        assert_eq!(row.target, "https://x.example/u/:number");
        assert_eq!(row.props_json, r#"{"note":"call [phone]"}"#);
    }

    /// What an outside review found stored as sent: campaign values are
    /// free text, and a link can carry anything in them.
    #[test]
    fn campaign_values_and_event_names_lose_personal_data_too() {
        let body = format!(
            r#"{{"v":1,"site":"demo","sent_at":{NOW},"events":[{{"id":"aaaaaaaaaaaaaaaa","type":"custom","ts":{NOW},
            "path":"/pricing","channel":"email","source":"jo@example.com","utm_source":"newsletter",
            "utm_medium":"email","utm_campaign":"jane.doe@example.com","utm_term":"4111111111111111",
            "utm_content":"DE89370400440532013000","click_id":"Cj0KCQiA4111","name":"paid with 4111 1111 1111 1111"}}]}}"#
        );
        let plan = plan_batch(&body, NOW).unwrap();
        let row = &plan.rows[0];
        assert_eq!(row.utm_source, "newsletter");
        assert_eq!(row.utm_campaign, "[email]");
        assert_eq!(row.utm_term, "[card]");
        assert_eq!(row.utm_content, "[iban]");
        assert_eq!(row.name, "paid with [card]");
        assert!(!row.source_name.contains('@'), "{}", row.source_name);
        // A click id is the ad network's token, matched whole.
        assert_eq!(row.click_id, "Cj0KCQiA4111");
    }

    /// The second outside review: a prop's key and the click id were stored
    /// as sent, and lang and tz took any text.
    #[test]
    fn prop_keys_and_click_ids_lose_personal_data_and_lang_and_tz_are_labels() {
        let event = |id: &str, extra: &str| {
            format!(
                r#"{{"id":"{id}","type":"custom","ts":{NOW},"path":"/","name":"signup"{extra}}}"#
            )
        };
        let events = [
            event(
                "aaaaaaaaaaaaaaa1",
                r#","props":{"jo@example.com":"call 4111 1111 1111 1111","plan":"pro"},"click_id":"jo@example.com","lang":"pt_BR","tz":"America/Argentina/Buenos_Aires""#,
            ),
            event(
                "aaaaaaaaaaaaaaa2",
                r#","props":{"jo@example.com":"a","ann@example.org":"b"}"#,
            ),
            event("aaaaaaaaaaaaaaa3", r#","lang":"jo@example.com""#),
            event("aaaaaaaaaaaaaaa4", r#","tz":"call +49 170 1234567""#),
            // A second outside review stored these: numbers in label-shaped fields.
            event("aaaaaaaaaaaaaaa5", r#","lang":"4111-1111-1111-1111""#),
            event("aaaaaaaaaaaaaaa6", r#","tz":"+49-170-1234567""#),
            event("aaaaaaaaaaaaaaa7", r#","lang":"de-4917012345678""#),
        ];
        let body = format!(
            r#"{{"v":1,"site":"demo","sent_at":{NOW},"events":[{}]}}"#,
            events.join(",")
        );
        let plan = plan_batch(&body, NOW).unwrap();
        assert_eq!(plan.rows.len(), 1, "{:?}", plan.rejected);
        let row = &plan.rows[0];
        assert_eq!(row.props_json, r#"{"[email]":"call [card]","plan":"pro"}"#);
        assert_eq!(row.click_id, "[email]");
        assert_eq!(
            (row.language.as_str(), row.time_zone.as_str()),
            ("pt_BR", "America/Argentina/Buenos_Aires")
        );
        let reasons: Vec<&str> = plan.rejected.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "two prop keys are the same once personal data is removed",
                "lang must be a language tag and tz a time zone name",
                "lang must be a language tag and tz a time zone name",
                "lang must be a language tag and tz a time zone name",
                "lang must be a language tag and tz a time zone name",
                "lang must be a language tag and tz a time zone name",
            ]
        );
        let batch = format!(
            r#"{{"v":1,"site":"demo","sent_at":{NOW},"tz":"jo@example.com","events":[{}]}}"#,
            events[0]
        );
        assert!(matches!(
            plan_batch(&batch, NOW),
            Err(ApiError::InvalidRequest(_))
        ));
    }

    #[test]
    fn content_types() {
        assert!(check_content_type(Some("application/json")).is_ok());
        assert!(check_content_type(Some("text/plain;charset=UTF-8")).is_ok());
        assert!(check_content_type(Some("Application/JSON; charset=utf-8")).is_ok());
        assert!(matches!(
            check_content_type(Some("application/x-www-form-urlencoded")),
            Err(ApiError::UnsupportedMediaType(_))
        ));
        assert!(matches!(
            check_content_type(None),
            Err(ApiError::UnsupportedMediaType(_))
        ));
        // Every other JSON endpoint reads JSON only.
        use crate::domain::api::check_json_content_type;
        assert!(check_json_content_type(Some("Application/JSON; charset=utf-8")).is_ok());
        // Bodies are read as UTF-8: another charset is refused, not misread.
        for utf8 in [
            "application/json;charset=\"UTF-8\"",
            "application/json; charset=utf8",
            "application/json; charset=us-ascii",
            "application/json; boundary=x",
        ] {
            assert!(check_json_content_type(Some(utf8)).is_ok(), "{utf8}");
            assert!(check_content_type(Some(utf8)).is_ok(), "{utf8}");
        }
        for foreign in [
            "application/json; charset=latin1",
            "text/plain; charset=ISO-8859-1",
            "application/json; Charset=\"utf-16\"",
            "application/json; charset=",
        ] {
            assert!(check_content_type(Some(foreign)).is_err(), "{foreign}");
        }
        for other in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("application/json; charset=windows-1252"),
            None,
        ] {
            assert_eq!(
                check_json_content_type(other).map_err(|e| e.to_string()),
                Err("the Content-Type must be application/json, in UTF-8".to_owned())
            );
        }
    }

    #[test]
    fn events_must_be_a_list_and_a_batch_an_object() {
        for body in [
            r#"{"v":1,"site":"demo","sent_at":1}"#,
            r#"{"v":1,"site":"demo","sent_at":1,"events":"x"}"#,
            r#"{"v":1,"site":"demo","sent_at":1,"events":{"id":"x"}}"#,
            r#"[1,"demo",1,0,false,"","","","",[]]"#,
        ] {
            match plan_batch(body, NOW) {
                Err(ApiError::InvalidRequest(message)) => assert!(!message.is_empty(), "{body}"),
                other => panic!("{body}: {other:?}"),
            }
        }
    }

    #[test]
    fn rows_json_is_the_json_of_every_column_in_insert_order() {
        let mut odd = page_view("aaaaaaaaaaaaaaaa", NOW - 10);
        odd.page.title = "Quote \" back\\slash\nnew\tline \u{1} é 日本 🎉".into();
        odd.page.path = "/checkout".into();
        let mut engaged = page_view("bbbbbbbbbbbbbbbb", NOW - 5);
        engaged.page.path = "/checkout".into();
        engaged.kind = EventKind::Engagement;
        engaged.engaged_ms = 5000;
        engaged.scroll_percent = 75;
        let mut other = page_view("cccccccccccccccc", NOW - 1);
        other.page.path = "/docs/guide".into();
        other.kind = EventKind::Custom;
        other.name = "signup".into();
        other.props = vec![("plan".into(), "pro".into())];
        // Nothing after the path but a title: the row stops at the page type.
        let mut bare = page_view("dddddddddddddddd", NOW - 1);
        bare.page = PageContext {
            path: "/bare".into(),
            title: "Bare".into(),
            ..PageContext::default()
        };
        let body = encode_batch("demo", NOW, 0, &[odd, engaged, other, bare]);
        let plan = plan_batch(&body, NOW).unwrap();
        let rules = [PageRule {
            prefix: "/docs".into(),
            page_type: "help".into(),
        }];
        let written: Value = serde_json::from_str(&plan.rows_json(&rules)).unwrap();
        let expected: Vec<Value> = plan
            .rows
            .iter()
            .map(|row| {
                serde_json::json!([
                    row.id,
                    row.kind,
                    row.occurred_at_ms,
                    row.path,
                    row.title,
                    page_type(&row.path, &rules),
                    row.referrer,
                    row.viewport_width,
                    row.viewport_height,
                    row.language,
                    row.time_zone,
                    row.engaged_ms,
                    row.scroll_percent,
                    row.channel,
                    row.source_name,
                    row.utm_source,
                    row.utm_medium,
                    row.utm_campaign,
                    row.utm_term,
                    row.utm_content,
                    row.click_id,
                    row.name,
                    row.target,
                    row.props_json,
                    row.fields,
                ])
            })
            .collect();
        let Value::Array(written_rows) = &written else {
            panic!("not an array: {written}");
        };
        assert_eq!(written_rows.len(), expected.len());
        let is_default = |value: &Value| value.as_str() == Some("") || value.as_i64() == Some(0);
        for (row, full) in written_rows.iter().zip(&expected) {
            let (Value::Array(row), Value::Array(full)) = (row, full) else {
                panic!("a row is not an array: {row}");
            };
            // The written values are the row's first columns, and what is
            // left out is all empty strings and zeros.
            assert_eq!(row.as_slice(), &full[..row.len()]);
            assert!(full[row.len()..].iter().all(is_default), "{row:?}");
            // The row ends at its last value that is not a default.
            assert!(!row.last().is_some_and(is_default), "{row:?}");
        }
        assert_eq!(written[0][5], "checkout");
        assert_eq!(written[2][5], "help");
        assert_eq!(written[0][4], plan.rows[0].title.as_str());
        assert_eq!(written[1][11], 5000);
        assert_eq!(written[1][12], 75);
        assert_eq!(written[2][21], "signup");
        assert_eq!(written[2][23], r#"{"plan":"pro"}"#);
        // The batch's time zone is every row's, so rows 0 and 1 stop there.
        assert_eq!(written[0].as_array().map(Vec::len), Some(11));
        assert_eq!(written[1].as_array().map(Vec::len), Some(13));
        assert_eq!(written[3].as_array().map(Vec::len), Some(6));
        assert_eq!(
            plan_batch(&body, NOW)
                .unwrap()
                .rows_json(&[])
                .matches('[')
                .count(),
            5
        );
    }

    #[test]
    fn opting_out_by_header_keeps_a_batch_as_one_marked_dnt() {
        let body = |extra: &str| {
            format!(
                r#"{{"v":1,"site":"demo","sent_at":{NOW},"visitor":"abc","user":"u","user_hmac":"h"{extra},"events":[{{"id":"aaaaaaaaaaaaaaaa","type":"pageview","ts":{NOW},"path":"/p"}}]}}"#
            )
        };
        let mut by_header = plan_batch(&body(""), NOW).unwrap();
        assert_eq!(by_header.visitor_id, "abc");
        by_header.opt_out();
        assert_eq!(by_header, plan_batch(&body(r#","dnt":true"#), NOW).unwrap());
        assert!(by_header.visitor_id.is_empty() && by_header.claimed_user.0.is_empty());
    }

    #[test]
    fn the_fast_reading_and_the_strict_one_agree_on_every_batch() {
        let now = NOW;
        let event = |extra: &str| {
            format!(
                r#"{{"id":"aaaaaaaaaaaaaaaa","type":"pageview","ts":{now},"path":"/p"{extra}}}"#
            )
        };
        let batch = |events: &str, extra: &str| {
            format!(r#"{{"v":1,"site":"demo","sent_at":{now}{extra},"events":[{events}]}}"#)
        };
        let bodies = [
            batch(&event(""), ""),
            batch(
                &event(r#","title":"T \"q\" \u00e9","vw":1280,"vh":800"#),
                r#","tz":"Europe/Berlin""#,
            ),
            // Integers written as floats: strict takes them, the fast path hands them on.
            batch(&event(r#","vw":1280.0"#), ""),
            batch(&event(""), r#","v":1.0"#),
            batch(&event(r#","ts":1.0e3"#), ""),
            // Repeated keys, unknown keys, nested props, wrong types.
            batch(&event(r#","path":"/q""#), ""),
            batch(&event(r#","unknown":{"a":[1]}"#), r#","extra":true"#),
            batch(&event(r#","props":{"plan":"pro","n":3,"ok":true}"#), ""),
            batch(&event(r#","props":{"bad":{"x":1}}"#), ""),
            batch(&event(r#","vw":-1"#), ""),
            batch(&event(r#","title":null"#), ""),
            // An event written as an array, a string, a number.
            batch(r#"["aaaaaaaaaaaaaaaa","pageview",1,"/p"]"#, ""),
            batch(&[event(""), r#""x""#.into(), "7".into()].join(","), ""),
            // A batch written as an array, broken JSON, whitespace first.
            format!(r#"[1,"demo",{now},0,false,"","","","",[]]"#),
            batch(&event(""), "").replace("}]}", "}]"),
            format!(" \n\t{}", batch(&event(""), "")),
            batch(&event(""), r#","visitor":"a b""#),
            // Escaped halves of surrogate pairs, alone and as a pair.
            batch(&event(r#","title":"lone \uD800""#), ""),
            batch(&event(r#","title":"\udc00 lone""#), ""),
            batch(&event(r#","title":"pair \ud83d\ude00""#), ""),
            batch(
                &event(""),
                r#","dnt":true,"visitor":"abc","user":"u","user_hmac":"h""#,
            ),
        ];
        for body in &bodies {
            assert_eq!(
                plan_read(body, NOW, true),
                plan_read(body, NOW, false),
                "{body}"
            );
        }
        // And the fast path did take the ordinary batch.
        let ordinary = &bodies[1];
        assert!(
            matches!(read_batch(ordinary, true), Ok(b) if matches!(b.events[0], EventSource::Text(_)))
        );
    }

    #[test]
    fn language_tags_and_zone_names_are_labels_not_numbers() {
        for tag in [
            "",
            "de",
            "de-DE",
            "es-419",
            "zh-Hant-TW",
            "pt_BR",
            "en-US-u-ca-gregory",
        ] {
            assert!(is_language_tag(tag), "{tag}");
        }
        for tag in [
            "4111-1111-1111-1111",
            "123",
            "d",
            "de-4917012345678",
            "de DE",
            "de--DE",
            "jo@x.de",
        ] {
            assert!(!is_language_tag(tag), "{tag}");
        }
        for zone in [
            "",
            "UTC",
            "Europe/Berlin",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+10",
            "Etc/GMT-14",
            "EST5EDT",
            "GMT0",
            "America/Port-au-Prince",
        ] {
            assert!(is_time_zone(zone), "{zone}");
        }
        for zone in [
            "+49-170-1234567",
            "+0200",
            "Europe/",
            "/Berlin",
            "Etc/4917012345",
            "a+4917012345678",
            "Etc/GMT+100",
            "A/B/C/D",
            "Europe Berlin",
        ] {
            assert!(!is_time_zone(zone), "{zone}");
        }
    }
}
