//! `touchpoint` on the command line: check event batches against the wire
//! schema, redact personal data, and measure the redactor on labeled data.

/// `attribute`: a visit's channel, as the product decides it.
pub mod attribute;
/// `bench`: classify + redact timing, natively.
pub mod bench;
/// `classify`: run the classifier on text.
pub mod classify;
/// Public datasets and the project's own examples, mapped to the taxonomy.
pub mod datasets;
/// `eval`: every head measured on labeled lines, per language, with calibration.
pub mod eval;
/// `eval-pii`: precision and recall of the redactor on presidio-style data.
pub mod eval_pii;
/// JSON lines on stdin: an answer or a numbered error for every line.
pub mod json_lines;
/// Accuracy, macro-F1, per-label tables and confusion matrices.
pub mod report;
/// `train-site`: a site model trained natively, as the worker trains one.
pub mod site;
/// `train`: fits the model and writes the model file.
pub mod train;
/// The visitor-like public sets (issue 15) and their reviewed mappings.
pub mod visitor_sources;

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::domain::ingest::plan_batch;

/// Touchpoint: listen to website visitors and talk to them person to person.
#[derive(Debug, Parser)]
#[command(name = "touchpoint", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate an event batch (JSON, from a file or stdin) as the edge would,
    /// and print the ingestion receipt.
    CheckBatch {
        /// File holding the batch; reads stdin when absent.
        file: Option<std::path::PathBuf>,
    },
    /// How a visit gets its channel: the landing URL (with its UTM
    /// parameters and click ids) and the referrer, decided as the recorder
    /// and then the edge do. Reads JSON lines `{"url", "referrer", "site"}`
    /// on stdin when no URL is given; one JSON line out per input.
    Attribute {
        /// The landing page's URL.
        url: Option<String>,
        /// The referring page's URL (`document.referrer`).
        #[arg(long, default_value = "")]
        referrer: String,
        /// The site's host name (the landing URL's host by default).
        #[arg(long, default_value = "")]
        site: String,
    },
    /// Classify and redact text: one message as an argument, or JSON lines
    /// `{"text": "..."}` on stdin; one JSON line out per input.
    Classify {
        /// The message; reads JSON lines from stdin when absent.
        text: Option<String>,
        /// A model file to use instead of the built-in one.
        #[arg(long)]
        model: Option<std::path::PathBuf>,
    },
    /// Train the topic and sentiment model and write the model file.
    Train(Box<train::TrainArgs>),
    /// Fine-tune a site model from labelled examples, as the worker does
    /// with a site's uploads, and print its held-out accuracy.
    TrainSite(site::TrainSiteArgs),
    /// Evaluate on labeled JSON lines: a summary per language (topic and
    /// sentiment accuracy, negative recall, kind, urgency, expectation gap),
    /// per-label precision and recall with a confusion matrix for each head the
    /// file labels, and accuracy by confidence bucket.
    Eval {
        /// Labeled JSON lines (`text` plus any of topic, sentiment, kind, urgency,
        /// expectation_gap, language, spam).
        #[arg(long)]
        data: std::path::PathBuf,
        /// A model file to use instead of the built-in one.
        #[arg(long)]
        model: Option<std::path::PathBuf>,
    },
    /// Time classify + redact per message (p50/p99, microseconds).
    Bench {
        /// One message per line.
        #[arg(long, default_value = "bench/messages.txt")]
        messages: std::path::PathBuf,
        #[arg(long, default_value_t = 50)]
        rounds: u32,
    },
    /// Measure the personal-data redactor on a presidio-research style JSON
    /// file (`full_text` and `spans` per sample): per-kind precision and recall.
    EvalPii {
        /// The labeled file.
        #[arg(
            long,
            default_value = "../shared/datasets/presidio-synth/synth_dataset_v2.json"
        )]
        data: std::path::PathBuf,
        /// Print every miss and false alarm.
        #[arg(long)]
        verbose: bool,
        /// Fail (exit 1) when any kind's recall is below this percentage.
        #[arg(long, default_value_t = 0.0)]
        min_recall: f64,
        /// Fail (exit 1) when any kind's precision is below this percentage.
        #[arg(long, default_value_t = 0.0)]
        min_precision: f64,
    },
}

/// Runs the CLI with the process arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::CheckBatch { file } => check_batch(file),
        Command::EvalPii {
            data,
            verbose,
            min_recall,
            min_precision,
        } => eval_pii::run(&data, verbose, min_recall / 100.0, min_precision / 100.0),
        Command::Classify { text, model } => classify::run(text, model),
        Command::Attribute {
            url,
            referrer,
            site,
        } => attribute::run(url, &referrer, &site),
        Command::Bench { messages, rounds } => bench::run(&messages, rounds),
        Command::Train(args) => train::run(&args),
        Command::TrainSite(args) => site::run(&args),
        Command::Eval { data, model } => eval::run(&data, model),
    }
}

fn check_batch(file: Option<std::path::PathBuf>) -> ExitCode {
    let mut body = String::new();
    let read = match file {
        Some(path) => std::fs::read_to_string(path).map(|text| body = text),
        None => std::io::stdin().read_to_string(&mut body).map(drop),
    };
    if let Err(error) = read {
        eprintln!("touchpoint: cannot read the batch: {error}");
        return ExitCode::from(2);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    match plan_batch(&body, now) {
        Ok(plan) => {
            let receipt = plan.receipt(u32::try_from(plan.rows.len()).unwrap_or(u32::MAX));
            println!("{}", serde_json::to_string(&receipt).unwrap_or_default());
            if plan.rejected.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(error) => {
            println!("{}", error.to_json());
            ExitCode::from(1)
        }
    }
}
