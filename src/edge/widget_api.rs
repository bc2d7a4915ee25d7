//! The visitor side of the contact channel, called by the widget: who is
//! there, starting a conversation, writing, polling, read markers, deleting,
//! and a verified visitor's history on another device.

use serde::Deserialize;
use web_sys::{Request, Response};

use super::http::{bearer, client_ip, header, query, read_json};
use super::runtime::{now_ms, random16};
use super::sites::{load_site, load_teams, Site, Team, TeamHours};
use super::threads::{self, Append, ConversationRow};
use super::{db, destinations, http, limits, Env};
use crate::args;
use crate::domain::api::ApiError;
use crate::domain::conversation::{
    self, check_message_extras, check_short, check_text, secret, Identity, NewMessage,
    ReplyPreference, StartConversation, Status,
};
use crate::domain::guard;
use crate::domain::response_time::{typical_first_response, Observation};
use crate::domain::visitor_key as cookieless;
use crate::domain::wire::visitor::{
    Availability, ConversationSummary, History, HistoryItem, Poll, Sent, Started, TeamAvailability,
};
use crate::domain::zone::TimeZones;

/// The site, after checking the page's origin against its allow-list.
pub async fn site_for_origin(
    env: &Env,
    site: &str,
    origin: Option<&str>,
) -> Result<Site, ApiError> {
    let site = load_site(env, site).await?;
    if !site.origins().allows(origin) {
        return Err(ApiError::OriginNotAllowed);
    }
    Ok(site)
}

/// `GET /v1/availability?site=…`: each visible team's real state.
pub async fn availability(
    request: &Request,
    env: &Env,
    origin: Option<&str>,
) -> Result<Response, ApiError> {
    let site_id = query(request, "site")
        .ok_or_else(|| ApiError::InvalidRequest("the site query parameter is required".into()))?;
    let site = site_for_origin(env, &site_id, origin).await?;
    http::json_response(200, &availability_of(env, site).await?, origin)
}

/// Who is there now: each visible team's hours, staff online and typical
/// first response. Answered by `GET /v1/availability` and pushed to open
/// widgets when staff presence changes. Four queries whatever the number of
/// teams (two per team before: ten for the demo's four, one after another).
pub async fn availability_of(env: &Env, site: Site) -> Result<Availability, ApiError> {
    let now = now_ms();
    let online = threads::staff_online_by_team(&env.db, &site.id, now).await?;
    let responses = first_responses(env, &site.id, now).await?;
    // Every team keeps the site's hours zone: looked up once.
    let zone = super::zones::Intl.zone(&site.time_zone);
    let mut teams = Vec::new();
    for team in load_teams(env, &site.id).await? {
        if team.visible == 0 {
            continue;
        }
        let hours = team.hours(&site.time_zone);
        let schedule = zone.clone().map(|zone| hours.schedule_in(zone));
        // The reason of the closure going on by the site's date, or of the
        // one that keeps the team closed until it reopens: what the visitor
        // is told beside "closed" (the widget reads it as it is).
        let (state, today, reopens) = match &schedule {
            Some(Ok(schedule)) => {
                let state = schedule.availability(now);
                let reopens = state.next_opening.and_then(|at| schedule.local_date(at));
                (state, schedule.local_date(now), reopens)
            }
            _ => (
                crate::domain::hours::Availability {
                    open: false,
                    closes_at: None,
                    next_opening: None,
                },
                None,
                None,
            ),
        };
        let closure_reason =
            today.and_then(|day| hours.closure_reason(day, reopens).map(str::to_owned));
        let staff_online: Vec<String> = online
            .iter()
            .filter(|(of, _)| *of == team.id)
            .map(|(_, name)| name.clone())
            .collect();
        // With nobody there (closed, away, or no staff at all) the wait is
        // until someone comes: a typical reply time in minutes, measured
        // when people were there, would promise what nobody can keep.
        let answering = !staff_online.is_empty();
        teams.push(TeamAvailability {
            typical_first_response: typical_first_response(
                &responses
                    .iter()
                    .filter(|(of, _)| *of == team.id)
                    .map(|&(_, observation)| observation)
                    .collect::<Vec<_>>(),
            )
            .filter(|_| answering),
            staff_online,
            id: team.id,
            name: team.name,
            open: state.open,
            closes_at: state.closes_at,
            next_opening: state.next_opening,
            closure_reason,
            hours: TeamHours {
                weekly: hours.weekly,
                closures: hours.closures,
            },
        });
    }
    Ok(Availability {
        routing: site.routing(),
        default_team: site.default_team.clone(),
        site: site.id,
        time_zone: site.time_zone,
        now,
        teams,
    })
}

