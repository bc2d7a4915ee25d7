//! The scheduled jobs (a cron trigger, every minute): tell a team's webhook
//! when a visitor has waited past the team's target, emit `reply.unseen` when
//! staff answered but the visitor has not seen it and left an e-mail address,
//! deliver pending webhooks with retries, write finished days to R2
//! destinations, and enforce each site's retention.

use serde::{Deserialize, Serialize};

use super::sites::{load_team, Team};
use super::threads::erase_conversations;
use super::{db, Env};
use crate::args;
use crate::domain::api::ApiError;
use crate::domain::rollup;
use crate::domain::visitor_key::utc_day;
use crate::domain::webhook::{self, Event};

/// Staff replies unseen for this long are sent on by e-mail.
pub const UNSEEN_AFTER_MS: i64 = 5 * 60 * 1000;

/// Queues `event` for the team's webhook, if it has one.
pub async fn enqueue(env: &Env, team: &Team, event: &Event, now: i64) -> Result<bool, ApiError> {
    if team.webhook_url.is_empty() {
        return Ok(false);
    }
    let body = webhook::body(event, team.webhook_format == "slack");
    db::run(
        &env.db,
        "INSERT INTO webhook_deliveries (site_id, team_id, event, conversation_id, url, body, next_attempt_at, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        args![&event.site, &team.id, event.kind, &event.conversation, &team.webhook_url, &body, now],
    )
    .await?;
    Ok(true)
}

/// What one run did, for the log and the tests.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub escalated: u32,
    pub unseen: u32,
    pub delivered: u32,
    pub failed_attempts: u32,
    pub expired_touchpoints: u32,
    pub rolled_up_days: u32,
    pub expired_conversations: u32,
    /// Destination deliveries taken up again (the queue lost them, or none is bound).
    pub swept_deliveries: u32,
    /// Days written to R2 destinations (three objects each).
    pub exported_days: u32,
    /// Site models trained (at most one per run, to bound its CPU time).
    pub trained_site_models: u32,
}

#[derive(Deserialize)]
struct Due {
    id: String,
    site_id: String,
    team_id: String,
    topic: String,
    sentiment: String,
    last_visitor_at: i64,
    reply_email: String,
    console_url: String,
}

/// The console's page for a conversation (empty-based when the site has no
/// console URL: webhook bodies then leave the link out).
pub(super) fn link(console_url: &str, conversation: &str) -> String {
    let mut url = String::from(console_url);
    url.push_str("#/conversations/");
    url.push_str(conversation);
    url
}

