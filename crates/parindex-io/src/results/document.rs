//! The document's types, and the reader that turns a results file back into them.
//!
//! The types are a typed view of the document: they are read from JSON, never written by serde
//! derive. The types whose values appear whole in the document (the set, bands, nodes, warnings,
//! a derivation) serialize as the encoder writes them; a unit, a node's result and a stage total
//! serialize through the encoder's own views, so that one writer decides the
//! document's shape.

use std::collections::BTreeMap;
use std::path::Path;

use parindex_core::records::{Derivation, TaskOutcome};
use parindex_core::{NodeStatus, ReformArea, Results, YearResults, YearUnit};
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::encode::{all_threads, write_document};
use super::{SCHEMA, decimal, write_results_json};
use crate::error::IoError;

/// A scoring run's results: the set, the engine, and per unit its totals, index, rank, band and
/// the detail of every node.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
pub struct ResultsDocument {
    /// Always `parindex-results/1` for this shape.
    pub schema: String,
    /// The criteria set scored.
    pub set: SetSummary,
    /// The version of the parindex engine that scored.
    pub engine_version: String,
    /// The set's stages, in order.
    pub stages: Vec<String>,
    /// The set's bands, best first.
    pub bands: Vec<BandSummary>,
    /// The set's nodes, in the table's order.
    pub nodes: Vec<NodeSummary>,
    /// The reform areas of the set's scored rows, in the vocabulary's order; empty for a set
    /// that declares none (and in documents written before reform areas).
    #[serde(default)]
    pub reform_areas: Vec<ReformAreaSummary>,
    /// One entry per unit, in input order.
    pub units: Vec<UnitResult>,
    /// Warnings met while scoring (missing inputs scored 0).
    pub warnings: Vec<WarningEntry>,
}

/// Identity of the set behind the results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SetSummary {
    /// The set's id, `authority/level/year`.
    pub id: String,
    /// SHA-256 of the set's file, in hex.
    pub content_hash: String,
    /// The year scored.
    pub year: i32,
    /// What is scored: commune, division, official…
    pub level: String,
    /// The set's title.
    pub title: String,
    /// The index scale, a decimal string (`"100"`).
    pub scale: String,
    /// Decimals of a reported index.
    pub decimals: u32,
}

/// A band of the set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BandSummary {
    /// Short name: `A`, `HTXSNV`.
    pub name: String,
    /// Full name.
    pub label: Option<String>,
    /// The index range, as written in the set: `80 <= x < 90`.
    pub when: String,
}

/// A node of the set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NodeSummary {
    /// The code: `1.2.3`.
    pub code: String,
    /// The name, as printed.
    pub name: String,
    /// The maximum printed, a decimal string.
    pub max: String,
    /// The parent's code; absent for an area.
    pub parent: Option<String>,
    /// Whether it has a rule (no children).
    pub leaf: bool,
    /// `scored`, `bonus` or `penalty`.
    pub kind: String,
}

/// A reform area of the set: its name, and the largest nodes wholly in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReformAreaSummary {
    /// The area's name in files: `direction`, `institutional`, `procedures`, `organisation`,
    /// `civil-service`, `public-finance`, `modernisation` or `impact`.
    pub area: String,
    /// Its name in Vietnamese.
    pub name: String,
    /// Its name in English.
    pub name_en: String,
    /// The sum of the maxima of its nodes, a decimal string.
    pub max: String,
    /// The codes of the largest nodes wholly in the area, in the table's order.
    pub nodes: Vec<String>,
}

/// One unit's sub-index in one reform area.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
pub struct UnitReformArea {
    /// The area's name, as in the document's `reform_areas`.
    pub area: String,
    /// Points won in the area's rows, a decimal string.
    pub points: String,
    /// Their applicable maximum, a decimal string (`"0"` when none applies).
    pub max: String,
    /// `points ÷ max × scale`, exact, a decimal string; absent when nothing in the area applies.
    pub index: Option<String>,
    /// The sub-index rounded as the set reports indices (`"89.50"`).
    pub reported_index: Option<String>,
}

