//! Destinations at the edge (issue 17): the operator API that adds and lists
//! them, `emit` which records an outbound event and one delivery per
//! destination that wants it, and delivery itself — through the `DELIVERIES`
//! queue, so a destination that is slow or down never slows a visitor, with
//! retries, a dead state kept in the log, and replay. `domain::destination`
//! decides; this module carries it out.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Request, Response};

use super::http::{private_json as json, read_json};
use super::runtime::{now_ms, random16};
use super::threads::{self, ConversationRow, MessageRow};
use super::{admin, db, http, runtime, Env};
use crate::args;
use crate::domain::api::ApiError;
use crate::domain::conversation::{check_short, shared_text, Screened};
use crate::domain::destination::{
    self, events, segment, ChatwootTarget, DeliveryState, EventType, Kind, Next, Spec, Update,
};
use crate::domain::export::PageError;
use crate::domain::wire::destinations::{
    Deleted, Deliveries, Delivery, Destination, Destinations, Replayed,
};

/// A queued delivery not attempted this long after it was due is taken up by
/// the scheduled sweep (the queue lost it, or no queue is bound).
const SWEEP_GRACE_MS: i64 = 120_000;
/// A delivery being attempted is leased for this long.
const LEASE_MS: i64 = 60_000;

#[wasm_bindgen]
extern "C" {
    /// A Cloudflare Queue producer binding (`env.DELIVERIES`).
    pub type Queue;

    #[wasm_bindgen(method, catch, js_name = sendBatch)]
    async fn send_batch(this: &Queue, messages: js_sys::Array) -> Result<JsValue, JsValue>;
}

/// A destination as stored.
#[derive(Debug, Clone, Deserialize)]
struct DestinationRow {
    id: String,
    kind: String,
    name: String,
    url: String,
    secret: String,
    chatwoot_account_id: i64,
    chatwoot_inbox_id: i64,
    filter: String,
    enabled: i64,
    created_at: i64,
    updated_at: i64,
    #[serde(default)]
    prefix: String,
}

impl DestinationRow {
    fn spec(&self) -> Option<Spec> {
        let kind = Kind::parse(&self.kind)?;
        Some(Spec {
            kind,
            name: self.name.clone(),
            url: self.url.clone(),
            prefix: self.prefix.clone(),
            secret: self.secret.clone(),
            chatwoot: (kind == Kind::Chatwoot).then(|| ChatwootTarget {
                account_id: u32::try_from(self.chatwoot_account_id).unwrap_or(0),
                inbox_id: u32::try_from(self.chatwoot_inbox_id).unwrap_or(0),
            }),
            filter: serde_json::from_str(&self.filter).unwrap_or_default(),
            enabled: self.enabled != 0,
        })
    }
}

// ---------------------------------------------------------------- producing

/// One thing that happened, for `emit`.
pub struct Outbound<'a> {
    pub site: &'a str,
    pub event: EventType,
    /// The conversation's team and topic, for filters ("" when none).
    pub team: &'a str,
    pub topic: &'a str,
    pub conversation_id: &'a str,
    /// The event's `data` as JSON.
    pub data: String,
    /// A destination the event came from, which must not get it back.
    pub except: Option<&'a str>,
    /// A new conversation with nobody to `identify`: Segment skips it.
    pub skip_segment: bool,
}

impl<'a> Outbound<'a> {
    /// An event whose data is `data`, serialized.
    pub fn new<T: Serialize>(site: &'a str, event: EventType, data: &T) -> Self {
        Outbound {
            site,
            event,
            team: "",
            topic: "",
            conversation_id: "",
            data: serde_json::to_string(data).unwrap_or_default(),
            except: None,
            skip_segment: false,
        }
    }

    pub fn except(mut self, destination: &'a str) -> Self {
        self.except = Some(destination);
        self
    }

    pub fn about(mut self, conversation_id: &'a str, team: &'a str, topic: &'a str) -> Self {
        self.conversation_id = conversation_id;
        self.team = team;
        self.topic = topic;
        self
    }
}

/// Records `out` for every destination of its site that wants it and queues
/// the deliveries. Never fails the caller's request: a destination problem is
/// logged for the operator, and what was stored is delivered by the sweep.
pub async fn emit(env: &Env, out: Outbound<'_>, now: i64) {
    if let Err(error) = try_emit(env, &out, now).await {
        runtime::log(
            "could not record an outbound event",
            &JsValue::from_str(&error.to_string()),
        );
    }
}

/// How long an isolate trusts its copy of a site's destinations. Changes made
/// through this isolate apply at once; others within this time.
const CACHE_MS: i64 = 30_000;

type Cached = (i64, Rc<Vec<DestinationRow>>);

thread_local! {
    static ENABLED: RefCell<HashMap<String, Cached>> = RefCell::new(HashMap::new());
}

/// The site's enabled destinations, from this isolate's short-lived copy:
/// a site without any costs no D1 read per event.
async fn enabled(env: &Env, site: &str, now: i64) -> Result<Rc<Vec<DestinationRow>>, ApiError> {
    let cached = ENABLED.with(|c| {
        c.borrow()
            .get(site)
            .filter(|(at, _)| now - at < CACHE_MS && now >= *at)
            .map(|(_, rows)| Rc::clone(rows))
    });
    if let Some(rows) = cached {
        return Ok(rows);
    }
    let rows: Vec<DestinationRow> = db::rows(
        &env.db,
        "SELECT * FROM destinations WHERE site_id = ?1 AND enabled = 1",
        args![site],
    )
    .await?;
    let rows = Rc::new(rows);
    ENABLED.with(|c| {
        c.borrow_mut()
            .insert(site.to_owned(), (now, Rc::clone(&rows)))
    });
    Ok(rows)
}

fn forget(site: &str) {
    ENABLED.with(|c| c.borrow_mut().remove(site));
}

/// Whether any destination of the site may want `event` (cheap: cached).
pub async fn any_wants(env: &Env, site: &str, event: EventType, now: i64) -> bool {
    enabled(env, site, now).await.is_ok_and(|rows| {
        rows.iter()
            .any(|d| d.spec().is_some_and(|s| s.enabled && s.kind.carries(event)))
    })
}

async fn try_emit(env: &Env, out: &Outbound<'_>, now: i64) -> Result<(), ApiError> {
    if let Some((statements, ids)) = recording(env, out, now, false).await? {
        db::batch(&env.db, statements).await?;
        enqueue(env, &ids).await;
    }
    Ok(())
}

