//! Criteria sets: loading, inspecting and scoring.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use parindex_core::{
    Change, CriteriaSet as CoreSet, Diagnostic, Plan, diff_sets, rule_to_toml, shipped,
};
use parindex_io::{ReadOptions, Round};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use rust_decimal::Decimal;

use crate::convert::{grid_from_py, type_name};
use crate::error::{Error, diagnostic_to_py, guard, guard_py};
use crate::frame::Frame;
use crate::interrupt::abandonable;
use crate::records::{NamedBytes, read_options, record_sources};
use crate::results::{Results, Timings};

/// A loaded, validated criteria set, compiled for scoring.
///
/// Made by `load`, `loads`; the Python package wraps it in `parindex.CriteriaSet`.
#[pyclass(frozen, module = "parindex._parindex", name = "CriteriaSet")]
pub(crate) struct PySet {
    plan: Plan,
    warnings: Vec<Diagnostic>,
}

impl PySet {
    fn set(&self) -> &CoreSet {
        self.plan.set()
    }

    fn from_loaded(loaded: parindex_core::Loaded) -> Self {
        PySet {
            plan: Plan::from_arc(Arc::new(loaded.set)),
            warnings: loaded.warnings,
        }
    }
}

#[pymethods]
impl PySet {
    /// The set's id, `authority/level/year`.
    #[getter]
    fn id(&self) -> &str {
        &self.set().info.id
    }

    /// The title, in the source's language.
    #[getter]
    fn title(&self) -> &str {
        &self.set().info.title
    }

    /// The English title, if the file gives one.
    #[getter]
    fn title_en(&self) -> Option<&str> {
        self.set().info.title_en.as_deref()
    }

    /// What is scored: commune, ward, department, official…
    #[getter]
    fn level(&self) -> &str {
        &self.set().info.level
    }

    /// The year scored.
    #[getter]
    fn year(&self) -> i32 {
        self.set().info.year
    }

    /// The declared total, exact.
    #[getter]
    fn max(&self) -> Decimal {
        self.set().info.max
    }

    /// The language of the names: `vi` or `en`.
    #[getter]
    fn language(&self) -> &str {
        &self.set().info.language
    }

    /// SHA-256 of the file's text, in hex: the provenance every result carries.
    #[getter]
    fn content_hash(&self) -> &str {
        &self.set().content_hash
    }

