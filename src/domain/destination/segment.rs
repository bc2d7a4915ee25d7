//! Touchpoints as Segment calls, for any collector that speaks Segment's HTTP
//! Tracking API (Segment, RudderStack, Jitsu, Customer.io Data Pipelines…):
//! `POST <base>/v1/batch` with HTTP Basic auth (the write key as user name),
//! page views as `page` calls and everything else as `track` calls; a
//! conversation in which a consenting visitor left an e-mail address or a
//! phone number becomes an `identify` call. Segment refuses calls over 32 KB
//! and batches over 500 KB, and de-duplicates by `messageId`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::events::Contact;
use crate::domain::ingest::EventRow;

/// Largest batch body Segment accepts (bytes); we stay a little under.
pub const MAX_BATCH_BYTES: usize = 480_000;
/// Largest single call Segment accepts (bytes).
pub const MAX_CALL_BYTES: usize = 32_000;

/// A stored touchpoint as it leaves Touchpoint (the `touchpoints` webhook
/// event, analytics forwarding and the bulk export share it). Field names are
/// the `events` table's columns. Paths are already masked and text redacted
/// at ingestion.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Touchpoint {
    pub id: String,
    /// `pageview`, `engagement`, `click`, `form` or `custom`.
    pub kind: String,
    /// Milliseconds since the epoch.
    pub occurred_at: i64,
    pub path: String,
    pub title: String,
    pub referrer: String,
    pub page_type: String,
    pub channel: String,
    pub source_name: String,
    pub utm_source: String,
    pub utm_medium: String,
    pub utm_campaign: String,
    pub utm_term: String,
    pub utm_content: String,
    pub click_id: String,
    /// A click's or custom event's name, a form's id.
    pub name: String,
    /// A click's target.
    pub target: String,
    /// A custom event's properties as a JSON object of strings ("" if none).
    pub props: String,
    pub engaged_ms: i64,
    pub scroll_percent: i64,
    pub fields: i64,
    pub language: String,
    pub time_zone: String,
    /// The cookieless visitor key (rotates daily); empty under Do Not Track.
    pub visitor_key: String,
    /// The visitor id the visitor consented to; empty otherwise.
    pub visitor_id: String,
}

impl Touchpoint {
    /// A stored event row as it leaves Touchpoint, with the page type and the
    /// visitor's key and consented id the edge gave it.
    pub fn from_row(row: &EventRow, page_type: &str, visitor_key: &str, visitor_id: &str) -> Self {
        Touchpoint {
            id: row.id.clone(),
            kind: row.kind.to_owned(),
            occurred_at: row.occurred_at_ms,
            path: row.path.clone(),
            title: row.title.clone(),
            referrer: row.referrer.clone(),
            page_type: page_type.to_owned(),
            channel: row.channel.clone(),
            source_name: row.source_name.clone(),
            utm_source: row.utm_source.clone(),
            utm_medium: row.utm_medium.clone(),
            utm_campaign: row.utm_campaign.clone(),
            utm_term: row.utm_term.clone(),
            utm_content: row.utm_content.clone(),
            click_id: row.click_id.clone(),
            name: row.name.clone(),
            target: row.target.clone(),
            props: row.props_json.clone(),
            engaged_ms: i64::try_from(row.engaged_ms).unwrap_or(i64::MAX),
            scroll_percent: i64::from(row.scroll_percent),
            fields: i64::from(row.fields),
            language: row.language.clone(),
            time_zone: row.time_zone.clone(),
            visitor_key: visitor_key.to_owned(),
            visitor_id: visitor_id.to_owned(),
        }
    }
}

