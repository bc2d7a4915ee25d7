//! Office hours: whether a team is open at an instant, when it closes, and when
//! it next opens. Hours are written in the site's IANA time zone, so 09:00 stays
//! 09:00 across daylight-saving changes; times that a change skips are moved to
//! the first instant that exists, and times it repeats resolve to the earlier one.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::rollup::{day_of, DAY_MS};
use super::zone::{self, TimeZones, Zone};

/// How far ahead `next_opening` looks before saying "not scheduled".
const HORIZON_DAYS: i64 = 400;
/// The most opening intervals a week may have (eight a day), and closures a
/// team may list: every availability answer reads them.
pub const MAX_INTERVALS: usize = 56;
pub const MAX_CLOSURES: usize = 100;
/// The longest reason a closure may give (characters), shown to visitors.
pub const MAX_REASON_CHARS: usize = 120;

/// A team's weekly schedule and closures, in one time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeHours {
    /// IANA time zone name, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// Opening intervals per weekday.
    #[serde(default)]
    pub weekly: Vec<Interval>,
    /// Dates (local, inclusive) when the team is closed all day.
    #[serde(default)]
    pub closures: Vec<Closure>,
}

/// One opening interval on a weekday, local times `HH:MM` (`close` may be `24:00`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interval {
    /// `mon`, `tue`, `wed`, `thu`, `fri`, `sat` or `sun`.
    pub day: String,
    pub open: String,
    pub close: String,
}

/// A closure such as a public holiday: `from` to `to`, local dates `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub reason: String,
}

/// Why office hours could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    #[error("unknown time zone {0:?} (use an IANA name such as Europe/Berlin)")]
    UnknownTimeZone(String),
    #[error("unknown weekday {0:?} (use mon, tue, wed, thu, fri, sat or sun)")]
    UnknownDay(String),
    #[error("invalid time {0:?} (use HH:MM, 00:00 to 24:00)")]
    InvalidTime(String),
    #[error("interval {open}–{close} closes before it opens")]
    EmptyInterval { open: String, close: String },
    #[error("invalid date {0:?} (use YYYY-MM-DD)")]
    InvalidDate(String),
    #[error("too many intervals or closures (at most 56 intervals a week and 100 closures)")]
    TooMany,
    #[error("closure {from}–{to} ends before it begins")]
    BackwardClosure { from: String, to: String },
    #[error("a closure's reason must be at most 120 characters, without control or invisible characters")]
    InvalidReason,
}

/// Whether the team is open at an instant, and the next change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Availability {
    pub open: bool,
    /// When open: the end of the current interval (ms since the epoch, UTC).
    pub closes_at: Option<i64>,
    /// When closed: the next opening (ms since the epoch, UTC); `None` when
    /// nothing is scheduled within the horizon.
    pub next_opening: Option<i64>,
}

/// A validated schedule, ready to answer questions.
#[derive(Debug, Clone)]
pub struct Schedule<Z> {
    zone: Z,
    /// Per weekday (Monday = 0): (open, close) minutes after local midnight.
    days: [Vec<(u32, u32)>; 7],
    closures: Vec<(NaiveDate, NaiveDate)>,
}

impl OfficeHours {
    /// Checks hours before they are stored: every field as `schedule` does,
    /// and what a schedule would only skip: limits, closures that end before
    /// they begin, and reasons a visitor could not read as written. (Stored
    /// hours are read by `schedule` alone, so hours kept before a check
    /// existed still answer.)
    pub fn check(&self) -> Result<(), HoursError> {
        self.schedule(&super::zone::KnownNames)?;
        if self.weekly.len() > MAX_INTERVALS || self.closures.len() > MAX_CLOSURES {
            return Err(HoursError::TooMany);
        }
        // Written as the API documents it ("mon"); a schedule reads "Mon" too.
        if let Some(interval) = self
            .weekly
            .iter()
            .find(|i| i.day.bytes().any(|b| b.is_ascii_uppercase()))
        {
            return Err(HoursError::UnknownDay(interval.day.clone()));
        }
        for closure in &self.closures {
            if closure.to < closure.from {
                return Err(HoursError::BackwardClosure {
                    from: closure.from.clone(),
                    to: closure.to.clone(),
                });
            }
            let unreadable = |c: char| c.is_control() || super::text::draws_nothing(c);
            if closure.reason.chars().count() > MAX_REASON_CHARS
                || closure.reason.contains(unreadable)
            {
                return Err(HoursError::InvalidReason);
            }
        }
        Ok(())
    }

