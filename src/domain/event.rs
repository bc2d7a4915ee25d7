//! Touchpoint events and the versioned batch the recorder posts to
//! `POST /v1/events`. The encoding is written by hand (see `json`) so the
//! recorder stays tiny; `ingest` parses the same shape with serde at the edge,
//! and a round-trip test keeps the two in step.

use super::json::ObjectWriter;
use alloc::string::String;
use alloc::vec::Vec;

/// Version of the event wire schema; bumped on any incompatible change.
pub const WIRE_VERSION: u64 = 1;

/// What kind of touchpoint an event records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EventKind {
    /// A page was shown (a load, a single-page-app navigation or a
    /// back/forward-cache restore).
    #[default]
    PageView,
    /// Time the page was visible and focused, and how far it was scrolled;
    /// sent when the page is hidden or left.
    Engagement,
    /// A click on an outbound link, a download, or an element tagged
    /// `data-touchpoint-event`.
    Click,
    /// A form was submitted (its id or name and field count, never values).
    FormSubmit,
    /// An event the page recorded with `track(name, props)`.
    Custom,
}

const KINDS: [(EventKind, &str); 5] = [
    (EventKind::PageView, "pageview"),
    (EventKind::Engagement, "engagement"),
    (EventKind::Click, "click"),
    (EventKind::FormSubmit, "form"),
    (EventKind::Custom, "custom"),
];

impl EventKind {
    /// Name used on the wire and in storage.
    pub fn as_str(self) -> &'static str {
        KINDS
            .iter()
            .find(|(kind, _)| *kind == self)
            .map_or("pageview", |(_, name)| name)
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        KINDS
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(kind, _)| *kind)
    }
}

/// The page an event happened on, as the recorder observed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageContext {
    /// Path of the page (`location.pathname`, with personal-looking segments
    /// masked): query string and fragment may carry personal data and are
    /// never sent raw.
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

/// How the visitor arrived, decided in the browser (see `attribution`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acquisition {
    pub channel: &'static str,
    /// The search engine or social network, when known.
    pub source_name: &'static str,
    pub campaign: super::attribution::Campaign,
}

/// One recorded touchpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touchpoint {
    /// Unique id chosen by the recorder (see `ids::event_id`).
    pub id: String,
    pub kind: EventKind,
    /// When it happened, in milliseconds since the Unix epoch, by the browser's clock.
    pub timestamp_ms: u64,
    pub page: PageContext,
    /// On the first page view of a visit.
    pub acquisition: Option<Acquisition>,
    /// The custom event's, tagged element's or form's name; for untagged
    /// clicks `outbound` or `download`.
    pub name: String,
    /// Properties: `track` props or the element's `data-touchpoint-*` attributes.
    pub props: Vec<(String, String)>,
    /// A clicked link's target (origin and path only) or a form's action path.
    pub target: String,
    pub engaged_ms: u64,
    pub scroll_percent: u32,
    /// Number of fields in a submitted form.
    pub fields: u32,
}

impl Touchpoint {
    /// This event as borrowed parts.
    pub fn view(&self) -> EventView<'_> {
        EventView {
            id: &self.id,
            kind: self.kind,
            timestamp_ms: self.timestamp_ms,
            page: &self.page,
            acquisition: self.acquisition.as_ref(),
            name: &self.name,
            props: &self.props,
            target: &self.target,
            engaged_ms: self.engaged_ms,
            scroll_percent: self.scroll_percent,
            fields: self.fields,
        }
    }

    /// Appends this event's JSON object to `out`.
    pub fn write_json(&self, out: &mut String) {
        self.view().write_json(out);
    }
}

/// A touchpoint as borrowed parts: the recorder encodes each event straight
/// from the page it happened on, without building a `Touchpoint`.
#[derive(Debug, Clone, Copy)]
pub struct EventView<'a> {
    pub id: &'a str,
    pub kind: EventKind,
    pub timestamp_ms: u64,
    pub page: &'a PageContext,
    pub acquisition: Option<&'a Acquisition>,
    pub name: &'a str,
    pub props: &'a [(String, String)],
    pub target: &'a str,
    pub engaged_ms: u64,
    pub scroll_percent: u32,
    pub fields: u32,
}

