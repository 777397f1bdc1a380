//! Results of a scoring run, as columns for pandas or polars.

use std::collections::BTreeMap;
use std::path::PathBuf;

use parindex_core::records::{Derivation, GroupTally, TaskOutcome, TaskStatus};
use parindex_core::{RankKey, Results as CoreResults, Scorecard, compare as compare_years};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rust_decimal::Decimal;

use crate::convert::type_name;
use crate::error::{Error, guard, guard_py};
use crate::frame::Frame;

/// Seconds spent on each step of a scoring call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timings {
    /// Python cells → text, attached to Python.
    pub(crate) convert: f64,
    /// Text → batch, detached.
    pub(crate) read: f64,
    /// Batch → results, detached.
    pub(crate) score: f64,
}

/// The results of a scoring run: per unit its totals, index, rank, band and per-node detail.
///
/// Made by `CriteriaSet.score`; the Python package wraps it in `parindex.Results`.
#[pyclass(frozen, module = "parindex._parindex", name = "Results")]
pub(crate) struct Results {
    results: CoreResults,
    /// Units' names, by id, where the input gave them.
    names: BTreeMap<String, String>,
    timings: Timings,
}

impl Results {
    /// Every derived leaf of every unit: `(unit, code, derivation)`, in input and set order.
    fn derived(&self) -> impl Iterator<Item = (&str, &str, &Derivation)> {
        let set = self.results.set();
        self.results.units.iter().flat_map(move |u| {
            set.nodes.iter().enumerate().filter_map(move |(i, n)| {
                u.derivation_at(i)
                    .map(|d| (u.unit.as_str(), n.code.as_str(), d))
            })
        })
    }

    /// Wraps a core result.
    pub(crate) fn new(
        results: CoreResults,
        names: BTreeMap<String, String>,
        timings: Timings,
    ) -> Self {
        Results {
            results,
            names,
            timings,
        }
    }

    fn fill_summary(&self, frame: &mut Frame<'_>) -> PyResult<()> {
        let units = &self.results.units;
        frame.text("unit", units.iter().map(|u| Some(&u.unit)))?;
        frame.text("name", units.iter().map(|u| self.names.get(&u.unit)))?;
        frame.text("group", units.iter().map(|u| u.group.as_ref()))?;
        frame.decimal("total", units.iter().map(|u| Some(u.total)))?;
        frame.decimal("max", units.iter().map(|u| Some(u.max)))?;
        frame.decimal("index", units.iter().map(|u| u.reported_index))?;
        frame.decimal("index_exact", units.iter().map(|u| u.index))?;
        frame.int("rank", units.iter().map(|u| u.rank.map(i64::from)))?;
        frame.text("band", units.iter().map(|u| u.band.as_ref()))?;
        Ok(())
    }

    fn fill_areas(&self, frame: &mut Frame<'_>) -> PyResult<()> {
        let set = self.results.set();
        let areas: Vec<(usize, &parindex_core::Node)> = set.areas_with_positions().collect();
        let rows = || {
            self.results.units.iter().flat_map(|u| {
                areas
                    .iter()
                    .filter_map(move |(i, n)| u.node_at(*i).map(|s| (u, s, *n)))
            })
        };
        frame.text("unit", rows().map(|(u, _, _)| Some(&u.unit)))?;
        frame.text("code", rows().map(|(_, _, n)| Some(&n.code)))?;
        frame.text("name", rows().map(|(_, _, n)| Some(&n.name)))?;
        frame.decimal("points", rows().map(|(_, s, _)| Some(s.points)))?;
        frame.decimal("max", rows().map(|(_, s, _)| Some(s.max)))?;
        frame.decimal("lost", rows().map(|(_, s, _)| Some(s.lost())))?;
        frame.decimal("index", rows().map(|(u, _, n)| u.node_index(&n.code)))?;
        frame.text("status", rows().map(|(_, s, _)| Some(s.status.as_str())))?;
        Ok(())
    }

