//! Which senders are bots: the maintained isbot pattern list (generated into
//! `bot_pattern`, matched by the runtime's regular expressions at the edge),
//! then each site's own choices: agents it allows (its monitoring), patterns
//! it adds, and whether it records its own automated tests.

pub use super::bot_pattern::BOT_PATTERN;

/// A site's own bot rules, set through the operator API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BotPolicy {
    /// Keep events from browsers driven by test automation (headless
    /// Chromium, Playwright, Puppeteer, Selenium): the site records its own
    /// test traffic. A setting, not a flag a page could send.
    pub record_automation: bool,
    /// More user-agent substrings (case-insensitive) to ignore as bots.
    pub bot_patterns: Vec<String>,
    /// User-agent substrings (case-insensitive) always kept, such as the
    /// site's own monitoring agent; they win over every list.
    pub allowed_agents: Vec<String>,
}

/// Longest pattern or agent a site may add (characters), and how many of each.
pub const MAX_PATTERN_CHARS: usize = 200;
pub const MAX_PATTERNS: usize = 50;

/// What test automation adds to a browser's user agent, and what is left
/// for the list to judge once it is removed (a crawler that runs headless is
/// still a crawler).
const AUTOMATION_MARKERS: [(&str, &str); 6] = [
    ("headlesschrome", "chrome"),
    ("headless", ""),
    ("playwright", ""),
    ("puppeteer", ""),
    ("selenium", ""),
    ("phantomjs", ""),
];

/// Automated clients the maintained list misses: page-speed and SEO tools
/// that run a real browser, a crawlers' prerenderer, scanners and script
/// runtimes (an outside audit counted them as visitors).
/// A second audit's generated agents added an assistant fetching for a
/// person without its bot URL, uptime and performance monitors, hosted and
/// scripted browsers, and scripting libraries. (Apps' own HTTP libraries,
/// Dalvik and CFNetwork, and Office's embedded views are kept: a site's
/// native app or an add-in pane may be a person writing.)
const MORE_AUTOMATION: [&str; 15] = [
    "gtmetrix",
    "sitebulb/",
    "calibre",
    "rendertron",
    "jsdom/",
    "nikto/",
    "powershell/",
    "(dart:io)",
    "chatgpt-user",
    "uptime-kuma",
    "dynatrace",
    "nuzzel",
    "slimerjs",
    "browserless",
    "mechanize/",
];

/// People's apps and devices whose tokens the list's broad words take:
/// news apps' own browsers (a person reading a link in Apple News) for
/// `news`, Google's Android apps and TVs for `google`, a handheld named for
/// scanning for `scan`. They are renamed before the list judges the rest.
const PEOPLES_TOKENS: [(&str, &str); 6] = [
    ("applenews/", "apple-reader/"),
    ("smartnews/", "smart-reader/"),
    ("newsbreak/", "break-reader/"),
    ("com.google.android.", "com.g.android."),
    ("google tv", "g-tv"),
    ("scanpal", "scnpal"),
];

fn contains_any(haystack_lower: &str, needles: &[String]) -> bool {
    needles
        .iter()
        .map(|n| n.trim().to_ascii_lowercase())
        .any(|n| !n.is_empty() && haystack_lower.contains(&n))
}

/// Checks a policy sent to the operator API (entries that are only blanks
/// are accepted and never match: see `contains_any`).
pub fn check_policy(policy: &BotPolicy) -> Result<(), String> {
    for (field, list) in [
        ("bot_patterns", &policy.bot_patterns),
        ("allowed_agents", &policy.allowed_agents),
    ] {
        if list.len() > MAX_PATTERNS
            || list
                .iter()
                .any(|p| p.is_empty() || p.chars().count() > MAX_PATTERN_CHARS)
        {
            return Err(format!(
                "{field}: at most {MAX_PATTERNS} non-empty substrings of at most {MAX_PATTERN_CHARS} characters"
            ));
        }
    }
    Ok(())
}

