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

/// Values remembered per leaf; a value met again in a column is usually among the last few.
const WAYS: usize = 8;

/// The points of the values of each leaf scored so far on one thread.
pub(crate) struct OutcomeMemo {
    /// Per leaf, whether its rule scores a value alone, so that its points may be remembered.
    remembered: Vec<bool>,
    /// Per leaf, [`WAYS`] places of a value's word (0 for none) and its points' packed word
    /// ([`node_word`]): points too wide to pack are not remembered.
    places: Vec<(u64, u64)>,
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
        let places = vec![(0, 0); remembered.len() * WAYS];
        let compiled = plan
            .leaves
            .iter()
            .map(|&node| set.nodes[node].rule.as_ref().and_then(CompiledTiers::of))
            .collect();
        OutcomeMemo {
            remembered,
            places,
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

    #[inline]
    fn place(leaf: usize, key: u64) -> usize {
        // The top bits of a multiplicative hash pick one of the leaf's places.
        leaf * WAYS + (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 61) as usize
    }

    /// The points the leaf's rule gave the value of this word before.
    #[inline]
    pub(crate) fn find(&self, leaf: usize, key: u64) -> Option<Decimal> {
        self.find_word(leaf, key).map(node_decimal)
    }

    /// [`OutcomeMemo::find`], as the points' packed word.
    #[inline]
    pub(crate) fn find_word(&self, leaf: usize, key: u64) -> Option<u64> {
        let (word, points) = self.places.get(Self::place(leaf, key))?;
        (*word == key).then_some(*points)
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
        let (Some(place), Some(points)) = (
            self.places.get_mut(Self::place(leaf, key)),
            node_word(points),
        ) else {
            return;
        };
        *place = (key, points);
    }
}
