//! The typical first-response time a team can honestly promise, measured over
//! its recent conversations. Conversations still waiting count too: each is a
//! lower bound on its own response time (a censored observation), so a team
//! that leaves people waiting cannot look fast by answering only the easy ones.
//! The median comes from the Kaplan–Meier estimate; with too few answers, or
//! when more than half may still be waiting, there is no number to show.

use serde::{Deserialize, Serialize};

/// Fewest answered conversations before a typical time is shown at all.
pub const MIN_ANSWERED: u32 = 5;

/// One conversation's first-response observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observation {
    /// Staff first replied this many ms after the visitor wrote.
    Answered(i64),
    /// Nobody has replied yet, after this many ms of waiting.
    Waiting(i64),
}

impl Observation {
    /// A conversation's observation at `now`: answered, still waiting, or
    /// nothing (closed without an answer tells nothing about response time).
    pub fn of(created_at: i64, first_response_at: i64, closed: bool, now: i64) -> Option<Self> {
        if first_response_at > 0 {
            Some(Observation::Answered(first_response_at - created_at))
        } else if !closed {
            Some(Observation::Waiting(now - created_at))
        } else {
            None
        }
    }
}

/// The figure shown to visitors and staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstResponse {
    /// Median first-response time, in seconds.
    pub median_s: u32,
    /// How many answered conversations it rests on.
    pub answered: u32,
    /// Conversations still waiting that were counted as lower bounds.
    pub waiting: u32,
}

/// The median first-response time, or `None` when the data cannot support one.
pub fn typical_first_response(observations: &[Observation]) -> Option<FirstResponse> {
    let mut points: Vec<(i64, bool)> = observations
        .iter()
        .map(|o| match *o {
            Observation::Answered(ms) => (ms.max(0), true),
            Observation::Waiting(ms) => (ms.max(0), false),
        })
        .collect();
    let answered = points.iter().filter(|(_, answered)| *answered).count() as u32;
    if answered < MIN_ANSWERED {
        return None;
    }
    // At equal times, answers come before censorings (the usual convention).
    points.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut at_risk = points.len() as f64;
    let mut survival = 1.0_f64;
    let mut index = 0;
    while index < points.len() {
        let time = points[index].0;
        let mut events = 0.0;
        let mut leaving = 0.0;
        while index < points.len() && points[index].0 == time {
            if points[index].1 {
                events += 1.0;
            }
            leaving += 1.0;
            index += 1;
        }
        if events > 0.0 {
            survival *= 1.0 - events / at_risk;
            if survival <= 0.5 {
                return Some(FirstResponse {
                    median_s: u32::try_from((time + 999) / 1000).unwrap_or(u32::MAX),
                    answered,
                    waiting: points.len() as u32 - answered,
                });
            }
        }
        at_risk -= leaving;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use Observation::{Answered, Waiting};

    #[test]
    fn too_little_data_says_nothing() {
        assert_eq!(typical_first_response(&[]), None);
        let four = [Answered(60_000); 4];
        assert_eq!(typical_first_response(&four), None);
    }

    #[test]
    fn median_of_answered_conversations() {
        let obs: Vec<_> = [30, 60, 90, 120, 600]
            .iter()
            .map(|s| Answered(s * 1000))
            .collect();
        assert_eq!(
            typical_first_response(&obs),
            Some(FirstResponse {
                median_s: 90,
                answered: 5,
                waiting: 0
            })
        );
    }

    #[test]
    fn long_waits_push_the_median_up() {
        let mut obs: Vec<_> = [30, 60, 90, 120, 150]
            .iter()
            .map(|s| Answered(s * 1000))
            .collect();
        // Six people have waited an hour with no answer: more than half may
        // still be waiting beyond any answer seen, so no honest median exists.
        obs.extend([Waiting(3_600_000); 6]);
        assert_eq!(typical_first_response(&obs), None);
        // With two of them, the median rises from 90 s to 120 s.
        obs.truncate(7);
        let typical = typical_first_response(&obs);
        assert_eq!(typical.map(|t| t.median_s), Some(120));
        assert_eq!(typical.map(|t| t.waiting), Some(2));
    }

    #[test]
    fn observations_of_conversations() {
        assert_eq!(
            Observation::of(1_000, 61_000, false, 99_000),
            Some(Answered(60_000))
        );
        assert_eq!(
            Observation::of(1_000, 0, false, 31_000),
            Some(Waiting(30_000))
        );
        assert_eq!(Observation::of(1_000, 0, true, 31_000), None);
    }

    #[test]
    fn short_waits_do_not_count_as_slow() {
        // Someone who wrote ten seconds ago is not evidence of slowness.
        let mut obs: Vec<_> = [30, 60, 90, 120, 600]
            .iter()
            .map(|s| Answered(s * 1000))
            .collect();
        obs.push(Waiting(10_000));
        assert_eq!(typical_first_response(&obs).map(|t| t.median_s), Some(90));
    }
}
