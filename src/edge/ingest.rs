//! Event ingestion (`POST /v1/events`) and the script tag's site check, both
//! on the site as this isolate last read it (`sites::cached_site`): the daily
//! salt of the cookieless visitor key, and counting a batch against its rate
//! limits while storing it, in one D1 round trip.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde::Deserialize;
use web_sys::{Request, Response};

use super::http::{client_ip, header};
use super::runtime::internal;
use super::runtime::random_bytes;
use super::sites::{cached_site, Site};
use super::{db, destinations, http, limits, Env};
use crate::args;
use crate::domain::api::ApiError;
use crate::domain::bots;
use crate::domain::destination::{segment::Touchpoint, EventType};
use crate::domain::guard;
use crate::domain::ingest::{
    check_content_type, claimed_site, plan_batch, IngestPlan, MAX_BODY_BYTES,
};
use crate::domain::page_type::{page_type, PageRule};
use crate::domain::site::AllowedOrigins;
use crate::domain::visitor_key as cookieless;

/// A site's stored lists as ingestion reads them, parsed once per copy of the site.
struct SiteLists {
    origins: AllowedOrigins,
    bots: bots::BotPolicy,
    pages: Vec<PageRule>,
}

/// A site's lists and the copy they were parsed from.
type ParsedSite = (Rc<Site>, Rc<SiteLists>);

thread_local! {
    /// Parsed lists by site id, for the isolate's current copy of each site:
    /// a batch then parses no stored JSON.
    static LISTS: RefCell<HashMap<String, ParsedSite>> = RefCell::new(HashMap::new());
}

/// The lists of `site`, parsed again only when the cached copy was replaced.
fn site_lists(site: &Rc<Site>) -> Rc<SiteLists> {
    let parsed = LISTS.with(|lists| {
        lists
            .borrow()
            .get(&site.id)
            .filter(|(copy, _)| Rc::ptr_eq(copy, site))
            .map(|(_, parsed)| parsed.clone())
    });
    if let Some(parsed) = parsed {
        return parsed;
    }
    let parsed = Rc::new(SiteLists {
        origins: site.origins(),
        bots: site.bots(),
        pages: site.pages(),
    });
    LISTS.with(|lists| {
        let mut lists = lists.borrow_mut();
        // Bounded like the site cache it follows.
        if lists.len() >= 1024 {
            lists.clear();
        }
        lists.insert(site.id.clone(), (site.clone(), parsed.clone()));
    });
    parsed
}

/// The site `id` and its lists, if a page at `origin` may send for it.
async fn site_for_origin(
    env: &Env,
    id: &str,
    origin: Option<&str>,
) -> Result<(Rc<Site>, Rc<SiteLists>), ApiError> {
    let site = cached_site(env, id).await?;
    let lists = site_lists(&site);
    if lists.origins.allows(origin) {
        Ok((site, lists))
    } else {
        Err(ApiError::OriginNotAllowed)
    }
}

/// `POST /v1/events`: a recorder's batch.
pub async fn ingest_events(
    request: &Request,
    env: &Env,
    origin: Option<&str>,
) -> Result<Response, ApiError> {
    // Read as it arrives and cut at the batch limit (64 KB), then judged.
    let body = http::read_text(request, MAX_BODY_BYTES).await?;
    check_content_type(header(request, "content-type").as_deref())?;
    let now = js_sys::Date::now() as u64;
    let mut plan = match plan_batch(&body, now) {
        Ok(plan) => plan,
        Err(refused) => {
            // Who may send here is told before what the batch lacks.
            if let Some(site) = claimed_site(&body) {
                site_for_origin(env, &site, origin).await?;
            }
            return Err(refused);
        }
    };
    let (site, lists) = site_for_origin(env, &plan.site, origin).await?;
    let user_agent = header(request, "user-agent").unwrap_or_default();
    if bots::is_bot(&user_agent, &lists.bots, listed_as_bot) {
        return http::json_response(202, &plan.bot_receipt(), origin);
    }
    plan.keep_search_terms(site.search_terms != 0);
    if crate::domain::visitor_key::opted_out_by_headers(
        header(request, "dnt").as_deref(),
        header(request, "sec-gpc").as_deref(),
    ) {
        plan.opt_out();
    }
    let ip = client_ip(request);
    let visitor_key = if plan.do_not_track {
        String::new()
    } else {
        let salt = daily_salt(env, now as i64).await?;
        cookieless::visitor_key(&salt, &plan.site, &ip, &user_agent)
    };
    let (user, proof) = &plan.claimed_user;
    let user_id = if guard::identity_verified(&site.identity_secret, user, proof) {
        user.as_str()
    } else {
        ""
    };
    let (outbound, deliveries) =
        match forward(env, &plan, &lists.pages, &visitor_key, now as i64).await {
            Some(recording) => (
                Some((recording.before, recording.after)),
                recording.deliveries,
            ),
            None => (None, Vec::new()),
        };
    let stored = count_and_store(
        env,
        &plan,
        &lists.pages,
        (&ip, &visitor_key, user_id),
        outbound,
        now,
    )
    .await?;
    if stored > 0 {
        destinations::queue(env, &deliveries).await;
    }
    http::json_response(202, &plan.receipt(stored), origin)
}

