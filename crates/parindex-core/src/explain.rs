//! Explanations: for every node of a unit, what was seen, which branch fired, the points won
//! and lost, and why.

use std::borrow::Cow;
use std::fmt;

use rust_decimal::Decimal;

use crate::model::NotApplicable;
use crate::records::Derivation;
use crate::score::{NodeStatus, Results, Scorecard};
use crate::value::Value;

/// One node's line in an explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainLine {
    /// The node's code.
    pub code: String,
    /// The node's name.
    pub name: String,
    /// Depth in the tree: 0 for an area.
    pub depth: usize,
    /// Whether the node is a leaf.
    pub leaf: bool,
    /// The maximum printed in the table.
    pub max: Decimal,
    /// The maximum that applies to this unit.
    pub applicable_max: Decimal,
    /// Points won.
    pub points: Decimal,
    /// Points lost: applicable maximum less points won.
    pub lost: Decimal,
    /// How the points came about.
    pub status: NodeStatus,
    /// The stage whose input was used, for a leaf.
    pub stage: Option<String>,
    /// The measurement seen, as text, for a leaf.
    pub seen: Option<String>,
    /// Why: the branch of the rule that fired, or how a parent summed its children.
    pub reason: String,
}

/// A unit's explanation, node by node in the table's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The unit's id.
    pub unit: String,
    /// Final points.
    pub total: Decimal,
    /// Applicable maximum.
    pub max: Decimal,
    /// Reported index.
    pub index: Option<Decimal>,
    /// Rank, if ranked.
    pub rank: Option<u32>,
    /// Band, if any.
    pub band: Option<String>,
    /// One line per node.
    pub lines: Vec<ExplainLine>,
}

impl Explanation {
    /// The leaves where points were lost, most first: where the unit lost its points.
    pub fn losses(&self) -> Vec<&ExplainLine> {
        let mut lost: Vec<&ExplainLine> = self
            .lines
            .iter()
            .filter(|l| l.leaf && l.lost > Decimal::ZERO)
            .collect();
        lost.sort_by_key(|l| std::cmp::Reverse(l.lost));
        lost
    }
}

/// What a node's entry in a results document or explanation depends on, when that is the
/// node's own result and value alone: its position, its result, and the value its leaf was
/// scored from, to the digit. Two units' nodes of the same key are worded and written alike.
/// A unit scored at several stages has no keys: its entries hold its points at each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeKey {
    /// The position with the status and stage, the points and the maximum as the card keeps
    /// them (to their trailing zeros), and the word of the value packed whole (0 for none).
    words: [u64; 4],
    /// A value too wide to pack in a word.
    wide: Option<WideValue>,
}

impl std::hash::Hash for NodeKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Word by word: the hot path of a memo hashes four words and nothing else.
        for word in self.words {
            state.write_u64(word);
        }
        if let Some(wide) = &self.wide {
            wide.hash(state);
        }
    }
}

/// Things made from a node's result and explanation, kept per [`NodeKey`], for writing many
/// units: a node with the same result and value is worded the same way for every unit, so its
/// words (or its entry in a document) are made once, not once per unit.
///
/// Keep one per writer thread, for one run's results ([`NodeMemo::get_or_make`]).
#[derive(Debug)]
pub struct NodeMemo<T> {
    /// Per node position: a node's table stays small, and hot, however many other nodes'
    /// results there are.
    kept: Vec<NodeTable<T>>,
}

/// One node's keys and what was made of them: open addressing on the key's words, in at least
/// twice as many places as keys, so that a look finds its key or a free place in a step or
/// two. A general map hashed every key through a keyed hash, a seventh of writing a document.
#[derive(Debug)]
struct NodeTable<T> {
    places: Vec<Option<(NodeKey, T)>>,
    len: usize,
}

impl<T> Default for NodeTable<T> {
    fn default() -> Self {
        NodeTable {
            places: Vec::new(),
            len: 0,
        }
    }
}

impl<T> NodeTable<T> {
    /// Places a table starts with.
    const FIRST: usize = 16;

    /// Where the key is (`Ok`), or the free place where it goes (`Err`). The table has places,
    /// one at least free.
    fn find(&self, key: &NodeKey) -> Result<usize, usize> {
        let mask = self.places.len() - 1;
        let mixed = key.words.iter().fold(0u64, |hash, &word| {
            (hash ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        });
        let mut at = (mixed >> 32) as usize & mask;
        loop {
            match &self.places[at] {
                Some((kept, _)) if kept == key => return Ok(at),
                Some(_) => at = (at + 1) & mask,
                None => return Err(at),
            }
        }
    }

    /// The table in twice the places, when one more key would fill more than half of them.
    fn make_room(&mut self) {
        if (self.len + 1) * 2 <= self.places.len() {
            return;
        }
        let count = (self.places.len() * 2).max(Self::FIRST);
        let old = std::mem::replace(
            &mut self.places,
            std::iter::repeat_with(|| None).take(count).collect(),
        );
        for (key, made) in old.into_iter().flatten() {
            if let Err(at) = self.find(&key) {
                self.places[at] = Some((key, made));
            }
        }
    }
}

/// The words of nodes' explanations: the measurement seen and the reason
/// ([`Scorecard::explain_node_with`]).
pub type ExplainMemo = NodeMemo<(Option<String>, String)>;

impl<T> Default for NodeMemo<T> {
    fn default() -> Self {
        NodeMemo { kept: Vec::new() }
    }
}

impl<T: Clone> NodeMemo<T> {
    /// Past this many of a node, what is made is no longer kept: a memo stays small however
    /// many distinct results a node has (an area's points, say).
    const MOST: usize = 256;

