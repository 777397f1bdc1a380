//! End-to-end tests of every `parindex` subcommand on the shipped sets.

use std::path::{Path, PathBuf};

use calamine::Reader;
use predicates::prelude::*;

mod common;
use common::{COMMUNE, parindex, sample};

fn shipped_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../criteria")
        .join(name)
}

#[test]
fn sets_lists_every_shipped_set() {
    parindex()
        .arg("sets")
        .assert()
        .success()
        .stdout(predicate::str::contains(COMMUNE))
        .stdout(predicate::str::contains("hai-phong/official/2025"))
        .stdout(predicate::str::contains("transcribed"));
}

#[test]
fn show_prints_the_tree_as_text_and_json() {
    parindex()
        .args(["show", COMMUNE])
        .assert()
        .success()
        .stdout(predicate::str::contains("1.1.4 Mức độ thực hiện"))
        .stdout(predicate::str::contains("kind = \"tiers\""));
    let output = parindex()
        .args(["show", "hai-phong/official/2025", "--format", "json"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(json["id"], "hai-phong/official/2025");
    assert_eq!(
        json["stages"],
        serde_json::json!(["self", "manager", "authority"])
    );
    assert!(json["nodes"].as_array().is_some_and(|n| n.len() > 30));
    // A path works as well as an id.
    parindex()
        .args(["show"])
        .arg(shipped_file("2024/binh-thuan-police-commune.toml"))
        .assert()
        .success()
        .stdout(predicate::str::contains(COMMUNE));
}

#[test]
fn validate_reports_every_diagnostic_and_exits_1_when_invalid() {
    parindex()
        .arg("validate")
        .arg(shipped_file("2024/binh-thuan-police-division.toml"))
        .arg("hai-phong/official/2025")
        .assert()
        .success();
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[set]\nformat = 1\nid = \"x/commune/2024\"\ntitle = \"X\"\nlevel = \"commune\"\nyear = 2024\nlanguage = \"vi\"\nmax = 2\n[origin]\nauthority = \"A\"\nsource = \"s\"\nstatus = \"example\"\n[[node]]\ncode = \"1\"\nname = \"Plan\"\nmaxx = 2\nrule = { kind = \"yes-no\" }\n",
    )
    .expect("write");
    parindex()
        .arg("validate")
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{}:16:1: error[unknown-key] 1: unknown key `maxx`",
            bad.display()
        )));
    // Input files against a set.
    parindex()
        .args(["validate", "--set", COMMUNE])
        .arg(sample())
        .assert()
        .success()
        .stdout(predicate::str::contains("valid: 30 units"));
    let wrong = dir.path().join("wrong.csv");
    std::fs::write(&wrong, "unit,1.1.4\nCAP-01,\"1,500%\"\n").expect("write");
    parindex()
        .args(["validate", "--set", COMMUNE])
        .arg(&wrong)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{}:2:8: 1.1.4: \"1,500%\" could be 1.500 or 1500: write it with a decimal point (1.500) or without a separator (1500)",
            wrong.display()
        )));
}

#[test]
fn template_writes_xlsx_and_csv() {
    let dir = tempfile::tempdir().expect("tempdir");
    let xlsx = dir.path().join("mau.xlsx");
    parindex()
        .args(["template", COMMUNE, "-o"])
        .arg(&xlsx)
        .assert()
        .success();
    let mut wb = calamine::open_workbook_auto(&xlsx).expect("opens");
    assert_eq!(wb.sheet_names(), ["Tự đánh giá", "Thẩm định", "Hướng dẫn"]);
    let sheet = wb.worksheet_range("Thẩm định").expect("sheet");
    assert_eq!(
        sheet.get_value((4, 0)).map(ToString::to_string).as_deref(),
        Some("unit")
    );
    assert_eq!(
        sheet.get_value((4, 3)).map(ToString::to_string).as_deref(),
        Some("1.1.1")
    );
    assert_eq!(
        sheet.get_value((2, 3)).map(ToString::to_string).as_deref(),
        Some("1.5")
    );
    let csv = dir.path().join("mau.csv");
    parindex()
        .args(["template", "binh-thuan-police/division/2024", "-o"])
        .arg(&csv)
        .assert()
        .success();
    let text = std::fs::read_to_string(&csv).expect("csv");
    assert!(
        text.lines()
            .nth(2)
            .is_some_and(|l| l.starts_with("unit,name,stage,ranked,"))
    );
    parindex()
        .args(["template", COMMUNE, "-o", "mau.pdf"])
        .assert()
        .code(2);
}

