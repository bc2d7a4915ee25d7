//! Live push (issue 18): who may open a socket on which room, what the
//! worker pushes after a write, how a client places a pushed message, and how
//! long it waits before reconnecting. The sockets themselves are held by a
//! Durable Object (`LiveRoom` in worker/index.js), which only fans frames out
//! by tag and relays typing; every decision is here, tested natively.
//!
//! D1 stays the store of record: a message is stored, then pushed with the
//! id of the message before it (`after`), so a client sees at once when it
//! missed one and catches up through the polling endpoints.

use serde::{Deserialize, Serialize};

use super::api::ApiError;
use super::conversation::Status;
use super::wire::staff::{Conversation, StaffMessage};
use super::wire::visitor::{Availability, VisitorMessage};

/// The WebSocket subprotocol the worker speaks. Browsers cannot set an
/// `Authorization` header on a WebSocket, so the client offers two
/// protocols, `touchpoint` and its bearer token; the answer names only
/// `touchpoint`, and the token never appears in a URL (or a log).
pub const PROTOCOL: &str = "touchpoint";

/// How long a typing indicator shows unless renewed (the room sends it with
/// every relayed `typing` frame).
pub const TYPING_TTL_MS: u32 = 5000;

/// How often a client may send `typing`.
pub const TYPING_EVERY_MS: u32 = 2000;

/// The room relays a socket's `typing` only this long after the last one it
/// relayed from that socket, and drops it sooner (worker/index.js mirrors
/// it): a flooding client reaches staff once per gap. A little under
/// `TYPING_EVERY_MS`, so a client keeping to it is never dropped for timer
/// jitter.
pub const TYPING_GAP_MS: u32 = 1500;

/// The console's refresh while its sockets are open: pushes carry messages,
/// claims, read receipts and inbox changes, and waiting times tick in the
/// console; this brings what is not pushed (the visitor's journey) and any
/// push that was lost. Without a socket it polls every 2 s as before.
pub const CONSOLE_REFRESH_WHILE_LIVE_MS: u32 = 5_000;

/// The widget's poll while its socket is open: a safety net only (each push
/// fetches at once), so an idle open widget reads D1 about once a minute
/// instead of every second or two.
pub const WIDGET_POLL_WHILE_LIVE_MS: u32 = 60_000;