    fn fill_detail(&self, frame: &mut Frame<'_>) -> PyResult<()> {
        let set = self.results.set();
        let stages = &set.policy.stages;
        let rows = || {
            self.results
                .units
                .iter()
                .flat_map(|u| set.nodes.iter().zip(u.nodes()).map(move |(n, s)| (u, n, s)))
        };
        let traced = || {
            self.results.units.iter().flat_map(|u| {
                (0..set.nodes.len()).map(move |i| u.trace(i).map(|(v, _)| v.to_string()))
            })
        };
        frame.text("unit", rows().map(|(u, _, _)| Some(&u.unit)))?;
        frame.text("code", rows().map(|(_, n, _)| Some(&n.code)))?;
        frame.bool("leaf", rows().map(|(_, n, _)| n.rule.is_some()))?;
        frame.decimal("points", rows().map(|(_, _, s)| Some(s.points)))?;
        frame.decimal("max", rows().map(|(_, _, s)| Some(s.max)))?;
        frame.decimal("lost", rows().map(|(_, _, s)| Some(s.lost())))?;
        frame.text("status", rows().map(|(_, _, s)| Some(s.status.as_str())))?;
        frame.text(
            "stage",
            rows().map(|(_, _, s)| s.stage.and_then(|i| stages.get(usize::from(i)))),
        )?;
        frame.text("value", traced())?;
        Ok(())
    }

    fn fill_stages(&self, frame: &mut Frame<'_>) -> PyResult<()> {
        let set = self.results.set();
        let rows = || {
            self.results
                .units
                .iter()
                .flat_map(|u| set.nodes.iter().enumerate().map(move |(i, n)| (u, i, n)))
        };
        frame.text("unit", rows().map(|(u, _, _)| Some(&u.unit)))?;
        frame.text("code", rows().map(|(_, _, n)| Some(&n.code)))?;
        for stage in &set.policy.stages {
            frame.decimal(
                stage,
                rows().map(|(u, i, _)| {
                    u.stages()
                        .find(|s| s.stage == stage)
                        .and_then(|s| s.points(i))
                }),
            )?;
        }
        frame.decimal(
            "change",
            rows().map(|(u, i, _)| {
                let first = u.stage(0)?.points(i)?;
                let last = u.stage(u.stage_count() - 1)?.points(i)?;
                last.checked_sub(first)
            }),
        )?;
        Ok(())
    }

    fn fill_ranking(&self, frame: &mut Frame<'_>) -> PyResult<()> {
        let set = self.results.set();
        let keys: Vec<RankKey> = self
            .results
            .units
            .iter()
            .map(|u| RankKey::of(set, u))
            .collect();
        let part = |k: &RankKey, j: usize| k.key.get(j).copied().filter(|d| *d != Decimal::MIN);
        frame.text("unit", keys.iter().map(|k| Some(&k.unit)))?;
        frame.text("group", keys.iter().map(|k| k.group.as_ref()))?;
        frame.bool("ranked", keys.iter().map(|k| k.ranked))?;
        frame.decimal("rank_on", keys.iter().map(|k| part(k, 0)))?;
        for (j, code) in set.policy.tie_breakers.iter().enumerate() {
            frame.decimal(&format!("tie_{code}"), keys.iter().map(|k| part(k, j + 1)))?;
        }
        Ok(())
    }

    /// The core results.
    pub(crate) fn core(&self) -> &CoreResults {
        &self.results
    }

    fn card(&self, unit: &str) -> Result<&Scorecard, Error> {
        self.results
            .unit(unit)
            .ok_or_else(|| Error::Key(format!("no unit {unit:?} in these results")))
    }
}

#[pymethods]
impl Results {
    /// How many units were scored.
    fn __len__(&self) -> usize {
        self.results.units.len()
    }

    /// The unit ids, in input order.
    #[getter]
    fn units(&self) -> Vec<String> {
        self.results.units.iter().map(|u| u.unit.clone()).collect()
    }

