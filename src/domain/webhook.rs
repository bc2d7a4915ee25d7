//! Outbound webhooks: what a team's endpoint receives when a conversation needs
//! attention, how the body is signed, and when a failed delivery is retried.
//!
//! The signature follows the common `t=<unix seconds>,v1=<hex>` scheme: the
//! HMAC-SHA256, under the webhook's secret, of `"<t>.<body>"`. Receivers check
//! it and reject timestamps older than a few minutes to stop replays.

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

/// Deliveries are attempted at most this often before giving up.
pub const MAX_ATTEMPTS: u32 = 6;

/// The `X-Touchpoint-Signature` header value for `body` sent at `timestamp_s`.
pub fn signature(secret: &str, timestamp_s: i64, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    let timestamp = timestamp_s.to_string();
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={timestamp},v1={hex}")
}

/// Seconds to wait before attempt `attempt + 1` after `attempt` failed
/// (1-based): 30 s, 2 min, 8 min, 32 min, then hourly. `None`: give up.
pub fn retry_delay_s(attempt: u32) -> Option<u32> {
    if attempt >= MAX_ATTEMPTS {
        return None;
    }
    Some(
        30u32
            .saturating_mul(4u32.saturating_pow(attempt.saturating_sub(1)))
            .min(3600),
    )
}

/// What happened, as a webhook event.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// `conversation.waiting` (past the team's target) or `reply.unseen`.
    pub kind: &'static str,
    pub site: String,
    pub team: String,
    pub conversation: String,
    /// A short human summary (no personal data beyond what staff already see).
    pub summary: String,
    /// Minutes the visitor has waited, for `conversation.waiting`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waited_minutes: Option<u32>,
    /// Where to deliver a reply the visitor has not seen, for `reply.unseen`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The staff replies the visitor has not seen, for `reply.unseen`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replies: Vec<String>,
    /// The console link to the conversation.
    pub url: String,
}

/// The body for the webhook's format: Touchpoint's own JSON, or a body Slack's
/// incoming webhooks (and Mattermost, Rocket.Chat…) accept. In Slack's the
/// address and the replies are written out: for `reply.unseen` and
/// `reply.outbound` the people reading the channel are the ones who send them.
pub fn body(event: &Event, slack: bool) -> String {
    if !slack {
        return serde_json::to_string(event).unwrap_or_default();
    }
    #[derive(Serialize)]
    struct Slack {
        text: String,
    }
    let team = slack_escaped(&event.team);
    let mut text = match event.kind {
        "conversation.waiting" => format!(
            "A visitor has waited {} min for the {team} team: {}",
            event.waited_minutes.unwrap_or(0),
            slack_escaped(&event.summary)
        ),
        "reply.unseen" => format!(
            "A reply from the {team} team has not been seen ({})",
            slack_escaped(&event.summary)
        ),
        // The summary is the channel the visitor wrote from.
        "reply.outbound" => format!(
            "Send the {team} team's reply by {}",
            slack_escaped(&event.summary)
        ),
        other => other.to_owned(),
    };
    if let Some(address) = &event.email {
        text.push_str(if event.kind == "reply.unseen" {
            ": send it to "
        } else {
            " to "
        });
        text.push_str(&slack_escaped(address));
    }
    for reply in &event.replies {
        text.push_str("\n> ");
        text.push_str(&slack_escaped(reply).replace('\n', "\n> "));
    }
    // Only a full URL makes a link (a site without a console URL has none).
    if event.url.starts_with("http") {
        text.push_str("\n<");
        text.push_str(&event.url);
        text.push_str("|Open in Touchpoint>");
    }
    serde_json::to_string(&Slack { text }).unwrap_or_default()
}

/// Text as Slack's message format reads it literally: `&`, `<` and `>` are
/// its markup (`<url|label>`, `<!channel>`), so a visitor's words cannot
/// ping a channel or pass as a link.
fn slack_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_cover_timestamp_and_body() {
        let a = signature("whsec", 1_800_000_000, r#"{"kind":"x"}"#);
        assert!(a.starts_with("t=1800000000,v1="));
        assert_eq!(a.len(), "t=1800000000,v1=".len() + 64);
        assert_ne!(a, signature("whsec", 1_800_000_001, r#"{"kind":"x"}"#));
        assert_ne!(a, signature("whsec", 1_800_000_000, r#"{"kind":"y"}"#));
        assert_ne!(a, signature("other", 1_800_000_000, r#"{"kind":"x"}"#));
        // Same construction as the identity HMAC, over "<t>.<body>".
        let expected = super::super::guard::identity_hmac("whsec", r#"1800000000.{"kind":"x"}"#);
        assert!(a.ends_with(&expected));
    }

    #[test]
    fn retries_back_off_then_stop() {
        assert_eq!(retry_delay_s(1), Some(30));
        assert_eq!(retry_delay_s(2), Some(120));
        assert_eq!(retry_delay_s(3), Some(480));
        assert_eq!(retry_delay_s(5), Some(3600));
        assert_eq!(retry_delay_s(MAX_ATTEMPTS), None);
    }

    #[test]
    fn slack_bodies_are_a_single_text_field() {
        let event = Event {
            kind: "conversation.waiting",
            site: "demo".into(),
            team: "billing".into(),
            conversation: "c1".into(),
            summary: "refund, negative".into(),
            waited_minutes: Some(12),
            email: None,
            replies: vec![],
            url: "https://x/console/#c1".into(),
        };
        let slack: serde_json::Value = serde_json::from_str(&body(&event, true)).unwrap();
        assert!(slack["text"]
            .as_str()
            .unwrap()
            .contains("waited 12 min for the billing team"));
        let own: serde_json::Value = serde_json::from_str(&body(&event, false)).unwrap();
        assert_eq!(own["kind"], "conversation.waiting");
        assert!(own.get("email").is_none());
    }

    #[test]
    fn slack_bodies_carry_the_reply_and_where_it_goes() {
        // An outside review: a Slack-format team webhook got
        // "reply.outbound: email <|Open in Touchpoint>", so replies to
        // e-mail conversations reached nobody.
        let outbound = Event {
            kind: "reply.outbound",
            site: "demo".into(),
            team: "billing".into(),
            conversation: "c1".into(),
            summary: "email".into(),
            waited_minutes: None,
            email: Some("jo@example.com".into()),
            replies: vec!["Hello Jo,\nwe refunded <b>the second</b> charge & more.".into()],
            url: String::new(),
        };
        let slack: serde_json::Value = serde_json::from_str(&body(&outbound, true)).unwrap();
        assert_eq!(
            slack["text"],
            "Send the billing team's reply by email to jo@example.com\n> Hello Jo,\n> we refunded &lt;b&gt;the second&lt;/b&gt; charge &amp; more."
        );
        let unseen = Event {
            kind: "reply.unseen",
            summary: "refund, negative".into(),
            url: "https://console.example/#/conversations/c1".into(),
            ..outbound
        };
        let slack: serde_json::Value = serde_json::from_str(&body(&unseen, true)).unwrap();
        assert_eq!(
            slack["text"],
            "A reply from the billing team has not been seen (refund, negative): send it to jo@example.com\n> Hello Jo,\n> we refunded &lt;b&gt;the second&lt;/b&gt; charge &amp; more.\n<https://console.example/#/conversations/c1|Open in Touchpoint>"
        );
    }
}