/// The Segment call for a touchpoint, or `None` when the visitor asked not to
/// be tracked (no key and no id: there is nobody to attribute it to, and an
/// analytics tool is exactly what Do Not Track refuses).
pub fn call(site: &str, touchpoint: &Touchpoint) -> Option<Value> {
    let anonymous_id = if !touchpoint.visitor_id.is_empty() {
        &touchpoint.visitor_id
    } else if !touchpoint.visitor_key.is_empty() {
        &touchpoint.visitor_key
    } else {
        return None;
    };
    let t = touchpoint;
    let mut properties = Map::new();
    let mut put = |key: &str, value: &str| {
        if !value.is_empty() {
            properties.insert(key.to_owned(), Value::from(value));
        }
    };
    put("path", &t.path);
    put("title", &t.title);
    put("referrer", &t.referrer);
    put("page_type", &t.page_type);
    put("touchpoint_channel", &t.channel);
    put("touchpoint_source", &t.source_name);
    put("click_id", &t.click_id);
    let (call_type, event) = match t.kind.as_str() {
        "pageview" => ("page", None),
        "click" => {
            put("target", &t.target);
            put("label", &t.name);
            ("track", Some("Link Clicked".to_owned()))
        }
        "form" => {
            put("form", &t.name);
            properties.insert("fields".into(), Value::from(t.fields));
            ("track", Some("Form Submitted".to_owned()))
        }
        "engagement" => {
            properties.insert("engaged_ms".into(), Value::from(t.engaged_ms));
            properties.insert("scroll_percent".into(), Value::from(t.scroll_percent));
            ("track", Some("Page Engaged".to_owned()))
        }
        _ => {
            if let Ok(Value::Object(props)) = serde_json::from_str::<Value>(&t.props) {
                for (key, value) in props {
                    properties.entry(key).or_insert(value);
                }
            }
            let name = if t.name.is_empty() {
                "Custom Event"
            } else {
                &t.name
            };
            ("track", Some(name.to_owned()))
        }
    };
    let mut campaign = Map::new();
    for (key, value) in [
        ("name", &t.utm_campaign),
        ("source", &t.utm_source),
        ("medium", &t.utm_medium),
        ("term", &t.utm_term),
        ("content", &t.utm_content),
    ] {
        if !value.is_empty() {
            campaign.insert(key.into(), Value::from(value.as_str()));
        }
    }
    let mut context = json!({
        "library": { "name": "touchpoint", "version": env!("CARGO_PKG_VERSION") },
        "page": { "path": t.path, "title": t.title, "referrer": t.referrer },
    });
    if let Value::Object(ctx) = &mut context {
        if !campaign.is_empty() {
            ctx.insert("campaign".into(), Value::Object(campaign));
        }
        if !t.language.is_empty() {
            ctx.insert("locale".into(), Value::from(t.language.as_str()));
        }
        if !t.time_zone.is_empty() {
            ctx.insert("timezone".into(), Value::from(t.time_zone.as_str()));
        }
    }
    let mut call = json!({
        "type": call_type,
        "messageId": message_id(site, &t.id),
        "anonymousId": anonymous_id,
        "timestamp": timestamp(t.occurred_at),
        "properties": properties,
        "context": context,
    });
    if let Value::Object(c) = &mut call {
        match event {
            Some(event) => c.insert("event".into(), Value::from(event)),
            None => c.insert("name".into(), Value::from(t.title.as_str())),
        };
    }
    Some(call)
}

/// The `identify` call for a conversation's visitor, or `None` when there is
/// nobody to identify: only a visitor who consented to being recognised (the
/// consented visitor id, which their `page`/`track` calls carry as
/// `anonymousId`) and who gave an e-mail address or a phone number to be
/// answered. Traits are that contact and the name they gave, nothing else.
/// Without consent the touchpoints carry the rotating cookieless key, and
/// joining a given address to it would be the tracking the visitor declined.
pub fn identify(
    site: &str,
    conversation_id: &str,
    visitor_id: &str,
    contact: &Contact,
    created_at_ms: i64,
) -> Option<Value> {
    if visitor_id.is_empty() || (contact.email.is_empty() && contact.phone.is_empty()) {
        return None;
    }
    let mut traits = Map::new();
    for (key, value) in [
        ("email", &contact.email),
        ("phone", &contact.phone),
        ("name", &contact.name),
    ] {
        if !value.is_empty() {
            traits.insert(key.into(), Value::from(value.as_str()));
        }
    }
    let mut id = String::from("identify-");
    id.push_str(conversation_id);
    Some(json!({
        "type": "identify",
        "messageId": message_id(site, &id),
        "anonymousId": visitor_id,
        "timestamp": timestamp(created_at_ms),
        "traits": traits,
        "context": { "library": { "name": "touchpoint", "version": env!("CARGO_PKG_VERSION") } },
    }))
}

/// A `/v1/batch` body holding one call.
pub fn batch_of(call: &Value, sent_at_ms: i64) -> String {
    json!({ "batch": [call], "sentAt": timestamp(sent_at_ms) }).to_string()
}

/// Unique per site and event, stable across retries (Segment de-duplicates
/// by it).
pub fn message_id(site: &str, event_id: &str) -> String {
    let mut id = String::with_capacity(site.len() + event_id.len() + 4);
    id.push_str("tp-");
    id.push_str(site);
    id.push('-');
    id.push_str(event_id);
    id
}

/// ISO 8601 in UTC with milliseconds, as Segment expects
/// (`2027-01-15T08:00:00.123Z`). Written out by hand: chrono's formatter
/// costs the worker tens of kilobytes.
fn timestamp(ms: i64) -> String {
    let ms = ms.max(0);
    let day_ms = ms.rem_euclid(86_400_000);
    let (year, month, day) = crate::domain::visitor_key::utc_date(ms);
    let mut out = String::with_capacity(24);
    let fields = [
        (year, 4, '-'),
        (month, 2, '-'),
        (day, 2, 'T'),
        (day_ms / 3_600_000, 2, ':'),
        (day_ms / 60_000 % 60, 2, ':'),
        (day_ms / 1000 % 60, 2, '.'),
        (day_ms % 1000, 3, 'Z'),
    ];
    for (value, width, then) in fields {
        let digits = value.to_string();
        for _ in digits.len()..width {
            out.push('0');
        }
        out.push_str(&digits);
        out.push(then);
    }
    out
}

