//! The inputs of a scoring run: units, their attributes, and one value per leaf and stage.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::model::{AttrValue, AttributeKind};
use crate::packed_cell::PackedCell;
use crate::plan::Plan;
use crate::records::{Derivation, Derivations};
use crate::score::{Kept, ScoreWarning};
use crate::text::{into_nfc, nfc};
use crate::text_index::TextIndex;
use crate::value::{self, Input, Value};

/// What a run holds per unit beyond its cells and results, as measured on the command line
/// (peak resident memory less the estimate, at 100,000 units): its name, where it was read,
/// its id and band again on its scorecard, and its place in the outputs.
const RUN_BYTES_PER_UNIT: u64 = 1100;

/// One unit's input for one leaf at one stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The value, or not applicable.
    pub input: Input,
    /// Whether evidence was attached: `None` when not recorded.
    pub evidence: Option<bool>,
}

/// A unit to score: its id and attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// The unit's id, unique in the batch.
    pub id: String,
    /// Attribute values, by name: shared with the unit's scorecard.
    pub attributes: Arc<BTreeMap<String, AttrValue>>,
}

/// A value that could not be taken into a batch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    /// The unit concerned.
    pub unit: Option<String>,
    /// The leaf or attribute concerned.
    pub code: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_for_unit(f, self.unit.as_deref(), self.code.as_deref(), &self.message)
    }
}

/// `unit U, CODE: message`, leaving out what is not known.
pub(crate) fn write_for_unit(
    f: &mut fmt::Formatter<'_>,
    unit: Option<&str>,
    code: Option<&str>,
    message: &str,
) -> fmt::Result {
    match (unit, code) {
        (Some(unit), Some(code)) => write!(f, "unit {unit}, {code}: {message}"),
        (Some(unit), None) => write!(f, "unit {unit}: {message}"),
        (None, Some(code)) => write!(f, "{code}: {message}"),
        (None, None) => f.write_str(message),
    }
}

/// Units and their inputs, held column-wise for fast scoring.
///
/// ```
/// use parindex_core::{shipped, Batch, Plan, AttrValue};
/// let plan = Plan::new(&shipped::load("binh-thuan-police/commune/2024")?.set);
/// let mut batch = Batch::new(&plan);
/// let ward = batch.add_unit("CAP-01", [])?;
/// batch.set_text(ward, "1.1.4", None, "7/9")?;
/// batch.set_text(ward, "1.1.4", Some("appraisal"), "6/9")?;
/// let error = batch.set_text(ward, "1.1.4", None, "1,500%").err().ok_or("accepted")?;
/// assert_eq!(error.to_string(), "unit CAP-01, 1.1.4: \"1,500%\" could be 1.500 or 1500: write it with a decimal point (1.500) or without a separator (1500)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Batch {
    /// Shared, copied on write: results keep a clone to explain themselves without a copy.
    pub(crate) data: Arc<BatchData>,
    plan: Plan,
}

#[derive(Debug, Clone)]
pub(crate) struct BatchData {
    pub(crate) leaf_count: usize,
    pub(crate) stage_count: usize,
    pub(crate) units: Vec<Unit>,
    /// No attributes, shared by every unit given none until one is set on it (copied on
    /// write): a map allocated per unit would cost a million allocations at a million units.
    no_attributes: Arc<BTreeMap<String, AttrValue>>,
    /// Per unit and stage (`unit * stage_count + stage`), the cells of every leaf, packed:
    /// allocated, at its exact size, on the first input of that stage, so a stage the unit has
    /// no input for costs a pointer, and scoring a unit with only a self-assessment reads one
    /// block.
    pub(crate) blocks: Vec<Option<Box<[PackedCell]>>>,
    /// The cells that do not pack (text, survey responses, numbers of more than 15 digits,
    /// ratios of wider ones than 6), where their packed cells point.
    pub(crate) side: Vec<Cell>,
    /// How many of the blocks are allocated.
    pub(crate) blocks_given: usize,
    /// Per unit, a bit per stage that has at least one input.
    pub(crate) stages_present: Vec<u64>,
    /// Hashed with a per-process random key: ids are the user's, and a faster hash than
    /// the standard one matters at a million units.
    pub(crate) ids: TextIndex,
    /// Unit ids by their look-alike skeleton (TR39), to refuse ids that look the same.
    pub(crate) skeletons: TextIndex,
    /// Values derived from the year's records, and what they were derived from.
    pub(crate) derived: Derivations,
    /// Warnings met while deriving them; scoring reports them with its own.
    pub(crate) record_warnings: Vec<ScoreWarning>,
}

