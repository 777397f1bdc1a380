//! What changed between two years' sets, and how a unit's results moved between two years.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::model::CriteriaSet;
use crate::score::{Results, index_of};
use crate::write::rule_to_toml;

/// One change between two sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A node only in the newer set.
    Added {
        /// Its code.
        code: String,
        /// Its name.
        name: String,
        /// Its maximum.
        max: Decimal,
    },
    /// A node only in the older set.
    Removed {
        /// Its code.
        code: String,
        /// Its name.
        name: String,
        /// Its maximum.
        max: Decimal,
    },
    /// The same row under a new code (matched by name).
    Moved {
        /// The old code.
        from: String,
        /// The new code.
        to: String,
        /// Its name.
        name: String,
    },
    /// A different maximum.
    MaxChanged {
        /// The code.
        code: String,
        /// The old maximum.
        from: Decimal,
        /// The new maximum.
        to: Decimal,
    },
    /// A different rule.
    RuleChanged {
        /// The code.
        code: String,
        /// The old rule, as inline TOML.
        from: String,
        /// The new rule, as inline TOML.
        to: String,
    },
    /// A different name.
    Renamed {
        /// The code.
        code: String,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Added { code, name, max } => {
                write!(f, "+ {code} {name} (max {})", max.normalize())
            }
            Change::Removed { code, name, max } => {
                write!(f, "- {code} {name} (max {})", max.normalize())
            }
            Change::Moved { from, to, name } => write!(f, "~ {from} → {to} {name}"),
            Change::MaxChanged { code, from, to } => {
                write!(f, "~ {code} max {} → {}", from.normalize(), to.normalize())
            }
            Change::RuleChanged { code, from, to } => write!(f, "~ {code} rule {from}\n  → {to}"),
            Change::Renamed { code, from, to } => write!(f, "~ {code} name \"{from}\" → \"{to}\""),
        }
    }
}

/// Compares two sets node by node, matched by code; rows that changed code but kept their name
/// are reported as moved.
///
/// ```
/// use parindex_core::{diff_sets, shipped, Change};
/// let a = shipped::load("binh-thuan-police/division/2024")?.set;
/// let b = shipped::load("binh-thuan-police/division-procedures/2024")?.set;
/// let changes = diff_sets(&a, &b);
/// assert!(changes.iter().any(|c| matches!(c, Change::MaxChanged { code, .. } if code == "1")));
/// assert!(diff_sets(&a, &a).is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn diff_sets(a: &CriteriaSet, b: &CriteriaSet) -> Vec<Change> {
    let in_b: HashMap<&str, usize> = b
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.code.as_str(), i))
        .collect();
    let in_a: HashMap<&str, usize> = a
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.code.as_str(), i))
        .collect();
    let mut changes = Vec::new();
    let mut removed: Vec<usize> = Vec::new();
    for (i, old) in a.nodes.iter().enumerate() {
        let Some(&j) = in_b.get(old.code.as_str()) else {
            removed.push(i);
            continue;
        };
        let new = &b.nodes[j];
        if old.name != new.name {
            changes.push(Change::Renamed {
                code: old.code.clone(),
                from: old.name.clone(),
                to: new.name.clone(),
            });
        }
        if old.max != new.max {
            changes.push(Change::MaxChanged {
                code: old.code.clone(),
                from: old.max,
                to: new.max,
            });
        }
        let rule = |r: &Option<crate::Rule>| {
            r.as_ref()
                .map(rule_to_toml)
                .unwrap_or_else(|| "(sum of children)".to_owned())
        };
        if old.rule != new.rule {
            changes.push(Change::RuleChanged {
                code: old.code.clone(),
                from: rule(&old.rule),
                to: rule(&new.rule),
            });
        }
    }
    let mut added: Vec<usize> = b
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| !in_a.contains_key(n.code.as_str()))
        .map(|(i, _)| i)
        .collect();
    for i in removed {
        let old = &a.nodes[i];
        if let Some(pos) = added.iter().position(|j| b.nodes[*j].name == old.name) {
            let new = &b.nodes[added.remove(pos)];
            changes.push(Change::Moved {
                from: old.code.clone(),
                to: new.code.clone(),
                name: old.name.clone(),
            });
        } else {
            changes.push(Change::Removed {
                code: old.code.clone(),
                name: old.name.clone(),
                max: old.max,
            });
        }
    }
    for j in added {
        let new = &b.nodes[j];
        changes.push(Change::Added {
            code: new.code.clone(),
            name: new.name.clone(),
            max: new.max,
        });
    }
    changes
}

/// One year's results, reduced to what a comparison across years needs. [`Results::year_view`]
/// makes one; a reader of saved results can build one too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearResults {
    /// The set's id.
    pub set_id: String,
    /// The year.
    pub year: i32,
    /// Per unit.
    pub units: Vec<YearUnit>,
}

