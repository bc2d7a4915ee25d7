//! Bulk export for warehouses (issue 17): a site's touchpoints, conversations
//! (with their messages) and label corrections as NDJSON, gzip-compressed,
//! read page by page with an opaque cursor over a stable order (time, id), and
//! written once per finished UTC day into an R2 bucket by the scheduled job.
//! This module decides the streams, the cursor, the page bounds, the object
//! keys and which days a run writes; the edge runs the queries and the I/O.

use super::rollup::day_of;

/// What can be exported, each in its own order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Stored events, by (occurred_at, id).
    Touchpoints,
    /// Conversations with their messages, by (created_at, id).
    Conversations,
    /// Staff's label corrections, by (created_at, id).
    Labels,
}

impl Stream {
    pub const ALL: [Stream; 3] = [Stream::Touchpoints, Stream::Conversations, Stream::Labels];

    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Touchpoints => "touchpoints",
            Stream::Conversations => "conversations",
            Stream::Labels => "labels",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The cursor's first character, so a cursor cannot be used on another stream.
    fn tag(self) -> char {
        match self {
            Stream::Touchpoints => 't',
            Stream::Conversations => 'c',
            Stream::Labels => 'l',
        }
    }

    /// Label corrections have integer ids; the others text ids.
    pub fn numeric_ids(self) -> bool {
        self == Stream::Labels
    }
}

/// A position in a stream: the last row a page returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub at: i64,
    pub id: String,
}

/// Ids longer than this never occur (events' and conversations' ids are short).
const MAX_ID_BYTES: usize = 200;

/// Hex digits of the list's mark in a cursor: enough to tell one site's
/// (or destination's, or visitor's) list from another's by mistake.
const MARK_HEX: usize = 12;

/// The mark of the list a cursor belongs to: the start of SHA-256 over its
/// tag and the parts that name it (each length-prefixed, so no two lists
/// share the bytes). Unkeyed on purpose: it catches a cursor used on the
/// wrong list, and a made-up one only moves within a list its caller may
/// read anyway; no secret means no rotation that breaks kept cursors.
fn mark(tag: char, scope: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(b"touchpoint cursor\0");
    hasher.update(u32::from(tag).to_be_bytes());
    for part in scope {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hex(&hasher.finalize()[..MARK_HEX / 2])
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        text.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    text
}

/// Reads `<time>.<id as hex>`, the position both formats end with.
fn position(rest: &str) -> Option<Cursor> {
    let (at, hex) = rest.split_once('.')?;
    let at: i64 = at.parse().ok()?;
    if at < 0 || hex.len() % 2 != 0 || hex.len() > MAX_ID_BYTES * 2 {
        return None;
    }
    let bytes = hex
        .as_bytes()
        .chunks_exact(2)
        .map(|pair| {
            let digit = |c: &u8| char::from(*c).to_digit(16);
            match pair {
                [high, low] => u8::try_from(digit(high)? * 16 + digit(low)?).ok(),
                _ => None,
            }
        })
        .collect::<Option<Vec<u8>>>()?;
    let id = String::from_utf8(bytes).ok()?;
    (!id.is_empty()).then_some(Cursor { at, id })
}

impl Cursor {
    /// `<stream tag>2.<mark>.<time>.<id as hex>`, bound to `site`'s
    /// `stream`: URL-safe, and opaque to clients by contract (the format may
    /// change; only the worker reads it).
    pub fn encode(&self, stream: Stream, site: &str) -> String {
        self.encode_bound(stream.tag(), &[site])
    }

    /// As `encode`, for another ordered list: `tag` names its kind and
    /// `scope` the one list (a destination's log, a visitor's touchpoints).
    pub fn encode_bound(&self, tag: char, scope: &[&str]) -> String {
        let mut text = String::with_capacity(40 + self.id.len() * 2);
        text.push(tag);
        text.push_str("2.");
        text.push_str(&mark(tag, scope));
        text.push('.');
        text.push_str(&self.at.to_string());
        text.push('.');
        text.push_str(&hex(self.id.as_bytes()));
        text
    }

    /// Reads a cursor this worker gave out for `site`'s `stream`; `None` for
    /// anything else.
    pub fn decode(text: &str, stream: Stream, site: &str) -> Option<Cursor> {
        let cursor = Self::decode_bound(text, stream.tag(), &[site])?;
        let valid = !stream.numeric_ids()
            || (cursor.id.len() <= 18 && cursor.id.bytes().all(|b| b.is_ascii_digit()));
        valid.then_some(cursor)
    }

    /// Reads a cursor `encode_bound(tag, scope)` gave out; `None` for
    /// anything else, a cursor of another list too.
    pub fn decode_bound(text: &str, tag: char, scope: &[&str]) -> Option<Cursor> {
        let rest = text.strip_prefix(tag)?.strip_prefix("2.")?;
        let (given, rest) = rest.split_once('.')?;
        if given != mark(tag, scope) {
            return None;
        }
        position(rest)
    }

    /// The position in a cursor of the first format (`<tag>1.<time>.<id>`,
    /// bound to no site), which workers before the bound ones gave out.
    fn decode_unbound(text: &str, tag: char) -> Option<Cursor> {
        position(text.strip_prefix(tag)?.strip_prefix("1.")?)
    }
}

/// Rows per page when the client does not say.
pub const DEFAULT_LIMIT: u32 = 1000;
/// The most rows per page: a page of conversations carries their messages,
/// and one page must fit a Worker's memory and D1's answer size.
pub const MAX_LIMIT: u32 = 5000;

/// One page's request, from the query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Rows from this time on (ms since the epoch, inclusive).
    pub since: i64,
    /// Rows before this time (exclusive).
    pub until: i64,
    pub limit: u32,
    pub after: Option<Cursor>,
}

