//! The pure core of Touchpoint. Nothing here touches the browser, the network,
//! the clock or a random source: callers pass time and randomness in, so every
//! decision is testable natively and gives the same result in wasm.
//!
//! The recorder's modules (`recorder`, `attribution`, `clicks`, `delivery`,
//! `event`, `ids`, `json`, `text`, `url_privacy`) need only `core` and `alloc`; the
//! rest needs the `std` feature.

/// Error type of the HTTP API, its status codes and JSON error bodies.
#[cfg(feature = "std")]
pub mod api;
/// How the worker serves its static files: cross-origin, versioned, cached.
#[cfg(feature = "std")]
pub mod assets;
/// Where a visit came from: UTM parameters, click ids, referrer → channel.
pub mod attribution;
/// Bots: the maintained list, a site's own patterns and allowed agents.
#[cfg(feature = "std")]
pub mod bots;
/// The on-device classifier: topic, tone, kind, urgency, language, spam.
#[cfg(feature = "std")]
pub mod classify;
/// Which clicks are touchpoints: outbound links and downloads.
pub mod clicks;
/// The staff reply box: what a stored reply leaves of its draft, its length against the limit.
#[cfg(feature = "std")]
pub mod compose;
/// Where a person is in the staff console, kept in its address's fragment.
#[cfg(feature = "std")]
pub mod console_link;
/// What the widget tells visitors: presence, the offline path, the expected team.
#[cfg(feature = "std")]
pub mod contact;
/// Conversations: request checks, edge screening, routing to teams, status.
#[cfg(feature = "std")]
pub mod conversation;
/// The recorder's bounded outbox, batching and retry policy.
pub mod delivery;
/// Destinations besides Touchpoint's store: signed webhooks, Segment, Chatwoot.
#[cfg(feature = "std")]
pub mod destination;
/// How visitors' text is shown and exported: visible direction controls, safe CSV.
#[cfg(feature = "std")]
pub mod display;
/// Which conversations stand behind a bar of the insights page.
#[cfg(feature = "std")]
pub mod drill;
/// Touchpoint events as the recorder builds them, and their compact JSON encoding.
pub mod event;
/// Rate-limit windows, identity verification, constant-time comparison.
#[cfg(feature = "std")]
pub mod guard;
/// Office hours in the site's time zone: open now, closes at, next opening.
#[cfg(feature = "std")]
pub mod hours;
/// Identifiers built from caller-supplied random bytes.
pub mod ids;
/// The staff inbox: status filters, waiting time against the target, the fallback team.
#[cfg(feature = "std")]
pub mod inbox;
/// Ingestion of event batches at the edge: checks, limits, clock-skew correction.
#[cfg(feature = "std")]
pub mod ingest;
/// A classified interaction (what the widget hands a site's own endpoint and
/// the page's callbacks) and the choice of transport.
#[cfg(feature = "std")]
pub mod interaction;
/// A minimal JSON writer for the size-constrained recorder (no serde, no `format!`).
pub mod json;
/// JSON text read into serde types without serde_json (the console's answers).
#[cfg(feature = "std")]
pub mod json_text;
/// Which pages and campaigns precede trouble more than the rest: lift with an interval.
#[cfg(feature = "std")]
pub mod lift;
/// Live push: socket authorization, pushed frames, placing a pushed message, reconnect backoff.
#[cfg(feature = "std")]
pub mod live;
/// Page types from the site's URL rules and path keywords.
#[cfg(feature = "std")]
pub mod page_type;
/// Personal data detection and redaction (emails, phones, cards, IBANs, SSNs, IPs).
#[cfg(feature = "std")]
pub mod pii;
/// The edge's channel refinement with the full referrer lists.
#[cfg(feature = "std")]
pub mod referrers;
/// Saved replies: what staff start an answer from, by shortcut.
#[cfg(feature = "std")]
pub mod saved_reply;
/// Site models: uploaded examples checked line by line, and their status.
#[cfg(feature = "std")]
pub mod site_model;
/// Staff accounts: who may create, change, revoke or re-issue them.
#[cfg(feature = "std")]
pub mod staff_account;
/// Generated from the maintained lists (scripts/gen-lists.mjs).
#[cfg(feature = "std")]
#[rustfmt::skip]
mod referrer_table;
/// Generated from the isbot package's pattern list (scripts/gen-lists.mjs).
#[cfg(feature = "std")]
#[rustfmt::skip]
pub mod bot_pattern;
/// Bulk export for warehouses: streams, the page cursor, daily object keys.
#[cfg(feature = "std")]
pub mod export;
/// The recorder's decisions for one page: what to record, when to send, what to keep.
pub mod recorder;
/// The typical first-response time, measured honestly (waiting ones count).
#[cfg(feature = "std")]
pub mod response_time;
/// Daily roll-ups of touchpoints: raw events for the journey window, roll-ups for the retention.
#[cfg(feature = "std")]
pub mod rollup;
/// Maps an HTTP method and path to what the worker should do.
#[cfg(feature = "std")]
pub mod route;
/// A site as stored: its settings and which pages may send for it (fail closed).
#[cfg(feature = "std")]
pub mod site;
/// JSON bodies read strictly: a struct must be an object, never an array.
#[cfg(feature = "std")]
pub mod strict_json;
/// A site's team as stored, and how an update merges with it.
#[cfg(feature = "std")]
pub mod team;
/// Byte-level find and split for the recorder (no panic paths).
pub mod text;
/// Keeps personal data out of recorded URLs (paths only, masked segments).
pub mod url_privacy;
/// Cookieless visitor keys and the daily salt's day.
#[cfg(feature = "std")]
pub mod visitor_key;
/// Outbound webhooks: signing, Slack-compatible bodies, retry schedule.
#[cfg(feature = "std")]
pub mod webhook;
/// The worker's JSON answers, one type per shape, shared by edge, console and widget.
#[cfg(feature = "std")]
pub mod wire;
/// Time zones from their offsets alone: local days and wall-clock times.
#[cfg(feature = "std")]
pub mod zone;
