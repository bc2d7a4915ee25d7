//! Site models (MODEL.md, "Site models"): the labelled examples a site
//! uploads, checked line by line, and what the operator API and the console
//! say about a site's model. The training itself is `classify::train`.

use serde::{Deserialize, Serialize};

use super::classify::train::HeadScore;
use super::classify::{KINDS, SENTIMENTS, TOPICS};

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
    /// Empty when the example has no kind.
    pub kind: String,
}

/// Why one line of JSON lines, or one item of an array, was refused: its
/// `line` (counting from 1; for an array, where it stops being JSON) or its
/// `item` (counting from 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineError {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<u32>,
    pub message: String,
}

impl std::fmt::Display for LineError {
    /// "line 3: …" or "item 3: …".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.item) {
            (_, Some(item)) => write!(f, "item {item}: {}", self.message),
            (line, None) => write!(f, "line {}: {}", line.unwrap_or(1), self.message),
        }
    }
}

impl LineError {
    fn at_line(line: u32, message: String) -> Self {
        LineError {
            line: Some(line),
            item: None,
            message,
        }
    }

    fn at_item(item: u32, message: String) -> Self {
        LineError {
            line: None,
            item: Some(item),
            message,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    text: String,
    #[serde(default)]
    topic: Option<String>,
    #[serde(default)]
    sentiment: Option<String>,
    #[serde(default)]
    kind: Option<String>,
}

/// Most refused lines one answer lists; `Refused::count` says how many there were.
pub const MAX_LISTED_LINES: usize = 100;

/// Why an upload was refused: its first bad lines, and how many there were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub lines: Vec<LineError>,
    pub count: u32,
}

/// Whether an upload of examples is one JSON array (`application/json`) or
/// JSON lines (`application/x-ndjson`, `application/jsonl`, `text/plain` —
/// what `fetch` sends with a string — or no type), by its `Content-Type`
/// (case-insensitive); any other type — a form, a multipart file, CSV — is
/// 415, not lines that fail one by one.
pub fn upload_is_array(content_type: Option<&str>) -> Result<bool, super::api::ApiError> {
    let Some(value) = content_type else {
        return Ok(false);
    };
    let media = super::ingest::media_type(value).unwrap_or_default();
    if media.eq_ignore_ascii_case("application/json") {
        Ok(true)
    } else if media.eq_ignore_ascii_case("application/x-ndjson")
        || media.eq_ignore_ascii_case("application/jsonl")
        || media.eq_ignore_ascii_case("text/plain")
    {
        Ok(false)
    } else {
        Err(super::api::ApiError::UnsupportedMediaType(
            "application/json, application/x-ndjson, application/jsonl or text/plain",
        ))
    }
}

/// Reads an upload: a JSON array of `{text, topic?, sentiment?, kind?}` (`array`:
/// the body was sent as `application/json`), or one such object per line
/// (blank lines are not examples). Every bad line counts, the first
/// `MAX_LISTED_LINES` are named; nothing is taken unless every line is good.
pub fn parse_examples(body: &str, array: bool) -> Result<Vec<Example>, Refused> {
    // Spreadsheet and Windows exports begin with a byte-order mark; it is not
    // part of the first line.
    let body = body.strip_prefix('\u{feff}').unwrap_or(body);
    let refuse_all = |line: u32, message: String| Refused {
        lines: vec![LineError::at_line(line, message)],
        count: 1,
    };
    if array && !body.trim_start().starts_with('[') {
        return Err(refuse_all(
            1,
            "expected a JSON array of examples (send JSON lines as application/x-ndjson)".into(),
        ));
    }
    let items: Vec<(u32, &str)> = if array {
        match serde_json::from_str::<Vec<&serde_json::value::RawValue>>(body) {
            Ok(values) => (1..).zip(values.into_iter().map(|v| v.get())).collect(),
            Err(error) => {
                let line = u32::try_from(error.line()).unwrap_or(u32::MAX);
                return Err(refuse_all(
                    line,
                    format!("the array is not valid JSON: {error}"),
                ));
            }
        }
    } else {
        (1..)
            .zip(body.lines())
            .filter(|(_, line)| !line.trim().is_empty())
            .collect()
    };
    let mut examples = Vec::with_capacity(items.len());
    let mut refused = Refused {
        lines: Vec::new(),
        count: 0,
    };
    for (line, text) in items {
        match parse_one(text, array).and_then(check) {
            Ok(example) => examples.push(example),
            Err(message) => {
                refused.count += 1;
                if refused.lines.len() < MAX_LISTED_LINES {
                    refused.lines.push(if array {
                        LineError::at_item(line, message)
                    } else {
                        LineError::at_line(line, message)
                    });
                }
            }
        }
    }
    if refused.count == 0 {
        Ok(examples)
    } else {
        Err(refused)
    }
}

/// One line (or array item) as an object; serde would also take a JSON
/// array of the fields in order, which the API does not document.
fn parse_one(text: &str, array: bool) -> Result<Raw, String> {
    if !text.trim_start().starts_with('{') {
        return Err(
            "expected a JSON object such as {\"text\": \"…\", \"topic\": \"order\"}".into(),
        );
    }
    serde_json::from_str::<Raw>(text).map_err(|error| {
        // serde names a position "at line 1 column 30" within the text it
        // read. A line's number is the upload's, so only the column is kept;
        // an array item may span lines, so its position stays whole.
        let full = error.to_string();
        match full.rsplit_once(" at line ") {
            Some((message, _)) if !array => format!("{message} (column {})", error.column()),
            _ => full,
        }
    })
}

fn check(raw: Raw) -> Result<Example, String> {
    if super::text::is_blank(&raw.text) {
        return Err("text is empty".into());
    }
    let chars = raw.text.chars().count();
    if chars > MAX_EXAMPLE_CHARS {
        return Err(format!(
            "text has {chars} characters; at most {MAX_EXAMPLE_CHARS}"
        ));
    }
    // Absent or null is no label; any string given must be a label.
    let label = |given: Option<String>, labels: &[&str], what: &str| match given {
        Some(label) if !labels.contains(&label.as_str()) => Err(format!(
            "unknown {what} {label:?} (one of {})",
            labels.join(", ")
        )),
        given => Ok(given.unwrap_or_default()),
    };
    let topic = label(raw.topic, &TOPICS, "topic")?;
    let sentiment = label(raw.sentiment, &SENTIMENTS, "sentiment")?;
    let kind = label(raw.kind, &KINDS, "kind")?;
    if topic.is_empty() && sentiment.is_empty() && kind.is_empty() {
        return Err("no label: give a topic, a sentiment, a kind or several".into());
    }
    Ok(Example {
        text: raw.text.trim().to_string(),
        topic,
        sentiment,
        kind,
    })
}

/// One head of a trained site model, scored on the held-out share.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
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
    /// Models trained before kinds were learned from a site have none
    /// stored: nothing trained on, nothing held out.
    #[serde(default)]
    pub kind: HeadReport,
    /// The default model did clearly better on the held-out share
    /// (`clearly_worse`): the model is kept, for this report, but visitors
    /// get the default model. Reports stored before this existed: false.
    #[serde(default)]
    pub worse_than_default: bool,
}

