//! Golden units: units whose results were worked out by hand from the printed table, checked
//! against a set. A province checks its own transcription with them (`parindex test`); the
//! shipped sets' golden vectors (`tests/golden/<set id>/units.toml`) are checked the same way.
//!
//! ```toml
//! [[unit]]
//! id = "all-max"
//! attributes = { group = "urban" }        # optional
//! [unit.values]                           # the first stage
//! "1.1.4" = "100%"
//! [unit.stages.appraisal]                 # optional, any later stage
//! "1.1.4" = "7/9"
//! [unit.expect]
//! total = "59"
//! index = "98.33"                          # the reported index
//! band = "A"                               # optional
//! nodes = { "1.1.4" = "1" }                # optional: points of any node
//! warnings = 0                             # optional
//! [unit.expect.reform_areas.direction]     # optional
//! points = "17"
//! max = "17"
//! index = "100.00"
//! ```

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::{Batch, CriteriaSet, Plan, ReformArea, Results};

/// A golden units file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldenFile {
    /// The units.
    pub unit: Vec<GoldenUnit>,
}

/// One unit worked out by hand: its inputs and what the set must give it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldenUnit {
    /// The unit's id.
    pub id: String,
    /// The line of the file where the unit's id is written, for messages.
    #[serde(skip)]
    pub line: usize,
    /// Its attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, toml::Value>,
    /// Values of the first stage, by leaf code.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// Values of other stages, by stage and leaf code.
    #[serde(default)]
    pub stages: BTreeMap<String, BTreeMap<String, String>>,
    /// What the set must give it.
    pub expect: Expected,
}

/// A golden unit's results, as worked out by hand.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// The total points.
    pub total: String,
    /// The reported index.
    pub index: String,
    /// The band.
    pub band: Option<String>,
    /// Points of areas, by code (kept apart from `nodes` for the reader's sake).
    #[serde(default)]
    pub areas: BTreeMap<String, String>,
    /// Points of any node, by code.
    #[serde(default)]
    pub nodes: BTreeMap<String, String>,
    /// How many warnings the unit gets.
    pub warnings: Option<usize>,
    /// Per reform area: points, applicable maximum and reported sub-index.
    #[serde(default)]
    pub reform_areas: BTreeMap<String, ExpectedArea>,
}

/// A reform area's results, as worked out by hand.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedArea {
    /// Points.
    pub points: String,
    /// The applicable maximum.
    pub max: String,
    /// The reported sub-index; absent when nothing in the area applies.
    pub index: Option<String>,
}

/// One figure where the engine and the hand disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The unit.
    pub unit: String,
    /// What was compared: `total`, `index`, `band`, `node 1.1.4`, `direction points`…
    pub what: String,
    /// What the engine gives.
    pub engine: String,
    /// What the hand worked out.
    pub expected: String,
}

/// What checking a golden file found.
#[derive(Debug, Clone, Default)]
pub struct GoldenReport {
    /// Units checked.
    pub units: usize,
    /// Figures compared.
    pub checks: usize,
    /// Figures that disagree.
    pub mismatches: Vec<Mismatch>,
}

