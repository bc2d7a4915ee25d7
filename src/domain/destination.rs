//! Destinations: where a site's classified interactions and touchpoints go
//! besides Touchpoint's own store — a signed webhook, a Segment-compatible
//! collector, a Chatwoot help desk. This module decides what an outbound event
//! looks like, which destinations take it, and what happens after each
//! attempt; the edge carries it out (queue, fetch, delivery log).
//!
//! Delivery is at least once: every event has an id, and each (destination,
//! event) pair one delivery id that receivers use to drop duplicates.

pub mod events;
pub mod segment;

use serde::{Deserialize, Serialize};

use super::webhook;

/// What happened, as the `type` of an outbound event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    #[serde(rename = "conversation.created")]
    ConversationCreated,
    /// A visitor's or a staff member's message (never a bot's: there is none).
    #[serde(rename = "message.created")]
    MessageCreated,
    #[serde(rename = "conversation.assigned")]
    ConversationAssigned,
    #[serde(rename = "conversation.closed")]
    ConversationClosed,
    #[serde(rename = "conversation.reopened")]
    ConversationReopened,
    /// Staff corrected a message's topic, tone or kind.
    #[serde(rename = "labels.corrected")]
    LabelsCorrected,
    /// A batch of touchpoints (page views, clicks, forms, engagement).
    #[serde(rename = "touchpoints")]
    Touchpoints,
    /// A visitor's data was erased; destinations that keep copies should too.
    #[serde(rename = "visitor.erased")]
    VisitorErased,
}

impl EventType {
    pub const ALL: [EventType; 8] = [
        EventType::ConversationCreated,
        EventType::MessageCreated,
        EventType::ConversationAssigned,
        EventType::ConversationClosed,
        EventType::ConversationReopened,
        EventType::LabelsCorrected,
        EventType::Touchpoints,
        EventType::VisitorErased,
    ];

    /// The name on the wire (`conversation.created`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ConversationCreated => "conversation.created",
            EventType::MessageCreated => "message.created",
            EventType::ConversationAssigned => "conversation.assigned",
            EventType::ConversationClosed => "conversation.closed",
            EventType::ConversationReopened => "conversation.reopened",
            EventType::LabelsCorrected => "labels.corrected",
            EventType::Touchpoints => "touchpoints",
            EventType::VisitorErased => "visitor.erased",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// The kinds of destination a site can add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Touchpoint's JSON envelope, signed, to any HTTPS endpoint.
    Webhook,
    /// Touchpoints as Segment `page`/`track` calls to a `/v1/batch` collector,
    /// and a consenting visitor's given contact as an `identify` call.
    Segment,
    /// Conversations into a Chatwoot API inbox; agents' replies come back.
    Chatwoot,
    /// Each finished UTC day's touchpoints, conversations and labels as
    /// NDJSON gzip objects in the worker's R2 bucket (`EXPORTS`), under a prefix.
    R2,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Webhook, Kind::Segment, Kind::Chatwoot, Kind::R2];

    /// The name on the wire and in storage (`webhook`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Webhook => "webhook",
            Kind::Segment => "segment",
            Kind::Chatwoot => "chatwoot",
            Kind::R2 => "r2",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The events a kind can carry at all (a filter narrows them further).
    pub fn carries(self, event: EventType) -> bool {
        match self {
            Kind::Webhook => true,
            // Segment's deletions go through its separate regulations API.
            Kind::Segment => matches!(
                event,
                EventType::Touchpoints | EventType::ConversationCreated
            ),
            Kind::Chatwoot => matches!(
                event,
                EventType::ConversationCreated
                    | EventType::MessageCreated
                    | EventType::ConversationClosed
                    | EventType::ConversationReopened
                    | EventType::LabelsCorrected
            ),
            // Written by the scheduled job a day at a time, not per event.
            Kind::R2 => false,
        }
    }
}

/// Which events a destination wants. Empty lists mean "all".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    #[serde(default)]
    pub events: Vec<EventType>,
    /// Team ids; events without a team (touchpoints) pass a team filter.
    #[serde(default)]
    pub teams: Vec<String>,
    /// Topics; events without a topic pass a topic filter.
    #[serde(default)]
    pub topics: Vec<String>,
}

impl Filter {
    /// Whether an event of this type, team and topic passes.
    pub fn accepts(&self, event: EventType, team: &str, topic: &str) -> bool {
        let listed = |list: &[String], value: &str| {
            list.is_empty() || value.is_empty() || list.iter().any(|v| v == value)
        };
        (self.events.is_empty() || self.events.contains(&event))
            && listed(&self.teams, team)
            && listed(&self.topics, topic)
    }
}

