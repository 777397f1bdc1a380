//! Every door in: CSV, Excel workbooks, JSON and in-memory frames, read into one [`Batch`].
//!
//! However units arrive, they become a [`Grid`] of cells with places, and every grid goes
//! through the same layout reader ([`layout`]) and the same cell grammar ([`cell`]). The
//! doors only turn their container into a grid:
//!
//! - [`csv`](self::csv): a CSV file, each field a text cell at its line and column;
//! - [`xlsx`]: each visible sheet of a workbook with a `unit` column, with Excel's typed cells;
//! - [`json`]: a JSON document of units, laid out as long-layout rows;
//! - [`Grid::from_columns`]: a frame or a list of rows, as the Python package hands it over.
//!
//! Every file of a run goes through one [`InputReader`], so that a unit's self-assessment and
//! its appraisal may come from different files, and so that every problem of every file is
//! reported in one run. The layouts and values are described in criteria/FORMAT.md.
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
//! rows, columns, characters per cell, and, over the run, cells and units. In-memory grids are
//! held to the same row, column, cell and unit limits. Every door hands its rows over one at a
//! time (`read_rows`, in `layout`), so reading holds a row, not a file; at most
//! [`crate::MAX_PROBLEMS`] problems are kept, the others counted.

pub(crate) mod cell;
pub(crate) mod csv;
mod json;
mod layout;
mod memo;
pub(crate) mod package;
pub(crate) mod xlsx;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use parindex_core::{
    Batch, Context, Input, Kept, Node, Plan, Rule, ScoreProblem, ScoreWarning, Trend, value,
};

use crate::ResultsDocument;
use crate::error::{InputProblem, Place, ReadError, cell_name, place_text};
use crate::input::cell::LeafReading;
use crate::input::memo::{Memoized, ReadMemo};
use crate::limits::{
    self, MAX_CELLS, MAX_COLUMNS, MAX_PROBLEMS, MAX_ROWS, MAX_UNITS, cell_too_long,
};
pub use cell::{CellValue, PercentScale, ReadOptions, UnknownPercentScale};
pub(crate) use csv::decode_text;

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
/// let plan = Plan::new(&shipped::load("binh-thuan-police/commune/2024")?.set);
/// let mut reader = parindex_io::InputReader::new(&plan);
/// reader.read_bytes("wards.csv", "unit,1.1.1,1.1.4\nCAP-01,đúng hạn,7/9\n".as_bytes());
/// let inputs = reader.finish()?;
/// assert_eq!(inputs.batch.units().len(), 1);
///
/// let mut reader = parindex_io::InputReader::new(&plan);
/// reader.read_bytes("wards.csv", "unit,1.1.4\nCAP-01,0.875\n".as_bytes());
/// let error = reader.finish().err().ok_or("accepted")?;
/// assert!(error.to_string().starts_with("wards.csv:2:8: 1.1.4: \"0.875\" is ambiguous"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_inputs(plan: &Plan, paths: &[impl AsRef<Path>]) -> Result<Inputs, ReadError> {
    let mut reader = InputReader::new(plan);
    for path in paths {
        reader.read_path(path.as_ref());
    }
    reader.finish()
}

/// Where a cell is, in its door's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loc {
    /// Line and column of a CSV file, from 1.
    Text(usize, usize),
    /// Absolute 0-based row and column of a sheet.
    Cell(u32, u32),
    /// Row and column of a frame, from 1; row 0 is the header.
    Row(usize, usize),
    /// A path in a JSON document, by its position in [`Grid::paths`].
    Json(usize),
}

/// One cell of a grid and where it is.
#[derive(Debug, Clone)]
pub(crate) struct GridCell {
    pub(crate) value: CellValue,
    pub(crate) loc: Loc,
}

/// A table of cells from one door: a CSV file, one sheet, a JSON document or a frame.
///
/// The header row is the first of its first 20 rows with a `unit` cell; the rows below it are
/// units, in the wide or the long layout (criteria/FORMAT.md).
#[derive(Debug, Clone)]
pub struct Grid {
    /// The file or data, as messages name it.
    pub(crate) source: String,
    /// The sheet, for a workbook.
    pub(crate) sheet: Option<String>,
    /// The stage of rows that do not name one: a sheet's name, or the caller's.
    pub(crate) stage: Option<String>,
    pub(crate) rows: Vec<Vec<GridCell>>,
    /// A frame's cells below its header, by column: its rows are made one at a time as they
    /// are read, rather than the whole frame copied into rows first.
    pub(crate) frame: Vec<Vec<CellValue>>,
    /// The JSON paths that [`Loc::Json`] points into.
    pub(crate) paths: Vec<String>,
}

impl Grid {
    pub(crate) fn new(source: &str) -> Self {
        Grid {
            source: source.to_owned(),
            sheet: None,
            stage: None,
            rows: Vec::new(),
            frame: Vec::new(),
            paths: Vec::new(),
        }
    }