/// What records `out`: its outbound event and a delivery for every
/// destination of its site that wants it, as statements, and the delivery
/// ids to queue once they ran; `None` when no destination wants it. With
/// `unstored` (ingestion's touchpoints, riding in its D1 batch), the first
/// statement goes just before the insert and keeps only the touchpoints not
/// stored yet, and the second, right after the insert, drops the event when
/// the insert stored nothing (a refused batch): a batch resent with one new
/// touchpoint forwards that one, not again the ones sent before.
async fn recording(
    env: &Env,
    out: &Outbound<'_>,
    now: i64,
    unstored: bool,
) -> Result<Option<(Vec<db::D1PreparedStatement>, Vec<String>)>, ApiError> {
    let destinations = enabled(env, out.site, now).await?;
    let wanted: Vec<&DestinationRow> = destinations
        .iter()
        .filter(|d| out.except != Some(d.id.as_str()))
        .filter(|d| !(out.skip_segment && d.kind == Kind::Segment.as_str()))
        .filter(|d| {
            d.spec()
                .is_some_and(|s| s.wants(out.event, out.team, out.topic))
        })
        .collect();
    if wanted.is_empty() {
        return Ok(None);
    }
    let mut event_id = String::from("ev_");
    event_id.push_str(&crate::domain::ids::event_id(random16()?));
    let queued = env.deliveries.is_some();
    // Without a queue the next scheduled run delivers at once.
    let due = if queued { now } else { now - SWEEP_GRACE_MS };
    let mut statements = vec![env.db.statement(
        if unstored {
            // json_each keeps the batch's order; no event when all were stored.
            "INSERT INTO outbound_events (id, site_id, type, conversation_id, data, created_at) \
             SELECT ?1, ?2, ?3, ?4, json_object('touchpoints', json(list)), ?6 FROM \
             (SELECT json_group_array(json(value)) AS list, count(*) AS fresh FROM json_each(?5, '$.touchpoints') \
              WHERE NOT EXISTS (SELECT 1 FROM events WHERE site_id = ?2 AND id = value ->> '$.id')) \
             WHERE fresh > 0"
        } else {
            "INSERT INTO outbound_events (id, site_id, type, conversation_id, data, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        },
        args![&event_id, out.site, out.event.as_str(), out.conversation_id, &out.data, now],
    )];
    if unstored {
        // Runs right after ingestion's insert: `changes()` is that insert's.
        statements.push(env.db.statement(
            "DELETE FROM outbound_events WHERE id = ?1 AND changes() = 0",
            args![&event_id],
        ));
    }
    let mut ids = Vec::with_capacity(wanted.len());
    for destination in wanted {
        let id = destination::delivery_id(&destination.id, &event_id);
        // Only for a recorded event, and a destination not deleted since this
        // isolate read the list: a broken reference must not fail the batch.
        statements.push(env.db.statement(
            "INSERT INTO destination_deliveries (id, destination_id, event_id, next_attempt_at, created_at) \
             SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM outbound_events WHERE id = ?3) \
             AND EXISTS (SELECT 1 FROM destinations WHERE id = ?2)",
            args![&id, &destination.id, &event_id, due, now],
        ));
        ids.push(id);
    }
    Ok(Some((statements, ids)))
}

/// `touchpoints` for a batch being ingested, as statements for ingestion's
/// own D1 batch, and the delivery ids to hand to `queue` after it ran.
pub struct TouchpointRecording {
    /// Goes right before the insert: the event, with only the touchpoints
    /// not stored yet (none: no event).
    pub before: db::D1PreparedStatement,
    /// Go right after the insert: drop the event if the insert stored
    /// nothing, then one delivery per destination.
    pub after: Vec<db::D1PreparedStatement>,
    pub deliveries: Vec<String>,
}

/// How ingestion records its batch for destinations; `None` when no
/// destination takes touchpoints (cached: no D1 read per batch).
pub async fn touchpoint_statements(
    env: &Env,
    site: &str,
    touchpoints: Vec<segment::Touchpoint>,
    now: i64,
) -> Option<TouchpointRecording> {
    let data = events::Touchpoints { touchpoints };
    let out = Outbound::new(site, EventType::Touchpoints, &data);
    let (statements, deliveries) = recording(env, &out, now, true).await.ok().flatten()?;
    let mut statements = statements.into_iter();
    let before = statements.next()?;
    Some(TouchpointRecording {
        before,
        after: statements.collect(),
        deliveries,
    })
}

/// Queues deliveries recorded in another handler's batch.
pub async fn queue(env: &Env, ids: &[String]) {
    enqueue(env, ids).await;
}

/// Hands delivery ids to the queue; a failure leaves them to the sweep.
async fn enqueue(env: &Env, ids: &[String]) {
    let Some(queue) = &env.deliveries else { return };
    for chunk in ids.chunks(100) {
        let messages: js_sys::Array = chunk
            .iter()
            .map(|id| {
                let message = js_sys::Object::new();
                js_sys::Reflect::set(&message, &JsValue::from_str("body"), &JsValue::from_str(id))
                    .ok();
                JsValue::from(message)
            })
            .collect();
        if let Err(error) = queue.send_batch(messages).await {
            runtime::log(
                "could not queue deliveries; the scheduled sweep will send them",
                &error,
            );
        }
    }
}

// --------------------------------------------------------------- delivering

#[derive(Deserialize)]
struct DueDelivery {
    id: String,
    status: String,
    attempts: i64,
    event_id: String,
    event_type: String,
    data: String,
    event_created_at: i64,
    site_id: String,
    conversation_id: String,
    destination_id: String,
}

/// The queue consumer: attempts each delivery; per id, the seconds after
/// which the queue should retry it, or -1 when it is done.
pub async fn deliver_queued(env: JsValue, ids: Vec<String>, now: i64) -> Result<Vec<i32>, JsValue> {
    let env = Env::from_js(&env).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let waits = attempt_all(&env, &ids, now).await;
    Ok(waits
        .into_iter()
        .map(|wait| match wait {
            Ok(Some(seconds)) => i32::try_from(seconds).unwrap_or(i32::MAX),
            Ok(None) => -1,
            // Storage trouble: let the queue try again shortly.
            Err(_) => 30,
        })
        .collect())
}

/// Attempts `ids`, each destination's in their order and different
/// destinations at the same time, so a receiver that hangs holds up only its
/// own deliveries. Once one of them goes unanswered, the rest of its
/// deliveries here wait as long as it does, with no attempt spent: a
/// receiver that is down would only time out again, once per delivery.
/// (A conversation's deliveries also wait behind its earlier ones: see
/// `attempt`.) Per id, as `attempt` answers.
async fn attempt_all(env: &Env, ids: &[String], now: i64) -> Vec<Result<Option<u32>, ApiError>> {
    #[derive(Deserialize)]
    struct Owner {
        id: String,
        destination_id: String,
    }
    // Ids are the worker's own (letters, digits, `_` and `-`): a JSON array
    // needs no escaping. A stranger one only breaks the lookup, and then
    // each id is a group of its own.
    let listed = ["[\"", &ids.join("\",\""), "\"]"].concat();
    let owners: Vec<Owner> = db::rows(
        &env.db,
        "SELECT id, destination_id FROM destination_deliveries \
         WHERE id IN (SELECT value FROM json_each(?1))",
        args![&listed],
    )
    .await
    .unwrap_or_default();
    // Groups in the order their first delivery came; an id without a row is
    // a group of its own (`attempt` finds nothing to do).
    let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
    for (index, id) in ids.iter().enumerate() {
        let owner = owners
            .iter()
            .find(|o| o.id == *id)
            .map_or(id.as_str(), |o| o.destination_id.as_str());
        match groups.iter_mut().find(|(o, _)| *o == owner) {
            Some((_, members)) => members.push(index),
            None => groups.push((owner, vec![index])),
        }
    }
    let runs = groups.into_iter().map(|(_, members)| async move {
        let mut results = Vec::with_capacity(members.len());
        let mut held: Option<u32> = None;
        for index in members {
            let id = &ids[index];
            let result = match held {
                Some(wait) => postpone(env, id, now, wait).await.map(|()| Some(wait)),
                // A receiver that did not answer would only time out again.
                None => attempt(env, id, now).await.map(|attempted| {
                    if attempted.unanswered {
                        held = attempted.wait;
                    }
                    attempted.wait
                }),
            };
            results.push((index, result));
        }
        results
    });
    let mut waits: Vec<Result<Option<u32>, ApiError>> = ids.iter().map(|_| Ok(None)).collect();
    for (index, result) in join_all(runs.collect()).await.into_iter().flatten() {
        if let Some(slot) = waits.get_mut(index) {
            *slot = result;
        }
    }
    waits
}

/// Runs `futures` together to their ends; their outputs in order. Each
/// wake polls every one still running: a queue batch holds a few.
async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    use std::task::Poll;
    let mut running: Vec<Option<std::pin::Pin<Box<F>>>> =
        futures.into_iter().map(|f| Some(Box::pin(f))).collect();
    let mut outputs: Vec<Option<F::Output>> = running.iter().map(|_| None).collect();
    std::future::poll_fn(|context| {
        let mut finished = true;
        for (slot, output) in running.iter_mut().zip(outputs.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(context) {
                    Poll::Ready(value) => {
                        *output = Some(value);
                        *slot = None;
                    }
                    Poll::Pending => finished = false,
                }
            }
        }
        if finished {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// Moves a pending delivery's next attempt `wait` seconds on, spending none.
async fn postpone(env: &Env, id: &str, now: i64, wait: u32) -> Result<(), ApiError> {
    db::run(
        &env.db,
        "UPDATE destination_deliveries SET next_attempt_at = ?2 WHERE id = ?1 AND status = 'pending'",
        args![id, now + i64::from(wait) * 1000],
    )
    .await
    .map(drop)
}

/// What one `attempt` did: when to look at it again (`None`: done, or not
/// ours), and whether the receiver failed to answer at all.
struct Attempted {
    wait: Option<u32>,
    unanswered: bool,
}

impl Attempted {
    const NOTHING_TO_DO: Attempted = Attempted {
        wait: None,
        unanswered: false,
    };
}

/// Attempts one delivery if it is still pending and nobody else holds it.
async fn attempt(env: &Env, id: &str, now: i64) -> Result<Attempted, ApiError> {
    let due: Option<DueDelivery> = db::row(
        &env.db,
        "SELECT d.id, d.status, d.attempts, d.event_id, e.type AS event_type, e.data, \
         e.created_at AS event_created_at, e.site_id, e.conversation_id, d.destination_id \
         FROM destination_deliveries d JOIN outbound_events e ON e.id = d.event_id WHERE d.id = ?1",
        args![id],
    )
    .await?;
    let Some(due) = due else {
        return Ok(Attempted::NOTHING_TO_DO);
    };
    if DeliveryState::parse(&due.status) != Some(DeliveryState::Pending) {
        return Ok(Attempted::NOTHING_TO_DO);
    }
    let destination: Option<DestinationRow> = db::row(
        &env.db,
        "SELECT * FROM destinations WHERE id = ?1",
        args![&due.destination_id],
    )
    .await?;
    let spec = destination.as_ref().and_then(|d| d.spec().map(|s| (d, s)));
    if spec.as_ref().is_some_and(|(_, s)| !s.enabled) {
        // Disabled is a pause, not a failure: no attempt is spent, the sweep
        // passes it by, and enabling the destination sends what waited
        // (`resume_paused`, or the sweep once it is enabled).
        db::run(
            &env.db,
            "UPDATE destination_deliveries SET last_error = 'paused: the destination is disabled' \
             WHERE id = ?1 AND status = 'pending'",
            args![id],
        )
        .await?;
        return Ok(Attempted::NOTHING_TO_DO);
    }
    // A conversation's deliveries to a destination go in order (its
    // message before the conversation it belongs to is no good to a
    // receiver): one queued after another of the same conversation still
    // pending waits behind it, spending no attempt, until that one is
    // delivered or dead. Touchpoints carry their own times and wait for
    // nothing; one conversation's failing delivery holds no other's.
    #[derive(Deserialize)]
    struct Ahead {
        next_attempt_at: i64,
        last_error: String,
    }
    let ahead: Option<Ahead> = if due.conversation_id.is_empty() {
        None
    } else {
        db::row(
            &env.db,
            "SELECT d.next_attempt_at, d.last_error FROM destination_deliveries d \
             JOIN outbound_events e ON e.id = d.event_id \
             WHERE d.destination_id = ?1 AND d.status = 'pending' AND e.conversation_id = ?3 \
             AND d.rowid < (SELECT rowid FROM destination_deliveries WHERE id = ?2) \
             ORDER BY d.rowid LIMIT 1",
            args![&due.destination_id, id, &due.conversation_id],
        )
        .await?
    };
    if let Some(ahead) = ahead {
        // One that failed waits for its retry; one not tried yet, or on its
        // first attempt now, is looked at again shortly.
        let wait =
            destination::hold_behind_s(ahead.next_attempt_at, !ahead.last_error.is_empty(), now);
        db::run(
            &env.db,
            "UPDATE destination_deliveries SET next_attempt_at = ?2, \
             last_error = CASE WHEN last_error = '' THEN ?3 ELSE last_error END \
             WHERE id = ?1 AND status = 'pending'",
            args![id, now + i64::from(wait) * 1000, HELD_BEHIND],
        )
        .await?;
        return Ok(Attempted {
            wait: Some(wait),
            unanswered: false,
        });
    }
    // Take the lease: a second copy of the message, or the sweep, backs off.
    let leased = db::run(
        &env.db,
        "UPDATE destination_deliveries SET attempts = attempts + 1, next_attempt_at = ?3 \
         WHERE id = ?1 AND status = 'pending' AND attempts = ?2",
        args![id, due.attempts, now + LEASE_MS],
    )
    .await?;
    if leased == 0 {
        return Ok(Attempted::NOTHING_TO_DO);
    }
    let attempt = u32::try_from(due.attempts + 1).unwrap_or(u32::MAX);
    let outcome = match spec {
        Some((row, spec)) => send(env, row, &spec, &due, now).await,
        None => Err(Undelivered::lasting("the destination was deleted")),
    };
    let (status, error, lasting) = match outcome {
        Ok(status) => (Some(status), String::new(), false),
        Err(undelivered) => (None, undelivered.reason, undelivered.lasting),
    };
    let next = if lasting {
        Next::Dead
    } else {
        destination::after_attempt(attempt, status, env.delivery_retry_base_s)
    };
    let (state, wait) = match next {
        Next::Delivered => (DeliveryState::Delivered, None),
        Next::RetryIn(seconds) => (DeliveryState::Pending, Some(seconds)),
        Next::Dead => (DeliveryState::Dead, None),
    };
    let error = if error.is_empty() && state != DeliveryState::Delivered {
        format!("answered {}", status.unwrap_or(0))
    } else {
        error
    };
    db::run(
        &env.db,
        "UPDATE destination_deliveries SET status = ?2, last_status = ?3, last_error = ?4, \
         next_attempt_at = ?5, delivered_at = ?6 WHERE id = ?1",
        args![
            id,
            state.as_str(),
            i64::from(status.unwrap_or(0)),
            &error,
            now + i64::from(wait.unwrap_or(0)) * 1000,
            if state == DeliveryState::Delivered {
                now
            } else {
                0
            }
        ],
    )
    .await?;
    Ok(Attempted {
        wait,
        unanswered: status.is_none() && error == NO_ANSWER,
    })
}

/// Why a delivery attempt sent nothing. A `lasting` reason (the destination
/// or the conversation is gone) makes the delivery dead at once: retrying
/// could only fail the same way.
struct Undelivered {
    reason: String,
    lasting: bool,
}

impl Undelivered {
    fn lasting(reason: &str) -> Undelivered {
        Undelivered {
            reason: reason.to_owned(),
            lasting: true,
        }
    }
}

impl From<String> for Undelivered {
    fn from(reason: String) -> Undelivered {
        Undelivered {
            reason,
            lasting: false,
        }
    }
}

impl From<&str> for Undelivered {
    fn from(reason: &str) -> Undelivered {
        Undelivered::from(reason.to_owned())
    }
}

/// Sends one event to one destination; the answer's status, or why there
/// was none.
async fn send(
    env: &Env,
    row: &DestinationRow,
    spec: &Spec,
    due: &DueDelivery,
    now: i64,
) -> Result<u16, Undelivered> {
    let event = EventType::parse(&due.event_type).ok_or("unknown event type")?;
    let timeout = env.delivery_timeout_ms;
    match spec.kind {
        Kind::Webhook => {
            let data: serde_json::Value =
                serde_json::from_str(&due.data).map_err(|_| "stored event is not JSON")?;
            let envelope = destination::Envelope {
                id: due.event_id.clone(),
                event_type: event,
                created_at: due.event_created_at,
                site: due.site_id.clone(),
                data,
            };
            let body = serde_json::to_string(&envelope).map_err(|_| "cannot encode the event")?;
            let headers =
                destination::webhook_headers(&spec.secret, &due.id, event, now / 1000, &body);
            Ok(post(&spec.url, &headers, &body, timeout).await?)
        }
        Kind::Segment if event == EventType::ConversationCreated => {
            // Read now, not from the event: an erased conversation sends nothing.
            let conversation = threads::load(&env.db, &due.conversation_id)
                .await
                .map_err(|_| "could not read the conversation")?
                .ok_or_else(|| Undelivered::lasting("the conversation was erased; nothing sent"))?;
            let call = segment::identify(
                &due.site_id,
                &conversation.id,
                &conversation.visitor_id,
                &contact_of(&conversation),
                conversation.created_at,
            )
            .ok_or_else(|| Undelivered::lasting("nobody to identify; nothing sent"))?;
            let auth = [("authorization", segment::authorization(&spec.secret))];
            Ok(post(
                &segment_url(spec),
                &auth,
                &segment::batch_of(&call, now),
                timeout,
            )
            .await?)
        }
        Kind::Segment => {
            let data: events::Touchpoints = serde_json::from_str(&due.data)
                .map_err(|_| "stored touchpoints are not readable")?;
            let batches = segment::batches(&due.site_id, &data.touchpoints, now);
            let url = segment_url(spec);
            let auth = [("authorization", segment::authorization(&spec.secret))];
            let mut last = 200;
            for body in &batches.bodies {
                last = post(&url, &auth, body, timeout).await?;
                if !(200..300).contains(&last) {
                    break;
                }
            }
            Ok(last)
        }
        Kind::Chatwoot => {
            Ok(super::chatwoot::deliver(env, &row.id, spec, event, due_view(due)).await?)
        }
        // Never queued: `Kind::carries` is false for every event.
        Kind::R2 => Err(Undelivered::lasting(
            "an R2 destination is written by the scheduled job",
        )),
    }
}

/// A Segment-compatible collector's batch endpoint.
fn segment_url(spec: &Spec) -> String {
    let mut url = spec.url.trim_end_matches('/').to_owned();
    url.push_str("/v1/batch");
    url
}

/// What the Chatwoot bridge needs of a due delivery.
fn due_view(due: &DueDelivery) -> super::chatwoot::Due<'_> {
    super::chatwoot::Due {
        site: &due.site_id,
        conversation_id: &due.conversation_id,
        data: &due.data,
    }
}

/// What the log says of a delivery waiting behind an earlier one.
const HELD_BEHIND: &str =
    "waiting: an earlier delivery of this conversation to this destination goes first";

/// Why an attempt got no answer at all: the receiver is down, hangs past
/// the timeout, or its URL does not resolve.
const NO_ANSWER: &str = "no answer (network error, timeout or bad URL)";

/// POSTs `body` as JSON with `headers`, giving up after `timeout_ms`.
pub async fn post(
    url: &str,
    headers: &[(&str, String)],
    body: &str,
    timeout_ms: u32,
) -> Result<u16, String> {
    request("POST", url, headers, Some(body), timeout_ms)
        .await
        .map(|(status, _)| status)
}

/// Makes a request with the runtime's `fetch`; the status and the body text.
pub async fn request(
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: Option<&str>,
    timeout_ms: u32,
) -> Result<(u16, String), String> {
    let fail = |_: JsValue| String::from(NO_ANSWER);
    let set = |object: &js_sys::Object, key: &str, value: &JsValue| {
        js_sys::Reflect::set(object, &JsValue::from_str(key), value).map(|_| ())
    };
    let header_object = js_sys::Object::new();
    set(
        &header_object,
        "content-type",
        &JsValue::from_str("application/json"),
    )
    .map_err(fail)?;
    set(
        &header_object,
        "user-agent",
        &JsValue::from_str("Touchpoint-Webhook/1"),
    )
    .map_err(fail)?;
    for (name, value) in headers {
        set(&header_object, name, &JsValue::from_str(value)).map_err(fail)?;
    }
    let init = js_sys::Object::new();
    set(&init, "method", &JsValue::from_str(method)).map_err(fail)?;
    set(&init, "headers", &header_object).map_err(fail)?;
    // A redirect could send the signed body (or Chatwoot's token) to a host
    // the URL checks never saw: it is an answer, not followed.
    set(&init, "redirect", &JsValue::from_str("manual")).map_err(fail)?;
    if let Some(body) = body {
        set(&init, "body", &JsValue::from_str(body)).map_err(fail)?;
    }
    // AbortSignal.timeout(ms): a receiver that hangs counts as a failed attempt.
    let global = js_sys::global();
    let signal = js_sys::Reflect::get(&global, &JsValue::from_str("AbortSignal"))
        .and_then(|abort| {
            let timeout = js_sys::Reflect::get(&abort, &JsValue::from_str("timeout"))?;
            timeout
                .unchecked_into::<js_sys::Function>()
                .call1(&abort, &JsValue::from_f64(f64::from(timeout_ms)))
        })
        .map_err(fail)?;
    set(&init, "signal", &signal).map_err(fail)?;
    let fetch = js_sys::Reflect::get(&global, &JsValue::from_str("fetch")).map_err(fail)?;
    let promise = fetch
        .unchecked_into::<js_sys::Function>()
        .call2(&JsValue::UNDEFINED, &JsValue::from_str(url), &init)
        .map_err(fail)?;
    let response = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise))
        .await
        .map_err(fail)?;
    let response: web_sys::Response = response.unchecked_into();
    let status = response.status();
    if (300..400).contains(&status) {
        // Said in the log's words (its status column is for answers taken).
        return Err(format!(
            "answered {status}, a redirect elsewhere (deliveries do not follow redirects)"
        ));
    }
    Ok((status, read_answer(&response).await))
}

