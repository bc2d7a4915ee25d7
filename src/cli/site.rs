//! `train-site`: a site model trained natively from labelled examples, the
//! way the worker trains one from a site's uploads (same parser, redaction,
//! cap and fine-tuning), to measure site adaptation without a running worker.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::domain::classify::model::Model;
use crate::domain::classify::train::{train_site_model, Labelled, SITE_TUNING};
use crate::domain::classify::BUILTIN_MODEL;
use crate::domain::pii;
use crate::domain::site_model::{parse_examples, MAX_TRAINING_EXAMPLES};

#[derive(Debug, clap::Args)]
pub struct TrainSiteArgs {
    /// JSON lines `{"text", "topic"?, "sentiment"?}`, as uploaded to
    /// `POST /v1/admin/sites/{site}/model/examples`.
    #[arg(long)]
    examples: PathBuf,
    /// Where to write the site model.
    #[arg(long)]
    out: PathBuf,
    /// The model to fine-tune instead of the built-in one.
    #[arg(long)]
    base: Option<PathBuf>,
}

pub fn run(args: &TrainSiteArgs) -> ExitCode {
    match train(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("touchpoint train-site: {message}");
            ExitCode::from(1)
        }
    }
}

fn train(args: &TrainSiteArgs) -> Result<(), String> {
    let body = read(&args.examples)?;
    let examples = parse_examples(&body, false).map_err(|errors| {
        errors
            .iter()
            .map(|e| format!("line {}: {}", e.line, e.message))
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    // The worker reads a site's newest examples up to its cap, stored redacted.
    let newest = examples
        .len()
        .saturating_sub(MAX_TRAINING_EXAMPLES as usize);
    let texts: Vec<String> = examples[newest..]
        .iter()
        .map(|e| pii::redact(&e.text).redacted)
        .collect();
    let labelled: Vec<Labelled> = examples[newest..]
        .iter()
        .zip(&texts)
        .map(|(e, text)| Labelled::stored(text, &e.topic, &e.sentiment))
        .collect();
    let base_bytes = match &args.base {
        Some(path) => std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?,
        None => BUILTIN_MODEL.to_vec(),
    };
    let base = Model::from_bytes(&base_bytes).map_err(|e| format!("the base model: {e}"))?;
    let trained = train_site_model(&base, &labelled, SITE_TUNING).map_err(|e| e.to_string())?;
    std::fs::write(&args.out, trained.model.to_bytes())
        .map_err(|e| format!("{}: {e}", args.out.display()))?;
    println!(
        "site model: {} examples read, written to {}",
        labelled.len(),
        args.out.display()
    );
    for (head, score) in [("topic", trained.topic), ("sentiment", trained.sentiment)] {
        println!(
            "{head:>9}: trained on {}, held out {}: site model {:.1}%, base model {:.1}%",
            score.trained_on,
            score.held_out,
            score.site * 100.0,
            score.default * 100.0
        );
    }
    Ok(())
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}
