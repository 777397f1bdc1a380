//! A scorecard's node results as it keeps them: 20 bytes a node instead of the 36 of a
//! [`NodeScore`], since a province's officials hold millions of them.
//!
//! A decimal of up to 55 bits of mantissa (every figure of the shipped sets, and any sum of
//! them) is kept in eight bytes with its scale and sign, so that it comes back as the same
//! decimal, to its trailing zeros and the sign of a zero. A wider one (a proportional share
//! such as 2/3 of a point, 28 digits long) is kept whole beside the packed nodes.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::score::{NodeScore, NodeStatus};

/// A decimal in eight bytes, as two halves so that a node aligns on four: the mantissa's
/// magnitude in the low 55 bits, the scale in the next 5, the sign in the next; or, with the
/// top bit set, the position of the decimal among the wide ones.
type Packed = [u32; 2];

const WIDE: u64 = 1 << 63;
const MAGNITUDE_BITS: u32 = 55;

/// One node's result as a scorecard keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PackedNode {
    points: Packed,
    max: Packed,
    status: u8,
    /// The stage whose input was used, or [`NO_STAGE`].
    stage: u8,
}

impl PackedNode {
    /// A node's result from its points' and maximum's words ([`node_word`]).
    #[inline]
    pub(crate) const fn new(points: u64, max: u64, status: NodeStatus, stage: Option<u8>) -> Self {
        PackedNode {
            points: halves(points),
            max: halves(max),
            status: status_byte(status),
            stage: match stage {
                Some(stage) => stage,
                None => NO_STAGE,
            },
        }
    }

    /// The word of the points.
    #[inline]
    pub(crate) fn points_word(&self) -> u64 {
        whole(self.points)
    }

    /// The word of the maximum.
    #[inline]
    pub(crate) fn max_word(&self) -> u64 {
        whole(self.max)
    }

    /// Whether the node does not apply.
    #[inline]
    pub(crate) fn is_not_applicable(&self) -> bool {
        self.status == status_byte(NodeStatus::NotApplicable)
    }
}

/// What a scorecard keeps per node, but for decimals too wide to pack.
pub(crate) const BYTES_PER_NODE: usize = std::mem::size_of::<PackedNode>();

/// What a scorecard keeps per node at a stage before the final one ([`PackedPoints`]).
pub(crate) const BYTES_PER_EARLIER_POINTS: usize = std::mem::size_of::<u64>();

/// A stage position no set has: a set has at most [`crate::load::MAX_STAGES`] stages.
const NO_STAGE: u8 = u8::MAX;

/// A unit's part of an array kept for the units scored with it: a range rather than an
/// allocation of its own, which at ten thousand units a run cost as much as scoring them.
#[derive(Debug, Clone)]
struct Shared<T> {
    /// The array, once the units' scoring is done ([`Shared::share`]).
    array: Option<Arc<Vec<T>>>,
    start: usize,
    len: usize,
}

impl<T> Default for Shared<T> {
    fn default() -> Self {
        Shared {
            array: None,
            start: 0,
            len: 0,
        }
    }
}

impl<T> Shared<T> {
    /// `items` put at the end of `arena`.
    fn push(arena: &mut Vec<T>, items: impl Iterator<Item = T>) -> Self {
        let start = arena.len();
        arena.extend(items);
        Shared {
            array: None,
            start,
            len: arena.len() - start,
        }
    }

    /// Reads the range from `arena`, now that its units are all scored: the arena it was put
    /// into, shared.
    fn share(&mut self, arena: &Arc<Vec<T>>) {
        self.array = Some(arena.clone());
    }

    fn items(&self) -> &[T] {
        self.array
            .as_ref()
            .and_then(|array| array.get(self.start..self.start + self.len))
            .unwrap_or_default()
    }
}

/// The node results of one unit, in set order, in an array shared with the units scored
/// with it.
#[derive(Debug, Clone, Default)]
pub(crate) struct NodeResults {
    nodes: Shared<PackedNode>,
    /// The decimals too wide to pack, in the order they were met.
    wide: Box<[Decimal]>,
}