/// Why a golden file could not be checked.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct GoldenError {
    /// The file.
    pub file: String,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl GoldenFile {
    /// Reads a golden file's text; `file` names it in messages.
    pub fn from_toml(text: &str, file: &str) -> Result<GoldenFile, GoldenError> {
        let mut golden: GoldenFile = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((1, 1), |span| line_column(text, span.start));
            GoldenError {
                file: file.to_owned(),
                line,
                column,
                message: e.message().to_owned(),
            }
        })?;
        for unit in &mut golden.unit {
            let quoted = format!("\"{}\"", unit.id);
            unit.line = text
                .lines()
                .position(|l| l.trim_start().starts_with("id") && l.contains(&quoted))
                .map_or(1, |i| i + 1);
        }
        Ok(golden)
    }

    /// Scores the units with a set and compares every figure given with the engine's.
    pub fn check(&self, set: &CriteriaSet, file: &str) -> Result<GoldenReport, GoldenError> {
        let results = self.score(set, file)?;
        let mut report = GoldenReport {
            units: self.unit.len(),
            ..GoldenReport::default()
        };
        for unit in &self.unit {
            compare(&results, unit, &mut report);
        }
        Ok(report)
    }

    fn score(&self, set: &CriteriaSet, file: &str) -> Result<Results, GoldenError> {
        let problem = |line: usize, message: String| GoldenError {
            file: file.to_owned(),
            line,
            column: 1,
            message,
        };
        let plan = Plan::new(set);
        let mut batch = Batch::new(&plan);
        let first_stage = set.policy.stages[0].clone();
        for unit in &self.unit {
            let at = |m: String| problem(unit.line, format!("unit {}: {m}", unit.id));
            let u = batch.add_unit(&unit.id, []).map_err(|e| at(e.message))?;
            for (name, value) in &unit.attributes {
                let text = match value {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                batch
                    .set_attribute_text(u, name, &text)
                    .map_err(|e| at(format!("{name}: {}", e.message)))?;
            }
            let stages = std::iter::once((&first_stage, &unit.values)).chain(unit.stages.iter());
            for (stage, values) in stages {
                for (code, text) in values {
                    batch
                        .set_text(u, code, Some(stage), text)
                        .map_err(|e| at(format!("{code} ({stage}): {}", e.message)))?;
                }
            }
        }
        plan.score(&batch).map_err(|e| problem(1, e.to_string()))
    }
}

/// The 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Compares one unit's figures.
fn compare(results: &Results, unit: &GoldenUnit, report: &mut GoldenReport) {
    let Some(card) = results.unit(&unit.id) else {
        return;
    };
    let mut check = |what: String, engine: Option<Decimal>, expected: Option<&str>| {
        report.checks += 1;
        let wanted = expected.map(|t| t.trim().parse::<Decimal>());
        let agree = match (&wanted, engine) {
            (Some(Ok(w)), Some(e)) => *w == e,
            (None, None) => true,
            _ => false,
        };
        if !agree {
            report.mismatches.push(Mismatch {
                unit: unit.id.clone(),
                what,
                engine: engine.map_or_else(|| "none".to_owned(), |d| d.normalize().to_string()),
                expected: expected.unwrap_or("none").to_owned(),
            });
        }
    };
    let e = &unit.expect;
    check("total".into(), Some(card.total), Some(&e.total));
    check("index".into(), card.reported_index, Some(&e.index));
    for (code, want) in e.areas.iter().chain(&e.nodes) {
        check(format!("node {code}"), card.points(code), Some(want));
    }
    let areas = card.reform_areas();
    for (name, want) in &e.reform_areas {
        let got = name
            .parse::<ReformArea>()
            .ok()
            .and_then(|area| areas.iter().find(|a| a.area == area));
        check(
            format!("{name} points"),
            got.map(|a| a.points),
            Some(&want.points),
        );
        check(format!("{name} max"), got.map(|a| a.max), Some(&want.max));
        check(
            format!("{name} index"),
            got.and_then(|a| a.reported_index),
            want.index.as_deref(),
        );
    }
    if !e.reform_areas.is_empty() {
        report.checks += 1;
        if areas.len() != e.reform_areas.len() {
            report.mismatches.push(Mismatch {
                unit: unit.id.clone(),
                what: "reform areas".into(),
                engine: areas.len().to_string(),
                expected: e.reform_areas.len().to_string(),
            });
        }
    }
    if let Some(band) = &e.band {
        report.checks += 1;
        if card.band.as_ref() != Some(band) {
            report.mismatches.push(Mismatch {
                unit: unit.id.clone(),
                what: "band".into(),
                engine: card.band.clone().unwrap_or_else(|| "none".to_owned()),
                expected: band.clone(),
            });
        }
    }
    if let Some(expected) = e.warnings {
        report.checks += 1;
        let got = results
            .warnings
            .iter()
            .filter(|w| w.unit == unit.id)
            .count();
        if got != expected {
            report.mismatches.push(Mismatch {
                unit: unit.id.clone(),
                what: "warnings".into(),
                engine: got.to_string(),
                expected: expected.to_string(),
            });
        }
    }
}
