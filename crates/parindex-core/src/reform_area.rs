//! The reform areas of the PAR programme: a fixed classification that every criteria set's
//! rows can be read through, whatever the set's own codes.
//!
//! The national programmes of public administration reform (Resolution 30c/NQ-CP for
//! 2011–2020, Resolution 76/NQ-CP for 2021–2030) organise the work in six areas: institutions,
//! administrative procedures, the organisation of the apparatus, the civil service, public
//! finance and modernisation. The PAR Index adds two more: the direction of the reform, and its
//! impact on people, organisations and development. Provinces copy the same areas into their
//! plans and their criteria sets, but number them their own way, and a set may file a row
//! under an area the programme would not (the police sets' e-government area holds the
//! delivery of procedure results by post, a procedures matter).
//!
//! A criteria file declares `reform_area` on any node; its descendants inherit it, and any of
//! them may declare another ([`CriteriaSet::reform_area`]). Each unit then gets a sub-index per
//! reform area ([`Scorecard::reform_areas`]): the points of the rows in the area over their
//! applicable maximum, as for any node. So the procedures of a commune set can be set beside
//! those of a department set, and one year beside the next, without a crosswalk of codes
//! ([`compare_reform_areas`]).
//!
//! ```
//! use parindex_core::{shipped, Batch, Plan, ReformArea};
//!
//! let set = shipped::load("binh-thuan-police/commune/2024")?.set;
//! assert_eq!(set.reform_area("1.1.1"), Some(ReformArea::Direction));
//! assert_eq!(set.reform_area("4.3.1"), Some(ReformArea::Organisation)); // 4 is procedures
//! assert_eq!(ReformArea::Procedures.name_vi(), "Cải cách thủ tục hành chính");
//!
//! let plan = Plan::new(&set);
//! let mut batch = Batch::new(&plan);
//! let ward = batch.add_unit("CAP-01", [])?;
//! batch.set_text(ward, "2.1.1", None, "có")?;
//! let results = plan.score(&batch)?;
//! let areas = results.units[0].reform_areas();
//! let institutional = areas.iter().find(|a| a.area == ReformArea::Institutional).ok_or("none")?;
//! assert_eq!((institutional.points.to_string(), institutional.max.to_string()), ("1".into(), "3".into()));
//! assert_eq!(institutional.reported_index.map(|i| i.to_string()), Some("33.33".into()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use crate::diff::YearResults;
use crate::model::{CriteriaSet, NodeKind, NotApplicable};
use crate::names::named;
use crate::plan::Plan;
use crate::score::{NodeStatus, Scorecard, index_of};
use crate::text::nfc;

/// A reform area of the PAR programme, as the PAR Index reads it.
///
/// The six areas of the national programmes, with the Index's direction first and impact
/// last, in the order the Index lists them. [`ReformArea::name_vi`] and
/// [`ReformArea::name_en`] give their names; the names written in files are those of
/// [`ReformArea::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReformArea {
    /// Direction and management of the reform (chỉ đạo, điều hành): plans, reports,
    /// inspection, propaganda, initiative. Added by the PAR Index.
    Direction,
    /// Institutions (thể chế): drafting, reviewing, disseminating and enforcing legal documents.
    Institutional,
    /// Administrative procedures (thủ tục hành chính): their control, publicity and
    /// simplification, and the one-stop mechanism that handles them.
    Procedures,
    /// Organisation of the apparatus (tổ chức bộ máy): structures, staffing quotas,
    /// decentralisation, working rules.
    Organisation,
    /// The civil service (công vụ; đội ngũ cán bộ, công chức, viên chức): job positions,
    /// training, evaluation and discipline of officials.
    CivilService,
    /// Public finance (tài chính công): budgets, spending rules, autonomy, public investment.
    PublicFinance,
    /// Modernisation of the administration (hiện đại hóa hành chính): IT, e-government and
    /// digital government, online public services, ISO quality systems, offices and equipment.
    Modernisation,
    /// Impact of the reform (tác động) on people, organisations and development: satisfaction
    /// surveys, governance and competitiveness indices, socio-economic results. Added by the
    /// PAR Index.
    Impact,
}

