//! The operator's API, behind the admin secret (`ADMIN_TOKEN`): sites, teams
//! with office hours and webhooks, staff accounts (a token is shown once),
//! intake keys, the webhook delivery log, and one visitor's data exported or
//! erased.

use serde::Deserialize;
use web_sys::{Request, Response};

use super::http::{bearer, client_ip, private_json as json, query, read_json};
use super::runtime::{now_ms, random16};
use super::sites::{load_site, load_teams, Site};
use super::threads::erase_conversations;
use super::{db, http, limits, AdminToken, Env};
use crate::args;
use crate::domain::api::ApiError;
use crate::domain::conversation::{check_short, phone_key, phone_key_sql, secret};
use crate::domain::export;
use crate::domain::guard;
use crate::domain::site::SiteUpdate;
use crate::domain::staff_account::{self, Actor, NewStaff, StaffUpdate};
use crate::domain::team::{no_such_team, TeamUpdate};

/// Checks the bearer admin secret in constant time; failures are limited per
/// IP (a right secret is always let in).
pub async fn authorize(request: &Request, env: &Env) -> Result<(), ApiError> {
    authorize_for(request, env, None).await
}

/// The operator secret, or, for `site`, the token of a staff member who is an
/// admin of that site (other staff: 403). A configured `ADMIN_TOKEN` that is
/// too short answers 503 `misconfigured` to every operator-secret call.
pub async fn authorize_for(
    request: &Request,
    env: &Env,
    site: Option<&str>,
) -> Result<(), ApiError> {
    let presented = bearer(request).unwrap_or_default();
    // A staff token is checked as one (a wrong one counts as a failed
    // sign-in); a valid one that may not call this is 403, not 401: it is
    // no guess, so it must not use up its owner's sign-in attempts.
    if presented.starts_with("tps_") {
        let staff = super::staff::authorize(request, env).await?;
        return if site.is_some_and(|site| staff.is_admin() && staff.site_id == site) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        };
    }
    let authorized = match &env.admin_token {
        AdminToken::TooShort => {
            return Err(ApiError::Misconfigured(
                "ADMIN_TOKEN is shorter than 16 characters; set a longer secret (wrangler secret put ADMIN_TOKEN)",
            ))
        }
        AdminToken::Unset => false,
        AdminToken::Set(token) => guard::constant_time_eq(token.as_bytes(), presented.as_bytes()),
    };
    if authorized {
        return Ok(());
    }
    // No credential at all guesses nothing: 401, not counted as a failure.
    if presented.is_empty() {
        return Err(ApiError::Unauthorized);
    }
    // One secret, no id: failures are counted per IP only.
    Err(limits::sign_in_failed(&env.db, &client_ip(request), "", now_ms()).await)
}

/// The site an operator call names, once the caller may manage it. An
/// unknown site is 404, not an empty answer that hides a typo.
pub async fn managed_site(request: &Request, env: &Env, site: &str) -> Result<Site, ApiError> {
    authorize_for(request, env, Some(site)).await?;
    load_site(env, site).await
}

