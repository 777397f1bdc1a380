//! Ranking within groups, with ties and tie-breakers, and classification into bands.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::model::{AttrValue, Band, CriteriaSet, Gate, RankOn, Ties};
use crate::score::Scorecard;

/// What ranking needs of one unit: enough to rank units scored apart (in partitions, on
/// several machines) exactly as if they had been scored together, with [`rank_keys`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankKey {
    /// The unit's id: the last tie-breaker, so that the order is total.
    pub unit: String,
    /// Its ranking group, when the set ranks by group.
    pub group: Option<String>,
    /// Whether it is ranked at all: not when marked `ranked = false` or when nothing applies.
    pub ranked: bool,
    /// The ranking index (reported or exact, as the set says), then the index of each
    /// tie-breaker node in order; `Decimal::MIN` where there is none.
    pub key: Vec<Decimal>,
}

impl RankKey {
    /// A scored unit's ranking key under its set.
    pub fn of(set: &CriteriaSet, unit: &Scorecard) -> RankKey {
        RankKey {
            unit: unit.unit.clone(),
            group: unit.group.clone(),
            ranked: is_ranked(unit) && unit.index.is_some(),
            key: sort_key(set, unit),
        }
    }
}

/// The ranks of units within their groups, by the set's tie policy: the one ranking of the
/// engine, for units scored together ([`crate::Plan::score`]) or apart (from their
/// [`RankKey`]s). `None` for a unit not ranked.
///
/// ```
/// use parindex_core::{rank_keys, shipped, RankKey};
/// use rust_decimal::Decimal;
/// let set = shipped::load("binh-thuan-police/commune/2024")?.set;
/// let key = |unit: &str, index: i64| RankKey {
///     unit: unit.to_owned(), group: None, ranked: true, key: vec![Decimal::from(index)],
/// };
/// let ranks = rank_keys(&set, &[key("A", 80), key("B", 90), key("C", 80)]);
/// assert_eq!(ranks, [Some(2), Some(1), Some(2)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn rank_keys(set: &CriteriaSet, units: &[RankKey]) -> Vec<Option<u32>> {
    let mut ranks = vec![None; units.len()];
    let mut groups: Vec<Option<&String>> = units.iter().map(|u| u.group.as_ref()).collect();
    groups.sort();
    groups.dedup();
    for group in groups {
        let mut members: Vec<usize> = (0..units.len())
            .filter(|i| units[*i].group.as_ref() == group && units[*i].ranked)
            .collect();
        members.sort_by(|a, b| {
            units[*b]
                .key
                .cmp(&units[*a].key)
                .then_with(|| units[*a].unit.cmp(&units[*b].unit))
        });
        let mut rank = 0u32;
        let mut dense = 0u32;
        for (position, &i) in members.iter().enumerate() {
            let tied = position > 0
                && units[i].key.cmp(&units[members[position - 1]].key) == Ordering::Equal;
            if !tied {
                rank = u32::try_from(position + 1).unwrap_or(u32::MAX);
                dense += 1;
            }
            ranks[i] = Some(match set.policy.ties {
                Ties::Competition => rank,
                Ties::Dense => dense,
            });
        }
    }
    ranks
}

/// Ranks the units within their groups and gives each its band.
pub(crate) fn rank_and_classify(set: &CriteriaSet, units: &mut [Scorecard]) {
    let keys: Vec<RankKey> = units.iter().map(|u| RankKey::of(set, u)).collect();
    for (unit, rank) in units.iter_mut().zip(rank_keys(set, &keys)) {
        unit.rank = rank;
    }
    for unit in units.iter_mut() {
        unit.band = classify(set, unit).map(|b| b.name.clone());
    }
}

fn is_ranked(unit: &Scorecard) -> bool {
    unit.attributes.get("ranked") != Some(&AttrValue::Bool(false))
}

/// The index ranks are based on: reported or exact, as the set says.
fn ranking_index(set: &CriteriaSet, unit: &Scorecard) -> Option<Decimal> {
    match set.policy.rank_on {
        RankOn::Reported => unit.reported_index,
        RankOn::Exact => unit.index,
    }
}

fn sort_key(set: &CriteriaSet, unit: &Scorecard) -> Vec<Decimal> {
    let mut key = vec![ranking_index(set, unit).unwrap_or(Decimal::MIN)];
    for code in &set.policy.tie_breakers {
        key.push(unit.node_index(code).unwrap_or(Decimal::MIN));
    }
    key
}

fn gate_holds(unit: &Scorecard, gate: &Gate) -> bool {
    match gate {
        Gate::Attribute { name, equals } => unit.attributes.get(name) == Some(equals),
        Gate::Node { code, when } => unit.node_index(code).is_some_and(|x| when.contains(x)),
    }
}

/// The band of a unit: a band forced by a condition first; otherwise the band its index falls
/// in, or the next band down whose requirements hold.
pub(crate) fn classify<'s>(set: &'s CriteriaSet, unit: &Scorecard) -> Option<&'s Band> {
    if let Some(forced) = set
        .bands
        .iter()
        .find(|b| b.forced_by.iter().any(|g| gate_holds(unit, g)))
    {
        return Some(forced);
    }
    let x = ranking_index(set, unit)?;
    let by_points = set.bands.iter().position(|b| b.when.contains(x))?;
    set.bands[by_points..]
        .iter()
        .find(|b| b.requires.iter().all(|g| gate_holds(unit, g)))
}
