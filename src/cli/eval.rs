//! `touchpoint eval`: every head of the classifier measured on labeled JSON
//! lines — a summary per language (topic and sentiment accuracy, negative
//! recall, kind, urgency and expectation gap), the full per-label report of
//! each head, and how far the topic and sentiment confidences can be trusted.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Deserialize;

use crate::domain::classify::{Classifier, KINDS, SENTIMENTS, TOPICS, URGENCIES};

use super::classify::load_classifier;
use super::report::Report;

/// Language codes the detector can answer (`und` when it cannot tell).
const LANGUAGES: [&str; 8] = ["en", "de", "fr", "es", "nl", "pt", "it", "und"];
/// Lower bounds of the confidence buckets; each runs to the next bound.
const CONFIDENCE_BUCKETS: [f64; 5] = [0.0, 0.3, 0.5, 0.7, 0.9];

/// Every head a labeled line may carry; absent heads are not scored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Gold {
    text: String,
    topic: Option<String>,
    sentiment: Option<String>,
    kind: Option<String>,
    urgency: Option<String>,
    expectation_gap: Option<bool>,
    language: Option<String>,
    spam: Option<bool>,
}

/// The heads, in report order.
const HEADS: [&str; 7] = [
    "topic",
    "sentiment",
    "kind",
    "urgency",
    "expectation_gap",
    "language",
    "spam",
];

/// One labeled message with what the classifier said about it.
#[derive(Debug)]
struct Scored {
    /// The gold language, or `unlabelled` (the summary groups by it).
    group: String,
    /// (gold, predicted) per entry of `HEADS`; `None` where the line has no gold label.
    pairs: Vec<Option<(String, String)>>,
    topic_confidence: f64,
    sentiment_confidence: f64,
}

fn check_label(head: &str, label: &str, allowed: &[&str]) -> Result<(), String> {
    if allowed.contains(&label) {
        Ok(())
    } else {
        Err(format!(
            "unknown {head} {label:?} (expected one of {})",
            allowed.join(", ")
        ))
    }
}

fn parse_gold(line: &str) -> Result<Gold, String> {
    let gold: Gold = serde_json::from_str(line).map_err(|e| e.to_string())?;
    if gold.text.trim().is_empty() {
        return Err("empty text".into());
    }
    let checks: [(&str, &Option<String>, &[&str]); 5] = [
        ("topic", &gold.topic, &TOPICS),
        ("sentiment", &gold.sentiment, &SENTIMENTS),
        ("kind", &gold.kind, &KINDS),
        ("urgency", &gold.urgency, &URGENCIES),
        ("language", &gold.language, &LANGUAGES),
    ];
    for (head, label, allowed) in checks {
        if let Some(label) = label {
            check_label(head, label, allowed)?;
        }
    }
    Ok(gold)
}

/// Classifies every labeled line; any malformed line or unknown label is an
/// error naming its line, and none is skipped.
fn score(text: &str, classifier: &Classifier) -> Result<Vec<Scored>, Vec<String>> {
    let mut scored = Vec::new();
    let mut errors = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with("//") {
            continue;
        }
        let gold = match parse_gold(line) {
            Ok(gold) => gold,
            Err(error) => {
                errors.push(format!("line {}: {error}", number + 1));
                continue;
            }
        };
        let c = classifier.classify(&gold.text);
        let predicted = [
            c.topic.clone(),
            c.sentiment.clone(),
            c.kind.to_string(),
            c.urgency.to_string(),
            c.expectation_gap.to_string(),
            c.language.to_string(),
            c.spam.to_string(),
        ];
        let golds = [
            gold.topic,
            gold.sentiment,
            gold.kind,
            gold.urgency,
            gold.expectation_gap.map(|b| b.to_string()),
            gold.language.clone(),
            gold.spam.map(|b| b.to_string()),
        ];
        scored.push(Scored {
            group: gold.language.unwrap_or_else(|| "unlabelled".into()),
            pairs: golds
                .into_iter()
                .zip(predicted)
                .map(|(gold, predicted)| gold.map(|gold| (gold, predicted)))
                .collect(),
            topic_confidence: c.topic_confidence,
            sentiment_confidence: c.sentiment_confidence,
        });
    }
    if errors.is_empty() {
        Ok(scored)
    } else {
        Err(errors)
    }
}

