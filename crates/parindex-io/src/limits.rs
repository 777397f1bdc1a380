//! The limits on an input file, so that a hostile or broken file gets a clear error instead of
//! exhausting memory or time. Each is far above what a real round needs.

/// The largest input file read, in bytes (32 MiB). Checked from the file's size before it is
/// read. A round of 10,000 units against a 100-criterion set fits in under 10 MB of CSV.
pub const MAX_INPUT_BYTES: u64 = 32 * 1024 * 1024;

/// The most rows of a CSV file or a sheet: as many as an Excel sheet holds.
pub const MAX_ROWS: usize = 1_048_576;

/// The most cells (CSV fields, or non-empty cells of a sheet) of one file.
pub const MAX_CELLS: usize = 10_000_000;

/// The most characters in one cell: as many as an Excel cell holds.
pub const MAX_CELL_CHARS: usize = 32_767;

/// The most units of one run, over all its input files.
pub const MAX_UNITS: usize = 100_000;

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