/// A destination as the operator API and the console's Settings write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub kind: Kind,
    /// A label for people ("CRM webhook", "Chatwoot EU").
    pub name: String,
    /// The endpoint: the webhook URL, the collector's base URL (…/v1/batch is
    /// appended), or the Chatwoot installation's base URL. None for R2.
    #[serde(default)]
    pub url: String,
    /// R2 only: the start of every object key (`exports/` → `exports/site=…`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub prefix: String,
    /// The webhook's signing secret, the Segment write key, or the Chatwoot
    /// API access token. Never shown again after it is saved.
    #[serde(default)]
    pub secret: String,
    /// Chatwoot only: the account and the API inbox conversations go to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chatwoot: Option<ChatwootTarget>,
    #[serde(default)]
    pub filter: Filter,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

/// A change to a stored destination (`PATCH`): fields left out keep their
/// stored values. The console's Settings sends the same type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Update {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chatwoot: Option<ChatwootTarget>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

impl Update {
    /// `spec` with this change; the result still has to pass `Spec::validate`.
    pub fn apply(self, mut spec: Spec) -> Spec {
        if let Some(name) = self.name {
            spec.name = name;
        }
        if let Some(url) = self.url {
            spec.url = url;
        }
        if let Some(prefix) = self.prefix {
            spec.prefix = prefix;
        }
        if let Some(secret) = self.secret {
            spec.secret = secret;
        }
        if self.chatwoot.is_some() {
            spec.chatwoot = self.chatwoot;
        }
        if let Some(filter) = self.filter {
            spec.filter = filter;
        }
        if let Some(enabled) = self.enabled {
            spec.enabled = enabled;
        }
        spec
    }
}

/// A destination's URL as lists show it: without its query string, where
/// endpoints often carry a key (`?token=…`).
pub fn masked_url(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => {
            let mut shown = base.to_owned();
            shown.push_str("?…");
            shown
        }
        None => url.to_owned(),
    }
}

/// Where in Chatwoot a conversation goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatwootTarget {
    pub account_id: u32,
    pub inbox_id: u32,
}

/// Longest accepted URL, name and secret.
const MAX_URL: usize = 500;
const MAX_NAME: usize = 80;
const MAX_SECRET: usize = 200;
const MAX_FILTER_ITEMS: usize = 50;

impl Spec {
    /// Checks a spec before it is stored; the message names the field.
    /// `allow_http` lets a local deployment (and its tests) use plain-HTTP
    /// receivers; production endpoints must be HTTPS.
    pub fn validate(&self, allow_http: bool) -> Result<(), String> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME {
            return Err(format!("name: 1 to {MAX_NAME} characters"));
        }
        if self.kind == Kind::R2 {
            super::export::check_prefix(&self.prefix)?;
            if !self.url.is_empty() || !self.secret.is_empty() {
                return Err("url, secret: an R2 destination writes to the worker's bucket and takes neither".into());
            }
            if self.filter != Filter::default() {
                return Err("filter: an R2 destination exports everything".into());
            }
        } else {
            check_url(&self.url, allow_http)?;
            if !self.prefix.is_empty() {
                return Err("prefix: only for an R2 destination".into());
            }
        }
        let secret_len = self.secret.chars().count();
        match self.kind {
            Kind::Webhook if secret_len < 16 => {
                return Err(
                    "secret: a webhook needs a signing secret of at least 16 characters".into(),
                )
            }
            Kind::Segment | Kind::Chatwoot if secret_len == 0 => {
                return Err(match self.kind {
                    Kind::Segment => "secret: the collector's write key".into(),
                    _ => "secret: a Chatwoot API access token".into(),
                })
            }
            _ => {}
        }
        if secret_len > MAX_SECRET || self.secret.chars().any(char::is_control) {
            return Err(format!("secret: at most {MAX_SECRET} printable characters"));
        }
        match (self.kind, self.chatwoot) {
            (Kind::Chatwoot, None) => {
                return Err("chatwoot: account_id and inbox_id are required".into())
            }
            (Kind::Chatwoot, Some(t)) if t.account_id == 0 || t.inbox_id == 0 => {
                return Err("chatwoot: account_id and inbox_id must be positive".into())
            }
            (Kind::Webhook | Kind::Segment | Kind::R2, Some(_)) => {
                return Err("chatwoot: only for a Chatwoot destination".into())
            }
            _ => {}
        }
        if let Some(event) = self.filter.events.iter().find(|e| !self.kind.carries(**e)) {
            return Err(format!(
                "filter.events: a {} destination cannot carry {}",
                self.kind_name(),
                event.as_str()
            ));
        }
        let f = &self.filter;
        if f.events.len() > MAX_FILTER_ITEMS
            || f.teams.len() > MAX_FILTER_ITEMS
            || f.topics.len() > MAX_FILTER_ITEMS
        {
            return Err(format!("filter: at most {MAX_FILTER_ITEMS} items per list"));
        }
        Ok(())
    }

    fn kind_name(&self) -> &'static str {
        self.kind.as_str()
    }

    /// Whether this destination takes an event.
    pub fn wants(&self, event: EventType, team: &str, topic: &str) -> bool {
        self.enabled && self.kind.carries(event) && self.filter.accepts(event, team, topic)
    }
}

