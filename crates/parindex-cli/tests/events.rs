//! A due date counted from an event of the year: the set dates the event, and a round may date
//! it itself (`--event ID=DATE`).

mod common;

use common::parindex;
use predicates::prelude::*;

const SET: &str = r#"[set]
format = 1
id = "tests/department/2025"
title = "Events"
level = "department"
year = 2025
language = "en"
max = 3

[origin]
authority = "parindex tests"
source = "written for the tests"
status = "example"

[[event]]
id = "ke-hoach-tinh"
date = "15/01/2025"

[[node]]
code = "1"
name = "Direction"
max = 3
reform_area = "direction"

[[node]]
code = "1.1"
name = "Plan issued within 30 days of the province's"
max = 3
rule = { kind = "timeliness", due = { after = "ke-hoach-tinh", days = 30 }, on_time = 3, late = 1.5, missing = 0 }
"#;

#[test]
fn a_round_may_date_an_event_of_the_set_and_its_due_dates_follow() {
    let dir = tempfile::tempdir().expect("temp dir");
    let set = dir.path().join("set.toml");
    std::fs::write(&set, SET).expect("written");
    let units = dir.path().join("units.csv");
    std::fs::write(&units, "unit,1.1\nA,20/02/2025\n").expect("written");
    // Due 15/01 + 30 days = 14/02: 20/02 is 6 days late, 1.5 points.
    parindex()
        .arg("explain")
        .arg(&set)
        .arg(&units)
        .args(["--unit", "A"])
        .assert()
        .success()
        .stdout(predicate::str::contains("20/02/2025: 6 days late → 1.5"));
    // The province issued its plan on 01/02 this round: due 03/03, so 20/02 is on time.
    parindex()
        .arg("explain")
        .arg(&set)
        .arg(&units)
        .args(["--unit", "A"])
        .args(["--event", "ke-hoach-tinh=01/02/2025"])
        .assert()
        .success()
        .stdout(predicate::str::contains("20/02/2025: on time → 3"));
    parindex()
        .arg("explain")
        .arg(&set)
        .arg(&units)
        .args(["--unit", "A"])
        .args(["--event", "ke-hoach=01/02/2025"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: --event ke-hoach: the set declares no such event (ke-hoach-tinh)",
        ));
    parindex()
        .arg("explain")
        .arg(&set)
        .arg(&units)
        .args(["--unit", "A"])
        .args(["--event", "ke-hoach-tinh 01/02/2025"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "\"ke-hoach-tinh 01/02/2025\" is not ID=dd/mm/yyyy",
        ));
}
