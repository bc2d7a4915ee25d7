//! The edge reads time zones from the JavaScript runtime (`worker/zone.js`,
//! through `Intl`) instead of shipping a database. This holds that file's
//! offsets to chrono-tz's for every zone a site may use: on either side of
//! every change from 1970 to the end of 2025, and at noon on each 1 January
//! and 1 July, run in Node (the same V8 and ICU family as workerd).
//!
//! Later years are left out on purpose: a newer tz release on either side
//! (a country dropping summer time next year) is a difference in data, not
//! in how the offsets are read. When Node's tz release is not chrono-tz's,
//! a few zones may differ (tz 2025c corrected Baja California's 1970s, for
//! instance); a mistake in reading the clock would show in many.
#![cfg(feature = "tzdb")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Stdio};

use touchpoint::domain::zone::{names, TimeZones, Tzdb, Zone};

const DAY_MS: i64 = 86_400_000;
/// 2026-01-01T00:00:00Z.
const END_MS: i64 = 1_767_225_600_000;

/// The instants to compare in `zone`: each change and the second before
/// it, and two days a year.
fn probes(zone: &impl Zone) -> Vec<i64> {
    let mut at = Vec::new();
    let mut day = 0;
    while day < END_MS {
        let next = day + DAY_MS;
        if zone.offset_ms(day) != zone.offset_ms(next) {
            let (mut old, mut new) = (day, next);
            while new - old > 1000 {
                let mid = old + (new - old) / 2000 * 1000;
                if zone.offset_ms(mid) == zone.offset_ms(day) {
                    old = mid;
                } else {
                    new = mid;
                }
            }
            at.extend([new - 1000, new]);
        }
        day = next;
    }
    for year in 1970..2026 {
        let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        for month in [1, 7] {
            let noon = start.with_month0(month - 1).unwrap().and_hms_opt(12, 0, 0);
            at.push(noon.unwrap().and_utc().timestamp_millis());
        }
    }
    at
}

use chrono::Datelike;

#[test]
fn the_runtime_reads_every_zone_as_chrono_tz_does() {
    let mut questions = String::new();
    let mut expected = Vec::new();
    for name in names() {
        let zone = Tzdb.zone(name).expect("every listed name is in chrono-tz");
        for at in probes(&zone) {
            questions.push_str(&format!("{name}\t{at}\n"));
            expected.push((name, at, zone.offset_ms(at)));
        }
    }
    assert!(expected.len() > 50_000, "{} probes", expected.len());
    let script = format!(
        "import {{ zoneClock, zoneOffsetMs }} from {:?};\n\
         let input = ''; process.stdin.on('data', (d) => input += d);\n\
         process.stdin.on('end', () => {{ const out = [process.versions.tz];\n\
           for (const line of input.split('\\n')) {{ if (!line) continue;\n\
             const [name, at] = line.split('\\t'); const clock = zoneClock(name);\n\
             out.push(clock === undefined ? 'unknown' : String(zoneOffsetMs(clock, Number(at)))); }}\n\
           process.stdout.write(out.join('\\n')); }});",
        format!(
            "file://{}/worker/zone.js",
            env!("CARGO_MANIFEST_DIR")
        )
    );
    let mut node = Command::new("node")
        .args(["--input-type=module", "-e", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs (the edge's tests need it too)");
    node.stdin
        .take()
        .unwrap()
        .write_all(questions.as_bytes())
        .unwrap();
    let output = node.wait_with_output().unwrap();
    assert!(output.status.success());
    let answers = String::from_utf8(output.stdout).unwrap();
    let mut answers = answers.split('\n');
    let node_release = answers.next().unwrap_or_default().to_owned();
    let answers: Vec<&str> = answers.collect();
    assert_eq!(answers.len(), expected.len());
    let differ: Vec<(&str, String)> = expected
        .iter()
        .zip(&answers)
        .filter(|((_, _, offset), answer)| **answer != offset.to_string())
        .map(|((name, at, offset), answer)| {
            (
                *name,
                format!("{name} at {at}: chrono-tz {offset}, Intl {answer}"),
            )
        })
        .collect();
    let mut zones: Vec<&str> = differ.iter().map(|(zone, _)| *zone).collect();
    zones.dedup();
    let report = format!(
        "Node's tz {node_release}, chrono-tz's {}: {} of {} probes differ, in {} zones {:?}:\n{}",
        chrono_tz::IANA_TZDB_VERSION,
        differ.len(),
        expected.len(),
        zones.len(),
        &zones[..zones.len().min(12)],
        differ[..differ.len().min(30)]
            .iter()
            .map(|(_, line)| line.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!("{report}");
    // A listed name the runtime does not know is never a matter of releases.
    assert!(!answers.contains(&"unknown"), "{report}");
    if node_release == chrono_tz::IANA_TZDB_VERSION {
        assert!(differ.is_empty(), "{report}");
    } else {
        assert!(zones.len() <= 12 && differ.len() <= 200, "{report}");
    }
}
