//! The layout reader: which cell of a grid is a unit, a stage, an attribute or a leaf's value.
//!
//! Two layouts, whatever the door:
//! - **wide**: a header row with a `unit` column, one column per leaf code, and optional
//!   `name`, `stage`, `note` and attribute columns; one row per unit, or per unit and stage;
//! - **long**: `unit`, `code` and `value` columns, and optional `stage`, `evidence`, `name`,
//!   `note` and attribute columns; one row per value. A `code` may also name an attribute.
//!
//! Header names are matched without regard to case; stages by their name or their label
//! (`appraisal` or `Thẩm định`).

use std::borrow::Cow;
use std::collections::HashMap;

use parindex_core::batch::PackedRow;
use parindex_core::value;
use smallvec::SmallVec;

use super::memo::{Memoized, ReadMemo};
use super::{
    CellTarget, CellValue, Grid, GridCell, InputReader, LeafCell, LeafReader, Loc, stage_label,
};

/// What a column of a grid holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Column {
    Unit,
    Name,
    Stage,
    Attribute(String),
    /// A leaf, by its position in the plan.
    Leaf(usize),
    Code,
    Value,
    Evidence,
    Note,
    Ignored,
}

impl Column {
    /// The name of a required column of the long layout.
    fn name(&self) -> &'static str {
        match self {
            Column::Unit => "unit",
            Column::Code => "code",
            Column::Value => "value",
            _ => "",
        }
    }
}

/// The header row: the first of the first 20 rows with a cell `unit`.
pub(crate) fn find_header(rows: &[Vec<GridCell>]) -> Option<usize> {
    rows.iter().take(HEADER_ROWS).position(|row| {
        row.iter()
            .any(|c| matches!(&c.value, super::CellValue::Text(t) if t.trim().eq_ignore_ascii_case("unit")))
    })
}

/// Whether a header row has the columns of the long layout.
pub(crate) fn is_long(header: &[GridCell]) -> bool {
    ["code", "value"].iter().all(|k| {
        header
            .iter()
            .any(|c| c.value.plain().eq_ignore_ascii_case(k))
    })
}

/// Whether a header row has a `stage` column.
pub(crate) fn has_stage_column(header: &[GridCell]) -> bool {
    header
        .iter()
        .any(|c| c.value.plain().eq_ignore_ascii_case("stage"))
}

impl InputReader {
    /// The stage named by a sheet, a `stage` cell or a JSON key: its name or its label.
    pub(crate) fn resolve_stage(&self, text: &str) -> Option<usize> {
        let t = super::cell::nfc(text.trim());
        let lower = t.to_lowercase();
        self.plan
            .set()
            .policy
            .stages
            .iter()
            .position(|s| s.eq_ignore_ascii_case(&t) || stage_label(s).to_lowercase() == lower)
    }

    pub(crate) fn unknown_stage(&self, text: &str) -> String {
        let stages = &self.plan.set().policy.stages;
        let listed: Vec<String> = stages
            .iter()
            .map(|s| {
                let label = stage_label(s);
                if label == s {
                    s.clone()
                } else {
                    format!("{s} ({label})")
                }
            })
            .collect();
        format!(
            "\"{}\" is not a stage of this set ({})",
            text.trim(),
            listed.join(", ")
        )
    }

    fn is_attribute(&self, name: &str) -> bool {
        name == "ranked" || self.plan.set().attribute(name).is_some()
    }

