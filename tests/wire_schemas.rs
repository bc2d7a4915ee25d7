//! The wire types (`domain::wire`) against openapi.json: every type, as the
//! edge serializes it, must validate against its `components/schemas` entry,
//! read back as the same value (the console deserializes what the edge
//! writes), and carry every property its schema documents (so nothing the
//! schema promises, and a client may read, is missing from the type).
//!
//! The checker (`tests/support/json_schema.rs`, shared with
//! `browser_schemas.rs`) covers the keywords openapi.json uses for answers.

mod support {
    pub mod json_schema;
}
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use support::json_schema::problems;
use touchpoint::domain::attribution::ALL_CHANNELS;
use touchpoint::domain::conversation::{Author, Labels, ReplyPreference, RoutingRule, Status};
use touchpoint::domain::destination::{ChatwootTarget, DeliveryState, EventType, Filter, Kind};
use touchpoint::domain::hours::{Closure, Interval};
use touchpoint::domain::json_text::{self, FromJson};
use touchpoint::domain::live::{Side, StaffPush, StaffPushKind};
use touchpoint::domain::response_time::FirstResponse;
use touchpoint::domain::team::TeamHours;
use touchpoint::domain::wire::destinations::{
    Deleted, Deliveries, Delivery, Destination, Destinations, Replayed,
};
use touchpoint::domain::wire::insights::{
    Arrival, Baseline, ChannelCount, ChartConversation, ChartConversations, DayTopic, Insights,
    Preceding, TeamResponse,
};
use touchpoint::domain::wire::staff::{
    Colleague, Colleagues, Conversation, ConversationResult, ConversationView, CorrectionResult,
    Earlier, Inbox, InboxRow, Me, StaffMessage, StaffReply, TeamName, Touchpoint,
};
use touchpoint::domain::wire::visitor::{
    Availability, ConversationSummary, History, HistoryItem, Poll, Sent, Started, TeamAvailability,
    VisitorMessage,
};

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json"))
        .unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn schema<'a>(spec: &'a Value, name: &str) -> &'a Value {
    &spec["components"]["schemas"][name]
}

/// Serializes `value`, checks it against `name`'s schema (wholly, or only
/// validity for the values whose optional fields are left out), and reads it
/// back as the same value.
fn check<T>(spec: &Value, name: &str, value: &T, whole: bool) -> Vec<String>
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = match serde_json::to_value(value) {
        Ok(json) => json,
        Err(error) => return vec![format!("{name}: not serializable: {error}")],
    };
    let mut found = problems(spec, schema(spec, name), &json, whole, name);
    match serde_json::from_value::<T>(json.clone()) {
        Ok(back) if &back == value => {}
        Ok(back) => found.push(format!("{name}: read back as {back:?}")),
        Err(error) => found.push(format!("{name}: does not read back: {error} in {json}")),
    }
    found
}

// Representative values: every optional field set (the whole schema is
// covered) and every enum variant somewhere.

fn labels(confidence: Option<f64>) -> Labels {
    Labels {
        topic: "delivery".into(),
        sentiment: "negative".into(),
        kind: "complaint".into(),
        confidence,
    }
}

fn visitor_message(author: Author, full: bool) -> VisitorMessage {
    VisitorMessage {
        id: 7,
        author,
        name: full.then(|| "Ana".into()),
        notice: full.then(|| "staff_joined".into()),
        text: "Where is my parcel?".into(),
        created_at: 1_700_000_000_000,
    }
}

fn summary(status: Status, reply: ReplyPreference) -> ConversationSummary {
    ConversationSummary {
        id: "c_1".into(),
        team: "support".into(),
        team_name: "Support".into(),
        status,
        reply,
        created_at: 1_700_000_000_000,
    }
}

