//! The bad-input corpus (`tests/bad/`): every file is run through `parindex` and its stderr and
//! exit code are compared, exactly, with the `.expected` file beside it. Then the limits, on
//! files generated here because they are too large to commit.
//!
//! `PARINDEX_BLESS=1 cargo test -p parindex-cli --test bad_inputs` rewrites the expectations;
//! read every change before committing it.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn parindex() -> Command {
    Command::cargo_bin("parindex").expect("binary")
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/bad")
}

fn blessing() -> bool {
    std::env::var_os("PARINDEX_BLESS").is_some()
}

/// The files of a corpus folder, without their expectations, in name order.
fn files(folder: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(corpus().join(folder))
        .expect("corpus folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e != "expected"))
        .collect();
    found.sort();
    found
}

/// The run's exit code and stderr, as an `.expected` file holds them.
fn outcome(output: &std::process::Output) -> String {
    let code = output
        .status
        .code()
        .map_or("killed".to_owned(), |c| c.to_string());
    format!("exit {code}\n{}", String::from_utf8_lossy(&output.stderr))
}

/// Runs `args` in the corpus folder for each file and compares with `<file>.expected`.
fn check_folder(folder: &str, args: impl Fn(&str) -> Vec<String>) -> usize {
    let mut wrong = Vec::new();
    let files = files(folder);
    for file in &files {
        let name = file.file_name().expect("name").to_string_lossy();
        let relative = format!("{folder}/{name}");
        let output = parindex()
            .current_dir(corpus())
            .args(args(&relative))
            .output()
            .expect("runs");
        let got = outcome(&output);
        let expected_path = file.with_extension("expected");
        if blessing() {
            std::fs::write(&expected_path, &got).expect("bless");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| format!("(no {})", expected_path.display()));
        if got != expected {
            wrong.push(format!(
                "{relative}\n--- expected\n{expected}--- got\n{got}"
            ));
        }
    }
    // Every expectation has its file.
    for entry in std::fs::read_dir(corpus().join(folder)).expect("folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "expected")
            && !files.iter().any(|f| f.with_extension("expected") == path)
        {
            wrong.push(format!("{} has no file", path.display()));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    files.len()
}

#[test]
fn every_bad_criteria_file_gives_its_message() {
    let n = check_folder("criteria", |file| vec!["validate".into(), file.into()]);
    assert!(n >= 40, "{n} criteria files");
}

#[test]
fn every_bad_input_file_gives_its_message() {
    let n = check_folder("inputs", |file| {
        vec!["score".into(), "set.toml".into(), file.into()]
    });
    assert!(n >= 40, "{n} input files");
}

#[test]
fn the_corpus_set_is_valid() {
    parindex()
        .current_dir(corpus())
        .args(["validate", "set.toml"])
        .assert()
        .success()
        .stdout("set.toml: valid (7 nodes, 0 warnings)\n");
}

// ---- limits, on generated files ----------------------------------------------------------

const HEADER: &str = "unit,name,kind,1.1,1.2,1.3,2.1,2.2\n";

/// Scores `file` (inside `dir`) against the corpus set, from `dir`; the exit code and stderr.
fn score_in(dir: &Path, file: &str) -> String {
    let set = corpus().join("set.toml");
    let output = parindex()
        .current_dir(dir)
        .arg("score")
        .arg(&set)
        .arg(file)
        .output()
        .expect("runs");
    outcome(&output)
}

#[test]
fn an_input_over_32_mib_is_refused_from_its_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 50 MB of good rows.
    let row = "U,Phường Phú Thủy,ward,có,87.5,15/01/2024,3,2\n";
    let mut text = String::with_capacity(50_000_000 + row.len() * 2);
    text.push_str(HEADER);
    let mut n = 0u64;
    while text.len() < 50_000_000 {
        text.push_str(&row.replacen('U', &format!("U{n}"), 1));
        n += 1;
    }
    std::fs::write(dir.path().join("big.csv"), &text).expect("write");
    let size = text.len();
    assert_eq!(
        score_in(dir.path(), "big.csv"),
        format!(
            "exit 1\nbig.csv: is {size} bytes; input files are limited to 33554432 bytes (32 MiB): split the units over several files\n1 problem in the input; nothing was scored\n"
        )
    );
    // The size is read from the file system, before the content: 8 GiB of nothing (a sparse
    // file) is refused at once.
    let huge = std::fs::File::create(dir.path().join("huge.json")).expect("create");
    huge.set_len(8 << 30).expect("sparse file");
    let started = std::time::Instant::now();
    assert_eq!(
        score_in(dir.path(), "huge.json"),
        "exit 1\nhuge.json: is 8589934592 bytes; input files are limited to 33554432 bytes (32 MiB): split the units over several files\n1 problem in the input; nothing was scored\n"
    );
    assert!(started.elapsed().as_secs() < 20, "refused without reading");
}

#[test]
fn a_criteria_file_over_4_mib_is_refused_from_its_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = std::fs::File::create(dir.path().join("big.toml")).expect("create");
    file.set_len(5 << 20).expect("sparse file");
    let output = parindex()
        .current_dir(dir.path())
        .args(["validate", "big.toml"])
        .output()
        .expect("runs");
    assert_eq!(
        outcome(&output),
        "exit 1\nbig.toml: error[syntax]: the file is 5242880 bytes; criteria files are limited to 4194304\nbig.toml: invalid (1 error)\n"
    );
}

#[test]
fn a_file_with_more_rows_than_a_sheet_holds_is_refused_at_the_first_row_beyond() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("unit\n");
    text.push_str(&"A\n".repeat(1_048_576));
    std::fs::write(dir.path().join("rows.csv"), text).expect("write");
    assert_eq!(
        score_in(dir.path(), "rows.csv"),
        "exit 1\nrows.csv:1048577:1: the file has more than 1048576 rows, the limit\n1 problem in the input; nothing was scored\n"
    );
}

