//! The JSON results document, `parindex-results/1`: its types, how results become one, and
//! how one is read back for a comparison across years.
//!
//! The shape is documented in `docs/json-results.md`, and a JSON Schema generated from these
//! types is committed as `schemas/results.schema.json`. Decimals are strings, so that no reader
//! turns `89.45` into a binary float.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use parindex_core::records::{Derivation, TaskOutcome};
use parindex_core::{AttrValue, NodeStatus, Results, YearResults, YearUnit};
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::IoError;

/// The version tag of the document this crate writes and reads.
pub const SCHEMA: &str = "parindex-results/1";

/// A scoring run's results: the set, the engine, and per unit its totals, index, rank, band and
/// the detail of every node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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

/// One unit's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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

/// A decimal as the document writes it: without trailing zeros (`1.5`, `60`).
pub fn decimal(x: Decimal) -> String {
    x.normalize().to_string()
}

fn attribute(value: &AttrValue) -> AttributeValue {
    match value {
        AttrValue::Bool(b) => AttributeValue::Bool(*b),
        other => AttributeValue::Text(other.to_string()),
    }
}

impl ResultsDocument {
    /// The document of a run's results; `names` gives units' names where known.
    ///
    /// ```
    /// use parindex_core::{shipped, Batch, Plan};
    /// let plan = Plan::new(&shipped::load("binh-thuan-police/commune/2024").unwrap().set);
    /// let mut batch = Batch::new(&plan);
    /// let ward = batch.add_unit("CAP-01", []).unwrap();
    /// batch.set_text(ward, "1.1.4", None, "7/9").unwrap();
    /// let results = plan.score(&batch).unwrap();
    /// let doc = parindex_io::ResultsDocument::new(&results, &Default::default());
    /// assert_eq!(doc.schema, "parindex-results/1");
    /// assert_eq!(doc.units[0].total, "0.5");
    /// let json = doc.to_json();
    /// assert_eq!(parindex_io::ResultsDocument::from_json(&json, "r.json").unwrap(), doc);
    /// ```
    pub fn new(results: &Results, names: &BTreeMap<String, String>) -> Self {
        let set = results.set();
        let units = results
            .units
            .iter()
            .map(|card| unit_result(set, card, names.get(&card.unit).cloned(), true))
            .collect();
        ResultsDocument {
            units,
            ..Self::head(results)
        }
    }

    /// The document without its units.
    fn head(results: &Results) -> Self {
        let set = results.set();
        ResultsDocument {
            schema: SCHEMA.to_owned(),
            set: SetSummary {
                id: set.info.id.clone(),
                content_hash: set.content_hash.clone(),
                year: set.info.year,
                level: set.info.level.clone(),
                title: set.info.title.clone(),
                scale: decimal(set.policy.scale),
                decimals: set.policy.decimals,
            },
            engine_version: results.provenance.engine_version.clone(),
            stages: set.policy.stages.clone(),
            bands: set
                .bands
                .iter()
                .map(|b| BandSummary {
                    name: b.name.clone(),
                    label: b.label.clone(),
                    when: b.when.to_string(),
                })
                .collect(),
            nodes: set
                .nodes
                .iter()
                .map(|n| NodeSummary {
                    code: n.code.clone(),
                    name: n.name.clone(),
                    max: decimal(n.max),
                    parent: n.parent_code().map(str::to_owned),
                    leaf: n.rule.is_some(),
                    kind: n.kind.as_str().to_owned(),
                })
                .collect(),
            units: Vec::new(),
            warnings: results
                .warnings
                .iter()
                .map(|w| WarningEntry {
                    unit: w.unit.clone(),
                    code: w.code.clone(),
                    message: w.message.clone(),
                })
                .collect(),
        }
    }

    /// The document as pretty-printed JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a document; `file` names it in messages. Refuses another schema version.
    pub fn from_json(text: &str, file: &str) -> Result<Self, IoError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| IoError::Content {
                path: format!("{file}:{}:{}", e.line(), e.column()),
                message: format!("not valid JSON: {e}"),
            })?;
        match value.get("schema").and_then(|s| s.as_str()) {
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
        serde_json::from_value(value).map_err(|e| IoError::Content {
            path: file.to_owned(),
            message: format!("not a valid {SCHEMA} document: {e}"),
        })
    }

    /// Reads a document from a file.
    pub fn read(path: &Path) -> Result<Self, IoError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| IoError::File {
            path: file.clone(),
            source,
        })?;
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
            units.push(YearUnit {
                unit: unit.unit.clone(),
                index: unit
                    .reported_index
                    .as_deref()
                    .map(|i| parse("index", i))
                    .transpose()?,
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

fn unit_result(
    set: &parindex_core::CriteriaSet,
    card: &parindex_core::Scorecard,
    name: Option<String>,
    explain: bool,
) -> UnitResult {
    let several = card.stages.len() > 1;
    let nodes = set
        .nodes
        .iter()
        .zip(&card.nodes)
        .enumerate()
        .map(|(i, (node, score))| {
            let (seen, reason) = if explain {
                card.explain_node(i)
            } else {
                (None, String::new())
            };
            NodeResult {
                code: node.code.clone(),
                points: decimal(score.points),
                max: decimal(score.max),
                status: score.status.into(),
                stage: score.stage.and_then(|s| set.policy.stages.get(s).cloned()),
                seen,
                reason: explain.then_some(reason),
                by_stage: if several {
                    card.stages
                        .iter()
                        .filter_map(|s| s.points.get(i).map(|p| (s.stage.clone(), decimal(*p))))
                        .collect()
                } else {
                    BTreeMap::new()
                },
                derived: card.derivation_at(i).map(Derived::new),
            }
        })
        .collect();
    UnitResult {
        unit: card.unit.clone(),
        name,
        attributes: card
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), attribute(v)))
            .collect(),
        total: decimal(card.total),
        max: decimal(card.max),
        index: card.index.map(decimal),
        reported_index: card.reported_index.map(|i| i.to_string()),
        rank: card.rank,
        group: card.group.clone(),
        band: card.band.clone(),
        stages: card
            .stages
            .iter()
            .map(|s| StageTotal {
                stage: s.stage.clone(),
                total: decimal(s.total),
            })
            .collect(),
        nodes,
    }
}

