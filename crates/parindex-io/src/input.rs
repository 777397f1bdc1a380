//! Readers: wide and long CSV, Excel workbooks and JSON, into a [`Batch`].
//!
//! Every file of a run goes through one [`InputReader`], so that a unit's self-assessment and
//! its appraisal may come from different files, and so that every problem of every file is
//! reported in one run. Values are read by the criteria set's rules
//! ([`Batch::set_text`]): `có`/`không`, `87.5`, `87.5%`, `45/50`, `15/01/2024`, `N/A`…
//!
//! ## Excel numbers
//!
//! Excel stores every number as a binary float, and a cell typed `87.5%` as `0.875`. A number
//! cell is read back through its 15 significant digits (what Excel shows), never through the
//! float's binary expansion. For a criterion measured as a percentage (percent tiers,
//! proportional rules, survey shares), a number from 0 to 1 is a fraction (`0.875` is 87.5%,
//! `1` is 100%) and a number above 1 is in percent (`87.5` is 87.5%). A share of 1% or less
//! must be written as text (`0.5%`). Other criteria read the number as written. A cell that
//! Excel turned into a date is read as a date where the criterion takes dates, and refused
//! elsewhere: `5/6` typed into a number cell becomes the 5th of June.
//!
//! ## Workbook quirks
//!
//! - A formula cell is read through the value Excel saved with it; a formula saved without a
//!   value (by a program that does not calculate) is an error at its cell.
//! - Merged cells in the table (from the header row down, within its columns) are an error:
//!   only the first cell of a merged range holds the value, so the others would read as
//!   missing. Merged titles above the header row are fine.
//! - A hidden sheet is never read. A hidden sheet with a `unit` column is an error, so that
//!   hidden values are neither scored nor silently dropped; other hidden sheets (lists for
//!   data validation) are ignored, as are sheets without a `unit` column.
//! - A number stored as text is read as written, like a CSV cell.
//!
//! ## Limits
//!
//! Every file is held to the limits ([`crate::MAX_INPUT_BYTES`] and the others): its size,
//! rows, cells, characters per cell, and units per run.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read, Seek};
use std::path::Path;

use calamine::{Data, Reader, SheetType, SheetVisible, Sheets};
use parindex_core::{Batch, Measure, Plan, Rule};
use rust_decimal::Decimal;

use crate::csv;
use crate::error::{InputProblem, Place, ReadError, cell_name};
use crate::limits::{self, MAX_CELLS, MAX_ROWS, MAX_UNITS, cell_too_long};

/// The name of the instructions sheet of a template; readers skip it.
pub const INSTRUCTIONS_SHEET: &str = "Hướng dẫn";

/// The inputs of a run: the batch to score and the units' names.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// Units, attributes and values.
    pub batch: Batch,
    /// Units' names, by id, where an input gave one.
    pub names: BTreeMap<String, String>,
}

/// The label of a stage in templates and workbooks: `self` → `Tự đánh giá`, `appraisal` →
/// `Thẩm định`; other stages keep their name.
///
/// ```
/// assert_eq!(parindex_io::stage_label("self"), "Tự đánh giá");
/// assert_eq!(parindex_io::stage_label("manager"), "manager");
/// ```
pub fn stage_label(stage: &str) -> &str {
    match stage {
        "self" => "Tự đánh giá",
        "appraisal" => "Thẩm định",
        other => other,
    }
}

/// Reads every file into one batch; every problem of every file is collected.
///
/// ```
/// use parindex_core::{shipped, Plan};
/// let plan = Plan::new(&shipped::load("binh-thuan-police/commune/2024").unwrap().set);
/// let mut reader = parindex_io::InputReader::new(&plan);
/// reader.read_bytes("wards.csv", "unit,1.1.1,1.1.4\nCAP-01,đúng hạn,7/9\n".as_bytes());
/// let inputs = reader.finish().unwrap();
/// assert_eq!(inputs.batch.units().len(), 1);
///
/// let mut reader = parindex_io::InputReader::new(&plan);
/// reader.read_bytes("wards.csv", "unit,1.1.4\nCAP-01,\"85,5%\"\n".as_bytes());
/// let error = reader.finish().unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "wards.csv:2:8: 1.1.4: \"85,5%\" is not a percentage (use a decimal point: 85.5%)"
/// );
/// ```
pub fn read_inputs(plan: &Plan, paths: &[impl AsRef<Path>]) -> Result<Inputs, ReadError> {
    let mut reader = InputReader::new(plan);
    for path in paths {
        reader.read_path(path.as_ref());
    }
    reader.finish()
}

/// A raw cell value, before the criterion's rule reads it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Raw {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// Year, month, day.
    Date(i32, u32, u32),
    Error(String),
}

impl Raw {
    fn is_empty(&self) -> bool {
        match self {
            Raw::Empty => true,
            Raw::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as plain text, for ids, names, headers and attributes.
    pub(crate) fn plain(&self) -> Cow<'_, str> {
        match self {
            Raw::Empty => Cow::Borrowed(""),
            Raw::Text(t) => Cow::Borrowed(t.trim()),
            Raw::Number(x) => Cow::Owned(
                float_to_decimal(*x)
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| x.to_string()),
            ),
            Raw::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Raw::Date(y, m, d) => Cow::Owned(format!("{d:02}/{m:02}/{y:04}")),
            Raw::Error(e) => Cow::Owned(e.clone()),
        }
    }
}

/// Where a raw value was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loc {
    /// Line and column of a CSV file.
    Text(usize, usize),
    /// Absolute 0-based row and column of a sheet.
    Cell(u32, u32),
}

