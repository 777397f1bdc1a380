//! Every check of a criteria file, with the exact message the user sees.

use parindex_core::Levels;
use parindex_core::{CriteriaSet, Severity};

const BASE: &str = include_str!("fixtures/every-rule.toml");

/// The diagnostics of a text, as displayed.
fn messages(text: &str) -> Vec<String> {
    match CriteriaSet::from_toml(text, "set.toml") {
        Ok(loaded) => loaded.warnings.iter().map(ToString::to_string).collect(),
        Err(error) => error.diagnostics.iter().map(ToString::to_string).collect(),
    }
}

fn errors(text: &str) -> Vec<String> {
    match CriteriaSet::from_toml(text, "set.toml") {
        Ok(_) => Vec::new(),
        Err(error) => error.errors().map(ToString::to_string).collect(),
    }
}

fn replaced(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "fixture has {from:?}");
    BASE.replacen(from, to, 1)
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .expect("needle present")
}

#[test]
fn the_fixture_is_valid() {
    let loaded = CriteriaSet::from_toml(BASE, "set.toml").unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(loaded.set.leaves().count(), 12);
}

#[test]
fn syntax_errors_are_located() {
    let text = replaced("max = 1.5\n[node.rule]", "max = = 1.5\n[node.rule]");
    let found = errors(&text);
    let line = line_of(&text, "max = = 1.5");
    assert_eq!(
        found[0],
        format!("set.toml:{line}:7: error[syntax]: extra `=`, expected nothing")
    );
}

#[test]
fn unknown_keys_and_wrong_types_are_all_reported_in_one_pass() {
    let text = replaced(
        "name = \"Plan issued\"\nmax = 1",
        "name = \"Plan issued\"\nmaxx = 1",
    )
    .replacen(
        "name = \"Directive\"\nmax = 1.5",
        "name = \"Directive\"\nmax = \"lots\"",
        1,
    )
    .replacen("status = \"example\"", "status = \"draft\"", 1);
    let found = errors(&text);
    let maxx = line_of(&text, "maxx = 1");
    let lots = line_of(&text, "max = \"lots\"");
    let draft = line_of(&text, "status = \"draft\"");
    assert!(
        found.contains(&format!(
            "set.toml:{maxx}:1: error[unknown-key] 1.1: unknown key `maxx` in [[node]]"
        )),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|m| m.starts_with("set.toml:")
            && m.contains("error[missing-key] 1.1: missing key `max`")),
        "{found:#?}"
    );
    assert!(
        found.contains(&format!(
            "set.toml:{lots}:7: error[wrong-type] 1.2: `max` must be a decimal number, not string"
        )),
        "{found:#?}"
    );
    assert!(found.contains(&format!(
        "set.toml:{draft}:10: error[wrong-type]: `status` = \"draft\" is not one of official, transcribed, example"
    )), "{found:#?}");
}

#[test]
fn duplicate_codes_and_missing_parents() {
    let text = replaced("code = \"1.2\"", "code = \"1.1\"").replacen(
        "code = \"2.3\"",
        "code = \"4.3\"",
        1,
    );
    let found = errors(&text);
    assert!(
        found
            .iter()
            .any(|m| m.contains("error[duplicate-code] 1.1: duplicate code; first at line")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|m| m.contains("error[missing-parent] 4.3: its parent 4 does not exist")),
        "{found:#?}"
    );
}

#[test]
fn maxima_that_do_not_add_up() {
    let text = replaced(
        "code = \"1\"\nname = \"Direction\"\nmax = 10",
        "code = \"1\"\nname = \"Direction\"\nmax = 11",
    );
    let found = errors(&text);
    assert!(
        found.iter().any(|m| m.ends_with(
            "error[children-sum] 1: its children's maxima add up to 10, not its maximum 11"
        )),
        "{found:#?}"
    );
    assert!(found.iter().any(|m| m.ends_with("error[total-max] example/every-rule/2024: the areas' maxima add up to 21, not the set's maximum 20")), "{found:#?}");
}