fn report_of<'a>(scored: impl Iterator<Item = &'a Scored>, head: usize) -> Report {
    let mut report = Report::default();
    for s in scored {
        if let Some((gold, predicted)) = &s.pairs[head] {
            report.add(gold, predicted);
        }
    }
    report
}

fn head_index(name: &str) -> usize {
    HEADS.iter().position(|h| *h == name).unwrap_or(0)
}

/// A summary cell: a percentage, or a dash when the group has nothing to measure.
fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "—".into(), |v| format!("{:.1}", v * 100.0))
}

/// Precision and recall of one label, `None` when undefined (no prediction / no gold).
fn precision_recall(report: &Report, label: &str) -> (Option<f64>, Option<f64>) {
    let (precision, recall, _, support) = report.per_label(label);
    let predicted = report.predicted_count(label);
    (
        (predicted > 0).then_some(precision),
        (support > 0).then_some(recall),
    )
}

/// The summary's rows, in order.
const MEASURES: [&str; 15] = [
    "topic accuracy",
    "topic macro-F1",
    "sentiment accuracy",
    "negative recall",
    "negative precision",
    "kind accuracy",
    "kind macro-F1",
    "urgency accuracy",
    "urgency high precision",
    "urgency high recall",
    "expectation gap precision",
    "expectation gap recall",
    "language accuracy",
    "spam precision",
    "spam recall",
];

/// One summary measure over `rows`; `None` when the rows have nothing to measure.
fn measure(name: &str, rows: &[&Scored]) -> Option<f64> {
    let report = |head: &str| report_of(rows.iter().copied(), head_index(head));
    let nonempty = |r: Report| (!r.is_empty()).then_some(r);
    match name {
        "topic accuracy" => nonempty(report("topic")).map(|r| r.accuracy()),
        "topic macro-F1" => nonempty(report("topic")).map(|r| r.macro_f1()),
        "sentiment accuracy" => nonempty(report("sentiment")).map(|r| r.accuracy()),
        "negative recall" => precision_recall(&report("sentiment"), "negative").1,
        "negative precision" => precision_recall(&report("sentiment"), "negative").0,
        "kind accuracy" => nonempty(report("kind")).map(|r| r.accuracy()),
        "kind macro-F1" => nonempty(report("kind")).map(|r| r.macro_f1()),
        "urgency accuracy" => nonempty(report("urgency")).map(|r| r.accuracy()),
        "urgency high precision" => precision_recall(&report("urgency"), "high").0,
        "urgency high recall" => precision_recall(&report("urgency"), "high").1,
        "expectation gap precision" => precision_recall(&report("expectation_gap"), "true").0,
        "expectation gap recall" => precision_recall(&report("expectation_gap"), "true").1,
        "language accuracy" => nonempty(report("language")).map(|r| r.accuracy()),
        "spam precision" => precision_recall(&report("spam"), "true").0,
        "spam recall" => precision_recall(&report("spam"), "true").1,
        _ => None,
    }
}