/// One node of one unit, serialized without intermediate strings.
struct NodeView<'a> {
    set: &'a parindex_core::CriteriaSet,
    card: &'a parindex_core::Scorecard,
    position: usize,
    explain: bool,
}

struct Dec(Decimal);

impl Serialize for Dec {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.normalize())
    }
}

struct ByStage<'a>(&'a parindex_core::Scorecard, usize);

impl Serialize for ByStage<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        // BTreeMap order, as the owned document serializes it.
        let mut stages: Vec<&parindex_core::StageScore> = self.0.stages.iter().collect();
        stages.sort_by(|a, b| a.stage.cmp(&b.stage));
        let mut map = serializer.serialize_map(Some(stages.len()))?;
        for s in stages {
            if let Some(p) = s.points.get(self.1) {
                map.serialize_entry(&s.stage, &Dec(*p))?;
            }
        }
        map.end()
    }
}

impl Serialize for NodeView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let node = &self.set.nodes[self.position];
        let score = &self.card.nodes[self.position];
        let (seen, reason) = if self.explain {
            self.card.explain_node(self.position)
        } else {
            (None, String::new())
        };
        let mut st = serializer.serialize_struct("NodeResult", 9)?;
        st.serialize_field("code", &node.code)?;
        st.serialize_field("points", &Dec(score.points))?;
        st.serialize_field("max", &Dec(score.max))?;
        st.serialize_field("status", &Status::from(score.status))?;
        if let Some(stage) = score.stage.and_then(|s| self.set.policy.stages.get(s)) {
            st.serialize_field("stage", stage)?;
        }
        if let Some(seen) = &seen {
            st.serialize_field("seen", seen)?;
        }
        if self.explain {
            st.serialize_field("reason", &reason)?;
        }
        if self.card.stages.len() > 1 {
            st.serialize_field("by_stage", &ByStage(self.card, self.position))?;
        }
        if let Some(derivation) = self.card.derivation_at(self.position) {
            st.serialize_field("derived", &Derived::new(derivation))?;
        }
        st.end()
    }
}

struct Nodes<'a>(
    &'a parindex_core::CriteriaSet,
    &'a parindex_core::Scorecard,
    bool,
);

impl Serialize for Nodes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((0..self.0.nodes.len()).map(|position| NodeView {
            set: self.0,
            card: self.1,
            position,
            explain: self.2,
        }))
    }
}

/// One unit, serialized as [`UnitResult`] without building its nodes.
struct UnitView<'a> {
    set: &'a parindex_core::CriteriaSet,
    card: &'a parindex_core::Scorecard,
    name: Option<&'a String>,
    explain: bool,
}

impl Serialize for UnitView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let card = self.card;
        let mut st = serializer.serialize_struct("UnitResult", 12)?;
        st.serialize_field("unit", &card.unit)?;
        st.serialize_field("name", &self.name)?;
        let attributes: BTreeMap<&String, AttributeValue> = card
            .attributes
            .iter()
            .map(|(k, v)| (k, attribute(v)))
            .collect();
        st.serialize_field("attributes", &attributes)?;
        st.serialize_field("total", &Dec(card.total))?;
        st.serialize_field("max", &Dec(card.max))?;
        st.serialize_field("index", &card.index.map(Dec))?;
        st.serialize_field(
            "reported_index",
            &card.reported_index.map(|i| i.to_string()),
        )?;
        st.serialize_field("rank", &card.rank)?;
        st.serialize_field("group", &card.group)?;
        st.serialize_field("band", &card.band)?;
        let stages: Vec<StageTotal> = card
            .stages
            .iter()
            .map(|s| StageTotal {
                stage: s.stage.clone(),
                total: decimal(s.total),
            })
            .collect();
        st.serialize_field("stages", &stages)?;
        st.serialize_field("nodes", &Nodes(self.set, card, self.explain))?;
        st.end()
    }
}

