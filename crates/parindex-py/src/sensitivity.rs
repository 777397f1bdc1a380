//! `Results.sensitivity(...)`: the rank-uncertainty analysis of `parindex-analysis`, with its
//! tables as columns for pandas or polars.

use std::sync::atomic::AtomicBool;

use parindex_analysis::{
    Analysis, AnalysisError, Settings, SurveyModel, Uncertainty, analyse_cancellable,
};
use parindex_core::{Named, Results as CoreResults, UnknownName};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::error::{Error, guard_py};
use crate::frame::Frame;

/// The options of an analysis, as Python passes them.
pub(crate) struct Options {
    pub(crate) replications: usize,
    pub(crate) seed: u64,
    pub(crate) threads: Option<usize>,
    pub(crate) survey: Option<String>,
    pub(crate) appraisal: Option<f64>,
    pub(crate) not_applicable: Vec<String>,
    pub(crate) rounding: Vec<String>,
    pub(crate) ties: Vec<String>,
    pub(crate) weights: Option<f64>,
    pub(crate) top: u32,
    pub(crate) indices: bool,
    pub(crate) memory_limit: Option<u64>,
}

fn every<T: Named>(names: &[String]) -> Result<Vec<T>, Error> {
    names.iter().map(|n| choose(n)).collect()
}

fn choose<T: Named>(name: &str) -> Result<T, Error> {
    name.parse()
        .map_err(|e: UnknownName| Error::Value(e.to_string()))
}

impl Options {
    fn uncertainty(&self) -> Result<Uncertainty, Error> {
        let survey = match self.survey.as_deref() {
            None => None,
            Some(name) => Some(choose::<SurveyModel>(name)?),
        };
        Ok(Uncertainty {
            survey,
            appraisal: self.appraisal,
            not_applicable: every(&self.not_applicable)?,
            rounding: every(&self.rounding)?,
            ties: every(&self.ties)?,
            weights: self.weights,
        })
    }

    /// Runs the analysis; call with the GIL released. It stops soon after `cancel` is set,
    /// with [`Error::Interrupted`].
    pub(crate) fn run(
        &self,
        results: &CoreResults,
        cancel: &AtomicBool,
    ) -> Result<Sensitivity, Error> {
        let uncertainty = self.uncertainty()?;
        let defaults = Settings::default();
        let settings = Settings {
            replications: self.replications,
            seed: self.seed,
            threads: self.threads.unwrap_or(defaults.threads).max(1),
            top: self.top,
            sensitivity: self.indices,
            memory_limit: self.memory_limit.unwrap_or(defaults.memory_limit),
            ..defaults
        };
        let analysis = analyse_cancellable(results, &uncertainty, &settings, &|_| {}, cancel)
            .map_err(|e| match e {
                AnalysisError::Cancelled { done, runs } => Error::Interrupted(format!(
                    "the sensitivity analysis stopped after {done} of {runs} runs"
                )),
                AnalysisError::TooLarge { .. } => Error::Limit(e.to_string()),
                e => Error::Value(e.to_string()),
            })?;
        Ok(Sensitivity { analysis })
    }
}

/// A rank of an interval (a whole number, see `Interval::of_ranks`) as an integer.
#[allow(clippy::cast_possible_truncation)]
fn whole(rank: f64) -> i64 {
    rank.round() as i64
}

/// The uncertainty of a run's ranks: made by `Results.sensitivity`.
#[pyclass(frozen, module = "parindex._parindex", name = "Sensitivity")]
pub(crate) struct Sensitivity {
    analysis: Analysis,
}