#[derive(Debug, Clone)]
pub(crate) struct RawField {
    pub(crate) raw: Raw,
    pub(crate) loc: Loc,
}

/// A grid of cells: a CSV file or one sheet.
struct Table<'a> {
    file: &'a str,
    sheet: Option<&'a str>,
    /// The stage a sheet stands for, by its name.
    sheet_stage: Option<usize>,
    rows: Vec<Vec<RawField>>,
}

impl Table<'_> {
    fn place(&self, loc: Loc) -> Place {
        match (loc, self.sheet) {
            (Loc::Cell(r, c), Some(sheet)) => Place::Cell {
                sheet: sheet.to_owned(),
                cell: cell_name(r, c),
            },
            (Loc::Cell(r, c), None) => Place::Line {
                line: r as usize + 1,
                column: c as usize + 1,
            },
            (Loc::Text(line, column), _) => Place::Line { line, column },
        }
    }

    fn describe(&self, loc: Loc) -> String {
        match (loc, self.sheet) {
            (Loc::Cell(r, _), Some(sheet)) => {
                format!("{}: sheet \"{sheet}\", row {}", self.file, r + 1)
            }
            (Loc::Cell(r, _), None) => format!("{}:{}", self.file, r + 1),
            (Loc::Text(line, _), _) => format!("{}:{line}", self.file),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Column {
    Unit,
    Name,
    Stage,
    Attribute(String),
    /// A leaf: its code and node index.
    Leaf(String, usize),
    Code,
    Value,
    Evidence,
    Note,
    Ignored,
}

/// Reads input files into one batch, collecting every problem.
#[derive(Debug)]
pub struct InputReader {
    plan: Plan,
    batch: Batch,
    names: BTreeMap<String, String>,
    /// (unit, stage) → where its row was first read.
    rows_seen: HashMap<(String, usize), String>,
    /// (unit, code, stage) → where the value was first read, for long files.
    values_seen: HashMap<(String, String, usize), String>,
    problems: Vec<InputProblem>,
    /// Whether a unit beyond [`MAX_UNITS`] was refused.
    units_beyond_limit: bool,
}

impl InputReader {
    /// A reader for a plan's set.
    pub fn new(plan: &Plan) -> Self {
        InputReader {
            plan: plan.clone(),
            batch: Batch::new(plan),
            names: BTreeMap::new(),
            rows_seen: HashMap::new(),
            values_seen: HashMap::new(),
            problems: Vec::new(),
            units_beyond_limit: false,
        }
    }

    /// Reads a file; its format comes from its extension: `.csv`, `.xlsx` (also `.xlsm`,
    /// `.xls`, `.ods`) or `.json`. The file is only read, never modified.
    pub fn read_path(&mut self, path: &Path) {
        let file = path.display().to_string();
        // The size is checked before anything is read into memory.
        match std::fs::metadata(path) {
            Ok(meta) if meta.len() > limits::MAX_INPUT_BYTES => {
                return self.file_problem(&file, limits::too_large(meta.len()));
            }
            _ => {}
        }
        match std::fs::read(path) {
            Ok(bytes) => self.read_bytes(&file, &bytes),
            Err(e) => self
                .problems
                .extend(ReadError::file(&file, format!("cannot read: {e}")).problems),
        }
    }

    /// Reads a file's bytes; `file` names it in messages and its extension gives the format.
    pub fn read_bytes(&mut self, file: &str, bytes: &[u8]) {
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if size > limits::MAX_INPUT_BYTES {
            return self.file_problem(file, limits::too_large(size));
        }
        let extension = Path::new(file)
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        match extension.as_str() {
            "csv" | "txt" => self.read_csv(file, bytes),
            "xlsx" | "xlsm" | "xls" | "ods" => self.read_workbook(file, bytes),
            "json" => self.read_json(file, bytes),
            other => self.file_problem(
                file,
                format!("unknown input format \".{other}\": give a .csv, .xlsx or .json file"),
            ),
        }
    }

    /// The batch and names read, or every problem found.
    pub fn finish(self) -> Result<Inputs, ReadError> {
        if self.problems.is_empty() {
            Ok(Inputs {
                batch: self.batch,
                names: self.names,
            })
        } else {
            Err(ReadError {
                problems: self.problems,
            })
        }
    }

    /// The problem of the first unit beyond [`MAX_UNITS`]; `None` for the units after it,
    /// which are skipped without a message each.
    fn first_unit_beyond_limit(&mut self) -> Option<String> {
        (!std::mem::replace(&mut self.units_beyond_limit, true)).then(|| {
            format!("more than {MAX_UNITS} units: a run is limited to {MAX_UNITS}; score the units in several runs")
        })
    }

    fn file_problem(&mut self, file: &str, message: String) {
        self.problems.push(InputProblem {
            file: file.to_owned(),
            place: Place::File,
            code: None,
            message,
        });
    }

    /// The text of a file, or `None` with the problem recorded when it is not UTF-8.
    fn decoded<'b>(&mut self, file: &str, bytes: &'b [u8]) -> Option<&'b str> {
        match decode_text(bytes) {
            Ok(text) => Some(text),
            Err((place, mut message)) => {
                // Excel's advice is for CSV files only.
                if !file.to_lowercase().ends_with(".csv") {
                    if let Some(at) = message.find(" (in Excel:") {
                        message.truncate(at);
                    }
                }
                self.problems.push(InputProblem {
                    file: file.to_owned(),
                    place,
                    code: None,
                    message,
                });
                None
            }
        }
    }

    fn read_csv(&mut self, file: &str, bytes: &[u8]) {
        let Some(text) = self.decoded(file, bytes) else {
            return;
        };
        let records = match csv::parse(text) {
            Ok(records) => records,
            Err((line, column, message)) => {
                self.problems.push(InputProblem {
                    file: file.to_owned(),
                    place: Place::Line { line, column },
                    code: None,
                    message,
                });
                return;
            }
        };
        let rows = records
            .into_iter()
            .map(|record| {
                record
                    .into_iter()
                    .map(|f| RawField {
                        raw: if f.text.is_empty() {
                            Raw::Empty
                        } else {
                            Raw::Text(f.text)
                        },
                        loc: Loc::Text(f.line, f.column),
                    })
                    .collect()
            })
            .collect();
        let table = Table {
            file,
            sheet: None,
            sheet_stage: None,
            rows,
        };
        if find_header(&table.rows).is_none() {
            self.problems.push(InputProblem {
                file: file.to_owned(),
                place: Place::Line { line: 1, column: 1 },
                code: None,
                message: NO_UNIT_COLUMN.to_owned(),
            });
            return;
        }
        self.read_table(&table);
    }

    fn read_workbook(&mut self, file: &str, bytes: &[u8]) {
        let mut workbook = match calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())) {
            Ok(w) => w,
            Err(e) => {
                self.file_problem(file, format!("cannot read the workbook: {e}"));
                return;
            }
        };
        let sheets = workbook.sheets_metadata().to_vec();
        let mut tables = Vec::new();
        for sheet in &sheets {
            let name = &sheet.name;
            if name == INSTRUCTIONS_SHEET || sheet.typ != SheetType::WorkSheet {
                continue;
            }
            let grid = match read_sheet(&mut workbook, name) {
                Ok(grid) => grid,
                Err(message) => {
                    self.file_problem(file, format!("cannot read sheet \"{name}\": {message}"));
                    continue;
                }
            };
            let Some(h) = find_header(&grid.rows) else {
                continue;
            };
            if sheet.visible != SheetVisible::Visible {
                self.file_problem(
                    file,
                    format!("sheet \"{name}\" is hidden and has a \"unit\" column: hidden sheets are never read; unhide it to have it scored, or delete it"),
                );
                continue;
            }
            let table = Table {
                file,
                sheet: Some(name),
                sheet_stage: None,
                rows: Vec::new(),
            };
            let header_row = grid.rows[h].first().map_or(0, |f| row_of(f.loc));
            let last_column = grid.rows[h].last().map_or(0, |f| column_of(f.loc));
            for (row, column, message) in &grid.problems {
                if *row >= header_row && *column <= last_column {
                    // Below the header, the column's heading names the criterion.
                    let heading = grid.rows[h]
                        .iter()
                        .find(|f| column_of(f.loc) == *column && *row > header_row)
                        .map(|f| f.raw.plain().into_owned())
                        .filter(|t| !t.is_empty());
                    let loc = Loc::Cell(*row, *column);
                    self.problem(&table, loc, heading.as_deref(), message.clone());
                }
            }
            tables.push((name.clone(), grid.rows, h));
        }
        if tables.is_empty() {
            self.file_problem(
                file,
                format!("no sheet has a \"unit\" column: {NO_UNIT_COLUMN}"),
            );
            return;
        }
        let single = tables.len() == 1;
        for (name, rows, header) in &tables {
            let has_stage_column = rows[*header]
                .iter()
                .any(|f| f.raw.plain().eq_ignore_ascii_case("stage"));
            let sheet_stage = self.resolve_stage(name);
            if sheet_stage.is_none() && !single && !has_stage_column {
                let stages: Vec<String> = self
                    .plan
                    .set()
                    .policy
                    .stages
                    .iter()
                    .map(|s| format!("\"{}\"", stage_label(s)))
                    .collect();
                self.file_problem(
                    file,
                    format!(
                        "sheet \"{name}\" is not a stage of this set: name each sheet after its stage ({}), or add a \"stage\" column",
                        stages.join(", ")
                    ),
                );
                continue;
            }
            let table = Table {
                file,
                sheet: Some(name),
                sheet_stage,
                rows: rows.clone(),
            };
            self.read_table(&table);
        }
    }

    /// The stage named by a sheet, a `stage` cell or a JSON key: its name or its label.
    fn resolve_stage(&self, text: &str) -> Option<usize> {
        let t = text.trim();
        self.plan.set().policy.stages.iter().position(|s| {
            s.eq_ignore_ascii_case(t) || stage_label(s).to_lowercase() == t.to_lowercase()
        })
    }

    fn unknown_stage(&self, text: &str) -> String {
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

    fn classify(&self, name: &str, long: bool) -> Result<Column, String> {
        let lower = name.trim().to_lowercase();
        let column = match lower.as_str() {
            "unit" => Column::Unit,
            "name" => Column::Name,
            "stage" => Column::Stage,
            "code" if long => Column::Code,
            "value" if long => Column::Value,
            "evidence" if long => Column::Evidence,
            "note" if long => Column::Note,
            "" => Column::Ignored,
            _ if long => {
                return Err(format!(
                    "column \"{}\" is not one of unit, code, value, stage, evidence, note, name",
                    name.trim()
                ));
            }
            _ => {
                let code = name.trim();
                if code == "ranked" || self.plan.set().attribute(code).is_some() {
                    Column::Attribute(code.to_owned())
                } else if let Some(node) = self
                    .plan
                    .leaf_index(code)
                    .and_then(|_| self.plan.node_index(code))
                {
                    Column::Leaf(code.to_owned(), node)
                } else if self.plan.node_index(code).is_some() {
                    return Err(format!(
                        "column \"{code}\" is scored from its sub-criteria; give values for those"
                    ));
                } else {
                    return Err(format!(
                        "column \"{code}\" is not a criterion or an attribute of this set"
                    ));
                }
            }
        };
        Ok(column)
    }

    fn read_table(&mut self, table: &Table<'_>) {
        let Some(h) = find_header(&table.rows) else {
            return;
        };
        let header = &table.rows[h];
        let long = ["code", "value"].iter().all(|k| {
            header
                .iter()
                .any(|f| f.raw.plain().trim().eq_ignore_ascii_case(k))
        });
        let mut columns = Vec::with_capacity(header.len());
        let mut seen: HashMap<Column, Loc> = HashMap::new();
        for field in header {
            let name = field.raw.plain();
            let column = match self.classify(&name, long) {
                Ok(c) => c,
                Err(message) => {
                    self.problems.push(InputProblem {
                        file: table.file.to_owned(),
                        place: table.place(field.loc),
                        code: None,
                        message,
                    });
                    Column::Ignored
                }
            };
            if column != Column::Ignored {
                if seen.contains_key(&column) {
                    self.problems.push(InputProblem {
                        file: table.file.to_owned(),
                        place: table.place(field.loc),
                        code: None,
                        message: format!("column \"{}\" appears twice", name.trim()),
                    });
                    columns.push(Column::Ignored);
                    continue;
                }
                seen.insert(column.clone(), field.loc);
            }
            columns.push(column);
        }
        if long {
            for required in [Column::Unit, Column::Code, Column::Value] {
                if !seen.contains_key(&required) {
                    let loc = header.first().map_or(Loc::Text(1, 1), |f| f.loc);
                    self.problems.push(InputProblem {
                        file: table.file.to_owned(),
                        place: table.place(loc),
                        code: None,
                        message: format!(
                            "no \"{}\" column",
                            format!("{required:?}").to_lowercase()
                        ),
                    });
                    return;
                }
            }
        }
        for row in &table.rows[h + 1..] {
            if row.iter().all(|f| f.raw.is_empty()) {
                continue;
            }
            if long {
                self.read_long_row(table, &columns, row);
            } else {
                self.read_wide_row(table, &columns, row);
            }
        }
    }

    fn problem(&mut self, table: &Table<'_>, loc: Loc, code: Option<&str>, message: String) {
        self.problems.push(InputProblem {
            file: table.file.to_owned(),
            place: table.place(loc),
            code: code.map(str::to_owned),
            message,
        });
    }

    /// The unit of a row, added to the batch if new; its stage.
    fn row_unit(
        &mut self,
        table: &Table<'_>,
        columns: &[Column],
        row: &[RawField],
    ) -> Option<(usize, String, usize)> {
        let find = |wanted: &Column| {
            columns
                .iter()
                .position(|c| c == wanted)
                .and_then(|i| row.get(i))
        };
        let first_loc = row.first().map_or(Loc::Text(1, 1), |f| f.loc);
        let Some(unit_field) = find(&Column::Unit).filter(|f| !f.raw.is_empty()) else {
            let loc = find(&Column::Unit).map_or(first_loc, |f| f.loc);
            self.problem(
                table,
                loc,
                None,
                "a row with values has no unit id".to_owned(),
            );
            return None;
        };
        let id = unit_field.raw.plain().into_owned();
        let stage = match find(&Column::Stage).filter(|f| !f.raw.is_empty()) {
            Some(field) => {
                let text = field.raw.plain();
                match self.resolve_stage(&text) {
                    Some(s) => s,
                    None => {
                        let message = self.unknown_stage(&text);
                        self.problem(table, field.loc, None, message);
                        return None;
                    }
                }
            }
            None => table.sheet_stage.unwrap_or(0),
        };
        let index = match self.batch.unit_index(&id) {
            Some(i) => i,
            None if self.batch.units().len() >= MAX_UNITS => {
                if let Some(message) = self.first_unit_beyond_limit() {
                    self.problem(table, unit_field.loc, None, message);
                }
                return None;
            }
            None => match self.batch.add_unit(&id, []) {
                Ok(i) => i,
                Err(e) => {
                    self.problem(table, unit_field.loc, None, e.to_string());
                    return None;
                }
            },
        };
        if let Some(name) = find(&Column::Name).filter(|f| !f.raw.is_empty()) {
            self.names.insert(
                self.batch.units()[index].id.clone(),
                name.raw.plain().into_owned(),
            );
        }
        let _ = unit_field;
        Some((index, id, stage))
    }

    fn read_wide_row(&mut self, table: &Table<'_>, columns: &[Column], row: &[RawField]) {
        let Some((unit, id, stage)) = self.row_unit(table, columns, row) else {
            return;
        };
        let here = table.describe(row.first().map_or(Loc::Text(1, 1), |f| f.loc));
        let stage_name = self.plan.set().policy.stages[stage].clone();
        if let Some(first) = self.rows_seen.get(&(id.clone(), stage)) {
            let loc = row.first().map_or(Loc::Text(1, 1), |f| f.loc);
            let message = if self.plan.set().policy.stages.len() > 1 {
                format!("unit \"{id}\" appears twice at stage {stage_name} (first at {first})")
            } else {
                format!("unit \"{id}\" appears twice (first at {first})")
            };
            self.problem(table, loc, None, message);
            return;
        }
        self.rows_seen.insert((id, stage), here);
        for (column, field) in columns.iter().zip(row) {
            if field.raw.is_empty() {
                continue;
            }
            match column {
                Column::Attribute(name) => {
                    let text = field.raw.plain().into_owned();
                    if let Err(e) = self.batch.set_attribute_text(unit, name, &text) {
                        self.problem(table, field.loc, Some(name), e.message);
                    }
                }
                Column::Leaf(code, node) => {
                    self.set_leaf(table, unit, code, *node, &stage_name, field)
                }
                _ => {}
            }
        }
    }

    fn set_leaf(
        &mut self,
        table: &Table<'_>,
        unit: usize,
        code: &str,
        node: usize,
        stage: &str,
        field: &RawField,
    ) {
        let rule = self
            .plan
            .set()
            .nodes
            .get(node)
            .and_then(|n| n.rule.as_ref());
        let text = match rule.map(|r| leaf_text(&field.raw, r)) {
            Some(Ok(text)) => text,
            Some(Err(message)) => {
                self.problem(table, field.loc, Some(code), message);
                return;
            }
            None => return,
        };
        if let Err(e) = self.batch.set_text(unit, code, Some(stage), &text) {
            self.problem(table, field.loc, Some(code), e.message);
            return;
        }
        if let Some(message) = self.refused_alone(node, &text) {
            self.problem(table, field.loc, Some(code), message);
        }
    }

    /// Why the leaf's rule would refuse a value that reads well (points given directly
    /// outside their bounds or steps), found here so that the error names the value's cell
    /// rather than only its unit. Rules that need the other units or the unit's attributes
    /// (relative, branch) are left to scoring.
    fn refused_alone(&self, node: usize, text: &str) -> Option<String> {
        let node = self.plan.set().nodes.get(node)?;
        let rule = node.rule.as_ref()?;
        if matches!(rule, Rule::Relative { .. } | Rule::Branch { .. })
            || parindex_core::value::is_not_applicable(text)
            || text.trim().is_empty()
        {
            return None;
        }
        let value = rule.parse(text).ok()?;
        rule.points(&value, node.max).err()
    }

    fn read_long_row(&mut self, table: &Table<'_>, columns: &[Column], row: &[RawField]) {
        let Some((unit, id, stage)) = self.row_unit(table, columns, row) else {
            return;
        };
        let get = |wanted: Column| {
            columns
                .iter()
                .position(|c| *c == wanted)
                .and_then(|i| row.get(i))
        };
        let first_loc = row.first().map_or(Loc::Text(1, 1), |f| f.loc);
        let Some(code_field) = get(Column::Code).filter(|f| !f.raw.is_empty()) else {
            self.problem(
                table,
                first_loc,
                None,
                "a row with values has no code".to_owned(),
            );
            return;
        };
        let code = code_field.raw.plain().into_owned();
        let value = get(Column::Value).cloned().unwrap_or(RawField {
            raw: Raw::Empty,
            loc: code_field.loc,
        });
        let stage_name = self.plan.set().policy.stages[stage].clone();
        if code == "ranked" || self.plan.set().attribute(&code).is_some() {
            if !value.raw.is_empty() {
                let text = value.raw.plain().into_owned();
                if let Err(e) = self.batch.set_attribute_text(unit, &code, &text) {
                    self.problem(table, value.loc, Some(&code), e.message);
                }
            }
            return;
        }
        if self.plan.leaf_index(&code).is_none() {
            let message = if self.plan.node_index(&code).is_some() {
                format!("\"{code}\" is scored from its sub-criteria; give values for those")
            } else {
                format!("\"{code}\" is not a criterion or an attribute of this set")
            };
            self.problem(table, code_field.loc, None, message);
            return;
        }
        let key = (id.clone(), code.clone(), stage);
        if let Some(first) = self.values_seen.get(&key) {
            let message = format!(
                "unit \"{id}\" has a second value for {code} at stage {stage_name} (first at {first})"
            );
            self.problem(table, code_field.loc, Some(&code), message);
            return;
        }
        self.values_seen.insert(key, table.describe(code_field.loc));
        if value.raw.is_empty() {
            return;
        }
        let before = self.problems.len();
        let node = self.plan.node_index(&code).unwrap_or_default();
        self.set_leaf(table, unit, &code, node, &stage_name, &value);
        if self.problems.len() > before {
            return;
        }
        if let Some(evidence) = get(Column::Evidence).filter(|f| !f.raw.is_empty()) {
            let text = evidence.raw.plain();
            // A file name or a document number counts as evidence attached.
            let attached = parindex_core::value::parse_bool(&text).unwrap_or(true);
            if let Err(e) = self
                .batch
                .set_evidence(unit, &code, Some(&stage_name), attached)
            {
                self.problem(table, evidence.loc, Some(&code), e.message);
            }
        }
    }

    fn read_json(&mut self, file: &str, bytes: &[u8]) {
        let Some(text) = self.decoded(file, bytes) else {
            return;
        };
        let document: serde_json::Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                self.problems.push(InputProblem {
                    file: file.to_owned(),
                    place: Place::Line {
                        line: e.line(),
                        column: e.column(),
                    },
                    code: None,
                    message: format!("not valid JSON: {e}"),
                });
                return;
            }
        };
        let units = match &document {
            serde_json::Value::Array(units) => units,
            serde_json::Value::Object(map) => {
                if map.contains_key("schema") {
                    self.file_problem(
                        file,
                        "is a results document, not an input: give the units' values".to_owned(),
                    );
                    return;
                }
                if let Some(set) = map.get("set").and_then(|s| s.as_str()) {
                    let id = &self.plan.set().info.id;
                    if set != id {
                        self.file_problem(file, format!("is an input for the set {set}, not {id}"));
                        return;
                    }
                }
                match map.get("units").and_then(|u| u.as_array()) {
                    Some(units) => units,
                    None => {
                        self.file_problem(file, "has no \"units\" array".to_owned());
                        return;
                    }
                }
            }
            _ => {
                self.file_problem(
                    file,
                    "is neither an array of units nor an object with \"units\"".to_owned(),
                );
                return;
            }
        };
        for (i, unit) in units.iter().enumerate() {
            self.read_json_unit(file, i, unit);
        }
    }

    fn json_problem(&mut self, file: &str, at: &str, code: Option<&str>, message: String) {
        self.problems.push(InputProblem {
            file: file.to_owned(),
            place: Place::Json(at.to_owned()),
            code: code.map(str::to_owned),
            message,
        });
    }

    fn read_json_unit(&mut self, file: &str, i: usize, unit: &serde_json::Value) {
        let position = format!("units[{i}]");
        let Some(object) = unit.as_object() else {
            self.json_problem(file, &position, None, "is not an object".to_owned());
            return;
        };
        let id = match object.get("unit") {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => {
                self.json_problem(file, &position, None, "has no \"unit\" id".to_owned());
                return;
            }
        };
        if let Some(message) = cell_too_long(&id) {
            self.json_problem(file, &position, None, format!("the unit id: {message}"));
            return;
        }
        let at = format!("unit {id}");
        for key in object.keys() {
            if !["unit", "name", "attributes", "values", "stages", "evidence"]
                .contains(&key.as_str())
            {
                self.json_problem(
                    file,
                    &at,
                    None,
                    format!("unknown key \"{key}\" (a unit has unit, name, attributes, values, stages, evidence)"),
                );
            }
        }
        let mut stages: Vec<(usize, &serde_json::Map<String, serde_json::Value>)> = Vec::new();
        if let Some(values) = object.get("values") {
            match values.as_object() {
                Some(map) => stages.push((0, map)),
                None => self.json_problem(
                    file,
                    &at,
                    None,
                    "\"values\" is not an object of code: value".to_owned(),
                ),
            }
        }
        if let Some(more) = object.get("stages") {
            match more.as_object() {
                Some(map) => {
                    for (name, values) in map {
                        let Some(stage) = self.resolve_stage(name) else {
                            let message = self.unknown_stage(name);
                            self.json_problem(file, &at, None, message);
                            continue;
                        };
                        match values.as_object() {
                            Some(values) => stages.push((stage, values)),
                            None => self.json_problem(
                                file,
                                &at,
                                None,
                                format!("stage \"{name}\" is not an object of code: value"),
                            ),
                        }
                    }
                }
                None => self.json_problem(
                    file,
                    &at,
                    None,
                    "\"stages\" is not an object of stage: values".to_owned(),
                ),
            }
        }
        let index = match self.batch.unit_index(&id) {
            Some(index) => index,
            None if self.batch.units().len() >= MAX_UNITS => {
                if let Some(message) = self.first_unit_beyond_limit() {
                    self.json_problem(file, &position, None, message);
                }
                return;
            }
            None => match self.batch.add_unit(&id, []) {
                Ok(index) => index,
                Err(e) => {
                    self.json_problem(file, &position, None, e.to_string());
                    return;
                }
            },
        };
        for (stage, _) in &stages {
            let key = (id.clone(), *stage);
            if let Some(first) = self.rows_seen.get(&key) {
                let stage_name = self.plan.set().policy.stages[*stage].clone();
                let message =
                    format!("unit \"{id}\" appears twice at stage {stage_name} (first at {first})");
                self.json_problem(file, &position, None, message);
                return;
            }
        }
        for (stage, _) in &stages {
            self.rows_seen
                .insert((id.clone(), *stage), format!("{file}: {position}"));
        }
        if let Some(name) = object.get("name").and_then(|n| n.as_str()) {
            match cell_too_long(name) {
                Some(message) => self.json_problem(file, &at, None, format!("the name: {message}")),
                None => {
                    self.names.insert(id.clone(), name.to_owned());
                }
            }
        }
        if let Some(attributes) = object.get("attributes") {
            match attributes.as_object() {
                Some(map) => {
                    for (name, value) in map {
                        let Some(text) = json_text(value) else {
                            continue;
                        };
                        if let Some(message) = cell_too_long(&text) {
                            self.json_problem(file, &at, Some(name), message);
                            continue;
                        }
                        if let Err(e) = self.batch.set_attribute_text(index, name, &text) {
                            self.json_problem(file, &at, Some(name), e.message);
                        }
                    }
                }
                None => self.json_problem(
                    file,
                    &at,
                    None,
                    "\"attributes\" is not an object".to_owned(),
                ),
            }
        }
        for (stage, values) in stages {
            let stage_name = self.plan.set().policy.stages[stage].clone();
            for (code, value) in values {
                let Some(mut text) = json_text(value) else {
                    continue;
                };
                if let Some(message) = cell_too_long(&text) {
                    self.json_problem(file, &at, Some(code), message);
                    continue;
                }
                if let serde_json::Value::Bool(b) = value {
                    text = if *b { "có" } else { "không" }.to_owned();
                }
                if let Err(e) = self.batch.set_text(index, code, Some(&stage_name), &text) {
                    self.json_problem(file, &at, Some(code), e.message);
                }
            }
        }
        if let Some(evidence) = object.get("evidence").and_then(|e| e.as_object()) {
            let first = self.plan.set().policy.stages[0].clone();
            for (code, value) in evidence {
                let attached = match value {
                    serde_json::Value::Bool(b) => *b,
                    serde_json::Value::Null => continue,
                    _ => true,
                };
                if let Err(e) = self.batch.set_evidence(index, code, Some(&first), attached) {
                    self.json_problem(file, &at, Some(code), e.message);
                }
            }
        }
    }
}