/// One unit's inputs at one stage, packed ahead of being set: what a reader running on
/// several threads prepares for [`Batch::set_row`], so that setting a row is one move rather
/// than a packing per cell.
///
/// ```
/// use parindex_core::batch::PackedRow;
/// use parindex_core::{Batch, Input, Plan, Value, shipped};
///
/// let plan = Plan::new(&shipped::load("binh-thuan-police/commune/2024")?.set);
/// let mut batch = Batch::new(&plan);
/// let ward = batch.add_unit("CAP-01", [])?;
/// let mut row = PackedRow::new(plan.leaf_count());
/// assert!(row.set(0, &Input::NotApplicable));
/// // Text does not pack: it is set on its own.
/// assert!(!row.set(1, &Input::Value(Value::Text("xem ghi chú".into()))));
/// batch.set_row(ward, 0, row)?;
/// assert_eq!(batch.get(ward, 0, 0).map(|c| c.input.clone()), Some(Input::NotApplicable));
/// assert!(batch.get(ward, 1, 0).is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PackedRow {
    cells: Box<[PackedCell]>,
    given: usize,
}

impl PackedRow {
    /// A row of `leaf_count` leaves with no input.
    pub fn new(leaf_count: usize) -> Self {
        PackedRow {
            cells: vec![PackedCell::EMPTY; leaf_count].into_boxed_slice(),
            given: 0,
        }
    }

    /// Puts the input for the leaf at `leaf` in the row. `false` when it is not kept in the
    /// row: the leaf is not in it, or the input does not pack (text, survey responses, wider
    /// numbers), and is to be set with [`Batch::set_at`] instead.
    pub fn set(&mut self, leaf: usize, input: &Input) -> bool {
        PackedInput::new(input).is_some_and(|packed| self.put(leaf, packed))
    }

    /// Puts an input packed ahead for the leaf at `leaf` in the row; `false` when the leaf is
    /// not in it.
    pub fn put(&mut self, leaf: usize, packed: PackedInput) -> bool {
        let Some(place) = self.cells.get_mut(leaf) else {
            return false;
        };
        if place.is_empty() {
            self.given += 1;
        }
        *place = packed.0;
        true
    }
}

/// An input packed once, to be put in many rows ([`PackedRow::put`]): what a reader that
/// meets the same text in a column again and again keeps instead of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackedInput(PackedCell);

impl PackedInput {
    /// The input packed, or `None` when it does not pack (text, survey responses by group or
    /// answer, wider numbers).
    pub fn new(input: &Input) -> Option<PackedInput> {
        PackedCell::pack_input(input, None).map(PackedInput)
    }
}

/// Where a leaf's input at a stage goes: the unit's block of that stage, and the leaf in it.
#[derive(Debug, Clone, Copy)]
struct Slot {
    unit: usize,
    block: usize,
    leaf: usize,
    stage: usize,
}

impl BatchData {
    fn slot(&self, unit: usize, leaf: usize, stage: usize) -> Slot {
        Slot {
            unit,
            block: unit * self.stage_count + stage,
            leaf,
            stage,
        }
    }

    fn packed(&self, slot: Slot) -> Option<PackedCell> {
        self.blocks
            .get(slot.block)?
            .as_ref()?
            .get(slot.leaf)
            .copied()
    }

