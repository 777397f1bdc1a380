//! One replication: draw every source of uncertainty from its own stream, move the perturbed
//! leaves' points into their tracked ancestors, then recompute totals, indices, ranks and
//! bands for every unit.

use parindex_core::{Gate, Rounding, Ties};
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

use crate::model::{Model, Part, SINGLE, Survey};
use crate::rng::Rng;
use crate::{SourceKind, SurveyModel, Uncertainty};

/// What one replication gives per unit.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    /// The reported index (rounded as drawn); NaN when nothing applies.
    pub(crate) index: Vec<f64>,
    /// The rank; 0 for a unit not ranked.
    pub(crate) rank: Vec<u32>,
    /// The band's position in the set; `u16::MAX` for none.
    pub(crate) band: Vec<u16>,
}

/// The choices of the methodological alternatives for one replication.
struct Method {
    variant: usize,
    rounding: Rounding,
    ties: Ties,
}

/// Scratch space reused across a thread's replications.
#[derive(Default)]
pub(crate) struct Scratch {
    tracked: Vec<f64>,
    multipliers: Vec<f64>,
    keys: Vec<(f64, usize)>,
    tie_keys: Vec<Vec<f64>>,
}

/// The seeds of one replication: one per source, in [`SourceKind`] order.
pub(crate) type Seeds = [u64; 4];

pub(crate) fn replicate(
    model: &Model,
    uncertainty: &Uncertainty,
    seeds: &Seeds,
    scratch: &mut Scratch,
) -> Outcome {
    let set = &model.set;
    let policy = &set.policy;
    let stream = |kind: SourceKind| Rng::stream(seeds[kind as usize], &[kind as u64]);
    let mut methods = stream(SourceKind::Methods);
    let method = {
        let pick = |rng: &mut Rng, count: usize| -> usize {
            // Uniform over the alternatives; `count` is small.
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let i = (rng.uniform() * count as f64) as usize;
            i.min(count.saturating_sub(1))
        };
        let roundings = alternatives(policy.rounding, &uncertainty.rounding);
        let ties = alternatives(policy.ties, &uncertainty.ties);
        Method {
            variant: if model.variants.len() > 1 {
                pick(&mut methods, model.variants.len())
            } else {
                0
            },
            rounding: roundings[if roundings.len() > 1 {
                pick(&mut methods, roundings.len())
            } else {
                0
            }],
            ties: ties[if ties.len() > 1 {
                pick(&mut methods, ties.len())
            } else {
                0
            }],
        }
    };
    let area_count = model.area_count;
    scratch.multipliers.clear();
    let mut weights = stream(SourceKind::Weights);
    for _ in 0..area_count {
        scratch.multipliers.push(match uncertainty.weights {
            Some(bound) => 1.0 + bound * (2.0 * weights.uniform() - 1.0),
            None => 1.0,
        });
    }
    let variant = &model.variants[method.variant];
    let mut survey_rng = stream(SourceKind::Survey);
    let mut appraisal_rng = stream(SourceKind::Appraisal);
    let tracked_count = model.tracked.len();
    let units = model.units.len();
    let scale = policy.scale.to_string().parse::<f64>().unwrap_or(100.0);
    let mut outcome = Outcome {
        index: vec![f64::NAN; units],
        rank: vec![0; units],
        band: vec![u16::MAX; units],
    };
    let mut exact_index = vec![f64::NAN; units];
    if !policy.tie_breakers.is_empty() {
        scratch.tie_keys.resize(units, Vec::new());
    }
    for u in 0..units {
        let base = u * tracked_count;
        scratch.tracked.clear();
        scratch
            .tracked
            .extend_from_slice(&variant.tracked_points[base..base + tracked_count]);
        let (start, end) = (
            variant.unit_start[u] as usize,
            variant.unit_start[u + 1] as usize,
        );
        for leaf in &variant.leaves[start..end] {
            let mut delta = 0.0f64;
            if leaf.survey != u32::MAX {
                if let Some(kind) = uncertainty.survey {
                    let survey = &model.surveys[leaf.survey as usize];
                    delta = draw_survey(model, survey, kind, &mut survey_rng);
                }
            } else if let Some(p) = uncertainty.appraisal {
                if !leaf.down.is_nan() {
                    let r = appraisal_rng.uniform();
                    if r < p / 2.0 {
                        delta = f64::from(leaf.down);
                    } else if r < p {
                        delta = f64::from(leaf.up);
                    }
                }
            }
            if delta != 0.0 {
                if leaf.link & SINGLE != 0 {
                    scratch.tracked[(leaf.link & 0xFFFF) as usize] += delta;
                } else {
                    let (from, to) = variant.link_ranges[leaf.link as usize];
                    for (slot, weight) in &variant.links[from as usize..to as usize] {
                        scratch.tracked[*slot as usize] += weight * delta;
                    }
                }
            }
        }
        let mut total = variant.extra[u];
        let mut max = 0.0;
        for a in 0..area_count {
            total += scratch.multipliers[a] * scratch.tracked[a];
            max += scratch.multipliers[a] * variant.tracked_max[base + a];
        }
        if policy.cap_total {
            total = total.clamp(0.0, max.max(0.0));
        }
        if max > 0.0 {
            let exact = total / max * scale;
            exact_index[u] = exact;
            outcome.index[u] = round(exact, policy.decimals, method.rounding);
        }
        if let Some(keys) = scratch.tie_keys.get_mut(u) {
            keys.clear();
            for code in &policy.tie_breakers {
                let slot = model.slot_of_code.get(code).copied();
                let index = slot.and_then(|s| {
                    let m = variant.tracked_max[base + s];
                    (m > 0.0).then(|| round(scratch.tracked[s] / m * scale, 9, Rounding::HalfEven))
                });
                keys.push(index.unwrap_or(f64::NEG_INFINITY));
            }
        }
        outcome.band[u] = band_of(
            model,
            u,
            &outcome.index,
            &exact_index,
            &scratch.tracked,
            variant,
            base,
            scale,
        );
    }
    rank(
        model,
        &outcome.index,
        &exact_index,
        method.ties,
        scratch,
        &mut outcome.rank,
    );
    outcome
}

