//! Golden tests that run twice: natively (`cargo test`) and as wasm in Node
//! (`wasm-bindgen-test`), so the recorder's encoding and the edge's decisions
//! give byte-identical results on both.
#![allow(clippy::unwrap_used)]

use touchpoint::domain::event::{encode_batch, EventKind, PageContext, Touchpoint};
use touchpoint::domain::ids::event_id;
use touchpoint::domain::ingest::plan_batch;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const NOW: u64 = 1_763_800_000_000;

fn sample() -> Touchpoint {
    Touchpoint {
        id: event_id([0x5a; 16]),
        kind: EventKind::PageView,
        timestamp_ms: NOW - 1_000,
        page: PageContext {
            path: "/checkout".into(),
            title: "Caisse \u{2014} \"Épicerie\" \\ 🛒\n".into(),
            referrer: "https://duckduckgo.com/".into(),
            viewport_width: 390,
            viewport_height: 844,
            language: "fr-FR".into(),
            time_zone: "Europe/Paris".into(),
        },
        ..Touchpoint::default()
    }
}

#[test]
fn batch_encoding_is_byte_identical() {
    let encoded = encode_batch("demo", NOW, 7, &[sample()]);
    assert_eq!(
        encoded,
        concat!(
            r#"{"v":1,"site":"demo","sent_at":1763800000000,"dropped":7,"events":[{"id":"5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a","#,
            r#""type":"pageview","ts":1763799999000,"path":"/checkout","title":"Caisse — \"Épicerie\" \\ 🛒\n","#,
            r#""referrer":"https://duckduckgo.com/","vw":390,"vh":844,"lang":"fr-FR","tz":"Europe/Paris"}]}"#
        )
    );
}

#[test]
fn ingestion_plan_is_identical() {
    let encoded = encode_batch("demo", NOW - 60_000, 0, &[sample()]);
    let plan = plan_batch(&encoded, NOW).unwrap();
    assert_eq!(plan.rows.len(), 1);
    // Browser clock one minute slow: corrected on arrival.
    assert_eq!(plan.rows[0].occurred_at_ms, 1_763_800_059_000);
    assert_eq!(plan.rows[0].title, sample().page.title);
    let receipt = serde_json::to_string(&plan.receipt(1)).unwrap();
    assert_eq!(
        receipt,
        r#"{"accepted":1,"duplicates":0,"rejected":[],"dropped_by_client":0,"ignored_as_bot":0}"#
    );
}

#[test]
fn errors_are_identical() {
    let error = plan_batch("{\"v\":1,", NOW).unwrap_err();
    assert_eq!(error.status(), 400);
    assert_eq!(
        error.to_json(),
        r#"{"error":{"code":"malformed_json","message":"the request body is not valid JSON: EOF while parsing a value at line 1 column 7"}}"#
    );
}

#[test]
fn classification_is_identical() {
    use touchpoint::domain::classify::Classifier;
    let classifier = Classifier::builtin().unwrap();
    // The built-in model's answers, pinned again at each retrain (the point
    // is that native and wasm agree): the first case sits on the boundary of
    // `problem` and `complaint`, and has moved between them with retrains.
    let cases = [
        (
            "I was charged twice, card 4111 1111 1111 1111!",
            (
                "billing",
                "problem",
                "en",
                "I was charged twice, card [card]!",
            ),
        ),
        (
            "Je voudrais être remboursé, écrivez-moi à marie@example.fr",
            (
                "refund",
                "request",
                "fr",
                "Je voudrais être remboursé, écrivez-moi à [email]",
            ),
        ),
        (
            "Can I get a quote for 200 jackets with our logo?",
            (
                "sales",
                "question",
                "en",
                "Can I get a quote for 200 jackets with our logo?",
            ),
        ),
    ];
    for (text, (topic, kind, language, redacted)) in cases {
        let c = classifier.classify(text);
        assert_eq!(
            (c.topic.as_str(), c.kind, c.language, c.redacted.as_str()),
            (topic, kind, language, redacted),
            "{text}"
        );
        assert!(c.topic_confidence > 0.0 && c.topic_confidence <= 1.0);
    }
}

