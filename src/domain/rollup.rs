//! Daily roll-ups of touchpoints: what one D1 database needs to keep a site's
//! history for its whole retention. Raw events (~170 bytes of values each,
//! about twice that with indexes) fill D1's 10 GB within weeks at a million
//! events a day; a day's roll-up keeps, per path, page type, channel, source
//! and campaign, the page views, visitors, landings and engaged time, in
//! about one row per distinct combination. Raw events then stay only for the
//! site's journey window (`sites.journey_days`), the roll-ups for its
//! retention (`sites.retention_days`).
//!
//! A day is rolled up once it is final: ingestion takes events up to 30 days
//! old (`ingest::MAX_AGE_MS`), so a day can still change until then. Raw
//! events are deleted only once their day is rolled up, and always once they
//! are past the site's retention, rolled up or not.

use super::ingest::MAX_AGE_MS;
use super::zone::{self, Utc, Zone};

pub const DAY_MS: i64 = 86_400_000;
/// Slack for a batch accepted just before the age limit and stored a moment later.
const STORE_MARGIN_MS: i64 = 3_600_000;
/// The most days one scheduled run rolls up per site: the job runs every
/// minute and must stay well within D1's 1,000 queries per invocation.
pub const MAX_DAYS_PER_RUN: usize = 3;

/// The UTC day (days since 1970-01-01) that `unix_ms` falls in.
pub fn day_of(unix_ms: i64) -> i64 {
    unix_ms.div_euclid(DAY_MS)
}

/// The day, in `zone`, that `unix_ms` falls in: days from 1970-01-01 to that
/// local date (in UTC, `day_of`). Roll-ups keep a site's days in its own
/// time zone, so a shop in Berlin or Tokyo sees its evenings on their day.
pub fn day_in(zone: &impl Zone, unix_ms: i64) -> i64 {
    day_of(zone::local_ms(zone, unix_ms))
}

/// When `day` (as `day_in` counts it) begins in `zone`, in Unix ms: local
/// midnight, or the first instant of the date that exists when a daylight
/// saving change skips midnight; the earlier one when midnight repeats.
pub fn day_start_in(zone: &impl Zone, day: i64) -> i64 {
    zone::earliest_at(zone, day.saturating_mul(DAY_MS))
}

/// The last day no accepted event can still fall in at `now_ms`.
pub fn last_final_day(now_ms: i64) -> i64 {
    last_final_day_in(&Utc, now_ms)
}

/// `last_final_day` with days in `zone`.
pub fn last_final_day_in(zone: &impl Zone, now_ms: i64) -> i64 {
    day_in(zone, now_ms - MAX_AGE_MS - STORE_MARGIN_MS) - 1
}

/// A site's windows, in days, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// How long anything about a visit is kept (raw events and roll-ups).
    pub retention_days: i64,
    /// How long raw events are kept for journeys and Insights (at most the retention).
    pub journey_days: i64,
}

/// What one scheduled run does for a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Days to (re)compute from raw events, oldest first.
    pub days: Vec<i64>,
    /// The last day rolled up once this run is done.
    pub rolled_through: Option<i64>,
    /// Raw events that occurred before this instant (ms) are deleted.
    pub delete_events_before_ms: i64,
    /// Roll-ups of days before this one are deleted.
    pub delete_rollups_before_day: i64,
}

/// Decides a run at `now_ms`: `rolled_through` is the last day already rolled
/// up (none yet: `None`), `next_event_day` the day of the oldest raw event
/// after it (none: `None`).
pub fn plan(
    now_ms: i64,
    windows: Windows,
    rolled_through: Option<i64>,
    next_event_day: Option<i64>,
) -> Plan {
    plan_in(&Utc, now_ms, windows, rolled_through, next_event_day)
}

