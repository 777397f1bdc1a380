//! `parindex verify`: score a published round's bundle again and compare.

use std::path::Path;

use parindex_io::{Bundle, MAX_RESULTS_BYTES};

use crate::output::{Failure, Outcome};

/// Scores the bundle's inputs again; fails unless the results are byte for byte the same.
pub(crate) fn verify(path: &Path) -> Outcome {
    let file = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|e| Failure::invalid(format!("{file}: cannot read: {e}")))?
        .len();
    // A bundle holds its results and its inputs: twice a results document at most.
    if size > 2 * MAX_RESULTS_BYTES {
        return Err(Failure::invalid(format!(
            "{file}: {size} bytes is more than a bundle may hold ({} bytes)",
            2 * MAX_RESULTS_BYTES
        )));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::invalid(format!("{file}: cannot read: {e}")))?;
    let bundle = Bundle::from_json(&text, &file).map_err(|e| Failure::invalid(e.to_string()))?;
    let units = bundle
        .verify()
        .map_err(|e| Failure::invalid(format!("{file}: does not verify: {e}")))?;
    println!(
        "{file}: verified: {units} units scored again by engine {} from {} ({}), results identical (SHA-256 {})",
        bundle.engine, bundle.set.file, bundle.set.hash, bundle.results_sha256
    );
    Ok(())
}