    /// A frame: named columns of cells, all of the same length. `source` names the data in
    /// messages (e.g. `<DataFrame>`); a cell's place is its row (from 1) and column (from 1).
    ///
    /// ```
    /// use parindex_core::{shipped, Plan};
    /// use parindex_io::{CellValue, Grid, InputReader};
    /// let plan = Plan::new(&shipped::load("binh-thuan-police/commune/2024")?.set);
    /// let grid = Grid::from_columns(
    ///     "<DataFrame>",
    ///     vec![
    ///         ("unit".to_owned(), vec![CellValue::Text("CAP-01".into())]),
    ///         ("1.1.4".to_owned(), vec![CellValue::Number(0.875)]),
    ///     ],
    /// )?;
    /// let mut reader = InputReader::new(&plan);
    /// reader.read_grid(grid);
    /// let error = reader.finish().err().ok_or("accepted")?;
    /// assert!(error.to_string().starts_with("<DataFrame>: row 1, column 2 (1.1.4): \"0.875\" is ambiguous"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_columns(
        source: &str,
        columns: Vec<(String, Vec<CellValue>)>,
    ) -> Result<Grid, ReadError> {
        Grid::from_columns_for(source, columns, MAX_UNITS)
    }

    /// [`Grid::from_columns`] for a run whose unit limit is `max_units`
    /// ([`InputReader::set_max_units`]): a raised limit allows as many cells as it allows the
    /// run, [`crate::CELLS_PER_UNIT`] a unit.
    pub fn from_columns_for(
        source: &str,
        columns: Vec<(String, Vec<CellValue>)>,
        max_units: usize,
    ) -> Result<Grid, ReadError> {
        let max_cells = limits::cells_for_units(max_units);
        let mut grid = Grid::new(source);
        let rows = columns.first().map_or(0, |(_, cells)| cells.len());
        let problem = |message: String| ReadError::file(source, message);
        if rows >= MAX_ROWS {
            return Err(problem(format!(
                "the data has more than {MAX_ROWS} rows, the limit"
            )));
        }
        if columns.len() > MAX_COLUMNS {
            return Err(problem(format!(
                "the data has {} columns; in-memory data is limited to {MAX_COLUMNS}, as many as an Excel sheet holds",
                columns.len()
            )));
        }
        if columns.len().saturating_mul(rows.max(1)) > max_cells {
            return Err(problem(format!(
                "the data has more than {max_cells} cells, the limit"
            )));
        }
        for (name, cells) in &columns {
            if cells.len() != rows {
                return Err(problem(format!(
                    "column \"{name}\" has {} values but the first column has {rows}",
                    cells.len()
                )));
            }
        }
        grid.rows.push(
            columns
                .iter()
                .enumerate()
                .map(|(c, (name, _))| GridCell {
                    value: CellValue::Text(name.as_str().into()),
                    loc: Loc::Row(0, c + 1),
                })
                .collect(),
        );
        grid.frame = columns.into_iter().map(|(_, cells)| cells).collect();
        Ok(grid)
    }

    /// The same grid, with `stage` as the stage of rows that do not name one.
    #[must_use]
    pub fn with_stage(mut self, stage: &str) -> Grid {
        self.stage = Some(stage.to_owned());
        self
    }

    /// Where a cell is, as the user finds it.
    pub(crate) fn place(&self, loc: Loc) -> Place {
        place_in(self.sheet.as_deref(), &self.paths, loc)
    }

    /// The row of a cell, for "first at …" in messages.
    pub(crate) fn describe(&self, loc: Loc) -> String {
        describe_in(&self.source, self.sheet.as_deref(), &self.paths, loc)
    }
}

/// Where a cell of a sheet (`sheet`), a CSV or a frame, or a JSON document (`paths`) is.
fn place_in(sheet: Option<&str>, paths: &[String], loc: Loc) -> Place {
    match (loc, sheet) {
        (Loc::Cell(r, c), Some(sheet)) => Place::Cell {
            sheet: sheet.to_owned(),
            cell: cell_name(r, c),
        },
        (Loc::Cell(r, c), None) => Place::Line {
            line: r as usize + 1,
            column: c as usize + 1,
        },
        (Loc::Text(line, column), _) => Place::Line { line, column },
        (Loc::Row(row, column), _) => Place::Row { row, column },
        (Loc::Json(i), _) => Place::Json(paths.get(i).cloned().unwrap_or_default()),
    }
}

/// The row of a cell of `source`, for "first at …" in messages.
fn describe_in(source: &str, sheet: Option<&str>, paths: &[String], loc: Loc) -> String {
    match (loc, sheet) {
        (Loc::Cell(r, _), Some(sheet)) => format!("{source}: sheet \"{sheet}\", row {}", r + 1),
        (Loc::Cell(r, _), None) => format!("{source}:{}", r + 1),
        (Loc::Text(line, _), _) => format!("{source}:{line}"),
        (Loc::Row(row, _), _) => format!("{source}: row {row}"),
        (Loc::Json(i), _) => format!("{source}: {}", paths.get(i).map_or("", String::as_str)),
    }
}

/// What names the places of a grid read: its source, sheet and JSON paths, kept once per
/// grid rather than with every place, since a run keeps a place per unit.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    source: String,
    sheet: Option<String>,
    paths: Vec<String>,
}

impl Origin {
    /// The names of a sheet, a CSV file or a frame (a JSON grid's spots name their own path).
    fn of(grid: &Grid) -> Self {
        Origin {
            source: grid.source.clone(),
            sheet: grid.sheet.clone(),
            paths: Vec::new(),
        }
    }
}

/// A place read, kept to locate what scoring finds later: the grid's [`Origin`], by its
/// position among those read, and the cell in it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spot {
    origin: u32,
    loc: Loc,
}

/// The grids a place was kept in, to name the places.
#[derive(Debug, Default)]
pub(crate) struct Origins {
    list: Vec<Origin>,
    /// The position of the grid being read, once a place was kept in it.
    current: Option<u32>,
}