    fn classify(&self, name: &str, long: bool) -> Result<Column, String> {
        let lower = name.to_lowercase();
        let column = match lower.as_str() {
            "unit" => Column::Unit,
            "name" => Column::Name,
            "stage" => Column::Stage,
            "note" | "notes" => Column::Note,
            "code" if long => Column::Code,
            "value" if long => Column::Value,
            "evidence" if long => Column::Evidence,
            "" => Column::Ignored,
            _ if self.is_attribute(name) => Column::Attribute(name.to_owned()),
            _ if long => {
                return Err(format!(
                    "column \"{name}\" is not one of unit, code, value, stage, evidence, note, name, nor an attribute of this set"
                ));
            }
            _ => match self.plan.leaf_index(name) {
                Some(leaf) => Column::Leaf(leaf),
                None if self.plan.node_index(name).is_some() => {
                    return Err(format!(
                        "column \"{name}\" is scored from its sub-criteria; give values for those"
                    ));
                }
                None => {
                    return Err(format!(
                        "column \"{name}\" is not a criterion or an attribute of this set"
                    ));
                }
            },
        };
        Ok(column)
    }

    /// Reads the rows of one table, row by row: the header is the first of its first 20 rows
    /// with a `unit` cell, and every row below it is a unit's (or a value's). Returns `false`,
    /// with nothing recorded, when no header is found.
    ///
    /// Only the rows up to the header are held; each row below it is read and dropped, so a
    /// door that streams its rows holds one row at a time.
    pub(crate) fn read_rows(
        &mut self,
        grid: &Grid,
        rows: impl IntoIterator<Item = Vec<GridCell>>,
    ) -> bool {
        let mut rows = rows.into_iter();
        match self.open_rows(grid, &mut rows) {
            Ok((table, after)) => {
                self.read_table_rows(grid, &table, after.into_iter().chain(rows));
                true
            }
            Err(found) => found,
        }
    }

    /// Starts a grid: finds its header in its first 20 rows, and its table's columns. Returns
    /// them with the rows read after the header while looking for it; `Err(false)`, with
    /// nothing recorded, when no header is found, and `Err(true)` when the table cannot be
    /// read, its problems recorded.
    pub(crate) fn open_rows(
        &mut self,
        grid: &Grid,
        rows: &mut impl Iterator<Item = Vec<GridCell>>,
    ) -> Result<(Table, Vec<Vec<GridCell>>), bool> {
        self.origins.next_grid();
        let mut head: Vec<Vec<GridCell>> = Vec::new();
        let h = loop {
            if let Some(h) = find_header(&head) {
                break h;
            }
            if head.len() >= HEADER_ROWS {
                return Err(false);
            }
            match rows.next() {
                Some(row) => head.push(row),
                None => return Err(false),
            }
        };
        let table = self.open_table(grid, &head[h]).ok_or(true)?;
        Ok((table, head.split_off(h + 1)))
    }

    /// Whether the wide rows of a table are read ahead on several threads, their leaf cells
    /// before the rows are given to their units ([`LeafReader::read_wide_record`]); `false`
    /// for the long layout, one thread, and trend values joined to last year's.
    pub(crate) fn reads_rows_ahead(&self, table: &Table) -> bool {
        !table.long && self.threads > 1 && self.previous_year.is_empty()
    }

    /// Reads the rows below a table's header.
    pub(crate) fn read_table_rows(
        &mut self,
        grid: &Grid,
        table: &Table,
        rows: impl IntoIterator<Item = Vec<GridCell>>,
    ) {
        let mut rows = rows.into_iter();
        if !self.reads_rows_ahead(table) {
            for row in rows {
                if self.beyond_a_limit() {
                    break;
                }
                self.read_row(grid, table, &row);
            }
            return;
        }
        // Wide rows in blocks: the leaf cells of a block read on every thread, then the rows
        // given to their units in order, so that what is read and refused is the same.
        loop {
            if self.beyond_a_limit() {
                return;
            }
            let mut block: Vec<Vec<GridCell>> = Vec::new();
            let mut cells = 0;
            while block.len() < BLOCK_ROWS && cells < BLOCK_CELLS {
                let Some(row) = rows.next() else { break };
                cells += row.len();
                block.push(row);
            }
            if block.is_empty() {
                return;
            }
            let read = self.read_block(table, &block);
            for (row, cells) in block.iter().zip(read) {
                if !row.iter().all(|c| c.value.is_empty()) {
                    self.read_wide_row(grid, table, row, Some(cells));
                }
            }
        }
    }