#[pymethods]
impl Sensitivity {
    /// One row per unit: the point index, rank and band, the 5%, median and 95% of the index
    /// and of the rank over the replications, the probability of the top k and of each band
    /// (`p_band_<name>`), and with indices the first-order and total index of the rank per
    /// source (`s1_<source>`, `st_<source>`).
    fn intervals<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        guard_py(|| {
            let a = &self.analysis;
            let units = &a.units;
            let mut frame = Frame::new(py, false);
            frame.text("unit", units.iter().map(|u| Some(&u.unit)))?;
            frame.float("index", units.iter().map(|u| u.index))?;
            frame.float(
                "index_p5",
                units.iter().map(|u| u.index_interval.map(|i| i.low)),
            )?;
            frame.float(
                "index_median",
                units.iter().map(|u| u.index_interval.map(|i| i.median)),
            )?;
            frame.float(
                "index_p95",
                units.iter().map(|u| u.index_interval.map(|i| i.high)),
            )?;
            frame.int("rank", units.iter().map(|u| u.rank.map(i64::from)))?;
            frame.int(
                "rank_p5",
                units.iter().map(|u| u.rank_interval.map(|i| whole(i.low))),
            )?;
            frame.int(
                "rank_median",
                units
                    .iter()
                    .map(|u| u.rank_interval.map(|i| whole(i.median))),
            )?;
            frame.int(
                "rank_p95",
                units.iter().map(|u| u.rank_interval.map(|i| whole(i.high))),
            )?;
            frame.text("band", units.iter().map(|u| u.band.as_ref()))?;
            frame.float(
                &format!("p_top_{}", a.top),
                units.iter().map(|u| Some(u.top_probability)),
            )?;
            for (b, name) in a.bands.iter().enumerate() {
                let p = units.iter().map(|u| u.band_probabilities.get(b).copied());
                frame.float(&format!("p_band_{name}"), p)?;
            }
            for (s, source) in a.sources.iter().enumerate() {
                let first = units.iter().map(|u| u.sensitivity.get(s).map(|x| x.0));
                frame.float(&format!("s1_{}", source.name()), first)?;
                let total = units.iter().map(|u| u.sensitivity.get(s).map(|x| x.1));
                frame.float(&format!("st_{}", source.name()), total)?;
            }
            frame.finish()
        })
    }

    /// One row per source of uncertainty: its first-order and total sensitivity indices of the
    /// ranks over all units, with 95% bootstrap intervals. Empty without `indices=True`.
    fn indices<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        guard_py(|| {
            let rows = &self.analysis.sensitivity;
            let mut frame = Frame::new(py, false);
            frame.text("source", rows.iter().map(|s| Some(s.source.name())))?;
            frame.float("first_order", rows.iter().map(|s| Some(s.first_order)))?;
            frame.float(
                "first_order_low",
                rows.iter().map(|s| Some(s.first_order_interval.0)),
            )?;
            frame.float(
                "first_order_high",
                rows.iter().map(|s| Some(s.first_order_interval.1)),
            )?;
            frame.float("total", rows.iter().map(|s| Some(s.total)))?;
            frame.float("total_low", rows.iter().map(|s| Some(s.total_interval.0)))?;
            frame.float("total_high", rows.iter().map(|s| Some(s.total_interval.1)))?;
            frame.finish()
        })
    }

    /// What was run: replications, runs, seed, top k, sources, bands, the survey values
    /// redrawn and held fixed, and the convergence check.
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        guard_py(|| {
            let a = &self.analysis;
            let info = PyDict::new(py);
            info.set_item("replications", a.replications)?;
            info.set_item("runs", a.runs)?;
            info.set_item("seed", a.seed)?;
            info.set_item("top", a.top)?;
            info.set_item(
                "sources",
                a.sources.iter().map(|s| s.name()).collect::<Vec<_>>(),
            )?;
            info.set_item("bands", a.bands.clone())?;
            info.set_item("surveys_redrawn", a.surveys_redrawn)?;
            info.set_item("surveys_held", a.surveys_held)?;
            info.set_item("perturbable_leaves", a.perturbable_leaves)?;
            info.set_item("rank_interval_shift", a.convergence.rank_interval_shift)?;
            info.set_item("widest_index_interval", a.convergence.widest_index_interval)?;
            info.set_item("converged", a.convergence.converged)?;
            Ok(info)
        })
    }
}