#[test]
fn score_writes_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    parindex()
        .args(["score", COMMUNE])
        .arg(sample())
        .assert()
        .success()
        .stdout(predicate::str::starts_with("rank  unit"))
        .stdout(predicate::str::contains("CAP-TAN-THIEN"))
        .stderr(predicate::str::contains("warning: unit"));
    parindex()
        .args(["score", COMMUNE, "--format", "csv"])
        .arg(sample())
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "rank,unit,name,total,max,index,band,1,2,3,4,5,6,7\n1,CAP-TAN-THIEN,",
        ));
    let outputs = ["r.json", "r.csv", "r.xlsx", "r.html"].map(|n| dir.path().join(n));
    let mut cmd = parindex();
    cmd.args(["score", COMMUNE]).arg(sample());
    for o in &outputs {
        cmd.arg("-o").arg(o);
    }
    cmd.assert().success();
    let doc = parindex_io::ResultsDocument::read(&outputs[0]).expect("json");
    assert_eq!(doc.units.len(), 30);
    assert_eq!(doc.set.id, COMMUNE);
    assert!(doc.units[0].nodes.iter().all(|n| n.reason.is_some()));
    assert!(
        std::fs::read_to_string(&outputs[1])
            .expect("csv")
            .starts_with("rank,unit,name")
    );
    let wb = calamine::open_workbook_auto(&outputs[2]).expect("xlsx");
    assert_eq!(wb.sheet_names()[0], "Xếp hạng");
    let html = std::fs::read_to_string(&outputs[3]).expect("html");
    assert!(html.contains("<meta charset=\"utf-8\">") && html.contains("<svg"));
    assert!(html.contains("Công an phường Phú Thủy"));
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"));
    // Lean JSON.
    let lean = dir.path().join("lean.json");
    parindex()
        .args(["score", COMMUNE, "--lean", "-o"])
        .arg(&lean)
        .arg(sample())
        .assert()
        .success();
    let doc = parindex_io::ResultsDocument::read(&lean).expect("json");
    assert!(
        doc.units[0]
            .nodes
            .iter()
            .all(|n| n.reason.is_none() && n.seen.is_none())
    );
    // The document on stdout is the file's, byte for byte, written straight to the stream.
    for (extra, file) in [(None, &outputs[0]), (Some("--lean"), &lean)] {
        let printed = parindex()
            .args(["score", COMMUNE, "--format", "json"])
            .args(extra)
            .arg(sample())
            .output()
            .expect("runs");
        assert!(printed.status.success());
        assert!(printed.stdout == std::fs::read(file).expect("the file"));
    }
}

#[test]
fn html_report_shows_the_change_since_last_year() {
    let dir = tempfile::tempdir().expect("tempdir");
    let before = dir.path().join("2023.json");
    let report = dir.path().join("report.html");
    parindex()
        .args(["score", COMMUNE, "-o"])
        .arg(&before)
        .arg(sample())
        .assert()
        .success();
    parindex()
        .args(["score", COMMUNE, "-o"])
        .arg(&report)
        .arg("--previous")
        .arg(&before)
        .arg(sample())
        .assert()
        .success();
    let html = std::fs::read_to_string(&report).expect("html");
    assert!(html.contains("Thay đổi so với năm 2024"));
}

#[test]
fn explain_shows_where_points_were_lost() {
    parindex()
        .args(["explain", COMMUNE])
        .arg(sample())
        .args(["--unit", "CAP-PHU-THUY"])
        .assert()
        .success()
        .stdout(predicate::str::contains("CAP-PHU-THUY:"))
        .stdout(predicate::str::contains(
            "Where the points were lost, most first:",
        ))
        .stdout(predicate::str::contains("1.4.1"));
    parindex()
        .args(["explain", COMMUNE])
        .arg(sample())
        .args(["--unit", "NOPE"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "error: no unit \"NOPE\" in the input",
        ));
    let output = parindex()
        .args([
            "explain",
            COMMUNE,
            "--format",
            "json",
            "--unit",
            "CAP-PHU-THUY",
        ])
        .arg(sample())
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(json["unit"], "CAP-PHU-THUY");
}

#[test]
fn diff_shows_what_changed() {
    parindex()
        .args([
            "diff",
            "binh-thuan-police/division/2024",
            "binh-thuan-police/division-procedures/2024",
        ])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "binh-thuan-police/division/2024 → binh-thuan-police/division-procedures/2024:",
        ))
        .stdout(predicate::str::contains("~ 1 max"));
    parindex()
        .args(["diff", COMMUNE, COMMUNE])
        .assert()
        .success()
        .stdout(predicate::str::contains(": 0 changes"));
}

#[test]
fn compare_two_results() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    let input_b = dir.path().join("b.csv");
    let text = std::fs::read_to_string(sample()).expect("sample");
    // The newer year: one ward reports every plan task done on time.
    let changed = text.replacen(
        "CAP-PHU-TAI,Công an phường Phú Tài,trễ hạn",
        "CAP-PHU-TAI,Công an phường Phú Tài,đúng hạn",
        1,
    );
    assert_ne!(text, changed);
    std::fs::write(&input_b, changed).expect("write");
    parindex()
        .args(["score", COMMUNE, "-o"])
        .arg(&a)
        .arg(sample())
        .assert()
        .success();
    parindex()
        .args(["score", COMMUNE, "-o"])
        .arg(&b)
        .arg(&input_b)
        .assert()
        .success();
    let crosswalk = dir.path().join("crosswalk.csv");
    std::fs::write(&crosswalk, "before,after\n1,1\n").expect("write");
    let output = parindex()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .arg("--crosswalk")
        .arg(&crosswalk)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let unit = json["units"]
        .as_array()
        .and_then(|u| u.iter().find(|x| x["unit"] == "CAP-PHU-TAI"))
        .cloned()
        .expect("unit");
    // 1.1.1: late (1) → on time (1.5): +0.5 of an applicable 59 (one row N/A) and of area 1's 17.
    assert_eq!(unit["index_change"], "0.85");
    assert_eq!(unit["areas"][0]["change"], "2.94");
    parindex()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .assert()
        .success()
        .stdout(predicate::str::contains("index_change"))
        .stdout(predicate::str::contains("+0.85"));
    std::fs::write(&b, "{\"schema\": \"parindex-results/9\"}").expect("write");
    parindex()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "is a parindex-results/9 document; this parindex reads parindex-results/1",
        ));
}

