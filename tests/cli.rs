//! The `touchpoint` binary, run as a user would.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Stdio};

fn touchpoint(args: &[&str], stdin: &str) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn help_lists_the_commands() {
    let (code, out) = touchpoint(&["--help"], "");
    assert_eq!(code, 0);
    assert!(out.contains("check-batch"));
}

#[test]
fn check_batch_reports_a_receipt_or_an_error() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let batch = format!(
        r#"{{"v":1,"site":"demo","sent_at":{now},"events":[{{"id":"0123456789abcdef","type":"pageview","ts":{now},"path":"/"}}]}}"#
    );
    let (code, out) = touchpoint(&["check-batch"], &batch);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(r#""accepted":1"#));

    let (code, out) = touchpoint(&["check-batch"], "{oops");
    assert_eq!(code, 1);
    assert!(out.contains(r#""code":"malformed_json""#));
}

#[test]
fn classify_follows_the_cli_contract() {
    let (code, out) = touchpoint(
        &[
            "classify",
            "Refund please: card 4111 1111 1111 1111, mail a@b.de",
        ],
        "",
    );
    assert_eq!(code, 0);
    let value: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    for key in [
        "topic",
        "topic_confidence",
        "sentiment",
        "kind",
        "expectation_gap",
        "urgency",
        "language",
        "spam",
        "pii",
        "redacted",
    ] {
        assert!(value.get(key).is_some(), "missing {key}");
    }
    assert_eq!(
        value["redacted"],
        "Refund please: card [card], mail [email]"
    );
    assert_eq!(value["pii"][0]["kind"], "card");
    assert_eq!(value["pii"][0]["start"], 20);

    let input = "{\"text\":\"Where is my parcel?\"}\nnot json\n{\"text\":\"Bonjour, je veux annuler ma commande\"}\n";
    let (code, out) = touchpoint(&["classify"], input);
    assert_eq!(code, 1, "a bad line is reported in the exit code");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["topic"], "delivery");
    assert!(lines[1]["error"].as_str().unwrap().starts_with("line 2"));
    assert_eq!(lines[2]["language"], "fr");
}

#[test]
fn eval_prints_metrics_for_each_labeled_head() {
    let dir = std::env::temp_dir().join(format!("touchpoint-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("labeled.jsonl");
    std::fs::write(
        &data,
        "{\"text\":\"I was charged twice\",\"topic\":\"billing\",\"language\":\"en\"}\n\
         {\"text\":\"Where is my parcel?\",\"topic\":\"delivery\",\"kind\":\"question\"}\n",
    )
    .unwrap();
    let (code, out) = touchpoint(&["eval", "--data", data.to_str().unwrap()], "");
    assert_eq!(code, 0);
    assert!(
        out.contains("== topic: 2 examples, accuracy 100.00%"),
        "{out}"
    );
    assert!(out.contains("== language: 1 examples"));
    assert!(out.contains("== kind: 1 examples"));
    assert!(out.contains("confusion matrix"));
}
