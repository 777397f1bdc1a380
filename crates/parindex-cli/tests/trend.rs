//! A unit compared with its own previous year (`trend`): last year's measurement given in the
//! cell (`80% → 85%`) or taken from last year's results (`--previous`).

mod common;

use std::path::{Path, PathBuf};

use common::parindex;

fn example_set() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../criteria/examples/rule-shapes.toml")
}

/// One unit's row of the example set: 2.2 is the trend row; the other rows are at their best.
fn row(unit: &str, trend: &str) -> String {
    format!("{unit},10/02/2025,15/04/2025,đúng hạn,xuất sắc,100%,{trend},0\n")
}

const HEADER: &str = "unit,1.1,1.2,1.3,1.4,2.1,2.2,2.3\n";

fn points_of_2_2(results: &Path, unit: &str) -> String {
    let text = std::fs::read_to_string(results).expect("results written");
    let document: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let units = document["units"].as_array().expect("units");
    let found = units.iter().find(|u| u["unit"] == unit).expect("the unit");
    let node = found["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|n| n["code"] == "2.2")
        .expect("2.2");
    format!(
        "{} ({})",
        node["points"].as_str().unwrap_or_default(),
        node["reason"].as_str().unwrap_or_default()
    )
}

#[test]
fn a_value_given_alone_is_compared_with_last_years_results() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 2024: A at 80%, B at 90% (each given with the year before it), C at 70% alone (its first
    // year, scored `first`).
    let last_year = dir.path().join("2024.csv");
    let text = format!(
        "{HEADER}{}{}{}",
        row("A", "75% → 80%"),
        row("B", "90% → 90%"),
        row("C", "70%")
    );
    std::fs::write(&last_year, text).expect("written");
    let last = dir.path().join("2024.json");
    parindex()
        .arg("score")
        .arg(example_set())
        .arg(&last_year)
        .arg("-o")
        .arg(&last)
        .assert()
        .success();
    // 2025: each unit gives its value alone; D was not scored last year.
    let this_year = dir.path().join("2025.csv");
    let text = format!(
        "{HEADER}{}{}{}{}",
        row("A", "85%"),
        row("B", "80%"),
        row("C", "70%"),
        row("D", "60%")
    );
    std::fs::write(&this_year, text).expect("written");
    let now = dir.path().join("2025.json");
    parindex()
        .arg("score")
        .arg(example_set())
        .arg(&this_year)
        .arg("--previous")
        .arg(&last)
        .arg("-o")
        .arg(&now)
        .assert()
        .success();
    // A: 80% → 85%, better: 2. B: 90% → 80%, worse: 0. C: 70% → 70%, the same: 1.
    // D: no value last year: `first`, 1.
    assert_eq!(
        points_of_2_2(&now, "A"),
        "2 (80% → 85%: better than last year → 2)"
    );
    assert_eq!(
        points_of_2_2(&now, "B"),
        "0 (90% → 80%: worse than last year → 0)"
    );
    assert_eq!(
        points_of_2_2(&now, "C"),
        "1 (70% → 70%: the same as last year → 1)"
    );
    assert_eq!(points_of_2_2(&now, "D"), "1 (60%: no value last year → 1)");
    // Without last year's results, each value stands alone.
    parindex()
        .arg("score")
        .arg(example_set())
        .arg(&this_year)
        .arg("-o")
        .arg(&now)
        .assert()
        .success();
    assert_eq!(points_of_2_2(&now, "A"), "1 (85%: no value last year → 1)");
}