impl TrainedModel {
    /// The report of a training run, from its heads' scores (topic,
    /// sentiment, kind).
    pub fn new(
        trained_at: i64,
        checksum: String,
        examples: u32,
        corrections: u32,
        heads: [HeadScore; 3],
    ) -> Self {
        let (site_only, default_only) = right_by_one_only(&heads);
        let [topic, sentiment, kind] = heads.map(|head| HeadReport {
            trained_on: head.trained_on,
            held_out: head.held_out,
            accuracy: accuracy(head.held_out, head.site),
            default_accuracy: accuracy(head.held_out, head.default),
        });
        TrainedModel {
            trained_at,
            checksum,
            examples,
            corrections,
            topic,
            sentiment,
            kind,
            worse_than_default: clearly_worse(site_only, default_only),
        }
    }
}

/// Over `heads`, the held-out labels only the site model got right and
/// those only the default model got right (what `clearly_worse` weighs).
pub fn right_by_one_only(heads: &[HeadScore]) -> (u32, u32) {
    heads
        .iter()
        .fold((0, 0), |(s, d), h| (s + h.site_only, d + h.default_only))
}

/// Whether the default model did better on the held-out labels than chance
/// allows: of the labels only one of the two got right, the default's share
/// is above one half by a one-sided sign test at 5% (normal approximation
/// with continuity correction). A site model that loses by a label or two on
/// a small held-out share is still served: it learned the site's words.
pub fn clearly_worse(site_only: u32, default_only: u32) -> bool {
    let (site, default) = (f64::from(site_only), f64::from(default_only));
    default > site && (default - site - 1.0) / (default + site).sqrt() >= 1.645
}

