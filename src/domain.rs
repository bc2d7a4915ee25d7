//! The pure core of Touchpoint. Nothing here touches the browser, the network,
//! the clock or a random source: callers pass time and randomness in, so every
//! decision is testable natively and gives the same result in wasm.

/// Error type of the HTTP API, its status codes and JSON error bodies.
pub mod api;
/// Where a visit came from: UTM parameters, click ids, referrer → channel.
pub mod attribution;
/// The on-device classifier: topic, tone, kind, urgency, language, spam.
pub mod classify;
/// Which clicks are touchpoints: outbound links and downloads.
pub mod clicks;
/// What the widget tells visitors: presence, the offline path, the expected team.
pub mod contact;
/// Conversations: request checks, edge screening, routing to teams, status.
pub mod conversation;
/// The recorder's bounded outbox, batching and retry policy.
pub mod delivery;
/// Touchpoint events as the recorder builds them, and their compact JSON encoding.
pub mod event;
/// Rate-limit windows, identity verification, constant-time comparison.
pub mod guard;
/// Office hours in the site's time zone: open now, closes at, next opening.
pub mod hours;
/// Identifiers built from caller-supplied random bytes.
pub mod ids;
/// Ingestion of event batches at the edge: checks, limits, clock-skew correction.
pub mod ingest;
/// A minimal JSON writer for the size-constrained recorder (no serde, no `format!`).
pub mod json;
/// Page types from the site's URL rules and path keywords.
pub mod page_type;
/// Personal data detection and redaction (emails, phones, cards, IBANs, SSNs, IPs).
pub mod pii;
/// The typical first-response time, measured honestly (waiting ones count).
pub mod response_time;
/// Maps an HTTP method and path to what the worker should do.
pub mod route;
/// Keeps personal data out of recorded URLs (paths only, masked segments).
pub mod url_privacy;
/// Cookieless visitor keys, origin allow-lists and bot user agents.
pub mod visitor;
/// Outbound webhooks: signing, Slack-compatible bodies, retry schedule.
pub mod webhook;