const NO_UNIT_COLUMN: &str = "no \"unit\" column: the header row must name the column of unit ids \"unit\", then the criteria codes";

/// The header row: the first of the first 20 rows with a cell `unit`.
fn find_header(rows: &[Vec<RawField>]) -> Option<usize> {
    rows.iter().take(20).position(|row| {
        row.iter()
            .any(|f| matches!(&f.raw, Raw::Text(t) if t.trim().eq_ignore_ascii_case("unit")))
    })
}

/// UTF-8 text without its byte-order mark, or where and why it is not UTF-8.
pub(crate) fn decode_text(bytes: &[u8]) -> Result<&str, (Place, String)> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err((
            Place::File,
            "is UTF-16 text: save it as UTF-8 (in Excel: \"CSV UTF-8 (Comma delimited)\")"
                .to_owned(),
        ));
    }
    // UTF-16 without a byte-order mark is still full of NUL bytes; so is a binary file.
    if bytes.iter().take(4096).any(|b| *b == 0) {
        return Err((
            Place::File,
            "is UTF-16 text (or not text at all): save it as UTF-8 (in Excel: \"CSV UTF-8 (Comma delimited)\")"
                .to_owned(),
        ));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line = good.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
        (
            Place::Line { line, column },
            "not UTF-8 text (perhaps Windows-1258 or TCVN3): save the file as UTF-8 (in Excel: \"CSV UTF-8 (Comma delimited)\")".to_owned(),
        )
    })
}

