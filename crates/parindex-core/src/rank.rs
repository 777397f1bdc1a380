//! Ranking within groups, with ties and tie-breakers, and classification into bands.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::model::{AttrValue, Band, CriteriaSet, Gate, RankOn, Ties};
use crate::score::Scorecard;

/// Ranks the units within their groups and gives each its band.
pub(crate) fn rank_and_classify(set: &CriteriaSet, units: &mut [Scorecard]) {
    let keys: Vec<Vec<Decimal>> = units.iter().map(|u| sort_key(set, u)).collect();
    let mut groups: Vec<Option<String>> = units.iter().map(|u| u.group.clone()).collect();
    groups.sort();
    groups.dedup();
    for group in groups {
        let mut members: Vec<usize> = (0..units.len())
            .filter(|i| {
                units[*i].group == group && is_ranked(&units[*i]) && units[*i].index.is_some()
            })
            .collect();
        members.sort_by(|a, b| {
            keys[*b]
                .cmp(&keys[*a])
                .then_with(|| units[*a].unit.cmp(&units[*b].unit))
        });
        let mut rank = 0u32;
        let mut dense = 0u32;
        for (position, &i) in members.iter().enumerate() {
            let tied = position > 0 && keys[i].cmp(&keys[members[position - 1]]) == Ordering::Equal;
            if !tied {
                rank = u32::try_from(position + 1).unwrap_or(u32::MAX);
                dense += 1;
            }
            units[i].rank = Some(match set.policy.ties {
                Ties::Competition => rank,
                Ties::Dense => dense,
            });
        }
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
