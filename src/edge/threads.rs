//! Conversations and their messages in D1, shared by the visitor, staff,
//! intake and scheduled handlers: rows, the views each side may see, and the
//! writes that append to a thread.

use serde::Deserialize;

use super::db::{self, D1Database};
use crate::args;
use crate::domain::api::ApiError;
use crate::domain::classify::Classifier;
use crate::domain::conversation::{self, Author, Labels, Notice, Screened, THREAD_PAGE};

thread_local! {
    /// The built-in classifier, loaded once per isolate.
    static CLASSIFIER: Option<Classifier> = Classifier::builtin().ok();
}

/// Redacts and classifies a message again at the edge, with the site's own
/// model when it has one (`site_model::classifier_for`), else the built-in.
pub async fn screen(
    env: &super::Env,
    site: &str,
    text: &str,
    browser: Option<&Labels>,
) -> Result<Screened, ApiError> {
    if let Some(classifier) = super::site_model::classifier_for(env, site).await {
        return Ok(conversation::screen(text, browser, &classifier));
    }
    CLASSIFIER.with(|classifier| match classifier {
        Some(classifier) => Ok(conversation::screen(text, browser, classifier)),
        None => Err(ApiError::Internal),
    })
}

/// A stored conversation: every column, which is also what staff are shown.
pub use crate::domain::wire::staff::Conversation as ConversationRow;
pub use crate::domain::wire::staff::StaffMessage;
pub use crate::domain::wire::visitor::VisitorMessage;

/// A stored message.
#[derive(Debug, Clone, Deserialize)]
pub struct MessageRow {
    pub id: i64,
    pub conversation_id: String,
    pub author: Author,
    pub staff_id: String,
    pub staff_name: String,
    pub notice: String,
    pub text: String,
    pub browser_labels: String,
    pub edge_labels: String,
    pub labels_agree: i64,
    pub pii_missed: String,
    pub client_id: Option<String>,
    pub created_at: i64,
    /// Who made a system notice (a staff id; empty for none).
    #[serde(default)]
    pub actor_id: String,
    /// The team a `moved_team` notice moved the conversation to.
    #[serde(default)]
    pub team_id: String,
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

impl MessageRow {
    pub fn for_visitor(&self) -> VisitorMessage {
        VisitorMessage {
            id: self.id,
            author: self.author,
            name: non_empty(&self.staff_name),
            notice: non_empty(&self.notice),
            text: self.text.clone(),
            created_at: self.created_at,
        }
    }

    /// As staff see it, with the text as it may leave Touchpoint
    /// (`conversation::shared_text`): the line an export writes.
    pub fn for_export(&self) -> StaffMessage {
        StaffMessage {
            text: conversation::shared_text(self.author, &self.text),
            ..self.for_staff()
        }
    }

