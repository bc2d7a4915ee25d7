//! A site as stored: its settings row, read by every side of the edge; what
//! its stored lists mean — above all which web pages may send for it — and
//! how an operator's update merges with what is stored.

use serde::{Deserialize, Serialize};

use super::api::ApiError;
use super::bots::{check_policy, BotPolicy};
use super::conversation::{check_short, RoutingRule};
use super::page_type::PageRule;

/// A site's settings as stored (lists as the JSON text they are stored as).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Site {
    pub id: String,
    pub name: String,
    /// JSON array of origins; read it with `origins()`.
    pub allowed_origins: String,
    pub identity_secret: String,
    pub time_zone: String,
    pub retention_days: i64,
    /// How long raw touchpoints are kept (at most the retention); older days
    /// are kept as daily roll-ups (`domain::rollup`).
    pub journey_days: i64,
    pub default_team: String,
    /// JSON array of `RoutingRule`; read it with `routing()`.
    pub routing_rules: String,
    /// JSON array of `PageRule`; read it with `pages()`.
    pub page_rules: String,
    pub intake_key_hash: String,
    pub console_url: String,
    pub record_automation: i64,
    /// JSON array of user-agent substrings; read with `bots()`.
    pub bot_patterns: String,
    /// JSON array of user-agent substrings; read with `bots()`.
    pub allowed_agents: String,
    pub search_terms: i64,
}

impl Site {
    /// The pages that may send for this site (a malformed list allows none).
    pub fn origins(&self) -> AllowedOrigins {
        AllowedOrigins::parse(&self.allowed_origins)
    }

    /// Where messages go by topic (a malformed list routes nothing).
    pub fn routing(&self) -> Vec<RoutingRule> {
        serde_json::from_str(&self.routing_rules).unwrap_or_default()
    }

    /// The site's page types by path (a malformed list leaves pages untyped).
    pub fn pages(&self) -> Vec<PageRule> {
        serde_json::from_str(&self.page_rules).unwrap_or_default()
    }

    /// The site's own bot rules (a malformed list reads as empty).
    pub fn bots(&self) -> BotPolicy {
        BotPolicy {
            record_automation: self.record_automation != 0,
            bot_patterns: serde_json::from_str(&self.bot_patterns).unwrap_or_default(),
            allowed_agents: serde_json::from_str(&self.allowed_agents).unwrap_or_default(),
        }
    }
}

/// Which web pages may send for a site, by their `Origin` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedOrigins {
    /// The stored list is empty: any page (local development).
    Any,
    /// Only these origins (compared without a trailing slash, ignoring ASCII
    /// case). Empty when the stored list is malformed: no page at all.
    Only(Vec<String>),
}

impl AllowedOrigins {
    /// Reads the stored list. Fails closed: anything but a JSON array of
    /// strings (`""`, `null`, `"*"`, an object, numbers) allows no page, as a
    /// typo in storage must not open the site to every page.
    pub fn parse(stored: &str) -> Self {
        match serde_json::from_str::<Vec<String>>(stored) {
            Ok(list) if list.is_empty() => AllowedOrigins::Any,
            Ok(list) => AllowedOrigins::Only(list),
            Err(_) => AllowedOrigins::Only(Vec::new()),
        }
    }

    /// Whether a request from `origin` may send. A request without an
    /// `Origin` header does not come from a web page, so the list does not
    /// apply to it.
    pub fn allows(&self, origin: Option<&str>) -> bool {
        match (origin, self) {
            (None, _) | (Some(_), AllowedOrigins::Any) => true,
            (Some(origin), AllowedOrigins::Only(list)) => list
                .iter()
                .any(|allowed| allowed.trim_end_matches('/').eq_ignore_ascii_case(origin)),
        }
    }
}

/// A `PUT /v1/admin/sites/{site}` body: every field left out keeps its
/// stored value (or, for a new site, its default). The console's Settings
/// sends the same type with only what a form changes.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteUpdate {
    /// Required to create a site; left out, the stored name is kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Left out: the stored list is kept (an empty list allows any origin).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub journey_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_team: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing_rules: Option<Vec<RoutingRule>>,
    /// `""` removes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_rules: Option<Vec<PageRule>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub console_url: Option<String>,
    /// Keep events from the site's own automated tests (headless browsers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_automation: Option<bool>,
    /// More user-agent substrings to ignore as bots.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot_patterns: Option<Vec<String>>,
    /// User-agent substrings always kept (the site's monitoring).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_agents: Option<Vec<String>>,
    /// Keep search words from referrers as the term (off by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search_terms: Option<bool>,
}