impl Origins {
    /// A spot at `loc` of `grid`, the grid being read.
    pub(crate) fn spot(&mut self, grid: &Grid, loc: Loc) -> Spot {
        // Far fewer grids than 2^32 are kept: each holds at least a unit.
        if let Loc::Json(i) = loc {
            // A JSON grid is one unit, with a path per value: the spot keeps its own path
            // rather than all of them.
            self.list.push(Origin {
                source: grid.source.clone(),
                sheet: None,
                paths: grid.paths.get(i).cloned().into_iter().collect(),
            });
            let origin = (self.list.len() - 1) as u32;
            return Spot {
                origin,
                loc: Loc::Json(0),
            };
        }
        let list = &mut self.list;
        let origin = *self.current.get_or_insert_with(|| {
            list.push(Origin::of(grid));
            (list.len() - 1) as u32
        });
        Spot { origin, loc }
    }

    /// Starts reading another grid; its names are kept with its first place kept.
    pub(crate) fn next_grid(&mut self) {
        self.current = None;
    }

    fn origin(&self, spot: Spot) -> Option<&Origin> {
        self.list.get(spot.origin as usize)
    }

    /// The file and place of a spot.
    fn place(&self, spot: Spot) -> (String, Place) {
        match self.origin(spot) {
            Some(o) => (
                o.source.clone(),
                place_in(o.sheet.as_deref(), &o.paths, spot.loc),
            ),
            None => (String::new(), Place::File),
        }
    }

    /// The row of a spot, for "first at …" in messages.
    pub(crate) fn describe(&self, spot: Spot) -> String {
        self.origin(spot).map_or_else(String::new, |o| {
            describe_in(&o.source, o.sheet.as_deref(), &o.paths, spot.loc)
        })
    }
}

impl Inputs {
    /// The batch and its units' names, given by their positions in the batch.
    fn new(batch: Batch, names: Vec<Option<String>>) -> Inputs {
        let units = batch.units();
        // Ids are read mostly in order, which the map's sort of its entries finds at once.
        let names = names
            .into_iter()
            .zip(units)
            .filter_map(|(name, unit)| Some((unit.id.clone(), name?)))
            .collect();
        Inputs { batch, names }
    }
}

/// A file's bytes, a large file's parts read on up to `threads` threads at once: the kernel's
/// copy into fresh memory is most of the time a file takes to read, while the threads that
/// read its records wait for it.
fn read_whole(path: &Path, threads: usize) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    /// Below this, a thread costs more than the copy it shares.
    const PART_BYTES: usize = 1 << 20;
    let file = std::fs::File::open(path)?;
    let size = usize::try_from(file.metadata()?.len()).unwrap_or(usize::MAX);
    let parts = threads.min(size / PART_BYTES);
    // A file grown past the limit since it was measured is read as any other, and refused.
    if parts <= 1 || size as u64 > limits::MAX_INPUT_BYTES {
        return std::fs::read(path);
    }
    let mut bytes = vec![0; size];
    let part_len = size.div_ceil(parts);
    let read = std::thread::scope(|scope| {
        let file = &file;
        let handles: Vec<_> = bytes
            .chunks_mut(part_len)
            .enumerate()
            .map(|(k, part)| {
                let offset = (k * part_len) as u64;
                scope.spawn(move || file.read_exact_at(part, offset))
            })
            .collect();
        handles.into_iter().try_for_each(|handle| {
            handle
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e))
        })
    });
    // A file that changed size while it was read is read again whole.
    let mut probe = [0; 1];
    match read {
        Ok(()) if file.read_at(&mut probe, size as u64)? == 0 => Ok(bytes),
        _ => std::fs::read(path),
    }
}

/// Where each unit's row at each stage was first read: a list per stage in the units' order,
/// since nearly every unit has a row, rather than a map, whose table at a million units is
/// three times the size and is copied each time it grows.
#[derive(Debug, Default)]
pub(crate) struct RowsSeen {
    by_stage: Vec<Vec<Option<Spot>>>,
}

impl RowsSeen {
    /// Where the unit's row at the stage was first read.
    pub(crate) fn get(&self, unit: usize, stage: usize) -> Option<&Spot> {
        self.by_stage.get(stage)?.get(unit)?.as_ref()
    }

    /// Records where the unit's row at the stage is, `spot` giving it, unless one was read
    /// before: then `false`.
    pub(crate) fn first(&mut self, unit: usize, stage: usize, spot: impl FnOnce() -> Spot) -> bool {
        if self.by_stage.len() <= stage {
            self.by_stage.resize_with(stage + 1, Vec::new);
        }
        let spots = &mut self.by_stage[stage];
        if spots.len() <= unit {
            spots.resize(unit + 1, None);
        }
        if spots[unit].is_some() {
            return false;
        }
        spots[unit] = Some(spot());
        true
    }
}

/// Where the inputs of a batch were read, to locate what scoring refuses or warns about.
#[derive(Debug)]
pub(crate) struct Locator {
    plan: Plan,
    origins: Origins,
    rows_seen: RowsSeen,
    spots: FastMap<(usize, usize, usize), Spot>,
}

/// A map keyed by positions, hashed faster than the standard hash (with a random key, as
/// that one is): one entry per row read.
type FastMap<K, V> = HashMap<K, V, ahash::RandomState>;

