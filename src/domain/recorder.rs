//! The recorder's decisions for one page: which touchpoints to record, when a
//! batch is due, what goes by beacon when the page is hidden, and what is kept
//! on the device (only with consent). The page script observes the browser and
//! carries these decisions out; it passes in the clock, the random seed and
//! what it read from the page, so every rule here is tested natively.

use alloc::string::String;
use alloc::vec::Vec;

use super::attribution::{attribute, campaign_of, host_of};
use super::clicks::link_kind;
use super::delivery::{backoff_ms, outcome, Limits, Outbox, Outcome, Pending};
use super::event::{Acquisition, BatchHeader, EventKind, EventView, PageContext};
use super::json::hex_digit;
use super::url_privacy::{clean_referrer, mask_path};

/// How long events wait for company before a batch is sent.
pub const BATCH_DELAY_MS: f64 = 3000.0;

/// Whether this visit is recorded at all: automation (webdriver, headless
/// browsers) is not, unless the site records its own tests; visitors asking
/// not to be tracked are recorded without identifiers, or not at all when the
/// site chose that.
pub fn should_record(
    automated: bool,
    do_not_track: bool,
    record_automation: bool,
    skip_dnt_visitors: bool,
) -> bool {
    (!automated || record_automation) && (!do_not_track || !skip_dnt_visitors)
}

/// The page as the page script reads it from `location`, `document` and `window`.
#[derive(Debug, Clone, Copy, Default)]
pub struct PageFacts<'a> {
    /// `location.pathname`.
    pub pathname: &'a str,
    /// `location.hash`: only a `#/route` of a hash router is kept.
    pub hash: &'a str,
    pub title: &'a str,
    /// `document.referrer`, reduced to origin and masked path before use.
    pub referrer: &'a str,
    pub viewport_width: u32,
    pub viewport_height: u32,
}

/// The page's path as recorded: masked, plus a `#/route` for hash routers.
/// Query strings and other fragments never leave the browser.
pub fn recorded_path(pathname: &str, hash: &str) -> String {
    let mut path = mask_path(pathname);
    if hash.starts_with("#/") {
        let end = hash.bytes().position(|b| b == b'?').unwrap_or(hash.len());
        path.push_str(&mask_path(hash.get(..end).unwrap_or_default()));
    }
    path
}

/// Event ids from one random seed per page: splitmix64 is a bijection, so ids
/// never repeat within a page, and two pages share a seed with negligible odds.
#[derive(Debug, Clone, Default)]
struct Ids {
    seed: (u64, u64),
    counter: u64,
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Ids {
    fn new([a, b, c, d]: [u32; 4]) -> Self {
        let word = |high: u32, low: u32| u64::from(high) << 32 | u64::from(low);
        Ids {
            seed: (word(a, b), word(c, d)),
            counter: 0,
        }
    }

    /// 128 bits as 32 lower-case hex characters.
    fn next(&mut self) -> String {
        self.counter += 1;
        let mut id = String::with_capacity(32);
        for half in [
            splitmix64(self.seed.0 ^ self.counter),
            splitmix64(self.seed.1 ^ !self.counter),
        ] {
            for shift in (0..16).rev() {
                id.push(hex_digit((half >> (shift * 4)) as u8));
            }
        }
        id
    }
}

/// What an event carries beyond the page it happened on.
#[derive(Debug, Default)]
struct Details<'a> {
    acquisition: Option<Acquisition>,
    /// The custom event's, tagged element's or form's name, or the link kind.
    name: &'a str,
    target: String,
    engaged_ms: u64,
    scroll_percent: u32,
    fields: u32,
}

/// What the recorder is told about the visitor and the site when it starts.
#[derive(Debug, Clone, Default)]
pub struct Start<'a> {
    /// The site's public key.
    pub site: &'a str,
    /// The browser sends Do Not Track or Global Privacy Control.
    pub do_not_track: bool,
    /// 128 random bits, as four words from the browser's `crypto.getRandomValues`.
    pub seed: [u32; 4],
    /// BCP 47 language tag of the browser.
    pub language: &'a str,
}

