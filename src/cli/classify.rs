//! `touchpoint classify`.

use std::io::Write;
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

/// A line of input: its text; other fields (labels, say) are ignored, so
/// labelled data can be piped in as it is.
#[derive(Deserialize)]
struct Input {
    text: String,
}

/// The classification of `text` as a JSON line; blank text is refused.
fn classified(classifier: &Classifier, text: &str) -> Result<String, String> {
    if crate::domain::text::is_blank(text) {
        return Err("text is empty".into());
    }
    serde_json::to_string(&classifier.classify(text)).map_err(|e| e.to_string())
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
    if let Some(text) = text {
        let answer = match classified(&classifier, &text) {
            Ok(answer) => answer,
            Err(error) => {
                eprintln!("touchpoint classify: {error}");
                return ExitCode::from(2);
            }
        };
        return match writeln!(out, "{answer}") {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::from(2),
        };
    }
    super::json_lines::answer_each("classify", std::io::stdin().lock(), out, |input: Input| {
        classified(&classifier, &input.text)
    })
}
