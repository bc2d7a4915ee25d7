//! What the widget reads and writes as JSON: the page's settings, the worker's
//! answers and the panel's request bodies, field by field with `js_object`
//! (serde would cost the panel more than the rest of its own code). A missing
//! required field makes the whole answer unreadable, as serde would.

use wasm_bindgen::JsValue;

use super::session::Session;
use crate::domain::classify::rules::TopicRule;
use crate::domain::classify::Classification;
use crate::domain::contact::{SiteState, TeamState, TypicalResponse};
use crate::domain::conversation::{Identity, ReplyPreference, RoutingRule};
use crate::domain::interaction::ClassifiedInteraction;
use crate::domain::pii::PiiFinding;
use crate::js_object::{self as js, Object};

/// A message of the thread, as the visitor API returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadMessage {
    pub id: i64,
    pub author: String,
    pub name: Option<String>,
    pub notice: Option<String>,
    pub text: String,
    pub created_at: i64,
}

/// `GET /v1/conversations/{id}/messages`.
#[derive(Debug, Clone, PartialEq)]
pub struct Poll {
    pub messages: Vec<ThreadMessage>,
    pub cursor: i64,
    pub status: String,
    /// The conversation's team now (routed, or moved by staff).
    pub team: Option<String>,
    pub poll_interval_ms: u32,
    /// Staff replies after the visitor's read marker.
    pub unread: u32,
}

/// `POST /v1/conversations`.
#[derive(Debug, Clone, PartialEq)]
pub struct Started {
    pub conversation_id: String,
    /// The team the worker routed it to.
    pub team: Option<String>,
    pub visitor_token: String,
    pub message: ThreadMessage,
    pub poll_interval_ms: u32,
}

/// `{ id, hmac }`: a visitor the site vouches for.
pub fn identity(value: &JsValue) -> Option<Identity> {
    Some(Identity {
        id: js::string(value, "id")?,
        hmac: js::string(value, "hmac")?,
    })
}

/// The site's topic rules: `[{ keyword, topic }]`.
pub fn topic_rules(value: &JsValue) -> Option<Vec<TopicRule>> {
    if !js_sys::Array::is_array(value) {
        return None;
    }
    js::each(&js_sys::Array::from(value).to_vec(), |rule| {
        Some(TopicRule {
            keyword: js::string(rule, "keyword")?,
            topic: js::string(rule, "topic")?,
        })
    })
}

/// `GET /v1/availability`.
pub fn site_state(value: &JsValue) -> Option<SiteState> {
    let teams = js::each(&js::list(value, "teams")?, team_state)?;
    let routing = js::each(&js::list(value, "routing").unwrap_or_default(), |rule| {
        Some(RoutingRule {
            topic: js::string(rule, "topic")?,
            team: js::string(rule, "team")?,
        })
    })?;
    Some(SiteState {
        teams,
        routing,
        default_team: js::string(value, "default_team").unwrap_or_default(),
    })
}

fn team_state(value: &JsValue) -> Option<TeamState> {
    let typical = js::get(value, "typical_first_response");
    Some(TeamState {
        id: js::string(value, "id")?,
        name: js::string(value, "name")?,
        open: js::boolean(value, "open")?,
        next_opening: js::integer(value, "next_opening"),
        staff_online: js::strings(value, "staff_online").unwrap_or_default(),
        typical_first_response: js::integer(&typical, "median_s")
            .and_then(|median| u32::try_from(median).ok())
            .map(|median_s| TypicalResponse { median_s }),
        // Decided by the worker, by the site's date.
        closure_reason: js::string(value, "closure_reason").filter(|r| !r.is_empty()),
    })
}

/// One message of the thread.
pub fn thread_message(value: &JsValue) -> Option<ThreadMessage> {
    Some(ThreadMessage {
        id: js::integer(value, "id")?,
        author: js::string(value, "author")?,
        name: js::string(value, "name"),
        notice: js::string(value, "notice"),
        text: js::string(value, "text")?,
        created_at: js::integer(value, "created_at")?,
    })
}