impl NodeResults {
    /// Packs node results at the end of `arena`.
    pub(crate) fn pack<'n>(
        arena: &mut Vec<PackedNode>,
        nodes: impl Iterator<Item = &'n NodeScore>,
    ) -> Self {
        let mut wide = Vec::new();
        let nodes = Shared::push(
            arena,
            nodes.map(|n| PackedNode {
                points: pack(n.points, &mut wide),
                max: pack(n.max, &mut wide),
                status: status_byte(n.status),
                stage: n.stage.unwrap_or(NO_STAGE),
            }),
        );
        NodeResults {
            nodes,
            wide: wide.into_boxed_slice(),
        }
    }

    /// The node results at the end of `arena` from `start`, each of whose decimals packed
    /// whole ([`node_word`]).
    pub(crate) fn at_end(arena: &[PackedNode], start: usize) -> Self {
        NodeResults {
            nodes: Shared {
                array: None,
                start,
                len: arena.len().saturating_sub(start),
            },
            wide: Box::default(),
        }
    }

    /// The node results at the positions `kept` of `nodes`, each of whose decimals packed
    /// whole ([`node_word`]), put at the end of `arena`.
    pub(crate) fn kept(arena: &mut Vec<PackedNode>, nodes: &[PackedNode], kept: &[usize]) -> Self {
        NodeResults {
            nodes: Shared::push(arena, kept.iter().map(|&i| nodes[i])),
            wide: Box::default(),
        }
    }

    /// Reads the results from `arena`, the array they were packed into, now that its units
    /// are all scored.
    pub(crate) fn share(&mut self, arena: &Arc<Vec<PackedNode>>) {
        self.nodes.share(arena);
    }

    fn nodes(&self) -> &[PackedNode] {
        self.nodes.items()
    }

    /// How many nodes.
    pub(crate) fn len(&self) -> usize {
        self.nodes.len
    }

    /// The result of the node at `i`.
    pub(crate) fn get(&self, i: usize) -> Option<NodeScore> {
        self.nodes().get(i).map(|n| self.unpack(n))
    }

    /// The result of the node at `i` as it is kept, for telling results apart without reading
    /// them: the same words for the same result, to the trailing zeros of its decimals. `None`
    /// for a node with a decimal too wide to pack.
    pub(crate) fn words(&self, i: usize) -> Option<[u32; 5]> {
        let n = self.nodes().get(i)?;
        let wide = |[_, high]: Packed| (u64::from(high) << 32) & WIDE != 0;
        if wide(n.points) || wide(n.max) {
            return None;
        }
        let [p0, p1] = n.points;
        let [m0, m1] = n.max;
        Some([
            p0,
            p1,
            m0,
            m1,
            u32::from(n.status) | u32::from(n.stage) << 8,
        ])
    }

    /// The final points of the node at `i`, without the rest of its result.
    pub(crate) fn points(&self, i: usize) -> Option<Decimal> {
        self.nodes().get(i).map(|n| unpack(n.points, &self.wide))
    }

    /// Every node's result, in set order.
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = NodeScore> + '_ {
        self.nodes().iter().map(|n| self.unpack(n))
    }

    fn unpack(&self, n: &PackedNode) -> NodeScore {
        NodeScore {
            points: unpack(n.points, &self.wide),
            max: unpack(n.max, &self.wide),
            status: STATUSES[usize::from(n.status) % STATUSES.len()],
            stage: (n.stage != NO_STAGE).then_some(n.stage),
        }
    }
}

/// The points of a unit's nodes at a stage before its final one, packed as its node results
/// are, in an array shared with the units scored with it.
#[derive(Debug, Clone, Default)]
pub(crate) struct PackedPoints {
    words: Shared<u64>,
    /// The decimals too wide to pack, in the order they were met.
    wide: Box<[Decimal]>,
}

impl PackedPoints {
    /// Packs points at the end of `arena`.
    pub(crate) fn pack(arena: &mut Vec<u64>, points: impl Iterator<Item = Decimal>) -> Self {
        let mut wide = Vec::new();
        let words = Shared::push(arena, points.map(|d| whole(pack(d, &mut wide))));
        PackedPoints {
            words,
            wide: wide.into_boxed_slice(),
        }
    }

    /// Points already packed whole ([`node_word`]), put at the end of `arena`.
    pub(crate) fn from_words(arena: &mut Vec<u64>, words: impl Iterator<Item = u64>) -> Self {
        PackedPoints {
            words: Shared::push(arena, words),
            wide: Box::default(),
        }
    }

    /// Reads the points from `arena`, the array they were packed into, now that its units are
    /// all scored.
    pub(crate) fn share(&mut self, arena: &Arc<Vec<u64>>) {
        self.words.share(arena);
    }

    /// How many nodes.
    pub(crate) fn len(&self) -> usize {
        self.words.len
    }

    /// The points of the node at `i`.
    pub(crate) fn get(&self, i: usize) -> Option<Decimal> {
        let word = *self.words.items().get(i)?;
        Some(unpack(halves(word), &self.wide))
    }
}

const STATUSES: [NodeStatus; 4] = [
    NodeStatus::Scored,
    NodeStatus::NotApplicable,
    NodeStatus::Missing,
    NodeStatus::NoEvidence,
];