/// Why a page request is refused: a bad cursor (400) or a bad bound (422).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageError {
    BadCursor,
    /// A cursor of this stream from an earlier worker, bound to no site: it
    /// could be anyone's, so it is refused, and the time it holds is where
    /// to start again (`since`).
    UnboundCursor {
        since: i64,
    },
    Invalid(String),
}

/// Reads `since`, `until`, `limit` and `cursor` (each optional; a cursor
/// must be one given out for `site`'s `stream`). A limit above `MAX_LIMIT`
/// is refused rather than quietly cut, so a client never mistakes a short
/// page for the end.
pub fn page_request(
    stream: Stream,
    site: &str,
    since: Option<&str>,
    until: Option<&str>,
    limit: Option<&str>,
    cursor: Option<&str>,
) -> Result<PageRequest, PageError> {
    let time = |name: &str, value: Option<&str>, default: i64| match value {
        None => Ok(default),
        Some(text) => super::api::query_number::<i64>(text)
            .filter(|t| (0..=MAX_TIME_MS).contains(t))
            .ok_or_else(|| {
                PageError::Invalid(format!(
                    "{name}: milliseconds since 1970-01-01 UTC, 0 to {MAX_TIME_MS}"
                ))
            }),
    };
    let since = time("since", since, 0)?;
    let until = time("until", until, MAX_TIME_MS)?;
    if until < since {
        return Err(PageError::Invalid("until: must not be before since".into()));
    }
    let limit = match limit {
        None => DEFAULT_LIMIT,
        Some(text) => super::api::query_number::<u32>(text)
            .filter(|l| (1..=MAX_LIMIT).contains(l))
            .ok_or_else(|| PageError::Invalid(format!("limit: 1 to {MAX_LIMIT}")))?,
    };
    let after = match cursor {
        None => None,
        Some(text) => match Cursor::decode(text, stream, site) {
            Some(cursor) => Some(cursor),
            None => {
                return Err(Cursor::decode_unbound(text, stream.tag())
                    .map_or(PageError::BadCursor, |old| PageError::UnboundCursor {
                        since: old.at,
                    }))
            }
        },
    };
    Ok(PageRequest {
        since,
        until,
        limit,
        after,
    })
}

/// Touchpoints in one page of a visitor's export (`GET …/visitors/{visitor}`,
/// the right of access): a visitor of years may have more, which come in
/// further pages rather than being cut off.
pub const VISITOR_PAGE: usize = 5_000;

/// A visitor export's cursors are a list of their own.
const VISITOR_CURSOR_TAG: char = 'v';

/// The (time, id) a visitor export's page starts after: nothing for the
/// first page, else a cursor `visitor_cursor` gave out for this site's
/// `visitor`.
pub fn visitor_page_after(
    cursor: Option<&str>,
    site: &str,
    visitor: &str,
) -> Result<Option<Cursor>, PageError> {
    cursor
        .map(|text| {
            Cursor::decode_bound(text, VISITOR_CURSOR_TAG, &[site, visitor])
                .ok_or(PageError::BadCursor)
        })
        .transpose()
}