#[test]
fn a_file_with_more_than_ten_million_cells_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 1,001 rows of 10,000 empty fields: empty cells count.
    let mut text = String::from("unit\n");
    let row = format!("{}\n", ",".repeat(9_999));
    text.push_str(&row.repeat(1_001));
    std::fs::write(dir.path().join("cells.csv"), text).expect("write");
    assert_eq!(
        score_in(dir.path(), "cells.csv"),
        "exit 1\ncells.csv:1001:10000: more than 10000000 cells: the inputs of a run are limited to 10000000 (every cell counts, empty, formula and merged cells too); split the units over several runs, or raise the unit limit (--max-units on the command line, parindex.options.max_units in Python), which allows 100 cells a unit\n1 problem in the input; nothing was scored\n"
    );
    // A unit limit raised to 200,000 allows 20 million cells: the file is read whole, and its
    // rows, empty, give no unit.
    let raised = parindex()
        .current_dir(dir.path())
        .arg("score")
        .arg(corpus().join("set.toml"))
        .arg("cells.csv")
        .args(["--max-units", "200000"])
        .output()
        .expect("runs");
    let raised = outcome(&raised);
    assert!(raised.starts_with("exit 0\n"), "{raised}");
    assert!(!raised.contains("cells"), "{raised}");
}

#[test]
fn a_row_with_more_columns_than_a_sheet_holds_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("unit\n");
    text.push_str(&",".repeat(10_000_000));
    text.push('\n');
    std::fs::write(dir.path().join("columns.csv"), text).expect("write");
    assert_eq!(
        score_in(dir.path(), "columns.csv"),
        "exit 1\ncolumns.csv:2:16385: the row has more than 16384 columns, as many as an Excel sheet holds\n1 problem in the input; nothing was scored\n"
    );
}

#[test]
fn a_run_with_more_than_100000_units_is_refused_at_the_first_unit_beyond() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("unit,1.1\n");
    for n in 0..100_005 {
        text.push_str(&format!("U{n},có\n"));
    }
    std::fs::write(dir.path().join("units.csv"), text).expect("write");
    assert_eq!(
        score_in(dir.path(), "units.csv"),
        "exit 1\nunits.csv:100002:1: more than 100000 units: a run is limited to 100000; score the units in several runs, or raise the limit (--max-units on the command line, parindex.options.max_units in Python)\n1 problem in the input; nothing was scored\n"
    );
}

