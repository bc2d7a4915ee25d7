//! The edge worker. It parses the request, asks `domain` what to do, carries
//! that out against D1 or the static assets, and answers JSON. Internal
//! failures are logged for the operator (`runtime::internal`) and answered
//! with a generic error; details never reach the client.

/// The operator's API: sites, teams, staff accounts, intake keys, erasure.
pub mod admin;
/// Static files: cross-origin embeddables, the console, the demo pages.
pub mod assets;
/// The Chatwoot bridge: conversations into a Chatwoot inbox, agents' replies back.
pub mod chatwoot;
/// D1: the binding, bound arguments (`args!`) and typed queries.
pub mod db;
/// Destinations: the operator API, recording outbound events, queued delivery.
pub mod destinations;
/// Bulk export: NDJSON gzip pages over a cursor, and daily objects in R2.
pub mod export;
/// `GET /v1/health`: the worker answers and D1 is reachable.
pub mod health;
/// Reading requests (headers, credentials, bodies within limits) and JSON/CORS responses.
pub mod http;
/// Event ingestion and the script tag's site check.
pub mod ingest;
/// The insights page's figures: topics and tone over time, what preceded complaints.
pub mod insights;
/// Messages from e-mail, social media and phone notes, into the same inbox.
pub mod intake;
/// Per-minute rate limits kept in D1.
pub mod limits;
/// Live push: WebSockets held by Durable Objects, and the frames sent after writes.
pub mod live;
/// The runtime's clock, random bytes and the operator's log.
pub mod runtime;
/// Saved replies: listed to staff, kept and deleted by a site's admins.
pub mod saved_replies;
/// Cron jobs: escalation, unseen replies, webhook delivery, retention.
pub mod scheduled;
/// Site models: examples, training and serving (MODEL.md, "Site models").
pub mod site_model;
/// Sites and teams as stored: the rows every side reads.
pub mod sites;
/// The staff side: inbox, thread, reply, assign, close, labels, presence.
pub mod staff;
/// Conversations and messages in D1, shared by every side.
pub mod threads;
/// The visitor side, called by the widget: availability, conversations, polling, history.
pub mod widget_api;
/// Time zones from the runtime's own database (`Intl`).
pub mod zones;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Request, Response};

use crate::domain::api::ApiError;
use crate::domain::route::{route, Caller, Route};
use assets::Fetcher;
use db::D1Database;

/// Bindings the worker is configured with (see `wrangler.toml`).
pub struct Env {
    db: D1Database,
    assets: Fetcher,
    /// Secret bearer token for operator endpoints (`wrangler secret put ADMIN_TOKEN`).
    admin_token: AdminToken,
    /// Whether the demo company's pages are served (`DEMO_PAGES = "on"`).
    demo_pages: bool,
    /// The live rooms (`LIVE`, Durable Objects), when bound: pushes after
    /// writes and the WebSocket endpoints; without it clients poll.
    live: Option<live::Namespace>,
    /// The delivery queue for destinations (`DELIVERIES`), when bound.
    deliveries: Option<destinations::Queue>,
    /// The R2 bucket R2 destinations write daily exports to (`EXPORTS`), when bound.
    exports: Option<export::Bucket>,
    /// Destinations may be plain-HTTP URLs (`ALLOW_HTTP_DESTINATIONS = "on"`,
    /// for local runs and their tests); otherwise HTTPS only.
    allow_http_destinations: bool,
    /// Seconds before a failed delivery's first retry (`DELIVERY_RETRY_BASE_S`).
    delivery_retry_base_s: u32,
    /// How long a destination may take to answer (`DELIVERY_TIMEOUT_MS`).
    delivery_timeout_ms: u32,
    /// How long a staff socket stays authorized (`LIVE_STAFF_AUTHORIZED_S`;
    /// `domain::live::STAFF_SOCKET_AUTHORIZED_MS` unless set, as for tests).
    staff_socket_authorized_ms: i64,
}