/// The cursor of `site`'s `visitor` export's page after the touchpoint at
/// (occurred_at, id).
pub fn visitor_cursor(site: &str, visitor: &str, occurred_at: i64, id: &str) -> String {
    Cursor {
        at: occurred_at,
        id: id.to_owned(),
    }
    .encode_bound(VISITOR_CURSOR_TAG, &[site, visitor])
}

/// The latest time a bound may name (year 9999), far beyond any stored row.
pub const MAX_TIME_MS: i64 = 253_402_300_799_999;

impl PageRequest {
    /// The (time, id) the page starts after: the cursor, or just before `since`
    /// (every stored id is non-empty and sorts after "").
    pub fn start(&self) -> (i64, &str) {
        match &self.after {
            Some(cursor) => (cursor.at, cursor.id.as_str()),
            None => (self.since, ""),
        }
    }
}

// ------------------------------------------------------------- daily objects

/// How long after a UTC day ends its objects are written: touchpoints sent
/// from a browser that was briefly offline still land in their day. Later
/// arrivals are in D1 and the cursor API, not in the day's object.
pub const DAY_GRACE_MS: i64 = 3_600_000;
/// The most days one scheduled run writes per destination (the job runs
/// every minute; a backfill catches up at this pace).
pub const MAX_DAYS_PER_RUN: usize = 2;

/// The object key of one day's (`YYYY-MM-DD`) stream:
/// `<prefix>site=<site>/date=YYYY-MM-DD/<stream>.ndjson.gz`.
pub fn object_key(prefix: &str, site: &str, date: &str, stream: Stream) -> String {
    let mut key = String::from(prefix);
    key.push_str("site=");
    key.push_str(site);
    key.push_str("/date=");
    key.push_str(date);
    key.push('/');
    key.push_str(stream.as_str());
    key.push_str(".ndjson.gz");
    key
}

/// The days (since 1970-01-01) a run at `now_ms` writes, oldest first:
/// after the last day written (`done`), else from the site's oldest stored
/// row's day (`first_data`), else from the destination's creation day; up to
/// the last day that ended `DAY_GRACE_MS` ago.
pub fn days_due(now_ms: i64, done: Option<i64>, first_data: Option<i64>, created: i64) -> Vec<i64> {
    let last = day_of(now_ms - DAY_GRACE_MS) - 1;
    let first = match done {
        Some(day) => day + 1,
        None => first_data.map_or(day_of(created), |d| d.min(day_of(created))),
    };
    (first..=last).take(MAX_DAYS_PER_RUN).collect()
}