impl Locator {
    /// Where the input that a scoring problem is about was read: the value's cell for rules
    /// checked only when scoring, else the unit's row at that stage.
    pub(crate) fn locate(&self, batch: &Batch, problem: &ScoreProblem) -> InputProblem {
        let unit = batch.unit_index(&problem.unit);
        let leaf = self.plan.leaf_index(&problem.code);
        let stage = self.plan.stage_index(&problem.stage);
        let row = |u: usize, s: usize| self.rows_seen.get(u, s);
        let spot = match (unit, leaf, stage) {
            (Some(u), Some(l), Some(s)) => self.spots.get(&(u, l, s)).or_else(|| {
                // A missing value: the unit's row at that stage, or at any stage.
                row(u, s)
                    .or_else(|| (0..self.plan.set().policy.stages.len()).find_map(|s| row(u, s)))
            }),
            _ => None,
        };
        let message = format!("unit {}: {}", problem.unit, problem.message);
        let (file, place) = spot.map_or((String::new(), Place::File), |spot| {
            self.origins.place(*spot)
        });
        InputProblem {
            unit: Some(problem.unit.clone()),
            file,
            place,
            code: Some(problem.code.clone()),
            message,
            check: None,
        }
    }

    /// Gives each warning about one input (a value in a printed tier gap) the place of its
    /// cell, as the reader names it.
    pub(crate) fn place_warnings(&self, batch: &Batch, warnings: &mut [ScoreWarning]) {
        for warning in warnings.iter_mut().filter(|w| w.place.is_none()) {
            let Some(stage) = &warning.stage else {
                continue;
            };
            let key = (
                batch.unit_index(&warning.unit),
                self.plan.leaf_index(&warning.code),
                self.plan.stage_index(stage),
            );
            if let (Some(u), Some(l), Some(s)) = key {
                if let Some(spot) = self.spots.get(&(u, l, s)) {
                    let (file, place) = self.origins.place(*spot);
                    warning.place = Some(place_text(&file, &place));
                }
            }
        }
    }
}

/// Reads input files and grids into one batch, collecting every problem.
#[derive(Debug)]
pub struct InputReader {
    plan: Plan,
    /// How a cell of each leaf is read, by leaf.
    readings: Vec<LeafReading>,
    options: ReadOptions,
    batch: Batch,
    /// Per unit, in the batch's order, the first name an input gave it: kept in a list while
    /// reading, since a map keyed by the id would compare ids at every row.
    names: Vec<Option<String>>,
    /// The grids read, naming the places below.
    origins: Origins,
    /// (unit, stage) → where its row was first read.
    rows_seen: RowsSeen,
    /// (unit, leaf, stage) → where the value was first read, for the long layout.
    values_seen: FastMap<(usize, usize, usize), String>,
    /// (unit, leaf, stage) → the cell of a value that scoring may refuse or warn about: one
    /// that only scoring can check (relative and branch rules), or one in a printed tier gap,
    /// scored 0; so that what scoring says of it is located at its cell.
    spots: FastMap<(usize, usize, usize), Spot>,
    problems: Vec<InputProblem>,
    /// Problems found beyond the first [`MAX_PROBLEMS`]: counted, not kept.
    more_problems: usize,
    /// The most units of the run ([`MAX_UNITS`] unless raised or lowered).
    max_units: usize,
    /// Whether a unit beyond the most units was refused.
    units_beyond_limit: bool,
    /// The most memory the batch and its results may take, in bytes.
    memory_limit: u64,
    /// Whether a unit beyond the memory limit was refused.
    units_beyond_memory: bool,
    /// The nodes whose results scoring will keep, for the memory the results will take.
    kept: Kept,
    /// Cells read so far, over every file.
    cells: usize,
    /// The most cells the run reads: [`MAX_CELLS`] unless the unit limit is raised.
    max_cells: usize,
    /// The text of every value, attribute and evidence flag read, when asked for.
    texts: Option<Vec<CellText>>,
    /// (unit id, leaf code) → the unit's own measurement of the year before, for rules that
    /// compare with it (`trend`), from last year's results.
    previous_year: HashMap<(String, String), String>,
    /// The threads the cells of a wide table are read on.
    threads: usize,
    /// What cells read one at a time read as, by leaf and text.
    memo: ReadMemo,
}

/// What a cell gave a unit, as text that reads back the same through any door: for a store
/// that keeps cells (the round server) rather than files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellText {
    /// The unit's id.
    pub unit: String,
    /// What the cell set.
    pub target: CellTarget,
    /// The text, as the cell grammar gave it to the rule (or the attribute's text).
    pub text: String,
}

/// What a [`CellText`] set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellTarget {
    /// A leaf's value at a stage.
    Value {
        /// The leaf's code.
        code: String,
        /// The stage's name.
        stage: String,
    },
    /// An attribute, by name.
    Attribute(String),
    /// Whether a leaf's value at a stage has evidence attached.
    Evidence {
        /// The leaf's code.
        code: String,
        /// The stage's name.
        stage: String,
    },
}

impl InputReader {
    /// A reader for a plan's set, with the default options.
    pub fn new(plan: &Plan) -> Self {
        InputReader::with_options(plan, ReadOptions::default())
    }

    /// A reader for a plan's set.
    pub fn with_options(plan: &Plan, options: ReadOptions) -> Self {
        InputReader {
            plan: plan.clone(),
            readings: (0..plan.leaf_count())
                .map(|leaf| {
                    let rule = plan
                        .leaf_node(leaf)
                        .and_then(|node| plan.set().nodes[node].rule.as_ref());
                    rule.map_or(LeafReading::NONE, LeafReading::of)
                })
                .collect(),
            options,
            batch: Batch::new(plan),
            names: Vec::new(),
            origins: Origins::default(),
            rows_seen: RowsSeen::default(),
            values_seen: FastMap::default(),
            spots: FastMap::default(),
            problems: Vec::new(),
            more_problems: 0,
            units_beyond_limit: false,
            max_units: MAX_UNITS,
            memory_limit: crate::MAX_SCORING_BYTES,
            units_beyond_memory: false,
            kept: Kept::Every,
            cells: 0,
            max_cells: MAX_CELLS,
            texts: None,
            previous_year: HashMap::new(),
            threads: 1,
            memo: ReadMemo::default(),
        }
    }

