//! Which conversations stand behind a bar of the insights page: the trouble
//! conversations whose journey included a page or a campaign (exactly those
//! the "before trouble" charts count), or the conversations of one topic,
//! optionally on one day and with one tone. Staff go from a chart to the
//! conversations it summarises.

use super::api::ApiError;
use super::conversation::check_short;

/// One chart bar, as named by the drill-down's query parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bar {
    /// A page path from "pages before trouble".
    Page(String),
    /// A label from "channels and campaigns before trouble" (`email · spring-sale`, `organic_search`).
    Campaign(String),
    /// A topic from "conversations by topic", narrowed to a UTC day (`YYYY-MM-DD`) and a tone when given.
    Topic {
        topic: String,
        day: Option<String>,
        sentiment: Option<String>,
    },
}

/// The tones a conversation can have.
const SENTIMENTS: [&str; 3] = ["negative", "neutral", "positive"];

/// The bar named by exactly one of `page`, `campaign` or `topic` (empty
/// values count as absent); `day` and `sentiment` only narrow a topic.
pub fn bar(
    page: Option<String>,
    campaign: Option<String>,
    topic: Option<String>,
    day: Option<String>,
    sentiment: Option<String>,
) -> Result<Bar, ApiError> {
    let given = |value: Option<String>| value.filter(|v| !v.is_empty());
    let (page, campaign, topic) = (given(page), given(campaign), given(topic));
    let (day, sentiment) = (given(day), given(sentiment));
    for (field, value) in [("page", &page), ("campaign", &campaign), ("topic", &topic)] {
        if let Some(value) = value {
            check_long(field, value)?;
        }
    }
    if topic.is_none() && (day.is_some() || sentiment.is_some()) {
        return Err(invalid("day and sentiment narrow a topic: give topic too"));
    }
    if let Some(day) = &day {
        if !is_day(day) {
            return Err(invalid("day must be a date as YYYY-MM-DD"));
        }
    }
    if let Some(sentiment) = &sentiment {
        if !SENTIMENTS.contains(&sentiment.as_str()) {
            return Err(invalid("sentiment must be negative, neutral or positive"));
        }
    }
    match (page, campaign, topic) {
        (Some(page), None, None) => Ok(Bar::Page(page)),
        (None, Some(campaign), None) => Ok(Bar::Campaign(campaign)),
        (None, None, Some(topic)) => {
            check_short("topic", &topic, true)?;
            Ok(Bar::Topic {
                topic,
                day,
                sentiment,
            })
        }
        _ => Err(invalid("give exactly one of page, campaign or topic")),
    }
}

/// Paths and campaign labels are stored up to 2,048 characters.
fn check_long(field: &str, value: &str) -> Result<(), ApiError> {
    if value.len() > 2048 || value.contains(char::is_control) {
        let mut message = String::from(field);
        message.push_str(" must be at most 2048 bytes, without control characters");
        return Err(ApiError::InvalidRequest(message));
    }
    Ok(())
}

/// `YYYY-MM-DD` with a plausible month and day (the query compares it with
/// SQLite's `strftime('%Y-%m-%d')`, so anything else would match nothing).
fn is_day(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .filter(|b| b.iter().all(u8::is_ascii_digit))
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(|s| s.parse::<u32>().ok())
    };
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && digits(0..4).is_some()
        && digits(5..7).is_some_and(|m| (1..=12).contains(&m))
        && digits(8..10).is_some_and(|d| (1..=31).contains(&d))
}

fn invalid(message: &str) -> ApiError {
    ApiError::InvalidRequest(message.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(text: &str) -> Option<String> {
        Some(text.into())
    }

    #[test]
    fn exactly_one_bar_is_named() {
        assert_eq!(
            bar(some("/checkout"), None, None, None, None),
            Ok(Bar::Page("/checkout".into()))
        );
        assert_eq!(
            bar(None, some("email · spring-sale"), some(""), None, None),
            Ok(Bar::Campaign("email · spring-sale".into()))
        );
        assert_eq!(
            bar(
                None,
                None,
                some("billing"),
                some("2026-11-30"),
                some("negative")
            ),
            Ok(Bar::Topic {
                topic: "billing".into(),
                day: some("2026-11-30"),
                sentiment: some("negative"),
            })
        );
        for (page, campaign, topic) in [
            (None, None, None),
            (some(""), some(""), some("")),
            (some("/a"), some("email"), None),
            (some("/a"), None, some("billing")),
            (None, some("email"), some("billing")),
        ] {
            assert!(
                matches!(bar(page, campaign, topic, None, None), Err(ApiError::InvalidRequest(m)) if m.contains("exactly one")),
            );
        }
    }

    #[test]
    fn day_and_tone_only_narrow_a_topic_and_must_be_well_formed() {
        assert!(bar(some("/a"), None, None, some("2026-11-30"), None).is_err());
        assert!(bar(None, some("email"), None, None, some("negative")).is_err());
        for day in [
            "2026-13-01",
            "2026-1-01",
            "26-11-30",
            "2026-11-3x",
            "2026/11/30",
            "2026-11-00",
            "２０２６-11-30",
        ] {
            assert!(
                bar(None, None, some("billing"), some(day), None).is_err(),
                "{day}"
            );
        }
        assert!(bar(None, None, some("billing"), None, some("angry")).is_err());
    }

    #[test]
    fn oversized_or_control_characters_are_refused_with_the_field_named() {
        let long = "/".repeat(2049);
        assert!(
            matches!(bar(Some(long), None, None, None, None), Err(ApiError::InvalidRequest(m)) if m.starts_with("page "))
        );
        assert!(
            matches!(bar(None, some("a\u{0}b"), None, None, None), Err(ApiError::InvalidRequest(m)) if m.starts_with("campaign "))
        );
        assert!(
            matches!(bar(None, None, Some("t".repeat(121)), None, None), Err(ApiError::InvalidRequest(m)) if m.starts_with("topic "))
        );
    }
}
