//! The staff API's answers (`/v1/staff/…`), as the edge writes them and the
//! console reads them.

use serde::{Deserialize, Serialize};

use crate::domain::conversation::{Author, Labels, Status};

/// `GET /v1/staff/me` and `PUT /v1/staff/presence`. Schema `Staff`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub id: String,
    pub site: String,
    pub name: String,
    /// `agent` or `admin`.
    pub role: String,
    pub teams: Vec<String>,
    /// `online` or `away`.
    pub presence: String,
}

impl Me {
    /// Whether this person administers their site (Settings are theirs).
    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }
}

/// `GET /v1/staff/colleagues`. Schema `Colleagues`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Colleagues {
    pub staff: Vec<Colleague>,
    pub teams: Vec<TeamName>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Colleague {
    pub id: String,
    pub name: String,
    pub presence: String,
    pub teams: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamName {
    pub id: String,
    pub name: String,
}

/// One row of `GET /v1/staff/inbox` (also read from D1 as selected there).
/// Schema `InboxRow`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxRow {
    pub id: String,
    pub team_id: String,
    pub status: Status,
    pub channel: String,
    pub topic: String,
    pub sentiment: String,
    pub kind: String,
    pub confidence: f64,
    pub visitor_name: String,
    pub reply_channel: String,
    pub assignee_id: String,
    pub created_at: i64,
    pub last_visitor_at: i64,
    pub last_staff_at: i64,
    pub target_minutes: i64,
    /// The visitor's latest message.
    pub preview: Option<String>,
    /// Visitor messages staff have not read.
    pub unread: i64,
    /// How long the visitor has waited, for waiting conversations (else 0).
    #[serde(default)]
    pub waited_s: i64,
    #[serde(default)]
    pub over_target: bool,
    /// How many conversations the inbox's filter matched, and how many of
    /// them wait, before the cut (read from D1, sent in `Inbox`).
    #[serde(default, skip_serializing)]
    pub matched: u32,
    #[serde(default, skip_serializing)]
    pub matched_waiting: u32,
}

/// `GET /v1/staff/inbox`. Schema `Inbox`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inbox {
    /// The first 200 of them: waiting ones first, the longest waiting
    /// first, then open ones, then closed ones, the latest first.
    pub conversations: Vec<InboxRow>,
    /// How many conversations the filter matched, also those past the 200.
    #[serde(default)]
    pub total: u32,
    /// How many of those are waiting.
    pub waiting: u32,
    /// The teams shown.
    pub teams: Vec<String>,
}

/// A conversation as stored (every column of `conversations`) and as staff
/// see it. Schema `Conversation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: String,
    pub site_id: String,
    pub team_id: String,
    pub status: Status,
    pub channel: String,
    pub visitor_key: String,
    pub visitor_id: String,
    pub user_id: String,
    pub visitor_name: String,
    pub locale: String,
    pub reply_channel: String,
    pub reply_email: String,
    pub reply_phone: String,
    pub callback_from: i64,
    pub callback_to: i64,
    pub external_id: String,
    pub reply_address: String,
    pub topic: String,
    pub sentiment: String,
    pub kind: String,
    pub confidence: f64,
    pub assignee_id: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub first_response_at: i64,
    pub last_visitor_at: i64,
    pub last_staff_at: i64,
    pub closed_at: i64,
    pub visitor_read_id: i64,
    pub staff_read_id: i64,
    pub escalated_at: i64,
    pub unseen_notified_at: i64,
    #[serde(default)]
    pub expectation_gap: i64,
}

/// A message as staff see it: also both sides' labels and what the edge
/// redacted. Schema `StaffMessage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffMessage {
    pub id: i64,
    pub author: Author,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// Who made a system notice (a staff id), for staff only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The team a `moved_team` notice moved the conversation to, for staff only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    pub text: String,
    pub created_at: i64,
    pub browser_labels: Option<Labels>,
    pub edge_labels: Option<Labels>,
    /// Staff's latest correction of a visitor message's labels, in the
    /// thread view: the console's corrections start from it, so correcting
    /// one label after a reload keeps the others already corrected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrected_labels: Option<Labels>,
    pub labels_agree: bool,
    pub pii_missed: Vec<String>,
}

/// One of the visitor's touchpoints beside a conversation (as selected from
/// `events`). Schema `Touchpoint`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Touchpoint {
    pub id: String,
    pub kind: String,
    pub occurred_at: i64,
    pub path: String,
    pub page_type: String,
    pub title: String,
    pub channel: String,
    pub source_name: String,
    pub utm_source: String,
    pub utm_medium: String,
    pub utm_campaign: String,
    pub name: String,
    pub target: String,
    pub engaged_ms: i64,
    pub scroll_percent: i64,
}

/// An earlier conversation of a verified visitor. Schema `EarlierConversation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Earlier {
    pub id: String,
    pub team_id: String,
    /// The team's name, as the rest of the console shows it (filled in
    /// after the query: the row has only the id).
    #[serde(default)]
    pub team_name: String,
    pub status: Status,
    pub topic: String,
    pub created_at: i64,
}

/// `GET /v1/staff/conversations/{id}`. Schema `ConversationView`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationView {
    pub conversation: Conversation,
    pub team_name: String,
    pub messages: Vec<StaffMessage>,
    /// The visitor's touchpoints, oldest first: what led here and what followed.
    pub journey: Vec<Touchpoint>,
    /// Earlier conversations of a verified visitor.
    pub earlier: Vec<Earlier>,
}

/// `POST /v1/staff/conversations/{id}/messages`. Schema `StaffReply`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffReply {
    pub message: StaffMessage,
    /// The console's retry of a reply already stored.
    pub duplicate: bool,
}

/// `POST /v1/staff/conversations/{id}/assign`, `/close` and `/reopen`.
/// Schema `ConversationResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationResult {
    pub conversation: Conversation,
}

/// `POST /v1/staff/messages/{id}/labels`. Schema `CorrectionResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrectionResult {
    pub message: i64,
    pub topic: String,
    pub sentiment: String,
    pub kind: String,
}
