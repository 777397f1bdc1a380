//! # parindex-analysis
//!
//! How sure is a rank? A commune published at 85.07, just behind a neighbour at 85.10, wants
//! to know whether the difference means anything. This crate replicates a scoring run many
//! times under the uncertainty of its inputs and choices, and reports for every unit the
//! median and 5–95% interval of its index and rank, the probability of each band and of the
//! top k, and which source of uncertainty moves the ranks most.
//!
//! Sources of uncertainty, each switched on in [`Uncertainty`]:
//!
//! - **survey sampling**: survey shares with known respondent counts (raw answers, or typed as
//!   `17/20` or `A=10 B=5`) are redrawn, by resampling the respondents or from the Beta
//!   (Dirichlet) posterior of the shares;
//! - **appraisal**: a self-assessed leaf whose rule has ordered outcomes (yes/no, levels,
//!   timeliness, tiers) moves one outcome down or up, each with half the stated probability;
//! - **methodological alternatives**: the not-applicable policy, the rounding mode and the tie
//!   policy are drawn among the alternatives given;
//! - **maxima**: every area's maximum (its weight) is multiplied by a factor drawn uniformly
//!   within the stated bounds.
//!
//! A replication recomputes only what it changes: uncertainty never changes which nodes apply,
//! so every area's points are a fixed linear function of its leaves', and a replication adds
//! the perturbed leaves' changes to them instead of scoring every unit again. Replications
//! run in parallel; every replication and source draws from its own random stream, derived
//! from the seed, so that the same seed gives the same numbers on any number of threads.
//!
//! With [`Settings::sensitivity`], the replications follow Saltelli's design (matrices A and B
//! and, for every source, A with that source's column from B), and the first-order and total
//! variance-based indices of the ranks are estimated per source with Jansen's estimators, with
//! bootstrap confidence intervals.
//!
//! ```
//! use parindex_analysis::{Settings, Uncertainty, analyse};
//! use parindex_core::{shipped, Batch, Plan};
//! let plan = Plan::new(&shipped::load("binh-thuan-police/commune/2024")?.set);
//! let mut batch = Batch::new(&plan);
//! for (unit, share) in [("CAP-A", "17/20"), ("CAP-B", "18/20")] {
//!     let u = batch.add_unit(unit, [])?;
//!     batch.set_text(u, "3.2.2", None, share)?;
//! }
//! let results = plan.score(&batch)?;
//! let uncertainty = Uncertainty { appraisal: Some(0.1), ..Uncertainty::survey_only() };
//! let settings = Settings { replications: 200, ..Settings::default() };
//! let analysis = analyse(&results, &uncertainty, &settings, &|_| {})?;
//! let a = &analysis.units[0];
//! assert!(a.rank_interval.is_some_and(|r| r.low >= 1.0 && r.high <= 2.0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod model;
mod replicate;
mod rng;
mod stats;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use std::fmt;
use std::str::FromStr;

use parindex_core::{Named, NotApplicable, Results, Rounding, Ties, UnknownName};

use crate::model::Model;
use crate::replicate::{Outcome, Scratch, Seeds, replicate};
pub use crate::stats::{Interval, quantile};

/// How survey shares are redrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyModel {
    /// The respondents are drawn again, with replacement, from those observed: the count
    /// satisfied is binomial at the observed share.
    Resample,
    /// The share is drawn from its Beta posterior under a flat prior (Dirichlet for answer
    /// options).
    Posterior,
}

impl SurveyModel {
    /// Every model, in declaration order.
    pub const ALL: &'static [Self] = &[SurveyModel::Resample, SurveyModel::Posterior];

    /// Its name: `resample` or `posterior`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SurveyModel::Resample => "resample",
            SurveyModel::Posterior => "posterior",
        }
    }
}

impl Named for SurveyModel {
    const WHAT: &'static str = "survey model";
    const ALL: &'static [Self] = SurveyModel::ALL;

    fn as_str(self) -> &'static str {
        SurveyModel::as_str(self)
    }
}

impl FromStr for SurveyModel {
    type Err = UnknownName;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        SurveyModel::ALL
            .iter()
            .copied()
            .find(|m| m.as_str() == name)
            .ok_or_else(|| UnknownName::new::<Self>(name))
    }
}