#[test]
fn best_points_below_or_above_the_maximum() {
    let below = replaced(
        "level = [{ key = \"full\", points = 1.5 }",
        "level = [{ key = \"full\", points = 1.25 }",
    );
    assert!(errors(&below).iter().any(|m| m.ends_with(
        "error[best-points] 1.2: the rule's best answer gives 1.25 points, below the maximum 1.5"
    )));
    let above = replaced(
        "level = [{ key = \"full\", points = 1.5 }",
        "level = [{ key = \"full\", points = 2 }",
    );
    assert!(errors(&above).iter().any(|m| m.ends_with(
        "error[points-above-max] 1.2: the rule can give 2 points, above the maximum 1.5"
    )));
}

#[test]
fn tiers_with_a_gap_an_unreachable_tier_or_out_of_order() {
    let gap = replaced("when = \"50 <= x < 100\"", "when = \"60 <= x < 100\"");
    assert!(
        errors(&gap)
            .iter()
            .any(|m| m.ends_with("error[tier-gap] 1.4: no tier covers 50 <= x < 60")),
        "{:#?}",
        errors(&gap)
    );
    let unreachable = replaced("when = \"50 <= x < 100\"", "when = \"x >= 100\"");
    assert!(errors(&unreachable).iter().any(|m| m.ends_with("error[tier-unreachable] 1.4: tier 2 (`x >= 100`) can never match: earlier tiers cover it")), "{:#?}", errors(&unreachable));
    let disorder = replaced(
        "when = \"x < 50\"\npoints = 0",
        "when = \"x < 50\"\npoints = 0.75",
    );
    assert!(errors(&disorder).iter().any(|m| m.contains("error[tier-order] 1.4: tiers are out of order: x = 49 gives 0.75 points but the better x = 50 gives 0.5")), "{:#?}", errors(&disorder));
    let count_gap = replaced(
        "{ when = \"1 <= x <= 2\", points = 0.5 }",
        "{ when = \"x = 1\", points = 0.5 }",
    );
    assert!(
        errors(&count_gap)
            .iter()
            .any(|m| m.ends_with("error[tier-gap] 1.5: no tier covers x = 2")),
        "{:#?}",
        errors(&count_gap)
    );
    let never = replaced("when = \"x < 50\"", "when = \"50 < x < 50\"");
    assert!(
        errors(&never)
            .iter()
            .any(|m| m
                .ends_with("error[tier-unreachable] 1.4: `when` = \"50 < x < 50\" can never hold")),
        "{:#?}",
        errors(&never)
    );
    let unreadable = replaced("when = \"x < 50\"", "when = \"below half\"");
    assert!(
        errors(&unreadable)
            .iter()
            .any(|m| m.contains("error[wrong-type] 1.4: \"below half\" is not a condition")),
        "{:#?}",
        errors(&unreadable)
    );
}

#[test]
fn huge_numbers_are_refused() {
    let text = replaced(
        "rule = { kind = \"yes-no\" }",
        "rule = { kind = \"yes-no\", yes = 1e20 }",
    );
    assert!(errors(&text).iter().any(|m| m.ends_with("error[wrong-type] 1.1: `yes` = 100000000000000000000 is beyond the limit of ±1000000000")), "{:#?}", errors(&text));
}

#[test]
fn negative_points_only_in_a_penalty_block() {
    let text = replaced(
        "rule = { kind = \"yes-no\" }",
        "rule = { kind = \"yes-no\", no = -1 }",
    );
    assert!(errors(&text).iter().any(|m| m.ends_with(
        "error[negative-points] 1.1: the rule can give -1 point outside a penalty block"
    )));
}

#[test]
fn bands_that_overlap_or_leave_a_gap() {
    let overlap = replaced("when = \"x < 90\"", "when = \"x <= 90\"");
    assert!(
        errors(&overlap).iter().any(|m| m.ends_with(
            "error[band-overlap] example/every-rule/2024: bands A and B overlap at an index of 90"
        )),
        "{:#?}",
        errors(&overlap)
    );
    let gap = replaced("when = \"x < 90\"", "when = \"x < 80\"");
    assert!(
        errors(&gap).iter().any(|m| m
            .ends_with("error[band-gap] example/every-rule/2024: no band covers an index of 80")),
        "{:#?}",
        errors(&gap)
    );
}

