//! Stages, missing inputs and evidence, worked out by hand: which stages a unit is scored at,
//! when a missing input warns or stops the run, and the evidence a self-assessed value needs
//! under `evidence = "required"`.

mod common;

use parindex_core::{
    Batch, CriteriaSet, NodeStatus, Plan, Results, ScoreError, ScoreProblem, ScoreWarning,
};
use rust_decimal::Decimal;

/// Area 1 (max 4): 1.1, yes-no worth 1; 1.2, yes-no worth 3. Stages `self`, then `appraisal`.
fn set(policy: &str) -> CriteriaSet {
    let header = common::header("stages", "Stages", 4, "stage and evidence");
    let text = format!(
        r#"{header}
[policy]
{policy}

[[node]]
code = "1"
name = "Area"
max = 4
reform_area = "direction"

[[node]]
code = "1.1"
name = "Small"
max = 1
rule = {{ kind = "yes-no" }}

[[node]]
code = "1.2"
name = "Large"
max = 3
rule = {{ kind = "yes-no", yes = 3 }}
"#
    );
    CriteriaSet::from_toml(&text, "stages.toml")
        .expect("the test set loads")
        .set
}

/// One input: code, stage (`None` for the first), text, and the evidence recorded if any.
type Given<'a> = (&'a str, Option<&'a str>, &'a str, Option<bool>);