impl fmt::Display for SurveyModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The sources of uncertainty, each off (`None`, empty) unless given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Uncertainty {
    /// Survey sampling.
    pub survey: Option<SurveyModel>,
    /// The probability that an appraised leaf moves one outcome (half down, half up).
    pub appraisal: Option<f64>,
    /// Not-applicable policies drawn with the set's own.
    pub not_applicable: Vec<NotApplicable>,
    /// Rounding modes drawn with the set's own.
    pub rounding: Vec<Rounding>,
    /// Tie policies drawn with the set's own.
    pub ties: Vec<Ties>,
    /// Area weights: each area's maximum is multiplied by a factor in `[1 − b, 1 + b]`.
    pub weights: Option<f64>,
}

impl Uncertainty {
    /// Survey sampling by resampling the respondents, and nothing else.
    pub fn survey_only() -> Self {
        Uncertainty {
            survey: Some(SurveyModel::Resample),
            ..Uncertainty::default()
        }
    }

    /// The sources switched on, in [`SourceKind`] order.
    pub fn sources(&self) -> Vec<SourceKind> {
        let mut on = Vec::new();
        if self.survey.is_some() {
            on.push(SourceKind::Survey);
        }
        if self.appraisal.is_some_and(|p| p > 0.0) {
            on.push(SourceKind::Appraisal);
        }
        if !(self.not_applicable.is_empty() && self.rounding.is_empty() && self.ties.is_empty()) {
            on.push(SourceKind::Methods);
        }
        if self.weights.is_some_and(|b| b > 0.0) {
            on.push(SourceKind::Weights);
        }
        on
    }
}

/// A source of uncertainty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// Survey sampling.
    Survey = 0,
    /// Appraisal by a level.
    Appraisal = 1,
    /// Methodological alternatives.
    Methods = 2,
    /// Area weights.
    Weights = 3,
}

impl SourceKind {
    /// Its name in reports: `survey`, `appraisal`, `methods`, `weights`.
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Survey => "survey",
            SourceKind::Appraisal => "appraisal",
            SourceKind::Methods => "methods",
            SourceKind::Weights => "weights",
        }
    }
}

/// How many replications, from which seed, on how many threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Replications (the base sample N of the sensitivity design).
    pub replications: usize,
    /// The seed: the same seed gives the same numbers.
    pub seed: u64,
    /// Threads; the results do not depend on it.
    pub threads: usize,
    /// The k of "the probability of being in the top k".
    pub top: u32,
    /// Whether to estimate variance-based sensitivity indices: (sources + 2) × N runs.
    pub sensitivity: bool,
    /// Bootstrap resamples for the indices' confidence intervals.
    pub bootstrap: usize,
    /// The most memory, in bytes, the replications may take; an analysis that would need more
    /// is refused before anything is allocated (see [`memory_estimate`]).
    pub memory_limit: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            replications: 1000,
            seed: 2024,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            top: 10,
            sensitivity: false,
            bootstrap: 200,
            memory_limit: DEFAULT_MEMORY_LIMIT,
        }
    }
}

/// The default [`Settings::memory_limit`]: 4 GiB.
pub const DEFAULT_MEMORY_LIMIT: u64 = 4 << 30;

/// The runs an analysis makes: N, or (sources + 2) × N with sensitivity indices; `None` when
/// the count overflows.
pub fn runs(replications: usize, sources: usize, sensitivity: bool) -> Option<usize> {
    if sensitivity && sources > 0 {
        replications.checked_mul(sources.checked_add(2)?)
    } else {
        Some(replications)
    }
}

/// About how many bytes the replications of `units` units take: every run keeps each unit's
/// index, rank and band (14 bytes) and its seeds, and the summaries and the sensitivity design
/// add a few arrays of N. `None` when the figure overflows.
///
/// ```
/// use parindex_analysis::memory_estimate;
/// let bytes = memory_estimate(30, 1000, 4, true).ok_or("overflow")?;
/// assert!(bytes > 6 * 1000 * 30 * 14 && bytes < 10_000_000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn memory_estimate(
    units: usize,
    replications: usize,
    sources: usize,
    sensitivity: bool,
) -> Option<u64> {
    let runs = u64::try_from(runs(replications, sources, sensitivity)?).ok()?;
    let units = u64::try_from(units).ok()?;
    let n = u64::try_from(replications).ok()?;
    let k = u64::try_from(sources).ok()?;
    // Per run: index (8), rank (4) and band (2) per unit, three vector headers and two seed rows.
    let per_run = units.checked_mul(14)?.checked_add(3 * 24 + 2 * 32)?;
    // Per replication: each unit's sample while it is summarised, and the per-source sums.
    let per_replication = (2 * k + 3).checked_mul(8)?.checked_add(16)?;
    runs.checked_mul(per_run)?
        .checked_add(n.checked_mul(per_replication)?)
}