/// `plan` with days in the site's time zone (`day_in`).
pub fn plan_in(
    zone: &impl Zone,
    now_ms: i64,
    windows: Windows,
    rolled_through: Option<i64>,
    next_event_day: Option<i64>,
) -> Plan {
    let final_day = last_final_day_in(zone, now_ms);
    let days: Vec<i64> = match next_event_day {
        Some(first) if first <= final_day => {
            // Never recompute a day already rolled (its raw events may be gone).
            let first = rolled_through.map_or(first, |done| first.max(done + 1));
            (first..=final_day).take(MAX_DAYS_PER_RUN).collect()
        }
        _ => Vec::new(),
    };
    let rolled_through = match (days.last(), next_event_day) {
        (Some(&last), _) => Some(last),
        // Nothing raw is left up to the final day: every final day is rolled up.
        (None, None) => Some(rolled_through.map_or(final_day, |done| done.max(final_day))),
        (None, Some(_)) => rolled_through.map(|done| done.max(final_day)),
    };
    let retention_ms = windows.retention_days.max(1) * DAY_MS;
    let journey_ms = windows.journey_days.clamp(1, windows.retention_days.max(1)) * DAY_MS;
    let retention_cutoff = now_ms - retention_ms;
    // Raw events of days not yet rolled up wait for their roll-up, but never
    // past the retention.
    let rolled_end = rolled_through.map_or(i64::MIN, |day| day_start_in(zone, day + 1));
    let delete_events_before_ms = (now_ms - journey_ms).min(rolled_end).max(retention_cutoff);
    Plan {
        days,
        rolled_through,
        delete_events_before_ms,
        delete_rollups_before_day: day_in(zone, retention_cutoff),
    }
}

/// One roll-up row, as computed from raw events (the edge computes it in SQL;
/// this is its definition, tested here and against D1 in the edge tests).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DailyTouchpoints {
    pub day: i64,
    pub path: String,
    pub page_type: String,
    pub channel: String,
    pub source_name: String,
    pub utm_campaign: String,
    /// Page views.
    pub views: u64,
    /// Distinct visitors (consented id, else the day's cookieless key; neither: not counted).
    pub visitors: u64,
    /// Page views that began a visit from outside the site.
    pub landings: u64,
    /// Engaged time reported on these pages.
    pub engaged_ms: u64,
}

/// The few fields of a raw event a roll-up reads.
#[derive(Debug, Clone, Default)]
pub struct RawEvent<'a> {
    pub kind: &'a str,
    pub occurred_at_ms: i64,
    pub path: &'a str,
    pub page_type: &'a str,
    pub channel: &'a str,
    pub source_name: &'a str,
    pub utm_campaign: &'a str,
    pub visitor_id: &'a str,
    pub visitor_key: &'a str,
    pub engaged_ms: u64,
}

/// Whether a page view began a visit from outside the site (its channel is set, not internal).
pub fn is_landing(kind: &str, channel: &str) -> bool {
    kind == "pageview" && !channel.is_empty() && channel != "internal"
}

/// Rolls raw events up into days: page views and engagement only, grouped by
/// day, path, page type, channel, source and campaign, sorted.
pub fn roll_up(events: &[RawEvent<'_>]) -> Vec<DailyTouchpoints> {
    use std::collections::{BTreeMap, BTreeSet};
    type Key<'a> = (i64, &'a str, &'a str, &'a str, &'a str, &'a str);
    let mut groups: BTreeMap<Key<'_>, (DailyTouchpoints, BTreeSet<String>)> = BTreeMap::new();
    for event in events {
        if event.kind != "pageview" && event.kind != "engagement" {
            continue;
        }
        let day = day_of(event.occurred_at_ms);
        let key = (
            day,
            event.path,
            event.page_type,
            event.channel,
            event.source_name,
            event.utm_campaign,
        );
        let (row, visitors) = groups.entry(key).or_insert_with(|| {
            (
                DailyTouchpoints {
                    day,
                    path: event.path.into(),
                    page_type: event.page_type.into(),
                    channel: event.channel.into(),
                    source_name: event.source_name.into(),
                    utm_campaign: event.utm_campaign.into(),
                    views: 0,
                    visitors: 0,
                    landings: 0,
                    engaged_ms: 0,
                },
                BTreeSet::new(),
            )
        });
        if event.kind == "pageview" {
            row.views += 1;
        } else {
            row.engaged_ms += event.engaged_ms;
        }
        if is_landing(event.kind, event.channel) {
            row.landings += 1;
        }
        if !event.visitor_id.is_empty() {
            visitors.insert(["i", event.visitor_id].concat());
        } else if !event.visitor_key.is_empty() {
            visitors.insert(["k", event.visitor_key].concat());
        }
    }
    groups
        .into_values()
        .map(|(mut row, visitors)| {
            row.visitors = visitors.len() as u64;
            row
        })
        .collect()
}