/// How long a new site keeps its data unless told otherwise (13 months).
pub const DEFAULT_RETENTION_DAYS: i64 = 395;

impl SiteUpdate {
    /// The first team this update names (its default team, a routing rule's
    /// team) that is not among `teams`, the site's teams. A site without
    /// teams yet names any: it is set up before its teams exist.
    pub fn unknown_team<'a>(&'a self, teams: &[String]) -> Option<&'a str> {
        if teams.is_empty() {
            return None;
        }
        let rules = self
            .routing_rules
            .iter()
            .flatten()
            .map(|rule| rule.team.as_str());
        self.default_team
            .as_deref()
            .filter(|team| !team.is_empty())
            .into_iter()
            .chain(rules)
            .find(|team| !teams.iter().any(|known| known == team))
    }

    /// The site `id` as it will be stored: this update over `stored` (or over
    /// a new site's defaults), after checking every field the update sets.
    /// What the update does not name (the intake key) stays as stored.
    pub fn apply(self, id: &str, stored: Option<&Site>) -> Result<Site, ApiError> {
        let name = match (self.name, stored) {
            (Some(name), _) => name,
            (None, Some(stored)) => stored.name.clone(),
            (None, None) => return Err(ApiError::InvalidRequest("name is required".into())),
        };
        check_short("name", &name, true)?;
        if let Some(origins) = &self.allowed_origins {
            check_origins(origins)?;
        }
        if let Some(time_zone) = &self.time_zone {
            super::zone::check_name(time_zone)
                .map_err(|e| ApiError::InvalidRequest(e.to_string()))?;
        }
        if let Some(secret) = self.identity_secret.as_deref() {
            check_identity_secret(secret)?;
        }
        // A link stored before it was checked may be sent back as it is (a
        // client that reads the site, changes one field and puts it all).
        if let Some(url) = self.console_url.as_deref() {
            if stored.is_none_or(|site| site.console_url != url) {
                check_console_url(url)?;
            }
        }
        if let Some(days) = self.retention_days {
            if !(1..=3650).contains(&days) {
                return Err(ApiError::InvalidRequest(
                    "retention_days must be 1 to 3650".into(),
                ));
            }
        }
        if let Some(days) = self.journey_days {
            if !(1..=3650).contains(&days) {
                return Err(ApiError::InvalidRequest(
                    "journey_days must be 1 to 3650".into(),
                ));
            }
        }
        let stored_bots = stored.map(Site::bots).unwrap_or_default();
        let bots = BotPolicy {
            record_automation: self
                .record_automation
                .unwrap_or(stored_bots.record_automation),
            bot_patterns: self.bot_patterns.unwrap_or(stored_bots.bot_patterns),
            allowed_agents: self.allowed_agents.unwrap_or(stored_bots.allowed_agents),
        };
        check_policy(&bots).map_err(ApiError::InvalidRequest)?;
        // A stored text column, or its value for a new site.
        let kept = |column: fn(&Site) -> &String, new_site: &str| {
            stored.map_or_else(|| new_site.to_owned(), |site| column(site).clone())
        };
        let list = |new: Option<String>, column: fn(&Site) -> &String| {
            new.unwrap_or_else(|| kept(column, "[]"))
        };
        Ok(Site {
            id: id.to_owned(),
            name,
            allowed_origins: list(
                self.allowed_origins
                    .map(|l| to_json(&normalized_origins(&l))),
                |s| &s.allowed_origins,
            ),
            identity_secret: self
                .identity_secret
                .unwrap_or_else(|| kept(|s| &s.identity_secret, "")),
            time_zone: self
                .time_zone
                .unwrap_or_else(|| kept(|s| &s.time_zone, "UTC")),
            retention_days: self.retention_days.unwrap_or_else(|| {
                stored.map_or(DEFAULT_RETENTION_DAYS, |site| site.retention_days)
            }),
            journey_days: self
                .journey_days
                .unwrap_or_else(|| stored.map_or(DEFAULT_RETENTION_DAYS, |site| site.journey_days)),
            default_team: self
                .default_team
                .unwrap_or_else(|| kept(|s| &s.default_team, "")),
            routing_rules: list(self.routing_rules.map(|r| to_json(&r)), |s| {
                &s.routing_rules
            }),
            page_rules: list(self.page_rules.map(|r| to_json(&r)), |s| &s.page_rules),
            intake_key_hash: kept(|s| &s.intake_key_hash, ""),
            console_url: self
                .console_url
                .unwrap_or_else(|| kept(|s| &s.console_url, "")),
            record_automation: i64::from(bots.record_automation),
            bot_patterns: to_json(&bots.bot_patterns),
            allowed_agents: to_json(&bots.allowed_agents),
            search_terms: i64::from(
                self.search_terms
                    .unwrap_or_else(|| stored.is_some_and(|site| site.search_terms != 0)),
            ),
        })
    }
}

