//! Measures the redactor against labeled spans. A gold span counts as found
//! when a finding of the same kind overlaps it; a finding counts as correct
//! when it overlaps a gold span of its kind. Entity types outside the
//! redactor's kinds (names, street addresses...) are not expected, but a
//! finding on them is a false alarm.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use serde::Deserialize;

use crate::domain::pii::{find_bytes, PiiKind};

#[derive(Deserialize)]
struct Sample {
    full_text: String,
    spans: Vec<Span>,
}

#[derive(Deserialize)]
struct Span {
    entity_type: String,
    start_position: usize,
    end_position: usize,
}

fn kind_of(entity_type: &str) -> Option<PiiKind> {
    Some(match entity_type {
        "EMAIL_ADDRESS" => PiiKind::Email,
        "PHONE_NUMBER" => PiiKind::Phone,
        "CREDIT_CARD" => PiiKind::Card,
        "IBAN_CODE" => PiiKind::Iban,
        "US_SSN" => PiiKind::Ssn,
        "IP_ADDRESS" => PiiKind::Ip,
        _ => return None,
    })
}

/// Counts per kind.
#[derive(Default, Clone, Copy)]
pub struct Tally {
    pub gold: u32,
    pub found: u32,
    pub predicted: u32,
    pub correct: u32,
}

impl Tally {
    pub fn recall(&self) -> f64 {
        if self.gold == 0 {
            1.0
        } else {
            f64::from(self.found) / f64::from(self.gold)
        }
    }
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 {
            1.0
        } else {
            f64::from(self.correct) / f64::from(self.predicted)
        }
    }
}

/// Scores the redactor on presidio-style JSON text.
pub fn score(
    json: &str,
    mut on_error: impl FnMut(&str, &str, &str),
) -> Result<BTreeMap<PiiKind, Tally>, String> {
    let samples: Vec<Sample> =
        serde_json::from_str(json).map_err(|e| format!("not presidio-style JSON: {e}"))?;
    let mut tallies: BTreeMap<PiiKind, Tally> = BTreeMap::new();
    for sample in &samples {
        let text = &sample.full_text;
        // Gold offsets count characters (Python); ours count bytes.
        let char_to_byte: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| b)
            .chain([text.len()])
            .collect();
        let gold: Vec<(PiiKind, usize, usize)> = sample
            .spans
            .iter()
            .filter_map(|s| {
                let kind = kind_of(&s.entity_type)?;
                Some((
                    kind,
                    *char_to_byte.get(s.start_position)?,
                    *char_to_byte.get(s.end_position)?,
                ))
            })
            .collect();
        let other_gold: Vec<(usize, usize, &str)> = sample
            .spans
            .iter()
            .filter(|s| kind_of(&s.entity_type).is_none())
            .filter_map(|s| {
                Some((
                    *char_to_byte.get(s.start_position)?,
                    *char_to_byte.get(s.end_position)?,
                    s.entity_type.as_str(),
                ))
            })
            .collect();
        let findings = find_bytes(text);
        for &(kind, start, end) in &gold {
            let tally = tallies.entry(kind).or_default();
            tally.gold += 1;
            if findings
                .iter()
                .any(|f| f.kind == kind && f.start < end && start < f.end)
            {
                tally.found += 1;
            } else {
                on_error(
                    "missed",
                    kind.as_str(),
                    text.get(start..end).unwrap_or_default(),
                );
            }
        }
        for finding in &findings {
            let tally = tallies.entry(finding.kind).or_default();
            tally.predicted += 1;
            if gold.iter().any(|&(kind, start, end)| {
                kind == finding.kind && finding.start < end && start < finding.end
            }) {
                tally.correct += 1;
            } else {
                let value = text.get(finding.start..finding.end).unwrap_or_default();
                let label = other_gold
                    .iter()
                    .find(|&&(start, end, _)| finding.start < end && start < finding.end)
                    .map_or("unlabeled text", |&(_, _, label)| label);
                on_error(
                    "false alarm",
                    finding.kind.as_str(),
                    &format!("{value:?} (gold: {label})"),
                );
            }
        }
    }
    Ok(tallies)
}

/// Runs `touchpoint eval-pii`.
pub fn run(path: &Path, verbose: bool, min_recall: f64, min_precision: f64) -> ExitCode {
    let json = match std::fs::read_to_string(path) {
        Ok(json) => json,
        Err(error) => {
            eprintln!("touchpoint: cannot read {}: {error}", path.display());
            return ExitCode::from(2);
        }
    };
    let tallies = match score(&json, |what, kind, value| {
        if verbose {
            println!("{what:>11} {kind:<6} {value}");
        }
    }) {
        Ok(tallies) => tallies,
        Err(error) => {
            eprintln!("touchpoint: {error}");
            return ExitCode::from(2);
        }
    };
    println!("kind    gold  found  recall  predicted  correct  precision");
    let mut total = Tally::default();
    for (kind, t) in &tallies {
        println!(
            "{:<6} {:>5} {:>6} {:>7.2}% {:>10} {:>8} {:>9.2}%",
            kind.as_str(),
            t.gold,
            t.found,
            t.recall() * 100.0,
            t.predicted,
            t.correct,
            t.precision() * 100.0
        );
        total.gold += t.gold;
        total.found += t.found;
        total.predicted += t.predicted;
        total.correct += t.correct;
    }
    println!(
        "{:<6} {:>5} {:>6} {:>7.2}% {:>10} {:>8} {:>9.2}%",
        "all",
        total.gold,
        total.found,
        total.recall() * 100.0,
        total.predicted,
        total.correct,
        total.precision() * 100.0
    );
    let short = tallies
        .iter()
        .filter(|(_, t)| t.recall() < min_recall || t.precision() < min_precision)
        .map(|(kind, _)| kind.as_str())
        .collect::<Vec<_>>();
    if short.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "below the required recall or precision: {}",
            short.join(", ")
        );
        ExitCode::from(1)
    }
}