#[test]
fn demo_writes_a_report_into_a_new_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    parindex()
        .arg("demo")
        .current_dir(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote parindex-demo/report.html"))
        .stdout(predicate::str::contains("CAP-TAN-THIEN"));
    for f in ["report.html", "results.xlsx", "results.json"] {
        assert!(dir.path().join("parindex-demo").join(f).is_file(), "{f}");
    }
    parindex()
        .arg("demo")
        .current_dir(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "wrote parindex-demo-2/report.html",
        ));
}

#[test]
fn a_failed_run_writes_nothing_and_keeps_existing_outputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "unit,1.1.4\nCAP-01,\"1,500%\"\n").expect("write");
    let fresh = dir.path().join("fresh.xlsx");
    let existing = dir.path().join("existing.json");
    std::fs::write(&existing, "previous results\n").expect("write");
    parindex()
        .args(["score", COMMUNE])
        .arg(&bad)
        .arg("-o")
        .arg(&fresh)
        .arg("-o")
        .arg(&existing)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "1 problem in the input; nothing was scored",
        ));
    assert!(!fresh.exists());
    assert_eq!(
        std::fs::read_to_string(&existing).expect("kept"),
        "previous results\n"
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
    // An input is never an output.
    parindex()
        .args(["score", COMMUNE])
        .arg(&bad)
        .arg("-o")
        .arg(&bad)
        .assert()
        .code(2);
    assert_eq!(
        std::fs::read_to_string(&bad).expect("input"),
        "unit,1.1.4\nCAP-01,\"1,500%\"\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    parindex().assert().code(2);
    parindex().args(["score", COMMUNE]).assert().code(2);
    parindex()
        .args(["score", COMMUNE, "x.csv", "-o", "out.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "name it .xlsx, .html, .csv or .json",
        ));
    parindex()
        .args(["show", "nowhere/commune/1999"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no shipped set has this id"));
}

#[test]
fn validate_is_the_reading_half_of_score() {
    let dir = tempfile::tempdir().expect("tempdir");
    let every_rule = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../parindex-core/tests/fixtures/every-rule.toml");
    // A branch reads its value only when scoring, where the unit's attribute picks the case.
    let units = dir.path().join("units.csv");
    std::fs::write(&units, "unit,kind,has_plan,2.2\nA,ward,có,11/10\n").expect("write");
    let expected = format!(
        "{}:2:11: 2.2: unit A: \"11/10\" is outside 0–100%",
        units.display()
    );
    for command in ["validate", "score"] {
        let mut run = parindex();
        if command == "validate" {
            run.args(["validate", "--set"]).arg(&every_rule);
        } else {
            run.arg("score").arg(&every_rule);
        }
        run.arg(&units)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(expected.as_str()));
    }
}

#[test]
fn percents_are_declared_once_for_fractions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fractions = dir.path().join("fractions.csv");
    std::fs::write(&fractions, "unit,1.1.4\nCAP-01,0.875\n").expect("write");
    parindex()
        .args(["score", COMMUNE])
        .arg(&fractions)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("1.1.4: \"0.875\" is ambiguous"));
    let percents = dir.path().join("percents.csv");
    std::fs::write(&percents, "unit,1.1.4\nCAP-01,87.5%\n").expect("write");
    let run = |file: &Path, extra: &[&str]| {
        let output = parindex()
            .args(["score", COMMUNE, "--format", "json"])
            .args(extra)
            .arg(file)
            .output()
            .expect("runs");
        assert!(output.status.success(), "{output:?}");
        output.stdout
    };
    assert_eq!(
        run(&fractions, &["--percents", "fraction"]),
        run(&percents, &[])
    );
    parindex()
        .args(["score", COMMUNE, "--percents", "fractions"])
        .arg(&percents)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is not a percent scale (percent or fraction)",
        ));
}

#[test]
fn outputs_never_overwrite_what_the_run_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let survey = dir.path().join("survey.csv");
    std::fs::write(&survey, "unit,item,answer\nCAP-PHU-THUY,3.2.2,có\n").expect("write");
    parindex()
        .args(["score", COMMUNE])
        .arg(sample())
        .arg("--survey")
        .arg(&survey)
        .arg("-o")
        .arg(&survey)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is also an input; inputs are never overwritten",
        ));
    assert_eq!(
        std::fs::read_to_string(&survey).expect("read"),
        "unit,item,answer\nCAP-PHU-THUY,3.2.2,có\n"
    );
}
