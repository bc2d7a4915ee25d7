//! The staff side, called by the console with a personal bearer token: who am
//! I, presence, the inbox, one conversation with its journey, replying as
//! oneself, claiming and assigning, closing and reopening, and correcting
//! labels (kept as training lines for `touchpoint train`).
//!
//! This is the only place where a message authored by staff is created, and
//! only after the token of that staff member was verified.

use serde::{Deserialize, Serialize};
use web_sys::{Request, Response};

use super::http::{bearer, client_ip, private_json as json, query, read_json};
use super::runtime::now_ms;
use super::sites::{load_teams, Team};
use super::threads::{self, Append, ConversationRow};
use super::{db, destinations, http, limits, live, scheduled, Env};
use crate::args;
use crate::domain::api::ApiError;
use crate::domain::classify::{KINDS, SENTIMENTS, TOPICS};
use crate::domain::conversation::{
    check_short, check_text, secret, Author, Labels, Notice, Status,
};
use crate::domain::destination::events;
use crate::domain::guard;
use crate::domain::webhook;
use crate::domain::wire::staff::{
    Colleague, Colleagues, ConversationResult, ConversationView, CorrectionResult, Earlier, Inbox,
    InboxRow, Me, StaffReply, TeamName, Touchpoint,
};

/// A staff account.
#[derive(Debug, Clone, Deserialize)]
pub struct StaffRow {
    pub id: String,
    pub site_id: String,
    pub name: String,
    pub role: String,
    pub teams: String,
    pub token_hash: String,
    pub presence: String,
    pub last_seen_at: i64,
}

impl StaffRow {
    pub fn team_ids(&self) -> Vec<String> {
        serde_json::from_str(&self.teams).unwrap_or_default()
    }

    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }

    /// Whether this person may work on conversations of `team`.
    pub fn works_in(&self, team: &str) -> bool {
        self.is_admin() || self.team_ids().iter().any(|t| t == team)
    }
}

/// Verifies the bearer staff token (`tps_<staff id>.<secret>`) in constant
/// time against its stored hash. Failed attempts are limited per IP and per
/// staff id; a right token is always let in (`guard::judge_sign_in`).
pub async fn authorize(request: &Request, env: &Env) -> Result<StaffRow, ApiError> {
    let now = now_ms();
    let ip = client_ip(request);
    // No credential at all guesses nothing: 401, not counted as a failure.
    let Some(token) = bearer(request) else {
        return Err(ApiError::Unauthorized);
    };
    let staff_id = crate::domain::staff_account::token_staff_id(&token).unwrap_or_default();
    let staff: Option<StaffRow> = if staff_id.is_empty() {
        None
    } else {
        db::row(
            &env.db,
            "SELECT * FROM staff WHERE id = ?1",
            args![staff_id],
        )
        .await?
    };
    let presented = secret::hash(&token);
    match staff {
        Some(staff)
            if guard::constant_time_eq(staff.token_hash.as_bytes(), presented.as_bytes()) =>
        {
            // Seeing the console counts as being around (presence decays otherwise).
            db::run(
                &env.db,
                "UPDATE staff SET last_seen_at = ?2 WHERE id = ?1",
                args![&staff.id, now],
            )
            .await?;
            Ok(staff)
        }
        // A revoked account's token is refused as such, however many wrong
        // guesses its id has drawn: its console must hear 401 and sign out.
        Some(staff) if staff.token_hash.is_empty() => Err(ApiError::Unauthorized),
        _ => Err(limits::sign_in_failed(&env.db, &ip, staff_id, now).await),
    }
}

/// The conversation, when this staff member may act on it: other sites'
/// conversations do not exist for them (404); other teams' are forbidden (403).
pub async fn conversation_for(
    env: &Env,
    staff: &StaffRow,
    id: &str,
) -> Result<ConversationRow, ApiError> {
    let conversation = threads::load(&env.db, id)
        .await?
        .filter(|c| c.site_id == staff.site_id)
        .ok_or(ApiError::NotFound)?;
    if !staff.works_in(&conversation.team_id) {
        return Err(ApiError::Forbidden);
    }
    Ok(conversation)
}

fn me_of(staff: &StaffRow) -> Me {
    Me {
        id: staff.id.clone(),
        site: staff.site_id.clone(),
        name: staff.name.clone(),
        role: staff.role.clone(),
        teams: staff.team_ids(),
        presence: staff.presence.clone(),
    }
}

