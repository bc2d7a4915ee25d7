//! Site models (MODEL.md, "Site models"): the labelled examples a site
//! uploads, checked line by line, and what the operator API and the console
//! say about a site's model. The training itself is `classify::train`.

use serde::{Deserialize, Serialize};

use super::classify::{SENTIMENTS, TOPICS};

/// Largest upload body: JSON lines or a JSON array.
pub const MAX_UPLOAD_BYTES: u32 = 1024 * 1024;
/// Most examples in one upload.
pub const MAX_UPLOAD_EXAMPLES: usize = 5_000;
/// Most examples a site may store.
pub const MAX_SITE_EXAMPLES: u32 = 20_000;
/// Longest example text, in characters.
pub const MAX_EXAMPLE_CHARS: usize = 2_000;
/// Most examples one training run reads (corrections first, then the newest
/// uploads): bounds the worker's CPU time (MODEL.md has the measurement).
pub const MAX_TRAINING_EXAMPLES: u32 = 5_000;

/// One checked example, text not yet redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub text: String,
    /// Empty when the example has no topic.
    pub topic: String,
    /// Empty when the example has no sentiment.
    pub sentiment: String,
}

/// Why one line (or array item) was refused; `line` counts from 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    text: String,
    #[serde(default)]
    topic: Option<String>,
    #[serde(default)]
    sentiment: Option<String>,
}

/// Reads an upload: a JSON array of `{text, topic?, sentiment?}`, or one such
/// object per line (blank lines are not examples). Every bad line is
/// reported; nothing is taken unless every line is good.
pub fn parse_examples(body: &str) -> Result<Vec<Example>, Vec<LineError>> {
    let items: Vec<(usize, Result<Raw, String>)> = if body.trim_start().starts_with('[') {
        match serde_json::from_str::<Vec<serde_json::Value>>(body) {
            Ok(values) => values
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i + 1, serde_json::from_value(v).map_err(|e| e.to_string())))
                .collect(),
            Err(error) => {
                return Err(vec![LineError {
                    line: error.line(),
                    message: format!("the array is not valid JSON: {error}"),
                }])
            }
        }
    } else {
        body.lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| (i + 1, serde_json::from_str(line).map_err(|e| e.to_string())))
            .collect()
    };
    let mut examples = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (line, item) in items {
        match item.and_then(check) {
            Ok(example) => examples.push(example),
            Err(message) => errors.push(LineError { line, message }),
        }
    }
    if errors.is_empty() {
        Ok(examples)
    } else {
        Err(errors)
    }
}

fn check(raw: Raw) -> Result<Example, String> {
    let text = raw.text.trim();
    if text.is_empty() {
        return Err("text is empty".into());
    }
    let chars = text.chars().count();
    if chars > MAX_EXAMPLE_CHARS {
        return Err(format!(
            "text has {chars} characters; at most {MAX_EXAMPLE_CHARS}"
        ));
    }
    let topic = raw.topic.unwrap_or_default();
    if !topic.is_empty() && !TOPICS.contains(&topic.as_str()) {
        return Err(format!(
            "unknown topic {topic:?} (one of {})",
            TOPICS.join(", ")
        ));
    }
    let sentiment = raw.sentiment.unwrap_or_default();
    if !sentiment.is_empty() && !SENTIMENTS.contains(&sentiment.as_str()) {
        return Err(format!(
            "unknown sentiment {sentiment:?} (one of {})",
            SENTIMENTS.join(", ")
        ));
    }
    if topic.is_empty() && sentiment.is_empty() {
        return Err("no label: give a topic, a sentiment or both".into());
    }
    Ok(Example {
        text: text.to_string(),
        topic,
        sentiment,
    })
}

/// One head of a trained site model, scored on the held-out share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadReport {
    /// Examples trained on.
    pub trained_on: u32,
    /// Examples held out (1 in 5 by a hash of the text).
    pub held_out: u32,
    /// Held-out accuracy of the site model, 0–1 (null with nothing held out).
    pub accuracy: Option<f64>,
    /// Held-out accuracy of the default model on the same examples.
    pub default_accuracy: Option<f64>,
}