/// Runs every job once at `now`.
pub async fn run(env: &Env, now: i64) -> Result<Report, ApiError> {
    let mut report = Report::default();
    // 1. Visitors waiting past their team's target, told once per wait.
    let waiting: Vec<Due> = db::rows(
        &env.db,
        "SELECT c.id, c.site_id, c.team_id, c.topic, c.sentiment, c.last_visitor_at, c.reply_email, s.console_url \
         FROM conversations c JOIN teams t ON t.site_id = c.site_id AND t.id = c.team_id JOIN sites s ON s.id = c.site_id \
         WHERE c.status = 'waiting' AND c.escalated_at = 0 AND c.last_visitor_at < ?1 - t.target_minutes * 60000 LIMIT 200",
        args![now],
    )
    .await?;
    for due in waiting {
        if let Some(team) = load_team(env, &due.site_id, &due.team_id).await? {
            let event = Event {
                kind: "conversation.waiting",
                site: due.site_id.clone(),
                team: due.team_id.clone(),
                conversation: due.id.clone(),
                summary: summary(&due),
                waited_minutes: Some(
                    u32::try_from((now - due.last_visitor_at) / 60_000).unwrap_or(u32::MAX),
                ),
                email: None,
                replies: vec![],
                url: link(&due.console_url, &due.id),
            };
            enqueue(env, &team, &event, now).await?;
        }
        db::run(
            &env.db,
            "UPDATE conversations SET escalated_at = ?2 WHERE id = ?1",
            args![&due.id, now],
        )
        .await?;
        report.escalated += 1;
    }
    // 2. Staff replies the visitor has not seen, for the company's mailer.
    let unseen: Vec<Due> = db::rows(
        &env.db,
        "SELECT c.id, c.site_id, c.team_id, c.topic, c.sentiment, c.last_visitor_at, c.reply_email, s.console_url \
         FROM conversations c JOIN sites s ON s.id = c.site_id \
         WHERE c.reply_email != '' AND c.channel = 'widget' AND c.last_staff_at > 0 AND c.last_staff_at < ?1 \
         AND c.unseen_notified_at < c.last_staff_at \
         AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.author = 'staff' AND m.id > c.visitor_read_id) \
         LIMIT 200",
        args![now - UNSEEN_AFTER_MS],
    )
    .await?;
    for due in unseen {
        #[derive(Deserialize)]
        struct Text {
            text: String,
        }
        let replies: Vec<Text> = db::rows(
            &env.db,
            "SELECT m.text FROM messages m JOIN conversations c ON c.id = m.conversation_id \
             WHERE m.conversation_id = ?1 AND m.author = 'staff' AND m.id > c.visitor_read_id ORDER BY m.id",
            args![&due.id],
        )
        .await?;
        if let Some(team) = load_team(env, &due.site_id, &due.team_id).await? {
            let event = Event {
                kind: "reply.unseen",
                site: due.site_id.clone(),
                team: due.team_id.clone(),
                conversation: due.id.clone(),
                summary: summary(&due),
                waited_minutes: None,
                email: Some(due.reply_email.clone()),
                replies: replies.into_iter().map(|r| r.text).collect(),
                url: link(&due.console_url, &due.id),
            };
            enqueue(env, &team, &event, now).await?;
        }
        db::run(
            &env.db,
            "UPDATE conversations SET unseen_notified_at = ?2 WHERE id = ?1",
            args![&due.id, now],
        )
        .await?;
        report.unseen += 1;
    }
    // 3. Deliveries that are due.
    deliver(env, now, &mut report).await?;
    report.swept_deliveries = super::destinations::sweep(env, now).await?;
    // Before retention deletes old rows; a failure (R2 unavailable) waits for
    // the next run and holds up nothing else.
    report.exported_days = super::export::to_r2(env, now).await.unwrap_or(0);
    // 4. Roll-ups and retention, per site.
    #[derive(Deserialize)]
    struct Retention {
        id: String,
        retention_days: i64,
        journey_days: i64,
        rolled_day: Option<i64>,
        time_zone: String,
    }
    let sites: Vec<Retention> = db::rows(
        &env.db,
        "SELECT id, retention_days, journey_days, time_zone, CASE WHEN rolled_through = '' THEN NULL \
         ELSE CAST(julianday(rolled_through) - 2440587.5 AS INTEGER) END AS rolled_day FROM sites",
        args![],
    )
    .await?;
    for site in sites {
        let cutoff = now - site.retention_days * 86_400_000;
        let windows = rollup::Windows {
            retention_days: site.retention_days,
            journey_days: site.journey_days,
        };
        // Days in the site's time zone (office hours use the same one); an
        // unknown name rolls up UTC days.
        let zone = super::zones::site_zone(&site.time_zone);
        roll_up(
            env,
            &site.id,
            zone,
            windows,
            site.rolled_day,
            now,
            &mut report,
        )
        .await?;
        let cutoff_text = cutoff.to_string();
        report.expired_conversations += erase_conversations(
            &env.db,
            "site_id = ?1 AND ((status = 'closed' AND closed_at < ?2) OR updated_at < ?2)",
            &[&site.id, &cutoff_text],
        )
        .await?;
        db::run(
            &env.db,
            "DELETE FROM webhook_deliveries WHERE site_id = ?1 AND created_at < ?2",
            args![&site.id, cutoff],
        )
        .await?;
        // Outbound events (and their delivery log) are kept no longer.
        db::run(
            &env.db,
            "DELETE FROM destination_deliveries WHERE event_id IN \
             (SELECT id FROM outbound_events WHERE site_id = ?1 AND created_at < ?2)",
            args![&site.id, cutoff],
        )
        .await?;
        db::run(
            &env.db,
            "DELETE FROM outbound_events WHERE site_id = ?1 AND created_at < ?2",
            args![&site.id, cutoff],
        )
        .await?;
    }
    // 5. Last, so a slow or failed training holds up nothing else; a
    // failure is logged and the site is tried again on the next run.
    report.trained_site_models = super::site_model::train_due(env, now).await.unwrap_or(0);
    Ok(report)
}