named!(ReformArea, "reform area", {
    Direction => "direction",
    Institutional => "institutional",
    Procedures => "procedures",
    Organisation => "organisation",
    CivilService => "civil-service",
    PublicFinance => "public-finance",
    Modernisation => "modernisation",
    Impact => "impact",
});

impl ReformArea {
    /// The area's name in Vietnamese, as the programmes and the PAR Index write it.
    pub const fn name_vi(self) -> &'static str {
        match self {
            ReformArea::Direction => "Công tác chỉ đạo, điều hành cải cách hành chính",
            ReformArea::Institutional => "Cải cách thể chế",
            ReformArea::Procedures => "Cải cách thủ tục hành chính",
            ReformArea::Organisation => "Cải cách tổ chức bộ máy hành chính nhà nước",
            ReformArea::CivilService => {
                "Cải cách chế độ công vụ; xây dựng đội ngũ cán bộ, công chức, viên chức"
            }
            ReformArea::PublicFinance => "Cải cách tài chính công",
            ReformArea::Modernisation => {
                "Hiện đại hóa hành chính; xây dựng chính phủ điện tử, chính phủ số"
            }
            ReformArea::Impact => {
                "Tác động của cải cách hành chính đến người dân, tổ chức và phát triển kinh tế - xã hội"
            }
        }
    }

    /// The area's name in English.
    pub const fn name_en(self) -> &'static str {
        match self {
            ReformArea::Direction => "Direction and management of administrative reform",
            ReformArea::Institutional => "Institutional reform",
            ReformArea::Procedures => "Administrative procedure reform",
            ReformArea::Organisation => "Reform of the organisation of the state apparatus",
            ReformArea::CivilService => "Civil service reform; officials and public employees",
            ReformArea::PublicFinance => "Public finance reform",
            ReformArea::Modernisation => "Modernisation of the administration; e-government",
            ReformArea::Impact => "Impact of administrative reform on people and development",
        }
    }

    /// Whether the area is one of the six of the national programmes (30c/NQ-CP, 76/NQ-CP),
    /// rather than one the PAR Index adds (direction, impact).
    pub const fn in_programme(self) -> bool {
        !matches!(self, ReformArea::Direction | ReformArea::Impact)
    }
}

impl CriteriaSet {
    /// The reform area of the node with this code: its own `reform_area`, or the nearest
    /// ancestor's. `None` for a node that is in no reform area, or no node at all.
    pub fn reform_area(&self, code: &str) -> Option<ReformArea> {
        let code = nfc(code);
        let mut at: &str = &code;
        loop {
            if let Some(area) = self.node(at).and_then(|n| n.reform_area) {
                return Some(area);
            }
            at = crate::model::parent_code(at)?;
        }
    }

    /// The reform areas of the set's scored leaves, in the vocabulary's order: the areas a
    /// unit of the set gets a sub-index for.
    pub fn reform_areas(&self) -> Vec<ReformArea> {
        AreaPlan::new(self).areas
    }

    /// Per reform area of the set, in the vocabulary's order: the codes of the largest nodes
    /// wholly in it (a node all of whose scored leaves are in the area, under a parent that is
    /// not), and the sum of their maxima.
    ///
    /// ```
    /// use parindex_core::{shipped, ReformArea};
    /// let set = shipped::load("binh-thuan-police/commune/2024")?.set;
    /// let parts = set.reform_area_parts();
    /// let (area, codes, max) = &parts[2];
    /// assert_eq!(*area, ReformArea::Procedures);
    /// assert_eq!(codes, &["3", "4.1", "4.2", "7.1"]);
    /// assert_eq!(max.to_string(), "18");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reform_area_parts(&self) -> Vec<(ReformArea, Vec<String>, Decimal)> {
        let plan = AreaPlan::new(self);
        let mut parts: Vec<(ReformArea, Vec<String>, Decimal)> = plan
            .areas
            .iter()
            .map(|a| (*a, Vec::new(), Decimal::ZERO))
            .collect();
        for (i, node) in self.nodes.iter().enumerate() {
            let Purity::Pure(Some(slot)) = plan.purity[i] else {
                continue;
            };
            let top = plan.parent[i].is_none_or(|p| plan.purity[p] == Purity::Mixed);
            if top && plan.scored[i] {
                parts[slot].1.push(node.code.clone());
                parts[slot].2 += node.max;
            }
        }
        parts
    }
}

