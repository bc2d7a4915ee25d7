//! Time zones as the domain needs them. A zone is only its offset from UTC at
//! each instant; local days and wall-clock times are worked out here from
//! those offsets, so each build supplies the zone data it already has: the
//! edge the runtime's own (`Intl`, `edge::zones`), native builds chrono-tz
//! (feature `tzdb`), which the tests also use as the reference.

use super::hours::HoursError;

const DAY_MS: i64 = 86_400_000;

/// The IANA names a site may use, exactly as spelled (openapi.json's
/// `TimeZone` lists the same; a test keeps the three in step with chrono-tz).
const NAMES: &str = include_str!("zone/names.txt");

/// A time zone: how far its wall clock is from UTC at an instant.
pub trait Zone {
    /// Milliseconds to add to `utc_ms` (ms since the epoch) to read the wall
    /// clock there.
    fn offset_ms(&self, utc_ms: i64) -> i64;
}

/// Finds zones by IANA name.
pub trait TimeZones {
    type Zone: Zone;
    /// The zone called `name`, if it is one a site may use.
    fn zone(&self, name: &str) -> Option<Self::Zone>;
}

/// Coordinated Universal Time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utc;

impl Zone for Utc {
    fn offset_ms(&self, _utc_ms: i64) -> i64 {
        0
    }
}

/// Checks names only, every zone read as UTC: for validating settings, where
/// no instant is looked at.
#[derive(Debug, Clone, Copy)]
pub struct KnownNames;

impl TimeZones for KnownNames {
    type Zone = Utc;
    fn zone(&self, name: &str) -> Option<Utc> {
        is_known(name).then_some(Utc)
    }
}

/// The IANA names a site may use.
pub fn names() -> impl Iterator<Item = &'static str> {
    NAMES.lines()
}

/// Whether `name` is one of the IANA names a site may use (case matters).
pub fn is_known(name: &str) -> bool {
    names().any(|known| known == name)
}

/// `name` if a site may use it, or the error settings answer with.
pub fn check_name(name: &str) -> Result<(), HoursError> {
    if is_known(name) {
        Ok(())
    } else {
        Err(HoursError::UnknownTimeZone(name.to_owned()))
    }
}

/// The wall-clock time at `utc_ms` in `zone`, as ms since 1970-01-01 00:00 local.
pub fn local_ms(zone: &impl Zone, utc_ms: i64) -> i64 {
    utc_ms.saturating_add(zone.offset_ms(utc_ms))
}

/// The offsets in force from `from_ms` to `to_ms`, in order: each with the
/// instant it ends at (the last: `i64::MAX`). Changes are found a day at a
/// time, then to the millisecond, so a year costs about 370 lookups.
pub fn offsets_between(zone: &impl Zone, from_ms: i64, to_ms: i64) -> Vec<(i64, i64)> {
    let mut spans = Vec::new();
    let mut at = from_ms;
    let mut offset = zone.offset_ms(at);
    while at < to_ms {
        let next = at.saturating_add(DAY_MS).min(to_ms);
        let next_offset = zone.offset_ms(next);
        if next_offset != offset {
            spans.push((change_after(zone, at, next, offset), offset));
            offset = next_offset;
        }
        at = next;
    }
    spans.push((i64::MAX, offset));
    spans
}

/// The instant in (`old`, `new`] the offset stops being `offset`, to the
/// millisecond: `offset` is in force at `old` and not at `new`.
fn change_after(zone: &impl Zone, old: i64, new: i64, offset: i64) -> i64 {
    let (mut old, mut new) = (old, new);
    while new - old > 1 {
        let mid = old + (new - old) / 2;
        if zone.offset_ms(mid) == offset {
            old = mid;
        } else {
            new = mid;
        }
    }
    new
}

/// The first instant whose wall clock in `zone` reads `local_ms` or later:
/// the instant itself when the time exists once, the earlier of two when a
/// daylight-saving change repeats it, and the change itself (the first
/// instant after the gap) when a change skips it.
pub fn earliest_at(zone: &impl Zone, local_ms: i64) -> i64 {
    // The offsets in force on either side of any change near this time
    // (zones change at most once within two days).
    let before = zone.offset_ms(local_ms.saturating_sub(DAY_MS));
    let after = zone.offset_ms(local_ms.saturating_add(DAY_MS));
    let reads = |offset: i64| {
        let utc = local_ms.saturating_sub(offset);
        (zone.offset_ms(utc) == offset).then_some(utc)
    };
    if after == before {
        // No change near it: the time exists once.
        return local_ms.saturating_sub(before);
    }
    match (reads(before), reads(after)) {
        (Some(a), Some(b)) => a.min(b),
        (Some(utc), None) | (None, Some(utc)) => utc,
        (None, None) if after > before => {
            // Skipped: the change lies after `local − after` (still the old
            // offset) and at or before `local − before` (already the new one).
            change_after(zone, local_ms - after, local_ms - before, before)
        }
        (None, None) => local_ms.saturating_sub(before),
    }
}

