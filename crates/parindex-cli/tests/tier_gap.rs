//! A table printed with a gap between its tiers: a value in the gap is refused by default, and
//! scored 0 with a warning at its cell where the set's policy or the rule says `zero`.

use std::path::{Path, PathBuf};

use predicates::prelude::*;

mod common;
use common::parindex;

/// 2.1 as printed: ≥ 80%: 2 points; 50% to under 70%: 1 point; under 50%: 0. Nothing for
/// 70–80%. `policy` goes into `[policy]`, `rule` into 2.1's rule.
fn set(policy: &str, rule: &str, acknowledge: bool) -> String {
    let mut text = format!(
        r#"[set]
format = 1
id = "tests/tier-gap/2024"
title = "A table printed with a gap"
level = "commune"
year = 2024
language = "en"
max = 3

[origin]
authority = "parindex tests"
source = "written for the test suite"
status = "example"

[policy]
{policy}

[[node]]
code = "1"
name = "Direction"
max = 1
reform_area = "direction"

[[node]]
code = "1.1"
name = "Plan issued"
max = 1
rule = {{ kind = "yes-no" }}

[[node]]
code = "2"
name = "Results"
max = 2
reform_area = "impact"

[[node]]
code = "2.1"
name = "Tasks done"
max = 2
[node.rule]
kind = "tiers"
measure = "percent"
{rule}
tier = [
  {{ when = "x >= 80", points = 2 }},
  {{ when = "50 <= x < 70", points = 1 }},
  {{ when = "x < 50", points = 0 }},
]
"#
    );
    if acknowledge {
        text.push_str(
            "\n[[acknowledge]]\ncode = \"2.1\"\ncheck = \"tier-gap\"\nnote = \"Printed with a gap.\"\n",
        );
    }
    text
}

/// A folder with the set and the units: B's 2.1, 75%, is in the gap, at line 3, column 6.
fn files(set_text: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let set = dir.path().join("gap.toml");
    std::fs::write(&set, set_text).expect("write the set");
    let units = dir.path().join("units.csv");
    std::fs::write(&units, "unit,1.1,2.1\nA,có,85%\nB,có,75%\nC,không,60%\n")
        .expect("write the units");
    (dir, set, units)
}

fn warning(units: &Path) -> String {
    format!(
        "warning: {}:3:6: unit B, 2.1: no tier covers 75%: scored 0 (gap = \"zero\")\n",
        units.display()
    )
}

#[test]
fn a_value_in_the_gap_scores_0_with_a_warning_at_its_cell_under_zero() {
    for (policy, rule) in [("tier_gap = \"zero\"", ""), ("", "gap = \"zero\"")] {
        let (_dir, set, units) = files(&set(policy, rule, false));
        let output = parindex()
            .arg("score")
            .arg(&set)
            .arg(&units)
            .args(["--format", "csv"])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr, warning(&units), "{policy}{rule}");
        // B: 1 point for 1.1 and 0 for 2.1; A and C as their tiers say.
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "rank,unit,name,total,max,index,band,1,2\n\
             1,A,,3,3,100.00,,1,2\n\
             2,B,,1,3,33.33,,1,0\n\
             2,C,,1,3,33.33,,0,1\n",
            "{policy}{rule}"
        );
        // The explanation says why B has no points for 2.1.
        parindex()
            .arg("explain")
            .arg(&set)
            .arg(&units)
            .args(["--unit", "B"])
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "75% → no tier covers it → 0 (gap = \"zero\")",
            ));
    }
}

#[test]
fn a_value_in_the_gap_is_refused_at_its_cell_by_default() {
    // The set's policy is `zero`, but the rule's own `refuse` wins.
    for (policy, rule) in [("", ""), ("tier_gap = \"zero\"", "gap = \"refuse\"")] {
        let (_dir, set, units) = files(&set(policy, rule, true));
        parindex()
            .arg("score")
            .arg(&set)
            .arg(&units)
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains(format!(
                "{}:3:6: 2.1: 75 matches no tier\n1 problem in the input; nothing was scored",
                units.display()
            )));
    }
    // Unacknowledged, the gap itself is refused when the set is loaded.
    let (_dir, set, units) = files(&set("", "", false));
    parindex()
        .arg("score")
        .arg(&set)
        .arg(&units)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{}:36:1: error[tier-gap] 2.1: no tier covers 70 <= x < 80",
            set.display()
        )));
}