/// A number of bytes for people: `7.3 GiB`, `512 MiB`.
fn bytes_text(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    #[allow(clippy::cast_precision_loss)]
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Why an analysis could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    /// The results have no units.
    #[error("the results have no units to analyse")]
    NoUnits,
    /// A setting is out of range.
    #[error("{0}")]
    Setting(String),
    /// Scoring the inputs again under another policy failed.
    #[error("scoring again under another policy: {0}")]
    Rescore(String),
    /// The replications would take more memory than [`Settings::memory_limit`] allows.
    #[error(
        "{runs} runs of {units} units would take about {needed} of memory, more than the limit of \
         {limit}: ask for at most {most} replications, or raise the limit"
    )]
    TooLarge {
        /// Runs asked for ("more than" when the count overflows).
        runs: String,
        /// Units analysed.
        units: usize,
        /// The estimate, for people.
        needed: String,
        /// The limit, for people.
        limit: String,
        /// The most replications within the limit.
        most: usize,
    },
    /// The run was cancelled through the flag given to [`analyse_cancellable`].
    #[error("cancelled after {done} of {runs} runs")]
    Cancelled {
        /// Runs finished.
        done: usize,
        /// Runs asked for.
        runs: usize,
    },
}

/// One unit's uncertainty.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitUncertainty {
    /// The unit's id.
    pub unit: String,
    /// The point result: reported index, rank and band.
    pub index: Option<f64>,
    /// The point rank.
    pub rank: Option<u32>,
    /// The point band.
    pub band: Option<String>,
    /// The reported index over the replications: 5%, median, 95%.
    pub index_interval: Option<Interval>,
    /// The rank over the replications in which the unit is ranked.
    pub rank_interval: Option<Interval>,
    /// The probability of each band of the set, in the set's order.
    pub band_probabilities: Vec<f64>,
    /// The probability of a rank of at most [`Settings::top`].
    pub top_probability: f64,
    /// Per source switched on, in [`Analysis::sources`] order: first-order and total
    /// sensitivity indices of the unit's rank (empty without [`Settings::sensitivity`], NaN
    /// when the rank never moves).
    pub sensitivity: Vec<(f64, f64)>,
}

/// The variance-based sensitivity of the ranks to one source, over all units (each unit's
/// index weighted by the variance of its rank).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SourceSensitivity {
    /// The source.
    pub source: SourceKind,
    /// First-order index S: the share of rank variance the source explains alone.
    pub first_order: f64,
    /// Its 95% bootstrap interval.
    pub first_order_interval: (f64, f64),
    /// Total index ST: the share it explains with its interactions.
    pub total: f64,
    /// Its 95% bootstrap interval.
    pub total_interval: (f64, f64),
}

/// Whether the replications were enough.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Convergence {
    /// The share of units whose 5% or 95% rank moved by more than one place (or 1% of the
    /// units, when more than 100) between the first half of the replications and all of them.
    pub rank_interval_shift: f64,
    /// The widest 95% bootstrap interval of the sensitivity indices (0 without them).
    pub widest_index_interval: f64,
    /// Both small enough: a shift for at most 5% of units and index intervals within 0.1.
    pub converged: bool,
}

/// The analysis of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Replications behind the intervals.
    pub replications: usize,
    /// The seed.
    pub seed: u64,
    /// The k of the top-k probabilities.
    pub top: u32,
    /// The set's bands, in order.
    pub bands: Vec<String>,
    /// The sources switched on.
    pub sources: Vec<SourceKind>,
    /// One entry per unit, in input order.
    pub units: Vec<UnitUncertainty>,
    /// Per source, with [`Settings::sensitivity`].
    pub sensitivity: Vec<SourceSensitivity>,
    /// The convergence check.
    pub convergence: Convergence,
    /// Leaf values a replication may change, over all units.
    pub perturbable_leaves: usize,
    /// Survey values redrawn, and held fixed for want of respondent counts (a share typed as
    /// a percent).
    pub surveys_redrawn: usize,
    /// See [`Analysis::surveys_redrawn`].
    pub surveys_held: usize,
    /// Model runs made: N, or (sources + 2) × N with sensitivity indices.
    pub runs: usize,
}

