//! `touchpoint classify`.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Deserialize;

use crate::domain::classify::model::Model;
use crate::domain::classify::Classifier;

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