/// One page's recorder.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    site: String,
    do_not_track: bool,
    consent: bool,
    visitor: String,
    /// From `identify(userId, hmac)`; the edge trusts it only if the HMAC verifies.
    user: (String, String),
    ids: Ids,
    outbox: Outbox,
    pending: Pending,
    /// The batch being sent by `fetch`, one at a time: (events, body).
    in_flight: Option<(u32, String)>,
    /// Failed attempts in a row, for the backoff.
    attempt: u32,
    /// When the next send is due (ms since the epoch), if one is waiting.
    due_at: Option<f64>,
    /// The page being viewed, as it was when its page view was recorded.
    page: PageContext,
    /// When the page became visible and focused (ms), while it is.
    engaged_since: Option<f64>,
    engaged_ms: f64,
    max_scroll: u32,
    /// The browser's IANA time zone, sent with each batch once known (see `idle`).
    time_zone: String,
    /// How the visitor arrived (`location.search`, host name) and when: the
    /// first page view, recorded when the page is idle or before anything
    /// else is, so that attribution is not part of start-up.
    arrival: Option<(String, String, f64)>,
    /// Properties staged by `prop` for the next event.
    props: Vec<(String, String)>,
    /// Batches handed to the page script for `sendBeacon`, and the one out now.
    beaconing: Pending,
    beacon: Option<(u32, String)>,
    /// The waiting batches changed since they were last stored.
    unsaved: bool,
}

impl Recorder {
    /// A recorder for this page, whose first page view (with how the visitor
    /// arrived: `search` is `location.search`, `host` the page's host name)
    /// is recorded when the page is idle (`idle`) or before anything else.
    /// What an earlier page kept comes later, with `restore`.
    pub fn start(start: &Start, page: &PageFacts, search: &str, host: &str, now: f64) -> Self {
        let mut recorder = Recorder {
            site: start.site.into(),
            do_not_track: start.do_not_track,
            ids: Ids::new(start.seed),
            outbox: Outbox::new(Limits::default()),
            page: PageContext {
                language: start.language.into(),
                ..PageContext::default()
            },
            arrival: Some((search.into(), host.into(), now)),
            due_at: Some(now + BATCH_DELAY_MS),
            ..Recorder::default()
        };
        recorder.set_page(page);
        recorder
    }

    /// Records the first page view, with its acquisition, if not yet done
    /// (before any props are staged: they belong to the next event).
    fn record_arrival(&mut self) {
        let Some((search, host, at)) = self.arrival.take() else {
            return;
        };
        let campaign = campaign_of(&search);
        let arrival = attribute(&campaign, &self.page.referrer, &host);
        let details = Details {
            acquisition: Some(Acquisition {
                channel: arrival.channel.as_str(),
                source_name: arrival.source_name,
                campaign,
            }),
            ..Details::default()
        };
        self.record(EventKind::PageView, details, at);
    }

    /// What earlier pages kept on the device: the visitor id stored with
    /// consent (consent was given if, and only if, one is stored) and the
    /// batches not yet confirmed, which go out first and at once. The page
    /// script reads storage when the page is idle (its first access is slow),
    /// and always before a batch is sealed or consent changes.
    pub fn restore(
        &mut self,
        stored_visitor: Option<&str>,
        stored_pending: Option<&str>,
        now: f64,
    ) {
        let Some(visitor) = stored_visitor.filter(|v| !self.do_not_track && !v.is_empty()) else {
            return;
        };
        if self.visitor.is_empty() {
            self.visitor = visitor.into();
        }
        self.consent = true;
        let (mut kept, dropped) = Pending::from_storage(
            stored_pending.unwrap_or_default(),
            super::delivery::SENDABLE_BATCH_BYTES,
        );
        self.outbox.count_dropped(dropped);
        while let Some((count, body)) = self.pending.pop_front() {
            let dropped = kept.push_back(count, body);
            self.outbox.count_dropped(dropped);
        }
        self.pending = kept;
        if !self.pending.is_empty() {
            self.due_at = Some(now);
        }
    }

    /// The page is idle: the page script tells the browser's IANA time zone
    /// (`Intl` costs more than all the rest of start-up; batches carry it for
    /// all their events), and the first page view is recorded.
    pub fn idle(&mut self, time_zone: &str) {
        self.time_zone = time_zone.into();
        self.record_arrival();
    }

