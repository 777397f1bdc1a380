//! Policies and rules that compare or branch, worked out by hand: not-applicable as full
//! points, relative rules against the mean or the median of all units or of a group, and a
//! branch on another leaf's input.

mod common;

use parindex_core::{Batch, CriteriaSet, Plan, Results};
use rust_decimal::Decimal;

fn set(policy: &str, attributes: &str, nodes: &str) -> CriteriaSet {
    let header = common::header("policies", "Policies", 4, "policy");
    let text = format!(
        r#"{header}
[policy]
{policy}

{attributes}

[[node]]
code = "1"
name = "Area"
max = 4
reform_area = "direction"
{nodes}
"#
    );
    CriteriaSet::from_toml(&text, "policies.toml")
        .expect("the test set loads")
        .set
}

/// A unit: its id, its values as (code, text) and its attributes as (name, text).
type UnitRow<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [(&'a str, &'a str)]);

/// Scores units.
fn score(set: &CriteriaSet, units: &[UnitRow<'_>]) -> Results {
    let plan = Plan::new(set);
    let mut batch = Batch::new(&plan);
    for (id, values, attributes) in units {
        let u = batch.add_unit(id, []).expect("new unit");
        for (code, text) in *values {
            batch.set_text(u, code, None, text).expect("a value");
        }
        for (name, text) in *attributes {
            batch
                .set_attribute_text(u, name, text)
                .expect("an attribute");
        }
    }
    plan.score(&batch).expect("scores")
}

fn points(results: &Results, unit: &str, code: &str) -> Decimal {
    results
        .unit(unit)
        .and_then(|u| u.points(code))
        .unwrap_or_else(|| panic!("{unit} {code}"))
}

fn d(text: &str) -> Decimal {
    text.parse().expect("a decimal")
}

const TWO_LEAVES: &str = r#"
[[node]]
code = "1.1"
name = "Small"
max = 1
rule = { kind = "yes-no" }

[[node]]
code = "1.2"
name = "Large"
max = 3
rule = { kind = "yes-no", yes = 3 }
"#;

#[test]
fn not_applicable_as_full_points_or_a_reduced_maximum() {
    let units: &[UnitRow<'_>] = &[("A", &[("1.1", "N/A"), ("1.2", "không")], &[])];
    // Full points: 1.1 counts as its 1 point won, of 4: index 25.
    let full = score(
        &set("not_applicable = \"full-points\"", "", TWO_LEAVES),
        units,
    );
    let card = full.unit("A").expect("A");
    assert_eq!((card.total, card.max), (d("1"), d("4")));
    assert_eq!(card.index, Some(d("25")));
    // Reduced maximum: 0 of 3.
    let reduced = score(&set("", "", TWO_LEAVES), units);
    let card = reduced.unit("A").expect("A");
    assert_eq!((card.total, card.max), (d("0"), d("3")));
    assert_eq!(card.index, Some(d("0")));
}

fn relative(to: &str, among: &str) -> String {
    format!(
        r#"
[[node]]
code = "1.1"
name = "Count against the others"
max = 4
rule = {{ kind = "relative", to = "{to}", among = "{among}", at_or_above = 4, below = 1 }}
"#
    )
}

#[test]
fn relative_to_the_mean_and_the_median() {
    let units: &[UnitRow<'_>] = &[
        ("A", &[("1.1", "1")], &[]),
        ("B", &[("1.1", "2")], &[]),
        ("C", &[("1.1", "3")], &[]),
        ("D", &[("1.1", "10")], &[]),
        ("E", &[("1.1", "N/A")], &[]),
    ];
    // Mean of 1, 2, 3, 10 (N/A left out) is 4: only D is at or above.
    let mean = score(&set("", "", &relative("mean", "all")), units);
    let got: Vec<Decimal> = ["A", "B", "C", "D"]
        .iter()
        .map(|u| points(&mean, u, "1.1"))
        .collect();
    assert_eq!(got, [d("1"), d("1"), d("1"), d("4")]);
    // Median of an even count: (2 + 3) / 2 = 2.5: C and D.
    let median = score(&set("", "", &relative("median", "all")), units);
    let got: Vec<Decimal> = ["A", "B", "C", "D"]
        .iter()
        .map(|u| points(&median, u, "1.1"))
        .collect();
    assert_eq!(got, [d("1"), d("1"), d("4"), d("4")]);
    // Median of an odd count: of 1, 2, 10 it is 2: B and D.
    let odd = score(
        &set("", "", &relative("median", "all")),
        &units[..2]
            .iter()
            .chain(&units[3..4])
            .cloned()
            .collect::<Vec<_>>(),
    );
    let got: Vec<Decimal> = ["A", "B", "D"]
        .iter()
        .map(|u| points(&odd, u, "1.1"))
        .collect();
    assert_eq!(got, [d("1"), d("4"), d("4")]);
}

#[test]
fn relative_within_a_group() {
    let attributes = "[attributes.district]\ntype = \"text\"\n";
    let units: &[UnitRow<'_>] = &[
        ("A", &[("1.1", "1")], &[("district", "north")]),
        ("B", &[("1.1", "3")], &[("district", "north")]),
        ("C", &[("1.1", "10")], &[("district", "south")]),
        ("D", &[("1.1", "20")], &[("district", "south")]),
    ];
    // North's mean is 2 (B above), south's is 15 (D above); over all units it would be 8.5.
    let results = score(
        &set(
            "group_by = \"district\"",
            attributes,
            &relative("mean", "group"),
        ),
        units,
    );
    let got: Vec<Decimal> = ["A", "B", "C", "D"]
        .iter()
        .map(|u| points(&results, u, "1.1"))
        .collect();
    assert_eq!(got, [d("1"), d("4"), d("1"), d("4")]);
    let all = score(
        &set(
            "group_by = \"district\"",
            attributes,
            &relative("mean", "all"),
        ),
        units,
    );
    let got: Vec<Decimal> = ["A", "B", "C", "D"]
        .iter()
        .map(|u| points(&all, u, "1.1"))
        .collect();
    assert_eq!(got, [d("1"), d("1"), d("4"), d("4")]);
}

#[test]
fn a_branch_on_another_leaf() {
    let nodes = r#"
[[node]]
code = "1.1"
name = "Has a plan"
max = 1
rule = { kind = "yes-no" }

[[node]]
code = "1.2"
name = "Plan carried out"
max = 3
[node.rule]
kind = "branch"
on = { node = "1.1" }
[[node.rule.case]]
equals = true
rule = { kind = "tiers", measure = "percent", tier = [{ when = "x >= 70", points = 3 }, { when = "x < 70", points = 1 }] }
[[node.rule.case]]
rule = { kind = "yes-no", yes = 2 }
"#;
    let units: &[UnitRow<'_>] = &[
        // A plan: 80% is at least 70: 3 points.
        ("A", &[("1.1", "có"), ("1.2", "80")], &[]),
        // A plan: 50% is below: 1 point.
        ("B", &[("1.1", "có"), ("1.2", "50")], &[]),
        // No plan: the otherwise case reads yes or no: 2 points for yes.
        ("C", &[("1.1", "không"), ("1.2", "có")], &[]),
    ];
    let results = score(&set("", "", nodes), units);
    let got: Vec<Decimal> = ["A", "B", "C"]
        .iter()
        .map(|u| points(&results, u, "1.2"))
        .collect();
    assert_eq!(got, [d("3"), d("1"), d("2")]);
}

#[test]
fn a_parent_whose_children_all_do_not_apply_does_not_apply() {
    let units: &[UnitRow<'_>] = &[
        ("A", &[("1.1", "N/A"), ("1.2", "N/A")], &[]),
        ("B", &[("1.1", "có"), ("1.2", "N/A")], &[]),
    ];
    let results = score(&set("", "", TWO_LEAVES), units);
    let a = results.unit("A").expect("A");
    assert_eq!(
        a.node("1").map(|n| n.status),
        Some(parindex_core::NodeStatus::NotApplicable)
    );
    assert_eq!(a.index, None, "nothing applies: no index");
    let b = results.unit("B").expect("B");
    assert_eq!(
        b.node("1").map(|n| n.status),
        Some(parindex_core::NodeStatus::Scored)
    );
    assert_eq!((b.total, b.max, b.index), (d("1"), d("1"), Some(d("100"))));
    // The results keep the batch they scored, for explanations.
    assert_eq!(results.batch().map(|batch| batch.units().len()), Some(2));
}

/// The reason an explanation gives for a node.
fn reason(results: &Results, unit: &str, code: &str) -> String {
    results
        .explain(unit)
        .and_then(|e| e.lines.into_iter().find(|l| l.code == code))
        .map(|l| l.reason)
        .unwrap_or_else(|| panic!("{unit} {code}"))
}

#[test]
fn the_median_shown_is_the_middle_value_or_the_mean_of_the_two_middle_ones() {
    let rule = relative("median", "all");
    // Five values, 1, 2, 3, 4, 10: the median is the third, 3.
    let five: &[UnitRow<'_>] = &[
        ("A", &[("1.1", "1")], &[]),
        ("B", &[("1.1", "2")], &[]),
        ("C", &[("1.1", "3")], &[]),
        ("D", &[("1.1", "4")], &[]),
        ("E", &[("1.1", "10")], &[]),
    ];
    let results = score(&set("", "", &rule), five);
    assert_eq!(reason(&results, "B", "1.1"), "2 < median 3 → 1");
    assert_eq!(reason(&results, "C", "1.1"), "3 ≥ median 3 → 4");
    // Four values, 1, 2, 3, 10: the mean of 2 and 3, 2.5.
    let four: Vec<UnitRow<'_>> = [&five[..3], &five[4..]].concat();
    let results = score(&set("", "", &rule), &four);
    assert_eq!(reason(&results, "C", "1.1"), "3 ≥ median 2.5 → 4");
    // Two values, 1 and 3: their mean, 2.
    let two: Vec<UnitRow<'_>> = vec![five[0], five[2]];
    let results = score(&set("", "", &rule), &two);
    assert_eq!(reason(&results, "A", "1.1"), "1 < median 2 → 1");
    assert_eq!(reason(&results, "C", "1.1"), "3 ≥ median 2 → 4");
}

/// 1.1 worth 1, with the given rule; 1.2 worth 3 branches on 1.1's input: 3 points for yes when
/// it equals `equals`, otherwise 1 point for yes.
fn branch_on_leaf(source_rule: &str, equals: &str) -> String {
    format!(
        r#"
[[node]]
code = "1.1"
name = "Source"
max = 1
{source_rule}

[[node]]
code = "1.2"
name = "Depends on the source"
max = 3
[node.rule]
kind = "branch"
on = {{ node = "1.1" }}
[[node.rule.case]]
equals = {equals}
rule = {{ kind = "yes-no", yes = 3 }}
[[node.rule.case]]
rule = {{ kind = "yes-no", yes = 1 }}
"#
    )
}

#[test]
fn a_branch_on_a_leaf_holding_a_number_a_level_or_a_text() {
    let kind = "[attributes.kind]\ntype = \"text\"\n";
    let number_nodes = branch_on_leaf(r#"rule = { kind = "direct", step = 0.5 }"#, "1");
    // A number: points given directly to 1.1; the case is taken when they are exactly 1.
    let number = score(
        &set("", "", &number_nodes),
        &[
            ("A", &[("1.1", "1"), ("1.2", "có")], &[]),
            ("B", &[("1.1", "0.5"), ("1.2", "có")], &[]),
        ],
    );
    assert_eq!(points(&number, "A", "1.2"), d("3"));
    assert_eq!(points(&number, "B", "1.2"), d("1"));

    // A level, by its key: the case is taken for "full", whether written as its key or its
    // position.
    let levels = r#"[node.rule]
kind = "levels"
level = [{ key = "full", points = 1 }, { key = "none", points = 0 }]"#;
    let level = score(
        &set("", "", &branch_on_leaf(levels, "\"full\"")),
        &[
            ("A", &[("1.1", "full"), ("1.2", "có")], &[]),
            ("B", &[("1.1", "1"), ("1.2", "có")], &[]),
            ("C", &[("1.1", "none"), ("1.2", "có")], &[]),
        ],
    );
    let got: Vec<Decimal> = ["A", "B", "C"]
        .iter()
        .map(|u| points(&level, u, "1.2"))
        .collect();
    assert_eq!(got, [d("3"), d("3"), d("1")]);

    // A text: 1.1 is itself a branch (on an attribute, with only an otherwise case), whose
    // input is kept as the text written; the case is taken when that text is "có".
    let text_rule = r#"[node.rule]
kind = "branch"
on = { attribute = "kind" }
[[node.rule.case]]
rule = { kind = "yes-no" }"#;
    let text = score(
        &set("", kind, &branch_on_leaf(text_rule, "\"có\"")),
        &[
            ("A", &[("1.1", "có"), ("1.2", "có")], &[("kind", "x")]),
            ("B", &[("1.1", "không"), ("1.2", "có")], &[("kind", "x")]),
        ],
    );
    assert_eq!(
        (points(&text, "A", "1.1"), points(&text, "A", "1.2")),
        (d("1"), d("3"))
    );
    assert_eq!(
        (points(&text, "B", "1.1"), points(&text, "B", "1.2")),
        (d("0"), d("1"))
    );
}