/// One unit's results in a [`YearResults`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearUnit {
    /// The unit's id.
    pub unit: String,
    /// The reported index.
    pub index: Option<Decimal>,
    /// The exact index, unrounded, where known (what a comparison subtracts).
    pub index_exact: Option<Decimal>,
    /// Final points and the applicable maximum, where known: against the same maximum, a
    /// change of index is the change of points divided once.
    pub points: Option<(Decimal, Decimal)>,
    /// The rank.
    pub rank: Option<u32>,
    /// Per area: code, name, points, applicable maximum.
    pub areas: Vec<(String, String, Decimal, Decimal)>,
    /// Per reform area of the set: the area, points, applicable maximum
    /// ([`crate::Scorecard::reform_areas`]).
    pub reform_areas: Vec<(crate::ReformArea, Decimal, Decimal)>,
}

impl Results {
    /// This run's results reduced for a comparison across years.
    pub fn year_view(&self) -> YearResults {
        let set = self.set();
        let areas: Vec<usize> = set.areas_with_positions().map(|(i, _)| i).collect();
        YearResults {
            set_id: set.info.id.clone(),
            year: set.info.year,
            units: self
                .units
                .iter()
                .map(|u| YearUnit {
                    unit: u.unit.clone(),
                    index: u.reported_index,
                    index_exact: u.index,
                    points: Some((u.total, u.max)),
                    rank: u.rank,
                    areas: areas
                        .iter()
                        .map(|i| {
                            let score = u.node_at(*i);
                            (
                                set.nodes[*i].code.clone(),
                                set.nodes[*i].name.clone(),
                                score.map_or(Decimal::ZERO, |s| s.points),
                                score.map_or(Decimal::ZERO, |s| s.max),
                            )
                        })
                        .collect(),
                    reform_areas: u
                        .reform_areas()
                        .into_iter()
                        .map(|a| (a.area, a.points, a.max))
                        .collect(),
                })
                .collect(),
        }
    }
}

/// How one area of a unit moved, as sub-indices (the maxima may differ between years).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaChange {
    /// The area's code in the newer set.
    pub code: String,
    /// Its name in the newer set.
    pub name: String,
    /// The older sub-index, to 2 decimals (for display).
    pub before: Option<Decimal>,
    /// The newer sub-index, to 2 decimals (for display).
    pub after: Option<Decimal>,
    /// The exact change, newer less older, to 2 decimals (for display).
    pub change: Option<Decimal>,
    /// The older sub-index, exact.
    pub before_exact: Option<Decimal>,
    /// The newer sub-index, exact.
    pub after_exact: Option<Decimal>,
    /// The change of the exact sub-indices.
    pub change_exact: Option<Decimal>,
}

/// How one unit moved between two years.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitChange {
    /// The unit's id.
    pub unit: String,
    /// The older index.
    pub index_before: Option<Decimal>,
    /// The newer index.
    pub index_after: Option<Decimal>,
    /// The change in index: the change of the exact indices, rounded to the reported
    /// indices' decimals (half away from zero) for display; the same change of points always
    /// shows as the same change of index.
    pub index_change: Option<Decimal>,
    /// The change of the exact indices, unrounded; the reported indices' difference when an
    /// exact index is not known.
    pub index_change_exact: Option<Decimal>,
    /// The older rank.
    pub rank_before: Option<u32>,
    /// The newer rank.
    pub rank_after: Option<u32>,
    /// Places gained (positive) or lost (negative).
    pub rank_change: Option<i64>,
    /// Per area of the newer set.
    pub areas: Vec<AreaChange>,
}

