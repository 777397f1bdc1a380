//! The one encoder of the document's bytes.
//!
//! A document comes from one of two sources: a run's [`Results`], which is encoded without
//! building the document (the fast path for large runs), or a [`ResultsDocument`] read back from
//! a file. Each source only lends its values to the borrowed views below ([`UnitFields`],
//! [`NodeFields`]); the views alone decide the fields, their order and which are left out, and
//! [`encode`] alone writes the frame around the units and spreads the units over threads. So
//! both sources give the same bytes for the same document.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Write;
use std::ops::ControlFlow;

use parindex_core::threads::in_order_chunks;
use parindex_core::{
    AttrValue, CriteriaSet, Node, NodeMemo, NodeScore, ReformAreaScore, Results, Scorecard,
    StageScore,
};
use rust_decimal::Decimal;
use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use super::document::{
    AttributeValue, BandSummary, Derived, NodeResult, NodeSummary, ReformAreaSummary,
    ResultsDocument, SetSummary, StageTotal, Status, UnitReformArea, UnitResult, WarningEntry,
};
use super::{SCHEMA, decimal};
use crate::figures::DecimalText;
use crate::pool::Pool;

/// Writes the results document of a run as compact JSON (one line, ending with a newline)
/// without holding it in memory. Units are serialized on all available threads, in chunks, and
/// written in order. With `explain` false the document is lean: nodes carry no `seen` and no
/// `reason` (`parindex explain` gives them for one unit).
///
/// This is the document's only encoder: [`ResultsDocument::to_json`] and
/// [`ResultsDocument::new`] go through it too.
///
/// ```
/// use parindex_core::{Batch, Plan, shipped};
/// let plan = Plan::new(&shipped::load("binh-thuan-police/commune/2024")?.set);
/// let mut batch = Batch::new(&plan);
/// let ward = batch.add_unit("CAP-01", [])?;
/// batch.set_text(ward, "1.1.4", None, "7/9")?;
/// let results = plan.score(&batch)?;
/// let mut json = Vec::new();
/// parindex_io::write_results_json(&results, &Default::default(), false, &mut json)?;
/// let doc = parindex_io::ResultsDocument::from_json(std::str::from_utf8(&json)?, "r.json")?;
/// assert_eq!(doc.units[0].total, "0.5");
/// assert!(doc.units[0].nodes.iter().all(|n| n.reason.is_none()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_results_json(
    results: &Results,
    names: &BTreeMap<String, String>,
    explain: bool,
    writer: impl Write,
) -> std::io::Result<()> {
    write_results_json_with_threads(results, names, explain, all_threads(), writer)
}

/// Like [`write_results_json`], on at most `threads` threads (at most 8 are used). The bytes
/// written are the same for any number of threads.
pub fn write_results_json_with_threads(
    results: &Results,
    names: &BTreeMap<String, String>,
    explain: bool,
    threads: usize,
    writer: impl Write,
) -> std::io::Result<()> {
    let run = Run {
        set: results.set(),
        names,
        explain,
    };
    encode(
        &Frame::of_results(results),
        &run,
        &results.units,
        threads,
        writer,
    )
}

/// Writes a document as [`write_results_json_with_threads`] writes the run it came from.
pub(super) fn write_document(
    document: &ResultsDocument,
    threads: usize,
    writer: impl Write,
) -> std::io::Result<()> {
    let frame = Frame::of_document(document);
    encode(&frame, &Read, &document.units, threads, writer)
}

/// Nodes' entries as written, kept for the units after them whose nodes have the same result
/// and value ([`parindex_core::NodeKey`]): most of a document is the same few thousand entries.
/// `None` for an entry that could not be written apart, written again each time.
type EntryMemo = NodeMemo<Option<Box<RawValue>>>;

/// Where the units come from: what each lends to the encoder's view of a unit.
trait Source: Sync {
    type Unit: Sync;
    /// The unit's fields; `memo` keeps the entries of nodes for the units after it.
    fn fields<'a>(&'a self, unit: &'a Self::Unit, memo: &'a RefCell<EntryMemo>) -> UnitFields<'a>;
}

