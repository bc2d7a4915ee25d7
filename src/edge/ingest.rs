//! Event ingestion (`POST /v1/events`) and the script tag's site check: the
//! site's ingestion settings cached per isolate, the daily salt of the
//! cookieless visitor key, and counting a batch against its rate limits while
//! storing it, in one D1 round trip.

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Request, Response};

use super::{d1, http, internal, unavailable, Env};
use crate::domain::api::ApiError;
use crate::domain::bots;
use crate::domain::guard;
use crate::domain::ingest::{check_content_type, plan_batch, IngestPlan, MAX_BODY_BYTES};
use crate::domain::page_type::{page_type, PageRule};
use crate::domain::visitor as visits;

/// `POST /v1/events`: a recorder's batch.
pub async fn ingest_events(
    request: &Request,
    env: &Env,
    origin: Option<&str>,
) -> Result<Response, ApiError> {
    let headers = request.headers();
    let header = |name: &str| headers.get(name).ok().flatten();
    // Read as it arrives and cut at the batch limit (64 KB), then judged.
    let body = http::read_text(request, MAX_BODY_BYTES).await?;
    check_content_type(header("content-type").as_deref())?;
    let now = js_sys::Date::now() as u64;
    let mut plan = plan_batch(&body, now)?;
    let site = load_site(env, &plan.site).await?;
    if !visits::origin_allowed(origin, &site.allowed_origins) {
        return Err(ApiError::OriginNotAllowed);
    }
    let user_agent = header("user-agent").unwrap_or_default();
    if bots::is_bot(&user_agent, &site.bots, listed_as_bot) {
        return http::json_response(202, &plan.bot_receipt(), origin);
    }
    plan.keep_search_terms(site.search_terms);
    let ip = header("cf-connecting-ip")
        .or_else(|| header("x-real-ip"))
        .unwrap_or_default();
    let visitor_key = if plan.do_not_track {
        String::new()
    } else {
        let salt = daily_salt(env, now as i64).await?;
        visits::visitor_key(&salt, &plan.site, &ip, &user_agent)
    };
    let (user, proof) = &plan.claimed_user;
    let user_id = if guard::identity_verified(&site.identity_secret, user, proof) {
        user.as_str()
    } else {
        ""
    };
    let stored = count_and_store(env, &plan, &site, &ip, &visitor_key, user_id, now).await?;
    http::json_response(202, &plan.receipt(stored), origin)
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
    let known = match load_site(env, site).await {
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
    if !visits::origin_allowed(origin, &known.allowed_origins) {
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

/// What the edge needs to know about a site to ingest for it.
struct Site {
    allowed_origins: Vec<String>,
    page_rules: Vec<PageRule>,
    identity_secret: String,
    bots: bots::BotPolicy,
    search_terms: bool,
}

thread_local! {
    /// The maintained bot list, compiled once per isolate by the runtime's
    /// regular-expression engine (it needs ECMAScript look-behind).
    static BOT_LIST: js_sys::RegExp = js_sys::RegExp::new(bots::BOT_PATTERN, "i");
}

/// Whether the maintained list names `user_agent` as a bot's.
fn listed_as_bot(user_agent: &str) -> bool {
    BOT_LIST.with(|list| list.test(user_agent))
}

/// How long an isolate trusts its copy of a site's ingestion settings. A
/// change through the admin API applies at once in the isolate that made it
/// (see `forget_site`) and within this time everywhere else.
const SITE_CACHE_MS: f64 = 30_000.0;

/// A site as last read (or known absent), and when (ms).
type CachedSite = (f64, Option<std::rc::Rc<Site>>);

thread_local! {
    /// Sites by id: most batches then make a single D1 round trip.
    static SITES: std::cell::RefCell<std::collections::HashMap<String, CachedSite>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Drops this isolate's copy of a site, after the admin API changed it.
pub(crate) fn forget_site(site: &str) {
    SITES.with(|cache| cache.borrow_mut().remove(site));
}

async fn load_site(env: &Env, site: &str) -> Result<std::rc::Rc<Site>, ApiError> {
    let now = js_sys::Date::now();
    let cached = SITES.with(|cache| {
        cache
            .borrow()
            .get(site)
            .filter(|(read_at, _)| now - read_at < SITE_CACHE_MS)
            .map(|(_, entry)| entry.clone())
    });
    let entry = match cached {
        Some(entry) => entry,
        None => {
            let entry = read_site(env, site).await?.map(std::rc::Rc::new);
            SITES.with(|cache| {
                let mut cache = cache.borrow_mut();
                // Bounded: unknown ids sent by a flood must not grow it forever.
                if cache.len() >= 1024 {
                    cache.clear();
                }
                cache.insert(site.to_owned(), (now, entry.clone()));
            });
            entry
        }
    };
    entry.ok_or(ApiError::UnknownSite)
}

async fn read_site(env: &Env, site: &str) -> Result<Option<Site>, ApiError> {
    let row = env
        .db
        .prepare(
            "SELECT allowed_origins, page_rules, identity_secret, record_automation, bot_patterns, \
             allowed_agents, search_terms FROM sites WHERE id = ?1",
        )
        .bind(&Array::of1(&JsValue::from_str(site)))
        .first()
        .await
        .map_err(|e| unavailable(&e, "site lookup failed"))?;
    if row.is_null() || row.is_undefined() {
        return Ok(None);
    }
    let text = |name: &str| {
        js_sys::Reflect::get(&row, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    let flag = |name: &str| {
        js_sys::Reflect::get(&row, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_f64())
            .is_some_and(|v| v != 0.0)
    };
    Ok(Some(Site {
        // A malformed list in storage is an operator error: fail closed for
        // origins (nothing allowed but non-browser senders), open for page rules.
        allowed_origins: serde_json::from_str(&text("allowed_origins"))
            .unwrap_or_else(|_| vec!["-".into()]),
        page_rules: serde_json::from_str(&text("page_rules")).unwrap_or_default(),
        identity_secret: text("identity_secret"),
        bots: bots::BotPolicy {
            record_automation: flag("record_automation"),
            bot_patterns: serde_json::from_str(&text("bot_patterns")).unwrap_or_default(),
            allowed_agents: serde_json::from_str(&text("allowed_agents")).unwrap_or_default(),
        },
        search_terms: flag("search_terms"),
    }))
}

thread_local! {
    /// The day's salt, kept by this isolate so most batches skip a D1 read.
    static SALT: std::cell::RefCell<Option<(String, String)>> = const { std::cell::RefCell::new(None) };
}

/// Today's salt, created on first use; salts older than 48 hours are deleted then.
pub async fn daily_salt(env: &Env, now_ms: i64) -> Result<String, ApiError> {
    let day = visits::utc_day(now_ms);
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
    let select = || {
        env.db
            .prepare("SELECT salt FROM salts WHERE day = ?1")
            .bind(&Array::of1(&JsValue::from_str(day)))
    };
    let existing = select()
        .first()
        .await
        .map_err(|e| unavailable(&e, "salt lookup failed"))?;
    if let Some(salt) = js_sys::Reflect::get(&existing, &JsValue::from_str("salt"))
        .ok()
        .and_then(|s| s.as_string())
    {
        return Ok(salt);
    }
    let mut bytes = [0u8; 32];
    let crypto = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
        .map_err(|e| internal(&e, "no crypto"))?;
    let array = js_sys::Uint8Array::new_with_length(32);
    let get_random = js_sys::Reflect::get(&crypto, &JsValue::from_str("getRandomValues"))
        .map_err(|e| internal(&e, "no getRandomValues"))?;
    get_random
        .unchecked_into::<js_sys::Function>()
        .call1(&crypto, &array)
        .map_err(|e| internal(&e, "getRandomValues failed"))?;
    array.copy_to(&mut bytes);
    let salt: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let insert = env
        .db
        .prepare("INSERT OR IGNORE INTO salts (day, salt, created_at) VALUES (?1, ?2, ?3)")
        .bind(&Array::of3(
            &JsValue::from_str(day),
            &JsValue::from_str(&salt),
            &JsValue::from_f64(now_ms as f64),
        ));
    let expire = env
        .db
        .prepare("DELETE FROM salts WHERE created_at < ?1")
        .bind(&Array::of1(&JsValue::from_f64(
            (now_ms - 48 * 3_600_000) as f64,
        )));
    env.db
        .batch(Array::of2(&insert, &expire))
        .await
        .map_err(|e| unavailable(&e, "salt insert failed"))?;
    // Another isolate may have won the race: read back whichever salt is stored.
    let stored = select()
        .first()
        .await
        .map_err(|e| unavailable(&e, "salt lookup failed"))?;
    js_sys::Reflect::get(&stored, &JsValue::from_str("salt"))
        .ok()
        .and_then(|s| s.as_string())
        .ok_or(ApiError::Unavailable)
}

/// Counts the batch against the per-IP and per-visitor budgets of the current
/// minute and inserts its rows, in one D1 batch: one transaction and one round
/// trip. The insert happens only while both counts are within budget, so a
/// flood is answered 429 and stores nothing. Returns how many rows were new;
/// the rest were already stored.
async fn count_and_store(
    env: &Env,
    plan: &IngestPlan,
    site: &Site,
    ip: &str,
    visitor_key: &str,
    user_id: &str,
    received_at: u64,
) -> Result<u32, ApiError> {
    let now_ms = received_at as i64;
    let window = guard::minute_window(now_ms);
    let ip_key = ["ip:", ip].concat();
    let visitor = ["visitor:", visitor_key].concat();
    let count = |key: &str| {
        env.db
            .prepare(
                "INSERT INTO rate_limits (key, window, count) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (key, window) DO UPDATE SET count = count + excluded.count RETURNING count",
            )
            .bind(&Array::of3(
                &JsValue::from_str(key),
                &JsValue::from_f64(window as f64),
                &JsValue::from_f64(plan.rows.len() as f64),
            ))
    };
    let statements = Array::of3(
        &count(&ip_key),
        &count(&visitor),
        &env.db
            .prepare("DELETE FROM rate_limits WHERE window < ?1")
            .bind(&Array::of1(&JsValue::from_f64((window - 1) as f64))),
    );
    // The visitor budget applies only when there is a visitor key (not for
    // Do Not Track batches, which have none).
    let visitor_budget = if visitor_key.is_empty() {
        f64::from(u32::MAX)
    } else {
        f64::from(guard::EVENTS_PER_VISITOR_PER_MINUTE)
    };
    // All rows go in one statement as a JSON array of positional rows, read
    // back with json_each: one statement and 11 bound values per batch rather
    // than 30 values for each event.
    let rows: Vec<serde_json::Value> = plan
        .rows
        .iter()
        .map(|row| {
            serde_json::json!([
                row.id,
                row.kind,
                row.occurred_at_ms,
                row.path,
                row.title,
                row.referrer,
                row.viewport_width,
                row.viewport_height,
                row.language,
                row.time_zone,
                row.channel,
                row.source_name,
                row.utm_source,
                row.utm_medium,
                row.utm_campaign,
                row.utm_term,
                row.utm_content,
                row.click_id,
                page_type(&row.path, &site.page_rules),
                row.name,
                row.target,
                row.props_json,
                row.engaged_ms,
                row.scroll_percent,
                row.fields,
            ])
        })
        .collect();
    let rows = serde_json::Value::Array(rows).to_string();
    let values = [
        JsValue::from_str(&plan.site),
        JsValue::from_f64(received_at as f64),
        JsValue::from_str(visitor_key),
        JsValue::from_str(&plan.visitor_id),
        JsValue::from_str(user_id),
        JsValue::from_str(&ip_key),
        JsValue::from_str(&visitor),
        JsValue::from_f64(window as f64),
        JsValue::from_f64(f64::from(guard::EVENTS_PER_IP_PER_MINUTE)),
        JsValue::from_f64(visitor_budget),
        JsValue::from_str(&rows),
    ];
    let bound: Array = values.iter().collect();
    statements.push(
        &env.db
            .prepare(
                "INSERT OR IGNORE INTO events (site_id, id, kind, occurred_at, received_at, path, title, \
                 referrer, viewport_width, viewport_height, language, time_zone, channel, source_name, \
                 utm_source, utm_medium, utm_campaign, utm_term, utm_content, click_id, page_type, name, \
                 target, props, engaged_ms, scroll_percent, fields, visitor_key, visitor_id, user_id) \
                 SELECT ?1, value ->> 0, value ->> 1, value ->> 2, ?2, value ->> 3, value ->> 4, \
                 value ->> 5, value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10, \
                 value ->> 11, value ->> 12, value ->> 13, value ->> 14, value ->> 15, value ->> 16, \
                 value ->> 17, value ->> 18, value ->> 19, value ->> 20, value ->> 21, value ->> 22, \
                 value ->> 23, value ->> 24, ?3, ?4, ?5 FROM json_each(?11) \
                 WHERE (SELECT count FROM rate_limits WHERE key = ?6 AND window = ?8) <= ?9 \
                 AND (SELECT count FROM rate_limits WHERE key = ?7 AND window = ?8) <= ?10",
            )
            .bind(&bound),
    );
    let results: Array = env
        .db
        .batch(statements)
        .await
        .map_err(|e| unavailable(&e, "event insert failed"))?
        .unchecked_into();
    let counted = |index: u32| -> f64 {
        let result = results.get(index);
        let rows = js_sys::Reflect::get(&result, &JsValue::from_str("results"))
            .unwrap_or(JsValue::UNDEFINED);
        let first =
            js_sys::Reflect::get(&rows, &JsValue::from_f64(0.0)).unwrap_or(JsValue::UNDEFINED);
        js_sys::Reflect::get(&first, &JsValue::from_str("count"))
            .ok()
            .and_then(|c| c.as_f64())
            .unwrap_or(0.0)
    };
    if counted(0) > f64::from(guard::EVENTS_PER_IP_PER_MINUTE) || counted(1) > visitor_budget {
        return Err(ApiError::RateLimited {
            retry_after_s: guard::retry_after_seconds(now_ms),
        });
    }
    Ok(results
        .iter()
        .skip(3)
        .map(|result| d1::changes_of(&result))
        .sum())
}
