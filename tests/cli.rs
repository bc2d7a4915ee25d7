//! The `touchpoint` binary, run as a user would.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Stdio};

fn touchpoint(args: &[&str], stdin: &str) -> (i32, String) {
    let (code, stdout, _) = touchpoint_with_stderr(args, stdin);
    (code, stdout)
}

/// Runs the CLI: its exit code, stdout and stderr.
fn touchpoint_with_stderr(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
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
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// `touchpoint bench | head -1`: a reader that leaves early ends the run
/// quietly (no panic on the closed pipe, exit 0), as Unix tools do.
#[test]
fn bench_stops_quietly_when_its_reader_leaves() {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args(["bench", "--rounds", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    assert!(first.starts_with(b"native classify"), "{first:?}");
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A bias shift naming a head or label the model does not have, or no
/// number, is refused before any data is read, with what was wrong.
#[test]
fn train_refuses_a_bias_for_an_unknown_head_or_label() {
    for (bias, says) in [
        ("kind:rant=0.5", "kind has no label \"rant\""),
        ("mood:negative=1", "\"mood\" is not a head"),
        ("urgency:high=soon", "\"soon\" is not a number"),
        ("urgency:high=inf", "must be a finite number"),
        ("urgency=1", "expected head:label=shift"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
            .args([
                "train",
                "--out",
                "/dev/null",
                "--datasets",
                "/nonexistent",
                "--bias",
                bias,
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{bias}: {stderr}");
        assert!(stderr.contains(says), "{bias}: {stderr}");
    }
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

/// Every line of a command's output, parsed as JSON.
fn json_lines(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
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

    let input = "{\"text\":\"Where is my parcel?\"}\nnot json\n\n{\"text\":\"Bonjour, je veux annuler ma commande\"}\n";
    let (code, out) = touchpoint(&["classify"], input);
    assert_eq!(code, 1, "a bad line is reported in the exit code");
    let lines = json_lines(&out);
    // One line out per line in, a blank one too, so they can be pasted side by side.
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["topic"], "delivery");
    assert!(lines[1]["error"].as_str().unwrap().starts_with("line 2"));
    assert_eq!(lines[2]["error"], "line 3: blank, expected a JSON object");
    assert_eq!(lines[3]["language"], "fr");

    // Labelled lines pipe in as they are; an array of fields, or empty text, does not.
    let input = "{\"text\":\"my card was charged twice\",\"topic\":\"billing\"}\n[\"where is my parcel\"]\n{\"text\":\" \\u200b \"}\n";
    let (code, out) = touchpoint(&["classify"], input);
    assert_eq!(code, 1);
    let lines = json_lines(&out);
    assert_eq!(lines[0]["topic"], "billing");
    assert_eq!(lines[1]["error"], "line 2: expected a JSON object");
    assert_eq!(lines[2]["error"], "line 3: text is empty");
    let (code, out, said) = touchpoint_with_stderr(&["classify", ""], "");
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(said, "touchpoint classify: text is empty\n");
}

#[test]
fn attribute_answers_every_stdin_line_blank_ones_with_a_numbered_error() {
    let input = "{\"url\":\"https://shop.example/?utm_source=newsletter&utm_medium=email\"}\n\n{\"url\":\"https://shop.example/\",\"referrer\":\"https://www.google.com/\"}\n";
    let (code, out) = touchpoint(&["attribute"], input);
    assert_eq!(code, 1, "{out}");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0]["channel"], "email");
    assert_eq!(lines[1]["error"], "line 2: blank, expected a JSON object");
    assert_eq!(lines[2]["channel"], "organic_search");

    // Input that would pass for a direct visit is refused, line by line.
    let input = [
        r#"{"url":"pricing page"}"#,
        r#"{"url":"https://"}"#,
        r#"{"url":"https://shop.example/","referer":"https://www.google.com/"}"#,
        r#"{"url":"https://shop.example/","referrer":"google"}"#,
        r#"["https://shop.example/"]"#,
        r#"{"url":"HTTPS://shop.example/","referrer":"android-app://com.google.android.gm/"}"#,
        // As access logs record them: a path, or a host without its scheme.
        r#"{"url":"/landing?utm_source=newsletter&utm_medium=email"}"#,
        r#"{"url":"shop.example/?utm_source=newsletter&utm_medium=email","referrer":"https://www.google.com/search?q=a b"}"#,
    ]
    .join("\n");
    let (code, out) = touchpoint(&["attribute"], &input);
    assert_eq!(code, 1);
    let lines = json_lines(&out);
    let error = |i: usize| lines[i]["error"].as_str().unwrap_or_default().to_string();
    assert!(
        error(0).starts_with("line 1: the landing URL \"pricing page\" is not a URL"),
        "{out}"
    );
    assert!(error(1).starts_with("line 2: the landing URL"), "{out}");
    assert!(
        error(2).starts_with("line 3: unknown field `referer`"),
        "{out}"
    );
    assert_eq!(
        error(3),
        "line 4: the referrer \"google\" is not a URL with a host"
    );
    assert_eq!(error(4), "line 5: expected a JSON object");
    assert_eq!(lines[5]["channel"], "email", "{out}");
    assert_eq!(lines[6]["channel"], "email", "{out}");
    assert_eq!(lines[7]["channel"], "email", "{out}");
    let (code, _, said) = touchpoint_with_stderr(&["attribute", "not a url"], "");
    assert_eq!(code, 2);
    assert!(said.contains("is not a URL"), "{said}");
}

#[test]
fn eval_prints_metrics_for_each_labeled_head() {
    let dir = std::env::temp_dir().join(format!("touchpoint-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("labeled.jsonl");
    std::fs::write(
        &data,
        "{\"text\":\"I was charged twice\",\"topic\":\"billing\",\"language\":\"en\"}\n\
         {\"text\":\"Where is my parcel?\",\"topic\":\"delivery\",\"kind\":\"question\"}\n\
         {\"text\":\"the app crashes on login and our whole team is locked out, please fix it\",\"kind\":\"problem\",\"urgency\":\"high\",\"expectation_gap\":false}\n",
    )
    .unwrap();
    let (code, out) = touchpoint(&["eval", "--data", data.to_str().unwrap()], "");
    assert_eq!(code, 0);
    assert!(
        out.contains("== topic: 2 examples, accuracy 100.00%"),
        "{out}"
    );
    assert!(out.contains("== language: 1 examples"));
    // The learned kind and urgency heads get a precision and recall per label.
    assert!(out.contains("== kind: 2 examples"), "{out}");
    assert!(out.contains("== urgency: 1 examples"), "{out}");
    assert!(out.contains("== expectation_gap: 1 examples"), "{out}");
    let row = |head: &str, label: &str| -> Vec<String> {
        let section = out.split(&format!("== {head}:")).nth(1).unwrap_or_default();
        section
            .lines()
            .find(|l| l.split_whitespace().next() == Some(label))
            .unwrap_or_default()
            .split_whitespace()
            .map(String::from)
            .collect()
    };
    assert_eq!(
        row("kind", "question")[1..],
        ["100.00%", "100.00%", "100.00%", "1"]
    );
    assert_eq!(
        row("kind", "problem")[1..],
        ["100.00%", "100.00%", "100.00%", "1"]
    );
    assert_eq!(
        row("urgency", "high")[1..],
        ["100.00%", "100.00%", "100.00%", "1"]
    );
    assert!(out.contains("confusion matrix"));

    // A byte-order mark and CRLF, as editors write them; comment lines are
    // said to be left out; a line that is not UTF-8 is named.
    std::fs::write(
        &data,
        b"\xef\xbb\xbf// a comment\r\n{\"text\":\"I was charged twice\",\"topic\":\"billing\"}\r\n",
    )
    .unwrap();
    let (code, out, said) = touchpoint_with_stderr(&["eval", "--data", data.to_str().unwrap()], "");
    assert_eq!(code, 0, "{said}");
    assert!(
        out.contains("== topic: 1 examples, accuracy 100.00%"),
        "{out}"
    );
    assert!(
        said.contains("1 comment line(s) (starting //) not scored"),
        "{said}"
    );
    std::fs::write(
        &data,
        b"{\"text\":\"ok\",\"topic\":\"billing\"}\n{\"text\":\"caf\xe9\",\"topic\":\"billing\"}\n",
    )
    .unwrap();
    let (code, _, said) = touchpoint_with_stderr(&["eval", "--data", data.to_str().unwrap()], "");
    assert_eq!(code, 2);
    assert!(
        said.contains("line 2: not UTF-8 (the byte at offset 12 of the line)"),
        "{said}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn eval_reports_every_head_on_the_natural_test_set() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/natural-test.jsonl");
    let lines = labelled_lines(path);
    assert!(lines.len() >= 700, "{} messages", lines.len());
    let (code, out) = touchpoint(&["eval", "--data", path], "");
    assert_eq!(code, 0, "{out}");
    print!("{out}");
    // Every message is scored: the summary and each head count all of them.
    assert!(
        out.contains(&format!("== summary: {} messages", lines.len())),
        "{out}"
    );
    for head in ["topic", "sentiment", "kind", "urgency", "expectation_gap"] {
        assert!(
            out.contains(&format!("== {head}: {} examples", lines.len())),
            "{head} missing: {out}"
        );
    }
    for language in ["en", "de", "fr", "es", "nl", "pt", "it"] {
        let count = lines.iter().filter(|l| l["language"] == language).count();
        assert!(count >= 50, "{language}: {count}");
        assert!(
            out.contains(&format!(" {language:>6} |")),
            "{language} column"
        );
    }
    for row in [
        "topic accuracy",
        "sentiment accuracy",
        "negative recall",
        "expectation gap recall",
    ] {
        assert!(out.contains(&format!("| {row:<26} |")), "{row} row");
    }
    // The calibration buckets account for every message.
    let calibration = out.split("== topic confidence calibration").nth(1).unwrap();
    let bucketed: usize = calibration
        .lines()
        .skip(2)
        .take(5)
        .map(|l| {
            l.split_whitespace()
                .nth(1)
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(bucketed, lines.len());
}

/// Every line of a labelled JSON-lines file, parsed (blank lines skipped,
/// anything else must parse).
fn labelled_lines(path: &str) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l)
                .map_err(|e| format!("{path}: {e}: {l}"))
                .unwrap()
        })
        .collect()
}

/// The lower-cased words of each labelled line's text in a data file
/// (comment lines, as in visitor-train.jsonl, have no text and are left out).
fn words_of_lines(file: &str) -> Vec<Vec<String>> {
    let root = env!("CARGO_MANIFEST_DIR");
    std::fs::read_to_string(format!("{root}/{file}"))
        .unwrap()
        .lines()
        .filter_map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).ok()?;
            Some(
                value["text"]
                    .as_str()?
                    .to_lowercase()
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(String::from)
                    .collect(),
            )
        })
        .collect()
}

/// The files of data/written (messages written whole for training), by name.
fn written_files() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/written");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".jsonl"))
        .map(|name| format!("data/written/{name}"))
        .collect();
    files.sort();
    files
}

/// Pairs (index in `messages`, index in `others`) that are equal or
/// near-equal: word sets overlapping by 80% or more (Jaccard), for messages
/// of three words or more (a bare "hi" may occur anywhere).
fn near_equal(messages: &[Vec<String>], others: &[Vec<String>]) -> Vec<(usize, usize)> {
    let set =
        |words: &[String]| -> std::collections::HashSet<String> { words.iter().cloned().collect() };
    let other_sets: Vec<_> = others.iter().map(|w| set(w)).collect();
    let mut pairs = Vec::new();
    for (m, words) in messages.iter().enumerate().filter(|(_, w)| w.len() >= 3) {
        let message_set = set(words);
        for (index, other) in other_sets.iter().enumerate() {
            // Jaccard is at most the smaller set's size over the larger's: most pairs
            // are ruled out by their sizes alone (the check stays fast as data grows).
            let (small, large) = if message_set.len() < other.len() {
                (message_set.len(), other.len())
            } else {
                (other.len(), message_set.len())
            };
            if (small as f64) < 0.8 * large as f64 {
                continue;
            }
            let shared = message_set.intersection(other).count();
            let union = message_set.len() + other.len() - shared;
            if shared as f64 / union as f64 >= 0.8 {
                pairs.push((m, index));
            }
        }
    }
    pairs
}

/// Every line of `examples.jsonl`, `visitor-train.jsonl` and `written/`
/// (what `train` reads besides the public sets), and how many came from
/// `examples.jsonl`.
fn training_words() -> (Vec<Vec<String>>, usize) {
    let mut training = words_of_lines("data/examples.jsonl");
    let own = training.len();
    training.extend(words_of_lines("data/visitor-train.jsonl"));
    for file in written_files() {
        training.extend(words_of_lines(&file));
    }
    (training, own)
}

#[test]
fn the_natural_test_set_is_never_in_the_training_examples() {
    let (training, own) = training_words();
    let test = words_of_lines("data/natural-test.jsonl");
    assert!(!test.is_empty() && own > 0 && training.len() > own + 1000);
    // Only the training side is printed: whoever fixes it must not read the test set.
    let leaked: Vec<_> = near_equal(&test, &training)
        .into_iter()
        .map(|(_, index)| training[index].join(" "))
        .collect();
    assert!(
        leaked.is_empty(),
        "training lines (near-)equal to a test message: {leaked:#?}"
    );
}

/// Messages written whole for training (data/written, data/README.md): each
/// line has every head's label, in the product's label names, in its file's
/// language (`<language>.jsonl` or `<language>-<part>.jsonl`).
#[test]
fn the_written_training_messages_are_labelled_for_every_head() {
    use touchpoint::domain::classify::{KINDS, SENTIMENTS, TOPICS, URGENCIES};
    let files = written_files();
    let languages: Vec<&str> = files
        .iter()
        .filter_map(|f| f.strip_prefix("data/written/")?.strip_suffix(".jsonl"))
        // `en.jsonl`, or `en-<part>.jsonl` for a second file of a language.
        .map(|name| name.split('-').next().unwrap_or(name))
        .collect();
    assert!(!languages.is_empty(), "no files in data/written");
    for (file, language) in files.iter().zip(&languages) {
        let lines = labelled_lines(&format!("{}/{file}", env!("CARGO_MANIFEST_DIR")));
        assert!(lines.len() >= 50, "{file}: {} lines", lines.len());
        for (number, line) in lines.iter().enumerate() {
            let at = format!("{file}:{}", number + 1);
            let label = |head: &str| line[head].as_str().unwrap_or_default();
            assert!(!label("text").trim().is_empty(), "{at}: no text");
            assert_eq!(label("language"), *language, "{at}");
            assert!(TOPICS.contains(&label("topic")), "{at}: topic");
            assert!(SENTIMENTS.contains(&label("sentiment")), "{at}: sentiment");
            assert!(KINDS.contains(&label("kind")), "{at}: kind");
            assert!(URGENCIES.contains(&label("urgency")), "{at}: urgency");
            assert!(line["expectation_gap"].is_boolean(), "{at}: gap");
            assert!(line["spam"].is_boolean(), "{at}: spam");
        }
    }
}

/// The natural development set (data/natural-dev.jsonl, data/README.md): what
/// settings are tuned on besides validation, so it must read like the test
/// set's kind of message, cover every language and label, and `eval` must
/// score all of it.
#[test]
fn the_natural_dev_set_parses_and_covers_every_language_and_label() {
    use touchpoint::domain::classify::{KINDS, SENTIMENTS, TOPICS, URGENCIES};
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/natural-dev.jsonl");
    let lines = labelled_lines(path);
    assert!(lines.len() >= MIN_DEV_MESSAGES, "{} messages", lines.len());
    let count =
        |field: &str, value: serde_json::Value| lines.iter().filter(|l| l[field] == value).count();
    for language in ["en", "de", "fr", "es", "nl", "pt", "it"] {
        let n = count("language", language.into());
        assert!(n * 20 >= lines.len(), "{language}: only {n} messages");
    }
    assert!(count("language", "en".into()) * 3 >= lines.len());
    for topic in TOPICS {
        let n = count("topic", topic.into());
        assert!(n >= MIN_DEV_PER_TOPIC, "topic {topic}: {n}");
    }
    for (head, labels) in [
        ("sentiment", &SENTIMENTS[..]),
        ("kind", &KINDS[..]),
        ("urgency", &URGENCIES[..]),
    ] {
        for label in labels {
            assert!(count(head, (*label).into()) >= 10, "{head} {label}");
        }
    }
    for gap in [true, false] {
        assert!(count("expectation_gap", gap.into()) >= 10, "gap {gap}");
    }
    // A good third negative: the tone the natural test set shows the model misses.
    assert!(count("sentiment", "negative".into()) * 3 >= lines.len());
    assert!(count("spam", true.into()) >= 1);
    for line in &lines {
        let heads = [
            "text",
            "language",
            "topic",
            "sentiment",
            "kind",
            "urgency",
            "expectation_gap",
            "spam",
        ];
        assert!(heads.iter().all(|h| !line[h].is_null()), "{line}");
    }
    let (code, out) = touchpoint(&["eval", "--data", path], "");
    assert_eq!(code, 0, "{out}");
    for head in ["topic", "sentiment", "kind", "urgency", "expectation_gap"] {
        assert!(
            out.contains(&format!("== {head}: {} examples", lines.len())),
            "{head}: {out}"
        );
    }
}

/// Tuning on the dev set only tells us something if it is neither the test
/// set nor what the model was trained on. Only one side of a pair is
/// printed: nobody tuning the model may read the test set, and nobody
/// writing training data the dev set.
#[test]
fn the_natural_dev_set_is_independent_of_the_test_set_and_of_training() {
    let dev = words_of_lines("data/natural-dev.jsonl");
    let test = words_of_lines("data/natural-test.jsonl");
    let (training, _) = training_words();
    assert!(dev.len() >= MIN_DEV_MESSAGES && !test.is_empty());
    let in_test: Vec<String> = near_equal(&dev, &test)
        .into_iter()
        .map(|(d, _)| dev[d].join(" "))
        .collect();
    assert!(
        in_test.is_empty(),
        "dev messages (near-)equal to a test message: {in_test:#?}"
    );
    let in_training: Vec<_> = near_equal(&dev, &training)
        .into_iter()
        .map(|(_, t)| training[t].join(" "))
        .collect();
    // The training side only: whoever writes training data must not read the dev set.
    assert!(
        in_training.is_empty(),
        "training lines (near-)equal to a dev message: {in_training:#?}"
    );
}

/// Lower bounds for the natural dev set (data/README.md gives its counts).
const MIN_DEV_MESSAGES: usize = 600;
const MIN_DEV_PER_TOPIC: usize = 30;

#[test]
fn train_site_makes_the_workers_site_model_and_refuses_bad_lines() {
    let dir = std::env::temp_dir().join(format!("touchpoint-train-site-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("site.tpcm");
    let out_arg = out.to_str().unwrap();
    let (code, printed) = touchpoint(
        &[
            "train-site",
            "--examples",
            "tests/data/site-examples.jsonl",
            "--out",
            out_arg,
        ],
        "",
    );
    assert_eq!(code, 0, "{printed}");
    assert!(printed.contains("held out"), "{printed}");
    let bytes = std::fs::read(&out).unwrap();
    // The checksum tests/golden.rs and the worker's test expect of this file.
    let checksum = u32::from_le_bytes(bytes[bytes.len() - 4..].try_into().unwrap());
    assert_eq!(format!("{checksum:08x}"), "f5ba3f41");

    // A bad line anywhere: nothing is trained or written, exit 1.
    let bad = dir.join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"text\":\"fine\",\"topic\":\"order\"}\n{\"text\":\"x\",\"topic\":\"weather\"}\n",
    )
    .unwrap();
    std::fs::remove_file(&out).unwrap();
    let (code, _) = touchpoint(
        &[
            "train-site",
            "--examples",
            bad.to_str().unwrap(),
            "--out",
            out_arg,
        ],
        "",
    );
    assert_eq!(code, 1);
    assert!(!out.exists());

    // More than the worker reads: the newest are trained on, and it says so.
    let many = dir.join("many.jsonl");
    let lines: Vec<String> = (0..5_003)
        .map(|i| format!("{{\"text\":\"where is parcel number {i}\",\"topic\":\"order\"}}"))
        .collect();
    std::fs::write(&many, lines.join("\n")).unwrap();
    let (code, printed, said) = touchpoint_with_stderr(
        &[
            "train-site",
            "--examples",
            many.to_str().unwrap(),
            "--out",
            out_arg,
        ],
        "",
    );
    assert_eq!(code, 0, "{said}");
    assert!(
        said.contains("5003 examples; training on the last 5000 (3 left out)"),
        "{said}"
    );
    assert!(
        printed.contains("trained on 5000 of 5003 examples"),
        "{printed}"
    );
    std::fs::remove_file(&out).unwrap();

    // Settings no model could carry are refused before anything is written.
    for setting in [
        "--rate=NaN",
        "--rate=inf",
        "--rate=-1",
        "--inertia=0",
        "--prune=2",
    ] {
        let (code, _) = touchpoint(
            &[
                "train-site",
                "--examples",
                "tests/data/site-examples.jsonl",
                "--out",
                out_arg,
                setting,
            ],
            "",
        );
        assert_eq!(code, 2, "{setting}");
        assert!(!out.exists(), "{setting}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