fn conversation(status: Status) -> Conversation {
    Conversation {
        id: "c_1".into(),
        site_id: "demo".into(),
        team_id: "support".into(),
        status,
        channel: "widget".into(),
        visitor_key: "k".into(),
        visitor_id: String::new(),
        user_id: "u_1".into(),
        visitor_name: "Sam".into(),
        locale: "en".into(),
        reply_channel: "email".into(),
        reply_email: "sam@example.com".into(),
        reply_phone: String::new(),
        callback_from: 0,
        callback_to: 0,
        external_id: String::new(),
        reply_address: String::new(),
        topic: "delivery".into(),
        sentiment: "negative".into(),
        kind: "complaint".into(),
        confidence: 0.875,
        assignee_id: "s_1".into(),
        created_at: 1,
        updated_at: 2,
        first_response_at: 3,
        last_visitor_at: 4,
        last_staff_at: 5,
        closed_at: 0,
        visitor_read_id: 6,
        staff_read_id: 7,
        escalated_at: 0,
        unseen_notified_at: 0,
        expectation_gap: 1,
    }
}

fn staff_message(author: Author, full: bool) -> StaffMessage {
    StaffMessage {
        id: 8,
        author,
        staff_id: full.then(|| "s_1".into()),
        name: full.then(|| "Ana".into()),
        notice: full.then(|| "assigned".into()),
        by: full.then(|| "s_2".into()),
        team: full.then(|| "billing".into()),
        text: "On its way".into(),
        created_at: 1_700_000_000_000,
        browser_labels: full.then(|| labels(Some(0.5))),
        edge_labels: full.then(|| labels(None)),
        corrected_labels: full.then(|| labels(None)),
        labels_agree: !full,
        pii_missed: if full {
            vec!["email".into()]
        } else {
            Vec::new()
        },
    }
}

fn inbox_row(status: Status, preview: Option<String>) -> InboxRow {
    InboxRow {
        id: "c_1".into(),
        team_id: "support".into(),
        status,
        channel: "email".into(),
        topic: "billing".into(),
        sentiment: "neutral".into(),
        kind: "question".into(),
        confidence: 0.5,
        visitor_name: String::new(),
        reply_channel: "here".into(),
        assignee_id: String::new(),
        created_at: 1,
        last_visitor_at: 2,
        last_staff_at: 0,
        target_minutes: 30,
        preview,
        unread: 2,
        waited_s: 90,
        over_target: true,
        // D1's window totals: they never travel (the `Inbox` carries them).
        matched: 0,
        matched_waiting: 0,
    }
}

fn touchpoint() -> Touchpoint {
    Touchpoint {
        id: "e_1".into(),
        kind: "pageview".into(),
        occurred_at: 1,
        path: "/pricing".into(),
        page_type: "pricing".into(),
        title: "Pricing".into(),
        channel: "paid_search".into(),
        source_name: "Google".into(),
        utm_source: "google".into(),
        utm_medium: "cpc".into(),
        utm_campaign: "spring".into(),
        name: String::new(),
        target: String::new(),
        engaged_ms: 4200,
        scroll_percent: 80,
    }
}

fn preceding(enough_data: bool) -> Preceding {
    Preceding {
        label: "/returns".into(),
        page_type: "returns".into(),
        conversations: 4,
        visitors: 40,
        lift: 2.5,
        lift_low: 1.1,
        lift_high: 4.0,
        enough_data,
    }
}

fn team_response(measured: bool) -> TeamResponse {
    TeamResponse {
        team: "support".into(),
        name: "Support".into(),
        target_minutes: 30,
        median_first_response_s: measured.then_some(600),
        answered: 12,
        waiting: 1,
        within_target: measured.then_some(true),
    }
}