/// A Durable Object holding sockets: one per conversation (its visitor and
/// the staff who have it open) and one per site (the staff consoles' inbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Room<'a> {
    Conversation(&'a str),
    Inbox(&'a str),
    /// A site's staff presence, for every open widget of the site.
    Presence(&'a str),
}

impl Room<'_> {
    /// The object's name (`idFromName`): one object per conversation or site.
    pub fn name(&self) -> String {
        match self {
            Room::Conversation(id) => format!("conversation:{id}"),
            Room::Inbox(site) => format!("inbox:{site}"),
            Room::Presence(site) => format!("presence:{site}"),
        }
    }
}

/// Tags on a socket, by which the room fans out: the side (`visitor`,
/// `staff`) and, for staff, each team the staff member works in (`team:*`
/// for admins, who see every team) and the staff member themselves.
pub const VISITOR: &str = "visitor";
pub const STAFF: &str = "staff";
/// Admins' tag: not `team:…`, so no team id (`*` included) can be it.
const ALL_TEAMS: &str = "admins";

/// How long a staff socket stays authorized. The worker checks a token and
/// its teams when a socket opens; after this the room sends the socket
/// `REAUTHORIZE_FRAME` instead of its next frame, and the console opens it
/// again with whatever access it has now. A revoked
/// token or a team left is closed at once in the site's inbox room
/// (`staff_member_tag`), but a conversation's room cannot be named from
/// the account, so this bounds how long an old socket there hears anything.
pub const STAFF_SOCKET_AUTHORIZED_MS: i64 = 10 * 60 * 1000;

/// What the room sends a staff socket once its authorization ran out or its
/// account changed (`STAFF_SOCKET_AUTHORIZED_MS`; worker/index.js writes the
/// same text), after which it sends it nothing. The console closes the
/// socket itself on it and opens a new one: a close the client starts ends
/// at once, while one the runtime starts may hold the connection for
/// seconds. A socket that stays open is closed at its next frame.
pub const REAUTHORIZE_FRAME: &str = r#"{"type":"reauthorize"}"#;

/// The tags of a staff member's socket, in the site's inbox room and in a
/// conversation's room alike.
pub fn staff_tags(staff: &str, is_admin: bool, teams: &[String]) -> Vec<String> {
    let mut tags = vec![STAFF.to_owned(), staff_member_tag(staff)];
    if is_admin {
        tags.push(ALL_TEAMS.to_owned());
    } else {
        tags.extend(teams.iter().map(|team| team_tag(team)));
    }
    tags
}

/// The tag of one staff member's sockets: a change to their account ends
/// them (they reopen with the access the account has now).
pub fn staff_member_tag(staff: &str) -> String {
    format!("staff:{staff}")
}

/// Which staff sockets a change to a conversation of `team` reaches, in
/// the site's inbox and in the conversation's room: the team's staff and
/// admins, never other teams' staff (a conversation moved to another team
/// stops reaching the sockets opened while it was theirs).
pub fn inbox_audience(team: &str) -> Vec<String> {
    vec![team_tag(team), ALL_TEAMS.to_owned()]
}

/// The tag of the sockets of one team's staff (not its admins').
pub fn team_tag(team: &str) -> String {
    format!("team:{team}")
}

/// The subprotocols a client offered (`Sec-WebSocket-Protocol`).
fn offered(protocols: Option<&str>) -> Vec<&str> {
    protocols
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// Whether the answer names `touchpoint`: only when the client offered it.
/// A client that offered none (the presence socket needs no token) must get
/// no protocol back, or the handshake fails (RFC 6455, 4.1).
pub fn answers_protocol(protocols: Option<&str>) -> bool {
    offered(protocols).contains(&PROTOCOL)
}

/// The bearer token offered with the subprotocol
/// (`Sec-WebSocket-Protocol: touchpoint, <token>`). No token is 401, as an
/// API call without `Authorization`.
pub fn offered_token(protocols: Option<&str>) -> Result<String, ApiError> {
    let offered = offered(protocols);
    if !offered.contains(&PROTOCOL) {
        return Err(ApiError::Unauthorized);
    }
    offered
        .into_iter()
        .find(|p| *p != PROTOCOL)
        .map(str::to_owned)
        .ok_or(ApiError::Unauthorized)
}

/// A live endpoint only opens WebSockets: any other request is refused
/// before anything is read or charged.
pub fn check_upgrade(upgrade: Option<&str>) -> Result<(), ApiError> {
    if upgrade.is_some_and(|u| u.trim().eq_ignore_ascii_case("websocket")) {
        Ok(())
    } else {
        Err(ApiError::InvalidRequest(
            "this endpoint opens a WebSocket (Upgrade: websocket)".into(),
        ))
    }
}

/// Staff sockets come from the console, which the worker serves itself: a
/// browser's upgrade must carry the worker's own origin (a page elsewhere
/// cannot open a staff socket even with a token it stole). Clients that send
/// no origin (not browsers) are judged by their token alone.
pub fn staff_origin_allowed(origin: Option<&str>, own_origin: &str) -> Result<(), ApiError> {
    match origin {
        None => Ok(()),
        Some(origin) if origin == own_origin => Ok(()),
        Some(_) => Err(ApiError::OriginNotAllowed),
    }
}

/// A frame for the room to send to every socket carrying any of `tags`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub tags: Vec<String>,
    /// The JSON text sent as is.
    pub data: String,
}

/// What the worker posts to a room after a write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fanout {
    pub frames: Vec<Frame>,
}

/// Who is typing, as relayed by the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Visitor,
    Staff,
}

/// What a staff socket receives: one flat object whose `type` says which
/// fields it carries. (Flat rather than a tagged enum: serde reads a tagged
/// enum through a buffered copy, which doubles the console's reader of every
/// type inside — about 8 KB brotli the console's budget does not have.)
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StaffPush {
    #[serde(rename = "type")]
    pub kind: StaffPushKind,
    /// The conversation of a `message` or `inbox` frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// `message`: the message stored, and `after`, the id of the
    /// conversation's message before it (0 for the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<StaffMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<i64>,
    /// `conversation`: the conversation after a claim, assignment, move,
    /// close or reopen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<Conversation>,
    /// `inbox`: something changed in this team's inbox (a new conversation
    /// or message, a claim): the console refreshes its list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// `typing`: who (never what), relayed by the room, and for how long.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Side>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_ms: Option<u32>,
}

/// The kinds of staff frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffPushKind {
    #[default]
    Message,
    Conversation,
    Inbox,
    Typing,
}

impl StaffPush {
    pub fn message(conversation: &str, message: StaffMessage, after: i64) -> Self {
        StaffPush {
            kind: StaffPushKind::Message,
            conversation_id: Some(conversation.to_owned()),
            message: Some(message),
            after: Some(after),
            ..StaffPush::default()
        }
    }

    pub fn conversation(conversation: Conversation) -> Self {
        StaffPush {
            kind: StaffPushKind::Conversation,
            conversation: Some(conversation),
            ..StaffPush::default()
        }
    }

