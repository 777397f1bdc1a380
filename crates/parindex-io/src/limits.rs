//! The limits on an input file, so that a hostile or broken file gets a clear error instead of
//! exhausting memory or time. Each is far above what a real round needs.

/// The largest input file read, in bytes (32 MiB). Checked from the file's size before it is
/// read. A round of 10,000 units against a 100-criterion set fits in under 10 MB of CSV.
pub const MAX_INPUT_BYTES: u64 = 32 * 1024 * 1024;

/// The most rows of a CSV file or a sheet: as many as an Excel sheet holds.
pub const MAX_ROWS: usize = 1_048_576;

/// The most columns of a CSV record or a sheet row: as many as an Excel sheet holds (`XFD`).
pub const MAX_COLUMNS: usize = 16_384;

/// The most cells of one run's inputs, over all its files: every CSV field, every cell of a
/// sheet (empty, formula and merged cells included), every unit and value of a JSON document,
/// every cell of in-memory data. Each file is read row by row, so this bounds the time a run
/// spends reading, not the memory it holds. A run whose unit limit is raised above
/// [`MAX_UNITS`] has [`CELLS_PER_UNIT`] cells for each unit instead, when that is more.
pub const MAX_CELLS: usize = 10_000_000;

/// The cells a run may read per unit of its unit limit: [`MAX_CELLS`] over [`MAX_UNITS`].
pub const CELLS_PER_UNIT: usize = MAX_CELLS / MAX_UNITS;

/// The cell budget of a run limited to `units` units: [`MAX_CELLS`], or [`CELLS_PER_UNIT`] for
/// each unit of a raised limit.
pub(crate) fn cells_for_units(units: usize) -> usize {
    MAX_CELLS.max(units.saturating_mul(CELLS_PER_UNIT))
}

/// The most problems listed for one run; the others are counted, not kept.
pub const MAX_PROBLEMS: usize = 1_000;

/// The most bytes an `.xlsx` workbook's parts may unzip to, all parts together (512 MiB).
pub const MAX_UNZIPPED_BYTES: u64 = 512 * 1024 * 1024;

/// The most bytes of a workbook's shared strings (64 MiB), which are held while its sheets
/// are read.
pub const MAX_SHARED_STRINGS_BYTES: usize = 64 * 1024 * 1024;

/// The largest results document read back (by `compare` and `--previous`), in bytes (256 MiB).
pub const MAX_RESULTS_BYTES: u64 = 256 * 1024 * 1024;

/// The most characters in one cell: as many as an Excel cell holds.
pub const MAX_CELL_CHARS: usize = 32_767;

/// The most units of one run, over all its input files, unless the caller raises it
/// ([`crate::Round::set_max_units`], `--max-units`, `parindex.options.max_units`).
pub const MAX_UNITS: usize = 100_000;

/// How to raise [`MAX_UNITS`], as messages say it.
pub(crate) const RAISE_MAX_UNITS: &str =
    "--max-units on the command line, parindex.options.max_units in Python";

/// The most memory a run's batch and results may take, as estimated before scoring
/// ([`parindex_core::Batch::scoring_bytes`]): 360 MiB, so that a run just under it, with its
/// reading and its CSV, JSON or HTML outputs, stays within 512 MiB of resident memory (a
/// results workbook costs more: SECURITY.md), and so does any run of one input of at most
/// [`MAX_INPUT_BYTES`]. About 65,000 units of a 92-criterion set fit, and 117,000 when only
/// the summary is written
/// ([`parindex_core::Kept::Areas`]); a larger run is refused before it is scored, with the
/// way to raise the limit ([`crate::Round::set_memory_limit`], `--memory-limit`).
pub const MAX_SCORING_BYTES: u64 = 360 * 1024 * 1024;

/// How to raise [`MAX_SCORING_BYTES`], as messages say it.
pub(crate) const RAISE_MEMORY_LIMIT: &str =
    "--memory-limit on the command line, parindex.options.memory_limit in Python";

/// The message for a file larger than [`MAX_INPUT_BYTES`].
pub(crate) fn too_large(size: u64) -> String {
    format!(
        "is {size} bytes; input files are limited to {MAX_INPUT_BYTES} bytes (32 MiB): split the units over several files"
    )
}

/// The message for a cell longer than [`MAX_CELL_CHARS`], or `None`.
pub(crate) fn cell_too_long(text: &str) -> Option<String> {
    // Counting characters only when the bytes could exceed the limit keeps this cheap.
    if text.len() <= MAX_CELL_CHARS {
        return None;
    }
    let chars = text.chars().count();
    (chars > MAX_CELL_CHARS).then(|| {
        format!("the cell holds {chars} characters; a cell is limited to {MAX_CELL_CHARS}")
    })
}

/// The message for a run whose inputs have more than `limit` cells, its budget; `raisable`
/// when raising the unit limit raises it (the inputs, not the year's records).
pub(crate) fn too_many_cells(limit: usize, raisable: bool) -> String {
    let raise = if raisable {
        format!(
            ", or raise the unit limit ({RAISE_MAX_UNITS}), which allows {CELLS_PER_UNIT} cells a unit"
        )
    } else {
        String::new()
    };
    format!(
        "more than {limit} cells: the inputs of a run are limited to {limit} (every cell counts, empty, formula and merged cells too); split the units over several runs{raise}"
    )
}

/// The message for a row with more than [`MAX_COLUMNS`] cells.
pub(crate) fn too_many_columns() -> String {
    format!("the row has more than {MAX_COLUMNS} columns, as many as an Excel sheet holds")
}