fn insights() -> Insights {
    Insights {
        from: 1,
        to: 2,
        teams: vec!["support".into()],
        by_day: vec![DayTopic {
            day: "2026-11-30".into(),
            topic: "delivery".into(),
            sentiment: "negative".into(),
            conversations: 3,
        }],
        pages_before_trouble: vec![preceding(true), preceding(false)],
        campaigns_before_trouble: vec![preceding(true)],
        pages_baseline: Baseline {
            visitors: 400,
            conversations: 9,
        },
        campaigns_baseline: Baseline {
            visitors: 300,
            conversations: 6,
        },
        min_visitors: 30,
        min_trouble: 3,
        first_response: vec![team_response(true), team_response(false)],
        channels: vec![ChannelCount {
            channel: "widget".into(),
            conversations: 5,
        }],
        arrivals: vec![Arrival {
            channel: "ai_assistant".into(),
            source_name: "ChatGPT".into(),
            visits: 11,
        }],
        events_dropped: 3,
    }
}

fn team_availability(open: bool) -> TeamAvailability {
    TeamAvailability {
        id: "support".into(),
        name: "Support".into(),
        open,
        closes_at: open.then_some(1_700_003_600_000),
        next_opening: (!open).then_some(1_700_050_000_000),
        closure_reason: (!open).then(|| "Christmas".into()),
        staff_online: if open { vec!["Ana".into()] } else { Vec::new() },
        typical_first_response: open.then_some(FirstResponse {
            median_s: 240,
            answered: 30,
            waiting: 2,
        }),
        hours: TeamHours {
            weekly: vec![Interval {
                day: "mon".into(),
                open: "09:00".into(),
                close: "24:00".into(),
            }],
            closures: vec![Closure {
                from: "2026-12-25".into(),
                to: "2026-12-26".into(),
                reason: "Christmas".into(),
            }],
        },
    }
}

fn destination(kind: Kind) -> Destination {
    let chatwoot = kind == Kind::Chatwoot;
    Destination {
        id: "dst_0123456789abcdef".into(),
        kind,
        name: "CRM".into(),
        url: "https://crm.example/hooks".into(),
        prefix: if kind == Kind::R2 {
            "touchpoint/".into()
        } else {
            String::new()
        },
        secret_hint: "cdef".into(),
        chatwoot: chatwoot.then_some(ChatwootTarget {
            account_id: 1,
            inbox_id: 4,
        }),
        inbound_url_path: chatwoot.then(|| "/v1/hooks/chatwoot/dst_1/abc".into()),
        filter: Filter {
            events: vec![EventType::ConversationCreated, EventType::VisitorErased],
            teams: vec!["billing".into()],
            topics: vec!["refund".into()],
        },
        enabled: !chatwoot,
        created_at: 1,
        updated_at: 2,
        pending: 1,
        delivered: 20,
        dead: 3,
    }
}

fn delivery(status: DeliveryState, event_type: &str) -> Delivery {
    Delivery {
        id: "dst_1.ev_2".into(),
        event_id: "ev_2".into(),
        event_type: event_type.into(),
        conversation_id: "c_1".into(),
        status,
        attempts: 2,
        last_status: 500,
        last_error: "answered 500".into(),
        next_attempt_at: 3,
        created_at: 1,
        delivered_at: 0,
    }
}

fn colleagues() -> Colleagues {
    Colleagues {
        staff: vec![Colleague {
            id: "s_2".into(),
            name: "Bo".into(),
            presence: "away".into(),
            teams: vec!["sales".into()],
        }],
        teams: vec![TeamName {
            id: "sales".into(),
            name: "Sales".into(),
        }],
    }
}

const STATUSES: [Status; 3] = [Status::Waiting, Status::Open, Status::Closed];
const AUTHORS: [Author; 3] = [Author::Visitor, Author::Staff, Author::System];

fn replies() -> [ReplyPreference; 3] {
    [
        ReplyPreference::Here,
        ReplyPreference::Email {
            email: "sam@example.com".into(),
        },
        ReplyPreference::Phone {
            phone: "+44 20 7946 0000".into(),
            from: 1_700_000_000_000,
            to: 1_700_003_600_000,
        },
    ]
}