/// Compares units across two years, matched by id; areas matched by code, through `crosswalk`
/// (older code → newer code) where the numbering changed. Sub-indices are on `scale`.
pub fn compare(
    before: &YearResults,
    after: &YearResults,
    crosswalk: &BTreeMap<String, String>,
    scale: Decimal,
) -> Vec<UnitChange> {
    let older: HashMap<&str, &YearUnit> =
        before.units.iter().map(|u| (u.unit.as_str(), u)).collect();
    let sub_index = |points: Decimal, max: Decimal| index_of(points, max, scale);
    let display = |x: Decimal, places: u32| {
        x.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
    };
    after
        .units
        .iter()
        .map(|new| {
            let old = older.get(new.unit.as_str());
            let areas = new
                .areas
                .iter()
                .map(|(code, name, points, max)| {
                    let old_area = old.and_then(|o| {
                        o.areas
                            .iter()
                            .find(|(c, ..)| crosswalk.get(c).unwrap_or(c) == code)
                    });
                    let before = old_area.and_then(|(_, _, p, m)| sub_index(*p, *m));
                    let after = sub_index(*points, *max);
                    // Against the same maximum, the change is that of the points, divided once:
                    // the same change of points is then the same change to the last digit.
                    let change = match old_area {
                        Some((_, _, p, m)) if m == max => {
                            points.checked_sub(*p).and_then(|d| sub_index(d, *max))
                        }
                        _ => before.zip(after).and_then(|(b, a)| a.checked_sub(b)),
                    };
                    AreaChange {
                        code: code.clone(),
                        name: name.clone(),
                        before: before.map(|x| display(x, 2)),
                        after: after.map(|x| display(x, 2)),
                        change: change.map(|x| display(x, 2)),
                        before_exact: before,
                        after_exact: after,
                        change_exact: change,
                    }
                })
                .collect();
            let index_before = old.and_then(|o| o.index);
            let rank_before = old.and_then(|o| o.rank);
            let reported_change = index_before
                .zip(new.index)
                .and_then(|(b, a)| a.checked_sub(b));
            let exact_change = match (old.and_then(|o| o.points), new.points) {
                (Some((total_before, max_before)), Some((total, max)))
                    if max_before == max && new.index_exact.is_some() =>
                {
                    total
                        .checked_sub(total_before)
                        .and_then(|d| sub_index(d, max))
                }
                _ => old
                    .and_then(|o| o.index_exact)
                    .zip(new.index_exact)
                    .and_then(|(b, a)| a.checked_sub(b)),
            };
            let places = index_before
                .into_iter()
                .chain(new.index)
                .map(|x| x.scale())
                .max()
                .unwrap_or(2);
            UnitChange {
                unit: new.unit.clone(),
                index_before,
                index_after: new.index,
                index_change: exact_change.map(|x| display(x, places)).or(reported_change),
                index_change_exact: exact_change.or(reported_change),
                rank_before,
                rank_after: new.rank,
                rank_change: rank_before
                    .zip(new.rank)
                    .map(|(b, a)| i64::from(b) - i64::from(a)),
                areas,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn year(year: i32, units: &[(&str, &str, &str)]) -> YearResults {
        let d = |s: &str| s.parse::<Decimal>().unwrap_or_default();
        YearResults {
            set_id: "test".to_owned(),
            year,
            units: units
                .iter()
                .map(|(unit, points, max)| {
                    let exact = d(points) / d(max) * Decimal::ONE_HUNDRED;
                    YearUnit {
                        unit: (*unit).to_owned(),
                        index: Some(exact.round_dp(2)),
                        index_exact: Some(exact),
                        points: Some((d(points), d(max))),
                        rank: None,
                        areas: vec![("1".to_owned(), "Area".to_owned(), d(points), d(max))],
                        reform_areas: Vec::new(),
                    }
                })
                .collect(),
        }
    }

    #[test]
    fn the_same_change_of_points_shows_as_the_same_change_of_index() {
        // Both units lose 0.5 of 17 points: −2.941…; rounded before subtracting, one would
        // show −2.94 (58.82 → 55.88) and the other −2.95 (64.71 → 61.76).
        let before = year(2024, &[("A", "10", "17"), ("B", "11", "17")]);
        let after = year(2025, &[("A", "9.5", "17"), ("B", "10.5", "17")]);
        let changes = compare(&before, &after, &BTreeMap::new(), Decimal::ONE_HUNDRED);
        for change in &changes {
            assert_eq!(
                change.index_change.map(|x| x.to_string()),
                Some("-2.94".into())
            );
            assert_eq!(
                change.areas[0].change.map(|x| x.to_string()),
                Some("-2.94".into())
            );
            let exact = change.index_change_exact.unwrap_or_default();
            let off = (exact * Decimal::from(17) + Decimal::from(50)).abs();
            assert!(off < Decimal::new(1, 20), "{exact}");
            assert_eq!(Some(exact), changes[0].index_change_exact);
            let area = change.areas[0].change_exact.unwrap_or_default();
            assert!((area - exact).abs() < Decimal::new(1, 20), "{area}");
            assert_eq!(area, changes[0].areas[0].change_exact.unwrap_or_default());
        }
        // An exact +1.6667 shows as +1.67, not as the 1.66 of rounded indices.
        let before = year(2024, &[("C", "1", "3")]);
        let after = year(2025, &[("C", "26", "60")]);
        let change = &compare(&before, &after, &BTreeMap::new(), Decimal::ONE_HUNDRED)[0];
        assert_eq!(
            change.index_before.map(|x| x.to_string()),
            Some("33.33".into())
        );
        assert_eq!(
            change.index_after.map(|x| x.to_string()),
            Some("43.33".into())
        );
        assert_eq!(
            change.index_change.map(|x| x.to_string()),
            Some("10.00".into())
        );
    }
}