    /// The page's visitor id (consent given), or empty.
    pub fn visitor(&self) -> &str {
        &self.visitor
    }

    /// Encodes an event on the current page into the outbox, with the staged
    /// props; `details` is what its kind carries beyond the page.
    fn record(&mut self, kind: EventKind, details: Details, now: f64) {
        self.record_arrival();
        let id = self.ids.next();
        let props = core::mem::take(&mut self.props);
        let mut encoded = String::new();
        EventView {
            id: &id,
            kind,
            timestamp_ms: now as u64,
            page: &self.page,
            acquisition: details.acquisition.as_ref(),
            name: details.name,
            props: &props,
            target: &details.target,
            engaged_ms: details.engaged_ms,
            scroll_percent: details.scroll_percent,
            fields: details.fields,
        }
        .write_json(&mut encoded);
        self.outbox.push_json(encoded);
    }

    /// Records an event and decides when it goes out: at once when a batch
    /// is full, else after a short wait for company.
    fn enqueue(&mut self, kind: EventKind, details: Details, now: f64) {
        self.record(kind, details, now);
        if self.outbox.should_send_now() {
            self.due_at = Some(now);
        } else if self.due_at.is_none() {
            self.due_at = Some(now + BATCH_DELAY_MS);
        }
    }

    /// Takes `page` as the page being viewed.
    fn set_page(&mut self, page: &PageFacts) {
        self.page.path = recorded_path(page.pathname, page.hash);
        self.page.title = page.title.into();
        self.page.referrer = clean_referrer(page.referrer);
        self.page.viewport_width = page.viewport_width;
        self.page.viewport_height = page.viewport_height;
        self.max_scroll = 0;
    }

    /// Takes `page` as the page being viewed and records a page view of it.
    fn view_page(&mut self, page: &PageFacts, now: f64) {
        // The page being left keeps its first view.
        self.record_arrival();
        self.set_page(page);
        self.enqueue(EventKind::PageView, Details::default(), now);
    }

    /// A single-page-app navigation (history API, `popstate`, `hashchange`):
    /// reports the page left and records the new one; nothing when the
    /// recorded path did not change.
    pub fn navigated(&mut self, page: &PageFacts, now: f64) {
        if recorded_path(page.pathname, page.hash) == self.page.path {
            return;
        }
        let engaged = self.engaged_since.is_some();
        self.report_engagement(now);
        self.view_page(page, now);
        if engaged {
            self.engaged_since = Some(now);
        }
    }

    /// A page view the recorder cannot see on its own: `page()` from the
    /// page, or a restore from the back/forward cache.
    pub fn page_view(&mut self, page: &PageFacts, now: f64) {
        self.view_page(page, now);
    }

    /// Stages a property for the next custom event or tagged click.
    pub fn prop(&mut self, key: &str, value: &str) {
        self.record_arrival();
        self.props.push((key.into(), value.into()));
    }

    /// `track(name, props)` from the page.
    pub fn track(&mut self, name: &str, now: f64) {
        let details = Details {
            name,
            ..Details::default()
        };
        self.enqueue(EventKind::Custom, details, now);
    }

    /// A click on an element tagged `data-touchpoint-event="name"`; its other
    /// `data-touchpoint-*` attributes were staged with `prop`.
    pub fn tagged_click(&mut self, name: &str, now: f64) {
        let details = Details {
            name,
            ..Details::default()
        };
        self.enqueue(EventKind::Click, details, now);
    }

    /// A click on a link to `href`: recorded when it leaves the site or
    /// downloads a file; returns whether it was.
    pub fn link_click(&mut self, href: &str, host: &str, now: f64) -> bool {
        let Some(kind) = link_kind(href, host) else {
            return false;
        };
        self.props.clear();
        let details = Details {
            name: kind,
            target: clean_referrer(href),
            ..Details::default()
        };
        self.enqueue(EventKind::Click, details, now);
        true
    }

    /// A form submission: its id or name, how many named fields it has (their
    /// values are never read) and the host it posts to.
    pub fn form_submitted(&mut self, name: &str, fields: u32, action: &str, now: f64) {
        self.props.clear();
        let details = Details {
            name,
            fields,
            target: host_of(action).into(),
            ..Details::default()
        };
        self.enqueue(EventKind::FormSubmit, details, now);
    }