/// Absolute http(s) URL without credentials, whitespace or a fragment, to
/// a host on the internet by name. `allow_http` (a local run and its
/// tests) also lets plain HTTP and this machine's or a private network's
/// hosts through: in production a site's admins, not the operator, choose
/// where the worker posts, and it must not post to itself, a metadata
/// service or a private network.
pub fn check_url(url: &str, allow_http: bool) -> Result<(), String> {
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://").filter(|_| allow_http) {
        rest
    } else {
        return Err("url: must start with https://".into());
    };
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let bad = url.len() > MAX_URL
        || authority.is_empty()
        || authority.contains('@')
        || url.contains(['#', '\\'])
        || url.chars().any(|c| c.is_whitespace() || c.is_control());
    if bad {
        return Err(format!(
            "url: an absolute URL up to {MAX_URL} characters, without credentials, spaces, a backslash or a fragment"
        ));
    }
    let Some(host) = super::site::host_of_authority(authority) else {
        return Err("url: the port must be 1 to 65535".into());
    };
    if !allow_http && !is_public_name(host) {
        return Err("url: a host on the internet by name, in ASCII (an international name as xn--), not an IP address, localhost or a private network's name".into());
    }
    let port = authority
        .get(host.len()..)
        .and_then(|rest| rest.strip_prefix(':'))
        .and_then(|port| port.parse::<u16>().ok());
    if let Some(port) = port.filter(|port| !allow_http && BAD_PORTS.contains(port)) {
        return Err(format!(
            "url: port {port} is another protocol's (mail, SSH, databases…): a receiver answers HTTPS on 443 or a web port"
        ));
    }
    Ok(())
}

/// The ports the Fetch standard forbids browsers (other protocols' servers,
/// which a request from the worker must not reach either), and the common
/// databases' and caches' (MySQL, PostgreSQL, Redis, MongoDB, Memcached,
/// Elasticsearch).
const BAD_PORTS: [u16; 90] = [
    1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102,
    103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465,
    512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993,
    995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668,
    6669, 6679, 6697, 10080, 3306, 5432, 6379, 27017, 11211, 9200, 9300, 2375,
];

/// Whether `host` is a name on the public internet: not an IP address in
/// any spelling (`[::1]`, `127.1`, `0x7f000001`, `2130706433`: a host whose
/// last label is a number is an IPv4 address to a URL parser), and not a
/// name only a local network resolves (`localhost`, `*.internal`, a name
/// without a dot). Only ASCII letters, digits, dots and hyphens pass: a URL
/// parser maps escapes, full-width characters and `。` to ASCII after this
/// check has read them (`127.0.0.１` is 127.0.0.1 to `fetch`). A public name
/// that resolves to a private address is the network's to refuse
/// (Cloudflare's does; a self-hosted workerd's may not), but a name that
/// spells an address out (`127.0.0.1.nip.io`, `10-0-0-1.sslip.io`) or
/// that is published to resolve to this machine (`lvh.me`) is refused here.
fn is_public_name(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    let last = host.rsplit('.').next().unwrap_or_default();
    let numeric = last.bytes().all(|b| b.is_ascii_digit()) || last.starts_with("0x");
    let private = [
        "localhost",
        "local",
        "internal",
        "localdomain",
        "lan",
        "home.arpa",
        "intranet",
        "corp",
        "home",
        "private",
        "svc",
    ]
    .iter()
    .any(|name| {
        host == *name
            || host
                .strip_suffix(name)
                .is_some_and(|head| head.ends_with('.'))
    });
    let loopback = LOOPBACK_NAMES.iter().any(|name| {
        host == *name
            || host
                .strip_suffix(name)
                .is_some_and(|head| head.ends_with('.'))
    });
    let plain = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    plain && host.contains('.') && !numeric && !private && !loopback && !spells_ipv4(&host)
}

/// Public names that resolve to 127.0.0.1 with every subdomain, published
/// for developers (and so known to anyone probing a server), and wildcard
/// DNS services that answer any address a name spells, in forms beyond
/// `spells_ipv4`'s (hex, IPv6, rebinding between two): no receiver of a
/// site's events lives there.
const LOOPBACK_NAMES: [&str; 12] = [
    "localtest.me",
    "lvh.me",
    "vcap.me",
    "lacolhost.com",
    "localhost.direct",
    "nip.io",
    "sslip.io",
    "xip.io",
    "nip.direct",
    "traefik.me",
    "rbndr.us",
    "1u.ms",
];