#[test]
fn attributes_must_be_declared() {
    let text = replaced(
        "applies = { kind = \"ward\" }",
        "applies = { size = \"large\" }",
    );
    let line = line_of(&text, "code = \"2\"") - 1; // the node's [[node]] header
    assert!(errors(&text).contains(&format!(
        "set.toml:{line}:1: error[undeclared-attribute] 2: attribute `size` is used but not declared in [attributes]"
    )), "{:#?}", errors(&text));
}

#[test]
fn unknown_rule_kinds_and_leaves_without_rules() {
    let kind = replaced(
        "rule = { kind = \"yes-no\" }",
        "rule = { kind = \"maybe\" }",
    );
    assert!(
        errors(&kind)
            .iter()
            .any(|m| m.contains("error[wrong-type] 1.1: `kind` = \"maybe\" is not a rule kind"))
    );
    let bare = replaced("rule = { kind = \"yes-no\" }\n", "");
    assert!(
        errors(&bare)
            .iter()
            .any(|m| m.ends_with("error[missing-key] 1.1: a leaf needs a rule"))
    );
}

#[test]
fn acknowledged_inconsistencies_load_as_warnings() {
    let text = replaced(
        "level = [{ key = \"full\", points = 1.5 }",
        "level = [{ key = \"full\", points = 1.25 }",
    ) + "\n[[acknowledge]]\ncode = \"1.2\"\ncheck = \"best-points\"\nnote = \"printed so; kept\"\n\n[[acknowledge]]\ncode = \"1.3\"\ncheck = \"source-note\"\nnote = \"due date from the plan\"\n";
    let loaded = CriteriaSet::from_toml(&text, "set.toml").unwrap_or_else(|e| panic!("{e}"));
    let shown: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    assert!(
        loaded
            .warnings
            .iter()
            .all(|w| w.severity == Severity::Warning)
    );
    assert!(shown.iter().any(|m| m.ends_with(
        "warning[best-points] 1.2: the rule's best answer gives 1.25 points, below the maximum 1.5 (acknowledged: printed so; kept)"
    )), "{shown:#?}");
    assert!(
        shown
            .iter()
            .any(|m| m.ends_with("warning[source-note] 1.3: source note: due date from the plan")),
        "{shown:#?}"
    );
}

