//! The round: a set's plan, the units' inputs, the year's records and the options → results.
//!
//! This is the one pipeline behind every front end: the command line, the Python package and
//! any server read through a [`Round`], so the same data gives the same results whatever door
//! it came through. [`Round::validate`] is exactly the reading half of [`Round::score`]: it
//! reads, derives the records and scores, and so refuses everything `score` would, each
//! problem at its place.

use std::path::{Path, PathBuf};

use parindex_core::records::ReformPlan;
use parindex_core::{Batch, CriteriaError, Kept, Plan, Results};

use crate::error::{InputProblem, Place, ReadError};
use crate::input::{Grid, InputReader, Inputs, ReadOptions};
use crate::records::{
    RecordFiles, read_completions, read_completions_bytes, read_survey_answers,
    read_survey_answers_bytes,
};

/// A records file: a path, or bytes named for messages (the name's extension picks CSV or
/// Excel).
#[derive(Debug, Clone)]
pub enum RecordSource {
    /// A file on disk.
    Path(PathBuf),
    /// A file's name and bytes.
    Bytes(String, Vec<u8>),
}

/// The year's records a round derives measurements from, each optional (docs/records.md).
#[derive(Debug, Clone, Default)]
pub struct RecordSources {
    /// The reform plan (.toml).
    pub plan: Option<PathBuf>,
    /// The plan's completion records.
    pub completions: Option<RecordSource>,
    /// Raw survey answers.
    pub survey: Option<RecordSource>,
    /// The stage derived values go into; the set's first stage when `None`.
    pub stage: Option<String>,
}

impl RecordSources {
    /// Reads every records file.
    pub fn read(&self) -> Result<RecordFiles, RoundError> {
        let plan = match &self.plan {
            Some(path) => Some(ReformPlan::from_path(path)?),
            None => None,
        };
        let completions = match &self.completions {
            Some(RecordSource::Path(path)) => Some(read_completions(path)?),
            Some(RecordSource::Bytes(name, bytes)) => Some(read_completions_bytes(name, bytes)?),
            None => None,
        };
        let survey = match &self.survey {
            Some(RecordSource::Path(path)) => Some(read_survey_answers(path)?),
            Some(RecordSource::Bytes(name, bytes)) => Some(read_survey_answers_bytes(name, bytes)?),
            None => None,
        };
        Ok(RecordFiles {
            plan,
            completions,
            survey,
            stage: self.stage.clone(),
        })
    }
}

/// Why a round could not be scored.
#[derive(Debug, thiserror::Error)]
pub enum RoundError {
    /// A plan file that does not load.
    #[error("{0}")]
    Criteria(#[from] CriteriaError),
    /// Inputs or records refused, each problem at its place.
    #[error("{0}")]
    Input(#[from] ReadError),
}

/// A scored round: the inputs read and their results.
#[derive(Debug)]
pub struct Scored {
    /// The batch scored, and the units' names.
    pub inputs: Inputs,
    /// The scorecards, ranks and bands.
    pub results: Results,
}

/// One scoring run: every door reads into it, and it scores them together.
///
/// ```
/// use parindex_core::{shipped, Plan};
/// use parindex_io::{ReadOptions, Round};
/// let plan = Plan::new(&shipped::load("binh-thuan-police/commune/2024")?.set);
/// let mut round = Round::new(&plan, ReadOptions::default());
/// round.read_bytes("wards.csv", "unit,1.1.4\nCAP-01,7/9\nCAP-02,9/9\n".as_bytes());
/// let scored = round.score()?;
/// assert_eq!(scored.results.units.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Round {
    reader: InputReader,
    records: RecordSources,
    threads: usize,
    memory_limit: u64,
    kept: Kept,
    /// The inputs read, as messages name them.
    sources: Vec<String>,
}

impl Round {
    /// A round of a plan's set, reading cells with `options`.
    pub fn new(plan: &Plan, options: ReadOptions) -> Self {
        Round {
            reader: InputReader::with_options(plan, options),
            records: RecordSources::default(),
            threads: 1,
            memory_limit: crate::MAX_SCORING_BYTES,
            kept: Kept::Every,
            sources: Vec::new(),
        }
    }

    /// Reads an input file (see [`InputReader::read_path`]).
    pub fn read_path(&mut self, path: &Path) {
        self.sources.push(path.display().to_string());
        self.reader.read_path(path);
    }

    /// Reads an input file's bytes (see [`InputReader::read_bytes`]).
    pub fn read_bytes(&mut self, file: &str, bytes: &[u8]) {
        self.sources.push(file.to_owned());
        self.reader.read_bytes(file, bytes);
    }