    /// An empty memo.
    pub fn new() -> Self {
        NodeMemo::default()
    }

    /// What `make` makes of the node at `position` of `card`: kept from a node of the same
    /// [`NodeKey`] made before, or made now (and kept while the node's table has room).
    /// `None`, without calling `make`, for a node without a key: nothing made of it could be
    /// shared, so the caller makes what it needs in its own form.
    pub fn get_or_make(
        &mut self,
        card: &Scorecard,
        position: usize,
        make: impl FnOnce() -> T,
    ) -> Option<Cow<'_, T>> {
        let key = card.node_key(position)?;
        if self.kept.len() <= position {
            self.kept.resize_with(position + 1, NodeTable::default);
        }
        let table = &mut self.kept[position];
        if table.len < Self::MOST {
            table.make_room();
        }
        let at = match table.find(&key) {
            Ok(at) => at,
            Err(_) if table.len >= Self::MOST => return Some(Cow::Owned(make())),
            Err(at) => {
                table.places[at] = Some((key, make()));
                table.len += 1;
                at
            }
        };
        table.places[at]
            .as_ref()
            .map(|(_, made)| Cow::Borrowed(made))
    }
}

/// A value too wide to pack, as written, to the digit: `87.5` and `87.50` are shown apart, so
/// they are kept apart ([`Decimal::serialize`] keeps the scale).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum WideValue {
    Number([u8; 16]),
    Ratio([u8; 16], [u8; 16]),
}

impl WideValue {
    /// The key of a wide value the memo keeps; `None` for texts and surveys, worded every time.
    fn of(value: &Value) -> Option<Self> {
        Some(match value {
            Value::Number(x) => WideValue::Number(x.serialize()),
            Value::Ratio {
                numerator,
                denominator,
            } => WideValue::Ratio(numerator.serialize(), denominator.serialize()),
            _ => return None,
        })
    }
}

impl Scorecard {
    /// The key of the node at `position` when its entry depends on its own result and value
    /// alone: of a unit scored at one stage, a parent, or a leaf whose rule reads its value
    /// alone, not derived from the year's records, with a value that is not a text or a
    /// survey. `None` otherwise.
    pub fn node_key(&self, position: usize) -> Option<NodeKey> {
        let node = self.set.nodes.get(position)?;
        let [p0, p1, m0, m1, status_and_stage] = self.result_words(position)?;
        if self.stage_count() > 1 || self.derivation_at(position).is_some() {
            return None;
        }
        let (value, wide) = match &node.rule {
            None => (0, None),
            Some(rule) if !rule.scores_alone() => return None,
            Some(_) => match self.final_value_word(position) {
                // A value word is never 0.
                Ok(word) => (word.unwrap_or(0), None),
                Err(()) => (0, Some(WideValue::of(&*self.final_value(position)?)?)),
            },
        };
        let pair = |low: u32, high: u32| u64::from(low) | u64::from(high) << 32;
        Some(NodeKey {
            words: [
                pair(status_and_stage, u32::try_from(position).ok()?),
                pair(p0, p1),
                pair(m0, m1),
                value,
            ],
            wide,
        })
    }

    /// [`Scorecard::explain_node`], taking the words from `memo` when a node of the same
    /// [`NodeKey`] was explained before, and keeping them there when not.
    pub fn explain_node_with(
        &self,
        position: usize,
        memo: &mut ExplainMemo,
    ) -> (Option<String>, String) {
        memo.get_or_make(self, position, || self.explain_node(position))
            .map_or_else(|| self.explain_node(position), Cow::into_owned)
    }