#[test]
fn only_some_checks_can_be_acknowledged() {
    let text = BASE.to_owned()
        + "\n[[acknowledge]]\ncode = \"1.1\"\ncheck = \"duplicate-code\"\nnote = \"no\"\n";
    assert!(
        errors(&text)
            .iter()
            .any(|m| m.contains("`check` = \"duplicate-code\" cannot be acknowledged"))
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = replaced("code = \"1.2\"", "code = \"1.1\"")
        .replacen("when = \"x < 90\"", "when = \"x < 80\"", 1)
        .replacen(
            "applies = { kind = \"ward\" }",
            "applies = { size = \"large\" }",
            1,
        );
    let found = errors(&text);
    for check in ["duplicate-code", "band-gap", "undeclared-attribute"] {
        assert!(
            found.iter().any(|m| m.contains(&format!("error[{check}]"))),
            "{check} in {found:#?}"
        );
    }
}

#[test]
fn renumbered_rows_warn_with_their_printed_code() {
    let text = replaced(
        "code = \"1.1\"\n",
        "code = \"1.1\"\nprinted_code = \"1.4.1\"\nnote = \"typo in the source\"\n",
    );
    let shown = messages(&text);
    assert!(
        shown
            .iter()
            .any(|m| m.ends_with("warning[renumbered] 1.1: printed as 1.4.1: typo in the source")),
        "{shown:#?}"
    );
}

#[test]
fn files_that_are_not_utf8_or_too_large_are_refused() {
    let dir = std::env::temp_dir().join(format!("parindex-validation-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let latin = dir.join("latin.toml");
    std::fs::write(&latin, b"[set]\ntitle = \"C\xf4ng an\"\n").expect("write");
    let error = CriteriaSet::from_path(&latin).expect_err("not UTF-8");
    assert!(
        error
            .to_string()
            .ends_with("latin.toml:2:11: error[syntax]: not UTF-8 text (perhaps Windows-1258 or TCVN3): save the file as UTF-8"),
        "{error}"
    );
    let bom = dir.join("bom.toml");
    std::fs::write(&bom, format!("\u{feff}{BASE}")).expect("write");
    assert!(CriteriaSet::from_path(&bom).is_ok(), "a BOM is accepted");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_set_written_back_loads_identically() {
    let set = CriteriaSet::from_toml(BASE, "set.toml").expect("valid").set;
    let again = CriteriaSet::from_toml(&set.to_toml(), "again.toml")
        .unwrap_or_else(|e| panic!("{e}\n{}", set.to_toml()))
        .set;
    assert_eq!(strip(again), strip(set));
}

fn strip(mut set: CriteriaSet) -> CriteriaSet {
    set.content_hash.clear();
    for node in &mut set.nodes {
        node.location = Default::default();
    }
    for ack in &mut set.acknowledgements {
        ack.location = Default::default();
    }
    for band in &mut set.bands {
        band.location = Default::default();
    }
    set
}

#[test]
fn references_to_nodes_that_do_not_exist() {
    let breaker = replaced(
        "stages = [\"self\", \"appraisal\"]",
        "stages = [\"self\", \"appraisal\"]\ntie_breakers = [\"9.9\"]",
    );
    assert!(
        errors(&breaker)
            .iter()
            .any(|m| m.ends_with("error[unknown-node]: tie breaker 9.9 is not a node")),
        "{:#?}",
        errors(&breaker)
    );
    let gate = replaced(
        "name = \"A\"\n",
        "name = \"A\"\nrequires = [{ node = \"7\", when = \"x >= 50\" }]\n",
    );
    assert!(
        errors(&gate)
            .iter()
            .any(|m| m
                .ends_with("error[unknown-node]: band A depends on node 7, which does not exist")),
        "{:#?}",
        errors(&gate)
    );
    let ack = BASE.to_owned()
        + "\n[[acknowledge]]\ncode = \"8.8\"\ncheck = \"source-note\"\nnote = \"x\"\n";
    assert!(
        errors(&ack).iter().any(|m| m
            .ends_with("error[unknown-node] 8.8: acknowledgement names 8.8, which is not a node")),
        "{:#?}",
        errors(&ack)
    );
}

#[test]
fn repeated_stages_and_level_keys() {
    let stages = replaced(
        "stages = [\"self\", \"appraisal\"]",
        "stages = [\"self\", \"self\"]",
    );
    assert!(
        errors(&stages)
            .iter()
            .any(|m| m.ends_with("error[duplicate-code]: stage `self` is listed twice")),
        "{:#?}",
        errors(&stages)
    );
    let keys = replaced(
        "{ key = \"vague\", points = 1 }",
        "{ key = \"FULL\", points = 1 }",
    );
    assert!(
        errors(&keys)
            .iter()
            .any(|m| m.ends_with("error[duplicate-code] 1.2: level key `FULL` appears twice")),
        "{:#?}",
        errors(&keys)
    );
}

#[test]
fn other_format_versions_are_refused() {
    let text = replaced("format = 1", "format = 2");
    assert!(
        errors(&text).iter().any(|m| m
            .ends_with("error[wrong-type]: format 2 is not supported; this engine reads format 1")),
        "{:#?}",
        errors(&text)
    );
}

#[test]
fn inputs_that_do_not_fit_the_set_are_refused_with_their_unit_and_code() {
    use parindex_core::{Batch, Plan};
    let set = CriteriaSet::from_toml(BASE, "set.toml").expect("valid").set;
    let plan = Plan::new(&set);
    let mut batch = Batch::new(&plan);
    let unit = batch.add_unit("W1", []).expect("new");
    let message = |r: Result<(), parindex_core::InputError>| r.expect_err("refused").to_string();
    assert_eq!(
        batch.add_unit("W1", []).expect_err("twice").to_string(),
        "unit W1: appears twice"
    );
    assert_eq!(
        message(batch.set_text(unit, "9.9", None, "có")),
        "unit W1, 9.9: is not a criterion of this set"
    );
    assert_eq!(
        message(batch.set_text(unit, "1", None, "có")),
        "unit W1, 1: is scored from its sub-criteria; give values for those"
    );
    assert_eq!(
        message(batch.set_text(unit, "1.1", Some("council"), "có")),
        "unit W1, 1.1: \"council\" is not a stage of this set (self, appraisal)"
    );
    assert_eq!(
        message(batch.set_attribute_text(unit, "size", "big")),
        "unit W1, size: is not an attribute of this set"
    );
    assert_eq!(
        message(batch.set_attribute_text(unit, "kind", "town")),
        "unit W1, kind: \"town\" is not one of commune, ward"
    );
    assert_eq!(
        message(batch.set_text(unit, "1.3", None, "soon")),
        "unit W1, 1.3: \"soon\" is not a date or one of on-time (đúng hạn), late (trễ hạn), missing (không)"
    );
    assert_eq!(
        message(batch.set_evidence(unit, "1.4", None, true)),
        "unit W1, 1.4: has evidence recorded but no value"
    );
}

#[test]
fn scoring_stops_on_missing_inputs_under_the_error_policy_and_on_values_outside_a_rule() {
    use parindex_core::{Batch, Plan};
    let text = replaced(
        "stages = [\"self\", \"appraisal\"]",
        "stages = [\"self\", \"appraisal\"]\nmissing = \"error\"",
    );
    let set = CriteriaSet::from_toml(&text, "set.toml")
        .expect("valid")
        .set;
    let plan = Plan::new(&set);
    let mut batch = Batch::new(&plan);
    let unit = batch.add_unit("W1", []).expect("new");
    batch
        .set_attribute_text(unit, "kind", "ward")
        .expect("declared");
    batch.set_text(unit, "2.3", None, "3.5").expect("a number");
    let error = plan.score(&batch).expect_err("stops").to_string();
    assert!(error.contains("unit W1, 1.1: has no input"), "{error}");
    assert!(
        error.contains("unit W1, 2.3: 3.5 points is outside [0, 3]"),
        "{error}"
    );
}

#[test]
fn a_survey_share_beyond_a_decimals_range_stops_scoring_with_the_rules_message() {
    use parindex_core::{Batch, Input, Plan, Survey, Value, shipped};
    use rust_decimal::Decimal;
    let set = shipped::load("binh-thuan-police/division-procedures/2024")
        .expect("shipped")
        .set;
    let plan = Plan::new(&set);
    let mut batch = Batch::new(&plan);
    let unit = batch.add_unit("P1", []).expect("new");
    let share = Survey::share(Decimal::from(-1_911_784), Decimal::new(1, 21));
    let input = Input::Value(Value::Survey(Box::new(share)));
    batch.set(unit, "3.2.2", None, input).expect("a survey");
    let error = plan.score(&batch).expect_err("stops").to_string();
    assert!(
        error.contains("unit P1, 3.2.2: the ratio is too large to compute"),
        "{error}"
    );
}

#[test]
fn records_keys_are_checked_against_the_rule() {
    // A plan measurement on a yes/no leaf: the rule cannot read a ratio.
    let text = replaced(
        "name = \"Plan issued\"\nmax = 1",
        "name = \"Plan issued\"\nmax = 1\nderive = \"plan-done\"",
    );
    let line = line_of(&text, "code = \"1.1\"") - 1;
    assert_eq!(
        errors(&text),
        [format!(
            "set.toml:{line}:1: error[derive] 1.1: `derive = \"plan-done\"` needs a leaf with percent tiers or a proportional rule"
        )]
    );
    let text = replaced(
        "name = \"Plan issued\"\nmax = 1",
        "name = \"Plan issued\"\nmax = 1\nderive = \"plan-late\"",
    );
    assert_eq!(
        errors(&text),
        [format!(
            "set.toml:{line}:1: error[derive] 1.1: `derive = \"plan-late\"` needs a leaf with count tiers or a per-item rule"
        )]
    );
    let text = replaced(
        "name = \"Plan issued\"\nmax = 1",
        "name = \"Plan issued\"\nmax = 1\nderive = \"plan-all\"",
    );
    let at = line_of(&text, "derive = \"plan-all\"");
    assert_eq!(
        errors(&text),
        [format!(
            "set.toml:{at}:10: error[wrong-type] 1.1: `derive` = \"plan-all\" is not one of plan-done, plan-on-time, plan-late"
        )]
    );
    let text = replaced("[policy]\n", "[policy]\nmin_respondents = -3\n");
    let at = line_of(&text, "min_respondents = -3");
    assert_eq!(
        errors(&text),
        [format!(
            "set.toml:{at}:19: error[wrong-type]: `min_respondents` = -3 must be 0 or more"
        )]
    );
}

/// The fixture with names typed with combining marks, as composing keyboards and pasted text
/// give them; the declared values composed, the condition on them decomposed.
fn decomposed_fixture() -> String {
    replaced("name = \"Directive\"", "name = \"Chi\u{309} thi\u{323}\"")
        .replacen(
            "{ key = \"full\", points = 1.5 }",
            "{ key = \"đa\u{302}\u{300}y đu\u{309}\", label = \"Đa\u{302}\u{300}y đu\u{309}\", points = 1.5 }",
            1,
        )
        .replacen(
            "stages = [\"self\", \"appraisal\"]",
            "stages = [\"tu\u{31b}\u{323} đa\u{301}nh gia\u{301}\", \"appraisal\"]",
            1,
        )
        .replacen(
            "values = [\"commune\", \"ward\"]",
            "values = [\"xã\", \"phường\"]",
            1,
        )
        .replacen(
            "applies = { kind = \"ward\" }",
            "applies = { kind = \"phu\u{31b}o\u{31b}\u{300}ng\" }",
            1,
        )
        .replacen("name = \"A\"", "name = \"Xua\u{302}\u{301}t sa\u{306}\u{301}c\"", 1)
        .replacen(
            "[attributes.has_plan]",
            "[attributes.\"co\u{301}_ke\u{302}\u{301}_hoa\u{323}ch\"]",
            1,
        )
        .replacen(
            "on = { attribute = \"has_plan\" }",
            "on = { attribute = \"có_kế_hoạch\" }",
            1,
        )
}

#[test]
fn decomposed_text_is_read_in_nfc_and_located_as_written() {
    let text = decomposed_fixture();
    let loaded = CriteriaSet::from_toml(&text, "set.toml").unwrap_or_else(|e| panic!("{e}"));
    let set = &loaded.set;
    let node = |code: &str| set.node(code).expect("node");
    assert_eq!(node("1.2").name, "Chỉ thị");
    let Some(parindex_core::Rule::Levels(Levels { levels })) = &node("1.2").rule else {
        panic!("levels")
    };
    assert_eq!(levels[0].key, "đầy đủ");
    assert_eq!(levels[0].label.as_deref(), Some("Đầy đủ"));
    assert_eq!(set.policy.stages, ["tự đánh giá", "appraisal"]);
    assert_eq!(
        node("2").applies[0].any_of,
        [parindex_core::AttrValue::Text("phường".to_owned())]
    );
    assert_eq!(set.bands[0].name, "Xuất sắc");
    assert!(set.attribute("có_kế_hoạch").is_some());
    // The hash is of the file as written, not of its composed form.
    assert_eq!(set.content_hash, parindex_core::load::content_hash(&text));

    // A problem after decomposed text on its line is at the column of the file as written:
    // each combining mark is a character there.
    let text = replaced(
        "rule = { kind = \"yes-no\" }",
        "rule = { kind = \"yes-no\", yes_label = \"co\u{301} \u{111}u\u{309}\", oops = 1 }",
    );
    let line = line_of(&text, "oops");
    let written = text.lines().nth(line - 1).expect("line");
    let column = written[..written.find("oops").expect("oops")]
        .chars()
        .count()
        + 1;
    // `rule = { kind = "yes-no", yes_label = "` is 39 characters, then 7 for `có đủ` written
    // with 2 combining marks, and `", `.
    assert_eq!(column, 50);
    assert_eq!(
        errors(&text),
        [format!(
            "set.toml:{line}:{column}: error[unknown-key] 1.1: unknown key `oops` in a yes-no rule"
        )]
    );
}

#[test]
fn inputs_match_the_set_however_their_marks_are_encoded() {
    let set = CriteriaSet::from_toml(&decomposed_fixture(), "set.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .set;
    let plan = parindex_core::Plan::new(&set);
    let self_stage = "tu\u{31b}\u{323} đa\u{301}nh gia\u{301}";
    assert_eq!(plan.stage_index(self_stage), Some(0));
    assert_eq!(plan.stage_index("tự đánh giá"), Some(0));
    let mut batch = parindex_core::Batch::new(&plan);
    let ward = batch
        .add_unit("Phu\u{31b}o\u{31b}\u{300}ng 1", [])
        .expect("unit");
    assert_eq!(batch.units()[ward].id, "Phường 1");
    assert_eq!(batch.unit_index("Phường 1"), Some(ward));
    assert_eq!(
        batch.unit_index("Phu\u{31b}o\u{31b}\u{300}ng 1"),
        Some(ward)
    );
    // A declared value, typed decomposed; an attribute named decomposed.
    batch
        .set_attribute_text(ward, "kind", "phu\u{31b}o\u{31b}\u{300}ng")
        .expect("declared value");
    batch
        .set_attribute_text(ward, "co\u{301}_ke\u{302}\u{301}_hoa\u{323}ch", "co\u{301}")
        .expect("declared attribute");
    assert_eq!(
        batch.units()[ward].attributes.get("kind"),
        Some(&parindex_core::AttrValue::Text("phường".to_owned()))
    );
    assert_eq!(
        batch.units()[ward].attributes.get("có_kế_hoạch"),
        Some(&parindex_core::AttrValue::Bool(true))
    );
    batch
        .set_text(ward, "1.1", Some(self_stage), "co\u{301}")
        .expect("yes");
    batch
        .set_text(
            ward,
            "1.2",
            Some("tự đánh giá"),
            "Đa\u{302}\u{300}y đu\u{309}",
        )
        .expect("level");
    batch
        .set_text(ward, "1.3", None, "kho\u{302}ng a\u{301}p du\u{323}ng")
        .expect("not applicable");
    let leaf = |code: &str| plan.leaf_index(code).expect("leaf");
    let input = |code: &str| batch.get(ward, leaf(code), 0).map(|c| c.input.clone());
    use parindex_core::{Input, Value};
    assert_eq!(input("1.1"), Some(Input::Value(Value::Bool(true))));
    assert_eq!(input("1.2"), Some(Input::Value(Value::Choice(0))));
    assert_eq!(input("1.3"), Some(Input::NotApplicable));
}

#[test]
fn a_reform_area_is_one_of_the_vocabulary() {
    let text = replaced(
        "reform_area = \"direction\"",
        "reform_area = \"leadership\"",
    );
    let line = line_of(&text, "reform_area = \"leadership\"");
    assert_eq!(
        errors(&text),
        [format!(
            "set.toml:{line}:15: error[wrong-type] 1: `reform_area` = \"leadership\" is not one of direction, institutional, procedures, organisation, civil-service, public-finance, modernisation, impact"
        )]
    );
}

#[test]
fn a_bonus_block_counts_in_no_reform_area() {
    let text = replaced("code = \"B\"\n", "code = \"B\"\nreform_area = \"impact\"\n");
    let line = line_of(&text, "code = \"B\"") - 1;
    assert_eq!(
        errors(&text),
        [format!(
            "set.toml:{line}:1: error[reform-area] B: a bonus or penalty block counts in no reform area: its points add to the total, not to an area's sub-index"
        )]
    );
}

#[test]
fn scored_leaves_without_a_reform_area_are_warned_at_the_largest_node() {
    // No node declares one: a single warning for the set.
    let none = BASE
        .replace("reform_area = \"direction\"\n", "\n")
        .replace("reform_area = \"procedures\"\n", "\n");
    assert_eq!(
        messages(&none),
        [
            "set.toml:1:1: warning[reform-area] example/every-rule/2024: no node declares a reform area, so no unit gets a sub-index per reform area: declare `reform_area` on the areas (10 scored leaves)"
        ]
    );
    // Area 2 has none: one warning at area 2, none for its leaves one by one.
    let area = BASE.replace("reform_area = \"procedures\"\n", "\n");
    let line = line_of(&area, "code = \"2\"") - 1;
    assert_eq!(
        messages(&area),
        [format!(
            "set.toml:{line}:1: warning[reform-area] 2: no scored leaf under it is in a reform area: declare `reform_area` on it or on its rows"
        )]
    );
    // Area 2 declares none but one of its leaves does: the other leaves are warned one by one.
    let leaf = area.replacen(
        "code = \"2.1\"\n",
        "code = \"2.1\"\nreform_area = \"procedures\"\n",
        1,
    );
    let warned: Vec<String> = messages(&leaf)
        .into_iter()
        .map(|m| m.split(": warning").nth(1).unwrap_or_default().to_owned())
        .collect();
    assert!(!warned.is_empty());
    assert!(
        warned.iter().all(|m| m.ends_with(
            "a scored leaf in no reform area: declare `reform_area` on it or on a parent"
        )),
        "{warned:?}"
    );
    assert!(!warned.iter().any(|m| m.contains(" 2.1:")), "{warned:?}");
    // Leaves of a bonus or penalty block need none.
    assert!(messages(BASE).is_empty());
}

#[test]
fn a_set_with_errors_is_not_also_asked_for_reform_areas() {
    let text = BASE.replace("reform_area = \"direction\"\n", "\n").replace(
        "name = \"Plan issued\"\nmax = 1",
        "name = \"Plan issued\"\nmaxx = 1",
    );
    assert!(
        !messages(&text).iter().any(|m| m.contains("reform-area")),
        "{:?}",
        messages(&text)
    );
}

#[test]
fn reform_areas_are_inherited_and_written_back() {
    let text = replaced(
        "code = \"2.1\"\n",
        "code = \"2.1\"\nreform_area = \"modernisation\"\n",
    );
    let set = CriteriaSet::from_toml(&text, "set.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .set;
    use parindex_core::ReformArea;
    assert_eq!(set.reform_area("1.2"), Some(ReformArea::Direction));
    assert_eq!(set.reform_area("2.1"), Some(ReformArea::Modernisation));
    assert_eq!(set.reform_area("2"), Some(ReformArea::Procedures));
    assert_eq!(set.reform_area("B"), None);
    assert_eq!(set.reform_area("9.9"), None);
    let again = CriteriaSet::from_toml(&set.to_toml(), "again.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .set;
    assert_eq!(again.reform_area("2.1"), Some(ReformArea::Modernisation));
    assert_eq!(again.reform_areas(), set.reform_areas());
}

#[test]
fn tier_gap_policies_are_written_back_only_where_declared() {
    use parindex_core::{Rule, SurveyMode, TierGap};
    // The set's, and each rule's own: 1.4's tiers, and 2.1 as a survey share.
    let text = replaced("[policy]\n", "[policy]\ntier_gap = \"zero\"\n")
        .replacen(
            "kind = \"tiers\"\nmeasure = \"percent\"\n",
            "kind = \"tiers\"\nmeasure = \"percent\"\ngap = \"refuse\"\n",
            1,
        )
        .replacen(
            "rule = { kind = \"survey\", mode = \"options\", options = { A = 100, B = 60, C = 20, D = 0 } }",
            "rule = { kind = \"survey\", mode = \"share\", tier = [{ when = \"x >= 50\", points = 4 }, { when = \"x < 50\", points = 0 }], gap = \"zero\" }",
            1,
        );
    let set = CriteriaSet::from_toml(&text, "set.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .set;
    assert_eq!(set.policy.tier_gap, TierGap::Zero);
    assert!(matches!(
        set.node("1.4").and_then(|n| n.rule.as_ref()),
        Some(Rule::Tiers(t)) if t.gap == Some(TierGap::Refuse)
    ));
    assert!(matches!(
        set.node("2.1").and_then(|n| n.rule.as_ref()),
        Some(Rule::Survey(s)) if matches!(s.mode, SurveyMode::Share { gap: Some(TierGap::Zero), .. })
    ));
    let written = set.to_toml();
    assert!(written.contains("\ntier_gap = \"zero\"\n"), "{written}");
    assert_eq!(written.matches("gap = ").count(), 3, "{written}");
    let again = CriteriaSet::from_toml(&written, "again.toml")
        .unwrap_or_else(|e| panic!("{e}\n{written}"))
        .set;
    assert_eq!(strip(again), strip(set));
    // The defaults are left out.
    let plain = CriteriaSet::from_toml(BASE, "set.toml").expect("valid").set;
    assert!(!plain.to_toml().contains("gap"));
}