fn alternatives<T: Copy + PartialEq>(own: T, others: &[T]) -> Vec<T> {
    let mut all = vec![own];
    for o in others {
        if !all.contains(o) {
            all.push(*o);
        }
    }
    all
}

/// Rounds as the set rounds a reported index. The product is first cleaned of binary noise at
/// the sixth decimal, so that 88.145 × 100 rounds as the decimal 8814.5 does.
pub(crate) fn round(x: f64, decimals: u32, rounding: Rounding) -> f64 {
    let factor = 10f64.powi(i32::try_from(decimals).unwrap_or(2));
    let y = ((x * factor) * 1e6).round() / 1e6;
    let r = match rounding {
        Rounding::HalfAwayFromZero => y.round(),
        Rounding::HalfEven => y.round_ties_even(),
        Rounding::Truncate => y.trunc(),
    };
    r / factor
}

/// A survey leaf's change of points in a redraw.
fn draw_survey(model: &Model, survey: &Survey, kind: SurveyModel, rng: &mut Rng) -> f64 {
    match (survey, kind) {
        (
            Survey::Share {
                n,
                observed,
                base,
                below,
                at,
                steps,
                ..
            },
            SurveyModel::Resample,
        ) => {
            let k = binomial_from(rng.uniform(), *n, *observed, *below, *at);
            let steps = &model.steps[steps.0 as usize..steps.1 as usize];
            let points = steps
                .iter()
                .rev()
                .find(|(from, _)| *from <= k)
                .map_or(*base, |s| s.1);
            points - base
        }
        (
            Survey::Share {
                n,
                observed,
                node,
                group,
                base,
                ..
            },
            SurveyModel::Posterior,
        ) => {
            let p = rng.beta(f64::from(*observed) + 1.0, f64::from(n - observed) + 1.0);
            let satisfied = Decimal::from_f64(p * f64::from(*n))
                .unwrap_or_default()
                .round_dp(9);
            let respondents = Decimal::from(*n);
            let value = parindex_core::Value::Survey(Box::new(parindex_core::Survey {
                parts: vec![(
                    group.clone(),
                    parindex_core::Responses::Share {
                        satisfied,
                        respondents,
                    },
                )],
            }));
            score(model, *node, &value) - base
        }
        (Survey::Counts { node, parts, base }, kind) => {
            let value = parindex_core::Value::Survey(Box::new(parindex_core::Survey {
                parts: parts
                    .iter()
                    .map(|part| (part.group.clone(), responses(part, redraw(part, kind, rng))))
                    .collect(),
            }));
            score(model, *node, &value) - base
        }
    }
}

