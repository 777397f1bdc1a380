//! Every way the rule shapes of criteria/FORMAT.md refuse a criteria file, with the message the
//! user sees at its place.

use parindex_core::CriteriaSet;

/// A one-leaf set of 3 points whose leaf 1.1 (line 21) has `rule`, after `extra`.
fn diagnostics(extra: &str, rule: &str) -> Vec<String> {
    let text = format!(
        "[set]\nformat = 1\nid = \"t/commune/2025\"\ntitle = \"t\"\nlevel = \"commune\"\nyear = 2025\nlanguage = \"en\"\nmax = 3\n[origin]\nauthority = \"t\"\nsource = \"t\"\nstatus = \"example\"\n{extra}\n[[node]]\ncode = \"1\"\nname = \"Area\"\nmax = 3\nreform_area = \"direction\"\n[[node]]\ncode = \"1.1\"\nname = \"Row\"\nmax = 3\nrule = {rule}\n"
    );
    match CriteriaSet::from_toml(&text, "set.toml") {
        Ok(loaded) => loaded.warnings.iter().map(ToString::to_string).collect(),
        Err(error) => error.diagnostics.iter().map(ToString::to_string).collect(),
    }
}

fn refused(extra: &str, rule: &str, message: &str) {
    let found = diagnostics(extra, rule);
    assert!(
        found.iter().any(|d| d == message),
        "expected {message:?} among {found:#?}"
    );
}

#[test]
fn rates_refuse_a_wrong_allowance_last_day_or_limit() {
    refused(
        "",
        r#"{ kind = "rate", base = 3, per = -1, free = -1, limit = 0 }"#,
        "set.toml:19:1: error[wrong-type] 1.1: `free` = -1 must be 0 or more",
    );
    refused(
        "",
        r#"{ kind = "rate", base = 3, per = -1, limit = 0, last = "2025-01-31" }"#,
        "set.toml:19:1: error[wrong-type] 1.1: `last` needs a `due` date to count the days from",
    );
    refused(
        "",
        r#"{ kind = "rate", base = 3, per = -1, limit = 0, due = "2025-01-31", last = "2025-01-15" }"#,
        "set.toml:19:1: error[wrong-type] 1.1: the last day 15/01/2025 is before the due date 31/01/2025",
    );
    refused(
        "",
        r#"{ kind = "rate", base = 3, per = -1, limit = 4 }"#,
        "set.toml:19:1: error[wrong-type] 1.1: the limit 4 is on the wrong side of the base 3 for a rate of -1",
    );
}

#[test]
fn a_trend_whose_better_year_earns_less_is_refused() {
    refused(
        "",
        r#"{ kind = "trend", improved = 1, same = 3, worse = 0 }"#,
        "set.toml:19:1: error[tier-order] 1.1: improving gives 1, staying the same 3 and getting worse 0: a better year should never earn fewer points",
    );
}

#[test]
fn judged_levels_refuse_a_reversed_or_overlapping_range() {
    refused(
        "",
        r#"{ kind = "levels", level = [{ key = "tot", points = 3 }, { key = "dat", min = 2, points = 1 }] }"#,
        "set.toml:19:1: error[wrong-type] 1.1: the level dat runs from 2 down to 1: `min` is above `points`",
    );
    refused(
        "",
        r#"{ kind = "levels", level = [{ key = "tot", min = 2, points = 3 }, { key = "dat", min = 1, points = 2 }] }"#,
        "set.toml:19:1: error[level-order] 1.1: the points of levels tot (2–3) and dat (1–2) overlap: points given would not say which level",
    );
}

#[test]
fn clip_is_refused_on_a_measure_other_than_a_percent() {
    refused(
        "",
        r#"{ kind = "tiers", measure = "count", clip = true, tier = [{ when = "x >= 1", points = 3 }, { when = "x = 0", points = 0 }] }"#,
        "set.toml:19:1: error[wrong-type] 1.1: `clip` counts a percent above 100% as 100%, but the rule measures a count",
    );
}

#[test]
fn events_refuse_a_second_declaration_and_a_date_that_does_not_read() {
    let rule =
        r#"{ kind = "timeliness", due = { after = "plan", days = 30 }, on_time = 3, late = 1 }"#;
    refused(
        "[[event]]\nid = \"plan\"\ndate = \"15/01/2025\"\n[[event]]\nid = \"plan\"\n",
        rule,
        "set.toml:16:1: error[duplicate-code] plan: the event `plan` is declared twice",
    );
    // The event is kept, undated: the rule counting from it is not refused a second time.
    assert_eq!(
        diagnostics("[[event]]\nid = \"plan\"\ndate = \"31/02/2025\"\n", rule),
        [
            "set.toml:15:8: error[wrong-type] plan: \"31/02/2025\" is not a date (write dd/mm/yyyy or yyyy-mm-dd)"
        ]
    );
}