    /// Gives a wide record read ahead ([`LeafReader::read_wide_record`]) to its unit.
    pub(crate) fn give_wide_record(&mut self, grid: &Grid, table: &Table, record: WideRecord<'_>) {
        if !record.blank {
            self.read_wide_row(grid, table, &record.cells, Some(record.read));
        }
    }

    /// The leaf cells of a block of wide rows, read on up to [`InputReader::set_threads`]
    /// threads: per row, those that pack in a [`PackedRow`], the others in the order of their
    /// columns.
    fn read_block<'c>(&self, table: &Table, block: &'c [Vec<GridCell>]) -> Vec<ReadRow<'c>> {
        // A cell whose text is kept, or whose place scoring may name, is given on its own.
        let reader = self.leaf_reader();
        let keeps_texts = reader.keeps_texts;
        let read = |rows: &'c [Vec<GridCell>]| -> Vec<ReadRow<'c>> {
            let mut memo = ReadMemo::default();
            rows.iter()
                .map(|row| {
                    let mut read = ReadRow::new(self.plan.leaf_count());
                    for (leaf, cell) in table.leaf_cells(row) {
                        let done = reader.read_leaf_cell(leaf, cell, None, &mut memo);
                        read.take(leaf, cell.loc, done, keeps_texts);
                    }
                    read
                })
                .collect()
        };
        let threads = self.threads.min(block.len() / MIN_ROWS_PER_THREAD);
        parindex_core::threads::in_order(block, threads, read)
    }

    /// The columns of a table from its header row, or `None` when the table cannot be read
    /// (its problems recorded).
    fn open_table(&mut self, grid: &Grid, header: &[GridCell]) -> Option<Table> {
        let default_stage = match &grid.stage {
            None => 0,
            Some(name) => match self.resolve_stage(name) {
                Some(stage) => stage,
                None => {
                    let message = self.unknown_stage(name);
                    self.file_problem(&grid.source, message);
                    return None;
                }
            },
        };
        let long = is_long(header);
        let mut columns = Vec::with_capacity(header.len());
        let mut seen: HashMap<Column, Loc> = HashMap::new();
        for cell in header {
            let name = cell.value.plain();
            let column = match self.classify(&name, long) {
                Ok(c) => c,
                Err(message) => {
                    self.problem(grid, cell.loc, None, message);
                    Column::Ignored
                }
            };
            if !matches!(column, Column::Ignored | Column::Note) {
                if seen.contains_key(&column) {
                    let message = format!("column \"{name}\" appears twice");
                    self.problem(grid, cell.loc, None, message);
                    columns.push(Column::Ignored);
                    continue;
                }
                seen.insert(column.clone(), cell.loc);
            }
            columns.push(column);
        }
        if long {
            for required in [Column::Unit, Column::Code, Column::Value] {
                if !seen.contains_key(&required) {
                    let loc = header.first().map_or(Loc::Text(1, 1), |c| c.loc);
                    let message = format!("no \"{}\" column", required.name());
                    self.problem(grid, loc, None, message);
                    return None;
                }
            }
        }
        let position = |wanted: &Column| columns.iter().position(|c| c == wanted);
        Some(Table {
            looked_up: columns
                .iter()
                .rposition(|c| !matches!(c, Column::Leaf(_)))
                .map_or(0, |last| last + 1),
            unit: position(&Column::Unit),
            name: position(&Column::Name),
            stage: position(&Column::Stage),
            code: position(&Column::Code),
            value: position(&Column::Value),
            evidence: position(&Column::Evidence),
            columns,
            default_stage,
            long,
        })
    }

    /// Reads one row below a table's header.
    fn read_row(&mut self, grid: &Grid, table: &Table, row: &[GridCell]) {
        if row.iter().all(|c| c.value.is_empty()) {
            return;
        }
        if table.long {
            self.read_long_row(grid, table, row);
        } else {
            self.read_wide_row(grid, table, row, None);
        }
    }

    /// The unit of a row, added to the batch if new; its stage.
    fn row_unit(&mut self, grid: &Grid, table: &Table, row: &[GridCell]) -> Option<(usize, usize)> {
        let first_loc = row.first().map_or(Loc::Text(1, 1), |c| c.loc);
        let Some(unit_cell) = table
            .find(row, &Column::Unit)
            .filter(|c| !c.value.is_empty())
        else {
            let loc = table.find(row, &Column::Unit).map_or(first_loc, |c| c.loc);
            self.problem(
                grid,
                loc,
                None,
                "a row with values has no unit id".to_owned(),
            );
            return None;
        };
        let id = unit_cell.value.plain().into_owned();
        let stage = match table
            .find(row, &Column::Stage)
            .filter(|c| !c.value.is_empty())
        {
            Some(cell) => {
                let text = cell.value.plain();
                match self.resolve_stage(&text) {
                    Some(s) => s,
                    None => {
                        let message = self.unknown_stage(&text);
                        self.problem(grid, cell.loc, None, message);
                        return None;
                    }
                }
            }
            None => table.default_stage,
        };
        // A new unit is added only within the limits: what they allow is known before the
        // id is looked for, so that it is looked for once.
        let full = self.batch.units().len() >= self.max_units();
        let over = !full && self.scoring_bytes() > self.memory_limit;
        let index = match self.batch.unit_index_or_add(&id, !full && !over) {
            Ok(Some(i)) => i,
            Ok(None) if full => {
                if let Some(message) = self.first_unit_beyond_limit() {
                    self.problem(grid, unit_cell.loc, None, message);
                }
                return None;
            }
            Ok(None) => {
                if let Some(message) = self.first_unit_beyond_memory() {
                    self.problem(grid, unit_cell.loc, None, message);
                }
                return None;
            }
            Err(e) => {
                // A look-alike id is named with where the unit it looks like was read.
                let lookalike = parindex_core::text::identifier_problem(&id)
                    .is_none()
                    .then(|| self.batch.lookalike(&id))
                    .flatten();
                let first = lookalike.and_then(|other| {
                    let stages = self.plan.set().policy.stages.len();
                    (0..stages).find_map(|s| self.rows_seen.get(other, s))
                });
                let message = match first {
                    Some(spot) => {
                        format!("{} (first at {})", e.message, self.origins.describe(*spot))
                    }
                    None => e.message,
                };
                self.problem(grid, unit_cell.loc, None, message);
                return None;
            }
        };
        if let Some(name) = table
            .find(row, &Column::Name)
            .filter(|c| !c.value.is_empty())
        {
            if self.names.len() <= index {
                self.names.resize(index + 1, None);
            }
            self.names[index].get_or_insert_with(|| name.value.plain().into_owned());
        }
        for (column, cell) in table.columns.iter().zip(row) {
            if let Column::Attribute(name) = column {
                if !cell.value.is_empty() {
                    self.set_attribute(grid, index, name, cell);
                }
            }
        }
        Some((index, stage))
    }

    fn set_attribute(&mut self, grid: &Grid, unit: usize, name: &str, cell: &GridCell) {
        let text = cell.value.plain();
        match self.batch.set_attribute_text(unit, name, &text) {
            Ok(_) => self.keep_text(unit, CellTarget::Attribute(name.to_owned()), &text),
            Err(e) => self.unit_problem(grid, cell.loc, unit, name, e.message),
        }
    }

    /// Records where a unit's row at a stage is; `false` when one was already read.
    fn first_row(&mut self, grid: &Grid, unit: usize, stage: usize, loc: Loc) -> bool {
        let origins = &mut self.origins;
        self.rows_seen
            .first(unit, stage, || origins.spot(grid, loc))
    }

    /// Reads a wide row; its leaf cells may have been read already ([`ReadRow`]).
    fn read_wide_row(
        &mut self,
        grid: &Grid,
        table: &Table,
        row: &[GridCell],
        read: Option<ReadRow<'_>>,
    ) {
        let Some((unit, stage)) = self.row_unit(grid, table, row) else {
            return;
        };
        let loc = row.first().map_or(Loc::Text(1, 1), |c| c.loc);
        if !self.first_row(grid, unit, stage, loc) {
            let id = &self.batch.units()[unit].id;
            let first = self
                .rows_seen
                .get(unit, stage)
                .map(|spot| self.origins.describe(*spot))
                .unwrap_or_default();
            let stages = &self.plan.set().policy.stages;
            let message = if stages.len() > 1 {
                format!(
                    "unit \"{id}\" appears twice at stage {} (first at {first})",
                    stages[stage]
                )
            } else {
                format!("unit \"{id}\" appears twice (first at {first})")
            };
            self.problem(grid, loc, None, message);
            return;
        }
        let Some(read) = read else {
            for (leaf, cell) in table.leaf_cells(row) {
                self.set_leaf(grid, unit, leaf, stage, cell);
            }
            return;
        };
        if let Err(e) = self.batch.set_row(unit, stage, read.packed) {
            self.problem(grid, loc, None, e.message);
        }
        for (leaf, loc, done) in read.alone {
            self.give_leaf_cell(grid, unit, leaf, stage, loc, done);
        }
    }

    fn read_long_row(&mut self, grid: &Grid, table: &Table, row: &[GridCell]) {
        let Some((unit, stage)) = self.row_unit(grid, table, row) else {
            return;
        };
        let first_loc = row.first().map_or(Loc::Text(1, 1), |c| c.loc);
        let Some(code_cell) = table
            .find(row, &Column::Code)
            .filter(|c| !c.value.is_empty())
        else {
            let valued = [Column::Value, Column::Evidence]
                .iter()
                .any(|c| table.find(row, c).is_some_and(|c| !c.value.is_empty()));
            if valued {
                self.problem(
                    grid,
                    first_loc,
                    None,
                    "a row with values has no code".to_owned(),
                );
            } else {
                // A row that only names a unit: the unit is scored with its inputs missing.
                self.first_row(grid, unit, stage, first_loc);
            }
            return;
        };
        self.first_row(grid, unit, stage, code_cell.loc);
        let code = code_cell.value.plain().into_owned();
        let empty = GridCell {
            value: super::CellValue::Empty,
            loc: code_cell.loc,
        };
        let value = table.find(row, &Column::Value).unwrap_or(&empty);
        if self.is_attribute(&code) {
            if !value.value.is_empty() {
                self.set_attribute(grid, unit, &code, value);
            }
            return;
        }
        let Some(leaf) = self.plan.leaf_index(&code) else {
            let message = if self.plan.node_index(&code).is_some() {
                format!("\"{code}\" is scored from its sub-criteria; give values for those")
            } else {
                format!("\"{code}\" is not a criterion or an attribute of this set")
            };
            self.problem(grid, code_cell.loc, None, message);
            return;
        };
        let key = (unit, leaf, stage);
        if let Some(first) = self.values_seen.get(&key) {
            let message = format!(
                "unit \"{}\" has a second value for {code} at stage {} (first at {first})",
                self.batch.units()[unit].id,
                self.plan.set().policy.stages[stage]
            );
            self.problem(grid, code_cell.loc, Some(&code), message);
            return;
        }
        self.values_seen.insert(key, grid.describe(code_cell.loc));
        let evidence = table
            .find(row, &Column::Evidence)
            .filter(|c| !c.value.is_empty());
        if value.value.is_empty() {
            if let Some(evidence) = evidence {
                let message = "has evidence recorded but no value".to_owned();
                self.problem(grid, evidence.loc, Some(&code), message);
            }
            return;
        }
        if !self.set_leaf(grid, unit, leaf, stage, value) {
            return;
        }
        if let Some(evidence) = evidence {
            // A file name or a document number counts as evidence attached.
            let attached = value::parse_bool(&evidence.value.plain()).unwrap_or(true);
            let stage_name = self.plan.set().policy.stages[stage].clone();
            match self
                .batch
                .set_evidence(unit, &code, Some(&stage_name), attached)
            {
                Ok(()) => {
                    let target = CellTarget::Evidence {
                        code: code.clone(),
                        stage: stage_name,
                    };
                    self.keep_text(unit, target, if attached { "yes" } else { "no" });
                }
                Err(e) => self.problem(grid, evidence.loc, Some(&code), e.message),
            }
        }
    }
}

