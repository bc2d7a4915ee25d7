//! Live push over WebSockets held by Durable Objects (`LIVE`, the `LiveRoom`
//! class in worker/index.js). The worker decides everything here before a
//! socket reaches a room: who may open which (`domain::live`), with the same
//! tokens, origin checks and rate limits as the polling endpoints. After a
//! write to D1, the handler calls `message_stored` or `conversation_changed`
//! and the room fans the frames out. A push that fails is logged and
//! dropped: clients catch up from D1 through the polling endpoints.

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Headers, Request, RequestInit, Response};

use super::http::{client_ip, header};
use super::runtime::now_ms;
use super::threads::{ConversationRow, MessageRow};
use super::{db, limits, staff, widget_api, Env};
use crate::args;
use crate::domain::api::ApiError;
use crate::domain::conversation::Status;
use crate::domain::guard;
use crate::domain::live::{
    self, Fanout, Frame, Room, StaffPush, VisitorPush, PROTOCOL, STAFF, VISITOR,
};

#[wasm_bindgen]
extern "C" {
    /// The `LIVE` Durable Object namespace.
    pub type Namespace;
    #[wasm_bindgen(method, catch, js_name = idFromName)]
    fn id_from_name(this: &Namespace, name: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn get(this: &Namespace, id: &JsValue) -> Result<Stub, JsValue>;

    /// One room's stub.
    type Stub;
    #[wasm_bindgen(method, catch)]
    fn fetch(this: &Stub, request: &Request) -> Result<js_sys::Promise, JsValue>;
}

/// Sends `request` to the room's object; the promise of its answer.
fn send(env: &Env, room: Room<'_>, request: &Request) -> Result<js_sys::Promise, JsValue> {
    let namespace = env
        .live
        .as_ref()
        .ok_or_else(|| JsValue::from_str("no LIVE binding"))?;
    namespace
        .get(&namespace.id_from_name(&room.name())?)?
        .fetch(request)
}

/// Sends `request` to the room's object and awaits its answer.
async fn call(env: &Env, room: Room<'_>, request: &Request) -> Result<Response, JsValue> {
    let answer = wasm_bindgen_futures::JsFuture::from(send(env, room, request)?).await?;
    answer.dyn_into::<Response>()
}

/// What the room needs to know of a socket it takes.
struct Socket<'a> {
    /// `visitor` or `staff`.
    side: &'a str,
    /// Shown when it types.
    name: &'a str,
    tags: &'a [String],
    /// Until when a staff socket is authorized (ms since the epoch; 0: for
    /// as long as it stays open).
    until: i64,
    /// Whether the answer names the `touchpoint` protocol (`live::answers_protocol`).
    protocol: bool,
}

/// Hands the upgrade to the room with what the room needs to know of it.
async fn open(env: &Env, room: Room<'_>, socket: Socket<'_>) -> Result<Response, ApiError> {
    let Socket {
        side,
        name,
        tags,
        until,
        protocol,
    } = socket;
    if env.live.is_none() {
        // Not deployed with the binding: clients keep polling.
        return Err(ApiError::Unavailable);
    }
    let build = || -> Result<Request, JsValue> {
        let url = web_sys::Url::new("https://live.invalid/connect")?;
        let params = url.search_params();
        params.append("side", side);
        params.append("name", name);
        params.append("until", &until.to_string());
        if protocol {
            params.append("protocol", PROTOCOL);
        }
        for tag in tags {
            params.append("tag", tag);
        }
        let headers = Headers::new()?;
        headers.set("upgrade", "websocket")?;
        let init = RequestInit::new();
        init.set_method("GET");
        init.set_headers(&headers);
        Request::new_with_str_and_init(&url.href(), &init)
    };
    let request =
        build().map_err(|e| super::runtime::internal(&e, "live: building the upgrade"))?;
    call(env, room, &request)
        .await
        .map_err(|e| super::runtime::unavailable(&e, "live: the room did not take the socket"))
}

