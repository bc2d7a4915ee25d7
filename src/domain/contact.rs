//! What the widget tells a visitor about the people behind it, decided from
//! the worker's availability answer: who is there now, when the team opens,
//! whether to offer the e-mail or callback path, and which team a draft will
//! reach. The widget only words these decisions (in the visitor's language).

use serde::Deserialize;

use super::conversation::{route_to_team, RoutingRule};

/// A team as `GET /v1/availability` describes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TeamState {
    pub id: String,
    pub name: String,
    pub open: bool,
    #[serde(default)]
    pub next_opening: Option<i64>,
    #[serde(default)]
    pub staff_online: Vec<String>,
    #[serde(default)]
    pub typical_first_response: Option<TypicalResponse>,
    /// Why the team is closed: the reason of the closure covering the
    /// site's date, or of one starting before it reopens
    /// (`Hours::closure_reason`): shown to visitors.
    #[serde(default)]
    pub closure_reason: Option<String>,
}

/// The measured typical first response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct TypicalResponse {
    pub median_s: u32,
}

/// The availability answer, as the widget reads it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SiteState {
    pub teams: Vec<TeamState>,
    #[serde(default)]
    pub routing: Vec<RoutingRule>,
    #[serde(default)]
    pub default_team: String,
}

/// Who is there, in the terms the visitor is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    /// People are online now; a typical reply time when it was measured.
    Online {
        names: Vec<String>,
        typical_s: Option<u32>,
    },
    /// Inside office hours, but nobody is at the console right now.
    OpenButAway { typical_s: Option<u32> },
    /// Outside office hours; when the team opens again, if scheduled, and
    /// the closure's reason when one is going on ("Winter break").
    Closed {
        next_opening: Option<i64>,
        reason: Option<String>,
    },
    /// The site has no team yet (one being set up): nobody could receive a
    /// message, so the panel says so instead of taking one.
    NoTeam,
}

/// The presence of one team.
pub fn presence(team: &TeamState) -> Presence {
    let typical_s = team.typical_first_response.map(|t| t.median_s);
    if !team.staff_online.is_empty() {
        Presence::Online {
            names: team.staff_online.clone(),
            typical_s,
        }
    } else if team.open {
        Presence::OpenButAway { typical_s }
    } else {
        Presence::Closed {
            next_opening: team.next_opening,
            reason: team.closure_reason.clone(),
        }
    }
}

/// The presence of a whole site: online when any team has someone there.
pub fn site_presence(site: &SiteState) -> Presence {
    if site.teams.is_empty() {
        return Presence::NoTeam;
    }
    let mut names: Vec<String> = Vec::new();
    for team in &site.teams {
        for name in &team.staff_online {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    if !names.is_empty() {
        return Presence::Online {
            names,
            typical_s: None,
        };
    }
    if site.teams.iter().any(|t| t.open) {
        return Presence::OpenButAway { typical_s: None };
    }
    // The site opens with its earliest team; its closure's reason, if any.
    let mut first: Option<&TeamState> = None;
    for team in &site.teams {
        if let Some(at) = team.next_opening {
            if first.and_then(|f| f.next_opening).is_none_or(|f| at < f) {
                first = Some(team);
            }
        }
    }
    Presence::Closed {
        next_opening: first.and_then(|t| t.next_opening),
        reason: first.and_then(|t| t.closure_reason.clone()),
    }
}

/// Whether an opening at `at_ms` is too far off for a weekday to name it
/// (not within the next 6 days from `now_ms`): "Back Monday" two weeks
/// ahead reads as the coming Monday, so the date is shown too.
pub fn needs_date(at_ms: i64, now_ms: i64) -> bool {
    at_ms - now_ms > 6 * 86_400_000
}

/// Below this topic confidence the classifier's team is wrong about a third
/// of the time or more on visitors' messages (natural dev set, MODEL.md's
/// calibration: 0.4–0.6 right 49–66%, 0.6–0.7 73–79%, above 0.8 over 90%).
/// It was 0.5; models trained on whole written messages are surer of more,
/// and put vague drafts ("i have a problem") between 0.5 and 0.6.
pub const UNSURE_TOPIC_CONFIDENCE: f64 = 0.6;

/// Whether the panel should present its team as a guess and invite the
/// visitor to choose: the classifier is unsure and the visitor has not chosen.
pub fn team_is_a_guess(topic_confidence: f64, visitor_choice: Option<&str>) -> bool {
    visitor_choice.is_none() && topic_confidence < UNSURE_TOPIC_CONFIDENCE
}

/// Whose presence the panel shows and acts on: once a draft has a team it
/// will reach (`expected_team`), that team's — staff of another team will
/// not get the message, so their names would promise an answer that does not
/// come; before a draft, the whole site's.
pub fn presence_for(site: &SiteState, expected: Option<&TeamState>) -> Presence {
    match expected {
        Some(team) => presence(team),
        None => site_presence(site),
    }
}

/// The presence the panel's header shows: once a conversation exists, its
/// team's (`conversation_team`, as the worker last said) — the draft's
/// team is gone with the draft, and the site's hours are not the ones its
/// answer keeps; before, `presence_for` the draft's team. The site's when
/// the conversation's team is not among the teams shown.
pub fn presence_shown(
    site: &SiteState,
    conversation_team: Option<&str>,
    draft_team: Option<&TeamState>,
) -> Presence {
    let team = match conversation_team {
        Some(id) => site.teams.iter().find(|t| t.id == id),
        None => draft_team,
    };
    presence_for(site, team)
}

/// Whether to put the e-mail / callback path first: nobody can answer now.
pub fn suggest_offline_path(presence: &Presence) -> bool {
    !matches!(presence, Presence::Online { .. })
}

/// The team a draft with `topic` will reach, as the edge will route it.
pub fn expected_team<'a>(
    site: &'a SiteState,
    topic: &str,
    visitor_choice: Option<&str>,
) -> Option<&'a TeamState> {
    let visible: Vec<String> = site.teams.iter().map(|t| t.id.clone()).collect();
    let default = if visible.contains(&site.default_team) {
        site.default_team.clone()
    } else {
        visible.first().cloned()?
    };
    let id = route_to_team(topic, visitor_choice, &site.routing, &visible, &default);
    site.teams.iter().find(|t| t.id == id)
}