    /// The reason shown to visitors beside "closed": that of the closure
    /// covering `today` (the team's local date), or else of the first one
    /// that takes a working day before the team reopens (`reopens`, its
    /// local date), as a break starting tomorrow is why a team closed
    /// tonight is back in four weeks, not tomorrow (a holiday on a weekend
    /// the team does not work is not). `None` when no closure with a reason
    /// does.
    pub fn closure_reason(&self, today: NaiveDate, reopens: Option<NaiveDate>) -> Option<&str> {
        // `YYYY-MM-DD`, as closures are written (chrono's `format` cost the
        // worker 6 KB).
        let date =
            |day: NaiveDate| format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day());
        let (today, reopens_on) = (date(today), reopens);
        let reopens = reopens.map(date);
        let with_reason = || self.closures.iter().filter(|c| !c.reason.is_empty());
        with_reason()
            .find(|c| c.from <= today && today <= c.to)
            .or_else(|| {
                let reopens = reopens?;
                with_reason()
                    .filter(|c| today < c.from && c.from < reopens)
                    .filter(|c| reopens_on.is_some_and(|on| self.works_within(c, on)))
                    .min_by(|a, b| a.from.cmp(&b.from))
            })
            .map(|c| c.reason.as_str())
    }

    /// Whether the team works (has weekly hours) on a day of `closure`
    /// before `reopens`: a week of it at most tells.
    fn works_within(&self, closure: &Closure, reopens: NaiveDate) -> bool {
        let (Ok(from), Ok(to)) = (date(&closure.from), date(&closure.to)) else {
            return false;
        };
        let mut day = from;
        for _ in 0..7 {
            if day > to || day >= reopens {
                return false;
            }
            let weekday = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                [day.weekday().num_days_from_monday() as usize];
            if self
                .weekly
                .iter()
                .any(|i| i.day.eq_ignore_ascii_case(weekday))
            {
                return true;
            }
            let Some(next) = day.succ_opt() else {
                return false;
            };
            day = next;
        }
        false
    }

    /// Checks every field and builds the schedule, its zone from `zones`.
    pub fn schedule<T: TimeZones>(&self, zones: &T) -> Result<Schedule<T::Zone>, HoursError> {
        let zone = zones
            .zone(&self.time_zone)
            .ok_or_else(|| HoursError::UnknownTimeZone(self.time_zone.clone()))?;
        self.schedule_in(zone)
    }

    /// Checks every field and builds the schedule in a zone looked up
    /// already (a site's teams share one).
    pub fn schedule_in<Z>(&self, zone: Z) -> Result<Schedule<Z>, HoursError> {
        let mut days: [Vec<(u32, u32)>; 7] = Default::default();
        for interval in &self.weekly {
            let day = weekday_index(&interval.day)?;
            let open = minutes(&interval.open)?;
            let close = minutes(&interval.close)?;
            if close <= open {
                return Err(HoursError::EmptyInterval {
                    open: interval.open.clone(),
                    close: interval.close.clone(),
                });
            }
            days[day].push((open, close));
        }
        for day in &mut days {
            // Touching or overlapping intervals are one opening (09–12 and
            // 12–17 close at 17).
            day.sort_unstable();
            day.dedup_by(|later, earlier| {
                let joins = later.0 <= earlier.1;
                if joins {
                    earlier.1 = earlier.1.max(later.1);
                }
                joins
            });
        }
        let closures = self
            .closures
            .iter()
            .map(|c| Ok((date(&c.from)?, date(&c.to)?)))
            .collect::<Result<Vec<_>, HoursError>>()?;
        Ok(Schedule {
            zone,
            days,
            closures,
        })
    }
}

