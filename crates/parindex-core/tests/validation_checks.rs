//! The checks of a loaded set at their edges, each with the exact diagnostic the user sees: its
//! place, its severity and its message.

use parindex_core::CriteriaSet;

const BASE: &str = include_str!("fixtures/every-rule.toml");

fn replaced(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "fixture has {from:?}");
    BASE.replacen(from, to, 1)
}

/// Every diagnostic of a text, errors and warnings, as displayed.
fn diagnostics(text: &str) -> Vec<String> {
    match CriteriaSet::from_toml(text, "set.toml") {
        Ok(loaded) => loaded.warnings.iter().map(ToString::to_string).collect(),
        Err(error) => error.diagnostics.iter().map(ToString::to_string).collect(),
    }
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .expect("needle present")
}

/// The line of the `[[node]]` header of the node with this code.
fn node_line(text: &str, code: &str) -> usize {
    line_of(text, &format!("code = \"{code}\"")) - 1
}

#[test]
fn set_level_problems_are_located_at_the_top_of_the_file() {
    let text = replaced(
        "code = \"1\"\nname = \"Direction\"\nmax = 10",
        "code = \"1\"\nname = \"Direction\"\nmax = 11",
    )
    .replacen(
        "code = \"1.7\"\nname = \"Reports relative to the mean\"\nmax = 2",
        "code = \"1.7\"\nname = \"Reports relative to the mean\"\nmax = 3",
        1,
    )
    .replacen(
        "rule = { kind = \"relative\", to = \"mean\", at_or_above = 2,",
        "rule = { kind = \"relative\", to = \"mean\", at_or_above = 3,",
        1,
    );
    // Areas 1 (11) and 2 (10) make 21, not 20: reported at line 1, column 1.
    assert_eq!(
        diagnostics(&text),
        [
            "set.toml:1:1: error[total-max] example/every-rule/2024: the areas' maxima add up to 21, not the set's maximum 20"
        ]
    );
}

#[test]
fn a_set_that_loads_with_warnings_is_still_asked_for_reform_areas() {
    // No node declares a reform area, and 1.1 is renumbered: both warnings, in the order of
    // the file.
    let text = BASE
        .replace("reform_area = \"direction\"\n", "")
        .replace("reform_area = \"procedures\"\n", "")
        .replacen(
            "code = \"1.1\"\n",
            "code = \"1.1\"\nprinted_code = \"1.0.1\"\n",
            1,
        );
    let line = node_line(&text, "1.1");
    assert_eq!(
        diagnostics(&text),
        [
            "set.toml:1:1: warning[reform-area] example/every-rule/2024: no node declares a reform area, so no unit gets a sub-index per reform area: declare `reform_area` on the areas (10 scored leaves)".to_owned(),
            format!("set.toml:{line}:1: warning[renumbered] 1.1: printed as 1.0.1"),
        ]
    );
}

#[test]
fn a_node_with_children_takes_no_rule() {
    let text = replaced(
        "code = \"2\"\nname = \"Service\"\nmax = 10\n",
        "code = \"2\"\nname = \"Service\"\nmax = 10\nrule = { kind = \"yes-no\" }\n",
    );
    let line = node_line(&text, "2");
    assert_eq!(
        diagnostics(&text),
        [format!(
            "set.toml:{line}:1: error[wrong-type] 2: a node with children is scored by them and takes no rule"
        )]
    );
}

const OPTIONS: &str = "rule = { kind = \"survey\", mode = \"options\", options = { A = 100, B = 60, C = 20, D = 0 } }";

#[test]
fn survey_weights_are_percentages_and_group_weights_are_not_negative() {
    let with = |rule: &str| diagnostics(&replaced(OPTIONS, rule));
    let line = node_line(BASE, "2.1");
    // An option weighs 0–100%. D at −10% of 4 points would give −0.4 points.
    assert_eq!(
        with(
            "rule = { kind = \"survey\", mode = \"options\", options = { A = 100, B = 60, C = 20, D = -10 } }"
        ),
        [
            format!(
                "set.toml:{line}:1: error[negative-points] 2.1: the rule can give -0.4 points outside a penalty block"
            ),
            format!(
                "set.toml:{line}:1: error[wrong-type] 2.1: weight -10 of `D` must be within 0–100"
            ),
        ]
    );
    // A at 120% of 4 points would give 4.8.
    assert_eq!(
        with(
            "rule = { kind = \"survey\", mode = \"options\", options = { A = 120, B = 60, C = 20, D = 0 } }"
        ),
        [
            format!(
                "set.toml:{line}:1: error[points-above-max] 2.1: the rule can give 4.8 points, above the maximum 4"
            ),
            format!(
                "set.toml:{line}:1: error[wrong-type] 2.1: weight 120 of `A` must be within 0–100"
            ),
        ]
    );
    // A respondent group's weight is relative to the other groups': 150 and 50 are fine, but
    // not a negative one.
    let groups = "rule = { kind = \"survey\", mode = \"options\", options = { A = 100, B = 60, C = 20, D = 0 }, groups = { citizens = 150, businesses = 50 } }";
    assert_eq!(with(groups), Vec::<String>::new());
    assert_eq!(
        with(&groups.replace("businesses = 50", "businesses = -1")),
        [format!(
            "set.toml:{line}:1: error[wrong-type] 2.1: weight -1 of `businesses` must be within 0–100"
        )]
    );
}