/// A run's scorecards, with what the encoder needs beside them.
struct Run<'a> {
    set: &'a CriteriaSet,
    names: &'a BTreeMap<String, String>,
    explain: bool,
}

impl Source for Run<'_> {
    type Unit = Scorecard;
    fn fields<'a>(&'a self, card: &'a Scorecard, memo: &'a RefCell<EntryMemo>) -> UnitFields<'a> {
        let name = self.names.get(&card.unit).map(String::as_str);
        UnitFields::of_card(self.set, card, name, self.explain, memo)
    }
}

/// The units of a document read back.
struct Read;

impl Source for Read {
    type Unit = UnitResult;
    fn fields<'a>(&'a self, unit: &'a UnitResult, _: &'a RefCell<EntryMemo>) -> UnitFields<'a> {
        unit.fields()
    }
}

/// The threads [`write_results_json`] uses: every one available.
pub(super) fn all_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Everything of the document but its units.
struct Frame<'a> {
    schema: &'a str,
    set: Cow<'a, SetSummary>,
    engine_version: &'a str,
    stages: &'a [String],
    bands: Cow<'a, [BandSummary]>,
    nodes: Cow<'a, [NodeSummary]>,
    reform_areas: Cow<'a, [ReformAreaSummary]>,
    warnings: Cow<'a, [WarningEntry]>,
}

impl<'a> Frame<'a> {
    fn of_results(results: &'a Results) -> Self {
        let set = results.set();
        Frame {
            schema: SCHEMA,
            set: Cow::Owned(SetSummary {
                id: set.info.id.clone(),
                content_hash: set.content_hash.clone(),
                year: set.info.year,
                level: set.info.level.clone(),
                title: set.info.title.clone(),
                scale: decimal(set.policy.scale),
                decimals: set.policy.decimals,
            }),
            engine_version: &results.provenance.engine_version,
            stages: &set.policy.stages,
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
            reform_areas: set
                .reform_area_parts()
                .into_iter()
                .map(|(area, nodes, max)| ReformAreaSummary {
                    area: area.as_str().to_owned(),
                    name: area.name_vi().to_owned(),
                    name_en: area.name_en().to_owned(),
                    max: decimal(max),
                    nodes,
                })
                .collect(),
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

    fn of_document(document: &'a ResultsDocument) -> Self {
        Frame {
            schema: &document.schema,
            set: Cow::Borrowed(&document.set),
            engine_version: &document.engine_version,
            stages: &document.stages,
            bands: Cow::Borrowed(&document.bands),
            nodes: Cow::Borrowed(&document.nodes),
            reform_areas: Cow::Borrowed(&document.reform_areas),
            warnings: Cow::Borrowed(&document.warnings),
        }
    }
}

/// Writes `"key":value`, after a comma unless it is the object's first member.
fn member(
    writer: &mut impl Write,
    first: bool,
    key: &str,
    value: &impl Serialize,
) -> std::io::Result<()> {
    if !first {
        writer.write_all(b",")?;
    }
    serde_json::to_writer(&mut *writer, key)?;
    writer.write_all(b":")?;
    serde_json::to_writer(&mut *writer, value)?;
    Ok(())
}

/// Writes the document: the frame, and between its nodes and its warnings the units, each as
/// `source` views them, serialized on up to `threads` threads and written in order.
fn encode<S: Source>(
    frame: &Frame<'_>,
    source: &S,
    units: &[S::Unit],
    threads: usize,
    writer: impl Write,
) -> std::io::Result<()> {
    let mut writer = std::io::BufWriter::with_capacity(1 << 16, writer);
    writer.write_all(b"{")?;
    member(&mut writer, true, "schema", &frame.schema)?;
    member(&mut writer, false, "set", &frame.set)?;
    member(&mut writer, false, "engine_version", &frame.engine_version)?;
    member(&mut writer, false, "stages", &frame.stages)?;
    member(&mut writer, false, "bands", &frame.bands)?;
    member(&mut writer, false, "nodes", &frame.nodes)?;
    member(&mut writer, false, "reform_areas", &frame.reform_areas)?;
    writer.write_all(b",\"units\":[")?;
    write_units(&mut writer, source, units, threads)?;
    writer.write_all(b"]")?;
    member(&mut writer, false, "warnings", &frame.warnings)?;
    writer.write_all(b"}\n")?;
    writer.flush()
}

/// Writes the units comma-separated. The bytes do not depend on `threads`: the units are
/// serialized in chunks, on the threads, and the chunks written in order on the caller's
/// thread while the next are serialized. The chunks' buffers and the memos of entries are
/// reused from chunk to chunk rather than made afresh.
fn write_units<S: Source>(
    writer: &mut impl Write,
    source: &S,
    units: &[S::Unit],
    threads: usize,
) -> std::io::Result<()> {
    // Units a chunk: a few MB of text, in a document with every node's reason.
    const CHUNK: usize = 256;
    let buffers: Pool<Vec<u8>> = Pool::default();
    let memos: Pool<EntryMemo> = Pool::default();
    // Each unit is preceded by a comma; the very first one is dropped when written.
    let serialize = |range: std::ops::Range<usize>| -> std::io::Result<Vec<u8>> {
        let mut buffer = buffers.take();
        let memo = RefCell::new(memos.take());
        for unit in &units[range] {
            buffer.push(b',');
            serde_json::to_writer(&mut buffer, &source.fields(unit, &memo))?;
        }
        memos.give(memo.into_inner());
        Ok(buffer)
    };
    let mut first = true;
    let mut outcome = Ok(());
    let write = |part: std::io::Result<Vec<u8>>| {
        let written = part.and_then(|mut part| {
            let bytes = if first {
                part.get(1..).unwrap_or_default()
            } else {
                &part[..]
            };
            if !part.is_empty() {
                first = false;
            }
            writer.write_all(bytes)?;
            part.clear();
            buffers.give(part);
            Ok(())
        });
        match written {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                outcome = Err(e);
                ControlFlow::Break(())
            }
        }
    };
    let threads = if units.len() < 64 {
        1
    } else {
        threads.clamp(1, 8)
    };
    in_order_chunks(units.len(), CHUNK, threads, serialize, write);
    outcome
}

/// A decimal of the document, as a JSON string.
enum Figure<'a> {
    /// From the engine, written without trailing zeros (`1.5`, `60`), as [`decimal`] writes it.
    Trimmed(Decimal),
    /// From the engine, written with the decimals it carries (a reported index, `89.50`).
    Scaled(Decimal),
    /// As read from a document.
    Text(&'a str),
}

impl Serialize for Figure<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Figure::Trimmed(x) => serializer.serialize_str(DecimalText::trimmed(*x).as_str()),
            Figure::Scaled(x) => serializer.serialize_str(DecimalText::scaled(*x).as_str()),
            Figure::Text(text) => serializer.serialize_str(text),
        }
    }
}

