//! `parindex test`: check a set against units worked out by hand.

use std::path::Path;

use parindex_core::golden::GoldenFile;

use crate::output::{Failure, Outcome, out};
use crate::run::load_set;
use parindex_core::text::plural;

/// Scores the golden units with the set and prints every figure that disagrees, with its node.
pub(crate) fn golden_test(set: &str, units: &Path) -> Outcome {
    let loaded = load_set(set)?;
    let file = units.display().to_string();
    let size = std::fs::metadata(units)
        .map_err(|e| Failure::invalid(format!("{file}: cannot read: {e}")))?
        .len();
    let limit = parindex_core::load::MAX_FILE_BYTES as u64;
    if size > limit {
        return Err(Failure::invalid(format!(
            "{file}: {size} bytes is more than a units file may hold ({limit} bytes)"
        )));
    }
    let text = std::fs::read_to_string(units)
        .map_err(|e| Failure::invalid(format!("{file}: cannot read: {e}")))?;
    let golden =
        GoldenFile::from_toml(&text, &file).map_err(|e| Failure::invalid(e.to_string()))?;
    let report = golden
        .check(&loaded.set, &file)
        .map_err(|e| Failure::invalid(e.to_string()))?;
    let mut text = String::new();
    for m in &report.mismatches {
        text.push_str(&format!(
            "{file}: unit {} {}: the set gives {}, the units file expects {}\n",
            m.unit, m.what, m.engine, m.expected
        ));
    }
    let summary = format!(
        "{}, {} figures compared, {} mismatch{}",
        plural(report.units, "unit"),
        report.checks,
        report.mismatches.len(),
        if report.mismatches.len() == 1 {
            ""
        } else {
            "es"
        }
    );
    if report.mismatches.is_empty() {
        out(&format!(
            "{summary}: {} matches the units worked out by hand\n",
            loaded.set.info.id
        ))
    } else {
        Err(Failure::invalid(format!("{text}{summary}")))
    }
}