/// The batch for the site's destinations that take touchpoints, as
/// statements for ingestion's own D1 batch and the deliveries to queue after
/// it (nothing to build when there are none: the check is cached per isolate).
async fn forward(
    env: &Env,
    plan: &IngestPlan,
    page_rules: &[PageRule],
    visitor_key: &str,
    now: i64,
) -> Option<destinations::TouchpointRecording> {
    if !destinations::any_wants(env, &plan.site, EventType::Touchpoints, now).await {
        return None;
    }
    let touchpoints = plan
        .rows
        .iter()
        .map(|row| {
            let page_type = page_type(&row.path, page_rules);
            Touchpoint::from_row(row, &page_type, visitor_key, &plan.visitor_id)
        })
        .collect();
    destinations::touchpoint_statements(env, &plan.site, touchpoints, now).await
}

/// Answers whether a page on `origin` may record for `site`, so the script tag
/// can say at once (and name the origin) when a site's allow-list misses it.
pub async fn site_check(env: &Env, site: &str, origin: Option<&str>) -> Result<Response, ApiError> {
    #[derive(serde::Serialize)]
    struct SiteCheck<'a> {
        site: &'a str,
        origin_allowed: bool,
    }
    #[derive(serde::Serialize)]
    struct Refusal {
        error: Detail,
    }
    #[derive(serde::Serialize)]
    struct Detail {
        code: &'static str,
        message: String,
    }
    // The page shows this message to its developer as is, so it says what to do.
    let refuse = |status: u16, code: &'static str, message: String| {
        http::json_response(
            status,
            &Refusal {
                error: Detail { code, message },
            },
            origin,
        )
    };
    let known = match cached_site(env, site).await {
        Ok(known) => known,
        Err(ApiError::UnknownSite) => {
            return refuse(
                404,
                "unknown_site",
                [
                    "Touchpoint has no site \"",
                    site,
                    "\": check data-site (or init's site)",
                ]
                .concat(),
            )
        }
        Err(error) => return Err(error),
    };
    if !known.origins().allows(origin) {
        let page = origin.unwrap_or_default();
        return refuse(
            403,
            "origin_not_allowed",
            [
                page,
                " may not record for site \"",
                site,
                "\": add it to the site's allowed origins (console Settings, or allowed_origins in PUT /v1/admin/sites/",
                site,
                ")",
            ]
            .concat(),
        );
    }
    let response = http::json_response(
        200,
        &SiteCheck {
            site,
            origin_allowed: true,
        },
        origin,
    )?;
    // Asked on every page view: browsers may reuse the answer for a minute.
    response
        .headers()
        .set("cache-control", "private, max-age=60")
        .map_err(|e| internal(&e, "site check headers"))?;
    Ok(response)
}

thread_local! {
    /// The maintained bot list, compiled once per isolate by the runtime's
    /// regular-expression engine (it needs ECMAScript look-behind).
    static BOT_LIST: js_sys::RegExp = js_sys::RegExp::new(bots::BOT_PATTERN, "i");
}