    pub fn inbox(conversation: &str, team: &str, status: Status) -> Self {
        StaffPush {
            kind: StaffPushKind::Inbox,
            conversation_id: Some(conversation.to_owned()),
            team: Some(team.to_owned()),
            status: Some(status),
            ..StaffPush::default()
        }
    }
}

/// What a visitor socket receives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum VisitorPush {
    Message {
        message: VisitorMessage,
        after: i64,
    },
    Status {
        status: Status,
    },
    /// Staff presence changed: who is there now, as `GET /v1/availability`.
    Presence {
        availability: Availability,
    },
    Typing {
        by: Side,
        #[serde(default)]
        name: Option<String>,
        ttl_ms: u32,
    },
}

/// What to do with a pushed message, given the ids a client already shows
/// (ascending).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Already shown (pushed twice, or polled before the push arrived).
    Duplicate,
    /// It follows the last shown message: append it.
    Append,
    /// A message before it is missing: catch up from the store instead.
    Gap,
}

/// Places a pushed message `id` whose predecessor is `after` in a thread
/// that shows `known` (ascending ids).
pub fn place(known: &[i64], id: i64, after: i64) -> Placement {
    if known.contains(&id) {
        return Placement::Duplicate;
    }
    match known.last() {
        Some(last) if *last == after => Placement::Append,
        None if after == 0 => Placement::Append,
        _ => Placement::Gap,
    }
}

/// Milliseconds before reconnect attempt `attempt` (0 first): doubling from
/// half a second up to 30 s, with jitter (`jitter` in [0, 1)) over the upper
/// half so a restarted worker is not met by every client at once.
pub fn reconnect_delay_ms(attempt: u32, jitter: f64) -> u32 {
    let base = 500u32.saturating_mul(1 << attempt.min(6)).min(30_000);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    base / 2 + (f64::from(base / 2) * jitter) as u32
}

/// How long a socket must have stayed open for its backoff to start again
/// from the first step. One that a proxy accepts and drops at once keeps
/// backing off: resetting on every open made such a client reconnect (and
/// catch up) every half second, past the per-address upgrade limit.
pub const STABLE_OPEN_MS: f64 = 10_000.0;