fn poll_interval(value: &JsValue) -> Option<u32> {
    u32::try_from(js::integer(value, "poll_interval_ms")?).ok()
}

/// `GET /v1/conversations/{id}/messages`.
pub fn poll(value: &JsValue) -> Option<Poll> {
    Some(Poll {
        messages: js::each(&js::list(value, "messages")?, thread_message)?,
        cursor: js::integer(value, "cursor")?,
        status: js::string(value, "status")?,
        team: js::string(value, "team"),
        poll_interval_ms: poll_interval(value)?,
        unread: u32::try_from(js::integer(value, "unread")?).ok()?,
    })
}

/// `POST /v1/conversations`.
pub fn started(value: &JsValue) -> Option<Started> {
    let conversation = js::get(value, "conversation");
    Some(Started {
        conversation_id: js::string(&conversation, "id")?,
        team: js::string(&conversation, "team"),
        visitor_token: js::string(value, "visitor_token")?,
        message: thread_message(&js::get(value, "message"))?,
        poll_interval_ms: poll_interval(value)?,
    })
}

/// `POST /v1/identity/conversations`: the visitor's conversations, newest
/// first, as sessions with their status.
pub fn history(value: &JsValue) -> Option<Vec<(Session, String)>> {
    js::each(&js::list(value, "conversations")?, |item| {
        let conversation = js::get(item, "conversation");
        Some((
            Session {
                id: js::string(&conversation, "id")?,
                token: js::string(item, "visitor_token")?,
            },
            js::string(&conversation, "status")?,
        ))
    })
}

/// `{ id, hmac }` for a request body.
pub fn identity_body(identity: &Identity) -> JsValue {
    Object::new()
        .set("id", identity.id.as_str())
        .set("hmac", identity.hmac.as_str())
        .build()
}

/// How the visitor wants to hear back, tagged by `channel`.
pub fn reply_body(reply: &ReplyPreference) -> JsValue {
    match reply {
        ReplyPreference::Here => Object::new().set("channel", "here"),
        ReplyPreference::Email { email } => Object::new()
            .set("channel", "email")
            .set("email", email.as_str()),
        ReplyPreference::Phone { phone, from, to } => Object::new()
            .set("channel", "phone")
            .set("phone", phone.as_str())
            .set("from", *from as f64)
            .set("to", *to as f64),
    }
    .build()
}

/// A classified interaction as the page and the site's endpoint see it: the
/// fields of `ClassifiedInteraction` as serde writes them (the browser test
/// checks what arrives against the schema).
pub fn interaction_js(i: &ClassifiedInteraction) -> JsValue {
    let labels = i.classification.as_ref().map(|c| {
        Object::new()
            .set("topic", c.topic.as_str())
            .set("topic_confidence", c.topic_confidence)
            .set("topic_source", c.topic_source.as_str())
            .set("tone", c.tone.as_str())
            .set("tone_confidence", c.tone_confidence)
            .set("kind", c.kind.as_str())
            .set("urgency", c.urgency.as_str())
            .set("expectation_gap", c.expectation_gap)
            .set("language", c.language.as_str())
            .set("spam", c.spam)
            .build()
    });
    let campaign = i.campaign.as_ref().map(|c| {
        Object::new()
            .set("source", c.source.as_str())
            .set("medium", c.medium.as_str())
            .set("campaign", c.campaign.as_str())
            .set("term", c.term.as_str())
            .set("content", c.content.as_str())
            .build()
    });
    let page = Object::new()
        .set("path", i.page.path.as_str())
        .set("title", i.page.title.as_str())
        .set("referrer", i.page.referrer.as_str())
        .build();
    Object::new()
        .set("schema", i.schema.as_str())
        .set("id", i.id.as_str())
        .set("site", i.site.as_str())
        .set("sent_at", i.sent_at as f64)
        .set("locale", i.locale.as_str())
        .set("text", i.text.as_str())
        .set("classification", labels.unwrap_or(JsValue::NULL))
        .set(
            "pii_removed",
            js::array(i.pii_removed.iter().map(|kind| JsValue::from_str(kind))),
        )
        .set("page", page)
        .set("campaign", campaign.unwrap_or(JsValue::NULL))
        .set("contact", reply_body(&i.contact))
        .build()
}

