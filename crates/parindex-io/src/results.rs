//! The JSON results document, `parindex-results/1`: its types, the one encoder that writes it,
//! and how one is read back for a comparison across years.
//!
//! The shape is documented in `docs/json-results.md`, and a JSON Schema generated from the types
//! is committed as `schemas/results.schema.json`. Decimals are strings, so that no reader turns
//! `89.45` into a binary float.
//!
//! Every way of getting the document's text goes through [`write_results_json_with_threads`]:
//! the command line's `score -o x.json` and `--format json`, the Python package's `to_json`,
//! and [`ResultsDocument::to_json`]. [`ResultsDocument`] is the typed view, read back from
//! those bytes.

mod document;
mod encode;

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;

use crate::error::IoError;

pub use document::{
    AttributeValue, BandSummary, Derived, NodeResult, NodeSummary, ReformAreaSummary,
    ResultsDocument, SetSummary, StageTotal, Status, SurveyGroupEntry, TaskEntry, UnitReformArea,
    UnitResult, WarningEntry,
};
pub use encode::{write_results_json, write_results_json_with_threads};

/// The version tag of the document this crate writes and reads.
pub const SCHEMA: &str = "parindex-results/1";

/// A decimal as the document writes it: without trailing zeros (`1.5`, `60`).
pub fn decimal(x: Decimal) -> String {
    crate::figures::DecimalText::trimmed(x).as_str().to_owned()
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
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("crosswalk.csv");
/// std::fs::write(&path, "before,after\nII,3\n")?;
/// let map = parindex_io::read_crosswalk(&path)?;
/// assert_eq!(map.get("II").map(String::as_str), Some("3"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_crosswalk(path: &Path) -> Result<BTreeMap<String, String>, IoError> {
    let file = path.display().to_string();
    let cannot = |source| IoError::File {
        path: file.clone(),
        source,
    };
    // The size is checked before anything is read into memory.
    let size = std::fs::metadata(path).map_err(cannot)?.len();
    if size > crate::MAX_INPUT_BYTES {
        return Err(IoError::Content {
            path: file.clone(),
            message: crate::limits::too_large(size),
        });
    }
    let bytes = std::fs::read(path).map_err(cannot)?;
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
