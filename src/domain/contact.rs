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
    /// Outside office hours; when the team opens again, if scheduled.
    Closed { next_opening: Option<i64> },
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
    Presence::Closed {
        next_opening: site.teams.iter().filter_map(|t| t.next_opening).min(),
    }
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
                next_opening: Some(42)
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
            Presence::Closed { next_opening: None }
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
                next_opening: Some(100)
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
    fn waits_are_rounded_like_a_person_would() {
        assert_eq!(rounded_wait(20), (1, "minute"));
        assert_eq!(rounded_wait(170), (3, "minute"));
        assert_eq!(rounded_wait(3 * 3600 + 100), (3, "hour"));
    }
}