/// The roll-up of one day from raw events (`domain::rollup::roll_up` in SQL):
/// `?1` site, `?2` the day as text (its date in the site's time zone),
/// `?3`..`?4` its span in ms.
const ROLL_UP_DAY: &str = "INSERT INTO daily_touchpoints (site_id, day, path, page_type, channel, source_name, \
    utm_campaign, views, visitors, landings, engaged_ms) \
    SELECT ?1, ?2, path, page_type, channel, source_name, utm_campaign, SUM(kind = 'pageview'), \
    COUNT(DISTINCT CASE WHEN visitor_id != '' THEN 'i' || visitor_id WHEN visitor_key != '' THEN 'k' || visitor_key END), \
    SUM(kind = 'pageview' AND channel NOT IN ('', 'internal')), \
    SUM(CASE WHEN kind = 'engagement' THEN engaged_ms ELSE 0 END) \
    FROM events WHERE site_id = ?1 AND occurred_at >= ?3 AND occurred_at < ?4 \
    AND kind IN ('pageview', 'engagement') GROUP BY path, page_type, channel, source_name, utm_campaign";

/// Rolls up the site's newly final days, then deletes raw events past the
/// journey window (only once rolled up) and roll-ups past the retention.
async fn roll_up(
    env: &Env,
    site: &str,
    zone: super::zones::IntlZone,
    windows: rollup::Windows,
    rolled_day: Option<i64>,
    now: i64,
    report: &mut Report,
) -> Result<(), ApiError> {
    #[derive(Deserialize)]
    struct First {
        first: Option<i64>,
    }
    let after = rolled_day.map_or(0, |day| rollup::day_start_in(&zone, day + 1));
    let first: Option<First> = db::row(
        &env.db,
        "SELECT MIN(occurred_at) AS first FROM events WHERE site_id = ?1 AND occurred_at >= ?2",
        args![site, after],
    )
    .await?;
    let next_event_day = first
        .and_then(|f| f.first)
        .map(|at| rollup::day_in(&zone, at));
    let plan = rollup::plan_in(&zone, now, windows, rolled_day, next_event_day);
    for &day in &plan.days {
        let text = utc_day(day * rollup::DAY_MS);
        // Replaces the day whole: a run cut short is simply done again.
        db::batch(
            &env.db,
            vec![
                env.db.statement(
                    "DELETE FROM daily_touchpoints WHERE site_id = ?1 AND day = ?2",
                    args![site, &text],
                ),
                env.db.statement(
                    ROLL_UP_DAY,
                    args![
                        site,
                        &text,
                        rollup::day_start_in(&zone, day),
                        rollup::day_start_in(&zone, day + 1)
                    ],
                ),
            ],
        )
        .await?;
        report.rolled_up_days += 1;
    }
    if plan.rolled_through != rolled_day {
        if let Some(day) = plan.rolled_through {
            db::run(
                &env.db,
                "UPDATE sites SET rolled_through = ?2 WHERE id = ?1",
                args![site, &utc_day(day * rollup::DAY_MS)],
            )
            .await?;
        }
    }
    report.expired_touchpoints += db::run(
        &env.db,
        "DELETE FROM events WHERE site_id = ?1 AND occurred_at < ?2",
        args![site, plan.delete_events_before_ms],
    )
    .await?;
    // Dropped-event counts are kept as long as the roll-ups they sit beside.
    let keep_from = utc_day(plan.delete_rollups_before_day * rollup::DAY_MS);
    for delete in [
        "DELETE FROM daily_touchpoints WHERE site_id = ?1 AND day < ?2",
        "DELETE FROM dropped_events WHERE site_id = ?1 AND day < ?2",
    ] {
        db::run(&env.db, delete, args![site, &keep_from]).await?;
    }
    Ok(())
}

