//! `parindex validate`: criteria files, or input files against a set.

use std::path::PathBuf;

use parindex_core::{Kept, Severity, shipped};

use crate::output::{Failure, Outcome, Progress, out};
use crate::run::{ReadArgs, RecordArgs, load_set, round, round_failure};
use parindex_core::text::plural;

/// Checks criteria files, or with `set` input files against that set: read together and
/// scored as `score` would, with the same options and records.
pub(crate) fn validate(
    files: &[String],
    set: Option<&str>,
    read: &ReadArgs,
    records: &RecordArgs,
) -> Outcome {
    let mut invalid = false;
    let mut text = String::new();
    let mut stderr_text = String::new();
    if let Some(set) = set {
        let loaded = load_set(set)?;
        let paths: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
        let round = round(
            &loaded,
            &paths,
            read,
            records,
            &Progress(None),
            1,
            None,
            Kept::Every,
        )?;
        match round.validate() {
            Ok(inputs) => text.push_str(&format!(
                "{}: valid: {} for {}\n",
                files.join(", "),
                plural(inputs.batch.units().len(), "unit"),
                loaded.set.info.id
            )),
            Err(e) => {
                invalid = true;
                stderr_text.push_str(&format!("{}\n", round_failure(e).message));
            }
        }
    } else {
        for file in files {
            match shipped::resolve(file) {
                Ok(loaded) => {
                    for d in &loaded.warnings {
                        stderr_text.push_str(&format!("{d}\n"));
                    }
                    text.push_str(&format!(
                        "{file}: valid ({}, {})\n",
                        plural(loaded.set.nodes.len(), "node"),
                        plural(loaded.warnings.len(), "warning")
                    ));
                }
                Err(e) => {
                    invalid = true;
                    for d in &e.diagnostics {
                        stderr_text.push_str(&format!("{d}\n"));
                    }
                    let errors = e
                        .diagnostics
                        .iter()
                        .filter(|d| d.severity == Severity::Error)
                        .count();
                    let errors = plural(errors, "error");
                    stderr_text.push_str(&format!("{file}: invalid ({errors})\n"));
                }
            }
        }
    }
    out(&text)?;
    if invalid {
        Err(Failure::invalid(stderr_text))
    } else {
        if !stderr_text.is_empty() {
            eprint!("{stderr_text}");
        }
        Ok(())
    }
}