/// Each team's first responses over the last 30 days (its newest 500
/// conversations), from which its typical first-response time is read: pairs
/// of team id and observation (a list: sites have a handful of teams, and a
/// map cost the worker 3 KB).
async fn first_responses(
    env: &Env,
    site: &str,
    now: i64,
) -> Result<Vec<(String, Observation)>, ApiError> {
    #[derive(Deserialize)]
    struct Timing {
        team_id: String,
        created_at: i64,
        first_response_at: i64,
        status: Status,
    }
    let rows: Vec<Timing> = db::rows(
        &env.db,
        "SELECT team_id, created_at, first_response_at, status FROM ( \
           SELECT team_id, created_at, first_response_at, status, \
             ROW_NUMBER() OVER (PARTITION BY team_id ORDER BY created_at DESC) AS newest \
           FROM conversations WHERE site_id = ?1 AND created_at > ?2) \
         WHERE newest <= 500",
        args![site, now - 30 * 86_400_000],
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let closed = row.status == Status::Closed;
            Observation::of(row.created_at, row.first_response_at, closed, now)
                .map(|observation| (row.team_id, observation))
        })
        .collect())
}

/// The routed team's hours against a callback window
/// (`conversation::check_callback_hours`); a team or zone that no longer
/// exists does not refuse it.
fn check_callback_window(
    site: &Site,
    teams: &[Team],
    team: &str,
    from: i64,
    to: i64,
) -> Result<(), ApiError> {
    let Some(team) = teams.iter().find(|t| t.id == team) else {
        return Ok(());
    };
    let Some(zone) = super::zones::Intl.zone(&site.time_zone) else {
        return Ok(());
    };
    conversation::check_callback_hours(&team.hours(&site.time_zone), zone, from, to)
}

