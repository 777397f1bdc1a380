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
    ranks(set, units)
}

/// What ranking reads of the units it ranks, by their positions.
trait Ranked {
    /// How many units.
    fn count(&self) -> usize;
    /// The unit's id.
    fn unit(&self, i: usize) -> &str;
    /// Its ranking group.
    fn group(&self, i: usize) -> Option<&str>;
    /// Whether it is ranked at all.
    fn ranked(&self, i: usize) -> bool;
    /// Its ranking key ([`RankKey::key`]).
    fn key(&self, i: usize) -> &[Decimal];
}

impl Ranked for [RankKey] {
    fn count(&self) -> usize {
        self.len()
    }
    fn unit(&self, i: usize) -> &str {
        &self[i].unit
    }
    fn group(&self, i: usize) -> Option<&str> {
        self[i].group.as_deref()
    }
    fn ranked(&self, i: usize) -> bool {
        self[i].ranked
    }
    fn key(&self, i: usize) -> &[Decimal] {
        &self[i].key
    }
}

/// Scorecards as ranking reads them: their keys side by side in one array, so that ranking a
/// million units does not copy a million ids and keys.
struct Cards<'a> {
    cards: &'a [Scorecard],
    /// Each card's key, `width` decimals after the one before.
    keys: Vec<Decimal>,
    width: usize,
}

impl<'a> Cards<'a> {
    fn new(set: &CriteriaSet, cards: &'a [Scorecard]) -> Self {
        let width = 1 + set.policy.tie_breakers.len();
        let mut keys = Vec::with_capacity(cards.len() * width);
        for card in cards {
            push_sort_key(set, card, &mut keys);
        }
        Cards { cards, keys, width }
    }
}

impl Ranked for Cards<'_> {
    fn count(&self) -> usize {
        self.cards.len()
    }
    fn unit(&self, i: usize) -> &str {
        &self.cards[i].unit
    }
    fn group(&self, i: usize) -> Option<&str> {
        self.cards[i].group.as_deref()
    }
    fn ranked(&self, i: usize) -> bool {
        let card = &self.cards[i];
        is_ranked(card) && card.index.is_some()
    }
    fn key(&self, i: usize) -> &[Decimal] {
        &self.keys[i * self.width..(i + 1) * self.width]
    }
}

