//! The `data` of each outbound event: what a receiver learns when a
//! conversation starts, a message arrives, a conversation is assigned, closed
//! or reopened, labels are corrected, touchpoints are recorded or a visitor is
//! erased. openapi.json's top-level `webhooks` describes the same shapes, and
//! the edge tests validate every delivery against it.
//!
//! Only redacted text leaves Touchpoint, and of the visitor's details only
//! what they gave to be answered (name, e-mail, phone for a callback).

use serde::{Deserialize, Serialize};

use super::segment::Touchpoint;
use crate::domain::classify::Classification;
use crate::domain::pii::PiiKind;

/// A message's labels, as the edge's classifier gave them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Labels {
    pub topic: String,
    pub topic_confidence: f64,
    pub sentiment: String,
    pub kind: String,
    pub urgency: String,
    pub expectation_gap: bool,
    pub language: String,
    /// Kinds of personal data removed from the text (`email`, `card`, …).
    pub pii_removed: Vec<String>,
}

/// How the visitor asked to be answered, with only what they gave for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// `here` (in the widget), `email` or `phone`.
    pub preference: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
}

/// Where the visitor was and how they came, from their latest touchpoints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    /// The page they wrote from (masked path), if recorded.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub page_type: String,
    /// The visit's channel (`organic_search`, `email`, `ai_assistant`, …).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub channel: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub campaign: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub medium: String,
}

/// A conversation as receivers see it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: String,
    pub team: String,
    /// `waiting`, `open` or `closed`.
    pub status: String,
    /// Where it started: `widget`, `email`, `phone`, `social`.
    pub channel: String,
    pub locale: String,
    /// For e-mail bridges: a stable id to thread replies under
    /// (`<conversation id>@<site>.touchpoint`).
    pub external_id: String,
    pub contact: Contact,
    pub context: Context,
    pub created_at: i64,
}

/// A message as receivers see it (visitor or staff; never a bot).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Unique within the site; stable for de-duplication.
    pub id: String,
    pub conversation_id: String,
    /// `visitor` or `staff`.
    pub author: String,
    /// The staff member's name, for staff messages.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub staff_name: String,
    /// Redacted text.
    pub text: String,
    /// The edge's labels, for visitor messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Labels>,
    /// For e-mail bridges: the conversation's thread id.
    pub external_id: String,
    pub created_at: i64,
}

/// A staff member who did something.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: String,
    pub name: String,
}

/// `conversation.created`: the conversation and its first message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationCreated {
    pub conversation: Conversation,
    pub message: Message,
}

/// `message.created`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageCreated {
    pub message: Message,
}

/// `conversation.assigned`: claimed, assigned to a colleague or moved team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationAssigned {
    pub conversation_id: String,
    pub team: String,
    /// Who has it now (`None`: the team, nobody in particular).
    pub assignee: Option<Actor>,
    pub by: Actor,
}

/// `conversation.closed` and `conversation.reopened`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationStatusChanged {
    pub conversation_id: String,
    pub status: String,
    pub by: Actor,
}

/// `labels.corrected`: what staff say a message really was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelsCorrected {
    pub conversation_id: String,
    pub message_id: String,
    pub topic: String,
    pub sentiment: String,
    pub kind: String,
    pub by: Actor,
}

/// `touchpoints`: a batch as it was stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touchpoints {
    pub touchpoints: Vec<Touchpoint>,
}

/// `visitor.erased`: delete your copies of these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorErased {
    /// The consented visitor id or the site's user id, when known.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub visitor: String,
    pub conversation_ids: Vec<String>,
    /// Erased by e-mail address or phone number: the visitor ids, user ids
    /// and cookieless keys whose touchpoints went with that address's
    /// conversations (what a receiver may hold them under).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked: Vec<String>,
}

/// Kinds of personal data removed from a redacted text, from its tags
/// (`[card]`, …): the browser's removals and the edge's alike.
pub fn pii_removed(redacted: &str) -> Vec<String> {
    PiiKind::ALL
        .iter()
        .filter(|kind| redacted.contains(kind.tag()))
        .map(|kind| kind.as_str().to_owned())
        .collect()
}

/// A message's labels from the edge's classification of its redacted text.
pub fn labels_of(classification: &Classification, redacted: &str) -> Labels {
    Labels {
        topic: classification.topic.clone(),
        topic_confidence: classification.topic_confidence,
        sentiment: classification.sentiment.clone(),
        kind: classification.kind.to_owned(),
        urgency: classification.urgency.to_owned(),
        expectation_gap: classification.expectation_gap,
        language: classification.language.to_owned(),
        pii_removed: pii_removed(redacted),
    }
}

/// The thread id e-mail bridges use for a conversation.
pub fn external_id(site: &str, conversation_id: &str) -> String {
    let mut id = String::with_capacity(conversation_id.len() + site.len() + 13);
    id.push_str(conversation_id);
    id.push('@');
    id.push_str(site);
    id.push_str(".touchpoint");
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_ids_are_stable_and_per_site() {
        assert_eq!(external_id("demo", "c_1"), "c_1@demo.touchpoint");
        assert_ne!(external_id("demo", "c_1"), external_id("shop", "c_1"));
    }

    #[test]
    fn removed_personal_data_is_named_by_kind() {
        assert_eq!(
            pii_removed("card [card], mail [email] and [card]"),
            vec!["email", "card"]
        );
        assert!(pii_removed("order 1234 [not a tag]").is_empty());
        let redaction =
            crate::domain::pii::redact("call +49 170 1234567 or write to ana@example.com");
        assert_eq!(pii_removed(&redaction.redacted), vec!["email", "phone"]);
    }

    #[test]
    fn contact_details_appear_only_when_given() {
        let here = serde_json::to_value(Contact {
            preference: "here".into(),
            ..Contact::default()
        })
        .unwrap();
        assert_eq!(here, serde_json::json!({"preference": "here"}));
        let staff = serde_json::to_value(Message {
            author: "staff".into(),
            ..Message::default()
        })
        .unwrap();
        assert!(staff.get("labels").is_none());
        assert!(staff.get("staff_name").is_none());
    }
}
