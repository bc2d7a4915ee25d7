//! Bounded fuzzing of every parser Touchpoint exposes to the outside: event
//! batches (`domain::ingest`), conversation request bodies, the JSON string
//! writer the recorder sends with (`domain::json`), the redactor, the
//! classifier and the model loader (`domain::classify::model`).
//!
//! cargo-fuzz needs a nightly compiler; this is the stable equivalent, built on
//! proptest: each target first replays its corpus (`fuzz/corpus/<target>/`,
//! kept in the repository), then tries generated inputs — arbitrary strings and
//! bytes, byte- and character-level mutations of the corpus, and
//! structure-aware inputs (well-formed batches with odd values, models with a
//! correct checksum over corrupted contents) — asserting that nothing panics
//! and that each parser's invariants hold.
//!
//! `cargo test --test fuzz` runs a bounded pass (seconds; part of `make
//! test`). A longer run, for a release or after touching a parser:
//!
//!     TOUCHPOINT_FUZZ_CASES=200000 cargo test --profile native --test fuzz
//!
//! A failure is shrunk to a minimal input and its seed saved in
//! `fuzz/regressions.txt`, replayed first on every later run; add the input
//! itself to the target's corpus as a regression seed.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, FileFailurePersistence};

use touchpoint::domain::api::parse_body;
use touchpoint::domain::classify::model::{fnv1a, Model};
use touchpoint::domain::classify::{Classifier, BUILTIN_MODEL};
use touchpoint::domain::conversation::{check_start, screen, StartConversation};
use touchpoint::domain::ingest::{plan_batch, MAX_EVENTS_PER_BATCH};
use touchpoint::domain::json::push_string;
use touchpoint::domain::pii;

const NOW: u64 = 1_763_800_000_000;

fn config() -> Config {
    let cases = std::env::var("TOUCHPOINT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "fuzz/regressions.txt",
        ))),
        ..Config::default()
    }
}

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

fn text_corpus(target: &str) -> Vec<String> {
    corpus(target)
        .into_iter()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .collect()
}

fn classifier() -> &'static Classifier {
    static CLASSIFIER: OnceLock<Classifier> = OnceLock::new();
    CLASSIFIER.get_or_init(|| Classifier::builtin().unwrap())
}

/// Characters that make up personal data and what surrounds it, in the
/// spellings the redactor folds.
const DENSE: &[char] = &[
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '1', '4', '5', ' ', ' ', '-', '.', '/',
    '@', '+', '(', ')', ':', '#', '$', ',', 'a', 'x', 'n', 'D', 'E', 'G', 'B', 'e', 'c', 'v', 'é',
    '例', '\u{a0}', '\u{200b}', '\u{202e}', '\u{2013}', '４', '＠', '\u{3000}', '\n', '🎉', '[',
    ']',
];

/// Text built from the characters personal data is made of: random, so it
/// finds the edges between kinds no hand-written case thinks of.
fn dense_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(select(DENSE.to_vec()), 0..80).prop_map(|c| c.into_iter().collect())
}

/// A seed with a few characters inserted, removed or replaced.
fn mutated(seeds: Vec<String>) -> impl Strategy<Value = String> {
    let edit = (
        any::<u16>(),
        0u8..3,
        proptest::collection::vec(select(DENSE.to_vec()), 0..6),
    );
    (select(seeds), proptest::collection::vec(edit, 0..6)).prop_map(|(seed, edits)| {
        let mut chars: Vec<char> = seed.chars().collect();
        for (at, how, insert) in edits {
            let at = usize::from(at) % (chars.len() + 1);
            match how {
                0 => {
                    chars.splice(at..at, insert);
                }
                1 => {
                    let end = (at + insert.len() + 1).min(chars.len());
                    chars.drain(at..end);
                }
                _ => {
                    let end = (at + insert.len()).min(chars.len());
                    chars.splice(at..end, insert);
                }
            }
        }
        chars.into_iter().collect()
    })
}

/// A Luhn-valid number of 12 to 19 digits.
fn luhn_number() -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..=9, 11..=18).prop_map(|mut digits| {
        let sum: u32 = digits
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &d)| {
                let d = u32::from(d);
                if i % 2 == 0 {
                    (d * 2) % 10 + d * 2 / 10
                } else {
                    d
                }
            })
            .sum();
        digits.push(((10 - sum % 10) % 10) as u8);
        digits.iter().map(|d| char::from(b'0' + d)).collect()
    })
}

/// Text made of the pieces personal data is made of: digit groups, valid
/// card numbers, separators, words, addresses, cues.
fn token_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        "[0-9]{1,6}",
        luhn_number(),
        select(vec![
            " ", " ", "-", ".", "/", " - ", "\u{a0}", ":", "(", ")", "+", "#", ", ", "\n"
        ])
        .prop_map(str::to_owned),
        select(vec![
            "card", "cvv", "exp", "call", "phone", "ssn", "IBAN", "order", "abc", "DE89", "GB82",
            "WEST", "x", "例", "で"
        ])
        .prop_map(str::to_owned),
        "[a-z]{1,4}@[a-z]{1,4}\\.[a-z]{2,3}",
        "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
    ];
    proptest::collection::vec(token, 0..16).prop_map(|tokens| tokens.concat())
}

