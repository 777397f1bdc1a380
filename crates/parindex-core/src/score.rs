//! Scoring: a batch of inputs through a plan, into per-unit scorecards.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::batch::Batch;
use crate::decimal_sum::DecimalSum;
use crate::model::{
    AttrValue, CriteriaSet, Evidence, Missing, Node, NodeKind, NotApplicable, Policy,
};
use crate::names::named;
use crate::outcome_memo::OutcomeMemo;
use crate::packed::{NodeResults, PackedPoints};
use crate::packed_cell::{PackedCell, value_of};
use crate::plan::Plan;
use crate::rank;
use crate::rule::{Among, Branch, BranchOn, Context, Outcome, Relative, Rule, Statistic};
use crate::value::Value;

mod kernel;

/// The engine's version, carried by every result.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// How a node's points came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeStatus {
    /// Scored from a measurement, or from its children.
    Scored,
    /// Does not apply to the unit: an `N/A` input, or an attribute condition.
    NotApplicable,
    /// No input at any stage: 0 points, with a warning.
    Missing,
    /// Self-assessed without evidence, under a policy that requires it: 0 points.
    NoEvidence,
}

named!(NodeStatus, "node status", {
    Scored => "scored",
    NotApplicable => "not-applicable",
    Missing => "missing",
    NoEvidence => "no-evidence",
});

/// One node's result for one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeScore {
    /// Points won; 0 for a node that does not apply (its parent may still count it in full,
    /// under the `full-points` policy).
    pub points: Decimal,
    /// The applicable maximum: 0 when the node does not apply (except under `full-points`).
    pub max: Decimal,
    /// How the points came about.
    pub status: NodeStatus,
    /// For a leaf: the stage whose input was used.
    ///
    /// A byte, since a set has at most [`crate::load::MAX_STAGES`] stages: a round of
    /// every official of a province holds millions of these.
    pub stage: Option<u8>,
}

impl NodeScore {
    fn empty(status: NodeStatus) -> Self {
        NodeScore {
            points: Decimal::ZERO,
            max: Decimal::ZERO,
            status,
            stage: None,
        }
    }

    /// Points lost: the applicable maximum less the points won, never negative.
    pub fn lost(&self) -> Decimal {
        (self.max - self.points).max(Decimal::ZERO)
    }
}

/// A unit's points per node at one stage, as its scorecard holds them.
#[derive(Debug, Clone, Copy)]
pub struct StageScore<'a> {
    /// The stage's name.
    pub stage: &'a str,
    /// The total at this stage.
    pub total: Decimal,
    points: StagePoints<'a>,
}

/// Where a stage's points are kept: the final stage's are the card's node results, so that a
/// unit scored at one stage holds its points once.
#[derive(Debug, Clone, Copy)]
enum StagePoints<'a> {
    Earlier(&'a PackedPoints),
    Final(&'a Scorecard),
}

impl StageScore<'_> {
    /// The points of the node at `node` in set order.
    pub fn points(&self, node: usize) -> Option<Decimal> {
        match self.points {
            StagePoints::Earlier(points) => points.get(node),
            StagePoints::Final(card) => card.points_at(node),
        }
    }

    /// The points of every node, in set order.
    pub fn all_points(&self) -> impl Iterator<Item = Decimal> + '_ {
        let count = match self.points {
            StagePoints::Earlier(points) => points.len(),
            StagePoints::Final(card) => card.set.nodes.len(),
        };
        (0..count).filter_map(|i| self.points(i))
    }
}

/// What a scorecard keeps of a stage before its final one, but for its points.
pub(crate) const EARLIER_STAGE_BYTES: usize = std::mem::size_of::<EarlierStage>();

/// An earlier stage's points per node and total, kept on the scorecard.
#[derive(Debug, Clone)]
struct EarlierStage {
    stage: u8,
    points: PackedPoints,
    total: Decimal,
}

/// One unit's results.
#[derive(Debug, Clone)]
pub struct Scorecard {
    /// The unit's id.
    pub unit: String,
    /// The unit's attributes, shared with the batch.
    pub attributes: Arc<std::collections::BTreeMap<String, AttrValue>>,
    /// Per node, in set order: the final results, packed ([`Scorecard::nodes`]).
    nodes: NodeResults,
    /// Final points, after bonus and penalty blocks.
    pub total: Decimal,
    /// The applicable maximum of the set.
    pub max: Decimal,
    /// `total ÷ max × scale`, exact; `None` when nothing applies.
    pub index: Option<Decimal>,
    /// The index rounded as the set reports it.
    pub reported_index: Option<Decimal>,
    /// The ranking group, when the set ranks by group.
    pub group: Option<String>,
    /// The rank within the group; `None` for a unit not ranked.
    pub rank: Option<u32>,
    /// The band's name.
    pub band: Option<String>,
    /// The stages before the final one that the unit has inputs for, in stage order.
    earlier_stages: Box<[EarlierStage]>,
    /// The final stage: the last the unit has inputs for.
    final_stage: u8,
    pub(crate) set: Arc<CriteriaSet>,
    /// What the unit was scored from, kept to explain it on demand without a copy.
    pub(crate) inputs: Arc<Inputs>,
    /// The unit's position in the batch.
    pub(crate) position: usize,
}

/// A scoring run's inputs: the plan, the batch (shared, not copied) and the group statistics.
#[derive(Debug)]
pub(crate) struct Inputs {
    pub(crate) plan: Plan,
    pub(crate) batch: Batch,
    pub(crate) references: References,
    /// The nodes whose results the scorecards keep, when not every node's.
    pub(crate) kept: Option<KeptNodes>,
}

