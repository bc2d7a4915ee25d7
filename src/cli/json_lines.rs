//! JSON lines on stdin, one answer line out per input line.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use serde::de::DeserializeOwned;

use crate::domain::site_model::MAX_LISTED_LINES;

/// Answers every line of `input` with `answer`'s JSON, or with
/// `{"error": "line N: …"}` when the line is not a `T` (a JSON object) or
/// `answer` refuses it — a blank line and a line that is not UTF-8 included, so output line N always belongs to input
/// line N. A byte-order mark before the first line is skipped, and a line
/// may end in `\r\n`. Exit code 1 when any line failed, 2 when `input`
/// could not be read; output that closes early ends the run.
pub fn answer_each<T: DeserializeOwned>(
    command: &str,
    mut input: impl BufRead,
    mut output: impl Write,
    mut answer: impl FnMut(T) -> Result<String, String>,
) -> ExitCode {
    let mut failures = 0u32;
    let mut bytes = Vec::new();
    for number in 1u64.. {
        bytes.clear();
        match input.read_until(b'\n', &mut bytes) {
            Ok(0) => break,
            Ok(_) => {}
            Err(error) => {
                eprintln!("touchpoint {command}: cannot read stdin: {error}");
                return ExitCode::from(2);
            }
        }
        let mut line = bytes.as_slice();
        line = line.strip_suffix(b"\n").unwrap_or(line);
        line = line.strip_suffix(b"\r").unwrap_or(line);
        if number == 1 {
            line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
        }
        let reply = match std::str::from_utf8(line) {
            Err(error) => Err(not_utf8(number, error)),
            Ok(line) if line.trim().is_empty() => {
                Err(format!("line {number}: blank, expected a JSON object"))
            }
            // serde would also take a JSON array of the fields in order.
            Ok(line) if !line.trim_start().starts_with('{') => {
                Err(format!("line {number}: expected a JSON object"))
            }
            Ok(line) => serde_json::from_str::<T>(line)
                .map_err(|error| error.to_string())
                .and_then(&mut answer)
                .map_err(|error| format!("line {number}: {error}")),
        };
        let reply = reply.unwrap_or_else(|error| {
            failures += 1;
            serde_json::json!({ "error": error }).to_string()
        });
        // A reader that stops early (`| head`) ends the run, quietly.
        if writeln!(output, "{reply}").is_err() {
            break;
        }
    }
    ExitCode::from(u8::from(failures > 0))
}

/// Why line `number` is not text.
fn not_utf8(number: u64, error: std::str::Utf8Error) -> String {
    format!(
        "line {number}: not UTF-8 (the byte at offset {} of the line)",
        error.valid_up_to()
    )
}

/// A whole file of lines as text: a byte-order mark before the first line
/// dropped, and every line that is not UTF-8 named (`line N: not UTF-8 …`).
pub fn utf8_text(mut bytes: Vec<u8>) -> Result<String, Vec<String>> {
    if bytes.starts_with("\u{feff}".as_bytes()) {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|error| {
        let bytes = error.into_bytes();
        let mut errors: Vec<String> = (1u64..)
            .zip(bytes.split(|&b| b == b'\n'))
            .filter_map(|(number, line)| Some(not_utf8(number, std::str::from_utf8(line).err()?)))
            .collect();
        // A file in another encoding fails on most lines: name the first ones,
        // as the examples upload does.
        if errors.len() > MAX_LISTED_LINES {
            let more = errors.len() - MAX_LISTED_LINES;
            errors.truncate(MAX_LISTED_LINES);
            errors.push(format!("and {more} more lines that are not UTF-8"));
        }
        errors
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_text_without_its_byte_order_mark_or_names_each_line_that_is_not_utf8() {
        assert_eq!(
            utf8_text(b"\xef\xbb\xbf{}\r\n{}".to_vec()).as_deref(),
            Ok("{}\r\n{}")
        );
        assert_eq!(
            utf8_text(b"ok\nbad \xff\nok\n\xc3".to_vec()),
            Err(vec![
                "line 2: not UTF-8 (the byte at offset 4 of the line)".to_string(),
                "line 4: not UTF-8 (the byte at offset 0 of the line)".to_string()
            ])
        );
        let latin1 = utf8_text(b"caf\xe9\n".repeat(250)).unwrap_err();
        assert_eq!(latin1.len(), 101);
        assert_eq!(latin1[100], "and 150 more lines that are not UTF-8");
    }

    #[derive(serde::Deserialize)]
    struct Text {
        text: String,
    }

    /// `input` answered by echoing each line's text: the exit code and the
    /// output lines as JSON.
    fn echoed(input: &[u8]) -> (ExitCode, Vec<serde_json::Value>) {
        let mut out = Vec::new();
        let code = answer_each("test", input, &mut out, |t: Text| {
            Ok(serde_json::json!({ "echo": t.text }).to_string())
        });
        let lines = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (code, lines)
    }

    #[test]
    fn every_line_gets_an_answer_or_a_numbered_error_blank_lines_too() {
        let (code, lines) = echoed(b"{\"text\":\"a\"}\n\n   \nnot json\n{\"text\":\"b\"}\n");
        assert_eq!(code, ExitCode::from(1));
        assert_eq!(lines.len(), 5, "{lines:?}");
        assert_eq!(lines[0]["echo"], "a");
        assert_eq!(lines[1]["error"], "line 2: blank, expected a JSON object");
        assert_eq!(lines[2]["error"], "line 3: blank, expected a JSON object");
        assert!(lines[3]["error"].as_str().unwrap().starts_with("line 4: "));
        assert_eq!(lines[4]["echo"], "b");
    }

    #[test]
    fn a_line_that_is_not_utf8_is_answered_and_the_rest_go_on_and_a_bom_and_crlf_are_fine() {
        let (code, lines) =
            echoed(b"\xef\xbb\xbf{\"text\":\"a\"}\r\n{\"text\":\"\xff\"}\n{\"text\":\"b\"}\n");
        assert_eq!(code, ExitCode::from(1));
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[0]["echo"], "a");
        assert_eq!(
            lines[1]["error"],
            "line 2: not UTF-8 (the byte at offset 9 of the line)"
        );
        assert_eq!(lines[2]["echo"], "b");
    }

    #[test]
    fn clean_input_exits_zero_and_a_missing_final_newline_is_no_line() {
        let mut out = Vec::new();
        let code = answer_each(
            "test",
            "{\"text\":\"a\"}".as_bytes(),
            &mut out,
            |t: Text| Ok(t.text),
        );
        assert_eq!((code, out), (ExitCode::SUCCESS, b"a\n".to_vec()));
    }
}