    /// The page is now visible and focused (`engaged`), or stopped being.
    pub fn engagement(&mut self, engaged: bool, now: f64) {
        match (engaged, self.engaged_since) {
            (true, None) => self.engaged_since = Some(now),
            (false, Some(since)) => {
                self.engaged_ms += (now - since).max(0.0);
                self.engaged_since = None;
            }
            _ => {}
        }
    }

    /// The page was scrolled: `scroll_y + viewport_height` of `page_height`
    /// pixels seen; the deepest point is reported with the engagement.
    pub fn scrolled(&mut self, scroll_y: f64, viewport_height: f64, page_height: f64) {
        if page_height > 0.0 {
            let percent = ((scroll_y + viewport_height) / page_height * 100.0).clamp(0.0, 100.0);
            self.max_scroll = self.max_scroll.max(percent as u32);
        }
    }

    /// Reports engaged time and scroll depth of the page being left or hidden.
    fn report_engagement(&mut self, now: f64) {
        self.engagement(false, now);
        if self.engaged_ms >= 1.0 {
            self.props.clear();
            let details = Details {
                engaged_ms: self.engaged_ms as u64,
                scroll_percent: self.max_scroll,
                ..Details::default()
            };
            self.record(EventKind::Engagement, details, now);
        }
        self.engaged_ms = 0.0;
    }

    /// The page is hidden or left: engagement is reported and every waiting
    /// batch is handed to `sendBeacon` (see `take_beacon`), which outlives the page.
    pub fn hidden(&mut self, now: f64) {
        self.report_engagement(now);
        self.seal_batches(now);
        while let Some((count, body)) = self.pending.pop_front() {
            self.beaconing.push_back(count, body);
        }
        self.unsaved = true;
    }

    /// The next batch for `sendBeacon`; report with `beacon_sent`.
    pub fn take_beacon(&mut self) -> Option<String> {
        let (count, body) = self.beaconing.pop_front()?;
        self.beacon = Some((count, body.clone()));
        Some(body)
    }

    /// Whether the browser queued the beacon. A beacon is never confirmed, so
    /// with consent the batch is also kept on the device and sent again
    /// (confirmed) from the next page; the edge stores each event id once.
    /// Without consent a refused beacon stays waiting in memory.
    pub fn beacon_sent(&mut self, queued: bool, now: f64) {
        if let Some((count, body)) = self.beacon.take() {
            if !queued || self.consent {
                let dropped = self.pending.push_back(count, body);
                self.outbox.count_dropped(dropped);
                if self.due_at.is_none() {
                    self.due_at = Some(now + BATCH_DELAY_MS);
                }
            }
        }
    }

    /// Sends everything waiting now (`flush()`).
    pub fn flush(&mut self, now: f64) {
        self.due_at = Some(now);
    }

    /// Moves the outbox into encoded batches.
    fn seal_batches(&mut self, now: f64) {
        self.record_arrival();
        let header = BatchHeader {
            site: &self.site,
            do_not_track: self.do_not_track,
            visitor: &self.visitor,
            user: &self.user.0,
            user_hmac: &self.user.1,
            time_zone: &self.time_zone,
        };
        while let Some((body, events)) = self.outbox.take_batch(&header, now as u64) {
            let dropped = self.pending.push_back(events, body);
            self.outbox.count_dropped(dropped);
            self.unsaved = true;
        }
    }

    /// The batch to `fetch` now, if one is due and none is on its way; report
    /// the answer with `finished`.
    pub fn take_batch(&mut self, now: f64) -> Option<String> {
        if self.in_flight.is_some() || self.due_at.is_none_or(|due| due > now) {
            return None;
        }
        self.due_at = None;
        self.seal_batches(now);
        let (count, body) = self.pending.pop_front()?;
        self.in_flight = Some((count, body.clone()));
        Some(body)
    }

    /// Milliseconds until `take_batch` has something to send, or `None` when
    /// nothing is waiting (or a send is on its way: its answer decides).
    pub fn wait_ms(&self, now: f64) -> Option<f64> {
        if self.in_flight.is_some() {
            return None;
        }
        self.due_at.map(|due| (due - now).max(0.0))
    }