/// What forwarding a set of touchpoints sends.
#[derive(Debug, Default, PartialEq)]
pub struct Batches {
    /// `{"batch":[…],"sentAt":…}` bodies, each under Segment's limits.
    pub bodies: Vec<String>,
    /// Touchpoints not sent because their visitor asked not to be tracked.
    pub skipped_do_not_track: u32,
    /// Touchpoints not sent because one call alone exceeds 32 KB.
    pub skipped_too_large: u32,
}

/// Splits touchpoints into batch bodies within Segment's size limits.
pub fn batches(site: &str, touchpoints: &[Touchpoint], sent_at_ms: i64) -> Batches {
    let mut out = Batches::default();
    let sent_at = timestamp(sent_at_ms);
    // `{"batch":[` + `],"sentAt":"…"}`
    let frame = 32 + sent_at.len();
    let mut current: Vec<String> = Vec::new();
    let mut current_bytes = frame;
    let flush = |current: &mut Vec<String>, out: &mut Batches| {
        if current.is_empty() {
            return;
        }
        let mut body = String::from("{\"batch\":[");
        body.push_str(&current.join(","));
        body.push_str("],\"sentAt\":\"");
        body.push_str(&sent_at);
        body.push_str("\"}");
        out.bodies.push(body);
        current.clear();
    };
    for touchpoint in touchpoints {
        let Some(call) = call(site, touchpoint) else {
            out.skipped_do_not_track += 1;
            continue;
        };
        let text = call.to_string();
        if text.len() > MAX_CALL_BYTES {
            out.skipped_too_large += 1;
            continue;
        }
        if current_bytes + text.len() + 1 > MAX_BATCH_BYTES {
            flush(&mut current, &mut out);
            current_bytes = frame;
        }
        current_bytes += text.len() + 1;
        current.push(text);
    }
    flush(&mut current, &mut out);
    out
}

