//! Measurements derived from the year's records: plan tasks and survey answers, with figures
//! worked out by hand from the fixtures (`fixtures/records-set.toml`, `fixtures/records-plan.toml`).

use parindex_core::records::{
    Completion, Deadline, Derivation, ReformPlan, SurveyAnswer, TaskOutcome, Z_95, wilson,
};
use parindex_core::{Batch, CriteriaSet, Date, Plan, Results};
use rust_decimal::Decimal;

const SET: &str = include_str!("fixtures/records-set.toml");
const PLAN: &str = include_str!("fixtures/records-plan.toml");

fn d(text: &str) -> Decimal {
    text.parse().expect("decimal")
}

fn date(text: &str) -> Date {
    text.parse().expect("date")
}

fn scoring_plan() -> Plan {
    let loaded = CriteriaSet::from_toml(SET, "records-set.toml").unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    Plan::new(&loaded.set)
}

fn reform_plan() -> ReformPlan {
    ReformPlan::from_toml(PLAN, "plan.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn done(unit: &str, task: &str, on: Option<&str>) -> Completion {
    Completion {
        unit: unit.to_owned(),
        task: task.to_owned(),
        done: on.map(date),
        product: None,
        note: None,
    }
}

/// The completions worked through in the tests below.
fn completions() -> Vec<Completion> {
    vec![
        // Due 31/03/2024, the last day of quarter I: on time.
        done("justice", "1.1", Some("31/03/2024")),
        // Due 29/02/2024, the last day of a leap February: on time.
        done("justice", "1.2", Some("29/02/2024")),
        // Due 10/02/2024 + 20 days = 01/03/2024: one day late.
        done("justice", "2.1", Some("02/03/2024")),
        // After an event whose date is not recorded: cannot be late.
        done("justice", "2.2", Some("15/11/2024")),
        // 2.3 (year-round) has no record: not done.
        done("home", "1.2", Some("01/03/2024")),
        // Before the plan was issued (29/12/2023): counted, with a warning.
        done("home", "2.1", Some("20/12/2023")),
        // A record without a date: not done.
        done("finance", "2.1", None),
    ]
}

fn batch_with_units(plan: &Plan) -> Batch {
    let mut batch = Batch::new(plan);
    for unit in ["justice", "home", "finance", "planning"] {
        batch.add_unit(unit, []).expect("unit");
    }
    batch
}

fn scored_from_plan() -> Results {
    let plan = scoring_plan();
    let mut batch = batch_with_units(&plan);
    batch
        .add_plan_records(&reform_plan(), &completions(), None)
        .unwrap_or_else(|p| panic!("{p:?}"));
    plan.score(&batch).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn deadlines_fall_on_the_last_day_of_their_period() {
    let due = |text: &str| text.parse::<Deadline>().expect("deadline").due(&[]);
    assert_eq!(due("Q1/2024"), Some(date("31/03/2024")));
    assert_eq!(due("Q2/2024"), Some(date("30/06/2024")));
    assert_eq!(due("Q3/2024"), Some(date("30/09/2024")));
    assert_eq!(due("Q4/2024"), Some(date("31/12/2024")));
    assert_eq!(due("02/2024"), Some(date("29/02/2024")));
    assert_eq!(due("02/2023"), Some(date("28/02/2023")));
    assert_eq!(due("15/12/2018"), Some(date("15/12/2018")));
    assert_eq!(due("2018-12-15"), Some(date("15/12/2018")));
    assert_eq!(due("year-round"), None);
    for bad in ["Q5/2024", "13/2024", "29/02/2023", "soon", "Q1", ""] {
        let error = bad.parse::<Deadline>().expect_err(bad);
        assert!(error.contains("is not a deadline"), "{bad}: {error}");
    }
}

#[test]
fn each_unit_is_measured_on_the_tasks_it_leads() {
    let plan = reform_plan();
    let records = completions();
    let of = |unit: &str| {
        let mine: Vec<&Completion> = records.iter().filter(|c| c.unit == unit).collect();
        plan.tally(unit, &mine)
    };
    let justice = of("justice");
    assert_eq!(
        (justice.assigned(), justice.done(), justice.on_time()),
        (5, 4, 3)
    );
    assert_eq!(justice.late(), ["2.1"]);
    assert_eq!(justice.not_done(), ["2.3"]);
    let outcome = |code: &str| {
        justice
            .tasks
            .iter()
            .find(|t| t.task == code)
            .map(|t| t.outcome)
    };
    assert_eq!(outcome("2.1"), Some(TaskOutcome::Late { days: 1 }));
    assert_eq!(outcome("2.2"), Some(TaskOutcome::OnTime));
    let home = of("home");
    assert_eq!((home.assigned(), home.done(), home.on_time()), (2, 2, 1));
    assert_eq!(home.late(), ["1.2"]);
    let finance = of("finance");
    assert_eq!((finance.assigned(), finance.done()), (1, 0));
    assert_eq!(finance.not_done(), ["2.1"]);
    assert_eq!(of("planning").assigned(), 0);
}

#[test]
fn plan_measurements_score_and_explain_task_by_task() {
    let results = scored_from_plan();
    let points = |unit: &str, code: &str| results.unit(unit).and_then(|u| u.points(code));
    // justice: 4 of 5 done = 80% → 1; 3 of 5 on time × 2 = 1.2; 2 late or not done → 0.
    assert_eq!(points("justice", "1.1"), Some(d("1")));
    assert_eq!(points("justice", "1.2"), Some(d("1.2")));
    assert_eq!(points("justice", "1.3"), Some(d("0")));
    // home: 2 of 2 done → 2; 1 of 2 on time × 2 = 1; 1 late → 0.
    assert_eq!(points("home", "1.1"), Some(d("2")));
    assert_eq!(points("home", "1.2"), Some(d("1")));
    // finance: 0 of 1 → 0 and 0.
    assert_eq!(points("finance", "1.1"), Some(d("0")));
    assert_eq!(points("finance", "1.2"), Some(d("0")));
    let explanation = results.explain("justice").expect("explained");
    let line = explanation
        .lines
        .iter()
        .find(|l| l.code == "1.1")
        .expect("1.1");
    assert_eq!(
        line.reason,
        "4 of 5 plan tasks done, 3 on time; late: 2.1; not done: 2.3 → 4/5 (80%) → tier 50 <= x < 100 → 1"
    );
    let Some(Derivation::Plan(tally)) = results.unit("justice").and_then(|u| u.derivation("1.3"))
    else {
        panic!("1.3 is derived from the plan");
    };
    assert_eq!(tally.plan, "example/2024");
    // A unit the plan does not name leads nothing: not applicable, with a warning.
    let planning = results.explain("planning").expect("explained");
    let line = planning
        .lines
        .iter()
        .find(|l| l.code == "1.1")
        .expect("1.1");
    assert_eq!(
        line.reason,
        "leads no task of the plan example/2024: not applicable"
    );
    let warnings: Vec<String> = results
        .warnings
        .iter()
        .filter(|w| w.unit != "justice" || w.code.starts_with('1'))
        .map(|w| format!("{} {}: {}", w.unit, w.code, w.message))
        .collect();
    assert!(warnings.contains(&"home 2.1: done 20/12/2023, before the plan was issued (29/12/2023): counted as done on time".to_owned()), "{warnings:?}");
    assert!(
        warnings.contains(
            &"planning 1.1: the plan example/2024 does not name this unit: no task to measure"
                .to_owned()
        ),
        "{warnings:?}"
    );
}

#[test]
fn bad_completions_are_refused_with_their_record_and_the_batch_is_untouched() {
    let plan = scoring_plan();
    let mut batch = batch_with_units(&plan);
    batch.set_text(0, "1.2", None, "50%").expect("typed");
    let records = vec![
        done("justice", "1.1", Some("31/03/2024")),
        done("nobody", "1.1", Some("31/03/2024")),
        done("home", "9.9", Some("31/03/2024")),
        done("justice", "1.1", Some("01/04/2024")),
    ];
    let problems = batch
        .add_plan_records(&reform_plan(), &records, None)
        .expect_err("refused");
    let shown: Vec<String> = problems
        .iter()
        .map(|p| format!("#{:?} {p}", p.record))
        .collect();
    assert_eq!(
        shown,
        [
            "#Some(1) unit nobody, 1.1: the unit is not among the units scored",
            "#Some(2) unit home, 9.9: the plan example/2024 has no task 9.9",
            "#Some(3) unit justice, 1.1: a second completion record for the task",
            "#None unit justice, 1.2: already has a value in the inputs; a value derived from the records does not replace it: leave that input empty",
        ]
    );
    // Without the bad records, the value typed for justice's 1.2 alone refuses the derived one.
    let problems = batch
        .add_plan_records(&reform_plan(), &records[..1], None)
        .expect_err("refused");
    assert_eq!(
        problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "unit justice, 1.2: already has a value in the inputs; a value derived from the records does not replace it: leave that input empty"
        ]
    );
    let results = plan.score(&batch).expect("scored");
    assert_eq!(results.units[0].derivation("1.1"), None, "nothing was put");
    // At the appraisal stage the derived value goes beside the typed self-assessment.
    batch
        .add_plan_records(&reform_plan(), &records[..1], Some("appraisal"))
        .unwrap_or_else(|p| panic!("{p:?}"));
    let results = plan.score(&batch).expect("scored");
    assert_eq!(
        results.units[0].points("1.2"),
        Some(d("0.4")),
        "1 of 5 on time × 2"
    );
}

#[test]
fn plan_files_report_every_problem_at_its_line() {
    let broken = PLAN
        .replacen(
            "lead = [\"justice\", \"home\"]",
            "lead = [\"justice\", \"hom\"]",
            1,
        )
        .replacen("code = \"2.3\"", "code = \"2.2\"", 1)
        .replacen("\"home\", \"finance\"]", "\"home\", \"finanse\"]", 1);
    let line = |text: &str, needle: &str, nth: usize| {
        let mut found = text.lines().enumerate().filter(|(_, l)| l.contains(needle));
        found.nth(nth).map_or(0, |(i, _)| i + 1)
    };
    let error = ReformPlan::from_toml(&broken, "plan.toml").expect_err("broken");
    let shown: Vec<String> = error.diagnostics.iter().map(ToString::to_string).collect();
    let task_at = |code: &str, nth: usize| line(&broken, &format!("code = \"{code}\""), nth) - 1;
    assert_eq!(
        shown,
        [
            format!(
                "plan.toml:{}:31: error[unknown-node]: group \"offices\" lists \"finanse\", which is not a declared [[unit]]",
                line(&broken, "finanse", 0)
            ),
            format!(
                "plan.toml:{}:1: error[unknown-node] 1.2: lead \"hom\" is not a declared [[unit]] or [[group]]",
                task_at("1.2", 0)
            ),
            format!(
                "plan.toml:{}:1: error[duplicate-code] 2.2: duplicate task code; first at line {}",
                task_at("2.2", 1),
                task_at("2.2", 0),
            ),
        ]
    );
    let broken = PLAN.replacen("deadline = \"02/2024\"", "deadline = \"Quarter 1\"", 1);
    let error = ReformPlan::from_toml(&broken, "plan.toml").expect_err("broken");
    assert_eq!(
        error.to_string(),
        format!(
            "plan.toml:{}:12: error[wrong-type] 1.2: \"Quarter 1\" is not a deadline (dd/mm/yyyy, mm/yyyy, Q1/yyyy … Q4/yyyy or year-round)",
            line(&broken, "Quarter 1", 0)
        )
    );
}

/// The bad-input corpus runs its files through the command line as criteria files; its plan
/// file nested too deeply is read here as the plan it is, and must give the corpus's message.
#[test]
fn the_corpus_plan_nested_too_deeply_gives_the_corpus_message() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/bad/criteria");
    let name = "plan-nested-too-deep";
    let text = std::fs::read_to_string(corpus.join(format!("{name}.toml"))).expect("corpus file");
    let expected = std::fs::read_to_string(corpus.join(format!("{name}.expected")))
        .expect("corpus expectation");
    let message = expected
        .lines()
        .nth(1)
        .expect("the message, after the exit code");
    let file = format!("criteria/{name}.toml");
    let error = ReformPlan::from_toml(&text, &file).expect_err("nested too deeply");
    assert_eq!(error.to_string(), message);
    assert!(
        message.ends_with(
            "nested too deeply: arrays, tables and dotted keys are limited to 80 levels"
        ),
        "{message}"
    );
}