/// Which nodes' results a scoring run keeps on its scorecards. A unit's total, index, rank,
/// band and warnings are kept whatever is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kept {
    /// Every node's: what explanations, the JSON document, the workbook and the report read.
    #[default]
    Every,
    /// The areas' (the nodes without a parent) only: what the summary reads, in a tenth of
    /// the memory. On such a card, [`Scorecard::node_at`] and the other lookups give `None`
    /// for any other node, [`Scorecard::nodes`] yields the areas' results only, and a stage
    /// before the final one keeps its total but not its points.
    Areas,
}

/// The positions of the nodes a run keeps, and where each node's result is on a card.
#[derive(Debug)]
pub(crate) struct KeptNodes {
    positions: Vec<usize>,
    /// Per node in set order, its place among the kept results, or `u32::MAX`.
    slots: Vec<u32>,
}

impl Kept {
    /// How many nodes' results a card keeps, of a plan's set.
    pub(crate) fn count(self, plan: &Plan) -> usize {
        match self {
            Kept::Every => plan.set.nodes.len(),
            Kept::Areas => plan.areas.len(),
        }
    }
}

impl KeptNodes {
    fn new(plan: &Plan, kept: Kept) -> Option<Self> {
        let positions: Vec<usize> = match kept {
            Kept::Every => return None,
            Kept::Areas => plan.areas.clone(),
        };
        let mut slots = vec![u32::MAX; plan.set.nodes.len()];
        for (slot, &position) in positions.iter().enumerate() {
            // A set has far fewer than 2^32 nodes.
            slots[position] = slot as u32;
        }
        Some(KeptNodes { positions, slots })
    }

    fn slot(&self, position: usize) -> Option<usize> {
        let slot = *self.slots.get(position)?;
        (slot != u32::MAX).then_some(slot as usize)
    }
}

impl Scorecard {
    /// The final result of every node, in set order (of the areas only, on a card that kept
    /// only theirs, [`Kept::Areas`]).
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = NodeScore> + '_ {
        self.nodes.iter()
    }

    /// Where the result of the node at `position` is among the card's.
    fn slot(&self, position: usize) -> Option<usize> {
        match &self.inputs.kept {
            None => Some(position),
            Some(kept) => kept.slot(position),
        }
    }

    /// The final result of the node at `position` in set order.
    pub fn node_at(&self, position: usize) -> Option<NodeScore> {
        self.nodes.get(self.slot(position)?)
    }

    /// The final result of the node at `position` as the card keeps it
    /// (`NodeResults::words`).
    pub(crate) fn result_words(&self, position: usize) -> Option<[u32; 5]> {
        self.nodes.words(self.slot(position)?)
    }

    /// The final points of the node at `position` in set order.
    pub fn points_at(&self, position: usize) -> Option<Decimal> {
        self.nodes.points(self.slot(position)?)
    }

    /// How many nodes the card has results for: the set's nodes (the areas, on a card that
    /// kept only theirs).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Points per node at every stage the unit has inputs for, in stage order; the last is
    /// final, its points those of [`Scorecard::nodes`].
    pub fn stages(&self) -> impl ExactSizeIterator<Item = StageScore<'_>> + '_ {
        (0..self.stage_count()).map(move |i| self.stage_at(i))
    }

    /// The `i`th of [`Scorecard::stages`].
    pub fn stage(&self, i: usize) -> Option<StageScore<'_>> {
        (i < self.stage_count()).then(|| self.stage_at(i))
    }

    /// The `i`th stage, or the final one for any `i` beyond the earlier stages.
    fn stage_at(&self, i: usize) -> StageScore<'_> {
        let name = |stage: u8| {
            self.set
                .policy
                .stages
                .get(usize::from(stage))
                .map_or("", String::as_str)
        };
        match self.earlier_stages.get(i) {
            Some(s) => StageScore {
                stage: name(s.stage),
                total: s.total,
                points: StagePoints::Earlier(&s.points),
            },
            None => StageScore {
                stage: name(self.final_stage),
                total: self.total,
                points: StagePoints::Final(self),
            },
        }
    }

    /// How many stages the unit has inputs for: 1 when only the final stage.
    pub fn stage_count(&self) -> usize {
        self.earlier_stages.len() + 1
    }

    /// For the leaf at node position `node`: the measurement seen at the final stage and what the
    /// rule did with it, recomputed from the run's inputs. `None` for a parent, or a leaf that is
    /// missing or not applicable.
    pub fn trace(&self, node: usize) -> Option<(Value, Outcome)> {
        let inputs = &self.inputs;
        let leaf = inputs.plan.leaf_of_node.get(node).copied().flatten()?;
        let last = inputs.batch.last_stage(self.position)?;
        let found = inputs.plan.leaf_input(
            &inputs.batch,
            self.position,
            leaf,
            last,
            &inputs.references,
            &self.group,
        );
        let LeafInput::Value { value, ctx, .. } = found.ok()? else {
            return None;
        };
        let rule = inputs.plan.set.nodes[node].rule.as_ref()?;
        let outcome = rule.evaluate(&value, &ctx).ok()?;
        Some((value.into_owned(), outcome))
    }

    /// The cell the leaf at node position `node` was scored from at the final stage, packed;
    /// `None` for a parent, or a leaf without input.
    fn final_cell(&self, node: usize) -> Option<PackedCell> {
        let inputs = &self.inputs;
        let leaf = inputs.plan.leaf_of_node.get(node).copied().flatten()?;
        let last = inputs.batch.last_stage(self.position)?;
        let (_, packed) = inputs.batch.latest_packed(self.position, leaf, last)?;
        Some(packed)
    }

    /// The word of the value the leaf at node position `node` was scored from at the final
    /// stage, when it is packed whole: `Ok(None)` for a leaf without a value (or a parent),
    /// `Err(())` for a value kept beside the packed cells.
    pub(crate) fn final_value_word(&self, node: usize) -> Result<Option<u64>, ()> {
        match self.final_cell(node) {
            None => Ok(None),
            Some(packed) if packed.side_position().is_some() => Err(()),
            Some(packed) => Ok(packed.value_word()),
        }
    }

    /// The value the leaf at node position `node` was scored from at the final stage, without
    /// evaluating its rule again; `None` for a parent, or a leaf missing or not applicable.
    pub(crate) fn final_value(&self, node: usize) -> Option<Cow<'_, Value>> {
        value_of(self.final_cell(node)?.unpack(self.inputs.batch.beside())?)
    }

    /// What the final input of the leaf with this code was derived from, when it came from the
    /// year's records (a reform plan, survey responses) at the stage that decided it.
    pub fn derivation(&self, code: &str) -> Option<&crate::records::Derivation> {
        let code = crate::text::nfc(code);
        let node = self.set.nodes.iter().position(|n| n.code == code)?;
        self.derivation_at(node)
    }

    /// [`Scorecard::derivation`] of the node at `node` in set order.
    pub fn derivation_at(&self, node: usize) -> Option<&crate::records::Derivation> {
        let leaf = self.inputs.plan.leaf_of_node.get(node).copied().flatten()?;
        let (stage, derivation) = self.inputs.batch.derivation(self.position, leaf)?;
        (self.node_at(node)?.stage.map(usize::from) == Some(stage)).then_some(derivation)
    }

    /// The final result of the node with this code.
    pub fn node(&self, code: &str) -> Option<NodeScore> {
        let code = crate::text::nfc(code);
        let i = self.set.nodes.iter().position(|n| n.code == code)?;
        self.node_at(i)
    }

    /// The final points of the node with this code.
    pub fn points(&self, code: &str) -> Option<Decimal> {
        self.node(code).map(|n| n.points)
    }

    /// The exact index of the node with this code: points ÷ applicable maximum × scale.
    pub fn node_index(&self, code: &str) -> Option<Decimal> {
        let node = self.node(code)?;
        index_of(node.points, node.max, self.set.policy.scale)
    }
}

