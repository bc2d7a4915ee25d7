//! `GET /v1/staff/insights?days=30&team=…`: the optimization page's figures
//! for the teams a staff member works in — conversations by day, topic and
//! tone; the pages and campaigns that most often preceded a complaint, a
//! negative message or an expectation gap (the visitor's touchpoints in the
//! 24 hours before they wrote); first-response time per team against its
//! target; and the channel mix.

use serde::{Deserialize, Serialize};
use web_sys::{Request, Response};

use super::request::{now_ms, query};
use super::staff::authorize;
use super::visitor::load_teams;
use super::{db, http, Env};
use crate::args;
use crate::domain::api::ApiError;
use crate::domain::response_time::{typical_first_response, Observation};

#[derive(Serialize, Deserialize)]
struct DayTopic {
    day: String,
    topic: String,
    sentiment: String,
    conversations: i64,
}

#[derive(Serialize, Deserialize)]
struct Preceding {
    label: String,
    page_type: String,
    conversations: i64,
}

#[derive(Serialize, Deserialize)]
struct ChannelCount {
    channel: String,
    conversations: i64,
}

#[derive(Serialize)]
struct TeamResponse {
    team: String,
    name: String,
    target_minutes: i64,
    median_first_response_s: Option<u32>,
    answered: u32,
    waiting: u32,
    within_target: Option<bool>,
}

#[derive(Serialize)]
struct Insights {
    from: i64,
    to: i64,
    teams: Vec<String>,
    by_day: Vec<DayTopic>,
    pages_before_trouble: Vec<Preceding>,
    campaigns_before_trouble: Vec<Preceding>,
    first_response: Vec<TeamResponse>,
    channels: Vec<ChannelCount>,
}

/// Conversations that signal trouble: complaints, negative tone, expectation gaps.
const TROUBLE: &str = "(c.kind = 'complaint' OR c.sentiment = 'negative' OR c.expectation_gap = 1)";

pub async fn insights(request: &Request, env: &Env) -> Result<Response, ApiError> {
    let staff = authorize(request, env).await?;
    let days: i64 = match query(request, "days") {
        None => 30,
        Some(text) => text
            .parse()
            .ok()
            .filter(|d| (1..=365).contains(d))
            .ok_or_else(|| ApiError::InvalidRequest("days must be 1 to 365".into()))?,
    };
    let team = query(request, "team").unwrap_or_default();
    crate::domain::conversation::check_short("team", &team, false)?;
    let site_teams = load_teams(env, &staff.site_id).await?;
    let teams: Vec<String> = match Some(team).filter(|t| !t.is_empty()) {
        Some(team) if staff.works_in(&team) => vec![team],
        Some(_) => return Err(ApiError::Forbidden),
        None => site_teams
            .iter()
            .filter(|t| staff.works_in(&t.id))
            .map(|t| t.id.clone())
            .collect(),
    };
    let teams_json = serde_json::to_string(&teams).map_err(|_| ApiError::Internal)?;
    let to = now_ms();
    let from = to - days * 86_400_000;
    let scope =
        "c.site_id = ?1 AND c.created_at >= ?2 AND c.team_id IN (SELECT value FROM json_each(?3))";
    let sql = |select: &str, tail: &str| {
        let mut s = String::from(select);
        s.push_str(" WHERE ");
        s.push_str(scope);
        s.push_str(tail);
        s
    };
    let site = &staff.site_id;
    let by_day: Vec<DayTopic> = db::rows(
        &env.db,
        &sql(
            "SELECT strftime('%Y-%m-%d', c.created_at / 1000, 'unixepoch') AS day, c.topic, c.sentiment, \
             COUNT(*) AS conversations FROM conversations c",
            " GROUP BY day, c.topic, c.sentiment ORDER BY day, c.topic, c.sentiment",
        ),
        args![site, from, &teams_json],
    )
    .await?;
    // The visitor's touchpoints in the day before they wrote, by consented id or cookieless key.
    let join = " FROM conversations c JOIN events e ON e.site_id = c.site_id \
        AND ((c.visitor_id != '' AND e.visitor_id = c.visitor_id) OR (c.visitor_id = '' AND c.visitor_key != '' AND e.visitor_key = c.visitor_key)) \
        AND e.occurred_at <= c.created_at AND e.occurred_at > c.created_at - 86400000";
    let mut pages_sql =
        String::from("SELECT e.path AS label, e.page_type, COUNT(DISTINCT c.id) AS conversations");
    pages_sql.push_str(join);
    let pages: Vec<Preceding> = db::rows(
        &env.db,
        &sql(
            &pages_sql,
            &format!(" AND e.kind = 'pageview' AND {TROUBLE} GROUP BY e.path, e.page_type ORDER BY conversations DESC, label LIMIT 10"),
        ),
        args![site, from, &teams_json],
    )
    .await?;
    let mut campaigns_sql = String::from(
        "SELECT CASE WHEN e.utm_campaign != '' THEN e.channel || ' · ' || e.utm_campaign ELSE e.channel END AS label, \
         '' AS page_type, COUNT(DISTINCT c.id) AS conversations",
    );
    campaigns_sql.push_str(join);
    let campaigns: Vec<Preceding> = db::rows(
        &env.db,
        &sql(
            &campaigns_sql,
            &format!(" AND e.channel != '' AND {TROUBLE} GROUP BY label ORDER BY conversations DESC, label LIMIT 10"),
        ),
        args![site, from, &teams_json],
    )
    .await?;
    let channels: Vec<ChannelCount> = db::rows(
        &env.db,
        &sql(
            "SELECT c.channel, COUNT(*) AS conversations FROM conversations c",
            " GROUP BY c.channel ORDER BY conversations DESC",
        ),
        args![site, from, &teams_json],
    )
    .await?;
    #[derive(Deserialize)]
    struct Timing {
        team_id: String,
        created_at: i64,
        first_response_at: i64,
        status: String,
    }
    let timings: Vec<Timing> = db::rows(
        &env.db,
        &sql(
            "SELECT c.team_id, c.created_at, c.first_response_at, c.status FROM conversations c",
            " LIMIT 5000",
        ),
        args![site, from, &teams_json],
    )
    .await?;
    let first_response = site_teams
        .iter()
        .filter(|t| teams.contains(&t.id))
        .map(|team| {
            let observations: Vec<Observation> = timings
                .iter()
                .filter(|t| t.team_id == team.id)
                .filter_map(|t| {
                    Observation::of(t.created_at, t.first_response_at, t.status == "closed", to)
                })
                .collect();
            let typical = typical_first_response(&observations);
            let answered = observations
                .iter()
                .filter(|o| matches!(o, Observation::Answered(_)))
                .count() as u32;
            TeamResponse {
                team: team.id.clone(),
                name: team.name.clone(),
                target_minutes: team.target_minutes,
                median_first_response_s: typical.map(|t| t.median_s),
                answered,
                waiting: observations.len() as u32 - answered,
                within_target: typical.map(|t| i64::from(t.median_s) <= team.target_minutes * 60),
            }
        })
        .collect();
    let body = Insights {
        from,
        to,
        teams,
        by_day,
        pages_before_trouble: pages,
        campaigns_before_trouble: campaigns,
        first_response,
        channels,
    };
    let text = serde_json::to_string(&body).map_err(|_| ApiError::Internal)?;
    http::text_json_response(200, &text)
}