/// The most of a receiver's answer that is read: only Chatwoot's are used
/// (for ids, a few hundred bytes), and no receiver may make the worker hold
/// an endless body.
const ANSWER_CAP_BYTES: usize = 64 * 1024;

/// A receiver's answer as text, cut at `ANSWER_CAP_BYTES` (the rest is
/// cancelled unread).
async fn read_answer(response: &web_sys::Response) -> String {
    let mut body = Vec::new();
    if let Some(stream) = response.body() {
        if let Ok(reader) = http::call0(&stream, "getReader") {
            while body.len() < ANSWER_CAP_BYTES {
                let Ok(next) = http::call0(&reader, "read") else {
                    break;
                };
                let Ok(step) =
                    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(next)).await
                else {
                    break;
                };
                let chunk = js_sys::Reflect::get(&step, &JsValue::from_str("value"))
                    .ok()
                    .and_then(|v| v.dyn_into::<js_sys::Uint8Array>().ok());
                let Some(chunk) = chunk else { break };
                body.extend_from_slice(&chunk.to_vec());
            }
            let _ = http::call0(&reader, "cancel");
        }
    }
    body.truncate(ANSWER_CAP_BYTES);
    String::from_utf8_lossy(&body).into_owned()
}

/// Sends at once what waited while a destination was disabled.
async fn resume_paused(env: &Env, destination: &str) -> Result<(), ApiError> {
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let paused: Vec<Id> = db::rows(
        &env.db,
        "UPDATE destination_deliveries SET next_attempt_at = ?2, last_error = '' \
         WHERE destination_id = ?1 AND status = 'pending' AND last_error LIKE 'paused:%' RETURNING id",
        args![destination, now_ms() - SWEEP_GRACE_MS],
    )
    .await?;
    // Without a queue, the scheduled sweep finds them due.
    enqueue(env, &paused.into_iter().map(|p| p.id).collect::<Vec<_>>()).await;
    Ok(())
}