/// `PUT /v1/admin/sites/{site}`: creates or updates a site; fields left out
/// keep their stored values (`SiteUpdate::apply` decides).
pub async fn put_site(request: &Request, env: &Env, site: &str) -> Result<Response, ApiError> {
    authorize_for(request, env, Some(site)).await?;
    check_short("site", site, true)?;
    let mut body: SiteUpdate = read_json(request).await?;
    // An internationalised domain (`https://bücher.example`) is kept as
    // browsers send it in `Origin`: in its ASCII (punycode) form, by the
    // runtime's own URL parser, given only a scheme and host (the parser
    // would drop a path, which is refused). What it cannot read is left to
    // be refused.
    for origin in body.allowed_origins.iter_mut().flatten() {
        let authority = origin
            .split_once("://")
            .map(|(_, rest)| rest.trim_end_matches('/'));
        if !origin.is_ascii()
            && authority.is_some_and(|a| !a.contains(['/', '?', '#', '@', ' ', '\\']))
        {
            if let Ok(url) = web_sys::Url::new(origin) {
                *origin = url.origin();
            }
        }
    }
    // Only a site that is not there is created; a failed read must not turn
    // an update into a reset to the defaults.
    let existing = match load_site(env, site).await {
        Ok(stored) => Some(stored),
        Err(ApiError::UnknownSite) => None,
        Err(error) => return Err(error),
    };
    let teams: Vec<String> = match existing {
        Some(_) => load_teams(env, site)
            .await?
            .into_iter()
            .map(|t| t.id)
            .collect(),
        None => Vec::new(),
    };
    let unknown_team = body.unknown_team(&teams).map(str::to_owned);
    let new_zone = body.time_zone.is_some();
    let updated = body.apply(site, existing.as_ref())?;
    // A listed name this runtime's tz database lacks would read as closed
    // hours and UTC days: refused here, where the operator sees why.
    if new_zone {
        use crate::domain::zone::TimeZones;
        if super::zones::Intl.zone(&updated.time_zone).is_none() {
            return Err(ApiError::InvalidRequest(
                "this time zone is not in the runtime's time zone database".into(),
            ));
        }
    }
    // Refused once every field is valid: a bad field is 422 whatever team it names.
    if let Some(unknown) = unknown_team {
        return Err(no_such_team(&unknown));
    }
    db::run(
        &env.db,
        "INSERT INTO sites (id, name, allowed_origins, created_at, page_rules, identity_secret, time_zone, \
         retention_days, default_team, routing_rules, console_url, record_automation, bot_patterns, allowed_agents, \
         search_terms, journey_days) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, allowed_origins = excluded.allowed_origins, \
         page_rules = excluded.page_rules, identity_secret = excluded.identity_secret, time_zone = excluded.time_zone, \
         retention_days = excluded.retention_days, default_team = excluded.default_team, \
         routing_rules = excluded.routing_rules, console_url = excluded.console_url, \
         record_automation = excluded.record_automation, bot_patterns = excluded.bot_patterns, \
         allowed_agents = excluded.allowed_agents, search_terms = excluded.search_terms, \
         journey_days = excluded.journey_days",
        args![site, &updated.name, &updated.allowed_origins, now_ms(), &updated.page_rules, &updated.identity_secret,
            &updated.time_zone, updated.retention_days, &updated.default_team, &updated.routing_rules,
            &updated.console_url, updated.record_automation, &updated.bot_patterns, &updated.allowed_agents,
            updated.search_terms, updated.journey_days],
    )
    .await?;
    // Ingestion in this isolate sees the change at once (others within 30 s).
    super::sites::forget_site(site);
    json(
        if existing.is_some() { 200 } else { 201 },
        &serde_json::json!({ "site": settings(&updated) }),
    )
}

/// A site's settings as the operator API and the console's Settings show
/// them: lists as JSON, secrets only as whether they are set.
fn settings(site: &Site) -> serde_json::Value {
    let list = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap_or_default();
    let bots = site.bots();
    serde_json::json!({ "id": site.id, "name": site.name, "allowed_origins": list(&site.allowed_origins),
        "time_zone": site.time_zone, "retention_days": site.retention_days, "journey_days": site.journey_days, "default_team": site.default_team,
        "routing_rules": list(&site.routing_rules), "identity": !site.identity_secret.is_empty(),
        "console_url": site.console_url, "record_automation": bots.record_automation,
        "bot_patterns": bots.bot_patterns, "allowed_agents": bots.allowed_agents,
        "search_terms": site.search_terms != 0 })
}

/// `PUT /v1/admin/sites/{site}/teams/{team}`: a team, its office hours (in the
/// site's time zone), its waiting target and its webhook.
pub async fn put_team(
    request: &Request,
    env: &Env,
    site: &str,
    team: &str,
) -> Result<Response, ApiError> {
    authorize_for(request, env, Some(site)).await?;
    check_short("team", team, true)?;
    let site = load_site(env, site).await?;
    let body: TeamUpdate = read_json(request).await?;
    let stored = load_teams(env, &site.id)
        .await?
        .into_iter()
        .find(|t| t.id == team);
    // Like a site's PUT, a team's keeps what the request leaves out, and
    // answers 201 when it creates.
    let status = if stored.is_some() { 200 } else { 201 };
    let updated = body.apply(team, stored, &site.time_zone, env.allow_http_destinations)?;
    db::run(
        &env.db,
        "INSERT INTO teams (site_id, id, name, hours, target_minutes, visible, webhook_url, webhook_secret, webhook_format) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (site_id, id) DO UPDATE SET name = excluded.name, \
         hours = excluded.hours, target_minutes = excluded.target_minutes, visible = excluded.visible, \
         webhook_url = excluded.webhook_url, webhook_secret = excluded.webhook_secret, webhook_format = excluded.webhook_format",
        args![&site.id, team, &updated.name, &updated.hours, updated.target_minutes, updated.visible,
            &updated.webhook_url, &updated.webhook_secret, &updated.webhook_format],
    )
    .await?;
    json(
        status,
        &serde_json::json!({ "team": { "id": team, "name": updated.name, "hours": updated.stored_hours(),
        "target_minutes": updated.target_minutes, "visible": updated.visible != 0,
        "webhook": !updated.webhook_url.is_empty() } }),
    )
}