    /// The set's id, content hash, year and level, and the engine's version.
    #[getter]
    fn provenance<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let p = &self.results.provenance;
        let dict = PyDict::new(py);
        dict.set_item("set_id", &p.set_id)?;
        dict.set_item("content_hash", &p.content_hash)?;
        dict.set_item("year", p.year)?;
        dict.set_item("level", &p.level)?;
        dict.set_item("engine_version", &p.engine_version)?;
        Ok(dict)
    }

    /// The stages of the set, in order.
    #[getter]
    fn stage_names(&self) -> Vec<String> {
        self.results.set().policy.stages.clone()
    }

    /// Warnings met while scoring (missing inputs): `(unit, code, message)` tuples.
    fn warnings(&self) -> Vec<(String, String, String)> {
        self.results
            .warnings
            .iter()
            .map(|w| (w.unit.clone(), w.code.clone(), w.message.clone()))
            .collect()
    }

    /// Units' names, by id, where the input gave them.
    #[getter]
    fn names(&self) -> BTreeMap<String, String> {
        self.names.clone()
    }

    /// The results document `parindex-results/1`, as the command line writes it; with
    /// `explain=False` nodes carry no `seen` and no `reason`.
    #[pyo3(signature = (explain = true))]
    fn to_json(&self, py: Python<'_>, explain: bool) -> PyResult<String> {
        let (results, names) = (&self.results, &self.names);
        let bytes = py.detach(|| {
            guard(|| {
                let mut bytes = Vec::new();
                parindex_io::write_results_json(results, names, explain, &mut bytes)
                    .map_err(|e| Error::Internal(e.to_string()))?;
                Ok(bytes)
            })
        })?;
        String::from_utf8(bytes).map_err(|e| Error::Internal(e.to_string()).into())
    }

    /// Writes the results document to `path`, atomically.
    #[pyo3(signature = (path, explain = true))]
    fn write_json(&self, py: Python<'_>, path: PathBuf, explain: bool) -> PyResult<()> {
        let (results, names) = (&self.results, &self.names);
        py.detach(|| {
            guard(|| {
                parindex_io::write_atomic_with(&path, |file| {
                    parindex_io::write_results_json(results, names, explain, file)
                })?;
                Ok(())
            })
        })
        .map_err(Into::into)
    }

    /// Writes the Excel workbook the command line writes to `path`, atomically.
    fn write_excel(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let (results, names) = (&self.results, &self.names);
        py.detach(|| {
            guard(|| {
                parindex_io::write_atomic_with(&path, |file| {
                    parindex_io::write_results_xlsx(results, names, file)
                        .map_err(std::io::Error::other)
                })?;
                Ok(())
            })
        })
        .map_err(Into::into)
    }

    /// Writes the HTML report the command line writes to `path`, atomically; `previous`
    /// (last year's results) adds the change since then, with `crosswalk` mapping its area
    /// codes to this year's.
    #[pyo3(signature = (path, previous = None, crosswalk = None))]
    fn write_html(
        &self,
        py: Python<'_>,
        path: PathBuf,
        previous: Option<&Bound<'_, PyAny>>,
        crosswalk: Option<BTreeMap<String, String>>,
    ) -> PyResult<()> {
        let previous = match previous {
            None => None,
            Some(value) => Some(
                value
                    .cast::<Results>()
                    .map_err(|_| {
                        Error::Type(format!(
                            "previous must be Results, not a {}",
                            type_name(value)
                        ))
                    })?
                    .get()
                    .results
                    .year_view(),
            ),
        };
        let (results, names) = (&self.results, &self.names);
        py.detach(|| {
            guard(|| {
                let options = parindex_io::ReportOptions {
                    names: names.clone(),
                    previous: previous.as_ref(),
                    crosswalk: crosswalk.unwrap_or_default(),
                    rank_intervals: None,
                };
                let page = parindex_io::report_html(results, &options);
                parindex_io::write_atomic(&path, page.as_bytes())?;
                Ok(())
            })
        })
        .map_err(Into::into)
    }

    /// Seconds spent converting the Python cells, reading them and scoring.
    fn timings(&self) -> (f64, f64, f64) {
        (self.timings.convert, self.timings.read, self.timings.score)
    }

    /// What ranking needs of each unit, to rank units scored apart exactly as if scored
    /// together (`CriteriaSet.rank`): unit, group, whether ranked, the ranking index
    /// (`rank_on`) and the index of each tie-breaker node (`tie_<code>`).
    #[pyo3(signature = (exact = true))]
    fn ranking<'py>(&self, py: Python<'py>, exact: bool) -> PyResult<Bound<'py, PyList>> {
        guard_py(|| {
            let mut frame = Frame::new(py, exact);
            self.fill_ranking(&mut frame)?;
            frame.finish()
        })
    }

    /// A table (`summary`, `areas`, `detail`, `stages` or `ranking`) as an Arrow table that exports
    /// `__arrow_c_stream__`: built from the results directly, never through Python objects,
    /// with exact decimals as `decimal128` columns.
    #[pyo3(signature = (table = "summary"))]
    fn arrow<'py>(&self, py: Python<'py>, table: &str) -> PyResult<Bound<'py, PyAny>> {
        let set = self.results.set();
        let biggest = set.info.max.abs().max(set.policy.scale.abs());
        let digits = u32::try_from(biggest.trunc().to_string().len()).unwrap_or(1) + 1;
        let mut frame = Frame::arrow(py, digits);
        match table {
            "summary" => self.fill_summary(&mut frame)?,
            "areas" => self.fill_areas(&mut frame)?,
            "detail" => self.fill_detail(&mut frame)?,
            "stages" => self.fill_stages(&mut frame)?,
            "ranking" => self.fill_ranking(&mut frame)?,
            other => {
                return Err(Error::Value(format!(
                    "table must be 'summary', 'areas', 'detail', 'stages' or 'ranking', not \
                     {other:?}"
                ))
                .into());
            }
        }
        frame.finish_arrow()
    }

    /// One row per unit, in input order: totals, reported and exact index, rank and band.
    #[pyo3(signature = (exact = true))]
    fn summary<'py>(&self, py: Python<'py>, exact: bool) -> PyResult<Bound<'py, PyList>> {
        guard_py(|| {
            let mut frame = Frame::new(py, exact);
            self.fill_summary(&mut frame)?;
            frame.finish()
        })
    }

    /// One row per unit and area: points, applicable maximum, points lost and exact sub-index.
    #[pyo3(signature = (exact = true))]
    fn areas<'py>(&self, py: Python<'py>, exact: bool) -> PyResult<Bound<'py, PyList>> {
        guard_py(|| {
            let mut frame = Frame::new(py, exact);
            self.fill_areas(&mut frame)?;
            frame.finish()
        })
    }

    /// One row per unit and reform area of the set: points, applicable maximum, points lost,
    /// the reported and the exact sub-index.
    #[pyo3(signature = (exact = true))]
    fn reform_areas<'py>(&self, py: Python<'py>, exact: bool) -> PyResult<Bound<'py, PyList>> {
        guard_py(|| crate::reform::unit_frame(py, &self.results, exact))
    }

    /// One row per unit and node: points, applicable maximum, points lost, status, the stage
    /// used and the measurement seen.
    #[pyo3(signature = (exact = true))]
    fn detail<'py>(&self, py: Python<'py>, exact: bool) -> PyResult<Bound<'py, PyList>> {
        guard_py(|| {
            let mut frame = Frame::new(py, exact);
            self.fill_detail(&mut frame)?;
            frame.finish()
        })
    }

    /// The uncertainty of the ranks: replicates the run under the given sources of
    /// uncertainty (see `parindex.Results.sensitivity`). The GIL is released meanwhile, and
    /// Ctrl-C stops it within a fraction of a second.
    #[pyo3(signature = (replications = 1000, seed = 2024, threads = None, survey = Some("resample".to_owned()), appraisal = None, not_applicable = Vec::new(), rounding = Vec::new(), ties = Vec::new(), weights = None, top = 10, indices = false, memory_limit = None))]
    #[allow(clippy::too_many_arguments)]
    fn sensitivity(
        &self,
        py: Python<'_>,
        replications: i128,
        seed: i128,
        threads: Option<i128>,
        survey: Option<String>,
        appraisal: Option<f64>,
        not_applicable: Vec<String>,
        rounding: Vec<String>,
        ties: Vec<String>,
        weights: Option<f64>,
        top: i128,
        indices: bool,
        memory_limit: Option<u64>,
    ) -> PyResult<crate::sensitivity::Sensitivity> {
        // Counts arrive as Python ints of any size: out of range is a ValueError, not an
        // OverflowError from the conversion.
        fn count<T: TryFrom<i128>>(name: &str, value: i128) -> Result<T, Error> {
            T::try_from(value)
                .map_err(|_| Error::Value(format!("{name} must be 0 or more, and not {value}")))
        }
        let options = crate::sensitivity::Options {
            replications: count("replications", replications)?,
            seed: count("seed", seed)?,
            threads: threads.map(|t| count("threads", t)).transpose()?,
            survey,
            appraisal,
            not_applicable,
            rounding,
            ties,
            weights,
            top: count("top", top)?,
            indices,
            memory_limit,
        };
        let results = &self.results;
        crate::interrupt::interruptible(py, |cancel| options.run(results, cancel))
    }

    /// One row per unit, derived leaf and plan task: the task's due day, the day done, the
    /// outcome (`on-time`, `late`, `not-done`), the days late and the product recorded.
    fn tasks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        guard_py(|| {
            let rows: Vec<(&str, &str, &TaskStatus)> = self
                .derived()
                .filter_map(|(unit, code, d)| match d {
                    Derivation::Plan(tally) => Some((unit, code, tally)),
                    Derivation::Survey(_) => None,
                })
                .flat_map(|(unit, code, tally)| tally.tasks.iter().map(move |t| (unit, code, t)))
                .collect();
            let mut frame = Frame::new(py, true);
            frame.text("unit", rows.iter().map(|(u, _, _)| Some(*u)))?;
            frame.text("code", rows.iter().map(|(_, c, _)| Some(*c)))?;
            frame.text("task", rows.iter().map(|(_, _, t)| Some(&t.task)))?;
            let date = |d: Option<parindex_core::Date>| d.map(|d| d.to_string());
            frame.text("due", rows.iter().map(|(_, _, t)| date(t.due)))?;
            frame.text("done", rows.iter().map(|(_, _, t)| date(t.done)))?;
            frame.text(
                "outcome",
                rows.iter().map(|(_, _, t)| Some(t.outcome.as_str())),
            )?;
            frame.int(
                "days_late",
                rows.iter().map(|(_, _, t)| match t.outcome {
                    TaskOutcome::Late { days } => Some(days),
                    _ => None,
                }),
            )?;
            frame.text("product", rows.iter().map(|(_, _, t)| t.product.as_ref()))?;
            frame.finish()
        })
    }

    /// One row per unit, survey leaf and respondent group: respondents, respondents
    /// satisfied, the share satisfied and the option-weighted score (percent, exact), and the
    /// 95% Wilson interval of the share (fractions, floats).
    #[pyo3(signature = (exact = true))]
    fn surveys<'py>(&self, py: Python<'py>, exact: bool) -> PyResult<Bound<'py, PyList>> {
        guard_py(|| {
            let rows: Vec<(&str, &str, &GroupTally)> = self
                .derived()
                .filter_map(|(unit, code, d)| match d {
                    Derivation::Survey(tally) => Some((unit, code, tally)),
                    Derivation::Plan(_) => None,
                })
                .flat_map(|(unit, code, tally)| tally.groups.iter().map(move |g| (unit, code, g)))
                .collect();
            let mut frame = Frame::new(py, exact);
            frame.text("unit", rows.iter().map(|(u, _, _)| Some(*u)))?;
            frame.text("code", rows.iter().map(|(_, c, _)| Some(*c)))?;
            frame.text("group", rows.iter().map(|(_, _, g)| g.group.as_ref()))?;
            frame.int(
                "respondents",
                rows.iter().map(|(_, _, g)| Some(i64::from(g.respondents))),
            )?;
            frame.int(
                "satisfied",
                rows.iter().map(|(_, _, g)| g.satisfied.map(i64::from)),
            )?;
            frame.decimal("share", rows.iter().map(|(_, _, g)| g.share()))?;
            frame.decimal("weighted", rows.iter().map(|(_, _, g)| g.weighted))?;
            frame.float(
                "ci_low",
                rows.iter().map(|(_, _, g)| g.interval.map(|i| i.0)),
            )?;
            frame.float(
                "ci_high",
                rows.iter().map(|(_, _, g)| g.interval.map(|i| i.1)),
            )?;
            frame.finish()
        })
    }

    /// One row per unit and node: the points at every stage present (a column per stage,
    /// empty where the unit has no input at that stage) and the change from the first stage
    /// present to the last.
    #[pyo3(signature = (exact = true))]
    fn stages<'py>(&self, py: Python<'py>, exact: bool) -> PyResult<Bound<'py, PyList>> {
        guard_py(|| {
            let mut frame = Frame::new(py, exact);
            self.fill_stages(&mut frame)?;
            frame.finish()
        })
    }

    /// A unit's explanation: a header (unit, total, max, index, rank, band) and one row per
    /// node, with what was seen, the points won and lost, and why.
    #[pyo3(signature = (unit, exact = true))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        unit: &Bound<'py, PyAny>,
        exact: bool,
    ) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyList>)> {
        let unit: String = unit.extract().map_err(|_| {
            Error::Type(format!(
                "explain() takes a unit id (str), not a {}",
                type_name(unit)
            ))
        })?;
        let card = self.card(&unit)?;
        guard_py(|| {
            let explanation = card.explain();
            let header = PyDict::new(py);
            let mut head = Frame::new(py, exact);
            head.decimal("total", [Some(explanation.total)])?;
            head.decimal("max", [Some(explanation.max)])?;
            head.decimal("index", [explanation.index])?;
            header.set_item("unit", &explanation.unit)?;
            for item in head.finish()?.iter() {
                let (name, _, values): (String, String, Bound<'py, PyList>) = item.extract()?;
                header.set_item(name, values.get_item(0)?)?;
            }
            header.set_item("rank", explanation.rank)?;
            header.set_item("band", explanation.band.as_deref())?;
            let lines = &explanation.lines;
            let mut frame = Frame::new(py, exact);
            frame.text("code", lines.iter().map(|l| Some(&l.code)))?;
            frame.text("name", lines.iter().map(|l| Some(&l.name)))?;
            frame.int("depth", lines.iter().map(|l| i64::try_from(l.depth).ok()))?;
            frame.bool("leaf", lines.iter().map(|l| l.leaf))?;
            frame.decimal("max", lines.iter().map(|l| Some(l.max)))?;
            frame.decimal(
                "applicable_max",
                lines.iter().map(|l| Some(l.applicable_max)),
            )?;
            frame.decimal("points", lines.iter().map(|l| Some(l.points)))?;
            frame.decimal("lost", lines.iter().map(|l| Some(l.lost)))?;
            frame.text("status", lines.iter().map(|l| Some(l.status.as_str())))?;
            frame.text("stage", lines.iter().map(|l| l.stage.as_ref()))?;
            frame.text("seen", lines.iter().map(|l| l.seen.as_ref()))?;
            frame.text("reason", lines.iter().map(|l| Some(&l.reason)))?;
            Ok((header, frame.finish()?))
        })
    }

    /// A unit's explanation as an indented text tree.
    fn explain_text(&self, unit: &Bound<'_, PyAny>) -> PyResult<String> {
        let unit: String = unit.extract().map_err(|_| {
            Error::Type(format!(
                "explain_text() takes a unit id (str), not a {}",
                type_name(unit)
            ))
        })?;
        let card = self.card(&unit)?;
        guard_py(|| Ok(card.explain().to_string()))
    }

    fn __repr__(&self) -> String {
        format!(
            "<Results {} units of {}>",
            self.results.units.len(),
            self.results.provenance.set_id
        )
    }
}