/// A warning met while scoring: the run goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreWarning {
    /// The unit concerned.
    pub unit: String,
    /// The leaf concerned.
    pub code: String,
    /// What happened.
    pub message: String,
    /// The stage of the input concerned, when the warning is about one input (a value in a
    /// printed tier gap), so that a reader can locate its cell.
    pub stage: Option<String>,
    /// Where that input was read, as the reader names the place (`wards.csv:3:9`,
    /// `wards.xlsx: sheet "Tự đánh giá", cell F12`); `None` when no reader located it.
    pub place: Option<String>,
}

impl ScoreWarning {
    /// A warning about a unit's leaf as a whole, not about one of its inputs.
    pub fn new(unit: &str, code: &str, message: String) -> Self {
        ScoreWarning {
            unit: unit.to_owned(),
            code: code.to_owned(),
            message,
            stage: None,
            place: None,
        }
    }
}

impl std::fmt::Display for ScoreWarning {
    /// `wards.csv:3:9: unit CAP-02, 1.2: no tier covers 75%: scored 0 (gap = "zero")`, the
    /// place first when it is known.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(place) = &self.place {
            write!(f, "{place}: ")?;
        }
        write!(f, "unit {}, {}: {}", self.unit, self.code, self.message)
    }
}

/// A problem that stops scoring, with its unit and leaf.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unit {unit}, {code}: {message}")]
pub struct ScoreProblem {
    /// The unit concerned.
    pub unit: String,
    /// The leaf concerned.
    pub code: String,
    /// The stage whose input is concerned.
    pub stage: String,
    /// What is wrong.
    pub message: String,
}

/// Every problem that stopped a scoring run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct ScoreError {
    /// The problems, unit by unit.
    pub problems: Vec<ScoreProblem>,
}

/// Identity and provenance of the set behind a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The set's id.
    pub set_id: String,
    /// SHA-256 of the set's text.
    pub content_hash: String,
    /// The year scored.
    pub year: i32,
    /// What is scored.
    pub level: String,
    /// The engine's version.
    pub engine_version: String,
}

/// The results of a scoring run.
#[derive(Debug, Clone)]
pub struct Results {
    /// Which set and engine produced them.
    pub provenance: Provenance,
    /// One scorecard per unit, in input order.
    pub units: Vec<Scorecard>,
    /// Warnings: missing inputs, under the zero-with-warning policy; values in a printed tier
    /// gap, under the `zero` tier-gap policy; and what deriving the records met.
    pub warnings: Vec<ScoreWarning>,
    pub(crate) set: Arc<CriteriaSet>,
}

impl Results {
    /// The set that was scored.
    pub fn set(&self) -> &CriteriaSet {
        &self.set
    }

    /// The batch the results were scored from (with its plan, [`Batch::plan`]): what an
    /// analysis needs to score the same inputs again under other choices. `None` for results
    /// without units.
    pub fn batch(&self) -> Option<&Batch> {
        self.units.first().map(|u| &u.inputs.batch)
    }

