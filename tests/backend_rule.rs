//! The script tag decides before any wasm loads whether a page's `backend`
//! setting will be refused (`www/bootstrap.js`: no launcher that opens
//! nothing); the widget decides again with `Transport::choose`. This holds
//! the two to the same answer on generated settings, the bootstrap's own
//! expression run in Node.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Stdio};

use touchpoint::domain::interaction::Transport;

/// The bootstrap's two expressions, as written in `www/bootstrap.js`: how
/// it reads `config.backend`, and the regular expression a setting it uses
/// must match.
fn bootstrap_expressions() -> (String, String) {
    let source = include_str!("../www/bootstrap.js");
    let line_with = |needle: &str| {
        source
            .lines()
            .find(|line| line.contains(needle))
            .expect("bootstrap.js reads and tests the backend setting")
    };
    let read = line_with("var backend = config.backend");
    let read = read[read.find("config.backend").unwrap()..].trim_end_matches(';');
    let test = line_with(".test(backend)");
    let start = test.find("/^").expect("a regular expression literal");
    let end = test.find("/.test(backend)").expect("its end");
    (read.to_owned(), test[start..=end].to_owned())
}

/// Settings a site might write, and ones that must be refused: schemes in
/// any case, local and remote hosts, ports, paths, spaces and odd leads.
fn settings() -> Vec<String> {
    let schemes = [
        "https://",
        "HTTPS://",
        "Https://",
        "http://",
        "HTTP://",
        "ftp://",
        "//",
        "https:/",
        "https:",
        "",
        "javascript:",
        "ws://",
        "wss://",
        "https://\\",
    ];
    let hosts = [
        "crm.example.com",
        "localhost",
        "LOCALHOST",
        "127.0.0.1",
        "[::1]",
        "localhost.evil.com",
        "127.0.0.1.nip.io",
        "localhostx",
        "[::1]x",
        "10.0.0.1",
        "",
        "/",
        "@",
        "é.example",
    ];
    let tails = [
        "",
        ":8080",
        ":",
        "/hooks/touchpoint",
        "/",
        "?x=1",
        "#a",
        " ",
    ];
    // Not U+FEFF or U+0085: JavaScript's `trim` and Rust's differ on them
    // alone (`two_characters_are_trimmed_differently`).
    let leads = [
        " ", "\t", "\n", "\r", "\u{a0}", "\u{2003}", "\u{2028}", "\u{3000}", "\u{180e}",
    ];
    let mut out = vec![String::new(), " ".into(), "\t\n".into()];
    for scheme in schemes {
        for host in hosts {
            for tail in tails {
                out.push(format!("{scheme}{host}{tail}"));
            }
        }
    }
    let mut led = Vec::new();
    for (i, setting) in out.iter().step_by(3).enumerate() {
        let lead = leads[i % leads.len()];
        led.push(format!("{lead}{setting}{lead}"));
    }
    out.extend(led);
    out
}

/// What the script tag does with each setting: "used" or "refused".
fn script_tag_answers(settings: &[String]) -> Vec<String> {
    // As bootstrap.js: refused when non-empty and not matched.
    let (read, pattern) = bootstrap_expressions();
    let script = format!(
        "const refuses = (setting) => {{ const config = {{ backend: setting }};\n\
           const backend = {read}; return !!backend && !{pattern}.test(backend); }};\n\
         let input = ''; process.stdin.on('data', (d) => input += d);\n\
         process.stdin.on('end', () => process.stdout.write(JSON.parse(input)\n\
           .map((s) => (refuses(s) ? 'refused' : 'used')).join('\\n')));"
    );
    let mut node = Command::new("node")
        .args(["-e", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs (the edge's tests need it too)");
    let json = serde_json::to_string(settings).unwrap();
    node.stdin
        .take()
        .unwrap()
        .write_all(json.as_bytes())
        .unwrap();
    let output = node.wait_with_output().unwrap();
    assert!(output.status.success());
    let answers: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .split('\n')
        .map(str::to_owned)
        .collect();
    assert_eq!(answers.len(), settings.len());
    answers
}

/// What the widget does with it.
fn widget_answer(setting: &str) -> &'static str {
    match Transport::choose(Some(setting)) {
        Ok(_) => "used",
        Err(_) => "refused",
    }
}

#[test]
fn the_script_tag_refuses_exactly_the_backends_the_widget_refuses() {
    let settings = settings();
    assert!(settings.len() > 1500, "{} settings", settings.len());
    let answers = script_tag_answers(&settings);
    let differ: Vec<String> = settings
        .iter()
        .zip(&answers)
        .filter(|(setting, bootstrap)| widget_answer(setting) != *bootstrap)
        .map(|(setting, bootstrap)| {
            let widget = widget_answer(setting);
            format!("{setting:?}: script tag {bootstrap}, widget {widget}")
        })
        .collect();
    assert!(
        differ.is_empty(),
        "{} differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
    // Both ways are exercised.
    assert!(answers.iter().filter(|a| *a == "used").count() > 100);
    assert!(answers.iter().filter(|a| *a == "refused").count() > 100);
}

/// Around a setting, JavaScript's `trim` takes a byte-order mark and keeps
/// U+0085, Rust's the other way round. Trimming either as the other does
/// cost the last bytes of a budget (the widget 76 B of its 112, the script
/// tag 43 B of its 27), and only a pasted invisible character meets it: a
/// launcher that opens nothing (the widget logs why, once), or none where
/// the widget would have worked. Held here so a change on either side is
/// seen.
#[test]
fn two_characters_are_trimmed_differently() {
    let settings = [
        "\u{feff}https://crm.example.com".to_owned(),
        "\u{85}https://crm.example.com".to_owned(),
    ];
    assert_eq!(script_tag_answers(&settings), ["used", "refused"]);
    let widget: Vec<&str> = settings.iter().map(|s| widget_answer(s)).collect();
    assert_eq!(widget, ["refused", "used"]);
}
