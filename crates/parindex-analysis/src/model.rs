//! The results of a run, turned into what a replication needs: per unit, the points of the
//! nodes that ranks and bands look at, and the leaves a replication may change, each with how
//! much of its points reaches those nodes.
//!
//! Uncertainty never changes which nodes apply to a unit, so a node's points are a fixed
//! linear function of its leaves' points: the sum of its children's, scaled at each parent
//! that rescales not-applicable children by that parent's maximum over its children's
//! applicable maxima. A replication adds, to every tracked ancestor, the change of each leaf it
//! perturbs times that weight, instead of scoring the unit again.

use std::collections::HashMap;
use std::sync::Arc;

use parindex_core::{
    CriteriaSet, Gate, NodeKind, NodeScore, NodeStatus, NotApplicable, Plan, Responses, Results,
    Rule, Source, Value,
};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::AnalysisError;

/// How a leaf's measurement may move in a replication.
#[derive(Debug, Clone)]
pub(crate) enum Survey {
    /// One share of `n` respondents, `observed` satisfied. The count satisfied in a redraw is
    /// binomial; it is found by inversion walking out from the observed count, whose
    /// probability and the probability below it are kept.
    Share {
        node: usize,
        group: Option<String>,
        n: u32,
        observed: u32,
        /// The points of the observed count.
        base: f64,
        /// P(K < observed) and P(K = observed) at the observed share.
        below: f64,
        at: f64,
        /// The points by count, as a step function: `(from count, points)`, a range of
        /// [`Model::steps`].
        steps: (u32, u32),
    },
    /// Counts per answer option, or shares per respondent group: redrawn respondent by
    /// respondent and scored by the rule itself.
    Counts {
        node: usize,
        parts: Vec<Part>,
        /// The points of the observed answers.
        base: f64,
    },
}

/// One respondent group's answers, for a redraw.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub(crate) group: Option<String>,
    /// Respondents per answer; for a share, `[satisfied, not]`.
    pub(crate) counts: Vec<(String, u32)>,
    /// Whether the rule reads this part as a share satisfied.
    pub(crate) share: bool,
}

/// The results under one not-applicable policy, laid out for a replication's single pass:
/// per unit a range of perturbable leaves, and per leaf what may move it.
#[derive(Debug, Clone)]
pub(crate) struct Variant {
    /// `[unit][tracked]`: points and applicable maxima of the tracked nodes.
    pub(crate) tracked_points: Vec<f64>,
    pub(crate) tracked_max: Vec<f64>,
    /// Per unit: points of the bonus and penalty blocks, added to the areas'.
    pub(crate) extra: Vec<f64>,
    /// Per unit, its first perturbable leaf; one more entry closes the last range.
    pub(crate) unit_start: Vec<u32>,
    /// The perturbable leaves, read in one sequential pass.
    pub(crate) leaves: Vec<LeafMove>,
    /// `(tracked node slot, weight)` runs, for the leaves whose points reach more than their
    /// area, or reach it scaled: a range per [`LeafMove::link`].
    pub(crate) link_ranges: Vec<(u32, u32)>,
    pub(crate) links: Vec<(u16, f64)>,
}

/// What may move one leaf of one unit, in 16 bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LeafMove {
    /// The change of points one outcome down and up, for appraisal (0 where there is no such
    /// outcome; NaN for a leaf that is not appraised). Changes are exact decimals of a few
    /// digits: f32 keeps them to well under the rounding of an index.
    pub(crate) down: f32,
    pub(crate) up: f32,
    /// Its survey draw in [`Model::surveys`], or `u32::MAX`.
    pub(crate) survey: u32,
    /// Where its points go: with [`SINGLE`] set, only to the tracked slot in the low bits,
    /// unscaled; otherwise an index into [`Variant::link_ranges`].
    pub(crate) link: u32,
}

/// The flag of a [`LeafMove::link`] that goes to one slot with weight 1.
pub(crate) const SINGLE: u32 = 1 << 31;

