//! `GET /v1/staff/insights?days=30&team=…`: the optimization page's figures
//! for the teams a staff member works in — conversations by day, topic and
//! tone; the pages and campaigns that preceded a complaint, a negative
//! message or an expectation gap (the visitor's touchpoints in the 24 hours
//! before they wrote) more often than the rest, ranked by lift (see
//! `domain::lift`); first-response time per team against its target; the
//! channel mix; and where the site's visitors came from (landing page views by
//! marketing channel and source).

use serde::Deserialize;
use web_sys::{Request, Response};

use super::db::Arg;
use super::http::query;
use super::runtime::now_ms;
use super::sites::{load_teams, Team};
use super::staff::{authorize, StaffRow};
use super::{db, http, Env};
use crate::args;
use crate::domain::api::ApiError;
use crate::domain::conversation::Status;
use crate::domain::drill::{self, Bar};
use crate::domain::lift::{rank, Exposure, MIN_SAMPLE, MIN_TROUBLE};
use crate::domain::response_time::{typical_first_response, Observation};
use crate::domain::rollup;
use crate::domain::visitor_key::utc_day;
use crate::domain::wire::insights::{
    Arrival, Baseline, ChannelCount, ChartConversation, ChartConversations, DayTopic, Insights,
    Preceding, TeamResponse,
};

/// Trouble conversations after a page or campaign, as counted in D1.
#[derive(Deserialize)]
struct TroubleCount {
    label: String,
    page_type: String,
    trouble: u32,
}

/// Visitors who saw a page or arrived through a campaign, as counted in D1.
#[derive(Deserialize)]
struct SeenCount {
    label: String,
    page_type: String,
    seen: u32,
}

#[derive(Deserialize)]
struct Count {
    n: u32,
}

/// Conversations that signal trouble: complaints, negative tone, expectation gaps.
const TROUBLE: &str = "(c.kind = 'complaint' OR c.sentiment = 'negative' OR c.expectation_gap = 1)";
/// Most pages or campaigns read from D1 per chart (those with the most trouble).
const CANDIDATES: u32 = 500;
/// Most shown per chart.
const SHOWN: usize = 10;

/// What a "before trouble" chart counts: page views by path, or arrivals by
/// channel and campaign (SQL over the events alias `e`).
struct Dimension {
    label: &'static str,
    page_type: &'static str,
    filter: &'static str,
}

const PAGES: Dimension = Dimension {
    label: "e.path",
    page_type: "e.page_type",
    filter: "e.kind = 'pageview'",
};
const CAMPAIGNS: Dimension = Dimension {
    label: "CASE WHEN e.utm_campaign != '' THEN e.channel || ' · ' || e.utm_campaign ELSE e.channel END",
    page_type: "''",
    filter: "e.channel != ''",
};

/// The visitor's touchpoints in the day before they wrote, by consented id or cookieless key.
const JOURNEY: &str = " FROM conversations c JOIN events e ON e.site_id = c.site_id \
    AND ((c.visitor_id != '' AND e.visitor_id = c.visitor_id) OR (c.visitor_id = '' AND c.visitor_key != '' AND e.visitor_key = c.visitor_key)) \
    AND e.occurred_at <= c.created_at AND e.occurred_at > c.created_at - 86400000";
/// The staff member's conversations in the period.
const SCOPE: &str =
    "c.site_id = ?1 AND c.created_at >= ?2 AND c.team_id IN (SELECT value FROM json_each(?3))";
/// One visitor, by consented id or the day's cookieless key (visitors with neither are not counted).
const VISITOR: &str =
    "CASE WHEN e.visitor_id != '' THEN 'i' || e.visitor_id ELSE 'k' || e.visitor_key END";
const IDENTIFIABLE: &str = "(e.visitor_id != '' OR e.visitor_key != '')";