    /// The `fetch` finished with `status` (0 for a network error); `random`
    /// in [0, 1) jitters the retry.
    pub fn finished(&mut self, status: u16, random: f64, now: f64) {
        let Some((count, body)) = self.in_flight.take() else {
            return;
        };
        match outcome(status) {
            Outcome::Delivered => {
                self.attempt = 0;
                self.unsaved = true;
                if !self.pending.is_empty() || !self.outbox.is_empty() {
                    self.due_at = Some(now);
                }
            }
            Outcome::Retry => {
                let dropped = self.pending.push_front(count, body);
                self.outbox.count_dropped(dropped);
                self.attempt += 1;
                self.unsaved = true;
                self.due_at = Some(now + backoff_ms(self.attempt, random) as f64);
            }
            Outcome::Refused => {
                self.outbox.count_dropped(count);
                self.unsaved = true;
            }
        }
    }

    /// What to keep on the device for the next page, when it changed: the
    /// waiting batches (empty: remove the stored ones). Always `None` without
    /// consent, so nothing is ever stored by default.
    pub fn take_unsaved(&mut self) -> Option<String> {
        if !core::mem::take(&mut self.unsaved) || !self.consent {
            return None;
        }
        let mut kept = self.pending.clone();
        if let Some((count, body)) = &self.in_flight {
            // Not confirmed yet: if the page closes now, the next page resends it.
            kept.push_front(*count, body.clone());
        }
        Some(kept.to_storage())
    }

    /// The visitor's consent: granted gives a random visitor id to store (and
    /// lets waiting batches be kept across pages); denied forgets both. Returns
    /// the visitor id to store, or empty to delete what is stored. Visitors
    /// asking not to be tracked get no id even when a banner says granted.
    pub fn consent(&mut self, granted: bool) -> String {
        if granted && !self.do_not_track {
            if self.visitor.is_empty() {
                self.visitor = self.ids.next();
            }
            self.consent = true;
            self.unsaved = true;
        } else {
            self.visitor.clear();
            self.consent = false;
        }
        self.visitor.clone()
    }