    fn cell(&self, slot: Slot) -> Option<Cow<'_, Cell>> {
        self.packed(slot)?.unpack(&self.side)
    }

    /// Sets a cell, keeping the evidence already recorded there, and marks its stage present.
    fn put(&mut self, slot: Slot, input: Input) {
        match PackedCell::pack_input(&input, None) {
            Some(packed) => self.put_packed(slot, packed),
            None => self.put_beside(slot, input),
        }
    }

    /// Sets a cell that packed, keeping the evidence already recorded there (its own is
    /// ignored), and marks its stage present.
    fn put_packed(&mut self, slot: Slot, packed: PackedCell) {
        let Some(previous) = self.cell_mut(slot).map(|cell| *cell) else {
            return;
        };
        let evidence = match previous.side_position() {
            // What the old cell kept beside is dropped; its place stays unused.
            Some(position) => self.side.get_mut(position).and_then(|place| {
                place.input = Input::NotApplicable;
                place.evidence
            }),
            None => previous.evidence(),
        };
        if let Some(cell) = self.cell_mut(slot) {
            *cell = packed.with_evidence(evidence);
        }
        self.mark_present(slot);
    }

    /// Sets a cell that does not pack, kept beside, keeping the evidence already recorded
    /// there, and marks its stage present.
    fn put_beside(&mut self, slot: Slot, input: Input) {
        let side_len = self.side.len();
        let Some(old) = self.cell_mut(slot) else {
            return;
        };
        let previous = *old;
        match previous.side_position().filter(|&p| p < side_len) {
            Some(position) => self.side[position].input = input,
            None => {
                *old = PackedCell::beside(side_len);
                let evidence = previous.evidence();
                self.side.push(Cell { input, evidence });
            }
        }
        self.mark_present(slot);
    }

    /// A slot's packed cell, its unit's cells at its stage allocated on the first input.
    fn cell_mut(&mut self, slot: Slot) -> Option<&mut PackedCell> {
        let leaf_count = self.leaf_count;
        let block = self.blocks.get_mut(slot.block)?;
        if block.is_none() {
            self.blocks_given += 1;
        }
        block
            .get_or_insert_with(|| vec![PackedCell::EMPTY; leaf_count].into_boxed_slice())
            .get_mut(slot.leaf)
    }

    fn mark_present(&mut self, slot: Slot) {
        if let Some(bits) = self.stages_present.get_mut(slot.unit) {
            *bits |= 1 << slot.stage.min(63);
        }
    }

    /// Records whether evidence was attached to a cell; `false` when it has no input.
    fn record_evidence(&mut self, slot: Slot, evidence: bool) -> bool {
        let Some(packed) = self
            .blocks
            .get_mut(slot.block)
            .and_then(Option::as_mut)
            .and_then(|cells| cells.get_mut(slot.leaf))
            .filter(|p| !p.is_empty())
        else {
            return false;
        };
        match packed.side_position() {
            Some(position) => match self.side.get_mut(position) {
                Some(cell) => cell.evidence = Some(evidence),
                None => return false,
            },
            None => *packed = packed.with_evidence(Some(evidence)),
        }
        true
    }
}

impl Batch {
    /// An empty batch for a plan.
    pub fn new(plan: &Plan) -> Self {
        Batch {
            data: Arc::new(BatchData {
                leaf_count: plan.leaf_count(),
                stage_count: plan.set.policy.stages.len(),
                units: Vec::new(),
                no_attributes: Arc::default(),
                blocks: Vec::new(),
                side: Vec::new(),
                blocks_given: 0,
                stages_present: Vec::new(),
                ids: TextIndex::default(),
                skeletons: TextIndex::default(),
                derived: Derivations::new(),
                record_warnings: Vec::new(),
            }),
            plan: plan.clone(),
        }
    }

    /// The same units and inputs, for another plan of the same tree and stages: a variant of
    /// the set with another policy. The inputs are shared, not copied.
    pub fn for_plan(&self, plan: &Plan) -> Result<Batch, InputError> {
        let same_leaves = plan.leaves.len() == self.plan.leaves.len()
            && plan
                .leaves
                .iter()
                .zip(&self.plan.leaves)
                .all(|(a, b)| plan.set.nodes[*a].code == self.plan.set.nodes[*b].code);
        if !same_leaves || plan.set.policy.stages != self.plan.set.policy.stages {
            return Err(InputError {
                unit: None,
                code: None,
                message: format!(
                    "the set {} has other leaves or stages than the batch's",
                    plan.set.info.id
                ),
            });
        }
        Ok(Batch {
            data: Arc::clone(&self.data),
            plan: plan.clone(),
        })
    }

    /// The plan the batch was made for.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The units, in the order added.
    pub fn units(&self) -> &[Unit] {
        &self.data.units
    }

