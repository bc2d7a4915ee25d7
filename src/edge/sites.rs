//! Sites and their teams as stored in D1: the rows every side reads (the
//! widget's endpoints, staff, insights, intake, the operator API, the cron
//! jobs). Only the operator API writes them (`admin.rs`).

use serde::{Deserialize, Serialize};

use super::{db, Env};
use crate::args;
use crate::domain::api::ApiError;
use crate::domain::conversation::RoutingRule;
use crate::domain::hours::{Closure, Interval, OfficeHours};

/// A site's settings for the contact channel.
#[derive(Debug, Clone, Deserialize)]
pub struct SiteRow {
    pub id: String,
    pub name: String,
    pub allowed_origins: String,
    pub identity_secret: String,
    pub time_zone: String,
    pub retention_days: i64,
    pub default_team: String,
    pub routing_rules: String,
    pub page_rules: String,
    pub intake_key_hash: String,
    pub console_url: String,
    // The site's traffic rules (see `admin::bot_policy`): read only by the
    // queries that need them; others leave them out.
    #[serde(default)]
    pub record_automation: i64,
    #[serde(default)]
    pub bot_patterns: String,
    #[serde(default)]
    pub allowed_agents: String,
    #[serde(default)]
    pub search_terms: i64,
}

impl SiteRow {
    pub fn origins(&self) -> Vec<String> {
        // A malformed list fails closed: no browser origin is allowed.
        serde_json::from_str(&self.allowed_origins).unwrap_or_else(|_| vec!["-".into()])
    }

    pub fn rules(&self) -> Vec<RoutingRule> {
        serde_json::from_str(&self.routing_rules).unwrap_or_default()
    }
}

/// A team of a site.
#[derive(Debug, Clone, Deserialize)]
pub struct TeamRow {
    pub id: String,
    pub name: String,
    pub hours: String,
    pub target_minutes: i64,
    pub visible: i64,
    pub webhook_url: String,
    pub webhook_secret: String,
    pub webhook_format: String,
}

/// Weekly hours and closures as stored with a team (the zone is the site's).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamHours {
    #[serde(default)]
    pub weekly: Vec<Interval>,
    #[serde(default)]
    pub closures: Vec<Closure>,
}

impl TeamRow {
    pub fn hours(&self, time_zone: &str) -> OfficeHours {
        let hours: TeamHours = serde_json::from_str(&self.hours).unwrap_or_default();
        OfficeHours {
            time_zone: time_zone.to_owned(),
            weekly: hours.weekly,
            closures: hours.closures,
        }
    }
}

pub async fn load_site(env: &Env, site: &str) -> Result<SiteRow, ApiError> {
    db::row(
        &env.db,
        "SELECT id, name, allowed_origins, identity_secret, time_zone, retention_days, default_team, \
         routing_rules, page_rules, intake_key_hash, console_url, record_automation, bot_patterns, \
         allowed_agents, search_terms FROM sites WHERE id = ?1",
        args![site],
    )
    .await?
    .ok_or(ApiError::UnknownSite)
}

pub async fn load_teams(env: &Env, site: &str) -> Result<Vec<TeamRow>, ApiError> {
    db::rows(
        &env.db,
        "SELECT id, name, hours, target_minutes, visible, webhook_url, webhook_secret, webhook_format \
         FROM teams WHERE site_id = ?1 ORDER BY id",
        args![site],
    )
    .await
}

/// One team of a site, if the site has it.
pub async fn load_team(env: &Env, site: &str, team: &str) -> Result<Option<TeamRow>, ApiError> {
    db::row(
        &env.db,
        "SELECT id, name, hours, target_minutes, visible, webhook_url, webhook_secret, webhook_format \
         FROM teams WHERE site_id = ?1 AND id = ?2",
        args![site, team],
    )
    .await
}