fn answer(unit: &str, group: Option<&str>, item: &str, text: &str) -> SurveyAnswer {
    SurveyAnswer {
        unit: unit.to_owned(),
        group: group.map(str::to_owned),
        item: item.to_owned(),
        answer: text.to_owned(),
    }
}

fn survey_answers() -> Vec<SurveyAnswer> {
    let mut answers = Vec::new();
    // 2.1, citizens (weight 2): A A B C D → 3 of 5 satisfied = 60%.
    for a in ["A", "A", "B", "C", "D"] {
        answers.push(answer("justice", Some("citizens"), "2.1", a));
    }
    // 2.1, businesses (weight 1): A B B A → 4 of 4 = 100%; fewer than the minimum of 5.
    for a in ["A", "B", "b", "A"] {
        answers.push(answer("justice", Some("businesses"), "2.1", a));
    }
    // 2.2: A B B C D A → A 2, B 2, C 1, D 1.
    for a in ["A", "B", "B", "C", "D", "A"] {
        answers.push(answer("justice", None, "2.2", a));
    }
    // 2.3: nine yes (in three spellings) and one no → 90%.
    for a in [
        "có",
        "Có",
        "yes",
        "hài lòng",
        "có",
        "có",
        "có",
        "có",
        "có",
        "không",
    ] {
        answers.push(answer("justice", None, "2.3", a));
    }
    answers
}