/// The rows of a table a header is looked for in.
const HEADER_ROWS: usize = 20;

/// The rows of a wide table read at once, their cells on several threads: enough to share
/// out, few enough that a streamed door still holds a small part of its file.
const BLOCK_ROWS: usize = 2048;

/// The most cells held in a block, however wide its rows (a sheet may have 16,384 columns).
const BLOCK_CELLS: usize = 1 << 18;

/// The fewest rows worth a thread of their own.
const MIN_ROWS_PER_THREAD: usize = 256;

/// A table's columns, from its header row.
/// A wide row's leaf cells read ahead of giving them to its unit, on any thread.
pub(crate) struct ReadRow<'c> {
    /// The inputs that pack, set at once.
    packed: PackedRow,
    /// The cells given one at a time, in the order of their columns: refused, kept beside,
    /// located, or with their text kept.
    alone: Vec<(usize, Loc, LeafCell<'c>)>,
}

impl LeafReader<'_> {
    /// A wide record of a CSV file read ahead, on any thread, its fields taken out of `record`
    /// (which keeps its room): its leaf fields read straight
    /// from the file's text ([`LeafReader::read_leaf_text`]), the others kept as cells for
    /// [`InputReader::give_wide_record`], up to the last that is not a leaf's; a leaf's column
    /// before it keeps an empty cell at its place.
    pub(crate) fn read_wide_record<'t>(
        &self,
        table: &Table,
        record: &mut Vec<crate::csv::Field<'t>>,
        memo: &mut ReadMemo,
    ) -> WideRecord<'t> {
        let keeps_texts = self.keeps_texts;
        let mut read = ReadRow::new(self.plan.leaf_count());
        let mut blank = true;
        let kept = table.looked_up;
        let mut cells = SmallVec::with_capacity(kept.min(record.len()));
        for (position, field) in record.drain(..).enumerate() {
            let loc = Loc::Text(field.line, field.column);
            let empty = is_blank(&field.text);
            blank &= empty;
            let value = match table.columns.get(position) {
                Some(Column::Leaf(leaf)) => {
                    if !empty {
                        match field.text {
                            Cow::Borrowed(text) if !keeps_texts => {
                                let found = self.read_leaf_text_packed(*leaf, text, memo);
                                read.take_memoized(*leaf, loc, found);
                            }
                            Cow::Borrowed(text) => {
                                let cell = self.read_leaf_text(*leaf, text, memo);
                                read.take(*leaf, loc, cell, keeps_texts);
                            }
                            Cow::Owned(text) => {
                                let cell = self.read_leaf_text(*leaf, &text, memo).into_owned();
                                read.take(*leaf, loc, cell, keeps_texts);
                            }
                        }
                    }
                    CellValue::Empty
                }
                _ if field.text.is_empty() => CellValue::Empty,
                _ => CellValue::Text(field.text.into()),
            };
            if position < kept {
                cells.push(GridCell { value, loc });
            }
        }
        WideRecord { cells, read, blank }
    }
}