/// `POST /v1/conversations`.
pub async fn start(
    request: &Request,
    env: &Env,
    origin: Option<&str>,
) -> Result<Response, ApiError> {
    let body: StartConversation = read_json(request).await?;
    let now = now_ms();
    conversation::check_start(&body, now)?;
    let site = site_for_origin(env, &body.site, origin).await?;
    let ip = client_ip(request);
    let user_agent = header(request, "user-agent").unwrap_or_default();
    // People write here; crawlers and scripts are told so, before any limit is charged.
    if crate::domain::bots::is_bot(&user_agent, &site.bots(), super::ingest::listed_as_bot) {
        return Err(ApiError::AutomatedClient);
    }
    let salt = super::ingest::daily_salt(env, now).await?;
    let device_key = cookieless::visitor_key(&salt, &site.id, &ip, &user_agent);
    // A visitor who opted out (the page saw it, or the browser says so in
    // its headers) gets a conversation no touchpoint is linked to.
    let opted_out = body.dnt
        || cookieless::opted_out_by_headers(
            header(request, "dnt").as_deref(),
            header(request, "sec-gpc").as_deref(),
        );
    let visitor_key = if opted_out {
        cookieless::unlinked(&device_key)
    } else {
        device_key
    };
    let visitor_id = if opted_out {
        ""
    } else {
        body.visitor_id.as_str()
    };
    limits::charge(
        &env.db,
        &[
            (
                limits::network_key("conv-ip", &ip),
                guard::CONVERSATIONS_PER_IP_PER_MINUTE,
            ),
            (
                limits::key("conv-visitor", &visitor_key),
                guard::CONVERSATIONS_PER_VISITOR_PER_MINUTE,
            ),
        ],
        1,
        now,
    )
    .await?;
    let teams = load_teams(env, &site.id).await?;
    if let Some(retried) = started_before(env, &site.id, &visitor_key, &body, now).await? {
        return answer_retry(env, retried, &teams, &body, origin, now).await;
    }
    let visible: Vec<String> = teams
        .iter()
        .filter(|t| t.visible != 0)
        .map(|t| t.id.clone())
        .collect();
    if visible.is_empty() {
        return Err(ApiError::Conflict(
            "this site has no team to talk to yet".into(),
        ));
    }
    let screened = threads::screen(
        env,
        &site.id,
        &body.message.text,
        body.message.labels.as_ref(),
    )
    .await?;
    let default_team = crate::domain::inbox::default_team(&visible, &site.default_team)
        .unwrap_or_default()
        .to_owned();
    let team = conversation::route_to_team(
        &screened.edge.topic,
        body.team.as_deref(),
        &site.routing(),
        &visible,
        &default_team,
    );
    if let ReplyPreference::Phone { from, to, .. } = &body.reply {
        check_callback_window(&site, &teams, &team, (*from).max(now), *to)?;
    }
    let user_id = verified_user(&site, body.user.as_ref());
    let id = crate::domain::ids::event_id(random16()?);
    let token = secret::new("tpv_", random16()?);
    let reply = body.reply.stored();
    let insert = env.db.statement(
        "INSERT INTO conversations (id, site_id, team_id, status, channel, visitor_key, visitor_id, user_id, \
         visitor_name, locale, reply_channel, reply_email, reply_phone, callback_from, callback_to, topic, \
         sentiment, kind, confidence, created_at, updated_at, last_visitor_at, expectation_gap, start_client_id) \
         VALUES (?1, ?2, ?3, 'waiting', 'widget', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18, ?18, ?19, ?20)",
        args![
            &id,
            &site.id,
            &team,
            &visitor_key,
            visitor_id,
            user_id,
            &conversation::stored_name(&body.name),
            conversation::stored_locale(&body.locale),
            reply.channel,
            reply.email,
            &reply.phone,
            reply.from,
            reply.to,
            &screened.edge.topic,
            &screened.edge.sentiment,
            screened.edge.kind,
            screened.edge.topic_confidence,
            now,
            i64::from(screened.edge.expectation_gap),
            body.message.client_id.as_deref().unwrap_or_default(),
        ],
    );
    let token_row = env.db.statement(
        "INSERT INTO conversation_tokens (conversation_id, token_hash, created_at) VALUES (?1, ?2, ?3)",
        args![&id, &secret::hash(&token), now],
    );
    let message = Append::visitor(&screened, body.message.client_id.as_deref());
    // The conversation, the token and the first message land together or not at all.
    let mut statements = vec![
        insert,
        token_row,
        threads::insert_statement(&env.db, &id, &message, now),
    ];
    // A visitor who corrects the team corrects the topic: training feedback.
    let rules = site.routing();
    if let Some(topic) = body.team.as_deref().and_then(|choice| {
        conversation::visitor_correction(
            &screened.edge.topic,
            choice,
            &rules,
            &visible,
            &default_team,
        )
    }) {
        statements.push(env.db.statement(
            "INSERT INTO label_corrections (site_id, message_id, staff_id, text, topic, sentiment, kind, created_at) \
             SELECT ?1, id, 'visitor', text, ?2, '', '', ?3 FROM messages WHERE conversation_id = ?4 ORDER BY id LIMIT 1",
            args![&site.id, topic, now, &id],
        ));
    }
    if let db::Claim::Taken(refusal) = db::batch_unless_taken(&env.db, statements).await? {
        // The same first message sent again while this one was stored (two
        // sends at once): the unique start client id refused this copy as
        // a whole, and the conversation the other stored is the answer.
        return match started_before(env, &site.id, &visitor_key, &body, now).await? {
            Some(retried) => answer_retry(env, retried, &teams, &body, origin, now).await,
            // Refused, yet nothing has its client id: D1's words, for the operator.
            None => Err(super::runtime::unavailable(&refusal, "start conversation")),
        };
    }
    let stored = threads::messages_after(&env.db, &id, 0).await?;
    let first = stored.first().ok_or(ApiError::Internal)?;
    destinations::conversation_created(env, &site.id, &id, first, &screened, now).await;
    let thread = super::live::Thread {
        id: &id,
        site: &site.id,
        team: &team,
        status: Status::Waiting,
    };
    super::live::notify(env, thread, Some(first), None).await;
    let online = !threads::staff_online(&env.db, &site.id, &team, now)
        .await?
        .is_empty();
    let team_name = teams
        .iter()
        .find(|t| t.id == team)
        .map(|t| t.name.clone())
        .unwrap_or_default();
    http::json_response(
        201,
        &Started {
            conversation: ConversationSummary {
                id,
                team,
                team_name,
                status: Status::Waiting,
                reply: match &body.reply {
                    // As stored: folded, its extension spelled one way.
                    ReplyPreference::Phone { from, to, .. } => ReplyPreference::Phone {
                        phone: reply.phone.clone(),
                        from: *from,
                        to: *to,
                    },
                    other => other.clone(),
                },
                created_at: now,
            },
            visitor_token: token,
            message: first.for_visitor(),
            redacted_at_edge: missed(&screened.missed),
            poll_interval_ms: conversation::poll_interval_ms(Status::Waiting, online),
        },
        origin,
    )
}