/// A sheet's non-empty cells laid out in rows, with the problems of single cells.
pub(crate) struct Grid {
    /// The rows that have a cell, in order; each from the sheet's first used column to its own
    /// last cell.
    pub(crate) rows: Vec<Vec<RawField>>,
    /// Row, column and message: formulas without a saved value, merged ranges, long cells.
    pub(crate) problems: Vec<(u32, u32, String)>,
}

fn row_of(loc: Loc) -> u32 {
    match loc {
        Loc::Cell(r, _) => r,
        Loc::Text(line, _) => u32::try_from(line).unwrap_or(u32::MAX),
    }
}

fn column_of(loc: Loc) -> u32 {
    match loc {
        Loc::Cell(_, c) => c,
        Loc::Text(_, column) => u32::try_from(column).unwrap_or(u32::MAX),
    }
}

/// Reads a sheet's cells. An `.xlsx` sheet is streamed cell by cell, so that a cell far away
/// (at Excel's last row and column) costs nothing; other formats come as calamine's range.
pub(crate) fn read_sheet<RS: Read + Seek>(
    workbook: &mut Sheets<RS>,
    name: &str,
) -> Result<Grid, String> {
    let mut cells: Vec<(u32, u32, Raw)> = Vec::new();
    let mut problems = Vec::new();
    let mut keep = |row: u32, column: u32, raw: Raw, problems: &mut Vec<(u32, u32, String)>| {
        if raw.is_empty() {
            return Ok(());
        }
        if cells.len() >= MAX_CELLS {
            return Err(format!(
                "the sheet has more than {MAX_CELLS} cells, the limit"
            ));
        }
        if usize::try_from(row).map_or(true, |r| r >= MAX_ROWS) {
            return Err(format!(
                "the sheet has more than {MAX_ROWS} rows, the limit"
            ));
        }
        if let Raw::Text(text) = &raw {
            if let Some(message) = cell_too_long(text) {
                problems.push((row, column, message));
                return Ok(());
            }
        }
        cells.push((row, column, raw));
        Ok(())
    };
    if let Sheets::Xlsx(xlsx) = workbook {
        let mut reader = xlsx
            .worksheet_cells_reader(name)
            .map_err(|e| e.to_string())?;
        while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
            let (row, column) = cell.get_position();
            let data = Data::from(cell.get_value().clone());
            keep(row, column, raw_of(&data), &mut problems)?;
        }
        drop(reader);
        cells.sort_by_key(|(row, column, _)| (*row, *column));
        let mut reader = xlsx
            .worksheet_cells_reader(name)
            .map_err(|e| e.to_string())?;
        while let Some(formula) = reader.next_formula().map_err(|e| e.to_string())? {
            let (row, column) = formula.get_position();
            let text = formula.get_value();
            // An empty value is what a program that does not calculate saves, and what a
            // formula giving "" saves: neither is a value to score.
            let has_value = cells
                .binary_search_by_key(&(row, column), |(r, c, _)| (*r, *c))
                .is_ok();
            if !text.is_empty() && !has_value {
                problems.push((
                    row,
                    column,
                    format!("the formula ={text} has no value saved with it: if it was never calculated, open the file in Excel and save it; if it gives an empty text, leave the cell empty"),
                ));
            }
        }
        drop(reader);
        if let Some(merged) = xlsx.worksheet_merge_cells(name) {
            for range in merged.map_err(|e| e.to_string())? {
                let (first, last) = (range.start, range.end);
                problems.push((
                    first.0,
                    first.1,
                    format!(
                        "cells {}:{} are merged: give each unit and each criterion its own cell (unmerge them)",
                        cell_name(first.0, first.1),
                        cell_name(last.0, last.1)
                    ),
                ));
            }
        }
    } else {
        let range = workbook.worksheet_range(name).map_err(|e| e.to_string())?;
        let (row0, col0) = range.start().unwrap_or((0, 0));
        for (r, row) in range.rows().enumerate() {
            for (c, data) in row.iter().enumerate() {
                let row = row0.saturating_add(u32::try_from(r).unwrap_or(u32::MAX));
                let column = col0.saturating_add(u32::try_from(c).unwrap_or(u32::MAX));
                keep(row, column, raw_of(data), &mut problems)?;
            }
        }
    }
    cells.sort_by_key(|(row, column, _)| (*row, *column));
    let first_column = cells.iter().map(|(_, c, _)| *c).min().unwrap_or(0);
    let mut rows: Vec<Vec<RawField>> = Vec::new();
    let mut current: Option<u32> = None;
    for (row, column, raw) in cells {
        if current != Some(row) {
            rows.push(Vec::new());
            current = Some(row);
        }
        let Some(fields) = rows.last_mut() else {
            continue;
        };
        // Empty cells fill the gaps, so that a field's position is its column.
        let mut next = first_column.saturating_add(u32::try_from(fields.len()).unwrap_or(u32::MAX));
        while next < column {
            fields.push(RawField {
                raw: Raw::Empty,
                loc: Loc::Cell(row, next),
            });
            next += 1;
        }
        fields.push(RawField {
            raw,
            loc: Loc::Cell(row, column),
        });
    }
    Ok(Grid { rows, problems })
}