/// A `datetime-local` input's value for a local date and time, to the
/// minute: `2026-12-07T09:05` (year, month 1–12, day, hour, minute).
pub fn datetime_local(parts: [u32; 5]) -> String {
    let mut out = String::with_capacity(16);
    for (at, n) in parts.into_iter().enumerate() {
        if at > 0 {
            out.push(['-', '-', 'T', ':'][at - 1]);
        }
        let width = if at == 0 { 4 } else { 2 };
        for place in (0..width).rev() {
            let digit = n / 10_u32.pow(place) % 10;
            out.push(char::from(b'0' + digit as u8));
        }
    }
    out
}

/// Rounds a typical reply time to what a person would say: "about 3 minutes",
/// "about 2 hours". Returns (amount, unit) with unit `minute` or `hour`.
pub fn rounded_wait(seconds: u32) -> (u32, &'static str) {
    if seconds < 90 * 60 {
        (seconds.div_ceil(60).max(1), "minute")
    } else {
        ((seconds + 1800) / 3600, "hour")
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_unsure_team_is_offered_as_a_guess_until_the_visitor_chooses() {
        assert!(super::team_is_a_guess(0.32, None));
        assert!(super::team_is_a_guess(0.55, None));
        assert!(!super::team_is_a_guess(0.6, None));
        assert!(!super::team_is_a_guess(0.97, None));
        assert!(!super::team_is_a_guess(0.32, Some("billing")));
    }

    use super::*;

    fn team(id: &str, open: bool, online: &[&str], next: Option<i64>) -> TeamState {
        TeamState {
            id: id.into(),
            name: id.to_uppercase(),
            open,
            next_opening: next,
            staff_online: online.iter().map(|s| s.to_string()).collect(),
            typical_first_response: None,
            closure_reason: None,
        }
    }

    #[test]
    fn presence_is_what_is_true_now() {
        assert_eq!(
            presence(&team("sales", true, &["Bo"], None)),
            Presence::Online {
                names: vec!["Bo".into()],
                typical_s: None
            }
        );
        assert_eq!(
            presence(&team("sales", true, &[], None)),
            Presence::OpenButAway { typical_s: None }
        );
        let closed = presence(&team("sales", false, &[], Some(42)));
        assert_eq!(
            closed,
            Presence::Closed {
                next_opening: Some(42),
                reason: None
            }
        );
        assert!(suggest_offline_path(&closed));
        // Staff at the console outside office hours still count as there.
        assert!(!suggest_offline_path(&presence(&team(
            "sales",
            false,
            &["Bo"],
            Some(42)
        ))));
    }

    #[test]
    fn a_site_without_a_team_says_so_rather_than_closed() {
        let mut site = SiteState {
            teams: vec![],
            routing: vec![],
            default_team: "support".into(),
        };
        assert_eq!(site_presence(&site), Presence::NoTeam);
        assert!(suggest_offline_path(&Presence::NoTeam));
        site.teams.push(team("support", false, &[], None));
        assert_eq!(
            site_presence(&site),
            Presence::Closed {
                next_opening: None,
                reason: None
            }
        );
    }

    #[test]
    fn the_site_opens_with_its_earliest_team() {
        let site = SiteState {
            teams: vec![
                team("billing", false, &[], Some(200)),
                team("support", false, &[], Some(100)),
            ],
            routing: vec![],
            default_team: "support".into(),
        };
        assert_eq!(
            site_presence(&site),
            Presence::Closed {
                next_opening: Some(100),
                reason: None
            }
        );
    }

    #[test]
    fn the_expected_team_follows_the_sites_routing() {
        let site = SiteState {
            teams: vec![
                team("billing", true, &[], None),
                team("support", true, &[], None),
            ],
            routing: vec![RoutingRule {
                topic: "refund".into(),
                team: "billing".into(),
            }],
            default_team: "support".into(),
        };
        assert_eq!(
            expected_team(&site, "refund", None).map(|t| t.id.as_str()),
            Some("billing")
        );
        assert_eq!(
            expected_team(&site, "order", None).map(|t| t.id.as_str()),
            Some("support")
        );
        assert_eq!(
            expected_team(&site, "refund", Some("support")).map(|t| t.id.as_str()),
            Some("support")
        );
        let empty = SiteState {
            teams: vec![],
            routing: vec![],
            default_team: String::new(),
        };
        assert_eq!(expected_team(&empty, "refund", None), None);
    }

    #[test]
    fn a_conversation_hears_of_its_own_team_after_the_draft_is_gone() {
        let site = SiteState {
            teams: vec![
                team("billing", false, &[], Some(500)),
                team("support", true, &["Eli"], None),
            ],
            routing: Vec::new(),
            default_team: "support".into(),
        };
        let billing = Presence::Closed {
            next_opening: Some(500),
            reason: None,
        };
        // The draft went to billing; the composer is empty again.
        assert_eq!(presence_shown(&site, Some("billing"), None), billing);
        // A follow-up draft about something else does not change whose it is.
        let support = site.teams.get(1);
        assert_eq!(presence_shown(&site, Some("billing"), support), billing);
        // Before a conversation: the draft's team, then the site's.
        assert!(matches!(
            presence_shown(&site, None, support),
            Presence::Online { .. }
        ));
        assert_eq!(presence_shown(&site, None, None), site_presence(&site));
        // A team this page does not show: the site's.
        assert_eq!(
            presence_shown(&site, Some("hr"), None),
            site_presence(&site)
        );
    }

    #[test]
    fn a_draft_hears_of_the_team_it_will_reach_not_of_the_site() {
        // Billing closed with nobody there; support open with Eli online.
        let site = SiteState {
            teams: vec![
                TeamState {
                    closure_reason: Some("Winter break".into()),
                    ..team("billing", false, &[], Some(500))
                },
                team("support", true, &["Eli"], None),
            ],
            routing: vec![RoutingRule {
                topic: "refund".into(),
                team: "billing".into(),
            }],
            default_team: "support".into(),
        };
        // Before a draft: the site, where Eli is there.
        let before = presence_for(&site, None);
        assert_eq!(
            before,
            Presence::Online {
                names: vec!["Eli".into()],
                typical_s: None
            }
        );
        assert!(!suggest_offline_path(&before));
        // A draft about a double charge goes to billing: closed, no names,
        // and the e-mail path first.
        let billing = presence_for(&site, expected_team(&site, "refund", None));
        assert_eq!(
            billing,
            Presence::Closed {
                next_opening: Some(500),
                reason: Some("Winter break".into())
            }
        );
        assert!(suggest_offline_path(&billing));
        // The visitor sends it to support instead: Eli is there again.
        let support = presence_for(&site, expected_team(&site, "refund", Some("support")));
        assert!(matches!(support, Presence::Online { ref names, .. } if names == &["Eli"]));
        assert!(!suggest_offline_path(&support));
    }

    #[test]
    fn a_closed_site_tells_the_reason_of_the_team_that_opens_first() {
        let site = SiteState {
            teams: vec![
                TeamState {
                    closure_reason: Some("Stocktaking".into()),
                    ..team("sales", false, &[], Some(900))
                },
                TeamState {
                    closure_reason: Some("Winter break".into()),
                    ..team("support", false, &[], Some(300))
                },
                team("billing", false, &[], None),
            ],
            routing: vec![],
            default_team: "support".into(),
        };
        assert_eq!(
            site_presence(&site),
            Presence::Closed {
                next_opening: Some(300),
                reason: Some("Winter break".into())
            }
        );
    }

    #[test]
    fn an_opening_a_week_or_more_away_is_named_with_its_date() {
        let (hour, day) = (3_600_000, 86_400_000);
        assert!(!needs_date(10 * hour, 0));
        assert!(!needs_date(6 * day, 0), "the weekday names it");
        assert!(needs_date(6 * day + hour, 0));
        assert!(needs_date(14 * day, 0), "a two-week closure");
        assert!(!needs_date(-hour, 0));
    }

    #[test]
    fn a_window_input_reads_a_local_minute() {
        assert_eq!(datetime_local([2026, 12, 7, 9, 5]), "2026-12-07T09:05");
        assert_eq!(datetime_local([2027, 1, 31, 23, 59]), "2027-01-31T23:59");
        assert_eq!(datetime_local([987, 10, 1, 0, 0]), "0987-10-01T00:00");
    }

    #[test]
    fn waits_are_rounded_like_a_person_would() {
        assert_eq!(rounded_wait(20), (1, "minute"));
        assert_eq!(rounded_wait(170), (3, "minute"));
        assert_eq!(rounded_wait(3 * 3600 + 100), (3, "hour"));
    }
}
