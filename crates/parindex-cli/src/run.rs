//! Naming a set, and the round's inputs on the command line: the files, how their cells are
//! read, and the year's records. Reading and scoring are the `parindex-io` round's, as for
//! every other front end.

use std::path::PathBuf;

use parindex_core::{Kept, Loaded, shipped};
use parindex_io::{
    PercentScale, ReadError, ReadOptions, RecordSource, RecordSources, Round, RoundError, Scored,
};

use crate::output::{Failure, Progress};

/// How the cells of the inputs are read.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct ReadArgs {
    /// How a bare number on a criterion measured in percent is read: `percent` (87.5 is 87.5%;
    /// 0.875 is refused as ambiguous) or `fraction` (0.875 is 87.5%, as a %-formatted column
    /// holds it).
    #[arg(long, default_value_t = PercentScale::Percent, value_parser = parse_percents)]
    percents: PercentScale,
    /// The most memory, in MiB, the units and their results may take; a larger run is refused
    /// before it is scored, saying how many units fit. 360 MiB by default (SECURITY.md).
    #[arg(long, value_name = "MIB", default_value_t = parindex_io::MAX_SCORING_BYTES / (1024 * 1024))]
    memory_limit: u64,
    /// The most units one run reads, over all its files; a larger run is refused at its first
    /// unit beyond (SECURITY.md). The memory limit still applies.
    #[arg(long, value_name = "UNITS", default_value_t = parindex_io::MAX_UNITS)]
    max_units: usize,
    /// The date of an event of the set for this round, `ID=dd/mm/yyyy`: the due dates counted
    /// from it follow (`[[event]]`, criteria/FORMAT.md). Repeatable.
    #[arg(long = "event", value_name = "ID=DATE", value_parser = parse_event)]
    events: Vec<(String, parindex_core::Date)>,
}

fn parse_event(text: &str) -> Result<(String, parindex_core::Date), String> {
    let (id, date) = text
        .split_once('=')
        .ok_or_else(|| format!("\"{text}\" is not ID=dd/mm/yyyy"))?;
    let date = date.trim().parse().map_err(|e| format!("{e}"))?;
    Ok((id.trim().to_owned(), date))
}

fn parse_percents(text: &str) -> Result<PercentScale, String> {
    text.parse()
        .map_err(|e: parindex_io::UnknownPercentScale| e.to_string())
}

impl ReadArgs {
    /// The reading options of the round.
    pub(crate) fn options(&self) -> ReadOptions {
        ReadOptions {
            percents: self.percents,
        }
    }
}

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

impl RecordArgs {
    /// The records files, for the round.
    fn sources(&self) -> RecordSources {
        RecordSources {
            plan: self.plan.clone(),
            completions: self.completions.clone().map(RecordSource::Path),
            survey: self.survey.clone().map(RecordSource::Path),
            stage: self.records_stage.clone(),
        }
    }

    /// Every records file given, to keep outputs from overwriting them.
    pub(crate) fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        [&self.plan, &self.completions, &self.survey]
            .into_iter()
            .flatten()
    }
}

/// Loads a set by its shipped id or the path of its criteria file.
pub(crate) fn load_set(set: &str) -> Result<Loaded, Failure> {
    shipped::resolve(set).map_err(|e| Failure::invalid(e.to_string()))
}

/// The round of a run: its inputs and records read by the one pipeline. With last year's
/// results, the rules that compare a unit with its own year before (`trend`) read them, given
/// before the inputs are read; `kept` are the nodes whose results the run's outputs read.
#[allow(clippy::too_many_arguments)]
pub(crate) fn round(
    loaded: &Loaded,
    inputs: &[PathBuf],
    read: &ReadArgs,
    records: &RecordArgs,
    progress: &Progress,
    threads: usize,
    previous: Option<&parindex_io::ResultsDocument>,
    kept: Kept,
) -> Result<Round, Failure> {
    let mut set = loaded.set.clone();
    for (id, date) in &read.events {
        if set.date_event(id, *date).is_none() {
            let declared: Vec<&str> = set.events.iter().map(|e| e.id.as_str()).collect();
            return Err(Failure::usage(format!(
                "error: --event {id}: the set declares no such event ({})",
                if declared.is_empty() {
                    "it declares none".to_owned()
                } else {
                    declared.join(", ")
                }
            )));
        }
    }
    let plan = parindex_core::Plan::new(&set);
    let mut round = Round::new(&plan, read.options());
    round.set_memory_limit(read.memory_limit.saturating_mul(1024 * 1024));
    round.set_max_units(read.max_units);
    round.set_threads(threads);
    round.set_kept(kept);
    if let Some(previous) = previous {
        round.set_previous_year(previous);
    }
    for path in inputs {
        progress.step(format!("reading {}", path.display()));
        round.read_path(path);
    }
    round.set_records(records.sources());
    Ok(round)
}

/// Scores a round; every problem of reading or scoring is a failure, at its place.
pub(crate) fn score_round(round: Round, progress: &Progress) -> Result<Scored, Failure> {
    progress.step("scoring".to_owned());
    round.score().map_err(round_failure)
}

/// The failure of a round: a plan file that does not load, or every input problem.
pub(crate) fn round_failure(error: RoundError) -> Failure {
    match error {
        RoundError::Criteria(e) => Failure::invalid(e.to_string()),
        RoundError::Input(e) => input_failure(e),
    }
}

/// The failure for unreadable inputs or records: every problem, and how many.
pub(crate) fn input_failure(e: ReadError) -> Failure {
    let n = e.count();
    Failure::invalid(format!(
        "{e}\n{n} problem{} in the input; nothing was scored",
        if n == 1 { "" } else { "s" }
    ))
}