/// The ranks of the units within their groups, by the set's tie policy.
fn ranks<R: Ranked + ?Sized>(set: &CriteriaSet, units: &R) -> Vec<Option<u32>> {
    let count = units.count();
    let mut ranks = vec![None; count];
    let mut groups: Vec<Option<&str>> = (0..count).map(|i| units.group(i)).collect();
    groups.sort_unstable();
    groups.dedup();
    for group in groups {
        let mut members: Vec<usize> = (0..count)
            .filter(|&i| units.group(i) == group && units.ranked(i))
            .collect();
        if !sort_on_integers(units, &mut members) {
            members.sort_by(|a, b| ranking_order(units, *a, *b));
        }
        let mut rank = 0u32;
        let mut dense = 0u32;
        for (position, &i) in members.iter().enumerate() {
            let tied = position > 0 && units.key(i) == units.key(members[position - 1]);
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

/// The order of ranking: the greater key first, then the unit id.
fn ranking_order<R: Ranked + ?Sized>(units: &R, a: usize, b: usize) -> Ordering {
    units
        .key(b)
        .cmp(units.key(a))
        .then_with(|| units.unit(a).cmp(units.unit(b)))
}

/// Sorts `members` in [`ranking_order`] on integers: each key's decimals as whole numbers at
/// the scale of their column, and each id's first eight bytes as one number, the ids compared
/// whole only where those are equal. `false`, with `members` untouched, when a key does not fit
/// (a column with many decimals, or no index), for the general sort.
fn sort_on_integers<R: Ranked + ?Sized>(units: &R, members: &mut [usize]) -> bool {
    let width = members.first().map_or(0, |&m| units.key(m).len());
    if members.iter().any(|&m| units.key(m).len() != width) || u32::try_from(units.count()).is_err()
    {
        return false;
    }
    let scales: Vec<u32> = (0..width)
        .map(|c| {
            members
                .iter()
                .map(|&m| units.key(m)[c].scale())
                .max()
                .unwrap_or(0)
        })
        .collect();
    // At most 18 decimals: a mantissa of 96 bits times 10^18 fits in 128 bits.
    if scales.iter().any(|s| *s > 18) {
        return false;
    }
    let mut keys: Vec<i128> = Vec::with_capacity(members.len() * width);
    for &m in members.iter() {
        for (x, scale) in units.key(m).iter().zip(&scales) {
            match 10i128
                .checked_pow(scale - x.scale())
                .and_then(|p| x.mantissa().checked_mul(p))
            {
                Some(whole) => keys.push(whole),
                None => return false,
            }
        }
    }
    let prefix = |id: &str| {
        let mut bytes = [0u8; 8];
        let head = &id.as_bytes()[..id.len().min(8)];
        bytes[..head.len()].copy_from_slice(head);
        u64::from_be_bytes(bytes)
    };
    // The key's first column is compared where it sits: a million units sorted by a key looked
    // up elsewhere would wait on memory at most comparisons. The rest of a key is found by its
    // position, the member's among `members`.
    let mut order: Vec<Sorted> = members
        .iter()
        .enumerate()
        .map(|(k, &m)| Sorted {
            first: keys.get(k * width).copied().unwrap_or(0),
            rest: k as u32,
            prefix: prefix(units.unit(m)),
            member: m as u32,
        })
        .collect();
    let rest = |k: u32| &keys[k as usize * width + 1.min(width)..(k as usize + 1) * width];
    let same_key = |a: &Sorted, b: &Sorted| a.first == b.first && rest(a.rest) == rest(b.rest);
    order.sort_unstable_by(|a, b| {
        (b.first.cmp(&a.first))
            .then_with(|| rest(b.rest).cmp(rest(a.rest)))
            .then(a.prefix.cmp(&b.prefix))
    });
    // Runs of the same key and id prefix, in order of the whole id.
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len()
            && order[end].prefix == order[start].prefix
            && same_key(&order[end], &order[start])
        {
            end += 1;
        }
        if end - start > 1 {
            order[start..end].sort_unstable_by(|a, b| {
                units
                    .unit(a.member as usize)
                    .cmp(units.unit(b.member as usize))
            });
        }
        start = end;
    }
    for (member, sorted) in members.iter_mut().zip(order) {
        *member = sorted.member as usize;
    }
    true
}

/// A member as [`sort_on_integers`] sorts it.
struct Sorted {
    /// The first column of its key, as a whole number.
    first: i128,
    /// Where the rest of its key is.
    rest: u32,
    /// The first eight bytes of its id, as one number.
    prefix: u64,
    member: u32,
}

/// Ranks the units within their groups.
pub(crate) fn rank(set: &CriteriaSet, units: &mut [Scorecard]) {
    let ranks = ranks(set, &Cards::new(set, units));
    for (unit, rank) in units.iter_mut().zip(ranks) {
        unit.rank = rank;
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
    let mut key = Vec::with_capacity(1 + set.policy.tie_breakers.len());
    push_sort_key(set, unit, &mut key);
    key
}

/// Appends a unit's ranking key ([`RankKey::key`]) to `keys`.
fn push_sort_key(set: &CriteriaSet, unit: &Scorecard, keys: &mut Vec<Decimal>) {
    keys.push(ranking_index(set, unit).unwrap_or(Decimal::MIN));
    for code in &set.policy.tie_breakers {
        keys.push(unit.node_index(code).unwrap_or(Decimal::MIN));
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decimal() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            40 => (-10_000i64..10_000, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s)),
            4 => Just(Decimal::MIN),
            4 => Just(Decimal::new(-0, 2)),
            4 => (any::<i64>(), 0u32..=18).prop_map(|(m, s)| Decimal::new(m, s)),
            1 => (any::<i64>(), 19u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
        ]
    }

    fn key() -> impl Strategy<Value = RankKey> {
        let id = prop_oneof!["U0000[0-9]{1,3}", "Phường [0-9]{1,2}", "[aA]{0,9}"];
        (id, prop::collection::vec(decimal(), 2)).prop_map(|(unit, key)| RankKey {
            unit,
            group: None,
            ranked: true,
            key,
        })
    }

    proptest! {
        /// Sorted on integers, units come in the order of the general sort, or the general
        /// sort is left to do it.
        #[test]
        fn sorting_on_integers_orders_as_the_decimals_and_ids_do(
            units in prop::collection::vec(key(), 0..40),
            width in 1usize..=2,
        ) {
            let units: Vec<RankKey> = units
                .into_iter()
                .map(|mut u| { u.key.truncate(width); u })
                .collect();
            let mut general: Vec<usize> = (0..units.len()).collect();
            general.sort_by(|a, b| ranking_order(&units[..], *a, *b));
            let mut fast: Vec<usize> = (0..units.len()).collect();
            let on_integers = sort_on_integers(&units[..], &mut fast);
            // Keys of a few decimals always fit, as a reported index and the sentinel of no
            // index do; wider ones fit while their products do.
            let few = units.iter().all(|u| {
                u.key.iter().all(|x| x.scale() <= 3 && (x.abs() < Decimal::from(1 << 20) || *x == Decimal::MIN))
            });
            prop_assert!(on_integers || !few);
            if on_integers {
                let ids = |order: &[usize]| -> Vec<(Vec<Decimal>, String)> {
                    order.iter().map(|&i| (units[i].key.clone(), units[i].unit.clone())).collect()
                };
                prop_assert_eq!(ids(&fast), ids(&general));
            } else {
                prop_assert_eq!(fast, (0..units.len()).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn two_decimals_and_ids_alike_for_eight_bytes_sort_on_integers() {
        let unit = |id: &str, index: i64| RankKey {
            unit: id.to_owned(),
            group: None,
            ranked: true,
            key: vec![Decimal::new(index, 2)],
        };
        let units = [
            unit("Phường 10", 8550),
            unit("Phường 1", 8550),
            unit("Phường 2", 9000),
            unit("Xã A", 855),
        ];
        let mut members = vec![0, 1, 2, 3];
        assert!(sort_on_integers(&units[..], &mut members));
        assert_eq!(members, [2, 1, 0, 3]);
    }
}