/// One unit's results.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
pub struct UnitResult {
    /// The unit's id.
    pub unit: String,
    /// The unit's name, when an input gave one.
    pub name: Option<String>,
    /// The unit's attributes: booleans as JSON booleans, numbers and text as strings.
    pub attributes: BTreeMap<String, AttributeValue>,
    /// Final points, a decimal string.
    pub total: String,
    /// The applicable maximum, a decimal string.
    pub max: String,
    /// `total ÷ max × scale`, exact, a decimal string; absent when nothing applies.
    pub index: Option<String>,
    /// The index rounded as the set reports it (`"89.50"`).
    pub reported_index: Option<String>,
    /// The rank within the group; absent for a unit not ranked.
    pub rank: Option<u32>,
    /// The ranking group, when the set ranks by group.
    pub group: Option<String>,
    /// The band's name.
    pub band: Option<String>,
    /// Per stage present, in order: the total at that stage.
    pub stages: Vec<StageTotal>,
    /// Per reform area of the set, in the order of the document's `reform_areas`: the unit's
    /// sub-index.
    #[serde(default)]
    pub reform_areas: Vec<UnitReformArea>,
    /// Per node, in the set's order.
    pub nodes: Vec<NodeResult>,
}

/// An attribute's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum AttributeValue {
    /// Yes or no.
    Bool(bool),
    /// Text, or a number written as a decimal string.
    Text(String),
}

/// A unit's total at one stage.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
pub struct StageTotal {
    /// The stage's name.
    pub stage: String,
    /// The total at that stage, a decimal string.
    pub total: String,
}

/// How a node's points came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Scored from a measurement or from its children.
    Scored,
    /// Does not apply to the unit.
    NotApplicable,
    /// No input at any stage: 0 points, with a warning.
    Missing,
    /// Self-assessed without evidence under a policy that requires it: 0 points.
    NoEvidence,
}

impl From<NodeStatus> for Status {
    fn from(status: NodeStatus) -> Self {
        match status {
            NodeStatus::Scored => Status::Scored,
            NodeStatus::NotApplicable => Status::NotApplicable,
            NodeStatus::Missing => Status::Missing,
            NodeStatus::NoEvidence => Status::NoEvidence,
        }
    }
}

/// One node's result for one unit.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
pub struct NodeResult {
    /// The node's code.
    pub code: String,
    /// Points won, a decimal string.
    pub points: String,
    /// The applicable maximum, a decimal string (`"0"` when the node does not apply).
    pub max: String,
    /// How the points came about.
    pub status: Status,
    /// For a leaf: the stage whose input was used; absent for a parent or a missing input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// For a leaf: the measurement seen, as text; absent for a parent or a missing input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<String>,
    /// Why: the branch of the rule that fired, or how a parent summed its children. Absent in a
    /// lean document (`parindex score --lean`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Points at each stage, by stage name, when the unit has more than one stage.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_stage: BTreeMap<String, String>,
    /// For a leaf measured from the year's records: what its value was derived from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived: Option<Derived>,
}

/// What a leaf's value was derived from: the unit's reform-plan tasks, or its survey answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "from", rename_all = "kebab-case")]
pub enum Derived {
    /// The tasks the unit leads in the year's reform plan.
    Plan {
        /// The plan's id.
        plan: String,
        /// Tasks the unit leads.
        assigned: u32,
        /// Tasks done, on time or late.
        done: u32,
        /// Tasks done by their deadline.
        on_time: u32,
        /// Every task the unit leads, in the plan's order.
        tasks: Vec<TaskEntry>,
    },
    /// The unit's survey answers to the item, per respondent group.
    Survey {
        /// One entry per respondent group (one, without a group, when the survey is not split).
        groups: Vec<SurveyGroupEntry>,
    },
}

/// One task of a unit, as the completion records show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TaskEntry {
    /// The task's code in the plan.
    pub task: String,
    /// The last day on time, dd/mm/yyyy; absent when the task cannot be late.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// The day done, dd/mm/yyyy; absent while not done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<String>,
    /// `on-time`, `late` or `not-done`.
    pub outcome: String,
    /// Days after the deadline, for a late task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_late: Option<i64>,
    /// The product recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
}