impl<Z: Zone> Schedule<Z> {
    /// Open or closed at `now_ms`, with the next change.
    pub fn availability(&self, now_ms: i64) -> Availability {
        let Some(today) = date_of_day(day_of(zone::local_ms(&self.zone, now_ms))) else {
            return Availability {
                open: false,
                closes_at: None,
                next_opening: None,
            };
        };
        // Start a day early: an interval that began yesterday may still be open.
        for offset in -1..=HORIZON_DAYS {
            let day = today + Duration::days(offset);
            if self.closed_on(day) {
                continue;
            }
            let weekday = day.weekday().num_days_from_monday() as usize;
            for &(open, close) in &self.days[weekday] {
                let start = self.instant(day, open);
                let end = self.instant(day, close);
                if end <= start {
                    // Wholly in a gap a clock change skipped: it never opens.
                    continue;
                }
                if start <= now_ms && now_ms < end {
                    return Availability {
                        open: true,
                        closes_at: self.extend_through_adjacent(day, close, end),
                        next_opening: None,
                    };
                }
                if start > now_ms {
                    return Availability {
                        open: false,
                        closes_at: None,
                        next_opening: Some(start),
                    };
                }
            }
        }
        Availability {
            open: false,
            closes_at: None,
            next_opening: None,
        }
    }

    /// The team's local date at `now_ms`.
    pub fn local_date(&self, now_ms: i64) -> Option<NaiveDate> {
        date_of_day(day_of(zone::local_ms(&self.zone, now_ms)))
    }

    /// How long the team is open within `[from, to)`, in ms, counted up to
    /// `enough` (a caller asking "at least 15 minutes?" need not walk a
    /// month): a callback window is a promise only for the part someone
    /// works in.
    pub fn open_ms_within(&self, from: i64, to: i64, enough: i64) -> i64 {
        let (mut at, mut open) = (from, 0);
        // Each step passes one opening or one gap: a window of 30 days
        // holds at most 30 × 8 intervals with the closings between them.
        for _ in 0..(2 * 31 * 8) {
            if at >= to || open >= enough {
                break;
            }
            let state = self.availability(at);
            let next = if state.open {
                let end = state.closes_at.map_or(to, |close| close.min(to));
                open += end - at;
                end
            } else {
                match state.next_opening {
                    Some(opening) if opening < to => opening,
                    _ => break,
                }
            };
            if next <= at {
                break;
            }
            at = next;
        }
        open
    }

    /// An interval ending at 24:00 that continues at 00:00 the next day is one
    /// opening for the visitor: report the later close. Open through a whole
    /// week without a break (round the clock): `None`, no closing to tell.
    fn extend_through_adjacent(&self, day: NaiveDate, close: u32, end: i64) -> Option<i64> {
        let mut day = day;
        let mut close = close;
        let mut end = end;
        for _ in 0..7 {
            if close != 24 * 60 {
                return Some(end);
            }
            let next = day + Duration::days(1);
            if self.closed_on(next) {
                return Some(end);
            }
            let weekday = next.weekday().num_days_from_monday() as usize;
            match self.days[weekday].first() {
                Some(&(0, next_close)) => {
                    day = next;
                    close = next_close;
                    end = self.instant(next, next_close);
                }
                _ => return Some(end),
            }
        }
        (close != 24 * 60).then_some(end)
    }

    fn closed_on(&self, day: NaiveDate) -> bool {
        self.closures
            .iter()
            .any(|&(from, to)| from <= day && day <= to)
    }

    /// The UTC instant (ms) of local `minutes` after midnight on `day` (a
    /// time a daylight-saving change skips: the first instant after the gap;
    /// one it repeats: the earlier).
    fn instant(&self, day: NaiveDate, minutes: u32) -> i64 {
        let local = days_of_date(day) * DAY_MS + i64::from(minutes) * 60_000;
        zone::earliest_at(&self.zone, local)
    }
}