/// Everything the replications share.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub(crate) set: CriteriaSet,
    pub(crate) units: Vec<String>,
    /// The ranking groups: the units ranked in each, in input order.
    pub(crate) ranked_groups: Vec<Vec<usize>>,
    /// Per unit, its position among the units sorted by id: the last tie-breaker.
    pub(crate) order: Vec<u32>,
    /// Tracked slots by node code, for tie-breakers and gates.
    pub(crate) slot_of_code: HashMap<String, usize>,
    pub(crate) attributes: Vec<Arc<std::collections::BTreeMap<String, parindex_core::AttrValue>>>,
    /// The tracked nodes, by position in the set: the scored areas first, then the nodes that
    /// tie-breakers and band gates read.
    pub(crate) tracked: Vec<usize>,
    /// How many of `tracked` are scored areas.
    pub(crate) area_count: usize,
    /// The variants: the set's own policy first.
    pub(crate) variants: Vec<Variant>,
    pub(crate) surveys: Vec<Survey>,
    /// The step functions of [`Survey::Share`] draws.
    pub(crate) steps: Vec<(u32, f64)>,
    /// Survey values that could not be redrawn: a share typed as a percent.
    pub(crate) surveys_held: usize,
    /// The point result: reported index and rank per unit.
    pub(crate) point_index: Vec<Option<f64>>,
    pub(crate) point_rank: Vec<Option<u32>>,
    pub(crate) point_band: Vec<Option<String>>,
}

fn float(x: Decimal) -> f64 {
    x.to_f64().unwrap_or(0.0)
}

fn neighbours(outcomes: &[Decimal], points: Decimal) -> (Option<f64>, Option<f64>) {
    let below = outcomes
        .iter()
        .rev()
        .find(|p| **p < points)
        .copied()
        .map(float);
    let above = outcomes.iter().find(|p| **p > points).copied().map(float);
    (below, above)
}

/// For a binomial of `n` trials at the share `k / n`: P(K < k) and P(K = k).
pub(crate) fn binomial_at(n: u32, k: u32) -> (f64, f64) {
    if k == 0 || k >= n {
        return (0.0, 1.0);
    }
    let p = f64::from(k) / f64::from(n);
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    let mut log_choose = 0.0f64;
    let mut below = 0.0;
    for j in 0..k {
        if j > 0 {
            log_choose += f64::from(n - j + 1).ln() - f64::from(j).ln();
        }
        below += (log_choose + f64::from(j) * lp + f64::from(n - j) * lq).exp();
    }
    log_choose += f64::from(n - k + 1).ln() - f64::from(k).ln();
    let at = (log_choose + f64::from(k) * lp + f64::from(n - k) * lq).exp();
    (below, at)
}

fn index32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Whole respondent counts from a decimal, when it is one.
fn whole(x: Decimal) -> Option<u32> {
    (x.fract().is_zero() && x >= Decimal::ZERO)
        .then(|| x.to_u32())
        .flatten()
}