/// The reconnect attempt after a socket closed: back to 0 when it had been
/// open `STABLE_OPEN_MS` or more (`opened_at` from `Date.now()` at its open;
/// `None` if it never opened), else the next step.
pub fn attempt_after_close(attempt: u32, opened_at: Option<f64>, now: f64) -> u32 {
    match opened_at {
        Some(at) if now - at >= STABLE_OPEN_MS => 0,
        _ => attempt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_socket_dropped_soon_after_opening_keeps_backing_off() {
        assert_eq!(attempt_after_close(4, None, 1e6), 4, "never opened");
        assert_eq!(
            attempt_after_close(4, Some(1e6), 1e6 + 50.0),
            4,
            "dropped at once"
        );
        assert_eq!(attempt_after_close(4, Some(1e6), 1e6 + STABLE_OPEN_MS), 0);
        // A proxy that accepts and drops every socket: the delays still grow.
        let (mut attempt, mut waited) = (0u32, Vec::new());
        for round in 0..8 {
            let opened = f64::from(round) * 60_000.0;
            attempt = attempt_after_close(attempt, Some(opened), opened + 50.0);
            waited.push(reconnect_delay_ms(attempt, 0.0));
            attempt += 1;
        }
        assert!(waited.windows(2).all(|w| w[1] >= w[0]), "{waited:?}");
        assert_eq!(waited.last(), Some(&15_000));
    }

    #[test]
    fn the_room_keeps_the_typing_times_given_here() {
        let room = include_str!("../../worker/index.js");
        assert!(room.contains(&format!("const TYPING_TTL_MS = {TYPING_TTL_MS};")));
        assert!(room.contains(&format!("const TYPING_GAP_MS = {TYPING_GAP_MS};")));
        // A client keeping to its pace is never dropped, even a little early.
        const { assert!(TYPING_GAP_MS < TYPING_EVERY_MS && TYPING_GAP_MS >= TYPING_EVERY_MS / 2) };
    }

    #[test]
    fn rooms_are_named_per_conversation_and_per_site() {
        assert_eq!(Room::Conversation("c1").name(), "conversation:c1");
        assert_eq!(Room::Inbox("demo").name(), "inbox:demo");
        assert_ne!(Room::Conversation("x").name(), Room::Inbox("x").name());
    }

    #[test]
    fn inbox_changes_reach_the_team_and_admins_only() {
        let agent = staff_tags("s1", false, &["billing".into(), "sales".into()]);
        assert_eq!(agent, ["staff", "staff:s1", "team:billing", "team:sales"]);
        let admin = staff_tags("s2", true, &[]);
        let reaches =
            |tags: &[String], team: &str| inbox_audience(team).iter().any(|t| tags.contains(t));
        assert!(reaches(&agent, "billing"));
        assert!(
            !reaches(&agent, "support"),
            "another team's inbox stays private"
        );
        assert!(reaches(&admin, "support"));
        assert!(!reaches(&staff_tags("s3", false, &[]), "support"));
        // A team called "*" is a team like any other, never every team.
        assert!(!reaches(&staff_tags("s4", false, &["*".into()]), "billing"));
        assert!(agent.contains(&staff_member_tag("s1")));
        assert!(!admin.contains(&staff_member_tag("s1")));
    }

    #[test]
    fn the_protocol_is_answered_only_when_offered() {
        assert!(answers_protocol(Some("touchpoint")));
        assert!(answers_protocol(Some("tps_s1.x, touchpoint")));
        assert!(!answers_protocol(None));
        assert!(!answers_protocol(Some("")));
        assert!(!answers_protocol(Some("chat, touchpoint2")));
    }

    #[test]
    fn the_token_comes_with_the_subprotocol() {
        assert_eq!(
            offered_token(Some("touchpoint, tpv_abc")).as_deref(),
            Ok("tpv_abc")
        );
        assert_eq!(
            offered_token(Some("tps_s1.x,touchpoint")).as_deref(),
            Ok("tps_s1.x")
        );
        assert_eq!(
            offered_token(Some("touchpoint")),
            Err(ApiError::Unauthorized)
        );
        assert_eq!(
            offered_token(Some("chat, tpv_abc")),
            Err(ApiError::Unauthorized)
        );
        assert_eq!(offered_token(None), Err(ApiError::Unauthorized));
    }

    #[test]
    fn only_websocket_upgrades_are_taken() {
        assert!(check_upgrade(Some("websocket")).is_ok());
        assert!(check_upgrade(Some("WebSocket")).is_ok());
        assert!(check_upgrade(Some("h2c")).is_err());
        assert!(check_upgrade(None).is_err());
    }

    #[test]
    fn staff_sockets_come_from_the_console_origin() {
        let own = "https://tp.example.com";
        assert!(staff_origin_allowed(Some(own), own).is_ok());
        assert!(staff_origin_allowed(None, own).is_ok());
        assert_eq!(
            staff_origin_allowed(Some("https://evil.example"), own),
            Err(ApiError::OriginNotAllowed)
        );
    }

    #[test]
    fn pushed_messages_append_dedupe_or_reveal_a_gap() {
        assert_eq!(place(&[], 5, 0), Placement::Append);
        assert_eq!(place(&[3, 5], 8, 5), Placement::Append);
        assert_eq!(place(&[3, 5], 5, 3), Placement::Duplicate);
        assert_eq!(place(&[3, 5], 9, 8), Placement::Gap, "message 8 was missed");
        assert_eq!(place(&[], 9, 8), Placement::Gap);
    }

    #[test]
    fn reconnects_back_off_with_jitter_up_to_thirty_seconds() {
        assert_eq!(reconnect_delay_ms(0, 0.0), 250);
        assert_eq!(reconnect_delay_ms(0, 0.999_999), 499);
        assert_eq!(reconnect_delay_ms(1, 0.0), 500);
        assert_eq!(reconnect_delay_ms(3, 0.5), 3000);
        assert_eq!(reconnect_delay_ms(60, 0.0), 15_000);
        assert!(reconnect_delay_ms(60, 1.0) <= 30_000);
        assert_eq!(reconnect_delay_ms(2, f64::NAN), 1000);
        for attempt in 0..10 {
            assert!(reconnect_delay_ms(attempt + 1, 0.0) >= reconnect_delay_ms(attempt, 0.0));
        }
    }

    #[test]
    fn frames_round_trip_as_the_console_reads_them() {
        let typing = r#"{"type":"typing","by":"visitor","ttl_ms":5000}"#;
        let parsed: StaffPush = serde_json::from_str(typing).unwrap();
        assert_eq!(parsed.kind, StaffPushKind::Typing);
        assert_eq!(
            (parsed.by, parsed.ttl_ms, parsed.name),
            (Some(Side::Visitor), Some(5000), None)
        );
        let inbox = StaffPush::inbox("c1", "billing", Status::Waiting);
        let text = serde_json::to_string(&inbox).unwrap();
        assert_eq!(
            text,
            r#"{"type":"inbox","conversation_id":"c1","team":"billing","status":"waiting"}"#
        );
        assert_eq!(serde_json::from_str::<StaffPush>(&text).unwrap(), inbox);
        let status = serde_json::to_string(&VisitorPush::Status {
            status: Status::Closed,
        })
        .unwrap();
        assert_eq!(status, r#"{"type":"status","status":"closed"}"#);
    }
}