fn score(set: &CriteriaSet, units: &[(&str, &[Given<'_>])]) -> Result<Results, ScoreError> {
    let plan = Plan::new(set);
    let mut batch = Batch::new(&plan);
    for (id, inputs) in units {
        let u = batch.add_unit(id, []).expect("new unit");
        for (code, stage, text, evidence) in *inputs {
            batch.set_text(u, code, *stage, text).expect("a value");
            if let Some(evidence) = evidence {
                batch
                    .set_evidence(u, code, *stage, *evidence)
                    .expect("evidence");
            }
        }
    }
    plan.score(&batch)
}

fn d(text: &str) -> Decimal {
    text.parse().expect("a decimal")
}

/// Per stage scored: its name and the unit's total there.
fn stages(results: &Results, unit: &str) -> Vec<(String, Decimal)> {
    results
        .unit(unit)
        .expect("the unit")
        .stages()
        .map(|s| (s.stage.to_owned(), s.total))
        .collect()
}

fn stage_totals(pairs: &[(&str, &str)]) -> Vec<(String, Decimal)> {
    pairs.iter().map(|(s, t)| ((*s).to_owned(), d(t))).collect()
}

const SELF_NO_EVIDENCE: &[Given<'_>] =
    &[("1.1", None, "có", None), ("1.2", None, "có", Some(true))];
const SELF_EVIDENCE_FALSE: &[Given<'_>] = &[
    ("1.1", None, "có", Some(false)),
    ("1.2", None, "có", Some(true)),
];
const APPRAISAL_ONLY: &[Given<'_>] = &[
    ("1.1", Some("appraisal"), "có", None),
    ("1.2", Some("appraisal"), "có", None),
];
const BOTH_STAGES: &[Given<'_>] = &[
    ("1.1", None, "có", None),
    ("1.1", Some("appraisal"), "có", None),
    ("1.2", None, "có", Some(true)),
];

#[test]
fn a_self_assessed_value_without_evidence_scores_zero_when_evidence_is_required() {
    let units: &[(&str, &[Given<'_>])] = &[
        ("A", SELF_NO_EVIDENCE),
        ("B", SELF_EVIDENCE_FALSE),
        ("C", APPRAISAL_ONLY),
        ("D", BOTH_STAGES),
    ];
    let results = score(&set("evidence = \"required\""), units).expect("scores");
    // A and B: 1.1 is self-assessed with no evidence (none recorded, or recorded as absent):
    // 0 of 1; 1.2 has its evidence: 3 of 3.
    for unit in ["A", "B"] {
        let card = results.unit(unit).expect("the unit");
        let small = card.node("1.1").expect("1.1");
        assert_eq!(
            (small.points, small.max, small.status),
            (d("0"), d("1"), NodeStatus::NoEvidence),
            "{unit}"
        );
        assert_eq!(card.points("1.2"), Some(d("3")), "{unit}");
        assert_eq!((card.total, card.max), (d("3"), d("4")), "{unit}");
    }
    // C: values given at the appraisal are not self-assessed: no evidence needed, 4 of 4.
    let c = results.unit("C").expect("C");
    assert_eq!(c.node("1.1").map(|n| n.status), Some(NodeStatus::Scored));
    assert_eq!(c.node("1.1").and_then(|n| n.stage), Some(1));
    assert_eq!(c.total, d("4"));
    // D: at its self stage 1.1 scores 0 (no evidence), so 3; the appraisal gives 1.1 again and
    // 1.2 carries its self-assessed value, with evidence: 4.
    assert_eq!(
        stages(&results, "D"),
        stage_totals(&[("self", "3"), ("appraisal", "4")])
    );
    assert_eq!(results.unit("D").map(|u| u.total), Some(d("4")));
}

#[test]
fn evidence_is_not_needed_when_it_is_optional() {
    let units: &[(&str, &[Given<'_>])] = &[
        ("A", SELF_NO_EVIDENCE),
        ("B", SELF_EVIDENCE_FALSE),
        ("D", BOTH_STAGES),
    ];
    let results = score(&set(""), units).expect("scores");
    for unit in ["A", "B"] {
        let card = results.unit(unit).expect("the unit");
        assert_eq!(
            card.node("1.1").map(|n| (n.points, n.status)),
            Some((d("1"), NodeStatus::Scored)),
            "{unit}"
        );
        assert_eq!(card.total, d("4"), "{unit}");
    }
    assert_eq!(
        stages(&results, "D"),
        stage_totals(&[("self", "4"), ("appraisal", "4")])
    );
}

#[test]
fn a_unit_is_scored_only_at_the_stages_it_has_inputs_for_and_its_last() {
    let units: &[(&str, &[Given<'_>])] = &[
        ("C", APPRAISAL_ONLY),
        ("D", BOTH_STAGES),
        (
            "S",
            &[("1.1", None, "có", None), ("1.2", None, "không", None)],
        ),
        ("N", &[]),
    ];
    let results = score(&set(""), units).expect("scores");
    // C has inputs only at the appraisal: no self stage.
    assert_eq!(stages(&results, "C"), stage_totals(&[("appraisal", "4")]));
    // D has both.
    assert_eq!(
        stages(&results, "D"),
        stage_totals(&[("self", "4"), ("appraisal", "4")])
    );
    // S has only the self stage, its last: 1 + 0.
    assert_eq!(stages(&results, "S"), stage_totals(&[("self", "1")]));
    // N has no input at all: it is scored at the first stage, every leaf missing, 0 of 4.
    assert_eq!(stages(&results, "N"), stage_totals(&[("self", "0")]));
    let n = results.unit("N").expect("N");
    assert_eq!(
        n.node("1.2").map(|s| (s.points, s.max, s.status)),
        Some((d("0"), d("3"), NodeStatus::Missing))
    );
    assert_eq!((n.total, n.max, n.index), (d("0"), d("4"), Some(d("0"))));
}

#[test]
fn a_missing_input_warns_at_the_final_stage_only() {
    let units: &[(&str, &[Given<'_>])] = &[
        // 1.2 is never given: 1 of 4, and a warning.
        ("E", &[("1.1", None, "có", None)]),
        // 1.1 is missing at the self stage but given at the appraisal: no warning.
        (
            "F",
            &[
                ("1.1", Some("appraisal"), "có", None),
                ("1.2", None, "có", None),
            ],
        ),
        // Nothing given: both leaves warn.
        ("N", &[]),
    ];
    let results = score(&set(""), units).expect("scores");
    let warning =
        |unit: &str, code: &str| ScoreWarning::new(unit, code, "no input: scored 0".to_owned());
    assert_eq!(
        results.warnings,
        [
            warning("E", "1.2"),
            warning("N", "1.1"),
            warning("N", "1.2")
        ]
    );
    let e = results.unit("E").expect("E");
    assert_eq!((e.total, e.max, e.index), (d("1"), d("4"), Some(d("25"))));
    // F: 1.1 missing at the self stage scores 0 there (1.2 gives 3); the appraisal completes it.
    assert_eq!(
        stages(&results, "F"),
        stage_totals(&[("self", "3"), ("appraisal", "4")])
    );
}

#[test]
fn a_missing_input_stops_the_run_under_the_error_policy_at_the_final_stage_only() {
    let complete_at_the_end: &[Given<'_>] = &[
        ("1.1", Some("appraisal"), "có", None),
        ("1.2", None, "có", None),
    ];
    let policy = "missing = \"error\"";
    let results = score(&set(policy), &[("F", complete_at_the_end)]).expect("scores");
    assert_eq!(results.unit("F").map(|u| u.total), Some(d("4")));
    assert!(results.warnings.is_empty());
    let Err(error) = score(
        &set(policy),
        &[
            ("F", complete_at_the_end),
            ("E", &[("1.1", None, "có", None)]),
        ],
    ) else {
        panic!("E has no input for 1.2: the run must stop");
    };
    assert_eq!(
        error.problems,
        [ScoreProblem {
            unit: "E".to_owned(),
            code: "1.2".to_owned(),
            stage: "self".to_owned(),
            message: "has no input".to_owned(),
        }]
    );
}

/// `evidence` on one row: the row's own word wins over the set's policy, either way.
#[test]
fn a_row_may_require_evidence_or_waive_it_on_its_own() {
    let with_row = |policy: &str, row: &str| {
        let set = set(policy);
        let text = set.to_toml().replacen(
            "code = \"1.1\"\n",
            &format!("code = \"1.1\"\nevidence = \"{row}\"\n"),
            1,
        );
        CriteriaSet::from_toml(&text, "rows.toml")
            .expect("loads")
            .set
    };
    // The set leaves evidence optional; 1.1 alone requires it. A: 1.1 has none, 1.2 has.
    // B: 1.1 has none and 1.2 has none either: only 1.1 scores 0, so 3 of 4.
    let units: &[(&str, &[Given<'_>])] = &[
        ("A", SELF_NO_EVIDENCE),
        ("B", &[("1.1", None, "có", None), ("1.2", None, "có", None)]),
    ];
    let required = with_row("", "required");
    assert!(required.needs_evidence("1.1") && !required.needs_evidence("1.2"));
    let results = score(&required, units).expect("scores");
    for unit in ["A", "B"] {
        let card = results.unit(unit).expect("the unit");
        assert_eq!(
            card.node("1.1").map(|n| n.status),
            Some(NodeStatus::NoEvidence),
            "{unit}"
        );
        assert_eq!(card.total, d("3"), "{unit}");
    }
    // The set requires evidence; 1.1 waives it. B: 1.1 scores 1 without it, 1.2 scores 0.
    let waived = with_row("evidence = \"required\"", "optional");
    let results = score(&waived, units).expect("scores");
    let b = results.unit("B").expect("B");
    assert_eq!(b.points("1.1"), Some(d("1")));
    assert_eq!(
        b.node("1.2").map(|n| n.status),
        Some(NodeStatus::NoEvidence)
    );
    assert_eq!(b.total, d("1"));
}
