//! Golden vectors: units scored by hand from the official tables (`tests/golden/<set id>/`),
//! compared exactly with the engine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use parindex_core::{Batch, Plan, ReformArea, Results, shipped};
use rust_decimal::Decimal;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GoldenFile {
    unit: Vec<GoldenUnit>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GoldenUnit {
    id: String,
    #[serde(default)]
    attributes: BTreeMap<String, toml::Value>,
    #[serde(default)]
    values: BTreeMap<String, String>,
    #[serde(default)]
    stages: BTreeMap<String, BTreeMap<String, String>>,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    total: String,
    index: String,
    band: Option<String>,
    #[serde(default)]
    areas: BTreeMap<String, String>,
    #[serde(default)]
    nodes: BTreeMap<String, String>,
    warnings: Option<usize>,
    /// Per reform area: points, applicable maximum and the reported sub-index (absent when
    /// nothing in the area applies).
    #[serde(default)]
    reform_areas: BTreeMap<String, GoldenArea>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GoldenArea {
    points: String,
    max: String,
    index: Option<String>,
}

fn golden_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden")
}

fn units_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("golden folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            units_files(&path, found);
        } else if path.file_name().is_some_and(|n| n == "units.toml") {
            found.push(path);
        }
    }
}

fn attribute_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn score_golden(id: &str, golden: &GoldenFile) -> Results {
    let set = shipped::load(id)
        .unwrap_or_else(|e| panic!("{id}: {e}"))
        .set;
    let plan = Plan::new(&set);
    let mut batch = Batch::new(&plan);
    let first_stage = set.policy.stages[0].clone();
    for unit in &golden.unit {
        let u = batch.add_unit(&unit.id, []).expect("unit");
        for (name, value) in &unit.attributes {
            batch
                .set_attribute_text(u, name, &attribute_text(value))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        for (code, text) in &unit.values {
            batch
                .set_text(u, code, Some(&first_stage), text)
                .unwrap_or_else(|e| panic!("{id}: {e}"));
        }
        for (stage, values) in &unit.stages {
            for (code, text) in values {
                batch
                    .set_text(u, code, Some(stage), text)
                    .unwrap_or_else(|e| panic!("{id}: {e}"));
            }
        }
    }
    plan.score(&batch).unwrap_or_else(|e| panic!("{id}: {e}"))
}

fn exact(text: &str) -> Decimal {
    text.parse()
        .unwrap_or_else(|_| panic!("{text} is not a decimal"))
}

#[test]
fn golden_vectors_match_the_hand_worked_results() {
    let mut files = Vec::new();
    units_files(&golden_root(), &mut files);
    // Every shipped set has its golden vectors, worked out by hand: a new set without them fails.
    let with_vectors: std::collections::BTreeSet<String> = files
        .iter()
        .filter_map(|f| f.parent()?.strip_prefix(golden_root()).ok())
        .map(|p| p.display().to_string())
        .collect();
    for shipped_set in shipped::list() {
        assert!(
            with_vectors.contains(&shipped_set.id),
            "{} has no golden vectors in tests/golden/{}/units.toml",
            shipped_set.id,
            shipped_set.id
        );
    }
    let mut failures = Vec::new();
    for file in files {
        let id = file
            .parent()
            .and_then(|p| p.strip_prefix(golden_root()).ok())
            .map(|p| p.display().to_string())
            .expect("set id from the path");
        let text = std::fs::read_to_string(&file).expect("readable");
        let golden: GoldenFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(golden.unit.len() >= 3, "{id}: at least three golden units");
        let results = score_golden(&id, &golden);
        for unit in &golden.unit {
            let card = results.unit(&unit.id).expect("scored");
            let mut check = |what: String, got: Option<Decimal>, want: &str| {
                if got != Some(exact(want)) {
                    failures.push(format!(
                        "{id} {} {what}: engine {got:?}, hand {want}",
                        unit.id
                    ));
                }
            };
            check("total".into(), Some(card.total), &unit.expect.total);
            check("index".into(), card.reported_index, &unit.expect.index);
            for (code, want) in &unit.expect.areas {
                check(format!("area {code}"), card.points(code), want);
            }
            for (code, want) in &unit.expect.nodes {
                check(format!("node {code}"), card.points(code), want);
            }
            let areas = card.reform_areas();
            let mut wrong_indices = Vec::new();
            for (name, want) in &unit.expect.reform_areas {
                let area = name
                    .parse::<ReformArea>()
                    .unwrap_or_else(|e| panic!("{id}: {e}"));
                let got = areas.iter().find(|a| a.area == area);
                check(
                    format!("{name} points"),
                    got.map(|a| a.points),
                    &want.points,
                );
                check(format!("{name} max"), got.map(|a| a.max), &want.max);
                let index = got.and_then(|a| a.reported_index);
                if index != want.index.as_deref().map(exact) {
                    wrong_indices.push(format!(
                        "{id} {} {name} index: engine {index:?}, hand {:?}",
                        unit.id, want.index
                    ));
                }
            }
            failures.append(&mut wrong_indices);
            if !unit.expect.reform_areas.is_empty() && areas.len() != unit.expect.reform_areas.len()
            {
                failures.push(format!(
                    "{id} {}: engine has {} reform areas, hand {}",
                    unit.id,
                    areas.len(),
                    unit.expect.reform_areas.len()
                ));
            }
            if let Some(band) = &unit.expect.band {
                if card.band.as_ref() != Some(band) {
                    failures.push(format!(
                        "{id} {} band: engine {:?}, hand {band}",
                        unit.id, card.band
                    ));
                }
            }
            if let Some(expected) = unit.expect.warnings {
                let got = results
                    .warnings
                    .iter()
                    .filter(|w| w.unit == unit.id)
                    .count();
                if got != expected {
                    failures.push(format!(
                        "{id} {} warnings: engine {got}, hand {expected}",
                        unit.id
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