/// The summary: one row per measure, one column per language, as a Markdown table.
fn summary(scored: &[Scored]) -> String {
    let groups: BTreeSet<&str> = scored.iter().map(|s| s.group.as_str()).collect();
    // English first, as the largest share; the others alphabetically.
    let mut columns: Vec<&str> = vec!["all"];
    columns.extend(groups.iter().filter(|g| **g == "en"));
    columns.extend(groups.iter().filter(|g| **g != "en"));
    let rows_of = |column: &str| -> Vec<&Scored> {
        scored
            .iter()
            .filter(|s| column == "all" || s.group == column)
            .collect()
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "== summary: {} messages, percentages by language (— where there is nothing to measure)",
        scored.len()
    );
    let _ = write!(out, "| {:<26} |", "measure");
    for column in &columns {
        let _ = write!(out, " {column:>6} |");
    }
    let _ = write!(out, "\n|{}|", "-".repeat(28));
    for _ in &columns {
        let _ = write!(out, "{}:|", "-".repeat(7));
    }
    let _ = write!(out, "\n| {:<26} |", "messages");
    for column in &columns {
        let _ = write!(out, " {:>6} |", rows_of(column).len());
    }
    let _ = writeln!(out);
    for name in MEASURES {
        let _ = write!(out, "| {name:<26} |");
        for column in &columns {
            let _ = write!(out, " {:>6} |", percent(measure(name, &rows_of(column))));
        }
        let _ = writeln!(out);
    }
    out
}

/// Accuracy by confidence bucket: how often the head is right when it is this sure.
fn calibration(scored: &[Scored], head: &str, confidence: fn(&Scored) -> f64) -> String {
    let index = head_index(head);
    let mut out = String::new();
    let rows: Vec<(f64, bool)> = scored
        .iter()
        .filter_map(|s| {
            s.pairs[index]
                .as_ref()
                .map(|(gold, predicted)| (confidence(s), gold == predicted))
        })
        .collect();
    let _ = writeln!(
        out,
        "== {head} confidence calibration: {} messages",
        rows.len()
    );
    let _ = writeln!(
        out,
        "{:<12} {:>8} {:>7} {:>15} {:>9}",
        "confidence", "messages", "share", "mean confidence", "accuracy"
    );
    for (i, &low) in CONFIDENCE_BUCKETS.iter().enumerate() {
        let high = CONFIDENCE_BUCKETS
            .get(i + 1)
            .copied()
            .unwrap_or(f64::INFINITY);
        let bucket: Vec<&(f64, bool)> = rows
            .iter()
            .filter(|(c, _)| *c >= low && *c < high)
            .collect();
        let label = if high.is_finite() {
            format!("{low:.1}–{high:.1}")
        } else {
            format!("{low:.1}–1.0")
        };
        let n = bucket.len();
        let (share, mean, accuracy) = if n == 0 || rows.is_empty() {
            ("—".to_string(), "—".to_string(), "—".to_string())
        } else {
            (
                format!("{:.1}%", n as f64 / rows.len() as f64 * 100.0),
                format!(
                    "{:.3}",
                    bucket.iter().map(|(c, _)| c).sum::<f64>() / n as f64
                ),
                format!(
                    "{:.1}%",
                    bucket.iter().filter(|(_, right)| *right).count() as f64 / n as f64 * 100.0
                ),
            )
        };
        let _ = writeln!(
            out,
            "{label:<12} {n:>8} {share:>7} {mean:>15} {accuracy:>9}"
        );
    }
    out
}

/// The whole printable evaluation of `text` (labeled JSON lines).
pub fn evaluate(text: &str, classifier: &Classifier) -> Result<String, Vec<String>> {
    let scored = score(text, classifier)?;
    let mut out = summary(&scored);
    for (index, name) in HEADS.iter().enumerate() {
        let report = report_of(scored.iter(), index);
        if !report.is_empty() {
            out.push('\n');
            out.push_str(&report.render(name));
        }
    }
    out.push('\n');
    out.push_str(&calibration(&scored, "topic", |s| s.topic_confidence));
    out.push('\n');
    out.push_str(&calibration(&scored, "sentiment", |s| {
        s.sentiment_confidence
    }));
    Ok(out)
}

