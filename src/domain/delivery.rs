//! How the recorder delivers: a bounded outbox that batches events, drops the
//! oldest (and counts them) only when it must, and a retry policy with
//! exponential backoff and jitter. Pure: the browser glue supplies the clock,
//! the randomness and the network.

use super::event::{encode_batch_of_json, BatchHeader, Touchpoint};
use alloc::string::String;
use alloc::vec::Vec;

fn remove_first<T>(items: &mut Vec<T>) -> Option<T> {
    (!items.is_empty()).then(|| items.remove(0))
}

/// Limits of the outbox and of one batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most events held while waiting to send.
    pub max_events: usize,
    /// Most encoded bytes held while waiting to send.
    pub max_bytes: usize,
    /// Most events in one batch.
    pub batch_events: usize,
    /// Most bytes in one batch: under the browser's 64 KB keepalive budget.
    pub batch_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_events: 500,
            max_bytes: 256 * 1024,
            batch_events: 50,
            batch_bytes: 60 * 1024,
        }
    }
}

/// Room a batch's envelope (version, site, times, drop count) takes
/// besides its events.
const BATCH_ENVELOPE_BYTES: usize = 96;

/// The most a batch may be and still be sent: browsers give requests that
/// outlive the page (`keepalive`) 64 KiB. A batch is cut at `batch_bytes`
/// (60 KiB) of events, and its envelope (a consented visitor id, a user id
/// and its HMAC, the time zone) can take it a few hundred bytes past that.
pub const SENDABLE_BATCH_BYTES: usize = 64 * 1024;

/// Events waiting to be sent, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    limits: Limits,
    /// Each event, encoded once as it is recorded (its JSON object).
    events: Vec<String>,
    bytes: usize,
    /// Events dropped since the last batch that carried the count.
    dropped: u32,
}

/// What a send attempt's outcome means for the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Stored (or already stored): forget the batch.
    Delivered,
    /// Try the same batch again later.
    Retry,
    /// The server refused it for good (a 4xx other than 429): count it as dropped.
    Refused,
}

impl Outbox {
    pub fn new(limits: Limits) -> Self {
        Outbox {
            limits,
            ..Outbox::default()
        }
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Events dropped and not yet reported.
    pub fn dropped(&self) -> u32 {
        self.dropped
    }

    /// Adds an event; when full, drops the oldest and counts them.
    pub fn push(&mut self, event: Touchpoint) {
        let mut encoded = String::new();
        event.write_json(&mut encoded);
        self.push_json(encoded);
    }

    /// Adds an event already encoded with `EventView::write_json`; when
    /// full, drops the oldest and counts them. An event too big for any
    /// batch (a page's `track` with a 100 KB name) is counted as dropped at
    /// once: sent alone it would exceed the browser's 64 KB keepalive
    /// budget, fail as a network error and block every later batch.
    pub fn push_json(&mut self, encoded: String) {
        if encoded.len() + BATCH_ENVELOPE_BYTES > self.limits.batch_bytes {
            self.dropped += 1;
            return;
        }
        self.bytes += encoded.len();
        self.events.push(encoded);
        while self.events.len() > self.limits.max_events
            || (self.bytes > self.limits.max_bytes && self.events.len() > 1)
        {
            let oldest = remove_first(&mut self.events).unwrap_or_default();
            self.bytes -= oldest.len();
            self.dropped += 1;
        }
    }

    /// Whether a batch is full enough to send now rather than wait.
    pub fn should_send_now(&self) -> bool {
        self.events.len() >= self.limits.batch_events || self.bytes >= self.limits.batch_bytes / 2
    }

    /// Takes the oldest events that fit one batch and encodes it, carrying
    /// the drop count; returns the body and how many events it holds.
    pub fn take_batch(&mut self, header: &BatchHeader, sent_at_ms: u64) -> Option<(String, u32)> {
        if self.events.is_empty() {
            return None;
        }
        let mut count = 0;
        let mut size = BATCH_ENVELOPE_BYTES;
        for event in &self.events {
            if count == self.limits.batch_events
                || (count > 0 && size + event.len() + 1 > self.limits.batch_bytes)
            {
                break;
            }
            size += event.len() + 1;
            count += 1;
        }
        // `count` never exceeds the length; `min` lets the compiler see it,
        // so `split_off`'s panic and its message are not linked (62 B).
        let rest = self.events.split_off(count.min(self.events.len()));
        let taken = core::mem::replace(&mut self.events, rest);
        self.bytes -= taken.iter().map(String::len).sum::<usize>();
        let body = encode_batch_of_json(header, sent_at_ms, self.dropped, &taken);
        self.dropped = 0;
        Some((body, count as u32))
    }

    /// Counts events that will never be delivered, so the loss is reported
    /// with the next batch.
    pub fn count_dropped(&mut self, events: u32) {
        self.dropped = self.dropped.saturating_add(events);
    }
}

/// Encoded batches waiting for a (re)send, oldest first. A batch that failed
/// is retried as the same bytes, so the edge's idempotency on event ids makes
/// a resend after a lost response harmless. With the visitor's consent these
/// survive page loads in local storage (`to_storage` / `from_storage`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pending {
    /// (events in the batch, encoded batch).
    batches: Vec<(u32, String)>,
}

