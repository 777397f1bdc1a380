use super::*;
use crate::model::AttrValue;
use crate::rule::test_support::d;

fn score(rule: &Rule, text: &str, max: &str) -> Decimal {
    let value = rule.parse(text).expect("parses");
    rule.points(&value, d(max)).expect("scores")
}

fn percent_tiers() -> Rule {
    Rule::Tiers(Tiers {
        measure: Measure::Percent,
        better: Better::Higher,
        tiers: vec![
            Tier::new("70 <= x <= 100", d("1")),
            Tier::new("50 <= x <= 70", d("0.5")),
            Tier::new("x < 50", d("0")),
        ],
        clip: false,
        gap: None,
    })
}

#[test]
fn yes_no_reads_both_languages_and_labels() {
    let rule = Rule::YesNo(YesNo {
        yes: d("1.5"),
        no: d("0"),
        yes_label: Some("Đạt yêu cầu".into()),
        no_label: None,
    });
    assert_eq!(score(&rule, "có", "1.5"), d("1.5"));
    assert_eq!(score(&rule, "không", "1.5"), d("0"));
    assert_eq!(score(&rule, "đạt yêu cầu", "1.5"), d("1.5"));
    assert!(rule.parse("perhaps").is_err());
}

#[test]
fn levels_by_key_label_or_position() {
    let rule = Rule::Levels(Levels {
        levels: vec![
            Level {
                key: "full".into(),
                label: Some("Đầy đủ".into()),
                points: d("1.5"),
                min: None,
                step: None,
            },
            Level {
                key: "partial".into(),
                label: None,
                points: d("1"),
                min: None,
                step: None,
            },
            Level {
                key: "none".into(),
                label: None,
                points: d("0"),
                min: None,
                step: None,
            },
        ],
    });
    assert_eq!(score(&rule, "full", "1.5"), d("1.5"));
    assert_eq!(score(&rule, "ĐẦY ĐỦ", "1.5"), d("1.5"));
    assert_eq!(score(&rule, "2", "1.5"), d("1"));
    assert_eq!(
        rule.parse("4").unwrap_err().to_string(),
        "\"4\" is not one of the levels full, partial, none"
    );
}

#[test]
fn decomposed_words_match_composed_levels_labels_and_yes_no() {
    // Level names as a file declares them, composed (or, written by hand, decomposed).
    let rule = Rule::Levels(Levels {
        levels: vec![
            Level {
                key: "đầy đủ".into(),
                label: None,
                points: d("1.5"),
                min: None,
                step: None,
            },
            Level {
                key: "chu\u{31b}a đa\u{302}\u{300}y đu\u{309}".into(),
                label: Some("Chưa kịp thời".into()),
                points: d("1"),
                min: None,
                step: None,
            },
        ],
    });
    assert_eq!(score(&rule, "đa\u{302}\u{300}y đu\u{309}", "1.5"), d("1.5"));
    assert_eq!(score(&rule, "ĐA\u{302}\u{300}Y ĐU\u{309}", "1.5"), d("1.5"));
    assert_eq!(score(&rule, "chưa đầy đủ", "1.5"), d("1"));
    assert_eq!(
        score(&rule, "chu\u{31b}a ki\u{323}p tho\u{31b}\u{300}i", "1.5"),
        d("1")
    );
    let rule = Rule::YesNo(YesNo {
        yes: d("1"),
        no: d("0"),
        yes_label: Some("Đã ban hành".into()),
        no_label: None,
    });
    assert_eq!(score(&rule, "co\u{301}", "1"), d("1"));
    assert_eq!(score(&rule, "Đa\u{303} ban ha\u{300}nh", "1"), d("1"));
    let on_time = Rule::Timeliness(Timeliness {
        due: None,
        on_time: d("1"),
        late: d("0.5"),
        missing: d("0"),
        per_day_late: None,
        due_after: None,
        windows: Vec::new(),
    });
    assert_eq!(score(&on_time, "đu\u{301}ng ha\u{323}n", "1"), d("1"));
}

#[test]
fn timeliness_by_outcome_and_by_date_with_daily_penalty() {
    let rule = Rule::Timeliness(Timeliness {
        due: "2024-01-31".parse().ok(),
        on_time: d("1.5"),
        late: d("1"),
        missing: d("0"),
        per_day_late: Some(d("0.25")),
        due_after: None,
        windows: Vec::new(),
    });
    assert_eq!(score(&rule, "đúng hạn", "1.5"), d("1.5"));
    assert_eq!(score(&rule, "trễ hạn", "1.5"), d("1"));
    assert_eq!(score(&rule, "không", "1.5"), d("0"));
    assert_eq!(score(&rule, "31/01/2024", "1.5"), d("1.5"));
    assert_eq!(score(&rule, "01/02/2024", "1.5"), d("0.75"));
    assert_eq!(score(&rule, "02/02/2024", "1.5"), d("0.5"));
    // Never below the points for not done.
    assert_eq!(score(&rule, "29/02/2024", "1.5"), d("0"));
}