/// One unit as the document writes it: the shape of [`UnitResult`].
#[derive(Serialize)]
#[serde(rename = "UnitResult")]
struct UnitFields<'a> {
    unit: &'a str,
    name: Option<&'a str>,
    attributes: Attributes<'a>,
    total: Figure<'a>,
    max: Figure<'a>,
    index: Option<Figure<'a>>,
    reported_index: Option<Figure<'a>>,
    rank: Option<u32>,
    group: Option<&'a str>,
    band: Option<&'a str>,
    stages: Stages<'a>,
    reform_areas: ReformAreas<'a>,
    nodes: Nodes<'a>,
}

/// A unit's sub-index in one reform area: the shape of [`UnitReformArea`].
#[derive(Serialize)]
#[serde(rename = "UnitReformArea")]
struct ReformAreaFields<'a> {
    area: &'a str,
    points: Figure<'a>,
    max: Figure<'a>,
    index: Option<Figure<'a>>,
    reported_index: Option<Figure<'a>>,
}

enum ReformAreas<'a> {
    Card(Vec<ReformAreaScore>),
    Read(&'a [UnitReformArea]),
}

impl Serialize for ReformAreas<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ReformAreas::Card(areas) => {
                serializer.collect_seq(areas.iter().map(|a| ReformAreaFields {
                    area: a.area.as_str(),
                    points: Figure::Trimmed(a.points),
                    max: Figure::Trimmed(a.max),
                    index: a.index.map(Figure::Trimmed),
                    reported_index: a.reported_index.map(Figure::Scaled),
                }))
            }
            ReformAreas::Read(areas) => {
                serializer.collect_seq(areas.iter().map(|a| ReformAreaFields {
                    area: &a.area,
                    points: Figure::Text(&a.points),
                    max: Figure::Text(&a.max),
                    index: a.index.as_deref().map(Figure::Text),
                    reported_index: a.reported_index.as_deref().map(Figure::Text),
                }))
            }
        }
    }
}