/// Days from 0001-01-01 (chrono's count) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// The date `day` days after 1970-01-01.
fn date_of_day(day: i64) -> Option<NaiveDate> {
    i32::try_from(day + UNIX_EPOCH_DAYS_FROM_CE)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// Days from 1970-01-01 to `date`.
fn days_of_date(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - UNIX_EPOCH_DAYS_FROM_CE
}

fn weekday_index(day: &str) -> Result<usize, HoursError> {
    let index = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .position(|d| d.eq_ignore_ascii_case(day))
        .ok_or_else(|| HoursError::UnknownDay(day.to_owned()))?;
    Ok(index)
}

fn minutes(text: &str) -> Result<u32, HoursError> {
    let invalid = || HoursError::InvalidTime(text.to_owned());
    let (h, m) = text.split_once(':').ok_or_else(invalid)?;
    // Exactly two ASCII digits each (`parse` alone would take "+1").
    let two_digits = |part: &str| part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(h) || !two_digits(m) {
        return Err(invalid());
    }
    let h: u32 = h.parse().map_err(|_| invalid())?;
    let m: u32 = m.parse().map_err(|_| invalid())?;
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return Err(invalid());
    }
    Ok(h * 60 + m)
}

fn date(text: &str) -> Result<NaiveDate, HoursError> {
    // Exactly YYYY-MM-DD: chrono alone also takes "2026-1-5" or "+2026-01-05".
    let shape = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape {
        return Err(HoursError::InvalidDate(text.to_owned()));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| HoursError::InvalidDate(text.to_owned()))
}

#[cfg(all(test, feature = "tzdb"))]
mod tests {
    use super::*;
    use crate::domain::zone::tests::utc_ms;

    /// The same hours on each of `days`.
    fn on_days(tz: &str, days: &[&str], open: &str, close: &str) -> OfficeHours {
        OfficeHours {
            time_zone: tz.into(),
            weekly: days
                .iter()
                .map(|d| Interval {
                    day: (*d).into(),
                    open: open.into(),
                    close: close.into(),
                })
                .collect(),
            closures: vec![],
        }
    }

    fn weekdays(tz: &str, open: &str, close: &str) -> OfficeHours {
        on_days(tz, &["mon", "tue", "wed", "thu", "fri"], open, close)
    }

