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
/// incoming webhooks (and Mattermost, Rocket.Chat…) accept.
pub fn body(event: &Event, slack: bool) -> String {
    if !slack {
        return serde_json::to_string(event).unwrap_or_default();
    }
    #[derive(Serialize)]
    struct Slack {
        text: String,
    }
    let headline = match event.kind {
        "conversation.waiting" => format!(
            "A visitor has waited {} min for the {} team",
            event.waited_minutes.unwrap_or(0),
            event.team
        ),
        "reply.unseen" => format!("A reply from the {} team has not been seen", event.team),
        other => other.to_owned(),
    };
    let text = format!(
        "{headline}: {} <{}|Open in Touchpoint>",
        event.summary, event.url
    );
    serde_json::to_string(&Slack { text }).unwrap_or_default()
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
}