/// Checks an R2 destination's key prefix: empty, or up to 200 characters of
/// letters, digits and `/ _ - . =`, not starting with `/`, ending with `/`.
pub fn check_prefix(prefix: &str) -> Result<(), String> {
    let ok = prefix.is_empty()
        || (prefix.len() <= 200
            && !prefix.starts_with('/')
            && prefix.ends_with('/')
            && !prefix.contains("//")
            && !prefix.split('/').any(|part| part == "." || part == "..")
            && prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_-.=".contains(&b)));
    if ok {
        Ok(())
    } else {
        Err("prefix: empty, or up to 200 letters, digits and / _ - . = ending with / (not starting with one)".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rollup::DAY_MS;
    use crate::domain::visitor_key::utc_day;

    #[test]
    fn cursors_round_trip_and_belong_to_one_stream_of_one_site() {
        for stream in Stream::ALL {
            let id = if stream.numeric_ids() {
                "42"
            } else {
                "ev-é/ 1"
            };
            let cursor = Cursor {
                at: 1_733_000_000_123,
                id: id.into(),
            };
            let text = cursor.encode(stream, "demo");
            assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'));
            // Stable: the same position of the same list, the same cursor.
            assert_eq!(text, cursor.encode(stream, "demo"));
            assert_eq!(Cursor::decode(&text, stream, "demo"), Some(cursor));
            for other in Stream::ALL.into_iter().filter(|s| *s != stream) {
                assert_eq!(
                    Cursor::decode(&text, other, "demo"),
                    None,
                    "{text} on {other:?}"
                );
            }
            // Another site's cursor, even a site whose name begins the same.
            for site in ["other", "dem", "demo2", ""] {
                assert_eq!(
                    Cursor::decode(&text, stream, site),
                    None,
                    "{text} on {site}"
                );
            }
            assert_eq!(Stream::parse(stream.as_str()), Some(stream));
        }
        assert_eq!(Stream::parse("events"), None);
    }

    #[test]
    fn a_bound_cursor_tells_its_scope_parts_apart() {
        let cursor = Cursor {
            at: 5,
            id: "a".into(),
        };
        let text = cursor.encode_bound('v', &["ab", "c"]);
        assert_eq!(Cursor::decode_bound(&text, 'v', &["ab", "c"]), Some(cursor));
        assert_eq!(Cursor::decode_bound(&text, 'v', &["a", "bc"]), None);
        assert_eq!(Cursor::decode_bound(&text, 'v', &["abc"]), None);
        assert_eq!(Cursor::decode_bound(&text, 'd', &["ab", "c"]), None);
    }

    #[test]
    fn broken_cursors_are_refused() {
        let (labels, mark) = (mark('l', &["demo"]), mark('t', &["demo"]));
        for text in [
            String::new(),
            "t2".into(),
            "t2.".into(),
            format!("t2.{mark}"),
            format!("t2.{mark}."),
            format!("t2.{mark}.12"),
            format!("t2.{mark}.12."),
            format!("t2.{mark}.-5.6162"),
            format!("t2.{mark}.x.6162"),
            format!("t2.{mark}.12.616"),
            format!("t2.{mark}.12.zz"),
            format!("t2.{mark}.12.ff"),
            format!("t3.{mark}.12.6162"),
            format!("t2.{}.12.6162", &mark[1..]),
            "t2.000000000000.12.6162".into(),
            format!("l2.{mark}.12.6162"),
        ] {
            assert_eq!(
                Cursor::decode(&text, Stream::Touchpoints, "demo"),
                None,
                "{text}"
            );
        }
        for text in [format!("l2.{labels}.12.6162"), format!("l2.{labels}.12.")] {
            assert_eq!(
                Cursor::decode(&text, Stream::Labels, "demo"),
                None,
                "{text}"
            );
        }
        let long = format!("t2.{mark}.1.{}", "61".repeat(MAX_ID_BYTES + 1));
        assert_eq!(Cursor::decode(&long, Stream::Touchpoints, "demo"), None);
    }

    #[test]
    fn a_cursor_of_the_earlier_unbound_format_says_where_to_start_again() {
        // `t1.<time>.<id>`, as workers before bound cursors gave out: it
        // names no site, so it is refused, with its time for `since`.
        let refused =
            |text: &str, stream| page_request(stream, "demo", None, None, None, Some(text));
        assert_eq!(
            refused("t1.1733000000123.6576", Stream::Touchpoints),
            Err(PageError::UnboundCursor {
                since: 1_733_000_000_123
            })
        );
        assert_eq!(
            refused("c1.7.6162", Stream::Conversations),
            Err(PageError::UnboundCursor { since: 7 })
        );
        // Another stream's, or a broken one: just a bad cursor.
        assert_eq!(
            refused("c1.7.6162", Stream::Touchpoints),
            Err(PageError::BadCursor)
        );
        assert_eq!(
            refused("t1.7.zz", Stream::Touchpoints),
            Err(PageError::BadCursor)
        );
    }

    #[test]
    fn page_bounds_are_checked() {
        let page = page_request(Stream::Touchpoints, "demo", None, None, None, None).unwrap();
        assert_eq!(
            page,
            PageRequest {
                since: 0,
                until: MAX_TIME_MS,
                limit: DEFAULT_LIMIT,
                after: None
            }
        );
        assert_eq!(page.start(), (0, ""));
        let page = page_request(
            Stream::Labels,
            "demo",
            Some("10"),
            Some("20"),
            Some("5000"),
            None,
        )
        .unwrap();
        assert_eq!((page.since, page.until, page.limit), (10, 20, 5000));
        assert_eq!(page.start(), (10, ""));
        let cursor = Cursor {
            at: 15,
            id: "7".into(),
        }
        .encode(Stream::Labels, "demo");
        let page = page_request(
            Stream::Labels,
            "demo",
            Some("10"),
            None,
            None,
            Some(&cursor),
        )
        .unwrap();
        assert_eq!(page.start(), (15, "7"));
        assert_eq!(
            page_request(
                Stream::Labels,
                "other",
                Some("10"),
                None,
                None,
                Some(&cursor)
            ),
            Err(PageError::BadCursor)
        );
        for (since, until, limit) in [
            (Some("x"), None, None),
            (Some("-1"), None, None),
            (None, Some("253402300800000"), None),
            (Some("20"), Some("10"), None),
            (None, None, Some("0")),
            (None, None, Some("5001")),
            (None, None, Some("ten")),
        ] {
            assert!(
                matches!(
                    page_request(Stream::Touchpoints, "demo", since, until, limit, None),
                    Err(PageError::Invalid(_))
                ),
                "{since:?} {until:?} {limit:?}"
            );
        }
        assert_eq!(
            page_request(Stream::Touchpoints, "demo", None, None, None, Some("nope")),
            Err(PageError::BadCursor)
        );
    }

    #[test]
    fn object_keys_partition_by_site_and_day() {
        let day = utc_day(1_733_011_200_000);
        assert_eq!(day, "2024-12-01");
        assert_eq!(
            object_key("", "demo", &day, Stream::Touchpoints),
            "site=demo/date=2024-12-01/touchpoints.ndjson.gz"
        );
        assert_eq!(
            object_key("tp/", "demo", &day, Stream::Conversations),
            "tp/site=demo/date=2024-12-01/conversations.ndjson.gz"
        );
    }

    #[test]
    fn a_day_is_due_once_it_ended_an_hour_ago_and_only_once() {
        let dec1 = day_of(1_733_011_200_000);
        let dec3_0030 = (dec1 + 2) * DAY_MS + 30 * 60_000;
        let dec3_0130 = dec3_0030 + DAY_GRACE_MS;
        // At 00:30 on Dec 3, Dec 2 is not yet due; Dec 1 is.
        assert_eq!(
            days_due(dec3_0030, None, Some(dec1), dec1 * DAY_MS),
            vec![dec1]
        );
        assert_eq!(
            days_due(dec3_0130, None, Some(dec1), dec1 * DAY_MS),
            vec![dec1, dec1 + 1]
        );
        // Written through Dec 2: nothing more until Dec 3 ends.
        assert_eq!(
            days_due(dec3_0130, Some(dec1 + 1), Some(dec1), dec1 * DAY_MS),
            Vec::<i64>::new()
        );
        // A backfill goes from the oldest data, a few days per run.
        let old = dec1 - 30;
        assert_eq!(
            days_due(dec3_0130, None, Some(old), dec1 * DAY_MS),
            vec![old, old + 1]
        );
        // No data: from the day the destination was added.
        assert_eq!(
            days_due(dec3_0130, None, None, (dec1 + 1) * DAY_MS + 5),
            vec![dec1 + 1]
        );
    }

    #[test]
    fn prefixes_are_safe_key_parts() {
        for ok in ["", "touchpoint/", "exports/v=1/", "a.b_c-d/e/"] {
            assert_eq!(check_prefix(ok), Ok(()), "{ok}");
        }
        for bad in ["/abs/", "no-slash", "a//b/", "../up/", "sp ace/", "ü/"] {
            assert!(check_prefix(bad).is_err(), "{bad}");
        }
        assert!(check_prefix(&format!("{}/", "a".repeat(200))).is_err());
    }

    #[test]
    fn a_visitor_export_pages_with_cursors_of_its_own() {
        assert_eq!(visitor_page_after(None, "demo", "v-1"), Ok(None));
        let next = visitor_cursor("demo", "v-1", 1_700_000_000_000, "evt-1");
        assert_eq!(
            visitor_page_after(Some(&next), "demo", "v-1"),
            Ok(Some(Cursor {
                at: 1_700_000_000_000,
                id: "evt-1".into()
            }))
        );
        // Another visitor's, another site's, the bulk export's, and anything
        // else, are refused.
        for (site, visitor) in [("demo", "v-2"), ("other", "v-1")] {
            assert_eq!(
                visitor_page_after(Some(&next), site, visitor),
                Err(PageError::BadCursor)
            );
        }
        let bulk = Cursor {
            at: 1,
            id: "evt-1".into(),
        }
        .encode(Stream::Touchpoints, "demo");
        for text in [bulk.as_str(), "", "v1.x.00", "v1.1.6576"] {
            assert_eq!(
                visitor_page_after(Some(text), "demo", "v-1"),
                Err(PageError::BadCursor),
                "{text}"
            );
        }
    }
}