    /// Where the set comes from: authority, decision, issued, source, status, notes.
    #[getter]
    fn origin<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let origin = &self.set().origin;
        let dict = PyDict::new(py);
        dict.set_item("authority", &origin.authority)?;
        dict.set_item("decision", origin.decision.as_deref())?;
        dict.set_item("issued", origin.issued.as_deref())?;
        dict.set_item("source", &origin.source)?;
        dict.set_item("status", origin.status.as_str())?;
        dict.set_item("notes", origin.notes.as_deref())?;
        Ok(dict)
    }

    /// The stages, in order; the final value of a leaf is that of its last stage present.
    #[getter]
    fn stages(&self) -> Vec<String> {
        self.set().policy.stages.clone()
    }

    /// The index scale, usually 100.
    #[getter]
    fn scale(&self) -> Decimal {
        self.set().policy.scale
    }

    /// Decimals of a reported index.
    #[getter]
    fn decimals(&self) -> u32 {
        self.set().policy.decimals
    }

    /// The codes of the leaves, in order: the columns of a wide input.
    #[getter]
    fn leaf_codes(&self) -> Vec<String> {
        self.plan.leaf_codes().map(str::to_owned).collect()
    }

    /// The codes of the areas, in order.
    #[getter]
    fn area_codes(&self) -> Vec<String> {
        self.set().areas().map(|n| n.code.clone()).collect()
    }

    /// The unit attributes the set uses: name, type, label and allowed values.
    #[getter]
    fn attributes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .set()
            .attributes
            .iter()
            .map(|a| {
                let dict = PyDict::new(py);
                dict.set_item("name", &a.name)?;
                dict.set_item("type", a.kind.as_str())?;
                dict.set_item("label", a.label.as_deref())?;
                dict.set_item("values", a.values.clone())?;
                Ok(dict)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// The bands, best first: name, label and the index range.
    #[getter]
    fn bands<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .set()
            .bands
            .iter()
            .map(|b| (b.name.clone(), b.label.clone(), b.when.to_string()))
            .collect::<Vec<_>>();
        PyList::new(py, items)
    }

    /// The warnings found while loading: acknowledged inconsistencies, renumbered rows.
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .warnings
            .iter()
            .map(|d| diagnostic_to_py(py, d))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// The tree, one row per node in the table's order, as `(name, kind, values)` columns.
    #[pyo3(signature = (exact = true))]
    fn nodes<'py>(&self, py: Python<'py>, exact: bool) -> PyResult<Bound<'py, PyList>> {
        guard_py(|| {
            let set = self.set();
            let nodes = &set.nodes;
            let mut frame = Frame::new(py, exact);
            frame.text("code", nodes.iter().map(|n| Some(&n.code)))?;
            frame.text("name", nodes.iter().map(|n| Some(&n.name)))?;
            frame.text("name_en", nodes.iter().map(|n| n.name_en.as_ref()))?;
            frame.text("parent", nodes.iter().map(|n| n.parent_code()))?;
            frame.int("depth", nodes.iter().map(|n| i64::try_from(n.depth()).ok()))?;
            frame.bool("leaf", nodes.iter().map(|n| n.rule.is_some()))?;
            frame.decimal("max", nodes.iter().map(|n| Some(n.max)))?;
            frame.text("kind", nodes.iter().map(|n| Some(n.kind.as_str())))?;
            frame.text("source", nodes.iter().map(|n| Some(n.source.as_str())))?;
            frame.text(
                "rule",
                nodes
                    .iter()
                    .map(|n| n.rule.as_ref().map(|r| r.kind().as_str())),
            )?;
            frame.text(
                "rule_toml",
                nodes.iter().map(|n| n.rule.as_ref().map(rule_to_toml)),
            )?;
            frame.text(
                "printed_code",
                nodes.iter().map(|n| n.printed_code.as_ref()),
            )?;
            frame.text("note", nodes.iter().map(|n| n.note.as_ref()))?;
            frame.int(
                "line",
                nodes.iter().map(|n| i64::try_from(n.location.line).ok()),
            )?;
            frame.finish()
        })
    }

    /// What changed from this set to `other`, as `(name, kind, values)` columns: one row per
    /// change, with its kind (added, removed, moved, max, rule, renamed).
    #[pyo3(signature = (other, exact = true))]
    fn diff<'py>(
        &self,
        py: Python<'py>,
        other: &Bound<'py, PyAny>,
        exact: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let other = other.cast::<PySet>().map_err(|_| {
            Error::Type(format!(
                "diff() compares with another CriteriaSet, not a {}",
                type_name(other)
            ))
        })?;
        let other = other.get();
        guard_py(|| {
            let changes = diff_sets(self.set(), other.set());
            let mut kind = Vec::new();
            let mut code = Vec::new();
            let mut name = Vec::new();
            let mut before: Vec<Option<String>> = Vec::new();
            let mut after: Vec<Option<String>> = Vec::new();
            let mut max_before = Vec::new();
            let mut max_after = Vec::new();
            for change in &changes {
                let (k, c, n, b, a, mb, ma) = match change {
                    Change::Added { code, name, max } => {
                        ("added", code, Some(name), None, None, None, Some(*max))
                    }
                    Change::Removed { code, name, max } => {
                        ("removed", code, Some(name), None, None, Some(*max), None)
                    }
                    Change::Moved { from, to, name } => (
                        "moved",
                        to,
                        Some(name),
                        Some(from.clone()),
                        Some(to.clone()),
                        None,
                        None,
                    ),
                    Change::MaxChanged { code, from, to } => {
                        ("max", code, None, None, None, Some(*from), Some(*to))
                    }
                    Change::RuleChanged { code, from, to } => (
                        "rule",
                        code,
                        None,
                        Some(from.clone()),
                        Some(to.clone()),
                        None,
                        None,
                    ),
                    Change::Renamed { code, from, to } => (
                        "renamed",
                        code,
                        None,
                        Some(from.clone()),
                        Some(to.clone()),
                        None,
                        None,
                    ),
                };
                kind.push(Some(k));
                code.push(Some(c.clone()));
                name.push(n.cloned());
                before.push(b);
                after.push(a);
                max_before.push(mb);
                max_after.push(ma);
            }
            let mut frame = Frame::new(py, exact);
            frame.text("change", kind)?;
            frame.text("code", code)?;
            frame.text("name", name)?;
            frame.text("before", before)?;
            frame.text("after", after)?;
            frame.decimal("max_before", max_before)?;
            frame.decimal("max_after", max_after)?;
            frame.text("text", changes.iter().map(|c| Some(c.to_string())))?;
            frame.finish()
        })
    }

    /// The set written back as TOML.
    fn to_toml(&self) -> String {
        self.set().to_toml()
    }

    /// Writes the Excel template the command line writes (`parindex template`) to `path`,
    /// atomically: a sheet per stage with a row to fill per unit.
    fn write_template(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let set = self.set();
        py.detach(|| {
            guard(|| {
                let bytes = parindex_io::template_xlsx(set)?;
                parindex_io::write_atomic(&path, &bytes)?;
                Ok(())
            })
        })
        .map_err(Into::into)
    }

    /// Scores input data given as a dict of column name → list of cells, in the wide or the
    /// long layout; `source` names the data in messages (`<DataFrame>`), `stage` the stage of
    /// rows without a `stage` column, and `percents` how a bare number on a percent criterion
    /// is read (`percent` or `fraction`). The GIL is released while reading and scoring, and
    /// Ctrl-C returns at once (the call finishes in the background, unused).
    ///
    /// `plan`, `completions`, `survey` and `records_stage` give the year's records, as the
    /// command line's `--plan`, `--completions`, `--survey` and `--records-stage`; the files
    /// cross as `(name, bytes)`.
    #[pyo3(signature = (columns, source = "<data>", stage = None, percents = "percent", plan = None, completions = None, survey = None, records_stage = None))]
    #[allow(clippy::too_many_arguments)]
    fn score(
        &self,
        py: Python<'_>,
        columns: &Bound<'_, PyAny>,
        source: &str,
        stage: Option<&str>,
        percents: &str,
        plan: Option<PathBuf>,
        completions: Option<NamedBytes>,
        survey: Option<NamedBytes>,
        records_stage: Option<String>,
    ) -> PyResult<Results> {
        let started = Instant::now();
        let options = read_options(percents)?;
        let grid = guard(|| grid_from_py(columns, source))?;
        let grid = match stage {
            Some(stage) => grid.with_stage(stage),
            None => grid,
        };
        let converted = Instant::now();
        let records = record_sources(plan, completions, survey, records_stage);
        let set_plan = self.plan.clone();
        let (scored, read) = abandonable(py, "the scoring call", move || {
            read_and_score(&set_plan, options, records, |round| round.read_grid(grid))
        })?;
        let timings = Timings {
            convert: converted.duration_since(started).as_secs_f64(),
            read,
            score: converted.elapsed().as_secs_f64() - read,
        };
        Ok(Results::new(scored.results, scored.inputs.names, timings))
    }

    /// Reads input files (CSV, Excel or JSON, in any layout the command line reads) and
    /// scores them together: a unit's self-assessment and appraisal may come from different
    /// files. The GIL is released while reading and scoring.
    #[pyo3(signature = (paths, percents = "percent", plan = None, completions = None, survey = None, records_stage = None))]
    #[allow(clippy::too_many_arguments)]
    fn score_files(
        &self,
        py: Python<'_>,
        paths: Vec<PathBuf>,
        percents: &str,
        plan: Option<PathBuf>,
        completions: Option<NamedBytes>,
        survey: Option<NamedBytes>,
        records_stage: Option<String>,
    ) -> PyResult<Results> {
        let started = Instant::now();
        let options = read_options(percents)?;
        let records = record_sources(plan, completions, survey, records_stage);
        let scored = py.detach(|| {
            guard(|| {
                read_and_score(&self.plan, options, records, |round| {
                    for path in &paths {
                        round.read_path(path);
                    }
                })
            })
        })?;
        Ok(results_of(scored, started))
    }

    /// Scores input files given as `(name, bytes)`, read exactly as `score_files` reads the
    /// files of those names: the Python package reads the files itself, so that results can
    /// be pickled with the bytes they came from. The GIL is released while reading and
    /// scoring.
    #[pyo3(signature = (files, percents = "percent", plan = None, completions = None, survey = None, records_stage = None))]
    #[allow(clippy::too_many_arguments)]
    fn score_bytes(
        &self,
        py: Python<'_>,
        files: Vec<NamedBytes>,
        percents: &str,
        plan: Option<PathBuf>,
        completions: Option<NamedBytes>,
        survey: Option<NamedBytes>,
        records_stage: Option<String>,
    ) -> PyResult<Results> {
        let started = Instant::now();
        let options = read_options(percents)?;
        let records = record_sources(plan, completions, survey, records_stage);
        let set_plan = self.plan.clone();
        let scored = abandonable(py, "the scoring call", move || {
            read_and_score(&set_plan, options, records, |round| {
                for (name, bytes) in &files {
                    round.read_bytes(name, bytes);
                }
            })
        })?;
        Ok(results_of(scored, started))
    }

    /// Ranks units scored apart (in partitions, on several machines) exactly as the engine
    /// ranks units scored together: `ranking` is Arrow data with the columns of
    /// `Results.ranking()`, from every partition. Returns the ranks in its row order.
    fn rank(&self, ranking: &Bound<'_, PyAny>) -> PyResult<Vec<Option<u32>>> {
        let set = self.set();
        let keys = guard(|| crate::arrow::rank_keys_from_arrow(ranking, &set.policy.tie_breakers))?;
        Ok(parindex_core::rank_keys(set, &keys))
    }

    fn __repr__(&self) -> String {
        let info = &self.set().info;
        format!(
            "<CriteriaSet {} {:?} max {}>",
            info.id,
            info.title,
            info.max.normalize()
        )
    }
}

