//! `touchpoint classify` and `touchpoint eval`.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Deserialize;

use crate::domain::classify::model::Model;
use crate::domain::classify::Classifier;

use super::report::Report;

/// Loads `path`, or the built-in model when none is given.
pub fn load_classifier(path: Option<&Path>) -> Result<Classifier, String> {
    let model = match path {
        Some(path) => {
            let bytes =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Model::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => Model::from_bytes(crate::domain::classify::BUILTIN_MODEL)
            .map_err(|e| format!("the built-in model: {e} (run `touchpoint train`)"))?,
    };
    Classifier::new(model, Vec::new()).map_err(|e| e.to_string())
}

#[derive(Deserialize)]
struct Input {
    text: String,
}

/// Classifies `text`, or every JSON line `{"text": ...}` on stdin.
pub fn run(text: Option<String>, model: Option<PathBuf>) -> ExitCode {
    let classifier = match load_classifier(model.as_deref()) {
        Ok(c) => c,
        Err(error) => {
            eprintln!("touchpoint classify: {error}");
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut emit = |line: String| writeln!(out, "{line}").is_ok();
    if let Some(text) = text {
        emit(serde_json::to_string(&classifier.classify(&text)).unwrap_or_default());
        return ExitCode::SUCCESS;
    }
    let mut failures = 0u32;
    for (number, line) in std::io::stdin().lock().lines().enumerate() {
        let line = match line {
            Ok(line) => line,
            Err(error) => {
                eprintln!("touchpoint classify: cannot read stdin: {error}");
                return ExitCode::from(2);
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let answer = match serde_json::from_str::<Input>(&line) {
            Ok(input) => {
                serde_json::to_string(&classifier.classify(&input.text)).unwrap_or_default()
            }
            Err(error) => {
                failures += 1;
                serde_json::json!({"error": format!("line {}: {error}", number + 1)}).to_string()
            }
        };
        if !emit(answer) {
            break;
        }
    }
    if failures > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Every head a labeled line may carry.
#[derive(Deserialize)]
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

/// Prints metrics for every head that `data` labels.
pub fn eval(data: &Path, model: Option<PathBuf>) -> ExitCode {
    let classifier = match load_classifier(model.as_deref()) {
        Ok(c) => c,
        Err(error) => {
            eprintln!("touchpoint eval: {error}");
            return ExitCode::from(2);
        }
    };
    let text = match std::fs::read_to_string(data) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("touchpoint eval: cannot read {}: {error}", data.display());
            return ExitCode::from(2);
        }
    };
    let names = [
        "topic",
        "sentiment",
        "kind",
        "urgency",
        "expectation_gap",
        "language",
        "spam",
    ];
    let mut reports: Vec<Report> = vec![Report::default(); names.len()];
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with("//") {
            continue;
        }
        let gold: Gold = match serde_json::from_str(line) {
            Ok(gold) => gold,
            Err(error) => {
                eprintln!(
                    "touchpoint eval: {}:{}: {error}",
                    data.display(),
                    number + 1
                );
                return ExitCode::from(2);
            }
        };
        let c = classifier.classify(&gold.text);
        let pairs = [
            (gold.topic, c.topic.clone()),
            (gold.sentiment, c.sentiment.clone()),
            (gold.kind, c.kind.to_string()),
            (gold.urgency, c.urgency.to_string()),
            (
                gold.expectation_gap.map(|b| b.to_string()),
                c.expectation_gap.to_string(),
            ),
            (gold.language, c.language.to_string()),
            (gold.spam.map(|b| b.to_string()), c.spam.to_string()),
        ];
        for (report, (gold, predicted)) in reports.iter_mut().zip(pairs) {
            if let Some(gold) = gold {
                report.add(&gold, &predicted);
            }
        }
    }
    for (name, report) in names.iter().zip(&reports) {
        if !report.is_empty() {
            print!("{}", report.render(name));
        }
    }
    ExitCode::SUCCESS
}