/// Most batches kept waiting; beyond this the oldest is dropped and counted.
pub const MAX_PENDING_BATCHES: usize = 20;

impl Pending {
    pub fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }

    pub fn len(&self) -> usize {
        self.batches.len()
    }

    /// Adds a batch to send after the ones already waiting; returns how many
    /// events had to be dropped to stay within bounds.
    pub fn push_back(&mut self, events: u32, body: String) -> u32 {
        self.batches.push((events, body));
        self.trim()
    }

    /// Puts a failed batch first again; returns events dropped to stay in bounds.
    pub fn push_front(&mut self, events: u32, body: String) -> u32 {
        self.batches.insert(0, (events, body));
        self.trim()
    }

    fn trim(&mut self) -> u32 {
        let mut dropped = 0;
        while self.batches.len() > MAX_PENDING_BATCHES {
            dropped += remove_first(&mut self.batches).map_or(0, |(count, _)| count);
        }
        dropped
    }

    /// The next batch to send.
    pub fn pop_front(&mut self) -> Option<(u32, String)> {
        remove_first(&mut self.batches)
    }

    /// One line per batch: `count<TAB>body` (bodies are single-line JSON).
    pub fn to_storage(&self) -> String {
        let mut out = String::new();
        for (count, body) in &self.batches {
            super::json::push_u64(&mut out, u64::from(*count));
            out.push('\t');
            out.push_str(body);
            out.push('\n');
        }
        out
    }

    /// Reads what `to_storage` wrote; malformed lines are skipped. A batch
    /// longer than `batch_bytes` (`SENDABLE_BATCH_BYTES` in the recorder;
    /// kept by an older version) could never be
    /// sent: it is left out and its events counted as dropped, as
    /// `Outbox::push_json` does for a new event; so are those trimmed to
    /// stay within bounds. Returns the batches and the events dropped.
    pub fn from_storage(text: &str, batch_bytes: usize) -> (Self, u32) {
        let mut pending = Pending::default();
        let mut dropped = 0u32;
        // Byte positions rather than `lines`/`split_once`: smaller in wasm.
        let mut rest = text;
        while !rest.is_empty() {
            let end = rest.bytes().position(|b| b == b'\n').unwrap_or(rest.len());
            let line = rest.get(..end).unwrap_or_default();
            rest = rest.get(end + 1..).unwrap_or_default();
            let Some(tab) = line.bytes().position(|b| b == b'\t') else {
                continue;
            };
            let count = line.get(..tab).unwrap_or_default();
            let body = line.get(tab + 1..).unwrap_or_default();
            if let (Some(count), true) = (decimal(count), body.starts_with('{')) {
                if body.len() > batch_bytes {
                    dropped = dropped.saturating_add(count);
                } else {
                    pending.batches.push((count, body.into()));
                }
            }
        }
        let dropped = dropped.saturating_add(pending.trim());
        (pending, dropped)
    }
}

/// A decimal count, digits only (smaller in wasm than `str::parse`).
fn decimal(text: &str) -> Option<u32> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0u32, |number, byte| {
        let digit = u32::from(byte.wrapping_sub(b'0'));
        (digit < 10).then_some(())?;
        number.checked_mul(10)?.checked_add(digit)
    })
}

/// What an HTTP status (0 for a network error) means for the batch.
pub fn outcome(status: u16) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        429 => Outcome::Retry,
        400..=499 => Outcome::Refused,
        _ => Outcome::Retry,
    }
}