impl<'c> ReadRow<'c> {
    /// No cell of `leaf_count` leaves read yet.
    fn new(leaf_count: usize) -> Self {
        ReadRow {
            packed: PackedRow::new(leaf_count),
            alone: Vec::new(),
        }
    }

    /// Takes a leaf's cell read at `loc`: into the packed row when it packs and nothing more is
    /// to be done with it, else to be given alone.
    fn take(&mut self, leaf: usize, loc: Loc, cell: LeafCell<'c>, keeps_texts: bool) {
        match cell {
            LeafCell::Skipped | LeafCell::Blank => {}
            LeafCell::Read {
                input,
                located: false,
                ..
            } if !keeps_texts && self.packed.set(leaf, &input) => {}
            other => self.alone.push((leaf, loc, other)),
        }
    }

    /// [`ReadRow::take`] of what the memo gave a reader that keeps no text.
    fn take_memoized(&mut self, leaf: usize, loc: Loc, found: Memoized<'c>) {
        match found {
            Memoized::Packed(packed) => {
                self.packed.put(leaf, packed);
            }
            Memoized::Cell(cell) => self.take(leaf, loc, cell, false),
        }
    }
}

/// Whether a field holds nothing but white space, as `trim` counts it: a field that starts
/// with a letter, a digit or a sign is told at its first byte.
fn is_blank(text: &str) -> bool {
    match text.as_bytes().first() {
        None => true,
        Some(b) if b.is_ascii_graphic() => false,
        Some(_) => text.trim().is_empty(),
    }
}

