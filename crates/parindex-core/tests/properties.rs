//! Invariants of scoring, checked on random units against the shipped sets.

use parindex_core::batch::PackedRow;
use parindex_core::{
    Answer, Batch, CriteriaSet, ExplainMemo, InputShape, Kept, Measure, NodeKind, NodeStatus, Plan,
    Rule, shipped,
};
use parindex_core::{PerItem, Proportional, Tiers};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// Raw randomness for one leaf: what kind of input, and two numbers to shape it.
type LeafDraw = (u8, u32, u32);

/// A text an office could write for this rule, from raw randomness; `None` leaves it missing.
fn text_for(rule: &Rule, (kind, a, b): LeafDraw) -> Option<String> {
    match kind % 20 {
        0 => return None,
        1 => return Some("N/A".to_owned()),
        _ => {}
    }
    let percent = || {
        let den = b % 50 + 1;
        if a % 2 == 0 {
            format!("{}/{den}", a % (den + 1))
        } else {
            format!("{}.{}", a % 100, b % 10)
        }
    };
    let pick = |answers: &[Answer<'_>]| answers[a as usize % answers.len()].key.to_string();
    Some(match rule.input() {
        InputShape::Answer(answers)
        | InputShape::Date {
            outcomes: answers, ..
        } => pick(&answers),
        InputShape::Count => (a % 12).to_string(),
        InputShape::Number => format!("{}.{}", a % 200, b % 100),
        InputShape::Percent | InputShape::Survey => percent(),
        InputShape::Trend => format!("{} → {}", a % 100, b % 100),
        InputShape::Points { .. } | InputShape::ByCase => return None,
    })
}

fn batch_for(plan: &Plan, units: &[Vec<LeafDraw>]) -> Batch {
    let mut batch = Batch::new(plan);
    let rules: Vec<&Rule> = plan
        .set()
        .leaves()
        .filter_map(|n| n.rule.as_ref())
        .collect();
    for (u, draws) in units.iter().enumerate() {
        let unit = batch.add_unit(&format!("U{u:03}"), []).expect("new unit");
        for ((code, rule), draw) in plan.leaf_codes().zip(&rules).zip(draws) {
            if let Some(text) = text_for(rule, *draw) {
                batch
                    .set_text(unit, code, None, &text)
                    .unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }
    batch
}

fn division_set() -> CriteriaSet {
    shipped::load("binh-thuan-police/division-procedures/2024")
        .expect("shipped")
        .set
}

fn draws(
    leaves: usize,
    units: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<Vec<LeafDraw>>> {
    prop::collection::vec(prop::collection::vec(any::<LeafDraw>(), leaves), units)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A memo of explanations words every node as explaining it afresh does, across units that
    /// share values (`87.5` and `87.50` apart), evidence statuses and not-applicable leaves.
    #[test]
    fn explanations_from_the_memo_are_worded_as_afresh(units in draws(92, 2..12)) {
        let set = division_set();
        let plan = Plan::new(&set);
        // Every unit twice over, so that the second meets the first's words in the memo.
        let units: Vec<_> = units.iter().chain(&units).cloned().collect();
        let results = plan.score(&batch_for(&plan, &units)).expect("scores");
        let mut memo = ExplainMemo::new();
        // Nodes of the same key have the same result, to the trailing zeros of its figures.
        let mut results_by_key = std::collections::HashMap::new();
        for card in &results.units {
            for position in 0..set.nodes.len() {
                prop_assert_eq!(card.explain_node_with(position, &mut memo), card.explain_node(position));
                let score = card.node_at(position).expect("every node kept");
                if let Some(key) = card.node_key(position) {
                    let first = *results_by_key.entry(key).or_insert(score);
                    prop_assert_eq!(first, score);
                    prop_assert_eq!(first.points.to_string(), score.points.to_string());
                    prop_assert_eq!(first.max.to_string(), score.max.to_string());
                }
            }
        }
    }

    #[test]
    fn points_stay_within_maxima_and_parents_sum_their_children(units in draws(92, 1..6)) {
        let set = division_set();
        let plan = Plan::new(&set);
        let results = plan.score(&batch_for(&plan, &units)).expect("scores");
        for card in &results.units {
            let nodes: Vec<_> = card.nodes().collect();
            for (node, score) in set.nodes.iter().zip(&nodes) {
                if node.kind == NodeKind::Scored {
                    prop_assert!(score.points >= Decimal::ZERO && score.points <= score.max, "{} {:?}", node.code, score);
                    prop_assert!(score.max <= node.max);
                }
                let children: Vec<usize> = set.nodes.iter().enumerate()
                    .filter(|(_, n)| n.parent_code() == Some(node.code.as_str())).map(|(i, _)| i).collect();
                if !children.is_empty() && score.status != NodeStatus::NotApplicable {
                    let sum: Decimal = children.iter().map(|i| nodes[*i].points).sum();
                    prop_assert_eq!(sum, score.points, "{}", node.code);
                }
            }
            if let Some(index) = card.index {
                prop_assert!(index >= Decimal::ZERO && index <= set.policy.scale);
            }
        }
    }

    #[test]
    fn reform_areas_share_out_the_total_and_the_applicable_maximum(units in draws(92, 1..6)) {
        // The set has no bonus block and never rescales, and every scored leaf has a reform
        // area, so the areas' points and maxima add up to the unit's.
        let set = division_set();
        let plan = Plan::new(&set);
        let results = plan.score(&batch_for(&plan, &units)).expect("scores");
        for card in &results.units {
            let areas = card.reform_areas();
            prop_assert_eq!(areas.len(), 8);
            let points: Decimal = areas.iter().map(|a| a.points).sum();
            let max: Decimal = areas.iter().map(|a| a.max).sum();
            prop_assert_eq!(points, card.total);
            prop_assert_eq!(max, card.max);
            for area in &areas {
                prop_assert!(area.points >= Decimal::ZERO && area.points <= area.max);
                prop_assert_eq!(area.index.is_none(), area.max.is_zero());
            }
        }
    }

    #[test]
    fn results_do_not_depend_on_the_order_of_units(units in draws(92, 2..8), rotate in 1usize..7) {
        let set = division_set();
        let plan = Plan::new(&set);
        let forward = plan.score(&batch_for(&plan, &units)).expect("scores");
        // Same units, same ids, added in another order.
        let mut order: Vec<usize> = (0..units.len()).collect();
        order.rotate_left(rotate % units.len());
        let mut batch = Batch::new(&plan);
        let rules: Vec<&Rule> = set.leaves().filter_map(|n| n.rule.as_ref()).collect();
        for &u in &order {
            let unit = batch.add_unit(&format!("U{u:03}"), []).expect("new");
            // Inputs in reverse leaf order too.
            let codes: Vec<&str> = plan.leaf_codes().collect();
            for l in (0..codes.len()).rev() {
                if let Some(text) = text_for(rules[l], units[u][l]) {
                    batch.set_text(unit, codes[l], None, &text).expect("valid");
                }
            }
        }
        let shuffled = plan.score(&batch).expect("scores");
        for card in &forward.units {
            let other = shuffled.unit(&card.unit).expect("same unit");
            prop_assert!(card.nodes().eq(other.nodes()));
            prop_assert_eq!(card.rank, other.rank);
            prop_assert_eq!(&card.band, &other.band);
        }
    }

    #[test]
    fn a_better_measurement_never_lowers_the_points(a in 0u32..=1000, b in 0u32..=1000, count_a in 0u32..50, count_b in 0u32..50) {
        let set = division_set();
        let (low, high) = (Decimal::new(i64::from(a.min(b)), 1), Decimal::new(i64::from(a.max(b)), 1));
        let (few, many) = (Decimal::from(count_a.min(count_b)), Decimal::from(count_a.max(count_b)));
        let mut rules: Vec<(Rule, Decimal)> = set.leaves().filter_map(|n| n.rule.clone().map(|r| (r, n.max))).collect();
        rules.push((Rule::PerItem(PerItem { points: Decimal::new(5, 1), cap: None, floor: None }), Decimal::from(2)));
        rules.push((Rule::Proportional(Proportional { target: Some(Decimal::from(85)), floor: Some(Decimal::from(60)), cap: None, round: Some(2), clip: false, }), Decimal::from(10)));
        for (rule, max) in rules {
            let (worse, better) = match &rule {
                Rule::Tiers(Tiers { measure: Measure::Count, .. }) | Rule::PerItem(PerItem { .. }) => (few, many),
                Rule::Tiers(Tiers { .. }) | Rule::Proportional(Proportional { .. }) => (low, high),
                _ => continue,
            };
            let p = |x: Decimal| rule.points(&parindex_core::Value::Number(x), max).expect("in range");
            prop_assert!(p(better) >= p(worse), "{:?}: {} → {}, {} → {}", rule, worse, p(worse), better, p(better));
        }
    }
}

#[test]
fn results_are_identical_on_any_number_of_threads() {
    let set = division_set();
    let plan = Plan::new(&set);
    let leaves = plan.leaf_count();
    // Enough units for the scorer to use threads.
    let units: Vec<Vec<LeafDraw>> = (0..2_000u32)
        .map(|u| {
            (0..leaves as u32)
                .map(|l| ((u * 7 + l) as u8, u * 31 + l * 17, u ^ l))
                .collect()
        })
        .collect();
    let batch = batch_for(&plan, &units);
    let one = plan.score_with_threads(&batch, 1).expect("scores");
    for threads in [2, 3, 8] {
        let many = plan.score_with_threads(&batch, threads).expect("scores");
        assert_eq!(one.warnings, many.warnings);
        // Every unit, in the same order: a run that dropped one would not zip to a failure.
        assert_eq!(one.units.len(), units.len());
        assert_eq!(many.units.len(), one.units.len(), "{threads} threads");
        for (a, b) in one.units.iter().zip(&many.units) {
            assert_eq!(
                (&a.unit, a.nodes().collect::<Vec<_>>(), a.rank, &a.band),
                (&b.unit, b.nodes().collect::<Vec<_>>(), b.rank, &b.band)
            );
        }
    }
}

#[test]
fn keeping_only_the_areas_results_changes_nothing_the_summary_reads() {
    let set = division_set();
    let plan = Plan::new(&set);
    let leaves = plan.leaf_count();
    let units: Vec<Vec<LeafDraw>> = (0..1_500u32)
        .map(|u| {
            (0..leaves as u32)
                .map(|l| ((u * 5 + l) as u8, u * 13 + l * 7, u ^ (l * 3)))
                .collect()
        })
        .collect();
    let batch = batch_for(&plan, &units);
    let every = plan.score_keeping(&batch, 2, Kept::Every).expect("scores");
    let areas = plan.score_keeping(&batch, 2, Kept::Areas).expect("scores");
    assert_eq!(every.warnings, areas.warnings);
    assert_eq!(every.units.len(), units.len());
    assert_eq!(areas.units.len(), units.len());
    let area_positions: Vec<usize> = set.areas_with_positions().map(|(i, _)| i).collect();
    let a_leaf = set
        .nodes
        .iter()
        .position(|n| n.rule.is_some())
        .expect("a leaf");
    for (e, a) in every.units.iter().zip(&areas.units) {
        assert_eq!(
            (&e.unit, e.total, e.max, e.index, e.reported_index),
            (&a.unit, a.total, a.max, a.index, a.reported_index)
        );
        assert_eq!((e.rank, &e.band, &e.group), (a.rank, &a.band, &a.group));
        for &i in &area_positions {
            assert_eq!(e.node_at(i), a.node_at(i), "{} at {i}", e.unit);
            assert!(a.node_at(i).is_some());
        }
        assert_eq!(a.node_count(), area_positions.len());
        assert_eq!(e.node_count(), set.nodes.len());
        assert!(e.node_at(a_leaf).is_some());
        assert_eq!(a.node_at(a_leaf), None, "the card keeps no leaf");
    }
}

#[test]
fn every_shipped_set_written_back_loads_identically() {
    for shipped_set in shipped::list() {
        let set = shipped::load(&shipped_set.id).expect("loads").set;
        let text = set.to_toml();
        let again = CriteriaSet::from_toml(&text, "again.toml")
            .unwrap_or_else(|e| panic!("{}: {e}", shipped_set.id))
            .set;
        assert_eq!(strip(again), strip(set), "{}", shipped_set.id);
    }
}

fn strip(mut set: CriteriaSet) -> CriteriaSet {
    set.content_hash.clear();
    set.nodes
        .iter_mut()
        .for_each(|n| n.location = Default::default());
    set.acknowledgements
        .iter_mut()
        .for_each(|a| a.location = Default::default());
    set.bands
        .iter_mut()
        .for_each(|b| b.location = Default::default());
    set
}

#[test]
fn the_memo_words_each_value_as_written_however_many_decimals() {
    let set = division_set();
    let plan = Plan::new(&set);
    let (code, rule) = set
        .leaves()
        .find_map(|n| match &n.rule {
            Some(
                rule @ Rule::Tiers(Tiers {
                    measure: Measure::Percent,
                    ..
                }),
            ) => Some((n.code.clone(), rule)),
            _ => None,
        })
        .expect("a percent leaf");
    let mut batch = Batch::new(&plan);
    for (id, text) in [("A", "87.5"), ("B", "87.50"), ("C", "87.5")] {
        let unit = batch.add_unit(id, []).expect("new unit");
        batch.set_text(unit, &code, None, text).expect("read");
    }
    let results = plan.score(&batch).expect("scores");
    let position = set.nodes.iter().position(|n| n.code == code).expect("node");
    let mut memo = ExplainMemo::new();
    let words: Vec<_> = results
        .units
        .iter()
        .map(|card| card.explain_node_with(position, &mut memo).0)
        .collect();
    let shown = |text: &str| rule.show(&rule.parse(text).expect("parses"));
    assert_eq!(
        words,
        [
            Some(shown("87.5")),
            Some(shown("87.50")),
            Some(shown("87.5"))
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// A row packed ahead and set at once ([`PackedRow`]) gives the batch the same cells as
    /// setting them one by one: on a stage with no cells yet, and over cells already given
    /// there, whose evidence it keeps. What does not pack is set on its own.
    #[test]
    fn a_row_set_at_once_gives_the_cells_set_one_by_one(
        units in draws(92, 1..6),
    ) {
        let plan = Plan::new(&division_set());
        let given = batch_for(&plan, &units);
        let mut by_rows = Batch::new(&plan);
        for (u, unit) in given.units().iter().enumerate() {
            let position = by_rows.add_unit(&unit.id, []).expect("new unit");
            // Half the units first get a value with evidence at the row's stage, which a row
            // set over it keeps.
            let earlier = u % 2 == 0;
            if earlier {
                by_rows
                    .set_text(position, "1.2.2", Some("appraisal"), "có")
                    .expect("read");
                by_rows
                    .set_evidence(position, "1.2.2", Some("appraisal"), true)
                    .expect("recorded");
            }
            let mut row = PackedRow::new(plan.leaf_count());
            let mut alone = Vec::new();
            for leaf in 0..plan.leaf_count() {
                if let Some(cell) = given.get(u, leaf, 0) {
                    if !row.set(leaf, &cell.input) {
                        alone.push((leaf, cell.input.clone()));
                    }
                }
            }
            let packed = (0..plan.leaf_count()).any(|leaf| {
                given.get(u, leaf, 0).is_some() && !alone.iter().any(|(l, _)| *l == leaf)
            });
            by_rows.set_row(position, 1, row).expect("set");
            prop_assert_eq!(by_rows.has_stage(position, 1), earlier || packed);
            for (leaf, input) in alone {
                by_rows.set_at(position, leaf, 1, input).expect("set");
            }
            for leaf in 0..plan.leaf_count() {
                let want = given.get(u, leaf, 0).map(|c| c.input.clone());
                let got = by_rows.get(position, leaf, 1);
                let evidence = got.as_ref().and_then(|c| c.evidence);
                let code = plan.leaf_code(leaf).expect("a leaf");
                if earlier && code == "1.2.2" {
                    prop_assert_eq!(evidence, Some(true));
                    if want.is_none() {
                        continue;
                    }
                } else {
                    prop_assert_eq!(evidence, None);
                }
                prop_assert_eq!(got.map(|c| c.input.clone()), want);
            }
            let any = (0..plan.leaf_count()).any(|leaf| given.get(u, leaf, 0).is_some());
            prop_assert_eq!(by_rows.has_stage(position, 1), earlier || any);
            prop_assert!(!by_rows.has_stage(position, 0));
        }
        // A row of another length is refused.
        prop_assert!(by_rows.set_row(0, 0, PackedRow::new(3)).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// A unit scores the same alone as among units that share its values, whose points the
    /// scorer remembers from unit to unit: every node's result, and its warnings.
    #[test]
    fn a_unit_scores_alone_as_among_units_sharing_its_values(
        units in draws(92, 2..24),
        id in prop::sample::select(vec![
            "binh-thuan-police/division-procedures/2024",
            "binh-thuan-police/commune/2024",
        ]),
    ) {
        let plan = Plan::new(&shipped::load(id).expect("shipped").set);
        let units: Vec<Vec<LeafDraw>> = units
            .into_iter()
            .map(|draws| draws.into_iter().take(plan.leaf_count()).collect())
            .collect();
        let Ok(together) = plan.score_with_threads(&batch_for(&plan, &units), 1) else {
            // Units whose values a rule refuses are refused alike alone: not this property's.
            return Ok(());
        };
        for (u, draws) in units.iter().enumerate() {
            let alone = plan
                .score_with_threads(&batch_for(&plan, std::slice::from_ref(draws)), 1)
                .expect("scores alone as together");
            let card = &together.units[u];
            prop_assert_eq!(
                card.nodes().collect::<Vec<_>>(),
                alone.units[0].nodes().collect::<Vec<_>>()
            );
            prop_assert_eq!((card.total, card.max), (alone.units[0].total, alone.units[0].max));
            let own: Vec<_> = together
                .warnings
                .iter()
                .filter(|w| w.unit == card.unit)
                .map(|w| (&w.code, &w.message))
                .collect();
            let alone_warnings: Vec<_> = alone.warnings.iter().map(|w| (&w.code, &w.message)).collect();
            prop_assert_eq!(own, alone_warnings);
        }
    }
}