/// Delay before retry number `attempt` (1-based): exponential from 1 s,
/// capped at 60 s, with "equal jitter" from `random` in [0, 1) so that many
/// browsers recovering from one outage do not retry in step.
pub fn backoff_ms(attempt: u32, random: f64) -> u64 {
    let base = 1000u64
        .saturating_mul(1u64 << attempt.saturating_sub(1).min(6))
        .min(60_000);
    let half = base / 2;
    half + (half as f64 * random.clamp(0.0, 1.0)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::EventKind;

    fn header() -> BatchHeader<'static> {
        BatchHeader {
            site: "demo",
            ..BatchHeader::default()
        }
    }

    fn event(n: u32) -> Touchpoint {
        Touchpoint {
            id: format!("event-{n:012}"),
            kind: EventKind::Custom,
            name: "x".into(),
            timestamp_ms: 1_763_800_000_000,
            ..Touchpoint::default()
        }
    }

    #[test]
    fn drops_the_oldest_and_reports_the_count_with_the_next_batch() {
        let mut outbox = Outbox::new(Limits {
            max_events: 3,
            ..Limits::default()
        });
        for n in 0..5 {
            outbox.push(event(n));
        }
        assert_eq!(outbox.len(), 3);
        assert_eq!(outbox.dropped(), 2);
        let (body, count) = outbox.take_batch(&header(), 1).unwrap();
        assert!(body.contains(r#""dropped":2"#));
        assert_eq!(count, 3);
        assert!(body.contains(r#""events":[{"id":"event-000000000002""#));
        assert_eq!(outbox.dropped(), 0);
    }

    #[test]
    fn batches_respect_count_and_byte_limits_and_requeue_keeps_order() {
        let mut outbox = Outbox::new(Limits {
            batch_events: 2,
            ..Limits::default()
        });
        for n in 0..5 {
            outbox.push(event(n));
        }
        let (first, count) = outbox.take_batch(&header(), 1).unwrap();
        assert_eq!(count, 2);
        assert!(first.contains(r#""events":[{"id":"event-000000000000""#));
        let (second, _) = outbox.take_batch(&header(), 1).unwrap();
        assert!(second.contains(r#""events":[{"id":"event-000000000002""#));
        let mut small = Outbox::new(Limits {
            batch_bytes: 300,
            ..Limits::default()
        });
        for n in 0..5 {
            small.push(event(n));
        }
        let (body, taken) = small.take_batch(&header(), 1).unwrap();
        assert!(body.len() <= 300 + 100, "{}", body.len());
        assert!(taken < 5);
    }

    /// From an outside audit: a page's `track` with a 100 KB name went out
    /// alone, over the browser's 64 KB keepalive budget, failed as a network
    /// error and blocked every later event. Every batch now fits, and an
    /// event that cannot is counted as dropped with the next one.
    #[test]
    fn an_event_too_big_for_any_batch_is_counted_and_blocks_nothing() {
        // Room to hold every event, so only size decides what is dropped.
        let limits = Limits {
            max_events: 1_000,
            max_bytes: 64 << 20,
            ..Limits::default()
        };
        let mut outbox = Outbox::new(limits);
        let mut too_big = 0;
        // Names from tiny to twice the batch, through the edge of what fits.
        let lengths = (0..40usize)
            .map(|n| n * 3_001 % 120_000)
            .chain((limits.batch_bytes - 400)..(limits.batch_bytes - 100));
        for (n, length) in lengths.enumerate() {
            let mut event = event(n as u32);
            event.name = "x".repeat(length);
            let mut encoded = String::new();
            event.write_json(&mut encoded);
            if encoded.len() + BATCH_ENVELOPE_BYTES > limits.batch_bytes {
                too_big += 1;
            }
            outbox.push(event);
        }
        assert!(too_big > 10, "{too_big}");
        let (mut sent, mut dropped) = (0, 0);
        while let Some((body, count)) = outbox.take_batch(&header(), u64::MAX) {
            assert!(body.len() <= limits.batch_bytes, "{}", body.len());
            let reported = body
                .split(r#""dropped":"#)
                .nth(1)
                .and_then(|rest| rest.split([',', '}']).next())
                .and_then(|n| n.parse::<u32>().ok())
                .unwrap_or(0);
            dropped += reported;
            sent += count;
        }
        assert_eq!(dropped, too_big);
        assert_eq!(sent + dropped, 40 + 300);
    }

    #[test]
    fn statuses_and_backoff() {
        assert_eq!(outcome(202), Outcome::Delivered);
        assert_eq!(outcome(429), Outcome::Retry);
        assert_eq!(outcome(503), Outcome::Retry);
        assert_eq!(outcome(0), Outcome::Retry);
        assert_eq!(outcome(400), Outcome::Refused);
        assert_eq!(outcome(413), Outcome::Refused);
        assert_eq!(backoff_ms(1, 0.0), 500);
        assert_eq!(backoff_ms(1, 0.999_999), 999);
        assert_eq!(backoff_ms(3, 0.0), 2000);
        assert_eq!(backoff_ms(30, 0.5), 45_000);
    }

    #[test]
    fn refused_batches_are_counted_not_hidden() {
        let mut outbox = Outbox::new(Limits::default());
        outbox.push(event(1));
        let (_, events) = outbox.take_batch(&header(), 1).unwrap();
        outbox.count_dropped(events);
        assert_eq!(outbox.dropped(), 1);
    }

    #[test]
    fn pending_batches_are_bounded_ordered_and_survive_storage() {
        let mut pending = Pending::default();
        let mut dropped = 0;
        for n in 0..(MAX_PENDING_BATCHES as u32 + 2) {
            dropped += pending.push_back(3, format!("{{\"n\":{n}}}"));
        }
        assert_eq!(dropped, 6);
        assert_eq!(pending.len(), MAX_PENDING_BATCHES);
        let (count, first) = pending.pop_front().unwrap();
        assert_eq!((count, first.as_str()), (3, "{\"n\":2}"));
        pending.push_front(count, first);
        let restored = Pending::from_storage(&pending.to_storage(), 1000);
        assert_eq!(restored, (pending, 0));
        let (restored, dropped) = Pending::from_storage(
            "garbage\n2\tnot json\n1\t{}\n-1\t{}\n99999999999\t{}\n\t{}\n",
            1000,
        );
        assert_eq!((restored.len(), dropped), (1, 0));
    }

    #[test]
    fn a_stored_batch_too_big_to_send_is_counted_as_dropped_not_kept() {
        // An older version's limits could have stored a batch the browser
        // would refuse to send: kept, it would fail and block every later one.
        let big = format!("{{\"events\":\"{}\"}}", "x".repeat(200));
        let text = format!("2\t{{\"n\":1}}\n5\t{big}\n3\t{{\"n\":2}}\n");
        let (restored, dropped) = Pending::from_storage(&text, 100);
        assert_eq!(dropped, 5);
        assert_eq!(restored.to_storage(), "2\t{\"n\":1}\n3\t{\"n\":2}\n");
        // Batches beyond the bound are counted too (oldest first).
        let many: String = (0..MAX_PENDING_BATCHES + 2)
            .map(|n| format!("4\t{{\"n\":{n}}}\n"))
            .collect();
        let (restored, dropped) = Pending::from_storage(&many, 100);
        assert_eq!((restored.len(), dropped), (MAX_PENDING_BATCHES, 8));
    }

    #[test]
    fn a_full_batch_with_a_long_envelope_is_kept_on_restore() {
        // A review: 50 events of 1,225 bytes each and a consented,
        // identified visitor made a batch past `batch_bytes` (60 KiB) that
        // the restore threw away, though the browser sends it.
        for size in [100, 600, 1_225, 1_300, 5_000] {
            let mut outbox = Outbox::new(Limits::default());
            for n in 0..60 {
                let mut e = event(n);
                e.name = "n".repeat(size);
                outbox.push(e);
            }
            let visitor = "v".repeat(64);
            let hmac = "h".repeat(64);
            let header = BatchHeader {
                site: "a-site-key-of-some-length",
                visitor: &visitor,
                user: "user-00000000000000000000000000000000",
                user_hmac: &hmac,
                time_zone: "America/Argentina/Buenos_Aires",
                ..BatchHeader::default()
            };
            let Some((body, count)) = outbox.take_batch(&header, 1_763_800_000_000) else {
                panic!("a batch");
            };
            assert!(body.len() <= SENDABLE_BATCH_BYTES, "{size}: {}", body.len());
            let mut pending = Pending::default();
            pending.push_back(count, body);
            let (restored, dropped) =
                Pending::from_storage(&pending.to_storage(), SENDABLE_BATCH_BYTES);
            assert_eq!((restored, dropped), (pending, 0), "{size}");
        }
    }

    #[test]
    fn batches_carry_the_privacy_header() {
        let mut outbox = Outbox::new(Limits::default());
        outbox.push(event(1));
        let header = BatchHeader {
            site: "demo",
            do_not_track: true,
            ..BatchHeader::default()
        };
        let (body, _) = outbox.take_batch(&header, 1).unwrap();
        assert!(body.contains(r#""dnt":true"#));
        let plan = crate::domain::ingest::plan_batch(&body, 1_763_800_000_000).unwrap();
        assert!(plan.do_not_track);
    }
}