/// A wide record of a CSV file read ahead ([`LeafReader::read_wide_record`]).
pub(crate) struct WideRecord<'t> {
    /// Its fields as cells up to the last that is not a leaf's, a leaf's empty: in place for
    /// the usual few (unit, name), so that a record read ahead takes no allocation of its own
    /// between the unit's lasting ones.
    cells: SmallVec<[GridCell; 4]>,
    /// Its leaf fields, read.
    read: ReadRow<'t>,
    /// Whether every field is empty or blank.
    blank: bool,
}

/// The columns of a table, from its header row.
pub(crate) struct Table {
    columns: Vec<Column>,
    default_stage: usize,
    long: bool,
    /// The positions of the columns rows are looked up by.
    unit: Option<usize>,
    name: Option<usize>,
    stage: Option<usize>,
    code: Option<usize>,
    value: Option<usize>,
    evidence: Option<usize>,
    /// The columns up to the last that is not a leaf's: those a row is looked up by (unit,
    /// name, stage, attributes). The leaf columns after it, most of a wide row, need no cell
    /// once read ([`LeafReader::read_wide_record`]).
    looked_up: usize,
}

impl Table {
    /// The cells of a row's leaf columns that hold something, with their leaf, in the order
    /// of the columns: what a wide row gives its unit, and the order cells read ahead of it
    /// ([`InputReader::read_leaf_cell`]) are kept in.
    fn leaf_cells<'r>(&self, row: &'r [GridCell]) -> impl Iterator<Item = (usize, &'r GridCell)> {
        self.columns
            .iter()
            .zip(row)
            .filter_map(|(column, cell)| match column {
                Column::Leaf(leaf) if !cell.value.is_empty() => Some((*leaf, cell)),
                _ => None,
            })
    }

    fn find<'r>(&self, row: &'r [GridCell], wanted: &Column) -> Option<&'r GridCell> {
        let position = match wanted {
            Column::Unit => self.unit,
            Column::Name => self.name,
            Column::Stage => self.stage,
            Column::Code => self.code,
            Column::Value => self.value,
            Column::Evidence => self.evidence,
            other => self.columns.iter().position(|c| c == other),
        };
        position.and_then(|i| row.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::is_blank;

    #[test]
    fn a_field_is_blank_as_trimming_it_empties_it() {
        let fields = [
            "",
            " ",
            "\t",
            "  \r",
            "\u{a0}",
            "\u{3000}",
            "\u{2003}x",
            " có",
            "có",
            "0",
            "-1",
            "N/A",
            "\u{feff}",
            "\u{200b}",
        ];
        for field in fields {
            assert_eq!(is_blank(field), field.trim().is_empty(), "{field:?}");
        }
    }
}