    /// The scorecard of the unit with this id, however its marks are encoded.
    pub fn unit(&self, id: &str) -> Option<&Scorecard> {
        let id = crate::text::nfc(id);
        self.units.iter().find(|u| u.unit == id)
    }
}

pub(crate) fn index_of(points: Decimal, max: Decimal, scale: Decimal) -> Option<Decimal> {
    if max.is_zero() {
        return None;
    }
    points.checked_mul(scale).and_then(|p| p.checked_div(max))
}

/// What a leaf's inputs say at a stage, before its rule runs.
pub(crate) enum LeafInput<'b> {
    /// No input at any stage so far.
    Missing,
    /// Not applicable, as given at this stage.
    NotApplicable(usize),
    /// A measurement, with the context its rule needs.
    Value {
        value: Cow<'b, Value>,
        ctx: Context,
        stage: usize,
        evidence: Option<bool>,
    },
}

/// A child's result as its parent's sums read it, kept as decimals or packed.
trait ChildResult {
    /// Whether the child does not apply.
    fn not_applicable(&self) -> bool;
    /// Adds the child's points and maximum to the sums.
    fn add_to(&self, points: &mut DecimalSum, max: &mut DecimalSum);
}

impl ChildResult for NodeScore {
    #[inline(always)]
    fn not_applicable(&self) -> bool {
        self.status == NodeStatus::NotApplicable
    }

    #[inline(always)]
    fn add_to(&self, points: &mut DecimalSum, max: &mut DecimalSum) {
        points.add(self.points);
        max.add(self.max);
    }
}

impl ChildResult for crate::packed::PackedNode {
    #[inline(always)]
    fn not_applicable(&self) -> bool {
        self.is_not_applicable()
    }

    #[inline(always)]
    fn add_to(&self, points: &mut DecimalSum, max: &mut DecimalSum) {
        points.add_word(self.points_word());
        max.add_word(self.max_word());
    }
}

/// A unit's results as its scorecard keeps them: its earlier stages', its final node results,
/// and its final total and applicable maximum.
type UnitResults = (Vec<EarlierStage>, NodeResults, (Decimal, Decimal));

/// What one thread reuses from unit to unit while it scores them.
struct Scratch<'k> {
    /// One unit's node results at a stage, the general way.
    nodes: Vec<NodeScore>,
    /// One unit's final node results, on the hot path.
    packed: Vec<crate::packed::PackedNode>,
    /// The final node results of the units scored so far ([`NodeResults`]).
    arena: Vec<crate::packed::PackedNode>,
    /// The points of their stages before the final ones ([`PackedPoints`]).
    earlier_points: Vec<u64>,
    /// The points of values scored so far.
    memo: OutcomeMemo,
    /// The hot path, when the plan has one.
    kernel: Option<&'k kernel::Kernel>,
    /// The indices of totals met so far.
    indices: IndexMemo,
}

/// The index and reported index of totals and maxima met before, each kept by the exact
/// decimals, scale included: a set's totals take a few hundred values, and an exact division
/// costs more than looking one up.
struct IndexMemo {
    places: Vec<Option<IndexPlace>>,
}

/// A total and maximum as their decimals' bytes, with their index and reported index.
type IndexPlace = ([u8; 16], [u8; 16], Option<Decimal>, Option<Decimal>);

impl IndexMemo {
    /// Places for the totals of one thread: more than a set's usual totals.
    const PLACES: usize = 1024;

    fn new() -> Self {
        Self::with_places(Self::PLACES)
    }

    /// A memo of `places` places, a power of two.
    fn with_places(places: usize) -> Self {
        IndexMemo {
            places: vec![None; places],
        }
    }

    /// The index of `total` out of `max` on the set's scale, and as reported.
    fn index(
        &mut self,
        total: Decimal,
        max: Decimal,
        policy: &Policy,
    ) -> (Option<Decimal>, Option<Decimal>) {
        let (t, m) = (total.serialize(), max.serialize());
        let hash = (u128::from_le_bytes(t) ^ u128::from_le_bytes(m).rotate_left(64))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835);
        // The product's top half picks the place.
        let place = (hash >> 64) as usize & (self.places.len() - 1);
        if let Some(Some((pt, pm, index, reported))) = self.places.get(place) {
            if *pt == t && *pm == m {
                return (*index, *reported);
            }
        }
        let index = index_of(total, max, policy.scale);
        let reported = index.map(|i| policy.rounding.round(i, policy.decimals));
        if let Some(slot) = self.places.get_mut(place) {
            *slot = Some((t, m, index, reported));
        }
        (index, reported)
    }
}

/// The group statistic of each relative leaf, per ranking group (`None` for all units).
type References = HashMap<(usize, Option<String>), Decimal>;