/// A unit's sub-index in one reform area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReformAreaScore {
    /// The reform area.
    pub area: ReformArea,
    /// Points won in the area's rows.
    pub points: Decimal,
    /// The applicable maximum of the area's rows: 0 when none applies to the unit.
    pub max: Decimal,
    /// `points ÷ max × scale`, exact; `None` when nothing in the area applies.
    pub index: Option<Decimal>,
    /// The index rounded as the set reports indices.
    pub reported_index: Option<Decimal>,
}

/// How the nodes of a set fall into reform areas, worked out once per set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AreaPlan {
    /// The reform areas of the scored leaves, in the vocabulary's order; a node's slot is its
    /// area's position here, and the slot after the last holds the rows of no area.
    pub(crate) areas: Vec<ReformArea>,
    /// Per node: whether all its scored leaves share one slot.
    purity: Vec<Purity>,
    /// Per node: its parent's position.
    parent: Vec<Option<usize>>,
    /// Per node: whether it is in the scored part of the tree (not in a bonus or penalty
    /// block), which alone counts in the sub-indices.
    scored: Vec<bool>,
    /// Per node of several slots: the maxima of its leaves per slot, which share out its
    /// maximum when a `full-points` parent counts it in full.
    weights: HashMap<usize, Vec<Decimal>>,
}

/// Whether a node's scored leaves are all in one reform area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purity {
    /// All in this slot (`None`: all in no area).
    Pure(Option<usize>),
    /// In several.
    Mixed,
}

impl AreaPlan {
    pub(crate) fn new(set: &CriteriaSet) -> Self {
        let n = set.nodes.len();
        let position: HashMap<&str, usize> = set
            .nodes
            .iter()
            .enumerate()
            .map(|(i, node)| (node.code.as_str(), i))
            .collect();
        let parent: Vec<Option<usize>> = set
            .nodes
            .iter()
            .map(|node| node.parent_code().and_then(|p| position.get(p).copied()))
            .collect();
        // Parents come before their children in a valid set, but a set read by another
        // program might not keep to that: walk the codes, not the order.
        let top_kind = |i: usize| {
            let area = set.nodes[i].code.split('.').next().unwrap_or_default();
            position
                .get(area)
                .map_or(NodeKind::Scored, |a| set.nodes[*a].kind)
        };
        let scored: Vec<bool> = (0..n).map(|i| top_kind(i) == NodeKind::Scored).collect();
        // Each node's own area, or its nearest ancestor's.
        let declared: Vec<Option<ReformArea>> = (0..n)
            .map(|i| {
                let mut at = Some(i);
                while let Some(j) = at {
                    if let Some(area) = set.nodes[j].reform_area {
                        return Some(area);
                    }
                    at = parent[j];
                }
                None
            })
            .collect();
        let mut has_children = vec![false; n];
        for p in parent.iter().flatten() {
            has_children[*p] = true;
        }
        let leaves: Vec<usize> = (0..n).filter(|i| !has_children[*i] && scored[*i]).collect();
        let mut areas: Vec<ReformArea> = leaves.iter().filter_map(|i| declared[*i]).collect();
        areas.sort();
        areas.dedup();
        let slot_of =
            |area: Option<ReformArea>| area.and_then(|a| areas.iter().position(|x| *x == a));
        let slots = areas.len() + 1;
        let mut purity: Vec<Option<Purity>> = vec![None; n];
        let mut weights_all: Vec<Vec<Decimal>> = vec![vec![Decimal::ZERO; slots]; n];
        for &leaf in &leaves {
            let slot = slot_of(declared[leaf]);
            let mut at = Some(leaf);
            while let Some(i) = at {
                purity[i] = Some(match purity[i] {
                    None => Purity::Pure(slot),
                    Some(Purity::Pure(s)) if s == slot => Purity::Pure(s),
                    Some(_) => Purity::Mixed,
                });
                let w = &mut weights_all[i][slot.unwrap_or(slots - 1)];
                *w = w.saturating_add(set.nodes[leaf].max);
                at = parent[i];
            }
        }
        let purity: Vec<Purity> = purity
            .into_iter()
            .map(|p| p.unwrap_or(Purity::Pure(None)))
            .collect();
        let weights = (0..n)
            .filter(|i| purity[*i] == Purity::Mixed)
            .map(|i| (i, std::mem::take(&mut weights_all[i])))
            .collect();
        AreaPlan {
            areas,
            purity,
            parent,
            scored,
            weights,
        }
    }