/// Why visitors get the default model although the site has its own.
pub const WORSE_THAN_DEFAULT: &str =
    "the site model is worse than the default model on the site's held-out examples";

/// A stored site model as visitors would get it: its file when it parses,
/// carries the checksum recorded at training and was not clearly worse than
/// the default model; otherwise why not. `hex` is the stored file (SQLite's
/// `hex()`).
pub fn served_file(
    checksum: &str,
    hex: &str,
    report: Option<&TrainedModel>,
) -> Result<Vec<u8>, NotServed> {
    let bytes = from_hex(hex).ok_or(NotServed::Broken("the stored file is not a blob".into()))?;
    super::classify::model::Model::from_bytes(&bytes)
        .and_then(|model| super::classify::kind_and_urgency(&model))
        .map_err(|error| NotServed::Broken(error.to_string()))?;
    if checksum_hex(&bytes) != checksum {
        return Err(NotServed::Broken(
            "its checksum is not the one recorded when it was trained".into(),
        ));
    }
    if report.is_some_and(|report| report.worse_than_default) {
        return Err(NotServed::Worse);
    }
    Ok(bytes)
}

/// Why a stored site model is not served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotServed {
    /// The file is damaged: it is trained again.
    Broken(String),
    /// It lost to the default model on the held-out share.
    Worse,
}

impl NotServed {
    pub fn reason(&self) -> &str {
        match self {
            NotServed::Broken(reason) => reason,
            NotServed::Worse => WORSE_THAN_DEFAULT,
        }
    }
}

/// `GET /v1/admin/sites/{site}/model`: the site's model and what is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelStatus {
    /// Null until a model was trained: the widget then gets the default model.
    pub model: Option<TrainedModel>,
    /// What visitors' widgets get: "site" or "default".
    pub serving: String,
    /// Why they get the default model although `model` is set.
    pub refused: Option<String>,
    /// Examples stored now, and messages whose labels staff corrected.
    pub examples: u32,
    pub corrections: u32,
    /// Whether examples or corrections arrived after the last training (the
    /// scheduled job then trains again).
    pub stale: bool,
    /// The last training found too little to learn from (every labelled
    /// example fell in the held-out share): it waits for more.
    pub needs_more: bool,
}

/// `POST /v1/admin/sites/{site}/model/examples`: what was stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamplesAdded {
    pub added: u32,
    /// Examples of the upload the site already had (the same text and
    /// labels): not stored again.
    pub duplicates: u32,
    /// The site's stored examples now.
    pub examples: u32,
}