    /// Attaches the site's signed user id to what is sent from now on; events
    /// recorded before go out under the old identity.
    pub fn identify(&mut self, user_id: &str, hmac: &str, now: f64) {
        self.seal_batches(now);
        self.user = (user_id.into(), hmac.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ingest::plan_batch;

    const NOW: f64 = 1_763_800_000_000.0;

    fn page(pathname: &str) -> PageFacts<'_> {
        PageFacts {
            pathname,
            hash: "",
            title: "Pricing",
            referrer: "https://www.google.com/search?q=secret",
            viewport_width: 1280,
            viewport_height: 720,
        }
    }

    fn start_with(stored_visitor: Option<&str>, stored_pending: Option<&str>) -> Recorder {
        let mut recorder = Recorder::start(
            &Start {
                site: "demo",
                seed: [0x0707_0707; 4],
                language: "de-DE",
                ..Start::default()
            },
            &page("/pricing"),
            "?utm_source=news&utm_medium=email&email=a@b.c",
            "shop.example",
            NOW,
        );
        recorder.restore(stored_visitor, stored_pending, NOW);
        recorder
    }

    fn events_of(body: &str) -> Vec<crate::domain::ingest::EventRow> {
        let plan = plan_batch(body, NOW as u64).unwrap();
        assert!(plan.rejected.is_empty(), "{:?}", plan.rejected);
        plan.rows
    }

    #[test]
    fn the_first_page_view_carries_the_arrival_and_waits_for_company() {
        let mut recorder = start_with(None, None);
        recorder.idle("Europe/Berlin");
        assert_eq!(recorder.take_batch(NOW), None);
        assert_eq!(recorder.wait_ms(NOW + 1000.0), Some(2000.0));
        let body = recorder.take_batch(NOW + BATCH_DELAY_MS).unwrap();
        assert!(body.contains(r#""channel":"email""#), "{body}");
        assert!(body.contains(r#""utm_source":"news""#));
        assert!(body.contains(r#""referrer":"https://www.google.com/search""#));
        assert!(!body.contains("secret") && !body.contains("a@b.c"));
        assert!(body.contains(r#""lang":"de-DE""#) && body.contains(r#""tz":"Europe/Berlin""#));
        assert_eq!(events_of(&body).len(), 1);
        assert_eq!(recorder.wait_ms(NOW), None, "one send at a time");
    }

    #[test]
    fn ids_are_unique_and_differ_between_pages() {
        let mut a = Ids::new([0x0101_0101; 4]);
        let mut b = Ids::new([0x0202_0202; 4]);
        let ids: Vec<String> = (0..1000).map(|_| a.next()).collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 1000);
        assert!(ids.iter().all(|id| id.len() == 32));
        assert_ne!(ids[0], b.next());
        // Golden: the same on native and wasm.
        assert_eq!(Ids::new([0; 4]).next(), "910a2dec89025cc1f3203e9039f4a821");
    }

    #[test]
    fn spa_navigation_reports_the_page_left_then_views_the_new_one() {
        let mut recorder = start_with(None, None);
        recorder.engagement(true, NOW);
        recorder.scrolled(1000.0, 700.0, 3400.0);
        recorder.navigated(&page("/pricing"), NOW + 10.0);
        recorder.navigated(&page("/checkout"), NOW + 5000.0);
        recorder.flush(NOW + 5000.0);
        let body = recorder.take_batch(NOW + 5000.0).unwrap();
        let events = events_of(&body);
        let kinds: Vec<&str> = events.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, ["pageview", "engagement", "pageview"]);
        assert!(body.contains(r#""engaged_ms":5000,"scroll":50"#), "{body}");
        assert!(body.contains(r#""path":"/checkout""#));
    }

    #[test]
    fn hash_routes_are_paths_and_query_strings_never_leave() {
        assert_eq!(
            recorded_path("/app", "#/orders/4111111111111111?x=1"),
            "/app#/orders/:number"
        );
        assert_eq!(recorded_path("/", "#section"), "/");
    }

    #[test]
    fn clicks_forms_and_custom_events() {
        let mut recorder = start_with(None, None);
        recorder.prop("plan", "team");
        recorder.tagged_click("upgrade", NOW);
        assert!(!recorder.link_click("https://shop.example/about", "shop.example", NOW));
        assert!(recorder.link_click("https://other.example/x?token=1", "shop.example", NOW));
        assert!(recorder.link_click(
            "https://shop.example/files/price-list.pdf",
            "shop.example",
            NOW
        ));
        recorder.form_submitted("signup", 3, "https://api.example/submit?x", NOW);
        recorder.prop("step", "2");
        recorder.track("wizard", NOW);
        recorder.flush(NOW);
        let body = recorder.take_batch(NOW).unwrap();
        assert!(
            body.contains(r#""name":"upgrade","props":{"plan":"team"}"#),
            "{body}"
        );
        assert!(body.contains(r#""name":"outbound","target":"https://other.example/x""#));
        assert!(body.contains(r#""name":"download""#));
        assert!(body.contains(r#""name":"signup","target":"api.example""#));
        assert!(body.contains(r#""fields":3"#));
        assert!(body.contains(r#""name":"wizard","props":{"step":"2"}"#));
        assert_eq!(events_of(&body).len(), 6);
    }

    #[test]
    fn retries_back_off_and_refusals_are_counted() {
        let mut recorder = start_with(None, None);
        recorder.flush(NOW);
        let first = recorder.take_batch(NOW).unwrap();
        recorder.finished(503, 0.0, NOW);
        assert_eq!(recorder.wait_ms(NOW), Some(500.0));
        assert_eq!(recorder.take_batch(NOW + 100.0), None);
        assert_eq!(
            recorder.take_batch(NOW + 500.0).as_deref(),
            Some(first.as_str())
        );
        recorder.finished(0, 0.0, NOW + 600.0);
        assert_eq!(recorder.wait_ms(NOW + 600.0), Some(1000.0));
        recorder.take_batch(NOW + 1600.0).unwrap();
        recorder.finished(400, 0.0, NOW + 1700.0);
        assert_eq!(recorder.wait_ms(NOW + 1700.0), None);
        recorder.track("after", NOW + 2000.0);
        recorder.flush(NOW + 2000.0);
        let next = recorder.take_batch(NOW + 2000.0).unwrap();
        assert!(
            next.contains(r#""dropped":1"#),
            "the refused event is reported: {next}"
        );
    }

    #[test]
    fn nothing_is_stored_without_consent() {
        let mut recorder = start_with(None, Some("1\t{\"v\":1}\n"));
        assert_eq!(
            recorder.wait_ms(NOW),
            Some(BATCH_DELAY_MS),
            "kept batches ignored"
        );
        recorder.hidden(NOW);
        while recorder.take_beacon().is_some() {
            recorder.beacon_sent(true, NOW);
        }
        assert_eq!(recorder.take_unsaved(), None);
        assert_eq!(recorder.visitor(), "");
    }

    #[test]
    fn with_consent_batches_survive_the_page_and_are_resent() {
        let mut recorder = start_with(None, None);
        let visitor = recorder.consent(true);
        assert_eq!(visitor.len(), 32);
        recorder.hidden(NOW + 10.0);
        let beacon = recorder.take_beacon().unwrap();
        assert!(beacon.contains(&visitor));
        recorder.beacon_sent(true, NOW + 10.0);
        assert_eq!(recorder.take_beacon(), None);
        let stored = recorder.take_unsaved().unwrap();
        assert!(stored.contains(&beacon));

        let mut next = start_with(Some(&visitor), Some(&stored));
        assert_eq!(next.visitor(), visitor);
        let resent = next.take_batch(NOW).unwrap();
        assert_eq!(
            resent, beacon,
            "the same bytes, so the edge stores each event once"
        );
        assert!(
            next.take_unsaved().unwrap().contains(&resent),
            "kept until confirmed"
        );
        next.finished(202, 0.0, NOW);
        assert_eq!(next.consent(false), "");
        assert_eq!(next.take_unsaved(), None);
    }

    #[test]
    fn a_stored_batch_too_big_to_send_is_dropped_and_reported() {
        let visitor = "0123456789abcdef0123456789abcdef";
        let big = format!("{{\"events\":\"{}\"}}", "x".repeat(70 * 1024));
        let mut next = start_with(Some(visitor), Some(&format!("3\t{big}\n")));
        assert!(
            next.pending.is_empty(),
            "not kept to fail and block the rest"
        );
        next.flush(NOW);
        let batch = next.take_batch(NOW).unwrap();
        assert!(batch.contains(r#""dropped":3"#), "{batch}");
    }

    #[test]
    fn refused_beacons_stay_waiting_without_consent() {
        let mut recorder = start_with(None, None);
        recorder.hidden(NOW);
        recorder.take_beacon().unwrap();
        recorder.beacon_sent(false, NOW);
        assert!(recorder.take_batch(NOW + BATCH_DELAY_MS).is_some());
    }

    #[test]
    fn do_not_track_visitors_get_no_identifier() {
        let mut recorder = Recorder::start(
            &Start {
                site: "demo",
                do_not_track: true,
                seed: [0x0101_0101; 4],
                ..Start::default()
            },
            &page("/"),
            "",
            "shop.example",
            NOW,
        );
        recorder.restore(Some("0123456789abcdef"), None, NOW);
        assert_eq!(recorder.consent(true), "");
        recorder.flush(NOW);
        let body = recorder.take_batch(NOW).unwrap();
        assert!(body.contains(r#""dnt":true"#) && !body.contains("visitor"));
        assert!(should_record(false, true, false, false));
        assert!(!should_record(false, true, false, true));
        assert!(!should_record(true, false, false, false));
        assert!(should_record(true, false, true, false));
    }

    #[test]
    fn identify_applies_to_later_events_only() {
        let mut recorder = start_with(None, None);
        recorder.identify("user-1", "abc", NOW);
        recorder.track("after", NOW);
        recorder.flush(NOW);
        let before = recorder.take_batch(NOW).unwrap();
        assert!(!before.contains("user-1"));
        recorder.finished(202, 0.0, NOW);
        let after = recorder.take_batch(NOW).unwrap();
        assert!(
            after.contains(r#""user":"user-1","user_hmac":"abc""#),
            "{after}"
        );
    }
}
