//! Each rule kind as `criteria/FORMAT.md` documents it, worked out by hand: what its input is
//! read as, its points at the edges of its caps, floors and bounds, and how it explains them.

use parindex_core::{Better, Case, Context, CriteriaSet, Measure, Rule, SurveyMode, Tier, Value};
use parindex_core::{
    Branch, Direct, Levels, PerItem, Proportional, RuleError, SurveyRule, Tiers, YesNo,
};
use rust_decimal::Decimal;

const EVERY_RULE: &str = include_str!("fixtures/every-rule.toml");

fn d(text: &str) -> Decimal {
    text.parse().expect("a decimal")
}

/// The rule of a leaf of the fixture that uses every kind.
fn fixture_rule(code: &str) -> Rule {
    let set = CriteriaSet::from_toml(EVERY_RULE, "every-rule.toml")
        .expect("the fixture loads")
        .set;
    set.node(code)
        .and_then(|n| n.rule.clone())
        .unwrap_or_else(|| panic!("{code} has a rule"))
}

/// Reads a text, scores it against a maximum, and explains it.
fn scored(rule: &Rule, text: &str, max: &str) -> (Decimal, String) {
    let value = rule.parse(text).expect("parses");
    let outcome = rule
        .evaluate(&value, &Context::with_max(d(max)))
        .expect("scores");
    let explanation = rule.explain(&value, &outcome);
    (outcome.points, explanation)
}

fn number_tiers() -> Rule {
    Rule::Tiers(Tiers {
        measure: Measure::Number,
        better: Better::Higher,
        tiers: vec![Tier::new("x >= 0", d("1"))],
        clip: false,
        gap: None,
    })
}

fn share_survey() -> Rule {
    Rule::Survey(SurveyRule {
        mode: SurveyMode::Share {
            tiers: vec![Tier::new("x >= 0", d("1"))],
            gap: None,
        },
        groups: Vec::new(),
        satisfied: Vec::new(),
    })
}

#[test]
fn percent_rules_are_percent_tiers_proportional_rules_and_surveys() {
    // FORMAT.md: percentages are read on percent tiers, proportional rules and survey shares.
    let percent = ["1.4", "1.6", "2.1"];
    let not_percent = ["1.1", "1.2", "1.3", "1.5", "1.7", "2.2", "2.3", "B.1"];
    for code in percent {
        assert!(fixture_rule(code).measures_percent(), "{code}");
    }
    for code in not_percent {
        assert!(!fixture_rule(code).measures_percent(), "{code}");
    }
    assert!(share_survey().measures_percent());
    assert!(!number_tiers().measures_percent());
}

#[test]
fn only_timeliness_takes_dates() {
    assert!(fixture_rule("1.3").takes_date());
    let others = [
        "1.1", "1.2", "1.4", "1.5", "1.6", "1.7", "2.1", "2.2", "2.3", "B.1",
    ];
    for code in others {
        assert!(!fixture_rule(code).takes_date(), "{code}");
    }
    assert!(!number_tiers().takes_date());
}

#[test]
fn proportional_at_exactly_the_target_is_not_capped() {
    let plain = fixture_rule("1.6");
    // 100% of a target of 100%: the maximum, 2, reached without a cap.
    assert_eq!(
        scored(&plain, "100", "2"),
        (d("2"), "100% × max → 2".to_owned())
    );
    // 85% of a target of 85%, max 3: 3, reached without a cap; 95% is capped at 3.
    let targeted = Rule::Proportional(Proportional {
        target: Some(d("85")),
        floor: None,
        cap: None,
        round: None,
        clip: false,
    });
    assert_eq!(
        scored(&targeted, "85", "3"),
        (d("3"), "85% ÷ 85% × max → 3".to_owned())
    );
    assert_eq!(
        scored(&targeted, "95", "3"),
        (d("3"), "95% ÷ 85% × max → 3, capped".to_owned())
    );
    // A cap of 1.5 on a maximum of 3: 50% gives exactly 1.5, not capped; 60% gives 1.8,
    // capped to 1.5.
    let capped = Rule::Proportional(Proportional {
        target: None,
        floor: None,
        cap: Some(d("1.5")),
        round: None,
        clip: false,
    });
    assert_eq!(
        scored(&capped, "50", "3"),
        (d("1.5"), "50% × max → 1.5".to_owned())
    );
    assert_eq!(
        scored(&capped, "60", "3"),
        (d("1.5"), "60% × max → 1.5, capped".to_owned())
    );
}

