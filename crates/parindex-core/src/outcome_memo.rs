//! Points a leaf's rule gave a value before, by the value's packed word: a column repeats a
//! few answers and ratios, and a rule that scores a value alone ([`Rule::scores_alone`]) gives
//! the same value the same points, so scoring it again would only repeat the work. A tiers
//! leaf's values are compared with its tiers as whole numbers ([`crate::compiled_tiers`]):
//! on the hot path without asking the memo first, whose guesses at a column of many ratios
//! cost more than the comparisons; the general way asks it first.
//!
//! [`Rule::scores_alone`]: crate::Rule::scores_alone

use rust_decimal::Decimal;

use crate::compiled_tiers::CompiledTiers;
use crate::packed::{node_decimal, node_word};
use crate::packed_cell::PackedCell;
use crate::plan::Plan;

/// Values remembered per leaf: a column of answers has a few, all met again and again.
const WAYS: usize = 8;

/// The points of the values of each leaf scored so far on one thread.
pub(crate) struct OutcomeMemo {
    /// Per leaf, whether its rule scores a value alone, so that its points may be remembered.
    remembered: Vec<bool>,
    /// Per leaf, [`WAYS`] places of a value's word (0 for none): all of them are looked at,
    /// so that a column's few values never push each other out.
    values: Vec<[u64; WAYS]>,
    /// Per leaf, the packed words ([`node_word`]) of those values' points: points too wide to
    /// pack are not remembered.
    points: Vec<[u64; WAYS]>,
    /// Per leaf, the place the next value remembered takes, the places taken in turn.
    next: Vec<u8>,
    /// Per leaf, its tiers rule compiled, for the values the places miss.
    compiled: Vec<Option<CompiledTiers>>,
}

impl OutcomeMemo {
    /// An empty memo for the leaves of `plan`.
    pub(crate) fn new(plan: &Plan) -> Self {
        let set = plan.set();
        let remembered: Vec<bool> = plan
            .leaves
            .iter()
            .map(|&node| {
                set.nodes[node]
                    .rule
                    .as_ref()
                    .is_some_and(|r| r.scores_alone())
            })
            .collect();
        let leaves = remembered.len();
        let compiled = plan
            .leaves
            .iter()
            .map(|&node| set.nodes[node].rule.as_ref().and_then(CompiledTiers::of))
            .collect();
        OutcomeMemo {
            remembered,
            values: vec![[0; WAYS]; leaves],
            points: vec![[0; WAYS]; leaves],
            next: vec![0; leaves],
            compiled,
        }
    }

    /// The word a value of this leaf is remembered by, when it can be: a value packed whole,
    /// of a rule that scores it alone.
    #[inline]
    pub(crate) fn key(&self, leaf: usize, packed: PackedCell) -> Option<u64> {
        if !self.remembered.get(leaf).copied().unwrap_or(false) {
            return None;
        }
        packed.value_word()
    }

    /// The points the leaf's rule gave the value of this word before.
    #[inline]
    pub(crate) fn find(&self, leaf: usize, key: u64) -> Option<Decimal> {
        self.find_word(leaf, key).map(node_decimal)
    }

    /// [`OutcomeMemo::find`], as the points' packed word.
    #[inline]
    pub(crate) fn find_word(&self, leaf: usize, key: u64) -> Option<u64> {
        let values = self.values.get(leaf)?;
        // Every place is compared, without a branch on which holds the value.
        let place = (0..WAYS).fold(WAYS, |at, i| if values[i] == key { i } else { at });
        self.points.get(leaf)?.get(place).copied()
    }

    /// Whether the leaf's rule is compiled ([`OutcomeMemo::compiled`]).
    #[inline]
    pub(crate) fn is_compiled(&self, leaf: usize) -> bool {
        self.compiled.get(leaf).is_some_and(Option::is_some)
    }

    /// The points the leaf's tiers rule gives the value packed in `cell`, by comparisons of
    /// whole numbers; `None` when the rule itself is to say.
    #[inline]
    pub(crate) fn compiled(&self, leaf: usize, cell: PackedCell) -> Option<Decimal> {
        self.compiled.get(leaf)?.as_ref()?.points(cell)
    }

    /// [`OutcomeMemo::compiled`], as the points' packed word; `None` too for points too wide
    /// to pack.
    #[inline]
    pub(crate) fn compiled_word(&self, leaf: usize, cell: PackedCell) -> Option<u64> {
        self.compiled.get(leaf)?.as_ref()?.points_word(cell)
    }

    /// Remembers the points the leaf's rule gave the value of this word, in place of any
    /// other value kept there.
    #[inline]
    pub(crate) fn keep(&mut self, leaf: usize, key: u64, points: Decimal) {
        let (Some(next), Some(points)) = (self.next.get_mut(leaf), node_word(points)) else {
            return;
        };
        let place = usize::from(*next) % WAYS;
        *next = next.wrapping_add(1);
        self.values[leaf][place] = key;
        self.points[leaf][place] = points;
    }
}