/// Checks what every live upgrade must carry (the token itself is read by
/// the usual `authorize`, through `http::bearer`) and charges the IP.
/// A public socket (`with_token` false) offers no token.
async fn admit(request: &Request, env: &Env, with_token: bool) -> Result<(), ApiError> {
    live::check_upgrade(header(request, "upgrade").as_deref())?;
    if with_token {
        live::offered_token(header(request, "sec-websocket-protocol").as_deref())?;
    }
    limits::charge(
        &env.db,
        &[(
            limits::network_key("live-ip", &client_ip(request)),
            guard::LIVE_CONNECTS_PER_IP_PER_MINUTE,
        )],
        1,
        now_ms(),
    )
    .await
}

/// `GET /v1/conversations/{id}/live`: the visitor's socket, for its own
/// conversation only (another conversation's token is 401, as when
/// polling), from an origin the site allows.
pub async fn visitor(
    request: &Request,
    env: &Env,
    origin: Option<&str>,
    id: &str,
) -> Result<Response, ApiError> {
    admit(request, env, true).await?;
    // As the polling endpoints answer: a token that does not open this
    // conversation (another conversation's, or none at all) is 401.
    widget_api::authorize(request, env, origin, id).await?;
    let socket = Socket {
        side: VISITOR,
        name: "",
        tags: &[VISITOR.to_owned()],
        until: 0,
        protocol: true,
    };
    open(env, Room::Conversation(id), socket).await
}

/// `GET /v1/availability/live?site=…`: an open widget's socket for staff
/// presence, from an origin the site allows. No token: availability is
/// public, and the socket only ever receives it.
pub async fn presence(
    request: &Request,
    env: &Env,
    origin: Option<&str>,
) -> Result<Response, ApiError> {
    admit(request, env, false).await?;
    let site = super::http::query(request, "site")
        .ok_or_else(|| ApiError::InvalidRequest("the site query parameter is required".into()))?;
    let site = widget_api::site_for_origin(env, &site, origin).await?;
    let socket = Socket {
        side: VISITOR,
        name: "",
        tags: &[VISITOR.to_owned()],
        until: 0,
        protocol: live::answers_protocol(header(request, "sec-websocket-protocol").as_deref()),
    };
    open(env, Room::Presence(&site.id), socket).await
}

/// Staff presence changed: every open widget of the site gets the new
/// availability (the same answer as `GET /v1/availability`), computed once.
pub async fn presence_changed(env: &Env, site: &str) {
    if env.live.is_none() {
        return;
    }
    let Ok(site) = super::sites::load_site(env, site).await else {
        return;
    };
    let id = site.id.clone();
    let Ok(availability) = widget_api::availability_of(env, site).await else {
        return;
    };
    let frames = frame(
        vec![VISITOR.to_owned()],
        &VisitorPush::Presence { availability },
    )
    .into_iter()
    .collect();
    push(env, vec![(Room::Presence(&id), frames)]).await;
}

/// Staff sockets: from the console's own origin, with a staff token.
async fn staff_socket(request: &Request, env: &Env) -> Result<staff::StaffRow, ApiError> {
    let own = web_sys::Url::new(&request.url())
        .map(|url| url.origin())
        .unwrap_or_default();
    live::staff_origin_allowed(header(request, "origin").as_deref(), &own)?;
    admit(request, env, true).await?;
    staff::authorize(request, env).await
}

/// `GET /v1/staff/live`: a console's socket for its teams' inbox changes.
pub async fn staff_inbox(request: &Request, env: &Env) -> Result<Response, ApiError> {
    let staff = staff_socket(request, env).await?;
    let socket = Socket {
        side: STAFF,
        name: "",
        tags: &live::staff_tags(&staff.id, staff.is_admin(), &staff.team_ids()),
        until: now_ms() + env.staff_socket_authorized_ms,
        protocol: true,
    };
    open(env, Room::Inbox(&staff.site_id), socket).await
}

