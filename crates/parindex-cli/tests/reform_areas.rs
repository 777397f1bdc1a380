//! Results by reform area on the command line: `score --by reform-area`, `compare --by
//! reform-area` across two sets and across two years whose sets number their areas differently.

use std::path::{Path, PathBuf};

use predicates::prelude::*;

mod common;
use common::{COMMUNE, parindex, sample};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// Scores `input` with `set` into `json`.
fn score_json(set: &str, input: &Path, json: &Path) {
    parindex()
        .args(["score", set])
        .arg(input)
        .arg("-o")
        .arg(json)
        .assert()
        .success();
}

#[test]
fn score_prints_each_units_sub_index_per_reform_area() {
    parindex()
        .args(["score", COMMUNE])
        .arg(sample())
        .args(["--by", "reform-area"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "binh-thuan-police/commune/2024: sub-index per reform area (0–100); a blank is an area in which nothing applies\n  direction      max    17  Direction and management of administrative reform  (1)\n",
        ))
        .stdout(predicate::str::contains(
            "  procedures     max    18  Administrative procedure reform  (3, 4.1, 4.2, 7.1)\n",
        ));
    let output = parindex()
        .args(["score", COMMUNE])
        .arg(sample())
        .args(["--by", "reform-area", "--format", "csv"])
        .output()
        .expect("runs");
    let csv = String::from_utf8(output.stdout).expect("UTF-8");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "rank,unit,name,index,direction,institutional,procedures,organisation,civil-service,modernisation,impact"
        )
    );
    assert_eq!(lines.count(), 30);
}

#[test]
fn compare_sets_two_different_sets_beside_each_other_by_reform_area() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (divisions, communes) = (dir.path().join("d.json"), dir.path().join("c.json"));
    score_json(
        "binh-thuan-police/division-procedures/2024",
        &repo("criteria/samples/binh-thuan-police-division-procedures-2024.csv"),
        &divisions,
    );
    score_json(COMMUNE, &sample(), &communes);
    let output = parindex()
        .arg("compare")
        .arg(&divisions)
        .arg(&communes)
        .args(["--by", "reform-area"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "binh-thuan-police/division-procedures/2024 (2024, 12 units) → binh-thuan-police/commune/2024 (2024, 30 units); sub-indices per reform area (0–100)"
    );
    let areas: Vec<&str> = lines[2..10]
        .iter()
        .map(|l| l.split_whitespace().next().unwrap_or_default())
        .collect();
    assert_eq!(
        areas,
        [
            "direction",
            "institutional",
            "procedures",
            "organisation",
            "civil-service",
            "public-finance",
            "modernisation",
            "impact"
        ]
    );
    // The commune set has no public-finance area: twelve divisions against none.
    assert_eq!(
        lines[7].split_whitespace().collect::<Vec<_>>(),
        ["public-finance", "12", "76.49", "25.00", "100.00", "0"]
    );
    assert_eq!(
        lines[10],
        "no unit is in both results: the areas are compared over each one's units"
    );
    let json = parindex()
        .arg("compare")
        .arg(&divisions)
        .arg(&communes)
        .args(["--by", "reform-area", "--format", "json"])
        .output()
        .expect("runs");
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(doc["by"], "reform-area");
    assert_eq!(doc["areas"][0]["after"]["units"], 30);
    assert_eq!(doc["units"], serde_json::json!([]));
}

/// The commune set as a next year's set might renumber it: area 2 becomes area 8 (every code
/// under it too), with the year and id of 2025.
fn renumbered_set() -> String {
    let text = std::fs::read_to_string(repo("criteria/2024/binh-thuan-police-commune.toml"))
        .expect("the commune set");
    text.replace(
        "id = \"binh-thuan-police/commune/2024\"",
        "id = \"binh-thuan-police/commune/2025\"",
    )
    .replace("year = 2024", "year = 2025")
    .replace("code = \"2\"\n", "code = \"8\"\n")
    .replace("code = \"2.", "code = \"8.")
}