#[test]
fn survey_answers_are_tallied_per_group_and_scored() {
    let plan = scoring_plan();
    let mut batch = batch_with_units(&plan);
    batch
        .add_survey_answers(&survey_answers(), None)
        .unwrap_or_else(|p| panic!("{p:?}"));
    let results = plan.score(&batch).unwrap_or_else(|e| panic!("{e}"));
    let justice = results.unit("justice").expect("justice");
    // 2.1: (2 × 60 + 1 × 100) ÷ 3 = 73.33% → tier 50 <= x < 80 → 1.5.
    assert_eq!(justice.points("2.1"), Some(d("1.5")));
    let Some(Derivation::Survey(tally)) = justice.derivation("2.1") else {
        panic!("2.1 is derived from answers");
    };
    let by_group: Vec<(Option<&str>, u32, Option<u32>)> = tally
        .groups
        .iter()
        .map(|g| (g.group.as_deref(), g.respondents, g.satisfied))
        .collect();
    assert_eq!(
        by_group,
        [
            (Some("citizens"), 5, Some(3)),
            (Some("businesses"), 4, Some(4))
        ]
    );
    assert_eq!(tally.groups[0].share(), Some(d("60")));
    assert_eq!(tally.groups[0].interval, wilson(3, 5, Z_95));
    // 2.2: (2 × 100 + 2 × 60 + 1 × 20 + 1 × 0) ÷ 6 = 56.67% of 4 points = 2.2667.
    let points = justice.points("2.2").expect("2.2");
    assert_eq!(points.round_dp(4), d("2.2667"));
    let Some(Derivation::Survey(options)) = justice.derivation("2.2") else {
        panic!("2.2 is derived from answers");
    };
    let counts: Vec<(&str, u32)> = options.groups[0]
        .counts
        .iter()
        .map(|(o, n)| (o.as_str(), *n))
        .collect();
    assert_eq!(counts, [("A", 2), ("B", 2), ("C", 1), ("D", 1)]);
    assert_eq!(options.groups[0].satisfied, Some(4));
    assert_eq!(
        options.groups[0].weighted.map(|w| w.round_dp(2)),
        Some(d("56.67"))
    );
    // 2.3: 9 of 10 = 90% → 2.
    assert_eq!(justice.points("2.3"), Some(d("2")));
    let explanation = results.explain("justice").expect("explained");
    let line = explanation
        .lines
        .iter()
        .find(|l| l.code == "2.3")
        .expect("2.3");
    assert_eq!(
        line.reason,
        "survey: 9 of 10 satisfied (90%, 95% CI 59.6–98.2%) → 9/10: 90% satisfied → tier x >= 90 → 2"
    );
    // Units without answers keep their inputs missing.
    assert_eq!(results.unit("home").and_then(|u| u.derivation("2.3")), None);
    let warnings: Vec<String> = results
        .warnings
        .iter()
        .filter(|w| w.unit == "justice" && w.code.starts_with('2'))
        .map(|w| format!("{}: {}", w.code, w.message))
        .collect();
    assert_eq!(
        warnings,
        ["2.1: 4 respondents (businesses), fewer than the set's minimum of 5: scored as usual"]
    );
}