/// One respondent group's tally for a survey item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SurveyGroupEntry {
    /// The group; absent when the survey is not split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Respondents.
    pub respondents: u32,
    /// Respondents per answer, as `[answer, count]` pairs in the rule's order.
    pub counts: Vec<(String, u32)>,
    /// Respondents satisfied, when the rule says which answers count as satisfied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfied: Option<u32>,
    /// The share satisfied in percent, a decimal string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<String>,
    /// The option-weighted score in percent, a decimal string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted: Option<String>,
    /// The 95% Wilson interval of the share, as fractions with six decimals: `[low, high]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<(String, String)>,
}

impl Derived {
    /// The JSON view of a derivation.
    pub fn new(derivation: &Derivation) -> Self {
        match derivation {
            Derivation::Plan(tally) => Derived::Plan {
                plan: tally.plan.clone(),
                assigned: tally.assigned(),
                done: tally.done(),
                on_time: tally.on_time(),
                tasks: tally
                    .tasks
                    .iter()
                    .map(|t| TaskEntry {
                        task: t.task.clone(),
                        due: t.due.map(|d| d.to_string()),
                        done: t.done.map(|d| d.to_string()),
                        outcome: t.outcome.as_str().to_owned(),
                        days_late: match t.outcome {
                            TaskOutcome::Late { days } => Some(days),
                            _ => None,
                        },
                        product: t.product.clone(),
                    })
                    .collect(),
            },
            Derivation::Survey(tally) => Derived::Survey {
                groups: tally
                    .groups
                    .iter()
                    .map(|g| SurveyGroupEntry {
                        group: g.group.clone(),
                        respondents: g.respondents,
                        counts: g.counts.clone(),
                        satisfied: g.satisfied,
                        share: g.share().map(decimal),
                        weighted: g.weighted.map(decimal),
                        interval: g
                            .interval
                            .map(|(low, high)| (format!("{low:.6}"), format!("{high:.6}"))),
                    })
                    .collect(),
            },
        }
    }
}

/// A warning met while scoring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WarningEntry {
    /// The unit.
    pub unit: String,
    /// The leaf.
    pub code: String,
    /// What happened.
    pub message: String,
}

