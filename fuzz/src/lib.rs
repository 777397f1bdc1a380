//! Shared pieces of the fuzz targets: the shipped sets compiled once, and the checks every
//! scored batch must pass.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use parindex_core::{Batch, NodeKind, NodeStatus, Plan, Results, shipped};
use parindex_io::{InputReader, ResultsDocument};
use rust_decimal::Decimal;

/// Every shipped set, compiled once per process.
pub fn plans() -> &'static [Plan] {
    static PLANS: OnceLock<Vec<Plan>> = OnceLock::new();
    PLANS.get_or_init(|| {
        shipped::list()
            .iter()
            .map(|s| {
                let loaded = shipped::load(&s.id).expect("a shipped set loads");
                Plan::new(&loaded.set)
            })
            .collect()
    })
}

/// Reads one file through the project's reader against `plan`; when it yields a batch, scores,
/// ranks and explains it and checks the results.
pub fn read_and_score(plan: &Plan, file: &str, bytes: &[u8]) {
    let mut reader = InputReader::new(plan);
    reader.read_bytes(file, bytes);
    match reader.finish() {
        Ok(inputs) => {
            score_and_check(plan, &inputs.batch, &inputs.names);
        }
        Err(error) => {
            assert!(!error.problems.is_empty(), "an error without a problem");
            // Messages are shown to people: building them must not panic either.
            let _ = error.to_string();
        }
    }
}

/// Scores a batch; on success ranks, explains and summarises every unit, checks that no
/// node outside a bonus or penalty block leaves `[0, applicable maximum]`, and returns the
/// results.
pub fn score_and_check(
    plan: &Plan,
    batch: &Batch,
    names: &BTreeMap<String, String>,
) -> Option<Results> {
    let results = match plan.score(batch) {
        Ok(results) => results,
        Err(error) => {
            assert!(
                !error.problems.is_empty(),
                "a score error without a problem"
            );
            let _ = error.to_string();
            return None;
        }
    };
    check_bounds(plan, &results);
    for card in &results.units {
        let explanation = card.explain();
        assert_eq!(explanation.lines.len(), plan.set().nodes.len());
        let _ = explanation.to_string();
    }
    let document = ResultsDocument::new(&results, names);
    let _ = document.to_json();
    Some(results)
}

/// Per node: whether it is, lies in or contains a bonus or penalty block.
fn touches_bonus_or_penalty(plan: &Plan) -> Vec<bool> {
    let set = plan.set();
    let special: Vec<&str> = set
        .nodes
        .iter()
        .filter(|n| n.kind != NodeKind::Scored)
        .map(|n| n.code.as_str())
        .collect();
    let related = |a: &str, b: &str| {
        a == b
            || a.strip_prefix(b).is_some_and(|r| r.starts_with('.'))
            || b.strip_prefix(a).is_some_and(|r| r.starts_with('.'))
    };
    set.nodes
        .iter()
        .map(|n| special.iter().any(|s| related(&n.code, s)))
        .collect()
}

fn check_bounds(plan: &Plan, results: &Results) {
    let set = plan.set();
    let special = touches_bonus_or_penalty(plan);
    let scale = set.policy.scale;
    for card in &results.units {
        assert_eq!(card.node_count(), set.nodes.len());
        for (i, score) in card.nodes().enumerate() {
            if special[i] {
                continue;
            }
            let code = &set.nodes[i].code;
            assert!(
                score.points >= Decimal::ZERO && score.points <= score.max,
                "unit {}, {code}: {} points of {} ({:?})",
                card.unit,
                score.points,
                score.max,
                score.status
            );
            if score.status == NodeStatus::NotApplicable {
                assert!(
                    score.points.is_zero(),
                    "unit {}, {code}: n/a with points",
                    card.unit
                );
            }
        }
        for stage in card.stages() {
            for (i, points) in stage.all_points().enumerate() {
                if !special[i] {
                    assert!(
                        points >= Decimal::ZERO,
                        "unit {}, {} at {}: {points}",
                        card.unit,
                        set.nodes[i].code,
                        stage.stage
                    );
                }
            }
        }
        if !special.iter().any(|s| *s) {
            assert!(
                card.total >= Decimal::ZERO && card.total <= card.max,
                "unit {}: total {} of {}",
                card.unit,
                card.total,
                card.max
            );
            if let Some(index) = card.index {
                assert!(
                    index >= Decimal::ZERO && index <= scale,
                    "unit {}: index {index} of {scale}",
                    card.unit
                );
            }
        }
    }
}