/// A unit's total at one stage: the shape of [`StageTotal`].
#[derive(Serialize)]
#[serde(rename = "StageTotal")]
struct StageFields<'a> {
    stage: &'a str,
    total: Figure<'a>,
}

/// One node of one unit: the shape of [`NodeResult`].
#[derive(Serialize)]
#[serde(rename = "NodeResult")]
struct NodeFields<'a> {
    code: &'a str,
    points: Figure<'a>,
    max: Figure<'a>,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seen: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by_stage: Option<ByStage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    derived: Option<Cow<'a, Derived>>,
}

enum Attributes<'a> {
    Card(&'a BTreeMap<String, AttrValue>),
    Read(&'a BTreeMap<String, AttributeValue>),
}

impl Serialize for Attributes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Attributes::Card(attributes) => {
                serializer.collect_map(attributes.iter().map(|(k, v)| (k, attribute(v))))
            }
            Attributes::Read(attributes) => attributes.serialize(serializer),
        }
    }
}

fn attribute(value: &AttrValue) -> AttributeValue {
    match value {
        AttrValue::Bool(b) => AttributeValue::Bool(*b),
        other => AttributeValue::Text(other.to_string()),
    }
}

enum Stages<'a> {
    Card(&'a Scorecard),
    Read(&'a [StageTotal]),
}

impl Serialize for Stages<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Stages::Card(card) => serializer.collect_seq(card.stages().map(|s| StageFields {
                stage: s.stage,
                total: Figure::Trimmed(s.total),
            })),
            Stages::Read(stages) => serializer.collect_seq(stages.iter().map(StageTotal::fields)),
        }
    }
}

enum Nodes<'a> {
    Card {
        set: &'a CriteriaSet,
        card: &'a Scorecard,
        /// Whether each node is written with its measurement seen and its reason.
        explain: bool,
        memo: &'a RefCell<EntryMemo>,
    },
    Read(&'a [NodeResult]),
}

impl Serialize for Nodes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Nodes::Card {
                set,
                card,
                explain,
                memo,
            } => {
                let mut seq = serializer.serialize_seq(Some(card.node_count()))?;
                for (position, node) in set.nodes.iter().enumerate().take(card.node_count()) {
                    let fields = || {
                        let score = card.node_at(position)?;
                        Some(NodeFields::of_card(
                            set,
                            card,
                            position,
                            (node, score),
                            explain,
                        ))
                    };
                    // An entry is written apart once, as it is written inline: the same bytes.
                    // A node without a key is written inline only.
                    let mut memo = memo.borrow_mut();
                    let entry = memo.get_or_make(card, position, || {
                        serde_json::value::to_raw_value(&fields()?).ok()
                    });
                    match entry.as_deref().and_then(Option::as_deref) {
                        Some(raw) => seq.serialize_element(raw)?,
                        None => {
                            if let Some(fields) = fields() {
                                seq.serialize_element(&fields)?
                            }
                        }
                    }
                }
                seq.end()
            }
            Nodes::Read(nodes) => serializer.collect_seq(nodes.iter().map(NodeResult::fields)),
        }
    }
}

/// A node's points at each stage, by stage name.
enum ByStage<'a> {
    /// The node at this position of the card.
    Card(&'a Scorecard, usize),
    Read(&'a BTreeMap<String, String>),
}

impl Serialize for ByStage<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            ByStage::Card(card, position) => {
                // In the order of the stages' names, as a map read back keeps them.
                let mut stages: Vec<StageScore<'_>> = card.stages().collect();
                stages.sort_by(|a, b| a.stage.cmp(b.stage));
                serializer.collect_map(stages.into_iter().filter_map(|s| {
                    let points = s.points(position)?;
                    Some((s.stage, Figure::Trimmed(points)))
                }))
            }
            ByStage::Read(points) => points.serialize(serializer),
        }
    }
}