/// A new staff token, `tps_<id>.<secret>`: the id lets sign-in find the
/// account, the secret is what its hash is checked against.
fn staff_token(id: &str) -> Result<String, ApiError> {
    let mut token = String::from("tps_");
    token.push_str(id);
    token.push('.');
    token.push_str(&crate::domain::ids::event_id(random16()?));
    Ok(token)
}

/// The site's team ids, which staff may be put in.
async fn team_ids(env: &Env, site: &str) -> Result<Vec<String>, ApiError> {
    Ok(load_teams(env, site)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect())
}

/// `POST /v1/admin/sites/{site}/staff`: a staff account. Its token is in
/// this answer only; the database keeps a hash.
pub async fn create_staff(request: &Request, env: &Env, site: &str) -> Result<Response, ApiError> {
    let site = managed_site(request, env, site).await?;
    let body: NewStaff = read_json(request).await?;
    let role = body.check(&team_ids(env, &site.id).await?)?.to_owned();
    let id = crate::domain::ids::event_id(random16()?)[..16].to_owned();
    let token = staff_token(&id)?;
    let teams = serde_json::to_string(&body.teams).map_err(|_| ApiError::Internal)?;
    db::run(
        &env.db,
        "INSERT INTO staff (id, site_id, name, role, teams, token_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        args![&id, &site.id, &body.name, &role, &teams, &secret::hash(&token), now_ms()],
    )
    .await?;
    json(
        201,
        &serde_json::json!({ "staff": { "id": id, "site": site.id, "name": body.name, "role": role, "teams": body.teams }, "token": token }),
    )
}

/// A staff account as the operator and admins see it (never its token hash).
#[derive(Deserialize)]
struct Account {
    id: String,
    name: String,
    role: String,
    teams: String,
    presence: String,
    last_seen_at: i64,
    created_at: i64,
    revoked_at: i64,
}

const ACCOUNT_COLUMNS: &str =
    "SELECT id, name, role, teams, presence, last_seen_at, created_at, revoked_at FROM staff WHERE site_id = ?1";

impl Account {
    fn to_json(&self) -> serde_json::Value {
        let teams: Vec<String> = serde_json::from_str(&self.teams).unwrap_or_default();
        serde_json::json!({ "id": self.id, "name": self.name, "role": self.role, "teams": teams,
            "presence": self.presence, "last_seen_at": self.last_seen_at, "created_at": self.created_at,
            "revoked": self.revoked_at != 0, "revoked_at": (self.revoked_at != 0).then_some(self.revoked_at) })
    }
}

/// The account `id` of `site`, or 404 (another site's account does not exist here).
async fn account(env: &Env, site: &str, id: &str) -> Result<Account, ApiError> {
    let mut sql = String::from(ACCOUNT_COLUMNS);
    sql.push_str(" AND id = ?2");
    db::row(&env.db, &sql, args![site, id])
        .await?
        .ok_or(ApiError::NotFound)
}

/// Who is asking, for the rules on one's own account: a site admin's token
/// names them; anything else that got past `managed_site` is the operator.
fn actor_id(request: &Request) -> Option<String> {
    let presented = bearer(request)?;
    staff_account::token_staff_id(&presented).map(str::to_owned)
}

fn actor(id: &Option<String>) -> Actor<'_> {
    id.as_deref().map_or(Actor::Operator, Actor::Admin)
}

/// `GET /v1/admin/sites/{site}/staff`: every account, revoked ones too.
pub async fn list_staff(request: &Request, env: &Env, site: &str) -> Result<Response, ApiError> {
    let site = managed_site(request, env, site).await?;
    let mut sql = String::from(ACCOUNT_COLUMNS);
    sql.push_str(" ORDER BY revoked_at != 0, name, id");
    let accounts: Vec<Account> = db::rows(&env.db, &sql, args![&site.id]).await?;
    let staff: Vec<serde_json::Value> = accounts.iter().map(Account::to_json).collect();
    json(200, &serde_json::json!({ "staff": staff }))
}

