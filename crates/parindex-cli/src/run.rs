//! Loading a set, reading the inputs and the year's records, and scoring them.

use std::path::{Path, PathBuf};

use parindex_core::records::ReformPlan;
use parindex_core::{Batch, CriteriaSet, Loaded, Plan, Results, shipped};
use parindex_io::{
    InputReader, Inputs, ReadError, RecordFiles, read_completions, read_survey_answers,
};

use crate::output::{Failure, Progress};

/// Measurements derived from the year's records rather than typed in (docs/records.md).
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct RecordArgs {
    /// The year's reform plan (.toml): criteria with `derive = "plan-…"` are measured from it.
    #[arg(long, requires = "completions")]
    plan: Option<PathBuf>,
    /// The units' completion records of the plan's tasks (.csv or .xlsx: unit, task, done,
    /// product, note).
    #[arg(long, requires = "plan")]
    completions: Option<PathBuf>,
    /// Raw survey answers (.csv or .xlsx: unit, group, item, answer), tallied into the survey
    /// criteria.
    #[arg(long)]
    survey: Option<PathBuf>,
    /// The stage the derived values go into (the set's first stage by default).
    #[arg(long)]
    records_stage: Option<String>,
}

/// Loads a set: a path when it names a file or ends in .toml, else a shipped id.
pub(crate) fn load_set(set: &str) -> Result<Loaded, Failure> {
    let path = Path::new(set);
    let result = if path.is_file() || set.ends_with(".toml") {
        CriteriaSet::from_path(path)
    } else {
        shipped::load(set)
    };
    result.map_err(|e| Failure::invalid(e.to_string()))
}

/// Reads the inputs and scores them on at most `threads` threads; every input problem or
/// scoring problem is a failure.
pub(crate) fn read_and_score(
    plan: &Plan,
    inputs: &[PathBuf],
    records: &RecordArgs,
    progress: &Progress,
    threads: usize,
) -> Result<(Inputs, Results), Failure> {
    let mut reader = InputReader::new(plan);
    for path in inputs {
        progress.step(format!("reading {}", path.display()));
        reader.read_path(path);
    }
    let mut inputs = reader.finish().map_err(input_failure)?;
    add_records(&mut inputs.batch, records)?;
    progress.step("scoring".to_owned());
    let results = plan
        .score_with_threads(&inputs.batch, threads)
        .map_err(|e| {
            let lines: Vec<String> = e.problems.iter().map(|p| format!("error: {p}")).collect();
            Failure::invalid(lines.join("\n"))
        })?;
    Ok((inputs, results))
}

/// The failure for unreadable inputs or records: every problem, and how many.
pub(crate) fn input_failure(e: ReadError) -> Failure {
    let n = e.problems.len();
    Failure::invalid(format!(
        "{e}\n{n} problem{} in the input; nothing was scored",
        if n == 1 { "" } else { "s" }
    ))
}

/// Reads the year's records named on the command line and derives their measurements into the
/// batch; any bad record is a failure.
pub(crate) fn add_records(batch: &mut Batch, args: &RecordArgs) -> Result<(), Failure> {
    let plan = match &args.plan {
        Some(path) => {
            Some(ReformPlan::from_path(path).map_err(|e| Failure::invalid(e.to_string()))?)
        }
        None => None,
    };
    let files = RecordFiles {
        plan,
        completions: args
            .completions
            .as_deref()
            .map(read_completions)
            .transpose()
            .map_err(input_failure)?,
        survey: args
            .survey
            .as_deref()
            .map(read_survey_answers)
            .transpose()
            .map_err(input_failure)?,
        stage: args.records_stage.clone(),
    };
    files.apply(batch).map_err(input_failure)
}