/// chrono-tz's zones, for native builds and as the tests' reference.
#[cfg(feature = "tzdb")]
mod tzdb {
    use chrono::{Offset, TimeZone};

    impl super::Zone for chrono_tz::Tz {
        fn offset_ms(&self, utc_ms: i64) -> i64 {
            self.timestamp_millis_opt(utc_ms)
                .single()
                .map_or(0, |t| i64::from(t.offset().fix().local_minus_utc()) * 1000)
        }
    }

    /// chrono-tz's database of zones.
    #[derive(Debug, Clone, Copy)]
    pub struct Tzdb;

    impl super::TimeZones for Tzdb {
        type Zone = chrono_tz::Tz;
        fn zone(&self, name: &str) -> Option<chrono_tz::Tz> {
            super::is_known(name).then(|| name.parse().ok()).flatten()
        }
    }
}

#[cfg(feature = "tzdb")]
pub use tzdb::Tzdb;

#[cfg(all(test, feature = "tzdb"))]
pub(crate) mod tests {
    use super::*;
    use chrono::{NaiveDateTime, TimeZone};
    use proptest::prelude::*;

    /// An RFC 3339 instant as ms since the epoch (`i64::MIN` when it is
    /// not one, so a typo fails the test that uses it).
    pub(crate) fn utc_ms(text: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(text)
            .map(|t| t.timestamp_millis())
            .unwrap_or(i64::MIN)
    }

    fn tz(name: &str) -> chrono_tz::Tz {
        Tzdb.zone(name).unwrap_or(chrono_tz::Tz::UTC)
    }

    /// chrono's own answer for a wall-clock time: the instant, the earlier of
    /// two, or (skipped) the first whole second after that exists. Gaps run
    /// up to a whole day (Apia skipped 2011-12-30): the first minute that
    /// exists is found first, then the second within it.
    fn reference(zone: chrono_tz::Tz, local_ms: i64) -> i64 {
        let start = chrono::DateTime::from_timestamp_millis(local_ms)
            .map(|t| t.naive_utc())
            .unwrap_or(NaiveDateTime::MIN);
        let exists = |seconds: i64| {
            zone.from_local_datetime(&(start + chrono::Duration::seconds(seconds)))
                .earliest()
                .map(|t| t.timestamp_millis())
        };
        if let Some(utc) = exists(0) {
            return utc;
        }
        let Some(minute) = (1..=26 * 60).find(|m| exists(m * 60).is_some()) else {
            return i64::MIN;
        };
        (minute * 60 - 59..=minute * 60)
            .find_map(exists)
            .unwrap_or(i64::MIN)
    }

    #[test]
    fn offsets_over_a_period_end_where_the_clock_changes() {
        let berlin = tz("Europe/Berlin");
        let spans = offsets_between(
            &berlin,
            utc_ms("2026-01-01T00:00:00Z"),
            utc_ms("2026-12-31T00:00:00Z"),
        );
        assert_eq!(
            spans,
            vec![
                (utc_ms("2026-03-29T01:00:00Z"), 3_600_000),
                (utc_ms("2026-10-25T01:00:00Z"), 7_200_000),
                (i64::MAX, 3_600_000),
            ]
        );
        let tokyo = tz("Asia/Tokyo");
        assert_eq!(
            offsets_between(&tokyo, 0, 400 * DAY_MS),
            vec![(i64::MAX, 32_400_000)]
        );
        assert_eq!(offsets_between(&Utc, 5, 5), vec![(i64::MAX, 0)]);
    }