impl Model {
    /// Builds the model from a run's results, scoring the same inputs again under each
    /// not-applicable policy in `policies` (the set's own always first).
    pub(crate) fn new(
        results: &Results,
        policies: &[NotApplicable],
    ) -> Result<Model, AnalysisError> {
        let batch = results.batch().ok_or(AnalysisError::NoUnits)?;
        let set = results.set().clone();
        let tracked = tracked_nodes(&set);
        let area_count = set
            .nodes
            .iter()
            .filter(|n| n.parent_code().is_none() && n.kind == NodeKind::Scored)
            .count();
        let mut model = Model {
            units: results.units.iter().map(|u| u.unit.clone()).collect(),
            ranked_groups: ranked_groups(results),
            order: {
                let mut ids: Vec<(&str, usize)> = results
                    .units
                    .iter()
                    .enumerate()
                    .map(|(i, u)| (u.unit.as_str(), i))
                    .collect();
                ids.sort();
                let mut order = vec![0u32; ids.len()];
                for (position, (_, i)) in ids.into_iter().enumerate() {
                    order[i] = index32(position);
                }
                order
            },
            slot_of_code: HashMap::new(),
            attributes: results.units.iter().map(|u| u.attributes.clone()).collect(),
            tracked,
            area_count,
            variants: Vec::new(),
            surveys: Vec::new(),
            steps: Vec::new(),
            surveys_held: 0,
            point_index: results
                .units
                .iter()
                .map(|u| u.reported_index.map(float))
                .collect(),
            point_rank: results.units.iter().map(|u| u.rank).collect(),
            point_band: results.units.iter().map(|u| u.band.clone()).collect(),
            set,
        };
        model.slot_of_code = model
            .tracked
            .iter()
            .enumerate()
            .map(|(slot, node)| (model.set.nodes[*node].code.clone(), slot))
            .collect();
        let own = model.set.policy.not_applicable;
        let mut wanted = vec![own];
        wanted.extend(policies.iter().filter(|p| **p != own));
        wanted.dedup();
        let mut survey_of: HashMap<(usize, usize), usize> = HashMap::new();
        for (i, policy) in wanted.iter().enumerate() {
            let variant_results;
            let scored = if i == 0 {
                results
            } else {
                let mut set = model.set.clone();
                set.policy.not_applicable = *policy;
                for node in &mut set.nodes {
                    node.not_applicable = None;
                }
                let plan = Plan::new(&set);
                let rebatched = batch
                    .for_plan(&plan)
                    .map_err(|e| AnalysisError::Rescore(e.to_string()))?;
                variant_results = plan
                    .score(&rebatched)
                    .map_err(|e| AnalysisError::Rescore(e.to_string()))?;
                &variant_results
            };
            let variant = model.variant(scored, &mut survey_of, i == 0);
            model.variants.push(variant);
        }
        Ok(model)
    }

