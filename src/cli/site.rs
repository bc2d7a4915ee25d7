//! `train-site`: a site model trained natively from labelled examples, the
//! way the worker trains one from a site's uploads (same parser, redaction,
//! cap and fine-tuning), to measure site adaptation without a running worker.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::datasets::{hashed_split, split_hash, Split};
use crate::domain::classify::model::Model;
use crate::domain::classify::train::{
    train_site_model, train_site_model_holding_out, FineTune, Labelled, SiteTuning, WORKER_TUNING,
};
use crate::domain::classify::BUILTIN_MODEL;
use crate::domain::pii;
use crate::domain::site_model::{
    clearly_worse, parse_examples, right_by_one_only, MAX_TRAINING_EXAMPLES, WORSE_THAN_DEFAULT,
};

#[derive(Debug, clap::Args)]
pub struct TrainSiteArgs {
    /// JSON lines `{"text", "topic"?, "sentiment"?, "kind"?}`, as uploaded to
    /// `POST /v1/admin/sites/{site}/model/examples`.
    #[arg(long)]
    examples: PathBuf,
    /// Where to write the site model.
    #[arg(long)]
    out: PathBuf,
    /// The model to fine-tune instead of the built-in one.
    #[arg(long)]
    base: Option<PathBuf>,
    /// Also score the settings by 5-fold cross-validation on the examples
    /// (each fifth by the hash `touchpoint train` cuts its splits by), to
    /// choose settings on the site's own examples.
    #[arg(long)]
    cross_validate: bool,
    /// Fine-tuning epochs for every head, instead of the worker's.
    #[arg(long)]
    epochs: Option<u32>,
    /// Fine-tuning rate for every head, instead of the worker's.
    #[arg(long, value_parser = positive)]
    rate: Option<f32>,
    /// Fine-tuning inertia (starting squared-gradient sum) for every head, instead of the worker's.
    #[arg(long, value_parser = positive)]
    inertia: Option<f32>,
    /// Whether the site's weights get finer steps than the base's.
    #[arg(long)]
    finer: Option<bool>,
    /// Whether weights the base pruned may come back.
    #[arg(long)]
    grow: Option<bool>,
    /// The share of the base's non-zero weights the site model is pruned
    /// back to (0: nothing pruned).
    #[arg(long, value_parser = share)]
    prune: Option<f32>,
    /// Whether the site's classes are balanced.
    #[arg(long)]
    balance: Option<bool>,
    /// Whether the served model is trained on the held-out share too.
    #[arg(long)]
    refit: Option<bool>,
    /// How far the site model's weights and biases go from the base's
    /// toward the fine-tuned ones, 0–1 (1: all the way).
    #[arg(long, value_parser = share)]
    mix: Option<f32>,
}

/// A finite number above 0 (a rate or an inertia of 0, NaN or infinity
/// would write a model no loader takes).
fn positive(text: &str) -> Result<f32, String> {
    match text.parse::<f32>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("{text:?} is not a finite number above 0")),
    }
}

/// A number from 0 to 1.
fn share(text: &str) -> Result<f32, String> {
    match text.parse::<f32>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("{text:?} is not a number from 0 to 1")),
    }
}

/// The worker's settings, for each head, with the ones given on the
/// command line.
fn tuning(args: &TrainSiteArgs) -> SiteTuning {
    WORKER_TUNING.map(|worker| overridden(args, worker))
}