/// The scheduled sweep: deliveries past due (the queue lost them, or there
/// is no queue) are queued again, or attempted here without a queue.
pub async fn sweep(env: &Env, now: i64) -> Result<u32, ApiError> {
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let late: Vec<Id> = db::rows(
        &env.db,
        "SELECT id FROM destination_deliveries WHERE status = 'pending' AND next_attempt_at <= ?1 \
         AND destination_id IN (SELECT id FROM destinations WHERE enabled = 1) \
         ORDER BY next_attempt_at LIMIT 50",
        args![now - SWEEP_GRACE_MS],
    )
    .await?;
    let ids: Vec<String> = late.into_iter().map(|l| l.id).collect();
    if env.deliveries.is_some() {
        for id in &ids {
            db::run(
                &env.db,
                "UPDATE destination_deliveries SET next_attempt_at = ?2 WHERE id = ?1",
                args![id, now],
            )
            .await?;
        }
        enqueue(env, &ids).await;
    } else {
        for wait in attempt_all(env, &ids, now).await {
            wait?;
        }
    }
    Ok(u32::try_from(ids.len()).unwrap_or(u32::MAX))
}

// ------------------------------------------------------------- operator API

#[derive(Deserialize)]
struct Counts {
    destination_id: String,
    status: String,
    n: u32,
}

