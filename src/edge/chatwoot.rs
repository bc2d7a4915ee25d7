//! The Chatwoot bridge: a team keeps its Chatwoot help desk and gains
//! Touchpoint's widget, classifier and journeys. A Touchpoint conversation
//! becomes a conversation in a Chatwoot API inbox (a contact, the visitor's
//! messages as incoming messages, topic and tone as labels, the context and
//! journey as a private note); agents answer in Chatwoot, and Chatwoot's
//! webhook for the inbox brings each reply back into the visitor's thread.
//!
//! Only these endpoints of Chatwoot's application API are used (Chatwoot's
//! `swagger/` in github.com/chatwoot/chatwoot), each with the
//! `api_access_token` header:
//! - `POST /api/v1/accounts/{account}/contacts` → `payload.contact.id`,
//!   `payload.contact_inbox.source_id`
//! - `POST /api/v1/accounts/{account}/conversations` (`source_id`,
//!   `inbox_id`, `contact_id`, `status`, `custom_attributes`) → `id`
//! - `POST /api/v1/accounts/{account}/conversations/{id}/messages`
//!   (`content`, `message_type` `incoming`|`outgoing`, `private`)
//! - `POST /api/v1/accounts/{account}/conversations/{id}/labels` (`labels`)
//! - `POST /api/v1/accounts/{account}/conversations/{id}/toggle_status`
//!   (`status` `open`|`resolved`)
//!
//! and, inbound, the API inbox's webhook: `message_created` events with
//! `message_type`, `private`, `content`, `id`, `conversation.id` and
//! `sender.name`.

use serde::Deserialize;
use serde_json::json;
use web_sys::{Request, Response};

use super::destinations::{self, Outbound};
use super::http::read_json;
use super::runtime::now_ms;
use super::threads::{self, Append};
use super::{db, http, Env};
use crate::args;
use crate::domain::api::ApiError;
use crate::domain::conversation::{shared_text, Author, Status};
use crate::domain::destination::{events, EventType, Spec};
use crate::domain::guard;

/// What the bridge needs of a due delivery.
pub struct Due<'a> {
    pub site: &'a str,
    pub conversation_id: &'a str,
    pub data: &'a str,
}

struct Api<'a> {
    base: String,
    token: &'a str,
    timeout_ms: u32,
}

impl Api<'_> {
    async fn post(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<(u16, serde_json::Value), String> {
        let mut url = self.base.clone();
        url.push_str(path);
        let headers = [("api_access_token", self.token.to_owned())];
        let (status, text) = destinations::request(
            "POST",
            &url,
            &headers,
            Some(&body.to_string()),
            self.timeout_ms,
        )
        .await?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        ))
    }
}

/// The link between a Touchpoint conversation and its Chatwoot copy, and
/// how many of the calls after creating it went through (`STEPS` when all;
/// `CONTACT_ONLY` while the contact exists and the conversation does not).
#[derive(Deserialize)]
struct Link {
    chatwoot_conversation_id: i64,
    chatwoot_contact_id: i64,
    chatwoot_source_id: String,
    steps: i64,
}

/// The calls after a conversation is created in Chatwoot: its first
/// message, its labels, the private note (migration 0021 counts them, so a
/// retry after a failed one goes on from there instead of skipping them).
const STEPS: i64 = 3;

/// The contact was made and the conversation was not: Chatwoot refuses the
/// same contact identifier twice, so a retry must reuse it (migration 0022).
const CONTACT_ONLY: i64 = -1;

async fn linked(env: &Env, destination: &str, conversation: &str) -> Result<Option<Link>, String> {
    db::row(
        &env.db,
        "SELECT chatwoot_conversation_id, chatwoot_contact_id, chatwoot_source_id, steps FROM chatwoot_links WHERE destination_id = ?1 AND conversation_id = ?2",
        args![destination, conversation],
    )
    .await
    .map_err(|e| e.to_string())
}

async fn link(env: &Env, destination: &str, conversation: &str) -> Result<Option<i64>, String> {
    Ok(linked(env, destination, conversation)
        .await?
        .filter(|l| l.steps != CONTACT_ONLY)
        .map(|l| l.chatwoot_conversation_id))
}

fn ok(status: u16) -> bool {
    (200..300).contains(&status)
}