/// The operator secret as configured.
pub enum AdminToken {
    /// Not set: only site admins' staff tokens reach the operator API.
    Unset,
    /// Set but shorter than `MIN_ADMIN_TOKEN_CHARS`: a misconfiguration that
    /// every operator call reports (503) rather than a silent 401.
    TooShort,
    Set(String),
}

/// The shortest operator secret the worker accepts.
pub const MIN_ADMIN_TOKEN_CHARS: usize = 16;

thread_local! {
    /// Whether this isolate has already logged the short `ADMIN_TOKEN`.
    static SHORT_ADMIN_TOKEN_LOGGED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

impl AdminToken {
    fn from_secret(secret: Option<String>) -> Self {
        match secret {
            None => AdminToken::Unset,
            Some(token) if token.is_empty() => AdminToken::Unset,
            Some(token) if token.chars().count() < MIN_ADMIN_TOKEN_CHARS => {
                if !SHORT_ADMIN_TOKEN_LOGGED.with(|logged| logged.replace(true)) {
                    runtime::log(
                        "ADMIN_TOKEN is shorter than 16 characters; the operator API refuses every call until it is replaced (wrangler secret put ADMIN_TOKEN)",
                        &JsValue::from_f64(token.chars().count() as f64),
                    );
                }
                AdminToken::TooShort
            }
            Some(token) => AdminToken::Set(token),
        }
    }
}

impl Env {
    fn from_js(env: &JsValue) -> Result<Self, ApiError> {
        let binding = |name: &str| {
            js_sys::Reflect::get(env, &JsValue::from_str(name))
                .ok()
                .filter(|value| value.is_object())
                .ok_or_else(|| runtime::internal(&JsValue::from_str(name), "missing binding"))
        };
        let var = |name: &str| {
            js_sys::Reflect::get(env, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_string())
        };
        Ok(Env {
            db: binding("DB")?.unchecked_into(),
            assets: binding("ASSETS")?.unchecked_into(),
            admin_token: AdminToken::from_secret(
                js_sys::Reflect::get(env, &JsValue::from_str("ADMIN_TOKEN"))
                    .ok()
                    .and_then(|v| v.as_string()),
            ),
            demo_pages: var("DEMO_PAGES").is_some_and(|v| v == "on"),
            live: js_sys::Reflect::get(env, &JsValue::from_str("LIVE"))
                .ok()
                .filter(|value| value.is_object())
                .map(JsCast::unchecked_into),
            deliveries: js_sys::Reflect::get(env, &JsValue::from_str("DELIVERIES"))
                .ok()
                .filter(|value| value.is_object())
                .map(JsCast::unchecked_into),
            exports: js_sys::Reflect::get(env, &JsValue::from_str("EXPORTS"))
                .ok()
                .filter(|value| value.is_object())
                .map(JsCast::unchecked_into),
            allow_http_destinations: var("ALLOW_HTTP_DESTINATIONS").is_some_and(|v| v == "on"),
            delivery_retry_base_s: var("DELIVERY_RETRY_BASE_S")
                .and_then(|v| v.parse().ok())
                .unwrap_or(crate::domain::destination::DEFAULT_RETRY_BASE_S),
            delivery_timeout_ms: var("DELIVERY_TIMEOUT_MS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(10_000),
            staff_socket_authorized_ms: var("LIVE_STAFF_AUTHORIZED_S")
                .and_then(|v| v.parse::<i64>().ok())
                .map_or(crate::domain::live::STAFF_SOCKET_AUTHORIZED_MS, |s| {
                    s * 1000
                }),
        })
    }
}

/// Runs the scheduled jobs at `now_ms`; resolves to their report.
pub async fn scheduled(env: JsValue, now_ms: i64) -> Result<JsValue, JsValue> {
    let env = Env::from_js(&env).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let report = scheduled::run(&env, now_ms)
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    serde_wasm_bindgen::to_value(&report).map_err(JsValue::from)
}

thread_local! {
    /// The bindings as last read, with the object they were read from: the
    /// runtime hands an isolate the same `env` on every request, so most
    /// requests skip reading a dozen properties across the JS boundary.
    static ENV: std::cell::RefCell<Option<(JsValue, std::rc::Rc<Env>)>> =
        const { std::cell::RefCell::new(None) };
}

/// `Env::from_js`, read again only when the runtime hands another `env`.
fn cached_env(env: &JsValue) -> Result<std::rc::Rc<Env>, ApiError> {
    let cached = ENV.with(|cell| {
        cell.borrow()
            .as_ref()
            .filter(|(object, _)| object == env)
            .map(|(_, read)| read.clone())
    });
    if let Some(read) = cached {
        return Ok(read);
    }
    let read = std::rc::Rc::new(Env::from_js(env)?);
    ENV.with(|cell| *cell.borrow_mut() = Some((env.clone(), read.clone())));
    Ok(read)
}

/// Handles one request. Never fails: every error becomes a JSON response.
pub async fn handle(request: Request, env: JsValue) -> Result<Response, JsValue> {
    let origin = request.headers().get("origin").ok().flatten();
    let outcome = match cached_env(&env) {
        Ok(env) => dispatch(&request, &env).await,
        Err(error) => Err(error),
    };
    let response = match outcome {
        Ok(response) => Ok(response),
        Err(error) => http::error_response(&error, origin.as_deref()),
    };
    http::drain_unread_body(&request).await;
    if request.method() == "HEAD" {
        return http::without_body(response?).await;
    }
    response
}

async fn dispatch(request: &Request, env: &Env) -> Result<Response, ApiError> {
    let path = http::path_of_request(request)?;
    let origin = request.headers().get("origin").ok().flatten();
    let origin = origin.as_deref();
    let route = route(&request.method(), &path);
    if !matches!(
        route,
        Route::StaticAsset | Route::Preflight | Route::NotFound | Route::MethodNotAllowed { .. }
    ) {
        // Ids and query values that are not UTF-8 once decoded are refused
        // as a body's bytes are.
        let checked = crate::domain::api::check_path(&path)
            .and_then(|()| http::check_query(request, route.parameters()));
        if let Err(refused) = checked {
            // The wrong caller hears 401 or 403 whatever its path or query
            // says: a bad one is news only for a caller who may call.
            authorize_caller(request, env, &route, origin).await?;
            return Err(refused);
        }
    }
    match route {
        Route::StaticAsset => assets::serve(request, env, &path).await,
        Route::Health => health::health(env, origin).await,
        Route::IngestEvents => ingest::ingest_events(request, env, origin).await,
        Route::SiteCheck(site) => ingest::site_check(env, &site, origin).await,
        Route::SiteModel(site) => site_model::serve(request, env, &site).await,
        Route::AdminModel(site) => site_model::status(request, env, &site).await,
        Route::AdminModelExamples(site) => site_model::add_examples(request, env, &site).await,
        Route::AdminDeleteModelExamples(site) => {
            site_model::delete_examples(request, env, &site).await
        }
        Route::AdminTrainModel(site) => site_model::train_now(request, env, &site).await,
        Route::Journey => admin::journey(request, env).await,
        Route::OpenApi => assets::openapi(request, env).await,
        Route::Availability => widget_api::availability(request, env, origin).await,
        Route::StartConversation => widget_api::start(request, env, origin).await,
        Route::VisitorMessages(id) => widget_api::messages(request, env, origin, &id).await,
        Route::VisitorSend(id) => widget_api::send(request, env, origin, &id).await,
        Route::VisitorRead(id) => widget_api::read(request, env, origin, &id).await,
        Route::VisitorDelete(id) => widget_api::delete(request, env, origin, &id).await,
        Route::VisitorHistory => widget_api::history(request, env, origin).await,
        Route::VisitorLive(id) => live::visitor(request, env, origin, &id).await,
        Route::AvailabilityLive => live::presence(request, env, origin).await,
        Route::StaffInboxLive => live::staff_inbox(request, env).await,
        Route::StaffConversationLive(id) => live::staff_conversation(request, env, &id).await,
        Route::StaffMe => staff::me(request, env).await,
        Route::StaffPresence => staff::presence(request, env).await,
        Route::StaffInbox => staff::inbox(request, env).await,
        Route::StaffConversation(id) => staff::conversation(request, env, &id).await,
        Route::StaffReply(id) => staff::reply(request, env, &id).await,
        Route::StaffAssign(id) => staff::assign(request, env, &id).await,
        Route::StaffClose(id) => staff::set_closed(request, env, &id, true).await,
        Route::StaffReopen(id) => staff::set_closed(request, env, &id, false).await,
        Route::StaffRead(id) => staff::read(request, env, &id).await,
        Route::StaffCorrectLabels(id) => staff::correct_labels(request, env, &id).await,
        Route::StaffCorrections => staff::corrections(request, env).await,
        Route::StaffInsights => insights::insights(request, env).await,
        Route::StaffInsightsConversations => insights::behind(request, env).await,
        Route::StaffColleagues => staff::colleagues(request, env).await,
        Route::StaffSavedReplies => saved_replies::for_staff(request, env).await,
        Route::AdminSavedReplies(site) => saved_replies::list(request, env, &site).await,
        Route::AdminPutSavedReply(site, key) => saved_replies::put(request, env, &site, &key).await,
        Route::AdminDeleteSavedReply(site, key) => {
            saved_replies::delete(request, env, &site, &key).await
        }
        Route::AdminSite(site) => admin::put_site(request, env, &site).await,
        Route::AdminGetSite(site) => admin::get_site(request, env, &site).await,
        Route::AdminTeam(site, team) => admin::put_team(request, env, &site, &team).await,
        Route::AdminCreateStaff(site) => admin::create_staff(request, env, &site).await,
        Route::AdminListStaff(site) => admin::list_staff(request, env, &site).await,
        Route::AdminUpdateStaff(site, id) => admin::update_staff(request, env, &site, &id).await,
        Route::AdminRevokeStaff(site, id) => admin::revoke_staff(request, env, &site, &id).await,
        Route::AdminStaffToken(site, id) => admin::new_staff_token(request, env, &site, &id).await,
        Route::AdminIntakeKey(site) => admin::intake_key(request, env, &site).await,
        Route::AdminDeliveries(site) => admin::deliveries(request, env, &site).await,
        Route::AdminExportVisitor(site, v) => admin::export_visitor(request, env, &site, &v).await,
        Route::AdminEraseVisitor(site, v) => admin::erase_visitor(request, env, &site, &v).await,
        Route::AdminDestinations(site) => destinations::list(request, env, &site).await,
        Route::AdminExport(site, stream) => export::export(request, env, &site, &stream).await,
        Route::AdminCreateDestination(site) => destinations::create(request, env, &site).await,
        Route::AdminUpdateDestination(site, d) => {
            destinations::update(request, env, &site, &d).await
        }
        Route::AdminDeleteDestination(site, d) => {
            destinations::delete(request, env, &site, &d).await
        }
        Route::AdminDestinationDeliveries(site, d) => {
            destinations::deliveries(request, env, &site, &d).await
        }
        Route::AdminReplayDelivery(site, d, x) => {
            destinations::replay(request, env, &site, &d, &x).await
        }
        Route::ChatwootInbound(d, token) => chatwoot::inbound(request, env, &d, &token).await,
        Route::Intake => intake::intake(request, env).await,
        Route::Preflight => http::preflight_response(origin),
        Route::MethodNotAllowed { allow } => Err(ApiError::MethodNotAllowed {
            method: request.method(),
            allow,
        }),
        Route::NotFound => Err(ApiError::NotFound),
    }
}

/// The caller `route`'s handler would check first (`Route::caller`),
/// checked alone: for a request refused before its handler runs (an unknown
/// query parameter), so the check is not made twice.
async fn authorize_caller(
    request: &Request,
    env: &Env,
    route: &Route,
    origin: Option<&str>,
) -> Result<(), ApiError> {
    match route.caller() {
        Caller::Anyone => Ok(()),
        Caller::Operator => admin::authorize(request, env).await,
        Caller::Staff => staff::authorize(request, env).await.map(drop),
        Caller::Visitor(id) => widget_api::authorize(request, env, origin, id)
            .await
            .map(drop),
        Caller::SiteAdmin(site) => admin::authorize_for(request, env, Some(site)).await,
    }
}