/// The shipped sets: one dict per set with id, year, level, title, status and path.
#[pyfunction]
pub(crate) fn sets(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    guard_py(|| {
        let items = shipped::list()
            .into_iter()
            .map(|s| {
                let dict = PyDict::new(py);
                dict.set_item("id", s.id)?;
                dict.set_item("year", s.year)?;
                dict.set_item("level", s.level)?;
                dict.set_item("title", s.title)?;
                dict.set_item("status", s.status.as_str())?;
                dict.set_item("path", format!("criteria/{}", s.path))?;
                Ok(dict)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    })
}

/// Loads a set by shipped id (`binh-thuan-police/commune/2024`) or from a TOML file.
///
/// A `str` is resolved as the command line resolves a SET (`shipped::resolve`): the path of a
/// file when it names an existing file or ends in `.toml`, else a shipped id. An
/// `os.PathLike` is always a path.
#[pyfunction]
pub(crate) fn load(source: &Bound<'_, PyAny>) -> PyResult<PySet> {
    if let Ok(text) = source.cast::<PyString>() {
        let text = text.to_str()?.to_owned();
        return guard(|| Ok(PySet::from_loaded(shipped::resolve(&text)?))).map_err(Into::into);
    }
    if !source.hasattr("__fspath__").unwrap_or(false) {
        return Err(Error::Type(format!(
            "load() takes a set id or a path, not a {}",
            type_name(source)
        ))
        .into());
    }
    let path: PathBuf = source
        .extract()
        .map_err(|_| Error::Type("the path must name a file with a text path".to_owned()))?;
    guard(|| Ok(PySet::from_loaded(CoreSet::from_path(&path)?))).map_err(Into::into)
}

/// Loads a set from TOML text; `path` names it in messages.
#[pyfunction]
#[pyo3(signature = (text, path = "<string>"))]
pub(crate) fn loads(text: &str, path: &str) -> PyResult<PySet> {
    guard(|| Ok(PySet::from_loaded(CoreSet::from_toml(text, path)?))).map_err(Into::into)
}

/// The sample batches shipped for demos (synthetic figures): set id → CSV text.
const SAMPLES: &[(&str, &str)] = &[
    (
        "binh-thuan-police/commune/2024",
        include_str!("../../../criteria/samples/binh-thuan-police-commune-2024.csv"),
    ),
    (
        "binh-thuan-police/division-procedures/2024",
        include_str!("../../../criteria/samples/binh-thuan-police-division-procedures-2024.csv"),
    ),
];

/// The set ids that have a sample batch.
#[pyfunction]
pub(crate) fn samples() -> Vec<&'static str> {
    SAMPLES.iter().map(|(id, _)| *id).collect()
}

/// The CSV text of the sample batch for a set (synthetic figures, for demos only).
#[pyfunction]
pub(crate) fn sample_csv(id: &str) -> PyResult<&'static str> {
    SAMPLES
        .iter()
        .find(|(sample, _)| *sample == id)
        .map(|(_, text)| *text)
        .ok_or_else(|| {
            let known: Vec<&str> = SAMPLES.iter().map(|(id, _)| *id).collect();
            Error::Key(format!(
                "no sample batch for {id:?} (samples: {})",
                known.join(", ")
            ))
            .into()
        })
}