impl<'a> UnitFields<'a> {
    fn of_card(
        set: &'a CriteriaSet,
        card: &'a Scorecard,
        name: Option<&'a str>,
        explain: bool,
        memo: &'a RefCell<EntryMemo>,
    ) -> Self {
        UnitFields {
            unit: &card.unit,
            name,
            attributes: Attributes::Card(&card.attributes),
            total: Figure::Trimmed(card.total),
            max: Figure::Trimmed(card.max),
            index: card.index.map(Figure::Trimmed),
            reported_index: card.reported_index.map(Figure::Scaled),
            rank: card.rank,
            group: card.group.as_deref(),
            band: card.band.as_deref(),
            stages: Stages::Card(card),
            reform_areas: ReformAreas::Card(card.reform_areas()),
            nodes: Nodes::Card {
                set,
                card,
                explain,
                memo,
            },
        }
    }
}

impl<'a> NodeFields<'a> {
    /// The node at `position` in the set's order, with its score on the card.
    fn of_card(
        set: &'a CriteriaSet,
        card: &'a Scorecard,
        position: usize,
        (node, score): (&'a Node, NodeScore),
        explain: bool,
    ) -> Self {
        let (seen, reason) = match explain {
            true => card.explain_node(position),
            false => (None, String::new()),
        };
        NodeFields {
            code: &node.code,
            points: Figure::Trimmed(score.points),
            max: Figure::Trimmed(score.max),
            status: score.status.into(),
            stage: score
                .stage
                .and_then(|s| set.policy.stages.get(usize::from(s)))
                .map(String::as_str),
            seen: seen.map(Cow::Owned),
            reason: explain.then_some(Cow::Owned(reason)),
            by_stage: (card.stage_count() > 1).then_some(ByStage::Card(card, position)),
            derived: card
                .derivation_at(position)
                .map(|d| Cow::Owned(Derived::new(d))),
        }
    }
}

impl UnitResult {
    fn fields(&self) -> UnitFields<'_> {
        UnitFields {
            unit: &self.unit,
            name: self.name.as_deref(),
            attributes: Attributes::Read(&self.attributes),
            total: Figure::Text(&self.total),
            max: Figure::Text(&self.max),
            index: self.index.as_deref().map(Figure::Text),
            reported_index: self.reported_index.as_deref().map(Figure::Text),
            rank: self.rank,
            group: self.group.as_deref(),
            band: self.band.as_deref(),
            stages: Stages::Read(&self.stages),
            reform_areas: ReformAreas::Read(&self.reform_areas),
            nodes: Nodes::Read(&self.nodes),
        }
    }
}

impl StageTotal {
    fn fields(&self) -> StageFields<'_> {
        StageFields {
            stage: &self.stage,
            total: Figure::Text(&self.total),
        }
    }
}

impl NodeResult {
    fn fields(&self) -> NodeFields<'_> {
        NodeFields {
            code: &self.code,
            points: Figure::Text(&self.points),
            max: Figure::Text(&self.max),
            status: self.status,
            stage: self.stage.as_deref(),
            seen: self.seen.as_deref().map(Cow::Borrowed),
            reason: self.reason.as_deref().map(Cow::Borrowed),
            by_stage: (!self.by_stage.is_empty()).then_some(ByStage::Read(&self.by_stage)),
            derived: self.derived.as_ref().map(Cow::Borrowed),
        }
    }
}

/// A unit entry as the document holds it (`parindex explain --format json` prints one).
impl Serialize for UnitResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.fields().serialize(serializer)
    }
}

/// A stage total as the document holds it.
impl Serialize for StageTotal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.fields().serialize(serializer)
    }
}

/// A node's result as the document holds it.
impl Serialize for NodeResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.fields().serialize(serializer)
    }
}