/// Where a figure over the period from `from_ms` until now is read: raw
/// events, except in the whole days the roll-ups hold (a day is rolled up
/// only once final, so its roll-up counts exactly what its raw events do,
/// and raw events of a rolled day may be gone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodSources {
    /// Raw events count when `from_ms <= occurred_at` and (`occurred_at <
    /// raw_before_ms` or `raw_from_ms <= occurred_at`).
    pub raw_before_ms: i64,
    pub raw_from_ms: i64,
    /// The first and last day read from the roll-ups (none: `None`).
    pub rolled_days: Option<(i64, i64)>,
}

/// Splits the period from `from_ms` between the roll-ups (the whole days, in
/// the site's `zone`, up to `rolled_through`, the last day rolled up) and
/// raw events (the rest: the part of a day the period starts in, and the
/// days not rolled up).
pub fn period_sources(
    zone: &impl Zone,
    from_ms: i64,
    rolled_through: Option<i64>,
) -> PeriodSources {
    let from_day = day_in(zone, from_ms);
    let first_whole_day = from_day + i64::from(day_start_in(zone, from_day) != from_ms);
    match rolled_through {
        Some(last) if last >= first_whole_day => PeriodSources {
            raw_before_ms: day_start_in(zone, first_whole_day),
            raw_from_ms: day_start_in(zone, last + 1),
            rolled_days: Some((first_whole_day, last)),
        },
        _ => PeriodSources {
            raw_before_ms: from_ms,
            raw_from_ms: from_ms,
            rolled_days: None,
        },
    }
}

#[cfg(all(test, feature = "tzdb"))]
mod tests {
    use super::*;

    // 2026-12-01T12:00:00Z
    const NOW: i64 = 1_796_126_400_000;
    const WINDOWS: Windows = Windows {
        retention_days: 395,
        journey_days: 45,
    };

    #[test]
    fn a_day_is_final_once_no_accepted_event_can_fall_in_it() {
        let final_day = last_final_day(NOW);
        // The oldest event accepted now (30 days old) falls on a later day.
        assert!(day_of(NOW - MAX_AGE_MS) > final_day);
        assert_eq!(day_of(NOW) - final_day, 31);
        // An hour past midnight (the store margin), one more day is final.
        assert_eq!(last_final_day(NOW + 13 * 3_600_000), final_day + 1);
    }

    #[test]
    fn the_first_run_rolls_up_from_the_oldest_event_a_few_days_at_a_time() {
        let oldest = day_of(NOW) - 100;
        let plan = plan(NOW, WINDOWS, None, Some(oldest));
        assert_eq!(plan.days, vec![oldest, oldest + 1, oldest + 2]);
        assert_eq!(plan.rolled_through, Some(oldest + 2));
        // Only what is rolled up goes: raw events of later days wait.
        assert_eq!(plan.delete_events_before_ms, (oldest + 3) * DAY_MS);
    }

    #[test]
    fn caught_up_runs_roll_the_newly_final_day_and_trim_raw_events_to_the_journey_window() {
        let final_day = last_final_day(NOW);
        let plan = plan(NOW, WINDOWS, Some(final_day - 1), Some(final_day - 5));
        // The oldest raw event is in a day already rolled: it is not recomputed.
        assert_eq!(plan.days, vec![final_day]);
        assert_eq!(plan.rolled_through, Some(final_day));
        assert_eq!(plan.delete_events_before_ms, NOW - 45 * DAY_MS);
        assert_eq!(plan.delete_rollups_before_day, day_of(NOW - 395 * DAY_MS));
    }

    #[test]
    fn nothing_raw_left_means_every_final_day_is_rolled() {
        let final_day = last_final_day(NOW);
        let fresh = plan(NOW, WINDOWS, None, None);
        assert!(fresh.days.is_empty());
        assert_eq!(fresh.rolled_through, Some(final_day));
        // Events only in days not final yet: nothing to do but wait.
        let waiting = plan(NOW, WINDOWS, Some(final_day - 3), Some(final_day + 2));
        assert!(waiting.days.is_empty());
        assert_eq!(waiting.rolled_through, Some(final_day));
        let never = plan(NOW, WINDOWS, None, Some(final_day + 2));
        assert_eq!(never.rolled_through, None);
        assert_eq!(never.delete_events_before_ms, NOW - 395 * DAY_MS);
    }