#[test]
fn bad_survey_answers_are_refused_each_with_its_record() {
    let plan = scoring_plan();
    let mut batch = batch_with_units(&plan);
    let answers = vec![
        answer("justice", None, "2.2", "E"),
        answer("justice", Some("visitors"), "2.1", "A"),
        answer("justice", None, "9.9", "A"),
        answer("justice", None, "2", "A"),
        answer("nobody", None, "2.3", "có"),
        answer("justice", None, "2.3", "maybe"),
        answer("justice", None, "1.1", "có"),
    ];
    let problems = batch
        .add_survey_answers(&answers, None)
        .expect_err("refused");
    let mut shown: Vec<String> = problems
        .iter()
        .map(|p| format!("#{} {p}", p.record.unwrap_or(99)))
        .collect();
    shown.sort();
    assert_eq!(
        shown,
        [
            "#0 unit justice, 2.2: \"E\" is not an answer option (A, B, C, D)",
            "#1 unit justice, 2.1: \"visitors\" is not a respondent group of this criterion (citizens, businesses)",
            "#2 unit justice, 9.9: not a criterion of the set",
            "#3 unit justice, 2: not a leaf: answers go to the leaf criteria",
            "#4 unit nobody, 2.3: the unit is not among the units scored",
            "#5 unit justice, 2.3: \"maybe\" is neither satisfied (có, yes, hài lòng) nor not (không, no); declare the satisfied answers with `satisfied` in the rule",
            "#6 unit justice, 1.1: this criterion is not scored by a survey",
        ]
    );
}