    fn every_day(tz: &str, open: &str, close: &str) -> OfficeHours {
        on_days(
            tz,
            &["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            open,
            close,
        )
    }

    fn at(hours: &OfficeHours, instant: &str) -> Availability {
        match hours.schedule(&super::zone::Tzdb) {
            Ok(schedule) => schedule.availability(utc_ms(instant)),
            Err(e) => unreachable!("{e}"),
        }
    }

    #[test]
    fn open_and_closed_in_winter_and_summer_time() {
        let berlin = weekdays("Europe/Berlin", "09:00", "17:00");
        // Winter (CET, UTC+1): 09:00 local is 08:00 UTC.
        let a = at(&berlin, "2026-01-14T08:30:00Z");
        assert!(a.open);
        assert_eq!(a.closes_at, Some(utc_ms("2026-01-14T16:00:00Z")));
        assert!(!at(&berlin, "2026-01-14T07:59:00Z").open);
        // Summer (CEST, UTC+2): 09:00 local is 07:00 UTC.
        assert!(at(&berlin, "2026-07-15T07:00:00Z").open);
        assert!(!at(&berlin, "2026-07-15T15:00:00Z").open);
    }

    #[test]
    fn the_open_time_within_a_window_counts_only_working_hours() {
        let mut berlin = weekdays("Europe/Berlin", "09:00", "17:00");
        berlin.closures.push(Closure {
            from: "2026-01-16".into(),
            to: "2026-01-16".into(),
            reason: String::new(),
        });
        let Ok(schedule) = berlin.schedule(&super::zone::Tzdb) else {
            unreachable!()
        };
        let within =
            |from: &str, to: &str| schedule.open_ms_within(utc_ms(from), utc_ms(to), i64::MAX);
        let hour = 3_600_000;
        // Wednesday 07:00–10:00 UTC is 08:00–11:00 CET: two hours open.
        assert_eq!(
            within("2026-01-14T07:00:00Z", "2026-01-14T10:00:00Z"),
            2 * hour
        );
        // Thursday noon to Monday noon: the rest of Thursday, Friday is a
        // closure, the weekend is shut, then Monday's morning.
        assert_eq!(
            within("2026-01-15T11:00:00Z", "2026-01-19T11:00:00Z"),
            8 * hour
        );
        // The team's own date: 23:30 UTC on the 14th is the 15th in Berlin.
        assert_eq!(
            schedule.local_date(utc_ms("2026-01-14T23:30:00Z")),
            NaiveDate::from_ymd_opt(2026, 1, 15)
        );
        // A Sunday night and the closure: nothing.
        assert_eq!(within("2026-01-18T01:00:00Z", "2026-01-18T03:00:00Z"), 0);
        assert_eq!(within("2026-01-16T08:00:00Z", "2026-01-16T16:00:00Z"), 0);
        // Round the clock: the whole window; an empty or backward one: 0.
        let Ok(always) = every_day("UTC", "00:00", "24:00").schedule(&super::zone::Tzdb) else {
            unreachable!()
        };
        let (from, to) = (
            utc_ms("2026-01-14T07:00:00Z"),
            utc_ms("2026-01-24T07:00:00Z"),
        );
        assert_eq!(always.open_ms_within(from, to, i64::MAX), to - from);
        assert_eq!(always.open_ms_within(to, from, i64::MAX), 0);
        // Counting stops once enough is found: the first interval's whole.
        assert_eq!(always.open_ms_within(from, to, hour), to - from);
        // Every day of a 30-day window: bounded, and all of it counted.
        let daily = every_day("Europe/Berlin", "09:00", "17:00");
        let Ok(daily) = daily.schedule(&super::zone::Tzdb) else {
            unreachable!()
        };
        let (first, last) = (
            utc_ms("2026-01-01T00:00:00Z"),
            utc_ms("2026-01-31T00:00:00Z"),
        );
        assert_eq!(daily.open_ms_within(first, last, i64::MAX), 30 * 8 * hour);
        // Asked for 15 minutes, it stops after the first day's opening.
        assert_eq!(daily.open_ms_within(first, last, 15 * 60_000), 8 * hour);
    }

    #[test]
    fn a_closure_going_on_today_gives_its_reason() {
        let closure = |from: &str, to: &str, reason: &str| Closure {
            from: from.into(),
            to: to.into(),
            reason: reason.into(),
        };
        let mut hours = weekdays("Europe/Berlin", "09:00", "17:00");
        hours.closures = vec![
            closure("2026-12-01", "2026-12-02", "Inventory"),
            closure("2026-12-20", "2027-01-03", ""),
            closure("2026-12-24", "2026-12-26", "Winter break"),
        ];
        let on =
            |y, m, d| NaiveDate::from_ymd_opt(y, m, d).map(|day| hours.closure_reason(day, None));
        assert_eq!(on(2026, 12, 1), Some(Some("Inventory")));
        assert_eq!(on(2026, 12, 2), Some(Some("Inventory")));
        assert_eq!(on(2026, 12, 3), Some(None));
        // A closure without a reason says nothing; one inside it does.
        assert_eq!(on(2026, 12, 21), Some(None));
        assert_eq!(on(2026, 12, 26), Some(Some("Winter break")));
        assert_eq!(on(2027, 1, 3), Some(None));
        // Closed tonight, back only after a break that starts tomorrow: that
        // break's reason (an outside audit saw none); closed tonight and back
        // tomorrow, a break after that is not the reason.
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d);
        assert_eq!(
            hours.closure_reason(day(23).unwrap(), NaiveDate::from_ymd_opt(2027, 1, 4)),
            Some("Winter break")
        );
        assert_eq!(hours.closure_reason(day(22).unwrap(), day(23)), None);
        assert_eq!(
            hours.closure_reason(day(23).unwrap(), day(24)),
            None,
            "back on the break's first day: not its reason"
        );
        assert_eq!(
            hours.closure_reason(day(23).unwrap(), None),
            None,
            "not scheduled: nothing to explain by"
        );
        // A holiday on a Saturday the team does not work is not why it is
        // closed from Friday evening until Monday (2026-12-04 is a Friday).
        hours
            .closures
            .push(closure("2026-12-05", "2026-12-05", "Open day"));
        assert_eq!(hours.closure_reason(day(4).unwrap(), day(7)), None);
        // Two ahead: the first to start.
        hours
            .closures
            .push(closure("2026-12-28", "2026-12-30", "Stocktaking"));
        assert_eq!(
            hours.closure_reason(day(23).unwrap(), NaiveDate::from_ymd_opt(2027, 1, 4)),
            Some("Winter break")
        );
        assert_eq!(
            hours.closure_reason(day(27).unwrap(), NaiveDate::from_ymd_opt(2027, 1, 4)),
            Some("Stocktaking")
        );
    }