/// How long a conversation's first message can be sent again and find the
/// conversation it started (the widget retries within seconds; a day
/// covers a tab left open offline).
const START_RETRY_WITHIN_MS: i64 = 24 * 60 * 60 * 1000;

/// The conversation this visitor started with the same first message (the
/// same client id) in the last day: the widget sends it again when the
/// answer was lost. The client id is random and the visitor key ties it to
/// the same device, so no one else's conversation is found.
async fn started_before(
    env: &Env,
    site: &str,
    visitor_key: &str,
    body: &StartConversation,
    now: i64,
) -> Result<Option<ConversationRow>, ApiError> {
    let Some(client_id) = body.message.client_id.as_deref() else {
        return Ok(None);
    };
    db::row(
        &env.db,
        "SELECT c.* FROM messages m JOIN conversations c ON c.id = m.conversation_id \
         WHERE m.client_id = ?1 AND m.author = 'visitor' AND c.site_id = ?2 AND c.visitor_key = ?3 \
         AND c.channel = 'widget' AND c.created_at > ?4 \
         AND m.id = (SELECT MIN(id) FROM messages WHERE conversation_id = c.id) LIMIT 1",
        args![client_id, site, visitor_key, now - START_RETRY_WITHIN_MS],
    )
    .await
}

/// The answer to a first message sent again: the conversation it started,
/// with a new visitor token (the first answer's was lost with it; both
/// open the conversation), 200 instead of 201. Nothing else is stored; the
/// same client id with another text or another way to answer is 409.
async fn answer_retry(
    env: &Env,
    conversation: ConversationRow,
    teams: &[Team],
    body: &StartConversation,
    origin: Option<&str>,
    now: i64,
) -> Result<Response, ApiError> {
    let stored = threads::messages_after(&env.db, &conversation.id, 0).await?;
    let first = stored.first().ok_or(ApiError::Internal)?;
    // The same id for another first message is a client reusing ids: 409.
    let sent = crate::domain::pii::redact(&body.message.text).redacted;
    conversation::check_retry(
        (first.author, &first.text),
        (conversation::Author::Visitor, &sent),
    )?;
    let asked = conversation::StoredReply {
        channel: &conversation.reply_channel,
        email: &conversation.reply_email,
        phone: conversation.reply_phone.clone(),
        from: conversation.callback_from,
        to: conversation.callback_to,
    };
    conversation::check_retry_reply(&asked, &body.reply.stored())?;
    let token = new_visitor_token(env, &conversation.id, now).await?;
    let online = !threads::staff_online(&env.db, &conversation.site_id, &conversation.team_id, now)
        .await?
        .is_empty();
    http::json_response(
        200,
        &Started {
            conversation: summary(&conversation, teams),
            visitor_token: token,
            message: first.for_visitor(),
            redacted_at_edge: Vec::new(),
            poll_interval_ms: conversation::poll_interval_ms(conversation.status, online),
        },
        origin,
    )
}

/// Another visitor token for a conversation that already has one (a retried
/// start, another device of a verified user); every token opens it.
async fn new_visitor_token(env: &Env, conversation: &str, now: i64) -> Result<String, ApiError> {
    let token = secret::new("tpv_", random16()?);
    db::run(
        &env.db,
        "INSERT INTO conversation_tokens (conversation_id, token_hash, created_at) VALUES (?1, ?2, ?3)",
        args![conversation, &secret::hash(&token), now],
    )
    .await?;
    Ok(token)
}

/// The site's user id when `identify(userId, hmac)` verified, else empty.
fn verified_user<'a>(site: &Site, user: Option<&'a Identity>) -> &'a str {
    match user {
        Some(user) if guard::identity_verified(&site.identity_secret, &user.id, &user.hmac) => {
            &user.id
        }
        _ => "",
    }
}