#[test]
fn the_unit_limit_is_the_callers_to_lower_or_raise() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("unit,1.1\n");
    for n in 0..3 {
        text.push_str(&format!("U{n},có\n"));
    }
    std::fs::write(dir.path().join("units.csv"), text).expect("write");
    let run = |max_units: &str| {
        let output = parindex()
            .current_dir(dir.path())
            .arg("score")
            .arg(corpus().join("set.toml"))
            .arg("units.csv")
            .args(["--max-units", max_units, "--format", "csv"])
            .output()
            .expect("runs");
        outcome(&output)
    };
    // Two units at most: the third, on line 4, is refused, with the way to raise the limit.
    assert_eq!(
        run("2"),
        "exit 1\nunits.csv:4:1: more than 2 units: a run is limited to 2; score the units in several runs, or raise the limit (--max-units on the command line, parindex.options.max_units in Python)\n1 problem in the input; nothing was scored\n"
    );
    assert!(run("3").starts_with("exit 0\n"), "{}", run("3"));
}

#[test]
fn reading_stops_at_the_first_unit_beyond_the_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A bad value after the unit beyond the limit, and a bad file after that one: neither is
    // read, since the run is refused at the unit.
    std::fs::write(
        dir.path().join("units.csv"),
        "unit,1.1\nU0,có\nU1,có\nU2,có\nU3,không rõ\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("later.csv"),
        "unit,1.1\nV0,\"never closed\n",
    )
    .expect("write");
    let output = parindex()
        .current_dir(dir.path())
        .arg("score")
        .arg(corpus().join("set.toml"))
        .args(["units.csv", "later.csv", "--max-units", "2"])
        .output()
        .expect("runs");
    assert_eq!(
        outcome(&output),
        "exit 1\nunits.csv:4:1: more than 2 units: a run is limited to 2; score the units in several runs, or raise the limit (--max-units on the command line, parindex.options.max_units in Python)\n1 problem in the input; nothing was scored\n"
    );
}

/// A criteria file with `rows` yes-no leaves under one area.
fn criteria_with_rows(rows: usize) -> String {
    let mut text = format!(
        "[set]\nformat = 1\nid = \"tests/many/2024\"\ntitle = \"Many\"\nlevel = \"commune\"\nyear = 2024\nlanguage = \"en\"\nmax = {}\n[origin]\nauthority = \"parindex tests\"\nsource = \"generated\"\nstatus = \"example\"\n[[node]]\ncode = \"1\"\nname = \"All\"\nmax = {}\n",
        rows - 1,
        rows - 1
    );
    for n in 1..rows {
        text.push_str(&format!(
            "[[node]]\ncode = \"1.{n}\"\nname = \"Row {n}\"\nmax = 1\nrule = {{ kind = \"yes-no\" }}\n"
        ));
    }
    text
}

#[test]
fn a_set_is_limited_to_2000_rows_and_100_tiers_per_rule() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("ok.toml"), criteria_with_rows(2_000)).expect("write");
    parindex()
        .current_dir(dir.path())
        .args(["validate", "ok.toml"])
        .assert()
        .success();
    let text = criteria_with_rows(2_001);
    // The first row beyond the limit, at its `[[node]]`.
    let line = text
        .lines()
        .position(|l| l == "code = \"1.2000\"")
        .expect("row");
    std::fs::write(dir.path().join("many.toml"), &text).expect("write");
    let output = parindex()
        .current_dir(dir.path())
        .args(["validate", "many.toml"])
        .output()
        .expect("runs");
    assert_eq!(
        outcome(&output),
        format!(
            "exit 1\nmany.toml:{line}:1: error[wrong-type] 1.2000: 2001 rows ([[node]]): a set is limited to 2000\nmany.toml: invalid (1 error)\n"
        )
    );
    let mut text = criteria_with_rows(2).replace(
        "rule = { kind = \"yes-no\" }\n",
        "[node.rule]\nkind = \"tiers\"\nmeasure = \"count\"\n",
    );
    for n in 0..101 {
        text.push_str(&format!(
            "[[node.rule.tier]]\nwhen = \"x = {n}\"\npoints = 0\n"
        ));
    }
    let line = text
        .lines()
        .position(|l| l == "when = \"x = 100\"")
        .expect("tier");
    std::fs::write(dir.path().join("tiers.toml"), &text).expect("write");
    let output = parindex()
        .current_dir(dir.path())
        .args(["validate", "tiers.toml"])
        .output()
        .expect("runs");
    assert_eq!(
        outcome(&output),
        format!(
            "exit 1\ntiers.toml:{line}:1: error[wrong-type] 1.1: 101 tiers: a set is limited to 100\ntiers.toml: invalid (1 error)\n"
        )
    );
}