fn any_text(seeds: Vec<String>) -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), dense_text(), token_text(), mutated(seeds)]
}

/// The redactor's contract, checked on any text.
fn check_redaction(text: &str) -> Result<(), TestCaseError> {
    let redaction = pii::redact(text);
    let units: Vec<u16> = text.encode_utf16().collect();
    // Spans are sorted, disjoint, within the text and on character boundaries.
    let mut previous_end = 0;
    let mut rebuilt: Vec<u16> = Vec::new();
    for finding in &redaction.findings {
        let (start, end) = (finding.start as usize, finding.end as usize);
        prop_assert!(
            previous_end <= start && start < end && end <= units.len(),
            "{:?} in {:?}",
            finding,
            text
        );
        for at in [start, end] {
            prop_assert!(
                at == units.len() || !(0xDC00..0xE000).contains(&units[at]),
                "offset {} splits a surrogate pair in {:?}",
                at,
                text
            );
        }
        rebuilt.extend_from_slice(&units[previous_end..start]);
        rebuilt.extend(finding.kind.tag().encode_utf16());
        previous_end = end;
    }
    rebuilt.extend_from_slice(&units[previous_end..]);
    // The redacted text is the original with exactly those spans replaced.
    prop_assert_eq!(
        String::from_utf16(&rebuilt).unwrap(),
        redaction.redacted.clone()
    );
    prop_assert_eq!(pii::find(text), redaction.findings.clone());
    // Nothing the redactor would find is left, so redacting again changes nothing.
    let again = pii::redact(&redaction.redacted);
    prop_assert!(
        again.findings.is_empty(),
        "{:?} left in {:?} (from {:?})",
        again.findings,
        redaction.redacted,
        text
    );
    prop_assert_eq!(again.redacted, redaction.redacted);
    Ok(())
}

/// A batch of events shaped like the recorder's, with odd values in its fields.
fn structured_batch() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        any::<String>().prop_map(serde_json::Value::from),
        dense_text().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number)),
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        Just(serde_json::json!({"k": "v", "n": 1})),
        Just(serde_json::json!([1, "two"])),
        (NOW - 100_000_000..NOW + 100_000_000).prop_map(serde_json::Value::from),
    ];
    let key = select(vec![
        "id",
        "type",
        "ts",
        "path",
        "title",
        "referrer",
        "vw",
        "vh",
        "lang",
        "tz",
        "name",
        "target",
        "props",
        "engaged_ms",
        "scroll",
        "fields",
        "utm_source",
        "extra",
    ]);
    let kind = select(vec![
        "pageview",
        "click",
        "custom",
        "engagement",
        "form",
        "nonsense",
    ]);
    let event = (
        "[0-9a-f]{16,32}",
        kind,
        proptest::collection::vec((key, value.clone()), 0..8),
    )
        .prop_map(|(id, kind, fields)| {
            let mut event = serde_json::json!({"id": id, "type": kind, "ts": NOW});
            for (key, value) in fields {
                event[key] = value;
            }
            event
        });
    (
        proptest::collection::vec(event, 0..12),
        select(vec!["demo", "", "x".repeat(300).leak() as &str, "é"]),
        proptest::collection::vec(
            (
                select(vec![
                    "v", "sent_at", "dropped", "dnt", "user", "site", "events",
                ]),
                value,
            ),
            0..3,
        ),
    )
        .prop_map(|(events, site, overrides)| {
            let mut batch =
                serde_json::json!({"v": 1, "site": site, "sent_at": NOW, "events": events});
            for (key, value) in overrides {
                batch[key] = value;
            }
            batch.to_string()
        })
}

fn check_batch(body: &str) -> Result<(), TestCaseError> {
    if let Ok(plan) = plan_batch(body, NOW) {
        prop_assert!(plan.rows.len() + plan.rejected.len() <= MAX_EVENTS_PER_BATCH + 1);
        for row in &plan.rows {
            let mut free_text = vec![
                row.title.clone(),
                row.path.clone(),
                row.referrer.clone(),
                row.target.clone(),
            ];
            if !row.props_json.is_empty() {
                let props: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(&row.props_json).unwrap();
                // Numbers are kept as numbers only when their text is clean.
                free_text.extend(props.values().filter_map(|v| match v {
                    serde_json::Value::String(text) => Some(text.clone()),
                    serde_json::Value::Number(number) => Some(number.to_string()),
                    _ => None,
                }));
            }
            for field in free_text {
                prop_assert!(
                    pii::find(&field).is_empty(),
                    "personal data {:?} kept in {:?}",
                    pii::find(&field),
                    field
                );
            }
        }
        serde_json::to_string(&plan.receipt(plan.rows.len() as u32)).unwrap();
    }
    Ok(())
}