    fn variant(
        &mut self,
        results: &Results,
        survey_of: &mut HashMap<(usize, usize), usize>,
        first: bool,
    ) -> Variant {
        let set = results.set();
        let parent: Vec<Option<usize>> = set
            .nodes
            .iter()
            .map(|n| {
                n.parent_code()
                    .and_then(|p| set.nodes.iter().position(|m| m.code == p))
            })
            .collect();
        let children: Vec<Vec<usize>> = (0..set.nodes.len())
            .map(|i| {
                (0..set.nodes.len())
                    .filter(|c| parent[*c] == Some(i))
                    .collect()
            })
            .collect();
        let in_block: Vec<bool> = (0..set.nodes.len())
            .map(|i| {
                let mut at = Some(i);
                while let Some(n) = at {
                    if set.nodes[n].kind != NodeKind::Scored {
                        return true;
                    }
                    at = parent[n];
                }
                false
            })
            .collect();
        let slot_of: HashMap<usize, u16> = self
            .tracked
            .iter()
            .enumerate()
            .map(|(slot, node)| (*node, u16::try_from(slot).unwrap_or(u16::MAX)))
            .collect();
        let tracked_count = self.tracked.len();
        let mut variant = Variant {
            tracked_points: Vec::with_capacity(results.units.len() * tracked_count),
            tracked_max: Vec::with_capacity(results.units.len() * tracked_count),
            extra: Vec::with_capacity(results.units.len()),
            unit_start: Vec::with_capacity(results.units.len() + 1),
            leaves: Vec::new(),
            link_ranges: Vec::new(),
            links: Vec::new(),
        };
        let mut nodes: Vec<NodeScore> = Vec::new();
        for (u, card) in results.units.iter().enumerate() {
            nodes.clear();
            nodes.extend(card.nodes());
            for node in &self.tracked {
                variant.tracked_points.push(float(nodes[*node].points));
                variant.tracked_max.push(float(nodes[*node].max));
            }
            let extra: Decimal = set
                .nodes
                .iter()
                .zip(&nodes)
                .filter(|(n, _)| n.parent_code().is_none() && n.kind != NodeKind::Scored)
                .map(|(_, s)| s.points)
                .sum();
            variant.extra.push(float(extra));
            variant.unit_start.push(index32(variant.leaves.len()));
            for (node, score) in nodes.iter().enumerate() {
                let Some(rule) = &set.nodes[node].rule else {
                    continue;
                };
                if score.status != NodeStatus::Scored || in_block[node] {
                    continue;
                }
                let appraisal = match set.nodes[node].source {
                    Source::SelfAssessed => {
                        rule.outcome_points().map(|o| neighbours(&o, score.points))
                    }
                    _ => None,
                };
                let survey = match survey_of.get(&(u, node)) {
                    Some(s) => Some(*s),
                    None => match self.survey_draw(card, node, rule) {
                        Some(draw) => {
                            self.surveys.push(draw);
                            survey_of.insert((u, node), self.surveys.len() - 1);
                            Some(self.surveys.len() - 1)
                        }
                        None => {
                            if first && matches!(rule, Rule::Survey(_)) {
                                self.surveys_held += 1;
                            }
                            None
                        }
                    },
                };
                if appraisal.is_none() && survey.is_none() {
                    continue;
                }
                // The weight of the leaf's points in each tracked ancestor.
                let start = variant.links.len();
                let mut weight = 1.0;
                let mut at = Some(node);
                while let Some(n) = at {
                    if let Some(slot) = slot_of.get(&n) {
                        variant.links.push((*slot, weight));
                    }
                    if let Some(p) = parent[n] {
                        let rescales = set.nodes[p]
                            .not_applicable
                            .unwrap_or(set.policy.not_applicable)
                            == NotApplicable::RescaleToParent;
                        if rescales {
                            let below: Decimal = children[p].iter().map(|c| nodes[*c].max).sum();
                            if !below.is_zero() {
                                weight *= float(nodes[p].max) / float(below);
                            }
                        }
                    }
                    at = parent[n];
                }
                let link = match variant.links[start..] {
                    [(slot, 1.0)] => {
                        variant.links.truncate(start);
                        SINGLE | u32::from(slot)
                    }
                    _ => {
                        variant
                            .link_ranges
                            .push((index32(start), index32(variant.links.len())));
                        index32(variant.link_ranges.len() - 1)
                    }
                };
                let points = float(score.points);
                #[allow(clippy::cast_possible_truncation)]
                let change = |to: Option<f64>| to.map_or(0.0, |t| (t - points) as f32);
                let (down, up) = match appraisal {
                    Some((down, up)) => (change(down), change(up)),
                    None => (f32::NAN, f32::NAN),
                };
                variant.leaves.push(LeafMove {
                    down,
                    up,
                    survey: survey.map_or(u32::MAX, index32),
                    link,
                });
            }
        }
        variant.unit_start.push(index32(variant.leaves.len()));
        variant
    }