/// The pages or campaigns that preceded trouble, ranked by lift, and their baseline.
async fn preceding(
    env: &Env,
    dimension: &Dimension,
    site: &str,
    from: i64,
    teams_json: &str,
) -> Result<(Vec<Preceding>, Baseline), ApiError> {
    let Dimension {
        label,
        page_type,
        filter,
    } = dimension;
    // Grouped by position: `page_type` alone would name the events column, not the alias.
    let troubled: Vec<TroubleCount> = db::rows(
        &env.db,
        &format!(
            "SELECT {label} AS label, {page_type} AS page_type, COUNT(DISTINCT c.id) AS trouble{JOURNEY} \
             WHERE {SCOPE} AND {filter} AND {TROUBLE} GROUP BY 1, 2 ORDER BY trouble DESC, label LIMIT {CANDIDATES}"
        ),
        args![site, from, teams_json],
    )
    .await?;
    let trouble_total: Vec<Count> = db::rows(
        &env.db,
        &format!(
            "SELECT COUNT(DISTINCT c.id) AS n{JOURNEY} WHERE {SCOPE} AND {filter} AND {TROUBLE}"
        ),
        args![site, from, teams_json],
    )
    .await?;
    let labels: Vec<&str> = troubled.iter().map(|t| t.label.as_str()).collect();
    let labels_json = serde_json::to_string(&labels).map_err(|_| ApiError::Internal)?;
    let seen: Vec<SeenCount> = db::rows(
        &env.db,
        &format!(
            "SELECT {label} AS label, {page_type} AS page_type, COUNT(DISTINCT {VISITOR}) AS seen FROM events e \
             WHERE e.site_id = ?1 AND e.occurred_at >= ?2 AND {IDENTIFIABLE} AND {filter} \
             AND {label} IN (SELECT value FROM json_each(?3)) GROUP BY 1, 2"
        ),
        args![site, from, &labels_json],
    )
    .await?;
    let seen_total: Vec<Count> = db::rows(
        &env.db,
        &format!(
            "SELECT COUNT(DISTINCT {VISITOR}) AS n FROM events e \
             WHERE e.site_id = ?1 AND e.occurred_at >= ?2 AND {IDENTIFIABLE} AND {filter}"
        ),
        args![site, from],
    )
    .await?;
    let first = |counts: Vec<Count>| counts.first().map_or(0, |c| c.n);
    let baseline = Baseline {
        conversations: first(trouble_total),
        visitors: first(seen_total),
    };
    let items = troubled
        .into_iter()
        .map(|t| {
            let visitors = seen
                .iter()
                .find(|s| s.label == t.label && s.page_type == t.page_type)
                .map_or(0, |s| s.seen);
            // A journey that began before the period still had a visitor.
            let exposure = Exposure {
                seen: visitors.max(t.trouble),
                trouble: t.trouble,
            };
            ((t.label, t.page_type), exposure)
        })
        .collect();
    let base = Exposure {
        seen: baseline.visitors.max(baseline.conversations),
        trouble: baseline.conversations,
    };
    let ranked = rank(items, base, SHOWN)
        .into_iter()
        .map(|((label, page_type), exposure, lift)| Preceding {
            label,
            page_type,
            conversations: exposure.trouble,
            visitors: exposure.seen,
            lift: lift.lift,
            lift_low: lift.lift_low,
            lift_high: lift.lift_high,
            enough_data: lift.enough_data,
        })
        .collect();
    Ok((ranked, baseline))
}