    /// For the node at `position` in set order: the measurement seen (for a leaf with an input)
    /// and why it has its points, worded as in [`Scorecard::explain`], without building the whole
    /// explanation.
    pub fn explain_node(&self, position: usize) -> (Option<String>, String) {
        let set = &self.set;
        let (Some(node), Some(score)) = (set.nodes.get(position), self.node_at(position)) else {
            return (None, String::new());
        };
        let trace = if node.rule.is_some() {
            self.trace(position)
        } else {
            None
        };
        let reason = match (score.status, &node.rule, &trace) {
            (NodeStatus::NotApplicable, _, _) => match self.derivation_at(position) {
                Some(Derivation::Plan(tally)) => {
                    format!("leads no task of the plan {}: not applicable", tally.plan)
                }
                _ => "not applicable".to_owned(),
            },
            (NodeStatus::Missing, _, _) => "no input: scored 0".to_owned(),
            (NodeStatus::NoEvidence, Some(rule), Some((value, outcome))) => format!(
                "{}, but no evidence was attached: scored 0",
                rule.explain(value, outcome)
            ),
            (_, Some(rule), Some((value, outcome))) => match self.derivation_at(position) {
                Some(derivation) => format!("{derivation} → {}", rule.explain(value, outcome)),
                None => rule.explain(value, outcome),
            },
            _ => {
                let policy = node.not_applicable.unwrap_or(set.policy.not_applicable);
                if policy == NotApplicable::RescaleToParent && score.max == node.max {
                    "sum of the applicable children, rescaled to the maximum".to_owned()
                } else {
                    "sum of the children".to_owned()
                }
            }
        };
        let seen = trace.map(|(value, _)| match &node.rule {
            Some(rule) => rule.show(&value),
            None => value.to_string(),
        });
        (seen, reason)
    }

    /// Explains every node of this unit.
    ///
    /// ```
    /// use parindex_core::{shipped, Batch, Plan};
    /// let plan = Plan::new(&shipped::load("binh-thuan-police/commune/2024")?.set);
    /// let mut batch = Batch::new(&plan);
    /// let ward = batch.add_unit("CAP-01", [])?;
    /// batch.set_text(ward, "1.1.4", None, "7/9")?;
    /// let results = plan.score(&batch)?;
    /// let explanation = results.units[0].explain();
    /// let line = explanation.lines.iter().find(|l| l.code == "1.1.4").ok_or("no line")?;
    /// assert_eq!(line.reason, "7/9 (77.78%) → tier 50 <= x < 100 → 0.5");
    /// assert_eq!(line.lost.to_string(), "0.5");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explain(&self) -> Explanation {
        let set = &self.set;
        let lines = set
            .nodes
            .iter()
            .enumerate()
            .filter_map(|(position, node)| Some((position, (node, self.node_at(position)?))))
            .map(|(position, (node, score))| {
                let leaf = node.rule.is_some();
                let (seen, reason) = self.explain_node(position);
                ExplainLine {
                    code: node.code.clone(),
                    name: node.name.clone(),
                    depth: node.depth(),
                    leaf,
                    max: node.max,
                    applicable_max: score.max,
                    points: score.points,
                    lost: score.lost(),
                    status: score.status,
                    stage: score
                        .stage
                        .and_then(|s| set.policy.stages.get(usize::from(s)).cloned()),
                    seen,
                    reason,
                }
            })
            .collect();
        Explanation {
            unit: self.unit.clone(),
            total: self.total,
            max: self.max,
            index: self.reported_index,
            rank: self.rank,
            band: self.band.clone(),
            lines,
        }
    }
}

impl Results {
    /// Explains the unit with this id.
    pub fn explain(&self, unit: &str) -> Option<Explanation> {
        self.unit(unit).map(Scorecard::explain)
    }
}

impl fmt::Display for Explanation {
    /// A tree, one node per line: code, points of applicable maximum, and why.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let index = self
            .index
            .map(|i| i.to_string())
            .unwrap_or_else(|| "–".to_owned());
        write!(
            f,
            "{}: {} of {}, index {index}",
            self.unit,
            self.total.normalize(),
            crate::text::plural(self.max.normalize(), "point")
        )?;
        if let Some(rank) = self.rank {
            write!(f, ", rank {rank}")?;
        }
        if let Some(band) = &self.band {
            write!(f, ", band {band}")?;
        }
        writeln!(f)?;
        for line in &self.lines {
            let indent = "  ".repeat(line.depth + 1);
            let lost = if line.lost > Decimal::ZERO {
                format!(", lost {}", line.lost.normalize())
            } else {
                String::new()
            };
            writeln!(
                f,
                "{indent}{} {}/{}{lost}: {}",
                line.code,
                line.points.normalize(),
                line.applicable_max.normalize(),
                line.reason
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u64) -> NodeKey {
        // Keys alike but for one word, as a node's are: its points.
        NodeKey {
            words: [7, n << 8, 3, 0],
            wide: None,
        }
    }

    #[test]
    fn a_node_table_finds_every_key_it_kept_across_its_growing() {
        let mut table = NodeTable::default();
        for n in 0..256 {
            table.make_room();
            let at = table.find(&key(n)).expect_err("a new key");
            table.places[at] = Some((key(n), n));
            table.len += 1;
        }
        assert_eq!(table.places.len(), 512);
        for n in 0..256 {
            let at = table.find(&key(n)).expect("kept");
            assert_eq!(table.places[at].as_ref().map(|(_, made)| *made), Some(n));
        }
        assert!(table.find(&key(256)).is_err());
        let wide = NodeKey {
            wide: Some(WideValue::Number([1; 16])),
            ..key(3)
        };
        assert!(table.find(&wide).is_err(), "a wide value is another key");
    }
}