#[test]
fn timeliness_without_due_date_refuses_dates() {
    let rule = Rule::Timeliness(Timeliness {
        due: None,
        on_time: d("1"),
        late: d("0.5"),
        missing: d("0"),
        per_day_late: None,
        due_after: None,
        windows: Vec::new(),
    });
    assert!(
        rule.parse("15/01/2024")
            .unwrap_err()
            .to_string()
            .contains("no due date")
    );
}

#[test]
fn tiers_first_match_wins_on_printed_overlaps() {
    let rule = percent_tiers();
    assert_eq!(score(&rule, "70", "1"), d("1"));
    assert_eq!(score(&rule, "69.99", "1"), d("0.5"));
    assert_eq!(score(&rule, "50%", "1"), d("0.5"));
    assert_eq!(score(&rule, "49.99", "1"), d("0"));
    // 35/50 is exactly 70%.
    assert_eq!(score(&rule, "35/50", "1"), d("1"));
    // 2/3 is 66.67%: below 70.
    assert_eq!(score(&rule, "2/3", "1"), d("0.5"));
}

#[test]
fn tiers_over_counts_and_fractions_of_expected() {
    let counts = Rule::Tiers(Tiers {
        measure: Measure::Count,
        better: Better::Higher,
        tiers: vec![
            Tier::new("x >= 3", d("1")),
            Tier::new("1 <= x <= 2", d("0.5")),
            Tier::new("x = 0", d("0")),
        ],
        clip: false,
        gap: None,
    });
    assert_eq!(score(&counts, "0", "1"), d("0"));
    assert_eq!(score(&counts, "2", "1"), d("0.5"));
    assert_eq!(score(&counts, "7", "1"), d("1"));
    let reports = Rule::Tiers(Tiers {
        measure: Measure::Percent,
        better: Better::Higher,
        tiers: vec![
            Tier::new("x >= 100", d("1.5")),
            Tier::new("75 <= x < 100", d("1")),
            Tier::new("x < 75", d("0")),
        ],
        clip: false,
        gap: None,
    });
    assert_eq!(score(&reports, "4/4", "1.5"), d("1.5"));
    assert_eq!(score(&reports, "3/4", "1.5"), d("1"));
    assert_eq!(score(&reports, "2/3", "1.5"), d("0"));
}

#[test]
fn proportional_with_target_floor_cap_and_rounding() {
    let plain = Rule::Proportional(Proportional {
        target: None,
        floor: None,
        cap: None,
        round: None,
        clip: false,
    });
    assert_eq!(score(&plain, "45/50", "5"), d("4.5"));
    assert_eq!(score(&plain, "0", "5"), d("0"));
    let seven_ninths = score(&plain, "7/9", "5");
    assert_eq!(seven_ninths.round_dp(10), d("3.8888888889"));
    let targeted = Rule::Proportional(Proportional {
        target: Some(d("85")),
        floor: Some(d("60")),
        cap: None,
        round: Some(2),
        clip: false,
    });
    assert_eq!(score(&targeted, "85", "10"), d("10"));
    assert_eq!(score(&targeted, "95", "10"), d("10"));
    assert_eq!(score(&targeted, "70", "10"), d("8.24")); // 70 ÷ 85 × 10 = 8.2352…
    assert_eq!(score(&targeted, "60", "10"), d("7.06")); // 60 ÷ 85 × 10 = 7.0588…
    assert_eq!(score(&targeted, "59.99", "10"), d("0"));
    let capped = Rule::Proportional(Proportional {
        target: None,
        floor: None,
        cap: Some(d("4")),
        round: None,
        clip: false,
    });
    assert_eq!(score(&capped, "100", "5"), d("4"));
}

#[test]
fn per_item_bonus_and_penalty() {
    let bonus = Rule::PerItem(PerItem {
        points: d("0.5"),
        cap: Some(d("2")),
        floor: None,
    });
    assert_eq!(score(&bonus, "3", "2"), d("1.5"));
    assert_eq!(score(&bonus, "5", "2"), d("2"));
    let penalty = Rule::PerItem(PerItem {
        points: d("-0.5"),
        cap: None,
        floor: Some(d("-2")),
    });
    assert_eq!(score(&penalty, "0", "0"), d("0"));
    assert_eq!(score(&penalty, "3", "0"), d("-1.5"));
    assert_eq!(score(&penalty, "9", "0"), d("-2"));
}