/// Which schema of openapi.json each wire type maps to, and its checks over
/// representative values (`true`: the value sets every optional field, so
/// the type must carry every property the schema lists).
#[test]
fn every_wire_type_matches_its_openapi_schema() {
    let spec = spec();
    assert!(spec.is_object(), "openapi.json must parse");
    let mut found: Vec<String> = Vec::new();
    let mut checked: Vec<&str> = Vec::new();
    let mut table = |name: &'static str, results: Vec<Vec<String>>| {
        checked.push(name);
        found.extend(results.into_iter().flatten());
    };
    // Visitor API (the widget decodes these in widget/answers.rs).
    table(
        "TeamAvailability",
        [true, false]
            .map(|open| check(&spec, "TeamAvailability", &team_availability(open), open))
            .to_vec(),
    );
    table(
        "Availability",
        vec![check(
            &spec,
            "Availability",
            &Availability {
                site: "demo".into(),
                time_zone: "Europe/Lisbon".into(),
                now: 1_700_000_000_000,
                teams: vec![team_availability(true), team_availability(false)],
                routing: vec![RoutingRule {
                    topic: "billing".into(),
                    team: "sales".into(),
                }],
                default_team: "support".into(),
            },
            true,
        )],
    );
    table(
        "VisitorMessage",
        AUTHORS
            .iter()
            .flat_map(|a| [true, false].map(|full| (*a, full)))
            .map(|(a, full)| check(&spec, "VisitorMessage", &visitor_message(a, full), full))
            .collect(),
    );
    table(
        "ConversationSummary",
        STATUSES
            .iter()
            .zip(replies())
            .map(|(s, r)| check(&spec, "ConversationSummary", &summary(*s, r), true))
            .collect(),
    );
    table(
        "Started",
        vec![check(
            &spec,
            "Started",
            &Started {
                conversation: summary(Status::Waiting, ReplyPreference::Here),
                visitor_token: "tpv_0123456789abcdef0123456789abcdef".into(),
                message: visitor_message(Author::Visitor, true),
                redacted_at_edge: vec!["phone".into()],
                poll_interval_ms: 2000,
            },
            true,
        )],
    );
    table(
        "Poll",
        STATUSES
            .iter()
            .map(|s| {
                let poll = Poll {
                    messages: AUTHORS.map(|a| visitor_message(a, true)).to_vec(),
                    cursor: 9,
                    status: *s,
                    team: "billing".into(),
                    staff_read_id: 8,
                    unread: 1,
                    poll_interval_ms: 3000,
                };
                check(&spec, "Poll", &poll, true)
            })
            .collect(),
    );
    table(
        "Sent",
        vec![check(
            &spec,
            "Sent",
            &Sent {
                message: visitor_message(Author::Visitor, true),
                redacted_at_edge: Vec::new(),
                duplicate: true,
            },
            true,
        )],
    );
    table(
        "History",
        vec![check(
            &spec,
            "History",
            &History {
                conversations: vec![HistoryItem {
                    conversation: summary(Status::Closed, ReplyPreference::Here),
                    visitor_token: "tpv_0123456789abcdef0123456789abcdef".into(),
                    messages: vec![visitor_message(Author::Staff, true)],
                }],
            },
            true,
        )],
    );
    // Staff API (the console deserializes these very types).
    let me = Me {
        id: "s_1".into(),
        site: "demo".into(),
        name: "Ana Lima".into(),
        role: "admin".into(),
        teams: vec!["support".into()],
        presence: "online".into(),
    };
    table("Staff", vec![check(&spec, "Staff", &me, true)]);
    let colleagues = colleagues();
    table(
        "Colleagues",
        vec![check(&spec, "Colleagues", &colleagues, true)],
    );
    table(
        "InboxRow",
        STATUSES
            .iter()
            .map(|s| check(&spec, "InboxRow", &inbox_row(*s, Some("Hi".into())), true))
            .chain([check(
                &spec,
                "InboxRow",
                &inbox_row(Status::Open, None),
                false,
            )])
            .collect(),
    );
    table(
        "Inbox",
        vec![check(
            &spec,
            "Inbox",
            &Inbox {
                conversations: vec![inbox_row(Status::Waiting, None)],
                total: 1,
                waiting: 1,
                teams: vec!["support".into()],
            },
            false,
        )],
    );
    table(
        "Conversation",
        STATUSES
            .iter()
            .map(|s| check(&spec, "Conversation", &conversation(*s), true))
            .collect(),
    );
    table(
        "StaffMessage",
        AUTHORS
            .iter()
            .flat_map(|a| [true, false].map(|full| (*a, full)))
            .map(|(a, full)| check(&spec, "StaffMessage", &staff_message(a, full), full))
            .collect(),
    );
    table(
        "Touchpoint",
        vec![check(&spec, "Touchpoint", &touchpoint(), true)],
    );
    let earlier = Earlier {
        id: "c_0".into(),
        team_id: "support".into(),
        team_name: "Customer support".into(),
        status: Status::Closed,
        topic: "billing".into(),
        created_at: 0,
    };
    table(
        "EarlierConversation",
        vec![check(&spec, "EarlierConversation", &earlier, true)],
    );
    table(
        "ConversationView",
        vec![check(
            &spec,
            "ConversationView",
            &ConversationView {
                conversation: conversation(Status::Open),
                team_name: "Support".into(),
                messages: vec![staff_message(Author::Staff, true)],
                journey: vec![touchpoint()],
                earlier: vec![earlier],
            },
            true,
        )],
    );
    table(
        "StaffReply",
        vec![check(
            &spec,
            "StaffReply",
            &StaffReply {
                message: staff_message(Author::Staff, true),
                duplicate: false,
            },
            true,
        )],
    );
    table(
        "ConversationResult",
        vec![check(
            &spec,
            "ConversationResult",
            &ConversationResult {
                conversation: conversation(Status::Closed),
            },
            true,
        )],
    );
    table(
        "CorrectionResult",
        vec![check(
            &spec,
            "CorrectionResult",
            &CorrectionResult {
                message: 8,
                topic: "billing".into(),
                sentiment: String::new(),
                kind: "question".into(),
            },
            true,
        )],
    );
    table(
        "Insights",
        vec![check(&spec, "Insights", &insights(), true)],
    );
    table(
        "ChartConversations",
        vec![check(
            &spec,
            "ChartConversations",
            &ChartConversations {
                conversations: [Status::Waiting, Status::Open, Status::Closed]
                    .into_iter()
                    .map(|status| ChartConversation {
                        id: "c1".into(),
                        team_id: "support".into(),
                        status,
                        topic: "delivery".into(),
                        sentiment: "negative".into(),
                        kind: "complaint".into(),
                        created_at: 1_764_547_200_000,
                        preview: "The shipping fee was not on the product page".into(),
                    })
                    .collect(),
                total: 3,
            },
            true,
        )],
    );
    // Operator API: destinations (Settings deserializes these very types).
    table(
        "Destination",
        Kind::ALL
            .iter()
            .map(|k| check(&spec, "Destination", &destination(*k), *k == Kind::Chatwoot))
            .collect(),
    );
    table(
        "Destinations",
        vec![check(
            &spec,
            "Destinations",
            &Destinations {
                destinations: Kind::ALL.map(destination).to_vec(),
            },
            false,
        )],
    );
    let states = [
        DeliveryState::Pending,
        DeliveryState::Delivered,
        DeliveryState::Dead,
    ];
    table(
        "DestinationDelivery",
        states
            .iter()
            .flat_map(|s| {
                EventType::ALL
                    .map(|e| (*s, e.as_str()))
                    .into_iter()
                    .chain([(*s, "export")])
            })
            .map(|(s, e)| check(&spec, "DestinationDelivery", &delivery(s, e), true))
            .collect(),
    );
    table(
        "DestinationDeliveries",
        [None, Some("d1.1800000000000.6473745f31")]
            .into_iter()
            .map(|next| {
                check(
                    &spec,
                    "DestinationDeliveries",
                    &Deliveries {
                        deliveries: states.map(|s| delivery(s, "touchpoints")).to_vec(),
                        next_cursor: next.map(Into::into),
                    },
                    true,
                )
            })
            .collect(),
    );
    table(
        "DestinationDeleted",
        vec![check(
            &spec,
            "DestinationDeleted",
            &Deleted {
                id: "dst_1".into(),
                deleted: true,
            },
            true,
        )],
    );
    table(
        "Replayed",
        vec![check(
            &spec,
            "Replayed",
            &Replayed {
                id: "dst_1.ev_2".into(),
                status: DeliveryState::Pending,
            },
            true,
        )],
    );
    assert_eq!(checked.len(), 28, "one table row per wire type");
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Every `channel` enum in openapi.json (what the ingest API accepts and
/// what exports carry) lists exactly the channels the product decides.
#[test]
fn channel_enums_list_every_channel() {
    fn walk<'a>(value: &'a Value, found: &mut Vec<&'a Value>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    // (A reply's `channel` is another enum: email, phone…)
                    let visit_channel = child["enum"]
                        .as_array()
                        .is_some_and(|names| names.contains(&json!("direct")));
                    if key == "channel" && visit_channel {
                        found.push(&child["enum"]);
                    }
                    walk(child, found);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, found)),
            _ => {}
        }
    }
    let spec = spec();
    let mut enums = Vec::new();
    walk(&spec, &mut enums);
    assert!(
        enums.len() >= 2,
        "the event and export schemas name channels"
    );
    let expected: Vec<Value> = std::iter::once(json!(""))
        .chain(ALL_CHANNELS.iter().map(|channel| json!(channel.as_str())))
        .collect();
    for listed in enums {
        assert_eq!(listed, &Value::Array(expected.clone()));
    }
}