#[test]
fn the_tiers_of_a_survey_share_and_of_a_branch_case_are_checked() {
    // A share survey whose tiers leave 50% to 70% uncovered.
    let share = replaced(
        OPTIONS,
        "rule = { kind = \"survey\", mode = \"share\", tier = [{ when = \"x >= 70\", points = 4 }, { when = \"x < 50\", points = 0 }] }",
    );
    let line = node_line(&share, "2.1");
    assert_eq!(
        diagnostics(&share),
        [format!(
            "set.toml:{line}:1: error[tier-gap] 2.1: no tier covers 50 <= x < 70"
        )]
    );
    // A branch case with percent tiers out of order: 50% gives more than 100%.
    let branch = replaced(
        "rule = { kind = \"yes-no\", yes = 3 }",
        "rule = { kind = \"tiers\", measure = \"percent\", tier = [{ when = \"x = 100\", points = 1 }, { when = \"x < 100\", points = 3 }] }",
    );
    let line = node_line(&branch, "2.2");
    assert_eq!(
        diagnostics(&branch),
        [format!(
            "set.toml:{line}:1: error[tier-order] 2.2: tiers are out of order: x = 99 gives 3 points but the better x = 100 gives 1"
        )]
    );
}

#[test]
fn a_branch_reads_another_leaf_not_a_parent_nor_itself() {
    let on = "on = { attribute = \"has_plan\" }";
    let line = node_line(BASE, "2.2");
    for (other, why) in [("2", "a parent"), ("2.2", "itself"), ("9.9", "nothing")] {
        let text = replaced(on, &format!("on = {{ node = \"{other}\" }}"));
        assert_eq!(
            diagnostics(&text),
            [format!(
                "set.toml:{line}:1: error[unknown-node] 2.2: the branch reads {other}, which is not another leaf"
            )],
            "{why}"
        );
    }
    // Another leaf is fine.
    let text = replaced(on, "on = { node = \"2.3\" }");
    assert_eq!(diagnostics(&text), Vec::<String>::new());
}

#[test]
fn a_band_may_depend_on_a_node_that_exists() {
    let band = "name = \"A\"\nwhen = \"90 <= x <= 100\"\n";
    let text = replaced(
        band,
        &format!("{band}requires = [{{ node = \"1\", when = \"x >= 50\" }}]\n"),
    );
    assert_eq!(diagnostics(&text), Vec::<String>::new());
    let text = replaced(
        band,
        &format!("{band}requires = [{{ node = \"7\", when = \"x >= 50\" }}]\n"),
    );
    assert_eq!(
        diagnostics(&text),
        ["set.toml:1:1: error[unknown-node]: band A depends on node 7, which does not exist"]
    );
}

#[test]
fn an_acknowledgement_covers_its_own_check_at_its_own_code_only() {
    // 1.2's best answer gives 1.25 of 1.5. The acknowledgements name the same check at 1.1,
    // where nothing is wrong, and another check at 1.2: neither covers it.
    let text = replaced(
        "level = [{ key = \"full\", points = 1.5 }",
        "level = [{ key = \"full\", points = 1.25 }",
    ) + "\n[[acknowledge]]\ncode = \"1.1\"\ncheck = \"best-points\"\nnote = \"elsewhere\"\n\n[[acknowledge]]\ncode = \"1.2\"\ncheck = \"tier-gap\"\nnote = \"another check\"\n";
    let node = node_line(&text, "1.2");
    let first = line_of(&text, "note = \"elsewhere\"") - 3;
    let second = line_of(&text, "note = \"another check\"") - 3;
    assert_eq!(
        diagnostics(&text),
        [
            format!(
                "set.toml:{node}:1: error[best-points] 1.2: the rule's best answer gives 1.25 points, below the maximum 1.5"
            ),
            format!(
                "set.toml:{first}:1: warning[best-points] 1.1: acknowledged best-points, but the check finds nothing here: elsewhere"
            ),
            format!(
                "set.toml:{second}:1: warning[tier-gap] 1.2: acknowledged tier-gap, but the check finds nothing here: another check"
            ),
        ]
    );
}

