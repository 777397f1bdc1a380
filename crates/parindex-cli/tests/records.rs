//! `parindex score` and `parindex explain` with measurements derived from the year's records:
//! the Quảng Ngãi city 2018 reform plan with its synthetic completion records, and raw survey
//! answers. Expected figures are worked out by hand in the comments.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

const DIVISION: &str = "binh-thuan-police/division-procedures/2024";
mod common;
use common::{COMMUNE, parindex};

fn plans(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../plans/2018")
        .join(name)
}

fn with_plan(command: &mut Command) -> &mut Command {
    command
        .arg(plans("quang-ngai-city-departments.csv"))
        .arg("--plan")
        .arg(plans("quang-ngai-city.toml"))
        .arg("--completions")
        .arg(plans("quang-ngai-city-completions.csv"))
}

#[test]
fn the_plan_measures_each_department_task_by_task() {
    // Phòng Kinh tế leads, through phong-ban and co-quan-don-vi, 1.1, 1.2, 2.3, 2.4, 2.5, 2.12,
    // 3.2, 3.5 and 3.6: nine tasks. 1.2 has no completion date (not done); 2.12 is due at the
    // end of quarter I (31/03/2018) and was done 10/04/2018 (late); the rest are year-round or
    // done before their deadline. 8 of 9 = 88.89% falls in the tier 50 <= x < 100: 0.5 point.
    with_plan(parindex().args(["explain", DIVISION]))
        .args(["--unit", "kinh-te"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1.1.4 0.5/1, lost 0.5: 8 of 9 plan tasks done, 7 on time; late: 2.12; not done: 1.2 → 8/9 (88.89%) → tier 50 <= x < 100 → 0.5",
        ));
    let output = with_plan(parindex().args(["explain", DIVISION, "--format", "json"]))
        .args(["--unit", "kinh-te"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let text = json.to_string();
    assert!(text.contains("8 of 9 plan tasks done"), "{text}");
}

#[test]
fn the_json_document_keeps_every_task_and_its_outcome() {
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("results.json");
    with_plan(parindex().args(["score", DIVISION]))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("json");
    let unit = json["units"]
        .as_array()
        .and_then(|units| units.iter().find(|u| u["unit"] == "kinh-te"))
        .expect("kinh-te");
    let node = unit["nodes"]
        .as_array()
        .and_then(|nodes| nodes.iter().find(|n| n["code"] == "1.1.4"))
        .expect("1.1.4");
    let derived = &node["derived"];
    assert_eq!(derived["from"], "plan");
    assert_eq!(derived["plan"], "quang-ngai-city/2018");
    assert_eq!(
        (&derived["assigned"], &derived["done"], &derived["on_time"]),
        (
            &serde_json::json!(9),
            &serde_json::json!(8),
            &serde_json::json!(7)
        )
    );
    let late = derived["tasks"]
        .as_array()
        .and_then(|tasks| tasks.iter().find(|t| t["task"] == "2.12"))
        .expect("2.12");
    assert_eq!(late["due"], "31/03/2018");
    assert_eq!(late["done"], "10/04/2018");
    assert_eq!(late["outcome"], "late");
    assert_eq!(late["days_late"], 10);
}

/// `parindex SUBCOMMAND SET INPUT --survey ANSWERS`.
fn with_survey(subcommand: &str, set: &str, input: &Path, survey: &Path) -> Command {
    let mut command = parindex();
    command
        .args([subcommand, set])
        .arg(input)
        .arg("--survey")
        .arg(survey);
    command
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("written");
    path
}

/// Answers for two commune police units: 3.2.2 and 7.3.1 are survey shares, yes or no.
fn answers() -> String {
    let mut text = String::from("unit,group,item,answer\n");
    let mut add = |unit: &str, item: &str, yes: usize, no: usize| {
        for _ in 0..yes {
            text.push_str(&format!("{unit},,{item},có\n"));
        }
        for _ in 0..no {
            text.push_str(&format!("{unit},,{item},không\n"));
        }
    };
    add("CAP-A", "3.2.2", 8, 2);
    add("CAP-A", "7.3.1", 19, 1);
    add("CAP-B", "3.2.2", 5, 5);
    text
}

#[test]
fn survey_answers_are_tallied_scored_and_explained() {
    let dir = tempfile::tempdir().expect("dir");
    let input = write(
        dir.path(),
        "units.csv",
        "unit,1.1.1\nCAP-A,đúng hạn\nCAP-B,đúng hạn\n",
    );
    let survey = write(dir.path(), "answers.csv", &answers());
    // CAP-A, 3.2.2: 8 of 10 = 80%, in 70 <= x <= 100: 1 point; Wilson 95%: 49.0–94.3%.
    // CAP-A, 7.3.1: 19 of 20 = 95%, in 90 <= x < 100: 1 point.
    let explained = with_survey("explain", COMMUNE, &input, &survey)
        .args(["--unit", "CAP-A"])
        .assert()
        .success();
    explained
        .stdout(predicate::str::contains(
            "survey: 8 of 10 satisfied (80%, 95% CI 49.0–94.3%) → 8/10: 80% satisfied → tier 70 <= x <= 100 → 1",
        ))
        .stdout(predicate::str::contains(
            "survey: 19 of 20 satisfied (95%, 95% CI 76.4–99.1%) → 19/20: 95% satisfied → tier 90 <= x < 100 → 1",
        ));
    // CAP-B, 3.2.2: 5 of 10 = 50%, in 50 <= x < 70: 0.5.
    let out = dir.path().join("results.json");
    with_survey("score", COMMUNE, &input, &survey)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("json");
    let node = |unit: &str, code: &str| {
        json["units"]
            .as_array()
            .and_then(|units| units.iter().find(|u| u["unit"] == unit))
            .and_then(|u| u["nodes"].as_array())
            .and_then(|nodes| nodes.iter().find(|n| n["code"] == code))
            .cloned()
            .expect("node")
    };
    assert_eq!(node("CAP-B", "3.2.2")["points"], "0.5");
    let group = &node("CAP-A", "3.2.2")["derived"]["groups"][0];
    assert_eq!(group["respondents"], 10);
    assert_eq!(group["satisfied"], 8);
    assert_eq!(group["share"], "80");
    assert_eq!(group["interval"][0], "0.490162");
}

#[test]
fn bad_records_are_reported_at_their_line_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("dir");
    let input = write(dir.path(), "units.csv", "unit,3.2.2\nCAP-A,\nCAP-B,80%\n");
    let survey = write(
        dir.path(),
        "answers.csv",
        "unit,item,answer\nCAP-A,3.2.2,có\nCAP-A,3.2.2,maybe\nCAP-C,3.2.2,có\n",
    );
    let out = dir.path().join("results.json");
    with_survey("score", COMMUNE, &input, &survey)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{}:3:1: 3.2.2: unit CAP-A: \"maybe\" is neither satisfied (có, yes, hài lòng) nor not (không, no); declare the satisfied answers with `satisfied` in the rule",
            survey.display()
        )))
        .stderr(predicate::str::contains(format!(
            "{}:4:1: 3.2.2: unit CAP-C: the unit is not among the units scored",
            survey.display()
        )));
    assert!(!out.exists());
    // A typed value is never overwritten by a derived one.
    let survey = write(
        dir.path(),
        "answers.csv",
        "unit,item,answer\nCAP-B,3.2.2,có\n",
    );
    with_survey("score", COMMUNE, &input, &survey)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "3.2.2: unit CAP-B: already has a value in the inputs",
        ));
    let completions = write(
        dir.path(),
        "done.csv",
        "unit,task,done\nkinh-te,1.1,31/02/2018\n",
    );
    parindex()
        .args(["score", DIVISION])
        .arg(plans("quang-ngai-city-departments.csv"))
        .arg("--plan")
        .arg(plans("quang-ngai-city.toml"))
        .arg("--completions")
        .arg(&completions)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{}:2:13: 1.1: \"31/02/2018\" is not a date (write dd/mm/yyyy or yyyy-mm-dd)",
            completions.display()
        )));
    parindex()
        .args(["score", DIVISION])
        .arg(plans("quang-ngai-city-departments.csv"))
        .arg("--plan")
        .arg(plans("quang-ngai-city.toml"))
        .assert()
        .code(2);
}