/// Whether a name carries an IPv4 address in four numeric parts in a row,
/// split by dots or hyphens, as wildcard DNS services (nip.io, sslip.io and
/// the like) resolve them: `127.0.0.1.nip.io`, `app-10-0-0-1.nip.io`,
/// `192-168-1-1.sslip.io`. A name with four such numbers that is not one of
/// those services is rare enough to ask for another.
fn spells_ipv4(host: &str) -> bool {
    let mut run = 0;
    for part in host.split(['.', '-']) {
        let octet = !part.is_empty() && part.len() <= 3 && part.bytes().all(|b| b.is_ascii_digit());
        run = if octet && part.parse::<u16>().is_ok_and(|n| n <= 255) {
            run + 1
        } else {
            0
        };
        if run == 4 {
            return true;
        }
    }
    false
}

/// The id receivers de-duplicate one destination's deliveries by: the same
/// event sent to the same destination always has the same delivery id, even
/// when it is retried or replayed.
pub fn delivery_id(destination_id: &str, event_id: &str) -> String {
    let mut id = String::with_capacity(destination_id.len() + event_id.len() + 1);
    id.push_str(destination_id);
    // URL-safe, so the id can sit in a path as it is.
    id.push('.');
    id.push_str(event_id);
    id
}

/// The body a webhook destination receives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// The event's id (the same for every destination).
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// Milliseconds since the epoch when it happened.
    pub created_at: i64,
    pub site: String,
    /// The event's own fields (see openapi.json's `webhooks`).
    pub data: serde_json::Value,
}

/// The headers of a webhook delivery besides `content-type`.
pub fn webhook_headers(
    secret: &str,
    delivery_id: &str,
    event: EventType,
    timestamp_s: i64,
    body: &str,
) -> [(&'static str, String); 3] {
    [
        (
            "x-touchpoint-signature",
            webhook::signature(secret, timestamp_s, body),
        ),
        ("x-touchpoint-delivery", delivery_id.to_owned()),
        ("x-touchpoint-event", event.as_str().to_owned()),
    ]
}

/// Where a delivery stands, as stored in the delivery log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    Pending,
    Delivered,
    /// Out of attempts (or refused for good): kept for replay.
    Dead,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            DeliveryState::Pending,
            DeliveryState::Delivered,
            DeliveryState::Dead,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Delivered,
    /// Try again after this many seconds.
    RetryIn(u32),
    /// Give up: kept in the delivery log as dead, replayable from the console.
    Dead,
}

/// Decides after attempt number `attempt` (1-based) answered `status`
/// (`None`: no answer — a network error or a timeout). Retries wait
/// `base_s`, then four times longer each time, at most an hour; after
/// `webhook::MAX_ATTEMPTS` attempts the delivery is dead.
pub fn after_attempt(attempt: u32, status: Option<u16>, base_s: u32) -> Next {
    match status {
        Some(200..=299) => Next::Delivered,
        // The receiver says this endpoint is gone for good.
        Some(410) => Next::Dead,
        _ if attempt >= webhook::MAX_ATTEMPTS => Next::Dead,
        _ => Next::RetryIn(
            base_s
                .saturating_mul(4u32.saturating_pow(attempt.saturating_sub(1)))
                .min(3600),
        ),
    }
}

/// Seconds a delivery waits behind an earlier one still pending, due again
/// at `ahead_due_at` (ms). Behind one that `failed` (its retry is set):
/// until a second after that attempt, at most an hour (the longest
/// backoff). Behind one not tried yet or on its first attempt (its lease
/// says nothing of when it ends): two seconds, then look again.
pub fn hold_behind_s(ahead_due_at: i64, failed: bool, now: i64) -> u32 {
    if !failed {
        return 2;
    }
    let seconds = (ahead_due_at.saturating_sub(now)).div_euclid(1000) + 1;
    u32::try_from(seconds.clamp(1, 3600)).unwrap_or(3600)
}

/// Entries per page of a delivery log when the caller does not say, and the most.
pub const LOG_PAGE: u32 = 200;

/// Where a delivery-log page starts: after the entry at (created_at, id)
/// (`None`: the newest), with at most `limit` entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogPage {
    pub after: Option<super::export::Cursor>,
    pub limit: u32,
}

/// The first character of a delivery log's cursor, so an export cursor is
/// refused here and the other way round.
const LOG_CURSOR_TAG: char = 'd';

