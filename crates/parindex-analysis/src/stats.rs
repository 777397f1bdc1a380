//! Summaries of the replications: quantiles, the convergence check, and variance-based
//! sensitivity indices with Jansen's estimators and bootstrap intervals.

use crate::model::Model;
use crate::replicate::Outcome;
use crate::rng::Rng;
use crate::{Settings, SourceKind, SourceSensitivity};

/// The 5%, 50% and 95% quantiles of a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// The 5% quantile.
    pub low: f64,
    /// The median.
    pub median: f64,
    /// The 95% quantile.
    pub high: f64,
}

impl Interval {
    /// The interval of a sample (sorted in place); `None` when it is empty.
    pub fn of(sample: &mut [f64]) -> Option<Interval> {
        if sample.is_empty() {
            return None;
        }
        sample.sort_by(f64::total_cmp);
        Some(Interval {
            low: quantile(sample, 0.05),
            median: quantile(sample, 0.5),
            high: quantile(sample, 0.95),
        })
    }
}

impl Interval {
    /// The interval of a sample of ranks (sorted in place), each bound itself a rank: the
    /// order statistic at or above each quantile (Hyndman and Fan's type 1, the inverse of the
    /// empirical distribution), so that a 5% rank reads "6", never "6.05". `None` when empty.
    ///
    /// ```
    /// use parindex_analysis::Interval;
    /// let mut ranks = vec![3.0, 1.0, 2.0, 2.0];
    /// let i = Interval::of_ranks(&mut ranks).ok_or("empty")?;
    /// assert_eq!((i.low, i.median, i.high), (1.0, 2.0, 3.0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn of_ranks(sample: &mut [f64]) -> Option<Interval> {
        if sample.is_empty() {
            return None;
        }
        sample.sort_by(f64::total_cmp);
        let at = |q: f64| {
            #[allow(clippy::cast_precision_loss)]
            let position = (q * sample.len() as f64).ceil();
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let position = (position as usize).clamp(1, sample.len());
            sample[position - 1]
        };
        Some(Interval {
            low: at(0.05),
            median: at(0.5),
            high: at(0.95),
        })
    }
}

/// The `q` quantile of a sorted sample, interpolating linearly between order statistics
/// (Hyndman and Fan's type 7, the default of R and numpy).
///
/// ```
/// use parindex_analysis::quantile;
/// assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
/// assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.05), 1.15);
/// ```
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return f64::NAN;
    };
    #[allow(clippy::cast_precision_loss)]
    let h = q * last as f64;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let below = h.floor() as usize;
    let above = (below + 1).min(last);
    sorted[below] + (h - h.floor()) * (sorted[above] - sorted[below])
}

/// The share of units whose 5% or 95% rank moves by more than one place, or by more than 1% of
/// the units when there are more than 100, between the first half of the replications and all
/// of them.
pub(crate) fn rank_interval_shift(model: &Model, outcomes: &[Outcome]) -> f64 {
    let half = &outcomes[..outcomes.len() / 2];
    let interval = |sample: &[Outcome], u: usize| {
        let mut ranks: Vec<f64> = sample
            .iter()
            .map(|o| o.rank[u])
            .filter(|r| *r > 0)
            .map(f64::from)
            .collect();
        Interval::of(&mut ranks)
    };
    let units = model.units.len();
    #[allow(clippy::cast_precision_loss)]
    let places = (units as f64 / 100.0).max(1.0);
    let moved = (0..units)
        .filter(|u| match (interval(half, *u), interval(outcomes, *u)) {
            (Some(a), Some(b)) => {
                (a.low - b.low).abs() > places || (a.high - b.high).abs() > places
            }
            (None, None) => false,
            _ => true,
        })
        .count();
    #[allow(clippy::cast_precision_loss)]
    let share = moved as f64 / units.max(1) as f64;
    share
}

/// The output a sensitivity index is about: the rank, or the index for a unit never ranked.
fn output(outcome: &Outcome, u: usize) -> f64 {
    match outcome.rank[u] {
        0 => {
            let x = outcome.index[u];
            if x.is_nan() { 0.0 } else { x }
        }
        r => f64::from(r),
    }
}