const fn status_byte(status: NodeStatus) -> u8 {
    match status {
        NodeStatus::Scored => 0,
        NodeStatus::NotApplicable => 1,
        NodeStatus::Missing => 2,
        NodeStatus::NoEvidence => 3,
    }
}

fn pack(d: Decimal, wide: &mut Vec<Decimal>) -> Packed {
    // Not `node_word`: a negative zero packs as it always has, to come back as a zero.
    let word = pack_word(d, MAGNITUDE_BITS).unwrap_or_else(|| {
        wide.push(d);
        WIDE | (wide.len() - 1) as u64
    });
    halves(word)
}

const fn halves(word: u64) -> Packed {
    [word as u32, (word >> 32) as u32]
}

fn whole([low, high]: Packed) -> u64 {
    u64::from(low) | u64::from(high) << 32
}

/// A node's decimal as a scorecard packs it, when it packs whole and is not a negative zero:
/// a word's decimal is built by [`Decimal::from_parts`], which gives a zero no sign, and
/// arithmetic on the words ([`crate::decimal_sum::DecimalSum::add_word`]) is to give what the
/// decimals give.
#[inline]
pub(crate) fn node_word(d: Decimal) -> Option<u64> {
    if d.is_zero() && d.is_sign_negative() {
        return None;
    }
    pack_word(d, MAGNITUDE_BITS)
}

/// The decimal of a word made by [`node_word`].
#[inline]
pub(crate) fn node_decimal(word: u64) -> Decimal {
    unpack_word(word, MAGNITUDE_BITS)
}

/// The mantissa and scale of a word made by [`node_word`], when its decimal is not negative
/// (a negative zero included).
#[inline]
pub(crate) fn positive_parts(word: u64) -> Option<(u64, u32)> {
    let parts = (
        word & ((1 << MAGNITUDE_BITS) - 1),
        (word >> MAGNITUDE_BITS) as u32,
    );
    (word >> (MAGNITUDE_BITS + 5) == 0).then_some(parts)
}

/// The word [`node_word`] makes of the decimal `mantissa / 10^scale`; `None` when it is too
/// wide to pack.
#[inline]
pub(crate) fn positive_word(mantissa: u64, scale: u32) -> Option<u64> {
    (mantissa < 1 << MAGNITUDE_BITS && scale <= 28)
        .then(|| mantissa | u64::from(scale) << MAGNITUDE_BITS)
}

fn unpack(packed: Packed, wide: &[Decimal]) -> Decimal {
    let word = whole(packed);
    let [low, _] = packed;
    if word & WIDE != 0 {
        // Every wide position was given by `pack` for this slice.
        return wide.get(low as usize).copied().unwrap_or_default();
    }
    unpack_word(word, MAGNITUDE_BITS)
}

/// A decimal whose mantissa's magnitude fits in `bits` bits, as a word of `bits + 6` bits:
/// the magnitude, then the scale in five bits, then the sign; `None` for a wider one.
pub(crate) fn pack_word(d: Decimal, bits: u32) -> Option<u64> {
    let magnitude = d.mantissa().unsigned_abs();
    // The magnitude fits in `bits` (at most 58) bits, so the cast keeps it whole.
    (magnitude < 1 << bits).then(|| {
        magnitude as u64
            | u64::from(d.scale()) << bits
            | u64::from(d.is_sign_negative()) << (bits + 5)
    })
}

/// The decimal of a word made by [`pack_word`] with the same `bits`.
pub(crate) fn unpack_word(word: u64, bits: u32) -> Decimal {
    let magnitude = word & ((1 << bits) - 1);
    let scale = ((word >> bits) & 0x1f) as u32;
    let negative = (word >> (bits + 5)) & 1 == 1;
    Decimal::from_parts(
        magnitude as u32,
        (magnitude >> 32) as u32,
        0,
        negative,
        scale,
    )
}