/// An update's allowed origins: each an http(s) origin of at most 200 bytes.
pub fn check_origins(origins: &[String]) -> Result<(), ApiError> {
    if origins.iter().all(|origin| is_origin(origin)) {
        Ok(())
    } else {
        Err(ApiError::InvalidRequest(
            "allowed_origins must be http(s) origins: scheme://host[:port], no path, wildcard or space"
                .into(),
        ))
    }
}

/// Origins as a browser sends them, each once: the scheme and host in lower
/// case, without a trailing `/` or the scheme's own port (`https://Shop.example:443/`
/// → `https://shop.example`), which `Origin` never carries.
fn normalized_origins(origins: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(origins.len());
    for origin in origins {
        let mut origin = origin.trim_end_matches('/').to_ascii_lowercase();
        for default in [("https://", ":443"), ("http://", ":80")] {
            if origin.starts_with(default.0) && origin.ends_with(default.1) {
                origin.truncate(origin.len() - default.1.len());
            }
        }
        if !out.contains(&origin) {
            out.push(origin);
        }
    }
    out
}

/// What a browser sends as `Origin`: `http(s)://host[:port]` (a trailing `/`
/// is tolerated, as `allows` ignores it); openapi.json states the same
/// pattern. Anything with a path, query,
/// user, wildcard or space could never equal one, so it would allow
/// nothing while looking as if it did.
fn is_origin(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return false;
    };
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    origin.len() <= 200 && host_of_authority(authority).is_some_and(is_host)
}

/// A URL's host as a name in ASCII (`shop.example`, `localhost`) or an IPv6
/// address in brackets: no user, wildcard, space or stray character.
fn is_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        !inner.is_empty()
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    } else {
        host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
    }
}

/// The longest console URL kept: a link, far longer than any console's
/// address, far shorter than a notice's body.
pub const MAX_CONSOLE_URL: usize = 2000;

/// An update's console URL, the link webhook, escalation and unseen-reply
/// notices carry to a conversation: `""` (no link), or an absolute https://
/// URL (http:// only on this machine: localhost, 127.0.0.1, [::1]) of at most
/// `MAX_CONSOLE_URL` characters, without credentials, and without a fragment
/// (the link's own `#/conversations/…` follows it) or anything a URL must
/// escape — a `javascript:` or `data:` link, a space, or `<`, `>` and `|`,
/// which would end a Slack link early. openapi.json states the same pattern.
pub fn check_console_url(url: &str) -> Result<(), ApiError> {
    if url.is_empty() || is_console_url(url) {
        Ok(())
    } else {
        Err(ApiError::InvalidRequest(format!(
            "console_url: \"\" or an absolute https:// URL (http:// only for localhost, 127.0.0.1 or [::1]) of at most {MAX_CONSOLE_URL} characters, without credentials, a fragment, spaces or characters a URL escapes"
        )))
    }
}

fn is_console_url(url: &str) -> bool {
    let (rest, this_machine) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (rest, false),
        (None, Some(rest)) => (rest, true),
        (None, None) => return false,
    };
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    // A user (`user:pw@host`) makes the host no host.
    let host_ok = host_of_authority(authority).is_some_and(|host| {
        if this_machine {
            matches!(host, "localhost" | "127.0.0.1" | "[::1]")
        } else {
            is_host(host)
        }
    });
    // RFC 3986's unreserved and reserved characters and escapes, but `#`.
    let tail_ok = tail
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~:/?[]@!$&'()*+,;=%".contains(&b));
    url.len() <= MAX_CONSOLE_URL && host_ok && tail_ok
}