#[test]
fn count_tiers_are_checked_over_every_whole_number() {
    let tiers = "tier = [{ when = \"x >= 3\", points = 1 }, { when = \"1 <= x <= 2\", points = 0.5 }, { when = \"x = 0\", points = 0 }]";
    let line = node_line(BASE, "1.5");
    // Nothing above 3: 4 items match no tier.
    let text = replaced(
        tiers,
        "tier = [{ when = \"1 <= x <= 3\", points = 1 }, { when = \"x = 0\", points = 0 }]",
    );
    assert_eq!(
        diagnostics(&text),
        [format!(
            "set.toml:{line}:1: error[tier-gap] 1.5: no tier covers x >= 4"
        )]
    );
    // Fewer than 3 items give more than 3 or more: the first pair out of order is 2 and 3.
    let text = replaced(
        tiers,
        "tier = [{ when = \"x >= 3\", points = 0.5 }, { when = \"x < 3\", points = 1 }]",
    );
    assert_eq!(
        diagnostics(&text),
        [format!(
            "set.toml:{line}:1: error[tier-order] 1.5: tiers are out of order: x = 2 gives 1 point but the better x = 3 gives 0.5"
        )]
    );
}

#[test]
fn percent_and_number_tiers_are_checked_between_and_beyond_their_bounds() {
    let percent = "when = \"50 <= x < 100\"\npoints = 0.5\n[[node.rule.tier]]\nwhen = \"x < 50\"";
    let line = node_line(BASE, "1.4");
    // Over 50% and under 60% matches nothing: the point checked is halfway, 55.
    let text = replaced(
        percent,
        "when = \"60 <= x < 100\"\npoints = 0.5\n[[node.rule.tier]]\nwhen = \"x <= 50\"",
    );
    assert_eq!(
        diagnostics(&text),
        [format!(
            "set.toml:{line}:1: error[tier-gap] 1.4: no tier covers 50 < x < 60"
        )]
    );
    // A number has no upper end: above 10 matches nothing, checked at 11.
    let count = "measure = \"count\"\ntier = [{ when = \"x >= 3\", points = 1 }, { when = \"1 <= x <= 2\", points = 0.5 }, { when = \"x = 0\", points = 0 }]";
    let text = replaced(
        count,
        "measure = \"number\"\ntier = [{ when = \"0 <= x <= 10\", points = 1 }, { when = \"x < 0\", points = 0 }]",
    );
    let line = node_line(BASE, "1.5");
    assert_eq!(
        diagnostics(&text),
        [format!(
            "set.toml:{line}:1: error[tier-gap] 1.5: no tier covers x > 10"
        )]
    );
}

/// The four semantic slips a transcription makes: each is an error at its place, and each
/// turns into a warning where the file acknowledges that the table does it on purpose.
#[test]
fn semantic_slips_are_located_errors_unless_acknowledged() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/bad/criteria/");
    let cases = [
        (
            "timeliness-order",
            "set.toml:27:1: error[timeliness-order] 1.2: late gives 2 points but on time gives 1.5 points: late scores above on time",
        ),
        (
            "level-order",
            "set.toml:27:1: error[level-order] 1.2: levels are listed best first, but partly (1 point) comes before fully (2 points)",
        ),
        (
            "float-artefact",
            "set.toml:36:38: error[float-artefact] 1.2: `points` = 0.30000000000000004 is how a binary float prints 0.3: write 0.3 as the table prints it",
        ),
        (
            "penalty-clamps",
            "set.toml:27:1: error[penalty-clamps] 1.2: a penalty of 1 point a day takes the first day late from 1 point down to 0 points, the points for not done: every late date scores as not done",
        ),
    ];
    for (check, message) in cases {
        let text = std::fs::read_to_string(format!("{corpus}{check}.toml")).expect("corpus file");
        assert_eq!(diagnostics(&text), [message], "{check}");
        let acknowledged = format!(
            "{text}\n[[acknowledge]]\ncode = \"1.2\"\ncheck = \"{check}\"\nnote = \"as printed\"\n"
        );
        let loaded = CriteriaSet::from_toml(&acknowledged, "set.toml").expect("loads");
        let warning = message.replace("error[", "warning[") + " (acknowledged: as printed)";
        assert!(
            loaded.warnings.iter().any(|w| w.to_string() == warning),
            "{check}: {:#?}",
            loaded.warnings
        );
    }
}