    /// Last year's results, for the rules that compare a unit with its own year before
    /// (`trend`): a value given alone, `85`, is read as last year's measurement of the same
    /// unit and row and this one, `80 → 85`. A value that gives both keeps its own.
    pub fn set_previous_year(&mut self, previous: &ResultsDocument) {
        let compared: Vec<&str> = self
            .plan
            .leaf_codes()
            .zip(&self.readings)
            .filter(|(_, reading)| reading.trend)
            .map(|(code, _)| code)
            .collect();
        for unit in &previous.units {
            for node in unit
                .nodes
                .iter()
                .filter(|n| compared.contains(&n.code.as_str()))
            {
                // Last year's own measurement: the later half of a pair it was given as.
                let Some(seen) = node.seen.as_deref() else {
                    continue;
                };
                let own = Trend::this_year(seen);
                if !own.is_empty() {
                    self.previous_year
                        .insert((unit.unit.clone(), node.code.clone()), own.to_owned());
                }
            }
        }
    }

    /// Reads the cells of wide tables on up to `threads` threads (1 by default). What is read,
    /// and every problem and its order, is the same for any number.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads.max(1);
    }

    /// Keeps the text of every value, attribute and evidence flag read, for [`InputReader::texts`].
    pub fn keep_texts(&mut self) {
        self.texts.get_or_insert_with(Vec::new);
    }

    /// The texts kept since [`InputReader::keep_texts`], in the order they were read.
    pub fn texts(&self) -> &[CellText] {
        self.texts.as_deref().unwrap_or_default()
    }

    /// Keeps a text, when texts are kept.
    pub(crate) fn keep_text(&mut self, unit: usize, target: CellTarget, text: &str) {
        if let Some(texts) = &mut self.texts {
            let unit = self.batch.units()[unit].id.clone();
            texts.push(CellText {
                unit,
                target,
                text: text.to_owned(),
            });
        }
    }

    /// The most memory, in bytes, the batch and the results of scoring it may take
    /// ([`parindex_core::Batch::scoring_bytes`]); [`crate::MAX_SCORING_BYTES`] by default.
    /// Units read beyond it are refused, at the row of the first.
    pub fn set_memory_limit(&mut self, bytes: u64) {
        self.memory_limit = bytes;
    }

    /// The nodes whose results scoring will keep ([`parindex_core::Kept::Every`] by default),
    /// for the memory limit's estimate ([`parindex_core::Batch::scoring_bytes_keeping`]).
    pub fn set_kept(&mut self, kept: Kept) {
        self.kept = kept;
    }

    /// The memory the batch and the results of scoring it will take, as the limit counts it.
    pub(crate) fn scoring_bytes(&self) -> u64 {
        self.batch.scoring_bytes_keeping(self.kept)
    }

    /// The plan the reader reads for.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Reads a file; its format comes from its extension: `.csv`, `.xlsx` (also `.xlsm`) or
    /// `.json`. A legacy `.xls` workbook or an `.ods` spreadsheet is refused by its content,
    /// whatever its name, with how to convert it. The file is only read, never modified. Once
    /// the run has gone beyond a limit (units, memory or cells), no more files are read.
    pub fn read_path(&mut self, path: &Path) {
        if self.beyond_a_limit() {
            return;
        }
        let file = path.display().to_string();
        // The size is checked before anything is read into memory.
        match std::fs::metadata(path) {
            Ok(meta) if meta.len() > limits::MAX_INPUT_BYTES => {
                return self.file_problem(&file, limits::too_large(meta.len()));
            }
            _ => {}
        }
        match read_whole(path, self.threads) {
            Ok(bytes) => self.read_bytes(&file, &bytes),
            Err(e) => self.file_problem(&file, format!("cannot read: {e}")),
        }
    }

    /// Reads a file's bytes; `file` names it in messages and its extension gives the format.
    /// Nothing is read once the run has gone beyond a limit.
    pub fn read_bytes(&mut self, file: &str, bytes: &[u8]) {
        if self.beyond_a_limit() {
            return;
        }
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
            // The content decides: a legacy workbook renamed .xlsx is still refused.
            "xlsx" | "xlsm" | "xls" | "ods" => self.read_workbook(file, bytes),
            "json" => self.read_json(file, bytes),
            other => self.file_problem(
                file,
                format!("unknown input format \".{other}\": give a .csv, .xlsx or .json file"),
            ),
        }
    }

    /// Reads a grid of cells, such as a frame made by [`Grid::from_columns`]. Its cells count
    /// against the run's cell budget, as a file's do; nothing is read once the run has gone
    /// beyond a limit.
    pub fn read_grid(&mut self, mut grid: Grid) {
        if self.beyond_a_limit() {
            return;
        }
        let frame = std::mem::take(&mut grid.frame);
        let frame_rows = frame.first().map_or(0, Vec::len);
        let cells = grid.rows.iter().map(Vec::len).sum::<usize>() + frame.len() * frame_rows;
        if !self.count_cells(cells) {
            return self.file_problem(&grid.source, limits::too_many_cells(self.max_cells, true));
        }
        let first = grid.rows.first().and_then(|r| r.first()).map(|c| c.loc);
        let rows = std::mem::take(&mut grid.rows);
        let mut columns: Vec<_> = frame.into_iter().map(Vec::into_iter).collect();
        let frame_rows = (1..=frame_rows).map(move |r| {
            columns
                .iter_mut()
                .enumerate()
                .map(|(c, cells)| GridCell {
                    value: cells.next().unwrap_or(CellValue::Empty),
                    loc: Loc::Row(r, c + 1),
                })
                .collect()
        });
        if !self.read_rows(&grid, rows.into_iter().chain(frame_rows)) {
            let message = NO_UNIT_COLUMN.to_owned();
            match first {
                Some(loc) => self.problem(&grid, loc, None, message),
                None => self.file_problem(&grid.source, message),
            }
        }
    }

    /// The batch and names read, or every problem found.
    pub fn finish(self) -> Result<Inputs, ReadError> {
        if self.problems.is_empty() {
            Ok(Inputs::new(self.batch, self.names))
        } else {
            Err(ReadError {
                problems: self.problems,
                more: self.more_problems,
            })
        }
    }

    /// Counts `n` more cells against the run's budget; `false` once it is spent.
    pub(crate) fn count_cells(&mut self, n: usize) -> bool {
        self.cells = self.cells.saturating_add(n);
        self.cells <= self.max_cells
    }

    /// Keeps a problem, or only counts it beyond [`MAX_PROBLEMS`].
    pub(crate) fn record(&mut self, problem: InputProblem) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(problem);
        } else {
            self.more_problems += 1;
        }
    }

    /// The problems found so far.
    pub fn problems(&self) -> &[InputProblem] {
        &self.problems
    }

    /// The batch and names read with what locates them, or every problem found.
    pub(crate) fn finish_located(self) -> Result<(Inputs, Locator), ReadError> {
        if !self.problems.is_empty() {
            return Err(ReadError {
                problems: self.problems,
                more: self.more_problems,
            });
        }
        let locator = Locator {
            plan: self.plan,
            origins: self.origins,
            rows_seen: self.rows_seen,
            spots: self.spots,
        };
        Ok((Inputs::new(self.batch, self.names), locator))
    }

    /// The most units one run reads, over all its files; [`MAX_UNITS`] by default. A unit
    /// beyond it is refused with the way to raise it. The memory limit still applies. A raised
    /// limit raises the run's cell budget with it ([`crate::CELLS_PER_UNIT`] cells a unit).
    pub fn set_max_units(&mut self, units: usize) {
        self.max_units = units.max(1);
        self.max_cells = limits::cells_for_units(self.max_units);
    }

    /// The most units this reader takes.
    pub(crate) fn max_units(&self) -> usize {
        self.max_units
    }

    /// Whether the run went beyond a limit: a unit beyond the most units or the memory limit
    /// was refused, or the cells were more than the run's budget. The run is refused, and
    /// nothing after that point is read, of its file or of the files after it.
    pub(crate) fn beyond_a_limit(&self) -> bool {
        self.units_beyond_limit || self.units_beyond_memory || self.cells > self.max_cells
    }

    /// The problem of the first unit beyond the most units, once; reading stops there
    /// ([`InputReader::beyond_a_limit`]).
    fn first_unit_beyond_limit(&mut self) -> Option<String> {
        (!std::mem::replace(&mut self.units_beyond_limit, true)).then(|| {
            let most = self.max_units;
            format!(
                "more than {most} units: a run is limited to {most}; score the units in several runs, or raise the limit ({})",
                crate::limits::RAISE_MAX_UNITS
            )
        })
    }

    /// The problem of the first unit read beyond the memory limit, once; reading stops there
    /// ([`InputReader::beyond_a_limit`]).
    fn first_unit_beyond_memory(&mut self) -> Option<String> {
        const MIB: u64 = 1024 * 1024;
        let units = self.batch.units().len();
        (!std::mem::replace(&mut self.units_beyond_memory, true)).then(|| {
            format!(
                "this unit and those after it are over the memory limit of {} MiB: scoring the {units} units before it would take about {} MiB already; score the units in runs of fewer than {units}, or raise the limit ({})",
                self.memory_limit / MIB,
                self.scoring_bytes().div_ceil(MIB),
                crate::limits::RAISE_MEMORY_LIMIT
            )
        })
    }

    fn file_problem(&mut self, file: &str, message: String) {
        self.record(InputProblem {
            unit: None,
            file: file.to_owned(),
            place: Place::File,
            code: None,
            message,
            check: None,
        });
    }

    /// A problem with one unit's input at a cell.
    fn unit_problem(&mut self, grid: &Grid, loc: Loc, unit: usize, code: &str, message: String) {
        self.refused_value(grid, loc, unit, code, message, None);
    }

    /// A unit's problem, with the check code of a refused value when it is one.
    fn refused_value(
        &mut self,
        grid: &Grid,
        loc: Loc,
        unit: usize,
        code: &str,
        message: String,
        check: Option<&'static str>,
    ) {
        self.record(InputProblem {
            unit: self.batch.units().get(unit).map(|u| u.id.clone()),
            file: grid.source.clone(),
            place: grid.place(loc),
            code: Some(code.to_owned()),
            message,
            check,
        });
    }

    fn problem(&mut self, grid: &Grid, loc: Loc, code: Option<&str>, message: String) {
        self.record(InputProblem {
            unit: None,
            file: grid.source.clone(),
            place: grid.place(loc),
            code: code.map(str::to_owned),
            message,
            check: None,
        });
    }

    /// Last year's own measurement of a unit's leaf, for a trend rule given a value alone.
    fn previous_measurement(&self, unit: usize, leaf: usize) -> Option<&str> {
        if self.previous_year.is_empty() || !self.readings.get(leaf)?.trend {
            return None;
        }
        let id = self.batch.units().get(unit)?.id.clone();
        let code = self.plan.leaf_code(leaf)?.to_owned();
        self.previous_year.get(&(id, code)).map(String::as_str)
    }

    /// What reading a leaf's cell needs of the reader.
    pub(crate) fn leaf_reader(&self) -> LeafReader<'_> {
        LeafReader::new(
            &self.plan,
            &self.readings,
            self.options,
            self.texts.is_some(),
        )
    }

    /// Reads one cell into a leaf at a stage, with every check that needs only the cell.
    fn set_leaf(
        &mut self,
        grid: &Grid,
        unit: usize,
        leaf: usize,
        stage: usize,
        cell: &GridCell,
    ) -> bool {
        let previous = self.previous_measurement(unit, leaf).map(str::to_owned);
        let mut memo = std::mem::take(&mut self.memo);
        let read = self
            .leaf_reader()
            .read_leaf_cell(leaf, cell, previous.as_deref(), &mut memo);
        let given = self.give_leaf_cell(grid, unit, leaf, stage, cell.loc, read);
        self.memo = memo;
        given
    }

    /// Gives a cell read by [`LeafReader::read_leaf_cell`] to its unit, or records why it was
    /// refused; `false` when nothing was set.
    pub(crate) fn give_leaf_cell(
        &mut self,
        grid: &Grid,
        unit: usize,
        leaf: usize,
        stage: usize,
        loc: Loc,
        read: LeafCell<'_>,
    ) -> bool {
        let code = || self.plan.leaf_code(leaf).unwrap_or_default().to_owned();
        let (input, text, located) = match read {
            LeafCell::Skipped => return false,
            LeafCell::Blank => return true,
            LeafCell::Refused(message, check) => {
                let code = code();
                self.refused_value(grid, loc, unit, &code, message, check);
                return false;
            }
            LeafCell::Read {
                input,
                text,
                located,
            } => (input, text, located),
        };
        if let Err(e) = self.batch.set_at(unit, leaf, stage, input) {
            let code = code();
            self.unit_problem(grid, loc, unit, &code, e.message);
            return false;
        }
        if self.texts.is_some() {
            let target = CellTarget::Value {
                code: code(),
                stage: self.plan.set().policy.stages[stage].clone(),
            };
            self.keep_text(unit, target, &text);
        }
        if located {
            let spot = self.origins.spot(grid, loc);
            self.spots.insert((unit, leaf, stage), spot);
        }
        true
    }
}