/// The host of a URL's authority (`host[:port]`), or `None` when the port
/// is not one (1 to 65535, digits only, no leading zero). An IPv6 host's
/// colons are inside its brackets.
pub(crate) fn host_of_authority(authority: &str) -> Option<&str> {
    match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => {
            let port_ok = !port.starts_with('0')
                && port.bytes().all(|b| b.is_ascii_digit())
                && port.parse::<u16>().is_ok();
            port_ok.then_some(host)
        }
        _ => Some(authority),
    }
}

/// The secret the site's server signs user ids with: a guessable one would
/// let anyone claim to be any user, so 16 to 200 characters; `""` removes it.
fn check_identity_secret(secret: &str) -> Result<(), ApiError> {
    let length = secret.chars().count();
    if secret.is_empty() || ((16..=200).contains(&length) && !secret.contains(char::is_control)) {
        Ok(())
    } else {
        Err(ApiError::InvalidRequest(
            "identity_secret must be 16 to 200 characters without control characters (or \"\" to remove it)"
                .into(),
        ))
    }
}

/// A list as the JSON text it is stored as.
fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_may_name_only_teams_the_site_has_once_it_has_any() {
        let update: SiteUpdate = serde_json::from_str(
            r#"{"default_team":"support","routing_rules":[{"topic":"refund","team":"ghost"}]}"#,
        )
        .unwrap();
        let teams = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert_eq!(
            update.unknown_team(&teams(&[])),
            None,
            "set up before its teams"
        );
        assert_eq!(update.unknown_team(&teams(&["support"])), Some("ghost"));
        assert_eq!(update.unknown_team(&teams(&["ghost"])), Some("support"));
        assert_eq!(update.unknown_team(&teams(&["support", "ghost"])), None);
        let cleared: SiteUpdate =
            serde_json::from_str(r#"{"default_team":"","name":"x"}"#).unwrap();
        assert_eq!(cleared.unknown_team(&teams(&["support"])), None);
    }

    #[test]
    fn an_update_sends_only_what_it_sets() {
        let update = SiteUpdate {
            default_team: Some("support".into()),
            record_automation: Some(false),
            ..SiteUpdate::default()
        };
        let json = serde_json::to_string(&update).unwrap();
        assert_eq!(
            json,
            r#"{"default_team":"support","record_automation":false}"#
        );
        let back: SiteUpdate = crate::domain::api::parse_body(&json).unwrap();
        assert_eq!(
            (back.default_team, back.record_automation, back.name),
            (Some("support".into()), Some(false), None)
        );
    }

    fn allows(stored: &str, origin: &str) -> bool {
        AllowedOrigins::parse(stored).allows(Some(origin))
    }

    #[test]
    fn listed_origins_are_allowed_and_others_are_not() {
        let stored = r#"["https://shop.example", "https://www.shop.example/"]"#;
        assert!(allows(stored, "https://shop.example"));
        // A trailing slash in the list is ignored; case is not significant.
        assert!(allows(stored, "https://www.shop.example"));
        assert!(allows(stored, "HTTPS://Shop.Example"));
        assert!(!allows(stored, "https://evil.example"));
        assert!(!allows(stored, "https://shop.example.evil.example"));
        assert!(!allows(stored, "http://shop.example"));
        // Another port is another origin.
        assert!(!allows(stored, "https://shop.example:8443"));
        assert!(!allows(
            r#"["https://shop.example:8443"]"#,
            "https://shop.example"
        ));
        assert!(allows(
            r#"["https://shop.example:8443"]"#,
            "https://shop.example:8443"
        ));
        // Requests without an Origin header are not from pages.
        assert!(AllowedOrigins::parse(stored).allows(None));
    }

    #[test]
    fn an_empty_list_allows_any_page() {
        assert_eq!(AllowedOrigins::parse("[]"), AllowedOrigins::Any);
        assert!(allows("[]", "http://127.0.0.1:8787"));
        assert!(allows(" [ ] ", "https://anything.example"));
    }

    #[test]
    fn entries_that_are_not_plain_origins_match_nothing_else() {
        // "*" is not a wildcard: it names no page.
        assert!(!allows(r#"["*"]"#, "https://shop.example"));
        // A path is not an origin; a page's Origin header never has one.
        assert!(!allows(
            r#"["https://shop.example/checkout"]"#,
            "https://shop.example"
        ));
        // Padded entries are not trimmed into a match.
        assert!(!allows(
            r#"[" https://shop.example "]"#,
            "https://shop.example"
        ));
        assert!(!allows(r#"[""]"#, "https://shop.example"));
        assert!(!allows(r#"["https://shop.example"]"#, ""));
    }

    #[test]
    fn a_malformed_stored_list_fails_closed() {
        for stored in [
            "",
            " ",
            "*",
            "\"*\"",
            "null",
            "{}",
            r#"{"origins": ["https://shop.example"]}"#,
            "[1, 2]",
            r#"["https://shop.example", 3]"#,
            "[\"https://shop.example\"",
            "https://shop.example",
            "garbage \u{0}\u{ffff}",
        ] {
            let parsed = AllowedOrigins::parse(stored);
            assert_eq!(parsed, AllowedOrigins::Only(Vec::new()), "{stored:?}");
            assert!(!parsed.allows(Some("https://shop.example")), "{stored:?}");
            assert!(!parsed.allows(Some("-")), "{stored:?}");
            assert!(!parsed.allows(Some("")), "{stored:?}");
        }
    }

    #[test]
    fn stored_lists_are_read_leniently_except_origins() {
        let site = Site {
            routing_rules: r#"[{"topic":"billing","team":"accounts"}]"#.into(),
            page_rules: "not json".into(),
            record_automation: 1,
            bot_patterns: r#"["monitor"]"#.into(),
            allowed_agents: "{}".into(),
            ..Site::default()
        };
        assert_eq!(site.routing().len(), 1);
        assert!(site.pages().is_empty());
        let bots = site.bots();
        assert!(bots.record_automation);
        assert_eq!(bots.bot_patterns, vec!["monitor".to_owned()]);
        assert!(bots.allowed_agents.is_empty());
        assert_eq!(site.origins(), AllowedOrigins::Only(Vec::new()));
    }

    fn update(json: &str) -> SiteUpdate {
        serde_json::from_str(json).unwrap()
    }

    fn stored() -> Site {
        Site {
            id: "shop".into(),
            name: "Shop".into(),
            allowed_origins: r#"["https://shop.example"]"#.into(),
            identity_secret: "0123456789abcdef0123".into(),
            time_zone: "Europe/Berlin".into(),
            retention_days: 30,
            journey_days: 30,
            default_team: "support".into(),
            routing_rules: r#"[{"topic":"billing","team":"accounts"}]"#.into(),
            page_rules: r#"[{"prefix":"/help","type":"support"}]"#.into(),
            intake_key_hash: "hash-of-the-intake-key".into(),
            console_url: "https://console.shop.example/".into(),
            record_automation: 1,
            bot_patterns: r#"["monitor"]"#.into(),
            allowed_agents: r#"["uptime"]"#.into(),
            search_terms: 1,
        }
    }

    #[test]
    fn a_new_site_needs_a_name_and_gets_the_defaults() {
        assert_eq!(
            update("{}").apply("shop", None),
            Err(ApiError::InvalidRequest("name is required".into()))
        );
        let site = update(r#"{"name": "Shop"}"#).apply("shop", None).unwrap();
        assert_eq!(
            site,
            Site {
                id: "shop".into(),
                name: "Shop".into(),
                allowed_origins: "[]".into(),
                time_zone: "UTC".into(),
                retention_days: DEFAULT_RETENTION_DAYS,
                journey_days: DEFAULT_RETENTION_DAYS,
                routing_rules: "[]".into(),
                page_rules: "[]".into(),
                bot_patterns: "[]".into(),
                allowed_agents: "[]".into(),
                ..Site::default()
            }
        );
        // A new site allows any page until origins are set.
        assert_eq!(site.origins(), AllowedOrigins::Any);
    }

    #[test]
    fn fields_left_out_keep_their_stored_values() {
        let before = stored();
        assert_eq!(
            update("{}").apply("shop", Some(&before)),
            Ok(before.clone())
        );
        let after =
            update(r#"{"time_zone": "UTC", "allowed_origins": [], "record_automation": false}"#)
                .apply("shop", Some(&before))
                .unwrap();
        assert_eq!(after.time_zone, "UTC");
        assert_eq!(after.origins(), AllowedOrigins::Any);
        // One bot setting changed; the site's lists stay.
        assert_eq!(after.record_automation, 0);
        assert_eq!(after.bot_patterns, before.bot_patterns);
        assert_eq!(after.allowed_agents, before.allowed_agents);
        // What updates never name stays as stored.
        assert_eq!(after.intake_key_hash, before.intake_key_hash);
        assert_eq!(
            Site {
                time_zone: before.time_zone.clone(),
                allowed_origins: before.allowed_origins.clone(),
                record_automation: 1,
                ..after
            },
            before
        );
    }

    #[test]
    fn fields_set_replace_the_stored_ones() {
        let after = update(
            r#"{"name": "New", "routing_rules": [], "page_rules": [{"prefix": "/p", "type": "product"}],
                "identity_secret": "", "retention_days": 3650, "search_terms": false,
                "bot_patterns": ["crawler-x"], "default_team": "sales", "console_url": ""}"#,
        )
        .apply("shop", Some(&stored()))
        .unwrap();
        assert_eq!(after.name, "New");
        assert_eq!(after.routing_rules, "[]");
        assert_eq!(after.pages().len(), 1);
        assert_eq!(after.identity_secret, "", "an empty secret removes it");
        assert_eq!(after.retention_days, 3650);
        assert_eq!(after.search_terms, 0);
        assert_eq!(after.bots().bot_patterns, vec!["crawler-x".to_owned()]);
        assert_eq!(after.default_team, "sales");
        assert_eq!(after.console_url, "");
    }

    #[test]
    fn every_field_set_is_checked_even_on_an_existing_site() {
        let refused = |json: &str| match update(json).apply("shop", Some(&stored())) {
            Err(ApiError::InvalidRequest(message)) => message,
            other => panic!("{json}: {other:?}"),
        };
        assert_eq!(refused(r#"{"name": " "}"#), "name is required");
        let long = ["https://", &"a".repeat(200)].concat();
        // Outside reviews stored the paths, wildcards and ports below, which no
        // browser's Origin can equal (it leaves the scheme's own port out).
        for origin in [
            "shop.example",
            &long,
            "https://shop.example/path",
            "https://*.example.com",
            "https://shop.example?x=1",
            "https://user@shop.example",
            "https://shop example",
            "https://shop.example:80a",
            "https://",
            "https://shop.example:99999",
            "https://shop.example:0",
            "https://shop.example.",
            "https://a..b",
            "https://shop.example:65536",
        ] {
            let json = serde_json::json!({ "allowed_origins": [origin] }).to_string();
            assert!(
                refused(&json).starts_with("allowed_origins must be http(s) origins"),
                "{origin}"
            );
        }
        for origin in [
            "https://shop.example",
            "http://localhost:8962",
            "https://shop.example/",
            "http://[::1]:8787",
            "https://xn--bcher-kva.example",
            "https://shop.example:8443",
            "http://shop.example:443",
            "https://shop.example:443",
            "https://shop.example:65535",
        ] {
            let json = serde_json::json!({ "allowed_origins": [origin] }).to_string();
            assert!(
                update(&json).apply("shop", Some(&stored())).is_ok(),
                "{origin}"
            );
        }
        // Stored as a browser sends them, each once.
        let as_sent = serde_json::json!({ "allowed_origins": [
            "https://Shop.example:443/", "https://shop.example", "http://shop.example:80", "http://shop.example:8080"] });
        let site = update(&as_sent.to_string())
            .apply("shop", Some(&stored()))
            .unwrap();
        assert_eq!(
            site.allowed_origins,
            r#"["https://shop.example","http://shop.example","http://shop.example:8080"]"#
        );
        assert!(refused(r#"{"time_zone": "Mars/Olympus"}"#).contains("Mars/Olympus"));
        assert!(refused(r#"{"identity_secret": "short"}"#).starts_with("identity_secret"));
        assert!(
            refused(r#"{"identity_secret": "0123456789abcdef\n"}"#).starts_with("identity_secret")
        );
        assert_eq!(
            refused(r#"{"retention_days": 0}"#),
            "retention_days must be 1 to 3650"
        );
        assert_eq!(
            refused(r#"{"retention_days": 3651}"#),
            "retention_days must be 1 to 3650"
        );
        assert_eq!(
            refused(r#"{"journey_days": 0}"#),
            "journey_days must be 1 to 3650"
        );
        assert!(
            refused(&["{\"bot_patterns\": [\"", &"x".repeat(1000), "\"]}"].concat())
                .contains("bot_patterns")
        );
        assert!(serde_json::from_str::<SiteUpdate>(r#"{"nmae": "typo"}"#).is_err());
    }

    #[test]
    fn a_console_url_is_an_https_link_or_this_machines() {
        let long = ["https://console.example/", &"a".repeat(MAX_CONSOLE_URL)].concat();
        for url in [
            "",
            "https://console.shop.example/",
            "https://console.shop.example",
            "https://c.example:8443/tp/?tenant=a&x=%20",
            "https://intranet/console/",
            "https://[2001:db8::1]/console/",
            "http://localhost:8787/console/",
            "http://127.0.0.1:9999/console/",
            "http://[::1]/",
            &long[..MAX_CONSOLE_URL],
        ] {
            assert_eq!(check_console_url(url), Ok(()), "{url}");
        }
        for url in [
            "javascript:alert(1)//",
            "data:text/html,<script>alert(1)</script>",
            "not a url at all",
            &long,
            "http://console.example/",
            "http://localhost.example/",
            "https://user:pw@console.example/",
            "https://user@console.example/",
            "https://console.example/#/inbox",
            "https://console.example/a b",
            "https://console.example/<x>|y",
            "https://console.example/\\x",
            "https://console.example:0/",
            "https://console.example:65536/",
            "https://console.example:/",
            "https://console..example/",
            "https://caf\u{e9}.example/",
            "HTTPS://console.example/",
            "https://",
            "https:///path",
        ] {
            let refused = check_console_url(url).unwrap_err();
            assert!(refused.to_string().contains("console_url: "), "{url}");
        }
        // Checked on update only: a site stored before keeps its link.
        let bad =
            update(r#"{"console_url": "javascript:alert(1)//"}"#).apply("shop", Some(&stored()));
        assert!(matches!(bad, Err(ApiError::InvalidRequest(_))));
        let kept = update("{}").apply("shop", Some(&stored())).unwrap();
        assert_eq!(kept.console_url, stored().console_url);
        // Sent back as stored (read, one field changed, all put): kept.
        let mut old = stored();
        old.console_url = "http://touchpoint.lan/console/".into();
        let round_trip =
            update(r#"{"console_url": "http://touchpoint.lan/console/", "name": "Renamed"}"#)
                .apply("shop", Some(&old))
                .unwrap();
        assert_eq!(round_trip.console_url, "http://touchpoint.lan/console/");
        let changed =
            update(r#"{"console_url": "http://touchpoint.lan/other/"}"#).apply("shop", Some(&old));
        assert!(matches!(changed, Err(ApiError::InvalidRequest(_))));
    }

    /// openapi.json's pattern for console_url, without its anchors and
    /// the empty alternative: every URL it describes is accepted.
    fn documented_console_url() -> String {
        let spec: serde_json::Value =
            serde_json::from_str(include_str!("../../openapi.json")).expect("openapi.json");
        let field = &spec["paths"]["/v1/admin/sites/{site}"]["put"]["requestBody"]["content"]
            ["application/json"]["schema"]["properties"]["console_url"]["anyOf"][0];
        assert_eq!(field["maxLength"], MAX_CONSOLE_URL);
        let pattern = field["pattern"].as_str().expect("a pattern");
        let inner = pattern
            .strip_prefix("^$|^")
            .and_then(|p| p.strip_suffix('$'))
            .expect("^$|^…$");
        inner.to_owned()
    }

    proptest::proptest! {
        #[test]
        fn every_console_url_the_api_documents_is_accepted(
            url in proptest::string::string_regex(&documented_console_url()).expect("a regex")
        ) {
            proptest::prop_assume!(url.len() <= MAX_CONSOLE_URL);
            proptest::prop_assert_eq!(check_console_url(&url), Ok(()));
        }
    }
}