#[test]
fn the_checker_catches_what_it_should() {
    let spec = spec();
    let schema = schema(&spec, "Poll");
    let poll = json!({ "messages": [], "cursor": 1, "status": "open", "team": "support",
        "staff_read_id": 0, "unread": 0, "poll_interval_ms": 3000 });
    assert!(problems(&spec, schema, &poll, true, "Poll").is_empty());
    let mut unknown_status = poll.clone();
    unknown_status["status"] = json!("pending");
    assert!(!problems(&spec, schema, &unknown_status, false, "Poll").is_empty());
    let mut extra = poll.clone();
    extra["surprise"] = json!(1);
    assert!(!problems(&spec, schema, &extra, false, "Poll").is_empty());
    let mut missing = poll.clone();
    missing.as_object_mut().map(|o| o.remove("cursor"));
    assert!(!problems(&spec, schema, &missing, false, "Poll").is_empty());
    let mut wrong_type = poll;
    wrong_type["cursor"] = json!("1");
    assert!(!problems(&spec, schema, &wrong_type, false, "Poll").is_empty());
    // An optional property the value leaves out is fine, unless the whole schema is asked for.
    let message = json!({ "id": 1, "author": "visitor", "text": "hi", "created_at": 0 });
    let visitor_message = self::schema(&spec, "VisitorMessage");
    assert!(problems(&spec, visitor_message, &message, false, "m").is_empty());
    assert!(!problems(&spec, visitor_message, &message, true, "m").is_empty());
}

