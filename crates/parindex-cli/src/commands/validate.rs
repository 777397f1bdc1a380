//! `parindex validate`: criteria files, or input files against a set.

use std::path::Path;

use parindex_core::{CriteriaSet, Plan, Severity, shipped};
use parindex_io::InputReader;

use crate::output::{Failure, Outcome, out};
use crate::run::load_set;

/// Checks criteria files, or with `set` input files against that set.
pub(crate) fn validate(files: &[String], set: Option<&str>) -> Outcome {
    let mut invalid = false;
    let mut text = String::new();
    let mut stderr_text = String::new();
    if let Some(set) = set {
        let loaded = load_set(set)?;
        let plan = Plan::new(&loaded.set);
        for file in files {
            let mut reader = InputReader::new(&plan);
            reader.read_path(Path::new(file));
            match reader.finish() {
                Ok(inputs) => text.push_str(&format!(
                    "{file}: valid: {} units for {}\n",
                    inputs.batch.units().len(),
                    plan.set().info.id
                )),
                Err(e) => {
                    invalid = true;
                    stderr_text.push_str(&format!("{e}\n"));
                }
            }
        }
    } else {
        for file in files {
            let path = Path::new(file);
            let result = if path.exists() || file.ends_with(".toml") {
                CriteriaSet::from_path(path)
            } else {
                shipped::load(file)
            };
            match result {
                Ok(loaded) => {
                    for d in &loaded.warnings {
                        stderr_text.push_str(&format!("{d}\n"));
                    }
                    text.push_str(&format!(
                        "{file}: valid ({} nodes, {} warnings)\n",
                        loaded.set.nodes.len(),
                        loaded.warnings.len()
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
                    stderr_text.push_str(&format!("{file}: invalid ({errors} errors)\n"));
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