/// `PATCH /v1/admin/sites/{site}/staff/{id}`: name, role or teams. Open
/// conversations assigned to them in a team they leave go back to the
/// team, and their live sockets are told to reopen, which checks the new
/// teams.
pub async fn update_staff(
    request: &Request,
    env: &Env,
    site: &str,
    id: &str,
) -> Result<Response, ApiError> {
    let site = managed_site(request, env, site).await?;
    let caller = actor_id(request);
    let stored = account(env, &site.id, id).await?;
    let body: StaffUpdate = read_json(request).await?;
    body.check(id, actor(&caller), &team_ids(env, &site.id).await?)?;
    let name = body.name.as_ref().unwrap_or(&stored.name);
    let role = body.role.as_ref().unwrap_or(&stored.role);
    let teams = match &body.teams {
        Some(teams) => serde_json::to_string(teams).map_err(|_| ApiError::Internal)?,
        None => stored.teams.clone(),
    };
    let unassign = "UPDATE conversations SET assignee_id = '' WHERE site_id = ?1 AND assignee_id = ?2 \
         AND status != 'closed' AND ?3 != 'admin' AND team_id NOT IN (SELECT value FROM json_each(?4))";
    db::batch(
        &env.db,
        vec![
            env.db.statement(
                "UPDATE staff SET name = ?3, role = ?4, teams = ?5 WHERE id = ?1 AND site_id = ?2",
                args![id, &site.id, name, role, &teams],
            ),
            env.db
                .statement(unassign, args![&site.id, id, role, &teams]),
        ],
    )
    .await?;
    super::live::staff_access_changed(env, &site.id, id).await;
    json(
        200,
        &serde_json::json!({ "staff": account(env, &site.id, id).await?.to_json() }),
    )
}

/// `DELETE /v1/admin/sites/{site}/staff/{id}`: revokes the account. Its
/// token stops working at once, its open sockets get nothing more, its open
/// conversations go back to their teams and it no longer counts as
/// available; the account stays listed (as revoked) and its messages keep
/// its name. A new token (`…/token`) restores it.
pub async fn revoke_staff(
    request: &Request,
    env: &Env,
    site: &str,
    id: &str,
) -> Result<Response, ApiError> {
    let site = managed_site(request, env, site).await?;
    let caller = actor_id(request);
    staff_account::check_revoke(id, actor(&caller))?;
    account(env, &site.id, id).await?;
    http::read_no_body(request).await?;
    db::batch(
        &env.db,
        vec![
            env.db.statement(
                "UPDATE staff SET token_hash = '', presence = 'away', \
                 revoked_at = CASE WHEN revoked_at = 0 THEN ?3 ELSE revoked_at END WHERE id = ?1 AND site_id = ?2",
                args![id, &site.id, now_ms()],
            ),
            env.db.statement(
                "UPDATE conversations SET assignee_id = '' WHERE site_id = ?1 AND assignee_id = ?2 AND status != 'closed'",
                args![&site.id, id],
            ),
        ],
    )
    .await?;
    super::live::staff_access_changed(env, &site.id, id).await;
    super::live::presence_changed(env, &site.id).await;
    json(
        200,
        &serde_json::json!({ "staff": account(env, &site.id, id).await?.to_json() }),
    )
}

/// `POST /v1/admin/sites/{site}/staff/{id}/token`: a new token for the
/// account, shown once; the old one stops working (a revoked account is
/// restored with it).
pub async fn new_staff_token(
    request: &Request,
    env: &Env,
    site: &str,
    id: &str,
) -> Result<Response, ApiError> {
    let site = managed_site(request, env, site).await?;
    staff_account::check_new_token(id, actor(&actor_id(request)))?;
    account(env, &site.id, id).await?;
    http::read_no_body(request).await?;
    let token = staff_token(id)?;
    db::run(
        &env.db,
        "UPDATE staff SET token_hash = ?3, revoked_at = 0 WHERE id = ?1 AND site_id = ?2",
        args![id, &site.id, &secret::hash(&token)],
    )
    .await?;
    super::live::staff_access_changed(env, &site.id, id).await;
    json(
        201,
        &serde_json::json!({ "staff": account(env, &site.id, id).await?.to_json(), "token": token }),
    )
}