/// The memory limit of every scoring call, in bytes: `parindex.options.memory_limit`.
static MEMORY_LIMIT: AtomicU64 = AtomicU64::new(parindex_io::MAX_SCORING_BYTES);

/// Sets the most memory, in bytes, the units and results of one scoring call may take.
#[pyfunction]
pub(crate) fn set_memory_limit(bytes: u64) {
    MEMORY_LIMIT.store(bytes, Ordering::Relaxed);
}

/// The most memory, in bytes, the units and results of one scoring call may take.
#[pyfunction]
pub(crate) fn memory_limit() -> u64 {
    MEMORY_LIMIT.load(Ordering::Relaxed)
}

/// The most units of every scoring call: `parindex.options.max_units`.
static MAX_UNITS: AtomicU64 = AtomicU64::new(parindex_io::MAX_UNITS as u64);

/// Sets the most units one scoring call reads.
#[pyfunction]
pub(crate) fn set_max_units(units: u64) {
    MAX_UNITS.store(units.max(1), Ordering::Relaxed);
}

/// The most units one scoring call reads.
#[pyfunction]
pub(crate) fn max_units() -> u64 {
    MAX_UNITS.load(Ordering::Relaxed)
}

/// A round of the call's options, reading and scoring on every core.
fn new_round(plan: &Plan, options: ReadOptions) -> Round {
    let mut round = Round::new(plan, options);
    round.set_memory_limit(memory_limit());
    round.set_max_units(usize::try_from(max_units()).unwrap_or(usize::MAX));
    round.set_threads(std::thread::available_parallelism().map_or(1, |n| n.get()));
    round
}

/// Reads the inputs with `read` and the year's records, then scores them; with the seconds
/// reading took.
fn read_and_score(
    plan: &Plan,
    options: ReadOptions,
    records: parindex_io::RecordSources,
    read: impl FnOnce(&mut Round),
) -> Result<(parindex_io::Scored, f64), Error> {
    let started = Instant::now();
    let mut round = new_round(plan, options);
    read(&mut round);
    let reading = started.elapsed().as_secs_f64();
    round.set_records(records);
    Ok((round.score()?, reading))
}

/// The results of a call that read files and scored them: reading's share of the time, then
/// scoring's.
fn results_of((scored, read): (parindex_io::Scored, f64), started: Instant) -> Results {
    let timings = Timings {
        convert: 0.0,
        read,
        score: started.elapsed().as_secs_f64() - read,
    };
    Results::new(scored.results, scored.inputs.names, timings)
}