/// The `authorization` header for a write key: HTTP Basic, key as user name,
/// empty password.
pub fn authorization(write_key: &str) -> String {
    let mut credentials = String::with_capacity(write_key.len() + 1);
    credentials.push_str(write_key);
    credentials.push(':');
    let mut header = String::from("Basic ");
    header.push_str(&base64(credentials.as_bytes()));
    header
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(id: &str) -> Touchpoint {
        Touchpoint {
            id: id.into(),
            kind: "pageview".into(),
            occurred_at: 1_800_000_000_123,
            path: "/pricing".into(),
            title: "Pricing".into(),
            referrer: "https://www.google.com/".into(),
            channel: "organic_search".into(),
            source_name: "Google".into(),
            utm_source: "newsletter".into(),
            utm_medium: "email".into(),
            utm_campaign: "spring".into(),
            language: "de-DE".into(),
            time_zone: "Europe/Berlin".into(),
            visitor_key: "vk_abc".into(),
            ..Touchpoint::default()
        }
    }

    #[test]
    fn page_views_become_page_calls_with_the_common_fields() {
        let call = call("demo", &view("e1")).unwrap();
        assert_eq!(call["type"], "page");
        assert_eq!(call["name"], "Pricing");
        assert_eq!(call["messageId"], "tp-demo-e1");
        assert_eq!(call["anonymousId"], "vk_abc");
        assert_eq!(call["timestamp"], "2027-01-15T08:00:00.123Z");
        assert_eq!(call["properties"]["path"], "/pricing");
        assert_eq!(call["context"]["campaign"]["name"], "spring");
        assert_eq!(call["context"]["campaign"]["medium"], "email");
        assert_eq!(call["context"]["locale"], "de-DE");
        assert_eq!(call["context"]["timezone"], "Europe/Berlin");
        assert_eq!(call["context"]["library"]["name"], "touchpoint");
        assert!(call.get("userId").is_none());
    }

    #[test]
    fn other_kinds_become_named_track_calls() {
        let mut form = view("e2");
        form.kind = "form".into();
        form.name = "newsletter".into();
        form.fields = 2;
        let c = call("demo", &form).unwrap();
        assert_eq!(
            (c["type"].as_str(), c["event"].as_str()),
            (Some("track"), Some("Form Submitted"))
        );
        assert_eq!(c["properties"]["fields"], 2);
        let mut custom = view("e3");
        custom.kind = "custom".into();
        custom.name = "Plan Chosen".into();
        custom.props = r#"{"plan":"team","path":"not overriding"}"#.into();
        let c = call("demo", &custom).unwrap();
        assert_eq!(c["event"], "Plan Chosen");
        assert_eq!(c["properties"]["plan"], "team");
        assert_eq!(c["properties"]["path"], "/pricing");
        // A consented visitor id wins over the rotating key.
        custom.visitor_id = "v_consented".into();
        assert_eq!(call("demo", &custom).unwrap()["anonymousId"], "v_consented");
    }

    #[test]
    fn do_not_track_visitors_are_not_forwarded() {
        let mut dnt = view("e4");
        dnt.visitor_key.clear();
        assert!(call("demo", &dnt).is_none());
        let out = batches("demo", &[dnt, view("e5")], 1_800_000_000_000);
        assert_eq!(out.skipped_do_not_track, 1);
        assert_eq!(out.bodies.len(), 1);
    }

    #[test]
    fn batches_stay_within_segments_limits_and_lose_nothing() {
        // Generated: touchpoints of varied sizes, enough for several batches.
        let touchpoints: Vec<Touchpoint> = (0..3000u32)
            .map(|i| {
                let mut t = view(&format!("e{i}"));
                t.title = "x".repeat((i as usize * 37) % 900);
                if i % 500 == 7 {
                    t.kind = "custom".into();
                    t.props = format!(r#"{{"big":"{}"}}"#, "y".repeat(40_000));
                }
                t
            })
            .collect();
        let out = batches("demo", &touchpoints, 1_800_000_000_000);
        assert!(out.bodies.len() > 1);
        assert_eq!(out.skipped_too_large, 6);
        let mut seen = 0;
        for body in &out.bodies {
            assert!(body.len() <= MAX_BATCH_BYTES, "{}", body.len());
            let parsed: Value = serde_json::from_str(body).unwrap();
            for c in parsed["batch"].as_array().unwrap() {
                assert!(c.to_string().len() <= MAX_CALL_BYTES);
                seen += 1;
            }
            assert_eq!(parsed["sentAt"], "2027-01-15T08:00:00.000Z");
        }
        assert_eq!(seen + out.skipped_too_large as usize, touchpoints.len());
    }

    #[test]
    fn timestamps_match_chrono_across_years() {
        // Generated instants from 1970 to 2200, leap days and year ends included.
        let mut ms: i64 = 0;
        while ms < 7_258_118_400_000 {
            let expected = chrono::DateTime::from_timestamp_millis(ms)
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            assert_eq!(timestamp(ms), expected);
            ms += 86_399_999 * 13 + 7_777;
        }
        assert_eq!(timestamp(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(timestamp(-5), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn identify_carries_only_a_consenting_visitors_given_contact() {
        let contact = Contact {
            preference: "email".into(),
            name: "Jo".into(),
            email: "jo@example.com".into(),
            phone: String::new(),
        };
        let c = identify("demo", "c1", "v_consented", &contact, 1_800_000_000_123).unwrap();
        assert_eq!(c["type"], "identify");
        assert_eq!(c["anonymousId"], "v_consented");
        assert_eq!(c["messageId"], "tp-demo-identify-c1");
        assert_eq!(c["timestamp"], "2027-01-15T08:00:00.123Z");
        assert_eq!(
            c["traits"],
            json!({ "email": "jo@example.com", "name": "Jo" })
        );
        assert!(c.get("userId").is_none());
        // The same anonymous id as the visitor's page and track calls.
        let mut page = view("e9");
        page.visitor_id = "v_consented".into();
        assert_eq!(
            call("demo", &page).unwrap()["anonymousId"],
            c["anonymousId"]
        );
        // No consent, or nothing to reach them by: nobody to identify.
        assert!(identify("demo", "c1", "", &contact, 0).is_none());
        let name_only = Contact {
            preference: "here".into(),
            name: "Jo".into(),
            ..Contact::default()
        };
        assert!(identify("demo", "c1", "v_consented", &name_only, 0).is_none());
        let phone = Contact {
            preference: "phone".into(),
            phone: "+49 30 1234567".into(),
            ..Contact::default()
        };
        let c = identify("demo", "c2", "v", &phone, 0).unwrap();
        assert_eq!(c["traits"], json!({ "phone": "+49 30 1234567" }));
        let body: Value = serde_json::from_str(&batch_of(&c, 1_800_000_000_000)).unwrap();
        assert_eq!(body["batch"][0], c);
        assert_eq!(body["sentAt"], "2027-01-15T08:00:00.000Z");
    }

    #[test]
    fn write_keys_are_basic_auth_user_names() {
        assert_eq!(authorization("abc"), "Basic YWJjOg==");
        assert_eq!(authorization("wk_1234"), "Basic d2tfMTIzNDo=");
        assert_eq!(authorization(""), "Basic Og==");
    }
}