/// Where the site's visitors came from since `from`: landing views (they
/// carry the channel; navigation inside the site does not count) by channel
/// and source. Whole days (in the site's time zone) already rolled up are
/// read from their roll-ups' landings, which count exactly those views
/// (`domain::rollup`), so the cost of a long period does not grow with its
/// raw touchpoints; the rest from raw events.
async fn arrivals(env: &Env, site: &str, from: i64) -> Result<Vec<Arrival>, ApiError> {
    #[derive(Deserialize)]
    struct Rolled {
        rolled_day: Option<i64>,
        time_zone: String,
    }
    let rolled: Option<Rolled> = db::row(
        &env.db,
        "SELECT time_zone, CASE WHEN rolled_through = '' THEN NULL \
         ELSE CAST(julianday(rolled_through) - 2440587.5 AS INTEGER) END AS rolled_day \
         FROM sites WHERE id = ?1",
        args![site],
    )
    .await?;
    // The roll-ups' days are the site's (as the scheduled job rolled them).
    let (zone, rolled_day) = rolled.map_or((String::new(), None), |r| (r.time_zone, r.rolled_day));
    let sources = rollup::period_sources(&super::zones::site_zone(&zone), from, rolled_day);
    // No rolled day: an empty range of days (the first after the last).
    let (first_day, last_day) = sources.rolled_days.map_or_else(
        || (String::from("1"), String::from("0")),
        |(first, last)| {
            (
                utc_day(first * rollup::DAY_MS),
                utc_day(last * rollup::DAY_MS),
            )
        },
    );
    db::rows(
        &env.db,
        "SELECT channel, source_name, SUM(visits) AS visits FROM (\
         SELECT channel, source_name, COUNT(*) AS visits FROM events WHERE site_id = ?1 \
         AND occurred_at >= ?2 AND (occurred_at < ?3 OR occurred_at >= ?4) \
         AND kind = 'pageview' AND channel NOT IN ('', 'internal') GROUP BY channel, source_name \
         UNION ALL SELECT channel, source_name, SUM(landings) AS visits FROM daily_touchpoints \
         WHERE site_id = ?1 AND day >= ?5 AND day <= ?6 AND landings > 0 GROUP BY channel, source_name) \
         GROUP BY channel, source_name ORDER BY visits DESC, channel, source_name LIMIT 20",
        args![
            site,
            from,
            sources.raw_before_ms,
            sources.raw_from_ms,
            &first_day,
            &last_day
        ],
    )
    .await
}

/// The period (`days`, 1 to 365, default 30) and the teams (`team`, one of
/// the staff member's, or all of them) a page or drill-down covers.
struct Scope {
    site_teams: Vec<Team>,
    teams: Vec<String>,
    teams_json: String,
    from: i64,
    to: i64,
    /// SQL for a conversation's date in the site's time zone, `YYYY-MM-DD`.
    local_day: String,
}

/// SQL for the date of `column` (Unix ms) in the site's time zone over the
/// period: the offsets in force, changes included, as literal numbers.
fn local_day_sql(time_zone: &str, from: i64, to: i64, column: &str) -> String {
    let zone = super::zones::site_zone(time_zone);
    let spans = crate::domain::zone::offsets_between(&zone, from, to);
    let mut sql = String::from("strftime('%Y-%m-%d', (");
    sql.push_str(column);
    sql.push_str(" + ");
    // One offset (no change in the period): the number alone, as SQL has no
    // CASE without a WHEN.
    let (changes, last) = spans.split_at(spans.len().saturating_sub(1));
    if !changes.is_empty() {
        sql.push_str("CASE");
    }
    for (until, offset) in changes {
        sql.push_str(" WHEN ");
        sql.push_str(column);
        sql.push_str(" < ");
        sql.push_str(&until.to_string());
        sql.push_str(" THEN ");
        sql.push_str(&offset.to_string());
    }
    if !changes.is_empty() {
        sql.push_str(" ELSE ");
    }
    sql.push_str(&last.first().map_or(0, |&(_, offset)| offset).to_string());
    if !changes.is_empty() {
        sql.push_str(" END");
    }
    sql.push_str(") / 1000, 'unixepoch')");
    sql
}