/// `POST /v1/admin/sites/{site}/intake-key`: a new key for `/v1/intake`
/// (replacing the old one), shown once.
pub async fn intake_key(request: &Request, env: &Env, site: &str) -> Result<Response, ApiError> {
    let site = managed_site(request, env, site).await?;
    http::read_no_body(request).await?;
    let key = secret::new("tpi_", random16()?);
    db::run(
        &env.db,
        "UPDATE sites SET intake_key_hash = ?2 WHERE id = ?1",
        args![&site.id, &secret::hash(&key)],
    )
    .await?;
    json(
        201,
        &serde_json::json!({ "site": site.id, "intake_key": key }),
    )
}

/// `GET /v1/admin/sites/{site}/webhook-deliveries`: the latest deliveries.
pub async fn deliveries(request: &Request, env: &Env, site: &str) -> Result<Response, ApiError> {
    managed_site(request, env, site).await?;
    let rows: Vec<serde_json::Value> = db::rows(
        &env.db,
        "SELECT id, team_id, event, conversation_id, url, status, attempts, next_attempt_at, last_status, \
         last_error, created_at, delivered_at FROM webhook_deliveries WHERE site_id = ?1 ORDER BY id DESC LIMIT 200",
        args![site],
    )
    .await?;
    json(200, &serde_json::json!({ "deliveries": rows }))
}

/// A visitor's touchpoints: by the key asked for (?2), or by the ids of the
/// conversations an address or number found (?3, `linked_ids`): their
/// consented visitor ids and verified user ids, and, for a conversation
/// without a visitor id, its cookieless key's touchpoints that carry no
/// visitor id either — the journey the console shows beside it (a key is
/// one day's address and browser, which a consented neighbour shares).
const VISITOR_MATCH: &str = "site_id = ?1 AND ((?2 != '' AND (visitor_key = ?2 OR visitor_id = ?2 \
     OR user_id = ?2)) OR visitor_id IN (SELECT value FROM json_each(?3, '$.ids')) \
     OR user_id IN (SELECT value FROM json_each(?3, '$.ids')) \
     OR (visitor_id = '' AND visitor_key IN (SELECT value FROM json_each(?3, '$.keys'))))";

/// The conversations a request names (`conversation_match`), and for those
/// found by e-mail address or phone number the ids they were written under,
/// as `{"ids": [visitor and user ids], "keys": [cookieless keys]}`: the same
/// person's touchpoints, which nothing else links to the address. Asked
/// before anything is erased, since afterwards nothing would.
async fn linked_ids(env: &Env, site: &str, visitor: &str) -> Result<Linked, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        visitor_key: String,
        visitor_id: String,
        user_id: String,
        by_address: i64,
    }
    let sql = [
        "SELECT id, visitor_key, visitor_id, user_id, coalesce((",
        &address_match(),
        "), 0) AS by_address FROM conversations WHERE ",
        &conversation_match(),
    ]
    .concat();
    let rows: Vec<Row> = db::rows(&env.db, &sql, args![site, visitor, &phone_key(visitor)]).await?;
    let (mut conversations, mut ids, mut keys) = (Vec::new(), Vec::new(), Vec::new());
    for row in rows {
        conversations.push(row.id);
        // Asked by an id, the conversations widen nothing: that id is asked.
        if row.by_address == 0 {
            continue;
        }
        // As the console's journey: the visitor id if consented, else the key.
        if !row.visitor_id.is_empty() {
            ids.push(row.visitor_id);
        } else if !row.visitor_key.is_empty() {
            keys.push(row.visitor_key);
        }
        if !row.user_id.is_empty() {
            ids.push(row.user_id);
        }
    }
    Ok(Linked {
        conversations,
        ids,
        keys,
    })
}

/// What `linked_ids` found.
struct Linked {
    /// The ids of the conversations the request names.
    conversations: Vec<String>,
    /// Consented visitor ids and verified user ids.
    ids: Vec<String>,
    /// Cookieless keys of conversations without a visitor id.
    keys: Vec<String>,
}

impl Linked {
    /// `?3` of `VISITOR_MATCH`.
    fn json(&self) -> String {
        serde_json::json!({ "ids": self.ids, "keys": self.keys }).to_string()
    }