#[test]
fn proportional_to_a_ratio_is_exact() {
    // 2/3 of a maximum of 3 is exactly 2, not 2 less or more a rounding of 66.67%.
    let plain = fixture_rule("1.6");
    assert_eq!(
        scored(&plain, "2/3", "3"),
        (d("2"), "2/3 (66.67%) × max → 2".to_owned())
    );
    // 1/3 of 6 is exactly 2.
    assert_eq!(scored(&plain, "1/3", "6").0, d("2"));
}

#[test]
fn per_item_exactly_at_its_cap_or_floor_is_not_limited() {
    let bonus = Rule::PerItem(PerItem {
        points: d("0.5"),
        cap: Some(d("2")),
        floor: None,
    });
    // 4 × 0.5 = 2, exactly the cap; 5 × 0.5 = 2.5, limited to 2.
    assert_eq!(
        scored(&bonus, "4", "2"),
        (d("2"), "4 items × 0.5 → 2".to_owned())
    );
    assert_eq!(
        scored(&bonus, "5", "2"),
        (d("2"), "5 items × 0.5 → 2, limited by the cap".to_owned())
    );
    let penalty = fixture_rule("P.1");
    // 6 × −0.5 = −3, exactly the floor; 7 × −0.5 = −3.5, limited to −3.
    assert_eq!(
        scored(&penalty, "6", "0"),
        (d("-3"), "6 items × -0.5 → -3".to_owned())
    );
    assert_eq!(
        scored(&penalty, "7", "0"),
        (
            d("-3"),
            "7 items × -0.5 → -3, limited by the cap".to_owned()
        )
    );
}

#[test]
fn an_inner_rule_of_a_branch_is_scored_without_the_outer_case() {
    // A branch whose only case is itself a branch: the outer case says nothing of which inner
    // case applies, so the inner branch has no case.
    let inner = Rule::Branch(Branch {
        on: parindex_core::BranchOn::Attribute("b".into()),
        cases: vec![Case {
            equals: None,
            rule: number_tiers(),
        }],
    });
    let outer = Rule::Branch(Branch {
        on: parindex_core::BranchOn::Attribute("a".into()),
        cases: vec![Case {
            equals: None,
            rule: inner,
        }],
    });
    let ctx = Context {
        case: Some(0),
        ..Context::with_max(d("1"))
    };
    assert_eq!(
        outer.evaluate(&Value::Text("5".into()), &ctx),
        Err(RuleError::NoCase)
    );
}

#[test]
fn direct_points_take_both_ends_of_their_range() {
    // FORMAT.md: points in [0, max], a multiple of the step. Max 3, step 0.25 (the fixture's).
    let rule = fixture_rule("2.3");
    let points = |text: &str| {
        let value = rule.parse(text).expect("a number");
        rule.points(&value, d("3")).map_err(String::from)
    };
    assert_eq!(points("0"), Ok(d("0")));
    assert_eq!(points("3"), Ok(d("3")));
    assert_eq!(points("2.75"), Ok(d("2.75")));
    assert_eq!(
        points("-0.25"),
        Err("-0.25 points is outside [0, 3]".to_owned())
    );
    assert_eq!(
        points("3.25"),
        Err("3.25 points is outside [0, 3]".to_owned())
    );
    // In a penalty block: [floor, 0], the floor given as `min`.
    let penalty = Rule::Direct(Direct {
        min: Some(d("-2")),
        step: Some(d("0.5")),
    });
    let value = |text: &str| penalty.parse(text).expect("a number");
    assert_eq!(penalty.points(&value("-2"), d("0")), Ok(d("-2")));
    assert_eq!(penalty.points(&value("-1.5"), d("0")), Ok(d("-1.5")));
    assert_eq!(
        penalty.points(&value("-2.5"), d("0")).map_err(String::from),
        Err("-2.5 points is outside [-2, 0]".to_owned())
    );
}

