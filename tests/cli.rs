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