/// A destination as the API shows it: never its secret.
fn view(row: &DestinationRow, counts: &[Counts]) -> Option<Destination> {
    let spec = row.spec()?;
    let count = |state: DeliveryState| {
        counts
            .iter()
            .find(|c| c.destination_id == row.id && c.status == state.as_str())
            .map_or(0, |c| c.n)
    };
    let chars: Vec<char> = row.secret.chars().collect();
    let hint: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    Some(Destination {
        id: row.id.clone(),
        kind: spec.kind,
        name: row.name.clone(),
        url: row.url.clone(),
        prefix: row.prefix.clone(),
        secret_hint: hint,
        chatwoot: spec.chatwoot,
        inbound_url_path: (spec.kind == Kind::Chatwoot)
            .then(|| super::chatwoot::inbound_path(&row.id, &row.secret)),
        filter: spec.filter,
        enabled: spec.enabled,
        created_at: row.created_at,
        updated_at: row.updated_at,
        pending: count(DeliveryState::Pending),
        delivered: count(DeliveryState::Delivered),
        dead: count(DeliveryState::Dead),
    })
}

async fn counts(env: &Env, site: &str) -> Result<Vec<Counts>, ApiError> {
    db::rows(
        &env.db,
        "SELECT d.destination_id, d.status, COUNT(*) AS n FROM destination_deliveries d \
         JOIN destinations t ON t.id = d.destination_id WHERE t.site_id = ?1 \
         GROUP BY d.destination_id, d.status \
         UNION ALL SELECT x.destination_id, 'delivered', COUNT(*) FROM export_days x \
         JOIN destinations t ON t.id = x.destination_id WHERE t.site_id = ?1 GROUP BY x.destination_id",
        args![site],
    )
    .await
}