#[test]
fn direct_steps_are_counted_from_the_minimum() {
    // `step`: allowed increments, counted from `min`. From 0.5 in steps of 2, with a maximum
    // of 3: 0.5 and 2.5 are allowed, 2 is not.
    let rule = Rule::Direct(Direct {
        min: Some(d("0.5")),
        step: Some(d("2")),
    });
    let points = |text: &str| {
        let value = rule.parse(text).expect("a number");
        rule.points(&value, d("3")).map_err(String::from)
    };
    assert_eq!(points("0.5"), Ok(d("0.5")));
    assert_eq!(points("2.5"), Ok(d("2.5")));
    assert!(points("2").is_err());
}

#[test]
fn every_kind_explains_what_it_saw_and_which_branch_fired() {
    let explained = |rule: &Rule, text: &str, max: &str| scored(rule, text, max).1;
    // Yes or no, with the printed answers when the rule quotes them.
    let yes_no = fixture_rule("1.1");
    assert_eq!(explained(&yes_no, "có", "1"), "yes → 1");
    assert_eq!(explained(&yes_no, "không", "1"), "no → 0");
    let labelled = Rule::YesNo(YesNo {
        yes: d("1"),
        no: d("0"),
        yes_label: Some("Đã ban hành".into()),
        no_label: Some("Chưa ban hành".into()),
    });
    assert_eq!(explained(&labelled, "có", "1"), "yes (Đã ban hành) → 1");
    assert_eq!(explained(&labelled, "không", "1"), "no (Chưa ban hành) → 0");
    // A level, by its key, with its printed label when it has one.
    assert_eq!(
        explained(&fixture_rule("1.2"), "2", "1.5"),
        "level vague → 1"
    );
    let labelled = Rule::Levels(Levels {
        levels: vec![parindex_core::Level {
            key: "full".into(),
            label: Some("Đầy đủ".into()),
            points: d("1.5"),
            min: None,
            step: None,
        }],
    });
    assert_eq!(
        explained(&labelled, "full", "1.5"),
        "level full (Đầy đủ) → 1.5"
    );
    // Timeliness, due 31/01/2024: on time, 1.5; late, 1, less 0.25 a day late; not done, 0.
    let timeliness = fixture_rule("1.3");
    assert_eq!(
        explained(&timeliness, "2024-01-31", "1.5"),
        "31/01/2024: on time → 1.5"
    );
    assert_eq!(
        explained(&timeliness, "02/02/2024", "1.5"),
        "02/02/2024: 2 days late → 0.5"
    );
    // Given as the outcome's word, the outcome is all there is to show.
    assert_eq!(explained(&timeliness, "đúng hạn", "1.5"), "on time → 1.5");
    assert_eq!(explained(&timeliness, "trễ hạn", "1.5"), "late → 1");
    assert_eq!(explained(&timeliness, "không", "1.5"), "not done → 0");
    // Percent tiers, on a bare percent.
    assert_eq!(
        explained(&fixture_rule("1.4"), "50", "1"),
        "50% → tier 50 <= x < 100 → 0.5"
    );
    // Proportional, below its floor of 60%.
    let floored = fixture_rule("2.2");
    let Rule::Branch(Branch { cases, .. }) = floored else {
        panic!("2.2 is a branch");
    };
    assert_eq!(
        explained(&cases[0].rule, "59.99", "3"),
        "59.99% is below the floor of 60% → 0"
    );
    // Per item, not limited.
    assert_eq!(
        explained(&fixture_rule("B.1"), "3", "2"),
        "3 items × 0.5 → 1.5"
    );
    // Survey options: (6 × 100 + 3 × 60 + 1 × 20) ÷ 10 = 80% of 4 = 3.2.
    assert_eq!(
        explained(&fixture_rule("2.1"), "A=6 B=3 C=1 D=0", "4"),
        "A=6 B=3 C=1 D=0: weighted score 80% × max → 3.2"
    );
    // A survey share of 17/20 is 85%, in the tier x >= 70.
    let share = Rule::Survey(SurveyRule {
        mode: SurveyMode::Share {
            tiers: vec![Tier::new("x >= 70", d("1")), Tier::new("x < 70", d("0"))],
            gap: None,
        },
        groups: Vec::new(),
        satisfied: Vec::new(),
    });
    assert_eq!(
        explained(&share, "17/20", "1"),
        "17/20: 85% satisfied → tier x >= 70 → 1"
    );
    assert_eq!(
        explained(&share, "13/20", "1"),
        "13/20: 65% satisfied → tier x < 70 → 0"
    );
    // Points given directly.
    assert_eq!(
        explained(&fixture_rule("2.3"), "2.75", "3"),
        "2.75 points given by the assessor"
    );
}

