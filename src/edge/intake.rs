//! `POST /v1/intake`: messages from other channels — e-mail, social media, a
//! phone note — posted by the company's own integration with the site's intake
//! key. The edge redacts and classifies them with the same model the browser
//! uses and puts them in the same inbox, so one taxonomy and one queue cover
//! every channel.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use web_sys::{Request, Response};

use super::http::{bearer, client_ip, read_json};
use super::runtime::{now_ms, random16};
use super::sites::{load_teams, site_with_intake_key, Site};
use super::threads::{self, Append};
use super::{db, destinations, http, limits, Env};
use crate::args;
use crate::domain::api::ApiError;
use crate::domain::conversation::{self, check_short, check_text, secret, Status};
use crate::domain::guard;
use crate::domain::inbox::default_team;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IntakeRequest {
    site: String,
    /// `email`, `social` or `phone`.
    channel: String,
    #[serde(default)]
    sender: Sender,
    text: String,
    /// The message's id in its own system (a Message-ID, a post id): posting
    /// the same id twice stores it once.
    external_id: String,
    /// Where staff replies go (an address or handle), through the team's webhook.
    #[serde(default)]
    reply_address: String,
    /// The external id this message answers: it joins that conversation.
    #[serde(default)]
    in_reply_to: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sender {
    #[serde(default)]
    name: String,
}

#[derive(Serialize)]
struct Received {
    conversation: String,
    team: String,
    message: i64,
    duplicate: bool,
    topic: String,
    redacted: Vec<&'static str>,
}

/// External ids can be anything; messages key them by a fixed-length digest.
fn client_id_of(external_id: &str) -> String {
    let digest = Sha256::digest(external_id.as_bytes());
    let mut id = String::from("ext-");
    id.push_str(&crate::domain::ids::event_id(
        <[u8; 16]>::try_from(&digest[..16]).unwrap_or([0; 16]),
    ));
    id
}

#[derive(Deserialize)]
struct Found {
    conversation_id: String,
    id: i64,
    team_id: String,
    topic: String,
    text: String,
}

/// The stored message with this client id on the site, if any.
async fn find(env: &Env, site: &str, client_id: &str) -> Result<Option<Found>, ApiError> {
    db::row(
        &env.db,
        "SELECT m.conversation_id, m.id, c.team_id, c.topic, m.text FROM messages m JOIN conversations c ON c.id = m.conversation_id \
         WHERE c.site_id = ?1 AND m.client_id = ?2",
        args![site, client_id],
    )
    .await
}

/// The answer to a message sent again: 200 with what the first stored, when
/// it is the same text; the same external id with another text is a
/// sender reusing ids, and answering the old message would drop the new
/// one without a word: 409.
fn already_received(found: Found, text: &str) -> Result<Response, ApiError> {
    if found.text != text {
        return Err(ApiError::Conflict(
            "external_id was already used for a different message".into(),
        ));
    }
    http::json_response(
        200,
        &Received {
            conversation: found.conversation_id,
            team: found.team_id,
            message: found.id,
            duplicate: true,
            topic: found.topic,
            redacted: vec![],
        },
        None,
    )
}

/// The site whose intake key is presented, if any: the key alone names the
/// site, so the caller is known before its body is read.
async fn site_of_key(env: &Env, key: &str) -> Result<Option<Site>, ApiError> {
    if !key.starts_with("tpi_") {
        return Ok(None);
    }
    let site = site_with_intake_key(env, &secret::hash(key)).await?;
    // Compared again in constant time: the query only found the candidate.
    Ok(site.filter(|site| {
        guard::constant_time_eq(
            site.intake_key_hash.as_bytes(),
            secret::hash(key).as_bytes(),
        )
    }))
}

/// `POST /v1/intake`.
pub async fn intake(request: &Request, env: &Env) -> Result<Response, ApiError> {
    // No credential at all guesses nothing: 401, not counted as a failure.
    let key = bearer(request).ok_or(ApiError::Unauthorized)?;
    let Some(site) = site_of_key(env, &key).await? else {
        return Err(limits::sign_in_failed(&env.db, &client_ip(request), "", now_ms()).await);
    };
    let body: IntakeRequest = read_json(request).await?;
    check_short("site", &body.site, true)?;
    if body.site != site.id {
        // The key is right, for another site.
        return Err(ApiError::Forbidden);
    }
    if !matches!(body.channel.as_str(), "email" | "social" | "phone") {
        return Err(ApiError::InvalidRequest(
            "channel must be email, social or phone".into(),
        ));
    }
    check_text("text", &body.text)?;
    check_short("external_id", &body.external_id, true)?;
    check_short("reply_address", &body.reply_address, false)?;
    check_short("sender.name", &body.sender.name, false)?;
    let now = now_ms();
    limits::charge(
        &env.db,
        &[(
            limits::key("intake", &site.id),
            guard::INTAKE_PER_SITE_PER_MINUTE,
        )],
        1,
        now,
    )
    .await?;
    let client_id = client_id_of(&body.external_id);
    let screened = threads::screen(env, &site.id, &body.text, None).await?;
    if let Some(found) = find(env, &site.id, &client_id).await? {
        return already_received(found, &screened.text);
    }
    let message = Append::visitor(&screened, Some(&client_id));
    let thread = match &body.in_reply_to {
        Some(parent) => find(env, &site.id, &client_id_of(parent)).await?,
        None => None,
    };
    let continued = thread.is_some();
    let (conversation, team) = match thread {
        Some(found) => {
            threads::append(&env.db, &found.conversation_id, &message,
                "UPDATE conversations SET status = 'waiting', last_visitor_at = ?2, updated_at = ?2, closed_at = 0 WHERE id = ?1",
                "", now).await?;
            (found.conversation_id, found.team_id)
        }
        None => {
            let visible: Vec<String> = load_teams(env, &site.id)
                .await?
                .into_iter()
                .map(|t| t.id)
                .collect();
            let default_team = default_team(&visible, &site.default_team)
                .ok_or_else(|| ApiError::Conflict("this site has no team yet".into()))?;
            let team = conversation::route_to_team(
                &screened.edge.topic,
                None,
                &site.routing(),
                &visible,
                default_team,
            );
            let id = crate::domain::ids::event_id(random16()?);
            let insert = env.db.statement(
                "INSERT INTO conversations (id, site_id, team_id, status, channel, visitor_name, external_id, reply_address, \
                 reply_channel, topic, sentiment, kind, confidence, created_at, updated_at, last_visitor_at, expectation_gap) \
                 VALUES (?1, ?2, ?3, 'waiting', ?4, ?5, ?6, ?7, ?4, ?8, ?9, ?10, ?11, ?12, ?12, ?12, ?13)",
                args![&id, &site.id, &team, &body.channel, &conversation::stored_name(&body.sender.name), &body.external_id, &conversation::stored_address(&body.reply_address),
                      &screened.edge.topic, &screened.edge.sentiment, screened.edge.kind, screened.edge.topic_confidence, now, i64::from(screened.edge.expectation_gap)],
            );
            let stored = db::batch_unless_taken(
                &env.db,
                vec![
                    insert,
                    threads::insert_statement(&env.db, &id, &message, now),
                ],
            )
            .await?;
            if let db::Claim::Taken(refusal) = stored {
                // The same message sent twice at once: one conversation per
                // external id (migration 0020), so the other request's won.
                return match find(env, &site.id, &client_id).await? {
                    Some(found) => already_received(found, &screened.text),
                    // Refused, yet nothing has its external id: D1's words, for the operator.
                    None => Err(super::runtime::unavailable(&refusal, "intake")),
                };
            }
            (id, team)
        }
    };
    let stored = threads::by_client_id(&env.db, &conversation, Some(&client_id))
        .await?
        .ok_or(ApiError::Internal)?;
    // Consoles see the new or reopened conversation at once.
    let thread = super::live::Thread {
        id: &conversation,
        site: &site.id,
        team: &team,
        status: Status::Waiting,
    };
    super::live::notify(env, thread, Some(&stored), None).await;
    if continued {
        destinations::message_created(env, &site.id, &conversation, &stored, Some(&screened), now)
            .await;
    } else {
        destinations::conversation_created(env, &site.id, &conversation, &stored, &screened, now)
            .await;
    }
    http::json_response(
        201,
        &Received {
            conversation,
            team,
            message: stored.id,
            duplicate: false,
            topic: screened.edge.topic.clone(),
            redacted: screened.missed.clone(),
        },
        None,
    )
}
