//! `touchpoint attribute`: how a visit gets its channel, as the product
//! decides it (the recorder in the browser, then the edge's full lists).

use std::io::Write;
use std::process::ExitCode;

use serde::Deserialize;

use crate::domain::referrers::explain;

#[derive(Deserialize)]
struct Input {
    url: String,
    #[serde(default)]
    referrer: String,
    #[serde(default)]
    site: String,
}

/// One visit's attribution as a JSON object.
pub fn explained_json(url: &str, referrer: &str, site: &str) -> serde_json::Value {
    let e = explain(url, referrer, site);
    let mut out = serde_json::json!({
        "channel": e.channel.as_str(),
        "source": e.source_name,
    });
    let c = &e.campaign;
    for (key, value) in [
        ("term", &c.term),
        ("utm_source", &c.source),
        ("utm_medium", &c.medium),
        ("campaign", &c.campaign),
        ("content", &c.content),
        ("click_id", &c.click_id),
    ] {
        if !value.is_empty() {
            out[key] = serde_json::Value::String(value.clone());
        }
    }
    out["referrer_sent"] = e.referrer_sent.into();
    out["browser"] = serde_json::json!({"channel": e.browser.0.as_str(), "source": e.browser.1});
    out
}

/// Attributes `url` (with `referrer` and `site`), or every JSON line
/// `{"url", "referrer"?, "site"?}` on stdin; one JSON line out per input.
pub fn run(url: Option<String>, referrer: &str, site: &str) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Some(url) = url {
        return match writeln!(out, "{}", explained_json(&url, referrer, site)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::from(2),
        };
    }
    super::json_lines::answer_each("attribute", std::io::stdin().lock(), out, |input: Input| {
        explained_json(&input.url, &input.referrer, &input.site).to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_channel_source_and_campaign_as_the_product_decides() {
        let out = explained_json(
            "https://shop.example/?utm_source=chatgpt.com&utm_term=Shoes",
            "",
            "",
        );
        assert_eq!(out["channel"], "ai_assistant");
        assert_eq!(out["source"], "ChatGPT");
        assert_eq!(out["term"], "shoes");
        assert_eq!(out["browser"]["channel"], "direct");
        let mail = explained_json(
            "https://shop.example/",
            "https://email.ionos.de/",
            "shop.example",
        );
        assert_eq!(
            (mail["channel"].as_str(), mail["source"].as_str()),
            (Some("email"), Some("IONOS Mail"))
        );
        assert!(mail.get("campaign").is_none());
    }
}