    #[test]
    fn next_opening_across_a_weekend_with_the_spring_change() {
        // Europe moves its clocks forward on Sunday 2026-03-29.
        let berlin = weekdays("Europe/Berlin", "09:00", "17:00");
        let friday_evening = at(&berlin, "2026-03-27T17:00:00Z"); // 18:00 CET
        assert!(!friday_evening.open);
        assert_eq!(
            friday_evening.next_opening,
            Some(utc_ms("2026-03-30T07:00:00Z")) // Monday 09:00 CEST
        );
    }

    #[test]
    fn next_opening_across_the_autumn_change() {
        // New York falls back on Sunday 2026-11-01.
        let new_york = weekdays("America/New_York", "08:30", "18:00");
        let a = at(&new_york, "2026-10-30T22:30:00Z"); // Friday 18:30 EDT
        assert_eq!(a.next_opening, Some(utc_ms("2026-11-02T13:30:00Z"))); // 08:30 EST
    }

    #[test]
    fn skipped_and_repeated_local_times() {
        // 02:30 does not exist in Berlin on 2026-03-29; it repeats on 2026-10-25.
        let night = OfficeHours {
            time_zone: "Europe/Berlin".into(),
            weekly: vec![Interval {
                day: "sun".into(),
                open: "02:30".into(),
                close: "04:00".into(),
            }],
            closures: vec![],
        };
        let spring = at(&night, "2026-03-29T00:00:00Z");
        assert_eq!(spring.next_opening, Some(utc_ms("2026-03-29T01:00:00Z"))); // 03:00 CEST
        let autumn = at(&night, "2026-10-25T00:00:00Z");
        assert_eq!(autumn.next_opening, Some(utc_ms("2026-10-25T00:30:00Z"))); // first 02:30 (CEST)
    }

    #[test]
    fn a_week_holds_at_most_56_intervals_and_100_closures() {
        let mut hours = weekdays("Europe/Berlin", "09:00", "10:00");
        let interval = hours.weekly[0].clone();
        hours.weekly = vec![interval; MAX_INTERVALS];
        assert_eq!(hours.check(), Ok(()));
        hours.weekly.push(hours.weekly[0].clone());
        assert_eq!(hours.check(), Err(HoursError::TooMany));
        // Stored before the limit, they are still read.
        assert!(hours.schedule(&super::zone::Tzdb).is_ok());
        hours.weekly.pop();
        let closure = Closure {
            from: "2026-12-24".into(),
            to: "2026-12-26".into(),
            reason: String::new(),
        };
        hours.closures = vec![closure.clone(); MAX_CLOSURES + 1];
        assert_eq!(hours.check(), Err(HoursError::TooMany));
        hours.closures = vec![Closure {
            from: "2027-01-05".into(),
            to: "2027-01-01".into(),
            reason: String::new(),
        }];
        assert!(matches!(
            hours.check(),
            Err(HoursError::BackwardClosure { .. })
        ));
        for reason in ["x".repeat(121), "Inventory\u{202e}".into(), "a\0b".into()] {
            hours.closures = vec![Closure {
                reason,
                ..closure.clone()
            }];
            assert_eq!(hours.check(), Err(HoursError::InvalidReason));
        }
        hours.closures = vec![Closure {
            reason: "Inventaire d’hiver".into(),
            ..closure
        }];
        assert_eq!(hours.check(), Ok(()));
        // Days as documented, lower case (stored "Mon" still reads).
        hours.weekly = vec![Interval {
            day: "MON".into(),
            open: "09:00".into(),
            close: "17:00".into(),
        }];
        assert_eq!(hours.check(), Err(HoursError::UnknownDay("MON".into())));
        assert!(hours.schedule(&super::zone::Tzdb).is_ok());
    }