/// Reads `limit` (1 to `LOG_PAGE`) and `cursor` (one `log_cursor` gave out
/// for this site's `destination`: another's log is another list).
pub fn log_page(
    (site, destination): (&str, &str),
    limit: Option<&str>,
    cursor: Option<&str>,
) -> Result<LogPage, super::export::PageError> {
    use super::export::{Cursor, PageError};
    let limit = match limit {
        None => LOG_PAGE,
        Some(text) => super::api::query_number::<u32>(text)
            .filter(|l| (1..=LOG_PAGE).contains(l))
            .ok_or_else(|| PageError::Invalid(format!("limit: 1 to {LOG_PAGE}")))?,
    };
    let after = match cursor {
        None => None,
        Some(text) => Some(
            Cursor::decode_bound(text, LOG_CURSOR_TAG, &[site, destination])
                .ok_or(PageError::BadCursor)?,
        ),
    };
    Ok(LogPage { after, limit })
}

/// The cursor of the page of this site's `destination` log after the entry
/// at (created_at, id): opaque to clients, like the export API's.
pub fn log_cursor((site, destination): (&str, &str), created_at: i64, id: &str) -> String {
    super::export::Cursor {
        at: created_at,
        id: id.to_owned(),
    }
    .encode_bound(LOG_CURSOR_TAG, &[site, destination])
}