    /// A unit's points and applicable maximum per slot, taken apart the way the scoring put
    /// them together: a node wholly in one area counts with its own points and applicable
    /// maximum; a node of several areas is split into its children, counted under its own
    /// not-applicable policy and scaled as it scales them.
    fn split(&self, plan: &Plan, card: &Scorecard) -> Vec<(Decimal, Decimal)> {
        let mut out = vec![(Decimal::ZERO, Decimal::ZERO); self.areas.len() + 1];
        for &area in &plan.areas {
            if self.scored[area] && applies(card, area) {
                self.add(plan, card, area, &mut out);
            }
        }
        out
    }

    /// Adds an applicable node's points and applicable maximum into `out`, per slot.
    fn add(&self, plan: &Plan, card: &Scorecard, node: usize, out: &mut [(Decimal, Decimal)]) {
        let slot = match self.purity[node] {
            Purity::Pure(slot) => slot.unwrap_or(self.areas.len()),
            Purity::Mixed => {
                let mut part = vec![(Decimal::ZERO, Decimal::ZERO); out.len()];
                let policy = plan.na_policy[node];
                for &child in &plan.children[node] {
                    if applies(card, child) {
                        self.add(plan, card, child, &mut part);
                    } else if policy == NotApplicable::FullPoints {
                        self.add_in_full(plan, child, &mut part);
                    }
                }
                let node_max = plan.set.nodes[node].max;
                let max: Decimal = part.iter().map(|(_, m)| *m).sum();
                let rescale =
                    policy == NotApplicable::RescaleToParent && max != node_max && !max.is_zero();
                for ((p, m), (into_p, into_m)) in part.into_iter().zip(out.iter_mut()) {
                    let (p, m) = if rescale {
                        (p * node_max / max, m * node_max / max)
                    } else {
                        (p, m)
                    };
                    *into_p += p;
                    *into_m += m;
                }
                return;
            }
        };
        if let Some(score) = card.node_at(node) {
            out[slot].0 += score.points;
            out[slot].1 += score.max;
        }
    }

    /// Adds a not-applicable node counted in full (its maximum, won) into `out`: to its slot,
    /// or shared out over its slots by the maxima of its leaves.
    fn add_in_full(&self, plan: &Plan, node: usize, out: &mut [(Decimal, Decimal)]) {
        let full = plan.set.nodes[node].max;
        match (self.purity[node], self.weights.get(&node)) {
            (Purity::Mixed, Some(weights)) => {
                let total: Decimal = weights.iter().copied().sum();
                for (w, (p, m)) in weights.iter().zip(out.iter_mut()) {
                    if total.is_zero() || w.is_zero() {
                        continue;
                    }
                    let share = full * *w / total;
                    *p += share;
                    *m += share;
                }
            }
            (purity, _) => {
                let slot = match purity {
                    Purity::Pure(Some(s)) => s,
                    _ => self.areas.len(),
                };
                out[slot].0 += full;
                out[slot].1 += full;
            }
        }
    }
}