/// Replicates a run under `uncertainty` and summarises it; `progress` is called with the
/// number of runs done so far, from any thread.
pub fn analyse(
    results: &Results,
    uncertainty: &Uncertainty,
    settings: &Settings,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Analysis, AnalysisError> {
    analyse_cancellable(
        results,
        uncertainty,
        settings,
        progress,
        &AtomicBool::new(false),
    )
}

/// [`analyse`], stopping with [`AnalysisError::Cancelled`] soon after `cancel` is set (every
/// thread looks at it between two runs): how an interactive front end honours an interrupt.
pub fn analyse_cancellable(
    results: &Results,
    uncertainty: &Uncertainty,
    settings: &Settings,
    progress: &(dyn Fn(usize) + Sync),
    cancel: &AtomicBool,
) -> Result<Analysis, AnalysisError> {
    if settings.replications < 2 {
        return Err(AnalysisError::Setting(
            "at least 2 replications are needed".to_owned(),
        ));
    }
    if let Some(p) = uncertainty.appraisal.filter(|p| !(0.0..=1.0).contains(p)) {
        return Err(AnalysisError::Setting(format!(
            "the appraisal probability {p} is not between 0 and 1"
        )));
    }
    if let Some(b) = uncertainty.weights.filter(|b| !(0.0..1.0).contains(b)) {
        return Err(AnalysisError::Setting(format!(
            "the weight bound {b} is not in [0, 1)"
        )));
    }
    check_memory(results.units.len(), uncertainty, settings)?;
    let model = Model::new(results, &uncertainty.not_applicable)?;
    let sources = uncertainty.sources();
    let n = settings.replications;
    // Design matrices: A is rows 0..N, B rows N..2N, then A with source i from B.
    let design: Vec<Seeds> = {
        let seed = |matrix: u64, row: usize, source: usize| {
            let mut rng = rng::Rng::stream(settings.seed, &[matrix, row as u64, source as u64]);
            rng.next_u64()
        };
        let a: Vec<Seeds> = (0..n)
            .map(|j| std::array::from_fn(|s| seed(0, j, s)))
            .collect();
        let mut rows = a.clone();
        if settings.sensitivity && !sources.is_empty() {
            let b: Vec<Seeds> = (0..n)
                .map(|j| std::array::from_fn(|s| seed(1, j, s)))
                .collect();
            rows.extend(b.iter().copied());
            for source in &sources {
                rows.extend(a.iter().zip(&b).map(|(ra, rb)| {
                    let mut mixed = *ra;
                    mixed[*source as usize] = rb[*source as usize];
                    mixed
                }));
            }
        }
        rows
    };
    let outcomes = run(
        &model,
        uncertainty,
        &design,
        settings.threads,
        progress,
        cancel,
    )?;
    let base = &outcomes[..n];
    let units = summarise(&model, base, settings.top);
    let mut analysis = Analysis {
        replications: n,
        seed: settings.seed,
        top: settings.top,
        bands: model.set.bands.iter().map(|b| b.name.clone()).collect(),
        sources: sources.clone(),
        units,
        sensitivity: Vec::new(),
        convergence: Convergence {
            rank_interval_shift: stats::rank_interval_shift(&model, base),
            widest_index_interval: 0.0,
            converged: false,
        },
        perturbable_leaves: model.variants[0].leaves.len(),
        surveys_redrawn: model.surveys.len(),
        surveys_held: model.surveys_held,
        runs: design.len(),
    };
    if settings.sensitivity && !sources.is_empty() {
        let (per_source, per_unit) = stats::sobol(&model, &outcomes, n, &sources, settings);
        for (unit, indices) in analysis.units.iter_mut().zip(per_unit) {
            unit.sensitivity = indices;
        }
        analysis.convergence.widest_index_interval = per_source
            .iter()
            .flat_map(|s| [s.first_order_interval, s.total_interval])
            .map(|(low, high)| high - low)
            .fold(0.0, f64::max);
        analysis.sensitivity = per_source;
    }
    analysis.convergence.converged = analysis.convergence.rank_interval_shift <= 0.05
        && analysis.convergence.widest_index_interval <= 0.1;
    Ok(analysis)
}

/// Refuses, before anything is allocated, an analysis whose replications would not fit in
/// [`Settings::memory_limit`].
fn check_memory(
    units: usize,
    uncertainty: &Uncertainty,
    settings: &Settings,
) -> Result<(), AnalysisError> {
    let sources = uncertainty.sources().len();
    let n = settings.replications;
    let needed = memory_estimate(units, n, sources, settings.sensitivity);
    if needed.is_some_and(|bytes| bytes <= settings.memory_limit) {
        return Ok(());
    }
    // The most replications within the limit, by halving down from the request.
    let mut most = n;
    while most > 0
        && memory_estimate(units, most, sources, settings.sensitivity)
            .is_none_or(|bytes| bytes > settings.memory_limit)
    {
        most /= 2;
    }
    let mut step = most.max(1);
    while step > 0 {
        let next = most.saturating_add(step);
        if next < n
            && memory_estimate(units, next, sources, settings.sensitivity)
                .is_some_and(|bytes| bytes <= settings.memory_limit)
        {
            most = next;
        } else {
            step /= 2;
        }
    }
    Err(AnalysisError::TooLarge {
        runs: runs(n, sources, settings.sensitivity)
            .map_or_else(|| format!("more than {}", usize::MAX), |r| r.to_string()),
        units,
        needed: needed.map_or_else(|| "more than 16 EiB".to_owned(), bytes_text),
        limit: bytes_text(settings.memory_limit),
        most,
    })
}

/// Runs every row of the design, in parallel over contiguous chunks of rows, until done or
/// cancelled.
fn run(
    model: &Model,
    uncertainty: &Uncertainty,
    design: &[Seeds],
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
    cancel: &AtomicBool,
) -> Result<Vec<Outcome>, AnalysisError> {
    let done = AtomicUsize::new(0);
    let work = |rows: &[Seeds]| {
        let mut scratch = Scratch::default();
        let mut outcomes = Vec::with_capacity(rows.len());
        for seeds in rows {
            if cancel.load(Ordering::Relaxed) {
                break;
            }
            outcomes.push(replicate(model, uncertainty, seeds, &mut scratch));
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
        }
        outcomes
    };
    let outcomes: Vec<Outcome> = parindex_core::threads::in_order(design, threads, work);
    if outcomes.len() < design.len() {
        return Err(AnalysisError::Cancelled {
            done: outcomes.len(),
            runs: design.len(),
        });
    }
    Ok(outcomes)
}

fn summarise(model: &Model, outcomes: &[Outcome], top: u32) -> Vec<UnitUncertainty> {
    let bands = model.set.bands.len();
    (0..model.units.len())
        .map(|u| {
            let mut index: Vec<f64> = outcomes
                .iter()
                .map(|o| o.index[u])
                .filter(|x| !x.is_nan())
                .collect();
            let mut rank: Vec<f64> = outcomes
                .iter()
                .map(|o| o.rank[u])
                .filter(|r| *r > 0)
                .map(f64::from)
                .collect();
            let count = outcomes.len() as f64;
            let mut band_probabilities = vec![0.0; bands];
            for o in outcomes {
                if let Some(p) = band_probabilities.get_mut(usize::from(o.band[u])) {
                    *p += 1.0 / count;
                }
            }
            let in_top = outcomes
                .iter()
                .filter(|o| o.rank[u] > 0 && o.rank[u] <= top)
                .count();
            UnitUncertainty {
                unit: model.units[u].clone(),
                index: model.point_index[u],
                rank: model.point_rank[u],
                band: model.point_band[u].clone(),
                index_interval: Interval::of(&mut index),
                rank_interval: Interval::of_ranks(&mut rank),
                band_probabilities,
                top_probability: in_top as f64 / count,
                sensitivity: Vec::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survey_model_names_read_back() {
        for &model in SurveyModel::ALL {
            assert_eq!(model.as_str().parse::<SurveyModel>(), Ok(model));
            assert_eq!(model.to_string(), model.as_str());
        }
        assert_eq!(
            "bootstrap"
                .parse::<SurveyModel>()
                .map_err(|e| e.to_string()),
            Err(r#"survey model "bootstrap" is not one of resample, posterior"#.to_owned())
        );
    }
}