fn summary(due: &Due) -> String {
    let mut s = due.topic.clone();
    if !due.sentiment.is_empty() {
        s.push_str(", ");
        s.push_str(&due.sentiment);
    }
    s
}

#[derive(Deserialize)]
struct Delivery {
    id: i64,
    url: String,
    body: String,
    event: String,
    attempts: i64,
    webhook_secret: String,
    /// The team's webhook now: a delivery goes only where it was queued for,
    /// and only while that is still the team's webhook.
    webhook_url: String,
}

/// Posts each due delivery, signed; failures are retried with backoff.
async fn deliver(env: &Env, now: i64, report: &mut Report) -> Result<(), ApiError> {
    let due: Vec<Delivery> = db::rows(
        &env.db,
        "SELECT d.id, d.url, d.body, d.event, d.attempts, t.webhook_secret, t.webhook_url FROM webhook_deliveries d \
         JOIN teams t ON t.site_id = d.site_id AND t.id = d.team_id \
         WHERE d.status = 'pending' AND d.next_attempt_at <= ?1 ORDER BY d.id LIMIT 50",
        args![now],
    )
    .await?;
    for delivery in due {
        if delivery.webhook_url != delivery.url {
            // Moved or removed since: the old address is not sent what waits
            // (signed with the new secret, or none), nor the new one a body
            // made for the old (its receiver may want another format).
            // Shown in the log. (A format changed at the same address
            // leaves queued bodies in the format they were made in.)
            db::run(
                &env.db,
                "UPDATE webhook_deliveries SET status = 'failed', last_status = 0, last_error = ?2, \
                 next_attempt_at = 0 WHERE id = ?1",
                args![delivery.id, "not sent: the team's webhook was changed or removed after this was queued"],
            )
            .await?;
            continue;
        }
        let attempt = u32::try_from(delivery.attempts + 1).unwrap_or(u32::MAX);
        let signature = webhook::signature(&delivery.webhook_secret, now / 1000, &delivery.body);
        let headers = [
            ("x-touchpoint-signature", signature),
            ("x-touchpoint-event", delivery.event.clone()),
        ];
        let outcome = super::destinations::post(
            &delivery.url,
            &headers,
            &delivery.body,
            env.delivery_timeout_ms,
        )
        .await;
        match outcome {
            Ok(status) if (200..300).contains(&status) => {
                db::run(
                    &env.db,
                    "UPDATE webhook_deliveries SET status = 'delivered', attempts = ?2, last_status = ?3, \
                     last_error = '', delivered_at = ?4 WHERE id = ?1",
                    args![delivery.id, i64::from(attempt), i64::from(status), now],
                )
                .await?;
                report.delivered += 1;
            }
            other => {
                let (status, error) = match other {
                    Ok(status) => (status, String::from("non-2xx answer")),
                    Err(error) => (0, error),
                };
                let next = webhook::retry_delay_s(attempt);
                db::run(
                    &env.db,
                    "UPDATE webhook_deliveries SET status = ?2, attempts = ?3, last_status = ?4, last_error = ?5, \
                     next_attempt_at = ?6 WHERE id = ?1",
                    args![
                        delivery.id,
                        if next.is_some() { "pending" } else { "failed" },
                        i64::from(attempt),
                        i64::from(status),
                        &error,
                        now + i64::from(next.unwrap_or(0)) * 1000
                    ],
                )
                .await?;
                report.failed_attempts += 1;
            }
        }
    }
    Ok(())
}