fn check_model(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(model) = Model::from_bytes(bytes) {
        // What loads writes back byte for byte (versions 2 and 3 in their
        // own version, which says their feature set); a version 1 file
        // (still read) is written as version 2, and a version 4 or 5 one
        // as 6 (coded weights, signs by row), which load the same — as does
        // a version 5 or 6 file, whose stream an edit may leave decodable
        // but not as the coder would write it.
        let written = model.to_bytes();
        if matches!(bytes[4..6], [2 | 3, 0]) {
            prop_assert_eq!(written, bytes.to_vec());
        } else {
            let reloaded = Model::from_bytes(&written);
            prop_assert_eq!(reloaded.as_ref(), Ok(&model));
        }
        if let Ok(classifier) = Classifier::new(model, Vec::new()) {
            for text in ["my order never arrived", "", "4111 1111 1111 1111 🎉"] {
                let c = classifier.classify(text);
                prop_assert!((0.0..=1.0).contains(&c.topic_confidence));
                prop_assert!((0.0..=1.0).contains(&c.sentiment_confidence));
            }
        }
    }
    Ok(())
}

/// Corrupts a valid model and fixes its checksum, so the parser reads past it.
fn corrupted_model() -> impl Strategy<Value = Vec<u8>> {
    let mut seeds = corpus("model");
    seeds.push(BUILTIN_MODEL.to_vec());
    let edit = (any::<u32>(), any::<u8>(), 0u8..4);
    (
        select(seeds),
        proptest::collection::vec(edit, 1..5),
        any::<bool>(),
    )
        .prop_map(|(mut bytes, edits, fix)| {
            for (at, byte, how) in edits {
                if bytes.len() <= 4 {
                    break;
                }
                // Most edits land in the header, where the structure is.
                let at = if at % 2 == 0 {
                    (at as usize / 2) % 64
                } else {
                    at as usize
                };
                let at = 4 + at % (bytes.len() - 4);
                match how {
                    0 => bytes[at] = byte,
                    1 => {
                        bytes.remove(at);
                    }
                    2 => bytes.insert(at, byte),
                    _ => bytes.truncate(at),
                }
            }
            if fix && bytes.len() >= 8 {
                let body_len = bytes.len() - 4;
                let checksum = fnv1a(&bytes[..body_len]);
                bytes[body_len..].copy_from_slice(&checksum.to_le_bytes());
            }
            bytes
        })
}

#[test]
fn corpora_replay_cleanly() {
    for text in text_corpus("redact").iter().chain(&text_corpus("classify")) {
        check_redaction(text).unwrap();
        classifier().classify(text);
    }
    for body in text_corpus("events") {
        check_batch(&body).unwrap();
    }
    for bytes in corpus("model") {
        check_model(&bytes).unwrap();
    }
    check_model(BUILTIN_MODEL).unwrap();
    for text in text_corpus("json_string") {
        let mut out = String::new();
        push_string(&mut out, &text);
        assert_eq!(serde_json::from_str::<String>(&out).unwrap(), text);
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn redactor(text in any_text(text_corpus("redact"))) {
        check_redaction(&text)?;
    }

    #[test]
    fn event_batches(body in prop_oneof![
        any::<String>(),
        mutated(text_corpus("events")),
        structured_batch(),
    ]) {
        check_batch(&body)?;
    }

    #[test]
    fn conversation_bodies(body in prop_oneof![
        any::<String>(),
        mutated(vec![
            r#"{"site":"demo","visitor":"v_0123456789abcdef","message":{"text":"hello 4111 1111 1111 1111"}}"#.into(),
            r#"{"site":"demo","message":{"text":""},"reply":{"channel":"email","email":"a@b.de"}}"#.into(),
        ]),
        dense_text().prop_map(|t| serde_json::json!({"site": "demo", "message": {"text": t}}).to_string()),
    ]) {
        if let Ok(request) = parse_body::<StartConversation>(&body) {
            let _ = check_start(&request, NOW as i64);
            let screened = screen(&request.message.text, request.message.labels.as_ref(), classifier());
            prop_assert!(pii::find(&screened.text).is_empty(), "{:?} stored", screened.text);
        }
    }

    #[test]
    fn json_string_writer(text in any_text(text_corpus("json_string"))) {
        let mut out = String::new();
        push_string(&mut out, &text);
        prop_assert_eq!(serde_json::from_str::<String>(&out).unwrap(), text);
    }

    #[test]
    fn classifier_on_any_text(text in any_text(text_corpus("classify"))) {
        let c = classifier().classify(&text);
        prop_assert!(c.topic_confidence.is_finite() && (0.0..=1.0).contains(&c.topic_confidence));
        prop_assert!(c.sentiment_confidence.is_finite() && (0.0..=1.0).contains(&c.sentiment_confidence));
        prop_assert_eq!(c.pii, pii::find(&text));
        prop_assert!(pii::find(&c.redacted).is_empty());
    }

    #[test]
    fn model_loader(bytes in prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(|tail| [b"TPCM\x01\x00".to_vec(), tail].concat()),
        corrupted_model(),
    ]) {
        check_model(&bytes)?;
    }
}