async fn load(env: &Env, site: &str, id: &str) -> Result<DestinationRow, ApiError> {
    db::row(
        &env.db,
        "SELECT * FROM destinations WHERE site_id = ?1 AND id = ?2",
        args![site, id],
    )
    .await?
    .ok_or(ApiError::NotFound)
}

/// `GET /v1/admin/sites/{site}/destinations`.
pub async fn list(request: &Request, env: &Env, site: &str) -> Result<Response, ApiError> {
    admin::managed_site(request, env, site).await?;
    let rows: Vec<DestinationRow> = db::rows(
        &env.db,
        "SELECT * FROM destinations WHERE site_id = ?1 ORDER BY created_at, id",
        args![site],
    )
    .await?;
    let counts = counts(env, site).await?;
    let destinations = rows.iter().filter_map(|r| view(r, &counts)).collect();
    json(200, &Destinations { destinations })
}

/// A spec as the API takes it: on update, a secret left out keeps the
/// stored one. A team filter names the site's teams (409 otherwise, as
/// everywhere a team is named: a filter for a team that does not exist
/// would pass nothing, silently).
async fn checked(env: &Env, site: &str, spec: &Spec) -> Result<(), ApiError> {
    spec.validate(env.allow_http_destinations)
        .map_err(ApiError::InvalidRequest)?;
    if !spec.filter.teams.is_empty() {
        let known = super::sites::load_teams(env, site).await?;
        if let Some(unknown) = spec
            .filter
            .teams
            .iter()
            .find(|t| !known.iter().any(|k| &k.id == *t))
        {
            return Err(crate::domain::team::no_such_team(unknown));
        }
    }
    Ok(())
}

/// `POST /v1/admin/sites/{site}/destinations`: adds one; 201 with its view.
pub async fn create(request: &Request, env: &Env, site: &str) -> Result<Response, ApiError> {
    admin::authorize_for(request, env, Some(site)).await?;
    check_short("site", site, true)?;
    let spec: Spec = read_json(request).await?;
    super::sites::load_site(env, site).await?;
    checked(env, site, &spec).await?;
    let mut id = String::from("dst_");
    id.push_str(&crate::domain::ids::event_id(random16()?)[..16]);
    let now = now_ms();
    let (account, inbox) = spec
        .chatwoot
        .map_or((0, 0), |t| (i64::from(t.account_id), i64::from(t.inbox_id)));
    let filter = serde_json::to_string(&spec.filter).map_err(|_| ApiError::Internal)?;
    db::run(
        &env.db,
        "INSERT INTO destinations (id, site_id, kind, name, url, secret, chatwoot_account_id, \
         chatwoot_inbox_id, filter, enabled, created_at, updated_at, prefix) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12)",
        args![
            &id,
            site,
            spec.kind.as_str(),
            spec.name.trim(),
            &spec.url,
            &spec.secret,
            account,
            inbox,
            &filter,
            i64::from(spec.enabled),
            now,
            &spec.prefix
        ],
    )
    .await?;
    forget(site);
    let row = load(env, site, &id).await?;
    let view = view(&row, &[]).ok_or(ApiError::Internal)?;
    json(201, &view)
}

/// `PATCH /v1/admin/sites/{site}/destinations/{id}`.
pub async fn update(
    request: &Request,
    env: &Env,
    site: &str,
    id: &str,
) -> Result<Response, ApiError> {
    admin::authorize_for(request, env, Some(site)).await?;
    let change: Update = read_json(request).await?;
    let row = load(env, site, id).await?;
    let spec = change.apply(row.spec().ok_or(ApiError::Internal)?);
    checked(env, site, &spec).await?;
    let (account, inbox) = spec
        .chatwoot
        .map_or((0, 0), |t| (i64::from(t.account_id), i64::from(t.inbox_id)));
    let filter = serde_json::to_string(&spec.filter).map_err(|_| ApiError::Internal)?;
    db::run(
        &env.db,
        "UPDATE destinations SET name = ?3, url = ?4, secret = ?5, chatwoot_account_id = ?6, \
         chatwoot_inbox_id = ?7, filter = ?8, enabled = ?9, updated_at = ?10, prefix = ?11 \
         WHERE site_id = ?1 AND id = ?2",
        args![
            site,
            id,
            spec.name.trim(),
            &spec.url,
            &spec.secret,
            account,
            inbox,
            &filter,
            i64::from(spec.enabled),
            now_ms(),
            &spec.prefix
        ],
    )
    .await?;
    forget(site);
    if spec.enabled {
        resume_paused(env, id).await?;
    }
    let row = load(env, site, id).await?;
    let view = view(&row, &counts(env, site).await?).ok_or(ApiError::Internal)?;
    json(200, &view)
}