/// Carries one event into Chatwoot. Returns the status that decides the
/// delivery (the first failing call's, or 200).
pub async fn deliver(
    env: &Env,
    destination: &str,
    spec: &Spec,
    event: EventType,
    due: Due<'_>,
) -> Result<u16, String> {
    let target = spec
        .chatwoot
        .ok_or("no Chatwoot account or inbox configured")?;
    let mut base = spec.url.trim_end_matches('/').to_owned();
    base.push_str("/api/v1/accounts/");
    base.push_str(&target.account_id.to_string());
    let api = Api {
        base,
        token: &spec.secret,
        timeout_ms: env.delivery_timeout_ms,
    };
    match event {
        EventType::ConversationCreated => {
            let data: events::ConversationCreated =
                serde_json::from_str(due.data).map_err(|_| "stored event is not readable")?;
            // An earlier attempt may have created it and failed after: it goes on from there.
            let linked = linked(env, destination, due.conversation_id).await?;
            create(
                env,
                &api,
                destination,
                target.inbox_id,
                due.site,
                &data,
                linked,
            )
            .await
        }
        EventType::MessageCreated => {
            let data: events::MessageCreated =
                serde_json::from_str(due.data).map_err(|_| "stored event is not readable")?;
            let Some(remote) = link(env, destination, due.conversation_id).await? else {
                // Created before the bridge was added, or creation not delivered yet: retry.
                return Err("the conversation is not in Chatwoot yet".into());
            };
            let m = &data.message;
            // Replies written in Touchpoint's console go in as private notes, so
            // Chatwoot agents see them without Chatwoot sending them again.
            let body = if m.author == Author::Staff.as_str() {
                json!({"content": format!("{} answered in Touchpoint: {}", m.staff_name, m.text), "message_type": "outgoing", "private": true})
            } else {
                json!({"content": m.text, "message_type": "incoming", "private": false})
            };
            let (status, _) = api
                .post(&format!("/conversations/{remote}/messages"), &body)
                .await?;
            Ok(status)
        }
        EventType::ConversationClosed | EventType::ConversationReopened => {
            let Some(remote) = link(env, destination, due.conversation_id).await? else {
                return Ok(200);
            };
            let status = if event == EventType::ConversationClosed {
                "resolved"
            } else {
                "open"
            };
            let (answer, _) = api
                .post(
                    &format!("/conversations/{remote}/toggle_status"),
                    &json!({ "status": status }),
                )
                .await?;
            Ok(answer)
        }
        EventType::LabelsCorrected => {
            let data: events::LabelsCorrected =
                serde_json::from_str(due.data).map_err(|_| "stored event is not readable")?;
            let Some(remote) = link(env, destination, due.conversation_id).await? else {
                return Ok(200);
            };
            let (answer, _) = api
                .post(
                    &format!("/conversations/{remote}/labels"),
                    &json!({ "labels": labels(&data.topic, &data.sentiment) }),
                )
                .await?;
            Ok(answer)
        }
        _ => Ok(200),
    }
}

fn labels(topic: &str, sentiment: &str) -> Vec<String> {
    [topic, sentiment]
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| (*l).to_owned())
        .collect()
}