/// The worker's request bodies for an interaction the page may have
/// changed: the message (its text, the labels, the id that makes a retry
/// post once) and the reply preference (`contact`, the same shape).
pub fn worker_bodies(interaction: &JsValue) -> Option<(JsValue, JsValue)> {
    let labels = js::get(interaction, "classification");
    let labels = labels.is_object().then(|| {
        Object::new()
            .set("topic", js::get(&labels, "topic"))
            .set("sentiment", js::get(&labels, "tone"))
            .set("kind", js::get(&labels, "kind"))
            .set("confidence", js::get(&labels, "topic_confidence"))
            .build()
    });
    let message = Object::new()
        .set("text", js::string(interaction, "text")?)
        .set_some("labels", labels)
        .set("client_id", js::string(interaction, "id")?)
        .build();
    Some((message, js::get(interaction, "contact")))
}

/// Personal data found: `[{ kind, start, end }]`, UTF-16 offsets.
pub fn findings_js(findings: &[PiiFinding]) -> JsValue {
    js::array(findings.iter().map(|finding| {
        Object::new()
            .set("kind", finding.kind.as_str())
            .set("start", finding.start)
            .set("end", finding.end)
            .build()
    }))
}

// One call that builds the whole answer, from one string: set field by
// field, the twelve keys were copied out of wasm memory on every message, and
// each string decoded apart cost a TextDecoder call (seven calls were a fifth
// of `classify`'s time in wasm). The six labels and then the redacted text
// come as one string, cut by the labels' UTF-16 lengths (the build inlines
// this into the widget's glue). Handing back the page's own string when
// nothing was redacted was no faster and 600 B more of wasm.
#[wasm_bindgen::prelude::wasm_bindgen(inline_js = "export function classification(s, a, b, c, d,\
  e, f, topic_confidence, sentiment_confidence, expectation_gap, spam, pii) { let at = 0;\
  const next = (n) => s.slice(at, at += n); return { topic: next(a), topic_confidence,\
  topic_source: next(b), sentiment: next(c), sentiment_confidence, kind: next(d),\
  expectation_gap, urgency: next(e), language: next(f), spam, pii: pii || [], redacted:\
  s.slice(at) }; }")]
extern "C" {
    #[allow(clippy::too_many_arguments)]
    fn classification(
        labels: &str,
        topic: u32,
        topic_source: u32,
        sentiment: u32,
        kind: u32,
        urgency: u32,
        language: u32,
        topic_confidence: f64,
        sentiment_confidence: f64,
        expectation_gap: bool,
        spam: bool,
        pii: JsValue,
    ) -> JsValue;
}

/// What `classify(text)` answers the page (the fields of `Classification`).
pub fn classification_js(c: &Classification) -> JsValue {
    let fields = [
        c.topic.as_str(),
        c.topic_source,
        &c.sentiment,
        c.kind,
        c.urgency,
        c.language,
    ];
    let mut labels =
        String::with_capacity(fields.iter().map(|f| f.len()).sum::<usize>() + c.redacted.len());
    let mut lengths = [0u32; 6];
    for (length, field) in lengths.iter_mut().zip(fields) {
        labels.push_str(field);
        *length = field.encode_utf16().count() as u32;
    }
    labels.push_str(&c.redacted);
    let [topic, topic_source, sentiment, kind, urgency, language] = lengths;
    classification(
        &labels,
        topic,
        topic_source,
        sentiment,
        kind,
        urgency,
        language,
        c.topic_confidence,
        c.sentiment_confidence,
        c.expectation_gap,
        c.spam,
        if c.pii.is_empty() {
            JsValue::UNDEFINED
        } else {
            findings_js(&c.pii)
        },
    )
}
