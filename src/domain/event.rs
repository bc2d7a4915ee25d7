//! Touchpoint events and the versioned batch the recorder posts to
//! `POST /v1/events`. The encoding is written by hand (see `json`) so the
//! recorder stays tiny; `ingest` parses the same shape with serde at the edge,
//! and a round-trip test keeps the two in step.

use super::json::ObjectWriter;

/// Version of the event wire schema; bumped on any incompatible change.
pub const WIRE_VERSION: u64 = 1;

/// What kind of touchpoint an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A page was shown to the visitor.
    PageView,
}

impl EventKind {
    /// Name used on the wire and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::PageView => "pageview",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "pageview" => Some(EventKind::PageView),
            _ => None,
        }
    }
}

/// The page an event happened on, as the recorder observed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageContext {
    /// Path of the page (`location.pathname`): query string and fragment may
    /// carry personal data and are never sent raw.
    pub path: String,
    pub title: String,
    /// Origin and path of the referring page; empty when there is none.
    pub referrer: String,
    pub viewport_width: u32,
    pub viewport_height: u32,
    /// BCP 47 language tag of the browser.
    pub language: String,
    /// IANA time zone of the browser.
    pub time_zone: String,
}

/// One recorded touchpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touchpoint {
    /// Unique id chosen by the recorder (see `ids::event_id`).
    pub id: String,
    pub kind: EventKind,
    /// When it happened, in milliseconds since the Unix epoch, by the browser's clock.
    pub timestamp_ms: u64,
    pub page: PageContext,
}

impl Touchpoint {
    /// Appends this event's JSON object to `out`.
    pub fn write_json(&self, out: &mut String) {
        let mut object = ObjectWriter::new(out);
        object
            .string("id", &self.id)
            .string("type", self.kind.as_str())
            .uint("ts", self.timestamp_ms)
            .string("path", &self.page.path)
            .string_if_present("title", &self.page.title)
            .string_if_present("referrer", &self.page.referrer)
            .uint("vw", u64::from(self.page.viewport_width))
            .uint("vh", u64::from(self.page.viewport_height))
            .string_if_present("lang", &self.page.language)
            .string_if_present("tz", &self.page.time_zone);
        object.finish();
    }
}

/// Encodes a batch: the site's public key, the browser's clock at sending time
/// (the edge corrects event timestamps for clock skew with it), the number of
/// events the recorder had to drop since the last batch, and the events.
pub fn encode_batch(site: &str, sent_at_ms: u64, dropped: u32, events: &[Touchpoint]) -> String {
    let mut out = String::with_capacity(64 + events.len() * 256);
    let mut batch = ObjectWriter::new(&mut out);
    batch
        .uint("v", WIRE_VERSION)
        .string("site", site)
        .uint("sent_at", sent_at_ms)
        .uint("dropped", u64::from(dropped))
        .raw("events", |o| {
            o.push('[');
            for (index, event) in events.iter().enumerate() {
                if index > 0 {
                    o.push(',');
                }
                event.write_json(o);
            }
            o.push(']');
        });
    batch.finish();
    out
}

/// Reduces a referrer to origin and path, dropping query and fragment.
/// Byte-wise and panic-free on purpose: string searching and slicing pull
/// `core::fmt` into the recorder.
pub fn referrer_without_query(referrer: &str) -> String {
    let end = referrer
        .bytes()
        .position(|b| b == b'?' || b == b'#')
        .unwrap_or(referrer.len());
    referrer.get(..end).unwrap_or_default().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referrer_loses_its_query() {
        assert_eq!(
            referrer_without_query("https://www.google.com/search?q=secret"),
            "https://www.google.com/search"
        );
        assert_eq!(referrer_without_query(""), "");
    }
}
