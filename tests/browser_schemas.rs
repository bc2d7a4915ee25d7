//! The JSON Schemas the npm package ships (`pkg/schema/`) against real values
//! of the Rust types they describe: classified interactions built by
//! `domain::interaction` from the real classifier's output, and touchpoint
//! events and batches as the recorder encodes them. A field added to, renamed
//! in or dropped from either side fails here.
//!
//! The checker is `tests/support/json_schema.rs`, shared with
//! `wire_schemas.rs` (the browser test validates what the widget posts with
//! Ajv, a full validator).

// Helpers outside #[test] functions read fixtures; a missing one should fail loudly.
#![allow(clippy::expect_used, clippy::panic)]

mod support {
    pub mod json_schema;
}
use serde_json::Value;
use support::json_schema;
use touchpoint::domain::attribution::Campaign;
use touchpoint::domain::classify::model::Model;
use touchpoint::domain::classify::Classifier;
use touchpoint::domain::conversation::ReplyPreference;
use touchpoint::domain::event::{encode_batch, Acquisition, EventKind, PageContext, Touchpoint};
use touchpoint::domain::interaction::{
    ClassifiedInteraction, Envelope, PageFacts, EVENT_SCHEMA_ID, SCHEMA_ID,
};

fn schema(file: &str) -> Value {
    let path = format!("{}/pkg/schema/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Where `value` breaks `node`, a schema inside `root`.
fn problems(root: &Value, node: &Value, value: &Value, at: &str) -> Vec<String> {
    json_schema::problems(root, node, value, false, at)
}

fn assert_valid(root: &Value, value: &Value) {
    let found = problems(root, root, value, "$");
    assert!(found.is_empty(), "{value}\n{}", found.join("\n"));
}

fn classifier() -> Classifier {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/model/touchpoint.tpcm");
    let bytes = std::fs::read(path).expect("the built-in model");
    Classifier::new(
        Model::from_bytes(&bytes).expect("a valid model"),
        Vec::new(),
    )
    .expect("a classifier")
}

fn interactions() -> Vec<ClassifiedInteraction> {
    let classifier = classifier();
    let contacts = [
        ReplyPreference::Email {
            email: "ana.garcia@example.es".into(),
        },
        ReplyPreference::Here,
        ReplyPreference::Phone {
            phone: "+49 30 1234567".into(),
            from: 1_764_590_400_000,
            to: 1_764_597_600_000,
        },
    ];
    let pages = [
        PageFacts {
            pathname: "/checkout/4111111111111111",
            search: "?utm_source=Newsletter&utm_medium=email&utm_campaign=spring-sale&gclid=x",
            title: "Checkout – ana@example.es",
            referrer: "https://www.google.com/search?q=jackets",
        },
        PageFacts::default(),
    ];
    let messages = [
        "I was charged twice for my order, card 4111 1111 1111 1111 — please refund me!",
        "Wo ist meine Bestellung? Ich warte seit zwei Wochen. Tel. +49 30 1234567",
        "Je voudrais être remboursé, mon IBAN est FR14 2004 1010 0505 0001 3M02 606",
        "My SSN 123-45-6789 was shown on the invoice from 192.168.0.12 🎉",
        "Anna was amazing, thank you so much!",
    ];
    let mut out = Vec::new();
    for (i, message) in messages.iter().enumerate() {
        let classification = classifier.classify(message);
        let envelope = Envelope {
            id: "w-AbCdEfGhIjKlMnOpQrStUv",
            site: "shop",
            sent_at: 1_764_590_000_000 + i as i64,
            locale: "de",
            contact: contacts[i % contacts.len()].clone(),
        };
        let page = &pages[i % pages.len()];
        // With the classifier, and as it is sent when the model did not load.
        let unlabelled = ClassifiedInteraction::new(message, None, envelope.clone(), page);
        out.push(ClassifiedInteraction::new(
            message,
            Some(&classification),
            envelope,
            page,
        ));
        out.push(unlabelled);
    }
    out
}

#[test]
fn classified_interactions_validate_against_the_shipped_schema_and_read_back() {
    let root = schema("classified-interaction.v1.json");
    assert_eq!(root["$id"], SCHEMA_ID);
    assert_eq!(
        root["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let all = interactions();
    for interaction in &all {
        let value = serde_json::to_value(interaction).expect("serializable");
        assert_valid(&root, &value);
        let back: ClassifiedInteraction = serde_json::from_value(value).expect("reads back");
        assert_eq!(&back, interaction);
    }
    // Every property the schema documents is written by the type (it
    // requires them all, nullable ones as null).
    let documented: Vec<&String> = root["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .collect();
    let required = root["required"].as_array().expect("required");
    assert_eq!(
        documented.len(),
        required.len(),
        "every documented property is required"
    );
    assert!(all
        .iter()
        .any(|i| i.classification.is_some() && i.campaign.is_some()));
    assert!(all.iter().any(|i| i.pii_removed.len() >= 2));
}

#[test]
fn the_schema_refuses_what_the_type_would_not_write() {
    let root = schema("classified-interaction.v1.json");
    let good = serde_json::to_value(&interactions()[0]).expect("serializable");
    let mut unknown = good.clone();
    unknown["extra"] = Value::Bool(true);
    let mut bad_tone = good.clone();
    bad_tone["classification"]["tone"] = Value::from("angry");
    let mut no_contact = good.clone();
    no_contact
        .as_object_mut()
        .expect("object")
        .remove("contact");
    let mut repeated = good;
    repeated["pii_removed"] = serde_json::json!(["card", "card"]);
    for bad in [unknown, bad_tone, no_contact, repeated] {
        assert!(!problems(&root, &root, &bad, "$").is_empty(), "{bad}");
    }
}

#[test]
fn recorder_events_and_batches_validate_against_the_shipped_event_schema() {
    let root = schema("touchpoint-event.v1.json");
    assert_eq!(root["$id"], EVENT_SCHEMA_ID);
    let page = PageContext {
        path: "/pricing".into(),
        title: "Pricing".into(),
        referrer: "https://www.google.com/".into(),
        viewport_width: 1280,
        viewport_height: 800,
        language: "de-DE".into(),
        time_zone: "Europe/Berlin".into(),
    };
    let event = |id: &str, kind: EventKind| Touchpoint {
        id: id.into(),
        kind,
        timestamp_ms: 1_764_590_000_000,
        page: page.clone(),
        ..Touchpoint::default()
    };
    let events = vec![
        Touchpoint {
            acquisition: Some(Acquisition {
                channel: "paid_search",
                source_name: "Google",
                campaign: Campaign {
                    source: "google".into(),
                    medium: "cpc".into(),
                    campaign: "spring".into(),
                    term: "jackets".into(),
                    content: "a".into(),
                    click_id: "gclid".into(),
                },
            }),
            ..event("e-0000000000000000a1", EventKind::PageView)
        },
        Touchpoint {
            name: "signup".into(),
            props: vec![("plan".into(), "pro".into())],
            ..event("e-0000000000000000a2", EventKind::Custom)
        },
        Touchpoint {
            name: "outbound".into(),
            target: "https://partner.example/page".into(),
            ..event("e-0000000000000000a3", EventKind::Click)
        },
        Touchpoint {
            name: "newsletter".into(),
            target: "/subscribe".into(),
            fields: 2,
            ..event("e-0000000000000000a4", EventKind::FormSubmit)
        },
        Touchpoint {
            engaged_ms: 12_000,
            scroll_percent: 80,
            ..event("e-0000000000000000a5", EventKind::Engagement)
        },
    ];
    let batch: Value = serde_json::from_str(&encode_batch("shop", 1_764_590_001_000, 0, &events))
        .expect("the recorder writes JSON");
    let batch_schema = &root["$defs"]["EventBatch"];
    let found = problems(&root, batch_schema, &batch, "$");
    assert!(found.is_empty(), "{}", found.join("\n"));
    let written = batch["events"].as_array().expect("events");
    assert_eq!(written.len(), events.len());
    let documented = root["properties"].as_object().expect("properties");
    let mut seen = std::collections::BTreeSet::new();
    for event in written {
        assert_valid(&root, event);
        seen.extend(event.as_object().expect("object").keys().cloned());
    }
    // The recorder writes every property the schema documents (across kinds).
    let missing: Vec<&String> = documented
        .keys()
        .filter(|key| !seen.contains(*key))
        .collect();
    assert!(
        missing.is_empty(),
        "documented but never written: {missing:?}"
    );
}
