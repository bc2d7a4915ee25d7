//! `GET /v1/staff/insights`: the figures of the console's insights page.

use serde::{Deserialize, Serialize};

use crate::domain::conversation::Status;

/// Conversations on one day with one topic and tone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayTopic {
    pub day: String,
    pub topic: String,
    pub sentiment: String,
    pub conversations: i64,
}

/// A page or campaign before trouble, with its lift over the baseline (see
/// `domain::lift`). Schema `PrecedingTrouble`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preceding {
    pub label: String,
    pub page_type: String,
    /// Trouble conversations whose journey included it.
    pub conversations: u32,
    /// Visitors who saw it in the period.
    pub visitors: u32,
    pub lift: f64,
    pub lift_low: f64,
    pub lift_high: f64,
    pub enough_data: bool,
}

/// Every identifiable visitor in the period, and every trouble conversation
/// with such a journey: the baseline a page's lift is measured against.
/// Schema `TroubleBaseline`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub visitors: u32,
    pub conversations: u32,
}

/// A conversation behind a chart's bar, as the drill-down lists it.
/// Schema `ChartConversation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartConversation {
    pub id: String,
    pub team_id: String,
    pub status: Status,
    pub topic: String,
    pub sentiment: String,
    pub kind: String,
    pub created_at: i64,
    /// The visitor's first message (redacted, as stored).
    pub preview: String,
}

/// `GET /v1/staff/insights/conversations`: the conversations behind one bar,
/// newest first, at most `LIMIT` of `total`. Schema `ChartConversations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartConversations {
    pub conversations: Vec<ChartConversation>,
    pub total: u32,
}

/// Conversations by channel (widget, email, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelCount {
    pub channel: String,
    pub conversations: i64,
}

/// Landing page views by marketing channel and source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Arrival {
    pub channel: String,
    pub source_name: String,
    pub visits: i64,
}

/// First response of one team against its target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamResponse {
    pub team: String,
    pub name: String,
    pub target_minutes: i64,
    pub median_first_response_s: Option<u32>,
    pub answered: u32,
    pub waiting: u32,
    pub within_target: Option<bool>,
}

/// Schema `Insights`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Insights {
    pub from: i64,
    pub to: i64,
    pub teams: Vec<String>,
    pub by_day: Vec<DayTopic>,
    pub pages_before_trouble: Vec<Preceding>,
    pub campaigns_before_trouble: Vec<Preceding>,
    pub pages_baseline: Baseline,
    pub campaigns_baseline: Baseline,
    pub min_visitors: u32,
    pub min_trouble: u32,
    pub first_response: Vec<TeamResponse>,
    pub channels: Vec<ChannelCount>,
    pub arrivals: Vec<Arrival>,
    /// Events visitors' browsers reported they had to drop in the period
    /// (offline too long, storage full), by the UTC days they reported it.
    #[serde(default)]
    pub events_dropped: i64,
}