#[test]
fn the_most_and_the_fewest_points_of_each_kind() {
    let range = |code: &str, max: &str| fixture_rule(code).points_range(d(max));
    let pair = |best: &str, worst: &str| (d(best), d(worst));
    assert_eq!(range("1.1", "1"), pair("1", "0"));
    assert_eq!(range("1.2", "1.5"), pair("1.5", "0"));
    assert_eq!(range("1.3", "1.5"), pair("1.5", "0"));
    assert_eq!(range("1.4", "1"), pair("1", "0"));
    assert_eq!(range("1.6", "2"), pair("2", "0"));
    assert_eq!(range("1.7", "2"), pair("2", "0"));
    assert_eq!(range("2.2", "3"), pair("3", "0"));
    assert_eq!(range("2.3", "3"), pair("3", "0"));
    assert_eq!(range("B.1", "2"), pair("2", "0"));
    assert_eq!(range("P.1", "0"), pair("0", "-3"));
    // Options weighted 100% to 0% of a maximum of 4: from 4 down to 0.
    assert_eq!(range("2.1", "4"), pair("4", "0"));
    // Weighted 90% to 40% of 5: 4.5 down to 2.
    let options = Rule::Survey(SurveyRule {
        mode: SurveyMode::Options {
            options: vec![("A".into(), d("90")), ("B".into(), d("40"))],
        },
        groups: Vec::new(),
        satisfied: Vec::new(),
    });
    assert_eq!(options.points_range(d("5")), pair("4.5", "2"));
    // A branch spans its cases: yes-no worth 2 or 1, and a penalty of −0.5 an item down to −3.
    let branch = Rule::Branch(Branch {
        on: parindex_core::BranchOn::Attribute("a".into()),
        cases: vec![
            Case {
                equals: Some(parindex_core::AttrValue::Bool(true)),
                rule: Rule::YesNo(YesNo {
                    yes: d("2"),
                    no: d("1"),
                    yes_label: None,
                    no_label: None,
                }),
            },
            Case {
                equals: None,
                rule: fixture_rule("P.1"),
            },
        ],
    });
    assert_eq!(branch.points_range(d("2")), pair("2", "-3"));
    // A direct rule from its minimum to the maximum.
    let direct = Rule::Direct(Direct {
        min: Some(d("-2")),
        step: None,
    });
    assert_eq!(direct.points_range(d("0")), pair("0", "-2"));
}

#[test]
fn a_survey_share_is_compared_with_its_tiers_exactly() {
    // 1/300 is 0.333…%, repeating: above 0.3333333333333333333333333333% (28 threes), which
    // is what 100 ÷ 300 rounds to with 28 decimals. Compared exactly, 1 respondent satisfied of
    // 300 is in the upper tier; a rounded percentage would fall in the lower one.
    let bound = "0.3333333333333333333333333333";
    let share = Rule::Survey(SurveyRule {
        mode: SurveyMode::Share {
            tiers: vec![
                Tier::new(&format!("x > {bound}"), d("1")),
                Tier::new(&format!("x <= {bound}"), d("0")),
            ],
            gap: None,
        },
        groups: Vec::new(),
        satisfied: Vec::new(),
    });
    assert_eq!(scored(&share, "1/300", "1").0, d("1"));
    assert_eq!(scored(&share, "0/300", "1").0, d("0"));
    // The same share given for one of two weighted respondent groups: the weight divides out,
    // and the share is compared as exactly.
    let Rule::Survey(SurveyRule { mode, .. }) = share else {
        panic!("a survey");
    };
    let grouped = Rule::Survey(SurveyRule {
        mode,
        groups: vec![
            ("citizens".into(), d("0.6")),
            ("businesses".into(), d("0.4")),
        ],
        satisfied: Vec::new(),
    });
    assert_eq!(scored(&grouped, "citizens: 1/300", "1").0, d("1"));
    assert_eq!(scored(&grouped, "businesses: 0/300", "1").0, d("0"));
}