async fn create(
    env: &Env,
    api: &Api<'_>,
    destination: &str,
    inbox_id: u32,
    site: &str,
    data: &events::ConversationCreated,
    linked: Option<Link>,
) -> Result<u16, String> {
    let c = &data.conversation;
    let labels_of_message = data.message.labels.clone().unwrap_or_default();
    let (remote, done) = match linked {
        Some(link) if link.steps != CONTACT_ONLY => (link.chatwoot_conversation_id, link.steps),
        pending => {
            let (contact_id, source_id) = match pending {
                Some(link) => (link.chatwoot_contact_id, link.chatwoot_source_id),
                None => match create_contact(env, api, destination, inbox_id, site, c).await? {
                    Ok(contact) => contact,
                    Err(refused) => return Ok(refused),
                },
            };
            let (status, conversation) = api
                .post(
                    "/conversations",
                    &json!({
                        "source_id": source_id,
                        "inbox_id": inbox_id,
                        "contact_id": contact_id,
                        "status": "open",
                        "custom_attributes": {
                            "touchpoint_conversation": c.id,
                            "touchpoint_team": c.team,
                            "topic": labels_of_message.topic,
                            "tone": labels_of_message.sentiment,
                        },
                    }),
                )
                .await?;
            if !ok(status) {
                return Ok(status);
            }
            let remote = conversation["id"]
                .as_i64()
                .ok_or("Chatwoot gave no conversation id")?;
            let claimed = db::run(
                &env.db,
                "UPDATE chatwoot_links SET chatwoot_conversation_id = ?3, steps = 0 \
                 WHERE destination_id = ?1 AND conversation_id = ?2 AND steps = ?4",
                args![destination, &c.id, remote, CONTACT_ONLY],
            )
            .await
            .map_err(|e| e.to_string())?;
            if claimed == 0 {
                // An overlapping attempt linked its conversation first: go on
                // from that one, so nothing is posted twice.
                match self::linked(env, destination, &c.id).await? {
                    Some(link) if link.steps != CONTACT_ONLY => {
                        (link.chatwoot_conversation_id, link.steps)
                    }
                    _ => return Err("the Chatwoot link changed under this attempt".into()),
                }
            } else {
                (remote, 0)
            }
        }
    };
    // Then its first message, its labels and the note, each counted in the
    // link once it went through: a retry goes on after the last that did.
    let path = format!("/conversations/{remote}/messages");
    for step in done + 1..=STEPS {
        let (status, _) = match step {
            1 => {
                let body = json!({"content": data.message.text, "message_type": "incoming", "private": false});
                api.post(&path, &body).await?
            }
            2 => {
                let body = json!({ "labels": labels(&labels_of_message.topic, &labels_of_message.sentiment) });
                api.post(&format!("/conversations/{remote}/labels"), &body)
                    .await?
            }
            _ => {
                let body = json!({"content": note(env, site, data).await, "message_type": "outgoing", "private": true});
                api.post(&path, &body).await?
            }
        };
        if !ok(status) {
            return Ok(status);
        }
        db::run(
            &env.db,
            "UPDATE chatwoot_links SET steps = ?3 WHERE destination_id = ?1 AND conversation_id = ?2",
            args![destination, &c.id, step],
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    Ok(200)
}

/// Creates the conversation's contact in Chatwoot and links it at once:
/// `Ok(Err(status))` when Chatwoot refused it.
async fn create_contact(
    env: &Env,
    api: &Api<'_>,
    destination: &str,
    inbox_id: u32,
    site: &str,
    c: &events::Conversation,
) -> Result<Result<(i64, String), u16>, String> {
    let name = if c.contact.name.is_empty() {
        "Website visitor"
    } else {
        &c.contact.name
    };
    // The visitor's e-mail and phone stay attributes: Chatwoot keeps e-mail
    // addresses unique per account, and answers go back through Touchpoint.
    let (status, contact) = api
        .post(
            "/contacts",
            &json!({
                "inbox_id": inbox_id,
                "name": name,
                "identifier": c.external_id,
                "additional_attributes": {
                    "touchpoint_site": site,
                    "reply_preference": c.contact.preference,
                    "reply_email": c.contact.email,
                    "reply_phone": c.contact.phone,
                },
            }),
        )
        .await?;
    if !ok(status) {
        return Ok(Err(status));
    }
    let contact_id = contact["payload"]["contact"]["id"]
        .as_i64()
        .ok_or("Chatwoot gave no contact id")?;
    let source_id = contact["payload"]["contact_inbox"]["source_id"]
        .as_str()
        .ok_or("Chatwoot gave no contact_inbox.source_id")?
        .to_owned();
    db::run(
        &env.db,
        "INSERT INTO chatwoot_links (destination_id, conversation_id, chatwoot_conversation_id, chatwoot_contact_id, chatwoot_source_id, steps) \
         VALUES (?1, ?2, 0, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        args![destination, &c.id, contact_id, &source_id, CONTACT_ONLY],
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(Ok((contact_id, source_id)))
}

/// The private note agents see first: what the classifier said, where the
/// visitor was, how they came, and their journey (from Touchpoint's store).
async fn note(env: &Env, site: &str, data: &events::ConversationCreated) -> String {
    let c = &data.conversation;
    let l = data.message.labels.clone().unwrap_or_default();
    let mut note = format!(
        "Touchpoint: topic {} ({:.0}%), tone {}, {}{}, language {}.",
        l.topic,
        l.topic_confidence * 100.0,
        l.sentiment,
        l.kind,
        if l.expectation_gap {
            ", an expectation gap"
        } else {
            ""
        },
        l.language
    );
    if !l.pii_removed.is_empty() {
        note.push_str(&format!(
            " Removed before sending: {}.",
            l.pii_removed.join(", ")
        ));
    }
    let x = &c.context;
    if !x.path.is_empty() {
        note.push_str(&format!(
            "\nWrote from {} ({}).",
            x.path,
            if x.page_type.is_empty() {
                "page"
            } else {
                &x.page_type
            }
        ));
    }
    if !x.channel.is_empty() {
        note.push_str(&format!("\nCame by {}", x.channel));
        if !x.campaign.is_empty() {
            note.push_str(&format!(", campaign {}", x.campaign));
        }
        note.push('.');
    }
    match c.contact.preference.as_str() {
        "email" => note.push_str(&format!(
            "\nWants an answer by e-mail: {}.",
            c.contact.email
        )),
        "phone" => note.push_str(&format!("\nWants a call back: {}.", c.contact.phone)),
        _ => note.push_str("\nWaits for the answer in the website's widget."),
    }
    #[derive(Deserialize)]
    struct Step {
        kind: String,
        path: String,
        page_type: String,
    }
    let journey: Vec<Step> = db::rows(
        &env.db,
        "SELECT e.kind, e.path, e.page_type FROM events e JOIN conversations c ON c.id = ?2 \
         WHERE e.site_id = ?1 AND e.kind = 'pageview' AND e.occurred_at <= c.created_at \
         AND ((c.visitor_key != '' AND e.visitor_key = c.visitor_key) OR (c.visitor_id != '' AND e.visitor_id = c.visitor_id)) \
         ORDER BY e.occurred_at DESC LIMIT 12",
        args![site, &c.id],
    )
    .await
    .unwrap_or_default();
    if !journey.is_empty() {
        note.push_str("\nJourney (latest last): ");
        let steps: Vec<String> = journey
            .iter()
            .rev()
            .filter(|s| s.kind == "pageview")
            .map(|s| {
                if s.page_type.is_empty() {
                    s.path.clone()
                } else {
                    format!("{} ({})", s.path, s.page_type)
                }
            })
            .collect();
        note.push_str(&steps.join(" → "));
    }
    note
}

/// The secret part of the inbound webhook URL for a Chatwoot destination:
/// derived from its API token, so it changes when the token does.
pub fn inbound_token(destination: &str, spec_secret: &str) -> String {
    let mut message = String::from("chatwoot-inbound:");
    message.push_str(destination);
    guard::identity_hmac(spec_secret, &message)[..32].to_owned()
}

/// The inbound path Chatwoot's API inbox should call (`webhook_url`).
pub fn inbound_path(destination: &str, spec_secret: &str) -> String {
    let mut path = String::from("/v1/hooks/chatwoot/");
    path.push_str(destination);
    path.push('/');
    path.push_str(&inbound_token(destination, spec_secret));
    path
}

/// Chatwoot's webhook event, the fields the bridge reads.
#[derive(Deserialize)]
struct Inbound {
    #[serde(default)]
    event: String,
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    message_type: serde_json::Value,
    #[serde(default)]
    private: bool,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    conversation: Option<InboundConversation>,
    #[serde(default)]
    sender: Option<InboundSender>,
}

#[derive(Deserialize)]
struct InboundConversation {
    id: i64,
}

#[derive(Deserialize)]
struct InboundSender {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct LinkedConversation {
    conversation_id: String,
    site_id: String,
    team_id: String,
    topic: String,
}

/// `POST /v1/hooks/chatwoot/{destination}/{token}`: an agent's public reply
/// in Chatwoot becomes a staff message in the visitor's thread (once, however
/// often Chatwoot retries). Other events and private notes are acknowledged
/// and ignored.
pub async fn inbound(
    request: &Request,
    env: &Env,
    destination: &str,
    token: &str,
) -> Result<Response, ApiError> {
    #[derive(Deserialize)]
    struct Secret {
        secret: String,
        kind: String,
        enabled: i64,
    }
    let secret: Option<Secret> = db::row(
        &env.db,
        "SELECT secret, kind, enabled FROM destinations WHERE id = ?1",
        args![destination],
    )
    .await?;
    // The URL is the credential: a wrong token answers as an unknown
    // destination does, so neither tells which destination ids exist.
    let known = secret.filter(|s| {
        s.kind == "chatwoot"
            && guard::constant_time_eq(
                inbound_token(destination, &s.secret).as_bytes(),
                token.as_bytes(),
            )
    });
    if known.is_none() {
        // Counted as a failed credential, as everywhere else: 404 until this
        // address has failed too often this minute, then 429.
        let ip = http::client_ip(request);
        let failed = super::limits::sign_in_failed(&env.db, &ip, "", now_ms()).await;
        return Err(match failed {
            ApiError::Unauthorized => ApiError::NotFound,
            other => other,
        });
    }
    // Chatwoot keeps calling a destination a site admin switched off: the
    // right token is no failed credential, but the reply goes nowhere, so
    // the answer says why rather than acknowledging it.
    if known.as_ref().is_some_and(|s| s.enabled == 0) {
        return Err(ApiError::Conflict(
            "this Chatwoot destination is disabled: enable it to receive agents' replies".into(),
        ));
    }
    let event: Inbound = read_json(request).await?;
    // Chatwoot sends message_type as "outgoing" or as its enum number (1).
    let outgoing = event.message_type == json!("outgoing") || event.message_type == json!(1);
    let text = event.content.unwrap_or_default();
    let (Some(remote), Some(message_id)) = (event.conversation.map(|c| c.id), event.id) else {
        return accepted("ignored");
    };
    if event.event != "message_created" || !outgoing || event.private || text.trim().is_empty() {
        return accepted("ignored");
    }
    let linked: Option<LinkedConversation> = db::row(
        &env.db,
        "SELECT l.conversation_id, c.site_id, c.team_id, c.topic FROM chatwoot_links l \
         JOIN conversations c ON c.id = l.conversation_id \
         WHERE l.destination_id = ?1 AND l.chatwoot_conversation_id = ?2",
        args![destination, remote],
    )
    .await?;
    let Some(linked) = linked else {
        return accepted("ignored");
    };
    let agent = event
        .sender
        .map(|s| s.name)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Support".into());
    let name = threads::first_name(&agent).to_owned();
    let client_id = format!("chatwoot-{destination}-{message_id}");
    let mut staff_id = String::from("chatwoot:");
    staff_id.push_str(destination);
    let now = now_ms();
    let message = Append {
        author: Author::Staff,
        staff_id: &staff_id,
        staff_name: &name,
        notice: None,
        actor_id: "",
        team_id: "",
        text: &text,
        screened: None,
        client_id: Some(&client_id),
    };
    let (row, new) = threads::append(
        &env.db,
        &linked.conversation_id,
        &message,
        super::staff::STAFF_REPLY_UPDATE,
        "",
        now,
    )
    .await?;
    if new {
        let data = events::MessageCreated {
            message: events::Message {
                id: row.id.to_string(),
                conversation_id: linked.conversation_id.clone(),
                author: Author::Staff.as_str().into(),
                staff_name: name,
                // The agent's words reach the visitor as written; the
                // site's other destinations get them redacted.
                text: shared_text(Author::Staff, &text),
                labels: None,
                external_id: events::external_id(&linked.site_id, &linked.conversation_id),
                created_at: now,
            },
        };
        let out = Outbound::new(&linked.site_id, EventType::MessageCreated, &data)
            .about(&linked.conversation_id, &linked.team_id, &linked.topic)
            .except(destination);
        destinations::emit(env, out, now).await;
        // The visitor (and any console with it open) sees the agent's reply
        // at once, as if it were answered in the console.
        let thread = super::live::Thread {
            id: &linked.conversation_id,
            site: &linked.site_id,
            team: &linked.team_id,
            status: Status::Open,
        };
        super::live::notify(env, thread, Some(&row), None).await;
        // Someone who wrote by e-mail (or social, or phone) gets the agent's
        // answer as a console reply would reach them. The reply is stored
        // already, so a failure here is logged: Chatwoot's retry would be a
        // duplicate and queue nothing.
        let outside = match threads::load(&env.db, &linked.conversation_id).await {
            Ok(Some(conversation)) => {
                super::staff::answer_outside(env, &conversation, &row.text, now).await
            }
            Ok(None) => Ok(()),
            Err(error) => Err(error),
        };
        if let Err(error) = outside {
            super::runtime::log(
                "reply.outbound for a Chatwoot reply not queued",
                &wasm_bindgen::JsValue::from_str(&error.to_string()),
            );
        }
    }
    accepted(if new { "delivered" } else { "duplicate" })
}

fn accepted(outcome: &str) -> Result<Response, ApiError> {
    let mut body = String::from("{\"outcome\":\"");
    body.push_str(outcome);
    body.push_str("\"}");
    http::text_json_response(200, &body)
}