/// What reading a leaf's cell needs of an [`InputReader`], borrowed apart from it: the rows of
/// a file are read on threads while the rows before them are given to their units.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LeafReader<'r> {
    plan: &'r Plan,
    /// How a cell of each leaf is read, by leaf.
    readings: &'r [LeafReading],
    options: ReadOptions,
    /// Whether the reader keeps the text of every value.
    keeps_texts: bool,
}

impl<'r> LeafReader<'r> {
    /// A reader of the leaves of `plan`, read as `readings` say.
    pub(crate) fn new(
        plan: &'r Plan,
        readings: &'r [LeafReading],
        options: ReadOptions,
        keeps_texts: bool,
    ) -> Self {
        LeafReader {
            plan,
            readings,
            options,
            keeps_texts,
        }
    }

    /// Reads one cell of a leaf with every check that needs only the cell and the leaf's rule:
    /// no unit, no batch. Rows of a table are read this way on several threads at once
    /// ([`InputReader::set_threads`]), then given to their units in order.
    ///
    /// A text met before in the leaf's column is given what it read as then, from `memo`: what
    /// a cell reads as depends on the leaf and its text alone, but for a trend value given
    /// alone, which is joined to the unit's measurement of last year.
    pub(crate) fn read_leaf_cell<'c>(
        &self,
        leaf: usize,
        cell: &'c GridCell,
        previous: Option<&str>,
        memo: &mut ReadMemo,
    ) -> LeafCell<'c> {
        match &cell.value {
            CellValue::Text(text)
                if previous.is_none() || !self.readings.get(leaf).is_some_and(|r| r.trend) =>
            {
                self.read_leaf_text(leaf, text, memo)
            }
            value => self.read_leaf_cell_anew(leaf, value, previous),
        }
    }

    /// [`LeafReader::read_leaf_cell`] of a text typed in a leaf's cell, borrowed from where
    /// it was read: a CSV file's fields are read without a copy.
    pub(crate) fn read_leaf_text<'c>(
        &self,
        leaf: usize,
        typed: &'c str,
        memo: &mut ReadMemo,
    ) -> LeafCell<'c> {
        match memo.find(leaf, typed) {
            Some(read) => read,
            None => self.read_leaf_text_anew(leaf, typed, memo),
        }
    }

    /// [`LeafReader::read_leaf_text`] for a reader that keeps no text: a text met before
    /// whose input packs is given packed.
    pub(crate) fn read_leaf_text_packed<'c>(
        &self,
        leaf: usize,
        typed: &'c str,
        memo: &mut ReadMemo,
    ) -> Memoized<'c> {
        match memo.find_packed(leaf, typed) {
            Some(found) => found,
            None => Memoized::Cell(self.read_leaf_text_anew(leaf, typed, memo)),
        }
    }

    /// A text typed in a leaf's cell read afresh, and remembered in `memo`.
    fn read_leaf_text_anew<'c>(
        &self,
        leaf: usize,
        typed: &'c str,
        memo: &mut ReadMemo,
    ) -> LeafCell<'c> {
        let read = match self.leaf_rule(leaf) {
            None => LeafCell::Skipped,
            Some(rule) => {
                let reading = self.readings[leaf];
                match cell::typed_leaf_text(typed, reading, self.options) {
                    Ok(text) => self.read_leaf_value(leaf, rule, text, None),
                    Err(message) => LeafCell::Refused(message, Some(reading.check)),
                }
            }
        };
        memo.remember(leaf, typed, &read);
        read
    }

    /// A leaf's node and the rule its cells are read by; `None` when it has none.
    fn leaf_rule(&self, leaf: usize) -> Option<(&Node, &Rule)> {
        let node = &self.plan.set().nodes[self.plan.leaf_node(leaf)?];
        Some((node, node.rule.as_ref()?))
    }

    /// [`LeafReader::read_leaf_cell`] of any cell, without a memo.
    fn read_leaf_cell_anew<'c>(
        &self,
        leaf: usize,
        value: &'c CellValue,
        previous: Option<&str>,
    ) -> LeafCell<'c> {
        let Some(rule) = self.leaf_rule(leaf) else {
            return LeafCell::Skipped;
        };
        let reading = self.readings[leaf];
        match cell::leaf_text(value, reading, self.options) {
            Ok(text) => self.read_leaf_value(leaf, rule, text, previous),
            Err(message) => {
                let check = match value {
                    CellValue::Error(_) => "value-excel-error",
                    CellValue::Date { .. } => "value-date-cell",
                    _ => reading.check,
                };
                LeafCell::Refused(message, Some(check))
            }
        }
    }

    /// A leaf's cell from its text, read by the leaf's rule; a trend value given alone is
    /// joined to `previous`, the unit's measurement of last year.
    fn read_leaf_value<'c>(
        &self,
        leaf: usize,
        (node, rule): (&Node, &Rule),
        text: Cow<'c, str>,
        previous: Option<&str>,
    ) -> LeafCell<'c> {
        let set = self.plan.set();
        let reading = self.readings[leaf];
        if let Some(message) = cell_too_long(&text) {
            return LeafCell::Refused(message, None);
        }
        if text.trim().is_empty() {
            return LeafCell::Blank;
        }
        // A trend value given alone, joined to the unit's own measurement of last year.
        let text = match previous {
            Some(before)
                if reading.trend
                    && !Trend::gives_previous(&text)
                    && !value::is_not_applicable(&text) =>
            {
                Cow::Owned(format!("{before} → {}", text.trim()))
            }
            _ => text,
        };
        let late = !rule.scores_alone();
        let mut in_gap = false;
        let input = if value::is_not_applicable(&text) {
            Input::NotApplicable
        } else {
            // Points given directly outside their bounds, a value in a printed tier gap: found
            // here so that the error names the value's cell rather than only its unit.
            let checked = rule.parse(&text).map_err(String::from).and_then(|v| {
                if !late {
                    let ctx = Context::with_policy(node.max, &set.policy);
                    in_gap = rule.evaluate(&v, &ctx)?.in_gap();
                }
                Ok(v)
            });
            match checked {
                Ok(v) => Input::Value(v),
                Err(message) => return LeafCell::Refused(message, Some(reading.check)),
            }
        };
        LeafCell::Read {
            input,
            text,
            located: late || in_gap,
        }
    }
}