async fn scope(request: &Request, env: &Env, staff: &StaffRow) -> Result<Scope, ApiError> {
    let days: i64 = match query(request, "days") {
        None => 30,
        Some(text) => crate::domain::api::query_number(&text)
            .filter(|d| (1..=365).contains(d))
            .ok_or_else(|| ApiError::InvalidRequest("days must be 1 to 365".into()))?,
    };
    let team = query(request, "team").unwrap_or_default();
    crate::domain::conversation::check_short("team", &team, false)?;
    let site_teams = load_teams(env, &staff.site_id).await?;
    let ids: Vec<String> = site_teams.iter().map(|t| t.id.clone()).collect();
    let teams = crate::domain::inbox::team_scope(&team, |t| staff.works_in(t), &ids)?;
    let teams_json = serde_json::to_string(&teams).map_err(|_| ApiError::Internal)?;
    let to = now_ms();
    let from = to - days * 86_400_000;
    // Days are the site's, as roll-ups and office hours count them.
    let site = super::sites::cached_site(env, &staff.site_id).await?;
    Ok(Scope {
        site_teams,
        teams,
        teams_json,
        from,
        to,
        local_day: local_day_sql(&site.time_zone, from, to, "c.created_at"),
    })
}

pub async fn insights(request: &Request, env: &Env) -> Result<Response, ApiError> {
    let staff = authorize(request, env).await?;
    let Scope {
        site_teams,
        teams,
        teams_json,
        from,
        to,
        local_day,
    } = scope(request, env, &staff).await?;
    let sql = |select: &str, tail: &str| {
        let mut s = String::from(select);
        s.push_str(" WHERE ");
        s.push_str(SCOPE);
        s.push_str(tail);
        s
    };
    let site = &staff.site_id;
    let by_day: Vec<DayTopic> = db::rows(
        &env.db,
        &sql(
            &[
                "SELECT ",
                &local_day,
                " AS day, c.topic, c.sentiment, COUNT(*) AS conversations FROM conversations c",
            ]
            .concat(),
            " GROUP BY day, c.topic, c.sentiment ORDER BY day, c.topic, c.sentiment",
        ),
        args![site, from, &teams_json],
    )
    .await?;
    let (pages, pages_baseline) = preceding(env, &PAGES, site, from, &teams_json).await?;
    let (campaigns, campaigns_baseline) =
        preceding(env, &CAMPAIGNS, site, from, &teams_json).await?;
    let channels: Vec<ChannelCount> = db::rows(
        &env.db,
        &sql(
            "SELECT c.channel, COUNT(*) AS conversations FROM conversations c",
            " GROUP BY c.channel ORDER BY conversations DESC",
        ),
        args![site, from, &teams_json],
    )
    .await?;
    let arrivals = arrivals(env, site, from).await?;
    #[derive(Deserialize)]
    struct Timing {
        team_id: String,
        created_at: i64,
        first_response_at: i64,
        status: Status,
    }
    // The median rests on the newest 5,000 conversations of the window (a
    // sample, bounded for the worker's memory); the counts on all of them.
    let timings: Vec<Timing> = db::rows(
        &env.db,
        &sql(
            "SELECT c.team_id, c.created_at, c.first_response_at, c.status FROM conversations c",
            " ORDER BY c.created_at DESC LIMIT 5000",
        ),
        args![site, from, &teams_json],
    )
    .await?;
    #[derive(Deserialize)]
    struct Counts {
        team_id: String,
        answered: u32,
        waiting: u32,
    }
    let counts: Vec<Counts> = db::rows(
        &env.db,
        &sql(
            "SELECT c.team_id, SUM(c.first_response_at > 0) AS answered, \
             SUM(c.first_response_at <= 0 AND c.status != 'closed') AS waiting FROM conversations c",
            " GROUP BY c.team_id",
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
                    Observation::of(
                        t.created_at,
                        t.first_response_at,
                        t.status == Status::Closed,
                        to,
                    )
                })
                .collect();
            let typical = typical_first_response(&observations);
            let (answered, waiting) = counts
                .iter()
                .find(|c| c.team_id == team.id)
                .map_or((0, 0), |c| (c.answered, c.waiting));
            TeamResponse {
                team: team.id.clone(),
                name: team.name.clone(),
                target_minutes: team.target_minutes,
                median_first_response_s: typical.map(|t| t.median_s),
                answered,
                waiting,
                within_target: typical.map(|t| i64::from(t.median_s) <= team.target_minutes * 60),
            }
        })
        .collect();
    #[derive(Deserialize)]
    struct Dropped {
        n: Option<i64>,
    }
    let dropped: Option<Dropped> = db::row(
        &env.db,
        "SELECT SUM(dropped) AS n FROM dropped_events WHERE site_id = ?1 AND day >= ?2",
        args![site, &utc_day(from)],
    )
    .await?;
    let body = Insights {
        from,
        to,
        teams,
        by_day,
        pages_before_trouble: pages,
        campaigns_before_trouble: campaigns,
        pages_baseline,
        campaigns_baseline,
        min_visitors: MIN_SAMPLE,
        min_trouble: MIN_TROUBLE,
        first_response,
        channels,
        arrivals,
        events_dropped: dropped.and_then(|d| d.n).unwrap_or(0),
    };
    let text = serde_json::to_string(&body).map_err(|_| ApiError::Internal)?;
    http::text_json_response(200, &text)
}