/// The conversation the bearer visitor token opens, after the origin check.
pub async fn authorize(
    request: &Request,
    env: &Env,
    origin: Option<&str>,
    id: &str,
) -> Result<ConversationRow, ApiError> {
    let token = bearer(request).ok_or(ApiError::Unauthorized)?;
    #[derive(Deserialize)]
    struct Token {
        token_hash: String,
    }
    let hashes: Vec<Token> = db::rows(
        &env.db,
        "SELECT token_hash FROM conversation_tokens WHERE conversation_id = ?1",
        args![id],
    )
    .await?;
    let presented = secret::hash(&token);
    // Check every stored hash, so the time taken does not tell which matched.
    let matched = hashes.iter().fold(false, |found, t| {
        guard::constant_time_eq(t.token_hash.as_bytes(), presented.as_bytes()) | found
    });
    if !matched {
        return Err(ApiError::Unauthorized);
    }
    let conversation = threads::load(&env.db, id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    site_for_origin(env, &conversation.site_id, origin).await?;
    Ok(conversation)
}

/// `GET /v1/conversations/{id}/messages?after=…`.
pub async fn messages(
    request: &Request,
    env: &Env,
    origin: Option<&str>,
    id: &str,
) -> Result<Response, ApiError> {
    let conversation = authorize(request, env, origin, id).await?;
    let after = match query(request, "after") {
        None => 0,
        Some(text) => text.parse::<i64>().map_err(|_| {
            ApiError::InvalidRequest("after must be a message id (an integer)".into())
        })?,
    };
    let rows = threads::messages_after(&env.db, id, after).await?;
    let cursor = rows.last().map_or(after, |m| m.id);
    #[derive(Deserialize)]
    struct Unread {
        n: u32,
    }
    let unread: Option<Unread> = db::row(
        &env.db,
        "SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ?1 AND author = 'staff' AND id > ?2",
        args![id, conversation.visitor_read_id],
    )
    .await?;
    let online = !threads::staff_online(
        &env.db,
        &conversation.site_id,
        &conversation.team_id,
        now_ms(),
    )
    .await?
    .is_empty();
    http::json_response(
        200,
        &Poll {
            messages: rows.iter().map(|m| m.for_visitor()).collect(),
            cursor,
            status: conversation.status,
            team: conversation.team_id.clone(),
            staff_read_id: conversation.staff_read_id,
            unread: unread.map_or(0, |u| u.n),
            poll_interval_ms: conversation::poll_interval_ms(conversation.status, online),
        },
        origin,
    )
}

/// `POST /v1/conversations/{id}/messages`.
pub async fn send(
    request: &Request,
    env: &Env,
    origin: Option<&str>,
    id: &str,
) -> Result<Response, ApiError> {
    let conversation = authorize(request, env, origin, id).await?;
    let body: NewMessage = read_json(request).await?;
    check_text("text", &body.text)?;
    check_message_extras(&body)?;
    let now = now_ms();
    limits::charge(
        &env.db,
        &[
            (
                limits::network_key("msg-ip", &client_ip(request)),
                guard::MESSAGES_PER_IP_PER_MINUTE,
            ),
            (
                limits::key("msg-conv", &conversation.id),
                guard::MESSAGES_PER_CONVERSATION_PER_MINUTE,
            ),
            (
                limits::key("msg-visitor", &conversation.visitor_key),
                guard::MESSAGES_PER_CONVERSATION_PER_MINUTE * 2,
            ),
        ],
        1,
        now,
    )
    .await?;
    let screened =
        threads::screen(env, &conversation.site_id, &body.text, body.labels.as_ref()).await?;
    let message = Append::visitor(&screened, body.client_id.as_deref());
    let (row, new) = threads::append(
        &env.db,
        id,
        &message,
        "UPDATE conversations SET status = 'waiting', last_visitor_at = ?2, updated_at = ?2, \
         closed_at = 0, escalated_at = CASE WHEN status = 'waiting' THEN escalated_at ELSE 0 END WHERE id = ?1",
        "",
        now,
    )
    .await?;
    if new {
        destinations::message_created(env, &conversation.site_id, id, &row, Some(&screened), now)
            .await;
        let thread = super::live::Thread {
            status: Status::Waiting,
            ..super::live::Thread::from(&conversation)
        };
        super::live::notify(env, thread, Some(&row), None).await;
    }
    http::json_response(
        if new { 201 } else { 200 },
        &Sent {
            message: row.for_visitor(),
            redacted_at_edge: if new {
                missed(&screened.missed)
            } else {
                Vec::new()
            },
            duplicate: !new,
        },
        origin,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadMarker {
    up_to: i64,
}

/// `POST /v1/conversations/{id}/read`: the visitor has seen up to a message.
pub async fn read(
    request: &Request,
    env: &Env,
    origin: Option<&str>,
    id: &str,
) -> Result<Response, ApiError> {
    let before = authorize(request, env, origin, id).await?;
    let body: ReadMarker = read_json(request).await?;
    db::run(
        &env.db,
        "UPDATE conversations SET visitor_read_id = MAX(visitor_read_id, \
         MIN(?2, (SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = ?1))) WHERE id = ?1",
        args![id, body.up_to],
    )
    .await?;
    let conversation = threads::load(&env.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if conversation.visitor_read_id > before.visitor_read_id {
        super::live::read_receipt(env, &conversation).await;
    }
    http::json_response(
        200,
        &serde_json::json!({ "visitor_read_id": conversation.visitor_read_id }),
        origin,
    )
}

/// `DELETE /v1/conversations/{id}`: the visitor erases the conversation and
/// its messages. Nothing of it remains.
pub async fn delete(
    request: &Request,
    env: &Env,
    origin: Option<&str>,
    id: &str,
) -> Result<Response, ApiError> {
    let conversation = authorize(request, env, origin, id).await?;
    super::http::read_no_body(request).await?;
    threads::erase_conversations(&env.db, "id = ?1", &[id]).await?;
    super::live::conversations_deleted(env, &[id.to_owned()]).await;
    let visitor = if conversation.visitor_id.is_empty() {
        &conversation.user_id
    } else {
        &conversation.visitor_id
    };
    destinations::visitor_erased(
        env,
        &conversation.site_id,
        visitor,
        vec![id.to_owned()],
        Vec::new(),
        now_ms(),
    )
    .await;
    http::json_response(200, &serde_json::json!({ "deleted": true }), origin)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryRequest {
    site: String,
    user: Identity,
}

/// `POST /v1/identity/conversations`: a visitor the site vouched for (a
/// verified `identify`) sees their conversations on this device too. Each
/// comes with a new visitor token for this device.
pub async fn history(
    request: &Request,
    env: &Env,
    origin: Option<&str>,
) -> Result<Response, ApiError> {
    let body: HistoryRequest = read_json(request).await?;
    check_short("site", &body.site, true)?;
    let site = site_for_origin(env, &body.site, origin).await?;
    let user = verified_user(&site, Some(&body.user));
    if user.is_empty() {
        // An unverified id is never trusted for history.
        return Err(ApiError::Unauthorized);
    }
    let now = now_ms();
    let conversations: Vec<ConversationRow> = db::rows(
        &env.db,
        "SELECT * FROM conversations WHERE site_id = ?1 AND user_id = ?2 ORDER BY created_at DESC LIMIT 20",
        args![&site.id, user],
    )
    .await?;
    let teams = load_teams(env, &site.id).await?;
    let mut items = Vec::new();
    for conversation in conversations {
        let token = new_visitor_token(env, &conversation.id, now).await?;
        let messages = threads::messages_after(&env.db, &conversation.id, 0).await?;
        items.push(HistoryItem {
            conversation: summary(&conversation, &teams),
            visitor_token: token,
            messages: messages.iter().map(|m| m.for_visitor()).collect(),
        });
    }
    http::json_response(
        200,
        &History {
            conversations: items,
        },
        origin,
    )
}

pub fn summary(conversation: &ConversationRow, teams: &[Team]) -> ConversationSummary {
    let reply = match conversation.reply_channel.as_str() {
        "email" => ReplyPreference::Email {
            email: conversation.reply_email.clone(),
        },
        "phone" => ReplyPreference::Phone {
            phone: conversation.reply_phone.clone(),
            from: conversation.callback_from,
            to: conversation.callback_to,
        },
        _ => ReplyPreference::Here,
    };
    ConversationSummary {
        id: conversation.id.clone(),
        team: conversation.team_id.clone(),
        team_name: teams
            .iter()
            .find(|t| t.id == conversation.team_id)
            .map(|t| t.name.clone())
            .unwrap_or_default(),
        status: conversation.status,
        reply,
        created_at: conversation.created_at,
    }
}

/// The kinds of personal data the edge removed that the browser had not.
fn missed(kinds: &[&'static str]) -> Vec<String> {
    kinds.iter().map(|kind| (*kind).to_owned()).collect()
}
