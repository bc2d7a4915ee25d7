//! How the console reads each answer: one field list per type, beside
//! serde's derive (which the edge and the tests use). Reading through serde
//! cost the console a derived reader per type, about a tenth of its
//! download; a field list costs a call per field. `tests/wire_schemas.rs`
//! checks that both read the same values, and refuse the same answers.

use super::destinations::{Deleted, Deliveries, Delivery, Destination, Destinations, Replayed};
use super::insights::{
    Arrival, Baseline, ChannelCount, ChartConversation, ChartConversations, DayTopic, Insights,
    Preceding, TeamResponse,
};
use super::staff::{
    Colleague, Colleagues, Conversation, ConversationResult, ConversationView, CorrectionResult,
    Earlier, Inbox, InboxRow, Me, StaffMessage, StaffReply, TeamName, Touchpoint,
};
use crate::domain::conversation::{Author, Labels, RoutingRule, Status};
use crate::domain::destination::{ChatwootTarget, DeliveryState, EventType, Filter, Kind};
use crate::domain::hours::{Closure, Interval};
use crate::domain::json_text::{from_json, via_serde};
use crate::domain::live::{Side, StaffPush, StaffPushKind};
use crate::domain::team::TeamHours;

via_serde!(
    Status,
    Author,
    Side,
    StaffPushKind,
    Kind,
    EventType,
    DeliveryState
);

// Staff (`wire::staff`, `live`).
from_json! {
    Me { id, site, name, role, teams, presence }
    Colleagues { staff, teams }
    Colleague { id, name, presence, teams }
    TeamName { id, name }
    InboxRow {
        id, team_id, status, channel, topic, sentiment, kind, confidence, visitor_name,
        reply_channel, assignee_id, created_at, last_visitor_at, last_staff_at, target_minutes,
        preview, unread, #[default] waited_s, #[default] over_target, #[default] matched,
        #[default] matched_waiting,
    }
    Inbox { conversations, #[default] total, waiting, teams }
    Conversation {
        id, site_id, team_id, status, channel, visitor_key, visitor_id, user_id, visitor_name,
        locale, reply_channel, reply_email, reply_phone, callback_from, callback_to, external_id,
        reply_address, topic, sentiment, kind, confidence, assignee_id, created_at, updated_at,
        first_response_at, last_visitor_at, last_staff_at, closed_at, visitor_read_id,
        staff_read_id, escalated_at, unseen_notified_at, #[default] expectation_gap,
    }
    StaffMessage {
        id, author, #[default] staff_id, #[default] name, #[default] notice, #[default] by, #[default] team, text,
        created_at, browser_labels, edge_labels, #[default] corrected_labels, labels_agree, pii_missed,
    }
    #[deny_unknown_fields]
    Labels { topic, #[default] sentiment, #[default] kind, #[default] confidence }
    Touchpoint {
        id, kind, occurred_at, path, page_type, title, channel, source_name, utm_source,
        utm_medium, utm_campaign, name, target, engaged_ms, scroll_percent,
    }
    Earlier { id, team_id, #[default] team_name, status, topic, created_at }
    ConversationView { conversation, team_name, messages, journey, earlier }
    StaffReply { message, duplicate }
    ConversationResult { conversation }
    CorrectionResult { message, topic, sentiment, kind }
    StaffPush {
        kind = "type", #[default] conversation_id, #[default] message, #[default] after,
        #[default] conversation, #[default] team, #[default] status, #[default] by,
        #[default] name, #[default] ttl_ms,
    }
}

// Insights (`wire::insights`).
from_json! {
    DayTopic { day, topic, sentiment, conversations }
    Preceding {
        label, page_type, conversations, visitors, lift, lift_low, lift_high, enough_data,
    }
    Baseline { visitors, conversations }
    ChartConversation { id, team_id, status, topic, sentiment, kind, created_at, preview }
    ChartConversations { conversations, total }
    ChannelCount { channel, conversations }
    Arrival { channel, source_name, visits }
    TeamResponse {
        team, name, target_minutes, median_first_response_s, answered, waiting, within_target,
    }
    Insights {
        from, to, teams, by_day, pages_before_trouble, campaigns_before_trouble, pages_baseline,
        campaigns_baseline, min_visitors, min_trouble, first_response, channels, arrivals,
        #[default] events_dropped,
    }
}

// Settings (`wire::destinations`, and the site's stored parts).
from_json! {
    Destination {
        id, kind, name, url, #[default] prefix, secret_hint, #[default] chatwoot,
        #[default] inbound_url_path, filter, enabled, created_at, updated_at, pending,
        delivered, dead,
    }
    Destinations { destinations }
    Delivery {
        id, event_id, event_type = "type", conversation_id, status, attempts, last_status,
        last_error, next_attempt_at, created_at, delivered_at,
    }
    Deliveries { deliveries, #[default] next_cursor }
    Deleted { id, deleted }
    Replayed { id, status }
    #[deny_unknown_fields]
    Filter { #[default] events, #[default] teams, #[default] topics }
    #[deny_unknown_fields]
    ChatwootTarget { account_id, inbox_id }
    #[deny_unknown_fields]
    RoutingRule { topic, team }
    #[deny_unknown_fields]
    TeamHours { #[default] weekly, #[default] closures }
    #[deny_unknown_fields]
    Interval { day, open, close }
    #[deny_unknown_fields]
    Closure { from, to, #[default] reason }
}
