//! `touchpoint bench`: time classify + redact per message, natively. The same
//! messages are timed in wasm by `bench/classify-wasm.mjs` (Node and Chromium).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use super::classify::load_classifier;

/// Runs `rounds` timed passes over every message in `path` and prints p50/p99.
pub fn run(path: &Path, rounds: u32) -> ExitCode {
    let classifier = match load_classifier(None) {
        Ok(c) => c,
        Err(error) => {
            eprintln!("touchpoint bench: {error}");
            return ExitCode::from(2);
        }
    };
    let messages: Vec<String> = match std::fs::read_to_string(path) {
        Ok(text) => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        Err(error) => {
            eprintln!("touchpoint bench: cannot read {}: {error}", path.display());
            return ExitCode::from(2);
        }
    };
    // Warm up caches and the cue table.
    for message in &messages {
        std::hint::black_box(classifier.classify(message));
    }
    let mean_len =
        messages.iter().map(|m| m.chars().count()).sum::<usize>() / messages.len().max(1);
    let (p50, p99) = time(&messages, rounds, |message| {
        std::hint::black_box(classifier.classify(message));
    });
    let mut out = std::io::stdout().lock();
    // A reader that stops early (`| head -1`) ends the run, quietly.
    let printed = writeln!(
        out,
        "native classify+redact: {} messages (mean {} chars) x {rounds} rounds: p50 {p50:.2} µs, p99 {p99:.2} µs",
        messages.len(),
        mean_len,
    );
    if printed.is_err() {
        return ExitCode::SUCCESS;
    }
    // Where the time goes: the redactor alone (classify runs it first).
    let (p50, p99) = time(&messages, rounds, |message| {
        std::hint::black_box(crate::domain::pii::redact(message));
    });
    // The last line: nothing is left to stop if the reader has gone.
    let _ = writeln!(
        out,
        "  of which redact alone: p50 {p50:.2} µs, p99 {p99:.2} µs"
    );
    ExitCode::SUCCESS
}

/// p50 and p99 of `work` per message, in µs, over `rounds` passes.
fn time(messages: &[String], rounds: u32, work: impl Fn(&str)) -> (f64, f64) {
    // Each sample is the mean of a tight loop, so timer resolution does not matter.
    const INNER: u32 = 200;
    let mut samples: Vec<f64> = Vec::new();
    for _ in 0..rounds {
        for message in messages {
            let start = Instant::now();
            for _ in 0..INNER {
                work(std::hint::black_box(message));
            }
            samples.push(start.elapsed().as_secs_f64() * 1e6 / f64::from(INNER));
        }
    }
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}