#[test]
fn a_recorder_session_is_byte_identical() {
    use touchpoint::domain::recorder::{PageFacts, Recorder, Start};
    let now = NOW as f64;
    let mut recorder = Recorder::start(
        &Start {
            site: "demo",
            seed: [0x0909_0909; 4],
            language: "fr-FR",
            ..Start::default()
        },
        &PageFacts {
            pathname: "/compte/4111111111111111",
            hash: "",
            title: "Mon compte",
            referrer: "https://www.google.fr/search?q=x",
            viewport_width: 390,
            viewport_height: 844,
        },
        "?gclid=abc&utm_campaign=Hiver%202026",
        "shop.example",
        now,
    );
    recorder.idle("Europe/Paris");
    recorder.engagement(true, now);
    recorder.scrolled(0.0, 844.0, 1688.0);
    recorder.prop("plan", "équipe");
    recorder.track("upgrade", now + 1.0);
    recorder.hidden(now + 2500.0);
    let body = recorder.take_beacon().unwrap();
    assert_eq!(
        body,
        concat!(
            r#"{"v":1,"site":"demo","sent_at":1763800002500,"dropped":0,"tz":"Europe/Paris","events":["#,
            r#"{"id":"76bdf4fd9db9fa9c7634feee77371d1a","type":"pageview","ts":1763800000000,"#,
            r#""path":"/compte/:number","title":"Mon compte","referrer":"https://www.google.fr/search","#,
            r#""vw":390,"vh":844,"lang":"fr-FR","channel":"paid_search","#,
            r#""source":"Google","utm_campaign":"hiver 2026","click_id":"gclid"},"#,
            r#"{"id":"c220e3ba51f8182f83e88eee17af500c","type":"custom","ts":1763800000001,"#,
            r#""path":"/compte/:number","title":"Mon compte","referrer":"https://www.google.fr/search","#,
            r#""vw":390,"vh":844,"lang":"fr-FR","name":"upgrade","#,
            r#""props":{"plan":"équipe"}},"#,
            r#"{"id":"7ba32cd8f1b261e9c663ebaa98743b48","type":"engagement","ts":1763800002500,"#,
            r#""path":"/compte/:number","title":"Mon compte","referrer":"https://www.google.fr/search","#,
            r#""vw":390,"vh":844,"lang":"fr-FR","engaged_ms":2500,"scroll":50}]}"#,
        )
    );
}

/// A site model trained from the same examples is the same file natively and
/// in wasm (the worker trains in wasm; the golden value was made natively),
/// and the worker's e2e test (e2e/edge/site-model.test.mjs) checks its
/// trained model against the same checksum.
#[test]
fn site_model_training_is_byte_identical() {
    use touchpoint::domain::classify::model::{fnv1a, Model};
    use touchpoint::domain::classify::train::{train_site_model, Labelled, WORKER_TUNING};
    use touchpoint::domain::classify::BUILTIN_MODEL;
    let lines: Vec<serde_json::Value> = include_str!("data/site-examples.jsonl")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let texts: Vec<String> = lines
        .iter()
        .map(|l| touchpoint::domain::pii::redact(l["text"].as_str().unwrap()).redacted)
        .collect();
    let examples: Vec<Labelled> = lines
        .iter()
        .zip(&texts)
        .map(|(l, text)| Labelled {
            text,
            topic: l["topic"].as_str(),
            sentiment: l["sentiment"].as_str(),
            kind: l["kind"].as_str(),
        })
        .collect();
    let base = Model::from_bytes(BUILTIN_MODEL).unwrap();
    let trained = train_site_model(&base, &examples, WORKER_TUNING).unwrap();
    let bytes = trained.model.to_bytes();
    assert_ne!(bytes, BUILTIN_MODEL);
    assert_eq!(Model::from_bytes(&bytes).unwrap(), trained.model);
    assert_eq!(
        (
            trained.topic.trained_on + trained.topic.held_out,
            trained.sentiment.trained_on + trained.sentiment.held_out,
            trained.kind.trained_on + trained.kind.held_out
        ),
        (38, 15, 10)
    );
    assert_eq!(
        format!("{:08x}", fnv1a(&bytes[..bytes.len() - 4])),
        "f5ba3f41"
    );
}