/// Whether a batch from `user_agent` is ignored as a bot's under the site's
/// `policy`; `listed` is the maintained list's verdict on a user agent (the
/// edge runs `BOT_PATTERN` with the runtime's regular expressions).
pub fn is_bot(user_agent: &str, policy: &BotPolicy, listed: impl Fn(&str) -> bool) -> bool {
    let lower = user_agent.trim().to_ascii_lowercase();
    if lower.is_empty() {
        return true;
    }
    if contains_any(&lower, &policy.allowed_agents) {
        return false;
    }
    if contains_any(&lower, &policy.bot_patterns)
        || MORE_AUTOMATION.iter().any(|marker| lower.contains(marker))
    {
        return true;
    }
    let mut judged = lower;
    for (token, instead) in PEOPLES_TOKENS {
        judged = judged.replace(token, instead);
    }
    if policy.record_automation {
        for (marker, instead) in AUTOMATION_MARKERS {
            judged = judged.replace(marker, instead);
        }
    } else if AUTOMATION_MARKERS
        .iter()
        .any(|(marker, _)| judged.contains(marker))
    {
        // The list lacks some markers (Puppeteer's): automation is a bot
        // unless the site records its own.
        return true;
    }
    listed(&judged)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADLESS: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/142.0.0.0 Safari/537.36";
    const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";
    const GOOGLEBOT: &str =
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    /// A stand-in for the maintained list (the real one needs ECMAScript
    /// look-behind; it is tested against fixtures in workerd).
    fn listed(ua: &str) -> bool {
        ["bot", "headless", "crawl", "monitor"]
            .iter()
            .any(|m| ua.to_ascii_lowercase().contains(m))
    }

    #[test]
    fn the_list_decides_by_default_and_an_empty_agent_is_a_bot() {
        let none = BotPolicy::default();
        assert!(is_bot(GOOGLEBOT, &none, listed));
        assert!(is_bot(HEADLESS, &none, listed));
        assert!(!is_bot(CHROME, &none, listed));
        assert!(is_bot("  ", &none, listed));
    }

    #[test]
    fn a_site_records_its_own_automation_but_never_crawlers() {
        let tests = BotPolicy {
            record_automation: true,
            ..BotPolicy::default()
        };
        assert!(!is_bot(HEADLESS, &tests, listed));
        assert!(!is_bot(
            "Mozilla/5.0 Chrome/142 Playwright/1.50",
            &tests,
            listed
        ));
        assert!(is_bot(GOOGLEBOT, &tests, listed));
        let headless_crawler = [HEADLESS, " (compatible; Googlebot/2.1)"].concat();
        assert!(is_bot(&headless_crawler, &tests, listed));
    }

    #[test]
    fn automation_the_list_lacks_is_a_bot_unless_the_site_records_its_own() {
        let puppeteer = [CHROME, " Puppeteer"].concat();
        let nothing_listed = |_: &str| false;
        assert!(is_bot(&puppeteer, &BotPolicy::default(), nothing_listed));
        let tests = BotPolicy {
            record_automation: true,
            ..BotPolicy::default()
        };
        assert!(!is_bot(&puppeteer, &tests, nothing_listed));
        assert!(is_bot(
            "Mozilla/5.0 (compatible; Uptime-Kuma/1.23.11)",
            &tests,
            nothing_listed
        ));
    }

    #[test]
    fn peoples_apps_and_devices_are_not_taken_by_the_lists_broad_words() {
        let broad = |ua: &str| ua.contains("google") || ua.contains("scan") || ua.contains("news");
        let none = BotPolicy::default();
        for ua in [
            [CHROME, " com.google.android.gm"].concat(),
            "Mozilla/5.0 (Linux; Android 12; Google TV Streamer) Chrome/131.0.0.0".into(),
            "Mozilla/5.0 (Linux; Android 10; ScanPal EDA51) Chrome/120.0.0.0".into(),
            [CHROME, " AppleNews/1.0"].concat(),
        ] {
            assert!(!is_bot(&ua, &none, broad), "{ua}");
        }
        assert!(is_bot(GOOGLEBOT, &none, broad));
    }

    #[test]
    fn a_site_adds_patterns_and_allows_its_own_monitoring() {
        let policy = BotPolicy {
            record_automation: false,
            bot_patterns: vec!["ACME-Scraper".into()],
            allowed_agents: vec!["ShopMonitor/".into()],
        };
        assert!(is_bot("Mozilla/5.0 acme-scraper/2.0", &policy, listed));
        assert!(!is_bot("ShopMonitor/1.0 (uptime)", &policy, listed));
        assert!(is_bot("OtherMonitor/1.0", &policy, listed));
        assert!(!is_bot(CHROME, &policy, listed));
    }

    #[test]
    fn policies_are_bounded() {
        let mut policy = BotPolicy::default();
        assert!(check_policy(&policy).is_ok());
        policy.bot_patterns = vec![String::new()];
        assert!(check_policy(&policy).is_err());
        policy.bot_patterns = vec![" ".into()];
        assert!(check_policy(&policy).is_ok());
        assert!(
            !is_bot(CHROME, &policy, listed),
            "a blank pattern matches nothing"
        );
        policy.bot_patterns = vec!["x".repeat(201)];
        assert!(check_policy(&policy).is_err());
        policy.bot_patterns = vec!["x".into(); 51];
        assert!(check_policy(&policy).is_err());
    }

    #[test]
    fn the_generated_pattern_is_isbots_list() {
        assert!(BOT_PATTERN.contains("crawl|"));
        assert!(BOT_PATTERN.contains("headless"));
        assert!(BOT_PATTERN.split('|').count() > 200);
    }
}