    #[test]
    fn touching_and_overlapping_intervals_are_one_opening() {
        let hours = |weekly: &[(&str, &str, &str)]| OfficeHours {
            time_zone: "UTC".into(),
            weekly: weekly
                .iter()
                .map(|&(day, open, close)| Interval {
                    day: day.into(),
                    open: open.into(),
                    close: close.into(),
                })
                .collect(),
            closures: vec![],
        };
        // Sunday 2026-12-06, 17:44 UTC.
        let now = "2026-12-06T17:44:00Z";
        let touching = hours(&[("sun", "17:00", "18:00"), ("sun", "18:00", "19:00")]);
        assert_eq!(
            at(&touching, now).closes_at,
            Some(utc_ms("2026-12-06T19:00:00Z"))
        );
        let overlapping = hours(&[("sun", "17:30", "20:00"), ("sun", "17:00", "18:00")]);
        assert_eq!(
            at(&overlapping, now).closes_at,
            Some(utc_ms("2026-12-06T20:00:00Z"))
        );
        let overnight = hours(&[
            ("sun", "17:00", "24:00"),
            ("mon", "00:00", "01:00"),
            ("mon", "01:00", "05:00"),
        ]);
        assert_eq!(
            at(&overnight, now).closes_at,
            Some(utc_ms("2026-12-07T05:00:00Z"))
        );
        let nested = hours(&[
            ("sun", "17:00", "24:00"),
            ("mon", "00:00", "01:00"),
            ("mon", "00:00", "05:00"),
        ]);
        assert_eq!(
            at(&nested, now).closes_at,
            Some(utc_ms("2026-12-07T05:00:00Z"))
        );
        // Round the clock with one closed day ahead: it closes when that day begins.
        let mut holiday = every_day("UTC", "00:00", "24:00");
        holiday.closures = vec![Closure {
            from: "2026-12-09".into(),
            to: "2026-12-09".into(),
            reason: String::new(),
        }];
        assert_eq!(
            at(&holiday, now).closes_at,
            Some(utc_ms("2026-12-09T00:00:00Z"))
        );
    }

    #[test]
    fn hours_a_clock_change_skips_whole_never_open() {
        // 02:00–02:45 on Sunday 2026-03-29 never happens in Berlin: the next
        // opening is a week later (02:00 CEST, 00:00 UTC), not the change.
        let skipped = OfficeHours {
            time_zone: "Europe/Berlin".into(),
            weekly: vec![Interval {
                day: "sun".into(),
                open: "02:00".into(),
                close: "02:45".into(),
            }],
            closures: vec![],
        };
        let saturday = at(&skipped, "2026-03-28T20:00:00Z");
        assert_eq!(saturday.next_opening, Some(utc_ms("2026-04-05T00:00:00Z")));
        // Samoa skipped 2011-12-30: a team open every day 09–17 opens next on
        // the 31st at 09:00 (19:00 UTC on the 30th), not at the skipped midnight.
        let apia = every_day("Pacific/Apia", "09:00", "17:00");
        let skipped_day = at(&apia, "2011-12-30T06:00:00Z");
        assert_eq!(
            skipped_day.next_opening,
            Some(utc_ms("2011-12-30T19:00:00Z"))
        );
    }