impl Scorecard {
    /// The unit's sub-index per reform area of the set, in the vocabulary's order: the points
    /// of the area's rows over their applicable maximum, on the set's scale, as for any node.
    ///
    /// A node wholly in one area counts in it with its own points and applicable maximum; a
    /// node whose rows are in several areas is taken apart into its children, counted as the
    /// node counts them (its not-applicable policy, its rescaling). Bonus and penalty blocks,
    /// which add to the total but not to the maximum, count in no area, and neither do rows
    /// without one. So for a set whose areas each sit wholly in one reform area, the points
    /// and maxima of the reform areas add up to the unit's total and applicable maximum.
    pub fn reform_areas(&self) -> Vec<ReformAreaScore> {
        let plan = &self.inputs.plan;
        let reform = &plan.reform;
        let policy = &self.set.policy;
        reform
            .areas
            .iter()
            .zip(reform.split(plan, self))
            .map(|(area, (points, max))| {
                let index = index_of(points, max, policy.scale);
                ReformAreaScore {
                    area: *area,
                    points,
                    max,
                    index,
                    reported_index: index.map(|i| policy.rounding.round(i, policy.decimals)),
                }
            })
            .collect()
    }
}

/// A reform area's sub-indices over the units of one results. Figures are rounded to 2
/// decimals, half away from zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaSummary {
    /// Units with a sub-index in the area (something in it applies to them).
    pub units: usize,
    /// The mean of their exact sub-indices.
    pub mean: Option<Decimal>,
    /// The lowest sub-index.
    pub min: Option<Decimal>,
    /// The highest sub-index.
    pub max: Option<Decimal>,
}

/// How one reform area compares between two results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReformAreaChange {
    /// The reform area.
    pub area: ReformArea,
    /// Over the older (or first) results.
    pub before: AreaSummary,
    /// Over the newer (or second) results.
    pub after: AreaSummary,
    /// The change in the mean sub-index, newer less older.
    pub change: Option<Decimal>,
}

/// How one unit's sub-index in one reform area moved, for a unit in both results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitAreaChange {
    /// The unit's id.
    pub unit: String,
    /// The reform area.
    pub area: ReformArea,
    /// The older sub-index, rounded to 2 decimals.
    pub before: Option<Decimal>,
    /// The newer sub-index, rounded to 2 decimals.
    pub after: Option<Decimal>,
    /// The change, newer less older.
    pub change: Option<Decimal>,
}

/// Two results compared by reform area: [`compare_reform_areas`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReformAreaComparison {
    /// Per reform area of either results, in the vocabulary's order.
    pub areas: Vec<ReformAreaChange>,
    /// Per unit in both results (matched by id) and reform area of either, in the newer
    /// results' order; empty when no unit is in both, as for two sets of different levels.
    pub units: Vec<UnitAreaChange>,
}

/// A sub-index as compared: to 2 decimals, half away from zero, as indices are published.
fn two_decimals(x: Decimal) -> Decimal {
    crate::Rounding::HalfAwayFromZero.round(x, 2)
}