/// `DELETE /v1/admin/sites/{site}/destinations/{id}`: it and its log.
pub async fn delete(
    request: &Request,
    env: &Env,
    site: &str,
    id: &str,
) -> Result<Response, ApiError> {
    admin::authorize_for(request, env, Some(site)).await?;
    load(env, site, id).await?;
    super::http::read_no_body(request).await?;
    db::batch(
        &env.db,
        vec![
            env.db.statement(
                "DELETE FROM destination_deliveries WHERE destination_id = ?1",
                args![id],
            ),
            env.db.statement(
                "DELETE FROM chatwoot_links WHERE destination_id = ?1",
                args![id],
            ),
            env.db.statement(
                "DELETE FROM destinations WHERE site_id = ?1 AND id = ?2",
                args![site, id],
            ),
        ],
    )
    .await?;
    forget(site);
    let deleted = Deleted {
        id: id.to_owned(),
        deleted: true,
    };
    json(200, &deleted)
}

/// `GET /v1/admin/sites/{site}/destinations/{id}/deliveries`: newest first,
/// a page at a time (`limit`, `cursor` from the previous page's `next_cursor`).
pub async fn deliveries(
    request: &Request,
    env: &Env,
    site: &str,
    id: &str,
) -> Result<Response, ApiError> {
    admin::authorize_for(request, env, Some(site)).await?;
    // An unknown destination is 404 whatever else is wrong with the request.
    let destination = load(env, site, id).await?;
    let page = destination::log_page(
        (site, id),
        http::query(request, "limit").as_deref(),
        http::query(request, "cursor").as_deref(),
    )
    .map_err(|error| match error {
        PageError::Invalid(message) => ApiError::InvalidRequest(message),
        PageError::BadCursor | PageError::UnboundCursor { .. } => ApiError::InvalidCursor,
    })?;
    // An R2 destination's log: the days written (one "export" per day), by
    // day; its ids ("<destination>.<day>") sort the same way.
    let sql = if destination.kind == Kind::R2.as_str() {
        "SELECT * FROM (SELECT destination_id || '.' || day AS id, day AS event_id, 'export' AS type, \
         '' AS conversation_id, 'delivered' AS status, 1 AS attempts, 0 AS last_status, \
         '' AS last_error, 0 AS next_attempt_at, created_at, created_at AS delivered_at \
         FROM export_days WHERE destination_id = ?1) WHERE ?3 = '' OR id < ?3 \
         ORDER BY id DESC LIMIT ?4"
    } else {
        "SELECT d.id, d.event_id, e.type, e.conversation_id, d.status, d.attempts, \
         d.last_status, d.last_error, d.next_attempt_at, d.created_at, d.delivered_at \
         FROM destination_deliveries d JOIN outbound_events e ON e.id = d.event_id \
         WHERE d.destination_id = ?1 AND (?3 = '' OR d.created_at < ?2 OR (d.created_at = ?2 AND d.id < ?3)) \
         ORDER BY d.created_at DESC, d.id DESC LIMIT ?4"
    };
    let (at, after) = page.after.map_or((0, String::new()), |c| (c.at, c.id));
    let mut deliveries: Vec<Delivery> = db::rows(
        &env.db,
        sql,
        args![id, at, &after, i64::from(page.limit) + 1],
    )
    .await?;
    // One more than asked: whether an older page exists.
    let next_cursor = if deliveries.len() > page.limit as usize {
        deliveries.truncate(page.limit as usize);
        deliveries
            .last()
            .map(|d| destination::log_cursor((site, id), d.created_at, &d.id))
    } else {
        None
    };
    json(
        200,
        &Deliveries {
            deliveries,
            next_cursor,
        },
    )
}