/// Runs `touchpoint eval`.
pub fn run(data: &Path, model: Option<PathBuf>) -> ExitCode {
    let classifier = match load_classifier(model.as_deref()) {
        Ok(c) => c,
        Err(error) => {
            eprintln!("touchpoint eval: {error}");
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(data) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("touchpoint eval: cannot read {}: {error}", data.display());
            return ExitCode::from(2);
        }
    };
    let text = match super::json_lines::utf8_text(bytes) {
        Ok(text) => text,
        Err(errors) => {
            for error in errors {
                eprintln!("touchpoint eval: {}: {error}", data.display());
            }
            return ExitCode::from(2);
        }
    };
    let comments = text
        .lines()
        .filter(|line| line.trim_start().starts_with("//"))
        .count();
    if comments > 0 {
        eprintln!(
            "touchpoint eval: {}: {comments} comment line(s) (starting //) not scored",
            data.display()
        );
    }
    match evaluate(&text, &classifier) {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(errors) => {
            for error in errors {
                eprintln!("touchpoint eval: {}: {error}", data.display());
            }
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scored message with gold and predicted topic and sentiment only.
    fn row(group: &str, topic: (&str, &str), sentiment: (&str, &str), confidence: f64) -> Scored {
        let mut pairs: Vec<Option<(String, String)>> = vec![None; HEADS.len()];
        pairs[0] = Some((topic.0.into(), topic.1.into()));
        pairs[1] = Some((sentiment.0.into(), sentiment.1.into()));
        Scored {
            group: group.into(),
            pairs,
            topic_confidence: confidence,
            sentiment_confidence: confidence,
        }
    }

    #[test]
    fn summary_measures_each_language_and_negative_recall() {
        let scored = vec![
            row("en", ("order", "order"), ("negative", "negative"), 0.95),
            row("en", ("refund", "order"), ("negative", "neutral"), 0.6),
            row("de", ("delivery", "delivery"), ("neutral", "negative"), 0.4),
        ];
        let all: Vec<&Scored> = scored.iter().collect();
        let en: Vec<&Scored> = scored.iter().filter(|s| s.group == "en").collect();
        assert_eq!(measure("topic accuracy", &all), Some(2.0 / 3.0));
        assert_eq!(measure("negative recall", &en), Some(0.5));
        assert_eq!(measure("negative precision", &all), Some(0.5));
        // No gold kind anywhere: nothing to measure, not 0%.
        assert_eq!(measure("kind accuracy", &all), None);
        let text = summary(&scored);
        assert!(text.contains("|    all |     en |     de |"), "{text}");
        assert!(
            text.contains("| negative recall            |   50.0 |   50.0 |      — |"),
            "{text}"
        );
    }

    #[test]
    fn calibration_buckets_accuracy_by_confidence() {
        let scored = vec![
            row("en", ("order", "order"), ("neutral", "neutral"), 0.95),
            row("en", ("order", "refund"), ("neutral", "neutral"), 0.92),
            row("en", ("order", "order"), ("neutral", "neutral"), 0.35),
        ];
        let text = calibration(&scored, "topic", |s| s.topic_confidence);
        assert!(
            text.contains("0.3–0.5             1   33.3%           0.350    100.0%"),
            "{text}"
        );
        assert!(
            text.contains("0.9–1.0             2   66.7%           0.935     50.0%"),
            "{text}"
        );
        assert!(text.contains("0.0–0.3             0       —"), "{text}");
    }

    #[test]
    fn unknown_labels_and_malformed_lines_are_reported_by_line() {
        let classifier = match Classifier::builtin() {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        let text = "{\"text\":\"where is my parcel\",\"topic\":\"delivery\"}\n\
                    {\"text\":\"hi\",\"topic\":\"shipping\"}\n\
                    \n\
                    {\"text\":\"hi\",\"urgency\":\"medium\"}\n\
                    not json\n";
        let errors = evaluate(text, &classifier).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("line 2: unknown topic \"shipping\""));
        assert!(errors[1].starts_with("line 4: unknown urgency \"medium\""));
        assert!(errors[2].starts_with("line 5:"));
        let report = evaluate(
            "{\"text\":\"where is my parcel\",\"topic\":\"delivery\",\"language\":\"en\"}\n",
            &classifier,
        )
        .unwrap();
        assert!(report.contains("== summary: 1 messages"));
        assert!(report.contains("== topic confidence calibration: 1 messages"));
    }
}