fn overridden(args: &TrainSiteArgs, worker: FineTune) -> FineTune {
    FineTune {
        epochs: args.epochs.unwrap_or(worker.epochs),
        rate: args.rate.unwrap_or(worker.rate),
        inertia: args.inertia.unwrap_or(worker.inertia),
        finer: args.finer.unwrap_or(worker.finer),
        grow: args.grow.unwrap_or(worker.grow),
        prune: args
            .prune
            .map_or(worker.prune, |share| (share > 0.0).then_some(share)),
        balance: args.balance.unwrap_or(worker.balance),
        refit: args.refit.unwrap_or(worker.refit),
        mix: args.mix.unwrap_or(worker.mix),
    }
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
    let examples = parse_examples(&body, false).map_err(|refused| {
        let mut lines: Vec<String> = refused.lines.iter().map(ToString::to_string).collect();
        let unlisted = refused.count as usize - refused.lines.len();
        if unlisted > 0 {
            lines.push(format!("and {unlisted} more bad lines"));
        }
        lines.join("\n")
    })?;
    // The worker reads a site's newest examples up to its cap, stored redacted.
    let newest = examples
        .len()
        .saturating_sub(MAX_TRAINING_EXAMPLES as usize);
    if newest > 0 {
        eprintln!(
            "touchpoint train-site: {} examples; training on the last {MAX_TRAINING_EXAMPLES} \
             ({newest} left out), as the worker reads a site's newest {MAX_TRAINING_EXAMPLES}",
            examples.len()
        );
    }
    let texts: Vec<String> = examples[newest..]
        .iter()
        .map(|e| pii::redact(&e.text).redacted)
        .collect();
    let labelled: Vec<Labelled> = examples[newest..]
        .iter()
        .zip(&texts)
        .map(|(e, text)| Labelled::stored(text, &e.topic, &e.sentiment, &e.kind))
        .collect();
    let base_bytes = match &args.base {
        Some(path) => std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?,
        None => BUILTIN_MODEL.to_vec(),
    };
    let base = Model::from_bytes(&base_bytes).map_err(|e| format!("the base model: {e}"))?;
    let how = tuning(args);
    if args.cross_validate {
        cross_validate(&base, &labelled, how);
    }
    let trained = train_site_model(&base, &labelled, how).map_err(|e| e.to_string())?;
    std::fs::write(&args.out, trained.model.to_bytes())
        .map_err(|e| format!("{}: {e}", args.out.display()))?;
    println!(
        "site model: trained on {} of {} examples, written to {}",
        labelled.len(),
        examples.len(),
        args.out.display()
    );
    for (head, score) in [
        ("topic", trained.topic),
        ("sentiment", trained.sentiment),
        ("kind", trained.kind),
    ] {
        println!(
            "{head:>9}: trained on {}, held out {}: site model {:.1}%, base model {:.1}%",
            score.trained_on,
            score.held_out,
            score.site * 100.0,
            score.default * 100.0
        );
    }
    let (site_only, default_only) =
        right_by_one_only(&[trained.topic, trained.sentiment, trained.kind]);
    println!(
        "held out, right by one model only: site model {site_only}, base model {default_only}"
    );
    if clearly_worse(site_only, default_only) {
        println!("the worker would keep this model but serve the default: {WORSE_THAN_DEFAULT}");
    }
    Ok(())
}

/// Topic accuracy over five folds, each fifth held out in turn. Folds are
/// cut as `touchpoint train` cuts its splits, and only examples the default
/// model never trained on are scored (HINT3, say, is partly in its
/// training data): otherwise the base's memory would flatter settings that
/// move it least.
fn cross_validate(base: &Model, labelled: &[Labelled], how: SiteTuning) {
    // Each fold's model must not see the fold it is scored on.
    let how = how.map(|how| FineTune {
        refit: false,
        ..how
    });
    let fold_of = |text: &str| split_hash(text) % 5;
    let (mut right, mut base_right, mut total) = (0u32, 0u32, 0u32);
    for fold in 0..5 {
        let held = |text: &str| fold_of(text) == fold;
        let trained = match train_site_model_holding_out(base, labelled, how, held) {
            Ok(trained) => trained,
            Err(error) => {
                println!("fold {fold}: {error}");
                continue;
            }
        };
        let (Some(site), Some(default)) = (trained.model.head("topic"), base.head("topic")) else {
            continue;
        };
        for example in labelled {
            let unseen = hashed_split(example.text) != Split::Train;
            let Some(class) = example
                .topic
                .and_then(|t| default.labels.iter().position(|l| l == t))
            else {
                continue;
            };
            if !held(example.text) || !unseen {
                continue;
            }
            let x = base.features(example.text);
            total += 1;
            right += u32::from(site.predict(&x).0 == class);
            base_right += u32::from(default.predict(&x).0 == class);
        }
    }
    let share = |n: u32| {
        if total == 0 {
            0.0
        } else {
            f64::from(n) / f64::from(total) * 100.0
        }
    };
    println!(
        "cross-validated topic ({total} examples the base never saw, {:?}): site model {:.2}% ({right}), base model {:.2}% ({base_right})",
        how.topic_and_sentiment,
        share(right),
        share(base_right)
    );
}

fn read(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    super::json_lines::utf8_text(bytes).map_err(|lines| lines.join("\n"))
}