/// A trained site model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedModel {
    /// Unix milliseconds.
    pub trained_at: i64,
    /// The file's checksum (hex), also its ETag.
    pub checksum: String,
    /// Uploaded examples and staff corrections it was trained from.
    pub examples: u32,
    pub corrections: u32,
    pub topic: HeadReport,
    pub sentiment: HeadReport,
    /// How long training took in the worker, in milliseconds.
    pub train_ms: u32,
}

/// `GET /v1/admin/sites/{site}/model`: the site's model and what is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelStatus {
    /// Null until a model was trained: the widget then gets the default model.
    pub model: Option<TrainedModel>,
    /// Examples and corrections stored now.
    pub examples: u32,
    pub corrections: u32,
    /// Whether examples or corrections arrived after the last training (the
    /// scheduled job then trains again).
    pub stale: bool,
}

/// `POST /v1/admin/sites/{site}/model/examples`: what was stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamplesAdded {
    pub added: u32,
    /// The site's stored examples now.
    pub examples: u32,
}

/// The checksum as the model file carries it (its last four bytes), in hex.
pub fn checksum_hex(file: &[u8]) -> String {
    let mut tail = [0u8; 4];
    if let Some(last) = file.len().checked_sub(4).and_then(|at| file.get(at..)) {
        tail.copy_from_slice(last);
    }
    format!("{:08x}", u32::from_le_bytes(tail))
}

/// Bytes from lower- or upper-case hex (SQLite's `hex()`); `None` if malformed.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let bytes = text.as_bytes();
    if bytes.len() % 2 != 0 {
        return None;
    }
    bytes
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// Accuracy as the API shows it: null with nothing held out, else 4 decimals.
pub fn accuracy(held_out: u32, share: f64) -> Option<f64> {
    (held_out > 0).then(|| (share * 10_000.0).round() / 10_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_arrays_are_read_and_every_bad_line_is_named() {
        let good = "{\"text\":\"where is my sofa\",\"topic\":\"delivery\"}\n\n{\"text\":\"love it\",\"sentiment\":\"positive\",\"topic\":null}\n";
        let examples = parse_examples(good).unwrap();
        assert_eq!(examples.len(), 2);
        assert_eq!(examples[1].topic, "");
        assert_eq!(examples[1].sentiment, "positive");
        let array =
            r#"[{"text":"a refund please","topic":"refund"},{"text":"x","topic":"shipping"}]"#;
        assert_eq!(
            parse_examples(array).unwrap_err(),
            vec![LineError {
                line: 2,
                message: "unknown topic \"shipping\" (one of account, order, delivery, billing, refund, product, technical, sales, feedback, contact, other)".into()
            }]
        );
        let bad = [
            r#"{"text":"ok","topic":"order"}"#,
            "not json",
            r#"{"text":"  ","topic":"order"}"#,
            r#"{"text":"hi"}"#,
            r#"{"text":"hi","sentiment":"angry"}"#,
            r#"{"text":"hi","topic":"order","lang":"en"}"#,
            r#"{"topic":"order"}"#,
        ]
        .join("\n");
        let errors = parse_examples(&bad).unwrap_err();
        assert_eq!(
            errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            vec![2, 3, 4, 5, 6, 7]
        );
        assert!(errors[0].message.contains("expected"));
        assert_eq!(errors[1].message, "text is empty");
        assert!(errors[2].message.starts_with("no label"));
        assert!(errors[3].message.contains("unknown sentiment \"angry\""));
        assert!(errors[4].message.contains("unknown field `lang`"));
        assert!(errors[5].message.contains("missing field `text`"));
        let long = format!(r#"{{"text":"{}","topic":"order"}}"#, "a".repeat(2001));
        assert_eq!(
            parse_examples(&long).unwrap_err()[0].message,
            "text has 2001 characters; at most 2000"
        );
        assert_eq!(parse_examples("[1,").unwrap_err()[0].line, 1);
    }

    #[test]
    fn checksums_and_hex_round_trip() {
        let file = [1u8, 2, 3, 0x11, 0x22, 0x33, 0x44];
        assert_eq!(checksum_hex(&file), "44332211");
        assert_eq!(from_hex("0aFf10"), Some(vec![0x0a, 0xff, 0x10]));
        assert_eq!(from_hex("0g"), None);
        assert_eq!(from_hex("abc"), None);
        assert_eq!(accuracy(0, 0.5), None);
        assert_eq!(accuracy(3, 2.0 / 3.0), Some(0.6667));
    }
}