/// `POST /v1/admin/sites/{site}/destinations/{id}/deliveries/{delivery}/replay`:
/// a dead delivery is tried again from the first attempt, under the same
/// delivery id (receivers drop it if they already have it); a delivered one
/// is not sent twice (409).
pub async fn replay(
    request: &Request,
    env: &Env,
    site: &str,
    id: &str,
    delivery: &str,
) -> Result<Response, ApiError> {
    admin::authorize_for(request, env, Some(site)).await?;
    load(env, site, id).await?;
    super::http::read_no_body(request).await?;
    #[derive(Deserialize)]
    struct State {
        status: String,
    }
    let state: State = db::row(
        &env.db,
        "SELECT status FROM destination_deliveries WHERE id = ?1 AND destination_id = ?2",
        args![delivery, id],
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    if DeliveryState::parse(&state.status) == Some(DeliveryState::Delivered) {
        return Err(ApiError::Conflict(
            "this delivery has already been delivered".into(),
        ));
    }
    let now = now_ms();
    let due = if env.deliveries.is_some() {
        now
    } else {
        now - SWEEP_GRACE_MS
    };
    db::run(
        &env.db,
        "UPDATE destination_deliveries SET status = 'pending', attempts = 0, last_error = '', \
         next_attempt_at = ?2 WHERE id = ?1 AND status != 'delivered'",
        args![delivery, due],
    )
    .await?;
    enqueue(env, &[delivery.to_owned()]).await;
    let replayed = Replayed {
        id: delivery.to_owned(),
        status: DeliveryState::Pending,
    };
    json(202, &replayed)
}

// ------------------------------------------------- events from the handlers

/// Where the visitor was and how they came: their latest page view and
/// latest acquisition before `at`, by the conversation's visitor key or id.
async fn context_of(env: &Env, conversation: &ConversationRow) -> events::Context {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Row {
        path: String,
        title: String,
        page_type: String,
        channel: String,
        utm_campaign: String,
        utm_source: String,
        utm_medium: String,
    }
    if conversation.visitor_key.is_empty() && conversation.visitor_id.is_empty() {
        return events::Context::default();
    }
    let by_visitor = "site_id = ?1 AND occurred_at <= ?4 AND \
        ((?2 != '' AND visitor_key = ?2) OR (?3 != '' AND visitor_id = ?3))";
    let page: Option<Row> = db::row(
        &env.db,
        &format!("SELECT path, title, page_type FROM events WHERE {by_visitor} AND kind = 'pageview' ORDER BY occurred_at DESC LIMIT 1"),
        args![&conversation.site_id, &conversation.visitor_key, &conversation.visitor_id, conversation.created_at],
    )
    .await
    .ok()
    .flatten();
    let came: Option<Row> = db::row(
        &env.db,
        &format!("SELECT channel, utm_campaign, utm_source, utm_medium FROM events WHERE {by_visitor} AND channel NOT IN ('', 'internal') ORDER BY occurred_at DESC LIMIT 1"),
        args![&conversation.site_id, &conversation.visitor_key, &conversation.visitor_id, conversation.created_at],
    )
    .await
    .ok()
    .flatten();
    let page = page.unwrap_or_default();
    let came = came.unwrap_or_default();
    events::Context {
        path: page.path,
        title: page.title,
        page_type: page.page_type,
        channel: came.channel,
        campaign: came.utm_campaign,
        source: came.utm_source,
        medium: came.utm_medium,
    }
}

fn contact_of(conversation: &ConversationRow) -> events::Contact {
    let preference = match conversation.reply_channel.as_str() {
        "email" | "phone" => conversation.reply_channel.clone(),
        _ => String::from("here"),
    };
    events::Contact {
        // Intake conversations keep where they came from in `reply_address`.
        email: if preference == "email" {
            first_given(&conversation.reply_email, &conversation.reply_address)
        } else {
            String::new()
        },
        phone: if preference == "phone" {
            first_given(&conversation.reply_phone, &conversation.reply_address)
        } else {
            String::new()
        },
        name: conversation.visitor_name.clone(),
        preference,
    }
}

fn first_given(given: &str, fallback: &str) -> String {
    if given.is_empty() { fallback } else { given }.to_owned()
}

fn message_of(
    conversation: &ConversationRow,
    row: &MessageRow,
    labels: Option<events::Labels>,
) -> events::Message {
    events::Message {
        id: row.id.to_string(),
        conversation_id: conversation.id.clone(),
        author: row.author.as_str().to_owned(),
        staff_name: row.staff_name.clone(),
        // Staff replies are stored as written; only redacted text leaves.
        text: shared_text(row.author, &row.text),
        labels,
        external_id: events::external_id(&conversation.site_id, &conversation.id),
        created_at: row.created_at,
    }
}

/// `conversation.created`, after a conversation and its first message are stored.
pub async fn conversation_created(
    env: &Env,
    site: &str,
    id: &str,
    first: &MessageRow,
    screened: &Screened,
    now: i64,
) {
    if !any_wants(env, site, EventType::ConversationCreated, now).await {
        return;
    }
    let Ok(Some(conversation)) = threads::load(&env.db, id).await else {
        return;
    };
    let contact = contact_of(&conversation);
    let identifiable = segment::identify(site, id, &conversation.visitor_id, &contact, 0).is_some();
    let data = events::ConversationCreated {
        conversation: events::Conversation {
            id: conversation.id.clone(),
            team: conversation.team_id.clone(),
            status: conversation.status.as_str().to_owned(),
            channel: conversation.channel.clone(),
            locale: conversation.locale.clone(),
            external_id: events::external_id(site, id),
            contact,
            context: context_of(env, &conversation).await,
            created_at: conversation.created_at,
        },
        message: message_of(
            &conversation,
            first,
            Some(events::labels_of(&screened.edge, &screened.text)),
        ),
    };
    let mut out = Outbound::new(site, EventType::ConversationCreated, &data).about(
        id,
        &conversation.team_id,
        &conversation.topic,
    );
    out.skip_segment = !identifiable;
    emit(env, out, now).await;
}

/// `message.created`, after a visitor's or a staff member's message is stored.
pub async fn message_created(
    env: &Env,
    site: &str,
    id: &str,
    row: &MessageRow,
    screened: Option<&Screened>,
    now: i64,
) {
    if !any_wants(env, site, EventType::MessageCreated, now).await {
        return;
    }
    let Ok(Some(conversation)) = threads::load(&env.db, id).await else {
        return;
    };
    let labels = screened.map(|s| events::labels_of(&s.edge, &s.text));
    let data = events::MessageCreated {
        message: message_of(&conversation, row, labels),
    };
    let out = Outbound::new(site, EventType::MessageCreated, &data).about(
        id,
        &conversation.team_id,
        &conversation.topic,
    );
    emit(env, out, now).await;
}

/// Who did something, for the events that name them.
pub fn actor(id: &str, name: &str) -> events::Actor {
    events::Actor {
        id: id.to_owned(),
        name: name.to_owned(),
    }
}

/// `conversation.assigned`, after a claim, an assignment or a move.
pub async fn conversation_assigned(
    env: &Env,
    site: &str,
    id: &str,
    assignee: Option<events::Actor>,
    by: events::Actor,
    now: i64,
) {
    if !any_wants(env, site, EventType::ConversationAssigned, now).await {
        return;
    }
    let Ok(Some(conversation)) = threads::load(&env.db, id).await else {
        return;
    };
    let data = events::ConversationAssigned {
        conversation_id: id.to_owned(),
        team: conversation.team_id.clone(),
        assignee,
        by,
    };
    let out = Outbound::new(site, EventType::ConversationAssigned, &data).about(
        id,
        &conversation.team_id,
        &conversation.topic,
    );
    emit(env, out, now).await;
}

/// `conversation.closed` or `conversation.reopened`.
pub async fn status_changed(
    env: &Env,
    site: &str,
    id: &str,
    closed: bool,
    by: events::Actor,
    now: i64,
) {
    let event = if closed {
        EventType::ConversationClosed
    } else {
        EventType::ConversationReopened
    };
    if !any_wants(env, site, event, now).await {
        return;
    }
    let Ok(Some(conversation)) = threads::load(&env.db, id).await else {
        return;
    };
    let data = events::ConversationStatusChanged {
        conversation_id: id.to_owned(),
        status: if closed { "closed" } else { "open" }.into(),
        by,
    };
    let out =
        Outbound::new(site, event, &data).about(id, &conversation.team_id, &conversation.topic);
    emit(env, out, now).await;
}

/// `labels.corrected`, after staff correct a message's labels.
pub async fn labels_corrected(
    env: &Env,
    site: &str,
    conversation_id: &str,
    data: &events::LabelsCorrected,
    now: i64,
) {
    if !any_wants(env, site, EventType::LabelsCorrected, now).await {
        return;
    }
    let Ok(Some(conversation)) = threads::load(&env.db, conversation_id).await else {
        return;
    };
    let out = Outbound::new(site, EventType::LabelsCorrected, data).about(
        conversation_id,
        &conversation.team_id,
        &data.topic,
    );
    emit(env, out, now).await;
}

/// `visitor.erased`, after a visitor's data (or one conversation) is deleted.
pub async fn visitor_erased(
    env: &Env,
    site: &str,
    visitor: &str,
    conversation_ids: Vec<String>,
    linked: Vec<String>,
    now: i64,
) {
    if !any_wants(env, site, EventType::VisitorErased, now).await {
        return;
    }
    let data = events::VisitorErased {
        visitor: visitor.to_owned(),
        conversation_ids,
        linked,
    };
    emit(
        env,
        Outbound::new(site, EventType::VisitorErased, &data),
        now,
    )
    .await;
}