    /// Every id, for the `visitor.erased` destinations hear.
    fn all(&self) -> Vec<String> {
        let mut all = self.ids.clone();
        all.extend(self.keys.iter().cloned());
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// A visitor's conversations: also by the e-mail address or phone number
/// they gave to be answered at, so someone who wrote by e-mail, social media
/// or phone (intake: no visitor id) can be found and erased too. A phone
/// number matches in any spelling: ?3 is `conversation::phone_key` of ?2,
/// compared with the stored numbers' keys (`phone_key_sql`).
fn conversation_match() -> String {
    [
        "site_id = ?1 AND ?2 != '' AND (visitor_key = ?2 OR visitor_id = ?2 OR user_id = ?2 OR ",
        &address_match(),
        ")",
    ]
    .concat()
}

/// Conversations whose reply address or number is ?2 (?3 its phone key).
fn address_match() -> String {
    [
        "lower(reply_email) = lower(?2) OR reply_phone = ?2 \
         OR lower(reply_address) = lower(?2) OR (?3 != '' AND ?3 IN (",
        &phone_key_sql("reply_phone"),
        ", ",
        &phone_key_sql("reply_address"),
        "))",
    ]
    .concat()
}

/// `GET /v1/admin/sites/{site}/visitors/{visitor}`: everything stored about
/// one visitor (by cookieless key, consented id, verified user id, or, for
/// conversations, the address they gave to be answered at).
pub async fn export_visitor(
    request: &Request,
    env: &Env,
    site: &str,
    visitor: &str,
) -> Result<Response, ApiError> {
    managed_site(request, env, site).await?;
    let after = export::visitor_page_after(query(request, "cursor").as_deref(), site, visitor)
        .map_err(|_| ApiError::InvalidCursor)?;
    let linked = linked_ids(env, site, visitor).await?.json();
    // One more than a page: whether another page follows.
    let mut events_sql = String::from("SELECT * FROM events WHERE ");
    events_sql.push_str(VISITOR_MATCH);
    events_sql.push_str(
        " AND (occurred_at > ?4 OR (occurred_at = ?4 AND id > ?5)) ORDER BY occurred_at, id LIMIT ",
    );
    events_sql.push_str(&(export::VISITOR_PAGE + 1).to_string());
    let (at, id) = after.as_ref().map_or((-1, ""), |c| (c.at, c.id.as_str()));
    let mut events: Vec<serde_json::Value> =
        db::rows(&env.db, &events_sql, args![site, visitor, &linked, at, id]).await?;
    let next = if events.len() > export::VISITOR_PAGE {
        events.truncate(export::VISITOR_PAGE);
        events.last().map(|last| {
            export::visitor_cursor(
                site,
                visitor,
                last["occurred_at"].as_i64().unwrap_or_default(),
                last["id"].as_str().unwrap_or_default(),
            )
        })
    } else {
        None
    };
    // Conversations come whole with the first page.
    let conversations: Vec<super::threads::ConversationRow> = if after.is_some() {
        Vec::new()
    } else {
        let mut conv_sql = String::from("SELECT * FROM conversations WHERE ");
        conv_sql.push_str(&conversation_match());
        let phone = phone_key(visitor);
        db::rows(&env.db, &conv_sql, args![site, visitor, &phone]).await?
    };
    let mut exported = Vec::new();
    for conversation in conversations {
        let messages = super::threads::messages_after(&env.db, &conversation.id, 0).await?;
        exported.push(serde_json::json!({
            "conversation": conversation,
            "messages": messages.iter().map(|m| m.for_staff()).collect::<Vec<_>>(),
        }));
    }
    json(
        200,
        &serde_json::json!({ "site": site, "visitor": visitor, "touchpoints": events, "conversations": exported,
            "next_cursor": next }),
    )
}

/// `DELETE /v1/admin/sites/{site}/visitors/{visitor}`: erases that data.
pub async fn erase_visitor(
    request: &Request,
    env: &Env,
    site: &str,
    visitor: &str,
) -> Result<Response, ApiError> {
    managed_site(request, env, site).await?;
    http::read_no_body(request).await?;
    let found = linked_ids(env, site, visitor).await?;
    let linked = found.json();
    let mut events_sql = String::from("DELETE FROM events WHERE ");
    events_sql.push_str(VISITOR_MATCH);
    // Their touchpoints kept for destinations go too, sent or not (a batch
    // is one browser's, so no one else's go with them).
    let batches = "SELECT id FROM outbound_events o WHERE site_id = ?1 AND type = 'touchpoints' AND EXISTS \
         (SELECT 1 FROM json_each(o.data, '$.touchpoints') t WHERE (?2 != '' AND \
         (json_extract(t.value, '$.visitor_key') = ?2 OR json_extract(t.value, '$.visitor_id') = ?2)) \
         OR json_extract(t.value, '$.visitor_id') IN (SELECT value FROM json_each(?3, '$.ids')) \
         OR (coalesce(json_extract(t.value, '$.visitor_id'), '') = '' \
             AND json_extract(t.value, '$.visitor_key') IN (SELECT value FROM json_each(?3, '$.keys'))))";
    let statements = vec![
        env.db.statement(
            &[
                "DELETE FROM destination_deliveries WHERE event_id IN (",
                batches,
                ")",
            ]
            .concat(),
            args![site, visitor, &linked],
        ),
        env.db.statement(
            &["DELETE FROM outbound_events WHERE id IN (", batches, ")"].concat(),
            args![site, visitor, &linked],
        ),
        env.db.statement(&events_sql, args![site, visitor, &linked]),
    ];
    let events = db::batch(&env.db, statements)
        .await?
        .last()
        .copied()
        .unwrap_or(0);
    let phone = phone_key(visitor);
    let conversations =
        erase_conversations(&env.db, &conversation_match(), &[site, visitor, &phone]).await?;
    let linked_ids = found.all();
    super::live::conversations_deleted(env, &found.conversations).await;
    super::destinations::visitor_erased(
        env,
        site,
        visitor,
        found.conversations,
        linked_ids,
        now_ms(),
    )
    .await;
    json(
        200,
        &serde_json::json!({ "erased": { "touchpoints": events, "conversations": conversations } }),
    )
}

/// `GET /v1/admin/sites/{site}`: the site's settings and teams, for the
/// console's settings page (secrets are never returned, only whether set).
pub async fn get_site(request: &Request, env: &Env, site: &str) -> Result<Response, ApiError> {
    let row = managed_site(request, env, site).await?;
    let teams: Vec<serde_json::Value> = load_teams(env, site)
        .await?
        .into_iter()
        .map(|t| {
            serde_json::json!({ "id": t.id, "name": t.name, "target_minutes": t.target_minutes,
                "visible": t.visible != 0, "webhook": !t.webhook_url.is_empty(),
                "hours": serde_json::from_str::<serde_json::Value>(&t.hours).unwrap_or_default() })
        })
        .collect();
    json(
        200,
        &serde_json::json!({ "site": settings(&row), "teams": teams }),
    )
}

/// `GET /v1/journey?site=…&visitor=…`: one visitor's latest touchpoints in
/// order, by cookieless key or consented visitor id, saying when earlier
/// ones were left out (the visitor export has them all). Operators only.
pub async fn journey(request: &Request, env: &Env) -> Result<Response, ApiError> {
    authorize(request, env).await?;
    let (Some(site), Some(visitor)) = (query(request, "site"), query(request, "visitor")) else {
        return Err(ApiError::InvalidRequest(
            "site and visitor query parameters are required".into(),
        ));
    };
    if visitor.is_empty() {
        return Err(ApiError::InvalidRequest("visitor must not be empty".into()));
    }
    super::sites::load_site(env, &site).await?;
    // The newest 501, turned back to time order: the latest activity is
    // what a journey is read for, and the 501st says more came before.
    let mut touchpoints: Vec<serde_json::Value> = db::rows(
        &env.db,
        "SELECT id, kind, occurred_at, path, page_type, title, channel, source_name, utm_source, utm_medium, \
         utm_campaign, name, target, props, engaged_ms, scroll_percent FROM events \
         WHERE site_id = ?1 AND (visitor_key = ?2 OR visitor_id = ?2) \
         ORDER BY occurred_at DESC, id DESC LIMIT 501",
        args![&site, &visitor],
    )
    .await?;
    let earlier_omitted = touchpoints.len() > JOURNEY_TOUCHPOINTS;
    touchpoints.truncate(JOURNEY_TOUCHPOINTS);
    touchpoints.reverse();
    json(
        200,
        &serde_json::json!({ "site": site, "visitor": visitor, "touchpoints": touchpoints,
            "earlier_omitted": earlier_omitted }),
    )
}

/// The most touchpoints `GET /v1/journey` lists (its query reads one more).
const JOURNEY_TOUCHPOINTS: usize = 500;