impl LeafCell<'_> {
    /// The same cell, owning its text.
    pub(crate) fn into_owned(self) -> LeafCell<'static> {
        match self {
            LeafCell::Skipped => LeafCell::Skipped,
            LeafCell::Blank => LeafCell::Blank,
            LeafCell::Refused(message, check) => LeafCell::Refused(message, check),
            LeafCell::Read {
                input,
                text,
                located,
            } => LeafCell::Read {
                input,
                text: Cow::Owned(text.into_owned()),
                located,
            },
        }
    }
}

/// A leaf's cell read on its own ([`InputReader::read_leaf_cell`]), before it is given to its
/// unit.
#[derive(Debug)]
pub(crate) enum LeafCell<'c> {
    /// The leaf has no rule: nothing is read into it.
    Skipped,
    /// Empty or blank: nothing to set.
    Blank,
    /// Refused: why, and the check code of a value the rule refuses.
    Refused(String, Option<&'static str>),
    /// An input, the text it was read from, and whether scoring may speak of it (a rule that
    /// only scoring can check, or a value in a printed tier gap), so that its cell is kept.
    Read {
        input: Input,
        text: Cow<'c, str>,
        located: bool,
    },
}

const NO_UNIT_COLUMN: &str = "no \"unit\" column: the header row must name the column of unit ids \"unit\", then the criteria codes";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_read_in_parts_is_its_bytes_in_order() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("units.csv");
        // Three parts and a remainder, each byte its position's: a part out of place shows.
        let bytes: Vec<u8> = (0..3 * (1 << 20) + 12_345)
            .map(|i: u32| (i % 251) as u8)
            .collect();
        std::fs::write(&path, &bytes).expect("written");
        for threads in [1, 2, 3, 8] {
            assert!(
                read_whole(&path, threads).expect("read") == bytes,
                "{threads} threads"
            );
        }
        let missing = dir.path().join("missing.csv");
        assert!(read_whole(&missing, 2).is_err());
    }
}