/// Long decimals that are exact, not a float's print, load as written.
#[test]
fn long_exact_decimals_are_not_float_artefacts() {
    let text = replaced(
        "{ when = \"1 <= x <= 2\", points = 0.5 }",
        "{ when = \"1 <= x <= 2\", points = 0.333333333333333333 }",
    );
    assert!(
        !diagnostics(&text)
            .iter()
            .any(|d| d.contains("float-artefact")),
        "{:#?}",
        diagnostics(&text)
    );
}

#[test]
fn a_tier_gap_is_a_warning_where_the_policy_in_force_scores_it_0() {
    // 1.4 as a table prints it: ≥ 80%: 1 point; 50% to under 70%: 0.5; under 50%: 0.
    let printed = replaced(
        "when = \"x >= 100\"\npoints = 1\n[[node.rule.tier]]\nwhen = \"50 <= x < 100\"",
        "when = \"x >= 80\"\npoints = 1\n[[node.rule.tier]]\nwhen = \"50 <= x < 70\"",
    );
    let error = |text: &str| {
        let line = node_line(text, "1.4");
        format!("set.toml:{line}:1: error[tier-gap] 1.4: no tier covers 70 <= x < 80")
    };
    let warning = |text: &str| {
        let line = node_line(text, "1.4");
        format!(
            "set.toml:{line}:1: warning[tier-gap] 1.4: no tier covers 70 <= x < 80: scored 0 (gap = \"zero\")"
        )
    };
    assert_eq!(diagnostics(&printed), [error(&printed)]);
    let set_zero = printed.replacen("[policy]\n", "[policy]\ntier_gap = \"zero\"\n", 1);
    assert_eq!(diagnostics(&set_zero), [warning(&set_zero)]);
    // The rule's own policy wins, either way.
    let rule_zero = printed.replacen(
        "kind = \"tiers\"\nmeasure = \"percent\"\n",
        "kind = \"tiers\"\nmeasure = \"percent\"\ngap = \"zero\"\n",
        1,
    );
    assert_eq!(diagnostics(&rule_zero), [warning(&rule_zero)]);
    let rule_refuse = set_zero.replacen(
        "kind = \"tiers\"\nmeasure = \"percent\"\n",
        "kind = \"tiers\"\nmeasure = \"percent\"\ngap = \"refuse\"\n",
        1,
    );
    assert_eq!(diagnostics(&rule_refuse), [error(&rule_refuse)]);
    // An acknowledgement turns the error into a warning, as before, and its note goes with
    // the warning under `zero`.
    let acknowledge =
        "\n[[acknowledge]]\ncode = \"1.4\"\ncheck = \"tier-gap\"\nnote = \"Printed with a gap.\"\n";
    let acknowledged = format!("{printed}{acknowledge}");
    assert_eq!(
        diagnostics(&acknowledged),
        [format!(
            "{}: warning[tier-gap] 1.4: no tier covers 70 <= x < 80 (acknowledged: Printed with a gap.)",
            error(&acknowledged)
                .split(": error")
                .next()
                .unwrap_or_default()
        )]
    );
    let both = format!("{set_zero}{acknowledge}");
    assert_eq!(
        diagnostics(&both),
        [format!(
            "{} (acknowledged: Printed with a gap.)",
            warning(&both)
        )]
    );
}

#[test]
fn the_tier_gap_policies_are_read_by_name_and_only_where_tiers_can_leave_a_gap() {
    let text = replaced("[policy]\n", "[policy]\ntier_gap = \"ignore\"\n");
    let at = line_of(&text, "tier_gap = \"ignore\"");
    assert_eq!(
        diagnostics(&text),
        [format!(
            "set.toml:{at}:12: error[wrong-type]: `tier_gap` = \"ignore\" is not one of refuse, zero"
        )]
    );
    let options = OPTIONS.replace(" } }", " }, gap = \"zero\" }");
    let text = replaced(OPTIONS, &options);
    let at = line_of(&text, "gap = \"zero\"");
    let column = options.find("\"zero\"").expect("the gap") + 1;
    assert_eq!(
        diagnostics(&text),
        [format!(
            "set.toml:{at}:{column}: error[wrong-type] 2.1: `gap` is for the tiers of a survey share (`mode = \"share\"`); answer options leave no gap"
        )]
    );
}