/// Most conversations listed by a drill-down (`total` counts them all).
const LISTED: u32 = 100;

/// `GET /v1/staff/insights/conversations?days=…&team=…&page=…|campaign=…|topic=…[&day=…][&sentiment=…]`:
/// the conversations behind one bar of the insights page, in the same
/// period and teams, counted exactly as the chart counts them.
pub async fn behind(request: &Request, env: &Env) -> Result<Response, ApiError> {
    let staff = authorize(request, env).await?;
    let bar = drill::bar(
        query(request, "page"),
        query(request, "campaign"),
        query(request, "topic"),
        query(request, "day"),
        query(request, "sentiment"),
    )?;
    let Scope {
        teams_json,
        from,
        local_day,
        ..
    } = scope(request, env, &staff).await?;
    const COLUMNS: &str = "c.id, c.team_id, c.status, c.topic, c.sentiment, c.kind, c.created_at, \
        (SELECT text FROM messages m WHERE m.conversation_id = c.id AND m.author = 'visitor' ORDER BY m.id LIMIT 1) AS preview";
    // The same joins and conditions as the chart's count, so the list and the bar agree.
    let (source, condition, values) = match &bar {
        Bar::Page(path) => (
            JOURNEY,
            format!("{} AND {TROUBLE} AND {} = ?4", PAGES.filter, PAGES.label),
            vec![path.clone()],
        ),
        Bar::Campaign(label) => (
            JOURNEY,
            format!(
                "{} AND {TROUBLE} AND {} = ?4",
                CAMPAIGNS.filter, CAMPAIGNS.label
            ),
            vec![label.clone()],
        ),
        Bar::Topic {
            topic,
            day,
            sentiment,
        } => (
            " FROM conversations c",
            [
                "c.topic = ?4 AND (?5 = '' OR ",
                &local_day,
                " = ?5) AND (?6 = '' OR c.sentiment = ?6)",
            ]
            .concat(),
            vec![
                topic.clone(),
                day.clone().unwrap_or_default(),
                sentiment.clone().unwrap_or_default(),
            ],
        ),
    };
    let mut bound: Vec<Arg> = vec![
        Arg::from(staff.site_id.as_str()),
        Arg::from(from),
        Arg::from(teams_json.as_str()),
    ];
    bound.extend(values.iter().map(Arg::from));
    let total: Vec<Count> = db::rows(
        &env.db,
        &format!("SELECT COUNT(DISTINCT c.id) AS n{source} WHERE {SCOPE} AND {condition}"),
        &bound,
    )
    .await?;
    let conversations: Vec<ChartConversation> = db::rows(
        &env.db,
        &format!(
            "SELECT DISTINCT {COLUMNS}{source} WHERE {SCOPE} AND {condition} \
             ORDER BY c.created_at DESC, c.id LIMIT {LISTED}"
        ),
        &bound,
    )
    .await?;
    let body = ChartConversations {
        conversations,
        total: total.first().map_or(0, |c| c.n),
    };
    let text = serde_json::to_string(&body).map_err(|_| ApiError::Internal)?;
    http::text_json_response(200, &text)
}