    /// The position of the unit with this id, however its marks are encoded; a new id is
    /// added as [`Batch::add_unit`] adds it when `add` is true, and gives `None` when not. One
    /// look for the id, where [`Batch::unit_index`] and then [`Batch::add_unit`] take two: a
    /// reader that meets each unit at its row, and must refuse a new one beyond its limits.
    ///
    /// ```
    /// use parindex_core::{shipped, Batch, Plan};
    /// let plan = Plan::new(&shipped::load("binh-thuan-police/commune/2024")?.set);
    /// let mut batch = Batch::new(&plan);
    /// assert_eq!(batch.unit_index_or_add("CAP-01", false)?, None);
    /// assert_eq!(batch.unit_index_or_add("CAP-01", true)?, Some(0));
    /// assert_eq!(batch.unit_index_or_add(" CAP-01 ", false)?, Some(0));
    /// assert!(batch.unit_index_or_add("CAP-0l", true).is_err(), "looks like CAP-01");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unit_index_or_add(&mut self, id: &str, add: bool) -> Result<Option<usize>, InputError> {
        let id = nfc(id);
        let id = id.trim();
        if let Some(position) = self.trimmed_index(id) {
            return Ok(Some(position));
        }
        if !add {
            return Ok(None);
        }
        self.add_new_unit(id).map(Some)
    }

    /// Adds a unit; its id must be new to the batch. Returns its position.
    ///
    /// The id is kept in NFC, so that the unit is found however its marks are typed.
    pub fn add_unit(
        &mut self,
        id: &str,
        attributes: impl IntoIterator<Item = (String, AttrValue)>,
    ) -> Result<usize, InputError> {
        let id = nfc(id);
        let id = id.trim();
        if self.trimmed_index(id).is_some() {
            return Err(InputError {
                unit: Some(id.to_owned()),
                code: None,
                message: "appears twice".to_owned(),
            });
        }
        let position = self.add_new_unit(id)?;
        for (name, value) in attributes {
            self.set_attribute(position, &name, value)?;
        }
        Ok(position)
    }

    /// Adds a unit whose id, in NFC and trimmed, no unit has.
    fn add_new_unit(&mut self, id: &str) -> Result<usize, InputError> {
        if id.is_empty() {
            return Err(InputError {
                unit: None,
                code: None,
                message: "a unit has an empty id".to_owned(),
            });
        }
        if let Some(why) = crate::text::identifier_problem(id) {
            return Err(InputError {
                unit: Some(id.to_owned()),
                code: None,
                message: format!("the unit id \"{id}\" {why}"),
            });
        }
        let skeleton = crate::text::skeleton(id);
        if let Some(other) = self.skeleton_owner(&skeleton) {
            let other = &self.data.units[other].id;
            return Err(InputError {
                unit: Some(id.to_owned()),
                code: None,
                message: format!(
                    "the unit id \"{id}\" looks like the unit id \"{other}\" but is different text: give each unit an id that cannot be mistaken for another's"
                ),
            });
        }
        let position = self.data.units.len();
        let data = Arc::make_mut(&mut self.data);
        data.skeletons.insert(&skeleton, position);
        data.ids.insert(id, position);
        data.units.push(Unit {
            id: id.to_owned(),
            attributes: Arc::clone(&data.no_attributes),
        });
        data.blocks
            .resize_with(data.blocks.len() + data.stage_count, || None);
        data.stages_present.push(0);
        Ok(position)
    }

    /// About how many bytes the batch and the results of scoring it hold, together: the cells
    /// of every stage a unit has input for, and per unit each node's result and its points at
    /// each of those stages. Known before scoring, so that a caller can refuse a run over its
    /// memory budget instead of running out of memory.
    pub fn scoring_bytes(&self) -> u64 {
        self.scoring_bytes_keeping(Kept::Every)
    }

    /// [`Batch::scoring_bytes`], for results that keep the nodes `kept` only
    /// ([`Plan::score_keeping`]).
    pub fn scoring_bytes_keeping(&self, kept: Kept) -> u64 {
        use std::mem::size_of;
        let count = |n: usize| n as u64;
        let nodes = count(kept.count(&self.plan));
        let stages_given = count(self.data.blocks_given);
        let units = count(self.data.units.len());
        let cells = count(self.data.leaf_count) * count(size_of::<PackedCell>());
        let beside = count(self.data.side.len()) * count(size_of::<Cell>());
        // A scorecard keeps its points per node at each stage but the last, which are its
        // node results.
        let earlier_stages = stages_given.saturating_sub(units);
        let per_earlier_stage = nodes * count(crate::packed::BYTES_PER_EARLIER_POINTS)
            + count(crate::score::EARLIER_STAGE_BYTES);
        let per_unit = count(size_of::<crate::score::Scorecard>())
            + nodes * count(crate::packed::BYTES_PER_NODE)
            // The unit, its id and the two indexes of ids.
            + count(size_of::<Unit>() + 96)
            + RUN_BYTES_PER_UNIT;
        stages_given * cells + beside + earlier_stages * per_earlier_stage + units * per_unit
    }

    /// The position of the unit with this id, however its marks are encoded.
    pub fn unit_index(&self, id: &str) -> Option<usize> {
        self.trimmed_index(nfc(id).trim())
    }

    /// [`Batch::unit_index`] of an id already in NFC and trimmed.
    fn trimmed_index(&self, id: &str) -> Option<usize> {
        let units = &self.data.units;
        self.data
            .ids
            .find(id, |p| Cow::Borrowed(units[p].id.as_str()))
    }

    /// The position of another unit whose id looks like this one ([`crate::text::skeleton`])
    /// but is different text: the unit that [`Batch::add_unit`] refuses this id for.
    pub fn lookalike(&self, id: &str) -> Option<usize> {
        let id = nfc(id);
        let id = id.trim();
        self.skeleton_owner(&crate::text::skeleton(id))
            .filter(|&u| self.data.units[u].id != id)
    }

    /// The unit whose id has this look-alike skeleton.
    fn skeleton_owner(&self, skeleton: &str) -> Option<usize> {
        let units = &self.data.units;
        self.data.skeletons.find(skeleton, |p| {
            Cow::Owned(crate::text::skeleton(&units[p].id))
        })
    }

    fn unit_error(&self, unit: usize, code: Option<&str>, message: String) -> InputError {
        InputError {
            unit: self.data.units.get(unit).map(|u| u.id.clone()),
            code: code.map(str::to_owned),
            message,
        }
    }

    /// Sets an attribute of a unit. The attribute must be declared by the set (or be `ranked`).
    /// The name and a text value are kept in NFC.
    pub fn set_attribute(
        &mut self,
        unit: usize,
        name: &str,
        value: AttrValue,
    ) -> Result<(), InputError> {
        let name = nfc(name);
        let name = name.as_ref();
        let value = match value {
            AttrValue::Text(text) => AttrValue::Text(into_nfc(text)),
            other => other,
        };
        let known = name == "ranked" || self.plan.set.attribute(name).is_some();
        if !known {
            return Err(self.unit_error(
                unit,
                Some(name),
                "is not an attribute of this set".to_owned(),
            ));
        }
        let target = Arc::make_mut(&mut self.data)
            .units
            .get_mut(unit)
            .ok_or_else(|| InputError {
                unit: None,
                code: None,
                message: format!("no unit at position {unit}"),
            })?;
        Arc::make_mut(&mut target.attributes).insert(name.to_owned(), value);
        Ok(())
    }

    /// Reads an attribute from text, by its declared type, in NFC.
    pub fn set_attribute_text(
        &mut self,
        unit: usize,
        name: &str,
        text: &str,
    ) -> Result<(), InputError> {
        let name = nfc(name);
        let name = name.as_ref();
        let text = nfc(text);
        let kind = if name == "ranked" {
            Some(AttributeKind::Bool)
        } else {
            self.plan.set.attribute(name).map(|a| a.kind)
        };
        let t = text.trim();
        let value = match kind {
            None => {
                return Err(self.unit_error(
                    unit,
                    Some(name),
                    "is not an attribute of this set".to_owned(),
                ));
            }
            Some(AttributeKind::Bool) => {
                value::parse_bool(t).map(AttrValue::Bool).ok_or_else(|| {
                    self.unit_error(unit, Some(name), format!("\"{t}\" is not yes or no"))
                })?
            }
            Some(AttributeKind::Number) => value::parse_decimal(t)
                .map(AttrValue::Number)
                .map_err(|m| self.unit_error(unit, Some(name), m))?,
            Some(AttributeKind::Text) => {
                let allowed = self
                    .plan
                    .set
                    .attribute(name)
                    .map(|a| a.values.clone())
                    .unwrap_or_default();
                if !allowed.is_empty() && !allowed.iter().any(|v| v == t) {
                    let message = format!("\"{t}\" is not one of {}", allowed.join(", "));
                    return Err(self.unit_error(unit, Some(name), message));
                }
                AttrValue::Text(t.to_owned())
            }
        };
        self.set_attribute(unit, name, value)
    }

    fn slot(&self, unit: usize, code: &str, stage: Option<&str>) -> Result<Slot, InputError> {
        if unit >= self.data.units.len() {
            return Err(InputError {
                unit: None,
                code: Some(code.to_owned()),
                message: format!("no unit at position {unit}"),
            });
        }
        let leaf = self.plan.leaf_index(code).ok_or_else(|| {
            let message = if self.plan.node_index(code).is_some() {
                "is scored from its sub-criteria; give values for those".to_owned()
            } else {
                "is not a criterion of this set".to_owned()
            };
            self.unit_error(unit, Some(code), message)
        })?;
        let stage = match stage {
            None => 0,
            Some(name) => self.plan.stage_index(name.trim()).ok_or_else(|| {
                let stages = self.plan.set.policy.stages.join(", ");
                self.unit_error(
                    unit,
                    Some(code),
                    format!("\"{name}\" is not a stage of this set ({stages})"),
                )
            })?,
        };
        Ok(self.data.slot(unit, leaf, stage))
    }

    /// Sets the input for a leaf at a stage (the first stage when `None`).
    pub fn set(
        &mut self,
        unit: usize,
        code: &str,
        stage: Option<&str>,
        input: Input,
    ) -> Result<(), InputError> {
        let slot = self.slot(unit, code, stage)?;
        Arc::make_mut(&mut self.data).put(slot, input);
        Ok(())
    }

    /// Sets the inputs of a unit at a stage packed ahead in `row` ([`PackedRow`]): the row
    /// becomes the unit's cells at that stage when it has none yet, without a copy; otherwise
    /// each input is set as [`Batch::set_at`] sets it, keeping the evidence recorded there.
    pub fn set_row(&mut self, unit: usize, stage: usize, row: PackedRow) -> Result<(), InputError> {
        if unit >= self.data.units.len()
            || stage >= self.data.stage_count
            || row.cells.len() != self.data.leaf_count
        {
            return Err(InputError {
                unit: None,
                code: None,
                message: format!(
                    "no unit {unit} or stage {stage} in the batch, or a row of {} leaves for {}",
                    row.cells.len(),
                    self.data.leaf_count
                ),
            });
        }
        if row.given == 0 {
            return Ok(());
        }
        let data = Arc::make_mut(&mut self.data);
        let block = unit * data.stage_count + stage;
        match &mut data.blocks[block] {
            empty @ None => {
                *empty = Some(row.cells);
                data.blocks_given += 1;
                data.stages_present[unit] |= 1 << stage.min(63);
            }
            Some(_) => {
                for (leaf, packed) in row.cells.iter().enumerate() {
                    if !packed.is_empty() {
                        data.put_packed(data.slot(unit, leaf, stage), *packed);
                    }
                }
            }
        }
        Ok(())
    }

    /// Sets the input for a leaf at a stage, by their positions in the plan.
    pub fn set_at(
        &mut self,
        unit: usize,
        leaf: usize,
        stage: usize,
        input: Input,
    ) -> Result<(), InputError> {
        if unit >= self.data.units.len()
            || leaf >= self.data.leaf_count
            || stage >= self.data.stage_count
        {
            return Err(InputError {
                unit: None,
                code: None,
                message: format!("no unit {unit}, leaf {leaf} or stage {stage} in the batch"),
            });
        }
        let slot = self.data.slot(unit, leaf, stage);
        Arc::make_mut(&mut self.data).put(slot, input);
        Ok(())
    }

    /// Reads the input for a leaf from the text an office writes: the rule decides how. An empty
    /// text leaves the input missing; `N/A`, `KAD` or `không áp dụng` mark it not applicable.
    pub fn set_text(
        &mut self,
        unit: usize,
        code: &str,
        stage: Option<&str>,
        text: &str,
    ) -> Result<(), InputError> {
        let slot = self.slot(unit, code, stage)?;
        if text.trim().is_empty() {
            return Ok(());
        }
        let input = if value::is_not_applicable(text) {
            Input::NotApplicable
        } else {
            let leaf = self.plan.leaves[self.plan.leaf_index(code).unwrap_or_default()];
            let rule = self.plan.set.nodes[leaf].rule.as_ref();
            let parsed = rule
                .map(|r| r.parse(text).map_err(String::from))
                .unwrap_or_else(|| Err("has no rule".to_owned()));
            Input::Value(parsed.map_err(|m| self.unit_error(unit, Some(code), m))?)
        };
        Arc::make_mut(&mut self.data).put(slot, input);
        Ok(())
    }

    /// Records whether evidence was attached to a leaf's input at a stage.
    pub fn set_evidence(
        &mut self,
        unit: usize,
        code: &str,
        stage: Option<&str>,
        evidence: bool,
    ) -> Result<(), InputError> {
        let slot = self.slot(unit, code, stage)?;
        if !Arc::make_mut(&mut self.data).record_evidence(slot, evidence) {
            let message = "has evidence recorded but no value".to_owned();
            return Err(self.unit_error(unit, Some(code), message));
        }
        Ok(())
    }

    /// The input for a leaf at a stage, if given: borrowed when the batch keeps it whole (text,
    /// survey responses), built from its packed form otherwise.
    pub fn get(&self, unit: usize, leaf: usize, stage: usize) -> Option<Cow<'_, Cell>> {
        if leaf >= self.data.leaf_count || stage >= self.data.stage_count {
            return None;
        }
        self.data.cell(self.data.slot(unit, leaf, stage))
    }

    /// What the input of a leaf was derived from, with its stage, when it came from records.
    pub fn derivation(&self, unit: usize, leaf: usize) -> Option<(usize, &Derivation)> {
        // Most batches derive nothing: no hashing then.
        if self.data.derived.is_empty() {
            return None;
        }
        let (stage, derivation) = self.data.derived.get(&(unit, leaf))?;
        Some((*stage, derivation.as_ref()))
    }

    pub(crate) fn data_mut(&mut self) -> &mut BatchData {
        Arc::make_mut(&mut self.data)
    }

    /// The leaf and stage positions of a code and a stage name (the first stage when `None`).
    pub(crate) fn leaf_and_stage(
        &self,
        code: &str,
        stage: Option<&str>,
    ) -> Result<(usize, usize), String> {
        let leaf = self
            .plan
            .leaf_index(code)
            .ok_or_else(|| "is not a leaf criterion of this set".to_owned())?;
        let stage = match stage {
            None => 0,
            Some(name) => self.plan.stage_index(name.trim()).ok_or_else(|| {
                let stages = self.plan.set.policy.stages.join(", ");
                format!("\"{name}\" is not a stage of this set ({stages})")
            })?,
        };
        Ok((leaf, stage))
    }

    /// The last stage at which a leaf has an input, at or before `stage`.
    pub(crate) fn latest(
        &self,
        unit: usize,
        leaf: usize,
        stage: usize,
    ) -> Option<(usize, Cow<'_, Cell>)> {
        let (stage, packed) = self.latest_packed(unit, leaf, stage)?;
        Some((stage, packed.unpack(&self.data.side)?))
    }

    /// [`Batch::latest`], packed: read with the batch's cells kept beside
    /// ([`Batch::beside`]).
    #[inline]
    pub(crate) fn latest_packed(
        &self,
        unit: usize,
        leaf: usize,
        stage: usize,
    ) -> Option<(usize, PackedCell)> {
        let present = *self.data.stages_present.get(unit)?;
        // Stages without any input for the unit are skipped without touching their cells.
        (0..=stage)
            .rev()
            .filter(|s| present & (1 << (*s).min(63)) != 0)
            .find_map(|s| {
                self.data
                    .packed(self.data.slot(unit, leaf, s))
                    .filter(|p| !p.is_empty())
                    .map(|p| (s, p))
            })
    }

    /// The cells that do not pack, where packed cells point.
    pub(crate) fn beside(&self) -> &[Cell] {
        &self.data.side
    }

    /// The last stage with any input for a unit.
    pub(crate) fn last_stage(&self, unit: usize) -> Option<usize> {
        let bits = *self.data.stages_present.get(unit)?;
        (bits != 0).then(|| 63 - bits.leading_zeros() as usize)
    }

    /// Whether a unit has any input at a stage.
    pub fn has_stage(&self, unit: usize, stage: usize) -> bool {
        self.data
            .stages_present
            .get(unit)
            .is_some_and(|bits| bits & (1 << stage.min(63)) != 0)
    }

    /// Numbers given for a leaf at the unit's final stage, for relative rules.
    pub(crate) fn final_number(&self, unit: usize, leaf: usize) -> Option<Decimal> {
        let (_, cell) = self.latest(unit, leaf, self.data.stage_count - 1)?;
        match cell.input {
            Input::Value(Value::Number(x)) => Some(x),
            _ => None,
        }
    }
}