    #[test]
    fn whole_days_skipped_when_a_zone_crossed_the_date_line() {
        // Samoa went from UTC−10 to UTC+14 after 2011-12-29 23:59:59: the
        // 30th never happened there; the 31st began at 2011-12-30T10:00Z.
        let apia = tz("Pacific/Apia");
        let skipped = utc_ms("2011-12-30T12:00:00Z");
        assert_eq!(earliest_at(&apia, skipped), utc_ms("2011-12-30T10:00:00Z"));
        assert_eq!(reference(apia, skipped), utc_ms("2011-12-30T10:00:00Z"));
        // Kiritimati skipped 1994-12-31 (UTC−10 to UTC+14).
        let kiritimati = tz("Pacific/Kiritimati");
        let skipped = utc_ms("1994-12-31T09:00:00Z");
        assert_eq!(
            earliest_at(&kiritimati, skipped),
            reference(kiritimati, skipped)
        );
        assert_eq!(
            local_ms(&kiritimati, earliest_at(&kiritimati, skipped)),
            utc_ms("1995-01-01T00:00:00Z")
        );
    }

    #[test]
    fn the_names_are_chrono_tz_s_and_the_api_description_s() {
        let names: Vec<&str> = names().collect();
        let chrono: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
        assert_eq!(names, chrono);
        assert!(is_known("Europe/Berlin") && is_known("UTC"));
        for unknown in [
            "europe/berlin",
            "Europe/Berlin ",
            "",
            "+01:00",
            "Mars/Olympus",
        ] {
            assert!(!is_known(unknown), "{unknown:?}");
            assert!(Tzdb.zone(unknown).is_none() && KnownNames.zone(unknown).is_none());
        }
        assert!(check_name("Mars/Olympus").is_err());
    }

    #[test]
    fn wall_clock_times_around_daylight_saving_changes() {
        let berlin = tz("Europe/Berlin");
        // 2026-03-29 02:30 does not exist in Berlin: the clocks go 02:00 → 03:00 (01:00 UTC).
        let skipped = utc_ms("2026-03-29T02:30:00Z");
        assert_eq!(
            earliest_at(&berlin, skipped),
            utc_ms("2026-03-29T01:00:00Z")
        );
        // 2026-10-25 02:30 happens twice; the first is 00:30 UTC.
        assert_eq!(
            earliest_at(&berlin, utc_ms("2026-10-25T02:30:00Z")),
            utc_ms("2026-10-25T00:30:00Z")
        );
        assert_eq!(
            local_ms(&berlin, utc_ms("2026-07-01T10:00:00Z")),
            utc_ms("2026-07-01T12:00:00Z")
        );
        // Half-hour daylight saving (Lord Howe) and a quarter-hour zone.
        let lord_howe = tz("Australia/Lord_Howe");
        let kathmandu = tz("Asia/Kathmandu");
        for zone in [
            lord_howe,
            kathmandu,
            tz("America/Santiago"),
            tz("Pacific/Apia"),
        ] {
            for day in 0..800 {
                let local =
                    utc_ms("2025-01-01T00:00:00Z") + day * DAY_MS + 2 * 3_600_000 + 1_800_000;
                assert_eq!(
                    earliest_at(&zone, local),
                    reference(zone, local),
                    "{zone} {day}"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

        /// Every zone, any wall-clock time from 1970 to 2100 (to the second):
        /// the offsets alone find what chrono finds from its own rules.
        #[test]
        fn from_offsets_alone_as_chrono_finds_it(
            index in 0..chrono_tz::TZ_VARIANTS.len(),
            seconds in 0_i64..4_102_444_800,
        ) {
            let zone = chrono_tz::TZ_VARIANTS[index];
            let local = seconds * 1000;
            prop_assert_eq!(earliest_at(&zone, local), reference(zone, local));
            let utc = local;
            prop_assert_eq!(
                local_ms(&zone, utc),
                zone.timestamp_millis_opt(utc).single()
                    .map_or(i64::MIN, |t| t.naive_local().and_utc().timestamp_millis())
            );
        }

        /// Near the changes themselves, where a wrong side shows.
        #[test]
        fn around_each_change(index in 0..chrono_tz::TZ_VARIANTS.len(), year in 1970_i64..2040, second in 0_i64..(4 * 3600)) {
            let zone = chrono_tz::TZ_VARIANTS[index];
            // A change in the year (stepping days), found to the millisecond,
            // then wall-clock times from two hours before it to two after.
            let start = (year - 1970) * 365 * DAY_MS;
            let day = (0..366).map(|d| start + d * DAY_MS).find(|&t| zone.offset_ms(t) != zone.offset_ms(t + DAY_MS));
            if let Some(day) = day {
                let change = change_after(&zone, day, day + DAY_MS, zone.offset_ms(day));
                let probe = change + zone.offset_ms(day) - 2 * 3_600_000 + second * 1000;
                prop_assert_eq!(earliest_at(&zone, probe), reference(zone, probe));
            }
        }
    }
}
