//! The memory limit of a run: units whose batch and results would take more than the limit
//! are refused while they are read, before anything is scored or written, and the message says
//! how many units fit. A CSV of 32 MiB, the largest file a run reads, is scored within 512 MiB
//! of address space (`prlimit --as`), and a run over the limit refused within it. Timings are
//! never asserted.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SET: &str = "binh-thuan-police/division-procedures/2024";

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../criteria/samples/binh-thuan-police-division-procedures-2024.csv")
}

/// A wide CSV of `units` units numbered from `first`, each with the values of a unit of the
/// sample (92 leaves).
fn units_csv(path: &Path, first: usize, units: usize) {
    let text = std::fs::read_to_string(sample()).expect("the sample");
    let mut lines = text.lines();
    let header = lines.next().expect("a header");
    let rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    let mut out = String::with_capacity(units * 600);
    out.push_str(header);
    out.push('\n');
    for n in first..first + units {
        let row = rows[n % rows.len()];
        let (_, rest) = row.split_once(',').expect("a unit id");
        // The name may be quoted, with commas inside.
        let values = match rest.strip_prefix('"') {
            Some(quoted) => quoted.split_once("\",").expect("a quoted name").1,
            None => rest.split_once(',').expect("a name").1,
        };
        out.push_str(&format!("U{n:06},Đơn vị {n},{values}\n"));
    }
    std::fs::write(path, out).expect("written");
}

fn parindex(dir: &Path, args: &[&str]) -> Output {
    Command::new(assert_cmd::cargo::cargo_bin("parindex"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("parindex runs")
}

/// Scores `input` into `output` under a memory limit of 1 MiB.
fn score_in_one_mib(dir: &Path, input: &str, output: &str) -> Output {
    parindex(
        dir,
        &["score", SET, input, "-o", output, "--memory-limit", "1"],
    )
}

/// The number in "runs of fewer than N" of the refusal.
fn fewer_than(stderr: &str) -> usize {
    let (_, after) = stderr
        .split_once("runs of fewer than ")
        .unwrap_or_else(|| panic!("no advice in {stderr}"));
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().expect("a count")
}

#[test]
fn units_over_the_limit_are_refused_while_read_and_the_advice_fits() {
    let dir = tempfile::tempdir().expect("tempdir");
    units_csv(&dir.path().join("units.csv"), 0, 400);
    let refused = score_in_one_mib(dir.path(), "units.csv", "out.json");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("are over the memory limit of 1 MiB"),
        "{stderr}"
    );
    assert!(!dir.path().join("out.json").exists(), "nothing is written");
    // Located at the row of the first unit refused: line 1 is the header, so unit n is on
    // line n + 1 and the first refused, after `fit` units, on line fit + 2.
    let fit = fewer_than(&stderr);
    assert!((1..400).contains(&fit), "{stderr}");
    assert!(
        stderr.contains(&format!("units.csv:{}:1:", fit + 2)),
        "{stderr}"
    );
    // The advice works: a run of fewer units is scored under the same limit …
    units_csv(&dir.path().join("fewer.csv"), 0, fit - 1);
    let scored = score_in_one_mib(dir.path(), "fewer.csv", "out.json");
    assert!(
        scored.status.success(),
        "{}",
        String::from_utf8_lossy(&scored.stderr)
    );
    assert!(dir.path().join("out.json").exists());
    // … and one more than the units read before the refusal is refused, by the estimate made
    // before scoring if not while reading.
    units_csv(&dir.path().join("more.csv"), 0, fit + 1);
    let more = score_in_one_mib(dir.path(), "more.csv", "more.json");
    let stderr = String::from_utf8_lossy(&more.stderr);
    assert_eq!(more.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("memory limit of 1 MiB"), "{stderr}");
    assert!(!dir.path().join("more.json").exists());
    // Exactly the units read before the refusal are all read, and the estimate made once they
    // are, before scoring, refuses them with its own message.
    units_csv(&dir.path().join("exact.csv"), 0, fit);
    let exact = score_in_one_mib(dir.path(), "exact.csv", "exact.json");
    let stderr = String::from_utf8_lossy(&exact.stderr);
    assert_eq!(exact.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "exact.csv: scoring these {fit} units would take about"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("of memory, over the limit of 1 MiB: score them in runs of at most"),
        "{stderr}"
    );
    assert!(!dir.path().join("exact.json").exists());
}

/// Runs parindex with 512 MiB of address space.
fn within_512_mib(dir: &Path, args: &[&str]) -> Output {
    Command::new("prlimit")
        .arg(format!("--as={}", 512 * 1024 * 1024))
        .arg("--")
        .arg(assert_cmd::cargo::cargo_bin("parindex"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("prlimit runs (util-linux)")
}

#[test]
fn a_csv_of_32_mib_is_scored_within_512_mib_and_a_run_over_the_limit_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("units.csv");
    // 62,000 units of 92 leaves: just under the 32 MiB an input may have.
    units_csv(&path, 0, 62_000);
    let size = std::fs::metadata(&path).expect("size").len();
    assert!(
        size > 30 * 1024 * 1024 && size <= 32 * 1024 * 1024,
        "{size}"
    );
    // The summary keeps the areas' results only, the report every node's: both fit.
    for output in ["out.csv", "out.html"] {
        let scored = within_512_mib(dir.path(), &["score", SET, "units.csv", "-o", output]);
        let stderr = String::from_utf8_lossy(&scored.stderr);
        // Not aborted by the allocator (which would exit 134).
        assert_eq!(scored.status.code(), Some(0), "{output}: {stderr}");
        assert!(stderr.contains("(62000 units)"), "{stderr}");
    }
    let summary = std::fs::read_to_string(dir.path().join("out.csv")).expect("the summary");
    assert_eq!(summary.lines().count(), 62_001);
    // Three times as many units, in three files: over the limit even for the summary alone
    // (about 158,000 units of this set), and refused while the third is read, with its
    // message.
    units_csv(&dir.path().join("more.csv"), 62_000, 62_000);
    units_csv(&dir.path().join("most.csv"), 124_000, 62_000);
    let args = [
        "score",
        SET,
        "units.csv",
        "more.csv",
        "most.csv",
        "--max-units",
        "200000",
        "-o",
        "all.csv",
    ];
    let refused = within_512_mib(dir.path(), &args);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("are over the memory limit of 360 MiB"),
        "{stderr}"
    );
    assert!(stderr.contains("most.csv:"), "{stderr}");
    assert!(!dir.path().join("all.csv").exists());
}
