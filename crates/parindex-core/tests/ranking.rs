//! Ranks worked out by hand: groups, units left out of the ranking, competition and dense ties,
//! tie-breakers, and ranking on the reported or the exact index.

mod common;

use parindex_core::{Batch, CriteriaSet, Plan};

/// A set of three leaves: 1.1 worth 1 point and 1.2 worth 3 in area 1, and 2.1 worth 1 in
/// area 2; the total is 5.
fn set(policy: &str) -> CriteriaSet {
    let header = common::header("ranking", "Ranking", 5, "ranking");
    let text = format!(
        r#"{header}
[policy]
{policy}

[attributes.district]
type = "text"

[[node]]
code = "1"
name = "Area"
max = 4

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

[[node]]
code = "2"
name = "Other area"
max = 1

[[node]]
code = "2.1"
name = "Other"
max = 1
rule = {{ kind = "yes-no" }}
"#
    );
    CriteriaSet::from_toml(&text, "ranking.toml")
        .expect("the test set loads")
        .set
}

/// A unit: id, 1.1, 1.2, district, ranked; 2.1 is "không", or "có" when the id ends in `+`,
/// "N/A" when it ends in `-`.
type UnitRow<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

/// Ranks by unit.
fn ranks(policy: &str, units: &[UnitRow<'_>]) -> Vec<(String, Option<u32>)> {
    let set = set(policy);
    let plan = Plan::new(&set);
    let mut batch = Batch::new(&plan);
    for (id, small, large, district, ranked) in units {
        let other = match id.chars().last() {
            Some('+') => "có",
            Some('-') => "N/A",
            _ => "không",
        };
        let u = batch.add_unit(id, []).expect("new unit");
        for (code, text) in [("1.1", *small), ("1.2", *large), ("2.1", other)] {
            batch.set_text(u, code, None, text).expect("a value");
        }
        if !district.is_empty() {
            batch
                .set_attribute_text(u, "district", district)
                .expect("district");
        }
        if !ranked.is_empty() {
            batch
                .set_attribute_text(u, "ranked", ranked)
                .expect("ranked");
        }
    }
    let results = plan.score(&batch).expect("scores");
    results
        .units
        .iter()
        .map(|u| (u.unit.clone(), u.rank))
        .collect()
}

fn expected(pairs: &[(&str, Option<u32>)]) -> Vec<(String, Option<u32>)> {
    pairs.iter().map(|(u, r)| ((*u).to_owned(), *r)).collect()
}

#[test]
fn competition_and_dense_ties() {
    // Indices: A 80, B 60, C 60, D 20, E 0.
    let units = [
        ("A", "có", "có", "", ""),
        ("B", "không", "có", "", ""),
        ("C", "không", "có", "", ""),
        ("D", "có", "không", "", ""),
        ("E", "không", "không", "", ""),
        // Nothing applies: no index, so no rank.
        ("Z-", "N/A", "N/A", "", ""),
    ];
    assert_eq!(
        ranks("ties = \"competition\"", &units),
        expected(&[
            ("A", Some(1)),
            ("B", Some(2)),
            ("C", Some(2)),
            ("D", Some(4)),
            ("E", Some(5)),
            ("Z-", None),
        ])
    );
    assert_eq!(
        ranks("ties = \"dense\"", &units),
        expected(&[
            ("A", Some(1)),
            ("B", Some(2)),
            ("C", Some(2)),
            ("D", Some(3)),
            ("E", Some(4)),
            ("Z-", None),
        ])
    );
}

#[test]
fn groups_rank_apart_and_unranked_units_get_no_rank() {
    // North: A 80, B 60 (not ranked), C 20. South: D 60, E 60, F 0.
    let units = [
        ("A", "có", "có", "north", ""),
        ("B", "không", "có", "north", "không"),
        ("C", "có", "không", "north", "có"),
        ("D", "không", "có", "south", ""),
        ("E", "không", "có", "south", ""),
        ("F", "không", "không", "south", ""),
    ];
    assert_eq!(
        ranks("group_by = \"district\"", &units),
        expected(&[
            ("A", Some(1)),
            ("B", None),
            ("C", Some(2)),
            ("D", Some(1)),
            ("E", Some(1)),
            ("F", Some(3)),
        ])
    );
}

#[test]
fn tie_breakers_order_equal_indices() {
    // A won 1.1 (area 1 at 25), B+ won 2.1 (area 2 at 100): both total 1 of 5, index 20.
    // C won nothing.
    let units = [
        ("A", "có", "không", "", ""),
        ("B+", "không", "không", "", ""),
        ("C", "không", "không", "", ""),
    ];
    assert_eq!(
        ranks("", &units),
        expected(&[("A", Some(1)), ("B+", Some(1)), ("C", Some(3))])
    );
    assert_eq!(
        ranks("tie_breakers = [\"2\"]", &units),
        expected(&[("A", Some(2)), ("B+", Some(1)), ("C", Some(3))])
    );
    assert_eq!(
        ranks("tie_breakers = [\"1\"]", &units),
        expected(&[("A", Some(1)), ("B+", Some(2)), ("C", Some(3))])
    );
}