/// First-order and total indices per source, over all units (each weighted by its rank
/// variance) with bootstrap intervals, and per unit.
///
/// Jansen's estimators: with f(A), f(B) and f(A_B^i) (A with source i's column from B),
/// V·Sᵢ = V − Σ (f(B) − f(A_B^i))² ÷ 2N and V·STᵢ = Σ (f(A) − f(A_B^i))² ÷ 2N, V the variance
/// of f over A and B. Pooled over units, every term is a sum over rows of a per-row sum over
/// units (the variance taken about each unit's mean over all rows), so that a bootstrap
/// resample of rows costs one pass over N numbers.
pub(crate) fn sobol(
    model: &Model,
    outcomes: &[Outcome],
    n: usize,
    sources: &[SourceKind],
    settings: &Settings,
) -> (Vec<SourceSensitivity>, Vec<Vec<(f64, f64)>>) {
    let k = sources.len();
    let units = model.units.len();
    // Per row: Σ over units of the squared deviations, and per source the two squared gaps.
    let mut row_variance = vec![0.0; n];
    let mut row_first = vec![vec![0.0; n]; k];
    let mut row_total = vec![vec![0.0; n]; k];
    let mut per_unit = Vec::with_capacity(units);
    #[allow(clippy::cast_precision_loss)]
    let m = n as f64;
    for u in 0..units {
        let a: Vec<f64> = (0..n).map(|j| output(&outcomes[j], u)).collect();
        let b: Vec<f64> = (0..n).map(|j| output(&outcomes[n + j], u)).collect();
        let mean = (a.iter().sum::<f64>() + b.iter().sum::<f64>()) / (2.0 * m);
        let mut variance = 0.0;
        for j in 0..n {
            let d = (a[j] - mean).powi(2) + (b[j] - mean).powi(2);
            row_variance[j] += d;
            variance += d;
        }
        let mut indices = Vec::with_capacity(k);
        for i in 0..k {
            let (mut first, mut total) = (0.0, 0.0);
            for j in 0..n {
                let ab = output(&outcomes[(2 + i) * n + j], u);
                let (f, t) = ((b[j] - ab).powi(2), (a[j] - ab).powi(2));
                row_first[i][j] += f;
                row_total[i][j] += t;
                first += f;
                total += t;
            }
            indices.push(if variance > 0.0 {
                (1.0 - first / variance, total / variance)
            } else {
                (f64::NAN, f64::NAN)
            });
        }
        per_unit.push(indices);
    }
    let pooled = |rows: &mut dyn Iterator<Item = usize>, i: usize| {
        let (mut v, mut f, mut t) = (0.0, 0.0, 0.0);
        for j in rows {
            v += row_variance[j];
            f += row_first[i][j];
            t += row_total[i][j];
        }
        if v > 0.0 {
            (1.0 - f / v, t / v)
        } else {
            (f64::NAN, f64::NAN)
        }
    };
    let per_source = sources
        .iter()
        .enumerate()
        .map(|(i, source)| {
            let (first, total) = pooled(&mut (0..n), i);
            let mut boot_first = Vec::with_capacity(settings.bootstrap);
            let mut boot_total = Vec::with_capacity(settings.bootstrap);
            for r in 0..settings.bootstrap {
                let mut rng = Rng::stream(settings.seed, &[u64::MAX, r as u64]);
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let mut rows = (0..n).map(|_| ((rng.uniform() * m) as usize).min(n - 1));
                let (f, t) = pooled(&mut rows, i);
                boot_first.push(f);
                boot_total.push(t);
            }
            SourceSensitivity {
                source: *source,
                first_order: first,
                first_order_interval: interval95(&mut boot_first),
                total,
                total_interval: interval95(&mut boot_total),
            }
        })
        .collect();
    (per_source, per_unit)
}

fn interval95(sample: &mut Vec<f64>) -> (f64, f64) {
    sample.retain(|x| !x.is_nan());
    sample.sort_by(f64::total_cmp);
    (quantile(sample, 0.025), quantile(sample, 0.975))
}