    /// Reads in-memory data (see [`Grid::from_columns`]).
    pub fn read_grid(&mut self, grid: Grid) {
        self.sources.push(grid.source.clone());
        self.reader.read_grid(grid);
    }

    /// Last year's results, for the rules that compare a unit with its own year before
    /// ([`InputReader::set_previous_year`]).
    pub fn set_previous_year(&mut self, previous: &crate::ResultsDocument) {
        self.reader.set_previous_year(previous);
    }

    /// The most units the round reads ([`InputReader::set_max_units`]).
    pub fn set_max_units(&mut self, units: usize) {
        self.reader.set_max_units(units);
    }

    /// The year's records to derive measurements from.
    pub fn set_records(&mut self, records: RecordSources) {
        self.records = records;
    }

    /// Reads and scores on at most `threads` threads (1 by default); the results are the same
    /// for any number. Set it before reading, so that reading uses them too.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads.max(1);
        self.reader.set_threads(threads);
    }

    /// The most memory, in bytes, the batch and its results may take
    /// ([`parindex_core::Batch::scoring_bytes`]); [`crate::MAX_SCORING_BYTES`] by default. A
    /// larger run is refused before it is scored.
    pub fn set_memory_limit(&mut self, bytes: u64) {
        self.memory_limit = bytes;
        self.reader.set_memory_limit(bytes);
    }

    /// Which nodes' results the scorecards keep ([`Kept::Every`] by default). A caller that
    /// writes only the summary keeps the areas', and so less than half the memory a unit.
    /// Set it before reading, so that reading counts the memory the same way.
    pub fn set_kept(&mut self, kept: Kept) {
        self.kept = kept;
        self.reader.set_kept(kept);
    }

    /// Reads the records, derives their measurements and scores every unit. Every problem,
    /// of reading or of scoring, is reported at its place.
    pub fn score(self) -> Result<Scored, RoundError> {
        let plan = self.reader.plan().clone();
        // Records are read even when the inputs have problems, so that one run reports both.
        let records = self.records.read();
        let (inputs, locator) = match (self.reader.finish_located(), records) {
            (Ok(read), Ok(records)) => {
                let (mut inputs, locator) = read;
                records.apply(&mut inputs.batch)?;
                (inputs, locator)
            }
            (Err(mut e), Err(RoundError::Input(more))) => {
                e.extend(more);
                return Err(e.into());
            }
            (Err(e), _) => return Err(e.into()),
            (Ok(_), Err(e)) => return Err(e),
        };
        let need = inputs.batch.scoring_bytes_keeping(self.kept);
        if need > self.memory_limit {
            return Err(RoundError::Input(ReadError {
                problems: vec![too_much_memory(
                    &self.sources,
                    &inputs.batch,
                    need,
                    self.memory_limit,
                )],
                more: 0,
            }));
        }
        let mut results = plan
            .score_keeping(&inputs.batch, self.threads, self.kept)
            .map_err(|e| {
                let more = e.problems.len().saturating_sub(crate::MAX_PROBLEMS);
                ReadError {
                    problems: e
                        .problems
                        .iter()
                        .take(crate::MAX_PROBLEMS)
                        .map(|p| locator.locate(&inputs.batch, p))
                        .collect(),
                    more,
                }
            })?;
        locator.place_warnings(&inputs.batch, &mut results.warnings);
        Ok(Scored { inputs, results })
    }

    /// The reading half of [`Round::score`]: everything `score` would refuse is refused here,
    /// at its place. Returns the inputs read.
    pub fn validate(self) -> Result<Inputs, RoundError> {
        self.score().map(|scored| scored.inputs)
    }
}

/// The refusal of a run whose batch and results would take more than the memory limit.
fn too_much_memory(sources: &[String], batch: &Batch, need: u64, limit: u64) -> InputProblem {
    const MIB: u64 = 1024 * 1024;
    let units = batch.units().len() as u64;
    let fit = (limit.saturating_mul(units) / need.max(1)).max(1);
    InputProblem {
        file: sources.join(", "),
        place: Place::File,
        unit: None,
        code: None,
        message: format!(
            "scoring these {units} units would take about {} MiB of memory, over the limit of {} MiB: score them in runs of at most {fit} units, or raise the limit ({})",
            need.div_ceil(MIB),
            limit / MIB,
            crate::limits::RAISE_MEMORY_LIMIT
        ),
        check: None,
    }
}