    pub fn for_staff(&self) -> StaffMessage {
        StaffMessage {
            id: self.id,
            author: self.author,
            staff_id: non_empty(&self.staff_id),
            name: non_empty(&self.staff_name),
            notice: non_empty(&self.notice),
            by: non_empty(&self.actor_id),
            team: non_empty(&self.team_id),
            text: self.text.clone(),
            created_at: self.created_at,
            browser_labels: serde_json::from_str(&self.browser_labels).ok(),
            edge_labels: serde_json::from_str(&self.edge_labels).ok(),
            corrected_labels: None,
            labels_agree: self.labels_agree != 0,
            pii_missed: self
                .pii_missed
                .split(',')
                .filter(|k| !k.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

pub async fn load(db: &D1Database, id: &str) -> Result<Option<ConversationRow>, ApiError> {
    db::row(db, "SELECT * FROM conversations WHERE id = ?1", args![id]).await
}

/// Messages after the cursor, oldest first (at most `THREAD_PAGE` per call:
/// the widget reads a full page as history still loading).
pub async fn messages_after(
    db: &D1Database,
    conversation: &str,
    after: i64,
) -> Result<Vec<MessageRow>, ApiError> {
    let sql = format!(
        "SELECT * FROM messages WHERE conversation_id = ?1 AND id > ?2 ORDER BY id LIMIT {THREAD_PAGE}"
    );
    db::rows(db, &sql, args![conversation, after]).await
}

/// A message to append.
pub struct Append<'a> {
    pub author: Author,
    pub staff_id: &'a str,
    pub staff_name: &'a str,
    pub notice: Option<Notice>,
    /// The staff member who made a notice (shown to staff only).
    pub actor_id: &'a str,
    /// The team a move notice moved the conversation to (shown to staff only).
    pub team_id: &'a str,
    pub text: &'a str,
    pub screened: Option<&'a Screened>,
    pub client_id: Option<&'a str>,
}

impl<'a> Append<'a> {
    /// What a visitor (or another channel's sender) wrote, as screened at the edge.
    pub fn visitor(screened: &'a Screened, client_id: Option<&'a str>) -> Self {
        Append {
            author: Author::Visitor,
            staff_id: "",
            staff_name: "",
            notice: None,
            actor_id: "",
            team_id: "",
            text: &screened.text,
            screened: Some(screened),
            client_id,
        }
    }

    /// A factual notice from the system.
    pub fn notice(notice: Notice) -> Self {
        Append {
            author: Author::System,
            staff_id: "",
            staff_name: "",
            notice: Some(notice),
            actor_id: "",
            team_id: "",
            text: "",
            screened: None,
            client_id: None,
        }
    }
}

/// The statement that appends `message` (idempotent on its client id) and
/// returns the stored row.
pub fn insert_statement(
    db: &D1Database,
    conversation: &str,
    message: &Append<'_>,
    now: i64,
) -> super::db::D1PreparedStatement {
    let browser = message
        .screened
        .and_then(|s| s.browser.as_ref())
        .and_then(|labels| serde_json::to_string(labels).ok())
        .unwrap_or_default();
    let edge = message
        .screened
        .map(|s| {
            serde_json::to_string(&Labels {
                topic: s.edge.topic.clone(),
                sentiment: s.edge.sentiment.clone(),
                kind: s.edge.kind.to_owned(),
                confidence: Some(s.edge.topic_confidence),
            })
            .unwrap_or_default()
        })
        .unwrap_or_default();
    let agree = message.screened.is_none_or(|s| s.labels_agree);
    let missed = message
        .screened
        .map(|s| s.missed.join(","))
        .unwrap_or_default();
    db.statement(
        "INSERT INTO messages (conversation_id, author, staff_id, staff_name, notice, text, browser_labels, \
         edge_labels, labels_agree, pii_missed, client_id, created_at, actor_id, team_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) \
         ON CONFLICT (conversation_id, client_id) DO NOTHING RETURNING *",
        args![
            conversation,
            message.author.as_str(),
            message.staff_id,
            message.staff_name,
            message.notice.map_or("", Notice::code),
            message.text,
            &browser,
            &edge,
            i64::from(agree),
            &missed,
            message.client_id,
            now,
            message.actor_id,
            message.team_id,
        ],
    )
}

/// The message a client already sent under `client_id` (a retried send).
pub async fn by_client_id(
    db: &D1Database,
    conversation: &str,
    client_id: Option<&str>,
) -> Result<Option<MessageRow>, ApiError> {
    let Some(client_id) = client_id else {
        return Ok(None);
    };
    db::row(
        db,
        "SELECT * FROM messages WHERE conversation_id = ?1 AND client_id = ?2",
        args![conversation, client_id],
    )
    .await
}

/// Appends a message and applies `update` (SQL on the conversation, `?1` =
/// its id, `?2` = now, `?3` = `extra`) in one transaction. Returns the message and whether it
/// was new (false: the client's retry of a message already stored).
pub async fn append(
    db: &D1Database,
    conversation: &str,
    message: &Append<'_>,
    update: &str,
    extra: &str,
    now: i64,
) -> Result<(MessageRow, bool), ApiError> {
    if let Some(existing) = by_client_id(db, conversation, message.client_id).await? {
        conversation::check_retry(
            (existing.author, &existing.text),
            (message.author, message.text),
        )?;
        return Ok((existing, false));
    }
    let statements = vec![
        insert_statement(db, conversation, message, now),
        // D1 refuses more bindings than the SQL has placeholders.
        if update.contains("?3") {
            db.statement(update, args![conversation, now, extra])
        } else {
            db.statement(update, args![conversation, now])
        },
    ];
    let mut inserted: Vec<MessageRow> = db::batch_returning(db, statements).await?;
    match inserted.pop() {
        Some(row) => Ok((row, true)),
        // Lost a race with the same retry: return the stored one.
        None => by_client_id(db, conversation, message.client_id)
            .await?
            .map(|row| (row, false))
            .ok_or(ApiError::Internal),
    }
}

/// The first names of staff in `team` online now (presence set and seen
/// recently); a site has a handful of staff, so this filters the site's list.
pub async fn staff_online(
    db: &D1Database,
    site: &str,
    team: &str,
    now: i64,
) -> Result<Vec<String>, ApiError> {
    Ok(staff_online_by_team(db, site, now)
        .await?
        .into_iter()
        .filter(|(of, _)| of == team)
        .map(|(_, name)| name)
        .collect())
}

/// The first names of staff online in the site's teams, as pairs of team id
/// and first name.
pub async fn staff_online_by_team(
    db: &D1Database,
    site: &str,
    now: i64,
) -> Result<Vec<(String, String)>, ApiError> {
    #[derive(Deserialize)]
    struct Name {
        team: String,
        name: String,
    }
    let names: Vec<Name> = db::rows(
        db,
        "SELECT t.value AS team, s.name FROM staff s, json_each(s.teams) t WHERE s.site_id = ?1 \
         AND s.presence = 'online' AND s.last_seen_at > ?2 ORDER BY s.name",
        args![site, now - ONLINE_WITHIN_MS],
    )
    .await?;
    Ok(names
        .into_iter()
        .map(|n| (n.team, first_name(&n.name).to_owned()))
        .collect())
}

/// Staff count as online while their console has been seen this recently.
pub const ONLINE_WITHIN_MS: i64 = 10 * 60 * 1000;

/// The first name shown to visitors.
pub fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}

/// Deletes conversations matching `condition` with everything that hangs on
/// them (messages, tokens, corrections, pending webhooks, outbound events
/// for destinations), in one transaction; site models trained on their
/// corrections become due for retraining.
pub async fn erase_conversations(
    db: &D1Database,
    condition: &str,
    params: &[&str],
) -> Result<u32, ApiError> {
    let select = {
        let mut s = String::from("SELECT id FROM conversations WHERE ");
        s.push_str(condition);
        s
    };
    let dependent = |table_sql: &str| {
        let mut sql = String::from(table_sql);
        sql.push_str(" IN (");
        sql.push_str(&select);
        sql.push(')');
        sql
    };
    let bind = |sql: &str| {
        let values: Vec<super::db::Arg<'_>> =
            params.iter().map(|p| super::db::Arg::Text(p)).collect();
        db.statement(sql, &values)
    };
    let statements = vec![
        // A site model that learned from these corrections is marked stale
        // (-1 is below any correction id): the scheduled job retrains it
        // without them, or removes it when nothing is left to learn from.
        bind(&(dependent(
            "UPDATE site_models SET last_correction_id = -1 WHERE site_id IN \
             (SELECT site_id FROM label_corrections WHERE message_id IN (SELECT id FROM messages WHERE conversation_id",
        ) + "))")),
        bind(&(dependent(
            "DELETE FROM label_corrections WHERE message_id IN (SELECT id FROM messages WHERE conversation_id",
        ) + ")")),
        bind(&dependent("DELETE FROM messages WHERE conversation_id")),
        bind(&dependent("DELETE FROM conversation_tokens WHERE conversation_id")),
        bind(&dependent("DELETE FROM staff_reads WHERE conversation_id")),
        // Sent or not, a team webhook's body holds the reply address and text.
        bind(&dependent("DELETE FROM webhook_deliveries WHERE conversation_id")),
        // What was kept for destinations about them goes too (the erasure
        // event itself is about no conversation, so it stays and is sent).
        bind(&(dependent(
            "DELETE FROM destination_deliveries WHERE event_id IN (SELECT id FROM outbound_events WHERE conversation_id",
        ) + ")")),
        bind(&dependent("DELETE FROM outbound_events WHERE conversation_id")),
        bind(&{
            let mut s = String::from("DELETE FROM conversations WHERE ");
            s.push_str(condition);
            s
        }),
    ];
    let changed = db::batch(db, statements).await?;
    Ok(changed.last().copied().unwrap_or(0))
}