#[test]
fn survey_share_and_weighted_options_per_group() {
    let share = Rule::Survey(SurveyRule {
        mode: SurveyMode::Share {
            tiers: vec![
                Tier::new("x = 100", d("2")),
                Tier::new("70 <= x < 100", d("1")),
                Tier::new("50 <= x < 70", d("0.5")),
                Tier::new("x < 50", d("0")),
            ],
            gap: None,
        },
        groups: vec![],
        satisfied: Vec::new(),
    });
    assert_eq!(score(&share, "20/20", "2"), d("2"));
    assert_eq!(score(&share, "14/20", "2"), d("1"));
    assert_eq!(score(&share, "69.5%", "2"), d("0.5"));
    let options = Rule::Survey(SurveyRule {
        mode: SurveyMode::Options {
            options: vec![
                ("A".into(), d("100")),
                ("B".into(), d("60")),
                ("C".into(), d("20")),
                ("D".into(), d("0")),
            ],
        },
        groups: vec![],
        satisfied: Vec::new(),
    });
    // (6×100 + 3×60 + 1×20 + 0) ÷ 10 = 80% of 2 = 1.6
    assert_eq!(score(&options, "A=6 B=3 C=1 D=0", "2"), d("1.6"));
    assert!(options.parse("A=6").is_ok());
    let value = options.parse("E=1").expect("parses");
    assert_eq!(
        options.points(&value, d("2")).unwrap_err().to_string(),
        "\"E\" is not an answer option (A, B, C, D)"
    );
    let grouped = Rule::Survey(SurveyRule {
        mode: SurveyMode::Options {
            options: vec![
                ("A".into(), d("100")),
                ("B".into(), d("60")),
                ("D".into(), d("0")),
            ],
        },
        groups: vec![("citizens".into(), d("3")), ("businesses".into(), d("1"))],
        satisfied: Vec::new(),
    });
    // citizens: (8×100 + 2×60) ÷ 10 = 92%; businesses: (1×100 + 1×0) ÷ 2 = 50%;
    // weighted (3×92 + 1×50) ÷ 4 = 81.5% of 2 = 1.63
    assert_eq!(
        score(&grouped, "citizens: A=8 B=2; businesses: A=1 D=1", "2"),
        d("1.63")
    );
}

#[test]
fn relative_to_the_group() {
    let rule = Rule::Relative(Relative {
        to: Statistic::Mean,
        among: Among::All,
        at_or_above: d("2"),
        below: d("0"),
    });
    let ctx = Context {
        reference: Some(d("85.5")),
        ..Context::with_max(d("2"))
    };
    let at = rule
        .evaluate(&Value::Number(d("85.5")), &ctx)
        .expect("scores");
    assert_eq!(at.points, d("2"));
    let below = rule
        .evaluate(&Value::Number(d("85.49")), &ctx)
        .expect("scores");
    assert_eq!(below.points, d("0"));
    assert_eq!(
        rule.explain(&Value::Number(d("85.49")), &below),
        "85.49 < mean 85.5 → 0"
    );
}

#[test]
fn direct_points_within_bounds_and_steps() {
    let rule = Rule::Direct(Direct {
        min: None,
        step: Some(d("0.25")),
    });
    assert_eq!(score(&rule, "1.75", "2"), d("1.75"));
    let v = rule.parse("1.8").expect("number");
    assert_eq!(
        rule.points(&v, d("2")).unwrap_err().to_string(),
        "1.8 points is not a multiple of the step 0.25"
    );
    let v = rule.parse("2.25").expect("number");
    assert_eq!(
        rule.points(&v, d("2")).unwrap_err().to_string(),
        "2.25 points is outside [0, 2]"
    ); // From a floor of 1 in steps of 2: 1, 3, 5; 2 is refused although a multiple of 2.
    let floored = Rule::Direct(Direct {
        min: Some(d("1")),
        step: Some(d("2")),
    });
    assert_eq!(score(&floored, "3", "5"), d("3"));
    let v = floored.parse("2").expect("number");
    assert_eq!(
        floored.points(&v, d("5")).unwrap_err().to_string(),
        "2 points is not a multiple of the step 2 counted from 1"
    );
}

#[test]
fn branch_reads_and_scores_with_the_chosen_case() {
    let rule = Rule::Branch(Branch {
        on: BranchOn::Attribute("has_plan".into()),
        cases: vec![
            Case {
                equals: Some(AttrValue::Bool(true)),
                rule: percent_tiers(),
            },
            Case {
                equals: None,
                rule: Rule::YesNo(YesNo {
                    yes: d("1"),
                    no: d("0"),
                    yes_label: None,
                    no_label: None,
                }),
            },
        ],
    });
    let value = rule.parse("60%").expect("kept as text");
    let first = Context {
        case: Some(0),
        ..Context::with_max(d("1"))
    };
    let outcome = rule.evaluate(&value, &first).expect("scores");
    assert_eq!(outcome.points, d("0.5"));
    assert_eq!(
        rule.explain(&value, &outcome),
        "has_plan = true: 60% → tier 50 <= x <= 70 → 0.5"
    );
    let otherwise = Context {
        case: Some(1),
        ..Context::with_max(d("1"))
    };
    assert!(rule.evaluate(&value, &otherwise).is_err());
    assert_eq!(
        rule.evaluate(&rule.parse("có").expect("text"), &otherwise)
            .expect("scores")
            .points,
        d("1")
    );
}

#[test]
fn explains_tiers_with_the_exact_ratio() {
    let rule = percent_tiers();
    let value = rule.parse("7/9").expect("ratio");
    let outcome = rule
        .evaluate(&value, &Context::with_max(d("1")))
        .expect("scores");
    assert_eq!(
        rule.explain(&value, &outcome),
        "7/9 (77.78%) → tier 70 <= x <= 100 → 1"
    );
}