/// Compares two runs' results unit by unit: index and rank before and after, and with
/// `areas=True` one row per unit and area of the newer set with its sub-index before and
/// after. Changes are those of the exact indices, unrounded. `crosswalk` maps older area codes to newer ones where the numbering changed.
#[pyfunction]
#[pyo3(signature = (before, after, crosswalk = None, areas = false, exact = true))]
pub(crate) fn compare<'py>(
    py: Python<'py>,
    before: &Bound<'py, PyAny>,
    after: &Bound<'py, PyAny>,
    crosswalk: Option<BTreeMap<String, String>>,
    areas: bool,
    exact: bool,
) -> PyResult<Bound<'py, PyList>> {
    let cast = |value: &Bound<'py, PyAny>| {
        value.cast::<Results>().cloned().map_err(|_| {
            PyErr::from(Error::Type(format!(
                "compare() takes two Results, not a {}",
                type_name(value)
            )))
        })
    };
    let (before, after) = (cast(before)?, cast(after)?);
    let (before, after) = (before.get(), after.get());
    guard_py(|| {
        let scale = after.results.set().policy.scale;
        let changes = compare_years(
            &before.results.year_view(),
            &after.results.year_view(),
            &crosswalk.unwrap_or_default(),
            scale,
        );
        let mut frame = Frame::new(py, exact);
        if areas {
            let rows = || {
                changes
                    .iter()
                    .flat_map(|c| c.areas.iter().map(move |a| (c, a)))
            };
            frame.text("unit", rows().map(|(c, _)| Some(&c.unit)))?;
            frame.text("code", rows().map(|(_, a)| Some(&a.code)))?;
            frame.text("name", rows().map(|(_, a)| Some(&a.name)))?;
            frame.decimal("before", rows().map(|(_, a)| a.before_exact))?;
            frame.decimal("after", rows().map(|(_, a)| a.after_exact))?;
            frame.decimal("change", rows().map(|(_, a)| a.change_exact))?;
        } else {
            frame.text("unit", changes.iter().map(|c| Some(&c.unit)))?;
            frame.decimal("index_before", changes.iter().map(|c| c.index_before))?;
            frame.decimal("index_after", changes.iter().map(|c| c.index_after))?;
            frame.decimal("index_change", changes.iter().map(|c| c.index_change_exact))?;
            frame.int(
                "rank_before",
                changes.iter().map(|c| c.rank_before.map(i64::from)),
            )?;
            frame.int(
                "rank_after",
                changes.iter().map(|c| c.rank_after.map(i64::from)),
            )?;
            frame.int("rank_change", changes.iter().map(|c| c.rank_change))?;
        }
        frame.finish()
    })
}