fn status() -> impl Strategy<Value = Status> {
    prop::sample::select(STATUSES.to_vec())
}

fn author() -> impl Strategy<Value = Author> {
    prop::sample::select(AUTHORS.to_vec())
}

fn optional_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(".{0,12}")
}

/// The notice codes the edge writes (`conversation::Notice::code`).
fn notice() -> impl Strategy<Value = Option<String>> {
    prop::option::of(
        prop::sample::select(vec![
            "staff_joined",
            "assigned",
            "moved_team",
            "closed",
            "reopened",
        ])
        .prop_map(String::from),
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Generated messages, inbox rows and polls: any text, any number, any
    /// status and author still fit the schema and read back unchanged.
    #[test]
    fn generated_values_fit_their_schemas(
        id in any::<i64>(),
        text in ".{0,40}",
        name in optional_text(),
        notice in notice(),
        author in author(),
        status in status(),
        preview in optional_text(),
        unread in any::<u32>(),
        confidence in 0.0f64..=1.0,
        topic_confidence in prop::option::of(0.0f64..=1.0),
    ) {
        let spec = spec();
        let visitor = VisitorMessage { id, author, name: name.clone(), notice: notice.clone(), text: text.clone(), created_at: id };
        let staff = StaffMessage {
            id, author, staff_id: name.clone(), by: name.clone(), team: name.clone(), name, notice, text,
            created_at: id, browser_labels: topic_confidence.map(|c| labels(Some(c))),
            edge_labels: Some(labels(topic_confidence)), corrected_labels: topic_confidence.map(|_| labels(None)),
            labels_agree: topic_confidence.is_none(),
            pii_missed: Vec::new(),
        };
        let mut row = inbox_row(status, preview);
        row.confidence = confidence;
        row.unread = i64::from(unread);
        let poll = Poll { messages: vec![visitor.clone()], cursor: id, status, team: String::new(), staff_read_id: id, unread, poll_interval_ms: unread };
        let mut found = check(&spec, "VisitorMessage", &visitor, false);
        found.extend(check(&spec, "StaffMessage", &staff, false));
        found.extend(check(&spec, "InboxRow", &row, false));
        found.extend(check(&spec, "Poll", &poll, false));
        prop_assert!(found.is_empty(), "{}", found.join("\n"));
    }
}

/// Every change of one key anywhere in `json`: left out, `null`, a string,
/// and an unknown key beside it.
fn variants(json: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    match json {
        Value::Object(map) => {
            let mut extra = map.clone();
            extra.insert("zz_unknown".into(), json!(1));
            out.push(Value::Object(extra));
            for (key, value) in map {
                for change in [None, Some(Value::Null), Some(json!("x"))] {
                    let mut changed = map.clone();
                    match change {
                        None => drop(changed.remove(key)),
                        Some(other) => drop(changed.insert(key.clone(), other)),
                    }
                    out.push(Value::Object(changed));
                }
                for inner in variants(value) {
                    let mut changed = map.clone();
                    changed.insert(key.clone(), inner);
                    out.push(Value::Object(changed));
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                for inner in variants(item) {
                    let mut changed = items.clone();
                    changed[i] = inner;
                    out.push(Value::Array(changed));
                }
            }
        }
        _ => {}
    }
    out
}

/// The console reads `value` as the edge wrote it, and every variant of it
/// exactly as serde does: the same value, or a refusal where serde refuses.
fn console_reads<T>(value: &T) -> Vec<String>
where
    T: Serialize + DeserializeOwned + FromJson + PartialEq + std::fmt::Debug,
{
    let name = std::any::type_name::<T>();
    let Ok(json) = serde_json::to_value(value) else {
        return vec![format!("{name}: not serializable")];
    };
    let mut found = Vec::new();
    let console = |json: &Value| {
        let text = json.to_string();
        json_text::parse(&text).map(|parsed| json_text::read::<T>(&parsed))
    };
    match console(&json) {
        Some(Ok(back)) if &back == value => {}
        other => found.push(format!("{name}: the console reads {other:?} from {json}")),
    }
    for variant in variants(&json) {
        let by_serde = serde_json::from_value::<T>(variant.clone()).ok();
        match console(&variant) {
            Some(by_console) if by_console.as_ref().ok() == by_serde.as_ref() => {}
            other => found.push(format!(
                "{name}: serde reads {by_serde:?}, the console {other:?}, from {variant}"
            )),
        }
    }
    found
}

/// The console's field lists (`domain::wire::read`) read every answer it
/// asks for as serde's derive does, whatever key is missing, `null`, of
/// the wrong type or unknown.
#[test]
fn the_console_reads_answers_as_serde_does() {
    let mut found = Vec::new();
    found.extend(console_reads(&Me {
        id: "s_1".into(),
        site: "demo".into(),
        name: "Ana".into(),
        role: "admin".into(),
        teams: vec!["support".into()],
        presence: "online".into(),
    }));
    found.extend(console_reads(&colleagues()));
    found.extend(console_reads(&Inbox {
        conversations: vec![
            inbox_row(Status::Waiting, Some("Hi".into())),
            inbox_row(Status::Open, None),
        ],
        total: 2,
        waiting: 1,
        teams: vec!["support".into()],
    }));
    for (status, author) in STATUSES.into_iter().zip(AUTHORS) {
        found.extend(console_reads(&ConversationView {
            conversation: conversation(status),
            team_name: "Support".into(),
            messages: vec![staff_message(author, true), staff_message(author, false)],
            journey: vec![touchpoint()],
            earlier: vec![Earlier {
                id: "c_0".into(),
                team_id: "support".into(),
                team_name: "Customer support".into(),
                status,
                topic: "delivery".into(),
                created_at: 1,
            }],
        }));
        found.extend(console_reads(&StaffPush::message(
            "c_1",
            staff_message(author, true),
            7,
        )));
        found.extend(console_reads(&StaffPush::conversation(conversation(
            status,
        ))));
        found.extend(console_reads(&StaffPush::inbox("c_1", "support", status)));
    }
    found.extend(console_reads(&StaffPush {
        kind: StaffPushKind::Typing,
        by: Some(Side::Visitor),
        name: Some("Sam".into()),
        ttl_ms: Some(5000),
        ..StaffPush::default()
    }));
    found.extend(console_reads(&StaffReply {
        message: staff_message(Author::Staff, true),
        duplicate: false,
    }));
    found.extend(console_reads(&ConversationResult {
        conversation: conversation(Status::Closed),
    }));
    found.extend(console_reads(&CorrectionResult {
        message: 8,
        topic: "billing".into(),
        sentiment: "neutral".into(),
        kind: "question".into(),
    }));
    found.extend(console_reads(&insights()));
    found.extend(console_reads(&ChartConversations {
        conversations: vec![ChartConversation {
            id: "c_1".into(),
            team_id: "support".into(),
            status: Status::Open,
            topic: "delivery".into(),
            sentiment: "negative".into(),
            kind: "complaint".into(),
            created_at: 1,
            preview: "Where is it?".into(),
        }],
        total: 1,
    }));
    found.extend(console_reads(&Destinations {
        destinations: [Kind::Webhook, Kind::Segment, Kind::Chatwoot, Kind::R2]
            .map(destination)
            .to_vec(),
    }));
    for next_cursor in [None, Some("dst_1.ev_2".to_owned())] {
        found.extend(console_reads(&Deliveries {
            deliveries: vec![
                delivery(DeliveryState::Pending, "message.created"),
                delivery(DeliveryState::Delivered, "touchpoints"),
                delivery(DeliveryState::Dead, "export"),
            ],
            next_cursor,
        }));
    }
    found.extend(console_reads(&Deleted {
        id: "dst_1".into(),
        deleted: true,
    }));
    found.extend(console_reads(&Replayed {
        id: "dst_1.ev_2".into(),
        status: DeliveryState::Pending,
    }));
    found.extend(console_reads(&team_availability(true).hours));
    found.extend(console_reads(&RoutingRule {
        topic: "billing".into(),
        team: "sales".into(),
    }));
    assert!(found.is_empty(), "{}", found.join("\n"));
}