/// Writes the results document of a run as compact JSON without holding it in memory: the same
/// document as [`ResultsDocument::new`]. Units are serialized on all available threads, in
/// chunks, and written in order. With `explain` false the document is lean: nodes carry no
/// `seen` and no `reason` (`parindex explain` gives them for one unit).
pub fn write_results_json(
    results: &Results,
    names: &BTreeMap<String, String>,
    explain: bool,
    writer: impl std::io::Write,
) -> std::io::Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    write_results_json_with_threads(results, names, explain, threads, writer)
}

/// Like [`write_results_json`], on at most `threads` threads (at most 8 are used). The bytes
/// written are the same for any number of threads.
pub fn write_results_json_with_threads(
    results: &Results,
    names: &BTreeMap<String, String>,
    explain: bool,
    threads: usize,
    writer: impl std::io::Write,
) -> std::io::Result<()> {
    let head = ResultsDocument::head(results);
    let head = serde_json::to_string(&head).map_err(std::io::Error::other)?;
    // The head has no units; its `"units":[]` is the only unescaped occurrence of that text.
    let (before, after) = head
        .split_once("\"units\":[]")
        .ok_or_else(|| std::io::Error::other("cannot place the units in the document"))?;
    let mut writer = std::io::BufWriter::with_capacity(1 << 16, writer);
    writer.write_all(before.as_bytes())?;
    writer.write_all(b"\"units\":[")?;
    let set = results.set();
    let serialize = |cards: &[parindex_core::Scorecard]| -> std::io::Result<Vec<u8>> {
        let mut buffer = Vec::with_capacity(cards.len() * 8192);
        for card in cards {
            buffer.push(b',');
            let view = UnitView {
                set,
                card,
                name: names.get(&card.unit),
                explain,
            };
            serde_json::to_writer(&mut buffer, &view).map_err(std::io::Error::other)?;
        }
        Ok(buffer)
    };
    let threads = threads.clamp(1, 8);
    let mut first = true;
    // Batches of chunks keep memory bounded: a few MB per thread at a time.
    for batch in results.units.chunks(512 * threads) {
        let chunk = batch.len().div_ceil(threads).max(1);
        let parts: Vec<std::io::Result<Vec<u8>>> = if threads == 1 || batch.len() < 64 {
            vec![serialize(batch)]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = batch
                    .chunks(chunk)
                    .map(|cards| scope.spawn(move || serialize(cards)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            Err(std::io::Error::other("a writer thread failed"))
                        })
                    })
                    .collect()
            })
        };
        for part in parts {
            let part = part?;
            let bytes = if first {
                part.get(1..).unwrap_or_default()
            } else {
                &part[..]
            };
            if !part.is_empty() {
                first = false;
            }
            writer.write_all(bytes)?;
        }
    }
    writer.write_all(b"]")?;
    writer.write_all(after.as_bytes())?;
    writer.write_all(b"\n")?;
    writer.flush()
}

/// The JSON Schema of [`ResultsDocument`], pretty-printed, ending with a newline: the content
/// of `schemas/results.schema.json`.
pub fn results_schema() -> String {
    let schema = schemars::schema_for!(ResultsDocument);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Reads a crosswalk of area codes between two years' sets: a CSV file with the columns
/// `before` and `after` (older code, newer code), one row per renumbered area.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("crosswalk.csv");
/// std::fs::write(&path, "before,after\nII,3\n").unwrap();
/// let map = parindex_io::read_crosswalk(&path).unwrap();
/// assert_eq!(map.get("II").map(String::as_str), Some("3"));
/// ```
pub fn read_crosswalk(path: &Path) -> Result<BTreeMap<String, String>, IoError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| IoError::File {
        path: file.clone(),
        source,
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| IoError::Content {
        path: file.clone(),
        message: "not UTF-8 text: save the file as UTF-8".to_owned(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let records = crate::csv::parse(text).map_err(|(line, column, message)| IoError::Content {
        path: format!("{file}:{line}:{column}"),
        message,
    })?;
    let mut rows = records.into_iter();
    let header: Vec<String> = rows
        .next()
        .unwrap_or_default()
        .into_iter()
        .map(|f| f.text.trim().to_lowercase())
        .collect();
    let (Some(b), Some(a)) = (
        header.iter().position(|h| h == "before"),
        header.iter().position(|h| h == "after"),
    ) else {
        return Err(IoError::Content {
            path: format!("{file}:1:1"),
            message: "a crosswalk has the columns \"before\" and \"after\"".to_owned(),
        });
    };
    let mut map = BTreeMap::new();
    for row in rows {
        let get = |i: usize| {
            row.get(i)
                .map(|f| f.text.trim().to_owned())
                .unwrap_or_default()
        };
        let (before, after) = (get(b), get(a));
        if before.is_empty() && after.is_empty() {
            continue;
        }
        if before.is_empty() || after.is_empty() {
            let line = row.first().map_or(0, |f| f.line);
            return Err(IoError::Content {
                path: format!("{file}:{line}:1"),
                message: "a crosswalk row needs both a before and an after code".to_owned(),
            });
        }
        map.insert(before, after);
    }
    Ok(map)
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