/// A binomial count of `n` trials at the share `observed / n`, by inversion of the uniform
/// `u`, walking from the observed count: a few steps, whatever `n`.
fn binomial_from(u: f64, n: u32, observed: u32, below: f64, at: f64) -> u32 {
    if observed == 0 || observed >= n {
        return observed;
    }
    let p = f64::from(observed) / f64::from(n);
    let odds = p / (1.0 - p);
    let (mut k, mut pk) = (observed, at);
    if u < below {
        // Down: P(K = k − 1) = P(K = k) × k ÷ (n − k + 1) ÷ odds.
        let mut cumulative = below;
        while k > 0 {
            pk *= f64::from(k) / f64::from(n - k + 1) / odds;
            k -= 1;
            cumulative -= pk;
            if u >= cumulative {
                break;
            }
        }
        k
    } else {
        let mut cumulative = below + at;
        while u >= cumulative && k < n {
            pk *= f64::from(n - k) / f64::from(k + 1) * odds;
            k += 1;
            cumulative += pk;
        }
        k
    }
}

fn score(model: &Model, node: usize, value: &parindex_core::Value) -> f64 {
    let max = model.set.nodes[node].max;
    model.set.nodes[node]
        .rule
        .as_ref()
        .and_then(|r| {
            r.evaluate(value, &parindex_core::Context::with_max(max))
                .ok()
        })
        .map_or(0.0, |o| o.points.to_string().parse().unwrap_or(0.0))
}

fn responses(part: &Part, counts: Vec<(String, Decimal)>) -> parindex_core::Responses {
    if part.share {
        parindex_core::Responses::Share {
            satisfied: counts[0].1,
            respondents: counts.iter().map(|(_, c)| *c).sum(),
        }
    } else {
        parindex_core::Responses::Counts(counts)
    }
}