/// `GET /v1/staff/conversations/{id}/live`: a console's socket for one
/// conversation of the staff member's teams.
pub async fn staff_conversation(
    request: &Request,
    env: &Env,
    id: &str,
) -> Result<Response, ApiError> {
    let staff = staff_socket(request, env).await?;
    staff::conversation_for(env, &staff, id).await?;
    let name = super::threads::first_name(&staff.name).to_owned();
    let now = now_ms();
    // Where this account listens, so a change to it can reach the room.
    db::batch(
        &env.db,
        vec![
            env.db.statement(
                "DELETE FROM live_staff_rooms WHERE staff_id = ?1 AND opened_at < ?2",
                args![&staff.id, now - env.staff_socket_authorized_ms],
            ),
            env.db.statement(
                "INSERT INTO live_staff_rooms (staff_id, conversation_id, opened_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (staff_id, conversation_id) DO UPDATE SET opened_at = excluded.opened_at",
                args![&staff.id, id, now],
            ),
        ],
    )
    .await?;
    let socket = Socket {
        side: STAFF,
        name: &name,
        tags: &live::staff_tags(&staff.id, staff.is_admin(), &staff.team_ids()),
        until: now + env.staff_socket_authorized_ms,
        protocol: true,
    };
    open(env, Room::Conversation(id), socket).await
}

/// A staff account was changed, revoked or given a new token: its sockets
/// in the site's inbox room and in every conversation room it opened one in
/// lately (`live_staff_rooms`) get nothing more from now and may not type;
/// the console reopens them with the access the account has now, or cannot.
pub async fn staff_access_changed(env: &Env, site: &str, staff: &str) {
    if env.live.is_none() {
        return;
    }
    #[derive(Deserialize)]
    struct Opened {
        conversation_id: String,
    }
    let opened: Vec<Opened> = db::rows(
        &env.db,
        "SELECT conversation_id FROM live_staff_rooms WHERE staff_id = ?1 AND opened_at >= ?2",
        args![staff, now_ms() - env.staff_socket_authorized_ms],
    )
    .await
    .unwrap_or_default();
    let rooms: Vec<Room<'_>> = std::iter::once(Room::Inbox(site))
        .chain(
            opened
                .iter()
                .map(|o| Room::Conversation(&o.conversation_id)),
        )
        .collect();
    reauthorize(env, &rooms, &[&live::staff_member_tag(staff)]).await;
}

/// A conversation moved from `left_team`: its room's sockets of that team's
/// staff get nothing more and may not type (they reopen, and only those
/// still in its team get in), where otherwise they would hear the visitor
/// type, and show as typing to them, until their authorization ran out.
pub async fn conversation_moved(env: &Env, conversation: &str, left_team: &str) {
    if env.live.is_some() {
        let tag = live::team_tag(left_team);
        reauthorize(env, &[Room::Conversation(conversation)], &[&tag]).await;
    }
}

/// Conversations erased (by their visitor, or an operator's erasure): every
/// socket in their rooms, the visitor's and staff's, gets nothing more and
/// reopens, which is refused, so the console and the widget say at once that
/// the conversation is gone rather than at their next fetch.
pub async fn conversations_deleted(env: &Env, conversations: &[String]) {
    if env.live.is_some() && !conversations.is_empty() {
        let rooms: Vec<Room<'_>> = conversations
            .iter()
            .map(|id| Room::Conversation(id))
            .collect();
        reauthorize(env, &rooms, &[VISITOR, STAFF]).await;
    }
}

/// Tells `rooms` that their sockets tagged with any of `tags` get nothing
/// more (`REAUTHORIZE_FRAME`, worker/index.js).
async fn reauthorize(env: &Env, rooms: &[Room<'_>], tags: &[&str]) {
    let build = || -> Result<Request, JsValue> {
        let body = serde_json::json!({ "tags": tags }).to_string();
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body(&JsValue::from_str(&body));
        Request::new_with_str_and_init("https://live.invalid/reauthorize", &init)
    };
    let sent = js_sys::Array::new();
    let mut told = Ok(());
    for room in rooms {
        match build().and_then(|request| send(env, *room, &request)) {
            Ok(promise) => {
                sent.push(&promise);
            }
            Err(error) => told = Err(error),
        }
    }
    if let Err(error) = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::all(&sent)).await {
        told = Err(error);
    }
    if let Err(error) = told {
        super::runtime::log("live: reauthorizing sockets failed", &error);
    }
}