#[test]
fn the_quang_ngai_city_2018_plan_loads_whole() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../plans/2018/quang-ngai-city.toml");
    let plan = ReformPlan::from_path(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan.id, "quang-ngai-city/2018");
    assert_eq!(plan.issued, date("29/12/2017"));
    // Section II of KH 145/KH-UBND: 4 + 12 + 7 + 5 + 3 + 4 + 2 + 4 numbered tasks.
    assert_eq!(plan.areas.len(), 8);
    assert_eq!(plan.tasks.len(), 41);
    let per_area: Vec<usize> = (1..=8)
        .map(|a| {
            plan.tasks
                .iter()
                .filter(|t| t.area == a.to_string())
                .count()
        })
        .collect();
    assert_eq!(per_area, [4, 12, 7, 5, 3, 4, 2, 4]);
    // "Quý I/2018" is due on 31/03/2018; "Thường xuyên trong năm" can never be late.
    let task = |code: &str| plan.task(code).unwrap_or_else(|| panic!("{code}"));
    assert_eq!(
        task("2.12").deadline.due(&plan.events),
        Some(date("31/03/2018"))
    );
    assert_eq!(task("1.1").deadline.due(&plan.events), None);
    assert!(plan.leads("tu-phap", task("1.3")));
    assert!(
        plan.leads("kinh-te", task("1.1")),
        "through the group phong-ban"
    );
    assert!(
        !plan.leads("tu-phap", task("2.7")),
        "a partner does not lead"
    );
}

#[test]
fn records_typed_with_combining_marks_count_as_the_composed_words() {
    // The plan names the unit composed; its completions and answers spell it decomposed.
    let composed = "Tư pháp";
    let decomposed = "Tu\u{31b} pha\u{301}p";
    let reform = ReformPlan::from_toml(
        &PLAN.replace("\"justice\"", &format!("\"{composed}\"")),
        "plan.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let plan = scoring_plan();
    let mut batch = Batch::new(&plan);
    for unit in [decomposed, "home", "finance", "planning"] {
        batch.add_unit(unit, []).expect("unit");
    }
    let records: Vec<Completion> = completions()
        .into_iter()
        .map(|mut c| {
            if c.unit == "justice" {
                c.unit = decomposed.to_owned();
            }
            c
        })
        .collect();
    batch
        .add_plan_records(&reform, &records, None)
        .unwrap_or_else(|p| panic!("{p:?}"));
    let answers: Vec<SurveyAnswer> = survey_answers()
        .into_iter()
        .map(|mut a| {
            a.unit = decomposed.to_owned();
            a.answer = a
                .answer
                .replace("có", "co\u{301}")
                .replace("Có", "Co\u{301}")
                .replace("hài lòng", "ha\u{300}i lo\u{300}ng")
                .replace("không", "kho\u{302}ng");
            a
        })
        .collect();
    assert!(answers.iter().any(|a| a.answer == "ha\u{300}i lo\u{300}ng"));
    batch
        .add_survey_answers(&answers, None)
        .unwrap_or_else(|p| panic!("{p:?}"));
    let results = plan.score(&batch).unwrap_or_else(|e| panic!("{e}"));
    let unit = results.unit(decomposed).expect("found decomposed");
    assert_eq!(unit.unit, composed);
    assert!(results.unit(composed).is_some(), "found composed");
    // The same figures as the composed records give (worked out in the tests above).
    let expected = scored_from_plan();
    let justice = expected.unit("justice").expect("justice");
    for code in ["1.1", "1.2", "1.3"] {
        assert_eq!(unit.points(code), justice.points(code), "{code}");
    }
    assert_eq!(unit.points("2.3"), Some(d("2")), "9 of 10 satisfied");
    let Some(Derivation::Plan(tally)) = unit.derivation("1.1") else {
        panic!("1.1 is derived from the plan");
    };
    assert_eq!((tally.assigned(), tally.done(), tally.on_time()), (5, 4, 3));
}