/// Compares two results by reform area: one year with the next, whatever the numbering of
/// their sets, or two sets of different levels (the department set and the commune set of one
/// province). No crosswalk is needed: each set says which reform area each of its rows is in.
///
/// Per reform area it gives the number of units with a sub-index, their mean, lowest and
/// highest sub-index on each side, and the change in the mean; per unit found in both (by id),
/// the change in its sub-index. Sub-indices are on `scale`.
///
/// ```
/// use parindex_core::{compare_reform_areas, shipped, Batch, Plan, ReformArea};
///
/// let score = |id: &str, unit: &str, code: &str| -> Result<_, Box<dyn std::error::Error>> {
///     let plan = Plan::new(&shipped::load(id)?.set);
///     let mut batch = Batch::new(&plan);
///     let u = batch.add_unit(unit, [])?;
///     batch.set_text(u, code, None, "có")?;
///     Ok(plan.score(&batch)?.year_view())
/// };
/// let divisions = score("binh-thuan-police/division/2024", "PC01", "2.1.1")?;
/// let communes = score("binh-thuan-police/commune/2024", "CAP-01", "2.1.1")?;
/// let compared = compare_reform_areas(&divisions, &communes, 100.into());
/// let institutional = compared.areas.iter().find(|a| a.area == ReformArea::Institutional).ok_or("none")?;
/// assert_eq!(institutional.before.mean.map(|m| m.to_string()), Some("8.33".into())); // 2 of 24
/// assert_eq!(institutional.after.mean.map(|m| m.to_string()), Some("33.33".into())); // 1 of 3
/// assert!(compared.units.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare_reform_areas(
    before: &YearResults,
    after: &YearResults,
    scale: Decimal,
) -> ReformAreaComparison {
    let sub_index = |points: Decimal, max: Decimal| index_of(points, max, scale);
    let indices = |results: &YearResults| {
        let mut by_area: BTreeMap<ReformArea, Vec<Decimal>> = BTreeMap::new();
        for unit in &results.units {
            for (area, points, max) in &unit.reform_areas {
                let entry = by_area.entry(*area).or_default();
                if let Some(i) = sub_index(*points, *max) {
                    entry.push(i);
                }
            }
        }
        by_area
    };
    let (older, newer) = (indices(before), indices(after));
    let summary = |values: Option<&Vec<Decimal>>| {
        let values = values.map(Vec::as_slice).unwrap_or_default();
        let round = two_decimals;
        let sum = values
            .iter()
            .try_fold(Decimal::ZERO, |s, x| s.checked_add(*x));
        AreaSummary {
            units: values.len(),
            mean: sum
                .filter(|_| !values.is_empty())
                .and_then(|s| s.checked_div(Decimal::from(values.len())))
                .map(round),
            min: values.iter().min().copied().map(round),
            max: values.iter().max().copied().map(round),
        }
    };
    let mut all: Vec<ReformArea> = older.keys().chain(newer.keys()).copied().collect();
    all.sort();
    all.dedup();
    let areas = all
        .iter()
        .map(|area| {
            let (b, a) = (summary(older.get(area)), summary(newer.get(area)));
            ReformAreaChange {
                area: *area,
                change: b.mean.zip(a.mean).map(|(b, a)| a - b),
                before: b,
                after: a,
            }
        })
        .collect();
    let older_units: HashMap<&str, &crate::diff::YearUnit> =
        before.units.iter().map(|u| (u.unit.as_str(), u)).collect();
    let mut units = Vec::new();
    for new in &after.units {
        let Some(old) = older_units.get(new.unit.as_str()) else {
            continue;
        };
        let of = |unit: &crate::diff::YearUnit, area: ReformArea| {
            unit.reform_areas
                .iter()
                .find(|(a, ..)| *a == area)
                .and_then(|(_, p, m)| sub_index(*p, *m))
                .map(two_decimals)
        };
        for area in &all {
            let (b, a) = (of(old, *area), of(new, *area));
            units.push(UnitAreaChange {
                unit: new.unit.clone(),
                area: *area,
                before: b,
                after: a,
                change: b.zip(a).map(|(b, a)| a - b),
            });
        }
    }
    ReformAreaComparison { areas, units }
}

