//! The visitor API's answers (`/v1/conversations…`, `/v1/identity/conversations`).

use serde::{Deserialize, Serialize};

use crate::domain::conversation::{Author, ReplyPreference, RoutingRule, Status};
use crate::domain::response_time::FirstResponse;
use crate::domain::team::TeamHours;

/// One visible team's real state. Schema `TeamAvailability`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamAvailability {
    pub id: String,
    pub name: String,
    /// Inside office hours now.
    pub open: bool,
    pub closes_at: Option<i64>,
    pub next_opening: Option<i64>,
    /// The reason of the closure covering the site's date now, or else of
    /// the first one starting before the team reopens, to tell visitors
    /// (`Hours::closure_reason`).
    pub closure_reason: Option<String>,
    /// First names of the staff online now; empty when nobody is.
    pub staff_online: Vec<String>,
    /// Measured over the last 30 days; absent when there is too little data.
    pub typical_first_response: Option<FirstResponse>,
    pub hours: TeamHours,
}

/// `GET /v1/availability`: who is there (the widget reads what it needs of
/// it into `contact::SiteState`). Schema `Availability`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Availability {
    pub site: String,
    pub time_zone: String,
    pub now: i64,
    pub teams: Vec<TeamAvailability>,
    /// The site's routing, so the widget can say where a message will go.
    pub routing: Vec<RoutingRule>,
    pub default_team: String,
}

/// A message as the visitor sees it: who (a staff member's name, never an
/// invented one), what, when. Schema `VisitorMessage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitorMessage {
    pub id: i64,
    pub author: Author,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A system notice's code (`staff_joined`, `closed`, …); clients word it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    pub text: String,
    pub created_at: i64,
}

/// A conversation as its visitor sees it. Schema `ConversationSummary`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: String,
    pub team: String,
    pub team_name: String,
    pub status: Status,
    pub reply: ReplyPreference,
    pub created_at: i64,
}

/// `POST /v1/conversations`. Schema `Started`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Started {
    pub conversation: ConversationSummary,
    /// The visitor's secret for this conversation; keep it to come back.
    pub visitor_token: String,
    pub message: VisitorMessage,
    /// Personal data the edge removed that the browser had not.
    pub redacted_at_edge: Vec<String>,
    pub poll_interval_ms: u32,
}

/// `GET /v1/conversations/{id}/messages`. Schema `Poll`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Poll {
    pub messages: Vec<VisitorMessage>,
    /// Pass as `after` next time.
    pub cursor: i64,
    pub status: Status,
    /// The team the conversation is with now (routed, or moved by staff):
    /// the widget shows that team's presence and hours.
    pub team: String,
    /// The last message id staff have read (for read receipts).
    pub staff_read_id: i64,
    /// Staff replies after the visitor's read marker.
    pub unread: u32,
    pub poll_interval_ms: u32,
}

/// `POST /v1/conversations/{id}/messages`. Schema `Sent`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sent {
    pub message: VisitorMessage,
    pub redacted_at_edge: Vec<String>,
    pub duplicate: bool,
}

/// One of a verified visitor's conversations, with a new token for this device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryItem {
    pub conversation: ConversationSummary,
    pub visitor_token: String,
    pub messages: Vec<VisitorMessage>,
}

/// `POST /v1/identity/conversations`, newest first. Schema `History`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub conversations: Vec<HistoryItem>,
}