impl EventView<'_> {
    /// Appends this event's JSON object to `out`.
    pub fn write_json(&self, out: &mut String) {
        let mut object = ObjectWriter::new(out);
        object
            .string("id", self.id)
            .string("type", self.kind.as_str())
            .uint("ts", self.timestamp_ms)
            .string("path", &self.page.path)
            .string_if_present("title", &self.page.title)
            .string_if_present("referrer", &self.page.referrer)
            .uint("vw", u64::from(self.page.viewport_width))
            .uint("vh", u64::from(self.page.viewport_height))
            .string_if_present("lang", &self.page.language)
            .string_if_present("tz", &self.page.time_zone);
        if let Some(acquisition) = self.acquisition {
            let c = &acquisition.campaign;
            object
                .string("channel", acquisition.channel)
                .string_if_present("source", acquisition.source_name)
                .string_if_present("utm_source", &c.source)
                .string_if_present("utm_medium", &c.medium)
                .string_if_present("utm_campaign", &c.campaign)
                .string_if_present("utm_term", &c.term)
                .string_if_present("utm_content", &c.content)
                .string_if_present("click_id", &c.click_id);
        }
        object
            .string_if_present("name", self.name)
            .string_if_present("target", self.target);
        if !self.props.is_empty() {
            object.raw("props", |o| {
                let mut props = ObjectWriter::new(o);
                for (key, value) in self.props {
                    props.string(key, value);
                }
                props.finish();
            });
        }
        if self.kind == EventKind::Engagement {
            object
                .uint("engaged_ms", self.engaged_ms)
                .uint("scroll", u64::from(self.scroll_percent));
        }
        if self.kind == EventKind::FormSubmit {
            object.uint("fields", u64::from(self.fields));
        }
        object.finish();
    }
}

/// Who a batch is from, beyond the events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchHeader<'a> {
    /// The site's public key.
    pub site: &'a str,
    /// The visitor sent Do Not Track or Global Privacy Control.
    pub do_not_track: bool,
    /// The consented random visitor id, or empty.
    pub visitor: &'a str,
    /// `identify(userId, hmac)`: the site's user id and its HMAC, or empty.
    pub user: &'a str,
    pub user_hmac: &'a str,
    /// The browser's IANA time zone, for every event in the batch.
    pub time_zone: &'a str,
}

/// Encodes a batch: the site's public key, the browser's clock at sending time
/// (the edge corrects event timestamps for clock skew with it), the number of
/// events the recorder had to drop since the last batch, and the events.
pub fn encode_batch(site: &str, sent_at_ms: u64, dropped: u32, events: &[Touchpoint]) -> String {
    encode_batch_with(
        &BatchHeader {
            site,
            ..BatchHeader::default()
        },
        sent_at_ms,
        dropped,
        events,
    )
}

/// As `encode_batch`, with the privacy fields of the header.
pub fn encode_batch_with(
    header: &BatchHeader,
    sent_at_ms: u64,
    dropped: u32,
    events: &[Touchpoint],
) -> String {
    let encoded: Vec<String> = events
        .iter()
        .map(|event| {
            let mut out = String::new();
            event.write_json(&mut out);
            out
        })
        .collect();
    encode_batch_of_json(header, sent_at_ms, dropped, &encoded)
}

/// A batch of events already encoded with `Touchpoint::write_json` (the
/// recorder's outbox keeps them so, to encode each event once).
pub fn encode_batch_of_json(
    header: &BatchHeader,
    sent_at_ms: u64,
    dropped: u32,
    events: &[String],
) -> String {
    let mut out = String::with_capacity(96 + events.iter().map(|e| e.len() + 1).sum::<usize>());
    let mut batch = ObjectWriter::new(&mut out);
    batch
        .uint("v", WIRE_VERSION)
        .string("site", header.site)
        .uint("sent_at", sent_at_ms)
        .uint("dropped", u64::from(dropped))
        .string_if_present("visitor", header.visitor)
        .string_if_present("user", header.user)
        .string_if_present("user_hmac", header.user_hmac)
        .string_if_present("tz", header.time_zone);
    if header.do_not_track {
        batch.raw("dnt", |o| o.push_str("true"));
    }
    batch.raw("events", |o| {
        o.push('[');
        for (index, event) in events.iter().enumerate() {
            if index > 0 {
                o.push(',');
            }
            o.push_str(event);
        }
        o.push(']');
    });
    batch.finish();
    out
}