/// Whether the node at `node` applies to the unit, by its result.
fn applies(card: &Scorecard, node: usize) -> bool {
    card.node_at(node)
        .is_some_and(|n| n.status != NodeStatus::NotApplicable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Batch, CriteriaSet};

    const SET: &str = r#"
[set]
format = 1
id = "example/commune/2024"
title = "Example"
level = "commune"
year = 2024
language = "en"
max = 10
[origin]
authority = "Example office"
source = "made up for this test"
status = "example"
[policy]
not_applicable = "full-points"
[attributes.kind]
type = "text"
[[node]]
code = "1"
name = "Direction"
max = 6
reform_area = "direction"
[[node]]
code = "1.1"
name = "Mixed"
max = 4
applies = { kind = "ward" }
[[node]]
code = "1.1.1"
name = "Direction row"
max = 1
rule = { kind = "yes-no" }
[[node]]
code = "1.1.2"
name = "Procedures row"
max = 3
reform_area = "procedures"
rule = { kind = "yes-no" }
[[node]]
code = "1.2"
name = "Plan"
max = 2
rule = { kind = "yes-no" }
[[node]]
code = "2"
name = "Unclassified"
max = 4
rule = { kind = "yes-no" }
[[node]]
code = "B"
name = "Bonus"
kind = "bonus"
max = 1
[[node]]
code = "B.1"
name = "Initiatives"
max = 1
rule = { kind = "per-item", points = 0.5 }
"#;

    fn scored(kind: &str, values: &[(&str, &str)]) -> Vec<ReformAreaScore> {
        let loaded = CriteriaSet::from_toml(SET, "set.toml").unwrap_or_else(|e| panic!("{e}"));
        let plan = Plan::new(&loaded.set);
        let mut batch = Batch::new(&plan);
        let unit = batch.add_unit("U", []).unwrap_or_else(|e| panic!("{e}"));
        batch
            .set_attribute_text(unit, "kind", kind)
            .unwrap_or_else(|e| panic!("{e}"));
        for (code, text) in values {
            batch
                .set_text(unit, code, None, text)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let results = plan.score(&batch).unwrap_or_else(|e| panic!("{e}"));
        results.units[0].reform_areas()
    }

    fn figures(areas: &[ReformAreaScore]) -> Vec<(ReformArea, String, String)> {
        areas
            .iter()
            .map(|a| (a.area, a.points.to_string(), a.max.to_string()))
            .collect()
    }

    #[test]
    fn a_node_of_several_areas_is_split_into_its_children() {
        let areas = scored(
            "ward",
            &[
                ("1.1.1", "có"),
                ("1.1.2", "không"),
                ("1.2", "có"),
                ("2", "có"),
                ("B.1", "2"),
            ],
        );
        // 1 is direction but 1.1.2 overrides it; 2 and the bonus block are in no area.
        assert_eq!(
            figures(&areas),
            [
                (ReformArea::Direction, "3".into(), "3".into()),
                (ReformArea::Procedures, "0".into(), "3".into()),
            ]
        );
        assert_eq!(
            areas[0].reported_index.map(|i| i.to_string()),
            Some("100.00".into())
        );
    }

    #[test]
    fn a_node_counted_in_full_shares_its_maximum_by_its_leaves() {
        // 1.1 does not apply to a commune; its parent counts it in full (full-points), 4 points
        // shared 1 : 3 between direction and procedures as the maxima of its leaves are.
        let areas = scored("commune", &[("1.2", "không"), ("2", "có")]);
        assert_eq!(
            figures(&areas),
            [
                (ReformArea::Direction, "1".into(), "3".into()),
                (ReformArea::Procedures, "3".into(), "3".into()),
            ]
        );
    }

    #[test]
    fn the_parts_of_each_area_are_its_largest_nodes() {
        let set = CriteriaSet::from_toml(SET, "set.toml")
            .unwrap_or_else(|e| panic!("{e}"))
            .set;
        let parts = set.reform_area_parts();
        assert_eq!(
            parts,
            [
                (
                    ReformArea::Direction,
                    vec!["1.1.1".to_owned(), "1.2".to_owned()],
                    Decimal::from(3)
                ),
                (
                    ReformArea::Procedures,
                    vec!["1.1.2".to_owned()],
                    Decimal::from(3)
                ),
            ]
        );
        assert_eq!(
            set.reform_areas(),
            [ReformArea::Direction, ReformArea::Procedures]
        );
    }

    #[test]
    fn every_area_has_a_name_in_both_languages() {
        for area in ReformArea::ALL {
            assert!(!area.name_vi().is_empty() && !area.name_en().is_empty());
        }
        let programme: Vec<&str> = ReformArea::ALL
            .iter()
            .filter(|a| a.in_programme())
            .map(|a| a.as_str())
            .collect();
        assert_eq!(
            programme,
            [
                "institutional",
                "procedures",
                "organisation",
                "civil-service",
                "public-finance",
                "modernisation"
            ]
        );
    }
}