/// The wait before the first retry when the deployment does not set one.
pub const DEFAULT_RETRY_BASE_S: u32 = 30;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_behind_a_retry_waits_until_just_after_it() {
        let now = 1_000_000;
        assert_eq!(hold_behind_s(now + 30_000, true, now), 31);
        assert_eq!(hold_behind_s(now + 30_500, true, now), 31);
        assert_eq!(
            hold_behind_s(now, true, now),
            1,
            "due now: look again in a second"
        );
        assert_eq!(
            hold_behind_s(0, true, now),
            1,
            "overdue (the sweep takes it up)"
        );
        assert_eq!(hold_behind_s(i64::MAX, true, 0), 3600);
        // On its first attempt (leased a minute ahead) or not tried yet.
        assert_eq!(hold_behind_s(now + 60_000, false, now), 2);
    }

    fn spec(json: &str) -> Result<Spec, String> {
        let spec: Spec = serde_json::from_str(json).map_err(|e| e.to_string())?;
        spec.validate(false)?;
        Ok(spec)
    }

    #[test]
    fn a_url_must_name_a_host_on_the_internet_unless_the_run_is_local() {
        for url in [
            "https://hooks.example/in",
            "https://hooks.example:8443/in?x=1",
            "https://crm.example.cafe/",
            "https://hooks.example./in",
            // Numbers in a name are not an address unless four in a row.
            "https://eu-1-2.hooks.example/in",
            "https://api.2024.example/",
            "https://v1.300.0.0.1.example/",
        ] {
            assert_eq!(check_url(url, false), Ok(()), "{url}");
        }
        // The review's list: this machine, metadata services, private
        // networks, and IPv4 in every spelling a URL parser accepts.
        for url in [
            "https://127.0.0.1/",
            "https://169.254.169.254/latest/meta-data/",
            "https://localhost:8970/",
            "https://metadata.google.internal/",
            "https://[::1]/",
            "https://0x7f000001/",
            "https://2130706433/",
            "https://127.1/",
            "https://10.0.0.1/",
            "https://%31%32%37.0.0.1/",
            "https://printer.local/",
            "https://intranet/",
            "https://api.localhost/",
            // What `fetch` reads differently from the text (an outside
            // review reached 127.0.0.1 with each): full-width digits and
            // letters, the ideographic full stop.
            "https://127.0.0.\u{ff11}/",
            "https://127.0.0.1\u{3002}/",
            "https://metadata.google.\u{ff49}\u{ff4e}\u{ff54}\u{ff45}\u{ff52}\u{ff4e}\u{ff41}\u{ff4c}/",
            // Public names that resolve to this machine or a private
            // network (an outside audit registered 127.0.0.1.nip.io).
            "https://127.0.0.1.nip.io/",
            "https://app.10.0.0.1.nip.io:8443/in",
            "https://app-10-0-0-1.nip.io/",
            "https://192-168-1-1.sslip.io/",
            "https://169.254.169.254.sslip.io/latest",
            "https://lvh.me/",
            "https://hooks.localtest.me/",
            // A review's spellings: nip.io's hex, sslip.io's IPv6.
            "https://app-7f000001.nip.io/",
            "https://magic-a9fea9fe.nip.io/latest",
            "https://--1.sslip.io/",
            "https://--ffff-7f00-1.SSLIP.IO./",
            "https://7f000001.1u.ms/",
            "https://crm.corp/",
            "https://redis.cache.svc/",
        ] {
            let refused = check_url(url, false).unwrap_err();
            assert!(
                refused.starts_with("url: a host on the internet"),
                "{url}: {refused}"
            );
            assert_eq!(check_url(url, true), Ok(()), "{url} in a local run");
        }
        for url in [
            "https://x.example:99999/",
            "https://x.example:0/",
            "https://x.example:/",
        ] {
            assert_eq!(
                check_url(url, true),
                Err("url: the port must be 1 to 65535".into()),
                "{url}"
            );
        }
        // Other protocols' ports: a mail or SSH server, a database.
        for url in [
            "https://hooks.example:22/",
            "https://hooks.example:25/in",
            "https://hooks.example:6379/",
            "https://hooks.example:5432/",
            "https://hooks.example:6679/",
        ] {
            let refused = check_url(url, false).unwrap_err();
            assert!(refused.contains("another protocol's"), "{url}: {refused}");
        }
        assert_eq!(check_url("https://hooks.example:8443/in", false), Ok(()));
        assert_eq!(check_url("https://hooks.example:3000/in", false), Ok(()));
        // A backslash is a slash to a URL parser: the host would end before it.
        for url in [
            "https://127.0.0.1:9443\\x.example:443/",
            "https://169.254.169.254\\latest.example/meta-data",
            "https://hooks.example/in\\x",
        ] {
            let refused = check_url(url, true).unwrap_err();
            assert!(refused.contains("a backslash"), "{url}: {refused}");
        }
        assert_eq!(check_url("https://xn--caf-dma.example/", false), Ok(()));
        assert!(check_url("https://caf\u{e9}.example/", false).is_err());
        assert!(check_url("http://hooks.example/", false).is_err());
        assert!(check_url("https://user:pw@hooks.example/", true).is_err());
    }

    #[test]
    fn event_names_round_trip_and_match_serde() {
        for event in EventType::ALL {
            assert_eq!(EventType::parse(event.as_str()), Some(event));
            let json = serde_json::to_string(&event).unwrap();
            assert_eq!(json, format!("\"{}\"", event.as_str()));
        }
        assert_eq!(EventType::parse("conversation.deleted"), None);
    }

    #[test]
    fn an_r2_destination_takes_a_prefix_and_carries_no_events() {
        let ok = spec(r#"{"kind":"r2","name":"Warehouse","prefix":"touchpoint/"}"#).unwrap();
        assert_eq!(ok.prefix, "touchpoint/");
        assert!(EventType::ALL.into_iter().all(|e| !ok.wants(e, "", "")));
        assert!(spec(r#"{"kind":"r2","name":"Warehouse"}"#).is_ok());
        for (json, field) in [
            (r#"{"kind":"r2","name":"W","prefix":"/abs/"}"#, "prefix"),
            (
                r#"{"kind":"r2","name":"W","url":"https://x.example"}"#,
                "url",
            ),
            (
                r#"{"kind":"r2","name":"W","filter":{"teams":["sales"]}}"#,
                "filter",
            ),
            (
                r#"{"kind":"webhook","name":"C","url":"https://x.example","secret":"0123456789abcdef","prefix":"a/"}"#,
                "prefix",
            ),
            (
                r#"{"kind":"webhook","name":"C","secret":"0123456789abcdef"}"#,
                "url",
            ),
        ] {
            let err = spec(json).expect_err(json);
            assert!(err.starts_with(field), "{json}: {err}");
        }
    }

    #[test]
    fn a_webhook_needs_https_and_a_real_secret() {
        let ok = spec(
            r#"{"kind":"webhook","name":"CRM","url":"https://crm.example/hooks","secret":"0123456789abcdef"}"#,
        );
        assert!(ok.is_ok(), "{ok:?}");
        for (json, field) in [
            (
                r#"{"kind":"webhook","name":"CRM","url":"http://crm.example/h","secret":"0123456789abcdef"}"#,
                "url",
            ),
            (
                r#"{"kind":"webhook","name":"CRM","url":"https://user:pw@crm.example/h","secret":"0123456789abcdef"}"#,
                "url",
            ),
            (
                r#"{"kind":"webhook","name":"CRM","url":"https:///h","secret":"0123456789abcdef"}"#,
                "url",
            ),
            (
                r#"{"kind":"webhook","name":"CRM","url":"https://crm.example/h x","secret":"0123456789abcdef"}"#,
                "url",
            ),
            (
                r#"{"kind":"webhook","name":"CRM","url":"https://crm.example/h","secret":"short"}"#,
                "secret",
            ),
            (
                r#"{"kind":"webhook","name":" ","url":"https://crm.example/h","secret":"0123456789abcdef"}"#,
                "name",
            ),
            (
                r#"{"kind":"segment","name":"S","url":"https://api.segment.io"}"#,
                "secret",
            ),
            (
                r#"{"kind":"chatwoot","name":"C","url":"https://app.chatwoot.com","secret":"tok"}"#,
                "chatwoot",
            ),
            (
                r#"{"kind":"chatwoot","name":"C","url":"https://app.chatwoot.com","secret":"tok","chatwoot":{"account_id":0,"inbox_id":3}}"#,
                "chatwoot",
            ),
            (
                r#"{"kind":"webhook","name":"C","url":"https://x.example","secret":"0123456789abcdef","chatwoot":{"account_id":1,"inbox_id":3}}"#,
                "chatwoot",
            ),
            (
                r#"{"kind":"segment","name":"S","url":"https://api.segment.io","secret":"wk","filter":{"events":["message.created"]}}"#,
                "filter.events",
            ),
        ] {
            let err = spec(json).expect_err(json);
            assert!(err.starts_with(field), "{json}: {err}");
        }
        // Unknown fields and unknown event names are refused by the parser.
        assert!(spec(r#"{"kind":"webhook","name":"C","url":"https://x.example","secret":"0123456789abcdef","sign":true}"#).is_err());
        assert!(spec(r#"{"kind":"webhook","name":"C","url":"https://x.example","secret":"0123456789abcdef","filter":{"events":["everything"]}}"#).is_err());
        assert!(spec(
            r#"{"kind":"ftp","name":"C","url":"https://x.example","secret":"0123456789abcdef"}"#
        )
        .is_err());
    }

    #[test]
    fn local_receivers_are_allowed_only_when_asked() {
        let s: Spec = serde_json::from_str(
            r#"{"kind":"webhook","name":"Local","url":"http://127.0.0.1:9000/h","secret":"0123456789abcdef"}"#,
        )
        .unwrap();
        assert!(s.validate(false).is_err());
        assert!(s.validate(true).is_ok());
    }

    #[test]
    fn filters_narrow_by_event_team_and_topic() {
        let s = spec(r#"{"kind":"webhook","name":"Billing","url":"https://x.example","secret":"0123456789abcdef",
            "filter":{"events":["conversation.created","touchpoints"],"teams":["billing"],"topics":["billing","refund"]}}"#).unwrap();
        assert!(s.wants(EventType::ConversationCreated, "billing", "refund"));
        assert!(!s.wants(EventType::ConversationCreated, "support", "refund"));
        assert!(!s.wants(EventType::ConversationCreated, "billing", "delivery"));
        assert!(!s.wants(EventType::MessageCreated, "billing", "refund"));
        // Touchpoints have no team or topic: a team filter does not hide them.
        assert!(s.wants(EventType::Touchpoints, "", ""));
        let off = Spec {
            enabled: false,
            ..s
        };
        assert!(!off.wants(EventType::ConversationCreated, "billing", "refund"));
        // Kinds carry only what they can use.
        let segment =
            spec(r#"{"kind":"segment","name":"S","url":"https://api.segment.io","secret":"wk"}"#)
                .unwrap();
        assert!(segment.wants(EventType::Touchpoints, "", ""));
        assert!(!segment.wants(EventType::MessageCreated, "support", "order"));
        // A new conversation, for its `identify` call.
        assert!(segment.wants(EventType::ConversationCreated, "support", "order"));
    }

    #[test]
    fn delivery_log_pages_have_their_own_opaque_cursor() {
        use crate::domain::export::{Cursor, PageError, Stream};
        let log = ("demo", "dst_1");
        assert_eq!(
            log_page(log, None, None),
            Ok(LogPage {
                after: None,
                limit: LOG_PAGE
            })
        );
        let cursor = log_cursor(log, 1_800_000_000_000, "dst_1.ev_2");
        let page = log_page(log, Some("2"), Some(&cursor)).unwrap();
        assert_eq!(page.limit, 2);
        assert_eq!(
            page.after,
            Some(Cursor {
                at: 1_800_000_000_000,
                id: "dst_1.ev_2".into()
            })
        );
        // Another destination's log, or another site's, is another list.
        for other in [("demo", "dst_2"), ("other", "dst_1")] {
            assert_eq!(
                log_page(other, None, Some(&cursor)),
                Err(PageError::BadCursor)
            );
        }
        // An export cursor is not a log cursor, nor the other way round.
        let export = Cursor {
            at: 5,
            id: "e1".into(),
        }
        .encode(Stream::Touchpoints, "demo");
        assert_eq!(
            log_page(log, None, Some(&export)),
            Err(PageError::BadCursor)
        );
        assert_eq!(Cursor::decode(&cursor, Stream::Touchpoints, "demo"), None);
        assert_eq!(log_page(log, None, Some("d1.x")), Err(PageError::BadCursor));
        // The earlier format, bound to no destination.
        assert_eq!(
            log_page(log, None, Some("d1.5.6531")),
            Err(PageError::BadCursor)
        );
        for limit in ["0", "201", "x"] {
            assert!(matches!(
                log_page(log, Some(limit), None),
                Err(PageError::Invalid(m)) if m.starts_with("limit")
            ));
        }
    }

    #[test]
    fn attempts_end_delivered_retried_or_dead() {
        let base = DEFAULT_RETRY_BASE_S;
        assert_eq!(after_attempt(1, Some(200), base), Next::Delivered);
        assert_eq!(after_attempt(1, Some(204), base), Next::Delivered);
        assert_eq!(after_attempt(1, Some(500), base), Next::RetryIn(30));
        assert_eq!(after_attempt(2, None, base), Next::RetryIn(120));
        assert_eq!(after_attempt(5, None, base), Next::RetryIn(3600));
        assert_eq!(after_attempt(1, Some(410), base), Next::Dead);
        assert_eq!(
            after_attempt(webhook::MAX_ATTEMPTS, Some(503), base),
            Next::Dead
        );
        // 3xx is not success: receivers must answer the URL they were given.
        assert_eq!(after_attempt(1, Some(301), base), Next::RetryIn(30));
        // A deployment may retry at once (its own tests do).
        assert_eq!(after_attempt(3, Some(500), 0), Next::RetryIn(0));
        // Same schedule as the team webhooks.
        for attempt in 1..webhook::MAX_ATTEMPTS {
            assert_eq!(
                after_attempt(attempt, None, base),
                Next::RetryIn(webhook::retry_delay_s(attempt).unwrap())
            );
        }
    }

    #[test]
    fn kinds_round_trip_and_match_serde() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(Kind::parse("ftp"), None);
    }

    #[test]
    fn an_update_changes_only_what_it_names() {
        let stored = spec(
            r#"{"kind":"chatwoot","name":"C","url":"https://app.chatwoot.com","secret":"tok",
            "chatwoot":{"account_id":1,"inbox_id":2},"filter":{"topics":["billing"]}}"#,
        )
        .unwrap();
        let same = Update::default().apply(stored.clone());
        assert_eq!(same, stored);
        let off: Update = serde_json::from_str(r#"{"enabled":false}"#).unwrap();
        let changed = off.apply(stored.clone());
        assert!(!changed.enabled);
        assert_eq!(
            (changed.secret.as_str(), changed.chatwoot, &changed.filter),
            ("tok", stored.chatwoot, &stored.filter)
        );
        let refiltered = Update {
            filter: Some(Filter::default()),
            name: Some("Desk".into()),
            ..Update::default()
        };
        let changed = refiltered.clone().apply(stored.clone());
        assert_eq!(
            (changed.name.as_str(), changed.filter),
            ("Desk", Filter::default())
        );
        // What the console sends is what the API reads: only the named fields.
        let json = serde_json::to_string(&refiltered).unwrap();
        assert_eq!(
            json,
            r#"{"name":"Desk","filter":{"events":[],"teams":[],"topics":[]}}"#
        );
        assert_eq!(serde_json::from_str::<Update>(&json).unwrap(), refiltered);
        assert!(serde_json::from_str::<Update>(r#"{"kind":"webhook"}"#).is_err());
        let r2 = spec(r#"{"kind":"r2","name":"Warehouse","prefix":"a/"}"#).unwrap();
        let moved: Update = serde_json::from_str(r#"{"prefix":"b/"}"#).unwrap();
        assert_eq!(moved.apply(r2).prefix, "b/");
    }

    #[test]
    fn listed_urls_hide_their_query() {
        assert_eq!(
            masked_url("https://x.example/h?token=abc&x=1"),
            "https://x.example/h?…"
        );
        assert_eq!(masked_url("https://x.example/h"), "https://x.example/h");
    }

    #[test]
    fn delivery_states_round_trip() {
        for state in [
            DeliveryState::Pending,
            DeliveryState::Delivered,
            DeliveryState::Dead,
        ] {
            assert_eq!(DeliveryState::parse(state.as_str()), Some(state));
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
        }
        assert_eq!(DeliveryState::parse("failed"), None);
    }

    #[test]
    fn deliveries_are_signed_and_idempotent() {
        let id = delivery_id("dst_1", "evt_9");
        assert_eq!(id, delivery_id("dst_1", "evt_9"));
        assert_ne!(id, delivery_id("dst_2", "evt_9"));
        let body = r#"{"id":"evt_9"}"#;
        let headers = webhook_headers(
            "0123456789abcdef",
            &id,
            EventType::MessageCreated,
            1_800_000_000,
            body,
        );
        assert_eq!(
            headers[0].1,
            webhook::signature("0123456789abcdef", 1_800_000_000, body)
        );
        assert_eq!(headers[1].1, "dst_1.evt_9");
        assert_eq!(headers[2].1, "message.created");
    }
}