thread_local! {
    /// The list's verdicts on user agents seen lately: traffic repeats a few
    /// hundred agents, and the list does not change while the isolate lives.
    static BOT_VERDICTS: std::cell::RefCell<std::collections::HashMap<String, bool>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Whether the maintained list names `user_agent` as a bot's.
pub fn listed_as_bot(user_agent: &str) -> bool {
    if let Some(verdict) = BOT_VERDICTS.with(|cache| cache.borrow().get(user_agent).copied()) {
        return verdict;
    }
    let verdict = BOT_LIST.with(|list| list.test(user_agent));
    BOT_VERDICTS.with(|cache| {
        let mut cache = cache.borrow_mut();
        // Bounded: a flood of made-up agents must not grow it forever.
        if cache.len() >= 512 {
            cache.clear();
        }
        cache.insert(user_agent.to_owned(), verdict);
    });
    verdict
}

thread_local! {
    /// The day's salt, kept by this isolate so most batches skip a D1 read.
    static SALT: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

/// Today's salt, created on first use; salts older than 48 hours are deleted then.
pub async fn daily_salt(env: &Env, now_ms: i64) -> Result<String, ApiError> {
    let day = cookieless::utc_day(now_ms);
    let cached = SALT.with(|cell| {
        cell.borrow()
            .as_ref()
            .filter(|(cached_day, _)| *cached_day == day)
            .map(|(_, salt)| salt.clone())
    });
    if let Some(salt) = cached {
        return Ok(salt);
    }
    let salt = load_or_create_salt(env, &day, now_ms).await?;
    SALT.with(|cell| *cell.borrow_mut() = Some((day, salt.clone())));
    Ok(salt)
}

async fn load_or_create_salt(env: &Env, day: &str, now_ms: i64) -> Result<String, ApiError> {
    #[derive(Deserialize)]
    struct Salt {
        salt: String,
    }
    const SELECT: &str = "SELECT salt FROM salts WHERE day = ?1";
    if let Some(stored) = db::row::<Salt>(&env.db, SELECT, args![day]).await? {
        return Ok(stored.salt);
    }
    let salt: String = random_bytes::<32>()?
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    db::batch(
        &env.db,
        vec![
            env.db.statement(
                "INSERT OR IGNORE INTO salts (day, salt, created_at) VALUES (?1, ?2, ?3)",
                args![day, &salt, now_ms],
            ),
            env.db.statement(
                "DELETE FROM salts WHERE created_at < ?1",
                args![now_ms - 48 * 3_600_000],
            ),
        ],
    )
    .await?;
    // Another isolate may have won the race: read back whichever salt is stored.
    db::row::<Salt>(&env.db, SELECT, args![day])
        .await?
        .map(|stored| stored.salt)
        .ok_or(ApiError::Unavailable)
}

/// Counts the batch against the per-IP and per-visitor budgets of the current
/// minute and inserts its rows, in one D1 batch: one transaction and one round
/// trip. The insert happens only while both counts are within budget, so a
/// flood is answered 429 and stores nothing. `outbound` (the destinations'
/// record of the batch: what goes before the insert and what after it) rides
/// in the same batch and keeps only the rows this insert stores. Returns how
/// many rows were new; the rest were already stored.
async fn count_and_store(
    env: &Env,
    plan: &IngestPlan,
    page_rules: &[PageRule],
    (ip, visitor_key, user_id): (&str, &str, &str),
    outbound: Option<(db::D1PreparedStatement, Vec<db::D1PreparedStatement>)>,
    received_at: u64,
) -> Result<u32, ApiError> {
    let now_ms = received_at as i64;
    let window = guard::minute_window(now_ms);
    let ip_key = limits::network_key("ip", ip);
    let visitor = limits::key("visitor", visitor_key);
    let amount = u32::try_from(plan.rows.len()).unwrap_or(u32::MAX);
    // The visitor budget applies only when there is a visitor key (not for
    // Do Not Track batches, which have none).
    let visitor_budget = if visitor_key.is_empty() {
        u32::MAX
    } else {
        guard::EVENTS_PER_VISITOR_PER_MINUTE
    };
    // All rows go in one statement as a JSON array of positional rows, read
    // back with json_each: one statement and 11 bound values per batch rather
    // than 30 values for each event. A row stops at its last value that is
    // not empty or zero (`IngestPlan::rows_json`): what it leaves out is the
    // column's default.
    let rows = plan.rows_json(page_rules);
    let insert = env.db.hot_statement(
        "INSERT OR IGNORE INTO events (site_id, id, kind, occurred_at, received_at, path, title, \
         page_type, referrer, viewport_width, viewport_height, language, time_zone, engaged_ms, \
         scroll_percent, channel, source_name, utm_source, utm_medium, utm_campaign, utm_term, \
         utm_content, click_id, name, target, props, fields, visitor_key, visitor_id, user_id) \
         SELECT ?1, value ->> 0, value ->> 1, value ->> 2, ?2, value ->> 3, \
         ifnull(value ->> 4, ''), ifnull(value ->> 5, ''), ifnull(value ->> 6, ''), \
         ifnull(value ->> 7, 0), ifnull(value ->> 8, 0), ifnull(value ->> 9, ''), \
         ifnull(value ->> 10, ''), ifnull(value ->> 11, 0), ifnull(value ->> 12, 0), \
         ifnull(value ->> 13, ''), ifnull(value ->> 14, ''), ifnull(value ->> 15, ''), \
         ifnull(value ->> 16, ''), ifnull(value ->> 17, ''), ifnull(value ->> 18, ''), \
         ifnull(value ->> 19, ''), ifnull(value ->> 20, ''), ifnull(value ->> 21, ''), \
         ifnull(value ->> 22, ''), ifnull(value ->> 23, ''), ifnull(value ->> 24, 0), \
         ?3, ?4, ?5 FROM json_each(?11) \
         WHERE (SELECT count FROM rate_limits WHERE key = ?6 AND window = ?8) <= ?9 \
         AND (SELECT count FROM rate_limits WHERE key = ?7 AND window = ?8) <= ?10",
        args![
            &plan.site,
            now_ms,
            visitor_key,
            &plan.visitor_id,
            user_id,
            &ip_key,
            &visitor,
            window,
            i64::from(guard::EVENTS_PER_IP_PER_MINUTE),
            i64::from(visitor_budget),
            &rows,
        ],
    );
    // Both counters in one statement, before the insert that reads them.
    let mut statements = vec![limits::count_pair_statement(
        &env.db,
        [&ip_key, &visitor],
        window,
        amount,
    )];
    let (before, after) = match outbound {
        Some((before, after)) => (Some(before), after),
        None => (None, Vec::new()),
    };
    statements.extend(before);
    let insert_at = u32::try_from(statements.len()).unwrap_or(u32::MAX);
    statements.push(insert);
    statements.extend(after);
    if plan.dropped_by_client > 0 && !plan.rows.is_empty() {
        // What the browser had to drop (offline too long, storage full) is
        // counted for the console, once: only when this request stored an
        // event of the batch (it carries this request's time), so a resent
        // batch or a refused one does not count it again. Any event, not the
        // first: a batch may lead with one sent before (an outside audit).
        let ids: Vec<&str> = plan.rows.iter().map(|row| row.id.as_str()).collect();
        statements.push(env.db.statement(
            "INSERT INTO dropped_events (site_id, day, dropped) SELECT ?1, ?2, ?3 \
             WHERE EXISTS (SELECT 1 FROM events WHERE site_id = ?1 AND received_at = ?5 \
               AND id IN (SELECT value FROM json_each(?4))) \
             ON CONFLICT (site_id, day) DO UPDATE SET dropped = dropped + excluded.dropped",
            args![
                &plan.site,
                &crate::domain::visitor_key::utc_day(now_ms),
                i64::from(plan.dropped_by_client.min(MAX_DROPPED_PER_BATCH)),
                &serde_json::to_string(&ids).unwrap_or_default(),
                now_ms
            ],
        ));
    }
    // Old windows are deleted by the first batch of each minute in this
    // isolate, not by every batch: that delete reads the whole counter table.
    if EXPIRED_WINDOW.with(|expired| expired.replace(window)) != window {
        statements.push(limits::expire_statement(&env.db, window));
    }
    let outcomes = db::batch_outcomes(&env.db, statements).await?;
    if outcomes.count_of(0, &ip_key) > guard::EVENTS_PER_IP_PER_MINUTE
        || outcomes.count_of(0, &visitor) > visitor_budget
    {
        return Err(ApiError::RateLimited {
            retry_after_s: guard::retry_after_seconds(now_ms),
        });
    }
    Ok(outcomes.changes(insert_at))
}

/// The most one batch may report as dropped: a recorder holds at most 20
/// batches, and a made-up figure should not swamp the console's.
const MAX_DROPPED_PER_BATCH: u32 = 1_000;

thread_local! {
    /// The last minute window whose old counters this isolate deleted.
    static EXPIRED_WINDOW: std::cell::Cell<i64> = const { std::cell::Cell::new(i64::MIN) };
}