/// `GET /v1/staff/me`.
pub async fn me(request: &Request, env: &Env) -> Result<Response, ApiError> {
    let staff = authorize(request, env).await?;
    json(200, &me_of(&staff))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PresenceRequest {
    presence: String,
}

/// `PUT /v1/staff/presence`: `online` or `away`; visitors see it at once.
pub async fn presence(request: &Request, env: &Env) -> Result<Response, ApiError> {
    let mut staff = authorize(request, env).await?;
    let body: PresenceRequest = read_json(request).await?;
    if !matches!(body.presence.as_str(), "online" | "away") {
        return Err(ApiError::InvalidRequest(
            "presence must be \"online\" or \"away\"".into(),
        ));
    }
    db::run(
        &env.db,
        "UPDATE staff SET presence = ?2, last_seen_at = ?3 WHERE id = ?1",
        args![&staff.id, &body.presence, now_ms()],
    )
    .await?;
    staff.presence = body.presence;
    // Open widgets show who is there without asking again.
    live::presence_changed(env, &staff.site_id).await;
    json(200, &me_of(&staff))
}

/// `GET /v1/staff/inbox?team=…&status=…&assignee=…&q=…`: conversations of
/// the staff member's teams (or one of them), the longest waiting first;
/// only theirs or nobody's, and only those whose visitor's name, address,
/// number (by its digits too), id or any message holds the search, when
/// asked.
pub async fn inbox(request: &Request, env: &Env) -> Result<Response, ApiError> {
    let staff = authorize(request, env).await?;
    let team = query(request, "team").unwrap_or_default();
    check_short("team", &team, false)?;
    let site_teams: Vec<String> = load_teams(env, &staff.site_id)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    let teams = crate::domain::inbox::team_scope(&team, |t| staff.works_in(t), &site_teams)?;
    let statuses: Vec<&str> = crate::domain::inbox::statuses(query(request, "status").as_deref())?
        .iter()
        .map(|status| status.as_str())
        .collect();
    let limit = crate::domain::inbox::limit(query(request, "limit").as_deref())?;
    let assignee = crate::domain::inbox::Assignee::parse(query(request, "assignee").as_deref())?
        .required_id(&staff.id);
    let search = crate::domain::inbox::search(query(request, "q").as_deref())?;
    let search_digits = crate::domain::inbox::search_digits(&search);
    let search_forms = serde_json::to_string(&crate::domain::inbox::search_forms(&search))
        .map_err(|_| ApiError::Internal)?;
    // Names and addresses are also searched without accents ("elodie" finds
    // "Élodie"); message texts only by the forms (folding every message of
    // a site on each search would cost too much).
    let folded_search = crate::domain::inbox::folded(&search);
    let folded_contact = crate::domain::inbox::folded_sql(
        "c.visitor_name || char(10) || c.reply_email || char(10) || c.reply_address",
    );
    let (phone_key, address_key) = (
        crate::domain::conversation::phone_key_sql("c.reply_phone"),
        crate::domain::conversation::phone_key_sql("c.reply_address"),
    );
    let teams_json = serde_json::to_string(&teams).map_err(|_| ApiError::Internal)?;
    let statuses_json = serde_json::to_string(&statuses).map_err(|_| ApiError::Internal)?;
    // The phone keys and the folding are SQL of the worker's own
    // (`phone_key_sql`, `folded_sql`), never the caller's text, which is
    // bound as ?6 (its forms, `search_forms`), ?7 (its digits) and ?8
    // (folded).
    let sql = format!(
        "SELECT c.id, c.team_id, c.status, c.channel, c.topic, c.sentiment, c.kind, c.confidence, c.visitor_name, \
         c.reply_channel, c.assignee_id, c.created_at, c.last_visitor_at, c.last_staff_at, t.target_minutes, \
         (SELECT text FROM messages m WHERE m.conversation_id = c.id AND m.author = 'visitor' ORDER BY m.id DESC LIMIT 1) AS preview, \
         (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.author = 'visitor' AND m.id > COALESCE((SELECT r.read_id FROM staff_reads r WHERE r.conversation_id = c.id AND r.staff_id = ?9), c.shared_read_id)) AS unread, \
         COUNT(*) OVER () AS matched, SUM(c.status = 'waiting') OVER () AS matched_waiting \
         FROM conversations c JOIN teams t ON t.site_id = c.site_id AND t.id = c.team_id \
         WHERE c.site_id = ?1 AND c.team_id IN (SELECT value FROM json_each(?2)) \
         AND c.status IN (SELECT value FROM json_each(?3)) \
         AND (?5 IS NULL OR c.assignee_id = ?5) \
         AND (?6 = '[]' OR (?7 != '' AND (instr({phone_key}, ?7) OR instr({address_key}, ?7))) \
              OR EXISTS (SELECT 1 FROM json_each(?6) f WHERE instr(lower(c.visitor_name), f.value) \
                OR instr(lower(c.reply_email), f.value) OR instr(c.reply_phone, f.value) \
                OR instr(lower(c.reply_address), f.value) OR c.id = f.value \
                OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND instr(lower(m.text), f.value))) \
              OR (?8 != '' AND instr({folded_contact}, ?8))) \
         ORDER BY CASE c.status WHEN 'waiting' THEN 0 WHEN 'open' THEN 1 ELSE 2 END, \
         CASE c.status WHEN 'closed' THEN -c.closed_at ELSE c.last_visitor_at END, c.rowid \
         LIMIT ?4"
    );
    let mut rows: Vec<InboxRow> = db::rows(
        &env.db,
        &sql,
        args![
            &staff.site_id,
            &teams_json,
            &statuses_json,
            limit,
            assignee,
            &search_forms,
            &search_digits,
            &folded_search,
            &staff.id
        ],
    )
    .await?;
    let now = now_ms();
    for row in &mut rows {
        if let Some((waited_s, over_target)) = crate::domain::inbox::waited(
            Some(row.status),
            row.last_visitor_at,
            now,
            row.target_minutes,
        ) {
            row.waited_s = waited_s;
            row.over_target = over_target;
        }
    }
    // Counted before the cut at `limit` (window totals, the same on every row).
    let (total, waiting) = rows
        .first()
        .map_or((0, 0), |r| (r.matched, r.matched_waiting));
    json(
        200,
        &Inbox {
            conversations: rows,
            waiting,
            total,
            teams,
        },
    )
}

/// `GET /v1/staff/conversations/{id}`: the thread with both sides' labels,
/// the visitor's journey and earlier conversations. Reading it marks
/// nothing (the console refreshes an open conversation in a hidden tab too):
/// `POST …/read` does, when the conversation is on screen.
pub async fn conversation(request: &Request, env: &Env, id: &str) -> Result<Response, ApiError> {
    let staff = authorize(request, env).await?;
    let conversation = conversation_for(env, &staff, id).await?;
    let messages = threads::messages_after(&env.db, id, 0).await?;
    let corrected = latest_corrections(env, id).await?;
    let journey = journey(env, &conversation).await?;
    let mut earlier: Vec<Earlier> = if conversation.user_id.is_empty() {
        Vec::new()
    } else {
        // Only teams the caller works in, as everywhere else: another
        // team's conversations are not theirs to see, even in outline.
        db::rows(
            &env.db,
            "SELECT id, team_id, status, topic, created_at FROM conversations \
             WHERE site_id = ?1 AND user_id = ?2 AND id != ?3 \
             AND (?4 = 1 OR team_id IN (SELECT value FROM json_each(?5))) \
             ORDER BY created_at DESC LIMIT 20",
            args![
                &conversation.site_id,
                &conversation.user_id,
                id,
                i64::from(staff.is_admin()),
                &staff.teams
            ],
        )
        .await?
    };
    let teams = load_teams(env, &conversation.site_id).await?;
    let name_of = |id: &str| {
        teams
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    };
    for row in &mut earlier {
        row.team_name = name_of(&row.team_id);
    }
    let team_name = name_of(&conversation.team_id);
    json(
        200,
        &ConversationView {
            conversation,
            team_name,
            messages: messages
                .iter()
                .map(|m| {
                    let mut message = m.for_staff();
                    message.corrected_labels =
                        corrected
                            .iter()
                            .find(|c| c.message_id == m.id)
                            .map(|c| Labels {
                                topic: c.topic.clone(),
                                sentiment: c.sentiment.clone(),
                                kind: c.kind.clone(),
                                confidence: None,
                            });
                    message
                })
                .collect(),
            journey,
            earlier,
        },
    )
}

/// A message's latest label correction.
#[derive(Deserialize)]
struct LatestCorrection {
    message_id: i64,
    topic: String,
    sentiment: String,
    kind: String,
}

/// The latest correction of each corrected message of a conversation.
async fn latest_corrections(
    env: &Env,
    conversation: &str,
) -> Result<Vec<LatestCorrection>, ApiError> {
    db::rows(
        &env.db,
        "SELECT message_id, topic, sentiment, kind FROM label_corrections WHERE id IN \
         (SELECT MAX(id) FROM label_corrections WHERE message_id IN \
         (SELECT id FROM messages WHERE conversation_id = ?1) GROUP BY message_id)",
        args![conversation],
    )
    .await
}

/// The visitor's touchpoints: by consented visitor id when there is one,
/// else by the day's cookieless key.
async fn journey(env: &Env, conversation: &ConversationRow) -> Result<Vec<Touchpoint>, ApiError> {
    let (column, value) = if !conversation.visitor_id.is_empty() {
        ("visitor_id", &conversation.visitor_id)
    } else if !conversation.visitor_key.is_empty() {
        ("visitor_key", &conversation.visitor_key)
    } else {
        return Ok(Vec::new());
    };
    let sql = if column == "visitor_id" {
        "SELECT id, kind, occurred_at, path, page_type, title, channel, source_name, utm_source, utm_medium, \
         utm_campaign, name, target, engaged_ms, scroll_percent FROM events \
         WHERE site_id = ?1 AND visitor_id = ?2 ORDER BY occurred_at, id LIMIT 300"
    } else {
        "SELECT id, kind, occurred_at, path, page_type, title, channel, source_name, utm_source, utm_medium, \
         utm_campaign, name, target, engaged_ms, scroll_percent FROM events \
         WHERE site_id = ?1 AND visitor_key = ?2 ORDER BY occurred_at, id LIMIT 300"
    };
    db::rows(&env.db, sql, args![&conversation.site_id, value]).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplyRequest {
    text: String,
    /// Chosen by the console so that pressing send twice posts once.
    #[serde(default)]
    client_id: Option<String>,
}

/// `POST /v1/staff/conversations/{id}/messages`: a person answers, as themself.
/// What a staff reply does to its conversation (`?1` id, `?2` now, `?3` the
/// staff member, who takes it if nobody has): open, answered, first response.
pub const STAFF_REPLY_UPDATE: &str =
    "UPDATE conversations SET status = 'open', last_staff_at = ?2, updated_at = ?2, closed_at = 0, \
     first_response_at = CASE WHEN first_response_at = 0 THEN ?2 ELSE first_response_at END, \
     assignee_id = CASE WHEN assignee_id = '' THEN ?3 ELSE assignee_id END WHERE id = ?1";

pub async fn reply(request: &Request, env: &Env, id: &str) -> Result<Response, ApiError> {
    let staff = authorize(request, env).await?;
    let conversation = conversation_for(env, &staff, id).await?;
    let body: ReplyRequest = read_json(request).await?;
    check_text("text", &body.text)?;
    if let Some(client_id) = &body.client_id {
        if !crate::domain::ids::is_valid_client_id(client_id) {
            return Err(ApiError::InvalidRequest(
                "client_id must be 16 to 64 characters of A-Z, a-z, 0-9, - and _".into(),
            ));
        }
    }
    let now = now_ms();
    let name = threads::first_name(&staff.name).to_owned();
    // A reply reopens a closed conversation: said with a notice, as Reopen
    // says it (not for a retry of a reply that already reopened it).
    if conversation.status == Status::Closed
        && threads::by_client_id(&env.db, id, body.client_id.as_deref())
            .await?
            .is_none()
    {
        let note = Append {
            staff_id: &staff.id,
            actor_id: &staff.id,
            ..Append::notice(Notice::Reopened)
        };
        let update = "UPDATE conversations SET updated_at = ?2 WHERE id = ?1";
        let (note, _) = threads::append(&env.db, id, &note, update, "", now).await?;
        let by = destinations::actor(&staff.id, &staff.name);
        destinations::status_changed(env, &staff.site_id, id, false, by, now).await;
        live::notify(env, live::Thread::from(&conversation), Some(&note), None).await;
    }
    #[derive(Deserialize)]
    struct Count {
        n: i64,
    }
    let earlier: Option<Count> = db::row(
        &env.db,
        "SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ?1 AND author = 'staff' AND staff_id = ?2",
        args![id, &staff.id],
    )
    .await?;
    if earlier.map_or(0, |c| c.n) == 0
        && threads::by_client_id(&env.db, id, body.client_id.as_deref())
            .await?
            .is_none()
    {
        let joined = Append {
            staff_id: &staff.id,
            staff_name: &name,
            ..Append::notice(Notice::StaffJoined)
        };
        let (joined, new) = threads::append(
            &env.db,
            id,
            &joined,
            "UPDATE conversations SET updated_at = ?2 WHERE id = ?1",
            "",
            now,
        )
        .await?;
        if new {
            live::notify(env, live::Thread::from(&conversation), Some(&joined), None).await;
        }
    }
    let message = Append {
        author: Author::Staff,
        staff_id: &staff.id,
        staff_name: &name,
        notice: None,
        actor_id: "",
        team_id: "",
        text: &body.text,
        screened: None,
        client_id: body.client_id.as_deref(),
    };
    let (row, new) =
        threads::append(&env.db, id, &message, STAFF_REPLY_UPDATE, &staff.id, now).await?;
    if new {
        destinations::message_created(env, &conversation.site_id, id, &row, None, now).await;
        // A first reply opens the conversation and claims it if nobody had:
        // colleagues see that at once.
        let updated = if conversation.status != Status::Open || conversation.assignee_id.is_empty()
        {
            threads::load(&env.db, id).await?
        } else {
            None
        };
        let thread = live::Thread {
            status: Status::Open,
            ..live::Thread::from(&conversation)
        };
        live::notify(env, thread, Some(&row), updated.as_ref().map(|u| (u, ""))).await;
    }
    if new {
        answer_outside(env, &conversation, &row.text, now).await?;
        // Who answers has read what they answer. Not worth failing a stored
        // reply over (a retry, the same client id, would skip the above);
        // a failed D1 call is logged where it fails.
        let _ = mark_read(env, &staff, id, row.id).await;
    }
    json(
        if new { 201 } else { 200 },
        &StaffReply {
            message: row.for_staff(),
            duplicate: !new,
        },
    )
}

/// Mail, social and phone conversations are answered through their team's
/// webhook (`reply.outbound`), whether staff wrote in the console or in a
/// help desk bridged to it; widget conversations need nothing more.
pub(super) async fn answer_outside(
    env: &Env,
    conversation: &ConversationRow,
    text: &str,
    now: i64,
) -> Result<(), ApiError> {
    if conversation.channel == "widget" {
        return Ok(());
    }
    let Some(team) = team_of(env, conversation).await? else {
        return Ok(());
    };
    let site = super::sites::cached_site(env, &conversation.site_id).await?;
    let event = webhook::Event {
        kind: "reply.outbound",
        site: conversation.site_id.clone(),
        team: conversation.team_id.clone(),
        conversation: conversation.id.clone(),
        summary: conversation.channel.clone(),
        waited_minutes: None,
        email: (!conversation.reply_address.is_empty()).then(|| conversation.reply_address.clone()),
        replies: vec![text.to_owned()],
        url: scheduled::link(&site.console_url, &conversation.id),
    };
    scheduled::enqueue(env, &team, &event, now).await?;
    Ok(())
}

async fn team_of(env: &Env, conversation: &ConversationRow) -> Result<Option<Team>, ApiError> {
    Ok(load_teams(env, &conversation.site_id)
        .await?
        .into_iter()
        .find(|t| t.id == conversation.team_id))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignRequest {
    /// A staff id, `me` to claim, or empty to unassign.
    #[serde(default)]
    staff: Option<String>,
    /// Move to another team of the site.
    #[serde(default)]
    team: Option<String>,
}

/// `POST /v1/staff/conversations/{id}/assign`: claim (`{"staff":"me"}`),
/// assign to a colleague, or move to another team.
pub async fn assign(request: &Request, env: &Env, id: &str) -> Result<Response, ApiError> {
    let staff = authorize(request, env).await?;
    let conversation = conversation_for(env, &staff, id).await?;
    let body: AssignRequest = read_json(request).await?;
    if body.staff.is_none() && body.team.is_none() {
        return Err(ApiError::InvalidRequest("give staff, team or both".into()));
    }
    let now = now_ms();
    let mut team = conversation.team_id.clone();
    if let Some(new_team) = &body.team {
        check_short("team", new_team, true)?;
        if !load_teams(env, &staff.site_id)
            .await?
            .iter()
            .any(|t| &t.id == new_team)
        {
            // Well-formed, but the site has no such team: the request
            // conflicts with the site's state, not with the schema.
            return Err(crate::domain::team::no_such_team(new_team));
        }
        team = new_team.clone();
    }
    let mut assignee = conversation.assignee_id.clone();
    let mut assignee_name = String::new();
    if body.staff.as_deref() == Some("") {
        // Nobody: the conversation stays with its team.
        assignee = String::new();
    } else if let Some(target) = &body.staff {
        let target_id = if target == "me" {
            staff.id.clone()
        } else {
            target.clone()
        };
        let colleague: Option<StaffRow> = db::row(
            &env.db,
            "SELECT * FROM staff WHERE id = ?1 AND site_id = ?2 AND revoked_at = 0",
            args![&target_id, &staff.site_id],
        )
        .await?;
        let colleague = colleague
            .ok_or_else(|| ApiError::Conflict("no such staff member on this site".into()))?;
        if !colleague.works_in(&team) {
            return Err(ApiError::Conflict(
                "that staff member is not in the conversation's team".into(),
            ));
        }
        assignee_name = colleague.name.clone();
        assignee = colleague.id;
    } else if team != conversation.team_id {
        // Moving to another team hands the conversation to that team.
        assignee = String::new();
    }
    if team == conversation.team_id && assignee == conversation.assignee_id {
        // Already so: nothing to store, tell or deliver.
        let current = threads::load(&env.db, id)
            .await?
            .ok_or(ApiError::NotFound)?;
        return json(
            200,
            &ConversationResult {
                conversation: current,
            },
        );
    }
    let notice = if team != conversation.team_id {
        Notice::MovedTeam
    } else if assignee.is_empty() {
        Notice::Unassigned
    } else {
        Notice::Assigned
    };
    let note = Append {
        staff_id: &assignee,
        // Visitors see staff by first name only, as in their replies.
        staff_name: threads::first_name(&assignee_name),
        actor_id: &staff.id,
        team_id: if notice == Notice::MovedTeam {
            &team
        } else {
            ""
        },
        ..Append::notice(notice)
    };
    let update = if team != conversation.team_id {
        "UPDATE conversations SET team_id = ?3, updated_at = ?2, escalated_at = 0 WHERE id = ?1"
    } else {
        "UPDATE conversations SET updated_at = ?2 WHERE id = ?1"
    };
    let (note, _) = threads::append(&env.db, id, &note, update, &team, now).await?;
    db::run(
        &env.db,
        "UPDATE conversations SET assignee_id = ?2 WHERE id = ?1",
        args![id, &assignee],
    )
    .await?;
    let updated = threads::load(&env.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let moved_from = conversation.team_id.as_str();
    live::notify(
        env,
        live::Thread::from(&updated),
        Some(&note),
        Some((&updated, moved_from)),
    )
    .await;
    if moved_from != updated.team_id {
        live::conversation_moved(env, id, moved_from).await;
    }
    let to = (!assignee.is_empty()).then(|| destinations::actor(&assignee, &assignee_name));
    let by = destinations::actor(&staff.id, &staff.name);
    destinations::conversation_assigned(env, &staff.site_id, id, to, by, now).await;
    json(
        200,
        &ConversationResult {
            conversation: updated,
        },
    )
}

/// Marks a conversation read up to a message (no further than its last):
/// read by the caller (their own unread count), and seen for the visitor
/// when the caller is the person answering, its assignee or anyone on the
/// team while nobody is. An admin or colleague looking in does not tell the
/// visitor "seen". Returns the caller's mark.
async fn mark_read(env: &Env, staff: &StaffRow, id: &str, up_to: i64) -> Result<i64, ApiError> {
    const LAST: &str =
        "MIN(?2, (SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = ?1))";
    let marks: Vec<ReadMark> = db::batch_returning(
        &env.db,
        vec![
            env.db.statement(
                &[
                    "INSERT INTO staff_reads (conversation_id, staff_id, read_id) VALUES (?1, ?3, ",
                    LAST,
                    ") ON CONFLICT (conversation_id, staff_id) DO UPDATE SET read_id = MAX(read_id, excluded.read_id) \
                     RETURNING read_id",
                ]
                .concat(),
                args![id, up_to, &staff.id],
            ),
            env.db.statement(
                &[
                    "UPDATE conversations SET staff_read_id = MAX(staff_read_id, ",
                    LAST,
                    ") WHERE id = ?1 AND (assignee_id = '' OR assignee_id = ?3)",
                ]
                .concat(),
                args![id, up_to, &staff.id],
            ),
        ],
    )
    .await?;
    Ok(marks.first().map_or(0, |m| m.read_id))
}

#[derive(Deserialize, Serialize)]
struct ReadMark {
    read_id: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadRequest {
    up_to: i64,
}

/// `POST /v1/staff/conversations/{id}/read`: the caller has read up to a
/// message (the console, when the conversation is on screen and as messages
/// arrive in it).
pub async fn read(request: &Request, env: &Env, id: &str) -> Result<Response, ApiError> {
    let staff = authorize(request, env).await?;
    conversation_for(env, &staff, id).await?;
    let body: ReadRequest = read_json(request).await?;
    if body.up_to < 0 {
        return Err(ApiError::InvalidRequest(
            "up_to: a message id, 0 or more".into(),
        ));
    }
    let read_id = mark_read(env, &staff, id, body.up_to).await?;
    json(200, &ReadMark { read_id })
}

/// `POST /v1/staff/conversations/{id}/close` and `/reopen`.
pub async fn set_closed(
    request: &Request,
    env: &Env,
    id: &str,
    close: bool,
) -> Result<Response, ApiError> {
    let staff = authorize(request, env).await?;
    let conversation = conversation_for(env, &staff, id).await?;
    super::http::read_no_body(request).await?;
    let now = now_ms();
    let closed = conversation.status == Status::Closed;
    let mut noted = None;
    if closed != close {
        let (notice, update) = if close {
            (Notice::Closed, "UPDATE conversations SET status = 'closed', closed_at = ?2, updated_at = ?2 WHERE id = ?1")
        } else {
            (
                Notice::Reopened,
                "UPDATE conversations SET status = CASE WHEN first_response_at > 0 THEN 'open' ELSE 'waiting' END, \
                 closed_at = 0, updated_at = ?2 WHERE id = ?1",
            )
        };
        let note = Append {
            staff_id: &staff.id,
            actor_id: &staff.id,
            ..Append::notice(notice)
        };
        let (note, _) = threads::append(&env.db, id, &note, update, "", now).await?;
        let by = destinations::actor(&staff.id, &staff.name);
        destinations::status_changed(env, &staff.site_id, id, close, by, now).await;
        noted = Some(note);
    }
    let updated = threads::load(&env.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if let Some(note) = &noted {
        live::notify(
            env,
            live::Thread::from(&updated),
            Some(note),
            Some((&updated, "")),
        )
        .await;
    }
    json(
        200,
        &ConversationResult {
            conversation: updated,
        },
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Correction {
    topic: String,
    #[serde(default)]
    sentiment: String,
    #[serde(default)]
    kind: String,
}

/// `POST /v1/staff/messages/{id}/labels`: staff correct a visitor message's
/// labels. Kept as training feedback; the conversation's labels follow its
/// first message.
pub async fn correct_labels(
    request: &Request,
    env: &Env,
    message_id: &str,
) -> Result<Response, ApiError> {
    let staff = authorize(request, env).await?;
    let message_id: i64 = message_id.parse().map_err(|_| ApiError::NotFound)?;
    let message: threads::MessageRow = db::row(
        &env.db,
        "SELECT * FROM messages WHERE id = ?1",
        args![message_id],
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    let conversation = conversation_for(env, &staff, &message.conversation_id).await?;
    if message.author != Author::Visitor {
        return Err(ApiError::Conflict(
            "only visitor messages carry labels".into(),
        ));
    }
    let body: Correction = read_json(request).await?;
    if !TOPICS.contains(&body.topic.as_str()) {
        return Err(ApiError::InvalidRequest(
            "topic is not in the taxonomy".into(),
        ));
    }
    if !body.sentiment.is_empty() && !SENTIMENTS.contains(&body.sentiment.as_str()) {
        return Err(ApiError::InvalidRequest(
            "sentiment must be negative, neutral or positive".into(),
        ));
    }
    if !body.kind.is_empty() && !KINDS.contains(&body.kind.as_str()) {
        return Err(ApiError::InvalidRequest(
            "kind must be question, request, problem, complaint, suggestion or praise".into(),
        ));
    }
    let now = now_ms();
    let first: Option<threads::MessageRow> = db::row(
        &env.db,
        "SELECT * FROM messages WHERE conversation_id = ?1 AND author = 'visitor' ORDER BY id LIMIT 1",
        args![&conversation.id],
    )
    .await?;
    let mut statements = vec![env.db.statement(
        "INSERT INTO label_corrections (site_id, message_id, staff_id, text, topic, sentiment, kind, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        args![&conversation.site_id, message_id, &staff.id, &message.text, &body.topic, &body.sentiment, &body.kind, now],
    )];
    if first.is_some_and(|f| f.id == message_id) {
        statements.push(env.db.statement(
            "UPDATE conversations SET topic = ?2, sentiment = CASE WHEN ?3 = '' THEN sentiment ELSE ?3 END, \
             kind = CASE WHEN ?4 = '' THEN kind ELSE ?4 END, confidence = 1, updated_at = ?5 WHERE id = ?1",
            args![&conversation.id, &body.topic, &body.sentiment, &body.kind, now],
        ));
    }
    db::batch(&env.db, statements).await?;
    let corrected = events::LabelsCorrected {
        conversation_id: conversation.id.clone(),
        message_id: message_id.to_string(),
        topic: body.topic.clone(),
        sentiment: body.sentiment.clone(),
        kind: body.kind.clone(),
        by: destinations::actor(&staff.id, &staff.name),
    };
    destinations::labels_corrected(
        env,
        &conversation.site_id,
        &conversation.id,
        &corrected,
        now,
    )
    .await;
    json(
        201,
        &CorrectionResult {
            message: message_id,
            topic: body.topic,
            sentiment: body.sentiment,
            kind: body.kind,
        },
    )
}

/// `GET /v1/staff/colleagues`: the site's staff (name, teams, presence) and
/// teams, for assigning and moving conversations.
pub async fn colleagues(request: &Request, env: &Env) -> Result<Response, ApiError> {
    let staff = authorize(request, env).await?;
    /// A colleague as stored: teams as a JSON array.
    #[derive(Deserialize)]
    struct Row {
        id: String,
        name: String,
        teams: String,
        presence: String,
    }
    let rows: Vec<Row> = db::rows(
        &env.db,
        "SELECT id, name, teams, presence FROM staff WHERE site_id = ?1 AND revoked_at = 0 ORDER BY name",
        args![&staff.site_id],
    )
    .await?;
    let people = rows
        .into_iter()
        .map(|c| Colleague {
            teams: serde_json::from_str(&c.teams).unwrap_or_default(),
            id: c.id,
            name: c.name,
            presence: c.presence,
        })
        .collect();
    let teams = load_teams(env, &staff.site_id)
        .await?
        .into_iter()
        .map(|t| TeamName {
            id: t.id,
            name: t.name,
        })
        .collect();
    json(
        200,
        &Colleagues {
            staff: people,
            teams,
        },
    )
}

/// `GET /v1/staff/corrections`: the site's label corrections as JSON lines in
/// the format `touchpoint train --extra` and `touchpoint train-site` read
/// (text, topic, sentiment, kind). As the site model learns them: the latest
/// per message, so a message relabelled twice is one line, not two that
/// disagree; the newest 10,000, oldest first. Admins get every team's;
/// others those of their own teams, as they see only those conversations.
pub async fn corrections(request: &Request, env: &Env) -> Result<Response, ApiError> {
    let staff = authorize(request, env).await?;
    let teams = serde_json::to_string(&staff.team_ids()).map_err(|_| ApiError::Internal)?;
    #[derive(Deserialize, Serialize)]
    struct Line {
        text: String,
        topic: String,
        #[serde(skip_serializing_if = "String::is_empty")]
        sentiment: String,
        #[serde(skip_serializing_if = "String::is_empty")]
        kind: String,
    }
    let lines: Vec<Line> = db::rows(
        &env.db,
        "SELECT l.text, l.topic, l.sentiment, l.kind FROM label_corrections l WHERE l.id IN \
         (SELECT MAX(id) FROM label_corrections WHERE site_id = ?1 GROUP BY message_id) \
         AND (?2 OR EXISTS (SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conversation_id \
         WHERE m.id = l.message_id AND c.site_id = ?1 AND c.team_id IN (SELECT value FROM json_each(?3)))) \
         ORDER BY l.id DESC LIMIT 10000",
        args![&staff.site_id, i64::from(staff.is_admin()), &teams],
    )
    .await?;
    // The newest 10,000 (the worker learns from the newest too), oldest first.
    let lines = lines.iter().rev();
    let mut out = String::new();
    for line in lines {
        out.push_str(&serde_json::to_string(line).map_err(|_| ApiError::Internal)?);
        out.push('\n');
    }
    http::text_response(200, "application/x-ndjson; charset=utf-8", &out)
}