pub(crate) fn raw_of(data: &Data) -> Raw {
    match data {
        Data::Empty => Raw::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Raw::Text(s.clone()),
        Data::Float(x) => Raw::Number(*x),
        Data::Int(i) => Raw::Number(*i as f64),
        Data::Bool(b) => Raw::Bool(*b),
        Data::DateTime(dt) => {
            let serial = dt.as_f64();
            match date_of_serial(serial) {
                Some((y, m, d)) if dt.is_datetime() => Raw::Date(y, m, d),
                _ => Raw::Number(serial),
            }
        }
        Data::Error(e) => Raw::Error(format!("{e}")),
    }
}

/// The calendar date of an Excel serial day number (1900 system, from 1900-03-01).
fn date_of_serial(serial: f64) -> Option<(i32, u32, u32)> {
    if !serial.is_finite() || !(61.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    // Days since 1970-01-01: serial 25569 is 1970-01-01.
    let days = serial.floor() as i64 - 25_569;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    Some((
        i32::try_from(y).ok()?,
        u32::try_from(m).ok()?,
        u32::try_from(d).ok()?,
    ))
}

/// A float as the decimal Excel shows: 15 significant digits.
fn float_to_decimal(x: f64) -> Option<Decimal> {
    if !x.is_finite() {
        return None;
    }
    let text = format!("{x:.14e}");
    Decimal::from_scientific(&text).ok().map(|d| d.normalize())
}

fn measures_percent(rule: &Rule) -> bool {
    matches!(
        rule,
        Rule::Tiers {
            measure: Measure::Percent,
            ..
        } | Rule::Proportional { .. }
            | Rule::Survey { .. }
    )
}

/// The text a leaf's rule reads, from a raw cell.
fn leaf_text<'a>(raw: &'a Raw, rule: &Rule) -> Result<Cow<'a, str>, String> {
    match raw {
        Raw::Empty => Ok(Cow::Borrowed("")),
        Raw::Text(t) => Ok(Cow::Borrowed(t)),
        Raw::Bool(b) => Ok(Cow::Borrowed(if *b { "có" } else { "không" })),
        Raw::Number(x) if matches!(rule, Rule::Timeliness { .. }) => {
            // A date typed into a General cell keeps Excel's day count.
            let shown = float_to_decimal(*x).map_or_else(|| format!("{x:e}"), |d| d.to_string());
            let counted = date_of_serial(*x)
                .map(|(y, m, d)| format!(" (Excel's day number of {d:02}/{m:02}/{y:04})"))
                .unwrap_or_default();
            Err(format!(
                "is the number {shown}{counted}, not a date: format the cell as a date (dd/mm/yyyy) or type the date as text"
            ))
        }
        Raw::Number(x) => {
            let n = float_to_decimal(*x).ok_or_else(|| format!("the number {x:e} is too large"))?;
            if measures_percent(rule) && n >= Decimal::ZERO && n <= Decimal::ONE {
                Ok(Cow::Owned(
                    (n * Decimal::ONE_HUNDRED).normalize().to_string(),
                ))
            } else {
                Ok(Cow::Owned(n.to_string()))
            }
        }
        Raw::Date(y, m, d) => match rule {
            Rule::Timeliness { .. } | Rule::Branch { .. } => {
                Ok(Cow::Owned(format!("{d:02}/{m:02}/{y:04}")))
            }
            _ if measures_percent(rule) => Err(format!(
                "Excel turned this cell into the date {d:02}/{m:02}/{y:04}: if it is a ratio such as {d}/{m}, type it as text ('{d}/{m}) or as a percentage"
            )),
            _ => Err(format!(
                "is the date {d:02}/{m:02}/{y:04}, but this criterion does not take a date"
            )),
        },
        Raw::Error(e) => Err(format!(
            "the cell holds the Excel error {e}: write N/A (without #) for not applicable, or the value"
        )),
    }
}

/// A JSON value as input text; `None` for null (missing).
fn json_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_read_as_excel_shows_them() {
        assert_eq!(
            float_to_decimal(0.875).map(|d| d.to_string()),
            Some("0.875".into())
        );
        assert_eq!(
            float_to_decimal(0.1 + 0.2).map(|d| d.to_string()),
            Some("0.3".into())
        );
        assert_eq!(
            float_to_decimal(87.5).map(|d| d.to_string()),
            Some("87.5".into())
        );
        assert_eq!(
            float_to_decimal(12.0).map(|d| d.to_string()),
            Some("12".into())
        );
    }

    #[test]
    fn excel_serials_are_dates() {
        assert_eq!(date_of_serial(45_306.0), Some((2024, 1, 15)));
        assert_eq!(date_of_serial(25_569.0), Some((1970, 1, 1)));
    }
}