impl Plan {
    /// Scores every unit of a batch, then ranks and classifies them.
    ///
    /// Problems that stop scoring (a value outside its rule, a missing input under the `error`
    /// policy) are all collected before returning.
    pub fn score(&self, batch: &Batch) -> Result<Results, ScoreError> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        self.score_with_threads(batch, threads)
    }

    /// Scores with at most `threads` threads. Units are split into contiguous chunks, so the
    /// results are the same for any number of threads; small batches use one.
    pub fn score_with_threads(&self, batch: &Batch, threads: usize) -> Result<Results, ScoreError> {
        self.score_keeping(batch, threads, Kept::Every)
    }

    /// [`Plan::score_with_threads`], the scorecards keeping the results of the nodes `kept`
    /// only: the same totals, indices, ranks, bands and warnings.
    pub fn score_keeping(
        &self,
        batch: &Batch,
        threads: usize,
        kept: Kept,
    ) -> Result<Results, ScoreError> {
        // Below this many leaf evaluations, starting threads costs more than it saves.
        const PARALLEL_FROM: usize = 100_000;
        // Units scored together, at least (a chunk's memo of points warms up on its first few)
        // and at most (a chunk's scorecards are held twice while they are appended); between
        // them, an equal share of each thread.
        const CHUNK: std::ops::RangeInclusive<usize> = 512..=16_384;
        let inputs = Arc::new(Inputs {
            plan: self.clone(),
            batch: batch.clone(),
            references: self.references(batch),
            kept: KeptNodes::new(self, kept),
        });
        let count = batch.data.units.len();
        let threads = if count * self.leaf_count().max(1) < PARALLEL_FROM {
            1
        } else {
            threads.clamp(1, 64)
        };
        let kernel = kernel::Kernel::of(self);
        let kept_count = kept.count(self);
        // Earlier stages keep their points only when every node's results are kept.
        let earlier_count = if kept == Kept::Every { kept_count } else { 0 };
        let earlier_stages = |range: std::ops::Range<usize>| -> usize {
            let present = &batch.data.stages_present[range];
            present
                .iter()
                .map(|&stages| stages.count_ones().saturating_sub(1) as usize)
                .sum()
        };
        let score_range = |range: std::ops::Range<usize>| {
            let mut units = Vec::with_capacity(range.len());
            let mut warnings = Vec::new();
            let mut problems = Vec::new();
            let mut scratch = Scratch {
                nodes: Vec::new(),
                packed: Vec::new(),
                arena: Vec::with_capacity(range.len() * kept_count),
                earlier_points: Vec::with_capacity(earlier_stages(range.clone()) * earlier_count),
                memo: OutcomeMemo::new(self),
                kernel: kernel.as_ref(),
                indices: IndexMemo::new(),
            };
            for u in range {
                match self.score_unit(&inputs, u, &mut scratch, &mut warnings) {
                    Ok(card) => units.push(card),
                    Err(mut p) => problems.append(&mut p),
                }
            }
            // The chunk scored, its units read their results from its arrays; a unit's band
            // is its own, so it is classified here, on the thread that scored it.
            let arena = Arc::new(scratch.arena);
            let earlier_points = Arc::new(scratch.earlier_points);
            for card in &mut units {
                card.nodes.share(&arena);
                for stage in &mut card.earlier_stages {
                    stage.points.share(&earlier_points);
                }
                card.band = rank::classify(&self.set, card).map(|band| band.name.clone());
            }
            (units, warnings, problems)
        };
        // Units go to the threads in chunks, appended to the results in order as each is
        // done: the scorecards are held once, not a second time in each thread's part until
        // the last part is done.
        let chunk = count.div_ceil(threads).clamp(*CHUNK.start(), *CHUNK.end());
        let mut units = Vec::with_capacity(count);
        let mut warnings = batch.data.record_warnings.clone();
        let mut problems = Vec::new();
        crate::threads::in_order_chunks(
            count,
            chunk,
            threads,
            score_range,
            |(mut u, mut w, mut p): (Vec<Scorecard>, Vec<ScoreWarning>, Vec<ScoreProblem>)| {
                units.append(&mut u);
                warnings.append(&mut w);
                problems.append(&mut p);
                std::ops::ControlFlow::Continue(())
            },
        );
        if !problems.is_empty() {
            return Err(ScoreError { problems });
        }
        rank::rank(&self.set, &mut units);
        let set = &self.set;
        Ok(Results {
            provenance: Provenance {
                set_id: set.info.id.clone(),
                content_hash: set.content_hash.clone(),
                year: set.info.year,
                level: set.info.level.clone(),
                engine_version: ENGINE_VERSION.to_owned(),
            },
            units,
            warnings,
            set: self.set.clone(),
        })
    }

    fn group_of(&self, batch: &Batch, unit: usize) -> Option<String> {
        let name = self.set.policy.group_by.as_ref()?;
        batch.data.units[unit]
            .attributes
            .get(name)
            .map(ToString::to_string)
    }

    fn references(&self, batch: &Batch) -> References {
        let mut references = References::new();
        for (leaf, node) in self.leaves.iter().enumerate() {
            let Some(Rule::Relative(Relative { to, among, .. })) = &self.set.nodes[*node].rule
            else {
                continue;
            };
            let mut by_group: HashMap<Option<String>, Vec<Decimal>> = HashMap::new();
            for u in 0..batch.data.units.len() {
                if let Some(x) = batch.final_number(u, leaf) {
                    let group = if *among == Among::Group {
                        self.group_of(batch, u)
                    } else {
                        None
                    };
                    by_group.entry(group).or_default().push(x);
                }
            }
            for (group, mut values) in by_group {
                // Checked: inputs are the user's, and a sum of huge numbers must not panic.
                let statistic = match to {
                    Statistic::Mean => values
                        .iter()
                        .try_fold(Decimal::ZERO, |sum, x| sum.checked_add(*x))
                        .and_then(|sum| sum.checked_div(Decimal::from(values.len()))),
                    Statistic::Median => {
                        values.sort();
                        let mid = values.len() / 2;
                        if values.len() % 2 == 1 {
                            Some(values[mid])
                        } else {
                            values[mid - 1]
                                .checked_add(values[mid])
                                .map(|s| s / Decimal::TWO)
                        }
                    }
                };
                let Some(statistic) = statistic else { continue };
                references.insert((leaf, group), statistic);
            }
        }
        references
    }

    /// Per node, whether the unit's attributes rule it out, inherited from its ancestors; empty
    /// when the set rules nothing out.
    fn ruled_out(&self, batch: &Batch, unit: usize) -> Vec<bool> {
        if !self.has_applicability {
            return Vec::new();
        }
        let mut out = vec![false; self.set.nodes.len()];
        let attributes = &batch.data.units[unit].attributes;
        for &i in &self.top_down {
            let inherited = self.parent[i].is_some_and(|p| out[p]);
            let applies = self.set.nodes[i].applies.iter().all(|condition| {
                attributes
                    .get(&condition.attribute)
                    .is_some_and(|v| condition.any_of.contains(v))
            });
            out[i] = inherited || !applies;
        }
        out
    }

    fn score_unit(
        &self,
        inputs: &Arc<Inputs>,
        unit: usize,
        scratch: &mut Scratch<'_>,
        warnings: &mut Vec<ScoreWarning>,
    ) -> Result<Scorecard, Vec<ScoreProblem>> {
        let batch = &inputs.batch;
        let last = batch.last_stage(unit).unwrap_or(0);
        let group = self.group_of(batch, unit);
        let hot = self.score_packed(inputs, unit, &group, scratch, warnings);
        let (earlier_stages, final_nodes, (total, max)) = match hot {
            Some(results) => results,
            None => self.score_stages(inputs, unit, &group, scratch, warnings)?,
        };
        let (index, reported_index) = scratch.indices.index(total, max, &self.set.policy);
        Ok(Scorecard {
            unit: batch.data.units[unit].id.clone(),
            attributes: batch.data.units[unit].attributes.clone(),
            nodes: final_nodes,
            total,
            max,
            reported_index,
            index,
            group,
            rank: None,
            band: None,
            earlier_stages: earlier_stages.into_boxed_slice(),
            final_stage: u8::try_from(last).unwrap_or(u8::MAX),
            set: self.set.clone(),
            inputs: inputs.clone(),
            position: unit,
        })
    }

    /// A unit's results at every stage it has inputs for, by decimal arithmetic.
    fn score_stages(
        &self,
        inputs: &Inputs,
        unit: usize,
        group: &Option<String>,
        scratch: &mut Scratch<'_>,
        warnings: &mut Vec<ScoreWarning>,
    ) -> Result<UnitResults, Vec<ScoreProblem>> {
        let (batch, references) = (&inputs.batch, &inputs.references);
        let (nodes, memo) = (&mut scratch.nodes, &mut scratch.memo);
        let ruled_out = self.ruled_out(batch, unit);
        let last = batch.last_stage(unit).unwrap_or(0);
        let mut earlier_stages = Vec::new();
        let mut final_nodes = NodeResults::default();
        let mut final_total = (Decimal::ZERO, Decimal::ZERO);
        let mut problems = Vec::new();
        for stage in 0..=last {
            // Earlier stages are scored only where the unit has inputs for them.
            let present = stage == last || batch.has_stage(unit, stage);
            if !present {
                continue;
            }
            let is_final = stage == last;
            nodes.clear();
            nodes.resize(self.set.nodes.len(), NodeScore::empty(NodeStatus::Scored));
            for (leaf, &node) in self.leaves.iter().enumerate() {
                let result = if ruled_out.get(node) == Some(&true) {
                    nodes[node] = NodeScore::empty(NodeStatus::NotApplicable);
                    Ok(None)
                } else {
                    self.score_leaf(
                        batch,
                        (unit, leaf, stage),
                        references,
                        group,
                        memo,
                        &mut nodes[node],
                    )
                };
                match result {
                    Err(message) => {
                        problems.push(self.problem(batch, unit, node, stage, message));
                        continue;
                    }
                    Ok(Some(gap)) => warnings.push(ScoreWarning {
                        stage: Some(self.set.policy.stages[stage].clone()),
                        ..ScoreWarning::new(
                            &batch.data.units[unit].id,
                            &self.set.nodes[node].code,
                            gap,
                        )
                    }),
                    Ok(None) => {}
                }
                if is_final && nodes[node].status == NodeStatus::Missing {
                    if self.set.policy.missing == Missing::Error {
                        problems.push(self.problem(
                            batch,
                            unit,
                            node,
                            stage,
                            "has no input".to_owned(),
                        ));
                    } else {
                        warnings.push(self.no_input(batch, unit, node));
                    }
                }
            }
            for (score, _) in nodes.iter_mut().zip(&ruled_out).filter(|(_, out)| **out) {
                score.status = NodeStatus::NotApplicable;
            }
            self.aggregate(nodes);
            let (total, max) = self.total(nodes);
            if is_final {
                let arena = &mut scratch.arena;
                final_nodes = match &inputs.kept {
                    None => NodeResults::pack(arena, nodes.iter()),
                    Some(kept) => {
                        NodeResults::pack(arena, kept.positions.iter().map(|&i| &nodes[i]))
                    }
                };
                final_total = (total, max);
            } else {
                earlier_stages.push(EarlierStage {
                    // A set has at most `MAX_STAGES` stages.
                    stage: u8::try_from(stage).unwrap_or(u8::MAX),
                    points: match inputs.kept {
                        None => PackedPoints::pack(
                            &mut scratch.earlier_points,
                            nodes.iter().map(|n| n.points),
                        ),
                        Some(_) => PackedPoints::default(),
                    },
                    total,
                });
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok((earlier_stages, final_nodes, final_total))
    }

    /// The warning for a leaf without input at a unit's final stage, scored 0.
    fn no_input(&self, batch: &Batch, unit: usize, node: usize) -> ScoreWarning {
        ScoreWarning::new(
            &batch.data.units[unit].id,
            &self.set.nodes[node].code,
            "no input: scored 0".to_owned(),
        )
    }

    fn problem(
        &self,
        batch: &Batch,
        unit: usize,
        node: usize,
        stage: usize,
        message: String,
    ) -> ScoreProblem {
        ScoreProblem {
            stage: self.set.policy.stages[stage].clone(),
            unit: batch.data.units[unit].id.clone(),
            code: self.set.nodes[node].code.clone(),
            message,
        }
    }

    /// What a leaf's inputs say at a stage, and the context its rule needs.
    #[inline(always)]
    fn leaf_input<'b>(
        &self,
        batch: &'b Batch,
        unit: usize,
        leaf: usize,
        stage: usize,
        references: &References,
        group: &Option<String>,
    ) -> Result<LeafInput<'b>, String> {
        let node = &self.set.nodes[self.leaves[leaf]];
        let read = batch
            .latest_packed(unit, leaf, stage)
            .and_then(|(used_stage, packed)| Some((used_stage, packed.read(batch.beside())?)));
        let Some((used_stage, (value, evidence))) = read else {
            return Ok(LeafInput::Missing);
        };
        let Some(value) = value else {
            return Ok(LeafInput::NotApplicable(used_stage));
        };
        let mut ctx = Context::with_policy(node.max, &self.set.policy);
        match &node.rule {
            Some(Rule::Relative(Relative { among, .. })) => {
                let key_group = if *among == Among::Group {
                    group.clone()
                } else {
                    None
                };
                ctx.reference = references.get(&(leaf, key_group)).copied();
            }
            Some(Rule::Branch(Branch { on, cases })) => {
                ctx.case = Some(self.branch_case(batch, unit, leaf, stage, on, cases)?)
            }
            _ => {}
        }
        Ok(LeafInput::Value {
            value,
            ctx,
            stage: used_stage,
            evidence,
        })
    }

    /// Scores one leaf of a unit at a stage into `out`: the hot path, which keeps only the
    /// points. Returns the warning for a value given at this stage that fell in a printed tier
    /// gap, scored 0.
    fn score_leaf(
        &self,
        batch: &Batch,
        (unit, leaf, stage): (usize, usize, usize),
        references: &References,
        group: &Option<String>,
        memo: &mut OutcomeMemo,
        out: &mut NodeScore,
    ) -> Result<Option<String>, String> {
        let node = &self.set.nodes[self.leaves[leaf]];
        // A value the leaf's rule scored before, for another unit, gets the same points; a
        // tiers leaf's value is compared with its tiers as whole numbers.
        let given = batch.latest_packed(unit, leaf, stage);
        let key = given.and_then(|(_, packed)| memo.key(leaf, packed));
        if let Some((used_stage, packed)) = given {
            let known = key
                .and_then(|key| memo.find(leaf, key))
                .or_else(|| memo.compiled(leaf, packed));
            if let Some(points) = known {
                self.put_points(node, points, used_stage, packed.evidence(), out);
                return Ok(None);
            }
        }
        match self.leaf_input(batch, unit, leaf, stage, references, group)? {
            LeafInput::Missing => {
                *out = NodeScore {
                    max: node.max,
                    ..NodeScore::empty(NodeStatus::Missing)
                }
            }
            LeafInput::NotApplicable(used_stage) => {
                *out = NodeScore {
                    stage: u8::try_from(used_stage).ok(),
                    ..NodeScore::empty(NodeStatus::NotApplicable)
                }
            }
            LeafInput::Value {
                value,
                ctx,
                stage: used_stage,
                evidence,
            } => {
                let rule = node.rule.as_ref().ok_or("has no rule")?;
                let outcome = rule.evaluate(&value, &ctx)?;
                self.put_points(node, outcome.points, used_stage, evidence, out);
                if outcome.in_gap() {
                    // Once, at the stage the value was given, not again where it carries on.
                    if used_stage == stage {
                        return Ok(rule.gap_warning(&value, &outcome));
                    }
                } else if let Some(key) = key {
                    memo.keep(leaf, key, outcome.points);
                }
            }
        }
        Ok(None)
    }

    /// A leaf's result from the points its rule gave the value given at `used_stage`: none
    /// when evidence is required of a self-assessed value and none was attached.
    #[inline]
    fn put_points(
        &self,
        node: &Node,
        points: Decimal,
        used_stage: usize,
        evidence: Option<bool>,
        out: &mut NodeScore,
    ) {
        let without_evidence = self.set.evidence_for(node) == Evidence::Required
            && used_stage == 0
            && evidence != Some(true);
        *out = NodeScore {
            points: if without_evidence {
                Decimal::ZERO
            } else {
                points
            },
            status: if without_evidence {
                NodeStatus::NoEvidence
            } else {
                NodeStatus::Scored
            },
            max: node.max,
            stage: u8::try_from(used_stage).ok(),
        };
    }

    fn branch_case(
        &self,
        batch: &Batch,
        unit: usize,
        leaf: usize,
        stage: usize,
        on: &BranchOn,
        cases: &[crate::rule::Case],
    ) -> Result<usize, String> {
        let seen: Option<AttrValue> = match on {
            BranchOn::Attribute(name) => batch.data.units[unit].attributes.get(name).cloned(),
            BranchOn::Node(_) => {
                let source = self.branch_source[leaf].ok_or("the branch's leaf does not exist")?;
                let source_rule = self.set.nodes[self.leaves[source]].rule.as_ref();
                let value = batch
                    .latest(unit, source, stage)
                    .and_then(|(_, cell)| value_of(cell));
                match (value.as_deref(), source_rule) {
                    (Some(Value::Bool(b)), _) => Some(AttrValue::Bool(*b)),
                    (Some(Value::Number(n)), _) => Some(AttrValue::Number(*n)),
                    (Some(Value::Text(t)), _) => Some(AttrValue::Text(t.to_string())),
                    (Some(v @ Value::Choice(_)), Some(rule)) => rule
                        .answer(v)
                        .map(|answer| AttrValue::Text(answer.key.into_owned())),
                    _ => None,
                }
            }
        };
        cases
            .iter()
            .position(|case| match (&case.equals, &seen) {
                (None, _) => true,
                (Some(expected), Some(seen)) => expected == seen,
                (Some(_), None) => false,
            })
            .ok_or_else(|| match seen {
                Some(v) => format!("no case of the branch matches {v}"),
                None => "the branch's deciding value is missing".to_owned(),
            })
    }

    /// Sums children into parents, bottom up, under each parent's not-applicable policy.
    fn aggregate(&self, nodes: &mut [NodeScore]) {
        for &parent in &self.bottom_up {
            let full = |child: usize, sum: &mut DecimalSum| sum.add(self.set.nodes[child].max);
            let sums = self.children_sums(parent, nodes, full);
            let out = &mut nodes[parent];
            *out = match sums {
                Some((points, max)) if out.status != NodeStatus::NotApplicable => {
                    self.bounded(parent, points.value(), max.value())
                }
                _ => NodeScore::empty(NodeStatus::NotApplicable),
            };
        }
    }

    /// The sums of a parent's children's points and maxima under its not-applicable policy,
    /// `full` adding a child's whole maximum to a sum; `None` when no child counts.
    #[inline(always)]
    fn children_sums<N: ChildResult>(
        &self,
        parent: usize,
        nodes: &[N],
        full: impl Fn(usize, &mut DecimalSum),
    ) -> Option<(DecimalSum, DecimalSum)> {
        let mut points = DecimalSum::default();
        let mut max = DecimalSum::default();
        let mut any_applicable = false;
        let policy = self.na_policy[parent];
        for &child in &self.children[parent] {
            let score = &nodes[child];
            if score.not_applicable() {
                if policy == NotApplicable::FullPoints {
                    full(child, &mut points);
                    full(child, &mut max);
                    any_applicable = true;
                }
            } else {
                score.add_to(&mut points, &mut max);
                any_applicable = true;
            }
        }
        any_applicable.then_some((points, max))
    }

    /// A parent's result from the sums of its children's points and maxima: rescaled under
    /// its policy, bounded as a bonus or penalty block.
    fn bounded(&self, parent: usize, mut points: Decimal, mut max: Decimal) -> NodeScore {
        let node = &self.set.nodes[parent];
        // Rescaling applies whenever less than the whole maximum is applicable, whether a
        // child is wholly not applicable or passes up a reduced maximum of its own.
        if self.na_policy[parent] == NotApplicable::RescaleToParent
            && max != node.max
            && !max.is_zero()
        {
            points = points * node.max / max;
            max = node.max;
        }
        match node.kind {
            NodeKind::Bonus => points = points.min(node.max),
            NodeKind::Penalty => points = points.max(node.floor.unwrap_or(Decimal::MIN)),
            NodeKind::Scored => {}
        }
        NodeScore {
            points,
            max,
            status: NodeStatus::Scored,
            stage: None,
        }
    }

    /// The set's total and applicable maximum: scored areas, plus bonus and penalty blocks.
    fn total(&self, nodes: &[NodeScore]) -> (Decimal, Decimal) {
        let mut total = Decimal::ZERO;
        let mut max = Decimal::ZERO;
        for &area in &self.areas {
            let score = &nodes[area];
            if score.status == NodeStatus::NotApplicable {
                continue;
            }
            total += score.points;
            if !self.is_bonus_or_penalty(area) {
                max += score.max;
            }
        }
        self.capped(total, max)
    }

    /// The total within `[0, max]` when the set caps it.
    fn capped(&self, total: Decimal, max: Decimal) -> (Decimal, Decimal) {
        if self.set.policy.cap_total {
            (total.min(max).max(Decimal::ZERO), max)
        } else {
            (total, max)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_is_remembered_by_its_total_and_maximum_to_their_scales() {
        let policy = Policy::default();
        // One place, so that every pair takes the place of the one before.
        let mut memo = IndexMemo::with_places(1);
        let d = |text: &str| text.parse::<Decimal>().expect("decimal");
        let pairs = [
            ("5", "10"),
            ("5", "20"),
            ("5.0", "10"),
            ("5", "10.00"),
            ("7", "0"),
            ("5", "20"),
            ("5", "10"),
            ("5", "10"),
            ("6", "10"),
        ];
        let bytes = |x: Option<Decimal>| x.map(|x| x.serialize());
        for (total, max) in pairs {
            let (index, reported) = memo.index(d(total), d(max), &policy);
            let expected = index_of(d(total), d(max), policy.scale);
            let rounded = expected.map(|i| policy.rounding.round(i, policy.decimals));
            assert_eq!(bytes(index), bytes(expected), "{total} of {max}");
            assert_eq!(bytes(reported), bytes(rounded), "{total} of {max}");
        }
    }
}