/// Posts frames to rooms, all at once. Never fails the caller: a lost
/// push is caught up from D1 by the clients.
async fn push(env: &Env, posts: Vec<(Room<'_>, Vec<Frame>)>) {
    if env.live.is_none() {
        return;
    }
    let sent = js_sys::Array::new();
    for (room, frames) in posts.into_iter().filter(|(_, f)| !f.is_empty()) {
        let build = || -> Result<Request, JsValue> {
            let body = serde_json::to_string(&Fanout { frames })
                .map_err(|_| JsValue::from_str("live: frames not serializable"))?;
            let init = RequestInit::new();
            init.set_method("POST");
            init.set_body(&JsValue::from_str(&body));
            Request::new_with_str_and_init("https://live.invalid/notify", &init)
        };
        match build().and_then(|request| send(env, room, &request)) {
            Ok(promise) => {
                sent.push(&promise);
            }
            Err(error) => super::runtime::log("live: push failed", &error),
        }
    }
    if sent.length() > 0 {
        if let Err(error) = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::all(&sent)).await
        {
            super::runtime::log("live: push failed", &error);
        }
    }
}

fn frame<T: serde::Serialize>(tags: Vec<String>, push: &T) -> Option<Frame> {
    serde_json::to_string(push)
        .ok()
        .map(|data| Frame { tags, data })
}

fn inbox_frame(conversation: &str, team: &str, status: Status) -> Option<Frame> {
    frame(
        live::inbox_audience(team),
        &StaffPush::inbox(conversation, team, status),
    )
}

/// The visitor has read staff replies further: staff with the conversation
/// open see it at once (the console's "Seen"). Nothing goes to the inbox.
pub async fn read_receipt(env: &Env, conversation: &ConversationRow) {
    let frames = frame(
        live::inbox_audience(&conversation.team_id),
        &StaffPush::conversation(conversation.clone()),
    )
    .into_iter()
    .collect();
    push(env, vec![(Room::Conversation(&conversation.id), frames)]).await;
}

/// The conversation a pushed change belongs to.
pub struct Thread<'a> {
    pub id: &'a str,
    pub site: &'a str,
    pub team: &'a str,
    pub status: Status,
}

impl<'a> From<&'a ConversationRow> for Thread<'a> {
    fn from(row: &'a ConversationRow) -> Self {
        Thread {
            id: &row.id,
            site: &row.site_id,
            team: &row.team_id,
            status: row.status,
        }
    }
}

/// After a write, in one round of pushes: a stored `message` goes to each
/// side of the conversation in its own view, with the id before it; a
/// `changed` conversation (claimed, assigned, moved from the team named,
/// closed, reopened) goes whole to staff with it open and as its status to
/// the visitor; the team's inbox (and the one it left) hears of either.
pub async fn notify(
    env: &Env,
    thread: Thread<'_>,
    message: Option<&MessageRow>,
    changed: Option<(&ConversationRow, &str)>,
) {
    if env.live.is_none() {
        return;
    }
    let mut room = Vec::new();
    if let Some(message) = message {
        #[derive(Deserialize)]
        struct Before {
            id: i64,
        }
        // Without the predecessor, clients could not tell a gap: no push.
        let Ok(before) = db::row::<Before>(
            &env.db,
            "SELECT COALESCE(MAX(id), 0) AS id FROM messages WHERE conversation_id = ?1 AND id < ?2",
            args![thread.id, message.id],
        )
        .await
        else {
            return;
        };
        let after = before.map_or(0, |b| b.id);
        room.extend(frame(
            vec![VISITOR.to_owned()],
            &VisitorPush::Message {
                message: message.for_visitor(),
                after,
            },
        ));
        room.extend(frame(
            live::inbox_audience(thread.team),
            &StaffPush::message(thread.id, message.for_staff(), after),
        ));
    }
    let mut inbox: Vec<Frame> = inbox_frame(thread.id, thread.team, thread.status)
        .into_iter()
        .collect();
    if let Some((conversation, left_team)) = changed {
        room.extend(frame(
            live::inbox_audience(thread.team),
            &StaffPush::conversation(conversation.clone()),
        ));
        room.extend(frame(
            vec![VISITOR.to_owned()],
            &VisitorPush::Status {
                status: conversation.status,
            },
        ));
        if !left_team.is_empty() && left_team != thread.team {
            inbox.extend(inbox_frame(thread.id, left_team, thread.status));
        }
    }
    push(
        env,
        vec![
            (Room::Conversation(thread.id), room),
            (Room::Inbox(thread.site), inbox),
        ],
    )
    .await;
}