/// The signed mantissa and the scale of a word made by [`pack_word`] with the same `bits`
/// (at most 58, so the magnitude fits an `i64`): [`unpack_word`]'s decimal without building it.
pub(crate) fn unpack_parts(word: u64, bits: u32) -> (i64, u32) {
    let magnitude = (word & ((1 << bits) - 1)) as i64;
    let scale = ((word >> bits) & 0x1f) as u32;
    let negative = (word >> (bits + 5)) & 1 == 1;
    (if negative { -magnitude } else { magnitude }, scale)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same_decimal(a: Decimal, b: Decimal) -> bool {
        a.serialize() == b.serialize()
    }

    fn round_trip(d: Decimal) -> Decimal {
        let mut wide = Vec::new();
        let packed = pack(d, &mut wide);
        unpack(packed, &wide)
    }

    #[test]
    fn decimals_come_back_to_their_scale_and_the_sign_of_zero() {
        for text in [
            "0",
            "1",
            "1.50",
            "0.25",
            "100",
            "-3.5",
            "87.500",
            "0.0000000000000000000000000001",
        ] {
            let d: Decimal = text.parse().expect("decimal");
            assert!(same_decimal(round_trip(d), d), "{text}");
            assert_eq!(round_trip(d).to_string(), text);
        }
        let negative_zero = Decimal::from_parts(0, 0, 0, true, 2);
        assert!(same_decimal(round_trip(negative_zero), negative_zero));
        for d in [Decimal::MAX, Decimal::MIN, Decimal::ONE / Decimal::from(3)] {
            assert!(same_decimal(round_trip(d), d), "{d}");
        }
    }

    #[test]
    fn the_widest_packed_and_the_narrowest_wide_mantissas_both_come_back() {
        let edge = (1i64 << MAGNITUDE_BITS) - 1;
        for m in [edge, edge + 1, -edge, -edge - 1] {
            let d = Decimal::new(m, 3);
            let mut wide = Vec::new();
            let packed = pack(d, &mut wide);
            assert_eq!(wide.len(), usize::from(m.unsigned_abs() > edge as u64));
            assert!(same_decimal(unpack(packed, &wide), d), "{m}");
        }
    }

    #[test]
    fn a_node_is_twenty_bytes() {
        assert_eq!(std::mem::size_of::<PackedNode>(), 20);
    }

    /// Any decimal, of any mantissa, scale and sign.
    pub(crate) fn any_decimal() -> impl Strategy<Value = Decimal> {
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<bool>(),
            0u32..=28,
        )
            .prop_map(|(lo, mid, hi, negative, scale)| {
                Decimal::from_parts(lo, mid, hi, negative, scale)
            })
    }

    fn small_decimal() -> impl Strategy<Value = Decimal> {
        (-(1i64 << 56)..(1i64 << 56), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s))
    }

    fn any_node() -> impl Strategy<Value = NodeScore> {
        (
            prop_oneof![any_decimal(), small_decimal()],
            prop_oneof![any_decimal(), small_decimal()],
            0usize..4,
            proptest::option::of(0u8..64),
        )
            .prop_map(|(points, max, status, stage)| NodeScore {
                points,
                max,
                status: STATUSES[status],
                stage,
            })
    }

    proptest! {
        #[test]
        fn a_words_parts_are_its_decimals(d in small_decimal()) {
            if let Some(word) = pack_word(d, MAGNITUDE_BITS) {
                let (mantissa, scale) = unpack_parts(word, MAGNITUDE_BITS);
                prop_assert_eq!(i128::from(mantissa), unpack_word(word, MAGNITUDE_BITS).mantissa());
                prop_assert_eq!(scale, d.scale());
            }
        }

        #[test]
        fn node_results_come_back_as_they_were_packed(nodes in proptest::collection::vec(any_node(), 0..40)) {
            let mut arena = vec![PackedNode::new(0, 0, NodeStatus::Scored, None)];
            let mut packed = NodeResults::pack(&mut arena, nodes.iter());
            prop_assert_eq!(packed.iter().len(), 0);
            packed.share(&Arc::new(arena));
            prop_assert_eq!(packed.len(), nodes.len());
            for (i, (node, back)) in nodes.iter().zip(packed.iter()).enumerate() {
                prop_assert!(same_decimal(back.points, node.points));
                prop_assert!(same_decimal(back.max, node.max));
                prop_assert_eq!(back.status, node.status);
                prop_assert_eq!(back.stage, node.stage);
                prop_assert_eq!(packed.get(i), Some(back));
                prop_assert!(packed.points(i).is_some_and(|p| same_decimal(p, node.points)));
            }
            prop_assert_eq!(packed.get(nodes.len()), None);
        }

        #[test]
        fn earlier_points_come_back_as_they_were_packed(points in proptest::collection::vec(any_decimal(), 0..40)) {
            let mut arena = vec![0];
            let mut packed = PackedPoints::pack(&mut arena, points.iter().copied());
            prop_assert_eq!(packed.get(0), None);
            packed.share(&Arc::new(arena));
            prop_assert_eq!(packed.len(), points.len());
            for (i, point) in points.iter().enumerate() {
                prop_assert!(packed.get(i).is_some_and(|p| same_decimal(p, *point)));
            }
            prop_assert_eq!(packed.get(points.len()), None);
        }
    }
}