    #[test]
    fn southern_hemisphere_and_half_hour_zones() {
        // Auckland is on daylight time in January (UTC+13).
        let auckland = weekdays("Pacific/Auckland", "09:00", "17:00");
        assert!(at(&auckland, "2026-01-13T20:00:00Z").open); // Wed 09:00 NZDT
        assert!(!at(&auckland, "2026-01-13T19:59:00Z").open);
        let kolkata = weekdays("Asia/Kolkata", "10:00", "19:00");
        assert_eq!(
            at(&kolkata, "2026-05-01T14:00:00Z").next_opening, // Fri 19:30 IST
            Some(utc_ms("2026-05-04T04:30:00Z"))               // Mon 10:00 IST
        );
    }

    #[test]
    fn closures_skip_whole_days() {
        let mut berlin = weekdays("Europe/Berlin", "09:00", "17:00");
        berlin.closures.push(Closure {
            from: "2026-12-24".into(),
            to: "2026-12-26".into(),
            reason: "Christmas".into(),
        });
        let a = at(&berlin, "2026-12-24T09:00:00Z"); // Thursday 10:00, closed
        assert!(!a.open);
        assert_eq!(a.next_opening, Some(utc_ms("2026-12-28T08:00:00Z"))); // Monday
    }

    #[test]
    fn overnight_and_round_the_clock_hours() {
        let all_week = every_day("UTC", "00:00", "24:00");
        let a = at(&all_week, "2026-06-01T12:00:00Z");
        assert!(a.open);
        // Round the clock: no closing to announce.
        assert_eq!(a.closes_at, None);
        let empty = OfficeHours {
            time_zone: "UTC".into(),
            weekly: vec![],
            closures: vec![],
        };
        assert_eq!(
            at(&empty, "2026-06-01T12:00:00Z"),
            Availability {
                open: false,
                closes_at: None,
                next_opening: None
            }
        );
    }

    #[test]
    fn bad_schedules_are_explained() {
        let mut hours = weekdays("Mars/Olympus", "09:00", "17:00");
        assert_eq!(
            hours.schedule(&super::zone::Tzdb).err(),
            Some(HoursError::UnknownTimeZone("Mars/Olympus".into()))
        );
        hours.time_zone = "UTC".into();
        hours.weekly[0].close = "08:00".into();
        assert!(matches!(
            hours.schedule(&super::zone::Tzdb),
            Err(HoursError::EmptyInterval { .. })
        ));
        hours.weekly[0].close = "25:00".into();
        assert!(matches!(
            hours.schedule(&super::zone::Tzdb),
            Err(HoursError::InvalidTime(_))
        ));
        hours.weekly[0].close = "17:00".into();
        hours.weekly[0].day = "monday".into();
        assert!(matches!(
            hours.schedule(&super::zone::Tzdb),
            Err(HoursError::UnknownDay(_))
        ));
    }

    #[test]
    fn times_and_dates_take_exactly_the_documented_shape() {
        // openapi.json documents HH:MM and YYYY-MM-DD; what parses loosely
        // ("+1", one-digit months) is refused like anything else off-shape.
        assert_eq!(minutes("09:30"), Ok(570));
        assert_eq!(minutes("24:00"), Ok(1440));
        for bad in ["+1:00", "9:30", "09:3", "-1:00", "09:+3", "24:01"] {
            assert!(minutes(bad).is_err(), "{bad}");
        }
        assert!(date("2026-12-24").is_ok());
        for bad in [
            "2026-1-05",
            "+2026-01-05",
            "2026-01-5",
            "2026/01/05",
            "2026-02-30",
        ] {
            assert!(date(bad).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod documented_zones {
    /// openapi.json lists the time zones a site may use: exactly those the
    /// edge can schedule in (`zone::names`, chrono-tz's IANA names, matched
    /// exactly; `zone`'s tests compare them with chrono-tz).
    #[test]
    fn the_api_description_lists_exactly_the_zones_the_edge_knows() {
        let spec: serde_json::Value =
            serde_json::from_str(include_str!("../../openapi.json")).unwrap();
        let documented: Vec<&str> = spec["components"]["schemas"]["TimeZone"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|name| name.as_str().unwrap())
            .collect();
        let known: Vec<&str> = crate::domain::zone::names().collect();
        assert_eq!(documented, known);
        assert!(documented.contains(&"Europe/Berlin"));
    }
}