// How the console reads the status (field lists, `json_text`).
crate::domain::json_text::from_json! {
    HeadReport { trained_on, held_out, accuracy, default_accuracy }
    TrainedModel { trained_at, checksum, examples, corrections, topic, sentiment, #[default] kind, #[default] worse_than_default }
    ModelStatus { model, serving, refused, examples, corrections, stale, needs_more }
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
    fn a_model_is_clearly_worse_only_when_the_disagreements_go_the_default_way_beyond_chance() {
        assert!(!clearly_worse(0, 0));
        assert!(!clearly_worse(0, 2), "two labels: chance");
        assert!(!clearly_worse(0, 4), "p = 1/16");
        assert!(clearly_worse(0, 5), "p = 1/32");
        assert!(!clearly_worse(10, 16));
        assert!(clearly_worse(40, 62));
        assert!(!clearly_worse(9, 3), "the site model won");
        // The heads' disagreements add up.
        let head = |site_only, default_only| HeadScore {
            held_out: 20,
            trained_on: 80,
            site: 0.5,
            default: 0.6,
            site_only,
            default_only,
        };
        let report = |heads| TrainedModel::new(0, "00000000".into(), 100, 0, heads);
        assert!(!report([head(0, 3), head(0, 1), HeadScore::default()]).worse_than_default);
        assert!(report([head(0, 3), head(0, 2), HeadScore::default()]).worse_than_default);
        assert_eq!(
            report([head(1, 2), HeadScore::default(), HeadScore::default()])
                .topic
                .accuracy,
            Some(0.5)
        );
    }

    #[test]
    fn a_stored_model_is_served_only_when_it_parses_checks_and_is_not_worse() {
        let file = crate::domain::classify::BUILTIN_MODEL;
        let hex: String = file.iter().map(|b| format!("{b:02X}")).collect();
        let sum = checksum_hex(file);
        let mut report = TrainedModel::new(0, sum.clone(), 10, 0, [HeadScore::default(); 3]);
        assert_eq!(served_file(&sum, &hex, None).as_deref(), Ok(file));
        assert_eq!(
            served_file(&sum, &hex.to_lowercase(), Some(&report)).as_deref(),
            Ok(file)
        );
        report.worse_than_default = true;
        assert_eq!(
            served_file(&sum, &hex, Some(&report)),
            Err(NotServed::Worse)
        );
        assert_eq!(NotServed::Worse.reason(), WORSE_THAN_DEFAULT);
        let broken = |checksum: &str, hex: &str| match served_file(checksum, hex, None) {
            Err(NotServed::Broken(reason)) => reason,
            other => panic!("{other:?}"),
        };
        assert!(broken("00000000", &hex).contains("checksum"));
        assert!(broken(&sum, "ZZ").contains("not a blob"));
        assert!(!broken(&sum, &hex[..200]).is_empty());
        // A site model stored before kind and urgency were learned: trained again.
        let mut old = crate::domain::classify::model::Model::from_bytes(file).unwrap();
        old.heads.retain(|h| h.name != "urgency");
        let old = old.to_bytes();
        let old_hex: String = old.iter().map(|b| format!("{b:02X}")).collect();
        assert!(broken(&checksum_hex(&old), &old_hex).contains("lacks a kind or urgency head"));
    }

    #[test]
    fn an_upload_is_an_array_or_lines_by_its_type_and_any_other_type_is_refused() {
        assert_eq!(upload_is_array(None), Ok(false));
        assert_eq!(
            upload_is_array(Some("Application/JSON; charset=utf-8")),
            Ok(true)
        );
        assert_eq!(upload_is_array(Some("application/x-ndjson")), Ok(false));
        assert_eq!(upload_is_array(Some("application/jsonl")), Ok(false));
        assert_eq!(upload_is_array(Some("text/plain;charset=UTF-8")), Ok(false));
        for other in [
            "text/csv",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "",
        ] {
            assert!(
                matches!(
                    upload_is_array(Some(other)),
                    Err(crate::domain::api::ApiError::UnsupportedMediaType(_))
                ),
                "{other}"
            );
        }
    }

    #[test]
    fn lines_and_arrays_are_read_and_every_bad_line_is_named() {
        let good = "{\"text\":\"where is my sofa\",\"topic\":\"delivery\"}\n\n{\"text\":\"love it\",\"sentiment\":\"positive\",\"topic\":null}\n";
        let examples = parse_examples(good, false).unwrap();
        assert_eq!(examples.len(), 2);
        assert_eq!(examples[1].topic, "");
        assert_eq!(examples[1].sentiment, "positive");
        let array =
            r#"[{"text":"a refund please","topic":"refund"},{"text":"x","topic":"shipping"}]"#;
        assert_eq!(
            parse_examples(array, true).unwrap_err().lines,
            vec![LineError {
                line: None,
                item: Some(2),
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
        let kinds = parse_examples(
            "{\"text\":\"you never answer\",\"kind\":\"complaint\"}\n{\"text\":\"hm\",\"kind\":\"rant\"}",
            false,
        )
        .unwrap_err()
        .lines;
        assert_eq!(kinds.len(), 1);
        assert_eq!(kinds[0].line, Some(2));
        assert!(kinds[0]
            .message
            .starts_with("unknown kind \"rant\" (one of question, "));
        let kind_only = parse_examples(r#"{"text":"you never answer","kind":"complaint"}"#, false);
        assert_eq!(kind_only.unwrap()[0].kind, "complaint");
        let errors = parse_examples(&bad, false).unwrap_err().lines;
        assert_eq!(
            errors
                .iter()
                .map(|e| e.line.unwrap_or(0))
                .collect::<Vec<_>>(),
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
            parse_examples(&long, false).unwrap_err().lines[0].message,
            "text has 2001 characters; at most 2000"
        );
        assert_eq!(
            parse_examples("[1,", true).unwrap_err().lines[0].line,
            Some(1)
        );
        assert!(parse_examples(r#"{"text":"a","topic":"order"}"#, true)
            .unwrap_err()
            .lines[0]
            .message
            .starts_with("expected a JSON array"));
        let empty_label = parse_examples(r#"{"text":"a","topic":"","sentiment":"neutral"}"#, false);
        assert!(empty_label.unwrap_err().lines[0]
            .message
            .starts_with("unknown topic \"\""));
        // A lone mark and a blank are no examples; a mark before the first
        // line is not part of it.
        assert_eq!(parse_examples("\u{feff} ", false), Ok(vec![]));
        let marked = "\u{feff}{\"text\":\"bom first\",\"topic\":\"order\"}\r\n";
        assert_eq!(parse_examples(marked, false).unwrap()[0].topic, "order");
        let marked_array = "\u{feff}[{\"text\":\"bom first\",\"topic\":\"order\"}]";
        assert_eq!(parse_examples(marked_array, true).unwrap().len(), 1);
    }

    #[test]
    fn only_objects_are_examples_and_positions_are_columns() {
        let tuple = r#"["Tuple form line here","order",null,"question"]"#;
        let refused = parse_examples(tuple, false).unwrap_err();
        assert_eq!(refused.count, 1);
        assert!(refused.lines[0]
            .message
            .starts_with("expected a JSON object"));
        let in_array = format!("[{tuple}]");
        assert!(parse_examples(&in_array, true).unwrap_err().lines[0]
            .message
            .starts_with("expected a JSON object"));
        let message = &parse_examples("{\"text\": 5}", false).unwrap_err().lines[0].message;
        assert!(message.ends_with("(column 10)"), "{message}");
        assert!(!message.contains("line"), "{message}");
    }

    #[test]
    fn a_flood_of_bad_lines_is_counted_but_only_the_first_are_listed() {
        let body = "x\n".repeat(50_000);
        let refused = parse_examples(&body, false).unwrap_err();
        assert_eq!(refused.count, 50_000);
        assert_eq!(refused.lines.len(), MAX_LISTED_LINES);
        assert_eq!(refused.lines[0].line, Some(1));
        assert_eq!(refused.lines[MAX_LISTED_LINES - 1].line, Some(100));
        let mixed = format!(
            "{}x\n",
            "{\"text\":\"fine\",\"topic\":\"order\"}\n".repeat(3)
        );
        assert_eq!(
            parse_examples(&mixed, false).unwrap_err().lines[0].line,
            Some(4)
        );
    }

    #[test]
    fn a_report_stored_before_kinds_were_learned_reads_with_an_empty_kind() {
        let stored = r#"{"trained_at":1,"checksum":"00000000","examples":1,"corrections":0,
            "topic":{"trained_on":1,"held_out":1,"accuracy":1.0,"default_accuracy":0.0},
            "sentiment":{"trained_on":0,"held_out":0,"accuracy":null,"default_accuracy":null}}"#;
        let report: TrainedModel = serde_json::from_str(stored).unwrap();
        assert_eq!(report.kind, HeadReport::default());
        // Written back (as the worker answers), the kind is there.
        let written = serde_json::to_value(&report).unwrap();
        assert_eq!(
            written["kind"],
            serde_json::json!({"trained_on": 0, "held_out": 0, "accuracy": null, "default_accuracy": null})
        );
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
