//! Sites and their teams as stored in D1: the rows every side reads (the
//! widget's endpoints, staff, insights, intake, the operator API, the cron
//! jobs). Only the operator API writes them (`admin.rs`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::{db, Env};
use crate::args;
use crate::domain::api::ApiError;
pub use crate::domain::site::Site;
pub use crate::domain::team::{Team, TeamHours};

/// The columns of `Site`, in one place for every query that reads a site.
const SELECT_SITE: &str = "SELECT id, name, allowed_origins, identity_secret, time_zone, retention_days, journey_days, \
    default_team, routing_rules, page_rules, intake_key_hash, console_url, record_automation, bot_patterns, \
    allowed_agents, search_terms FROM sites WHERE ";

/// The site as stored now (`unknown_site` when there is none).
pub async fn load_site(env: &Env, site: &str) -> Result<Site, ApiError> {
    let mut sql = String::from(SELECT_SITE);
    sql.push_str("id = ?1");
    db::row(&env.db, &sql, args![site])
        .await?
        .ok_or(ApiError::UnknownSite)
}

/// The site whose intake key hashes to `key_hash`, if any.
pub async fn site_with_intake_key(env: &Env, key_hash: &str) -> Result<Option<Site>, ApiError> {
    let mut sql = String::from(SELECT_SITE);
    sql.push_str("intake_key_hash = ?1");
    db::row(&env.db, &sql, args![key_hash]).await
}

/// How long an isolate trusts its copy of a site for ingestion. A change
/// through the admin API applies at once in the isolate that made it (see
/// `forget_site`) and within this time everywhere else.
const SITE_CACHE_MS: f64 = 30_000.0;

/// A site as last read (or known absent), and when (ms).
type CachedSite = (f64, Option<Rc<Site>>);

thread_local! {
    /// Sites by id: most batches then make a single D1 round trip.
    static SITES: RefCell<HashMap<String, CachedSite>> = RefCell::new(HashMap::new());
}

/// The site as read within the last `SITE_CACHE_MS` by this isolate: for
/// ingestion, which runs on every page view. Other handlers read it fresh.
pub async fn cached_site(env: &Env, site: &str) -> Result<Rc<Site>, ApiError> {
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
            let entry = match load_site(env, site).await {
                Ok(found) => Some(Rc::new(found)),
                Err(ApiError::UnknownSite) => None,
                Err(error) => return Err(error),
            };
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

/// Drops this isolate's copy of a site, after the admin API changed it.
pub fn forget_site(site: &str) {
    SITES.with(|cache| cache.borrow_mut().remove(site));
}

/// A site's teams, by id.
pub async fn load_teams(env: &Env, site: &str) -> Result<Vec<Team>, ApiError> {
    db::rows(
        &env.db,
        "SELECT id, name, hours, target_minutes, visible, webhook_url, webhook_secret, webhook_format \
         FROM teams WHERE site_id = ?1 ORDER BY id",
        args![site],
    )
    .await
}

/// One team of a site, if the site has it.
pub async fn load_team(env: &Env, site: &str, team: &str) -> Result<Option<Team>, ApiError> {
    db::row(
        &env.db,
        "SELECT id, name, hours, target_minutes, visible, webhook_url, webhook_secret, webhook_format \
         FROM teams WHERE site_id = ?1 AND id = ?2",
        args![site, team],
    )
    .await
}