impl ResultsDocument {
    /// The document of a run's results, with every node's `seen` and `reason`; `names` gives
    /// units' names where known.
    ///
    /// It is read back from what [`write_results_json`] writes, so that it holds exactly what a
    /// results file of the run holds; [`ResultsDocument::to_json`] gives those bytes again.
    ///
    /// ```
    /// use parindex_core::{Batch, Plan, shipped};
    /// let plan = Plan::new(&shipped::load("binh-thuan-police/commune/2024")?.set);
    /// let mut batch = Batch::new(&plan);
    /// let ward = batch.add_unit("CAP-01", [])?;
    /// batch.set_text(ward, "1.1.4", None, "7/9")?;
    /// let results = plan.score(&batch)?;
    /// let doc = parindex_io::ResultsDocument::new(&results, &Default::default());
    /// assert_eq!(doc.schema, "parindex-results/1");
    /// assert_eq!(doc.units[0].total, "0.5");
    ///
    /// let mut written = Vec::new();
    /// parindex_io::write_results_json(&results, &Default::default(), true, &mut written)?;
    /// assert_eq!(doc.to_json().as_bytes(), written);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(results: &Results, names: &BTreeMap<String, String>) -> Self {
        let mut json = Vec::new();
        // Neither can fail: the bytes go to memory, and the encoder writes only documents of
        // this shape. A failure is a bug in the encoder, not a problem of the input.
        write_results_json(results, names, true, &mut json)
            .expect("the results document is written to memory");
        serde_json::from_slice(&json).expect("the encoder writes a parindex-results/1 document")
    }

    /// The document as JSON, ending with a newline: the bytes [`write_results_json`] writes,
    /// one line, written by the same encoder. A document read from a file parindex wrote gives
    /// back that file's bytes.
    pub fn to_json(&self) -> String {
        let mut json = Vec::new();
        // The bytes go to memory: the only failure left would be a bug in the encoder.
        write_document(self, all_threads(), &mut json)
            .expect("the results document is written to memory");
        // The encoder writes UTF-8; converting without a check that could panic.
        String::from_utf8_lossy(&json).into_owned()
    }

    /// Reads a document; `file` names it in messages. Refuses another schema version.
    pub fn from_json(text: &str, file: &str) -> Result<Self, IoError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // The schema is looked at first, skipping the rest: a document is never held twice,
        // as a tree of values and as the types.
        #[derive(Deserialize)]
        struct Probe {
            schema: Option<serde_json::Value>,
        }
        let probe = match serde_json::from_str::<Probe>(text) {
            Ok(probe) => probe,
            // Valid JSON that is not an object: no schema.
            Err(e) if e.is_data() => Probe { schema: None },
            Err(e) => {
                return Err(IoError::Content {
                    path: format!("{file}:{}:{}", e.line(), e.column()),
                    message: format!("not valid JSON: {e}"),
                });
            }
        };
        match probe.schema.as_ref().and_then(|s| s.as_str()) {
            Some(SCHEMA) => {}
            Some(other) => {
                return Err(IoError::Content {
                    path: file.to_owned(),
                    message: format!("is a {other} document; this parindex reads {SCHEMA}"),
                });
            }
            None => {
                return Err(IoError::Content {
                    path: file.to_owned(),
                    message: format!(
                        "is not a parindex results document (no \"schema\": \"{SCHEMA}\")"
                    ),
                });
            }
        }
        serde_json::from_str(text).map_err(|e| IoError::Content {
            path: file.to_owned(),
            message: format!("not a valid {SCHEMA} document: {e}"),
        })
    }

    /// Reads a document from a file.
    pub fn read(path: &Path) -> Result<Self, IoError> {
        let file = path.display().to_string();
        let cannot = |source| IoError::File {
            path: file.clone(),
            source,
        };
        // The size is checked before anything is read into memory.
        let size = std::fs::metadata(path).map_err(cannot)?.len();
        if size > crate::MAX_RESULTS_BYTES {
            return Err(IoError::Content {
                path: file.clone(),
                message: format!(
                    "is {size} bytes; results documents are limited to {} bytes (256 MiB)",
                    crate::MAX_RESULTS_BYTES
                ),
            });
        }
        let text = std::fs::read_to_string(path).map_err(cannot)?;
        Self::from_json(&text, &file)
    }

    /// The results reduced for a comparison across years ([`parindex_core::compare`]).
    pub fn year_view(&self) -> Result<YearResults, IoError> {
        let bad = |what: &str, text: &str| IoError::Content {
            path: self.set.id.clone(),
            message: format!("{what} \"{text}\" is not a decimal"),
        };
        let parse = |what: &str, text: &str| text.parse::<Decimal>().map_err(|_| bad(what, text));
        let areas: Vec<(usize, &NodeSummary)> = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.parent.is_none())
            .collect();
        let mut units = Vec::with_capacity(self.units.len());
        for unit in &self.units {
            let mut unit_areas = Vec::with_capacity(areas.len());
            for (i, area) in &areas {
                let node = unit
                    .nodes
                    .get(*i)
                    .filter(|n| n.code == area.code)
                    .or_else(|| unit.nodes.iter().find(|n| n.code == area.code));
                if let Some(node) = node {
                    unit_areas.push((
                        area.code.clone(),
                        area.name.clone(),
                        parse("points", &node.points)?,
                        parse("max", &node.max)?,
                    ));
                }
            }
            let mut reform_areas = Vec::with_capacity(unit.reform_areas.len());
            for area in &unit.reform_areas {
                let name = area
                    .area
                    .parse::<ReformArea>()
                    .map_err(|e| IoError::Content {
                        path: self.set.id.clone(),
                        message: e.to_string(),
                    })?;
                reform_areas.push((
                    name,
                    parse("points", &area.points)?,
                    parse("max", &area.max)?,
                ));
            }
            units.push(YearUnit {
                reform_areas,
                unit: unit.unit.clone(),
                index: unit
                    .reported_index
                    .as_deref()
                    .map(|i| parse("index", i))
                    .transpose()?,
                index_exact: unit
                    .index
                    .as_deref()
                    .map(|i| parse("index", i))
                    .transpose()?,
                points: Some((parse("total", &unit.total)?, parse("max", &unit.max)?)),
                rank: unit.rank,
                areas: unit_areas,
            });
        }
        Ok(YearResults {
            set_id: self.set.id.clone(),
            year: self.set.year,
            units,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_written_by_their_core_names() {
        for &status in NodeStatus::ALL {
            let json = serde_json::to_string(&Status::from(status)).expect("a status serialises");
            assert_eq!(json, format!("\"{status}\""));
        }
    }
}