    #[test]
    fn retention_wins_over_a_roll_up_that_lags() {
        // A backlog far behind: raw events past the retention go anyway.
        let plan = plan(NOW, WINDOWS, None, Some(day_of(NOW) - 500));
        assert_eq!(plan.delete_events_before_ms, NOW - 395 * DAY_MS);
        // A journey window longer than the retention is the retention.
        let long = super::plan(
            NOW,
            Windows {
                retention_days: 30,
                journey_days: 90,
            },
            Some(last_final_day(NOW)),
            None,
        );
        assert_eq!(long.delete_events_before_ms, NOW - 30 * DAY_MS);
    }

    #[test]
    fn roll_up_counts_views_visitors_landings_and_engagement_per_day_and_dimension() {
        let day = day_of(NOW);
        let at = day * DAY_MS;
        let view = |path, channel, visitor_key, ms| RawEvent {
            kind: "pageview",
            occurred_at_ms: ms,
            path,
            page_type: "product",
            channel,
            visitor_key,
            ..RawEvent::default()
        };
        let events = [
            view("/p", "email", "a", at + 1),
            view("/p", "email", "b", at + 2),
            view("/p", "email", "a", at + 3),
            view("/p", "", "a", at + 4),
            view("/p", "internal", "c", at + 5),
            view("/p", "", "", at + 6),
            RawEvent {
                kind: "engagement",
                engaged_ms: 1500,
                ..view("/p", "", "a", at + 7)
            },
            RawEvent {
                kind: "click",
                ..view("/p", "", "a", at + 8)
            },
            RawEvent {
                visitor_id: "v1",
                ..view("/p", "email", "a", at + DAY_MS)
            },
        ];
        let rows = roll_up(&events);
        let summary: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.day - day,
                    r.channel.as_str(),
                    r.views,
                    r.visitors,
                    r.landings,
                    r.engaged_ms,
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (0, "", 2, 1, 0, 1500),
                (0, "email", 3, 2, 3, 0),
                (0, "internal", 1, 1, 0, 0),
                (1, "email", 1, 1, 1, 0),
            ]
        );
    }

    #[test]
    fn a_period_reads_the_whole_rolled_days_from_roll_ups_and_the_rest_raw() {
        let today = day_of(NOW);
        // A period of 60 days from noon: day `today - 60` is partly in it.
        let from = NOW - 60 * DAY_MS;
        let rolled = today - 31;
        let split = period_sources(&Utc, from, Some(rolled));
        assert_eq!(split.rolled_days, Some((today - 59, rolled)));
        assert_eq!(split.raw_before_ms, (today - 59) * DAY_MS);
        assert_eq!(split.raw_from_ms, (rolled + 1) * DAY_MS);
        // Every instant of the period is read once: raw, or in a rolled day.
        for at in [
            from,
            from + 1,
            (today - 59) * DAY_MS - 1,
            (today - 59) * DAY_MS,
            (rolled + 1) * DAY_MS - 1,
            (rolled + 1) * DAY_MS,
            NOW,
        ] {
            let raw = at >= from && (at < split.raw_before_ms || at >= split.raw_from_ms);
            let in_rollup = split
                .rolled_days
                .is_some_and(|(first, last)| (first..=last).contains(&day_of(at)));
            assert!(raw != in_rollup, "{at}");
        }
        // From midnight, that day is whole.
        let midnight = (today - 40) * DAY_MS;
        assert_eq!(
            period_sources(&Utc, midnight, Some(rolled)).rolled_days,
            Some((today - 40, rolled))
        );
        assert_eq!(
            period_sources(&Utc, midnight, Some(rolled)).raw_before_ms,
            midnight
        );
    }

    #[test]
    fn a_period_after_the_rolled_days_or_without_any_is_read_raw() {
        let from = NOW - 10 * DAY_MS;
        let raw = PeriodSources {
            raw_before_ms: from,
            raw_from_ms: from,
            rolled_days: None,
        };
        assert_eq!(period_sources(&Utc, from, None), raw);
        assert_eq!(period_sources(&Utc, from, Some(day_of(NOW) - 31)), raw);
        // The rolled day the period starts in is only partly in it: raw.
        assert_eq!(period_sources(&Utc, from, Some(day_of(from))), raw);
    }

    fn zone(name: &str) -> chrono_tz::Tz {
        use crate::domain::zone::TimeZones;
        crate::domain::zone::Tzdb
            .zone(name)
            .unwrap_or(chrono_tz::Tz::UTC)
    }

    #[test]
    fn a_day_in_a_time_zone_runs_from_its_local_midnight_to_the_next() {
        let today = day_of(NOW);
        for day in today - 400..today + 400 {
            assert_eq!(day_start_in(&Utc, day), day * DAY_MS);
            assert_eq!(day_in(&Utc, day * DAY_MS), day);
        }
        // Santiago skips its midnight when summer time begins: the day starts at 01:00.
        for name in [
            "Europe/Berlin",
            "Asia/Tokyo",
            "America/New_York",
            "America/Santiago",
            "Australia/Lord_Howe",
        ] {
            let tz = zone(name);
            for day in today - 800..today + 400 {
                let start = day_start_in(&tz, day);
                assert_eq!(day_in(&tz, start), day, "{name} {day}");
                assert_eq!(day_in(&tz, start - 1), day - 1, "{name} {day}");
            }
        }
        // Tokyo: 09:00 UTC is 18:00 there; 15:00 UTC is the next day's midnight.
        let tokyo = zone("Asia/Tokyo");
        assert_eq!(day_in(&tokyo, today * DAY_MS + 9 * 3_600_000), today);
        assert_eq!(
            day_start_in(&tokyo, today + 1),
            today * DAY_MS + 15 * 3_600_000
        );
        // Berlin's summer-time days are 23 and 25 hours long (2026-03-29, 2026-10-25).
        let berlin = zone("Europe/Berlin");
        let march_29 = day_of(1_774_742_400_000);
        let october_25 = day_of(1_792_886_400_000);
        let length = |day| day_start_in(&berlin, day + 1) - day_start_in(&berlin, day);
        assert_eq!(length(march_29), 23 * 3_600_000);
        assert_eq!(length(october_25), 25 * 3_600_000);
        assert_eq!(length(march_29 + 1), DAY_MS);
    }

    #[test]
    fn roll_ups_and_periods_follow_the_site_time_zone() {
        let tokyo = zone("Asia/Tokyo");
        let nine_hours = 9 * 3_600_000;
        // The final day and the raw events kept: Tokyo's days, not UTC's.
        let final_day = last_final_day_in(&tokyo, NOW);
        assert_eq!(
            final_day,
            day_in(&tokyo, NOW - MAX_AGE_MS - STORE_MARGIN_MS) - 1
        );
        let plan = plan_in(
            &tokyo,
            NOW,
            WINDOWS,
            Some(final_day - 1),
            Some(final_day - 5),
        );
        assert_eq!(plan.days, vec![final_day]);
        // Raw events go at the end of the last rolled Tokyo day, not UTC's.
        let short = plan_in(
            &tokyo,
            NOW,
            Windows {
                retention_days: 395,
                journey_days: 1,
            },
            Some(final_day),
            None,
        );
        assert_eq!(
            short.delete_events_before_ms,
            (final_day + 1) * DAY_MS - nine_hours
        );
        // A period from noon UTC (21:00 in Tokyo): its first whole Tokyo day
        // begins at 15:00 UTC, and the rolled days end at a Tokyo midnight.
        let from = NOW - 60 * DAY_MS;
        let split = period_sources(&tokyo, from, Some(final_day));
        let first = day_in(&tokyo, from) + 1;
        assert_eq!(split.rolled_days, Some((first, final_day)));
        assert_eq!(split.raw_before_ms, first * DAY_MS - nine_hours);
        assert_eq!(split.raw_from_ms, (final_day + 1) * DAY_MS - nine_hours);
        assert_eq!(split.raw_before_ms - from, 3 * 3_600_000);
    }
}
