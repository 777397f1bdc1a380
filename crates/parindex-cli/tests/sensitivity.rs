//! `parindex sensitivity` on the shipped commune set and its sample batch.

use predicates::prelude::*;

mod common;
use common::{COMMUNE, parindex, sample};

#[test]
fn prints_intervals_and_indices_and_writes_every_format() {
    parindex()
        .args(["sensitivity", COMMUNE])
        .arg(sample())
        .args(["--replications", "200", "--appraisal", "0.1", "--indices"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "200 replications (seed 2024), sources: survey, appraisal",
        ))
        .stdout(predicate::str::contains("CAP-TAN-THIEN"))
        .stdout(predicate::str::contains("sensitivity of the ranks"))
        .stdout(predicate::str::contains("convergence:"));
    let dir = tempfile::tempdir().expect("dir");
    let (csv, json, html) = (
        dir.path().join("s.csv"),
        dir.path().join("s.json"),
        dir.path().join("s.html"),
    );
    parindex()
        .args(["sensitivity", COMMUNE])
        .arg(sample())
        .args([
            "--replications",
            "100",
            "--appraisal",
            "0.2",
            "--ties",
            "dense",
        ])
        .arg("-o")
        .arg(&csv)
        .arg("-o")
        .arg(&json)
        .arg("-o")
        .arg(&html)
        .assert()
        .success();
    let text = std::fs::read_to_string(&csv).expect("csv");
    let header = text.lines().next().expect("header");
    assert!(header.starts_with("unit,name,index,index_p5,index_median,index_p95,rank,rank_p5"));
    assert!(header.contains("p_top_10,p_band_A,p_band_B,p_band_C,p_band_D"));
    assert_eq!(text.lines().count(), 31);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("parses");
    assert_eq!(doc["schema"], "parindex-sensitivity/1");
    assert_eq!(
        doc["sources"],
        serde_json::json!(["survey", "appraisal", "methods"])
    );
    for unit in doc["units"].as_array().expect("units") {
        let bands: f64 = unit["band_probabilities"]
            .as_object()
            .expect("bands")
            .values()
            .filter_map(serde_json::Value::as_f64)
            .sum();
        assert!((bands - 1.0).abs() < 1e-9, "{unit}");
        let r = &unit["rank_interval"];
        assert!(
            r["p5"].as_f64() <= r["median"].as_f64() && r["median"].as_f64() <= r["p95"].as_f64()
        );
    }
    let report = std::fs::read_to_string(&html).expect("html");
    assert!(report.contains("Độ tin cậy của thứ hạng"));
    assert!(report.contains("100 lần mô phỏng"));
}

#[test]
fn the_same_seed_prints_the_same_table_on_any_number_of_threads() {
    let run = |threads: &str| {
        parindex()
            .args(["sensitivity", COMMUNE])
            .arg(sample())
            .args([
                "--replications",
                "150",
                "--appraisal",
                "0.1",
                "--weights",
                "0.1",
            ])
            .args(["--threads", threads, "--format", "csv"])
            .output()
            .expect("runs")
            .stdout
    };
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(run("2"), one);
    assert_eq!(run("5"), one);
}

#[test]
fn bad_settings_are_usage_errors() {
    parindex()
        .args(["sensitivity", COMMUNE])
        .arg(sample())
        .args(["--appraisal", "1.5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the appraisal probability 1.5 is not between 0 and 1",
        ));
    parindex()
        .args(["sensitivity", COMMUNE])
        .arg(sample())
        .args(["-o", "out.pdf"])
        .assert()
        .code(2);
}