#[test]
fn compare_sets_two_years_beside_each_other_by_reform_area_without_a_crosswalk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let set = dir.path().join("commune-2025.toml");
    std::fs::write(&set, renumbered_set()).expect("write the set");
    // The same units next year: area 2's columns renamed, and one unit's procedures row lower.
    let units = std::fs::read_to_string(sample()).expect("sample");
    let mut lines: Vec<String> = units.lines().map(str::to_owned).collect();
    lines[0] = lines[0].replace(",2.", ",8.");
    let header: Vec<&str> = lines[0].split(',').collect();
    let column = header.iter().position(|h| *h == "3.2.1").expect("3.2.1");
    let row = lines
        .iter()
        .position(|l| l.starts_with("CAP-TAN-THIEN,"))
        .expect("CAP-TAN-THIEN");
    let mut cells: Vec<String> = lines[row].split(',').map(str::to_owned).collect();
    cells[column] = "40%".to_owned();
    lines[row] = cells.join(",");
    let next = dir.path().join("2025.csv");
    std::fs::write(&next, lines.join("\n") + "\n").expect("write the inputs");

    let (before, after) = (dir.path().join("2024.json"), dir.path().join("2025.json"));
    score_json(COMMUNE, &sample(), &before);
    score_json(set.to_str().expect("UTF-8 path"), &next, &after);
    let output = parindex()
        .arg("compare")
        .arg(&before)
        .arg(&after)
        .args(["--by", "reform-area", "--format", "csv"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{output:?}");
    let csv = String::from_utf8(output.stdout).expect("UTF-8");
    // Institutional reform is area 2 in 2024 and area 8 in 2025: it is matched all the same.
    assert!(
        csv.contains("\n,institutional,81.11,81.11,0.00,30,30,"),
        "{csv}"
    );
    // 3.2.1 at 40% scores 0 of 2 instead of 2: procedures 18 of 18 → 16 of 18.
    assert!(
        csv.contains("\nCAP-TAN-THIEN,procedures,100.00,88.89,-11.11\n"),
        "{csv}"
    );
    assert!(csv.contains("\nCAP-TAN-THIEN,institutional,100.00,100.00,0.00\n"));
    let changed: Vec<&str> = csv
        .lines()
        .filter(|l| !l.starts_with(',') && !l.ends_with(",0.00") && !l.starts_with("unit,"))
        .collect();
    assert_eq!(changed, ["CAP-TAN-THIEN,procedures,100.00,88.89,-11.11"]);
}

#[test]
fn compare_by_reform_area_takes_no_crosswalk_and_needs_reform_areas() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("c.json");
    score_json(COMMUNE, &sample(), &json);
    let crosswalk = dir.path().join("crosswalk.csv");
    std::fs::write(&crosswalk, "before,after\n2,8\n").expect("write");
    parindex()
        .arg("compare")
        .arg(&json)
        .arg(&json)
        .args(["--by", "reform-area", "--crosswalk"])
        .arg(&crosswalk)
        .assert()
        .code(2)
        .stderr("error: --by reform-area needs no --crosswalk: each set says which reform area each of its rows is in\n");
    // A document written before reform areas, or of a set that declares none.
    let text = std::fs::read_to_string(&json).expect("read");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    doc.as_object_mut().expect("object").remove("reform_areas");
    let old = dir.path().join("old.json");
    std::fs::write(&old, doc.to_string()).expect("write");
    parindex()
        .arg("compare")
        .arg(&old)
        .arg(&json)
        .args(["--by", "reform-area"])
        .assert()
        .code(1)
        .stderr(predicate::str::ends_with(
            "old.json: the results of binh-thuan-police/commune/2024 have no reform areas: its set declares none, or the document was written before parindex had them (score it again)\n",
        ));
}

#[test]
fn the_workbook_and_the_report_show_the_reform_areas() {
    use calamine::Reader;
    let dir = tempfile::tempdir().expect("temp dir");
    let (xlsx, html) = (dir.path().join("r.xlsx"), dir.path().join("r.html"));
    parindex()
        .args(["score", COMMUNE])
        .arg(sample())
        .arg("-o")
        .arg(&xlsx)
        .arg("-o")
        .arg(&html)
        .assert()
        .success();
    let mut book = calamine::open_workbook_auto(&xlsx).expect("workbook");
    assert!(book.sheet_names().contains(&"Lĩnh vực CCHC".to_owned()));
    let sheet = book.worksheet_range("Lĩnh vực CCHC").expect("sheet");
    let cell = |r: u32, c: u32| sheet.get_value((r, c)).map(ToString::to_string);
    assert_eq!(
        cell(2, 4).as_deref(),
        Some("Công tác chỉ đạo, điều hành cải cách hành chính")
    );
    assert_eq!(cell(4, 6).as_deref(), Some("3, 4.1, 4.2, 7.1"));
    // The first in the ranking, CAP-TAN-THIEN: direction 16 of 17.
    assert_eq!(cell(5, 1).as_deref(), Some("CAP-TAN-THIEN"));
    assert_eq!(cell(5, 4).as_deref(), Some("94.12"));
    let page = std::fs::read_to_string(&html).expect("report");
    assert!(page.contains("<h2>Hồ sơ theo lĩnh vực cải cách hành chính</h2>"));
    assert!(page.contains("aria-label=\"Chỉ số thành phần theo lĩnh vực của từng đơn vị\""));
    assert!(page.contains(
        "<title>CAP-TAN-THIEN – Công tác chỉ đạo, điều hành cải cách hành chính: 16/17</title>"
    ));
}

#[test]
fn show_marks_each_nodes_reform_area() {
    parindex()
        .args(["show", COMMUNE])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "  4.3 Quy chế làm việc [2] <organisation>\n",
        ));
    let output = parindex()
        .args(["show", COMMUNE, "--format", "json"])
        .output()
        .expect("runs");
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let node = |code: &str| {
        doc["nodes"]
            .as_array()
            .and_then(|n| n.iter().find(|n| n["code"] == code))
            .map(|n| n["reform_area"].clone())
    };
    assert_eq!(node("4.3.1"), Some(serde_json::json!("organisation")));
    assert_eq!(node("4.1"), Some(serde_json::json!("procedures")));
}
