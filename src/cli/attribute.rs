//! `touchpoint attribute`: how a visit gets its channel, as the product
//! decides it (the recorder in the browser, then the edge's full lists).

use std::io::Write;
use std::process::ExitCode;

use serde::Deserialize;

use crate::domain::attribution::host_of;
use crate::domain::referrers::explain;

/// A line of input. Unknown fields are refused: a misspelt `referer` would
/// otherwise be attributed as a direct visit without a word.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
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

/// Refuses input that would pass for a direct visit unread: a landing URL
/// that is neither absolute http(s) with a host, nor a path (`/…`, as access
/// logs record it), nor `host.tld/…` without its scheme; and a referrer that
/// is neither empty nor `scheme://host…` (as browsers send it,
/// `android-app://` included).
fn checked(url: &str, referrer: &str) -> Result<(), String> {
    let http = ["http://", "https://"].iter().any(|scheme| {
        url.get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    });
    let bare_host = url
        .split(['/', '?', '#'])
        .next()
        .is_some_and(|host| host.contains('.') && !host.contains("://"));
    let landing = if http {
        !host_of(url).is_empty()
    } else {
        url.starts_with('/') || bare_host
    };
    if !landing || url.contains(char::is_whitespace) {
        return Err(format!(
            "the landing URL {url:?} is not a URL: give an absolute http(s) URL, host/path or /path"
        ));
    }
    let scheme = referrer.split_once("://").map_or("", |(scheme, _)| scheme);
    let referrer_ok = referrer.is_empty()
        || (!scheme.is_empty()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
            && !host_of(referrer).is_empty());
    if !referrer_ok {
        return Err(format!(
            "the referrer {referrer:?} is not a URL with a host"
        ));
    }
    Ok(())
}

/// One visit's attribution as a JSON line, or why its input is refused.
fn attributed(url: &str, referrer: &str, site: &str) -> Result<String, String> {
    checked(url, referrer)?;
    Ok(explained_json(url, referrer, site).to_string())
}

/// Attributes `url` (with `referrer` and `site`), or every JSON line
/// `{"url", "referrer"?, "site"?}` on stdin; one JSON line out per input.
pub fn run(url: Option<String>, referrer: &str, site: &str) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Some(url) = url {
        let answer = match attributed(&url, referrer, site) {
            Ok(answer) => answer,
            Err(error) => {
                eprintln!("touchpoint attribute: {error}");
                return ExitCode::from(2);
            }
        };
        return match writeln!(out, "{answer}") {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::from(2),
        };
    }
    super::json_lines::answer_each("attribute", std::io::stdin().lock(), out, |input: Input| {
        attributed(&input.url, &input.referrer, &input.site)
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