/// New counts for a group's answers: the respondents drawn again with the observed shares
/// (resample), or the expected counts under a draw of the shares from their Dirichlet
/// posterior with a flat prior (posterior).
fn redraw(part: &Part, kind: SurveyModel, rng: &mut Rng) -> Vec<(String, Decimal)> {
    let n: u32 = part.counts.iter().map(|(_, c)| c).sum();
    match kind {
        SurveyModel::Resample => {
            let mut drawn = vec![0u32; part.counts.len()];
            for _ in 0..n {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let mut pick = (rng.uniform() * f64::from(n)) as u32;
                for (i, (_, c)) in part.counts.iter().enumerate() {
                    if pick < *c {
                        drawn[i] += 1;
                        break;
                    }
                    pick -= c;
                }
            }
            part.counts
                .iter()
                .zip(drawn)
                .map(|((o, _), c)| (o.clone(), Decimal::from(c)))
                .collect()
        }
        SurveyModel::Posterior => {
            let gammas: Vec<f64> = part
                .counts
                .iter()
                .map(|(_, c)| rng.gamma(f64::from(*c) + 1.0))
                .collect();
            let sum: f64 = gammas.iter().sum();
            part.counts
                .iter()
                .zip(gammas)
                .map(|((o, _), g)| {
                    let expected = Decimal::from_f64(g / sum * f64::from(n)).unwrap_or_default();
                    (o.clone(), expected.round_dp(9))
                })
                .collect()
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn band_of(
    model: &Model,
    unit: usize,
    reported: &[f64],
    exact: &[f64],
    tracked: &[f64],
    variant: &crate::model::Variant,
    base: usize,
    scale: f64,
) -> u16 {
    let set = &model.set;
    let decimal = |x: f64, places: u32| {
        // x is already rounded to `places`: its scaled integer is exact.
        let scaled = (x * 10f64.powi(i32::try_from(places).unwrap_or(9))).round();
        #[allow(clippy::cast_possible_truncation)]
        (scaled.is_finite() && scaled.abs() < 9e15).then(|| Decimal::new(scaled as i64, places))
    };
    let gate_holds = |gate: &Gate| match gate {
        Gate::Attribute { name, equals } => model.attributes[unit].get(name) == Some(equals),
        Gate::Node { code, when } => {
            let slot = model.slot_of_code.get(code).copied();
            slot.and_then(|s| {
                let m = variant.tracked_max[base + s];
                (m > 0.0).then(|| tracked[s] / m * scale)
            })
            .and_then(|x| decimal(x, 9))
            .is_some_and(|x| when.contains(x))
        }
    };
    let position = |i: usize| u16::try_from(i).unwrap_or(u16::MAX);
    if let Some(forced) = set
        .bands
        .iter()
        .position(|b| b.forced_by.iter().any(gate_holds))
    {
        return position(forced);
    }
    let x = match set.policy.rank_on {
        parindex_core::RankOn::Reported => decimal(reported[unit], set.policy.decimals),
        parindex_core::RankOn::Exact => decimal(exact[unit], 9),
    };
    let Some(x) = x.filter(|_| !reported[unit].is_nan()) else {
        return u16::MAX;
    };
    let Some(by_points) = set.bands.iter().position(|b| b.when.contains(x)) else {
        return u16::MAX;
    };
    set.bands[by_points..]
        .iter()
        .position(|b| b.requires.iter().all(gate_holds))
        .map_or(u16::MAX, |i| position(by_points + i))
}

/// Ranks within groups as the engine does: by the ranking index, then the tie-breakers, units
/// not ranked left out; competition or dense ties.
fn rank(
    model: &Model,
    reported: &[f64],
    exact: &[f64],
    ties: Ties,
    scratch: &mut Scratch,
    ranks: &mut [u32],
) {
    let by_exact = model.set.policy.rank_on == parindex_core::RankOn::Exact;
    let key = |u: usize| {
        if by_exact {
            round(exact[u], 9, Rounding::HalfEven)
        } else {
            reported[u]
        }
    };
    for members in &model.ranked_groups {
        scratch.keys.clear();
        scratch.keys.extend(
            members
                .iter()
                .filter(|u| !reported[**u].is_nan())
                .map(|u| (key(*u), *u)),
        );
        let tie_keys = &scratch.tie_keys;
        let compare = |a: &(f64, usize), b: &(f64, usize)| {
            b.0.total_cmp(&a.0)
                .then_with(|| match (tie_keys.get(a.1), tie_keys.get(b.1)) {
                    (Some(ka), Some(kb)) => kb
                        .iter()
                        .zip(ka)
                        .map(|(x, y)| x.total_cmp(y))
                        .find(|o| o.is_ne())
                        .unwrap_or(std::cmp::Ordering::Equal),
                    _ => std::cmp::Ordering::Equal,
                })
        };
        let order = &model.order;
        scratch
            .keys
            .sort_unstable_by(|a, b| compare(a, b).then_with(|| order[a.1].cmp(&order[b.1])));
        let mut rank = 0u32;
        let mut dense = 0u32;
        for position in 0..scratch.keys.len() {
            let tied = position > 0
                && compare(&scratch.keys[position], &scratch.keys[position - 1]).is_eq();
            if !tied {
                rank = u32::try_from(position + 1).unwrap_or(u32::MAX);
                dense += 1;
            }
            ranks[scratch.keys[position].1] = match ties {
                Ties::Competition => rank,
                Ties::Dense => dense,
            };
        }
    }
}