    /// The survey draw of a leaf, when its respondent counts are known: from raw answers, or
    /// typed as counts (`17/20`, `A=10 B=5`). A share typed as a percent is held fixed.
    fn survey_draw(
        &mut self,
        card: &parindex_core::Scorecard,
        node: usize,
        rule: &Rule,
    ) -> Option<Survey> {
        let Rule::Survey(_) = rule else {
            return None;
        };
        let Some((Value::Survey(survey), _)) = card.trace(node) else {
            return None;
        };
        let derived = card.derivation_at(node).is_some();
        let mut parts = Vec::with_capacity(survey.parts.len());
        for (group, responses) in &survey.parts {
            let part = match responses {
                Responses::Share {
                    satisfied,
                    respondents,
                } if derived || *respondents != Decimal::ONE_HUNDRED => {
                    match (whole(*satisfied), whole(*respondents)) {
                        (Some(s), Some(n)) if n > 0 && s <= n => Part {
                            group: group.clone(),
                            counts: vec![("satisfied".to_owned(), s), ("not".to_owned(), n - s)],
                            share: true,
                        },
                        _ => None?,
                    }
                }
                Responses::Counts(counts) => Part {
                    group: group.clone(),
                    counts: counts
                        .iter()
                        .map(|(o, c)| whole(*c).map(|c| (o.clone(), c)))
                        .collect::<Option<Vec<_>>>()?,
                    share: false,
                },
                Responses::Share { .. } => None?,
            };
            parts.push(part);
        }
        let max = self.set.nodes[node].max;
        if let [part] = parts.as_slice() {
            if part.share {
                let (s, n) = (part.counts[0].1, part.counts[0].1 + part.counts[1].1);
                let points: Vec<f64> = (0..=n)
                    .map(|k| {
                        let value = share_value(part.group.clone(), k, n);
                        rule.evaluate(&value, &parindex_core::Context::with_max(max))
                            .map(|o| float(o.points))
                            .unwrap_or(0.0)
                    })
                    .collect();
                let start = index32(self.steps.len());
                for (k, p) in points.iter().enumerate() {
                    let new_step = self.steps.len() == start as usize
                        || self.steps.last().is_some_and(|(_, q)| q != p);
                    if new_step {
                        self.steps.push((index32(k), *p));
                    }
                }
                let (below, at) = binomial_at(n, s);
                return Some(Survey::Share {
                    node,
                    group: part.group.clone(),
                    n,
                    observed: s,
                    base: points[s as usize],
                    below,
                    at,
                    steps: (start, index32(self.steps.len())),
                });
            }
        }
        let base = card.node_at(node)?.points;
        Some(Survey::Counts {
            node,
            parts,
            base: float(base),
        })
    }
}

/// A survey value of one part: `k` of `n` satisfied.
pub(crate) fn share_value(group: Option<String>, k: u32, n: u32) -> Value {
    Value::Survey(Box::new(parindex_core::Survey {
        parts: vec![(
            group,
            Responses::Share {
                satisfied: Decimal::from(k),
                respondents: Decimal::from(n),
            },
        )],
    }))
}

/// The units ranked in each ranking group (units marked not ranked, and units to which nothing
/// applies, are left out), groups in sorted order.
fn ranked_groups(results: &Results) -> Vec<Vec<usize>> {
    let mut groups: Vec<&Option<String>> = results.units.iter().map(|u| &u.group).collect();
    groups.sort();
    groups.dedup();
    groups
        .into_iter()
        .map(|group| {
            let members = results.units.iter().enumerate().filter(|(_, u)| {
                &u.group == group
                    && u.attributes.get("ranked") != Some(&parindex_core::AttrValue::Bool(false))
            });
            members.map(|(i, _)| i).collect()
        })
        .collect()
}

/// The nodes a replication keeps points for: the scored areas (whose sum is the total), then
/// the nodes that tie-breakers and band gates read.
fn tracked_nodes(set: &CriteriaSet) -> Vec<usize> {
    let position = |code: &str| set.nodes.iter().position(|n| n.code == code);
    let mut tracked: Vec<usize> = set
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.parent_code().is_none() && n.kind == NodeKind::Scored)
        .map(|(i, _)| i)
        .collect();
    let gates = set
        .bands
        .iter()
        .flat_map(|b| b.requires.iter().chain(&b.forced_by))
        .filter_map(|g| match g {
            Gate::Node { code, .. } => Some(code.as_str()),
            Gate::Attribute { .. } => None,
        });
    for code in set
        .policy
        .tie_breakers
        .iter()
        .map(String::as_str)
        .chain(gates)
    {
        if let Some(i) = position(code) {
            if !tracked.contains(&i) {
                tracked.push(i);
            }
        }
    }
    tracked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_probabilities_at_the_observed_count() {
        // Bin(4, 0.75): P(K < 3) = 1 − 0.75⁴ − 4 × 0.75³ × 0.25 = 0.26171875; P(K = 3) = 0.421875.
        let (below, at) = binomial_at(4, 3);
        assert!((below - 0.261_718_75).abs() < 1e-12);
        assert!((at - 0.421_875).abs() < 1e-12);
        assert_eq!(binomial_at(3, 0), (0.0, 1.0));
        assert_eq!(binomial_at(3, 3), (0.0, 1.0));
    }
}
