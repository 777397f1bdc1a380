//! What a run writes: no formula reaches a CSV output, no output overwrites an input, and a run
//! whose outputs cannot all be written changes none of them.

use std::path::{Path, PathBuf};

mod common;
use common::parindex;

/// The bad-input corpus's set: one leaf of each kind of value.
fn corpus_set() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/bad/set.toml")
}

const HEADER: &str = "unit,name,kind,1.1,1.2,1.3,2.1,2.2\n";

/// A folder, and the corpus file whose unit ids and names are formulas: accepted as input,
/// neutralised in every CSV output.
fn formulas() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let input =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/bad/inputs/ok-formula-ids.csv");
    (dir, input)
}

#[test]
fn formulas_in_ids_and_names_are_neutralised_in_csv_outputs() {
    let (dir, input) = formulas();
    let summary = dir.path().join("summary.csv");
    parindex()
        .arg("score")
        .arg(corpus_set())
        .arg(&input)
        .arg("-o")
        .arg(&summary)
        .assert()
        .success();
    let text = std::fs::read_to_string(&summary).expect("summary");
    for line in text.lines().skip(1) {
        for field in line.split(',') {
            let field = field.trim_start_matches('"');
            assert!(
                !(field.starts_with(['=', '+', '@']) || field.starts_with('-') && field != "-5"),
                "a formula reaches the CSV: {line}"
            );
        }
    }
    assert!(text.contains("\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"click\"\")\""));
    assert!(text.contains("'+cmd|' /C calc'!A0"));
    assert!(text.contains("'@SUM(1+1),'-2+3"));
    // A number stays a number.
    assert!(text.contains(",-5,'=1+1,"), "{text}");
    // The same for the summary on stdout.
    let stdout = parindex()
        .arg("score")
        .arg(corpus_set())
        .arg(&input)
        .args(["--format", "csv"])
        .output()
        .expect("runs");
    assert_eq!(String::from_utf8_lossy(&stdout.stdout), text);
}

/// Runs `parindex ARGS` in `dir`; the exit code and stderr.
fn run_in(dir: &Path, args: &[&str]) -> (i32, String) {
    let output = parindex()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn no_output_may_be_an_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let set = corpus_set();
    let set = set.to_str().expect("path");
    std::fs::write(
        d.join("units.csv"),
        format!("{HEADER}A,x,ward,có,87.5,15/01/2024,3,2\n"),
    )
    .expect("write");
    // Files named as outputs could be: the check is of the path, not the extension.
    std::fs::copy(corpus_set(), d.join("set.csv")).expect("copy");
    // A previous year's results.
    assert_eq!(
        run_in(d, &["score", set, "units.csv", "-o", "last.json"]).0,
        0
    );
    std::fs::write(d.join("cw.csv"), "before,after\n1,1\n").expect("write");
    std::fs::write(d.join("plan.json"), "x").expect("write");
    std::fs::write(d.join("done.csv"), "unit,task,done\n").expect("write");
    std::fs::write(d.join("survey.csv"), "unit,item,answer\n").expect("write");
    let before: Vec<(String, Vec<u8>)> = [
        "units.csv",
        "last.json",
        "cw.csv",
        "plan.json",
        "done.csv",
        "survey.csv",
        "set.csv",
    ]
    .iter()
    .map(|f| ((*f).to_owned(), std::fs::read(d.join(f)).expect("read")))
    .collect();
    let cases: [(&[&str], &str); 9] = [
        (&["score", set, "units.csv", "-o", "units.csv"], "units.csv"),
        (
            &[
                "score",
                set,
                "units.csv",
                "--previous",
                "last.json",
                "-o",
                "last.json",
            ],
            "last.json",
        ),
        (
            &[
                "score",
                set,
                "units.csv",
                "--crosswalk",
                "cw.csv",
                "-o",
                "./cw.csv",
            ],
            "./cw.csv",
        ),
        (
            &[
                "score",
                set,
                "units.csv",
                "--plan",
                "plan.json",
                "--completions",
                "done.csv",
                "-o",
                "done.csv",
            ],
            "done.csv",
        ),
        (
            &[
                "score",
                set,
                "units.csv",
                "--plan",
                "plan.json",
                "--completions",
                "done.csv",
                "-o",
                "plan.json",
            ],
            "plan.json",
        ),
        (
            &[
                "score",
                set,
                "units.csv",
                "--survey",
                "survey.csv",
                "-o",
                "survey.csv",
            ],
            "survey.csv",
        ),
        (
            &["score", "set.csv", "units.csv", "-o", "set.csv"],
            "set.csv",
        ),
        (
            &[
                "sensitivity",
                set,
                "units.csv",
                "--replications",
                "5",
                "-o",
                "units.csv",
            ],
            "units.csv",
        ),
        (&["template", "set.csv", "-o", "set.csv"], "set.csv"),
    ];
    for (args, output) in cases {
        let (code, stderr) = run_in(d, args);
        assert_eq!(
            (code, stderr.as_str()),
            (
                2,
                format!("error: {output} is also an input; inputs are never overwritten\n")
                    .as_str()
            ),
            "{args:?}"
        );
    }
    let (code, stderr) = run_in(
        d,
        &["score", set, "units.csv", "-o", "a.csv", "-o", "./a.csv"],
    );
    assert_eq!(
        (code, stderr.as_str()),
        (2, "error: ./a.csv is given twice as an output\n")
    );
    for (file, bytes) in before {
        assert_eq!(
            std::fs::read(d.join(&file)).expect("read"),
            bytes,
            "{file} changed"
        );
    }
}

#[test]
fn a_run_that_cannot_write_every_output_changes_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let set = corpus_set();
    let set = set.to_str().expect("path");
    std::fs::write(
        d.join("units.csv"),
        format!("{HEADER}A,x,ward,có,87.5,15/01/2024,3,2\n"),
    )
    .expect("write");
    for name in ["summary.csv", "report.html", "results.xlsx"] {
        std::fs::write(d.join(name), "the previous run's").expect("write");
    }
    // The JSON goes into a folder that does not exist: it cannot be written, and it is
    // written last.
    let (code, stderr) = run_in(
        d,
        &[
            "score",
            set,
            "units.csv",
            "-o",
            "summary.csv",
            "-o",
            "report.html",
            "-o",
            "results.xlsx",
            "-o",
            "missing/results.json",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.starts_with("error: missing/results.json: "),
        "{stderr}"
    );
    for name in ["summary.csv", "report.html", "results.xlsx"] {
        assert_eq!(
            std::fs::read_to_string(d.join(name)).expect("read"),
            "the previous run's",
            "{name} was replaced by a run that failed"
        );
    }
    let mut left: Vec<String> = std::fs::read_dir(d)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["report.html", "results.xlsx", "summary.csv", "units.csv"],
        "no temporary file is left"
    );
}
